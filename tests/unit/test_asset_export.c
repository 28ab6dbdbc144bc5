/*
 * test_asset_export.c - unit tests of the device ledger exports
 * (src/core/asset_export.c): CSV in UTF-8 (BOM, the Japanese header,
 * CRLF, human-readable values, the formula guard) that re-imports without
 * a single change; CSV in CP932 (the same text, converted; a character
 * CP932 lacks refused naming the device and field); JSON (an array of
 * objects keyed by field name with canonical values); xlsx written
 * atomically (zip magic, no temporary file left, failure leaves nothing);
 * asset_export_to_file() and the query filter.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <iconv.h>
#include <jansson.h>
#include <sys/stat.h>
#include <unistd.h>

#include "asset.h"
#include "asset_export.h"
#include "asset_import.h"
#include "csv.h"
#include "fileio.h"
#include "journal.h"
#include "ledger.h"
#include "store.h"
#include "strbuf.h"
#include "testutil.h"

#define ACTOR "test-officer"
#define BOM "\xEF\xBB\xBF"
#define NDEVICES 8 /* the devices setup() adds */

static void add(struct store *st, const struct testutil_kv *kv, size_t n, const char *lifecycle)
{
	struct mamori_err err = { 0 };
	struct asset a;

	testutil_asset_build(&a, kv, n);
	ASSERT_RC(0, asset_insert(st, ACTOR, &a, &err), err);
	if (lifecycle && !strcmp(lifecycle, "retire"))
		ASSERT_RC(0, asset_retire(st, ACTOR, &a, "2025-03-31", "故障", &err), err);
	if (lifecycle && !strcmp(lifecycle, "dispose"))
		ASSERT_RC(0, asset_dispose(st, ACTOR, &a, "HDD 物理破壊", "東和ネットワーク",
					   "2025-05-20", "TWN-2025-0520-03", &err),
			  err);
	asset_release(&a);
}

/* A store with a facility and devices that exercise every kind of value. */
static int setup(void **state)
{
	struct mamori_err err = { 0 };

	if (testutil_setup_facility(state, "export", ACTOR, "テスト病院", "hospital") < 0)
		return -1;
	struct store *st = ((struct testutil_fixture *)*state)->st;
	add(st,
	    TESTUTIL_KVS({ ASSET_TAG, "fhej0002" }, { ASSET_OWNER, "山下 芳範" },
			 { ASSET_OS, "Windows 11" }, { ASSET_PAYMENT, "病院負担" },
			 { ASSET_MODEL, "MS surface" }, { ASSET_MAC, "00:d4:9e:3c:3f:d9" },
			 { ASSET_IP, "172.30.101.4" }, { ASSET_REGISTERED_ON, "2023/4/1" },
			 { ASSET_ANTIVIRUS, "〇" }, { ASSET_PATCHED, "×" },
			 { ASSET_DEPARTMENT, "内科" }, { ASSET_LOCATION, "1階 内科外来" },
			 { ASSET_SYSTEM, "電子カルテシステム" }, { ASSET_VENDOR, "北斗メディカル" },
			 { ASSET_CONFIDENTIALITY, "A3" }, { ASSET_INTEGRITY, "A" },
			 { ASSET_SECURE_AREA, "〇" }, { ASSET_NOTES, "備考, \"引用\" あり" }),
	    NULL);
	add(st,
	    TESTUTIL_KVS({ ASSET_TAG, "MH-NW-001" }, { ASSET_KIND, "UTM" },
			 { ASSET_MODEL, "FortiGate 100F" }, { ASSET_OWNER, "-山田" },
			 { ASSET_NOTES, "=SUM(A1)" }, { ASSET_OS_VERSION, "7.2.8" },
			 { ASSET_REMOTE_MAINTENANCE, "なし" }),
	    NULL);
	add(st,
	    TESTUTIL_KVS({ ASSET_MAC, "00:11:22:33:44:55" }, { ASSET_HOSTNAME, "PC-X" },
			 { ASSET_OS, "Windows 10 Pro" }, { ASSET_OUTLET, "101-01" }),
	    NULL);
	add(st, TESTUTIL_KVS({ ASSET_HOSTNAME, "PC-HOST" }, { ASSET_SERIAL, "0123" }), NULL);
	add(st, TESTUTIL_KVS({ ASSET_TAG, "R-1" }, { ASSET_OS, "Windows 10" }), "retire");
	add(st, TESTUTIL_KVS({ ASSET_TAG, "D-1" }, { ASSET_KIND, "複合機" }), "dispose");
	add(st, TESTUTIL_KVS({ ASSET_MAC, "00:11:22:33:44:77" }, { ASSET_OS, "Windows 8.1" }),
	    "dispose");
	add(st, TESTUTIL_KVS({ ASSET_HOSTNAME, "OLD-HOST" }), "dispose");
	if (store_commit(st, &err) < 0)
		return -1;
	return 0;
}

/* Records in a UTF-8 CSV text (BOM allowed). */
static size_t count_records(const char *data, size_t len)
{
	struct csv_reader rd;
	struct csv_record rec;
	struct mamori_err err = { 0 };
	size_t n = 0;
	int r;

	csv_reader_init(&rd, data, len, ',');
	csv_record_init(&rec);
	while ((r = csv_read(&rd, &rec, &err)) == 1) {
		if (rec.nfields != ASSET_NFIELDS)
			fail_msg("record on line %u has %zu fields", rec.line, rec.nfields);
		n++;
	}
	csv_record_release(&rec);
	ASSERT_RC(0, r, err);
	return n;
}

static void reimport_unchanged(struct store *st, const char *data, size_t len, size_t want)
{
	struct asset_import_opts o = { .encoding = ENC_AUTO, .actor = ACTOR };
	struct asset_import_result res;
	struct mamori_err err = { 0 };
	char before[JOURNAL_HASH_HEX], after[JOURNAL_HASH_HEX];
	int64_t s1, s2, n1, n2;

	ASSERT_RC(0, journal_head(st, &s1, before, &err), err);
	ASSERT_RC(0, asset_count(st, NULL, &n1, &err), err);
	int r = asset_import_buffer(st, "export.csv", data, len, &o, &res, &err);
	if (r != 0 || res.added || res.updated || res.unchanged != want) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < res.nproblems; i++)
			strbuf_addf(&sb, "\n  %s", res.problems[i]);
		for (size_t i = 0; i < res.nchanges; i++)
			if (res.changes[i].action != ASSET_IMPORT_UNCHANGED)
				strbuf_addf(&sb, "\n  line %u: %s (fields %#llx)", res.changes[i].line,
					    res.changes[i].action == ASSET_IMPORT_ADD ? "added"
										       : "updated",
					    (unsigned long long)res.changes[i].fields);
		fail_msg("re-import: r = %d (%s), added %zu, updated %zu, unchanged %zu (want %zu)%s",
			 r, err.msg, res.added, res.updated, res.unchanged, want, sb.buf);
	}
	asset_import_result_release(&res);
	ASSERT_RC(0, journal_head(st, &s2, after, &err), err);
	ASSERT_RC(0, asset_count(st, NULL, &n2, &err), err);
	assert_int_equal(s1, s2);
	assert_string_equal(before, after);
	assert_int_equal(n1, n2);
}

/* ---- tests ---------------------------------------------------------------------- */

static void test_format_parse(void **state)
{
	static const struct {
		const char *s;
		int ok;
		enum asset_export_format f;
	} cases[] = {
		{ "csv", 1, ASSET_EXPORT_CSV },   { "CSV", 1, ASSET_EXPORT_CSV },
		{ "json", 1, ASSET_EXPORT_JSON }, { "Json", 1, ASSET_EXPORT_JSON },
		{ "xlsx", 1, ASSET_EXPORT_XLSX }, { "XLSX", 1, ASSET_EXPORT_XLSX },
		{ "xls", 0, 0 },                  { "", 0, 0 },
		{ "csv ", 0, 0 },                 { "tsv", 0, 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mamori_err err = { 0 };
		enum asset_export_format f = (enum asset_export_format)99;
		int r = asset_export_format_parse(cases[i].s, &f, &err);
		if (cases[i].ok ? r != 0 || f != cases[i].f : r != MAMORI_EUSAGE)
			fail_msg("\"%s\": r = %d, format %d", cases[i].s, r, (int)f);
	}
}

static void test_display_value(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct asset a;

	ASSERT_RC(0, asset_lookup(fx->st, "fhej0002", &a, &err), err);
	assert_string_equal(asset_display_value(&a, ASSET_ANTIVIRUS), "〇");
	assert_string_equal(asset_display_value(&a, ASSET_PATCHED), "×");
	assert_string_equal(asset_display_value(&a, ASSET_KIND), "端末PC");
	assert_string_equal(asset_display_value(&a, ASSET_STATUS), "使用中");
	assert_string_equal(asset_display_value(&a, ASSET_REMOTE_MAINTENANCE), "");
	assert_string_equal(asset_display_value(&a, ASSET_REGISTERED_ON), "2023-04-01");
	assert_string_equal(asset_display_value(&a, ASSET_SYSTEM), "電子カルテシステム");
	assert_string_equal(asset_display_value(&a, ASSET_CONFIDENTIALITY), "A3");
	asset_release(&a);
	ASSERT_RC(0, asset_lookup(fx->st, "D-1", &a, &err), err);
	assert_string_equal(asset_display_value(&a, ASSET_STATUS), "廃棄済");
	assert_string_equal(asset_display_value(&a, ASSET_KIND), "プリンタ等");
	asset_release(&a);
}

static void test_csv_utf8(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct strbuf out = STRBUF_INIT, header = STRBUF_INIT;

	ASSERT_RC(0, asset_export_csv(fx->st, NULL, ENC_UTF8, &out, &err), err);
	assert_true(out.len > 3);
	assert_memory_equal(out.buf, BOM, 3);

	/* The header: every Japanese label, in field order, then CRLF. */
	for (int f = 0; f < ASSET_NFIELDS; f++)
		strbuf_addf(&header, "%s%s", f ? "," : "", asset_fields[f].label);
	strbuf_addstr(&header, "\r\n");
	assert_true(out.len > 3 + header.len);
	if (memcmp(out.buf + 3, header.buf, header.len))
		fail_msg("header is \"%.*s\"", (int)header.len, out.buf + 3);
	assert_int_equal(strncmp(header.buf, "媒体名,ホスト名,種別,", strlen("媒体名,ホスト名,種別,")), 0);

	assert_int_equal(count_records(out.buf, out.len), NDEVICES + 1);
	/* Human-readable values, the quoting and the formula guard. */
	static const char *const contains[] = {
		",端末PC,",           ",〇,",  ",×,",       ",使用中,",          ",廃棄済,",
		",ネットワーク機器,", "\"備考, \"\"引用\"\" あり\"",             "'=SUM(A1)",
		"'-山田",             ",TWN-2025-0520-03\r\n",
	};
	for (size_t i = 0; i < ARRAY_SIZE(contains); i++)
		if (!strstr(out.buf, contains[i]))
			fail_msg("CSV lacks %s", contains[i]);
	assert_null(strstr(out.buf, ",in_use,"));
	assert_null(strstr(out.buf, "\n\n"));
	assert_int_equal(out.buf[out.len - 1], '\n');
	assert_int_equal(out.buf[out.len - 2], '\r');

	/* Appending keeps what was in out. */
	struct strbuf more = STRBUF_INIT;
	strbuf_addstr(&more, "PREFIX");
	ASSERT_RC(0, asset_export_csv(fx->st, NULL, ENC_UTF8, &more, &err), err);
	assert_int_equal(more.len, out.len + 6);
	assert_memory_equal(more.buf + 6, out.buf, out.len);
	strbuf_release(&more);

	/* And the export re-imports without a change. */
	reimport_unchanged(fx->st, out.buf, out.len, (size_t)NDEVICES);
	strbuf_release(&out);
	strbuf_release(&header);
}

static char *cp932_to_utf8(const char *in, size_t len, size_t *outlen)
{
	iconv_t cd = iconv_open("UTF-8", "CP932");
	size_t cap = len * 3 + 16, outleft = cap;
	char *out = xmalloc(cap), *o = out, *p = (char *)in;

	assert_true(cd != (iconv_t)-1);
	if (iconv(cd, &p, &len, &o, &outleft) == (size_t)-1)
		fail_msg("not CP932 at byte %td", p - in);
	iconv_close(cd);
	*outlen = cap - outleft;
	return out;
}

static void test_csv_cp932(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct strbuf utf8 = STRBUF_INIT, sjis = STRBUF_INIT;
	size_t back_len;

	ASSERT_RC(0, asset_export_csv(fx->st, NULL, ENC_UTF8, &utf8, &err), err);
	ASSERT_RC(0, asset_export_csv(fx->st, NULL, ENC_CP932, &sjis, &err), err);
	/* No BOM, and really converted (Japanese text is shorter in CP932). */
	assert_true(sjis.len >= 3);
	assert_memory_not_equal(sjis.buf, BOM, 3);
	assert_true(sjis.len < utf8.len - 3);
	assert_null(strstr(sjis.buf, "媒体名"));

	char *back = cp932_to_utf8(sjis.buf, sjis.len, &back_len);
	assert_int_equal(back_len, utf8.len - 3);
	assert_memory_equal(back, utf8.buf + 3, back_len);
	free(back);

	reimport_unchanged(fx->st, sjis.buf, sjis.len, (size_t)NDEVICES);
	strbuf_release(&utf8);
	strbuf_release(&sjis);
}

/* A character CP932 does not have: refused, naming the device and field
 * (asset_export.h), and nothing appended. */
static void test_csv_cp932_unrepresentable(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct strbuf out = STRBUF_INIT;
	struct asset a;

	ASSERT_RC(0, store_begin(fx->st, &err), err);
	ASSERT_RC(0, asset_lookup(fx->st, "R-1", &a, &err), err);
	ASSERT_RC(0, asset_set(&a, ASSET_NOTES, "救急 🏥 用", &err), err);
	ASSERT_RC(0, asset_update(fx->st, ACTOR, &a, &err), err);
	asset_release(&a);
	ASSERT_RC(0, store_commit(fx->st, &err), err);

	strbuf_addstr(&out, "keep");
	ASSERT_RC(MAMORI_EINVAL, asset_export_csv(fx->st, NULL, ENC_CP932, &out, &err), err);
	assert_string_equal(out.buf, "keep");
	strbuf_release(&out);
	if (!strstr(err.msg, "R-1") || !strstr(err.msg, asset_fields[ASSET_NOTES].label))
		fail_msg("message does not name the device R-1 and the field %s: %s",
			 asset_fields[ASSET_NOTES].label, err.msg);

	/* UTF-8 still works. */
	ASSERT_RC(0, asset_export_csv(fx->st, NULL, ENC_UTF8, &out, &err), err);
	assert_non_null(strstr(out.buf, "🏥"));
	strbuf_release(&out);
}

static void test_json(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct strbuf out = STRBUF_INIT;
	json_error_t je;

	ASSERT_RC(0, asset_export_json(fx->st, NULL, &out, &err), err);
	json_t *arr = json_loads(out.buf, 0, &je);
	if (!arr)
		fail_msg("not JSON: %s (line %d)", je.text, je.line);
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), NDEVICES);

	size_t i;
	json_t *o;
	json_array_foreach(arr, i, o) {
		const char *key;
		json_t *v;
		assert_true(json_is_object(o));
		assert_true(json_integer_value(json_object_get(o, "id")) > 0);
		json_object_foreach(o, key, v) {
			int f = -1;
			for (int k = 0; k < ASSET_NFIELDS; k++)
				if (!strcmp(asset_fields[k].name, key))
					f = k;
			if (f < 0 && strcmp(key, "id"))
				fail_msg("unknown key %s in JSON", key);
			if (f >= 0 && asset_fields[f].type == ASSET_T_BOOL && !json_is_boolean(v))
				fail_msg("%s is not a JSON boolean", key);
			if (f >= 0 && asset_fields[f].type != ASSET_T_BOOL && !json_is_string(v))
				fail_msg("%s is not a string", key);
		}
		/* Each object is the device as stored. */
		char idkey[32];
		struct asset a;
		snprintf(idkey, sizeof(idkey), "#%lld", (long long)json_integer_value(json_object_get(o, "id")));
		ASSERT_RC(0, asset_lookup(fx->st, idkey, &a, &err), err);
		json_t *want = asset_to_json(&a);
		if (!json_equal(o, want)) {
			char *g = json_dumps(o, JSON_SORT_KEYS), *w = json_dumps(want, JSON_SORT_KEYS);
			fail_msg("JSON %s\n want %s", g, w);
		}
		json_decref(want);
		asset_release(&a);
	}
	/* Canonical values, not labels. */
	json_t *first = json_array_get(arr, 0);
	assert_string_equal(json_string_value(json_object_get(first, "asset_tag")), "fhej0002");
	assert_string_equal(json_string_value(json_object_get(first, "kind")), "pc");
	assert_string_equal(json_string_value(json_object_get(first, "status")), "in_use");
	assert_true(json_is_true(json_object_get(first, "antivirus")));
	assert_true(json_is_false(json_object_get(first, "patched")));
	assert_string_equal(json_string_value(json_object_get(first, "notes")), "備考, \"引用\" あり");
	json_decref(arr);
	strbuf_release(&out);

	/* An empty selection is an empty array. */
	struct asset_query none = { .department = "眼科" };
	ASSERT_RC(0, asset_export_json(fx->st, &none, &out, &err), err);
	arr = json_loads(out.buf, 0, NULL);
	assert_true(json_is_array(arr));
	assert_int_equal(json_array_size(arr), 0);
	json_decref(arr);
	strbuf_release(&out);
}

static void test_xlsx(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	char *outdir = xasprintf("%s/out", fx->dir);
	char *path = xasprintf("%s/台帳.xlsx", outdir);
	char *data = NULL;
	size_t len = 0;

	assert_int_equal(mkdir(outdir, 0755), 0);
	for (int round = 0; round < 2; round++) { /* the second replaces the first */
		ASSERT_RC(0, asset_export_xlsx(fx->st, NULL, "テスト病院", path, &err), err);
		ASSERT_RC(0, fileio_read_all(path, 64 << 20, &data, &len, &err), err);
		assert_true(len > 1000);
		assert_memory_equal(data, "PK\x03\x04", 4);
		free(data);
		testutil_assert_dir_is(outdir, "台帳.xlsx");
	}

	/* Through asset_export_to_file, with a filter. */
	char *path2 = xasprintf("%s/in_use.xlsx", outdir);
	struct asset_query q = { .status = "in_use" };
	ASSERT_RC(0, asset_export_to_file(fx->st, &q, ASSET_EXPORT_XLSX, ENC_UTF8, NULL, path2, &err),
		  err);
	testutil_assert_dir_is(outdir, "in_use.xlsx|台帳.xlsx");

	/* xlsx cannot go to standard output. */
	ASSERT_RC(MAMORI_EUSAGE,
		  asset_export_to_file(fx->st, NULL, ASSET_EXPORT_XLSX, ENC_UTF8, NULL, "-", &err),
		  err);

	/* A directory that does not exist: an error, and nothing anywhere. */
	char *bad = xasprintf("%s/missing/台帳.xlsx", outdir);
	int r = asset_export_xlsx(fx->st, NULL, "テスト病院", bad, &err);
	if (r != MAMORI_EIO)
		fail_msg("export to a missing directory = %d (%s)", r, err.msg);
	testutil_assert_dir_is(outdir, "in_use.xlsx|台帳.xlsx");
	free(bad);
	free(path2);
	free(path);
	free(outdir);
}

static void test_export_to_file(void **state)
{
	static const struct {
		enum asset_export_format f;
		enum enc_kind enc;
		const char *name;
	} cases[] = {
		{ ASSET_EXPORT_CSV, ENC_UTF8, "a.csv" },
		{ ASSET_EXPORT_CSV, ENC_CP932, "b.csv" },
		{ ASSET_EXPORT_JSON, ENC_UTF8, "c.json" },
	};
	struct testutil_fixture *fx = *state;
	struct strbuf listing = STRBUF_INIT;
	char *outdir = xasprintf("%s/files", fx->dir);

	assert_int_equal(mkdir(outdir, 0755), 0);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mamori_err err = { 0 };
		struct strbuf want = STRBUF_INIT;
		char *path = xasprintf("%s/%s", outdir, cases[i].name), *data = NULL;
		size_t len = 0;

		ASSERT_RC(0, asset_export_to_file(fx->st, NULL, cases[i].f, cases[i].enc, "テスト病院",
						  path, &err),
			  err);
		if (cases[i].f == ASSET_EXPORT_CSV)
			ASSERT_RC(0, asset_export_csv(fx->st, NULL, cases[i].enc, &want, &err), err);
		else
			ASSERT_RC(0, asset_export_json(fx->st, NULL, &want, &err), err);
		ASSERT_RC(0, fileio_read_all(path, 64 << 20, &data, &len, &err), err);
		assert_int_equal(len, want.len);
		assert_memory_equal(data, want.buf, len);
		free(data);
		free(path);
		strbuf_release(&want);
		strbuf_addf(&listing, "%s%s", listing.len ? "|" : "", cases[i].name);
		testutil_assert_dir_is(outdir, listing.buf);
	}
	strbuf_release(&listing);
	free(outdir);
}

/* The query selects what is exported. */
static void test_query_filter(void **state)
{
	static const struct {
		struct asset_query q;
		size_t records; /* devices, without the header */
	} cases[] = {
		{ { 0 }, 8 },
		{ { .status = "in_use" }, 4 },
		{ { .status = "disposed" }, 3 },
		{ { .status = "retired" }, 1 },
		{ { .kind = "network" }, 1 },
		{ { .department = "内科" }, 1 },
		{ { .search = "PC-" }, 2 },
		{ { .department = "眼科" }, 0 },
	};
	struct testutil_fixture *fx = *state;

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mamori_err err = { 0 };
		struct strbuf out = STRBUF_INIT;
		ASSERT_RC(0, asset_export_csv(fx->st, &cases[i].q, ENC_UTF8, &out, &err), err);
		size_t n = count_records(out.buf, out.len);
		if (n != cases[i].records + 1)
			fail_msg("case %zu: %zu records, want %zu + header", i, n, cases[i].records);
		/* Also the subset re-imports without changes. */
		if (cases[i].records)
			reimport_unchanged(fx->st, out.buf, out.len, cases[i].records);
		strbuf_release(&out);
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, testutil_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_format_parse),
		T(test_display_value),
		T(test_csv_utf8),
		T(test_csv_cp932),
		T(test_csv_cp932_unrepresentable),
		T(test_json),
		T(test_xlsx),
		T(test_export_to_file),
		T(test_query_filter),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
