/* metrics.h — counters behind GET /metrics (Prometheus text exposition format 0.0.4).
 *
 * Hot-path updates are relaxed atomic additions into fixed arrays sized at start-up (one slot
 * per operation of the route table, plus "-" for requests no route matched): no lock, no
 * allocation. The exposition (ops_metrics, metrics.c) reads them and the values that live
 * elsewhere (revision, database size, held requests, data-plane workers) at scrape time. */
#ifndef APIGWD_METRICS_H
#define APIGWD_METRICS_H

#include <stddef.h>

struct metrics;
struct route;

/* New counters for the route table (router.h), all zero; NULL when out of memory. */
struct metrics *metrics_new(void);
void metrics_free(struct metrics *m);

/* One answered request: its route (NULL when none matched), HTTP status and duration in
 * seconds. m may be NULL (no metrics). Thread-safe, lock-free. */
void metrics_request(struct metrics *m, const struct route *route, unsigned status,
		     double seconds);

/* A COMMIT begins on this thread (db_pool_on_commit_start's hook; arg is the metrics). */
void metrics_commit_start(void *arg);
/* A COMMIT that produced a new revision has returned on this thread (db_pool_on_commit's
 * hook): counts it and, when its start was seen on this thread, times it. */
void metrics_commit_done(struct metrics *m);

#endif
