/* res_api_mappings.c — ApiMapping: CreateApiMapping, GetApiMapping, GetApiMappings,
 * UpdateApiMapping, DeleteApiMapping, under /v2/domainnames/{domainName}. docs/aws-behaviour.md
 * §10: the domain is resolved first (its own 404), then the key, then the API, then the stage; one
 * mapping per key and domain (409). */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "jspec.h"
#include "res_api_mappings.h"
#include "res_domain_names.h"

/* Model order. apiMappingKey is omitted when unset: the mapping of the domain's root. */
static const struct jfield api_mapping_fields[] = {
	{"apiId", J_STR, 1, 0, F_IN | F_REQUIRED | F_UPDATE_REQUIRED},
	{"apiMappingId", J_STR, .flags = F_SERVER},
	{"apiMappingKey", J_STR, .flags = F_IN},
	{"stage", J_STR, 1, 128, F_IN | F_REQUIRED},
	{0},
};

/* AWS's two rules for keys, in AWS's words. */
static enum err check_key(struct rctx *c, const char *key)
{
	size_t n = strlen(key);
	if (key[0] == '/' || strstr(key, "//"))
		return err_set(
			&c->err, E_BAD_REQUEST,
			"API mapping key should not start with a '/' or have consecutive '/'s.");
	if (n > 0 && key[n - 1] == '/')
		return err_set(&c->err, E_BAD_REQUEST,
			       "API mapping key should not end with a '/'.");
	return E_OK;
}

/* A domain whose routingMode is ROUTING_RULE_ONLY takes no new mapping (AWS: "you can't
 * create an API mapping"); existing ones can still be read, changed and deleted. */
static enum err check_routing_mode(struct rctx *c)
{
	char *body = NULL;
	struct db_key k = {&c->rq->scope, domain_name_def.kind, "", c->parent};
	enum db_rc rc = db_res_get(c->rq->db, &k, NULL, &body, NULL);
	if (rc != DB_OK)
		return err_db(rc == DB_NOTFOUND ? DB_ERROR : rc, &c->err);
	json_t *domain = json_loads(body, 0, NULL);
	free(body);
	const char *mode = jstr(domain, "routingMode");
	bool refused = mode && strcmp(mode, "ROUTING_RULE_ONLY") == 0;
	json_decref(domain);
	if (refused)
		return err_set(&c->err, E_BAD_REQUEST,
			       "API mappings cannot be created for domain name %s: its routingMode "
			       "is ROUTING_RULE_ONLY",
			       c->parent);
	return E_OK;
}

/* The API must exist in the caller's account (404, the API's message) and have the stage
 * (400, as CreateApiMapping words it). */
static enum err check_target(struct rctx *c, const char *api_id, const char *stage)
{
	struct db_key api = {&c->rq->scope, "api", "", api_id};
	enum db_rc rc = db_res_get(c->rq->db, &api, NULL, NULL, NULL);
	if (rc == DB_NOTFOUND)
		return err_not_found(&c->err, "Api", "Invalid API identifier specified %s:%s",
				     c->rq->account, api_id);
	if (rc != DB_OK)
		return err_db(rc, &c->err);
	struct db_key st = {&c->rq->scope, "stage", api_id, stage};
	rc = db_res_get(c->rq->db, &st, NULL, NULL, NULL);
	if (rc == DB_NOTFOUND)
		return err_set(&c->err, E_BAD_REQUEST, "Invalid stage identifier specified");
	if (rc != DB_OK)
		return err_db(rc, &c->err);
	return E_OK;
}

/* On the rendered mapping, so an update is judged by its whole result. The domain was
 * loaded already (as a parent). */
static enum err api_mapping_check(struct rctx *c)
{
	const char *key = jstr(c->out, "apiMappingKey");
	if (key && check_key(c, key))
		return c->err.code;
	if (!c->prev && check_routing_mode(c))
		return c->err.code;
	return check_target(c, jstr(c->out, "apiId"), jstr(c->out, "stage"));
}

/* One mapping per key and domain; no key is the root, a key of its own. */
static const char *api_mapping_ukey(const struct rctx *c)
{
	const char *key = jstr(c->out, "apiMappingKey");
	return key ? key : "";
}

static enum err api_mapping_conflict(const struct rctx *c, struct apierr *e)
{
	const char *key = jstr(c->out, "apiMappingKey");
	return err_set(e, E_CONFLICT,
		       "An API mapping with key '%s' already exists for domain name %s",
		       key ? key : "", c->parent);
}

static enum err api_mapping_not_found(const struct rctx *c, const char *id, struct apierr *e)
{
	(void)c;
	(void)id;
	return err_not_found(e, "ApiMapping",
			     "The api mapping resource specified in the request was not found.");
}

const struct resdef api_mapping_def = {
	.name = "ApiMapping",
	.kind = "api_mapping",
	.id_member = "apiMappingId",
	.id_len = 10,
	.parent = &domain_name_def,
	.fields = api_mapping_fields,
	.check = api_mapping_check,
	.ukey = api_mapping_ukey,
	.conflict = api_mapping_conflict,
	.not_found = api_mapping_not_found,
};
