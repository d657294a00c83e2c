/* event.h — the Lambda proxy event of docs/aws-behaviour.md §D4.1, members in AWS's order. */
#ifndef GW_EVENT_H
#define GW_EVENT_H

#include <jansson.h>
#include <stddef.h>

#include "config.h"
#include "conn.h"
#include "integ.h"

/* Returns the event as compact JSON text (new), or NULL out of memory. headers: the upgrade's
 * headers (object name -> string, CONNECT only, borrowed); query: name -> array of values
 * (CONNECT only, NULL or empty when no query string). message_id only for MESSAGE. */
/* The same event as a JSON object (new reference), or NULL out of memory. */
json_t *gw_event_object(enum gw_event_type ev, const struct gw_stage *s, const struct gw_conn *c,
			const char *route_key, const char *request_id, const char *message_id,
			const char *body, size_t body_len, json_t *headers, json_t *query);
char *gw_event_build(enum gw_event_type ev, const struct gw_stage *s, const struct gw_conn *c,
		     const char *route_key, const char *request_id, const char *message_id,
		     const char *body, size_t body_len, json_t *headers, json_t *query);

#endif
