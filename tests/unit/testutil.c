/*
 * testutil.c - fixtures and assertions shared by the unit tests; the
 * contract is in testutil.h.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <iconv.h>
#include <jansson.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asset.h"
#include "journal.h"
#include "ledger.h"
#include "store.h"
#include "strbuf.h"
#include "testutil.h"

/* ---- temporary directories ---------------------------------------------- */

char *testutil_mkdtemp(const char *name)
{
	char *tmpl = xasprintf("/tmp/mamori-test-%s-XXXXXX", name);

	if (!mkdtemp(tmpl)) {
		int saved = errno;
		free(tmpl);
		errno = saved;
		return NULL;
	}
	return tmpl;
}

static int rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	return remove(p);
}

void testutil_rmtree(const char *dir)
{
	nftw(dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the store fixture --------------------------------------------------- */

int testutil_setup_dir(void **state, const char *name)
{
	struct testutil_fixture *fx;
	char *dir = testutil_mkdtemp(name);

	if (!dir)
		return -1;
	fx = xcalloc(1, sizeof(*fx));
	fx->dir = dir;
	fx->db = xasprintf("%s/mamori.db", dir);
	fx->vault = xasprintf("%s/mamori.logs", dir);
	*state = fx;
	return 0;
}

int testutil_setup_store(void **state, const char *name)
{
	struct mamori_err err = { 0 };

	if (testutil_setup_dir(state, name) < 0)
		return -1;
	struct testutil_fixture *fx = *state;
	if (store_open(&fx->st, "sqlite", fx->db, STORE_CREATE, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	return 0;
}

int testutil_setup_facility(void **state, const char *name, const char *actor,
			    const char *facility, const char *type)
{
	struct mamori_err err = { 0 };
	int64_t id;

	if (testutil_setup_store(state, name) < 0)
		return -1;
	struct store *st = ((struct testutil_fixture *)*state)->st;
	if (store_begin(st, &err) < 0 ||
	    ledger_facility_create(st, actor, facility, type, &id, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	return 0;
}

int testutil_teardown(void **state)
{
	struct testutil_fixture *fx = *state;

	store_close(fx->st);
	testutil_rmtree(fx->dir);
	free(fx->dir);
	free(fx->db);
	free(fx->vault);
	free(fx);
	return 0;
}

/* ---- journal -------------------------------------------------------------- */

int64_t testutil_journal_seq(struct store *st)
{
	struct mamori_err err = { 0 };
	char hash[JOURNAL_HASH_HEX];
	int64_t seq = -1;

	ASSERT_RC(0, journal_head(st, &seq, hash, &err), err);
	return seq;
}

void testutil_journal_entry_copy(struct journal_entry *dst, const struct journal_entry *src)
{
	*dst = *src;
	dst->time = xstrdup(src->time);
	dst->actor = xstrdup(src->actor);
	dst->action = xstrdup(src->action);
	dst->entity_type = xstrdup(src->entity_type);
	dst->entity_id = src->entity_id ? xstrdup(src->entity_id) : NULL;
	dst->before = src->before ? xstrdup(src->before) : NULL;
	dst->after = src->after ? xstrdup(src->after) : NULL;
}

/* ---- devices ---------------------------------------------------------------- */

void testutil_asset_build(struct asset *a, const struct testutil_kv *kv, size_t n)
{
	struct mamori_err err = { 0 };

	asset_init(a);
	for (size_t i = 0; i < n; i++)
		ASSERT_RC(0, asset_set(a, kv[i].f, kv[i].v, &err), err);
}

/* ---- assertions ---------------------------------------------------------------- */

void testutil_assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("\"%s\" does not contain \"%s\"", hay, needle);
}

void testutil_assert_json_key(const char *js, const char *key, const char *want)
{
	json_t *j = js ? json_loads(js, 0, NULL) : NULL;
	json_t *v = j ? json_object_get(j, key) : NULL;
	char *got;

	if (json_is_string(v))
		got = xstrdup(json_string_value(v));
	else if (json_is_boolean(v))
		got = xstrdup(json_is_true(v) ? "true" : "false");
	else if (json_is_integer(v))
		got = xasprintf("%lld", (long long)json_integer_value(v));
	else
		got = xstrdup("(null)");
	json_decref(j);
	if (strcmp(got, want))
		fail_msg("%s in %s = %s, want %s", key, js ? js : "NULL", got, want);
	free(got);
}

char *testutil_list_dir(const char *dir)
{
	struct dirent **names;
	struct strbuf sb = STRBUF_INIT;
	int n = scandir(dir, &names, NULL, alphasort);

	assert_true(n >= 0);
	for (int i = 0; i < n; i++) {
		if (strcmp(names[i]->d_name, ".") && strcmp(names[i]->d_name, ".."))
			strbuf_addf(&sb, "%s%s", sb.len ? "|" : "", names[i]->d_name);
		free(names[i]);
	}
	free(names);
	return strbuf_detach(&sb, NULL);
}

void testutil_assert_dir_is(const char *dir, const char *want)
{
	char *got = testutil_list_dir(dir);
	if (strcmp(got, want))
		fail_msg("directory %s holds \"%s\", want \"%s\"", dir, got, want);
	free(got);
}

/* ---- outside the library ---------------------------------------------------------- */

char *testutil_to_cp932(const char *utf8, size_t *outlen)
{
	iconv_t cd = iconv_open("CP932", "UTF-8");
	size_t inleft = strlen(utf8), cap = inleft * 2 + 16, outleft = cap;
	char *out = xmalloc(cap), *inp = (char *)utf8, *outp = out;

	assert_true(cd != (iconv_t)-1);
	assert_true(iconv(cd, &inp, &inleft, &outp, &outleft) != (size_t)-1);
	assert_int_equal(inleft, 0);
	iconv_close(cd);
	*outlen = cap - outleft;
	out[*outlen] = '\0';
	return out;
}

void testutil_sqlite_exec(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	char *msg = NULL;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	if (sqlite3_exec(h, sql, NULL, NULL, &msg) != SQLITE_OK)
		fail_msg("%s: %s", sql, msg ? msg : "?");
	sqlite3_close(h);
}
