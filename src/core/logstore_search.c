/*
 * logstore_search.c - searching the access-log vault's index, newest
 * first, a page at a time (logstore.h).
 *
 * Terms are looked up first: a user, patient, host or action the vault has
 * never seen finds nothing without touching an event.  With terms, one
 * drives (patient, else user, host, action): its postings
 * (logstore_postings.c) are walked newest first and each candidate's entry
 * (events.idx) checked against the other filters.  Without, the entries
 * are walked backwards.  A time range
 * narrows the seqs through the blocks' event-time bounds (log_block).
 * Every value is bound.  Each hit is read back from its segment record
 * (the message, the peer, and the fields as sealed).
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

/* Where a hit's record is (from its entry). */
struct loc {
	int64_t seq;
	uint32_t seg;
	uint64_t off, len;
};

/* Reads the record of seq (at loc when not NULL) and calls fn with it. */
static int emit(struct logstore *ls, uint64_t seq, const struct loc *loc, struct log_event *ev,
		struct strbuf *rec, struct strbuf *peer, logstore_hit_fn *fn, void *ctx,
		struct mamori_err *err)
{
	struct logstore_hit h;
	int r;

	r = loc ? logstore_read_at(ls, seq, loc->seg, loc->off, loc->len, rec, err)
		: logstore_read_record(ls, seq, rec, err);
	if (r < 0)
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
	h.source = ev->f.source;
	h.peer = peer->len ? peer->buf : NULL;
	h.message = ev->record.buf + ev->msg_off;
	h.message_len = ev->record.len - ev->msg_off;
	return fn(&h, ctx);
}

/*
 * The seqs that can hold events with a time in [from, to), as up to two
 * ranges newest first: the block being filled (its bounds are not stored
 * yet) and the blocks from the first to the last whose event-time bounds
 * meet the range.  Returns the number of ranges.
 */
static int time_ranges(struct logstore *ls, int64_t from, int64_t to, uint64_t size,
		       uint64_t range[2][2], int *nranges, struct mamori_err *err)
{
	uint64_t tail = size - size % LOGSTORE_BLOCK_LEAVES;
	sqlite3_stmt *st = NULL;
	int rc;

	*nranges = 0;
	if (tail < size) {
		range[0][0] = tail;
		range[0][1] = size;
		*nranges = 1;
	}
	if (sqlite3_prepare_v2(ls->db,
			       "SELECT min(block), max(block) FROM log_block WHERE max_time >= ?"
			       " AND min_time < ?",
			       -1, &st, NULL) != SQLITE_OK)
		return logstore_db_error(ls, err, "log_block");
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		uint64_t b0 = (uint64_t)sqlite3_column_int64(st, 0);
		uint64_t b1 = (uint64_t)sqlite3_column_int64(st, 1);

		range[*nranges][0] = b0 * LOGSTORE_BLOCK_LEAVES;
		range[*nranges][1] = (b1 + 1) * LOGSTORE_BLOCK_LEAVES < tail
					     ? (b1 + 1) * LOGSTORE_BLOCK_LEAVES
					     : tail;
		(*nranges)++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return logstore_db_error(ls, err, "log_block");
	return 0;
}

/* What a candidate entry must satisfy besides the driving term. */
struct filter {
	int64_t ids[4]; /* user, patient, host, action; 0: any */
	int result;
	int64_t from, to;
};

static bool entry_matches(const struct logstore_entry *e, const struct filter *f)
{
	for (int i = 0; i < 4; i++)
		if (f->ids[i] && e->term[i] != f->ids[i])
			return false;
	if (f->result >= 0 && e->result != f->result)
		return false;
	if (f->from != INT64_MIN || f->to != INT64_MAX) {
		if (e->time_us == INT64_MIN || e->time_us < f->from || e->time_us >= f->to)
			return false;
	}
	return true;
}

/*
 * Collects up to want seqs below `below` and at or above `lo`, newest
 * first, into seqs: through the posting list of term `drive` when it is
 * not 0, else by walking the entries backwards.  Every seq is below the
 * committed size (below <= size).
 */
static int collect(struct logstore *ls, int kind, int64_t drive, const struct filter *f,
		   uint64_t lo, uint64_t below, size_t want, struct loc *seqs, size_t *n,
		   struct mamori_err *err)
{
	const struct logstore_entry *e;
	int r = 0;

	*n = 0;
	if (below <= lo)
		return 0;
	if (drive) {
		struct logstore_pcursor c;
		uint64_t seq;

		logstore_pcursor_init(&c, ls, kind, drive, below, ls->posted);
		while (*n < want && (r = logstore_pcursor_next(&c, &seq, err)) == 1) {
			if (seq < lo)
				break;
			if ((r = logstore_entry_get(ls, seq, &e, err)) < 0)
				break;
			if (entry_matches(e, f))
				seqs[(*n)++] = (struct loc){ (int64_t)seq, e->seg, e->off, e->len };
		}
		logstore_pcursor_release(&c);
		return r < 0 ? r : 0;
	}
	for (uint64_t seq = below; seq-- > lo && *n < want;) {
		if ((r = logstore_entry_get(ls, seq, &e, err)) < 0)
			return r;
		if (entry_matches(e, f))
			seqs[(*n)++] = (struct loc){ (int64_t)seq, e->seg, e->off, e->len };
	}
	return 0;
}

int logstore_search(struct logstore *ls, const struct logstore_query *q, logstore_hit_fn *fn,
		    void *ctx, int64_t *next, struct mamori_err *err)
{
	static const int kinds[4] = { LT_USER, LT_PATIENT, LT_HOST, LT_ACTION };
	const char *vals[4] = { q->user, q->patient, q->host, q->action };
	struct strbuf rec = STRBUF_INIT, peer = STRBUF_INIT;
	struct log_event ev;
	struct filter f;
	uint64_t size, below, range[2][2];
	int nranges = 0, kind = 0;
	bool in_read = false;
	int64_t drive = 0;
	struct loc *seqs = NULL;
	size_t limit = q->limit, n = 0;
	int r = 0;

	if (next)
		*next = -1;
	if (limit < 1 || limit > LOGSTORE_PAGE_MAX)
		return mamori_err_set(err, MAMORI_EINVAL, "1 ページの件数は 1〜%d 件で指定してください",
				      LOGSTORE_PAGE_MAX);
	if (q->result > LOG_RESULT_FAILURE || q->result < -1)
		return mamori_err_set(err, MAMORI_EINVAL, "結果の指定が正しくありません");
	if ((r = logstore_refresh(ls, err)) < 0)
		return r;
	size = ls->fr.size;
	log_event_init(&ev);
	memset(&f, 0, sizeof(f));
	f.result = q->result;
	f.from = q->from_us;
	f.to = q->to_us;
	for (int i = 0; i < 4; i++) {
		if (!vals[i])
			continue;
		r = lookup_term(ls, kinds[i], vals[i], &f.ids[i], err);
		if (r <= 0)
			goto out; /* unknown: no hits */
	}
	/* drive by the term that is usually the most selective */
	for (int i = 0; i < 4 && !drive; i++) {
		static const int order[4] = { 1, 0, 2, 3 }; /* patient, user, host, action */

		if (f.ids[order[i]]) {
			drive = f.ids[order[i]];
			kind = kinds[order[i]];
		}
	}
	r = 0;
	below = q->before >= 0 && (uint64_t)q->before < size ? (uint64_t)q->before : size;
	if (q->from_us != INT64_MIN || q->to_us != INT64_MAX) {
		if (q->from_us >= q->to_us)
			goto out;
		if ((r = time_ranges(ls, q->from_us, q->to_us, size, range, &nranges, err)) < 0)
			goto out;
	} else {
		range[0][0] = 0;
		range[0][1] = size;
		nranges = 1;
	}
	/* one read transaction: one snapshot, and no lock calls per statement */
	if ((r = logstore_read_begin(ls, err)) < 0)
		goto out;
	in_read = true;
	seqs = xmalloc((limit + 1) * sizeof(*seqs));
	for (int i = 0; i < nranges && n < limit + 1; i++) {
		size_t got;

		if ((r = collect(ls, kind, drive, &f, range[i][0],
				 below < range[i][1] ? below : range[i][1], limit + 1 - n, seqs + n,
				 &got, err)) < 0)
			goto out;
		n += got;
	}
	for (size_t i = 0; i < n && i < limit; i++) {
		r = emit(ls, (uint64_t)seqs[i].seq, &seqs[i], &ev, &rec, &peer, fn, ctx, err);
		if (r != 0)
			goto out;
	}
	if (n > limit && next)
		*next = seqs[limit - 1].seq;
out:
	if (in_read)
		logstore_read_end(ls);
	free(seqs);
	log_event_release(&ev);
	strbuf_release(&rec);
	strbuf_release(&peer);
	return r;
}

int logstore_get(struct logstore *ls, uint64_t seq, logstore_hit_fn *fn, void *ctx,
		 struct mamori_err *err)
{
	struct strbuf rec = STRBUF_INIT, peer = STRBUF_INIT;
	struct log_event ev;
	int r;

	log_event_init(&ev);
	if ((r = logstore_refresh(ls, err)) < 0)
		goto out;
	if (seq >= ls->fr.size)
		r = mamori_err_set(err, MAMORI_ENOTFOUND, "番号 %" PRIu64 " のイベントはありません", seq);
	else
		r = emit(ls, seq, NULL, &ev, &rec, &peer, fn, ctx, err);
out:
	log_event_release(&ev);
	strbuf_release(&rec);
	strbuf_release(&peer);
	return r;
}
