/* res_authorizers.c — not implemented yet: every operation answers NotFoundException naming itself. */
#include "handlers.h"
#include "res_authorizers.h"
#include "res_apis.h"
#include "router.h"

static const struct jfield authorizer_fields[] = {
	{"authorizerId", J_STR, .flags = F_SERVER},
	{0},
};

const struct resdef authorizer_def = {
	.name = "Authorizer",
	.kind = "authorizer",
	.id_member = "authorizerId",
	.id_len = 10,
	.parent = &api_def,
	.fields = authorizer_fields,
};

void authorizer_create(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void authorizer_get(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void authorizer_list(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void authorizer_update(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void authorizer_delete(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

