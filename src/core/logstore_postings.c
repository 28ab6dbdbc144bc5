/*
 * logstore_postings.c - the vault's search index: for every term (a user,
 * patient, host, action or source) the events that carry it, kept as one
 * immutable file per window of LOGSTORE_POSTING_WINDOW events
 * (docs/internals/logstore.md).
 *
 * Why not SQL indexes on the events: an index on (patient_id, seq) costs a
 * B-tree descent at a random place per event (measured 1.7 µs per index
 * per event at a million events), which caps ingest far below what one
 * EHR sends at peak.  Instead the writer keeps, for the window being
 * filled, the (term, offset) pairs of each kind in memory (a few MB) and,
 * when the window is full, sorts them and writes the window's file at
 * once: sequential I/O, no B-tree.  Events of the window being filled
 * ("unposted", seq >= the meta value "posted") are found by scanning
 * their entries in events.idx (at most one window).
 *
 * A window file idx/w<win>.idx, little-endian:
 *
 *     "MAMORIX1"  u32 kinds (5)  u32 reserved  u64 win
 *     kinds × { u32 nterms, u32 dir_off, u32 post_off, u32 npost }
 *     per kind: nterms × { u32 term_id, u32 start, u32 n }, sorted by term
 *               npost × u16, the offsets (seq - win × window) of each
 *               term's events, ascending, term after term
 *
 * The file is written to a temporary name, fsynced and renamed before the
 * transaction that raises "posted" commits, so a committed "posted" always
 * has its files.  After a crash the pairs of the unposted window are read
 * back from the entries, and a file of a window that was full but not yet
 * recorded is written again.
 *
 * Readers treat a file as untrusted (bounds checked, never trusted to be
 * sorted); `mamori log verify` checks that every term of every event of
 * every posted window is listed exactly once and nothing else is.
 */
#include "common.h"

#include <fcntl.h>
#include <inttypes.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "logstore_int.h"

#define MAGIC "MAMORIX1"
#define HEADER_LEN (8 + 4 + 4 + 8 + LT_KINDS * 16)

_Static_assert(LOGSTORE_POSTING_WINDOW <= 65536, "offsets are 16-bit");

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4); /* x86-64 and arm64 Debian: little-endian */
}

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

void logstore_idx_path(const struct logstore *ls, uint64_t win, struct strbuf *out)
{
	strbuf_reset(out);
	strbuf_addf(out, "%s/idx/w%010" PRIu64 ".idx", ls->dir, win);
}

/* ---- building (the writer) ------------------------------------------------------- */

void logstore_posting_add(struct logstore *ls, int kind, int64_t id, uint64_t seq)
{
	struct lpairs *p = &ls->pairs[kind - 1];

	assert(kind >= 1 && kind <= LT_KINDS && id > 0 && id <= UINT32_MAX);
	assert(seq / LOGSTORE_POSTING_WINDOW == ls->posted / LOGSTORE_POSTING_WINDOW);
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 4096;
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	/* term id in the high bits, offset in the low 16: sorting the keys
	 * groups a term's events in ascending order */
	p->v[p->n++] = (uint64_t)id << 16 | (seq % LOGSTORE_POSTING_WINDOW);
}

/*
 * Sorts the keys by term id keeping the order of equal ids (the offsets
 * were appended ascending): a stable LSD radix sort on the id's two 16-bit
 * digits, the second pass only when some id needs it.
 */
static void sort_keys(uint64_t *v, size_t n)
{
	static _Thread_local uint32_t count[65536];
	uint64_t *tmp, max = 0;

	for (size_t i = 0; i < n; i++)
		if (v[i] > max)
			max = v[i];
	tmp = xmalloc(n * sizeof(*tmp));
	for (unsigned shift = 16; shift < 48 && max >> shift; shift += 16) {
		uint32_t sum = 0;

		memset(count, 0, sizeof(count));
		for (size_t i = 0; i < n; i++)
			count[v[i] >> shift & 0xffff]++;
		for (size_t d = 0; d < 65536; d++) {
			uint32_t c = count[d];

			count[d] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[v[i] >> shift & 0xffff]++] = v[i];
		memcpy(v, tmp, n * sizeof(*v));
	}
	free(tmp);
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int io_fail(struct mamori_err *err, const char *path, int e)
{
	if (e == ENOSPC || e == EFBIG || e == EDQUOT)
		return mamori_err_set(err, MAMORI_EIO, "ディスクの空きがありません: %s", path);
	return mamori_err_set(err, MAMORI_EIO, "%s: %s", path, strerror(e ? e : EIO));
}

/*
 * Writes the file of the full window being filled from the pairs, durably,
 * and empties the pairs; the caller raises "posted" in its transaction.
 * On failure the pairs stay for a retry.
 */
int logstore_postings_write(struct logstore *ls, struct mamori_err *err)
{
	uint64_t win = ls->posted / LOGSTORE_POSTING_WINDOW;
	struct strbuf path = STRBUF_INIT, tmp = STRBUF_INIT, body = STRBUF_INIT;
	uint8_t head[HEADER_LEN];
	uint32_t off = HEADER_LEN;
	int fd = -1, r = 0;

	memset(head, 0, sizeof(head));
	memcpy(head, MAGIC, 8);
	put32(head + 8, LT_KINDS);
	memcpy(head + 16, &win, 8);
	for (int k = 0; k < LT_KINDS; k++) {
		struct lpairs *p = &ls->pairs[k];
		uint32_t nterms = 0, dir_off, post_off;
		size_t dir_at;

		if (p->n)
			sort_keys(p->v, p->n);
		for (size_t i = 0; i < p->n; i++)
			if (i == 0 || p->v[i] >> 16 != p->v[i - 1] >> 16)
				nterms++;
		dir_off = off;
		post_off = dir_off + nterms * 12;
		put32(head + 24 + 16 * k, nterms);
		put32(head + 24 + 16 * k + 4, dir_off);
		put32(head + 24 + 16 * k + 8, post_off);
		put32(head + 24 + 16 * k + 12, (uint32_t)p->n);
		dir_at = body.len;
		strbuf_grow(&body, nterms * 12 + p->n * 2);
		body.len += nterms * 12;
		for (size_t i = 0, t = 0; i < p->n; i++) {
			uint16_t o = (uint16_t)(p->v[i] & 0xffff);

			if (i == 0 || p->v[i] >> 16 != p->v[i - 1] >> 16) {
				uint8_t *d = (uint8_t *)body.buf + dir_at + 12 * t++;
				size_t j = i;

				while (j < p->n && p->v[j] >> 16 == p->v[i] >> 16)
					j++;
				put32(d, (uint32_t)(p->v[i] >> 16));
				put32(d + 4, (uint32_t)i);
				put32(d + 8, (uint32_t)(j - i));
			}
			strbuf_add(&body, &o, 2);
		}
		off = post_off + (uint32_t)p->n * 2;
	}
	logstore_idx_path(ls, win, &path);
	strbuf_addf(&tmp, "%s.tmp", path.buf);
	fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 && errno == ENOENT) {
		struct strbuf d = STRBUF_INIT;

		strbuf_addf(&d, "%s/idx", ls->dir);
		if (mkdir(d.buf, 0700) < 0 && errno != EEXIST) {
			r = io_fail(err, d.buf, errno);
			strbuf_release(&d);
			goto out;
		}
		strbuf_release(&d);
		fd = open(tmp.buf, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	}
	if (fd < 0 || write_all(fd, head, sizeof(head)) < 0 ||
	    write_all(fd, body.buf, body.len) < 0 || fdatasync(fd) < 0) {
		r = io_fail(err, tmp.buf, errno);
		if (fd >= 0)
			unlink(tmp.buf);
		goto out;
	}
	if (rename(tmp.buf, path.buf) < 0) {
		r = io_fail(err, path.buf, errno);
		unlink(tmp.buf);
		goto out;
	}
	for (int k = 0; k < LT_KINDS; k++)
		ls->pairs[k].n = 0; /* written: the next window starts */
	{
		struct strbuf d = STRBUF_INIT;
		int dfd;

		strbuf_addf(&d, "%s/idx", ls->dir);
		dfd = open(d.buf, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
		strbuf_release(&d);
	}
out:
	if (fd >= 0)
		close(fd);
	strbuf_release(&path);
	strbuf_release(&tmp);
	strbuf_release(&body);
	return r;
}

void logstore_postings_free(struct logstore *ls)
{
	for (int k = 0; k < LT_KINDS; k++) {
		free(ls->pairs[k].v);
		memset(&ls->pairs[k], 0, sizeof(ls->pairs[k]));
	}
}

/* ---- reading a window file ----------------------------------------------------------- */

/* A window file mapped and its header checked against its size. */
struct wfile {
	const uint8_t *p;
	size_t len;
	bool cached; /* owned by ls->wmaps: not unmapped by wfile_close() */
};

static void wfile_close(struct wfile *w)
{
	if (w->p && !w->cached)
		munmap((void *)w->p, w->len);
	w->p = NULL;
}

/*
 * A handle keeps the window files it has read mapped (they never change
 * once written), up to LOGSTORE_WMAP_MAX of them, so that a server
 * thread's searches do not open, map and fault in the same files again.
 */
#define LOGSTORE_WMAP_MAX 8192

void logstore_wmaps_free(struct logstore *ls)
{
	for (size_t i = 0; i < ls->capwmaps; i++)
		if (ls->wmaps[i].p)
			munmap((void *)ls->wmaps[i].p, ls->wmaps[i].len);
	free(ls->wmaps);
	ls->wmaps = NULL;
	ls->capwmaps = ls->nwmaps = 0;
}

static int wfile_open_uncached(struct logstore *ls, uint64_t win, struct wfile *w,
			       struct mamori_err *err);

/* wfile_open() through the handle's cache. */
static int wfile_open(struct logstore *ls, uint64_t win, struct wfile *w, struct mamori_err *err)
{
	int r;

	if (win < ls->capwmaps && ls->wmaps[win].p) {
		w->p = ls->wmaps[win].p;
		w->len = ls->wmaps[win].len;
		w->cached = true;
		return 0;
	}
	if ((r = wfile_open_uncached(ls, win, w, err)) < 0)
		return r;
	if (ls->nwmaps < LOGSTORE_WMAP_MAX && win < LOGSTORE_WMAP_MAX * 64) {
		if (win >= ls->capwmaps) {
			size_t cap = ls->capwmaps ? ls->capwmaps : 256;

			while (cap <= win)
				cap *= 2;
			ls->wmaps = xrealloc(ls->wmaps, cap * sizeof(*ls->wmaps));
			memset(ls->wmaps + ls->capwmaps, 0, (cap - ls->capwmaps) * sizeof(*ls->wmaps));
			ls->capwmaps = cap;
		}
		ls->wmaps[win].p = w->p;
		ls->wmaps[win].len = w->len;
		ls->nwmaps++;
		w->cached = true;
	}
	return 0;
}

/* 0 mapped; MAMORI_ECHECK missing or malformed (with err set). */
static int wfile_open_uncached(struct logstore *ls, uint64_t win, struct wfile *w,
			       struct mamori_err *err)
{
	struct strbuf path = STRBUF_INIT;
	struct stat sb;
	int fd, r = 0;
	uint64_t hw;

	w->p = NULL;
	w->cached = false;
	logstore_idx_path(ls, win, &path);
	fd = open(path.buf, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &sb) < 0 || sb.st_size < HEADER_LEN || sb.st_size > (1 << 26)) {
		r = mamori_err_set(err, MAMORI_ECHECK,
				   "%s: 検索索引のファイルがないか壊れています "
				   "(mamori log verify で確認してください)",
				   path.buf);
		goto out;
	}
	w->len = (size_t)sb.st_size;
	w->p = mmap(NULL, w->len, PROT_READ, MAP_PRIVATE, fd, 0);
	if (w->p == MAP_FAILED) {
		w->p = NULL;
		r = io_fail(err, path.buf, errno);
		goto out;
	}
	memcpy(&hw, w->p + 16, 8);
	if (memcmp(w->p, MAGIC, 8) || get32(w->p + 8) != LT_KINDS || hw != win) {
		wfile_close(w);
		r = mamori_err_set(err, MAMORI_ECHECK, "%s: 検索索引のファイルの見出しが正しくありません",
				   path.buf);
		goto out;
	}
	for (int k = 0; k < LT_KINDS; k++) {
		const uint8_t *h = w->p + 24 + 16 * k;
		uint64_t nterms = get32(h), dir_off = get32(h + 4), post_off = get32(h + 8),
			 npost = get32(h + 12);

		if (dir_off + nterms * 12 > w->len || post_off + npost * 2 > w->len ||
		    post_off < dir_off + nterms * 12 || npost > LOGSTORE_POSTING_WINDOW) {
			wfile_close(w);
			r = mamori_err_set(err, MAMORI_ECHECK,
					   "%s: 検索索引のファイルの見出しが正しくありません", path.buf);
			goto out;
		}
	}
out:
	if (fd >= 0)
		close(fd);
	strbuf_release(&path);
	return r;
}

/* The offsets of term id of kind in w: *n of them at *offs (unaligned
 * u16); 0 when the term has none. */
static void wfile_find(const struct wfile *w, int kind, uint32_t id, const uint8_t **offs,
		       uint32_t *n)
{
	const uint8_t *h = w->p + 24 + 16 * (kind - 1);
	uint32_t nterms = get32(h), npost = get32(h + 12);
	const uint8_t *dir = w->p + get32(h + 4), *post = w->p + get32(h + 8);
	uint32_t lo = 0, hi = nterms;

	*n = 0;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2, t = get32(dir + 12 * mid);

		if (t == id) {
			uint32_t start = get32(dir + 12 * mid + 4), cnt = get32(dir + 12 * mid + 8);

			if ((uint64_t)start + cnt <= npost) {
				*offs = post + 2 * (size_t)start;
				*n = cnt;
			}
			return;
		}
		if (t < id)
			lo = mid + 1;
		else
			hi = mid;
	}
}

/* ---- the cursor: one term, newest first ------------------------------------------- */

void logstore_pcursor_init(struct logstore_pcursor *c, struct logstore *ls, int kind, int64_t id,
			   uint64_t below, uint64_t posted)
{
	memset(c, 0, sizeof(*c));
	c->ls = ls;
	c->kind = kind;
	c->id = id;
	c->below = below;
	c->posted = posted;
	c->tail = below;
	c->win = posted / LOGSTORE_POSTING_WINDOW; /* windows below this have files */
	c->seqs = xmalloc(LOGSTORE_POSTING_WINDOW * sizeof(*c->seqs));
}

void logstore_pcursor_release(struct logstore_pcursor *c)
{
	free(c->seqs);
	memset(c, 0, sizeof(*c));
}

int logstore_pcursor_next(struct logstore_pcursor *c, uint64_t *seq, struct mamori_err *err)
{
	struct logstore *ls = c->ls;

	/* first the unposted events, from their entries */
	if (!c->tail_done) {
		uint64_t stop = c->posted, mapped;
		int r;

		if (c->tail > stop) {
			/* the caller's seqs are below the tree size */
			if ((r = logstore_flush(ls, err)) < 0 ||
			    (r = logstore_entries_map(ls, c->tail, &mapped, err)) < 0)
				return r;
			if (mapped < c->tail)
				return mamori_err_set(err, MAMORI_ECHECK,
						      "%s/events.idx: 番号 %" PRIu64
						      " のイベントの索引がありません "
						      "(mamori log verify で確認してください)",
						      ls->dir, mapped);
		}
		while (c->tail > stop) {
			const struct logstore_entry *e = logstore_entry_at(ls, --c->tail);

			if (e->term[c->kind - 1] == (uint64_t)c->id) {
				*seq = c->tail;
				return 1;
			}
		}
		c->tail_done = true;
	}
	for (;;) {
		while (c->pos > 0) {
			uint64_t s = c->seqs[--c->pos];

			if (s < c->below) {
				*seq = s;
				return 1;
			}
		}
		if (c->win == 0)
			return 0;
		c->win--;
		if (c->win * LOGSTORE_POSTING_WINDOW >= c->below)
			continue;
		{
			struct wfile w;
			const uint8_t *offs;
			uint32_t n;
			int r = wfile_open(ls, c->win, &w, err);

			if (r < 0)
				return r;
			wfile_find(&w, c->kind, (uint32_t)c->id, &offs, &n);
			for (uint32_t i = 0; i < n; i++) {
				uint16_t o;

				memcpy(&o, offs + 2 * (size_t)i, 2);
				c->seqs[i] = c->win * LOGSTORE_POSTING_WINDOW + o;
			}
			c->pos = n;
			wfile_close(&w);
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
}

void logstore_pcheck_release(struct logstore_pcheck *pc)
{
	for (int k = 0; k < LT_KINDS; k++)
		free(pc->ids[k]);
	free(pc->seen);
	memset(pc, 0, sizeof(*pc));
}

int logstore_pcheck_window(struct logstore *ls, struct logstore_pcheck *pc, uint64_t win,
			   uint64_t count, int64_t *bad_seq, char *reason, size_t rlen,
			   struct mamori_err *err)
{
	uint64_t base = win * LOGSTORE_POSTING_WINDOW;
	struct mamori_err ferr = { 0 };
	struct wfile w;
	int r = 0;

	if (base + LOGSTORE_POSTING_WINDOW > ls->posted)
		return 0; /* not posted yet: found through the rows */
	if (count != LOGSTORE_POSTING_WINDOW)
		return mamori_err_set(err, MAMORI_ECHECK, "検索索引の窓 %" PRIu64 " の件数が合いません", win);
	if (wfile_open_uncached(ls, win, &w, &ferr) < 0) {
		*bad_seq = (int64_t)base;
		snprintf(reason, rlen, "%s", ferr.msg);
		return MAMORI_ECHECK;
	}
	memset(pc->seen, 0, LOGSTORE_POSTING_WINDOW * sizeof(*pc->seen));
	for (int k = 1; k <= LT_KINDS && !r; k++) {
		const uint8_t *h = w.p + 24 + 16 * (k - 1);
		uint32_t nterms = get32(h), npost = get32(h + 12), listed = 0, prev = 0;
		const uint8_t *dir = w.p + get32(h + 4), *post = w.p + get32(h + 8);

		for (uint32_t t = 0; t < nterms && !r; t++) {
			uint32_t id = get32(dir + 12 * t), start = get32(dir + 12 * t + 4),
				 n = get32(dir + 12 * t + 8);
			int prev_o = -1;

			if ((t && id <= prev) || start != listed || (uint64_t)start + n > npost || !n) {
				*bad_seq = (int64_t)base;
				snprintf(reason, rlen,
					 "検索索引 (窓 %" PRIu64 ") の%sの目次が壊れています", win,
					 logstore_term_kind_name(k));
				r = MAMORI_ECHECK;
				break;
			}
			prev = id;
			listed += n;
			for (uint32_t i = 0; i < n; i++) {
				uint16_t o;

				memcpy(&o, post + 2 * ((size_t)start + i), 2);
				if ((int)o <= prev_o || pc->ids[k - 1][o] != (int64_t)id) {
					*bad_seq = (int64_t)(base + o);
					snprintf(reason, rlen,
						 "番号 %" PRIu64 " のイベントの%sが検索索引と違います "
						 "(索引が書き換えられています)",
						 base + o, logstore_term_kind_name(k));
					r = MAMORI_ECHECK;
					break;
				}
				prev_o = o;
				pc->seen[o] |= (uint8_t)(1u << k);
			}
		}
		if (!r && listed != npost) {
			*bad_seq = (int64_t)base;
			snprintf(reason, rlen, "検索索引 (窓 %" PRIu64 ") の%sの件数が目次と合いません", win,
				 logstore_term_kind_name(k));
			r = MAMORI_ECHECK;
		}
	}
	wfile_close(&w);
	if (r)
		return r;
	/* every term of every event must have been listed */
	for (uint64_t o = 0; o < count; o++)
		for (int k = 1; k <= LT_KINDS; k++)
			if (pc->ids[k - 1][o] && !(pc->seen[o] >> k & 1)) {
				*bad_seq = (int64_t)(base + o);
				snprintf(reason, rlen,
					 "番号 %" PRIu64 " のイベントが%sの検索索引にありません "
					 "(検索で見つからないように消されています)",
					 base + o, logstore_term_kind_name(k));
				return MAMORI_ECHECK;
			}
	return 0;
}
