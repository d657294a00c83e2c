/* res_import.c — not implemented yet: every operation answers NotFoundException naming itself. */
#include "handlers.h"
#include "router.h"
#include "res_import.h"

void api_import(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void api_reimport(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void api_export(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

/* HTTP quick create (CreateApi with target): not built yet, so nothing is created. */
enum err api_quick_create(struct rctx *c, bool created)
{
	(void)c;
	(void)created;
	return E_OK;
}
