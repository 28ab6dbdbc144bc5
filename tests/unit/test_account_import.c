/*
 * test_account_import.c - the CSV import of the account inventory
 * (src/core/account_import.c), fed from memory: UTF-8, UTF-8 with BOM and
 * CP932 (converted here with iconv) with the Japanese headers hospitals
 * use (ログインID, 利用者, 職種, 管理者権限, 最終利用日, 退職) and a
 * "システム名：" line; a file refused whole with every problem as
 * FILE:LINE: COLUMN: reason and the store and journal unchanged; a second
 * import updating by key instead of duplicating; a login twice in one file;
 * unknown columns; the default system option; a device that is not in the
 * ledger; dry runs; the "account.import" journal entry.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>

#include "account.h"
#include "account_import.h"
#include "asset.h"
#include "journal.h"
#include "ledger.h"
#include "store.h"
#include "testutil.h"

#define ACTOR "test-officer"
#define NAME "accounts.csv"

/* A list as a hospital keeps it: a title line, the system line, the header. */
static const char LIST[] =
	"電子カルテ 利用者一覧 (2026年11月)\r\n"
	"システム名：電子カルテ\r\n"
	"ログインID,利用者,職種,管理者権限,最終利用日,退職\r\n"
	"yamada,山田 太郎,医師,なし,2026/11/20,\r\n"
	"suzuki,鈴木 花子,看護師,×,令和8年5月1日,\r\n"
	"tanaka,田中 一郎,医師,〇,2026-11-01,〇\r\n";

static int setup(void **state)
{
	struct mamori_err err = { 0 };

	if (testutil_setup_facility(state, "account-import", ACTOR, "テスト病院", "hospital") < 0)
		return -1;
	if (store_commit(((struct testutil_fixture *)*state)->st, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static struct store *store_of(void **state)
{
	return ((struct testutil_fixture *)*state)->st;
}

static const struct account_import_opts default_opts = { .encoding = ENC_AUTO, .actor = ACTOR };

static int64_t accounts(struct store *st)
{
	struct mamori_err err = { 0 };
	int64_t n = -1;
	ASSERT_RC(0, store_query_int(st, &n, &err, "SELECT COUNT(*) FROM account", NULL), err);
	return n;
}

static void import_ok(struct store *st, const char *data, size_t len,
		      const struct account_import_opts *o, size_t added, size_t updated,
		      size_t unchanged, struct account_import_result *keep)
{
	struct account_import_result res;
	struct mamori_err err = { 0 };
	int r = account_import_buffer(st, NAME, data, len, o ? o : &default_opts, &res, &err);

	if (r != 0) {
		for (size_t i = 0; i < res.nproblems; i++)
			fprintf(stderr, "%s\n", res.problems[i]);
		fail_msg("import: %d %s", r, err.msg);
	}
	if (res.added != added || res.updated != updated || res.unchanged != unchanged)
		fail_msg("added %zu updated %zu unchanged %zu, want %zu %zu %zu", res.added,
			 res.updated, res.unchanged, added, updated, unchanged);
	if (keep)
		*keep = res;
	else
		account_import_result_release(&res);
}

static void import_bad(struct store *st, const char *data, const struct account_import_opts *o,
		       struct account_import_result *res)
{
	struct mamori_err err = { 0 };
	ASSERT_RC(MAMORI_EINVAL,
		  account_import_buffer(st, NAME, data, strlen(data), o ? o : &default_opts, res, &err),
		  err);
}

static void assert_problem(const struct account_import_result *res, const char *prefix)
{
	for (size_t i = 0; i < res->nproblems; i++)
		if (!strncmp(res->problems[i], prefix, strlen(prefix)))
			return;
	for (size_t i = 0; i < res->nproblems; i++)
		fprintf(stderr, "  %s\n", res->problems[i]);
	fail_msg("no problem starting with %s", prefix);
}

static void assert_account(struct store *st, const char *key, int f, const char *want)
{
	struct mamori_err err = { 0 };
	struct account a;

	ASSERT_RC(0, account_lookup(st, key, &a, &err), err);
	if (want)
		assert_string_equal(a.v[f] ? a.v[f] : "(null)", want);
	else
		assert_null(a.v[f]);
	account_release(&a);
}

/* ---- encodings and headers ----------------------------------------------------- */

static void test_utf8_with_aliases(void **state)
{
	struct store *st = store_of(state);
	struct account_import_result res;

	import_ok(st, LIST, strlen(LIST), NULL, 3, 0, 0, &res);
	assert_int_equal(res.encoding, ENC_UTF8);
	assert_int_equal(res.header_line, 3);
	assert_int_equal(res.ncreated, 1);
	assert_string_equal(res.created[0], "システム「電子カルテ」");
	assert_int_equal(res.changes[0].line, 4);
	account_import_result_release(&res);
	assert_int_equal(accounts(st), 3);
	assert_account(st, "yamada", ACCOUNT_SYSTEM, "電子カルテ");
	assert_account(st, "yamada", ACCOUNT_HOLDER_ROLE, "医師");
	assert_account(st, "yamada", ACCOUNT_ADMIN, "0");
	assert_account(st, "yamada", ACCOUNT_LAST_USED_ON, "2026-11-20");
	assert_account(st, "yamada", ACCOUNT_HOLDER_STATUS, "active");
	assert_account(st, "suzuki", ACCOUNT_LAST_USED_ON, "2026-05-01");
	assert_account(st, "tanaka", ACCOUNT_ADMIN, "1");
	assert_account(st, "tanaka", ACCOUNT_HOLDER_STATUS, "retired");
	assert_account(st, "tanaka", ACCOUNT_KIND, "personal");
}

static void test_bom_and_cp932(void **state)
{
	struct store *st = store_of(state);
	struct account_import_result res;
	char *bom = xasprintf("\xef\xbb\xbf%s", LIST);
	size_t len;
	char *sjis = testutil_to_cp932(LIST, &len);

	import_ok(st, bom, strlen(bom), NULL, 3, 0, 0, NULL);
	/* the same list from Excel in CP932: the same accounts, unchanged */
	import_ok(st, sjis, len, NULL, 0, 0, 3, &res);
	assert_int_equal(res.encoding, ENC_CP932);
	account_import_result_release(&res);
	assert_int_equal(accounts(st), 3);
	free(bom);
	free(sjis);
}

static void test_tab_separated_english(void **state)
{
	struct store *st = store_of(state);
	static const char TSV[] = "system\tlogin\tholder\tkind\tadmin\tlast login\n"
				  "PACS\trad01\tRadiographer\tshared\tyes\t2026-10-01\n";

	import_ok(st, TSV, strlen(TSV), NULL, 1, 0, 0, NULL);
	assert_account(st, "rad01", ACCOUNT_KIND, "shared");
	assert_account(st, "rad01", ACCOUNT_LAST_USED_ON, "2026-10-01");
}

/* ---- all or nothing ------------------------------------------------------------- */

static void test_all_or_nothing(void **state)
{
	struct store *st = store_of(state);
	struct account_import_result res;
	int64_t seq;
	static const char BAD[] = "システム,ログインID,最終利用日,種別,管理者権限\n"
				  "電子カルテ,ok1,2026-01-01,個人,なし\n"
				  "電子カルテ,bad1,2026-02-30,個人,なし\n"
				  "電子カルテ,bad2,2026-01-01,社長用,なし\n"
				  "電子カルテ,bad3,2026-01-01,個人,時々\n"
				  ",nosys,2026-01-01,個人,なし\n"
				  "電子カルテ,,2026-01-01,個人,なし\n"
				  "電子カルテ,ok2,2026-01-01,個人,なし,余分\n";

	seq = testutil_journal_seq(st);
	struct mamori_err e = { 0 };
	ASSERT_RC(MAMORI_EINVAL, account_import_buffer(st, NAME, BAD, strlen(BAD), &default_opts, &res, &e), e);
	testutil_assert_contains(e.msg, "6 件の問題があるため取り込みませんでした");
	assert_problem(&res, "accounts.csv:3: 最終利用日: ");
	assert_problem(&res, "accounts.csv:4: 種別: 「社長用」は使えません");
	assert_problem(&res, "accounts.csv:5: 管理者権限: ");
	assert_problem(&res, "accounts.csv:6: どのシステムのアカウントか分かりません");
	assert_problem(&res, "accounts.csv:7: ログインID: ログインIDがありません");
	assert_problem(&res, "accounts.csv:8: 6 列目に値がありますが、見出しがありません");
	assert_int_equal(res.nproblems, 6);
	account_import_result_release(&res);
	assert_int_equal(accounts(st), 0);
	assert_int_equal(testutil_journal_seq(st), seq);
	/* not even the system the good row named was created */
	int64_t n = -1;
	struct mamori_err err = { 0 };
	ASSERT_RC(0, store_query_int(st, &n, &err, "SELECT COUNT(*) FROM system", NULL), err);
	assert_int_equal(n, 0);
}

static void test_encoding_and_header_problems(void **state)
{
	struct store *st = store_of(state);
	struct account_import_result res;
	struct account_import_opts utf8 = { .encoding = ENC_UTF8, .actor = ACTOR };
	size_t len;
	char *sjis = testutil_to_cp932(LIST, &len);
	struct mamori_err err = { 0 };

	ASSERT_RC(MAMORI_EINVAL, account_import_buffer(st, NAME, sjis, len, &utf8, &res, &err), err);
	assert_problem(&res, "accounts.csv:1: 文字コード: ");
	account_import_result_release(&res);
	free(sjis);

	import_bad(st, "a,b,c\n1,2,3\n", NULL, &res);
	assert_problem(&res, "accounts.csv:1: 見出し行が見つかりません");
	account_import_result_release(&res);

	import_bad(st, "ログインID,利用者,好きな色\nx,y,赤\n", NULL, &res);
	assert_problem(&res, "accounts.csv:1: 好きな色: 不明な列です");
	account_import_result_release(&res);

	/* unknown columns skipped on request; the system from the option */
	struct account_import_opts ign = { .encoding = ENC_AUTO, .actor = ACTOR, .ignore_unknown = 1,
					   .system = "PACS" };
	import_ok(st, "ログインID,利用者,好きな色\nx,y,赤\n", strlen("ログインID,利用者,好きな色\nx,y,赤\n"), &ign, 1, 0, 0, &res);
	assert_int_equal(res.nignored, 1);
	assert_string_equal(res.ignored[0], "好きな色");
	account_import_result_release(&res);
	assert_account(st, "x", ACCOUNT_SYSTEM, "PACS");

	import_bad(st, "ログインID,無効化日時\nx,2026-01-01\n", NULL, &res);
	assert_problem(&res, "accounts.csv:1: 無効化日時: この列は取り込めません");
	account_import_result_release(&res);
}

/* ---- keys ----------------------------------------------------------------------- */

static void test_update_by_key(void **state)
{
	struct store *st = store_of(state);
	struct account_import_result res;
	static const char AGAIN[] = "システム,ログインID,最終利用日,状態\n"
				    "電子カルテ,suzuki,2026-11-15,\n"
				    "電子カルテ,tanaka,,無効\n"
				    "電子カルテ,sato,2026-11-10,\n";

	import_ok(st, LIST, strlen(LIST), NULL, 3, 0, 0, NULL);
	import_ok(st, AGAIN, strlen(AGAIN), NULL, 1, 2, 0, &res);
	/* only the columns in the file change */
	assert_int_equal(res.changes[0].action, ACCOUNT_IMPORT_UPDATE);
	assert_int_equal(res.changes[0].fields, UINT64_C(1) << ACCOUNT_LAST_USED_ON);
	account_import_result_release(&res);
	assert_int_equal(accounts(st), 4);
	assert_account(st, "suzuki", ACCOUNT_LAST_USED_ON, "2026-11-15");
	assert_account(st, "suzuki", ACCOUNT_HOLDER, "鈴木 花子");
	assert_account(st, "tanaka", ACCOUNT_STATUS, "disabled");
	assert_account(st, "tanaka", ACCOUNT_LAST_USED_ON, NULL); /* a blank cell clears */

	/* the same file again: nothing changes, no journal entry */
	int64_t seq = testutil_journal_seq(st);
	import_ok(st, AGAIN, strlen(AGAIN), NULL, 0, 0, 3, NULL);
	assert_int_equal(testutil_journal_seq(st), seq);
}

static void test_duplicate_in_file(void **state)
{
	struct store *st = store_of(state);
	struct account_import_result res;

	/* 電子カルテシステム is 電子カルテ by its category: the same account twice */
	json_t *rec = json_pack("{s:s, s:s}", "name", "電子カルテシステム", "category", "電子カルテ");
	struct mamori_err err = { 0 };
	ASSERT_RC(0, store_begin(st, &err), err);
	ASSERT_RC(0, ledger_insert(st, ACTOR, LEDGER_SYSTEM, rec, NULL, &err), err);
	ASSERT_RC(0, store_commit(st, &err), err);
	json_decref(rec);
	import_bad(st, "システム,ログインID\n電子カルテ,a\n電子カルテシステム,a\nPACS,a\n", NULL, &res);
	assert_problem(&res, "accounts.csv:3: ログインID: 「a」は 2 行目と重複しています");
	assert_int_equal(res.nproblems, 1);
	account_import_result_release(&res);
}

static void test_device_rows(void **state)
{
	struct store *st = store_of(state);
	struct account_import_result res;
	struct mamori_err err = { 0 };
	struct asset d;

	import_bad(st, "サーバ名,ログインID\nAD01,adm\n", NULL, &res);
	assert_problem(&res, "accounts.csv:2: サーバ名: 機器「AD01」は見つかりません");
	account_import_result_release(&res);

	testutil_asset_build(&d, TESTUTIL_KVS({ ASSET_TAG, "MH-SV-007" }, { ASSET_HOSTNAME, "AD01" }));
	ASSERT_RC(0, store_begin(st, &err), err);
	ASSERT_RC(0, asset_insert(st, ACTOR, &d, &err), err);
	ASSERT_RC(0, store_commit(st, &err), err);
	asset_release(&d);
	import_ok(st, "サーバ名,ログインID\nMH-SV-007,adm\n", strlen("サーバ名,ログインID\nMH-SV-007,adm\n"), NULL, 1, 0, 0, NULL);
	/* by host name it is the same account */
	import_ok(st, "サーバ名,ログインID,利用者\nAD01,adm,青木\n", strlen("サーバ名,ログインID,利用者\nAD01,adm,青木\n"), NULL, 0, 1, 0, NULL);
	assert_account(st, "AD01/adm", ACCOUNT_HOLDER, "青木");
}

/* ---- dry run and journal ------------------------------------------------------------ */

static void test_dry_run_and_journal(void **state)
{
	struct store *st = store_of(state);
	struct account_import_opts dry = { .encoding = ENC_AUTO, .actor = ACTOR, .dry_run = 1 };
	struct account_import_result res;
	struct journal_verify_result vr;
	struct mamori_err err = { 0 };
	int64_t seq = testutil_journal_seq(st);
	char *json;

	import_ok(st, LIST, strlen(LIST), &dry, 3, 0, 0, &res);
	json_t *j = account_import_result_json(&res, 1, 1);
	json = json_dumps(j, JSON_COMPACT);
	testutil_assert_contains(json, "\"dry_run\":true");
	testutil_assert_contains(json, "\"key\":\"電子カルテ/yamada\"");
	free(json);
	json_decref(j);
	account_import_result_release(&res);
	assert_int_equal(accounts(st), 0);
	assert_int_equal(testutil_journal_seq(st), seq);

	import_ok(st, LIST, strlen(LIST), NULL, 3, 0, 0, NULL);
	int64_t n = 0;
	ASSERT_RC(0, store_query_int(st, &n, &err,
				     "SELECT COUNT(*) FROM journal WHERE action = 'account.import' AND "
				     "after LIKE '%\"sha256\":\"%' AND after LIKE '%\"added\":3%'",
				     NULL),
		  err);
	assert_int_equal(n, 1);
	ASSERT_RC(0, store_query_int(st, &n, &err,
				     "SELECT COUNT(*) FROM journal WHERE action = 'account.add'", NULL),
		  err);
	assert_int_equal(n, 3);
	ASSERT_RC(0, journal_verify(st, NULL, &vr, NULL, NULL, &err), err);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, testutil_teardown)
	const struct CMUnitTest tests[] = {
		T(test_utf8_with_aliases),
		T(test_bom_and_cp932),
		T(test_tab_separated_english),
		T(test_all_or_nothing),
		T(test_encoding_and_header_problems),
		T(test_update_by_key),
		T(test_duplicate_in_file),
		T(test_device_rows),
		T(test_dry_run_and_journal),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
