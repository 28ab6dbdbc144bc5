// logs.js - #/logs アクセスログ: the access-log vault.
//
//   #/logs[?user=&patient=&host=&action=&result=&from=&to=&before=]
//   #/logs/123   one event: its fields, the message as received, its proof
//
// Filters (利用者, 患者ID, 端末/ホスト, 操作, 結果, 期間) go to the server,
// which pages (newest first, 次へ by the cursor it returns: server-side
// paging only).  CSV for the auditor is GET /api/v1/logs/events.csv with the
// same filters.  Below the list, the latest signed checkpoint (size, time,
// root, verifier key) with copy buttons: what to keep off this machine.

import { h, replace, fmtTime, fmtNum, copyText } from './dom.js';
import { get, post, qs } from './api.js';
import { session } from './state.js';
import { t, addMessages } from './i18n.js';
import { pageHead, message, button, formField, select, busy } from './ui.js';

addMessages({
  'nav.logs': ['アクセスログ', 'Access logs'],
  'logs.hint': ['利用者・患者ID・端末・操作・期間で絞り込み、行を開くとメッセージ原文と証明書 (改ざんされていないことの証明) を取り出せます。下のチェックポイントは印刷するか別のマシンに控えてください。',
    'Filter by user, patient, host, action and period; open a row for the message as received and its proof of integrity. Keep the checkpoint below on another machine or on paper.'],
  'logs.user': ['利用者', 'User'],
  'logs.patient': ['患者ID', 'Patient ID'],
  'logs.host': ['端末/ホスト', 'Terminal/host'],
  'logs.host_short': ['ホスト', 'Host'],
  'logs.action': ['操作', 'Action'],
  'logs.result': ['結果', 'Result'],
  'logs.from': ['期間 (から)', 'From'],
  'logs.to': ['期間 (まで)', 'To'],
  'logs.any': ['すべて', 'Any'],
  'logs.success': ['成功', 'Success'],
  'logs.failure': ['失敗', 'Failure'],
  'logs.search': ['検索', 'Search'],
  'logs.clear': ['条件を消す', 'Clear'],
  'logs.time': ['発生時刻', 'Event time'],
  'logs.recv': ['受信時刻', 'Received'],
  'logs.peer': ['送信元', 'Sender'],
  'logs.source': ['接続元', 'From'],
  'logs.via': ['経路', 'Transport'],
  'logs.notes': ['注記', 'Notes'],
  'logs.seq': ['連番', 'No.'],
  'logs.message': ['メッセージ (受信したまま)', 'Message (as received)'],
  'logs.none': ['条件に合うイベントはありません', 'No events match'],
  'logs.no_vault': ['ログ保管庫はまだありません。mamori log import でファイルを取り込むか、mamori serve --syslog-udp/--syslog-tcp/--relp で受信を始めてください。',
    'There is no log vault yet. Import a file with "mamori log import" or start receiving with "mamori serve --syslog-udp/--syslog-tcp/--relp".'],
  'logs.shown': ['{n} 件を表示 (新しい順)', '{n} shown (newest first)'],
  'logs.first': ['最新へ', 'Newest'],
  'logs.next': ['次へ', 'Next'],
  'logs.csv': ['CSV 書き出し (監査用)', 'Export CSV (audit)'],
  'logs.back': ['一覧へ戻る', 'Back to the list'],
  'logs.event': ['イベント {seq}', 'Event {seq}'],
  'logs.proof': ['証明書をダウンロード', 'Download proof'],
  'logs.proof_hint': ['証明書は mamori log verify-proof FILE --checkpoint 控えのチェックポイント で、データベースのない別のマシンでも検証できます。',
    'Check a proof on any machine, without the database: mamori log verify-proof FILE --checkpoint SAVED-CHECKPOINT.'],
  'logs.cp_title': ['最新の署名済みチェックポイント', 'Latest signed checkpoint'],
  'logs.cp_hint': ['この内容を印刷するか別のマシンに保存してください。後で mamori log verify --checkpoint でこの時点以前の記録が改ざんされていないことを確かめられます。',
    'Print this or save it on another machine: "mamori log verify --checkpoint" later proves that nothing up to this point was altered.'],
  'logs.cp_sign': ['今すぐ署名', 'Sign one now'],
  'logs.cp_signed': ['チェックポイントを署名しました ({n} 件)。', 'Checkpoint signed ({n} events).'],
  'logs.cp_none': ['署名済みチェックポイントはまだありません (mamori log checkpoint --new)。', 'No signed checkpoint yet (mamori log checkpoint --new).'],
  'logs.cp_size': ['イベント数 (size)', 'Size'],
  'logs.cp_time': ['署名時刻', 'Signed at'],
  'logs.cp_root': ['ルートハッシュ', 'Root hash'],
  'logs.cp_vkey': ['検証鍵 (vkey)', 'Verifier key'],
  'logs.cp_note': ['チェックポイント全文', 'Checkpoint note'],
  'logs.copy': ['コピー', 'Copy'],
  'logs.copied': ['コピーしました', 'Copied'],
  'logs.copy_failed': ['コピーできませんでした。選択して手でコピーしてください', 'Could not copy; select and copy by hand'],
});

const KEYS = ['user', 'patient', 'host', 'action', 'result', 'from', 'to', 'before'];
const FILTERS = KEYS.filter((k) => k !== 'before');
const ACTIONS = ['login', 'logout', 'sudo', 'view', 'update', 'create', 'delete', 'print', 'export'];

function resultLabel(r) {
  if (r === 'success') return t('logs.success');
  if (r === 'failure') return t('logs.failure');
  return '';
}

function badges(ev) {
  return (ev.badges || []).map((b) => h('span', {
    class: ['badge', 'log-badge', `log-badge-${b.code}`], title: b.reason || '', text: b.label,
  }));
}

function copyButton(id, text, status) {
  return button(t('logs.copy'), async () => {
    const ok = await copyText(text);
    status.textContent = ok ? t('logs.copied') : t('logs.copy_failed');
  }, 'btn-small', { id });
}

// Officers may have a checkpoint signed at once (the receivers sign it
// when they run); the panel is then drawn again.
function signButton(status) {
  if (!['admin', 'officer'].includes(session.user ? session.user.role : '')) return null;
  const b = button(t('logs.cp_sign'), async () => {
    await busy(b, async () => {
      try {
        const r = await post('/api/v1/logs/checkpoint', {});
        const panel = await checkpointPanel();
        const old = document.getElementById('log-checkpoint');
        if (panel && old) old.replaceWith(panel);
        const s = document.getElementById('log-copy-status');
        if (s) s.textContent = t('logs.cp_signed', { n: fmtNum(r.size) });
      } catch (e) {
        status.textContent = e.message;
      }
    });
  }, 'btn-small', { id: 'log-cp-sign' });
  return b;
}

async function checkpointPanel() {
  let cp;
  try {
    cp = await get('/api/v1/logs/checkpoint');
  } catch (e) {
    if (e.status === 404) return null;
    throw e;
  }
  const status = h('span', { class: 'log-copy-status', id: 'log-copy-status', role: 'status' });
  const c = cp.checkpoint;
  return h('section', { class: 'panel log-cp', id: 'log-checkpoint' },
    h('h2', { text: t('logs.cp_title') }),
    h('p', { class: 'field-hint', text: t('logs.cp_hint') }),
    signButton(status),
    c ? h('dl', { class: 'log-cp-list' },
      h('dt', { text: t('logs.cp_size') }), h('dd', { id: 'log-cp-size', text: fmtNum(c.size) }),
      h('dt', { text: t('logs.cp_time') }), h('dd', { id: 'log-cp-time', text: fmtTime(c.time, true) }),
      h('dt', { text: t('logs.cp_root') }), h('dd', null, h('code', { id: 'log-cp-root', text: c.root })),
      h('dt', { text: t('logs.cp_vkey') }), h('dd', null, h('code', { id: 'log-cp-vkey', text: cp.vkey }), ' ',
        copyButton('log-cp-copy-vkey', cp.vkey, status)),
      h('dt', { text: t('logs.cp_note') }), h('dd', null, h('pre', { class: 'log-note', id: 'log-cp-note', text: cp.note }),
        copyButton('log-cp-copy', cp.note, status), ' ', status))
      : message('info', t('logs.cp_none')));
}

export async function render(main, ctx) {
  ctx.setTitle(t('nav.logs'));
  const q = ctx.query;
  const state = {};
  for (const k of KEYS) state[k] = q.get(k) || '';
  const go = (p) => ctx.navigate(`#/logs${qs({ ...state, ...p })}`);

  const input = (k, attrs = {}) => h('input', { type: 'text', id: `log-f-${k}`, value: state[k], ...attrs });
  const fUser = input('user');
  const fPatient = input('patient');
  const fHost = input('host');
  const fAction = input('action', { list: 'log-actions' });
  const fResult = select([{ value: '', label: t('logs.any') }, { value: 'success', label: t('logs.success') },
    { value: 'failure', label: t('logs.failure') }], state.result, { id: 'log-f-result' });
  const fFrom = h('input', { type: 'date', id: 'log-f-from', value: state.from });
  const fTo = h('input', { type: 'date', id: 'log-f-to', value: state.to });
  const form = h('form', { class: 'filter-form no-print', id: 'log-filters' },
    formField(t('logs.user'), fUser).el,
    formField(t('logs.patient'), fPatient).el,
    formField(t('logs.host'), fHost).el,
    formField(t('logs.action'), fAction).el,
    h('datalist', { id: 'log-actions' }, ACTIONS.map((a) => h('option', { value: a }))),
    formField(t('logs.result'), fResult).el,
    formField(t('logs.from'), fFrom).el,
    formField(t('logs.to'), fTo).el,
    h('div', { class: 'field field-button' }, h('div', { class: 'btn-row' },
      h('button', { type: 'submit', class: 'btn btn-primary', id: 'log-search' }, t('logs.search')),
      h('a', { class: 'btn btn-plain', href: '#/logs', id: 'log-clear' }, t('logs.clear')))));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    go({
      user: fUser.value.trim(), patient: fPatient.value.trim(), host: fHost.value.trim(),
      action: fAction.value.trim(), result: fResult.value, from: fFrom.value, to: fTo.value, before: '',
    });
  });

  const filters = {};
  for (const k of FILTERS) filters[k] = state[k];
  const res = await get(`/api/v1/logs/events${qs({ ...filters, before: state.before, limit: 50 })}`);
  const cp = await checkpointPanel();

  const csv = h('a', { class: 'btn', id: 'log-csv', download: '', href: `/api/v1/logs/events.csv${qs(filters)}` }, t('logs.csv'));
  const pager = h('div', { class: 'pager-inner' },
    button(t('logs.first'), () => go({ before: '' }), 'btn-small', { id: 'log-first', disabled: !state.before }),
    button(`${t('logs.next')} ›`, () => go({ before: String(res.next) }), 'btn-small',
      { id: 'log-next', disabled: res.next === null || res.next === undefined }));
  const row = (ev) => h('tr', {
    class: 'log-row', dataset: { seq: ev.seq }, tabindex: '0',
    onclick: () => ctx.navigate(`#/logs/${ev.seq}`),
    onkeydown: (e) => { if (e.key === 'Enter') ctx.navigate(`#/logs/${ev.seq}`); },
  },
  h('td', { class: 'log-time', text: fmtTime(ev.time || ev.recv, true) }),
  h('td', { class: 'log-user', text: ev.user || '' }),
  h('td', { class: 'log-patient', text: ev.patient || '' }),
  h('td', { class: 'log-host', text: ev.host || '' }),
  h('td', { class: 'log-action', text: ev.action || '' }),
  h('td', { class: ['log-result', ev.result ? `log-result-${ev.result}` : ''], text: resultLabel(ev.result) }),
  h('td', { class: 'log-source', text: ev.source || '' }),
  h('td', { class: 'log-peer', text: ev.peer || '' }),
  h('td', { class: 'log-flags' }, badges(ev)));

  replace(main,
    pageHead(t('nav.logs'), t('logs.hint'), [csv]),
    res.vault ? null : message('info', t('logs.no_vault')),
    form,
    h('div', { class: 'summary-row' },
      h('p', { class: 'summary', id: 'log-summary', dataset: { count: res.events.length } }, t('logs.shown', { n: fmtNum(res.events.length) })),
      h('div', { class: 'pager no-print' }, pager)),
    h('div', { class: 'table-wrap' }, h('table', { class: 'grid log-table', id: 'log-table' },
      h('thead', null, h('tr', null,
        h('th', { text: t('logs.time') }), h('th', { text: t('logs.user') }), h('th', { text: t('logs.patient') }),
        h('th', { text: t('logs.host_short') }), h('th', { text: t('logs.action') }), h('th', { text: t('logs.result') }),
        h('th', { text: t('logs.source') }), h('th', { text: t('logs.peer') }), h('th', { text: t('logs.notes') }))),
      h('tbody', null, res.events.length ? res.events.map(row)
        : h('tr', { class: 'empty' }, h('td', { colspan: 9, text: t('logs.none') }))))),
    cp);
}

export async function renderDetail(main, ctx) {
  const seq = ctx.params[0];
  ctx.setTitle(t('logs.event', { seq }));
  const ev = await get(`/api/v1/logs/events/${seq}`);
  const rowOf = (label, value, id) => h('tr', null, h('th', { text: label }), h('td', { id, text: value || '-' }));
  replace(main,
    pageHead(t('logs.event', { seq }), t('logs.proof_hint'), [
      h('a', { class: 'btn btn-plain', href: '#/logs', id: 'log-back' }, t('logs.back')),
      h('a', { class: 'btn btn-primary', id: 'log-proof', download: `mamori-log-proof-${seq}.txt`, href: `/api/v1/logs/events/${seq}/proof` }, t('logs.proof')),
    ]),
    h('div', { class: 'table-wrap' }, h('table', { class: 'grid log-detail', id: 'log-detail' }, h('tbody', null,
      rowOf(t('logs.seq'), String(ev.seq), 'log-d-seq'),
      rowOf(t('logs.time'), fmtTime(ev.time, true), 'log-d-time'),
      rowOf(t('logs.recv'), fmtTime(ev.recv, true), 'log-d-recv'),
      rowOf(t('logs.user'), ev.user, 'log-d-user'),
      rowOf(t('logs.patient'), ev.patient, 'log-d-patient'),
      rowOf(t('logs.host'), ev.host, 'log-d-host'),
      rowOf(t('logs.action'), ev.action, 'log-d-action'),
      rowOf(t('logs.result'), resultLabel(ev.result), 'log-d-result'),
      rowOf(t('logs.source'), ev.source, 'log-d-source'),
      rowOf(t('logs.peer'), ev.peer, 'log-d-peer'),
      rowOf(t('logs.via'), ev.via, 'log-d-via'),
      h('tr', null, h('th', { text: t('logs.notes') }), h('td', { id: 'log-d-flags' },
        (ev.badges || []).length ? (ev.badges || []).map((b) => h('div', null, badges({ badges: [b] }), ' ', b.reason)) : '-'))))),
    h('section', { class: 'panel' },
      h('h2', { text: t('logs.message') }),
      h('pre', { class: 'log-message', id: 'log-d-message', text: ev.message })));
}
