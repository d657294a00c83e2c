/* router.h — THE route table: every path apigwd serves, in router.c, and what each runs. */
#ifndef APIGWD_ROUTER_H
#define APIGWD_ROUTER_H

#include <stddef.h>

#include "request.h"
#include "route.h"

extern const struct route router_routes[];
extern const size_t router_count;

enum route_result { ROUTE_FOUND, ROUTE_NO_PATH, ROUTE_NO_METHOD, ROUTE_BAD_PATH };

/* Matches method and the raw path against the table. On ROUTE_FOUND, *out is the route and
 * params[] receives its decoded path parameters (new strings, caller frees). On
 * ROUTE_NO_METHOD, allow receives the allowed methods ("GET, PATCH"). A path ending in '/'
 * matches as if the '/' were absent (AWS answers GET /v2/apis/ as GetApis). */
enum route_result router_match(const char *method, const char *path, const struct route **out,
			       char *params[ROUTE_MAX_PARAMS], char *allow, size_t allowlen);

/* Name of path parameter i of r ("apiId"); writes it into buf. Returns false past the last. */
int router_param_name(const struct route *r, unsigned i, char *buf, size_t len);

/* Runs rq->route (matched, with a database connection in rq->db): its handler, or its
 * generic operation on its resource definition. The handler answers, holds or defers. */
void router_run(struct req *rq);

#endif
