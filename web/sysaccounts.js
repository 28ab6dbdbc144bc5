// sysaccounts.js - #/sysaccounts: the account inventory (アカウント台帳) of
// the hospital's systems and devices, and the registry of emergency
// (非常時用) accounts.
//
//   #/sysaccounts[?q=&kind=&status=&system=&retired=1&unused=1&admin=1&offset=]
//                         the list, filtered and paged on the server, with
//                         badges for what the checklist evidence finds
//   #/sysaccounts?id=12   the list narrowed to one account, its detail open
//                         (the evidence reasons link here)
//   #/sysaccounts?tab=emergency   the emergency-account registry with
//                         無効化 / パスワード変更を記録
//   #/sysaccounts?tab=import      CSV import: preview, problems, commit
//
// admin and officer change accounts; staff and auditor read; vendors do not
// see this screen (the server refuses them too).

import { h, replace, fmtNum, fmtTime, today } from './dom.js';
import { api, get, post, patch, qs } from './api.js';
import { t, addMessages } from './i18n.js';
import { session } from './state.js';
import { pageHead, message, showMessage, button, formField, select, openDialog, busy, historyTable } from './ui.js';

const W = {
  'nav.sysaccounts': ['アカウント台帳', 'Account inventory'],
  'sa.hint': ['各システム・機器のアカウントを、利用者・権限・最終利用日とともに管理します。退職者のアカウントと長く使われていないアカウントは無効にしてください。チェックリストの「不要なアカウント」「管理者権限」「二要素認証」の根拠になります。',
    'The accounts of each system and device with holder, rights and last use. Disable those of retired staff and those unused for long: the checklist evidence for unused accounts, administrator rights and two-factor reads this list.'],
  'sa.hint_ro': ['各システム・機器のアカウントの一覧です (閲覧のみ)。', 'The accounts of each system and device (read-only).'],
  'sa.empty_hint': ['まだアカウントがありません。各システムの管理画面から利用者一覧を CSV で書き出し、「CSV取り込み」から取り込んでください。', 'No accounts yet. Export the user list of each system as CSV and bring it in with "CSV import".'],
  'sa.tab_list': ['一覧', 'List'],
  'sa.tab_emergency': ['非常時用アカウント', 'Emergency accounts'],
  'sa.tab_import': ['CSV取り込み', 'CSV import'],
  'sa.add': ['アカウントを追加', 'Add an account'],
  'sa.export_csv': ['CSV (Excel 用)', 'CSV (for Excel)'],
  'sa.export_sjis': ['CSV (Shift_JIS)', 'CSV (Shift_JIS)'],
  'sa.search_ph': ['ログインID・利用者・職種・部署で検索', 'Search login, holder, role, department'],
  'sa.all_kinds': ['すべての種別', 'All kinds'],
  'sa.all_status': ['すべての状態', 'All statuses'],
  'sa.f_retired': ['退職者', 'Retired holders'],
  'sa.f_unused': ['未使用', 'Unused'],
  'sa.f_admin': ['管理者権限', 'Admin rights'],
  'sa.clear': ['条件をクリア', 'Clear'],
  'sa.count': ['{n} 件', '{n} accounts'],
  'sa.showing': ['({from}〜{to} 件目)', '({from}–{to})'],
  'sa.unused_rule': ['未使用の基準: {n} 日', 'Unused after {n} days'],
  'sa.change_rule': ['基準を変更', 'Change'],
  'sa.rule_title': ['未使用とみなす日数', 'Days before an account counts as unused'],
  'sa.rule_hint': ['これを超えて使われていない有効なアカウントを「未使用」とします (非常時用は除く)。チェックリストの根拠も同じ日数を使います。', 'Enabled accounts not used for longer are "unused" (emergency accounts excepted). The checklist evidence uses the same number.'],
  'sa.rule_saved': ['未使用の基準を {n} 日にしました。', 'Accounts now count as unused after {n} days.'],
  'sa.none': ['条件に合うアカウントはありません。', 'No account matches.'],
  'sa.prev': ['前へ', 'Previous'],
  'sa.next': ['次へ', 'Next'],
  'sa.where': ['システム / 機器', 'System / device'],
  'sa.notes': ['注意', 'Findings'],
  'sa.b_retired': ['退職者', 'Retired holder'],
  'sa.b_unused': ['未使用 {n} 日', 'Unused {n} days'],
  'sa.b_shared_admin': ['共有の管理者', 'Shared admin'],
  'sa.b_admin_no_holder': ['利用者のない管理者', 'Admin without holder'],
  'sa.b_emergency': ['非常時用', 'Emergency'],
  'sa.b_no_two_factor': ['二要素なし', 'No 2FA'],
  'sa.yes': ['あり', 'Yes'],
  'sa.no': ['なし', 'No'],
  'sa.unknown': ['未記入', 'Not recorded'],
  'sa.detail_title': ['アカウント {login} ({where})', 'Account {login} ({where})'],
  'sa.history': ['変更履歴', 'History'],
  'sa.edit': ['編集', 'Edit'],
  'sa.disable': ['無効化', 'Disable'],
  'sa.enable': ['有効に戻す', 'Enable'],
  'sa.rotate': ['パスワード変更を記録', 'Record a password change'],
  'sa.disable_title': ['{login} を無効にします', 'Disable {login}'],
  'sa.disable_text': ['システム側でもアカウントを無効にしてから記録してください。理由 (任意) は変更履歴に残ります。', 'Disable it in the system first, then record it here. The reason (optional) goes into the journal.'],
  'sa.rotate_title': ['{login} のパスワード変更を記録します', 'Record a password change of {login}'],
  'sa.rotate_text': ['日付を空にすると今の時刻で記録します (非常時用アカウントの使用後はこちら)。以前に変更した場合はその日付を入れてください。', 'Leave the date empty to record it now (after an emergency account was used). For an earlier change, give its date.'],
  'sa.note': ['理由・メモ', 'Reason / note'],
  'sa.date': ['変更日', 'Changed on'],
  'sa.disabled_done': ['{login} を無効にしました。', '{login} is disabled.'],
  'sa.enabled_done': ['{login} を有効に戻しました。', '{login} is enabled again.'],
  'sa.rotated_done': ['{login} のパスワード変更を記録しました。', 'Password change of {login} recorded.'],
  'sa.saved': ['{login} を保存しました。', '{login} saved.'],
  'sa.added': ['{login} を登録しました。', '{login} added.'],
  'sa.new_title': ['アカウントを追加', 'Add an account'],
  'sa.edit_title': ['{login} を編集', 'Edit {login}'],
  'sa.system_ph': ['例: 電子カルテシステム', 'e.g. 電子カルテシステム'],
  'sa.device_ph': ['ホスト名か媒体名 (例: AD01)', 'Host name or asset tag (e.g. AD01)'],
  'sa.where_hint': ['システムか機器のどちらか (両方も可) を入れてください。', 'Give a system, a device, or both.'],
  'sa.em_lead': ['非常時用アカウントは、通常のアカウントが使えないときに限って使います。使用できる人と保管場所を決めて記録し、使った後は無効にするかパスワードを変更して、ここに記録してください。', 'Emergency accounts are for when the usual ones cannot be used. Record who may use them and where the credentials are kept; after a use, disable the account or change its password and record it here.'],
  'sa.em_none': ['非常時用アカウントは登録されていません。「アカウントを追加」で種別「非常時用」として登録してください。', 'No emergency account is registered. Add one with kind "Emergency".'],
  'sa.em_missing': ['未記入 — 決めて記録してください', 'Not recorded — decide and record it'],
  'sa.em_rotated': ['パスワード変更', 'Password changed'],
  'sa.em_never': ['記録なし', 'Never recorded'],
  'sa.em_disabled_at': ['無効化', 'Disabled'],
  'sa.im_lead': ['各システムの利用者一覧 (CSV、UTF-8 または Shift_JIS) を選ぶと、取り込む前に内容を確認できます。問題のある行が1つでもあれば何も取り込みません。同じシステムの同じログインIDは更新され、重複しません。', 'Choose a system\'s user list (CSV, UTF-8 or Shift_JIS) to preview it. If any row has a problem nothing is stored. The same login of the same system is updated, never duplicated.'],
  'sa.im_choose': ['CSV ファイルを選ぶ', 'Choose a CSV file'],
  'sa.im_no_file': ['ファイルが選ばれていません', 'No file chosen'],
  'sa.im_system': ['システム (ファイルに列がない場合)', 'System (when the file has no such column)'],
  'sa.im_columns': ['読み込める列: システム、機器 (ホスト名)、ログインID、利用者 (氏名)、職種、部署、種別 (個人/共用/保守用/非常時用)、管理者権限 (あり/なし)、二要素認証、作成日、最終利用日 (最終ログイン)、在職状況 (退職: 〇/×)、状態 (有効/無効)、使用できる人、使い方・保管場所、パスワード変更日、備考。', 'Columns read: system, device (host name), login, holder, role, department, kind (personal/shared/maintenance/emergency), admin rights, two-factor, created, last used (last login), holder status (retired: 〇/×), status (enabled/disabled), who may use it, procedure and storage, password changed, note.'],
  'sa.im_checking': ['{name} を確認しています…', 'Checking {name}…'],
  'sa.im_problems': ['{n} 件の問題があるため取り込めません', '{n} problems: nothing can be imported'],
  'sa.im_problems_next': ['ファイルを直して保存し、もう一度選んでください (データベースは変更していません)。', 'Fix the file, save it and choose it again (nothing was changed).'],
  'sa.im_preview': ['{name} の確認結果 (まだ取り込んでいません)', 'Preview of {name} (not imported yet)'],
  'sa.im_commit': ['{n} 件を取り込む', 'Import {n} accounts'],
  'sa.im_nothing': ['変更はありません。', 'Nothing would change.'],
  'sa.im_done': ['{name} を取り込みました: 追加 {added} 件、更新 {updated} 件、変更なし {unchanged} 件。', 'Imported {name}: {added} added, {updated} updated, {unchanged} unchanged.'],
  'sa.im_to_list': ['一覧を見る', 'Show the list'],
  'sa.im_line': ['行', 'Line'],
  'sa.im_action': ['内容', 'Change'],
  'sa.im_key': ['アカウント', 'Account'],
  'sa.im_add': ['追加', 'Add'],
  'sa.im_update': ['更新', 'Update'],
  'sa.im_created': ['新しく登録されるもの: {list}', 'Also registered: {list}'],
  'sa.added_n': ['追加', 'Added'],
  'sa.updated_n': ['更新', 'Updated'],
  'sa.unchanged_n': ['変更なし', 'Unchanged'],
  'entity.account': ['アカウント', 'Account'],
  'action.account.add': ['アカウント登録', 'Account added'],
  'action.account.edit': ['アカウント変更', 'Account changed'],
  'action.account.disable': ['アカウント無効化', 'Account disabled'],
  'action.account.enable': ['アカウント有効化', 'Account enabled'],
  'action.account.rotate': ['パスワード変更の記録', 'Password change recorded'],
  'action.account.import': ['アカウント取り込み', 'Accounts imported'],
  'action.account.settings': ['未使用の基準の変更', 'Unused limit changed'],
};
// Field labels for the journal (rec.*) only where another screen has none.
const FIELD_WORDS = {
  system: ['システム', 'System'], device: ['機器', 'Device'], login: ['ログインID', 'Login'],
  holder: ['利用者', 'Holder'], holder_role: ['職種', 'Role'], department: ['部署', 'Department'],
  kind: ['種別', 'Kind'], admin: ['管理者権限', 'Administrator'], two_factor: ['二要素認証', 'Two-factor'],
  created_on: ['作成日', 'Created on'], last_used_on: ['最終利用日', 'Last used on'],
  holder_status: ['在職状況', 'Holder status'], status: ['状態', 'Status'],
  emergency_users: ['使用できる人', 'Who may use it'], emergency_procedure: ['使い方・保管場所', 'Procedure and storage'],
  credential_rotated_on: ['パスワード変更日', 'Password changed on'], disabled_at: ['無効化日時', 'Disabled at'],
  note: ['備考', 'Note'], action_note: ['理由・メモ', 'Reason / note'], unused_days: ['未使用の基準 (日)', 'Unused after (days)'],
};
for (const [k, v] of Object.entries(FIELD_WORDS)) W[`sa.f.${k}`] = v;
const missing = {};
for (const k of Object.keys(FIELD_WORDS)) if (t(`rec.${k}`) === `rec.${k}`) missing[`rec.${k}`] = FIELD_WORDS[k];
addMessages({ ...W, ...missing });

const PAGE = 50;
const KEYS = ['q', 'kind', 'status', 'system', 'retired', 'unused', 'admin', 'offset', 'id'];
const KINDS = [['personal', '個人', 'Personal'], ['shared', '共用', 'Shared'], ['maintenance', '保守用', 'Maintenance'], ['emergency', '非常時用', 'Emergency']];
const STATUSES = [['enabled', '有効', 'Enabled'], ['disabled', '無効', 'Disabled'], ['deleted', '削除済', 'Deleted']];
const HOLDER = [['active', '在職', 'Active'], ['retired', '退職', 'Retired'], ['leave', '休職', 'On leave'], ['external', '外部', 'External']];
addMessages(Object.fromEntries([
  ...KINDS.map(([v, ja, en]) => [`sa.kind.${v}`, [ja, en]]),
  ...STATUSES.map(([v, ja, en]) => [`sa.status.${v}`, [ja, en]]),
  ...HOLDER.map(([v, ja, en]) => [`sa.holder.${v}`, [ja, en]]),
  // the same words in journal histories (ui.js fmtRecordValue)
  ...KINDS.map(([v, ja, en]) => [`val.account.kind.${v}`, [ja, en]]),
  ...STATUSES.map(([v, ja, en]) => [`val.account.status.${v}`, [ja, en]]),
  ...HOLDER.map(([v, ja, en]) => [`val.account.holder_status.${v}`, [ja, en]]),
]));

let flash = null;

const canManage = () => ['admin', 'officer'].includes(session.user ? session.user.role : '');
const fl = (name) => t(`sa.f.${name}`);
const where = (a) => [a.system, a.device].filter(Boolean).join(' / ');
const yesNo = (v) => (v === true ? t('sa.yes') : v === false ? t('sa.no') : '');

function badges(a) {
  const out = [];
  for (const f of a.flags || []) {
    if (f === 'no_two_factor') continue; // shown in its own column of the evidence, not here
    const text = f === 'unused' ? t('sa.b_unused', { n: a.idle_days }) : t(`sa.b_${f}`);
    out.push(h('span', { class: `badge sa-flag sa-flag-${f}`, dataset: { flag: f }, text }));
  }
  return out;
}

function statusBadge(s) {
  return h('span', { class: `badge sa-status sa-status-${s || 'enabled'}`, text: t(`sa.status.${s || 'enabled'}`) });
}

function tabs(tab, n) {
  const mk = (id, label, href) => h('a', { class: ['subtab', tab === id ? 'active' : ''], href, id: `sa-tab-${id}`, role: 'tab' }, label);
  return h('div', { class: 'subtabs', role: 'tablist' },
    mk('list', t('sa.tab_list'), '#/sysaccounts'),
    mk('emergency', [t('sa.tab_emergency'), n !== null ? h('span', { class: 'subtab-count', text: fmtNum(n) }) : null], '#/sysaccounts?tab=emergency'),
    canManage() ? mk('import', t('sa.tab_import'), '#/sysaccounts?tab=import') : null);
}

// ---- the form (add / edit) ----------------------------------------------------

function accountForm(a, systems) {
  const inp = (name, attrs = {}) => h('input', { type: 'text', id: `sa-in-${name}`, value: a[name] || '', ...attrs });
  const sel = (name, opts, value) => select(opts, value, { id: `sa-in-${name}` });
  const list = h('datalist', { id: 'sa-systems' }, systems.map((s) => h('option', { value: s.name })));
  const el = {
    system: inp('system', { list: 'sa-systems', placeholder: t('sa.system_ph') }),
    device: inp('device', { placeholder: t('sa.device_ph') }),
    login: inp('login', { autocomplete: 'off' }),
    holder: inp('holder'),
    holder_role: inp('holder_role'),
    department: inp('department'),
    kind: sel('kind', KINDS.map(([v]) => ({ value: v, label: t(`sa.kind.${v}`) })), a.kind || 'personal'),
    admin: sel('admin', [{ value: 'false', label: t('sa.no') }, { value: 'true', label: t('sa.yes') }], a.admin ? 'true' : 'false'),
    two_factor: sel('two_factor', [{ value: '', label: t('sa.unknown') }, { value: 'true', label: t('sa.yes') }, { value: 'false', label: t('sa.no') }],
      a.two_factor === true ? 'true' : a.two_factor === false ? 'false' : ''),
    created_on: h('input', { type: 'date', id: 'sa-in-created_on', value: a.created_on || '' }),
    last_used_on: h('input', { type: 'date', id: 'sa-in-last_used_on', value: a.last_used_on || '' }),
    holder_status: sel('holder_status', HOLDER.map(([v]) => ({ value: v, label: t(`sa.holder.${v}`) })), a.holder_status || 'active'),
    status: sel('status', STATUSES.map(([v]) => ({ value: v, label: t(`sa.status.${v}`) })), a.status || 'enabled'),
    emergency_users: inp('emergency_users'),
    emergency_procedure: h('textarea', { id: 'sa-in-emergency_procedure', rows: 2, value: a.emergency_procedure || '' }),
    note: inp('note'),
  };
  const f = {};
  for (const [k, input] of Object.entries(el)) {
    f[k] = formField(fl(k), input, { required: k === 'login', hint: k === 'system' ? t('sa.where_hint') : null });
  }
  f.emergency_users.el.classList.add('field-span2', 'sa-em-field');
  f.emergency_procedure.el.classList.add('field-span2', 'sa-em-field');
  f.note.el.classList.add('field-span2');
  const sync = () => {
    for (const k of ['emergency_users', 'emergency_procedure']) f[k].el.hidden = el.kind.value !== 'emergency';
  };
  el.kind.addEventListener('change', sync);
  sync();
  const values = () => {
    const v = {};
    for (const [k, input] of Object.entries(el)) {
      let x = input.value.trim();
      if (k === 'admin') v[k] = x === 'true';
      else if (k === 'two_factor') v[k] = x === '' ? null : x === 'true';
      else v[k] = x || null;
    }
    if (v.kind !== 'emergency' && !a.emergency_users) delete v.emergency_users;
    if (v.kind !== 'emergency' && !a.emergency_procedure) delete v.emergency_procedure;
    return v;
  };
  const showError = (e, slot) => {
    const target = f[e.field];
    if (target) target.setError(e.message);
    showMessage(slot, 'error', e.message);
  };
  return { content: [list, h('div', { class: 'form-grid sa-grid' }, Object.values(f).map((x) => x.el))], values, showError, f };
}

async function formDialog(a, done) {
  const systems = (await get('/api/v1/systems')).items || [];
  const form = accountForm(a, systems);
  openDialog({
    title: a.id ? t('sa.edit_title', { login: a.login }) : t('sa.new_title'),
    wide: true,
    content: form.content,
    actions: [
      { label: t('cancel'), cls: 'btn-plain' },
      {
        label: t('save'), cls: 'btn-primary', onClick: async (close, msg) => {
          Object.values(form.f).forEach((x) => x.setError(''));
          const v = form.values();
          if (!v.login) { form.f.login.setError(t('form.err_required')); return false; }
          try {
            const r = a.id ? await patch(`/api/v1/accounts/${a.id}`, v) : await post('/api/v1/accounts', v);
            done(t(a.id ? 'sa.saved' : 'sa.added', { login: r.account.login }), r.account.id);
            return true;
          } catch (e) {
            if (e.handled) return true;
            form.showError(e, msg);
            return false;
          }
        },
      },
    ],
  });
}

// ---- actions ----------------------------------------------------------------------

function actionDialog(a, kind, done) {
  const note = h('input', { type: 'text', id: 'sa-act-note' });
  const date = h('input', { type: 'date', id: 'sa-act-date', max: today() });
  const fields = [
    h('p', { class: 'muted', text: t(kind === 'rotate' ? 'sa.rotate_text' : 'sa.disable_text') }),
    kind === 'rotate' ? formField(t('sa.date'), date).el : null,
    formField(t('sa.note'), note).el,
  ];
  openDialog({
    title: t(kind === 'rotate' ? 'sa.rotate_title' : 'sa.disable_title', { login: a.login }),
    content: fields,
    actions: [
      { label: t('cancel'), cls: 'btn-plain' },
      {
        label: t(kind === 'rotate' ? 'sa.rotate' : 'sa.disable'), cls: kind === 'rotate' ? 'btn-primary' : 'btn-danger', onClick: async (close, msg) => {
          try {
            await post(`/api/v1/accounts/${a.id}/${kind}`, { note: note.value.trim() || null, date: date.value || null });
            done(t(kind === 'rotate' ? 'sa.rotated_done' : 'sa.disabled_done', { login: a.login }));
            return true;
          } catch (e) {
            if (e.handled) return true;
            showMessage(msg, 'error', e.message);
            return false;
          }
        },
      },
    ],
  });
}

async function enable(a, done) {
  try {
    await post(`/api/v1/accounts/${a.id}/enable`, {});
    done(t('sa.enabled_done', { login: a.login }));
  } catch (e) { if (!e.handled) done(e.message, null, 'error'); }
}

function actionButtons(a, done) {
  if (!canManage()) return null;
  return h('div', { class: 'sa-actions' },
    button(t('sa.edit'), () => formDialog(a, done), 'btn-small', { dataset: { act: 'edit' } }),
    a.status === 'enabled' ? button(t('sa.disable'), () => actionDialog(a, 'disable', done), 'btn-small btn-danger-outline', { dataset: { act: 'disable' } }) : null,
    a.status === 'disabled' ? button(t('sa.enable'), () => enable(a, done), 'btn-small', { dataset: { act: 'enable' } }) : null,
    a.status !== 'deleted' ? button(t('sa.rotate'), () => actionDialog(a, 'rotate', done), 'btn-small', { dataset: { act: 'rotate' } }) : null);
}

async function detailDialog(id, done, onClose = null) {
  const r = await get(`/api/v1/accounts/${id}`);
  const a = r.account;
  const rows = Object.keys(FIELD_WORDS).filter((k) => k !== 'action_note' && k !== 'unused_days' && a[k] !== undefined && a[k] !== null && a[k] !== '')
    .map((k) => h('tr', null, h('th', { text: fl(k) }), h('td', { text: fmt(k, a[k]) })));
  const dlg = openDialog({
    title: t('sa.detail_title', { login: a.login, where: where(a) }),
    wide: true,
    content: [
      h('div', { class: 'sa-badges' }, badges(a)),
      h('table', { class: 'grid sa-detail', id: 'sa-detail' }, h('tbody', null, rows)),
      actionButtons(a, (m, x, k) => { dlg.close(); done(m, x, k); }),
      h('h3', { text: t('sa.history') }),
      h('div', { class: 'table-wrap' }, historyTable(r.history || [])),
    ],
    actions: [{ label: t('cancel'), cls: 'btn-plain' }],
    onClose,
  });
}

function fmt(k, v) {
  if (k === 'kind') return t(`sa.kind.${v}`);
  if (k === 'status') return t(`sa.status.${v}`);
  if (k === 'holder_status') return t(`sa.holder.${v}`);
  if (typeof v === 'boolean') return yesNo(v);
  if (k === 'disabled_at' || (k === 'credential_rotated_on' && String(v).includes('T'))) return fmtTime(v);
  return String(v);
}

// ---- the list -----------------------------------------------------------------------

function accountRow(a, open) {
  return h('tr', { class: ['row-link', a.status !== 'enabled' ? 'sa-off' : ''], dataset: { id: a.id, login: a.login }, onclick: (ev) => { if (!ev.target.closest('button')) open(a.id); } },
    h('td', { class: 'sa-where', text: where(a) }),
    h('td', null, h('button', { type: 'button', class: 'link-btn sa-login', text: a.login, onclick: () => open(a.id) })),
    h('td', { text: a.holder || '' }),
    h('td', { text: a.holder_role || '' }),
    h('td', { class: 'nowrap', text: t(`sa.kind.${a.kind}`) }),
    h('td', { class: 'nowrap', text: a.admin ? t('sa.yes') : '' }),
    h('td', { class: 'nowrap', text: a.last_used_on || '' }),
    h('td', null, statusBadge(a.status)),
    h('td', { class: 'sa-flags' }, badges(a)));
}

async function renderList(main, ctx, emergencyCount) {
  const state = {};
  for (const k of KEYS) state[k] = ctx.query.get(k) || '';
  state.offset = Math.max(0, parseInt(state.offset, 10) || 0);
  const slot = h('div', { class: 'msg-slot', id: 'sa-msg' });
  const reload = (msg, id, kind = 'ok') => {
    if (msg) flash = { msg, kind };
    const p = {};
    for (const k of KEYS) if (state[k] && !(k === 'offset' && !state.offset)) p[k] = state[k];
    if (id !== undefined && id !== null && state.id) p.id = id;
    ctx.navigate(`#/sysaccounts${qs(p)}`);
  };
  const res = await get(`/api/v1/accounts${qs({
    q: state.q, kind: state.kind, status: state.status, system: state.system,
    retired: state.retired, unused: state.unused, admin: state.admin, id: state.id, limit: PAGE, offset: state.offset,
  })}`);

  const go = (changes) => { Object.assign(state, changes, { offset: changes.offset || 0 }); reload(); };
  const search = h('input', { type: 'search', id: 'sa-search', class: 'search', value: state.q, placeholder: t('sa.search_ph'), 'aria-label': t('sa.search_ph') });
  search.addEventListener('change', () => go({ q: search.value.trim(), id: '' }));
  const fKind = select([{ value: '', label: t('sa.all_kinds') }, ...KINDS.map(([v]) => ({ value: v, label: t(`sa.kind.${v}`) }))], state.kind, { id: 'sa-filter-kind', 'aria-label': fl('kind') });
  fKind.addEventListener('change', () => go({ kind: fKind.value, id: '' }));
  const fStatus = select([{ value: '', label: t('sa.all_status') }, ...STATUSES.map(([v]) => ({ value: v, label: t(`sa.status.${v}`) }))], state.status, { id: 'sa-filter-status', 'aria-label': fl('status') });
  fStatus.addEventListener('change', () => go({ status: fStatus.value, id: '' }));
  const toggle = (key, label) => h('button', {
    type: 'button', class: ['btn', 'btn-toggle', state[key] ? 'active' : ''], id: `sa-filter-${key}`,
    'aria-pressed': state[key] ? 'true' : 'false', onclick: () => go({ [key]: state[key] ? '' : '1', id: '' }),
  }, label);
  const clearBtn = button(t('sa.clear'), () => go({ q: '', kind: '', status: '', system: '', retired: '', unused: '', admin: '', id: '' }), 'btn-plain', { id: 'sa-filter-clear' });

  const pages = Math.max(1, Math.ceil(res.total / PAGE));
  const page = Math.floor(state.offset / PAGE) + 1;
  const pager = pages > 1 ? h('div', { class: 'pager-inner' },
    button(`‹ ${t('sa.prev')}`, () => go({ offset: state.offset - PAGE }), 'btn-small', { disabled: page <= 1, id: 'sa-prev' }),
    h('span', { class: 'page-of', text: `${page} / ${pages}` }),
    button(`${t('sa.next')} ›`, () => go({ offset: state.offset + PAGE }), 'btn-small', { disabled: page >= pages, id: 'sa-next' })) : null;

  const rule = h('span', { class: 'sa-rule', id: 'sa-rule' }, t('sa.unused_rule', { n: res.unused_days }),
    canManage() ? button(t('sa.change_rule'), () => ruleDialog(res.unused_days, reload), 'btn-small btn-plain', { id: 'sa-rule-change' }) : null);
  const open = (id) => detailDialog(id, reload).catch((e) => { if (!e.handled) showMessage(slot, 'error', e.message); });
  const from = res.total ? state.offset + 1 : 0;
  const to = state.offset + res.items.length;

  const actions = [];
  if (canManage()) actions.push(button(t('sa.add'), () => formDialog({ kind: 'personal', status: 'enabled' }, reload), 'btn-primary', { id: 'sa-add' }));
  const exp = (label, enc) => h('a', { class: 'btn', download: '', href: `/api/v1/accounts/export${qs({ encoding: enc, kind: state.kind, status: state.status, system: state.system, retired: state.retired, unused: state.unused, admin: state.admin, q: state.q })}` }, label);
  actions.push(exp(t('sa.export_csv'), 'utf-8'), exp(t('sa.export_sjis'), 'cp932'));

  replace(main,
    pageHead(t('nav.sysaccounts'), canManage() ? t('sa.hint') : t('sa.hint_ro'), actions),
    tabs('list', emergencyCount),
    slot,
    h('div', { class: 'toolbar no-print' }, search, fKind, fStatus,
      toggle('retired', t('sa.f_retired')), toggle('unused', t('sa.f_unused')), toggle('admin', t('sa.f_admin')), clearBtn),
    h('div', { class: 'summary-row' },
      h('p', { class: 'summary', id: 'sa-summary' },
        h('strong', { id: 'sa-total', dataset: { total: res.total }, text: t('sa.count', { n: fmtNum(res.total) }) }),
        res.total ? ` ${t('sa.showing', { from: fmtNum(from), to: fmtNum(to) })}` : '', ' ', rule),
      h('div', { class: 'pager no-print' }, pager)),
    res.total === 0 && !Object.values(state).some((v) => v) ? message('info', t('sa.empty_hint')) : null,
    h('div', { class: 'table-wrap' }, h('table', { class: 'grid sa-table', id: 'sa-table' },
      h('thead', null, h('tr', null,
        h('th', { text: t('sa.where') }), h('th', { text: fl('login') }), h('th', { text: fl('holder') }),
        h('th', { text: fl('holder_role') }), h('th', { text: fl('kind') }), h('th', { text: fl('admin') }),
        h('th', { text: fl('last_used_on') }), h('th', { text: fl('status') }), h('th', { text: t('sa.notes') }))),
      h('tbody', null, res.items.length ? res.items.map((a) => accountRow(a, open))
        : h('tr', { class: 'empty' }, h('td', { colspan: 9, text: t('sa.none') }))))));
  if (flash) { showMessage(slot, flash.kind, flash.msg); flash = null; }
  // an evidence link (?id=): the account's detail; closing it leaves the id
  // out of the address, so that a redraw (language) does not open it again
  if (state.id && res.items.length === 1) {
    detailDialog(res.items[0].id, reload, () => {
      const p = {};
      for (const k of KEYS) if (state[k] && k !== 'id' && !(k === 'offset' && !state.offset)) p[k] = state[k];
      history.replaceState(null, '', `#/sysaccounts${qs(p)}`);
    }).catch((e) => { if (!e.handled) showMessage(slot, 'error', e.message); });
  }
}

function ruleDialog(days, done) {
  const input = h('input', { type: 'number', id: 'sa-rule-days', min: '1', max: '3650', value: String(days) });
  const f = formField(t('sa.rule_title'), input, { hint: t('sa.rule_hint') });
  openDialog({
    title: t('sa.rule_title'),
    content: f.el,
    actions: [
      { label: t('cancel'), cls: 'btn-plain' },
      {
        label: t('save'), cls: 'btn-primary', onClick: async () => {
          try {
            const r = await api('PUT', '/api/v1/accounts/settings', { body: { unused_days: Number(input.value) } });
            done(t('sa.rule_saved', { n: r.unused_days }));
            return true;
          } catch (e) {
            if (e.handled) return true;
            f.setError(e.message);
            return false;
          }
        },
      },
    ],
  });
}

// ---- the emergency registry ------------------------------------------------------------

async function renderEmergency(main, ctx, list) {
  const slot = h('div', { class: 'msg-slot', id: 'sa-msg' });
  const reload = (msg, id, kind = 'ok') => { if (msg) flash = { msg, kind }; ctx.navigate('#/sysaccounts?tab=emergency'); };
  const val = (v) => (v ? h('span', { text: v }) : h('span', { class: 'sa-missing', text: t('sa.em_missing') }));
  const cards = list.map((a) => h('section', { class: ['panel', 'sa-em', a.status !== 'enabled' ? 'sa-off' : ''], dataset: { id: a.id, login: a.login } },
    h('div', { class: 'sa-em-head' },
      h('h2', null, h('span', { class: 'sa-em-where', text: where(a) }), ' ', h('code', { text: a.login })),
      statusBadge(a.status), a.admin ? h('span', { class: 'badge sa-flag', text: fl('admin') }) : null),
    h('dl', { class: 'sa-em-list' },
      h('dt', { text: fl('emergency_users') }), h('dd', null, val(a.emergency_users)),
      h('dt', { text: fl('emergency_procedure') }), h('dd', null, val(a.emergency_procedure)),
      h('dt', { text: t('sa.em_rotated') }), h('dd', { class: 'sa-em-rotated', text: a.credential_rotated_on ? fmt('credential_rotated_on', a.credential_rotated_on) : t('sa.em_never') }),
      a.disabled_at ? h('dt', { text: t('sa.em_disabled_at') }) : null,
      a.disabled_at ? h('dd', { text: fmtTime(a.disabled_at) }) : null),
    canManage() ? h('div', { class: 'sa-actions' },
      a.status === 'enabled' ? button(t('sa.disable'), () => actionDialog(a, 'disable', reload), 'btn-danger-outline', { dataset: { act: 'disable' } }) : null,
      a.status === 'disabled' ? button(t('sa.enable'), () => enable(a, reload), '', { dataset: { act: 'enable' } }) : null,
      button(t('sa.rotate'), () => actionDialog(a, 'rotate', reload), 'btn-primary', { dataset: { act: 'rotate' } }),
      button(t('sa.edit'), () => formDialog(a, reload), 'btn-plain', { dataset: { act: 'edit' } })) : null));
  replace(main,
    pageHead(t('nav.sysaccounts'), t('sa.em_lead'), canManage() ? [button(t('sa.add'), () => formDialog({ kind: 'emergency', status: 'enabled', admin: true }, reload), 'btn-primary', { id: 'sa-add' })] : []),
    tabs('emergency', list.length),
    slot,
    list.length ? h('div', { class: 'sa-em-grid', id: 'sa-emergency' }, cards) : message('info', t('sa.em_none')));
  if (flash) { showMessage(slot, flash.kind, flash.msg); flash = null; }
}

// ---- import ------------------------------------------------------------------------------

function renderImport(main, ctx, emergencyCount) {
  let file = null;
  let bytes = null;
  const fileInput = h('input', { type: 'file', id: 'sa-import-file', class: 'file-hidden', accept: '.csv,.txt,text/csv' });
  const chooseBtn = h('label', { for: 'sa-import-file', class: 'btn btn-primary', id: 'sa-import-choose', tabindex: '0' }, t('sa.im_choose'));
  const fileInfo = h('span', { class: 'file-info', id: 'sa-import-file-info', text: t('sa.im_no_file') });
  const system = h('input', { type: 'text', id: 'sa-import-system', list: 'sa-systems', placeholder: t('sa.system_ph') });
  const systems = h('datalist', { id: 'sa-systems' });
  get('/api/v1/systems').then((r) => (r.items || []).forEach((s) => systems.appendChild(h('option', { value: s.name })))).catch(() => {});
  const result = h('div', { id: 'sa-import-result', 'aria-live': 'polite' });

  const upload = (dry) => api('POST', `/api/v1/accounts/import${qs({ dry_run: dry ? '1' : '', system: system.value.trim() })}`, {
    raw: bytes, headers: { 'Content-Type': 'text/csv', 'X-Filename': encodeURIComponent(file.name) },
  });
  const counts = (r) => h('div', { class: 'stats stats-compact' },
    [['added', 'stat-add', r.added], ['updated', 'stat-upd', r.updated], ['unchanged', '', r.unchanged]].map(([k, cls, n]) =>
      h('div', { class: `stat ${cls}`, id: `sa-count-${k}` }, h('div', { class: 'stat-value', text: fmtNum(n) }), h('div', { class: 'stat-label', text: t(`sa.${k}_n`) }))));
  const problems = (r) => {
    replace(result, h('section', { class: 'panel panel-bad', id: 'sa-import-problems' },
      h('h2', { text: t('sa.im_problems', { n: fmtNum(r.problems.length) }) }),
      h('ol', { class: 'problems' }, r.problems.map((p) => h('li', { class: 'problem', text: p }))),
      h('p', { class: 'hint', text: t('sa.im_problems_next') })));
    fileInput.value = '';
  };
  const change = (c) => {
    const a = c.account || {};
    const what = c.action === 'update'
      ? c.fields.map((k) => `${fl(k)}: ${fmt(k, (c.before || {})[k] ?? '') || t('empty')} → ${fmt(k, a[k] ?? '') || t('empty')}`).join('、')
      : [a.holder, a.holder_role, a.kind ? t(`sa.kind.${a.kind}`) : '', a.admin ? fl('admin') : '', a.last_used_on].filter(Boolean).join(' · ');
    return h('tr', { dataset: { action: c.action } },
      h('td', { class: 'num', text: c.line }),
      h('td', null, h('span', { class: `badge act-${c.action}`, text: t(`sa.im_${c.action}`) })),
      h('td', { text: c.key }),
      h('td', { text: what }));
  };
  async function check() {
    replace(result, h('p', { class: 'loading', text: t('sa.im_checking', { name: file.name }) }));
    let r;
    try {
      if (!bytes) bytes = await file.arrayBuffer();
      r = await upload(true);
    } catch (e) {
      if (e.handled) return;
      if (e.status === 422 && e.body && Array.isArray(e.body.problems)) { problems(e.body); return; }
      replace(result, message('error', e.message));
      return;
    }
    const n = r.added + r.updated;
    const commit = button(t('sa.im_commit', { n: fmtNum(n) }), () => doCommit(commit), 'btn-primary', { id: 'sa-import-commit' });
    const shown = (r.changes || []).filter((c) => c.action !== 'unchanged');
    replace(result, h('section', { class: 'panel', id: 'sa-import-preview' },
      h('h2', { text: t('sa.im_preview', { name: file.name }) }),
      counts(r),
      r.created && r.created.length ? h('p', { class: 'sa-created', text: t('sa.im_created', { list: r.created.join('、') }) }) : null,
      n ? [h('div', { class: 'commit-row' }, commit),
        h('div', { class: 'table-wrap' }, h('table', { class: 'grid import-changes', id: 'sa-import-changes' },
          h('thead', null, h('tr', null, h('th', { text: t('sa.im_line') }), h('th', { text: t('sa.im_action') }), h('th', { text: t('sa.im_key') }), h('th', { text: '' }))),
          h('tbody', null, shown.slice(0, 300).map(change))))] : message('info', t('sa.im_nothing'))));
  }
  async function doCommit(btn) {
    let r;
    try {
      r = await busy(btn, () => upload(false));
    } catch (e) {
      if (e.handled) return;
      if (e.status === 422 && e.body && Array.isArray(e.body.problems)) { problems(e.body); return; }
      showMessage(result, 'error', e.message);
      return;
    }
    replace(result, h('section', { class: 'panel panel-ok', id: 'sa-import-done' },
      message('ok', t('sa.im_done', { name: file.name, added: fmtNum(r.added), updated: fmtNum(r.updated), unchanged: fmtNum(r.unchanged) })),
      h('a', { class: 'btn btn-primary', href: '#/sysaccounts', id: 'sa-import-to-list' }, t('sa.im_to_list'))));
    fileInput.value = '';
  }
  fileInput.addEventListener('change', () => {
    file = fileInput.files[0] || null;
    bytes = null;
    replace(fileInfo, file ? file.name : t('sa.im_no_file'));
    if (file) check();
  });
  system.addEventListener('change', () => { if (file) check(); });
  replace(main,
    pageHead(t('nav.sysaccounts'), t('sa.im_lead')),
    tabs('import', emergencyCount),
    h('section', { class: 'panel import-panel' },
      h('div', { class: 'import-row' }, fileInput, chooseBtn, fileInfo),
      h('div', { class: 'import-options' }, h('label', { for: 'sa-import-system', text: t('sa.im_system') }), system, systems),
      h('p', { class: 'muted small', text: t('sa.im_columns') })),
    result);
}

export async function render(main, ctx) {
  ctx.setTitle(t('nav.sysaccounts'));
  main.appendChild(h('p', { class: 'loading', text: t('loading') }));
  const tab = ctx.query.get('tab') || 'list';
  const em = await get('/api/v1/accounts?kind=emergency&limit=500');
  if (tab === 'emergency') return renderEmergency(main, ctx, em.items || []);
  if (tab === 'import' && canManage()) return renderImport(main, ctx, em.total);
  return renderList(main, ctx, em.total);
}
