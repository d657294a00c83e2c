/* dataplane.h — the worker registry of the data-plane feed (dataplane.c). */
#ifndef APIGWD_DATAPLANE_H
#define APIGWD_DATAPLANE_H

struct workers;

/* The last status report of every data-plane worker, kept in memory. */
struct workers *workers_new(void);
void workers_free(struct workers *w);

#endif
