/*
 * api_users.c - user management for administrators.
 */
#include "common.h"
#include "api.h"
#include "ledger.h"
#include "store.h"

static int user_row(const struct user *u, void *p)
{
	json_array_append_new(p, user_to_json(u));
	return 0;
}

void api_users_list(struct http_request *req)
{
	struct mamori_err err = { 0 };
	json_t *items = json_array();

	if (user_list(http_store(req), user_row, items, &err) < 0) {
		json_decref(items);
		http_error_from(req, &err);
		return;
	}
	http_json(req, 200, json_pack("{s:o}", "items", items));
}

static const char *str_field(json_t *body, const char *key)
{
	json_t *v = json_object_get(body, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

/* role and vendor (by name) from body; answers 422 and returns -1 when bad. */
static int read_role(struct http_request *req, json_t *body, enum user_role *role,
		     int64_t *vendor_id)
{
	struct mamori_err err = { 0 };
	const char *r = str_field(body, "role"), *vendor = str_field(body, "vendor");

	if (r && user_role_parse(r, role, &err) < 0) {
		http_error(req, 422, "invalid", "%s", err.msg);
		return -1;
	}
	*vendor_id = 0;
	if (*role == USER_VENDOR) {
		if (!vendor || !*vendor) {
			http_error(req, 422, "invalid", "事業者アカウントには事業者を指定してください");
			return -1;
		}
		if (ledger_find(http_store(req), LEDGER_VENDOR, vendor, vendor_id, &err) < 0) {
			http_error_from(req, &err);
			return -1;
		}
	}
	return 0;
}

void api_users_create(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *body = http_body_json(req);
	enum user_role role = USER_STAFF;
	struct user u = { 0 };
	int64_t vendor_id = 0, id = 0;
	char actor[128], *generated = NULL;

	if (!body)
		return;
	const char *name = str_field(body, "name");
	if (!name) {
		http_error(req, 422, "invalid", "ユーザー名を入力してください");
	} else if (read_role(req, body, &role, &vendor_id) == 0) {
		if (user_add(st, http_actor(req, actor, sizeof(actor)), name,
			     str_field(body, "display_name"), role, vendor_id, NULL, &generated, &id,
			     &err) < 0 ||
		    user_get_id(st, id, &u, &err) < 0)
			http_error_from(req, &err);
		else
			http_json(req, 201, json_pack("{s:o, s:s}", "user", user_to_json(&u),
						      "one_time_password", generated));
	}
	user_release(&u);
	if (generated) {
		memset(generated, 0, strlen(generated));
		free(generated);
	}
	json_decref(body);
}

void api_users_update(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *body = http_body_json(req), *v;
	struct user u = { 0 };
	char actor[128];
	int r;

	if (!body)
		return;
	if (user_get_id(st, req->params[0], &u, &err) < 0) {
		http_error_from(req, &err);
		json_decref(body);
		return;
	}
	enum user_role role = u.role;
	int64_t vendor_id = u.vendor_id;
	int totp_required = u.totp_required;
	const char *display = str_field(body, "display_name");

	http_actor(req, actor, sizeof(actor));
	if ((json_object_get(body, "role") || json_object_get(body, "vendor")) &&
	    read_role(req, body, &role, &vendor_id) < 0)
		goto out;
	/* Promotion to admin or officer switches two-factor on, unless said otherwise. */
	if (role != u.role && (role == USER_ADMIN || role == USER_OFFICER))
		totp_required = 1;
	if ((v = json_object_get(body, "totp_required")) && json_is_boolean(v))
		totp_required = json_is_true(v);
	if (role != u.role && u.id == req->user.id) {
		http_error(req, 409, "conflict", "自分自身の役割は変更できません");
		goto out;
	}
	r = user_update(st, actor, u.id, display ? display : u.display_name, role, vendor_id,
			totp_required, &err);
	if (r == 0 && (v = json_object_get(body, "disabled")) && json_is_boolean(v)) {
		if (u.id == req->user.id && json_is_true(v)) {
			http_error(req, 409, "conflict", "自分自身は無効にできません");
			goto out;
		}
		r = user_set_disabled(st, actor, u.id, json_is_true(v), &err);
	}
	user_release(&u);
	if (r == 0)
		r = user_get_id(st, req->params[0], &u, &err);
	if (r < 0)
		http_error_from(req, &err);
	else
		http_json(req, 200, json_pack("{s:o}", "user", user_to_json(&u)));
out:
	user_release(&u);
	json_decref(body);
}

/* An administrator resets a password: a one-time password, changed at next sign-in. */
void api_users_password(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct user u = { 0 };
	char actor[128], *generated = NULL;

	if (user_get_id(st, req->params[0], &u, &err) < 0 ||
	    user_generate_password(u.name, &generated, &err) < 0 ||
	    user_set_password(st, http_actor(req, actor, sizeof(actor)), u.id, generated, 1, &err) < 0)
		http_error_from(req, &err);
	else
		http_json(req, 200, json_pack("{s:s}", "one_time_password", generated));
	if (generated) {
		memset(generated, 0, strlen(generated));
		free(generated);
	}
	user_release(&u);
}

void api_users_totp_reset(struct http_request *req)
{
	struct mamori_err err = { 0 };
	char actor[128];

	if (user_totp_reset(http_store(req), http_actor(req, actor, sizeof(actor)), req->params[0],
			    &err) < 0)
		http_error_from(req, &err);
	else
		http_no_content(req);
}
