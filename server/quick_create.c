/* quick_create.c — HTTP quick create: CreateApi with `target` creates the managed integration,
 * the route and the auto-deploying $default stage in the same transaction, and UpdateApi keeps
 * them in step (docs/aws-behaviour.md §4). Registered by main.c as the server's api_written
 * hook (server.h), since the API resource itself sits below what it creates. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "quick_create.h"
#include "res_integrations.h"
#include "res_routes.h"
#include "res_stages.h"
#include "route.h"

enum { LIST_PAGE = 500 }; /* rows read per db_res_list call */

static bool is_op(const struct req *rq, const char *op)
{
	return rq->route && rq->route->op && strcmp(rq->route->op, op) == 0;
}

/* A quick create target: a Lambda function ARN (AWS_PROXY) or an http(s) URL (HTTP_PROXY). */
static enum err check_target(const char *target, bool *lambda, struct apierr *e)
{
	*lambda = jstarts_with(target, "arn:");
	if (!*lambda && !jstarts_with(target, "http://") && !jstarts_with(target, "https://"))
		return err_set(e, E_BAD_REQUEST,
			       "Invalid target specified: %.256s. Must be a Lambda function ARN or "
			       "an http:// or https:// URL",
			       target);
	return E_OK;
}

/* CreateApi with target: the managed integration, its route and the auto-deploying $default
 * stage, all apiGatewayManaged. */
static enum err quick_create(struct rctx *c, const char *target)
{
	const char *route_key = json_string_value(json_object_get(c->doc, "routeKey"));
	json_t *managed = NULL, *integration = NULL, *in = NULL, *out = NULL;
	bool lambda = false;
	enum err rc = check_target(target, &lambda, &c->err);
	if (rc)
		return rc;
	managed = json_pack("{s:b}", "apiGatewayManaged", 1);
	integration = lambda ? json_pack("{s:s,s:s,s:s}", "integrationType", "AWS_PROXY",
					 "integrationUri", target, "payloadFormatVersion", "2.0")
			     : json_pack("{s:s,s:s,s:s}", "integrationType", "HTTP_PROXY",
					 "integrationUri", target, "integrationMethod", "ANY");
	jcopy_member(integration, "credentialsArn", c->doc, "credentialsArn");
	if ((rc = res_create_in(c->rq, &integration_def, c->id, P_HTTP, c->doc, integration,
				managed, &out, &c->err)))
		goto out;
	in = json_pack("{s:s,s:o}", "routeKey", route_key ? route_key : "$default", "target",
		       json_sprintf("integrations/%s",
				    json_string_value(json_object_get(out, "integrationId"))));
	if ((rc = res_create_in(c->rq, &route_def, c->id, P_HTTP, c->doc, in, managed, NULL,
				&c->err)))
		goto out;
	json_decref(in);
	in = json_pack("{s:s,s:b}", "stageName", "$default", "autoDeploy", 1);
	rc = res_create_in(c->rq, &stage_def, c->id, P_HTTP, c->doc, in, managed, NULL, &c->err);
out:
	json_decref(managed);
	json_decref(integration);
	json_decref(in);
	json_decref(out);
	return rc;
}

struct find_managed {
	char id[160]; /* the first managed row's id, or "" */
	int64_t last; /* seq of the last row seen */
};

static bool find_managed_row(const struct db_row *row, void *arg)
{
	struct find_managed *f = arg;
	json_t *doc = json_loads(row->doc, 0, NULL);
	f->last = row->seq;
	if (json_is_true(json_object_get(doc, "apiGatewayManaged")))
		snprintf(f->id, sizeof f->id, "%s", row->id);
	json_decref(doc);
	return !f->id[0];
}

/* The id of the API's apiGatewayManaged `kind` (quick create made it) into f->id, or "". */
static enum err find_managed(struct req *rq, const char *kind, const char *api_id,
			     struct find_managed *f, struct apierr *e)
{
	struct db_key k = {&rq->scope, kind, api_id, NULL};
	bool more = true;
	f->id[0] = '\0';
	f->last = 0;
	while (more && !f->id[0]) {
		enum db_rc rc =
			db_res_list(rq->db, &k, f->last, LIST_PAGE, find_managed_row, f, &more);
		if (rc != DB_OK)
			return err_db(rc, e);
	}
	return E_OK;
}

/* UpdateApi's target and credentialsArn, applied to the quick-created integration. */
static enum err edit_quick_integration(struct rctx *c)
{
	const json_t *req = c->arg;
	const char *target = json_string_value(json_object_get(req, "target"));
	bool lambda = false;
	if (target) {
		if (check_target(target, &lambda, &c->err))
			return c->err.code;
		const char *type = lambda ? "AWS_PROXY" : "HTTP_PROXY";
		const char *now = json_string_value(json_object_get(c->doc, "integrationType"));
		if (!now || strcmp(type, now)) {
			/* Another kind of backend: what the old one needed goes. */
			json_object_set_new(c->doc, "integrationType", json_string(type));
			json_object_set_new(c->doc, "payloadFormatVersion",
					    json_string(lambda ? "2.0" : "1.0"));
			if (lambda)
				json_object_del(c->doc, "integrationMethod");
			else
				json_object_set_new(c->doc, "integrationMethod",
						    json_string("ANY"));
		}
		json_object_set_new(c->doc, "integrationUri", json_string(target));
	}
	jcopy_member(c->doc, "credentialsArn", req, "credentialsArn");
	return E_OK;
}

/* UpdateApi's routeKey, applied to the quick-created route. */
static enum err edit_quick_route(struct rctx *c)
{
	jcopy_member(c->doc, "routeKey", c->arg, "routeKey");
	return E_OK;
}

/* UpdateApi with target, routeKey or credentialsArn on a quick-created API: AWS updates the
 * managed integration and route (an API quick create never made has nothing to update). */
static enum err quick_update(struct rctx *c, const json_t *req)
{
	struct find_managed f;
	bool ig = json_is_string(json_object_get(req, "target")) ||
		  json_is_string(json_object_get(req, "credentialsArn"));
	bool route = json_is_string(json_object_get(req, "routeKey"));
	if (ig && (find_managed(c->rq, integration_def.kind, c->id, &f, &c->err) ||
		   (f.id[0] && res_edit(c->rq, &integration_def, c->id, f.id,
					edit_quick_integration, (void *)req, NULL, &c->err))))
		return c->err.code;
	if (route && (find_managed(c->rq, route_def.kind, c->id, &f, &c->err) ||
		      (f.id[0] && res_edit(c->rq, &route_def, c->id, f.id, edit_quick_route,
					   (void *)req, NULL, &c->err))))
		return c->err.code;
	return E_OK;
}

enum err api_quick_create(struct rctx *c, bool created)
{
	static const char *const http_only[] = {"target", "routeKey", NULL};
	const json_t *body = c->rq->body;
	bool create = created && is_op(c->rq, "CreateApi");
	bool update = !created && is_op(c->rq, "UpdateApi");

	if (!create && !update)
		return E_OK; /* imports, and edits made by other operations */
	if (c->proto == P_WS) {
		for (const char *const *m = http_only; *m; m++)
			if (json_object_get(body, *m) && !json_is_null(json_object_get(body, *m)))
				return err_set(&c->err, E_BAD_REQUEST,
					       "%s is supported only for HTTP APIs (quick create)",
					       *m);
		return E_OK;
	}
	if (update)
		return quick_update(c, body);
	const char *target = json_string_value(json_object_get(c->doc, "target"));
	return target ? quick_create(c, target) : E_OK;
}
