/* request.c — the request API of request.h: parameters, headers, query, replies, and the hold
 * and deferral requests the transport carries out. */
#include "request.h"

#include <assert.h>
#include <microhttpd.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "jspec.h"
#include "log.h"
#include "route.h"

const char *req_param(const struct req *rq, const char *name)
{
	char pname[64];
	for (unsigned i = 0; rq->route && i < ROUTE_MAX_PARAMS; i++) {
		if (!route_param_name(rq->route->path, i, pname, sizeof pname))
			break;
		if (strcmp(pname, name) == 0)
			return rq->params[i];
	}
	return NULL;
}

char *req_query(const struct req *rq, const char *name)
{
	/* Arguments reach us still percent-encoded (the router splits paths before decoding);
	 * decode a copy with libmicrohttpd's decoder. */
	const char *raw = rq->tp->query_raw(rq, name);
	char *v = raw ? strdup(raw) : NULL;
	if (v)
		MHD_http_unescape(v);
	return v;
}

struct query_all {
	const char *name; /* the parameter wanted */
	char **vals;	  /* decoded values so far; owned */
	size_t n;
	bool failed; /* out of memory */
};

static bool collect_query(void *ctx, const char *key, const char *value)
{
	struct query_all *q = ctx;
	if (!key || strcmp(key, q->name) != 0)
		return true;
	char *v = strdup(value ? value : "");
	char **grown = v ? realloc(q->vals, (q->n + 1) * sizeof *grown) : NULL;
	if (!grown) {
		free(v);
		q->failed = true;
		return false;
	}
	MHD_http_unescape(v);
	q->vals = grown;
	q->vals[q->n++] = v;
	return true;
}

char **req_query_all(const struct req *rq, const char *name, size_t *n)
{
	struct query_all q = {.name = name};
	rq->tp->each(rq, REQ_QUERY, collect_query, &q);
	if (q.failed) { /* no answer rather than half of one */
		for (size_t i = 0; i < q.n; i++)
			free(q.vals[i]);
		free(q.vals);
		q.vals = NULL;
		q.n = 0;
	}
	*n = q.n;
	return q.vals;
}

const char *req_header(const struct req *rq, const char *name)
{
	return rq->tp->header(rq, name);
}

void reply_text(struct req *rq, unsigned status, char *json, size_t len)
{
	assert(!rq->replied && "a request answered twice");
	if (rq->replied) { /* release builds: the first answer stands */
		free(json);
		return;
	}
	rq->replied = true;
	rq->status = status;
	rq->resp = json;
	rq->resp_len = len;
}

void reply_json(struct req *rq, unsigned status, const json_t *doc)
{
	char *text = json_dumps(doc, JSON_COMPACT);
	if (!text) {
		reply_errf(rq, E_INTERNAL, "Could not serialise the response");
		return;
	}
	reply_text(rq, status, text, strlen(text));
}

void reply_empty(struct req *rq, unsigned status)
{
	reply_text(rq, status, NULL, 0);
}

void reply_error(struct req *rq, const struct apierr *e)
{
	struct apierr clean;
	if (rq->replied) /* an earlier check answered already */
		return;
	json_t *body = err_body(e);
	if (!body) {
		/* A message that quotes the request may hold a character cut in half by a
		 * "%.Ns" limit, which JSON cannot carry: replace such bytes with '?'. */
		clean = *e;
		for (unsigned char *p = (unsigned char *)clean.msg; *p;) {
			size_t n = jutf8_char(p);
			if (!n)
				*p = '?';
			p += n ? n : 1;
		}
		body = err_body(&clean);
	}
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!text)
		text = strdup("{\"message\":\"Internal error\"}");
	reply_text(rq, err_status(e->code), text, text ? strlen(text) : 0);
	rq->error_name = err_name(e->code);
	/* Server faults name the request id the client saw in x-amzn-RequestId. */
	log_msg(err_status(e->code) >= 500 ? LOG_ERROR : LOG_DEBUG, rq->request_id, "%s %s: %s: %s",
		rq->method, rq->route ? rq->route->op : "-", rq->error_name, e->msg);
}

void reply_errf(struct req *rq, enum err code, const char *fmt, ...)
{
	struct apierr e = {0};
	va_list ap;
	va_start(ap, fmt);
	err_vset(&e, code, fmt, ap);
	va_end(ap);
	reply_error(rq, &e);
}

void req_hold(struct req *rq, unsigned seconds, int64_t seen)
{
	assert(!rq->replied && "a request held after answering");
	rq->tp->hold(rq, seconds, seen);
}

void req_defer(struct req *rq)
{
	assert(!rq->replied && "a request deferred after answering");
	rq->tp->suspend(rq);
}

void req_resume(struct req *rq)
{
	rq->tp->resume(rq);
}

void req_free(struct req *rq)
{
	if (!rq)
		return;
	for (unsigned i = 0; i < ROUTE_MAX_PARAMS; i++)
		free(rq->params[i]);
	json_decref(rq->body);
	free(rq->upload);
	free(rq->path);
	free(rq->resp);
	free(rq);
}
