/*
 * logstore_int.h - what the logstore_*.c files share: the struct, the
 * statements and the record reader.  Not part of the contract (logstore.h);
 * only the store's own files and its unit test include it.
 */
#ifndef MAMORI_LOGSTORE_INT_H
#define MAMORI_LOGSTORE_INT_H
#include <sqlite3.h>

#include "logstore.h"

/* Term kinds in log_term. */
enum { LT_USER = 1, LT_PATIENT = 2, LT_HOST = 3, LT_ACTION = 4, LT_SOURCE = 5 };
#define LT_KINDS 5
_Static_assert(LT_KINDS == LOG_TERMS, "the index terms are the event's");

/*
 * <vault>/events.idx: one fixed-size entry per event, entry seq at offset
 * seq * LOGSTORE_ENTRY_LEN, little-endian (x86-64 and arm64 Debian), no
 * header.  What an index row of log_event was before: where the record is,
 * what it says (times, via, flags, result, term ids) and its leaf hash.
 *
 *     0  i64 recv_us          8  i64 time_us (INT64_MIN: none)
 *    16  u64 off (of the record's length prefix in its segment)
 *    24  u32 seg             28  u32 len (of the record; 0: no entry)
 *    32  u32 flags           36  u8 via   37 u8 result   38 u16 zero
 *    40  u32 user, patient, host, action, source (term ids, 0: none)
 *    60  u32 zero            64  32 bytes leaf hash
 *
 * The writer appends entries through a buffer (written with the segment
 * records) and fdatasyncs the file before the commit that raises the
 * committed size, so every committed event has its entry; a writable open
 * cuts the file to the committed size and recovery rebuilds the rest.
 * Readers map the file read-only and check every seq against the
 * committed size and the mapping.
 */
struct logstore_entry {
	int64_t recv_us, time_us;
	uint64_t off;
	uint32_t seg, len, flags;
	uint8_t via, result;
	uint16_t zero1;
	uint32_t term[LT_KINDS]; /* user, patient, host, action, source */
	uint32_t zero2;
	uint8_t leaf[MERKLE_HASH_LEN];
};
#define LOGSTORE_ENTRY_LEN 96
_Static_assert(sizeof(struct logstore_entry) == LOGSTORE_ENTRY_LEN, "entry layout");
_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "entries are little-endian");

/* Search postings (logstore_postings.c): events per window file. */
#define LOGSTORE_POSTING_WINDOW 65536

/* The (term id << 16 | offset) keys of one kind in the window being filled. */
struct lpairs {
	uint64_t *v;
	size_t n, cap;
};

/* A slot of the writer's term cache: one cache line, short values (most
 * ids) kept inline so that a lookup touches one line. */
#define LTERM_INLINE 38
struct lterm {
	uint64_t hash;  /* 0: empty slot (term_hash() never gives 0) */
	int64_t id;
	uint8_t kind;
	uint8_t inl_len; /* > 0: the value is inl[0..inl_len) */
	char inl[LTERM_INLINE];
	char *value;     /* a longer value, owned; NULL when inline */
};

struct logstore {
	char *dir;
	bool readonly, broken;
	sqlite3 *db;
	char origin[CHECKPOINT_NAME_MAX + 1];
	struct checkpoint_verifier ver;
	struct checkpoint_signer signer;
	bool have_signer;

	/* the tree: appended (size), synced (durable), committed */
	struct merkle_frontier fr;
	uint64_t durable, committed;

	/* the segment being written */
	int seg_fd;
	uint32_t seg_no;
	uint64_t seg_first, seg_count; /* its first seq and record count */
	uint64_t seg_bytes;            /* its length including the buffer */
	struct strbuf wbuf;            /* records not yet written */
	uint64_t wbuf_off;             /* file offset of wbuf's first byte */
	bool need_sync;                /* written since the last fdatasync */

	/* events.idx: the writer's descriptor and entries not yet written
	 * (the first is entry ebuf_seq); everyone's read-only mapping */
	int ent_fd;
	struct strbuf ebuf;
	uint64_t ebuf_seq;
	bool ent_need_sync;
	const uint8_t *emap;
	size_t emap_len;

	bool in_txn;
	sqlite3_stmt *sel_term, *ins_term, *ins_block, *put_meta, *put_segment;

	/* the search index: events below `posted` are in window files; the
	 * writer's pairs of the window being filled, per kind */
	uint64_t posted;
	bool post_pending; /* a full window whose file is still to be written */
	struct { const uint8_t *p; size_t len; } *wmaps; /* by window: mapped files */
	size_t capwmaps, nwmaps;
	struct lpairs pairs[LT_KINDS];

	/* event-time bounds of the block being filled (INT64_MAX/MIN: none) */
	int64_t blk_min, blk_max;

	/* term cache (writer): open addressing, power-of-two capacity; the
	 * hash is seeded at open, so that no sender can pick names that
	 * collide in it */
	struct lterm *terms;
	size_t nterms, capterms;
	uint64_t term_seed;

	/* a reader's segment descriptor cache */
	int lock_fd; /* writer.lock, held (flock) by the one writable handle */
	int rd_fd;
	uint32_t rd_no;
};

/* For tests: segments close at this size (LOGSTORE_SEGMENT_BYTES). */
extern uint64_t logstore_segment_limit;

int logstore_db_error(struct logstore *ls, struct mamori_err *err, const char *what);
void logstore_seg_path(const struct logstore *ls, uint32_t no, struct strbuf *out);
/* Writes the buffered records to the segment file (no fdatasync). */
int logstore_flush(struct logstore *ls, struct mamori_err *err);
/* The entry of seq (< the tree size), read through the mapping (remapped
 * when the file has grown; the writer's buffer written first): 0, or
 * MAMORI_ENOTFOUND beyond the tree, MAMORI_ECHECK when the file lacks it.
 * *e stays valid until the next call on ls from the same thread. */
int logstore_entry_get(struct logstore *ls, uint64_t seq, const struct logstore_entry **e,
		       struct mamori_err *err);
/* Maps events.idx as it is now (at least `want` entries when the file has
 * them); the number of entries mapped.  Mapping is only changed by the
 * thread that owns ls. */
int logstore_entries_map(struct logstore *ls, uint64_t want, uint64_t *mapped,
			 struct mamori_err *err);
static inline const struct logstore_entry *logstore_entry_at(const struct logstore *ls,
							       uint64_t seq)
{
	return (const struct logstore_entry *)(const void *)(ls->emap + seq * LOGSTORE_ENTRY_LEN);
}
/* Reads the record of seq into rec (MAMORI_ENOTFOUND beyond the index). */
int logstore_read_record(struct logstore *ls, uint64_t seq, struct strbuf *rec,
			 struct mamori_err *err);
/* Reads the record of seq known to be at (segment no, offset off, length
 * len), checking its length prefix. */
int logstore_read_at(struct logstore *ls, uint64_t seq, uint32_t no, uint64_t off, uint64_t len,
		     struct strbuf *rec, struct mamori_err *err);
/* Reads len bytes at off of segment no into buf. */
int logstore_pread(struct logstore *ls, uint32_t no, uint64_t off, void *buf, size_t len,
		   struct mamori_err *err);
/* The merkle_source of this store (leaf and cached subtree hashes). */
void logstore_source(struct logstore *ls, struct merkle_source *src);
/* merkle_frontier_append() that returns 1 and the block hash when the
 * leaf completes a LOGSTORE_BLOCK_LEAVES block. */
int logstore_fr_append(struct merkle_frontier *f, const uint8_t leaf[MERKLE_HASH_LEN],
		       uint8_t block[MERKLE_HASH_LEN]);
/* A read transaction (one snapshot) around verification. */
int logstore_read_begin(struct logstore *ls, struct mamori_err *err);
void logstore_read_end(struct logstore *ls);
/* The Japanese label of a term kind (利用者, 患者ID, ...). */
const char *logstore_term_kind_name(int kind);

/* A read-only handle catches up with what the writer committed since
 * (size, frontier, posted); a no-op for the writer. */
int logstore_refresh(struct logstore *ls, struct mamori_err *err);

/* ---- postings (logstore_postings.c) ---- */
void logstore_idx_path(const struct logstore *ls, uint64_t win, struct strbuf *out);
/* Adds the event seq (of the window being filled) to term id of kind. */
void logstore_posting_add(struct logstore *ls, int kind, int64_t id, uint64_t seq);
/* Writes the full window's file durably and empties the pairs. */
int logstore_postings_write(struct logstore *ls, struct mamori_err *err);
void logstore_postings_free(struct logstore *ls);
/* Unmaps the window files a handle kept mapped. */
void logstore_wmaps_free(struct logstore *ls);

/* The events of one term below a bound, newest first: the unposted ones
 * from their entries, then the window files. */
struct logstore_pcursor {
	struct logstore *ls;
	int kind;
	int64_t id;
	uint64_t below, posted, win;
	uint64_t tail; /* the unposted entries below it are still to scan */
	bool tail_done;
	uint64_t *seqs;
	size_t pos;
};
void logstore_pcursor_init(struct logstore_pcursor *c, struct logstore *ls, int kind, int64_t id,
			   uint64_t below, uint64_t posted);
/* 1 and *seq, 0 at the end, or an error. */
int logstore_pcursor_next(struct logstore_pcursor *c, uint64_t *seq, struct mamori_err *err);
void logstore_pcursor_release(struct logstore_pcursor *c);

/* Verification of the postings, a window at a time: the verifier fills
 * ids[kind - 1][seq - window base] (0: none) from the entries, then
 * calls logstore_pcheck_window (a no-op for the unposted window). */
struct logstore_pcheck {
	int64_t *ids[LT_KINDS];
	uint8_t *seen;
};
void logstore_pcheck_init(struct logstore_pcheck *pc);
void logstore_pcheck_release(struct logstore_pcheck *pc);
int logstore_pcheck_window(struct logstore *ls, struct logstore_pcheck *pc, uint64_t win,
			   uint64_t count, int64_t *bad_seq, char *reason, size_t rlen,
			   struct mamori_err *err);

#endif
