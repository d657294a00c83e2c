/* metrics.h — counters behind GET /metrics (Prometheus text exposition format 0.0.4).
 *
 * Hot-path updates are relaxed atomic additions into fixed arrays sized at start-up (one slot
 * per operation of the route table, plus "-" for requests no route matched): no lock, no
 * allocation. The exposition (ops_metrics.c) reads them, through metrics_write_*, and the
 * values that live elsewhere (revision, database size, held requests, data-plane workers) at
 * scrape time. Bottom layer: knows the route table only as an array of rows. */
#ifndef APIGWD_METRICS_H
#define APIGWD_METRICS_H

#include <stddef.h>
#include <stdio.h>
#include <time.h>

struct metrics;
struct route;

/* New counters for the nroutes rows of a route table (router.h), all zero; NULL when out of
 * memory. Rows that share an operation name share its counters. */
struct metrics *metrics_new(const struct route *routes, size_t nroutes);
void metrics_free(struct metrics *m);

/* One answered request: the index of its route in the table (nroutes or more when none
 * matched), HTTP status and duration in seconds. m may be NULL (no metrics). Thread-safe,
 * lock-free. */
void metrics_request(struct metrics *m, size_t route, unsigned status, double seconds);

/* A COMMIT begins on this thread (db_pool_on_commit_start's hook; arg is the metrics). */
void metrics_commit_start(void *arg);
/* A COMMIT that produced a new revision has returned on this thread (db_pool_on_commit's
 * hook): counts it and, when its start was seen on this thread, times it. */
void metrics_commit_done(struct metrics *m);

/* The exposition, Prometheus text format 0.0.4: "# HELP" and "# TYPE" lines of one metric;
 * a label value with backslash, double quote and newline escaped. */
void metrics_header(FILE *f, const char *name, const char *type, const char *help);
void metrics_put_label(FILE *f, const char *s);
/* apigwd_requests_total and apigwd_request_duration_seconds. */
void metrics_write_requests(const struct metrics *m, FILE *f);
/* apigwd_db_commits_total and apigwd_db_commit_duration_seconds. */
void metrics_write_commits(const struct metrics *m, FILE *f);
/* When the counters were made (process start), Unix time. */
time_t metrics_started(const struct metrics *m);

#endif
