/*
 * ledger.h - the facility and the records devices refer to: locations,
 * medical information systems (機器管理票), vendors and their contracts.
 *
 * These tables share one generic, whitelisted record layer: a record is a
 * JSON object whose keys are column names of a known table, every key is
 * checked against that table's column list (so no SQL is ever made from
 * input), and every insert and update is journaled with before and after.
 * Devices have their own module (asset.h) because they carry validation,
 * lifecycle and import rules of their own.
 *
 * All write functions must run inside a store transaction (store_begin)
 * and take the actor to record in the journal.
 */
#ifndef MAMORI_LEDGER_H
#define MAMORI_LEDGER_H

#include <jansson.h>
#include <stdint.h>

struct mamori_err;
struct store;

enum ledger_facility_type {
	FACILITY_HOSPITAL,
	FACILITY_CLINIC,
	FACILITY_PHARMACY,
};

struct ledger_facility {
	int64_t id;
	char *name;
	char *type; /* "hospital" | "clinic" | "pharmacy" */
	char *created_at;
};

void ledger_facility_release(struct ledger_facility *f);

/* "hospital" / "clinic" / "pharmacy" (also 病院 / 診療所 / クリニック / 薬局). */
int ledger_facility_type_parse(const char *s, const char **canonical, struct mamori_err *err);
/* 病院 / 診療所 / 薬局 */
const char *ledger_facility_type_label(const char *canonical);

/*
 * Creates the facility of a new store.  MAMORI_ECONFLICT when the store
 * already has one (named in the message).
 */
int ledger_facility_create(struct store *st, const char *actor, const char *name,
			   const char *type, int64_t *id, struct mamori_err *err);

/* The store's facility; MAMORI_ENOTFOUND (with "run mamori init") if none. */
int ledger_facility_get(struct store *st, struct ledger_facility *f, struct mamori_err *err);

/* Tables of the record layer. */
enum ledger_table {
	LEDGER_LOCATION,
	LEDGER_SYSTEM,
	LEDGER_VENDOR,
	LEDGER_CONTRACT,
	LEDGER_DOCUMENT,
	LEDGER_NTABLES,
};

/* "location", "system", "vendor", "contract" (the journal's entity types). */
const char *ledger_table_name(enum ledger_table t);
/* Japanese name of the record kind: 設置場所, システム, 事業者, 契約. */
const char *ledger_table_label(enum ledger_table t);
/* Finds a table by its name; -1 when unknown. */
int ledger_table_find(const char *name);

/*
 * Inserts a record.  rec maps column names to strings, integers or null;
 * facility_id, created_at and updated_at are filled in.  An unknown column,
 * a missing required column or a value of the wrong type is MAMORI_EINVAL
 * naming the column; a duplicate name MAMORI_ECONFLICT.
 */
int ledger_insert(struct store *st, const char *actor, enum ledger_table t, json_t *rec,
		  int64_t *id, struct mamori_err *err);

/* Updates the columns present in changes; journals before and after. */
int ledger_update(struct store *st, const char *actor, enum ledger_table t, int64_t id,
		  json_t *changes, struct mamori_err *err);

/* The record with id as a JSON object (new reference) or NULL + ENOTFOUND. */
int ledger_get(struct store *st, enum ledger_table t, int64_t id, json_t **out,
	       struct mamori_err *err);

/* All records of t as a JSON array of objects, ordered by name (or id). */
int ledger_list(struct store *st, enum ledger_table t, json_t **out, struct mamori_err *err);

/*
 * Finds the location, system or vendor of the store's facility named name.
 * When none exists and create is set, it is created (journaled) and
 * *created set to 1.  Without create a missing name is MAMORI_ENOTFOUND.
 */
int ledger_ref_resolve(struct store *st, const char *actor, enum ledger_table t,
		       const char *name, int create, int64_t *id, int *created,
		       struct mamori_err *err);

/* Column metadata, for the CLI and UI. */
struct ledger_column_info {
	const char *name;    /* SQL column and JSON key */
	const char *label;   /* Japanese label */
	int required;
	int is_bool;
	int ref;             /* referenced table, or -1 */
	const char *allowed; /* '|'-separated values of an enumeration, or NULL */
};

size_t ledger_column_count(enum ledger_table t);
void ledger_column_get(enum ledger_table t, size_t i, struct ledger_column_info *out);

/*
 * Finds a record by "#ID" or by its name (title for contracts) in *id.
 * MAMORI_ENOTFOUND when there is none.
 */
int ledger_find(struct store *st, enum ledger_table t, const char *key, int64_t *id,
		struct mamori_err *err);

/*
 * Sets column (its name, its Japanese label, or for a reference its name
 * without "_id", e.g. "vendor") of rec from text as a person types it:
 * blank → null; yes/no words for flags; dates in any Japanese notation;
 * "オンプレミス"/"クラウド" for hosting; a reference by name or #ID.
 * MAMORI_EINVAL (or ENOTFOUND for a reference) naming the column otherwise.
 */
int ledger_set_text(struct store *st, enum ledger_table t, json_t *rec, const char *column,
		    const char *value, struct mamori_err *err);

/* Japanese word for an enumerated value ("cloud" → "クラウド"); else value. */
const char *ledger_value_label(const char *column, const char *value);

/* The record's name (or title); "" when it has none.  Borrowed. */
const char *ledger_record_name(json_t *rec);

#endif
