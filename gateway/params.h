/* params.h — an integration's requestParameters (docs/aws-behaviour.md §D4.6):
 * integration.request.{header,querystring,path}.NAME mapped from route.request.header.X,
 * .querystring.X, .multivalueheader.X, .multivaluequerystring.X ($connect only),
 * route.request.body.<JSONPath>, context.<var>, stageVariables.<name> or 'literal'. Used for
 * HTTP_PROXY now, and meant for the non-proxy HTTP integration too. */
#ifndef GW_PARAMS_H
#define GW_PARAMS_H

#include <jansson.h>

#include "config.h"
#include "conn.h"
#include "integ.h"

/* What a mapping may read. Every pointer is borrowed; NULL when not there. */
struct gw_params_in {
	const struct gw_stage *s; /* the stage (stageVariables) */
	const struct gw_conn *c;  /* the connection (context.*) */
	const char *event_type;	  /* "CONNECT", "MESSAGE", "DISCONNECT" */
	const char *route_key;	  /* context.routeKey */
	const char *request_id;	  /* context.requestId */
	const char *message_id;	  /* context.messageId (MESSAGE) */
	json_t *headers;	  /* $connect: name -> value (any case) */
	json_t *query;		  /* $connect: name -> [values] */
	const char *body;	  /* the message (MESSAGE), parsed only when a source reads it */
	size_t body_len;	  /* its length */
	json_t *parsed;		  /* internal: the parsed body, owned by gw_params_apply */
};

/* Applies route's integration requestParameters to j: headers are added to j->headers, query
 * parameters appended to j->url (URL-encoded), {NAME} in j->url replaced by path parameters.
 * A source that resolves to nothing is left out. Returns 0, -1 out of memory. */
int gw_params_apply(struct gw_job *j, json_t *route, const struct gw_params_in *in);

/* The value of one source expression (as above), a new string, or NULL when it resolves to
 * nothing. in->parsed must be the parsed body (or NULL) for body sources. */
char *gw_params_value(const char *src, const struct gw_params_in *in);

#endif
