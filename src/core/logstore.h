/*
 * logstore.h - the access-log vault's store: events appended in order to
 * segment files, a Merkle tree over them (merkle.h), signed checkpoints
 * (checkpoint.h), a search index, proofs (docs/internals/logstore.md).
 *
 * On disk, a directory (logstore_dir_for(): "mamori.db" → "mamori.logs/"):
 *
 *     seg-00000001.log …  the events: records (logevent.h), each preceded
 *                         by its length as 4 bytes big-endian; a segment is
 *                         closed at LOGSTORE_SEGMENT_BYTES and never
 *                         rewritten.  The segments are the truth: the
 *                         index can be rebuilt from them.
 *     index.db            SQLite (WAL): one row per event with its
 *                         extracted fields (dictionary-coded terms), the
 *                         segment map, the committed tree size and
 *                         frontier, hashes of complete 1024-leaf blocks
 *                         (the interior-node cache proofs use), the
 *                         checkpoints, the origin.
 *     signing.key         the Ed25519 signer key (checkpoint skey text),
 *                         mode 0600, created on first open; refused when
 *                         readable by group or others.
 *     checkpoints.txt     every checkpoint note, appended, for copying off
 *                         the host.
 *
 * Durability: logstore_append() writes records to the segment (page cache)
 * and indexes them in an open transaction; logstore_sync() makes the
 * records durable (fdatasync) - only then may a sender be acknowledged;
 * logstore_commit() syncs then commits the index and the frontier.  After a
 * crash, logstore_open() re-indexes the records found in the segments
 * beyond the committed size and cuts a torn record at the very end (it was
 * never synced, so never acknowledged).
 *
 * Threads: a struct logstore is used by one thread at a time (the server
 * serialises appends in its writer thread and opens a second handle,
 * LOGSTORE_READONLY, per reader thread).  Errors follow common.h; messages
 * are Japanese.  MAMORI_ECHECK is what verification and proof checks
 * return when they find tampering; MAMORI_EIO a disk problem (disk full is
 * said so, and the store stays consistent: what was not written is not
 * counted).
 */
#ifndef MAMORI_LOGSTORE_H
#define MAMORI_LOGSTORE_H
#include <stdint.h>
#include "common.h"
#include "checkpoint.h"
#include "logevent.h"
#include "merkle.h"
#include "strbuf.h"

#define LOGSTORE_SEGMENT_BYTES (256u * 1024 * 1024)
#define LOGSTORE_BLOCK_LEAVES 1024
#define LOGSTORE_PAGE_MAX 1000 /* hits per search page */

enum {
	LOGSTORE_CREATE = 1 << 0,   /* create the directory and files when missing */
	LOGSTORE_READONLY = 1 << 1, /* search, get, verify, prove only */
};

struct logstore;

/* The vault directory for a database path: "x.db" → "x.logs", else
 * path + ".logs". */
void logstore_dir_for(const char *db_path, struct strbuf *out);

/*
 * Opens (LOGSTORE_CREATE: creates) the vault in dir and recovers it (see
 * above).  MAMORI_ENOTFOUND when it does not exist and CREATE is not set;
 * MAMORI_EIO for file problems (the path named); MAMORI_ECHECK when a
 * segment is shorter than the committed tree (data lost or cut: run
 * `mamori log verify`) - the store is still returned in *out read-only so
 * that it can be inspected.
 */
int logstore_open(struct logstore **out, const char *dir, int flags, struct mamori_err *err);
/*
 * Whether a process holds the vault in dir open for writing (1, with its
 * pid in *pid when known) or not (0).  A second writable logstore_open()
 * fails with MAMORI_ECONFLICT naming that pid: one process writes a vault.
 */
int logstore_writer_pid(const char *dir, int64_t *pid);

/* Commits what is pending (writable handles) and frees ls; NULL is fine. */
void logstore_close(struct logstore *ls);

/* The number of events appended (the tree size), and of those durable. */
uint64_t logstore_size(const struct logstore *ls);
uint64_t logstore_durable(const struct logstore *ls);
/* The origin line of this vault's checkpoints ("mamori.local/<hex>"). */
const char *logstore_origin(const struct logstore *ls);

/*
 * Fills ev->terms (after log_event_seal()) with the hashes logstore_append()
 * looks its index terms up by.  Only reads what logstore_open() set, so
 * that a receiving thread may call it while another appends: the writer
 * then finds the hashes made where the fields were still in cache.  An
 * event without them (or with another vault's) is hashed by the append.
 */
void logstore_event_terms(const struct logstore *ls, struct log_event *ev);

/*
 * Appends evs[0..n) (sealed, log_event_seal()) in order: segment write,
 * index rows, frontier.  *first (may be NULL) receives the index (seq, 0-
 * based leaf index) of evs[0].  On MAMORI_EIO (disk full …) nothing of the
 * failing event onwards is counted; the events before it stay appended.
 */
int logstore_append(struct logstore *ls, struct log_event *const *evs, size_t n, uint64_t *first,
		    struct mamori_err *err);
/* fdatasync of the segment(s) written since the last sync. */
int logstore_sync(struct logstore *ls, struct mamori_err *err);
/* logstore_sync(), then commits the index transaction and the frontier. */
int logstore_commit(struct logstore *ls, struct mamori_err *err);

/* ---- checkpoints ------------------------------------------------------------ */
/*
 * Commits, then signs a checkpoint of the whole tree (with an extension
 * line "mamori-time <RFC 3339 UTC>", so that checkpoints are written and
 * told apart also when no events arrived), stores it, appends it to
 * checkpoints.txt, and appends the signed note to note (may be NULL).
 */
int logstore_checkpoint(struct logstore *ls, struct strbuf *note, struct mamori_err *err);
/*
 * A checkpoint now, whoever writes the vault in dir: when no process
 * does, opens it, signs one and closes it; when one does (mamori serve's
 * log receivers), leaves the request file <dir>/checkpoint.request, which
 * the writer takes within a second, and waits up to timeout_ms for the
 * new checkpoint.  Appends the signed note to note.  MAMORI_ECONFLICT when
 * the writer did not answer in time.
 */
int logstore_checkpoint_request(const char *dir, struct strbuf *note, int timeout_ms,
				struct mamori_err *err);
/* The request file's path (for the writer, which takes and removes it). */
void logstore_checkpoint_request_path(const char *dir, struct strbuf *out);

/* The latest signed checkpoint note; MAMORI_ENOTFOUND when none yet. */
int logstore_checkpoint_latest(struct logstore *ls, struct strbuf *note, struct mamori_err *err);
/* The verifier key text (vkey) of this vault's signing key. */
void logstore_vkey(const struct logstore *ls, struct strbuf *out);
const struct checkpoint_verifier *logstore_verifier(const struct logstore *ls);

/* ---- verification ------------------------------------------------------------ */
struct logstore_verify_result {
	uint64_t events;         /* events read and hashed */
	uint64_t bytes;          /* record bytes hashed */
	uint64_t checkpoint_size; /* size of the checkpoint checked against */
	int64_t bad_seq;         /* first bad event, -1 when none */
	char reason[512];        /* Japanese, "" when intact */
};
/* Called now and then with events done and total; may be NULL. */
typedef void logstore_progress_fn(uint64_t done, uint64_t total, void *ctx);
/*
 * Reads every segment record, recomputes every leaf and the tree, checks
 * each stored checkpoint's signature and root (and, when external_note is
 * not NULL, that signed checkpoint - one kept off the host - against the
 * tree at its size), the cached block hashes and every index row against
 * its record.  0 when intact; MAMORI_ECHECK with res->bad_seq and
 * res->reason naming the first bad event (or checkpoint); other codes for
 * errors that stopped it.  Honours mamori_interrupted (MAMORI_EINTR).
 */
int logstore_verify(struct logstore *ls, const char *external_note, size_t note_len,
		    logstore_progress_fn *progress, void *pctx, struct logstore_verify_result *res,
		    struct mamori_err *err);

/* ---- proofs --------------------------------------------------------------------- */
/*
 * A proof document (text, self-contained):
 *
 *     MAMORI-LOG-PROOF 1\n
 *     index <seq>\n
 *     size <tree size the proof is for>\n
 *     record <base64 of the record>\n
 *     path <hex hash>\n          (one line per inclusion-proof hash)
 *     vkey <vkey of the signing key>\n
 *     \n
 *     <the signed checkpoint note of that size>
 *
 * logstore_prove() writes it for event seq against the latest checkpoint
 * (committing and signing a new one when the latest does not cover seq),
 * or, when checkpoint_note is not NULL, against that checkpoint (an
 * off-host copy: its root must equal this store's tree at its size, else
 * MAMORI_ECHECK - the store was altered).
 */
int logstore_prove(struct logstore *ls, uint64_t seq, const char *checkpoint_note, size_t note_len,
		   struct strbuf *out, struct mamori_err *err);
/*
 * Checks a proof document without any store: its checkpoint signature by
 * vkey (the vkey in the document when vkey is NULL; *self_signed tells the
 * caller so that it can warn), the inclusion of the record, and, when
 * checkpoint_note is not NULL, that the document's checkpoint is that one
 * (same origin, size and root).  Fills ev (parsed record; may be NULL).
 * 0 when proven; MAMORI_ECHECK when not; MAMORI_EINVAL when malformed.
 */
int logstore_proof_verify(const char *doc, size_t len, const char *vkey, const char *checkpoint_note,
			  size_t note_len, struct log_event *ev, uint64_t *seq, bool *self_signed,
			  struct mamori_err *err);
/*
 * The RFC 9162 consistency proof between tree sizes m <= n <= size, as
 * lower-case hex lines into out, and both roots.
 */
int logstore_consistency(struct logstore *ls, uint64_t m, uint64_t n, struct strbuf *out,
			 uint8_t root_m[MERKLE_HASH_LEN], uint8_t root_n[MERKLE_HASH_LEN],
			 struct mamori_err *err);

/* ---- search ---------------------------------------------------------------------- */
struct logstore_query {
	const char *user, *patient, *host, *action; /* exact match; NULL: any */
	int result;        /* -1 any, else enum log_result */
	int64_t from_us;   /* event time >= from_us; INT64_MIN: no bound */
	int64_t to_us;     /* event time <  to_us;   INT64_MAX: no bound */
	int64_t before;    /* only events with seq < before (paging); -1: none */
	size_t limit;      /* 1..LOGSTORE_PAGE_MAX */
};
void logstore_query_init(struct logstore_query *q); /* any, limit 100 */

struct logstore_hit {
	uint64_t seq;
	int64_t recv_us, time_us; /* time_us INT64_MIN when the message had none */
	enum log_via via;
	unsigned flags;
	const char *user, *patient, *host, *action; /* NULL when unknown */
	enum log_result result;
	const char *source; /* client address or terminal the action came from */
	const char *peer;
	const char *message; /* the message as received (may hold any bytes) */
	size_t message_len;
};
/* Called once per hit, newest (highest seq) first; a non-zero return stops
 * the search and is returned. */
typedef int logstore_hit_fn(const struct logstore_hit *hit, void *ctx);
/*
 * Runs q; *next (may be NULL) receives the cursor for the next page (the
 * last hit's seq) or -1 when there is no more.  Values are bound, never
 * pasted; an unknown user/patient/... simply finds nothing.
 */
int logstore_search(struct logstore *ls, const struct logstore_query *q, logstore_hit_fn *fn,
		    void *ctx, int64_t *next, struct mamori_err *err);
/* One event by seq (MAMORI_ENOTFOUND beyond the size). */
int logstore_get(struct logstore *ls, uint64_t seq, logstore_hit_fn *fn, void *ctx,
		 struct mamori_err *err);

#endif
