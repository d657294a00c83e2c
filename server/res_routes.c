/* res_routes.c — Route: CreateRoute, GetRoute, GetRoutes, UpdateRoute, DeleteRoute,
 * DeleteRouteRequestParameter. docs/aws-behaviour.md §6.
 *
 * A route's key is unique within its API (the storage ukey) and its target names an
 * integration of the same API (the storage ref, which keeps that integration from being
 * deleted). Every rule is judged on the rendered result, so an update is checked as a whole. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "res.h"
#include "res_apis.h"
#include "res_routes.h"
#include "route.h"

static const char *const authorization_types[] = {"NONE", "AWS_IAM", "CUSTOM", "JWT", NULL};

/* The methods an HTTP API route key may start with. */
static const char *const http_methods[] = {"GET",  "POST",    "PUT", "PATCH", "DELETE",
					   "HEAD", "OPTIONS", "ANY", NULL};

static const char TARGET_PREFIX[] = "integrations/";

/* ParameterConstraints: the value of each requestParameters key. */
static const struct jfield parameter_constraint_fields[] = {
	{"required", J_BOOL},
	{0},
};

/* In the model's order, which is the order of the answer. requestParameters is stored for
 * both protocols so that imported HTTP routes can carry AWS's `{}`; route_on_write drops
 * anything an HTTP route is sent in it. */
const struct jfield route_fields[] = {
	{"apiGatewayManaged", J_BOOL, .flags = F_SERVER},
	{"apiKeyRequired", J_BOOL, .flags = F_IN, .dflt = jdefault_false},
	{"authorizationScopes", J_STRLIST, 1, 64, F_IN},
	{"authorizationType", J_ENUM, .flags = F_IN, .enums = authorization_types,
	 .dflt_str = "NONE"},
	/* "" clears it (Terraform sends that when the authorizer is removed). */
	{"authorizerId", J_STR, 0, 64, F_IN},
	{"modelSelectionExpression", J_STR, 0, 1024, F_IN, .proto = P_WS},
	{"operationName", J_STR, 0, 64, F_IN},
	{"requestModels", J_STRMAP, 1, 128, F_IN, .proto = P_WS},
	{"requestParameters", J_OBJMAP, .flags = F_IN | F_MERGE,
	 .sub = parameter_constraint_fields},
	{"routeId", J_STR, .flags = F_SERVER},
	{"routeKey", J_STR, 1, 512, F_IN | F_REQUIRED},
	{"routeResponseSelectionExpression", J_STR, 0, 1024, F_IN, .proto = P_WS},
	/* "" detaches the route from its integration. */
	{"target", J_STR, 0, 128, F_IN},
	{0},
};

static bool is_one_of(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

/* A path parameter segment: "{name}", or "{name+}" (greedy) when `last`. */
static bool valid_param_segment(const char *seg, size_t len, bool last)
{
	size_t name_end = len - 1; /* index of '}' */
	if (len < 3 || seg[0] != '{' || seg[len - 1] != '}')
		return false;
	if (seg[name_end - 1] == '+') {
		if (!last)
			return false; /* a greedy variable must be the last segment */
		name_end--;
	}
	if (name_end <= 1)
		return false;
	for (size_t i = 1; i < name_end; i++) {
		char ch = seg[i];
		if (!(ch >= 'a' && ch <= 'z') && !(ch >= 'A' && ch <= 'Z') &&
		    !(ch >= '0' && ch <= '9') && ch != '_' && ch != '-' && ch != '.')
			return false;
	}
	return true;
}

/* "/", "/pets", "/pets/{id}", "/{proxy+}": starts with '/', no empty segment inside, path
 * variables are whole segments, the greedy one only last, no blanks, query or fragment. */
static bool valid_http_path(const char *p)
{
	if (p[0] != '/')
		return false;
	if (strpbrk(p, " \t\r\n?#"))
		return false;
	const char *seg = p + 1;
	for (;;) {
		size_t len = strcspn(seg, "/");
		bool last = seg[len] == '\0';
		if (len == 0 && !last)
			return false; /* "//" */
		if (memchr(seg, '{', len) || memchr(seg, '}', len)) {
			if (!valid_param_segment(seg, len, last))
				return false;
		}
		if (last)
			return true;
		seg += len + 1;
	}
}

/* "$default" or "METHOD /path". */
static bool valid_http_key(const char *key)
{
	char method[16];
	const char *space = strchr(key, ' ');
	if (strcmp(key, "$default") == 0)
		return true;
	if (!space || (size_t)(space - key) >= sizeof method)
		return false;
	snprintf(method, sizeof method, "%.*s", (int)(space - key), key);
	return is_one_of(method, http_methods) && valid_http_path(space + 1);
}

/* "$connect", "$disconnect", "$default", or a custom key not starting with '$'. */
static bool valid_ws_key(const char *key)
{
	static const char *const predefined[] = {"$connect", "$disconnect", "$default", NULL};
	return key[0] && (key[0] != '$' || is_one_of(key, predefined));
}

static enum err check_route_key(struct rctx *c, const char *key)
{
	if (c->proto == P_HTTP && !valid_http_key(key))
		return err_set(&c->err, E_BAD_REQUEST,
			       "The provided route key is not formatted properly: %.256s. HTTP API "
			       "route keys are $default or 'METHOD /path' with METHOD one of GET, "
			       "POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY and a greedy path "
			       "variable {name+} only at the end",
			       key);
	if (c->proto == P_WS && !valid_ws_key(key))
		return err_set(&c->err, E_BAD_REQUEST,
			       "The provided route key is not formatted properly");
	/* A route made by quick create keeps its key (the model says so of ApiGatewayManaged),
	 * except when UpdateApi renames it: that edit comes through res_edit with an argument. */
	if (c->prev && !c->arg && json_is_true(json_object_get(c->prev, "apiGatewayManaged"))) {
		const char *old = jstr(c->prev, "routeKey");
		if (old && strcmp(old, key))
			return err_set(&c->err, E_BAD_REQUEST,
				       "The route key of a route managed by API Gateway cannot be "
				       "changed: %.256s",
				       old);
	}
	return E_OK;
}

/* The API's id: the first segment of the storage path. */
static void api_id_of(const struct rctx *c, char *buf, size_t len)
{
	snprintf(buf, len, "%.*s", (int)strcspn(c->parent, "/"), c->parent);
}

/* The stored doc of authorizer `id` of this API, or NULL (new reference). */
static json_t *load_authorizer(struct rctx *c, const char *id, enum db_rc *rc)
{
	char api_id[64], *doc = NULL;
	api_id_of(c, api_id, sizeof api_id);
	struct db_key k = {&c->rq->scope, "authorizer", api_id, id};
	*rc = db_res_get(c->rq->db, &k, &doc, NULL, NULL);
	json_t *out = *rc == DB_OK ? json_loads(doc, 0, NULL) : NULL;
	free(doc);
	return out;
}

static bool is_update_route(const struct rctx *c)
{
	return c->prev && c->rq->route && strcmp(c->rq->route->op, "UpdateRoute") == 0;
}

/* authorizationType and authorizerId, with AWS's messages:
 * CUSTOM needs a REQUEST authorizer of the API, JWT a JWT one (HTTP APIs only); NONE and
 * AWS_IAM take no authorizer; UpdateRoute naming an authorizer must name its type too. */
static enum err check_authorization(struct rctx *c)
{
	const char *type = jstr(c->out, "authorizationType");
	const char *auth_id = jstr(c->out, "authorizerId");
	const char *verb = c->prev ? "update" : "create";
	enum db_rc rc = DB_OK;
	json_t *authorizer = NULL;
	enum err out = E_OK;
	bool custom = strcmp(type, "CUSTOM") == 0, jwt = strcmp(type, "JWT") == 0;

	if (jwt && c->proto == P_WS)
		return err_set(&c->err, E_BAD_REQUEST,
			       "Invalid value for authorizationType: JWT. WEBSOCKET APIs support "
			       "NONE, AWS_IAM and CUSTOM");
	if (is_update_route(c) && json_is_object(c->rq->body)) {
		const char *sent = jstr(c->rq->body, "authorizerId");
		if (sent && *sent && !json_object_get(c->rq->body, "authorizationType"))
			return err_set(
				&c->err, E_BAD_REQUEST,
				"Unable to update route. Authorizer type is invalid or null.");
	}
	if (!custom && !jwt) {
		if (auth_id)
			return err_set(&c->err, E_BAD_REQUEST,
				       "Unable to %s route. Authorizer type is invalid or null.",
				       verb);
		return E_OK;
	}
	if (auth_id)
		authorizer = load_authorizer(c, auth_id, &rc);
	if (rc != DB_OK && rc != DB_NOTFOUND)
		return err_db(rc, &c->err);
	const char *auth_type = jstr(authorizer, "authorizerType");
	if (custom && !(auth_type && strcmp(auth_type, "REQUEST") == 0))
		out = err_set(&c->err, E_BAD_REQUEST,
			      "Invalid authorizer ID specified. Setting the authorization type to "
			      "CUSTOM or COGNITO_USER_POOLS requires a valid authorizer.");
	else if (jwt && !(auth_type && strcmp(auth_type, "JWT") == 0))
		out = err_set(&c->err, E_BAD_REQUEST,
			      "Invalid authorizer ID specified. Setting the authorization type to "
			      "JWT requires a valid JWT authorizer.");
	json_decref(authorizer);
	return out;
}

/* target: "integrations/{integrationId}" of an existing integration of the same API. */
static enum err check_target(struct rctx *c, const char *target)
{
	size_t plen = strlen(TARGET_PREFIX);
	const char *id = strncmp(target, TARGET_PREFIX, plen) == 0 ? target + plen : NULL;
	char api_id[64];
	if (!id || !*id || strchr(id, '/'))
		return err_set(
			&c->err, E_BAD_REQUEST,
			"Invalid value for target: %.128s. Must be integrations/{integrationId} "
			"of an integration of this API",
			target);
	api_id_of(c, api_id, sizeof api_id);
	struct db_key k = {&c->rq->scope, "integration", api_id, id};
	enum db_rc rc = db_res_get(c->rq->db, &k, NULL, NULL, NULL);
	if (rc == DB_NOTFOUND)
		return err_set(
			&c->err, E_BAD_REQUEST,
			"Invalid value for target: %.128s. Integration %.64s does not exist in "
			"this API",
			target, id);
	return err_db(rc, &c->err);
}

/* requestModels values name a model (1-128 characters): an empty one names nothing. */
static enum err check_request_models(struct rctx *c)
{
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(c->out, "requestModels"), k, v) {
		if (json_string_length(v) == 0)
			return err_set(&c->err, E_BAD_REQUEST,
				       "Invalid value for requestModels.%.256s: length 0. Must be "
				       "between 1 and 128 characters",
				       k);
	}
	return E_OK;
}

/* requestParameters keys: route.request.header.{name} or route.request.querystring.{name}. */
static enum err check_request_parameters(struct rctx *c)
{
	static const char *const prefixes[] = {"route.request.header.",
					       "route.request.querystring.", NULL};
	const char *k;
	json_t *v;
	json_object_foreach(json_object_get(c->out, "requestParameters"), k, v) {
		bool ok = false;
		for (const char *const *p = prefixes; *p && !ok; p++)
			ok = strncmp(k, *p, strlen(*p)) == 0 && k[strlen(*p)] != '\0';
		if (!ok)
			return err_set(
				&c->err, E_BAD_REQUEST,
				"Invalid request parameter key: %.256s. Must be "
				"route.request.header.{name} or route.request.querystring.{name}",
				k);
	}
	return E_OK;
}

static enum err route_check(struct rctx *c)
{
	const char *target = jstr(c->out, "target");
	const char *key = jstr(c->out, "routeKey");
	if (check_route_key(c, key ? key : "") || check_authorization(c))
		return c->err.code;
	if (target && check_target(c, target))
		return c->err.code;
	if (check_request_models(c))
		return c->err.code;
	return check_request_parameters(c);
}

/* "" is how a client clears these two: forget them. */
static void drop_empty(json_t *doc, const char *name)
{
	const char *s = jstr(doc, name);
	if (s && !*s)
		json_object_del(doc, name);
}

/* Shared by create and update: clears what "" clears, and drops what the protocol lacks. */
static void route_on_write(struct rctx *c)
{
	json_t *params = json_object_get(c->doc, "requestParameters");
	drop_empty(c->doc, "authorizerId");
	drop_empty(c->doc, "target");
	/* WebSocket only: accepted and dropped on HTTP APIs (an imported route's {} stays). */
	if (c->proto == P_HTTP && json_object_size(params))
		json_object_del(c->doc, "requestParameters");
}

static void route_on_create(struct rctx *c)
{
	route_on_write(c);
}

/* An update that sets authorizationType to NONE or AWS_IAM without naming an authorizer
 * detaches the stored one (AWS does; CloudFormation relies on it). */
static void route_on_update(struct rctx *c)
{
	const json_t *in = c->rq->body;
	const char *type = is_update_route(c) ? jstr(in, "authorizationType") : NULL;
	if (type && (strcmp(type, "NONE") == 0 || strcmp(type, "AWS_IAM") == 0) &&
	    !json_object_get(in, "authorizerId"))
		json_object_del(c->doc, "authorizerId");
	route_on_write(c);
}

static const char *route_ukey(const struct rctx *c)
{
	return jstr(c->out, "routeKey");
}

/* The integration id the route targets; NULL without a target. */
static const char *route_ref(const struct rctx *c)
{
	const char *target = jstr(c->out, "target");
	if (!target || strncmp(target, TARGET_PREFIX, strlen(TARGET_PREFIX)))
		return NULL;
	return target + strlen(TARGET_PREFIX);
}

static enum err route_conflict(const struct rctx *c, struct apierr *e)
{
	return err_set(e, E_CONFLICT, "Route with key %.256s already exists for this API",
		       jstr(c->out, "routeKey"));
}

const struct resdef route_def = {
	.name = "Route",
	.kind = "route",
	.id_member = "routeId",
	.id_len = 7,
	.parent = &api_def,
	.fields = route_fields,
	.in_deployment = true,
	.on_create = route_on_create,
	.on_update = route_on_update,
	.check = route_check,
	.ukey = route_ukey,
	.ref = route_ref,
	.conflict = route_conflict,
};

/* Removes the path's requestParameterKey from requestParameters; 404 naming the key when the
 * route has no such parameter. */
static enum err drop_request_parameter(struct rctx *c)
{
	const char *key = req_param(c->rq, "requestParameterKey");
	json_t *params = json_object_get(c->doc, "requestParameters");
	if (!key || !json_object_get(params, key))
		return err_not_found(&c->err, "RequestParameter",
				     "Invalid request parameter key specified %.256s for Route %s",
				     key ? key : "", c->id);
	json_object_del(params, key);
	return E_OK;
}

void route_request_parameter_delete(struct req *rq)
{
	res_modify(rq, &route_def, drop_request_parameter, NULL, 204);
}
