/* authz.c — $connect REQUEST authorizers (docs/aws-behaviour.md §D9): check the identity
 * sources, invoke the authorizer's Lambda with the REQUEST event through the same Invoke path as
 * AWS_PROXY integrations (integ.c), and turn its answer into a verdict and the
 * requestContext.authorizer of the connection. */
#include "authz.h"

#include <fnmatch.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "event.h"
#include "integ.h"

/* The authorizer of the snapshot with that id, borrowed from s, or NULL. */
static json_t *find_authorizer(const struct gw_stage *s, const char *id)
{
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(s->doc, "authorizers"), i, a) {
		const char *aid = json_string_value(json_object_get(a, "authorizerId"));
		if (aid && id && !strcmp(aid, id))
			return a;
	}
	return NULL;
}

/* The value of header name (any case) in headers, borrowed, or NULL. */
static const char *header(json_t *headers, const char *name, size_t len)
{
	const char *k;
	json_t *v;
	json_object_foreach(headers, k, v) {
		if (strlen(k) == len && !strncasecmp(k, name, len))
			return json_string_value(v);
	}
	return NULL;
}

/* Whether one identity source (route.request.header.X, route.request.querystring.X,
 * stageVariables.X) is present and non-empty (§D9). An unknown form counts as missing. */
static bool source_present(const struct gw_stage *s, json_t *headers, json_t *query,
			   const char *src, size_t len)
{
	static const char hdr[] = "route.request.header.", qs[] = "route.request.querystring.",
			  sv[] = "stageVariables.";
	const char *v = NULL;
	while (len &&
	       (*src == ' ' || *src == '$')) /* "$request.header.X" is AWS's other spelling */
		src++, len--;
	if (len > sizeof hdr - 1 && !strncmp(src, hdr, sizeof hdr - 1)) {
		v = header(headers, src + sizeof hdr - 1, len - (sizeof hdr - 1));
	} else if (len > sizeof qs - 1 && !strncmp(src, qs, sizeof qs - 1)) {
		json_t *vals = json_object_getn(query, src + sizeof qs - 1, len - (sizeof qs - 1));
		v = json_string_value(json_array_get(vals, json_array_size(vals) - 1));
	} else if (len > sizeof sv - 1 && !strncmp(src, sv, sizeof sv - 1)) {
		v = json_string_value(json_object_getn(s->stage_vars, src + sizeof sv - 1,
						       len - (sizeof sv - 1)));
	}
	return v && *v;
}

/* Whether every identity source of authorizer a is present (identitySource is a list, or one
 * comma-separated string). */
static bool identity_present(const struct gw_stage *s, json_t *a, json_t *headers, json_t *query)
{
	json_t *is = json_object_get(a, "identitySource"), *v;
	size_t i;
	if (json_is_string(is))
		is = json_pack("[O]", is);
	else
		json_incref(is);
	bool ok = true;
	json_array_foreach(is, i, v) {
		const char *p = json_string_value(v);
		while (ok && p && *p) {
			const char *comma = strchr(p, ',');
			size_t n = comma ? (size_t)(comma - p) : strlen(p);
			while (n && p[n - 1] == ' ')
				n--;
			if (n)
				ok = source_present(s, headers, query, p, n);
			p = comma ? comma + 1 : NULL;
		}
	}
	json_decref(is);
	return ok;
}

/* Whether pattern list v (a string or an array of strings, IAM wildcards * and ?) matches what. */
static bool iam_match(json_t *v, const char *what, int flags)
{
	json_t *it;
	size_t i;
	if (json_is_string(v))
		return !fnmatch(json_string_value(v), what, flags);
	json_array_foreach(v, i, it) {
		if (json_is_string(it) && !fnmatch(json_string_value(it), what, flags))
			return true;
	}
	return false;
}

/* The policy's verdict for invoking arn: 0 Allow, 403 Deny or no statement allowing it, 500
 * malformed. An explicit Deny wins over any Allow, as in IAM. */
static int verdict(json_t *policy, const char *arn)
{
	json_t *st = json_object_get(policy, "Statement"), *it;
	size_t i;
	bool allow = false;
	if (!json_is_object(policy) || !(json_is_array(st) || json_is_object(st)))
		return 500;
	if (json_is_object(st))
		st = json_pack("[O]", st);
	else
		json_incref(st);
	int rc = 0;
	json_array_foreach(st, i, it) {
		const char *effect = json_string_value(json_object_get(it, "Effect"));
		if (!effect || (strcasecmp(effect, "Allow") && strcasecmp(effect, "Deny"))) {
			rc = 500;
			break;
		}
		if (!iam_match(json_object_get(it, "Action"), "execute-api:Invoke", FNM_CASEFOLD) ||
		    !iam_match(json_object_get(it, "Resource"), arn, 0))
			continue;
		if (!strcasecmp(effect, "Deny")) {
			rc = 403;
			break;
		}
		allow = true;
	}
	json_decref(st);
	return rc ? rc : allow ? 0 : 403;
}

/* The REQUEST event (§D9): type, methodArn, then the CONNECT event's members with
 * stageVariables always present. New text, or NULL. */
static char *request_event(const struct gw_stage *s, const struct gw_conn *c, const char *rid,
			   const char *arn, json_t *headers, json_t *query)
{
	json_t *conn =
		gw_event_object(GW_CONNECT, s, c, "$connect", rid, NULL, NULL, 0, headers, query);
	json_t *e = json_pack("{s:s, s:s}", "type", "REQUEST", "methodArn", arn);
	static const char *const members[] = {"headers", "multiValueHeaders",
					      "queryStringParameters",
					      "multiValueQueryStringParameters", NULL};
	char *text = NULL;
	if (!conn || !e)
		goto out;
	for (size_t i = 0; members[i]; i++) {
		json_t *v = json_object_get(conn, members[i]);
		if (v)
			json_object_set(e, members[i], v);
	}
	json_object_set(e, "stageVariables", s->stage_vars);
	json_object_set(e, "requestContext", json_object_get(conn, "requestContext"));
	text = json_dumps(e, JSON_COMPACT);
out:
	json_decref(conn);
	json_decref(e);
	return text;
}

/* arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/$connect, region from the authorizer
 * URI (arn:aws:apigateway:{region}:lambda:...) and account from the function ARN inside it. */
static void method_arn(const struct gw_stage *s, const char *uri, char *out, size_t size)
{
	char region[64] = "us-east-1", account[32] = "000000000000";
	const char *f;
	sscanf(uri, "arn:aws:apigateway:%63[^:]:", region);
	if ((f = strstr(uri, "arn:aws:lambda:")))
		sscanf(f, "arn:aws:lambda:%*[^:]:%31[^:]:", account);
	snprintf(out, size, "arn:aws:execute-api:%s:%s:%s/%s/$connect", region, account, s->api_id,
		 s->name);
}

/* The authorizer's answer → status and *authorizer (§D9). */
static int outcome(const struct gw_job *j, const char *arn, json_t **authorizer)
{
	json_t *doc = NULL, *ctx, *v;
	const char *k;
	int rc = 500;
	if (j->outcome != GW_OK || j->status != 200 || !j->resp)
		goto out;
	doc = json_loadb(j->resp, j->resp_len, JSON_DECODE_ANY, NULL);
	if (j->function_error) {
		const char *msg = json_string_value(json_object_get(doc, "errorMessage"));
		rc = msg && !strcmp(msg, "Unauthorized") ? 401 : 500;
		goto out;
	}
	const char *principal = json_string_value(json_object_get(doc, "principalId"));
	ctx = json_object_get(doc, "context");
	if (!principal || (ctx && !json_is_object(ctx) && !json_is_null(ctx)))
		goto out;
	rc = verdict(json_object_get(doc, "policyDocument"), arn);
	if (rc)
		goto out;
	json_t *a = json_pack("{s:s}", "principalId", principal);
	json_object_foreach(ctx, k, v) {
		if (!json_is_string(v) && !json_is_number(v) && !json_is_boolean(v)) {
			json_decref(a);
			rc = 500;
			goto out;
		}
		if (strcmp(k, "principalId"))
			json_object_set(a, k, v);
	}
	*authorizer = a;
out:
	json_decref(doc);
	return rc;
}

int gw_authz_connect(const struct gw_stage *s, json_t *route, const struct gw_conn *c,
		     const char *request_id, json_t *headers, json_t *query, json_t **authorizer)
{
	const char *type = json_string_value(json_object_get(route, "authorizationType"));
	json_t *a, *fake = NULL;
	char arn[512], *event = NULL;
	struct gw_job *j = NULL;
	bool err = false;
	int rc = 500;
	*authorizer = NULL;
	if (!type || strcmp(type, "CUSTOM"))
		return 0;
	a = find_authorizer(s, json_string_value(json_object_get(route, "authorizerId")));
	const char *uri = json_string_value(json_object_get(a, "authorizerUri"));
	if (!uri)
		goto out;
	if (!identity_present(s, a, headers, query)) {
		rc = 401;
		goto out;
	}
	method_arn(s, uri, arn, sizeof arn);
	event = request_event(s, c, request_id, arn, headers, query);
	/* The authorizer is called as an AWS_PROXY integration of its URI would be. */
	fake = json_pack("{s:s, s:{s:s, s:s, s:i}}", "routeKey", "$connect", "integration",
			 "integrationType", "AWS_PROXY", "integrationUri", uri, "timeoutInMillis",
			 GW_AUTHZ_TIMEOUT_MS);
	if (!event || !fake)
		goto out;
	j = gw_integ_prepare(s, fake, GW_CONNECT, c->id, request_id, event, strlen(event), NULL,
			     &err);
	if (!j)
		goto out;
	gw_integ_perform(j);
	rc = outcome(j, arn, authorizer);
out:
	gw_job_free(j);
	json_decref(fake);
	free(event);
	return rc;
}
