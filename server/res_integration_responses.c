/* res_integration_responses.c — not implemented yet: every operation answers NotFoundException naming itself. */
#include "handlers.h"
#include "res_integration_responses.h"
#include "res_integrations.h"
#include "router.h"

static const struct jfield integration_response_fields[] = {
	{"integrationResponseId", J_STR, .flags = F_SERVER},
	{0},
};

const struct resdef integration_response_def = {
	.name = "IntegrationResponse",
	.kind = "integration_response",
	.id_member = "integrationResponseId",
	.id_len = 6,
	.parent = &integration_def,
	.fields = integration_response_fields,
};

void integration_response_create(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void integration_response_get(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void integration_response_list(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void integration_response_update(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void integration_response_delete(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

