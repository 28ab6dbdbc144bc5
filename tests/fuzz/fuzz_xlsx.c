/*
 * fuzz_xlsx.c - libFuzzer target for the xlsx reader (src/core/xlsx_read.c)
 * and the checklist workbook importer on top of it
 * (src/core/checklist_xlsx.c): both read workbooks a hospital downloads or
 * is sent.
 *
 * An input that starts with "PK" is the file.  Any other input is wrapped
 * first (so that the fuzzer reaches the XML and the row rules instead of
 * dying on zip checksums): the bytes before the first NUL become
 * xl/worksheets/sheet1.xml, those after it xl/sharedStrings.xml (none
 * without a NUL), in a stored zip with a fixed workbook.
 *
 * Invariants: no crash, leak or hang; an error is MAMORI_EINVAL with a
 * message; a book read keeps its promises (cells sorted by address and
 * unique, within XFD1048576, text valid UTF-8 within the length limit,
 * merges ordered, xlsx_sheet_cell() finds every cell); an edition read from
 * the bytes writes JSON that checklist_catalog_load_buffer() accepts with
 * the same number of items.
 */
#include "common.h"

#include "checklist_catalog.h"
#include "checklist_xlsx.h"
#include "enc.h"
#include "xlsx_read.h"

#include <zip.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_book(const struct xlsx_book *book)
{
	size_t s, i;

	if (book->nr_sheets == 0 || book->nr_sheets > XLSX_SHEETS_MAX)
		BUG("%zu sheets", book->nr_sheets);
	for (s = 0; s < book->nr_sheets; s++) {
		const struct xlsx_sheet *sh = &book->sheets[s];

		if (!sh->name || !*sh->name)
			BUG("sheet without a name");
		for (i = 0; i < sh->nr_cells; i++) {
			const struct xlsx_cell *c = &sh->cells[i];
			size_t n = strlen(c->text);

			if (c->row < 1 || c->row > XLSX_ROW_MAX || c->col < 1 || c->col > XLSX_COL_MAX)
				BUG("cell %u,%u out of range", c->row, c->col);
			if (i && (c[-1].row > c->row || (c[-1].row == c->row && c[-1].col >= c->col)))
				BUG("cells not sorted at %zu", i);
			if (!enc_valid_utf8(c->text, n))
				BUG("cell %u,%u: invalid UTF-8", c->row, c->col);
			if (n > 4 * (size_t)XLSX_STR_MAX)
				BUG("cell %u,%u: %zu bytes", c->row, c->col, n);
			if (!xlsx_sheet_merge_at(sh, c->row, c->col) &&
			    xlsx_sheet_cell(sh, c->row, c->col) != c->text)
				BUG("lookup of %u,%u", c->row, c->col);
		}
		for (i = 0; i < sh->nr_merges; i++) {
			const struct xlsx_merge *m = &sh->merges[i];

			if (m->r1 > m->r2 || m->c1 > m->c2 || m->r1 < 1 || m->c1 < 1 ||
			    m->r2 > XLSX_ROW_MAX || m->c2 > XLSX_COL_MAX)
				BUG("bad merge %u,%u:%u,%u", m->r1, m->c1, m->r2, m->c2);
		}
	}
}

#define WORKBOOK                                                                           \
	"<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "        \
	"xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"      \
	"<sheets><sheet name=\"チェックリスト\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
#define RELS                                                                               \
	"<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">" \
	"<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/" \
	"relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>"

static void add(zip_t *za, const char *name, const void *data, size_t len)
{
	zip_source_t *s = zip_source_buffer(za, data, len, 0);
	zip_int64_t i;

	if (!s)
		BUG("zip_source_buffer");
	i = zip_file_add(za, name, s, 0);
	if (i < 0)
		BUG("zip_file_add: %s", zip_strerror(za));
	zip_set_file_compression(za, (zip_uint64_t)i, ZIP_CM_STORE, 0);
}

/* The package around a sheet (and shared strings after a NUL). */
static uint8_t *wrap(const uint8_t *data, size_t size, size_t *len)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t sheet_len = nul ? (size_t)(nul - data) : size;
	zip_error_t ze;
	zip_source_t *out;
	zip_t *za;
	zip_stat_t st;
	uint8_t *buf;

	zip_error_init(&ze);
	out = zip_source_buffer_create(NULL, 0, 0, &ze);
	if (!out)
		BUG("zip_source_buffer_create");
	zip_source_keep(out);
	za = zip_open_from_source(out, ZIP_TRUNCATE, &ze);
	if (!za)
		BUG("zip_open_from_source");
	add(za, "xl/workbook.xml", WORKBOOK, strlen(WORKBOOK));
	add(za, "xl/_rels/workbook.xml.rels", RELS, strlen(RELS));
	add(za, "xl/worksheets/sheet1.xml", data, sheet_len);
	if (nul)
		add(za, "xl/sharedStrings.xml", nul + 1, size - sheet_len - 1);
	if (zip_close(za) < 0)
		BUG("zip_close: %s", zip_strerror(za));
	zip_stat_init(&st);
	if (zip_source_open(out) < 0 || zip_source_stat(out, &st) < 0)
		BUG("zip_source_open");
	buf = xmalloc(st.size ? st.size : 1);
	if (zip_source_read(out, buf, st.size) != (zip_int64_t)st.size)
		BUG("zip_source_read");
	zip_source_close(out);
	zip_source_free(out);
	zip_error_fini(&ze);
	*len = st.size;
	return buf;
}

static void one(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size >= 2 && data[0] == 'P' && data[1] == 'K') {
		one(data, size);
	} else {
		size_t len;
		uint8_t *z = wrap(data, size, &len);

		one(z, len);
		free(z);
	}
	return 0;
}

static void one(const uint8_t *data, size_t size)
{
	struct xlsx_book book = XLSX_BOOK_INIT;
	struct checklist_xlsx_options opt = CHECKLIST_XLSX_OPTIONS_INIT;
	struct checklist_xlsx res;
	struct mamori_err err = { 0 };
	int r = xlsx_book_read(data, size, &book, &err);

	if (r == 0) {
		check_book(&book);
		xlsx_book_release(&book);
	} else if (r != MAMORI_EINVAL || !err.msg[0]) {
		BUG("xlsx_book_read returned %d: %s", r, err.msg);
	}

	opt.file_name = "fuzz.xlsx";
	opt.edition = "r9";
	opt.fiscal_year = 2027;
	r = checklist_xlsx_read(data, size, &opt, &res, &err);
	if (r == 0) {
		struct checklist_edition back;
		char *js = checklist_edition_to_json(&res.edition);

		if (res.edition.nr_items == 0)
			BUG("an edition without items");
		if (checklist_catalog_load_buffer("fuzz.json", js, strlen(js), &back, NULL, &err))
			BUG("own JSON refused: %s\n%s", err.msg, js);
		if (back.nr_items != res.edition.nr_items)
			BUG("%zu items, %zu after JSON", res.edition.nr_items, back.nr_items);
		checklist_edition_release(&back);
		free(js);
		checklist_xlsx_release(&res);
	} else if (r != MAMORI_EINVAL || !err.msg[0]) {
		BUG("checklist_xlsx_read returned %d: %s", r, err.msg);
	}
}
