/*
 * testutil.h - fixtures and assertions shared by the cmocka unit tests
 * (tests/unit/test_*.c); testutil.c is linked into every unit test
 * executable (tests/meson.build).
 *
 * Include it after "common.h" (which must come first in every file),
 * <setjmp.h> and <cmocka.h>.
 *
 * Contract, common to everything below:
 *  - Helpers named testutil_assert_* and those that run a library call
 *    (testutil_journal_seq, testutil_asset_build, testutil_sqlite_exec, ...)
 *    report a failure through cmocka (fail_msg / assert_*), which ends the
 *    current test; they return only on success.
 *  - Setup functions follow cmocka's group/test setup convention: they
 *    return 0 on success and -1 on failure, after printing the reason to
 *    standard error as "setup: <message>".
 *  - Strings a helper returns are allocated with xmalloc() and friends; the
 *    caller frees them.
 */
#ifndef MAMORI_TESTUTIL_H
#define MAMORI_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

struct asset;
struct journal_entry;
struct store;

/*
 * ASSERT_RC(want, expr, err): evaluates expr (an int return code) once and
 * fails the test unless it equals want, printing the expression, both
 * values and err.msg (err is a struct mamori_err, not a pointer), e.g.
 *     ASSERT_RC(0, store_begin(st, &err), err);
 */
#define ASSERT_RC(want, expr, err)                                                         \
	do {                                                                               \
		int rc_ = (expr);                                                          \
		if (rc_ != (want))                                                         \
			fail_msg("%s = %d, want %d (%s)", #expr, rc_, (int)(want), (err).msg); \
	} while (0)

/* ---- temporary directories ---------------------------------------------- */

/*
 * Creates a fresh directory /tmp/mamori-test-<name>-XXXXXX (mkdtemp(3));
 * returns its path, or NULL with errno set when it cannot be made.
 */
char *testutil_mkdtemp(const char *name);

/* Removes dir and everything below it, not following symbolic links. */
void testutil_rmtree(const char *dir);

/* ---- the store fixture --------------------------------------------------- */

/*
 * The state that the testutil_setup_* functions put in *state and
 * testutil_teardown() releases.
 */
struct testutil_fixture {
	char *dir;         /* the test's own temporary directory */
	char *db;          /* <dir>/mamori.db */
	char *vault;       /* <dir>/mamori.logs: db's access-log vault (not created) */
	struct store *st;  /* the SQLite store on db; NULL for testutil_setup_dir() */
};

/* A temporary directory named after name and the path of a store in it,
 * no store opened (fx->st is NULL). */
int testutil_setup_dir(void **state, const char *name);

/* testutil_setup_dir() plus a new, empty store opened with STORE_CREATE. */
int testutil_setup_store(void **state, const char *name);

/*
 * testutil_setup_store(), then store_begin() and the facility (name,
 * type) created by actor.  The transaction is left open.
 */
int testutil_setup_facility(void **state, const char *name, const char *actor,
			    const char *facility, const char *type);

/* Closes the store (rolling back an open transaction), removes the
 * directory and frees the fixture.  Always returns 0. */
int testutil_teardown(void **state);

/* ---- journal -------------------------------------------------------------- */

/* The seq of the newest journal entry (0 for an empty journal). */
int64_t testutil_journal_seq(struct store *st);

/*
 * Makes dst a deep copy of src (its strings duplicated), for use beyond a
 * journal_list() callback; dst's previous contents are overwritten, not
 * released.  Release the copy with journal_entry_release().
 */
void testutil_journal_entry_copy(struct journal_entry *dst, const struct journal_entry *src);

/* ---- devices ---------------------------------------------------------------- */

/* One field of a device and its value as a user would write it. */
struct testutil_kv {
	int f; /* enum asset_field_id */
	const char *v;
};

/*
 * TESTUTIL_KVS({ ASSET_TAG, "x" }, { ASSET_OS, "y" }): a literal list of
 * struct testutil_kv and its length, as two arguments.
 */
#define TESTUTIL_KVS(...)                                                                 \
	(const struct testutil_kv[]){ __VA_ARGS__ },                                      \
		sizeof((const struct testutil_kv[]){ __VA_ARGS__ }) / sizeof(struct testutil_kv)

/* asset_init(a), then asset_set() of each pair in order, asserting that
 * every value is accepted.  The caller releases a. */
void testutil_asset_build(struct asset *a, const struct testutil_kv *kv, size_t n);

/* ---- assertions ---------------------------------------------------------------- */

/* Fails unless needle occurs in hay. */
void testutil_assert_contains(const char *hay, const char *needle);

/*
 * Fails unless the value of key in the JSON object text js (may be NULL),
 * written as text, is want: a string as it is, an integer in decimal, a
 * boolean as "true" / "false", and anything else (absent, null) as
 * "(null)".
 */
void testutil_assert_json_key(const char *js, const char *key, const char *want);

/* The names in dir except "." and "..", sorted, joined with "|". */
char *testutil_list_dir(const char *dir);

/* Fails unless testutil_list_dir(dir) is want. */
void testutil_assert_dir_is(const char *dir, const char *want);

/* ---- outside the library ---------------------------------------------------------- */

/*
 * utf8 converted to CP932 with iconv(3) itself, independently of enc.c;
 * NUL-terminated, its length (without the NUL) in *outlen.  Fails the test
 * if any of it cannot be converted.
 */
char *testutil_to_cp932(const char *utf8, size_t *outlen);

/* Runs sql on the database file db through a second, independent SQLite
 * connection (waiting up to 5 s for locks); fails the test on an error. */
void testutil_sqlite_exec(const char *db, const char *sql);

#endif
