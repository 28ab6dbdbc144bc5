// asset.js - one device: #/assets/12 (every field with its label, the
// 使用終了 and 廃棄 dialogs, the history), #/assets/12/edit (PATCH with only
// the changed fields; a 422 naming a field puts its message beside that
// field) and #/assets/new (POST).

import { h, replace, fmtTime, today, uid } from './dom.js';
import { get, post, patch } from './api.js';
import { t } from './i18n.js';
import { session, canWrite, canJournal, canSeeRecords } from './state.js';
import { fields, field, fieldLabel, fmtValue, kinds, kindLabel, statusLabel } from './fields.js';
import { pageHead, message, showMessage, button, formField, select, openDialog, busy, historyTable } from './ui.js';
import { statusBadge } from './ledger.js';

const GROUPS = [
  ['grp.basic', ['asset_tag', 'hostname', 'kind', 'model', 'manufacturer', 'serial', 'os', 'os_version']],
  ['grp.network', ['ip', 'mac', 'outlet']],
  ['grp.management', ['owner', 'department', 'location', 'system', 'vendor', 'payment', 'registered_on', 'notes']],
  ['grp.security', ['remote_maintenance', 'antivirus', 'patched', 'confidentiality', 'integrity', 'availability', 'secure_area', 'info_handling']],
  ['grp.lifecycle', ['status', 'retired_on', 'retire_reason', 'disposal_method', 'disposed_by', 'disposed_on', 'disposal_certificate']],
];

// Groups with the fields the server knows (fields it adds later go to "other").
function groups() {
  const known = new Set(fields().map((f) => f.name));
  const placed = new Set();
  const out = GROUPS.map(([key, names]) => {
    const list = names.filter((n) => known.has(n));
    list.forEach((n) => placed.add(n));
    return [key, list];
  });
  const rest = fields().map((f) => f.name).filter((n) => !placed.has(n));
  if (rest.length) out.push(['grp.other', rest]);
  return out.filter(([, l]) => l.length);
}

let flash = null; // a message to show on the next detail screen

function deviceName(a) {
  return a.asset_tag || a.hostname || a.mac || `#${a.id}`;
}

// ---- detail -----------------------------------------------------------------

// The OS's end of support, from the server's catalog: a warning when past
// or near, a plain line otherwise.
function eosLine(eos) {
  if (!eos) return null;
  const status = t(`eos.${eos.status}`);
  const text = eos.status === 'unknown'
    ? t('asset.eos_unknown', { reason: eos.reason || '' })
    : t('asset.eos', { status, label: eos.name || eos.label || '', eol: typeof eos.eol === 'string' ? eos.eol : '—' });
  const kind = eos.status === 'ended' ? 'error' : eos.status === 'ending' ? 'warn' : 'info';
  const el = message(kind, text);
  el.id = 'device-eos';
  return el;
}

export async function renderDetail(main, ctx) {
  const id = ctx.params[0];
  main.appendChild(h('p', { class: 'loading', text: t('loading') }));
  let res;
  try {
    res = await get(`/api/v1/assets/${id}`);
  } catch (e) {
    if (e.status === 404) {
      replace(main, pageHead(t('asset.title'), null, [h('a', { class: 'btn', href: '#/assets' }, t('asset.back'))]),
        message('warn', t('asset.not_found', { id })));
      return;
    }
    throw e;
  }
  const a = res.asset;
  const history = res.history || [];
  ctx.setTitle(deviceName(a));
  const msgSlot = h('div', { class: 'msg-slot' });
  if (flash) { showMessage(msgSlot, 'ok', flash); flash = null; }

  const writable = canWrite() && a.status !== 'disposed';
  const actions = [h('a', { class: 'btn', href: '#/assets' }, t('asset.back'))];
  if (writable) {
    actions.push(h('a', { class: 'btn btn-primary', href: `#/assets/${a.id}/edit`, id: 'edit-device' }, t('asset.edit')));
    if (a.status === 'in_use') actions.push(button(t('asset.retire'), () => retireDialog(a, ctx), '', { id: 'retire-device' }));
    actions.push(button(t('asset.dispose'), () => disposeDialog(a, ctx), 'btn-danger-outline', { id: 'dispose-device' }));
  }
  actions.push(button(t('print'), () => window.print(), '', { id: 'print-btn' }));

  let hint;
  if (!canWrite()) hint = t('asset.hint_ro');
  else if (a.status === 'disposed') hint = t('asset.hint_disposed');
  else if (a.status === 'retired') hint = t('asset.hint_retired');
  else hint = t('asset.hint');

  const groupEls = groups().filter(([key]) => key !== 'grp.lifecycle' || a.status !== 'in_use').map(([key, names]) =>
    h('section', { class: 'panel field-group' },
      h('h2', { text: t(key) }),
      h('dl', { class: 'kv' }, names.map((n) => {
        const v = fmtValue(n, a[n]);
        return [h('dt', { text: fieldLabel(n) }),
          h('dd', { class: [v ? '' : 'unset', v && ['ip', 'mac', 'serial'].includes(n) ? 'mono' : ''], dataset: { field: n } },
            n === 'status' ? statusBadge(a.status) : (v || t('asset.unset')))];
      }))));

  replace(main,
    h('div', { class: 'print-only print-head' },
      h('div', { class: 'print-facility', text: session.facility ? session.facility.name : '' }),
      h('div', { class: 'print-title', text: `${t('asset.title')}: ${deviceName(a)}` }),
      h('div', { class: 'print-date', text: t('print.printed', { date: fmtTime(new Date().toISOString()) }) })),
    pageHead(deviceName(a), hint, actions),
    h('p', { class: 'device-sub' },
      statusBadge(a.status), ' ',
      [kindLabel(a.kind), a.model, a.department].filter(Boolean).join(' · '),
      h('span', { class: 'muted' }, ` — ${t('asset.id')} ${a.id}`)),
    eosLine(res.eos),
    msgSlot,
    h('div', { class: 'field-groups' }, groupEls),
    h('p', { class: 'muted small' },
      `${t('asset.created_at')}: ${fmtTime(a.created_at) || '—'}　${t('asset.updated_at')}: ${fmtTime(a.updated_at) || '—'}`),
    h('section', { class: 'panel history-panel' },
      h('div', { class: 'panel-head' },
        h('h2', { text: t('asset.history') }),
        canJournal() ? h('a', { class: 'btn btn-small no-print', href: `#/journal?entity_type=device&entity_id=${a.id}` }, t('asset.in_journal')) : null),
      history.length ? h('div', { class: 'table-wrap' }, historyTable(history)) : h('p', { class: 'muted', text: t('asset.no_history') })));
}

function retireDialog(a, ctx) {
  const date = h('input', { type: 'date', id: 'retire-date', value: today() });
  const reason = h('input', { type: 'text', id: 'retire-reason', placeholder: t('retire.reason_ph') });
  const fDate = formField(t('retire.date'), date, { hint: t('retire.date_hint') });
  const fReason = formField(t('retire.reason'), reason);
  openDialog({
    title: t('retire.title', { name: deviceName(a) }),
    content: [h('p', { class: 'dialog-lead', text: t('retire.lead') }), fDate.el, fReason.el],
    actions: [
      { label: t('cancel'), cls: 'btn-plain' },
      {
        label: t('retire.submit'), cls: 'btn-primary',
        onClick: async (close, msg) => {
          try {
            await post(`/api/v1/assets/${a.id}/retire`, { date: date.value || undefined, reason: reason.value.trim() || undefined });
          } catch (e) {
            if (e.handled) return true;
            showMessage(msg, 'error', e.message);
            return false;
          }
          flash = t('retire.done');
          close();
          ctx.navigate(`#/assets/${a.id}`);
          return true;
        },
      },
    ],
  });
}

const DISPOSAL_METHODS = ['dispose.m_physical', 'dispose.m_software', 'dispose.m_degauss', 'dispose.m_vendor'];

function disposeDialog(a, ctx) {
  const listId = uid('dl');
  const method = h('input', { type: 'text', id: 'dispose-method', list: listId, autocomplete: 'off' });
  const by = h('input', { type: 'text', id: 'dispose-by', placeholder: t('dispose.by_ph') });
  const cert = h('input', { type: 'text', id: 'dispose-certificate', placeholder: t('dispose.cert_ph') });
  const date = h('input', { type: 'date', id: 'dispose-date', value: today() });
  const fM = formField(t('dispose.method'), method, { required: true, hint: t('dispose.method_hint') });
  const fB = formField(t('dispose.by'), by, { required: true });
  const fC = formField(t('dispose.certificate'), cert, { required: true, hint: t('dispose.cert_hint') });
  const fD = formField(t('dispose.date'), date, { hint: t('dispose.date_hint') });
  openDialog({
    title: t('dispose.title', { name: deviceName(a) }),
    content: [
      h('p', { class: 'dialog-lead', text: t('dispose.lead') }),
      h('datalist', { id: listId }, DISPOSAL_METHODS.map((k) => h('option', { value: t(k) }))),
      fM.el, fB.el, fC.el, fD.el,
    ],
    actions: [
      { label: t('cancel'), cls: 'btn-plain' },
      {
        label: t('dispose.submit'), cls: 'btn-danger',
        onClick: async (close, msg) => {
          let bad = null;
          for (const [f, inp] of [[fM, method], [fB, by], [fC, cert]]) {
            const empty = !inp.value.trim();
            f.setError(empty ? t('form.err_required') : '');
            if (empty && !bad) bad = inp;
          }
          if (bad) { bad.focus(); return false; }
          try {
            await post(`/api/v1/assets/${a.id}/dispose`, {
              method: method.value.trim(), by: by.value.trim(), certificate: cert.value.trim(), date: date.value || undefined,
            });
          } catch (e) {
            if (e.handled) return true;
            showMessage(msg, 'error', e.message);
            return false;
          }
          flash = t('dispose.done');
          close();
          ctx.navigate(`#/assets/${a.id}`);
          return true;
        },
      },
    ],
  });
}

// ---- edit / new --------------------------------------------------------------

// The value as the form holds it (a string).
function formValue(name, v) {
  if (v === undefined || v === null) return '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

let listsCache = null;
async function suggestionLists() {
  if (listsCache && Date.now() - listsCache.at < 60000) return listsCache;
  const out = { at: Date.now(), location: [], system: [], vendor: [], department: [] };
  const names = (r) => (r && r.items ? r.items.map((x) => x.name).filter(Boolean) : []);
  const tasks = [
    get('/api/v1/dashboard').then((d) => { out.department = Object.keys(d.devices.by_department || {}).filter((k) => k !== '(未設定)'); }),
  ];
  if (canSeeRecords()) {
    tasks.push(get('/api/v1/locations').then((r) => { out.location = names(r); }));
    tasks.push(get('/api/v1/systems').then((r) => { out.system = names(r); }));
    tasks.push(get('/api/v1/vendors').then((r) => { out.vendor = names(r); }));
  }
  await Promise.allSettled(tasks);
  listsCache = out;
  return out;
}

function inputFor(f, value, lists) {
  const id = `in-${f.name}`;
  const yesNo = [{ value: '', label: t('form.unset') }, { value: 'true', label: t('yes') }, { value: 'false', label: t('no') }];
  switch (f.type) {
    case 'bool': return select(yesNo, value, { id, name: f.name });
    case 'kind': return select([{ value: '', label: t('form.kind_auto') }, ...kinds().map((k) => ({ value: k.value, label: kindLabel(k.value) }))], value, { id, name: f.name });
    case 'rating_abc': return select([{ value: '', label: t('form.unset') }, ...['A', 'B', 'C'].map((x) => ({ value: x, label: x }))], value, { id, name: f.name });
    case 'rating_ab': return select([{ value: '', label: t('form.unset') }, ...['A', 'B'].map((x) => ({ value: x, label: x }))], value, { id, name: f.name });
    case 'date': return h('input', { type: 'date', id, name: f.name, value });
    case 'status': return h('input', { type: 'text', id, name: f.name, value: statusLabel(value), readOnly: true });
    default: break;
  }
  if (f.name === 'notes') return h('textarea', { id, name: f.name, rows: '3', value });
  const listName = ['location', 'system', 'vendor'].includes(f.type) ? f.type : f.name === 'department' ? 'department' : null;
  const attrs = { type: 'text', id, name: f.name, value, autocomplete: 'off', spellcheck: 'false' };
  if (f.type === 'mac' || f.type === 'ip') attrs.class = 'mono';
  if (f.type === 'ip') attrs.placeholder = '192.168.0.10';
  if (f.type === 'mac') attrs.placeholder = '00:11:22:AA:BB:CC';
  if (listName && lists[listName] && lists[listName].length) attrs.list = `list-${listName}`;
  return h('input', attrs);
}

async function renderForm(main, ctx, a) {
  const isNew = !a.id;
  const lists = await suggestionLists();
  const title = isNew ? t('asset.new_title') : t('asset.edit_title', { name: deviceName(a) });
  ctx.setTitle(title);
  const msg = h('div', { class: 'msg-slot', id: 'form-msg' });
  const inputs = {};
  const groupEls = groups().filter(([key]) => key !== 'grp.lifecycle').map(([key, names]) =>
    h('fieldset', { class: 'panel form-group' },
      h('legend', { text: t(key) }),
      h('div', { class: 'form-grid' }, names.map((n) => {
        const f = field(n);
        if (!f || f.lifecycle) return null;
        const input = inputFor(f, formValue(n, a[n]), lists);
        const hintKey = `hint.${n}`;
        const hint = t(hintKey) === hintKey ? null : t(hintKey);
        const ff = formField(fieldLabel(n), input, { hint, wide: n === 'notes' });
        inputs[n] = { ff, input, orig: formValue(n, a[n]), type: f.type };
        return ff.el;
      }))));

  const save = h('button', { type: 'submit', class: 'btn btn-primary', id: 'save-device' }, isNew ? t('asset.create') : t('asset.save'));
  const cancel = h('a', { class: 'btn btn-plain', href: isNew ? '#/assets' : `#/assets/${a.id}` }, t('cancel'));
  const datalists = ['location', 'system', 'vendor', 'department'].map((k) =>
    h('datalist', { id: `list-${k}` }, (lists[k] || []).map((v) => h('option', { value: v }))));
  const form = h('form', { class: 'asset-form', novalidate: true }, datalists, msg, groupEls,
    h('div', { class: 'form-actions sticky-actions' }, save, cancel,
      h('span', { class: 'muted small', text: isNew ? t('asset.key_note') : t('asset.changed_only') })));

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showMessage(msg, 'info', '');
    Object.values(inputs).forEach((x) => x.ff.setError(''));
    const body = {};
    for (const [n, x] of Object.entries(inputs)) {
      if (x.type === 'status') continue;
      const v = x.input.value.trim();
      if (v === x.orig) continue;
      if (v === '') { if (!isNew) body[n] = null; continue; }
      body[n] = x.type === 'bool' ? v === 'true' : v;
    }
    if (!isNew && !Object.keys(body).length) {
      showMessage(msg, 'info', t('asset.nothing_changed'));
      return;
    }
    if (isNew && !body.asset_tag && !body.mac && !body.hostname) {
      inputs.asset_tag.ff.setError(t('asset.key_needed'));
      inputs.asset_tag.input.focus();
      return;
    }
    try {
      const res = await busy(save, () => (isNew ? post('/api/v1/assets', body) : patch(`/api/v1/assets/${a.id}`, body)));
      flash = isNew ? t('asset.created') : t('asset.saved', { n: Object.keys(body).length });
      ctx.navigate(`#/assets/${res.asset.id}`);
    } catch (e) {
      if (e.handled) return;
      const target = e.field && inputs[e.field];
      if (target) {
        target.ff.setError(e.message);
        target.input.focus();
        showMessage(msg, 'error', t('asset.fix_field', { field: fieldLabel(e.field) }));
      } else {
        showMessage(msg, 'error', e.message);
        msg.scrollIntoView({ block: 'nearest' });
      }
    }
  });

  replace(main, pageHead(title, isNew ? t('asset.new_hint') : t('asset.edit_hint'), []), form);
  (inputs.asset_tag ? inputs.asset_tag.input : form.querySelector('input')).focus();
}

export async function renderEdit(main, ctx) {
  main.appendChild(h('p', { class: 'loading', text: t('loading') }));
  const res = await get(`/api/v1/assets/${ctx.params[0]}`);
  if (res.asset.status === 'disposed') {
    replace(main, message('warn', t('asset.disposed_no_edit')), h('a', { class: 'btn', href: `#/assets/${res.asset.id}` }, t('asset.back_detail')));
    return;
  }
  await renderForm(main, ctx, res.asset);
}

export async function renderNew(main, ctx) {
  await renderForm(main, ctx, {});
}
