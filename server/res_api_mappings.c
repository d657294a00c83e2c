/* res_api_mappings.c — not implemented yet: every operation answers NotFoundException naming itself. */
#include "handlers.h"
#include "res_api_mappings.h"
#include "res_domain_names.h"
#include "router.h"

static const struct jfield api_mapping_fields[] = {
	{"apiMappingId", J_STR, .flags = F_SERVER},
	{0},
};

const struct resdef api_mapping_def = {
	.name = "ApiMapping",
	.kind = "api_mapping",
	.id_member = "apiMappingId",
	.id_len = 10,
	.parent = &domain_name_def,
	.fields = api_mapping_fields,
};

void api_mapping_create(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void api_mapping_get(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void api_mapping_list(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void api_mapping_update(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void api_mapping_delete(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

