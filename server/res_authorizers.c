/* res_authorizers.c — Authorizer: CreateAuthorizer, GetAuthorizer, GetAuthorizers,
 * UpdateAuthorizer, DeleteAuthorizer. docs/aws-behaviour.md §10.
 *
 * Two kinds: REQUEST (a Lambda function; both protocols) and JWT (HTTP APIs only). The answer
 * carries only what the client set, as AWS's own outputs show (no defaults). Rules are judged
 * on the merged result, so a partial update is checked as a whole; an update that switches
 * authorizerType forgets the stored members that belong only to the other type. */
#include <stdio.h>
#include <string.h>

#include "handlers.h"
#include "res.h"
#include "res_apis.h"
#include "res_authorizers.h"

static const char *const authorizer_types[] = {"REQUEST", "JWT", NULL};

/* Page of routes read at a time when looking for the routes that use an authorizer. */
enum { ROUTE_SCAN_PAGE = 200 };

static const struct jfield jwt_fields[] = {
	{"audience", J_STRLIST},
	{"issuer", J_STR, 1, 2048},
	{0},
};

/* Alphabetical, as AWS answers. */
static const struct jfield authorizer_fields[] = {
	{"authorizerCredentialsArn", J_STR, 1, 2048, F_IN},
	{"authorizerId", J_STR, .flags = F_SERVER},
	{"authorizerPayloadFormatVersion", J_STR, 1, 64, F_IN, .proto = P_HTTP},
	{"authorizerResultTtlInSeconds", J_INT, 0, 3600, F_IN, .proto = P_HTTP},
	{"authorizerType", J_ENUM, .flags = F_IN | F_REQUIRED, .enums = authorizer_types},
	{"authorizerUri", J_STR, 1, 2048, F_IN},
	{"enableSimpleResponses", J_BOOL, .flags = F_IN, .proto = P_HTTP},
	{"identitySource", J_STRLIST, 1, 1024, F_IN},
	{"identityValidationExpression", J_STR, 0, 1024, F_IN, .proto = P_WS},
	{"jwtConfiguration", J_OBJ, .flags = F_IN, .proto = P_HTTP, .sub = jwt_fields},
	{"name", J_STR, 1, 128, F_IN | F_REQUIRED},
	{0},
};

/* Members that only a REQUEST authorizer has; jwtConfiguration is the JWT one. */
static const char *const request_only[] = {
	"authorizerCredentialsArn",	"authorizerPayloadFormatVersion",
	"authorizerResultTtlInSeconds", "authorizerUri",
	"enableSimpleResponses",	NULL,
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Skips "arn:<partition>:<service>:" and returns what follows, or NULL when s is not an ARN
 * of that service. */
static const char *after_service(const char *s, const char *service)
{
	if (!jstarts_with(s, "arn:"))
		return NULL;
	const char *p = strchr(s + 4, ':');
	if (!p || p == s + 4 || !jstarts_with(p + 1, service))
		return NULL;
	p += 1 + strlen(service);
	return *p == ':' ? p + 1 : NULL;
}

/* arn:aws:apigateway:{region}:lambda:path/{version}/functions/{functionArn}/invocations,
 * where functionArn is arn:{partition}:lambda:{region}:{account}:function:{name}[:qualifier]
 * (any part may be a ${stageVariables.x} reference). */
static bool is_lambda_invocation_uri(const char *uri)
{
	const char *p = after_service(uri, "apigateway");
	if (!p)
		return false;
	p = strchr(p, ':'); /* past the region */
	if (!p || !jstarts_with(p, ":lambda:path/"))
		return false;
	p = strstr(p, "/functions/");
	if (!p || !ends_with(p, "/invocations"))
		return false;
	p += strlen("/functions/");
	if (jstarts_with(p, "${stageVariables."))
		return strlen(p) > strlen("${stageVariables.}/invocations");
	const char *fn = after_service(p, "lambda");
	return fn && strstr(fn, ":function:") != NULL &&
	       strlen(strstr(fn, ":function:")) > strlen(":function:/invocations");
}

/* The request parameters an identity source may name, per protocol. */
static const char *const ws_sources[] = {"route.request.header.", "route.request.querystring.",
					 "stageVariables.", "context.", NULL};
static const char *const http_sources[] = {"$request.header.", "$request.querystring.",
					   "$stageVariables.", "$context.", NULL};

/* JWT tokens come from a header or a query string parameter. */
static const char *const jwt_sources[] = {"$request.header.", "$request.querystring.", NULL};

static bool valid_source(const char *s, const char *const *prefixes)
{
	if (!s)
		return false;
	for (const char *const *p = prefixes; *p; p++)
		if (jstarts_with(s, *p) && s[strlen(*p)] != '\0')
			return true;
	return false;
}

static enum err check_identity_sources(struct rctx *c, const json_t *list)
{
	size_t i;
	json_t *v;
	const char *const *prefixes = c->proto == P_WS ? ws_sources : http_sources;
	json_array_foreach(list, i, v) {
		const char *s = json_string_value(v);
		if (!valid_source(s, prefixes))
			return err_set(
				&c->err, E_BAD_REQUEST,
				"Invalid identity source specified: %.256s. Identity sources of "
				"%s APIs are %s",
				s, c->proto == P_WS ? "WEBSOCKET" : "HTTP",
				c->proto == P_WS
					? "route.request.header.{name}, "
					  "route.request.querystring.{name}, stageVariables.{name} "
					  "or context.{name}"
					: "$request.header.{name}, $request.querystring.{name}, "
					  "$stageVariables.{name} or $context.{name}");
	}
	return E_OK;
}

static enum err check_request(struct rctx *c)
{
	const json_t *o = c->out;
	const char *pfv = jstr(o, "authorizerPayloadFormatVersion");
	const char *uri = jstr(o, "authorizerUri");
	const json_t *jwt = json_object_get(o, "jwtConfiguration");

	/* AWS asks for the payload format before it looks at any value. */
	if (c->proto == P_HTTP && !pfv)
		return err_set(&c->err, E_BAD_REQUEST,
			       "AuthorizerPayloadFormatVersion is a required parameter for REQUEST "
			       "authorizer");
	if (pfv && strcmp(pfv, "1.0") && strcmp(pfv, "2.0"))
		return err_set(
			&c->err, E_BAD_REQUEST,
			"Invalid value for authorizerPayloadFormatVersion: %.64s. Must be 1.0 "
			"or 2.0",
			pfv);
	if (uri && !is_lambda_invocation_uri(uri))
		return err_set(
			&c->err, E_BAD_REQUEST,
			"Invalid authorizer URI specified: %.256s. A REQUEST authorizer's URI "
			"must be a Lambda invocation URI: arn:aws:apigateway:{region}:lambda:"
			"path/2015-03-31/functions/{functionArn}/invocations",
			uri);
	if (json_is_true(json_object_get(o, "enableSimpleResponses")) &&
	    (!pfv || strcmp(pfv, "2.0")))
		return err_set(&c->err, E_BAD_REQUEST,
			       "enableSimpleResponses is supported only with "
			       "authorizerPayloadFormatVersion 2.0");
	if (jwt && json_object_size(jwt))
		return err_set(&c->err, E_BAD_REQUEST,
			       "jwtConfiguration is supported only for JWT authorizers");
	return E_OK;
}

/* JWT: HTTP APIs only; issuer, audience and a single header or query string source. */
static enum err check_jwt(struct rctx *c)
{
	const json_t *o = c->out;
	const json_t *jwt = json_object_get(o, "jwtConfiguration");
	const json_t *sources = json_object_get(o, "identitySource");
	const char *source = json_string_value(json_array_get(sources, 0));
	const char *issuer = jstr(jwt, "issuer");
	static const char *const never[] = {"authorizerCredentialsArn", "authorizerUri",
					    "authorizerPayloadFormatVersion", NULL};

	for (const char *const *m = never; *m; m++)
		if (json_object_get(o, *m))
			return err_set(&c->err, E_BAD_REQUEST,
				       "%s is supported only for REQUEST authorizers", *m);
	/* false and 0 are what an unset member reads as (Terraform sends them). */
	if (json_is_true(json_object_get(o, "enableSimpleResponses")))
		return err_set(&c->err, E_BAD_REQUEST,
			       "enableSimpleResponses is supported only for REQUEST authorizers");
	if (json_integer_value(json_object_get(o, "authorizerResultTtlInSeconds")) > 0)
		return err_set(
			&c->err, E_BAD_REQUEST,
			"authorizerResultTtlInSeconds is supported only for REQUEST authorizers");
	if (!jwt)
		return err_set(&c->err, E_BAD_REQUEST,
			       "JwtConfiguration is a required parameter for JWT authorizer");
	if (!issuer)
		return err_set(
			&c->err, E_BAD_REQUEST,
			"jwtConfiguration.issuer is a required parameter for JWT authorizer");
	if (!jstarts_with(issuer, "https://") || !issuer[strlen("https://")])
		return err_set(
			&c->err, E_BAD_REQUEST,
			"Invalid value for jwtConfiguration.issuer: %.256s. Must be an https:// "
			"URL",
			issuer);
	if (json_array_size(json_object_get(jwt, "audience")) == 0)
		return err_set(
			&c->err, E_BAD_REQUEST,
			"jwtConfiguration.audience is a required parameter for JWT authorizer");
	if (json_array_size(sources) != 1 || !valid_source(source, jwt_sources))
		return err_set(&c->err, E_BAD_REQUEST,
			       "A JWT authorizer needs exactly one identitySource, "
			       "$request.header.{name} or $request.querystring.{name}");
	return E_OK;
}

/* Rules across members, on the rendered authorizer. */
static enum err authorizer_check(struct rctx *c)
{
	const json_t *o = c->out;
	const json_t *sources = json_object_get(o, "identitySource");
	const char *cred = jstr(o, "authorizerCredentialsArn");

	if (strcmp(jstr(o, "authorizerType"), "JWT") == 0) {
		if (c->proto == P_WS)
			return err_set(
				&c->err, E_BAD_REQUEST,
				"JWT authorizers are supported only for HTTP APIs; WEBSOCKET "
				"APIs support REQUEST authorizers");
		return check_jwt(c);
	}
	if (check_request(c) || check_identity_sources(c, sources))
		return c->err.code;
	if (json_integer_value(json_object_get(o, "authorizerResultTtlInSeconds")) > 0 &&
	    json_array_size(sources) == 0)
		return err_set(
			&c->err, E_BAD_REQUEST,
			"Identity source must be set if authorizer caching is enabled (TTL is "
			"greater than 0)");
	if (cred && !jis_arn(cred))
		return err_set(&c->err, E_BAD_REQUEST,
			       "Invalid value for authorizerCredentialsArn: %.256s. Must be an ARN",
			       cred);
	return E_OK;
}

/* A {} jwtConfiguration is how Terraform says "none": store nothing. */
static void drop_empty_jwt(json_t *doc)
{
	const json_t *jwt = json_object_get(doc, "jwtConfiguration");
	if (json_is_object(jwt) && json_object_size(jwt) == 0)
		json_object_del(doc, "jwtConfiguration");
}

static void authorizer_on_create(struct rctx *c)
{
	drop_empty_jwt(c->doc);
}

/* A change of authorizerType forgets the stored members of the other type that this request
 * does not set again, so REQUEST <-> JWT works in one call. */
static void authorizer_on_update(struct rctx *c)
{
	const char *was = jstr(c->prev, "authorizerType");
	const char *now = jstr(c->doc, "authorizerType");
	const json_t *in = c->rq->body;

	if (was && now && strcmp(was, now)) {
		if (strcmp(now, "JWT") == 0) {
			for (const char *const *m = request_only; *m; m++)
				if (!json_object_get(in, *m))
					json_object_del(c->doc, *m);
		} else if (!json_object_get(in, "jwtConfiguration")) {
			json_object_del(c->doc, "jwtConfiguration");
		}
	}
	drop_empty_jwt(c->doc);
}

/* Finds the first route of the API whose authorizerId is the authorizer being deleted. */
struct route_scan {
	const char *id;	     /* the authorizer */
	char route_key[512]; /* the first route using it, or "" */
	int64_t last_seq;
};

static bool find_route(const struct db_row *row, void *arg)
{
	struct route_scan *s = arg;
	json_t *doc = json_loads(row->doc, 0, NULL);
	const char *auth = jstr(doc, "authorizerId");
	s->last_seq = row->seq;
	if (auth && strcmp(auth, s->id) == 0) {
		const char *key = jstr(doc, "routeKey");
		snprintf(s->route_key, sizeof s->route_key, "%s", key ? key : row->id);
	}
	json_decref(doc);
	return s->route_key[0] == '\0';
}

/* A route that uses the authorizer keeps it alive (409, in AWS's words). */
static enum err authorizer_before_delete(struct rctx *c)
{
	struct route_scan s = {.id = c->id};
	struct db_key k = {&c->rq->scope, "route", c->parent, NULL};
	bool more = true;
	while (more && !s.route_key[0]) {
		int64_t after = s.last_seq;
		enum db_rc rc =
			db_res_list(c->rq->db, &k, after, ROUTE_SCAN_PAGE, find_route, &s, &more);
		if (rc != DB_OK)
			return err_db(rc, &c->err);
		if (s.last_seq == after)
			break;
	}
	if (s.route_key[0])
		return err_set(&c->err, E_CONFLICT,
			       "Cannot delete authorizer '%.256s', is referenced in route: %.256s",
			       jstr(c->prev, "name"), s.route_key);
	return E_OK;
}

const struct resdef authorizer_def = {
	.name = "Authorizer",
	.kind = "authorizer",
	.id_member = "authorizerId",
	.id_len = 6,
	.parent = &api_def,
	.fields = authorizer_fields,
	.in_deployment = true,
	.on_create = authorizer_on_create,
	.on_update = authorizer_on_update,
	.check = authorizer_check,
	.before_delete = authorizer_before_delete,
};
