/* res_integration_responses.c — IntegrationResponse: CreateIntegrationResponse,
 * GetIntegrationResponse, GetIntegrationResponses, UpdateIntegrationResponse,
 * DeleteIntegrationResponse. docs/aws-behaviour.md §6.
 *
 * WebSocket APIs only, and only under non-proxy integrations (AWS, HTTP, MOCK): a proxy
 * integration hands the backend's answer through untouched [ours: 400]. The key is unique
 * under its integration (the storage ukey). Deleting the integration deletes them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "res.h"
#include "res_integration_responses.h"
#include "res_integrations.h"

static const char *const content_handling[] = {"CONVERT_TO_BINARY", "CONVERT_TO_TEXT", NULL};

/* In the model's order, which is the order of the answer. responseParameters and
 * responseTemplates merge on update like the integration's maps ("" deletes a key). */
const struct jfield integration_response_fields[] = {
	{"contentHandlingStrategy", J_ENUM, .flags = F_IN, .enums = content_handling},
	{"integrationResponseId", J_STR, .flags = F_SERVER},
	{"integrationResponseKey", J_STR, 1, 512, F_IN | F_REQUIRED},
	{"responseParameters", J_STRMAP, 1, 512, F_IN | F_MERGE},
	{"responseTemplates", J_STRMAP, 0, 32768, F_IN | F_MERGE},
	{"templateSelectionExpression", J_STR, 0, 1024, F_IN},
	{0},
};

/* "$default", or a regular expression between slashes ("/4\d\d/"). */
static bool valid_key(const char *key)
{
	size_t len = strlen(key);
	return strcmp(key, "$default") == 0 || (len >= 3 && key[0] == '/' && key[len - 1] == '/');
}

/* The parent integration's type, read from storage: c->parent is "apiId/integrationId". */
static enum err parent_type(struct rctx *c, char *type, size_t len)
{
	char api_id[64], *doc = NULL;
	size_t cut = strcspn(c->parent, "/");
	const char *integration_id = c->parent[cut] ? c->parent + cut + 1 : "";
	snprintf(api_id, sizeof api_id, "%.*s", (int)cut, c->parent);
	struct db_key k = {&c->rq->scope, "integration", api_id, integration_id};
	enum db_rc rc = db_res_get(c->rq->db, &k, &doc, NULL, NULL);
	if (rc == DB_NOTFOUND)
		return err_not_found(&c->err, "Integration",
				     "Invalid Integration identifier specified %s", integration_id);
	if (rc != DB_OK)
		return err_db(rc, &c->err);
	json_t *integration = json_loads(doc, 0, NULL);
	free(doc);
	snprintf(type, len, "%s",
		 jstr(integration, "integrationType") ? jstr(integration, "integrationType") : "");
	json_decref(integration);
	return E_OK;
}

static enum err integration_response_check(struct rctx *c)
{
	char type[32];
	const char *key = jstr(c->out, "integrationResponseKey");
	if (c->proto != P_WS)
		return err_set(&c->err, E_BAD_REQUEST,
			       "Integration responses are supported only for WEBSOCKET APIs");
	if (parent_type(c, type, sizeof type))
		return c->err.code;
	if (strcmp(type, "AWS_PROXY") == 0 || strcmp(type, "HTTP_PROXY") == 0)
		return err_set(&c->err, E_BAD_REQUEST,
			       "Integration responses are not supported for %s integrations; only "
			       "AWS, HTTP and MOCK integrations have them",
			       type);
	if (!key || !valid_key(key))
		return err_set(
			&c->err, E_BAD_REQUEST,
			"Invalid value for integrationResponseKey: %.256s. Must be $default or "
			"a regular expression between slashes, such as /4\\d\\d/",
			key ? key : "");
	return E_OK;
}

static const char *integration_response_ukey(const struct rctx *c)
{
	return jstr(c->out, "integrationResponseKey");
}

static enum err integration_response_conflict(const struct rctx *c, struct apierr *e)
{
	return err_set(e, E_CONFLICT,
		       "IntegrationResponse with key %.256s already exists for this Integration",
		       jstr(c->out, "integrationResponseKey"));
}

const struct resdef integration_response_def = {
	.name = "IntegrationResponse",
	.kind = "integration_response",
	.id_member = "integrationResponseId",
	.id_len = 6,
	.parent = &integration_def,
	.fields = integration_response_fields,
	.in_deployment = true,
	.check = integration_response_check,
	.ukey = integration_response_ukey,
	.conflict = integration_response_conflict,
};
