/* res_import.c — ImportApi and ReimportApi for HTTP APIs (OpenAPI 3.0). ExportApi is
 * res_export.c, quick create quick_create.c. docs/aws-behaviour.md §4 and §10.
 *
 * Import reads the document (JSON with jansson, or YAML with libyaml converted to jansson under
 * the YAML 1.2 core schema), turns it into a *plan* — the CreateApi, CreateIntegration and
 * CreateRoute requests it stands for, and the warnings found — without touching storage, and
 * then runs the plan in one transaction through res_create_in, so that every member is checked
 * exactly as the Create operations check it and a failure leaves nothing behind. Reimport does
 * the same on an existing API after deleting its routes and integrations. Only OpenAPI 3.0 is
 * read; OpenAPI 2.0 (swagger) is refused. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handlers.h"
#include "res_apis.h"
#include "res_integrations.h"
#include "res_routes.h"
#include "sbuf.h"
#include "yamldoc.h"

enum {
	REF_HOPS_MAX = 16,    /* $ref → $ref → ... before we call it unresolvable */
	WALK_DEPTH_MAX = 256, /* how deep the $ref check looks */
	LIST_PAGE = 500,      /* rows read per db_res_list call */
};

/* True when s is one or more characters, all from `set`. */
static bool span_all(const char *s, const char *set)
{
	return *s && s[strspn(s, set)] == '\0';
}

/* A scalar member as a string (numbers as written, booleans as true/false): version and
 * payloadFormatVersion are often written unquoted. New reference, or NULL for objects, arrays,
 * null and absent members. */
static json_t *scalar_string(const json_t *v)
{
	char buf[64];
	switch (v ? json_typeof(v) : JSON_NULL) {
	case JSON_STRING: return json_stringn(json_string_value(v), json_string_length(v));
	case JSON_INTEGER:
		snprintf(buf, sizeof buf, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return json_string(buf);
	case JSON_REAL:
		yaml_real_text(json_real_value(v), buf, sizeof buf);
		return json_string(buf);
	case JSON_TRUE: return json_string("true");
	case JSON_FALSE: return json_string("false");
	default: return NULL;
	}
}

/* The OpenAPI document of an ImportApi/ReimportApi request body {"body": "<document>"}: JSON
 * when it starts with '{', YAML otherwise. New reference, or NULL with e set. */
static json_t *doc_read(const json_t *body, struct apierr *e)
{
	const json_t *b = json_object_get(body, "body");
	json_t *doc = NULL;
	json_error_t jerr;
	if (!b || json_is_null(b)) {
		err_set(e, E_BAD_REQUEST, "body is a required parameter");
		return NULL;
	}
	if (!json_is_string(b)) {
		err_set(e, E_BAD_REQUEST, "Invalid type for body: expected a string");
		return NULL;
	}
	const char *s = json_string_value(b);
	size_t len = json_string_length(b), off = 0;
	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		off = 3;
	while (off < len && (s[off] == ' ' || s[off] == '\t' || s[off] == '\r' || s[off] == '\n'))
		off++;
	if (off == len) {
		err_set(e, E_BAD_REQUEST, "Invalid OpenAPI definition: the document is empty");
		return NULL;
	}
	if (s[off] == '{') {
		/* JSON, or a YAML flow mapping ({openapi: 3.0.1, ...}): JSON's error is the one
		 * to show when neither reads it. */
		struct apierr yerr = {0};
		doc = json_loadb(s + off, len - off, 0, &jerr);
		if (!doc && !(doc = yaml_to_json(s, len, &yerr)))
			err_set(e, E_BAD_REQUEST,
				"Invalid OpenAPI definition: the JSON could not be parsed: %s "
				"(line %d, column %d)",
				jerr.text, jerr.line, jerr.column);
	} else {
		doc = yaml_to_json(s, len, e);
	}
	if (doc && !json_is_object(doc)) {
		err_set(e, E_BAD_REQUEST,
			"Invalid OpenAPI definition: the top level must be an object");
		json_decref(doc);
		doc = NULL;
	}
	return doc;
}

/* ---- references ---- */

static int hexval(char c)
{
	return isdigit((unsigned char)c) ? c - '0' : tolower((unsigned char)c) - 'a' + 10;
}

/* What the local reference `ref` ("#/components/x-amazon-apigateway-integrations/a") names in
 * doc (a JSON pointer in a URI fragment), or NULL. Borrowed. */
static const json_t *ref_lookup(const json_t *doc, const char *ref)
{
	const json_t *cur = doc;
	const char *p = ref + 1;
	if (ref[0] != '#')
		return NULL; /* another file or URL: never fetched */
	if (*p && *p != '/')
		return NULL;
	while (*p == '/' && cur) {
		char tok[512];
		size_t n = 0;
		p++;
		while (*p && *p != '/') {
			char c = *p++;
			if (c == '%' && isxdigit((unsigned char)p[0]) &&
			    isxdigit((unsigned char)p[1])) {
				c = (char)(hexval(p[0]) * 16 + hexval(p[1]));
				p += 2;
			} else if (c == '~' && (*p == '0' || *p == '1')) {
				c = *p++ == '0' ? '~' : '/';
			}
			if (n + 1 >= sizeof tok)
				return NULL;
			tok[n++] = c;
		}
		tok[n] = '\0';
		if (json_is_object(cur)) {
			cur = json_object_get(cur, tok);
		} else if (json_is_array(cur)) {
			char *end = NULL;
			unsigned long i = strtoul(tok, &end, 10);
			cur = *tok && !*end ? json_array_get(cur, i) : NULL;
		} else {
			cur = NULL;
		}
	}
	return cur;
}

/* v with its $ref followed (repeatedly), or NULL when a reference cannot be resolved.
 * Borrowed. */
static const json_t *resolve(const json_t *doc, const json_t *v)
{
	for (int hops = 0; v; hops++) {
		const char *ref = json_string_value(json_object_get(v, "$ref"));
		if (!json_is_object(v) || !ref)
			return v;
		if (hops == REF_HOPS_MAX)
			return NULL;
		v = ref_lookup(doc, ref);
	}
	return NULL;
}

/* ---- the import plan ---- */

/* What a document stands for, before anything is stored. */
struct plan {
	const json_t *doc;    /* the document; borrowed */
	json_t *api;	      /* the CreateApi request (name, protocolType, description, ...) */
	json_t *integrations; /* distinct CreateIntegration requests */
	json_t *int_keys;     /* canonical text of each, to reuse identical integrations */
	json_t *int_where;    /* where each was first found, for messages */
	json_t *routes;	      /* [{routeKey, operationName?, integration: index?, where}] */
	json_t *warnings;     /* strings: the API's `warnings` */
	json_t *info;	      /* strings: the API's `importInfo` */
};

static void plan_init(struct plan *p)
{
	memset(p, 0, sizeof *p);
	p->api = json_object();
	p->integrations = json_array();
	p->int_keys = json_array();
	p->int_where = json_array();
	p->routes = json_array();
	p->warnings = json_array();
	p->info = json_array();
}

static void plan_release(struct plan *p)
{
	json_decref(p->api);
	json_decref(p->integrations);
	json_decref(p->int_keys);
	json_decref(p->int_where);
	json_decref(p->routes);
	json_decref(p->warnings);
	json_decref(p->info);
	memset(p, 0, sizeof *p);
}

__attribute__((format(printf, 2, 3))) static void plan_warn(struct plan *p, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	json_array_append_new(p->warnings, json_string(msg));
}

/* Every $ref in the document must resolve; one that does not is a warning. `path` holds the
 * location so far (a buffer of plen bytes, restored on return). */
static void walk_refs(struct plan *p, const json_t *v, char *path, size_t plen, int depth)
{
	size_t used = strlen(path), i;
	const char *k;
	json_t *item;
	if (depth > WALK_DEPTH_MAX)
		return;
	if (json_is_object(v)) {
		const json_t *ref = json_object_get(v, "$ref");
		if (json_is_string(ref) && !resolve(p->doc, v))
			plan_warn(p, "Parse issue: unable to resolve reference %s at %s",
				  json_string_value(ref), used ? path : "(root)");
		json_object_foreach((json_t *)v, k, item) {
			snprintf(path + used, plen - used, "%s%s", used ? "." : "", k);
			walk_refs(p, item, path, plen, depth + 1);
			path[used] = '\0';
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, item) {
			snprintf(path + used, plen - used, "[%zu]", i);
			walk_refs(p, item, path, plen, depth + 1);
			path[used] = '\0';
		}
	}
}

/* x-amazon-apigateway-cors → corsConfiguration; unknown members are warnings. The values are
 * checked later, as CreateApi checks them. */
static void plan_cors(struct plan *p)
{
	static const char *const known[] = {"allowCredentials",
					    "allowHeaders",
					    "allowMethods",
					    "allowOrigins",
					    "exposeHeaders",
					    "maxAge",
					    NULL};
	const json_t *x = resolve(p->doc, json_object_get(p->doc, "x-amazon-apigateway-cors"));
	const char *k;
	json_t *v;
	if (!x)
		return;
	if (!json_is_object(x)) {
		plan_warn(p, "Parse issue: attribute x-amazon-apigateway-cors is not an object");
		return;
	}
	json_t *cors = json_object();
	json_object_foreach((json_t *)x, k, v) {
		const char *const *m = known;
		while (*m && strcmp(*m, k))
			m++;
		if (*m)
			json_object_set(cors, k, v);
		else
			plan_warn(
				p,
				"Parse issue: attribute x-amazon-apigateway-cors.%s is unexpected",
				k);
	}
	json_object_set_new(p->api, "corsConfiguration", cors);
}

/* Copies member `from` of src into `to` of dst when present (not null). */
/* A parameter map ({name: value}) with scalar values made strings (YAML writes `pageNo: 1`);
 * anything else is left for the integration's own check to refuse. New reference. */
static json_t *string_map(const json_t *m)
{
	const char *k;
	json_t *v, *out = json_deep_copy(m);
	json_object_foreach(out, k, v) {
		json_t *s = json_is_string(v) ? NULL : scalar_string(v);
		if (s)
			json_object_set_new(out, k, s);
	}
	return out;
}

/* The CreateIntegration request an x-amazon-apigateway-integration object stands for, or NULL
 * (with a warning) when HTTP APIs cannot have it. `where` names the operation. */
static json_t *plan_integration_request(struct plan *p, const json_t *x, const char *where)
{
	const json_t *ig = resolve(p->doc, x);
	if (!ig)
		return NULL; /* walk_refs has said so */
	if (!json_is_object(ig)) {
		plan_warn(
			p,
			"Parse issue: attribute %s.x-amazon-apigateway-integration is not an object",
			where);
		return NULL;
	}
	const char *t = json_string_value(json_object_get(ig, "type"));
	const char *type = !t				      ? NULL
			   : strcasecmp(t, "aws_proxy") == 0  ? "AWS_PROXY"
			   : strcasecmp(t, "http_proxy") == 0 ? "HTTP_PROXY"
							      : NULL;
	if (!type) {
		if (t)
			plan_warn(p,
				  "Unsupported integration type %s at %s: HTTP APIs support only "
				  "aws_proxy and http_proxy integrations; the route was imported "
				  "without an integration",
				  t, where);
		else
			plan_warn(
				p,
				"Parse issue: attribute %s.x-amazon-apigateway-integration.type is "
				"missing; the route was imported without an integration",
				where);
		return NULL;
	}
	json_t *in = json_pack("{s:s}", "integrationType", type);
	jcopy_member(in, "integrationUri", ig, "uri");
	jcopy_member(in, "integrationMethod", ig, "httpMethod");
	jcopy_member(in, "connectionId", ig, "connectionId");
	jcopy_member(in, "credentialsArn", ig, "credentials");
	jcopy_member(in, "integrationSubtype", ig, "integrationSubtype");
	const json_t *ct = json_object_get(ig, "connectionType");
	if (json_is_string(ct)) {
		char up[32];
		snprintf(up, sizeof up, "%s", json_string_value(ct));
		for (char *c = up; *c; c++)
			*c = (char)toupper((unsigned char)*c);
		json_object_set_new(in, "connectionType", json_string(up));
	} else {
		jcopy_member(in, "connectionType", ig, "connectionType");
	}
	/* Required by HTTP APIs; documents that leave it out mean the original format. */
	json_t *pfv = scalar_string(json_object_get(ig, "payloadFormatVersion"));
	json_object_set_new(in, "payloadFormatVersion", pfv ? pfv : json_string("1.0"));
	const json_t *timeout = json_object_get(ig, "timeoutInMillis");
	if (json_is_real(timeout) && json_real_value(timeout) == floor(json_real_value(timeout)) &&
	    fabs(json_real_value(timeout)) < 1e15)
		json_object_set_new(in, "timeoutInMillis",
				    json_integer((json_int_t)json_real_value(timeout)));
	else if (json_is_string(timeout) && span_all(json_string_value(timeout), "0123456789") &&
		 json_string_length(timeout) < 16)
		json_object_set_new(in, "timeoutInMillis",
				    json_integer(strtoll(json_string_value(timeout), NULL, 10)));
	else
		jcopy_member(in, "timeoutInMillis", ig, "timeoutInMillis");
	const json_t *rp = json_object_get(ig, "requestParameters");
	if (json_is_object(rp))
		json_object_set_new(in, "requestParameters", string_map(rp));
	else
		jcopy_member(in, "requestParameters", ig, "requestParameters");
	const json_t *resp = json_object_get(ig, "responseParameters");
	if (json_is_object(resp)) {
		json_t *m = json_object();
		const char *status;
		json_t *v;
		json_object_foreach((json_t *)resp, status, v)
			json_object_set_new(m, status,
					    json_is_object(v) ? string_map(v) : json_incref(v));
		json_object_set_new(in, "responseParameters", m);
	} else {
		jcopy_member(in, "responseParameters", ig, "responseParameters");
	}
	const json_t *tls = json_object_get(ig, "tlsConfig");
	if (json_is_object(tls)) {
		json_t *t2 = json_object();
		jcopy_member(t2, "serverNameToVerify", tls, "serverNameToVerify");
		json_object_set_new(in, "tlsConfig", t2);
	} else {
		jcopy_member(in, "tlsConfig", ig, "tlsConfig");
	}
	return in;
}

/* Adds the integration request `in` (taking it) unless an identical one is planned already;
 * returns its index. */
static size_t plan_add_integration(struct plan *p, json_t *in, const char *where)
{
	char *key = json_dumps(in, JSON_COMPACT | JSON_SORT_KEYS);
	size_t i;
	json_t *k;
	json_array_foreach(p->int_keys, i, k) {
		if (key && strcmp(json_string_value(k), key) == 0) {
			free(key);
			json_decref(in);
			return i;
		}
	}
	json_array_append_new(p->integrations, in);
	json_array_append_new(p->int_keys, json_string(key ? key : ""));
	json_array_append_new(p->int_where, json_string(where));
	free(key);
	return json_array_size(p->integrations) - 1;
}

/* The base path of the API (servers[0].url with its variables' defaults, path part only,
 * without a trailing '/'), as `basepath` says to apply it: "" for ignore, all of it for
 * prepend, all but the first segment for split. */
static void plan_base_path(const json_t *doc, const char *mode, char *out, size_t len)
{
	const json_t *server = json_array_get(json_object_get(doc, "servers"), 0);
	const char *url = json_string_value(json_object_get(server, "url"));
	const json_t *vars = json_object_get(server, "variables");
	struct sbuf b = {0};
	out[0] = '\0';
	if (!url || strcmp(mode, "ignore") == 0)
		return;
	while (*url) {
		const char *close = *url == '{' ? strchr(url, '}') : NULL;
		if (!close) {
			sbuf_add(&b, url++, 1);
			continue;
		}
		char name[256];
		snprintf(name, sizeof name, "%.*s", (int)(close - url - 1), url + 1);
		const char *dflt =
			json_string_value(json_object_get(json_object_get(vars, name), "default"));
		sbuf_addstr(&b, dflt ? dflt : "");
		url = close + 1;
	}
	const char *path = b.buf ? b.buf : "";
	const char *scheme = strstr(path, "://");
	if (scheme)
		path = strchr(scheme + 3, '/');
	if (path) { /* "/" + the segments, without empty ones ("a//b/" is /a/b) */
		size_t n = strcspn(path, "?#"), used = 0;
		for (size_t i = 0; i < n && used + 2 < len; i++) {
			if (path[i] == '/')
				continue;
			if (i == 0 || path[i - 1] == '/')
				out[used++] = '/';
			out[used++] = path[i];
		}
		out[used] = '\0';
	}
	if (strcmp(mode, "split") == 0) { /* the first segment goes */
		const char *rest = strchr(out + (out[0] == '/'), '/');
		memmove(out, rest ? rest : "", rest ? strlen(rest) + 1 : 1);
	}
	sbuf_release(&b);
}

static const struct {
	const char *key;    /* member of an OpenAPI path item */
	const char *method; /* route key method */
} op_methods[] = {
	{"get", "GET"},		{"put", "PUT"},
	{"post", "POST"},	{"delete", "DELETE"},
	{"options", "OPTIONS"}, {"head", "HEAD"},
	{"patch", "PATCH"},	{"x-amazon-apigateway-any-method", "ANY"},
	{NULL, NULL},
};

/* Two operations of the document that make the same route key (isDefaultRoute twice, or
 * paths that meet under a base path): the document is wrong, not the API. */
static enum err plan_duplicate(const struct plan *p, const json_t *route, struct apierr *e)
{
	const char *key = json_string_value(json_object_get(route, "routeKey"));
	size_t i;
	json_t *r;
	json_array_foreach(p->routes, i, r) {
		if (strcmp(json_string_value(json_object_get(r, "routeKey")), key) == 0)
			return err_set(
				e, E_BAD_REQUEST,
				"Invalid OpenAPI definition: %s and %s both define the route %s",
				json_string_value(json_object_get(r, "where")),
				json_string_value(json_object_get(route, "where")), key);
	}
	return E_OK;
}

/* paths → routes (and their integrations). */
static enum err plan_paths(struct plan *p, const char *mode, struct apierr *e)
{
	const json_t *paths = json_object_get(p->doc, "paths");
	const char *path;
	json_t *item0;
	char base[1024];
	bool security = json_object_get(p->doc, "security") ||
			json_object_get(json_object_get(p->doc, "components"), "securitySchemes");
	plan_base_path(p->doc, mode, base, sizeof base);
	if (!paths) {
		plan_warn(p, "Parse issue: attribute paths is missing");
		return E_OK;
	}
	if (!json_is_object(paths))
		return err_set(e, E_BAD_REQUEST,
			       "Invalid OpenAPI definition: paths must be an object");
	json_object_foreach((json_t *)paths, path, item0) {
		const json_t *item = resolve(p->doc, item0);
		if (!item)
			continue; /* walk_refs has said so */
		if (!json_is_object(item)) {
			plan_warn(p, "Parse issue: attribute paths.'%s' is not an object", path);
			continue;
		}
		if (path[0] != '/') {
			plan_warn(
				p,
				"Parse issue: path %s does not start with '/'; it was not imported",
				path);
			continue;
		}
		if (json_object_get(item, "trace"))
			plan_warn(p,
				  "Unsupported method trace at paths.'%s': HTTP APIs have no TRACE "
				  "routes; it was not imported",
				  path);
		for (unsigned m = 0; op_methods[m].key; m++) {
			const json_t *op = json_object_get(item, op_methods[m].key);
			char where[1200];
			json_t *route, *in;
			if (!op)
				continue;
			snprintf(where, sizeof where, "paths.'%s'(%s)", path, op_methods[m].key);
			if (!json_is_object(op)) {
				plan_warn(p, "Parse issue: attribute %s is not an object", where);
				continue;
			}
			bool any = strcmp(op_methods[m].method, "ANY") == 0;
			if (json_is_true(json_object_get(op, "isDefaultRoute")) ||
			    (any && strcmp(path, "/$default") == 0))
				route = json_pack("{s:s}", "routeKey", "$default");
			else /* "/" under a base path is the base path itself */
				route = json_pack("{s:o}", "routeKey",
						  json_sprintf("%s %s%s", op_methods[m].method,
							       base[0] ? base : "",
							       base[0] && strcmp(path, "/") == 0
								       ? ""
								       : path));
			if (!route)
				return err_set(e, E_INTERNAL, "Out of memory");
			json_object_set_new(route, "where", json_string(where));
			jcopy_member(route, "operationName", op, "operationId");
			const json_t *x = json_object_get(op, "x-amazon-apigateway-integration");
			if (x && (in = plan_integration_request(p, x, where)))
				json_object_set_new(route, "integration",
						    json_integer(
							    (json_int_t)
								    plan_add_integration(p, in,
											 where)));
			security = security || json_object_get(op, "security");
			if (plan_duplicate(p, route, e)) {
				json_decref(route);
				return e->code;
			}
			json_array_append_new(p->routes, route);
		}
	}
	if (security)
		json_array_append_new(p->info,
				      json_string("Security schemes and security requirements "
						  "were not imported: routes have "
						  "authorizationType NONE"));
	return E_OK;
}

/* Reads the whole document into p. Returns E_OK or fills e (the document cannot be imported
 * at all); what can be skipped becomes a warning instead. */
static enum err plan_build(struct plan *p, const json_t *doc, const char *mode, struct apierr *e)
{
	char where[4096] = "";
	json_t *v;
	enum err rc = E_OK;
	p->doc = doc;
	if (json_object_get(doc, "swagger"))
		return err_set(
			e, E_BAD_REQUEST,
			"Invalid OpenAPI definition: OpenAPI 2.0 (swagger) documents are not "
			"supported for HTTP APIs; only OpenAPI 3.0 is");
	v = scalar_string(json_object_get(doc, "openapi"));
	if (!v)
		return err_set(
			e, E_BAD_REQUEST,
			"Invalid OpenAPI definition: the openapi member (3.0.x) is required");
	const char *ver = json_string_value(v);
	if (strncmp(ver, "3.0", 3) || (ver[3] && ver[3] != '.'))
		rc = err_set(e, E_BAD_REQUEST,
			     "Unsupported OpenAPI version %.32s: HTTP APIs import only OpenAPI 3.0 "
			     "(3.0.x) documents",
			     ver);
	json_decref(v);
	if (rc)
		return rc;
	const json_t *info = json_object_get(doc, "info");
	json_t *title = scalar_string(json_object_get(info, "title"));
	if (!title || !json_string_length(title)) {
		json_decref(title);
		return err_set(
			e, E_BAD_REQUEST,
			"Invalid OpenAPI definition: info.title is required (it names the API)");
	}
	json_object_set_new(p->api, "name", title);
	json_object_set_new(p->api, "protocolType", json_string("HTTP"));
	jcopy_member(p->api, "description", info, "description");
	if ((v = scalar_string(json_object_get(info, "version"))))
		json_object_set_new(p->api, "version", v);
	const json_t *endpoint = json_object_get(doc, "x-amazon-apigateway-endpoint-configuration");
	jcopy_member(p->api, "disableExecuteApiEndpoint", endpoint, "disableExecuteApiEndpoint");
	walk_refs(p, doc, where, sizeof where, 0);
	plan_cors(p);
	return plan_paths(p, mode, e);
}

/* The 400 for failOnWarnings: the warnings, one per line. */
static enum err warnings_error(const struct plan *p, struct apierr *e)
{
	struct sbuf b = {0};
	size_t i;
	json_t *w;
	sbuf_addstr(&b, "Warnings found during import:");
	json_array_foreach(p->warnings, i, w) {
		sbuf_addstr(&b, "\n");
		sbuf_addstr(&b, json_string_value(w));
	}
	err_set(e, E_BAD_REQUEST, "%s", b.buf ? b.buf : "Warnings found during import:");
	sbuf_release(&b);
	return e->code;
}

/* ---- running the plan ---- */

struct import_ctx {
	struct req *rq;
	const struct plan *plan;
	const char *api_id; /* ReimportApi: the API replaced; NULL for ImportApi */
	json_t *out;	    /* the API's answer; owned */
	struct apierr err;
};

/* The server-assigned members an import sets on the API. New reference. */
static json_t *plan_server_members(const struct plan *p)
{
	json_t *s = json_object();
	if (json_array_size(p->warnings))
		json_object_set_new(s, "warnings", json_deep_copy(p->warnings));
	if (json_array_size(p->info))
		json_object_set_new(s, "importInfo", json_deep_copy(p->info));
	return s;
}

/* Prefixes e's message with where the failing piece came from. */
static void err_prefix(struct apierr *e, const char *what, const char *where)
{
	char msg[2 * APIERR_MSG_MAX + 64];
	snprintf(msg, sizeof msg, "Invalid %s at %.512s: %s", what, where, e->msg);
	size_t n = strlen(msg) < sizeof e->msg - 1 ? strlen(msg) : sizeof e->msg - 1;
	memcpy(e->msg, msg, n);
	e->msg[n] = '\0';
}

/* Creates the planned integrations and routes under api_id (api: its answer). */
static enum err plan_run(struct import_ctx *t, const char *api_id, json_t *api)
{
	const struct plan *p = t->plan;
	json_t *ids = json_array(), *in, *r;
	enum err rc = E_OK;
	size_t i;
	json_array_foreach(p->integrations, i, in) {
		json_t *out = NULL;
		rc = res_create_in(t->rq, &integration_def, api_id, P_HTTP, api, in, NULL, &out,
				   &t->err);
		if (rc) {
			if (rc == E_BAD_REQUEST)
				err_prefix(&t->err, "integration",
					   json_string_value(json_array_get(p->int_where, i)));
			goto out;
		}
		json_array_append(ids, json_object_get(out, "integrationId"));
		json_decref(out);
	}
	json_array_foreach(p->routes, i, r) {
		json_t *route = json_pack("{s:O}", "routeKey", json_object_get(r, "routeKey"));
		json_t *server =
			json_pack("{s:[],s:{}}", "authorizationScopes", "requestParameters");
		json_t *idx = json_object_get(r, "integration");
		jcopy_member(route, "operationName", r, "operationName");
		if (idx)
			json_object_set_new(route, "target",
					    json_sprintf("integrations/%s",
							 json_string_value(json_array_get(
								 ids, (size_t)json_integer_value(
									      idx)))));
		rc = res_create_in(t->rq, &route_def, api_id, P_HTTP, api, route, server, NULL,
				   &t->err);
		json_decref(route);
		json_decref(server);
		if (rc) {
			if (rc == E_BAD_REQUEST)
				err_prefix(&t->err, "route",
					   json_string_value(json_object_get(r, "where")));
			goto out;
		}
	}
out:
	json_decref(ids);
	return rc;
}

/* ReimportApi's edit of the API: the members the document names replace the old ones. */
static enum err reimport_edit(struct rctx *c)
{
	static const char *const replaced[] = {"description", "version",    "corsConfiguration",
					       "warnings",    "importInfo", NULL};
	const struct plan *p = c->arg;
	if (c->proto != P_HTTP)
		return err_set(&c->err, E_BAD_REQUEST,
			       "ReimportApi is supported only for HTTP APIs");
	json_t *patch = jspec_parse(api_fields, p->api, JM_UPDATE, c->proto, &c->err);
	if (!patch)
		return c->err.code;
	for (const char *const *m = replaced; *m; m++)
		json_object_del(c->doc, *m);
	json_t *server = plan_server_members(p);
	json_object_update(c->doc, patch);
	json_object_update(c->doc, server);
	json_decref(server);
	json_decref(patch);
	return E_OK;
}

static bool collect_id(const struct db_row *row, void *arg)
{
	json_array_append_new(arg, json_string(row->id));
	return true;
}

/* Deletes every `kind` row (and what hangs below it) of an API. */
static enum err delete_children(struct req *rq, const char *kind, const char *api_id,
				struct apierr *e)
{
	for (;;) {
		struct db_key k = {&rq->scope, kind, api_id, NULL};
		json_t *ids = json_array(), *id;
		size_t i, n;
		enum db_rc rc = db_res_list(rq->db, &k, 0, LIST_PAGE, collect_id, ids, NULL);
		json_array_foreach(ids, i, id) {
			k.id = json_string_value(id);
			if (rc == DB_OK)
				rc = db_res_delete(rq->db, &k);
		}
		n = json_array_size(ids);
		json_decref(ids);
		if (rc != DB_OK)
			return err_db(rc, e);
		if (n == 0)
			return E_OK;
	}
}

static enum db_rc import_txn(struct db *db, void *arg)
{
	struct import_ctx *t = arg;
	(void)db;
	json_decref(t->out);
	t->out = NULL;
	memset(&t->err, 0, sizeof t->err);
	if (t->api_id) {
		if (res_edit(t->rq, &api_def, "", t->api_id, reimport_edit, (void *)t->plan,
			     &t->out, &t->err) ||
		    delete_children(t->rq, "route", t->api_id, &t->err) ||
		    delete_children(t->rq, "integration", t->api_id, &t->err))
			return DB_ABORT;
	} else {
		json_t *server = plan_server_members(t->plan);
		enum err rc = res_create_in(t->rq, &api_def, "", P_ANY, NULL, t->plan->api, server,
					    &t->out, &t->err);
		json_decref(server);
		if (rc)
			return DB_ABORT;
	}
	const char *id = json_string_value(json_object_get(t->out, "apiId"));
	return plan_run(t, id ? id : "", t->out) ? DB_ABORT : DB_OK;
}

/* Query basepath (ignore | prepend | split) and failOnWarnings (true | false). */
static enum err import_options(struct req *rq, const char **mode, bool *fail, struct apierr *e)
{
	static const char *const modes[] = {"ignore", "prepend", "split", NULL};
	char *bp = req_query(rq, "basepath"), *fw = req_query(rq, "failOnWarnings");
	enum err rc = E_OK;
	*mode = modes[0];
	*fail = false;
	if (bp) {
		const char *const *m = modes;
		while (*m && strcmp(*m, bp))
			m++;
		if (*m)
			*mode = *m;
		else
			rc = err_set(
				e, E_BAD_REQUEST,
				"Invalid value for basepath: %.64s. Must be one of [ignore, prepend, "
				"split]",
				bp);
	}
	if (!rc && fw) {
		if (strcasecmp(fw, "true") == 0)
			*fail = true;
		else if (strcasecmp(fw, "false"))
			rc = err_set(
				e, E_BAD_REQUEST,
				"Invalid value for failOnWarnings: %.64s. Must be true or false",
				fw);
	}
	free(bp);
	free(fw);
	return rc;
}

/* ImportApi (api_id NULL) and ReimportApi: read, plan, refuse on warnings if asked, run. */
static void import_run(struct req *rq, const char *api_id)
{
	struct plan p;
	struct import_ctx t = {.rq = rq, .api_id = api_id};
	json_t *doc = NULL;
	const char *mode = NULL;
	bool fail = false;
	enum db_rc rc;
	plan_init(&p);
	t.plan = &p;
	if (import_options(rq, &mode, &fail, &t.err) || !(doc = doc_read(rq->body, &t.err)) ||
	    plan_build(&p, doc, mode, &t.err))
		goto fail;
	if (fail && json_array_size(p.warnings)) {
		warnings_error(&p, &t.err);
		goto fail;
	}
	rc = res_txn(rq, import_txn, &t, &t.err);
	if (rc != DB_OK) {
		if (rc != DB_ABORT)
			err_db(rc, &t.err);
		goto fail;
	}
	snprintf(rq->log_api, sizeof rq->log_api, "%.15s",
		 json_string_value(json_object_get(t.out, "apiId")));
	reply_json(rq, 201, t.out);
	goto out;
fail:
	reply_error(rq, &t.err);
out:
	json_decref(t.out);
	json_decref(doc);
	plan_release(&p);
}

void api_import(struct req *rq)
{
	import_run(rq, NULL);
}

void api_reimport(struct req *rq)
{
	const char *id = req_param(rq, "apiId");
	import_run(rq, id ? id : "");
}
