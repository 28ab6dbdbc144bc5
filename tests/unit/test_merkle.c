/*
 * test_merkle.c - unit tests of the RFC 6962 / 9162 Merkle tree
 * (src/core/merkle.c).
 *
 * Known-answer vectors: the 8 leaf inputs, their leaf hashes, the roots of
 * sizes 0..8 and the inclusion and consistency proofs of the reference
 * implementations: google/certificate-transparency
 * src/merkletree/MerkleTreeTest.cc (inputs, sha256_roots, sha256_paths) and
 * transparency-dev/merkle testonly/constants.go (NodeHashes, RootHashes)
 * and proof/verify_test.go (inclusionProofs, consistencyProofs, whose leaf
 * numbers are 1-based).  The same corruptions as verify_test.go are tried
 * on every known proof.  Then properties against a recursive reference MTH
 * written here from RFC 9162 §2.1.1: for every n <= 64 every inclusion
 * proof and every consistency proof verifies, and any flipped bit, wrong
 * index or size, missing or extra hash fails; the frontier equals the batch
 * root at every size; a subtree callback gives the same proofs.
 */
#include "common.h"

#include <inttypes.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>

#include "merkle.h"
#include "testutil.h"

#define H MERKLE_HASH_LEN

typedef uint8_t hash_t[H];

static void hx(const char *hex, uint8_t out[H])
{
	struct mamori_err err = { 0 };

	ASSERT_RC(0, merkle_hash_from_hex(hex, out, &err), err);
}

static void assert_hash(const uint8_t got[H], const char *want)
{
	char g[2 * H + 1];

	merkle_hash_hex(got, g);
	assert_string_equal(g, want);
}

/* ---- the reference vectors ---------------------------------------------------- */

static const struct {
	const char *data;
	size_t len;
} inputs[8] = {
	{ "", 0 },
	{ "\x00", 1 },
	{ "\x10", 1 },
	{ "\x20\x21", 2 },
	{ "\x30\x31", 2 },
	{ "\x40\x41\x42\x43", 4 },
	{ "\x50\x51\x52\x53\x54\x55\x56\x57", 8 },
	{ "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f", 16 },
};

/* testonly/constants.go NodeHashes()[0]: the leaf hashes. */
static const char *leaf_hex[8] = {
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
	"07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
	"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	"4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
	"b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	"46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
};

/* RootHashes() / sha256_roots: the root at sizes 0..8. */
static const char *root_hex[9] = {
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

struct proof_vector {
	uint64_t a, b; /* inclusion: 1-based leaf, size; consistency: size1, size2 */
	size_t len;
	const char *proof[3];
};

static const struct proof_vector inclusion_vectors[] = {
	{ 1, 1, 0, { NULL } },
	{ 1, 8, 3,
	  { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 6, 8, 3,
	  { "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	{ 3, 3, 1, { "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125" } },
	{ 2, 5, 3,
	  { "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
};

static const struct proof_vector consistency_vectors[] = {
	{ 1, 1, 0, { NULL } },
	{ 1, 8, 3,
	  { "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
	    "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4" } },
	{ 6, 8, 3,
	  { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	    "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
	{ 2, 5, 2,
	  { "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
	    "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b" } },
	{ 6, 7, 3,
	  { "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
	    "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
	    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7" } },
};

/* ---- a leaf source over an array ------------------------------------------------ */

struct array_src {
	hash_t *leaves;
	uint64_t n;
	unsigned leaf_calls, subtree_calls;
};

static int array_leaf(uint64_t i, uint8_t out[H], void *ctx, struct mamori_err *err)
{
	struct array_src *a = ctx;

	if (i >= a->n)
		fail_msg("leaf %" PRIu64 " asked of %" PRIu64, i, a->n);
	a->leaf_calls++;
	memcpy(out, a->leaves[i], H);
	return 0;
}

/* The recursive MTH of RFC 9162 §2.1.1, as independent reference. */
static void ref_mth(hash_t *leaves, uint64_t n, uint8_t out[H])
{
	uint64_t k = 1;
	uint8_t l[H], r[H];

	if (n == 0) {
		merkle_empty_root(out);
		return;
	}
	if (n == 1) {
		memcpy(out, leaves[0], H);
		return;
	}
	while (k << 1 < n)
		k <<= 1;
	ref_mth(leaves, k, l);
	ref_mth(leaves + k, n - k, r);
	merkle_node_hash(l, r, out);
}

static int array_subtree(uint64_t start, uint64_t end, uint8_t out[H], void *ctx,
			 struct mamori_err *err)
{
	struct array_src *a = ctx;
	uint64_t size = end - start, p = 1;

	while (p < size)
		p <<= 1;
	/* The contract: start is a multiple of the subtree's width. */
	if (start % (p == size ? p : p >> 1))
		fail_msg("subtree [%" PRIu64 ", %" PRIu64 ") is not a node", start, end);
	a->subtree_calls++;
	ref_mth(a->leaves + start, size, out);
	return 0;
}

static hash_t kat_leaves[8];

static void load_kat(void)
{
	for (size_t i = 0; i < 8; i++)
		merkle_leaf_hash(inputs[i].data, inputs[i].len, kat_leaves[i]);
}

/* Leaf i of the property trees: the leaf hash of its 4-byte number. */
static hash_t *make_leaves(uint64_t n)
{
	hash_t *l = xcalloc(n ? n : 1, sizeof(hash_t));

	for (uint64_t i = 0; i < n; i++) {
		uint8_t b[4] = { (uint8_t)(i >> 24), (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i };
		merkle_leaf_hash(b, sizeof(b), l[i]);
	}
	return l;
}

/* ---- known answers --------------------------------------------------------------- */

static void test_empty_root(void **state)
{
	uint8_t h[H];
	struct merkle_frontier f;

	merkle_empty_root(h);
	assert_hash(h, root_hex[0]);
	merkle_root(NULL, 0, h);
	assert_hash(h, root_hex[0]);
	merkle_frontier_init(&f);
	merkle_frontier_root(&f, h);
	assert_hash(h, root_hex[0]);
}

static void test_leaf_hashes_and_roots(void **state)
{
	struct mamori_err err = { 0 };
	struct merkle_frontier f;
	uint8_t h[H];

	load_kat();
	merkle_frontier_init(&f);
	for (size_t i = 0; i < 8; i++) {
		assert_hash(kat_leaves[i], leaf_hex[i]);
		ASSERT_RC(0, merkle_frontier_append(&f, kat_leaves[i], &err), err);
		merkle_frontier_root(&f, h);
		assert_hash(h, root_hex[i + 1]);
		merkle_root((const hash_t *)kat_leaves, i + 1, h);
		assert_hash(h, root_hex[i + 1]);
	}
}

static void test_node_hash(void **state)
{
	uint8_t h[H];

	/* NodeHashes()[1][0] = node(leaf 0, leaf 1); aliasing allowed. */
	load_kat();
	memcpy(h, kat_leaves[0], H);
	merkle_node_hash(h, kat_leaves[1], h);
	assert_hash(h, "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125");
}

static void load_proof(const struct proof_vector *v, hash_t *p)
{
	for (size_t i = 0; i < v->len; i++)
		hx(v->proof[i], p[i]);
}

/* The corruptions of verify_test.go corruptInclusionProof(). */
static void inclusion_must_fail(uint64_t idx, uint64_t size, const uint8_t leaf[H],
				hash_t *proof, size_t len, const uint8_t root[H])
{
	struct mamori_err err = { 0 };
	hash_t p[MERKLE_PROOF_MAX + 2], some, empty;
	uint8_t wrong_leaf[H];

	hx("abacaba000000000000000000000000000000000000000000060061e00123456", some);
	merkle_empty_root(empty);
	merkle_leaf_hash("WrongLeaf", 9, wrong_leaf);
	assert_int_not_equal(merkle_inclusion_verify(idx - 1, size, leaf, (const hash_t *)proof, len, root, &err), 0);
	assert_int_not_equal(merkle_inclusion_verify(idx + 1, size, leaf, (const hash_t *)proof, len, root, &err), 0);
	assert_int_not_equal(merkle_inclusion_verify(idx ^ 2, size, leaf, (const hash_t *)proof, len, root, &err), 0);
	assert_int_not_equal(merkle_inclusion_verify(idx, size * 2, leaf, (const hash_t *)proof, len, root, &err), 0);
	assert_int_not_equal(merkle_inclusion_verify(idx, size / 2, leaf, (const hash_t *)proof, len, root, &err), 0);
	assert_int_not_equal(merkle_inclusion_verify(idx, size, wrong_leaf, (const hash_t *)proof, len, root, &err), 0);
	assert_int_not_equal(merkle_inclusion_verify(idx, size, leaf, (const hash_t *)proof, len, empty, &err), 0);
	assert_int_not_equal(merkle_inclusion_verify(idx, size, leaf, (const hash_t *)proof, len, some, &err), 0);
	/* trailing / preceding root */
	memcpy(p, proof, len * H);
	memcpy(p[len], root, H);
	assert_int_equal(merkle_inclusion_verify(idx, size, leaf, (const hash_t *)p, len + 1, root, &err), MAMORI_ECHECK);
	memcpy(p[0], root, H);
	memcpy(p + 1, proof, len * H);
	assert_int_equal(merkle_inclusion_verify(idx, size, leaf, (const hash_t *)p, len + 1, root, &err), MAMORI_ECHECK);
	for (size_t i = 0; i < len; i++) {
		memcpy(p, proof, len * H);
		p[i][0] ^= 8;
		assert_int_equal(merkle_inclusion_verify(idx, size, leaf, (const hash_t *)p, len, root, &err), MAMORI_ECHECK);
	}
	if (len > 0)
		assert_int_equal(merkle_inclusion_verify(idx, size, leaf, (const hash_t *)proof, len - 1, root, &err), MAMORI_ECHECK);
	if (len > 1) {
		memcpy(p[0], proof[0], H);
		memcpy(p[1], some, H);
		memcpy(p + 2, proof + 1, (len - 1) * H);
		assert_int_equal(merkle_inclusion_verify(idx, size, leaf, (const hash_t *)p, len + 1, root, &err), MAMORI_ECHECK);
	}
}

static void test_inclusion_vectors(void **state)
{
	struct mamori_err err = { 0 };
	struct array_src a = { kat_leaves, 8, 0, 0 };
	struct merkle_source src = { array_leaf, NULL, &a };

	load_kat();
	for (size_t t = 0; t < ARRAY_SIZE(inclusion_vectors); t++) {
		const struct proof_vector *v = &inclusion_vectors[t];
		hash_t want[3], got[MERKLE_PROOF_MAX], root;
		size_t len = 99;

		load_proof(v, want);
		hx(root_hex[v->b], root);
		a.n = v->b;
		ASSERT_RC(0, merkle_inclusion_proof(&src, v->a - 1, v->b, got, &len, &err), err);
		assert_int_equal(len, v->len);
		assert_memory_equal(got, want, len * H);
		ASSERT_RC(0, merkle_inclusion_verify(v->a - 1, v->b, kat_leaves[v->a - 1],
						     (const hash_t *)want, v->len, root, &err), err);
		inclusion_must_fail(v->a - 1, v->b, kat_leaves[v->a - 1], want, v->len, root);
	}
}

static void consistency_must_fail(uint64_t m, uint64_t n, const uint8_t r1[H], const uint8_t r2[H],
				  hash_t *proof, size_t len)
{
	struct mamori_err err = { 0 };
	hash_t p[MERKLE_PROOF_MAX + 2], wrong;

	merkle_leaf_hash("WrongRoot", 9, wrong);
	assert_int_not_equal(merkle_consistency_verify(m - 1, n, r1, r2, (const hash_t *)proof, len, &err), 0);
	assert_int_not_equal(merkle_consistency_verify(m + 1, n, r1, r2, (const hash_t *)proof, len, &err), 0);
	assert_int_not_equal(merkle_consistency_verify(m ^ 2, n, r1, r2, (const hash_t *)proof, len, &err), 0);
	assert_int_not_equal(merkle_consistency_verify(m, n * 2, r1, r2, (const hash_t *)proof, len, &err), 0);
	assert_int_not_equal(merkle_consistency_verify(m, n / 2, r1, r2, (const hash_t *)proof, len, &err), 0);
	assert_int_not_equal(merkle_consistency_verify(m, n, wrong, r2, (const hash_t *)proof, len, &err), 0);
	assert_int_not_equal(merkle_consistency_verify(m, n, r1, wrong, (const hash_t *)proof, len, &err), 0);
	assert_int_not_equal(merkle_consistency_verify(m, n, r2, r1, (const hash_t *)proof, len, &err), 0);
	assert_int_not_equal(merkle_consistency_verify(m, n, r1, r2, (const hash_t *)proof, 0, &err), 0);
	const uint8_t *extra[3] = { r1, r2, proof[0] };
	for (size_t e = 0; e < 3; e++) {
		memcpy(p, proof, len * H);
		memcpy(p[len], extra[e], H);
		assert_int_not_equal(merkle_consistency_verify(m, n, r1, r2, (const hash_t *)p, len + 1, &err), 0);
		memcpy(p[0], extra[e], H);
		memcpy(p + 1, proof, len * H);
		assert_int_not_equal(merkle_consistency_verify(m, n, r1, r2, (const hash_t *)p, len + 1, &err), 0);
	}
	assert_int_not_equal(merkle_consistency_verify(m, n, r1, r2, (const hash_t *)proof, len - 1, &err), 0);
	for (size_t i = 0; i < len; i++) {
		memcpy(p, proof, len * H);
		p[i][0] ^= 16;
		assert_int_equal(merkle_consistency_verify(m, n, r1, r2, (const hash_t *)p, len, &err), MAMORI_ECHECK);
	}
}

static void test_consistency_vectors(void **state)
{
	struct mamori_err err = { 0 };
	struct array_src a = { kat_leaves, 8, 0, 0 };
	struct merkle_source src = { array_leaf, NULL, &a };

	load_kat();
	for (size_t t = 0; t < ARRAY_SIZE(consistency_vectors); t++) {
		const struct proof_vector *v = &consistency_vectors[t];
		hash_t want[3], got[MERKLE_PROOF_MAX], r1, r2;
		size_t len = 99;

		load_proof(v, want);
		hx(root_hex[v->a], r1);
		hx(root_hex[v->b], r2);
		a.n = v->b;
		ASSERT_RC(0, merkle_consistency_proof(&src, v->a, v->b, got, &len, &err), err);
		assert_int_equal(len, v->len);
		assert_memory_equal(got, want, len * H);
		ASSERT_RC(0, merkle_consistency_verify(v->a, v->b, r1, r2, (const hash_t *)want, v->len, &err), err);
		if (v->len)
			consistency_must_fail(v->a, v->b, r1, r2, want, v->len);
	}
}

/* verify_test.go TestVerifyConsistency / TestVerifyInclusion edge cases. */
static void test_edge_cases(void **state)
{
	struct mamori_err err = { 0 };
	hash_t r1, r2, empty, proof[MERKLE_PROOF_MAX + 1] = { { 0 } }, some;

	merkle_leaf_hash("1", 1, r1);
	merkle_leaf_hash("2", 1, r2);
	merkle_empty_root(empty);
	hx("abacaba000000000000000000000000000000000000000000060061e00123456", some);
	assert_int_not_equal(merkle_consistency_verify(0, 0, r1, r2, NULL, 0, &err), 0);
	assert_int_not_equal(merkle_consistency_verify(1, 1, r1, r2, NULL, 0, &err), 0);
	assert_int_equal(merkle_consistency_verify(0, 0, r1, r1, NULL, 0, &err), 0);
	assert_int_equal(merkle_consistency_verify(0, 1, r1, r2, NULL, 0, &err), 0);
	assert_int_equal(merkle_consistency_verify(1, 1, r2, r2, NULL, 0, &err), 0);
	assert_int_equal(merkle_consistency_verify(1, 0, r1, r2, NULL, 0, &err), MAMORI_EINVAL);
	assert_int_equal(merkle_consistency_verify(2, 1, r1, r2, NULL, 0, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "一貫性証明");
	assert_int_equal(merkle_consistency_verify(1, 2, r1, r2, NULL, 0, &err), MAMORI_ECHECK);
	memcpy(proof[0], empty, H);
	assert_int_not_equal(merkle_consistency_verify(0, 0, empty, empty, (const hash_t *)proof, 1, &err), 0);
	assert_int_not_equal(merkle_consistency_verify(0, 1, empty, empty, (const hash_t *)proof, 1, &err), 0);
	assert_int_not_equal(merkle_consistency_verify(1, 1, empty, empty, (const hash_t *)proof, 1, &err), 0);
	assert_int_equal(merkle_consistency_verify(3, 7, r1, r2, (const hash_t *)proof, MERKLE_PROOF_MAX + 1, &err), MAMORI_EINVAL);

	/* inclusion: {0,0} {0,1} {1,0} {2,1} with an empty proof */
	const uint64_t probes[4][2] = { { 0, 0 }, { 0, 1 }, { 1, 0 }, { 2, 1 } };
	for (size_t i = 0; i < 4; i++)
		assert_int_not_equal(merkle_inclusion_verify(probes[i][0], probes[i][1], some, NULL, 0, empty, &err), 0);
	/* a one-leaf tree: root == leaf, empty proof */
	assert_int_equal(merkle_inclusion_verify(0, 1, r1, NULL, 0, r1, &err), 0);
	assert_int_equal(merkle_inclusion_verify(0, 1, r1, NULL, 0, r2, &err), MAMORI_ECHECK);
	assert_int_equal(merkle_inclusion_verify(5, 5, r1, NULL, 0, r1, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "包含証明");
	assert_int_equal(merkle_inclusion_verify(0, 2, r1, (const hash_t *)proof, MERKLE_PROOF_MAX + 1, r1, &err), MAMORI_EINVAL);
	assert_int_equal(merkle_inclusion_verify(0, UINT64_MAX, r1, (const hash_t *)proof, 1, r1, &err), MAMORI_EINVAL);

	/* generation refuses what cannot be proved */
	struct array_src a = { NULL, 0, 0, 0 };
	struct merkle_source src = { array_leaf, NULL, &a };
	size_t len = 7;
	assert_int_equal(merkle_inclusion_proof(&src, 3, 3, proof, &len, &err), MAMORI_EINVAL);
	assert_int_equal(len, 0);
	assert_int_equal(merkle_consistency_proof(&src, 4, 3, proof, &len, &err), MAMORI_EINVAL);
}

/* A huge tree: verification of a 2^40-leaf proof walks 40 levels. */
static void test_large_sizes(void **state)
{
	struct mamori_err err = { 0 };
	hash_t proof[MERKLE_PROOF_MAX], leaf, root;
	uint64_t n = (uint64_t)1 << 40, idx = n - 1;

	/* Build the path of the last leaf of a tree whose leaves are all the same:
	 * level k's subtree hash is node(level k-1, level k-1). */
	merkle_leaf_hash("x", 1, leaf);
	memcpy(proof[0], leaf, H);
	for (int k = 1; k < 40; k++)
		merkle_node_hash(proof[k - 1], proof[k - 1], proof[k]);
	merkle_node_hash(proof[39], proof[39], root);
	ASSERT_RC(0, merkle_inclusion_verify(idx, n, leaf, (const hash_t *)proof, 40, root, &err), err);
	assert_int_equal(merkle_inclusion_verify(idx, n + 1, leaf, (const hash_t *)proof, 40, root, &err), MAMORI_ECHECK);
	/* and consistency 2^39 -> 2^40: the old root is proof[39] */
	hash_t c[1];
	memcpy(c[0], proof[39], H);
	ASSERT_RC(0, merkle_consistency_verify(n / 2, n, proof[39], root, (const hash_t *)c, 1, &err), err);
}

/* ---- properties ------------------------------------------------------------------- */

#define PROP_MAX 64

static void test_frontier_equals_batch(void **state)
{
	struct mamori_err err = { 0 };
	hash_t *l = make_leaves(3 * PROP_MAX);
	struct merkle_frontier f, copy;
	uint8_t a[H], b[H], c[H];

	merkle_frontier_init(&f);
	for (uint64_t n = 0; n <= 3 * PROP_MAX; n++) {
		merkle_frontier_root(&f, a);
		merkle_root((const hash_t *)l, n, b);
		ref_mth(l, n, c);
		assert_memory_equal(a, c, H);
		assert_memory_equal(b, c, H);
		/* a copied frontier is the same tree */
		copy = f;
		merkle_frontier_root(&copy, a);
		assert_memory_equal(a, c, H);
		if (n < 3 * PROP_MAX)
			ASSERT_RC(0, merkle_frontier_append(&f, l[n], &err), err);
	}
	free(l);
}

static void test_inclusion_all(void **state)
{
	struct mamori_err err = { 0 };
	hash_t *l = make_leaves(PROP_MAX);
	struct array_src a = { l, 0, 0, 0 }, b = { l, 0, 0, 0 };
	struct merkle_source src = { array_leaf, NULL, &a }, sub = { array_leaf, array_subtree, &b };

	for (uint64_t n = 1; n <= PROP_MAX; n++) {
		uint8_t root[H];

		a.n = b.n = n;
		ref_mth(l, n, root);
		for (uint64_t i = 0; i < n; i++) {
			hash_t p[MERKLE_PROOF_MAX], q[MERKLE_PROOF_MAX];
			size_t len = 0, qlen = 0;

			ASSERT_RC(0, merkle_inclusion_proof(&src, i, n, p, &len, &err), err);
			ASSERT_RC(0, merkle_inclusion_proof(&sub, i, n, q, &qlen, &err), err);
			assert_int_equal(len, qlen);
			assert_memory_equal(p, q, len * H);
			ASSERT_RC(0, merkle_inclusion_verify(i, n, l[i], (const hash_t *)p, len, root, &err), err);
			for (size_t k = 0; k < len; k++)
				for (int bit = 0; bit < 8 * H; bit += 37) {
					p[k][bit / 8] ^= (uint8_t)(1u << bit % 8);
					assert_int_equal(merkle_inclusion_verify(i, n, l[i], (const hash_t *)p, len, root, &err), MAMORI_ECHECK);
					p[k][bit / 8] ^= (uint8_t)(1u << bit % 8);
				}
			/* another leaf at this index, this leaf at another index */
			assert_int_not_equal(merkle_inclusion_verify(i, n, l[(i + 1) % PROP_MAX], (const hash_t *)p, len, root, &err), 0);
			if (n > 1)
				assert_int_not_equal(merkle_inclusion_verify((i + 1) % n, n, l[i], (const hash_t *)p, len, root, &err), 0);
			if (len)
				assert_int_not_equal(merkle_inclusion_verify(i, n, l[i], (const hash_t *)p, len - 1, root, &err), 0);
			memcpy(p[len], root, H);
			assert_int_not_equal(merkle_inclusion_verify(i, n, l[i], (const hash_t *)p, len + 1, root, &err), 0);
		}
	}
	assert_true(b.subtree_calls > 0);
	free(l);
}

static void test_consistency_all(void **state)
{
	struct mamori_err err = { 0 };
	hash_t *l = make_leaves(PROP_MAX);
	struct array_src a = { l, 0, 0, 0 }, b = { l, 0, 0, 0 };
	struct merkle_source src = { array_leaf, NULL, &a }, sub = { array_leaf, array_subtree, &b };

	for (uint64_t n = 1; n <= PROP_MAX; n++) {
		uint8_t r2[H];

		a.n = b.n = n;
		ref_mth(l, n, r2);
		for (uint64_t m = 0; m <= n; m++) {
			hash_t p[MERKLE_PROOF_MAX + 1], q[MERKLE_PROOF_MAX];
			uint8_t r1[H];
			size_t len = 0, qlen = 0;

			ref_mth(l, m, r1);
			ASSERT_RC(0, merkle_consistency_proof(&src, m, n, p, &len, &err), err);
			ASSERT_RC(0, merkle_consistency_proof(&sub, m, n, q, &qlen, &err), err);
			assert_int_equal(len, qlen);
			assert_memory_equal(p, q, len * H);
			ASSERT_RC(0, merkle_consistency_verify(m, n, r1, r2, (const hash_t *)p, len, &err), err);
			if (m == 0 || m == n) {
				assert_int_equal(len, 0);
				continue;
			}
			for (size_t k = 0; k < len; k++)
				for (int bit = 0; bit < 8 * H; bit += 53) {
					p[k][bit / 8] ^= (uint8_t)(1u << bit % 8);
					assert_int_equal(merkle_consistency_verify(m, n, r1, r2, (const hash_t *)p, len, &err), MAMORI_ECHECK);
					p[k][bit / 8] ^= (uint8_t)(1u << bit % 8);
				}
			/* a changed old leaf gives another old root */
			uint8_t bad[H];
			hash_t saved;
			memcpy(saved, l[m - 1], H);
			l[m - 1][0] ^= 1;
			ref_mth(l, m, bad);
			memcpy(l[m - 1], saved, H);
			assert_int_equal(merkle_consistency_verify(m, n, bad, r2, (const hash_t *)p, len, &err), MAMORI_ECHECK);
			testutil_assert_contains(err.msg, "一貫性証明が一致しません");
			assert_int_not_equal(merkle_consistency_verify(m, n, r1, r2, (const hash_t *)p, len - 1, &err), 0);
			memcpy(p[len], r2, H);
			assert_int_not_equal(merkle_consistency_verify(m, n, r1, r2, (const hash_t *)p, len + 1, &err), 0);
			if (m + 1 < n)
				assert_int_not_equal(merkle_consistency_verify(m + 1, n, r1, r2, (const hash_t *)p, len, &err), 0);
		}
	}
	free(l);
}

/* Each thread hashes with its own digest context (freed when it ends,
 * which LeakSanitizer checks in the sanitizer build). */
static void *thread_root(void *arg)
{
	hash_t *l = make_leaves(100);

	merkle_root((const hash_t *)l, 100, arg);
	free(l);
	return NULL;
}

static void test_threads(void **state)
{
	pthread_t t[4];
	uint8_t roots[4][H], want[H];
	hash_t *l = make_leaves(100);

	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, thread_root, roots[i]), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	ref_mth(l, 100, want);
	for (int i = 0; i < 4; i++)
		assert_memory_equal(roots[i], want, H);
	free(l);
}

static void test_hex(void **state)
{
	struct mamori_err err = { 0 };
	uint8_t h[H];
	char s[2 * H + 1];

	ASSERT_RC(0, merkle_hash_from_hex("E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855", h, &err), err);
	merkle_hash_hex(h, s);
	assert_string_equal(s, root_hex[0]);
	assert_int_equal(merkle_hash_from_hex("e3b0", h, &err), MAMORI_EINVAL);
	assert_int_equal(merkle_hash_from_hex("", h, &err), MAMORI_EINVAL);
	assert_int_equal(merkle_hash_from_hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b8550", h, &err), MAMORI_EINVAL);
	assert_int_equal(merkle_hash_from_hex("g3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", h, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "64 桁");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_root),
		cmocka_unit_test(test_leaf_hashes_and_roots),
		cmocka_unit_test(test_node_hash),
		cmocka_unit_test(test_inclusion_vectors),
		cmocka_unit_test(test_consistency_vectors),
		cmocka_unit_test(test_edge_cases),
		cmocka_unit_test(test_large_sizes),
		cmocka_unit_test(test_frontier_equals_batch),
		cmocka_unit_test(test_inclusion_all),
		cmocka_unit_test(test_consistency_all),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_hex),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
