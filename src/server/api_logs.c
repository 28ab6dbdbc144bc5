/*
 * api_logs.c - the access-log vault over HTTP (/api/v1/logs…): search with
 * cursor paging, the auditor's CSV export (journaled), one event, its
 * proof document as a download, and the latest signed checkpoint with the
 * verifier key.
 *
 * Each pool thread opens the vault read-only on first use and keeps it (as
 * http_store() does for the records database), so that handlers never share
 * a handle and never compete with the receivers' writer thread
 * (logrecv.c), which owns the only writable one.  A CSV export is streamed
 * (http_stream()) over a read-only handle of its own.  A vault that does not
 * exist yet (nothing received or imported) searches as empty.
 *
 * Who: every role that reads records (admin, officer, staff, auditor); the
 * route table refuses vendor accounts.
 */
#include "common.h"
#include "api.h"
#include "api_ledger.h"
#include "checkpoint.h"
#include "journal.h"
#include "logstore.h"
#include "logview.h"
#include "store.h"

#include <inttypes.h>
#include <pthread.h>

#define PAGE_DEFAULT 100

static pthread_key_t vault_key;
static pthread_once_t vault_once = PTHREAD_ONCE_INIT;

static void close_vault(void *p)
{
	logstore_close(p);
}

static void make_key(void)
{
	pthread_key_create(&vault_key, close_vault);
}

/*
 * This thread's read-only vault.  Returns 0 with *ls set, 1 with *ls NULL
 * when there is no vault yet, or -1 after answering 500.
 */
static int vault(struct http_request *req, struct logstore **ls)
{
	struct mamori_err err = { 0 };
	struct strbuf dir = STRBUF_INIT;
	int r;

	pthread_once(&vault_once, make_key);
	*ls = pthread_getspecific(vault_key);
	if (*ls)
		return 0;
	logstore_dir_for(http_db_path(), &dir);
	r = logstore_open(ls, dir.buf, LOGSTORE_READONLY, &err);
	strbuf_release(&dir);
	if (r == MAMORI_ENOTFOUND) {
		*ls = NULL;
		return 1;
	}
	if (r < 0 && !(r == MAMORI_ECHECK && *ls)) {
		fprintf(stderr, "mamori serve: %s\n", err.msg);
		http_error(req, 500, "logstore", "ログ保管庫を開けません: %s", err.msg);
		return -1;
	}
	pthread_setspecific(vault_key, *ls);
	return 0;
}

/* Fills q from the query; answers 422 and returns -1 when bad. */
static int read_query(struct http_request *req, struct logstore_query *q, int paged)
{
	static const char *const names[] = { "user", "patient", "host", "action" };
	const char **slots[] = { &q->user, &q->patient, &q->host, &q->action };
	struct mamori_err err = { 0 };
	const char *v;

	logstore_query_init(q);
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		v = http_query(req, names[i]);
		*slots[i] = v && *v ? v : NULL;
	}
	v = http_query(req, "result");
	if (v && *v) {
		enum log_result res;
		if (log_result_parse(v, &res, &err) < 0) {
			http_error(req, 422, "invalid", "result は success か failure です");
			return -1;
		}
		q->result = (int)res;
	}
	v = http_query(req, "from");
	if (v && *v && logview_parse_time(v, 0, &q->from_us, &err) < 0) {
		http_error(req, 422, "invalid", "from: %s", err.msg);
		return -1;
	}
	v = http_query(req, "to");
	if (v && *v && logview_parse_time(v, 1, &q->to_us, &err) < 0) {
		http_error(req, 422, "invalid", "to: %s", err.msg);
		return -1;
	}
	if (paged) {
		int64_t limit, before;
		if (api_ledger_count(http_query(req, "limit"), PAGE_DEFAULT, LOGSTORE_PAGE_MAX,
				     &limit) < 0 ||
		    api_ledger_count(http_query(req, "before"), -1, INT64_MAX / 2, &before) < 0) {
			http_error(req, 422, "invalid", "limit は 1〜%d、before は 0 以上の整数です",
				   LOGSTORE_PAGE_MAX);
			return -1;
		}
		q->limit = limit > 0 ? (size_t)limit : PAGE_DEFAULT;
		q->before = before;
	}
	return 0;
}

struct page {
	struct strbuf out;
	size_t n;
};

static int collect(const struct logstore_hit *h, void *p)
{
	struct page *pg = p;

	if (pg->n++)
		strbuf_addch(&pg->out, ',');
	logview_hit_json_text(&pg->out, h);
	return 0;
}

void api_logs_events(struct http_request *req)
{
	struct mamori_err err = { 0 };
	struct logstore_query q;
	struct logstore *ls;
	struct page pg = { .out = STRBUF_INIT };
	int64_t next = -1;
	int r;

	if (read_query(req, &q, 1) < 0 || (r = vault(req, &ls)) < 0)
		return;
	/* written as text: a page of 1,000 events as a jansson tree is
	 * most of the time of the answer */
	strbuf_addstr(&pg.out, "{\"events\":[");
	if (ls && logstore_search(ls, &q, collect, &pg, &next, &err) < 0) {
		strbuf_release(&pg.out);
		http_error_from(req, &err);
		return;
	}
	strbuf_addstr(&pg.out, "],\"next\":");
	if (next >= 0)
		strbuf_addf(&pg.out, "%" PRId64, next);
	else
		strbuf_addstr(&pg.out, "null");
	strbuf_addf(&pg.out, ",\"limit\":%zu,\"vault\":%s}", q.limit, ls ? "true" : "false");
	http_json_text(req, 200, pg.out.buf, pg.out.len);
	strbuf_release(&pg.out);
}

struct csv_ctx {
	struct strbuf *out;
	uint64_t n;
};

static int csv_hit(const struct logstore_hit *h, void *p)
{
	struct csv_ctx *c = p;

	logview_csv_line(c->out, h);
	c->n++;
	return 0;
}

/* The filters of an export as they were asked, for the journal. */
static json_t *filters_json(struct http_request *req)
{
	static const char *const names[] = { "user", "patient", "host", "action",
					     "result", "from", "to" };
	json_t *o = json_object();

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		const char *v = http_query(req, names[i]);
		if (v && *v)
			json_object_set_new(o, names[i], json_string(v));
	}
	return o;
}

/*
 * A CSV export streamed page by page as the client reads it, so that its
 * size is not bounded by memory.  It has a read-only vault handle of its
 * own (the pieces are made after the handler returned) and copies of the
 * filter values (the query strings belong to the request).
 */
struct csv_stream {
	struct logstore *ls; /* NULL: no vault yet, the heading alone */
	struct logstore_query q;
	char *vals[4];
	int started;
};

static int csv_fill(void *p, struct strbuf *out)
{
	struct csv_stream *c = p;
	struct mamori_err err = { 0 };
	struct csv_ctx cc = { out, 0 };
	int64_t next = -1;

	if (!c->started) {
		c->started = 1;
		logview_csv_head(out, 1);
		return c->ls ? 1 : 0;
	}
	if (logstore_search(c->ls, &c->q, csv_hit, &cc, &next, &err) < 0) {
		fprintf(stderr, "mamori serve: CSV のアクセスログ書き出しを中断しました: %s\n", err.msg);
		return -1;
	}
	if (next < 0)
		return 0;
	c->q.before = next;
	return 1;
}

static void csv_done(void *p)
{
	struct csv_stream *c = p;

	logstore_close(c->ls);
	for (size_t i = 0; i < ARRAY_SIZE(c->vals); i++)
		free(c->vals[i]);
	free(c);
}

void api_logs_events_csv(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	struct strbuf dir = STRBUF_INIT;
	struct csv_stream *c;
	const char **slots[4];
	char today[11], fname[64], actor[128];
	json_t *after;
	int r;

	if (!st)
		return;
	c = xcalloc(1, sizeof(*c));
	if (read_query(req, &c->q, 0) < 0) {
		free(c);
		return;
	}
	slots[0] = &c->q.user;
	slots[1] = &c->q.patient;
	slots[2] = &c->q.host;
	slots[3] = &c->q.action;
	for (size_t i = 0; i < ARRAY_SIZE(slots); i++)
		if (*slots[i])
			*slots[i] = c->vals[i] = xstrdup(*slots[i]);
	c->q.limit = LOGSTORE_PAGE_MAX;
	logstore_dir_for(http_db_path(), &dir);
	r = logstore_open(&c->ls, dir.buf, LOGSTORE_READONLY, &err);
	strbuf_release(&dir);
	if (r == MAMORI_ENOTFOUND) {
		c->ls = NULL;
		r = 0;
	} else if (r == MAMORI_ECHECK && c->ls) {
		r = 0; /* readable for inspection; verify says what is wrong */
	}
	/* The export is recorded before anything is handed out. */
	if (r == 0) {
		after = filters_json(req);
		json_object_set_new(after, "format", json_string("csv"));
		r = store_begin(st, &err);
		if (r == 0) {
			r = journal_append(st, http_actor(req, actor, sizeof(actor)), "log.export",
					   "log", NULL, NULL, after, NULL, &err);
			if (r == 0)
				r = store_commit(st, &err);
			else
				store_rollback(st);
		}
		json_decref(after);
	}
	if (r < 0) {
		csv_done(c);
		http_error_from(req, &err);
		return;
	}
	mamori_today(today);
	snprintf(fname, sizeof(fname), "アクセスログ_%s.csv", today);
	http_stream(req, 200, "text/csv; charset=utf-8", fname, csv_fill, csv_done, c);
}

/*
 * The seq of the path, a {key} because {id} cannot be 0 and the first
 * event is 0; answers 404 and returns -1 when it is not a number or there
 * is no vault.
 */
static int seq_of(struct http_request *req, struct logstore **ls, uint64_t *seq)
{
	const char *k = req->keys[0];
	char *end;
	int r;

	errno = 0;
	*seq = strtoull(k, &end, 10);
	if (!*k || *k < '0' || *k > '9' || *end || errno || (*k == '0' && k[1])) {
		http_error(req, 404, "not_found", "イベント %s はありません", k);
		return -1;
	}
	r = vault(req, ls);
	if (r < 0)
		return -1;
	if (r == 1) {
		http_error(req, 404, "not_found", "ログ保管庫はまだありません");
		return -1;
	}
	return 0;
}

static int one(const struct logstore_hit *h, void *p)
{
	*(json_t **)p = logview_hit_json(h);
	return 0;
}

void api_logs_event(struct http_request *req)
{
	struct mamori_err err = { 0 };
	struct logstore *ls;
	json_t *ev = NULL;
	uint64_t seq;

	if (seq_of(req, &ls, &seq) < 0)
		return;
	if (logstore_get(ls, seq, one, &ev, &err) < 0 || !ev) {
		json_decref(ev);
		if (!err.code)
			mamori_err_set(&err, MAMORI_ENOTFOUND, "イベント %llu はありません",
				       (unsigned long long)seq);
		http_error_from(req, &err);
		return;
	}
	http_json(req, 200, ev);
}

/* The size of the latest signed checkpoint (0 when none). */
static uint64_t latest_size(struct logstore *ls)
{
	struct mamori_err err = { 0 };
	struct strbuf note = STRBUF_INIT;
	struct checkpoint c;
	uint64_t size = 0;

	checkpoint_init(&c);
	if (logstore_checkpoint_latest(ls, &note, &err) == 0 &&
	    checkpoint_open(note.buf, note.len, logstore_verifier(ls), &c, &err) == 0)
		size = c.size;
	checkpoint_release(&c);
	strbuf_release(&note);
	return size;
}

void api_logs_proof(struct http_request *req)
{
	struct mamori_err err = { 0 };
	struct strbuf out = STRBUF_INIT;
	struct logstore *ls;
	char fname[64];
	uint64_t seq;

	if (seq_of(req, &ls, &seq) < 0)
		return;
	/* A handle of a reader cannot sign: the event must be under the
	 * latest checkpoint (the receivers sign one every few minutes). */
	if (seq >= latest_size(ls)) {
		http_error(req, 409, "not_yet",
			   "イベント %llu はまだ署名済みチェックポイントに含まれていません。"
			   "次のチェックポイント (mamori serve --checkpoint-interval、既定 5 分) の後にもう一度"
			   "ダウンロードしてください",
			   (unsigned long long)seq);
		return;
	}
	if (logstore_prove(ls, seq, NULL, 0, &out, &err) < 0) {
		http_error_from(req, &err);
	} else {
		snprintf(fname, sizeof(fname), "mamori-log-proof-%llu.txt", (unsigned long long)seq);
		http_bytes(req, 200, "text/plain; charset=utf-8", out.buf, out.len, fname);
	}
	strbuf_release(&out);
}

/* What a person reads off a note: its size, root (base64, as in the note)
 * and signing time (the "mamori-time" line). */
static json_t *checkpoint_json(struct logstore *ls, const struct strbuf *note)
{
	struct mamori_err err = { 0 };
	struct checkpoint c;
	const char *p, *root, *nl;
	json_t *o = NULL;

	checkpoint_init(&c);
	if (checkpoint_open(note->buf, note->len, logstore_verifier(ls), &c, &err) == 0) {
		root = strchr(note->buf, '\n');
		root = root ? strchr(root + 1, '\n') : NULL;
		nl = root ? strchr(root + 1, '\n') : NULL;
		o = json_pack("{s:I, s:s%, s:o}", "size", (json_int_t)c.size, "root",
			      nl ? root + 1 : "", nl ? (size_t)(nl - root - 1) : 0, "time",
			      json_null());
		p = c.ext ? strstr(c.ext, "mamori-time ") : NULL;
		if (p) {
			p += strlen("mamori-time ");
			json_object_set_new(o, "time", json_stringn(p, strcspn(p, "\n")));
		}
	}
	checkpoint_release(&c);
	return o ? o : json_null();
}

void api_logs_checkpoint(struct http_request *req)
{
	struct mamori_err err = { 0 };
	struct strbuf note = STRBUF_INIT, vkey = STRBUF_INIT;
	struct logstore *ls;
	int r = vault(req, &ls);

	if (r < 0)
		return;
	if (r == 1) {
		http_error(req, 404, "not_found", "ログ保管庫はまだありません");
		return;
	}
	r = logstore_checkpoint_latest(ls, &note, &err);
	logstore_vkey(ls, &vkey);
	if (r < 0 && r != MAMORI_ENOTFOUND) {
		http_error_from(req, &err);
	} else {
		json_t *o = json_pack("{s:s, s:s, s:I}", "origin", logstore_origin(ls), "vkey",
				      vkey.buf, "size", (json_int_t)latest_size(ls));
		json_object_set_new(o, "note", r == 0 ? json_string(note.buf) : json_null());
		json_object_set_new(o, "checkpoint", r == 0 ? checkpoint_json(ls, &note) : json_null());
		http_json(req, 200, o);
	}
	strbuf_release(&note);
	strbuf_release(&vkey);
}

void api_logs_checkpoint_new(struct http_request *req)
{
	struct mamori_err err = { 0 };
	struct strbuf dir = STRBUF_INIT, note = STRBUF_INIT;
	struct store *st = http_store(req);
	struct checkpoint c;
	char actor[128];
	int r;

	if (!st)
		return;
	checkpoint_init(&c);
	logstore_dir_for(http_db_path(), &dir);
	r = logstore_checkpoint_request(dir.buf, &note, 10000, &err);
	if (r == 0) {
		/* who asked for it, and what was signed */
		size_t body = note.len;
		const char *blank = strstr(note.buf, "\n\n");
		json_t *after;

		if (blank)
			body = (size_t)(blank - note.buf) + 1;
		r = checkpoint_parse_body(note.buf, body, &c, &err);
		if (r == 0) {
			char root[2 * MERKLE_HASH_LEN + 1];

			merkle_hash_hex(c.root, root);
			after = json_pack("{s:s, s:I, s:s}", "origin", c.origin, "size",
					  (json_int_t)c.size, "root", root);
			if ((r = store_begin(st, &err)) == 0) {
				r = journal_append(st, http_actor(req, actor, sizeof(actor)),
						   "log.checkpoint", "log", NULL, NULL, after, NULL, &err);
				if (r == 0)
					r = store_commit(st, &err);
				else
					store_rollback(st);
			}
			json_decref(after);
		}
	}
	if (r == MAMORI_ENOTFOUND)
		http_error(req, 404, "not_found", "ログ保管庫はまだありません");
	else if (r < 0)
		http_error_from(req, &err);
	else
		http_json(req, 201,
			  json_pack("{s:s, s:s, s:I}", "note", note.buf, "origin", c.origin, "size",
				    (json_int_t)c.size));
	checkpoint_release(&c);
	strbuf_release(&dir);
	strbuf_release(&note);
}
