/* accept.h — the gateway's listening socket, read before libwebsockets sees a connection:
 * a thread accepts and reads each request head (head.c), a small pool decides WebSocket
 * upgrades ($connect: connect.c) — writing the refusal itself — and every other connection, or
 * an accepted upgrade with its decided gw_conn, is handed to the event loop, which gives the
 * socket (its head still unread) to libwebsockets (docs/gateway.md "How $connect runs off the
 * loop"). */
#ifndef GW_ACCEPT_H
#define GW_ACCEPT_H

#include <stddef.h>

#include "conn.h"
#include "connect.h"

/* One connection (or a refusal's statistics) for the event loop. */
struct gw_handoff {
	struct gw_handoff *next;       /* queue link */
	int fd;			       /* the socket, -1 for a refused upgrade (closed already) */
	char *head;		       /* owned: the bytes peeked at (still unread on the socket) */
	size_t len;		       /* their length */
	struct gw_conn *conn;	       /* owned: a decided upgrade's connection, or NULL */
	struct gw_connect_stats stats; /* for metrics */
	int refused;		       /* the status a refused upgrade was answered with, or 0 */
};

/* Listens on host:port (0: a free port) and starts the accept thread and `threads` decision
 * threads; wake(NULL) is called (from those threads) when a handoff is queued. Returns the bound
 * port, or -1 (logged). */
int gw_accept_start(const char *host, int port, int threads, void (*wake)(void *));
/* The next handoff (caller owns: gw_handoff_free), or NULL. Any thread. */
struct gw_handoff *gw_accept_take(void);
/* Frees h: its head, its connection (gw_conn_clear) and, when fd >= 0, closes the socket. */
void gw_handoff_free(struct gw_handoff *h);
/* Stops the threads, closes the listening socket and every connection not handed off. */
void gw_accept_stop(void);

#endif
