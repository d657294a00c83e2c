/* reqlimits.c — the per-account token buckets behind --rate/--burst, and the JSON depth check. */
#include "reqlimits.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "request.h"
#include "server.h"

enum { RL_SLOTS = 1024 }; /* hash chains */

struct bucket {
	char account[32];
	double tokens;	     /* requests the account may make now, up to burst */
	double last;	     /* when tokens was computed (seconds) */
	struct bucket *next; /* chain link */
};

struct ratelimit {
	pthread_mutex_t lock; /* guards everything below */
	double rate, burst;
	struct bucket *slot[RL_SLOTS];
	size_t count;
};

struct ratelimit *ratelimit_new(double rate, double burst)
{
	struct ratelimit *rl = calloc(1, sizeof *rl);
	if (!rl)
		return NULL;
	pthread_mutex_init(&rl->lock, NULL);
	rl->rate = rate;
	rl->burst = burst < 1 ? 1 : burst;
	return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	for (size_t i = 0; i < RL_SLOTS; i++)
		for (struct bucket *b = rl->slot[i], *next; b; b = next) {
			next = b->next;
			free(b);
		}
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

static size_t slot_of(const char *s)
{
	size_t h = 5381; /* djb2 */
	for (; *s; s++)
		h = h * 33 + (unsigned char)*s;
	return h % RL_SLOTS;
}

/* Refills b to `now`. */
static void refill(const struct ratelimit *rl, struct bucket *b, double now)
{
	if (now > b->last) {
		b->tokens += (now - b->last) * rl->rate;
		if (b->tokens > rl->burst)
			b->tokens = rl->burst;
		b->last = now;
	}
}

/* Drops the buckets that are full at `now`: they hold nothing a new bucket would not. */
static void sweep(struct ratelimit *rl, double now)
{
	for (size_t i = 0; i < RL_SLOTS; i++)
		for (struct bucket **p = &rl->slot[i]; *p;) {
			struct bucket *b = *p;
			refill(rl, b, now);
			if (b->tokens >= rl->burst) {
				*p = b->next;
				free(b);
				rl->count--;
			} else {
				p = &b->next;
			}
		}
}

bool ratelimit_take(struct ratelimit *rl, const char *account, double now)
{
	size_t i = slot_of(account);
	bool ok = true;
	pthread_mutex_lock(&rl->lock);
	struct bucket *b = rl->slot[i];
	while (b && strcmp(b->account, account) != 0)
		b = b->next;
	if (!b) {
		if (rl->count >= RATELIMIT_MAX_ACCOUNTS)
			sweep(rl, now);
		/* Still full of busy accounts (or out of memory): let the request through rather
		 * than refuse an account that was never measured. */
		if (rl->count >= RATELIMIT_MAX_ACCOUNTS || !(b = calloc(1, sizeof *b)))
			goto out;
		snprintf(b->account, sizeof b->account, "%s", account);
		b->tokens = rl->burst;
		b->last = now;
		b->next = rl->slot[i];
		rl->slot[i] = b;
		rl->count++;
	}
	refill(rl, b, now);
	ok = b->tokens >= 1;
	if (ok)
		b->tokens -= 1;
out:
	pthread_mutex_unlock(&rl->lock);
	return ok;
}

bool limits_admit_or_reply(struct req *rq)
{
	struct timespec ts;
	struct ratelimit *rl = rq->srv->ratelimit;
	if (!rl || auth_exempt(rq))
		return true;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (ratelimit_take(rl, rq->account, (double)ts.tv_sec + (double)ts.tv_nsec / 1e9))
		return true;
	struct apierr e = {.limit_type = "Requests"};
	err_set(&e, E_TOO_MANY_REQUESTS, "Too Many Requests");
	reply_error(rq, &e);
	return false;
}

bool json_depth_ok(const char *text, size_t len, unsigned max)
{
	unsigned depth = 0;
	bool in_string = false;
	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		if (in_string) {
			if (c == '\\')
				i++; /* the escaped character cannot end the string */
			else if (c == '"')
				in_string = false;
		} else if (c == '"') {
			in_string = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				return false;
		} else if ((c == ']' || c == '}') && depth > 0) {
			depth--;
		}
	}
	return true;
}
