/* quick_create.h — HTTP quick create (quick_create.c). */
#ifndef APIGWD_QUICK_CREATE_H
#define APIGWD_QUICK_CREATE_H

#include "res.h"

/* The server's api_written hook (server.h), which api_def's after_write calls: CreateApi with
 * `target` (HTTP quick create) creates the managed integration, the route and the auto-deploying
 * $default stage in the same transaction; UpdateApi's `target`, `credentialsArn` and `routeKey`
 * update that managed integration and route. `target` or `routeKey` sent for a WEBSOCKET API is
 * refused (400). Other operations (imports, internal edits) pass through. Returns E_OK or fills
 * c->err, which rolls the whole operation back. */
enum err api_quick_create(struct rctx *c, bool created);

#endif
