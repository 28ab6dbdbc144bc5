/*
 * http.c - libmicrohttpd glue, routing, authentication and responses
 * (see http.h).
 *
 * Request life cycle (libmicrohttpd calls on_request several times):
 *   1st call      allocate struct http_request, record the start time
 *   upload calls  append to the body up to the route's limit; beyond it the
 *                 data is consumed and dropped and the request marked too large
 *   last call     route → 404/405; too large → 413; authenticate (cookie
 *                 session, timeouts) → 401; restricted session → 403; role →
 *                 403; CSRF (X-CSRF-Token) on state-changing routes → 403;
 *                 then the handler, which queues exactly one response
 *   completed     request log line, free everything
 */
#include "common.h"
#include "http.h"
#include "cache.h"
#include "journal.h"
#include "store.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>

static const char *db_path;
static int log_requests;
static pthread_key_t store_key;

static void close_store(void *p)
{
	store_close(p);
}

struct store *http_store(struct http_request *req)
{
	struct store *st = pthread_getspecific(store_key);
	struct mamori_err err = { 0 };

	if (st)
		return st;
	if (store_open(&st, "sqlite", db_path, 0, &err) < 0) {
		fprintf(stderr, "mamori serve: %s\n", err.msg);
		http_error(req, 500, "store", "データベースを開けません");
		return NULL;
	}
	pthread_setspecific(store_key, st);
	return st;
}

const char *http_db_path(void)
{
	return db_path;
}

/* ---- responses -------------------------------------------------------- */

static void add_common_headers(struct http_request *req, struct MHD_Response *r)
{
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	MHD_add_response_header(r, "X-Frame-Options", "DENY");
	MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(r, "Content-Security-Policy",
				"default-src 'self'; img-src 'self' data:; style-src 'self'; "
				"script-src 'self'; object-src 'none'; base-uri 'none'; "
				"frame-ancestors 'none'; form-action 'self'");
	MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
	for (int i = 0; i < req->nextra; i++)
		MHD_add_response_header(r, req->extra[i].name, req->extra[i].value);
}

static void queue(struct http_request *req, int status, struct MHD_Response *r)
{
	if (req->responded)
		BUG("second response for %s %s", req->method, req->path);
	req->responded = 1;
	req->status = status;
	add_common_headers(req, r);
	MHD_queue_response(req->conn, (unsigned)status, r);
	MHD_destroy_response(r);
}

void http_json(struct http_request *req, int status, json_t *body)
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);
	struct MHD_Response *r;

	json_decref(body);
	if (!s)
		s = xstrdup("{}");
	r = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
	MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	queue(req, status, r);
}

void http_json_text(struct http_request *req, int status, const char *text, size_t len)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)text, MHD_RESPMEM_MUST_COPY);

	MHD_add_response_header(r, "Content-Type", "application/json; charset=utf-8");
	MHD_add_response_header(r, "Cache-Control", "no-store");
	queue(req, status, r);
}

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
			       const char *value)
{
	struct strbuf *sb = cls;

	(void)kind;
	strbuf_addf(sb, "&%s=%s", key, value ? value : "");
	return MHD_YES;
}

char *http_cache_key(struct http_request *req)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s %s?", req->method, req->path);
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, add_arg, &sb);
	strbuf_addf(&sb, "|role=%d|vendor=%lld", req->authenticated ? (int)req->user.role : -1,
		    (long long)(req->authenticated ? req->user.vendor_id : 0));
	return strbuf_detach(&sb, NULL);
}

int http_cached(struct http_request *req, int64_t *version, char **key)
{
	struct mamori_err err = { 0 };
	char hash[JOURNAL_HASH_HEX];
	size_t len = 0;
	char *body;

	*key = NULL;
	if (journal_head(http_store(req), version, hash, &err) < 0) {
		http_error_from(req, &err);
		return -1;
	}
	*key = http_cache_key(req);
	body = cache_get(*key, *version, &len);
	if (!body)
		return 0;
	http_json_text(req, 200, body, len);
	free(body);
	free(*key);
	*key = NULL;
	return 1;
}

void http_json_cached(struct http_request *req, json_t *body, const char *key, int64_t version)
{
	char *s = json_dumps(body, JSON_COMPACT | JSON_PRESERVE_ORDER);

	json_decref(body);
	if (!s)
		s = xstrdup("{}");
	cache_put(key, version, s, strlen(s));
	http_json_text(req, 200, s, strlen(s));
	free(s);
}

void http_error(struct http_request *req, int status, const char *code, const char *fmt, ...)
{
	char msg[MAMORI_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	http_json(req, status,
		  json_pack("{s:{s:s, s:s}}", "error", "code", code, "message", msg));
}

void http_error_from(struct http_request *req, const struct mamori_err *err)
{
	switch (err->code) {
	case MAMORI_EINVAL:
	case MAMORI_EUSAGE:
		http_error(req, 422, "invalid", "%s", err->msg);
		break;
	case MAMORI_ENOTFOUND:
		http_error(req, 404, "not_found", "%s", err->msg);
		break;
	case MAMORI_ECONFLICT:
		http_error(req, 409, "conflict", "%s", err->msg);
		break;
	case MAMORI_ECHECK:
		http_error(req, 409, "check_failed", "%s", err->msg);
		break;
	default:
		fprintf(stderr, "mamori serve: %s %s: %s\n", req->method, req->path, err->msg);
		http_error(req, 500, "internal", "サーバ内部のエラーです: %s", err->msg);
	}
}

void http_no_content(struct http_request *req)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	queue(req, 204, r);
}

static void add_download_headers(struct MHD_Response *r, const char *content_type,
				 const char *filename)
{
	MHD_add_response_header(r, "Content-Type", content_type);
	if (filename) {
		/* RFC 6266 / 5987: an ASCII fallback and the UTF-8 name. */
		struct strbuf cd = STRBUF_INIT;
		strbuf_addstr(&cd, "attachment; filename=\"mamori-export");
		const char *dot = strrchr(filename, '.');
		if (dot)
			strbuf_addstr(&cd, dot);
		strbuf_addstr(&cd, "\"; filename*=UTF-8''");
		for (const unsigned char *p = (const unsigned char *)filename; *p; p++) {
			if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || strchr("-._~", *p))
				strbuf_addch(&cd, *p);
			else
				strbuf_addf(&cd, "%%%02X", *p);
		}
		MHD_add_response_header(r, "Content-Disposition", cd.buf);
		strbuf_release(&cd);
		MHD_add_response_header(r, "Cache-Control", "no-store");
	}
}

void http_bytes(struct http_request *req, int status, const char *content_type,
		const void *data, size_t len, const char *filename)
{
	struct MHD_Response *r =
		MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);

	add_download_headers(r, content_type, filename);
	queue(req, status, r);
}

struct stream {
	http_fill_fn *fill;
	void (*done)(void *ctx);
	void *ctx;
	struct strbuf buf;
	size_t off;
	int end;
};

static ssize_t stream_read(void *cls, uint64_t pos, char *out, size_t max)
{
	struct stream *s = cls;
	size_t n;

	(void)pos;
	while (s->off == s->buf.len) {
		int r;
		if (s->end)
			return MHD_CONTENT_READER_END_OF_STREAM;
		strbuf_reset(&s->buf);
		s->off = 0;
		r = s->fill(s->ctx, &s->buf);
		if (r < 0)
			return MHD_CONTENT_READER_END_WITH_ERROR;
		if (r == 0)
			s->end = 1;
	}
	n = s->buf.len - s->off < max ? s->buf.len - s->off : max;
	memcpy(out, s->buf.buf + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

static void stream_free(void *cls)
{
	struct stream *s = cls;

	if (s->done)
		s->done(s->ctx);
	strbuf_release(&s->buf);
	free(s);
}

void http_stream(struct http_request *req, int status, const char *content_type,
		 const char *filename, http_fill_fn *fill, void (*done)(void *ctx), void *ctx)
{
	struct stream *s = xcalloc(1, sizeof(*s));
	struct MHD_Response *r;

	s->fill = fill;
	s->done = done;
	s->ctx = ctx;
	strbuf_init(&s->buf);
	r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 64 * 1024, stream_read, s,
					      stream_free);
	add_download_headers(r, content_type, filename);
	queue(req, status, r);
}

void http_asset(struct http_request *req, const char *content_type, const void *data,
		size_t len, const char *etag)
{
	const char *inm = http_header(req, "If-None-Match");
	struct MHD_Response *r;
	int status = 200;

	if (inm && !strcmp(inm, etag)) {
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		status = 304;
	} else {
		r = MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_PERSISTENT);
		MHD_add_response_header(r, "Content-Type", content_type);
	}
	MHD_add_response_header(r, "ETag", etag);
	MHD_add_response_header(r, "Cache-Control", "no-cache");
	queue(req, status, r);
}

void http_add_header(struct http_request *req, const char *name, const char *value)
{
	if (req->nextra >= (int)ARRAY_SIZE(req->extra))
		BUG("too many extra headers");
	req->extra[req->nextra].name = xstrdup(name);
	req->extra[req->nextra++].value = xstrdup(value);
}

const char *http_query(struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_header(struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

json_t *http_body_json(struct http_request *req)
{
	json_error_t je;
	json_t *j;

	if (req->body.len == 0) {
		http_error(req, 400, "bad_json", "JSON の本文がありません");
		return NULL;
	}
	j = json_loadb(req->body.buf, req->body.len, JSON_REJECT_DUPLICATES, &je);
	if (!j) {
		http_error(req, 400, "bad_json", "JSON が正しくありません (%d 行 %d 文字目: %s)",
			   je.line, je.column, je.text);
		return NULL;
	}
	if (!json_is_object(j)) {
		json_decref(j);
		http_error(req, 400, "bad_json", "JSON のオブジェクトを送ってください");
		return NULL;
	}
	return j;
}

const char *http_actor(struct http_request *req, char *buf, size_t len)
{
	snprintf(buf, len, "web:%s", req->authenticated ? req->user.name : "anonymous");
	return buf;
}

/* ---- routing ---------------------------------------------------------- */

/*
 * Matches path against pattern; {id} segments must be positive integers,
 * {key} segments 1..HTTP_KEY_MAX bytes of letters, digits and "._-".
 */
static int match(const char *pattern, const char *path, struct http_request *req)
{
	int n = 0, nk = 0;

	while (*pattern && *path) {
		if (!strncmp(pattern, "{key}", 5)) {
			size_t len = strspn(path, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
						  "0123456789._-");
			if (len == 0 || len > HTTP_KEY_MAX || (path[len] && path[len] != '/') ||
			    nk >= HTTP_MAX_PARAMS)
				return 0;
			memcpy(req->keys[nk], path, len);
			req->keys[nk++][len] = '\0';
			pattern += 5;
			path += len;
			continue;
		}
		if (!strncmp(pattern, "{id}", 4)) {
			char *end;
			long long v;
			if (*path < '1' || *path > '9')
				return 0;
			errno = 0;
			v = strtoll(path, &end, 10);
			if (errno || (*end && *end != '/') || n >= HTTP_MAX_PARAMS)
				return 0;
			req->params[n++] = v;
			pattern += 4;
			path = end;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
	if (*pattern || *path)
		return 0;
	req->nparams = n;
	req->nkeys = nk;
	return 1;
}

/* Finds the route; *method_mismatch tells 405 from 404. */
static const struct http_route *find_route(struct http_request *req, int *method_mismatch)
{
	*method_mismatch = 0;
	for (const struct http_route *r = api_routes; r->method; r++) {
		if (!match(r->pattern, req->path, req))
			continue;
		if (!strcmp(r->method, req->method))
			return r;
		*method_mismatch = 1;
	}
	return NULL;
}

/* Size a body may have on this request, before its route is known. */
static size_t body_limit_for(struct http_request *req)
{
	int mm;
	const struct http_route *r = find_route(req, &mm);
	return r && (r->flags & HTTP_RAW_BODY) ? HTTP_BODY_MAX : HTTP_JSON_BODY_MAX;
}

static const char *cookie_value(struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

static int authenticate(struct http_request *req, const struct http_route *route)
{
	struct store *st;
	struct mamori_err err = { 0 };
	const char *token = cookie_value(req, "mamori_session");

	if (!token || strlen(token) != USER_TOKEN_LEN) {
		http_error(req, 401, "unauthenticated", "サインインしてください");
		return -1;
	}
	st = http_store(req);
	if (!st)
		return -1;
	if (user_session_check(st, token, time(NULL), &req->session, &req->user, &err) < 0) {
		if (err.code == MAMORI_ENOTFOUND)
			http_error(req, 401, "unauthenticated",
				   "サインインの有効期限が切れました。もう一度サインインしてください");
		else
			http_error_from(req, &err);
		return -1;
	}
	req->authenticated = 1;
	req->session_token = token;
	if (!(route->flags & HTTP_RESTRICTED_OK)) {
		if (req->user.must_change_password) {
			http_error(req, 403, "password_change_required",
				   "初回のパスワード変更を済ませてください");
			return -1;
		}
		if (req->user.totp_required && !req->user.totp_enabled) {
			http_error(req, 403, "totp_enrolment_required",
				   "二要素認証 (認証アプリ) の登録を済ませてください");
			return -1;
		}
	}
	if (!(route->roles & HTTP_ROLE(req->user.role))) {
		http_error(req, 403, "forbidden", "この操作の権限がありません (%s)",
			   user_role_label(req->user.role));
		return -1;
	}
	if (route->flags & HTTP_NEEDS_CSRF) {
		const char *csrf = http_header(req, "X-CSRF-Token");
		if (!csrf || !user_token_equal(csrf, req->session.csrf)) {
			http_error(req, 403, "csrf", "CSRF トークンがないか正しくありません。"
						     "ページを読み込み直してください");
			return -1;
		}
	}
	return 0;
}

static void dispatch(struct http_request *req)
{
	const struct http_route *route;
	int mm;

	if (strncmp(req->path, "/api/", 5) != 0) {
		if (strcmp(req->method, "GET") && strcmp(req->method, "HEAD")) {
			http_error(req, 405, "method", "このメソッドは使えません");
			return;
		}
		static_serve(req);
		return;
	}
	route = find_route(req, &mm);
	if (!route) {
		if (mm)
			http_error(req, 405, "method", "%s %s は使えません", req->method, req->path);
		else
			http_error(req, 404, "not_found", "%s はありません", req->path);
		return;
	}
	if (req->body_too_large) {
		http_error(req, 413, "too_large", "送信されたデータが大きすぎます (上限 %zu バイト)",
			   req->body_limit);
		return;
	}
	if (!(route->flags & HTTP_PUBLIC) && authenticate(req, route) < 0)
		return;
	route->fn(req);
	if (!req->responded)
		BUG("handler for %s %s answered nothing", req->method, req->path);
}

/* ---- libmicrohttpd callbacks ------------------------------------------ */

static void remote_of(struct MHD_Connection *c, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);

	snprintf(out, len, "?");
	if (!ci || !ci->client_addr)
		return;
	if (ci->client_addr->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, out,
			  (socklen_t)len);
	else if (ci->client_addr->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, out,
			  (socklen_t)len);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct http_request *req = *con_cls;

	(void)cls;
	(void)version;
	if (!req) {
		req = xcalloc(1, sizeof(*req));
		req->conn = conn;
		req->method = method;
		req->path = url;
		strbuf_init(&req->body);
		clock_gettime(CLOCK_MONOTONIC, &req->started);
		remote_of(conn, req->remote, sizeof(req->remote));
		req->body_limit = body_limit_for(req);
		*con_cls = req;
		return MHD_YES;
	}
	if (*upload_size) {
		if (!req->body_too_large && req->body.len + *upload_size <= req->body_limit)
			strbuf_add(&req->body, upload_data, *upload_size);
		else {
			req->body_too_large = 1;
			strbuf_release(&req->body);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (!req->responded)
		dispatch(req);
	return MHD_YES;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_request *req = *con_cls;
	struct timespec now;

	(void)cls;
	(void)conn;
	if (!req)
		return;
	if (log_requests) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		double ms = (double)(now.tv_sec - req->started.tv_sec) * 1e3 +
			    (double)(now.tv_nsec - req->started.tv_nsec) / 1e6;
		char when[MAMORI_TIME_LEN];
		mamori_now(when);
		fprintf(stderr, "%s %s %s %s %d %.1fms %s%s\n", when, req->remote, req->method,
			req->path, req->status, ms, req->authenticated ? req->user.name : "-",
			toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
	}
	strbuf_release(&req->body);
	user_release(&req->user);
	user_session_release(&req->session);
	for (int i = 0; i < req->nextra; i++) {
		free(req->extra[i].name);
		free(req->extra[i].value);
	}
	free(req);
	*con_cls = NULL;
}

static int parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sslen,
			struct mamori_err *err)
{
	char host[128];
	const char *colon = strrchr(listen, ':');
	char *end;
	long port;

	if (!colon || (size_t)(colon - listen) >= sizeof(host))
		return mamori_err_set(err, MAMORI_EUSAGE,
				      "--listen は ADDR:PORT の形です (例: 127.0.0.1:8080)");
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (*end || port < 1 || port > 65535)
		return mamori_err_set(err, MAMORI_EUSAGE, "ポート番号が正しくありません: %s",
				      colon + 1);
	memset(ss, 0, sizeof(*ss));
	if (host[0] == '[' && host[strlen(host) - 1] == ']') {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
		host[strlen(host) - 1] = '\0';
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (inet_pton(AF_INET6, host + 1, &a->sin6_addr) != 1)
			return mamori_err_set(err, MAMORI_EUSAGE, "アドレスが正しくありません: %s",
					      host + 1);
		*sslen = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
			return mamori_err_set(err, MAMORI_EUSAGE, "アドレスが正しくありません: %s",
					      host);
		*sslen = sizeof(*a);
	}
	return 0;
}

int http_serve(const struct http_server_config *cfg, struct mamori_err *err)
{
	struct sockaddr_storage ss;
	socklen_t sslen;
	struct MHD_Daemon *d;
	sigset_t set;
	int sig, r;

	r = parse_listen(cfg->listen, &ss, &sslen, err);
	if (r < 0)
		return r;
	db_path = cfg->db_path;
	log_requests = cfg->log_requests;
	pthread_key_create(&store_key, close_store);

	/* Signals are taken by sigwait() below, not by the pool's threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
				     (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
			     0, NULL, NULL, on_request, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
			     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(cfg->threads > 0 ? cfg->threads : 8),
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)60,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000,
			     MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
			     MHD_OPTION_END);
	if (!d)
		return mamori_err_set(err, MAMORI_EIO,
				      "%s で待ち受けできません (使用中のポートか、使えないアドレスです)",
				      cfg->listen);
	fprintf(stderr, "mamori serve: http://%s/ で待ち受けています (%s)。終了は Ctrl-C\n",
		cfg->listen, cfg->db_path);
	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "mamori serve: 終了します\n");
	MHD_stop_daemon(d);
	return 0;
}
