/*
 * test_account.c - the account inventory (src/core/account.c): field
 * lookup by header aliases, normalisation of each kind of value (kinds,
 * statuses, holder status from 〇/×, dates, moments), validation, the unique
 * key, references to systems (by name or category) and devices (by tag or
 * host name), lookups, the journal entries of add / edit / disable / enable
 * / rotate with disabled_at and credential_rotated_on, the flags, the
 * unused-days setting, the list filters and the CSV export.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>

#include "account.h"
#include "asset.h"
#include "journal.h"
#include "ledger.h"
#include "store.h"
#include "strbuf.h"
#include "testutil.h"

#define ACTOR "test:account"

static int setup(void **state)
{
	struct testutil_fixture *fx;
	struct mamori_err err = { 0 };
	json_t *rec;
	int r;

	if (testutil_setup_facility(state, "account", ACTOR, "テスト病院", "hospital") < 0)
		return -1;
	fx = *state;
	rec = json_pack("{s:s, s:s}", "name", "電子カルテシステム", "category", "電子カルテ");
	r = ledger_insert(fx->st, ACTOR, LEDGER_SYSTEM, rec, NULL, &err);
	json_decref(rec);
	if (r < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static struct store *store_of(void **state)
{
	return ((struct testutil_fixture *)*state)->st;
}

static void set(struct account *a, int f, const char *v)
{
	struct mamori_err err = { 0 };
	ASSERT_RC(0, account_set(a, f, v, &err), err);
}

static int64_t add(struct store *st, const char *system, const char *device, const char *login)
{
	struct mamori_err err = { 0 };
	struct account a;
	int64_t id;

	account_init(&a);
	if (system)
		set(&a, ACCOUNT_SYSTEM, system);
	if (device)
		set(&a, ACCOUNT_DEVICE, device);
	set(&a, ACCOUNT_LOGIN, login);
	ASSERT_RC(0, account_insert(st, ACTOR, &a, &err), err);
	id = a.id;
	account_release(&a);
	return id;
}

/* The newest journal entry's action and after-JSON (caller frees both). */
static void last_entry(struct store *st, char **action, char **after)
{
	struct mamori_err err = { 0 };
	struct store_stmt *s = NULL;

	ASSERT_RC(0, store_prepare(st, "SELECT action, after FROM journal ORDER BY seq DESC LIMIT 1",
				   &s, &err), err);
	assert_int_equal(store_step(st, s, &err), 1);
	*action = xstrdup(store_column_text(st, s, 0));
	*after = store_column_text(st, s, 1) ? xstrdup(store_column_text(st, s, 1)) : NULL;
	store_finalize(st, s);
}

/* ---- fields and values ------------------------------------------------------ */

static void test_field_find(void **state)
{
	(void)state;
	assert_int_equal(account_field_find("ログインID"), ACCOUNT_LOGIN);
	assert_int_equal(account_field_find("ログイン ID"), ACCOUNT_LOGIN);
	assert_int_equal(account_field_find("ユーザーID"), ACCOUNT_LOGIN);
	assert_int_equal(account_field_find("login"), ACCOUNT_LOGIN);
	assert_int_equal(account_field_find("利用者"), ACCOUNT_HOLDER);
	assert_int_equal(account_field_find("氏名"), ACCOUNT_HOLDER);
	assert_int_equal(account_field_find("職種"), ACCOUNT_HOLDER_ROLE);
	assert_int_equal(account_field_find("管理者権限"), ACCOUNT_ADMIN);
	assert_int_equal(account_field_find("最終利用日"), ACCOUNT_LAST_USED_ON);
	assert_int_equal(account_field_find("最終ログイン日時"), ACCOUNT_LAST_USED_ON);
	assert_int_equal(account_field_find("退職"), ACCOUNT_HOLDER_STATUS);
	assert_int_equal(account_field_find("ＭＦＡ"), ACCOUNT_TWO_FACTOR);
	assert_int_equal(account_field_find("保管場所"), ACCOUNT_EMERGENCY_PROCEDURE);
	assert_int_equal(account_field_find("システム名"), ACCOUNT_SYSTEM);
	assert_int_equal(account_field_find("ホスト名"), ACCOUNT_DEVICE);
	assert_int_equal(account_field_find("好きな食べ物"), -1);
}

static void test_values(void **state)
{
	struct mamori_err err = { 0 };
	struct account a;
	static const struct {
		int f;
		const char *in, *out;
	} ok[] = {
		{ ACCOUNT_KIND, "共有", "shared" },
		{ ACCOUNT_KIND, "非常時用", "emergency" },
		{ ACCOUNT_KIND, "ベンダー", "maintenance" },
		{ ACCOUNT_KIND, "個人", "personal" },
		{ ACCOUNT_STATUS, "無効", "disabled" },
		{ ACCOUNT_STATUS, "ロック", "disabled" },
		{ ACCOUNT_HOLDER_STATUS, "〇", "retired" },
		{ ACCOUNT_HOLDER_STATUS, "×", "active" },
		{ ACCOUNT_HOLDER_STATUS, "休職中", "leave" },
		{ ACCOUNT_HOLDER_STATUS, "退職済み", "retired" },
		{ ACCOUNT_ADMIN, "あり", "1" },
		{ ACCOUNT_ADMIN, "なし", "0" },
		{ ACCOUNT_LAST_USED_ON, "令和8年4月1日", "2026-04-01" },
		{ ACCOUNT_LAST_USED_ON, "2026/4/1 9:30", "2026-04-01" },
		{ ACCOUNT_ROTATED_ON, "2026-11-21T05:01:45.123Z", "2026-11-21T05:01:45.123Z" },
		{ ACCOUNT_ROTATED_ON, "R8.11.21", "2026-11-21" },
		{ ACCOUNT_LOGIN, "　ｙａｍａｄａ ", "yamada" },
	};
	static const struct {
		int f;
		const char *in, *msg;
	} bad[] = {
		{ ACCOUNT_KIND, "社長用", "個人 / 共用 / 保守用 / 非常時用" },
		{ ACCOUNT_STATUS, "たぶん", "有効" },
		{ ACCOUNT_HOLDER_STATUS, "不明", "退職" },
		{ ACCOUNT_ADMIN, "時々", "" },
		{ ACCOUNT_LAST_USED_ON, "2026-02-30", "" },
		{ ACCOUNT_ROTATED_ON, "2026-11-21T05:01:45+09:00", "" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		account_init(&a);
		ASSERT_RC(0, account_set(&a, ok[i].f, ok[i].in, &err), err);
		assert_string_equal(a.v[ok[i].f], ok[i].out);
		account_release(&a);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		account_init(&a);
		ASSERT_RC(MAMORI_EINVAL, account_set(&a, bad[i].f, bad[i].in, &err), err);
		assert_null(a.v[bad[i].f]);
		testutil_assert_contains(err.msg, bad[i].msg);
		account_release(&a);
	}
	/* blank clears */
	account_init(&a);
	set(&a, ACCOUNT_HOLDER, "山田");
	set(&a, ACCOUNT_HOLDER, "  ");
	assert_null(a.v[ACCOUNT_HOLDER]);
	account_release(&a);
	assert_string_equal(account_kind_label("emergency"), "非常時用");
	assert_string_equal(account_status_label("disabled"), "無効");
}

static void test_validate(void **state)
{
	struct mamori_err err = { 0 };
	struct account a;
	int bad;

	(void)state;
	account_init(&a);
	ASSERT_RC(MAMORI_EINVAL, account_validate(&a, &bad, &err), err);
	assert_int_equal(bad, ACCOUNT_LOGIN);
	set(&a, ACCOUNT_LOGIN, "x");
	ASSERT_RC(MAMORI_EINVAL, account_validate(&a, &bad, &err), err);
	assert_int_equal(bad, ACCOUNT_SYSTEM);
	set(&a, ACCOUNT_SYSTEM, "電子カルテ");
	ASSERT_RC(0, account_validate(&a, &bad, &err), err);
	assert_string_equal(a.v[ACCOUNT_KIND], "personal");
	assert_string_equal(a.v[ACCOUNT_STATUS], "enabled");
	assert_string_equal(a.v[ACCOUNT_HOLDER_STATUS], "active");
	assert_string_equal(a.v[ACCOUNT_ADMIN], "0");
	account_release(&a);
}

static void test_apply_json(void **state)
{
	struct mamori_err err = { 0 };
	struct account a;
	const char *bad;
	json_t *o;

	(void)state;
	account_init(&a);
	o = json_pack("{s:s, s:b, s:s}", "login", "dr01", "admin", 1, "最終利用日", "2026-01-02");
	ASSERT_RC(0, account_apply_json(&a, o, &bad, &err), err);
	assert_string_equal(a.v[ACCOUNT_ADMIN], "1");
	assert_string_equal(a.v[ACCOUNT_LAST_USED_ON], "2026-01-02");
	json_decref(o);
	o = json_pack("{s:s}", "disabled_at", "2026-01-01");
	ASSERT_RC(MAMORI_EINVAL, account_apply_json(&a, o, &bad, &err), err);
	assert_string_equal(bad, "disabled_at");
	json_decref(o);
	o = json_pack("{s:s}", "favourite", "x");
	ASSERT_RC(MAMORI_EINVAL, account_apply_json(&a, o, &bad, &err), err);
	assert_string_equal(bad, "favourite");
	json_decref(o);
	account_release(&a);
}

/* ---- storage ----------------------------------------------------------------- */

static void test_insert_key_and_refs(void **state)
{
	struct store *st = store_of(state);
	struct mamori_err err = { 0 };
	struct account a, b;
	int64_t id, dev;
	char *action, *after;
	struct asset d;

	/* the system by its category, rewritten to its name */
	id = add(st, "電子カルテ", NULL, "yamada");
	ASSERT_RC(0, account_get(st, id, &a, &err), err);
	assert_string_equal(a.v[ACCOUNT_SYSTEM], "電子カルテシステム");
	assert_true(a.system_id > 0);
	assert_string_equal(a.created_at, a.updated_at);
	account_release(&a);
	last_entry(st, &action, &after);
	assert_string_equal(action, "account.add");
	testutil_assert_json_key(after, "login", "yamada");
	testutil_assert_json_key(after, "system", "電子カルテシステム");
	free(action);
	free(after);

	/* the same key again is a conflict naming it */
	account_init(&b);
	set(&b, ACCOUNT_SYSTEM, "電子カルテシステム");
	set(&b, ACCOUNT_LOGIN, "yamada");
	ASSERT_RC(MAMORI_ECONFLICT, account_insert(st, ACTOR, &b, &err), err);
	testutil_assert_contains(err.msg, "既に登録されています");
	account_release(&b);

	/* a device by its asset tag, shown by its host name; the same login there is another account */
	testutil_asset_build(&d, TESTUTIL_KVS({ ASSET_TAG, "MH-SV-007" }, { ASSET_HOSTNAME, "AD01" }));
	ASSERT_RC(0, asset_insert(st, ACTOR, &d, &err), err);
	dev = d.id;
	asset_release(&d);
	id = add(st, NULL, "MH-SV-007", "yamada");
	ASSERT_RC(0, account_get(st, id, &a, &err), err);
	assert_string_equal(a.v[ACCOUNT_DEVICE], "AD01");
	assert_int_equal(a.device_id, dev);
	account_release(&a);

	/* an unknown device is not created */
	account_init(&b);
	set(&b, ACCOUNT_DEVICE, "NOSUCH");
	set(&b, ACCOUNT_LOGIN, "x");
	ASSERT_RC(MAMORI_ENOTFOUND, account_insert(st, ACTOR, &b, &err), err);
	account_release(&b);

	/* an unknown system is created (and journaled) */
	id = add(st, "新しい部門システム", NULL, "u1");
	int64_t n = 0;
	ASSERT_RC(0, store_query_int(st, &n, &err, "SELECT COUNT(*) FROM system WHERE name = ?",
				     "新しい部門システム", NULL), err);
	assert_int_equal(n, 1);
}

static void test_lookup(void **state)
{
	struct store *st = store_of(state);
	struct mamori_err err = { 0 };
	struct account a;
	struct asset d;
	int64_t id1, id2;

	testutil_asset_build(&d, TESTUTIL_KVS({ ASSET_TAG, "SV-1" }, { ASSET_HOSTNAME, "AD01" }));
	ASSERT_RC(0, asset_insert(st, ACTOR, &d, &err), err);
	asset_release(&d);
	id1 = add(st, "電子カルテシステム", NULL, "sato");
	id2 = add(st, NULL, "AD01", "sato");
	add(st, NULL, "AD01", "only-here");

	ASSERT_RC(0, account_lookup(st, "only-here", &a, &err), err);
	account_release(&a);
	ASSERT_RC(MAMORI_ECONFLICT, account_lookup(st, "sato", &a, &err), err);
	testutil_assert_contains(err.msg, "複数あります");
	ASSERT_RC(0, account_lookup(st, "電子カルテシステム/sato", &a, &err), err);
	assert_int_equal(a.id, id1);
	account_release(&a);
	ASSERT_RC(0, account_lookup(st, "電子カルテ/sato", &a, &err), err);
	assert_int_equal(a.id, id1);
	account_release(&a);
	ASSERT_RC(0, account_lookup(st, "AD01/sato", &a, &err), err);
	assert_int_equal(a.id, id2);
	account_release(&a);
	char key[32];
	snprintf(key, sizeof(key), "#%lld", (long long)id2);
	ASSERT_RC(0, account_lookup(st, key, &a, &err), err);
	assert_int_equal(a.id, id2);
	account_release(&a);
	ASSERT_RC(MAMORI_ENOTFOUND, account_lookup(st, "nobody", &a, &err), err);
	ASSERT_RC(MAMORI_EUSAGE, account_lookup(st, "#x", &a, &err), err);
	ASSERT_RC(MAMORI_EUSAGE, account_lookup(st, "", &a, &err), err);
}

static void test_edit_disable_enable_rotate(void **state)
{
	struct store *st = store_of(state);
	struct mamori_err err = { 0 };
	struct account a;
	char *action, *after;
	int64_t id = add(st, "電子カルテシステム", NULL, "emergency");
	int64_t seq;
	char today[11];

	ASSERT_RC(0, account_get(st, id, &a, &err), err);
	set(&a, ACCOUNT_KIND, "非常時用");
	set(&a, ACCOUNT_EMERGENCY_USERS, "当直医師");
	ASSERT_RC(0, account_update(st, ACTOR, &a, &err), err);
	last_entry(st, &action, &after);
	assert_string_equal(action, "account.edit");
	testutil_assert_json_key(after, "kind", "emergency");
	free(action);
	free(after);

	/* nothing changed: no entry */
	seq = testutil_journal_seq(st);
	ASSERT_RC(0, account_update(st, ACTOR, &a, &err), err);
	assert_int_equal(testutil_journal_seq(st), seq);

	ASSERT_RC(0, account_disable(st, ACTOR, &a, "使用後", &err), err);
	account_release(&a);
	ASSERT_RC(0, account_get(st, id, &a, &err), err);
	assert_string_equal(a.v[ACCOUNT_STATUS], "disabled");
	assert_non_null(a.v[ACCOUNT_DISABLED_AT]);
	assert_true(strlen(a.v[ACCOUNT_DISABLED_AT]) > 20 && a.v[ACCOUNT_DISABLED_AT][10] == 'T');
	last_entry(st, &action, &after);
	assert_string_equal(action, "account.disable");
	testutil_assert_json_key(after, "action_note", "使用後");
	testutil_assert_json_key(after, "status", "disabled");
	free(action);
	free(after);
	ASSERT_RC(MAMORI_ECONFLICT, account_disable(st, ACTOR, &a, NULL, &err), err);
	testutil_assert_contains(err.msg, "無効");

	ASSERT_RC(0, account_enable(st, ACTOR, &a, &err), err);
	account_release(&a);
	ASSERT_RC(0, account_get(st, id, &a, &err), err);
	assert_string_equal(a.v[ACCOUNT_STATUS], "enabled");
	assert_null(a.v[ACCOUNT_DISABLED_AT]);
	ASSERT_RC(MAMORI_ECONFLICT, account_enable(st, ACTOR, &a, &err), err);

	/* rotation: the moment, or a date given; never in the future */
	ASSERT_RC(0, account_rotate(st, ACTOR, &a, NULL, NULL, &err), err);
	assert_int_equal(strlen(a.v[ACCOUNT_ROTATED_ON]), 24);
	assert_int_equal(a.v[ACCOUNT_ROTATED_ON][23], 'Z');
	last_entry(st, &action, &after);
	assert_string_equal(action, "account.rotate");
	free(action);
	free(after);
	ASSERT_RC(0, account_rotate(st, ACTOR, &a, "令和7年4月1日", "前任者が変更", &err), err);
	assert_string_equal(a.v[ACCOUNT_ROTATED_ON], "2025-04-01");
	ASSERT_RC(MAMORI_EINVAL, account_rotate(st, ACTOR, &a, "2199-01-01", NULL, &err), err);
	testutil_assert_contains(err.msg, "未来");
	mamori_today(today);
	ASSERT_RC(0, account_rotate(st, ACTOR, &a, today, NULL, &err), err);
	account_release(&a);

	/* status set by an edit also keeps disabled_at */
	ASSERT_RC(0, account_get(st, id, &a, &err), err);
	set(&a, ACCOUNT_STATUS, "無効");
	ASSERT_RC(0, account_update(st, ACTOR, &a, &err), err);
	account_release(&a);
	ASSERT_RC(0, account_get(st, id, &a, &err), err);
	assert_non_null(a.v[ACCOUNT_DISABLED_AT]);
	account_release(&a);
}

/* ---- flags, settings, lists ---------------------------------------------------------- */

static void test_flags(void **state)
{
	struct account a;
	int idle;
	unsigned f;

	(void)state;
	account_init(&a);
	set(&a, ACCOUNT_LOGIN, "x");
	set(&a, ACCOUNT_SYSTEM, "s");
	set(&a, ACCOUNT_LAST_USED_ON, "2026-08-22");
	set(&a, ACCOUNT_HOLDER_STATUS, "退職");
	f = account_flags(&a, "2026-11-21", 90, &idle);
	assert_int_equal(idle, 91);
	assert_true(f & ACCOUNT_FLAG_UNUSED);
	assert_true(f & ACCOUNT_FLAG_RETIRED);
	assert_true(f & ACCOUNT_FLAG_NO_TWO_FACTOR);
	assert_false(f & ACCOUNT_FLAG_SHARED_ADMIN);
	f = account_flags(&a, "2026-11-21", 91, &idle);
	assert_false(f & ACCOUNT_FLAG_UNUSED);

	set(&a, ACCOUNT_KIND, "共用");
	set(&a, ACCOUNT_ADMIN, "1");
	f = account_flags(&a, "2026-11-21", 90, NULL);
	assert_true(f & ACCOUNT_FLAG_SHARED_ADMIN);
	assert_true(f & ACCOUNT_FLAG_ADMIN_NO_HOLDER);
	assert_false(f & ACCOUNT_FLAG_NO_TWO_FACTOR);

	/* emergency accounts are never "unused"; disabled accounts have no findings */
	set(&a, ACCOUNT_KIND, "非常時用");
	f = account_flags(&a, "2026-11-21", 90, NULL);
	assert_true(f & ACCOUNT_FLAG_EMERGENCY);
	assert_false(f & (ACCOUNT_FLAG_UNUSED | ACCOUNT_FLAG_ADMIN_NO_HOLDER));
	set(&a, ACCOUNT_KIND, "共用");
	set(&a, ACCOUNT_STATUS, "無効");
	assert_int_equal(account_flags(&a, "2026-11-21", 90, NULL), 0);

	/* no date at all: idle unknown */
	set(&a, ACCOUNT_LAST_USED_ON, "");
	account_flags(&a, "2026-11-21", 90, &idle);
	assert_int_equal(idle, -1);
	account_release(&a);

	json_t *j = account_flags_json(ACCOUNT_FLAG_RETIRED | ACCOUNT_FLAG_EMERGENCY);
	assert_int_equal(json_array_size(j), 2);
	assert_string_equal(json_string_value(json_array_get(j, 0)), "retired");
	json_decref(j);

	char out[11];
	assert_int_equal(account_date_add("2028-03-01", -1, out), 0);
	assert_string_equal(out, "2028-02-29");
	assert_int_equal(account_date_add("2026-11-21", -90, out), 0);
	assert_string_equal(out, "2026-08-23");
	assert_int_equal(account_date_add("nope", 1, out), -1);
}

static void test_settings(void **state)
{
	struct store *st = store_of(state);
	struct mamori_err err = { 0 };
	char *action, *after;
	int days;

	ASSERT_RC(0, account_unused_days(st, &days, &err), err);
	assert_int_equal(days, 90);
	ASSERT_RC(0, account_set_unused_days(st, ACTOR, 60, &err), err);
	ASSERT_RC(0, account_unused_days(st, &days, &err), err);
	assert_int_equal(days, 60);
	last_entry(st, &action, &after);
	assert_string_equal(action, "account.settings");
	testutil_assert_json_key(after, "unused_days", "60");
	free(action);
	free(after);
	ASSERT_RC(MAMORI_EINVAL, account_set_unused_days(st, ACTOR, 0, &err), err);
	ASSERT_RC(MAMORI_EINVAL, account_set_unused_days(st, ACTOR, 3651, &err), err);
}

static int count_cb(const struct account *a, void *p)
{
	(void)a;
	(*(int *)p)++;
	return 0;
}

static int list_n(struct store *st, const struct account_query *q)
{
	struct mamori_err err = { 0 };
	int n = 0;
	int64_t c = 0;

	ASSERT_RC(0, account_list(st, q, count_cb, &n, &err), err);
	ASSERT_RC(0, account_count(st, q, &c, &err), err);
	if (q->limit == 0)
		assert_int_equal(c, n);
	return n;
}

static void test_list_and_export(void **state)
{
	struct store *st = store_of(state);
	struct mamori_err err = { 0 };
	struct account a;
	struct strbuf out = STRBUF_INIT;
	int64_t id;

	id = add(st, "電子カルテシステム", NULL, "old");
	ASSERT_RC(0, account_get(st, id, &a, &err), err);
	set(&a, ACCOUNT_LAST_USED_ON, "2026-01-01");
	set(&a, ACCOUNT_HOLDER_STATUS, "退職");
	set(&a, ACCOUNT_HOLDER, "退職 太郎");
	ASSERT_RC(0, account_update(st, ACTOR, &a, &err), err);
	account_release(&a);
	id = add(st, "電子カルテシステム", NULL, "admin");
	ASSERT_RC(0, account_get(st, id, &a, &err), err);
	set(&a, ACCOUNT_ADMIN, "〇");
	set(&a, ACCOUNT_LAST_USED_ON, "2026-11-20");
	ASSERT_RC(0, account_update(st, ACTOR, &a, &err), err);
	account_release(&a);
	add(st, "PACS", NULL, "rad");

	struct account_query all = { 0 }, unused = { .unused = 1, .today = "2026-11-21" },
			     retired = { .retired = 1 }, admin = { .admin = 1 },
			     pacs = { .system = "PACS" }, search = { .search = "退職" },
			     page = { .limit = 2, .offset = 2 }, one = { .id = id };
	assert_int_equal(list_n(st, &all), 3);
	assert_int_equal(list_n(st, &unused), 1);
	assert_int_equal(list_n(st, &retired), 1);
	assert_int_equal(list_n(st, &admin), 1);
	assert_int_equal(list_n(st, &pacs), 1);
	assert_int_equal(list_n(st, &search), 1);
	assert_int_equal(list_n(st, &page), 1);
	assert_int_equal(list_n(st, &one), 1);

	ASSERT_RC(0, account_export_csv(st, &retired, ENC_UTF8, &out, &err), err);
	assert_memory_equal(out.buf, "\xef\xbb\xbf", 3);
	testutil_assert_contains(out.buf, "システム,機器,ログインID,利用者,職種");
	testutil_assert_contains(out.buf, "電子カルテシステム,,old,退職 太郎,,,個人,×,,,2026-01-01,退職,有効");
	strbuf_release(&out);
	ASSERT_RC(0, account_export_csv(st, &all, ENC_CP932, &out, &err), err);
	assert_int_not_equal((unsigned char)out.buf[0], 0xef);
	strbuf_release(&out);

	json_t *v = account_vocabulary_json();
	assert_int_equal(json_array_size(json_object_get(v, "fields")), ACCOUNT_NFIELDS);
	assert_int_equal(json_array_size(json_object_get(v, "kinds")), 4);
	json_decref(v);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, testutil_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_find),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_apply_json),
		cmocka_unit_test(test_flags),
		T(test_insert_key_and_refs),
		T(test_lookup),
		T(test_edit_disable_enable_rotate),
		T(test_settings),
		T(test_list_and_export),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
