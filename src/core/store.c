/*
 * store.c - back-end independent part of the storage interface: the registry
 * of back ends, the dispatching wrappers and small query helpers.
 */
#include "common.h"
#include "store.h"

static const struct store_backend *backends[] = {
	&store_sqlite_backend,
};

const struct store_backend *store_backend_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(backends); i++)
		if (!strcmp(backends[i]->name, name))
			return backends[i];
	return NULL;
}

int store_open(struct store **out, const char *backend, const char *target, int flags,
	       struct mamori_err *err)
{
	const struct store_backend *be = store_backend_find(backend);
	struct store *st;
	int r;

	*out = NULL;
	if (!be)
		return mamori_err_set(err, MAMORI_EUSAGE, "不明なストア種別です: %s", backend);
	st = xcalloc(1, sizeof(*st));
	st->be = be;
	st->target = xstrdup(target);
	r = be->open(st, target, flags, err);
	if (r < 0) {
		free(st->target);
		free(st);
		return r;
	}
	r = be->migrate(st, err);
	if (r < 0) {
		store_close(st);
		return r;
	}
	*out = st;
	return 0;
}

void store_close(struct store *st)
{
	if (!st)
		return;
	if (st->in_tx)
		store_rollback(st);
	st->be->close(st);
	free(st->target);
	free(st);
}

int store_exec(struct store *st, const char *sql, struct mamori_err *err)
{
	return st->be->exec(st, sql, err);
}

int store_prepare(struct store *st, const char *sql, struct store_stmt **out,
		  struct mamori_err *err)
{
	return st->be->prepare(st, sql, out, err);
}

int store_bind_text(struct store *st, struct store_stmt *s, int idx, const char *v)
{
	return v ? st->be->bind_text(s, idx, v) : st->be->bind_null(s, idx);
}

int store_bind_int(struct store *st, struct store_stmt *s, int idx, int64_t v)
{
	return st->be->bind_int(s, idx, v);
}

int store_bind_null(struct store *st, struct store_stmt *s, int idx)
{
	return st->be->bind_null(s, idx);
}

int store_step(struct store *st, struct store_stmt *s, struct mamori_err *err)
{
	return st->be->step(s, err);
}

void store_reset(struct store *st, struct store_stmt *s)
{
	st->be->reset(s);
}

int store_column_count(struct store *st, struct store_stmt *s)
{
	return st->be->column_count(s);
}

const char *store_column_text(struct store *st, struct store_stmt *s, int col)
{
	return st->be->column_text(s, col);
}

int64_t store_column_int(struct store *st, struct store_stmt *s, int col)
{
	return st->be->column_int(s, col);
}

int store_column_is_null(struct store *st, struct store_stmt *s, int col)
{
	return st->be->column_is_null(s, col);
}

void store_finalize(struct store *st, struct store_stmt *s)
{
	if (s)
		st->be->finalize(s);
}

int store_begin(struct store *st, struct mamori_err *err)
{
	int r;

	if (st->in_tx)
		BUG("nested store transaction");
	r = st->be->begin(st, err);
	if (r == 0)
		st->in_tx = 1;
	return r;
}

int store_commit(struct store *st, struct mamori_err *err)
{
	int r;

	if (!st->in_tx)
		BUG("commit outside a transaction");
	r = st->be->commit(st, err);
	if (r < 0) {
		st->be->rollback(st);
	}
	st->in_tx = 0;
	return r;
}

void store_rollback(struct store *st)
{
	if (!st->in_tx)
		return;
	st->be->rollback(st);
	st->in_tx = 0;
}

int store_schema_version(struct store *st, struct mamori_err *err)
{
	int64_t v = 0;
	int r = store_query_int(st, &v, err, "SELECT MAX(version) FROM schema_migrations", NULL);
	return r < 0 ? r : (int)v;
}

int store_query_int(struct store *st, int64_t *out, struct mamori_err *err, const char *sql, ...)
{
	struct store_stmt *s = NULL;
	const char *arg;
	va_list ap;
	int r, i = 1;

	*out = 0;
	r = store_prepare(st, sql, &s, err);
	if (r < 0)
		return r;
	va_start(ap, sql);
	while ((arg = va_arg(ap, const char *)) != NULL)
		store_bind_text(st, s, i++, arg);
	va_end(ap);
	r = store_step(st, s, err);
	if (r == 1 && !store_column_is_null(st, s, 0))
		*out = store_column_int(st, s, 0);
	store_finalize(st, s);
	return r < 0 ? r : 0;
}

int store_device_search(struct store *st, const char *term, struct strbuf *cond, char **param)
{
	*param = NULL;
	return st->be->device_search ? st->be->device_search(term, cond, param) : 1;
}

int store_meta_get(struct store *st, const char *key, char **out, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r;

	*out = NULL;
	r = store_prepare(st, "SELECT value FROM meta WHERE key = ?", &s, err);
	if (r < 0)
		return r;
	store_bind_text(st, s, 1, key);
	r = store_step(st, s, err);
	if (r == 1) {
		const char *v = store_column_text(st, s, 0);
		*out = v ? xstrdup(v) : NULL;
	}
	store_finalize(st, s);
	return r < 0 ? r : 0;
}

int store_meta_set(struct store *st, const char *key, const char *value,
		   struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r;

	r = store_prepare(st,
			  "INSERT INTO meta (key, value) VALUES (?, ?) "
			  "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
			  &s, err);
	if (r < 0)
		return r;
	store_bind_text(st, s, 1, key);
	store_bind_text(st, s, 2, value);
	r = store_step(st, s, err);
	store_finalize(st, s);
	return r < 0 ? r : 0;
}
