/* park.h — held requests (blocking reads): a request that waits for a change is suspended in
 * libmicrohttpd and parked here, holding no thread; a commit or its deadline resumes it, and
 * its handler runs again to answer or wait on.
 *
 * Contract: a handler calls req_hold() (http.h) instead of replying; http.c suspends the
 * connection and parks it; park_commit() (called for every new revision) and the timer thread
 * resume it; http.c then calls the handler again with rq->hold_expired telling whether the
 * deadline passed. A parked request is always resumed exactly once per parking. */
#ifndef APIGWD_PARK_H
#define APIGWD_PARK_H

#include <stdint.h>

struct park;
struct req;

/* Starts the lot and its timer thread. NULL on failure. */
struct park *park_new(void);
/* Resumes every parked request as expired and refuses new ones (they answer at once); stops
 * the timer thread. Call before stopping libmicrohttpd. */
void park_close(struct park *lot);
void park_free(struct park *lot);

/* Parks rq (already suspended). If a revision newer than rq->hold_rev has been committed
 * since the handler looked, or the lot is closing, rq is resumed at once. */
void park_add(struct park *lot, struct req *rq);

/* A new revision was committed: resume every parked request so it looks again. */
void park_commit(struct park *lot, int64_t revision);

/* Requests parked right now. */
unsigned park_count(struct park *lot);

#endif
