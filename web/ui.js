// ui.js - small shared pieces: page heading with the "what to do next"
// hint, messages, buttons, a modal dialog, form fields with a place for the
// server's message, and the history table (device history and journal).

import { h, append, clear, fmtTime, uid } from './dom.js';
import { t, lang } from './i18n.js';
import { diff, fieldLabel, fmtValue } from './fields.js';

// The heading of a screen: title, optional actions on the right, the hint.
export function pageHead(title, hint, actions = []) {
  return h('div', { class: 'page-head' },
    h('div', { class: 'page-title-row' },
      h('h1', { text: title }),
      actions.length ? h('div', { class: 'page-actions no-print' }, actions) : null),
    hint ? h('p', { class: 'hint no-print' }, h('span', { class: 'hint-label', text: t('hint.next') }), hint) : null);
}

// kind: info | ok | error | warn
export function message(kind, ...content) {
  return h('div', { class: `msg msg-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, content);
}

export function showMessage(slot, kind, ...content) {
  clear(slot);
  if (content.length && content[0] !== null && content[0] !== '') append(slot, [message(kind, ...content)]);
}

export function button(label, onclick, cls = '', attrs = {}) {
  return h('button', { type: 'button', class: `btn ${cls}`.trim(), onclick, ...attrs }, label);
}

export function linkButton(label, href, cls = '', attrs = {}) {
  return h('a', { class: `btn ${cls}`.trim(), href, ...attrs }, label);
}

// Runs fn with btn disabled (and a busy look) until it settles.
export async function busy(btn, fn) {
  btn.disabled = true;
  btn.classList.add('busy');
  try { return await fn(); } finally {
    btn.disabled = false;
    btn.classList.remove('busy');
  }
}

// A labelled form field: {el, input, error, setError(msg)}.
// input: an element (input/select/textarea); hint: text under it.
export function formField(label, input, { hint = null, required = false, wide = false } = {}) {
  if (!input.id) input.id = uid('in');
  const error = h('div', { class: 'field-error', id: `${input.id}-err`, role: 'alert' });
  input.setAttribute('aria-describedby', `${input.id}-err`);
  const el = h('div', { class: ['field', wide ? 'field-wide' : ''] },
    h('label', { for: input.id }, label, required ? h('span', { class: 'req', text: ` ${t('form.required')}` }) : null),
    input,
    hint ? h('div', { class: 'field-hint', text: hint }) : null,
    error);
  const setError = (msg) => {
    error.textContent = msg || '';
    el.classList.toggle('has-error', !!msg);
    if (msg) input.setAttribute('aria-invalid', 'true'); else input.removeAttribute('aria-invalid');
  };
  return { el, input, error, setError };
}

export function select(options, value, attrs = {}) {
  const s = h('select', attrs);
  for (const o of options) {
    const opt = h('option', { value: o.value, text: o.label });
    if (String(o.value) === String(value ?? '')) opt.selected = true;
    s.appendChild(opt);
  }
  return s;
}

// A modal dialog.  actions: [{label, cls, onClick(close) → truthy to close}].
// Returns {dialog, close, body, msg}.
export function openDialog({ title, content, actions = [], wide = false, onClose = null }) {
  const msg = h('div', { class: 'dialog-msg' });
  const body = h('div', { class: 'dialog-body' }, content);
  const dlg = h('dialog', { class: ['dialog', wide ? 'dialog-wide' : ''] });
  const close = () => { if (dlg.open) dlg.close(); };
  const foot = h('div', { class: 'dialog-actions' });
  for (const a of actions) {
    const b = button(a.label, null, a.cls || '');
    b.addEventListener('click', async () => {
      if (!a.onClick) { close(); return; }
      b.disabled = true;
      try {
        if (await a.onClick(close, msg)) close();
      } finally { b.disabled = false; }
    });
    foot.appendChild(b);
  }
  const form = h('form', { method: 'dialog', class: 'dialog-form' },
    h('h2', { text: title }), msg, body, foot);
  // Enter in a text field presses the first primary action, not "close".
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const primary = foot.querySelector('.btn-primary, .btn-danger');
    if (primary && !primary.disabled) primary.click();
  });
  dlg.appendChild(form);
  dlg.addEventListener('close', () => { dlg.remove(); if (onClose) onClose(); });
  document.body.appendChild(dlg);
  dlg.showModal();
  const first = body.querySelector('input, select, textarea');
  if (first) first.focus();
  return { dialog: dlg, close, body, msg };
}

export function confirmDialog(title, text, okLabel, cls = 'btn-primary') {
  return new Promise((resolve) => {
    let ok = false;
    openDialog({
      title,
      content: h('p', { text }),
      actions: [
        { label: t('cancel'), cls: 'btn-plain' },
        { label: okLabel, cls, onClick: () => { ok = true; return true; } },
      ],
      onClose: () => resolve(ok),
    });
  });
}

// Journal action → words.
export function actionLabel(action) {
  const k = `action.${action}`;
  const s = t(k);
  return s === k ? action : s;
}

// Label for a field of a journaled record (device fields, then user fields).
function recordFieldLabel(entityType, name) {
  if (entityType === 'device') return fieldLabel(name);
  const k = `rec.${name}`;
  const s = t(k);
  return s === k ? fieldLabel(name) : s;
}

// A screen module may name the values of its records' enumerated fields as
// 'val.<entity>.<field>.<value>' (addMessages); others show as they are.
function fmtRecordValue(entityType, name, v) {
  if (v === null || v === undefined || v === '') return '';
  if (entityType === 'device') return fmtValue(name, v);
  if (typeof v === 'boolean') return v ? t('yes') : t('no');
  if (typeof v === 'object') return JSON.stringify(v);
  const k = `val.${entityType}.${name}.${v}`;
  const s = t(k);
  return s === k ? String(v) : s;
}

// What an entry changed: a list "label: before → after" (or the values of
// something added).
export function changeList(entry) {
  const type = entry.entity_type;
  const changes = diff(entry.before, entry.after);
  if (!changes.length) return null;
  const adding = !entry.before;
  return h('ul', { class: ['changes', adding ? 'changes-added' : ''] }, changes.map((c) => {
    const before = fmtRecordValue(type, c.field, c.before);
    const after = fmtRecordValue(type, c.field, c.after);
    return h('li', null,
      h('span', { class: 'chg-field', text: recordFieldLabel(type, c.field) }), ': ',
      adding ? null : h('span', { class: ['chg-before', before ? '' : 'chg-empty'], text: before || t('empty') }),
      adding ? null : h('span', { class: 'chg-arrow', text: ' → ' }),
      h('span', { class: ['chg-after', after ? '' : 'chg-empty'], text: after || t('empty') }));
  }));
}

// A table of journal entries.  showEntity: add the "what record" column.
export function historyTable(entries, { showEntity = false, newestFirst = true } = {}) {
  const rows = newestFirst ? entries.slice().reverse() : entries;
  return h('table', { class: 'grid history' },
    h('thead', null, h('tr', null,
      h('th', { class: 'col-seq', text: t('hist.seq') }),
      h('th', { class: 'col-time', text: t('hist.time') }),
      h('th', { class: 'col-actor', text: t('hist.actor') }),
      h('th', { class: 'col-action', text: t('hist.action') }),
      showEntity ? h('th', { class: 'col-entity', text: t('hist.entity') }) : null,
      h('th', { text: t('hist.changes') }))),
    h('tbody', null, rows.map((e) => h('tr', { dataset: { seq: e.seq, action: e.action } },
      h('td', { class: 'num', text: e.seq }),
      h('td', { class: 'nowrap', text: fmtTime(e.time, true) }),
      h('td', { text: e.actor }),
      h('td', { class: 'nowrap', text: actionLabel(e.action) }),
      showEntity ? h('td', null, entityCell(e)) : null,
      h('td', null, changeList(e))))));
}

function entityCell(e) {
  const type = e.entity_type;
  const label = (() => { const k = `entity.${type}`; const s = t(k); return s === k ? type : s; })();
  if (type === 'device' && e.entity_id) {
    return h('a', { href: `#/assets/${encodeURIComponent(e.entity_id)}` }, `${label} #${e.entity_id}`);
  }
  if (type === 'checklist' && /^\d+$/.test(e.entity_id || '')) return h('a', { href: `#/checklist/${e.entity_id}` }, `${label} #${e.entity_id}`);
  if (type === 'document' && e.entity_id) return h('a', { href: '#/documents' }, `${label} #${e.entity_id}`);
  if (type === 'checklist_wording' && e.entity_id) return `${label} ${e.entity_id}`;
  return e.entity_id ? `${label} #${e.entity_id}` : label;
}

// The role in the current language (the server gives the Japanese label).
export function roleLabel(u) {
  if (!u) return '';
  if (lang() === 'en') return t(`role.${u.role}`);
  return u.role_label || t(`role.${u.role}`);
}
