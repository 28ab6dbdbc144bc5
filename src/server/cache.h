/*
 * cache.h - answers of read-only API routes, kept until the data changes.
 *
 * Every change to mamori's records appends a journal entry in the same
 * transaction (journal.h), so the journal's head sequence number is a
 * version of the whole store: an answer computed at version v is still
 * right while the head is v.  The cache maps a key (the route, its query
 * and the caller's scope) to the answer and the version it was computed
 * at; a lookup at another version misses.
 *
 * Bounded: CACHE_SLOTS entries of at most CACHE_MAX_BODY bytes, replaced
 * in clock order.  Thread-safe (one mutex; the copy is made under it).
 */
#ifndef MAMORI_CACHE_H
#define MAMORI_CACHE_H

#include <stddef.h>
#include <stdint.h>

#define CACHE_SLOTS 512
#define CACHE_MAX_BODY ((size_t)1 << 20)

/* A copy of the answer for key at version (caller frees), or NULL. */
char *cache_get(const char *key, int64_t version, size_t *len);

/* Remembers body for key at version (copied; too large bodies are skipped). */
void cache_put(const char *key, int64_t version, const char *body, size_t len);

#endif
