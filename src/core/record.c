/*
 * record.c - shared row/list/insert/update/journal plumbing of the IT-BCP
 * record modules (see record.h).
 */
#include "common.h"
#include "record.h"
#include "journal.h"
#include "ledger.h"
#include "store.h"
#include "strbuf.h"

int record_get(struct store *st, const char *sql, int64_t id, record_row_fn row, const char *what,
	       json_t **out, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r = store_prepare(st, sql, &s, err);

	*out = NULL;
	if (r < 0)
		return r;
	store_bind_int(st, s, 1, id);
	r = store_step(st, s, err);
	if (r == 1) {
		*out = row(st, s);
		r = 0;
	} else if (r == 0) {
		r = mamori_err_set(err, MAMORI_ENOTFOUND, "%s #%lld はありません", what, (long long)id);
	}
	store_finalize(st, s);
	return r;
}

int record_list_stmt(struct store *st, int r, struct store_stmt *s, record_row_fn row,
		     json_t **out, struct mamori_err *err)
{
	json_t *arr = json_array();

	*out = NULL;
	while (r == 0 && (r = store_step(st, s, err)) == 1) {
		json_array_append_new(arr, row(st, s));
		r = 0;
	}
	store_finalize(st, s);
	if (r < 0) {
		json_decref(arr);
		return r;
	}
	*out = arr;
	return 0;
}

int record_list(struct store *st, const char *sql, record_row_fn row, json_t **out,
		struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r = store_prepare(st, sql, &s, err);

	return record_list_stmt(st, r, s, row, out, err);
}

static void bind_value(struct store *st, struct store_stmt *s, int i, json_t *v)
{
	if (json_is_integer(v))
		store_bind_int(st, s, i, json_integer_value(v));
	else if (json_is_string(v))
		store_bind_text(st, s, i, json_string_value(v));
	else
		store_bind_null(st, s, i);
}

int record_insert(struct store *st, const char *table, json_t *cols, int64_t *id,
		  struct mamori_err *err)
{
	struct ledger_facility fac = { 0 };
	struct strbuf sql = STRBUF_INIT, vals = STRBUF_INIT;
	struct store_stmt *s = NULL;
	char now[MAMORI_TIME_LEN];
	json_t *v;
	const char *k;
	int r, n = 1;

	*id = 0;
	r = ledger_facility_get(st, &fac, err);
	if (r < 0)
		goto out;
	mamori_now(now);
	strbuf_addf(&sql, "INSERT INTO %s (facility_id, created_at, updated_at", table);
	strbuf_addstr(&vals, "?, ?, ?");
	json_object_foreach(cols, k, v) {
		strbuf_addf(&sql, ", %s", k); /* k is one of the caller's known column names */
		strbuf_addstr(&vals, ", ?");
	}
	strbuf_addf(&sql, ") VALUES (%s) RETURNING id", vals.buf);
	r = store_prepare(st, sql.buf, &s, err);
	if (r < 0)
		goto out;
	store_bind_int(st, s, n++, fac.id);
	store_bind_text(st, s, n++, now);
	store_bind_text(st, s, n++, now);
	json_object_foreach(cols, k, v)
		bind_value(st, s, n++, v);
	if ((r = store_step(st, s, err)) == 1) {
		*id = store_column_int(st, s, 0);
		r = 0;
	}
out:
	store_finalize(st, s);
	strbuf_release(&sql);
	strbuf_release(&vals);
	ledger_facility_release(&fac);
	return r;
}

int record_update(struct store *st, const char *table, int64_t id, json_t *cols,
		  struct mamori_err *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct store_stmt *s = NULL;
	char now[MAMORI_TIME_LEN];
	json_t *v;
	const char *k;
	int r, n = 1;

	mamori_now(now);
	strbuf_addf(&sql, "UPDATE %s SET updated_at = ?", table);
	json_object_foreach(cols, k, v)
		strbuf_addf(&sql, ", %s = ?", k);
	strbuf_addstr(&sql, " WHERE id = ?");
	r = store_prepare(st, sql.buf, &s, err);
	if (r == 0) {
		store_bind_text(st, s, n++, now);
		json_object_foreach(cols, k, v)
			bind_value(st, s, n++, v);
		store_bind_int(st, s, n, id);
		r = store_step(st, s, err);
		if (r > 0)
			r = 0;
	}
	store_finalize(st, s);
	strbuf_release(&sql);
	return r;
}

int record_journal(struct store *st, const char *actor, const char *action, const char *entity,
		   int64_t id, json_t *before, json_t *after, struct mamori_err *err)
{
	char ids[32];

	snprintf(ids, sizeof(ids), "%lld", (long long)id);
	return journal_append(st, actor, action, entity, ids, before, after, NULL, err);
}
