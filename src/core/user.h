/*
 * user.h - people who sign in to mamori: accounts, roles, passwords,
 * two-factor codes, sessions and CSRF tokens.
 *
 * Roles (what each may do is decided by the server; the core only stores):
 *   admin    管理者                 everything, including users
 *   officer  安全管理責任者         医療情報システム安全管理責任者: all records
 *   staff    職員                   records, no users
 *   auditor  監査                   read-only, the journal included
 *   vendor   事業者                 only its own vendor's records (vendor_id)
 *
 * Passwords (令和7年度 checklist, guideline 6.5 C.13): at least 13
 * characters, or at least 8 mixing letters, digits and symbols; not the user
 * name; none of the last USER_PASSWORD_HISTORY passwords again; no forced
 * periodic change.  Stored as argon2id hashes (libsodium crypto_pwhash_str,
 * "interactive" limits); history likewise.
 *
 * Lock-out: USER_LOCK_AFTER failed sign-ins in a row lock the account for
 * 1 minute, doubling with every further failure up to 1 hour; a success
 * resets the count.
 *
 * Two-factor: TOTP (RFC 6238, SHA-1, 30 s, 6 digits — what authenticator
 * apps use), verified with liboath within ±1 step; a code's time step must
 * be later than the last one accepted, so that a code cannot be replayed.
 * Required by default for admin and officer.
 *
 * Sessions: a random 256-bit token (base64url, given to the browser in a
 * cookie) of which only the SHA-256 is stored; an idle timeout
 * (USER_SESSION_IDLE) and an absolute one (USER_SESSION_MAX).  Each session
 * has its own random CSRF token, required on every state-changing request.
 *
 * Every change and every sign-in event is journaled: user.add, user.edit,
 * user.passwd, user.disable, user.enable, user.totp_enrol, user.totp_reset,
 * login.ok, login.fail, login.locked, logout.  Secrets (hashes, TOTP keys,
 * tokens) never appear in the journal.
 *
 * All functions that write run in their own transaction unless noted.
 */
#ifndef MAMORI_USER_H
#define MAMORI_USER_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>

struct mamori_err;
struct store;

#define USER_NAME_MAX 64
#define USER_PASSWORD_MAX 256
#define USER_PASSWORD_HISTORY 5
#define USER_LOCK_AFTER 5
#define USER_SESSION_IDLE (30 * 60)      /* seconds */
#define USER_SESSION_MAX (12 * 60 * 60)  /* seconds */
#define USER_TOKEN_LEN 43                /* base64url of 32 bytes, no padding */
#define USER_TOTP_SECRET_LEN 32          /* base32 of 20 bytes */

enum user_role {
	USER_ADMIN,
	USER_OFFICER,
	USER_STAFF,
	USER_AUDITOR,
	USER_VENDOR,
};

/* "admin" … "vendor" */
const char *user_role_name(enum user_role r);
/* 管理者, 安全管理責任者, 職員, 監査, 事業者 */
const char *user_role_label(enum user_role r);
/* Accepts the names and the Japanese labels. */
int user_role_parse(const char *s, enum user_role *out, struct mamori_err *err);

struct user {
	int64_t id;
	char *name;         /* sign-in name: [A-Za-z0-9._@-], 1..USER_NAME_MAX */
	char *display_name; /* 表示名 */
	enum user_role role;
	int64_t vendor_id;  /* USER_VENDOR only, else 0 */
	int disabled;
	int must_change_password;
	int totp_enabled;   /* a secret is enrolled and confirmed */
	int totp_required;  /* sign-in needs a code (default: admin, officer) */
	int failed_logins;
	char *locked_until; /* RFC 3339 or NULL */
	char *last_login;   /* RFC 3339 or NULL */
	char *created_at;
};

void user_release(struct user *u);
/* The user as JSON (no secrets); new reference. */
json_t *user_to_json(const struct user *u);

/*
 * Checks password against the policy for user name; MAMORI_EINVAL with the
 * rule it breaks.  Does not look at the history.
 */
int user_password_check(const char *name, const char *password, struct mamori_err *err);

/*
 * Creates a user.  password NULL generates a one-time password (returned in
 * *generated, caller frees; 16 characters from an unambiguous alphabet) and
 * sets must_change_password.  vendor_id is required for USER_VENDOR and must
 * be 0 otherwise.  MAMORI_ECONFLICT when the name exists.
 */
int user_add(struct store *st, const char *actor, const char *name, const char *display_name,
	     enum user_role role, int64_t vendor_id, const char *password, char **generated,
	     int64_t *id, struct mamori_err *err);

/* By name or "#ID"; MAMORI_ENOTFOUND when none. */
int user_get(struct store *st, const char *key, struct user *out, struct mamori_err *err);
int user_get_id(struct store *st, int64_t id, struct user *out, struct mamori_err *err);

/* All users, ordered by name: calls fn for each. */
int user_list(struct store *st, int (*fn)(const struct user *u, void *ctx), void *ctx,
	      struct mamori_err *err);

/*
 * Sets a new password after the policy and history checks; clears
 * must_change_password (unless set_must_change, used when an admin resets
 * someone else's password).
 */
int user_set_password(struct store *st, const char *actor, int64_t id, const char *password,
		      int set_must_change, struct mamori_err *err);

/*
 * Checks the password of user id without the sign-in bookkeeping (used to
 * confirm the current password before a change): 0 when right,
 * MAMORI_EINVAL when wrong.
 */
int user_password_verify(struct store *st, int64_t id, const char *password,
			 struct mamori_err *err);

/* A one-time password that satisfies the policy for name (caller frees). */
int user_generate_password(const char *name, char **out, struct mamori_err *err);

/* Number of users (0 on a new store: the server then creates "admin"). */
int user_count(struct store *st, int64_t *n, struct mamori_err *err);

/* Disables (sessions ended) or enables an account. */
int user_set_disabled(struct store *st, const char *actor, int64_t id, int disabled,
		      struct mamori_err *err);

/* Changes role (and vendor_id), display name, totp_required. */
int user_update(struct store *st, const char *actor, int64_t id, const char *display_name,
		enum user_role role, int64_t vendor_id, int totp_required, struct mamori_err *err);

/*
 * TOTP enrolment, two steps.  user_totp_begin() makes a new secret (base32
 * in secret_out, USER_TOTP_SECRET_LEN + 1 bytes) kept as pending; the
 * otpauth:// URI for the QR code is written to uri_out (caller frees).
 * user_totp_confirm() checks a code against the pending secret and makes it
 * the user's (totp_enabled).  user_totp_reset() removes it (an admin helping
 * someone who lost a phone); the user enrols again at next sign-in.
 */
int user_totp_begin(struct store *st, int64_t id, const char *issuer, char *secret_out,
		    char **uri_out, struct mamori_err *err);
int user_totp_confirm(struct store *st, const char *actor, int64_t id, const char *code,
		      struct mamori_err *err);
int user_totp_reset(struct store *st, const char *actor, int64_t id, struct mamori_err *err);

/* Outcome of a sign-in attempt. */
enum user_login_result {
	USER_LOGIN_OK,
	USER_LOGIN_BAD,           /* wrong name, password or code (not told which) */
	USER_LOGIN_LOCKED,        /* locked out: *retry_after seconds */
	USER_LOGIN_DISABLED,
	USER_LOGIN_TOTP_NEEDED,   /* password right; a code is required */
};

/*
 * Checks name, password and (when the user has TOTP) code at time now, does
 * the lock-out bookkeeping, journals login.ok / login.fail / login.locked
 * with the remote address, and on USER_LOGIN_OK fills *u.  Always spends the
 * time of one argon2id verification, also for unknown names.
 */
int user_login(struct store *st, const char *name, const char *password, const char *code,
	       const char *remote, time_t now, enum user_login_result *result, int *retry_after,
	       struct user *u, struct mamori_err *err);

struct user_session {
	int64_t id;
	int64_t user_id;
	char token[USER_TOKEN_LEN + 1]; /* only after user_session_create */
	char csrf[USER_TOKEN_LEN + 1];
	char *created_at;
	char *last_seen;
};

void user_session_release(struct user_session *s);

/* Creates a session for user_id; the token is only ever in s->token. */
int user_session_create(struct store *st, int64_t user_id, const char *remote, time_t now,
			struct user_session *s, struct mamori_err *err);

/*
 * Finds the live session of token at time now (idle and absolute timeouts),
 * refreshes last_seen, and fills s (csrf included) and u.  MAMORI_ENOTFOUND
 * when there is none, it expired, or its user is disabled.
 */
int user_session_check(struct store *st, const char *token, time_t now, struct user_session *s,
		       struct user *u, struct mamori_err *err);

/* Ends the session of token (journaled as logout by actor). */
int user_session_end(struct store *st, const char *actor, const char *token,
		     struct mamori_err *err);

/* Compares two tokens in constant time; 1 when equal. */
int user_token_equal(const char *a, const char *b);

#endif
