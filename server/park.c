/* park.c — the parking lot of held requests (see park.h). One mutex, one list and one thread,
 * the dispatcher: it wakes requests whose wait ended (every 50 ms at most) and, after each
 * commit, the requests the commit concerns. To know which those are it reads the change log
 * once per (account, region) with requests parked, instead of every held request re-running
 * its own query: with 1,000 requests held on other APIs, a write costs one query, not 1,000
 * resumes. When it cannot tell (the log was pruned or reset past it, too many changes, a
 * database error) it wakes everyone, who look for themselves. */
#include "park.h"

#include <assert.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "db.h"
#include "request.h"
#include "server.h"

/* The dispatcher matches at most this many distinct scopes and changed roots per commit, and
 * reads at most this many changes; beyond, it wakes everyone. */
enum { MAX_SCOPES = 16, MAX_ROOTS = 256, MAX_CHANGES = 20000, TICK_MS = 50 };

/* One parked request and what it waits on. */
struct parked {
	struct req *rq;	       /* suspended by the lifecycle; borrowed */
	int64_t seen;	       /* the revision its handler saw */
	struct timespec until; /* when its wait ends (CLOCK_MONOTONIC) */
	char account[32], region[32];
	char root[128]; /* the apiId it waits on; "" = any change of its scope */
	struct parked *next;
};

struct park {
	pthread_mutex_t lock;
	pthread_cond_t tick; /* a commit, a close, or the next timer tick */
	pthread_t thread;    /* the dispatcher */
	struct parked *head; /* parked requests */
	unsigned count;
	int64_t revision;     /* newest revision committed */
	int64_t examined;     /* the parked were matched against every change up to this */
	struct db_pool *pool; /* from the first parked request (rq->srv) */
	park_wake_fn wake;    /* resumes a request (the lifecycle's) */
	bool closing;
};

/* The roots (apiIds) changed in one scope. */
struct touched {
	char account[32], region[32];
	char *roots[MAX_ROOTS]; /* owned */
	unsigned nroots;
	unsigned nchanges;
	bool overflow; /* too many to tell: wake the whole scope */
};

/* Unlinks *pp, wakes its request and frees the node (lock held). */
static void wake_node(struct park *lot, struct parked **pp, bool expired)
{
	struct parked *p = *pp;
	*pp = p->next;
	lot->count--;
	lot->wake(p->rq, expired);
	free(p);
}

static bool past(const struct timespec *t, const struct timespec *now)
{
	return now->tv_sec > t->tv_sec || (now->tv_sec == t->tv_sec && now->tv_nsec >= t->tv_nsec);
}

static bool collect_root(const struct db_change *ch, void *arg)
{
	struct touched *t = arg;
	if (++t->nchanges > MAX_CHANGES) {
		t->overflow = true;
		return false;
	}
	for (unsigned i = 0; i < t->nroots; i++)
		if (strcmp(t->roots[i], ch->root) == 0)
			return true;
	if (t->nroots == MAX_ROOTS || !(t->roots[t->nroots] = strdup(ch->root))) {
		t->overflow = true;
		return false;
	}
	t->nroots++;
	return true;
}

/* Reads the roots each scope changed after `since` (lock NOT held). False when the log cannot
 * tell (pruned or reset past `since`, a database error): then everyone must be woken. */
static bool read_touched(struct db_pool *pool, int64_t since, struct touched *t, unsigned n)
{
	int64_t current = 0, oldest = 0;
	struct db *db = db_acquire(pool);
	bool ok = db_revision(db, &current, &oldest, NULL) == DB_OK && since >= oldest;
	for (unsigned i = 0; ok && i < n; i++) {
		struct db_scope scope = {t[i].account, t[i].region};
		ok = db_changes_since(db, &scope, since, NULL, MAX_CHANGES, collect_root, &t[i]) ==
		     DB_OK;
	}
	db_release(pool, db);
	return ok;
}

/* Whether a change in t concerns p. */
static bool concerns(const struct parked *p, const struct touched *t, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(t[i].account, p->account) || strcmp(t[i].region, p->region))
			continue;
		if (t[i].overflow || !p->root[0])
			return t[i].overflow || t[i].nroots > 0;
		for (unsigned j = 0; j < t[i].nroots; j++)
			if (strcmp(t[i].roots[j], p->root) == 0)
				return true;
		return false;
	}
	return true; /* a scope not examined: cannot tell */
}

/* After commits up to lot->revision: wakes the parked requests they concern (lock held; it is
 * released while the change log is read). */
static void dispatch_commits(struct park *lot)
{
	int64_t since = lot->examined, upto = lot->revision;
	struct touched t[MAX_SCOPES];
	unsigned n = 0;
	/* Before the first commit seen since start there is no position to read from. */
	bool all = !lot->pool || since == 0;
	memset(t, 0, sizeof t);
	/* The scopes to read: those of requests that had not seen `upto`. */
	for (struct parked *p = lot->head; p && !all; p = p->next) {
		if (p->seen >= upto)
			continue;
		unsigned i = 0;
		while (i < n &&
		       (strcmp(t[i].account, p->account) || strcmp(t[i].region, p->region)))
			i++;
		if (i == n && n == MAX_SCOPES)
			all = true;
		else if (i == n) {
			memcpy(t[n].account, p->account, sizeof t[n].account);
			memcpy(t[n].region, p->region, sizeof t[n].region);
			n++;
		}
	}
	if (!all && n) {
		pthread_mutex_unlock(&lot->lock);
		all = !read_touched(lot->pool, since, t, n);
		pthread_mutex_lock(&lot->lock);
	}
	/* Requests parked meanwhile saw at least `upto` (park_add wakes the others), so each
	 * one still here with an older view is matched against what was read. */
	for (struct parked **pp = &lot->head; *pp;) {
		struct parked *p = *pp;
		if (p->seen < upto && (all || concerns(p, t, n)))
			wake_node(lot, pp, false);
		else
			pp = &p->next;
	}
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = 0; j < t[i].nroots; j++)
			free(t[i].roots[j]);
	if (upto > lot->examined)
		lot->examined = upto;
}

/* The dispatcher: commits, then expired waits, then sleep until the next commit or tick. */
static void *dispatcher_main(void *arg)
{
	struct park *lot = arg;
	pthread_mutex_lock(&lot->lock);
	while (!lot->closing) {
		struct timespec now, next;
		if (lot->revision > lot->examined)
			dispatch_commits(lot);
		if (lot->closing)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		for (struct parked **pp = &lot->head; *pp;) {
			if (past(&(*pp)->until, &now))
				wake_node(lot, pp, true);
			else
				pp = &(*pp)->next;
		}
		if (lot->revision > lot->examined)
			continue; /* committed while we looked */
		next = now;
		next.tv_nsec += TICK_MS * 1000 * 1000;
		if (next.tv_nsec >= 1000000000) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&lot->tick, &lot->lock, &next);
	}
	pthread_mutex_unlock(&lot->lock);
	return NULL;
}

struct park *park_new(park_wake_fn wake)
{
	struct park *lot = calloc(1, sizeof *lot);
	pthread_condattr_t attr;
	assert(wake);
	if (!lot)
		return NULL;
	lot->wake = wake;
	pthread_mutex_init(&lot->lock, NULL);
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&lot->tick, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&lot->thread, NULL, dispatcher_main, lot) != 0) {
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
	pthread_cond_signal(&lot->tick);
	pthread_mutex_unlock(&lot->lock);
	pthread_join(lot->thread, NULL);
	/* The dispatcher is gone: nobody else touches the list now. */
	pthread_mutex_lock(&lot->lock);
	while (lot->head)
		wake_node(lot, &lot->head, true);
	pthread_mutex_unlock(&lot->lock);
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

void park_add(struct park *lot, struct req *rq, int64_t seen, const struct timespec *until)
{
	/* What it waits on: the apiId of its path (snapshots) or of its query (the feed). */
	const char *api = req_param(rq, "apiId");
	char *query = api ? NULL : req_query(rq, "apiId");
	struct parked *p = calloc(1, sizeof *p);
	if (p) {
		p->rq = rq;
		p->seen = seen;
		p->until = *until;
		snprintf(p->account, sizeof p->account, "%s", rq->account);
		snprintf(p->region, sizeof p->region, "%s", rq->region);
		snprintf(p->root, sizeof p->root, "%s", api ? api : query ? query : "");
	}
	free(query);
	pthread_mutex_lock(&lot->lock);
	if (!lot->pool)
		lot->pool = rq->srv->pool;
	if (!p || lot->closing || lot->revision > seen) {
		/* Closing or out of memory: answer now; a newer revision: look again. */
		lot->wake(rq, !p || lot->closing);
		free(p);
	} else {
		p->next = lot->head;
		lot->head = p;
		lot->count++;
	}
	pthread_mutex_unlock(&lot->lock);
}

void park_commit(struct park *lot, int64_t revision)
{
	pthread_mutex_lock(&lot->lock);
	if (revision > lot->revision) {
		lot->revision = revision;
		pthread_cond_signal(&lot->tick);
	}
	pthread_mutex_unlock(&lot->lock);
}

unsigned park_count(struct park *lot)
{
	pthread_mutex_lock(&lot->lock);
	unsigned n = lot->count;
	pthread_mutex_unlock(&lot->lock);
	return n;
}
