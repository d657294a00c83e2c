/* park.h — held requests (blocking reads): a request that waits for a change is suspended in
 * libmicrohttpd and parked here, holding no thread; a commit or its deadline resumes it, and
 * its handler runs again to answer or wait on.
 *
 * Contract: a handler calls req_hold() (request.h) instead of replying; the lifecycle (http.c)
 * suspends the connection and parks it; the lot's dispatcher thread calls the lifecycle's wake
 * function when its wait ends or when a commit concerns it; the lifecycle then calls the
 * handler again with rq->hold_expired telling whether the deadline passed. A parked request is
 * always woken exactly once per parking.
 *
 * What concerns a request: a change (read from the change log) under the apiId of its path or,
 * failing that, of its `apiId` query parameter, in its account and region; with neither, any
 * change in its account and region. When the log cannot tell (pruned or reset past the last
 * position examined), every request is resumed. A resumed request whose handler finds nothing
 * new for it simply holds again. */
#ifndef APIGWD_PARK_H
#define APIGWD_PARK_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct park;
struct req;

/* Resumes a parked request; `expired`: its wait ended (or the lot closed) rather than a
 * change concerning it. Called with the lot's lock held: it must not call back into the lot. */
typedef void (*park_wake_fn)(struct req *rq, bool expired);

/* Starts the lot and its dispatcher thread; `wake` resumes requests. NULL on failure. */
struct park *park_new(park_wake_fn wake);
/* Stops the dispatcher thread, resumes every parked request as expired and refuses new ones
 * (they answer at once). Call before stopping libmicrohttpd. */
void park_close(struct park *lot);
void park_free(struct park *lot);

/* Parks rq (already suspended) until a change after revision `seen` concerns it or `until`
 * (CLOCK_MONOTONIC) passes. If a revision newer than `seen` has been announced since the
 * handler looked, or the lot is closing, rq is woken at once. */
void park_add(struct park *lot, struct req *rq, int64_t seen, const struct timespec *until);

/* A new revision was committed (and is visible to readers): the dispatcher resumes the
 * parked requests it concerns. Cheap: records the revision and signals the dispatcher. */
void park_commit(struct park *lot, int64_t revision);

/* Requests parked right now. */
unsigned park_count(struct park *lot);

#endif
