/* dataplane.h — the worker registry of the data-plane feed (dataplane.c). */
#ifndef APIGWD_DATAPLANE_H
#define APIGWD_DATAPLANE_H

#include <stdint.h>

struct workers;

/* The last status report of every data-plane worker, kept in memory. */
struct workers *workers_new(void);
void workers_free(struct workers *w);

/* Calls fn with every worker's id and the revision it last reported applied, under the
 * registry's lock (fn must not call back into it). For GET /metrics. */
typedef void (*workers_fn)(const char *worker_id, int64_t revision, void *ctx);
void workers_each(struct workers *w, workers_fn fn, void *ctx);

#endif
