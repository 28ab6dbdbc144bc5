/*
 * api_accounts.c - the account inventory and the emergency-account
 * registry over HTTP: list (filters and server-side paging), detail with
 * history, add, edit, disable, enable, rotate, CSV import with dry run,
 * CSV export, and the "unused for more than N days" setting.
 *
 * Who: admin and officer write; staff and auditor read; vendor accounts
 * are refused by the route table (a vendor's own maintenance accounts are
 * the hospital's record about the vendor, not the vendor's to read).
 */
#include "common.h"
#include "account.h"
#include "account_import.h"
#include "api.h"
#include "api_ledger.h"
#include "journal.h"
#include "store.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX 500

/* Fills q from the query; answers 422 and returns -1 when bad. */
static int read_query(struct http_request *req, struct account_query *q, int paged)
{
	static __thread char kindbuf[32], statusbuf[32];
	const char *kind = http_query(req, "kind"), *status = http_query(req, "status");
	const char *system = http_query(req, "system");
	struct account tmp;
	struct mamori_err err = { 0 };

	memset(q, 0, sizeof(*q));
	account_init(&tmp);
	if (kind && *kind) {
		if (account_set(&tmp, ACCOUNT_KIND, kind, &err) < 0) {
			account_release(&tmp);
			http_error(req, 422, "invalid", "kind: %s", err.msg);
			return -1;
		}
		snprintf(kindbuf, sizeof(kindbuf), "%s", tmp.v[ACCOUNT_KIND]);
		q->kind = kindbuf;
	}
	if (status && *status && strcmp(status, "all")) {
		if (account_set(&tmp, ACCOUNT_STATUS, status, &err) < 0) {
			account_release(&tmp);
			http_error(req, 422, "invalid", "status: %s", err.msg);
			return -1;
		}
		snprintf(statusbuf, sizeof(statusbuf), "%s", tmp.v[ACCOUNT_STATUS]);
		q->status = statusbuf;
	}
	account_release(&tmp);
	q->system = system && *system ? system : NULL;
	q->search = http_query(req, "q");
	q->unused = api_ledger_flag(req, "unused");
	q->retired = api_ledger_flag(req, "retired");
	q->admin = api_ledger_flag(req, "admin");
	if (api_ledger_count(http_query(req, "id"), 0, INT64_MAX / 2, &q->id) < 0 ||
	    (paged &&
	     (api_ledger_count(http_query(req, "limit"), PAGE_DEFAULT, PAGE_MAX, &q->limit) < 0 ||
	      api_ledger_count(http_query(req, "offset"), 0, INT64_MAX / 2, &q->offset) < 0))) {
		http_error(req, 422, "invalid", "limit は 0〜%d、offset と id は 0 以上の整数です",
			   PAGE_MAX);
		return -1;
	}
	if (paged && q->limit == 0)
		q->limit = PAGE_DEFAULT;
	return 0;
}

struct collect {
	json_t *items;
	char today[11];
	int days;
};

static json_t *with_flags(const struct account *a, const char *today, int days)
{
	int idle;
	json_t *o = account_to_json(a);

	json_object_set_new(o, "flags", account_flags_json(account_flags(a, today, days, &idle)));
	json_object_set_new(o, "idle_days", idle >= 0 ? json_integer(idle) : json_null());
	json_object_set_new(o, "created_at", json_string(a->created_at ? a->created_at : ""));
	json_object_set_new(o, "updated_at", json_string(a->updated_at ? a->updated_at : ""));
	return o;
}

static int collect_row(const struct account *a, void *p)
{
	struct collect *c = p;
	json_array_append_new(c->items, with_flags(a, c->today, c->days));
	return 0;
}

void api_accounts_list(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct account_query q;
	struct collect c = { 0 };
	int64_t total = 0;

	if (!st || read_query(req, &q, 1) < 0)
		return;
	mamori_today(c.today);
	c.items = json_array();
	if (account_unused_days(st, &c.days, &err) < 0 || account_count(st, &q, &total, &err) < 0 ||
	    account_list(st, &q, collect_row, &c, &err) < 0) {
		json_decref(c.items);
		http_error_from(req, &err);
		return;
	}
	http_json(req, 200,
		  json_pack("{s:I, s:I, s:I, s:i, s:o}", "total", (json_int_t)total, "limit",
			    (json_int_t)q.limit, "offset", (json_int_t)q.offset, "unused_days", c.days,
			    "items", c.items));
}

void api_accounts_fields(struct http_request *req)
{
	struct mamori_err err = { 0 };
	struct store *st = http_store(req);
	int days;
	json_t *v;

	if (!st)
		return;
	if (account_unused_days(st, &days, &err) < 0) {
		http_error_from(req, &err);
		return;
	}
	v = account_vocabulary_json();
	json_object_set_new(v, "unused_days", json_integer(days));
	http_json(req, 200, v);
}

static int load(struct http_request *req, struct account *a)
{
	struct mamori_err err = { 0 };

	if (!http_store(req))
		return -1;
	if (account_get(http_store(req), req->params[0], a, &err) < 0) {
		http_error_from(req, &err);
		return -1;
	}
	return 0;
}

static int history_row(const struct journal_entry *e, void *p)
{
	json_array_append_new(p, journal_entry_json(e));
	return 0;
}

/* {"account": …, "history": [...]} for account id, answered with status. */
static void answer_account(struct http_request *req, int status, int64_t id)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct account a;
	char idbuf[32], today[11];
	int days;
	json_t *history = json_array();

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	struct journal_filter f = { .entity_type = "account", .entity_id = idbuf, .limit = 100 };
	if (account_get(st, id, &a, &err) < 0) {
		json_decref(history);
		http_error_from(req, &err);
		return;
	}
	if (account_unused_days(st, &days, &err) < 0 ||
	    journal_list(st, &f, history_row, history, &err) < 0) {
		json_decref(history);
		http_error_from(req, &err);
	} else {
		mamori_today(today);
		http_json(req, status, json_pack("{s:o, s:o}", "account", with_flags(&a, today, days),
						 "history", history));
	}
	account_release(&a);
}

void api_accounts_get(struct http_request *req)
{
	struct account a;

	if (load(req, &a) < 0)
		return;
	answer_account(req, 200, a.id);
	account_release(&a);
}

/* Applies the body; answers 422 naming the field and returns -1 when bad. */
static int apply_body(struct http_request *req, struct account *a, json_t *body)
{
	struct mamori_err err = { 0 };
	const char *field = NULL;
	int bad = -1;

	if (account_apply_json(a, body, &field, &err) == 0 &&
	    account_validate(a, &bad, &err) == 0)
		return 0;
	if (!field && bad >= 0)
		field = account_fields[bad].name;
	http_json(req, 422, json_pack("{s:{s:s, s:s, s:s?}}", "error", "code", "invalid", "message",
				      err.msg, "field", field));
	return -1;
}

enum op { OP_ADD, OP_EDIT, OP_DISABLE, OP_ENABLE, OP_ROTATE };

static void write_op(struct http_request *req, struct account *a, enum op op, json_t *body)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	char actor[128];
	int r;

	r = store_begin(st, &err);
	if (r == 0) {
		http_actor(req, actor, sizeof(actor));
		switch (op) {
		case OP_ADD:
			r = account_insert(st, actor, a, &err);
			break;
		case OP_EDIT:
			r = account_update(st, actor, a, &err);
			break;
		case OP_DISABLE:
			r = account_disable(st, actor, a, api_ledger_str(body, "note"), &err);
			break;
		case OP_ENABLE:
			r = account_enable(st, actor, a, &err);
			break;
		case OP_ROTATE:
			r = account_rotate(st, actor, a, api_ledger_str(body, "date"),
					   api_ledger_str(body, "note"), &err);
			break;
		}
		if (r == 0)
			r = store_commit(st, &err);
		else
			store_rollback(st);
	}
	if (r < 0) {
		if (r == MAMORI_EINVAL || r == MAMORI_ENOTFOUND)
			http_json(req, 422, json_pack("{s:{s:s, s:s}}", "error", "code", "invalid",
						      "message", err.msg));
		else
			http_error_from(req, &err);
		return;
	}
	answer_account(req, op == OP_ADD ? 201 : 200, a->id);
}

void api_accounts_create(struct http_request *req)
{
	json_t *body = http_body_json(req);
	struct account a;

	if (!body)
		return;
	account_init(&a);
	if (http_store(req) && apply_body(req, &a, body) == 0)
		write_op(req, &a, OP_ADD, body);
	json_decref(body);
	account_release(&a);
}

void api_accounts_update(struct http_request *req)
{
	json_t *body = http_body_json(req);
	struct account a;

	if (!body)
		return;
	if (load(req, &a) == 0) {
		if (apply_body(req, &a, body) == 0)
			write_op(req, &a, OP_EDIT, body);
		account_release(&a);
	}
	json_decref(body);
}

static void action(struct http_request *req, enum op op)
{
	json_t *body = http_body_json(req);
	struct account a;

	if (!body)
		return;
	if (load(req, &a) == 0) {
		write_op(req, &a, op, body);
		account_release(&a);
	}
	json_decref(body);
}

void api_accounts_disable(struct http_request *req)
{
	action(req, OP_DISABLE);
}

void api_accounts_enable(struct http_request *req)
{
	action(req, OP_ENABLE);
}

void api_accounts_rotate(struct http_request *req)
{
	action(req, OP_ROTATE);
}

void api_accounts_import(struct http_request *req)
{
	struct store *st = http_store(req);
	struct account_import_opts o = { .encoding = ENC_AUTO };
	struct account_import_result res;
	struct mamori_err err = { 0 };
	char actor[128], name[256];
	int r;

	if (!st || api_ledger_import_start(req, &o.encoding) < 0)
		return;
	o.dry_run = api_ledger_flag(req, "dry_run");
	o.ignore_unknown = api_ledger_flag(req, "ignore_unknown");
	o.system = http_query(req, "system");
	o.actor = http_actor(req, actor, sizeof(actor));
	api_ledger_file_name(http_header(req, "X-Filename"), name, sizeof(name));
	r = account_import_buffer(st, name, req->body.buf, req->body.len, &o, &res, &err);
	api_ledger_import_answer(req, r,
				 r < 0 && res.nproblems == 0
					 ? NULL
					 : account_import_result_json(&res, o.dry_run, r == 0),
				 &err);
	account_import_result_release(&res);
}

void api_accounts_export(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct account_query q;
	enum enc_kind enc = ENC_UTF8;
	const char *encs = http_query(req, "encoding"), *fmt = http_query(req, "format");
	struct strbuf out = STRBUF_INIT;
	char today[11], fname[64];

	if (!st || read_query(req, &q, 0) < 0)
		return;
	if (fmt && *fmt && strcmp(fmt, "csv")) {
		http_error(req, 422, "invalid", "format は csv です (一覧の JSON は GET /api/v1/accounts)");
		return;
	}
	if (encs && *encs && (enc_parse_name(encs, &enc, &err) < 0 || enc == ENC_AUTO)) {
		http_error(req, 422, "invalid", "encoding は utf-8 か cp932 です");
		return;
	}
	mamori_today(today);
	snprintf(fname, sizeof(fname), "アカウント台帳_%s.csv", today);
	if (account_export_csv(st, &q, enc, &out, &err) < 0)
		http_error_from(req, &err);
	else
		http_bytes(req, 200,
			   enc == ENC_CP932 ? "text/csv; charset=Shift_JIS" : "text/csv; charset=utf-8",
			   out.buf, out.len, fname);
	strbuf_release(&out);
}

void api_accounts_settings(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	int days = 0, r = 0;

	if (!st)
		return;
	if (!strcmp(req->method, "PUT")) {
		json_t *body = http_body_json(req);
		json_t *v;
		char actor[128];

		if (!body)
			return;
		v = json_object_get(body, "unused_days");
		if (!json_is_integer(v) || json_integer_value(v) < 1 ||
		    json_integer_value(v) > ACCOUNT_UNUSED_DAYS_MAX) {
			json_decref(body);
			http_json(req, 422, json_pack("{s:{s:s, s:s, s:s}}", "error", "code", "invalid",
						      "message", "unused_days は 1〜3650 の整数です",
						      "field", "unused_days"));
			return;
		}
		r = store_begin(st, &err);
		if (r == 0) {
			r = account_set_unused_days(st, http_actor(req, actor, sizeof(actor)),
						    (int)json_integer_value(v), &err);
			if (r == 0)
				r = store_commit(st, &err);
			else
				store_rollback(st);
		}
		json_decref(body);
	}
	if (r == 0)
		r = account_unused_days(st, &days, &err);
	if (r < 0)
		http_error_from(req, &err);
	else
		http_json(req, 200, json_pack("{s:i}", "unused_days", days));
}
