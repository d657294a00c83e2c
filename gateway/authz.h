/* authz.h — $connect REQUEST authorizers (docs/aws-behaviour.md §D9): identity sources, the
 * authorizer Lambda called through the AWS_PROXY Invoke path, the policy's verdict, and the
 * requestContext.authorizer that every later event of the connection carries. */
#ifndef GW_AUTHZ_H
#define GW_AUTHZ_H

#include <jansson.h>

#include "config.h"
#include "conn.h"

#define GW_AUTHZ_TIMEOUT_MS 10000 /* an authorizer's budget (AWS's fixed 10 s) */

/* Authorizes the upgrade c for route ($connect, borrowed from s). headers: the upgrade's
 * headers (name -> string), query: name -> [values]; both borrowed. request_id: the CONNECT's.
 * Returns 0 when the connection may proceed (no CUSTOM authorizer, or Allow), with
 * *authorizer set to a new {"principalId", <context>...} object (NULL when none ran), or the
 * HTTP status refusing it: 401 (identity source missing, or the function failed with
 * "Unauthorized"), 403 (Deny, or no Allow for the route), 500 (any other failure). Blocks for
 * up to GW_AUTHZ_TIMEOUT_MS (runs the Lambda on the calling thread). */
int gw_authz_connect(const struct gw_stage *s, json_t *route, const struct gw_conn *c,
		     const char *request_id, json_t *headers, json_t *query, json_t **authorizer);

#endif
