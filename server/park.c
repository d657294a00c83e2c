/* park.c — the parking lot of held requests (see park.h). One mutex, one list, one timer
 * thread; waking is cheap because every woken handler only re-runs one indexed query. */
#include "park.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>

#include "http.h"

struct park {
	pthread_mutex_t lock;
	pthread_cond_t tick;        /* the timer thread sleeps on it */
	pthread_t timer;
	struct req *head;           /* parked requests, linked through rq->park_next */
	unsigned count;
	int64_t revision;           /* newest revision committed */
	bool closing;
};

/* Resumes rq (lock held). */
static void wake(struct park *lot, struct req *rq, bool expired)
{
	(void)lot;
	rq->hold_expired = expired;
	rq->parked = false;
	MHD_resume_connection(rq->conn);
}

static bool past(const struct timespec *t, const struct timespec *now)
{
	return now->tv_sec > t->tv_sec || (now->tv_sec == t->tv_sec && now->tv_nsec >= t->tv_nsec);
}

/* Wakes requests whose deadline passed, every 50 ms at most. */
static void *timer_main(void *arg)
{
	struct park *lot = arg;
	pthread_mutex_lock(&lot->lock);
	while (!lot->closing) {
		struct timespec now, next;
		clock_gettime(CLOCK_MONOTONIC, &now);
		struct req **pp = &lot->head;
		while (*pp) {
			struct req *rq = *pp;
			if (past(&rq->hold_until, &now)) {
				*pp = rq->park_next;
				lot->count--;
				wake(lot, rq, true);
			} else {
				pp = &rq->park_next;
			}
		}
		next = now;
		next.tv_nsec += 50 * 1000 * 1000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&lot->tick, &lot->lock, &next);
	}
	pthread_mutex_unlock(&lot->lock);
	return NULL;
}

struct park *park_new(void)
{
	struct park *lot = calloc(1, sizeof *lot);
	pthread_condattr_t attr;
	if (!lot)
		return NULL;
	pthread_mutex_init(&lot->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&lot->tick, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&lot->timer, NULL, timer_main, lot) != 0) {
		pthread_cond_destroy(&lot->tick);
		pthread_mutex_destroy(&lot->lock);
		free(lot);
		return NULL;
	}
	return lot;
}

void park_close(struct park *lot)
{
	if (!lot)
		return;
	pthread_mutex_lock(&lot->lock);
	if (lot->closing) {
		pthread_mutex_unlock(&lot->lock);
		return;
	}
	lot->closing = true;
	while (lot->head) {
		struct req *rq = lot->head;
		lot->head = rq->park_next;
		wake(lot, rq, true);
	}
	lot->count = 0;
	pthread_cond_signal(&lot->tick);
	pthread_mutex_unlock(&lot->lock);
	pthread_join(lot->timer, NULL);
}

void park_free(struct park *lot)
{
	if (!lot)
		return;
	park_close(lot);
	pthread_cond_destroy(&lot->tick);
	pthread_mutex_destroy(&lot->lock);
	free(lot);
}

void park_add(struct park *lot, struct req *rq)
{
	pthread_mutex_lock(&lot->lock);
	if (lot->closing || lot->revision > rq->hold_rev) {
		wake(lot, rq, lot->closing);
	} else {
		rq->parked = true;
		rq->park_next = lot->head;
		lot->head = rq;
		lot->count++;
	}
	pthread_mutex_unlock(&lot->lock);
}

void park_commit(struct park *lot, int64_t revision)
{
	pthread_mutex_lock(&lot->lock);
	if (revision > lot->revision)
		lot->revision = revision;
	while (lot->head) {
		struct req *rq = lot->head;
		lot->head = rq->park_next;
		wake(lot, rq, false);
	}
	lot->count = 0;
	pthread_mutex_unlock(&lot->lock);
}

unsigned park_count(struct park *lot)
{
	pthread_mutex_lock(&lot->lock);
	unsigned n = lot->count;
	pthread_mutex_unlock(&lot->lock);
	return n;
}
