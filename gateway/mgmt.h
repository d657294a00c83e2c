/* mgmt.h — the @connections management API (docs/aws-behaviour.md §D1.2). */
#ifndef GW_MGMT_H
#define GW_MGMT_H

#include <stddef.h>

struct lws;

enum gw_method { GW_GET, GW_POST, GW_DELETE, GW_OTHER };

/* Answers one @connections call for connection id (decoded) of api/stage; body: the POST
 * data. Returns what the HTTP callback must return. */
int gw_mgmt_handle(struct lws *wsi, enum gw_method m, const char *api_id, const char *stage,
		   const char *id, const char *body, size_t len, int too_big);

#endif
