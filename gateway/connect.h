/* connect.h — the $connect decision (docs/aws-behaviour.md §D1.1, §D2.1, §D9): the stage, the
 * connection's identity, the authorizer, the $connect integration, and the HTTP answer that
 * refuses an upgrade. Blocking; thread-safe; runs on the accept pool (accept.c), never on the
 * event loop. */
#ifndef GW_CONNECT_H
#define GW_CONNECT_H

#include <stddef.h>

#include "conn.h"
#include "head.h"

/* What a decision measured, for the loop's metrics (metrics.c is loop-only). */
struct gw_connect_stats {
	int integration; /* -1: no integration ran, 0: it succeeded, 1: it failed */
	double latency_ms;
};

/* Splits path into api/stage/rest from the Host form ({apiId}.execute-api.*, path /{stage}...)
 * or the path form (/{apiId}/{stage}...). Returns 0 or -1. *rest is borrowed from path. */
int gw_target(const char *host, const char *path, char *api, size_t asz, char *stage, size_t ssz,
	      const char **rest);

/* Decides the upgrade h from peer (its address). Returns 0 with *c filled (a connection to
 * register once libwebsockets has sent the 101; caller owns, gw_conn_clear) or the HTTP
 * status refusing it (then c holds nothing). */
int gw_connect_decide(const struct gw_head *h, const char *peer, struct gw_conn *c,
		      struct gw_connect_stats *st);

/* The complete HTTP answer refusing an upgrade with status, into buf (size bytes). Returns
 * its length. */
size_t gw_connect_refusal(unsigned status, char *buf, size_t size);

#endif
