/*
 * test_logdup.c - unit tests of the receivers' duplicate window
 * (src/core/logdup.c).
 *
 * The window is compared with a model written here (a plain list of the
 * last N keys, searched one by one) over long random sequences of adds,
 * look-ups and drops, for window sizes 1 to 64.  Keys are drawn from a
 * small pool and many share their first 32 bits or their home slot, so
 * that probe runs form, cross the end of the table and shrink again as
 * keys leave (backward-shift deletion).  The key itself is checked
 * against its definition, and two windows have different secrets.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "logdup.h"
#include "testutil.h"

#define H LOGDUP_KEY_LEN

struct model {
	uint8_t (*keys)[H]; /* oldest first */
	size_t n, window;
};

static bool model_seen(const struct model *m, const uint8_t key[H])
{
	for (size_t i = 0; i < m->n; i++)
		if (!memcmp(m->keys[i], key, H))
			return true;
	return false;
}

static void model_add(struct model *m, const uint8_t key[H])
{
	if (m->n == m->window) {
		memmove(m->keys, m->keys + 1, (m->n - 1) * H);
		m->n--;
	}
	memcpy(m->keys[m->n++], key, H);
}

static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Key k of the pool: its first 32 bits take few values (k % 7 in the
 * table's low bits, k % 3 above them, and one near the end of the table) so
 * that keys collide in tag and in home slot; the rest tells them apart.
 */
static void pool_key(const struct logdup *d, unsigned k, uint8_t key[H])
{
	uint32_t nslots = (uint32_t)d->window * 4;
	uint32_t tag = (k % 7 == 6 ? nslots - 1 : k % 7) | (uint32_t)(k % 3) << 20;

	memset(key, 0, H);
	memcpy(key, &tag, sizeof(tag));
	key[8] = (uint8_t)k;
	key[9] = (uint8_t)(k >> 8);
}

/* Every key of the pool is found exactly when the model holds it, and the
 * table holds one slot per key. */
static void check_same(const struct logdup *d, const struct model *m, unsigned pool)
{
	size_t used = 0;
	uint8_t key[H];

	assert_int_equal(d->len, m->n);
	for (unsigned k = 0; k < pool; k++) {
		pool_key(d, k, key);
		assert_int_equal(logdup_seen(d, key), model_seen(m, key));
	}
	for (size_t i = 0; i < d->window * 4; i++)
		used += d->slot[i].idx1 != 0;
	assert_int_equal(used, d->len);
}

static void test_against_model(void **state)
{
	(void)state;
	for (size_t window = 1; window <= 64; window *= 2) {
		struct logdup d;
		struct model m = { .n = 0, .window = window };
		unsigned pool = (unsigned)window * 3 + 5;
		uint64_t s = 0x9e3779b97f4a7c15ULL + window;

		logdup_init(&d, window);
		m.keys = xcalloc(window, H);
		for (int step = 0; step < 4000; step++) {
			uint64_t x = rng_next(&s);
			uint8_t key[H];

			pool_key(&d, (unsigned)(x >> 8) % pool, key);
			if (x % 10 == 0) {
				/* a drop: the newest key goes, the model takes
				 * its last key back (the window's contract) */
				logdup_drop_newest(&d);
				if (m.n)
					m.n--;
			} else {
				logdup_prefetch(&d, key, 0);
				assert_int_equal(logdup_seen(&d, key), model_seen(&m, key));
				logdup_add(&d, key);
				model_add(&m, key);
			}
			if (step % 37 == 0 || step > 3900)
				check_same(&d, &m, pool);
		}
		free(m.keys);
		logdup_release(&d);
	}
}

/* The window of the receivers' size: 300,000 distinct keys pass
 * through it; the last 65,536 are seen, the ones before are not. */
static void test_full_size(void **state)
{
	struct logdup d;
	uint8_t key[H];
	char msg[32];

	(void)state;
	logdup_init(&d, 65536);
	for (unsigned i = 0; i < 300000; i++) {
		int n = snprintf(msg, sizeof(msg), "event %u", i);

		logdup_key(&d, "127.0.0.1", msg, (size_t)n, key);
		logdup_prefetch(&d, key, 0);
		assert_false(logdup_seen(&d, key));
		logdup_add(&d, key);
	}
	for (unsigned i = 300000 - 70000; i < 300000; i++) {
		int n = snprintf(msg, sizeof(msg), "event %u", i);

		logdup_key(&d, "127.0.0.1", msg, (size_t)n, key);
		assert_int_equal(logdup_seen(&d, key), i >= 300000 - 65536);
	}
	logdup_release(&d);
}

/* The key is SipHash-2-4 (128 bits) of H(message) ‖ 0x00 ‖ peer under the
 * window's secret, H the same SipHash; a peer over LOGDUP_PEER_INLINE
 * bytes enters as 0x01 ‖ H(peer); the peer counts; another window has
 * another secret. */
static void test_key(void **state)
{
	struct logdup d, e;
	uint8_t a[H], b[H], want[H], outer[H + 1 + LOGDUP_PEER_INLINE];
	char long1[LOGDUP_PEER_INLINE + 2], long2[LOGDUP_PEER_INLINE + 2];

	(void)state;
	logdup_init(&d, 4);
	logdup_init(&e, 4);
	logdup_key(&d, "10.0.0.1", "hello", 5, a);
	crypto_shorthash_siphashx24(outer, (const unsigned char *)"hello", 5, d.secret);
	memcpy(outer + H, "\0" "10.0.0.1", 9);
	crypto_shorthash_siphashx24(want, outer, H + 9, d.secret);
	assert_memory_equal(a, want, H);
	logdup_key(&d, "10.0.0.2", "hello", 5, b);
	assert_memory_not_equal(a, b, H);
	logdup_key(&d, "10.0.0.1", "hellp", 5, b);
	assert_memory_not_equal(a, b, H);
	assert_memory_not_equal(d.secret, e.secret, sizeof(d.secret));
	logdup_key(&e, "10.0.0.1", "hello", 5, b);
	assert_memory_not_equal(a, b, H);

	/* peers of 64 bytes enter as they are, longer ones by their hash:
	 * two that differ only in their last byte still differ */
	memset(long1, 'p', sizeof(long1) - 1);
	long1[sizeof(long1) - 1] = '\0';
	memcpy(long2, long1, sizeof(long2));
	long2[sizeof(long2) - 2] = 'q';
	logdup_key(&d, long1, "hello", 5, a);
	logdup_key(&d, long2, "hello", 5, b);
	assert_memory_not_equal(a, b, H);
	crypto_shorthash_siphashx24(outer, (const unsigned char *)"hello", 5, d.secret);
	outer[H] = 1;
	crypto_shorthash_siphashx24(outer + H + 1, (const unsigned char *)long1, strlen(long1),
				    d.secret);
	crypto_shorthash_siphashx24(want, outer, 2 * H + 1, d.secret);
	assert_memory_equal(a, want, H);
	long1[LOGDUP_PEER_INLINE] = '\0';
	long2[LOGDUP_PEER_INLINE] = '\0';
	logdup_key(&d, long1, "hello", 5, a);
	crypto_shorthash_siphashx24(outer, (const unsigned char *)"hello", 5, d.secret);
	outer[H] = 0;
	memcpy(outer + H + 1, long1, LOGDUP_PEER_INLINE);
	crypto_shorthash_siphashx24(want, outer, H + 1 + LOGDUP_PEER_INLINE, d.secret);
	assert_memory_equal(a, want, H);
	logdup_release(&d);
	logdup_release(&e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_model),
		cmocka_unit_test(test_full_size),
		cmocka_unit_test(test_key),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
