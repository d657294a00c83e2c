/* answer_cache.h — the last few data-plane answers, sent again without a read.
 *
 * A snapshot's bytes are a function of (account, region, apiId, stageName, epoch, revision), a
 * change-feed page's of (account, region, since, apiId, epoch, current revision), and every
 * worker following a stage asks for the same ones after each change: dataplane.c keeps the
 * last answers here under a key naming all but (epoch, revision), which are matched apart.
 * At most 64 answers and 32 MiB; an answer over 8 MiB is not kept. Thread-safe. */
#ifndef APIGWD_ANSWER_CACHE_H
#define APIGWD_ANSWER_CACHE_H

#include <stddef.h>
#include <stdint.h>

/* Longest key, terminating NUL included: a longer one is not cached. */
enum { ANSWER_KEY_MAX = 320 };

struct answer_cache;

/* A new, empty cache (answer_cache_free it), or NULL when out of memory. */
struct answer_cache *answer_cache_new(void);
void answer_cache_free(struct answer_cache *c);

/* A copy of the body kept as (key, epoch, revision), NUL-terminated, with its length in
 * *len; NULL when none (or out of memory). New string. */
char *answer_cache_get(struct answer_cache *c, const char *key, const char *epoch, int64_t revision,
		       size_t *len);

/* Keeps a copy of body (len bytes, NUL-terminated) as (key, epoch, revision), in place of the
 * least recently used answer (and of as many more as it takes to stay within the budget). */
void answer_cache_put(struct answer_cache *c, const char *key, const char *epoch, int64_t revision,
		      const char *body, size_t len);

#endif
