/* res_vpclinks.c — not implemented yet: every operation answers NotFoundException naming itself. */
#include "handlers.h"
#include "res_vpclinks.h"
#include "router.h"

static const struct jfield vpclink_fields[] = {
	{"vpcLinkId", J_STR, .flags = F_SERVER},
	{0},
};

const struct resdef vpclink_def = {
	.name = "VpcLink",
	.kind = "vpclink",
	.id_member = "vpcLinkId",
	.id_len = 10,
	
	.fields = vpclink_fields,
};

void vpclink_create(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void vpclink_get(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void vpclink_list(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void vpclink_update(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void vpclink_delete(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

