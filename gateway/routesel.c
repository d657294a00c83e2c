/* routesel.c — routeSelectionExpression evaluation (docs/aws-behaviour.md §D3.1):
 * `$request.body.x`,
 * `${request.body.a.b[0]}`, literals around variables, `\$` escapes, one pass only. */
#include "routesel.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static int append(char **out, size_t *len, const char *s, size_t n)
{
	char *p = realloc(*out, *len + n + 1);
	if (!p)
		return -1;
	memcpy(p + *len, s, n);
	*len += n;
	p[*len] = '\0';
	*out = p;
	return 0;
}

const json_t *gw_json_path(const json_t *root, const char *path, size_t len)
{
	const json_t *v = root;
	size_t i = 0;
	while (v && i < len) {
		if (path[i] == '.') {
			i++;
			continue;
		}
		if (path[i] == '[') {
			size_t j = i + 1;
			if (j < len && (path[j] == '\'' || path[j] == '"')) {
				char q = path[j++];
				size_t k = j;
				while (k < len && path[k] != q)
					k++;
				if (k + 1 >= len || path[k + 1] != ']')
					return NULL;
				v = json_is_object(v) ? json_object_getn(v, path + j, k - j) : NULL;
				i = k + 2;
				continue;
			}
			size_t idx = 0;
			bool digits = false;
			while (j < len && isdigit((unsigned char)path[j])) {
				idx = idx * 10 + (size_t)(path[j++] - '0');
				digits = true;
			}
			if (!digits || j >= len || path[j] != ']')
				return NULL;
			v = json_is_array(v) ? json_array_get(v, idx) : NULL;
			i = j + 1;
			continue;
		}
		size_t j = i;
		while (j < len && path[j] != '.' && path[j] != '[')
			j++;
		v = json_is_object(v) ? json_object_getn(v, path + i, j - i) : NULL;
		i = j;
	}
	return v;
}

int gw_stringify(const json_t *v, char **out, size_t *len)
{
	if (!v || json_is_null(v))
		return append(out, len, "", 0);
	if (json_is_string(v))
		return append(out, len, json_string_value(v), json_string_length(v));
	if (json_is_array(v)) {
		size_t i;
		const json_t *it;
		if (append(out, len, "[", 1))
			return -1;
		json_array_foreach((json_t *)v, i, it) {
			if ((i && append(out, len, ", ", 2)) || gw_stringify(it, out, len))
				return -1;
		}
		return append(out, len, "]", 1);
	}
	if (json_is_object(v)) {
		const char *k;
		const json_t *it;
		bool first = true;
		if (append(out, len, "{", 1))
			return -1;
		json_object_foreach((json_t *)v, k, it) {
			if ((!first && append(out, len, ", ", 2)) ||
			    append(out, len, k, strlen(k)) || append(out, len, "=", 1) ||
			    gw_stringify(it, out, len))
				return -1;
			first = false;
		}
		return append(out, len, "}", 1);
	}
	char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	int rc = text ? append(out, len, text, strlen(text)) : -1;
	free(text);
	return rc;
}

/* Length of a bare `$request.body...` path tail starting at s (identifier chars, dots, [..]). */
static size_t bare_path_len(const char *s)
{
	size_t n = 0;
	while (s[n]) {
		if (isalnum((unsigned char)s[n]) || s[n] == '_' || s[n] == '-' || s[n] == '.') {
			n++;
		} else if (s[n] == '[') {
			const char *close = strchr(s + n, ']');
			if (!close)
				break;
			n = (size_t)(close - s) + 1;
		} else {
			break;
		}
	}
	while (n && s[n - 1] == '.')
		n--;
	return n;
}

char *gw_routesel_eval(const char *expr, const json_t *body)
{
	static const char prefix[] = "request.body";
	char *out = NULL;
	size_t len = 0;
	bool reads_body = false;
	if (append(&out, &len, "", 0))
		return NULL;
	for (const char *p = expr; *p;) {
		if (p[0] == '\\' && p[1] == '$') {
			if (append(&out, &len, "$", 1))
				goto fail;
			p += 2;
			continue;
		}
		bool braced = p[0] == '$' && p[1] == '{';
		const char *name = p + (braced ? 2 : 1);
		if (p[0] != '$' || strncmp(name, prefix, sizeof prefix - 1) != 0) {
			if (append(&out, &len, p, 1))
				goto fail;
			p++;
			continue;
		}
		const char *path = name + sizeof prefix - 1, *end;
		size_t plen;
		if (braced) {
			end = strchr(path, '}');
			if (!end) {
				if (append(&out, &len, p, strlen(p)))
					goto fail;
				break;
			}
			plen = (size_t)(end - path);
			end++;
		} else {
			plen = bare_path_len(path);
			end = path + plen;
		}
		reads_body = true;
		if (body && gw_stringify(gw_json_path(body, path, plen), &out, &len))
			goto fail;
		p = end;
	}
	if (reads_body && !body)
		goto fail;
	return out;
fail:
	free(out);
	return NULL;
}
