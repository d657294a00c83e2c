/* unsupported.c — operations of the apigatewayv2 model apigwd does not serve (developer portals,
 * routing rules): a clear NotFoundException naming the operation, never a bare 404. */
#include "handlers.h"
#include "route.h"

void op_unsupported(struct req *rq)
{
	reply_errf(rq, E_NOT_FOUND, "Operation %s is not supported by apigwd", rq->route->op);
}
