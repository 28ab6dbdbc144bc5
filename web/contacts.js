// contacts.js - the contact chart (連絡体制図) tab of #/incidents?tab=contacts:
// the chart drawn as SVG from the server's layout (the same layout as the
// PDF for the wall: left to right, numbered calls, blue inside the hospital,
// orange outside), the list in calling order, and for admin and officer a
// form to add, change and remove contacts.  Authorities' phone numbers are
// the hospital's to fill in: an empty one shows 「(記入してください)」.

import { h, replace } from './dom.js';
import { get, post, patch, api } from './api.js';
import { t, addMessages } from './i18n.js';
import { session } from './state.js';
import { message, showMessage, formField, select, busy, button, confirmDialog } from './ui.js';

addMessages({
  'ct.chart': ['連絡体制図', 'Contact chart'],
  'ct.pdf': ['壁に貼る PDF', 'PDF for the wall'],
  'ct.legend': ['左から右へ、番号の順に連絡します。青: 組織内、橙: 外部。', 'Calls go left to right in the numbered order. Blue: inside the hospital, orange: outside.'],
  'ct.fill_in': ['(記入してください)', '(fill in)'],
  'ct.list': ['連絡先の一覧', 'Contacts'],
  'ct.none': ['連絡先がまだありません。院長、医療情報システム安全管理責任者、保守事業者、厚生労働省、警察などを登録してください。',
    'No contacts yet. Add the director, the security officer, the vendors, MHLW, the police …'],
  'ct.add': ['連絡先を追加', 'Add a contact'],
  'ct.side': ['区分', 'Side'],
  'ct.internal': ['組織内', 'Internal'],
  'ct.external': ['外部', 'External'],
  'ct.role': ['役割', 'Role'],
  'ct.name': ['氏名', 'Name'],
  'ct.org': ['組織・部署', 'Organisation'],
  'ct.phone': ['電話', 'Phone'],
  'ct.after': ['夜間・休日', 'After hours'],
  'ct.vendor': ['事業者 (緊急連絡先を使う)', 'Vendor (its emergency number)'],
  'ct.parent': ['誰から連絡するか', 'Called by'],
  'ct.order': ['順番', 'Order'],
  'ct.note': ['備考', 'Note'],
  'ct.first': ['(最初に連絡する人)', '(the first caller)'],
  'ct.save': ['登録する', 'Add'],
  'ct.remove': ['削除', 'Remove'],
  'ct.remove_q': ['「{role}」を削除します。この人が連絡していた先は、一つ前の人が連絡します。', 'Remove "{role}"? Those it called are then called by its caller.'],
  'ct.added': ['連絡先を登録しました。', 'Contact added.'],
  'ct.phone_edit': ['電話を変更', 'Change phone'],
});

const SVGNS = 'http://www.w3.org/2000/svg';
const canEdit = () => ['admin', 'officer'].includes(session.user ? session.user.role : '');

function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVGNS, tag);
  for (const [k, v] of Object.entries(attrs || {})) if (v !== null && v !== undefined) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
  return el;
}

// The chart as SVG: boxes 230×64 in columns 270 apart, rows 76 apart.
export function chartSvg(chart) {
  const W = 230, H = 64, CX = 270, RY = 76;
  const cols = chart.cols || 0, rows = chart.rows || 0;
  const width = Math.max(1, cols * CX - (CX - W) + 20), height = Math.max(1, rows * RY + 10);
  const svg = s('svg', { class: 'contact-chart', id: 'contact-chart', viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-label': t('ct.chart') });
  const pos = {};
  for (const n of chart.nodes) pos[n.id] = { x: 10 + n.col * CX, y: 5 + n.row * RY + (RY - H) / 2 };
  for (const e of chart.edges) {
    const a = pos[e.from], b = pos[e.to];
    if (!a || !b) continue;
    const mx = a.x + W + (CX - W) / 2;
    svg.appendChild(s('path', { class: 'cc-edge', d: `M${a.x + W} ${a.y + H / 2} H${mx} V${b.y + H / 2} H${b.x}` }));
    svg.appendChild(s('circle', { class: 'cc-order', cx: mx + 10, cy: b.y + H / 2, r: 8 }));
    svg.appendChild(s('text', { class: 'cc-order-text', x: mx + 10, y: b.y + H / 2 + 4, 'text-anchor': 'middle' }, e.order));
  }
  for (const n of chart.nodes) {
    const p = pos[n.id];
    const phone = n.phone || n.vendor_emergency_phone;
    const who = [n.organisation || n.vendor_name, n.name].filter(Boolean).join(' ');
    const g = s('g', { class: `cc-node cc-${n.side}`, 'data-id': n.id });
    g.appendChild(s('rect', { x: p.x, y: p.y, width: W, height: H, rx: 4 }));
    g.appendChild(s('text', { class: 'cc-role', x: p.x + 8, y: p.y + 18 }, n.role));
    if (who) g.appendChild(s('text', { class: 'cc-who', x: p.x + 8, y: p.y + 36 }, who.length > 26 ? `${who.slice(0, 25)}…` : who));
    g.appendChild(s('text', { class: phone ? 'cc-phone' : 'cc-phone cc-missing', x: p.x + 8, y: p.y + 54 },
      phone ? `☎ ${phone}${n.phone_after_hours ? ` / ${n.phone_after_hours}` : ''}` : `☎ ${t('ct.fill_in')}`));
    svg.appendChild(g);
  }
  return svg;
}

export async function renderContacts(body, ctx) {
  const chart = await get('/api/v1/contacts');
  const msg = h('div', { class: 'msg-slot', id: 'ct-msg' });
  const reload = () => ctx.navigate('#/incidents?tab=contacts');
  const nodes = chart.nodes || [];

  let form = null;
  if (canEdit()) {
    const side = select([{ value: 'internal', label: t('ct.internal') }, { value: 'external', label: t('ct.external') }], 'external', { id: 'ct-side' });
    const role = h('input', { type: 'text', id: 'ct-role', placeholder: '警察 (サイバー犯罪相談窓口)' });
    const name = h('input', { type: 'text', id: 'ct-name' });
    const org = h('input', { type: 'text', id: 'ct-org' });
    const phone = h('input', { type: 'text', id: 'ct-phone' });
    const after = h('input', { type: 'text', id: 'ct-after' });
    const vendor = select([{ value: '', label: '—' }, ...(chart.vendors || []).map((v) => ({ value: `#${v.id}`, label: `${v.name}${v.emergency_phone ? ` ${v.emergency_phone}` : ''}` }))], '', { id: 'ct-vendor' });
    const parent = select([{ value: '', label: t('ct.first') }, ...nodes.map((n) => ({ value: `#${n.id}`, label: `${n.number} ${n.role}` }))], '', { id: 'ct-parent' });
    const order = h('input', { type: 'number', id: 'ct-order', min: 0, max: 999, value: 0 });
    const note = h('input', { type: 'text', id: 'ct-note' });
    const roleField = formField(t('ct.role'), role, { required: true });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'ct-submit' }, t('ct.save'));
    form = h('form', { class: 'form-grid', novalidate: true },
      formField(t('ct.side'), side).el, roleField.el, formField(t('ct.name'), name).el, formField(t('ct.org'), org).el,
      formField(t('ct.phone'), phone).el, formField(t('ct.after'), after).el, formField(t('ct.vendor'), vendor).el,
      formField(t('ct.parent'), parent).el, formField(t('ct.order'), order).el, formField(t('ct.note'), note).el,
      h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      roleField.setError('');
      if (!role.value.trim()) { roleField.setError(t('form.err_required')); return; }
      const rec = { side: side.value, role: role.value.trim(), name: name.value || null, organisation: org.value || null,
        phone: phone.value || null, phone_after_hours: after.value || null, vendor: vendor.value || null,
        parent: parent.value || null, call_order: Number(order.value || 0), note: note.value || null };
      try {
        await busy(submit, () => post('/api/v1/contacts', rec));
        reload();
      } catch (e) { if (!e.handled) showMessage(msg, 'error', e.message); }
    });
  }

  const rows = nodes.map((n) => h('tr', { dataset: { id: n.id } },
    h('td', { class: 'nowrap', text: n.number }),
    h('td', { text: n.side === 'internal' ? t('ct.internal') : t('ct.external') }),
    h('td', { text: n.role }),
    h('td', { text: [n.organisation || n.vendor_name, n.name].filter(Boolean).join(' ') }),
    h('td', { class: (n.phone || n.vendor_emergency_phone) ? '' : 'bad-text', text: n.phone || n.vendor_emergency_phone || t('ct.fill_in') }),
    h('td', { text: n.phone_after_hours || '' }),
    h('td', { class: 'sub', text: n.note || '' }),
    canEdit() ? h('td', { class: 'actions' },
      button(t('ct.phone_edit'), async () => {
        const v = window.prompt(t('ct.phone'), n.phone || '');
        if (v === null) return;
        try { await patch(`/api/v1/contacts/${n.id}`, { phone: v }); reload(); } catch (e) { if (!e.handled) showMessage(msg, 'error', e.message); }
      }, 'btn-small'),
      button(t('ct.remove'), async () => {
        if (!(await confirmDialog(t('ct.remove'), t('ct.remove_q', { role: n.role }), t('ct.remove'), 'btn-danger'))) return;
        try { await api('DELETE', `/api/v1/contacts/${n.id}`); reload(); } catch (e) { if (!e.handled) showMessage(msg, 'error', e.message); }
      }, 'btn-small')) : null));

  replace(body, msg,
    h('section', { class: 'panel' },
      h('div', { class: 'panel-head' }, h('h2', { text: t('ct.chart') }),
        h('a', { class: 'btn', id: 'ct-pdf', href: '/api/v1/contacts/chart', download: '' }, t('ct.pdf'))),
      h('p', { class: 'sub', text: t('ct.legend') }),
      nodes.length ? h('div', { class: 'chart-wrap' }, chartSvg(chart)) : message('info', t('ct.none'))),
    nodes.length ? h('section', { class: 'panel' }, h('h2', { text: t('ct.list') }),
      h('div', { class: 'table-wrap' }, h('table', { class: 'grid', id: 'contacts-table' },
        h('thead', null, h('tr', null, ['#', t('ct.side'), t('ct.role'), t('ct.org'), t('ct.phone'), t('ct.after'), t('ct.note')].map((x) => h('th', { text: x })), canEdit() ? h('th', null) : null)),
        h('tbody', null, rows)))) : null,
    form ? h('section', { class: 'panel' }, h('h2', { text: t('ct.add') }), form) : null);
}
