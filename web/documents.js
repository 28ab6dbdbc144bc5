// documents.js - #/documents[?kind=bcp]: the documents the checklist's
// evidence looks for (MDS/SDS per vendor system, 連絡体制図, BCP,
// 運用管理規程, restore tests from an offline generation), with a form to
// add one and a dialog to edit one (admin, officer).  The evidence reasons
// of the checklist link here.

import { h, replace, fmtNum } from './dom.js';
import { get, post, patch, qs } from './api.js';
import { t } from './i18n.js';
import { canManageChecklist } from './checklist.js';
import { pageHead, message, showMessage, button, formField, select, openDialog, busy } from './ui.js';

let flash = null; // a message for the next drawing of the list

const KINDS = ['mds', 'sds', 'contact_chart', 'bcp', 'rules', 'restore_test'];

export function kindLabel(kind, fallback) {
  const k = `doc.kind.${kind}`;
  const s = t(k);
  return s === k ? (fallback || kind) : s;
}

// The fields of a document form; values from doc (may be {}).
function docForm(res, doc, prefix) {
  const kind = select(KINDS.map((k) => ({ value: k, label: kindLabel(k) })), doc.kind || 'mds', { id: `${prefix}-kind` });
  const title = h('input', { type: 'text', id: `${prefix}-title`, value: doc.title || '', placeholder: t('doc.title_ph') });
  const vendor = select([{ value: '', label: t('doc.none') }, ...(res.vendors || []).map((v) => ({ value: v.id, label: v.name }))], doc.vendor_id || '', { id: `${prefix}-vendor` });
  const system = select([{ value: '', label: t('doc.none') }, ...(res.systems || []).map((v) => ({ value: v.id, label: v.name }))], doc.system_id || '', { id: `${prefix}-system` });
  const issued = h('input', { type: 'date', id: `${prefix}-issued`, value: doc.issued_on || '' });
  const offline = h('input', { type: 'checkbox', id: `${prefix}-offline`, checked: !!doc.offline });
  const reference = h('input', { type: 'text', id: `${prefix}-reference`, value: doc.reference || '', placeholder: t('doc.reference_ph') });
  const note = h('input', { type: 'text', id: `${prefix}-note`, value: doc.note || '' });
  const f = {
    kind: formField(t('doc.kind'), kind, { required: true }),
    title: formField(t('doc.title'), title, { required: true }),
    vendor_id: formField(t('doc.vendor'), vendor, { hint: t('doc.vendor_hint') }),
    system_id: formField(t('doc.system'), system),
    issued_on: formField(t('doc.issued_on'), issued, { hint: t('doc.issued_hint') }),
    reference: formField(t('doc.reference'), reference),
    note: formField(t('doc.note'), note),
    offline: { el: h('div', { class: 'field field-check' }, offline, h('label', { for: offline.id, text: t('doc.offline') })), setError: () => {}, input: offline },
  };
  f.reference.el.classList.add('field-span2');
  const sync = () => {
    f.offline.el.hidden = kind.value !== 'restore_test';
    f.issued_on.el.querySelector('label').firstChild.textContent = kind.value === 'restore_test' ? t('doc.tested_on') : t('doc.issued_on');
  };
  kind.addEventListener('change', sync);
  sync();
  const values = () => ({
    kind: kind.value,
    title: title.value.trim(),
    vendor_id: vendor.value ? Number(vendor.value) : null,
    system_id: system.value ? Number(system.value) : null,
    issued_on: issued.value || null,
    offline: kind.value === 'restore_test' ? offline.checked : null,
    reference: reference.value.trim() || null,
    note: note.value.trim() || null,
  });
  const clearErrors = () => Object.values(f).forEach((x) => x.setError(''));
  const showError = (e, slot) => {
    const target = f[e.field] || (e.field === 'vendor' ? f.vendor_id : e.field === 'system' ? f.system_id : null);
    if (target && target.setError) target.setError(e.message);
    showMessage(slot, 'error', e.message);
  };
  return { f, values, clearErrors, showError, title };
}

function editDialog(res, doc, done) {
  const form = docForm(res, doc, 'edit-doc');
  openDialog({
    title: t('doc.edit_title', { title: doc.title }),
    wide: true,
    content: h('div', { class: 'form-grid doc-grid' }, Object.values(form.f).map((x) => x.el)),
    actions: [
      { label: t('cancel'), cls: 'btn-plain' },
      {
        label: t('save'), cls: 'btn-primary', onClick: async (close, msg) => {
          form.clearErrors();
          const v = form.values();
          if (!v.title) { form.f.title.setError(t('form.err_required')); return false; }
          try {
            await patch(`/api/v1/documents/${doc.id}`, v);
            done(t('doc.saved', { title: v.title }));
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

export async function render(main, ctx) {
  ctx.setTitle(t('nav.documents'));
  main.appendChild(h('p', { class: 'loading', text: t('loading') }));
  const res = await get('/api/v1/documents');
  const kindFilter = ctx.query.get('kind') || '';
  const items = (res.items || []).filter((d) => !kindFilter || d.kind === kindFilter);
  const slot = h('div', { class: 'msg-slot', id: 'doc-msg' });
  const reload = (msg) => { if (msg) flash = msg; ctx.navigate(`#/documents${qs({ kind: kindFilter })}`); };

  const filter = select([{ value: '', label: t('doc.all_kinds') }, ...KINDS.map((k) => ({ value: k, label: kindLabel(k) }))], kindFilter, { id: 'doc-filter', 'aria-label': t('doc.kind') });
  filter.addEventListener('change', () => ctx.navigate(`#/documents${qs({ kind: filter.value })}`));

  let addPanel = null;
  if (canManageChecklist()) {
    const form = docForm(res, { kind: kindFilter || 'mds' }, 'new-doc');
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'new-doc-submit' }, t('doc.add'));
    const formMsg = h('div', { class: 'form-msg' });
    const el = h('form', { class: 'doc-add', novalidate: true }, formMsg,
      h('div', { class: 'form-grid doc-grid' }, Object.values(form.f).map((x) => x.el)),
      h('div', { class: 'form-actions' }, submit));
    el.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      form.clearErrors();
      showMessage(formMsg, 'info', '');
      const v = form.values();
      if (!v.title) { form.f.title.setError(t('form.err_required')); form.title.focus(); return; }
      try {
        await busy(submit, () => post('/api/v1/documents', v));
        reload(t('doc.added', { title: v.title }));
      } catch (e) { if (!e.handled) form.showError(e, formMsg); }
    });
    addPanel = h('section', { class: 'panel' }, h('h2', { text: t('doc.add_title') }), el);
  }

  const rows = items.map((d) => h('tr', { dataset: { id: d.id, kind: d.kind } },
    h('td', null, h('span', { class: `badge doc-kind doc-kind-${d.kind}`, text: kindLabel(d.kind, d.kind_label) })),
    h('td', null, h('div', { class: 'doc-title', text: d.title }), d.note ? h('div', { class: 'sub', text: d.note }) : null),
    h('td', { text: d.vendor_name || '' }),
    h('td', { text: d.system_name || '' }),
    h('td', { class: 'nowrap', text: d.issued_on || '' }),
    h('td', { text: d.kind === 'restore_test' ? (d.offline ? t('yes') : t('no')) : '' }),
    h('td', { class: 'doc-ref', text: d.reference || '' }),
    canManageChecklist() ? h('td', { class: 'actions' }, button(t('doc.edit'), () => editDialog(res, d, reload), 'btn-small', { dataset: { act: 'edit' } })) : null));

  replace(main,
    pageHead(t('nav.documents'), canManageChecklist() ? t('doc.hint') : t('doc.hint_ro'), [filter, h('a', { class: 'btn', href: '#/checklist' }, t('doc.to_checklist'))]),
    slot,
    h('section', { class: 'panel' },
      h('h2', { text: t('doc.list_title', { n: fmtNum(items.length) }) }),
      items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'grid documents', id: 'documents-table' },
        h('thead', null, h('tr', null,
          h('th', { text: t('doc.kind') }), h('th', { text: t('doc.title') }), h('th', { text: t('doc.vendor') }),
          h('th', { text: t('doc.system') }), h('th', { text: t('doc.issued_on') }), h('th', { text: t('doc.offline_short') }),
          h('th', { text: t('doc.reference') }), canManageChecklist() ? h('th', { text: t('users.actions') }) : null)),
        h('tbody', null, rows))) : message('info', kindFilter ? t('doc.none_kind', { kind: kindLabel(kindFilter) }) : t('doc.empty'))),
    addPanel);
  if (flash) { showMessage(slot, 'ok', flash); flash = null; }
}
