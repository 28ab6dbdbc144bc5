// ledger.js - #/assets: the device ledger.  Search (debounced), filters,
// sorting by column and paging all happen on the server (limit/offset), so
// the page stays fast with 100,000 devices: only PAGE rows are ever drawn.
// The filters live in the URL (#/assets?q=…&status=…&offset=…), so back,
// reload and the export links all keep them.
//
// #/assets?warning=CODE lists the devices of one dashboard warning (the
// device ids the dashboard gives, fetched one by one); #/assets?ids=1,2,3
// lists given devices the same way (at most 100).

import { h, replace, clear, fmtNum, fmtTime, debounce } from './dom.js';
import { get, qs } from './api.js';
import { t } from './i18n.js';
import { session, canWrite, isVendor } from './state.js';
import { fieldLabel, kinds, statuses, kindLabel, statusLabel } from './fields.js';
import { pageHead, message, select, button } from './ui.js';
import { warningText } from './dashboard.js';

export const PAGE = 50;
const KEYS = ['q', 'status', 'kind', 'department', 'sort', 'order', 'offset'];

const COLS = [
  { key: 'asset_tag', cls: 'col-tag' },
  { key: 'kind', cls: 'col-kind' },
  { key: 'model', cls: 'col-model' },
  { key: 'os', cls: 'col-os' },
  { key: 'ip', cls: 'col-ip' },
  { key: 'mac', cls: 'col-mac' },
  { key: 'department', cls: 'col-dept' },
  { key: 'owner', cls: 'col-owner' },
  { key: 'status', cls: 'col-status' },
];

let deptCache = { at: 0, list: [] };
async function departments() {
  if (Date.now() - deptCache.at < 60000) return deptCache.list;
  try {
    const d = await get('/api/v1/dashboard');
    deptCache = { at: Date.now(), list: Object.keys(d.devices.by_department || {}).filter((k) => k !== '(未設定)').sort((a, b) => a.localeCompare(b, 'ja')) };
  } catch (e) {
    if (e.handled) throw e;
  }
  return deptCache.list;
}

export function statusBadge(status) {
  return h('span', { class: `badge status-${status || 'none'}`, text: statusLabel(status) });
}

function colLabel(key) {
  if (key === 'asset_tag') return `${fieldLabel('asset_tag')} / ${fieldLabel('hostname')}`;
  return fieldLabel(key);
}

function cell(cls, text, extra = {}) {
  return h('td', { class: cls, title: text && text.length > 14 ? text : null, ...extra }, text || '');
}

// The OS, with a mark when its support has ended or ends within a year.
function osCell(a) {
  const td = cell('col-os', a.os);
  const st = a.eos && a.eos.status;
  if (st === 'ended' || st === 'ending') {
    // first, so that a long OS name is what gets cut, not the mark
    td.insertBefore(h('span', { class: `badge eos-${st}`, text: t(`eos.${st}_short`),
      title: a.eos.eol ? t('ledger.eos_until', { date: a.eos.eol }) : null }), td.firstChild);
    if (!td.title) td.title = `${a.os || ''} — ${t(`eos.${st}`)}${a.eos.eol ? ` (${a.eos.eol})` : ''}`;
  }
  return td;
}

function rowOf(a) {
  const name = a.asset_tag || a.hostname || a.mac || `#${a.id}`;
  const tr = h('tr', { class: 'row-link', dataset: { id: a.id } },
    h('td', { class: 'col-tag', title: a.asset_tag && a.hostname ? `${a.asset_tag} / ${a.hostname}` : null },
      h('a', { href: `#/assets/${a.id}`, class: 'tag-link', text: name }),
      a.asset_tag && a.hostname ? h('span', { class: 'host', text: a.hostname }) : null),
    cell('col-kind', kindLabel(a.kind)),
    cell('col-model', a.model),
    osCell(a),
    cell('col-ip mono', a.ip),
    cell('col-mac mono', a.mac),
    cell('col-dept', a.department),
    cell('col-owner', a.owner),
    h('td', { class: 'col-status' }, statusBadge(a.status)));
  return tr;
}

// The table of devices; onSort(key) when a sortable header is clicked.
export function deviceTable(items, { sort = '', order = 'asc', onSort = null } = {}) {
  const head = h('tr', null, COLS.map((c) => {
    const active = sort === c.key;
    const th = h('th', {
      class: c.cls, scope: 'col',
      'aria-sort': active ? (order === 'desc' ? 'descending' : 'ascending') : null,
    });
    if (onSort) {
      th.appendChild(h('button', { type: 'button', class: ['sort', active ? 'active' : ''], dataset: { sort: c.key },
        onclick: () => onSort(c.key) },
        colLabel(c.key), h('span', { class: 'sort-mark', 'aria-hidden': 'true', text: active ? (order === 'desc' ? '▼' : '▲') : '↕' })));
    } else th.textContent = colLabel(c.key);
    return th;
  }));
  const body = h('tbody');
  if (!items.length) {
    body.appendChild(h('tr', { class: 'empty' }, h('td', { colspan: COLS.length, text: t('ledger.empty') })));
  } else {
    const frag = document.createDocumentFragment();
    for (const a of items) frag.appendChild(rowOf(a));
    body.appendChild(frag);
  }
  body.addEventListener('click', (ev) => {
    if (ev.target.closest('a')) return;
    const tr = ev.target.closest('tr[data-id]');
    if (tr && !window.getSelection().toString()) location.hash = `#/assets/${tr.dataset.id}`;
  });
  return h('table', { class: 'grid ledger', id: 'ledger-table' }, h('thead', null, head), body);
}

function exportMenu(state) {
  const base = { status: state.status, kind: state.kind, department: state.department, q: state.q, sort: state.sort, order: state.order };
  const link = (label, params, id) => h('a', { href: `/api/v1/assets/export${qs({ ...params, ...base })}`, download: '', id, class: 'menu-item' }, label);
  return h('details', { class: 'menu', id: 'export-menu' },
    h('summary', { class: 'btn' }, t('ledger.export')),
    h('div', { class: 'menu-list' },
      h('div', { class: 'menu-note', text: t('ledger.export_note') }),
      link(t('ledger.export_csv_utf8'), { format: 'csv', encoding: 'utf-8' }, 'export-csv-utf8'),
      link(t('ledger.export_csv_sjis'), { format: 'csv', encoding: 'cp932' }, 'export-csv-sjis'),
      link(t('ledger.export_xlsx'), { format: 'xlsx' }, 'export-xlsx'),
      link(t('ledger.export_pdf'), { format: 'pdf' }, 'export-pdf'),
      link(t('ledger.export_json'), { format: 'json' }, 'export-json')));
}

function printHeader(title, detail) {
  return h('div', { class: 'print-only print-head' },
    h('div', { class: 'print-facility', text: session.facility ? session.facility.name : '' }),
    h('div', { class: 'print-title', text: title }),
    detail ? h('div', { class: 'print-detail', text: detail }) : null,
    h('div', { class: 'print-date', text: t('print.printed', { date: fmtTime(new Date().toISOString()) }) }));
}

async function mapLimit(items, n, fn) {
  const out = new Array(items.length);
  let i = 0;
  const worker = async () => {
    while (i < items.length) {
      const k = i++;
      out[k] = await fn(items[k]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

async function renderWarning(main, ctx, code) {
  ctx.setTitle(t('nav.assets'));
  main.appendChild(h('p', { class: 'loading', text: t('loading') }));
  const d = await get('/api/v1/dashboard');
  const w = (d.warnings || []).find((x) => x.code === code);
  const back = h('a', { class: 'btn', href: '#/assets' }, t('ledger.back_all'));
  if (!w) {
    replace(main, pageHead(t('nav.assets'), null, [back]), message('ok', t('ledger.warning_gone')));
    return;
  }
  const got = await mapLimit(w.devices || [], 6, async (id) => {
    try { return (await get(`/api/v1/assets/${id}`)).asset; } catch (e) { if (e.handled) throw e; return null; }
  });
  const items = got.filter(Boolean);
  replace(main,
    pageHead(warningText(w), t('ledger.warning_hint'), [back, button(t('print'), () => window.print(), '', { id: 'print-btn' })]),
    printHeader(t('nav.assets'), warningText(w)),
    h('p', { class: 'summary', id: 'ledger-summary' },
      t('ledger.warning_count', { n: fmtNum(w.count) }),
      w.count > items.length ? ` ${t('ledger.warning_sample', { n: fmtNum(items.length) })}` : ''),
    h('div', { class: 'table-wrap' }, deviceTable(items)));
}

async function renderIds(main, ctx, ids) {
  ctx.setTitle(t('nav.assets'));
  main.appendChild(h('p', { class: 'loading', text: t('loading') }));
  const got = await mapLimit(ids, 6, async (id) => {
    try { return (await get(`/api/v1/assets/${id}`)).asset; } catch (e) { if (e.handled) throw e; return null; }
  });
  const items = got.filter(Boolean);
  replace(main,
    pageHead(t('ledger.ids_title'), t('ledger.warning_hint'), [h('a', { class: 'btn', href: '#/assets' }, t('ledger.back_all')),
      button(t('print'), () => window.print(), '', { id: 'print-btn' })]),
    printHeader(t('nav.assets'), t('ledger.ids_title')),
    h('p', { class: 'summary', id: 'ledger-summary' }, t('ledger.ids_count', { n: fmtNum(items.length) }),
      items.length < ids.length ? ` ${t('ledger.ids_missing', { n: fmtNum(ids.length - items.length) })}` : ''),
    h('div', { class: 'table-wrap' }, deviceTable(items)));
}

export async function render(main, ctx) {
  if (ctx.query.get('warning')) return renderWarning(main, ctx, ctx.query.get('warning'));
  if (ctx.query.get('ids')) {
    const ids = [...new Set(ctx.query.get('ids').split(',').map((x) => x.trim()).filter((x) => /^[1-9]\d{0,17}$/.test(x)))].slice(0, 100);
    return renderIds(main, ctx, ids);
  }
  ctx.setTitle(t('nav.assets'));
  const state = {};
  for (const k of KEYS) state[k] = ctx.query.get(k) || '';
  state.offset = Math.max(0, parseInt(state.offset, 10) || 0);
  let ctl = null;
  let seq = 0;

  const search = h('input', { type: 'search', id: 'ledger-search', class: 'search', value: state.q,
    placeholder: t('ledger.search_ph'), 'aria-label': t('ledger.search'), autocomplete: 'off' });
  const fStatus = select([{ value: '', label: t('ledger.all_status') }, ...statuses().map((s) => ({ value: s.value, label: statusLabel(s.value) }))],
    state.status, { id: 'filter-status', 'aria-label': fieldLabel('status') });
  const fKind = select([{ value: '', label: t('ledger.all_kinds') }, ...kinds().map((k) => ({ value: k.value, label: kindLabel(k.value) }))],
    state.kind, { id: 'filter-kind', 'aria-label': fieldLabel('kind') });
  const fDept = select([{ value: '', label: t('ledger.all_departments') }].concat(state.department ? [{ value: state.department, label: state.department }] : []),
    state.department, { id: 'filter-department', 'aria-label': fieldLabel('department') });
  const clearBtn = button(t('ledger.clear'), () => {
    search.value = ''; fStatus.value = ''; fKind.value = ''; fDept.value = '';
    Object.assign(state, { q: '', status: '', kind: '', department: '', sort: '', order: '', offset: 0 });
    load();
  }, 'btn-plain', { id: 'filter-clear' });

  const summary = h('p', { class: 'summary', id: 'ledger-summary', 'aria-live': 'polite' });
  const pagerTop = h('div', { class: 'pager no-print' });
  const pagerBottom = h('div', { class: 'pager no-print' });
  const wrap = h('div', { class: 'table-wrap' }, h('p', { class: 'loading', text: t('loading') }));
  const exportSlot = h('span');
  const printHead = h('span');

  const actions = [];
  if (canWrite()) {
    actions.push(h('a', { class: 'btn btn-primary', href: '#/assets/new', id: 'add-device' }, t('ledger.add')));
    actions.push(h('a', { class: 'btn', href: '#/import', id: 'import-link' }, t('ledger.import')));
  }
  actions.push(exportSlot);
  actions.push(button(t('print'), () => window.print(), '', { id: 'print-btn' }));

  replace(main,
    pageHead(t('nav.assets'), canWrite() ? t('ledger.hint') : isVendor() ? t('ledger.hint_vendor') : t('ledger.hint_ro'), actions),
    printHead,
    h('div', { class: 'toolbar no-print' }, search, fStatus, fKind, fDept, clearBtn),
    h('div', { class: 'summary-row' }, summary, pagerTop),
    wrap,
    pagerBottom);

  departments().then((list) => {
    for (const d of list) if (d !== state.department) fDept.appendChild(h('option', { value: d, text: d }));
  }).catch(() => {});

  const syncUrl = () => {
    const p = {};
    for (const k of KEYS) if (state[k] && !(k === 'offset' && !state.offset)) p[k] = state[k];
    history.replaceState(null, '', `#/assets${qs(p)}`);
  };

  const pager = (total) => {
    const pages = Math.max(1, Math.ceil(total / PAGE));
    const page = Math.floor(state.offset / PAGE) + 1;
    const go = (p) => { state.offset = (Math.min(Math.max(1, p), pages) - 1) * PAGE; load(); };
    const mk = () => {
      const input = h('input', { type: 'number', class: 'page-input', min: '1', max: String(pages), value: String(page), 'aria-label': t('ledger.page') });
      input.addEventListener('change', () => go(parseInt(input.value, 10) || 1));
      return h('div', { class: 'pager-inner' },
        button('«', () => go(1), 'btn-small', { disabled: page <= 1, title: t('ledger.first'), 'aria-label': t('ledger.first') }),
        button(`‹ ${t('ledger.prev')}`, () => go(page - 1), 'btn-small pager-prev', { disabled: page <= 1 }),
        h('span', { class: 'page-of' }, input, ` / ${fmtNum(pages)}`),
        button(`${t('ledger.next')} ›`, () => go(page + 1), 'btn-small pager-next', { disabled: page >= pages }),
        button('»', () => go(pages), 'btn-small', { disabled: page >= pages, title: t('ledger.last'), 'aria-label': t('ledger.last') }));
    };
    replace(pagerTop, pages > 1 ? mk() : '');
    replace(pagerBottom, pages > 1 && total > 15 ? mk() : '');
  };

  async function load() {
    syncUrl();
    replace(exportSlot, exportMenu(state));
    const filters = [
      state.q ? `${t('ledger.search')}: ${state.q}` : '',
      state.status ? statusLabel(state.status) : '',
      state.kind ? kindLabel(state.kind) : '',
      state.department || '',
    ].filter(Boolean).join(' / ');
    replace(printHead, printHeader(t('nav.assets'), filters));
    if (ctl) ctl.abort();
    ctl = new AbortController();
    const my = ++seq;
    wrap.classList.add('is-loading');
    try {
      const res = await get(`/api/v1/assets${qs({
        q: state.q, status: state.status, kind: state.kind, department: state.department,
        sort: state.sort, order: state.sort ? (state.order || 'asc') : '', limit: PAGE, offset: state.offset,
      })}`, { signal: ctl.signal });
      if (my !== seq) return;
      if (res.total > 0 && state.offset >= res.total) { // past the end (rows gone): last page
        state.offset = Math.floor((res.total - 1) / PAGE) * PAGE;
        load();
        return;
      }
      const from = res.total ? state.offset + 1 : 0;
      const to = state.offset + res.items.length;
      replace(summary,
        h('strong', { id: 'ledger-total', dataset: { total: res.total }, text: fmtNum(res.total) }),
        ` ${t('ledger.count_unit')}`,
        res.total ? ` ${t('ledger.showing', { from: fmtNum(from), to: fmtNum(to) })}` : '',
        filters ? h('span', { class: 'summary-filters', text: ` (${filters})` }) : '');
      replace(wrap, deviceTable(res.items, {
        sort: state.sort, order: state.order || 'asc',
        onSort: (key) => {
          if (state.sort === key) state.order = state.order === 'desc' ? 'asc' : 'desc';
          else { state.sort = key; state.order = 'asc'; }
          state.offset = 0;
          load();
        },
      }));
      pager(res.total);
    } catch (e) {
      if (e.name === 'AbortError' || e.handled) return;
      if (my !== seq) return;
      replace(wrap, message('error', e.message));
    } finally {
      if (my === seq) wrap.classList.remove('is-loading');
    }
  }

  const onSearch = debounce(() => {
    if (search.value.trim() === state.q) return;
    state.q = search.value.trim();
    state.offset = 0;
    load();
  }, 300);
  search.addEventListener('input', onSearch);
  search.addEventListener('keydown', (ev) => { if (ev.key === 'Enter') { onSearch.cancel(); state.q = search.value.trim(); state.offset = 0; load(); } });
  for (const [sel, key] of [[fStatus, 'status'], [fKind, 'kind'], [fDept, 'department']]) {
    sel.addEventListener('change', () => { state[key] = sel.value; state.offset = 0; load(); });
  }
  await load();
  return () => { onSearch.cancel(); if (ctl) ctl.abort(); clear(main); };
}
