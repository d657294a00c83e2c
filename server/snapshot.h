/* snapshot.h — an API's configuration in one document: what a deployment freezes and what the
 * data plane serves (docs/dataplane.md). Built in one place, snapshot.c, for both.
 *
 * Layout (the rendered answers, exactly what the Get* operations return):
 *
 *   {
 *     "api":                  {...GetApi...},
 *     "routes":               [{...GetRoute...}, ...],                  creation order
 *     "integrations":         [{...GetIntegration...}, ...],            creation order
 *     "integrationResponses": {"<integrationId>": [{...}, ...], ...},   one key per integration
 *     "routeResponses":       {"<routeId>": [{...}, ...], ...},         one key per route
 *     "authorizers":          [{...GetAuthorizer...}, ...],
 *     "models":               [{...GetModel...}, ...],
 *     "vpcLinks":             [{...GetVpcLink...}, ...]       the links integrations may use
 *   }
 *
 * vpcLinks holds the VPC links named by an integration's connectionId, and every VPC link of
 * the account and region when one names its link through ${stageVariables.x} (a stage picks
 * it), so that a deployed stage is served from its deployment alone. Snapshots taken before
 * vpcLinks existed lack the member: read it as empty.
 *
 * Every integration and route has its key in integrationResponses / routeResponses (an empty
 * array when it has none). */
#ifndef APIGWD_SNAPSHOT_H
#define APIGWD_SNAPSHOT_H

#include <jansson.h>

#include "db.h"

/* Takes the snapshot of API api_id in scope as it is now (inside a transaction for one
 * consistent state, or outside it where the caller checks the revision). New reference in
 * *snap on DB_OK; DB_NOTFOUND when there is no such API. */
enum db_rc snapshot_take(struct db *db, const struct db_scope *scope, const char *api_id,
			 json_t **snap);

/* What a data-plane worker serves of a snapshot: each route with its integration (and that
 * integration's responses, as "integrationResponses") and its route responses
 * ("routeResponses") nested in. New reference. */
json_t *snapshot_routes(const json_t *snap);

/* The authorizers of snap that its routes name (authorizerId), in snap's order. New array. */
json_t *snapshot_stage_authorizers(const json_t *snap);

/* The VPC links of snap that its integrations name once `stage`'s variables are substituted
 * into their connectionId (docs/aws-behaviour.md §D4.5), in snap's order. New array. */
json_t *snapshot_stage_vpclinks(const json_t *snap, const json_t *stage);

#endif
