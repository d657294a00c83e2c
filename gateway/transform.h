/* transform.h — the integration request and the answer to the client (docs/aws-behaviour.md
 * §D4.2, §D5, §D6): request-template selection and passthrough, rendering through the mapping
 * template engine (vtl/, docs/vtl.md), integration-response selection, response templates and
 * route responses. Any thread, for a connection that thread may read (the event loop's, or the
 * one a $connect decision builds, connect.c). */
#ifndef GW_TRANSFORM_H
#define GW_TRANSFORM_H

#include <jansson.h>
#include <stddef.h>

#include "config.h"
#include "conn.h"
#include "integ.h"

/* What a mapping template sees of one request: $context, $input and $stageVariables (§D7). */
struct gw_xform {
	const struct gw_stage *s; /* borrowed */
	const struct gw_conn *c;  /* borrowed */
	enum gw_event_type ev;	  /* CONNECT, MESSAGE or DISCONNECT */
	const char *route_key;	  /* the route selected */
	const char *request_id;	  /* requestId = extendedRequestId */
	const char *message_id;	  /* MESSAGE only, else NULL */
	const char *body;	  /* the client's frame (MESSAGE), or NULL */
	size_t body_len;	  /* its length */
	json_t *headers;	  /* CONNECT: the upgrade's headers, else NULL */
	json_t *query;		  /* CONNECT: name -> [values], else NULL */
};

enum gw_xform_outcome {
	GW_XFORM_OK,	      /* *out is the integration's payload */
	GW_XFORM_UNSUPPORTED, /* passthrough refused (§D5): the Unsupported Media Type frame */
	GW_XFORM_FAILED,      /* a template failed or memory ran out: an integration failure */
};

/* The payload of a non-proxy integration (HTTP, AWS, MOCK; route's "integration") for x
 * (§D5): the request template chosen by the templateSelectionExpression, rendered, or the
 * body passed through as passthroughBehavior allows; then contentHandlingStrategy. On
 * GW_XFORM_OK, *out is new (NUL-terminated) and *out_len its length. HTTP_PROXY passes the body
 * through unchanged. */
enum gw_xform_outcome gw_transform_request(const struct gw_xform *x, json_t *route, char **out,
					   size_t *out_len);

/* Maps route's integration requestParameters (§D4.6) onto the prepared job j: headers,
 * query string and path parameters from the upgrade (at $connect), the message, $context and
 * stage variables. Returns 0, -1 when the job cannot be called any more (out of memory). */
int gw_transform_params(const struct gw_xform *x, json_t *route, struct gw_job *j);

/* What the console shows for a sample message (docs/gateway.md "Template preview"): which request
 * template of the integration integ (an Integration as GetIntegration renders it, camelCase) §D5
 * selects for input.body, and its rendering with input.stageVariables and input.context (replacing
 * members of a message-like $context). Returns a new object {templateKey, outcome
 * (TEMPLATE|PASSTHROUGH|UNSUPPORTED_MEDIA_TYPE|FAILED), template?, output?, error?{line,
 * column, message}}. Pure: any thread. */
json_t *gw_transform_preview(json_t *integ, const json_t *input);

/* What the client receives for a completed message job (§D4.2, §D6): 1 with *frame (new) and
 * *len set, 0 for no frame, -1 for an integration failure (Internal server error frame). x
 * describes the request (its connection still open); non-proxy jobs carry their stage and
 * route (integ.h). */
int gw_transform_response(const struct gw_xform *x, const struct gw_job *j, char **frame,
			  size_t *len);

/* The HTTP status a completed $connect job answers with (§D2.1): the proxy statusCode or the
 * backend's status (MOCK: the template's statusCode); 502 for a Lambda error or a malformed
 * result; 504 on timeout. */
int gw_transform_connect_status(const struct gw_job *j);

#endif
