/* conn.h — WebSocket connections: ids (docs/aws-behaviour.md §D2.4), the registry by id, the
 * outgoing frame queue and what events need to know about a connection. Used on the event-loop
 * thread only. */
#ifndef GW_CONN_H
#define GW_CONN_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ids.h"

struct lws;

struct gw_frame {
	struct gw_frame *next; /* queue link */
	size_t len;	       /* payload bytes */
	unsigned char data[];  /* LWS_PRE bytes of headroom, then the payload */
};

struct gw_conn {
	struct gw_conn *hnext;		      /* registry bucket link */
	struct lws *wsi;		      /* NULL once closed */
	char id[GW_ID_LEN + 1];		      /* connectionId */
	char api_id[64];		      /* API served */
	char stage[160];		      /* stage served */
	char domain[256];		      /* Host of the upgrade (domainName) */
	char source_ip[64];		      /* peer address */
	char *user_agent;		      /* owned, NULL when the client sent none */
	json_t *authorizer;		      /* requestContext.authorizer, owned, or NULL */
	long long connected_at;		      /* epoch ms */
	long long last_active;		      /* epoch ms of the last data frame either way */
	struct gw_frame *out_head, *out_tail; /* frames to send, owned */
	int close_code;			      /* > 0: close with it once the queue is sent */
	char close_reason[64];		      /* its reason */
	int disc_code;			      /* disconnectStatusCode for $disconnect */
	char disc_reason[64];		      /* disconnectReason */
	char *rx;			      /* message being reassembled, owned */
	size_t rx_len, rx_cap;		      /* its length and capacity */
	size_t frame_len;		      /* bytes of the current frame so far */
	bool established;		      /* registered (after the 101) */
};

/* Registry (event-loop thread only). */
void gw_conn_register(struct gw_conn *c);
void gw_conn_unregister(struct gw_conn *c);
/* The open connection with that id, borrowed, or NULL. */
struct gw_conn *gw_conn_find(const char *id);
size_t gw_conn_count(void);
/* Calls fn for every open connection. */
void gw_conn_foreach(void (*fn)(struct gw_conn *c, void *arg), void *arg);

/* Queues a text frame of len bytes (copied) and asks for a writable callback. Returns 0, -1
 * out of memory. */
int gw_conn_send(struct gw_conn *c, const char *data, size_t len);
/* Closes with code/reason after the queued frames. */
void gw_conn_close(struct gw_conn *c, int code, const char *reason);
/* Frees the queue, buffers and user agent (the struct itself belongs to libwebsockets). */
void gw_conn_clear(struct gw_conn *c);

#endif
