// importer.js - #/import: CSV import in two steps.  The chosen file is
// read once and sent as raw bytes with dry_run=1 (nothing is stored): the
// preview shows the counts, every device that would be added or updated
// (updates as field: before → after), the systems/vendors/locations that
// would be created, or every problem line (FILE:LINE: COLUMN: reason).  The
// 取り込む button exists only when there are no problems; it sends the same
// bytes without dry_run.

import { h, replace, fmtNum } from './dom.js';
import { api, qs } from './api.js';
import { t } from './i18n.js';
import { fieldLabel, fmtValue, kindLabel } from './fields.js';
import { pageHead, message, showMessage, button, select, busy } from './ui.js';

const SHOW_MAX = 500; // changes drawn in the preview (all are counted)

async function upload(file, bytes, opts, dryRun) {
  return api('POST', `/api/v1/assets/import${qs({
    dry_run: dryRun ? '1' : '', encoding: opts.encoding || 'auto', ignore_unknown: opts.ignoreUnknown ? '1' : '',
  })}`, {
    raw: bytes,
    headers: { 'Content-Type': 'text/csv', 'X-Filename': encodeURIComponent(file.name) },
  });
}

function counts(r) {
  const c = (label, n, cls, id) => h('div', { class: `stat ${cls}`, id },
    h('div', { class: 'stat-value', text: fmtNum(n) }), h('div', { class: 'stat-label', text: label }));
  return h('div', { class: 'stats stats-compact' },
    c(t('import.added'), r.added, 'stat-add', 'count-added'),
    c(t('import.updated'), r.updated, 'stat-upd', 'count-updated'),
    c(t('import.unchanged'), r.unchanged, '', 'count-unchanged'));
}

function addSummary(dev) {
  const parts = [kindLabel(dev.kind), dev.model, dev.os, dev.ip, dev.mac, dev.department, dev.owner].filter(Boolean);
  return h('span', { class: 'add-summary', text: parts.join(' · ') });
}

function updateList(ch) {
  const before = ch.before || {};
  const after = ch.device || {};
  return h('ul', { class: 'changes' }, (ch.fields || []).map((f) => h('li', null,
    h('span', { class: 'chg-field', text: fieldLabel(f) }), ': ',
    h('span', { class: ['chg-before', fmtValue(f, before[f]) ? '' : 'chg-empty'], text: fmtValue(f, before[f]) || t('empty') }),
    h('span', { class: 'chg-arrow', text: ' → ' }),
    h('span', { class: ['chg-after', fmtValue(f, after[f]) ? '' : 'chg-empty'], text: fmtValue(f, after[f]) || t('empty') }))));
}

function changesTable(changes) {
  const shown = changes.filter((c) => c.action !== 'unchanged');
  const rows = shown.slice(0, SHOW_MAX);
  return [
    h('table', { class: 'grid import-changes', id: 'import-changes' },
      h('thead', null, h('tr', null,
        h('th', { class: 'col-line', text: t('import.line') }),
        h('th', { class: 'col-action', text: t('import.action') }),
        h('th', { class: 'col-key', text: t('import.device') }),
        h('th', { text: t('import.content') }))),
      h('tbody', null, rows.map((c) => h('tr', { dataset: { action: c.action } },
        h('td', { class: 'num', text: c.line }),
        h('td', null, h('span', { class: `badge act-${c.action}`, text: t(`import.act_${c.action}`) })),
        h('td', { class: 'mono-ish', text: c.key || '' }),
        h('td', null, c.action === 'update' ? updateList(c) : addSummary(c.device || {})))))),
    shown.length > rows.length ? h('p', { class: 'muted', text: t('import.more', { n: fmtNum(shown.length - rows.length) }) }) : null,
  ];
}

export async function render(main, ctx) {
  ctx.setTitle(t('nav.import'));
  let file = null;
  let bytes = null;
  // The native file control speaks the browser's language and says "no file"
  // after a re-check; a labelled button and our own file name line instead.
  const fileInput = h('input', { type: 'file', id: 'import-file', class: 'file-hidden', accept: '.csv,.txt,text/csv' });
  const chooseBtn = h('label', { for: 'import-file', class: 'btn btn-primary', id: 'import-choose', tabindex: '0' }, t('import.choose'));
  chooseBtn.addEventListener('keydown', (ev) => { if (ev.key === 'Enter' || ev.key === ' ') { ev.preventDefault(); fileInput.click(); } });
  const enc = select([
    { value: 'auto', label: t('import.enc_auto') },
    { value: 'utf-8', label: 'UTF-8' },
    { value: 'cp932', label: 'Shift_JIS (CP932)' },
  ], 'auto', { id: 'import-encoding' });
  const ignore = h('input', { type: 'checkbox', id: 'import-ignore' });
  const checkBtn = button(t('import.check'), () => check(), '', { id: 'import-check', disabled: true });
  const result = h('div', { id: 'import-result', 'aria-live': 'polite' });
  const fileInfo = h('span', { class: 'file-info', id: 'import-file-info', text: t('import.no_file') });

  const opts = () => ({ encoding: enc.value, ignoreUnknown: ignore.checked });

  async function check() {
    if (!file) return;
    replace(result, h('p', { class: 'loading', text: t('import.checking', { name: file.name }) }));
    let r;
    try {
      if (!bytes) bytes = await file.arrayBuffer();
      r = await busy(checkBtn, () => upload(file, bytes, opts(), true));
    } catch (e) {
      if (e.handled) return;
      if (e.status === 422 && e.body && Array.isArray(e.body.problems)) { showProblems(e.body); return; }
      replace(result, message('error', e.message));
      return;
    }
    showPreview(r);
  }

  function showProblems(r) {
    const problems = r.problems || [];
    replace(result,
      h('section', { class: 'panel panel-bad', id: 'import-problems' },
        h('h2', { text: t('import.problems_title', { n: fmtNum(problems.length) }) }),
        message('error', t('import.problems_lead')),
        h('ol', { class: 'problems' }, problems.map((p) => h('li', { class: 'problem', text: p }))),
        r.problems_truncated ? h('p', { class: 'muted', text: t('import.truncated') }) : null,
        h('p', { class: 'hint', text: t('import.problems_next') })));
    result.scrollIntoView({ block: 'start', behavior: 'instant' });
    fileInput.value = ''; // choosing the corrected file (same name) fires "change" again
  }

  function showPreview(r) {
    const nothing = r.added + r.updated === 0;
    const commit = button(t('import.commit', { n: fmtNum(r.added + r.updated) }), () => doCommit(commit), 'btn-primary', { id: 'import-commit' });
    replace(result,
      h('section', { class: 'panel', id: 'import-preview' },
        h('h2', { text: t('import.preview_title', { name: file.name }) }),
        h('p', { class: 'muted', text: t('import.encoding_used', { enc: r.encoding }) }),
        counts(r),
        r.created && r.created.length ? h('div', { class: 'created' },
          h('h3', { text: t('import.created_title') }),
          h('ul', { class: 'created-list' }, r.created.map((c) => h('li', { text: c })))) : null,
        nothing ? message('info', t('import.nothing')) : [
          message('info', t('import.preview_lead')),
          h('div', { class: 'commit-row' }, commit, h('span', { class: 'muted', text: t('import.commit_note') })),
          h('div', { class: 'table-wrap' }, changesTable(r.changes || [])),
        ]));
    result.scrollIntoView({ block: 'start', behavior: 'instant' });
  }

  async function doCommit(btn) {
    let r;
    try {
      r = await busy(btn, () => upload(file, bytes, opts(), false));
    } catch (e) {
      if (e.handled) return;
      if (e.status === 422 && e.body && Array.isArray(e.body.problems)) { showProblems(e.body); return; }
      showMessage(result, 'error', e.message);
      return;
    }
    replace(result,
      h('section', { class: 'panel panel-ok', id: 'import-done' },
        h('h2', { text: t('import.done_title') }),
        message('ok', t('import.done', { name: file.name, added: fmtNum(r.added), updated: fmtNum(r.updated), unchanged: fmtNum(r.unchanged) })),
        counts(r),
        r.created && r.created.length ? h('p', null, t('import.created_done'), r.created.join('、')) : null,
        h('div', { class: 'form-actions' },
          h('a', { class: 'btn btn-primary', href: '#/assets', id: 'import-to-ledger' }, t('import.to_ledger')),
          button(t('import.another'), () => { fileInput.value = ''; file = null; bytes = null; checkBtn.disabled = true; replace(fileInfo, t('import.no_file')); replace(result); fileInput.click(); }))));
    fileInput.value = '';
    file = null;
    bytes = null;
    checkBtn.disabled = true;
  }

  fileInput.addEventListener('change', () => {
    file = fileInput.files[0] || null;
    bytes = null;
    replace(result);
    checkBtn.disabled = !file;
    chooseBtn.classList.toggle('btn-primary', !file);
    replace(fileInfo, file ? t('import.file_info', { name: file.name, size: fmtNum(Math.ceil(file.size / 1024)) }) : t('import.no_file'));
    if (file) check();
  });
  enc.addEventListener('change', () => { if (file) check(); });
  ignore.addEventListener('change', () => { if (file) check(); });

  replace(main,
    pageHead(t('nav.import'), t('import.hint')),
    h('section', { class: 'panel import-panel' },
      h('ol', { class: 'import-steps' },
        h('li', null, t('import.step1')),
        h('li', null, t('import.step2')),
        h('li', null, t('import.step3'))),
      h('div', { class: 'import-row' }, fileInput, chooseBtn, fileInfo, checkBtn),
      h('div', { class: 'import-options' },
        h('label', { for: 'import-encoding', text: t('import.encoding') }), enc,
        h('span', { class: 'muted small', text: t('import.encoding_hint') }),
        h('span', { class: 'opt-check' }, ignore, h('label', { for: 'import-ignore', text: t('import.ignore_unknown') }))),
      h('details', { class: 'columns-help' },
        h('summary', { text: t('import.columns_title') }),
        h('p', { text: t('import.columns_text') }))),
    result);
}
