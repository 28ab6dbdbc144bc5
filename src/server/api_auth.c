/*
 * api_auth.c - sign-in, sign-out, the session, password change and TOTP
 * enrolment.
 *
 * Sign-in answers, for the UI to know what to ask next:
 *   200  signed in; {"user", "csrf", "must_change_password",
 *        "totp_enrolment_required"} and the session cookie
 *   401  {"error": {"code": "bad_credentials"}}   name, password or code wrong
 *   401  {"error": {"code": "totp_required"}}     password right, code needed
 *   429  {"error": {"code": "locked"}} + Retry-After   locked out for a while
 *   403  {"error": {"code": "disabled"}}
 * The session cookie is HttpOnly, SameSite=Strict, Path=/, Secure under
 * TLS; the CSRF token travels in the JSON and comes back in X-CSRF-Token.
 */
#include "common.h"
#include "api.h"
#include "ledger.h"
#include "qr.h"
#include "store.h"

#include <pthread.h>

#define COOKIE "mamori_session"

/*
 * Per-address throttle, in front of the per-account lock-out: an address
 * with ADDR_MAX_FAILURES failed sign-ins within ADDR_WINDOW seconds is
 * refused (429) until its window ends, whatever names it tries.  This
 * stops guessing across many accounts from one place.  Kept in memory
 * (ADDR_SLOTS addresses, the oldest window replaced first).
 */
#define ADDR_WINDOW 600
#define ADDR_MAX_FAILURES 30
#define ADDR_SLOTS 1024

static struct {
	char addr[64];
	time_t start;
	int failures;
} addr_table[ADDR_SLOTS];
static pthread_mutex_t addr_lock = PTHREAD_MUTEX_INITIALIZER;

/* Seconds until remote may try again, 0 when it may now. */
static int addr_blocked(const char *remote, time_t now)
{
	int wait = 0;

	pthread_mutex_lock(&addr_lock);
	for (size_t i = 0; i < ADDR_SLOTS; i++)
		if (!strcmp(addr_table[i].addr, remote) && now - addr_table[i].start < ADDR_WINDOW &&
		    addr_table[i].failures >= ADDR_MAX_FAILURES)
			wait = (int)(addr_table[i].start + ADDR_WINDOW - now);
	pthread_mutex_unlock(&addr_lock);
	return wait;
}

static void addr_failed(const char *remote, time_t now)
{
	size_t oldest = 0;

	pthread_mutex_lock(&addr_lock);
	for (size_t i = 0; i < ADDR_SLOTS; i++) {
		if (!strcmp(addr_table[i].addr, remote)) {
			if (now - addr_table[i].start >= ADDR_WINDOW) {
				addr_table[i].start = now;
				addr_table[i].failures = 0;
			}
			addr_table[i].failures++;
			pthread_mutex_unlock(&addr_lock);
			return;
		}
		if (addr_table[i].start < addr_table[oldest].start)
			oldest = i;
	}
	snprintf(addr_table[oldest].addr, sizeof(addr_table[oldest].addr), "%s", remote);
	addr_table[oldest].start = now;
	addr_table[oldest].failures = 1;
	pthread_mutex_unlock(&addr_lock);
}

static void too_many(struct http_request *req, int wait)
{
	char ra[32];

	snprintf(ra, sizeof(ra), "%d", wait);
	http_add_header(req, "Retry-After", ra);
	http_json(req, 429,
		  json_pack("{s:{s:s, s:s, s:i}}", "error", "code", "too_many_attempts", "message",
			    "この端末からのサインインの失敗が多すぎます。しばらく待ってからやり直してください",
			    "retry_after", wait));
}

static json_t *session_json(struct http_request *req, const struct user *u, const char *csrf)
{
	json_t *o = json_object();
	struct ledger_facility fac = { 0 };

	json_object_set_new(o, "user", user_to_json(u));
	json_object_set_new(o, "csrf", json_string(csrf));
	json_object_set_new(o, "must_change_password", json_boolean(u->must_change_password));
	json_object_set_new(o, "totp_enrolment_required",
			    json_boolean(u->totp_required && !u->totp_enabled));
	if (ledger_facility_get(http_store(req), &fac, NULL) == 0) {
		json_object_set_new(o, "facility", json_pack("{s:s, s:s}", "name", fac.name, "type",
							     fac.type));
		ledger_facility_release(&fac);
	}
	return o;
}

static const char *str_field(json_t *body, const char *key)
{
	json_t *v = json_object_get(body, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

void api_login(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	enum user_login_result result;
	struct user_session s = { 0 };
	struct user u = { 0 };
	int retry = 0;
	json_t *body;
	char cookie[256];

	int wait = addr_blocked(req->remote, time(NULL));
	if (wait > 0) {
		too_many(req, wait);
		return;
	}
	if (!st || !(body = http_body_json(req)))
		return;
	const char *name = str_field(body, "name"), *password = str_field(body, "password");
	const char *code = str_field(body, "code");
	if (!name || !password) {
		json_decref(body);
		http_error(req, 400, "bad_request", "ユーザー名とパスワードを入力してください");
		return;
	}
	if (user_login(st, name, password, code && *code ? code : NULL, req->remote, time(NULL),
		       &result, &retry, &u, &err) < 0) {
		json_decref(body);
		http_error_from(req, &err);
		return;
	}
	json_decref(body);
	switch (result) {
	case USER_LOGIN_OK:
		break;
	case USER_LOGIN_TOTP_NEEDED:
		http_error(req, 401, "totp_required", "認証アプリの6桁のコードを入力してください");
		return;
	case USER_LOGIN_LOCKED: {
		char ra[32];
		snprintf(ra, sizeof(ra), "%d", retry);
		http_add_header(req, "Retry-After", ra);
		http_json(req, 429,
			  json_pack("{s:{s:s, s:s, s:i}}", "error", "code", "locked", "message",
				    "サインインの失敗が続いたため、しばらくロックしています。"
				    "時間をおいてからやり直してください",
				    "retry_after", retry));
		return;
	}
	case USER_LOGIN_DISABLED:
		http_error(req, 403, "disabled", "このアカウントは無効になっています。管理者に連絡してください");
		return;
	default:
		addr_failed(req->remote, time(NULL));
		http_error(req, 401, "bad_credentials",
			   "ユーザー名、パスワード、またはコードが正しくありません");
		return;
	}
	if (user_session_create(st, u.id, req->remote, time(NULL), &s, &err) < 0) {
		user_release(&u);
		http_error_from(req, &err);
		return;
	}
	snprintf(cookie, sizeof(cookie), COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%d%s",
		 s.token, USER_SESSION_MAX, req->secure ? "; Secure" : "");
	http_add_header(req, "Set-Cookie", cookie);
	http_json(req, 200, session_json(req, &u, s.csrf));
	user_release(&u);
	user_session_release(&s);
}

void api_logout(struct http_request *req)
{
	struct mamori_err err = { 0 };
	char actor[128];

	if (user_session_end(http_store(req), http_actor(req, actor, sizeof(actor)),
			     req->session_token, &err) < 0) {
		http_error_from(req, &err);
		return;
	}
	http_add_header(req, "Set-Cookie", COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
	http_no_content(req);
}

void api_session(struct http_request *req)
{
	http_json(req, 200, session_json(req, &req->user, req->session.csrf));
}

void api_password(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *body = http_body_json(req);
	char actor[128];

	if (!body)
		return;
	const char *current = str_field(body, "current"), *next = str_field(body, "new");
	if (!current || !next) {
		http_error(req, 400, "bad_request", "現在のパスワードと新しいパスワードを入力してください");
	} else if (user_password_verify(st, req->user.id, current, &err) < 0) {
		if (err.code == MAMORI_EINVAL)
			http_error(req, 403, "bad_credentials", "現在のパスワードが正しくありません");
		else
			http_error_from(req, &err);
	} else if (user_set_password(st, http_actor(req, actor, sizeof(actor)), req->user.id, next,
				     0, &err) < 0) {
		http_error_from(req, &err);
	} else {
		http_no_content(req);
	}
	json_decref(body);
}

void api_totp_begin(struct http_request *req)
{
	struct store *st = http_store(req);
	struct ledger_facility fac = { 0 };
	struct mamori_err err = { 0 };
	char secret[USER_TOTP_SECRET_LEN + 1];
	char *uri = NULL, *svg;

	if (ledger_facility_get(st, &fac, &err) < 0 ||
	    user_totp_begin(st, req->user.id, fac.name, secret, &uri, &err) < 0) {
		ledger_facility_release(&fac);
		http_error_from(req, &err);
		return;
	}
	ledger_facility_release(&fac);
	svg = qr_svg(uri, 4);
	http_json(req, 200,
		  json_pack("{s:s, s:s, s:s?}", "secret", secret, "uri", uri, "qr_svg", svg));
	free(svg);
	free(uri);
}

void api_totp_confirm(struct http_request *req)
{
	struct mamori_err err = { 0 };
	json_t *body = http_body_json(req);
	char actor[128];

	if (!body)
		return;
	const char *code = str_field(body, "code");
	if (!code)
		http_error(req, 400, "bad_request", "6桁のコードを入力してください");
	else if (user_totp_confirm(http_store(req), http_actor(req, actor, sizeof(actor)),
				   req->user.id, code, &err) < 0)
		http_error_from(req, &err);
	else
		http_no_content(req);
	json_decref(body);
}
