/*
 * test_user.c - unit tests of accounts, passwords, lock-out, TOTP and
 * sessions (src/core/user.c) and of the QR code SVG (src/core/qr.c).
 *
 * The password policy and roles are table-driven; the rest drives user.h
 * on a store with a facility: add/get/list and their refusals, the
 * password history, the must-change flow, lock-out timing with an injected
 * clock, the constant time of a sign-in for known and unknown names, TOTP
 * enrolment and codes computed here with liboath at chosen times (window,
 * replay, older steps, reset), session timeouts, that the session table
 * holds no token, and that the journal records every action but no secret.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <liboath/oath.h>
#include <qrencode.h>
#include <time.h>

#include "journal.h"
#include "ledger.h"
#include "qr.h"
#include "store.h"
#include "strbuf.h"
#include "testutil.h"
#include "user.h"

#define ACTOR "test-admin"
#define FACILITY "みまもり総合病院"
#define PW_STAFF "correct horse battery"
#define PW_OTHER "another long passphrase"
#define T0 ((time_t)1900000000) /* a fixed "now" for the clock-driven tests */

/* A store with its facility, no transaction open. */
static int setup(void **state)
{
	struct mamori_err err = { 0 };

	if (testutil_setup_facility(state, "user", ACTOR, FACILITY, "病院") < 0)
		return -1;
	if (store_commit(((struct testutil_fixture *)*state)->st, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static struct store *ST(void **state)
{
	return ((struct testutil_fixture *)*state)->st;
}

static int64_t add_user(struct store *st, const char *name, enum user_role role,
			const char *password)
{
	struct mamori_err err = { 0 };
	char *generated = NULL;
	int64_t id = 0;

	ASSERT_RC(0, user_add(st, ACTOR, name, NULL, role, 0, password, &generated, &id, &err), err);
	assert_true(id > 0);
	free(generated);
	return id;
}

static int64_t add_vendor(struct store *st, const char *name)
{
	struct mamori_err err = { 0 };
	json_t *rec = json_pack("{s:s}", "name", name);
	int64_t id = 0;

	ASSERT_RC(0, store_begin(st, &err), err);
	ASSERT_RC(0, ledger_insert(st, ACTOR, LEDGER_VENDOR, rec, &id, &err), err);
	ASSERT_RC(0, store_commit(st, &err), err);
	json_decref(rec);
	return id;
}

static enum user_login_result login(struct store *st, const char *name, const char *password,
				    const char *code, time_t now, int *retry_after)
{
	struct mamori_err err = { 0 };
	enum user_login_result res = USER_LOGIN_OK;
	struct user u;
	int wait = -1;

	ASSERT_RC(0, user_login(st, name, password, code, "192.0.2.10", now, &res, &wait, &u, &err),
		  err);
	if (res == USER_LOGIN_OK)
		assert_non_null(u.name);
	else
		assert_null(u.name);
	if (res != USER_LOGIN_LOCKED)
		assert_int_equal(wait, 0);
	if (retry_after)
		*retry_after = wait;
	user_release(&u);
	return res;
}

static struct user get_user(struct store *st, const char *key)
{
	struct mamori_err err = { 0 };
	struct user u;

	ASSERT_RC(0, user_get(st, key, &u, &err), err);
	return u;
}

/* ---- the journal -------------------------------------------------------------- */

struct entries {
	struct journal_entry e[128];
	int n;
};

static int collect_fn(const struct journal_entry *e, void *ctx)
{
	struct entries *c = ctx;

	assert_true(c->n < (int)ARRAY_SIZE(c->e));
	testutil_journal_entry_copy(&c->e[c->n++], e);
	return 0;
}

/* All entries whose action starts with prefix (NULL: all), oldest first. */
static void entries(struct store *st, const char *prefix, struct entries *out)
{
	struct mamori_err err = { 0 };
	struct journal_filter f = { .action = prefix };

	memset(out, 0, sizeof(*out));
	ASSERT_RC(0, journal_list(st, &f, collect_fn, out, &err), err);
}

static void entries_release(struct entries *c)
{
	for (int i = 0; i < c->n; i++)
		journal_entry_release(&c->e[i]);
	c->n = 0;
}

/* The newest entry with action; fails when there is none. */
static const struct journal_entry *last_entry(const struct entries *c, const char *action)
{
	for (int i = c->n - 1; i >= 0; i--)
		if (!strcmp(c->e[i].action, action))
			return &c->e[i];
	fail_msg("no journal entry %s", action);
	return NULL;
}

static int count_entries(const struct entries *c, const char *action)
{
	int n = 0;

	for (int i = 0; i < c->n; i++)
		n += !strcmp(c->e[i].action, action);
	return n;
}

/* Fails when secret occurs in any field of any journal entry. */
static void assert_journal_lacks(struct store *st, const char *secret)
{
	struct entries c;

	entries(st, NULL, &c);
	for (int i = 0; i < c.n; i++) {
		const struct journal_entry *e = &c.e[i];
		const char *fields[] = { e->actor, e->action, e->entity_type, e->entity_id,
					 e->before, e->after };
		for (size_t k = 0; k < ARRAY_SIZE(fields); k++)
			if (fields[k] && strstr(fields[k], secret))
				fail_msg("journal entry %lld (%s) holds a secret: %s",
					 (long long)e->seq, e->action, fields[k]);
	}
	entries_release(&c);
}

/* ---- files ------------------------------------------------------------------------ */

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;

	*len = 0;
	if (!f)
		return strbuf_detach(&sb, NULL);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(f);
	return strbuf_detach(&sb, len);
}

/* Fails when needle occurs in the database file or its WAL. */
static void assert_db_lacks(const char *db, const char *needle)
{
	const char *suffixes[] = { "", "-wal", "-journal" };

	for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
		char *path = xasprintf("%s%s", db, suffixes[i]);
		size_t len;
		char *data = slurp(path, &len);
		if (memmem(data, len, needle, strlen(needle)))
			fail_msg("%s holds \"%s\"", path, needle);
		free(data);
		free(path);
	}
}

/* ---- TOTP in the test, with liboath itself -------------------------------------------- */

static void totp_code(const char *secret_b32, time_t t, char out[7])
{
	char *bin = NULL;
	size_t len = 0;

	assert_int_equal(oath_init(), OATH_OK);
	assert_int_equal(oath_base32_decode(secret_b32, strlen(secret_b32), &bin, &len), OATH_OK);
	assert_int_equal(len, 20);
	assert_int_equal(oath_totp_generate(bin, len, t, 30, 0, 6, out), OATH_OK);
	free(bin);
}

/* Begins and confirms TOTP for id; the secret in secret. */
static void enrol(struct store *st, int64_t id, char secret[USER_TOTP_SECRET_LEN + 1])
{
	struct mamori_err err = { 0 };
	char code[7], *uri = NULL;

	ASSERT_RC(0, user_totp_begin(st, id, FACILITY, secret, &uri, &err), err);
	free(uri);
	totp_code(secret, time(NULL), code);
	ASSERT_RC(0, user_totp_confirm(st, ACTOR, id, code, &err), err);
}

/* ---- roles ---------------------------------------------------------------------------- */

static void test_roles(void **state)
{
	static const struct {
		const char *in;
		int want; /* -1: refused */
	} cases[] = {
		{ "admin", USER_ADMIN },     { "ADMIN", USER_ADMIN },     { "管理者", USER_ADMIN },
		{ "officer", USER_OFFICER }, { "安全管理責任者", USER_OFFICER },
		{ "staff", USER_STAFF },     { "職員", USER_STAFF },      { "ｓｔａｆｆ", USER_STAFF },
		{ "auditor", USER_AUDITOR }, { "監査", USER_AUDITOR },    { "vendor", USER_VENDOR },
		{ "事業者", USER_VENDOR },   { " staff ", USER_STAFF },   { "root", -1 },
		{ "", -1 },                  { "administrator", -1 },     { "管理", -1 },
	};
	static const char *const names[] = { "admin", "officer", "staff", "auditor", "vendor" };
	static const char *const labels[] = { "管理者", "安全管理責任者", "職員", "監査", "事業者" };

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mamori_err err = { 0 };
		enum user_role r = USER_STAFF;
		int rc = user_role_parse(cases[i].in, &r, &err);
		if (cases[i].want < 0) {
			if (rc != MAMORI_EINVAL)
				fail_msg("role \"%s\" accepted", cases[i].in);
			testutil_assert_contains(err.msg, "officer");
		} else if (rc != 0 || (int)r != cases[i].want) {
			fail_msg("role \"%s\": rc=%d role=%d, want %d", cases[i].in, rc, (int)r,
				 cases[i].want);
		}
	}
	for (int r = USER_ADMIN; r <= USER_VENDOR; r++) {
		assert_string_equal(user_role_name((enum user_role)r), names[r]);
		assert_string_equal(user_role_label((enum user_role)r), labels[r]);
	}
}

/* ---- the password policy ------------------------------------------------------------------ */

static void test_password_policy(void **state)
{
	char max[USER_PASSWORD_MAX + 2], fw_max[USER_PASSWORD_MAX * 3 + 4];
	static const struct {
		const char *name, *pw;
		const char *refusal; /* NULL: accepted; else part of the message */
	} cases[] = {
		/* 13 characters or more: anything */
		{ "tanaka", "abcdefghijklm", NULL },
		{ "tanaka", "aaaaaaaaaaaaa", NULL },
		{ "tanaka", "1234567890123", NULL },
		{ "tanaka", PW_STAFF, NULL },
		/* 8 to 12: letters, digits and symbols */
		{ "tanaka", "abc123!x", NULL },
		{ "tanaka", "Zz9#Zz9#Zz9#", NULL },
		{ "tanaka", "abc 1234", NULL }, /* a space is a symbol */
		{ "tanaka", "abcdefghijkl", "数字 記号" },
		{ "tanaka", "abc12345", "記号" },
		{ "tanaka", "abcdefg!", "数字" },
		{ "tanaka", "1234567!", "英字" },
		{ "tanaka", "!!!!!!!!", "英字 数字" },
		/* too short */
		{ "tanaka", "ab1!xyz", "短すぎ" },
		{ "tanaka", "a", "短すぎ" },
		{ "tanaka", "", "短すぎ" },
		/* the user name */
		{ "yamada.taro.99", "YAMADA.TARO.99", "同じ" },
		{ "yamada.taro.99", "yamada.taro.99", "同じ" },
		{ "tanaka", "my-tanaka-password", "含む" },
		{ "tanaka", "MyTANAKApassword", "含む" },
		{ "ab", "ab-very-long-pass", NULL }, /* short names only by equality */
		{ NULL, "abc123!x", NULL },
		/* characters: full-width ASCII is read as ASCII, others refused */
		{ "tanaka", "ｐａｓｓｗｏｒｄ１２３４５", NULL },
		{ "tanaka", "ａｂｃ１２３！ｘ", NULL },
		{ "tanaka", "ａｂｃ１２３４５", "記号" },
		{ "tanaka", "abc　1234", NULL }, /* U+3000 is a space */
		{ "tanaka", "ｔａｎａｋａ-password", "含む" },
		{ "tanaka", "ぱすわーどぱすわーどぱすわーど", "使えない文字" },
		{ "tanaka", "病院のパスワード2025!", "使えない文字" },
		{ "tanaka", "abcdefghijklm\n", "使えない文字" },
		{ "tanaka", "abcdefg\thijklm", "使えない文字" },
		{ "tanaka", "abcdefghijklm\x7f", "使えない文字" },
		{ "tanaka", "abcdefghijklm\xff", "使えない文字" },
		{ "tanaka", "abcdefghijklm\xef\xbd\xa1", "使えない文字" }, /* U+FF61 half-width 。 */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mamori_err err = { 0 };
		int rc = user_password_check(cases[i].name, cases[i].pw, &err);
		if (!cases[i].refusal && rc != 0)
			fail_msg("case %zu \"%s\" refused: %s", i, cases[i].pw, err.msg);
		if (cases[i].refusal) {
			if (rc != MAMORI_EINVAL)
				fail_msg("case %zu \"%s\" accepted", i, cases[i].pw);
			testutil_assert_contains(err.msg, cases[i].refusal);
		}
	}

	/* USER_PASSWORD_MAX characters, ASCII or full-width; one more is too long. */
	struct mamori_err err = { 0 };
	memset(max, 'x', USER_PASSWORD_MAX);
	max[USER_PASSWORD_MAX] = '\0';
	ASSERT_RC(0, user_password_check("tanaka", max, &err), err);
	max[USER_PASSWORD_MAX] = 'x';
	max[USER_PASSWORD_MAX + 1] = '\0';
	ASSERT_RC(MAMORI_EINVAL, user_password_check("tanaka", max, &err), err);
	testutil_assert_contains(err.msg, "長すぎ");
	for (int i = 0; i < USER_PASSWORD_MAX; i++)
		memcpy(fw_max + 3 * i, "ｘ", 3);
	fw_max[3 * USER_PASSWORD_MAX] = '\0';
	ASSERT_RC(0, user_password_check("tanaka", fw_max, &err), err);
	memcpy(fw_max + 3 * USER_PASSWORD_MAX, "ｘ", 4);
	ASSERT_RC(MAMORI_EINVAL, user_password_check("tanaka", fw_max, &err), err);
	testutil_assert_contains(err.msg, "長すぎ");
	ASSERT_RC(MAMORI_EINVAL, user_password_check("tanaka", NULL, &err), err);
}

static void test_generated_passwords(void **state)
{
	static const char alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789";
	char *prev = NULL;

	for (int i = 0; i < 200; i++) {
		struct mamori_err err = { 0 };
		char *p = NULL;
		ASSERT_RC(0, user_generate_password("abc", &p, &err), err);
		assert_int_equal(strlen(p), 16);
		assert_int_equal(strspn(p, alphabet), 16);
		ASSERT_RC(0, user_password_check("abc", p, &err), err);
		assert_null(strcasestr(p, "abc"));
		if (prev)
			assert_string_not_equal(p, prev);
		free(prev);
		prev = p;
	}
	free(prev);
}

/* ---- add / get / list --------------------------------------------------------------------- */

static int list_fn(const struct user *u, void *ctx)
{
	strbuf_addf(ctx, "%s%s", ((struct strbuf *)ctx)->len ? "|" : "", u->name);
	return 0;
}

static int stop_fn(const struct user *u, void *ctx)
{
	(*(int *)ctx)++;
	return MAMORI_ECHECK;
}

static void test_add_get_list(void **state)
{
	struct store *st = ST(state);
	struct mamori_err err = { 0 };
	struct strbuf names = STRBUF_INIT;
	char *generated = NULL;
	int64_t id = 0, vid = add_vendor(st, "富士通Japan");
	static const struct {
		const char *name;
		enum user_role role;
		int totp_required;
	} users[] = {
		{ "suzuki", USER_ADMIN, 1 },   { "officer.sato", USER_OFFICER, 1 },
		{ "tanaka", USER_STAFF, 0 },   { "kansa@example.jp", USER_AUDITOR, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(users); i++) {
		ASSERT_RC(0, user_add(st, ACTOR, users[i].name, "表示 名前", users[i].role, 0, PW_STAFF,
				      &generated, &id, &err), err);
		assert_null(generated);
		struct user u = get_user(st, users[i].name);
		assert_int_equal(u.id, id);
		assert_string_equal(u.name, users[i].name);
		assert_int_equal(u.role, users[i].role);
		assert_int_equal(u.totp_required, users[i].totp_required);
		assert_int_equal(u.totp_enabled, 0);
		assert_int_equal(u.must_change_password, 0);
		assert_int_equal(u.disabled, 0);
		assert_int_equal(u.failed_logins, 0);
		assert_int_equal(u.vendor_id, 0);
		assert_null(u.locked_until);
		assert_null(u.last_login);
		assert_non_null(u.created_at);
		user_release(&u);
	}

	/* A vendor's account, its display name normalised; a generated password. */
	ASSERT_RC(0, user_add(st, ACTOR, "ｆｊ－ｈｏｓｈｕ", "　富士通 保守　", USER_VENDOR, vid, NULL,
			      &generated, &id, &err), err);
	assert_non_null(generated);
	assert_int_equal(strlen(generated), 16);
	struct user u = get_user(st, "fj-hoshu");
	assert_int_equal(u.vendor_id, vid);
	assert_int_equal(u.role, USER_VENDOR);
	assert_int_equal(u.must_change_password, 1);
	assert_string_equal(u.display_name, "富士通 保守");
	json_t *j = user_to_json(&u);
	char *js = json_dumps(j, JSON_SORT_KEYS);
	testutil_assert_json_key(js, "name", "fj-hoshu");
	testutil_assert_json_key(js, "role", "vendor");
	testutil_assert_json_key(js, "role_label", "事業者");
	testutil_assert_json_key(js, "must_change_password", "true");
	testutil_assert_json_key(js, "totp_enabled", "false");
	char *vbuf = xasprintf("%lld", (long long)vid);
	testutil_assert_json_key(js, "vendor_id", vbuf);
	assert_null(strstr(js, "hash"));
	assert_null(strstr(js, "$argon2"));
	free(vbuf);
	free(js);
	json_decref(j);
	user_release(&u);
	assert_int_equal(login(st, "fj-hoshu", generated, NULL, T0, NULL), USER_LOGIN_OK);
	free(generated);
	generated = NULL;

	/* Lookups: case-insensitive names, full-width, #ID; misses. */
	u = get_user(st, "TANAKA");
	assert_string_equal(u.name, "tanaka");
	int64_t tanaka = u.id;
	user_release(&u);
	u = get_user(st, "ｔａｎａｋａ");
	assert_int_equal(u.id, tanaka);
	user_release(&u);
	char *key = xasprintf("#%lld", (long long)tanaka);
	u = get_user(st, key);
	assert_string_equal(u.name, "tanaka");
	user_release(&u);
	free(key);
	ASSERT_RC(0, user_get_id(st, tanaka, &u, &err), err);
	assert_string_equal(u.name, "tanaka");
	user_release(&u);
	static const char *const misses[] = { "nobody", "#999", "#0", "#x", "#", "", "田中",
					      "tanaka ka" };
	for (size_t i = 0; i < ARRAY_SIZE(misses); i++) {
		if (user_get(st, misses[i], &u, &err) != MAMORI_ENOTFOUND)
			fail_msg("user_get(\"%s\") did not say ENOTFOUND", misses[i]);
		assert_null(u.name);
	}
	ASSERT_RC(MAMORI_ENOTFOUND, user_get_id(st, 999, &u, &err), err);

	/* The list, ordered by name; a callback stops it with its code. */
	ASSERT_RC(0, user_list(st, list_fn, &names, &err), err);
	assert_string_equal(names.buf, "fj-hoshu|kansa@example.jp|officer.sato|suzuki|tanaka");
	strbuf_release(&names);
	int calls = 0;
	ASSERT_RC(MAMORI_ECHECK, user_list(st, stop_fn, &calls, &err), err);
	assert_int_equal(calls, 1);

	/* One user.add entry per user, with no secret. */
	struct entries c;
	entries(st, "user.add", &c);
	assert_int_equal(c.n, 5);
	testutil_assert_json_key(c.e[4].after, "name", "fj-hoshu");
	assert_null(c.e[4].before);
	assert_string_equal(c.e[4].actor, ACTOR);
	assert_string_equal(c.e[4].entity_type, "user");
	entries_release(&c);
	assert_journal_lacks(st, PW_STAFF);
	assert_journal_lacks(st, "argon2");
}

static void test_add_refused(void **state)
{
	struct store *st = ST(state);
	struct mamori_err err = { 0 };
	char *generated = NULL;
	int64_t id = 0, vid = add_vendor(st, "キヤノンメディカル");
	static const char *const bad_names[] = {
		"", " ", "田中", "tanaka taro", "tanaka/1", "a:b", "o'brien", "x\ny",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 65 */
	};
	static const struct {
		enum user_role role;
		int64_t vendor_id; /* -1: the vendor of the test */
		const char *msg;
	} bad_roles[] = {
		{ USER_VENDOR, 0, "事業者を指定" },
		{ USER_VENDOR, 999, "登録されていません" },
		{ USER_STAFF, -1, "事業者を指定できるのは" },
		{ USER_ADMIN, -1, "事業者を指定できるのは" },
		{ (enum user_role)42, 0, "役割" },
	};

	add_user(st, "tanaka", USER_STAFF, PW_STAFF);
	int64_t seq = testutil_journal_seq(st);

	for (size_t i = 0; i < ARRAY_SIZE(bad_names); i++) {
		if (user_add(st, ACTOR, bad_names[i], NULL, USER_STAFF, 0, PW_OTHER, &generated, &id,
			     &err) != MAMORI_EINVAL)
			fail_msg("name \"%s\" accepted", bad_names[i]);
		testutil_assert_contains(err.msg, "ユーザー名");
	}
	/* 64 characters is the longest name. */
	char n64[USER_NAME_MAX + 1];
	memset(n64, 'n', USER_NAME_MAX);
	n64[USER_NAME_MAX] = '\0';
	add_user(st, n64, USER_STAFF, PW_STAFF);
	seq = testutil_journal_seq(st);

	ASSERT_RC(MAMORI_ECONFLICT,
		  user_add(st, ACTOR, "tanaka", NULL, USER_STAFF, 0, PW_OTHER, &generated, &id, &err),
		  err);
	testutil_assert_contains(err.msg, "既に使われています");
	ASSERT_RC(MAMORI_ECONFLICT,
		  user_add(st, ACTOR, "Tanaka", NULL, USER_ADMIN, 0, PW_OTHER, &generated, &id, &err),
		  err);
	for (size_t i = 0; i < ARRAY_SIZE(bad_roles); i++) {
		int64_t v = bad_roles[i].vendor_id < 0 ? vid : bad_roles[i].vendor_id;
		if (user_add(st, ACTOR, "newuser", NULL, bad_roles[i].role, v, PW_OTHER, &generated,
			     &id, &err) != MAMORI_EINVAL)
			fail_msg("role %d with vendor %lld accepted", (int)bad_roles[i].role,
				 (long long)v);
		testutil_assert_contains(err.msg, bad_roles[i].msg);
	}
	ASSERT_RC(MAMORI_EINVAL,
		  user_add(st, ACTOR, "newuser", NULL, USER_STAFF, 0, "short1!", &generated, &id, &err),
		  err);
	ASSERT_RC(MAMORI_EINVAL,
		  user_add(st, ACTOR, "newuser", NULL, USER_STAFF, 0, "newuser-password", &generated,
			   &id, &err),
		  err);
	char long_display[400];
	memset(long_display, 'x', 101);
	long_display[101] = '\0';
	ASSERT_RC(MAMORI_EINVAL,
		  user_add(st, ACTOR, "newuser", long_display, USER_STAFF, 0, PW_OTHER, &generated, &id,
			   &err),
		  err);
	testutil_assert_contains(err.msg, "表示名");
	/* Nothing of it was written. */
	assert_int_equal(testutil_journal_seq(st), seq);
	assert_null(generated);
	struct user u;
	assert_int_equal(user_get(st, "newuser", &u, &err), MAMORI_ENOTFOUND);
	/* A vendor with its vendor is fine. */
	ASSERT_RC(0, user_add(st, ACTOR, "newuser", NULL, USER_VENDOR, vid, PW_OTHER, &generated, &id,
			      &err), err);
}

/* ---- passwords after the first ------------------------------------------------------------- */

static void test_history(void **state)
{
	struct store *st = ST(state);
	struct mamori_err err = { 0 };
	static const char *const pw[] = {
		"history password 0", "history password 1", "history password 2",
		"history password 3", "history password 4", "history password 5",
	};
	int64_t id = add_user(st, "kondo", USER_STAFF, pw[0]);

	for (int i = 1; i <= 5; i++)
		ASSERT_RC(0, user_set_password(st, "kondo", id, pw[i], 0, &err), err);
	/* The last five, the current one included, are refused, in any width. */
	for (int i = 1; i <= 5; i++) {
		if (user_set_password(st, "kondo", id, pw[i], 0, &err) != MAMORI_EINVAL)
			fail_msg("reuse of \"%s\" accepted", pw[i]);
		testutil_assert_contains(err.msg, "最近 5 回");
	}
	ASSERT_RC(MAMORI_EINVAL,
		  user_set_password(st, "kondo", id, "ｈｉｓｔｏｒｙ ｐａｓｓｗｏｒｄ ３", 0, &err), err);
	/* The policy still applies. */
	ASSERT_RC(MAMORI_EINVAL, user_set_password(st, "kondo", id, "kondo-and-more-text", 0, &err),
		  err);
	ASSERT_RC(MAMORI_ENOTFOUND, user_set_password(st, "kondo", 999, pw[0], 0, &err), err);
	/* The sixth-oldest is free again, and it is the password from now on. */
	ASSERT_RC(0, user_set_password(st, "kondo", id, pw[0], 0, &err), err);
	assert_int_equal(login(st, "kondo", pw[5], NULL, T0, NULL), USER_LOGIN_BAD);
	assert_int_equal(login(st, "kondo", pw[0], NULL, T0, NULL), USER_LOGIN_OK);
	/* Only five are kept. */
	int64_t n = 0;
	char idbuf[24];
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	ASSERT_RC(0, store_query_int(st, &n, &err,
				     "SELECT COUNT(*) FROM user_password_history WHERE user_id = ?",
				     idbuf, NULL), err);
	assert_int_equal(n, USER_PASSWORD_HISTORY);

	struct entries c;
	entries(st, "user.passwd", &c);
	assert_int_equal(c.n, 6);
	entries_release(&c);
	for (int i = 0; i < 6; i++)
		assert_journal_lacks(st, pw[i]);
}

static void test_must_change(void **state)
{
	struct store *st = ST(state);
	struct mamori_err err = { 0 };
	struct user_session s;
	char *first = NULL, *reset = NULL;
	int64_t id = 0;

	ASSERT_RC(0, user_add(st, ACTOR, "newbie", NULL, USER_STAFF, 0, NULL, &first, &id, &err), err);
	struct user u = get_user(st, "newbie");
	assert_int_equal(u.must_change_password, 1);
	user_release(&u);

	/* Signing in with it works; the server then asks for a new one. */
	enum user_login_result res;
	ASSERT_RC(0, user_login(st, "newbie", first, NULL, "::1", T0, &res, NULL, &u, &err), err);
	assert_int_equal(res, USER_LOGIN_OK);
	assert_int_equal(u.must_change_password, 1);
	user_release(&u);
	ASSERT_RC(0, user_session_create(st, id, "::1", T0, &s, &err), err);
	ASSERT_RC(MAMORI_EINVAL, user_set_password(st, "newbie", id, first, 0, &err), err);
	ASSERT_RC(0, user_set_password(st, "newbie", id, PW_STAFF, 0, &err), err);
	u = get_user(st, "newbie");
	assert_int_equal(u.must_change_password, 0);
	user_release(&u);
	/* The user's own change keeps the session. */
	struct user_session s2;
	ASSERT_RC(0, user_session_check(st, s.token, T0 + 1, &s2, &u, &err), err);
	user_session_release(&s2);
	user_release(&u);

	/* Lock the account, then an administrator resets the password. */
	for (int i = 0; i < USER_LOCK_AFTER; i++)
		login(st, "newbie", "wrong password here", NULL, T0 + 10, NULL);
	u = get_user(st, "newbie");
	assert_non_null(u.locked_until);
	user_release(&u);
	ASSERT_RC(0, user_generate_password("newbie", &reset, &err), err);
	ASSERT_RC(0, user_set_password(st, ACTOR, id, reset, 1, &err), err);
	u = get_user(st, "newbie");
	assert_int_equal(u.must_change_password, 1);
	assert_int_equal(u.failed_logins, 0);
	assert_null(u.locked_until);
	user_release(&u);
	/* Whoever was signed in is out. */
	assert_int_equal(user_session_check(st, s.token, T0 + 20, &s2, &u, &err), MAMORI_ENOTFOUND);
	assert_int_equal(login(st, "newbie", PW_STAFF, NULL, T0 + 20, NULL), USER_LOGIN_BAD);
	assert_int_equal(login(st, "newbie", reset, NULL, T0 + 20, NULL), USER_LOGIN_OK);

	struct entries c;
	entries(st, "user.passwd", &c);
	assert_int_equal(c.n, 2);
	testutil_assert_json_key(c.e[0].before, "must_change_password", "true");
	testutil_assert_json_key(c.e[0].after, "must_change_password", "false");
	testutil_assert_json_key(c.e[1].after, "must_change_password", "true");
	assert_string_equal(c.e[1].actor, ACTOR);
	entries_release(&c);
	assert_journal_lacks(st, first);
	assert_journal_lacks(st, reset);
	user_session_release(&s);
	free(first);
	free(reset);
}

/* ---- sign-in ---------------------------------------------------------------------------- */

static void test_lockout(void **state)
{
	struct store *st = ST(state);
	struct mamori_err err = { 0 };
	int wait = 0;
	time_t t = T0;
	const char *bad = "not the password";

	add_user(st, "lock", USER_STAFF, PW_STAFF);
	for (int i = 1; i < USER_LOCK_AFTER; i++) {
		assert_int_equal(login(st, "lock", bad, NULL, t, NULL), USER_LOGIN_BAD);
		struct user u = get_user(st, "lock");
		assert_int_equal(u.failed_logins, i);
		assert_null(u.locked_until);
		user_release(&u);
	}
	/* The fifth failure is told as such, and locks for a minute. */
	assert_int_equal(login(st, "lock", bad, NULL, t, &wait), USER_LOGIN_BAD);
	struct user u = get_user(st, "lock");
	assert_string_equal(u.locked_until, "2030-03-17T17:47:40Z"); /* T0 + 60 */
	user_release(&u);
	/* While locked even the right password is refused, and not counted. */
	assert_int_equal(login(st, "lock", PW_STAFF, NULL, t, &wait), USER_LOGIN_LOCKED);
	assert_int_equal(wait, 60);
	assert_int_equal(login(st, "lock", PW_STAFF, NULL, t + 30, &wait), USER_LOGIN_LOCKED);
	assert_int_equal(wait, 30);
	assert_int_equal(login(st, "lock", bad, NULL, t + 59, &wait), USER_LOGIN_LOCKED);
	assert_int_equal(wait, 1);
	u = get_user(st, "lock");
	assert_int_equal(u.failed_logins, USER_LOCK_AFTER);
	user_release(&u);
	/* Each further failure after the lock doubles it, up to an hour. */
	static const int doubling[] = { 120, 240, 480, 960, 1920, 3600, 3600, 3600 };
	t += 60;
	for (size_t i = 0; i < ARRAY_SIZE(doubling); i++) {
		assert_int_equal(login(st, "lock", bad, NULL, t, &wait), USER_LOGIN_BAD);
		assert_int_equal(login(st, "lock", PW_STAFF, NULL, t, &wait), USER_LOGIN_LOCKED);
		if (wait != doubling[i])
			fail_msg("failure %zu after the lock: %d s, want %d", i + 1, wait, doubling[i]);
		t += wait;
	}
	/* After the lock, the right password resets everything. */
	assert_int_equal(login(st, "lock", PW_STAFF, NULL, t, NULL), USER_LOGIN_OK);
	u = get_user(st, "lock");
	assert_int_equal(u.failed_logins, 0);
	assert_null(u.locked_until);
	assert_non_null(u.last_login);
	user_release(&u);
	assert_int_equal(login(st, "lock", bad, NULL, t, NULL), USER_LOGIN_BAD);
	u = get_user(st, "lock");
	assert_int_equal(u.failed_logins, 1);
	user_release(&u);

	/* An administrator's enable lifts a lock. */
	for (int i = 1; i < USER_LOCK_AFTER; i++)
		assert_int_equal(login(st, "lock", bad, NULL, t, NULL), USER_LOGIN_BAD);
	assert_int_equal(login(st, "lock", PW_STAFF, NULL, t, NULL), USER_LOGIN_LOCKED);
	u = get_user(st, "lock");
	ASSERT_RC(0, user_set_disabled(st, ACTOR, u.id, 0, &err), err);
	user_release(&u);
	assert_int_equal(login(st, "lock", PW_STAFF, NULL, t, NULL), USER_LOGIN_OK);

	/* The journal tells what happened, from where, without the passwords. */
	struct entries c;
	entries(st, "login.", &c);
	assert_int_equal(count_entries(&c, "login.locked"), 3 + 8 + 1);
	assert_int_equal(count_entries(&c, "login.ok"), 2);
	assert_int_equal(count_entries(&c, "login.fail"), 4 + 1 + 8 + 1 + 4);
	const struct journal_entry *e = last_entry(&c, "login.locked");
	testutil_assert_json_key(e->after, "name", "lock");
	testutil_assert_json_key(e->after, "remote", "192.0.2.10");
	assert_string_equal(e->actor, "lock");
	e = &c.e[4]; /* the fifth failure */
	assert_string_equal(e->action, "login.fail");
	testutil_assert_json_key(e->after, "reason", "bad_password");
	testutil_assert_json_key(e->after, "failed_logins", "5");
	testutil_assert_json_key(e->after, "retry_after", "60");
	entries_release(&c);
	assert_journal_lacks(st, bad);
	assert_journal_lacks(st, PW_STAFF);
}

static void test_login_unknown_and_disabled(void **state)
{
	struct store *st = ST(state);
	struct mamori_err err = { 0 };
	int64_t id = add_user(st, "taro", USER_STAFF, PW_STAFF);
	static const char *const unknown[] = { "nobody", "", "田中\x01", "x\xff\xfe", "cli:root",
					       "a-very-long-name-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" };
	enum user_login_result res;
	struct user u;

	for (size_t i = 0; i < ARRAY_SIZE(unknown); i++)
		assert_int_equal(login(st, unknown[i], PW_STAFF, NULL, T0, NULL), USER_LOGIN_BAD);
	ASSERT_RC(0, user_login(st, NULL, NULL, NULL, NULL, T0, &res, NULL, NULL, &err), err);
	assert_int_equal(res, USER_LOGIN_BAD);
	/* The name is case-insensitive; the password is not. */
	assert_int_equal(login(st, "TARO", PW_STAFF, NULL, T0, NULL), USER_LOGIN_OK);
	assert_int_equal(login(st, "taro", "CORRECT HORSE BATTERY", NULL, T0, NULL), USER_LOGIN_BAD);
	/* Full-width typing is the same password. */
	assert_int_equal(login(st, "ｔａｒｏ", "ｃｏｒｒｅｃｔ　ｈｏｒｓｅ　ｂａｔｔｅｒｙ", NULL, T0,
			       NULL), USER_LOGIN_OK);

	struct entries c;
	entries(st, "login.fail", &c);
	assert_int_equal(c.n, ARRAY_SIZE(unknown) + 2);
	for (size_t i = 0; i < ARRAY_SIZE(unknown) + 1; i++) {
		assert_string_equal(c.e[i].actor, "(不明)");
		assert_null(c.e[i].entity_id);
		testutil_assert_json_key(c.e[i].after, "reason", "unknown_user");
		json_t *j = json_loads(c.e[i].after, 0, NULL);
		assert_non_null(j);
		assert_true(strlen(json_string_value(json_object_get(j, "name"))) <= 100);
		json_decref(j);
	}
	testutil_assert_json_key(c.e[0].after, "name", "nobody");
	testutil_assert_json_key(c.e[4].after, "name", "cli:root");
	testutil_assert_json_key(c.e[ARRAY_SIZE(unknown)].after, "remote", "(null)");
	entries_release(&c);

	/* Disabled: the right password learns so, a wrong one learns nothing. */
	ASSERT_RC(0, user_set_disabled(st, ACTOR, id, 1, &err), err);
	assert_int_equal(login(st, "taro", PW_STAFF, NULL, T0, NULL), USER_LOGIN_DISABLED);
	for (int i = 0; i < USER_LOCK_AFTER + 1; i++)
		assert_int_equal(login(st, "taro", PW_OTHER, NULL, T0, NULL), USER_LOGIN_BAD);
	u = get_user(st, "taro");
	assert_int_equal(u.failed_logins, 0);
	user_release(&u);
	ASSERT_RC(0, user_set_disabled(st, ACTOR, id, 0, &err), err);
	assert_int_equal(login(st, "taro", PW_STAFF, NULL, T0, NULL), USER_LOGIN_OK);
	assert_journal_lacks(st, PW_STAFF);
	assert_journal_lacks(st, PW_OTHER);
	assert_journal_lacks(st, "correct");
}

static double seconds_since(const struct timespec *a)
{
	struct timespec b;

	clock_gettime(CLOCK_MONOTONIC, &b);
	return (double)(b.tv_sec - a->tv_sec) + (double)(b.tv_nsec - a->tv_nsec) / 1e9;
}

static void test_login_timing(void **state)
{
	struct store *st = ST(state);
	double known = 0, unknown = 0, right = 0;
	struct timespec t;

	add_user(st, "timed", USER_STAFF, PW_STAFF);
	login(st, "warm-up", PW_STAFF, NULL, T0, NULL);
	/* Interleaved, so that a slow moment of the machine hits both. */
	for (int i = 0; i < 4; i++) {
		clock_gettime(CLOCK_MONOTONIC, &t);
		assert_int_equal(login(st, "timed", "wrong password 123", NULL, T0, NULL),
				 USER_LOGIN_BAD);
		known += seconds_since(&t);
		clock_gettime(CLOCK_MONOTONIC, &t);
		assert_int_equal(login(st, "no-such-user", "wrong password 123", NULL, T0, NULL),
				 USER_LOGIN_BAD);
		unknown += seconds_since(&t);
		clock_gettime(CLOCK_MONOTONIC, &t);
		assert_int_equal(login(st, "timed", PW_STAFF, NULL, T0, NULL), USER_LOGIN_OK);
		right += seconds_since(&t);
	}
	print_message("sign-in: known %.3f s, unknown %.3f s, right %.3f s (4 each)\n", known,
		      unknown, right);
	if (unknown / known < 0.5 || unknown / known > 2)
		fail_msg("unknown/known = %.2f", unknown / known);
	if (right / known < 0.5 || right / known > 2)
		fail_msg("right/known = %.2f", right / known);
	/* One argon2id verification is not nothing. */
	assert_true(unknown / 4 > 0.005);
}

/* ---- TOTP ------------------------------------------------------------------------------- */

static void test_totp_enrol_uri(void **state)
{
	struct store *st = ST(state);
	struct mamori_err err = { 0 };
	char secret[USER_TOTP_SECRET_LEN + 1], secret2[USER_TOTP_SECRET_LEN + 1], code[7];
	char *uri = NULL;
	int64_t id = add_user(st, "dr.yamada@example.jp", USER_OFFICER, PW_STAFF);

	ASSERT_RC(0, user_totp_begin(st, id, FACILITY, secret, &uri, &err), err);
	assert_int_equal(strlen(secret), USER_TOTP_SECRET_LEN);
	assert_int_equal(strspn(secret, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), USER_TOTP_SECRET_LEN);
	char *want = xasprintf("otpauth://totp/"
			       "%%E3%%81%%BF%%E3%%81%%BE%%E3%%82%%82%%E3%%82%%8A%%E7%%B7%%8F"
			       "%%E5%%90%%88%%E7%%97%%85%%E9%%99%%A2:dr.yamada%%40example.jp"
			       "?secret=%s&issuer="
			       "%%E3%%81%%BF%%E3%%81%%BE%%E3%%82%%82%%E3%%82%%8A%%E7%%B7%%8F"
			       "%%E5%%90%%88%%E7%%97%%85%%E9%%99%%A2"
			       "&algorithm=SHA1&digits=6&period=30",
			       secret);
	assert_string_equal(uri, want);
	free(want);
	free(uri);
	/* Until confirmed nothing is enrolled, and sign-in needs no code. */
	struct user u = get_user(st, "dr.yamada@example.jp");
	assert_int_equal(u.totp_enabled, 0);
	assert_int_equal(u.totp_required, 1);
	user_release(&u);
	assert_int_equal(login(st, "dr.yamada@example.jp", PW_STAFF, NULL, T0, NULL), USER_LOGIN_OK);

	/* A second begin replaces the pending secret; the old one's codes fail. */
	ASSERT_RC(0, user_totp_begin(st, id, NULL, secret2, &uri, &err), err);
	testutil_assert_contains(uri, "otpauth://totp/mamori:dr.yamada%40example.jp?secret=");
	free(uri);
	assert_string_not_equal(secret, secret2);
	totp_code(secret, time(NULL), code);
	char code2[7];
	totp_code(secret2, time(NULL), code2);
	if (strcmp(code, code2)) {
		ASSERT_RC(MAMORI_EINVAL, user_totp_confirm(st, ACTOR, id, code, &err), err);
		testutil_assert_contains(err.msg, "確認コードが違います");
	}
	static const char *const junk[] = { "", "12345", "1234567", "abcdef", "12345x", NULL };
	for (size_t i = 0; i < ARRAY_SIZE(junk); i++)
		assert_int_equal(user_totp_confirm(st, ACTOR, id, junk[i], &err), MAMORI_EINVAL);
	struct entries c;
	entries(st, "user.totp", &c);
	assert_int_equal(c.n, 0);
	entries_release(&c);
	/* Confirmed with a code typed with a space, in full width. */
	char typed[64];
	static const char *const fw[] = { "０", "１", "２", "３", "４", "５", "６", "７", "８", "９" };
	snprintf(typed, sizeof(typed), "%s%s%s %s%s%s", fw[code2[0] - '0'], fw[code2[1] - '0'],
		 fw[code2[2] - '0'], fw[code2[3] - '0'], fw[code2[4] - '0'], fw[code2[5] - '0']);
	ASSERT_RC(0, user_totp_confirm(st, ACTOR, id, typed, &err), err);
	u = get_user(st, "dr.yamada@example.jp");
	assert_int_equal(u.totp_enabled, 1);
	user_release(&u);
	/* Nothing pending any more. */
	ASSERT_RC(MAMORI_EINVAL, user_totp_confirm(st, ACTOR, id, code2, &err), err);
	testutil_assert_contains(err.msg, "登録が始まっていません");
	char none[USER_TOTP_SECRET_LEN + 1];
	ASSERT_RC(MAMORI_ENOTFOUND, user_totp_begin(st, 999, FACILITY, none, &uri, &err), err);
	assert_null(uri);
	assert_string_equal(none, "");

	entries(st, "user.totp_enrol", &c);
	assert_int_equal(c.n, 1);
	testutil_assert_json_key(c.e[0].before, "totp_enabled", "false");
	testutil_assert_json_key(c.e[0].after, "totp_enabled", "true");
	entries_release(&c);
	assert_journal_lacks(st, secret);
	assert_journal_lacks(st, secret2);
}

static void test_totp_login(void **state)
{
	struct store *st = ST(state);
	struct mamori_err err = { 0 };
	char secret[USER_TOTP_SECRET_LEN + 1], code[7], spaced[16];
	const char *name = "admin2";
	int64_t id = add_user(st, name, USER_ADMIN, PW_STAFF);
	/* A moment well after the enrolment's own step, on a step boundary + 10 s. */
	time_t t = (time(NULL) / 30 + 1000) * 30 + 10;
	struct user u;

	enrol(st, id, secret);

	/* The password alone asks for a code and counts nothing. */
	assert_int_equal(login(st, name, PW_STAFF, NULL, t, NULL), USER_LOGIN_TOTP_NEEDED);
	assert_int_equal(login(st, name, PW_STAFF, "", t, NULL), USER_LOGIN_TOTP_NEEDED);
	/* A wrong password with or without a code is just bad. */
	totp_code(secret, t, code);
	assert_int_equal(login(st, name, PW_OTHER, code, t, NULL), USER_LOGIN_BAD);
	assert_int_equal(login(st, name, PW_OTHER, NULL, t, NULL), USER_LOGIN_BAD);

	static const struct {
		int at;      /* now = t + at * 30 */
		int code_at; /* the code of step t + code_at * 30 */
		enum user_login_result want;
		const char *why;
	} steps[] = {
		{ 0, -1, USER_LOGIN_OK, "one step old is in the window" },
		{ 0, -1, USER_LOGIN_BAD, "the same code again" },
		{ 0, 0, USER_LOGIN_OK, "the current step" },
		{ 0, 0, USER_LOGIN_BAD, "replay of the current step" },
		{ 0, -1, USER_LOGIN_BAD, "an older step than the last accepted" },
		{ 0, 1, USER_LOGIN_OK, "one step ahead is in the window" },
		{ 1, 1, USER_LOGIN_BAD, "that step again, now current" },
		{ 1, 0, USER_LOGIN_BAD, "older, still in the window" },
		{ 3, 1, USER_LOGIN_BAD, "outside the window (two steps old)" },
		{ 3, 5, USER_LOGIN_BAD, "outside the window (two steps ahead)" },
		{ 3, 3, USER_LOGIN_OK, "the current step" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		time_t now = t + steps[i].at * 30;
		totp_code(secret, t + steps[i].code_at * 30, code);
		enum user_login_result got = login(st, name, PW_STAFF, code, now, NULL);
		if (got != steps[i].want)
			fail_msg("step case %zu (%s): result %d, want %d", i, steps[i].why, (int)got,
				 (int)steps[i].want);
	}
	/* Typed with a space and spaces around. */
	totp_code(secret, t + 4 * 30, code);
	snprintf(spaced, sizeof(spaced), " %.3s %s ", code, code + 3);
	assert_int_equal(login(st, name, PW_STAFF, spaced, t + 4 * 30, NULL), USER_LOGIN_OK);
	static const char *const junk[] = { "abcdef", "12345", "1234567", "12-34-5x" };
	for (size_t i = 0; i < ARRAY_SIZE(junk); i++)
		assert_int_equal(login(st, name, PW_STAFF, junk[i], t + 5 * 30, NULL), USER_LOGIN_BAD);

	/* Wrong codes count towards the lock-out. */
	u = get_user(st, name);
	assert_int_equal(u.failed_logins, 4);
	user_release(&u);
	totp_code(secret, t + 5 * 30, code);
	code[5] = code[5] == '9' ? '0' : (char)(code[5] + 1);
	assert_int_equal(login(st, name, PW_STAFF, code, t + 5 * 30, NULL), USER_LOGIN_BAD);
	totp_code(secret, t + 5 * 30, code);
	assert_int_equal(login(st, name, PW_STAFF, code, t + 5 * 30, NULL), USER_LOGIN_LOCKED);

	struct entries c;
	entries(st, "login.fail", &c);
	int replayed = 0, bad_code = 0;
	for (int i = 0; i < c.n; i++) {
		json_t *j = json_loads(c.e[i].after, 0, NULL);
		const char *why = json_string_value(json_object_get(j, "reason"));
		replayed += why && !strcmp(why, "replayed_code");
		bad_code += why && !strcmp(why, "bad_code");
		json_decref(j);
	}
	assert_int_equal(replayed, 5); /* older steps count as replays */
	assert_true(bad_code >= 6);
	entries_release(&c);

	/* Reset: the next sign-in needs no code, and a new enrolment works. */
	ASSERT_RC(0, user_totp_reset(st, ACTOR, id, &err), err);
	u = get_user(st, name);
	assert_int_equal(u.totp_enabled, 0);
	assert_int_equal(u.totp_required, 1);
	ASSERT_RC(0, user_set_disabled(st, ACTOR, id, 0, &err), err); /* lift the lock */
	user_release(&u);
	assert_int_equal(login(st, name, PW_STAFF, NULL, t + 10 * 30, NULL), USER_LOGIN_OK);
	int64_t seq = testutil_journal_seq(st);
	ASSERT_RC(0, user_totp_reset(st, ACTOR, id, &err), err); /* nothing left to reset */
	assert_int_equal(testutil_journal_seq(st), seq);
	char secret2[USER_TOTP_SECRET_LEN + 1];
	enrol(st, id, secret2);
	assert_int_equal(login(st, name, PW_STAFF, NULL, t + 11 * 30, NULL), USER_LOGIN_TOTP_NEEDED);
	totp_code(secret2, t + 11 * 30, code);
	assert_int_equal(login(st, name, PW_STAFF, code, t + 11 * 30, NULL), USER_LOGIN_OK);

	entries(st, "user.totp_reset", &c);
	assert_int_equal(c.n, 1);
	testutil_assert_json_key(c.e[0].after, "totp_enabled", "false");
	entries_release(&c);
	entries(st, "login.ok", &c);
	testutil_assert_json_key(c.e[c.n - 1].after, "totp", "true");
	entries_release(&c);
	assert_journal_lacks(st, secret);
	assert_journal_lacks(st, secret2);
	assert_journal_lacks(st, code);
}

/* ---- sessions ----------------------------------------------------------------------------- */

static int session_ok(struct store *st, const char *token, time_t now, const char *csrf)
{
	struct mamori_err err = { 0 };
	struct user_session s;
	struct user u;
	int r = user_session_check(st, token, now, &s, &u, &err);

	if (r == 0) {
		assert_string_equal(u.name, "sess");
		if (csrf)
			assert_true(user_token_equal(s.csrf, csrf));
		assert_string_equal(s.token, "");
	} else {
		assert_int_equal(r, MAMORI_ENOTFOUND);
		assert_null(u.name);
		testutil_assert_contains(err.msg, "サインイン");
	}
	user_session_release(&s);
	user_release(&u);
	return r == 0;
}

static void test_sessions(void **state)
{
	struct testutil_fixture *fx = *state;
	struct store *st = fx->st;
	struct mamori_err err = { 0 };
	struct user_session a, b, c, d;
	int64_t id = add_user(st, "sess", USER_STAFF, PW_STAFF);
	time_t t = T0;

	ASSERT_RC(0, user_session_create(st, id, "192.0.2.7", t, &a, &err), err);
	assert_int_equal(strlen(a.token), USER_TOKEN_LEN);
	assert_int_equal(strlen(a.csrf), USER_TOKEN_LEN);
	assert_int_equal(strspn(a.token, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
			 USER_TOKEN_LEN);
	assert_false(user_token_equal(a.token, a.csrf));
	assert_int_equal(a.user_id, id);
	assert_string_equal(a.created_at, "2030-03-17T17:46:40Z");
	assert_string_equal(a.last_seen, a.created_at);

	/* Idle timeout: each check moves it on. */
	assert_true(session_ok(st, a.token, t + 10, a.csrf));
	assert_true(session_ok(st, a.token, t + USER_SESSION_IDLE - 1, a.csrf));
	assert_true(session_ok(st, a.token, t + 2 * USER_SESSION_IDLE - 2, a.csrf));
	assert_false(session_ok(st, a.token, t + 3 * USER_SESSION_IDLE - 2, NULL));
	assert_false(session_ok(st, a.token, t + 2 * USER_SESSION_IDLE - 1, NULL)); /* deleted */

	/* Absolute timeout: active all day long, still over after 12 hours. */
	ASSERT_RC(0, user_session_create(st, id, NULL, t, &b, &err), err);
	for (time_t now = t; now < t + USER_SESSION_MAX; now += 20 * 60)
		assert_true(session_ok(st, b.token, now, b.csrf));
	assert_true(session_ok(st, b.token, t + USER_SESSION_MAX - 1, b.csrf));
	assert_false(session_ok(st, b.token, t + USER_SESSION_MAX, NULL));

	/* End: gone, journaled as logout. */
	ASSERT_RC(0, user_session_create(st, id, "192.0.2.7", t, &c, &err), err);
	assert_true(session_ok(st, c.token, t + 1, c.csrf));
	ASSERT_RC(0, user_session_end(st, "sess", c.token, &err), err);
	assert_false(session_ok(st, c.token, t + 2, NULL));
	ASSERT_RC(MAMORI_ENOTFOUND, user_session_end(st, "sess", c.token, &err), err);
	struct entries je;
	entries(st, "logout", &je);
	assert_int_equal(je.n, 1);
	assert_string_equal(je.e[0].actor, "sess");
	char *idbuf = xasprintf("%lld", (long long)id);
	assert_string_equal(je.e[0].entity_id, idbuf);
	free(idbuf);
	entries_release(&je);

	/* Anything that is not a live token is no session. */
	char other[USER_TOKEN_LEN + 1];
	memcpy(other, a.token, sizeof(other));
	other[0] = other[0] == 'A' ? 'B' : 'A';
	static const char *const junk[] = { "", "abc", "' OR 1=1 --",
					    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
					    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
					    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+" };
	for (size_t i = 0; i < ARRAY_SIZE(junk); i++)
		assert_false(session_ok(st, junk[i], t, NULL));
	assert_false(session_ok(st, other, t, NULL));
	assert_false(session_ok(st, NULL, t, NULL));

	/* Only hashes are stored: no token in the table or anywhere in the file. */
	ASSERT_RC(0, user_session_create(st, id, NULL, t, &d, &err), err);
	int64_t n = 0;
	ASSERT_RC(0, store_query_int(st, &n, &err,
				     "SELECT COUNT(*) FROM session WHERE token_hash = ? OR csrf = ?",
				     d.token, d.token, NULL), err);
	assert_int_equal(n, 0);
	ASSERT_RC(0, store_query_int(st, &n, &err,
				     "SELECT COUNT(*) FROM session WHERE length(token_hash) = 64", NULL),
		  err);
	assert_true(n >= 1);
	assert_db_lacks(fx->db, d.token);
	assert_db_lacks(fx->db, a.token);
	assert_db_lacks(fx->db, c.token);
	assert_db_lacks(fx->db, PW_STAFF);
	assert_journal_lacks(st, d.token);
	assert_journal_lacks(st, d.csrf);

	/* A disabled user's sessions end and cannot be made. */
	assert_true(session_ok(st, d.token, t + 5, d.csrf));
	ASSERT_RC(0, user_set_disabled(st, ACTOR, id, 1, &err), err);
	assert_false(session_ok(st, d.token, t + 6, NULL));
	struct user_session e;
	ASSERT_RC(MAMORI_EINVAL, user_session_create(st, id, NULL, t, &e, &err), err);
	assert_string_equal(e.token, "");
	ASSERT_RC(0, user_set_disabled(st, ACTOR, id, 0, &err), err);
	assert_false(session_ok(st, d.token, t + 7, NULL));
	ASSERT_RC(MAMORI_ENOTFOUND, user_session_create(st, 999, NULL, t, &e, &err), err);

	/* A session of a user disabled behind the core's back fails too. */
	ASSERT_RC(0, user_session_create(st, id, NULL, t, &e, &err), err);
	testutil_sqlite_exec(fx->db, "UPDATE user SET disabled = 1 WHERE name = 'sess'");
	assert_false(session_ok(st, e.token, t + 1, NULL));

	user_session_release(&a);
	user_session_release(&b);
	user_session_release(&c);
	user_session_release(&d);
	user_session_release(&e);
}

static void test_token_equal(void **state)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{ "abc", "abc", 1 },   { "abc", "abd", 0 }, { "abc", "ab", 0 },   { "ab", "abc", 0 },
		{ "", "", 0 },         { NULL, "abc", 0 },  { "abc", NULL, 0 },   { NULL, NULL, 0 },
		{ "Abc", "abc", 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (user_token_equal(cases[i].a, cases[i].b) != cases[i].want)
			fail_msg("case %zu: want %d", i, cases[i].want);
}

/* ---- changes by administrators ------------------------------------------------------------ */

static void test_update_and_admins(void **state)
{
	struct store *st = ST(state);
	struct mamori_err err = { 0 };
	int64_t vid = add_vendor(st, "NEC");
	int64_t boss = add_user(st, "boss", USER_ADMIN, PW_STAFF);
	int64_t staff = add_user(st, "worker", USER_STAFF, PW_STAFF);
	struct user u;

	/* The last enabled administrator stays. */
	ASSERT_RC(MAMORI_ECONFLICT, user_set_disabled(st, ACTOR, boss, 1, &err), err);
	testutil_assert_contains(err.msg, "最後の管理者");
	ASSERT_RC(MAMORI_ECONFLICT, user_update(st, ACTOR, boss, NULL, USER_STAFF, 0, -1, &err), err);
	/* A role, a vendor, a display name, the TOTP requirement. */
	ASSERT_RC(0, user_update(st, ACTOR, staff, "保守 担当", USER_VENDOR, vid, 1, &err), err);
	u = get_user(st, "worker");
	assert_int_equal(u.role, USER_VENDOR);
	assert_int_equal(u.vendor_id, vid);
	assert_string_equal(u.display_name, "保守 担当");
	assert_int_equal(u.totp_required, 1);
	user_release(&u);
	ASSERT_RC(MAMORI_EINVAL, user_update(st, ACTOR, staff, NULL, USER_STAFF, vid, -1, &err), err);
	ASSERT_RC(MAMORI_EINVAL, user_update(st, ACTOR, staff, NULL, USER_VENDOR, 0, -1, &err), err);
	ASSERT_RC(0, user_update(st, ACTOR, staff, NULL, USER_ADMIN, 0, -1, &err), err);
	u = get_user(st, "worker");
	assert_int_equal(u.role, USER_ADMIN);
	assert_int_equal(u.vendor_id, 0);
	assert_string_equal(u.display_name, "保守 担当"); /* NULL keeps it */
	assert_int_equal(u.totp_required, 1);           /* -1 keeps it */
	user_release(&u);
	/* A no-op leaves no entry. */
	int64_t seq = testutil_journal_seq(st);
	ASSERT_RC(0, user_update(st, ACTOR, staff, NULL, USER_ADMIN, 0, 1, &err), err);
	assert_int_equal(testutil_journal_seq(st), seq);
	/* Two administrators: either may go now. */
	ASSERT_RC(0, user_set_disabled(st, ACTOR, boss, 1, &err), err);
	ASSERT_RC(0, user_set_disabled(st, ACTOR, boss, 1, &err), err); /* again: no-op */
	assert_int_equal(testutil_journal_seq(st), seq + 1);
	ASSERT_RC(MAMORI_ECONFLICT, user_set_disabled(st, ACTOR, staff, 1, &err), err);
	ASSERT_RC(0, user_update(st, ACTOR, staff, "", USER_ADMIN, 0, 0, &err), err);
	u = get_user(st, "worker");
	assert_null(u.display_name);
	assert_int_equal(u.totp_required, 0);
	user_release(&u);
	ASSERT_RC(MAMORI_ENOTFOUND, user_update(st, ACTOR, 999, NULL, USER_STAFF, 0, 0, &err), err);
	ASSERT_RC(MAMORI_ENOTFOUND, user_set_disabled(st, ACTOR, 999, 1, &err), err);

	struct entries c;
	entries(st, "user.", &c);
	assert_int_equal(count_entries(&c, "user.edit"), 3);
	assert_int_equal(count_entries(&c, "user.disable"), 1);
	const struct journal_entry *e = last_entry(&c, "user.disable");
	testutil_assert_json_key(e->before, "disabled", "false");
	testutil_assert_json_key(e->after, "disabled", "true");
	entries_release(&c);
}

/* Every action leaves its entry, no entry holds a secret, the chain holds. */
static void test_journal_complete_and_clean(void **state)
{
	struct testutil_fixture *fx = *state;
	struct store *st = fx->st;
	struct mamori_err err = { 0 };
	char secret[USER_TOTP_SECRET_LEN + 1], code[7], *generated = NULL;
	struct user_session s;
	time_t t = (time(NULL) / 30 + 2000) * 30;
	int64_t id = 0;

	ASSERT_RC(0, user_add(st, ACTOR, "all", "全部", USER_OFFICER, 0, NULL, &generated, &id, &err),
		  err);
	ASSERT_RC(0, user_set_password(st, "all", id, PW_STAFF, 0, &err), err);
	ASSERT_RC(0, user_update(st, ACTOR, id, "全部 試す", USER_OFFICER, 0, 1, &err), err);
	enrol(st, id, secret);
	totp_code(secret, t, code);
	assert_int_equal(login(st, "all", PW_STAFF, code, t, NULL), USER_LOGIN_OK);
	for (int i = 0; i < USER_LOCK_AFTER; i++)
		login(st, "all", PW_OTHER, NULL, t, NULL);
	assert_int_equal(login(st, "all", PW_STAFF, code, t, NULL), USER_LOGIN_LOCKED);
	ASSERT_RC(0, user_set_disabled(st, ACTOR, id, 1, &err), err);
	ASSERT_RC(0, user_set_disabled(st, ACTOR, id, 0, &err), err);
	ASSERT_RC(0, user_session_create(st, id, "10.0.0.1", t, &s, &err), err);
	ASSERT_RC(0, user_session_end(st, "all", s.token, &err), err);
	ASSERT_RC(0, user_totp_reset(st, ACTOR, id, &err), err);

	static const char *const actions[] = { "user.add",	   "user.passwd", "user.edit",
					       "user.totp_enrol",  "login.ok",	  "login.fail",
					       "login.locked",	   "user.disable", "user.enable",
					       "logout",	   "user.totp_reset" };
	struct entries c;
	entries(st, NULL, &c);
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		last_entry(&c, actions[i]);
	entries_release(&c);

	const char *secrets[] = { generated, PW_STAFF, PW_OTHER, secret, code, s.token, s.csrf,
				  "argon2", "password_hash", "totp_secret" };
	for (size_t i = 0; i < ARRAY_SIZE(secrets); i++)
		assert_journal_lacks(st, secrets[i]);

	struct journal_verify_result res;
	ASSERT_RC(0, journal_verify(st, NULL, &res, NULL, NULL, &err), err);
	assert_int_equal(res.first_bad, 0);
	user_session_release(&s);
	free(generated);
}

/* ---- QR codes ------------------------------------------------------------------------------- */

/* The dark modules drawn by svg's path, as a size x size matrix of 0/1. */
static unsigned char *svg_modules(const char *svg, int size)
{
	unsigned char *m = xcalloc((size_t)size * (size_t)size, 1);
	const char *p = strstr(svg, " d=\"");
	int x, y, n, n2, used;

	assert_non_null(p);
	p += 4;
	while (*p == 'M') {
		assert_int_equal(sscanf(p, "M%d %dh%dv1h-%dz%n", &x, &y, &n, &n2, &used), 4);
		assert_int_equal(n, n2);
		assert_true(x >= 0 && y >= 0 && x + n <= size && y < size);
		for (int i = 0; i < n; i++)
			m[y * size + x + i] = 1;
		p += used;
	}
	assert_int_equal(*p, '"');
	return m;
}

static void test_qr_svg(void **state)
{
	const char *text = "otpauth://totp/%E7%97%85%E9%99%A2:tanaka?secret="
			   "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=%E7%97%85%E9%99%A2"
			   "&algorithm=SHA1&digits=6&period=30";
	QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	char *svg4 = qr_svg(text, 4), *svg8 = qr_svg(text, 8);
	int size = qr->width + 8;
	char want[128];

	assert_non_null(svg4);
	assert_non_null(svg8);
	assert_true(!strncmp(svg4, "<svg ", 5));
	testutil_assert_contains(svg4, "xmlns=\"http://www.w3.org/2000/svg\"");
	testutil_assert_contains(svg4, "<path ");
	testutil_assert_contains(svg4, "fill=\"#ffffff\"");
	testutil_assert_contains(svg4, "</svg>");
	snprintf(want, sizeof(want), "viewBox=\"0 0 %d %d\"", size, size);
	testutil_assert_contains(svg4, want);
	testutil_assert_contains(svg8, want);
	snprintf(want, sizeof(want), "width=\"%d\" height=\"%d\"", size * 4, size * 4);
	testutil_assert_contains(svg4, want);
	snprintf(want, sizeof(want), "width=\"%d\" height=\"%d\"", size * 8, size * 8);
	testutil_assert_contains(svg8, want);
	/* Only the size differs. */
	assert_string_equal(strstr(svg4, "viewBox"), strstr(svg8, "viewBox"));

	/* The path draws exactly the symbol, inside a 4-module quiet zone. */
	unsigned char *m = svg_modules(svg4, size);
	for (int y = 0; y < size; y++)
		for (int x = 0; x < size; x++) {
			int in = x >= 4 && y >= 4 && x < size - 4 && y < size - 4;
			int dark = in ? qr->data[(y - 4) * qr->width + (x - 4)] & 1 : 0;
			if (m[y * size + x] != dark)
				fail_msg("module (%d, %d) is %d, want %d", x, y, m[y * size + x], dark);
		}
	free(m);
	QRcode_free(qr);
	free(svg4);
	free(svg8);

	/* Case is kept: an upper-case text is not folded into alphanumeric mode. */
	char *lower = qr_svg("abc", 1), *upper = qr_svg("ABC", 1);
	assert_string_not_equal(lower, upper);
	free(lower);
	free(upper);
	/* Refusals. */
	char *big = xmalloc(5000);
	memset(big, 'x', 4999);
	big[4999] = '\0';
	assert_null(qr_svg(big, 4));
	free(big);
	assert_null(qr_svg(NULL, 4));
	assert_null(qr_svg("", 4));
	assert_null(qr_svg("x", 0));
	assert_null(qr_svg("x", -3));
	assert_null(qr_svg("x", QR_MODULE_PX_MAX + 1));
	char *one = qr_svg("x", QR_MODULE_PX_MAX);
	assert_non_null(one);
	free(one);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, testutil_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_password_policy),
		cmocka_unit_test(test_generated_passwords),
		cmocka_unit_test(test_token_equal),
		cmocka_unit_test(test_qr_svg),
		T(test_add_get_list),
		T(test_add_refused),
		T(test_history),
		T(test_must_change),
		T(test_lockout),
		T(test_login_unknown_and_disabled),
		T(test_login_timing),
		T(test_totp_enrol_uri),
		T(test_totp_login),
		T(test_sessions),
		T(test_update_and_admins),
		T(test_journal_complete_and_clean),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
