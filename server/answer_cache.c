/* answer_cache.c — the data plane's answer cache (answer_cache.h): a few dozen slots, least
 * recently used out, one mutex. */
#include "answer_cache.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CACHE_SLOTS = 64, CACHE_MAX_BODY = 8 << 20, CACHE_BUDGET = 32 << 20 };

struct cached {
	char key[ANSWER_KEY_MAX]; /* "S account region apiId stageName" ("" stage: the API
			  snapshot), "F account region since apiId" (a feed page) */
	char epoch[40];
	int64_t revision;
	char *body; /* owned; NULL: an empty slot */
	size_t len;
	uint64_t used; /* the cache's clock at the last hit */
};

struct answer_cache {
	pthread_mutex_t lock;
	uint64_t clock;
	size_t bytes; /* held by the bodies */
	struct cached slot[CACHE_SLOTS];
};

char *answer_cache_get(struct answer_cache *c, const char *key, const char *epoch, int64_t revision,
		       size_t *len)
{
	char *out = NULL;
	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < CACHE_SLOTS; i++) {
		struct cached *e = &c->slot[i];
		if (e->body && e->revision == revision && strcmp(e->key, key) == 0 &&
		    strcmp(e->epoch, epoch) == 0) {
			if ((out = malloc(e->len + 1)) != NULL) {
				memcpy(out, e->body, e->len + 1);
				*len = e->len;
				e->used = ++c->clock;
			}
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return out;
}

/* Empties slot e (lock held). */
static void cache_drop(struct answer_cache *c, struct cached *e)
{
	c->bytes -= e->len;
	free(e->body);
	e->body = NULL;
	e->len = 0;
}

void answer_cache_put(struct answer_cache *c, const char *key, const char *epoch, int64_t revision,
		      const char *body, size_t len)
{
	if (len > CACHE_MAX_BODY || strlen(epoch) >= sizeof c->slot[0].epoch)
		return;
	char *copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, body, len + 1);
	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < CACHE_SLOTS; i++) {
		struct cached *e = &c->slot[i];
		if (e->body && e->revision == revision && strcmp(e->key, key) == 0 &&
		    strcmp(e->epoch, epoch) == 0)
			goto out; /* another request cached it meanwhile */
	}
	/* Room: the least recently used answers go until the new one fits the budget. */
	while (c->bytes + len > CACHE_BUDGET) {
		struct cached *lru = NULL;
		for (unsigned i = 0; i < CACHE_SLOTS; i++)
			if (c->slot[i].body && (!lru || c->slot[i].used < lru->used))
				lru = &c->slot[i];
		if (!lru)
			break;
		cache_drop(c, lru);
	}
	/* A slot: an empty one, else the least recently used. */
	struct cached *victim = NULL;
	for (unsigned i = 0; i < CACHE_SLOTS; i++) {
		struct cached *e = &c->slot[i];
		if (!e->body) {
			victim = e;
			break;
		}
		if (!victim || e->used < victim->used)
			victim = e;
	}
	if (victim->body)
		cache_drop(c, victim);
	snprintf(victim->key, sizeof victim->key, "%s", key);
	snprintf(victim->epoch, sizeof victim->epoch, "%s", epoch);
	victim->revision = revision;
	victim->body = copy;
	victim->len = len;
	victim->used = ++c->clock;
	c->bytes += len;
	copy = NULL;
out:
	pthread_mutex_unlock(&c->lock);
	free(copy);
}

struct answer_cache *answer_cache_new(void)
{
	struct answer_cache *c = calloc(1, sizeof *c);
	if (c)
		pthread_mutex_init(&c->lock, NULL);
	return c;
}

void answer_cache_free(struct answer_cache *c)
{
	if (!c)
		return;
	for (unsigned i = 0; i < CACHE_SLOTS; i++)
		free(c->slot[i].body);
	pthread_mutex_destroy(&c->lock);
	free(c);
}
