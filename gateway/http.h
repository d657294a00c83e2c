/* http.h — plain HTTP answers on the gateway's port (libwebsockets). */
#ifndef GW_HTTP_H
#define GW_HTTP_H

#include <stddef.h>

struct lws;

/* Sends a complete answer: status, Content-Type ctype (NULL: none), x-amzn-ErrorType etype
 * (NULL: none), body (len bytes). Returns what the HTTP callback must return. */
int gw_http_reply(struct lws *wsi, unsigned status, const char *ctype, const char *etype,
		  const char *body, size_t len);

#endif
