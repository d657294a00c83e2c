/* snapshot.c — the one snapshot builder: an API's configuration as a deployment freezes it
 * (res_deployments.c stores it) and as the data plane serves it (dataplane.c). Layout in
 * snapshot.h. */
#include "snapshot.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jspec.h"
#include "res_apis.h"
#include "res_authorizers.h"
#include "res_integration_responses.h"
#include "res_integrations.h"
#include "res_models.h"
#include "res_route_responses.h"
#include "res_routes.h"
#include "res_vpclinks.h"
#include "sbuf.h"

/* Rows one kind may have in a snapshot: far above any quota. */
enum { SNAPSHOT_ROWS_MAX = 1000000 };

static bool append_body(const struct db_row *row, void *arg)
{
	json_t *item = json_loadb(row->body, row->body_len, 0, NULL);
	if (!item)
		return false;
	json_array_append_new(arg, item);
	return true;
}

/* The rendered rows of (kind, parent), in creation order, into a new array *items. */
static enum db_rc list_bodies(struct db *db, const struct db_scope *scope, const char *kind,
			      const char *parent, json_t **items)
{
	struct db_key k = {scope, kind, parent, NULL};
	*items = json_array();
	return db_res_list(db, &k, 0, SNAPSHOT_ROWS_MAX, append_body, *items, NULL);
}

/* Adds to map, under each item's `id_member`, the rendered `kind` rows below it. */
static enum db_rc list_children(struct db *db, const struct db_scope *scope, const char *api_id,
				const json_t *items, const char *id_member, const char *kind,
				json_t *map)
{
	size_t i;
	json_t *item;
	json_array_foreach(items, i, item) {
		char parent[160];
		json_t *children = NULL;
		const char *id = jstr(item, id_member);
		if (!id)
			return DB_ERROR;
		snprintf(parent, sizeof parent, "%s/%s", api_id, id);
		enum db_rc rc = list_bodies(db, scope, kind, parent, &children);
		json_object_set_new(map, id, children);
		if (rc != DB_OK)
			return rc;
	}
	return DB_OK;
}

/* Whether an integration's connectionId names its VPC link through a stage variable. */
static bool names_by_variable(const json_t *integration)
{
	const char *cid = jstr(integration, "connectionId");
	return cid && strstr(cid, "${stageVariables.") != NULL;
}

/* The VPC links the integrations may use, in creation order, into a new array *links: those
 * named literally, and, when any integration names one through a stage variable (resolved per
 * stage, later), every VPC link of the scope: the deployment must hold whatever a stage of it
 * can pick, so that a stage's snapshot never reads live rows (docs/dataplane.md). */
static enum db_rc vpclinks_of(struct db *db, const struct db_scope *scope,
			      const json_t *integrations, json_t **links)
{
	json_t *all = NULL, *item;
	size_t i;
	bool every = false;
	json_array_foreach(integrations, i, item)
		every |= names_by_variable(item);
	enum db_rc rc = list_bodies(db, scope, vpclink_def.kind, "", &all);
	if (rc != DB_OK) {
		json_decref(all);
		return rc;
	}
	*links = json_array();
	json_array_foreach(all, i, item) {
		const char *id = jstr(item, vpclink_def.id_member);
		bool named = every;
		size_t j;
		json_t *in;
		json_array_foreach(integrations, j, in) {
			const char *cid = jstr(in, "connectionId");
			named |= cid && id && strcmp(cid, id) == 0;
		}
		if (named)
			json_array_append(*links, item);
	}
	json_decref(all);
	return DB_OK;
}

enum db_rc snapshot_take(struct db *db, const struct db_scope *scope, const char *api_id,
			 json_t **snap)
{
	json_t *s = json_object(), *api = NULL, *routes = NULL, *integrations = NULL;
	json_t *authorizers = NULL, *models = NULL, *vpclinks = NULL;
	json_t *irs = json_object(), *rrs = json_object();
	char *body = NULL;
	size_t len = 0;
	struct db_key ak = {scope, api_def.kind, "", api_id};
	enum db_rc rc = db_res_get(db, &ak, NULL, &body, &len);
	if (rc == DB_OK && !(api = json_loadb(body, len, 0, NULL)))
		rc = DB_ERROR;
	free(body);
	if (rc == DB_OK)
		rc = list_bodies(db, scope, route_def.kind, api_id, &routes);
	if (rc == DB_OK)
		rc = list_bodies(db, scope, integration_def.kind, api_id, &integrations);
	if (rc == DB_OK)
		rc = list_bodies(db, scope, authorizer_def.kind, api_id, &authorizers);
	if (rc == DB_OK)
		rc = list_bodies(db, scope, model_def.kind, api_id, &models);
	if (rc == DB_OK)
		rc = vpclinks_of(db, scope, integrations, &vpclinks);
	if (rc == DB_OK)
		rc = list_children(db, scope, api_id, integrations, integration_def.id_member,
				   integration_response_def.kind, irs);
	if (rc == DB_OK)
		rc = list_children(db, scope, api_id, routes, route_def.id_member,
				   route_response_def.kind, rrs);
	json_object_set_new(s, "api", api ? api : json_object());
	json_object_set_new(s, "routes", routes ? routes : json_array());
	json_object_set_new(s, "integrations", integrations ? integrations : json_array());
	json_object_set_new(s, "integrationResponses", irs);
	json_object_set_new(s, "routeResponses", rrs);
	json_object_set_new(s, "authorizers", authorizers ? authorizers : json_array());
	json_object_set_new(s, "models", models ? models : json_array());
	json_object_set_new(s, "vpcLinks", vpclinks ? vpclinks : json_array());
	if (rc == DB_OK)
		*snap = s;
	else
		json_decref(s);
	return rc;
}

json_t *snapshot_routes(const json_t *cfg)
{
	json_t *out = json_array();
	const json_t *ints = json_object_get(cfg, "integrations");
	const json_t *irs = json_object_get(cfg, "integrationResponses");
	const json_t *rrs = json_object_get(cfg, "routeResponses");
	size_t i, j;
	json_t *route, *in;
	json_array_foreach(json_object_get(cfg, "routes"), i, route) {
		json_t *r = json_deep_copy(route);
		const char *target = json_string_value(json_object_get(route, "target"));
		const char *rid = json_string_value(json_object_get(route, "routeId"));
		if (target && strncmp(target, "integrations/", 13) == 0) {
			json_array_foreach(ints, j, in) {
				const char *iid =
					json_string_value(json_object_get(in, "integrationId"));
				if (iid && strcmp(iid, target + 13) == 0) {
					json_t *integ = json_deep_copy(in);
					json_t *list = json_object_get(irs, iid);
					json_object_set_new(integ, "integrationResponses",
							    list ? json_deep_copy(list)
								 : json_array());
					json_object_set_new(r, "integration", integ);
					break;
				}
			}
		}
		json_t *list = rid ? json_object_get(rrs, rid) : NULL;
		json_object_set_new(r, "routeResponses",
				    list ? json_deep_copy(list) : json_array());
		json_array_append_new(out, r);
	}
	return out;
}

/* s with each ${stageVariables.NAME} replaced by the stage's value ("" when it has none), or
 * NULL when s has no such reference (or memory ran out). New string. */
static char *resolve_variables(const char *s, const json_t *vars)
{
	static const char open[] = "${stageVariables.";
	const size_t olen = sizeof open - 1;
	struct sbuf out = {0};
	if (!s || !strstr(s, open))
		return NULL;
	for (const char *p = s; *p;) {
		const char *ref = strstr(p, open), *end = ref ? strchr(ref, '}') : NULL;
		if (!end) {
			sbuf_addstr(&out, p);
			break;
		}
		char name[129];
		snprintf(name, sizeof name, "%.*s", (int)(end - ref - olen), ref + olen);
		sbuf_add(&out, p, (size_t)(ref - p));
		sbuf_addstr(&out, jstr(vars, name) ? jstr(vars, name) : "");
		p = end + 1;
	}
	return sbuf_detach(&out, NULL);
}

json_t *snapshot_stage_authorizers(const json_t *snap)
{
	json_t *out = json_array(), *a, *r;
	size_t i, j;
	json_array_foreach(json_object_get(snap, "authorizers"), i, a) {
		const char *id = jstr(a, "authorizerId");
		bool used = false;
		json_array_foreach(json_object_get(snap, "routes"), j, r) {
			const char *rid = jstr(r, "authorizerId");
			used |= id && rid && strcmp(id, rid) == 0;
		}
		if (used)
			json_array_append(out, a);
	}
	return out;
}

json_t *snapshot_stage_vpclinks(const json_t *snap, const json_t *stage)
{
	json_t *out = json_array(), *l, *in;
	const json_t *vars = json_object_get(stage, "stageVariables");
	size_t i, j;
	json_array_foreach(json_object_get(snap, "vpcLinks"), i, l) {
		const char *id = jstr(l, "vpcLinkId");
		bool used = false;
		json_array_foreach(json_object_get(snap, "integrations"), j, in) {
			const char *cid = jstr(in, "connectionId");
			char *resolved = resolve_variables(cid, vars);
			const char *name = resolved ? resolved : cid;
			used |= id && name && strcmp(id, name) == 0;
			free(resolved);
		}
		if (used)
			json_array_append(out, l);
	}
	return out;
}
