/* console.c — not implemented yet: every operation answers NotFoundException naming itself. */
#include "handlers.h"
#include "router.h"

void console_index(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

void console_file(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not implemented yet", rq->route->op);
}

