/*
 * xlsx_read.h - a small reader of Excel workbooks (.xlsx, Office Open XML
 * SpreadsheetML) for files that come from outside: the MHLW checklist
 * workbooks a hospital downloads, or a copy somebody sends round.
 *
 * It reads what a checklist importer needs and nothing more: the sheets in
 * workbook order with their names, the text of every non-empty cell, and the
 * merged ranges.  Styles, formulas (only their cached value is kept),
 * drawings, comments and phonetic guides (ふりがな) are ignored.
 *
 * The input is untrusted.  The zip container is opened from memory with
 * libzip and every XML part is parsed with expat under explicit limits
 * (XLSX_*_MAX below, explained in docs/internals/xlsx-import.md): bytes are
 * counted while decompressing (zip headers are not trusted), zip bombs are
 * refused by their compression ratio, a DOCTYPE is refused outright (no
 * entity can expand), and every count, length and cell address is bounded.
 * A problem is MAMORI_EINVAL with a Japanese message that names the part and,
 * for XML, the line: 「xl/sharedStrings.xml: 12 行目: XML が壊れています (…)」.
 *
 * Cell text, as resolved by the reader (always valid UTF-8 without NUL):
 *   - a shared string (t="s"): its text, rich-text runs concatenated,
 *     phonetic runs (<rPh>) left out;
 *   - an inline string (t="inlineStr") the same way;
 *   - a formula's string result (t="str"), an error (t="e") as written;
 *   - a boolean (t="b") as "TRUE" / "FALSE";
 *   - a number as written in the file (no number format applied);
 *   - the _xHHHH_ escapes of OOXML decoded (a NUL is dropped).
 * Cells without a value are not kept.
 */
#ifndef MAMORI_XLSX_READ_H
#define MAMORI_XLSX_READ_H

#include <stdbool.h>
#include <stddef.h>

struct mamori_err;

/* Limits (see docs/internals/xlsx-import.md for why each is what it is). */
#define XLSX_FILE_MAX (32u << 20)      /* bytes of the .xlsx file itself */
#define XLSX_ENTRIES_MAX 1000          /* entries in the zip directory */
#define XLSX_PART_MAX (16u << 20)      /* bytes of one part, decompressed */
#define XLSX_TOTAL_MAX (64u << 20)     /* bytes of all parts read, decompressed */
#define XLSX_RATIO_MAX 100             /* decompressed / compressed, for parts over ... */
#define XLSX_RATIO_FLOOR (1u << 20)    /* ... this many bytes */
#define XLSX_STR_MAX 32767             /* characters in one cell (Excel's own limit) */
#define XLSX_CELLS_MAX 200000          /* cells with a value in the whole book */
#define XLSX_SHARED_MAX 200000         /* shared strings */
#define XLSX_SHEETS_MAX 64             /* sheets */
#define XLSX_MERGES_MAX 20000          /* merged ranges in one sheet */
#define XLSX_NAME_MAX 255              /* bytes in a sheet name or part name */
#define XLSX_DEPTH_MAX 64              /* XML element nesting */
#define XLSX_ROW_MAX 1048576u          /* Excel's last row ... */
#define XLSX_COL_MAX 16384u            /* ... and column (XFD) */

/* A cell with a value; row and col are 1-based (A1 is 1, 1). */
struct xlsx_cell {
	unsigned row, col;
	char *text; /* never NULL; may be "" (an empty shared string) */
};

/* A merged range, top-left (r1, c1) to bottom-right (r2, c2), inclusive. */
struct xlsx_merge {
	unsigned r1, c1, r2, c2;
};

struct xlsx_sheet {
	char *name;               /* as shown on the tab; never NULL */
	bool hidden;              /* state="hidden" or "veryHidden" */
	struct xlsx_cell *cells;  /* sorted by (row, col), no two at one address */
	size_t nr_cells;
	struct xlsx_merge *merges; /* in file order */
	size_t nr_merges;
	unsigned max_row, max_col; /* of the cells with a value; 0 when none */
};

struct xlsx_book {
	struct xlsx_sheet *sheets; /* in workbook order */
	size_t nr_sheets;
};

#define XLSX_BOOK_INIT { 0 }

/*
 * Reads the workbook held in buf[0..len) (untrusted, any bytes).  On
 * success returns 0 and fills *out, which the caller releases with
 * xlsx_book_release().  Otherwise returns MAMORI_EINVAL (the file is not a
 * workbook the reader accepts, or exceeds a limit) with *out zeroed and
 * err->msg saying what and where; never crashes, and the work done is
 * bounded by the limits above whatever the input.
 */
int xlsx_book_read(const void *buf, size_t len, struct xlsx_book *out, struct mamori_err *err);

/* Frees everything book owns and zeroes it; NULL is fine. */
void xlsx_book_release(struct xlsx_book *book);

/* The sheet named name (exact match), or NULL. */
const struct xlsx_sheet *xlsx_book_sheet(const struct xlsx_book *book, const char *name);

/*
 * The text shown at (row, col): the cell's own value, or, when the address
 * lies in a merged range, the value of that range's top-left cell.  NULL
 * when there is none.  Binary search; O(merges) for the range lookup.
 */
const char *xlsx_sheet_cell(const struct xlsx_sheet *sh, unsigned row, unsigned col);

/* The merged range containing (row, col), or NULL. */
const struct xlsx_merge *xlsx_sheet_merge_at(const struct xlsx_sheet *sh, unsigned row,
					     unsigned col);

/*
 * Writes the A1-style name of (row, col) into out ("B12", "XFD1048576"),
 * always NUL-terminated; XLSX_CELL_NAME_LEN is enough for any valid
 * address.
 */
#define XLSX_CELL_NAME_LEN 16
void xlsx_cell_name(unsigned row, unsigned col, char out[XLSX_CELL_NAME_LEN]);

/*
 * Parses an A1-style reference ("B12", no "$", no sheet name) into 1-based
 * *row and *col.  Returns false unless it is exactly letters then digits
 * within XFD1048576.
 */
bool xlsx_parse_ref(const char *s, unsigned *row, unsigned *col);

#endif
