/* bench-ws-echo.c — the WebSocket ceiling of scripts/bench-gateway: a libwebsockets server on
 * one service thread (as the gateway's event loop is) that sends every text message back.
 *
 *   bench-ws-echo PORT-FILE        listens on 127.0.0.1, a free port, written to PORT-FILE
 *
 * Build: cc -O2 -o bench-ws-echo bench-ws-echo.c $(pkg-config --cflags --libs libwebsockets) */
#include <libwebsockets.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ECHO_MAX 65536

struct echo_session {
	size_t len;			       /* bytes of the message being echoed */
	int pending;			       /* a complete message waits for WRITEABLE */
	unsigned char buf[LWS_PRE + ECHO_MAX]; /* LWS_PRE headroom, then the message */
};

static volatile sig_atomic_t stopping;

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static int echo_cb(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
		   size_t len)
{
	struct echo_session *s = user;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED: s->len = 0, s->pending = 0; break;
	case LWS_CALLBACK_RECEIVE:
		if (lws_is_first_fragment(wsi))
			s->len = 0;
		if (s->len + len > ECHO_MAX)
			return -1; /* bigger than any benchmark message */
		memcpy(s->buf + LWS_PRE + s->len, in, len);
		s->len += len;
		if (lws_is_final_fragment(wsi)) {
			s->pending = 1;
			lws_callback_on_writable(wsi);
		}
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE:
		if (!s->pending)
			break;
		s->pending = 0;
		if (lws_write(wsi, s->buf + LWS_PRE, s->len, LWS_WRITE_TEXT) < (int)s->len)
			return -1;
		break;
	default: break;
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{"echo", echo_cb, sizeof(struct echo_session), ECHO_MAX, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: bench-ws-echo PORT-FILE\n");
		return 2;
	}
	lws_set_log_level(LLL_ERR, NULL);
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof info);
	info.port = 0; /* a free one; read back below */
	info.iface = "127.0.0.1";
	info.protocols = protocols;
	info.fd_limit_per_thread = 20000;
	struct lws_context *ctx = lws_create_context(&info);
	if (!ctx) {
		fprintf(stderr, "bench-ws-echo: cannot create the context\n");
		return 1;
	}
	struct lws_vhost *vh = lws_get_vhost_by_name(ctx, "default");
	int port = vh ? lws_get_vhost_listen_port(vh) : -1;
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", argv[1]);
	FILE *f = fopen(tmp, "w");
	if (port <= 0 || !f || fprintf(f, "%d\n", port) < 0 || fclose(f) || rename(tmp, argv[1])) {
		fprintf(stderr, "bench-ws-echo: cannot report the port\n");
		lws_context_destroy(ctx);
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	while (!stopping && lws_service(ctx, 0) >= 0)
		;
	lws_context_destroy(ctx);
	return 0;
}
