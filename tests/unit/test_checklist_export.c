/*
 * test_checklist_export.c - unit tests of the checklist exports
 * (src/core/checklist_export.c).
 *
 * CSV and xlsx are tested on a view built by hand in the shape
 * checklist_view() documents: the CSV's BOM, Japanese header and one row
 * per item (a wording with a comma, quotes and a line break quoted so that
 * it reads back intact; 確認不要 / 記入不要; the 文言 status), the same text
 * in CP932 (converted back independently) and a character CP932 lacks
 * refused naming the item.  The xlsx is written atomically, then opened by
 * LibreOffice (converted to CSV) to check the cells a person sees: the
 * title, 施設名, the section row, the item row with ①, its wording, scope,
 * はい, 確認日 and 目標日 as dates, and the 文言未確認 mark.
 *
 * The PDF inspection pack is made from the demo hospital with a sheet
 * answered through checklist.h and read back with pdftotext: 施設名, the
 * fiscal year, the journal head hash, an item's wording, a device past its
 * end of support and the vendor collection table; the first page rendered
 * with pdftoppm is not blank.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <iconv.h>
#include <jansson.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "asset.h"
#include "checklist.h"
#include "checklist_export.h"
#include "csv.h"
#include "demo.h"
#include "fileio.h"
#include "journal.h"
#include "ledger.h"
#include "store.h"
#include "strbuf.h"
#include "testutil.h"

#define ACTOR "test-officer"
#define BOM "\xEF\xBB\xBF"
#define TRICKY "接続元を制限している。, \"重要\"\n※二行目"
#define CSV_COLS 17

/* ---- a view built by hand ------------------------------------------------------- */

static json_t *answer(const char *yn, const char *confirmed, const char *target, const char *note)
{
	return json_pack("{s:i, s:s, s:s, s:s?, s:s?, s:b, s:s?, s:[]}", "round", 1, "answer", yn,
			 "answer_label", strcmp(yn, "yes") ? "いいえ" : "はい", "confirmed_on",
			 confirmed, "target_on", target, "overdue", 0, "note", note, "links");
}

static json_t *item(const char *id, const char *number, json_t *scope, const char *wording,
		    bool unconfirmed, bool needed, json_t *answers)
{
	return json_pack("{s:s, s:s?, s:i, s:o, s:s?, s:s, s:s, s:b, s:n, s:n, s:b, s:b, s:b, "
			 "s:o}",
			 "id", id, "number", number, "order", 1, "scope", scope, "wording", wording,
			 "wording_status", unconfirmed ? "not_found" : "confirmed",
			 "wording_status_label", unconfirmed ? "文言が見つからない" : "確認済み",
			 "unconfirmed", unconfirmed, "official_wording", "presumed_wording", "gate",
			 0, "new_in_edition", 0, "needed", needed, "answers", answers);
}

/*
 * A facility sheet of 令和7年度 with the gate section and section 2:
 *   gate: はい in round 1, いいえ in round 2 (so round 2 is 確認不要);
 *   2-①: TRICKY wording, (サーバ、端末PC), はい 2025-06-02 / いいえ with a
 *        目標日 in round 3, a note, evidence that contradicts;
 *   2-②: no wording (文言未確認), unanswered;
 *   2-③: 記入不要 (no vendor contract);
 *   2-④: the officer's official wording.
 */
static json_t *build_view(void)
{
	json_t *gate = item("r7-iryo-gate", NULL, json_array(), "医療情報システムを導入、運用している。",
			    false, true,
			    json_pack("[o, o, n]", answer("yes", "2025-05-01", NULL, NULL),
				      answer("no", "2025-09-01", NULL, NULL)));
	json_object_set_new(gate, "gate", json_true());

	json_t *i1 = item("r7-iryo-2-1", "①", json_pack("[s, s]", "サーバ", "端末PC"), TRICKY, false,
			  true,
			  json_pack("[o, n, o]", answer("yes", "2025-06-02", NULL, "台帳は総務課が管理"),
				    answer("no", "2026-01-10", "2026-03-27", NULL)));
	json_object_set_new(i1, "evidence",
			    json_pack("{s:s, s:s, s:s, s:s, s:s, s:[{s:s, s:s}, {s:s, s:n}], s:i, "
				      "s:i}",
				      "rule", "source_restriction", "rule_label", "接続元制限",
				      "outcome", "contradicts", "outcome_label", "はいと矛盾",
				      "summary", "接続元制限なしのネットワーク機器が 2 台",
				      "reasons", "text", "MH-NW-001: 接続元制限なし", "link",
				      "#/assets/2", "text", "MH-NW-002: 接続元制限なし", "link", "total",
				      3, "checked", 5));
	json_t *i2 = item("r7-iryo-2-2", "②", json_pack("[s]", "医療情報システム全般"), NULL, true,
			  true, json_pack("[n, n, n]"));
	json_t *i3 = item("r7-iryo-2-3", "③", json_array(), "リモートメンテナンス(保守)を利用している"
			  "機器の有無を事業者に確認した。",
			  false, false, json_pack("[n, n, n]"));
	json_object_set_new(i3, "not_needed_reason", json_string("事業者と契約していない"));
	json_t *i4 = item("r7-iryo-2-4", "④", json_null(), NULL, true, true,
			  json_pack("[o, n, n]", answer("yes", "2025-07-07", NULL, NULL)));
	json_object_set_new(i4, "official_wording",
			    json_pack("{s:s, s:s}", "wording", "管理者権限の対象者を明確にしている。",
				      "source", "公式様式 p.3"));

	return json_pack(
		"{s:{s:i, s:i, s:s, s:s, s:s, s:n, s:n, s:s, s:s}, "
		"s:{s:s, s:i, s:s, s:s, s:s}, s:{s:s, s:s}, s:b, s:[b, b, b], "
		"s:[{s:i, s:s, s:s, s:[o]}, {s:i, s:s, s:s, s:[o, o, o, o]}]}",
		"sheet", "id", 1, "fiscal_year", 2025, "edition", "r7", "form", "iryo", "form_label",
		"医療機関確認用", "vendor_id", "vendor_name", "status", "open", "status_label",
		"回答中",
		"edition", "edition", "r7", "fiscal_year", 2025, "title",
		"医療機関におけるサイバーセキュリティ対策チェックリスト", "form", "iryo", "form_label",
		"医療機関確認用",
		"facility", "name", "テスト病院", "type", "hospital",
		"has_vendor_contract", 0,
		"gate_no", 0, 1, 0,
		"sections", "number", 0, "title", "医療情報システムの有無", "forms_label",
		"【医療機関確認用】", "items", gate,
		"number", 2, "title", "医療情報システムの管理・運用", "forms_label",
		"【医療機関確認用・事業者確認用】", "items", i1, i2, i3, i4);
}

/* ---- helpers ----------------------------------------------------------------------- */

/* Reads a UTF-8 CSV (BOM skipped) into rows of strings: rows[r][c]. */
struct grid {
	char ***rows;
	size_t *ncols;
	size_t nrows;
};

static void grid_read(struct grid *g, const char *data, size_t len)
{
	struct csv_reader rd;
	struct csv_record rec;
	struct mamori_err err = { 0 };
	int r;

	memset(g, 0, sizeof(*g));
	if (len >= 3 && !memcmp(data, BOM, 3)) {
		data += 3;
		len -= 3;
	}
	csv_reader_init(&rd, data, len, ',');
	csv_record_init(&rec);
	while ((r = csv_read(&rd, &rec, &err)) == 1) {
		g->rows = xrealloc(g->rows, (g->nrows + 1) * sizeof(*g->rows));
		g->ncols = xrealloc(g->ncols, (g->nrows + 1) * sizeof(*g->ncols));
		g->rows[g->nrows] = xcalloc(rec.nfields + 1, sizeof(char *));
		for (size_t c = 0; c < rec.nfields; c++)
			g->rows[g->nrows][c] = xstrdup(rec.fields[c]);
		g->ncols[g->nrows++] = rec.nfields;
	}
	csv_record_release(&rec);
	ASSERT_RC(0, r, err);
}

static void grid_release(struct grid *g)
{
	for (size_t r = 0; r < g->nrows; r++) {
		for (size_t c = 0; c < g->ncols[r]; c++)
			free(g->rows[r][c]);
		free(g->rows[r]);
	}
	free(g->rows);
	free(g->ncols);
}

/* The cell at row r, column c (0-based), "" when absent. */
static const char *cell(const struct grid *g, size_t r, size_t c)
{
	return r < g->nrows && c < g->ncols[r] ? g->rows[r][c] : "";
}

/* The first row whose column c is want, or fails. */
static size_t row_with(const struct grid *g, size_t c, const char *want)
{
	for (size_t r = 0; r < g->nrows; r++)
		if (!strcmp(cell(g, r, c), want))
			return r;
	fail_msg("no row has \"%s\" in column %zu", want, c);
	return 0;
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
	out[*outlen] = '\0';
	return out;
}

/* Runs sh -c cmd with output to /dev/null (unless verbose); its exit status. */
static int run(const char *cmd)
{
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static bool have(const char *prog)
{
	char *cmd = xasprintf("command -v %s >/dev/null 2>&1", prog);
	int r = run(cmd);
	free(cmd);
	return r == 0;
}

static char *slurp(const char *path, size_t *len)
{
	struct mamori_err err = { 0 };
	char *data = NULL;
	size_t n = 0;

	ASSERT_RC(0, fileio_read_all(path, (size_t)64 << 20, &data, &n, &err), err);
	if (len)
		*len = n;
	return data;
}

/* ---- CSV --------------------------------------------------------------------------- */

static void test_csv_utf8(void **state)
{
	json_t *view = build_view();
	struct strbuf out = STRBUF_INIT;
	struct mamori_err err = { 0 };
	struct grid g;
	static const char header[] =
		"区分,番号,項目ID,チェック項目,対象,文言の確認状況,1回目回答,1回目確認日,1回目目標日,"
		"2回目回答,2回目確認日,2回目目標日,3回目回答,3回目確認日,3回目目標日,備考,根拠\r\n";

	ASSERT_RC(0, checklist_export_csv(view, ENC_UTF8, &out, &err), err);
	assert_memory_equal(out.buf, BOM, 3);
	if (strncmp(out.buf + 3, header, strlen(header)))
		fail_msg("header is \"%.*s\"", (int)strlen(header), out.buf + 3);
	/* The tricky wording is quoted, its quotes doubled. */
	testutil_assert_contains(out.buf, "\"接続元を制限している。, \"\"重要\"\"\n※二行目\"");

	grid_read(&g, out.buf, out.len);
	assert_int_equal(g.nrows, 1 + 5);
	for (size_t r = 0; r < g.nrows; r++)
		assert_int_equal(g.ncols[r], CSV_COLS);

	/* The gate: answered in round 1 and 2. */
	size_t r = row_with(&g, 2, "r7-iryo-gate");
	assert_string_equal(cell(&g, r, 0), "医療情報システムの有無");
	assert_string_equal(cell(&g, r, 1), "");
	assert_string_equal(cell(&g, r, 6), "はい");
	assert_string_equal(cell(&g, r, 9), "いいえ");
	assert_string_equal(cell(&g, r, 10), "2025-09-01");

	/* 2-①: the wording intact, scope, answers; round 2 確認不要 by the gate. */
	r = row_with(&g, 2, "r7-iryo-2-1");
	assert_string_equal(cell(&g, r, 0), "2 医療情報システムの管理・運用");
	assert_string_equal(cell(&g, r, 1), "①");
	assert_string_equal(cell(&g, r, 3), TRICKY);
	assert_string_equal(cell(&g, r, 4), "(サーバ、端末PC)");
	assert_string_equal(cell(&g, r, 5), "確認済み");
	assert_string_equal(cell(&g, r, 6), "はい");
	assert_string_equal(cell(&g, r, 7), "2025-06-02");
	assert_string_equal(cell(&g, r, 8), "");
	assert_string_equal(cell(&g, r, 9), "確認不要");
	assert_string_equal(cell(&g, r, 12), "いいえ");
	assert_string_equal(cell(&g, r, 13), "2026-01-10");
	assert_string_equal(cell(&g, r, 14), "2026-03-27");
	assert_string_equal(cell(&g, r, 15), "台帳は総務課が管理");
	assert_string_equal(cell(&g, r, 16), "はいと矛盾：接続元制限なしのネットワーク機器が 2 台");

	/* 2-②: no wording: the placeholder and the status. */
	r = row_with(&g, 2, "r7-iryo-2-2");
	assert_string_equal(cell(&g, r, 3), "（文言未確認：公式様式で確認してください）");
	assert_string_equal(cell(&g, r, 5), "文言未確認（文言が見つからない）");
	assert_string_equal(cell(&g, r, 4), "(医療情報システム全般)");
	assert_string_equal(cell(&g, r, 6), "");

	/* 2-③: 記入不要 in every round; 2-④: the officer's wording. */
	r = row_with(&g, 2, "r7-iryo-2-3");
	assert_string_equal(cell(&g, r, 4), "");
	assert_string_equal(cell(&g, r, 6), "記入不要");
	assert_string_equal(cell(&g, r, 9), "記入不要");
	assert_string_equal(cell(&g, r, 12), "記入不要");
	r = row_with(&g, 2, "r7-iryo-2-4");
	assert_string_equal(cell(&g, r, 3), "管理者権限の対象者を明確にしている。");
	assert_string_equal(cell(&g, r, 5), "担当者が公式様式から入力");

	/* Appending keeps what was there. */
	struct strbuf more = STRBUF_INIT;
	strbuf_addstr(&more, "X");
	ASSERT_RC(0, checklist_export_csv(view, ENC_UTF8, &more, &err), err);
	assert_int_equal(more.len, out.len + 1);
	strbuf_release(&more);

	grid_release(&g);
	strbuf_release(&out);
	json_decref(view);
}

static void test_csv_cp932(void **state)
{
	json_t *view = build_view();
	struct strbuf utf8 = STRBUF_INIT, sjis = STRBUF_INIT;
	struct mamori_err err = { 0 };
	size_t n;

	ASSERT_RC(0, checklist_export_csv(view, ENC_UTF8, &utf8, &err), err);
	ASSERT_RC(0, checklist_export_csv(view, ENC_CP932, &sjis, &err), err);
	assert_true(sjis.len > 100);
	assert_true(memcmp(sjis.buf, BOM, 3) != 0);
	char *back = cp932_to_utf8(sjis.buf, sjis.len, &n);
	assert_int_equal(n, utf8.len - 3);
	assert_memory_equal(back, utf8.buf + 3, n);
	free(back);

	/* A character CP932 lacks: refused, naming the item and the column. */
	json_t *it = json_array_get(json_object_get(json_array_get(json_object_get(view, "sections"), 1),
						    "items"),
				    0);
	json_object_set_new(json_array_get(json_object_get(it, "answers"), 0), "note",
			    json_string("𠮷野家の端末"));
	strbuf_reset(&sjis);
	strbuf_addstr(&sjis, "keep");
	ASSERT_RC(MAMORI_EINVAL, checklist_export_csv(view, ENC_CP932, &sjis, &err), err);
	testutil_assert_contains(err.msg, "r7-iryo-2-1");
	testutil_assert_contains(err.msg, "備考");
	testutil_assert_contains(err.msg, "U+20BB7");
	assert_string_equal(sjis.buf, "keep");
	/* UTF-8 holds it. */
	strbuf_reset(&utf8);
	ASSERT_RC(0, checklist_export_csv(view, ENC_UTF8, &utf8, &err), err);
	testutil_assert_contains(utf8.buf, "𠮷野家の端末");

	strbuf_release(&utf8);
	strbuf_release(&sjis);
	json_decref(view);
}

/* ---- xlsx -------------------------------------------------------------------------- */

/* Converts file to fmt with LibreOffice into dir; false when soffice is missing. */
static bool soffice_convert(const char *dir, const char *file, const char *fmt)
{
	if (!have("soffice"))
		return false;
	char *cmd = xasprintf("cd '%s' && HOME='%s' soffice -env:UserInstallation=file://%s/lo "
			      "--headless --convert-to '%s' --outdir '%s' '%s' >/dev/null 2>&1",
			      dir, dir, dir, fmt, dir, file);
	int r = run(cmd);
	if (r != 0)
		fail_msg("%s: exit %d", cmd, r);
	free(cmd);
	return true;
}

static void test_xlsx(void **state)
{
	struct testutil_fixture *fx = *state;
	json_t *view = build_view();
	struct mamori_err err = { 0 };
	char *path = xasprintf("%s/checklist.xlsx", fx->dir);
	size_t len;
	char *data;

	ASSERT_RC(0, checklist_export_xlsx(view, path, &err), err);
	data = slurp(path, &len);
	assert_true(len > 1000);
	assert_memory_equal(data, "PK\x03\x04", 4);
	free(data);
	testutil_assert_dir_is(fx->dir, "checklist.xlsx");

	/* A place that cannot be written: an error and nothing left behind. */
	char *bad = xasprintf("%s/no/such/dir/x.xlsx", fx->dir);
	assert_true(checklist_export_xlsx(view, bad, &err) < 0);
	testutil_assert_dir_is(fx->dir, "checklist.xlsx");
	free(bad);

	if (!soffice_convert(fx->dir, "checklist.xlsx", "csv:Text - txt - csv (StarCalc):44,34,76")) {
		print_message("[  SKIP    ] soffice (LibreOffice) is not installed: the xlsx was "
			      "not opened to check its cells\n");
		goto out;
	}
	char *csv = xasprintf("%s/checklist.csv", fx->dir);
	struct grid g;
	data = slurp(csv, &len);
	grid_read(&g, data, len);

	assert_string_equal(cell(&g, 0, 0), "医療機関におけるサイバーセキュリティ対策チェックリスト"
					     "（医療機関確認用） 令和7年度");
	assert_string_equal(cell(&g, 1, 0), "施設名：テスト病院");
	/* The two-row header. */
	assert_string_equal(cell(&g, 3, 0), "番号");
	assert_string_equal(cell(&g, 3, 1), "チェック項目");
	assert_string_equal(cell(&g, 3, 2), "対象");
	assert_string_equal(cell(&g, 3, 3), "1回目");
	assert_string_equal(cell(&g, 3, 6), "2回目");
	assert_string_equal(cell(&g, 3, 9), "3回目");
	assert_string_equal(cell(&g, 4, 3), "はい/いいえ");
	assert_string_equal(cell(&g, 4, 4), "確認日");
	assert_string_equal(cell(&g, 4, 5), "目標日");
	assert_string_equal(cell(&g, 3, 12), "備考");
	assert_string_equal(cell(&g, 3, 13), "根拠");
	assert_string_equal(cell(&g, 3, 14), "文言");
	/* Sections. */
	assert_string_equal(cell(&g, 5, 0), "医療情報システムの有無");
	assert_string_equal(cell(&g, 7, 0),
			    "2 医療情報システムの管理・運用【医療機関確認用・事業者確認用】");
	/* The gate row and the ① row. */
	assert_string_equal(cell(&g, 6, 1), "医療情報システムを導入、運用している。");
	assert_string_equal(cell(&g, 6, 6), "いいえ");
	size_t r = row_with(&g, 0, "①");
	assert_string_equal(cell(&g, r, 1), TRICKY);
	assert_string_equal(cell(&g, r, 2), "(サーバ、端末PC)");
	assert_string_equal(cell(&g, r, 3), "はい");
	assert_string_equal(cell(&g, r, 4), "2025/06/02");
	assert_string_equal(cell(&g, r, 5), "");
	assert_string_equal(cell(&g, r, 6), "確認不要");
	assert_string_equal(cell(&g, r, 9), "いいえ");
	assert_string_equal(cell(&g, r, 10), "2026/01/10");
	assert_string_equal(cell(&g, r, 11), "2026/03/27");
	assert_string_equal(cell(&g, r, 12), "台帳は総務課が管理");
	assert_string_equal(cell(&g, r, 13), "はいと矛盾：接続元制限なしのネットワーク機器が 2 台");
	assert_string_equal(cell(&g, r, 14), "");
	r = row_with(&g, 0, "②");
	assert_string_equal(cell(&g, r, 1), "（文言未確認：公式様式で確認してください）");
	assert_string_equal(cell(&g, r, 14), "文言未確認");
	r = row_with(&g, 0, "③");
	assert_string_equal(cell(&g, r, 3), "記入不要");
	r = row_with(&g, 0, "④");
	assert_string_equal(cell(&g, r, 1), "管理者権限の対象者を明確にしている。");
	assert_string_equal(cell(&g, r, 14), "担当者が公式様式から入力");
	assert_int_equal(g.nrows, 12);

	grid_release(&g);
	free(data);
	free(csv);

	/* A vendor's sheet names the vendor, then the facility. */
	json_t *sheet = json_object_get(view, "sheet");
	json_object_set_new(sheet, "vendor_id", json_integer(3));
	json_object_set_new(sheet, "vendor_name", json_string("北斗メディカル"));
	json_object_set_new(json_object_get(view, "edition"), "form_label",
			    json_string("事業者確認用"));
	char *vpath = xasprintf("%s/vendor.xlsx", fx->dir);
	ASSERT_RC(0, checklist_export_xlsx(view, vpath, &err), err);
	soffice_convert(fx->dir, "vendor.xlsx", "csv:Text - txt - csv (StarCalc):44,34,76");
	csv = xasprintf("%s/vendor.csv", fx->dir);
	data = slurp(csv, &len);
	grid_read(&g, data, len);
	testutil_assert_contains(cell(&g, 0, 0), "（事業者確認用） 令和7年度");
	assert_string_equal(cell(&g, 1, 0), "事業者名：北斗メディカル");
	assert_string_equal(cell(&g, 2, 0), "施設名：テスト病院");
	grid_release(&g);
	free(data);
	free(csv);
	free(vpath);
out:
	free(path);
	json_decref(view);
}

/* ---- the inspection pack ------------------------------------------------------------ */

struct first_ended {
	char *tag;
};

static int find_win10(const struct asset *a, void *p)
{
	struct first_ended *f = p;
	if (!f->tag && a->v[ASSET_TAG] && a->v[ASSET_OS] && strstr(a->v[ASSET_OS], "Windows 10"))
		f->tag = xstrdup(a->v[ASSET_TAG]);
	return 0;
}

static void set_answer(struct store *st, const struct checklist_catalog *cat, int64_t sheet,
		       const char *item, int round, bool yes, const char *confirmed,
		       const char *target)
{
	struct mamori_err err = { 0 };
	struct checklist_answer_in in = { .yes = yes, .confirmed_on = confirmed,
					  .target_on = target };

	ASSERT_RC(0, store_begin(st, &err), err);
	ASSERT_RC(0, checklist_answer_set(st, ACTOR, cat, sheet, 0, item, round, &in, &err), err);
	ASSERT_RC(0, store_commit(st, &err), err);
}

static void test_pack(void **state)
{
	struct testutil_fixture *fx = *state;
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	struct first_ended fe = { 0 };
	struct asset_query q = { .status = "in_use" };
	char today[11], hash[JOURNAL_HASH_HEX];
	int64_t sheet = 0, seq = 0;
	int fy;

	mamori_today(today);
	fy = checklist_fiscal_year(today);
	ASSERT_RC(0, demo_fill(fx->st, ACTOR, &err), err);
	ASSERT_RC(0, checklist_catalog_open(fx->st, &cat, &err), err);

	/* Without a sheet: ENOTFOUND saying to open one, and no file. */
	char *path = xasprintf("%s/pack.pdf", fx->dir);
	ASSERT_RC(MAMORI_ENOTFOUND, checklist_export_pack(fx->st, &cat, fy, today, path, &err), err);
	testutil_assert_contains(err.msg, "mamori checklist open");
	assert_int_equal(access(path, F_OK), -1);

	ASSERT_RC(0, store_begin(fx->st, &err), err);
	ASSERT_RC(0, checklist_sheet_open(fx->st, ACTOR, &cat, fy, CHECKLIST_FORM_IRYO, NULL, &sheet,
					  NULL, &err),
		  err);
	ASSERT_RC(0, store_commit(fx->st, &err), err);
	const struct checklist_edition *ed = checklist_catalog_for_year(&cat, fy, CHECKLIST_FORM_IRYO);
	assert_non_null(ed);
	char *confirmed = xasprintf("%d-06-01", fy), *target = xasprintf("%d-03-31", fy + 1);
	set_answer(fx->st, &cat, sheet, ed->items[0].id, 1, true, confirmed, NULL);
	set_answer(fx->st, &cat, sheet, ed->items[1].id, 1, false, confirmed, target);
	set_answer(fx->st, &cat, sheet, ed->items[2].id, 1, true, confirmed, NULL);

	/* A vendor sheet requested from each vendor with a contract. */
	json_t *vendors = NULL;
	int requested = 0;
	ASSERT_RC(0, ledger_list(fx->st, LEDGER_VENDOR, &vendors, &err), err);
	ASSERT_RC(0, store_begin(fx->st, &err), err);
	for (size_t i = 0; i < json_array_size(vendors); i++) {
		int64_t vid = json_integer_value(json_object_get(json_array_get(vendors, i), "id"));
		int64_t vs = 0;
		struct mamori_err e2 = { 0 };
		if (checklist_vendor_request(fx->st, ACTOR, &cat, fy, vid, NULL, &vs, &e2) == 0)
			requested++;
	}
	ASSERT_RC(0, store_commit(fx->st, &err), err);
	json_decref(vendors);
	assert_true(requested > 0);

	ASSERT_RC(0, checklist_export_pack(fx->st, &cat, fy, today, path, &err), err);
	char *listing = testutil_list_dir(fx->dir);
	if (strstr(listing, ".tmp"))
		fail_msg("a temporary file was left: %s", listing);
	testutil_assert_contains(listing, "pack.pdf");
	free(listing);
	ASSERT_RC(0, journal_head(fx->st, &seq, hash, &err), err);
	ASSERT_RC(0, asset_list(fx->st, &q, find_win10, &fe, &err), err);
	assert_non_null(fe.tag);

	if (!have("pdftotext") || !have("pdftoppm")) {
		print_message("[  SKIP    ] pdftotext/pdftoppm (poppler-utils) are not installed: "
			      "the PDF was not read back\n");
		goto out;
	}
	char *cmd = xasprintf("cd '%s' && pdftotext -layout pack.pdf pack.txt && "
			      "pdftoppm -r 50 -png -f 1 -l 1 pack.pdf page",
			      fx->dir);
	assert_int_equal(run(cmd), 0);
	free(cmd);
	char *txt_path = xasprintf("%s/pack.txt", fx->dir);
	char *txt = slurp(txt_path, NULL);
	char wareki[32];
	snprintf(wareki, sizeof(wareki), "令和%d年度", fy - 2018);
	testutil_assert_contains(txt, "立入検査用資料");
	testutil_assert_contains(txt, "施設名");
	testutil_assert_contains(txt, DEMO_FACILITY_NAME);
	testutil_assert_contains(txt, wareki);
	testutil_assert_contains(txt, hash);
	testutil_assert_contains(txt, "医療情報システム安全管理責任者を設置している。");
	testutil_assert_contains(txt, "文言未確認");
	testutil_assert_contains(txt, "OS のサポートが終了した機器");
	testutil_assert_contains(txt, fe.tag);
	testutil_assert_contains(txt, "事業者確認用の回収状況");
	testutil_assert_contains(txt, "依頼済");
	testutil_assert_contains(txt, "mamori journal verify");
	free(txt);
	free(txt_path);

	/* The first page rendered: a PNG with something on it. */
	DIR *d = opendir(fx->dir);
	struct dirent *de;
	off_t png = -1;
	assert_non_null(d);
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "page", 4) || !strstr(de->d_name, ".png"))
			continue;
		struct stat sb;
		char *p = xasprintf("%s/%s", fx->dir, de->d_name);
		assert_int_equal(stat(p, &sb), 0);
		png = sb.st_size;
		free(p);
	}
	closedir(d);
	if (png < 8000)
		fail_msg("first page PNG is %lld bytes: blank or missing", (long long)png);
out:
	free(fe.tag);
	free(confirmed);
	free(target);
	free(path);
	checklist_catalog_release(&cat);
}

static int setup_dir(void **state)
{
	return testutil_setup_dir(state, "clexport");
}

static int setup_store(void **state)
{
	return testutil_setup_store(state, "clpack");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_utf8),
		cmocka_unit_test(test_csv_cp932),
		cmocka_unit_test_setup_teardown(test_xlsx, setup_dir, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_pack, setup_store, testutil_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
