/* res_deployments.h — the Deployment resource: an immutable snapshot of an API's
 * configuration that stages point at, and automatic deployment (autoDeploy stages).
 *
 * Each deployment's stored doc holds, in the hidden member "snapshot", the API's configuration
 * as it was when the deployment was made (snapshot.h's layout, built by snapshot.c). Later
 * changes to the API never touch a stored snapshot. */
#ifndef APIGWD_RES_DEPLOYMENTS_H
#define APIGWD_RES_DEPLOYMENTS_H

#include <stdbool.h>

#include "res.h"

extern const struct resdef deployment_def;
extern const struct jfield deployment_fields[];

/* The description AWS gives deployments made for autoDeploy stages. */
#define DEPLOYMENT_AUTO_DESCRIPTION                                                                \
	"Automatic deployment triggered by changes to the Api configuration"

/* Reads the snapshot (layout above) of deployment `deployment_id` of API `api_id` in `scope`.
 * On DB_OK *snap is a new reference the caller releases; DB_NOTFOUND when there is no such
 * deployment. Usable inside or outside a transaction. */
enum db_rc deployment_snapshot(struct db *db, const struct db_scope *scope, const char *api_id,
			       const char *deployment_id, json_t **snap);

/* Deploys API `api_id` (of protocol `proto`) automatically to stage `stage`: creates a
 * deployment with autoDeployed true and AWS's description, and points the stage at it. Within
 * one request the same stage is deployed at most once: a second call re-takes the snapshot of
 * the deployment already made, so an import that writes a hundred routes leaves one
 * deployment. Does nothing (E_OK, *stage_out untouched) for a WebSocket API without routes.
 * Call only inside a db_txn callback on rq->db. *stage_out (may be NULL) receives the
 * rendered stage when it was moved (new reference). Returns E_OK or fills e. */
enum err deployment_auto(struct req *rq, const char *api_id, unsigned proto, const char *stage,
			 json_t **stage_out, struct apierr *e);

/* autoDeploy: the server's auto_deploy hook (server.h), which main.c registers. */
enum err deployments_auto_deploy(struct req *rq, const char *api_id, const char *stage,
				 unsigned proto, json_t **stage_out, struct apierr *e);

#endif
