/* park.h — held requests (blocking reads): a request that waits for a change is suspended in
 * libmicrohttpd and parked here, holding no thread; a commit or its deadline resumes it, and
 * its handler runs again to answer or wait on.
 *
 * Contract: a handler calls req_hold() (http.h) instead of replying; http.c suspends the
 * connection and parks it; the lot's dispatcher thread resumes it when its wait ends or when a
 * commit concerns it; http.c then calls the handler again with rq->hold_expired telling whether
 * the deadline passed. A parked request is always resumed exactly once per parking.
 *
 * What concerns a request: a change (read from the change log) under the apiId of its path or,
 * failing that, of its `apiId` query parameter, in its account and region; with neither, any
 * change in its account and region. When the log cannot tell (pruned or reset past the last
 * position examined), every request is resumed. A resumed request whose handler finds nothing
 * new for it simply holds again. */
#ifndef APIGWD_PARK_H
#define APIGWD_PARK_H

#include <stdint.h>

struct park;
struct req;

/* Starts the lot and its dispatcher thread. NULL on failure. */
struct park *park_new(void);
/* Stops the dispatcher thread, resumes every parked request as expired and refuses new ones
 * (they answer at once). Call before stopping libmicrohttpd. */
void park_close(struct park *lot);
void park_free(struct park *lot);

/* Parks rq (already suspended). If a revision newer than rq->hold_rev has been announced
 * since the handler looked, or the lot is closing, rq is resumed at once. */
void park_add(struct park *lot, struct req *rq);

/* A new revision was committed (and is visible to readers): the dispatcher resumes the
 * parked requests it concerns. Cheap: records the revision and signals the dispatcher. */
void park_commit(struct park *lot, int64_t revision);

/* Requests parked right now. */
unsigned park_count(struct park *lot);

#endif
