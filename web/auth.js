// auth.js - the screens before the ledger: sign-in (with the 6-digit code
// when the server asks for it, lock-out and disabled accounts), the
// password change (forced on first sign-in, and from #/account), and the
// two-factor (TOTP) enrolment.
//
// What was typed and the TOTP secret being enrolled survive a switch of
// language (the gate screens are drawn again in the other language).

import { h, replace } from './dom.js';
import { post, ApiError } from './api.js';
import { t } from './i18n.js';
import { session, setSession } from './state.js';
import { formField, message, showMessage, busy } from './ui.js';

const draft = { name: '', password: '', code: '', needCode: false };
const lock = { name: '', until: 0 }; // the account locked out, and until when (ms)
let pendingTotp = null; // {userId, secret, uri, qr_svg}

function card(title, ...content) {
  return h('div', { class: 'auth-card' },
    h('div', { class: 'auth-brand' },
      h('span', { class: 'brand-mark', text: '守り' }), h('span', { class: 'brand-name', text: 'mamori' }),
      session.facility ? h('span', { class: 'auth-facility', text: session.facility.name } ) : null),
    h('h1', { text: title }),
    content);
}

function fmtWait(sec) {
  sec = Math.max(0, Math.ceil(sec));
  const m = Math.floor(sec / 60);
  const s = sec % 60;
  return m > 0 ? t('signin.wait_ms', { m, s }) : t('signin.wait_s', { s });
}

// ---- sign-in ---------------------------------------------------------------

export function renderSignIn(main, opts = {}) {
  let timer = null;
  const msg = h('div', { class: 'form-msg', id: 'signin-msg' });
  const name = h('input', { type: 'text', name: 'username', autocomplete: 'username', id: 'signin-name',
    autocapitalize: 'off', spellcheck: 'false', required: true, value: draft.name });
  const pass = h('input', { type: 'password', name: 'password', autocomplete: 'current-password',
    id: 'signin-password', required: true, value: draft.password });
  const code = h('input', { type: 'text', name: 'code', inputmode: 'numeric', autocomplete: 'one-time-code',
    pattern: '[0-9]{6}', maxlength: '6', id: 'signin-code', class: 'code-input', value: draft.code });
  const fName = formField(t('signin.name'), name);
  const fPass = formField(t('signin.password'), pass);
  const fCode = formField(t('signin.code'), code, { hint: t('signin.code_hint') });
  fCode.el.hidden = !draft.needCode;
  const submit = h('button', { type: 'submit', class: 'btn btn-primary btn-block', id: 'signin-submit' }, t('signin.submit'));

  name.addEventListener('input', () => { draft.name = name.value; });
  pass.addEventListener('input', () => { draft.password = pass.value; });
  code.addEventListener('input', () => { draft.code = code.value.replace(/\D/g, ''); });

  const tick = () => {
    const left = (lock.until - Date.now()) / 1000;
    if (left > 0 && name.value.trim() === lock.name) {
      submit.disabled = true;
      submit.textContent = `${t('signin.submit')} (${fmtWait(left)})`;
    } else {
      submit.disabled = false;
      submit.textContent = t('signin.submit');
      if (left <= 0 && timer) { clearInterval(timer); timer = null; }
    }
  };
  const startLock = (who, sec) => {
    lock.name = who;
    lock.until = Date.now() + sec * 1000;
    tick();
    if (!timer) timer = setInterval(tick, 1000);
  };
  if (lock.until > Date.now()) startLock(lock.name, (lock.until - Date.now()) / 1000);
  name.addEventListener('input', tick); // another account may sign in meanwhile

  const form = h('form', { class: 'auth-form', novalidate: true }, msg, fName.el, fPass.el, fCode.el, submit);
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    showMessage(msg, 'info', '');
    if (!name.value.trim() || !pass.value) {
      showMessage(msg, 'error', t('signin.empty'));
      (name.value.trim() ? pass : name).focus();
      return;
    }
    const body = { name: name.value.trim(), password: pass.value };
    if (draft.needCode) {
      const c = code.value.replace(/\D/g, '');
      if (c.length !== 6) {
        fCode.setError(t('signin.code_6'));
        code.focus();
        return;
      }
      body.code = c;
    }
    fCode.setError('');
    try {
      const res = await busy(submit, () => post('/api/v1/login', body, { quiet: true }));
      draft.name = ''; draft.password = ''; draft.code = ''; draft.needCode = false;
      setSession(res);
      await opts.onDone();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.code === 'totp_required') {
        const first = !draft.needCode;
        draft.needCode = true;
        fCode.el.hidden = false;
        showMessage(msg, 'info', first ? t('signin.need_code') : t('signin.bad'));
        code.value = '';
        draft.code = '';
        code.focus();
      } else if (e.code === 'bad_credentials') {
        showMessage(msg, 'error', draft.needCode ? t('signin.bad_with_code') : t('signin.bad'));
        pass.select();
        pass.focus();
      } else if (e.status === 429 || e.code === 'locked') {
        const sec = Number(e.retryAfter) || 60;
        const until = new Date(Date.now() + sec * 1000);
        const hh = String(until.getHours()).padStart(2, '0');
        const mm = String(until.getMinutes()).padStart(2, '0');
        showMessage(msg, 'error', t('signin.locked', { wait: fmtWait(sec), until: `${hh}:${mm}` }));
        startLock(body.name, sec);
      } else if (e.code === 'disabled') {
        showMessage(msg, 'error', t('signin.disabled'));
      } else {
        showMessage(msg, 'error', e.message);
      }
    }
  });

  replace(main, card(t('signin.title'),
    opts.message ? message(opts.kind || 'info', opts.message) : null,
    h('p', { class: 'auth-lead', text: t('signin.lead') }),
    form,
    h('p', { class: 'auth-foot', text: t('signin.foot') })));
  (draft.needCode ? code : draft.name ? pass : name).focus();
  return () => { if (timer) clearInterval(timer); };
}

// ---- password change -------------------------------------------------------

const LETTER = /[A-Za-z]/;
const DIGIT = /[0-9]/;
const SYMBOL = /[^A-Za-z0-9]/;

function policyState(pw, name) {
  const len = [...pw].length;
  const long = len >= 13;
  const mixed = len >= 8 && LETTER.test(pw) && DIGIT.test(pw) && SYMBOL.test(pw);
  // The server refuses the name itself and, for names of 3+ characters, any
  // password that contains it.
  const nm = String(name || '').toLowerCase();
  const low = pw.toLowerCase();
  const notName = !!pw && low !== nm && !(nm.length >= 3 && low.includes(nm));
  return { strength: long || mixed, notName };
}

// The form alone (used by the forced change and by #/account).
export function passwordForm({ forced = false, onDone }) {
  const msg = h('div', { class: 'form-msg', id: 'pw-msg' });
  const cur = h('input', { type: 'password', id: 'pw-current', autocomplete: 'current-password' });
  const nw = h('input', { type: 'password', id: 'pw-new', autocomplete: 'new-password' });
  const cf = h('input', { type: 'password', id: 'pw-confirm', autocomplete: 'new-password' });
  const fCur = formField(forced ? t('pw.current_onetime') : t('pw.current'), cur);
  const fNew = formField(t('pw.new'), nw);
  const fCf = formField(t('pw.confirm'), cf);
  const userName = session.user ? session.user.name : '';

  const rule = (key) => h('li', { class: 'rule', dataset: { rule: key } }, h('span', { class: 'rule-mark', 'aria-hidden': 'true' }), t(`pw.rule_${key}`, { name: userName }));
  const rules = h('ul', { class: 'policy' }, rule('strength'), rule('name'), rule('history'), rule('match'));
  const mark = (key, state) => {
    const li = rules.querySelector(`[data-rule="${key}"]`);
    li.classList.toggle('ok', state === true);
    li.classList.toggle('bad', state === false);
  };
  const update = () => {
    const p = policyState(nw.value, userName);
    mark('strength', nw.value ? p.strength : null);
    mark('name', nw.value ? p.notName : null);
    mark('match', cf.value ? cf.value === nw.value : null);
  };
  nw.addEventListener('input', update);
  cf.addEventListener('input', update);

  const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'pw-submit' }, t('pw.submit'));
  const form = h('form', { class: 'pw-form', novalidate: true },
    msg, fCur.el,
    h('div', { class: 'policy-box' }, h('div', { class: 'policy-title', text: t('pw.policy_title') }), rules),
    fNew.el, fCf.el, h('div', { class: 'form-actions' }, submit));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    [fCur, fNew, fCf].forEach((f) => f.setError(''));
    showMessage(msg, 'info', '');
    if (!cur.value) { fCur.setError(t('pw.err_current_empty')); cur.focus(); return; }
    if (!nw.value) { fNew.setError(t('pw.err_new_empty')); nw.focus(); return; }
    if (nw.value !== cf.value) { fCf.setError(t('pw.err_mismatch')); cf.focus(); return; }
    try {
      await busy(submit, () => post('/api/v1/password', { current: cur.value, new: nw.value }));
      cur.value = ''; nw.value = ''; cf.value = '';
      update();
      await onDone();
    } catch (e) {
      if (e.handled) return;
      if (e.code === 'bad_credentials') { fCur.setError(e.message); cur.focus(); }
      else if (e.status === 422) { fNew.setError(e.message); nw.focus(); }
      else showMessage(msg, 'error', e.message);
    }
  });
  return { form, focus: () => cur.focus(), msg };
}

export function renderPasswordChange(main, { forced = true, onDone, onSignOut }) {
  const f = passwordForm({ forced, onDone });
  replace(main, card(t('pw.title_forced'),
    h('p', { class: 'auth-lead', text: t('pw.lead_forced') }),
    f.form,
    h('p', { class: 'auth-foot' }, h('button', { type: 'button', class: 'btn btn-link', onclick: onSignOut }, t('nav.signout')))));
  f.focus();
  return null;
}

// ---- TOTP enrolment --------------------------------------------------------

// The QR code: SVG markup from our own server (qr.c: a rect and a path, no
// scripts, no styles).  Parsed as SVG and checked before it is inserted.
function qrNode(svgText) {
  if (!svgText) return null;
  const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const svg = doc.documentElement;
  if (!svg || svg.nodeName !== 'svg' || doc.getElementsByTagName('parsererror').length) return null;
  for (const bad of svg.querySelectorAll('script, foreignObject, style')) bad.remove();
  for (const el of [svg, ...svg.querySelectorAll('*')]) {
    for (const a of [...el.attributes]) if (/^on/i.test(a.name) || /href$/i.test(a.name)) el.removeAttribute(a.name);
  }
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', t('totp.qr_alt'));
  return document.importNode(svg, true);
}

export function groupSecret(s) {
  return (s || '').replace(/\s+/g, '').match(/.{1,4}/g)?.join(' ') || '';
}

// embedded: inside #/account (voluntary enrolment) instead of a gate card;
// onSignOut then cancels.
export function renderTotpEnrol(main, { onDone, onSignOut, embedded = false }) {
  const body = h('div', { class: 'totp' }, h('p', { class: 'loading', text: t('loading') }));
  if (embedded) {
    replace(main, h('p', { class: 'muted', text: t('totp.lead_voluntary') }), body,
      h('p', null, h('button', { type: 'button', class: 'btn btn-plain', onclick: onSignOut }, t('cancel'))));
  } else {
    replace(main, card(t('totp.title'),
      h('p', { class: 'auth-lead', text: t('totp.lead') }),
      body,
      h('p', { class: 'auth-foot' }, h('button', { type: 'button', class: 'btn btn-link', onclick: onSignOut }, t('nav.signout')))));
    main.firstChild.classList.add('auth-card-wide');
  }

  const draw = () => {
    const p = pendingTotp;
    const msg = h('div', { class: 'form-msg', id: 'totp-msg' });
    const code = h('input', { type: 'text', id: 'totp-code', class: 'code-input', inputmode: 'numeric',
      autocomplete: 'one-time-code', maxlength: '6', pattern: '[0-9]{6}' });
    const fCode = formField(t('totp.code'), code, { hint: t('totp.code_hint') });
    const submit = h('button', { type: 'submit', class: 'btn btn-primary', id: 'totp-submit' }, t('totp.submit'));
    const form = h('form', { class: 'totp-form', novalidate: true }, msg, fCode.el, h('div', { class: 'form-actions' }, submit));
    form.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      fCode.setError('');
      const c = code.value.replace(/\D/g, '');
      if (c.length !== 6) { fCode.setError(t('signin.code_6')); code.focus(); return; }
      try {
        await busy(submit, () => post('/api/v1/totp/confirm', { code: c }));
        pendingTotp = null;
        await onDone();
      } catch (e) {
        if (e.handled) return;
        if (e.status === 422 || e.status === 400) { fCode.setError(e.message || t('totp.bad_code')); code.select(); code.focus(); }
        else showMessage(msg, 'error', e.message);
      }
    });
    const qr = qrNode(p.qr_svg);
    replace(body,
      h('ol', { class: 'steps' },
        h('li', null,
          h('div', { class: 'step-title', text: t('totp.step1') }),
          h('div', { class: 'step-row' },
            h('div', { class: 'qr', id: 'totp-qr' }, qr || h('span', { class: 'muted', text: t('totp.no_qr') })),
            h('div', { class: 'secret-box' },
              h('div', { class: 'secret-label', text: t('totp.secret_label') }),
              h('code', { class: 'secret', id: 'totp-secret', text: groupSecret(p.secret) }),
              h('div', { class: 'secret-spec', text: t('totp.spec') }),
              h('p', { class: 'secret-note' }, t('totp.oathtool_before'), h('code', { text: 'oathtool --totp -b SECRET' }), t('totp.oathtool_after'))))),
        h('li', null,
          h('div', { class: 'step-title', text: t('totp.step2') }),
          form)));
    code.focus();
  };

  const uidNow = session.user ? session.user.id : null;
  if (pendingTotp && pendingTotp.userId === uidNow) {
    draw();
  } else {
    post('/api/v1/totp/begin', {}).then((res) => {
      pendingTotp = { userId: uidNow, ...res };
      draw();
    }).catch((e) => {
      if (e.handled) return;
      replace(body, message('error', e.message));
    });
  }
  return null;
}

