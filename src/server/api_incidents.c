/*
 * api_incidents.c - incidents, uses of emergency accounts and drills over
 * HTTP (incident.h, emergency.h, drill.h, triage.h).
 *
 * Who may do what (roles in api.c): everyone but vendors reads; admin,
 * officer and staff open incidents and record what happens in them
 * (actions, notes, notifications, announcements, emergency-account uses,
 * recovery, the review), since the people at the scene record it; admin
 * and officer approve the management report, close, and keep drills.
 * Every write answers with the incident's whole view, so the UI redraws
 * from one answer.
 */
#include "common.h"
#include "api.h"
#include "api_util.h"
#include "drill.h"
#include "emergency.h"
#include "fileio.h"
#include "incident.h"
#include "ledger.h"
#include "store.h"
#include "triage.h"

static const char *str(json_t *o, const char *k)
{
	json_t *v = json_object_get(o, k);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void field_error(struct http_request *req, const char *field, const char *msg)
{
	http_json(req, 422, json_pack("{s:{s:s, s:s, s:s?}}", "error", "code", "invalid", "message",
				      msg, "field", field));
}

/* Checks that every key of body is a string, boolean, integer, array or null as wanted. */
static int strings_only(struct http_request *req, json_t *body, const char *const *keys, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		json_t *v = json_object_get(body, keys[i]);
		if (v && !json_is_null(v) && !json_is_string(v)) {
			char *m = xasprintf("%s は文字列で指定してください", keys[i]);
			field_error(req, keys[i], m);
			free(m);
			return -1;
		}
	}
	return 0;
}

static void answer_view(struct http_request *req, int status, int64_t id)
{
	struct mamori_err err = { 0 };
	json_t *v = NULL;

	if (incident_view(http_store(req), id, NULL, &v, &err) < 0)
		http_error_from(req, &err);
	else
		http_json(req, status, v);
}

void api_incidents_list(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *list = NULL, *uses = NULL;

	if (!st)
		return;
	if (incident_list(st, &list, &err) < 0 || emergency_uses(st, 0, 1, &uses, &err) < 0) {
		json_decref(list);
		http_error_from(req, &err);
		return;
	}
	http_json(req, 200, json_pack("{s:o, s:o}", "items", list, "unhandled_emergency_uses", uses));
}

void api_incidents_catalog(struct http_request *req)
{
	struct mamori_err err = { 0 };
	json_t *t = NULL, *cat = triage_catalog_json(), *auth = json_array();

	if (!http_store(req)) {
		json_decref(cat);
		json_decref(auth);
		return;
	}
	if (incident_templates(http_store(req), &t, &err) < 0) {
		json_decref(cat);
		json_decref(auth);
		http_error_from(req, &err);
		return;
	}
	static const char *const names[] = { "mhlw", "police", "prefecture", "management" };
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		json_array_append_new(auth, json_pack("{s:s, s:s}", "value", names[i], "label",
						      incident_authority_label(names[i])));
	json_object_set_new(cat, "announcements", t);
	json_object_set_new(cat, "authorities", auth);
	http_json(req, 200, cat);
}

void api_incidents_get(struct http_request *req)
{
	if (http_store(req))
		answer_view(req, 200, req->params[0]);
}

/* Triage answers and level of a body ({category?, answers, level}). */
static int body_triage(struct http_request *req, json_t *body, json_t **answers, int *level)
{
	json_t *a = json_object_get(body, "answers"), *l = json_object_get(body, "level");

	*answers = NULL;
	*level = 0;
	if (a && !json_is_null(a) && !json_is_object(a)) {
		field_error(req, "answers", "answers は切り分けの回答のオブジェクトです");
		return -1;
	}
	if (l && !json_is_null(l) && (!json_is_integer(l) || json_integer_value(l) < 1 || json_integer_value(l) > 5)) {
		field_error(req, "level", "level は 1 から 5 です");
		return -1;
	}
	*answers = json_is_object(a) ? a : NULL;
	*level = json_is_integer(l) ? (int)json_integer_value(l) : 0;
	return 0;
}

void api_incidents_open(struct http_request *req)
{
	static const char *const keys[] = { "title", "category", "detected_at" };
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct incident_open_args a = { 0 };
	json_t *body = http_body_json(req), *answers;
	char actor[128];
	int64_t id = 0;
	int cat, r;

	if (!st || !body)
		goto out;
	if (strings_only(req, body, keys, ARRAY_SIZE(keys)) < 0 || body_triage(req, body, &answers, &a.level) < 0)
		goto out;
	cat = triage_category_parse(str(body, "category"));
	if (cat < 0) {
		field_error(req, "category", "category は equipment・cyberattack・power・disaster のどれかです");
		goto out;
	}
	a.category = cat;
	a.title = str(body, "title");
	a.answers = answers ? answers : json_object_get(body, "answers");
	a.drill = json_is_true(json_object_get(body, "drill"));
	a.detected_at = str(body, "detected_at");
	if (!a.answers) {
		field_error(req, "answers", "切り分けの回答 (answers) が必要です");
		goto out;
	}
	if (!a.title || !*a.title) {
		field_error(req, "title", "件名を入力してください");
		goto out;
	}
	if (api_tx_begin(req, st, &err) < 0)
		goto out;
	r = incident_open(st, http_actor(req, actor, sizeof(actor)), &a, &id, &err);
	if (api_tx_end(req, st, r, &err) == 0)
		answer_view(req, 201, id);
out:
	json_decref(body);
}

enum write_kind { W_TRIAGE, W_ACT, W_NOTE, W_NOTIFY, W_ANNOUNCE, W_EMERGENCY, W_RECOVER, W_REVIEW, W_APPROVE, W_CLOSE };

static void incident_write(struct http_request *req, enum write_kind kind)
{
	static const char *const keys[] = { "action", "by", "at", "note", "text", "to", "channel", "authority",
					    "code", "account", "system", "used_at", "used_by", "reason", "source",
					    "causes", "measures", "summary" };
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *body = NULL, *answers = NULL;
	int64_t id = req->params[0], use_id;
	char actor[128];
	int r, level = 0;

	if (!st)
		return;
	body = http_body_json(req);
	if (!body)
		return;
	if (strings_only(req, body, keys, ARRAY_SIZE(keys)) < 0)
		goto out;
	if (kind == W_TRIAGE && body_triage(req, body, &answers, &level) < 0)
		goto out;
	if (api_tx_begin(req, st, &err) < 0)
		goto out;
	http_actor(req, actor, sizeof(actor));
	switch (kind) {
	case W_TRIAGE:
		r = incident_triage(st, actor, id, answers, level, &err);
		break;
	case W_ACT: {
		json_t *done = json_object_get(body, "done");
		r = incident_act(st, actor, id, str(body, "action"), !done || json_is_true(done), str(body, "by"),
				 str(body, "at"), str(body, "note"), &err);
		break;
	}
	case W_NOTE:
		r = incident_note(st, actor, id, str(body, "text"), &err);
		break;
	case W_NOTIFY: {
		struct incident_notice n = { .to = str(body, "to"), .channel = str(body, "channel"),
					     .by = str(body, "by"), .at = str(body, "at"),
					     .authority = str(body, "authority"), .text = str(body, "text") };
		if ((!n.to || !*n.to) && n.authority)
			n.to = incident_authority_label(n.authority) ? incident_authority_label(n.authority) : n.authority;
		r = incident_notify(st, actor, id, &n, &err);
		break;
	}
	case W_ANNOUNCE:
		r = incident_announce(st, actor, id, str(body, "code"), str(body, "text"), str(body, "by"),
				      str(body, "at"), &err);
		break;
	case W_EMERGENCY: {
		struct emergency_use_args a = { .incident_id = id, .account = str(body, "account"),
						.system = str(body, "system"), .used_at = str(body, "used_at"),
						.used_by = str(body, "used_by"), .reason = str(body, "reason"),
						.source = str(body, "source") };
		r = emergency_use_record(st, actor, &a, &use_id, &err);
		break;
	}
	case W_RECOVER:
		r = incident_recover(st, actor, id, str(body, "at"), &err);
		break;
	case W_REVIEW:
		r = incident_review(st, actor, id, str(body, "causes"), str(body, "measures"), str(body, "summary"), &err);
		break;
	case W_APPROVE:
		r = incident_approve(st, actor, id, str(body, "by"), str(body, "at"), &err);
		break;
	case W_CLOSE:
	default:
		r = incident_close(st, actor, id, &err);
		break;
	}
	if (api_tx_end(req, st, r, &err) == 0)
		answer_view(req, 200, id);
out:
	json_decref(body);
}

void api_incidents_triage(struct http_request *req) { incident_write(req, W_TRIAGE); }
void api_incidents_act(struct http_request *req) { incident_write(req, W_ACT); }
void api_incidents_note(struct http_request *req) { incident_write(req, W_NOTE); }
void api_incidents_notify(struct http_request *req) { incident_write(req, W_NOTIFY); }
void api_incidents_announce(struct http_request *req) { incident_write(req, W_ANNOUNCE); }
void api_incidents_emergency(struct http_request *req) { incident_write(req, W_EMERGENCY); }
void api_incidents_recover(struct http_request *req) { incident_write(req, W_RECOVER); }
void api_incidents_review(struct http_request *req) { incident_write(req, W_REVIEW); }
void api_incidents_approve(struct http_request *req) { incident_write(req, W_APPROVE); }
void api_incidents_close(struct http_request *req) { incident_write(req, W_CLOSE); }

void api_incidents_draft(struct http_request *req)
{
	struct mamori_err err = { 0 };
	char *text = NULL;

	if (!http_store(req))
		return;
	if (incident_report_draft(http_store(req), req->params[0], req->keys[0], &text, &err) < 0)
		http_error_from(req, &err);
	else
		http_json(req, 200, json_pack("{s:s, s:s, s:s}", "authority", req->keys[0], "label",
					      incident_authority_label(req->keys[0]), "text", text));
	free(text);
}

/* Writes a PDF with fn into a private temporary file and answers it. */
static void send_pdf(struct http_request *req, const char *fname,
		     int (*fn)(struct store *, int64_t, const char *, struct mamori_err *), int64_t id)
{
	struct mamori_err err = { 0 };
	char *tmp = fileio_temp_name("/tmp/mamori-export");
	char *data = NULL;
	size_t len = 0;
	int r = fn(http_store(req), id, tmp, &err);

	if (r == 0)
		r = fileio_read_all(tmp, (size_t)1 << 30, &data, &len, &err);
	fileio_discard_temp(tmp);
	free(tmp);
	if (r == 0)
		http_bytes(req, 200, "application/pdf", data, len, fname);
	else
		http_error_from(req, &err);
	free(data);
}

void api_incidents_report(struct http_request *req)
{
	char fname[128];

	if (!http_store(req))
		return;
	snprintf(fname, sizeof(fname), "インシデント報告書_%lld.pdf", (long long)req->params[0]);
	send_pdf(req, fname, incident_report_pdf, req->params[0]);
}

void api_incidents_verify(struct http_request *req)
{
	struct mamori_err err = { 0 };
	int64_t checked, bad_id, bad_seq;
	int r;

	if (!http_store(req))
		return;
	r = incident_verify(http_store(req), 0, &checked, &bad_id, &bad_seq, &err);
	if (r < 0 && r != MAMORI_ECHECK) {
		http_error_from(req, &err);
		return;
	}
	http_json(req, 200, json_pack("{s:b, s:I, s:I, s:I, s:s?}", "intact", r == 0, "checked", (json_int_t)checked,
				      "incident", (json_int_t)bad_id, "seq", (json_int_t)bad_seq, "message",
				      r == 0 ? NULL : err.msg));
}

/* ---- emergency uses outside incidents, and the list ------------------------ */

void api_emergency_uses_list(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *uses = NULL, *accounts = NULL;

	if (!st)
		return;
	if (emergency_uses(st, 0, 0, &uses, &err) < 0 || emergency_accounts(st, &accounts, &err) < 0) {
		json_decref(uses);
		http_error_from(req, &err);
		return;
	}
	http_json(req, 200, json_pack("{s:o, s:o}", "uses", uses, "accounts", accounts));
}

void api_emergency_uses_create(struct http_request *req)
{
	static const char *const keys[] = { "account", "system", "used_at", "used_by", "reason", "source" };
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *body = http_body_json(req);
	char actor[128];
	int64_t id = 0;
	int r;

	if (!st || !body)
		goto out;
	if (strings_only(req, body, keys, ARRAY_SIZE(keys)) < 0)
		goto out;
	struct emergency_use_args a = { .account = str(body, "account"), .system = str(body, "system"),
					.used_at = str(body, "used_at"), .used_by = str(body, "used_by"),
					.reason = str(body, "reason"), .source = str(body, "source") };
	if (api_tx_begin(req, st, &err) < 0)
		goto out;
	r = emergency_use_record(st, http_actor(req, actor, sizeof(actor)), &a, &id, &err);
	if (api_tx_end(req, st, r, &err) == 0)
		http_json(req, 201, json_pack("{s:I}", "id", (json_int_t)id));
out:
	json_decref(body);
}

/* ---- drills -------------------------------------------------------------------- */

void api_drills_list(struct http_request *req)
{
	struct mamori_err err = { 0 };
	json_t *list = NULL;

	if (!http_store(req))
		return;
	if (drill_list(http_store(req), &list, &err) < 0)
		http_error_from(req, &err);
	else
		http_json(req, 200, json_pack("{s:o}", "items", list));
}

static void drill_write(struct http_request *req, int add)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *body = http_body_json(req), *d = NULL;
	char actor[128];
	int64_t id = add ? 0 : req->params[0];
	int r;

	if (!st || !body)
		goto out;
	if (api_tx_begin(req, st, &err) < 0)
		goto out;
	http_actor(req, actor, sizeof(actor));
	r = add ? drill_add(st, actor, body, &id, &err) : drill_edit(st, actor, id, body, &err);
	if (api_tx_end(req, st, r, &err) < 0)
		goto out;
	if (drill_get(st, id, &d, &err) < 0)
		http_error_from(req, &err);
	else
		http_json(req, add ? 201 : 200, json_pack("{s:o}", "drill", d));
out:
	json_decref(body);
}

void api_drills_create(struct http_request *req) { drill_write(req, 1); }
void api_drills_update(struct http_request *req) { drill_write(req, 0); }
