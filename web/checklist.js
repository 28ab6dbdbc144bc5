// checklist.js - the MHLW cybersecurity checklist (docs/API.md "Checklist").
//
//   #/checklist[?fy=2026&tab=own|vendors&round=1]   the facility's own sheet of a
//        fiscal year (or the button that starts it), and the 事業者確認用 tab:
//        the contracted vendors, their status, 依頼 / 確認済 / 差し戻し
//   #/checklist/12[?round=1]   one sheet (a vendor's sheet for the hospital; a
//        vendor account answers and submits its own here)
//
// A sheet shows every item once, in order, as a compact row: number,
// wording (the officer's official wording, else the catalog's, else the
// presumed one in grey, else 文言未確認), what the records say (evidence),
// and the answer of the round chosen at the top (はい / いいえ, 確認日, 目標日
// for いいえ, note).  Earlier rounds show read-only beside it.  A change is
// saved at once (PUT …/answers); the server answers the sheet's view
// without evidence, so only the changed row (or, after the gate item, every
// row) is drawn again and the evidence loaded with the sheet is kept.

import { h, replace, clear, fmtTime, today, fmtNum } from './dom.js';
import { api, get, post, qs } from './api.js';
import { t, lang } from './i18n.js';
import { session, isVendor } from './state.js';
import { pageHead, message, showMessage, button, formField, select, openDialog, busy } from './ui.js';

const ROUNDS = [1, 2, 3];

export const canManageChecklist = () => ['admin', 'officer'].includes(session.user ? session.user.role : '');

// 令和8年度 / FY2026.
export function fyLabel(fy) {
  if (lang() === 'en') return `FY${fy}`;
  if (fy === 2019) return '令和元年度';
  return fy > 2019 ? `令和${fy - 2018}年度` : `${fy}年度`;
}

export function statusLabel(sheet) {
  if (!sheet) return t('cl.status.none');
  if (sheet.status === 'requested' && sheet.review_note) return t('cl.status.returned');
  const k = `cl.status.${sheet.status}`;
  const s = t(k);
  return s === k ? (sheet.status_label || sheet.status) : s;
}

// none (未依頼), requested, returned (差し戻し: requested with a reason), answered, reviewed, open.
function statusKey(sheet) {
  if (!sheet) return 'none';
  return sheet.status === 'requested' && sheet.review_note ? 'returned' : sheet.status;
}

function statusBadge(sheet) {
  const st = statusKey(sheet);
  return h('span', { class: `badge cl-status cl-status-${st}`, dataset: { status: st }, text: statusLabel(sheet) });
}

function formLabel(form, fallback) {
  const k = `cl.form.${form}`;
  const s = t(k);
  return s === k ? (fallback || form || '') : s;
}

function outcomeLabel(ev) {
  const k = `ev.${ev.outcome}`;
  const s = t(k);
  return s === k ? (ev.outcome_label || ev.outcome) : s;
}

// ---- the page ----------------------------------------------------------------

export async function render(main, ctx) {
  ctx.setTitle(t('nav.checklist'));
  main.appendChild(h('p', { class: 'loading', text: t('loading') }));
  const fyWanted = ctx.query.get('fy') || '';
  const list = await get(`/api/v1/checklists${qs({ fiscal_year: fyWanted })}`);
  const fy = list.fiscal_year;
  const tab = isVendor() ? 'own' : (ctx.query.get('tab') === 'vendors' ? 'vendors' : 'own');

  const yearSel = select((list.years || []).map((y) => ({ value: y.fiscal_year, label: fyLabel(y.fiscal_year) })), fy,
    { id: 'cl-year', 'aria-label': t('cl.year') });
  yearSel.addEventListener('change', () => ctx.navigate(`#/checklist${qs({ fy: yearSel.value, tab: tab === 'own' ? '' : tab })}`));

  const tabs = isVendor() ? null : h('div', { class: 'subtabs', role: 'tablist' },
    h('a', { class: ['subtab', tab === 'own' ? 'active' : ''], href: `#/checklist${qs({ fy })}`, id: 'cl-tab-own',
      role: 'tab', 'aria-selected': tab === 'own' ? 'true' : 'false' },
    t('cl.tab_own', { form: formLabel(list.facility && list.facility.form, list.facility && list.facility.form_label) })),
    h('a', { class: ['subtab', tab === 'vendors' ? 'active' : ''], href: `#/checklist${qs({ fy, tab: 'vendors' })}`, id: 'cl-tab-vendors',
      role: 'tab', 'aria-selected': tab === 'vendors' ? 'true' : 'false' },
    t('cl.tab_vendors'), list.vendors ? h('span', { class: 'subtab-count', text: fmtNum(list.vendors.length) }) : null));

  const body = h('div', { class: 'cl-body' });
  let hint;
  if (isVendor()) hint = t('cl.hint_vendor');
  else if (tab === 'vendors') hint = canManageChecklist() ? t('cl.hint_vendors') : t('cl.hint_ro');
  else if (!list.facility_sheet) hint = canManageChecklist() ? t('cl.hint_start', { fy: fyLabel(fy) }) : t('cl.hint_ro');
  else hint = canManageChecklist() ? t('cl.hint_answer') : t('cl.hint_ro');

  replace(main,
    pageHead(t('cl.title'), hint, [h('label', { class: 'year-pick', for: 'cl-year' }, t('cl.year')), yearSel]),
    tabs, body);

  if (isVendor()) return renderVendorHome(body, list, ctx);
  if (tab === 'vendors') return renderVendors(body, list, ctx);
  if (list.facility_sheet) return renderSheet(body, list.facility_sheet.id, ctx, { list });
  return renderStart(body, list, ctx);
}

// #/checklist/12
export async function renderSheetPage(main, ctx) {
  ctx.setTitle(t('nav.checklist'));
  main.appendChild(h('p', { class: 'loading', text: t('loading') }));
  const body = h('div', { class: 'cl-body' });
  const back = h('a', { class: 'btn', href: '#/checklist', id: 'cl-back' }, t('cl.back'));
  try {
    await renderSheet(body, ctx.params[0], ctx, { head: (title, hint, actions) => pageHead(title, hint, [back, ...actions]), main });
  } catch (e) {
    if (e.status === 404) {
      replace(main, pageHead(t('cl.title'), null, [back]), message('warn', t('cl.not_found', { id: ctx.params[0] })));
      return;
    }
    throw e;
  }
}

function renderStart(body, list, ctx) {
  const fy = list.fiscal_year;
  const ed = list.edition;
  if (!ed) {
    replace(body, message('warn', t('cl.no_edition', { fy: fyLabel(fy) })));
    return;
  }
  const slot = h('div', { class: 'msg-slot' });
  const start = canManageChecklist()
    ? button(t('cl.start', { fy: fyLabel(fy) }), async () => {
      try {
        await busy(start, () => post('/api/v1/checklists', { fiscal_year: fy }));
        ctx.navigate(`#/checklist${qs({ fy })}`);
      } catch (e) { if (!e.handled) showMessage(slot, 'error', e.message); }
    }, 'btn-primary btn-big', { id: 'cl-start' })
    : null;
  replace(body, h('section', { class: 'panel cl-start' },
    h('h2', { text: t('cl.not_started', { fy: fyLabel(fy) }) }),
    h('dl', { class: 'kv cl-edition-kv' },
      h('dt', { text: t('cl.edition') }), h('dd', { id: 'cl-edition-title', text: `${ed.title} (${fyLabel(ed.fiscal_year)})` }),
      h('dt', { text: t('cl.form') }), h('dd', { text: formLabel(ed.form, ed.form_label) }),
      h('dt', { text: t('cl.items') }), h('dd', { text: t('cl.items_n', { n: ed.items }) }),
      h('dt', { text: t('cl.unconfirmed') }), h('dd', null, h('span', { class: 'badge badge-warn', text: t('cl.unconfirmed_n', { n: ed.unconfirmed }) }))),
    ed.fiscal_year !== fy ? message('info', t('cl.older_edition', { fy: fyLabel(fy), ed: fyLabel(ed.fiscal_year) })) : null,
    h('p', { class: 'muted', text: t('cl.unconfirmed_explain') }),
    slot,
    start ? h('div', { class: 'form-actions' }, start) : message('info', t('cl.not_started_ro'))));
}

// ---- vendors --------------------------------------------------------------

function progressText(p) {
  if (!p) return '';
  return t('cl.progress_short', { answered: fmtNum(p.answered), needed: fmtNum(p.needed) });
}

function dateOf(s) { return s ? fmtTime(s).slice(0, 10) || s : ''; }

function returnDialog(sheet, done) {
  const note = h('textarea', { id: 'cl-return-note', rows: 4 });
  const f = formField(t('cl.return_note'), note, { required: true, hint: t('cl.return_note_hint') });
  openDialog({
    title: t('cl.return_title', { name: sheet.vendor_name || '' }),
    content: [h('p', { class: 'dialog-lead', text: t('cl.return_lead') }), f.el],
    actions: [
      { label: t('cancel'), cls: 'btn-plain' },
      {
        label: t('cl.return'), cls: 'btn-danger', onClick: async (close, msg) => {
          f.setError('');
          if (!note.value.trim()) { f.setError(t('cl.return_note_required')); note.focus(); return false; }
          try {
            await post(`/api/v1/checklists/${sheet.id}/review`, { action: 'return', note: note.value.trim() });
            done();
            return true;
          } catch (e) {
            if (e.handled) return true;
            if (e.field === 'note') f.setError(e.message); else showMessage(msg, 'error', e.message);
            return false;
          }
        },
      },
    ],
  });
}

async function review(sheet, action, slot, done) {
  try {
    await post(`/api/v1/checklists/${sheet.id}/review`, { action });
    done();
  } catch (e) { if (!e.handled) showMessage(slot, 'error', e.message); }
}

// The review buttons of an answered (or reviewed) vendor sheet.
function reviewButtons(sheet, slot, done) {
  if (!canManageChecklist()) return [];
  if (sheet.status === 'answered') {
    return [
      button(t('cl.accept'), (ev) => busy(ev.currentTarget, () => review(sheet, 'accept', slot, done)), 'btn-primary btn-small', { dataset: { act: 'accept' } }),
      button(t('cl.return'), () => returnDialog(sheet, done), 'btn-danger-outline btn-small', { dataset: { act: 'return' } }),
    ];
  }
  if (sheet.status === 'reviewed') {
    return [button(t('cl.reopen'), (ev) => busy(ev.currentTarget, () => review(sheet, 'reopen', slot, done)), 'btn-small', { dataset: { act: 'reopen' } })];
  }
  return [];
}

function renderVendors(body, list, ctx) {
  const fy = list.fiscal_year;
  const slot = h('div', { class: 'msg-slot', id: 'cl-vendors-msg' });
  const reload = () => ctx.navigate(`#/checklist${qs({ fy, tab: 'vendors' })}`);
  const vendors = list.vendors || [];
  const rows = vendors.map((v) => {
    const s = v.sheet;
    const acts = [];
    if (!s) {
      if (canManageChecklist() && list.vendor_edition) {
        const b = button(t('cl.request'), async () => {
          try {
            await busy(b, () => post('/api/v1/checklists/vendor-requests', { fiscal_year: fy, vendor_id: v.id }));
            showMessage(slot, 'ok', t('cl.requested_done', { name: v.name }));
            reload();
          } catch (e) { if (!e.handled) showMessage(slot, 'error', e.message); }
        }, 'btn-primary btn-small', { dataset: { act: 'request' } });
        acts.push(b);
      }
    } else {
      acts.push(h('a', { class: 'btn btn-small', href: `#/checklist/${s.id}`, dataset: { act: 'open' } }, t('cl.open')));
      acts.push(...reviewButtons({ ...s, vendor_name: v.name }, slot, reload));
    }
    return h('tr', { dataset: { vendor: v.id, status: statusKey(s) } },
      h('td', null, h('div', { class: 'cl-vendor-name', text: v.name }),
        s && s.review_note ? h('div', { class: 'sub', text: t('cl.review_note', { note: s.review_note }) }) : null),
      h('td', { class: 'num', text: fmtNum(v.contracts) }),
      h('td', null, statusBadge(s)),
      h('td', { class: 'nowrap', text: s ? dateOf(s.requested_at) : '' }),
      h('td', { class: 'nowrap', text: s ? dateOf(s.submitted_at || s.answered_at) : '' }),
      h('td', { class: 'nowrap', text: s ? dateOf(s.reviewed_at) : '' }),
      h('td', { class: 'nowrap', text: s ? progressText(s.progress) : '' }),
      h('td', { class: 'actions' }, h('div', { class: 'btn-row' }, acts)));
  });
  replace(body,
    slot,
    list.vendor_edition ? null : message('warn', t('cl.no_vendor_edition', { fy: fyLabel(fy) })),
    h('section', { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', { text: t('cl.vendors_title', { fy: fyLabel(fy) }) })),
      h('p', { class: 'muted small', text: t('cl.vendors_lead') }),
      vendors.length
        ? h('div', { class: 'table-wrap' }, h('table', { class: 'grid cl-vendors', id: 'cl-vendors' },
          h('thead', null, h('tr', null,
            h('th', { text: t('cl.v_vendor') }), h('th', { class: 'num', text: t('cl.v_contracts') }),
            h('th', { text: t('cl.v_status') }), h('th', { text: t('cl.v_requested') }),
            h('th', { text: t('cl.v_answered') }), h('th', { text: t('cl.v_reviewed') }),
            h('th', { text: t('cl.v_progress') }), h('th', { text: t('cl.v_actions') }))),
          h('tbody', null, rows)))
        : message('info', t('cl.no_vendors'))));
}

// A vendor account: its own sheets of the year; one is opened at once.
async function renderVendorHome(body, list, ctx) {
  const sheets = list.sheets || [];
  if (!sheets.length) {
    replace(body, message('info', t('cl.vendor_none', { fy: fyLabel(list.fiscal_year) })));
    return;
  }
  if (sheets.length === 1) return renderSheet(body, sheets[0].id, ctx, { list });
  replace(body, h('section', { class: 'panel' },
    h('table', { class: 'grid', id: 'cl-my-sheets' },
      h('thead', null, h('tr', null, h('th', { text: t('cl.form') }), h('th', { text: t('cl.v_status') }), h('th', { text: t('cl.v_progress') }), h('th'))),
      h('tbody', null, sheets.map((s) => h('tr', null,
        h('td', { text: `${fyLabel(s.fiscal_year)} ${formLabel(s.form, s.form_label)}` }),
        h('td', null, statusBadge(s)),
        h('td', { text: progressText(s.progress) }),
        h('td', null, h('a', { class: 'btn btn-small', href: `#/checklist/${s.id}` }, t('cl.open')))))))));
}

// ---- one sheet --------------------------------------------------------------

// The answer of an item in round r (1-based), or null.
const answerOf = (item, r) => (item.answers && item.answers[r - 1]) || null;

// The latest answered round of an item, up to r.
function latestAnswer(item, r = 3) {
  for (let i = r; i >= 1; i--) { const a = answerOf(item, i); if (a) return a; }
  return null;
}

function contradicted(item, r) {
  const a = latestAnswer(item, r);
  return !!(a && a.answer === 'yes' && item.evidence && item.evidence.outcome === 'contradicts');
}

function isUnconfirmed(item) {
  return !!item.unconfirmed && !item.official_wording;
}

async function renderSheet(body, id, ctx, opts = {}) {
  const view = await get(`/api/v1/checklists/${id}`);
  const sheet = view.sheet;
  // The evidence is about the hospital's own records: it judges the
  // facility's answers, not a vendor's.
  if (sheet.vendor_id) for (const sec of view.sections || []) for (const it of sec.items || []) it.evidence = null;
  const ed = view.edition || {};
  const own = !sheet.vendor_id;
  const vendorSheet = !own;
  let round = Math.min(3, Math.max(1, parseInt(ctx.query.get('round'), 10) || 1));
  if (vendorSheet) round = 1;

  const editable = () => {
    if (own) return canManageChecklist();
    if (isVendor()) return state.sheet.status === 'requested';
    return false;
  };
  const state = { view, sheet, round, pending: new Map(), rows: new Map() };
  const fy = sheet.fiscal_year;
  ctx.setTitle(`${t('nav.checklist')} ${fyLabel(fy)}`);

  const msgSlot = h('div', { class: 'msg-slot', id: 'cl-msg' });
  const badgeSlot = h('span');
  const progress = h('div', { class: 'cl-progress', id: 'cl-progress', 'aria-live': 'polite' });
  const unconfirmedSlot = h('div');
  const statusSlot = h('div');
  const sectionsEl = h('div', { class: 'cl-sections', id: 'cl-sections' });

  // round switch (facility sheets)
  const roundBtns = ROUNDS.map((r) => h('button', {
    type: 'button', class: ['seg', r === state.round ? 'active' : ''], id: `cl-round-${r}`,
    'aria-pressed': r === state.round ? 'true' : 'false',
    onclick: () => {
      state.round = r;
      for (const b of roundBtns) { const on = Number(b.dataset.round) === r; b.classList.toggle('active', on); b.setAttribute('aria-pressed', on ? 'true' : 'false'); }
      const q = new URLSearchParams(ctx.query); q.set('round', r);
      history.replaceState(null, '', `${location.hash.split('?')[0]}?${q.toString()}`);
      drawAll();
    },
    dataset: { round: r },
  }, t('cl.round_n', { n: r })));
  const roundSwitch = vendorSheet ? null : h('div', { class: 'cl-round' },
    h('span', { class: 'cl-round-label', text: t('cl.answering') }),
    h('div', { class: 'segmented', role: 'group', 'aria-label': t('cl.answering') }, roundBtns));

  const exp = (fmt, extra = {}) => `/api/v1/checklists/${id}/export${qs({ format: fmt, ...extra })}`;
  const exports = h('div', { class: 'cl-exports' },
    h('a', { class: 'btn btn-small', href: exp('xlsx'), download: '', id: 'cl-export-xlsx' }, t('cl.export_xlsx')),
    h('a', { class: 'btn btn-small', href: exp('csv', { encoding: 'utf-8' }), download: '', id: 'cl-export-csv' }, t('cl.export_csv')),
    own && !isVendor() ? h('a', { class: 'btn btn-small', href: `/api/v1/checklists/pack${qs({ fiscal_year: fy })}`, download: '', id: 'cl-pack' }, t('cl.export_pack')) : null);

  const who = own ? (view.facility && view.facility.name) || '' : sheet.vendor_name || '';
  const titleLine = h('div', { class: 'cl-sheet-head' },
    h('div', { class: 'cl-sheet-title' },
      h('h2', { id: 'cl-sheet-title' }, `${fyLabel(fy)} ${formLabel(ed.form || sheet.form, ed.form_label || sheet.form_label)}`),
      h('span', { class: 'cl-who', text: who }),
      badgeSlot),
    h('div', { class: 'cl-edition', id: 'cl-edition' },
      h('span', { text: ed.title || '' }),
      ed.fiscal_year && ed.fiscal_year !== fy ? h('span', { class: 'muted', text: ` — ${t('cl.edition_of', { fy: fyLabel(ed.fiscal_year) })}` }) : null,
      ed.published ? h('span', { class: 'muted', text: ` (${t('cl.published', { date: ed.published })})` }) : null));

  const toolbar = h('div', { class: 'cl-toolbar' }, roundSwitch, exports);

  function drawHeader() {
    const n = allItems().filter(isUnconfirmed).length;
    replace(unconfirmedSlot, n ? h('div', { class: 'msg msg-warn cl-unconfirmed-note', id: 'cl-unconfirmed-note' },
      h('strong', null, h('span', { class: 'badge badge-warn', text: t('cl.unconfirmed') }), ' ', t('cl.unconfirmed_n', { n })), ' ',
      t(canManageChecklist() && own ? 'cl.unconfirmed_todo' : 'cl.unconfirmed_explain')) : null);
    const s = state.sheet;
    const parts = [];
    replace(badgeSlot, vendorSheet ? statusBadge(s) : null);
    if (vendorSheet) {
      if (isVendor() && s.status === 'requested') {
        if (s.review_note) parts.push(message('warn', t('cl.returned_msg', { note: s.review_note })));
        const submit = button(t('cl.submit'), async () => {
          showMessage(msgSlot, 'info', '');
          try {
            const v = await busy(submit, () => post(`/api/v1/checklists/${id}/submit`, {}));
            merge(v);
            drawHeader();
            drawAll();
            showMessage(msgSlot, 'ok', t('cl.submitted'));
          } catch (e) { if (!e.handled) showMessage(msgSlot, 'error', e.message); }
        }, 'btn-primary', { id: 'cl-submit' });
        parts.push(h('div', { class: 'cl-submit-row' }, submit, h('span', { class: 'muted small', text: t('cl.submit_note') })));
      } else if (isVendor() && s.status === 'answered') {
        parts.push(message('ok', t('cl.vendor_answered')));
      } else if (isVendor() && s.status === 'reviewed') {
        parts.push(message('ok', t('cl.vendor_reviewed')));
      } else if (!isVendor()) {
        const acts = reviewButtons(s, msgSlot, async () => {
          const v = await get(`/api/v1/checklists/${id}`);
          merge(v, true);
          drawHeader();
          drawAll();
        });
        const info = s.status === 'requested' ? t('cl.waiting_vendor') : s.status === 'answered' ? t('cl.review_todo') : t('cl.reviewed_info');
        parts.push(h('div', { class: 'cl-review-row', id: 'cl-review' }, h('span', { text: info }), ...acts));
        if (s.review_note) parts.push(h('p', { class: 'muted small', text: t('cl.review_note', { note: s.review_note }) }));
      }
    }
    replace(statusSlot, parts);
  }

  function allItems() {
    const out = [];
    for (const sec of state.view.sections || []) for (const it of sec.items || []) out.push(it);
    return out;
  }

  // Skipped by the gate in this round, or not to be filled in at all.
  function notNeeded(item, r) {
    if (item.needed === false) return item.not_needed_reason || t('cl.not_needed');
    if (!item.gate && state.view.gate_no && state.view.gate_no[r - 1]) return t('cl.skipped');
    return null;
  }

  function drawProgress() {
    const r = state.round;
    let needed = 0; let answered = 0; let yes = 0; let no = 0; let contra = 0; let overdue = 0;
    for (const it of allItems()) {
      if (notNeeded(it, r)) continue;
      needed += 1;
      const a = answerOf(it, r);
      if (a) { answered += 1; if (a.answer === 'yes') yes += 1; else no += 1; }
      if (contradicted(it, r)) contra += 1;
      const l = latestAnswer(it, r);
      if (l && l.answer === 'no' && l.overdue) overdue += 1;
    }
    const pct = needed ? Math.round((answered / needed) * 100) : 0;
    const fill = h('span', { class: 'cl-bar-fill' });
    fill.style.width = `${pct}%`;
    replace(progress,
      h('div', { class: 'cl-prog-main' },
        h('span', { class: 'cl-prog-label', text: t('cl.round_n', { n: r }) }),
        h('strong', { id: 'cl-answered', dataset: { answered, needed }, text: t('cl.progress', { answered: fmtNum(answered), needed: fmtNum(needed) }) }),
        h('span', { class: 'cl-bar', role: 'progressbar', 'aria-valuenow': String(pct), 'aria-valuemin': '0', 'aria-valuemax': '100' }, fill)),
      h('span', { class: 'cl-prog-item', text: t('cl.count_yes', { n: fmtNum(yes) }) }),
      h('span', { class: 'cl-prog-item', text: t('cl.count_no', { n: fmtNum(no) }) }),
      own ? h('span', { class: ['cl-prog-item', contra ? 'bad' : ''], id: 'cl-contradictions', dataset: { n: contra }, text: t('cl.count_contra', { n: fmtNum(contra) }) }) : null,
      h('span', { class: ['cl-prog-item', overdue ? 'bad' : ''], id: 'cl-overdue', dataset: { n: overdue }, text: t('cl.count_overdue', { n: fmtNum(overdue) }) }));
  }

  // The new view replaces the old; the evidence loaded first stays.
  function merge(v, withEvidence = false) {
    if (v.sheet && v.sheet.vendor_id) withEvidence = false;
    if (!withEvidence || !v.sections) {
      const ev = new Map();
      for (const it of allItems()) if (it.evidence) ev.set(it.id, it.evidence);
      for (const sec of v.sections || []) for (const it of sec.items || []) if (!it.evidence && ev.has(it.id)) it.evidence = ev.get(it.id);
    }
    state.view = v;
    state.sheet = v.sheet || state.sheet;
  }

  function findItem(itemId) { return allItems().find((x) => x.id === itemId); }

  async function send(item, r, fields) {
    const cur = answerOf(item, r) || {};
    const p = state.pending.get(`${item.id}/${r}`) || {};
    const b = {
      item_id: item.id, round: r,
      answer: fields.answer ?? p.answer ?? cur.answer,
      confirmed_on: fields.confirmed_on ?? p.confirmed_on ?? cur.confirmed_on ?? today(),
      target_on: fields.target_on ?? p.target_on ?? cur.target_on ?? '',
      note: fields.note ?? p.note ?? cur.note ?? '',
      links: cur.links || [],
    };
    if (b.answer === 'yes') b.target_on = '';
    const key = `${item.id}/${r}`;
    state.pending.set(key, { answer: b.answer, confirmed_on: b.confirmed_on, target_on: b.target_on, note: b.note });
    if (!b.answer) { drawRow(item.id); return; }
    if (b.answer === 'no' && !b.target_on) { drawRow(item.id, { target: t('cl.target_needed'), targetInfo: true }); return; }
    const row = state.rows.get(item.id);
    if (row) row.classList.add('saving');
    try {
      const v = await api('PUT', `/api/v1/checklists/${id}/answers`, { body: { ...b, target_on: b.target_on || null, note: b.note || null } });
      state.pending.delete(key);
      const gateChanged = item.gate;
      merge(v);
      if (gateChanged) drawAll(); else { drawRow(item.id, { saved: true }); drawProgress(); }
    } catch (e) {
      if (row) row.classList.remove('saving');
      if (e.handled) return;
      const err = {};
      if (e.field === 'target_on') err.target = e.message;
      else if (e.field === 'confirmed_on') err.confirmed = e.message;
      else if (e.field === 'note') err.note = e.message;
      else err.row = e.message;
      drawRow(item.id, err);
    }
  }

  async function clearAnswer(item, r) {
    state.pending.delete(`${item.id}/${r}`);
    if (!answerOf(item, r)) { drawRow(item.id); return; }
    try {
      const v = await api('DELETE', `/api/v1/checklists/${id}/answers${qs({ item_id: item.id, round: r })}`);
      merge(v);
      if (item.gate) drawAll(); else { drawRow(item.id); drawProgress(); }
    } catch (e) { if (!e.handled) drawRow(item.id, { row: e.message }); }
  }

  function wordingDialog(item) {
    const w = h('textarea', { id: 'cl-wording-text', rows: 4 });
    w.value = (item.official_wording && item.official_wording.wording) || item.wording || '';
    const src = h('input', { type: 'text', id: 'cl-wording-source', placeholder: t('cl.wording_source_ph') });
    if (item.official_wording) src.value = item.official_wording.source || '';
    const fw = formField(t('cl.wording_text'), w, { required: true, hint: t('cl.wording_text_hint') });
    const fs = formField(t('cl.wording_source'), src, { required: true, hint: t('cl.wording_source_hint') });
    openDialog({
      title: t('cl.wording_title', { n: item.number || item.id }),
      wide: true,
      content: [
        h('p', { class: 'dialog-lead', text: t('cl.wording_lead') }),
        item.presumed_wording ? h('p', { class: 'muted small' }, `${t('cl.presumed')}: `, item.presumed_wording) : null,
        fw.el, fs.el],
      actions: [
        { label: t('cancel'), cls: 'btn-plain' },
        {
          label: t('save'), cls: 'btn-primary', onClick: async (close, msg) => {
            fw.setError(''); fs.setError('');
            if (!w.value.trim()) { fw.setError(t('form.err_required')); return false; }
            if (!src.value.trim()) { fs.setError(t('form.err_required')); return false; }
            try {
              const r = await api('PUT', `/api/v1/checklist-items/${encodeURIComponent(item.id)}/wording`,
                { body: { wording: w.value.trim(), source: src.value.trim() } });
              item.official_wording = { ...(item.official_wording || {}), ...r.official_wording, entered_by: session.user.name };
              drawRow(item.id);
              drawHeader();
              showMessage(msgSlot, 'ok', t('cl.wording_saved', { n: item.number || item.id }));
              return true;
            } catch (e) {
              if (e.handled) return true;
              if (e.field === 'source') fs.setError(e.message);
              else if (e.field === 'wording') fw.setError(e.message);
              else showMessage(msg, 'error', e.message);
              return false;
            }
          },
        },
      ],
    });
  }

  function wordingCell(item) {
    const off = item.official_wording;
    let text;
    if (off && off.wording) text = h('div', { class: 'cl-text cl-official', text: off.wording });
    else if (item.wording) text = h('div', { class: 'cl-text', text: item.wording });
    else if (item.presumed_wording) text = h('div', { class: 'cl-text cl-presumed' }, h('span', { class: 'cl-presumed-mark', text: `${t('cl.presumed')}: ` }), item.presumed_wording);
    else text = h('div', { class: 'cl-text cl-missing', title: item.note || '', text: t('cl.unconfirmed') });
    const tags = [];
    if (isUnconfirmed(item)) {
      // the text itself says 文言未確認 when there is none: no second mark
      if (item.wording || item.presumed_wording) {
        tags.push(h('span', { class: 'badge badge-warn cl-unconf', title: [item.wording_status_label, item.note].filter(Boolean).join(' — '), text: t('cl.unconfirmed') }));
      }
      if (canManageChecklist()) tags.push(button(t('cl.enter_wording'), () => wordingDialog(item), 'btn-link cl-enter-wording', { dataset: { act: 'wording' } }));
    } else if (off) {
      tags.push(h('span', { class: 'badge badge-ok', title: off.source || '', text: t('cl.official') }));
      tags.push(h('span', { class: 'cl-source', text: t('cl.source', { src: off.source || '' }) }));
      if (canManageChecklist()) tags.push(button(t('cl.edit_wording'), () => wordingDialog(item), 'btn-link cl-enter-wording', { dataset: { act: 'wording' } }));
    }
    if (item.scope_label || (item.scope && item.scope.length)) tags.push(h('span', { class: 'cl-scope', text: item.scope_label || item.scope.join('・') }));
    if (item.new_in_edition === true) tags.push(h('span', { class: 'badge badge-muted', text: t('cl.new') }));
    return h('div', { class: 'cl-wording' }, text,
      tags.length ? h('div', { class: 'cl-tags' }, tags) : null,
      item.refs && item.refs.length ? h('div', { class: 'cl-refs', text: `${t('cl.refs')}: ${item.refs.join(' / ')}` }) : null);
  }

  function evidenceCell(item) {
    const ev = item.evidence;
    if (isVendor() || !own) return null;
    if (!ev) return h('div', { class: 'cl-ev cl-ev-none', text: t('ev.none') });
    const reasons = ev.reasons || [];
    const li = (r) => h('li', null, r.link ? h('a', { href: r.link, class: 'ev-link' }, r.text) : r.text);
    const shown = reasons.slice(0, 3);
    const more = reasons.slice(3);
    return h('div', { class: ['cl-ev', `ev-${ev.outcome}`], dataset: { outcome: ev.outcome } },
      h('div', { class: 'ev-head' },
        h('span', { class: `badge ev-badge ev-badge-${ev.outcome}`, text: outcomeLabel(ev) }),
        h('span', { class: 'ev-rule', text: ev.rule_label || '' })),
      ev.summary ? h('div', { class: 'ev-summary', text: ev.summary }) : null,
      shown.length ? h('ul', { class: 'ev-reasons' }, shown.map(li)) : null,
      more.length || ev.total > reasons.length ? h('details', { class: 'ev-more' },
        h('summary', { text: t('ev.more', { n: fmtNum((ev.total || reasons.length) - shown.length) }) }),
        h('ul', { class: 'ev-reasons' }, more.map(li)),
        ev.total > reasons.length ? h('div', { class: 'muted small', text: t('ev.total', { n: fmtNum(ev.total), shown: fmtNum(reasons.length) }) }) : null) : null);
  }

  function prevRounds(item, r) {
    const out = [];
    for (let i = 1; i < r; i++) {
      const a = answerOf(item, i);
      out.push(h('span', { class: ['cl-prev-one', a ? `ans-${a.answer}` : ''] },
        `${t('cl.round_n', { n: i })}: `,
        a ? `${a.answer === 'yes' ? t('yes') : t('no')}${a.confirmed_on ? ` ${a.confirmed_on}` : ''}${a.answer === 'no' && a.target_on ? ` → ${a.target_on}` : ''}` : '—'));
    }
    return out.length ? h('div', { class: 'cl-prev' }, out) : null;
  }

  function answerCell(item, r, errs) {
    const na = notNeeded(item, r);
    if (na) {
      return h('div', { class: 'cl-answer cl-na' },
        h('span', { class: 'badge badge-muted cl-na-badge', text: item.needed === false ? t('cl.not_needed') : t('cl.skipped') }),
        h('span', { class: 'muted small', text: na === t('cl.not_needed') || na === t('cl.skipped') ? '' : na }),
        prevRounds(item, r));
    }
    const a = answerOf(item, r);
    const p = state.pending.get(`${item.id}/${r}`) || {};
    const ans = p.answer ?? (a && a.answer);
    const base = `cl-${item.id}`;
    const can = editable();
    if (!can) {
      return h('div', { class: 'cl-answer cl-ro' },
        a ? h('span', { class: ['yn-ro', `ans-${a.answer}`], text: a.answer === 'yes' ? t('yes') : t('no') }) : h('span', { class: 'muted', text: t('cl.unanswered') }),
        a && a.confirmed_on ? h('span', { class: 'small', text: `${t('cl.confirmed_on')} ${a.confirmed_on}` }) : null,
        a && a.answer === 'no' && a.target_on ? h('span', { class: ['small', a.overdue ? 'overdue' : ''], text: `${t('cl.target_on')} ${a.target_on}${a.overdue ? ` (${t('cl.overdue')})` : ''}` }) : null,
        a && a.note ? h('div', { class: 'cl-note-ro small', text: a.note }) : null,
        prevRounds(item, r));
    }
    const yn = (value, label) => h('button', {
      type: 'button', class: ['yn', `yn-${value}`, ans === value ? 'on' : ''], id: `${base}-${value}`,
      'aria-pressed': ans === value ? 'true' : 'false',
      onclick: () => send(item, r, { answer: value }),
    }, label);
    const confirmed = h('input', { type: 'date', id: `${base}-confirmed`, class: 'cl-date', value: p.confirmed_on ?? (a && a.confirmed_on) ?? today(), 'aria-label': t('cl.confirmed_on') });
    confirmed.addEventListener('change', () => { if (ans) send(item, r, { confirmed_on: confirmed.value }); else state.pending.set(`${item.id}/${r}`, { ...p, confirmed_on: confirmed.value }); });
    const target = h('input', { type: 'date', id: `${base}-target`, class: 'cl-date', value: p.target_on ?? (a && a.target_on) ?? '', 'aria-label': t('cl.target_on'), required: true });
    target.addEventListener('change', () => send(item, r, { target_on: target.value }));
    const note = h('input', { type: 'text', id: `${base}-note`, class: 'cl-note', value: p.note ?? (a && a.note) ?? '', placeholder: t('cl.note'), 'aria-label': t('cl.note'), maxlength: '2000' });
    note.addEventListener('change', () => { if (ans) send(item, r, { note: note.value }); else state.pending.set(`${item.id}/${r}`, { ...p, note: note.value }); });
    const err = (slotId, text, info = false) => h('div', { class: ['cl-field-err', info ? 'info' : ''], id: slotId, role: 'alert', text: text || '' });
    const showTarget = ans === 'no';
    return h('div', { class: ['cl-answer', ans ? `ans-${ans}` : ''] },
      h('div', { class: 'cl-answer-row' },
        h('div', { class: 'yn-group', role: 'group', 'aria-label': t('cl.answer') }, yn('yes', t('yes')), yn('no', t('no'))),
        h('label', { class: 'cl-lbl', for: confirmed.id, text: t('cl.confirmed_on') }), confirmed),
      errs.confirmed ? err(`${base}-confirmed-err`, errs.confirmed) : null,
      showTarget ? h('div', { class: ['cl-answer-row', 'cl-target-row', errs.target && !errs.targetInfo ? 'has-error' : ''] },
        h('label', { class: 'cl-lbl cl-lbl-target', for: target.id }, t('cl.target_on'), h('span', { class: 'req', text: ` ${t('form.required')}` })), target,
        a && a.overdue ? h('span', { class: 'badge badge-bad', text: t('cl.overdue') }) : null) : null,
      showTarget ? err(`${base}-target-err`, errs.target, errs.targetInfo) : null,
      h('div', { class: 'cl-answer-row' }, note,
        a || ans ? button('×', () => clearAnswer(item, r), 'btn-plain btn-small cl-clear', { id: `${base}-clear`, title: t('cl.clear'), 'aria-label': t('cl.clear') }) : null),
      errs.note ? err(`${base}-note-err`, errs.note) : null,
      errs.row ? err(`${base}-err`, errs.row) : null,
      errs.saved && a ? h('div', { class: 'cl-saved', text: t('cl.saved', { time: fmtTime(a.updated_at || new Date().toISOString()).slice(11) }) }) : null,
      prevRounds(item, r));
  }

  function itemRow(item, errs = {}) {
    const r = state.round;
    const warn = contradicted(item, r);
    const l = latestAnswer(item, r);
    const od = l && l.answer === 'no' && l.overdue;
    const evEl = evidenceCell(item);
    return h('div', {
      class: ['cl-item', warn ? 'cl-contradicted' : '', od ? 'cl-overdue' : '', notNeeded(item, r) ? 'cl-item-na' : '', evEl ? '' : 'cl-item-noev'],
      id: `cl-item-${item.id}`, dataset: { item: item.id },
    },
    h('div', { class: 'cl-num', text: item.number || '' }),
    h('div', { class: 'cl-main' },
      wordingCell(item),
      warn ? h('div', { class: 'cl-warn', role: 'alert' },
        h('strong', { text: t('cl.contradiction') }), ' ', (item.evidence && item.evidence.summary) || '',
        h('div', { class: 'cl-warn-todo', text: t('cl.contradiction_todo') })) : null),
    evEl,
    answerCell(item, r, errs));
  }

  // Draws one item again, keeping the focus where it was.
  function drawRow(itemId, errs = {}) {
    const item = findItem(itemId);
    const old = state.rows.get(itemId);
    if (!item || !old) return;
    const focused = document.activeElement && old.contains(document.activeElement) ? document.activeElement.id : null;
    const el = itemRow(item, errs);
    old.replaceWith(el);
    state.rows.set(itemId, el);
    if (focused) { const f = document.getElementById(focused); if (f) f.focus(); }
  }

  function drawAll() {
    state.rows.clear();
    const secs = (state.view.sections || []).map((sec) => h('section', { class: 'panel cl-section', dataset: { section: sec.number } },
      // the section's note is the catalog's (where its label was read): a tooltip
      h('div', { class: 'cl-section-head', title: sec.note || null },
        h('h3', { text: sec.number ? `${sec.number}. ${sec.title}` : sec.title }),
        sec.forms_label ? h('span', { class: 'panel-sub', text: sec.forms_label }) : null),
      (sec.items || []).map((it) => { const el = itemRow(it); state.rows.set(it.id, el); return el; })));
    replace(sectionsEl, secs);
    drawProgress();
  }

  const parts = [
    msgSlot,
    titleLine,
    statusSlot,
    unconfirmedSlot,
    h('div', { class: 'cl-sticky' }, toolbar, progress),
    vendorSheet && !isVendor() ? message('info', t('cl.vendor_sheet_ro')) : null,
    sectionsEl,
  ];
  if (opts.main) {
    const hint = isVendor() ? t('cl.hint_vendor_sheet') : vendorSheet ? t('cl.hint_vendor_review') : t('cl.hint_answer');
    replace(opts.main, opts.head(`${t('cl.title')}`, hint, []), body);
  }
  replace(body, parts);
  drawHeader();
  drawAll();
}
