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

struct lterm {
	uint64_t hash;
	int64_t id;
	int kind;
	char *value; /* NULL: empty slot */
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

	bool in_txn;
	sqlite3_stmt *ins_event, *ins_term, *ins_block, *put_meta, *put_segment;
	sqlite3_stmt *get_loc;

	/* term cache (writer): open addressing, power-of-two capacity */
	struct lterm *terms;
	size_t nterms, capterms;

	/* a reader's segment descriptor cache */
	int rd_fd;
	uint32_t rd_no;
};

/* For tests: segments close at this size (LOGSTORE_SEGMENT_BYTES). */
extern uint64_t logstore_segment_limit;

int logstore_db_error(struct logstore *ls, struct mamori_err *err, const char *what);
void logstore_seg_path(const struct logstore *ls, uint32_t no, struct strbuf *out);
/* Writes the buffered records to the segment file (no fdatasync). */
int logstore_flush(struct logstore *ls, struct mamori_err *err);
/* Reads the record of seq into rec (MAMORI_ENOTFOUND beyond the index). */
int logstore_read_record(struct logstore *ls, uint64_t seq, struct strbuf *rec,
			 struct mamori_err *err);
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

#endif
