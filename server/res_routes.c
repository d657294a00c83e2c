/* res_routes.c — not implemented yet: every operation answers NotFoundException naming itself. */
#include "handlers.h"
#include "res_routes.h"
#include "res_apis.h"
#include "router.h"

static const struct jfield route_fields[] = {
	{"routeId", J_STR, .flags = F_SERVER},
	{0},
};

const struct resdef route_def = {
	.name = "Route",
	.kind = "route",
	.id_member = "routeId",
	.id_len = 7,
	.parent = &api_def,
	.fields = route_fields,
};

void route_create(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void route_get(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void route_list(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void route_update(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void route_delete(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void route_request_parameter_delete(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

