/* res_route_responses.c — RouteResponse: CreateRouteResponse, GetRouteResponse,
 * GetRouteResponses, UpdateRouteResponse, DeleteRouteResponse. docs/aws-behaviour.md §6, §10.
 *
 * Accepted on both protocols with the WebSocket rule: the only key is $default, so a route has
 * at most one response (its key is the storage ukey). Deleting the route deletes them. */
#include <string.h>

#include "handlers.h"
#include "res.h"
#include "res_route_responses.h"
#include "res_routes.h"

static const char DEFAULT_KEY[] = "$default";

/* ParameterConstraints: the value of each responseParameters key. */
static const struct jfield parameter_constraint_fields[] = {
	{"required", J_BOOL},
	{0},
};

/* In the model's order, which is the order of the answer. */
const struct jfield route_response_fields[] = {
	{"modelSelectionExpression", J_STR, 0, 1024, F_IN, .proto = P_WS},
	{"responseModels", J_STRMAP, 1, 128, F_IN},
	{"responseParameters", J_OBJMAP, .flags = F_IN | F_MERGE,
	 .sub = parameter_constraint_fields},
	{"routeResponseId", J_STR, .flags = F_SERVER},
	{"routeResponseKey", J_STR, 1, 512, F_IN | F_REQUIRED},
	{0},
};

static enum err route_response_check(struct rctx *c)
{
	const char *key = jstr(c->out, "routeResponseKey");
	const char *k;
	json_t *v;
	if (!key || strcmp(key, DEFAULT_KEY))
		return err_set(
			&c->err, E_BAD_REQUEST,
			"Invalid value for routeResponseKey: %.256s. Currently only $default "
			"is supported",
			key ? key : "");
	json_object_foreach(json_object_get(c->out, "responseModels"), k, v) {
		if (json_string_length(v) == 0)
			return err_set(&c->err, E_BAD_REQUEST,
				       "Invalid value for responseModels.%.256s: length 0. Must be "
				       "between 1 and 128 characters",
				       k);
	}
	return E_OK;
}

static const char *route_response_ukey(const struct rctx *c)
{
	return jstr(c->out, "routeResponseKey");
}

static enum err route_response_conflict(const struct rctx *c, struct apierr *e)
{
	return err_set(e, E_CONFLICT, "RouteResponse with key %.256s already exists for this Route",
		       jstr(c->out, "routeResponseKey"));
}

const struct resdef route_response_def = {
	.name = "RouteResponse",
	.kind = "route_response",
	.id_member = "routeResponseId",
	.id_len = 6,
	.parent = &route_def,
	.fields = route_response_fields,
	.in_deployment = true,
	.check = route_response_check,
	.ukey = route_response_ukey,
	.conflict = route_response_conflict,
};
