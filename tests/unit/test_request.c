/* test_request.c — the request API (request.c) on a fake transport: linked with request.o and
 * the base layer only (no libmicrohttpd lifecycle, no handler, no table), which is itself the
 * proof that the request module stands alone. */
#include <stdlib.h>
#include <string.h>

#include "fake_req.h"
#include "request.h"
#include "route.h"
#include "unit.h"

static const struct route a_route = {.method = "GET",
				     .path = "/v2/apis/{apiId}/integrations/{integrationId}",
				     .op = "GetIntegration"};

static void test_params_headers_query(void)
{
	static const char *const headers[] = {"Content-Type", "application/json", "X-A", "1", NULL};
	static const char *const query[] = {"tagKeys", "a%20b", "maxResults", "7", "tagKeys",
					    "c",       "flag",	NULL,	      NULL};
	struct fake *f = fake_new(headers, query);
	struct req *rq = &f->rq;
	rq->route = &a_route;
	rq->params[0] = strdup("a1");
	rq->params[1] = strdup("i1");
	CHECK_STR(req_param(rq, "apiId"), "a1");
	CHECK_STR(req_param(rq, "integrationId"), "i1");
	CHECK(req_param(rq, "stageName") == NULL);
	CHECK_STR(req_header(rq, "content-type"), "application/json");
	CHECK(req_header(rq, "X-Missing") == NULL);
	char *v = req_query(rq, "tagKeys");
	CHECK_STR(v, "a b"); /* decoded */
	free(v);
	CHECK(req_query(rq, "nope") == NULL);
	size_t n = 0;
	char **all = req_query_all(rq, "tagKeys", &n);
	CHECK(n == 2);
	if (n == 2) {
		CHECK_STR(all[0], "a b");
		CHECK_STR(all[1], "c");
	}
	for (size_t i = 0; i < n; i++)
		free(all[i]);
	free(all);
	all = req_query_all(rq, "flag", &n); /* an argument without '=' is "" */
	CHECK(n == 1 && all && strcmp(all[0], "") == 0);
	for (size_t i = 0; i < n; i++)
		free(all[i]);
	free(all);
	rq->route = NULL;
	CHECK(req_param(rq, "apiId") == NULL); /* no route, no parameters */
	req_free(rq);
}

static void test_replies(void)
{
	struct fake *f = fake_new(NULL, NULL);
	struct req *rq = &f->rq;
	json_t *doc = json_pack("{s:s}", "name", "x");
	reply_json(rq, 201, doc);
	json_decref(doc);
	CHECK(rq->replied && rq->status == 201);
	CHECK(rq->resp && strcmp(rq->resp, "{\"name\":\"x\"}") == 0);
	/* A later error is dropped: the first answer stands. */
	reply_errf(rq, E_NOT_FOUND, "late");
	CHECK(rq->status == 201 && rq->error_name == NULL);
	req_free(rq);

	f = fake_new(NULL, NULL);
	rq = &f->rq;
	reply_errf(rq, E_NOT_FOUND, "Invalid API identifier specified %s", "abc");
	CHECK(rq->status == 404);
	CHECK_STR(rq->error_name, "NotFoundException");
	CHECK(rq->resp && strstr(rq->resp, "Invalid API identifier specified abc"));
	req_free(rq);

	/* A message cut inside a UTF-8 character still makes valid JSON. */
	f = fake_new(NULL, NULL);
	rq = &f->rq;
	reply_errf(rq, E_BAD_REQUEST, "%.4s", "ab\xc3\xa9");
	CHECK(rq->status == 400);
	json_t *back = rq->resp ? json_loads(rq->resp, 0, NULL) : NULL;
	CHECK(back != NULL);
	json_decref(back);
	req_free(rq);

	f = fake_new(NULL, NULL);
	rq = &f->rq;
	reply_empty(rq, 204);
	CHECK(rq->replied && rq->status == 204 && rq->resp == NULL && rq->resp_len == 0);
	req_free(rq);
}

static void test_hold_defer_resume(void)
{
	struct fake *f = fake_new(NULL, NULL);
	struct req *rq = &f->rq;
	req_hold(rq, 30, 41);
	CHECK(f->holds == 1 && f->seen == 41 && !rq->replied);
	req_defer(rq);
	CHECK(f->suspends == 1);
	reply_empty(rq, 204);
	req_resume(rq);
	CHECK(f->resumes == 1);
	req_free(rq);
}

int main(void)
{
	RUN(test_params_headers_query);
	RUN(test_replies);
	RUN(test_hold_defer_resume);
	return unit_report("request");
}
