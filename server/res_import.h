/* res_import.h — ImportApi, ReimportApi, ExportApi and HTTP quick create. */
#ifndef APIGWD_RES_IMPORT_H
#define APIGWD_RES_IMPORT_H

#include "res.h"

/* api_def's after_write hook: CreateApi with `target` (HTTP quick create) creates the managed
 * integration, the route and the auto-deploying $default stage in the same transaction. */
enum err api_quick_create(struct rctx *c, bool created);

#endif
