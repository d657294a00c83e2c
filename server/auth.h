/* auth.h — who is calling: the account and region of each request, and under --auth sigv4 the
 * proof of it (an AWS Signature Version 4 by a key of `apigwd credentials create`). */
#ifndef APIGWD_AUTH_H
#define APIGWD_AUTH_H

#include <stdbool.h>

struct req;

/* The SigV4 service name the AWS CLI and SDKs sign apigatewayv2 requests for. */
#define AUTH_SERVICE "apigateway"

/* Sets rq->account, rq->region and rq->scope, or answers and returns false.
 *
 * --auth none (or a route auth_exempt() names): nothing is verified. The region is the SigV4
 * credential scope's when the request carries one, else --region; the account is the access
 * key id when it is 12 digits (the convention of local AWS emulators), else --account-id.
 *
 * --auth sigv4: the request must carry a valid signature, in the Authorization header or as a
 * presigned URL's X-Amz-* query parameters, by a stored access key, dated within 15 minutes
 * of the server's clock, for service "apigateway". The account is the key's, the region the
 * credential scope's. X-Amz-Security-Token is accepted and ignored. Otherwise a 403 with the
 * error AWS sends: MissingAuthenticationTokenException (no signature at all),
 * IncompleteSignatureException (a part missing or malformed), UnrecognizedClientException
 * (unknown access key), InvalidSignatureException (wrong signature, scope or time).
 * Called once the whole body has arrived (the payload hash covers it). */
bool auth_resolve_or_reply(struct req *rq);

/* Whether the request's route is never SigV4-checked nor rate-limited (its row carries
 * ROUTE_NO_AUTH: the data plane, with its own bearer token, /_apigwd/health, /metrics and the
 * console, which signs its own /v2/ calls). A request that matched no route is checked. */
bool auth_exempt(const struct req *rq);

/* With --dataplane-token, a route carrying ROUTE_DATAPLANE needs "Authorization: Bearer
 * TOKEN"; otherwise answers 401 and returns false. */
bool auth_dataplane_or_reply(struct req *rq);

#endif
