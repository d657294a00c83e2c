/* http.c — the request lifecycle on libmicrohttpd, the top of the server: receives a request,
 * runs the generic checks once before any handler (body size, caller identity, rate, target,
 * route, JSON, data-plane token), runs the route (router.c), and sends the answer, the request
 * log line and the metrics. Handlers reach the request only through request.h, whose
 * transport operations are implemented here. */
#include "http.h"
#include "request.h"

#include <arpa/inet.h>
#include <assert.h>
#include <ctype.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <uuid/uuid.h>

#include "auth.h"
#include "jspec.h"
#include "log.h"
#include "metrics.h"
#include "park.h"
#include "reqlimits.h"
#include "router.h"
#include "server.h"

/* What the lifecycle keeps of one request beyond what handlers see (request.h). The
 * `struct req` comes first, so the request API's pointer is this struct's (conn_of). */
struct conn {
	struct req rq;		    /* what handlers see; first member */
	struct MHD_Connection *mhd; /* borrowed from libmicrohttpd */
	struct timespec start;	    /* when the request arrived (CLOCK_MONOTONIC) */
	bool too_large;		    /* body exceeded the limit and was discarded */
	bool dispatched;	    /* the generic checks ran; the handler was called */
	bool deferred;		    /* suspended until req_resume (group commit) */
	bool held;		    /* the handler asked to wait instead of answering */
	struct timespec hold_until; /* when the wait ends (CLOCK_MONOTONIC) */
	int64_t hold_rev;	    /* the revision the handler saw */
	char allow[64];		    /* Allow header for 405, or "" */
};

static const struct req_transport mhd_transport;

static struct conn *conn_of(const struct req *rq)
{
	assert(rq->tp == &mhd_transport && rq->conn == rq);
	return (struct conn *)rq->conn;
}

/* ---- the request API's transport (request.h) ---- */

static const char *tp_header(const struct req *rq, const char *name)
{
	return MHD_lookup_connection_value(conn_of(rq)->mhd, MHD_HEADER_KIND, name);
}

static const char *tp_query_raw(const struct req *rq, const char *name)
{
	/* Arguments reach us still percent-encoded: see keep_raw below. */
	return MHD_lookup_connection_value(conn_of(rq)->mhd, MHD_GET_ARGUMENT_KIND, name);
}

struct each {
	req_pair_fn fn;
	void *ctx;
};

static enum MHD_Result each_pair(void *cls, enum MHD_ValueKind kind, const char *key,
				 const char *value)
{
	struct each *e = cls;
	(void)kind;
	return e->fn(e->ctx, key, value) ? MHD_YES : MHD_NO;
}

static void tp_each(const struct req *rq, enum req_kind kind, req_pair_fn fn, void *ctx)
{
	struct each e = {fn, ctx};
	MHD_get_connection_values(conn_of(rq)->mhd,
				  kind == REQ_HEADER ? MHD_HEADER_KIND : MHD_GET_ARGUMENT_KIND,
				  each_pair, &e);
}

static void tp_hold(struct req *rq, unsigned seconds, int64_t seen)
{
	struct conn *c = conn_of(rq);
	if (!c->hold_until.tv_sec) {
		clock_gettime(CLOCK_MONOTONIC, &c->hold_until);
		c->hold_until.tv_sec += seconds;
	}
	c->held = true;
	c->hold_rev = seen;
}

static void tp_suspend(struct req *rq)
{
	struct conn *c = conn_of(rq);
	c->deferred = true;
	MHD_suspend_connection(c->mhd);
}

static void tp_resume(struct req *rq)
{
	MHD_resume_connection(conn_of(rq)->mhd);
}

static const struct req_transport mhd_transport = {
	.header = tp_header,
	.query_raw = tp_query_raw,
	.each = tp_each,
	.hold = tp_hold,
	.suspend = tp_suspend,
	.resume = tp_resume,
};

/* The parking lot's wake function (park.h): the wait ended or a change concerns rq. */
void http_wake(struct req *rq, bool expired)
{
	rq->hold_expired = expired;
	MHD_resume_connection(conn_of(rq)->mhd);
}

/* ---- the lifecycle ---- */

static double elapsed_ms(const struct timespec *start)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) * 1e3 +
	       (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

/* Copies at most len - 1 bytes of s into out, ending on a UTF-8 character boundary and with
 * every control byte replaced by '?', for messages and the log. Returns out. */
static char *clip(const char *s, char *out, size_t len)
{
	size_t n = 0;
	for (; s[n] && n + 1 < len; n++)
		out[n] = (unsigned char)s[n] < 0x20 || s[n] == 0x7F ? '?' : s[n];
	if (s[n]) { /* cut short: drop a multibyte character left incomplete */
		size_t lead = n;
		while (lead > 0 && ((unsigned char)out[lead - 1] & 0xC0) == 0x80)
			lead--;
		if (lead > 0 && (unsigned char)out[lead - 1] >= 0xC0) {
			unsigned char b = (unsigned char)out[--lead];
			if (lead + (b >= 0xF0 ? 4u : b >= 0xE0 ? 3u : 2u) > n)
				n = lead;
		}
	}
	out[n] = '\0';
	return out;
}

/* Whether the request target is well formed once percent-decoded: every '%' starts a
 * two-digit hex escape, and the decoded bytes are UTF-8 without control characters (an
 * encoded NUL would cut an id short in C, a newline would forge request-log lines, and
 * neither can be written into a JSON error message). */
static bool target_ok(const char *url)
{
	unsigned need = 0; /* UTF-8 continuation bytes still expected */
	for (const char *p = url; *p; p++) {
		unsigned char b = (unsigned char)*p;
		if (b == '%') {
			if (!isxdigit((unsigned char)p[1]) || !isxdigit((unsigned char)p[2]))
				return false;
			char hex[3] = {p[1], p[2], '\0'};
			b = (unsigned char)strtoul(hex, NULL, 16);
			p += 2;
		}
		if (need) {
			if ((b & 0xC0) != 0x80)
				return false;
			need--;
			continue;
		}
		if (b < 0x20 || b == 0x7F)
			return false;
		if (b < 0x80)
			continue;
		if (b >= 0xC2 && b <= 0xDF)
			need = 1;
		else if (b >= 0xE0 && b <= 0xEF)
			need = 2;
		else if (b >= 0xF0 && b <= 0xF4)
			need = 3;
		else
			return false;
	}
	return need == 0;
}

static enum MHD_Result query_arg_ok(void *cls, enum MHD_ValueKind kind, const char *key,
				    const char *value)
{
	bool *ok = cls;
	(void)kind;
	if (!target_ok(key) || (value && !target_ok(value)))
		*ok = false;
	return *ok ? MHD_YES : MHD_NO;
}

/* The query's names and values obey the path's rules (they reach us still encoded): a %00
 * would otherwise cut a value short where handlers read it. */
static bool query_ok(struct conn *c)
{
	bool ok = true;
	MHD_get_connection_values(c->mhd, MHD_GET_ARGUMENT_KIND, query_arg_ok, &ok);
	return ok;
}

/* Runs the route with a database connection. Leaves an answer in rq, or c->held, or
 * c->deferred. */
static void run_handler(struct conn *c)
{
	struct req *rq = &c->rq;
	struct db *mine = db_acquire(rq->srv->pool);
	c->held = false;
	rq->db = mine;
	router_run(rq);
	/* After req_defer() the request belongs to the writer thread until it resumes it:
	 * touch nothing of it but our own flag. */
	if (!c->deferred) {
		rq->db = NULL;
		assert(!(rq->replied && c->held) && "a request both answered and held");
		if (!rq->replied && !c->held)
			reply_errf(rq, E_INTERNAL, "The operation gave no answer");
	}
	db_release(rq->srv->pool, mine);
}

/* Everything generic, then the handler. Leaves an answer in rq, or c->held. The route is
 * matched first (its row carries the policy: auth exemption, body, data-plane token) but its
 * outcome answered in the order the checks always had: size, identity, rate, target, route. */
static void dispatch(struct conn *c)
{
	struct req *rq = &c->rq;
	struct server *srv = rq->srv;
	char method[17], path[257];
	enum route_result match = ROUTE_NO_PATH;
	if (target_ok(rq->path))
		match = router_match(rq->method, rq->path, &rq->route, rq->params, c->allow,
				     sizeof c->allow);
	if (match != ROUTE_FOUND)
		rq->route = NULL;
	if (c->too_large) {
		reply_errf(rq, E_TOO_LARGE, "Request body exceeds the limit of %zu bytes",
			   srv->cfg.max_body);
		return;
	}
	/* Who is calling (auth.c: SigV4 under --auth sigv4), then the account's rate limit. */
	if (!auth_resolve_or_reply(rq) || !limits_admit_or_reply(rq))
		return;
	if (!target_ok(rq->path)) {
		reply_errf(rq, E_BAD_REQUEST,
			   "Invalid request path: malformed percent-encoding, "
			   "control characters or invalid UTF-8");
		return;
	}
	if (!query_ok(c)) {
		reply_errf(rq, E_BAD_REQUEST,
			   "Invalid query string: malformed percent-encoding, "
			   "control characters or invalid UTF-8");
		return;
	}
	switch (match) {
	case ROUTE_FOUND: break;
	case ROUTE_NO_METHOD:
		reply_errf(rq, E_METHOD_NOT_ALLOWED, "Method %s is not allowed on %s",
			   clip(rq->method, method, sizeof method),
			   clip(rq->path, path, sizeof path));
		return;
	case ROUTE_BAD_PATH: reply_errf(rq, E_BAD_REQUEST, "Invalid request path"); return;
	case ROUTE_NO_PATH:
	default:
		reply_errf(rq, E_NOT_FOUND, "No operation at %s %s",
			   clip(rq->method, method, sizeof method),
			   clip(rq->path, path, sizeof path));
		return;
	}
	const char *api_id = req_param(rq, "apiId");
	if (api_id)
		snprintf(rq->log_api, sizeof rq->log_api, "%.15s", api_id);
	if (rq->upload_len && (rq->route->flags & ROUTE_BODY)) {
		json_error_t jerr;
		if (!json_depth_ok(rq->upload, rq->upload_len, JSON_MAX_DEPTH)) {
			reply_errf(rq, E_BAD_REQUEST,
				   "Could not parse request body into json: "
				   "nested deeper than %d levels",
				   JSON_MAX_DEPTH);
			return;
		}
		rq->body = json_loadb(rq->upload, rq->upload_len, JSON_REJECT_DUPLICATES, &jerr);
		if (!rq->body) {
			reply_errf(
				rq, E_BAD_REQUEST,
				"Could not parse request body into json: %s (line %d, column %d)",
				jerr.text, jerr.line, jerr.column);
			return;
		}
	}
	if (!auth_dataplane_or_reply(rq))
		return;
	c->dispatched = true;
	run_handler(c);
}

static enum MHD_Result queue_reply(struct conn *c)
{
	struct req *rq = &c->rq;
	struct MHD_Response *resp =
		MHD_create_response_from_buffer(rq->resp_len, rq->resp ? rq->resp : (void *)"",
						rq->resp ? MHD_RESPMEM_MUST_FREE
							 : MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	rq->resp = NULL; /* libmicrohttpd owns it now */
	MHD_add_response_header(resp, "x-amzn-RequestId", rq->request_id);
	if (rq->resp_len)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
					rq->content_type ? rq->content_type : "application/json");
	if (rq->error_name)
		MHD_add_response_header(resp, "x-amzn-ErrorType", rq->error_name);
	for (const char *const *h = rq->headers; h && h[0] && h[1]; h += 2)
		MHD_add_response_header(resp, h[0], h[1]);
	if (rq->etag[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, rq->etag);
	if (rq->status == 405 && c->allow[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, c->allow);
	enum MHD_Result r = MHD_queue_response(c->mhd, rq->status, resp);
	MHD_destroy_response(resp);
	return r;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct server *srv = cls;
	struct conn *c = *con_cls;
	struct req *rq = c ? &c->rq : NULL;
	(void)version;

	if (!c) {
		/* First call: headers only. Answering now would make libmicrohttpd close the
		 * connection ("early response"), so we only set up and wait for the next call. */
		c = calloc(1, sizeof *c);
		if (!c)
			return MHD_NO;
		rq = &c->rq;
		rq->tp = &mhd_transport;
		rq->conn = c;
		c->mhd = conn;
		uuid_t u;
		/* A version-4 UUID from OpenSSL's per-thread generator: libuuid reseeds on every
		 * call, which costs more than the rest of a GetIntegration's bookkeeping. */
		if (RAND_bytes(u, sizeof u) != 1)
			uuid_generate_random(u);
		u[6] = (unsigned char)((u[6] & 0x0F) | 0x40);
		u[8] = (unsigned char)((u[8] & 0x3F) | 0x80);
		uuid_unparse_lower(u, rq->request_id);
		clock_gettime(CLOCK_MONOTONIC, &c->start);
		rq->srv = srv;
		rq->method = method;
		rq->path = strdup(url);
		if (!rq->path) {
			free(c);
			return MHD_NO;
		}
		atomic_fetch_add(&srv->inflight, 1);
		*con_cls = c;
		/* Counted first, then the check: http_stop sets `stopping` before it waits for
		 * inflight to drain, so a request it did not wait for sees the flag and is answered
		 * here, never suspended (libmicrohttpd must not stop with suspended connections).
		 */
		if (atomic_load(&srv->stopping)) {
			c->dispatched = true;
			reply_errf(rq, E_UNAVAILABLE, "The server is shutting down");
			return queue_reply(c);
		}
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && strtoull(cl, NULL, 10) > srv->cfg.max_body)
			c->too_large = true;
		return MHD_YES;
	}
	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		if (c->too_large || rq->upload_len + n > srv->cfg.max_body) {
			c->too_large = true; /* keep reading (and dropping) to answer cleanly */
			return MHD_YES;
		}
		char *grown = realloc(rq->upload, rq->upload_len + n + 1);
		if (!grown)
			return MHD_NO;
		memcpy(grown + rq->upload_len, upload_data, n);
		rq->upload = grown;
		rq->upload_len += n;
		rq->upload[rq->upload_len] = '\0';
		return MHD_YES;
	}
	if (!c->dispatched) {
		dispatch(c);
	} else if (c->deferred) {
		c->deferred = false; /* resumed: the writer left the answer */
		assert(rq->replied && "a deferred request resumed without an answer");
		return queue_reply(c);
	} else if (c->held) {
		run_handler(c); /* resumed from the parking lot */
	}
	if (c->deferred)
		return MHD_YES; /* suspended until its write is durable */
	if (c->held && !rq->replied) {
		/* Suspend first, then park: whoever resumes it finds it suspended. */
		MHD_suspend_connection(conn);
		park_add(srv->park, rq, c->hold_rev, &c->hold_until);
		return MHD_YES;
	}
	return queue_reply(c);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct server *srv = cls;
	struct conn *c = *con_cls;
	(void)conn;
	(void)toe;
	if (!c)
		return;
	struct req *rq = &c->rq;
	double ms = elapsed_ms(&c->start);
	if (rq->replied)
		metrics_request(srv->metrics,
				rq->route ? (size_t)(rq->route - router_routes) : router_count,
				rq->status, ms / 1e3);
	if (!srv->cfg.quiet) {
		struct log_request line = {
			.request_id = rq->request_id,
			.method = rq->method,
			.path = rq->path,
			.op = rq->route ? rq->route->op : "-",
			.status = rq->status,
			.ms = ms,
			.account = rq->account,
			.api = rq->log_api,
		};
		log_request(&line);
	}
	req_free(rq); /* frees c: rq is its first member */
	*con_cls = NULL;
	atomic_fetch_sub(&srv->inflight, 1);
}

/* Keeps the URL exactly as sent: a path segment may hold an encoded '/' (tag ARNs), so the
 * router splits first and decodes each segment itself. Returns the string's length. */
static size_t keep_raw(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls;
	(void)c;
	return strlen(s);
}

/* Bytes of request line and headers a connection may hold (libmicrohttpd's default, made
 * explicit). */
enum { HTTP_MEMORY_LIMIT = 32 * 1024 };

int http_start(struct server *srv)
{
	struct sockaddr_in addr = {.sin_family = AF_INET,
				   .sin_port = htons((uint16_t)srv->cfg.port)};
	if (inet_pton(AF_INET, srv->cfg.listen_host, &addr.sin_addr) != 1) {
		fprintf(stderr, "apigwd: --listen: not an IPv4 address: %s\n",
			srv->cfg.listen_host);
		return -1;
	}
	srv->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
					    MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG,
				    0, NULL, NULL, on_request, srv, MHD_OPTION_SOCK_ADDR,
				    (struct sockaddr *)&addr, MHD_OPTION_THREAD_POOL_SIZE,
				    srv->cfg.threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed,
				    srv, MHD_OPTION_UNESCAPE_CALLBACK, keep_raw, NULL,
				    MHD_OPTION_CONNECTION_LIMIT, srv->cfg.max_connections,
				    MHD_OPTION_CONNECTION_TIMEOUT, srv->cfg.conn_timeout,
				    MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024,
				    /* HTTP/1.1 without Host and other protocol violations: 400. */
				    MHD_OPTION_STRICT_FOR_CLIENT, 1,
				    MHD_OPTION_PER_IP_CONNECTION_LIMIT, srv->cfg.max_conn_per_ip,
				    /* Request line + headers must fit in this per-connection pool:
				     * beyond it libmicrohttpd itself answers 414 (URL) or 431
				     * (headers) and closes. */
				    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HTTP_MEMORY_LIMIT,
				    MHD_OPTION_END);
	if (!srv->mhd) {
		fprintf(stderr, "apigwd: cannot listen on %s:%u\n", srv->cfg.listen_host,
			srv->cfg.port);
		return -1;
	}
	return 0;
}

unsigned http_port(const struct server *srv)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(srv->mhd, MHD_DAEMON_INFO_BIND_PORT);
	return info ? info->port : 0;
}

void http_stop(struct server *srv)
{
	if (!srv->mhd)
		return;
	MHD_quiesce_daemon(srv->mhd);	    /* stop accepting connections */
	atomic_store(&srv->stopping, true); /* new requests on open ones: 503 */
	park_close(srv->park);		    /* held requests answer now */
	/* Let requests already received finish, their writes included (bounded: 10 s). */
	for (int i = 0; i < 1000 && atomic_load(&srv->inflight) > 0; i++)
		usleep(10 * 1000);
	if (atomic_load(&srv->inflight) > 0) {
		/* Something is stuck; libmicrohttpd aborts when stopped with a suspended request,
		 * so leave it to the process exit. */
		fprintf(stderr, "apigwd: %u requests still in flight after 10 s; exiting anyway\n",
			atomic_load(&srv->inflight));
		return;
	}
	MHD_stop_daemon(srv->mhd);
	srv->mhd = NULL;
}
