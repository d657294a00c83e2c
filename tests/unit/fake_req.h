/* fake_req.h — a fake transport for the request API (request.h), for unit tests of the layers
 * below the libmicrohttpd lifecycle: fixed headers and query arguments, and counts of what was
 * asked of it. Single-file test programs include it once. */
#ifndef APIGWD_FAKE_REQ_H
#define APIGWD_FAKE_REQ_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "request.h"

/* The fake transport: fixed headers and query arguments, and what was asked of it. */
struct fake {
	struct req rq;		    /* first: rq->conn points at the fake */
	const char *const *headers; /* name, value, ..., NULL */
	const char *const *query;   /* name, value (raw, may be NULL), ..., NULL */
	unsigned holds, suspends, resumes;
	int64_t seen;
};

static struct fake *fake_of(const struct req *rq)
{
	return (struct fake *)rq->conn;
}

static const char *f_header(const struct req *rq, const char *name)
{
	for (const char *const *h = fake_of(rq)->headers; h && h[0]; h += 2)
		if (strcasecmp(h[0], name) == 0)
			return h[1];
	return NULL;
}

static const char *f_query_raw(const struct req *rq, const char *name)
{
	for (const char *const *q = fake_of(rq)->query; q && q[0]; q += 2)
		if (strcmp(q[0], name) == 0)
			return q[1];
	return NULL;
}

static void f_each(const struct req *rq, enum req_kind kind, req_pair_fn fn, void *ctx)
{
	const char *const *p = kind == REQ_HEADER ? fake_of(rq)->headers : fake_of(rq)->query;
	for (; p && p[0]; p += 2)
		if (!fn(ctx, p[0], p[1]))
			return;
}

static void f_hold(struct req *rq, unsigned seconds, int64_t seen)
{
	(void)seconds;
	fake_of(rq)->holds++;
	fake_of(rq)->seen = seen;
}

static void f_suspend(struct req *rq)
{
	fake_of(rq)->suspends++;
}

static void f_resume(struct req *rq)
{
	fake_of(rq)->resumes++;
}

static const struct req_transport fake_transport = {f_header, f_query_raw, f_each,
						    f_hold,   f_suspend,   f_resume};

/* A new request on the fake transport (req_free frees it all). headers and query are
 * borrowed and must outlive it. */
static struct fake *fake_new(const char *const *headers, const char *const *query)
{
	struct fake *f = calloc(1, sizeof *f);
	f->headers = headers;
	f->query = query;
	f->rq.tp = &fake_transport;
	f->rq.conn = f;
	f->rq.method = "GET";
	f->rq.path = strdup("/v2/apis/a1/integrations/i1");
	snprintf(f->rq.request_id, sizeof f->rq.request_id, "test-request");
	return f;
}

#endif
