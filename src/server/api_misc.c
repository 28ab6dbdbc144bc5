/*
 * api_misc.c - dashboard, journal and the ledger's record lists.
 */
#include "common.h"
#include "api.h"
#include "dashboard.h"
#include "journal.h"
#include "ledger.h"
#include "store.h"

void api_dashboard(struct http_request *req)
{
	struct mamori_err err = { 0 };
	json_t *o = NULL;
	char *scope, *key = NULL;
	int64_t version;
	int failed;

	if (http_cached(req, &version, &key) != 0)
		return;
	scope = api_vendor_scope(req, &failed);
	if (!failed) {
		if (dashboard_figures(http_store(req), scope, &o, &err) < 0)
			http_error_from(req, &err);
		else
			http_json_cached(req, o, key, version);
	}
	free(scope);
	free(key);
}

static int journal_row(const struct journal_entry *e, void *p)
{
	json_array_append_new(p, journal_entry_json(e));
	return 0;
}

void api_journal_list(struct http_request *req)
{
	struct journal_filter f = { 0 };
	struct mamori_err err = { 0 };
	const char *limit = http_query(req, "limit");
	json_t *items = json_array();

	f.entity_type = http_query(req, "entity_type");
	f.entity_id = http_query(req, "entity_id");
	f.since = http_query(req, "since");
	f.action = http_query(req, "action");
	f.limit = 200;
	if (limit) {
		char *end;
		f.limit = strtoll(limit, &end, 10);
		if (*end || f.limit < 1 || f.limit > 5000) {
			json_decref(items);
			http_error(req, 422, "invalid", "limit は 1〜5000 です");
			return;
		}
	}
	/* empty parameters from a form mean "any" */
	if (f.entity_type && !*f.entity_type)
		f.entity_type = NULL;
	if (f.entity_id && !*f.entity_id)
		f.entity_id = NULL;
	if (f.since && !*f.since)
		f.since = NULL;
	if (f.action && !*f.action)
		f.action = NULL;
	if (journal_list(http_store(req), &f, journal_row, items, &err) < 0) {
		json_decref(items);
		http_error_from(req, &err);
		return;
	}
	http_json(req, 200, json_pack("{s:o}", "items", items));
}

void api_journal_verify(struct http_request *req)
{
	struct journal_verify_result res;
	struct mamori_err err = { 0 };
	int r = journal_verify(http_store(req), NULL, &res, NULL, NULL, &err);

	if (r < 0 && r != MAMORI_ECHECK) {
		http_error_from(req, &err);
		return;
	}
	json_t *o = json_pack("{s:b, s:I, s:s}", "intact", r == 0, "entries",
			      (json_int_t)res.entries, "head", res.head);
	if (r < 0) {
		json_object_set_new(o, "first_bad", json_integer(res.first_bad));
		json_object_set_new(o, "message", json_string(err.msg));
	}
	http_json(req, 200, o);
}

void api_journal_head(struct http_request *req)
{
	struct mamori_err err = { 0 };
	char hash[JOURNAL_HASH_HEX];
	int64_t seq;

	if (journal_head(http_store(req), &seq, hash, &err) < 0)
		http_error_from(req, &err);
	else
		http_json(req, 200, json_pack("{s:I, s:s}", "seq", (json_int_t)seq, "hash", hash));
}

static void list_table(struct http_request *req, enum ledger_table t)
{
	struct mamori_err err = { 0 };
	json_t *rows = NULL;

	if (ledger_list(http_store(req), t, &rows, &err) < 0)
		http_error_from(req, &err);
	else
		http_json(req, 200, json_pack("{s:o}", "items", rows));
}

void api_systems(struct http_request *req)
{
	list_table(req, LEDGER_SYSTEM);
}

void api_vendors(struct http_request *req)
{
	list_table(req, LEDGER_VENDOR);
}

void api_contracts(struct http_request *req)
{
	list_table(req, LEDGER_CONTRACT);
}

void api_locations(struct http_request *req)
{
	list_table(req, LEDGER_LOCATION);
}
