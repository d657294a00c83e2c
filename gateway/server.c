/* server.c — libwebsockets glue: one service thread for every connection (no thread per
 * connection); upgrades run $connect before the 101 (docs/aws-behaviour.md §D2.1), messages are
 * routed (§D3.1) and their integrations queued to the pool (integ.c), answers and error frames
 * (§D3.2) sent when the pool wakes the loop; $disconnect on every close (§D2.2). */
#include "server.h"

#include <jansson.h>
#include <libwebsockets.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "accept.h"
#include "config.h"
#include "conn.h"
#include "connect.h"
#include "event.h"
#include "http.h"
#include "ids.h"
#include "integ.h"
#include "metrics.h"
#include "mgmt.h"
#include "mgmt_auth.h"
#include "routesel.h"
#include "transform.h"

static struct gw_server_opts opts;
static struct lws_context *context;
static struct lws_vhost *vhost; /* serves the sockets accept.c hands over */
static int bound_port;		/* atomic: gw_server_port */

int gw_server_port(void)
{
	return __atomic_load_n(&bound_port, __ATOMIC_ACQUIRE);
}

/* What an upgrade's $connect left for the ESTABLISHED callback, keyed by wsi. */
struct pending {
	struct pending *next;
	struct lws *wsi;
	struct gw_conn c;
};
static struct pending *pendings;

struct pss {
	struct gw_conn c;      /* WebSocket connections */
	char *body;	       /* HTTP: request body, owned */
	size_t body_len;       /* its length */
	int too_big;	       /* HTTP: body over the PostToConnection limit */
	enum gw_method method; /* HTTP: method */
	char path[1024];       /* HTTP: decoded path */
};

void gw_server_wake(void *unused)
{
	(void)unused;
	if (context)
		lws_cancel_service(context);
}

static enum gw_method method_of(struct lws *wsi)
{
	if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI))
		return GW_GET;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI))
		return GW_POST;
	if (lws_hdr_total_length(wsi, WSI_TOKEN_DELETE_URI))
		return GW_DELETE;
	return GW_OTHER;
}

static void send_error_frame(struct gw_conn *c, const char *msg, const char *rid)
{
	char buf[256];
	int n = snprintf(buf, sizeof buf,
			 "{\"message\": \"%s\", \"connectionId\":\"%s\", \"requestId\":\"%s\"}",
			 msg, c->id, rid);
	gw_conn_send(c, buf, (size_t)n);
}

/* The route a message selects (§D3.1): exact key, else $default; never $connect/$disconnect. */
static json_t *select_route(const struct gw_stage *s, const char *body, size_t len)
{
	json_t *doc = len ? json_loadb(body, len, JSON_DECODE_ANY, NULL) : NULL;
	char *key = gw_routesel_eval(s->rse, doc);
	json_t *route = NULL;
	if (key && strcmp(key, "$connect") && strcmp(key, "$disconnect"))
		route = gw_stage_route(s, key);
	if (!route)
		route = gw_stage_route(s, "$default");
	free(key);
	json_decref(doc);
	return route;
}

/* Keeps in j what the answer's mapping needs (transform.h): non-proxy jobs only. */
static void keep_for_answer(struct gw_job *j, struct gw_stage *s, json_t *route, const char *mid,
			    const char *body, size_t len)
{
	if (!strcmp(j->type, "AWS_PROXY") || !strcmp(j->type, "HTTP_PROXY"))
		return;
	j->stage = gw_stage_ref(s);
	j->route = route;
	if (mid)
		snprintf(j->message_id, sizeof j->message_id, "%s", mid);
	j->msg = malloc(len + 1);
	if (j->msg) {
		memcpy(j->msg, body, len);
		j->msg[len] = '\0';
		j->msg_len = len;
	}
}

/* What a completed job sends (§D4.2, §D6, §D3.2): the answer or an error frame to its
 * connection, if still open ($disconnect jobs: nothing). Frees j. */
static void answer(struct gw_job *j)
{
	struct gw_conn *c = j->event == GW_MESSAGE ? gw_conn_find(j->conn_id) : NULL;
	char *frame = NULL;
	size_t len = 0;
	int rc = j->outcome == GW_TIMEOUT ? -2 : j->outcome != GW_OK ? -1 : 0;
	if (c && rc == 0) {
		struct gw_xform x = {.s = j->stage,
				     .c = c,
				     .ev = j->event,
				     .route_key = j->route_key,
				     .request_id = j->request_id,
				     .message_id = j->message_id,
				     .body = j->msg,
				     .body_len = j->msg_len};
		rc = gw_transform_response(&x, j, &frame, &len);
	}
	gw_metrics_integration(j->latency_ms, rc < 0);
	if (c && !c->close_code) {
		if (rc == -2)
			send_error_frame(c, "Endpoint request timed out", j->request_id);
		else if (rc < 0)
			send_error_frame(c, "Internal server error", j->request_id);
		else if (rc > 0) {
			gw_conn_send(c, frame, len);
			c->last_active = gw_now_ms();
		}
	}
	free(frame);
	gw_job_free(j);
}

/* Completed jobs of the pool. */
static void drain_done(void)
{
	struct gw_job *j;
	while ((j = gw_integ_take_done()))
		answer(j);
}

static void on_message(struct gw_conn *c, const char *body, size_t len)
{
	char rid[GW_ID_LEN + 1], mid[GW_ID_LEN + 1];
	gw_id_new(rid);
	gw_id_new(mid);
	c->last_active = gw_now_ms();
	struct gw_stage *s = gw_config_get(c->api_id, c->stage);
	json_t *route = s ? select_route(s, body, len) : NULL;
	char *payload = NULL;
	size_t plen = 0;
	bool err = false;
	if (!route) {
		gw_metrics_client_error();
		send_error_frame(c, "Forbidden", rid);
		goto out;
	}
	const char *key = json_string_value(json_object_get(route, "routeKey"));
	gw_metrics_message(c->api_id, c->stage, key);
	const char *type = json_string_value(
		json_object_get(json_object_get(route, "integration"), "integrationType"));
	if (!type)
		goto out; /* no integration: nothing to call, nothing to answer */
	/* What the request template, the request parameters and $context see. */
	struct gw_xform x = {.s = s,
			     .c = c,
			     .ev = GW_MESSAGE,
			     .route_key = key,
			     .request_id = rid,
			     .message_id = mid,
			     .body = body,
			     .body_len = len};
	if (!strcmp(type, "AWS_PROXY")) {
		payload = gw_event_build(GW_MESSAGE, s, c, key, rid, mid, body, len, NULL, NULL);
		plen = payload ? strlen(payload) : 0;
	} else {
		enum gw_xform_outcome xo = gw_transform_request(&x, route, &payload, &plen);
		if (xo == GW_XFORM_UNSUPPORTED) {
			gw_metrics_client_error();
			send_error_frame(c, "Unsupported Media Type", rid);
			goto out;
		}
	}
	struct gw_job *j = payload ? gw_integ_prepare(s, route, GW_MESSAGE, c->id, rid, payload,
						      plen, NULL, &err)
				   : NULL;
	if (!payload || err) {
		gw_metrics_integration(0, 1);
		send_error_frame(c, "Internal server error", rid);
	} else if (j) {
		if (gw_transform_params(&x, route, j)) {
			gw_job_free(j);
			gw_metrics_integration(0, 1);
			send_error_frame(c, "Internal server error", rid);
			goto out;
		}
		keep_for_answer(j, s, route, mid, body, len);
		if (!j->url) {
			/* MOCK: no backend, so no trip through the pool's completion queue. */
			gw_integ_perform(j);
			answer(j);
		} else {
			gw_integ_submit(j);
		}
	}
out:
	free(payload);
	gw_stage_release(s);
}

/* Refuses an upgrade that did not come through the accept pool (a later request on a kept-alive
 * HTTP connection): $connect is only decided there. */
static int refuse(struct lws *wsi, unsigned status)
{
	unsigned char buf[LWS_PRE + 512];
	size_t n = gw_connect_refusal(status, (char *)buf + LWS_PRE, sizeof buf - LWS_PRE);
	lws_write(wsi, buf + LWS_PRE, n, LWS_WRITE_HTTP_FINAL);
	return -1;
}

/* Hands accepted sockets to libwebsockets: a decided upgrade's connection is kept as pending,
 * keyed by its wsi, for CONFIRM_UPGRADE and ESTABLISHED (docs/gateway.md). Adopting only adds
 * the socket to the poll set; its head is read and parsed in a later service. */
static void drain_handoffs(void)
{
	struct gw_handoff *h;
	while ((h = gw_accept_take())) {
		if (h->stats.integration >= 0)
			gw_metrics_integration(h->stats.latency_ms, h->stats.integration);
		if (h->refused && h->refused < 500)
			gw_metrics_client_error();
		struct pending *p = h->conn ? calloc(1, sizeof *p) : NULL;
		if (!h->refused && (!h->conn || p)) {
			struct lws *wsi = lws_adopt_socket_vhost(vhost, h->fd);
			h->fd = -1; /* libwebsockets' from here, even when adopting failed */
			if (wsi && p) {
				p->wsi = wsi;
				p->c = *h->conn;
				memset(h->conn, 0, sizeof *h->conn);
				p->next = pendings;
				pendings = p;
				p = NULL;
			}
		}
		free(p);
		gw_handoff_free(h);
	}
}

/* The upgrade: decided by the accept pool already (pending for this wsi); an upgrade that did
 * not come through it (a later request on a kept-alive connection) is refused. */
static int confirm_upgrade(struct lws *wsi)
{
	for (struct pending *p = pendings; p; p = p->next)
		if (p->wsi == wsi)
			return 0;
	return refuse(wsi, 400);
}

static void arm_timer(struct gw_conn *c)
{
	long long now = gw_now_ms();
	long long due = c->last_active + opts.idle_ms;
	if (c->connected_at + opts.duration_ms < due)
		due = c->connected_at + opts.duration_ms;
	long long wait = due - now;
	if (wait < 1)
		wait = 1;
	lws_set_timer_usecs(c->wsi, (lws_usec_t)wait * 1000);
}

static void run_disconnect(struct gw_conn *c)
{
	struct gw_stage *s = gw_config_get(c->api_id, c->stage);
	json_t *route = s ? gw_stage_route(s, "$disconnect") : NULL;
	if (route) {
		char rid[GW_ID_LEN + 1];
		bool err = false;
		gw_id_new(rid);
		const char *type = json_string_value(
			json_object_get(json_object_get(route, "integration"), "integrationType"));
		char *event = NULL;
		size_t elen = 0;
		if (type && !strcmp(type, "AWS_PROXY")) {
			event = gw_event_build(GW_DISCONNECT, s, c, "$disconnect", rid, NULL, NULL,
					       0, NULL, NULL);
			elen = event ? strlen(event) : 0;
		} else if (type) {
			struct gw_xform x = {.s = s,
					     .c = c,
					     .ev = GW_DISCONNECT,
					     .route_key = "$disconnect",
					     .request_id = rid};
			gw_transform_request(&x, route, &event, &elen);
		}
		struct gw_job *j = event ? gw_integ_prepare(s, route, GW_DISCONNECT, c->id, rid,
							    event, elen, NULL, &err)
					 : NULL;
		struct gw_xform x = {.s = s,
				     .c = c,
				     .ev = GW_DISCONNECT,
				     .route_key = "$disconnect",
				     .request_id = rid};
		if (j && gw_transform_params(&x, route, j)) {
			gw_job_free(j);
			j = NULL;
		}
		if (j)
			gw_integ_submit(j);
		free(event);
	}
	gw_stage_release(s);
}

static int ws_receive(struct lws *wsi, struct gw_conn *c, const char *in, size_t len)
{
	if (c->close_code)
		return 0;
	if (lws_frame_is_binary(wsi)) {
		gw_conn_close(c, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, "Unsupported data");
		return 0;
	}
	c->frame_len += len;
	if (c->frame_len > opts.max_frame || c->rx_len + len > opts.max_message) {
		gw_conn_close(c, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, "Message too big");
		return 0;
	}
	if (lws_remaining_packet_payload(wsi) == 0)
		c->frame_len = 0;
	if (c->rx_len + len + 1 > c->rx_cap) {
		size_t cap = (c->rx_len + len + 1) * 2;
		char *p = realloc(c->rx, cap);
		if (!p)
			return -1;
		c->rx = p;
		c->rx_cap = cap;
	}
	memcpy(c->rx + c->rx_len, in, len);
	c->rx_len += len;
	c->rx[c->rx_len] = '\0';
	if (lws_is_final_fragment(wsi) && lws_remaining_packet_payload(wsi) == 0) {
		size_t n = c->rx_len;
		c->rx_len = 0;
		c->frame_len = 0;
		on_message(c, c->rx, n);
	}
	return 0;
}

static int ws_writeable(struct lws *wsi, struct gw_conn *c)
{
	struct gw_frame *f = c->out_head;
	if (f) {
		c->out_head = f->next;
		if (!c->out_head)
			c->out_tail = NULL;
		int n = lws_write(wsi, f->data + LWS_PRE, f->len, LWS_WRITE_TEXT);
		free(f);
		if (n < 0)
			return -1;
		if (c->out_head || c->close_code)
			lws_callback_on_writable(wsi);
		return 0;
	}
	if (c->close_code) {
		if (!c->disc_code) {
			c->disc_code = c->close_code;
			snprintf(c->disc_reason, sizeof c->disc_reason, "%s", c->close_reason);
		}
		lws_close_reason(wsi, (enum lws_close_status)c->close_code,
				 (unsigned char *)c->close_reason, strlen(c->close_reason));
		return -1;
	}
	return 0;
}

/* Answers the HTTP request of p (body: its body, borrowed, or NULL). p may be freed by the
 * answer: callers must not touch it afterwards. */
static int http_request(struct lws *wsi, struct pss *p, const char *body)
{
	char api[64], stage[160], host[256] = "";
	const char *rest = "";
	const char *path = p->path;
	if (!strcmp(path, "/_gateway/health"))
		return gw_http_reply(wsi, 200, "application/json", NULL, "{\"status\":\"ok\"}", 15);
	if (!strcmp(path, "/_gateway/ready"))
		return gw_config_ready() ? gw_http_reply(wsi, 200, "application/json", NULL,
							 "{\"ready\":true}", 14)
					 : gw_http_reply(wsi, 503, "application/json", NULL,
							 "{\"ready\":false}", 15);
	if (!strcmp(path, "/metrics")) {
		size_t len = 0;
		char *text = gw_metrics_render(gw_conn_count(), &len);
		int rc = gw_http_reply(wsi, 200, "text/plain; version=0.0.4", NULL,
				       text ? text : "", text ? len : 0);
		free(text);
		return rc;
	}
	static const char conns[] = "/@connections/";
	lws_hdr_copy(wsi, host, sizeof host, WSI_TOKEN_HOST);
	if (gw_target(host, path, api, sizeof api, stage, sizeof stage, &rest) == 0 &&
	    !strncmp(rest, conns, sizeof conns - 1) && rest[sizeof conns - 1] &&
	    !strchr(rest + sizeof conns - 1, '/')) {
		static const char *const names[] = {"GET", "POST", "DELETE", "OTHER"};
		int rc = 0;
		if (!gw_mgmt_auth_or_reply(wsi, names[p->method], path, body, p->body_len, &rc))
			return rc;
		return gw_mgmt_handle(wsi, p->method, api, stage, rest + sizeof conns - 1, body,
				      p->body_len, p->too_big);
	}
	return gw_http_reply(wsi, 403, "application/json", "ForbiddenException",
			     "{\"message\":\"Forbidden\"}", 23);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		    size_t len)
{
	struct pss *p = user;
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		snprintf(p->path, sizeof p->path, "%s", (const char *)in);
		p->method = method_of(wsi);
		if (p->method == GW_POST) {
			p->body_len = 0;
			p->too_big = 0;
			return 0; /* the body follows */
		}
		return http_request(wsi, p, NULL);
	case LWS_CALLBACK_HTTP_BODY:
		if (p->body_len + len > opts.max_post) {
			p->too_big = 1;
			return 0;
		}
		{
			char *b = realloc(p->body, p->body_len + len + 1);
			if (!b)
				return -1;
			memcpy(b + p->body_len, in, len);
			p->body = b;
			p->body_len += len;
		}
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION: {
		/* Answering may complete the HTTP transaction, and libwebsockets then frees p: the
		 * body is taken out of p first and p not touched after. */
		char *body = p->body;
		p->body = NULL;
		int rc = http_request(wsi, p, body);
		free(body);
		return rc;
	}
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
	case LWS_CALLBACK_CLOSED_HTTP:
		if (p) {
			free(p->body);
			p->body = NULL;
			p->body_len = 0;
		}
		return 0;
	case LWS_CALLBACK_HTTP_CONFIRM_UPGRADE: return confirm_upgrade(wsi);
	case LWS_CALLBACK_ESTABLISHED: {
		struct pending **pp = &pendings;
		while (*pp && (*pp)->wsi != wsi)
			pp = &(*pp)->next;
		if (!*pp)
			return -1;
		struct pending *pe = *pp;
		*pp = pe->next;
		memset(p, 0, sizeof *p);
		p->c = pe->c;
		free(pe);
		p->c.wsi = wsi;
		gw_conn_register(&p->c);
		gw_metrics_connect();
		arm_timer(&p->c);
		return 0;
	}
	case LWS_CALLBACK_RECEIVE: return ws_receive(wsi, &p->c, in, len);
	case LWS_CALLBACK_SERVER_WRITEABLE: return ws_writeable(wsi, &p->c);
	case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
		if (!p->c.disc_code) {
			const unsigned char *b = in;
			p->c.disc_code = len >= 2 ? (b[0] << 8) | b[1] : 1005;
			snprintf(p->c.disc_reason, sizeof p->c.disc_reason, "%.*s",
				 len > 2 ? (int)(len - 2) : 0, len > 2 ? (const char *)b + 2 : "");
		}
		return 0;
	case LWS_CALLBACK_TIMER: {
		struct gw_conn *c = &p->c;
		long long now = gw_now_ms();
		if (now >= c->last_active + opts.idle_ms ||
		    now >= c->connected_at + opts.duration_ms) {
			gw_conn_close(c, 1001, "Going away");
			lws_set_timer_usecs(wsi, 2000000); /* a peer that never answers the close */
			if (c->disc_code == 0) {
				c->disc_code = 1001;
				snprintf(c->disc_reason, sizeof c->disc_reason, "Going away");
			}
			return now >= c->last_active + opts.idle_ms + 2000 ? -1 : 0;
		}
		arm_timer(c);
		return 0;
	}
	case LWS_CALLBACK_CLOSED:
		if (p->c.established) {
			gw_conn_unregister(&p->c);
			if (!p->c.disc_code) {
				p->c.disc_code = 1006;
				snprintf(p->c.disc_reason, sizeof p->c.disc_reason, "Going away");
			}
			p->c.wsi = NULL;
			run_disconnect(&p->c);
		}
		gw_conn_clear(&p->c);
		return 0;
	case LWS_CALLBACK_WSI_DESTROY: {
		/* An upgrade accepted but never established: drop what $connect kept. */
		for (struct pending **pp = &pendings; *pp; pp = &(*pp)->next)
			if ((*pp)->wsi == wsi) {
				struct pending *pe = *pp;
				*pp = pe->next;
				gw_conn_clear(&pe->c);
				free(pe);
				break;
			}
		return 0;
	}
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED: drain_done(); return 0;
	default: return 0;
	}
}

static const struct lws_protocols protocols[] = {
	{"apigwd", callback, sizeof(struct pss), 65536, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

int gw_server_run(const struct gw_server_opts *o, volatile sig_atomic_t *stop)
{
	struct lws_context_creation_info info;
	opts = *o;
	lws_set_log_level(LLL_ERR, NULL);
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN_SERVER;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_EXPLICIT_VHOSTS;
	info.timeout_secs = 30;
	context = lws_create_context(&info);
	vhost = context ? lws_create_vhost(context, &info) : NULL;
	/* accept.c listens and reads each head before libwebsockets sees the socket. */
	int port =
		vhost ? gw_accept_start(o->host, o->port, o->connect_threads, gw_server_wake) : -1;
	if (port < 0) {
		fprintf(stderr, "apigwd-gateway: cannot serve on %s:%d\n", o->host, o->port);
		__atomic_store_n(&bound_port, -1, __ATOMIC_RELEASE);
		if (context)
			lws_context_destroy(context);
		context = NULL;
		return -1;
	}
	fprintf(stderr, "apigwd-gateway: listening on ws://%s:%d\n", o->host, port);
	if (o->port_file) {
		char tmp[1100];
		snprintf(tmp, sizeof tmp, "%s.tmp", o->port_file);
		FILE *f = fopen(tmp, "w");
		if (f) {
			fprintf(f, "%d\n", port);
			fclose(f);
			rename(tmp, o->port_file);
		}
	}
	__atomic_store_n(&bound_port, port, __ATOMIC_RELEASE);
	/* Handoffs are adopted between services, not inside a callback: adopting services the
	 * new socket at once, which libwebsockets does not expect from within another wsi's
	 * callback (it spins). lws_cancel_service makes lws_service return. */
	while (!*stop) {
		if (lws_service(context, 0) < 0)
			break;
		drain_handoffs();
	}
	gw_accept_stop();
	lws_context_destroy(context);
	context = NULL;
	vhost = NULL;
	return 0;
}
