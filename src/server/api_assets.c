/*
 * api_assets.c - the device ledger over HTTP: list (server-side filter,
 * sort and paging), detail with history, add, edit, retire, dispose, CSV
 * import with dry run, exports.  A vendor account sees only its vendor's
 * devices (others answer 404, as if they did not exist).
 */
#include "common.h"
#include "api.h"
#include "api_ledger.h"
#include "asset.h"
#include "asset_export.h"
#include "asset_import.h"
#include "cache.h"
#include "eoscat.h"
#include "fileio.h"
#include "journal.h"
#include "ledger.h"
#include "store.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX 500

static json_t *asset_detail_json(const struct asset *a)
{
	json_t *j = asset_to_json(a);
	json_object_set_new(j, "created_at", json_string(a->created_at ? a->created_at : ""));
	json_object_set_new(j, "updated_at", json_string(a->updated_at ? a->updated_at : ""));
	return j;
}

/* Fills q from the query string; answers 422 and returns -1 when bad. */
static int read_query(struct http_request *req, struct asset_query *q, char **vendor_scope)
{
	static __thread char kindbuf[32]; /* requests stay on one thread */
	const char *status = http_query(req, "status"), *kind = http_query(req, "kind");
	const char *sort = http_query(req, "sort"), *order = http_query(req, "order");
	int failed;

	memset(q, 0, sizeof(*q));
	if (status && *status && strcmp(status, "all") && strcmp(status, "in_use") &&
	    strcmp(status, "retired") && strcmp(status, "disposed")) {
		http_error(req, 422, "invalid", "status は all / in_use / retired / disposed です");
		return -1;
	}
	q->status = status && *status ? status : NULL;
	if (kind && *kind) {
		struct asset tmp;
		struct mamori_err err = { 0 };
		asset_init(&tmp);
		if (asset_set(&tmp, ASSET_KIND, kind, &err) < 0 || !tmp.v[ASSET_KIND]) {
			asset_release(&tmp);
			http_error(req, 422, "invalid", "kind: %s", err.msg);
			return -1;
		}
		snprintf(kindbuf, sizeof(kindbuf), "%s", tmp.v[ASSET_KIND]);
		asset_release(&tmp);
		q->kind = kindbuf;
	}
	q->department = http_query(req, "department");
	if (q->department && !*q->department)
		q->department = NULL;
	q->search = http_query(req, "q");
	if (sort && *sort) {
		if (!asset_sort_valid(sort)) {
			http_error(req, 422, "invalid", "sort に使えない項目です: %s", sort);
			return -1;
		}
		q->sort = sort;
	}
	q->desc = order && !strcmp(order, "desc");
	if (api_ledger_count(http_query(req, "limit"), PAGE_DEFAULT, PAGE_MAX, &q->limit) < 0 ||
	    api_ledger_count(http_query(req, "offset"), 0, INT64_MAX / 2, &q->offset) < 0) {
		http_error(req, 422, "invalid", "limit は 0〜%d、offset は 0 以上の整数です", PAGE_MAX);
		return -1;
	}
	*vendor_scope = api_vendor_scope(req, &failed);
	if (failed)
		return -1;
	q->vendor = *vendor_scope;
	return 0;
}

struct collect {
	json_t *items;
	const struct eos_catalog *cat; /* adds "eos": {status, eol} when set */
	char today[11];
};

static int collect_row(const struct asset *a, void *p)
{
	struct collect *c = p;
	json_t *o = asset_to_json(a);

	if (c->cat) {
		struct eos_match m;
		enum eos_status s = eoscat_device_status(c->cat, a, c->today, &m);
		json_t *e = json_pack("{s:s}", "status", eos_status_name(s));
		if (m.product && m.eol.kind == EOS_WHEN_DATE)
			json_object_set_new(e, "eol", json_string(m.eol.date));
		json_object_set_new(o, "eos", e);
	}
	json_array_append_new(c->items, o);
	return 0;
}

/*
 * The number of matches does not depend on the page: paging through a list
 * counts once per version of the store, not once per page.
 */
static int cached_count(struct store *st, const struct asset_query *q, int64_t version,
			int64_t *total, struct mamori_err *err)
{
	char *key = xasprintf("count|%s|%s|%s|%s|%s", q->status ? q->status : "",
			      q->kind ? q->kind : "", q->department ? q->department : "",
			      q->search ? q->search : "", q->vendor ? q->vendor : "");
	size_t len;
	char *hit = cache_get(key, version, &len);
	int r = 0;

	if (hit) {
		*total = strtoll(hit, NULL, 10);
		free(hit);
	} else {
		r = asset_count(st, q, total, err);
		if (r == 0) {
			char num[32];
			snprintf(num, sizeof(num), "%lld", (long long)*total);
			cache_put(key, version, num, strlen(num));
		}
	}
	free(key);
	return r;
}

void api_assets_list(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct asset_query q;
	struct collect c;
	char *scope = NULL, *key = NULL;
	int64_t total = 0, version;

	if (!st || read_query(req, &q, &scope) < 0)
		return;
	if (http_cached(req, &version, &key) != 0) {
		free(scope);
		return;
	}
	if (q.limit == 0)
		q.limit = PAGE_DEFAULT;
	struct eos_catalog cat = EOS_CATALOG_INIT;
	int updated;
	memset(&c, 0, sizeof(c));
	c.items = json_array();
	mamori_today(c.today);
	if (eoscat_load(st, &cat, &updated, NULL) == 0)
		c.cat = &cat;
	if (cached_count(st, &q, version, &total, &err) < 0 ||
	    asset_list(st, &q, collect_row, &c, &err) < 0) {
		json_decref(c.items);
		http_error_from(req, &err);
	} else {
		http_json_cached(req,
				 json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)total, "limit",
					   (json_int_t)q.limit, "offset", (json_int_t)q.offset, "items",
					   c.items),
				 key, version);
	}
	eos_catalog_release(&cat);
	free(key);
	free(scope);
}

/* Loads device params[0]; answers 404 (also for another vendor's device). */
static int load(struct http_request *req, struct asset *a)
{
	struct mamori_err err = { 0 };
	char key[32];
	char *scope;
	int failed;

	snprintf(key, sizeof(key), "#%lld", (long long)req->params[0]);
	if (asset_lookup(http_store(req), key, a, &err) < 0) {
		http_error_from(req, &err);
		return -1;
	}
	scope = api_vendor_scope(req, &failed);
	if (failed) {
		asset_release(a);
		return -1;
	}
	if (scope && (!a->v[ASSET_VENDOR] || strcmp(scope, a->v[ASSET_VENDOR]))) {
		free(scope);
		asset_release(a);
		http_error(req, 404, "not_found", "機器 #%lld はありません", (long long)req->params[0]);
		return -1;
	}
	free(scope);
	return 0;
}

static int history_row(const struct journal_entry *e, void *p)
{
	json_array_append_new(p, journal_entry_json(e));
	return 0;
}

void api_assets_get(struct http_request *req)
{
	struct mamori_err err = { 0 };
	struct asset a;
	json_t *history;
	char id[32], *key = NULL;
	int64_t version;

	if (http_cached(req, &version, &key) != 0)
		return;
	if (load(req, &a) < 0) {
		free(key);
		return;
	}
	history = json_array();
	snprintf(id, sizeof(id), "%lld", (long long)a.id);
	struct journal_filter f = { .entity_type = "device", .entity_id = id, .limit = 100 };
	struct eos_catalog cat = EOS_CATALOG_INIT;
	int updated;
	char today[11];
	if (journal_list(http_store(req), &f, history_row, history, &err) < 0 ||
	    eoscat_load(http_store(req), &cat, &updated, &err) < 0) {
		json_decref(history);
		http_error_from(req, &err);
	} else {
		mamori_today(today);
		http_json_cached(req,
				 json_pack("{s:o, s:o, s:o}", "asset", asset_detail_json(&a), "history",
					   history, "eos", eoscat_device_json(&cat, &a, today)),
				 key, version);
	}
	eos_catalog_release(&cat);
	free(key);
	asset_release(&a);
}

/* Applies the body to a; answers 422 naming the field and returns -1 when bad. */
static int apply_body(struct http_request *req, struct asset *a, json_t *body)
{
	struct mamori_err err = { 0 };
	const char *field = NULL;

	if (asset_apply_json(a, body, &field, &err) == 0)
		return 0;
	http_json(req, 422, json_pack("{s:{s:s, s:s, s:s?}}", "error", "code", "invalid", "message",
				      err.msg, "field", field));
	return -1;
}

/* Runs fn(a) in a transaction; answers with the stored device or the error. */
static void write_and_answer(struct http_request *req, struct asset *a, int status,
			     int (*fn)(struct store *, const char *, struct asset *, struct mamori_err *))
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct asset stored;
	char actor[128], key[32];
	int bad_field = -1;
	int r;

	r = asset_validate(a, &bad_field, &err);
	if (r < 0) {
		http_json(req, 422, json_pack("{s:{s:s, s:s, s:s?}}", "error", "code", "invalid",
					      "message", err.msg, "field",
					      bad_field >= 0 ? asset_fields[bad_field].name : NULL));
		return;
	}
	r = store_begin(st, &err);
	if (r == 0) {
		r = fn(st, http_actor(req, actor, sizeof(actor)), a, &err);
		if (r == 0)
			r = store_commit(st, &err);
		else
			store_rollback(st);
	}
	if (r < 0) {
		http_error_from(req, &err);
		return;
	}
	snprintf(key, sizeof(key), "#%lld", (long long)a->id);
	if (asset_lookup(st, key, &stored, &err) < 0) {
		http_error_from(req, &err);
		return;
	}
	http_json(req, status, json_pack("{s:o}", "asset", asset_detail_json(&stored)));
	asset_release(&stored);
}

void api_assets_create(struct http_request *req)
{
	json_t *body = http_body_json(req);
	struct asset a;

	if (!body)
		return;
	asset_init(&a);
	if (apply_body(req, &a, body) == 0)
		write_and_answer(req, &a, 201, asset_insert);
	json_decref(body);
	asset_release(&a);
}

void api_assets_update(struct http_request *req)
{
	json_t *body = http_body_json(req);
	struct asset a;

	if (!body)
		return;
	if (load(req, &a) == 0) {
		if (apply_body(req, &a, body) == 0)
			write_and_answer(req, &a, 200, asset_update);
		asset_release(&a);
	}
	json_decref(body);
}

static void lifecycle(struct http_request *req, int dispose)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *body = http_body_json(req);
	struct asset a, stored;
	char actor[128], key[32];
	int r;

	if (!body)
		return;
	if (load(req, &a) < 0) {
		json_decref(body);
		return;
	}
	r = store_begin(st, &err);
	if (r == 0) {
		http_actor(req, actor, sizeof(actor));
		r = dispose ? asset_dispose(st, actor, &a, api_ledger_str(body, "method"),
					    api_ledger_str(body, "by"), api_ledger_str(body, "date"),
					    api_ledger_str(body, "certificate"), &err)
			    : asset_retire(st, actor, &a, api_ledger_str(body, "date"),
					   api_ledger_str(body, "reason"), &err);
		if (r == 0)
			r = store_commit(st, &err);
		else
			store_rollback(st);
	}
	snprintf(key, sizeof(key), "#%lld", (long long)a.id);
	if (r == 0)
		r = asset_lookup(st, key, &stored, &err);
	if (r < 0)
		http_error_from(req, &err);
	else {
		http_json(req, 200, json_pack("{s:o}", "asset", asset_detail_json(&stored)));
		asset_release(&stored);
	}
	asset_release(&a);
	json_decref(body);
}

void api_assets_retire(struct http_request *req)
{
	lifecycle(req, 0);
}

void api_assets_dispose(struct http_request *req)
{
	lifecycle(req, 1);
}

void api_assets_import(struct http_request *req)
{
	struct store *st = http_store(req);
	struct asset_import_opts o = { .encoding = ENC_AUTO };
	struct asset_import_result res;
	struct mamori_err err = { 0 };
	char actor[128], name[256];
	int r;

	if (!st || api_ledger_import_start(req, &o.encoding) < 0)
		return;
	o.dry_run = api_ledger_flag(req, "dry_run");
	o.ignore_unknown = api_ledger_flag(req, "ignore_unknown");
	o.actor = http_actor(req, actor, sizeof(actor));
	api_ledger_file_name(http_header(req, "X-Filename"), name, sizeof(name));
	r = asset_import_buffer(st, name, req->body.buf, req->body.len, &o, &res, &err);
	api_ledger_import_answer(req, r,
				 r < 0 && res.nproblems == 0
					 ? NULL
					 : asset_import_result_json(&res, o.dry_run, r == 0),
				 &err);
	asset_import_result_release(&res);
}

void api_assets_export(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct ledger_facility fac = { 0 };
	struct asset_query q;
	enum asset_export_format format = ASSET_EXPORT_CSV;
	enum enc_kind enc = ENC_UTF8;
	const char *fmt = http_query(req, "format"), *encs = http_query(req, "encoding");
	struct strbuf out = STRBUF_INIT;
	char *scope = NULL, today[11], fname[256];
	int r;

	if (!st || read_query(req, &q, &scope) < 0)
		return;
	q.limit = 0; /* an export has everything that matches */
	q.offset = 0;
	if (http_query(req, "limit"))
		api_ledger_count(http_query(req, "limit"), 0, INT64_MAX / 2, &q.limit);
	if ((fmt && asset_export_format_parse(fmt, &format, &err) < 0) ||
	    (encs && (enc_parse_name(encs, &enc, &err) < 0 || enc == ENC_AUTO))) {
		free(scope);
		http_error(req, 422, "invalid", "%s", err.msg[0] ? err.msg : "encoding は utf-8 か cp932 です");
		return;
	}
	r = ledger_facility_get(st, &fac, &err);
	mamori_today(today);
	snprintf(fname, sizeof(fname), "機器台帳_%s_%s.%s", r == 0 ? fac.name : "mamori", today,
		 format == ASSET_EXPORT_XLSX ? "xlsx" : format == ASSET_EXPORT_JSON ? "json"
			 : format == ASSET_EXPORT_PDF ? "pdf" : "csv");
	if (r == 0 && (format == ASSET_EXPORT_XLSX || format == ASSET_EXPORT_PDF)) {
		/* these writers need a file: a private temporary one, read back */
		char *tmp = fileio_temp_name("/tmp/mamori-export");
		char *data = NULL;
		size_t len = 0;
		r = format == ASSET_EXPORT_PDF ? asset_export_pdf(st, &q, fac.name, tmp, &err)
					       : asset_export_xlsx(st, &q, fac.name, tmp, &err);
		if (r == 0)
			r = fileio_read_all(tmp, (size_t)1 << 30, &data, &len, &err);
		fileio_discard_temp(tmp);
		free(tmp);
		if (r == 0)
			http_bytes(req, 200,
				   format == ASSET_EXPORT_PDF
					   ? "application/pdf"
					   : "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
				   data, len, fname);
		free(data);
	} else if (r == 0 && format == ASSET_EXPORT_JSON) {
		r = asset_export_json(st, &q, &out, &err);
		if (r == 0)
			http_bytes(req, 200, "application/json; charset=utf-8", out.buf, out.len, fname);
	} else if (r == 0) {
		r = asset_export_csv(st, &q, enc, &out, &err);
		if (r == 0)
			http_bytes(req, 200,
				   enc == ENC_CP932 ? "text/csv; charset=Shift_JIS"
						    : "text/csv; charset=utf-8",
				   out.buf, out.len, fname);
	}
	if (r < 0)
		http_error_from(req, &err);
	strbuf_release(&out);
	ledger_facility_release(&fac);
	free(scope);
}

void api_assets_fields(struct http_request *req)
{
	http_json(req, 200, asset_vocabulary_json());
}
