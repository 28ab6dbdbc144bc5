// state.js - who is signed in, and what that role may use.
//
// The server decides (docs/API.md); the UI only hides what would be refused:
//   admin, officer, staff   write records
//   auditor                 reads everything, the journal included
//   vendor                  dashboard and its own vendor's devices only
//   journal                 admin, officer, auditor
//   users                   admin

import { setCsrf } from './api.js';

export const session = {
  user: null,
  facility: null,
  mustChangePassword: false,
  totpEnrolmentRequired: false,
};

// body: the answer of POST /login or GET /session.
export function setSession(body) {
  session.user = body.user || null;
  session.facility = body.facility || null;
  session.mustChangePassword = !!body.must_change_password;
  session.totpEnrolmentRequired = !!body.totp_enrolment_required;
  setCsrf(body.csrf);
}

export function clearSession() {
  session.user = null;
  session.mustChangePassword = false;
  session.totpEnrolmentRequired = false;
  setCsrf(null);
}

const role = () => (session.user ? session.user.role : '');
export const canWrite = () => ['admin', 'officer', 'staff'].includes(role());
export const canJournal = () => ['admin', 'officer', 'auditor'].includes(role());
export const isAdmin = () => role() === 'admin';
export const isVendor = () => role() === 'vendor';
export const canSeeRecords = () => !isVendor(); // systems, vendors, locations lists
