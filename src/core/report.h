/*
 * report.h - PDF documents for people to print: headings, paragraphs and
 * tables of Japanese text, laid out with pango on a cairo PDF surface in the
 * IPAex Gothic font (Debian's fonts-ipaexfont-gothic; Noto Sans CJK JP as
 * fallback).  Pages are A4; tables break across pages and repeat their
 * header; every page carries the document title, the facility and its page
 * number in the footer.
 *
 * The file is written to a temporary name and renamed at report_close(), so
 * an interrupted report leaves nothing half-written.  All sizes are in
 * millimetres.
 */
#ifndef MAMORI_REPORT_H
#define MAMORI_REPORT_H

#include <stddef.h>

struct mamori_err;
struct report;

enum report_orientation {
	REPORT_PORTRAIT,
	REPORT_LANDSCAPE,
};

/*
 * Starts a PDF at path ("-" is not allowed).  title and facility appear in
 * the footer of every page and in the PDF metadata.
 */
int report_open(struct report **out, const char *path, enum report_orientation o,
		const char *title, const char *facility, struct mamori_err *err);

/* level 1 (the document title), 2 (a section) or 3. */
void report_heading(struct report *r, int level, const char *text);
/* A paragraph, wrapped to the page width.  small: a smaller, grey note. */
void report_paragraph(struct report *r, const char *text, int small);

/*
 * A table of ncols columns: header (ncols cells) and rows (nrows * ncols
 * cells, NULL = empty), column widths in mm (scaled to the page width when
 * they do not add up to it).  Cells wrap; rows never split across pages.
 */
void report_table(struct report *r, size_t ncols, const char *const *header,
		  const double *widths, size_t nrows, const char *const *cells);

/* Starts a new page. */
void report_page_break(struct report *r);

/*
 * Finishes the document and moves it into place.  Returns 0, or MAMORI_EIO
 * when cairo could not write it (the temporary file is removed).  Frees r
 * either way.
 */
int report_close(struct report *r, struct mamori_err *err);

/* Frees r without writing anything (the temporary file is removed). */
void report_abort(struct report *r);

#endif
