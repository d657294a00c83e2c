/* res_route_responses.c — not implemented yet: every operation answers NotFoundException naming itself. */
#include "handlers.h"
#include "res_route_responses.h"
#include "res_routes.h"
#include "router.h"

static const struct jfield route_response_fields[] = {
	{"routeResponseId", J_STR, .flags = F_SERVER},
	{0},
};

const struct resdef route_response_def = {
	.name = "RouteResponse",
	.kind = "route_response",
	.id_member = "routeResponseId",
	.id_len = 6,
	.parent = &route_def,
	.fields = route_response_fields,
};

void route_response_create(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void route_response_get(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void route_response_list(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void route_response_update(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void route_response_delete(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

