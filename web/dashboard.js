// dashboard.js - #/dashboard: the facility, device counts (in use, by
// kind, by department as bar charts) and the warnings, each linking to the
// devices concerned (#/assets?warning=CODE, see ledger.js); the checklist
// of the current fiscal year: 「はい」 the records contradict and 「いいえ」
// past their target date (the dashboard's "checklist" when the server gives
// it, else the sheet list), or for a vendor account its own sheet's status;
// the access-log alerts (the dashboard's "logs", logalerts.js).

import { h, replace, fmtNum } from './dom.js';
import { get, qs } from './api.js';
import { t, lang } from './i18n.js';
import { session, canWrite } from './state.js';
import { kindValueOfLabel, kindLabel, statusValueOfLabel } from './fields.js';
import { pageHead, message } from './ui.js';
import { fyLabel, statusLabel as sheetStatusLabel } from './checklist.js';
import { dashboardPanel as logAlertsPanel } from './logalerts.js';

// The warning's text in the current language, from its code.
export function warningText(w) {
  const k = `warn.${w.code}`;
  const s = t(k);
  if (s !== k) return s;
  return (w.message || w.code).replace(/:\s*[\d,]+\s*台$/, '');
}

function warningTodo(w) {
  const k = `warn.${w.code}.todo`;
  const s = t(k);
  return s === k ? '' : s;
}

function bars(entries, hrefOf, labelOf = (k) => k) {
  const max = Math.max(1, ...entries.map(([, n]) => n));
  return h('ul', { class: 'bars' }, entries.map(([k, n]) => {
    const fill = h('span', { class: 'bar-fill' });
    fill.style.width = `${Math.max(1, Math.round((n / max) * 100))}%`;
    const href = hrefOf(k);
    const label = labelOf(k);
    return h('li', { class: 'bar-row' },
      href ? h('a', { class: 'bar-label', href, title: label, text: label }) : h('span', { class: 'bar-label', title: label, text: label }),
      h('span', { class: 'bar-track' }, fill),
      h('span', { class: 'bar-num', text: fmtNum(n) }));
  }));
}

function card(label, value, cls = '', href = null) {
  const inner = [h('div', { class: 'stat-value', text: fmtNum(value) }), h('div', { class: 'stat-label', text: label })];
  return href ? h('a', { class: `stat ${cls}`, href }, inner) : h('div', { class: `stat ${cls}` }, inner);
}

export async function render(main, ctx) {
  ctx.setTitle(t('nav.dashboard'));
  main.appendChild(h('p', { class: 'loading', text: t('loading') }));
  const d = await get('/api/v1/dashboard');
  const dev = d.devices || {};
  const warnings = d.warnings || [];
  const byStatus = {};
  for (const [label, n] of Object.entries(dev.by_status || {})) byStatus[statusValueOfLabel(label) || label] = n;

  let hint;
  if (!dev.total) hint = canWrite() ? t('dash.hint_empty') : t('dash.hint_empty_ro');
  else if (warnings.length) hint = t('dash.hint_warnings');
  else hint = t('dash.hint_ok');

  const facility = d.facility || session.facility || {};
  const typeLabel = lang() === 'en' ? t(`facility.${facility.type}`) : (facility.type_label || '');

  const warnList = warnings.length
    ? h('ul', { class: 'warnings', id: 'warnings' }, warnings.map((w) => h('li', { class: ['warning', w.severity === 'alert' ? 'warning-alert' : ''], dataset: { code: w.code } },
      h('span', { class: 'warn-count', text: fmtNum(w.count) }),
      h('div', { class: 'warn-text' },
        h('div', { class: 'warn-title', text: warningText(w) }),
        warningTodo(w) ? h('div', { class: 'warn-todo', text: warningTodo(w) }) : null),
      // a warning about records other than devices (the emergency-account alert) links to them
      h('a', { class: 'btn btn-small', href: w.href || `#/assets${qs({ warning: w.code })}` }, w.href ? t('dash.see_record') : t('dash.see_devices')))))
    : h('p', { class: 'ok-line', id: 'warnings', text: t('dash.no_warnings') });

  const kindEntries = Object.entries(dev.by_kind || {}).sort((a, b) => b[1] - a[1]);
  const deptEntries = Object.entries(dev.by_department || {}).sort((a, b) => b[1] - a[1]);

  const head = pageHead(facility.name || t('nav.dashboard'), hint, canWrite() ? [
    h('a', { class: 'btn', href: '#/import' }, t('ledger.import')),
    h('a', { class: 'btn', href: '#/assets/new' }, t('ledger.add')),
  ] : []);
  const h1 = head.querySelector('h1');
  h1.id = 'dash-facility';
  if (typeLabel) h1.after(h('span', { class: 'facility-type', text: typeLabel }));
  replace(main,
    head,
    h('div', { class: 'stats' },
      card(t('dash.total'), dev.total, '', '#/assets'),
      card(t('dash.in_use'), dev.in_use, 'stat-inuse', `#/assets${qs({ status: 'in_use' })}`),
      card(t('status.retired'), byStatus.retired || 0, 'stat-retired', `#/assets${qs({ status: 'retired' })}`),
      card(t('status.disposed'), byStatus.disposed || 0, 'stat-disposed', `#/assets${qs({ status: 'disposed' })}`),
      card(t('dash.warnings'), warnings.length, warnings.length ? 'stat-warn' : 'stat-ok')),
    h('section', { class: 'panel' },
      h('h2', { text: t('dash.warnings_title') }),
      warnList),
    checklistPanel(d),
    logAlertsPanel(d),
    h('div', { class: 'panel-row' },
      h('section', { class: 'panel' },
        h('h2', null, t('dash.by_kind'), h('span', { class: 'panel-sub', text: t('dash.in_use_only') })),
        kindEntries.length ? bars(kindEntries,
          (label) => { const v = kindValueOfLabel(label); return v ? `#/assets${qs({ status: 'in_use', kind: v })}` : null; },
          (label) => { const v = kindValueOfLabel(label); return v ? kindLabel(v) : label; })
          : h('p', { class: 'muted', text: t('dash.none') })),
      h('section', { class: 'panel' },
        h('h2', null, t('dash.by_department'), h('span', { class: 'panel-sub', text: t('dash.in_use_only') })),
        deptEntries.length ? bars(deptEntries,
          (dept) => (dept === '(未設定)' ? null : `#/assets${qs({ status: 'in_use', department: dept })}`),
          (dept) => (dept === '(未設定)' ? t('dash.unset') : dept))
          : h('p', { class: 'muted', text: t('dash.none') }))));
  if (!d.facility && !session.facility) main.prepend(message('warn', t('dash.no_facility')));
}

// ---- the checklist card ------------------------------------------------------

function findingRow(f) {
  const href = `#/checklist/${f.sheet_id}${qs({ round: f.round })}`;
  const what = f.kind === 'contradicted' ? t('dash.cl_contra') : `${t('dash.cl_overdue')} (${f.target_on || ''})`;
  return h('li', { class: ['cl-finding', `cl-finding-${f.kind}`], dataset: { kind: f.kind } },
    h('span', { class: ['badge', f.kind === 'contradicted' ? 'badge-bad' : 'badge-warn'], text: what }),
    h('a', { href, class: 'cl-finding-text' }, `${f.section ? `${f.section}. ` : ''}${f.number || ''} ${f.wording || ''}`),
    f.summary ? h('span', { class: 'muted small', text: f.summary }) : null);
}

// Filled in when its data arrives, so that the rest of the dashboard does
// not wait for it.
function checklistPanel(d) {
  const body = h('div', { class: 'cl-card-body' }, h('p', { class: 'loading', text: t('loading') }));
  const title = h('h2', { text: t('nav.checklist') });
  const panel = h('section', { class: 'panel cl-card', id: 'dash-checklist' },
    h('div', { class: 'panel-head' }, title, h('a', { class: 'btn btn-small', href: '#/checklist', id: 'dash-checklist-open' }, t('dash.cl_open'))),
    body);
  (async () => {
    try {
      if (d.checklist && Array.isArray(d.checklist.findings)) {
        const c = d.checklist;
        const sheets = c.sheets || [];
        const own = sheets.find((s) => !s.vendor_id && s.form !== 'jigyosha');
        title.textContent = t('dash.cl_title', { fy: fyLabel(c.fiscal_year) });
        if (!own) {
          replace(body, h('p', { class: 'muted', id: 'dash-cl-none', text: t('dash.cl_not_started', { fy: fyLabel(c.fiscal_year) }) }));
          return;
        }
        const contra = c.findings.filter((f) => f.kind === 'contradicted');
        const overdue = c.findings.filter((f) => f.kind === 'overdue');
        const p = own.progress || {};
        const vendorCounts = {};
        for (const s of sheets) if (s.vendor_id) { const k = sheetStatusLabel(s); vendorCounts[k] = (vendorCounts[k] || 0) + 1; }
        const vendorLine = Object.entries(vendorCounts).map(([k, n]) => `${k} ${fmtNum(n)}`).join('・');
        replace(body,
          h('div', { class: 'stats stats-compact' },
            card(t('dash.cl_contra'), contra.length, contra.length ? 'stat-bad' : 'stat-ok', '#/checklist'),
            card(t('dash.cl_overdue'), overdue.length, overdue.length ? 'stat-warn' : 'stat-ok', '#/checklist')),
          h('p', { class: 'muted small cl-card-line' },
            t('dash.cl_progress', { answered: fmtNum(p.answered), needed: fmtNum(p.needed) }),
            vendorLine ? h('a', { href: '#/checklist?tab=vendors' }, ` ${t('dash.cl_vendors', { list: vendorLine })}`) : null),
          c.findings.length ? h('ul', { class: 'cl-findings', id: 'dash-findings' }, c.findings.slice(0, 8).map(findingRow)) : null,
          c.findings.length > 8 ? h('p', { class: 'muted small', text: t('ev.more', { n: fmtNum(c.findings.length - 8) }) }) : null);
        return;
      }
      const list = await get('/api/v1/checklists');
      title.textContent = t('dash.cl_title', { fy: fyLabel(list.fiscal_year) });
      if (session.user && session.user.role === 'vendor') {
        const sheets = list.sheets || [];
        replace(body, sheets.length ? h('ul', { class: 'cl-findings' }, sheets.map((s) => h('li', null,
          h('span', { text: t('dash.cl_vendor', { status: sheetStatusLabel(s) }) }), ' ',
          s.status === 'requested' ? h('a', { class: 'btn btn-small btn-primary', href: `#/checklist/${s.id}` }, t('dash.cl_vendor_todo')) : null)))
          : h('p', { class: 'muted', text: t('cl.vendor_none', { fy: fyLabel(list.fiscal_year) }) }));
        return;
      }
      const own = list.facility_sheet;
      if (!own) {
        replace(body, h('p', { class: 'muted', text: t('dash.cl_not_started', { fy: fyLabel(list.fiscal_year) }) }));
        return;
      }
      const p = own.progress || {};
      replace(body,
        h('div', { class: 'stats stats-compact' },
          card(t('dash.cl_overdue'), p.overdue || 0, p.overdue ? 'stat-warn' : 'stat-ok', '#/checklist')),
        h('p', { class: 'muted small', text: t('dash.cl_progress', { answered: fmtNum(p.answered), needed: fmtNum(p.needed) }) }));
    } catch (e) {
      if (e.handled) return;
      panel.remove();
    }
  })();
  return panel;
}
