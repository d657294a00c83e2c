/* transform.h — the seam where mapping templates drop in (docs/aws-behaviour.md §D5, §D6): the
 * per-integration request transform and the response selection. Identity and passthrough for
 * now; the mapping-template issue replaces the bodies, not the callers. */
#ifndef GW_TRANSFORM_H
#define GW_TRANSFORM_H

#include <jansson.h>
#include <stddef.h>

#include "config.h"
#include "integ.h"

/* The payload of route's (non-Lambda-proxy) integration for a message. Returns new text (and
 * *out_len), or NULL: the request cannot be transformed (an integration failure). */
char *gw_transform_request(const struct gw_stage *s, json_t *route, const char *msg, size_t len,
			   size_t *out_len);

/* What the client receives for a completed message job (§D4.2, §D6.3): 1 with *frame (new) and
 * *len set, 0 for no frame, -1 for an integration failure (Internal server error frame). */
int gw_transform_response(const struct gw_job *j, char **frame, size_t *len);

/* The HTTP status a completed $connect job answers with (§D2.1): the proxy statusCode or the
 * backend's status; 502 for a Lambda error or a malformed result; 504 on timeout. */
int gw_transform_connect_status(const struct gw_job *j);

#endif
