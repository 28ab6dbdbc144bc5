/*
 * asset_export.c - CSV, JSON and xlsx exports of the device ledger.
 */
#include "common.h"
#include "asset_export.h"
#include "csv.h"
#include "fileio.h"
#include "norm.h"
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
	else
		return mamori_err_set(err, MAMORI_EUSAGE,
				      "出力形式「%s」は使えません (csv / xlsx / json)", s);
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
};

static int csv_row(const struct asset *a, void *p)
{
	struct csv_ctx *c = p;

	for (int f = 0; f < ASSET_NFIELDS; f++) {
		if (f)
			strbuf_addch(c->out, ',');
		csv_write_field(c->out, asset_display_value(a, f), ',');
	}
	strbuf_addstr(c->out, "\r\n");
	return 0;
}

int asset_export_csv(struct store *st, const struct asset_query *q, enum enc_kind enc,
		     struct strbuf *out, struct mamori_err *err)
{
	struct strbuf body = STRBUF_INIT;
	struct csv_ctx c = { &body };
	struct mamori_err e = { 0 };
	char *conv = NULL;
	size_t clen = 0;
	int r;

	for (int f = 0; f < ASSET_NFIELDS; f++) {
		if (f)
			strbuf_addch(&body, ',');
		csv_write_field(&body, asset_fields[f].label, ',');
	}
	strbuf_addstr(&body, "\r\n");
	r = asset_list(st, q, csv_row, &c, err);
	if (r < 0)
		goto out;
	if (enc == ENC_CP932) {
		r = enc_from_utf8(body.buf, body.len, ENC_CP932, &conv, &clen, &e);
		if (r < 0) {
			/* e.msg: "LINE: reason"; line 1 is the header, line n+1 device n. */
			r = mamori_err_set(err, MAMORI_EINVAL,
					   "CP932 で出力できません (%s 行目): %s。"
					   "--encoding utf-8 で出力してください",
					   e.msg, strchr(e.msg, ':') ? strchr(e.msg, ':') + 2 : "");
			goto out;
		}
		strbuf_add(out, conv, clen);
	} else {
		strbuf_addstr(out, "\xEF\xBB\xBF");
		strbuf_add(out, body.buf, body.len);
	}
out:
	free(conv);
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

int asset_export_to_file(struct store *st, const struct asset_query *q,
			 enum asset_export_format format, enum enc_kind enc, const char *facility,
			 const char *path, struct mamori_err *err)
{
	struct strbuf out = STRBUF_INIT;
	int r;

	switch (format) {
	case ASSET_EXPORT_XLSX:
		if (!strcmp(path, "-"))
			return mamori_err_set(err, MAMORI_EUSAGE,
					      "xlsx は -o でファイル名を指定してください");
		return asset_export_xlsx(st, q, facility, path, err);
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
