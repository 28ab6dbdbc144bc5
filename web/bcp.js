// bcp.js - the BCP and drill tabs of #/incidents: the PDFs to print in
// advance (the BCP, the paper-operation kit per department, the contact
// chart), each system's priority, tolerable downtime and fallback, the
// backup table (media 追記可能 / 追記不能 / offline, restore procedure), the
// in-hospital announcement templates (editable; (3) and (4) are mamori's
// drafts), the emergency accounts; and drills (plan, record, findings, the
// BCP revisions they led to).  Admin and officer edit; others read.

import { h, replace } from './dom.js';
import { get, post, api } from './api.js';
import { t, addMessages } from './i18n.js';
import { session } from './state.js';
import { message, showMessage, formField, select, busy, button } from './ui.js';

addMessages({
  'bcp.print': ['印刷しておく文書', 'Print these in advance'],
  'bcp.print_hint': ['ネットワークが止まると画面は使えません。BCP・紙運用セット・連絡体制図を印刷し、部署と情報システム室に置いてください。',
    'When the network is down this screen is gone: print the BCP, the paper kit and the contact chart and keep them in each department.'],
  'bcp.pdf': ['IT-BCP (PDF)', 'IT-BCP (PDF)'],
  'bcp.kit': ['紙運用セット (PDF)', 'Paper kit (PDF)'],
  'bcp.chart': ['連絡体制図 (PDF)', 'Contact chart (PDF)'],
  'bcp.systems': ['システムの優先度と許容停止時間', 'Systems: priority and tolerable downtime'],
  'bcp.priority': ['優先度', 'Priority'],
  'bcp.system': ['システム', 'System'],
  'bcp.downtime': ['許容停止時間', 'Tolerable downtime'],
  'bcp.fallback': ['停止中の代替手段', 'Fallback'],
  'bcp.save': ['保存', 'Save'],
  'bcp.backups': ['バックアップと復元手順', 'Backups and restore'],
  'bcp.target': ['対象', 'What'],
  'bcp.frequency': ['頻度', 'Frequency'],
  'bcp.method': ['方式', 'Method'],
  'bcp.media': ['媒体', 'Media'],
  'bcp.generations': ['世代', 'Generations'],
  'bcp.location': ['保管場所', 'Where'],
  'bcp.restore': ['復元手順', 'Restore procedure'],
  'bcp.media.rewritable': ['追記可能', 'Rewritable'],
  'bcp.media.worm': ['追記不能', 'Write-once'],
  'bcp.media.offline': ['オフライン (切り離し)', 'Offline'],
  'bcp.backup_add': ['バックアップ計画を追加', 'Add a backup plan'],
  'bcp.no_offline': ['オフラインまたは追記不能の世代がないシステムがあります: {names}', 'Systems without an offline or write-once generation: {names}'],
  'bcp.templates': ['院内放送の文面', 'Announcement texts'],
  'bcp.template_save': ['文面を保存', 'Save the text'],
  'bcp.template_reset': ['下書きに戻す', 'Back to the draft'],
  'bcp.accounts': ['非常時用アカウント', 'Emergency accounts'],
  'bcp.saved': ['保存しました。', 'Saved.'],
  'dr.list': ['訓練の記録', 'Drills'],
  'dr.none': ['訓練の記録はまだありません。', 'No drills yet.'],
  'dr.title': ['訓練', 'Drill'],
  'dr.planned': ['予定日', 'Planned'],
  'dr.done': ['実施日', 'Done on'],
  'dr.scenario': ['想定', 'Scenario'],
  'dr.participants': ['参加者', 'Participants'],
  'dr.findings': ['気づいた点', 'Findings'],
  'dr.changes': ['BCP の改訂', 'BCP revisions'],
  'dr.incident': ['訓練のインシデント', 'Drill incident'],
  'dr.add': ['訓練を計画・記録', 'Plan or record a drill'],
  'dr.run': ['ランサムウェア訓練を始める', 'Start a ransomware drill'],
  'dr.record': ['実施を記録', 'Record'],
});

const canEdit = () => ['admin', 'officer'].includes(session.user ? session.user.role : '');

export async function renderBcp(body, ctx) {
  const res = await get('/api/v1/bcp');
  const msg = h('div', { class: 'msg-slot', id: 'bcp-msg' });
  const reload = () => ctx.navigate('#/incidents?tab=bcp');
  const fail = (e) => { if (!e.handled) showMessage(msg, 'error', e.message); };

  const sysRows = (res.systems || []).map((sy) => {
    const prio = h('input', { type: 'number', min: 1, max: 9, class: 'num-input', value: sy.priority ?? '', disabled: !canEdit(), 'aria-label': t('bcp.priority') });
    const down = h('input', { type: 'text', value: sy.tolerable_downtime || '', disabled: !canEdit(), 'aria-label': t('bcp.downtime') });
    const fb = h('input', { type: 'text', value: sy.fallback || '', disabled: !canEdit(), 'aria-label': t('bcp.fallback') });
    const save = canEdit() ? button(t('bcp.save'), async () => {
      try {
        await busy(save, () => api('PUT', `/api/v1/bcp/systems/${sy.id}`, { body: { priority: prio.value ? Number(prio.value) : null, tolerable_downtime: down.value || null, fallback: fb.value || null } }));
        showMessage(msg, 'ok', t('bcp.saved'));
      } catch (e) { fail(e); }
    }, 'btn-small') : null;
    return h('tr', { dataset: { id: sy.id } }, h('td', null, prio), h('td', { text: sy.name }), h('td', null, down), h('td', null, fb), h('td', { class: 'actions' }, save));
  });

  const safe = new Set((res.backups || []).filter((b) => b.media !== 'rewritable').map((b) => b.system));
  const unsafe = (res.systems || []).filter((sy) => !safe.has(sy.name)).map((sy) => sy.name);
  const bkRows = (res.backups || []).map((b) => h('tr', { dataset: { id: b.id, media: b.media } },
    h('td', { text: b.system }), h('td', { text: b.target || '' }), h('td', { text: b.frequency }), h('td', { text: b.method || '' }),
    h('td', null, h('span', { class: `badge media-${b.media}`, text: t(`bcp.media.${b.media}`) })),
    h('td', { class: 'num', text: b.generations ?? '' }), h('td', { text: b.location || '' }), h('td', { class: 'sub', text: b.restore_procedure || '' }),
    canEdit() ? h('td', null, button('×', async () => { try { await api('DELETE', `/api/v1/bcp/backups/${b.id}`); reload(); } catch (e) { fail(e); } }, 'btn-small', { 'aria-label': 'delete' })) : null));

  let bkForm = null;
  if (canEdit()) {
    const f = {
      system: select((res.systems || []).map((sy) => ({ value: sy.name, label: sy.name })), '', { id: 'bk-system' }),
      target: h('input', { type: 'text', id: 'bk-target' }),
      frequency: h('input', { type: 'text', id: 'bk-frequency', placeholder: '日次' }),
      method: h('input', { type: 'text', id: 'bk-method' }),
      media: select(['rewritable', 'worm', 'offline'].map((m) => ({ value: m, label: t(`bcp.media.${m}`) })), 'offline', { id: 'bk-media' }),
      generations: h('input', { type: 'number', id: 'bk-generations', min: 0 }),
      location: h('input', { type: 'text', id: 'bk-location' }),
      restore_procedure: h('input', { type: 'text', id: 'bk-restore' }),
    };
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'bk-submit' }, t('bcp.backup_add'));
    bkForm = h('form', { class: 'form-grid', novalidate: true },
      formField(t('bcp.system'), f.system).el, formField(t('bcp.target'), f.target).el, formField(t('bcp.frequency'), f.frequency, { required: true }).el,
      formField(t('bcp.method'), f.method).el, formField(t('bcp.media'), f.media).el, formField(t('bcp.generations'), f.generations).el,
      formField(t('bcp.location'), f.location).el, formField(t('bcp.restore'), f.restore_procedure).el, h('div', { class: 'form-actions' }, submit));
    bkForm.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const rec = {};
      for (const [k, el] of Object.entries(f)) if (el.value !== '') rec[k] = k === 'generations' ? Number(el.value) : el.value;
      try { await busy(submit, () => post('/api/v1/bcp/backups', rec)); reload(); } catch (e) { fail(e); }
    });
  }

  const templates = (res.templates || []).map((tp) => {
    const ta = h('textarea', { rows: 4, id: `tpl-${tp.code}`, disabled: !canEdit() });
    ta.value = tp.text;
    const save = canEdit() ? button(t('bcp.template_save'), async () => {
      try { await busy(save, () => api('PUT', `/api/v1/bcp/templates/${tp.code}`, { body: { text: ta.value } })); showMessage(msg, 'ok', t('bcp.saved')); } catch (e) { fail(e); }
    }, 'btn-small') : null;
    const reset = canEdit() && tp.customized ? button(t('bcp.template_reset'), async () => {
      try { await api('PUT', `/api/v1/bcp/templates/${tp.code}`, { body: { text: null } }); reload(); } catch (e) { fail(e); }
    }, 'btn-small') : null;
    return h('div', { class: 'tpl', dataset: { code: tp.code } }, h('h3', { text: tp.title }), h('p', { class: 'sub', text: tp.timing }), ta,
      tp.customized ? null : h('p', { class: 'sub tpl-source', text: tp.source }), h('div', { class: 'form-actions' }, save, reset));
  });

  replace(body, msg,
    h('section', { class: 'panel bcp-print' }, h('h2', { text: t('bcp.print') }), h('p', { class: 'sub', text: t('bcp.print_hint') }),
      h('div', { class: 'form-actions' },
        h('a', { class: 'btn btn-primary', id: 'bcp-pdf', href: '/api/v1/bcp/export', download: '' }, t('bcp.pdf')),
        h('a', { class: 'btn', id: 'bcp-kit', href: '/api/v1/bcp/kit', download: '' }, t('bcp.kit')),
        h('a', { class: 'btn', id: 'bcp-chart', href: '/api/v1/contacts/chart', download: '' }, t('bcp.chart')))),
    h('section', { class: 'panel' }, h('h2', { text: t('bcp.systems') }),
      h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id: 'bcp-systems' },
        h('thead', null, h('tr', null, [t('bcp.priority'), t('bcp.system'), t('bcp.downtime'), t('bcp.fallback'), ''].map((x) => h('th', { text: x })))),
        h('tbody', null, sysRows)))),
    h('section', { class: 'panel' }, h('h2', { text: t('bcp.backups') }),
      unsafe.length ? message('warn', t('bcp.no_offline', { names: unsafe.join('、') })) : null,
      h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id: 'bcp-backups' },
        h('thead', null, h('tr', null, [t('bcp.system'), t('bcp.target'), t('bcp.frequency'), t('bcp.method'), t('bcp.media'), t('bcp.generations'), t('bcp.location'), t('bcp.restore')].map((x) => h('th', { text: x })), canEdit() ? h('th', null) : null)),
        h('tbody', null, bkRows))),
      bkForm),
    h('section', { class: 'panel' }, h('h2', { text: t('bcp.templates') }), h('div', { class: 'tpl-list' }, templates)),
    h('section', { class: 'panel' }, h('h2', { text: t('bcp.accounts') }),
      h('ul', { class: 'plain-list' }, (res.emergency_accounts || []).map((a) => h('li', null, h('strong', { text: a.login }),
        ` ${a.system || ''} — ${a.emergency_users || ''} ${a.emergency_procedure || ''}`)))));
}

export async function renderDrills(body, ctx) {
  const res = await get('/api/v1/drills');
  const msg = h('div', { class: 'msg-slot', id: 'dr-msg' });
  const items = res.items || [];
  let form = null;
  if (canEdit()) {
    const f = {
      title: h('input', { type: 'text', id: 'dr-title', placeholder: 'ランサムウェア想定訓練' }),
      planned_on: h('input', { type: 'date', id: 'dr-planned' }),
      done_on: h('input', { type: 'date', id: 'dr-done' }),
      scenario: h('input', { type: 'text', id: 'dr-scenario' }),
      participants: h('input', { type: 'text', id: 'dr-participants' }),
      findings: h('input', { type: 'text', id: 'dr-findings' }),
      bcp_changes: h('input', { type: 'text', id: 'dr-changes' }),
      incident: h('input', { type: 'number', id: 'dr-incident', min: 1 }),
    };
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'dr-submit' }, t('dr.add'));
    form = h('form', { class: 'form-grid', novalidate: true },
      formField(t('dr.title'), f.title, { required: true }).el, formField(t('dr.planned'), f.planned_on).el, formField(t('dr.done'), f.done_on).el,
      formField(t('dr.scenario'), f.scenario).el, formField(t('dr.participants'), f.participants).el, formField(t('dr.findings'), f.findings).el,
      formField(t('dr.changes'), f.bcp_changes).el, formField(t('dr.incident'), f.incident).el, h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const rec = {};
      for (const [k, el] of Object.entries(f)) if (el.value) rec[k] = el.value;
      try { await busy(submit, () => post('/api/v1/drills', rec)); ctx.navigate('#/incidents?tab=drills'); } catch (e) { if (!e.handled) showMessage(msg, 'error', e.message); }
    });
  }
  replace(body, msg,
    h('section', { class: 'panel' }, h('div', { class: 'panel-head' }, h('h2', { text: t('dr.list') }),
      h('a', { class: 'btn', href: '#/incidents', id: 'dr-run' }, t('dr.run'))),
    items.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id: 'drills-table' },
      h('thead', null, h('tr', null, [t('dr.title'), t('dr.planned'), t('dr.done'), t('dr.participants'), t('dr.findings'), t('dr.changes')].map((x) => h('th', { text: x })))),
      h('tbody', null, items.map((d) => h('tr', { dataset: { id: d.id } },
        h('td', null, d.title, d.incident_id ? h('a', { class: 'sub', href: `#/incidents/${d.incident_id}`, text: ` #${d.incident_id}` }) : null),
        h('td', { class: 'nowrap', text: d.planned_on || '' }), h('td', { class: 'nowrap', text: d.done_on || '' }),
        h('td', { text: d.participants || '' }), h('td', { text: d.findings || '' }), h('td', { text: d.bcp_changes || '' })))))) : message('info', t('dr.none'))),
    form ? h('section', { class: 'panel' }, h('h2', { text: t('dr.add') }), form) : null);
}
