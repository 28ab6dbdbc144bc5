/*
 * test_asset_import.c - unit tests of the CSV import of the device ledger
 * (src/core/asset_import.c), fed from memory buffers: the seed's
 * tab-separated device list as UTF-8, UTF-8 with BOM, CP932 (converted here
 * with iconv) and comma-separated CRLF; re-importing the same data (all
 * unchanged, journal head unchanged); all-or-nothing on a bad cell (the
 * problem "FILE:LINE: COLUMN: reason", store and journal unchanged);
 * unknown columns and ignore_unknown; a key twice in one file; the
 * "部局名：内科" preamble; dry runs; updates of only the columns present;
 * created[] for new systems, vendors and locations; a value in a column
 * without a header; the "asset.import" journal entry with the file's SHA-256.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <unistd.h>

#include "asset.h"
#include "asset_import.h"
#include "journal.h"
#include "ledger.h"
#include "store.h"
#include "strbuf.h"
#include "testutil.h"

#define ACTOR "test-officer"
#define NAME "devices.tsv"

/* The seed's device list as copied from Excel: tab-separated, the last
 * header truncated to "初" (the registration date), the outlet empty. */
static const char SEED[] =
	"媒体名\t申請者\tOS\t支払区分\t機器名\tMACアドレス\tIP アドレス\t登録情報コンセント番号\t初\n"
	"fhej0002\t山下 芳範\tWindows 11\t病院負担\tMS surface\t00:d4:9e:3c:3f:d9\t172.30.101.4\t\t2023/4/1\n"
	"fhej2004\t山下 芳範\tWindows 10\t病院負担\tIYAMA NJ50PU\ta0:29:42:23:19:73\t172.30.103.4\t\t2023/4/1\n"
	"fhej2005\t山下 芳範\tWindows 10\t病院負担\tIYAMA NJ50PU\ta0:29:42:23:19:14\t172.30.103.5\t\t2023/4/1\n"
	"fhej2006\t山下 芳範\tWindows 10\t病院負担\tIYAMA NJ50PU\ta0:29:42:23:39:62\t172.30.103.6\t\t2023/4/1\n"
	"fhej2007\t山下 芳範\tWindows 10\t病院負担\tIYAMA NJ50PU\ta0:29:42:23:19:0f\t172.30.103.7\t\t2023/4/1\n"
	"fhej2008\t山下 芳範\tWindows 10\t病院負担\tIYAMA NJ50PU\ta0:29:42:25:99:96\t172.30.103.8\t\t2023/4/1\n"
	"fhej2009\t山下 芳範\tWindows 10\t病院負担\tIYAMA NJ50PU\ta0:29:42:23:39:21\t172.30.103.9\t\t2023/4/1\n"
	"fhej2010\t山下 芳範\tWindows 10\t病院負担\tIYAMA NJ50PU\ta0:29:42:23:08:66\t172.30.103.10\t\t2023/4/1\n";
#define SEED_ROWS 8

/* A store with its facility (committed). */
static int setup(void **state)
{
	struct mamori_err err = { 0 };

	if (testutil_setup_facility(state, "import", ACTOR, "テスト病院", "hospital") < 0)
		return -1;
	if (store_commit(((struct testutil_fixture *)*state)->st, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	return 0;
}

/* ---- helpers ------------------------------------------------------------------ */

static const struct asset_import_opts default_opts = { .encoding = ENC_AUTO, .actor = ACTOR };

static int import(struct store *st, const char *data, size_t len, const struct asset_import_opts *o,
		  struct asset_import_result *res, struct mamori_err *err)
{
	return asset_import_buffer(st, NAME, data, len, o ? o : &default_opts, res, err);
}

/* Imports s and expects success with the given counts. */
static void import_ok(struct store *st, const char *s, size_t added, size_t updated,
		      size_t unchanged)
{
	struct asset_import_result res;
	struct mamori_err err = { 0 };
	int r = import(st, s, strlen(s), NULL, &res, &err);

	if (r != 0) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < res.nproblems; i++)
			strbuf_addf(&sb, "\n  %s", res.problems[i]);
		fail_msg("import = %d (%s)%s", r, err.msg, sb.buf);
	}
	if (res.added != added || res.updated != updated || res.unchanged != unchanged)
		fail_msg("added/updated/unchanged = %zu/%zu/%zu, want %zu/%zu/%zu", res.added,
			 res.updated, res.unchanged, added, updated, unchanged);
	asset_import_result_release(&res);
}

/* s with the first occurrence of from replaced by to (caller frees). */
static char *replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	if (!p)
		fail_msg("\"%s\" not in test data", from);
	return xasprintf("%.*s%s%s", (int)(p - s), s, to, p + strlen(from));
}

struct snapshot {
	int64_t devices;
	int64_t seq;
	char hash[JOURNAL_HASH_HEX];
	int64_t refs;
};

static void snap(struct store *st, struct snapshot *s)
{
	struct mamori_err err = { 0 };

	ASSERT_RC(0, asset_count(st, NULL, &s->devices, &err), err);
	ASSERT_RC(0, journal_head(st, &s->seq, s->hash, &err), err);
	ASSERT_RC(0, store_query_int(st, &s->refs, &err,
				     "SELECT (SELECT COUNT(*) FROM location) + (SELECT COUNT(*) FROM "
				     "system) + (SELECT COUNT(*) FROM vendor)",
				     NULL),
		  err);
}

static void assert_unchanged(const struct snapshot *a, const struct snapshot *b)
{
	if (a->devices != b->devices || a->seq != b->seq || strcmp(a->hash, b->hash) ||
	    a->refs != b->refs)
		fail_msg("store changed: devices %lld→%lld, journal #%lld→#%lld, refs %lld→%lld",
			 (long long)a->devices, (long long)b->devices, (long long)a->seq,
			 (long long)b->seq, (long long)a->refs, (long long)b->refs);
}

static void assert_field(struct store *st, const char *key, int f, const char *want)
{
	struct mamori_err err = { 0 };
	struct asset a;

	ASSERT_RC(0, asset_lookup(st, key, &a, &err), err);
	const char *got = a.v[f];
	if ((got == NULL) != (want == NULL) || (got && strcmp(got, want)))
		fail_msg("%s: %s = %s, want %s", key, asset_fields[f].name, got ? got : "(null)",
			 want ? want : "(null)");
	asset_release(&a);
}

/* Fails unless some problem starts with prefix (and contains part, if given). */
static void assert_problem(const struct asset_import_result *res, const char *prefix,
			   const char *part)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < res->nproblems; i++) {
		if (!strncmp(res->problems[i], prefix, strlen(prefix)) &&
		    (!part || strstr(res->problems[i], part))) {
			strbuf_release(&sb);
			return;
		}
		strbuf_addf(&sb, "\n  %s", res->problems[i]);
	}
	fail_msg("no problem \"%s…%s\" among:%s", prefix, part ? part : "", sb.buf);
}

/* ---- tests ---------------------------------------------------------------------- */

static void check_seed_devices(struct store *st)
{
	assert_field(st, "fhej0002", ASSET_OWNER, "山下 芳範");
	assert_field(st, "fhej0002", ASSET_OS, "Windows 11");
	assert_field(st, "fhej0002", ASSET_PAYMENT, "病院負担");
	assert_field(st, "fhej0002", ASSET_MODEL, "MS surface");
	assert_field(st, "fhej0002", ASSET_MAC, "00:d4:9e:3c:3f:d9");
	assert_field(st, "fhej0002", ASSET_IP, "172.30.101.4");
	assert_field(st, "fhej0002", ASSET_OUTLET, NULL);
	assert_field(st, "fhej0002", ASSET_REGISTERED_ON, "2023-04-01");
	assert_field(st, "fhej0002", ASSET_KIND, "pc");
	assert_field(st, "fhej0002", ASSET_STATUS, "in_use");
	assert_field(st, "fhej0002", ASSET_DEPARTMENT, NULL);
	assert_field(st, "a0:29:42:23:08:66", ASSET_TAG, "fhej2010");
	assert_field(st, "172.30.103.10", ASSET_OS, "Windows 10");
}

static void test_utf8(void **state)
{
	struct testutil_fixture *fx = *state;
	struct asset_import_result res;
	struct mamori_err err = { 0 };

	ASSERT_RC(0, import(fx->st, SEED, strlen(SEED), NULL, &res, &err), err);
	assert_int_equal(res.encoding, ENC_UTF8);
	assert_int_equal(res.header_line, 1);
	assert_int_equal(res.added, SEED_ROWS);
	assert_int_equal(res.updated, 0);
	assert_int_equal(res.unchanged, 0);
	assert_int_equal(res.nproblems, 0);
	assert_int_equal(res.ncreated, 0);
	assert_int_equal(res.nchanges, SEED_ROWS);
	for (size_t i = 0; i < res.nchanges; i++) {
		assert_int_equal(res.changes[i].line, i + 2);
		assert_int_equal(res.changes[i].action, ASSET_IMPORT_ADD);
		assert_true(res.changes[i].after.id > 0);
	}
	assert_string_equal(res.changes[0].after.v[ASSET_TAG], "fhej0002");
	asset_import_result_release(&res);
	check_seed_devices(fx->st);

	/* Journal: facility, one entry per device, one for the file; intact. */
	struct journal_verify_result vr;
	ASSERT_RC(0, journal_verify(fx->st, NULL, &vr, NULL, NULL, &err), err);
	assert_int_equal(vr.entries, 1 + SEED_ROWS + 1);
}

static int last_fn(const struct journal_entry *e, void *ctx)
{
	json_t **out = ctx;
	json_decref(*out);
	*out = journal_entry_json(e);
	return 0;
}

/* The file's own entry names it, its SHA-256 and the counts. */
static void test_import_entry(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char sha[65];
	json_t *e = NULL;

	import_ok(fx->st, SEED, SEED_ROWS, 0, 0);
	assert_int_equal(EVP_Digest(SEED, strlen(SEED), md, &mdlen, EVP_sha256(), NULL), 1);
	for (unsigned i = 0; i < 32; i++)
		snprintf(sha + 2 * i, 3, "%02x", md[i]);

	struct journal_filter f = { .limit = 1 };
	ASSERT_RC(0, journal_list(fx->st, &f, last_fn, &e, &err), err);
	assert_string_equal(json_string_value(json_object_get(e, "action")), "asset.import");
	assert_string_equal(json_string_value(json_object_get(e, "actor")), ACTOR);
	json_t *after = json_object_get(e, "after");
	assert_string_equal(json_string_value(json_object_get(after, "file")), NAME);
	assert_string_equal(json_string_value(json_object_get(after, "sha256")), sha);
	assert_string_equal(json_string_value(json_object_get(after, "encoding")), "UTF-8");
	assert_int_equal(json_integer_value(json_object_get(after, "added")), SEED_ROWS);
	assert_int_equal(json_integer_value(json_object_get(after, "updated")), 0);
	json_decref(e);

	/* Each device entry names its actor. */
	struct journal_filter fd = { .action = "asset.add" };
	e = NULL;
	ASSERT_RC(0, journal_list(fx->st, &fd, last_fn, &e, &err), err);
	assert_string_equal(json_string_value(json_object_get(e, "actor")), ACTOR);
	assert_string_equal(json_string_value(json_object_get(e, "entity_type")), "device");
	json_decref(e);
}

static void test_bom(void **state)
{
	struct testutil_fixture *fx = *state;
	struct asset_import_result res;
	struct mamori_err err = { 0 };
	char *data = xasprintf("\xEF\xBB\xBF%s", SEED);

	ASSERT_RC(0, import(fx->st, data, strlen(data), NULL, &res, &err), err);
	assert_int_equal(res.encoding, ENC_UTF8);
	assert_int_equal(res.header_line, 1);
	assert_int_equal(res.added, SEED_ROWS);
	assert_int_equal(res.nignored, 0);
	asset_import_result_release(&res);
	check_seed_devices(fx->st);
	free(data);
}

static void test_cp932(void **state)
{
	struct testutil_fixture *fx = *state;
	struct asset_import_result res;
	struct mamori_err err = { 0 };
	size_t len;
	char *data = testutil_to_cp932(SEED, &len);

	/* It really is different bytes from the UTF-8 text. */
	assert_true(len < strlen(SEED));

	/* Forced UTF-8: refused with a problem, nothing written. */
	struct snapshot before, after;
	snap(fx->st, &before);
	struct asset_import_opts o = default_opts;
	o.encoding = ENC_UTF8;
	ASSERT_RC(MAMORI_EINVAL, import(fx->st, data, len, &o, &res, &err), err);
	assert_true(res.nproblems >= 1);
	assert_problem(&res, NAME ":1: 文字コード: ", NULL);
	asset_import_result_release(&res);
	snap(fx->st, &after);
	assert_unchanged(&before, &after);

	/* Detected, and forced. */
	static const enum enc_kind encs[] = { ENC_AUTO, ENC_CP932 };
	for (size_t i = 0; i < ARRAY_SIZE(encs); i++) {
		o.encoding = encs[i];
		ASSERT_RC(0, import(fx->st, data, len, &o, &res, &err), err);
		assert_int_equal(res.encoding, ENC_CP932);
		assert_int_equal(res.added + res.unchanged, SEED_ROWS);
		asset_import_result_release(&res);
		check_seed_devices(fx->st);
	}
	free(data);

	/* The same data in UTF-8 changes nothing: the conversion was exact. */
	import_ok(fx->st, SEED, 0, 0, SEED_ROWS);
}

/* Comma-separated, CRLF, quoted cells, and blank lines between rows. */
static void test_csv_crlf(void **state)
{
	static const char data[] =
		"\"媒体名\",\"申請者\",OS,支払区分,機器名,MACアドレス,IP アドレス,登録情報コンセント番号,初\r\n"
		"fhej0002,\"山下 芳範\",Windows 11,病院負担,\"MS surface\",00:d4:9e:3c:3f:d9,172.30.101.4,,2023/4/1\r\n"
		"\r\n"
		"fhej2010,山下 芳範,Windows 10,病院負担,\"IYAMA, NJ50PU\",A0-29-42-23-08-66,172.30.103.10,\"\",R5.4.1\r\n";
	struct testutil_fixture *fx = *state;

	import_ok(fx->st, data, 2, 0, 0);
	assert_field(fx->st, "fhej0002", ASSET_MODEL, "MS surface");
	assert_field(fx->st, "fhej2010", ASSET_MODEL, "IYAMA, NJ50PU");
	assert_field(fx->st, "fhej2010", ASSET_MAC, "a0:29:42:23:08:66");
	assert_field(fx->st, "fhej2010", ASSET_REGISTERED_ON, "2023-04-01");
	/* The tab-separated seed describes the same two devices the same way,
	 * apart from the model written with a comma. */
	char *seed = replace(SEED, "IYAMA NJ50PU\ta0:29:42:23:08:66", "IYAMA, NJ50PU\ta0:29:42:23:08:66");
	import_ok(fx->st, seed, SEED_ROWS - 2, 0, 2);
	free(seed);
}

static void test_reimport_unchanged(void **state)
{
	struct testutil_fixture *fx = *state;
	struct asset_import_result res;
	struct mamori_err err = { 0 };
	struct snapshot before, after;

	import_ok(fx->st, SEED, SEED_ROWS, 0, 0);
	snap(fx->st, &before);
	ASSERT_RC(0, import(fx->st, SEED, strlen(SEED), NULL, &res, &err), err);
	assert_int_equal(res.added, 0);
	assert_int_equal(res.updated, 0);
	assert_int_equal(res.unchanged, SEED_ROWS);
	assert_int_equal(res.nchanges, SEED_ROWS);
	for (size_t i = 0; i < res.nchanges; i++) {
		assert_int_equal(res.changes[i].action, ASSET_IMPORT_UNCHANGED);
		assert_int_equal(res.changes[i].fields, 0);
		assert_int_equal(asset_diff(&res.changes[i].before, &res.changes[i].after), 0);
	}
	asset_import_result_release(&res);
	snap(fx->st, &after);
	assert_unchanged(&before, &after);

	/* The same devices written differently (MAC notation, full-width,
	 * another date format, a BOM) are still unchanged. */
	char *a = replace(SEED, "00:d4:9e:3c:3f:d9", "00-D4-9E-3C-3F-D9");
	char *b = replace(a, "fhej2004", "ｆｈｅｊ２００４");
	char *c = replace(b, "172.30.103.10\t\t2023/4/1", "172.30.103.10\t\t令和5年4月1日");
	char *d = xasprintf("\xEF\xBB\xBF%s", c);
	import_ok(fx->st, d, 0, 0, SEED_ROWS);
	snap(fx->st, &after);
	assert_unchanged(&before, &after);
	free(a);
	free(b);
	free(c);
	free(d);
}

/* One bad MAC on line 7: nothing at all is written, the problem names it. */
static void test_bad_mac_all_or_nothing(void **state)
{
	struct testutil_fixture *fx = *state;
	struct asset_import_result res;
	struct mamori_err err = { 0 };
	struct snapshot before, after;
	char *bad = replace(SEED, "a0:29:42:25:99:96", "a0:29:42:25:99:9g");

	/* Into an empty store: not even the good rows are added. */
	snap(fx->st, &before);
	ASSERT_RC(MAMORI_EINVAL, import(fx->st, bad, strlen(bad), NULL, &res, &err), err);
	assert_int_equal(res.nproblems, 1);
	assert_problem(&res, NAME ":7: MACアドレス: ", NULL);
	if (!strstr(err.msg, NAME))
		fail_msg("summary does not name the file: %s", err.msg);
	asset_import_result_release(&res);
	snap(fx->st, &after);
	assert_unchanged(&before, &after);
	assert_int_equal(after.devices, 0);

	/* Over existing devices, with a real change on line 2: still nothing. */
	import_ok(fx->st, SEED, SEED_ROWS, 0, 0);
	char *bad2 = replace(bad, "山下 芳範\tWindows 11", "佐藤 花子\tWindows 11");
	snap(fx->st, &before);
	ASSERT_RC(MAMORI_EINVAL, import(fx->st, bad2, strlen(bad2), NULL, &res, &err), err);
	assert_int_equal(res.nproblems, 1);
	assert_problem(&res, NAME ":7: MACアドレス: ", NULL);
	asset_import_result_release(&res);
	snap(fx->st, &after);
	assert_unchanged(&before, &after);
	assert_field(fx->st, "fhej0002", ASSET_OWNER, "山下 芳範");
	free(bad);
	free(bad2);
}

/* Every problem of the file is reported, in line order, not just the first. */
static void test_problems_collected(void **state)
{
	struct testutil_fixture *fx = *state;
	struct asset_import_result res;
	struct mamori_err err = { 0 };
	char *a = replace(SEED, "172.30.103.4", "172.30.103.400");          /* line 3 */
	char *b = replace(a, "172.30.103.6\t\t2023/4/1", "172.30.103.6\t\t2023/2/30"); /* line 5 */
	char *c = replace(b, "a0:29:42:23:39:21", "a0:29:42:23:39");          /* line 8 */

	ASSERT_RC(MAMORI_EINVAL, import(fx->st, c, strlen(c), NULL, &res, &err), err);
	assert_int_equal(res.nproblems, 3);
	assert_int_equal(strncmp(res.problems[0], NAME ":3: IP アドレス: ", strlen(NAME ":3: IP アドレス: ")), 0);
	assert_int_equal(strncmp(res.problems[1], NAME ":5: 初: ", strlen(NAME ":5: 初: ")), 0);
	assert_int_equal(strncmp(res.problems[2], NAME ":8: MACアドレス: ", strlen(NAME ":8: MACアドレス: ")), 0);
	assert_int_equal(res.problems_truncated, 0);
	asset_import_result_release(&res);
	int64_t n = -1;
	ASSERT_RC(0, asset_count(fx->st, NULL, &n, &err), err);
	assert_int_equal(n, 0);
	free(a);
	free(b);
	free(c);
}

static void test_unknown_column(void **state)
{
	struct testutil_fixture *fx = *state;
	struct asset_import_result res;
	struct mamori_err err = { 0 };
	struct snapshot before, after;
	char *a = replace(SEED, "\t初\n", "\t初\t色\n");
	char *data = replace(a, "00:d4:9e:3c:3f:d9\t172.30.101.4\t\t2023/4/1",
			     "00:d4:9e:3c:3f:d9\t172.30.101.4\t\t2023/4/1\t銀");

	snap(fx->st, &before);
	ASSERT_RC(MAMORI_EINVAL, import(fx->st, data, strlen(data), NULL, &res, &err), err);
	assert_int_equal(res.nproblems, 1);
	assert_problem(&res, NAME ":1: 色: ", NULL);
	asset_import_result_release(&res);
	snap(fx->st, &after);
	assert_unchanged(&before, &after);

	/* With ignore_unknown the column is skipped, and said to be. */
	struct asset_import_opts o = default_opts;
	o.ignore_unknown = 1;
	ASSERT_RC(0, import(fx->st, data, strlen(data), &o, &res, &err), err);
	assert_int_equal(res.added, SEED_ROWS);
	assert_int_equal(res.nignored, 1);
	assert_string_equal(res.ignored[0], "色");
	asset_import_result_release(&res);
	check_seed_devices(fx->st);
	free(a);
	free(data);

	/* The header line is named where it is, below a preamble. */
	char *pre = xasprintf("機器一覧 2024年度\n\n%s", SEED);
	char *pre2 = replace(pre, "\t初\n", "\t初\tメモ欄2\n");
	ASSERT_RC(MAMORI_EINVAL, import(fx->st, pre2, strlen(pre2), NULL, &res, &err), err);
	assert_int_equal(res.header_line, 3);
	assert_problem(&res, NAME ":3: メモ欄2: ", NULL);
	asset_import_result_release(&res);
	free(pre);
	free(pre2);

	/* Two columns for the same field. */
	char *twice = replace(SEED, "\t初\n", "\t登録日\n");
	char *twice2 = replace(twice, "媒体名\t", "資産番号\t");
	char *twice3 = replace(twice2, "\t申請者\t", "\t管理番号\t");
	ASSERT_RC(MAMORI_EINVAL, import(fx->st, twice3, strlen(twice3), NULL, &res, &err), err);
	assert_problem(&res, NAME ":1: 管理番号: ", "資産番号");
	asset_import_result_release(&res);
	free(twice);
	free(twice2);
	free(twice3);
}

static void test_duplicate_key_in_file(void **state)
{
	struct testutil_fixture *fx = *state;
	struct asset_import_result res;
	struct mamori_err err = { 0 };
	char *dup = replace(SEED, "fhej2005", "fhej0002"); /* line 4 repeats line 2 */

	ASSERT_RC(MAMORI_EINVAL, import(fx->st, dup, strlen(dup), NULL, &res, &err), err);
	assert_int_equal(res.nproblems, 1);
	assert_problem(&res, NAME ":4: ", "fhej0002");
	assert_problem(&res, NAME ":4: ", "2 行目");
	asset_import_result_release(&res);
	free(dup);

	/* Rows keyed by MAC (no tag): the same MAC twice, in two notations. */
	static const char bymac[] = "MACアドレス,申請者\n"
				    "00:11:22:33:44:55,山田\n"
				    "00-11-22-33-44-56,田中\n"
				    "00-11-22-33-44-55,佐藤\n";
	ASSERT_RC(MAMORI_EINVAL, import(fx->st, bymac, strlen(bymac), NULL, &res, &err), err);
	assert_int_equal(res.nproblems, 1);
	assert_problem(&res, NAME ":4: ", "2 行目");
	asset_import_result_release(&res);

	int64_t n = -1;
	ASSERT_RC(0, asset_count(fx->st, NULL, &n, &err), err);
	assert_int_equal(n, 0);
}

static void test_preamble_department(void **state)
{
	static const char *const preambles[] = { "部局名：内科\n", "部局名:内科\n", "部局名：\t内科\n",
						 "部局名\t内科\n" };
	for (size_t i = 0; i < ARRAY_SIZE(preambles); i++) {
		void *fxs = NULL;
		struct asset_import_result res;
		struct mamori_err err = { 0 };
		char *data = xasprintf("%s%s", preambles[i], SEED);

		assert_int_equal(setup(&fxs), 0);
		struct testutil_fixture *fx = fxs;
		ASSERT_RC(0, import(fx->st, data, strlen(data), NULL, &res, &err), err);
		assert_int_equal(res.header_line, 2);
		assert_int_equal(res.added, SEED_ROWS);
		asset_import_result_release(&res);
		struct asset_query q = { .department = "内科" };
		int64_t n = -1;
		ASSERT_RC(0, asset_count(fx->st, &q, &n, &err), err);
		if (n != SEED_ROWS)
			fail_msg("preamble \"%s\": %lld devices in 内科", preambles[i], (long long)n);
		/* Problems are still reported with the file's real line numbers. */
		char *bad = replace(data, "a0:29:42:25:99:96", "a0:29:42:25:99:9g");
		ASSERT_RC(MAMORI_EINVAL, import(fx->st, bad, strlen(bad), NULL, &res, &err), err);
		assert_problem(&res, NAME ":8: MACアドレス: ", NULL);
		asset_import_result_release(&res);
		free(bad);
		free(data);
		testutil_teardown(&fxs);
	}
}

/* A department column wins over the preamble. */
static void test_preamble_and_column(void **state)
{
	static const char data[] = "部局名：内科\n"
				   "媒体名,部署,OS\n"
				   "A-1,外科,Windows 11\n"
				   "A-2,,Windows 11\n";
	struct testutil_fixture *fx = *state;

	import_ok(fx->st, data, 2, 0, 0);
	assert_field(fx->st, "A-1", ASSET_DEPARTMENT, "外科");
}

static void test_dry_run(void **state)
{
	struct testutil_fixture *fx = *state;
	struct asset_import_result res;
	struct mamori_err err = { 0 };
	struct snapshot before, after;
	struct asset_import_opts dry = default_opts;

	dry.dry_run = 1;
	snap(fx->st, &before);
	ASSERT_RC(0, import(fx->st, SEED, strlen(SEED), &dry, &res, &err), err);
	assert_int_equal(res.added, SEED_ROWS);
	assert_int_equal(res.nchanges, SEED_ROWS);
	asset_import_result_release(&res);
	snap(fx->st, &after);
	assert_unchanged(&before, &after);
	assert_int_equal(after.devices, 0);

	/* The real run reports the same. */
	import_ok(fx->st, SEED, SEED_ROWS, 0, 0);

	/* A change, dry: reported, not made. */
	char *changed = replace(SEED, "MS surface", "Surface Pro 9");
	snap(fx->st, &before);
	ASSERT_RC(0, import(fx->st, changed, strlen(changed), &dry, &res, &err), err);
	assert_int_equal(res.added, 0);
	assert_int_equal(res.updated, 1);
	assert_int_equal(res.unchanged, SEED_ROWS - 1);
	assert_true(res.changes[0].fields == UINT64_C(1) << ASSET_MODEL);
	asset_import_result_release(&res);
	snap(fx->st, &after);
	assert_unchanged(&before, &after);
	assert_field(fx->st, "fhej0002", ASSET_MODEL, "MS surface");

	import_ok(fx->st, changed, 0, 1, SEED_ROWS - 1);
	assert_field(fx->st, "fhej0002", ASSET_MODEL, "Surface Pro 9");

	/* A dry run of a bad file fails the same way as a real one. */
	char *bad = replace(SEED, "a0:29:42:25:99:96", "a0:29:42:25:99:9g");
	ASSERT_RC(MAMORI_EINVAL, import(fx->st, bad, strlen(bad), &dry, &res, &err), err);
	assert_problem(&res, NAME ":7: MACアドレス: ", NULL);
	asset_import_result_release(&res);
	free(bad);
	free(changed);
}

/* A file with only some columns updates those and keeps the others. */
static void test_partial_columns(void **state)
{
	static const char partial[] = "媒体名,申請者,備考\n"
				      "fhej0002,佐藤 花子,4月に異動\n"
				      "fhej2004,山下 芳範,\n";
	struct testutil_fixture *fx = *state;
	struct asset_import_result res;
	struct mamori_err err = { 0 };

	import_ok(fx->st, SEED, SEED_ROWS, 0, 0);
	ASSERT_RC(0, import(fx->st, partial, strlen(partial), NULL, &res, &err), err);
	assert_int_equal(res.added, 0);
	assert_int_equal(res.updated, 1);
	assert_int_equal(res.unchanged, 1);
	assert_int_equal(res.nchanges, 2);
	assert_int_equal(res.changes[0].line, 2);
	assert_int_equal(res.changes[0].action, ASSET_IMPORT_UPDATE);
	assert_true(res.changes[0].fields == (UINT64_C(1) << ASSET_OWNER | UINT64_C(1) << ASSET_NOTES));
	assert_string_equal(res.changes[0].before.v[ASSET_OWNER], "山下 芳範");
	assert_string_equal(res.changes[0].after.v[ASSET_OWNER], "佐藤 花子");
	assert_int_equal(res.changes[1].action, ASSET_IMPORT_UNCHANGED);
	asset_import_result_release(&res);

	assert_field(fx->st, "fhej0002", ASSET_OWNER, "佐藤 花子");
	assert_field(fx->st, "fhej0002", ASSET_NOTES, "4月に異動");
	assert_field(fx->st, "fhej0002", ASSET_OS, "Windows 11");
	assert_field(fx->st, "fhej0002", ASSET_MAC, "00:d4:9e:3c:3f:d9");
	assert_field(fx->st, "fhej0002", ASSET_IP, "172.30.101.4");
	assert_field(fx->st, "fhej0002", ASSET_REGISTERED_ON, "2023-04-01");

	/* An empty cell in a present column clears the field. */
	static const char clear[] = "媒体名,備考\nfhej0002,\n";
	import_ok(fx->st, clear, 0, 1, 0);
	assert_field(fx->st, "fhej0002", ASSET_NOTES, NULL);
	assert_field(fx->st, "fhej0002", ASSET_OWNER, "佐藤 花子");
}

static int has_str(char **list, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

static void test_created_refs(void **state)
{
	static const char data[] =
		"媒体名,システム名,事業者,設置場所,OS\n"
		"MH-SV-001,電子カルテ,北斗メディカル,地下1階 サーバ室,Windows Server 2019\n"
		"MH-SV-002,電子カルテ,北斗メディカル,地下1階 サーバ室,Windows Server 2019\n"
		"MH-SV-003,PACS,さくら医用画像,地下1階 サーバ室,Windows Server 2012 R2\n";
	struct testutil_fixture *fx = *state;
	struct asset_import_result res;
	struct mamori_err err = { 0 };
	struct asset_import_opts dry = default_opts;
	struct snapshot before, after;

	/* A dry run lists what would be made, and makes nothing. */
	dry.dry_run = 1;
	snap(fx->st, &before);
	ASSERT_RC(0, import(fx->st, data, strlen(data), &dry, &res, &err), err);
	assert_int_equal(res.ncreated, 5);
	asset_import_result_release(&res);
	snap(fx->st, &after);
	assert_unchanged(&before, &after);

	ASSERT_RC(0, import(fx->st, data, strlen(data), NULL, &res, &err), err);
	assert_int_equal(res.added, 3);
	static const char *const want[] = {
		"システム「電子カルテ」", "事業者「北斗メディカル」", "設置場所「地下1階 サーバ室」",
		"システム「PACS」",       "事業者「さくら医用画像」",
	};
	assert_int_equal(res.ncreated, ARRAY_SIZE(want));
	for (size_t i = 0; i < ARRAY_SIZE(want); i++)
		if (!has_str(res.created, res.ncreated, want[i]))
			fail_msg("created[] lacks %s", want[i]);
	asset_import_result_release(&res);
	assert_field(fx->st, "MH-SV-003", ASSET_SYSTEM, "PACS");
	assert_field(fx->st, "MH-SV-003", ASSET_VENDOR, "さくら医用画像");
	assert_field(fx->st, "MH-SV-001", ASSET_KIND, "server");

	json_t *list = NULL;
	ASSERT_RC(0, ledger_list(fx->st, LEDGER_SYSTEM, &list, &err), err);
	assert_int_equal(json_array_size(list), 2);
	json_decref(list);

	/* Again: nothing new. */
	ASSERT_RC(0, import(fx->st, data, strlen(data), NULL, &res, &err), err);
	assert_int_equal(res.ncreated, 0);
	assert_int_equal(res.unchanged, 3);
	asset_import_result_release(&res);
}

static void test_value_without_header(void **state)
{
	struct testutil_fixture *fx = *state;
	struct asset_import_result res;
	struct mamori_err err = { 0 };

	/* A tenth cell on line 3 where the header has nine. */
	char *extra = replace(SEED, "172.30.103.4\t\t2023/4/1", "172.30.103.4\t\t2023/4/1\t余分");
	ASSERT_RC(MAMORI_EINVAL, import(fx->st, extra, strlen(extra), NULL, &res, &err), err);
	assert_int_equal(res.nproblems, 1);
	assert_problem(&res, NAME ":3: ", "10 列目");
	asset_import_result_release(&res);
	free(extra);

	/* An empty trailing cell is fine. */
	char *empty = replace(SEED, "172.30.103.4\t\t2023/4/1", "172.30.103.4\t\t2023/4/1\t");
	import_ok(fx->st, empty, SEED_ROWS, 0, 0);
	free(empty);

	/* A value under an empty header cell in the middle. */
	static const char middle[] = "媒体名,,OS\n"
				     "A-1,,Windows 11\n"
				     "A-2,なにか,Windows 11\n";
	ASSERT_RC(MAMORI_EINVAL, import(fx->st, middle, strlen(middle), NULL, &res, &err), err);
	assert_int_equal(res.nproblems, 1);
	assert_problem(&res, NAME ":3: ", "2 列目");
	asset_import_result_release(&res);
}

static void test_row_problems(void **state)
{
	static const struct {
		const char *data;
		const char *prefix, *part;
	} cases[] = {
		{ "媒体名,申請者,OS\n,山田,Windows 11\n", NAME ":2: ", "媒体名" }, /* no key */
		{ "媒体名,状態,廃棄日\nA-1,使用中,2024/1/1\n", NAME ":2: 廃棄日: ", NULL },
		{ "媒体名,状態\nA-1,廃棄済\n", NAME ":2: ", "廃棄方法" },
		{ "媒体名,種別\nA-1,冷蔵庫\n", NAME ":2: 種別: ", "冷蔵庫" },
		{ "媒体名,ウイルス対策の有無\nA-1,たぶん\n", NAME ":2: ウイルス対策の有無: ", NULL },
		{ "媒体名,機密性\nA-1,D\n", NAME ":2: 機密性: ", NULL },
		{ "foo,bar\n1,2\n", NAME ":1: ", "見出し" },
		{ "", NAME ":1: ", "見出し" },
		{ "媒体名,OS\n\"A-1,Windows 11\n", NAME ":2: ", NULL }, /* unterminated quote */
	};
	struct testutil_fixture *fx = *state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct asset_import_result res;
		struct mamori_err err = { 0 };
		int r = import(fx->st, cases[i].data, strlen(cases[i].data), NULL, &res, &err);
		if (r != MAMORI_EINVAL)
			fail_msg("case %zu: r = %d (%s)", i, r, err.msg);
		assert_problem(&res, cases[i].prefix, cases[i].part);
		asset_import_result_release(&res);
	}
	int64_t n = -1;
	struct mamori_err err = { 0 };
	ASSERT_RC(0, asset_count(fx->st, NULL, &n, &err), err);
	assert_int_equal(n, 0);
}

/* Rows without a tag are matched by MAC, in any notation. */
static void test_mac_keyed(void **state)
{
	static const char first[] = "MACアドレス,申請者,OS\n"
				    "00:11:22:33:44:55,山田,Windows 11\n"
				    "00:11:22:33:44:66,田中,Windows 10\n";
	static const char second[] = "MAC アドレス,申請者,OS\n"
				     "00-11-22-33-44-55,山田,Windows 11\n"
				     "0011.2233.4466,佐藤,Windows 10\n";
	struct testutil_fixture *fx = *state;

	import_ok(fx->st, first, 2, 0, 0);
	import_ok(fx->st, second, 0, 1, 1);
	assert_field(fx->st, "00:11:22:33:44:66", ASSET_OWNER, "佐藤");
}

struct prog {
	int calls;
	size_t last_done, last_total;
};

static void on_progress(size_t done, size_t total, void *ctx)
{
	struct prog *p = ctx;
	p->calls++;
	p->last_done = done;
	p->last_total = total;
}

static void test_progress(void **state)
{
	struct testutil_fixture *fx = *state;
	struct asset_import_result res;
	struct mamori_err err = { 0 };
	struct prog p = { 0 };
	struct asset_import_opts o = default_opts;

	o.progress = on_progress;
	o.progress_ctx = &p;
	ASSERT_RC(0, import(fx->st, SEED, strlen(SEED), &o, &res, &err), err);
	asset_import_result_release(&res);
	assert_true(p.calls >= 1);
	assert_int_equal(p.last_done, p.last_total);
	assert_true(p.last_total >= SEED_ROWS);
}

static void test_import_file(void **state)
{
	struct testutil_fixture *fx = *state;
	struct asset_import_result res;
	struct mamori_err err = { 0 };
	char *path = xasprintf("%s/台帳.tsv", fx->dir);
	char *missing = xasprintf("%s/none.csv", fx->dir);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(SEED, f);
	fclose(f);
	ASSERT_RC(0, asset_import_file(fx->st, path, &default_opts, &res, &err), err);
	assert_int_equal(res.added, SEED_ROWS);
	asset_import_result_release(&res);

	/* Problems name the file by its path. */
	char *bad = replace(SEED, "a0:29:42:25:99:96", "a0:29:42:25:99:9g");
	f = fopen(path, "w");
	fputs(bad, f);
	fclose(f);
	ASSERT_RC(MAMORI_EINVAL, asset_import_file(fx->st, path, &default_opts, &res, &err), err);
	char *prefix = xasprintf("%s:7: MACアドレス: ", path);
	assert_problem(&res, prefix, NULL);
	asset_import_result_release(&res);

	ASSERT_RC(MAMORI_ENOTFOUND, asset_import_file(fx->st, missing, &default_opts, &res, &err),
		  err);
	asset_import_result_release(&res);
	free(prefix);
	free(bad);
	free(path);
	free(missing);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, testutil_teardown)
	const struct CMUnitTest tests[] = {
		T(test_utf8),
		T(test_import_entry),
		T(test_bom),
		T(test_cp932),
		T(test_csv_crlf),
		T(test_reimport_unchanged),
		T(test_bad_mac_all_or_nothing),
		T(test_problems_collected),
		T(test_unknown_column),
		T(test_duplicate_key_in_file),
		cmocka_unit_test(test_preamble_department),
		T(test_preamble_and_column),
		T(test_dry_run),
		T(test_partial_columns),
		T(test_created_refs),
		T(test_value_without_header),
		T(test_row_problems),
		T(test_mac_keyed),
		T(test_progress),
		T(test_import_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
