/*
 * logstore_verify.c - `mamori log verify`: reads every segment record in
 * large sequential reads, recomputes every leaf and the tree, and checks
 * against them everything the store keeps about the events: each stored
 * (and an external) checkpoint's signature and root, the cached block
 * hashes, and every index row (position, leaf hash, times, via, flags,
 * result and the terms of user, patient, host, action and source).  The
 * first difference is named (event number, segment file and offset, what
 * differs) in Japanese.
 *
 * Two threads: the main thread parses records and checks index rows, a
 * helper hashes the leaves of each read chunk (SHA-256 is most of the
 * work).  They meet once per chunk.
 */
#include "common.h"

#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <unistd.h>

#include "logstore_int.h"

#define CHUNK (8u * 1024 * 1024)

struct term {
	int64_t id;
	int kind;
	char *value;
};

struct vstate {
	struct logstore *ls;
	struct logstore_verify_result *res;
	struct term *terms;
	size_t nterms;
	sqlite3_stmt *rows, *blocks;
	int rows_rc, blocks_rc;
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

	return bsearch(&key, vs->terms, vs->nterms, sizeof(key), term_cmp);
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
		if (vs->nterms == cap) {
			cap = cap ? cap * 2 : 1024;
			vs->terms = xrealloc(vs->terms, cap * sizeof(*vs->terms));
		}
		vs->terms[vs->nterms].id = sqlite3_column_int64(st, 0);
		vs->terms[vs->nterms].kind = sqlite3_column_int(st, 1);
		vs->terms[vs->nterms].value = xstrdup((const char *)sqlite3_column_text(st, 2));
		vs->nterms++;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return logstore_db_error(vs->ls, err, "log_term");
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

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Checks the index row of seq (the current row of vs->rows) against its
 * parsed record at (seg, off). */
static int check_row(struct vstate *vs, uint64_t seq, uint32_t seg, uint64_t off, size_t len,
		     const struct log_event *ev, struct mamori_err *err)
{
	sqlite3_stmt *st = vs->rows;
	const char *got[5] = { ev->f.user, ev->f.patient, ev->f.host, ev->f.action, ev->f.source };
	static const int kinds[5] = { LT_USER, LT_PATIENT, LT_HOST, LT_ACTION, LT_SOURCE };

	if (vs->rows_rc != SQLITE_ROW || (uint64_t)sqlite3_column_int64(st, 0) != seq)
		return bad(vs, (int64_t)seq, seg, off, err, "索引にこのイベントの行がありません");
	if ((uint64_t)sqlite3_column_int64(st, 11) != seg ||
	    (uint64_t)sqlite3_column_int64(st, 12) != off ||
	    (uint64_t)sqlite3_column_int64(st, 13) != len)
		return bad(vs, (int64_t)seq, seg, off, err,
			   "索引の位置 (seg-%08" PRIu64 ".log 位置 %" PRIu64 "、%" PRIu64
			   " バイト) が記録と違います",
			   (uint64_t)sqlite3_column_int64(st, 11), (uint64_t)sqlite3_column_int64(st, 12),
			   (uint64_t)sqlite3_column_int64(st, 13));
	if (sqlite3_column_bytes(st, 14) != MERKLE_HASH_LEN ||
	    memcmp(sqlite3_column_blob(st, 14), ev->leaf, MERKLE_HASH_LEN))
		return bad(vs, (int64_t)seq, seg, off, err,
			   "記録の内容が追加時のハッシュと違います (記録が書き換えられています)");
	if (sqlite3_column_int64(st, 1) != ev->recv_us)
		return bad(vs, (int64_t)seq, seg, off, err, "受信時刻が索引と記録で違います");
	if ((sqlite3_column_type(st, 2) == SQLITE_NULL) != (ev->time_us == INT64_MIN) ||
	    (ev->time_us != INT64_MIN && sqlite3_column_int64(st, 2) != ev->time_us))
		return bad(vs, (int64_t)seq, seg, off, err, "発生時刻が索引と記録で違います");
	if (sqlite3_column_int(st, 3) != (int)ev->via)
		return bad(vs, (int64_t)seq, seg, off, err, "受信経路が索引と記録で違います");
	if ((uint64_t)sqlite3_column_int64(st, 4) != ev->flags)
		return bad(vs, (int64_t)seq, seg, off, err, "フラグが索引と記録で違います");
	if (sqlite3_column_int(st, 10) != (int)ev->f.result)
		return bad(vs, (int64_t)seq, seg, off, err, "結果が索引 (%d) と記録 (%s) で違います",
			   sqlite3_column_int(st, 10), log_result_name(ev->f.result));
	for (int i = 0; i < 5; i++) {
		const char *want = NULL;

		if (sqlite3_column_type(st, 5 + i) != SQLITE_NULL) {
			const struct term *t = term_find(vs, sqlite3_column_int64(st, 5 + i));

			if (!t || t->kind != kinds[i])
				return bad(vs, (int64_t)seq, seg, off, err,
					   "索引の%sが存在しない語 (%" PRId64 ") を指しています",
					   kind_label(kinds[i]),
					   (int64_t)sqlite3_column_int64(st, 5 + i));
			want = t->value;
		}
		if (!same_str(want, got[i]))
			return bad(vs, (int64_t)seq, seg, off, err,
				   "%sが索引 (\"%.80s\") と記録 (\"%.80s\") で違います",
				   kind_label(kinds[i]), want ? want : "-", got[i] ? got[i] : "-");
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

/* ---- the hashing helper ------------------------------------------------------------ */

struct hashjob {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool have, quit;
	const char *buf;
	const uint32_t *offs, *lens; /* records in buf */
	size_t n;
	uint8_t (*out)[MERKLE_HASH_LEN];
};

static void *hasher(void *arg)
{
	struct hashjob *j = arg;

	pthread_mutex_lock(&j->mu);
	for (;;) {
		while (!j->have && !j->quit)
			pthread_cond_wait(&j->cv, &j->mu);
		if (j->quit)
			break;
		pthread_mutex_unlock(&j->mu);
		/* the first half is the main thread's */
		for (size_t i = j->n / 2; i < j->n; i++)
			merkle_leaf_hash(j->buf + j->offs[i], j->lens[i], j->out[i]);
		pthread_mutex_lock(&j->mu);
		j->have = false;
		pthread_cond_broadcast(&j->cv);
	}
	pthread_mutex_unlock(&j->mu);
	return NULL;
}

/* ---- the walk ------------------------------------------------------------------------ */

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

int logstore_verify(struct logstore *ls, const char *external_note, size_t note_len,
		    logstore_progress_fn *progress, void *pctx, struct logstore_verify_result *res,
		    struct mamori_err *err)
{
	struct vstate vs = { .ls = ls, .res = res };
	struct strbuf path = STRBUF_INIT;
	struct log_event ev;
	sqlite3_stmt *segs = NULL;
	struct hashjob job = { .mu = PTHREAD_MUTEX_INITIALIZER, .cv = PTHREAD_COND_INITIALIZER };
	pthread_t th;
	bool th_started = false;
	char *buf = NULL;
	uint32_t *offs = NULL, *lens = NULL;
	uint8_t (*leaves)[MERKLE_HASH_LEN] = NULL;
	size_t cap_recs = 0;
	int fd = -1, r = 0, rc;
	uint64_t seq = 0;

	memset(res, 0, sizeof(*res));
	res->bad_seq = -1;
	log_event_init(&ev);
	merkle_frontier_init(&vs.fr);
	if ((r = logstore_commit(ls, err)) < 0)
		goto out;
	vs.total = ls->fr.size;
	if ((r = logstore_read_begin(ls, err)) < 0)
		goto out;
	if ((r = load_terms(&vs, err)) < 0 || (r = load_cps(&vs, external_note, note_len, err)) < 0)
		goto end_read;
	if ((r = check_cps(&vs, err)) < 0)
		goto end_read;
	if (sqlite3_prepare_v2(ls->db,
			       "SELECT seq, recv_us, time_us, via, flags, user_id, patient_id, host_id,"
			       " action_id, source_id, result, seg, off, len, leaf FROM log_event"
			       " ORDER BY seq",
			       -1, &vs.rows, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ls->db, "SELECT block, hash FROM log_block ORDER BY block", -1,
			       &vs.blocks, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(ls->db, "SELECT no, first_seq, count FROM log_segment ORDER BY no", -1,
			       &segs, NULL) != SQLITE_OK) {
		r = logstore_db_error(ls, err, "索引");
		goto end_read;
	}
	vs.rows_rc = sqlite3_step(vs.rows);
	vs.blocks_rc = sqlite3_step(vs.blocks);
	buf = xmalloc(CHUNK + LOG_RECORD_MAX + 8);
	if (pthread_create(&th, NULL, hasher, &job) == 0)
		th_started = true;

	while (seq < vs.total && (rc = sqlite3_step(segs)) == SQLITE_ROW) {
		uint32_t no = (uint32_t)sqlite3_column_int64(segs, 0);
		uint64_t first = (uint64_t)sqlite3_column_int64(segs, 1);
		uint64_t fileoff = 0; /* file offset of buf[0] */
		size_t have = 0;
		bool eof = false;

		if (first != seq) {
			r = bad(&vs, (int64_t)seq, no, 0, err,
				"区画 seg-%08" PRIu32 ".log は番号 %" PRIu64 " から始まるはずです "
				"(区画の一覧が違います)",
				no, first);
			goto end_read;
		}
		logstore_seg_path(ls, no, &path);
		if (fd >= 0)
			close(fd);
		fd = open(path.buf, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			r = bad(&vs, (int64_t)seq, no, 0, err, "区画ファイル %s を開けません: %s",
				path.buf, strerror(errno));
			goto end_read;
		}
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
		while (seq < vs.total && !(eof && have == 0)) {
			size_t got, pos = 0, n = 0;

			if (!eof) {
				if (read_full(fd, buf + have, CHUNK, &got) < 0) {
					r = mamori_err_set(err, MAMORI_EIO, "%s: %s", path.buf,
							   strerror(errno));
					goto end_read;
				}
				if (got < CHUNK)
					eof = true;
				have += got;
			}
			/* split the chunk into records */
			for (;;) {
				uint64_t len;
				const uint8_t *p = (const uint8_t *)buf + pos;

				if (seq + n >= vs.total || have - pos < 4)
					break;
				len = (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 | (uint64_t)p[2] << 8 | p[3];
				if (len == 0 || len > LOG_RECORD_MAX) {
					r = bad(&vs, (int64_t)(seq + n), no, fileoff + pos, err,
						"記録の長さ (%" PRIu64 " バイト) が不正です", len);
					goto end_read;
				}
				if (have - pos - 4 < len)
					break;
				if (n == cap_recs) {
					cap_recs = cap_recs ? cap_recs * 2 : 65536;
					offs = xrealloc(offs, cap_recs * sizeof(*offs));
					lens = xrealloc(lens, cap_recs * sizeof(*lens));
					leaves = xrealloc(leaves, cap_recs * sizeof(*leaves));
				}
				offs[n] = (uint32_t)(pos + 4);
				lens[n] = (uint32_t)len;
				n++;
				pos += 4 + len;
			}
			if (n == 0 && eof) {
				if (have)
					r = bad(&vs, (int64_t)seq, no, fileoff, err,
						"区画ファイルの最後の記録が途中で切れています");
				break;
			}
			if (n == 0 && !eof)
				continue;
			/* hash: the helper takes the second half */
			if (th_started) {
				pthread_mutex_lock(&job.mu);
				job.buf = buf;
				job.offs = offs;
				job.lens = lens;
				job.n = n;
				job.out = leaves;
				job.have = true;
				pthread_cond_broadcast(&job.cv);
				pthread_mutex_unlock(&job.mu);
			}
			for (size_t i = 0; i < (th_started ? n / 2 : n); i++)
				merkle_leaf_hash(buf + offs[i], lens[i], leaves[i]);
			/* meanwhile parse and check the rows of the first half,
			 * then of the rest once hashed */
			for (size_t i = 0; i < n; i++) {
				uint64_t off = fileoff + offs[i] - 4;
				uint8_t block[MERKLE_HASH_LEN];
				struct mamori_err e2 = { 0 };

				if (i == n / 2 && th_started) {
					pthread_mutex_lock(&job.mu);
					while (job.have)
						pthread_cond_wait(&job.cv, &job.mu);
					pthread_mutex_unlock(&job.mu);
				}
				if (log_event_parse(&ev, buf + offs[i], lens[i], NULL, &e2) < 0) {
					r = bad(&vs, (int64_t)seq, no, off, err, "記録が読めません: %s",
						e2.msg);
					goto wait_out;
				}
				memcpy(ev.leaf, leaves[i], MERKLE_HASH_LEN);
				if ((r = check_row(&vs, seq, no, off, lens[i], &ev, err)) < 0)
					goto wait_out;
				vs.rows_rc = sqlite3_step(vs.rows);
				if (logstore_fr_append(&vs.fr, leaves[i], block) &&
				    (r = check_block(&vs, seq / LOGSTORE_BLOCK_LEAVES, block, err)) < 0)
					goto wait_out;
				if ((r = check_cps(&vs, err)) < 0)
					goto wait_out;
				seq++;
				res->events++;
				res->bytes += lens[i];
			}
			memmove(buf, buf + pos, have - pos);
			fileoff += pos;
			have -= pos;
			if (progress)
				progress(seq, vs.total, pctx);
			if (mamori_interrupted) {
				r = mamori_err_set(err, MAMORI_EINTR, "中断しました");
				goto end_read;
			}
			continue;
wait_out:
			if (th_started) {
				pthread_mutex_lock(&job.mu);
				while (job.have)
					pthread_cond_wait(&job.cv, &job.mu);
				pthread_mutex_unlock(&job.mu);
			}
			goto end_read;
		}
		if (r < 0)
			goto end_read;
	}
	if (seq < vs.total) {
		r = bad(&vs, (int64_t)seq, 0, 0, err,
			"索引には %" PRIu64 " 件ありますが、区画ファイルには %" PRIu64
			" 件しかありません (最後のイベントが失われたか削除されました)",
			vs.total, seq);
		goto end_read;
	}
	if (vs.rows_rc == SQLITE_ROW) {
		r = bad(&vs, sqlite3_column_int64(vs.rows, 0), 0, 0, err,
			"索引に記録のない行があります");
		goto end_read;
	}
	if (vs.next_cp < vs.ncps) {
		r = bad(&vs, -1, 0, 0, err, "チェックポイント (大きさ %" PRIu64 ") を照合できませんでした",
			vs.cps[vs.next_cp].size);
		goto end_read;
	}
end_read:
	sqlite3_finalize(vs.rows);
	sqlite3_finalize(vs.blocks);
	sqlite3_finalize(segs);
	logstore_read_end(ls);
out:
	if (th_started) {
		pthread_mutex_lock(&job.mu);
		job.quit = true;
		pthread_cond_broadcast(&job.cv);
		pthread_mutex_unlock(&job.mu);
		pthread_join(th, NULL);
	}
	if (fd >= 0)
		close(fd);
	for (size_t i = 0; i < vs.nterms; i++)
		free(vs.terms[i].value);
	free(vs.terms);
	free(vs.cps);
	free(buf);
	free(offs);
	free(lens);
	free(leaves);
	log_event_release(&ev);
	strbuf_release(&path);
	return r;
}
