/*
 * checklist_xlsx.h - turns an MHLW checklist workbook (.xlsx, e.g. the
 * 令和8年度 001716187.xlsx 「チェックリスト（医療機関・薬局確認用）」) into a
 * struct checklist_edition (checklist_catalog.h) and a preview a person
 * reads before the edition is stored.
 *
 * The file is identified by its SHA-256 first.  A file in the table of
 * known official files (checklist_xlsx_known_files()) gives the edition id,
 * fiscal year and form, and its wordings get the status "official" (counted
 * as confirmed).  Any other workbook is still read, but its wordings get
 * "imported" (shown as 文言未確認 until somebody checks them) and the caller
 * must say the edition and fiscal year.
 *
 * The workbook is read with xlsx_read.h; then the checklist sheet is found
 * (the sheet with item rows) and every row with text is classified as the
 * title, a header row (1回目 / 2回目 / 確認日 / 目標日 ...), a section row
 * (「1 体制構築【医療機関確認用・事業者確認用】」, 「医療情報システムの有無」
 * = section 0), an item row (①…⑳, (1)…(20)), a note row (※ ＊ *), a
 * fill-in field (医療機関名 ...), or - when it is none of these - an
 * unplaced row, listed in the preview so that nothing in the sheet is
 * silently dropped.  The rules are in docs/internals/xlsx-import.md.
 *
 * Nothing here writes to the store or prints; the CLI shows the preview,
 * asks, then stores checklist_edition_to_json() of the edition.
 */
#ifndef MAMORI_CHECKLIST_XLSX_H
#define MAMORI_CHECKLIST_XLSX_H

#include <stdbool.h>
#include <stddef.h>

#include "checklist_catalog.h"

struct mamori_err;
struct strbuf;

#define CHECKLIST_XLSX_SHA256_LEN 65    /* 64 hex digits and the NUL */
#define CHECKLIST_XLSX_UNPLACED_MAX 200 /* unplaced rows kept (all are counted) */
#define CHECKLIST_XLSX_FILE_NAME_MAX 200 /* bytes of the file name kept */

/* One official MHLW workbook, recognised by its SHA-256. */
struct checklist_xlsx_known {
	const char *file;        /* "001716187.xlsx" */
	const char *what;        /* 「チェックリスト（医療機関・薬局確認用）」 */
	size_t bytes;            /* its size */
	const char *sha256;      /* lower-case hex */
	const char *edition;     /* "r8" */
	int fiscal_year;         /* 2026 */
	enum checklist_form form;
	const char *url;         /* where MHLW publishes it */
};

/* The table of known official files and its length. */
const struct checklist_xlsx_known *checklist_xlsx_known_files(size_t *nr);

/* The known file with this SHA-256 (64 hex digits, any case), or NULL. */
const struct checklist_xlsx_known *checklist_xlsx_recognise(const char *sha256_hex);

/* The SHA-256 of buf[0..len) as 64 lower-case hex digits (OpenSSL EVP). */
void checklist_xlsx_sha256(const void *buf, size_t len, char out[CHECKLIST_XLSX_SHA256_LEN]);

/* What the caller says about the file.  Start from
 * CHECKLIST_XLSX_OPTIONS_INIT: NULL, 0 and -1 mean "not said" (a zeroed
 * struct would say form 0, iryo). */
struct checklist_xlsx_options {
	const char *file_name; /* as given by the user; only its last path component is kept;
				  NULL: "workbook.xlsx" */
	const char *edition;   /* "r8"; NULL: from the known file */
	int fiscal_year;       /* 2026; 0: from the known file */
	int form;              /* enum checklist_form; -1: from the known file, else from
				  the sheet's title (…確認用) */
};

#define CHECKLIST_XLSX_OPTIONS_INIT { NULL, NULL, 0, -1 }

/* The result: the edition and what the preview shows about how it was read. */
struct checklist_xlsx {
	struct checklist_edition edition; /* valid by checklist_catalog_load_buffer() */
	char sha256[CHECKLIST_XLSX_SHA256_LEN];
	size_t bytes;
	char *file_name;                          /* the last path component */
	const struct checklist_xlsx_known *known; /* NULL: not a known official file */
	char *sheet;                              /* the checklist sheet's name */
	size_t nr_sheets;                         /* sheets in the book */
	unsigned header_row;                      /* 0: no header row found */
	unsigned rounds;                          /* answer rounds (N回目); 0: none found */
	bool has_yes_no, has_confirm_date, has_target_date;
	char **unplaced;      /* "シート!B12: 「…」: reason", at most CHECKLIST_XLSX_UNPLACED_MAX */
	size_t nr_unplaced;
	size_t total_unplaced; /* all of them */
};

/*
 * Reads the workbook buf[0..len) (untrusted) into *out (zeroed first;
 * release with checklist_xlsx_release()).  Returns 0 when an edition with at
 * least one item was read; its JSON (checklist_edition_to_json()) loads
 * with checklist_catalog_load_buffer().  Errors, all MAMORI_EINVAL with a
 * Japanese message: what xlsx_book_read() refuses; an unknown file without
 * opt->edition / opt->fiscal_year; an invalid edition id, fiscal year or
 * form; no sheet with item rows; a file name that is not UTF-8.
 */
int checklist_xlsx_read(const void *buf, size_t len, const struct checklist_xlsx_options *opt,
			struct checklist_xlsx *out, struct mamori_err *err);

/* Frees everything r owns and zeroes it; NULL is fine. */
void checklist_xlsx_release(struct checklist_xlsx *r);

/*
 * Appends a Japanese, human-readable preview of r to sb: the file, its
 * SHA-256 and whether it is a known official file, edition, form, title,
 * sheet, the answer columns found, each section with its items (id,
 * number, scope, the first 60 characters of the wording, references and
 * notes counted), the unplaced rows, and the totals.  Lines end in "\n".
 */
void checklist_xlsx_preview(const struct checklist_xlsx *r, struct strbuf *sb);

#endif
