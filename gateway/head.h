/* head.h — the request head of a new connection as the client wrote it: the request line,
 * header names in the client's spelling and order, the query string. libwebsockets 4.1
 * lower-cases every header name and cannot list headers it does not know, while a CONNECT event
 * carries them all as sent (docs/aws-behaviour.md §D4.1); and the gateway must decide $connect
 * before libwebsockets answers the upgrade (docs/gateway.md "How $connect runs off the loop").
 * This is only a splitter for that: libwebsockets still parses and validates the head it is
 * handed afterwards. */
#ifndef GW_HEAD_H
#define GW_HEAD_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define GW_HEAD_MAX 16384 /* a request head longer than this is not split (lws answers it) */

struct gw_head {
	char method[16]; /* request method */
	char path[1024]; /* the path, percent-decoded, without the query */
	char host[256];	 /* Host, "" when absent */
	json_t *headers; /* name as sent -> value (a repeated name: the last), owned */
	json_t *multi;	 /* name as sent -> [values] in order, owned */
	json_t *query;	 /* name -> [values], percent-decoded, owned (empty: no query) */
	bool upgrade;	 /* a GET with Upgrade: websocket */
};

/* The length of the head at buf (through the blank line), or 0 when it is not complete yet. */
size_t gw_head_length(const char *buf, size_t len);
/* Splits the complete head (len bytes, from gw_head_length) into *h. Returns 0, or -1 when it
 * is not a well-formed HTTP/1.x request head (then h holds nothing to release). */
int gw_head_parse(const char *buf, size_t len, struct gw_head *h);
void gw_head_release(struct gw_head *h);

#endif
