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
	char *real_uri = uri ? subst_stage_vars(uri, s->stage_vars) : NULL;
	if (!strcmp(type, "AWS_PROXY")) {
		j->url = real_uri ? lambda_url(real_uri) : NULL;
		j->method = strdup("POST");
		j->headers = curl_slist_append(NULL, "Content-Type: application/json");
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
	if (!j->url || !j->method) {
		/* HTTP and AWS (non-proxy) arrive with the mapping-template issue. */
		*err = true;
		gw_job_free(j);
		return NULL;
	}
	return j;
fail:
	*err = true;
	gw_job_free(j);
	return NULL;
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
	if (size * n > 20 && !strncasecmp(line, "X-Amz-Function-Error:", 21))
		j->function_error = true;
	return size * n;
}

void gw_integ_perform(struct gw_job *j)
{
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (!j->url) { /* MOCK: answered by the gateway; the body is the transformed request */
		j->status = 200;
		j->resp = strdup(j->body);
		j->resp_len = j->resp ? j->body_len : 0;
		j->outcome = GW_OK;
		return;
	}
	char userpwd[512], sigv4[128];
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
	if (!strcmp(j->type, "AWS_PROXY") && key && *key && secret && *secret) {
		const char *region = getenv("AWS_REGION");
		if (!region || !*region)
			region = getenv("AWS_DEFAULT_REGION");
		snprintf(sigv4, sizeof sigv4, "aws:amz:%s:lambda",
			 region && *region ? region : "us-east-1");
		snprintf(userpwd, sizeof userpwd, "%s:%s", key, secret);
		curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4);
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
