/*
 * logstore.c - the access-log vault: opening and recovery, appending,
 * durability, checkpoints and the Merkle source the proofs read from.
 * The contracts are in logstore.h, the layout in docs/internals/logstore.md;
 * verification is in logstore_verify.c, proofs in logstore_proof.c, search
 * in logstore_search.c.
 *
 * Invariants of a writable handle (ls):
 *   - the segment file seg-<seg_no> holds complete records up to wbuf_off;
 *     wbuf holds the records appended after that, not yet written; a
 *     failed write() is cut back to wbuf_off and the buffer kept, so the
 *     file never holds half a record of ours for long;
 *   - committed <= durable <= fr.size; log_block rows of seq >= committed
 *     are in the open transaction (in_txn);
 *   - events.idx holds the entries of events [0, ebuf_seq), ebuf those of
 *     [ebuf_seq, fr.size); an entry is written only after its record
 *     (logstore_flush() writes wbuf, then ebuf);
 *   - log_meta 'size' and 'frontier' are the committed tree, written after
 *     the fdatasync of the segments and of events.idx.
 */
#include "common.h"

#include <dirent.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "logstore_int.h"

uint64_t logstore_segment_limit = LOGSTORE_SEGMENT_BYTES;

#define WBUF_FLUSH (1024 * 1024) /* write() in chunks of about this */

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS log_meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS log_term(id INTEGER PRIMARY KEY, kind INTEGER NOT NULL,"
	" value TEXT NOT NULL, UNIQUE(kind, value));"
	/* the events themselves are in events.idx (logstore_int.h), the search
	 * index in idx/ (logstore_postings.c); an older vault's log_event table
	 * is left alone and never read */
	"CREATE TABLE IF NOT EXISTS log_segment(no INTEGER PRIMARY KEY, first_seq INTEGER NOT NULL,"
	" count INTEGER NOT NULL, bytes INTEGER NOT NULL, closed INTEGER NOT NULL DEFAULT 0);"
	/* min_time/max_time: the event times of the block (NULL: none), so that
	 * a time range becomes a range of seqs without an index on time */
	"CREATE TABLE IF NOT EXISTS log_block(block INTEGER PRIMARY KEY, hash BLOB NOT NULL,"
	" min_time INTEGER, max_time INTEGER);"
	"CREATE TABLE IF NOT EXISTS log_checkpoint(id INTEGER PRIMARY KEY, size INTEGER NOT NULL,"
	" root BLOB NOT NULL, note TEXT NOT NULL, created TEXT NOT NULL);";

/* ---- small helpers ------------------------------------------------------------ */

int logstore_db_error(struct logstore *ls, struct mamori_err *err, const char *what)
{
	return mamori_err_set(err, MAMORI_EDB, "%s/index.db: %s: %s", ls->dir, what,
			      sqlite3_errmsg(ls->db));
}

static int exec(struct logstore *ls, const char *sql, struct mamori_err *err)
{
	if (sqlite3_exec(ls->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return logstore_db_error(ls, err, "SQL");
	return 0;
}

static int prep(struct logstore *ls, const char *sql, sqlite3_stmt **st, struct mamori_err *err)
{
	if (sqlite3_prepare_v3(ls->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL) != SQLITE_OK)
		return logstore_db_error(ls, err, "SQL の準備");
	return 0;
}

void logstore_dir_for(const char *db_path, struct strbuf *out)
{
	size_t n = strlen(db_path);

	strbuf_reset(out);
	if (n > 3 && !strcmp(db_path + n - 3, ".db"))
		n -= 3;
	strbuf_add(out, db_path, n);
	strbuf_addstr(out, ".logs");
}

void logstore_seg_path(const struct logstore *ls, uint32_t no, struct strbuf *out)
{
	strbuf_reset(out);
	strbuf_addf(out, "%s/seg-%08" PRIu32 ".log", ls->dir, no);
}

static int io_error(struct mamori_err *err, const char *path, int e)
{
	if (e == ENOSPC || e == EFBIG || e == EDQUOT)
		return mamori_err_set(err, MAMORI_EIO, "ディスクの空きがありません: %s", path);
	return mamori_err_set(err, MAMORI_EIO, "%s: %s", path, strerror(e));
}

static int meta_get(struct logstore *ls, const char *key, sqlite3_stmt **out,
		    struct mamori_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(ls->db, "SELECT value FROM log_meta WHERE key = ?", -1, &st, NULL) !=
	    SQLITE_OK)
		return logstore_db_error(ls, err, "log_meta");
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*out = st;
		return 1;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return logstore_db_error(ls, err, "log_meta");
	return 0;
}

static int meta_put(struct logstore *ls, const char *key, const void *v, size_t len, bool blob,
		    struct mamori_err *err)
{
	sqlite3_stmt *st = ls->put_meta;

	sqlite3_reset(st);
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (blob)
		sqlite3_bind_blob(st, 2, v, (int)len, SQLITE_TRANSIENT);
	else
		sqlite3_bind_text(st, 2, v, (int)len, SQLITE_TRANSIENT);
	if (sqlite3_step(st) != SQLITE_DONE)
		return logstore_db_error(ls, err, "log_meta");
	sqlite3_reset(st);
	return 0;
}

/* ---- frontier ------------------------------------------------------------------ */

/*
 * merkle_frontier_append() that also yields the hash of a 1024-leaf block
 * completed by this leaf (returns 1 then): the carry passes through it.
 */
int logstore_fr_append(struct merkle_frontier *f, const uint8_t leaf[MERKLE_HASH_LEN],
		       uint8_t block[MERKLE_HASH_LEN])
{
	uint8_t h[MERKLE_HASH_LEN];
	unsigned k = 0;
	int done = 0;

	memcpy(h, leaf, MERKLE_HASH_LEN);
	while (f->size >> k & 1) {
		merkle_node_hash(f->level[k], h, h);
		k++;
		if (k == 10) {
			memcpy(block, h, MERKLE_HASH_LEN);
			done = 1;
		}
	}
	if (k == 10 && !done) {
		memcpy(block, h, MERKLE_HASH_LEN);
		done = 1;
	}
	memcpy(f->level[k], h, MERKLE_HASH_LEN);
	f->size++;
	return done;
}

static void fr_serialize(const struct merkle_frontier *f, struct strbuf *out)
{
	strbuf_reset(out);
	for (unsigned k = 0; k < MERKLE_PROOF_MAX; k++)
		if (f->size >> k & 1)
			strbuf_add(out, f->level[k], MERKLE_HASH_LEN);
}

static int fr_load(struct merkle_frontier *f, uint64_t size, const void *blob, size_t len)
{
	const uint8_t *p = blob;

	merkle_frontier_init(f);
	f->size = size;
	if ((size_t)__builtin_popcountll(size) * MERKLE_HASH_LEN != len)
		return -1;
	for (unsigned k = 0; k < MERKLE_PROOF_MAX; k++)
		if (size >> k & 1) {
			memcpy(f->level[k], p, MERKLE_HASH_LEN);
			p += MERKLE_HASH_LEN;
		}
	return 0;
}

/* ---- terms --------------------------------------------------------------------- */

/* The hash of term (kind, v) in the term cache: eight bytes at a time,
 * seeded per handle; never 0 (the empty slot). */
static uint64_t term_hash(uint64_t seed, int kind, const char *v, size_t len)
{
	const uint64_t k1 = 0xff51afd7ed558ccdULL, k2 = 0xc4ceb9fe1a85ec53ULL;
	uint64_t h = seed ^ ((uint64_t)kind << 56) ^ len, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, v + i, 8);
		h = (h ^ w) * k1;
		h ^= h >> 32;
	}
	if (i < len) {
		w = 0;
		memcpy(&w, v + i, len - i);
		h = (h ^ w) * k2;
	}
	h ^= h >> 33;
	h *= k1;
	h ^= h >> 33;
	return h ? h : 1;
}

static bool term_eq(const struct lterm *t, uint64_t h, int kind, const char *v, size_t len)
{
	if (t->hash != h || t->kind != kind)
		return false;
	if (t->inl_len)
		return t->inl_len == len && !memcmp(t->inl, v, len);
	return t->value && strlen(t->value) == len && !memcmp(t->value, v, len);
}

static void terms_clear(struct logstore *ls)
{
	for (size_t i = 0; i < ls->capterms; i++)
		free(ls->terms[i].value);
	free(ls->terms);
	ls->terms = NULL;
	ls->nterms = ls->capterms = 0;
}

static void terms_grow(struct logstore *ls)
{
	struct lterm *old = ls->terms;
	size_t oldcap = ls->capterms;

	ls->capterms = oldcap ? oldcap * 2 : 1024;
	ls->terms = xcalloc(ls->capterms, sizeof(*ls->terms));
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].hash) {
			size_t j = old[i].hash & (ls->capterms - 1);

			while (ls->terms[j].hash)
				j = (j + 1) & (ls->capterms - 1);
			ls->terms[j] = old[i];
		}
	free(old);
}

static void terms_put(struct logstore *ls, uint64_t h, int kind, const char *v, size_t len,
		      int64_t id)
{
	struct lterm *t;
	size_t j;

	if ((ls->nterms + 1) * 10 > ls->capterms * 7)
		terms_grow(ls);
	j = h & (ls->capterms - 1);
	while (ls->terms[j].hash)
		j = (j + 1) & (ls->capterms - 1);
	t = &ls->terms[j];
	t->hash = h;
	t->kind = (uint8_t)kind;
	t->id = id;
	if (len && len <= LTERM_INLINE) {
		memcpy(t->inl, v, len);
		t->inl_len = (uint8_t)len;
	} else {
		t->value = xstrdup(v);
	}
	ls->nterms++;
}

/* The id of term (kind, v) whose hash is h (term_hash()), inserted when new
 * (in the open transaction). */
static int term_id(struct logstore *ls, int kind, const char *v, size_t len, uint64_t h,
		   int64_t *id, struct mamori_err *err)
{
	sqlite3_stmt *st;

	if (ls->capterms) {
		size_t j = h & (ls->capterms - 1);

		while (ls->terms[j].hash) {
			if (term_eq(&ls->terms[j], h, kind, v, len)) {
				*id = ls->terms[j].id;
				return 0;
			}
			j = (j + 1) & (ls->capterms - 1);
		}
	}
	/* Not cached: the table may have it (cache filled lazily), else it
	 * is new.  (One upsert "... RETURNING id" did both, at twice the
	 * cost of a new term and five times that of a known one: SQLite
	 * gathers what RETURNING returns in a table of its own, made and
	 * dropped for each row, and the upsert rewrites a known row.) */
	st = ls->sel_term;
	sqlite3_reset(st);
	sqlite3_bind_int(st, 1, kind);
	sqlite3_bind_text(st, 2, v, (int)len, SQLITE_STATIC);
	switch (sqlite3_step(st)) {
	case SQLITE_ROW:
		*id = sqlite3_column_int64(st, 0);
		break;
	case SQLITE_DONE:
		sqlite3_reset(st);
		st = ls->ins_term;
		sqlite3_reset(st);
		sqlite3_bind_int(st, 1, kind);
		sqlite3_bind_text(st, 2, v, (int)len, SQLITE_STATIC);
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			return logstore_db_error(ls, err, "log_term");
		}
		*id = sqlite3_last_insert_rowid(ls->db);
		break;
	default:
		sqlite3_reset(st);
		return logstore_db_error(ls, err, "log_term");
	}
	sqlite3_reset(st);
	if (*id <= 0 || *id > UINT32_MAX)
		return mamori_err_set(err, MAMORI_EDB, "%s/index.db: 語の番号 %" PRId64 " が範囲外です",
				      ls->dir, *id);
	terms_put(ls, h, kind, v, len, *id);
	return 0;
}

/*
 * The terms of one event, hashed before they are looked up: the appender
 * hashes the events TERMS_AHEAD ahead of the one it indexes and asks for
 * their table slots, so that the look-ups (one cache miss each in a table
 * of a year's patients) overlap instead of waiting one after the other.
 */
struct ev_terms {
	const char *v[LT_KINDS];
	size_t len[LT_KINDS];
	uint64_t h[LT_KINDS];
};

#define TERMS_AHEAD 8

static void fields_terms(const struct logstore *ls, const struct log_fields *f,
			 struct log_event_terms *out)
{
	const char *v[LT_KINDS] = { f->user, f->patient, f->host, f->action, f->source };

	for (int k = 0; k < LT_KINDS; k++) {
		size_t len = v[k] ? strlen(v[k]) : 0;

		out->len[k] = (uint32_t)len;
		out->h[k] = v[k] ? term_hash(ls->term_seed, k + 1, v[k], len) : 0;
	}
	out->seed = ls->term_seed;
}

void logstore_event_terms(const struct logstore *ls, struct log_event *ev)
{
	fields_terms(ls, &ev->f, &ev->terms);
}

static void ev_terms_hash(const struct logstore *ls, const struct log_event *ev,
			  struct ev_terms *t)
{
	struct log_event_terms here;
	const struct log_event_terms *et = &ev->terms;

	if (et->seed != ls->term_seed) {
		/* not hashed ahead (or for another vault) */
		fields_terms(ls, &ev->f, &here);
		et = &here;
	}
	t->v[0] = ev->f.user;
	t->v[1] = ev->f.patient;
	t->v[2] = ev->f.host;
	t->v[3] = ev->f.action;
	t->v[4] = ev->f.source;
	for (int k = 0; k < LT_KINDS; k++) {
		if (!t->v[k])
			continue;
		t->len[k] = et->len[k];
		t->h[k] = et->h[k];
		if (ls->capterms)
			__builtin_prefetch(&ls->terms[t->h[k] & (ls->capterms - 1)]);
		__builtin_prefetch(t->v[k]);
	}
}

/* ---- segments --------------------------------------------------------------------- */

static int seg_open(struct logstore *ls, uint32_t no, bool create, struct mamori_err *err)
{
	struct strbuf path = STRBUF_INIT;
	int fd, r = 0;

	logstore_seg_path(ls, no, &path);
	fd = open(path.buf, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
	if (fd < 0) {
		r = io_error(err, path.buf, errno);
		goto out;
	}
	if (ls->seg_fd >= 0)
		close(ls->seg_fd);
	ls->seg_fd = fd;
	ls->seg_no = no;
	if (create) {
		/* make the new name durable */
		int dfd = open(ls->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
out:
	strbuf_release(&path);
	return r;
}

static void ent_path(const struct logstore *ls, struct strbuf *out)
{
	strbuf_reset(out);
	strbuf_addf(out, "%s/events.idx", ls->dir);
}

/* Writes the buffered entries (after their records). */
/*
 * Starts writing fd[off, off + len) to the disk without waiting for it, so
 * that the next fdatasync() finds most of it written and the writer does
 * not wait for a second's worth of records at once.  Only a hint: errors
 * are left to the fdatasync() that makes the data durable.
 */
static void write_behind(int fd, uint64_t off, size_t len)
{
	(void)sync_file_range(fd, (off_t)off, (off_t)len, SYNC_FILE_RANGE_WRITE);
}

static int ent_flush(struct logstore *ls, struct mamori_err *err)
{
	size_t done = 0;

	while (done < ls->ebuf.len) {
		ssize_t w = pwrite(ls->ent_fd, ls->ebuf.buf + done, ls->ebuf.len - done,
				   (off_t)(ls->ebuf_seq * LOGSTORE_ENTRY_LEN + done));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			/* a part written is rewritten by the retry (or cut
			 * by the next open: it is beyond the committed size) */
			struct strbuf path = STRBUF_INIT;
			int r;

			ent_path(ls, &path);
			r = io_error(err, path.buf, w < 0 ? errno : ENOSPC);
			strbuf_release(&path);
			return r;
		}
		done += (size_t)w;
	}
	write_behind(ls->ent_fd, ls->ebuf_seq * LOGSTORE_ENTRY_LEN, ls->ebuf.len);
	ls->ebuf_seq += ls->ebuf.len / LOGSTORE_ENTRY_LEN;
	strbuf_reset(&ls->ebuf);
	ls->ent_need_sync = true;
	return 0;
}

int logstore_flush(struct logstore *ls, struct mamori_err *err)
{
	size_t done = 0;

	if (ls->readonly)
		return 0;
	if (!ls->wbuf.len)
		return ls->ebuf.len ? ent_flush(ls, err) : 0;
	while (done < ls->wbuf.len) {
		ssize_t w = pwrite(ls->seg_fd, ls->wbuf.buf + done, ls->wbuf.len - done,
				   (off_t)(ls->wbuf_off + done));

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			int e = w < 0 ? errno : ENOSPC;
			struct strbuf path = STRBUF_INIT;
			int r;

			/* Cut what was written of the buffer: the file keeps
			 * whole records only, the buffer stays for a retry. */
			if (ftruncate(ls->seg_fd, (off_t)ls->wbuf_off) < 0) {
				/* nothing more to do: recovery cuts a torn tail */
			}
			logstore_seg_path(ls, ls->seg_no, &path);
			r = io_error(err, path.buf, e);
			strbuf_release(&path);
			return r;
		}
		done += (size_t)w;
	}
	write_behind(ls->seg_fd, ls->wbuf_off, ls->wbuf.len);
	ls->wbuf_off += ls->wbuf.len;
	strbuf_reset(&ls->wbuf);
	ls->need_sync = true;
	return ent_flush(ls, err);
}

static int ent_datasync(struct logstore *ls, struct mamori_err *err)
{
	if (!ls->ent_need_sync)
		return 0;
	if (fdatasync(ls->ent_fd) < 0) {
		struct strbuf path = STRBUF_INIT;
		int r;

		ent_path(ls, &path);
		r = io_error(err, path.buf, errno);
		strbuf_release(&path);
		return r;
	}
	ls->ent_need_sync = false;
	return 0;
}

int logstore_entries_map(struct logstore *ls, uint64_t want, uint64_t *mapped,
			 struct mamori_err *err)
{
	struct strbuf path = STRBUF_INIT;
	struct stat sb;
	size_t len;
	void *p;
	int r = 0;

	*mapped = ls->emap_len / LOGSTORE_ENTRY_LEN;
	if (*mapped >= want)
		return 0;
	ent_path(ls, &path);
	if (ls->ent_fd < 0) {
		ls->ent_fd = open(path.buf, O_RDONLY | O_CLOEXEC);
		if (ls->ent_fd < 0) {
			if (errno != ENOENT)
				r = io_error(err, path.buf, errno);
			goto out;
		}
	}
	if (fstat(ls->ent_fd, &sb) < 0) {
		r = io_error(err, path.buf, errno);
		goto out;
	}
	len = (size_t)sb.st_size - (size_t)sb.st_size % LOGSTORE_ENTRY_LEN;
	if (len <= ls->emap_len)
		goto out;
	p = mmap(NULL, len, PROT_READ, MAP_SHARED, ls->ent_fd, 0);
	if (p == MAP_FAILED) {
		r = io_error(err, path.buf, errno);
		goto out;
	}
	if (ls->emap)
		munmap((void *)ls->emap, ls->emap_len);
	ls->emap = p;
	ls->emap_len = len;
	*mapped = len / LOGSTORE_ENTRY_LEN;
out:
	strbuf_release(&path);
	return r;
}

int logstore_entry_get(struct logstore *ls, uint64_t seq, const struct logstore_entry **e,
		       struct mamori_err *err)
{
	uint64_t mapped;
	int r;

	if (seq >= ls->fr.size)
		return mamori_err_set(err, MAMORI_ENOTFOUND, "番号 %" PRIu64 " のイベントはありません",
				      seq);
	if (!ls->readonly && seq >= ls->ebuf_seq && (r = logstore_flush(ls, err)) < 0)
		return r;
	if ((r = logstore_entries_map(ls, seq + 1, &mapped, err)) < 0)
		return r;
	if (seq >= mapped || !logstore_entry_at(ls, seq)->len)
		return mamori_err_set(err, MAMORI_ECHECK,
				      "%s/events.idx: 番号 %" PRIu64 " のイベントの索引がありません "
				      "(mamori log verify で確認してください)",
				      ls->dir, seq);
	*e = logstore_entry_at(ls, seq);
	return 0;
}

static int seg_datasync(struct logstore *ls, struct mamori_err *err)
{
	if (!ls->need_sync)
		return 0;
	if (fdatasync(ls->seg_fd) < 0) {
		struct strbuf path = STRBUF_INIT;
		int r;

		logstore_seg_path(ls, ls->seg_no, &path);
		r = io_error(err, path.buf, errno);
		strbuf_release(&path);
		return r;
	}
	ls->need_sync = false;
	return 0;
}

static int segment_row(struct logstore *ls, int closed, struct mamori_err *err)
{
	sqlite3_stmt *st = ls->put_segment;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, ls->seg_no);
	sqlite3_bind_int64(st, 2, (int64_t)ls->seg_first);
	sqlite3_bind_int64(st, 3, (int64_t)ls->seg_count);
	sqlite3_bind_int64(st, 4, (int64_t)ls->seg_bytes);
	sqlite3_bind_int(st, 5, closed);
	if (sqlite3_step(st) != SQLITE_DONE) {
		sqlite3_reset(st);
		return logstore_db_error(ls, err, "log_segment");
	}
	sqlite3_reset(st);
	return 0;
}

int logstore_read_begin(struct logstore *ls, struct mamori_err *err)
{
	if (ls->in_txn)
		return 0;
	return exec(ls, "BEGIN", err);
}

void logstore_read_end(struct logstore *ls)
{
	if (!ls->in_txn)
		exec(ls, "COMMIT", NULL);
}

static int txn_begin(struct logstore *ls, struct mamori_err *err)
{
	if (ls->in_txn)
		return 0;
	if (exec(ls, "BEGIN IMMEDIATE", err) < 0)
		return err ? err->code : MAMORI_EDB;
	ls->in_txn = true;
	return 0;
}

/* Closes the current segment and starts the next (the buffer is written
 * and synced first). */
static int seg_roll(struct logstore *ls, struct mamori_err *err)
{
	int r;

	if ((r = logstore_flush(ls, err)) < 0 || (r = seg_datasync(ls, err)) < 0)
		return r;
	if ((r = txn_begin(ls, err)) < 0 || (r = segment_row(ls, 1, err)) < 0)
		return r;
	if ((r = seg_open(ls, ls->seg_no + 1, true, err)) < 0)
		return r;
	if (ftruncate(ls->seg_fd, 0) < 0)
		return io_error(err, ls->dir, errno);
	ls->seg_first = ls->fr.size;
	ls->seg_count = 0;
	ls->seg_bytes = 0;
	ls->wbuf_off = 0;
	return segment_row(ls, 0, err);
}

/* ---- appending ------------------------------------------------------------------ */

/* The ids of an event's terms in ids[] (0 for no term). */
static int entry_terms(struct logstore *ls, const struct ev_terms *t, uint32_t ids[LT_KINDS],
		       struct mamori_err *err)
{
	for (int k = 0; k < LT_KINDS; k++) {
		int64_t v64 = 0;
		int r;

		ids[k] = 0;
		if (!t->v[k])
			continue;
		if ((r = term_id(ls, k + 1, t->v[k], t->len[k], t->h[k], &v64, err)) < 0)
			return r;
		ids[k] = (uint32_t)v64;
	}
	return 0;
}

/* Writes the full window's search file and raises "posted" in the open
 * transaction. */
static int post_flush(struct logstore *ls, struct mamori_err *err)
{
	char v[24];
	int r;

	if (!ls->post_pending)
		return 0;
	if ((r = logstore_postings_write(ls, err)) < 0)
		return r;
	ls->posted += LOGSTORE_POSTING_WINDOW;
	ls->post_pending = false;
	snprintf(v, sizeof(v), "%" PRIu64, ls->posted);
	return meta_put(ls, "posted", v, strlen(v), false, err);
}

/* Entry, frontier and block of one record already placed at (seg_no,
 * off), whose terms t holds (ev_terms_hash()).  The caller has begun the
 * transaction. */
static int index_one(struct logstore *ls, const struct log_event *ev, const struct ev_terms *t,
		     uint64_t off, struct mamori_err *err)
{
	struct logstore_entry e;
	sqlite3_stmt *st;
	uint8_t block[MERKLE_HASH_LEN];
	uint64_t seq = ls->fr.size;
	int r;

	if ((r = post_flush(ls, err)) < 0)
		return r;
	memset(&e, 0, sizeof(e));
	if ((r = entry_terms(ls, t, e.term, err)) < 0)
		return r;
	e.recv_us = ev->recv_us;
	e.time_us = ev->time_us;
	e.off = off;
	e.seg = ls->seg_no;
	e.len = (uint32_t)ev->record.len;
	e.flags = ev->flags;
	e.via = (uint8_t)ev->via;
	e.result = (uint8_t)ev->f.result;
	memcpy(e.leaf, ev->leaf, MERKLE_HASH_LEN);
	strbuf_add(&ls->ebuf, &e, sizeof(e));
	if (ev->time_us != INT64_MIN) {
		if (ev->time_us < ls->blk_min)
			ls->blk_min = ev->time_us;
		if (ev->time_us > ls->blk_max)
			ls->blk_max = ev->time_us;
	}
	for (int k = 0; k < LT_KINDS; k++)
		if (e.term[k])
			logstore_posting_add(ls, k + 1, e.term[k], seq);
	if (logstore_fr_append(&ls->fr, ev->leaf, block)) {
		st = ls->ins_block;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, (int64_t)(seq / LOGSTORE_BLOCK_LEAVES));
		sqlite3_bind_blob(st, 2, block, MERKLE_HASH_LEN, SQLITE_STATIC);
		if (ls->blk_min <= ls->blk_max) {
			sqlite3_bind_int64(st, 3, ls->blk_min);
			sqlite3_bind_int64(st, 4, ls->blk_max);
		} else {
			sqlite3_bind_null(st, 3);
			sqlite3_bind_null(st, 4);
		}
		if (sqlite3_step(st) != SQLITE_DONE) {
			sqlite3_reset(st);
			return logstore_db_error(ls, err, "log_block");
		}
		sqlite3_reset(st);
		ls->blk_min = INT64_MAX;
		ls->blk_max = INT64_MIN;
	}
	ls->seg_count++;
	if ((seq + 1) % LOGSTORE_POSTING_WINDOW == 0) {
		/* the window is full: its file now, or (disk full) before the
		 * next event or at the commit */
		ls->post_pending = true;
		post_flush(ls, NULL);
	}
	return 0;
}

int logstore_append(struct logstore *ls, struct log_event *const *evs, size_t n, uint64_t *first,
		    struct mamori_err *err)
{
	struct ev_terms ahead[TERMS_AHEAD];
	int r;

	if (first)
		*first = ls->fr.size;
	if (ls->readonly)
		return mamori_err_set(err, MAMORI_EINVAL, "%s: 読み取り専用で開いたログ保管庫には追加できません",
				      ls->dir);
	if ((r = txn_begin(ls, err)) < 0)
		return r;
	for (size_t i = 0; i < n && i < TERMS_AHEAD; i++)
		ev_terms_hash(ls, evs[i], &ahead[i]);
	for (size_t i = 0; i < n; i++) {
		const struct log_event *ev = evs[i];
		struct ev_terms *t = &ahead[i % TERMS_AHEAD];
		size_t len = ev->record.len;
		uint8_t pre[4];
		uint64_t off;

		if (!len || len > LOG_RECORD_MAX)
			return mamori_err_set(err, MAMORI_EINVAL,
					      "封印されていないか大きすぎるイベントです (%zu バイト)", len);
		if (ls->seg_count && ls->seg_bytes + 4 + len > logstore_segment_limit &&
		    (r = seg_roll(ls, err)) < 0)
			return r;
		if (ls->wbuf.len + 4 + len > WBUF_FLUSH && (r = logstore_flush(ls, err)) < 0)
			return r;
		off = ls->seg_bytes;
		if ((r = index_one(ls, ev, t, off, err)) < 0) {
			/* nothing was counted */
			return r;
		}
		if (i + TERMS_AHEAD < n)
			ev_terms_hash(ls, evs[i + TERMS_AHEAD], t);
		pre[0] = (uint8_t)(len >> 24);
		pre[1] = (uint8_t)(len >> 16);
		pre[2] = (uint8_t)(len >> 8);
		pre[3] = (uint8_t)len;
		strbuf_add(&ls->wbuf, pre, 4);
		strbuf_add(&ls->wbuf, ev->record.buf, len);
		ls->seg_bytes += 4 + len;
	}
	return 0;
}

int logstore_sync(struct logstore *ls, struct mamori_err *err)
{
	int r;

	if (ls->readonly)
		return 0;
	if ((r = logstore_flush(ls, err)) < 0 || (r = seg_datasync(ls, err)) < 0)
		return r;
	ls->durable = ls->fr.size;
	return 0;
}

int logstore_commit(struct logstore *ls, struct mamori_err *err)
{
	struct strbuf fb = STRBUF_INIT;
	char sz[24];
	int r;

	if (ls->readonly)
		return 0;
	if ((r = logstore_sync(ls, err)) < 0)
		return r;
	if (!ls->in_txn)
		return 0;
	/* every event the commit counts has its entry on disk */
	if ((r = ent_datasync(ls, err)) < 0)
		return r;
	fr_serialize(&ls->fr, &fb);
	snprintf(sz, sizeof(sz), "%" PRIu64, ls->fr.size);
	if ((r = post_flush(ls, err)) < 0 || (r = segment_row(ls, 0, err)) < 0 || (r = meta_put(ls, "size", sz, strlen(sz), false, err)) < 0 ||
	    (r = meta_put(ls, "frontier", fb.buf, fb.len, true, err)) < 0 ||
	    (r = exec(ls, "COMMIT", err)) < 0)
		goto out;
	ls->in_txn = false;
	ls->committed = ls->fr.size;
out:
	strbuf_release(&fb);
	return r;
}

uint64_t logstore_size(const struct logstore *ls)
{
	return ls->fr.size;
}

uint64_t logstore_durable(const struct logstore *ls)
{
	return ls->readonly ? ls->committed : ls->durable;
}

const char *logstore_origin(const struct logstore *ls)
{
	return ls->origin;
}

/* ---- reading records ------------------------------------------------------------- */

int logstore_pread(struct logstore *ls, uint32_t no, uint64_t off, void *buf, size_t len,
		   struct mamori_err *err)
{
	struct strbuf path = STRBUF_INIT;
	size_t done = 0;
	int r = 0;

	logstore_seg_path(ls, no, &path);
	if (ls->rd_fd < 0 || ls->rd_no != no) {
		if (ls->rd_fd >= 0)
			close(ls->rd_fd);
		ls->rd_fd = open(path.buf, O_RDONLY | O_CLOEXEC);
		if (ls->rd_fd < 0) {
			r = io_error(err, path.buf, errno);
			goto out;
		}
		ls->rd_no = no;
	}
	while (done < len) {
		ssize_t n = pread(ls->rd_fd, (char *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = io_error(err, path.buf, errno);
			goto out;
		}
		if (n == 0) {
			r = mamori_err_set(err, MAMORI_ECHECK,
					   "%s: 位置 %" PRIu64 " の記録が途中で切れています "
					   "(mamori log verify で確認してください)",
					   path.buf, off);
			goto out;
		}
		done += (size_t)n;
	}
out:
	strbuf_release(&path);
	return r;
}

int logstore_read_record(struct logstore *ls, uint64_t seq, struct strbuf *rec,
			 struct mamori_err *err)
{
	const struct logstore_entry *e;
	int r;

	if ((r = logstore_flush(ls, err)) < 0 || (r = logstore_entry_get(ls, seq, &e, err)) < 0)
		return r;
	return logstore_read_at(ls, seq, e->seg, e->off, e->len, rec, err);
}

int logstore_read_at(struct logstore *ls, uint64_t seq, uint32_t no, uint64_t off, uint64_t len,
		     struct strbuf *rec, struct mamori_err *err)
{
	const uint8_t *pre;
	int r;

	if (len > LOG_RECORD_MAX)
		return mamori_err_set(err, MAMORI_ECHECK,
				      "番号 %" PRIu64 " のイベントの索引の長さ (%" PRIu64 ") が不正です", seq,
				      len);
	/* the length prefix and the record in one read */
	strbuf_reset(rec);
	strbuf_grow(rec, len + 4);
	if ((r = logstore_pread(ls, no, off, rec->buf, len + 4, err)) < 0)
		return r;
	pre = (const uint8_t *)rec->buf;
	if (((uint64_t)pre[0] << 24 | (uint64_t)pre[1] << 16 | (uint64_t)pre[2] << 8 | pre[3]) != len)
		return mamori_err_set(err, MAMORI_ECHECK,
				      "番号 %" PRIu64 " のイベント: 記録の長さが索引と違います "
				      "(seg-%08" PRIu32 ".log 位置 %" PRIu64 ")",
				      seq, no, off);
	memmove(rec->buf, rec->buf + 4, len);
	rec->len = len;
	rec->buf[len] = '\0';
	return 0;
}

/* ---- the Merkle source ------------------------------------------------------------- */

static int src_leaf(uint64_t index, uint8_t out[MERKLE_HASH_LEN], void *ctx, struct mamori_err *err)
{
	struct logstore *ls = ctx;
	struct strbuf rec = STRBUF_INIT;
	int r = logstore_read_record(ls, index, &rec, err);

	if (r == 0)
		merkle_leaf_hash(rec.buf, rec.len, out);
	strbuf_release(&rec);
	return r;
}

static int leaves_root(struct logstore *ls, uint64_t start, uint64_t end,
		       uint8_t out[MERKLE_HASH_LEN], struct mamori_err *err)
{
	struct merkle_frontier f;
	uint8_t h[MERKLE_HASH_LEN];
	int r;

	merkle_frontier_init(&f);
	for (uint64_t i = start; i < end; i++) {
		if ((r = src_leaf(i, h, ls, err)) < 0)
			return r;
		merkle_frontier_append(&f, h, NULL);
	}
	merkle_frontier_root(&f, out);
	return 0;
}

/*
 * MTH(D[start:end)) from cached block hashes where the range covers whole
 * blocks from an aligned start: the block hashes are the leaves of the
 * upper tree, the partial block at the end is hashed from its leaves and
 * folded in as the frontier would.
 */
static int src_subtree(uint64_t start, uint64_t end, uint8_t out[MERKLE_HASH_LEN], void *ctx,
		       struct mamori_err *err)
{
	struct logstore *ls = ctx;
	struct merkle_frontier f;
	uint8_t acc[MERKLE_HASH_LEN];
	uint64_t b0, nb, tail_start;
	sqlite3_stmt *st = NULL;
	bool have = false;
	int r;

	if (start % LOGSTORE_BLOCK_LEAVES || end - start < LOGSTORE_BLOCK_LEAVES)
		return leaves_root(ls, start, end, out, err);
	b0 = start / LOGSTORE_BLOCK_LEAVES;
	nb = (end - start) / LOGSTORE_BLOCK_LEAVES;
	tail_start = start + nb * LOGSTORE_BLOCK_LEAVES;
	if (sqlite3_prepare_v2(ls->db,
			       "SELECT block, hash FROM log_block WHERE block >= ? AND block < ? "
			       "ORDER BY block",
			       -1, &st, NULL) != SQLITE_OK)
		return logstore_db_error(ls, err, "log_block");
	sqlite3_bind_int64(st, 1, (int64_t)b0);
	sqlite3_bind_int64(st, 2, (int64_t)(b0 + nb));
	merkle_frontier_init(&f);
	for (uint64_t b = b0; b < b0 + nb; b++) {
		if (sqlite3_step(st) != SQLITE_ROW || (uint64_t)sqlite3_column_int64(st, 0) != b ||
		    sqlite3_column_bytes(st, 1) != MERKLE_HASH_LEN) {
			/* missing cache: compute the block from its leaves */
			uint8_t h[MERKLE_HASH_LEN];

			sqlite3_finalize(st);
			st = NULL;
			if ((r = leaves_root(ls, b * LOGSTORE_BLOCK_LEAVES,
					     (b + 1) * LOGSTORE_BLOCK_LEAVES, h, err)) < 0)
				return r;
			merkle_frontier_append(&f, h, NULL);
			for (b++; b < b0 + nb; b++) {
				if ((r = leaves_root(ls, b * LOGSTORE_BLOCK_LEAVES,
						     (b + 1) * LOGSTORE_BLOCK_LEAVES, h, err)) < 0)
					return r;
				merkle_frontier_append(&f, h, NULL);
			}
			break;
		}
		merkle_frontier_append(&f, sqlite3_column_blob(st, 1), NULL);
	}
	sqlite3_finalize(st);
	if (tail_start < end) {
		if ((r = leaves_root(ls, tail_start, end, acc, err)) < 0)
			return r;
		have = true;
	}
	for (unsigned k = 0; k < MERKLE_PROOF_MAX; k++) {
		if (!(nb >> k & 1))
			continue;
		if (!have) {
			memcpy(acc, f.level[k], MERKLE_HASH_LEN);
			have = true;
		} else {
			merkle_node_hash(f.level[k], acc, acc);
		}
	}
	memcpy(out, acc, MERKLE_HASH_LEN);
	return 0;
}

void logstore_source(struct logstore *ls, struct merkle_source *src)
{
	src->leaf = src_leaf;
	src->subtree = src_subtree;
	src->ctx = ls;
}

/* ---- keys ---------------------------------------------------------------------------- */

static int key_create(struct logstore *ls, struct mamori_err *err)
{
	uint8_t rnd[8];
	char hex[17];
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT, vk = STRBUF_INIT;
	int fd = -1, r;

	randombytes_buf(rnd, sizeof(rnd));
	for (int i = 0; i < 8; i++)
		snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	snprintf(ls->origin, sizeof(ls->origin), "mamori.local/%s", hex);
	if ((r = checkpoint_keygen(ls->origin, &ls->signer, err)) < 0)
		goto out;
	ls->have_signer = true;
	ls->ver = ls->signer.v;
	checkpoint_skey_format(&ls->signer, &text);
	strbuf_addch(&text, '\n');
	strbuf_addf(&path, "%s/signing.key", ls->dir);
	fd = open(path.buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text.buf, text.len) != (ssize_t)text.len || fsync(fd) < 0) {
		r = io_error(err, path.buf, errno);
		goto out;
	}
	checkpoint_vkey_format(&ls->ver, &vk);
	if ((r = meta_put(ls, "origin", ls->origin, strlen(ls->origin), false, err)) < 0 ||
	    (r = meta_put(ls, "vkey", vk.buf, vk.len, false, err)) < 0)
		goto out;
out:
	if (fd >= 0)
		close(fd);
	sodium_memzero(text.buf, text.len);
	strbuf_release(&text);
	strbuf_release(&path);
	strbuf_release(&vk);
	return r;
}

static int key_load(struct logstore *ls, struct mamori_err *err)
{
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	struct stat sb;
	char buf[1024];
	ssize_t n;
	int fd = -1, r = 0;

	strbuf_addf(&path, "%s/signing.key", ls->dir);
	fd = open(path.buf, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 || fstat(fd, &sb) < 0) {
		r = io_error(err, path.buf, errno);
		goto out;
	}
	if (sb.st_mode & 0044) {
		r = mamori_err_set(err, MAMORI_EIO,
				   "%s: 署名鍵がほかの利用者から読める状態です。"
				   "chmod 600 %s を実行してから開き直してください",
				   path.buf, path.buf);
		goto out;
	}
	while ((n = read(fd, buf, sizeof(buf))) > 0 && text.len < 4096)
		strbuf_add(&text, buf, (size_t)n);
	while (text.len && (text.buf[text.len - 1] == '\n' || text.buf[text.len - 1] == '\r'))
		text.buf[--text.len] = '\0';
	if ((r = checkpoint_skey_parse(text.buf, &ls->signer, err)) < 0) {
		mamori_err_prefix(err, "%s", path.buf);
		goto out;
	}
	if (strcmp(ls->signer.v.name, ls->ver.name) ||
	    memcmp(ls->signer.v.pk, ls->ver.pk, CHECKPOINT_PK_LEN)) {
		checkpoint_signer_wipe(&ls->signer);
		r = mamori_err_set(err, MAMORI_EIO,
				   "%s: 署名鍵がこの保管庫の検証鍵と一致しません (鍵が差し替えられています)",
				   path.buf);
		goto out;
	}
	ls->have_signer = true;
out:
	if (fd >= 0)
		close(fd);
	sodium_memzero(buf, sizeof(buf));
	sodium_memzero(text.buf, text.len);
	strbuf_release(&text);
	strbuf_release(&path);
	return r;
}

/* ---- the writer lock ------------------------------------------------------------ */

/*
 * Only one process may write a vault (two would interleave records in the
 * same segment): a writable handle holds an exclusive flock on
 * <dir>/writer.lock, which holds its pid, for as long as it is open.
 */
static int writer_lock(struct logstore *ls, struct mamori_err *err)
{
	struct strbuf path = STRBUF_INIT;
	char pid[32];
	int n, r = 0;

	strbuf_addf(&path, "%s/writer.lock", ls->dir);
	ls->lock_fd = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (ls->lock_fd < 0) {
		r = io_error(err, path.buf, errno);
		goto out;
	}
	if (flock(ls->lock_fd, LOCK_EX | LOCK_NB) < 0) {
		int64_t holder = 0;

		if (errno != EWOULDBLOCK) {
			r = io_error(err, path.buf, errno);
			goto out;
		}
		logstore_writer_pid(ls->dir, &holder);
		r = mamori_err_set(err, MAMORI_ECONFLICT,
				   "%s: ログ保管庫には別のプロセス (pid %" PRId64
				   "、mamori serve のログ受信など) が書き込み中です。"
				   "そのプロセスを止めてから実行してください",
				   ls->dir, holder);
		close(ls->lock_fd);
		ls->lock_fd = -1;
		goto out;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(ls->lock_fd, 0) < 0 || pwrite(ls->lock_fd, pid, (size_t)n, 0) != n)
		r = io_error(err, path.buf, errno);
out:
	strbuf_release(&path);
	return r;
}

int logstore_writer_pid(const char *dir, int64_t *pid)
{
	struct strbuf path = STRBUF_INIT;
	char buf[32];
	ssize_t n;
	int fd, held = 0;

	*pid = 0;
	strbuf_addf(&path, "%s/writer.lock", dir);
	fd = open(path.buf, O_RDONLY | O_CLOEXEC);
	strbuf_release(&path);
	if (fd < 0)
		return 0;
	if (flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK) {
		held = 1;
		n = pread(fd, buf, sizeof(buf) - 1, 0);
		if (n > 0) {
			buf[n] = '\0';
			*pid = strtoll(buf, NULL, 10);
		}
	}
	close(fd);
	return held;
}

/* ---- opening and recovery ------------------------------------------------------- */

static int load_meta(struct logstore *ls, struct mamori_err *err)
{
	sqlite3_stmt *st = NULL;
	uint64_t size = 0;
	int r;

	if ((r = meta_get(ls, "origin", &st, err)) < 0)
		return r;
	if (r == 0)
		return mamori_err_set(err, MAMORI_EIO, "%s/index.db: 保管庫の情報 (origin) がありません",
				      ls->dir);
	snprintf(ls->origin, sizeof(ls->origin), "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	if ((r = meta_get(ls, "vkey", &st, err)) < 0)
		return r;
	if (r == 0)
		return mamori_err_set(err, MAMORI_EIO, "%s/index.db: 検証鍵がありません", ls->dir);
	r = checkpoint_vkey_parse((const char *)sqlite3_column_text(st, 0), &ls->ver, err);
	sqlite3_finalize(st);
	if (r < 0)
		return r;
	if ((r = meta_get(ls, "size", &st, err)) < 0)
		return r;
	if (r == 1) {
		size = (uint64_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	merkle_frontier_init(&ls->fr);
	if (size) {
		if ((r = meta_get(ls, "frontier", &st, err)) < 0)
			return r;
		if (r == 0 || fr_load(&ls->fr, size, sqlite3_column_blob(st, 0),
				      (size_t)sqlite3_column_bytes(st, 0)) < 0) {
			if (r == 1)
				sqlite3_finalize(st);
			return mamori_err_set(err, MAMORI_ECHECK,
					      "%s/index.db: 木の状態 (frontier) が壊れています", ls->dir);
		}
		sqlite3_finalize(st);
	}
	ls->committed = ls->durable = size;
	ls->posted = 0;
	if ((r = meta_get(ls, "posted", &st, err)) < 0)
		return r;
	if (r == 1) {
		ls->posted = (uint64_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
		if (ls->posted % LOGSTORE_POSTING_WINDOW || ls->posted > size)
			return mamori_err_set(err, MAMORI_ECHECK,
					      "%s/index.db: 検索索引の位置 (posted) が壊れています", ls->dir);
	}
	return 0;
}

int logstore_refresh(struct logstore *ls, struct mamori_err *err)
{
	if (!ls->readonly || ls->broken)
		return 0;
	return load_meta(ls, err);
}

/* The segment to write and the end of the committed records in it. */
static int find_tail(struct logstore *ls, uint64_t *end, struct mamori_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	*end = 0;
	ls->seg_no = 1;
	ls->seg_first = 0;
	ls->seg_count = 0;
	if (sqlite3_prepare_v2(ls->db,
			       "SELECT no, first_seq FROM log_segment ORDER BY no DESC LIMIT 1", -1,
			       &st, NULL) != SQLITE_OK)
		return logstore_db_error(ls, err, "log_segment");
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		ls->seg_no = (uint32_t)sqlite3_column_int64(st, 0);
		ls->seg_first = (uint64_t)sqlite3_column_int64(st, 1);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return logstore_db_error(ls, err, "log_segment");
	if (ls->committed > ls->seg_first) {
		const struct logstore_entry *e;

		if (logstore_entry_get(ls, ls->committed - 1, &e, NULL) < 0)
			return mamori_err_set(err, MAMORI_ECHECK,
					      "%s/index.db: 最後のイベント (番号 %" PRIu64
					      ") の索引がありません (mamori log verify で確認してください)",
					      ls->dir, ls->committed - 1);
		if (e->seg != ls->seg_no)
			return mamori_err_set(err, MAMORI_ECHECK,
					      "%s/events.idx: 最後のイベント (番号 %" PRIu64
					      ") の区画が区画の一覧と違います (mamori log verify で確認してください)",
					      ls->dir, ls->committed - 1);
		*end = e->off + 4 + e->len;
		ls->seg_count = ls->committed - ls->seg_first;
	}
	return 0;
}

/*
 * The search pairs of the committed events not yet in a window file, from
 * their rows; a window that is full but whose file was not recorded
 * (a crash between the two) gets its file again.
 */
static int pairs_load(struct logstore *ls, struct mamori_err *err)
{
	int r;

	for (uint64_t seq = ls->posted; seq < ls->committed; seq++) {
		const struct logstore_entry *e;

		if (logstore_entry_get(ls, seq, &e, NULL) < 0)
			return mamori_err_set(err, MAMORI_ECHECK,
					      "%s/index.db: 番号 %" PRIu64 " のイベントの索引の行がありません "
					      "(mamori log verify で確認してください)",
					      ls->dir, seq);
		for (int k = 0; k < LT_KINDS; k++)
			if (e->term[k])
				logstore_posting_add(ls, k + 1, e->term[k], seq);
		if ((seq + 1) % LOGSTORE_POSTING_WINDOW == 0) {
			ls->post_pending = true;
			if ((r = txn_begin(ls, err)) < 0 || (r = post_flush(ls, err)) < 0)
				return r;
		}
	}
	return 0;
}

/* The event-time bounds of the committed part of the block being filled. */
static int block_bounds_load(struct logstore *ls, struct mamori_err *err)
{
	uint64_t start = ls->committed - ls->committed % LOGSTORE_BLOCK_LEAVES;
	int r;

	for (uint64_t seq = start; seq < ls->committed; seq++) {
		const struct logstore_entry *e;

		if ((r = logstore_entry_get(ls, seq, &e, err)) < 0)
			return r;
		if (e->time_us == INT64_MIN)
			continue;
		if (e->time_us < ls->blk_min)
			ls->blk_min = e->time_us;
		if (e->time_us > ls->blk_max)
			ls->blk_max = e->time_us;
	}
	return 0;
}

/*
 * The entries of a vault written before events.idx existed: copied from
 * its log_event table (from entry `from` on), then made durable.  No table
 * or no such rows: MAMORI_ECHECK.
 */
static int entries_from_table(struct logstore *ls, uint64_t from, struct mamori_err *err)
{
	sqlite3_stmt *st = NULL;
	uint64_t want = from;
	int rc, r = 0;

	if (sqlite3_prepare_v2(ls->db,
			       "SELECT seq, recv_us, time_us, via, flags, user_id, patient_id, host_id,"
			       " action_id, source_id, result, seg, off, len, leaf FROM log_event"
			       " WHERE seq >= ? AND seq < ? ORDER BY seq",
			       -1, &st, NULL) != SQLITE_OK)
		goto missing;
	sqlite3_bind_int64(st, 1, (int64_t)from);
	sqlite3_bind_int64(st, 2, (int64_t)ls->committed);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct logstore_entry e;

		if ((uint64_t)sqlite3_column_int64(st, 0) != want ||
		    sqlite3_column_bytes(st, 14) != MERKLE_HASH_LEN)
			break;
		memset(&e, 0, sizeof(e));
		e.recv_us = sqlite3_column_int64(st, 1);
		e.time_us = sqlite3_column_type(st, 2) == SQLITE_NULL ? INT64_MIN
								      : sqlite3_column_int64(st, 2);
		e.via = (uint8_t)sqlite3_column_int(st, 3);
		e.flags = (uint32_t)sqlite3_column_int64(st, 4);
		for (int k = 0; k < LT_KINDS; k++)
			e.term[k] = (uint32_t)sqlite3_column_int64(st, 5 + k);
		e.result = (uint8_t)sqlite3_column_int(st, 10);
		e.seg = (uint32_t)sqlite3_column_int64(st, 11);
		e.off = (uint64_t)sqlite3_column_int64(st, 12);
		e.len = (uint32_t)sqlite3_column_int64(st, 13);
		memcpy(e.leaf, sqlite3_column_blob(st, 14), MERKLE_HASH_LEN);
		strbuf_add(&ls->ebuf, &e, sizeof(e));
		want++;
		if (ls->ebuf.len >= WBUF_FLUSH && (r = ent_flush(ls, err)) < 0)
			goto out;
	}
	if (want != ls->committed)
		goto missing;
	if ((r = ent_flush(ls, err)) < 0 || (r = ent_datasync(ls, err)) < 0)
		goto out;
	goto out;
missing:
	strbuf_reset(&ls->ebuf);
	r = mamori_err_set(err, MAMORI_ECHECK,
			   "%s/events.idx: 番号 %" PRIu64 " からのイベントの索引がありません "
			   "(mamori log verify で確認してください)",
			   ls->dir, want);
out:
	sqlite3_finalize(st);
	return r;
}

/* The writer's events.idx: entries beyond the committed size cut off
 * (their records are indexed again by recover()). */
static int entries_open(struct logstore *ls, struct mamori_err *err)
{
	struct strbuf path = STRBUF_INIT;
	struct stat sb;
	bool created;
	uint64_t have;
	int r = 0;

	ent_path(ls, &path);
	created = access(path.buf, F_OK) != 0;
	ls->ent_fd = open(path.buf, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (ls->ent_fd < 0 || fstat(ls->ent_fd, &sb) < 0) {
		r = io_error(err, path.buf, errno);
		goto out;
	}
	if (created) {
		int dfd = open(ls->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	have = (uint64_t)sb.st_size / LOGSTORE_ENTRY_LEN;
	ls->ebuf_seq = have < ls->committed ? have : ls->committed;
	if ((uint64_t)sb.st_size != ls->ebuf_seq * LOGSTORE_ENTRY_LEN &&
	    ftruncate(ls->ent_fd, (off_t)(ls->ebuf_seq * LOGSTORE_ENTRY_LEN)) < 0) {
		r = io_error(err, path.buf, errno);
		goto out;
	}
	if (ls->ebuf_seq < ls->committed)
		r = entries_from_table(ls, ls->ebuf_seq, err);
out:
	strbuf_release(&path);
	return r;
}

/*
 * Re-indexes the records found beyond the committed ones (from offset end
 * of the current segment, then in later segments) and cuts a torn record
 * at the very end.
 */
static int recover(struct logstore *ls, uint64_t end, struct mamori_err *err)
{
	struct log_event ev;
	struct ev_terms terms;
	struct strbuf data = STRBUF_INIT, path = STRBUF_INIT;
	struct stat sb;
	int r = 0;

	log_event_init(&ev);
	for (;;) {
		uint64_t pos = end;
		char buf[65536];
		ssize_t n;

		if (fstat(ls->seg_fd, &sb) < 0) {
			logstore_seg_path(ls, ls->seg_no, &path);
			r = io_error(err, path.buf, errno);
			goto out;
		}
		if ((uint64_t)sb.st_size < end) {
			logstore_seg_path(ls, ls->seg_no, &path);
			r = mamori_err_set(err, MAMORI_ECHECK,
					   "%s: 区画ファイルが記録済みの大きさ (%" PRIu64
					   " バイト) より短くなっています (%" PRIu64
					   " バイト)。ログが失われたか切り詰められました。"
					   "mamori log verify で確認してください",
					   path.buf, end, (uint64_t)sb.st_size);
			goto out;
		}
		strbuf_reset(&data);
		while ((n = pread(ls->seg_fd, buf, sizeof(buf), (off_t)(end + data.len))) > 0)
			strbuf_add(&data, buf, (size_t)n);
		while (pos - end + 4 <= data.len) {
			const uint8_t *p = (const uint8_t *)data.buf + (pos - end);
			uint64_t len = (uint64_t)p[0] << 24 | (uint64_t)p[1] << 16 |
				       (uint64_t)p[2] << 8 | p[3];

			if (pos - end + 4 + len > data.len)
				break; /* torn */
			if ((r = log_event_parse(&ev, (const char *)p + 4, (size_t)len, NULL, err)) < 0) {
				logstore_seg_path(ls, ls->seg_no, &path);
				r = mamori_err_set(err, MAMORI_ECHECK,
						   "%s: 位置 %" PRIu64 " の未索引の記録が読めません: %s",
						   path.buf, pos, err ? err->msg : "");
				goto out;
			}
			ev_terms_hash(ls, &ev, &terms);
			if ((r = txn_begin(ls, err)) < 0 ||
			    (r = index_one(ls, &ev, &terms, pos, err)) < 0)
				goto out;
			pos += 4 + len;
		}
		if (pos - end < data.len) {
			/* a torn record at the end: never synced, never acknowledged */
			if (ftruncate(ls->seg_fd, (off_t)pos) < 0 || fdatasync(ls->seg_fd) < 0) {
				logstore_seg_path(ls, ls->seg_no, &path);
				r = io_error(err, path.buf, errno);
				goto out;
			}
		}
		ls->seg_bytes = pos;
		/* a later segment (rolled over before the crash)? */
		logstore_seg_path(ls, ls->seg_no + 1, &path);
		if (access(path.buf, F_OK) != 0)
			break;
		if ((r = txn_begin(ls, err)) < 0 || (r = segment_row(ls, 1, err)) < 0 ||
		    (r = seg_open(ls, ls->seg_no + 1, false, err)) < 0)
			goto out;
		ls->seg_first = ls->fr.size;
		ls->seg_count = 0;
		ls->seg_bytes = 0;
		end = 0;
	}
	ls->wbuf_off = ls->seg_bytes;
	ls->durable = ls->fr.size;
	if (ls->in_txn)
		r = logstore_commit(ls, err);
out:
	log_event_release(&ev);
	strbuf_release(&data);
	strbuf_release(&path);
	return r;
}

static int prepare_all(struct logstore *ls, struct mamori_err *err)
{
	int r;

	if (ls->readonly)
		return 0;
	if ((r = prep(ls,
		      "SELECT id FROM log_term WHERE kind = ?1 AND value = ?2",
		      &ls->sel_term, err)) < 0 ||
	    (r = prep(ls, "INSERT INTO log_term(kind, value) VALUES (?1, ?2)", &ls->ins_term,
		      err)) < 0 ||
	    (r = prep(ls,
		      "INSERT OR REPLACE INTO log_block(block, hash, min_time, max_time)"
		      " VALUES (?, ?, ?, ?)",
		      &ls->ins_block, err)) < 0 ||

	    (r = prep(ls, "INSERT OR REPLACE INTO log_meta(key, value) VALUES (?, ?)", &ls->put_meta,
		      err)) < 0 ||
	    (r = prep(ls,
		      "INSERT OR REPLACE INTO log_segment(no, first_seq, count, bytes, closed)"
		      " VALUES (?, ?, ?, ?, ?)",
		      &ls->put_segment, err)) < 0)
		return r;
	return 0;
}

int logstore_open(struct logstore **out, const char *dir, int flags, struct mamori_err *err)
{
	struct logstore *ls = xcalloc(1, sizeof(*ls));
	struct strbuf path = STRBUF_INIT;
	struct stat sb;
	bool create = false;
	uint64_t end;
	int r = 0, oflags;

	*out = NULL;
	ls->dir = xstrdup(dir);
	if (sodium_init() < 0)
		BUG("libsodium cannot be initialised");
	randombytes_buf(&ls->term_seed, sizeof(ls->term_seed));
	ls->term_seed |= 1; /* 0 marks an event's terms as not hashed */
	ls->seg_fd = ls->rd_fd = ls->lock_fd = ls->ent_fd = -1;
	ls->readonly = flags & LOGSTORE_READONLY;
	ls->blk_min = INT64_MAX;
	ls->blk_max = INT64_MIN;
	strbuf_init(&ls->wbuf);
	strbuf_init(&ls->ebuf);
	strbuf_addf(&path, "%s/index.db", dir);
	if (stat(path.buf, &sb) < 0) {
		if (errno != ENOENT) {
			r = io_error(err, path.buf, errno);
			goto fail;
		}
		if (!(flags & LOGSTORE_CREATE) || ls->readonly) {
			r = mamori_err_set(err, MAMORI_ENOTFOUND, "%s: ログ保管庫がありません", dir);
			goto fail;
		}
		if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
			r = io_error(err, dir, errno);
			goto fail;
		}
		create = true;
	}
	if (!ls->readonly && (r = writer_lock(ls, err)) < 0)
		goto fail;
	oflags = (ls->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) | SQLITE_OPEN_NOMUTEX |
		 (create ? SQLITE_OPEN_CREATE : 0);
	if (sqlite3_open_v2(path.buf, &ls->db, oflags, NULL) != SQLITE_OK) {
		r = mamori_err_set(err, MAMORI_EIO, "%s: 索引を開けません: %s", path.buf,
				   ls->db ? sqlite3_errmsg(ls->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(ls->db, 1);
	sqlite3_busy_timeout(ls->db, 10000);
	/* reads through a memory map: a search scans up to a window of rows
	 * (the unposted events) and verify all of them */
	if ((r = exec(ls, "PRAGMA mmap_size=4294967296;", err)) < 0)
		goto fail;
	if (!ls->readonly &&
	    ((r = exec(ls, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;", err)) < 0 ||
	     (r = exec(ls, schema_sql, err)) < 0))
		goto fail;
	if ((r = prepare_all(ls, err)) < 0)
		goto fail;
	if (create) {
		if ((r = exec(ls, "BEGIN IMMEDIATE", err)) < 0 || (r = key_create(ls, err)) < 0 ||
		    (r = meta_put(ls, "schema", "1", 1, false, err)) < 0 ||
		    (r = exec(ls, "COMMIT", err)) < 0)
			goto fail;
	}
	if ((r = load_meta(ls, err)) < 0)
		goto fail;
	if (ls->readonly) {
		*out = ls;
		goto done;
	}
	if (!ls->have_signer && (r = key_load(ls, err)) < 0)
		goto fail;
	if ((r = entries_open(ls, err)) < 0 || (r = find_tail(ls, &end, err)) < 0)
		goto broken;
	if ((r = seg_open(ls, ls->seg_no, ls->committed == 0, err)) < 0)
		goto broken;
	if ((r = block_bounds_load(ls, err)) < 0 || (r = pairs_load(ls, err)) < 0)
		goto broken;
	if ((r = recover(ls, end, err)) < 0)
		goto broken;
	*out = ls;
	goto done;
broken:
	/* handed out read-only for inspection */
	if (ls->in_txn) {
		exec(ls, "ROLLBACK", NULL);
		ls->in_txn = false;
	}
	logstore_postings_free(ls);
	strbuf_reset(&ls->ebuf);
	merkle_frontier_init(&ls->fr);
	{
		struct mamori_err e2 = { 0 };

		load_meta(ls, &e2);
	}
	ls->readonly = true;
	ls->broken = true;
	*out = ls;
	goto done;
fail:
	logstore_close(ls);
done:
	strbuf_release(&path);
	return r;
}

void logstore_close(struct logstore *ls)
{
	if (!ls)
		return;
	if (!ls->readonly && ls->db) {
		struct mamori_err err = { 0 };

		if (logstore_commit(ls, &err) < 0 && ls->in_txn) {
			exec(ls, "ROLLBACK", NULL);
		}
	}
	sqlite3_finalize(ls->sel_term);
	sqlite3_finalize(ls->ins_term);
	sqlite3_finalize(ls->ins_block);
	sqlite3_finalize(ls->put_meta);
	sqlite3_finalize(ls->put_segment);
	logstore_postings_free(ls);
	if (ls->db)
		sqlite3_close(ls->db);
	if (ls->seg_fd >= 0)
		close(ls->seg_fd);
	if (ls->rd_fd >= 0)
		close(ls->rd_fd);
	if (ls->emap)
		munmap((void *)ls->emap, ls->emap_len);
	if (ls->ent_fd >= 0)
		close(ls->ent_fd);
	if (ls->lock_fd >= 0)
		close(ls->lock_fd); /* releases the writer lock */
	checkpoint_signer_wipe(&ls->signer);
	logstore_wmaps_free(ls);
	terms_clear(ls);
	strbuf_release(&ls->wbuf);
	strbuf_release(&ls->ebuf);
	free(ls->dir);
	free(ls);
}

/* ---- checkpoints ----------------------------------------------------------------------- */

int logstore_checkpoint(struct logstore *ls, struct strbuf *note, struct mamori_err *err)
{
	struct checkpoint c;
	struct strbuf text = STRBUF_INIT, path = STRBUF_INIT;
	char now[MAMORI_TIME_LEN];
	sqlite3_stmt *st = NULL;
	int fd = -1, r;

	checkpoint_init(&c);
	if (ls->readonly || !ls->have_signer) {
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "%s: 読み取り専用で開いた保管庫ではチェックポイントを作れません", ls->dir);
		goto out;
	}
	if ((r = logstore_commit(ls, err)) < 0)
		goto out;
	snprintf(c.origin, sizeof(c.origin), "%s", ls->origin);
	c.size = ls->fr.size;
	merkle_frontier_root(&ls->fr, c.root);
	mamori_now(now);
	c.ext = xasprintf("mamori-time %s\n", now);
	if ((r = checkpoint_sign(&c, &ls->signer, &text, err)) < 0)
		goto out;
	if (sqlite3_prepare_v2(ls->db,
			       "INSERT INTO log_checkpoint(size, root, note, created) VALUES (?, ?, ?, ?)",
			       -1, &st, NULL) != SQLITE_OK) {
		r = logstore_db_error(ls, err, "log_checkpoint");
		goto out;
	}
	sqlite3_bind_int64(st, 1, (int64_t)c.size);
	sqlite3_bind_blob(st, 2, c.root, MERKLE_HASH_LEN, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, text.buf, (int)text.len, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_DONE) {
		r = logstore_db_error(ls, err, "log_checkpoint");
		goto out;
	}
	strbuf_addf(&path, "%s/checkpoints.txt", ls->dir);
	fd = open(path.buf, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0 || write(fd, text.buf, text.len) != (ssize_t)text.len ||
	    write(fd, "\n", 1) != 1 || fdatasync(fd) < 0) {
		r = io_error(err, path.buf, errno);
		goto out;
	}
	if (note)
		strbuf_add(note, text.buf, text.len);
out:
	if (fd >= 0)
		close(fd);
	sqlite3_finalize(st);
	checkpoint_release(&c);
	strbuf_release(&text);
	strbuf_release(&path);
	return r;
}

int logstore_checkpoint_latest(struct logstore *ls, struct strbuf *note, struct mamori_err *err)
{
	sqlite3_stmt *st = NULL;
	int rc, r = 0;

	if (sqlite3_prepare_v2(ls->db, "SELECT note FROM log_checkpoint ORDER BY id DESC LIMIT 1", -1,
			       &st, NULL) != SQLITE_OK)
		return logstore_db_error(ls, err, "log_checkpoint");
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		strbuf_add(note, sqlite3_column_text(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	else if (rc == SQLITE_DONE)
		r = mamori_err_set(err, MAMORI_ENOTFOUND, "%s: チェックポイントはまだありません", ls->dir);
	else
		r = logstore_db_error(ls, err, "log_checkpoint");
	sqlite3_finalize(st);
	return r;
}

void logstore_checkpoint_request_path(const char *dir, struct strbuf *out)
{
	strbuf_reset(out);
	strbuf_addf(out, "%s/checkpoint.request", dir);
}

int logstore_checkpoint_request(const char *dir, struct strbuf *note, int timeout_ms,
				struct mamori_err *err)
{
	struct strbuf before = STRBUF_INIT, now = STRBUF_INIT, path = STRBUF_INIT;
	struct logstore *ls = NULL;
	int64_t pid;
	int fd, r;

	r = logstore_open(&ls, dir, 0, err);
	if (r == 0) {
		r = logstore_checkpoint(ls, note, err);
		logstore_close(ls);
		return r;
	}
	if (r != MAMORI_ECONFLICT)
		return r;
	/* a writer has it: ask, and watch for a newer checkpoint */
	if ((r = logstore_open(&ls, dir, LOGSTORE_READONLY, err)) < 0)
		return r;
	if ((r = logstore_checkpoint_latest(ls, &before, err)) < 0 && r != MAMORI_ENOTFOUND)
		goto out;
	logstore_checkpoint_request_path(dir, &path);
	fd = open(path.buf, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		r = io_error(err, path.buf, errno);
		goto out;
	}
	close(fd);
	for (int waited = 0; waited <= timeout_ms; waited += 50) {
		struct timespec ts = { 0, 50 * 1000000L };

		strbuf_reset(&now);
		r = logstore_checkpoint_latest(ls, &now, err);
		if (r == 0 && (now.len != before.len || memcmp(now.buf, before.buf, now.len))) {
			strbuf_add(note, now.buf, now.len);
			goto out;
		}
		if (r < 0 && r != MAMORI_ENOTFOUND)
			goto out;
		nanosleep(&ts, NULL);
	}
	logstore_writer_pid(dir, &pid);
	r = mamori_err_set(err, MAMORI_ECONFLICT,
			   "%s: 書き込み中のプロセス (pid %" PRId64 ") がチェックポイントの依頼に"
			   "応えませんでした (mamori serve のログ受信なら数秒で応えます)",
			   dir, pid);
out:
	logstore_close(ls);
	strbuf_release(&before);
	strbuf_release(&now);
	strbuf_release(&path);
	return r;
}

void logstore_vkey(const struct logstore *ls, struct strbuf *out)
{
	checkpoint_vkey_format(&ls->ver, out);
}

const struct checkpoint_verifier *logstore_verifier(const struct logstore *ls)
{
	return &ls->ver;
}
