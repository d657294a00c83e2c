/* res_domain_names.c — not implemented yet: every operation answers NotFoundException naming itself. */
#include "handlers.h"
#include "res_domain_names.h"
#include "router.h"

static const struct jfield domain_name_fields[] = {
	{"domainName", J_STR, .flags = F_SERVER},
	{0},
};

const struct resdef domain_name_def = {
	.name = "DomainName",
	.kind = "domain_name",
	.id_member = "domainName",
	.id_len = 0,
	.id_source = "domainName",
	.fields = domain_name_fields,
};

void domain_name_create(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void domain_name_get(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void domain_name_list(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void domain_name_update(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void domain_name_delete(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

