/* res_deployments.c — not implemented yet: every operation answers NotFoundException naming itself. */
#include "handlers.h"
#include "res_deployments.h"
#include "res_apis.h"
#include "res.h"
#include "router.h"

static const struct jfield deployment_fields[] = {
	{"deploymentId", J_STR, .flags = F_SERVER},
	{0},
};

const struct resdef deployment_def = {
	.name = "Deployment",
	.kind = "deployment",
	.id_member = "deploymentId",
	.id_len = 6,
	.parent = &api_def,
	.fields = deployment_fields,
};

void deployment_create(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void deployment_get(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void deployment_list(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void deployment_update(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void deployment_delete(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

/* No deployments yet, so nothing to auto-deploy. */
enum err res_config_changed(struct rctx *c)
{
	(void)c;
	return E_OK;
}
