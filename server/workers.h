/* workers.h — the data-plane worker registry: the last status report of every worker
 * (PUT /dataplane/v1/workers/{workerId}, docs/dataplane.md), kept in memory. Thread-safe. */
#ifndef APIGWD_WORKERS_H
#define APIGWD_WORKERS_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* Most workers remembered at once. */
enum { WORKERS_MAX = 10000 };

struct workers;

/* A new, empty registry (workers_free it), or NULL when out of memory. */
struct workers *workers_new(void);
void workers_free(struct workers *w);

/* Keeps a copy of rec (with "account" and "region", which keep accounts apart) as worker id's
 * last report. False when WORKERS_MAX others are known already (nothing kept). */
bool workers_report(struct workers *w, const char *id, const json_t *rec);

/* The reports of account and region, each without "account"/"region" and with "behind":
 * current − its revision (never negative). New array. */
json_t *workers_list(struct workers *w, const char *account, const char *region, int64_t current);

/* Calls fn with every worker's id and the revision it last reported applied, under the
 * registry's lock (fn must not call back into it). For GET /metrics. */
typedef void (*workers_fn)(const char *worker_id, int64_t revision, void *ctx);
void workers_each(struct workers *w, workers_fn fn, void *ctx);

#endif
