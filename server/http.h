/* http.h — one request's life: what a handler receives and how it answers.
 *
 * http.c (libmicrohttpd glue) reads the request, resolves account and region, finds the route,
 * parses the JSON body and takes a database connection; then it calls the route's handler,
 * which answers exactly once with one of the reply_* functions. */
#ifndef APIGWD_HTTP_H
#define APIGWD_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "db.h"
#include "errors.h"

struct server;
struct route;
struct MHD_Connection;

enum { ROUTE_MAX_PARAMS = 4 };

struct req {
	struct server *srv;                 /* borrowed */
	struct MHD_Connection *conn;        /* borrowed */
	const char *method;                 /* borrowed from libmicrohttpd */
	char *path;                         /* the raw (still percent-encoded) path; owned */
	const struct route *route;          /* matched route, or NULL */
	char *params[ROUTE_MAX_PARAMS];     /* decoded path parameters in template order; owned */
	char request_id[40];                /* x-amzn-RequestId */
	char account[32];                   /* the caller's account id */
	char region[32];                    /* from the SigV4 scope, else --region */
	struct db_scope scope;              /* {account, region} */
	struct db *db;                      /* held while the handler runs */
	json_t *body;                       /* the parsed request body, or NULL; owned */
	char *upload;                       /* raw request body; owned */
	size_t upload_len;
	bool too_large;                     /* body exceeded the limit and was discarded */
	struct timespec start;              /* when the request arrived (CLOCK_MONOTONIC) */

	/* The answer, set once by a reply_* function. */
	bool replied;
	unsigned status;
	char *resp;                         /* body, or NULL for none; owned */
	size_t resp_len;
	const char *error_name;             /* x-amzn-ErrorType, or NULL; static */
	const char *content_type;           /* Content-Type of a body that is not JSON, or
					       NULL (application/json); static */
	const char *const *headers;         /* extra response headers: name, value, name, value,
					       ..., NULL; static (the console's CSP), or NULL */
	char allow[64];                     /* Allow header for 405, or "" */
	char etag[96];                      /* ETag header, or "" */

	/* Answers that wait for a group commit (req_defer). */
	bool deferred;                      /* suspended until req_resume */

	/* Blocking reads (req_hold, park.h). */
	bool dispatched;                    /* the generic checks ran; the handler was called */
	bool held;                          /* the handler asked to wait instead of answering */
	bool parked;                        /* in the parking lot right now */
	bool hold_expired;                  /* resumed because the wait ended */
	struct timespec hold_until;         /* when the wait ends (CLOCK_MONOTONIC) */
	int64_t hold_rev;                   /* the revision the handler saw */
	struct req *park_next;              /* link in the parking lot */
	char log_api[16];                   /* apiId for the request log, or "" */
	char config_changed[16];            /* API whose configuration the open transaction
					       changed (res_txn deploys it), or "" */
};

typedef void (*handler_fn)(struct req *rq);

/* The decoded path parameter `name` of the matched route (e.g. "apiId"); NULL if the route
 * has none. Borrowed. */
const char *req_param(const struct req *rq, const char *name);

/* The percent-decoded query parameter `name`, or NULL. Returns a new string. */
char *req_query(const struct req *rq, const char *name);

/* Every percent-decoded value of the repeated query parameter `name` (UntagResource's
 * tagKeys=a&tagKeys=b), in request order. Returns a new array of new strings (free each, then
 * the array) and their number in *n; NULL with *n = 0 when there is none or memory ran out. */
char **req_query_all(const struct req *rq, const char *name, size_t *n);

/* The request header `name`, or NULL. Borrowed. */
const char *req_header(const struct req *rq, const char *name);

/* Answers with `json` (a JSON text of len bytes), taking ownership of it. */
void reply_text(struct req *rq, unsigned status, char *json, size_t len);
/* Answers with doc serialised. Borrows doc. */
void reply_json(struct req *rq, unsigned status, const json_t *doc);
/* Answers with no body (204, 202). */
void reply_empty(struct req *rq, unsigned status);
/* Answers with the AWS error e. */
void reply_error(struct req *rq, const struct apierr *e);
void reply_errf(struct req *rq, enum err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Instead of answering: wait until a revision newer than `seen` is committed or `seconds`
 * (counted from the first hold of this request) pass, then call the handler again. The
 * handler answers when rq->hold_expired is set. */
void req_hold(struct req *rq, unsigned seconds, int64_t seen);

/* Group commit: the handler calls req_defer(rq) (on its own thread, before handing the
 * request to another thread) and returns without answering; the connection is suspended. The
 * other thread answers with reply_* and calls req_resume(rq); it must not touch rq after. */
void req_defer(struct req *rq);
void req_resume(struct req *rq);

/* Starts libmicrohttpd on srv->cfg's address; returns 0 or -1 (logged). */
int http_start(struct server *srv);
/* Bound TCP port after http_start. */
unsigned http_port(const struct server *srv);
/* Stops accepting, waits (bounded) for in-flight requests, stops libmicrohttpd. */
void http_stop(struct server *srv);

#endif
