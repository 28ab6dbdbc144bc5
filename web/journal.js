// journal.js - #/journal: the hash-chained record of every change.
// Filters (record type and id, action prefix, since), the entries with
// what changed (before → after), the head hash shown large with the advice
// to write it down off the machine, and 検証 (POST /api/v1/journal/verify).

import { h, replace, fmtNum } from './dom.js';
import { get, post, qs } from './api.js';
import { t } from './i18n.js';
import { pageHead, message, button, formField, select, busy, historyTable } from './ui.js';

const TYPES = ['device', 'import', 'user', 'system', 'vendor', 'contract', 'location', 'facility', 'checklist',
  'checklist_wording', 'checklist_edition', 'document'];
const ACTIONS = ['asset.', 'asset.add', 'asset.edit', 'asset.retire', 'asset.dispose', 'asset.import', 'user.', 'login.', 'logout',
  'checklist.', 'checklist_wording.set', 'document.add', 'document.edit'];

function hashBlock(hash) {
  // 64 hex digits in groups of 8, so that it can be read aloud and copied by hand.
  return (hash || '').match(/.{1,8}/g)?.join(' ') || '';
}

export async function render(main, ctx) {
  ctx.setTitle(t('nav.journal'));
  const q = ctx.query;
  const fType = select([{ value: '', label: t('journal.any') }, ...TYPES.map((x) => ({ value: x, label: t(`entity.${x}`) }))],
    q.get('entity_type') || '', { id: 'journal-type' });
  const fId = h('input', { type: 'text', id: 'journal-id', value: q.get('entity_id') || '', class: 'input-short', inputmode: 'numeric' });
  const fAction = select([{ value: '', label: t('journal.any') }, ...ACTIONS.map((x) => ({ value: x, label: x.endsWith('.') ? `${x}* (${t(`journal.group_${x.slice(0, -1)}`)})` : `${x} (${t(`action.${x}`)})` }))],
    q.get('action') || '', { id: 'journal-action' });
  const fSince = h('input', { type: 'date', id: 'journal-since', value: q.get('since') || '' });
  const fLimit = select([200, 1000, 5000].map((n) => ({ value: n, label: t('journal.limit_n', { n: fmtNum(n) }) })), q.get('limit') || '200', { id: 'journal-limit' });
  const apply = h('button', { type: 'submit', class: 'btn btn-primary', id: 'journal-apply' }, t('journal.apply'));
  const reset = h('a', { class: 'btn btn-plain', href: '#/journal' }, t('journal.reset'));
  const filterForm = h('form', { class: 'filter-form no-print' },
    formField(t('journal.type'), fType).el,
    formField(t('journal.id'), fId).el,
    formField(t('journal.action'), fAction).el,
    formField(t('journal.since'), fSince).el,
    formField(t('journal.limit'), fLimit).el,
    h('div', { class: 'field field-button' }, h('div', { class: 'btn-row' }, apply, reset)));
  filterForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    ctx.navigate(`#/journal${qs({
      entity_type: fType.value, entity_id: fId.value.trim(), action: fAction.value, since: fSince.value,
      limit: fLimit.value === '200' ? '' : fLimit.value,
    })}`);
  });

  const headBox = h('div', { class: 'head-hash', id: 'journal-head' }, h('p', { class: 'loading', text: t('loading') }));
  const verifyOut = h('div', { id: 'verify-result', 'aria-live': 'polite' });
  const verifyBtn = button(t('journal.verify'), () => verify(), 'btn-primary', { id: 'journal-verify' });
  const list = h('div', { class: 'table-wrap' }, h('p', { class: 'loading', text: t('loading') }));
  const count = h('p', { class: 'summary', id: 'journal-count' });

  async function verify() {
    replace(verifyOut, h('p', { class: 'loading', text: t('journal.verifying') }));
    try {
      const r = await busy(verifyBtn, () => post('/api/v1/journal/verify', {}));
      if (r.intact) {
        replace(verifyOut, h('div', { class: 'verify verify-ok', id: 'verify-ok' },
          h('div', { class: 'verify-title', text: t('journal.intact') }),
          h('div', null, t('journal.intact_detail', { n: fmtNum(r.entries) })),
          h('div', { class: 'hash-line' }, t('journal.head_is'), h('code', { class: 'hash', text: hashBlock(r.head) })),
          h('div', { class: 'muted', text: t('journal.intact_compare') })));
      } else {
        replace(verifyOut, h('div', { class: 'verify verify-bad', id: 'verify-bad', role: 'alert' },
          h('div', { class: 'verify-title', text: t('journal.broken') }),
          h('div', null, t('journal.first_bad', { seq: r.first_bad })),
          r.message ? h('div', { class: 'verify-msg', text: r.message }) : null,
          h('div', null, t('journal.broken_todo'))));
      }
    } catch (e) {
      if (e.handled) return;
      replace(verifyOut, message('error', e.message));
    }
  }

  replace(main,
    pageHead(t('nav.journal'), t('journal.hint'), [button(t('print'), () => window.print(), '', { id: 'print-btn' })]),
    h('div', { class: 'panel-row journal-top' },
      h('section', { class: 'panel' },
        h('h2', { text: t('journal.head_title') }),
        headBox),
      h('section', { class: 'panel' },
        h('h2', { text: t('journal.verify_title') }),
        h('p', { class: 'muted', text: t('journal.verify_lead') }),
        verifyBtn,
        verifyOut)),
    filterForm,
    count,
    list);

  get('/api/v1/journal/head').then((hd) => {
    replace(headBox,
      h('div', { class: 'head-seq', text: t('journal.head_seq', { seq: fmtNum(hd.seq) }) }),
      h('code', { class: 'hash hash-big', id: 'head-hash', text: hashBlock(hd.hash) }),
      h('p', { class: 'head-advice', text: t('journal.head_advice') }));
  }).catch((e) => { if (!e.handled) replace(headBox, message('error', e.message)); });

  const params = {
    entity_type: q.get('entity_type') || '', entity_id: q.get('entity_id') || '', action: q.get('action') || '',
    since: q.get('since') ? new Date(`${q.get('since')}T00:00:00`).toISOString() : '', limit: q.get('limit') || '200',
  };
  try {
    const r = await get(`/api/v1/journal${qs(params)}`);
    const items = r.items || [];
    replace(count, t('journal.count', { n: fmtNum(items.length) }),
      items.length >= Number(params.limit) ? ` ${t('journal.count_more', { n: fmtNum(params.limit) })}` : '');
    replace(list, items.length ? historyTable(items, { showEntity: true }) : h('p', { class: 'muted', text: t('journal.empty') }));
  } catch (e) {
    if (e.handled) return;
    replace(list, message('error', e.message));
  }
}
