/*
 * record.h - the shared plumbing of the IT-BCP record modules (contact.c,
 * bcp.c's backup plans, drill.c, incident.c, emergency.c): a table row read
 * as JSON, a query's rows as a JSON array, a journaled insert or update of
 * checked column values, and the journal entry keyed by a row's id.
 *
 * The modules keep their own knowledge (which columns exist, how a value is
 * checked, what a row looks like as JSON); record only runs the SQL.
 * Column names given to record_insert()/record_update() are pasted into the
 * SQL text, so they must come from the caller's own list of known columns,
 * never from outside input.
 */
#ifndef MAMORI_RECORD_H
#define MAMORI_RECORD_H

#include <jansson.h>
#include <stdint.h>

struct mamori_err;
struct store;
struct store_stmt;

/* Builds the JSON of the current row of s (a new reference). */
typedef json_t *(*record_row_fn)(struct store *st, struct store_stmt *s);

/*
 * Runs sql, whose one parameter is bound to id, and stores row() of its first
 * row in *out (owned by the caller).  No row: MAMORI_ENOTFOUND with
 * "<what> #<id> はありません".  On any error *out is NULL.
 */
int record_get(struct store *st, const char *sql, int64_t id, record_row_fn row, const char *what,
	       json_t **out, struct mamori_err *err);

/*
 * Steps s (prepared and bound by the caller; NULL only together with a
 * negative r) to its end and stores a new array of row() of each row in
 * *out (owned by the caller).  r is the result of preparing/binding s: when
 * it is negative nothing runs and r is returned.  s is always finalized.
 * On any error *out is NULL.
 */
int record_list_stmt(struct store *st, int r, struct store_stmt *s, record_row_fn row,
		     json_t **out, struct mamori_err *err);

/* record_list_stmt() of sql, a query without parameters. */
int record_list(struct store *st, const char *sql, record_row_fn row, json_t **out,
		struct mamori_err *err);

/*
 * INSERT INTO table (facility_id, created_at, updated_at, <keys of cols>):
 * the facility is this installation's (ledger_facility_get), both times are
 * now, each value of cols is bound as an integer (JSON integer), text (JSON
 * string) or NULL (anything else).  The new row's id goes to *id (0 on error).
 */
int record_insert(struct store *st, const char *table, json_t *cols, int64_t *id,
		  struct mamori_err *err);

/*
 * UPDATE table SET updated_at = now, <key> = <value> … WHERE id = id, with
 * the values of cols bound as in record_insert().  cols must not be empty.
 */
int record_update(struct store *st, const char *table, int64_t id, json_t *cols,
		  struct mamori_err *err);

/* journal_append() of a change to the row id of entity (before/after may be NULL). */
int record_journal(struct store *st, const char *actor, const char *action, const char *entity,
		   int64_t id, json_t *before, json_t *after, struct mamori_err *err);

#endif
