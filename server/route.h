/* route.h — what one row of the route table is (router.c holds THE table) and path-template
 * matching. Pure: no handler, no table, no I/O, so the request API and the table both build on
 * it (docs/architecture.md). */
#ifndef APIGWD_ROUTE_H
#define APIGWD_ROUTE_H

#include <stdbool.h>
#include <stddef.h>

struct req;
struct resdef;

/* What a row runs: answers the request exactly once (request.h), holds or defers it. */
typedef void (*handler_fn)(struct req *rq);

/* Most path parameters a template has. */
enum { ROUTE_MAX_PARAMS = 4 };

/* How a row runs: its own handler, or one of the engine's generic operations (res.h) on the
 * row's resource definition. */
enum route_run {
	RUN_HANDLER, /* fn */
	RUN_CREATE,  /* res_create(rq, def) */
	RUN_GET,     /* res_get */
	RUN_LIST,    /* res_list */
	RUN_UPDATE,  /* res_update */
	RUN_DELETE,  /* res_delete */
};

/* The policy a row carries; the lifecycle (http.c) applies it before the handler runs. */
enum route_flag {
	ROUTE_BODY = 1u << 0,	   /* a JSON body is parsed (nesting limited) before the handler */
	ROUTE_NO_AUTH = 1u << 1,   /* never SigV4-checked nor rate-limited (--auth sigv4, --rate) */
	ROUTE_DATAPLANE = 1u << 2, /* needs the data-plane bearer token (--dataplane-token) */
};

struct route {
	const char *method; /* "GET", "POST", ... */
	const char *path;   /* template, e.g. "/v2/apis/{apiId}/integrations/{integrationId}" */
	const char *op;	    /* the AWS operation name, e.g. "GetIntegration" */
	enum route_run run; /* RUN_HANDLER: fn; otherwise a generic operation on def */
	handler_fn fn;	    /* RUN_HANDLER's handler, else NULL */
	const struct resdef *def; /* a generic operation's resource, else NULL */
	unsigned flags;		  /* enum route_flag */
};

/* Matches the raw path's first pathlen bytes against template tmpl ("/v2/apis/{apiId}"). When
 * params is given, captures the percent-decoded parameters in template order (new strings; on
 * false, the caller frees whatever was captured). A parameter segment must not be empty nor
 * decode to a string holding NUL. */
bool route_template_match(const char *tmpl, const char *path, size_t pathlen,
			  char *params[ROUTE_MAX_PARAMS]);

/* Name of path parameter i of template tmpl ("apiId"); writes it into buf. Returns false past
 * the last. */
bool route_param_name(const char *tmpl, unsigned i, char *buf, size_t len);

#endif
