/*
 * journal.h - the tamper-evident, hash-chained journal of every change.
 *
 * Each change made through src/core appends one entry in the same
 * transaction as the change itself, so that a change without its entry (or
 * an entry without its change) can never be committed.
 *
 * Entry n holds seq n (1, 2, 3 … without gaps), the UTC time (RFC 3339),
 * the actor, the action ("asset.add" …), the entity type and id, the record
 * before and after as canonical JSON (sorted keys, compact; NULL when the
 * record did not exist before / does not exist after), prev_hash (the hash
 * of entry n-1; 64 zeros for entry 1) and
 *
 *     hash = SHA-256(prev_hash as 32 raw bytes ‖ canonical(entry))
 *
 * canonical(entry) is "mamori-journal-v1\n" followed, for seq, time, actor,
 * action, entity_type, entity_id, before, after in this order, by
 * "<byte length>:<bytes>," (a netstring) or "~," for NULL.  The encoding is
 * unambiguous, so no two different entries share a canonical form.
 * docs/internals/journal.md describes it for people verifying by hand.
 *
 * The store's meta table also keeps the head (journal.head_seq,
 * journal.head_hash), updated with every append, so that the deletion of the
 * newest entries is detected too.  Someone able to rewrite the whole chain
 * and the meta table defeats any check made with the store alone, which is
 * why the head hash is meant to be written down off the machine
 * ("mamori journal head") and given back to journal_verify().
 */
#ifndef MAMORI_JOURNAL_H
#define MAMORI_JOURNAL_H

#include <jansson.h>
#include <stdint.h>

#include "common.h"

struct store;

#define JOURNAL_HASH_HEX 65 /* 64 hex digits + NUL */

struct journal_entry {
	int64_t seq;
	char *time;
	char *actor;
	char *action;
	char *entity_type;
	char *entity_id; /* may be NULL */
	char *before;    /* canonical JSON or NULL */
	char *after;     /* canonical JSON or NULL */
	char prev_hash[JOURNAL_HASH_HEX];
	char hash[JOURNAL_HASH_HEX];
};

void journal_entry_release(struct journal_entry *e);

/*
 * Computes the hash of e (its prev_hash field included) into out.
 * Returns MAMORI_EINVAL when e->prev_hash is not 64 hex digits.
 */
int journal_entry_hash(const struct journal_entry *e, char out[JOURNAL_HASH_HEX]);

/*
 * Appends one entry.  Must be called inside a store transaction (BUG
 * otherwise).  before/after may be NULL; they are not consumed.  The entry's
 * seq is returned in *seq when seq is not NULL.
 */
int journal_append(struct store *st, const char *actor, const char *action,
		   const char *entity_type, const char *entity_id, json_t *before, json_t *after,
		   int64_t *seq, struct mamori_err *err);

/* The newest entry's seq and hash (0 and 64 zeros for an empty journal). */
int journal_head(struct store *st, int64_t *seq, char hash[JOURNAL_HASH_HEX],
		 struct mamori_err *err);

struct journal_verify_result {
	int64_t entries;         /* entries checked */
	int64_t first_bad;       /* seq of the first bad entry, 0 when intact */
	char head[JOURNAL_HASH_HEX];
	int expected_found;      /* expect_hash (if given) is in the chain */
};

/*
 * Walks the whole chain.  Returns 0 when intact; MAMORI_ECHECK when an entry
 * was modified, deleted, inserted or reordered, with res->first_bad set and
 * err->msg naming the entry and what is wrong with it; < 0 other errors.
 * expect_hash (may be NULL): a head written down earlier; the chain must
 * still contain an entry with that hash, else MAMORI_ECHECK.
 * progress (may be NULL) is called now and then with (done, total).
 */
int journal_verify(struct store *st, const char *expect_hash, struct journal_verify_result *res,
		   void (*progress)(int64_t done, int64_t total, void *ctx), void *ctx,
		   struct mamori_err *err);

struct journal_filter {
	const char *entity_type; /* NULL: any */
	const char *entity_id;   /* NULL: any */
	const char *since;       /* RFC 3339 or YYYY-MM-DD; NULL: from the start */
	const char *action;      /* prefix, e.g. "asset."; NULL: any */
	int64_t limit;           /* 0: no limit; newest entries when limited */
};

/*
 * Calls fn for each entry matching f, oldest first.  fn returns 0 to go on
 * or a negative code to stop (returned by journal_list).
 */
int journal_list(struct store *st, const struct journal_filter *f,
		 int (*fn)(const struct journal_entry *e, void *ctx), void *ctx,
		 struct mamori_err *err);

/* Serialises j canonically (sorted keys, compact, UTF-8); caller frees. */
char *journal_canonical_json(json_t *j);

/* Entry as a JSON object (for --format json and the API); new reference. */
json_t *journal_entry_json(const struct journal_entry *e);

#endif
