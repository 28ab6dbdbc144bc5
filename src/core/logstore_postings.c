/*
 * logstore_postings.c - the vault's search index: for every term (a user,
 * patient, host, action or source) the ascending list of the events that
 * carry it, kept as rows of log_posting (docs/internals/logstore.md).
 *
 * Why not SQL indexes on log_event: an index on (patient_id, seq) costs a
 * B-tree descent at a random place per event (measured 1.7 µs per index
 * per event at a million events), which would cap ingest far below the
 * rate one EHR needs at peak.  The writer instead collects, per term, the
 * seqs of the events appended since the last flush in memory and writes
 * one row per term at commit: a few tens of thousands of rows for a
 * second of a large hospital's traffic instead of millions of index
 * entries.
 *
 * A row is (term_id, first_seq, win, n, seqs): n ascending seqs, the first
 * being first_seq, then n - 1 LEB128 varints of the gaps.  A row never
 * spans two windows of LOGSTORE_POSTING_WINDOW seqs (win = seq / window)
 * and holds at most LOGSTORE_POSTING_MAX seqs, so that verification can
 * check the rows of one window against the events of that window in
 * bounded memory, and a search newest first decodes little it does not
 * need.
 *
 * Invariant (checked by `mamori log verify`): for every committed event
 * and every term it carries, its seq appears exactly once in that term's
 * rows, and the rows hold nothing else.
 */
#include "common.h"

#include <inttypes.h>

#include "logstore_int.h"

/* ---- building (the writer) ------------------------------------------------------- */

static void put_varint(struct strbuf *sb, uint64_t v)
{
	uint8_t b[10];
	size_t n = 0;

	do {
		b[n] = (uint8_t)(v & 0x7f);
		v >>= 7;
		if (v)
			b[n] |= 0x80;
		n++;
	} while (v);
	strbuf_add(sb, b, n);
}

static int write_row(struct logstore *ls, int64_t id, struct lposting *p, struct mamori_err *err)
{
	sqlite3_stmt *st = ls->ins_posting;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, (int64_t)p->first);
	sqlite3_bind_int64(st, 3, (int64_t)(p->first / LOGSTORE_POSTING_WINDOW));
	sqlite3_bind_int64(st, 4, p->n);
	sqlite3_bind_blob(st, 5, p->blob.len ? p->blob.buf : "", (int)p->blob.len, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return logstore_db_error(ls, err, "log_posting");
	}
	sqlite3_reset(st);
	p->n = 0;
	strbuf_reset(&p->blob);
	return 0;
}

int logstore_posting_add(struct logstore *ls, int64_t id, uint64_t seq, struct mamori_err *err)
{
	struct lposting *p;
	int r;

	assert(id > 0);
	if ((size_t)id >= ls->cappost) {
		size_t cap = ls->cappost ? ls->cappost : 4096;

		while (cap <= (size_t)id)
			cap *= 2;
		ls->post = xrealloc(ls->post, cap * sizeof(*ls->post));
		memset(ls->post + ls->cappost, 0, (cap - ls->cappost) * sizeof(*ls->post));
		ls->cappost = cap;
	}
	p = &ls->post[id];
	if (p->n && (p->n == LOGSTORE_POSTING_MAX ||
		     p->first / LOGSTORE_POSTING_WINDOW != seq / LOGSTORE_POSTING_WINDOW) &&
	    (r = write_row(ls, id, p, err)) < 0)
		return r;
	if (!p->n) {
		if (!p->touched) {
			p->touched = true;
			if (ls->ntouched == ls->captouched) {
				ls->captouched = ls->captouched ? ls->captouched * 2 : 1024;
				ls->touched = xrealloc(ls->touched,
						       ls->captouched * sizeof(*ls->touched));
			}
			ls->touched[ls->ntouched++] = id;
		}
		p->first = seq;
	} else {
		put_varint(&p->blob, seq - p->last);
	}
	p->last = seq;
	p->n++;
	return 0;
}

int logstore_postings_flush(struct logstore *ls, struct mamori_err *err)
{
	int r;

	for (size_t i = 0; i < ls->ntouched; i++) {
		struct lposting *p = &ls->post[ls->touched[i]];

		if (p->n && (r = write_row(ls, ls->touched[i], p, err)) < 0)
			return r;
		p->touched = false;
	}
	ls->ntouched = 0;
	return 0;
}

void logstore_postings_discard(struct logstore *ls)
{
	for (size_t i = 0; i < ls->ntouched; i++) {
		struct lposting *p = &ls->post[ls->touched[i]];

		p->n = 0;
		p->touched = false;
		strbuf_reset(&p->blob);
	}
	ls->ntouched = 0;
}

void logstore_postings_free(struct logstore *ls)
{
	for (size_t i = 0; i < ls->cappost; i++)
		strbuf_release(&ls->post[i].blob);
	free(ls->post);
	free(ls->touched);
	ls->post = NULL;
	ls->touched = NULL;
	ls->cappost = ls->ntouched = ls->captouched = 0;
}

/* ---- reading ---------------------------------------------------------------------- */

int logstore_posting_decode(const void *blob, size_t len, uint64_t first, uint64_t n,
			    uint64_t *out)
{
	const uint8_t *p = blob, *end = p + len;
	uint64_t seq = first;

	if (n < 1 || n > LOGSTORE_POSTING_MAX)
		return -1;
	out[0] = first;
	for (uint64_t i = 1; i < n; i++) {
		uint64_t gap = 0;
		unsigned shift = 0;

		for (;;) {
			if (p == end || shift > 63)
				return -1;
			gap |= (uint64_t)(*p & 0x7f) << shift;
			shift += 7;
			if (!(*p++ & 0x80))
				break;
		}
		if (gap == 0 || seq + gap < seq)
			return -1;
		seq += gap;
		out[i] = seq;
	}
	return p == end ? 0 : -1;
}

int logstore_posting_total(struct logstore *ls, int64_t id, uint64_t *total, struct mamori_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(ls->db, "SELECT total(n) FROM log_posting WHERE term_id = ?", -1, &st,
			       NULL) != SQLITE_OK)
		return logstore_db_error(ls, err, "log_posting");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	*total = rc == SQLITE_ROW ? (uint64_t)sqlite3_column_double(st, 0) : 0;
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return logstore_db_error(ls, err, "log_posting");
	return 0;
}

void logstore_pcursor_init(struct logstore_pcursor *c, struct logstore *ls, int64_t id,
			   uint64_t below)
{
	memset(c, 0, sizeof(*c));
	c->ls = ls;
	c->id = id;
	c->below = below;
	c->seqs = xmalloc(LOGSTORE_POSTING_MAX * sizeof(*c->seqs));
}

void logstore_pcursor_release(struct logstore_pcursor *c)
{
	sqlite3_finalize(c->st);
	free(c->seqs);
	memset(c, 0, sizeof(*c));
}

int logstore_pcursor_next(struct logstore_pcursor *c, uint64_t *seq, struct mamori_err *err)
{
	struct logstore *ls = c->ls;

	for (;;) {
		int rc;

		while (c->pos > 0) {
			uint64_t s = c->seqs[--c->pos];

			if (s < c->below) {
				*seq = s;
				return 1;
			}
		}
		if (c->done)
			return 0;
		if (!c->st) {
			if (sqlite3_prepare_v2(ls->db,
					       "SELECT first_seq, n, seqs FROM log_posting WHERE term_id = ?"
					       " AND first_seq < ? ORDER BY first_seq DESC",
					       -1, &c->st, NULL) != SQLITE_OK)
				return logstore_db_error(ls, err, "log_posting");
			sqlite3_bind_int64(c->st, 1, c->id);
			sqlite3_bind_int64(c->st, 2,
					   c->below > (uint64_t)INT64_MAX ? INT64_MAX : (int64_t)c->below);
		}
		rc = sqlite3_step(c->st);
		if (rc == SQLITE_DONE) {
			c->done = true;
			return 0;
		}
		if (rc != SQLITE_ROW)
			return logstore_db_error(ls, err, "log_posting");
		{
			uint64_t first = (uint64_t)sqlite3_column_int64(c->st, 0);
			uint64_t n = (uint64_t)sqlite3_column_int64(c->st, 1);

			if (logstore_posting_decode(sqlite3_column_blob(c->st, 2),
						    (size_t)sqlite3_column_bytes(c->st, 2), first, n,
						    c->seqs) < 0)
				return mamori_err_set(err, MAMORI_ECHECK,
						      "%s/index.db: 検索索引 (log_posting) の行が壊れています "
						      "(語 %" PRId64 ", 番号 %" PRIu64 " から)。"
						      "mamori log verify で確認してください",
						      ls->dir, c->id, first);
			c->pos = (size_t)n;
		}
	}
}

/* ---- verification ------------------------------------------------------------------ */

void logstore_pcheck_init(struct logstore_pcheck *pc)
{
	memset(pc, 0, sizeof(*pc));
	for (int k = 0; k < LT_KINDS; k++)
		pc->ids[k] = xcalloc(LOGSTORE_POSTING_WINDOW, sizeof(*pc->ids[k]));
	pc->seen = xcalloc(LOGSTORE_POSTING_WINDOW, sizeof(*pc->seen));
	pc->seqs = xmalloc(LOGSTORE_POSTING_MAX * sizeof(*pc->seqs));
}

void logstore_pcheck_release(struct logstore_pcheck *pc)
{
	for (int k = 0; k < LT_KINDS; k++)
		free(pc->ids[k]);
	free(pc->seen);
	free(pc->seqs);
	free(pc->kind_of);
	sqlite3_finalize(pc->st);
	memset(pc, 0, sizeof(*pc));
}

/* The kind of every term id (0: no such term), loaded once. */
static int load_kinds(struct logstore *ls, struct logstore_pcheck *pc, struct mamori_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(ls->db, "SELECT id, kind FROM log_term ORDER BY id", -1, &st, NULL) !=
	    SQLITE_OK)
		return logstore_db_error(ls, err, "log_term");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		int kind = sqlite3_column_int(st, 1);

		if (id <= 0 || id > INT32_MAX)
			continue;
		if ((size_t)id >= pc->nkind) {
			size_t cap = pc->nkind ? pc->nkind : 4096;

			while (cap <= (size_t)id)
				cap *= 2;
			pc->kind_of = xrealloc(pc->kind_of, cap);
			memset(pc->kind_of + pc->nkind, 0, cap - pc->nkind);
			pc->nkind = cap;
		}
		pc->kind_of[id] = (uint8_t)(kind > 0 && kind <= LT_KINDS ? kind : 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return logstore_db_error(ls, err, "log_term");
	return 0;
}

/*
 * Checks the posting rows of window win against pc->ids (the terms of the
 * window's events as the rows of log_event hold them, already checked
 * against the records), for the count events of the window.  On a
 * difference fills *bad_seq and reason and returns MAMORI_ECHECK.
 */
int logstore_pcheck_window(struct logstore *ls, struct logstore_pcheck *pc, uint64_t win,
			   uint64_t count, int64_t *bad_seq, char *reason, size_t rlen,
			   struct mamori_err *err)
{
	uint64_t base = win * LOGSTORE_POSTING_WINDOW;
	int rc, r = 0;

	if (!pc->kind_of && (r = load_kinds(ls, pc, err)) < 0)
		return r;
	if (!pc->st && sqlite3_prepare_v2(ls->db,
					  "SELECT term_id, first_seq, n, seqs FROM log_posting WHERE win = ?"
					  " ORDER BY term_id, first_seq",
					  -1, &pc->st, NULL) != SQLITE_OK)
		return logstore_db_error(ls, err, "log_posting");
	memset(pc->seen, 0, LOGSTORE_POSTING_WINDOW * sizeof(*pc->seen));
	sqlite3_reset(pc->st);
	sqlite3_bind_int64(pc->st, 1, (int64_t)win);
	while ((rc = sqlite3_step(pc->st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(pc->st, 0);
		uint64_t first = (uint64_t)sqlite3_column_int64(pc->st, 1);
		uint64_t n = (uint64_t)sqlite3_column_int64(pc->st, 2);
		int kind = id > 0 && (size_t)id < pc->nkind ? pc->kind_of[id] : 0;

		if (!kind || logstore_posting_decode(sqlite3_column_blob(pc->st, 3),
						     (size_t)sqlite3_column_bytes(pc->st, 3), first, n,
						     pc->seqs) < 0) {
			*bad_seq = (int64_t)first;
			snprintf(reason, rlen,
				 "検索索引 (log_posting) の行 (語 %" PRId64 ", 番号 %" PRIu64
				 " から) が壊れているか、存在しない語を指しています",
				 id, first);
			r = MAMORI_ECHECK;
			break;
		}
		for (uint64_t i = 0; i < n; i++) {
			uint64_t s = pc->seqs[i], o = s - base;

			if (s < base || o >= count) {
				*bad_seq = (int64_t)s;
				snprintf(reason, rlen,
					 "検索索引 (log_posting) が存在しない番号 %" PRIu64 " のイベントを指しています",
					 s);
				r = MAMORI_ECHECK;
				goto out;
			}
			if (pc->ids[kind - 1][o] != id || (pc->seen[o] >> kind & 1)) {
				*bad_seq = (int64_t)s;
				snprintf(reason, rlen,
					 "番号 %" PRIu64 " のイベントの%sが検索索引 (log_posting) と違います "
					 "(索引が書き換えられています)",
					 s, logstore_term_kind_name(kind));
				r = MAMORI_ECHECK;
				goto out;
			}
			pc->seen[o] |= (uint8_t)(1u << kind);
		}
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE && r == 0)
		return logstore_db_error(ls, err, "log_posting");
	if (r)
		goto out;
	/* every term of every event must have been listed */
	for (uint64_t o = 0; o < count; o++)
		for (int k = 1; k <= LT_KINDS; k++)
			if (pc->ids[k - 1][o] && !(pc->seen[o] >> k & 1)) {
				*bad_seq = (int64_t)(base + o);
				snprintf(reason, rlen,
					 "番号 %" PRIu64 " のイベントが%sの検索索引 (log_posting) にありません "
					 "(検索で見つからないように消されています)",
					 base + o, logstore_term_kind_name(k));
				r = MAMORI_ECHECK;
				goto out;
			}
out:
	sqlite3_reset(pc->st);
	return r;
}
