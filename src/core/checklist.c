/*
 * checklist.c - answers, vendor checklists and the views of a sheet (see
 * checklist.h).
 */
#include "common.h"
#include "catalog_files.h"
#include "checklist.h"
#include "enc.h"
#include "eos.h"
#include "eoscat.h"
#include "evidence.h"
#include "journal.h"
#include "ledger.h"
#include "norm.h"
#include "store.h"
#include "strbuf.h"

#include <openssl/evp.h>

/* --- the catalog a store sees ------------------------------------------ */

static void catalog_add(struct checklist_catalog *cat, struct checklist_edition *e)
{
	cat->editions = xrealloc(cat->editions, (cat->nr + 1) * sizeof(*cat->editions));
	cat->editions[cat->nr++] = *e;
	memset(e, 0, sizeof(*e));
}

int checklist_catalog_open(struct store *st, struct checklist_catalog *cat,
			   struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r = 0;

	memset(cat, 0, sizeof(*cat));
	for (const struct catalog_file *f = catalog_files; f->name; f++) {
		struct checklist_edition e = CHECKLIST_EDITION_INIT;
		if (strncmp(f->name, "checklist/", 10) != 0)
			continue;
		if (checklist_catalog_load_buffer(f->name + 10, f->data, f->size, &e, NULL, err) < 0) {
			checklist_catalog_release(cat);
			return mamori_err_set(err, MAMORI_EINVAL, "同梱のチェックリスト %s が壊れています",
					      f->name);
		}
		catalog_add(cat, &e);
	}
	if (!st)
		return 0;
	r = store_prepare(st, "SELECT name, body FROM checklist_edition_file ORDER BY name", &s, err);
	while (r == 0 && (r = store_step(st, s, err)) == 1) {
		struct checklist_edition e = CHECKLIST_EDITION_INIT;
		const char *name = store_column_text(st, s, 0), *body = store_column_text(st, s, 1);
		r = checklist_catalog_load_buffer(name, body, strlen(body), &e, NULL, err);
		if (r < 0) {
			r = mamori_err_prefix(err, "取り込んだチェックリスト %s", name);
			break;
		}
		catalog_add(cat, &e);
	}
	store_finalize(st, s);
	if (r < 0) {
		checklist_catalog_release(cat);
		return r;
	}
	return 0;
}

const struct checklist_edition *checklist_catalog_find(const struct checklist_catalog *cat,
						       const char *edition,
						       enum checklist_form form)
{
	for (size_t i = 0; i < cat->nr; i++)
		if (cat->editions[i].form == form && !strcmp(cat->editions[i].edition, edition))
			return &cat->editions[i];
	return NULL;
}

const struct checklist_edition *checklist_catalog_for_year(const struct checklist_catalog *cat,
							   int fy, enum checklist_form form)
{
	const struct checklist_edition *best = NULL;

	for (size_t i = 0; i < cat->nr; i++) {
		const struct checklist_edition *e = &cat->editions[i];
		bool fits = e->form == form ||
			    (e->form == CHECKLIST_FORM_IRYO_YAKKYOKU &&
			     (form == CHECKLIST_FORM_IRYO || form == CHECKLIST_FORM_YAKKYOKU));
		if (!fits || e->fiscal_year > fy)
			continue;
		/* Newer year wins; in the same year the form's own file wins over the merged one. */
		if (!best || e->fiscal_year > best->fiscal_year ||
		    (e->fiscal_year == best->fiscal_year && e->form == form))
			best = e;
	}
	return best;
}

int checklist_form_parse(const char *s)
{
	for (int f = 0; f < CHECKLIST_FORM_COUNT; f++)
		if (!strcmp(s, checklist_form_name(f)) || !strcmp(s, checklist_form_label(f)))
			return f;
	return -1;
}

int checklist_fiscal_year(const char *date)
{
	int y = 0, m = 0, d = 0;

	if (sscanf(date, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return 0;
	return m >= 4 ? y : y - 1;
}

enum checklist_form checklist_facility_form(const char *facility_type)
{
	return facility_type && !strcmp(facility_type, "pharmacy") ? CHECKLIST_FORM_YAKKYOKU
								    : CHECKLIST_FORM_IRYO;
}

const char *checklist_sheet_status_label(const char *status)
{
	static const char *const labels[][2] = {
		{ "open", "回答中" },
		{ "requested", "依頼済" },
		{ "answered", "回答済" },
		{ "reviewed", "確認済" },
	};
	for (size_t i = 0; status && i < ARRAY_SIZE(labels); i++)
		if (!strcmp(status, labels[i][0]))
			return labels[i][1];
	return NULL;
}

/* --- sheets ------------------------------------------------------------- */

#define SHEET_COLUMNS                                                                        \
	"c.id, c.fiscal_year, c.edition, c.form, c.vendor_id, v.name, c.status, "            \
	"c.requested_at, c.requested_by, c.answered_at, c.answered_by, c.reviewed_at, "      \
	"c.reviewed_by, c.review_note, c.created_at, c.updated_at"
#define SHEET_FROM " FROM checklist c LEFT JOIN vendor v ON v.id = c.vendor_id"

static json_t *sheet_row_json(struct store *st, struct store_stmt *s)
{
	static const char *const names[] = { "requested_at", "requested_by", "answered_at",
					      "answered_by", "reviewed_at", "reviewed_by",
					      "review_note", "created_at", "updated_at" };
	const char *form = store_column_text(st, s, 3), *status = store_column_text(st, s, 6);
	int f = checklist_form_parse(form);
	json_t *o = json_pack("{s:I, s:I, s:s, s:s, s:s?, s:s, s:s?}", "id",
			      (json_int_t)store_column_int(st, s, 0), "fiscal_year",
			      (json_int_t)store_column_int(st, s, 1), "edition",
			      store_column_text(st, s, 2), "form", form, "form_label",
			      f >= 0 ? checklist_form_label(f) : NULL, "status", status,
			      "status_label", checklist_sheet_status_label(status));

	if (store_column_is_null(st, s, 4)) {
		json_object_set_new(o, "vendor_id", json_null());
		json_object_set_new(o, "vendor_name", json_null());
	} else {
		json_object_set_new(o, "vendor_id", json_integer(store_column_int(st, s, 4)));
		json_object_set_new(o, "vendor_name", json_string(store_column_text(st, s, 5)));
	}
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const char *v = store_column_text(st, s, 7 + (int)i);
		json_object_set_new(o, names[i], v ? json_string(v) : json_null());
	}
	return o;
}

/* The sheet as JSON (*out) or MAMORI_ENOTFOUND; vendor_id != 0 limits to that vendor. */
static int sheet_get(struct store *st, int64_t id, int64_t vendor_id, json_t **out,
		     struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r = store_prepare(st, "SELECT " SHEET_COLUMNS SHEET_FROM " WHERE c.id = ?", &s, err);

	*out = NULL;
	if (r < 0)
		return r;
	store_bind_int(st, s, 1, id);
	r = store_step(st, s, err);
	if (r == 1) {
		*out = sheet_row_json(st, s);
		r = 0;
	} else if (r == 0) {
		r = 1;
	}
	store_finalize(st, s);
	if (r == 1 || (r == 0 && vendor_id &&
		       json_integer_value(json_object_get(*out, "vendor_id")) != vendor_id)) {
		json_decref(*out);
		*out = NULL;
		return mamori_err_set(err, MAMORI_ENOTFOUND, "チェックリスト #%lld はありません",
				      (long long)id);
	}
	return r;
}

static const char *sj_str(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

/* The edition of a sheet, from its row. */
static int sheet_edition(const struct checklist_catalog *cat, json_t *sheet,
			 const struct checklist_edition **out, struct mamori_err *err)
{
	int f = checklist_form_parse(sj_str(sheet, "form"));

	*out = f < 0 ? NULL : checklist_catalog_find(cat, sj_str(sheet, "edition"), f);
	if (!*out)
		return mamori_err_set(err, MAMORI_ENOTFOUND,
				      "チェックリスト #%lld の版 %s-%s がカタログにありません (取り込まれた版が削除された可能性があります)",
				      (long long)json_integer_value(json_object_get(sheet, "id")),
				      sj_str(sheet, "edition"), sj_str(sheet, "form"));
	return 0;
}

int checklist_sheet_find(struct store *st, int fy, enum checklist_form form, int64_t vendor_id,
			 int64_t *id, struct mamori_err *err)
{
	char fys[16], vids[32];

	snprintf(fys, sizeof(fys), "%d", fy);
	snprintf(vids, sizeof(vids), "%lld", (long long)vendor_id);
	return store_query_int(st, id, err,
			       "SELECT id FROM checklist WHERE fiscal_year = CAST(? AS INTEGER) AND form = ? "
			       "AND coalesce(vendor_id, 0) = CAST(? AS INTEGER)",
			       fys, checklist_form_name(form), vids, NULL);
}

static int sheet_insert(struct store *st, const char *actor, int fy,
			const struct checklist_edition *e, int64_t vendor_id, int64_t *id,
			struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	char now[MAMORI_TIME_LEN], idbuf[32];
	json_t *after = NULL;
	int r;

	mamori_now(now);
	r = store_prepare(st,
			  "INSERT INTO checklist (facility_id, fiscal_year, edition, form, vendor_id, "
			  "status, requested_at, requested_by, created_at, updated_at) VALUES "
			  "((SELECT MIN(id) FROM facility), ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  &s, err);
	if (r < 0)
		return r;
	store_bind_int(st, s, 1, fy);
	store_bind_text(st, s, 2, e->edition);
	store_bind_text(st, s, 3, checklist_form_name(e->form));
	if (vendor_id)
		store_bind_int(st, s, 4, vendor_id);
	else
		store_bind_null(st, s, 4);
	store_bind_text(st, s, 5, vendor_id ? "requested" : "open");
	store_bind_text(st, s, 6, vendor_id ? now : NULL);
	store_bind_text(st, s, 7, vendor_id ? actor : NULL);
	store_bind_text(st, s, 8, now);
	store_bind_text(st, s, 9, now);
	r = store_step(st, s, err);
	if (r == 1) {
		*id = store_column_int(st, s, 0);
		r = 0;
	} else if (r == 0) {
		r = mamori_err_set(err, MAMORI_EDB, "チェックリストを作成できませんでした");
	}
	store_finalize(st, s);
	if (r < 0)
		return r;
	r = sheet_get(st, *id, 0, &after, err);
	if (r == 0) {
		snprintf(idbuf, sizeof(idbuf), "%lld", (long long)*id);
		r = journal_append(st, actor, vendor_id ? "checklist.request" : "checklist.open",
				   "checklist", idbuf, NULL, after, NULL, err);
	}
	json_decref(after);
	return r;
}

static const char *reiwa(int fy, char *buf, size_t len)
{
	snprintf(buf, len, "令和%d年度", fy - 2018);
	return buf;
}

int checklist_sheet_open(struct store *st, const char *actor,
			 const struct checklist_catalog *cat, int fy, enum checklist_form form,
			 const char *edition, int64_t *id, int *created, struct mamori_err *err)
{
	const struct checklist_edition *e;
	char y[32];
	int r;

	if (created)
		*created = 0;
	if ((unsigned)form >= CHECKLIST_FORM_COUNT || form == CHECKLIST_FORM_JIGYOSHA)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "事業者確認用は事業者への依頼として作成します (checklist request)");
	if (fy < 2000 || fy > 2100)
		return mamori_err_set(err, MAMORI_EINVAL, "年度 %d が正しくありません", fy);
	e = edition ? checklist_catalog_find(cat, edition, form) : checklist_catalog_for_year(cat, fy, form);
	if (!e && edition && (form == CHECKLIST_FORM_IRYO || form == CHECKLIST_FORM_YAKKYOKU))
		e = checklist_catalog_find(cat, edition, CHECKLIST_FORM_IRYO_YAKKYOKU);
	if (!e)
		return mamori_err_set(err, MAMORI_ENOTFOUND, "%sの%sに使える版がありません%s%s",
				      reiwa(fy, y, sizeof(y)), checklist_form_label(form),
				      edition ? ": " : "", edition ? edition : "");
	r = checklist_sheet_find(st, fy, e->form, 0, id, err);
	if (r < 0 || *id)
		return r;
	r = sheet_insert(st, actor, fy, e, 0, id, err);
	if (r == 0 && created)
		*created = 1;
	return r;
}

int checklist_vendor_request(struct store *st, const char *actor,
			     const struct checklist_catalog *cat, int fy, int64_t vendor_id,
			     const char *edition, int64_t *id, struct mamori_err *err)
{
	const struct checklist_edition *e;
	json_t *v = NULL;
	int64_t contracts = 0, existing = 0;
	char vid[32], y[32];
	int r;

	*id = 0;
	r = ledger_get(st, LEDGER_VENDOR, vendor_id, &v, err);
	if (r < 0)
		return r;
	snprintf(vid, sizeof(vid), "%lld", (long long)vendor_id);
	r = store_query_int(st, &contracts, err,
			    "SELECT COUNT(*) FROM contract WHERE vendor_id = CAST(? AS INTEGER)", vid, NULL);
	if (r == 0 && !contracts)
		r = mamori_err_set(err, MAMORI_ECONFLICT,
				   "事業者「%s」との契約が登録されていません。契約のない事業者には事業者確認用は不要です",
				   ledger_record_name(v));
	if (r == 0) {
		e = edition ? checklist_catalog_find(cat, edition, CHECKLIST_FORM_JIGYOSHA)
			    : checklist_catalog_for_year(cat, fy, CHECKLIST_FORM_JIGYOSHA);
		if (!e)
			r = mamori_err_set(err, MAMORI_ENOTFOUND, "%sの事業者確認用に使える版がありません",
					   reiwa(fy, y, sizeof(y)));
	}
	if (r == 0)
		r = checklist_sheet_find(st, fy, CHECKLIST_FORM_JIGYOSHA, vendor_id, &existing, err);
	if (r == 0 && existing)
		r = mamori_err_set(err, MAMORI_ECONFLICT,
				   "事業者「%s」には%sの事業者確認用を依頼済みです (#%lld)",
				   ledger_record_name(v), reiwa(fy, y, sizeof(y)), (long long)existing);
	if (r == 0)
		r = sheet_insert(st, actor, fy, e, vendor_id, id, err);
	json_decref(v);
	return r;
}

/* Updates the state of a sheet and journals it. */
static int sheet_set_state(struct store *st, const char *actor, json_t *before,
			   const char *status, const char *who_col, const char *note,
			   const char *action, struct mamori_err *err)
{
	int64_t id = json_integer_value(json_object_get(before, "id"));
	struct store_stmt *s = NULL;
	char now[MAMORI_TIME_LEN], idbuf[32];
	json_t *after = NULL;
	char *sql;
	int r;

	mamori_now(now);
	sql = xasprintf("UPDATE checklist SET status = ?, %s_at = ?, %s_by = ?, review_note = ?, "
			"updated_at = ? WHERE id = ?",
			who_col, who_col);
	r = store_prepare(st, sql, &s, err);
	free(sql);
	if (r < 0)
		return r;
	store_bind_text(st, s, 1, status);
	store_bind_text(st, s, 2, now);
	store_bind_text(st, s, 3, actor);
	store_bind_text(st, s, 4, note);
	store_bind_text(st, s, 5, now);
	store_bind_int(st, s, 6, id);
	r = store_step(st, s, err);
	store_finalize(st, s);
	if (r < 0)
		return r;
	r = sheet_get(st, id, 0, &after, err);
	if (r == 0) {
		snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
		r = journal_append(st, actor, action, "checklist", idbuf, before, after, NULL, err);
	}
	json_decref(after);
	return r;
}

/* --- answers ------------------------------------------------------------- */

struct answer_row {
	char *item_id;
	int round;
	json_t *json;
};

struct answers {
	struct answer_row *rows;
	size_t nr;
};

static void answers_release(struct answers *a)
{
	for (size_t i = 0; i < a->nr; i++) {
		free(a->rows[i].item_id);
		json_decref(a->rows[i].json);
	}
	free(a->rows);
	memset(a, 0, sizeof(*a));
}

static json_t *answer_json(struct store *st, struct store_stmt *s, const char *today)
{
	const char *answer = store_column_text(st, s, 2), *target = store_column_text(st, s, 4);
	const char *links = store_column_text(st, s, 6);
	json_t *l = links ? json_loads(links, 0, NULL) : NULL;
	bool no = !strcmp(answer, "no");

	return json_pack("{s:i, s:s, s:s, s:s, s:s?, s:b, s:s?, s:o, s:s, s:s}", "round",
			 (int)store_column_int(st, s, 1), "answer", answer, "answer_label",
			 no ? "いいえ" : "はい", "confirmed_on", store_column_text(st, s, 3),
			 "target_on", target, "overdue",
			 no && target && today && strcmp(target, today) < 0, "note",
			 store_column_text(st, s, 5), "links", l && json_is_array(l) ? l : json_array(),
			 "updated_at", store_column_text(st, s, 7), "updated_by",
			 store_column_text(st, s, 8));
}

static int answers_load(struct store *st, int64_t sheet_id, const char *today,
			struct answers *out, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r = store_prepare(st,
			      "SELECT item_id, round, answer, confirmed_on, target_on, note, links, "
			      "updated_at, updated_by FROM checklist_answer WHERE checklist_id = ? "
			      "ORDER BY item_id, round",
			      &s, err);

	memset(out, 0, sizeof(*out));
	if (r < 0)
		return r;
	store_bind_int(st, s, 1, sheet_id);
	while ((r = store_step(st, s, err)) == 1) {
		out->rows = xrealloc(out->rows, (out->nr + 1) * sizeof(*out->rows));
		out->rows[out->nr].item_id = xstrdup(store_column_text(st, s, 0));
		out->rows[out->nr].round = (int)store_column_int(st, s, 1);
		out->rows[out->nr].json = answer_json(st, s, today);
		out->nr++;
	}
	store_finalize(st, s);
	if (r < 0)
		answers_release(out);
	return r < 0 ? r : 0;
}

static json_t *answers_get(const struct answers *a, const char *item_id, int round)
{
	for (size_t i = 0; i < a->nr; i++)
		if (a->rows[i].round == round && !strcmp(a->rows[i].item_id, item_id))
			return a->rows[i].json;
	return NULL;
}

/* The answer of the highest answered round, or NULL. */
static json_t *answers_latest(const struct answers *a, const char *item_id)
{
	for (int round = CHECKLIST_ROUNDS; round >= 1; round--) {
		json_t *v = answers_get(a, item_id, round);
		if (v)
			return v;
	}
	return NULL;
}

static const struct checklist_item *gate_item(const struct checklist_edition *e)
{
	for (size_t i = 0; i < e->nr_items; i++)
		if (e->items[i].gate)
			return &e->items[i];
	return NULL;
}

/* True when the gate was answered いいえ in that round. */
static bool gate_no(const struct checklist_edition *e, const struct answers *a, int round)
{
	const struct checklist_item *g = gate_item(e);
	json_t *v = g ? answers_get(a, g->id, round) : NULL;

	return v && !strcmp(sj_str(v, "answer"), "no");
}

static int has_vendor_contract(struct store *st, bool *out, struct mamori_err *err)
{
	int64_t n = 0;
	int r = store_query_int(st, &n, err, "SELECT COUNT(*) FROM contract", NULL);

	*out = n > 0;
	return r;
}

/* Whether an item must be answered on this sheet (gate aside). */
static bool item_needed(const struct checklist_item *it, bool vendor_sheet, bool contract,
			const char **why)
{
	*why = NULL;
	if (!vendor_sheet && !contract && it->needed_without_vendor_contract == CHECKLIST_NO) {
		*why = "記入不要 (事業者と契約していないため)";
		return false;
	}
	return true;
}

static int check_date(const char *what, const char *in, char out[NORM_DATE_LEN],
		      struct mamori_err *err)
{
	if (norm_date(in, out, err) < 0)
		return mamori_err_prefix(err, "%s", what);
	return 0;
}

static int check_text(const char *what, const char *s, size_t max, bool newlines,
		      struct mamori_err *err)
{
	size_t len = strlen(s);

	if (len > max)
		return mamori_err_set(err, MAMORI_EINVAL, "%s: 長すぎます (%zu バイト、上限 %zu)", what,
				      len, max);
	if (!enc_valid_utf8(s, len))
		return mamori_err_set(err, MAMORI_EINVAL, "%s: UTF-8 として読めない文字があります", what);
	for (const unsigned char *c = (const unsigned char *)s; *c; c++)
		if ((*c < 0x20 && !(newlines && (*c == '\n' || *c == '\t'))) || *c == 0x7f)
			return mamori_err_set(err, MAMORI_EINVAL, "%s: 制御文字は使えません", what);
	return 0;
}

static int check_link(const char *l, struct mamori_err *err)
{
	static const char *const kinds[] = { "device:", "document:", "system:", "vendor:",
					     "contract:" };
	int r = check_text("根拠リンク", l, CHECKLIST_LINK_MAX, false, err);

	if (r < 0)
		return r;
	if (!strncmp(l, "https://", 8) || !strncmp(l, "http://", 7))
		return strchr(l, ' ') ? mamori_err_set(err, MAMORI_EINVAL,
						       "根拠リンク「%s」: 空白を含む URL は使えません", l)
				      : 0;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		size_t n = strlen(kinds[i]);
		if (!strncmp(l, kinds[i], n) && l[n] >= '1' && l[n] <= '9' &&
		    strspn(l + n, "0123456789") == strlen(l + n) && strlen(l + n) <= 18)
			return 0;
	}
	return mamori_err_set(err, MAMORI_EINVAL,
			      "根拠リンク「%s」: device:番号、document:番号、system:番号、vendor:番号、contract:番号、または URL を指定してください",
			      l);
}

/* Checks the right to change answers of the sheet. */
static int may_answer(json_t *sheet, int64_t vendor_id, struct mamori_err *err)
{
	const char *status = sj_str(sheet, "status");

	if (vendor_id) {
		if (strcmp(status, "requested") != 0)
			return mamori_err_set(err, MAMORI_ECONFLICT,
					      "このチェックリストは%sのため回答を変更できません",
					      checklist_sheet_status_label(status));
		return 0;
	}
	if (!strcmp(status, "reviewed"))
		return mamori_err_set(err, MAMORI_ECONFLICT,
				      "確認済の事業者確認用は変更できません (変更するには再依頼してください)");
	return 0;
}

static int answer_before(struct store *st, int64_t sheet_id, const char *item_id, int round,
			 json_t **out, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r = store_prepare(st,
			      "SELECT item_id, round, answer, confirmed_on, target_on, note, links, "
			      "updated_at, updated_by FROM checklist_answer WHERE checklist_id = ? "
			      "AND item_id = ? AND round = ?",
			      &s, err);

	*out = NULL;
	if (r < 0)
		return r;
	store_bind_int(st, s, 1, sheet_id);
	store_bind_text(st, s, 2, item_id);
	store_bind_int(st, s, 3, round);
	r = store_step(st, s, err);
	if (r == 1) {
		*out = answer_json(st, s, NULL);
		json_object_set_new(*out, "item_id", json_string(item_id));
		json_object_del(*out, "overdue");
		r = 0;
	}
	store_finalize(st, s);
	return r;
}

/* Loads sheet, edition and item for an answer change. */
static int answer_target(struct store *st, const struct checklist_catalog *cat, int64_t sheet_id,
			 int64_t vendor_id, const char *item_id, int round, json_t **sheet,
			 const struct checklist_edition **e, const struct checklist_item **it,
			 struct mamori_err *err)
{
	int r = sheet_get(st, sheet_id, vendor_id, sheet, err);

	if (r == 0)
		r = sheet_edition(cat, *sheet, e, err);
	if (r == 0 && !(*it = checklist_edition_item(*e, item_id)))
		r = mamori_err_set(err, MAMORI_EINVAL, "項目「%s」はこのチェックリスト (%s) にありません",
				   item_id, (*e)->title);
	if (r == 0 && (round < 1 || round > CHECKLIST_ROUNDS))
		r = mamori_err_set(err, MAMORI_EINVAL, "回数は 1〜%d で指定してください (%d)",
				   CHECKLIST_ROUNDS, round);
	if (r == 0)
		r = may_answer(*sheet, vendor_id, err);
	if (r < 0) {
		json_decref(*sheet);
		*sheet = NULL;
	}
	return r;
}

int checklist_answer_set(struct store *st, const char *actor,
			 const struct checklist_catalog *cat, int64_t sheet_id, int64_t vendor_id,
			 const char *item_id, int round, const struct checklist_answer_in *in,
			 struct mamori_err *err)
{
	const struct checklist_edition *e = NULL;
	const struct checklist_item *it = NULL;
	struct answers ans = { 0 };
	struct store_stmt *s = NULL;
	json_t *sheet = NULL, *before = NULL, *after = NULL, *links = NULL;
	char confirmed[NORM_DATE_LEN], target[NORM_DATE_LEN] = "", today[11], now[MAMORI_TIME_LEN];
	char idbuf[32], lo[24], hi[24], *links_text = NULL;
	int fy, r;

	r = answer_target(st, cat, sheet_id, vendor_id, item_id, round, &sheet, &e, &it, err);
	if (r < 0)
		return r;
	mamori_today(today);
	fy = (int)json_integer_value(json_object_get(sheet, "fiscal_year"));
	if (!it->gate) {
		r = answers_load(st, sheet_id, today, &ans, err);
		if (r == 0 && gate_no(e, &ans, round))
			r = mamori_err_set(err, MAMORI_EINVAL,
					   "%d回目は「医療情報システムを導入、運用している」が「いいえ」のため、この項目は確認不要です",
					   round);
		answers_release(&ans);
		if (r < 0)
			goto out;
	}
	if (in->confirmed_on && *in->confirmed_on) {
		r = check_date("確認日", in->confirmed_on, confirmed, err);
		if (r == 0 && norm_date_is_future(confirmed, today))
			r = mamori_err_set(err, MAMORI_EINVAL, "確認日: %s は未来の日付です (今日は %s)",
					   confirmed, today);
	} else {
		snprintf(confirmed, sizeof(confirmed), "%s", today);
	}
	if (r < 0)
		goto out;
	snprintf(lo, sizeof(lo), "%04d-04-01", fy);
	snprintf(hi, sizeof(hi), "%04d-03-31", fy + 1);
	if (!in->yes) {
		if (!in->target_on || !*in->target_on) {
			r = mamori_err_set(err, MAMORI_EINVAL,
					   "目標日: 「いいえ」の場合は、対策を実施する目標日 (令和%d年度中: %s〜%s) を入力してください",
					   fy - 2018, lo, hi);
			goto out;
		}
		r = check_date("目標日", in->target_on, target, err);
		if (r == 0 && (strcmp(target, lo) < 0 || strcmp(target, hi) > 0))
			r = mamori_err_set(err, MAMORI_EINVAL,
					   "目標日: %s は令和%d年度 (%s〜%s) の外です", target, fy - 2018,
					   lo, hi);
		if (r < 0)
			goto out;
	}
	if (in->note && *in->note && (r = check_text("備考", in->note, CHECKLIST_NOTE_MAX, true, err)) < 0)
		goto out;
	if (in->nr_links > CHECKLIST_LINKS_MAX) {
		r = mamori_err_set(err, MAMORI_EINVAL, "根拠リンクは %d 件までです (%zu 件)",
				   CHECKLIST_LINKS_MAX, in->nr_links);
		goto out;
	}
	links = json_array();
	for (size_t i = 0; i < in->nr_links; i++) {
		if ((r = check_link(in->links[i], err)) < 0)
			goto out;
		json_array_append_new(links, json_string(in->links[i]));
	}
	links_text = json_dumps(links, JSON_COMPACT);

	r = answer_before(st, sheet_id, item_id, round, &before, err);
	if (r < 0)
		goto out;
	mamori_now(now);
	r = store_prepare(st,
			  "INSERT INTO checklist_answer (checklist_id, item_id, round, answer, "
			  "confirmed_on, target_on, note, links, updated_at, updated_by) VALUES "
			  "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (checklist_id, item_id, round) DO "
			  "UPDATE SET answer = excluded.answer, confirmed_on = excluded.confirmed_on, "
			  "target_on = excluded.target_on, note = excluded.note, links = excluded.links, "
			  "updated_at = excluded.updated_at, updated_by = excluded.updated_by "
			  /* the same answer again leaves the row (and its updated_at) alone */
			  "WHERE answer IS NOT excluded.answer OR confirmed_on IS NOT "
			  "excluded.confirmed_on OR target_on IS NOT excluded.target_on OR note IS NOT "
			  "excluded.note OR links IS NOT excluded.links",
			  &s, err);
	if (r < 0)
		goto out;
	store_bind_int(st, s, 1, sheet_id);
	store_bind_text(st, s, 2, item_id);
	store_bind_int(st, s, 3, round);
	store_bind_text(st, s, 4, in->yes ? "yes" : "no");
	store_bind_text(st, s, 5, confirmed);
	store_bind_text(st, s, 6, in->yes ? NULL : target);
	store_bind_text(st, s, 7, in->note && *in->note ? in->note : NULL);
	store_bind_text(st, s, 8, links_text);
	store_bind_text(st, s, 9, now);
	store_bind_text(st, s, 10, actor);
	r = store_step(st, s, err);
	store_finalize(st, s);
	s = NULL;
	if (r < 0)
		goto out;
	r = answer_before(st, sheet_id, item_id, round, &after, err);
	if (r < 0)
		goto out;
	if (before && json_equal(before, after))
		goto out;
	r = store_prepare(st, "UPDATE checklist SET updated_at = ? WHERE id = ?", &s, err);
	if (r == 0) {
		store_bind_text(st, s, 1, now);
		store_bind_int(st, s, 2, sheet_id);
		r = store_step(st, s, err);
		store_finalize(st, s);
	}
	if (r < 0)
		goto out;
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)sheet_id);
	r = journal_append(st, actor, "checklist.answer", "checklist", idbuf, before, after, NULL, err);
out:
	free(links_text);
	json_decref(links);
	json_decref(sheet);
	json_decref(before);
	json_decref(after);
	return r;
}

int checklist_answer_clear(struct store *st, const char *actor,
			   const struct checklist_catalog *cat, int64_t sheet_id,
			   int64_t vendor_id, const char *item_id, int round,
			   struct mamori_err *err)
{
	const struct checklist_edition *e = NULL;
	const struct checklist_item *it = NULL;
	struct store_stmt *s = NULL;
	json_t *sheet = NULL, *before = NULL;
	char idbuf[32];
	int r = answer_target(st, cat, sheet_id, vendor_id, item_id, round, &sheet, &e, &it, err);

	if (r == 0)
		r = answer_before(st, sheet_id, item_id, round, &before, err);
	if (r < 0 || !before)
		goto out;
	r = store_prepare(st,
			  "DELETE FROM checklist_answer WHERE checklist_id = ? AND item_id = ? AND "
			  "round = ?",
			  &s, err);
	if (r < 0)
		goto out;
	store_bind_int(st, s, 1, sheet_id);
	store_bind_text(st, s, 2, item_id);
	store_bind_int(st, s, 3, round);
	r = store_step(st, s, err);
	store_finalize(st, s);
	if (r < 0)
		goto out;
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)sheet_id);
	r = journal_append(st, actor, "checklist.clear", "checklist", idbuf, before, NULL, NULL, err);
out:
	json_decref(sheet);
	json_decref(before);
	return r;
}

/* --- vendor workflow ---------------------------------------------------- */

int checklist_vendor_submit(struct store *st, const char *actor,
			    const struct checklist_catalog *cat, int64_t sheet_id,
			    int64_t vendor_id, struct mamori_err *err)
{
	const struct checklist_edition *e = NULL;
	struct answers ans = { 0 };
	struct strbuf missing = STRBUF_INIT;
	json_t *sheet = NULL;
	char today[11];
	size_t nmissing = 0;
	int r = sheet_get(st, sheet_id, vendor_id, &sheet, err);

	if (r < 0)
		return r;
	mamori_today(today);
	if (json_is_null(json_object_get(sheet, "vendor_id")))
		r = mamori_err_set(err, MAMORI_EINVAL, "#%lld は事業者確認用ではありません",
				   (long long)sheet_id);
	else if (strcmp(sj_str(sheet, "status"), "requested") != 0)
		r = mamori_err_set(err, MAMORI_ECONFLICT, "このチェックリストは%sです",
				   checklist_sheet_status_label(sj_str(sheet, "status")));
	if (r == 0)
		r = sheet_edition(cat, sheet, &e, err);
	if (r == 0)
		r = answers_load(st, sheet_id, today, &ans, err);
	if (r < 0)
		goto out;
	for (size_t i = 0; i < e->nr_items; i++) {
		const struct checklist_item *it = &e->items[i];
		if (answers_get(&ans, it->id, 1) || (!it->gate && gate_no(e, &ans, 1)))
			continue;
		if (nmissing++ < 5)
			strbuf_addf(&missing, "%s%s %s", nmissing > 1 ? "、" : "",
				    it->number ? it->number : "", it->id);
	}
	if (nmissing) {
		r = mamori_err_set(err, MAMORI_EINVAL, "1回目が未回答の項目が %zu 件あります: %s%s",
				   nmissing, missing.buf, nmissing > 5 ? " ほか" : "");
		goto out;
	}
	r = sheet_set_state(st, actor, sheet, "answered", "answered", NULL, "checklist.submit", err);
out:
	strbuf_release(&missing);
	answers_release(&ans);
	json_decref(sheet);
	return r;
}

int checklist_vendor_review(struct store *st, const char *actor, int64_t sheet_id,
			    enum checklist_review what, const char *note,
			    struct mamori_err *err)
{
	json_t *sheet = NULL;
	const char *status;
	int r = sheet_get(st, sheet_id, 0, &sheet, err);

	if (r < 0)
		return r;
	status = sj_str(sheet, "status");
	if (json_is_null(json_object_get(sheet, "vendor_id"))) {
		r = mamori_err_set(err, MAMORI_EINVAL, "#%lld は事業者確認用ではありません",
				   (long long)sheet_id);
	} else if (note && *note && (r = check_text("コメント", note, CHECKLIST_NOTE_MAX, true, err)) < 0) {
		/* r set */
	} else if (what == CHECKLIST_ACCEPT || what == CHECKLIST_RETURN) {
		if (strcmp(status, "answered") != 0)
			r = mamori_err_set(err, MAMORI_ECONFLICT,
					   "回答済の事業者確認用だけを確認できます (今は%s)",
					   checklist_sheet_status_label(status));
		else if (what == CHECKLIST_RETURN && (!note || !*note))
			r = mamori_err_set(err, MAMORI_EINVAL, "差し戻す理由を入力してください");
		else if (what == CHECKLIST_ACCEPT)
			r = sheet_set_state(st, actor, sheet, "reviewed", "reviewed", note,
					    "checklist.accept", err);
		else
			r = sheet_set_state(st, actor, sheet, "requested", "requested", note,
					    "checklist.return", err);
	} else if (what == CHECKLIST_REOPEN) {
		if (strcmp(status, "reviewed") != 0)
			r = mamori_err_set(err, MAMORI_ECONFLICT,
					   "確認済の事業者確認用だけを再依頼できます (今は%s)",
					   checklist_sheet_status_label(status));
		else
			r = sheet_set_state(st, actor, sheet, "requested", "requested", note,
					    "checklist.reopen", err);
	} else {
		BUG("review %d", what);
	}
	json_decref(sheet);
	return r;
}

/* --- wording and editions ----------------------------------------------- */

static const struct checklist_item *catalog_item(const struct checklist_catalog *cat,
						 const char *id,
						 const struct checklist_edition **e)
{
	for (size_t i = 0; i < cat->nr; i++) {
		const struct checklist_item *it = checklist_edition_item(&cat->editions[i], id);
		if (it) {
			if (e)
				*e = &cat->editions[i];
			return it;
		}
	}
	return NULL;
}

static int wording_get(struct store *st, const char *item_id, json_t **out,
		       struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r = store_prepare(st,
			      "SELECT wording, source, entered_at, entered_by FROM checklist_wording "
			      "WHERE item_id = ?",
			      &s, err);

	*out = NULL;
	if (r < 0)
		return r;
	store_bind_text(st, s, 1, item_id);
	r = store_step(st, s, err);
	if (r == 1) {
		*out = json_pack("{s:s, s:s, s:s, s:s, s:s}", "item_id", item_id, "wording",
				 store_column_text(st, s, 0), "source", store_column_text(st, s, 1),
				 "entered_at", store_column_text(st, s, 2), "entered_by",
				 store_column_text(st, s, 3));
		r = 0;
	}
	store_finalize(st, s);
	return r;
}

int checklist_wording_set(struct store *st, const char *actor,
			  const struct checklist_catalog *cat, const char *item_id,
			  const char *wording, const char *source, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	json_t *before = NULL, *after = NULL;
	char now[MAMORI_TIME_LEN];
	char *w = NULL, *src = NULL;
	int r;

	if (!catalog_item(cat, item_id, NULL))
		return mamori_err_set(err, MAMORI_EINVAL, "項目「%s」はどの版にもありません", item_id);
	w = norm_text(wording ? wording : "");
	src = norm_text(source ? source : "");
	if (!*w)
		r = mamori_err_set(err, MAMORI_EINVAL, "文言: 公式様式の文言を入力してください");
	else if (!*src)
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "出典: 文言を写した公式様式 (ファイル名・ページなど) を入力してください");
	else
		r = check_text("文言", w, CHECKLIST_STR_MAX, true, err);
	if (r == 0)
		r = check_text("出典", src, CHECKLIST_LINK_MAX, false, err);
	if (r == 0)
		r = wording_get(st, item_id, &before, err);
	if (r < 0)
		goto out;
	mamori_now(now);
	r = store_prepare(st,
			  "INSERT INTO checklist_wording (item_id, wording, source, entered_at, "
			  "entered_by) VALUES (?, ?, ?, ?, ?) ON CONFLICT (item_id) DO UPDATE SET "
			  "wording = excluded.wording, source = excluded.source, "
			  "entered_at = excluded.entered_at, entered_by = excluded.entered_by",
			  &s, err);
	if (r < 0)
		goto out;
	store_bind_text(st, s, 1, item_id);
	store_bind_text(st, s, 2, w);
	store_bind_text(st, s, 3, src);
	store_bind_text(st, s, 4, now);
	store_bind_text(st, s, 5, actor);
	r = store_step(st, s, err);
	store_finalize(st, s);
	if (r == 0)
		r = wording_get(st, item_id, &after, err);
	if (r == 0)
		r = journal_append(st, actor, "checklist_wording.set", "checklist_wording", item_id,
				   before, after, NULL, err);
out:
	free(w);
	free(src);
	json_decref(before);
	json_decref(after);
	return r;
}

static void sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (unsigned i = 0; i < n && i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int checklist_edition_import(struct store *st, const char *actor, const char *buf, size_t len,
			     const char *source_file, const char *source_sha256, char **name,
			     struct checklist_problems *problems, struct mamori_err *err)
{
	struct checklist_edition e = CHECKLIST_EDITION_INIT;
	struct checklist_catalog cat = { 0 };
	struct store_stmt *s = NULL;
	json_t *before = NULL, *after = NULL;
	char sha[65] = "", now[MAMORI_TIME_LEN], *id = NULL, *body = NULL;
	int r;

	if (name)
		*name = NULL;
	r = checklist_catalog_load_buffer(source_file ? source_file : "edition.json", buf, len, &e,
					  problems, err);
	if (r < 0)
		return r;
	id = xasprintf("%s-%s", e.edition, checklist_form_name(e.form));
	r = checklist_catalog_open(st, &cat, err);
	if (r < 0)
		goto out;
	for (const struct catalog_file *f = catalog_files; f->name; f++) {
		struct checklist_edition *o = NULL;
		for (size_t i = 0; i < cat.nr; i++)
			if (!strcmp(cat.editions[i].name, f->name + 10))
				o = &cat.editions[i];
		if (o && !strcmp(o->edition, e.edition) && o->form == e.form) {
			r = mamori_err_set(err, MAMORI_ECONFLICT,
					   "%s (%s) は mamori に同梱されている版です。取り込みで置き換えることはできません",
					   id, checklist_form_label(e.form));
			goto out;
		}
	}
	for (size_t i = 0; i < cat.nr; i++) {
		const struct checklist_edition *o = &cat.editions[i];
		if (!strcmp(o->edition, e.edition) && o->form == e.form)
			continue; /* the edition being replaced */
		for (size_t k = 0; k < e.nr_items; k++)
			if (checklist_edition_item(o, e.items[k].id)) {
				r = mamori_err_set(err, MAMORI_ECONFLICT,
						   "項目 ID「%s」が別の版 (%s) と重複しています",
						   e.items[k].id, o->name);
				goto out;
			}
	}
	body = xstrndup(buf, len);
	sha256_hex(buf, len, sha);
	r = store_prepare(st, "SELECT sha256, source_file, source_sha256, imported_at FROM "
			      "checklist_edition_file WHERE name = ?", &s, err);
	if (r < 0)
		goto out;
	store_bind_text(st, s, 1, id);
	r = store_step(st, s, err);
	if (r == 1)
		before = json_pack("{s:s, s:s, s:s?, s:s?, s:s}", "name", id, "sha256",
				   store_column_text(st, s, 0), "source_file",
				   store_column_text(st, s, 1), "source_sha256",
				   store_column_text(st, s, 2), "imported_at",
				   store_column_text(st, s, 3));
	store_finalize(st, s);
	s = NULL;
	if (r < 0)
		goto out;
	mamori_now(now);
	r = store_prepare(st,
			  "INSERT INTO checklist_edition_file (name, body, sha256, source_file, "
			  "source_sha256, imported_at, imported_by) VALUES (?, ?, ?, ?, ?, ?, ?) "
			  "ON CONFLICT (name) DO UPDATE SET body = excluded.body, sha256 = "
			  "excluded.sha256, source_file = excluded.source_file, source_sha256 = "
			  "excluded.source_sha256, imported_at = excluded.imported_at, imported_by = "
			  "excluded.imported_by",
			  &s, err);
	if (r < 0)
		goto out;
	store_bind_text(st, s, 1, id);
	store_bind_text(st, s, 2, body);
	store_bind_text(st, s, 3, sha);
	store_bind_text(st, s, 4, source_file);
	store_bind_text(st, s, 5, source_sha256);
	store_bind_text(st, s, 6, now);
	store_bind_text(st, s, 7, actor);
	r = store_step(st, s, err);
	store_finalize(st, s);
	if (r < 0)
		goto out;
	after = json_pack("{s:s, s:s, s:s?, s:s?, s:s, s:I, s:s, s:I}", "name", id, "sha256", sha,
			  "source_file", source_file, "source_sha256", source_sha256, "imported_at",
			  now, "items", (json_int_t)e.nr_items, "title", e.title, "fiscal_year",
			  (json_int_t)e.fiscal_year);
	r = journal_append(st, actor, "checklist_edition.import", "checklist_edition", id, before,
			   after, NULL, err);
	if (r == 0 && name) {
		*name = id;
		id = NULL;
	}
out:
	free(id);
	free(body);
	json_decref(before);
	json_decref(after);
	checklist_edition_release(&e);
	checklist_catalog_release(&cat);
	return r;
}

/* --- views ---------------------------------------------------------------- */

static void scope_json(const struct checklist_item *it, json_t **labels, char *text, size_t len)
{
	static const struct {
		unsigned bit;
		const char *label;
	} tags[] = {
		{ CHECKLIST_SCOPE_ALL, "医療情報システム全般" },
		{ CHECKLIST_SCOPE_SERVER, "サーバ" },
		{ CHECKLIST_SCOPE_PC, "端末PC" },
		{ CHECKLIST_SCOPE_NETWORK, "ネットワーク機器" },
	};
	size_t n = 0;

	*labels = json_array();
	text[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(tags); i++) {
		if (!(it->scope & tags[i].bit))
			continue;
		json_array_append_new(*labels, json_string(tags[i].label));
		n += (size_t)snprintf(text + n, len - n, "%s%s", n ? "、" : "(", tags[i].label);
		if (n >= len)
			n = len - 1;
	}
	if (n && n + 2 < len)
		snprintf(text + n, len - n, ")");
}

static const char *forms_label(const struct checklist_section *sec, char *buf, size_t len)
{
	size_t n = 0;

	buf[0] = '\0';
	if (!sec->forms_known || !sec->forms)
		return buf;
	for (int f = 0; f < CHECKLIST_FORM_COUNT; f++) {
		if (!(sec->forms & (1u << f)))
			continue;
		n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "・" : "【", checklist_form_label(f));
		if (n >= len)
			n = len - 1;
	}
	if (n + 4 < len)
		snprintf(buf + n, len - n, "】");
	return buf;
}

/* Wording of the item a presumed_same_as chain leads to, or NULL. */
static const char *presumed_wording(const struct checklist_catalog *cat,
				    const struct checklist_item *it)
{
	for (int depth = 0; it && !it->wording && it->presumed_same_as && depth < 8; depth++)
		it = catalog_item(cat, it->presumed_same_as, NULL);
	return it ? it->wording : NULL;
}

/* Evidence results memoised per (rule, scope) within one view. */
struct evidence_memo {
	int rule[64];
	unsigned scope[64];
	json_t *result[64];
	size_t n;
	struct eos_catalog eos;
	bool eos_loaded;
};

static int evidence_for(struct store *st, struct evidence_memo *m, int rule, unsigned scope,
			const char *today, json_t **out, struct mamori_err *err)
{
	int r;

	*out = NULL;
	for (size_t i = 0; i < m->n; i++)
		if (m->rule[i] == rule && m->scope[i] == scope) {
			*out = json_incref(m->result[i]);
			return 0;
		}
	if (!m->eos_loaded) {
		int updated;
		r = eoscat_load(st, &m->eos, &updated, err);
		if (r < 0)
			return r;
		m->eos_loaded = true;
	}
	r = evidence_eval(st, &m->eos, rule, scope, today, out, err);
	if (r == 0 && m->n < ARRAY_SIZE(m->rule)) {
		m->rule[m->n] = rule;
		m->scope[m->n] = scope;
		m->result[m->n++] = json_incref(*out);
	}
	return r;
}

static void evidence_memo_release(struct evidence_memo *m)
{
	for (size_t i = 0; i < m->n; i++)
		json_decref(m->result[i]);
	if (m->eos_loaded)
		eos_catalog_release(&m->eos);
	memset(m, 0, sizeof(*m));
}

/* The text the evidence rule reads for an item. */
static const char *rule_text(const struct checklist_catalog *cat, const struct checklist_item *it,
			     json_t *official)
{
	const char *w = official ? sj_str(official, "wording") : NULL;
	return w ? w : it->wording ? it->wording : presumed_wording(cat, it);
}

struct progress {
	int64_t items, needed, answered, yes, no, overdue, contradicted;
};

static void progress_add(struct progress *p, const struct checklist_edition *e,
			 const struct answers *ans, bool vendor_sheet, bool contract,
			 const char *today)
{
	bool gated = gate_no(e, ans, 1);

	for (size_t i = 0; i < e->nr_items; i++) {
		const struct checklist_item *it = &e->items[i];
		const char *why;
		json_t *latest = answers_latest(ans, it->id);
		p->items++;
		if (item_needed(it, vendor_sheet, contract, &why) && (it->gate || !gated)) {
			p->needed++;
			p->answered += answers_get(ans, it->id, 1) != NULL;
		}
		if (!latest)
			continue;
		if (!strcmp(sj_str(latest, "answer"), "yes")) {
			p->yes++;
		} else {
			const char *t = sj_str(latest, "target_on");
			p->no++;
			p->overdue += t && strcmp(t, today) < 0;
		}
	}
}

static json_t *progress_json(const struct progress *p)
{
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I}", "items", (json_int_t)p->items, "needed",
			 (json_int_t)p->needed, "answered", (json_int_t)p->answered, "yes",
			 (json_int_t)p->yes, "no", (json_int_t)p->no, "overdue",
			 (json_int_t)p->overdue);
}

int checklist_sheets_json(struct store *st, const struct checklist_catalog *cat, int fy,
			  int64_t vendor_id, const char *today, json_t **out,
			  struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	json_t *list = json_array();
	bool contract = false;
	int r = has_vendor_contract(st, &contract, err);

	*out = NULL;
	if (r == 0)
		r = store_prepare(st,
				  "SELECT " SHEET_COLUMNS SHEET_FROM " WHERE (? = 0 OR c.fiscal_year = ?) "
				  "AND (? = 0 OR c.vendor_id = ?) ORDER BY c.fiscal_year DESC, "
				  "c.vendor_id IS NOT NULL, v.name, c.id",
				  &s, err);
	if (r < 0) {
		json_decref(list);
		return r;
	}
	store_bind_int(st, s, 1, fy);
	store_bind_int(st, s, 2, fy);
	store_bind_int(st, s, 3, vendor_id);
	store_bind_int(st, s, 4, vendor_id);
	while ((r = store_step(st, s, err)) == 1)
		json_array_append_new(list, sheet_row_json(st, s));
	store_finalize(st, s);
	for (size_t i = 0; r == 0 && i < json_array_size(list); i++) {
		json_t *sheet = json_array_get(list, i);
		const struct checklist_edition *e = NULL;
		struct answers ans = { 0 };
		struct progress p = { 0 };
		struct mamori_err ignore = { 0 };
		if (sheet_edition(cat, sheet, &e, &ignore) < 0) {
			json_object_set_new(sheet, "progress", json_null());
			continue;
		}
		r = answers_load(st, json_integer_value(json_object_get(sheet, "id")), today, &ans,
				 err);
		if (r < 0)
			break;
		progress_add(&p, e, &ans, !json_is_null(json_object_get(sheet, "vendor_id")),
			     contract, today);
		json_object_set_new(sheet, "progress", progress_json(&p));
		json_object_set_new(sheet, "title", json_string(e->title));
		answers_release(&ans);
	}
	if (r < 0) {
		json_decref(list);
		return r;
	}
	*out = list;
	return 0;
}

static json_t *strings_json(char **v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *item_json(struct store *st, const struct checklist_catalog *cat,
			 const struct checklist_edition *e, const struct checklist_item *it,
			 const struct answers *ans, bool vendor_sheet, bool contract,
			 json_t *official)
{
	char scope_text[128];
	json_t *scope, *answers = json_array(), *o;
	const char *why;
	bool needed = item_needed(it, vendor_sheet, contract, &why);

	scope_json(it, &scope, scope_text, sizeof(scope_text));
	for (int round = 1; round <= CHECKLIST_ROUNDS; round++) {
		json_t *a = answers_get(ans, it->id, round);
		json_array_append_new(answers, a ? json_incref(a) : json_null());
	}
	o = json_pack("{s:s, s:s?, s:i, s:o, s:s, s:b, s:s?, s:s, s:s, s:b, s:O?, s:s?, s:b, "
		      "s:b, s:s?, s:s?, s:o, s:s?}",
		      "id", it->id, "number", it->number, "order", it->order, "scope", scope,
		      "scope_label", scope_text, "scope_known", it->scope_known, "wording",
		      it->wording, "wording_status", checklist_status_name(it->status),
		      "wording_status_label", checklist_status_label(it->status), "unconfirmed",
		      checklist_item_wording_unconfirmed(it) && !official, "official_wording",
		      official, "presumed_wording",
		      it->wording ? NULL : presumed_wording(cat, it), "gate", it->gate, "needed",
		      needed, "not_needed_reason", why, "note", it->note, "answers", answers,
		      "wording_source", it->wording_source);
	json_object_set_new(o, "refs", it->refs_known ? strings_json(it->refs, it->nr_refs)
						      : json_null());
	json_object_set_new(o, "new_in_edition",
			    it->new_in_edition == CHECKLIST_UNKNOWN
				    ? json_null()
				    : json_boolean(it->new_in_edition == CHECKLIST_YES));
	(void)st;
	(void)e;
	return o;
}

int checklist_view(struct store *st, const struct checklist_catalog *cat, int64_t sheet_id,
		   int64_t vendor_id, bool with_evidence, const char *today, json_t **out,
		   struct mamori_err *err)
{
	const struct checklist_edition *e = NULL;
	struct ledger_facility fac = { 0 };
	struct answers ans = { 0 };
	struct evidence_memo memo = { 0 };
	struct progress p = { 0 };
	json_t *sheet = NULL, *sections = json_array(), *gates = json_array(), *o = NULL;
	bool contract = false, vendor_sheet;
	int r = sheet_get(st, sheet_id, vendor_id, &sheet, err);

	*out = NULL;
	if (r == 0)
		r = sheet_edition(cat, sheet, &e, err);
	if (r == 0)
		r = ledger_facility_get(st, &fac, err);
	if (r == 0)
		r = has_vendor_contract(st, &contract, err);
	if (r == 0)
		r = answers_load(st, sheet_id, today, &ans, err);
	if (r < 0)
		goto out;
	vendor_sheet = !json_is_null(json_object_get(sheet, "vendor_id"));
	for (int round = 1; round <= CHECKLIST_ROUNDS; round++)
		json_array_append_new(gates, json_boolean(gate_no(e, &ans, round)));
	for (size_t si = 0; si < e->nr_sections; si++) {
		const struct checklist_section *sec = &e->sections[si];
		json_t *items = json_array();
		char fl[256];
		/* Items of the section in their order. */
		for (int order = 0; order <= 999; order++) {
			for (size_t i = 0; i < e->nr_items; i++) {
				const struct checklist_item *it = &e->items[i];
				json_t *official = NULL, *item, *ev;
				int rule;
				if (it->section != sec->number || it->order != order)
					continue;
				r = wording_get(st, it->id, &official, err);
				if (r < 0)
					goto loop_out;
				item = item_json(st, cat, e, it, &ans, vendor_sheet, contract, official);
				rule = evidence_rule_for(rule_text(cat, it, official), it->note);
				if (with_evidence && !vendor_sheet && rule >= 0) {
					r = evidence_for(st, &memo, rule, it->scope_known ? it->scope : 0,
							 today, &ev, err);
					if (r < 0) {
						json_decref(item);
						json_decref(official);
						goto loop_out;
					}
					json_object_set_new(item, "evidence", ev);
				} else {
					json_object_set_new(item, "evidence", json_null());
				}
				json_decref(official);
				json_array_append_new(items, item);
			}
		}
loop_out:
		if (r < 0) {
			json_decref(items);
			goto out;
		}
		json_array_append_new(sections,
				      json_pack("{s:i, s:s, s:s, s:s?, s:o}", "number", sec->number,
						"title", sec->title, "forms_label",
						forms_label(sec, fl, sizeof(fl)), "note", sec->note,
						"items", items));
	}
	progress_add(&p, e, &ans, vendor_sheet, contract, today);
	json_object_set_new(sheet, "progress", progress_json(&p));
	json_object_set_new(sheet, "title", json_string(e->title));
	o = json_pack("{s:O, s:{s:s, s:i, s:s, s:s, s:s, s:s, s:b, s:s?, s:o}, s:{s:s, s:s, s:s?}, "
		      "s:b, s:O, s:O, s:s}",
		      "sheet", sheet, "edition", "edition", e->edition, "fiscal_year",
		      e->fiscal_year, "title", e->title, "form", checklist_form_name(e->form),
		      "form_label", checklist_form_label(e->form), "published", e->published,
		      "items_complete", e->items_complete, "note", e->note, "sources",
		      strings_json(e->sources, e->nr_sources), "facility", "name", fac.name,
		      "type", fac.type, "type_label", ledger_facility_type_label(fac.type),
		      "has_vendor_contract", contract, "gate_no", gates, "sections", sections,
		      "today", today);
	if (!o)
		BUG("checklist view json");
	*out = o;
out:
	evidence_memo_release(&memo);
	answers_release(&ans);
	ledger_facility_release(&fac);
	json_decref(sheet);
	json_decref(sections);
	json_decref(gates);
	return r;
}

static json_t *short_text(const char *s)
{
	size_t n = 0, chars = 0;

	if (!s)
		return json_null();
	while (s[n] && chars < 40) {
		n++;
		while ((s[n] & 0xC0) == 0x80)
			n++;
		chars++;
	}
	if (!s[n])
		return json_string(s);
	{
		char *t = xasprintf("%.*s…", (int)n, s);
		json_t *j = json_string(t);
		free(t);
		return j;
	}
}

int checklist_findings(struct store *st, const struct checklist_catalog *cat, int fy,
		       const char *today, json_t **out, struct mamori_err *err)
{
	json_t *sheets = NULL, *list = json_array();
	int r = checklist_sheets_json(st, cat, fy, 0, today, &sheets, err);

	*out = NULL;
	for (size_t i = 0; r == 0 && i < json_array_size(sheets); i++) {
		json_t *view = NULL, *sheet = json_array_get(sheets, i), *sec, *item;
		int64_t id = json_integer_value(json_object_get(sheet, "id"));
		bool vendor_sheet = !json_is_null(json_object_get(sheet, "vendor_id"));
		size_t k, j;
		if (json_is_null(json_object_get(sheet, "progress")))
			continue;
		r = checklist_view(st, cat, id, 0, !vendor_sheet, today, &view, err);
		if (r < 0)
			break;
		json_array_foreach(json_object_get(view, "sections"), k, sec)
			json_array_foreach(json_object_get(sec, "items"), j, item) {
				json_t *latest = NULL, *answers = json_object_get(item, "answers"), *ev;
				int round = 0;
				const char *w = sj_str(item, "wording");
				json_t *ow = json_object_get(item, "official_wording");
				for (int rd = CHECKLIST_ROUNDS; rd >= 1 && !latest; rd--)
					if (!json_is_null(json_array_get(answers, (size_t)rd - 1))) {
						latest = json_array_get(answers, (size_t)rd - 1);
						round = rd;
					}
				if (!latest)
					continue;
				if (ow && !json_is_null(ow))
					w = sj_str(ow, "wording");
				else if (!w)
					w = sj_str(item, "presumed_wording");
				ev = json_object_get(item, "evidence");
				if (!strcmp(sj_str(latest, "answer"), "yes") && ev && !json_is_null(ev) &&
				    !strcmp(sj_str(ev, "outcome"), "contradicts"))
					json_array_append_new(
						list, json_pack("{s:s, s:I, s:s?, s:s, s:s?, s:i, s:o, s:s, s:s?}",
								"kind", "contradicted", "sheet_id",
								(json_int_t)id, "vendor_name",
								sj_str(sheet, "vendor_name"), "item_id",
								sj_str(item, "id"), "number",
								sj_str(item, "number"), "round", round,
								"wording", short_text(w), "summary",
								sj_str(ev, "summary"), "form_label",
								sj_str(sheet, "form_label")));
				else if (json_is_true(json_object_get(latest, "overdue")))
					json_array_append_new(
						list, json_pack("{s:s, s:I, s:s?, s:s, s:s?, s:i, s:o, s:s, s:s?}",
								"kind", "overdue", "sheet_id",
								(json_int_t)id, "vendor_name",
								sj_str(sheet, "vendor_name"), "item_id",
								sj_str(item, "id"), "number",
								sj_str(item, "number"), "round", round,
								"wording", short_text(w), "target_on",
								sj_str(latest, "target_on"), "form_label",
								sj_str(sheet, "form_label")));
			}
		json_decref(view);
	}
	json_decref(sheets);
	if (r < 0) {
		json_decref(list);
		return r;
	}
	*out = list;
	return 0;
}
