/*
 * test_xlsx_read.c - unit tests for the xlsx reader (src/core/xlsx_read.c):
 * a workbook written by libxlsxwriter (two sheets, shared strings, a rich
 * string, merged cells, numbers, booleans, a formula's string result) reads
 * back cell by cell; hand-assembled packages (libzip) cover what Excel and
 * other writers also produce (inline strings, phonetic runs, _xHHHH_
 * escapes, cells without r, absolute targets, hidden sheets); and a table
 * of hostile files (zip bombs, DOCTYPE with entity expansion, broken XML,
 * a 100k-character string, out-of-range addresses and indexes, not a zip,
 * empty, truncated, too many entries) must each fail with a clear message
 * and within 2 seconds.
 *
 * When $XLSX_CORPUS_OUT names a directory, test_write_corpus also writes
 * the small seed files of tests/fuzz/corpus/xlsx there.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>
#include <time.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "fileio.h"
#include "strbuf.h"
#include "testutil.h"
#include "xlsx_read.h"

/* ------------------------------------------------------- zip building */

/* A part of a package built by zip_build(); data NULL means gen bytes of
 * filler generated on the fly (for zip bombs, without holding them). */
struct part {
	const char *name;
	const char *data;
	size_t gen;
	bool store; /* no compression */
};

struct gen_state {
	size_t size, left;
};

static zip_int64_t gen_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	struct gen_state *g = ud;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		g->left = g->size;
		return 0;
	case ZIP_SOURCE_READ: {
		zip_uint64_t n = len < g->left ? len : g->left;

		memset(data, ' ', n);
		g->left -= n;
		return (zip_int64_t)n;
	}
	case ZIP_SOURCE_CLOSE:
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = data;

		zip_stat_init(st);
		return sizeof(*st);
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(NULL, data, len);
	case ZIP_SOURCE_FREE:
		free(g);
		return 0;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ,
						      ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
						      ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	default:
		return -1;
	}
}

/* The package made of parts, in memory; *len its size. */
static char *zip_build(const struct part *parts, size_t n, size_t *len)
{
	zip_error_t ze;
	zip_source_t *out;
	zip_t *za;
	zip_stat_t st;
	char *buf;
	size_t i;

	zip_error_init(&ze);
	out = zip_source_buffer_create(NULL, 0, 0, &ze);
	assert_non_null(out);
	zip_source_keep(out);
	za = zip_open_from_source(out, ZIP_TRUNCATE, &ze);
	assert_non_null(za);
	for (i = 0; i < n; i++) {
		zip_source_t *s;
		zip_int64_t idx;

		if (parts[i].data) {
			s = zip_source_buffer(za, parts[i].data, strlen(parts[i].data), 0);
		} else {
			struct gen_state *g = xcalloc(1, sizeof(*g));

			g->size = parts[i].gen;
			s = zip_source_function(za, gen_cb, g);
		}
		assert_non_null(s);
		idx = zip_file_add(za, parts[i].name, s, ZIP_FL_ENC_UTF_8);
		assert_true(idx >= 0);
		zip_set_file_compression(za, (zip_uint64_t)idx,
					 parts[i].store ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
					 parts[i].data ? 6 : 1);
	}
	if (zip_close(za) < 0)
		fail_msg("zip_close: %s", zip_strerror(za));
	assert_int_equal(zip_source_open(out), 0);
	zip_stat_init(&st);
	assert_int_equal(zip_source_stat(out, &st), 0);
	buf = xmalloc(st.size ? st.size : 1);
	assert_int_equal(zip_source_read(out, buf, st.size), (zip_int64_t)st.size);
	zip_source_close(out);
	zip_source_free(out);
	zip_error_fini(&ze);
	*len = st.size;
	return buf;
}

#define NS_MAIN "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\""
#define NS_R "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\""
#define REL_TYPE "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

#define WORKBOOK_1                                                                         \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<workbook " NS_MAIN " " NS_R             \
	"><sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
#define RELS_1                                                                             \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships "                         \
	"xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"            \
	"<Relationship Id=\"rId1\" Type=\"" REL_TYPE "worksheet\" "                          \
	"Target=\"worksheets/sheet1.xml\"/>"                                                 \
	"<Relationship Id=\"rId2\" Type=\"" REL_TYPE "sharedStrings\" "                      \
	"Target=\"sharedStrings.xml\"/></Relationships>"
#define RELS_NO_SST                                                                        \
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships "                         \
	"xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"            \
	"<Relationship Id=\"rId1\" Type=\"" REL_TYPE "worksheet\" "                          \
	"Target=\"worksheets/sheet1.xml\"/></Relationships>"
#define SHEET(data) "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<worksheet " NS_MAIN "><sheetData>" data "</sheetData></worksheet>"
#define SST(items) "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sst " NS_MAIN ">" items "</sst>"

/* A one-sheet package from its sheet and shared strings (NULL: none). */
static char *book1(const char *sheet, const char *sst, size_t *len)
{
	struct part parts[4] = {
		{ "xl/workbook.xml", WORKBOOK_1, 0, false },
		{ "xl/_rels/workbook.xml.rels", sst ? RELS_1 : RELS_NO_SST, 0, false },
		{ "xl/worksheets/sheet1.xml", sheet, 0, false },
		{ "xl/sharedStrings.xml", sst, 0, false },
	};

	return zip_build(parts, sst ? 4 : 3, len);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------ addresses */

static void test_cell_names(void **state)
{
	char name[XLSX_CELL_NAME_LEN];
	unsigned r = 0, c = 0;

	xlsx_cell_name(1, 1, name);
	assert_string_equal(name, "A1");
	xlsx_cell_name(12, 2, name);
	assert_string_equal(name, "B12");
	xlsx_cell_name(1, 27, name);
	assert_string_equal(name, "AA1");
	xlsx_cell_name(XLSX_ROW_MAX, XLSX_COL_MAX, name);
	assert_string_equal(name, "XFD1048576");
	xlsx_cell_name(1, XLSX_COL_MAX + 1, name);
	assert_string_equal(name, "?");

	assert_true(xlsx_parse_ref("XFD1048576", &r, &c));
	assert_int_equal(r, XLSX_ROW_MAX);
	assert_int_equal(c, XLSX_COL_MAX);
	assert_true(xlsx_parse_ref("b12", &r, &c));
	assert_int_equal(r, 12);
	assert_int_equal(c, 2);
	assert_false(xlsx_parse_ref("XFE1", &r, &c));
	assert_false(xlsx_parse_ref("A1048577", &r, &c));
	assert_false(xlsx_parse_ref("A0", &r, &c));
	assert_false(xlsx_parse_ref("A01", &r, &c));
	assert_false(xlsx_parse_ref("1A", &r, &c));
	assert_false(xlsx_parse_ref("$A$1", &r, &c));
	assert_false(xlsx_parse_ref("", &r, &c));
	assert_false(xlsx_parse_ref("AAAAA1", &r, &c));
}

/* ------------------------------------------------------ libxlsxwriter */

static char *read_back(const char *path, size_t *len)
{
	struct mamori_err err = { 0 };
	char *data = NULL;

	ASSERT_RC(0, fileio_read_all(path, XLSX_FILE_MAX, &data, len, &err), err);
	return data;
}

static void test_written_by_libxlsxwriter(void **state)
{
	char *dir = testutil_mkdtemp("xlsx-read");
	char *path = xasprintf("%s/book.xlsx", dir);
	lxw_workbook *wb = workbook_new(path);
	lxw_worksheet *cover = workbook_add_worksheet(wb, "表紙");
	lxw_worksheet *ws = workbook_add_worksheet(wb, "チェックリスト");
	lxw_format *bold = workbook_add_format(wb);
	lxw_rich_string_tuple f1 = { NULL, "パスワードの" }, f2 = { bold, "使い回し" },
			      f3 = { NULL, "を禁止している。" };
	lxw_rich_string_tuple *rich[] = { &f1, &f2, &f3, NULL };
	struct xlsx_book book = XLSX_BOOK_INIT;
	struct mamori_err err = { 0 };
	const struct xlsx_sheet *sh;
	const struct xlsx_merge *m;
	char *data;
	size_t len, i;

	format_set_bold(bold);
	worksheet_write_string(cover, 0, 0, "表紙の文字", NULL);
	worksheet_merge_range(ws, 0, 0, 0, 5, "医療機関におけるチェックリスト", NULL);
	worksheet_write_string(ws, 2, 0, "①", NULL);
	worksheet_write_string(ws, 2, 1, "行1\n行2", NULL);
	worksheet_write_rich_string(ws, 3, 1, rich, NULL);
	worksheet_write_number(ws, 4, 2, 42, NULL);
	worksheet_write_number(ws, 4, 3, 2.5, NULL);
	worksheet_write_boolean(ws, 4, 4, 1, NULL);
	worksheet_write_formula_str(ws, 5, 0, "=\"計\"&\"算\"", NULL, "計算");
	worksheet_write_string(ws, 9, 27, "AB10", NULL);
	worksheet_write_string(ws, 6, 0, "行1\n行2", NULL); /* a shared string used twice */
	assert_int_equal(workbook_close(wb), LXW_NO_ERROR);

	data = read_back(path, &len);
	ASSERT_RC(0, xlsx_book_read(data, len, &book, &err), err);
	assert_int_equal(book.nr_sheets, 2);
	assert_string_equal(book.sheets[0].name, "表紙");
	assert_string_equal(book.sheets[1].name, "チェックリスト");
	assert_string_equal(xlsx_sheet_cell(&book.sheets[0], 1, 1), "表紙の文字");
	sh = xlsx_book_sheet(&book, "チェックリスト");
	assert_ptr_equal(sh, &book.sheets[1]);
	assert_null(xlsx_book_sheet(&book, "ない"));

	assert_string_equal(xlsx_sheet_cell(sh, 1, 1), "医療機関におけるチェックリスト");
	assert_string_equal(xlsx_sheet_cell(sh, 1, 6), "医療機関におけるチェックリスト");
	assert_null(xlsx_sheet_cell(sh, 1, 7));
	m = xlsx_sheet_merge_at(sh, 1, 3);
	assert_non_null(m);
	assert_int_equal(m->r1, 1);
	assert_int_equal(m->c1, 1);
	assert_int_equal(m->r2, 1);
	assert_int_equal(m->c2, 6);
	assert_int_equal(sh->nr_merges, 1);

	assert_string_equal(xlsx_sheet_cell(sh, 3, 1), "①");
	assert_string_equal(xlsx_sheet_cell(sh, 3, 2), "行1\n行2");
	assert_string_equal(xlsx_sheet_cell(sh, 4, 2), "パスワードの使い回しを禁止している。");
	assert_string_equal(xlsx_sheet_cell(sh, 5, 3), "42");
	assert_string_equal(xlsx_sheet_cell(sh, 5, 4), "2.5");
	assert_string_equal(xlsx_sheet_cell(sh, 5, 5), "TRUE");
	assert_string_equal(xlsx_sheet_cell(sh, 6, 1), "計算");
	assert_string_equal(xlsx_sheet_cell(sh, 7, 1), "行1\n行2");
	assert_string_equal(xlsx_sheet_cell(sh, 10, 28), "AB10");
	assert_null(xlsx_sheet_cell(sh, 2, 1));
	assert_null(xlsx_sheet_cell(sh, 1048576, 16384));
	assert_int_equal(sh->max_row, 10);
	assert_int_equal(sh->max_col, 28);
	for (i = 1; i < sh->nr_cells; i++)
		assert_true(sh->cells[i - 1].row < sh->cells[i].row ||
			    (sh->cells[i - 1].row == sh->cells[i].row &&
			     sh->cells[i - 1].col < sh->cells[i].col));

	xlsx_book_release(&book);
	xlsx_book_release(&book);
	xlsx_book_release(NULL);
	free(data);
	free(path);
	testutil_rmtree(dir);
	free(dir);
}

/* --------------------------------------------------------- hand-made */

static void test_hand_made(void **state)
{
	static const char wbx[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<x:workbook "
		"xmlns:x=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
		"xmlns:rel=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
		"<x:sheets><x:sheet name=\"B\" sheetId=\"2\" rel:id=\"rId9\"/>"
		"<x:sheet name=\"A\" sheetId=\"1\" state=\"hidden\" rel:id=\"rId1\"/>"
		"<x:sheet name=\"Chart\" sheetId=\"3\" rel:id=\"rId3\"/></x:sheets></x:workbook>";
	static const char rels[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Relationships "
		"xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
		"<Relationship Id=\"rId1\" Type=\"" REL_TYPE "worksheet\" Target=\"/xl/worksheets/a.xml\"/>"
		"<Relationship Id=\"rId9\" Type=\"" REL_TYPE "worksheet\" Target=\"./worksheets/../worksheets/b.xml\"/>"
		"<Relationship Id=\"rId3\" Type=\"" REL_TYPE "chartsheet\" Target=\"chartsheets/c.xml\"/>"
		"<Relationship Id=\"rId4\" Type=\"" REL_TYPE "hyperlink\" Target=\"https://example.jp/\" TargetMode=\"External\"/>"
		"<Relationship Id=\"rId5\" Type=\"" REL_TYPE "sharedStrings\" Target=\"strings/s.xml\"/>"
		"</Relationships>";
	static const char sst[] = SST(
		"<si><t>漢字</t><rPh sb=\"0\" eb=\"2\"><t>カンジ</t></rPh><phoneticPr fontId=\"1\"/></si>"
		"<si><r><rPr><b/></rPr><t>太字</t></r><r><t xml:space=\"preserve\"> と普通</t></r></si>"
		"<si><t>改行_x000D_\nあり_x005F_x0041_</t></si>"
		"<si><t/></si>");
	static const char a[] = SHEET(
		"<row r=\"2\"><c r=\"B2\" t=\"s\"><v>0</v></c><c t=\"s\"><v>1</v></c>"
		"<c t=\"inlineStr\"><is><t>インライン</t><rPh><t>いんらいん</t></rPh></is></c></row>"
		"<row><c t=\"s\"><v>2</v></c><c t=\"str\"><f>A1</f><v>式の値</v></c>"
		"<c t=\"b\"><v>0</v></c><c t=\"e\"><v>#N/A</v></c><c s=\"3\"/><c t=\"s\"><v>3</v></c></row>")
		"";
	static const char b[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<worksheet " NS_MAIN "><sheetData>"
		"<row r=\"1\"><c r=\"A1\"><v>1</v></c></row></sheetData>"
		"<mergeCells count=\"2\"><mergeCell ref=\"C3:A1\"/><mergeCell ref=\"D4\"/></mergeCells>"
		"</worksheet>";
	struct part parts[] = {
		{ "xl/workbook.xml", wbx, 0, false },
		{ "xl/_rels/workbook.xml.rels", rels, 0, true },
		{ "xl/strings/s.xml", sst, 0, false },
		{ "xl/worksheets/a.xml", a, 0, false },
		{ "xl/worksheets/b.xml", b, 0, true },
		{ "xl/chartsheets/c.xml", "<not even looked at", 0, false },
	};
	struct xlsx_book book = XLSX_BOOK_INIT;
	struct mamori_err err = { 0 };
	const struct xlsx_sheet *sh;
	size_t len;
	char *data = zip_build(parts, ARRAY_SIZE(parts), &len);

	ASSERT_RC(0, xlsx_book_read(data, len, &book, &err), err);
	assert_int_equal(book.nr_sheets, 3);
	assert_string_equal(book.sheets[0].name, "B");
	assert_false(book.sheets[0].hidden);
	assert_string_equal(book.sheets[1].name, "A");
	assert_true(book.sheets[1].hidden);
	assert_string_equal(book.sheets[2].name, "Chart");
	assert_int_equal(book.sheets[2].nr_cells, 0);

	sh = &book.sheets[1];
	assert_string_equal(xlsx_sheet_cell(sh, 2, 2), "漢字");
	assert_string_equal(xlsx_sheet_cell(sh, 2, 3), "太字 と普通");
	assert_string_equal(xlsx_sheet_cell(sh, 2, 4), "インライン");
	assert_string_equal(xlsx_sheet_cell(sh, 3, 1), "改行\r\nあり_x0041_");
	assert_string_equal(xlsx_sheet_cell(sh, 3, 2), "式の値");
	assert_string_equal(xlsx_sheet_cell(sh, 3, 3), "FALSE");
	assert_string_equal(xlsx_sheet_cell(sh, 3, 4), "#N/A");
	assert_null(xlsx_sheet_cell(sh, 3, 5)); /* styled, no value */
	assert_string_equal(xlsx_sheet_cell(sh, 3, 6), "");
	assert_int_equal(sh->nr_cells, 8);

	sh = &book.sheets[0];
	assert_int_equal(sh->nr_merges, 2);
	assert_int_equal(sh->merges[0].r1, 1);
	assert_int_equal(sh->merges[0].c2, 3);
	assert_string_equal(xlsx_sheet_cell(sh, 3, 3), "1");
	assert_null(xlsx_sheet_cell(sh, 4, 4));
	xlsx_book_release(&book);
	free(data);
}

/* ------------------------------------------------------------- hostile */

struct bad {
	const char *what;
	char *data; /* owned */
	size_t len;
	const char *want;
	const char *want2;
};

static void check_bad(const struct bad *b)
{
	struct xlsx_book book = XLSX_BOOK_INIT;
	struct mamori_err err = { 0 };
	double t0 = now_s(), dt;
	int r = xlsx_book_read(b->data, b->len, &book, &err);

	dt = now_s() - t0;
	if (getenv("XLSX_TEST_VERBOSE"))
		fprintf(stderr, "%s: %.3f s: %s\n", b->what, dt, err.msg);
	if (r != MAMORI_EINVAL)
		fail_msg("%s: returned %d (%s)", b->what, r, err.msg);
	if (!strstr(err.msg, b->want) || (b->want2 && !strstr(err.msg, b->want2)))
		fail_msg("%s: message「%s」lacks「%s」%s%s", b->what, err.msg, b->want,
			 b->want2 ? " / " : "", b->want2 ? b->want2 : "");
	if (dt > 2.0)
		fail_msg("%s: took %.2f s", b->what, dt);
	assert_int_equal(book.nr_sheets, 0);
	assert_null(book.sheets);
}

static struct bad sheet_case(const char *what, const char *sheet, const char *sst,
			     const char *want, const char *want2)
{
	struct bad b = { what, NULL, 0, want, want2 };

	b.data = book1(sheet, sst, &b.len);
	return b;
}

static void test_hostile(void **state)
{
	static const char laughs[] =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n<!ENTITY lol \"lol\">\n"
		"<!ENTITY lol2 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n"
		"<!ENTITY lol3 \"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">\n"
		"<!ENTITY lol9 \"&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;\">\n"
		"]>\n<sst " NS_MAIN "><si><t>&lol9;</t></si></sst>";
	struct strbuf big = STRBUF_INIT, many = STRBUF_INIT;
	struct bad cases[32];
	size_t n = 0, i, len;
	char *good;

	/* not a zip, empty, truncated */
	cases[n++] = (struct bad){ "not a zip", xstrdup("これは xlsx ではない"),
				   strlen("これは xlsx ではない"), "xlsx (zip 形式) のファイルではありません",
				   NULL };
	cases[n++] = (struct bad){ "empty", xstrdup(""), 0, "空のファイル", NULL };
	good = book1(SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"), NULL, &len);
	cases[n++] = (struct bad){ "truncated", good, len / 2, "zip が途中で切れているか壊れています",
				   NULL };
	{
		char *junk = xmalloc(64);

		memcpy(junk, "PK\x03\x04", 4);
		memset(junk + 4, 0xff, 60);
		cases[n++] = (struct bad){ "PK and junk", junk, 64, "zip が途中で切れているか壊れています",
					   NULL };
	}

	/* parts missing */
	{
		struct part p[] = { { "docProps/app.xml", "<x/>", 0, false } };

		cases[n].what = "no workbook";
		cases[n].data = zip_build(p, 1, &cases[n].len);
		cases[n].want = "xl/workbook.xml がありません";
		cases[n++].want2 = NULL;
	}
	{
		struct part p[] = {
			{ "xl/workbook.xml", WORKBOOK_1, 0, false },
			{ "xl/_rels/workbook.xml.rels", RELS_1, 0, false },
		};

		cases[n].what = "sheet part missing";
		cases[n].data = zip_build(p, 2, &cases[n].len);
		cases[n].want = "xl/sharedStrings.xml がありません";
		cases[n++].want2 = NULL;
	}
	cases[n++] = sheet_case("missing sharedStrings",
				SHEET("<row r=\"1\"><c r=\"B1\" t=\"s\"><v>0</v></c></row>"), NULL,
				"xl/worksheets/sheet1.xml: 2 行目: セル B1: 共有文字列を参照していますが",
				"xl/sharedStrings.xml");
	cases[n++] = sheet_case("shared string index out of range",
				SHEET("<row r=\"1\"><c r=\"C1\" t=\"s\"><v>5</v></c></row>"),
				SST("<si><t>a</t></si>"),
				"セル C1: 共有文字列の番号 5 が範囲外です", "1 個");
	cases[n++] = sheet_case("bad shared string index",
				SHEET("<row r=\"1\"><c r=\"C1\" t=\"s\"><v>-1</v></c></row>"),
				SST("<si><t>a</t></si>"), "共有文字列の番号「-1」が正しくありません",
				NULL);
	cases[n++] = sheet_case("column XFE",
				SHEET("<row r=\"1\"><c r=\"XFE1\"><v>1</v></c></row>"), NULL,
				"xl/worksheets/sheet1.xml: 2 行目: セル番地「XFE1」が範囲外です",
				"XFD1048576");
	cases[n++] = sheet_case("row 1048577 in a cell",
				SHEET("<row r=\"1\"><c r=\"A1048577\"><v>1</v></c></row>"), NULL,
				"セル番地「A1048577」が範囲外です", NULL);
	cases[n++] = sheet_case("row 1048577",
				SHEET("<row r=\"1048577\"><c><v>1</v></c></row>"), NULL,
				"行番号 1048577 が範囲外です", NULL);
	cases[n++] = sheet_case("bad cell ref", SHEET("<row r=\"1\"><c r=\"1A\"><v>1</v></c></row>"),
				NULL, "セル番地「1A」が正しくありません", NULL);
	cases[n++] = sheet_case("bad merge",
				"<?xml version=\"1.0\"?>\n<worksheet " NS_MAIN "><sheetData/>"
				"<mergeCells><mergeCell ref=\"A1:XFE2\"/></mergeCells></worksheet>",
				NULL, "結合範囲「A1:XFE2」が正しくありません", NULL);
	cases[n++] = sheet_case("duplicate cell",
				SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c><c r=\"A1\"><v>2</v></c></row>"),
				NULL, "セル A1 が 2 回あります", NULL);
	cases[n++] = sheet_case("broken XML in sharedStrings",
				SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"),
				"<?xml version=\"1.0\"?>\n<sst " NS_MAIN ">\n<si><t>a</si></sst>",
				"xl/sharedStrings.xml: 3 行目: XML が壊れています", NULL);
	cases[n++] = sheet_case("DOCTYPE with entity expansion",
				SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"), laughs,
				"xl/sharedStrings.xml: 2 行目: DOCTYPE 宣言は受け付けません", NULL);
	cases[n++] = sheet_case("invalid UTF-8",
				SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>\xe6\x97</t></is></c></row>"),
				NULL, "xl/worksheets/sheet1.xml: 2 行目: UTF-8 として正しくない", NULL);
	cases[n++] = sheet_case("unbound prefix", SHEET("<x:row/>"), NULL, "XML が壊れています",
				NULL);
	/* a 100k-character shared string */
	strbuf_addstr(&big, "<?xml version=\"1.0\"?>\n<sst " NS_MAIN "><si><t>");
	for (i = 0; i < 100000; i++)
		strbuf_addstr(&big, "あ");
	strbuf_addstr(&big, "</t></si></sst>");
	cases[n++] = sheet_case("100k-character string",
				SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"), big.buf,
				"xl/sharedStrings.xml: 2 行目: 文字列が長すぎます", "32767");
	/* nesting */
	strbuf_addstr(&many, "<?xml version=\"1.0\"?>\n<worksheet " NS_MAIN ">");
	for (i = 0; i < 100; i++)
		strbuf_addstr(&many, "<a>");
	for (i = 0; i < 100; i++)
		strbuf_addstr(&many, "</a>");
	strbuf_addstr(&many, "</worksheet>");
	cases[n++] = sheet_case("deep nesting", many.buf, NULL, "入れ子が深すぎます", NULL);
	/* a sheet whose part the relationships do not name */
	{
		struct part p[] = {
			{ "xl/workbook.xml",
			  "<?xml version=\"1.0\"?>\n<workbook " NS_MAIN " " NS_R "><sheets>"
			  "<sheet name=\"S\" sheetId=\"1\" r:id=\"rId7\"/></sheets></workbook>",
			  0, false },
			{ "xl/_rels/workbook.xml.rels", RELS_NO_SST, 0, false },
		};

		cases[n].what = "sheet not in rels";
		cases[n].data = zip_build(p, 2, &cases[n].len);
		cases[n].want = "シート「S」の部品 (rId7) が xl/_rels/workbook.xml.rels にありません";
		cases[n++].want2 = NULL;
	}
	{
		struct part p[] = {
			{ "xl/workbook.xml", WORKBOOK_1, 0, false },
			{ "xl/_rels/workbook.xml.rels",
			  "<?xml version=\"1.0\"?>\n<Relationships "
			  "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
			  "<Relationship Id=\"rId1\" Type=\"" REL_TYPE "worksheet\" "
			  "Target=\"../../etc/passwd\"/></Relationships>",
			  0, false },
		};

		cases[n].what = "target outside the package";
		cases[n].data = zip_build(p, 2, &cases[n].len);
		cases[n].want = "参照先「../../etc/passwd」が正しくありません";
		cases[n++].want2 = NULL;
	}
	/* too many entries */
	{
		struct part *p = xcalloc(XLSX_ENTRIES_MAX + 1, sizeof(*p));
		char (*names)[32] = xcalloc(XLSX_ENTRIES_MAX + 1, sizeof(*names));

		for (i = 0; i <= XLSX_ENTRIES_MAX; i++) {
			snprintf(names[i], sizeof(names[i]), "x/%zu", i);
			p[i].name = names[i];
			p[i].data = "";
			p[i].store = true;
		}
		cases[n].what = "too many entries";
		cases[n].data = zip_build(p, XLSX_ENTRIES_MAX + 1, &cases[n].len);
		cases[n].want = "zip の項目が多すぎます (1001 個、上限 1000 個)";
		cases[n++].want2 = NULL;
		free(p);
		free(names);
	}
	assert_true(n <= ARRAY_SIZE(cases));
	for (i = 0; i < n; i++) {
		check_bad(&cases[i]);
		free(cases[i].data);
	}
	strbuf_release(&big);
	strbuf_release(&many);
}

/* Sets the uncompressed size recorded for every entry (local and central
 * headers) to size: a zip that lies about what it holds. */
static void lie_about_sizes(char *z, size_t len, uint32_t size)
{
	size_t i;

	for (i = 0; i + 46 <= len; i++) {
		if (!memcmp(z + i, "PK\x01\x02", 4)) {
			uint32_t off;

			memcpy(z + i + 24, &size, 4);
			memcpy(&off, z + i + 42, 4);
			if ((size_t)off + 30 <= len && !memcmp(z + off, "PK\x03\x04", 4))
				memcpy(z + off + 22, &size, 4);
		}
	}
}

static void test_zip_bombs(void **state)
{
	struct part p[] = {
		{ "xl/workbook.xml", WORKBOOK_1, 0, false },
		{ "xl/_rels/workbook.xml.rels", RELS_NO_SST, 0, false },
		{ "xl/worksheets/sheet1.xml", NULL, 200u << 20, false },
	};
	struct bad b = { "200 MB part", NULL, 0, "xl/worksheets/sheet1.xml: 展開後の大きさが上限を超えます",
			 "209715200 バイト" };
	char *lie;

	b.data = zip_build(p, ARRAY_SIZE(p), &b.len);
	assert_true(b.len < (1u << 20));
	check_bad(&b);

	/* the same with sizes that lie: stopped while decompressing */
	lie = xmalloc(b.len);
	memcpy(lie, b.data, b.len);
	lie_about_sizes(lie, b.len, 1000);
	{
		struct bad b2 = { "200 MB part, lying sizes", lie, b.len, "xl/", "zip" };

		check_bad(&b2);
	}
	free(lie);
	free(b.data);

	/* a part small enough but compressed far beyond any real sheet */
	p[2].gen = 10u << 20;
	b.what = "10 MB of spaces";
	b.data = zip_build(p, ARRAY_SIZE(p), &b.len);
	b.want = "xl/worksheets/sheet1.xml: 圧縮率が異常です";
	b.want2 = "zip bomb";
	check_bad(&b);
	lie_about_sizes(b.data, b.len, 1000);
	b.what = "10 MB of spaces, lying sizes";
	check_bad(&b);
	free(b.data);
}

/* The bounds on counts hold and are reported. */
static void test_limits(void **state)
{
	struct strbuf sst = STRBUF_INIT;
	struct xlsx_book book = XLSX_BOOK_INIT;
	struct mamori_err err = { 0 };
	size_t i, len;
	char *data;

	strbuf_addstr(&sst, "<?xml version=\"1.0\"?>\n<sst " NS_MAIN ">");
	for (i = 0; i <= XLSX_SHARED_MAX; i++)
		strbuf_addstr(&sst, "<si/>");
	strbuf_addstr(&sst, "</sst>");
	data = book1(SHEET(""), sst.buf, &len);
	assert_int_equal(xlsx_book_read(data, len, &book, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "共有文字列が多すぎます");
	free(data);
	strbuf_release(&sst);

	/* the text of one long shared string used by many cells is bounded */
	strbuf_addstr(&sst, "<?xml version=\"1.0\"?>\n<worksheet " NS_MAIN "><sheetData>");
	for (i = 1; i <= 3000; i++)
		strbuf_addf(&sst, "<row r=\"%zu\"><c t=\"s\"><v>0</v></c></row>", i);
	strbuf_addstr(&sst, "</sheetData></worksheet>");
	{
		struct strbuf s2 = STRBUF_INIT;

		strbuf_addstr(&s2, "<?xml version=\"1.0\"?>\n<sst " NS_MAIN "><si><t>");
		for (i = 0; i < XLSX_STR_MAX; i++)
			strbuf_addstr(&s2, "x");
		strbuf_addstr(&s2, "</t></si></sst>");
		data = book1(sst.buf, s2.buf, &len);
		strbuf_release(&s2);
	}
	assert_int_equal(xlsx_book_read(data, len, &book, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "セルの文字の合計が多すぎます");
	free(data);
	strbuf_release(&sst);
}

/* ----------------------------------------------------------- the corpus */

static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	free(path);
}

#define CHECK_SHEET                                                                        \
	SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c></row>"                           \
	      "<row r=\"3\"><c r=\"C3\" t=\"s\"><v>1</v></c><c r=\"D3\" t=\"s\"><v>2</v></c>"    \
	      "<c r=\"E3\" t=\"s\"><v>3</v></c></row>"                                           \
	      "<row r=\"4\"><c r=\"A4\" t=\"s\"><v>4</v></c></row>"                              \
	      "<row r=\"5\"><c r=\"A5\" t=\"s\"><v>5</v></c><c r=\"B5\" t=\"s\"><v>6</v></c>"    \
	      "<c r=\"F5\" t=\"s\"><v>7</v></c></row>"                                           \
	      "<row r=\"6\"><c r=\"A6\" t=\"inlineStr\"><is><t>※注記</t></is></c></row>")       \
	""
#define CHECK_SST                                                                          \
	SST("<si><t>医療機関におけるサイバーセキュリティ対策チェックリスト（医療機関確認用）</t></si>" \
	    "<si><t>1回目</t></si><si><t>確認日</t></si><si><t>目標日</t></si>"                \
	    "<si><t>1 体制構築【医療機関確認用・事業者確認用】</t></si>"                         \
	    "<si><t>①</t></si>"                                                                \
	    "<si><t>医療情報システム安全管理責任者を設置している。(医療情報システム全般)</t></si>" \
	    "<si><t>▶企画管理編 9.1 ▶システム運用編 10.1</t></si>")

/* Writes the seed corpus when $XLSX_CORPUS_OUT is set; otherwise only
 * checks that the seeds can be built. */
static void test_write_corpus(void **state)
{
	const char *dir = getenv("XLSX_CORPUS_OUT");
	size_t len;
	char *d;

	d = book1(CHECK_SHEET, CHECK_SST, &len);
	assert_true(len < 4096);
	if (dir)
		write_file(dir, "checklist-min.xlsx", d, len);
	free(d);
	d = book1(SHEET("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>a</t></is></c>"
			"<c r=\"B1\"><v>1.5</v></c><c r=\"C1\" t=\"b\"><v>1</v></c></row>"),
		  NULL, &len);
	if (dir)
		write_file(dir, "inline.xlsx", d, len);
	free(d);
	d = book1(SHEET("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>9</v></c></row>"),
		  SST("<si><t>a</t></si>"), &len);
	if (dir)
		write_file(dir, "sst-range.xlsx", d, len);
	free(d);
	d = book1(SHEET("<row r=\"1\"><c r=\"XFE1\"><v>1</v></c></row>"), NULL, &len);
	if (dir)
		write_file(dir, "xfe1.xlsx", d, len);
	free(d);
	d = book1(SHEET("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>"),
		  "<?xml version=\"1.0\"?>\n<!DOCTYPE x [<!ENTITY a \"b\">]><sst " NS_MAIN "/>", &len);
	if (dir)
		write_file(dir, "doctype.xlsx", d, len);
	free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cell_names),
		cmocka_unit_test(test_written_by_libxlsxwriter),
		cmocka_unit_test(test_hand_made),
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_zip_bombs),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_write_corpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
