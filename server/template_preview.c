/* template_preview.c — POST /_apigwd/apis/{apiId}/integrations/{integrationId}/preview: which
 * request template of an integration a sample message selects and what it renders
 * (docs/gateway.md "Template preview"). The selection and the engine are the gateway's own,
 * reached through server_hooks.template_preview, so the console shows exactly what a deployed
 * stage would do (docs/aws-behaviour.md §D5, §D7). It reads the live integration, not a
 * deployment: the console previews what is being edited. */
#include <jansson.h>
#include <stdlib.h>

#include "handlers.h"
#include "route.h"
#include "server.h"

void template_preview(struct req *rq)
{
	struct server *srv = rq->srv;
	const char *api_id = req_param(rq, "apiId"), *id = req_param(rq, "integrationId");
	const json_t *in = rq->body;
	struct db_key k = {&rq->scope, "integration", api_id, id};
	char *body = NULL;
	json_t *integ = NULL, *out = NULL;
	if (!srv->hooks.template_preview) {
		reply_errf(rq, E_BAD_REQUEST, "Template preview is not available in this build");
		goto out;
	}
	if (!json_is_object(in) || !json_is_string(json_object_get(in, "body"))) {
		reply_errf(rq, E_BAD_REQUEST, "Invalid request body: body must be a string");
		goto out;
	}
	if ((json_object_get(in, "stageVariables") &&
	     !json_is_object(json_object_get(in, "stageVariables"))) ||
	    (json_object_get(in, "context") && !json_is_object(json_object_get(in, "context")))) {
		reply_errf(rq, E_BAD_REQUEST,
			   "Invalid request body: stageVariables and context must be objects");
		goto out;
	}
	enum db_rc rc = db_res_get(rq->db, &k, NULL, &body, NULL);
	if (rc == DB_NOTFOUND) {
		reply_errf(rq, E_NOT_FOUND, "Invalid Integration identifier specified");
		goto out;
	}
	if (rc != DB_OK) {
		struct apierr e = {0};
		err_db(rc, &e);
		reply_error(rq, &e);
		goto out;
	}
	integ = json_loads(body, 0, NULL);
	out = integ ? srv->hooks.template_preview(integ, in) : NULL;
	if (!out) {
		reply_errf(rq, E_INTERNAL, "The integration could not be previewed");
		goto out;
	}
	reply_json(rq, 200, out);
out:
	free(body);
	json_decref(integ);
	json_decref(out);
}
