/*
 * test_store.c - unit tests of the storage interface (src/core/store.c) on
 * the SQLite back end (src/core/store_sqlite.c): opening without
 * STORE_CREATE (MAMORI_ENOTFOUND, nothing created), creation and the
 * recorded migrations, idempotent reopening, the pragmas a durable store
 * needs (WAL, synchronous=FULL, foreign keys) read back through
 * store_prepare(), transactions (rollback discards, commit keeps, close
 * rolls back), the meta table, refusing a store from a newer mamori or a
 * file that is not a database, error codes of bad SQL and constraint
 * violations, and bound text with quotes and SQL kept literally.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <unistd.h>

#include "store.h"
#include "testutil.h"

/* A temporary directory and the path of a store not yet made (fx->st stays NULL). */
static int setup(void **state)
{
	return testutil_setup_dir(state, "store");
}

static struct store *open_new(struct testutil_fixture *fx)
{
	struct mamori_err err = { 0 };
	struct store *st = NULL;

	ASSERT_RC(0, store_open(&st, "sqlite", fx->db, STORE_CREATE, &err), err);
	assert_non_null(st);
	return st;
}

/* First column of the first row of sql as text (caller frees), NULL for none. */
static char *query_text(struct store *st, const char *sql)
{
	struct mamori_err err = { 0 };
	struct store_stmt *s = NULL;
	char *out = NULL;

	ASSERT_RC(0, store_prepare(st, sql, &s, &err), err);
	int r = store_step(st, s, &err);
	if (r < 0)
		fail_msg("%s: %s", sql, err.msg);
	if (r == 1 && store_column_text(st, s, 0))
		out = xstrdup(store_column_text(st, s, 0));
	store_finalize(st, s);
	return out;
}

static int64_t query_int(struct store *st, const char *sql)
{
	struct mamori_err err = { 0 };
	int64_t v = -1;

	ASSERT_RC(0, store_query_int(st, &v, &err, sql, NULL), err);
	return v;
}

static void test_backend_find(void **state)
{
	assert_ptr_equal(store_backend_find("sqlite"), &store_sqlite_backend);
	assert_null(store_backend_find("no-such-backend"));
	assert_null(store_backend_find(""));
}

static void test_open_missing(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct store *st = (struct store *)1;
	struct stat sb;

	ASSERT_RC(MAMORI_ENOTFOUND, store_open(&st, "sqlite", fx->db, 0, &err), err);
	assert_null(st);
	assert_int_equal(err.code, MAMORI_ENOTFOUND);
	if (!strstr(err.msg, "mamori init") || !strstr(err.msg, fx->db))
		fail_msg("message should name the file and \"mamori init\": %s", err.msg);
	/* Nothing was created on the way. */
	assert_int_equal(stat(fx->db, &sb), -1);
	assert_int_equal(errno, ENOENT);

	/* An unknown back end is a usage error. */
	ASSERT_RC(MAMORI_EUSAGE, store_open(&st, "oracle", fx->db, STORE_CREATE, &err), err);
	assert_null(st);
	assert_int_equal(stat(fx->db, &sb), -1);
}

static void test_create_and_migrations(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct store *st = open_new(fx);
	int target = store_sqlite_backend.schema_target();
	struct stat sb;

	assert_int_equal(stat(fx->db, &sb), 0);
	assert_string_equal(st->target, fx->db);
	assert_ptr_equal(st->be, &store_sqlite_backend);
	assert_int_equal(st->in_tx, 0);
	assert_true(target >= 1);
	assert_int_equal(store_schema_version(st, &err), target);

	/* One row per migration, 1..target, each with a description and time. */
	assert_int_equal(query_int(st, "SELECT COUNT(*) FROM schema_migrations"), target);
	assert_int_equal(query_int(st, "SELECT MIN(version) FROM schema_migrations"), 1);
	assert_int_equal(query_int(st, "SELECT COUNT(*) FROM schema_migrations "
				       "WHERE what = '' OR applied_at IS NULL"),
			 0);

	/* The tables the other modules rely on exist. */
	static const char *const tables[] = { "meta",   "facility", "location", "vendor",
					      "system", "contract", "device",   "journal" };
	for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
		int64_t n = -1;
		ASSERT_RC(0,
			  store_query_int(st, &n, &err,
					  "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' "
					  "AND name = ?",
					  tables[i], NULL),
			  err);
		if (n != 1)
			fail_msg("table %s missing", tables[i]);
	}
	store_close(st);
}

static void test_reopen_idempotent(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct store *st = open_new(fx);
	int target = store_sqlite_backend.schema_target();

	ASSERT_RC(0, store_begin(st, &err), err);
	ASSERT_RC(0, store_meta_set(st, "facility.note", "残す", &err), err);
	ASSERT_RC(0, store_commit(st, &err), err);
	char *applied = query_text(st, "SELECT applied_at FROM schema_migrations WHERE version = 1");
	assert_non_null(applied);
	store_close(st);

	/* Without STORE_CREATE an existing store opens; with it, too. */
	static const int flags[] = { 0, STORE_CREATE, 0 };
	for (size_t i = 0; i < ARRAY_SIZE(flags); i++) {
		char *v = NULL;
		ASSERT_RC(0, store_open(&st, "sqlite", fx->db, flags[i], &err), err);
		assert_int_equal(store_schema_version(st, &err), target);
		assert_int_equal(query_int(st, "SELECT COUNT(*) FROM schema_migrations"), target);
		char *again = query_text(st, "SELECT applied_at FROM schema_migrations WHERE version = 1");
		assert_string_equal(again, applied);
		free(again);
		ASSERT_RC(0, store_meta_get(st, "facility.note", &v, &err), err);
		assert_string_equal(v, "残す");
		free(v);
		store_close(st);
	}
	free(applied);
}

static void test_pragmas(void **state)
{
	struct testutil_fixture *fx = *state;
	struct store *st = open_new(fx);
	char *mode = query_text(st, "PRAGMA journal_mode");

	assert_non_null(mode);
	assert_string_equal(mode, "wal");
	free(mode);
	assert_int_equal(query_int(st, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(st, "PRAGMA synchronous"), 2); /* FULL */
	store_close(st);

	/* The settings hold on a reopened store too (journal_mode is persistent,
	 * the others are per connection). */
	struct mamori_err err = { 0 };
	ASSERT_RC(0, store_open(&st, "sqlite", fx->db, 0, &err), err);
	mode = query_text(st, "PRAGMA journal_mode");
	assert_string_equal(mode, "wal");
	free(mode);
	assert_int_equal(query_int(st, "PRAGMA foreign_keys"), 1);
	assert_int_equal(query_int(st, "PRAGMA synchronous"), 2);

	/* Foreign keys are enforced: a location of a facility that does not exist. */
	struct store_stmt *s = NULL;
	ASSERT_RC(0, store_prepare(st, "INSERT INTO location (facility_id, name) VALUES (?, ?)", &s,
				   &err),
		  err);
	store_bind_int(st, s, 1, 12345);
	store_bind_text(st, s, 2, "どこにもない施設の部屋");
	ASSERT_RC(MAMORI_EINVAL, store_step(st, s, &err), err);
	store_finalize(st, s);
	assert_int_equal(query_int(st, "SELECT COUNT(*) FROM location"), 0);
	store_close(st);
}

static void test_transactions(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct store *st = open_new(fx);
	char *v = NULL;

	/* Rollback discards. */
	ASSERT_RC(0, store_begin(st, &err), err);
	assert_int_equal(st->in_tx, 1);
	ASSERT_RC(0, store_meta_set(st, "k", "rolled back", &err), err);
	ASSERT_RC(0, store_meta_get(st, "k", &v, &err), err);
	assert_string_equal(v, "rolled back"); /* visible inside the transaction */
	free(v);
	store_rollback(st);
	assert_int_equal(st->in_tx, 0);
	ASSERT_RC(0, store_meta_get(st, "k", &v, &err), err);
	assert_null(v);

	/* Rollback outside a transaction does nothing. */
	store_rollback(st);
	assert_int_equal(st->in_tx, 0);

	/* Commit keeps, across a reopen. */
	ASSERT_RC(0, store_begin(st, &err), err);
	ASSERT_RC(0, store_meta_set(st, "k", "committed", &err), err);
	ASSERT_RC(0, store_commit(st, &err), err);
	assert_int_equal(st->in_tx, 0);

	/* Closing with a transaction open rolls it back. */
	ASSERT_RC(0, store_begin(st, &err), err);
	ASSERT_RC(0, store_meta_set(st, "k", "lost at close", &err), err);
	ASSERT_RC(0, store_meta_set(st, "other", "lost too", &err), err);
	store_close(st);

	ASSERT_RC(0, store_open(&st, "sqlite", fx->db, 0, &err), err);
	ASSERT_RC(0, store_meta_get(st, "k", &v, &err), err);
	assert_string_equal(v, "committed");
	free(v);
	ASSERT_RC(0, store_meta_get(st, "other", &v, &err), err);
	assert_null(v);

	/* The store is usable for a new transaction after all this. */
	ASSERT_RC(0, store_begin(st, &err), err);
	ASSERT_RC(0, store_meta_set(st, "other", "ok", &err), err);
	ASSERT_RC(0, store_commit(st, &err), err);
	store_close(st);
	store_close(NULL);
}

/* Another connection does not see uncommitted writes, and does see committed ones. */
static void test_commit_visible_to_others(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct store *a = open_new(fx), *b = NULL;
	char *v = NULL;

	ASSERT_RC(0, store_open(&b, "sqlite", fx->db, 0, &err), err);
	ASSERT_RC(0, store_begin(a, &err), err);
	ASSERT_RC(0, store_meta_set(a, "shared", "1", &err), err);
	ASSERT_RC(0, store_meta_get(b, "shared", &v, &err), err);
	assert_null(v);
	ASSERT_RC(0, store_commit(a, &err), err);
	ASSERT_RC(0, store_meta_get(b, "shared", &v, &err), err);
	assert_string_equal(v, "1");
	free(v);
	store_close(a);
	store_close(b);
}

static void test_meta(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct store *st = open_new(fx);
	char *v = (char *)1;

	ASSERT_RC(0, store_meta_get(st, "missing", &v, &err), err);
	assert_null(v);

	static const struct {
		const char *key, *value;
	} kv[] = {
		{ "journal.head_seq", "12" },
		{ "facility.name", "みまもり総合病院" },
		{ "journal.head_seq", "13" }, /* overwrite */
		{ "empty", "" },
		{ "key'; DROP TABLE meta;--", "v'); DELETE FROM meta;--" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(kv); i++)
		ASSERT_RC(0, store_meta_set(st, kv[i].key, kv[i].value, &err), err);
	static const struct {
		const char *key, *want;
	} want[] = {
		{ "journal.head_seq", "13" },
		{ "facility.name", "みまもり総合病院" },
		{ "empty", "" },
		{ "key'; DROP TABLE meta;--", "v'); DELETE FROM meta;--" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		ASSERT_RC(0, store_meta_get(st, want[i].key, &v, &err), err);
		if (!v || strcmp(v, want[i].want))
			fail_msg("meta %s = %s, want %s", want[i].key, v ? v : "(null)",
				 want[i].want);
		free(v);
	}
	assert_int_equal(query_int(st, "SELECT COUNT(*) FROM meta"), 4);
	store_close(st);
}

/* A store written by a newer mamori (schema above the target) is refused. */
static void test_newer_schema_refused(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct store *st = open_new(fx);
	int target = store_sqlite_backend.schema_target();
	char sql[200];

	store_close(st);
	snprintf(sql, sizeof(sql),
		 "INSERT INTO schema_migrations (version, what) VALUES (%d, 'from the future')",
		 target + 1);
	testutil_sqlite_exec(fx->db, sql);

	st = (struct store *)1;
	ASSERT_RC(MAMORI_EDB, store_open(&st, "sqlite", fx->db, 0, &err), err);
	assert_null(st);
	char num[16];
	snprintf(num, sizeof(num), "%d", target + 1);
	if (!strstr(err.msg, fx->db) || !strstr(err.msg, num))
		fail_msg("message should name the file and version %s: %s", num, err.msg);
	/* Refusing does not touch the recorded version. */
	ASSERT_RC(MAMORI_EDB, store_open(&st, "sqlite", fx->db, STORE_CREATE, &err), err);
	testutil_sqlite_exec(fx->db, "DELETE FROM schema_migrations WHERE what = 'from the future'");
	ASSERT_RC(0, store_open(&st, "sqlite", fx->db, 0, &err), err);
	assert_int_equal(store_schema_version(st, &err), target);
	store_close(st);
}

static void test_not_a_database(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct store *st = (struct store *)1;
	FILE *f = fopen(fx->db, "w");

	assert_non_null(f);
	for (int i = 0; i < 200; i++)
		fputs("媒体名,MACアドレス\n", f);
	fclose(f);
	int r = store_open(&st, "sqlite", fx->db, 0, &err);
	if (r != MAMORI_EDB && r != MAMORI_EIO)
		fail_msg("store_open on a CSV file = %d (%s)", r, err.msg);
	assert_null(st);
	if (!strstr(err.msg, fx->db))
		fail_msg("message does not name the file: %s", err.msg);
}

static void test_sql_errors(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct store *st = open_new(fx);
	struct store_stmt *s = (struct store_stmt *)1;

	ASSERT_RC(MAMORI_EDB, store_exec(st, "THIS IS NOT SQL", &err), err);
	assert_int_equal(err.code, MAMORI_EDB);
	ASSERT_RC(MAMORI_EDB, store_prepare(st, "SELECT nope FROM nowhere", &s, &err), err);
	assert_null(s);
	if (!strstr(err.msg, "nowhere"))
		fail_msg("message should carry SQLite's reason: %s", err.msg);

	/* A uniqueness violation is a conflict. */
	ASSERT_RC(0, store_exec(st, "CREATE TABLE u (v TEXT UNIQUE); INSERT INTO u VALUES ('a')",
				&err),
		  err);
	ASSERT_RC(0, store_prepare(st, "INSERT INTO u (v) VALUES (?)", &s, &err), err);
	store_bind_text(st, s, 1, "a");
	ASSERT_RC(MAMORI_ECONFLICT, store_step(st, s, &err), err);
	store_finalize(st, s);
	store_finalize(st, NULL);
	store_close(st);
}

/* Bound text is data: quotes, SQL and LIKE characters are stored as written. */
static void test_bound_text_literal(void **state)
{
	static const char *const values[] = {
		"Robert'); DROP TABLE t;--",
		"' OR '1'='1",
		"\"double\" and 'single'",
		"back\\slash",
		"100%_off",
		"?",
		"改行\nあり\r\n",
		"機器名「MS surface」🏥",
		"",
	};
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct store *st = open_new(fx);
	struct store_stmt *s = NULL;
	int64_t n = -1;

	ASSERT_RC(0, store_exec(st, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, n INTEGER)",
				&err),
		  err);
	ASSERT_RC(0, store_prepare(st, "INSERT INTO t (id, v, n) VALUES (?, ?, ?)", &s, &err), err);
	for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
		store_reset(st, s);
		assert_int_equal(store_bind_int(st, s, 1, (int64_t)i + 1), 0);
		assert_int_equal(store_bind_text(st, s, 2, values[i]), 0);
		assert_int_equal(store_bind_int(st, s, 3, INT64_MIN + (int64_t)i), 0);
		ASSERT_RC(0, store_step(st, s, &err), err);
	}
	store_finalize(st, s);

	ASSERT_RC(0, store_prepare(st, "SELECT id, v, n FROM t ORDER BY id", &s, &err), err);
	assert_int_equal(store_column_count(st, s), 3);
	for (size_t i = 0; i < ARRAY_SIZE(values); i++) {
		ASSERT_RC(1, store_step(st, s, &err), err);
		assert_int_equal(store_column_int(st, s, 0), (int64_t)i + 1);
		assert_false(store_column_is_null(st, s, 1));
		assert_string_equal(store_column_text(st, s, 1), values[i]);
		assert_true(store_column_int(st, s, 2) == INT64_MIN + (int64_t)i);
	}
	ASSERT_RC(0, store_step(st, s, &err), err);
	store_finalize(st, s);

	/* The table survived and a quote-laden search matches only itself. */
	assert_int_equal(query_int(st, "SELECT COUNT(*) FROM t"), (int64_t)ARRAY_SIZE(values));
	ASSERT_RC(0, store_query_int(st, &n, &err, "SELECT COUNT(*) FROM t WHERE v = ?",
				     "' OR '1'='1", NULL),
		  err);
	assert_int_equal(n, 1);
	ASSERT_RC(0, store_query_int(st, &n, &err, "SELECT id FROM t WHERE v = ?", "100%_off", NULL),
		  err);
	assert_int_equal(n, 5);
	ASSERT_RC(0, store_query_int(st, &n, &err, "SELECT id FROM t WHERE v = ?", "no such", NULL),
		  err);
	assert_int_equal(n, 0);

	/* store_bind_text(NULL) and store_bind_null() bind SQL NULL. */
	ASSERT_RC(0, store_prepare(st, "SELECT ?, ?, ?", &s, &err), err);
	store_bind_text(st, s, 1, NULL);
	store_bind_null(st, s, 2);
	store_bind_text(st, s, 3, "x");
	ASSERT_RC(1, store_step(st, s, &err), err);
	assert_true(store_column_is_null(st, s, 0));
	assert_null(store_column_text(st, s, 0));
	assert_true(store_column_is_null(st, s, 1));
	assert_false(store_column_is_null(st, s, 2));
	store_finalize(st, s);
	store_close(st);
}

static void test_query_int(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct store *st = open_new(fx);
	int64_t v = -1;

	ASSERT_RC(0, store_query_int(st, &v, &err, "SELECT 40 + 2", NULL), err);
	assert_int_equal(v, 42);
	/* No row and NULL both give 0. */
	v = -1;
	ASSERT_RC(0, store_query_int(st, &v, &err, "SELECT 1 WHERE 0", NULL), err);
	assert_int_equal(v, 0);
	v = -1;
	ASSERT_RC(0, store_query_int(st, &v, &err, "SELECT NULL", NULL), err);
	assert_int_equal(v, 0);
	/* Parameters are bound in order. */
	ASSERT_RC(0, store_query_int(st, &v, &err, "SELECT CAST(? AS INTEGER) * 10 + CAST(? AS INTEGER)",
				     "4", "2", NULL),
		  err);
	assert_int_equal(v, 42);
	ASSERT_RC(MAMORI_EDB, store_query_int(st, &v, &err, "SELECT * FROM nowhere", NULL), err);
	store_close(st);
}

/*
 * A finalized statement is kept for the next prepare of the same SQL: it
 * comes back reset (a query left half-read starts again, and its read
 * lock is gone: another connection can checkpoint the WAL to the end)
 * and unbound (a parameter not bound again is NULL); more distinct
 * statements than the cache holds still work, and closing finalizes all
 * (the sanitizer build would report a leak).
 */
static void test_statement_cache(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct store *st = open_new(fx), *other = open_new(fx);
	struct store_stmt *s = NULL;
	char sql[64];

	ASSERT_RC(0, store_exec(st, "CREATE TABLE c (v INTEGER); "
				    "INSERT INTO c VALUES (1), (2), (3);", &err), err);
	ASSERT_RC(0, store_prepare(st, "SELECT v FROM c ORDER BY v", &s, &err), err);
	ASSERT_RC(1, store_step(st, s, &err), err);
	ASSERT_RC(1, store_step(st, s, &err), err);
	assert_int_equal(store_column_int(st, s, 0), 2);
	store_finalize(st, s);
	ASSERT_RC(0, store_exec(other, "INSERT INTO c VALUES (4)", &err), err);
	assert_int_equal(query_int(other, "PRAGMA wal_checkpoint(TRUNCATE)"), 0);
	ASSERT_RC(0, store_prepare(st, "SELECT v FROM c ORDER BY v", &s, &err), err);
	ASSERT_RC(1, store_step(st, s, &err), err);
	assert_int_equal(store_column_int(st, s, 0), 1);
	store_finalize(st, s);

	ASSERT_RC(0, store_prepare(st, "SELECT ?", &s, &err), err);
	store_bind_text(st, s, 1, "bound");
	ASSERT_RC(1, store_step(st, s, &err), err);
	assert_string_equal(store_column_text(st, s, 0), "bound");
	store_finalize(st, s);
	ASSERT_RC(0, store_prepare(st, "SELECT ?", &s, &err), err);
	ASSERT_RC(1, store_step(st, s, &err), err);
	assert_true(store_column_is_null(st, s, 0));
	store_finalize(st, s);

	for (int round = 0; round < 2; round++)
		for (int i = 0; i < 80; i++) {
			snprintf(sql, sizeof(sql), "SELECT %d + CAST(? AS INTEGER)", i);
			ASSERT_RC(0, store_prepare(st, sql, &s, &err), err);
			store_bind_int(st, s, 1, round);
			ASSERT_RC(1, store_step(st, s, &err), err);
			assert_int_equal(store_column_int(st, s, 0), i + round);
			store_finalize(st, s);
		}
	store_close(other);
	store_close(st);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, testutil_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_backend_find),
		T(test_open_missing),
		T(test_create_and_migrations),
		T(test_reopen_idempotent),
		T(test_pragmas),
		T(test_transactions),
		T(test_commit_visible_to_others),
		T(test_meta),
		T(test_newer_schema_refused),
		T(test_not_a_database),
		T(test_sql_errors),
		T(test_bound_text_literal),
		T(test_query_int),
		T(test_statement_cache),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
