/* server.h — the gateway's libwebsockets server: one event loop, WebSocket upgrades at
 * /{apiId}/{stage} (or Host {apiId}.execute-api.* and /{stage}), @connections, health, ready and
 * metrics on the same port. */
#ifndef GW_SERVER_H
#define GW_SERVER_H

#include <signal.h>
#include <stddef.h>

struct gw_server_opts {
	const char *host;      /* loopback address to listen on */
	int port;	       /* 0: a free port */
	const char *port_file; /* the bound port is written there, or NULL */
	long idle_ms;	       /* idle timeout (§D2.3) */
	long duration_ms;      /* maximum connection duration */
	size_t max_frame;      /* frame limit (§D8) */
	size_t max_message;    /* message limit */
	size_t max_post;       /* PostToConnection limit */
	int connect_threads;   /* threads deciding $connect (accept.c); 0: 1 */
};

/* Serves until *stop is non-zero. Returns 0, or -1 when it could not listen (logged). */
int gw_server_run(const struct gw_server_opts *o, volatile sig_atomic_t *stop);
/* The bound port once listening, 0 before, -1 when listening failed. Any thread. */
int gw_server_port(void);
/* Wakes the event loop (any thread): completed integrations are picked up. */
void gw_server_wake(void *unused);

#endif
