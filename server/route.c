/* route.c — path-template matching for the route table (route.h). */
#include "route.h"

#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The next '/'-separated segment of *p: sets *seg and *len, advances *p past it. Returns false
 * at the end of the string. Both paths start with '/'. */
static bool next_segment(const char **p, const char **seg, size_t *len)
{
	if (**p != '/')
		return false;
	*seg = *p + 1;
	*len = strcspn(*seg, "/");
	*p = *seg + *len;
	return true;
}

static bool is_param(const char *seg, size_t len)
{
	return len > 2 && seg[0] == '{' && seg[len - 1] == '}';
}

bool route_template_match(const char *tmpl, const char *path, size_t pathlen,
			  char *params[ROUTE_MAX_PARAMS])
{
	char buf[2048];
	const char *tp = tmpl, *ts, *ps;
	size_t tl, pl;
	unsigned np = 0;
	if (pathlen >= sizeof buf)
		return false;
	memcpy(buf, path, pathlen);
	buf[pathlen] = '\0';
	const char *pp = buf;
	for (;;) {
		bool more_t = next_segment(&tp, &ts, &tl);
		bool more_p = next_segment(&pp, &ps, &pl);
		if (!more_t || !more_p)
			return more_t == more_p;
		if (is_param(ts, tl)) {
			if (pl == 0)
				return false;
			if (params) {
				char *v = strndup(ps, pl);
				if (!v || np >= ROUTE_MAX_PARAMS) {
					free(v);
					return false;
				}
				params[np++] = v;
				/* %00 would cut the value short: refuse the path. */
				if (MHD_http_unescape(v) != strlen(v))
					return false;
			}
		} else if (tl != pl || memcmp(ts, ps, tl) != 0) {
			return false;
		}
	}
}

bool route_param_name(const char *tmpl, unsigned i, char *buf, size_t len)
{
	const char *tp = tmpl, *ts;
	size_t tl;
	unsigned n = 0;
	while (next_segment(&tp, &ts, &tl)) {
		if (!is_param(ts, tl))
			continue;
		if (n++ == i) {
			snprintf(buf, len, "%.*s", (int)(tl - 2), ts + 1);
			return true;
		}
	}
	return false;
}
