/*
 * test_checklist_catalog.c - unit tests for the checklist catalog
 * (src/core/checklist_catalog.c): every shipped file under
 * catalog/checklist (found through $MAMORI_SRCDIR or relative to the
 * working directory) validates, which makes this test the catalog validator
 * of "make check"; the item counts of each shipped file match the reference
 * (reference/checklists-jp.md); a table of broken files is refused with the
 * JSON path of the problem in the message; checks across files; every
 * shipped file survives checklist_edition_to_json() and loading again; the
 * "official" and "imported" statuses.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>
#include <sys/stat.h>

#include "checklist_catalog.h"
#include "strbuf.h"
#include "testutil.h"

static char *shipped_dir(void)
{
	const char *src = getenv("MAMORI_SRCDIR");
	char *dir = xasprintf("%s/catalog/checklist", src && *src ? src : ".");
	struct stat sb;

	if (stat(dir, &sb) == 0)
		return dir;
	free(dir);
	return xstrdup("../catalog/checklist");
}

static void print_problems(const struct checklist_problems *p)
{
	size_t i;

	for (i = 0; i < p->nr; i++)
		fprintf(stderr, "  %s\n", p->msgs[i]);
}

/* ---------------------------------------------------------------- shipped */

static void test_shipped_files_validate(void **state)
{
	struct checklist_problems pr = { 0 };
	struct mamori_err err = { 0 };
	char *dir = shipped_dir();
	size_t nfiles = 0;
	int r = checklist_catalog_validate_dir(dir, &nfiles, &pr, &err);

	if (r != 0) {
		print_problems(&pr);
		fail_msg("%s: %s", dir, err.msg);
	}
	assert_true(nfiles >= 6);
	assert_int_equal(pr.total, 0);
	checklist_problems_release(&pr);
	free(dir);
}

static const struct checklist_edition *find_edition(const struct checklist_catalog *cat,
						    const char *edition, enum checklist_form form)
{
	size_t i;

	for (i = 0; i < cat->nr; i++)
		if (!strcmp(cat->editions[i].edition, edition) && cat->editions[i].form == form)
			return &cat->editions[i];
	fail_msg("no file for %s %s", edition, checklist_form_name(form));
	return NULL;
}

/* Item counts per file, as the reference lists them (see the docs). */
static const struct {
	const char *edition;
	enum checklist_form form;
	size_t items, without_wording;
	bool complete;
} expected[] = {
	/* gate + 1-(1) + 2: 3 general, 5 サーバ, 4 端末PC, 2 ネットワーク機器 + 3 */
	{ "r6", CHECKLIST_FORM_IRYO, 19, 0, true },
	/* same items presumed; only 3-(1) quoted (qlifepro) */
	{ "r6", CHECKLIST_FORM_YAKKYOKU, 19, 18, true },
	/* only 1-(1), 2-(2), 2-(3), 2-(6) are known */
	{ "r6", CHECKLIST_FORM_JIGYOSHA, 4, 0, false },
	/* 1-①, 2-①…⑬, 3-①…③ and the new 運用管理規程 item */
	{ "r7", CHECKLIST_FORM_IRYO, 18, 6, false },
	{ "r7", CHECKLIST_FORM_YAKKYOKU, 18, 18, false },
	/* sections 1 and 2 (shared with 医療機関確認用) */
	{ "r7", CHECKLIST_FORM_JIGYOSHA, 14, 7, false },
};

static void test_shipped_counts(void **state)
{
	struct checklist_catalog cat = { 0 };
	struct checklist_problems pr = { 0 };
	struct mamori_err err = { 0 };
	char *dir = shipped_dir();
	size_t i, k;

	ASSERT_RC(0, checklist_catalog_load_dir(dir, &cat, NULL, &pr, &err), err);
	for (i = 0; i < ARRAY_SIZE(expected); i++) {
		const struct checklist_edition *e =
			find_edition(&cat, expected[i].edition, expected[i].form);
		size_t none = 0;

		for (k = 0; k < e->nr_items; k++)
			none += e->items[k].wording == NULL;
		if (e->nr_items != expected[i].items || none != expected[i].without_wording)
			fail_msg("%s: %zu items (%zu without wording), want %zu (%zu)", e->name,
				 e->nr_items, none, expected[i].items, expected[i].without_wording);
		assert_int_equal(e->items_complete, expected[i].complete);
	}
	checklist_catalog_release(&cat);
	checklist_problems_release(&pr);
	free(dir);
}

/* A few facts of the reference that the files must keep. */
static void test_shipped_facts(void **state)
{
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	char *dir = shipped_dir();
	const struct checklist_edition *r6, *r7;
	const struct checklist_item *it;

	ASSERT_RC(0, checklist_catalog_load_dir(dir, &cat, NULL, NULL, &err), err);
	r6 = find_edition(&cat, "r6", CHECKLIST_FORM_IRYO);
	r7 = find_edition(&cat, "r7", CHECKLIST_FORM_IRYO);

	it = checklist_edition_item(r6, "r6-iryo-gate");
	assert_non_null(it);
	assert_true(it->gate);
	assert_string_equal(it->wording, "医療情報システムを導入、運用している。");
	assert_int_equal(it->status, CHECKLIST_CONFIRMED);
	assert_false(checklist_item_wording_unconfirmed(it));

	it = checklist_edition_item(r6, "r6-iryo-2-nw-8");
	assert_non_null(it);
	assert_int_equal(it->scope, CHECKLIST_SCOPE_NETWORK);
	assert_string_equal(it->wording, "接続元制限を実施している。");

	it = checklist_edition_item(r7, "r7-iryo-2-2");
	assert_non_null(it);
	assert_int_equal(it->needed_without_vendor_contract, CHECKLIST_NO);
	assert_int_equal(it->nr_refs, 2);

	it = checklist_edition_item(r7, "r7-iryo-2-7");
	assert_non_null(it);
	assert_int_equal(it->new_in_edition, CHECKLIST_YES);
	assert_string_equal(it->number, "⑦");

	it = checklist_edition_item(r7, "r7-iryo-2-9");
	assert_non_null(it);
	assert_int_equal(it->status, CHECKLIST_TRUNCATED);
	assert_non_null(strstr(it->wording, "…"));
	assert_true(checklist_item_wording_unconfirmed(it));

	it = checklist_edition_item(r7, "r7-iryo-2-12");
	assert_non_null(it);
	assert_int_equal(it->scope, CHECKLIST_SCOPE_SERVER | CHECKLIST_SCOPE_PC);

	it = checklist_edition_item(r7, "r7-iryo-2-4");
	assert_non_null(it);
	assert_null(it->wording);
	assert_int_equal(it->status, CHECKLIST_NOT_FOUND);
	assert_true(checklist_item_wording_unconfirmed(it));

	/* the reference does not say whether R7 keeps the gate question */
	for (size_t i = 0; i < r7->nr_items; i++)
		assert_false(r7->items[i].gate);

	checklist_catalog_release(&cat);
	free(dir);
}

/* ---------------------------------------------------------- broken files */

#define TOP_BEGIN                                                                          \
	"{\"format\":\"mamori-checklist-1\",\"edition\":\"r9\",\"fiscal_year\":2027,"          \
	"\"title\":\"t\",\"form\":\"iryo\",\"published\":\"2027-05-01\",\"sources\":[\"s\"]," \
	"\"items_complete\":true,"
#define SECTIONS "\"sections\":[{\"number\":1,\"title\":\"体制構築\",\"forms\":[\"iryo\"]}],"
#define ITEM_AT(id, order, extra)                                                          \
	"{\"id\":\"" id "\",\"section\":1,\"number\":\"①\",\"order\":" #order ","             \
	"\"scope\":[],\"wording\":\"x。\",\"wording_status\":\"confirmed\","                   \
	"\"wording_source\":\"u\",\"refs\":null,\"new_in_edition\":false,"                     \
	"\"needed_without_vendor_contract\":true" extra "}"
#define ITEM(extra) ITEM_AT("r9-iryo-1-1", 1, ",\"gate\":false" extra)
#define DOC(items) TOP_BEGIN SECTIONS "\"items\":[" items "]}"

static void test_minimal_ok(void **state)
{
	static const char doc[] = DOC(ITEM(""));
	struct checklist_edition e;
	struct mamori_err err = { 0 };

	ASSERT_RC(0, checklist_catalog_load_buffer("t.json", doc, strlen(doc), &e, NULL, &err), err);
	assert_string_equal(e.name, "t.json");
	assert_string_equal(e.edition, "r9");
	assert_int_equal(e.nr_items, 1);
	assert_true(e.items[0].scope_known);
	assert_int_equal(e.items[0].scope, 0);
	assert_false(e.items[0].refs_known);
	assert_int_equal(e.items[0].new_in_edition, CHECKLIST_NO);
	checklist_edition_release(&e);
	checklist_edition_release(NULL);
}

struct bad_case {
	const char *what;
	const char *doc;
	const char *want; /* must occur in the message */
};

static const struct bad_case bad_cases[] = {
	{ "missing key", DOC(ITEM_AT("r9-iryo-1-1", 1, "")), "t.json: items[0].gate: 必須" },
	{ "unknown status",
	  DOC("{\"id\":\"r9-iryo-1-1\",\"section\":1,\"number\":null,\"order\":1,\"scope\":null,"
	      "\"wording\":\"x\",\"wording_status\":\"probably\",\"wording_source\":\"u\","
	      "\"refs\":null,\"new_in_edition\":null,\"gate\":false,"
	      "\"needed_without_vendor_contract\":null}"),
	  "t.json: items[0].wording_status: 知らない値「probably」" },
	{ "duplicate id", DOC(ITEM("") "," ITEM_AT("r9-iryo-1-1", 2, ",\"gate\":false")),
	  "t.json: items[1].id: id「r9-iryo-1-1」が重複" },
	{ "wording with not_found",
	  DOC("{\"id\":\"r9-iryo-1-1\",\"section\":1,\"number\":null,\"order\":1,\"scope\":null,"
	      "\"wording\":\"推測した文言\",\"wording_status\":\"not_found\",\"wording_source\":null,"
	      "\"refs\":null,\"new_in_edition\":null,\"gate\":false,"
	      "\"needed_without_vendor_contract\":null}"),
	  "t.json: items[0].wording: wording_status が not_found のときは null" },
	{ "null wording with confirmed",
	  DOC("{\"id\":\"r9-iryo-1-1\",\"section\":1,\"number\":null,\"order\":1,\"scope\":null,"
	      "\"wording\":null,\"wording_status\":\"confirmed\",\"wording_source\":\"u\","
	      "\"refs\":null,\"new_in_edition\":null,\"gate\":false,"
	      "\"needed_without_vendor_contract\":null}"),
	  "t.json: items[0].wording: wording_status が confirmed のときは文言が必要" },
	{ "truncated without ellipsis",
	  DOC("{\"id\":\"r9-iryo-1-1\",\"section\":1,\"number\":null,\"order\":1,\"scope\":null,"
	      "\"wording\":\"USB ストレージ等の\",\"wording_status\":\"truncated\","
	      "\"wording_source\":\"u\",\"refs\":null,\"new_in_edition\":null,\"gate\":false,"
	      "\"needed_without_vendor_contract\":null}"),
	  "t.json: items[0].wording: truncated の文言には" },
	{ "bad UTF-8", DOC(ITEM(",\"note\":\"\xe5\x8c\"")), "t.json: UTF-8 として正しくない" },
	{ "overlong UTF-8", DOC(ITEM(",\"note\":\"\xc0\xaf\"")), "t.json: UTF-8 として正しくない" },
	{ "not JSON", "{\"format\": \"mamori-checklist-1\",", "t.json: 1 行" },
	{ "not JSON at all", "ここは JSON ではない", "JSON として読めません" },
	{ "top-level array", "[1,2]", "t.json: 最上位は JSON オブジェクト" },
	{ "wrong format", "{\"format\":\"mamori-checklist-0\"}", "t.json: format: 「mamori-checklist-1」" },
	{ "duplicate key", DOC(ITEM(",\"gate\":true")), "JSON として読めません" },
	{ "unknown key", DOC(ITEM(",\"wordng\":\"x\"")), "t.json: items[0].wordng: 知らないキー" },
	{ "duplicate order", DOC(ITEM("") "," ITEM_AT("r9-iryo-1-2", 1, ",\"gate\":false")),
	  "t.json: items[1].order: 章 1 の order 1 が重複" },
	{ "id of another edition", DOC(ITEM_AT("r7-iryo-1-1", 1, ",\"gate\":false")),
	  "t.json: items[0].id: 「r9-iryo-」で始まらなければ" },
	{ "bad id", DOC(ITEM_AT("r9-iryo-1 1", 1, ",\"gate\":false")), "t.json: items[0].id: 英小文字" },
	{ "unknown scope",
	  DOC("{\"id\":\"r9-iryo-1-1\",\"section\":1,\"number\":null,\"order\":1,"
	      "\"scope\":[\"サーバ\",\"端末 PC\"],\"wording\":\"x\",\"wording_status\":\"confirmed\","
	      "\"wording_source\":\"u\",\"refs\":null,\"new_in_edition\":null,\"gate\":false,"
	      "\"needed_without_vendor_contract\":null}"),
	  "t.json: items[0].scope[1]: 知らない範囲「端末 PC」" },
	{ "control character", DOC(ITEM(",\"note\":\"a\\u0007b\"")),
	  "t.json: items[0].note: 制御文字 (0x07)" },
	{ "NUL in a string", DOC(ITEM(",\"note\":\"a\\u0000b\"")), "JSON として読めません" },
	{ "two gates", DOC(ITEM_AT("r9-iryo-1-1", 1, ",\"gate\":true") ","
			   ITEM_AT("r9-iryo-1-2", 2, ",\"gate\":true")),
	  "t.json: items[1].gate: gate 項目は 1 つの様式に 1 つまで" },
	{ "no items", DOC(""), "t.json: items: 項目が 1 つもありません" },
	{ "items not an array", TOP_BEGIN SECTIONS "\"items\":{}}", "t.json: items: 配列でなければ" },
	{ "presumed_same_as with wording", DOC(ITEM(",\"presumed_same_as\":\"r6-iryo-1-1\"")),
	  "t.json: items[0].presumed_same_as: 文言がある項目には使えません" },
	{ "fiscal year out of range",
	  "{\"format\":\"mamori-checklist-1\",\"edition\":\"r9\",\"fiscal_year\":1999,"
	  "\"title\":\"t\",\"form\":\"iryo\",\"published\":null,\"sources\":[\"s\"],"
	  "\"items_complete\":true," SECTIONS "\"items\":[" ITEM("") "]}",
	  "t.json: fiscal_year: 2000 から 2100" },
	{ "unknown form",
	  "{\"format\":\"mamori-checklist-1\",\"edition\":\"r9\",\"fiscal_year\":2027,"
	  "\"title\":\"t\",\"form\":\"byoin\",\"published\":null,\"sources\":[\"s\"],"
	  "\"items_complete\":true," SECTIONS "\"items\":[" ITEM("") "]}",
	  "t.json: form: 知らない値「byoin」" },
	{ "invalid date",
	  "{\"format\":\"mamori-checklist-1\",\"edition\":\"r9\",\"fiscal_year\":2027,"
	  "\"title\":\"t\",\"form\":\"iryo\",\"published\":\"2027-02-29\",\"sources\":[\"s\"],"
	  "\"items_complete\":true," SECTIONS "\"items\":[" ITEM("") "]}",
	  "t.json: published: 日付「2027-02-29」" },
	{ "no sources",
	  "{\"format\":\"mamori-checklist-1\",\"edition\":\"r9\",\"fiscal_year\":2027,"
	  "\"title\":\"t\",\"form\":\"iryo\",\"published\":\"2027-05\",\"sources\":[],"
	  "\"items_complete\":true," SECTIONS "\"items\":[" ITEM("") "]}",
	  "t.json: sources: 出典が 1 つ以上必要" },
	{ "item in a missing section",
	  "{\"format\":\"mamori-checklist-1\",\"edition\":\"r9\",\"fiscal_year\":2027,"
	  "\"title\":\"t\",\"form\":\"iryo\",\"published\":null,\"sources\":[\"s\"],"
	  "\"items_complete\":true,\"sections\":[{\"number\":2,\"title\":\"x\",\"forms\":null}],"
	  "\"items\":[" ITEM("") "]}",
	  "t.json: items[0].section: sections にない章 1" },
};

static void test_bad_files(void **state)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct checklist_problems pr = { 0 };
		struct checklist_edition e;
		struct mamori_err err = { 0 };
		int r = checklist_catalog_load_buffer("t.json", c->doc, strlen(c->doc), &e, &pr,
						      &err);

		if (r != MAMORI_EINVAL)
			fail_msg("%s: accepted (%d)", c->what, r);
		if (!strstr(err.msg, c->want)) {
			size_t k;
			bool found = false;

			for (k = 0; k < pr.nr; k++)
				found |= strstr(pr.msgs[k], c->want) != NULL;
			if (!found) {
				print_problems(&pr);
				fail_msg("%s: message \"%s\" lacks \"%s\"", c->what, err.msg, c->want);
			}
		}
		assert_true(pr.nr >= 1);
		assert_null(e.items);
		assert_null(e.name);
		checklist_problems_release(&pr);
	}
}

/* All problems of a file are reported at once, and the list is bounded. */
static void test_all_problems_at_once(void **state)
{
	static const char doc[] =
		"{\"format\":\"mamori-checklist-1\",\"edition\":\"R9\",\"fiscal_year\":\"2027\","
		"\"title\":\"\",\"form\":\"iryo\",\"published\":\"令和9年\",\"sources\":[\"s\"],"
		"\"items_complete\":1," SECTIONS "\"items\":[" ITEM("") "]}";
	struct checklist_problems pr = { 0 };
	struct checklist_edition e;
	struct mamori_err err = { 0 };
	struct strbuf big = STRBUF_INIT;
	size_t i, n;

	ASSERT_RC(MAMORI_EINVAL,
		  checklist_catalog_load_buffer("t.json", doc, strlen(doc), &e, &pr, &err), err);
	/* edition, fiscal_year, title, published, items_complete */
	assert_int_equal(pr.total, 5);
	testutil_assert_contains(err.msg, "t.json: edition: ");
	testutil_assert_contains(err.msg, "(ほか 4 件の問題)");
	testutil_assert_contains(pr.msgs[1], "t.json: fiscal_year: 整数");
	testutil_assert_contains(pr.msgs[2], "t.json: title: 空の文字列");
	testutil_assert_contains(pr.msgs[3], "t.json: published: 日付");
	testutil_assert_contains(pr.msgs[4], "t.json: items_complete: true または false");
	checklist_problems_release(&pr);

	/* 300 items each with an unknown key: 300 problems, 100 kept */
	n = 300;
	strbuf_addstr(&big, TOP_BEGIN SECTIONS "\"items\":[");
	for (i = 0; i < n; i++)
		strbuf_addf(&big,
			    "%s{\"id\":\"r9-iryo-1-%zu\",\"section\":1,\"number\":null,\"order\":%zu,"
			    "\"scope\":null,\"wording\":null,\"wording_status\":\"inferred\","
			    "\"wording_source\":null,\"refs\":null,\"new_in_edition\":null,"
			    "\"gate\":false,\"needed_without_vendor_contract\":null,\"x\":1}",
			    i ? "," : "", i + 1, i + 1);
	strbuf_addstr(&big, "]}");
	ASSERT_RC(MAMORI_EINVAL,
		  checklist_catalog_load_buffer("t.json", big.buf, big.len, &e, &pr, &err), err);
	assert_int_equal(pr.total, n);
	assert_int_equal(pr.nr, CHECKLIST_PROBLEMS_MAX);
	testutil_assert_contains(pr.msgs[99], "t.json: items[99].x: 知らないキー");
	testutil_assert_contains(err.msg, "(ほか 299 件の問題)");
	checklist_problems_release(&pr);
	strbuf_release(&big);
}

/* A valid file of n items without wording, each with a note of pad bytes. */
static char *items_doc(size_t n, size_t pad)
{
	struct strbuf sb = STRBUF_INIT;
	char *padding = xcalloc(pad + 1, 1);
	size_t i;

	memset(padding, 'a', pad);
	strbuf_addstr(&sb, TOP_BEGIN SECTIONS "\"items\":[");
	for (i = 0; i < n; i++)
		strbuf_addf(&sb,
			    "%s{\"id\":\"r9-iryo-1-%zu\",\"section\":1,\"number\":null,\"order\":%zu,"
			    "\"scope\":null,\"wording\":null,\"wording_status\":\"inferred\","
			    "\"wording_source\":null,\"refs\":null,\"new_in_edition\":null,"
			    "\"gate\":false,\"needed_without_vendor_contract\":null,\"note\":\"%s\"}",
			    i ? "," : "", i + 1, i % 999 + 1, padding);
	strbuf_addstr(&sb, "]}");
	free(padding);
	return strbuf_detach(&sb, NULL);
}

static void test_bounds(void **state)
{
	struct checklist_problems pr = { 0 };
	struct checklist_edition e;
	struct mamori_err err = { 0 };
	char *doc, *big;

	/* 500 items are fine, 501 are too many */
	doc = items_doc(CHECKLIST_ITEMS_MAX, 1);
	ASSERT_RC(0, checklist_catalog_load_buffer("t.json", doc, strlen(doc), &e, &pr, &err), err);
	assert_int_equal(e.nr_items, CHECKLIST_ITEMS_MAX);
	checklist_edition_release(&e);
	free(doc);
	doc = items_doc(CHECKLIST_ITEMS_MAX + 1, 1);
	ASSERT_RC(MAMORI_EINVAL,
		  checklist_catalog_load_buffer("t.json", doc, strlen(doc), &e, &pr, &err), err);
	testutil_assert_contains(err.msg, "t.json: items: 項目が多すぎます (501 個、上限 500 個)");
	checklist_problems_release(&pr);
	free(doc);

	/* a string of 2000 bytes is fine, 2001 is too long */
	doc = items_doc(1, CHECKLIST_STR_MAX);
	ASSERT_RC(0, checklist_catalog_load_buffer("t.json", doc, strlen(doc), &e, NULL, &err), err);
	checklist_edition_release(&e);
	free(doc);
	doc = items_doc(1, CHECKLIST_STR_MAX + 1);
	ASSERT_RC(MAMORI_EINVAL,
		  checklist_catalog_load_buffer("t.json", doc, strlen(doc), &e, NULL, &err), err);
	testutil_assert_contains(err.msg, "t.json: items[0].note: 文字列が長すぎます (2001 バイト");
	free(doc);

	/* a file over 1 MiB is refused before parsing */
	big = xmalloc(CHECKLIST_FILE_MAX + 2);
	memset(big, ' ', CHECKLIST_FILE_MAX + 1);
	big[CHECKLIST_FILE_MAX + 1] = '\0';
	ASSERT_RC(MAMORI_EINVAL,
		  checklist_catalog_load_buffer("t.json", big, CHECKLIST_FILE_MAX + 1, &e, NULL, &err),
		  err);
	testutil_assert_contains(err.msg, "t.json: ファイルが大きすぎます");
	free(big);
}

/* ------------------------------------------------------------- directories */

static void write_file(const char *dir, const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
	free(path);
}

static void test_dir_checks(void **state)
{
	char *dir = testutil_mkdtemp("checklist");
	struct checklist_problems pr = { 0 };
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	size_t nfiles = 0;

	assert_non_null(dir);
	/* empty: refused */
	ASSERT_RC(MAMORI_EINVAL, checklist_catalog_validate_dir(dir, &nfiles, &pr, &err), err);
	testutil_assert_contains(err.msg, "*.json");

	write_file(dir, "a.json", DOC(ITEM("")));
	write_file(dir, "README.md", "not a catalog file");
	ASSERT_RC(0, checklist_catalog_load_dir(dir, &cat, &nfiles, &pr, &err), err);
	assert_int_equal(nfiles, 1);
	assert_int_equal(cat.nr, 1);

	/* same edition and form twice, the same id twice, a dangling reference */
	write_file(dir, "b.json",
		   DOC(ITEM("") "," "{\"id\":\"r9-iryo-1-2\",\"section\":1,\"number\":null,"
		       "\"order\":2,\"scope\":null,\"wording\":null,\"wording_status\":\"inferred\","
		       "\"wording_source\":null,\"refs\":null,\"new_in_edition\":null,"
		       "\"gate\":false,\"needed_without_vendor_contract\":null,"
		       "\"presumed_same_as\":\"r6-iryo-9-9\"}"));
	ASSERT_RC(MAMORI_EINVAL, checklist_catalog_load_dir(dir, &cat, &nfiles, &pr, &err), err);
	assert_int_equal(nfiles, 2);
	assert_int_equal(cat.nr, 1); /* unchanged */
	assert_int_equal(pr.total, 3);
	testutil_assert_contains(pr.msgs[0], "/b.json: edition: 版「r9」様式「iryo」のファイルが 2 つ");
	testutil_assert_contains(pr.msgs[1], "/b.json: items[0].id: id「r9-iryo-1-1」は ");
	testutil_assert_contains(pr.msgs[2],
				 "/b.json: items[1].presumed_same_as: 項目「r6-iryo-9-9」がどのファイルにもありません");
	testutil_assert_contains(err.msg, "(ほか 2 件の問題)");
	checklist_problems_release(&pr);

	/* a broken file names its path */
	write_file(dir, "b.json", "{");
	ASSERT_RC(MAMORI_EINVAL, checklist_catalog_validate_dir(dir, NULL, &pr, &err), err);
	testutil_assert_contains(err.msg, "/b.json: ");
	testutil_assert_contains(err.msg, "JSON として読めません");
	checklist_problems_release(&pr);

	ASSERT_RC(MAMORI_ENOTFOUND, checklist_catalog_validate_dir("/nonexistent/checklist", NULL,
								   NULL, &err),
		  err);

	checklist_catalog_release(&cat);
	checklist_catalog_release(NULL);
	testutil_rmtree(dir);
	free(dir);
}

static void test_names(void **state)
{
	assert_string_equal(checklist_form_name(CHECKLIST_FORM_IRYO_YAKKYOKU), "iryo_yakkyoku");
	assert_string_equal(checklist_form_label(CHECKLIST_FORM_JIGYOSHA), "事業者確認用");
	assert_null(checklist_form_name(CHECKLIST_FORM_COUNT));
	assert_string_equal(checklist_status_name(CHECKLIST_OCR_SUSPECT), "ocr_suspect");
	assert_non_null(checklist_status_label(CHECKLIST_NOT_FOUND));
	assert_null(checklist_status_label(CHECKLIST_STATUS_COUNT));
}

/* ------------------------------------------- writer and the new statuses */

static void assert_str_eq_or_null(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_list_eq(char *const *a, size_t na, char *const *b, size_t nb)
{
	size_t i;

	assert_int_equal(na, nb);
	for (i = 0; i < na; i++)
		assert_string_equal(a[i], b[i]);
}

static void assert_editions_equal(const struct checklist_edition *a,
				  const struct checklist_edition *b)
{
	size_t i;

	assert_string_equal(a->edition, b->edition);
	assert_int_equal(a->fiscal_year, b->fiscal_year);
	assert_string_equal(a->title, b->title);
	assert_int_equal(a->form, b->form);
	assert_string_equal(a->published, b->published);
	assert_list_eq(a->sources, a->nr_sources, b->sources, b->nr_sources);
	assert_int_equal(a->items_complete, b->items_complete);
	assert_str_eq_or_null(a->note, b->note);
	assert_int_equal(a->nr_sections, b->nr_sections);
	for (i = 0; i < a->nr_sections; i++) {
		const struct checklist_section *x = &a->sections[i], *y = &b->sections[i];

		assert_int_equal(x->number, y->number);
		assert_string_equal(x->title, y->title);
		assert_int_equal(x->forms, y->forms);
		assert_int_equal(x->forms_known, y->forms_known);
		assert_str_eq_or_null(x->note, y->note);
	}
	assert_int_equal(a->nr_items, b->nr_items);
	for (i = 0; i < a->nr_items; i++) {
		const struct checklist_item *x = &a->items[i], *y = &b->items[i];

		assert_string_equal(x->id, y->id);
		assert_int_equal(x->section, y->section);
		assert_str_eq_or_null(x->number, y->number);
		assert_int_equal(x->order, y->order);
		assert_int_equal(x->scope, y->scope);
		assert_int_equal(x->scope_known, y->scope_known);
		assert_str_eq_or_null(x->wording, y->wording);
		assert_int_equal(x->status, y->status);
		assert_str_eq_or_null(x->wording_source, y->wording_source);
		assert_list_eq(x->corroborating, x->nr_corroborating, y->corroborating,
			       y->nr_corroborating);
		assert_list_eq(x->refs, x->nr_refs, y->refs, y->nr_refs);
		assert_int_equal(x->refs_known, y->refs_known);
		assert_int_equal(x->new_in_edition, y->new_in_edition);
		assert_int_equal(x->gate, y->gate);
		assert_int_equal(x->needed_without_vendor_contract,
				 y->needed_without_vendor_contract);
		assert_str_eq_or_null(x->presumed_same_as, y->presumed_same_as);
		assert_str_eq_or_null(x->note, y->note);
	}
}

/* Every shipped file, written by checklist_edition_to_json() and loaded
 * again, is the same edition; writing that again gives the same text. */
static void test_json_round_trip(void **state)
{
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	char *dir = shipped_dir();
	size_t i;

	ASSERT_RC(0, checklist_catalog_load_dir(dir, &cat, NULL, NULL, &err), err);
	assert_true(cat.nr >= 6);
	for (i = 0; i < cat.nr; i++) {
		struct checklist_edition back;
		struct checklist_problems pr = { 0 };
		char *js = checklist_edition_to_json(&cat.editions[i]), *js2;

		if (checklist_catalog_load_buffer(cat.editions[i].name, js, strlen(js), &back, &pr,
						  &err)) {
			print_problems(&pr);
			fail_msg("%s: %s", cat.editions[i].name, err.msg);
		}
		assert_editions_equal(&cat.editions[i], &back);
		js2 = checklist_edition_to_json(&back);
		assert_string_equal(js, js2);
		assert_int_equal(js[strlen(js) - 1], '\n');
		free(js);
		free(js2);
		checklist_edition_release(&back);
		checklist_problems_release(&pr);
	}
	checklist_catalog_release(&cat);
	free(dir);
}

/* "official" counts as confirmed; "imported" is 文言未確認; both need wording. */
static void test_official_and_imported(void **state)
{
	static const char official[] = DOC(
		"{\"id\":\"r9-iryo-1-1\",\"section\":1,\"number\":\"①\",\"order\":1,\"scope\":[],"
		"\"wording\":\"x。\",\"wording_status\":\"official\",\"wording_source\":\"001716187.xlsx\","
		"\"refs\":[],\"new_in_edition\":null,\"gate\":false,"
		"\"needed_without_vendor_contract\":true},"
		"{\"id\":\"r9-iryo-1-2\",\"section\":1,\"number\":\"②\",\"order\":2,\"scope\":[],"
		"\"wording\":\"y。\",\"wording_status\":\"imported\",\"wording_source\":\"a.xlsx\","
		"\"refs\":[],\"new_in_edition\":null,\"gate\":false,"
		"\"needed_without_vendor_contract\":true}");
	static const char imported_null[] = DOC(
		"{\"id\":\"r9-iryo-1-1\",\"section\":1,\"number\":null,\"order\":1,\"scope\":null,"
		"\"wording\":null,\"wording_status\":\"imported\",\"wording_source\":null,"
		"\"refs\":null,\"new_in_edition\":null,\"gate\":false,"
		"\"needed_without_vendor_contract\":null}");
	struct checklist_edition e;
	struct mamori_err err = { 0 };
	char *js;

	ASSERT_RC(0, checklist_catalog_load_buffer("t.json", official, strlen(official), &e, NULL,
						   &err),
		  err);
	assert_int_equal(e.items[0].status, CHECKLIST_OFFICIAL);
	assert_false(checklist_item_wording_unconfirmed(&e.items[0]));
	assert_int_equal(e.items[1].status, CHECKLIST_IMPORTED);
	assert_true(checklist_item_wording_unconfirmed(&e.items[1]));
	js = checklist_edition_to_json(&e);
	testutil_assert_contains(js, "\"wording_status\": \"official\"");
	testutil_assert_contains(js, "\"wording_status\": \"imported\"");
	free(js);
	checklist_edition_release(&e);

	assert_int_equal(checklist_catalog_load_buffer("t.json", imported_null,
						       strlen(imported_null), &e, NULL, &err),
			 MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "wording_status が imported のときは文言が必要");

	assert_string_equal(checklist_status_name(CHECKLIST_OFFICIAL), "official");
	assert_string_equal(checklist_status_name(CHECKLIST_IMPORTED), "imported");
	assert_string_equal(checklist_status_label(CHECKLIST_OFFICIAL), "公式ファイル");
	assert_non_null(checklist_status_label(CHECKLIST_IMPORTED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shipped_files_validate),
		cmocka_unit_test(test_shipped_counts),
		cmocka_unit_test(test_shipped_facts),
		cmocka_unit_test(test_minimal_ok),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_all_problems_at_once),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_dir_checks),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_json_round_trip),
		cmocka_unit_test(test_official_and_imported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
