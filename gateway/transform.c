/* transform.c — identity request transform and passthrough response selection (the seam of
 * docs/gateway.md "Mapping templates"). */
#include "transform.h"

#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

char *gw_transform_request(const struct gw_stage *s, json_t *route, const char *msg, size_t len,
			   size_t *out_len)
{
	(void)s, (void)route;
	char *out = malloc(len + 1);
	if (!out)
		return NULL;
	memcpy(out, msg, len);
	out[len] = '\0';
	*out_len = len;
	return out;
}

/* The Lambda proxy result as an object, or NULL when the call failed or it is not one. */
static json_t *proxy_result(const struct gw_job *j)
{
	if (j->outcome != GW_OK || j->function_error || j->status < 200 || j->status > 299)
		return NULL;
	json_t *r = json_loadb(j->resp ? j->resp : "", j->resp_len, JSON_DECODE_ANY, NULL);
	if (!json_is_object(r)) {
		json_decref(r);
		return NULL;
	}
	return r;
}

int gw_transform_response(const struct gw_job *j, char **frame, size_t *len)
{
	*frame = NULL;
	*len = 0;
	if (j->outcome != GW_OK)
		return -1;
	if (strcmp(j->type, "AWS_PROXY") != 0) {
		if (!j->two_way)
			return 0;
		*frame = malloc(j->resp_len + 1);
		if (!*frame)
			return -1;
		memcpy(*frame, j->resp ? j->resp : "", j->resp_len);
		*len = j->resp_len;
		return 1;
	}
	json_t *r = proxy_result(j);
	if (!r)
		return -1;
	int ret = 0;
	json_t *body = json_object_get(r, "body");
	if (j->two_way && json_is_string(body)) {
		const char *b = json_string_value(body);
		size_t n = json_string_length(body);
		if (json_is_true(json_object_get(r, "isBase64Encoded"))) {
			*frame = malloc(n / 4 * 3 + 4);
			int d = *frame ? EVP_DecodeBlock((unsigned char *)*frame,
							 (const unsigned char *)b, (int)n)
				       : -1;
			if (d < 0) {
				free(*frame);
				*frame = NULL;
				ret = -1;
				goto out;
			}
			while (d > 0 && n > 0 && b[n - 1] == '=') /* EVP counts padding */
				d--, n--;
			*len = (size_t)d;
		} else {
			*frame = strdup(b);
			*len = n;
		}
		ret = *frame ? 1 : -1;
	}
out:
	json_decref(r);
	return ret;
}

int gw_transform_connect_status(const struct gw_job *j)
{
	if (j->outcome == GW_TIMEOUT)
		return 504;
	if (strcmp(j->type, "AWS_PROXY") != 0)
		return j->outcome == GW_OK ? (int)j->status : 500;
	if (j->outcome != GW_OK)
		return 500;
	json_t *r = proxy_result(j);
	if (!r)
		return 502;
	json_t *sc = json_object_get(r, "statusCode");
	int st = json_is_integer(sc) ? (int)json_integer_value(sc) : 200;
	json_decref(r);
	return st;
}
