/* vtl_input.c — $input: the body (raw, parsed once per render), $input.json and $input.path over
 * a JSONPath subset ($, .name, ['name'], [n]), and $input.params. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "vtl_int.h"

/* The body as JSON, parsed on first use; NULL when it is not JSON. An empty body is {}. */
static const json_t *body_json(struct vtl_render *r)
{
	if (!r->body_done) {
		r->body_done = true;
		const char *p = r->b->body ? r->b->body : "";
		size_t n = r->b->body ? r->b->body_len : 0;
		if (n == 0) {
			p = "{}";
			n = 2;
		}
		r->body = json_loadb(p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
	}
	return r->body;
}

/* Follows path through j; *found false when a step is missing. */
static bool jsonpath(struct vtl_render *r, const json_t *j, const char *path, size_t n,
		     const json_t **found, int line, int col)
{
	size_t i = 0;
	while (i < n && (path[i] == ' ' || path[i] == '\t'))
		i++;
	if (i < n && path[i] == '$')
		i++;
	else if (i < n && path[i] != '.' && path[i] != '[') { /* "a.b" is read as "$.a.b" */
		goto name;
	}
	while (i < n && j) {
		if (path[i] == '.') {
			i++;
		name:;
			size_t s = i;
			while (i < n && path[i] != '.' && path[i] != '[')
				i++;
			if (i == s)
				return vtl_fail(r, line, col, "unsupported JSONPath '%.*s'", (int)n,
						path);
			if (i - s == 1 && path[s] == '*')
				return vtl_fail(r, line, col,
						"unsupported JSONPath '%.*s' (wildcards)", (int)n,
						path);
			j = json_is_object(j) ? json_object_getn(j, path + s, i - s) : NULL;
		} else if (path[i] == '[') {
			i++;
			if (i < n && (path[i] == '\'' || path[i] == '"')) {
				char q = path[i++];
				size_t s = i;
				while (i < n && path[i] != q)
					i++;
				if (i + 1 >= n || path[i + 1] != ']')
					return vtl_fail(r, line, col, "unsupported JSONPath '%.*s'",
							(int)n, path);
				j = json_is_object(j) ? json_object_getn(j, path + s, i - s) : NULL;
				i += 2;
			} else {
				size_t s = i, idx = 0;
				while (i < n && path[i] >= '0' && path[i] <= '9' && idx < 100000000)
					idx = idx * 10 + (size_t)(path[i++] - '0');
				if (i == s || i >= n || path[i] != ']')
					return vtl_fail(r, line, col, "unsupported JSONPath '%.*s'",
							(int)n, path);
				i++;
				j = json_is_array(j) ? json_array_get(j, idx) : NULL;
			}
		} else {
			return vtl_fail(r, line, col, "unsupported JSONPath '%.*s'", (int)n, path);
		}
	}
	*found = j;
	return true;
}

static bool params_of(struct vtl_render *r, struct vval *out)
{
	json_t *empty = NULL;
	const json_t *p = r->b->params;
	if (!p || !json_is_object(p))
		p = empty = json_pack("{s{}s{}s{}}", "path", "querystring", "header");
	bool ok = p && vtl_from_json(r, p, false, out);
	json_decref(empty);
	return ok;
}

bool vtl_input_call(struct vtl_render *r, int method, struct vval *args, unsigned nargs,
		    struct vval *out, int line, int col)
{
	*out = vv_null();
	switch (method) {
	case M_GETBODY:
		if (nargs)
			return true;
		if (!r->b->body || r->b->body_len == 0)
			*out = vv_str("{}", 2);
		else
			*out = vv_str(r->b->body, r->b->body_len);
		return true;
	case M_JSON:
	case M_PATH: {
		if (nargs != 1 || args[0].t != V_STR)
			return true;
		const json_t *doc = body_json(r), *j = NULL;
		if (doc && !jsonpath(r, doc, args[0].u.s.p, args[0].u.s.n, &j, line, col))
			return false;
		if (method == M_PATH) {
			if (!j || json_is_null(j)) {
				*out = vv_undef();
				return true;
			}
			return vtl_from_json(r, j, true, out) ||
			       vtl_fail(r, line, col, "out of memory");
		}
		if (!j) {
			*out = vv_str("", 0);
			return true;
		}
		struct vval v;
		const char *p;
		size_t n;
		if (!vtl_from_json(r, j, true, &v) || !vtl_json_of(r, v, &p, &n, line, col))
			return false;
		*out = vv_str(p, n);
		return true;
	}
	case M_PARAMS: {
		struct vval all;
		if (nargs > 1 || !params_of(r, &all))
			return nargs > 1 || vtl_fail(r, line, col, "out of memory");
		if (nargs == 0) {
			*out = all;
			return true;
		}
		*out = vv_undef();
		if (args[0].t != V_STR || all.t != V_MAP)
			return true;
		static const char *const where[] = {"path", "querystring", "header"};
		for (int w = 0; w < 3; w++) {
			struct ventry *e =
				vtl_map_find(all.u.m, vv_str(where[w], strlen(where[w])));
			if (!e || e->val.t != V_MAP)
				continue;
			struct vmap *m = e->val.u.m;
			for (size_t k = 0; k < m->n; k++) {
				struct vval key = m->e[k].key;
				if (key.t == V_STR && key.u.s.n == args[0].u.s.n &&
				    (w == 2 ? strncasecmp(key.u.s.p, args[0].u.s.p, key.u.s.n) == 0
					    : memcmp(key.u.s.p, args[0].u.s.p, key.u.s.n) == 0)) {
					*out = m->e[k].val;
					return true;
				}
			}
		}
		return true;
	}
	}
	return true;
}
