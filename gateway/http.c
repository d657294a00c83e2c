/* http.c — writes one whole HTTP answer with libwebsockets' header helpers. */
#include "http.h"

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

int gw_http_reply(struct lws *wsi, unsigned status, const char *ctype, const char *etype,
		  const char *body, size_t len)
{
	unsigned char head[LWS_PRE + 1024], *p = head + LWS_PRE, *end = head + sizeof head - 1;
	if (lws_add_http_common_headers(wsi, status, ctype, (lws_filepos_t)len, &p, end))
		return -1;
	if (etype &&
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"x-amzn-ErrorType:",
					(const unsigned char *)etype, (int)strlen(etype), &p, end))
		return -1;
	if (lws_finalize_write_http_header(wsi, head + LWS_PRE, &p, end))
		return -1;
	if (len) {
		unsigned char *b = malloc(LWS_PRE + len);
		if (!b)
			return -1;
		memcpy(b + LWS_PRE, body, len);
		int n = lws_write(wsi, b + LWS_PRE, len, LWS_WRITE_HTTP_FINAL);
		free(b);
		if (n < 0)
			return -1;
	}
	return lws_http_transaction_completed(wsi) ? -1 : 0;
}
