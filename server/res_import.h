/* res_import.h — ImportApi, ReimportApi, ExportApi (HTTP APIs, OpenAPI 3.0 in JSON or YAML)
 * and HTTP quick create. The handlers themselves are declared in handlers.h. */
#ifndef APIGWD_RES_IMPORT_H
#define APIGWD_RES_IMPORT_H

#include "res.h"

/* api_def's after_write hook: CreateApi with `target` (HTTP quick create) creates the managed
 * integration, the route and the auto-deploying $default stage in the same transaction;
 * UpdateApi's `target`, `credentialsArn` and `routeKey` update that managed integration and
 * route. `target` or `routeKey` sent for a WEBSOCKET API is refused (400). Other operations
 * (imports, internal edits) pass through. Returns E_OK or fills c->err, which rolls the whole
 * operation back. */
enum err api_quick_create(struct rctx *c, bool created);

#endif
