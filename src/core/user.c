/*
 * user.c - accounts, passwords, lock-out, two-factor codes and sessions
 * (the contract is in user.h).
 *
 * Passwords.  A password is printable ASCII (space included).  Full-width
 * ASCII (U+FF01..U+FF5E) and the ideographic space U+3000 are read as their
 * ASCII counterparts, both when a password is set and at sign-in, so that an
 * IME left in full-width mode neither makes a different password nor locks
 * anybody out; any other non-ASCII character (kana, kanji) is refused,
 * because what it becomes depends on the IME and the machine.  Lengths are
 * counted in characters after that mapping.  The history table holds the
 * argon2id hashes of the last USER_PASSWORD_HISTORY passwords, the current
 * one included, so that a new password is compared with exactly those.
 *
 * Sign-in.  user_login() first runs the one expensive argon2id verification
 * outside any transaction, against the user's hash or, for an unknown name,
 * a dummy hash made at start-up with the same limits.  It then takes every
 * decision inside one write transaction on a fresh read of the row, so that
 * parallel attempts are counted one after the other and a TOTP time step
 * can be accepted only once.  Per account:
 *
 *     locked_until > now    → USER_LOGIN_LOCKED (retry_after = the rest),
 *                             nothing counted, journaled as login.locked
 *     wrong password / code → failed_logins + 1; from USER_LOCK_AFTER on,
 *                             locked_until = now + 60 s · 2^(failed - 5),
 *                             at most 1 h; the answer is still BAD (the
 *                             lock shows from the next attempt on);
 *                             journaled as login.fail
 *     right                 → failed_logins = 0, locked_until = NULL,
 *                             last_login = now, login.ok
 *
 * A disabled account answers USER_LOGIN_DISABLED only to the right password
 * (USER_LOGIN_BAD otherwise) and counts nothing.  The journal entries of
 * sign-in events name the account (actor "(不明)" and the typed name,
 * normalised and cut short, for an unknown one), the remote address and the
 * reason; never the password or the code.
 *
 * Sessions.  The token and the CSRF token are 32 random bytes in base64url;
 * only the hex SHA-256 of the token is stored.  last_seen is refreshed at
 * most once a minute (SESSION_TOUCH) to spare a synchronous write on every
 * request.  Expired sessions are deleted when met and whenever a session is
 * created.
 */
#include "common.h"
#include "user.h"
#include "journal.h"
#include "norm.h"
#include "store.h"
#include "strbuf.h"

#include <liboath/oath.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <sodium.h>
#include <time.h>

#define PW_OPSLIMIT crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PW_MEMLIMIT crypto_pwhash_MEMLIMIT_INTERACTIVE
#define LOCK_FIRST 60         /* seconds locked after USER_LOCK_AFTER failures */
#define LOCK_MAX 3600         /* the longest lock */
#define TOTP_STEP 30
#define TOTP_WINDOW 1
#define TOTP_SECRET_BYTES 20
#define SESSION_TOUCH 60      /* last_seen is written at most this often */
#define OTP_LEN 16            /* generated one-time passwords */
#define DISPLAY_NAME_MAX 100  /* characters */
#define JOURNAL_TEXT_MAX 100  /* bytes of a typed name or an address in the journal */
#define UNKNOWN_ACTOR "(不明)"

/* No 0/O/o, 1/l/I/i: read aloud or copied from paper without mistakes. */
static const char otp_alphabet[] = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghjkmnpqrstuvwxyz23456789";

/* ---- library start-up ------------------------------------------------------ */

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static int lib_state; /* 1 ready, -1 failed */
static char dummy_hash[crypto_pwhash_STRBYTES];

static void lib_start(void)
{
	unsigned char pw[16];

	lib_state = -1;
	if (sodium_init() < 0 || oath_init() != OATH_OK)
		return;
	/* The hash verified for unknown names: same algorithm and limits. */
	randombytes_buf(pw, sizeof(pw));
	if (crypto_pwhash_str(dummy_hash, (const char *)pw, sizeof(pw), PW_OPSLIMIT, PW_MEMLIMIT))
		return;
	lib_state = 1;
}

static int lib_init(struct mamori_err *err)
{
	pthread_once(&lib_once, lib_start);
	if (lib_state != 1)
		return mamori_err_set(err, MAMORI_EIO,
				      "暗号ライブラリ (libsodium / liboath) を初期化できません。"
				      "メモリの空きを確認してください");
	return 0;
}

/* ---- roles ------------------------------------------------------------------- */

static const struct {
	const char *name, *label;
} roles[] = {
	[USER_ADMIN] = { "admin", "管理者" },
	[USER_OFFICER] = { "officer", "安全管理責任者" },
	[USER_STAFF] = { "staff", "職員" },
	[USER_AUDITOR] = { "auditor", "監査" },
	[USER_VENDOR] = { "vendor", "事業者" },
};

static int role_valid(enum user_role r)
{
	return (unsigned)r < ARRAY_SIZE(roles);
}

const char *user_role_name(enum user_role r)
{
	return role_valid(r) ? roles[r].name : "?";
}

const char *user_role_label(enum user_role r)
{
	return role_valid(r) ? roles[r].label : "?";
}

int user_role_parse(const char *s, enum user_role *out, struct mamori_err *err)
{
	char *t = norm_text(s);
	struct strbuf all = STRBUF_INIT;
	int r;

	for (size_t i = 0; i < ARRAY_SIZE(roles); i++)
		if (!strcasecmp(t, roles[i].name) || !strcmp(t, roles[i].label)) {
			*out = (enum user_role)i;
			free(t);
			return 0;
		}
	for (size_t i = 0; i < ARRAY_SIZE(roles); i++)
		strbuf_addf(&all, "%s%s (%s)", i ? " / " : "", roles[i].name, roles[i].label);
	r = mamori_err_set(err, MAMORI_EINVAL, "役割「%s」はありません。%s のいずれかを指定してください",
			   t, all.buf);
	strbuf_release(&all);
	free(t);
	return r;
}

static enum user_role role_from_db(const char *s)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(roles); i++)
		if (!strcmp(s, roles[i].name))
			return (enum user_role)i;
	BUG("unknown role in the user table: %s", s ? s : "NULL");
}

/* ---- small helpers ------------------------------------------------------------- */

/* t as RFC 3339 UTC to the second. */
static void fmt_time(time_t t, char out[MAMORI_TIME_LEN])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, MAMORI_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Parses what fmt_time() and mamori_now() write; 0 or -1. */
static int parse_time(const char *s, time_t *out)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	if (!s || !(end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		return -1;
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9'; end++)
			;
	if (strcmp(end, "Z"))
		return -1;
	*out = timegm(&tm);
	return 0;
}

static int name_char(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == '@' || c == '-';
}

static int valid_name(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > USER_NAME_MAX)
		return 0;
	for (; *s; s++)
		if (!name_char((unsigned char)*s))
			return 0;
	return 1;
}

/* Cuts valid UTF-8 s to at most max bytes on a character boundary. */
static void utf8_cut(char *s, size_t max)
{
	size_t n = strlen(s);

	if (n <= max)
		return;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	s[max] = '\0';
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* Outside text (a typed name, an address) made safe for the journal. */
static char *journal_text(const char *s)
{
	char *t = norm_text(s ? s : "");

	utf8_cut(t, JOURNAL_TEXT_MAX);
	return t;
}

static void free_secret(char *s)
{
	if (s) {
		sodium_memzero(s, strlen(s));
		free(s);
	}
}

static char *dup_col(struct store *st, struct store_stmt *s, int col)
{
	const char *v = store_column_text(st, s, col);
	return v ? xstrdup(v) : NULL;
}

/*
 * Runs one statement without result rows.  types gives the bound values in
 * order: 'i' an int64_t, 'v' an int64_t of which 0 binds NULL (a missing
 * reference), 't' a const char * (NULL binds NULL).
 */
static int run(struct store *st, struct mamori_err *err, const char *sql, const char *types, ...)
{
	struct store_stmt *s = NULL;
	va_list ap;
	int r = store_prepare(st, sql, &s, err);

	if (r < 0)
		return r;
	va_start(ap, types);
	for (int i = 0; types[i]; i++) {
		if (types[i] == 'i') {
			store_bind_int(st, s, i + 1, va_arg(ap, int64_t));
		} else if (types[i] == 'v') {
			int64_t v = va_arg(ap, int64_t);
			if (v)
				store_bind_int(st, s, i + 1, v);
			else
				store_bind_null(st, s, i + 1);
		} else
			store_bind_text(st, s, i + 1, va_arg(ap, const char *));
	}
	va_end(ap);
	r = store_step(st, s, err);
	store_finalize(st, s);
	return r < 0 ? r : 0;
}

/* The first column of the first row of sql bound with id, in *out (0: none). */
static int query_id(struct store *st, const char *sql, int64_t id, int64_t *out,
		    struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r = store_prepare(st, sql, &s, err);

	*out = 0;
	if (r < 0)
		return r;
	store_bind_int(st, s, 1, id);
	r = store_step(st, s, err);
	if (r == 1 && !store_column_is_null(st, s, 0))
		*out = store_column_int(st, s, 0);
	store_finalize(st, s);
	return r < 0 ? r : 0;
}

static int journal_user(struct store *st, const char *actor, const char *action, int64_t id,
			json_t *before, json_t *after, struct mamori_err *err)
{
	char idbuf[24];

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	return journal_append(st, actor, action, "user", idbuf, before, after, NULL, err);
}

/* ---- reading users ---------------------------------------------------------------- */

#define USER_COLS                                                                            \
	"id, name, display_name, role, vendor_id, disabled, must_change_password, "          \
	"totp_secret IS NOT NULL, totp_required, failed_logins, locked_until, last_login, " \
	"created_at"
#define AUTH_COLS USER_COLS ", password_hash, totp_secret, totp_last_step"

/* A user with the secrets that only this file sees. */
struct auth {
	struct user u;
	char *hash;
	char *totp_secret;
	int64_t totp_last_step;
};

void user_release(struct user *u)
{
	if (!u)
		return;
	free(u->name);
	free(u->display_name);
	free(u->locked_until);
	free(u->last_login);
	free(u->created_at);
	memset(u, 0, sizeof(*u));
}

static void auth_release(struct auth *a)
{
	user_release(&a->u);
	free_secret(a->hash);
	free_secret(a->totp_secret);
	memset(a, 0, sizeof(*a));
}

static void read_user(struct store *st, struct store_stmt *s, struct user *u)
{
	memset(u, 0, sizeof(*u));
	u->id = store_column_int(st, s, 0);
	u->name = dup_col(st, s, 1);
	u->display_name = dup_col(st, s, 2);
	u->role = role_from_db(store_column_text(st, s, 3));
	u->vendor_id = store_column_is_null(st, s, 4) ? 0 : store_column_int(st, s, 4);
	u->disabled = store_column_int(st, s, 5) != 0;
	u->must_change_password = store_column_int(st, s, 6) != 0;
	u->totp_enabled = store_column_int(st, s, 7) != 0;
	u->totp_required = store_column_int(st, s, 8) != 0;
	u->failed_logins = (int)store_column_int(st, s, 9);
	u->locked_until = dup_col(st, s, 10);
	u->last_login = dup_col(st, s, 11);
	u->created_at = dup_col(st, s, 12);
}

/* Loads the user with id (name NULL) or name; 1 found, 0 none, < 0 error. */
static int auth_load(struct store *st, const char *name, int64_t id, struct auth *a,
		     struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r;

	memset(a, 0, sizeof(*a));
	r = store_prepare(st,
			  name ? "SELECT " AUTH_COLS " FROM user WHERE lower(name) = lower(?) "
				 "ORDER BY id LIMIT 1"
			       : "SELECT " AUTH_COLS " FROM user WHERE id = ?",
			  &s, err);
	if (r < 0)
		return r;
	if (name)
		store_bind_text(st, s, 1, name);
	else
		store_bind_int(st, s, 1, id);
	r = store_step(st, s, err);
	if (r == 1) {
		read_user(st, s, &a->u);
		a->hash = dup_col(st, s, 13);
		a->totp_secret = dup_col(st, s, 14);
		a->totp_last_step = store_column_int(st, s, 15);
	}
	store_finalize(st, s);
	return r;
}

static int not_found_id(int64_t id, struct mamori_err *err)
{
	return mamori_err_set(err, MAMORI_ENOTFOUND, "ユーザー #%lld は登録されていません",
			      (long long)id);
}

int user_get_id(struct store *st, int64_t id, struct user *out, struct mamori_err *err)
{
	struct auth a;
	int r = auth_load(st, NULL, id, &a, err);

	memset(out, 0, sizeof(*out));
	if (r == 1) {
		*out = a.u;
		memset(&a.u, 0, sizeof(a.u));
		r = 0;
	} else if (r == 0) {
		r = not_found_id(id, err);
	}
	auth_release(&a);
	return r;
}

int user_get(struct store *st, const char *key, struct user *out, struct mamori_err *err)
{
	char *k = norm_text(key);
	struct auth a;
	int r;

	memset(out, 0, sizeof(*out));
	if (k[0] == '#') {
		char *end;
		long long v = strtoll(k + 1, &end, 10);
		if (!k[1] || *end || v <= 0)
			r = mamori_err_set(err, MAMORI_ENOTFOUND,
					   "ユーザーの番号「%s」が正しくありません (#1 のように指定します)", k);
		else
			r = user_get_id(st, v, out, err);
		free(k);
		return r;
	}
	memset(&a, 0, sizeof(a));
	r = valid_name(k) ? auth_load(st, k, 0, &a, err) : 0;
	if (r == 1) {
		*out = a.u;
		memset(&a.u, 0, sizeof(a.u));
		r = 0;
	} else if (r == 0) {
		r = mamori_err_set(err, MAMORI_ENOTFOUND, "ユーザー「%s」は登録されていません", k);
	}
	auth_release(&a);
	free(k);
	return r;
}

int user_count(struct store *st, int64_t *n, struct mamori_err *err)
{
	return store_query_int(st, n, err, "SELECT COUNT(*) FROM user", NULL);
}

int user_list(struct store *st, int (*fn)(const struct user *u, void *ctx), void *ctx,
	      struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r = store_prepare(st, "SELECT " USER_COLS " FROM user ORDER BY name, id", &s, err);

	if (r < 0)
		return r;
	while ((r = store_step(st, s, err)) == 1) {
		struct user u;
		read_user(st, s, &u);
		r = fn(&u, ctx);
		user_release(&u);
		if (r < 0)
			break;
	}
	store_finalize(st, s);
	return r < 0 ? r : 0;
}

static void set_str(json_t *o, const char *key, const char *v)
{
	json_t *j = v ? json_string(v) : NULL;
	json_object_set_new(o, key, j ? j : json_null());
}

json_t *user_to_json(const struct user *u)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(u->id));
	set_str(o, "name", u->name);
	set_str(o, "display_name", u->display_name);
	set_str(o, "role", user_role_name(u->role));
	set_str(o, "role_label", user_role_label(u->role));
	json_object_set_new(o, "vendor_id", u->vendor_id ? json_integer(u->vendor_id) : json_null());
	json_object_set_new(o, "disabled", json_boolean(u->disabled));
	json_object_set_new(o, "must_change_password", json_boolean(u->must_change_password));
	json_object_set_new(o, "totp_enabled", json_boolean(u->totp_enabled));
	json_object_set_new(o, "totp_required", json_boolean(u->totp_required));
	json_object_set_new(o, "failed_logins", json_integer(u->failed_logins));
	set_str(o, "locked_until", u->locked_until);
	set_str(o, "last_login", u->last_login);
	set_str(o, "created_at", u->created_at);
	return o;
}

/* The user's JSON for the journal (r == 0), or an error. */
static int user_json_id(struct store *st, int64_t id, json_t **out, struct mamori_err *err)
{
	struct user u;
	int r = user_get_id(st, id, &u, err);

	*out = r == 0 ? user_to_json(&u) : NULL;
	user_release(&u);
	return r;
}

/* After a change to user id: journals before → the user as now, and commits. */
static int commit_change(struct store *st, const char *actor, const char *action, int64_t id,
			 json_t *before, struct mamori_err *err)
{
	json_t *after = NULL;
	int r = user_json_id(st, id, &after, err);

	if (r == 0)
		r = journal_user(st, actor, action, id, before, after, err);
	if (r == 0)
		r = store_commit(st, err);
	json_decref(after);
	return r;
}


/* ---- passwords ------------------------------------------------------------------- */

/*
 * The form of password that is checked and hashed (see the file comment):
 * 0, -1 for a character outside the policy, -2 when longer than
 * USER_PASSWORD_MAX.  out holds USER_PASSWORD_MAX + 1 bytes.
 */
static int pw_canon(const char *in, char *out, size_t *outlen)
{
	const unsigned char *p = (const unsigned char *)in;
	size_t n = 0;

	*outlen = 0;
	out[0] = '\0';
	while (*p) {
		int c;
		if (*p >= 0x20 && *p < 0x7f) {
			c = *p++;
		} else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
			c = ' '; /* U+3000 */
			p += 3;
		} else if (p[0] == 0xEF && (p[1] == 0xBC || p[1] == 0xBD) && (p[2] & 0xC0) == 0x80) {
			unsigned cp = 0xF000u | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
			if (cp < 0xFF01 || cp > 0xFF5E)
				return -1;
			c = (int)(cp - 0xFF01 + 0x21);
			p += 3;
		} else {
			return -1;
		}
		if (n >= USER_PASSWORD_MAX)
			return -2;
		out[n++] = (char)c;
	}
	out[n] = '\0';
	*outlen = n;
	return 0;
}

static const char policy_hint[] =
	"13文字以上にするか、8文字以上で英字・数字・記号をすべて含めてください";

int user_password_check(const char *name, const char *password, struct mamori_err *err)
{
	char pw[USER_PASSWORD_MAX + 1];
	char *nm = NULL;
	size_t n;
	int letter = 0, digit = 0, symbol = 0, r = 0;

	if (!password)
		return mamori_err_set(err, MAMORI_EINVAL, "パスワードを入力してください");
	r = pw_canon(password, pw, &n);
	if (r == -1) {
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "パスワードに使えない文字が含まれています。半角の英字・数字・記号と"
				   "スペースで入力してください (全角の英数字は半角として扱います。"
				   "かな・漢字・改行などは使えません)");
		goto out;
	}
	if (r == -2) {
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "パスワードが長すぎます。%d 文字以内にしてください", USER_PASSWORD_MAX);
		goto out;
	}
	if (n < 8) {
		r = mamori_err_set(err, MAMORI_EINVAL, "パスワードが短すぎます (%zu 文字)。%s", n,
				   policy_hint);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)pw[i];
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
			letter = 1;
		else if (c >= '0' && c <= '9')
			digit = 1;
		else
			symbol = 1;
	}
	if (n < 13 && !(letter && digit && symbol)) {
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "%zu 文字のパスワードには英字・数字・記号をすべて含めてください "
				   "(足りないもの:%s%s%s)。13文字以上なら組み合わせは自由です",
				   n, letter ? "" : " 英字", digit ? "" : " 数字", symbol ? "" : " 記号");
		goto out;
	}
	nm = norm_text(name ? name : "");
	if (*nm && !strcasecmp(pw, nm)) {
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "ユーザー名と同じパスワードは使えません。別のパスワードにしてください");
		goto out;
	}
	/* Names of one or two characters would forbid too much by accident. */
	if (strlen(nm) >= 3 && strcasestr(pw, nm)) {
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "ユーザー名「%s」を含むパスワードは使えません。別のパスワードにしてください",
				   nm);
		goto out;
	}
	r = 0;
out:
	free(nm);
	sodium_memzero(pw, sizeof(pw));
	return r;
}

/* Hashes the canonical form of an accepted password into out. */
static int pw_hash(const char *password, char out[crypto_pwhash_STRBYTES],
		   struct mamori_err *err)
{
	char pw[USER_PASSWORD_MAX + 1];
	size_t n;
	int r = 0;

	if (pw_canon(password, pw, &n) < 0)
		BUG("hashing a password that the policy refuses");
	if (crypto_pwhash_str(out, pw, n, PW_OPSLIMIT, PW_MEMLIMIT))
		r = mamori_err_set(err, MAMORI_EIO,
				   "パスワードを処理するためのメモリ (%zu MiB) を確保できません",
				   (size_t)(PW_MEMLIMIT >> 20));
	sodium_memzero(pw, sizeof(pw));
	return r;
}

/* 1 when password (any form) matches hash; always one verification. */
static int pw_verify(const char *hash, const char *password)
{
	char pw[USER_PASSWORD_MAX + 1];
	size_t n = 0;
	int ok = pw_canon(password ? password : "", pw, &n) == 0;

	/* An impossible password is still verified, for the time it takes. */
	if (crypto_pwhash_str_verify(hash, ok ? pw : "", ok ? n : 0))
		ok = 0;
	sodium_memzero(pw, sizeof(pw));
	return ok;
}

/* A one-time password for name that the policy accepts. */
static void pw_generate(const char *name, char out[OTP_LEN + 1])
{
	do {
		for (int i = 0; i < OTP_LEN; i++)
			out[i] = otp_alphabet[randombytes_uniform(sizeof(otp_alphabet) - 1)];
		out[OTP_LEN] = '\0';
	} while (user_password_check(name, out, NULL) < 0);
}

int user_generate_password(const char *name, char **out, struct mamori_err *err)
{
	char buf[OTP_LEN + 1];
	int r = lib_init(err);

	*out = NULL;
	if (r < 0)
		return r;
	pw_generate(name, buf);
	*out = xstrdup(buf);
	sodium_memzero(buf, sizeof(buf));
	return 0;
}

int user_password_verify(struct store *st, int64_t id, const char *password,
			 struct mamori_err *err)
{
	struct auth a;
	int r = lib_init(err);

	if (r < 0)
		return r;
	r = auth_load(st, NULL, id, &a, err);
	if (r == 0)
		r = not_found_id(id, err);
	else if (r == 1)
		r = pw_verify(a.hash, password)
			    ? 0
			    : mamori_err_set(err, MAMORI_EINVAL, "パスワードが正しくありません");
	auth_release(&a);
	return r;
}

/* 1 when password is the current one or in the history of id. */
static int pw_in_history(struct store *st, int64_t id, const char *password, int *found,
			 struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r;

	*found = 0;
	r = store_prepare(st,
			  "SELECT password_hash FROM user WHERE id = ? UNION "
			  "SELECT h.password_hash FROM (SELECT password_hash FROM user_password_history "
			  "WHERE user_id = ? ORDER BY id DESC LIMIT ?) AS h",
			  &s, err);
	if (r < 0)
		return r;
	store_bind_int(st, s, 1, id);
	store_bind_int(st, s, 2, id);
	store_bind_int(st, s, 3, USER_PASSWORD_HISTORY);
	while (!*found && (r = store_step(st, s, err)) == 1) {
		const char *h = store_column_text(st, s, 0);
		if (h && pw_verify(h, password))
			*found = 1;
	}
	store_finalize(st, s);
	return r < 0 ? r : 0;
}

/* Adds hash to the history of id and keeps the newest USER_PASSWORD_HISTORY. */
static int history_add(struct store *st, int64_t id, const char *hash, const char *now,
		       struct mamori_err *err)
{
	int r = run(st, err,
		    "INSERT INTO user_password_history (user_id, password_hash, created_at) "
		    "VALUES (?, ?, ?)",
		    "itt", id, hash, now);
	if (r == 0)
		r = run(st, err,
			"DELETE FROM user_password_history WHERE user_id = ? AND id NOT IN "
			"(SELECT id FROM user_password_history WHERE user_id = ? "
			"ORDER BY id DESC LIMIT ?)",
			"iii", id, id, (int64_t)USER_PASSWORD_HISTORY);
	return r;
}

/* ---- adding and changing users --------------------------------------------------- */

static int check_name(const char *name, struct mamori_err *err)
{
	if (valid_name(name))
		return 0;
	return mamori_err_set(err, MAMORI_EINVAL,
			      "ユーザー名「%s」は使えません。半角の英字・数字と . _ @ - で、"
			      "1〜%d 文字にしてください",
			      name, USER_NAME_MAX);
}

/* display_name normalised into *out (NULL when blank). */
static int check_display_name(const char *in, char **out, struct mamori_err *err)
{
	char *t = norm_text(in);

	*out = NULL;
	if (!*t) {
		free(t);
		return 0;
	}
	if (utf8_chars(t) > DISPLAY_NAME_MAX) {
		free(t);
		return mamori_err_set(err, MAMORI_EINVAL, "表示名が長すぎます。%d 文字以内にしてください",
				      DISPLAY_NAME_MAX);
	}
	*out = t;
	return 0;
}

/* Role and vendor_id agree, and the vendor exists. */
static int check_role(struct store *st, enum user_role role, int64_t vendor_id,
		      struct mamori_err *err)
{
	int64_t found = 0;
	int r;

	if (!role_valid(role))
		return mamori_err_set(err, MAMORI_EINVAL, "役割の値 %d は正しくありません", (int)role);
	if (role != USER_VENDOR) {
		if (vendor_id)
			return mamori_err_set(err, MAMORI_EINVAL,
					      "事業者を指定できるのは役割が「事業者」(vendor) のユーザーだけです");
		return 0;
	}
	if (vendor_id <= 0)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "役割が「事業者」(vendor) のユーザーには、所属する事業者を指定してください");
	r = query_id(st, "SELECT id FROM vendor WHERE id = ?", vendor_id, &found, err);
	if (r == 0 && !found)
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "事業者 #%lld は登録されていません。先に事業者を登録してください",
				   (long long)vendor_id);
	return r;
}

static int name_taken(struct store *st, const char *name, struct mamori_err *err)
{
	int64_t id = 0;
	int r = store_query_int(st, &id, err, "SELECT id FROM user WHERE lower(name) = lower(?)",
				name, NULL);

	if (r == 0 && id)
		r = mamori_err_set(err, MAMORI_ECONFLICT,
				   "ユーザー名「%s」は既に使われています (大文字・小文字は区別しません)。"
				   "別の名前にしてください",
				   name);
	return r;
}

int user_add(struct store *st, const char *actor, const char *name, const char *display_name,
	     enum user_role role, int64_t vendor_id, const char *password, char **generated,
	     int64_t *id, struct mamori_err *err)
{
	char hash[crypto_pwhash_STRBYTES], otp[OTP_LEN + 1], now[MAMORI_TIME_LEN];
	char *nm = norm_text(name), *disp = NULL;
	const char *pw = password;
	struct store_stmt *s = NULL;
	json_t *after = NULL;
	int64_t new_id = 0;
	int r;

	if (generated)
		*generated = NULL;
	if (id)
		*id = 0;
	if (!password && !generated)
		BUG("user_add without a password needs somewhere to put the generated one");
	r = lib_init(err);
	if (r == 0)
		r = check_name(nm, err);
	if (r == 0)
		r = check_display_name(display_name, &disp, err);
	if (r == 0)
		r = check_role(st, role, vendor_id, err);
	if (r == 0)
		r = name_taken(st, nm, err);
	if (r < 0)
		goto out;
	if (!pw) {
		pw_generate(nm, otp);
		pw = otp;
	} else if ((r = user_password_check(nm, pw, err)) < 0) {
		goto out;
	}
	r = pw_hash(pw, hash, err);
	if (r < 0)
		goto out;

	mamori_now(now);
	r = store_begin(st, err);
	if (r < 0)
		goto out;
	r = name_taken(st, nm, err);
	if (r < 0)
		goto out;
	r = store_prepare(st,
			  "INSERT INTO user (name, display_name, role, vendor_id, password_hash, "
			  "must_change_password, totp_required, created_at, updated_at) "
			  "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  &s, err);
	if (r < 0)
		goto out;
	store_bind_text(st, s, 1, nm);
	store_bind_text(st, s, 2, disp);
	store_bind_text(st, s, 3, user_role_name(role));
	if (vendor_id)
		store_bind_int(st, s, 4, vendor_id);
	else
		store_bind_null(st, s, 4);
	store_bind_text(st, s, 5, hash);
	store_bind_int(st, s, 6, password ? 0 : 1);
	store_bind_int(st, s, 7, role == USER_ADMIN || role == USER_OFFICER);
	store_bind_text(st, s, 8, now);
	store_bind_text(st, s, 9, now);
	r = store_step(st, s, err);
	if (r == 1)
		new_id = store_column_int(st, s, 0);
	store_finalize(st, s);
	if (r < 0)
		goto out;
	r = history_add(st, new_id, hash, now, err);
	if (r == 0)
		r = user_json_id(st, new_id, &after, err);
	if (r == 0)
		r = journal_user(st, actor, "user.add", new_id, NULL, after, err);
	if (r == 0)
		r = store_commit(st, err);
	if (r == 0) {
		if (id)
			*id = new_id;
		if (!password)
			*generated = xstrdup(otp);
	}
out:
	store_rollback(st);
	sodium_memzero(otp, sizeof(otp));
	sodium_memzero(hash, sizeof(hash));
	json_decref(after);
	free(nm);
	free(disp);
	return r;
}

/* MAMORI_ECONFLICT when u is the last enabled administrator. */
static int keep_an_admin(struct store *st, const struct user *u, const char *what,
			 struct mamori_err *err)
{
	int64_t n = 0;
	int r;

	if (u->role != USER_ADMIN || u->disabled)
		return 0;
	r = store_query_int(st, &n, err,
			    "SELECT COUNT(*) FROM user WHERE role = 'admin' AND disabled = 0", NULL);
	if (r == 0 && n <= 1)
		r = mamori_err_set(err, MAMORI_ECONFLICT,
				   "「%s」は有効な最後の管理者なので%sできません。"
				   "先に別の管理者を登録してください",
				   u->name, what);
	return r;
}

int user_set_password(struct store *st, const char *actor, int64_t id, const char *password,
		      int set_must_change, struct mamori_err *err)
{
	char hash[crypto_pwhash_STRBYTES], now[MAMORI_TIME_LEN];
	json_t *before = NULL;
	struct user u = { 0 };
	int r, used = 0;

	r = lib_init(err);
	if (r == 0)
		r = user_get_id(st, id, &u, err);
	if (r == 0)
		r = user_password_check(u.name, password, err);
	if (r == 0)
		r = pw_in_history(st, id, password, &used, err);
	if (r == 0 && used)
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "このパスワードは最近 %d 回のうちに使われています。"
				   "使ったことのないパスワードにしてください",
				   USER_PASSWORD_HISTORY);
	if (r == 0)
		r = pw_hash(password, hash, err);
	if (r < 0)
		goto out;
	mamori_now(now);
	r = store_begin(st, err);
	if (r == 0)
		r = user_json_id(st, id, &before, err);
	/* A new password also lifts a lock-out. */
	if (r == 0)
		r = run(st, err,
			"UPDATE user SET password_hash = ?, must_change_password = ?, "
			"failed_logins = 0, locked_until = NULL, updated_at = ? WHERE id = ?",
			"titi", hash, (int64_t)!!set_must_change, now, id);
	if (r == 0)
		r = history_add(st, id, hash, now, err);
	/* Someone else set it: whoever was signed in with the old one is out. */
	if (r == 0 && set_must_change)
		r = run(st, err, "DELETE FROM session WHERE user_id = ?", "i", id);
	if (r == 0)
		r = commit_change(st, actor, "user.passwd", id, before, err);
out:
	store_rollback(st);
	sodium_memzero(hash, sizeof(hash));
	json_decref(before);
	user_release(&u);
	return r;
}

int user_set_disabled(struct store *st, const char *actor, int64_t id, int disabled,
		      struct mamori_err *err)
{
	json_t *before = NULL;
	char now[MAMORI_TIME_LEN];
	struct user u = { 0 };
	int r;

	disabled = !!disabled;
	mamori_now(now);
	r = store_begin(st, err);
	if (r == 0)
		r = user_get_id(st, id, &u, err);
	if (r < 0)
		goto out;
	/* Enabling also lifts a lock-out: it is how an administrator unlocks. */
	if (u.disabled == disabled && (disabled || (!u.failed_logins && !u.locked_until)))
		goto out; /* nothing to change, nothing to journal */
	if (disabled)
		r = keep_an_admin(st, &u, "無効に", err);
	if (r == 0)
		before = user_to_json(&u);
	if (r == 0)
		r = disabled ? run(st, err, "UPDATE user SET disabled = 1, updated_at = ? WHERE id = ?",
				   "ti", now, id)
			     : run(st, err,
				   "UPDATE user SET disabled = 0, failed_logins = 0, locked_until = NULL, "
				   "updated_at = ? WHERE id = ?",
				   "ti", now, id);
	if (r == 0 && disabled)
		r = run(st, err, "DELETE FROM session WHERE user_id = ?", "i", id);
	if (r == 0)
		r = commit_change(st, actor, disabled ? "user.disable" : "user.enable", id, before, err);
out:
	store_rollback(st);
	json_decref(before);
	user_release(&u);
	return r;
}

int user_update(struct store *st, const char *actor, int64_t id, const char *display_name,
		enum user_role role, int64_t vendor_id, int totp_required, struct mamori_err *err)
{
	json_t *before = NULL, *after = NULL;
	char now[MAMORI_TIME_LEN];
	struct user u = { 0 };
	char *disp = NULL;
	int r;

	mamori_now(now);
	r = store_begin(st, err);
	if (r == 0)
		r = user_get_id(st, id, &u, err);
	if (r == 0 && display_name)
		r = check_display_name(display_name, &disp, err);
	if (r == 0)
		r = check_role(st, role, vendor_id, err);
	if (r == 0 && role != USER_ADMIN)
		r = keep_an_admin(st, &u, "管理者以外の役割に", err);
	if (r < 0)
		goto out;
	before = user_to_json(&u);
	r = run(st, err,
		"UPDATE user SET display_name = ?, role = ?, vendor_id = ?, totp_required = ?, "
		"updated_at = ? WHERE id = ?",
		"ttviti", display_name ? disp : u.display_name, user_role_name(role), vendor_id,
		(int64_t)(totp_required < 0 ? u.totp_required : !!totp_required), now, id);
	if (r == 0)
		r = user_json_id(st, id, &after, err);
	if (r < 0)
		goto out;
	if (json_equal(before, after))
		goto out; /* rolled back: no change, no journal entry */
	r = journal_user(st, actor, "user.edit", id, before, after, err);
	if (r == 0)
		r = store_commit(st, err);
out:
	store_rollback(st);
	json_decref(before);
	json_decref(after);
	user_release(&u);
	free(disp);
	return r;
}

/* ---- TOTP -------------------------------------------------------------------------- */

/* The digits of a typed code ("123 456", full-width digits too); 0 or -1. */
static int code_canon(const char *in, char out[7])
{
	const unsigned char *p = (const unsigned char *)(in ? in : "");
	int n = 0;

	while (*p) {
		int d;
		if (*p >= '0' && *p <= '9') {
			d = *p++ - '0';
		} else if (p[0] == 0xEF && p[1] == 0xBC && p[2] >= 0x90 && p[2] <= 0x99) {
			d = p[2] - 0x90; /* U+FF10..U+FF19 */
			p += 3;
		} else if (*p == ' ' || *p == '-') {
			p++;
			continue;
		} else if (p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
			p += 3;
			continue;
		} else {
			return -1;
		}
		if (n >= 6)
			return -1;
		out[n++] = (char)('0' + d);
	}
	out[n] = '\0';
	return n == 6 ? 0 : -1;
}

/* 1 when code is right for secret (base32) at now ± one step; *step is its step. */
static int totp_match(const char *secret, const char *code, time_t now, uint64_t *step)
{
	char digits[7], *bin = NULL;
	size_t binlen = 0;
	int pos = 0, rc;

	*step = 0;
	if (!secret || code_canon(code, digits) < 0)
		return 0;
	if (oath_base32_decode(secret, strlen(secret), &bin, &binlen) != OATH_OK)
		return 0;
	rc = oath_totp_validate4(bin, binlen, now, TOTP_STEP, OATH_TOTP_DEFAULT_START_TIME,
				 TOTP_WINDOW, &pos, step, 0, digits);
	sodium_memzero(bin, binlen);
	free(bin);
	return rc >= 0;
}

/* RFC 3986 percent-encoding of everything but the unreserved characters. */
static void add_pct(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '.' || *p == '_' || *p == '~') {
			strbuf_addch(sb, *p);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[*p >> 4]);
			strbuf_addch(sb, hex[*p & 15]);
		}
	}
}

int user_totp_begin(struct store *st, int64_t id, const char *issuer, char *secret_out,
		    char **uri_out, struct mamori_err *err)
{
	unsigned char raw[TOTP_SECRET_BYTES];
	char *b32 = NULL, *iss = NULL, now[MAMORI_TIME_LEN];
	struct strbuf uri = STRBUF_INIT;
	struct user u = { 0 };
	size_t n = 0;
	int r;

	secret_out[0] = '\0';
	*uri_out = NULL;
	r = lib_init(err);
	if (r == 0)
		r = user_get_id(st, id, &u, err);
	if (r < 0)
		goto out;
	randombytes_buf(raw, sizeof(raw));
	if (oath_base32_encode((const char *)raw, sizeof(raw), &b32, &n) != OATH_OK ||
	    n != USER_TOTP_SECRET_LEN) {
		r = mamori_err_set(err, MAMORI_EIO, "二要素認証の秘密鍵を作れません");
		goto out;
	}
	mamori_now(now);
	r = run(st, err, "UPDATE user SET totp_pending = ?, updated_at = ? WHERE id = ?", "tti", b32,
		now, id);
	if (r < 0)
		goto out;
	iss = norm_text(issuer && *issuer ? issuer : "mamori");
	if (!*iss) {
		free(iss);
		iss = xstrdup("mamori");
	}
	strbuf_addstr(&uri, "otpauth://totp/");
	add_pct(&uri, iss);
	strbuf_addch(&uri, ':');
	add_pct(&uri, u.name);
	strbuf_addf(&uri, "?secret=%s&issuer=", b32);
	add_pct(&uri, iss);
	strbuf_addf(&uri, "&algorithm=SHA1&digits=6&period=%d", TOTP_STEP);
	memcpy(secret_out, b32, USER_TOTP_SECRET_LEN + 1);
	*uri_out = strbuf_detach(&uri, NULL);
out:
	sodium_memzero(raw, sizeof(raw));
	free_secret(b32);
	free(iss);
	user_release(&u);
	return r;
}

/* The pending secret of id (base32) in *out, or NULL; caller frees. */
static int load_pending(struct store *st, int64_t id, char **out, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r = store_prepare(st, "SELECT totp_pending FROM user WHERE id = ?", &s, err);

	*out = NULL;
	if (r < 0)
		return r;
	store_bind_int(st, s, 1, id);
	r = store_step(st, s, err);
	if (r == 1)
		*out = dup_col(st, s, 0);
	store_finalize(st, s);
	return r < 0 ? r : 0;
}

int user_totp_confirm(struct store *st, const char *actor, int64_t id, const char *code,
		      struct mamori_err *err)
{
	json_t *before = NULL;
	char now[MAMORI_TIME_LEN], *pending = NULL;
	struct user u = { 0 };
	uint64_t step = 0;
	int r;

	r = lib_init(err);
	if (r < 0)
		return r;
	r = store_begin(st, err);
	if (r == 0)
		r = user_get_id(st, id, &u, err);
	if (r == 0)
		r = load_pending(st, id, &pending, err);
	if (r < 0)
		goto out;
	if (!pending) {
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "二要素認証の登録が始まっていません。QR コードの表示からやり直してください");
		goto out;
	}
	if (!totp_match(pending, code, time(NULL), &step)) {
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "確認コードが違います。認証アプリに表示されている 6 桁の数字を入力してください "
				   "(スマートフォンの時刻が合っているかも確認してください)");
		goto out;
	}
	mamori_now(now);
	before = user_to_json(&u);
	r = run(st, err,
		"UPDATE user SET totp_secret = totp_pending, totp_pending = NULL, totp_last_step = ?, "
		"updated_at = ? WHERE id = ?",
		"iti", (int64_t)step, now, id);
	if (r == 0)
		r = commit_change(st, actor, "user.totp_enrol", id, before, err);
out:
	store_rollback(st);
	json_decref(before);
	free_secret(pending);
	user_release(&u);
	return r;
}

int user_totp_reset(struct store *st, const char *actor, int64_t id, struct mamori_err *err)
{
	json_t *before = NULL;
	char now[MAMORI_TIME_LEN];
	int64_t pending = 0;
	struct user u = { 0 };
	int r;

	mamori_now(now);
	r = store_begin(st, err);
	if (r == 0)
		r = user_get_id(st, id, &u, err);
	if (r == 0)
		r = query_id(st, "SELECT totp_pending IS NOT NULL FROM user WHERE id = ?", id,
			     &pending, err);
	if (r < 0 || (!u.totp_enabled && !pending))
		goto out; /* nothing enrolled: nothing to do */
	before = user_to_json(&u);
	r = run(st, err,
		"UPDATE user SET totp_secret = NULL, totp_pending = NULL, totp_last_step = 0, "
		"updated_at = ? WHERE id = ?",
		"ti", now, id);
	if (r == 0)
		r = commit_change(st, actor, "user.totp_reset", id, before, err);
out:
	store_rollback(st);
	json_decref(before);
	user_release(&u);
	return r;
}

/* ---- sign-in ------------------------------------------------------------------------- */

static int lock_seconds(int failed)
{
	int over = failed - USER_LOCK_AFTER, secs = LOCK_FIRST;

	for (int i = 0; i < over && secs < LOCK_MAX; i++)
		secs *= 2;
	return secs < LOCK_MAX ? secs : LOCK_MAX;
}

/* Appends a login.* entry: who (typed), from where, why. */
static int journal_login(struct store *st, const char *action, const struct auth *a,
			 const char *typed, const char *remote, const char *reason, json_t *extra,
			 struct mamori_err *err)
{
	char *name = journal_text(typed), *addr = journal_text(remote);
	json_t *o = json_object();
	int r;

	set_str(o, "name", a ? a->u.name : name);
	set_str(o, "remote", remote ? addr : NULL);
	if (reason)
		set_str(o, "reason", reason);
	if (extra)
		json_object_update(o, extra);
	if (a)
		r = journal_user(st, a->u.name, action, a->u.id, NULL, o, err);
	else
		r = journal_append(st, UNKNOWN_ACTOR, action, "user", NULL, NULL, o, NULL, err);
	json_decref(o);
	free(name);
	free(addr);
	return r;
}

int user_login(struct store *st, const char *name, const char *password, const char *code,
	       const char *remote, time_t now, enum user_login_result *result, int *retry_after,
	       struct user *u, struct mamori_err *err)
{
	char *key = norm_text(name ? name : "");
	char when[MAMORI_TIME_LEN];
	struct auth pre = { 0 }, a = { 0 };
	int found = 0, verified = 0, r = 0, wait = 0;
	enum user_login_result res = USER_LOGIN_BAD;
	const char *reason = NULL, *action = "login.fail";
	json_t *extra = NULL;
	uint64_t step = 0;
	time_t until;

	*result = USER_LOGIN_BAD;
	if (retry_after)
		*retry_after = 0;
	if (u)
		memset(u, 0, sizeof(*u));
	r = lib_init(err);
	if (r < 0)
		goto out;
	if (valid_name(key)) {
		r = auth_load(st, key, 0, &pre, err);
		if (r < 0)
			goto out;
		found = r == 1;
	}
	/* Exactly one argon2id verification, whoever asks. */
	verified = pw_verify(found ? pre.hash : dummy_hash, password) && found;

	r = store_begin(st, err);
	if (r < 0)
		goto out;
	if (found) {
		/* Decide on the row as it is now, not as it was before the wait. */
		r = auth_load(st, NULL, pre.u.id, &a, err);
		if (r < 0)
			goto out;
		found = r == 1;
		r = 0;
		if (found && strcmp(a.hash, pre.hash))
			verified = 0; /* the password changed meanwhile */
	}
	fmt_time(now, when);
	if (!found) {
		reason = "unknown_user";
		r = journal_login(st, action, NULL, key, remote, reason, NULL, err);
		goto commit;
	}
	if (a.u.disabled) {
		res = verified ? USER_LOGIN_DISABLED : USER_LOGIN_BAD;
		reason = verified ? "disabled" : "bad_password";
		r = journal_login(st, action, &a, key, remote, reason, NULL, err);
		goto commit;
	}
	if (a.u.locked_until && parse_time(a.u.locked_until, &until) == 0 && until > now) {
		res = USER_LOGIN_LOCKED;
		wait = (int)(until - now);
		extra = json_pack("{s:i}", "retry_after", wait);
		r = journal_login(st, "login.locked", &a, key, remote, NULL, extra, err);
		goto commit;
	}
	if (!verified) {
		reason = "bad_password";
	} else if (a.totp_secret) {
		char digits[7];
		if (!code || !*code || code_canon(code, digits) < 0) {
			if (!code || !*code) {
				/* The password was right; ask for the code, count nothing. */
				res = USER_LOGIN_TOTP_NEEDED;
				store_rollback(st);
				goto out;
			}
			reason = "bad_code";
		} else if (!totp_match(a.totp_secret, digits, now, &step)) {
			reason = "bad_code";
		} else if ((int64_t)step <= a.totp_last_step) {
			reason = "replayed_code";
		}
	}
	if (reason) {
		int failed = a.u.failed_logins + 1;
		char lock[MAMORI_TIME_LEN] = "";
		if (failed >= USER_LOCK_AFTER) {
			wait = lock_seconds(failed);
			fmt_time(now + wait, lock);
		}
		r = run(st, err, "UPDATE user SET failed_logins = ?, locked_until = ? WHERE id = ?",
			"iti", (int64_t)failed, *lock ? lock : NULL, a.u.id);
		if (r < 0)
			goto out;
		extra = *lock ? json_pack("{s:i, s:s, s:i}", "failed_logins", failed, "locked_until",
					  lock, "retry_after", wait)
			      : json_pack("{s:i}", "failed_logins", failed);
		r = journal_login(st, action, &a, key, remote, reason, extra, err);
		goto commit;
	}
	res = USER_LOGIN_OK;
	action = "login.ok";
	r = run(st, err,
		"UPDATE user SET failed_logins = 0, locked_until = NULL, last_login = ?, "
		"totp_last_step = ? WHERE id = ?",
		"tii", when, a.totp_secret ? (int64_t)step : a.totp_last_step, a.u.id);
	if (r == 0) {
		extra = json_pack("{s:b}", "totp", a.totp_secret != NULL);
		r = journal_login(st, action, &a, key, remote, NULL, extra, err);
	}
	if (r == 0 && u)
		r = user_get_id(st, a.u.id, u, err);
commit:
	if (r == 0)
		r = store_commit(st, err);
out:
	store_rollback(st);
	if (r == 0) {
		*result = res;
		if (retry_after && res == USER_LOGIN_LOCKED)
			*retry_after = wait;
	}
	if (u && (r < 0 || res != USER_LOGIN_OK))
		user_release(u);
	json_decref(extra);
	auth_release(&pre);
	auth_release(&a);
	free(key);
	return r;
}

/* ---- sessions ---------------------------------------------------------------------------- */

static void random_token(char out[USER_TOKEN_LEN + 1])
{
	unsigned char raw[32];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(out, USER_TOKEN_LEN + 1, raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
}

static int token_valid(const char *t)
{
	size_t n = 0;

	if (!t)
		return 0;
	for (; t[n]; n++) {
		unsigned char c = (unsigned char)t[n];
		if (n >= USER_TOKEN_LEN || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
					     (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return n == USER_TOKEN_LEN;
}

/* Hex SHA-256 of the token: what the session table keeps. */
static void token_hash(const char *token, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(token, strlen(token), md, &n, EVP_sha256(), NULL) || n != 32)
		BUG("SHA-256 failed");
	for (unsigned int i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
}

void user_session_release(struct user_session *s)
{
	if (!s)
		return;
	free(s->created_at);
	free(s->last_seen);
	sodium_memzero(s, sizeof(*s));
}

static int session_expired(int64_t created, int64_t last_seen, time_t now)
{
	return now - last_seen >= USER_SESSION_IDLE || now - created >= USER_SESSION_MAX;
}

int user_session_create(struct store *st, int64_t user_id, const char *remote, time_t now,
			struct user_session *s, struct mamori_err *err)
{
	char hash[65], when[MAMORI_TIME_LEN];
	struct store_stmt *q = NULL;
	struct user u = { 0 };
	char *addr = NULL;
	int r;

	memset(s, 0, sizeof(*s));
	r = lib_init(err);
	if (r == 0)
		r = user_get_id(st, user_id, &u, err);
	if (r == 0 && u.disabled)
		r = mamori_err_set(err, MAMORI_EINVAL, "ユーザー「%s」は無効にされています。管理者に連絡してください",
				   u.name);
	if (r < 0)
		goto out;
	random_token(s->token);
	random_token(s->csrf);
	token_hash(s->token, hash);
	if (remote)
		addr = journal_text(remote);
	r = store_begin(st, err);
	if (r == 0)
		r = run(st, err, "DELETE FROM session WHERE last_seen <= ? OR created_at <= ?", "ii",
			(int64_t)now - USER_SESSION_IDLE, (int64_t)now - USER_SESSION_MAX);
	if (r == 0)
		r = store_prepare(st,
				  "INSERT INTO session (user_id, token_hash, csrf, remote, created_at, "
				  "last_seen) VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
				  &q, err);
	if (r < 0)
		goto out;
	store_bind_int(st, q, 1, user_id);
	store_bind_text(st, q, 2, hash);
	store_bind_text(st, q, 3, s->csrf);
	store_bind_text(st, q, 4, addr);
	store_bind_int(st, q, 5, now);
	store_bind_int(st, q, 6, now);
	r = store_step(st, q, err);
	if (r == 1)
		s->id = store_column_int(st, q, 0);
	store_finalize(st, q);
	if (r < 0)
		goto out;
	r = store_commit(st, err);
	if (r < 0)
		goto out;
	s->user_id = user_id;
	fmt_time(now, when);
	s->created_at = xstrdup(when);
	s->last_seen = xstrdup(when);
out:
	store_rollback(st);
	if (r < 0)
		user_session_release(s);
	user_release(&u);
	free(addr);
	return r;
}

static int no_session(struct mamori_err *err)
{
	return mamori_err_set(err, MAMORI_ENOTFOUND,
			      "セッションが見つからないか、有効期限が切れました。もう一度サインインしてください");
}

int user_session_check(struct store *st, const char *token, time_t now, struct user_session *s,
		       struct user *u, struct mamori_err *err)
{
	char hash[65], when[MAMORI_TIME_LEN];
	struct store_stmt *q = NULL;
	int64_t created = 0, seen = 0;
	int r, disabled = 0;

	memset(s, 0, sizeof(*s));
	memset(u, 0, sizeof(*u));
	if (!token_valid(token))
		return no_session(err);
	token_hash(token, hash);
	r = store_prepare(st,
			  "SELECT s.id, s.user_id, s.csrf, s.created_at, s.last_seen, u.disabled "
			  "FROM session s JOIN user u ON u.id = s.user_id WHERE s.token_hash = ?",
			  &q, err);
	if (r < 0)
		return r;
	store_bind_text(st, q, 1, hash);
	r = store_step(st, q, err);
	if (r == 1) {
		const char *csrf = store_column_text(st, q, 2);
		s->id = store_column_int(st, q, 0);
		s->user_id = store_column_int(st, q, 1);
		snprintf(s->csrf, sizeof(s->csrf), "%s", csrf ? csrf : "");
		created = store_column_int(st, q, 3);
		seen = store_column_int(st, q, 4);
		disabled = store_column_int(st, q, 5) != 0;
	}
	store_finalize(st, q);
	if (r < 0)
		goto fail;
	if (r == 0 || disabled) {
		r = no_session(err);
		goto fail;
	}
	if (session_expired(created, seen, now)) {
		run(st, NULL, "DELETE FROM session WHERE id = ?", "i", s->id);
		r = no_session(err);
		goto fail;
	}
	if (now - seen >= SESSION_TOUCH) {
		r = run(st, err, "UPDATE session SET last_seen = ? WHERE id = ?", "ii", (int64_t)now,
			s->id);
		if (r < 0)
			goto fail;
		seen = now;
	}
	r = user_get_id(st, s->user_id, u, err);
	if (r < 0)
		goto fail;
	fmt_time(created, when);
	s->created_at = xstrdup(when);
	fmt_time(seen, when);
	s->last_seen = xstrdup(when);
	return 0;
fail:
	user_session_release(s);
	user_release(u);
	return r;
}

int user_session_end(struct store *st, const char *actor, const char *token,
		     struct mamori_err *err)
{
	struct store_stmt *q = NULL;
	int64_t sid = 0, uid = 0;
	json_t *after = NULL;
	char hash[65];
	int r;

	if (!token_valid(token))
		return no_session(err);
	token_hash(token, hash);
	r = store_begin(st, err);
	if (r == 0)
		r = store_prepare(st, "SELECT id, user_id FROM session WHERE token_hash = ?", &q, err);
	if (r < 0)
		goto out;
	store_bind_text(st, q, 1, hash);
	r = store_step(st, q, err);
	if (r == 1) {
		sid = store_column_int(st, q, 0);
		uid = store_column_int(st, q, 1);
	}
	store_finalize(st, q);
	if (r == 0)
		r = no_session(err);
	if (r < 0)
		goto out;
	r = run(st, err, "DELETE FROM session WHERE id = ?", "i", sid);
	if (r == 0) {
		after = json_pack("{s:I}", "session", (json_int_t)sid);
		r = journal_user(st, actor, "logout", uid, NULL, after, err);
	}
	if (r == 0)
		r = store_commit(st, err);
out:
	store_rollback(st);
	json_decref(after);
	return r;
}

int user_token_equal(const char *a, const char *b)
{
	size_t la, lb;

	if (!a || !b)
		return 0;
	la = strlen(a);
	lb = strlen(b);
	if (la != lb || la == 0)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}
