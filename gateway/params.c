/* params.c — requestParameters evaluated (docs/aws-behaviour.md §D4.6). Sources:
 * `route.request.header.X`, `.querystring.X`, `.multivalueheader.X`, `.multivaluequerystring.X`
 * (the upgrade's, so only at $connect), `route.request.body.<JSONPath>`, `context.<name>`
 * (nested: context.authorizer.principalId), `stageVariables.<name>` and `'literal'`. */
#include "params.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "routesel.h"

/* The value of header name in headers (matched without regard to case), borrowed, or NULL. */
static const json_t *header(const json_t *headers, const char *name)
{
	const char *k;
	const json_t *v;
	json_object_foreach((json_t *)headers, k, v) {
		if (!strcasecmp(k, name))
			return v;
	}
	return NULL;
}

/* The texts of arr's values joined with ",", new; NULL when arr is not a non-empty array. */
static char *joined(const json_t *arr)
{
	char *out = NULL;
	size_t len = 0, i;
	const json_t *v;
	json_t *comma = json_string(",");
	if (!comma || !json_is_array(arr) || !json_array_size(arr))
		goto fail;
	json_array_foreach((json_t *)arr, i, v) {
		if ((i && gw_stringify(comma, &out, &len)) || gw_stringify(v, &out, &len))
			goto fail;
	}
	json_decref(comma);
	return out;
fail:
	json_decref(comma);
	free(out);
	return NULL;
}

/* The text of v (strings as they are, the rest as §D3.1 stringifies), new, or NULL for none. */
static char *text_of(const json_t *v)
{
	char *out = NULL;
	size_t len = 0;
	if (!v || json_is_null(v))
		return NULL;
	if (gw_stringify(v, &out, &len)) {
		free(out);
		return NULL;
	}
	return out ? out : strdup("");
}

/* The value of one mapping expression, new, or NULL when it resolves to nothing. */
static char *resolve(const char *expr, const struct gw_param_src *src)
{
	static const char hdr[] = "route.request.header.", qs[] = "route.request.querystring.",
			  mhdr[] = "route.request.multivalueheader.",
			  mqs[] = "route.request.multivaluequerystring.",
			  body[] = "route.request.body", ctx[] = "context.",
			  sv[] = "stageVariables.";
	size_t n = strlen(expr);
	if (n >= 2 && expr[0] == '\'' && expr[n - 1] == '\'')
		return strndup(expr + 1, n - 2);
	if (!strncmp(expr, hdr, sizeof hdr - 1))
		return text_of(header(src->headers, expr + sizeof hdr - 1));
	if (!strncmp(expr, mhdr, sizeof mhdr - 1))
		return text_of(header(src->headers, expr + sizeof mhdr - 1));
	if (!strncmp(expr, qs, sizeof qs - 1)) {
		const json_t *vals = json_object_get(src->query, expr + sizeof qs - 1);
		return text_of(json_array_get(vals, json_array_size(vals) - 1));
	}
	if (!strncmp(expr, mqs, sizeof mqs - 1))
		return joined(json_object_get(src->query, expr + sizeof mqs - 1));
	if (!strncmp(expr, body, sizeof body - 1) &&
	    (expr[sizeof body - 1] == '.' || expr[sizeof body - 1] == '[' ||
	     !expr[sizeof body - 1])) {
		json_t *doc = src->body_len
				      ? json_loadb(src->body, src->body_len, JSON_DECODE_ANY, NULL)
				      : NULL;
		const char *path = expr + sizeof body - 1;
		char *v = doc ? text_of(gw_json_path(doc, path, strlen(path))) : NULL;
		json_decref(doc);
		return v;
	}
	if (!strncmp(expr, ctx, sizeof ctx - 1)) {
		const char *p = expr + sizeof ctx - 1;
		return text_of(gw_json_path(src->context, p, strlen(p)));
	}
	if (!strncmp(expr, sv, sizeof sv - 1))
		return text_of(json_object_get(src->stage_vars, expr + sizeof sv - 1));
	return NULL;
}

json_t *gw_params_eval(const json_t *request_parameters, const struct gw_param_src *src)
{
	static const char *const kinds[] = {"header", "querystring", "path"};
	static const char prefix[] = "integration.request.";
	const char *key;
	const json_t *v;
	if (!json_object_size(request_parameters))
		return NULL;
	json_t *out = json_pack("{s:{}, s:{}, s:{}}", kinds[0], kinds[1], kinds[2]);
	if (!out)
		return NULL;
	json_object_foreach((json_t *)request_parameters, key, v) {
		const char *expr = json_string_value(v);
		if (!expr || strncmp(key, prefix, sizeof prefix - 1))
			continue;
		const char *rest = key + sizeof prefix - 1;
		for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++) {
			size_t kl = strlen(kinds[i]);
			if (strncmp(rest, kinds[i], kl) || rest[kl] != '.' || !rest[kl + 1])
				continue;
			char *value = resolve(expr, src);
			if (value)
				json_object_set_new(json_object_get(out, kinds[i]), rest + kl + 1,
						    json_string(value));
			free(value);
		}
	}
	return out;
}
