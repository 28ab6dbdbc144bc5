/*
 * checklist_export.c - the checklist for paper and for inspectors (see
 * checklist_export.h): xlsx in the layout of the official form, CSV, and
 * the PDF inspection pack.
 *
 * The xlsx and CSV writers read nothing but one sheet's view (the JSON of
 * checklist_view()), so they can be tested with a view built by hand; the
 * pack gathers the view, the ledger figures, the end-of-support list, the
 * vendor sheets and the journal head from the store and lays them out with
 * report.h.
 *
 * What each export shows of an item is decided once, in describe(): the
 * wording (the officer's official wording, else the catalog's, else the
 * presumed one, else a placeholder that says to look at the official form),
 * the scope tag, the 文言 mark, the state of each round (answered, 確認不要
 * because the gate was answered いいえ, 記入不要 without a vendor contract),
 * the notes and the evidence.  The three writers only arrange it.
 */
#include "common.h"
#include "asset.h"
#include "asset_export.h"
#include "checklist.h"
#include "checklist_export.h"
#include "csv.h"
#include "dashboard.h"
#include "eoscat.h"
#include "fileio.h"
#include "journal.h"
#include "ledger.h"
#include "norm.h"
#include "report.h"
#include "store.h"
#include "strbuf.h"

#include <xlsxwriter.h>

#define NO_WORDING CHECKLIST_EXPORT_NO_WORDING
#define MARK_UNCONFIRMED "文言未確認"
#define MARK_OFFICIAL "担当者が公式様式から入力"

/* ---- reading the view ------------------------------------------------------ */

/* The string at key of object o, or NULL (absent, null or not a string). */
static const char *jstr(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static const char *jstr_or(const json_t *o, const char *key, const char *dflt)
{
	const char *s = jstr(o, key);
	return s ? s : dflt;
}

static long long jint(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* A JSON true at key; absent counts as dflt. */
static bool jbool(const json_t *o, const char *key, bool dflt)
{
	const json_t *v = json_object_get(o, key);
	return v && json_is_boolean(v) ? json_is_true(v) : dflt;
}

/* "令和7年度" for fiscal year 2025 (令和元年度 = 2019, 平成 before it). */
static void wareki_fy(int fy, char *buf, size_t n)
{
	if (fy >= 2020)
		snprintf(buf, n, "令和%d年度", fy - 2018);
	else if (fy == 2019)
		snprintf(buf, n, "令和元年度");
	else if (fy > 1989)
		snprintf(buf, n, "平成%d年度", fy - 1988);
	else
		snprintf(buf, n, "%d年度", fy);
}

/* The fiscal year a view is for: the sheet's, else the edition's. */
static int view_fy(const json_t *view)
{
	long long fy = jint(json_object_get(view, "sheet"), "fiscal_year");
	if (!fy)
		fy = jint(json_object_get(view, "edition"), "fiscal_year");
	return (int)fy;
}

/* "2 医療情報システムの管理・運用", or the title alone for section 0. */
static char *section_name(const json_t *sec)
{
	const char *title = jstr_or(sec, "title", "");
	long long num = jint(sec, "number");
	return num ? xasprintf("%lld %s", num, title) : xstrdup(title);
}

/* section_name() with the forms label: "… 【医療機関確認用・事業者確認用】". */
static char *section_label(const json_t *sec)
{
	const char *forms = jstr(sec, "forms_label");
	char *name = section_name(sec);

	if (!jint(sec, "number") || !forms || !*forms)
		return name;
	/* checklist_view() gives the label with its brackets; add them if not. */
	bool bracketed = !strncmp(forms, "【", strlen("【"));
	char *s = xasprintf(bracketed ? "%s%s" : "%s【%s】", name, forms);
	free(name);
	return s;
}

enum round_state {
	ROUND_EMPTY,     /* not answered */
	ROUND_ANSWERED,  /* ans holds the answer */
	ROUND_SKIPPED,   /* 確認不要: the gate was answered いいえ in this round */
	ROUND_NOT_NEEDED /* 記入不要: not needed without a vendor contract */
};

/* What the exports show of one item. */
struct item_desc {
	const json_t *it;
	const char *number;  /* "" when not printed */
	const char *wording; /* never NULL */
	bool no_wording;     /* wording is NO_WORDING */
	char *scope;         /* "(サーバ、端末PC)" or "" */
	enum { WORDING_CONFIRMED, WORDING_UNCONFIRMED, WORDING_OFFICIAL } wording_kind;
	const char *mark;    /* 文言未確認 / 担当者が公式様式から入力 / "" */
	char *status;        /* 文言の確認状況 for the CSV */
	char *notes;         /* the rounds' notes, "" when none */
	char *evidence;      /* outcome label + summary, "" when no rule */
	const json_t *evid;  /* the evidence object or NULL */
	enum round_state state[CHECKLIST_ROUNDS];
	const json_t *ans[CHECKLIST_ROUNDS];
};

static void describe(const json_t *view, const json_t *it, struct item_desc *d)
{
	const json_t *official = json_object_get(it, "official_wording");
	const json_t *gate_no = json_object_get(view, "gate_no");
	const json_t *answers = json_object_get(it, "answers");
	const json_t *scope = json_object_get(it, "scope");
	const char *w = jstr(official, "wording");
	struct strbuf sb = STRBUF_INIT;
	int nnotes = 0;

	memset(d, 0, sizeof(*d));
	d->it = it;
	d->number = jstr_or(it, "number", "");
	if (!w || !*w)
		w = jstr(it, "wording");
	if (!w || !*w)
		w = jstr(it, "presumed_wording");
	d->no_wording = !w || !*w;
	d->wording = d->no_wording ? NO_WORDING : w;

	/* The scope tag as the form prints it: "(サーバ、端末PC)". */
	if (json_is_array(scope) && json_array_size(scope)) {
		strbuf_addch(&sb, '(');
		for (size_t i = 0; i < json_array_size(scope); i++) {
			const char *s = json_string_value(json_array_get(scope, i));
			if (!s)
				continue;
			if (sb.len > 1)
				strbuf_addstr(&sb, "、");
			strbuf_addstr(&sb, s);
		}
		strbuf_addch(&sb, ')');
		if (sb.len == 2)
			strbuf_reset(&sb);
	} else if (jstr(it, "scope_label") && *jstr(it, "scope_label")) {
		const char *l = jstr(it, "scope_label");
		strbuf_addf(&sb, *l == '(' ? "%s" : "(%s)", l);
	}
	d->scope = strbuf_detach(&sb, NULL);

	if (official && json_is_object(official) && jstr(official, "wording")) {
		d->wording_kind = WORDING_OFFICIAL;
		d->mark = MARK_OFFICIAL;
		d->status = xstrdup(MARK_OFFICIAL);
	} else if (jbool(it, "unconfirmed", false)) {
		const char *why = jstr(it, "wording_status_label");
		d->wording_kind = WORDING_UNCONFIRMED;
		d->mark = MARK_UNCONFIRMED;
		d->status = why ? xasprintf("%s（%s）", MARK_UNCONFIRMED, why)
				: xstrdup(MARK_UNCONFIRMED);
	} else {
		d->mark = "";
		d->status = xstrdup(jstr_or(it, "wording_status_label", "確認済み"));
	}

	for (int k = 0; k < CHECKLIST_ROUNDS; k++) {
		const json_t *a = json_array_get(answers, (size_t)k);
		d->ans[k] = json_is_object(a) ? a : NULL;
		if (!jbool(it, "needed", true))
			d->state[k] = ROUND_NOT_NEEDED;
		else if (json_is_true(json_array_get(gate_no, (size_t)k)) && !jbool(it, "gate", false))
			d->state[k] = ROUND_SKIPPED;
		else
			d->state[k] = d->ans[k] ? ROUND_ANSWERED : ROUND_EMPTY;
		if (d->ans[k] && jstr(d->ans[k], "note") && *jstr(d->ans[k], "note"))
			nnotes++;
	}
	/* One note stands alone; several say which round each is from. */
	for (int k = 0; k < CHECKLIST_ROUNDS; k++) {
		const char *note = d->ans[k] ? jstr(d->ans[k], "note") : NULL;
		if (!note || !*note)
			continue;
		if (sb.len)
			strbuf_addch(&sb, '\n');
		if (nnotes > 1)
			strbuf_addf(&sb, "%d回目：", k + 1);
		strbuf_addstr(&sb, note);
	}
	d->notes = strbuf_detach(&sb, NULL);

	d->evid = json_object_get(it, "evidence");
	if (!json_is_object(d->evid))
		d->evid = NULL;
	if (d->evid) {
		const char *label = jstr_or(d->evid, "outcome_label", "");
		const char *summary = jstr_or(d->evid, "summary", "");
		d->evidence = xasprintf("%s%s%s", label, *label && *summary ? "：" : "", summary);
	} else {
		d->evidence = xstrdup("");
	}
}

static void describe_release(struct item_desc *d)
{
	free(d->scope);
	free(d->status);
	free(d->notes);
	free(d->evidence);
}

/* What an unanswered round shows (確認不要 / 記入不要), or NULL. */
static const char *round_placeholder(enum round_state s)
{
	return s == ROUND_SKIPPED ? "確認不要" : s == ROUND_NOT_NEEDED ? "記入不要" : NULL;
}

static const char *answer_label(const json_t *a)
{
	const char *l = jstr(a, "answer_label");
	if (l)
		return l;
	l = jstr(a, "answer");
	return l && !strcmp(l, "yes") ? "はい" : l && !strcmp(l, "no") ? "いいえ" : "";
}

/* "施設名：…" and, for a vendor sheet, "事業者名：…" (NULL when not one). */
static const char *view_vendor(const json_t *view)
{
	const json_t *sheet = json_object_get(view, "sheet");
	const char *v = jstr(sheet, "vendor_name");
	return jint(sheet, "vendor_id") || (v && *v) ? (v ? v : "") : NULL;
}

/* "医療機関におけるサイバーセキュリティ対策チェックリスト（医療機関確認用） 令和7年度" */
static char *view_title(const json_t *view)
{
	const json_t *ed = json_object_get(view, "edition");
	char fy[32];

	wareki_fy(view_fy(view), fy, sizeof(fy));
	return xasprintf("%s（%s） %s", jstr_or(ed, "title", "サイバーセキュリティ対策チェックリスト"),
			 jstr_or(ed, "form_label", ""), fy);
}

/* ---- CSV ------------------------------------------------------------------------- */

enum {
	CSV_SECTION,
	CSV_NUMBER,
	CSV_ID,
	CSV_WORDING,
	CSV_SCOPE,
	CSV_STATUS,
	CSV_ROUND0, /* 回答, 確認日, 目標日 per round */
	CSV_NOTE = CSV_ROUND0 + 3 * CHECKLIST_ROUNDS,
	CSV_EVIDENCE,
	CSV_NCOLS,
};


/*
 * Adds line to out in enc.  A character CP932 cannot hold is reported with
 * the item and the column it is in.
 */
static int csv_emit(struct strbuf *out, enum enc_kind enc, const struct strbuf *line,
		    const char *item_id, const char *const *cells, const char *const *names,
		    struct mamori_err *err)
{
	struct mamori_err e = { 0 };
	char *conv = NULL;
	size_t clen = 0;

	if (enc != ENC_CP932) {
		strbuf_add(out, line->buf, line->len);
		return 0;
	}
	if (enc_from_utf8(line->buf, line->len, ENC_CP932, &conv, &clen, &e) == 0) {
		strbuf_add(out, conv, clen);
		free(conv);
		return 0;
	}
	for (size_t c = 0; c < CSV_NCOLS; c++) {
		const char *v = cells[c] ? cells[c] : "";
		char *tmp = NULL;
		if (enc_from_utf8(v, strlen(v), ENC_CP932, &tmp, NULL, &e) == 0) {
			free(tmp);
			continue;
		}
		const char *reason = strstr(e.msg, ": ");
		if (!item_id)
			return mamori_err_set(err, MAMORI_EINVAL, "見出しの%s: %s", names[c],
					      reason ? reason + 2 : e.msg);
		return mamori_err_set(err, MAMORI_EINVAL,
				      "項目 %s の%s: %s。--encoding utf-8 で出力してください", item_id,
				      names[c], reason ? reason + 2 : e.msg);
	}
	return mamori_err_set(err, MAMORI_EINVAL, "CP932 で出力できません: %s", e.msg);
}

int checklist_export_csv(const json_t *view, enum enc_kind enc, struct strbuf *out,
			 struct mamori_err *err)
{
	static const char *const round_cols[3] = { "回答", "確認日", "目標日" };
	const json_t *sections = json_object_get(view, "sections");
	struct strbuf body = STRBUF_INIT, line = STRBUF_INIT;
	const char *names[CSV_NCOLS];
	char *heads[CSV_NCOLS] = { 0 };
	int r;

	names[CSV_SECTION] = "区分";
	names[CSV_NUMBER] = "番号";
	names[CSV_ID] = "項目ID";
	names[CSV_WORDING] = "チェック項目";
	names[CSV_SCOPE] = "対象";
	names[CSV_STATUS] = "文言の確認状況";
	for (int k = 0; k < CHECKLIST_ROUNDS; k++)
		for (int j = 0; j < 3; j++) {
			heads[CSV_ROUND0 + 3 * k + j] = xasprintf("%d回目%s", k + 1, round_cols[j]);
			names[CSV_ROUND0 + 3 * k + j] = heads[CSV_ROUND0 + 3 * k + j];
		}
	names[CSV_NOTE] = "備考";
	names[CSV_EVIDENCE] = "根拠";

	if (enc != ENC_CP932)
		strbuf_addstr(&body, "\xEF\xBB\xBF");
	csv_write_line(&line, names, CSV_NCOLS);
	r = csv_emit(&body, enc, &line, NULL, names, names, err);

	for (size_t s = 0; r == 0 && s < json_array_size(sections); s++) {
		const json_t *sec = json_array_get(sections, s);
		const json_t *items = json_object_get(sec, "items");
		char *secname = section_name(sec);

		for (size_t i = 0; r == 0 && i < json_array_size(items); i++) {
			const char *cells[CSV_NCOLS] = { 0 };
			struct item_desc d;

			describe(view, json_array_get(items, i), &d);
			cells[CSV_SECTION] = secname;
			cells[CSV_NUMBER] = d.number;
			cells[CSV_ID] = jstr_or(d.it, "id", "");
			cells[CSV_WORDING] = d.wording;
			cells[CSV_SCOPE] = d.scope;
			cells[CSV_STATUS] = d.status;
			for (int k = 0; k < CHECKLIST_ROUNDS; k++) {
				const char *ph = round_placeholder(d.state[k]);
				const char **rc = cells + CSV_ROUND0 + 3 * k;
				if (ph) {
					rc[0] = ph;
				} else if (d.ans[k]) {
					rc[0] = answer_label(d.ans[k]);
					rc[1] = jstr(d.ans[k], "confirmed_on");
					rc[2] = jstr(d.ans[k], "target_on");
				}
			}
			cells[CSV_NOTE] = d.notes;
			cells[CSV_EVIDENCE] = d.evidence;
			strbuf_reset(&line);
			csv_write_line(&line, cells, CSV_NCOLS);
			r = csv_emit(&body, enc, &line, cells[CSV_ID], cells, names, err);
			describe_release(&d);
		}
		free(secname);
	}
	if (r == 0)
		strbuf_add(out, body.buf, body.len);
	for (size_t c = 0; c < CSV_NCOLS; c++)
		free(heads[c]);
	strbuf_release(&line);
	strbuf_release(&body);
	return r;
}

/* ---- xlsx ----------------------------------------------------------------------------- */

/*
 * Columns of the form: A 番号, B チェック項目, C 対象, then three per round
 * (はい/いいえ, 確認日, 目標日), then 備考, 根拠, 文言.
 */
enum {
	XC_NUMBER = 0,
	XC_WORDING,
	XC_SCOPE,
	XC_ROUND0,
	XC_NOTE = XC_ROUND0 + 3 * CHECKLIST_ROUNDS,
	XC_EVIDENCE,
	XC_MARK,
	XC_NCOLS,
};

/*
 * Widths in Excel's units (the width of "0" in the workbook's default font,
 * Calibri 11: a Japanese character at 10 pt takes about 1.9).  Narrow enough
 * that the form printed one page wide on A4 portrait stays readable.
 */
static const double xlsx_widths[XC_NCOLS] = {
	4.5, 40, 12, 8, 10, 10, 8, 10, 10, 8, 10, 10, 16, 24, 9,
};

#define ROW_TITLE 0
#define ROW_FACILITY 1
#define ROW_FACILITY2 2
#define ROW_HEAD1 3
#define ROW_HEAD2 4
#define ROW_FIRST 5

/* Line height over font size for Japanese text (the fonts are tall). */
#define LINE_FACTOR 1.4

struct xlsx_formats {
	lxw_format *title, *plain, *head, *section, *section_fill, *number, *wording, *scope,
		*answer, *date, *skip, *note, *mark, *mark_official, *ev_head, *ev_text;
};

static lxw_format *fmt_cell(lxw_workbook *wb, int wrap)
{
	lxw_format *f = workbook_add_format(wb);
	format_set_border(f, LXW_BORDER_THIN);
	format_set_font_size(f, 10);
	format_set_align(f, LXW_ALIGN_VERTICAL_CENTER);
	if (wrap)
		format_set_text_wrap(f);
	return f;
}

static void xlsx_formats_make(lxw_workbook *wb, struct xlsx_formats *f)
{
	f->title = workbook_add_format(wb);
	format_set_bold(f->title);
	format_set_font_size(f->title, 14);
	format_set_align(f->title, LXW_ALIGN_CENTER);
	format_set_align(f->title, LXW_ALIGN_VERTICAL_CENTER);

	f->plain = workbook_add_format(wb);
	format_set_font_size(f->plain, 11);

	f->head = fmt_cell(wb, 1);
	format_set_bold(f->head);
	format_set_bg_color(f->head, 0xDDEBF7);
	format_set_align(f->head, LXW_ALIGN_CENTER);

	f->section = fmt_cell(wb, 0);
	format_set_bold(f->section);
	format_set_bg_color(f->section, 0xE2EFDA);
	f->section_fill = fmt_cell(wb, 0);
	format_set_bg_color(f->section_fill, 0xE2EFDA);

	f->number = fmt_cell(wb, 0);
	format_set_align(f->number, LXW_ALIGN_CENTER);
	f->wording = fmt_cell(wb, 1);
	f->scope = fmt_cell(wb, 1);
	format_set_font_size(f->scope, 9);
	f->answer = fmt_cell(wb, 0);
	format_set_align(f->answer, LXW_ALIGN_CENTER);
	f->date = fmt_cell(wb, 0);
	format_set_align(f->date, LXW_ALIGN_CENTER);
	format_set_num_format(f->date, "yyyy/mm/dd");
	format_set_font_size(f->date, 9);
	f->skip = fmt_cell(wb, 1);
	format_set_align(f->skip, LXW_ALIGN_CENTER);
	format_set_font_size(f->skip, 9);
	format_set_font_color(f->skip, 0x666666);
	f->note = fmt_cell(wb, 1);
	format_set_font_size(f->note, 9);
	f->mark = fmt_cell(wb, 1);
	format_set_font_size(f->mark, 9);
	format_set_font_color(f->mark, 0xC00000);
	format_set_bold(f->mark);
	f->mark_official = fmt_cell(wb, 1);
	format_set_font_size(f->mark_official, 9);

	f->ev_head = fmt_cell(wb, 1);
	format_set_bold(f->ev_head);
	format_set_bg_color(f->ev_head, 0xDDEBF7);
	f->ev_text = fmt_cell(wb, 1);
	format_set_align(f->ev_text, LXW_ALIGN_VERTICAL_TOP);
}

/* Parses "YYYY-MM-DD" (a longer timestamp is cut); 0 when it is a date. */
static int parse_date(const char *s, lxw_datetime *dt)
{
	int y, m, d;
	char tail;

	if (!s || strlen(s) < 10)
		return -1;
	char buf[11];
	memcpy(buf, s, 10);
	buf[10] = '\0';
	if (sscanf(buf, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1900 || m < 1 ||
	    m > 12 || d < 1 || d > 31)
		return -1;
	memset(dt, 0, sizeof(*dt));
	dt->year = y;
	dt->month = m;
	dt->day = d;
	return 0;
}

static void write_date(lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s,
		       lxw_format *datefmt, lxw_format *textfmt)
{
	lxw_datetime dt;

	if (!s || !*s)
		worksheet_write_blank(ws, row, col, textfmt);
	else if (parse_date(s, &dt) == 0)
		worksheet_write_datetime(ws, row, col, &dt, datefmt);
	else
		worksheet_write_string(ws, row, col, s, textfmt);
}

/*
 * The height in points that text in pt-point type needs in a column of
 * width w (Excel units): libxlsxwriter cannot measure text, and a row
 * whose height is not set would stay one line high in Excel.  A display
 * column (norm_display_width: 2 for a Japanese character) takes about
 * 0.85 units at 10 pt (a little more in Excel with Japanese fonts).
 */
static double text_height(const char *text, double w, double pt)
{
	double lines = 0, per = (w - 1) / (0.85 * pt / 10);
	const char *p = text;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		char *part = nl ? xstrndup(p, (size_t)(nl - p)) : xstrdup(p);
		double n = (double)norm_display_width(part) / (per > 1 ? per : 1);
		lines += n <= 1 ? 1 : (double)(long)(n + 0.999);
		free(part);
		p = nl ? nl + 1 : NULL;
	}
	return (lines < 1 ? 1 : lines) * pt * LINE_FACTOR;
}

/*
 * The 根拠 sheet: every reason each item's evidence gives.  Items are named
 * "第2章 ①", not "①" or "2-①", so that a reader looking for the sheet of
 * item rows (checklist_xlsx.h counts cells that start with a number) does
 * not take this one for the checklist.
 */
static void xlsx_evidence_sheet(lxw_workbook *wb, const json_t *view, struct xlsx_formats *f)
{
	static const char *const head[] = { "番号", "項目ID", "確認した内容", "結果", "理由",
					    "リンク" };
	static const double widths[] = { 9, 16, 40, 12, 60, 14 };
	lxw_worksheet *ws = workbook_add_worksheet(wb, "根拠");
	const json_t *sections = json_object_get(view, "sections");
	lxw_row_t row = 1;

	for (lxw_col_t c = 0; c < ARRAY_SIZE(head); c++) {
		worksheet_write_string(ws, 0, c, head[c], f->ev_head);
		worksheet_set_column(ws, c, c, widths[c], NULL);
	}
	for (size_t s = 0; s < json_array_size(sections); s++) {
		const json_t *sec = json_array_get(sections, s);
		const json_t *items = json_object_get(sec, "items");
		for (size_t i = 0; i < json_array_size(items); i++) {
			const json_t *it = json_array_get(items, i);
			const json_t *ev = json_object_get(it, "evidence");
			const json_t *reasons = json_object_get(ev, "reasons");
			size_t n = json_array_size(reasons);
			long long total = jint(ev, "total");

			if (!json_is_object(ev))
				continue;
			char *num = jint(sec, "number")
					    ? xasprintf("第%lld章 %s", jint(sec, "number"),
							jstr_or(it, "number", ""))
					    : xstrdup(jstr_or(sec, "title", ""));
			for (size_t j = 0; j < (n ? n : 1) + (total > (long long)n && n ? 1 : 0); j++) {
				const json_t *reason = j < n ? json_array_get(reasons, j) : NULL;
				char *text;
				if (j < n)
					text = xstrdup(jstr_or(reason, "text", ""));
				else if (n)
					text = xasprintf("ほか %lld 件", total - (long long)n);
				else
					text = xstrdup(jstr_or(ev, "summary", ""));
				worksheet_write_string(ws, row, 0, num, f->ev_text);
				worksheet_write_string(ws, row, 1, jstr_or(it, "id", ""), f->ev_text);
				worksheet_write_string(ws, row, 2, jstr_or(ev, "rule_label", ""), f->ev_text);
				worksheet_write_string(ws, row, 3, jstr_or(ev, "outcome_label", ""),
						       f->ev_text);
				worksheet_write_string(ws, row, 4, text, f->ev_text);
				worksheet_write_string(ws, row, 5, jstr_or(reason, "link", ""), f->ev_text);
				double h = text_height(text, widths[4], 10);
				double hr = text_height(jstr(ev, "rule_label"), widths[2], 10);
				worksheet_set_row(ws, row, (hr > h ? hr : h) + 4, NULL);
				free(text);
				row++;
			}
			free(num);
		}
	}
	if (row == 1)
		worksheet_write_string(ws, 1, 0, "根拠を判定できる項目はありません。", NULL);
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_set_paper(ws, 9);
	worksheet_set_landscape(ws);
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_repeat_rows(ws, 0, 0);
}

/* Writes one item row. */
static void xlsx_item(lxw_worksheet *ws, lxw_row_t row, const json_t *view, const json_t *it,
		      struct xlsx_formats *f)
{
	struct item_desc d;
	double h, hc;

	describe(view, it, &d);
	worksheet_write_string(ws, row, XC_NUMBER, d.number, f->number);
	worksheet_write_string(ws, row, XC_WORDING, d.wording, f->wording);
	worksheet_write_string(ws, row, XC_SCOPE, d.scope, f->scope);
	for (int k = 0; k < CHECKLIST_ROUNDS; k++) {
		lxw_col_t c = (lxw_col_t)(XC_ROUND0 + 3 * k);
		const char *ph = round_placeholder(d.state[k]);
		if (ph) {
			worksheet_write_string(ws, row, c, ph, f->skip);
			worksheet_write_blank(ws, row, c + 1, f->date);
			worksheet_write_blank(ws, row, c + 2, f->date);
		} else if (d.ans[k]) {
			worksheet_write_string(ws, row, c, answer_label(d.ans[k]), f->answer);
			write_date(ws, row, c + 1, jstr(d.ans[k], "confirmed_on"), f->date, f->answer);
			write_date(ws, row, c + 2, jstr(d.ans[k], "target_on"), f->date, f->answer);
		} else {
			for (lxw_col_t j = 0; j < 3; j++)
				worksheet_write_blank(ws, row, c + j, j ? f->date : f->answer);
		}
	}
	worksheet_write_string(ws, row, XC_NOTE, d.notes, f->note);
	worksheet_write_string(ws, row, XC_EVIDENCE, d.evidence, f->note);
	worksheet_write_string(ws, row, XC_MARK, d.mark,
			       d.wording_kind == WORDING_OFFICIAL ? f->mark_official : f->mark);

	/* The row is as high as its tallest cell. */
	h = text_height(d.wording, xlsx_widths[XC_WORDING], 10);
	if ((hc = text_height(d.scope, xlsx_widths[XC_SCOPE], 9)) > h)
		h = hc;
	if ((hc = text_height(d.notes, xlsx_widths[XC_NOTE], 9)) > h)
		h = hc;
	if ((hc = text_height(d.evidence, xlsx_widths[XC_EVIDENCE], 9)) > h)
		h = hc;
	if ((hc = text_height(d.mark, xlsx_widths[XC_MARK], 9)) > h)
		h = hc;
	worksheet_set_row(ws, row, h + 6, NULL);
	describe_release(&d);
}

int checklist_export_xlsx(const json_t *view, const char *path, struct mamori_err *err)
{
	const json_t *sections = json_object_get(view, "sections");
	const json_t *facility = json_object_get(view, "facility");
	const char *fname = jstr_or(facility, "name", "");
	const char *vendor = view_vendor(view);
	char *tmp = fileio_temp_name(path), *title = NULL, *line = NULL;
	lxw_workbook_options opt = { .constant_memory = LXW_FALSE, .tmpdir = NULL };
	lxw_workbook *wb = workbook_new_opt(tmp, &opt);
	struct xlsx_formats f;
	lxw_worksheet *ws;
	lxw_error le;
	lxw_row_t row;
	int r = 0;

	if (!wb) {
		fileio_discard_temp(tmp);
		free(tmp);
		return mamori_err_set(err, MAMORI_EIO, "%s: xlsx を作成できません", path);
	}
	xlsx_formats_make(wb, &f);
	ws = workbook_add_worksheet(wb, "チェックリスト");
	for (lxw_col_t c = 0; c < XC_NCOLS; c++)
		worksheet_set_column(ws, c, c, xlsx_widths[c], NULL);

	/* Rows 1-3: title, 施設名 (事業者名 first on a vendor's sheet). */
	title = view_title(view);
	worksheet_merge_range(ws, ROW_TITLE, 0, ROW_TITLE, XC_NCOLS - 1, title, f.title);
	worksheet_set_row(ws, ROW_TITLE, 24, NULL);
	if (vendor) {
		line = xasprintf("事業者名：%s", vendor);
		worksheet_write_string(ws, ROW_FACILITY, 0, line, f.plain);
		free(line);
		line = xasprintf("施設名：%s", fname);
		worksheet_write_string(ws, ROW_FACILITY2, 0, line, f.plain);
	} else {
		line = xasprintf("施設名：%s", fname);
		worksheet_write_string(ws, ROW_FACILITY, 0, line, f.plain);
	}
	free(line);

	/* Rows 4-5: the two-row header. */
	static const char *const round_head[3] = { "はい/いいえ", "確認日", "目標日" };
	worksheet_merge_range(ws, ROW_HEAD1, XC_NUMBER, ROW_HEAD2, XC_NUMBER, "番号", f.head);
	worksheet_merge_range(ws, ROW_HEAD1, XC_WORDING, ROW_HEAD2, XC_WORDING, "チェック項目",
			      f.head);
	worksheet_merge_range(ws, ROW_HEAD1, XC_SCOPE, ROW_HEAD2, XC_SCOPE, "対象", f.head);
	for (int k = 0; k < CHECKLIST_ROUNDS; k++) {
		lxw_col_t c = (lxw_col_t)(XC_ROUND0 + 3 * k);
		char label[16];
		snprintf(label, sizeof(label), "%d回目", k + 1);
		worksheet_merge_range(ws, ROW_HEAD1, c, ROW_HEAD1, c + 2, label, f.head);
		for (lxw_col_t j = 0; j < 3; j++)
			worksheet_write_string(ws, ROW_HEAD2, c + j, round_head[j], f.head);
	}
	worksheet_merge_range(ws, ROW_HEAD1, XC_NOTE, ROW_HEAD2, XC_NOTE, "備考", f.head);
	worksheet_merge_range(ws, ROW_HEAD1, XC_EVIDENCE, ROW_HEAD2, XC_EVIDENCE, "根拠", f.head);
	worksheet_merge_range(ws, ROW_HEAD1, XC_MARK, ROW_HEAD2, XC_MARK, "文言", f.head);
	worksheet_set_row(ws, ROW_HEAD2, 27, NULL);

	row = ROW_FIRST;
	for (size_t s = 0; s < json_array_size(sections); s++) {
		const json_t *sec = json_array_get(sections, s);
		const json_t *items = json_object_get(sec, "items");
		char *label = section_label(sec);

		worksheet_merge_range(ws, row, XC_NUMBER, row, XC_SCOPE, label, f.section);
		for (lxw_col_t c = XC_ROUND0; c < XC_NCOLS; c++)
			worksheet_write_blank(ws, row, c, f.section_fill);
		worksheet_set_row(ws, row, 20, NULL);
		free(label);
		row++;
		for (size_t i = 0; i < json_array_size(items); i++)
			xlsx_item(ws, row++, view, json_array_get(items, i), &f);
	}

	/*
	 * Printed on A4, one page wide, the header on every page.  Landscape:
	 * fifteen columns one page wide on portrait print at about half size
	 * (10 pt becomes 5 pt); landscape keeps them at about 70 %.
	 */
	worksheet_set_paper(ws, 9);
	worksheet_set_landscape(ws);
	worksheet_set_margins(ws, 0.4, 0.4, 0.6, 0.6);
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_repeat_rows(ws, ROW_HEAD1, ROW_HEAD2);
	worksheet_print_area(ws, 0, 0, row > ROW_FIRST ? row - 1 : ROW_HEAD2, XC_NCOLS - 1);
	worksheet_freeze_panes(ws, ROW_FIRST, 0);
	worksheet_set_footer(ws, "&Lチェックリスト&R&P / &N");

	xlsx_evidence_sheet(wb, view, &f);

	char *company = xstrdup(fname);
	lxw_doc_properties props = {
		.title = title,
		.company = company,
		.comments = "mamori " MAMORI_VERSION,
	};
	workbook_set_properties(wb, &props);
	le = workbook_close(wb);
	free(company);
	free(title);
	if (le != LXW_NO_ERROR)
		r = mamori_err_set(err, MAMORI_EIO, "%s: xlsx を書き込めません: %s", path,
				   lxw_strerror(le));
	if (r == 0)
		r = fileio_commit_temp(tmp, path, err);
	else
		fileio_discard_temp(tmp);
	free(tmp);
	return r;
}

/* ---- the inspection pack ----------------------------------------------------------------- */

/* A table being filled: rows of ncols owned strings. */
struct table {
	size_t ncols, nrows, cap;
	char **cells;
};

static void table_init(struct table *t, size_t ncols)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
}

/* Appends a row of ncols strings (NULL = empty); they are copied. */
static void table_row(struct table *t, const char *const *row)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 32;
		t->cells = xrealloc(t->cells, t->cap * t->ncols * sizeof(char *));
	}
	for (size_t c = 0; c < t->ncols; c++)
		t->cells[t->nrows * t->ncols + c] = xstrdup(row[c] ? row[c] : "");
	t->nrows++;
}

static void table_emit(struct report *r, struct table *t, const char *const *head,
		       const double *widths)
{
	report_table(r, t->ncols, head, widths, t->nrows, (const char *const *)t->cells);
}

static void table_release(struct table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

/* "2025-06-01T…" → "2025/06/01"; "" for NULL. */
static void day_of(const char *s, char out[11])
{
	out[0] = '\0';
	if (!s || strlen(s) < 10)
		return;
	for (int i = 0; i < 10; i++)
		out[i] = s[i] == '-' ? '/' : s[i];
	out[10] = '\0';
}

/* What the pack shows for one round of an item. */
static char *pack_round(const struct item_desc *d, int k, int first_needed)
{
	const char *ph = round_placeholder(d->state[k]);
	const json_t *a = d->ans[k];
	char c[11], t[11];
	struct strbuf sb = STRBUF_INIT;

	if (ph)
		return xstrdup(ph);
	if (!a)
		return xstrdup(k == 0 && first_needed ? "未回答" : "");
	day_of(jstr(a, "confirmed_on"), c);
	day_of(jstr(a, "target_on"), t);
	strbuf_addstr(&sb, answer_label(a));
	if (*c)
		strbuf_addf(&sb, "\n確認 %s", c);
	if (*t)
		strbuf_addf(&sb, "\n目標 %s", t);
	if (jbool(a, "overdue", false))
		strbuf_addstr(&sb, "\n（目標日超過）");
	return strbuf_detach(&sb, NULL);
}

/* The facility's own sheet, item by item, one table per section. */
static void pack_sheet(struct report *r, const json_t *view)
{
	static const char *const head[] = { "番号", "チェック項目", "対象", "1回目", "2回目",
					    "3回目", "根拠（記録からの判定）" };
	static const double widths[] = { 10, 82, 36, 27, 27, 27, 58 };
	const json_t *sections = json_object_get(view, "sections");
	const json_t *sheet = json_object_get(view, "sheet");
	const json_t *prog = json_object_get(sheet, "progress");
	const json_t *ed = json_object_get(view, "edition");
	char *line;
	size_t unconfirmed = 0;

	line = xasprintf("様式: %s（%s）　状態: %s", jstr_or(ed, "title", ""),
			 jstr_or(ed, "form_label", ""),
			 jstr_or(sheet, "status_label", jstr_or(sheet, "status", "")));
	report_paragraph(r, line, 0);
	free(line);
	if (prog) {
		line = xasprintf("全 %lld 項目のうち回答が必要な %lld 項目について、1回目の回答 %lld "
				 "項目（はい %lld、いいえ %lld、うち目標日を過ぎたもの %lld）。",
				 jint(prog, "items"), jint(prog, "needed"), jint(prog, "answered"),
				 jint(prog, "yes"), jint(prog, "no"), jint(prog, "overdue"));
		report_paragraph(r, line, 0);
		free(line);
	}
	for (size_t s = 0; s < json_array_size(sections); s++) {
		const json_t *sec = json_array_get(sections, s);
		const json_t *items = json_object_get(sec, "items");
		char *label = section_label(sec);
		struct table t;

		table_init(&t, ARRAY_SIZE(head));
		for (size_t i = 0; i < json_array_size(items); i++) {
			struct item_desc d;
			struct strbuf w = STRBUF_INIT;
			char *rounds[CHECKLIST_ROUNDS];
			const char *row[ARRAY_SIZE(head)];

			describe(view, json_array_get(items, i), &d);
			strbuf_addstr(&w, d.wording);
			if (d.wording_kind == WORDING_UNCONFIRMED) {
				/* the placeholder says it already */
				if (!d.no_wording)
					strbuf_addstr(&w, "\n［文言未確認］");
				unconfirmed++;
			} else if (*d.mark) {
				strbuf_addf(&w, "\n［%s］", d.mark);
			}
			if (*d.notes)
				strbuf_addf(&w, "\n備考：%s", d.notes);
			for (int k = 0; k < CHECKLIST_ROUNDS; k++)
				rounds[k] = pack_round(&d, k, d.state[0] == ROUND_EMPTY);
			row[0] = d.number;
			row[1] = w.buf;
			row[2] = d.scope;
			row[3] = rounds[0];
			row[4] = rounds[1];
			row[5] = rounds[2];
			row[6] = *d.evidence ? d.evidence : "—";
			table_row(&t, row);
			for (int k = 0; k < CHECKLIST_ROUNDS; k++)
				free(rounds[k]);
			strbuf_release(&w);
			describe_release(&d);
		}
		report_heading(r, 3, label);
		table_emit(r, &t, head, widths);
		table_release(&t);
		free(label);
	}
	if (unconfirmed)
		report_paragraph(r,
				 "［文言未確認］の項目は、mamori が持つ文言を厚生労働省の公式様式と照合できて"
				 "いません。回答の前に公式様式の文言を確認してください。",
				 1);
	report_paragraph(r,
			 "根拠は mamori の台帳・文書・サポート期限の記録から自動で判定したものです"
			 "（はいを裏付け / はいと矛盾 / 判断材料なし）。",
			 1);
}

/* Splits "message: N 台" into the message (caller frees). */
static char *warning_text(const char *msg)
{
	const char *colon = msg ? strstr(msg, ": ") : NULL;
	return colon ? xstrndup(msg, (size_t)(colon - msg)) : xstrdup(msg ? msg : "");
}

static void pack_counts(struct report *r, const json_t *obj, const char *h1)
{
	static const double widths[] = { 60, 25 };
	const char *head[] = { h1, "台数" };
	const char *key;
	json_t *v;
	struct table t;

	table_init(&t, 2);
	json_object_foreach((json_t *)obj, key, v)
	{
		char n[32];
		snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(v));
		const char *row[] = { key, n };
		table_row(&t, row);
	}
	table_emit(r, &t, head, widths);
	table_release(&t);
}

/* 台帳の概要: dashboard figures. */
static void pack_ledger(struct report *r, const json_t *fig)
{
	const json_t *dev = json_object_get(fig, "devices");
	const json_t *eos = json_object_get(fig, "end_of_support");
	const json_t *warn = json_object_get(fig, "warnings");
	char *line;

	line = xasprintf("登録機器 %lld 台（うち使用中 %lld 台）。", jint(dev, "total"),
			 jint(dev, "in_use"));
	report_paragraph(r, line, 0);
	free(line);
	if (eos) {
		line = xasprintf("使用中の機器の OS サポート: 終了 %lld 台、12か月以内に終了 %lld 台、"
				 "サポート中 %lld 台、不明 %lld 台（%s 時点）。",
				 jint(eos, "ended"), jint(eos, "ending"), jint(eos, "supported"),
				 jint(eos, "unknown"), jstr_or(eos, "today", ""));
		report_paragraph(r, line, 0);
		free(line);
	}
	report_heading(r, 3, "使用中の機器の種別");
	pack_counts(r, json_object_get(dev, "by_kind"), "種別");
	report_heading(r, 3, "状態");
	pack_counts(r, json_object_get(dev, "by_status"), "状態");
	report_heading(r, 3, "確認が必要な点");
	if (!json_array_size(warn)) {
		report_paragraph(r, "台帳から見つかった注意点はありません。", 0);
		return;
	}
	static const char *const head[] = { "内容", "台数" };
	static const double widths[] = { 150, 25 };
	struct table t;
	table_init(&t, 2);
	for (size_t i = 0; i < json_array_size(warn); i++) {
		const json_t *w = json_array_get(warn, i);
		char *text = warning_text(jstr(w, "message"));
		char n[32];
		snprintf(n, sizeof(n), "%lld", jint(w, "count"));
		const char *row[] = { text, n };
		table_row(&t, row);
		free(text);
	}
	table_emit(r, &t, head, widths);
	table_release(&t);
}

struct eos_ctx {
	const struct eos_catalog *cat;
	const char *today;
	struct table *t;
};

static int eos_row(const struct asset *a, void *p)
{
	struct eos_ctx *c = p;
	struct eos_match m;

	if (eoscat_device_status(c->cat, a, c->today, &m) != EOS_ENDED)
		return 0;
	json_t *j = eoscat_device_json(c->cat, a, c->today);
	char *os = a->v[ASSET_OS_VERSION] ? xasprintf("%s %s", a->v[ASSET_OS] ? a->v[ASSET_OS] : "",
						       a->v[ASSET_OS_VERSION])
					  : xstrdup(a->v[ASSET_OS] ? a->v[ASSET_OS] : "");
	char end[11];
	const char *eol = jstr(j, "eol");
	if (eol)
		day_of(eol, end);
	else
		snprintf(end, sizeof(end), "%s", m.eol.kind == EOS_WHEN_DATE ? m.eol.date : "終了");
	const char *row[] = { a->v[ASSET_TAG], a->v[ASSET_HOSTNAME],
			      asset_display_value(a, ASSET_KIND), a->v[ASSET_DEPARTMENT],
			      os, jstr(j, "name"), end };
	table_row(c->t, row);
	free(os);
	json_decref(j);
	return 0;
}

/* サポートが終了した OS の機器 (in use). */
static int pack_eos(struct report *r, struct store *st, const char *today,
		    struct mamori_err *err)
{
	static const char *const head[] = { "媒体名", "ホスト名", "種別", "部署",
					    "OS (台帳の記載)", "製品 (判定)", "サポート終了日" };
	static const double widths[] = { 27, 27, 26, 32, 50, 64, 26 };
	struct eos_catalog cat = EOS_CATALOG_INIT;
	struct asset_query q = { .status = "in_use" };
	struct table t;
	struct eos_ctx c = { &cat, today, &t };
	int updated, rc;

	table_init(&t, ARRAY_SIZE(head));
	rc = eoscat_load(st, &cat, &updated, err);
	if (rc == 0)
		rc = asset_list(st, &q, eos_row, &c, err);
	if (rc == 0) {
		if (t.nrows) {
			char *line = xasprintf("使用中の機器のうち %zu 台の OS がセキュリティサポートの"
					       "終了日 (%s 時点) を過ぎています。",
					       t.nrows, today);
			report_paragraph(r, line, 0);
			free(line);
			table_emit(r, &t, head, widths);
		} else {
			report_paragraph(r, "OS のサポートが終了した使用中の機器はありません。", 0);
		}
		report_paragraph(r,
				 updated ? "サポート期限は mamori eos update で更新したカタログによります。"
					 : "サポート期限は mamori に同梱のカタログ (endoflife.date) によります。",
				 1);
	}
	table_release(&t);
	eos_catalog_release(&cat);
	return rc;
}

/* The vendors with a contract (ids), for those not yet asked for their sheet. */
static int contracted_vendors(struct store *st, json_t **ids, struct mamori_err *err)
{
	json_t *contracts = NULL;
	int rc = ledger_list(st, LEDGER_CONTRACT, &contracts, err);

	*ids = json_object();
	for (size_t i = 0; rc == 0 && i < json_array_size(contracts); i++) {
		char key[32];
		snprintf(key, sizeof(key), "%lld", jint(json_array_get(contracts, i), "vendor_id"));
		json_object_set_new(*ids, key, json_true());
	}
	json_decref(contracts);
	return rc;
}

/* 事業者確認用の回収状況. */
static int pack_vendors(struct report *r, struct store *st, const struct checklist_catalog *cat,
			int fy, const char *today, struct mamori_err *err)
{
	static const char *const head[] = { "事業者", "版", "状態", "依頼日", "回答日", "確認日",
					    "1回目の回答", "いいえ", "目標日超過" };
	static const double widths[] = { 56, 20, 20, 25, 25, 25, 30, 18, 22 };
	json_t *sheets = NULL, *vendors = NULL, *contracted = NULL;
	struct table t;
	int rc;

	table_init(&t, ARRAY_SIZE(head));
	rc = checklist_sheets_json(st, cat, fy, 0, today, &sheets, err);
	if (rc == 0)
		rc = contracted_vendors(st, &contracted, err);
	if (rc == 0)
		rc = ledger_list(st, LEDGER_VENDOR, &vendors, err);
	for (size_t i = 0; rc == 0 && i < json_array_size(sheets); i++) {
		const json_t *s = json_array_get(sheets, i);
		const json_t *prog = json_object_get(s, "progress");
		char req[11], ans[11], rev[11], done[48], no[16], over[16], key[32];

		if (!jint(s, "vendor_id"))
			continue;
		snprintf(key, sizeof(key), "%lld", jint(s, "vendor_id"));
		json_object_del(contracted, key);
		day_of(jstr(s, "requested_at"), req);
		day_of(jstr(s, "answered_at"), ans);
		day_of(jstr(s, "reviewed_at"), rev);
		snprintf(done, sizeof(done), "%lld / %lld 項目", jint(prog, "answered"),
			 jint(prog, "needed"));
		snprintf(no, sizeof(no), "%lld", jint(prog, "no"));
		snprintf(over, sizeof(over), "%lld", jint(prog, "overdue"));
		const char *row[] = { jstr_or(s, "vendor_name", ""), jstr_or(s, "edition", ""),
				      jstr_or(s, "status_label", jstr_or(s, "status", "")),
				      req, ans, rev, done, no, over };
		table_row(&t, row);
	}
	/* Contracted vendors not asked yet. */
	for (size_t i = 0; rc == 0 && i < json_array_size(vendors); i++) {
		const json_t *v = json_array_get(vendors, i);
		char key[32];
		snprintf(key, sizeof(key), "%lld", jint(v, "id"));
		if (!json_object_get(contracted, key))
			continue;
		const char *row[] = { jstr_or(v, "name", ""), "", "未依頼", "", "", "", "", "", "" };
		table_row(&t, row);
	}
	if (rc == 0) {
		if (t.nrows)
			table_emit(r, &t, head, widths);
		else
			report_paragraph(r, "この年度に事業者確認用を依頼した事業者、契約のある事業者は"
					    "ありません。",
					 0);
		report_paragraph(r,
				 "事業者確認用は契約のある事業者ごとに依頼し、回答を病院が確認します"
				 "（依頼済 → 回答済 → 確認済）。",
				 1);
	}
	table_release(&t);
	json_decref(sheets);
	json_decref(vendors);
	json_decref(contracted);
	return rc;
}

/* The journal head: seq, hash and the time of the newest entry. */
struct head {
	int64_t seq;
	char hash[JOURNAL_HASH_HEX];
	char *time;
};

static int head_entry(const struct journal_entry *e, void *p)
{
	struct head *h = p;
	free(h->time);
	h->time = xstrdup(e->time ? e->time : "");
	return 0;
}

static int journal_head_full(struct store *st, struct head *h, struct mamori_err *err)
{
	struct journal_filter f = { .limit = 1 };
	int rc = journal_head(st, &h->seq, h->hash, err);

	h->time = NULL;
	if (rc == 0 && h->seq > 0)
		rc = journal_list(st, &f, head_entry, h, err);
	if (!h->time)
		h->time = xstrdup("");
	return rc;
}

static void pack_head_table(struct report *r, const struct head *h)
{
	static const char *const head[] = { "項目", "値" };
	static const double widths[] = { 45, 200 };
	char seq[32];

	snprintf(seq, sizeof(seq), "%lld", (long long)h->seq);
	const char *cells[] = {
		"記録の件数 (最新の番号)", seq,
		"最新の記録のハッシュ (SHA-256)", h->hash,
		"最新の記録の時刻 (UTC)", h->time,
	};
	report_table(r, 2, head, widths, 3, cells);
}

int checklist_export_pack(struct store *st, const struct checklist_catalog *cat, int fy,
			  const char *today, const char *path, struct mamori_err *err)
{
	struct ledger_facility fac = { 0 };
	struct head h = { 0 };
	struct report *r = NULL;
	json_t *view = NULL, *fig = NULL;
	int64_t sheet_id = 0;
	char fyw[32], dtoday[11], *line = NULL;
	int rc;

	if (!today) {
		mamori_today(dtoday);
		today = dtoday;
	}
	wareki_fy(fy, fyw, sizeof(fyw));
	rc = ledger_facility_get(st, &fac, err);
	if (rc == 0)
		rc = checklist_sheet_find(st, fy, checklist_facility_form(fac.type), 0, &sheet_id, err);
	if (rc == 0 && !sheet_id)
		rc = checklist_sheet_find(st, fy, CHECKLIST_FORM_IRYO_YAKKYOKU, 0, &sheet_id, err);
	if (rc == 0 && !sheet_id)
		rc = mamori_err_set(err, MAMORI_ENOTFOUND,
				    "%s (%d年度) のチェックリストがまだありません。"
				    "mamori checklist open で開いて回答してから作成してください",
				    fyw, fy);
	if (rc == 0)
		rc = checklist_view(st, cat, sheet_id, 0, true, today, &view, err);
	if (rc == 0)
		rc = dashboard_figures(st, NULL, &fig, err);
	if (rc == 0)
		rc = journal_head_full(st, &h, err);
	if (rc == 0)
		rc = report_open(&r, path, REPORT_LANDSCAPE, "立入検査用資料", fac.name, err);
	if (rc < 0)
		goto out;

	/* Cover. */
	const json_t *ed = json_object_get(view, "edition");
	char *title = xasprintf("立入検査用資料 — %s", fac.name);
	report_heading(r, 1, title);
	free(title);
	{
		static const char *const head[] = { "項目", "内容" };
		static const double widths[] = { 45, 200 };
		char *fyline = xasprintf("%s (%d年度)", fyw, fy);
		char *form = xasprintf("%s（%s）", jstr_or(ed, "title", ""),
				       jstr_or(ed, "form_label", ""));
		char *edition = xasprintf("%s 版 (公表 %s)", jstr_or(ed, "edition", ""),
					  jstr_or(ed, "published", "不明"));
		char seq[32];
		snprintf(seq, sizeof(seq), "%lld", (long long)h.seq);
		const char *cells[] = {
			"施設名", fac.name,
			"施設の種類", ledger_facility_type_label(fac.type),
			"対象年度", fyline,
			"作成日", today,
			"チェックリスト", form,
			"様式の版", edition,
			"記録の件数 (最新の番号)", seq,
			"最新の記録のハッシュ", h.hash,
			"最新の記録の時刻 (UTC)", h.time,
		};
		report_table(r, 2, head, widths, ARRAY_SIZE(cells) / 2, cells);
		free(fyline);
		free(form);
		free(edition);
	}
	report_paragraph(r,
			 "この資料は mamori の記録から作成しました。記録は変更のたびにハッシュで"
			 "連結されており、上の「最新の記録のハッシュ」は作成時点の記録全体を表します。",
			 0);
	report_heading(r, 3, "目次");
	report_paragraph(r,
			 "1. サイバーセキュリティ対策チェックリスト\n2. 台帳の概要\n"
			 "3. OS のサポートが終了した機器\n4. 事業者確認用の回収状況\n5. 記録の完全性",
			 0);

	report_page_break(r);
	line = xasprintf("1. サイバーセキュリティ対策チェックリスト（%s）",
			 jstr_or(ed, "form_label", ""));
	report_heading(r, 2, line);
	free(line);
	line = NULL;
	pack_sheet(r, view);

	report_page_break(r);
	report_heading(r, 2, "2. 台帳の概要");
	pack_ledger(r, fig);

	report_page_break(r);
	report_heading(r, 2, "3. OS のサポートが終了した機器");
	rc = pack_eos(r, st, today, err);
	if (rc == 0) {
		report_heading(r, 2, "4. 事業者確認用の回収状況");
		rc = pack_vendors(r, st, cat, fy, today, err);
	}
	if (rc < 0) {
		report_abort(r);
		goto out;
	}

	/* The journal head again, alone on the last page. */
	report_page_break(r);
	report_heading(r, 2, "5. 記録の完全性");
	pack_head_table(r, &h);
	report_paragraph(r,
			 "mamori の記録は変更のたびに前の記録のハッシュと連結されています。"
			 "mamori journal verify --expect-head <上のハッシュ> が成功すれば、この資料を"
			 "作成した時点までの記録がその後書き換えられていないことが証明されます"
			 "（過去の記録を一件でも変えると連結が合わなくなり、上のハッシュも見つからなく"
			 "なります）。検査の際は mamori journal head の表示と上のハッシュも照合して"
			 "ください。",
			 0);
	rc = report_close(r, err);
out:
	free(line);
	free(h.time);
	json_decref(view);
	json_decref(fig);
	ledger_facility_release(&fac);
	return rc;
}
