/* res_export.c — ExportApi for HTTP APIs: walks the stored API (or the deployment a stage
 * serves) and writes OpenAPI 3.0 as JSON (jansson) or YAML (libyaml's emitter, yamldoc.c).
 * docs/aws-behaviour.md §4 and §10. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handlers.h"
#include "res_deployments.h"
#include "yamldoc.h"

enum {
	LIST_PAGE = 500,	      /* rows read per db_res_list call */
	HTTP_TIMEOUT_DEFAULT = 30000, /* HTTP APIs' timeoutInMillis, left out of exports */
};

struct export_ctx {
	struct req *rq;
	const char *api_id;
	const char *stage;    /* stageName, or NULL */
	json_t *api;	      /* the API's answer; owned */
	json_t *routes;	      /* route answers in creation order; owned */
	json_t *integrations; /* integrationId → answer; owned */
	struct apierr err;
};

struct collect {
	json_t *rows; /* answers collected so far */
	int64_t last; /* seq of the last row */
};

static bool collect_body(const struct db_row *row, void *arg)
{
	struct collect *c = arg;
	json_t *body = json_loadb(row->body, row->body_len, 0, NULL);
	c->last = row->seq;
	if (body)
		json_array_append_new(c->rows, body);
	return true;
}

/* Every answer of `kind` under the API, in creation order. New reference, or NULL with e. */
static json_t *load_all(struct req *rq, const char *kind, const char *api_id, struct apierr *e)
{
	struct collect c = {json_array(), 0};
	struct db_key k = {&rq->scope, kind, api_id, NULL};
	bool more = true;
	while (more) {
		enum db_rc rc = db_res_list(rq->db, &k, c.last, LIST_PAGE, collect_body, &c, &more);
		if (rc != DB_OK) {
			err_db(rc, e);
			json_decref(c.rows);
			return NULL;
		}
	}
	return c.rows;
}

/* What stage x->stage serves: the snapshot of its deployment (none yet: no routes). Replaces
 * x->api with the snapshot's and sets x->routes and *igs (integration answers). */
static enum db_rc export_stage(struct export_ctx *x, json_t **igs)
{
	struct db_key k = {&x->rq->scope, "stage", x->api_id, x->stage};
	char *body = NULL;
	json_t *stage = NULL, *snap = NULL;
	enum db_rc rc = db_res_get(x->rq->db, &k, NULL, &body, NULL);
	if (rc == DB_NOTFOUND) {
		err_not_found(&x->err, "Stage", "Invalid stage identifier specified");
		return DB_ABORT;
	}
	if (rc != DB_OK)
		return rc;
	stage = json_loads(body, 0, NULL);
	free(body);
	const char *deployment = json_string_value(json_object_get(stage, "deploymentId"));
	if (deployment) {
		rc = deployment_snapshot(x->rq->db, &x->rq->scope, x->api_id, deployment, &snap);
		if (rc == DB_NOTFOUND)
			rc = DB_OK; /* a dangling pointer serves nothing */
	}
	if (rc == DB_OK && json_is_object(json_object_get(snap, "api"))) {
		json_decref(x->api);
		x->api = json_incref(json_object_get(snap, "api"));
	}
	if (rc == DB_OK) {
		x->routes = json_deep_copy(json_object_get(snap, "routes"));
		*igs = json_deep_copy(json_object_get(snap, "integrations"));
		if (!x->routes)
			x->routes = json_array();
		if (!*igs)
			*igs = json_array();
	}
	json_decref(snap);
	json_decref(stage);
	return rc;
}

static enum db_rc export_txn(struct db *db, void *arg)
{
	struct export_ctx *x = arg;
	struct db_key k = {&x->rq->scope, "api", "", x->api_id};
	char *body = NULL;
	json_t *igs = NULL, *ig;
	size_t i;
	json_decref(x->api);
	json_decref(x->routes);
	json_decref(x->integrations);
	x->api = x->routes = x->integrations = NULL;
	memset(&x->err, 0, sizeof x->err);
	enum db_rc rc = db_res_get(db, &k, NULL, &body, NULL);
	if (rc == DB_NOTFOUND) {
		err_not_found(&x->err, "Api", "Invalid API identifier specified %s:%s",
			      x->rq->account, x->api_id);
		return DB_ABORT;
	}
	if (rc != DB_OK)
		return rc;
	x->api = json_loads(body, 0, NULL);
	free(body);
	if (!x->api)
		return DB_ERROR;
	if (res_api_proto(x->api) != P_HTTP) {
		err_set(&x->err, E_BAD_REQUEST, "ExportApi is supported only for HTTP APIs");
		return DB_ABORT;
	}
	if (x->stage)
		rc = export_stage(x, &igs);
	else if (!(x->routes = load_all(x->rq, "route", x->api_id, &x->err)) ||
		 !(igs = load_all(x->rq, "integration", x->api_id, &x->err)))
		rc = DB_ABORT;
	if (rc != DB_OK) {
		json_decref(igs);
		return rc;
	}
	x->integrations = json_object();
	json_array_foreach(igs, i, ig) {
		const char *id = json_string_value(json_object_get(ig, "integrationId"));
		if (id)
			json_object_set(x->integrations, id, ig);
	}
	json_decref(igs);
	return DB_OK;
}

/* An integration's answer as x-amazon-apigateway-integration. New reference. */
static json_t *export_integration(const json_t *ig)
{
	json_t *x = json_object();
	char type[32];
	const json_t *timeout = json_object_get(ig, "timeoutInMillis");
	snprintf(type, sizeof type, "%s",
		 json_string_value(json_object_get(ig, "integrationType")));
	for (char *c = type; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	jcopy_member(x, "requestParameters", ig, "requestParameters");
	jcopy_member(x, "responseParameters", ig, "responseParameters");
	jcopy_member(x, "payloadFormatVersion", ig, "payloadFormatVersion");
	json_object_set_new(x, "type", json_string(type));
	jcopy_member(x, "integrationSubtype", ig, "integrationSubtype");
	jcopy_member(x, "httpMethod", ig, "integrationMethod");
	jcopy_member(x, "uri", ig, "integrationUri");
	jcopy_member(x, "connectionType", ig, "connectionType");
	jcopy_member(x, "connectionId", ig, "connectionId");
	jcopy_member(x, "credentials", ig, "credentialsArn");
	if (timeout && json_integer_value(timeout) != HTTP_TIMEOUT_DEFAULT)
		json_object_set(x, "timeoutInMillis", (json_t *)timeout);
	jcopy_member(x, "tlsConfig", ig, "tlsConfig");
	return x;
}

/* The generated `parameters` of a templated path ("/pets/{petId}"), or NULL. New reference. */
static json_t *path_parameters(const char *path)
{
	json_t *params = NULL;
	for (const char *open = strchr(path, '{'); open; open = strchr(open + 1, '{')) {
		const char *close = strchr(open, '}');
		if (!close)
			break;
		char name[256], desc[320];
		snprintf(name, sizeof name, "%.*s", (int)(close - open - 1), open + 1);
		snprintf(desc, sizeof desc, "Generated path parameter for %s", name);
		if (!params)
			params = json_array();
		json_array_append_new(params, json_pack("{s:s,s:s,s:s,s:b,s:{s:s}}", "name", name,
							"in", "path", "description", desc,
							"required", 1, "schema", "type", "string"));
	}
	return params;
}

/* The OpenAPI 3.0 document of the collected API. New reference. */
static json_t *export_document(const struct export_ctx *x, bool extensions)
{
	const json_t *api = x->api, *r;
	const char *version = json_string_value(json_object_get(api, "version"));
	const char *created = json_string_value(json_object_get(api, "createdDate"));
	const char *endpoint = json_string_value(json_object_get(api, "apiEndpoint"));
	json_t *doc = json_object(), *info = json_object(), *paths = json_object(), *item;
	const char *path;
	char stamp[64];
	size_t i;

	json_object_set_new(doc, "openapi", json_string("3.0.1"));
	jcopy_member(info, "title", api, "name");
	jcopy_member(info, "description", api, "description");
	if (!version && created) { /* AWS writes the API's date when it has no version */
		snprintf(stamp, sizeof stamp, "%.10s %.8sUTC", created,
			 strlen(created) > 11 ? created + 11 : "");
		version = stamp;
	}
	json_object_set_new(info, "version", json_string(version ? version : ""));
	json_object_set_new(doc, "info", info);
	json_object_set_new(doc, "servers",
			    json_pack("[{s:o,s:{s:{s:s}}}]", "url",
				      json_sprintf("%s/{basePath}", endpoint ? endpoint : ""),
				      "variables", "basePath", "default",
				      x->stage && strcmp(x->stage, "$default") ? x->stage : ""));
	json_array_foreach(x->routes, i, r) {
		const char *key = json_string_value(json_object_get(r, "routeKey"));
		const char *target = json_string_value(json_object_get(r, "target"));
		char method[40], route_path[2048];
		bool dflt = key && strcmp(key, "$default") == 0;
		const char *sp = key ? strchr(key, ' ') : NULL;
		if (dflt) {
			snprintf(method, sizeof method, "ANY");
			snprintf(route_path, sizeof route_path, "/$default");
		} else if (sp && (size_t)(sp - key) < sizeof method) {
			snprintf(method, sizeof method, "%.*s", (int)(sp - key), key);
			snprintf(route_path, sizeof route_path, "%s", sp + 1);
		} else {
			continue; /* not an HTTP route key */
		}
		if (strcmp(method, "ANY") == 0)
			snprintf(method, sizeof method, "x-amazon-apigateway-any-method");
		else
			for (char *c = method; *c; c++)
				*c = (char)tolower((unsigned char)*c);
		if (!(item = json_object_get(paths, route_path))) {
			item = json_object();
			json_object_set_new(paths, route_path, item);
		}
		json_t *op = json_object();
		if (dflt && extensions)
			json_object_set_new(op, "isDefaultRoute", json_true());
		jcopy_member(op, "operationId", r, "operationName");
		json_object_set_new(op, "responses",
				    json_pack("{s:{s:o}}", "default", "description",
					      json_sprintf("Default response for %s", key)));
		if (extensions && jstarts_with(target, "integrations/")) {
			const json_t *ig =
				json_object_get(x->integrations, target + strlen("integrations/"));
			if (ig)
				json_object_set_new(op, "x-amazon-apigateway-integration",
						    export_integration(ig));
		}
		json_object_set_new(item, method, op);
	}
	json_object_foreach(paths, path, item) {
		json_t *params = path_parameters(path);
		if (params)
			json_object_set_new(item, "parameters", params);
	}
	json_object_set_new(doc, "paths", paths);
	if (extensions) {
		jcopy_member(doc, "x-amazon-apigateway-cors", api, "corsConfiguration");
		json_object_set_new(doc, "x-amazon-apigateway-importexport-version",
				    json_string("1.0"));
	}
	return doc;
}

/* Query outputType (JSON | YAML, required), includeExtensions (default true), exportVersion
 * (1.0 only); path specification (OAS30 only). */
static enum err export_options(struct req *rq, bool *yaml, bool *extensions, struct apierr *e)
{
	const char *spec = req_param(rq, "specification");
	char *type = req_query(rq, "outputType"), *ext = req_query(rq, "includeExtensions");
	char *ver = req_query(rq, "exportVersion");
	enum err rc = E_OK;
	*extensions = true;
	if (!spec || strcmp(spec, "OAS30"))
		rc = err_set(e, E_BAD_REQUEST,
			     "Invalid value for specification: %.64s. Must be one of [OAS30]",
			     spec ? spec : "");
	else if (!type)
		rc = err_set(e, E_BAD_REQUEST, "outputType is a required parameter");
	else if (strcmp(type, "JSON") && strcmp(type, "YAML"))
		rc = err_set(e, E_BAD_REQUEST,
			     "Invalid value for outputType: %.64s. Must be one of [YAML, JSON]",
			     type);
	else if (ext && strcasecmp(ext, "true") && strcasecmp(ext, "false"))
		rc = err_set(e, E_BAD_REQUEST,
			     "Invalid value for includeExtensions: %.64s. Must be true or false",
			     ext);
	else if (ver && strcmp(ver, "1.0"))
		rc = err_set(
			e, E_BAD_REQUEST,
			"Invalid value for exportVersion: %.64s. The only supported version is 1.0",
			ver);
	if (!rc) {
		*yaml = strcmp(type, "YAML") == 0;
		*extensions = !ext || strcasecmp(ext, "true") == 0;
	}
	free(type);
	free(ext);
	free(ver);
	return rc;
}

void api_export(struct req *rq)
{
	const char *id = req_param(rq, "apiId");
	char *stage = req_query(rq, "stageName");
	struct export_ctx x = {.rq = rq, .api_id = id ? id : ""};
	json_t *doc = NULL;
	bool yaml = false, extensions = true;
	char *text = NULL;
	size_t len = 0;
	enum db_rc rc;
	x.stage = stage && *stage ? stage : NULL;
	if (export_options(rq, &yaml, &extensions, &x.err))
		goto fail;
	rc = res_txn(rq, export_txn, &x, &x.err);
	if (rc != DB_OK) {
		if (rc != DB_ABORT)
			err_db(rc, &x.err);
		goto fail;
	}
	doc = export_document(&x, extensions);
	if (yaml) {
		text = yaml_from_json(doc, &len);
	} else {
		text = json_dumps(doc, JSON_INDENT(2));
		len = text ? strlen(text) : 0;
	}
	if (!text) {
		err_set(&x.err, E_INTERNAL, "Could not write the exported document");
		goto fail;
	}
	if (yaml) /* as API Gateway names it for exports (GetExport's accepts) */
		rq->content_type = "application/yaml";
	reply_text(rq, 200, text, len);
	goto out;
fail:
	reply_error(rq, &x.err);
out:
	json_decref(doc);
	json_decref(x.api);
	json_decref(x.routes);
	json_decref(x.integrations);
	free(stage);
}
