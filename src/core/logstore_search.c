/*
 * logstore_search.c - searching the access-log vault's index, newest
 * first, a page at a time (logstore.h).
 *
 * The SQL is assembled from fixed fragments only; every value is bound.
 * Terms are looked up first: a user, patient, host or action the vault has
 * never seen finds nothing without touching log_event.  Each hit is read
 * back from its segment record (the message, the peer, and the fields as
 * sealed).
 */
#include "common.h"

#include <inttypes.h>

#include "logstore_int.h"

void logstore_query_init(struct logstore_query *q)
{
	memset(q, 0, sizeof(*q));
	q->result = -1;
	q->from_us = INT64_MIN;
	q->to_us = INT64_MAX;
	q->before = -1;
	q->limit = 100;
}

/* The id of term (kind, v): 1 found, 0 unknown, or an error. */
static int lookup_term(struct logstore *ls, int kind, const char *v, int64_t *id,
		       struct mamori_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(ls->db, "SELECT id FROM log_term WHERE kind = ? AND value = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return logstore_db_error(ls, err, "log_term");
	sqlite3_bind_int(st, 1, kind);
	sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return logstore_db_error(ls, err, "log_term");
}

/* Reads the record of seq and calls fn with it. */
static int emit(struct logstore *ls, uint64_t seq, struct log_event *ev, struct strbuf *rec,
		struct strbuf *peer, logstore_hit_fn *fn, void *ctx, struct mamori_err *err)
{
	struct logstore_hit h;
	int r;

	if ((r = logstore_read_record(ls, seq, rec, err)) < 0)
		return r;
	if ((r = log_event_parse(ev, rec->buf, rec->len, peer, err)) < 0) {
		mamori_err_prefix(err, "番号 %" PRIu64 " のイベント", seq);
		return MAMORI_ECHECK;
	}
	memset(&h, 0, sizeof(h));
	h.seq = seq;
	h.recv_us = ev->recv_us;
	h.time_us = ev->time_us;
	h.via = ev->via;
	h.flags = ev->flags;
	h.user = ev->f.user;
	h.patient = ev->f.patient;
	h.host = ev->f.host;
	h.action = ev->f.action;
	h.result = ev->f.result;
	h.peer = peer->len ? peer->buf : NULL;
	h.message = ev->record.buf + ev->msg_off;
	h.message_len = ev->record.len - ev->msg_off;
	return fn(&h, ctx);
}

int logstore_search(struct logstore *ls, const struct logstore_query *q, logstore_hit_fn *fn,
		    void *ctx, int64_t *next, struct mamori_err *err)
{
	static const struct {
		int kind;
		const char *frag;
	} tf[4] = {
		{ LT_USER, " AND user_id = ?" },
		{ LT_PATIENT, " AND patient_id = ?" },
		{ LT_HOST, " AND host_id = ?" },
		{ LT_ACTION, " AND action_id = ?" },
	};
	const char *vals[4] = { q->user, q->patient, q->host, q->action };
	int64_t ids[4];
	struct strbuf sql = STRBUF_INIT, rec = STRBUF_INIT, peer = STRBUF_INIT;
	struct log_event ev;
	sqlite3_stmt *st = NULL;
	size_t limit = q->limit, got = 0;
	int64_t last = -1;
	int col = 1, rc, r = 0;
	bool more = false;

	if (next)
		*next = -1;
	if (limit < 1 || limit > LOGSTORE_PAGE_MAX)
		return mamori_err_set(err, MAMORI_EINVAL, "1 ページの件数は 1〜%d 件で指定してください",
				      LOGSTORE_PAGE_MAX);
	if (q->result > LOG_RESULT_FAILURE || q->result < -1)
		return mamori_err_set(err, MAMORI_EINVAL, "結果の指定が正しくありません");
	log_event_init(&ev);
	for (int i = 0; i < 4; i++) {
		if (!vals[i])
			continue;
		r = lookup_term(ls, tf[i].kind, vals[i], &ids[i], err);
		if (r <= 0)
			goto out; /* unknown: no hits */
	}
	r = 0;
	strbuf_addstr(&sql, "SELECT seq FROM log_event WHERE 1");
	for (int i = 0; i < 4; i++)
		if (vals[i])
			strbuf_addstr(&sql, tf[i].frag);
	if (q->result >= 0)
		strbuf_addstr(&sql, " AND result = ?");
	if (q->from_us != INT64_MIN)
		strbuf_addstr(&sql, " AND time_us >= ?");
	if (q->to_us != INT64_MAX)
		strbuf_addstr(&sql, " AND time_us < ?");
	if (q->before >= 0)
		strbuf_addstr(&sql, " AND seq < ?");
	strbuf_addstr(&sql, " ORDER BY seq DESC LIMIT ?");
	if (sqlite3_prepare_v2(ls->db, sql.buf, -1, &st, NULL) != SQLITE_OK) {
		r = logstore_db_error(ls, err, "検索");
		goto out;
	}
	for (int i = 0; i < 4; i++)
		if (vals[i])
			sqlite3_bind_int64(st, col++, ids[i]);
	if (q->result >= 0)
		sqlite3_bind_int(st, col++, q->result);
	if (q->from_us != INT64_MIN)
		sqlite3_bind_int64(st, col++, q->from_us);
	if (q->to_us != INT64_MAX)
		sqlite3_bind_int64(st, col++, q->to_us);
	if (q->before >= 0)
		sqlite3_bind_int64(st, col++, q->before);
	sqlite3_bind_int64(st, col, (int64_t)limit + 1);
	/* Collect the seqs first: reading records between steps is fine, but
	 * the callback may be slow. */
	{
		int64_t *seqs = xmalloc((limit + 1) * sizeof(*seqs));
		size_t n = 0;

		while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < limit + 1)
			seqs[n++] = sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		st = NULL;
		if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
			free(seqs);
			r = logstore_db_error(ls, err, "検索");
			goto out;
		}
		if (n > limit) {
			more = true;
			n = limit;
		}
		for (size_t i = 0; i < n; i++) {
			r = emit(ls, (uint64_t)seqs[i], &ev, &rec, &peer, fn, ctx, err);
			if (r != 0)
				break;
			last = seqs[i];
			got++;
		}
		free(seqs);
	}
	if (r == 0 && more && next)
		*next = last;
out:
	sqlite3_finalize(st);
	log_event_release(&ev);
	strbuf_release(&sql);
	strbuf_release(&rec);
	strbuf_release(&peer);
	(void)got;
	return r;
}

int logstore_get(struct logstore *ls, uint64_t seq, logstore_hit_fn *fn, void *ctx,
		 struct mamori_err *err)
{
	struct strbuf rec = STRBUF_INIT, peer = STRBUF_INIT;
	struct log_event ev;
	int r;

	log_event_init(&ev);
	if (seq >= ls->fr.size)
		r = mamori_err_set(err, MAMORI_ENOTFOUND, "番号 %" PRIu64 " のイベントはありません", seq);
	else
		r = emit(ls, seq, &ev, &rec, &peer, fn, ctx, err);
	log_event_release(&ev);
	strbuf_release(&rec);
	strbuf_release(&peer);
	return r;
}
