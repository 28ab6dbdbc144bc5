/*
 * fuzz_merkle_proof.c - libFuzzer target for Merkle proof verification
 * (src/core/merkle.c), which checks proofs exported from another machine
 * ("mamori log verify-proof").
 *
 * Input: 8 bytes a, 8 bytes b (big-endian), 1 byte mode, 32 bytes leaf
 * hash, 32 bytes root, then proof hashes (32 bytes each, up to 70 so that
 * the limit of 64 is crossed; a short tail is ignored).
 *   mode & 3 == 0: inclusion of leaf a in a tree of b leaves;
 *   mode & 3 == 1: consistency between sizes a and b (leaf = old root);
 *   mode & 3 == 2 / 3: a real tree of b % 64 + 1 leaves; the generated
 *     inclusion (2) or consistency (3) proof for a (reduced) must verify,
 *     and must fail once XORed with the input's proof bytes, if any is
 *     non-zero.
 * Invariants: no crash; results are 0, MAMORI_EINVAL or MAMORI_ECHECK, a
 * failure always with a message.
 */
#include "common.h"

#include <inttypes.h>

#include "merkle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define HEAD (8 + 8 + 1 + 2 * MERKLE_HASH_LEN)
#define PROOF_IN_MAX 70

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void check(int r, const struct mamori_err *err)
{
	if (r != 0 && r != MAMORI_EINVAL && r != MAMORI_ECHECK)
		BUG("unexpected return %d", r);
	if (r && !err->msg[0])
		BUG("error %d without a message", r);
}

static uint8_t tree[64][MERKLE_HASH_LEN];

static int tree_leaf(uint64_t i, uint8_t out[MERKLE_HASH_LEN], void *ctx, struct mamori_err *err)
{
	if (i >= 64)
		BUG("leaf %" PRIu64, i);
	memcpy(out, tree[i], MERKLE_HASH_LEN);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mamori_err err = { 0 };
	uint8_t proof[PROOF_IN_MAX][MERKLE_HASH_LEN], gen[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	uint8_t leaf[MERKLE_HASH_LEN], root[MERKLE_HASH_LEN];
	uint64_t a, b;
	size_t len;
	int mode, r;

	if (size < HEAD)
		return 0;
	a = be64(data);
	b = be64(data + 8);
	mode = data[16] & 3;
	memcpy(leaf, data + 17, MERKLE_HASH_LEN);
	memcpy(root, data + 17 + MERKLE_HASH_LEN, MERKLE_HASH_LEN);
	len = (size - HEAD) / MERKLE_HASH_LEN;
	if (len > PROOF_IN_MAX)
		len = PROOF_IN_MAX;
	memcpy(proof, data + HEAD, len * MERKLE_HASH_LEN);

	if (mode == 0) {
		r = merkle_inclusion_verify(a, b, leaf, (const uint8_t (*)[MERKLE_HASH_LEN])proof, len, root, &err);
		check(r, &err);
		return 0;
	}
	if (mode == 1) {
		r = merkle_consistency_verify(a, b, leaf, root, (const uint8_t (*)[MERKLE_HASH_LEN])proof, len, &err);
		check(r, &err);
		return 0;
	}

	/* A real tree: leaf i = SHA-256(0x00 ‖ leaf ‖ i). */
	struct merkle_source src = { tree_leaf, NULL, NULL };
	uint64_t n = b % 64 + 1, m;
	uint8_t r1[MERKLE_HASH_LEN], r2[MERKLE_HASH_LEN];
	size_t glen = 0;
	int changed = 0;

	for (uint64_t i = 0; i < n; i++) {
		uint8_t buf[MERKLE_HASH_LEN + 1];
		memcpy(buf, leaf, MERKLE_HASH_LEN);
		buf[MERKLE_HASH_LEN] = (uint8_t)i;
		merkle_leaf_hash(buf, sizeof(buf), tree[i]);
	}
	merkle_root((const uint8_t (*)[MERKLE_HASH_LEN])tree, n, r2);
	if (mode == 2) {
		m = a % n;
		if (merkle_inclusion_proof(&src, m, n, gen, &glen, &err) < 0)
			BUG("%s", err.msg);
		if (merkle_inclusion_verify(m, n, tree[m], (const uint8_t (*)[MERKLE_HASH_LEN])gen, glen, r2, &err) < 0)
			BUG("own inclusion proof refused: %s", err.msg);
	} else {
		m = a % (n + 1);
		merkle_root((const uint8_t (*)[MERKLE_HASH_LEN])tree, m, r1);
		if (merkle_consistency_proof(&src, m, n, gen, &glen, &err) < 0)
			BUG("%s", err.msg);
		if (merkle_consistency_verify(m, n, r1, r2, (const uint8_t (*)[MERKLE_HASH_LEN])gen, glen, &err) < 0)
			BUG("own consistency proof refused: %s", err.msg);
	}
	for (size_t i = 0; i < glen && i < len; i++)
		for (size_t k = 0; k < MERKLE_HASH_LEN; k++) {
			gen[i][k] ^= proof[i][k];
			changed |= proof[i][k];
		}
	if (mode == 2)
		r = merkle_inclusion_verify(m, n, tree[m], (const uint8_t (*)[MERKLE_HASH_LEN])gen, glen, r2, &err);
	else
		r = merkle_consistency_verify(m, n, r1, r2, (const uint8_t (*)[MERKLE_HASH_LEN])gen, glen, &err);
	check(r, &err);
	if (changed && r == 0)
		BUG("a changed proof verified");
	if (!changed && r != 0)
		BUG("an unchanged proof failed: %s", err.msg);
	return 0;
}
