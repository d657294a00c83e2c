/* transform.c — the integration request and the answer to the client (docs/aws-behaviour.md
 * §D4.2, §D5, §D6; docs/gateway.md "Mapping templates"). Templates and response-key patterns
 * compile once per deployed stage (gw_stage_memo) and render through vtl/ on the event loop. */
#include "transform.h"

#include <ctype.h>
#include <openssl/evp.h>
#include <regex.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ids.h"
#include "params.h"
#include "routesel.h"
#include "vtl.h"

/* A copy of n bytes as a NUL-terminated string (new), or NULL. */
static char *memdup0(const char *s, size_t n)
{
	char *p = malloc(n + 1);
	if (p) {
		memcpy(p, s ? s : "", n);
		p[n] = '\0';
	}
	return p;
}

/* ---- compiled texts (memoised per stage) ------------------------------------------------ */

static void *compile_template(const char *src)
{
	struct vtl_error err = {0};
	struct vtl_template *t = vtl_compile(src, strlen(src), NULL, &err);
	if (!t) /* once per stage and template: the memo keeps the failure */
		fprintf(stderr, "apigwd-gateway: mapping template %d:%d: %s\n", err.line,
			err.column, err.message);
	return t;
}

static void free_template(void *t)
{
	vtl_template_free(t);
}

/* An integration response key /regex/ as a POSIX extended expression anchored at both ends:
 * AWS matches Java regular expressions against the whole value (§D6.1). The Java classes that
 * POSIX lacks (\d, \D) are rewritten; GNU regex knows \w \W \s \S. */
static void *compile_pattern(const char *key)
{
	size_t n = strlen(key);
	regex_t *re = NULL;
	char *ere = NULL;
	if (n < 2 || key[0] != '/' || key[n - 1] != '/')
		goto out;
	ere = malloc(n * 6 + 8);
	if (!ere)
		goto out;
	size_t o = 0;
	bool in_class = false;
	ere[o++] = '^', ere[o++] = '(';
	for (size_t i = 1; i < n - 1; i++) {
		char ch = key[i];
		if (ch == '\\' && i + 1 < n - 1 && (key[i + 1] == 'd' || key[i + 1] == 'D')) {
			const char *rep = key[i + 1] == 'd' ? (in_class ? "0-9" : "[0-9]")
							    : (in_class ? "" : "[^0-9]");
			memcpy(ere + o, rep, strlen(rep));
			o += strlen(rep);
			i++;
			continue;
		}
		if (ch == '\\' && i + 1 < n - 1) {
			ere[o++] = ch;
			ere[o++] = key[++i];
			continue;
		}
		if (ch == '[')
			in_class = true;
		else if (ch == ']')
			in_class = false;
		ere[o++] = ch;
	}
	ere[o++] = ')', ere[o++] = '$', ere[o] = '\0';
	re = malloc(sizeof *re);
	if (re && regcomp(re, ere, REG_EXTENDED | REG_NOSUB)) {
		fprintf(stderr, "apigwd-gateway: integration response key %s: not a pattern\n",
			key);
		free(re);
		re = NULL;
	}
out:
	free(ere);
	return re;
}

static void free_pattern(void *re)
{
	regfree(re);
	free(re);
}

/* ---- what templates see (§D7.1, §D7.2) ------------------------------------------------- */

/* $context for x (new): every variable of §D7.1 the gateway knows; the rest stay unset and
 * render empty. status: the integration status, or 0 before the integration ran. */
static json_t *context_new(const struct gw_xform *x, long status)
{
	static const char *const types[] = {"CONNECT", "MESSAGE", "DISCONNECT"};
	const struct gw_conn *c = x->c;
	long long now = gw_now_ms();
	char clf[40];
	gw_time_clf(now, clf, sizeof clf);
	json_t *ctx = json_object(), *id = json_object();
	json_object_set_new(ctx, "apiId", json_string(x->s->api_id));
	json_object_set_new(ctx, "connectionId", json_string(c->id));
	json_object_set_new(ctx, "connectedAt", json_integer(c->connected_at));
	json_object_set_new(ctx, "domainName", json_string(c->domain));
	json_object_set_new(ctx, "eventType", json_string(types[x->ev]));
	json_object_set_new(ctx, "extendedRequestId", json_string(x->request_id));
	if (x->message_id)
		json_object_set_new(ctx, "messageId", json_string(x->message_id));
	json_object_set_new(ctx, "messageDirection", json_string("IN"));
	json_object_set_new(ctx, "requestId", json_string(x->request_id));
	json_object_set_new(ctx, "requestTime", json_string(clf));
	json_object_set_new(ctx, "requestTimeEpoch", json_integer(now));
	json_object_set_new(ctx, "routeKey", json_string(x->route_key ? x->route_key : ""));
	json_object_set_new(ctx, "stage", json_string(x->s->name));
	if (status)
		json_object_set_new(ctx, "status", json_integer(status));
	json_object_set_new(id, "sourceIp", json_string(c->source_ip));
	if (c->user_agent)
		json_object_set_new(id, "userAgent", json_string(c->user_agent));
	json_object_set_new(ctx, "identity", id);
	if (c->authorizer) {
		/* $context.authorizer.<key> is always a string on AWS (§D7.1). */
		json_t *a = json_object(), *v;
		const char *k;
		json_object_foreach(c->authorizer, k, v) {
			if (json_is_string(v)) {
				json_object_set(a, k, v);
			} else if (!json_is_null(v) && !json_is_object(v) && !json_is_array(v)) {
				char *t = json_dumps(v, JSON_ENCODE_ANY);
				if (t)
					json_object_set_new(a, k, json_string(t));
				free(t);
			}
		}
		json_object_set_new(ctx, "authorizer", a);
	}
	return ctx;
}

/* $input.params() (new): the upgrade's query string and headers at $connect, empty after. */
static json_t *params_new(const struct gw_xform *x)
{
	json_t *q = json_object(), *v;
	const char *k;
	json_object_foreach(x->query, k, v)
		json_object_set(q, k, json_array_get(v, json_array_size(v) - 1));
	return json_pack("{s:{}, s:o, s:o}", "path", "querystring", q, "header",
			 x->headers ? json_incref(x->headers) : json_object());
}

/* Renders the template src (text of x->s's snapshot) over body with x's bindings. Returns 0
 * with *out (new), -1 when it does not compile or fails (logged once per stage, or per
 * message for a runtime failure). */
static int render(const struct gw_xform *x, const char *src, const char *body, size_t body_len,
		  long status, char **out, size_t *out_len)
{
	struct vtl_template *t = gw_stage_memo(x->s, src, compile_template, free_template);
	if (!t)
		return -1;
	json_t *ctx = context_new(x, status), *params = params_new(x);
	struct vtl_bindings b = {.body = body ? body : "",
				 .body_len = body ? body_len : 0,
				 .context = ctx,
				 .stage_variables = x->s->stage_vars,
				 .params = params};
	struct vtl_error err = {0};
	int rc = ctx && params ? vtl_render(t, &b, NULL, out, out_len, &err) : -1;
	if (rc && err.message[0])
		fprintf(stderr, "apigwd-gateway: %s/%s %s: mapping template %d:%d: %s\n",
			x->s->api_id, x->s->name, x->route_key ? x->route_key : "", err.line,
			err.column, err.message);
	json_decref(ctx);
	json_decref(params);
	return rc;
}

/* ---- selection expressions -------------------------------------------------------------- */

/* The key a template selection expression gives (new, "" when it gives nothing): §D5's forms
 * over the request body, and for integration responses (§D6.2) the integration's status code
 * and headers. */
static char *selection_key(const char *tse, const char *body, size_t body_len, long status,
			   const json_t *resp_headers)
{
	static const char sc[] = "integration.response.statuscode";
	static const char hdr[] = "integration.response.header.";
	static const char mhdr[] = "integration.response.multivalueheader.";
	char name[256];
	const char *e = tse;
	size_t n = strlen(tse);
	if (n > 3 && !strncmp(tse, "${", 2) && tse[n - 1] == '}')
		e = tse + 2, n -= 3;
	else if (n > 1 && tse[0] == '$')
		e = tse + 1, n -= 1;
	snprintf(name, sizeof name, "%.*s", (int)n, e);
	if (!strcmp(name, sc) || !strcmp(name, "response.statuscode")) {
		char *k = NULL;
		return asprintf(&k, "%ld", status) < 0 ? NULL : k;
	}
	const char *h = !strncmp(name, hdr, sizeof hdr - 1)	? name + sizeof hdr - 1
			: !strncmp(name, mhdr, sizeof mhdr - 1) ? name + sizeof mhdr - 1
								: NULL;
	if (h) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)resp_headers, k, v) {
			if (!strcasecmp(k, h))
				return strdup(json_string_value(v));
		}
		return strdup("");
	}
	json_t *doc = body_len ? json_loadb(body, body_len, JSON_DECODE_ANY, NULL) : NULL;
	char *key = gw_routesel_eval(tse, doc);
	json_decref(doc);
	return key ? key : strdup("");
}

/* The template of templates (an object) that key selects: key, else $default (§D5, §D6.2);
 * borrowed text, or NULL. */
static const char *template_for(const json_t *templates, const char *key)
{
	const char *t = key ? json_string_value(json_object_get(templates, key)) : NULL;
	return t ? t : json_string_value(json_object_get(templates, "$default"));
}

/* ---- contentHandlingStrategy (§D5) ------------------------------------------------------ */

/* Base64 text → bytes in place-free copy (new, NUL-terminated), or NULL when it is not base64. */
static char *base64_decode(const char *s, size_t n, size_t *out_len)
{
	char *out = malloc(n / 4 * 3 + 4);
	if (!out || n % 4) {
		free(out);
		return NULL;
	}
	int d = EVP_DecodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
	if (d < 0) {
		free(out);
		return NULL;
	}
	while (d > 0 && n > 0 && s[n - 1] == '=') /* EVP counts the padding as bytes */
		d--, n--;
	out[d] = '\0';
	*out_len = (size_t)d;
	return out;
}

static char *base64_encode(const char *s, size_t n, size_t *out_len)
{
	char *out = malloc((n + 2) / 3 * 4 + 1);
	if (out)
		*out_len = (size_t)EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s,
						   (int)n);
	return out;
}

static bool valid_utf8(const char *s, size_t n)
{
	json_t *v = json_stringn(s, n); /* jansson validates UTF-8 */
	bool ok = v != NULL;
	json_decref(v);
	return ok;
}

/* ---- the request (§D5) ------------------------------------------------------------------ */

/* What §D5 decides for a message to integ before anything renders. */
enum choice {
	CHOSE_TEMPLATE, /* *src is the template, *key the evaluated key (new, or NULL) */
	PASS_THROUGH,	/* no template: the body goes unchanged */
	REFUSED,	/* no template and passthroughBehavior forbids passing */
	CHOICE_FAILED,	/* out of memory */
};

/* The request template of integ for body: the key its templateSelectionExpression evaluates
 * to, else $default, else (no expression) application/json; none → passthroughBehavior
 * (WHEN_NO_MATCH passes, WHEN_NO_TEMPLATES passes only when there are no templates, NEVER
 * refuses). *src is borrowed from integ; *key is new (or NULL) in every outcome. */
static enum choice choose_template(json_t *integ, const char *body, size_t len, const char **src,
				   char **key)
{
	json_t *templates = json_object_get(integ, "requestTemplates");
	const char *tse = json_string_value(json_object_get(integ, "templateSelectionExpression"));
	const char *pt = json_string_value(json_object_get(integ, "passthroughBehavior"));
	*src = NULL;
	*key = NULL;
	if (tse && *tse && !(*key = selection_key(tse, body, len, 0, NULL)))
		return CHOICE_FAILED;
	*src = template_for(templates, *key);
	if (!*src && !(tse && *tse))
		*src = json_string_value(json_object_get(templates, "application/json"));
	if (*src)
		return CHOSE_TEMPLATE;
	if ((pt && !strcmp(pt, "NEVER")) ||
	    (pt && !strcmp(pt, "WHEN_NO_TEMPLATES") && json_object_size(templates)))
		return REFUSED;
	return PASS_THROUGH;
}

enum gw_xform_outcome gw_transform_request(const struct gw_xform *x, json_t *route, char **out,
					   size_t *out_len)
{
	json_t *integ = json_object_get(route, "integration");
	const char *type = json_string_value(json_object_get(integ, "integrationType"));
	const char *chs = json_string_value(json_object_get(integ, "contentHandlingStrategy"));
	const char *body = x->body ? x->body : "";
	const char *src = NULL;
	char *key = NULL, *text = NULL;
	size_t len = 0;
	enum gw_xform_outcome ret = GW_XFORM_FAILED;
	*out = NULL;
	*out_len = 0;
	if (type && !strcmp(type, "HTTP_PROXY")) {
		text = memdup0(body, len = x->body_len);
		goto done;
	}
	switch (choose_template(integ, body, x->body_len, &src, &key)) {
	case CHOSE_TEMPLATE:
		if (render(x, src, body, x->body_len, 0, &text, &len))
			goto out;
		break;
	case PASS_THROUGH: text = memdup0(body, len = x->body_len); break;
	case REFUSED: ret = GW_XFORM_UNSUPPORTED; goto out;
	case CHOICE_FAILED: goto out;
	}
	if (text && chs && !strcmp(chs, "CONVERT_TO_BINARY")) {
		char *bin = base64_decode(text, len, &len);
		free(text);
		text = bin;
	}
done:
	if (!text)
		goto out;
	*out = text;
	*out_len = len;
	text = NULL;
	ret = GW_XFORM_OK;
out:
	free(key);
	free(text);
	return ret;
}

int gw_transform_params(const struct gw_xform *x, json_t *route, struct gw_job *j)
{
	json_t *rp = json_object_get(json_object_get(route, "integration"), "requestParameters");
	if (!json_object_size(rp))
		return 0;
	json_t *ctx = context_new(x, 0);
	struct gw_param_src src = {.context = ctx,
				   .stage_vars = x->s->stage_vars,
				   .body = x->body,
				   .body_len = x->body_len,
				   .headers = x->headers,
				   .query = x->query};
	json_t *mapped = ctx ? gw_params_eval(rp, &src) : NULL;
	int rc = mapped ? gw_integ_apply_params(j, mapped) : -1;
	json_decref(mapped);
	json_decref(ctx);
	return rc;
}

json_t *gw_transform_preview(json_t *integ, const json_t *input)
{
	const char *body = json_string_value(json_object_get(input, "body"));
	size_t blen = body ? json_string_length(json_object_get(input, "body")) : 0;
	const json_t *vars = json_object_get(input, "stageVariables");
	const json_t *ctx_in = json_object_get(input, "context");
	const char *src = NULL;
	char *key = NULL, *text = NULL;
	size_t len = 0;
	struct vtl_template *t = NULL;
	struct vtl_error err = {0};
	json_t *ctx = NULL, *params = NULL;
	json_t *res = json_object();
	if (!body)
		body = "";
	enum choice ch = choose_template(integ, body, blen, &src, &key);
	json_object_set_new(res, "templateKey", key ? json_string(key) : json_null());
	if (ch == CHOSE_TEMPLATE) {
		/* A context like a message's, members of input.context replacing its own. */
		ctx = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}}", "apiId", "preview",
				"connectionId", "cHJldmlld2Nvbm4=", "eventType", "MESSAGE",
				"requestId", "cHJldmlld3JlcXU=", "extendedRequestId",
				"cHJldmlld3JlcXU=", "routeKey", "$default", "stage", "preview",
				"identity", "sourceIp", "127.0.0.1");
		if (json_is_object(ctx_in))
			json_object_update(ctx, (json_t *)ctx_in);
		params = json_pack("{s:{}, s:{}, s:{}}", "path", "querystring", "header");
		struct vtl_bindings b = {.body = body,
					 .body_len = blen,
					 .context = ctx,
					 .stage_variables = json_is_object(vars) ? vars : NULL,
					 .params = params};
		t = vtl_compile(src, strlen(src), NULL, &err);
		if (t && !vtl_render(t, &b, NULL, &text, &len, &err))
			json_object_set_new(res, "output", json_stringn(text, len));
		else
			json_object_set_new(res, "error",
					    json_pack("{s:i, s:i, s:s}", "line", err.line, "column",
						      err.column, "message", err.message));
		json_object_set_new(res, "outcome", json_string("TEMPLATE"));
		json_object_set_new(res, "template", json_string(src));
	} else if (ch == PASS_THROUGH) {
		json_object_set_new(res, "outcome", json_string("PASSTHROUGH"));
		json_object_set_new(res, "output", json_stringn(body, blen));
	} else {
		json_object_set_new(res, "outcome",
				    json_string(ch == REFUSED ? "UNSUPPORTED_MEDIA_TYPE"
							      : "FAILED"));
	}
	vtl_template_free(t);
	free(text);
	free(key);
	json_decref(ctx);
	json_decref(params);
	return res;
}

/* ---- the answer (§D4.2, §D6) ------------------------------------------------------------ */

/* The Lambda proxy result as an object, or NULL when the call failed or it is not one. */
static json_t *proxy_result(const struct gw_job *j)
{
	if (j->outcome != GW_OK || j->function_error || j->status < 200 || j->status > 299)
		return NULL;
	json_t *r = json_loadb(j->resp ? j->resp : "", j->resp_len, JSON_DECODE_ANY, NULL);
	if (!json_is_object(r)) {
		json_decref(r);
		return NULL;
	}
	return r;
}

/* §D4.2: the body of a two-way Lambda proxy result. */
static int proxy_answer(const struct gw_job *j, char **frame, size_t *len)
{
	json_t *r = proxy_result(j);
	if (!r)
		return -1;
	int ret = 0;
	json_t *body = json_object_get(r, "body");
	if (j->two_way && json_is_string(body)) {
		const char *b = json_string_value(body);
		size_t n = json_string_length(body);
		if (json_is_true(json_object_get(r, "isBase64Encoded")))
			*frame = base64_decode(b, n, len);
		else
			*frame = memdup0(b, *len = n);
		ret = *frame ? 1 : -1;
	}
	json_decref(r);
	return ret;
}

/* The value the integration response keys are matched against (§D6.1): the Lambda
 * errorMessage ("" when the function succeeded) for AWS Lambda integrations, else the status
 * code in decimal. New, or NULL. */
static char *response_value(const struct gw_job *j)
{
	char *v = NULL;
	if (j->lambda) {
		json_t *r = json_loadb(j->resp ? j->resp : "", j->resp_len, 0, NULL);
		const char *m = json_string_value(json_object_get(r, "errorMessage"));
		v = strdup(m ? m : "");
		json_decref(r);
		return v;
	}
	return asprintf(&v, "%ld", j->status) < 0 ? NULL : v;
}

/* The integration response (borrowed from integ) whose key matches value: the first /regex/
 * key in the snapshot's order that matches the whole value, else $default, else NULL. */
static json_t *integration_response(const struct gw_stage *s, json_t *integ, const char *value)
{
	json_t *irs = json_object_get(integ, "integrationResponses"), *ir, *fallback = NULL;
	size_t i;
	json_array_foreach(irs, i, ir) {
		const char *key = json_string_value(json_object_get(ir, "integrationResponseKey"));
		if (!key)
			continue;
		if (!strcmp(key, "$default")) {
			fallback = ir;
			continue;
		}
		regex_t *re = gw_stage_memo(s, key, compile_pattern, free_pattern);
		if (re && !regexec(re, value, 0, NULL, 0))
			return ir;
	}
	return fallback;
}

/* §D6: a non-proxy two-way answer, the integration response's template over the result. */
static int mapped_answer(const struct gw_xform *x, const struct gw_job *j, char **frame,
			 size_t *len)
{
	json_t *integ = json_object_get(j->route, "integration");
	char *value = response_value(j), *key = NULL;
	const char *resp = j->resp ? j->resp : "";
	int ret = -1;
	json_t *ir = value ? integration_response(j->stage, integ, value) : NULL;
	if (!ir)
		goto out;
	json_t *templates = json_object_get(ir, "responseTemplates");
	const char *tse = json_string_value(json_object_get(ir, "templateSelectionExpression"));
	const char *chs = json_string_value(json_object_get(ir, "contentHandlingStrategy"));
	if (tse && *tse &&
	    !(key = selection_key(tse, x->body, x->body_len, j->status, j->resp_headers)))
		goto out;
	const char *src = template_for(templates, key);
	if (src) {
		if (render(x, src, resp, j->resp_len, j->status, frame, len))
			goto out;
	} else if (chs && !strcmp(chs, "CONVERT_TO_TEXT") && !valid_utf8(resp, j->resp_len)) {
		*frame = base64_encode(resp, j->resp_len, len);
	} else {
		*frame = memdup0(resp, *len = j->resp_len);
	}
	ret = *frame ? 1 : -1;
out:
	free(value);
	free(key);
	return ret;
}

int gw_transform_response(const struct gw_xform *x, const struct gw_job *j, char **frame,
			  size_t *len)
{
	*frame = NULL;
	*len = 0;
	if (j->outcome != GW_OK)
		return -1;
	if (!strcmp(j->type, "AWS_PROXY"))
		return proxy_answer(j, frame, len);
	if (!j->two_way) /* one-way: never a reply (§D6.3) */
		return 0;
	if (!strcmp(j->type, "HTTP_PROXY")) {
		*frame = memdup0(j->resp, *len = j->resp_len);
		return *frame ? 1 : -1;
	}
	if (j->lambda && j->status != 200) /* the Invoke call itself failed */
		return -1;
	return mapped_answer(x, j, frame, len);
}

int gw_transform_connect_status(const struct gw_job *j)
{
	if (j->outcome == GW_TIMEOUT)
		return 504;
	if (j->lambda && strcmp(j->type, "AWS_PROXY") != 0) /* AWS: a Lambda custom integration */
		return j->outcome != GW_OK		       ? 500
		       : j->function_error || j->status != 200 ? 502
							       : 200;
	if (strcmp(j->type, "AWS_PROXY") != 0)
		return j->outcome == GW_OK ? (int)j->status : 500;
	if (j->outcome != GW_OK)
		return 500;
	json_t *r = proxy_result(j);
	if (!r)
		return 502;
	json_t *sc = json_object_get(r, "statusCode");
	int st = json_is_integer(sc) ? (int)json_integer_value(sc) : 200;
	json_decref(r);
	return st;
}
