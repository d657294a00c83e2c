/* bench-ws-client.c — the load client of scripts/bench-gateway, on libwebsockets (one service
 * thread, no thread per connection). Prints one JSON line of results.
 *
 *   bench-ws-client msg     PORT PATH N M [BYTES]  N connections, each sends M text messages of
 *                                                  BYTES (default 64), one in flight at a time;
 *                                                  send→receive latency p50/p99, messages/s
 *   bench-ws-client connect PORT PATH N [C]        N connects (C at a time, default 64), each
 *                                                  closed (1000) once established; connects/s
 *   bench-ws-client idle    PORT PATH N [C]        opens N connections and holds them; prints
 *                                                  the result line when all are open, then
 *                                                  holds them until stdin closes
 *
 * Always 127.0.0.1. A connection that fails or closes early counts in "errors".
 * Build: cc -O2 -o bench-ws-client bench-ws-client.c $(pkg-config --cflags --libs libwebsockets)
 * -lm */
#include <libwebsockets.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum mode { MODE_MSG, MODE_CONNECT, MODE_IDLE };

struct conn {
	struct lws *wsi; /* NULL once closed */
	int sent;	 /* messages sent */
	int open;	 /* established and not closed */
	double t_send;	 /* when the message in flight was sent */
	size_t rx;	 /* bytes of the answer so far */
};

static struct {
	enum mode mode;
	struct lws_context *ctx;
	int port;
	const char *path;
	int n, m, conc;		/* connections, messages each, connects in flight */
	size_t bytes;		/* message size */
	unsigned char *payload; /* LWS_PRE + bytes */
	struct conn *conns;	/* n */
	int started, established, finished, errors, in_flight;
	long done_msgs;
	double *lat;   /* n*m latencies, ms */
	double t0, t1; /* measured interval */
	int measuring; /* msg mode: every connection is open, sending began */
} b;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void start_one(void)
{
	struct lws_client_connect_info ci;
	struct conn *c = &b.conns[b.started];
	memset(&ci, 0, sizeof ci);
	ci.context = b.ctx;
	ci.address = "127.0.0.1";
	ci.port = b.port;
	ci.path = b.path;
	ci.host = "127.0.0.1";
	ci.origin = "127.0.0.1";
	ci.userdata = c;
	ci.pwsi = &c->wsi;
	b.started++;
	b.in_flight++;
	if (!lws_client_connect_via_info(&ci)) {
		b.errors++;
		b.in_flight--;
		b.finished++;
	}
}

static void refill(void)
{
	while (b.started < b.n && b.in_flight < b.conc)
		start_one();
}

static int cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct conn *c = user;
	(void)in;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->open = 1;
		b.established++;
		if (b.mode == MODE_CONNECT) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
			return -1;
		}
		if (b.mode == MODE_IDLE) {
			b.in_flight--;
			refill();
			if (b.established + b.errors == b.n)
				b.t1 = now();
		}
		if (b.mode == MODE_MSG && b.established == b.n) {
			b.measuring = 1;
			b.t0 = now();
			for (int i = 0; i < b.n; i++)
				if (b.conns[i].wsi)
					lws_callback_on_writable(b.conns[i].wsi);
		}
		break;
	case LWS_CALLBACK_CLIENT_WRITEABLE:
		if (b.mode != MODE_MSG || !b.measuring || c->sent >= b.m || c->t_send)
			break;
		c->t_send = now();
		c->rx = 0;
		if (lws_write(wsi, b.payload + LWS_PRE, b.bytes, LWS_WRITE_TEXT) < (int)b.bytes)
			return -1;
		c->sent++;
		break;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		if (b.mode != MODE_MSG || !c->t_send)
			break;
		c->rx += len;
		if (!lws_is_final_fragment(wsi))
			break;
		b.lat[b.done_msgs++] = (now() - c->t_send) * 1000.0;
		c->t_send = 0;
		if (c->sent < b.m) {
			lws_callback_on_writable(wsi);
		} else {
			b.finished++;
			if (b.finished == b.n)
				b.t1 = now();
			lws_close_reason(wsi, LWS_CLOSE_STATUS_NORMAL, NULL, 0);
			return -1;
		}
		break;
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		if (c && c->open && b.mode == MODE_CONNECT)
			goto closed; /* lws reports our own close at ESTABLISHED this way */
		b.errors++;
		b.in_flight--;
		b.finished++;
		if (c)
			c->wsi = NULL;
		if (b.mode != MODE_MSG)
			refill();
		break;
	case LWS_CALLBACK_CLIENT_CLOSED:
	closed:
		if (c && c->wsi == NULL && b.mode == MODE_CONNECT && c->open == 2)
			break; /* counted already */
		if (c && b.mode == MODE_CONNECT)
			c->open = 2;
		if (c)
			c->wsi = NULL;
		if (b.mode == MODE_CONNECT) {
			b.in_flight--;
			b.finished++;
			if (b.finished == b.n)
				b.t1 = now();
			refill();
		} else if (b.mode == MODE_MSG && c && c->sent < b.m) {
			b.errors++;
			b.finished++; /* closed by the server before its last answer */
		} else if (b.mode == MODE_IDLE) {
			b.errors++; /* an idle connection must stay open */
		}
		break;
	default: break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{"bench", cb, 0, 65536, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, c = *(const double *)y;
	return (a > c) - (a < c);
}

static double pct(const double *v, long n, double p)
{
	if (n == 0)
		return 0;
	long i = (long)(p * (double)(n - 1) + 0.5);
	return v[i];
}

static int usage(void)
{
	fprintf(stderr, "usage: bench-ws-client msg PORT PATH N M [BYTES]\n"
			"       bench-ws-client connect|idle PORT PATH N [CONCURRENCY]\n");
	return 2;
}

int main(int argc, char **argv)
{
	if (argc < 5)
		return usage();
	if (!strcmp(argv[1], "msg"))
		b.mode = MODE_MSG;
	else if (!strcmp(argv[1], "connect"))
		b.mode = MODE_CONNECT;
	else if (!strcmp(argv[1], "idle"))
		b.mode = MODE_IDLE;
	else
		return usage();
	b.port = atoi(argv[2]);
	b.path = argv[3];
	b.n = atoi(argv[4]);
	b.conc = 64;
	b.bytes = 64;
	if (b.mode == MODE_MSG) {
		if (argc < 6)
			return usage();
		b.m = atoi(argv[5]);
		if (argc > 6)
			b.bytes = (size_t)atol(argv[6]);
		b.conc = b.n;
	} else if (argc > 5) {
		b.conc = atoi(argv[5]);
	}
	if (b.port <= 0 || b.n <= 0 || b.conc <= 0 || (b.mode == MODE_MSG && b.m <= 0) ||
	    b.bytes == 0)
		return usage();
	b.conns = calloc((size_t)b.n, sizeof *b.conns);
	b.payload = malloc(LWS_PRE + b.bytes);
	b.lat = b.mode == MODE_MSG ? calloc((size_t)b.n * (size_t)b.m, sizeof *b.lat) : NULL;
	if (!b.conns || !b.payload || (b.mode == MODE_MSG && !b.lat)) {
		fprintf(stderr, "bench-ws-client: out of memory\n");
		return 1;
	}
	/* A JSON message: the route selection expression finds no "action" → $default. */
	memset(b.payload + LWS_PRE, 'x', b.bytes);
	if (b.bytes >= 12) {
		memcpy(b.payload + LWS_PRE, "{\"m\":\"", 6);
		memcpy(b.payload + LWS_PRE + b.bytes - 2, "\"}", 2);
	}

	lws_set_log_level(LLL_ERR, NULL);
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.fd_limit_per_thread = (unsigned)b.n + 64;
	b.ctx = lws_create_context(&info);
	if (!b.ctx) {
		fprintf(stderr, "bench-ws-client: cannot create the context\n");
		return 1;
	}
	double start = now();
	b.t0 = start;
	refill();
	int reported = 0;
	while (lws_service(b.ctx, 0) >= 0) {
		if (b.mode != MODE_IDLE && b.finished >= b.n)
			break;
		if (b.mode == MODE_MSG && b.errors && !b.measuring &&
		    b.established + b.errors == b.n)
			break; /* some never opened: nothing will be sent */
		if (b.mode == MODE_IDLE && !reported && b.established + b.errors >= b.n) {
			printf("{\"mode\":\"idle\",\"conns\":%d,\"errors\":%d,\"open_secs\":%.3f}\n",
			       b.established, b.errors, b.t1 - b.t0);
			fflush(stdout);
			reported = 1;
		}
		if (b.mode == MODE_IDLE && reported) {
			struct pollfd p = {.fd = 0, .events = POLLIN};
			char c;
			if (poll(&p, 1, 0) > 0 && read(0, &c, 1) <= 0)
				break; /* stdin closed: done holding */
		}
	}
	if (!b.t1)
		b.t1 = now();
	double secs = b.t1 - b.t0;
	if (b.mode == MODE_MSG) {
		qsort(b.lat, (size_t)b.done_msgs, sizeof *b.lat, cmp_double);
		printf("{\"mode\":\"msg\",\"conns\":%d,\"msgs\":%ld,\"bytes\":%zu,\"errors\":%d,"
		       "\"secs\":%.3f,\"mps\":%.0f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
		       b.n, b.done_msgs, b.bytes, b.errors, secs,
		       secs > 0 ? (double)b.done_msgs / secs : 0, pct(b.lat, b.done_msgs, 0.50),
		       pct(b.lat, b.done_msgs, 0.99), pct(b.lat, b.done_msgs, 1.0));
	} else if (b.mode == MODE_CONNECT) {
		printf("{\"mode\":\"connect\",\"connects\":%d,\"errors\":%d,\"concurrency\":%d,"
		       "\"secs\":%.3f,\"cps\":%.0f}\n",
		       b.established, b.errors, b.conc, secs,
		       secs > 0 ? (double)b.established / secs : 0);
	}
	lws_context_destroy(b.ctx);
	free(b.conns);
	free(b.payload);
	free(b.lat);
	return b.errors ? 1 : 0;
}
