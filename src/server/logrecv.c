/*
 * logrecv.c - the access-log receivers of "mamori serve" (logrecv.h,
 * docs/internals/logrecv.md).
 *
 * Threads:
 *   udp     poll + recvmmsg in batches; one datagram is one message;
 *   tcp     one epoll loop over the listener and up to LOGRECV_TCP_CONN_MAX
 *           connections, each with its own RFC 6587 de-framer;
 *   relp    relpEngineRun(); its callback waits for durability;
 *   writer  owns the writable struct logstore: append → logdetect_event →
 *           sync (at once when a RELP sender waits, else within
 *           LOGRECV_SYNC_MS) → commit + logdetect_flush (LOGRECV_COMMIT_MS)
 *           → checkpoint (every checkpoint_interval seconds).
 * The receivers build the sealed events (parsing and field extraction run
 * there, in parallel) and hand them over through a bounded queue.
 *
 * Stopping: receivers first (the writer keeps answering RELP waiters
 * meanwhile), then the writer drains the queue, commits, checkpoints and
 * closes the vault.
 */
#include "common.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <inttypes.h>
#include <librelp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "logdetect.h"
#include "logevent.h"
#include "logdup.h"
#include "logfield.h"
#include "logrecv.h"
#include "logstore.h"
#include "merkle.h"
#include "store.h"
#include "strbuf.h"
#include "syslog.h"
#include "syslog_frame.h"

#define WRITER_BATCH 1024    /* events appended at once */
#define LEAF_HANDOFF 8192    /* below this many queued events the writer hashes the leaves */
#define UDP_BATCH 64         /* datagrams per recvmmsg() */
#define UDP_BUF 65536        /* bytes per datagram buffer (a datagram holds at most 65507) */
#define TCP_READ 65536       /* bytes per read() */

#define ERROR_REPORT_MS 10000 /* at most one store-error line per 10 s */
#define WRITER_POLL_MS 250    /* how often the writer looks for a checkpoint request */

/* Built with a leak checker (ASan's LeakSanitizer): everything is freed at
 * the stop, also what the exit would give back (logrecv_stop()). */
#if defined(__SANITIZE_ADDRESS__)
#define LEAK_CHECKED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define LEAK_CHECKED 1
#endif
#endif
#ifndef LEAK_CHECKED
#define LEAK_CHECKED 0
#endif

/* A RELP sender waiting for its event to become durable. */
struct relp_wait {
	int done;
	int ok;
};

/* One event on its way to the writer. */
struct item {
	struct log_event ev;
	char peer[INET6_ADDRSTRLEN];
	uint8_t key[LOGDUP_KEY_LEN];  /* logdup_key() of peer and message */
	unsigned extra_flags;         /* from the de-framer; added by the writer */
	struct relp_wait *wait;       /* RELP only */
	struct item *next;            /* in a chain of spent items */
	struct item *next_chain;      /* on a chain's first item: the pool's next chain */
};

struct logrecv {
	struct logrecv_config cfg;
	struct strbuf dir;
	struct logstore *ls;
	struct logfield_rules *rules;
	struct store *st;        /* records store, for the detections */
	struct logdetect *det;
	struct logdup dup;

	/* the queue */
	pthread_mutex_t mu;
	pthread_cond_t nonempty, nonfull, durable;
	struct item **ring;
	size_t head, len;
	atomic_size_t queued; /* len, for the receivers to read without the lock */
	int writer_stop;

	atomic_int stopping;
	atomic_int relp_stuck; /* a RELP callback will never return (see relp_on_syslog) */
	int stop_fd; /* eventfd: wakes the udp and tcp threads */
	int udp_fd, tcp_fd;
	pthread_t udp_th, tcp_th, relp_th, writer_th;
	bool udp_on, tcp_on, relp_on, writer_on;
	relpEngine_t *relp;
	int relp_shutdown;

	/* spent items, returned by the writer for the receivers to reuse (their
	 * buffers keep their size: no malloc/free per event, and no freeing of
	 * another thread's memory on the writer's path): a stack of chains, one
	 * per batch the writer returned, which a receiver takes whole into its
	 * own list (one lock per batch, not per event) */
	pthread_mutex_t pool_mu;
	struct item *pool;
	struct item *relp_spare; /* the RELP thread's list */

	/* writer statistics (writer thread only) */
	uint64_t lost[4];      /* by enum log_via: events the store refused */
	uint64_t stored;
	int64_t last_error_ms;
};

/* ---- time --------------------------------------------------------------------- */

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- addresses ------------------------------------------------------------------ */

int logrecv_parse_addr(const char *option, const char *spec, char host[64], char port[8],
		       struct mamori_err *err)
{
	const char *colon = strrchr(spec, ':');
	const char *h = spec;
	size_t hlen;
	unsigned char tmp[sizeof(struct in6_addr)];
	char *end;
	long p;

	if (!colon)
		goto bad;
	hlen = (size_t)(colon - spec);
	if (hlen >= 2 && h[0] == '[' && h[hlen - 1] == ']') {
		h++;
		hlen -= 2;
	}
	if (hlen == 0 || hlen >= 64)
		goto bad;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	if (h != spec ? inet_pton(AF_INET6, host, tmp) != 1 : inet_pton(AF_INET, host, tmp) != 1)
		return mamori_err_set(err, MAMORI_EUSAGE, "%s のアドレスが正しくありません: %s",
				      option, spec);
	errno = 0;
	p = strtol(colon + 1, &end, 10);
	if (errno || end == colon + 1 || *end || p < 1 || p > 65535)
		return mamori_err_set(err, MAMORI_EUSAGE, "%s のポート番号が正しくありません: %s",
				      option, spec);
	snprintf(port, 8, "%ld", p);
	return 0;
bad:
	return mamori_err_set(err, MAMORI_EUSAGE,
			      "%s は ADDR:PORT の形です (例: 127.0.0.1:5514, [::1]:5514): %s",
			      option, spec);
}

static void peer_name(const struct sockaddr_storage *ss, char out[INET6_ADDRSTRLEN])
{
	const void *a;

	if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)ss;
		a = &s6->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
			if (!inet_ntop(AF_INET, (const uint8_t *)a + 12, out, INET6_ADDRSTRLEN))
				goto unknown;
			return;
		}
	} else if (ss->ss_family == AF_INET) {
		a = &((const struct sockaddr_in *)ss)->sin_addr;
	} else {
		goto unknown;
	}
	if (inet_ntop(ss->ss_family, a, out, INET6_ADDRSTRLEN))
		return;
unknown:
	memcpy(out, "-", 2);
}

/* A bound socket of type (SOCK_DGRAM/SOCK_STREAM) for "ADDR:PORT". */
static int bind_socket(const char *option, const char *spec, int type, int *fd_out,
		       struct mamori_err *err)
{
	char host[64], port[8];
	struct sockaddr_storage ss;
	socklen_t len;
	int fd, one = 1, r;

	r = logrecv_parse_addr(option, spec, host, port, err);
	if (r < 0)
		return r;
	memset(&ss, 0, sizeof(ss));
	if (strchr(host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)strtol(port, NULL, 10));
		inet_pton(AF_INET6, host, &a->sin6_addr);
		len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)strtol(port, NULL, 10));
		inet_pton(AF_INET, host, &a->sin_addr);
		len = sizeof(*a);
	}
	fd = socket(ss.ss_family, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return mamori_err_set(err, MAMORI_EIO, "%s %s: ソケットを作れません: %s", option,
				      spec, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (type == SOCK_DGRAM) {
		int sz = 8 << 20;
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	}
	if (bind(fd, (struct sockaddr *)&ss, len) < 0 ||
	    (type == SOCK_STREAM && listen(fd, 128) < 0)) {
		int e = errno;
		close(fd);
		return mamori_err_set(err, MAMORI_EIO,
				      "%s %s で待ち受けできません (使用中のポートか、使えないアドレスです): %s",
				      option, spec, strerror(e));
	}
	*fd_out = fd;
	return 0;
}

/* ---- events ----------------------------------------------------------------------- */

/* A spent item from a receiver's own list, refilled with a chain of the
 * pool when empty; a new item when the pool is empty too. */
static struct item *item_take(struct logrecv *r, struct item **spare)
{
	struct item *it;

	if (!*spare) {
		pthread_mutex_lock(&r->pool_mu);
		if ((*spare = r->pool))
			r->pool = r->pool->next_chain;
		pthread_mutex_unlock(&r->pool_mu);
	}
	if ((it = *spare)) {
		*spare = it->next;
		return it;
	}
	it = xcalloc(1, sizeof(*it));
	log_event_init(&it->ev);
	return it;
}

/* Puts a chain of spent items (linked by next) on the pool: a batch the
 * writer is done with, or the list of a receiver that stops. */
static void item_give_back(struct logrecv *r, struct item *chain)
{
	if (!chain)
		return;
	pthread_mutex_lock(&r->pool_mu);
	chain->next_chain = r->pool;
	r->pool = chain;
	pthread_mutex_unlock(&r->pool_mu);
}

/* Builds one sealed event from a message received at recv_us (receiving
 * threads: one clock reading per read() or recvmmsg(), for all it brought),
 * in an item from the thread's list *spare (item_take()). */
static struct item *item_new(struct logrecv *r, struct item **spare, enum log_via via,
			     const char *peer, const char *msg, size_t len, unsigned extra_flags,
			     int64_t recv_us)
{
	struct item *it = item_take(r, spare);
	size_t plen = strlen(peer);

	/* a reused item keeps its event's buffers: the builder below
	 * replaces the fields and reseals the record */
	it->wait = NULL;
	it->next = it->next_chain = NULL;

	if (plen >= sizeof(it->peer))
		plen = sizeof(it->peer) - 1;
	memcpy(it->peer, peer, plen);
	it->peer[plen] = '\0';
	if (len > SYSLOG_MAX_MSG) {
		len = SYSLOG_MAX_MSG;
		extra_flags |= SYSLOG_F_TRUNCATED;
	}
	it->extra_flags = extra_flags;
	/* The two threads share the hashing: while the writer keeps up (a
	 * short queue) it hashes the leaf and the duplicate key, else the
	 * receiver does.  The terms' hashes are the receiver's: it has the
	 * fields in cache. */
	it->ev.leaf_later = atomic_load_explicit(&r->queued, memory_order_relaxed) < LEAF_HANDOFF;
	logfield_event_from_syslog(r->rules, &it->ev, msg, len, via, it->peer, recv_us);
	if (!it->ev.leaf_later)
		logdup_key(&r->dup, it->peer, msg, len, it->key);
	logstore_event_terms(r->ls, &it->ev);
	return it;
}

/* Frees an item and those chained after it. */
static void item_free(struct item *it)
{
	while (it) {
		struct item *next = it->next;

		log_event_release(&it->ev);
		free(it);
		it = next;
	}
}

/* Gives spent items back to the receivers as one chain (the writer, once
 * per batch). */
static void item_recycle(struct logrecv *r, struct item **items, size_t n)
{
	if (!n)
		return;
	for (size_t i = 0; i + 1 < n; i++)
		items[i]->next = items[i + 1];
	items[n - 1]->next = NULL;
	item_give_back(r, items[0]);
}

/* Adds flags to a sealed event and seals it again (rare: cut frames, duplicates). */
static void item_reseal(struct item *it, unsigned flags)
{
	struct strbuf msg = STRBUF_INIT;

	if ((it->ev.flags | flags) == it->ev.flags)
		return;
	strbuf_add(&msg, it->ev.record.buf + it->ev.msg_off, it->ev.record.len - it->ev.msg_off);
	it->ev.flags |= flags;
	log_event_seal(&it->ev, it->peer, msg.buf, msg.len);
	strbuf_release(&msg);
}

/* ---- the queue -------------------------------------------------------------------- */

/* Hands items over to the writer, waiting while the queue is full. */
static void queue_push(struct logrecv *r, struct item **items, size_t n)
{
	pthread_mutex_lock(&r->mu);
	for (size_t i = 0; i < n; i++) {
		while (r->len == LOGRECV_QUEUE_MAX) {
			pthread_cond_signal(&r->nonempty);
			pthread_cond_wait(&r->nonfull, &r->mu);
		}
		r->ring[(r->head + r->len) % LOGRECV_QUEUE_MAX] = items[i];
		r->len++;
	}
	atomic_store_explicit(&r->queued, r->len, memory_order_relaxed);
	pthread_cond_signal(&r->nonempty);
	pthread_mutex_unlock(&r->mu);
}

/* ---- duplicate window ------------------------------------------------------------- */

struct dup_load {
	uint8_t (*keys)[LOGDUP_KEY_LEN];
	struct logdup *dup;
	size_t n;
};

static int dup_load_hit(const struct logstore_hit *hit, void *ctx)
{
	struct dup_load *dl = ctx;
	const char *peer = hit->peer ? hit->peer : "-";

	if (dl->n == LOGRECV_DUP_WINDOW)
		return 1;
	logdup_key(dl->dup, peer, hit->message, hit->message_len, dl->keys[dl->n++]);
	return 0;
}

/* Refills the window from the newest events of the vault (oldest first). */
static int dup_reload(struct logrecv *r, struct mamori_err *err)
{
	struct dup_load dl = { .n = 0, .dup = &r->dup };
	struct logstore_query q;
	int64_t next = -1;
	int rc = 0;

	dl.keys = xcalloc(LOGRECV_DUP_WINDOW, sizeof(*dl.keys));
	logstore_query_init(&q);
	q.limit = LOGSTORE_PAGE_MAX;
	while (dl.n < LOGRECV_DUP_WINDOW) {
		rc = logstore_search(r->ls, &q, dup_load_hit, &dl, &next, err);
		if (rc == 1)
			rc = 0;
		if (rc < 0 || next < 0)
			break;
		q.before = next;
	}
	for (size_t i = dl.n; i-- > 0;)
		logdup_add(&r->dup, dl.keys[i]);
	free(dl.keys);
	return rc;
}

/* ---- the writer ---------------------------------------------------------------------- */

static void report_store_error(struct logrecv *r, const struct mamori_err *err, bool force)
{
	int64_t now = mono_ms();

	if (!force && r->last_error_ms && now - r->last_error_ms < ERROR_REPORT_MS)
		return;
	r->last_error_ms = now;
	fprintf(stderr,
		"mamori serve: ログ保管庫 %s に保存できません: %s (保存できなかったイベント累計: "
		"UDP %" PRIu64 " 件, TCP %" PRIu64 " 件; RELP は送信側が再送します)。"
		"ディスクの空きと権限を確かめてください。受信は続けます。\n",
		r->dir.buf, err->msg, r->lost[LOG_VIA_UDP], r->lost[LOG_VIA_TCP]);
}

/*
 * Appends items[0..n) (writer thread) and answers RELP waiters; *dirty when
 * something was appended, *synced when all appended so far is durable.
 */
static void write_batch(struct logrecv *r, struct item **items, size_t n, bool *dirty,
			bool *synced)
{
	struct log_event *evs[WRITER_BATCH];
	struct mamori_err err = { 0 };
	uint64_t before = logstore_size(r->ls), appended;
	bool waiters = false, durable = true;
	int rc;

	/* the leaves and keys the receiver left to this thread (item_new()),
	 * asking for the table lines of the keys and of those that leave the
	 * window: the checks below then find them cached */
	for (size_t i = 0; i < n; i++) {
		struct log_event *ev = &items[i]->ev;

		if (ev->leaf_later) { /* and so the key (item_new()) */
			log_event_hash_leaf(ev);
			logdup_key(&r->dup, items[i]->peer, ev->record.buf + ev->msg_off,
				   ev->record.len - ev->msg_off, items[i]->key);
		}
		logdup_prefetch(&r->dup, items[i]->key, i);
	}
	for (size_t i = 0; i < n; i++) {
		unsigned flags = items[i]->extra_flags;

		if (logdup_seen(&r->dup, items[i]->key))
			flags |= LOG_F_DUPLICATE;
		logdup_add(&r->dup, items[i]->key);
		if (flags)
			item_reseal(items[i], flags);
		evs[i] = &items[i]->ev;
		if (items[i]->wait)
			waiters = true;
	}
	rc = logstore_append(r->ls, evs, n, NULL, &err);
	appended = logstore_size(r->ls) - before;
	for (size_t i = n; i > appended; i--)
		logdup_drop_newest(&r->dup);
	for (size_t i = 0; i < appended; i++)
		logdetect_event(r->det, before + i, evs[i]);
	if (appended)
		*dirty = true;
	if (waiters && appended) {
		struct mamori_err serr = { 0 };
		if (logstore_sync(r->ls, &serr) < 0) {
			durable = false;
			report_store_error(r, &serr, true);
		} else {
			*synced = true;
		}
	}
	r->stored += appended;
	for (size_t i = appended; i < n; i++)
		r->lost[items[i]->ev.via]++;
	if (rc < 0)
		report_store_error(r, &err, false);
	if (waiters) {
		pthread_mutex_lock(&r->mu);
		for (size_t i = 0; i < n; i++) {
			if (!items[i]->wait)
				continue;
			items[i]->wait->ok = i < appended && durable;
			items[i]->wait->done = 1;
		}
		pthread_cond_broadcast(&r->durable);
		pthread_mutex_unlock(&r->mu);
	}
	item_recycle(r, items, n);
}

static void writer_commit(struct logrecv *r)
{
	struct mamori_err err = { 0 };

	if (logstore_commit(r->ls, &err) < 0) {
		report_store_error(r, &err, true);
		return;
	}
	if (r->det && r->st && logdetect_flush(r->det, r->st, &err) < 0)
		fprintf(stderr, "mamori serve: 検知結果を記録できません (%s): %s\n",
			r->cfg.db_path, err.msg);
}

static void writer_checkpoint(struct logrecv *r)
{
	struct mamori_err err = { 0 };

	if (logstore_checkpoint(r->ls, NULL, &err) < 0) {
		fprintf(stderr, "mamori serve: ログ保管庫 %s のチェックポイントを書けません: %s\n",
			r->dir.buf, err.msg);
		return;
	}
	if (r->det && r->st && logdetect_flush(r->det, r->st, &err) < 0)
		fprintf(stderr, "mamori serve: 検知結果を記録できません (%s): %s\n",
			r->cfg.db_path, err.msg);
}

static void *writer_main(void *arg)
{
	struct logrecv *r = arg;
	struct item *items[WRITER_BATCH];
	int64_t now = mono_ms();
	int64_t next_sync = 0, next_commit = 0;
	int64_t next_ckpt = now + (int64_t)r->cfg.checkpoint_interval * 1000;
	int64_t next_poll = now + WRITER_POLL_MS;
	bool unsynced = false, uncommitted = false, done = false;
	struct strbuf req = STRBUF_INIT;

	logstore_checkpoint_request_path(r->dir.buf, &req);

	while (!done) {
		size_t n = 0;

		pthread_mutex_lock(&r->mu);
		while (r->len == 0 && !r->writer_stop) {
			int64_t deadline = next_ckpt < next_poll ? next_ckpt : next_poll;
			struct timespec ts;
			if (unsynced && next_sync < deadline)
				deadline = next_sync;
			if (uncommitted && next_commit < deadline)
				deadline = next_commit;
			if (mono_ms() >= deadline)
				break;
			ts.tv_sec = deadline / 1000;
			ts.tv_nsec = (deadline % 1000) * 1000000;
			pthread_cond_timedwait(&r->nonempty, &r->mu, &ts);
		}
		while (r->len > 0 && n < WRITER_BATCH) {
			items[n++] = r->ring[r->head];
			r->head = (r->head + 1) % LOGRECV_QUEUE_MAX;
			r->len--;
		}
		atomic_store_explicit(&r->queued, r->len, memory_order_relaxed);
		if (n)
			pthread_cond_broadcast(&r->nonfull);
		done = r->writer_stop && r->len == 0 && n == 0;
		pthread_mutex_unlock(&r->mu);

		if (n) {
			bool dirty = false, synced = false;
			write_batch(r, items, n, &dirty, &synced);
			now = mono_ms();
			if (dirty && !unsynced)
				next_sync = now + LOGRECV_SYNC_MS;
			if (dirty && !uncommitted)
				next_commit = now + LOGRECV_COMMIT_MS;
			unsynced = (unsynced || dirty) && !synced;
			uncommitted |= dirty;
		}
		now = mono_ms();
		if (unsynced && now >= next_sync) {
			struct mamori_err err = { 0 };
			if (logstore_sync(r->ls, &err) < 0)
				report_store_error(r, &err, false);
			unsynced = false;
		}
		if (uncommitted && now >= next_commit) {
			writer_commit(r);
			uncommitted = unsynced = false;
		}
		if (now >= next_poll) {
			/* `mamori log checkpoint --new` or the API asked for one */
			next_poll = now + WRITER_POLL_MS;
			if (unlink(req.buf) == 0)
				next_ckpt = now;
		}
		if (now >= next_ckpt) {
			writer_checkpoint(r);
			uncommitted = unsynced = false;
			next_ckpt = mono_ms() + (int64_t)r->cfg.checkpoint_interval * 1000;
		}
	}
	writer_commit(r);
	writer_checkpoint(r);
	strbuf_release(&req);
	return NULL;
}

/* ---- UDP --------------------------------------------------------------------------------- */

static void *udp_main(void *arg)
{
	struct logrecv *r = arg;
	struct mmsghdr *msgs = xcalloc(UDP_BATCH, sizeof(*msgs));
	struct iovec *iov = xcalloc(UDP_BATCH, sizeof(*iov));
	struct sockaddr_storage *from = xcalloc(UDP_BATCH, sizeof(*from));
	char *bufs = xmalloc((size_t)UDP_BATCH * UDP_BUF);
	struct item *items[UDP_BATCH], *spare = NULL;
	struct pollfd pfd[2] = { { .fd = r->udp_fd, .events = POLLIN },
				 { .fd = r->stop_fd, .events = POLLIN } };

	while (!atomic_load(&r->stopping)) {
		int64_t recv_us;
		int got;

		if (poll(pfd, 2, 1000) <= 0 || pfd[1].revents)
			continue;
		for (int i = 0; i < UDP_BATCH; i++) {
			iov[i].iov_base = bufs + (size_t)i * UDP_BUF;
			iov[i].iov_len = UDP_BUF;
			memset(&msgs[i].msg_hdr, 0, sizeof(msgs[i].msg_hdr));
			msgs[i].msg_hdr.msg_iov = &iov[i];
			msgs[i].msg_hdr.msg_iovlen = 1;
			msgs[i].msg_hdr.msg_name = &from[i];
			msgs[i].msg_hdr.msg_namelen = sizeof(from[i]);
		}
		got = recvmmsg(r->udp_fd, msgs, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (got <= 0)
			continue;
		recv_us = now_us();
		for (int i = 0; i < got; i++) {
			char peer[INET6_ADDRSTRLEN];
			unsigned extra = (msgs[i].msg_hdr.msg_flags & MSG_TRUNC) ? SYSLOG_F_TRUNCATED : 0;
			peer_name(&from[i], peer);
			items[i] = item_new(r, &spare, LOG_VIA_UDP, peer, iov[i].iov_base, msgs[i].msg_len,
					    extra, recv_us);
		}
		queue_push(r, items, (size_t)got);
	}
	item_give_back(r, spare);
	free(bufs);
	free(from);
	free(iov);
	free(msgs);
	return NULL;
}

/* ---- TCP --------------------------------------------------------------------------------- */

struct tcp_conn {
	int fd;
	size_t slot; /* index in tcp_state.conns */
	char peer[INET6_ADDRSTRLEN];
	struct syslog_frame fr;
};

struct tcp_state {
	struct logrecv *r;
	int efd;
	struct tcp_conn *conns[LOGRECV_TCP_CONN_MAX];
	size_t nconn;
	struct item **pending;
	size_t npending, cap;
	int64_t refused_report_ms;
	int64_t recv_us; /* when the last read() returned */
	struct item *spare; /* spent items to fill (item_take()) */
};

static void tcp_flush(struct tcp_state *ts)
{
	if (ts->npending) {
		queue_push(ts->r, ts->pending, ts->npending);
		ts->npending = 0;
	}
}

static void tcp_deliver(struct tcp_state *ts, struct tcp_conn *c, const struct syslog_frame_out *o)
{
	unsigned extra = (o->flags & (SYSLOG_FRAME_F_CUT | SYSLOG_FRAME_F_INCOMPLETE))
				 ? SYSLOG_F_TRUNCATED
				 : 0;

	if (ts->npending == ts->cap) {
		ts->cap = ts->cap ? ts->cap * 2 : 256;
		ts->pending = xrealloc(ts->pending, ts->cap * sizeof(*ts->pending));
	}
	ts->pending[ts->npending++] =
		item_new(ts->r, &ts->spare, LOG_VIA_TCP, c->peer, o->data, o->len, extra, ts->recv_us);
	if (ts->npending >= WRITER_BATCH)
		tcp_flush(ts);
}

/* The end of a connection: a frame left unterminated is delivered too. */
static void tcp_close(struct tcp_state *ts, struct tcp_conn *c)
{
	struct syslog_frame_out o;

	if (syslog_frame_finish(&c->fr, &o))
		tcp_deliver(ts, c, &o);
	epoll_ctl(ts->efd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	syslog_frame_release(&c->fr);
	ts->nconn--;
	ts->conns[c->slot] = ts->conns[ts->nconn];
	ts->conns[c->slot]->slot = c->slot;
	ts->conns[ts->nconn] = NULL;
	free(c);
}

static void tcp_accept(struct tcp_state *ts)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t sl = sizeof(ss);
		struct epoll_event ev = { .events = EPOLLIN };
		struct tcp_conn *c;
		int fd = accept4(ts->r->tcp_fd, (struct sockaddr *)&ss, &sl,
				 SOCK_NONBLOCK | SOCK_CLOEXEC);

		if (fd < 0)
			return;
		if (ts->nconn >= LOGRECV_TCP_CONN_MAX) {
			int64_t now = mono_ms();
			close(fd);
			if (now - ts->refused_report_ms >= ERROR_REPORT_MS) {
				ts->refused_report_ms = now;
				fprintf(stderr,
					"mamori serve: syslog TCP の接続が上限 (%d) に達したため、"
					"新しい接続を断りました\n",
					LOGRECV_TCP_CONN_MAX);
			}
			continue;
		}
		c = xcalloc(1, sizeof(*c));
		c->fd = fd;
		peer_name(&ss, c->peer);
		syslog_frame_init(&c->fr, SYSLOG_MAX_MSG);
		ev.data.ptr = c;
		if (epoll_ctl(ts->efd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			syslog_frame_release(&c->fr);
			free(c);
			continue;
		}
		c->slot = ts->nconn;
		ts->conns[ts->nconn++] = c;
	}
}

/* Reads once from c: 1 when bytes came, 0 when none are there yet, -1 at
 * the end of the connection (or an error). */
static int tcp_read(struct tcp_state *ts, struct tcp_conn *c, char *buf)
{
	ssize_t got = read(c->fd, buf, TCP_READ);
	const char *p = buf;
	size_t left;

	if (got < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
	if (got == 0)
		return -1;
	ts->recv_us = now_us();
	left = (size_t)got;
	while (left > 0) {
		struct syslog_frame_out o;
		size_t used = syslog_frame_push(&c->fr, p, left, &o);
		p += used;
		left -= used;
		if (o.data)
			tcp_deliver(ts, c, &o);
	}
	return 1;
}

static void *tcp_main(void *arg)
{
	struct logrecv *r = arg;
	struct tcp_state ts = { .r = r };
	struct epoll_event evs[64], ev = { .events = EPOLLIN };
	char *buf = xmalloc(TCP_READ);

	ts.efd = epoll_create1(EPOLL_CLOEXEC);
	if (ts.efd < 0)
		BUG("epoll_create1: %s", strerror(errno));
	ev.data.ptr = &r->tcp_fd;
	epoll_ctl(ts.efd, EPOLL_CTL_ADD, r->tcp_fd, &ev);
	ev.data.ptr = &r->stop_fd;
	epoll_ctl(ts.efd, EPOLL_CTL_ADD, r->stop_fd, &ev);
	while (!atomic_load(&r->stopping)) {
		int n = epoll_wait(ts.efd, evs, (int)ARRAY_SIZE(evs), 1000);
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == &r->stop_fd)
				continue;
			if (evs[i].data.ptr == &r->tcp_fd) {
				tcp_accept(&ts);
				continue;
			}
			if (tcp_read(&ts, evs[i].data.ptr, buf) < 0)
				tcp_close(&ts, evs[i].data.ptr);
		}
		tcp_flush(&ts);
	}
	/* At the stop: what the connections sent is kept, up to what the
	 * kernel holds now; a frame cut by the stop is delivered flagged. */
	while (ts.nconn > 0) {
		struct tcp_conn *c = ts.conns[ts.nconn - 1];
		while (tcp_read(&ts, c, buf) > 0)
			;
		tcp_close(&ts, c);
	}
	tcp_flush(&ts);
	item_give_back(r, ts.spare);
	close(ts.efd);
	free(ts.pending);
	free(buf);
	return NULL;
}

/* ---- RELP -------------------------------------------------------------------------------- */

/*
 * librelp answers "200 OK" when this returns, whatever it returns (the
 * return code is ignored), so the callback returns only once its event is
 * durable.  When the store refuses it (disk full …) the callback keeps
 * trying every second; rsyslog waits meanwhile (its window fills).  When the
 * server stops while the store still refuses, the callback never returns:
 * logrecv_stop() leaves this thread behind and the process exits without
 * the acknowledgement, so rsyslog sends the message again later.
 */
static relpRetVal relp_on_syslog(void *usr, unsigned char *hostname, unsigned char *ip,
				 unsigned char *msg, size_t len)
{
	struct logrecv *r = usr;

	for (;;) {
		struct relp_wait w = { 0 };
		struct item *it = item_new(r, &r->relp_spare, LOG_VIA_RELP, ip ? (const char *)ip : "-",
					   (const char *)msg, len, 0, now_us());
		it->wait = &w;
		queue_push(r, &it, 1);
		pthread_mutex_lock(&r->mu);
		while (!w.done)
			pthread_cond_wait(&r->durable, &r->mu);
		pthread_mutex_unlock(&r->mu);
		if (w.ok)
			break;
		if (atomic_load(&r->stopping)) {
			atomic_store(&r->relp_stuck, 1);
			for (;;)
				pause();
		}
		sleep(1);
	}
	return RELP_RET_OK;
}

static void relp_on_err(void *usr, char *objinfo, char *errmsg, relpRetVal code)
{
	fprintf(stderr, "mamori serve: RELP (%s): %s [%d]\n", objinfo ? objinfo : "-",
		errmsg ? errmsg : "-", (int)code);
}

static void relp_on_generic_err(char *objinfo, char *errmsg, relpRetVal code)
{
	relp_on_err(NULL, objinfo, errmsg, code);
}

static void relp_wake(int sig)
{
	(void)sig;
}

static void *relp_main(void *arg)
{
	struct logrecv *r = arg;
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	relpEngineRun(r->relp);
	return NULL;
}

static int relp_setup(struct logrecv *r, struct mamori_err *err)
{
	char host[64], port[8];
	relpSrv_t *srv = NULL;
	struct sigaction sa = { 0 };
	int rc;

	rc = logrecv_parse_addr("--relp", r->cfg.relp, host, port, err);
	if (rc < 0)
		return rc;
	sa.sa_handler = relp_wake;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL); /* no SA_RESTART: epoll_wait() returns EINTR */
	if (relpEngineConstruct(&r->relp) != RELP_RET_OK)
		return mamori_err_set(err, MAMORI_EIO, "RELP を初期化できません");
	relpEngineSetDbgprint(r->relp, NULL);
	relpEngineSetShutdownImmdtPtr(r->relp, &r->relp_shutdown);
	relpEngineSetDnsLookupMode(r->relp, 0);
	relpEngineSetOnErr(r->relp, relp_on_err);
	relpEngineSetOnGenericErr(r->relp, relp_on_generic_err);
	relpEngineSetEnableCmd(r->relp, (unsigned char *)"syslog", eRelpCmdState_Required);
	if (relpEngineSetSyslogRcv2(r->relp, relp_on_syslog) != RELP_RET_OK ||
	    relpEngineListnerConstruct(r->relp, &srv) != RELP_RET_OK ||
	    relpSrvSetUsrPtr(srv, r) != RELP_RET_OK ||
	    relpSrvSetLstnPort(srv, (unsigned char *)port) != RELP_RET_OK ||
	    relpSrvSetLstnAddr(srv, (unsigned char *)host) != RELP_RET_OK)
		return mamori_err_set(err, MAMORI_EIO, "RELP を初期化できません (%s)", r->cfg.relp);
	if (relpEngineListnerConstructFinalize(r->relp, srv) != RELP_RET_OK)
		return mamori_err_set(err, MAMORI_EIO,
				      "--relp %s で待ち受けできません (使用中のポートか、使えないアドレスです)",
				      r->cfg.relp);
	return 0;
}

/* ---- start and stop ------------------------------------------------------------------------ */

/* Starts fn with every signal blocked (they belong to the main thread's sigwait). */
static int start_thread(pthread_t *th, void *(*fn)(void *), void *arg)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(th, NULL, fn, arg);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return rc;
}

static int load_rules(struct logrecv *r, struct mamori_err *err)
{
	struct strbuf text = STRBUF_INIT;
	FILE *f;
	char chunk[8192];
	size_t got;
	int rc;

	if (!r->cfg.rules_file)
		return logfield_rules_builtin(&r->rules, err);
	f = fopen(r->cfg.rules_file, "rb");
	if (!f)
		return mamori_err_set(err, MAMORI_EIO, "%s: 規則ファイルを開けません: %s",
				      r->cfg.rules_file, strerror(errno));
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		strbuf_add(&text, chunk, got);
	if (ferror(f)) {
		fclose(f);
		strbuf_release(&text);
		return mamori_err_set(err, MAMORI_EIO, "%s: 読めません", r->cfg.rules_file);
	}
	fclose(f);
	rc = logfield_rules_load(&r->rules, text.buf, text.len, r->cfg.rules_file, err);
	strbuf_release(&text);
	return rc;
}

static void announce(const struct logrecv *r)
{
	struct strbuf line = STRBUF_INIT;

	strbuf_addstr(&line, "mamori serve: ログ受信: ");
	if (r->cfg.udp)
		strbuf_addf(&line, "UDP %s", r->cfg.udp);
	if (r->cfg.tcp)
		strbuf_addf(&line, "%sTCP %s", r->cfg.udp ? ", " : "", r->cfg.tcp);
	if (r->cfg.relp)
		strbuf_addf(&line, "%sRELP %s", (r->cfg.udp || r->cfg.tcp) ? ", " : "", r->cfg.relp);
	strbuf_addf(&line, " → %s (%" PRIu64 " 件保管済み、チェックポイント %d 秒ごと)\n",
		    r->dir.buf, logstore_size(r->ls), r->cfg.checkpoint_interval);
	fputs(line.buf, stderr);
	strbuf_release(&line);
}

int logrecv_start(struct logrecv **out, const struct logrecv_config *cfg, struct mamori_err *err)
{
	struct logrecv *r = xcalloc(1, sizeof(*r));
	pthread_condattr_t ca;
	int rc;

	*out = NULL;
	r->cfg = *cfg;
	if (r->cfg.checkpoint_interval < 1)
		r->cfg.checkpoint_interval = 300;
	r->udp_fd = r->tcp_fd = -1;
	strbuf_init(&r->dir);
	logdup_init(&r->dup, LOGRECV_DUP_WINDOW);
	pthread_mutex_init(&r->mu, NULL);
	pthread_mutex_init(&r->pool_mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&r->nonempty, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&r->nonfull, NULL);
	pthread_cond_init(&r->durable, NULL);
	r->ring = xcalloc(LOGRECV_QUEUE_MAX, sizeof(*r->ring));
	r->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (r->stop_fd < 0) {
		rc = mamori_err_set(err, MAMORI_EIO, "eventfd: %s", strerror(errno));
		goto fail;
	}

	rc = load_rules(r, err);
	if (rc < 0)
		goto fail;
	if (cfg->udp && (rc = bind_socket("--syslog-udp", cfg->udp, SOCK_DGRAM, &r->udp_fd, err)) < 0)
		goto fail;
	if (cfg->tcp && (rc = bind_socket("--syslog-tcp", cfg->tcp, SOCK_STREAM, &r->tcp_fd, err)) < 0)
		goto fail;
	if (cfg->relp && (rc = relp_setup(r, err)) < 0)
		goto fail;

	logstore_dir_for(cfg->db_path, &r->dir);
	rc = logstore_open(&r->ls, r->dir.buf, LOGSTORE_CREATE, err);
	if (rc < 0) {
		mamori_err_prefix(err, "ログ保管庫 %s を開けません", r->dir.buf);
		goto fail;
	}
	rc = dup_reload(r, err);
	if (rc < 0) {
		mamori_err_prefix(err, "ログ保管庫 %s を読めません", r->dir.buf);
		goto fail;
	}
	rc = store_open(&r->st, "sqlite", cfg->db_path, 0, err);
	if (rc < 0)
		goto fail;
	rc = logdetect_open(&r->det, r->st, err);
	if (rc < 0)
		goto fail;

	if (start_thread(&r->writer_th, writer_main, r) != 0)
		goto thread_fail;
	r->writer_on = true;
	if (r->udp_fd >= 0) {
		if (start_thread(&r->udp_th, udp_main, r) != 0)
			goto thread_fail;
		r->udp_on = true;
	}
	if (r->tcp_fd >= 0) {
		if (start_thread(&r->tcp_th, tcp_main, r) != 0)
			goto thread_fail;
		r->tcp_on = true;
	}
	if (r->relp) {
		if (start_thread(&r->relp_th, relp_main, r) != 0)
			goto thread_fail;
		r->relp_on = true;
	}
	announce(r);
	*out = r;
	return 0;

thread_fail:
	rc = mamori_err_set(err, MAMORI_EIO, "ログ受信のスレッドを起動できません");
fail:
	logrecv_stop(r, false);
	return rc;
}

void logrecv_stop(struct logrecv *r, bool exiting)
{
	uint64_t one = 1;

	if (!r)
		return;
	atomic_store(&r->stopping, 1);
	if (r->stop_fd >= 0 && write(r->stop_fd, &one, sizeof(one)) < 0) {
		/* the threads also poll with a timeout */
	}
	if (r->relp) {
		r->relp_shutdown = 1;
		relpEngineSetStop(r->relp);
	}
	if (r->relp_on) {
		/* Wake librelp out of epoll_wait() until its thread is gone. */
		for (;;) {
			struct timespec ts;
			pthread_kill(r->relp_th, SIGUSR2);
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100 * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			if (pthread_timedjoin_np(r->relp_th, NULL, &ts) == 0)
				break;
			if (atomic_load(&r->relp_stuck)) {
				fprintf(stderr, "mamori serve: 保存できなかった RELP メッセージは確認応答"
						"せずに終了します (送信側が再送します)\n");
				r->relp_on = false;
				r->relp = NULL; /* its thread still uses it; the process ends */
				break;
			}
		}
	}
	if (r->udp_on)
		pthread_join(r->udp_th, NULL);
	if (r->tcp_on)
		pthread_join(r->tcp_th, NULL);
	if (r->writer_on) {
		pthread_mutex_lock(&r->mu);
		r->writer_stop = 1;
		pthread_cond_signal(&r->nonempty);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->writer_th, NULL);
		fprintf(stderr, "mamori serve: ログ受信を止めました (この起動で保存 %" PRIu64 " 件)\n",
			r->stored);
	}
	if (r->relp)
		relpEngineDestruct(&r->relp);
	while (r->len > 0) { /* only when the writer never started */
		item_free(r->ring[r->head]);
		r->head = (r->head + 1) % LOGRECV_QUEUE_MAX;
		r->len--;
	}
	logdetect_free(r->det);
	store_close(r->st);
	logstore_close(r->ls);
	logfield_rules_free(r->rules);
	if (r->udp_fd >= 0)
		close(r->udp_fd);
	if (r->tcp_fd >= 0)
		close(r->tcp_fd);
	if (r->stop_fd >= 0)
		close(r->stop_fd);
	free(r->ring);
	logdup_release(&r->dup);
	pthread_cond_destroy(&r->nonempty);
	pthread_cond_destroy(&r->nonfull);
	pthread_cond_destroy(&r->durable);
	pthread_mutex_destroy(&r->mu);
	while (r->pool && (!exiting || LEAK_CHECKED)) {
		struct item *next = r->pool->next_chain;

		item_free(r->pool);
		r->pool = next;
	}
	if (!atomic_load(&r->relp_stuck) && (!exiting || LEAK_CHECKED))
		item_free(r->relp_spare);
	pthread_mutex_destroy(&r->pool_mu);
	strbuf_release(&r->dir);
	free(r);
}
