/*
 * api_checklist.c - the MHLW cybersecurity checklist over HTTP, and the
 * evidence documents (MDS/SDS, 連絡体制図, BCP, 運用管理規程, restore tests)
 * its evidence rules look at.
 *
 * A sheet (checklist.h) is the facility's own form for one fiscal year, or
 * one 事業者確認用 per contracted vendor.  Who may do what (the route table
 * in api.c holds the roles; this file adds the vendor scope):
 *
 *   admin, officer   open the facility's sheet and answer it, request vendor
 *                    sheets and review them, record official wordings, keep
 *                    the documents
 *   staff, auditor   read: sheets with evidence, exports, the inspection pack,
 *                    documents
 *   vendor           only its own vendor's sheets (any other sheet, the
 *                    facility's included, answers 404 as if it did not
 *                    exist), without evidence (that is about the hospital's
 *                    data); answers them while requested and submits
 *
 * Every change is journaled, so read answers are cached per journal head
 * (cache.h) and per day, since 期限切れ (overdue) depends on the date.
 * Write answers (answers, submit, review) return the sheet's view without
 * evidence: answering does not change what the records say, so the UI keeps
 * the evidence it loaded with the sheet.
 */
#include "common.h"
#include "api.h"
#include "cache.h"
#include "checklist.h"
#include "checklist_export.h"
#include "fileio.h"
#include "journal.h"
#include "ledger.h"
#include "store.h"

#define FY_MIN 2000
#define FY_MAX 2100

/* ---- small helpers ------------------------------------------------------ */

static const char *str_field(json_t *body, const char *key)
{
	json_t *v = json_object_get(body, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/*
 * The vendor a vendor account is restricted to, 0 for the hospital's
 * roles.  A vendor account without a vendor would be the hospital (0): it
 * is refused (403) and -1 returned.
 */
static int64_t vendor_scope(struct http_request *req)
{
	if (req->user.role != USER_VENDOR)
		return 0;
	if (req->user.vendor_id <= 0) {
		http_error(req, 403, "forbidden", "この事業者アカウントには事業者が設定されていません。"
						  "管理者に連絡してください");
		return -1;
	}
	return req->user.vendor_id;
}

/* Parses a fiscal year (西暦 of the April that starts it); def when absent. */
static int parse_fy(struct http_request *req, const char *s, int def, int *out)
{
	char *end;
	long v;

	if (!s || !*s) {
		*out = def;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < FY_MIN || v > FY_MAX) {
		http_error(req, 422, "invalid", "fiscal_year は年度の西暦 (例: 2026 = 令和8年度) です: %s", s);
		return -1;
	}
	*out = (int)v;
	return 0;
}

/* fiscal_year of a JSON body: an integer or a numeric string. */
static int body_fy(struct http_request *req, json_t *body, int def, int *out)
{
	json_t *v = json_object_get(body, "fiscal_year");
	char num[32];

	if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
		return parse_fy(req, num, def, out);
	}
	if (v && !json_is_null(v) && !json_is_string(v)) {
		http_error(req, 422, "invalid", "fiscal_year は年度の西暦 (例: 2026) です");
		return -1;
	}
	return parse_fy(req, json_string_value(v), def, out);
}

/* 令和8年度 for 2026 (令和元年度 for 2019). */
static void fy_label(int fy, char *buf, size_t len)
{
	if (fy == 2019)
		snprintf(buf, len, "令和元年度");
	else if (fy > 2019)
		snprintf(buf, len, "令和%d年度", fy - 2018);
	else
		snprintf(buf, len, "%d年度", fy);
}

static int open_catalog(struct http_request *req, struct checklist_catalog *cat)
{
	struct mamori_err err = { 0 };

	memset(cat, 0, sizeof(*cat));
	if (checklist_catalog_open(http_store(req), cat, &err) < 0) {
		http_error_from(req, &err);
		return -1;
	}
	return 0;
}

/*
 * Like http_cached(), with today in the key: an answer holds while the
 * journal head stays and the day does not change.
 */
static int cached_today(struct http_request *req, const char *today, int64_t *version, char **key)
{
	struct mamori_err err = { 0 };
	char hash[JOURNAL_HASH_HEX];
	char *base, *body;
	size_t len = 0;

	*key = NULL;
	if (journal_head(http_store(req), version, hash, &err) < 0) {
		http_error_from(req, &err);
		return -1;
	}
	base = http_cache_key(req);
	*key = xasprintf("%s|today=%s", base, today);
	free(base);
	body = cache_get(*key, *version, &len);
	if (!body)
		return 0;
	http_json_text(req, 200, body, len);
	free(body);
	free(*key);
	*key = NULL;
	return 1;
}

static int tx_begin(struct http_request *req, struct store *st)
{
	struct mamori_err err = { 0 };

	if (store_begin(st, &err) < 0) {
		http_error_from(req, &err);
		return -1;
	}
	return 0;
}

/* Commits when r == 0, else rolls back; answers the error (returns < 0). */
static int tx_end(struct http_request *req, struct store *st, int r, struct mamori_err *err)
{
	if (r == 0)
		r = store_commit(st, err);
	else
		store_rollback(st);
	if (r < 0)
		http_error_from(req, err);
	return r;
}

/* An error naming a field of the body: 422 {error: {code, message, field}}. */
static void field_error(struct http_request *req, const char *field, const char *msg)
{
	http_json(req, 422, json_pack("{s:{s:s, s:s, s:s?}}", "error", "code", "invalid", "message",
				      msg, "field", field));
}

/* ---- sheets ------------------------------------------------------------- */

/* The number of items of e whose wording the catalog does not confirm. */
static size_t unconfirmed_count(const struct checklist_edition *e)
{
	size_t n = 0;

	for (size_t i = 0; i < e->nr_items; i++)
		n += checklist_item_wording_unconfirmed(&e->items[i]);
	return n;
}

static json_t *edition_json(const struct checklist_edition *e)
{
	char label[128], fyl[32], id[CHECKLIST_ID_MAX + 32];

	fy_label(e->fiscal_year, fyl, sizeof(fyl));
	snprintf(label, sizeof(label), "%s %s", fyl, checklist_form_label(e->form));
	snprintf(id, sizeof(id), "%s-%s", e->edition, checklist_form_name(e->form));
	return json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:s, s:I, s:I, s:b}",
			 "id", id, "edition", e->edition, "fiscal_year", e->fiscal_year,
			 "form", checklist_form_name(e->form),
			 "form_label", checklist_form_label(e->form),
			 "label", label, "title", e->title, "published", e->published,
			 "items", (json_int_t)e->nr_items,
			 "unconfirmed", (json_int_t)unconfirmed_count(e),
			 "items_complete", e->items_complete);
}

static int64_t json_id(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/*
 * The vendors a 事業者確認用 concerns: those with a contract, and any other
 * that already has a sheet for the year; each with its sheet (or null).
 */
static int vendor_rows(struct store *st, json_t *sheets, json_t **out, struct mamori_err *err)
{
	json_t *vendors = NULL, *contracts = NULL, *rows;
	size_t i, j;
	json_t *v, *c, *s;
	int r;

	r = ledger_list(st, LEDGER_VENDOR, &vendors, err);
	if (r == 0)
		r = ledger_list(st, LEDGER_CONTRACT, &contracts, err);
	if (r < 0) {
		json_decref(vendors);
		return r;
	}
	rows = json_array();
	json_array_foreach(vendors, i, v) {
		int64_t id = json_id(v, "id");
		json_int_t ncontracts = 0;
		json_t *sheet = json_null();

		json_array_foreach(contracts, j, c)
			ncontracts += json_id(c, "vendor_id") == id;
		json_array_foreach(sheets, j, s)
			if (json_id(s, "vendor_id") == id) {
				sheet = json_incref(s);
				break;
			}
		if (!ncontracts && json_is_null(sheet))
			continue;
		json_array_append_new(rows, json_pack("{s:I, s:s, s:I, s:o}", "id", (json_int_t)id,
						      "name", ledger_record_name(v), "contracts",
						      ncontracts, "sheet", sheet));
	}
	json_decref(vendors);
	json_decref(contracts);
	*out = rows;
	return 0;
}

void api_checklists_list(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct checklist_catalog cat;
	struct ledger_facility fac = { 0 };
	json_t *sheets = NULL, *editions, *own = json_null(), *vendors = NULL, *years, *o;
	const struct checklist_edition *ed;
	enum checklist_form form = CHECKLIST_FORM_IRYO;
	char today[11], fyl[32], *key = NULL;
	int64_t version, scope;
	int fy, current, r;
	size_t i;
	json_t *s;

	if (!st || (scope = vendor_scope(req)) < 0)
		return;
	mamori_today(today);
	current = checklist_fiscal_year(today);
	if (parse_fy(req, http_query(req, "fiscal_year"), current, &fy) < 0)
		return;
	if (cached_today(req, today, &version, &key) != 0)
		return;
	if (open_catalog(req, &cat) < 0) {
		free(key);
		return;
	}
	r = ledger_facility_get(st, &fac, &err);
	if (r == 0) {
		form = checklist_facility_form(fac.type);
		r = checklist_sheets_json(st, &cat, fy, scope, today, &sheets, &err);
	}
	if (r == 0 && !scope)
		r = vendor_rows(st, sheets, &vendors, &err);
	if (r < 0) {
		http_error_from(req, &err);
		goto out;
	}
	if (!scope)
		json_array_foreach(sheets, i, s)
			if (!json_id(s, "vendor_id") &&
			    checklist_form_parse(str_field(s, "form")) != CHECKLIST_FORM_JIGYOSHA) {
				json_decref(own);
				own = json_incref(s);
				break;
			}
	editions = json_array();
	for (i = 0; i < cat.nr; i++)
		json_array_append_new(editions, edition_json(&cat.editions[i]));
	/* Years to choose from: every edition's, up to the next one. */
	years = json_array();
	int first = current;
	for (i = 0; i < cat.nr; i++)
		if (cat.editions[i].fiscal_year < first)
			first = cat.editions[i].fiscal_year;
	for (int y = current + 1; y >= first; y--) {
		fy_label(y, fyl, sizeof(fyl));
		json_array_append_new(years, json_pack("{s:i, s:s}", "fiscal_year", y, "label", fyl));
	}
	fy_label(fy, fyl, sizeof(fyl));
	o = json_pack("{s:i, s:s, s:i, s:s, s:o, s:o, s:o}", "fiscal_year", fy,
		      "fiscal_year_label", fyl, "current_fiscal_year", current, "today", today,
		      "sheets", sheets, "editions", editions, "years", years);
	sheets = NULL;
	if (!scope) {
		ed = checklist_catalog_for_year(&cat, fy, form);
		json_object_set_new(o, "facility",
				    json_pack("{s:s, s:s, s:s, s:s}", "name", fac.name, "type", fac.type,
					      "form", checklist_form_name(form), "form_label",
					      checklist_form_label(form)));
		json_object_set_new(o, "edition", ed ? edition_json(ed) : json_null());
		ed = checklist_catalog_for_year(&cat, fy, CHECKLIST_FORM_JIGYOSHA);
		json_object_set_new(o, "vendor_edition", ed ? edition_json(ed) : json_null());
		json_object_set(o, "facility_sheet", own);
		json_object_set_new(o, "vendors", vendors);
		vendors = NULL;
	}
	http_json_cached(req, o, key, version);
out:
	json_decref(sheets);
	json_decref(vendors);
	json_decref(own);
	checklist_catalog_release(&cat);
	ledger_facility_release(&fac);
	free(key);
}

void api_checklists_open(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct checklist_catalog cat;
	struct ledger_facility fac = { 0 };
	json_t *body = http_body_json(req);
	const char *formname, *edition;
	char actor[128], today[11];
	int64_t id = 0;
	int fy, created = 0, form, r;

	if (!body)
		return;
	mamori_today(today);
	if (body_fy(req, body, checklist_fiscal_year(today), &fy) < 0)
		goto out_body;
	formname = str_field(body, "form");
	edition = str_field(body, "edition");
	if (formname && *formname) {
		form = checklist_form_parse(formname);
		if (form < 0 || form == CHECKLIST_FORM_JIGYOSHA) {
			field_error(req, "form", "form は iryo / yakkyoku / iryo_yakkyoku です "
						 "(事業者確認用は vendor-requests で依頼します)");
			goto out_body;
		}
	} else {
		if (ledger_facility_get(st, &fac, &err) < 0) {
			http_error_from(req, &err);
			goto out_body;
		}
		form = checklist_facility_form(fac.type);
	}
	if (open_catalog(req, &cat) < 0)
		goto out_body;
	if (tx_begin(req, st) == 0) {
		r = checklist_sheet_open(st, http_actor(req, actor, sizeof(actor)), &cat, fy,
					 (enum checklist_form)form, edition && *edition ? edition : NULL,
					 &id, &created, &err);
		if (tx_end(req, st, r, &err) == 0)
			http_json(req, created ? 201 : 200,
				  json_pack("{s:I, s:b, s:i}", "id", (json_int_t)id, "created", created,
					    "fiscal_year", fy));
	}
	checklist_catalog_release(&cat);
out_body:
	ledger_facility_release(&fac);
	json_decref(body);
}

void api_checklists_vendor_request(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct checklist_catalog cat;
	json_t *body = http_body_json(req);
	json_t *vid;
	const char *edition;
	char actor[128], today[11];
	int64_t id = 0;
	int fy, r;

	if (!body)
		return;
	mamori_today(today);
	vid = json_object_get(body, "vendor_id");
	edition = str_field(body, "edition");
	if (body_fy(req, body, checklist_fiscal_year(today), &fy) < 0)
		goto out;
	if (!json_is_integer(vid) || json_integer_value(vid) <= 0) {
		field_error(req, "vendor_id", "vendor_id (事業者の番号) を指定してください");
		goto out;
	}
	if (open_catalog(req, &cat) < 0)
		goto out;
	if (tx_begin(req, st) == 0) {
		r = checklist_vendor_request(st, http_actor(req, actor, sizeof(actor)), &cat, fy,
					     (int64_t)json_integer_value(vid),
					     edition && *edition ? edition : NULL, &id, &err);
		if (tx_end(req, st, r, &err) == 0)
			http_json(req, 201, json_pack("{s:I, s:i}", "id", (json_int_t)id, "fiscal_year", fy));
	}
	checklist_catalog_release(&cat);
out:
	json_decref(body);
}

/*
 * The summary of sheet params[0] as checklist_sheets_json() gives it, for
 * the caller's scope: a vendor's own sheets only.  404 otherwise.
 * New reference in *sheet.
 */
static int sheet_summary(struct http_request *req, const struct checklist_catalog *cat,
			 int64_t scope, json_t **sheet)
{
	struct mamori_err err = { 0 };
	json_t *all = NULL, *s;
	char today[11];
	size_t i;

	*sheet = NULL;
	mamori_today(today);
	if (checklist_sheets_json(http_store(req), cat, 0, scope, today, &all, &err) < 0) {
		http_error_from(req, &err);
		return -1;
	}
	json_array_foreach(all, i, s)
		if (json_id(s, "id") == req->params[0] && (!scope || json_id(s, "vendor_id") == scope)) {
			*sheet = json_incref(s);
			break;
		}
	json_decref(all);
	if (!*sheet) {
		http_error(req, 404, "not_found", "チェックリスト #%lld はありません",
			   (long long)req->params[0]);
		return -1;
	}
	return 0;
}

/* Answers 200 with the view of sheet params[0] (evidence when asked and allowed). */
static void answer_view(struct http_request *req, const struct checklist_catalog *cat,
			int64_t scope, bool with_evidence)
{
	struct mamori_err err = { 0 };
	json_t *view = NULL;
	char today[11];

	mamori_today(today);
	if (checklist_view(http_store(req), cat, req->params[0], scope, with_evidence && !scope,
			   today, &view, &err) < 0)
		http_error_from(req, &err);
	else
		http_json(req, 200, view);
}

void api_checklists_get(struct http_request *req)
{
	struct mamori_err err = { 0 };
	struct checklist_catalog cat;
	json_t *sheet = NULL, *view = NULL;
	char today[11], *key = NULL;
	int64_t version, scope;

	if (!http_store(req) || (scope = vendor_scope(req)) < 0)
		return;
	mamori_today(today);
	if (cached_today(req, today, &version, &key) != 0)
		return;
	if (open_catalog(req, &cat) < 0) {
		free(key);
		return;
	}
	if (sheet_summary(req, &cat, scope, &sheet) == 0) {
		if (checklist_view(http_store(req), &cat, req->params[0], scope, !scope, today, &view,
				   &err) < 0)
			http_error_from(req, &err);
		else
			http_json_cached(req, view, key, version);
	}
	json_decref(sheet);
	checklist_catalog_release(&cat);
	free(key);
}

/* The message of a checklist_answer_set() error names the field: which. */
static const char *answer_field(const char *msg)
{
	static const struct {
		const char *word, *field;
	} words[] = {
		{ "目標日", "target_on" }, { "確認日", "confirmed_on" }, { "備考", "note" },
		{ "リンク", "links" },     { "根拠", "links" },          { "回目", "round" },
		{ "round", "round" },      { "item", "item_id" },        { "項目", "item_id" },
	};
	/* the field is named first; look at the message's start only */
	char head[64];
	size_t n = strnlen(msg, sizeof(head) - 1);

	memcpy(head, msg, n);
	head[n] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		if (strstr(head, words[i].word))
			return words[i].field;
	return NULL;
}

void api_checklists_answer_set(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct checklist_catalog cat;
	struct checklist_answer_in in = { 0 };
	json_t *body, *links, *round, *l;
	const char *answer, *item, **list = NULL;
	char actor[128];
	int64_t scope;
	size_t i;
	int r;

	if (!st || (scope = vendor_scope(req)) < 0)
		return;
	body = http_body_json(req);
	if (!body)
		return;
	item = str_field(body, "item_id");
	round = json_object_get(body, "round");
	answer = str_field(body, "answer");
	links = json_object_get(body, "links");
	if (!item || !*item) {
		field_error(req, "item_id", "item_id (項目の ID) を指定してください");
		goto out;
	}
	if (!json_is_integer(round) || json_integer_value(round) < 1 ||
	    json_integer_value(round) > CHECKLIST_ROUNDS) {
		field_error(req, "round", "round は 1〜3 (1回目〜3回目) です");
		goto out;
	}
	if (answer && (!strcmp(answer, "yes") || !strcmp(answer, "はい")))
		in.yes = true;
	else if (answer && (!strcmp(answer, "no") || !strcmp(answer, "いいえ")))
		in.yes = false;
	else {
		field_error(req, "answer", "answer は yes (はい) か no (いいえ) です");
		goto out;
	}
	in.confirmed_on = str_field(body, "confirmed_on");
	in.target_on = str_field(body, "target_on");
	in.note = str_field(body, "note");
	if (in.confirmed_on && !*in.confirmed_on)
		in.confirmed_on = NULL;
	if (in.target_on && !*in.target_on)
		in.target_on = NULL;
	if (links && !json_is_null(links)) {
		if (!json_is_array(links) || json_array_size(links) > CHECKLIST_LINKS_MAX) {
			field_error(req, "links", "links は文字列の配列です (20 件まで)");
			goto out;
		}
		list = xcalloc(json_array_size(links) + 1, sizeof(*list));
		json_array_foreach(links, i, l) {
			if (!json_is_string(l)) {
				field_error(req, "links", "links は文字列の配列です (20 件まで)");
				goto out;
			}
			list[i] = json_string_value(l);
		}
		in.links = list;
		in.nr_links = json_array_size(links);
	}
	if (open_catalog(req, &cat) < 0)
		goto out;
	if (tx_begin(req, st) == 0) {
		r = checklist_answer_set(st, http_actor(req, actor, sizeof(actor)), &cat,
					 req->params[0], scope, item, (int)json_integer_value(round),
					 &in, &err);
		if (r == MAMORI_EINVAL) {
			store_rollback(st);
			field_error(req, answer_field(err.msg), err.msg);
		} else if (tx_end(req, st, r, &err) == 0) {
			answer_view(req, &cat, scope, false);
		}
	}
	checklist_catalog_release(&cat);
out:
	free(list);
	json_decref(body);
}

void api_checklists_answer_clear(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct checklist_catalog cat;
	const char *item = http_query(req, "item_id"), *round = http_query(req, "round");
	char actor[128];
	int64_t scope;
	int r;

	if (!st || (scope = vendor_scope(req)) < 0)
		return;
	if (!item || !*item) {
		field_error(req, "item_id", "item_id (項目の ID) を指定してください");
		return;
	}
	if (!round || strlen(round) != 1 || round[0] < '1' || round[0] > '0' + CHECKLIST_ROUNDS) {
		field_error(req, "round", "round は 1〜3 (1回目〜3回目) です");
		return;
	}
	if (open_catalog(req, &cat) < 0)
		return;
	if (tx_begin(req, st) == 0) {
		r = checklist_answer_clear(st, http_actor(req, actor, sizeof(actor)), &cat,
					   req->params[0], scope, item, round[0] - '0', &err);
		if (tx_end(req, st, r, &err) == 0)
			answer_view(req, &cat, scope, false);
	}
	checklist_catalog_release(&cat);
}

void api_checklists_submit(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct checklist_catalog cat;
	json_t *sheet = NULL;
	char actor[128];
	int64_t scope;
	int r;

	if (!st || (scope = vendor_scope(req)) < 0)
		return;
	if (open_catalog(req, &cat) < 0)
		return;
	if (sheet_summary(req, &cat, scope, &sheet) == 0) {
		if (!json_id(sheet, "vendor_id")) {
			http_error(req, 409, "conflict",
				   "施設のチェックリストは提出するものではありません (事業者確認用だけが提出されます)");
		} else if (tx_begin(req, st) == 0) {
			r = checklist_vendor_submit(st, http_actor(req, actor, sizeof(actor)), &cat,
						    req->params[0], scope, &err);
			if (r == MAMORI_EINVAL) {
				store_rollback(st);
				http_error(req, 422, "incomplete", "%s", err.msg);
			} else if (tx_end(req, st, r, &err) == 0) {
				answer_view(req, &cat, scope, false);
			}
		}
	}
	json_decref(sheet);
	checklist_catalog_release(&cat);
}

void api_checklists_review(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct checklist_catalog cat;
	json_t *body = http_body_json(req), *sheet = NULL;
	enum checklist_review what;
	const char *action, *note;
	char actor[128];
	int r;

	if (!body)
		return;
	action = str_field(body, "action");
	note = str_field(body, "note");
	if (note && !*note)
		note = NULL;
	if (action && !strcmp(action, "accept"))
		what = CHECKLIST_ACCEPT;
	else if (action && !strcmp(action, "return"))
		what = CHECKLIST_RETURN;
	else if (action && !strcmp(action, "reopen"))
		what = CHECKLIST_REOPEN;
	else {
		field_error(req, "action", "action は accept (確認済にする) / return (差し戻す) / "
					   "reopen (確認をやり直す) です");
		goto out;
	}
	if (what == CHECKLIST_RETURN && !note) {
		field_error(req, "note", "差し戻す理由 (note) を入力してください");
		goto out;
	}
	if (open_catalog(req, &cat) < 0)
		goto out;
	if (sheet_summary(req, &cat, 0, &sheet) == 0) {
		if (!json_id(sheet, "vendor_id"))
			http_error(req, 409, "conflict", "確認 (受理・差し戻し) は事業者確認用のチェックリストだけです");
		else if (tx_begin(req, st) == 0) {
			r = checklist_vendor_review(st, http_actor(req, actor, sizeof(actor)),
						    req->params[0], what, note, &err);
			if (tx_end(req, st, r, &err) == 0)
				answer_view(req, &cat, 0, false);
		}
	}
	json_decref(sheet);
	checklist_catalog_release(&cat);
out:
	json_decref(body);
}

void api_checklist_wording(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct checklist_catalog cat;
	json_t *body = http_body_json(req);
	const char *wording, *source, *item = req->keys[0];
	char actor[128];
	int r;

	if (!body)
		return;
	wording = str_field(body, "wording");
	source = str_field(body, "source");
	if (!wording || !*wording) {
		field_error(req, "wording", "公式の文言を入力してください");
		goto out;
	}
	if (!source || !*source) {
		field_error(req, "source", "文言の出典 (ファイル名とページ。例: 001716187.xlsx 2ページ) を入力してください");
		goto out;
	}
	if (open_catalog(req, &cat) < 0)
		goto out;
	if (tx_begin(req, st) == 0) {
		r = checklist_wording_set(st, http_actor(req, actor, sizeof(actor)), &cat, item,
					  wording, source, &err);
		if (r == MAMORI_EINVAL) {
			store_rollback(st);
			field_error(req, strstr(err.msg, "出典") ? "source" : "wording", err.msg);
		} else if (tx_end(req, st, r, &err) == 0) {
			http_json(req, 200, json_pack("{s:s, s:{s:s, s:s}}", "item_id", item,
						      "official_wording", "wording", wording, "source",
						      source));
		}
	}
	checklist_catalog_release(&cat);
out:
	json_decref(body);
}

/* ---- exports ------------------------------------------------------------ */

/* Writes with fn into a private temporary file and answers its bytes. */
static int send_file(struct http_request *req, const char *content_type, const char *fname,
		     int (*write)(void *ctx, const char *path, struct mamori_err *err), void *ctx,
		     struct mamori_err *err)
{
	char *tmp = fileio_temp_name("/tmp/mamori-export");
	char *data = NULL;
	size_t len = 0;
	int r;

	r = write(ctx, tmp, err);
	if (r == 0)
		r = fileio_read_all(tmp, (size_t)1 << 30, &data, &len, err);
	fileio_discard_temp(tmp);
	free(tmp);
	if (r == 0)
		http_bytes(req, 200, content_type, data, len, fname);
	free(data);
	return r;
}

static int write_xlsx(void *ctx, const char *path, struct mamori_err *err)
{
	return checklist_export_xlsx(ctx, path, err);
}

/* Characters that do not belong in a file name become "_". */
static void safe_name(char *s)
{
	for (; *s; s++)
		if (strchr("/\\:*?\"<>|", *s) || (unsigned char)*s < 0x20)
			*s = '_';
}

void api_checklists_export(struct http_request *req)
{
	struct mamori_err err = { 0 };
	struct checklist_catalog cat;
	json_t *sheet = NULL, *view = NULL;
	const char *fmt = http_query(req, "format"), *encs = http_query(req, "encoding");
	const char *who, *form_label;
	enum enc_kind enc = ENC_UTF8;
	struct strbuf out = STRBUF_INIT;
	char today[11], fyl[32], fname[512];
	int64_t scope;
	int xlsx, r;

	if (!http_store(req) || (scope = vendor_scope(req)) < 0)
		return;
	if (fmt && *fmt && strcmp(fmt, "csv") && strcmp(fmt, "xlsx")) {
		field_error(req, "format", "format は csv か xlsx です");
		return;
	}
	xlsx = fmt && !strcmp(fmt, "xlsx");
	if (encs && *encs && (enc_parse_name(encs, &enc, &err) < 0 || enc == ENC_AUTO)) {
		field_error(req, "encoding", "encoding は utf-8 か cp932 です");
		return;
	}
	if (open_catalog(req, &cat) < 0)
		return;
	if (sheet_summary(req, &cat, scope, &sheet) < 0)
		goto out;
	mamori_today(today);
	r = checklist_view(http_store(req), &cat, req->params[0], scope, !scope, today, &view, &err);
	if (r == 0) {
		json_t *fac = json_object_get(view, "facility");
		who = str_field(sheet, "vendor_name");
		if (!who || !*who)
			who = str_field(fac, "name");
		form_label = str_field(sheet, "form_label");
		fy_label((int)json_id(sheet, "fiscal_year"), fyl, sizeof(fyl));
		snprintf(fname, sizeof(fname), "チェックリスト_%s_%s_%s.%s", fyl,
			 form_label ? form_label : "", who ? who : "", xlsx ? "xlsx" : "csv");
		safe_name(fname);
		if (xlsx)
			r = send_file(req, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
				      fname, write_xlsx, view, &err);
		else {
			r = checklist_export_csv(view, enc, &out, &err);
			if (r == 0)
				http_bytes(req, 200,
					   enc == ENC_CP932 ? "text/csv; charset=Shift_JIS"
							    : "text/csv; charset=utf-8",
					   out.buf, out.len, fname);
		}
	}
	if (r < 0)
		http_error_from(req, &err);
out:
	strbuf_release(&out);
	json_decref(view);
	json_decref(sheet);
	checklist_catalog_release(&cat);
}

struct pack_ctx {
	struct store *st;
	const struct checklist_catalog *cat;
	int fy;
	const char *today;
};

static int write_pack(void *p, const char *path, struct mamori_err *err)
{
	struct pack_ctx *c = p;
	return checklist_export_pack(c->st, c->cat, c->fy, c->today, path, err);
}

void api_checklists_pack(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct checklist_catalog cat;
	struct ledger_facility fac = { 0 };
	char today[11], fyl[32], fname[512];
	int fy;

	if (!st)
		return;
	mamori_today(today);
	if (parse_fy(req, http_query(req, "fiscal_year"), checklist_fiscal_year(today), &fy) < 0)
		return;
	if (ledger_facility_get(st, &fac, &err) < 0) {
		http_error_from(req, &err);
		return;
	}
	if (open_catalog(req, &cat) == 0) {
		struct pack_ctx c = { st, &cat, fy, today };
		fy_label(fy, fyl, sizeof(fyl));
		snprintf(fname, sizeof(fname), "立入検査用資料_%s_%s_%s.pdf", fyl, fac.name, today);
		safe_name(fname);
		if (send_file(req, "application/pdf", fname, write_pack, &c, &err) < 0)
			http_error_from(req, &err);
		checklist_catalog_release(&cat);
	}
	ledger_facility_release(&fac);
}

/* ---- documents ---------------------------------------------------------- */

static const char *const document_kinds[] = {
	"mds", "sds", "contact_chart", "bcp", "rules", "restore_test",
};

/* "name" of the record with that id in rows, or NULL. */
static const char *name_of(json_t *rows, int64_t id)
{
	size_t i;
	json_t *r;

	json_array_foreach(rows, i, r)
		if (json_id(r, "id") == id)
			return ledger_record_name(r);
	return NULL;
}

static json_t *pick_names(json_t *rows)
{
	json_t *out = json_array(), *r;
	size_t i;

	json_array_foreach(rows, i, r)
		json_array_append_new(out, json_pack("{s:I, s:s}", "id", (json_int_t)json_id(r, "id"),
						     "name", ledger_record_name(r)));
	return out;
}

/* Adds kind_label, vendor_name, system_name to a document record. */
static void decorate(json_t *d, json_t *vendors, json_t *systems)
{
	const char *kind = str_field(d, "kind"), *n;

	if (kind)
		json_object_set_new(d, "kind_label", json_string(ledger_value_label("kind", kind)));
	if ((n = name_of(vendors, json_id(d, "vendor_id"))))
		json_object_set_new(d, "vendor_name", json_string(n));
	if ((n = name_of(systems, json_id(d, "system_id"))))
		json_object_set_new(d, "system_name", json_string(n));
}

void api_documents_list(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *docs = NULL, *vendors = NULL, *systems = NULL, *kinds, *d;
	char *key = NULL;
	int64_t version;
	size_t i;

	if (!st || http_cached(req, &version, &key) != 0)
		return;
	if (ledger_list(st, LEDGER_DOCUMENT, &docs, &err) < 0 ||
	    ledger_list(st, LEDGER_VENDOR, &vendors, &err) < 0 ||
	    ledger_list(st, LEDGER_SYSTEM, &systems, &err) < 0) {
		http_error_from(req, &err);
		goto out;
	}
	json_array_foreach(docs, i, d)
		decorate(d, vendors, systems);
	kinds = json_array();
	for (i = 0; i < ARRAY_SIZE(document_kinds); i++)
		json_array_append_new(kinds, json_pack("{s:s, s:s}", "value", document_kinds[i], "label",
						       ledger_value_label("kind", document_kinds[i])));
	http_json_cached(req,
			 json_pack("{s:O, s:o, s:o, s:o}", "items", docs, "kinds", kinds, "vendors",
				   pick_names(vendors), "systems", pick_names(systems)),
			 key, version);
out:
	json_decref(docs);
	json_decref(vendors);
	json_decref(systems);
	free(key);
}

/*
 * The body as a record for ledger_insert()/ledger_update(): every value goes
 * through ledger_set_text() (Japanese labels and words accepted).  Answers
 * 422 naming the key and returns NULL when a value is bad.
 */
static json_t *document_record(struct http_request *req, json_t *body)
{
	struct mamori_err err = { 0 };
	json_t *rec = json_object(), *v;
	const char *k;
	char num[32];

	json_object_foreach(body, k, v) {
		const char *text;
		if (json_is_string(v))
			text = json_string_value(v);
		else if (json_is_null(v))
			text = "";
		else if (json_is_boolean(v))
			text = json_is_true(v) ? "はい" : "いいえ";
		else if (json_is_integer(v)) {
			snprintf(num, sizeof(num), "#%lld", (long long)json_integer_value(v));
			text = num;
		} else {
			field_error(req, k, "文字列・数値・真偽値・null のどれかを指定してください");
			json_decref(rec);
			return NULL;
		}
		if (ledger_set_text(http_store(req), LEDGER_DOCUMENT, rec, k, text, &err) < 0) {
			if (err.code == MAMORI_ENOTFOUND || err.code == MAMORI_EINVAL)
				field_error(req, k, err.msg);
			else
				http_error_from(req, &err);
			json_decref(rec);
			return NULL;
		}
	}
	return rec;
}

static void document_answer(struct http_request *req, int status, int64_t id)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *d = NULL, *vendors = NULL, *systems = NULL;

	if (ledger_get(st, LEDGER_DOCUMENT, id, &d, &err) < 0 ||
	    ledger_list(st, LEDGER_VENDOR, &vendors, &err) < 0 ||
	    ledger_list(st, LEDGER_SYSTEM, &systems, &err) < 0)
		http_error_from(req, &err);
	else {
		decorate(d, vendors, systems);
		http_json(req, status, json_pack("{s:O}", "document", d));
	}
	json_decref(d);
	json_decref(vendors);
	json_decref(systems);
}

void api_documents_create(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *body = http_body_json(req), *rec;
	char actor[128];
	int64_t id = 0;
	int r;

	if (!body)
		return;
	rec = document_record(req, body);
	if (rec && tx_begin(req, st) == 0) {
		r = ledger_insert(st, http_actor(req, actor, sizeof(actor)), LEDGER_DOCUMENT, rec, &id,
				  &err);
		if (tx_end(req, st, r, &err) == 0)
			document_answer(req, 201, id);
	}
	json_decref(rec);
	json_decref(body);
}

void api_documents_update(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *body = http_body_json(req), *rec, *old = NULL;
	char actor[128];
	int r;

	if (!body)
		return;
	if (ledger_get(st, LEDGER_DOCUMENT, req->params[0], &old, &err) < 0) {
		http_error_from(req, &err);
		json_decref(body);
		return;
	}
	json_decref(old);
	rec = document_record(req, body);
	if (rec && tx_begin(req, st) == 0) {
		r = ledger_update(st, http_actor(req, actor, sizeof(actor)), LEDGER_DOCUMENT,
				  req->params[0], rec, &err);
		if (tx_end(req, st, r, &err) == 0)
			document_answer(req, 200, req->params[0]);
	}
	json_decref(rec);
	json_decref(body);
}
