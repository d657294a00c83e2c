/* http.h — the request lifecycle on libmicrohttpd (http.c): the top of the server, which
 * main.c starts and stops. Handlers include request.h, never this. */
#ifndef APIGWD_HTTP_H
#define APIGWD_HTTP_H

#include <stdbool.h>

struct server;
struct req;

/* Starts libmicrohttpd on srv->cfg's address; returns 0 or -1 (logged). */
int http_start(struct server *srv);
/* Bound TCP port after http_start. */
unsigned http_port(const struct server *srv);
/* Stops accepting, waits (bounded) for in-flight requests, stops libmicrohttpd. */
void http_stop(struct server *srv);

/* The parking lot's wake function (park.h's park_wake_fn): resumes a held request. */
void http_wake(struct req *rq, bool expired);

#endif
