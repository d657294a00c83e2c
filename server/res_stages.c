/* res_stages.c — Stage: CreateStage, GetStage, GetStages, UpdateStage, DeleteStage,
 * DeleteAccessLogSettings, DeleteRouteSettings, ResetAuthorizersCache. docs/aws-behaviour.md §6,
 * §10.
 *
 * Decisions (AWS documents none of these answers; each is the closest AWS-like choice):
 * - stageName: 1-128 alphanumerics, hyphens and underscores, or `$default` (HTTP APIs only).
 *   Unique per API (409 "Stage already exists"). At most STAGE_QUOTA stages per API: the
 *   11th is a 400 BadRequestException (the model has no LimitExceededException).
 * - autoDeploy is returned as the client set it and omitted when never set, as AWS's own
 *   get-stages/update-stage outputs show. apiGatewayManaged appears only when true.
 * - UpdateStage merges stageVariables and routeSettings key by key (a "" variable or a {}
 *   route setting removes the key), which is what Terraform relies on; the other members are
 *   replaced. `accessLogSettings: {}` clears the access log settings (Terraform sends it when
 *   the block is removed).
 * - deploymentId must name a deployment of the same API: 404 NotFoundException "Invalid
 *   Deployment identifier specified {id}" otherwise. It cannot be changed by UpdateStage
 *   while autoDeploy is on (AWS documents this; 400).
 * - A stage created with autoDeploy, or updated to turn it on, is deployed at once (AWS deploys
 *   such stages right away, asynchronously); WebSocket APIs without routes are skipped.
 * - clientCertificateId is WebSocket-only: on HTTP APIs it is accepted and dropped
 *   (docs/aws-behaviour.md §5.3: what AWS is not known to refuse is never refused).
 * - routeSettings keys must be route keys of the API (404, AWS's message); only keys added or
 *   changed by the request are checked, so a route deleted later never blocks an update. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "res.h"
#include "res_apis.h"
#include "res_routes.h"
#include "res_stages.h"
#include "server.h"

enum { STAGE_VARIABLES_MAX = 100, STAGE_VARIABLE_VALUE_MAX = 2048 };

static const char *const logging_levels[] = {"ERROR", "INFO", "OFF", NULL};

static const char NO_EXECUTION_LOGS[] = "Execution logs are not supported on protocolType HTTP";

/* throttlingRateLimit is a double in the model; integers are accepted and stored as doubles
 * (AWS answers 2000.0 for 2000). */
static enum err check_rate(const struct jfield *f, const json_t *v, struct apierr *e)
{
	if (!json_is_number(v))
		return err_set(e, E_BAD_REQUEST, "Invalid type for %s: expected a number", f->name);
	if (json_number_value(v) < 0)
		return err_set(e, E_BAD_REQUEST, "Invalid value for %s: %g. Must not be negative",
			       f->name, json_number_value(v));
	return E_OK;
}

/* RouteSettings, in the model's order (the order of the answer). */
static const struct jfield route_settings_fields[] = {
	{"dataTraceEnabled", J_BOOL},
	{"detailedMetricsEnabled", J_BOOL},
	{"loggingLevel", J_ENUM, .enums = logging_levels},
	{"throttlingBurstLimit", J_INT, 0, INT32_MAX},
	{"throttlingRateLimit", J_ANY, .check = check_rate},
	{0},
};

static const struct jfield access_log_fields[] = {
	{"destinationArn", J_STR, 1, 2048},
	{"format", J_STR, 1, 1024},
	{0},
};

/* defaultRouteSettings members AWS fills in when unset; WebSocket stages also log. */
static json_t *route_settings_default(const char *name, unsigned proto)
{
	if (strcmp(name, "detailedMetricsEnabled") == 0)
		return json_false();
	if (proto == P_WS && strcmp(name, "dataTraceEnabled") == 0)
		return json_false();
	if (proto == P_WS && strcmp(name, "loggingLevel") == 0)
		return json_string("OFF");
	return NULL;
}

/* `set` (may be NULL) completed with the defaults, in table order. New reference. */
static json_t *complete_route_settings(const json_t *set, unsigned proto)
{
	json_t *out = json_object();
	for (const struct jfield *f = route_settings_fields; f->name; f++) {
		json_t *v = json_object_get(set, f->name);
		if (v)
			json_object_set(out, f->name, v);
		else if ((v = route_settings_default(f->name, proto)))
			json_object_set_new(out, f->name, v);
	}
	return out;
}

static json_t *default_route_settings(const json_t *doc, unsigned proto)
{
	(void)doc;
	return complete_route_settings(NULL, proto);
}

static bool stage_name_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '-' || ch == '_';
}

static enum err check_stage_name(const struct jfield *f, const json_t *v, struct apierr *e)
{
	const char *s = json_string_value(v);
	(void)f;
	if (strcmp(s, "$default") == 0)
		return E_OK;
	for (const char *p = s; *p; p++)
		if (!stage_name_char(*p))
			return err_set(
				e, E_BAD_REQUEST,
				"Invalid stage name specified: %.128s. Stage names can only "
				"contain alphanumeric characters, hyphens, and underscores, or be "
				"$default",
				s);
	return E_OK;
}

static bool variable_value_char(char ch)
{
	return isalnum((unsigned char)ch) || (ch && strchr("-._~:/?#&=,", ch));
}

/* Names here; values ("" deletes a key in an update) are checked on the merged result. */
static enum err check_variable_names(const struct jfield *f, const json_t *v, struct apierr *e)
{
	const char *k;
	json_t *val;
	(void)f;
	json_object_foreach((json_t *)v, k, val) {
		for (const char *p = k; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '_')
				return err_set(
					e, E_BAD_REQUEST,
					"Invalid stage variable name: %.128s. Stage variable "
					"names can only contain alphanumeric and underscore "
					"characters",
					k);
	}
	return E_OK;
}

const struct jfield stage_fields[] = {
	{"accessLogSettings", J_OBJ, .flags = F_IN, .sub = access_log_fields},
	{"apiGatewayManaged", J_BOOL, .flags = F_SERVER},
	{"autoDeploy", J_BOOL, .flags = F_IN},
	{"clientCertificateId", J_STR, 1, 1024, F_IN, .proto = P_WS},
	{"createdDate", J_STR, .flags = F_SERVER},
	{"defaultRouteSettings", J_OBJ, .flags = F_IN, .sub = route_settings_fields,
	 .dflt = default_route_settings},
	{"deploymentId", J_STR, 1, 64, F_IN},
	{"description", J_STR, 0, 1024, F_IN},
	{"lastDeploymentStatusMessage", J_STR, .flags = F_SERVER},
	{"lastUpdatedDate", J_STR, .flags = F_SERVER},
	{"routeSettings", J_OBJMAP, .flags = F_IN | F_MERGE, .sub = route_settings_fields,
	 .dflt = jdefault_empty_map},
	{"stageName", J_STR, 1, 128, F_CREATE | F_REQUIRED, .check = check_stage_name},
	{"stageVariables", J_STRMAP, 0, STAGE_VARIABLE_VALUE_MAX, F_IN | F_MERGE,
	 .check = check_variable_names, .dflt = jdefault_empty_map},
	{"tags", J_STRMAP, 0, 256, F_CREATE, .check = jcheck_tags, .dflt = jdefault_empty_map},
	{0},
};

/* A copy of settings whose throttlingRateLimit is a real. New reference. */
static json_t *rate_as_real(const json_t *settings)
{
	json_t *copy = json_deep_copy(settings);
	json_t *rate = json_object_get(copy, "throttlingRateLimit");
	if (json_is_integer(rate))
		json_object_set_new(copy, "throttlingRateLimit",
				    json_real(json_number_value(rate)));
	return copy;
}

/* Stored form of the request's members: doubles as doubles, `accessLogSettings: {}` as
 * unset. Copies what it changes, so the stored doc never shares structure with the request. */
static void normalize(json_t *doc)
{
	json_t *v = json_object_get(doc, "accessLogSettings");
	if (json_is_object(v) && json_object_size(v) == 0)
		json_object_del(doc, "accessLogSettings");
	if ((v = json_object_get(doc, "defaultRouteSettings")))
		json_object_set_new(doc, "defaultRouteSettings", rate_as_real(v));
	if ((v = json_object_get(doc, "routeSettings"))) {
		json_t *map = json_object();
		const char *k;
		json_t *rs;
		json_object_foreach(v, k, rs)
			json_object_set_new(map, k, rate_as_real(rs));
		json_object_set_new(doc, "routeSettings", map);
	}
}

static void stage_on_create(struct rctx *c)
{
	normalize(c->doc);
	json_object_set_new(c->doc, "createdDate", res_now());
	json_object_set_new(c->doc, "lastUpdatedDate", res_now());
}

static void stage_on_update(struct rctx *c)
{
	normalize(c->doc);
	json_object_set_new(c->doc, "lastUpdatedDate", res_now());
}

struct stage_count {
	const char *name; /* the stage being created */
	unsigned n;	  /* stages of the API */
	bool exists;	  /* `name` is one of them: the insert answers 409 */
};

static bool count_stage(const struct db_row *row, void *arg)
{
	struct stage_count *sc = arg;
	sc->n++;
	sc->exists |= strcmp(row->id, sc->name) == 0;
	return true;
}

static enum err check_quota(struct rctx *c)
{
	struct stage_count sc = {c->id, 0, false};
	bool more = false;
	struct db_key k = {&c->rq->scope, stage_def.kind, c->parent, NULL};
	enum db_rc rc = db_res_list(c->rq->db, &k, 0, STAGE_QUOTA, count_stage, &sc, &more);
	if (rc != DB_OK)
		return err_db(rc, &c->err);
	if (!sc.exists && (more || sc.n >= STAGE_QUOTA))
		return err_set(&c->err, E_BAD_REQUEST,
			       "Maximum number of stages per API reached: an API can have at most "
			       "%d stages",
			       STAGE_QUOTA);
	return E_OK;
}

static bool logs_execution(const json_t *settings)
{
	return json_object_get(settings, "loggingLevel") ||
	       json_object_get(settings, "dataTraceEnabled");
}

/* HTTP APIs have no execution logs (AWS's message), in any route settings. */
static enum err check_execution_logs(struct rctx *c)
{
	const char *k;
	json_t *rs;
	if (c->proto != P_HTTP)
		return E_OK;
	if (logs_execution(json_object_get(c->doc, "defaultRouteSettings")))
		return err_set(&c->err, E_BAD_REQUEST, NO_EXECUTION_LOGS);
	json_object_foreach(json_object_get(c->out, "routeSettings"), k, rs) {
		if (logs_execution(rs))
			return err_set(&c->err, E_BAD_REQUEST, NO_EXECUTION_LOGS);
	}
	return E_OK;
}

static enum err check_stage_variables(struct rctx *c)
{
	const json_t *vars = json_object_get(c->out, "stageVariables");
	const char *k;
	json_t *v;
	if (json_object_size(vars) > STAGE_VARIABLES_MAX)
		return err_set(&c->err, E_BAD_REQUEST,
			       "Invalid value for stageVariables: at most %d stage variables are "
			       "allowed per stage",
			       STAGE_VARIABLES_MAX);
	json_object_foreach((json_t *)vars, k, v) {
		const char *s = json_string_value(v);
		bool ok = *s != '\0';
		for (const char *p = s; ok && *p; p++)
			ok = variable_value_char(*p);
		if (!ok)
			return err_set(&c->err, E_BAD_REQUEST,
				       "Invalid value for stage variable %.128s: \"%.256s\". Stage "
				       "variable values must match [A-Za-z0-9-._~:/?#&=,]+",
				       k, s);
	}
	return E_OK;
}

static enum err check_access_log(struct rctx *c)
{
	const json_t *als = json_object_get(c->out, "accessLogSettings");
	const char *arn = jstr(als, "destinationArn"), *format = jstr(als, "format");
	if (!als)
		return E_OK;
	if (!arn)
		return err_set(
			&c->err, E_BAD_REQUEST,
			"accessLogSettings.destinationArn is required to enable access logs");
	if (!format)
		return err_set(&c->err, E_BAD_REQUEST,
			       "accessLogSettings.format is required to enable access logs");
	if (!jis_arn(arn))
		return err_set(
			&c->err, E_BAD_REQUEST,
			"Invalid value for accessLogSettings.destinationArn: %.256s. Must be "
			"the ARN of a CloudWatch Logs log group",
			arn);
	/* AWS's control plane takes either request id (its CDK says so). */
	if (!strstr(format, "$context.requestId") && !strstr(format, "$context.extendedRequestId"))
		return err_set(
			&c->err, E_BAD_REQUEST,
			"Invalid value for accessLogSettings.format: the format must include "
			"$context.requestId");
	return E_OK;
}

static bool collect_route_key(const struct db_row *row, void *arg)
{
	json_t *keys = arg;
	json_t *doc = json_loads(row->doc, 0, NULL);
	const char *key = jstr(doc, "routeKey");
	if (key)
		json_object_set_new(keys, key, json_true());
	json_decref(doc);
	return true;
}

/* routeSettings keys added or changed by this write must be route keys of the API. */
static enum err check_route_keys(struct rctx *c)
{
	const json_t *before = json_object_get(c->prev, "routeSettings");
	json_t *keys = NULL, *rs;
	const char *k;
	enum err out = E_OK;
	json_object_foreach(json_object_get(c->out, "routeSettings"), k, rs) {
		if (json_equal(rs, json_object_get(before, k)))
			continue;
		if (!keys) {
			struct db_key rk = {&c->rq->scope, route_def.kind, c->parent, NULL};
			keys = json_object();
			enum db_rc rc = db_res_list(c->rq->db, &rk, 0, UINT32_MAX - 1,
						    collect_route_key, keys, NULL);
			if (rc != DB_OK) {
				out = err_db(rc, &c->err);
				break;
			}
		}
		if (!json_object_get(keys, k)) {
			out = err_not_found(
				&c->err, "Route",
				"Unable to find Route by key %.256s within the provided "
				"RouteSettings",
				k);
			break;
		}
	}
	json_decref(keys);
	return out;
}

/* A new or changed deploymentId names a deployment of this API; a client cannot move an
 * autoDeploy stage by hand (internal moves pass an edit argument, c->arg). */
static enum err check_deployment(struct rctx *c)
{
	const char *dep = jstr(c->out, "deploymentId");
	const char *before = jstr(c->prev, "deploymentId");
	if (!dep || (before && strcmp(dep, before) == 0))
		return E_OK;
	if (c->prev && !c->arg && json_is_true(json_object_get(c->out, "autoDeploy")))
		return err_set(
			&c->err, E_BAD_REQUEST,
			"deploymentId cannot be updated while autoDeploy is enabled for stage "
			"%.128s",
			c->id);
	struct db_key k = {&c->rq->scope, STAGE_DEPLOYMENT_KIND, c->parent, dep};
	enum db_rc rc = db_res_get(c->rq->db, &k, NULL, NULL, NULL);
	if (rc == DB_NOTFOUND)
		return err_not_found(&c->err, "Deployment",
				     "Invalid Deployment identifier specified %.64s", dep);
	return rc == DB_OK ? E_OK : err_db(rc, &c->err);
}

/* Rules across members, on the rendered stage. Also completes defaultRouteSettings with the
 * members AWS always reports (detailedMetricsEnabled, and the WebSocket logging members):
 * the renderer fills defaults of whole members only. */
static enum err stage_check(struct rctx *c)
{
	const json_t *drs = json_object_get(c->doc, "defaultRouteSettings");
	if (drs)
		json_object_set_new(c->out, "defaultRouteSettings",
				    complete_route_settings(drs, c->proto));
	if (!c->prev) {
		if (c->proto != P_HTTP && strcmp(c->id, "$default") == 0)
			return err_set(
				&c->err, E_BAD_REQUEST,
				"Invalid stage name specified: $default. The $default stage is "
				"supported only for HTTP APIs");
		if (check_quota(c))
			return c->err.code;
	}
	if (check_execution_logs(c) || check_stage_variables(c) || check_access_log(c) ||
	    check_route_keys(c) || check_deployment(c))
		return c->err.code;
	return E_OK;
}

static const char *stage_ref(const struct rctx *c)
{
	return jstr(c->out, "deploymentId");
}

/* A stage that has just been created with autoDeploy, or had it turned on, is deployed at
 * once; the answer then shows the new deployment. */
static enum err stage_after_write(struct rctx *c, bool created)
{
	json_t *moved = NULL;
	if (!json_is_true(json_object_get(c->out, "autoDeploy")))
		return E_OK;
	if (!created && json_is_true(json_object_get(c->prev, "autoDeploy")))
		return E_OK;
	const struct server_hooks *h = c->rq->srv ? &c->rq->srv->hooks : NULL;
	if (h && h->auto_deploy &&
	    h->auto_deploy(c->rq, c->parent, c->id, c->proto, &moved, &c->err))
		return c->err.code;
	if (moved) {
		json_decref(c->out);
		c->out = moved;
	}
	return E_OK;
}

static enum err stage_conflict(const struct rctx *c, struct apierr *e)
{
	(void)c;
	return err_set(e, E_CONFLICT, "Stage already exists");
}

/* AWS names no id in this message. */
static enum err stage_not_found(const struct rctx *c, const char *id, struct apierr *e)
{
	(void)c;
	(void)id;
	return err_not_found(e, "Stage", "Invalid stage identifier specified");
}

const struct resdef stage_def = {
	.name = "Stage",
	.kind = "stage",
	.id_member = "stageName",
	.id_len = 0,
	.id_source = "stageName",
	.parent = &api_def,
	.fields = stage_fields,
	.on_create = stage_on_create,
	.on_update = stage_on_update,
	.check = stage_check,
	.ref = stage_ref,
	.after_write = stage_after_write,
	.conflict = stage_conflict,
	.not_found = stage_not_found,
};

struct point {
	const char *deployment_id;
	bool automatic;
};

static enum err point_edit(struct rctx *c)
{
	const struct point *p = c->arg;
	json_object_set_new(c->doc, "deploymentId", json_string(p->deployment_id));
	if (p->automatic) {
		char msg[96];
		snprintf(msg, sizeof msg, "Successfully deployed stage with deployment ID '%s'",
			 p->deployment_id);
		json_object_set_new(c->doc, "lastDeploymentStatusMessage", json_string(msg));
	}
	return E_OK;
}

enum err stage_point(struct req *rq, const char *api_id, const char *stage,
		     const char *deployment_id, bool automatic, json_t **out, struct apierr *e)
{
	struct point p = {deployment_id, automatic};
	return res_edit(rq, &stage_def, api_id, stage, point_edit, &p, out, e);
}

static enum err drop_access_log(struct rctx *c)
{
	json_object_del(c->doc, "accessLogSettings");
	return E_OK;
}

void stage_access_log_settings_delete(struct req *rq)
{
	res_modify(rq, &stage_def, drop_access_log, NULL, 204);
}

/* DeleteRouteSettings: the path's route key must be in the stage's routeSettings. */
static enum err drop_route_settings(struct rctx *c)
{
	const char *key = req_param(c->rq, "routeKey");
	json_t *map = json_object_get(c->doc, "routeSettings");
	if (!key || !json_object_get(map, key))
		return err_not_found(&c->err, "Route",
				     "Unable to find Route by key %.256s within the provided "
				     "RouteSettings",
				     key ? key : "");
	map = json_deep_copy(map);
	json_object_del(map, key);
	json_object_set_new(c->doc, "routeSettings", map);
	return E_OK;
}

void stage_route_settings_delete(struct req *rq)
{
	res_modify(rq, &stage_def, drop_route_settings, NULL, 204);
}

/* ResetAuthorizersCache: apigwd keeps no authorizer cache, so it only has to name an
 * existing API and stage (404s as Get answers them). */
void stage_authorizers_cache_reset(struct req *rq)
{
	struct rctx c = {.rq = rq, .def = &stage_def};
	const char *api_id = req_param(rq, "apiId");
	const char *name = req_param(rq, "stageName");
	struct db_key ak = {&rq->scope, api_def.kind, "", api_id ? api_id : ""};
	struct db_key sk = {&rq->scope, stage_def.kind, ak.id, name ? name : ""};
	enum db_rc rc = db_res_get(rq->db, &ak, NULL, NULL, NULL);
	if (rc == DB_NOTFOUND)
		api_def.not_found(&c, ak.id, &c.err);
	else if (rc == DB_OK && (rc = db_res_get(rq->db, &sk, NULL, NULL, NULL)) == DB_NOTFOUND)
		stage_not_found(&c, sk.id, &c.err);
	else if (rc != DB_OK)
		err_db(rc, &c.err);
	if (c.err.code)
		reply_error(rq, &c.err);
	else
		reply_empty(rq, 204);
}
