/* mgmt.c — PostToConnection, GetConnection, DeleteConnection with the management API's codes
 * (docs/aws-behaviour.md §D1.2): 410 GoneException for an unknown or closed id. */
#include "mgmt.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "http.h"
#include "ids.h"

static int gone(struct lws *wsi)
{
	static const char body[] = "{\"message\":null}";
	return gw_http_reply(wsi, 410, "application/json", "GoneException", body, sizeof body - 1);
}

int gw_mgmt_handle(struct lws *wsi, enum gw_method m, const char *api_id, const char *stage,
		   const char *id, const char *body, size_t len, int too_big)
{
	struct gw_conn *c = gw_conn_find(id);
	if (c && (strcmp(c->api_id, api_id) || strcmp(c->stage, stage) || c->close_code))
		c = NULL;
	if (m == GW_POST && too_big) {
		static const char msg[] = "{\"message\":\"Request entity too large\"}";
		return gw_http_reply(wsi, 413, "application/json", "PayloadTooLargeException", msg,
				     sizeof msg - 1);
	}
	if (!c)
		return gone(wsi);
	switch (m) {
	case GW_POST:
		if (gw_conn_send(c, body ? body : "", len) != 0)
			return gw_http_reply(wsi, 429, "application/json", "LimitExceededException",
					     "{}", 2);
		c->last_active = gw_now_ms(); /* §D2.3: pushes count as activity */
		return gw_http_reply(wsi, 200, NULL, NULL, NULL, 0);
	case GW_DELETE:
		snprintf(c->disc_reason, sizeof c->disc_reason, "Connection Closed Normally");
		c->disc_code = 1000;
		gw_conn_close(c, 1000, "");
		return gw_http_reply(wsi, 204, NULL, NULL, NULL, 0);
	case GW_GET: {
		char at[40], last[40];
		gw_time_iso(c->connected_at, at, sizeof at);
		gw_time_iso(c->last_active, last, sizeof last);
		json_t *id_o = json_object();
		json_object_set_new(id_o, "sourceIp", json_string(c->source_ip));
		if (c->user_agent)
			json_object_set_new(id_o, "userAgent", json_string(c->user_agent));
		json_t *doc = json_pack("{s:s, s:o, s:s}", "connectedAt", at, "identity", id_o,
					"lastActiveAt", last);
		char *text = json_dumps(doc, JSON_COMPACT);
		json_decref(doc);
		int rc = gw_http_reply(wsi, 200, "application/json", NULL, text ? text : "{}",
				       text ? strlen(text) : 2);
		free(text);
		return rc;
	}
	default:
		return gw_http_reply(wsi, 405, "application/json", "MethodNotAllowedException",
				     "{\"message\":\"Method not allowed\"}", 32);
	}
}
