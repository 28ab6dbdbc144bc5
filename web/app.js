// app.js - start-up, the header, navigation and the hash router.
//
// Routes (only "/" is served; everything else lives after the #):
//   #/dashboard  #/assets[?q=&status=&kind=&department=&sort=&order=&offset=&warning=]
//   #/assets/new  #/assets/12  #/assets/12/edit  #/import
//   #/checklist[?fy=&tab=own|vendors&round=]  #/checklist/12[?round=]  #/documents[?kind=]
//   #/journal[?entity_type=&entity_id=&action=&since=]  #/users  #/account
//   #/sysaccounts[?tab=emergency|import&id=&q=&kind=&status=&retired=&unused=&admin=]
//   #/incidents[?tab=incidents|contacts|bcp|drills|emergency]  #/incidents/12
//   #/logs[?user=&patient=&host=&action=&result=&from=&to=&before=]  #/logs/123
//
// Before any of them: sign-in, then the password change and the TOTP
// enrolment while the server says they are owed (auth.js).

import { h, replace, clear } from './dom.js';
import { get, post, onUnauthenticated, onRestricted } from './api.js';
import { t, lang, setLang, onLangChange } from './i18n.js';
import { session, setSession, clearSession, canWrite, canJournal, isAdmin, canSeeRecords } from './state.js';
import { loadFields } from './fields.js';
import * as auth from './auth.js';
import * as dashboard from './dashboard.js';
import * as ledger from './ledger.js';
import * as asset from './asset.js';
import * as importer from './importer.js';
import * as journal from './journal.js';
import * as checklist from './checklist.js';
import * as documents from './documents.js';
import * as users from './users.js';
import * as account from './account.js';
import * as sysaccounts from './sysaccounts.js';
import * as incidents from './incidents.js';
import * as logs from './logs.js';
import * as logalerts from './logalerts.js';
import { message, roleLabel } from './ui.js';

const root = document.getElementById('app');
let cleanup = null;
let wanted = null; // the route asked for before signing in
let routeSeq = 0; // a screen still loading when another is asked for gives way

const NAV = [
  { path: '/dashboard', key: 'nav.dashboard', allowed: () => true },
  { path: '/assets', key: 'nav.assets', allowed: () => true },
  { path: '/sysaccounts', key: 'nav.sysaccounts', allowed: canSeeRecords },
  { path: '/checklist', key: 'nav.checklist', allowed: () => true },
  { path: '/incidents', key: 'nav.incidents', allowed: canSeeRecords },
  { path: '/logs', key: 'nav.logs', allowed: canSeeRecords },
  { path: '/logalerts', key: 'nav.logalerts', allowed: canSeeRecords },
  { path: '/documents', key: 'nav.documents', allowed: canSeeRecords },
  { path: '/import', key: 'nav.import', allowed: canWrite },
  { path: '/journal', key: 'nav.journal', allowed: canJournal },
  { path: '/users', key: 'nav.users', allowed: isAdmin },
  { path: '/account', key: 'nav.account', allowed: () => true },
];

const ROUTES = [
  { re: /^\/dashboard$/, nav: '/dashboard', render: dashboard.render },
  { re: /^\/assets$/, nav: '/assets', render: ledger.render },
  { re: /^\/assets\/new$/, nav: '/assets', render: asset.renderNew, allowed: canWrite },
  { re: /^\/assets\/(\d+)$/, nav: '/assets', render: asset.renderDetail },
  { re: /^\/assets\/(\d+)\/edit$/, nav: '/assets', render: asset.renderEdit, allowed: canWrite },
  { re: /^\/sysaccounts$/, nav: '/sysaccounts', render: sysaccounts.render, allowed: canSeeRecords },
  { re: /^\/checklist$/, nav: '/checklist', render: checklist.render },
  { re: /^\/checklist\/(\d+)$/, nav: '/checklist', render: checklist.renderSheetPage },
  { re: /^\/incidents$/, nav: '/incidents', render: incidents.render, allowed: canSeeRecords },
  { re: /^\/incidents\/(\d+)$/, nav: '/incidents', render: incidents.renderDetail, allowed: canSeeRecords },
  { re: /^\/logs$/, nav: '/logs', render: logs.render, allowed: canSeeRecords },
  { re: /^\/logs\/(\d+)$/, nav: '/logs', render: logs.renderDetail, allowed: canSeeRecords },
  { re: /^\/logalerts$/, nav: '/logalerts', render: logalerts.render, allowed: canSeeRecords },
  { re: /^\/documents$/, nav: '/documents', render: documents.render, allowed: canSeeRecords },
  { re: /^\/import$/, nav: '/import', render: importer.render, allowed: canWrite },
  { re: /^\/journal$/, nav: '/journal', render: journal.render, allowed: canJournal },
  { re: /^\/users$/, nav: '/users', render: users.render, allowed: isAdmin },
  { re: /^\/account$/, nav: '/account', render: account.render },
];

export function parseHash() {
  // a vendor account's work is its checklist: it starts there
  const home = session.user && session.user.role === 'vendor' ? '/checklist' : '/dashboard';
  const raw = location.hash.replace(/^#/, '') || home;
  const q = raw.indexOf('?');
  const path = q < 0 ? raw : raw.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : raw.slice(q + 1));
  return { path, query };
}

export function navigate(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function langSwitch() {
  const mk = (code, label) => h('button', {
    type: 'button', class: ['lang-btn', lang() === code ? 'active' : ''], lang: code,
    'aria-pressed': lang() === code ? 'true' : 'false',
    onclick: () => setLang(code),
  }, label);
  return h('div', { class: 'lang-switch', role: 'group', 'aria-label': 'Language' },
    mk('ja', '日本語'), mk('en', 'English'));
}

export async function signOut(msgKey = 'signin.signed_out') {
  try { await post('/api/v1/logout', {}, { quiet: true }); } catch (e) { /* gone anyway */ }
  clearSession();
  wanted = null;
  history.replaceState(null, '', '#/dashboard');
  showGate({ message: t(msgKey), kind: 'info' });
}

function header(navPath) {
  const u = session.user;
  const facility = session.facility ? session.facility.name : '';
  return h('header', { class: 'app-header' },
    h('div', { class: 'bar' },
      h('a', { class: 'brand', href: '#/dashboard', title: 'mamori' },
        h('span', { class: 'brand-mark', text: '守り' }), h('span', { class: 'brand-name', text: 'mamori' })),
      h('span', { class: 'facility', id: 'facility-name', text: facility }),
      h('div', { class: 'bar-right' },
        h('span', { class: 'who', id: 'current-user' },
          h('span', { class: 'who-name', text: u.display_name && u.display_name !== u.name ? `${u.display_name} (${u.name})` : u.name }),
          h('span', { class: 'role-badge', dataset: { role: u.role }, text: roleLabel(u) })),
        langSwitch(),
        h('button', { type: 'button', class: 'btn btn-header', id: 'sign-out', onclick: () => signOut() }, t('nav.signout')))),
    h('nav', { class: 'tabs', 'aria-label': t('nav.label') },
      NAV.filter((n) => n.allowed()).map((n) => h('a', {
        href: `#${n.path}`, class: ['tab', n.path === navPath ? 'active' : ''],
        'aria-current': n.path === navPath ? 'page' : null,
      }, t(n.key)))));
}

function runCleanup() {
  if (cleanup) { try { cleanup(); } catch (e) { /* ignore */ } }
  cleanup = null;
}

// Sign-in, password change or TOTP enrolment: whichever is owed.
function showGate(opts = {}) {
  runCleanup();
  routeSeq += 1;
  document.body.classList.add('gate');
  const main = h('main', { class: 'gate-main', id: 'main' });
  replace(root, h('div', { class: 'gate-top' }, langSwitch()), main);
  const done = async () => {
    await refreshSession();
    route();
  };
  if (!session.user) {
    document.title = `${t('signin.title')} - mamori`;
    cleanup = auth.renderSignIn(main, { ...opts, onDone: done });
  } else if (session.mustChangePassword) {
    document.title = `${t('pw.title_forced')} - mamori`;
    cleanup = auth.renderPasswordChange(main, { forced: true, onDone: done, onSignOut: () => signOut() });
  } else {
    document.title = `${t('totp.title')} - mamori`;
    cleanup = auth.renderTotpEnrol(main, { onDone: done, onSignOut: () => signOut() });
  }
}

async function refreshSession() {
  try {
    setSession(await get('/api/v1/session', { quiet: true }));
  } catch (e) {
    clearSession();
  }
}

export async function route() {
  if (!session.user || session.mustChangePassword || session.totpEnrolmentRequired) {
    if (!session.user && location.hash && !wanted) wanted = location.hash;
    showGate();
    return;
  }
  if (wanted) {
    const w = wanted;
    wanted = null;
    if (w !== location.hash && w !== '#/' && w !== '#') { location.hash = w; return; }
  }
  runCleanup();
  const my = ++routeSeq;
  document.body.classList.remove('gate');
  const { path, query } = parseHash();
  let match = null;
  let params = [];
  for (const r of ROUTES) {
    const m = path.match(r.re);
    if (m) { match = r; params = m.slice(1); break; }
  }
  const main = h('main', { id: 'main', class: 'main' });
  replace(root, header(match ? match.nav : ''), main);
  if (!match) {
    document.title = 'mamori';
    main.appendChild(message('warn', t('err.no_page'), ' ', h('a', { href: '#/dashboard' }, t('nav.dashboard'))));
    return;
  }
  if (match.allowed && !match.allowed()) {
    main.appendChild(message('warn', t('err.not_allowed'), ' ', h('a', { href: '#/dashboard' }, t('nav.dashboard'))));
    return;
  }
  try {
    await loadFields();
  } catch (e) {
    if (!e.handled) main.appendChild(message('error', e.message));
    return;
  }
  if (my !== routeSeq) return;
  const ctx = {
    params, query, navigate, setTitle: (s) => { document.title = `${s} - mamori`; },
  };
  try {
    const c = await match.render(main, ctx);
    if (typeof c === 'function') {
      if (my === routeSeq) cleanup = c;
      else c();
    }
  } catch (e) {
    if (e && e.handled) return;
    console.error(e);
    main.appendChild(message('error', (e && e.message) || String(e)));
  }
}

onUnauthenticated((err) => {
  const had = !!session.user;
  clearSession();
  if (!wanted && location.hash) wanted = location.hash;
  showGate({ message: had ? t('signin.expired') : err.message, kind: 'warn' });
});

onRestricted(async () => {
  await refreshSession();
  route();
});

onLangChange(() => {
  document.documentElement.lang = lang();
  if (!session.user || session.mustChangePassword || session.totpEnrolmentRequired) {
    showGate({ keep: true }); // auth.js keeps what was typed and the TOTP secret
    return;
  }
  route();
});

window.addEventListener('hashchange', () => route());

// A <details class="menu"> closes when one clicks elsewhere or presses Escape.
document.addEventListener('click', (ev) => {
  for (const m of document.querySelectorAll('details.menu[open]')) if (!m.contains(ev.target)) m.open = false;
});
document.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') for (const m of document.querySelectorAll('details.menu[open]')) m.open = false;
});

async function start() {
  document.documentElement.lang = lang();
  clear(root);
  root.appendChild(h('p', { class: 'loading', text: t('loading') }));
  await refreshSession();
  route();
}

start();
