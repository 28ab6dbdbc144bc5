/*
 * logstore_verify.c - `mamori log verify`: reads every segment record in
 * large sequential reads, recomputes every leaf and the tree, and checks
 * against them everything the store keeps about the events: each stored
 * (and an external) checkpoint's signature and root, the cached block
 * hashes, and every event's entry in events.idx (position, leaf hash,
 * times, via, flags, result and the terms of user, patient, host, action
 * and source).  The
 * first difference is named (event number, segment file and offset, what
 * differs) in Japanese.
 *
 * The walk goes batch by batch (up to BATCH_MAX records, about 8 MiB of
 * segment data, cut at block boundaries where possible):
 *
 *   1. the main thread reads and splits the batch (fill_batch()), into
 *      one of two buffers: the next batch is read while this one goes
 *      through steps 2 and 3;
 *   2. the batch is cut into slices at the 1024-leaf block boundaries;
 *      both threads take slices: each reads its slice's entries from the
 *      mapping of events.idx into plain structs (rows), hashes the leaves,
 *      checks each record against its row and hashes a complete block's
 *      subtree;
 *   3. the main thread walks the slices in order: a clean complete block
 *      goes into the frontier as one subtree hash and is compared with
 *      log_block; anything else (a slice with a bad record, a checkpoint
 *      inside it, a block cut by the batch) is appended leaf by leaf
 *      exactly as the events come, so the first problem in event order is
 *      the one named.
 *
 * Checking a record against its row has a fast path (check_fast()) that
 * walks the record's header lines in place without allocating: times are
 * read with a cache of dates already seen by log_event_parse() (the time
 * of day is checked digit by digit), escaped values are unescaped while
 * being compared with the term's value, and only forms that are certainly
 * canonical are accepted.  Whenever it is not sure, the slow path parses
 * the record with log_event_parse() and compares with row_diff(), which
 * also words the difference: the fast path only ever says "identical".
 */
#include "common.h"

#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>

#include "logstore_int.h"
#include "enc.h"
#include "norm.h"

/* Reads of CHUNK bytes (split while they are in the cache) fill a buffer
 * of BUF_CAP bytes. */
#define CHUNK (512u * 1024)
#define BUF_CAP (8u * 1024 * 1024 + LOG_RECORD_MAX + 8)
#define BATCH_MAX (32u * LOGSTORE_BLOCK_LEAVES) /* records per batch */

struct term {
	int64_t id;
	int kind;
	char *value;
	size_t len;
};

/*
 * A term as a record's header line holds it: the canonical escape of its
 * value (log_event_escape()) and the LF, for the fast path.  32 bytes by
 * term id, so that checking a record costs one cache line per term: lines
 * up to TLINE_HEAD bytes are held whole, longer ones go on in vstate.arena.
 */
#define TLINE_HEAD 24
struct tline {
	uint32_t rest;   /* offset in arena of the bytes after the head */
	uint16_t len;    /* 0: no record can hold this id (no term, empty, too long) */
	uint8_t kind;
	uint8_t unused;
	char head[TLINE_HEAD];
};

static const int kinds[5] = { LT_USER, LT_PATIENT, LT_HOST, LT_ACTION, LT_SOURCE };

struct vstate {
	struct logstore *ls;
	struct logstore_verify_result *res;
	struct term *terms; /* sorted by id */
	size_t nterms;
	const struct term **by_id; /* terms[] indexed by id when the ids are dense */
	int64_t nby_id;
	struct tline *tl; /* nby_id of them, when by_id is there */
	char *arena;
	sqlite3_stmt *blocks;
	uint64_t nentries; /* entries mapped (events.idx), fixed for the walk */
	int blocks_rc;
	/* checkpoints sorted by size */
	struct vcp {
		uint64_t size;
		uint8_t root[MERKLE_HASH_LEN];
		int64_t id; /* -1: the external one */
	} *cps;
	size_t ncps, next_cp;
	struct merkle_frontier fr;
	uint64_t total;
};

/* An event's entry as read (capture()): an index row. */
struct vrow {
	bool present; /* an entry was there (in the file, its len not 0) */
	bool time_null;
	int via, result;
	uint8_t term_null; /* bit i: term column i (user .. source) is NULL */
	int leaf_bytes;
	int64_t seq, recv_us, time_us, flags, seg, off, len;
	int64_t term[5];
	uint8_t leaf[MERKLE_HASH_LEN];
};

/* A record of the batch: its bytes at buf + at, len bytes; the file offset
 * of its length prefix. */
struct vrec {
	uint32_t at, len, seg;
	uint64_t off;
};

/* A slice of a batch: records [first, first + n), inside one block. */
struct slice {
	uint32_t first, n;
	bool block;      /* a whole block: root is its subtree hash */
	int64_t bad;     /* index of the first bad record, -1 when none */
	uint8_t root[MERKLE_HASH_LEN];
	char what[400];  /* what differs at bad */
};

static const char *kind_label(int kind)
{
	switch (kind) {
	case LT_USER:
		return "利用者";
	case LT_PATIENT:
		return "患者ID";
	case LT_HOST:
		return "端末/ホスト";
	case LT_ACTION:
		return "操作";
	default:
		return "操作元";
	}
}

const char *logstore_term_kind_name(int kind)
{
	return kind_label(kind);
}

static int bad(struct vstate *vs, int64_t seq, uint32_t seg, uint64_t off, struct mamori_err *err,
	       const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int bad(struct vstate *vs, int64_t seq, uint32_t seg, uint64_t off, struct mamori_err *err,
	       const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	vs->res->bad_seq = seq;
	if (seg)
		snprintf(vs->res->reason, sizeof(vs->res->reason),
			 "番号 %" PRId64 " のイベント (seg-%08" PRIu32 ".log 位置 %" PRIu64 "): %s", seq,
			 seg, off, what);
	else if (seq >= 0)
		snprintf(vs->res->reason, sizeof(vs->res->reason), "番号 %" PRId64 " のイベント: %s",
			 seq, what);
	else
		snprintf(vs->res->reason, sizeof(vs->res->reason), "%s", what);
	return mamori_err_set(err, MAMORI_ECHECK, "改ざんか破損があります: %s", vs->res->reason);
}

static int term_cmp(const void *a, const void *b)
{
	const struct term *x = a, *y = b;

	return x->id < y->id ? -1 : x->id > y->id;
}

static const struct term *term_find(const struct vstate *vs, int64_t id)
{
	struct term key = { .id = id };

	if (vs->by_id)
		return id >= 0 && id < vs->nby_id ? vs->by_id[id] : NULL;
	return bsearch(&key, vs->terms, vs->nterms, sizeof(key), term_cmp);
}

/* Fills vs->tl and vs->arena from the dense vs->by_id. */
static void tlines(struct vstate *vs)
{
	struct strbuf line = STRBUF_INIT, arena = STRBUF_INIT;

	vs->tl = xcalloc((size_t)vs->nby_id, sizeof(*vs->tl));
	for (size_t i = 0; i < vs->nterms; i++) {
		const struct term *t = &vs->terms[i];
		struct tline *tl = &vs->tl[t->id];

		if (vs->by_id[t->id] != t || t->len < 1 || t->len > LOG_FIELD_MAX)
			continue;
		strbuf_reset(&line);
		log_event_escape(&line, t->value, t->len);
		strbuf_addch(&line, '\n');
		if (line.len > UINT16_MAX || arena.len + line.len > UINT32_MAX)
			continue;
		tl->len = (uint16_t)line.len;
		tl->kind = (uint8_t)t->kind;
		memcpy(tl->head, line.buf, line.len < TLINE_HEAD ? line.len : TLINE_HEAD);
		if (line.len > TLINE_HEAD) {
			tl->rest = (uint32_t)arena.len;
			strbuf_add(&arena, line.buf + TLINE_HEAD, line.len - TLINE_HEAD);
		}
	}
	vs->arena = strbuf_detach(&arena, NULL);
	strbuf_release(&line);
}

static int load_terms(struct vstate *vs, struct mamori_err *err)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	if (sqlite3_prepare_v2(vs->ls->db, "SELECT id, kind, value FROM log_term ORDER BY id", -1, &st,
			       NULL) != SQLITE_OK)
		return logstore_db_error(vs->ls, err, "log_term");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v = (const char *)sqlite3_column_text(st, 2);
		struct term *t;

		if (vs->nterms == cap) {
			cap = cap ? cap * 2 : 1024;
			vs->terms = xrealloc(vs->terms, cap * sizeof(*vs->terms));
		}
		t = &vs->terms[vs->nterms++];
		t->id = sqlite3_column_int64(st, 0);
		t->kind = sqlite3_column_int(st, 1);
		t->value = xstrdup(v ? v : "");
		t->len = strlen(t->value);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return logstore_db_error(vs->ls, err, "log_term");
	/* ids are rowids, normally 1..n: look them up by index then */
	if (vs->nterms && vs->terms[0].id >= 0 &&
	    vs->terms[vs->nterms - 1].id < (int64_t)vs->nterms * 2 + 65536) {
		vs->nby_id = vs->terms[vs->nterms - 1].id + 1;
		vs->by_id = xcalloc((size_t)vs->nby_id, sizeof(*vs->by_id));
		for (size_t i = 0; i < vs->nterms; i++)
			vs->by_id[vs->terms[i].id] = &vs->terms[i];
		tlines(vs);
	}
	return 0;
}

static int cp_cmp(const void *a, const void *b)
{
	const struct vcp *x = a, *y = b;

	return x->size < y->size ? -1 : x->size > y->size;
}

static int add_cp(struct vstate *vs, const char *note, size_t len, int64_t id, uint64_t col_size,
		  const void *col_root, struct mamori_err *err)
{
	struct checkpoint c;
	struct mamori_err e2 = { 0 };
	char label[64];
	int r;

	if (id >= 0)
		snprintf(label, sizeof(label), "保存されたチェックポイント %" PRId64, id);
	else
		snprintf(label, sizeof(label), "渡されたチェックポイント");
	checkpoint_init(&c);
	r = checkpoint_open(note, len, &vs->ls->ver, &c, &e2);
	if (r < 0) {
		r = bad(vs, -1, 0, 0, err, "%s の署名が正しくありません: %s", label, e2.msg);
		goto out;
	}
	if (strcmp(c.origin, vs->ls->origin)) {
		r = bad(vs, -1, 0, 0, err, "%s はほかの保管庫 (%s) のものです", label, c.origin);
		goto out;
	}
	if (id >= 0 && (c.size != col_size || memcmp(c.root, col_root, MERKLE_HASH_LEN))) {
		r = bad(vs, -1, 0, 0, err, "%s の大きさか根が署名された内容と違います", label);
		goto out;
	}
	if (c.size > vs->total) {
		r = bad(vs, (int64_t)vs->total, 0, 0, err,
			"%s は %" PRIu64 " 件を記録していますが、保管庫には %" PRIu64
			" 件しかありません (イベントが失われたか削除されました)",
			label, c.size, vs->total);
		goto out;
	}
	vs->cps = xrealloc(vs->cps, (vs->ncps + 1) * sizeof(*vs->cps));
	vs->cps[vs->ncps].size = c.size;
	memcpy(vs->cps[vs->ncps].root, c.root, MERKLE_HASH_LEN);
	vs->cps[vs->ncps].id = id;
	vs->ncps++;
out:
	checkpoint_release(&c);
	return r;
}

static int load_cps(struct vstate *vs, const char *ext, size_t ext_len, struct mamori_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	if (sqlite3_prepare_v2(vs->ls->db, "SELECT id, size, root, note FROM log_checkpoint ORDER BY id",
			       -1, &st, NULL) != SQLITE_OK)
		return logstore_db_error(vs->ls, err, "log_checkpoint");
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (sqlite3_column_bytes(st, 2) != MERKLE_HASH_LEN) {
			r = bad(vs, -1, 0, 0, err, "保存されたチェックポイント %" PRId64 " の根が壊れています",
				(int64_t)sqlite3_column_int64(st, 0));
			break;
		}
		r = add_cp(vs, (const char *)sqlite3_column_text(st, 3),
			   (size_t)sqlite3_column_bytes(st, 3), sqlite3_column_int64(st, 0),
			   (uint64_t)sqlite3_column_int64(st, 1), sqlite3_column_blob(st, 2), err);
		if (r < 0)
			break;
	}
	sqlite3_finalize(st);
	if (r == 0 && rc != SQLITE_DONE)
		return logstore_db_error(vs->ls, err, "log_checkpoint");
	if (r == 0 && ext)
		r = add_cp(vs, ext, ext_len, -1, 0, NULL, err);
	if (r == 0 && vs->ncps)
		qsort(vs->cps, vs->ncps, sizeof(*vs->cps), cp_cmp);
	return r;
}

/* Checks the checkpoints of size fr.size. */
static int check_cps(struct vstate *vs, struct mamori_err *err)
{
	uint8_t root[MERKLE_HASH_LEN];
	bool have = false;

	while (vs->next_cp < vs->ncps && vs->cps[vs->next_cp].size == vs->fr.size) {
		const struct vcp *cp = &vs->cps[vs->next_cp++];

		if (!have) {
			merkle_frontier_root(&vs->fr, root);
			have = true;
		}
		if (memcmp(root, cp->root, MERKLE_HASH_LEN)) {
			if (cp->id >= 0)
				return bad(vs, cp->size ? (int64_t)cp->size - 1 : -1, 0, 0, err,
					   "保存されたチェックポイント %" PRId64 " (大きさ %" PRIu64
					   ") の根が、記録から計算した木の根と違います",
					   cp->id, cp->size);
			return bad(vs, cp->size ? (int64_t)cp->size - 1 : -1, 0, 0, err,
				   "渡されたチェックポイント (大きさ %" PRIu64
				   ") の根が、記録から計算した木の根と違います",
				   cp->size);
		}
		vs->res->checkpoint_size = cp->size;
	}
	return 0;
}

static int check_block(struct vstate *vs, uint64_t block, const uint8_t h[MERKLE_HASH_LEN],
		       struct mamori_err *err)
{
	sqlite3_stmt *st = vs->blocks;
	uint64_t first = block * LOGSTORE_BLOCK_LEAVES;

	if (vs->blocks_rc != SQLITE_ROW || (uint64_t)sqlite3_column_int64(st, 0) != block)
		return bad(vs, (int64_t)first, 0, 0, err,
			   "ブロック %" PRIu64 " (番号 %" PRIu64 "〜%" PRIu64 ") のハッシュが索引にありません",
			   block, first, first + LOGSTORE_BLOCK_LEAVES - 1);
	if (sqlite3_column_bytes(st, 1) != MERKLE_HASH_LEN ||
	    memcmp(sqlite3_column_blob(st, 1), h, MERKLE_HASH_LEN))
		return bad(vs, (int64_t)first, 0, 0, err,
			   "ブロック %" PRIu64 " (番号 %" PRIu64 "〜%" PRIu64
			   ") のハッシュが記録から計算したものと違います",
			   block, first, first + LOGSTORE_BLOCK_LEAVES - 1);
	vs->blocks_rc = sqlite3_step(st);
	return 0;
}

/* ---- a record against its index row --------------------------------------------- */

/* Fills rows[0..n) with the entries of events seq .. seq + n - 1. */
static void capture(const struct vstate *vs, uint64_t seq, struct vrow *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct vrow *row = &rows[i];
		const struct logstore_entry *e;

		row->present = seq + i < vs->nentries;
		if (!row->present)
			continue;
		e = logstore_entry_at(vs->ls, seq + i);
		if (!e->len) {
			row->present = false;
			continue;
		}
		row->seq = (int64_t)(seq + i);
		row->recv_us = e->recv_us;
		row->time_us = e->time_us;
		row->time_null = e->time_us == INT64_MIN;
		row->via = e->via;
		row->flags = e->flags;
		row->term_null = 0;
		for (int k = 0; k < 5; k++) {
			row->term[k] = e->term[k];
			if (!e->term[k])
				row->term_null |= (uint8_t)(1u << k);
		}
		row->result = e->result;
		row->seg = e->seg;
		row->off = (int64_t)e->off;
		row->len = e->len;
		row->leaf_bytes = MERKLE_HASH_LEN;
		memcpy(row->leaf, e->leaf, MERKLE_HASH_LEN);
	}
}

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/*
 * Compares the index row of seq with its parsed record at (seg, off): 0
 * when they agree, else 1 with what differs in what.  Safe in any thread.
 */
static int row_diff(const struct vstate *vs, uint64_t seq, const struct vrec *rc,
		    const struct vrow *row, const struct log_event *ev, char *what, size_t wlen)
{
	const char *got[5] = { ev->f.user, ev->f.patient, ev->f.host, ev->f.action, ev->f.source };

	if (!row->present || (uint64_t)row->seq != seq) {
		snprintf(what, wlen, "索引にこのイベントの行がありません");
		return 1;
	}
	if ((uint64_t)row->seg != rc->seg || (uint64_t)row->off != rc->off ||
	    (uint64_t)row->len != rc->len) {
		snprintf(what, wlen,
			 "索引の位置 (seg-%08" PRIu64 ".log 位置 %" PRIu64 "、%" PRIu64
			 " バイト) が記録と違います",
			 (uint64_t)row->seg, (uint64_t)row->off, (uint64_t)row->len);
		return 1;
	}
	if (row->leaf_bytes != MERKLE_HASH_LEN || memcmp(row->leaf, ev->leaf, MERKLE_HASH_LEN)) {
		snprintf(what, wlen, "記録の内容が追加時のハッシュと違います (記録が書き換えられています)");
		return 1;
	}
	if (row->recv_us != ev->recv_us) {
		snprintf(what, wlen, "受信時刻が索引と記録で違います");
		return 1;
	}
	if (row->time_null != (ev->time_us == INT64_MIN) ||
	    (ev->time_us != INT64_MIN && row->time_us != ev->time_us)) {
		snprintf(what, wlen, "発生時刻が索引と記録で違います");
		return 1;
	}
	if (row->via != (int)ev->via) {
		snprintf(what, wlen, "受信経路が索引と記録で違います");
		return 1;
	}
	if ((uint64_t)row->flags != ev->flags) {
		snprintf(what, wlen, "フラグが索引と記録で違います");
		return 1;
	}
	if (row->result != (int)ev->f.result) {
		snprintf(what, wlen, "結果が索引 (%d) と記録 (%s) で違います", row->result,
			 log_result_name(ev->f.result));
		return 1;
	}
	for (int i = 0; i < 5; i++) {
		const char *want = NULL;

		if (!(row->term_null >> i & 1)) {
			const struct term *t = term_find(vs, row->term[i]);

			if (!t || t->kind != kinds[i]) {
				snprintf(what, wlen, "索引の%sが存在しない語 (%" PRId64 ") を指しています",
					 kind_label(kinds[i]), row->term[i]);
				return 1;
			}
			want = t->value;
		}
		if (!same_str(want, got[i])) {
			snprintf(what, wlen, "%sが索引 (\"%.80s\") と記録 (\"%.80s\") で違います",
				 kind_label(kinds[i]), want ? want : "-", got[i] ? got[i] : "-");
			return 1;
		}
	}
	return 0;
}

/* ---- the fast path ------------------------------------------------------------------ */

/*
 * Dates already read by log_event_parse(): the 10 bytes "YYYY-MM-DD" and
 * the microseconds of that midnight.  One per thread.
 */
#define NDATES 4
struct datecache {
	char date[NDATES][10];
	int64_t base[NDATES];
	unsigned n, next;
};

/* The time of day of a 27-byte time text, checked as log_event_parse()
 * does (separators, digits, hour <= 23, minute and second <= 59). */
static bool tod_parse(const char *t, int64_t *out)
{
	static const uint8_t digit_at[] = { 11, 12, 14, 15, 17, 18, 20, 21, 22, 23, 24, 25 };
	int64_t h, mi, s, us = 0;

	if (t[10] != 'T' || t[13] != ':' || t[16] != ':' || t[19] != '.' || t[26] != 'Z')
		return false;
	for (size_t i = 0; i < sizeof(digit_at); i++)
		if (t[digit_at[i]] < '0' || t[digit_at[i]] > '9')
			return false;
	h = (t[11] - '0') * 10 + (t[12] - '0');
	mi = (t[14] - '0') * 10 + (t[15] - '0');
	s = (t[17] - '0') * 10 + (t[18] - '0');
	for (int i = 20; i < 26; i++)
		us = us * 10 + (t[i] - '0');
	if (h > 23 || mi > 59 || s > 59)
		return false;
	*out = (h * 3600 + mi * 60 + s) * 1000000 + us;
	return true;
}

static bool time_fast(const struct datecache *dc, const char *v, size_t len, int64_t *us)
{
	int64_t tod;

	if (len != 27)
		return false;
	for (unsigned i = 0; i < dc->n; i++) {
		if (memcmp(dc->date[i], v, 10))
			continue;
		if (!tod_parse(v, &tod))
			return false;
		*us = dc->base[i] + tod;
		return true;
	}
	return false;
}

/* Remembers the date of v, a time text log_event_parse() read as us. */
static void date_learn(struct datecache *dc, const char *v, int64_t us)
{
	int64_t tod;

	if (!tod_parse(v, &tod))
		return;
	for (unsigned i = 0; i < dc->n; i++)
		if (!memcmp(dc->date[i], v, 10))
			return;
	memcpy(dc->date[dc->next], v, 10);
	dc->base[dc->next] = us - tod;
	if (dc->n < NDATES)
		dc->n++;
	dc->next = (dc->next + 1) % NDATES;
}

/* canonical escapes are lower-case hex */
static int hexval(int c)
{
	return c >= 'A' && c <= 'F' ? -1 : norm_hex_digit(c);
}

/*
 * The escaped value at *p up to its line's LF (not "-"): true only when
 * log_event_parse() accepts it (canonical escapes, 1..max bytes
 * unescaped) and, when want is not NULL, it unescapes to want[0..wlen);
 * *p moves past the LF then.  False when it is not or when this does not
 * know (\xHH of a byte >= 0x80): the slow path decides then.
 */
static bool field_line(const char **p, const char *end, size_t max, const char *want, size_t wlen)
{
	const unsigned char *s = (const unsigned char *)*p;
	size_t len = (size_t)(end - *p), i = 0, o = 0;

	if (len >= 5 && !memcmp(s, "\\x2d\n", 5)) { /* the value "-" */
		*p += 5;
		return !want || (wlen == 1 && want[0] == '-');
	}
	if (len >= 2 && s[0] == '-' && s[1] == '\n')
		return false;
	for (;;) {
		unsigned c;
		size_t k = 1;
		char one;
		const char *out = &one;

		if (i == len)
			return false;
		c = s[i];
		if (c >= 0x20 && c < 0x7f && c != '\\') {
			/* a run of plain ASCII is itself */
			while (i + k < len && s[i + k] >= 0x20 && s[i + k] < 0x7f && s[i + k] != '\\')
				k++;
			out = (const char *)s + i;
			i += k;
		} else if (c == '\n') {
			break;
		} else if (c == '\\') {
			if (i + 1 == len)
				return false;
			switch (s[i + 1]) {
			case '\\':
				one = '\\';
				i += 2;
				break;
			case 'n':
				one = '\n';
				i += 2;
				break;
			case 't':
				one = '\t';
				i += 2;
				break;
			case 'x': {
				int hi, lo, b;

				if (len - i < 4)
					return false;
				hi = hexval(s[i + 2]);
				lo = hexval(s[i + 3]);
				if (hi < 0 || lo < 0)
					return false;
				b = hi << 4 | lo;
				/* only the control bytes log_event_escape() writes as \xHH */
				if (b == 0 || b == '\n' || b == '\t' || (b >= 0x20 && b != 0x7f))
					return false;
				one = (char)b;
				i += 4;
				break;
			}
			default:
				return false;
			}
		} else if (c >= 0x80) {
			k = enc_utf8_seq_len(s + i, len - i);
			if (!k)
				return false;
			out = (const char *)s + i;
			i += k;
		} else {
			return false; /* a raw control byte */
		}
		if (o + k > max || (want && o + k > wlen))
			return false;
		if (want)
			for (size_t j = 0; j < k; j++)
				if (want[o + j] != out[j])
					return false;
		o += k;
	}
	if (!o || (want && o != wlen))
		return false;
	*p += i + 1;
	return true;
}

/* parse_uint() of logevent.c on the value at *p up to its LF: decimal,
 * no leading zeros, at most max; *p moves past the LF. */
static bool uint_line(const char **p, const char *end, uint64_t max, uint64_t *out)
{
	const char *v = *p;
	uint64_t n = 0;
	size_t len = 0;

	while (v + len < end && v[len] != '\n')
		len++;
	if (v + len == end || !len || len > 20 || (len > 1 && v[0] == '0'))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned d;

		if (v[i] < '0' || v[i] > '9')
			return false;
		d = (unsigned)(v[i] - '0');
		if (n > (max - d) / 10)
			return false;
		n = n * 10 + d;
	}
	*out = n;
	*p += len + 1;
	return true;
}

/* A 27-byte time and its LF at *p, read with the date cache. */
static bool time_line(const char **p, const char *end, const struct datecache *dc, int64_t *us)
{
	if (end - *p < 28 || (*p)[27] != '\n' || !time_fast(dc, *p, 27, us))
		return false;
	*p += 28;
	return true;
}

/* The text lit at *p (a literal: the compiler compares it inline). */
#define EXPECT(lit) \
	((size_t)(end - p) >= sizeof(lit) - 1 && !memcmp(p, lit, sizeof(lit) - 1) && \
	 (p += sizeof(lit) - 1, true))

/*
 * Whether the first n (<= TLINE_HEAD) bytes of p, which has TLINE_HEAD
 * bytes, are those of head: three word compares instead of a call.
 */
static inline bool head_equal(const char *p, const char *head, size_t n)
{
	uint64_t diff = 0;

	for (size_t k = 0; k < TLINE_HEAD / 8; k++) {
		uint64_t a, h, mask;
		size_t left = n > 8 * k ? n - 8 * k : 0;

		memcpy(&a, p + 8 * k, 8);
		memcpy(&h, head + 8 * k, 8);
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		mask = left >= 8 ? ~0ull : left ? ~(~0ull >> (8 * left)) : 0;
#else
		mask = left >= 8 ? ~0ull : left ? ~(~0ull << (8 * left)) : 0;
#endif
		diff |= (a ^ h) & mask;
	}
	return diff == 0;
}

/* A term field (row column i) at *p up to its LF. */
static bool term_line(const struct vstate *vs, const struct vrow *row, int i, const char **pp,
		      const char *end)
{
	const struct term *t;
	const char *p = *pp;

	if (row->term_null >> i & 1) {
		if (!EXPECT("-\n"))
			return false;
		*pp = p;
		return true;
	}
	if (vs->tl) {
		/* the record holds exactly the canonical escape of the term's
		 * value: log_event_parse() reads that back as the value */
		const struct tline *tl;
		size_t n;

		if (row->term[i] < 0 || row->term[i] >= vs->nby_id)
			return false;
		tl = &vs->tl[row->term[i]];
		if (!tl->len || tl->kind != kinds[i] || (size_t)(end - p) < tl->len)
			return false;
		n = tl->len < TLINE_HEAD ? tl->len : TLINE_HEAD;
		if ((size_t)(end - p) >= TLINE_HEAD ? !head_equal(p, tl->head, n)
						    : memcmp(p, tl->head, n) != 0)
			return false;
		if (tl->len > TLINE_HEAD &&
		    memcmp(p + TLINE_HEAD, vs->arena + tl->rest, tl->len - TLINE_HEAD))
			return false;
		*pp = p + tl->len;
		return true;
	}
	t = term_find(vs, row->term[i]);
	return t && t->kind == kinds[i] && field_line(pp, end, LOG_FIELD_MAX, t->value, t->len);
}

/*
 * True only when the record rec (of seq, at rc, leaf hash leaf) is one
 * log_event_parse() accepts and row_diff() finds equal to row.  Reads the
 * record once, in place; allocates nothing.
 */
static bool check_fast(const struct vstate *vs, const struct datecache *dc, uint64_t seq,
		       const struct vrec *rc, const char *rec, const struct vrow *row,
		       const uint8_t leaf[MERKLE_HASH_LEN])
{
	const char *p = rec, *end = rec + rc->len;
	int64_t us;
	uint64_t n;

	if (!row->present || (uint64_t)row->seq != seq || (uint64_t)row->seg != rc->seg ||
	    (uint64_t)row->off != rc->off || (uint64_t)row->len != rc->len ||
	    row->leaf_bytes != MERKLE_HASH_LEN || memcmp(row->leaf, leaf, MERKLE_HASH_LEN))
		return false;
	if (!EXPECT("MAMORI-LOG 1\nrecv ") || !time_line(&p, end, dc, &us) || us != row->recv_us ||
	    !EXPECT("via "))
		return false;
	if (!(row->via == LOG_VIA_UDP ? EXPECT("udp\n")
	      : row->via == LOG_VIA_TCP ? EXPECT("tcp\n")
	      : row->via == LOG_VIA_RELP ? EXPECT("relp\n")
	      : row->via == LOG_VIA_FILE ? EXPECT("file\n")
					 : false))
		return false;
	if (!EXPECT("peer ") || !(EXPECT("-\n") || field_line(&p, end, LOG_PEER_MAX, NULL, 0)) ||
	    !EXPECT("time "))
		return false;
	if (row->time_null ? !EXPECT("-\n") : !time_line(&p, end, dc, &us) || us != row->time_us)
		return false;
	if (!EXPECT("user ") || !term_line(vs, row, 0, &p, end) || !EXPECT("patient ") ||
	    !term_line(vs, row, 1, &p, end) || !EXPECT("host ") || !term_line(vs, row, 2, &p, end) ||
	    !EXPECT("action ") || !term_line(vs, row, 3, &p, end) || !EXPECT("result "))
		return false;
	if (!(row->result == LOG_RESULT_SUCCESS ? EXPECT("success\n")
	      : row->result == LOG_RESULT_FAILURE ? EXPECT("failure\n")
	      : row->result == LOG_RESULT_UNKNOWN ? EXPECT("-\n")
						  : false))
		return false;
	if (!EXPECT("source ") || !term_line(vs, row, 4, &p, end) || !EXPECT("flags ") ||
	    !uint_line(&p, end, UINT32_MAX, &n) || (uint64_t)row->flags != n || !EXPECT("rule ") ||
	    !(EXPECT("-\n") || field_line(&p, end, LOG_FIELD_MAX, NULL, 0)) || !EXPECT("len ") ||
	    !uint_line(&p, end, LOG_RECORD_MAX, &n) || !EXPECT("\n"))
		return false;
	return (uint64_t)(end - p) == n;
}

#undef EXPECT

/* ---- slices: hashing and checking, in both threads ----------------------------------- */

/* One batch, shared by the main thread and the helper. */
struct batch {
	const struct vstate *vs;
	const char *buf;
	const struct vrec *recs;
	const struct vrow *rows;
	uint8_t (*leaves)[MERKLE_HASH_LEN];
	uint64_t seq0;

	struct vrow *rows_w;

	pthread_mutex_t mu;
	pthread_cond_t work_cv; /* gen, quit, done */
	unsigned gen;
	bool quit;
	struct slice *slices;
	size_t nslices, next, done; /* slices handed out and finished */
};

/* What each thread keeps for itself. */
struct worker {
	struct datecache dc;
	struct log_event ev;
};

static void say(char *what, size_t wlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void say(char *what, size_t wlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, wlen, fmt, ap);
	va_end(ap);
}

/* The slow path for record i: 0 when it is intact, else -1 and what. */
static int check_slow(struct batch *b, struct worker *w, size_t i, char *what, size_t wlen)
{
	const struct vrec *rc = &b->recs[i];
	const char *rec = b->buf + rc->at;
	struct mamori_err e2 = { 0 };
	const char *p = rec;

	if (log_event_parse(&w->ev, rec, rc->len, NULL, &e2) < 0) {
		say(what, wlen, "記録が読めません: %s", e2.msg);
		return -1;
	}
	memcpy(w->ev.leaf, b->leaves[i], MERKLE_HASH_LEN);
	if (row_diff(b->vs, b->seq0 + i, rc, &b->rows[i], &w->ev, what, wlen))
		return -1;
	/* learn the dates for the fast path: recv is at 18, time on line 5 */
	date_learn(&w->dc, rec + 18, w->ev.recv_us);
	for (int k = 0; k < 4; k++)
		p = memchr(p, '\n', (size_t)(rec + rc->len - p)) + 1;
	if (w->ev.time_us != INT64_MIN)
		date_learn(&w->dc, p + 5, w->ev.time_us);
	return 0;
}

/* The term lines of a record checked PREFETCH_AHEAD records later are
 * fetched while this one is checked: they are spread over the table. */
#define PREFETCH_AHEAD 8
static void prefetch_terms(const struct vstate *vs, const struct vrow *row)
{
	if (!vs->tl || !row->present)
		return;
	for (int k = 0; k < 5; k++)
		if (row->term[k] > 0 && row->term[k] < vs->nby_id)
			__builtin_prefetch(&vs->tl[row->term[k]]);
}

/* A slice: its rows, leaves, checks, block. */
static void do_slice(struct batch *b, struct worker *w, struct slice *s)
{
	size_t end = (size_t)s->first + s->n;

	capture(b->vs, b->seq0 + s->first, b->rows_w + s->first, s->n);
	for (size_t i = s->first; i < end; i++)
		merkle_leaf_hash(b->buf + b->recs[i].at, b->recs[i].len, b->leaves[i]);
	for (size_t i = s->first; i < end; i++) {
		if (i + PREFETCH_AHEAD < end)
			prefetch_terms(b->vs, &b->rows[i + PREFETCH_AHEAD]);
		if (check_fast(b->vs, &w->dc, b->seq0 + i, &b->recs[i], b->buf + b->recs[i].at,
			       &b->rows[i], b->leaves[i]))
			continue;
		if (check_slow(b, w, i, s->what, sizeof(s->what)) < 0) {
			s->bad = (int64_t)i;
			return;
		}
	}
	if (s->block)
		merkle_root((const uint8_t(*)[MERKLE_HASH_LEN])b->leaves + s->first, s->n, s->root);
}

/* Takes the next slice of batch generation gen, NULL when none is left. */
static struct slice *claim(struct batch *b, unsigned gen)
{
	struct slice *s = NULL;

	pthread_mutex_lock(&b->mu);
	if (b->gen == gen && b->next < b->nslices)
		s = &b->slices[b->next++];
	pthread_mutex_unlock(&b->mu);
	return s;
}

static void work(struct batch *b, struct worker *w, unsigned gen)
{
	struct slice *s;

	while ((s = claim(b, gen))) {
		do_slice(b, w, s);
		pthread_mutex_lock(&b->mu);
		if (++b->done == b->nslices)
			pthread_cond_broadcast(&b->work_cv);
		pthread_mutex_unlock(&b->mu);
	}
}

static void *helper(void *arg)
{
	struct batch *b = arg;
	struct worker w = { 0 };
	unsigned seen = 0;

	log_event_init(&w.ev);
	pthread_mutex_lock(&b->mu);
	for (;;) {
		while (b->gen == seen && !b->quit)
			pthread_cond_wait(&b->work_cv, &b->mu);
		if (b->quit)
			break;
		seen = b->gen;
		pthread_mutex_unlock(&b->mu);
		work(b, &w, seen);
		pthread_mutex_lock(&b->mu);
	}
	pthread_mutex_unlock(&b->mu);
	log_event_release(&w.ev);
	return NULL;
}

/* ---- reading the segments ----------------------------------------------------------------- */

struct reader {
	struct logstore *ls;
	sqlite3_stmt *segs;
	struct strbuf path;
	int fd;     /* the current segment, -1 before the next is opened */
	uint32_t no;
	bool eof;   /* of fd */
	bool last;  /* no more segments */
	char *buf;  /* BUF_CAP bytes */
	size_t pos, have;  /* buf[pos..have): not yet taken, of the current segment */
	size_t base;       /* buf[base] is at offset base_off of the current segment */
	uint64_t base_off;
	struct vrec *recs;
	size_t cap_recs;
	/* the other buffer and records: the batch being checked while the
	 * next is read (rd_flip()) */
	char *spare_buf;
	struct vrec *spare_recs;
	size_t spare_cap;
};

/* Makes the spare buffer current, the bytes not yet taken moved into it;
 * the batch split from the other stays as it is. */
static void rd_flip(struct reader *rd)
{
	char *old = rd->buf;
	struct vrec *recs = rd->recs;
	size_t cap = rd->cap_recs, left = rd->have - rd->pos;

	rd->buf = rd->spare_buf;
	rd->spare_buf = old;
	rd->recs = rd->spare_recs;
	rd->spare_recs = recs;
	rd->cap_recs = rd->spare_cap;
	rd->spare_cap = cap;
	memcpy(rd->buf, old + rd->pos, left);
	rd->base_off += rd->pos - rd->base;
	rd->base = 0;
	rd->have = left;
	rd->pos = 0;
}

/* A problem found while reading, at event seq: named after the records
 * before it are checked. */
struct pending {
	bool set;
	uint64_t seq;
	uint32_t seg;
	uint64_t off;
	char what[400];
};

static int read_full(int fd, char *buf, size_t want, size_t *got)
{
	*got = 0;
	while (*got < want) {
		ssize_t n = read(fd, buf + *got, want - *got);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		*got += (size_t)n;
	}
	return 0;
}

static void pend(struct pending *pd, uint64_t seq, uint32_t seg, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void pend(struct pending *pd, uint64_t seq, uint32_t seg, uint64_t off, const char *fmt, ...)
{
	va_list ap;

	pd->set = true;
	pd->seq = seq;
	pd->seg = seg;
	pd->off = off;
	va_start(ap, fmt);
	vsnprintf(pd->what, sizeof(pd->what), fmt, ap);
	va_end(ap);
}

/*
 * Splits the next records, events seq0 onwards, into rd->recs: up to
 * BATCH_MAX, as many as the buffer holds, none at or beyond vs->total,
 * across segment files.  *n receives the count (0: no more segments); a
 * problem at event seq0 + *n goes into pd.  MAMORI_EIO when a read fails.
 */
static int fill_batch(struct reader *rd, const struct vstate *vs, uint64_t seq0, size_t *n,
		      struct pending *pd, struct mamori_err *err)
{
	bool full = false;

	*n = 0;
	if (rd->pos) {
		memmove(rd->buf, rd->buf + rd->pos, rd->have - rd->pos);
		rd->base_off += rd->pos - rd->base;
		rd->base = 0;
		rd->have -= rd->pos;
		rd->pos = 0;
	}
	for (;;) {
		uint64_t seq = seq0 + *n, len;
		size_t avail = rd->have - rd->pos, want, got;

		if (seq >= vs->total || *n == BATCH_MAX)
			break;
		if (rd->fd < 0) {
			/* the next segment */
			uint64_t first;

			if (rd->last || sqlite3_step(rd->segs) != SQLITE_ROW) {
				rd->last = true;
				break;
			}
			rd->no = (uint32_t)sqlite3_column_int64(rd->segs, 0);
			first = (uint64_t)sqlite3_column_int64(rd->segs, 1);
			if (first != seq) {
				pend(pd, seq, rd->no, 0,
				     "区画 seg-%08" PRIu32 ".log は番号 %" PRIu64 " から始まるはずです "
				     "(区画の一覧が違います)",
				     rd->no, first);
				break;
			}
			logstore_seg_path(rd->ls, rd->no, &rd->path);
			rd->fd = open(rd->path.buf, O_RDONLY | O_CLOEXEC);
			if (rd->fd < 0) {
				pend(pd, seq, rd->no, 0, "区画ファイル %s を開けません: %s", rd->path.buf,
				     strerror(errno));
				break;
			}
			posix_fadvise(rd->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
			rd->eof = false;
			rd->base = rd->have;
			rd->base_off = 0;
			continue;
		}
		if (avail >= 4) {
			const uint8_t *p = (const uint8_t *)rd->buf + rd->pos;

			len = (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3];
			if (len == 0 || len > LOG_RECORD_MAX) {
				pend(pd, seq, rd->no, rd->base_off + (rd->pos - rd->base),
				     "記録の長さ (%" PRIu64 " バイト) が不正です", len);
				break;
			}
			if (avail - 4 >= len) {
				if (*n == rd->cap_recs) {
					rd->cap_recs = rd->cap_recs ? rd->cap_recs * 2 : 4096;
					rd->recs = xrealloc(rd->recs, rd->cap_recs * sizeof(*rd->recs));
				}
				rd->recs[*n] = (struct vrec){
					.at = (uint32_t)(rd->pos + 4),
					.len = (uint32_t)len,
					.seg = rd->no,
					.off = rd->base_off + (rd->pos - rd->base),
				};
				(*n)++;
				rd->pos += 4 + len;
				continue;
			}
		}
		if (!rd->eof) {
			if (rd->have == BUF_CAP) {
				full = true;
				break;
			}
			want = BUF_CAP - rd->have < CHUNK ? BUF_CAP - rd->have : CHUNK;
			if (read_full(rd->fd, rd->buf + rd->have, want, &got) < 0)
				return mamori_err_set(err, MAMORI_EIO, "%s: %s", rd->path.buf,
						      strerror(errno));
			rd->have += got;
			if (got < want)
				rd->eof = true;
			continue;
		}
		if (avail) {
			pend(pd, seq, rd->no, rd->base_off + (rd->pos - rd->base),
			     "区画ファイルの最後の記録が途中で切れています");
			break;
		}
		close(rd->fd);
		rd->fd = -1;
	}
	/* a full buffer: end at a block boundary when one is in this segment,
	 * so that whole blocks are hashed in parallel */
	if (full) {
		size_t cut = (size_t)((seq0 + *n) % LOGSTORE_BLOCK_LEAVES);

		if (cut && cut < *n && rd->recs[*n - cut].seg == rd->no) {
			*n -= cut;
			rd->pos = rd->recs[*n].at - 4;
		}
	}
	return 0;
}

/* Appends the hash of a whole block to a frontier of a multiple of
 * LOGSTORE_BLOCK_LEAVES leaves, as appending its leaves would. */
static void fr_append_block(struct merkle_frontier *f, const uint8_t root[MERKLE_HASH_LEN])
{
	uint8_t h[MERKLE_HASH_LEN];
	unsigned k = 10;

	if (f->size % LOGSTORE_BLOCK_LEAVES)
		BUG("fr_append_block at size %" PRIu64, f->size);
	memcpy(h, root, MERKLE_HASH_LEN);
	while (f->size >> k & 1) {
		merkle_node_hash(f->level[k], h, h);
		k++;
	}
	memcpy(f->level[k], h, MERKLE_HASH_LEN);
	f->size += LOGSTORE_BLOCK_LEAVES;
}

/* Step 2 of the top for the n records in rd->recs: the slices are handed
 * to the helper, which starts on them. */
static void check_start(struct batch *b, struct reader *rd, struct vrow **rows, size_t *cap_rows,
			struct slice **slices, size_t *cap_slices, uint64_t seq0, size_t n)
{
	size_t ns = 0;

	if (n > *cap_rows) {
		*cap_rows = n;
		*rows = xrealloc(*rows, n * sizeof(**rows));
		b->leaves = xrealloc(b->leaves, n * sizeof(*b->leaves));
	}
	for (size_t i = 0; i < n;) {
		uint64_t s = seq0 + i;
		size_t k = LOGSTORE_BLOCK_LEAVES - (size_t)(s % LOGSTORE_BLOCK_LEAVES);

		if (k > n - i)
			k = n - i;
		if (ns == *cap_slices) {
			*cap_slices = *cap_slices ? *cap_slices * 2 : 64;
			*slices = xrealloc(*slices, *cap_slices * sizeof(**slices));
		}
		(*slices)[ns++] = (struct slice){
			.first = (uint32_t)i,
			.n = (uint32_t)k,
			.block = k == LOGSTORE_BLOCK_LEAVES,
			.bad = -1,
		};
		i += k;
	}

	pthread_mutex_lock(&b->mu);
	b->buf = rd->buf;
	b->recs = rd->recs;
	b->rows = b->rows_w = *rows;
	b->seq0 = seq0;
	b->slices = *slices;
	b->nslices = ns;
	b->next = b->done = 0;
	++b->gen;
	pthread_cond_broadcast(&b->work_cv);
	pthread_mutex_unlock(&b->mu);
}

/* Step 2 in this thread too until every slice is done, then step 3. */
static int check_finish(struct vstate *vs, struct batch *b, struct worker *w, struct mamori_err *err)
{
	uint64_t seq0 = b->seq0;
	uint8_t(*leaves)[MERKLE_HASH_LEN] = b->leaves;

	work(b, w, b->gen);
	pthread_mutex_lock(&b->mu);
	while (b->done < b->nslices)
		pthread_cond_wait(&b->work_cv, &b->mu);
	pthread_mutex_unlock(&b->mu);

	/* the tree and the checkpoints, in event order */
	for (size_t j = 0; j < b->nslices; j++) {
		const struct slice *s = &b->slices[j];
		uint64_t end = seq0 + s->first + s->n;
		uint8_t block[MERKLE_HASH_LEN];
		int r;

		if (s->block && s->bad < 0 && vs->fr.size % LOGSTORE_BLOCK_LEAVES == 0 &&
		    !(vs->next_cp < vs->ncps && vs->cps[vs->next_cp].size < end)) {
			fr_append_block(&vs->fr, s->root);
			if ((r = check_block(vs, (end - 1) / LOGSTORE_BLOCK_LEAVES, s->root, err)) < 0 ||
			    (r = check_cps(vs, err)) < 0)
				return r;
			vs->res->events += s->n;
			for (size_t i = s->first; i < (size_t)s->first + s->n; i++)
				vs->res->bytes += b->recs[i].len;
			continue;
		}
		for (size_t i = s->first; i < (size_t)s->first + s->n; i++) {
			const struct vrec *rc = &b->recs[i];

			if ((int64_t)i == s->bad)
				return bad(vs, (int64_t)(seq0 + i), rc->seg, rc->off, err, "%s", s->what);
			if (logstore_fr_append(&vs->fr, leaves[i], block) &&
			    (r = check_block(vs, (seq0 + i) / LOGSTORE_BLOCK_LEAVES, block, err)) < 0)
				return r;
			if ((r = check_cps(vs, err)) < 0)
				return r;
			vs->res->events++;
			vs->res->bytes += rc->len;
		}
	}
	return 0;
}

int logstore_verify(struct logstore *ls, const char *external_note, size_t note_len,
		    logstore_progress_fn *progress, void *pctx, struct logstore_verify_result *res,
		    struct mamori_err *err)
{
	struct vstate vs = { .ls = ls, .res = res };
	struct reader rd = { .ls = ls, .path = STRBUF_INIT, .fd = -1 };
	struct batch b = {
		.vs = &vs,
		.mu = PTHREAD_MUTEX_INITIALIZER,
		.work_cv = PTHREAD_COND_INITIALIZER,
	};
	struct worker w = { 0 };
	struct vrow *rows = NULL;
	struct logstore_pcheck pc;
	struct slice *slices = NULL;
	size_t cap_rows = 0, cap_slices = 0;
	pthread_t th;
	bool th_started = false;
	int r = 0;
	uint64_t seq = 0;
	struct pending pd = { 0 };
	size_t n = 0;

	memset(res, 0, sizeof(*res));
	res->bad_seq = -1;
	logstore_pcheck_init(&pc);
	log_event_init(&w.ev);
	merkle_frontier_init(&vs.fr);
	if ((r = logstore_commit(ls, err)) < 0 || (r = logstore_refresh(ls, err)) < 0)
		goto out;
	vs.total = ls->fr.size;
	if ((r = logstore_read_begin(ls, err)) < 0)
		goto out;
	if ((r = load_terms(&vs, err)) < 0 || (r = load_cps(&vs, external_note, note_len, err)) < 0)
		goto end_read;
	if ((r = check_cps(&vs, err)) < 0)
		goto end_read;
	/* the mapping stays as it is for the walk: both threads read it */
	if ((r = logstore_flush(ls, err)) < 0 ||
	    (r = logstore_entries_map(ls, vs.total + 1, &vs.nentries, err)) < 0)
		goto end_read;
	if (sqlite3_prepare_v2(ls->db, "SELECT block, hash FROM log_block ORDER BY block", -1,
			       &vs.blocks, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ls->db, "SELECT no, first_seq, count FROM log_segment ORDER BY no", -1,
			       &rd.segs, NULL) != SQLITE_OK) {
		r = logstore_db_error(ls, err, "索引");
		goto end_read;
	}
	vs.blocks_rc = sqlite3_step(vs.blocks);
	rd.buf = xmalloc(BUF_CAP);
	rd.spare_buf = xmalloc(BUF_CAP);
	if (pthread_create(&th, NULL, helper, &b) == 0)
		th_started = true;

	if ((r = fill_batch(&rd, &vs, seq, &n, &pd, err)) < 0)
		goto end_read;
	while (seq < vs.total) {
		struct pending pd_next = { 0 };
		struct mamori_err err_next = { 0 };
		size_t n_next = 0;
		int r_next = 0;
		bool more;

		if (n)
			check_start(&b, &rd, &rows, &cap_rows, &slices, &cap_slices, seq, n);
		/* the next batch is read while this one is hashed and checked;
		 * what reading found is said after this batch's findings */
		more = n && !pd.set && seq + n < vs.total;
		if (more) {
			rd_flip(&rd);
			r_next = fill_batch(&rd, &vs, seq + n, &n_next, &pd_next, &err_next);
		}
		if (n && (r = check_finish(&vs, &b, &w, err)) < 0)
			goto end_read;
		/* the search index of every full window, against the rows just checked */
		for (size_t i = 0; i < n && r == 0; i++) {
			uint64_t s = seq + i, o = s % LOGSTORE_POSTING_WINDOW;
			int64_t bad_seq = -1;
			char why[256];

			for (int k = 0; k < LT_KINDS; k++)
				pc.ids[k][o] = rows[i].term_null >> k & 1 ? 0 : rows[i].term[k];
			if (o != LOGSTORE_POSTING_WINDOW - 1)
				continue;
			r = logstore_pcheck_window(ls, &pc, s / LOGSTORE_POSTING_WINDOW,
						   LOGSTORE_POSTING_WINDOW, &bad_seq, why, sizeof(why), err);
			if (r == MAMORI_ECHECK && bad_seq >= 0)
				r = bad(&vs, bad_seq, 0, 0, err, "%s", why);
		}
		if (r < 0)
			goto end_read;
		seq += n;
		if (pd.set) {
			r = bad(&vs, (int64_t)pd.seq, pd.seg, pd.off, err, "%s", pd.what);
			goto end_read;
		}
		if (!n)
			break;
		if (progress)
			progress(seq, vs.total, pctx);
		if (mamori_interrupted) {
			r = mamori_err_set(err, MAMORI_EINTR, "中断しました");
			goto end_read;
		}
		if (!more)
			break;
		if (r_next < 0) {
			*err = err_next;
			r = r_next;
			goto end_read;
		}
		n = n_next;
		pd = pd_next;
	}
	if (seq < vs.total) {
		r = bad(&vs, (int64_t)seq, 0, 0, err,
			"索引には %" PRIu64 " 件ありますが、区画ファイルには %" PRIu64
			" 件しかありません (最後のイベントが失われたか削除されました)",
			vs.total, seq);
		goto end_read;
	}
	/* an entry after the last event's (only the writer knows there is
	 * none: a reader may see the entries of a commit to come) */
	if (!ls->readonly && seq < vs.nentries && logstore_entry_at(ls, seq)->len) {
		r = bad(&vs, (int64_t)seq, 0, 0, err, "索引に記録のない行があります");
		goto end_read;
	}
	if (vs.next_cp < vs.ncps) {
		r = bad(&vs, -1, 0, 0, err, "チェックポイント (大きさ %" PRIu64 ") を照合できませんでした",
			vs.cps[vs.next_cp].size);
		goto end_read;
	}
end_read:
	sqlite3_finalize(vs.blocks);
	sqlite3_finalize(rd.segs);
	logstore_read_end(ls);
out:
	if (th_started) {
		pthread_mutex_lock(&b.mu);
		b.quit = true;
		pthread_cond_broadcast(&b.work_cv);
		pthread_mutex_unlock(&b.mu);
		pthread_join(th, NULL);
	}
	if (rd.fd >= 0)
		close(rd.fd);
	for (size_t i = 0; i < vs.nterms; i++) {
		free(vs.terms[i].value);
	}
	free(vs.terms);
	free(vs.by_id);
	free(vs.tl);
	free(vs.arena);
	free(vs.cps);
	free(rd.buf);
	free(rd.recs);
	free(rd.spare_buf);
	free(rd.spare_recs);
	free(rows);
	logstore_pcheck_release(&pc);
	free(slices);
	free(b.leaves);
	log_event_release(&w.ev);
	strbuf_release(&rd.path);
	return r;
}
