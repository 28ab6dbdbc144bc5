// dashboard.js - #/dashboard: the facility, device counts (in use, by
// kind, by department as bar charts) and the warnings, each linking to the
// devices concerned (#/assets?warning=CODE, see ledger.js).

import { h, replace, fmtNum } from './dom.js';
import { get, qs } from './api.js';
import { t, lang } from './i18n.js';
import { session, canWrite } from './state.js';
import { kindValueOfLabel, kindLabel, statusValueOfLabel } from './fields.js';
import { pageHead, message } from './ui.js';

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
    ? h('ul', { class: 'warnings', id: 'warnings' }, warnings.map((w) => h('li', { class: 'warning', dataset: { code: w.code } },
      h('span', { class: 'warn-count', text: fmtNum(w.count) }),
      h('div', { class: 'warn-text' },
        h('div', { class: 'warn-title', text: warningText(w) }),
        warningTodo(w) ? h('div', { class: 'warn-todo', text: warningTodo(w) }) : null),
      h('a', { class: 'btn btn-small', href: `#/assets${qs({ warning: w.code })}` }, t('dash.see_devices')))))
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
