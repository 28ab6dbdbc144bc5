/*
 * logdup.h - the duplicate window of the access-log receivers: the keys of
 * the last N events, to recognise a message sent again (rsyslog resends
 * what was not acknowledged before a crash; docs/internals/logrecv.md).
 *
 * A key is the keyed 128-bit SipHash (SipHash-2-4, libsodium's
 * crypto_shorthash_siphashx24), under a secret drawn for each window, of
 * H(message) ‖ 0x00 ‖ peer (a peer over LOGDUP_PEER_INLINE bytes: of
 * H(message) ‖ 0x01 ‖ H(peer)), H the same SipHash: the message is hashed
 * where it lies, without a copy, and no sender can make two of its
 * messages collide without knowing the secret.  The keys are not kept
 * anywhere; a new window (a server start) computes the keys of the vault's
 * newest events again.  The window is a ring of the last N keys (the oldest leaves when a new one comes) with an
 * open-addressing table over it, so that a look-up touches one cache line
 * of the table; logdup_prefetch() asks for that line ahead, which lets the
 * writer look up a whole batch without waiting for memory once per event.
 *
 * Not thread-safe: one thread (the receivers' writer) owns a window;
 * logdup_key() only reads the secret, so that the receiving threads
 * compute the keys of what they receive while it is in their cache.
 */
#ifndef MAMORI_LOGDUP_H
#define MAMORI_LOGDUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "common.h"

#define LOGDUP_KEY_LEN crypto_shorthash_siphashx24_BYTES /* 16 */
#define LOGDUP_PEER_INLINE 64 /* peers up to this long enter a key as they are */

struct logdup_slot {
	uint32_t tag;  /* the key's first 32 bits; its home slot comes from them */
	uint32_t idx1; /* the key's ring index + 1; 0: an empty slot */
};

struct logdup {
	size_t window;                   /* N, a power of two */
	uint8_t (*keys)[LOGDUP_KEY_LEN]; /* the ring */
	struct logdup_slot *slot;        /* 4 N slots: at most a quarter full */
	size_t pos;                      /* where the next key goes */
	size_t len;                      /* keys held (<= window) */
	uint8_t secret[crypto_shorthash_siphashx24_KEYBYTES];
};

/* An empty window of `window` keys (a power of two, at least 1) with a
 * new secret. */
void logdup_init(struct logdup *d, size_t window);
void logdup_release(struct logdup *d);

/* The key, under d's secret, of a message received from peer (a
 * NUL-terminated name). */
void logdup_key(const struct logdup *d, const char *peer, const void *msg, size_t len,
		uint8_t key[LOGDUP_KEY_LEN]);

/*
 * Asks the CPU for the table lines that logdup_seen()/logdup_add() of key
 * will read, and for the line of the key that leaves the window when
 * `later` more keys have been added before it (a hint; no effect on the
 * contents).
 */
void logdup_prefetch(const struct logdup *d, const uint8_t key[LOGDUP_KEY_LEN], size_t later);

/* Whether key is in the window. */
bool logdup_seen(const struct logdup *d, const uint8_t key[LOGDUP_KEY_LEN]);

/* Adds key as the newest; when the window is full the oldest leaves. */
void logdup_add(struct logdup *d, const uint8_t key[LOGDUP_KEY_LEN]);

/* Forgets the newest key (an event the store did not take after all);
 * the window then holds what it held before that key was added, less the
 * key that left then.  Nothing when the window is empty. */
void logdup_drop_newest(struct logdup *d);

#endif
