/*
 * emergency.h - uses of emergency (非常時用, break-glass) accounts.
 *
 * The accounts themselves are the account inventory's (account.h, table
 * account with kind 'emergency'); this module records each use (table
 * emergency_use): inside an open incident, or outside one only with a
 * reason.  Every use raises the dashboard alert until it is handled, and an
 * incident cannot be closed while a use in it is not handled.
 *
 * Handled: the account's status is 'disabled' (or 'deleted'), or its
 * credential_rotated_on is after the use (a date-only value counts when it
 * is on or after the day of the use, in UTC).  This is read from the
 * account table each time, so disabling the account with
 * "mamori account disable" (or rotating it) is what clears the alert.
 *
 * Write functions run inside a store transaction and journal their change.
 */
#ifndef MAMORI_EMERGENCY_H
#define MAMORI_EMERGENCY_H

#include <jansson.h>
#include <stdint.h>

struct mamori_err;
struct store;

struct emergency_use_args {
	int64_t incident_id;  /* 0: outside an incident (reason required) */
	const char *account;  /* login, or "#ID" */
	const char *system;   /* system name to tell logins apart (may be NULL) */
	const char *used_at;  /* NULL: now (incident_time_norm()) */
	const char *used_by;  /* who used it (may be NULL) */
	const char *reason;
	const char *source;   /* "recorded" (default) | "reported" | "log" */
};

/*
 * Records a use.  The account must exist and be an emergency account
 * (MAMORI_EINVAL otherwise); the incident must be open (MAMORI_ECONFLICT
 * when recovered or closed); without an incident the reason is required
 * (MAMORI_EINVAL).  The use goes into the incident's timeline too.
 */
int emergency_use_record(struct store *st, const char *actor, const struct emergency_use_args *a,
			 int64_t *id, struct mamori_err *err);

/* The account named by login (and system) or "#ID"; ENOTFOUND / EINVAL (ambiguous). */
int emergency_account_find(struct store *st, const char *account, const char *system,
			   int64_t *id, struct mamori_err *err);

/*
 * Uses as JSON [{id, account_id, login, system, incident_id, incident_title,
 * used_at, used_by, reason, source, recorded_at, recorded_by, handled,
 * handled_how, account_status, credential_rotated_on}], newest first.
 * incident_id > 0: that incident's; 0: all; -1: those outside incidents.
 * unhandled_only: only those not yet handled.
 */
int emergency_uses(struct store *st, int64_t incident_id, int unhandled_only, json_t **out,
		   struct mamori_err *err);

/*
 * Puts first in warnings the dashboard alert {"code": "emergency_use",
 * "severity": "alert", "message", "count", "href", "devices": [], "uses":
 * […]} when any use is not handled; nothing otherwise.
 */
int emergency_dashboard_warning(struct store *st, json_t *warnings, struct mamori_err *err);

/* The emergency accounts of the inventory: [{id, login, system, emergency_users,
 * emergency_procedure, status, credential_rotated_on, uses, unhandled}]. */
int emergency_accounts(struct store *st, json_t **out, struct mamori_err *err);

#endif
