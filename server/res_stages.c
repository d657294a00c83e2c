/* res_stages.c — not implemented yet: every operation answers NotFoundException naming itself. */
#include "handlers.h"
#include "res_stages.h"
#include "res_apis.h"
#include "router.h"

static const struct jfield stage_fields[] = {
	{"stageName", J_STR, .flags = F_SERVER},
	{0},
};

const struct resdef stage_def = {
	.name = "Stage",
	.kind = "stage",
	.id_member = "stageName",
	.id_len = 0,
	.id_source = "stageName",
	.parent = &api_def,
	.fields = stage_fields,
};

void stage_create(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void stage_get(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void stage_list(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void stage_update(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void stage_delete(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void stage_access_log_settings_delete(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void stage_route_settings_delete(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void stage_authorizers_cache_reset(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

