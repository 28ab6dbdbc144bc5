// incidents.js - #/incidents[?tab=incidents|contacts|bcp|drills|emergency]
// and #/incidents/12: the IT-BCP screen.  Tabs: incidents (open one with
// the triage of the seed's 最低限の切り分け項目, the list), the contact chart
// (contacts.js), the BCP data and PDFs (bcp.js), drills (bcp.js) and the
// uses of emergency accounts.  An incident's page shows the proposed level,
// the action cards to tick (who, when), the in-hospital announcement that is
// due with its editable text, notifications and reports (with the draft
// filled from the record), emergency-account uses, return to normal, the
// 事後検証, the management report and its approval, close (with what still
// blocks it) and the hash-chained timeline.

import { h, replace, fmtTime, clear } from './dom.js';
import { get, post, qs } from './api.js';
import { t, addMessages, lang } from './i18n.js';
import { session, canWrite } from './state.js';
import { pageHead, message, showMessage, button, formField, select, busy, confirmDialog } from './ui.js';
import { renderContacts } from './contacts.js';
import { renderBcp, renderDrills } from './bcp.js';

addMessages({
  'nav.incidents': ['インシデント・BCP', 'Incidents & BCP'],
  'inc.title': ['インシデント・BCP', 'Incidents & BCP'],
  'inc.tab.incidents': ['インシデント', 'Incidents'],
  'inc.tab.contacts': ['連絡体制図', 'Contact chart'],
  'inc.tab.bcp': ['BCP・紙運用セット', 'BCP & paper kit'],
  'inc.tab.drills': ['訓練', 'Drills'],
  'inc.tab.emergency': ['非常時用アカウント', 'Emergency accounts'],
  'inc.hint': ['障害やサイバー攻撃が起きたら「インシデントを開始」で分類と状況を答えてください。レベルと、すぐにすべき対応が表示されます。訓練も同じ画面で行えます。',
    'When a failure or an attack happens, press "Open an incident" and answer the checks: the level and the actions to take appear. Drills use the same screen.'],
  'inc.hint_ro': ['インシデントの記録を見られます (記録するには職員以上の権限が必要です)。', 'You can read incidents (recording needs a staff role or higher).'],
  'inc.new': ['インシデントを開始', 'Open an incident'],
  'inc.new_title': ['インシデントを開始する', 'Open an incident'],
  'inc.category': ['分類 (最低限の切り分け項目)', 'Category'],
  'inc.name': ['件名', 'Title'],
  'inc.name_ph': ['例: 電子カルテサーバに脅迫文が表示された', 'e.g. a ransom note on the EHR server'],
  'inc.scope': ['障害の範囲', 'Extent'],
  'inc.devices': ['隔離・交換する機器 (媒体名、カンマ区切り)', 'Devices concerned (asset tags, comma-separated)'],
  'inc.drill': ['訓練として記録する', 'Record as a drill'],
  'inc.detected': ['発生 (検知) 日時', 'Detected at'],
  'inc.detected_hint': ['空欄なら今。院内放送の期限はこの時刻から数えます。', 'Blank: now. Announcement deadlines count from it.'],
  'inc.open': ['開始する', 'Open'],
  'inc.confirm_what': ['確認すべき事項: {text}', 'To confirm: {text}'],
  'inc.respond_what': ['対応すべき事項: {text}', 'To do: {text}'],
  'inc.list': ['インシデントの一覧', 'Incidents'],
  'inc.none': ['インシデントの記録はまだありません。', 'No incidents recorded yet.'],
  'inc.col.no': ['番号', 'No.'],
  'inc.col.title': ['件名', 'Title'],
  'inc.col.category': ['分類', 'Category'],
  'inc.col.level': ['レベル', 'Level'],
  'inc.col.status': ['状態', 'Status'],
  'inc.col.detected': ['検知', 'Detected'],
  'inc.drill_badge': ['訓練', 'Drill'],
  'inc.status.open': ['対応中', 'Open'],
  'inc.status.recovered': ['正常復帰', 'Recovered'],
  'inc.status.closed': ['終了', 'Closed'],
  'inc.triage': ['切り分け', 'Triage'],
  'inc.proposed': ['提案レベル L{n}', 'Proposed L{n}'],
  'inc.level_set': ['レベルを変える', 'Change the level'],
  'inc.cards': ['アクションカード', 'Action cards'],
  'inc.cards_hint': ['実施したらチェックを付けてください。実施者と時刻が記録されます。', 'Tick each action when done: who and when are recorded.'],
  'inc.by': ['実施者', 'By'],
  'inc.done_by': ['{by} が {at} に実施', 'Done by {by} at {at}'],
  'inc.quarantine': ['隔離する機器', 'Devices to quarantine'],
  'inc.not_in_ledger': ['(台帳にありません)', '(not in the ledger)'],
  'inc.announce': ['院内放送', 'Announcements'],
  'inc.announce_next': ['今、必要な放送: {title} (期限 {due})', 'Due now: {title} (by {due})'],
  'inc.announce_next_nodue': ['今、必要な放送: {title}', 'Due now: {title}'],
  'inc.announce_none': ['今、必要な放送はありません。', 'No announcement is due now.'],
  'inc.announce_made': ['放送した', 'Announced'],
  'inc.state.done': ['実施済', 'Done'],
  'inc.state.due': ['予定', 'Due'],
  'inc.state.overdue': ['期限超過', 'Overdue'],
  'inc.state.later': ['復旧時', 'On recovery'],
  'inc.state.not_needed': ['不要', 'Not needed'],
  'inc.notify': ['連絡・報告', 'Notifications and reports'],
  'inc.notify_to': ['連絡先', 'To'],
  'inc.notify_channel': ['手段', 'Channel'],
  'inc.notify_authority': ['報告先 (報告のとき)', 'Authority (for a report)'],
  'inc.notify_text': ['内容', 'What was said or sent'],
  'inc.notify_draft': ['記録から下書きを作る', 'Draft from the record'],
  'inc.notify_record': ['連絡を記録', 'Record'],
  'inc.notify_none': ['連絡の記録はまだありません。', 'No notifications yet.'],
  'inc.emergency': ['非常時用アカウントの使用', 'Emergency-account uses'],
  'inc.emergency_hint': ['非常時用アカウントを使ったら記録してください。正常復帰後に無効化かパスワード変更をしないと、インシデントを終了できません。',
    'Record each use of an emergency account. The incident cannot be closed until each one is disabled or its password changed after the return to normal.'],
  'inc.emergency_account': ['アカウント (ログインID)', 'Account (login)'],
  'inc.emergency_by': ['使用者', 'Used by'],
  'inc.emergency_reason': ['理由', 'Reason'],
  'inc.emergency_record': ['使用を記録', 'Record the use'],
  'inc.handled.disabled': ['無効化済', 'Disabled'],
  'inc.handled.rotated': ['パスワード変更済', 'Password changed'],
  'inc.handled.no': ['未処置: 無効化かパスワード変更が必要', 'Open: disable it or change its password'],
  'inc.recover': ['正常復帰を記録', 'Record the return to normal'],
  'inc.recover_confirm': ['通常運用に戻ったことを記録します。院内放送 (5) 復旧 が次の放送になります。', 'This records the return to normal operation. Announcement (5) becomes due.'],
  'inc.review': ['事後検証', 'Post-incident review'],
  'inc.causes': ['原因', 'Causes'],
  'inc.measures': ['対策', 'Measures'],
  'inc.summary': ['概要', 'Summary'],
  'inc.review_save': ['事後検証を記録', 'Record the review'],
  'inc.report': ['経営層への報告書 (PDF)', 'Management report (PDF)'],
  'inc.approve_by': ['承認者', 'Approved by'],
  'inc.approve': ['承認を記録', 'Record the approval'],
  'inc.approved': ['{by} が {at} に承認', 'Approved by {by} at {at}'],
  'inc.close': ['インシデントを終了', 'Close the incident'],
  'inc.close_blockers': ['終了するには', 'Before closing'],
  'inc.closed_note': ['このインシデントは終了しています。記録は変更できません。', 'This incident is closed; its record cannot change.'],
  'inc.timeline': ['時系列 (改ざん検出つき)', 'Timeline (tamper-evident)'],
  'inc.kind.open': ['開始', 'Opened'],
  'inc.kind.triage': ['切り分け', 'Triage'],
  'inc.kind.action': ['対応', 'Action'],
  'inc.kind.note': ['記録', 'Note'],
  'inc.kind.notify': ['連絡・報告', 'Notification'],
  'inc.kind.announce': ['院内放送', 'Announcement'],
  'inc.kind.emergency_use': ['非常時用アカウント', 'Emergency account'],
  'inc.kind.recover': ['正常復帰', 'Recovered'],
  'inc.kind.review': ['事後検証', 'Review'],
  'inc.kind.approve': ['承認', 'Approval'],
  'inc.kind.close': ['終了', 'Closed'],
  'inc.back': ['一覧へ', 'Back to the list'],
  'inc.note_add': ['時系列に記録', 'Add to the timeline'],
  'inc.saved': ['記録しました。', 'Recorded.'],
  'inc.verify': ['時系列を検査', 'Verify the timelines'],
  'inc.verify_ok': ['改ざんは見つかりませんでした ({n} 件)。', 'No tampering found ({n} events).'],
  'inc.uses_title': ['非常時用アカウントの使用記録', 'Uses of emergency accounts'],
  'inc.accounts_title': ['非常時用アカウント (アカウント台帳)', 'Emergency accounts (account inventory)'],
  'inc.outside': ['インシデントの外で使用を記録', 'Record a use outside an incident'],
  'warn.emergency_use': ['非常時用アカウントが使われ、まだ無効化・パスワード変更されていません', 'Emergency accounts used and not yet disabled or changed'],
  'dash.see_record': ['記録を見る', 'See the records'],
  'warn.emergency_use.todo': ['正常復帰後に、使ったアカウントを無効化するかパスワードを変更してください。', 'After the return to normal, disable each account used or change its password.'],
});

export const canManageBcp = () => ['admin', 'officer'].includes(session.user ? session.user.role : '');
const who = () => (session.user ? (session.user.display_name || session.user.name) : '');

let catalog = null;
async function loadCatalog() {
  if (!catalog) catalog = await get('/api/v1/incidents/catalog');
  return catalog;
}

function catLabel(c) {
  return lang() === 'en' ? c.label_en : c.label;
}

function statusBadge(status) {
  return h('span', { class: `badge inc-status inc-status-${status}`, text: t(`inc.status.${status}`) });
}

function levelBadge(level) {
  return h('span', { class: `inc-level inc-level-${level}`, text: `L${level}` });
}

const TABS = ['incidents', 'contacts', 'bcp', 'drills', 'emergency'];

export async function render(main, ctx) {
  ctx.setTitle(t('nav.incidents'));
  const tab = TABS.includes(ctx.query.get('tab')) ? ctx.query.get('tab') : 'incidents';
  const tabs = h('div', { class: 'subtabs', role: 'tablist' }, TABS.map((k) => h('a', {
    class: ['subtab', tab === k ? 'active' : ''], href: `#/incidents${qs({ tab: k === 'incidents' ? '' : k })}`,
    id: `inc-tab-${k}`, role: 'tab', 'aria-selected': tab === k ? 'true' : 'false',
  }, t(`inc.tab.${k}`))));
  const body = h('div', { class: 'inc-body' });
  replace(main, pageHead(t('inc.title'), canWrite() ? t('inc.hint') : t('inc.hint_ro')), tabs, body);
  body.appendChild(h('p', { class: 'loading', text: t('loading') }));
  if (tab === 'contacts') return renderContacts(body, ctx);
  if (tab === 'bcp') return renderBcp(body, ctx);
  if (tab === 'drills') return renderDrills(body, ctx);
  if (tab === 'emergency') return renderEmergency(body, ctx);
  return renderList(body, ctx);
}

// ---- the list and the opening form -------------------------------------

function openForm(cat, ctx) {
  const msg = h('div', { class: 'form-msg' });
  let current = cat.categories[1]; // サイバー攻撃 first: what hospitals fear most
  const catBox = h('div', { class: 'inc-cats', role: 'radiogroup', 'aria-label': t('inc.category') });
  const checksBox = h('div', { class: 'inc-checks' });
  const title = h('input', { type: 'text', id: 'inc-title', placeholder: t('inc.name_ph') });
  const devices = h('input', { type: 'text', id: 'inc-devices', placeholder: 'MH-SV-001, MH-PC-0012' });
  const detected = h('input', { type: 'datetime-local', id: 'inc-detected' });
  const drill = h('input', { type: 'checkbox', id: 'inc-drill' });
  let scopeSel = null;
  const boxes = {};

  const drawChecks = () => {
    clear(checksBox);
    for (const k of Object.keys(boxes)) delete boxes[k];
    checksBox.appendChild(h('p', { class: 'inc-confirm', text: t('inc.confirm_what', { text: current.confirm }) }));
    checksBox.appendChild(h('p', { class: 'inc-respond sub', text: t('inc.respond_what', { text: current.respond }) }));
    scopeSel = select(cat.scopes.map((s) => ({ value: s.value, label: `${s.label} → ${s.flow}` })), 'local', { id: 'inc-scope' });
    checksBox.appendChild(formField(t('inc.scope'), scopeSel, { required: true }).el);
    for (const c of current.checks.filter((x) => x.type === 'bool')) {
      const cb = h('input', { type: 'checkbox', id: `inc-check-${c.key}` });
      boxes[c.key] = cb;
      checksBox.appendChild(h('div', { class: 'field field-check' }, cb, h('label', { for: cb.id, text: lang() === 'en' ? c.label_en : c.label })));
    }
  };
  for (const c of cat.categories) {
    const r = h('input', { type: 'radio', name: 'inc-cat', id: `inc-category-${c.name}`, value: c.name, checked: c === current });
    r.addEventListener('change', () => { current = c; drawChecks(); });
    catBox.appendChild(h('label', { class: 'inc-cat', for: r.id }, r, h('span', { text: catLabel(c) })));
  }
  drawChecks();
  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'inc-open-submit' }, t('inc.open'));
  const titleField = formField(t('inc.name'), title, { required: true });
  const form = h('form', { class: 'inc-open', novalidate: true }, msg,
    formField(t('inc.category'), catBox).el, checksBox,
    h('div', { class: 'form-grid' }, titleField.el,
      formField(t('inc.devices'), devices).el,
      formField(t('inc.detected'), detected, { hint: t('inc.detected_hint') }).el,
      h('div', { class: 'field field-check' }, drill, h('label', { for: drill.id, text: t('inc.drill') }))),
    h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    titleField.setError('');
    if (!title.value.trim()) { titleField.setError(t('form.err_required')); title.focus(); return; }
    const answers = { scope: scopeSel.value };
    for (const [k, cb] of Object.entries(boxes)) if (cb.checked) answers[k] = true;
    const tags = devices.value.split(/[,、\s]+/).map((s) => s.trim()).filter(Boolean);
    if (tags.length) answers.devices = tags;
    try {
      const v = await busy(submit, () => post('/api/v1/incidents', {
        title: title.value.trim(), category: current.name, answers, drill: drill.checked,
        detected_at: detected.value ? detected.value.replace('T', ' ') : null,
      }));
      ctx.navigate(`#/incidents/${v.incident.id}`);
    } catch (e) { if (!e.handled) showMessage(msg, 'error', e.message); }
  });
  return h('section', { class: 'panel', id: 'inc-new-panel' }, h('h2', { text: t('inc.new_title') }), form);
}

async function renderList(body, ctx) {
  const [res, cat] = await Promise.all([get('/api/v1/incidents'), loadCatalog()]);
  const items = res.items || [];
  const panel = h('div', { id: 'inc-new-slot' });
  const newBtn = canWrite() ? button(t('inc.new'), () => { replace(panel, openForm(cat, ctx)); panel.querySelector('#inc-title').focus(); }, 'btn-primary', { id: 'incident-new' }) : null;
  const verifyMsg = h('div', { class: 'msg-slot', id: 'inc-verify-msg' });
  const verifyBtn = button(t('inc.verify'), async () => {
    try {
      const r = await busy(verifyBtn, () => post('/api/v1/incidents/verify', {}));
      if (r.intact) showMessage(verifyMsg, 'ok', t('inc.verify_ok', { n: r.checked }));
      else showMessage(verifyMsg, 'error', r.message);
    } catch (e) { if (!e.handled) showMessage(verifyMsg, 'error', e.message); }
  }, '', { id: 'inc-verify' });
  const rows = items.map((i) => h('tr', { dataset: { id: i.id } },
    h('td', { class: 'num', text: `#${i.id}` }),
    h('td', null, h('a', { href: `#/incidents/${i.id}`, text: i.title }), i.drill ? h('span', { class: 'badge inc-drill', text: t('inc.drill_badge') }) : null),
    h('td', { text: i.category_label }),
    h('td', null, levelBadge(i.level)),
    h('td', null, statusBadge(i.status)),
    h('td', { class: 'nowrap', text: fmtTime(i.detected_at) })));
  replace(body,
    h('div', { class: 'inc-toolbar no-print' }, newBtn, verifyBtn),
    verifyMsg, panel,
    h('section', { class: 'panel' }, h('h2', { text: t('inc.list') }),
      items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id: 'incidents-table' },
        h('thead', null, h('tr', null, ['no', 'title', 'category', 'level', 'status', 'detected'].map((k) => h('th', { text: t(`inc.col.${k}`) })))),
        h('tbody', null, rows))) : message('info', t('inc.none'))));
}

// ---- uses of emergency accounts ------------------------------------------------

function handledText(u) {
  if (!u.handled) return t('inc.handled.no');
  return t(`inc.handled.${u.handled_how}`);
}

async function renderEmergency(body, ctx) {
  const res = await get('/api/v1/emergency-uses');
  const msg = h('div', { class: 'msg-slot' });
  let form = null;
  if (canWrite()) {
    const account = select((res.accounts || []).map((a) => ({ value: `#${a.id}`, label: `${a.login}${a.system ? ` (${a.system})` : ''}` })), '', { id: 'eu-account' });
    const by = h('input', { type: 'text', id: 'eu-by' });
    const reason = h('input', { type: 'text', id: 'eu-reason' });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'eu-submit' }, t('inc.emergency_record'));
    form = h('form', { class: 'form-grid', novalidate: true },
      formField(t('inc.emergency_account'), account).el, formField(t('inc.emergency_by'), by).el,
      formField(t('inc.emergency_reason'), reason, { required: true }).el, h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      try {
        await busy(submit, () => post('/api/v1/emergency-uses', { account: account.value, used_by: by.value || null, reason: reason.value || null }));
        ctx.navigate('#/incidents?tab=emergency');
      } catch (e) { if (!e.handled) showMessage(msg, 'error', e.message); }
    });
  }
  replace(body, msg,
    h('section', { class: 'panel' }, h('h2', { text: t('inc.uses_title') }),
      h('p', { class: 'sub', text: t('inc.emergency_hint') }),
      (res.uses || []).length ? h('table', { class: 'grid', id: 'emergency-uses' },
        h('thead', null, h('tr', null, h('th', { text: t('inc.emergency_account') }), h('th', { text: t('inc.col.detected') }),
          h('th', { text: t('inc.emergency_by') }), h('th', { text: t('inc.col.title') }), h('th', { text: t('inc.col.status') }))),
        h('tbody', null, res.uses.map((u) => h('tr', { class: u.handled ? '' : 'eu-open' },
          h('td', { text: `${u.login}${u.system ? ` (${u.system})` : ''}` }), h('td', { class: 'nowrap', text: fmtTime(u.used_at) }),
          h('td', { text: u.used_by || '' }),
          h('td', null, u.incident_id ? h('a', { href: `#/incidents/${u.incident_id}`, text: u.incident_title }) : (u.reason || '')),
          h('td', { class: u.handled ? 'ok-text' : 'bad-text', text: handledText(u) }))))) : message('info', t('inc.notify_none'))),
    h('section', { class: 'panel' }, h('h2', { text: t('inc.accounts_title') }),
      h('ul', { class: 'plain-list' }, (res.accounts || []).map((a) => h('li', null,
        h('strong', { text: a.login }), ` ${a.system || ''} — ${a.emergency_users || ''} ${a.emergency_procedure || ''} `,
        h('span', { class: 'badge', text: a.status })))),
      h('a', { href: '#/sysaccounts?tab=emergency' }, t('inc.tab.emergency'))),
    form ? h('section', { class: 'panel' }, h('h2', { text: t('inc.outside') }), form) : null);
}

// ---- one incident ----------------------------------------------------------------

export async function renderDetail(main, ctx) {
  const id = ctx.params[0];
  ctx.setTitle(`${t('nav.incidents')} #${id}`);
  main.appendChild(h('p', { class: 'loading', text: t('loading') }));
  const [v, cat] = await Promise.all([get(`/api/v1/incidents/${id}`), loadCatalog()]);
  drawDetail(main, ctx, v, cat);
}

function drawDetail(main, ctx, v, cat, flash = null) {
  const inc = v.incident;
  const open = inc.status !== 'closed';
  const can = canWrite() && open;
  const slot = h('div', { class: 'msg-slot', id: 'inc-msg' });
  const redraw = (nv, note) => drawDetail(main, ctx, nv, cat, note || t('inc.saved'));
  const send = async (btn, path, bodyObj) => {
    try {
      const nv = await busy(btn, () => post(`/api/v1/incidents/${inc.id}/${path}`, bodyObj));
      redraw(nv);
      return true;
    } catch (e) {
      if (!e.handled) showMessage(slot, 'error', e.message);
      return false;
    }
  };

  // triage
  const scopeLabel = (cat.scopes.find((s) => s.value === (inc.triage || {}).scope) || {}).label || '';
  const triage = h('section', { class: 'panel inc-triage' },
    h('div', { class: 'panel-head' }, h('h2', { text: t('inc.triage') }), levelBadge(inc.level),
      inc.proposed_level !== inc.level ? h('span', { class: 'sub', text: t('inc.proposed', { n: inc.proposed_level }) }) : null),
    h('p', { id: 'inc-reason', text: inc.reason }),
    h('p', { class: 'sub', text: `${inc.category_label} / ${scopeLabel}` }),
    v.devices && v.devices.length ? h('div', null, h('strong', { text: t('inc.quarantine') }), ' ',
      v.devices.map((d) => [d.found ? h('a', { class: 'tag-link', href: `#/assets/${d.id}`, text: `${d.tag} ${d.ip || ''}`.trim() })
        : h('span', { class: 'bad-text', text: `${d.tag} ${t('inc.not_in_ledger')}` }), '　'])) : null);

  // action cards
  const cards = h('section', { class: 'panel' }, h('h2', { text: t('inc.cards') }), h('p', { class: 'sub', text: t('inc.cards_hint') }),
    h('ul', { class: 'action-cards', id: 'action-cards' }, v.actions.map((a) => {
      const cb = h('input', { type: 'checkbox', id: `card-${a.key}`, checked: !!a.done, disabled: !can });
      cb.addEventListener('change', async () => {
        if (!(await send(cb, 'actions', { action: a.key, done: cb.checked, by: who() }))) cb.checked = !cb.checked;
      });
      return h('li', { class: ['action-card', a.done ? 'done' : ''], dataset: { key: a.key } },
        cb, h('label', { for: cb.id }, h('span', { class: 'card-title', text: lang() === 'en' ? a.title_en : a.title }),
          h('span', { class: 'card-detail', text: a.detail }),
          a.done ? h('span', { class: 'card-done', text: t('inc.done_by', { by: a.by, at: fmtTime(a.at) }) }) : null));
    })));

  // announcements
  const an = v.announcements;
  const nextItem = an.items.find((i) => i.code === an.next);
  const annText = h('textarea', { id: 'ann-text', rows: 5 });
  annText.value = nextItem ? nextItem.text : '';
  const annCode = select(an.items.map((i) => ({ value: i.code, label: `${i.title} — ${t(`inc.state.${i.state}`)}` })), an.next || '5', { id: 'ann-code' });
  annCode.addEventListener('change', () => { annText.value = (an.items.find((i) => i.code === annCode.value) || {}).text || ''; });
  const annBtn = button(t('inc.announce_made'), () => send(annBtn, 'announcements', { code: annCode.value, text: annText.value, by: who() }), 'btn-primary', { id: 'ann-submit' });
  const announce = h('section', { class: 'panel inc-announce' }, h('h2', { text: t('inc.announce') }),
    h('p', { class: nextItem && nextItem.state === 'overdue' ? 'msg msg-warn' : 'msg msg-info', id: 'ann-next',
      text: nextItem ? (nextItem.due_at ? t('inc.announce_next', { title: nextItem.title, due: fmtTime(nextItem.due_at) }) : t('inc.announce_next_nodue', { title: nextItem.title })) : t('inc.announce_none') }),
    h('ul', { class: 'ann-states' }, an.items.map((i) => h('li', { dataset: { code: i.code, state: i.state } },
      h('span', { class: `badge ann-${i.state}`, text: t(`inc.state.${i.state}`) }), ` ${i.title}: ${i.timing}`,
      i.made.length ? h('span', { class: 'sub', text: ` (${fmtTime(i.made[0].at)} ${i.made[0].by})` }) : null))),
    can ? h('div', { class: 'ann-form' }, annCode, annText, annBtn) : null);

  // notifications
  const to = h('input', { type: 'text', id: 'nt-to' });
  const channel = h('input', { type: 'text', id: 'nt-channel', placeholder: '電話' });
  const auth = select([{ value: '', label: '—' }, ...cat.authorities.map((a) => ({ value: a.value, label: a.label }))], '', { id: 'nt-authority' });
  const text = h('textarea', { id: 'nt-text', rows: 6 });
  const draftBtn = button(t('inc.notify_draft'), async () => {
    if (!auth.value) return;
    const d = await busy(draftBtn, () => get(`/api/v1/incidents/${inc.id}/drafts/${auth.value}`));
    text.value = d.text;
    if (!to.value) to.value = d.label;
  }, '', { id: 'nt-draft' });
  const ntBtn = button(t('inc.notify_record'), () => send(ntBtn, 'notifications', { to: to.value, channel: channel.value || null, authority: auth.value || null, text: text.value || null, by: who() }), 'btn-primary', { id: 'nt-submit' });
  const notify = h('section', { class: 'panel' }, h('h2', { text: t('inc.notify') }),
    v.notifications.length ? h('table', { class: 'grid', id: 'notifications' }, h('tbody', null, v.notifications.map((n) => h('tr', null,
      h('td', { class: 'nowrap', text: fmtTime(n.at) }), h('td', { text: n.authority_label || n.to }), h('td', { text: n.channel || '' }), h('td', { text: n.by }))))) : message('info', t('inc.notify_none')),
    can ? h('div', { class: 'form-grid nt-form' }, formField(t('inc.notify_to'), to).el, formField(t('inc.notify_channel'), channel).el,
      formField(t('inc.notify_authority'), auth).el, h('div', { class: 'field field-wide' }, h('label', { for: text.id, text: t('inc.notify_text') }), text),
      h('div', { class: 'form-actions' }, draftBtn, ntBtn)) : null);

  // emergency accounts
  const euAcc = h('input', { type: 'text', id: 'inc-eu-account', placeholder: 'ehr-emergency' });
  const euBy = h('input', { type: 'text', id: 'inc-eu-by' });
  const euBtn = button(t('inc.emergency_record'), () => send(euBtn, 'emergency-uses', { account: euAcc.value, used_by: euBy.value || null }), '', { id: 'inc-eu-submit' });
  const emergency = h('section', { class: 'panel' }, h('h2', { text: t('inc.emergency') }), h('p', { class: 'sub', text: t('inc.emergency_hint') }),
    v.emergency_uses.length ? h('ul', { class: 'plain-list', id: 'inc-eu-list' }, v.emergency_uses.map((u) => h('li', null,
      h('strong', { text: u.login }), ` ${u.system || ''} ${fmtTime(u.used_at)} ${u.used_by || ''} — `,
      h('span', { class: u.handled ? 'ok-text' : 'bad-text', text: handledText(u) })))) : null,
    can && inc.status === 'open' ? h('div', { class: 'form-grid' }, formField(t('inc.emergency_account'), euAcc).el, formField(t('inc.emergency_by'), euBy).el,
      h('div', { class: 'form-actions' }, euBtn)) : null);

  // recovery, review, approval, close
  const recoverBtn = can && inc.status === 'open' ? button(t('inc.recover'), async () => {
    if (await confirmDialog(t('inc.recover'), t('inc.recover_confirm'), t('inc.recover'))) send(recoverBtn, 'recover', {});
  }, 'btn-primary', { id: 'inc-recover' }) : null;
  const review = inc.review || {};
  const causes = h('textarea', { id: 'rv-causes', rows: 3 });
  causes.value = review.causes || '';
  const measures = h('textarea', { id: 'rv-measures', rows: 3 });
  measures.value = review.measures || '';
  const summary = h('input', { type: 'text', id: 'rv-summary', value: review.summary || '' });
  const rvBtn = button(t('inc.review_save'), () => send(rvBtn, 'review', { causes: causes.value, measures: measures.value, summary: summary.value || null }), '', { id: 'rv-submit' });
  const approver = h('input', { type: 'text', id: 'ap-by' });
  const apBtn = button(t('inc.approve'), () => send(apBtn, 'approve', { by: approver.value }), '', { id: 'ap-submit' });
  const closeBtn = button(t('inc.close'), () => send(closeBtn, 'close', {}), 'btn-danger', { id: 'inc-close', disabled: !v.can_close });
  const closing = h('section', { class: 'panel' }, h('h2', { text: t('inc.review') }),
    recoverBtn ? h('div', { class: 'form-actions' }, recoverBtn) : null,
    h('div', { class: 'form-grid' },
      h('div', { class: 'field field-wide' }, h('label', { for: causes.id, text: t('inc.causes') }), causes),
      h('div', { class: 'field field-wide' }, h('label', { for: measures.id, text: t('inc.measures') }), measures),
      formField(t('inc.summary'), summary).el,
      can ? h('div', { class: 'form-actions' }, rvBtn) : null),
    h('p', null, h('a', { class: 'btn', id: 'inc-report', href: `/api/v1/incidents/${inc.id}/report`, download: '' }, t('inc.report'))),
    inc.report_approved_at ? h('p', { class: 'ok-text', id: 'inc-approved', text: t('inc.approved', { by: inc.report_approved_by, at: fmtTime(inc.report_approved_at) }) }) : null,
    open && canManageBcp() && inc.review ? h('div', { class: 'form-grid' }, formField(t('inc.approve_by'), approver).el, h('div', { class: 'form-actions' }, apBtn)) : null,
    open && v.close_blockers.length ? h('div', { class: 'inc-blockers', id: 'inc-blockers' }, h('strong', { text: t('inc.close_blockers') }),
      h('ul', null, v.close_blockers.map((b) => h('li', { text: b })))) : null,
    open && canManageBcp() ? h('div', { class: 'form-actions' }, closeBtn) : null,
    open ? null : message('info', t('inc.closed_note')));

  // timeline
  const timeline = h('section', { class: 'panel' }, h('h2', { text: t('inc.timeline') }),
    h('table', { class: 'grid history', id: 'inc-timeline' }, h('tbody', null, v.timeline.slice().reverse().map((e) => h('tr', { dataset: { seq: e.seq, kind: e.kind } },
      h('td', { class: 'num', text: e.seq }), h('td', { class: 'nowrap', text: fmtTime(e.time, true) }), h('td', { text: t(`inc.kind.${e.kind}`) }),
      h('td', { text: e.actor }), h('td', { class: 'hash', title: e.hash, text: e.hash.slice(0, 12) }))))));

  replace(main,
    pageHead(`#${inc.id} ${inc.title}`, null, [h('a', { class: 'btn', href: '#/incidents' }, t('inc.back'))]),
    h('p', { class: 'inc-head' }, statusBadge(inc.status), ' ', inc.drill ? h('span', { class: 'badge inc-drill', text: t('inc.drill_badge') }) : null,
      ` ${inc.category_label} · ${t('inc.col.detected')} ${fmtTime(inc.detected_at)}`),
    slot,
    h('div', { class: 'panel-row' }, triage, announce),
    cards, notify, emergency, closing, timeline);
  if (flash) showMessage(slot, 'ok', flash);
}
