/* metrics.c — not implemented yet: every operation answers NotFoundException naming itself. */
#include "handlers.h"
#include "router.h"

void ops_metrics(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

