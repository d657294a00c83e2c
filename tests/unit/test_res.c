/* test_res.c — the generic resource engine (res.c, paging.c) on its own: a made-up resource
 * stored in an in-memory database, driven through the request API on a fake transport. Linked
 * without any real resource, the data plane, the route table or the libmicrohttpd lifecycle
 * (Makefile: ENGINE_OBJ), which is itself the proof that the engine stands alone. */
#include <stdlib.h>
#include <string.h>

#include "fake_req.h"
#include "res.h"
#include "server.h"
#include "unit.h"

static const char *const colors[] = {"blue", "red", NULL};

static const struct jfield widget_fields[] = {
	{"color", J_ENUM, .flags = F_IN, .enums = colors, .dflt_str = "blue"},
	{"name", J_STR, 1, 16, F_IN | F_REQUIRED},
	{"widgetId", J_STR, .flags = F_SERVER},
	{0},
};

static const struct resdef widget_def = {
	.name = "Widget",
	.kind = "widget",
	.id_member = "widgetId",
	.id_len = 10,
	.fields = widget_fields,
	.in_deployment = true,
};

static const struct route widget_one = {.method = "GET",
					.path = "/v2/widgets/{widgetId}",
					.op = "GetWidget"};
static const struct route widget_all = {.method = "GET", .path = "/v2/widgets", .op = "GetWidgets"};

/* The auto_deploy hook the engine calls after a configuration change: recorded, and refused
 * when `refuse` is set (which must roll the whole write back). */
static struct {
	unsigned calls;
	char api[32];
	bool refuse;
} hook;

static enum err record_hook(struct req *rq, const char *api_id, const char *stage, unsigned proto,
			    json_t **stage_out, struct apierr *e)
{
	(void)rq;
	(void)proto;
	(void)stage_out;
	hook.calls++;
	snprintf(hook.api, sizeof hook.api, "%s", api_id);
	CHECK(stage == NULL); /* the engine deploys every autoDeploy stage */
	if (hook.refuse)
		return err_set(e, E_BAD_REQUEST, "refused by the hook");
	return E_OK;
}

static struct server srv;

/* Runs one engine operation as the lifecycle would: a connection held around it. Returns the
 * request, answered (the caller req_frees it). */
static struct req *run(void (*op)(struct req *, const struct resdef *), const struct route *r,
		       const char *id, const char *body, const char *const *query)
{
	struct fake *f = fake_new(NULL, query);
	struct req *rq = &f->rq;
	rq->srv = &srv;
	rq->route = r;
	snprintf(rq->account, sizeof rq->account, "111122223333");
	snprintf(rq->region, sizeof rq->region, "us-east-1");
	rq->scope.account = rq->account;
	rq->scope.region = rq->region;
	if (id)
		rq->params[0] = strdup(id);
	if (body)
		rq->body = json_loads(body, 0, NULL);
	struct db *db = db_acquire(srv.pool);
	rq->db = db;
	op(rq, &widget_def);
	db_release(srv.pool, db);
	CHECK(rq->replied);
	CHECK(f->suspends == f->resumes); /* a deferred write was resumed */
	return rq;
}

static json_t *answer(const struct req *rq)
{
	return rq->resp ? json_loadb(rq->resp, rq->resp_len, 0, NULL) : NULL;
}

static void test_crud(void)
{
	struct req *rq = run(res_create, &widget_all, NULL, "{\"name\":\"one\"}", NULL);
	CHECK(rq->status == 201);
	json_t *w = answer(rq);
	const char *id = jstr(w, "widgetId");
	CHECK(id && strlen(id) == 10);
	CHECK_STR(jstr(w, "color"), "blue"); /* the default, rendered */
	CHECK(hook.calls == 1 && id && strcmp(hook.api, id) == 0);
	char wid[16];
	snprintf(wid, sizeof wid, "%s", id ? id : "");
	json_decref(w);
	req_free(rq);

	rq = run(res_get, &widget_one, wid, NULL, NULL);
	CHECK(rq->status == 200);
	w = answer(rq);
	CHECK_STR(jstr(w, "name"), "one");
	json_decref(w);
	req_free(rq);

	rq = run(res_update, &widget_one, wid, "{\"color\":\"red\"}", NULL);
	CHECK(rq->status == 200);
	w = answer(rq);
	CHECK_STR(jstr(w, "color"), "red");
	CHECK_STR(jstr(w, "name"), "one"); /* merged */
	json_decref(w);
	CHECK(hook.calls == 2);
	req_free(rq);

	rq = run(res_delete, &widget_one, wid, NULL, NULL);
	CHECK(rq->status == 204);
	req_free(rq);
	rq = run(res_get, &widget_one, wid, NULL, NULL);
	CHECK(rq->status == 404);
	CHECK_STR(rq->error_name, "NotFoundException");
	req_free(rq);
}

static void test_validation_and_rollback(void)
{
	struct req *rq = run(res_create, &widget_all, NULL, "{\"color\":\"red\"}", NULL);
	CHECK(rq->status == 400); /* name is required */
	CHECK(rq->resp && strstr(rq->resp, "name"));
	req_free(rq);
	rq = run(res_create, &widget_all, NULL, "{\"name\":\"x\",\"color\":\"green\"}", NULL);
	CHECK(rq->status == 400); /* not one of the enum */
	req_free(rq);

	/* The hook refuses: nothing of the write stays. */
	hook.refuse = true;
	rq = run(res_create, &widget_all, NULL, "{\"name\":\"rolled back\"}", NULL);
	hook.refuse = false;
	CHECK(rq->status == 400);
	req_free(rq);
	rq = run(res_list, &widget_all, NULL, NULL, NULL);
	CHECK(rq->status == 200 && rq->resp && !strstr(rq->resp, "rolled back"));
	req_free(rq);
}

static void test_paging(void)
{
	for (int i = 0; i < 3; i++) {
		char body[64];
		snprintf(body, sizeof body, "{\"name\":\"page%d\"}", i);
		req_free(run(res_create, &widget_all, NULL, body, NULL));
	}
	static const char *const one[] = {"maxResults", "2", NULL};
	struct req *rq = run(res_list, &widget_all, NULL, NULL, one);
	json_t *p = answer(rq);
	CHECK(json_array_size(json_object_get(p, "items")) == 2);
	const char *next = jstr(p, "nextToken");
	CHECK(next != NULL);
	char token[256];
	snprintf(token, sizeof token, "%s", next ? next : "");
	json_decref(p);
	req_free(rq);

	const char *const second[] = {"maxResults", "2", "nextToken", token, NULL};
	rq = run(res_list, &widget_all, NULL, NULL, second);
	p = answer(rq);
	CHECK(json_array_size(json_object_get(p, "items")) == 1);
	CHECK(jstr(p, "nextToken") == NULL);
	json_decref(p);
	req_free(rq);

	static const char *const bad[] = {"nextToken", "forged", NULL};
	rq = run(res_list, &widget_all, NULL, NULL, bad);
	CHECK(rq->status == 400 && rq->resp && strstr(rq->resp, "nextToken"));
	req_free(rq);
	static const char *const zero[] = {"maxResults", "0", NULL};
	rq = run(res_list, &widget_all, NULL, NULL, zero);
	CHECK(rq->status == 400 && rq->resp && strstr(rq->resp, "maxResults"));
	req_free(rq);
}

int main(void)
{
	char err[256];
	srv.pool = db_pool_open(":memory:", 1, err, sizeof err);
	if (!srv.pool) {
		fprintf(stderr, "test_res: %s\n", err);
		return 1;
	}
	memset(srv.token_key, 7, sizeof srv.token_key);
	srv.hooks.auto_deploy = record_hook;
	RUN(test_crud);
	RUN(test_validation_and_rollback);
	RUN(test_paging);
	db_pool_close(srv.pool);
	return unit_report("res");
}
