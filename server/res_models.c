/* res_models.c — not implemented yet: every operation answers NotFoundException naming itself. */
#include "handlers.h"
#include "res_models.h"
#include "res_apis.h"
#include "router.h"

static const struct jfield model_fields[] = {
	{"modelId", J_STR, .flags = F_SERVER},
	{0},
};

const struct resdef model_def = {
	.name = "Model",
	.kind = "model",
	.id_member = "modelId",
	.id_len = 10,
	.parent = &api_def,
	.fields = model_fields,
};

void model_create(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void model_get(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void model_list(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void model_update(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void model_delete(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void model_template_get(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

