// logalerts.js - #/logalerts ログ警告: what the detections of the access-log
// vault raised (logdetect.h on the server), the patients watched, and the
// settings of the rules.
//
//   #/logalerts[?state=open|acked|all&kind=&severity=&user=&patient=&since=&until=&offset=]
//
// The list is paged by the server (GET /api/v1/logs/alerts, 50 a page);
// 確認済にする acknowledges one alert (POST …/ack, officers).  The watch list
// (GET/POST/DELETE /api/v1/logs/watch) is shown to admins, officers and
// auditors; officers add and remove.  The settings form (PUT
// /api/v1/logs/settings) sends every field in one request: all change or
// none, and the server's message is shown under the field it names.
// dashboardPanel(d) is the dashboard's card for the "logs" block.

import { h, replace, fmtTime, fmtNum } from './dom.js';
import { get, post, api, qs } from './api.js';
import { t, addMessages } from './i18n.js';
import { session, canJournal } from './state.js';
import { pageHead, message, showMessage, button, busy, formField, select } from './ui.js';

addMessages({
  'nav.logalerts': ['ログ警告', 'Log alerts'],
  'la.hint': ['未確認の警告を上から開き、内容を確かめたら「確認済にする」を押してください。緊急用アカウントの使用は、インシデントの記録とアカウントの無効化・パスワード変更も忘れずに。',
    'Open each unacknowledged alert, check it, then press "Acknowledge". For an emergency-account use, also record it in an incident and disable the account or change its password.'],
  'la.kind': ['種類', 'Kind'],
  'la.severity': ['重要度', 'Severity'],
  'la.state': ['状態', 'State'],
  'la.open': ['未確認', 'Open'],
  'la.acked': ['確認済', 'Acknowledged'],
  'la.all': ['すべて', 'All'],
  'la.any': ['すべて', 'Any'],
  'la.high': ['高', 'High'],
  'la.medium': ['中', 'Medium'],
  'la.low': ['低', 'Low'],
  'la.user': ['利用者', 'User'],
  'la.patient': ['患者ID', 'Patient ID'],
  'la.host': ['端末/ホスト', 'Terminal/host'],
  'la.source': ['接続元', 'Source'],
  'la.at': ['発生時刻', 'Event time'],
  'la.since': ['期間 (から)', 'From'],
  'la.until': ['期間 (まで)', 'To'],
  'la.detail': ['内容', 'What happened'],
  'la.event': ['イベント', 'Event'],
  'la.search': ['絞り込む', 'Filter'],
  'la.clear': ['条件を消す', 'Clear'],
  'la.ack': ['確認済にする', 'Acknowledge'],
  'la.acked_by': ['{who} が確認 ({when})', 'Acknowledged by {who} ({when})'],
  'la.ack_done': ['警告 #{id} を確認済にしました', 'Alert #{id} acknowledged'],
  'la.none': ['条件に合う警告はありません', 'No alerts match'],
  'la.shown': ['{n} 件中 {from}〜{to} 件目 (新しい順)', '{from}–{to} of {n} (newest first)'],
  'la.prev': ['前へ', 'Previous'],
  'la.next': ['次へ', 'Next'],
  'la.kind.emergency_use': ['緊急用アカウントの使用', 'Emergency account used'],
  'la.kind.retired_login': ['退職者アカウントのログイン', 'Log-in by a retired holder'],
  'la.kind.unused_login': ['長期未使用アカウントのログイン', 'Log-in by a long-unused account'],
  'la.kind.off_hours': ['時間外のアクセス', 'Access outside hours'],
  'la.kind.failed_burst': ['ログイン失敗の集中', 'Burst of failed log-ins'],
  'la.kind.watched_patient': ['要注意患者へのアクセス', 'Access to a watched patient'],
  'la.watch_title': ['要注意患者', 'Watched patients'],
  'la.watch_hint': ['職員が患者として受診している場合、VIP、本人からの申し出があった場合などに登録します。登録した患者の記録へのアクセスは、利用者・患者・日ごとに 1 件の警告になります。',
    'Register staff treated as patients, VIPs, or patients who asked for it: each access to their records raises one alert per user, patient and day.'],
  'la.reason': ['理由', 'Reason'],
  'la.note': ['メモ', 'Note'],
  'la.alerts': ['警告数', 'Alerts'],
  'la.added_by': ['登録', 'Added'],
  'la.watch_add': ['登録する', 'Add'],
  'la.watch_remove': ['外す', 'Remove'],
  'la.watch_none': ['登録された患者はいません', 'No patients are watched'],
  'la.watch_added': ['患者ID {p} を登録しました', 'Patient {p} added'],
  'la.watch_removed': ['患者ID {p} の登録を外しました', 'Patient {p} removed'],
  'la.reason.staff': ['職員', 'Staff'],
  'la.reason.vip': ['VIP', 'VIP'],
  'la.reason.request': ['本人申出', 'At their request'],
  'la.settings_title': ['検知の設定', 'Detection settings'],
  'la.settings_hint': ['変更は稼働中のサーバーに 1 分ほどで反映されます。', 'Changes reach the running server within about a minute.'],
  'la.s.logs.hours': ['業務時間', 'Working hours'],
  'la.s.logs.hours_hint': ['例: 08:00-19:00。開始が終了より後なら日をまたぎます (夜勤帯 22:00-06:00)。', 'e.g. 08:00-19:00; a start after the end spans midnight.'],
  'la.s.logs.workdays': ['業務日', 'Working days'],
  'la.s.logs.workdays_hint': ['例: mon-fri、mon-sat、月-金、mon,wed,fri', 'e.g. mon-fri, mon-sat, mon,wed,fri'],
  'la.s.logs.burst_failures': ['ログイン失敗の集中: 回数', 'Failed log-ins: count'],
  'la.s.logs.burst_seconds': ['ログイン失敗の集中: 秒数', 'Failed log-ins: within seconds'],
  'la.s.logs.emergency_users': ['緊急用アカウント (台帳にないもの)', 'Emergency accounts (not in the inventory)'],
  'la.s.logs.emergency_users_hint': ['ログインID を「,」で区切って。アカウント台帳の「非常時用」アカウントは自動で対象になります。', 'Log-in IDs separated by commas; the inventory\'s emergency accounts are always included.'],
  'la.s.accounts.unused_days': ['未使用とみなす日数', 'Unused after (days)'],
  'la.save': ['保存', 'Save'],
  'la.saved': ['設定を保存しました', 'Settings saved'],
  'dash.la_title': ['アクセスログの警告', 'Access-log alerts'],
  'dash.la_open': ['未確認', 'Open'],
  'dash.la_total': ['これまで', 'In total'],
  'dash.la_none': ['未確認の警告はありません', 'No open alerts'],
  'dash.la_see': ['ログ警告を開く', 'Open log alerts'],
});

const KINDS = ['emergency_use', 'retired_login', 'unused_login', 'off_hours', 'failed_burst', 'watched_patient'];
const SEVERITIES = ['high', 'medium', 'low'];
const KEYS = ['state', 'kind', 'severity', 'user', 'patient', 'since', 'until', 'offset'];
const SETTINGS = ['logs.hours', 'logs.workdays', 'logs.burst_failures', 'logs.burst_seconds',
  'logs.emergency_users', 'accounts.unused_days'];
const PAGE = 50;

const isOfficer = () => ['admin', 'officer'].includes(session.user ? session.user.role : '');
const kindLabel = (a) => t(`la.kind.${a.kind}`) || a.kind_label || a.kind;
const sevLabel = (s) => (SEVERITIES.includes(s) ? t(`la.${s}`) : s);

function sevBadge(s) {
  return h('span', { class: ['badge', 'la-sev', `la-sev-${s}`], text: sevLabel(s) });
}

// ---- the dashboard card ------------------------------------------------------

export function dashboardPanel(d) {
  const l = d && d.logs;
  if (!l) return null;
  const stat = (label, value, cls) => h('a', { class: `stat ${cls}`, href: '#/logalerts' },
    h('div', { class: 'stat-value', text: fmtNum(value) }), h('div', { class: 'stat-label', text: label }));
  const byKind = (l.by_kind || []).filter((k) => k.open > 0);
  return h('section', { class: 'panel la-card', id: 'dash-logalerts' },
    h('h2', { text: t('dash.la_title') }),
    h('div', { class: 'stats' },
      stat(t('dash.la_open'), l.open, l.open ? 'stat-warn' : 'stat-ok'),
      stat(t('dash.la_total'), l.total, '')),
    byKind.length ? h('ul', { class: 'la-kinds', id: 'dash-la-kinds' }, byKind.map((k) => h('li', { dataset: { kind: k.kind } },
      sevBadge(k.severity), ' ',
      h('a', { href: `#/logalerts${qs({ kind: k.kind })}`, text: t(`la.kind.${k.kind}`) || k.label }),
      h('span', { class: 'la-count', text: ` ${fmtNum(k.open)}` })))) : null,
    (l.newest || []).length
      ? h('ul', { class: 'la-newest', id: 'dash-la-newest' }, l.newest.map((a) => h('li', { dataset: { id: a.id } },
        h('span', { class: 'muted small', text: `${fmtTime(a.at)} ` }), sevBadge(a.severity), ' ', a.detail)))
      : h('p', { class: 'ok-line', text: t('dash.la_none') }),
    h('a', { class: 'btn btn-small', href: '#/logalerts', id: 'dash-la-link' }, t('dash.la_see')));
}

// ---- the page ------------------------------------------------------------------

function alertRow(a, slot, reload) {
  const acked = !!a.ack_at;
  const who = acked ? t('la.acked_by', { who: a.ack_by, when: fmtTime(a.ack_at) }) : t('la.open');
  let cell = h('span', { class: acked ? 'la-acked' : 'la-open', text: who });
  if (!acked && isOfficer()) {
    const btn = button(t('la.ack'), () => busy(btn, async () => {
      try {
        await post(`/api/v1/logs/alerts/${a.id}/ack`, {});
        showMessage(slot, 'ok', t('la.ack_done', { id: a.id }));
        await reload();
      } catch (e) {
        if (!e.handled) showMessage(slot, 'error', e.message);
      }
    }), 'btn-small', { dataset: { ack: a.id } });
    cell = h('div', null, cell, ' ', btn);
  }
  return h('tr', { class: ['la-row', `la-row-${a.severity}`, acked ? 'la-row-acked' : ''], dataset: { id: a.id, kind: a.kind } },
    h('td', { class: 'la-time', text: fmtTime(a.at, true) }),
    h('td', null, sevBadge(a.severity)),
    h('td', { class: 'la-kind', text: kindLabel(a) }),
    h('td', { class: 'la-user', text: a.user || '' }),
    h('td', { class: 'la-patient', text: a.patient || '' }),
    h('td', { class: 'la-host', text: [a.host, a.source].filter(Boolean).join(' / ') }),
    h('td', { class: 'la-detail', text: a.detail }),
    h('td', null, h('a', { href: `#/logs/${a.seq}`, text: `#${a.seq}` })),
    h('td', { class: 'la-state' }, cell));
}

async function watchPanel(slot) {
  if (!canJournal()) return null;
  const panel = h('section', { class: 'panel', id: 'la-watch' });
  const msg = h('div', { class: 'la-watch-msg' });
  const draw = async () => {
    const res = await get('/api/v1/logs/watch');
    const rows = res.items.map((w) => h('tr', { dataset: { patient: w.patient } },
      h('td', { class: 'la-w-patient', text: w.patient }),
      h('td', { text: w.reason }),
      h('td', { text: w.note || '' }),
      h('td', { class: 'num', text: fmtNum(w.alerts) }),
      h('td', { class: 'muted small', text: `${fmtTime(w.created)} ${w.created_by}` }),
      h('td', null, isOfficer() ? button(t('la.watch_remove'), async () => {
        try {
          await api('DELETE', `/api/v1/logs/watch/${w.id}`);
          showMessage(msg, 'ok', t('la.watch_removed', { p: w.patient }));
          await draw();
        } catch (e) { if (!e.handled) showMessage(msg, 'error', e.message); }
      }, 'btn-small', { dataset: { remove: w.patient } }) : null)));
    let form = null;
    if (isOfficer()) {
      const fPatient = formField(t('la.patient'), h('input', { type: 'text', id: 'la-w-patient', maxlength: 256 }), { required: true });
      const reasons = ['la.reason.staff', 'la.reason.vip', 'la.reason.request'].map((k) => h('option', { value: t(k) }));
      const fReason = formField(t('la.reason'), h('input', { type: 'text', id: 'la-w-reason', list: 'la-w-reasons' }), { required: true });
      const fNote = formField(t('la.note'), h('input', { type: 'text', id: 'la-w-note' }));
      form = h('form', { class: 'filter-form', id: 'la-w-form' }, fPatient.el, fReason.el,
        h('datalist', { id: 'la-w-reasons' }, reasons), fNote.el,
        h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'la-w-add' }, t('la.watch_add'))));
      form.addEventListener('submit', async (ev) => {
        ev.preventDefault();
        fPatient.setError('');
        fReason.setError('');
        const p = fPatient.input.value.trim();
        try {
          await post('/api/v1/logs/watch', { patient: p, reason: fReason.input.value.trim(), note: fNote.input.value.trim() || null });
          showMessage(msg, 'ok', t('la.watch_added', { p }));
          await draw();
        } catch (e) {
          if (e.handled) return;
          if (/理由|reason/i.test(e.message)) fReason.setError(e.message); else fPatient.setError(e.message);
        }
      });
    }
    replace(panel,
      h('h2', { text: t('la.watch_title') }),
      h('p', { class: 'field-hint', text: t('la.watch_hint') }),
      msg,
      h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id: 'la-w-table' },
        h('thead', null, h('tr', null, h('th', { text: t('la.patient') }), h('th', { text: t('la.reason') }),
          h('th', { text: t('la.note') }), h('th', { text: t('la.alerts') }), h('th', { text: t('la.added_by') }), h('th'))),
        h('tbody', null, rows.length ? rows : h('tr', { class: 'empty' }, h('td', { colspan: 6, text: t('la.watch_none') }))))),
      form);
  };
  try { await draw(); } catch (e) { if (!e.handled) showMessage(slot, 'error', e.message); }
  return panel;
}

async function settingsPanel() {
  const s = await get('/api/v1/logs/settings');
  const ro = !isOfficer();
  const fields = {};
  for (const k of SETTINGS) {
    const num = typeof s[k] === 'number';
    const input = h('input', { type: num ? 'number' : 'text', id: `la-s-${k.replace(/\./g, '-')}`, value: s[k] ?? '', disabled: ro, min: num ? 1 : null });
    const hintKey = `la.s.${k}_hint`;
    const hint = t(hintKey) !== hintKey ? t(hintKey) : null;
    fields[k] = formField(t(`la.s.${k}`), input, { hint, wide: k === 'logs.emergency_users' });
  }
  const msg = h('div', { class: 'la-s-msg' });
  const form = h('form', { class: 'filter-form', id: 'la-settings' }, SETTINGS.map((k) => fields[k].el),
    ro ? null : h('div', { class: 'field field-button' }, h('button', { type: 'submit', class: 'btn btn-primary', id: 'la-s-save' }, t('la.save'))));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = {};
    for (const k of SETTINGS) {
      fields[k].setError('');
      const v = fields[k].input.value.trim();
      if (String(s[k] ?? '') !== v) body[k] = typeof s[k] === 'number' && /^\d+$/.test(v) ? Number(v) : v;
    }
    if (!Object.keys(body).length) return;
    try {
      const now = await api('PUT', '/api/v1/logs/settings', { body });
      Object.assign(s, now);
      for (const k of SETTINGS) fields[k].input.value = now[k] ?? '';
      showMessage(msg, 'ok', t('la.saved'));
    } catch (e) {
      if (e.handled) return;
      if (e.field && fields[e.field]) fields[e.field].setError(e.message);
      else showMessage(msg, 'error', e.message);
    }
  });
  return h('section', { class: 'panel', id: 'la-settings-panel' },
    h('h2', { text: t('la.settings_title') }),
    h('p', { class: 'field-hint', text: t('la.settings_hint') }),
    msg, form);
}

export async function render(main, ctx) {
  ctx.setTitle(t('nav.logalerts'));
  const q = ctx.query;
  const state = {};
  for (const k of KEYS) state[k] = q.get(k) || '';
  if (!state.state) state.state = 'open';
  const go = (p) => ctx.navigate(`#/logalerts${qs({ ...state, ...p })}`);
  const slot = h('div', { id: 'la-msg' });

  const fState = select([{ value: 'open', label: t('la.open') }, { value: 'acked', label: t('la.acked') }, { value: 'all', label: t('la.all') }],
    state.state, { id: 'la-f-state' });
  const fKind = select([{ value: '', label: t('la.any') }, ...KINDS.map((k) => ({ value: k, label: t(`la.kind.${k}`) }))],
    state.kind, { id: 'la-f-kind' });
  const fSev = select([{ value: '', label: t('la.any') }, ...SEVERITIES.map((s) => ({ value: s, label: t(`la.${s}`) }))],
    state.severity, { id: 'la-f-severity' });
  const fUser = h('input', { type: 'text', id: 'la-f-user', value: state.user });
  const fPatient = h('input', { type: 'text', id: 'la-f-patient', value: state.patient });
  const fSince = h('input', { type: 'date', id: 'la-f-since', value: state.since });
  const fUntil = h('input', { type: 'date', id: 'la-f-until', value: state.until });
  const form = h('form', { class: 'filter-form no-print', id: 'la-filters' },
    formField(t('la.state'), fState).el, formField(t('la.kind'), fKind).el, formField(t('la.severity'), fSev).el,
    formField(t('la.user'), fUser).el, formField(t('la.patient'), fPatient).el,
    formField(t('la.since'), fSince).el, formField(t('la.until'), fUntil).el,
    h('div', { class: 'field field-button' }, h('div', { class: 'btn-row' },
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'la-search' }, t('la.search')),
      h('a', { class: 'btn btn-plain', href: '#/logalerts', id: 'la-clear' }, t('la.clear')))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go({
      state: fState.value, kind: fKind.value, severity: fSev.value, user: fUser.value.trim(),
      patient: fPatient.value.trim(), since: fSince.value, until: fUntil.value, offset: '',
    });
  });

  const list = h('div', { id: 'la-list' });
  const offset = Number(state.offset) || 0;
  const load = async () => {
    // "until" is a date: the whole day counts, so ask for the next day (exclusive)
    let until = state.until;
    if (until) {
      const d = new Date(`${until}T00:00:00Z`);
      d.setUTCDate(d.getUTCDate() + 1);
      until = d.toISOString().slice(0, 10);
    }
    const res = await get(`/api/v1/logs/alerts${qs({ ...state, until, offset, limit: PAGE })}`);
    const from = res.total ? offset + 1 : 0;
    const to = offset + res.items.length;
    replace(list,
      h('div', { class: 'summary-row' },
        h('p', { class: 'summary', id: 'la-summary', dataset: { total: res.total } }, t('la.shown', { n: fmtNum(res.total), from, to })),
        h('div', { class: 'pager no-print' }, h('div', { class: 'pager-inner' },
          button(`‹ ${t('la.prev')}`, () => go({ offset: String(Math.max(0, offset - PAGE)) }), 'btn-small', { id: 'la-prev', disabled: offset === 0 }),
          button(`${t('la.next')} ›`, () => go({ offset: String(offset + PAGE) }), 'btn-small', { id: 'la-next', disabled: to >= res.total })))),
      h('div', { class: 'table-wrap' }, h('table', { class: 'grid la-table', id: 'la-table' },
        h('thead', null, h('tr', null,
          h('th', { text: t('la.at') }), h('th', { text: t('la.severity') }), h('th', { text: t('la.kind') }),
          h('th', { text: t('la.user') }), h('th', { text: t('la.patient') }), h('th', { text: `${t('la.host')} / ${t('la.source')}` }),
          h('th', { text: t('la.detail') }), h('th', { text: t('la.event') }), h('th', { text: t('la.state') }))),
        h('tbody', null, res.items.length ? res.items.map((a) => alertRow(a, slot, load))
          : h('tr', { class: 'empty' }, h('td', { colspan: 9, text: t('la.none') }))))));
  };
  await load();
  const watch = await watchPanel(slot);
  const settings = await settingsPanel();
  replace(main, pageHead(t('nav.logalerts'), t('la.hint')), slot, form, list, watch, settings);
}
