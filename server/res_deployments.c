/* res_deployments.c — not implemented yet: every operation answers NotFoundException naming itself. */
#include "handlers.h"
#include "res.h"
#include "router.h"

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
