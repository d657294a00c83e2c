/* res_deployments.c — Deployment: CreateDeployment, GetDeployment, GetDeployments,
 * UpdateDeployment, DeleteDeployment, and automatic deployment (deployments_auto_deploy).
 * docs/aws-behaviour.md §6; the snapshot layout is in snapshot.h.
 *
 * Decisions:
 * - A deployment freezes the API at creation: its snapshot is taken in the same transaction
 *   as the row, and nothing ever rewrites it (UpdateDeployment changes the description only).
 * - CreateDeployment on a WebSocket API without routes: 400 with AWS's message; an unknown
 *   stageName: 400 "Invalid stage identifier specified" (docs/aws-behaviour.md §6). With a
 *   stageName the stage moves to the new deployment (deploymentId and lastUpdatedDate change).
 * - DeleteDeployment of a deployment a stage points at: 400 BadRequestException with AWS's
 *   REST API wording ("Active stages pointing to this deployment must be moved or deleted").
 * - Automatic deployment: after any change to what a deployment snapshots, every autoDeploy
 *   stage of the API gets a new deployment (autoDeployed true), except on WebSocket APIs that
 *   have no routes (skipped silently). One request deploys each stage at most once. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "res.h"
#include "res_apis.h"
#include "res_deployments.h"
#include "res_routes.h"
#include "res_stages.h"
#include "route.h"
#include "snapshot.h"

/* No list the snapshot reads is anywhere near this long (quotas: 300 routes per API). */
/* Rows read at most when looking for the autoDeploy stages: far above the quota. */
enum { STAGE_ROWS_MAX = 1000000 };

const struct jfield deployment_fields[] = {
	{"autoDeployed", J_BOOL, .flags = F_SERVER, .dflt = jdefault_false},
	{"createdDate", J_STR, .flags = F_SERVER},
	{"deploymentId", J_STR, .flags = F_SERVER},
	{"deploymentStatus", J_STR, .flags = F_SERVER, .dflt_str = "DEPLOYED"},
	{"deploymentStatusMessage", J_STR, .flags = F_SERVER},
	{"description", J_STR, 0, 1024, F_IN},
	/* Consumed by CreateDeployment (the stage to move), dropped once used. */
	{"stageName", J_STR, 1, 128, F_CREATE | F_HIDDEN},
	{"snapshot", J_ANY, .flags = F_SERVER | F_HIDDEN},
	{0},
};

enum db_rc deployment_snapshot(struct db *db, const struct db_scope *scope, const char *api_id,
			       const char *deployment_id, json_t **snap)
{
	char *text = NULL;
	struct db_key k = {scope, deployment_def.kind, api_id, deployment_id};
	enum db_rc rc = db_res_get(db, &k, &text, NULL, NULL);
	if (rc != DB_OK)
		return rc;
	json_t *doc = json_loads(text, 0, NULL);
	free(text);
	json_t *s = json_object_get(doc, "snapshot");
	if (!json_is_object(s)) {
		json_decref(doc);
		return DB_ERROR;
	}
	*snap = json_incref(s);
	json_decref(doc);
	return DB_OK;
}

static bool found_row(const struct db_row *row, void *arg)
{
	(void)row;
	*(bool *)arg = true;
	return false;
}

/* Whether API api_id has at least one route. */
static enum db_rc has_routes(struct req *rq, const char *api_id, bool *yes)
{
	struct db_key k = {&rq->scope, route_def.kind, api_id, NULL};
	*yes = false;
	return db_res_list(rq->db, &k, 0, 1, found_row, yes, NULL);
}

static enum err deployment_check(struct rctx *c)
{
	const char *stage = jstr(c->doc, "stageName");
	bool routes = true;
	enum db_rc rc;
	if (c->prev)
		return E_OK; /* UpdateDeployment: the description only */
	if (c->proto == P_WS && (rc = has_routes(c->rq, c->parent, &routes)) != DB_OK)
		return err_db(rc, &c->err);
	if (!routes)
		return err_set(&c->err, E_BAD_REQUEST,
			       "At least one route is required before deploying the Api");
	if (stage) {
		struct db_key k = {&c->rq->scope, stage_def.kind, c->parent, stage};
		rc = db_res_get(c->rq->db, &k, NULL, NULL, NULL);
		if (rc == DB_NOTFOUND)
			return err_set(&c->err, E_BAD_REQUEST,
				       "Invalid stage identifier specified");
		if (rc != DB_OK)
			return err_db(rc, &c->err);
	}
	return E_OK;
}

static void deployment_on_create(struct rctx *c)
{
	json_object_set_new(c->doc, "createdDate", res_now());
}

/* A new deployment: store its snapshot in its row, then move the named stage to it. */
static enum err deployment_after_write(struct rctx *c, bool created)
{
	json_t *snap = NULL;
	char *doc = NULL, *body = NULL;
	char stage[160] = "";
	enum db_rc rc;
	if (!created)
		return E_OK;
	if ((rc = snapshot_take(c->rq->db, &c->rq->scope, c->parent, &snap)) != DB_OK)
		return err_db(rc, &c->err);
	if (jstr(c->doc, "stageName"))
		snprintf(stage, sizeof stage, "%s", jstr(c->doc, "stageName"));
	json_object_del(c->doc, "stageName");
	json_object_set_new(c->doc, "snapshot", snap);
	doc = json_dumps(c->doc, JSON_COMPACT);
	body = json_dumps(c->out, JSON_COMPACT);
	struct db_key k = {&c->rq->scope, c->def->kind, c->parent, c->id};
	rc = doc && body ? db_res_update(c->rq->db, &k, NULL, NULL, doc, body) : DB_ERROR;
	free(doc);
	free(body);
	if (rc != DB_OK)
		return err_db(rc, &c->err);
	if (stage[0])
		return stage_point(c->rq, c->parent, stage, c->id, false, NULL, &c->err);
	return E_OK;
}

/* A deployment that a stage points at stays (AWS's REST API wording). */
static enum err deployment_before_delete(struct rctx *c)
{
	bool used = false;
	struct db_key k = {&c->rq->scope, stage_def.kind, c->parent, NULL};
	enum db_rc rc = db_res_refs(c->rq->db, &k, c->id, found_row, &used);
	if (rc != DB_OK)
		return err_db(rc, &c->err);
	if (used)
		return err_set(
			&c->err, E_BAD_REQUEST,
			"Active stages pointing to this deployment must be moved or deleted");
	return E_OK;
}

const struct resdef deployment_def = {
	.name = "Deployment",
	.kind = "deployment",
	.id_member = "deploymentId",
	.id_len = 6,
	.parent = &api_def,
	.fields = deployment_fields,
	.on_create = deployment_on_create,
	.check = deployment_check,
	.after_write = deployment_after_write,
	.before_delete = deployment_before_delete,
};

enum err deployment_auto(struct req *rq, const char *api_id, unsigned proto, const char *stage,
			 json_t **stage_out, struct apierr *e)
{
	char dep[16] = "";
	bool routes = true;
	json_t *in = NULL, *server = NULL, *made = NULL;
	enum db_rc rc = DB_OK;

	if (proto == P_WS && (rc = has_routes(rq, api_id, &routes)) != DB_OK)
		return err_db(rc, e);
	if (!routes)
		return E_OK;
	in = json_pack("{s:s}", "description", DEPLOYMENT_AUTO_DESCRIPTION);
	server = json_pack("{s:b}", "autoDeployed", 1);
	enum err r = res_create_in(rq, &deployment_def, api_id, proto, NULL, in, server, &made, e);
	json_decref(in);
	json_decref(server);
	if (r)
		return r;
	snprintf(dep, sizeof dep, "%s", jstr(made, "deploymentId"));
	json_decref(made);
	return stage_point(rq, api_id, stage, dep, true, stage_out, e);
}

struct auto_stages {
	struct req *rq;
	const char *api_id;
	char names[STAGE_QUOTA * 2][129]; /* autoDeploy stages (quota, with room to spare) */
	unsigned n;
};

/* Keeps the autoDeploy stages, except those already moved to a deployment made in this very
 * transaction (quick create deploys its $default stage when it creates it, after the API's
 * other resources). */
static bool collect_auto_stage(const struct db_row *row, void *arg)
{
	struct auto_stages *as = arg;
	json_t *doc = json_loads(row->doc, 0, NULL);
	const char *dep = json_string_value(json_object_get(doc, "deploymentId"));
	int64_t rev = 0, txn = db_txn_revision(as->rq->db);
	struct db_key dk = {&as->rq->scope, deployment_def.kind, as->api_id, dep};
	bool fresh = dep && txn && db_res_revision(as->rq->db, &dk, &rev) == DB_OK && rev == txn;
	if (json_is_true(json_object_get(doc, "autoDeploy")) && !fresh &&
	    as->n < sizeof as->names / sizeof as->names[0])
		snprintf(as->names[as->n++], sizeof as->names[0], "%s", row->id);
	json_decref(doc);
	return true;
}

/* Every autoDeploy stage, once per transaction that changed the API's configuration. The
 * deployments and stage moves made here change nothing that is in_deployment. */
static enum err deploy_auto_stages(struct req *rq, const char *api_id, struct apierr *e)
{
	struct auto_stages as = {.rq = rq, .api_id = api_id};
	char *api_text = NULL;
	struct db_key sk = {&rq->scope, stage_def.kind, api_id, NULL};
	enum db_rc rc = db_res_list(rq->db, &sk, 0, STAGE_ROWS_MAX, collect_auto_stage, &as, NULL);
	if (rc != DB_OK)
		return err_db(rc, e);
	if (!as.n)
		return E_OK;
	struct db_key ak = {&rq->scope, api_def.kind, "", api_id};
	rc = db_res_get(rq->db, &ak, &api_text, NULL, NULL);
	if (rc == DB_NOTFOUND)
		return E_OK; /* the API itself went away in this transaction */
	if (rc != DB_OK)
		return err_db(rc, e);
	json_t *api = json_loads(api_text, 0, NULL);
	unsigned proto = res_api_proto(api);
	json_decref(api);
	free(api_text);
	for (unsigned i = 0; i < as.n; i++)
		if (deployment_auto(rq, api_id, proto, as.names[i], NULL, e))
			return e->code;
	return E_OK;
}

/* The protocol of stored API api_id into *proto; E_OK, or fills e. */
static enum err api_proto(struct req *rq, const char *api_id, unsigned *proto, struct apierr *e)
{
	char *text = NULL;
	struct db_key ak = {&rq->scope, api_def.kind, "", api_id};
	enum db_rc rc = db_res_get(rq->db, &ak, &text, NULL, NULL);
	if (rc != DB_OK)
		return err_db(rc, e);
	json_t *api = json_loads(text, 0, NULL);
	*proto = res_api_proto(api);
	json_decref(api);
	free(text);
	return E_OK;
}

enum err deployments_auto_deploy(struct req *rq, const char *api_id, const char *stage,
				 unsigned proto, json_t **stage_out, struct apierr *e)
{
	if (!stage)
		return deploy_auto_stages(rq, api_id, e);
	if (proto == P_ANY && api_proto(rq, api_id, &proto, e))
		return e->code;
	return deployment_auto(rq, api_id, proto, stage, stage_out, e);
}
