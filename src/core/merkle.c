/*
 * merkle.c - RFC 6962 / RFC 9162 Merkle tree hashing, the frontier and
 * inclusion and consistency proofs; the contracts are in merkle.h.
 *
 * All algorithms are the iterative forms: proof generation walks the tree
 * from the root down (collecting siblings, then reversing them into the
 * bottom-up order of the RFC), verification follows RFC 9162 §2.1.3.2 and
 * §2.1.4.2 literally.
 */
#include "common.h"
#include "norm.h"

#include <inttypes.h>
/* SHA256_Init/Update/Final are deprecated in OpenSSL 3 in favour of EVP
 * but kept; see sha256_parts(). */
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include "merkle.h"

/* ---- hashing ---------------------------------------------------------------- */

/*
 * SHA-256 of a ‖ b ‖ c.  The low-level interface, not EVP: a leaf or node
 * hash is a few 64-byte blocks, and OpenSSL 3's EVP_DigestInit_ex2()
 * allocates and frees the provider context on every call, which cost 35 ns
 * a hash here (275 against 241 ns for a 352-byte leaf, 134 against 99 ns
 * for a node; log verification does two hashes per event).  Both use the
 * same SHA extensions code.  Should the low-level functions go, EVP with a
 * per-thread context is the way back.
 */
static void sha256_parts(const void *a, size_t alen, const void *b, size_t blen, const void *c,
			 size_t clen, uint8_t out[MERKLE_HASH_LEN])
{
	SHA256_CTX ctx;

	if (SHA256_Init(&ctx) != 1 || (alen && SHA256_Update(&ctx, a, alen) != 1) ||
	    (blen && SHA256_Update(&ctx, b, blen) != 1) ||
	    (clen && SHA256_Update(&ctx, c, clen) != 1) || SHA256_Final(out, &ctx) != 1)
		BUG("OpenSSL: SHA-256 failed");
}

void merkle_leaf_hash(const void *data, size_t len, uint8_t out[MERKLE_HASH_LEN])
{
	static const uint8_t prefix = 0x00;

	sha256_parts(&prefix, 1, data, len, NULL, 0, out);
}

void merkle_node_hash(const uint8_t left[MERKLE_HASH_LEN], const uint8_t right[MERKLE_HASH_LEN],
		      uint8_t out[MERKLE_HASH_LEN])
{
	static const uint8_t prefix = 0x01;

	sha256_parts(&prefix, 1, left, MERKLE_HASH_LEN, right, MERKLE_HASH_LEN, out);
}

void merkle_empty_root(uint8_t out[MERKLE_HASH_LEN])
{
	sha256_parts(NULL, 0, NULL, 0, NULL, 0, out);
}

/* ---- frontier ---------------------------------------------------------------- */

void merkle_frontier_init(struct merkle_frontier *f)
{
	memset(f, 0, sizeof(*f));
}

int merkle_frontier_append(struct merkle_frontier *f, const uint8_t leaf[MERKLE_HASH_LEN],
			   struct mamori_err *err)
{
	uint8_t h[MERKLE_HASH_LEN];
	unsigned k = 0;

	if (f->size >= MERKLE_SIZE_MAX)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "Merkle 木が上限 (%" PRIu64 " 件) に達しました",
				      MERKLE_SIZE_MAX);
	memcpy(h, leaf, MERKLE_HASH_LEN);
	/* Carry: every complete subtree of the same size merges to the left. */
	while (f->size >> k & 1) {
		merkle_node_hash(f->level[k], h, h);
		k++;
	}
	memcpy(f->level[k], h, MERKLE_HASH_LEN);
	f->size++;
	return 0;
}

void merkle_frontier_root(const struct merkle_frontier *f, uint8_t out[MERKLE_HASH_LEN])
{
	uint8_t acc[MERKLE_HASH_LEN];
	int have = 0;

	if (!f->size) {
		merkle_empty_root(out);
		return;
	}
	/* The smallest subtree is the rightmost; fold leftwards. */
	for (unsigned k = 0; k < MERKLE_PROOF_MAX; k++) {
		if (!(f->size >> k & 1))
			continue;
		if (!have) {
			memcpy(acc, f->level[k], MERKLE_HASH_LEN);
			have = 1;
		} else {
			merkle_node_hash(f->level[k], acc, acc);
		}
	}
	memcpy(out, acc, MERKLE_HASH_LEN);
}

void merkle_root(const uint8_t (*leaves)[MERKLE_HASH_LEN], uint64_t n,
		 uint8_t out[MERKLE_HASH_LEN])
{
	struct merkle_frontier f;

	merkle_frontier_init(&f);
	for (uint64_t i = 0; i < n; i++)
		if (merkle_frontier_append(&f, leaves[i], NULL) < 0)
			BUG("merkle_root: %" PRIu64 " leaves", n);
	merkle_frontier_root(&f, out);
}

/* ---- sources --------------------------------------------------------------- */

int merkle_range_hash(const struct merkle_source *src, uint64_t start, uint64_t end,
		      uint8_t out[MERKLE_HASH_LEN], struct mamori_err *err)
{
	struct merkle_frontier f;
	uint8_t h[MERKLE_HASH_LEN];
	int r;

	if (start >= end)
		BUG("merkle_range_hash: empty range [%" PRIu64 ", %" PRIu64 ")", start, end);
	if (src->subtree)
		return src->subtree(start, end, out, src->ctx, err);
	merkle_frontier_init(&f);
	for (uint64_t i = start; i < end; i++) {
		r = src->leaf(i, h, src->ctx, err);
		if (r < 0)
			return r;
		merkle_frontier_append(&f, h, NULL);
	}
	merkle_frontier_root(&f, out);
	return 0;
}

/* The largest power of two strictly below n (n >= 2). */
static uint64_t split_point(uint64_t n)
{
	uint64_t k = 1;

	while (k << 1 < n)
		k <<= 1;
	return k;
}

static void reverse(uint8_t (*p)[MERKLE_HASH_LEN], size_t len)
{
	uint8_t t[MERKLE_HASH_LEN];

	for (size_t i = 0; i < len / 2; i++) {
		memcpy(t, p[i], MERKLE_HASH_LEN);
		memcpy(p[i], p[len - 1 - i], MERKLE_HASH_LEN);
		memcpy(p[len - 1 - i], t, MERKLE_HASH_LEN);
	}
}

/* ---- inclusion ---------------------------------------------------------------- */

int merkle_inclusion_proof(const struct merkle_source *src, uint64_t index, uint64_t size,
			   uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t *len,
			   struct mamori_err *err)
{
	uint64_t lo = 0, hi = size;
	size_t n = 0;
	int r;

	*len = 0;
	if (size > MERKLE_SIZE_MAX || index >= size)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "包含証明: 番号 %" PRIu64 " は大きさ %" PRIu64
				      " の木にありません",
				      index, size);
	while (hi - lo > 1) {
		uint64_t k = split_point(hi - lo);

		if (n == MERKLE_PROOF_MAX)
			BUG("inclusion proof deeper than %d", MERKLE_PROOF_MAX);
		if (index < lo + k) {
			r = merkle_range_hash(src, lo + k, hi, proof[n], err);
			hi = lo + k;
		} else {
			r = merkle_range_hash(src, lo, lo + k, proof[n], err);
			lo += k;
		}
		if (r < 0)
			return r;
		n++;
	}
	reverse(proof, n);
	*len = n;
	return 0;
}

int merkle_inclusion_verify(uint64_t index, uint64_t size, const uint8_t leaf[MERKLE_HASH_LEN],
			    const uint8_t (*proof)[MERKLE_HASH_LEN], size_t len,
			    const uint8_t root[MERKLE_HASH_LEN], struct mamori_err *err)
{
	uint8_t r[MERKLE_HASH_LEN];
	uint64_t fn, sn;

	if (size > MERKLE_SIZE_MAX || index >= size)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "包含証明: 番号 %" PRIu64 " は大きさ %" PRIu64
				      " の木にありません",
				      index, size);
	if (len > MERKLE_PROOF_MAX)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "包含証明: ハッシュが %zu 個あり、上限 %d 個を超えています",
				      len, MERKLE_PROOF_MAX);
	fn = index;
	sn = size - 1;
	memcpy(r, leaf, MERKLE_HASH_LEN);
	for (size_t i = 0; i < len; i++) {
		if (sn == 0)
			goto wrong_length;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(proof[i], r, r);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(r, proof[i], r);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		goto wrong_length;
	if (memcmp(r, root, MERKLE_HASH_LEN))
		return mamori_err_set(err, MAMORI_ECHECK,
				      "包含証明が一致しません: 番号 %" PRIu64 " のイベントから求めた根が"
				      "チェックポイントの根と違います (イベントか証明が改ざんされています)",
				      index);
	return 0;
wrong_length:
	return mamori_err_set(err, MAMORI_ECHECK,
			      "包含証明が一致しません: 番号 %" PRIu64 "、大きさ %" PRIu64
			      " の木の証明としてハッシュの数 (%zu) が合いません",
			      index, size, len);
}

/* ---- consistency ---------------------------------------------------------------- */

int merkle_consistency_proof(const struct merkle_source *src, uint64_t m, uint64_t n,
			     uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], size_t *len,
			     struct mamori_err *err)
{
	uint64_t lo = 0, hi = n;
	size_t cnt = 0;
	int complete = 1; /* b of SUBPROOF: the current subtree's root is known to the verifier */
	int r;

	*len = 0;
	if (n > MERKLE_SIZE_MAX || m > n)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "一貫性証明: 大きさ %" PRIu64 " から %" PRIu64
				      " へは証明できません (前の大きさが後より大きい)",
				      m, n);
	if (m == 0 || m == n)
		return 0;
	/* SUBPROOF(m, D[lo:hi], complete), m relative to lo. */
	for (;;) {
		uint64_t k;

		if (m == hi - lo) {
			if (!complete) {
				r = merkle_range_hash(src, lo, hi, proof[cnt], err);
				if (r < 0)
					return r;
				cnt++;
			}
			break;
		}
		if (cnt == MERKLE_PROOF_MAX)
			BUG("consistency proof longer than %d", MERKLE_PROOF_MAX);
		k = split_point(hi - lo);
		if (m <= k) {
			r = merkle_range_hash(src, lo + k, hi, proof[cnt], err);
			hi = lo + k;
		} else {
			r = merkle_range_hash(src, lo, lo + k, proof[cnt], err);
			lo += k;
			m -= k;
			complete = 0;
		}
		if (r < 0)
			return r;
		cnt++;
	}
	reverse(proof, cnt);
	*len = cnt;
	return 0;
}

int merkle_consistency_verify(uint64_t m, uint64_t n, const uint8_t root1[MERKLE_HASH_LEN],
			      const uint8_t root2[MERKLE_HASH_LEN],
			      const uint8_t (*proof)[MERKLE_HASH_LEN], size_t len,
			      struct mamori_err *err)
{
	uint8_t fr[MERKLE_HASH_LEN], sr[MERKLE_HASH_LEN];
	uint64_t fn, sn;
	size_t i;

	if (n > MERKLE_SIZE_MAX || m > n)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "一貫性証明: 大きさ %" PRIu64 " から %" PRIu64
				      " へは証明できません (前の大きさが後より大きい)",
				      m, n);
	if (len > MERKLE_PROOF_MAX)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "一貫性証明: ハッシュが %zu 個あり、上限 %d 個を超えています",
				      len, MERKLE_PROOF_MAX);
	if (m == 0 || m == n) {
		if (len)
			return mamori_err_set(err, MAMORI_ECHECK,
					      "一貫性証明が一致しません: 大きさ %" PRIu64 " から %" PRIu64
					      " への証明は空のはずですが、ハッシュが %zu 個あります",
					      m, n, len);
		if (m == n && memcmp(root1, root2, MERKLE_HASH_LEN))
			return mamori_err_set(err, MAMORI_ECHECK,
					      "一貫性証明が一致しません: 同じ大きさ %" PRIu64
					      " の二つのチェックポイントの根が違います (ログが書き換えられています)",
					      m);
		return 0;
	}
	if (!len)
		goto wrong_length;
	/* When m is a power of two, the old root is the first node of the path. */
	i = 0;
	if (!(m & (m - 1))) {
		memcpy(fr, root1, MERKLE_HASH_LEN);
	} else {
		memcpy(fr, proof[0], MERKLE_HASH_LEN);
		i = 1;
	}
	memcpy(sr, fr, MERKLE_HASH_LEN);
	fn = m - 1;
	sn = n - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < len; i++) {
		if (sn == 0)
			goto wrong_length;
		if ((fn & 1) || fn == sn) {
			merkle_node_hash(proof[i], fr, fr);
			merkle_node_hash(proof[i], sr, sr);
			while (!(fn & 1) && fn != 0) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			merkle_node_hash(sr, proof[i], sr);
		}
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0)
		goto wrong_length;
	if (memcmp(fr, root1, MERKLE_HASH_LEN) || memcmp(sr, root2, MERKLE_HASH_LEN))
		return mamori_err_set(err, MAMORI_ECHECK,
				      "一貫性証明が一致しません: 大きさ %" PRIu64 " の木が大きさ %" PRIu64
				      " の木の先頭になっていません (過去のイベントが書き換えられたか、"
				      "証明が壊れています)",
				      m, n);
	return 0;
wrong_length:
	return mamori_err_set(err, MAMORI_ECHECK,
			      "一貫性証明が一致しません: 大きさ %" PRIu64 " から %" PRIu64
			      " への証明としてハッシュの数 (%zu) が合いません",
			      m, n, len);
}

/* ---- hex -------------------------------------------------------------------------- */

void merkle_hash_hex(const uint8_t h[MERKLE_HASH_LEN], char out[2 * MERKLE_HASH_LEN + 1])
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < MERKLE_HASH_LEN; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 15];
	}
	out[2 * MERKLE_HASH_LEN] = '\0';
}

int merkle_hash_from_hex(const char *hex, uint8_t out[MERKLE_HASH_LEN], struct mamori_err *err)
{
	for (size_t i = 0; i < MERKLE_HASH_LEN; i++) {
		int hi = norm_hex_digit((unsigned char)hex[2 * i]);
		int lo = hi < 0 ? -1 : norm_hex_digit((unsigned char)hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			goto bad;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	if (hex[2 * MERKLE_HASH_LEN] == '\0')
		return 0;
bad:
	return mamori_err_set(err, MAMORI_EINVAL,
			      "ハッシュは 16 進数 64 桁で書いてください: \"%.80s\"", hex);
}
