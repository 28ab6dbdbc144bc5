/*
 * report.c - PDF layout with cairo and pango (see report.h).
 *
 * A cursor (y, in points) moves down the page; anything that does not fit
 * in what is left of the page starts a new one.  Text is laid out with
 * pango in the page's usable width; table rows are measured first, so that
 * a row is never split and the header can be repeated on each new page.
 */
#include "common.h"
#include "fileio.h"
#include "report.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#define MM (72.0 / 25.4)
#define MARGIN (15 * MM)
#define FOOTER (10 * MM)
#define CELL_PAD (1.2 * MM)
#define FONT "IPAexGothic, Noto Sans CJK JP, sans-serif"

struct report {
	cairo_surface_t *surface;
	cairo_t *cr;
	char *path, *tmp;
	char *title, *facility;
	double width, height; /* page, points */
	double y;             /* cursor */
	int page;
};

static PangoLayout *layout(struct report *r, const char *text, double size, int bold,
			   double width)
{
	PangoLayout *l = pango_cairo_create_layout(r->cr);
	PangoFontDescription *fd = pango_font_description_from_string(FONT);

	pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
	if (bold)
		pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
	pango_layout_set_font_description(l, fd);
	pango_font_description_free(fd);
	pango_layout_set_width(l, (int)(width * PANGO_SCALE));
	pango_layout_set_wrap(l, PANGO_WRAP_WORD_CHAR);
	pango_layout_set_text(l, text ? text : "", -1);
	return l;
}

static double layout_height(PangoLayout *l)
{
	int w, h;
	pango_layout_get_size(l, &w, &h);
	return (double)h / PANGO_SCALE;
}

static void footer(struct report *r)
{
	char right[64];
	PangoLayout *l;

	snprintf(right, sizeof(right), "%d ページ", r->page);
	cairo_set_source_rgb(r->cr, 0.4, 0.4, 0.4);
	l = layout(r, r->facility, 8, 0, r->width - 2 * MARGIN);
	cairo_move_to(r->cr, MARGIN, r->height - MARGIN + 2 * MM);
	pango_cairo_show_layout(r->cr, l);
	g_object_unref(l);
	l = layout(r, r->title, 8, 0, r->width - 2 * MARGIN);
	pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
	cairo_move_to(r->cr, MARGIN, r->height - MARGIN + 2 * MM);
	pango_cairo_show_layout(r->cr, l);
	g_object_unref(l);
	l = layout(r, right, 8, 0, r->width - 2 * MARGIN);
	pango_layout_set_alignment(l, PANGO_ALIGN_RIGHT);
	cairo_move_to(r->cr, MARGIN, r->height - MARGIN + 2 * MM);
	pango_cairo_show_layout(r->cr, l);
	g_object_unref(l);
	cairo_set_source_rgb(r->cr, 0, 0, 0);
}

void report_page_break(struct report *r)
{
	footer(r);
	cairo_show_page(r->cr);
	r->page++;
	r->y = MARGIN;
}

/* Makes room for h points, starting a new page when they do not fit. */
static int ensure(struct report *r, double h)
{
	if (r->y + h <= r->height - MARGIN - FOOTER || r->y <= MARGIN)
		return 0;
	report_page_break(r);
	return 1;
}

void *report_canvas(struct report *r, double h, double *x, double *y, double *w)
{
	ensure(r, h * MM);
	*x = MARGIN;
	*y = r->y;
	*w = r->width - 2 * MARGIN;
	r->y += h * MM + 2 * MM;
	return r->cr;
}

double report_space_left(struct report *r)
{
	return (r->height - MARGIN - FOOTER - r->y) / MM;
}

double report_text_at(struct report *r, double x, double y, double w, const char *text,
		      double size, int bold, int centre, int draw)
{
	PangoLayout *l = layout(r, text, size, bold, w);
	double h = layout_height(l);

	if (centre)
		pango_layout_set_alignment(l, PANGO_ALIGN_CENTER);
	if (draw) {
		cairo_move_to(r->cr, x, y);
		pango_cairo_show_layout(r->cr, l);
	}
	g_object_unref(l);
	return h;
}

int report_open(struct report **out, const char *path, enum report_orientation o,
		const char *title, const char *facility, struct mamori_err *err)
{
	struct report *r = xcalloc(1, sizeof(*r));

	*out = NULL;
	r->path = xstrdup(path);
	r->tmp = fileio_temp_name(path);
	r->title = xstrdup(title ? title : "");
	r->facility = xstrdup(facility ? facility : "");
	r->width = (o == REPORT_LANDSCAPE ? 297 : 210) * MM;
	r->height = (o == REPORT_LANDSCAPE ? 210 : 297) * MM;
	r->surface = cairo_pdf_surface_create(r->tmp, r->width, r->height);
	if (cairo_surface_status(r->surface) != CAIRO_STATUS_SUCCESS) {
		int code = mamori_err_set(err, MAMORI_EIO, "%s: PDF を作成できません: %s", path,
					  cairo_status_to_string(cairo_surface_status(r->surface)));
		report_abort(r);
		return code;
	}
	cairo_pdf_surface_set_metadata(r->surface, CAIRO_PDF_METADATA_TITLE, r->title);
	cairo_pdf_surface_set_metadata(r->surface, CAIRO_PDF_METADATA_CREATOR,
				       "mamori " MAMORI_VERSION);
	r->cr = cairo_create(r->surface);
	r->y = MARGIN;
	r->page = 1;
	*out = r;
	return 0;
}

void report_heading(struct report *r, int level, const char *text)
{
	double size = level <= 1 ? 18 : level == 2 ? 13 : 11;
	PangoLayout *l = layout(r, text, size, 1, r->width - 2 * MARGIN);
	double h = layout_height(l);

	/* a heading never ends a page alone: keep room for a few lines after it */
	ensure(r, h + (level <= 1 ? 4 : 2) * MM + 20 * MM);
	if (r->y > MARGIN)
		r->y += (level <= 1 ? 2 : 4) * MM;
	cairo_move_to(r->cr, MARGIN, r->y);
	pango_cairo_show_layout(r->cr, l);
	r->y += h + (level <= 1 ? 4 : 2) * MM;
	if (level <= 2) {
		cairo_set_line_width(r->cr, level <= 1 ? 1.0 : 0.5);
		cairo_move_to(r->cr, MARGIN, r->y - 1.2 * MM);
		cairo_line_to(r->cr, r->width - MARGIN, r->y - 1.2 * MM);
		cairo_stroke(r->cr);
	}
	g_object_unref(l);
}

void report_paragraph(struct report *r, const char *text, int small)
{
	PangoLayout *l = layout(r, text, small ? 8 : 10, 0, r->width - 2 * MARGIN);
	double h = layout_height(l);

	ensure(r, h);
	if (small)
		cairo_set_source_rgb(r->cr, 0.35, 0.35, 0.35);
	cairo_move_to(r->cr, MARGIN, r->y);
	pango_cairo_show_layout(r->cr, l);
	cairo_set_source_rgb(r->cr, 0, 0, 0);
	r->y += h + 2 * MM;
	g_object_unref(l);
}

/* Lays out one row; returns its height.  With draw, draws it at r->y. */
static double table_row(struct report *r, size_t ncols, const char *const *cells,
			const double *w, int header, int draw)
{
	PangoLayout **ls = xcalloc(ncols, sizeof(*ls));
	double h = 0, x = MARGIN;

	for (size_t c = 0; c < ncols; c++) {
		ls[c] = layout(r, cells[c], header ? 8.5 : 8.5, header, w[c] - 2 * CELL_PAD);
		double ch = layout_height(ls[c]);
		if (ch > h)
			h = ch;
	}
	h += 2 * CELL_PAD;
	if (draw) {
		if (header) {
			cairo_set_source_rgb(r->cr, 0.87, 0.92, 0.97);
			double total = 0;
			for (size_t c = 0; c < ncols; c++)
				total += w[c];
			cairo_rectangle(r->cr, MARGIN, r->y, total, h);
			cairo_fill(r->cr);
			cairo_set_source_rgb(r->cr, 0, 0, 0);
		}
		cairo_set_line_width(r->cr, 0.4);
		for (size_t c = 0; c < ncols; c++) {
			cairo_rectangle(r->cr, x, r->y, w[c], h);
			cairo_stroke(r->cr);
			cairo_move_to(r->cr, x + CELL_PAD, r->y + CELL_PAD);
			pango_cairo_show_layout(r->cr, ls[c]);
			x += w[c];
		}
	}
	for (size_t c = 0; c < ncols; c++)
		g_object_unref(ls[c]);
	free(ls);
	return h;
}

void report_table(struct report *r, size_t ncols, const char *const *header,
		  const double *widths, size_t nrows, const char *const *cells)
{
	double *w = xcalloc(ncols, sizeof(*w)), total = 0, avail = r->width - 2 * MARGIN;

	for (size_t c = 0; c < ncols; c++)
		total += widths[c] > 0 ? widths[c] : 10;
	for (size_t c = 0; c < ncols; c++)
		w[c] = (widths[c] > 0 ? widths[c] : 10) * avail / total;
	double hh = table_row(r, ncols, header, w, 1, 0);
	ensure(r, hh + 8 * MM);
	r->y += table_row(r, ncols, header, w, 1, 1);
	for (size_t i = 0; i < nrows; i++) {
		const char *const *row = cells + i * ncols;
		double h = table_row(r, ncols, row, w, 0, 0);
		if (ensure(r, h))
			r->y += table_row(r, ncols, header, w, 1, 1);
		r->y += table_row(r, ncols, row, w, 0, 1);
	}
	r->y += 3 * MM;
	free(w);
}

static void release(struct report *r)
{
	if (r->cr)
		cairo_destroy(r->cr);
	if (r->surface)
		cairo_surface_destroy(r->surface);
	free(r->path);
	free(r->tmp);
	free(r->title);
	free(r->facility);
	free(r);
}

void report_abort(struct report *r)
{
	if (!r)
		return;
	if (r->surface)
		cairo_surface_finish(r->surface);
	fileio_discard_temp(r->tmp);
	release(r);
}

int report_close(struct report *r, struct mamori_err *err)
{
	cairo_status_t s;
	int code = 0;

	footer(r);
	cairo_show_page(r->cr);
	cairo_surface_finish(r->surface);
	s = cairo_surface_status(r->surface);
	if (s != CAIRO_STATUS_SUCCESS) {
		code = mamori_err_set(err, MAMORI_EIO, "%s: PDF を書き込めません: %s", r->path,
				      cairo_status_to_string(s));
		fileio_discard_temp(r->tmp);
	} else {
		code = fileio_commit_temp(r->tmp, r->path, err);
	}
	release(r);
	return code;
}
