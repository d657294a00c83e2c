/* res_integrations.c — Integration: CreateIntegration, GetIntegration, GetIntegrations,
 * UpdateIntegration, DeleteIntegration. docs/aws-behaviour.md §5, the heart of apigwd.
 *
 * Defaults depend on the API's protocol and on integrationType, and are never stored: a type
 * change re-derives every default the client did not set. */
#include <stdio.h>
#include <string.h>

#include "handlers.h"
#include "res.h"
#include "res_apis.h"
#include "res_integrations.h"

static const char *const integration_types[] = {"AWS",	      "HTTP",	   "MOCK",
						"HTTP_PROXY", "AWS_PROXY", NULL};
static const char *const connection_types[] = {"INTERNET", "VPC_LINK", NULL};
static const char *const passthrough_behaviors[] = {"WHEN_NO_MATCH", "NEVER", "WHEN_NO_TEMPLATES",
						    NULL};
static const char *const content_handling[] = {"CONVERT_TO_BINARY", "CONVERT_TO_TEXT", NULL};

/* Maximum timeoutInMillis per protocol; the minimum is 50 on both. */
enum { TIMEOUT_MIN = 50, TIMEOUT_MAX_WS = 29000, TIMEOUT_MAX_HTTP = 30000 };

static const char *type_of(const json_t *doc)
{
	const char *t = json_string_value(json_object_get(doc, "integrationType"));
	return t ? t : "";
}

static bool is_type(const json_t *doc, const char *t)
{
	return strcmp(type_of(doc), t) == 0;
}

/* AWS and AWS_PROXY integrations call AWS services, always with POST. */
static json_t *default_method(const json_t *doc, unsigned proto)
{
	(void)proto;
	if (is_type(doc, "AWS") ||
	    (is_type(doc, "AWS_PROXY") && !json_object_get(doc, "integrationSubtype")))
		return json_string("POST");
	return NULL;
}

/* HTTP APIs: HTTP_PROXY and AWS service (subtype) integrations speak payload format 1.0. */
static json_t *default_payload_format(const json_t *doc, unsigned proto)
{
	if (proto == P_HTTP &&
	    (is_type(doc, "HTTP_PROXY") || json_object_get(doc, "integrationSubtype")))
		return json_string("1.0");
	return NULL;
}

/* WebSocket only; proxy integrations have no integration responses, hence no IRSE. MOCK as
 * the seed shows it; AWS as Terraform's acceptance tests record it. */
static json_t *default_irse(const json_t *doc, unsigned proto)
{
	(void)proto;
	if (is_type(doc, "MOCK") || is_type(doc, "HTTP"))
		return json_string("${response.statuscode}");
	if (is_type(doc, "AWS"))
		return json_string("${integration.response.body.errorMessage}");
	return NULL;
}

static json_t *default_timeout(const json_t *doc, unsigned proto)
{
	(void)doc;
	return json_integer(proto == P_HTTP ? TIMEOUT_MAX_HTTP : TIMEOUT_MAX_WS);
}

static const struct jfield tls_fields[] = {
	{"serverNameToVerify", J_STR, 1, 512},
	{0},
};

/* Order matters twice: it is the order of the answer, and a default may look at the members
 * above it (integrationType comes first). */
const struct jfield integration_fields[] = {
	{"integrationId", J_STR, .flags = F_SERVER},
	{"integrationType", J_ENUM, .flags = F_IN | F_REQUIRED, .enums = integration_types},
	{"apiGatewayManaged", J_BOOL, .flags = F_SERVER},
	{"connectionId", J_STR, 1, 1024, F_IN},
	{"connectionType", J_ENUM, .flags = F_IN, .enums = connection_types,
	 .dflt_str = "INTERNET"},
	{"contentHandlingStrategy", J_ENUM, .flags = F_IN, .proto = P_WS,
	 .enums = content_handling},
	{"credentialsArn", J_STR, 1, 2048, F_IN},
	{"description", J_STR, 0, 1024, F_IN},
	{"integrationSubtype", J_STR, 1, 128, F_IN, .proto = P_HTTP},
	{"integrationMethod", J_STR, 1, 64, F_IN, .dflt = default_method},
	{"integrationUri", J_STR, 1, 2048, F_IN},
	{"passthroughBehavior", J_ENUM, .flags = F_IN, .proto = P_WS,
	 .enums = passthrough_behaviors, .dflt_str = "WHEN_NO_MATCH"},
	{"payloadFormatVersion", J_STR, 1, 64, F_IN, .dflt = default_payload_format},
	{"requestParameters", J_STRMAP, 1, 512, F_IN | F_MERGE},
	{"requestTemplates", J_STRMAP, 0, 32768, F_IN | F_MERGE, .proto = P_WS},
	{"responseParameters", J_MAPMAP, 1, 512, F_IN | F_MERGE, .proto = P_HTTP},
	{"templateSelectionExpression", J_STR, 1, 1024, F_IN, .proto = P_WS},
	{"integrationResponseSelectionExpression", J_STR, 1, 1024, F_IN, .proto = P_WS,
	 .dflt = default_irse},
	/* The range depends on the protocol: integration_check() owns it, with one message. */
	{"timeoutInMillis", J_INT, .flags = F_IN, .dflt = default_timeout},
	{"tlsConfig", J_OBJ, .flags = F_IN, .proto = P_HTTP, .sub = tls_fields},
	{0},
};

static bool is_http_url(const char *s)
{
	return jstarts_with(s, "http://") || jstarts_with(s, "https://") ||
	       jstarts_with(s, "${stageVariables.");
}

static enum err check_uri(struct rctx *c, const char *type, const char *uri)
{
	bool ok = true;
	bool vpc = strcmp(jstr(c->out, "connectionType"), "VPC_LINK") == 0;
	if (strcmp(type, "HTTP") == 0 || strcmp(type, "HTTP_PROXY") == 0)
		/* HTTP APIs reach private resources through a listener or Cloud Map ARN. */
		ok = is_http_url(uri) || (c->proto == P_HTTP && vpc && jis_arn(uri));
	else if (strcmp(type, "AWS") == 0 || strcmp(type, "AWS_PROXY") == 0)
		ok = jis_arn(uri) || strstr(uri, "${stageVariables.") != NULL;
	if (!ok)
		return err_set(&c->err, E_BAD_REQUEST,
			       "Invalid integration URI specified: %.256s. %s integrations need %s",
			       uri, type, type[0] == 'H' ? "an http:// or https:// URL" : "an ARN");
	return E_OK;
}

/* requestParameters keys: WebSocket maps into the integration request; HTTP APIs (without a
 * subtype) name an action on a part of the request. */
static enum err check_request_parameters(struct rctx *c)
{
	const char *k;
	json_t *v;
	bool subtype = json_object_get(c->out, "integrationSubtype") != NULL;
	json_object_foreach(json_object_get(c->out, "requestParameters"), k, v) {
		bool ok = true;
		if (c->proto == P_WS)
			ok = jstarts_with(k, "integration.request.header.") ||
			     jstarts_with(k, "integration.request.querystring.") ||
			     jstarts_with(k, "integration.request.path.");
		else if (!subtype) {
			const char *colon = strchr(k, ':');
			ok = colon &&
			     (jstarts_with(k, "append:") || jstarts_with(k, "overwrite:") ||
			      jstarts_with(k, "remove:")) &&
			     (jstarts_with(colon + 1, "header.") ||
			      jstarts_with(colon + 1, "querystring.") ||
			      strcmp(colon + 1, "path") == 0);
		}
		if (!ok)
			return err_set(
				&c->err, E_BAD_REQUEST,
				"Invalid mapping expression specified in requestParameters: %.256s",
				k);
	}
	return E_OK;
}

/* responseParameters (HTTP APIs): status code 200-599 → {action:header.name or
 * overwrite:statuscode → value}. */
static enum err check_response_parameters(struct rctx *c)
{
	const char *status, *k;
	json_t *map, *v;
	json_object_foreach(json_object_get(c->out, "responseParameters"), status, map) {
		char *end = NULL;
		long code = strtol(status, &end, 10);
		if (*end || code < 200 || code > 599)
			return err_set(&c->err, E_BAD_REQUEST,
				       "Invalid status code in responseParameters: %.32s. Must be "
				       "between 200 and 599",
				       status);
		json_object_foreach(map, k, v) {
			if (!(strcmp(k, "overwrite:statuscode") == 0 ||
			      jstarts_with(k, "append:header.") ||
			      jstarts_with(k, "overwrite:header.") ||
			      jstarts_with(k, "remove:header.")))
				return err_set(&c->err, E_BAD_REQUEST,
					       "Invalid mapping expression specified in "
					       "responseParameters.%s: %.256s",
					       status, k);
		}
	}
	return E_OK;
}

/* Rules across members, on the rendered integration (defaults filled in), so that a partial
 * update is judged by the whole result. */
static enum err integration_check(struct rctx *c)
{
	const json_t *o = c->out;
	const char *type = type_of(o);
	const char *uri = jstr(o, "integrationUri");
	const char *method = jstr(o, "integrationMethod");
	const char *pfv = jstr(o, "payloadFormatVersion");
	bool subtype = json_object_get(o, "integrationSubtype") != NULL;
	json_int_t timeout = json_integer_value(json_object_get(o, "timeoutInMillis"));
	json_int_t tmax = c->proto == P_HTTP ? TIMEOUT_MAX_HTTP : TIMEOUT_MAX_WS;

	if (c->proto == P_HTTP && strcmp(type, "AWS_PROXY") && strcmp(type, "HTTP_PROXY"))
		return err_set(
			&c->err, E_BAD_REQUEST,
			"Currently, an API with a protocol type of HTTP may only be associated "
			"with proxy integrations (AWS_PROXY, HTTP_PROXY)");
	if (timeout < TIMEOUT_MIN || timeout > tmax)
		return err_set(&c->err, E_BAD_REQUEST,
			       "Invalid value for timeoutInMillis: %" JSON_INTEGER_FORMAT
			       ". Must be between %d and %" JSON_INTEGER_FORMAT " for %s APIs",
			       timeout, TIMEOUT_MIN, tmax,
			       c->proto == P_HTTP ? "HTTP" : "WEBSOCKET");
	if (!uri && strcmp(type, "MOCK") && !subtype)
		return err_set(&c->err, E_BAD_REQUEST,
			       "integrationUri is required for integrationType %s", type);
	if (uri && check_uri(c, type, uri))
		return c->err.code;
	if (!method && (strcmp(type, "HTTP") == 0 || strcmp(type, "HTTP_PROXY") == 0))
		return err_set(&c->err, E_BAD_REQUEST,
			       "integrationMethod is required for integrationType %s", type);
	if (method && strcmp(type, "AWS_PROXY") == 0 && strcmp(method, "POST"))
		return err_set(&c->err, E_BAD_REQUEST,
			       "HttpMethod must be POST for AWS_PROXY IntegrationType");
	if (strcmp(jstr(o, "connectionType"), "VPC_LINK") == 0 &&
	    !json_object_get(o, "connectionId"))
		return err_set(&c->err, E_BAD_REQUEST,
			       "connectionId is required when connectionType is VPC_LINK");
	if (c->proto == P_WS && pfv && strcmp(pfv, "1.0"))
		return err_set(
			&c->err, E_BAD_REQUEST,
			"Invalid value for payloadFormatVersion: %.64s. WEBSOCKET APIs support "
			"only 1.0",
			pfv);
	if (c->proto == P_HTTP) {
		if (subtype && strcmp(type, "AWS_PROXY"))
			return err_set(
				&c->err, E_BAD_REQUEST,
				"integrationSubtype is supported only for AWS_PROXY integrations");
		if (!pfv)
			return err_set(
				&c->err, E_BAD_REQUEST,
				"payloadFormatVersion is required for AWS_PROXY integrations of "
				"HTTP APIs; supported values are 1.0 and 2.0");
		if (strcmp(pfv, "1.0") && strcmp(pfv, "2.0"))
			return err_set(
				&c->err, E_BAD_REQUEST,
				"Invalid value for payloadFormatVersion: %.64s. Must be 1.0 or 2.0",
				pfv);
		if (strcmp(pfv, "2.0") == 0 && (strcmp(type, "AWS_PROXY") || subtype))
			return err_set(
				&c->err, E_BAD_REQUEST,
				"payloadFormatVersion 2.0 is supported only for Lambda AWS_PROXY "
				"integrations");
	}
	const char *cred = jstr(o, "credentialsArn");
	if (cred && !jis_arn(cred))
		return err_set(&c->err, E_BAD_REQUEST,
			       "Invalid value for credentialsArn: %.256s. Must be an ARN", cred);
	if (check_request_parameters(c) || check_response_parameters(c))
		return c->err.code;
	return E_OK;
}

struct route_ids {
	char list[APIERR_MSG_MAX / 2];
};

static bool collect_route_id(const struct db_row *row, void *arg)
{
	struct route_ids *r = arg;
	size_t used = strlen(r->list);
	snprintf(r->list + used, sizeof r->list - used, "%s%s", used ? ", " : "", row->id);
	return true;
}

/* A route that targets the integration keeps it alive (409 with AWS's message). */
static enum err integration_before_delete(struct rctx *c)
{
	struct route_ids ids = {{0}};
	struct db_key k = {&c->rq->scope, "route", c->parent, NULL};
	enum db_rc rc = db_res_refs(c->rq->db, &k, c->id, collect_route_id, &ids);
	if (rc != DB_OK)
		return err_db(rc, &c->err);
	if (ids.list[0])
		return err_set(
			&c->err, E_CONFLICT,
			"Cannot delete Integration because it is referenced by the following "
			"Routes with Ids: [%s]",
			ids.list);
	return E_OK;
}

const struct resdef integration_def = {
	.name = "Integration",
	.kind = "integration",
	.id_member = "integrationId",
	.id_len = 7,
	.parent = &api_def,
	.fields = integration_fields,
	.in_deployment = true,
	.check = integration_check,
	.before_delete = integration_before_delete,
};
