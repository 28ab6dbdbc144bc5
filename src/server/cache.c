/*
 * cache.c - versioned answer cache (see cache.h).
 */
#include "common.h"
#include "cache.h"

#include <pthread.h>

struct slot {
	char *key;
	char *body;
	size_t len;
	int64_t version;
	uint64_t hash;
	int used; /* clock bit */
};

static struct slot slots[CACHE_SLOTS];
static size_t hand;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static uint64_t hash_key(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

char *cache_get(const char *key, int64_t version, size_t *len)
{
	uint64_t h = hash_key(key);
	char *copy = NULL;

	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < CACHE_SLOTS; i++) {
		struct slot *s = &slots[i];
		if (!s->key || s->hash != h || strcmp(s->key, key))
			continue;
		if (s->version == version) {
			copy = xmalloc(s->len + 1);
			memcpy(copy, s->body, s->len);
			copy[s->len] = '\0';
			*len = s->len;
			s->used = 1;
		}
		break;
	}
	pthread_mutex_unlock(&lock);
	return copy;
}

void cache_put(const char *key, int64_t version, const char *body, size_t len)
{
	uint64_t h = hash_key(key);
	struct slot *target = NULL;

	if (len > CACHE_MAX_BODY)
		return;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < CACHE_SLOTS && !target; i++)
		if (slots[i].key && slots[i].hash == h && !strcmp(slots[i].key, key))
			target = &slots[i];
	while (!target) {
		struct slot *s = &slots[hand];
		hand = (hand + 1) % CACHE_SLOTS;
		if (s->key && s->used)
			s->used = 0;
		else
			target = s;
	}
	free(target->key);
	free(target->body);
	target->key = xstrdup(key);
	target->body = xmalloc(len + 1);
	memcpy(target->body, body, len);
	target->body[len] = '\0';
	target->len = len;
	target->version = version;
	target->hash = h;
	target->used = 1;
	pthread_mutex_unlock(&lock);
}
