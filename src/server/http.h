/*
 * http.h - the HTTP layer of "mamori serve", on libmicrohttpd.
 *
 * It owns everything about HTTP and nothing about mamori's domain: reading
 * a request (headers, query, cookies, a body bounded by HTTP_BODY_MAX),
 * routing it by method and path pattern to a handler, and writing the
 * response (JSON, errors in the one API format, files, static assets) with
 * the security headers every response carries.  Handlers live in api_*.c.
 *
 * Threads: libmicrohttpd runs a pool of threads; a request is handled
 * entirely on one of them.  Each thread has its own store handle
 * (http_store()), opened on first use and closed when the thread ends, so
 * that handlers never share a SQLite connection.
 *
 * Errors: every error response is
 *     {"error": {"code": "<machine code>", "message": "<Japanese text>"}}
 * with the matching status code.
 */
#ifndef MAMORI_HTTP_H
#define MAMORI_HTTP_H

#include <jansson.h>
#include <stdint.h>
#include <time.h>

#include "strbuf.h"
#include "user.h"

struct MHD_Connection;
struct store;

#define HTTP_BODY_MAX ((size_t)32 << 20) /* imports; other routes get less */
#define HTTP_JSON_BODY_MAX ((size_t)1 << 20)
#define HTTP_MAX_PARAMS 4
#define HTTP_KEY_MAX 64 /* bytes of a {key} path segment */

struct http_request {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	struct strbuf body;
	int body_too_large;
	size_t body_limit;
	char remote[64];
	struct timespec started;
	int status;        /* of the response queued, for the request log */
	int responded;
	/* Filled by routing: numeric path parameters ({id}) in order, and
	 * name parameters ({key}: 1..HTTP_KEY_MAX bytes of [A-Za-z0-9._-]). */
	int64_t params[HTTP_MAX_PARAMS];
	int nparams;
	char keys[HTTP_MAX_PARAMS][HTTP_KEY_MAX + 1];
	int nkeys;
	/* Filled by authentication for routes that need it. */
	int authenticated;
	struct user user;
	struct user_session session;
	const char *session_token; /* borrowed from the cookie header */
	int secure;                /* the connection is TLS */
	struct {
		char *name, *value;
	} extra[4];                /* headers to add to the response */
	int nextra;
};

/* Route flags. */
enum {
	HTTP_PUBLIC = 1 << 0,       /* no session needed */
	HTTP_NEEDS_CSRF = 1 << 1,   /* state-changing: X-CSRF-Token must match */
	HTTP_RESTRICTED_OK = 1 << 2, /* allowed while a password change or TOTP
				      * enrolment is still owed */
	HTTP_RAW_BODY = 1 << 3,     /* body may be up to HTTP_BODY_MAX, not JSON */
};

/* Role bits for routes (1 << enum user_role). */
#define HTTP_ROLE(r) (1u << (r))
#define HTTP_ROLES_ALL 0x1fu
#define HTTP_ROLES_WRITE (HTTP_ROLE(USER_ADMIN) | HTTP_ROLE(USER_OFFICER) | HTTP_ROLE(USER_STAFF))
#define HTTP_ROLES_READ_ALL (HTTP_ROLES_WRITE | HTTP_ROLE(USER_AUDITOR))

typedef void http_handler_fn(struct http_request *req);

struct http_route {
	const char *method;   /* "GET", "POST", "PATCH", "DELETE" */
	const char *pattern;  /* "/api/v1/assets/{id}/retire", "/api/v1/items/{key}" */
	http_handler_fn *fn;
	unsigned flags;
	unsigned roles;       /* HTTP_ROLE bits allowed; ignored for HTTP_PUBLIC */
};

struct http_server_config {
	const char *listen;   /* "127.0.0.1:8080" or "[::1]:8080" */
	const char *db_path;
	int threads;
	int log_requests;     /* one line per request on stderr */
};

/* The routes, defined in api.c (NULL-method terminated). */
extern const struct http_route api_routes[];

/*
 * Starts the server and blocks until SIGINT or SIGTERM, then stops it
 * cleanly (requests in progress finish).  Returns 0, or a negative code
 * with err set when it cannot start (address in use, bad address …).
 */
int http_serve(const struct http_server_config *cfg, struct mamori_err *err);

/* This thread's store (opened on first use); NULL after answering 500. */
struct store *http_store(struct http_request *req);
/* The records database path the server was started with (the access-log
 * vault lives beside it: logstore_dir_for()). */
const char *http_db_path(void);

/* Query argument, or NULL. */
const char *http_query(struct http_request *req, const char *name);
/* Request header, or NULL. */
const char *http_header(struct http_request *req, const char *name);

/*
 * Parses the body as a JSON object; on failure answers 400 with where the
 * JSON is broken and returns NULL.  New reference.
 */
json_t *http_body_json(struct http_request *req);

/* Responses.  Each queues exactly one response (a second one is a BUG). */
void http_json(struct http_request *req, int status, json_t *body); /* steals body */
/* A JSON text already serialised (copied). */
void http_json_text(struct http_request *req, int status, const char *text, size_t len);
void http_error(struct http_request *req, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Answers with the status and message for a core error code. */
void http_error_from(struct http_request *req, const struct mamori_err *err);
void http_no_content(struct http_request *req);
/* A download: filename (may be NULL) goes into Content-Disposition. */
void http_bytes(struct http_request *req, int status, const char *content_type,
		const void *data, size_t len, const char *filename);
/*
 * A download of any size, made piece by piece as the client reads: fill
 * appends the next piece to out and returns 1 while more follows, 0 with
 * the last piece, or a negative code to cut the connection (the client
 * sees a broken download, never a short file presented as whole).  fill
 * runs on the thread that serves the connection, after the handler has
 * returned.  done (may be NULL) is called once with ctx when the response
 * is over, complete or not.
 */
typedef int http_fill_fn(void *ctx, struct strbuf *out);
void http_stream(struct http_request *req, int status, const char *content_type,
		 const char *filename, http_fill_fn *fill, void (*done)(void *ctx), void *ctx);
/*
 * A static file (not copied: data must outlive the response) with its ETag;
 * answers 304 when the browser already has it.
 */
void http_asset(struct http_request *req, const char *content_type, const void *data,
		size_t len, const char *etag);
/* Adds a header (Set-Cookie, Retry-After …) to the response of req. */
void http_add_header(struct http_request *req, const char *name, const char *value);

/*
 * The key under which a GET's answer may be cached (cache.h): the path, the
 * query arguments in order, and the caller's vendor scope.  Caller frees.
 */
char *http_cache_key(struct http_request *req);

/*
 * Answers a read-only GET from the cache when the store has not changed
 * since the answer was made (returns 1), else returns 0 and sets *version
 * and *key (caller frees) for http_json_cached() once the handler has built
 * its answer.  On a store error answers 500 and returns -1.
 */
int http_cached(struct http_request *req, int64_t *version, char **key);
/* Serialises body (stolen), caches it under key at version, answers 200. */
void http_json_cached(struct http_request *req, json_t *body, const char *key, int64_t version);

/* Serves the embedded web UI for a non-API GET (static.c). */
void static_serve(struct http_request *req);

/* The actor recorded in the journal for this request: "web:<user name>". */
const char *http_actor(struct http_request *req, char *buf, size_t len);

#endif
