// account.js - #/account: who I am, and changing my own password.

import { h, replace, fmtTime } from './dom.js';
import { get } from './api.js';
import { t } from './i18n.js';
import { session, setSession } from './state.js';
import { pageHead, showMessage, roleLabel, button } from './ui.js';
import { passwordForm, renderTotpEnrol } from './auth.js';

export async function render(main, ctx) {
  ctx.setTitle(t('nav.account'));
  const u = session.user;
  const done = h('div', { class: 'msg-slot', id: 'account-msg' });
  const pf = passwordForm({
    forced: false,
    onDone: async () => {
      setSession(await get('/api/v1/session'));
      showMessage(done, 'ok', t('account.pw_changed'));
    },
  });
  const row = (k, v) => [h('dt', { text: t(k) }), h('dd', { text: v || '—' })];
  // Two-factor sign-in for roles that do not need it: offered, not forced.
  const totpSlot = h('div', { class: 'totp-slot' });
  if (!u.totp_enabled) {
    totpSlot.appendChild(button(t('account.totp_enrol'), () => {
      renderTotpEnrol(totpSlot, {
        embedded: true,
        onDone: async () => {
          setSession(await get('/api/v1/session'));
          await render(main, ctx);
          showMessage(main.querySelector('#account-msg'), 'ok', t('account.totp_done'));
        },
        onSignOut: () => render(main, ctx),
      });
    }, '', { id: 'totp-enrol' }));
  }
  replace(main,
    pageHead(t('nav.account'), t('account.hint')),
    done,
    h('div', { class: 'panel-row' },
      h('section', { class: 'panel' },
        h('h2', { text: t('account.me') }),
        h('dl', { class: 'kv' },
          row('users.name', u.name),
          row('users.display_name', u.display_name),
          row('users.role', roleLabel(u)),
          row('users.totp', u.totp_enabled ? t('users.totp_on') : t('users.totp_off')),
          row('users.last_login', fmtTime(u.last_login)),
          row('account.facility', session.facility ? session.facility.name : '')),
        u.totp_enabled ? h('p', { class: 'muted small', text: t('account.totp_note') }) : totpSlot),
      h('section', { class: 'panel' },
        h('h2', { text: t('account.pw_title') }),
        pf.form)));
}
