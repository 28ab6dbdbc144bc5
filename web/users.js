// users.js - #/users (administrators): the accounts, adding one (the
// one-time password is shown once, with a copy button), and per account:
// password reissue, two-factor reset, disable/enable, role and details.

import { h, replace, fmtTime, copyText } from './dom.js';
import { get, post, patch } from './api.js';
import { t } from './i18n.js';
import { session } from './state.js';
import { pageHead, roleLabel, message, showMessage, button, formField, select, openDialog, confirmDialog, busy } from './ui.js';

const ROLES = ['admin', 'officer', 'staff', 'auditor', 'vendor'];

function roleOptions(value) {
  return ROLES.map((r) => ({ value: r, label: t(`role.${r}`) + (t(`role.${r}.desc`) ? ` — ${t(`role.${r}.desc`)}` : '') }));
}

// The one-time password, shown once.
function oneTimeDialog(name, password, reissued = false) {
  const pwEl = h('code', { class: 'otp', id: 'one-time-password', text: password });
  const copied = h('span', { class: 'copied', 'aria-live': 'polite' });
  const copyBtn = button(t('users.copy'), async () => {
    copied.textContent = (await copyText(password)) ? t('users.copied') : t('users.copy_failed');
  }, '', { id: 'copy-password' });
  openDialog({
    title: reissued ? t('users.reissued_title', { name }) : t('users.created_title', { name }),
    content: [
      message('warn', t('users.otp_warning')),
      h('div', { class: 'otp-row' }, h('span', { class: 'otp-label', text: t('users.otp_label') }), pwEl, copyBtn, copied),
      h('p', { class: 'muted', text: t('users.otp_next', { name }) }),
    ],
    actions: [{ label: t('users.otp_done'), cls: 'btn-primary', onClick: () => true }],
  });
}

export async function render(main, ctx) {
  ctx.setTitle(t('nav.users'));
  main.appendChild(h('p', { class: 'loading', text: t('loading') }));
  const [usersRes, vendorsRes] = await Promise.all([
    get('/api/v1/users'),
    get('/api/v1/vendors').catch((e) => { if (e.handled) throw e; return { items: [] }; }),
  ]);
  const vendors = vendorsRes.items || [];
  const vendorName = (id) => (vendors.find((v) => v.id === id) || {}).name || (id ? `#${id}` : '');
  const msgSlot = h('div', { class: 'msg-slot', id: 'users-msg' });

  // ---- add form
  const name = h('input', { type: 'text', id: 'new-user-name', autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off' });
  const display = h('input', { type: 'text', id: 'new-user-display', autocomplete: 'off' });
  const role = select(roleOptions(), 'staff', { id: 'new-user-role' });
  const vendor = select([{ value: '', label: t('users.choose_vendor') }, ...vendors.map((v) => ({ value: v.name, label: v.name }))], '', { id: 'new-user-vendor' });
  const fName = formField(t('users.name'), name, { required: true, hint: t('users.name_hint') });
  const fDisplay = formField(t('users.display_name'), display, { hint: t('users.display_hint') });
  const fRole = formField(t('users.role'), role);
  const fVendor = formField(t('users.vendor'), vendor, { required: true, hint: vendors.length ? null : t('users.no_vendors') });
  const syncVendor = () => { fVendor.el.hidden = role.value !== 'vendor'; };
  role.addEventListener('change', syncVendor);
  syncVendor();
  const addBtn = h('button', { type: 'submit', class: 'btn btn-primary', id: 'new-user-submit' }, t('users.add'));
  const addMsg = h('div', { class: 'form-msg' });
  const addForm = h('form', { class: 'user-add', novalidate: true },
    addMsg,
    h('div', { class: 'form-grid form-grid-4' }, fName.el, fDisplay.el, fRole.el, fVendor.el),
    h('div', { class: 'form-actions' }, addBtn, h('span', { class: 'muted small', text: t('users.add_note') })));
  addForm.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    [fName, fDisplay, fRole, fVendor].forEach((f) => f.setError(''));
    showMessage(addMsg, 'info', '');
    if (!name.value.trim()) { fName.setError(t('form.err_required')); name.focus(); return; }
    if (role.value === 'vendor' && !vendor.value) { fVendor.setError(t('users.err_vendor')); vendor.focus(); return; }
    const body = { name: name.value.trim(), role: role.value };
    if (display.value.trim()) body.display_name = display.value.trim();
    if (role.value === 'vendor') body.vendor = vendor.value;
    try {
      const r = await busy(addBtn, () => post('/api/v1/users', body));
      name.value = ''; display.value = '';
      oneTimeDialog(r.user.name, r.one_time_password);
      drawTable([...users.filter((u) => u.id !== r.user.id), r.user].sort((a, b) => a.name.localeCompare(b.name)));
      showMessage(msgSlot, 'ok', t('users.created', { name: r.user.name }));
    } catch (e) {
      if (e.handled) return;
      if (e.status === 409 || /ユーザー名|name/i.test(e.message)) fName.setError(e.message);
      else showMessage(addMsg, 'error', e.message);
    }
  });

  // ---- table
  let users = usersRes.items || [];
  const tableSlot = h('div', { class: 'table-wrap' });

  const listTitle = h('h2');
  function drawTable(list) {
    users = list;
    listTitle.textContent = t('users.list_title', { n: list.length });
    replace(tableSlot, h('table', { class: 'grid users', id: 'users-table' },
      h('thead', null, h('tr', null,
        ['users.name', 'users.display_name', 'users.role', 'users.totp', 'users.state', 'users.last_login', 'users.actions']
          .map((k) => h('th', { text: t(k) })))),
      h('tbody', null, list.map((u) => rowOf(u)))));
  }

  function rowOf(u) {
    const self = session.user && u.id === session.user.id;
    const totp = u.totp_enabled ? h('span', { class: 'badge badge-ok', text: t('users.totp_on') })
      : h('span', { class: ['badge', u.totp_required ? 'badge-warn' : 'badge-muted'], text: u.totp_required ? t('users.totp_pending') : t('users.totp_off') });
    const state = u.disabled ? h('span', { class: 'badge badge-bad', text: t('users.disabled') })
      : u.locked_until && new Date(u.locked_until) > new Date() ? h('span', { class: 'badge badge-warn', text: t('users.locked') })
        : u.must_change_password ? h('span', { class: 'badge badge-muted', text: t('users.must_change') })
          : h('span', { class: 'badge badge-ok', text: t('users.enabled') });
    return h('tr', { dataset: { user: u.name } },
      h('td', { class: 'mono-ish' }, u.name, self ? h('span', { class: 'muted', text: ` (${t('users.you')})` }) : null),
      h('td', { text: u.display_name || '' }),
      h('td', null, roleLabel(u), u.role === 'vendor' && u.vendor_id ? h('div', { class: 'sub', text: vendorName(u.vendor_id) }) : null),
      h('td', null, totp, u.totp_required ? null : h('div', { class: 'sub', text: t('users.totp_optional') })),
      h('td', null, state),
      h('td', { class: 'nowrap', text: u.last_login ? fmtTime(u.last_login) : t('users.never') }),
      h('td', { class: 'actions' },
        button(t('users.edit'), () => editDialog(u), 'btn-small', { dataset: { act: 'edit' } }),
        button(t('users.reissue'), () => reissue(u), 'btn-small', { dataset: { act: 'reissue' } }),
        button(t('users.totp_reset'), () => totpReset(u), 'btn-small', { dataset: { act: 'totp-reset' }, disabled: !u.totp_enabled }),
        self ? null : button(u.disabled ? t('users.enable') : t('users.disable'), () => toggle(u),
          u.disabled ? 'btn-small' : 'btn-small btn-danger-outline', { dataset: { act: u.disabled ? 'enable' : 'disable' } })));
  }

  const replaceUser = (nu) => drawTable(users.map((x) => (x.id === nu.id ? nu : x)));

  async function reissue(u) {
    if (!await confirmDialog(t('users.reissue_title', { name: u.name }), t('users.reissue_text'), t('users.reissue'))) return;
    try {
      const r = await post(`/api/v1/users/${u.id}/password`, {});
      oneTimeDialog(u.name, r.one_time_password, true);
      drawTable(users.map((x) => (x.id === u.id ? { ...x, must_change_password: true } : x)));
    } catch (e) { if (!e.handled) showMessage(msgSlot, 'error', e.message); }
  }

  async function totpReset(u) {
    if (!await confirmDialog(t('users.totp_reset_title', { name: u.name }), t('users.totp_reset_text'), t('users.totp_reset'), 'btn-danger')) return;
    try {
      await post(`/api/v1/users/${u.id}/totp-reset`, {});
      showMessage(msgSlot, 'ok', t('users.totp_reset_done', { name: u.name }));
      drawTable(users.map((x) => (x.id === u.id ? { ...x, totp_enabled: false } : x)));
    } catch (e) { if (!e.handled) showMessage(msgSlot, 'error', e.message); }
  }

  async function toggle(u) {
    const disabling = !u.disabled;
    if (disabling && !await confirmDialog(t('users.disable_title', { name: u.name }), t('users.disable_text'), t('users.disable'), 'btn-danger')) return;
    try {
      const r = await patch(`/api/v1/users/${u.id}`, { disabled: disabling });
      replaceUser(r.user);
      showMessage(msgSlot, 'ok', t(disabling ? 'users.disabled_done' : 'users.enabled_done', { name: u.name }));
    } catch (e) { if (!e.handled) showMessage(msgSlot, 'error', e.message); }
  }

  function editDialog(u) {
    const self = session.user && u.id === session.user.id;
    const d = h('input', { type: 'text', id: 'edit-user-display', value: u.display_name || '' });
    const r = select(roleOptions(), u.role, { id: 'edit-user-role', disabled: self });
    const vName = vendorName(u.vendor_id);
    const v = select([{ value: '', label: t('users.choose_vendor') }, ...vendors.map((x) => ({ value: x.name, label: x.name }))], u.role === 'vendor' ? vName : '', { id: 'edit-user-vendor' });
    const totpReq = h('input', { type: 'checkbox', id: 'edit-user-totp', checked: !!u.totp_required });
    const fD = formField(t('users.display_name'), d);
    const fR = formField(t('users.role'), r, { hint: self ? t('users.self_role') : null });
    const fV = formField(t('users.vendor'), v, { required: true });
    const sync = () => { fV.el.hidden = r.value !== 'vendor'; };
    r.addEventListener('change', sync);
    // The guideline wants two-factor sign-in for administrators and officers.
    r.addEventListener('change', () => { if (r.value === 'admin' || r.value === 'officer') totpReq.checked = true; });
    sync();
    openDialog({
      title: t('users.edit_title', { name: u.name }),
      content: [fD.el, fR.el, fV.el,
        h('div', { class: 'field field-check' }, totpReq, h('label', { for: 'edit-user-totp', text: t('users.totp_required') })),
        h('p', { class: 'muted small', text: t('users.totp_required_hint') })],
      actions: [
        { label: t('cancel'), cls: 'btn-plain' },
        {
          label: t('save'), cls: 'btn-primary',
          onClick: async (close, msg) => {
            const body = {};
            if (d.value.trim() !== (u.display_name || '')) body.display_name = d.value.trim();
            if (!self && r.value !== u.role) body.role = r.value;
            if (r.value === 'vendor') {
              if (!v.value) { fV.setError(t('users.err_vendor')); return false; }
              if (v.value !== vName || body.role) { body.role = r.value; body.vendor = v.value; }
            }
            if (totpReq.checked !== !!u.totp_required) body.totp_required = totpReq.checked;
            if (!Object.keys(body).length) return true;
            try {
              const res = await patch(`/api/v1/users/${u.id}`, body);
              replaceUser(res.user);
              showMessage(msgSlot, 'ok', t('users.saved', { name: u.name }));
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

  drawTable(users);
  replace(main,
    pageHead(t('nav.users'), t('users.hint')),
    msgSlot,
    h('section', { class: 'panel' }, h('h2', { text: t('users.add_title') }), addForm),
    h('section', { class: 'panel' }, listTitle, tableSlot));
}
