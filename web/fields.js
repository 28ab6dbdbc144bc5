// fields.js - the device fields (GET /api/v1/assets/fields, loaded once),
// their labels in the current language, value formatting, and the
// before → after comparison used by the history, the journal and imports.

import { get } from './api.js';
import { lang, t } from './i18n.js';

let vocab = null;
let loading = null;

export async function loadFields() {
  if (vocab) return vocab;
  if (!loading) {
    loading = get('/api/v1/assets/fields').then((v) => {
      vocab = v;
      vocab.byName = Object.fromEntries(v.fields.map((f) => [f.name, f]));
      return v;
    }).finally(() => { loading = null; });
  }
  return loading;
}

export function fields() { return vocab ? vocab.fields : []; }
export function field(name) { return vocab ? vocab.byName[name] : null; }

// Label of a device field in the current language ("ip" → IPアドレス).
export function fieldLabel(name) {
  const f = field(name);
  if (f) return lang() === 'en' ? f.label_en : f.label;
  const key = `field.${name}`;
  const tr = t(key);
  return tr === key ? name : tr;
}

export function kinds() { return vocab ? vocab.kinds : []; }
export function statuses() { return vocab ? vocab.statuses : []; }

export function kindLabel(v) {
  if (!v) return '';
  if (lang() === 'en') { const k = `kind.${v}`; const s = t(k); if (s !== k) return s; }
  const k = kinds().find((x) => x.value === v);
  return k ? k.label : v;
}

export function statusLabel(v) {
  if (!v) return '';
  if (lang() === 'en') { const k = `status.${v}`; const s = t(k); if (s !== k) return s; }
  const s = statuses().find((x) => x.value === v);
  return s ? s.label : v;
}

// Kind value for a label the dashboard uses (サーバ → server).
export function kindValueOfLabel(label) {
  const k = kinds().find((x) => x.label === label);
  return k ? k.value : null;
}

export function statusValueOfLabel(label) {
  const s = statuses().find((x) => x.label === label);
  return s ? s.value : null;
}

// A field's value as people read it.
export function fmtValue(name, v) {
  if (v === undefined || v === null || v === '') return '';
  const f = field(name);
  const type = f ? f.type : null;
  if (type === 'bool' || typeof v === 'boolean') return v === true || v === '1' ? t('yes') : t('no');
  if (type === 'kind') return kindLabel(v);
  if (type === 'status') return statusLabel(v);
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

const SKIP = new Set(['id', 'created_at', 'updated_at']);

// [{field, before, after}] for the keys whose values differ, in field order.
export function diff(before, after) {
  const b = before && typeof before === 'object' ? before : {};
  const a = after && typeof after === 'object' ? after : {};
  const keys = [];
  const order = fields().map((f) => f.name);
  for (const k of order) if (k in a || k in b) keys.push(k);
  for (const k of Object.keys(b).concat(Object.keys(a))) if (!keys.includes(k)) keys.push(k);
  const out = [];
  for (const k of keys) {
    if (SKIP.has(k)) continue;
    const x = b[k] ?? null;
    const y = a[k] ?? null;
    if (JSON.stringify(x) !== JSON.stringify(y)) out.push({ field: k, before: x, after: y });
  }
  return out;
}
