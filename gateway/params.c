/* params.c — requestParameters: resolve each source (§D4.6), then put the value where the key
 * says. Header and query sources are only there at $connect (elsewhere they resolve to
 * nothing, as docs/aws-behaviour.md §D4.6 infers). */
#include "params.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ids.h"
#include "routesel.h"

/* The value of header name (any case) in headers, borrowed, or NULL. */
static const char *header(json_t *headers, const char *name)
{
	const char *k;
	json_t *v;
	json_object_foreach(headers, k, v) {
		if (!strcasecmp(k, name))
			return json_string_value(v);
	}
	return NULL;
}

/* context.<var> (§D7.1 names the gateway knows), a new string or NULL. */
static char *context_value(const char *var, const struct gw_params_in *in)
{
	const struct gw_conn *c = in->c;
	char buf[64];
	const char *v = NULL;
	if (!strcmp(var, "connectionId"))
		v = c ? c->id : NULL;
	else if (!strcmp(var, "requestId") || !strcmp(var, "extendedRequestId"))
		v = in->request_id;
	else if (!strcmp(var, "messageId"))
		v = in->message_id;
	else if (!strcmp(var, "routeKey"))
		v = in->route_key;
	else if (!strcmp(var, "eventType"))
		v = in->event_type;
	else if (!strcmp(var, "stage"))
		v = in->s ? in->s->name : NULL;
	else if (!strcmp(var, "apiId"))
		v = in->s ? in->s->api_id : NULL;
	else if (!strcmp(var, "domainName"))
		v = c ? c->domain : NULL;
	else if (!strcmp(var, "messageDirection"))
		v = "IN";
	else if (!strcmp(var, "identity.sourceIp"))
		v = c ? c->source_ip : NULL;
	else if (!strcmp(var, "identity.userAgent"))
		v = c ? c->user_agent : NULL;
	else if (!strcmp(var, "connectedAt") && c) {
		snprintf(buf, sizeof buf, "%lld", c->connected_at);
		v = buf;
	} else if (!strcmp(var, "requestTimeEpoch")) {
		snprintf(buf, sizeof buf, "%lld", gw_now_ms());
		v = buf;
	} else if (!strncmp(var, "authorizer.", 11) && c && c->authorizer) {
		const json_t *a = json_object_get(c->authorizer, var + 11);
		char *out = NULL;
		size_t len = 0;
		if (a && gw_stringify(a, &out, &len) == 0)
			return out;
		free(out);
		return NULL;
	}
	return v ? strdup(v) : NULL;
}

char *gw_params_value(const char *src, const struct gw_params_in *in)
{
	static const char hdr[] = "route.request.header.", qs[] = "route.request.querystring.",
			  mhdr[] = "route.request.multivalueheader.",
			  mqs[] = "route.request.multivaluequerystring.",
			  body[] = "route.request.body", ctx[] = "context.",
			  sv[] = "stageVariables.";
	size_t n = strlen(src);
	if (n >= 2 && src[0] == '\'' && src[n - 1] == '\'')
		return strndup(src + 1, n - 2);
	if (!strncmp(src, hdr, sizeof hdr - 1)) {
		const char *v = header(in->headers, src + sizeof hdr - 1);
		return v ? strdup(v) : NULL;
	}
	if (!strncmp(src, mhdr, sizeof mhdr - 1)) { /* one value per name here: itself */
		const char *v = header(in->headers, src + sizeof mhdr - 1);
		return v ? strdup(v) : NULL;
	}
	if (!strncmp(src, qs, sizeof qs - 1) || !strncmp(src, mqs, sizeof mqs - 1)) {
		bool multi = !strncmp(src, mqs, sizeof mqs - 1);
		json_t *vals =
			json_object_get(in->query, src + (multi ? sizeof mqs : sizeof qs) - 1);
		if (!json_array_size(vals))
			return NULL;
		if (!multi)
			return strdup(
				json_string_value(json_array_get(vals, json_array_size(vals) - 1)));
		char *out = NULL; /* several values: comma-separated, as API Gateway sends them */
		size_t len = 0, i;
		json_t *v;
		json_array_foreach(vals, i, v) {
			size_t add = strlen(json_string_value(v));
			char *p = realloc(out, len + add + 2);
			if (!p) {
				free(out);
				return NULL;
			}
			out = p;
			if (i)
				out[len++] = ',';
			memcpy(out + len, json_string_value(v), add + 1);
			len += add;
		}
		return out;
	}
	if (!strncmp(src, body, sizeof body - 1) &&
	    (src[sizeof body - 1] == '.' || src[sizeof body - 1] == '[' || !src[sizeof body - 1])) {
		const char *path = src + sizeof body - 1 + (src[sizeof body - 1] == '.');
		const json_t *v = in->parsed ? gw_json_path(in->parsed, path, strlen(path)) : NULL;
		char *out = NULL;
		size_t len = 0;
		if (!v || json_is_null(v) || gw_stringify(v, &out, &len) != 0) {
			free(out);
			return NULL;
		}
		return out;
	}
	if (!strncmp(src, ctx, sizeof ctx - 1))
		return context_value(src + sizeof ctx - 1, in);
	if (!strncmp(src, sv, sizeof sv - 1) && in->s) {
		const char *v =
			json_string_value(json_object_get(in->s->stage_vars, src + sizeof sv - 1));
		return v ? strdup(v) : NULL;
	}
	return NULL;
}

/* url with {name} replaced by value (URL-encoded), or with ?name=value appended. New, or NULL. */
static char *edit_url(const char *url, const char *name, const char *value, bool path)
{
	char *ev = curl_easy_escape(NULL, value, 0), *en = curl_easy_escape(NULL, name, 0);
	char *out = NULL;
	if (!ev || !en)
		goto out;
	if (path) {
		char pat[300];
		snprintf(pat, sizeof pat, "{%s}", name);
		const char *at = strstr(url, pat);
		if (!at) {
			out = strdup(url);
			goto out;
		}
		if (asprintf(&out, "%.*s%s%s", (int)(at - url), url, ev, at + strlen(pat)) < 0)
			out = NULL;
	} else {
		const char *hash = strchr(url, '#');
		size_t base = hash ? (size_t)(hash - url) : strlen(url);
		if (asprintf(&out, "%.*s%c%s=%s%s", (int)base, url,
			     memchr(url, '?', base) ? '&' : '?', en, ev, hash ? hash : "") < 0)
			out = NULL;
	}
out:
	curl_free(ev);
	curl_free(en);
	return out;
}

int gw_params_apply(struct gw_job *j, json_t *route, const struct gw_params_in *in_)
{
	static const char hk[] = "integration.request.header.",
			  qk[] = "integration.request.querystring.",
			  pk[] = "integration.request.path.";
	json_t *params =
		json_object_get(json_object_get(route, "integration"), "requestParameters");
	struct gw_params_in in[1] = {*in_};
	int ret = 0;
	if (!json_object_size(params))
		return 0;
	if (in->body && in->body_len)
		in->parsed = json_loadb(in->body, in->body_len, JSON_DECODE_ANY, NULL);
	const char *key;
	json_t *src;
	json_object_foreach(params, key, src) {
		const char *s = json_string_value(src);
		char *v = s ? gw_params_value(s, in) : NULL;
		int rc = 0;
		if (!v)
			continue;
		if (!strncmp(key, hk, sizeof hk - 1) && key[sizeof hk - 1] && !strpbrk(v, "\r\n")) {
			char *line = NULL;
			if (asprintf(&line, "%s: %s", key + sizeof hk - 1, v) < 0)
				rc = -1;
			struct curl_slist *l = line ? curl_slist_append(j->headers, line) : NULL;
			if (l)
				j->headers = l;
			else
				rc = -1;
			free(line);
		} else if (j->url && ((!strncmp(key, qk, sizeof qk - 1) && key[sizeof qk - 1]) ||
				      (!strncmp(key, pk, sizeof pk - 1) && key[sizeof pk - 1]))) {
			bool path = !strncmp(key, pk, sizeof pk - 1);
			char *url =
				edit_url(j->url, key + (path ? sizeof pk : sizeof qk) - 1, v, path);
			if (url) {
				free(j->url);
				j->url = url;
			} else {
				rc = -1;
			}
		}
		free(v);
		if (rc) {
			ret = -1;
			break;
		}
	}
	json_decref(in->parsed);
	return ret;
}
