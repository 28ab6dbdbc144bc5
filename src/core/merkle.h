/*
 * merkle.h - the Merkle tree of the access-log vault, RFC 6962 / RFC 9162
 * style (docs/internals/merkle.md).
 *
 * Over the leaf inputs D[0..n) (one per stored event):
 *
 *     leaf hash  = SHA-256(0x00 ‖ event)
 *     node hash  = SHA-256(0x01 ‖ left ‖ right)
 *     MTH({})    = SHA-256("")                       (the empty tree)
 *     MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n]))    k = largest power of 2 < n
 *
 * Everything here works on 32-byte leaf hashes, never on the events
 * themselves, so the store decides how an event is serialised.  No
 * function recurses: memory is O(log n) and sizes up to 2^63 are handled
 * (the store needs 2^40).  Proofs are at most MERKLE_PROOF_MAX hashes.
 *
 * Errors: MAMORI_EINVAL for arguments that cannot describe a proof (index
 * beyond the tree, m > n, a proof longer than MERKLE_PROOF_MAX);
 * MAMORI_ECHECK when a well-formed proof does not prove what it claims
 * (tampered data, wrong root, wrong length).  Messages are Japanese and say
 * what to check.  Hashing uses OpenSSL's SHA-256 (SHA extensions where
 * the CPU has them); an OpenSSL failure is a BUG (out of memory).
 */
#ifndef MAMORI_MERKLE_H
#define MAMORI_MERKLE_H

#include <stdint.h>

#include "common.h"

#define MERKLE_HASH_LEN 32
/* A proof never has more hashes than the tree has levels. */
#define MERKLE_PROOF_MAX 64
/* The largest tree size accepted anywhere (2^63 - 1). */
#define MERKLE_SIZE_MAX ((uint64_t)INT64_MAX)

/* ---- hashes ---------------------------------------------------------------- */

/* SHA-256(0x00 ‖ data[0..len)). */
void merkle_leaf_hash(const void *data, size_t len, uint8_t out[MERKLE_HASH_LEN]);

/* SHA-256(0x01 ‖ left ‖ right); out may alias left or right. */
void merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN], const uint8_t right[MERKLE_HASH_LEN],
		      uint8_t out[MERKLE_HASH_LEN]);

/* The root of the empty tree, SHA-256 of the empty string. */
void merkle_empty_root(uint8_t out[MERKLE_HASH_LEN]);

/* ---- the frontier (compact range [0, size)) ------------------------------- */

/*
 * The right edge of a tree being built: for every bit k set in size, the
 * root of the complete subtree of 2^k leaves that bit stands for.  Plain
 * data (copy it, store it); zero-initialised or merkle_frontier_init() is
 * the empty tree.  Appending is amortised O(1) hashes, the root O(log n).
 */
struct merkle_frontier {
	uint64_t size;
	uint8_t level[MERKLE_PROOF_MAX][MERKLE_HASH_LEN]; /* valid where bit k of size is set */
};

void merkle_frontier_init(struct merkle_frontier *f);

/* Appends one leaf hash.  MAMORI_EINVAL when the tree is already
 * MERKLE_SIZE_MAX leaves. */
int merkle_frontier_append(struct merkle_frontier *f, const uint8_t leaf[MERKLE_HASH_LEN],
			   struct mamori_err *err);

/* The root of the f->size leaves appended so far (the empty root for 0). */
void merkle_frontier_root(const struct merkle_frontier *f, uint8_t out[MERKLE_HASH_LEN]);

/* The root of n leaf hashes given in an array (MTH, RFC 9162 §2.1.1). */
void merkle_root(const uint8_t (*leaves)[MERKLE_HASH_LEN], uint64_t n,
		 uint8_t out[MERKLE_HASH_LEN]);

/* ---- where proof generation gets its hashes -------------------------------- */

/*
 * leaf(i) returns the hash of leaf i (0-based, below the tree size the
 * proof is for).  subtree(start, end), when not NULL, returns MTH of
 * D[start:end); it is only asked for ranges where start is a multiple of
 * the largest power of two below or equal to end - start (the subtrees of
 * the tree), so a store can keep those cached.  When subtree is NULL the
 * hashes are computed from leaf(), reading end - start leaves.  Both
 * return 0 or a negative code (with err set), which is passed up.
 */
struct merkle_source {
	int (*leaf)(uint64_t index, uint8_t out[MERKLE_HASH_LEN], void *ctx,
		    struct mamori_err *err);
	int (*subtree)(uint64_t start, uint64_t end, uint8_t out[MERKLE_HASH_LEN], void *ctx,
		       struct mamori_err *err);
	void *ctx;
};

/* MTH(D[start:end)) from src (its subtree callback when set); start < end. */
int merkle_range_hash(const struct merkle_source *src, uint64_t start, uint64_t end,
		      uint8_t out[MERKLE_HASH_LEN], struct mamori_err *err);

/* ---- inclusion proofs (RFC 9162 §2.1.3) ------------------------------------ */

/*
 * The audit path of leaf index in the tree of size leaves, bottom up, into
 * proof; its length in *len (0 for a tree of one leaf).  MAMORI_EINVAL
 * when index >= size or size > MERKLE_SIZE_MAX.
 */
int merkle_inclusion_proof(const struct merkle_source *src, uint64_t index, uint64_t size,
			   uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t *len,
			   struct mamori_err *err);

/*
 * Checks that leaf (a leaf hash) is leaf index of the tree of size leaves
 * whose root is root, by proof[0..len).  0 when it is; MAMORI_ECHECK when
 * the proof does not lead to root (or has the wrong length for index and
 * size); MAMORI_EINVAL when index >= size or len > MERKLE_PROOF_MAX.
 */
int merkle_inclusion_verify(uint64_t index, uint64_t size, const uint8_t leaf[MERKLE_HASH_LEN],
			    const uint8_t (*proof)[MERKLE_HASH_LEN], size_t len,
			    const uint8_t root[MERKLE_HASH_LEN], struct mamori_err *err);

/* ---- consistency proofs (RFC 9162 §2.1.4) ---------------------------------- */

/*
 * The proof that the tree of m leaves is a prefix of the tree of n leaves
 * (both read from src), into proof, its length in *len (0 when m == 0 or
 * m == n).  MAMORI_EINVAL when m > n or n > MERKLE_SIZE_MAX.
 */
int merkle_consistency_proof(const struct merkle_source *src, uint64_t m, uint64_t n,
			     uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t *len,
			     struct mamori_err *err);

/*
 * Checks that root1 (size m) and root2 (size n) are consistent by
 * proof[0..len).  m == 0 needs an empty proof (any root1 is accepted: the
 * empty tree is a prefix of every tree); m == n needs an empty proof and
 * root1 == root2.  0 when consistent; MAMORI_ECHECK when not;
 * MAMORI_EINVAL when m > n, n > MERKLE_SIZE_MAX or len > MERKLE_PROOF_MAX.
 */
int merkle_consistency_verify(uint64_t m, uint64_t n, const uint8_t root1[MERKLE_HASH_LEN],
			      const uint8_t root2[MERKLE_HASH_LEN],
			      const uint8_t (*proof)[MERKLE_HASH_LEN], size_t len,
			      struct mamori_err *err);

/* ---- text form -------------------------------------------------------------------- */

/* Lower-case hex of a hash, NUL-terminated. */
void merkle_hash_hex(const uint8_t h[MERKLE_HASH_LEN], char out[2 * MERKLE_HASH_LEN + 1]);

/* Parses exactly 64 hex digits (either case); MAMORI_EINVAL otherwise. */
int merkle_hash_from_hex(const char *hex, uint8_t out[MERKLE_HASH_LEN], struct mamori_err *err);

#endif
