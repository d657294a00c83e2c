/* connect.c — $connect off the event loop: stage lookup, identity, authorizer (authz.c) and the
 * $connect integration (integ.c, performed on the calling thread). */
#include "connect.h"

#include <jansson.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "authz.h"
#include "config.h"
#include "event.h"
#include "ids.h"
#include "integ.h"
#include "transform.h"

int gw_target(const char *host, const char *path, char *api, size_t asz, char *stage, size_t ssz,
	      const char **rest)
{
	const char *p = path;
	const char *dot = strstr(host, ".execute-api.");
	while (*p == '/')
		p++;
	if (dot && (size_t)(dot - host) < asz) {
		snprintf(api, asz, "%.*s", (int)(dot - host), host);
	} else {
		const char *s = strchr(p, '/');
		if (!s || s == p || (size_t)(s - p) >= asz)
			return -1;
		snprintf(api, asz, "%.*s", (int)(s - p), p);
		p = s + 1;
	}
	const char *e = strchr(p, '/');
	size_t n = e ? (size_t)(e - p) : strlen(p);
	if (!n || n >= ssz)
		return -1;
	snprintf(stage, ssz, "%.*s", (int)n, p);
	*rest = p + n;
	return 0;
}

size_t gw_connect_refusal(unsigned status, char *buf, size_t size)
{
	static const struct {
		unsigned status;
		const char *reason, *type, *body;
	} known[] = {
		{400, "Bad Request", NULL, "{\"message\":\"Bad request\"}"},
		{401, "Unauthorized", "UnauthorizedException", "{\"message\":\"Unauthorized\"}"},
		{403, "Forbidden", "ForbiddenException", "{\"message\":\"Forbidden\"}"},
		{500, "Internal Server Error", NULL, "{\"message\":\"Internal server error\"}"},
	};
	const char *reason = "Refused", *type = NULL, *body = "";
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
		if (known[i].status == status) {
			reason = known[i].reason;
			type = known[i].type;
			body = known[i].body;
		}
	int n = snprintf(buf, size,
			 "HTTP/1.1 %u %s\r\nContent-Type: application/json\r\n%s%s%s"
			 "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
			 status, reason, type ? "x-amzn-ErrorType: " : "", type ? type : "",
			 type ? "\r\n" : "", strlen(body), body);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

int gw_connect_decide(const struct gw_head *h, const char *peer, struct gw_conn *c,
		      struct gw_connect_stats *st)
{
	char api[64], stage[160], rid[GW_ID_LEN + 1];
	const char *rest = "";
	struct gw_stage *s = NULL;
	struct gw_job *j = NULL;
	char *event = NULL;
	json_t *headers = json_deep_copy(h->headers);
	int ret = 500;
	memset(c, 0, sizeof *c);
	st->integration = -1;
	st->latency_ms = 0;
	if (!headers)
		goto out;
	if (gw_target(h->host, h->path, api, sizeof api, stage, sizeof stage, &rest) ||
	    (rest[0] && strcmp(rest, "/")) || !(s = gw_config_get(api, stage)) || s->disabled) {
		ret = 403;
		goto out;
	}
	gw_id_new(c->id);
	gw_id_new(rid);
	snprintf(c->api_id, sizeof c->api_id, "%s", api);
	snprintf(c->stage, sizeof c->stage, "%s", stage);
	snprintf(c->domain, sizeof c->domain, "%s", h->host);
	snprintf(c->source_ip, sizeof c->source_ip, "%s",
		 strncmp(peer, "::ffff:", 7) ? peer : peer + 7); /* IPv4 through an IPv6 socket */
	const char *ua = NULL, *k;
	json_t *v;
	json_object_foreach(h->headers, k, v) {
		if (!strcasecmp(k, "User-Agent"))
			ua = json_string_value(v);
	}
	if (ua && !(c->user_agent = strdup(ua)))
		goto out;
	c->connected_at = c->last_active = gw_now_ms();
	json_t *route = gw_stage_route(s, "$connect");
	if (route) {
		/* §D4.1: the client's headers as sent, then what API Gateway adds. */
		unsigned char rnd[12];
		char trace[64];
		int tn = snprintf(trace, sizeof trace, "Root=1-%08llx-",
				  (long long)(c->connected_at / 1000));
		if (RAND_bytes(rnd, sizeof rnd) != 1)
			goto out;
		for (size_t i = 0; i < sizeof rnd; i++)
			tn += snprintf(trace + tn, sizeof trace - (size_t)tn, "%02x", rnd[i]);
		json_object_set_new(headers, "X-Amzn-Trace-Id", json_string(trace));
		json_object_set_new(headers, "X-Forwarded-For", json_string(c->source_ip));
		json_object_set_new(headers, "X-Forwarded-Port", json_string("443"));
		json_object_set_new(headers, "X-Forwarded-Proto", json_string("https"));
		int refused = gw_authz_connect(s, route, c, rid, headers, h->query, &c->authorizer);
		if (refused) {
			ret = refused;
			goto out;
		}
		const char *type = json_string_value(
			json_object_get(json_object_get(route, "integration"), "integrationType"));
		bool proxy = type && !strcmp(type, "AWS_PROXY"), err = false;
		event = proxy ? gw_event_build(GW_CONNECT, s, c, "$connect", rid, NULL, NULL, 0,
					       headers, h->query)
			      : strdup("");
		j = event ? gw_integ_prepare(s, route, GW_CONNECT, c->id, rid, event, strlen(event),
					     proxy ? NULL : headers, &err)
			  : NULL;
		if (!event || err)
			goto out;
		if (j) {
			gw_integ_perform(j);
			int status = gw_transform_connect_status(j);
			st->integration = status >= 500;
			st->latency_ms = j->latency_ms;
			if (status < 200 || status > 299) {
				ret = status;
				goto out;
			}
		}
	}
	ret = 0;
out:
	if (ret)
		gw_conn_clear(c);
	free(event);
	gw_job_free(j);
	json_decref(headers);
	gw_stage_release(s);
	return ret;
}
