/* event.c — CONNECT, MESSAGE and DISCONNECT proxy events (docs/aws-behaviour.md §D4.1). jansson
 * keeps insertion order, so members are added in the order AWS emits them. */
#include "event.h"

#include <stdlib.h>
#include <string.h>

#include "ids.h"

static json_t *multi(json_t *single)
{
	json_t *m = json_object(), *v;
	const char *k;
	json_object_foreach(single, k, v)
		json_object_set_new(m, k, json_pack("[O]", v));
	return m;
}

json_t *gw_event_object(enum gw_event_type ev, const struct gw_stage *s, const struct gw_conn *c,
			const char *route_key, const char *request_id, const char *message_id,
			const char *body, size_t body_len, json_t *headers, json_t *query)
{
	static const char *const types[] = {"CONNECT", "MESSAGE", "DISCONNECT"};
	long long now = gw_now_ms();
	char clf[40];
	gw_time_clf(now, clf, sizeof clf);
	json_t *e = json_object(), *rc = json_object(), *id = json_object();
	json_object_set_new(rc, "routeKey", json_string(route_key));
	if (ev == GW_MESSAGE)
		json_object_set_new(rc, "messageId", json_string(message_id));
	if (ev == GW_DISCONNECT)
		json_object_set_new(rc, "disconnectStatusCode", json_integer(c->disc_code));
	json_object_set_new(rc, "eventType", json_string(types[ev]));
	json_object_set_new(rc, "extendedRequestId", json_string(request_id));
	json_object_set_new(rc, "requestTime", json_string(clf));
	json_object_set_new(rc, "messageDirection", json_string("IN"));
	if (ev == GW_DISCONNECT)
		json_object_set_new(rc, "disconnectReason", json_string(c->disc_reason));
	json_object_set_new(rc, "stage", json_string(s->name));
	json_object_set_new(rc, "connectedAt", json_integer(c->connected_at));
	json_object_set_new(rc, "requestTimeEpoch", json_integer(now));
	if (c->user_agent)
		json_object_set_new(id, "userAgent", json_string(c->user_agent));
	json_object_set_new(id, "sourceIp", json_string(c->source_ip));
	json_object_set_new(rc, "identity", id);
	json_object_set_new(rc, "requestId", json_string(request_id));
	json_object_set_new(rc, "domainName", json_string(c->domain));
	json_object_set_new(rc, "connectionId", json_string(c->id));
	json_object_set_new(rc, "apiId", json_string(s->api_id));
	if (c->authorizer)
		json_object_set(rc, "authorizer", c->authorizer);

	if (ev == GW_CONNECT) {
		json_object_set(e, "headers", headers);
		json_object_set_new(e, "multiValueHeaders", multi(headers));
		if (query && json_object_size(query)) {
			json_t *single = json_object(), *v;
			const char *k;
			json_object_foreach(query, k, v) {
				json_object_set(single, k,
						json_array_get(v, json_array_size(v) - 1));
			}
			json_object_set_new(e, "queryStringParameters", single);
			json_object_set(e, "multiValueQueryStringParameters", query);
		}
	} else if (ev == GW_DISCONNECT) {
		json_t *h = json_pack("{s:s, s:s, s:s, s:s}", "Host", c->domain, "x-api-key", "",
				      "X-Forwarded-For", "", "x-restapi", "");
		json_object_set_new(e, "headers", h);
		json_object_set_new(e, "multiValueHeaders", multi(h));
	}
	if (json_object_size(s->stage_vars))
		json_object_set(e, "stageVariables", s->stage_vars);
	json_object_set_new(e, "requestContext", rc);
	if (ev == GW_MESSAGE)
		json_object_set_new(e, "body", json_stringn(body, body_len));
	json_object_set_new(e, "isBase64Encoded", json_false());
	return e;
}

char *gw_event_build(enum gw_event_type ev, const struct gw_stage *s, const struct gw_conn *c,
		     const char *route_key, const char *request_id, const char *message_id,
		     const char *body, size_t body_len, json_t *headers, json_t *query)
{
	json_t *e = gw_event_object(ev, s, c, route_key, request_id, message_id, body, body_len,
				    headers, query);
	char *text = e ? json_dumps(e, JSON_COMPACT) : NULL;
	json_decref(e);
	return text;
}
