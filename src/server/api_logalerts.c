/*
 * api_logalerts.c - the detections of the access-log vault over HTTP
 * (logdetect.h; routes in api.c, documented in docs/API.md):
 *
 *   GET    /api/v1/logs/alerts            ?kind= &severity= &state=open|acked|all
 *                                         &user= &patient= &since= &until=
 *                                         &limit= &offset=  (newest first)
 *   POST   /api/v1/logs/alerts/{id}/ack   {"note"?}: 確認済 → {id, acked, ack_by}
 *   GET    /api/v1/logs/watch             the watched patients
 *   POST   /api/v1/logs/watch             {"patient", "reason", "note"?}
 *   DELETE /api/v1/logs/watch/{id}
 *   GET    /api/v1/logs/settings
 *   PUT    /api/v1/logs/settings          {"logs.hours": "08:00-19:00", …}: all
 *                                         keys in one transaction, or none
 *
 * Each write is one transaction with its journal entry (api_util.h).
 */
#include "common.h"
#include "api.h"
#include "api_ledger.h"
#include "api_util.h"
#include "http.h"
#include "logdetect.h"
#include "store.h"

#define PAGE_DEFAULT 50
#define PAGE_MAX 500

void api_logalerts_list(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct logdetect_alert_query q = { 0 };
	const char *state = http_query(req, "state");
	json_t *items = NULL;
	int64_t total = 0;

	if (!st)
		return;
	if (!state || !*state || !strcmp(state, "open"))
		q.state = 1;
	else if (!strcmp(state, "acked"))
		q.state = 2;
	else if (!strcmp(state, "all"))
		q.state = 0;
	else {
		http_error(req, 422, "invalid", "state は open、acked、all のどれかです: %s", state);
		return;
	}
	q.kind = http_query(req, "kind");
	q.severity = http_query(req, "severity");
	q.user = http_query(req, "user");
	q.patient = http_query(req, "patient");
	q.since = http_query(req, "since");
	q.until = http_query(req, "until");
	if (api_ledger_count(http_query(req, "limit"), PAGE_DEFAULT, PAGE_MAX, &q.limit) < 0 ||
	    api_ledger_count(http_query(req, "offset"), 0, INT64_MAX / 2, &q.offset) < 0) {
		http_error(req, 422, "invalid", "limit は 1〜%d、offset は 0 以上の整数です", PAGE_MAX);
		return;
	}
	if (q.limit == 0)
		q.limit = PAGE_DEFAULT;
	if (logdetect_alerts(st, &q, &items, &total, &err) < 0) {
		http_error_from(req, &err);
		return;
	}
	http_json(req, 200,
		  json_pack("{s:I, s:I, s:I, s:o}", "total", (json_int_t)total, "limit",
			    (json_int_t)q.limit, "offset", (json_int_t)q.offset, "items", items));
}

void api_logalerts_ack(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *body;
	char actor[128];
	int r;

	if (!st)
		return;
	body = req->body.len ? http_body_json(req) : json_object();
	if (!body)
		return;
	if (api_tx_begin(req, st, &err) < 0)
		goto out;
	r = logdetect_alert_ack(st, http_actor(req, actor, sizeof(actor)), req->params[0],
				json_string_value(json_object_get(body, "note")), &err);
	if (api_tx_end(req, st, r, &err) == 0)
		http_json(req, 200, json_pack("{s:I, s:b, s:s}", "id", (json_int_t)req->params[0],
					      "acked", 1, "ack_by", actor));
out:
	json_decref(body);
}

void api_logwatch_list(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *items = NULL;

	if (!st)
		return;
	if (logdetect_watch_list(st, &items, &err) < 0) {
		http_error_from(req, &err);
		return;
	}
	http_json(req, 200, json_pack("{s:I, s:o}", "total", (json_int_t)json_array_size(items),
				      "items", items));
}

void api_logwatch_create(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	char actor[128];
	int64_t id = 0;
	json_t *body;
	int r;

	if (!st)
		return;
	if (!(body = http_body_json(req)))
		return;
	if (api_tx_begin(req, st, &err) < 0)
		goto out;
	r = logdetect_watch_add(st, http_actor(req, actor, sizeof(actor)),
				json_string_value(json_object_get(body, "patient")),
				json_string_value(json_object_get(body, "reason")),
				json_string_value(json_object_get(body, "note")), &id, &err);
	if (api_tx_end(req, st, r, &err) == 0)
		http_json(req, 201, json_pack("{s:I, s:s}", "id", (json_int_t)id, "patient",
					      json_string_value(json_object_get(body, "patient"))));
out:
	json_decref(body);
}

void api_logwatch_delete(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	char actor[128], key[32];
	int r;

	if (!st)
		return;
	snprintf(key, sizeof(key), "#%lld", (long long)req->params[0]);
	if (api_tx_begin(req, st, &err) < 0)
		return;
	r = logdetect_watch_remove(st, http_actor(req, actor, sizeof(actor)), key, &err);
	if (api_tx_end(req, st, r, &err) == 0)
		http_no_content(req);
}

void api_logsettings(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *out = NULL;

	if (!st)
		return;
	if (!strcmp(req->method, "PUT")) {
		json_t *body = http_body_json(req), *v;
		const char *key = NULL;
		char actor[128], num[32];
		int r = 0;

		if (!body)
			return;
		if (!json_is_object(body) || !json_object_size(body)) {
			json_decref(body);
			http_error(req, 422, "invalid", "変更する設定を {\"logs.hours\": \"08:00-19:00\"} の"
							"形で送ってください");
			return;
		}
		if (api_tx_begin(req, st, &err) < 0) {
			json_decref(body);
			return;
		}
		http_actor(req, actor, sizeof(actor));
		json_object_foreach(body, key, v) {
			const char *value = json_string_value(v);
			if (json_is_integer(v)) {
				snprintf(num, sizeof(num), "%lld", (long long)json_integer_value(v));
				value = num;
			} else if (json_is_null(v)) {
				value = "";
			} else if (!value) {
				r = mamori_err_set(&err, MAMORI_EINVAL, "%s の値は文字列か整数で送ってください",
						   key);
				break;
			}
			if ((r = logdetect_setting_set(st, actor, key, value, &err)) < 0)
				break;
		}
		if (r < 0) {
			store_rollback(st);
			http_json(req, 422, json_pack("{s:{s:s, s:s, s:s}}", "error", "code", "invalid",
						      "message", err.msg, "field", key ? key : ""));
			json_decref(body);
			return;
		}
		json_decref(body);
		if (api_tx_end(req, st, 0, &err) < 0)
			return;
	}
	if (logdetect_settings_json(st, &out, &err) < 0)
		http_error_from(req, &err);
	else
		http_json(req, 200, out);
}
