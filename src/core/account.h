/*
 * account.h - the account inventory (アカウント台帳): the accounts that
 * people and vendors use on each medical information system and device,
 * with their holder, role, administrator rights, kind, dates of creation
 * and last use, and the holder's employment status; and the registry of
 * emergency (非常時用, break-glass) accounts: who may use them and how.
 *
 * An account is a fixed set of fields (account_fields[]) held as
 * normalised text, like a device (asset.h): booleans "1"/"0", dates
 * YYYY-MM-DD, kinds and statuses as their English values, the system by
 * name and the device by its host name (else asset tag, MAC, #id), NULL
 * when empty.  The field table drives CSV headers and aliases, cell
 * normalisation, JSON keys, the export and change lists.
 *
 * Identity: an account belongs to a system, a device, or both, and is
 * unique by (system, device, login); re-importing a list matches by that
 * key and updates instead of duplicating.
 *
 * Kinds: personal (個人), shared (共用), maintenance (保守用, a vendor's),
 * emergency (非常時用).  Status: enabled (有効) ⇄ disabled (無効), deleted
 * (削除済: removed from the system, kept for the record).
 *
 * Actions on an account (each journaled, entity type "account"):
 *   account.add / account.edit      fields as typed
 *   account.disable / account.enable  status, and disabled_at (the moment)
 *   account.rotate                  credential_rotated_on: the moment as
 *                                   RFC 3339 UTC, or a date given by the
 *                                   officer (YYYY-MM-DD) for a change made
 *                                   earlier; see store_sqlite_v6.c for how
 *                                   the two compare with a use.
 *
 * Flags (account_flags()) say what is wrong with an enabled account: its
 * holder has retired, it has not been used for more than the store's
 * "accounts.unused_days" (default 90; emergency accounts are exempt), it is
 * a shared account with administrator rights, it has administrator rights
 * without a named holder, or it is a personal account without two-factor
 * authentication.  The checklist evidence (evidence.c) reads the same
 * flags.
 *
 * All write functions run inside a store transaction (store_begin) and
 * append their journal entry in it.
 */
#ifndef MAMORI_ACCOUNT_H
#define MAMORI_ACCOUNT_H

#include <jansson.h>
#include <stdint.h>

#include "enc.h"

struct mamori_err;
struct store;
struct strbuf;

enum account_type {
	ACCOUNT_T_TEXT,
	ACCOUNT_T_BOOL,
	ACCOUNT_T_DATE,
	ACCOUNT_T_MOMENT, /* a date, or an RFC 3339 time (credential_rotated_on) */
	ACCOUNT_T_KIND,
	ACCOUNT_T_HOLDER_STATUS,
	ACCOUNT_T_STATUS,
	ACCOUNT_T_REF_SYSTEM,
	ACCOUNT_T_REF_DEVICE,
};

/* Field flags. */
enum {
	ACCOUNT_F_LIST = 1 << 0,     /* a column of "account list" */
	ACCOUNT_F_READONLY = 1 << 1, /* set by an action only (disabled_at) */
	ACCOUNT_F_EMERGENCY = 1 << 2, /* the emergency registry's own fields */
};

enum account_field_id {
	ACCOUNT_SYSTEM,
	ACCOUNT_DEVICE,
	ACCOUNT_LOGIN,
	ACCOUNT_HOLDER,
	ACCOUNT_HOLDER_ROLE,
	ACCOUNT_DEPARTMENT,
	ACCOUNT_KIND,
	ACCOUNT_ADMIN,
	ACCOUNT_TWO_FACTOR,
	ACCOUNT_CREATED_ON,
	ACCOUNT_LAST_USED_ON,
	ACCOUNT_HOLDER_STATUS,
	ACCOUNT_STATUS,
	ACCOUNT_EMERGENCY_USERS,
	ACCOUNT_EMERGENCY_PROCEDURE,
	ACCOUNT_ROTATED_ON,
	ACCOUNT_DISABLED_AT,
	ACCOUNT_NOTE,
	ACCOUNT_NFIELDS,
};

struct account_field {
	const char *name;     /* JSON key, CLI name and (for non-refs) SQL column */
	const char *label;    /* Japanese label: CSV header, messages */
	const char *label_en;
	enum account_type type;
	unsigned flags;
	const char *const *aliases; /* more header names accepted on import */
};

extern const struct account_field account_fields[ACCOUNT_NFIELDS];

struct account {
	int64_t id;        /* 0 for an account not yet stored */
	int64_t system_id; /* set by account_resolve_refs() and by reads; 0: none */
	int64_t device_id;
	char *v[ACCOUNT_NFIELDS];
	char *created_at;
	char *updated_at;
};

void account_init(struct account *a);
void account_release(struct account *a);
void account_copy(struct account *dst, const struct account *src);

/*
 * A field by its name, Japanese or English label or an alias, comparing
 * as headers are written (case, spaces, full-width forms and the
 * punctuation of headers ignored).  -1 when unknown.
 */
int account_field_find(const char *header);

/*
 * Normalises raw for field f into a->v[f] (blank → NULL).  A value that
 * does not fit is MAMORI_EINVAL with the reason (no field name) in err;
 * a->v[f] is then unchanged.  Setting the system or device clears the
 * resolved id.  The holder status also takes yes/no words, as a column
 * 「退職」 holds them: yes → retired, no → active.
 */
int account_set(struct account *a, int f, const char *raw, struct mamori_err *err);

/*
 * Applies a JSON object {field: value} (the API's body): keys are field
 * names or labels; values strings, booleans, integers, or null to clear.
 * Read-only fields are refused.  On MAMORI_EINVAL *bad_field names the
 * field (or the unknown key).
 */
int account_apply_json(struct account *a, json_t *obj, const char **bad_field,
		       struct mamori_err *err);

/* Japanese words of the enumerations (the value itself when unknown). */
const char *account_kind_label(const char *kind);
const char *account_holder_status_label(const char *s);
const char *account_status_label(const char *status);

/* The value as a person reads it and as the CSV export writes it
 * (〇/×, labels of kinds and statuses); "" for NULL.  Borrowed. */
const char *account_display_value(const struct account *a, int f);

/*
 * Fills the defaults (kind personal, status enabled, holder active) and
 * checks the account as a whole: a login, and a system or a device.
 * MAMORI_EINVAL naming the problem; *bad_field (may be NULL) its field.
 */
int account_validate(struct account *a, int *bad_field, struct mamori_err *err);

/*
 * Resolves the system and device that a names to ids (a->system_id,
 * a->device_id) and rewrites their text to the stored names, so that
 * "MH-SV-007" and "AD01" are the same device.  A system is found by name,
 * else by its category (電子カルテ → 電子カルテシステム) when exactly one
 * system has it, else created when create is set (journaled; *created,
 * when not NULL, gets "システム「…」", malloc'd).  A device must exist
 * (MAMORI_ENOTFOUND, or MAMORI_ECONFLICT when ambiguous).
 */
int account_resolve_refs(struct store *st, const char *actor, struct account *a, int create,
			 char **created, struct mamori_err *err);

/* Fields that differ (bitmask over field ids). */
uint64_t account_diff(const struct account *a, const struct account *b);

/* Where the account is: "電子カルテシステム", "AD01", or both joined by " / ". */
char *account_where(const struct account *a);

/* The account as a JSON object (id, every non-NULL field); new reference. */
json_t *account_to_json(const struct account *a);

/*
 * Looks an account up by what a person types: "#12", a login (when it is
 * unique), or "SYSTEM/LOGIN" (system name or category, or device).
 * MAMORI_ENOTFOUND, or MAMORI_ECONFLICT listing the candidates.
 */
int account_lookup(struct store *st, const char *key, struct account *out,
		   struct mamori_err *err);

/* The account with that id (MAMORI_ENOTFOUND when none). */
int account_get(struct store *st, int64_t id, struct account *out, struct mamori_err *err);

/*
 * The stored account with a's key (its refs resolved first with
 * account_resolve_refs()); *found 0 when none.
 */
int account_find_same(struct store *st, const struct account *a, struct account *out,
		      int *found, struct mamori_err *err);

/* Stores a new account (a->id set); resolves refs (creating systems) and validates. */
int account_insert(struct store *st, const char *actor, struct account *a,
		   struct mamori_err *err);

/* Writes every field of a over account a->id; journals before/after when changed. */
int account_update(struct store *st, const char *actor, struct account *a,
		   struct mamori_err *err);

/*
 * enabled → disabled (disabled_at = now); a note (may be NULL) is kept in
 * the journal entry.  MAMORI_ECONFLICT when not enabled.
 */
int account_disable(struct store *st, const char *actor, struct account *a, const char *note,
		    struct mamori_err *err);
/* disabled → enabled.  MAMORI_ECONFLICT when not disabled. */
int account_enable(struct store *st, const char *actor, struct account *a,
		   struct mamori_err *err);
/*
 * Records a change of the account's password or key: credential_rotated_on
 * = when (a date YYYY-MM-DD in any Japanese notation, or NULL for now as
 * RFC 3339 UTC).  A date in the future is refused.  note as for disable.
 */
int account_rotate(struct store *st, const char *actor, struct account *a, const char *when,
		   const char *note, struct mamori_err *err);

/* ---- settings ----------------------------------------------------------- */

#define ACCOUNT_UNUSED_DAYS_DEFAULT 90
#define ACCOUNT_UNUSED_DAYS_MAX 3650
#define ACCOUNT_META_UNUSED_DAYS "accounts.unused_days"

/* The store's "unused for more than N days" (meta accounts.unused_days, else 90). */
int account_unused_days(struct store *st, int *days, struct mamori_err *err);
/* Sets it (1..3650), journaled as "account.settings"; in a transaction. */
int account_set_unused_days(struct store *st, const char *actor, int days,
			    struct mamori_err *err);

/* ---- flags ----------------------------------------------------------------- */

enum {
	ACCOUNT_FLAG_RETIRED = 1 << 0,         /* enabled, holder retired */
	ACCOUNT_FLAG_UNUSED = 1 << 1,          /* enabled, not used for > N days */
	ACCOUNT_FLAG_SHARED_ADMIN = 1 << 2,    /* enabled shared account with admin rights */
	ACCOUNT_FLAG_ADMIN_NO_HOLDER = 1 << 3, /* enabled admin account, no holder named */
	ACCOUNT_FLAG_EMERGENCY = 1 << 4,       /* kind emergency */
	ACCOUNT_FLAG_NO_TWO_FACTOR = 1 << 5,   /* enabled personal, two_factor not 1 */
};

/*
 * The flags of a on date today (YYYY-MM-DD) with the unused limit; *idle
 * (may be NULL) gets the days since the last use (else since creation),
 * -1 when neither date is known.
 */
unsigned account_flags(const struct account *a, const char *today, int unused_days, int *idle);

/* ["retired", "unused", …] for JSON; new reference. */
json_t *account_flags_json(unsigned flags);

/* date (YYYY-MM-DD) plus days (may be negative) into out; -1 on a bad date. */
int account_date_add(const char *date, int days, char out[11]);

/* ---- lists ----------------------------------------------------------------- */

struct account_query {
	const char *kind;   /* NULL: any */
	const char *status; /* enabled / disabled / deleted; NULL or "all": any */
	const char *system; /* system name or device name; NULL: any */
	const char *search; /* substring of login, holder, role, department, note */
	int unused;         /* only enabled accounts unused for > unused_days */
	int retired;        /* only accounts of retired holders */
	int admin;          /* only accounts with administrator rights */
	const char *today;  /* for unused; NULL: today */
	int unused_days;    /* for unused; 0: the store's setting */
	int64_t id;         /* only this account; 0: any */
	int64_t limit;      /* 0: all */
	int64_t offset;
};

/*
 * Calls fn for each account matching q, ordered by system, device, login.
 * fn returns 0 to go on or a negative code to stop.
 */
int account_list(struct store *st, const struct account_query *q,
		 int (*fn)(const struct account *a, void *ctx), void *ctx, struct mamori_err *err);

/* Number of accounts matching q (limit/offset ignored). */
int account_count(struct store *st, const struct account_query *q, int64_t *n,
		  struct mamori_err *err);

/*
 * The accounts matching q as CSV with the Japanese headers and display
 * values (so that it imports back unchanged), CRLF; ENC_UTF8 with a BOM
 * (what Excel opens) or ENC_CP932.
 */
int account_export_csv(struct store *st, const struct account_query *q, enum enc_kind enc,
		       struct strbuf *out, struct mamori_err *err);

/*
 * {"fields": [{name, label, label_en, type, readonly, emergency}],
 *  "kinds", "statuses", "holder_statuses": [{value, label}]}; new reference.
 */
json_t *account_vocabulary_json(void);

#endif
