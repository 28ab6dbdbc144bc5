/*
 * asset.h - devices of the ledger (台帳): servers, terminal PCs, network
 * devices, printers that store data, medical devices.
 *
 * A device is a fixed set of fields (asset_fields[]), each held as its
 * normalised text (booleans as "1"/"0"; references to locations, systems
 * and vendors by name; NULL when empty).  The field table drives
 * everything generic: CSV headers (Japanese labels and aliases), the
 * normalisation of each cell, SQL columns, JSON keys, exports and diffs.
 *
 * Identity: the stable key of a device is its asset tag (媒体名), else its
 * MAC address, else its host name; re-importing a file matches rows to
 * devices by that key and updates instead of duplicating.
 *
 * Lifecycle (status):   in_use ──retire──▶ retired ──dispose──▶ disposed
 *                          └───────────────dispose──────────────▶
 * A disposed device is read-only.  Disposal records method, who, date and
 * the certificate (証憑) reference the vendor issued.
 *
 * Every write runs inside a store transaction and appends a journal entry
 * with the device as JSON before and after.
 */
#ifndef MAMORI_ASSET_H
#define MAMORI_ASSET_H

#include <jansson.h>
#include <stdint.h>

struct mamori_err;
struct store;

enum asset_type {
	ASSET_T_TEXT,
	ASSET_T_MAC,
	ASSET_T_IP,
	ASSET_T_BOOL,
	ASSET_T_DATE,
	ASSET_T_KIND,
	ASSET_T_STATUS,
	ASSET_T_RATING_ABC, /* 機密性 */
	ASSET_T_RATING_AB,  /* 完全性, 可用性 */
	ASSET_T_REF_LOCATION,
	ASSET_T_REF_SYSTEM,
	ASSET_T_REF_VENDOR,
};

/* Field flags. */
enum {
	ASSET_F_LIST = 1 << 0,      /* shown in the table of "asset list" */
	ASSET_F_LIFECYCLE = 1 << 1, /* set by retire/dispose, not by add/edit */
};

enum asset_field_id {
	ASSET_TAG,
	ASSET_HOSTNAME,
	ASSET_KIND,
	ASSET_MODEL,
	ASSET_MANUFACTURER,
	ASSET_SERIAL,
	ASSET_OS,
	ASSET_OS_VERSION,
	ASSET_MAC,
	ASSET_IP,
	ASSET_OUTLET,
	ASSET_OWNER,
	ASSET_DEPARTMENT,
	ASSET_LOCATION,
	ASSET_SYSTEM,
	ASSET_VENDOR,
	ASSET_PAYMENT,
	ASSET_REGISTERED_ON,
	ASSET_REMOTE_MAINTENANCE,
	ASSET_ANTIVIRUS,
	ASSET_PATCHED,
	ASSET_CONFIDENTIALITY,
	ASSET_INTEGRITY,
	ASSET_AVAILABILITY,
	ASSET_SECURE_AREA,
	ASSET_INFO_HANDLING,
	ASSET_SOURCE_RESTRICTION,
	ASSET_NOTES,
	ASSET_STATUS,
	ASSET_RETIRED_ON,
	ASSET_RETIRE_REASON,
	ASSET_DISPOSAL_METHOD,
	ASSET_DISPOSED_BY,
	ASSET_DISPOSED_ON,
	ASSET_DISPOSAL_CERTIFICATE,
	ASSET_NFIELDS,
};

struct asset_field {
	const char *name;     /* JSON key, CLI name and (for non-refs) SQL column */
	const char *label;    /* Japanese label: export header, messages */
	const char *label_en; /* English label */
	enum asset_type type;
	unsigned flags;
	const char *const *aliases; /* more header names accepted on import */
};

extern const struct asset_field asset_fields[ASSET_NFIELDS];

struct asset {
	int64_t id; /* 0 for a device not yet stored */
	char *v[ASSET_NFIELDS];
	char *created_at;
	char *updated_at;
};

void asset_init(struct asset *a);
void asset_release(struct asset *a);
void asset_copy(struct asset *dst, const struct asset *src);

/*
 * Finds a field by its name, Japanese or English label or an alias.  The
 * comparison ignores case, spaces, full-width/half-width differences and
 * the punctuation of headers ("MACアドレス" = "MAC アドレス" = "mac").
 * Returns the field id or -1.
 */
int asset_field_find(const char *header);

/*
 * Normalises raw for field f and stores it in a->v[f] (blank → NULL).
 * On a value that does not fit the field: MAMORI_EINVAL with the reason
 * (no location) in err; a->v[f] is unchanged.
 */
int asset_set(struct asset *a, int f, const char *raw, struct mamori_err *err);

/*
 * {"fields": [{"name", "label", "label_en", "type", "lifecycle"}],
 *  "kinds": [{"value", "label"}], "statuses": [{"value", "label"}]}
 * for forms and tables; new reference.
 */
json_t *asset_vocabulary_json(void);

/*
 * Applies a JSON object {field: value} (as the API receives it) to a: keys
 * are field names or labels; values strings, booleans, integers, or null
 * to clear.  Lifecycle fields are refused (they have their own operations).
 * On MAMORI_EINVAL *bad_field is the field (or the unknown key) at fault
 * and a is unchanged for that key.
 */
int asset_apply_json(struct asset *a, json_t *obj, const char **bad_field,
		     struct mamori_err *err);

/* Kind values and their Japanese labels. */
const char *asset_kind_label(const char *kind);
const char *asset_status_label(const char *status);

/*
 * Fills in what can be derived (kind from the OS when no kind was given)
 * and checks the device as a whole: a stable key present, lifecycle fields
 * consistent with the status.  MAMORI_EINVAL naming the field otherwise;
 * *bad_field (may be NULL) receives its id.
 */
int asset_validate(struct asset *a, int *bad_field, struct mamori_err *err);

/* The stable key used for matching, and which field it came from. */
const char *asset_key(const struct asset *a, int *field);

/* Fields that differ (bitmask over field ids, ASSET_NFIELDS <= 64). */
uint64_t asset_diff(const struct asset *a, const struct asset *b);

/* Device as a JSON object (id, every non-NULL field); new reference. */
json_t *asset_to_json(const struct asset *a);

/*
 * Looks a device up by what a person would type: "#12" (internal id), an
 * asset tag, a MAC address in any notation, a host name or an IP address.
 * MAMORI_ENOTFOUND when nothing matches, MAMORI_ECONFLICT (listing the
 * candidates) when the text matches several devices.
 */
int asset_lookup(struct store *st, const char *key, struct asset *out, struct mamori_err *err);

/*
 * Finds the stored device with the same stable key as a (asset tag, else
 * MAC, else host name).  *found is 0 when there is none.
 */
int asset_find_same(struct store *st, const struct asset *a, struct asset *out, int *found,
		    struct mamori_err *err);

/*
 * Stores a new device (a->id is set).  Missing locations, systems and
 * vendors named by the device are created and journaled.  Validates first.
 */
int asset_insert(struct store *st, const char *actor, struct asset *a, struct mamori_err *err);

/*
 * Writes every field of a over the stored device a->id; journals the
 * before and after when anything changed.  A disposed device cannot be
 * edited (MAMORI_ECONFLICT).
 */
int asset_update(struct store *st, const char *actor, struct asset *a, struct mamori_err *err);

/* in_use → retired, with date (NULL: today) and reason (may be NULL). */
int asset_retire(struct store *st, const char *actor, struct asset *a, const char *date,
		 const char *reason, struct mamori_err *err);

/*
 * → disposed.  method, by and certificate are required (the guideline asks
 * for proof of erasure); date NULL means today.
 */
int asset_dispose(struct store *st, const char *actor, struct asset *a, const char *method,
		  const char *by, const char *date, const char *certificate,
		  struct mamori_err *err);

struct asset_query {
	const char *status;     /* "in_use", "retired", "disposed", NULL/"all": any */
	const char *kind;       /* NULL: any */
	const char *department; /* NULL: any */
	const char *search;     /* substring of tag, host, model, owner, IP, MAC, OS; NULL */
	const char *vendor;     /* only devices of this vendor (name); NULL: any */
	const char *sort;       /* a field name to order by; NULL: department, tag */
	int desc;               /* with sort: descending */
	int64_t limit;          /* 0: all */
	int64_t offset;
};

/* True when name is a field that asset_query.sort accepts. */
int asset_sort_valid(const char *name);

/*
 * Calls fn for each device matching q, ordered by department, asset tag,
 * host name, id.  fn returns 0 to continue or a negative code to stop.
 */
int asset_list(struct store *st, const struct asset_query *q,
	       int (*fn)(const struct asset *a, void *ctx), void *ctx, struct mamori_err *err);

/* Number of devices matching q (limit/offset ignored). */
int asset_count(struct store *st, const struct asset_query *q, int64_t *n,
		struct mamori_err *err);

#endif
