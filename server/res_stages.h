/* res_stages.h — the Stage resource: a named pointer at one deployment of an API, with its
 * own settings (stage variables, throttling, logging, tags). Stored under the API (parent =
 * apiId), id = stageName, `ref` = the deploymentId it points at (so DeleteDeployment can find
 * the stages that keep a deployment alive). */
#ifndef APIGWD_RES_STAGES_H
#define APIGWD_RES_STAGES_H

#include <stdbool.h>

#include "res.h"

extern const struct resdef stage_def;
extern const struct jfield stage_fields[];

/* The storage kind of what a stage's deploymentId names (res_deployments.c's deployment_def,
 * which sits above stages; test_layers checks they agree). */
#define STAGE_DEPLOYMENT_KIND "deployment"

/* Most stages one API may have (docs/aws-behaviour.md §7: AWS's default quota). */
enum { STAGE_QUOTA = 10 };

/* Points stage `stage` of API `api_id` at deployment `deployment_id` (which must exist under
 * the same API) and stamps lastUpdatedDate; `automatic` also records AWS's
 * lastDeploymentStatusMessage. Call only inside a db_txn callback on rq->db. *out (may be
 * NULL) receives the rendered stage (new reference). Returns E_OK or fills e (404 with the
 * stage message when the stage does not exist). */
enum err stage_point(struct req *rq, const char *api_id, const char *stage,
		     const char *deployment_id, bool automatic, json_t **out, struct apierr *e);

#endif
