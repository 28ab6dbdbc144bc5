// api.js - the one way the UI talks to the server (docs/API.md).
//
// api(method, path, options) → the parsed JSON (null for 204), or throws an
// ApiError {status, code, message, field, body, retryAfter}.  Every
// state-changing request carries X-CSRF-Token.  A 401 (session gone) and a
// 403 that says a password change or TOTP enrolment is still owed are also
// reported to the handlers the app installs, which take the user to the
// right screen; the caller still gets the error (with handled = true).

import { t } from './i18n.js';

let csrf = null;
const handlers = { unauthenticated: null, restricted: null };

export function setCsrf(token) { csrf = token || null; }
export function onUnauthenticated(fn) { handlers.unauthenticated = fn; }
export function onRestricted(fn) { handlers.restricted = fn; }

export class ApiError extends Error {
  constructor(status, code, message, extra = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.field = extra.field || null;
    this.body = extra.body || null;
    this.retryAfter = extra.retryAfter ?? null;
    this.handled = false;
  }
}

// Query string from an object, leaving out empty values.
export function qs(params) {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v === undefined || v === null || v === '') continue;
    u.set(k, String(v));
  }
  const s = u.toString();
  return s ? `?${s}` : '';
}

// options: body (JSON-encoded), raw (ArrayBuffer/Blob sent as is), headers,
// signal, quiet (no 401/403 redirect: sign-in itself).
export async function api(method, path, options = {}) {
  const headers = { Accept: 'application/json', ...(options.headers || {}) };
  let body;
  if (options.raw !== undefined) {
    body = options.raw;
  } else if (options.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  if (method !== 'GET' && method !== 'HEAD' && csrf) headers['X-CSRF-Token'] = csrf;
  let res;
  try {
    res = await fetch(path, {
      method, headers, body, credentials: 'same-origin', cache: 'no-store', signal: options.signal,
    });
  } catch (e) {
    if (e && e.name === 'AbortError') throw e;
    throw new ApiError(0, 'network', t('err.network'));
  }
  let data = null;
  const ctype = res.headers.get('Content-Type') || '';
  if (res.status !== 204 && ctype.includes('application/json')) {
    try { data = await res.json(); } catch (e) { data = null; }
  }
  if (res.ok) return data;

  const e = (data && data.error) || {};
  const retry = e.retry_after ?? (res.headers.get('Retry-After') ? Number(res.headers.get('Retry-After')) : null);
  const err = new ApiError(res.status, e.code || `http_${res.status}`,
    e.message || t('err.status', { status: res.status }),
    { field: e.field, body: data, retryAfter: retry });
  if (!options.quiet) {
    if (res.status === 401 && handlers.unauthenticated) {
      err.handled = true;
      handlers.unauthenticated(err);
    } else if (res.status === 403 && (err.code === 'password_change_required' ||
               err.code === 'totp_enrolment_required') && handlers.restricted) {
      err.handled = true;
      handlers.restricted(err.code);
    }
  }
  throw err;
}

export const get = (path, opts) => api('GET', path, opts);
export const post = (path, body, opts = {}) => api('POST', path, { ...opts, body });
export const patch = (path, body, opts = {}) => api('PATCH', path, { ...opts, body });
