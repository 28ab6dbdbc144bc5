/*
 * asset_export.c - CSV, JSON and xlsx exports of the device ledger.
 */
#include "common.h"
#include "asset_export.h"
#include "csv.h"
#include "fileio.h"
#include "norm.h"
#include "report.h"
#include "store.h"
#include "strbuf.h"

#include <xlsxwriter.h>

int asset_export_format_parse(const char *s, enum asset_export_format *out,
			      struct mamori_err *err)
{
	if (!strcasecmp(s, "csv"))
		*out = ASSET_EXPORT_CSV;
	else if (!strcasecmp(s, "json"))
		*out = ASSET_EXPORT_JSON;
	else if (!strcasecmp(s, "xlsx"))
		*out = ASSET_EXPORT_XLSX;
	else if (!strcasecmp(s, "pdf"))
		*out = ASSET_EXPORT_PDF;
	else
		return mamori_err_set(err, MAMORI_EUSAGE,
				      "出力形式「%s」は使えません (csv / xlsx / json / pdf)", s);
	return 0;
}

const char *asset_display_value(const struct asset *a, int f)
{
	const char *v = a->v[f];

	if (!v)
		return "";
	switch (asset_fields[f].type) {
	case ASSET_T_BOOL:
		return strcmp(v, "1") ? "×" : "〇";
	case ASSET_T_KIND:
		return asset_kind_label(v);
	case ASSET_T_STATUS:
		return asset_status_label(v);
	default:
		return v;
	}
}

struct csv_ctx {
	struct strbuf *out;
	enum enc_kind enc;
	struct mamori_err *err;
};


/*
 * Adds line to the output in the export's encoding.  A character CP932
 * cannot hold is reported with the device and field it is in (what is the
 * first cell that does not convert).
 */
static int emit(struct csv_ctx *c, const struct strbuf *line, const struct asset *a)
{
	struct mamori_err e = { 0 };
	char *conv = NULL;
	size_t clen = 0;

	if (c->enc != ENC_CP932) {
		strbuf_add(c->out, line->buf, line->len);
		return 0;
	}
	if (enc_from_utf8(line->buf, line->len, ENC_CP932, &conv, &clen, &e) == 0) {
		strbuf_add(c->out, conv, clen);
		free(conv);
		return 0;
	}
	for (int f = 0; a && f < ASSET_NFIELDS; f++) {
		const char *v = asset_display_value(a, f);
		char *tmp = NULL;
		if (enc_from_utf8(v, strlen(v), ENC_CP932, &tmp, NULL, &e) == 0) {
			free(tmp);
			continue;
		}
		const char *reason = strstr(e.msg, ": ");
		return mamori_err_set(c->err, MAMORI_EINVAL,
				      "機器 #%lld (%s) の%s: %s。--encoding utf-8 で出力してください",
				      (long long)a->id, asset_key(a, NULL), asset_fields[f].label,
				      reason ? reason + 2 : e.msg);
	}
	return mamori_err_set(c->err, MAMORI_EINVAL, "CP932 で出力できません: %s", e.msg);
}

static int csv_row(const struct asset *a, void *p)
{
	struct csv_ctx *c = p;
	struct strbuf line = STRBUF_INIT;
	const char *cells[ASSET_NFIELDS];
	int r;

	for (int f = 0; f < ASSET_NFIELDS; f++)
		cells[f] = asset_display_value(a, f);
	csv_write_line(&line, cells, ASSET_NFIELDS);
	r = emit(c, &line, a);
	strbuf_release(&line);
	return r;
}

int asset_export_csv(struct store *st, const struct asset_query *q, enum enc_kind enc,
		     struct strbuf *out, struct mamori_err *err)
{
	struct strbuf body = STRBUF_INIT, head = STRBUF_INIT;
	struct csv_ctx c = { &body, enc, err };
	const char *labels[ASSET_NFIELDS];
	int r;

	for (int f = 0; f < ASSET_NFIELDS; f++)
		labels[f] = asset_fields[f].label;
	csv_write_line(&head, labels, ASSET_NFIELDS);
	if (enc != ENC_CP932)
		strbuf_addstr(&body, "\xEF\xBB\xBF");
	r = emit(&c, &head, NULL);
	if (r == 0)
		r = asset_list(st, q, csv_row, &c, err);
	if (r == 0)
		strbuf_add(out, body.buf, body.len);
	strbuf_release(&head);
	strbuf_release(&body);
	return r;
}

static int json_row(const struct asset *a, void *p)
{
	json_array_append_new(p, asset_to_json(a));
	return 0;
}

int asset_export_json(struct store *st, const struct asset_query *q, struct strbuf *out,
		      struct mamori_err *err)
{
	json_t *arr = json_array();
	int r = asset_list(st, q, json_row, arr, err);

	if (r == 0) {
		char *s = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		strbuf_addstr(out, s);
		strbuf_addch(out, '\n');
		free(s);
	}
	json_decref(arr);
	return r;
}

struct xlsx_ctx {
	lxw_worksheet *ws;
	lxw_format *text;
	uint32_t row;
	size_t width[ASSET_NFIELDS];
};

static int xlsx_row(const struct asset *a, void *p)
{
	struct xlsx_ctx *c = p;

	for (int f = 0; f < ASSET_NFIELDS; f++) {
		const char *v = asset_display_value(a, f);
		if (*v)
			worksheet_write_string(c->ws, c->row, (lxw_col_t)f, v, c->text);
		size_t w = norm_display_width(v);
		if (w > c->width[f])
			c->width[f] = w;
	}
	c->row++;
	return 0;
}

int asset_export_xlsx(struct store *st, const struct asset_query *q, const char *facility,
		      const char *path, struct mamori_err *err)
{
	char *tmp = fileio_temp_name(path);
	lxw_workbook_options opt = { .constant_memory = LXW_FALSE, .tmpdir = NULL };
	lxw_workbook *wb = workbook_new_opt(tmp, &opt);
	struct xlsx_ctx c = { 0 };
	lxw_format *head;
	lxw_error le;
	int r;

	if (!wb) {
		free(tmp);
		return mamori_err_set(err, MAMORI_EIO, "%s: xlsx を作成できません", path);
	}
	c.ws = workbook_add_worksheet(wb, "機器台帳");
	head = workbook_add_format(wb);
	format_set_bold(head);
	format_set_bg_color(head, 0xDDEBF7);
	format_set_border(head, LXW_BORDER_THIN);
	format_set_text_wrap(head);
	c.text = workbook_add_format(wb);
	format_set_num_format(c.text, "@");
	for (int f = 0; f < ASSET_NFIELDS; f++) {
		worksheet_write_string(c.ws, 0, (lxw_col_t)f, asset_fields[f].label, head);
		c.width[f] = norm_display_width(asset_fields[f].label);
	}
	c.row = 1;
	r = asset_list(st, q, xlsx_row, &c, err);
	if (r == 0) {
		for (int f = 0; f < ASSET_NFIELDS; f++) {
			double w = (double)(c.width[f] < 8 ? 8 : c.width[f] > 40 ? 40 : c.width[f]);
			worksheet_set_column(c.ws, (lxw_col_t)f, (lxw_col_t)f, w + 2, NULL);
		}
		worksheet_freeze_panes(c.ws, 1, 0);
		/* Printed: A4 landscape, the header row and the 媒体名 column on every page. */
		worksheet_set_paper(c.ws, 9);
		worksheet_set_landscape(c.ws);
		worksheet_repeat_rows(c.ws, 0, 0);
		worksheet_repeat_columns(c.ws, 0, 0);
		worksheet_set_footer(c.ws, "&L機器台帳&R&P / &N");
		worksheet_autofilter(c.ws, 0, 0, c.row > 1 ? c.row - 1 : 0, ASSET_NFIELDS - 1);
		char *company = xstrdup(facility ? facility : "");
		lxw_doc_properties props = {
			.title = "機器台帳",
			.company = company,
			.comments = "mamori " MAMORI_VERSION,
		};
		workbook_set_properties(wb, &props);
		free(company);
	}
	le = workbook_close(wb);
	if (r == 0 && le != LXW_NO_ERROR)
		r = mamori_err_set(err, MAMORI_EIO, "%s: xlsx を書き込めません: %s", path,
				   lxw_strerror(le));
	if (r == 0)
		r = fileio_commit_temp(tmp, path, err);
	else
		fileio_discard_temp(tmp);
	free(tmp);
	return r;
}

static const int pdf_columns[] = { ASSET_TAG,	       ASSET_KIND, ASSET_MODEL, ASSET_OS,
				   ASSET_IP,	       ASSET_MAC,  ASSET_DEPARTMENT,
				   ASSET_OWNER,	       ASSET_STATUS };
static const double pdf_widths[] = { 26, 18, 34, 34, 24, 30, 28, 30, 14 };

struct pdf_ctx {
	char **cells;
	size_t n, cap;
};

static int pdf_row(const struct asset *a, void *p)
{
	struct pdf_ctx *c = p;
	size_t nc = ARRAY_SIZE(pdf_columns);

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->cells = xrealloc(c->cells, c->cap * nc * sizeof(char *));
	}
	for (size_t i = 0; i < nc; i++) {
		int f = pdf_columns[i];
		const char *v = f == ASSET_TAG && !a->v[f] && a->v[ASSET_HOSTNAME]
					? a->v[ASSET_HOSTNAME]
					: asset_display_value(a, f);
		if (f == ASSET_OS && a->v[ASSET_OS_VERSION])
			c->cells[c->n * nc + i] = xasprintf("%s %s", v, a->v[ASSET_OS_VERSION]);
		else
			c->cells[c->n * nc + i] = xstrdup(v);
	}
	c->n++;
	return 0;
}

int asset_export_pdf(struct store *st, const struct asset_query *q, const char *facility,
		     const char *path, struct mamori_err *err)
{
	size_t nc = ARRAY_SIZE(pdf_columns);
	const char *head[ARRAY_SIZE(pdf_columns)];
	struct pdf_ctx c = { 0 };
	struct report *r = NULL;
	char today[11], *title, *line;
	int rc;

	rc = asset_list(st, q, pdf_row, &c, err);
	if (rc == 0)
		rc = report_open(&r, path, REPORT_LANDSCAPE, "機器台帳", facility, err);
	if (rc == 0) {
		for (size_t i = 0; i < nc; i++)
			head[i] = pdf_columns[i] == ASSET_TAG ? "媒体名/ホスト名"
							      : asset_fields[pdf_columns[i]].label;
		mamori_today(today);
		title = xasprintf("機器台帳 — %s", facility ? facility : "");
		line = xasprintf("作成日 %s　%zu 台%s%s%s%s", today, c.n,
				 q && q->status && strcmp(q->status, "all") ? "　状態: " : "",
				 q && q->status && strcmp(q->status, "all") ? asset_status_label(q->status) : "",
				 q && q->department ? "　部署: " : "", q && q->department ? q->department : "");
		report_heading(r, 1, title);
		report_paragraph(r, line, 0);
		report_table(r, nc, head, pdf_widths, c.n, (const char *const *)c.cells);
		report_paragraph(r, "mamori の台帳から作成。変更の記録は「mamori journal show」で確認できます。", 1);
		free(title);
		free(line);
		rc = report_close(r, err);
	}
	for (size_t i = 0; i < c.n * nc; i++)
		free(c.cells[i]);
	free(c.cells);
	return rc;
}

int asset_export_to_file(struct store *st, const struct asset_query *q,
			 enum asset_export_format format, enum enc_kind enc, const char *facility,
			 const char *path, struct mamori_err *err)
{
	struct strbuf out = STRBUF_INIT;
	int r;

	switch (format) {
	case ASSET_EXPORT_XLSX:
	case ASSET_EXPORT_PDF:
		if (!strcmp(path, "-"))
			return mamori_err_set(err, MAMORI_EUSAGE,
					      "xlsx と pdf は -o でファイル名を指定してください");
		return format == ASSET_EXPORT_PDF ? asset_export_pdf(st, q, facility, path, err)
						  : asset_export_xlsx(st, q, facility, path, err);
	case ASSET_EXPORT_CSV:
		r = asset_export_csv(st, q, enc, &out, err);
		break;
	case ASSET_EXPORT_JSON:
		r = asset_export_json(st, q, &out, err);
		break;
	default:
		BUG("bad export format");
	}
	if (r == 0)
		r = fileio_write_atomic(path, out.buf, out.len, err);
	strbuf_release(&out);
	return r;
}
