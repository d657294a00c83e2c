/* request.h — what a handler receives and how it answers: the request API at the bottom of
 * the server, below every handler and the engine (docs/architecture.md).
 *
 * The lifecycle (http.c, libmicrohttpd) reads the request, resolves account and region, finds
 * the route, parses the JSON body and takes a database connection; then it calls the route's
 * handler, which answers exactly once with one of the reply_* functions. This module knows
 * nothing of libmicrohttpd's connections: it reaches the transport only through the
 * `req_transport` operations the lifecycle installs, so it links (and is unit-tested) alone. */
#ifndef APIGWD_REQUEST_H
#define APIGWD_REQUEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db.h"
#include "errors.h"
#include "route.h"

struct server;

/* Which values of the request a transport enumerates. */
enum req_kind { REQ_HEADER, REQ_QUERY };

/* Called with each name and value (the query's still percent-encoded; value may be NULL for
 * a query argument without '='). Returns false to stop. */
typedef bool (*req_pair_fn)(void *ctx, const char *name, const char *value);

/* What the transport (the lifecycle) does for the request API. All are required. */
struct req_transport {
	/* The header `name` (case-insensitive), or NULL. Borrowed. */
	const char *(*header)(const struct req *rq, const char *name);
	/* The query argument `name`, still percent-encoded, or NULL. Borrowed. */
	const char *(*query_raw)(const struct req *rq, const char *name);
	/* Calls fn with every header or query argument, in request order. */
	void (*each)(const struct req *rq, enum req_kind kind, req_pair_fn fn, void *ctx);
	/* req_hold, req_defer, req_resume below. */
	void (*hold)(struct req *rq, unsigned seconds, int64_t seen);
	void (*suspend)(struct req *rq);
	void (*resume)(struct req *rq);
};

struct req {
	struct server *srv;		/* configuration, pool and shared state; borrowed */
	const char *method;		/* borrowed from the transport */
	char *path;			/* the raw (still percent-encoded) path; owned */
	const struct route *route;	/* matched route, or NULL; static */
	char *params[ROUTE_MAX_PARAMS]; /* decoded path parameters in template order; owned */
	char request_id[40];		/* x-amzn-RequestId */
	char account[32];		/* the caller's account id */
	char region[32];		/* from the SigV4 scope, else --region */
	struct db_scope scope;		/* {account, region} */
	struct db *db;			/* held while the handler runs */
	json_t *body;			/* the parsed request body, or NULL; owned */
	char *upload;			/* raw request body (NUL-terminated); owned */
	size_t upload_len;
	bool hold_expired; /* a held request's wait ended (req_hold) */
	char log_api[16];  /* apiId for the request log, or "" */

	/* The answer, set once by a reply_* function. */
	bool replied;
	unsigned status;
	char *resp; /* body, or NULL for none; owned */
	size_t resp_len;
	const char *error_name;	    /* x-amzn-ErrorType, or NULL; static */
	const char *content_type;   /* Content-Type of a body that is not JSON, or
				       NULL (application/json); static */
	const char *const *headers; /* extra response headers: name, value, name, value,
				       ..., NULL; static (the console's CSP), or NULL */
	char etag[96];		    /* ETag header, or "" */

	/* The transport's; handlers never touch these. */
	const struct req_transport *tp; /* static */
	void *conn;			/* the transport's per-request state; borrowed */
};

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

/* Answers with `json` (a JSON text of len bytes), taking ownership of it. A second answer is
 * a programmer error (assert); in a release build the first answer stands. */
void reply_text(struct req *rq, unsigned status, char *json, size_t len);
/* Answers with doc serialised. Borrows doc. */
void reply_json(struct req *rq, unsigned status, const json_t *doc);
/* Answers with no body (204, 202). */
void reply_empty(struct req *rq, unsigned status);
/* Answers with the AWS error e (several checks may fail one after the other on one request:
 * after the first answer, later errors are dropped). */
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

/* Frees what the request owns, then rq itself (the lifecycle's, when the request ends). */
void req_free(struct req *rq);

#endif
