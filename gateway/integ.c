/* integ.c — integration requests (docs/aws-behaviour.md §D4) and the pool that performs them off
 * the event loop. */
#include "integ.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "curlh.h"

#define MAX_THREADS 64
#define MAX_RESP    (10u << 20) /* backend answers larger than this fail */

static struct gw_integ_opts opts;
static pthread_t threads[MAX_THREADS];
static int nthreads;
static pthread_mutex_t qlock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t qcond = PTHREAD_COND_INITIALIZER;
static struct gw_job *todo_head, *todo_tail; /* under qlock */
static struct gw_job *done_head, *done_tail; /* under qlock */
static bool stopping;			     /* under qlock */

void gw_job_free(struct gw_job *j)
{
	if (!j)
		return;
	free(j->url);
	free(j->method);
	free(j->body);
	free(j->resp);
	free(j->msg);
	json_decref(j->resp_headers);
	gw_stage_release(j->stage);
	curl_slist_free_all(j->headers);
	free(j);
}

/* Appends to *s (realloc'd) the text of v with ${stageVariables.x} substituted (§D4.5). */
static char *subst_stage_vars(const char *in, const json_t *vars)
{
	static const char pre[] = "${stageVariables.";
	size_t cap = strlen(in) + 1, len = 0;
	char *out = malloc(cap);
	while (out && *in) {
		const char *add = in, *end;
		size_t n = 1;
		if (!strncmp(in, pre, sizeof pre - 1) && (end = strchr(in, '}'))) {
			const char *name = in + sizeof pre - 1;
			add = json_string_value(json_object_getn(vars, name, (size_t)(end - name)));
			if (!add)
				add = "";
			n = strlen(add);
			in = end + 1;
		} else {
			in++;
		}
		if (len + n + 1 > cap) {
			cap = (len + n + 1) * 2;
			char *p = realloc(out, cap);
			if (!p) {
				free(out);
				return NULL;
			}
			out = p;
		}
		memcpy(out + len, add, n);
		len += n;
	}
	if (out)
		out[len] = '\0';
	return out;
}

/* The region Lambda proxy calls are signed for: the usual environment variables. */
static const char *default_region(void)
{
	const char *region = getenv("AWS_REGION");
	if (!region || !*region)
		region = getenv("AWS_DEFAULT_REGION");
	return region && *region ? region : "us-east-1";
}

/* Lambda Invoke URL for an integration URI
 * arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations (§D4.1): the
 * function ARN without its qualifier, and the qualifier (alias/version) as ?Qualifier=. */
static char *lambda_url(const char *uri)
{
	static const char marker[] = "/functions/";
	const char *f = strstr(uri, marker), *end;
	char *url = NULL, fn[512], qual[128] = "";
	if (!f || !(end = strstr(f, "/invocations")) || !opts.lambda_endpoint)
		return NULL;
	f += sizeof marker - 1;
	snprintf(fn, sizeof fn, "%.*s", (int)(end - f), f);
	/* arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] */
	int colons = 0;
	for (char *p = fn; *p; p++)
		if (*p == ':' && ++colons == 7) {
			snprintf(qual, sizeof qual, "%s", p + 1);
			*p = '\0';
			break;
		}
	CURL *h = curl_easy_init();
	char *efn = h ? curl_easy_escape(h, fn, 0) : NULL;
	char *eq = h ? curl_easy_escape(h, qual, 0) : NULL;
	if (efn && eq &&
	    asprintf(&url, "%s/2015-03-31/functions/%s/invocations%s%s", opts.lambda_endpoint, efn,
		     qual[0] ? "?Qualifier=" : "", eq) < 0)
		url = NULL;
	curl_free(efn);
	curl_free(eq);
	if (h)
		curl_easy_cleanup(h);
	return url;
}

/* Services that speak only the JSON protocol: an `action/Name` integration names its
 * operation in X-Amz-Target (botocore's targetPrefix and jsonVersion). Every other service is
 * called with the query protocol: Action in the query string, the payload as the form body. */
static const struct {
	const char *service, *target, *version;
} json_services[] = {
	{"dynamodb", "DynamoDB_20120810", "1.0"}, {"kinesis", "Kinesis_20131202", "1.1"},
	{"events", "AWSEvents", "1.1"},		  {"logs", "Logs_20140328", "1.1"},
	{"states", "AWSStepFunctions", "1.0"},	  {"firehose", "Firehose_20150804", "1.1"},
};

/* l with the header "name: value" appended; on failure the whole list is freed (NULL). */
static struct curl_slist *add_header(struct curl_slist *l, const char *name, const char *value)
{
	char line[1024];
	snprintf(line, sizeof line, "%s: %s", name, value);
	struct curl_slist *n = curl_slist_append(l, line);
	if (!n)
		curl_slist_free_all(l);
	return n;
}

/* Signs the job's call for region and service (CURLOPT_AWS_SIGV4 when credentials are set);
 * temporary credentials carry their session token in a header libcurl does not add. */
static void sign_for(struct gw_job *j, const char *region, const char *service)
{
	const char *token = getenv("AWS_SESSION_TOKEN");
	snprintf(j->sign, sizeof j->sign, "aws:amz:%s:%s", region, service);
	if (token && *token)
		j->headers = add_header(j->headers, "X-Amz-Security-Token", token);
}

/* The request of an AWS integration (docs/aws-behaviour.md §D4.4) for its URI
 * arn:aws:apigateway:{region}:{[subdomain.]service}:{action/Name[&k=v...] | path/PATH}: a Lambda
 * Invoke for lambda:path/2015-03-31/functions/..., else the service at --aws-endpoint (or
 * AWS's own host), signed for the service and region. Sets url, sign, lambda and headers;
 * returns -1 when the URI is not one of those forms. */
static int aws_request(struct gw_job *j, const char *uri)
{
	static const char arn[] = "arn:aws:apigateway:";
	char region[64], service[128], *dot;
	const char *p = uri + sizeof arn - 1, *rest;
	if (strncmp(uri, arn, sizeof arn - 1) ||
	    sscanf(p, "%63[^:]:%127[^:]:", region, service) != 2)
		return -1;
	rest = p + strlen(region) + 1 + strlen(service) + 1;
	const char *svc = (dot = strrchr(service, '.')) ? dot + 1 : service;
	sign_for(j, region, svc);
	if (!strcmp(svc, "lambda") && strstr(rest, "/functions/")) {
		j->lambda = true;
		j->url = lambda_url(uri);
		j->headers = add_header(j->headers, "Content-Type", "application/json");
		return j->url ? 0 : -1;
	}
	char base[512];
	if (opts.aws_endpoint)
		snprintf(base, sizeof base, "%s", opts.aws_endpoint);
	else
		snprintf(base, sizeof base, "https://%s.%s.amazonaws.com", service, region);
	size_t bl = strlen(base);
	if (bl && base[bl - 1] == '/')
		base[bl - 1] = '\0';
	if (!strncmp(rest, "path/", 5)) {
		if (asprintf(&j->url, "%s/%s", base, rest + 5) < 0)
			j->url = NULL;
		j->headers = add_header(j->headers, "Content-Type", "application/json");
		return j->url ? 0 : -1;
	}
	if (strncmp(rest, "action/", 7) || !rest[7])
		return -1;
	const char *action = rest + 7, *amp = strchr(action, '&');
	int alen = amp ? (int)(amp - action) : (int)strlen(action);
	for (size_t i = 0; i < sizeof json_services / sizeof *json_services; i++) {
		if (strcmp(svc, json_services[i].service))
			continue;
		char target[256];
		snprintf(target, sizeof target, "%s.%.*s", json_services[i].target, alen, action);
		if (asprintf(&j->url, "%s/", base) < 0)
			j->url = NULL;
		j->headers = add_header(j->headers, "X-Amz-Target", target);
		char ct[64];
		snprintf(ct, sizeof ct, "application/x-amz-json-%s", json_services[i].version);
		j->headers = add_header(j->headers, "Content-Type", ct);
		return j->url ? 0 : -1;
	}
	if (asprintf(&j->url, "%s/?Action=%s", base, action) < 0)
		j->url = NULL;
	j->headers = add_header(j->headers, "Content-Type",
				"application/x-www-form-urlencoded; charset=utf-8");
	return j->url ? 0 : -1;
}

/* §D4.5: an integration whose connectionType is VPC_LINK names its link by connectionId
 * (stage variables substituted); the link must be one the deployment froze in the snapshot's
 * vpcLinks, and AVAILABLE. The gateway has no NLB to reach through it, so the request then goes
 * to integrationUri directly (docs/gateway.md). Returns 0 when the integration may be called. */
static int vpc_link_ok(const struct gw_stage *s, json_t *integ)
{
	const char *ct = json_string_value(json_object_get(integ, "connectionType"));
	const char *cid = json_string_value(json_object_get(integ, "connectionId"));
	json_t *links = json_object_get(s->doc, "vpcLinks"), *l;
	size_t i;
	int ret = -1;
	if (!ct || strcmp(ct, "VPC_LINK"))
		return 0;
	char *id = cid ? subst_stage_vars(cid, s->stage_vars) : NULL;
	json_array_foreach(links, i, l) {
		const char *lid = json_string_value(json_object_get(l, "vpcLinkId"));
		const char *st = json_string_value(json_object_get(l, "vpcLinkStatus"));
		if (id && lid && !strcmp(id, lid))
			ret = !st || !strcmp(st, "AVAILABLE") ? 0 : -1;
	}
	if (ret)
		fprintf(stderr,
			"apigwd-gateway: %s/%s: VPC link %s is not in the deployment or not "
			"AVAILABLE\n",
			s->api_id, s->name, id ? id : "(none)");
	free(id);
	return ret;
}

struct gw_job *gw_integ_prepare(const struct gw_stage *s, json_t *route, enum gw_event_type ev,
				const char *conn_id, const char *request_id, const char *payload,
				size_t payload_len, json_t *connect_headers, bool *err)
{
	json_t *integ = json_object_get(route, "integration");
	const char *type = json_string_value(json_object_get(integ, "integrationType"));
	const char *uri = json_string_value(json_object_get(integ, "integrationUri"));
	const char *method = json_string_value(json_object_get(integ, "integrationMethod"));
	json_t *rr = json_object_get(route, "routeResponses"), *it;
	size_t i;
	*err = false;
	if (!type)
		return NULL;
	struct gw_job *j = calloc(1, sizeof *j);
	if (!j)
		goto fail;
	j->event = ev;
	snprintf(j->conn_id, sizeof j->conn_id, "%s", conn_id);
	snprintf(j->request_id, sizeof j->request_id, "%s", request_id);
	snprintf(j->type, sizeof j->type, "%s", type);
	snprintf(j->route_key, sizeof j->route_key, "%s",
		 json_string_value(json_object_get(route, "routeKey")));
	json_t *tmo = json_object_get(integ, "timeoutInMillis");
	j->timeout_ms = json_is_integer(tmo) ? (long)json_integer_value(tmo) : 29000;
	json_array_foreach(rr, i, it) {
		const char *k = json_string_value(json_object_get(it, "routeResponseKey"));
		if (k && !strcmp(k, "$default"))
			j->two_way = true;
	}
	j->body = malloc(payload_len + 1);
	if (!j->body)
		goto fail;
	memcpy(j->body, payload, payload_len);
	j->body[payload_len] = '\0';
	j->body_len = payload_len;
	if (!strcmp(type, "MOCK"))
		return j;
	if (vpc_link_ok(s, integ))
		goto fail;
	char *real_uri = uri ? subst_stage_vars(uri, s->stage_vars) : NULL;
	if (strcmp(type, "AWS_PROXY") && strcmp(type, "HTTP_PROXY"))
		j->resp_headers = json_object(); /* for ${integration.response.header.X} (§D6.2) */
	if (!strcmp(type, "AWS_PROXY")) {
		j->lambda = true;
		j->url = real_uri ? lambda_url(real_uri) : NULL;
		j->method = strdup("POST");
		j->headers = curl_slist_append(NULL, "Content-Type: application/json");
		sign_for(j, default_region(), "lambda");
	} else if (!strcmp(type, "AWS")) {
		if (!real_uri || aws_request(j, real_uri))
			goto bad;
		j->method = strdup(j->lambda ? "POST" : method ? method : "POST");
	} else if (!strcmp(type, "HTTP")) {
		/* §D4.4: the rendered payload to the backend, as JSON unless a request parameter
		 * says otherwise. */
		j->url = real_uri ? strdup(real_uri) : NULL;
		j->method = strdup(method ? method : "POST");
		j->headers = add_header(j->headers, "Content-Type", "application/json");
		char ua[96];
		snprintf(ua, sizeof ua, "AmazonAPIGateway_%s", s->api_id);
		j->headers = add_header(j->headers, "x-amzn-apigateway-api-id", s->api_id);
		j->headers = add_header(j->headers, "User-Agent", ua);
		if (j->headers)
			j->headers = curl_slist_append(j->headers, "Expect:");
	} else if (!strcmp(type, "HTTP_PROXY")) {
		char line[512];
		j->url = real_uri ? strdup(real_uri) : NULL;
		j->method = strdup(method ? method : "POST");
		/* §D4.3: generated headers; at $connect the client's handshake headers too. */
		const char *k;
		json_t *v;
		json_object_foreach(connect_headers, k, v) {
			/* The backend's own Host and framing headers are libcurl's to write. */
			if (!strcasecmp(k, "Host") || !strcasecmp(k, "Content-Length") ||
			    !strcasecmp(k, "Transfer-Encoding"))
				continue;
			snprintf(line, sizeof line, "%s: %s", k, json_string_value(v));
			j->headers = curl_slist_append(j->headers, line);
		}
		snprintf(line, sizeof line, "x-amzn-apigateway-api-id: %s", s->api_id);
		j->headers = curl_slist_append(j->headers, line);
		snprintf(line, sizeof line, "User-Agent: AmazonAPIGateway_%s", s->api_id);
		j->headers = curl_slist_append(j->headers, line);
		j->headers = curl_slist_append(j->headers, "Expect:");
	}
	free(real_uri);
	if (!j->url || !j->method)
		goto fail;
	return j;
bad:
	free(real_uri);
fail:
	*err = true;
	gw_job_free(j);
	return NULL;
}

/* list without the headers named name (any case), the removed entries freed. */
static struct curl_slist *drop_header(struct curl_slist *list, const char *name)
{
	size_t n = strlen(name);
	struct curl_slist *keep = NULL, **tail = &keep, *next;
	for (struct curl_slist *it = list; it; it = next) {
		next = it->next;
		it->next = NULL;
		if (!strncasecmp(it->data, name, n) && (it->data[n] == ':' || it->data[n] == ';')) {
			curl_slist_free_all(it);
			continue;
		}
		*tail = it;
		tail = &it->next;
	}
	return keep;
}

int gw_integ_apply_params(struct gw_job *j, const json_t *mapped)
{
	const char *k;
	const json_t *v;
	CURL *h = NULL;
	int ret = -1;
	if (!mapped)
		return 0;
	json_object_foreach((json_t *)json_object_get(mapped, "header"), k, v) {
		j->headers = drop_header(j->headers, k);
		j->headers = add_header(j->headers, k, json_string_value(v));
		if (!j->headers)
			goto out;
	}
	if (!j->url)
		return 0; /* MOCK: nothing is called */
	if (!(h = curl_easy_init()))
		goto out;
	json_object_foreach((json_t *)json_object_get(mapped, "path"), k, v) {
		char *ev = curl_easy_escape(h, json_string_value(v), 0), ph[256], *at, *url = NULL;
		snprintf(ph, sizeof ph, "{%s}", k);
		if (ev && (at = strstr(j->url, ph)) &&
		    asprintf(&url, "%.*s%s%s", (int)(at - j->url), j->url, ev, at + strlen(ph)) >=
			    0) {
			free(j->url);
			j->url = url;
		}
		curl_free(ev);
	}
	json_object_foreach((json_t *)json_object_get(mapped, "querystring"), k, v) {
		char *ek = curl_easy_escape(h, k, 0),
		     *ev = curl_easy_escape(h, json_string_value(v), 0);
		char *url = NULL;
		if (!ek || !ev ||
		    asprintf(&url, "%s%c%s=%s", j->url, strchr(j->url, '?') ? '&' : '?', ek, ev) <
			    0)
			url = NULL;
		curl_free(ek);
		curl_free(ev);
		if (!url)
			goto out;
		free(j->url);
		j->url = url;
	}
	ret = 0;
out:
	if (h)
		curl_easy_cleanup(h);
	return ret;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct gw_job *j = arg;
	size_t len = size * n;
	if (j->resp_len + len > MAX_RESP)
		return 0;
	char *p = realloc(j->resp, j->resp_len + len + 1);
	if (!p)
		return 0;
	memcpy(p + j->resp_len, data, len);
	j->resp_len += len;
	p[j->resp_len] = '\0';
	j->resp = p;
	return len;
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
	struct gw_job *j = arg;
	size_t len = size * n;
	if (len > 20 && !strncasecmp(line, "X-Amz-Function-Error:", 21))
		j->function_error = true;
	const char *colon = memchr(line, ':', len);
	if (j->resp_headers && colon && colon > line) {
		const char *v = colon + 1, *end = line + len;
		while (v < end && (*v == ' ' || *v == '\t'))
			v++;
		while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
			end--;
		char *name = strndup(line, (size_t)(colon - line));
		if (name)
			json_object_set_new(j->resp_headers, name,
					    json_stringn(v, (size_t)(end - v)));
		free(name);
	}
	return len;
}

long gw_integ_mock_status(const char *payload)
{
	json_t *doc = json_loads(payload, JSON_DECODE_ANY, NULL);
	json_t *sc = json_object_get(doc, "statusCode");
	long st = json_is_integer(sc) ? (long)json_integer_value(sc) : 0;
	json_decref(doc);
	if (st)
		return st;
	/* Not JSON (AWS accepts a trailing comma, §D4.4): read the member by hand. */
	const char *p = strstr(payload, "\"statusCode\"");
	if (!p)
		return 200;
	p += 12;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	if (*p++ != ':')
		return 200;
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r' || *p == '"')
		p++;
	st = strtol(p, NULL, 10);
	return st >= 100 && st <= 599 ? st : 200;
}

void gw_integ_perform(struct gw_job *j)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!j->url) { /* MOCK: answered by the gateway; the body is the transformed request */
		j->status = gw_integ_mock_status(j->body);
		j->resp = strdup(j->body);
		j->resp_len = j->resp ? j->body_len : 0;
		j->outcome = GW_OK;
		return;
	}
	char userpwd[512];
	const char *key = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
	CURL *h = gw_curl_thread_handle(); /* keeps the backend connection (curlh.h) */
	if (!h) {
		j->outcome = GW_FAILED;
		return;
	}
	curl_easy_setopt(h, CURLOPT_URL, j->url);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, j->method);
	if (strcmp(j->method, "GET") && strcmp(j->method, "HEAD")) {
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, j->body);
		curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)j->body_len);
	}
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, j->headers);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, j->timeout_ms);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, j);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, j);
	if (j->sign[0] && key && *key && secret && *secret) {
		snprintf(userpwd, sizeof userpwd, "%s:%s", key, secret);
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, j->sign);
		curl_easy_setopt(h, CURLOPT_USERPWD, userpwd);
	}
	CURLcode rc = curl_easy_perform(h);
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &j->status);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	j->latency_ms =
		(double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	if (rc == CURLE_OPERATION_TIMEDOUT)
		j->outcome = GW_TIMEOUT;
	else if (rc != CURLE_OK)
		j->outcome = GW_FAILED;
	else
		j->outcome = GW_OK;
}

static void complete(struct gw_job *j)
{
	pthread_mutex_lock(&qlock);
	j->next = NULL;
	if (done_tail)
		done_tail->next = j;
	else
		done_head = j;
	done_tail = j;
	pthread_mutex_unlock(&qlock);
	if (opts.wake)
		opts.wake(opts.wake_arg);
}

static void *pool_main(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&qlock);
		while (!todo_head && !stopping)
			pthread_cond_wait(&qcond, &qlock);
		if (stopping) {
			pthread_mutex_unlock(&qlock);
			return NULL;
		}
		struct gw_job *j = todo_head;
		todo_head = j->next;
		if (!todo_head)
			todo_tail = NULL;
		pthread_mutex_unlock(&qlock);
		gw_integ_perform(j);
		complete(j);
	}
}

void gw_integ_submit(struct gw_job *j)
{
	if (!j->url) {
		gw_integ_perform(j);
		complete(j);
		return;
	}
	pthread_mutex_lock(&qlock);
	j->next = NULL;
	if (todo_tail)
		todo_tail->next = j;
	else
		todo_head = j;
	todo_tail = j;
	pthread_cond_signal(&qcond);
	pthread_mutex_unlock(&qlock);
}

struct gw_job *gw_integ_take_done(void)
{
	pthread_mutex_lock(&qlock);
	struct gw_job *j = done_head;
	if (j) {
		done_head = j->next;
		if (!done_head)
			done_tail = NULL;
	}
	pthread_mutex_unlock(&qlock);
	return j;
}

int gw_integ_start(const struct gw_integ_opts *o)
{
	opts = *o;
	if (opts.threads < 1)
		opts.threads = 1;
	if (opts.threads > MAX_THREADS)
		opts.threads = MAX_THREADS;
	for (nthreads = 0; nthreads < opts.threads; nthreads++)
		if (pthread_create(&threads[nthreads], NULL, pool_main, NULL))
			return -1;
	return 0;
}

void gw_integ_stop(void)
{
	pthread_mutex_lock(&qlock);
	stopping = true;
	pthread_cond_broadcast(&qcond);
	pthread_mutex_unlock(&qlock);
	for (int i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	nthreads = 0;
}
