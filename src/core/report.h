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
 * For drawings (the contact chart): reserves a block h mm high below the
 * cursor (a new page when it does not fit) and returns the cairo context
 * to draw it with (a cairo_t *, owned by r), with the block's left, top and
 * width in points in *x, *y, *w.  The cursor moves below the block.
 */
void *report_canvas(struct report *r, double h, double *x, double *y, double *w);
/* The height in mm left on the current page below the cursor. */
double report_space_left(struct report *r);
/*
 * Draws text in the report's font, wrapped to w points, its top left at
 * (x, y) points, size in points, bold, centred when centre; returns its
 * height in points (nothing is drawn when draw is 0).
 */
double report_text_at(struct report *r, double x, double y, double w, const char *text,
		      double size, int bold, int centre, int draw);

/*
 * Finishes the document and moves it into place.  Returns 0, or MAMORI_EIO
 * when cairo could not write it (the temporary file is removed).  Frees r
 * either way.
 */
int report_close(struct report *r, struct mamori_err *err);

/* Frees r without writing anything (the temporary file is removed). */
void report_abort(struct report *r);

#endif
