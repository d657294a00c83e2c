/* res_apis.c — Api: CreateApi, GetApi, GetApis, UpdateApi, DeleteApi, DeleteCorsConfiguration.
 * docs/aws-behaviour.md §4. Protocol never changes; DeleteApi removes everything under the API. */
#include <string.h>

#include "handlers.h"
#include "res.h"
#include "res_apis.h"
#include "server.h"

static const char *const ip_types[] = {"ipv4", "dualstack", NULL};

static const char HTTP_RSE[] = "$request.method $request.path";

/* AWS's own wording for an unknown protocol (the generic enum message would differ). */
static enum err check_protocol(const struct jfield *f, const json_t *v, struct apierr *e)
{
	(void)f;
	const char *p = json_string_value(v);
	if (strcmp(p, "WEBSOCKET") && strcmp(p, "HTTP"))
		return err_set(e, E_BAD_REQUEST,
			       "Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]");
	return E_OK;
}

static json_t *default_rse(const json_t *doc, unsigned proto)
{
	(void)doc;
	return proto == P_HTTP ? json_string(HTTP_RSE) : NULL;
}

static const struct jfield cors_fields[] = {
	{"allowCredentials", J_BOOL},
	{"allowHeaders", J_STRLIST},
	{"allowMethods", J_STRLIST},
	{"allowOrigins", J_STRLIST},
	{"exposeHeaders", J_STRLIST},
	{"maxAge", J_INT, -1, 86400},
	{0},
};

const struct jfield api_fields[] = {
	{"apiId", J_STR, .flags = F_SERVER},
	{"name", J_STR, 1, 128, F_IN | F_REQUIRED},
	{"protocolType", J_STR, .flags = F_CREATE | F_REQUIRED, .check = check_protocol},
	{"apiEndpoint", J_STR, .flags = F_SERVER},
	{"apiKeySelectionExpression", J_STR, .flags = F_IN,
	 .dflt_str = "$request.header.x-api-key"},
	{"corsConfiguration", J_OBJ, .flags = F_IN, .proto = P_HTTP, .sub = cors_fields},
	{"createdDate", J_STR, .flags = F_SERVER},
	{"description", J_STR, 0, 1024, F_IN},
	{"disableSchemaValidation", J_BOOL, .flags = F_IN, .proto = P_WS},
	{"disableExecuteApiEndpoint", J_BOOL, .flags = F_IN, .dflt = jdefault_false},
	{"importInfo", J_ANY, .flags = F_SERVER},
	{"ipAddressType", J_ENUM, .flags = F_IN, .enums = ip_types, .dflt_str = "ipv4"},
	{"routeSelectionExpression", J_STR, 1, 0, F_IN, .dflt = default_rse},
	{"tags", J_STRMAP, 0, 256, F_CREATE, .check = jcheck_tags, .dflt = jdefault_empty_map},
	{"version", J_STR, 0, 64, F_IN},
	{"warnings", J_ANY, .flags = F_SERVER},
	/* Quick create (HTTP): consumed by CreateApi, kept out of the answer. */
	{"target", J_STR, 1, 2048, F_IN | F_HIDDEN, .proto = P_HTTP},
	{"routeKey", J_STR, 1, 0, F_IN | F_HIDDEN, .proto = P_HTTP},
	{"credentialsArn", J_STR, 1, 0, F_IN | F_HIDDEN, .proto = P_HTTP},
	{0},
};

static unsigned api_proto_of(const json_t *doc)
{
	return res_api_proto(doc);
}

/* apiEndpoint: AWS's host, or with --gateway-api-endpoint the in-process gateway's URL of a
 * WEBSOCKET API, ws://HOST:PORT/{apiId} (clients append /{stage} to either, docs/gateway.md
 * "ApiEndpoint"). Decided at creation and stored, as AWS's is. */
static void api_on_create(struct rctx *c)
{
	char endpoint[256];
	const char *local = c->proto == P_WS ? atomic_load(&c->rq->srv->ws_endpoint) : NULL;
	if (local)
		snprintf(endpoint, sizeof endpoint, "%s/%s", local, c->id);
	else
		snprintf(endpoint, sizeof endpoint, "%s://%s.execute-api.%s.amazonaws.com",
			 c->proto == P_WS ? "wss" : "https", c->id, c->rq->region);
	json_object_set_new(c->doc, "apiEndpoint", json_string(endpoint));
	json_object_set_new(c->doc, "createdDate", res_now());
}

static enum err api_check(struct rctx *c)
{
	const char *rse = json_string_value(json_object_get(c->out, "routeSelectionExpression"));
	const char *akse = json_string_value(json_object_get(c->out, "apiKeySelectionExpression"));
	if (c->proto == P_WS && !rse)
		return err_set(
			&c->err, E_BAD_REQUEST,
			"routeSelectionExpression is a required parameter for WEBSOCKET APIs");
	if (c->proto == P_HTTP && strcmp(rse, HTTP_RSE) &&
	    strcmp(rse, "${request.method} ${request.path}"))
		return err_set(
			&c->err, E_BAD_REQUEST,
			"Unsupported route selection expression for HTTP API: %.128s. The only "
			"supported value is %s",
			rse, HTTP_RSE);
	if (akse && strcmp(akse, "$request.header.x-api-key") &&
	    strcmp(akse, "$context.authorizer.usageIdentifierKey"))
		return err_set(
			&c->err, E_BAD_REQUEST,
			"Invalid value for apiKeySelectionExpression: %.128s. Must be "
			"$request.header.x-api-key or $context.authorizer.usageIdentifierKey",
			akse);
	return E_OK;
}

/* AWS's message carries the account: "Invalid API identifier specified 123456789012:abc". */
static enum err api_not_found(const struct rctx *c, const char *id, struct apierr *e)
{
	return err_not_found(e, "Api", "Invalid API identifier specified %s:%s", c->rq->account,
			     id);
}

/* Quick create (quick_create.c) sits above the resources it creates: reached through the
 * server's api_written hook. */
static enum err api_after_write(struct rctx *c, bool created)
{
	const struct server_hooks *h = c->rq->srv ? &c->rq->srv->hooks : NULL;
	return h && h->api_written ? h->api_written(c, created) : E_OK;
}

/* LocalStack's convention, which test suites written for it rely on: the tag `_custom_id_` on
 * CreateApi gives the API that id (docs/aws-behaviour.md §3.5). The id is a DNS label in
 * lower case, so that the Host form {apiId}.execute-api.… of the gateway reaches it too. */
static enum err api_chosen_id(struct rctx *c, const char **id)
{
	const char *v = jstr(json_object_get(c->doc, "tags"), "_custom_id_");
	size_t n = v ? strlen(v) : 0;
	*id = NULL;
	if (!v)
		return E_OK;
	bool ok = n >= 1 && n <= 63 && strspn(v, "abcdefghijklmnopqrstuvwxyz0123456789-") == n &&
		  v[0] != '-' && v[n - 1] != '-';
	if (!ok)
		return err_set(
			&c->err, E_BAD_REQUEST,
			"Invalid value for tag _custom_id_: %.64s. Must be 1 to 63 lower-case "
			"letters, digits and hyphens, not starting or ending with a hyphen",
			v);
	*id = v;
	return E_OK;
}

const struct resdef api_def = {
	.name = "Api",
	.kind = "api",
	.id_member = "apiId",
	.chosen_id = api_chosen_id,
	.id_len = 10,
	.fields = api_fields,
	.in_deployment = true,
	.proto_of = api_proto_of,
	.on_create = api_on_create,
	.check = api_check,
	.after_write = api_after_write,
	.not_found = api_not_found,
};

static enum err drop_cors(struct rctx *c)
{
	json_object_del(c->doc, "corsConfiguration");
	return E_OK;
}

void cors_delete(struct req *rq)
{
	res_modify(rq, &api_def, drop_cors, NULL, 204);
}
