// account.js - #/account: who I am, and changing my own password.

import { h, replace, fmtTime } from './dom.js';
import { get } from './api.js';
import { t } from './i18n.js';
import { session, setSession } from './state.js';
import { pageHead, showMessage, roleLabel } from './ui.js';
import { passwordForm } from './auth.js';

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
        h('p', { class: 'muted small', text: t('account.totp_note') })),
      h('section', { class: 'panel' },
        h('h2', { text: t('account.pw_title') }),
        pf.form)));
}
