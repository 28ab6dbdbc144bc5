/*
 * logdup.c - the duplicate window (contract in logdup.h).
 *
 * The table has 4 N slots, linear probing, no tombstones: a key leaving
 * the window empties its slot and moves the later slots of its probe run
 * back (backward-shift deletion), so that probe runs stay short however
 * long the server runs.  Invariant: the table holds exactly one slot per
 * key in the ring, and a slot is found from its home by probing forward
 * without passing an empty slot.
 */
#include "common.h"

#include "logdup.h"

static uint32_t key_tag(const uint8_t key[LOGDUP_KEY_LEN])
{
	uint32_t t;

	memcpy(&t, key, sizeof(t));
	return t;
}

static size_t nslots(const struct logdup *d)
{
	return d->window * 4;
}

static size_t home(const struct logdup *d, uint32_t tag)
{
	return tag & (nslots(d) - 1);
}

void logdup_init(struct logdup *d, size_t window)
{
	assert(window && !(window & (window - 1)) && window <= UINT32_MAX / 4);
	if (sodium_init() < 0)
		BUG("libsodium cannot be initialised");
	d->window = window;
	d->keys = xcalloc(window, sizeof(*d->keys));
	d->slot = xcalloc(nslots(d), sizeof(*d->slot));
	d->pos = d->len = 0;
	randombytes_buf(d->secret, sizeof(d->secret));
}

void logdup_release(struct logdup *d)
{
	free(d->keys);
	free(d->slot);
	sodium_memzero(d->secret, sizeof(d->secret));
	memset(d, 0, sizeof(*d));
}

void logdup_key(const struct logdup *d, const char *peer, const void *msg, size_t len,
		uint8_t key[LOGDUP_KEY_LEN])
{
	uint8_t outer[LOGDUP_KEY_LEN + 1 + LOGDUP_PEER_INLINE];
	size_t plen = strlen(peer), n = LOGDUP_KEY_LEN + 1;

	crypto_shorthash_siphashx24(outer, msg, len, d->secret);
	if (plen <= LOGDUP_PEER_INLINE) {
		outer[LOGDUP_KEY_LEN] = 0;
		memcpy(outer + n, peer, plen);
		n += plen;
	} else {
		outer[LOGDUP_KEY_LEN] = 1;
		crypto_shorthash_siphashx24(outer + n, (const unsigned char *)peer, plen, d->secret);
		n += LOGDUP_KEY_LEN;
	}
	crypto_shorthash_siphashx24(key, outer, n, d->secret);
}

void logdup_prefetch(const struct logdup *d, const uint8_t key[LOGDUP_KEY_LEN], size_t later)
{
	__builtin_prefetch(&d->slot[home(d, key_tag(key))]);
	if (d->len + later >= d->window)
		__builtin_prefetch(
			&d->slot[home(d, key_tag(d->keys[(d->pos + later) & (d->window - 1)]))]);
}

/* Empties slot i, moving later slots of its probe run back. */
static void slot_clear(struct logdup *d, size_t i)
{
	size_t mask = nslots(d) - 1, j = i;

	for (;;) {
		size_t h;

		j = (j + 1) & mask;
		if (!d->slot[j].idx1)
			break;
		h = home(d, d->slot[j].tag);
		/* slot j may move to i unless its home lies cyclically in (i, j] */
		if (i <= j ? (h <= i || h > j) : (h <= i && h > j)) {
			d->slot[i] = d->slot[j];
			i = j;
		}
	}
	d->slot[i].idx1 = 0;
	d->slot[i].tag = 0;
}

/* Removes ring entry idx from the table. */
static void unlink_idx(struct logdup *d, size_t idx)
{
	size_t mask = nslots(d) - 1;

	for (size_t i = home(d, key_tag(d->keys[idx])); d->slot[i].idx1; i = (i + 1) & mask)
		if (d->slot[i].idx1 == idx + 1) {
			slot_clear(d, i);
			return;
		}
	BUG("logdup: key %zu of the ring is not in the table", idx);
}

bool logdup_seen(const struct logdup *d, const uint8_t key[LOGDUP_KEY_LEN])
{
	size_t mask = nslots(d) - 1;
	uint32_t tag = key_tag(key);

	for (size_t i = home(d, tag); d->slot[i].idx1; i = (i + 1) & mask)
		if (d->slot[i].tag == tag &&
		    !memcmp(d->keys[d->slot[i].idx1 - 1], key, LOGDUP_KEY_LEN))
			return true;
	return false;
}

void logdup_add(struct logdup *d, const uint8_t key[LOGDUP_KEY_LEN])
{
	size_t mask = nslots(d) - 1, idx = d->pos;
	uint32_t tag = key_tag(key);
	size_t i = home(d, tag);

	if (d->len == d->window)
		unlink_idx(d, idx); /* the oldest leaves */
	else
		d->len++;
	memcpy(d->keys[idx], key, LOGDUP_KEY_LEN);
	while (d->slot[i].idx1)
		i = (i + 1) & mask;
	d->slot[i].tag = tag;
	d->slot[i].idx1 = (uint32_t)idx + 1;
	d->pos = (d->pos + 1) & (d->window - 1);
}

void logdup_drop_newest(struct logdup *d)
{
	size_t idx;

	if (!d->len)
		return;
	idx = (d->pos + d->window - 1) & (d->window - 1);
	unlink_idx(d, idx);
	d->pos = idx;
	d->len--;
}
