/* head.c — splits an HTTP/1.x request head (RFC 9112 §2-§5: request line, field lines, no
 * obsolete line folding) keeping the client's header names; percent-decoding by libcurl. */
#include "head.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

size_t gw_head_length(const char *buf, size_t len)
{
	const char *end = memmem(buf, len, "\r\n\r\n", 4);
	return end ? (size_t)(end - buf) + 4 : 0;
}

/* A percent-decoded copy (new), '+' kept as is (a query's '+' is a literal in AWS events). */
static char *unescape(const char *s, size_t n)
{
	int out = 0;
	if (!n) /* curl reads a length of 0 as "up to the NUL" */
		return strdup("");
	char *d = curl_easy_unescape(NULL, s, (int)n, &out);
	char *r = d ? strndup(d, (size_t)out) : NULL;
	curl_free(d);
	return r;
}

static bool is_tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* name -> [values]: appends value. */
static void add_multi(json_t *obj, const char *name, size_t nlen, json_t *value)
{
	json_t *arr = json_object_getn(obj, name, nlen);
	if (!arr) {
		arr = json_array();
		json_object_setn_new(obj, name, nlen, arr);
	}
	json_array_append_new(arr, value);
}

static int parse_query(const char *q, size_t n, json_t *query)
{
	while (n) {
		const char *amp = memchr(q, '&', n);
		size_t part = amp ? (size_t)(amp - q) : n;
		const char *eq = memchr(q, '=', part);
		size_t klen = eq ? (size_t)(eq - q) : part;
		if (klen) {
			char *k = unescape(q, klen);
			char *v = eq ? unescape(eq + 1, part - klen - 1) : strdup("");
			if (!k || !v) {
				free(k);
				free(v);
				return -1;
			}
			add_multi(query, k, strlen(k), json_string(v));
			free(k);
			free(v);
		}
		q += part;
		n -= part;
		if (n) {
			q++;
			n--;
		}
	}
	return 0;
}

int gw_head_parse(const char *buf, size_t len, struct gw_head *h)
{
	memset(h, 0, sizeof *h);
	h->headers = json_object();
	h->multi = json_object();
	h->query = json_object();
	const char *p = buf, *end = buf + len - 2; /* the final CRLF ends the head */
	const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
	const char *sp1 = eol ? memchr(p, ' ', (size_t)(eol - p)) : NULL;
	const char *sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
	bool upgrade_ws = false;
	if (!h->headers || !h->multi || !h->query || !sp2 ||
	    (size_t)(sp1 - p) >= sizeof h->method || sp1 == p || sp1[1] != '/' ||
	    strncmp(sp2 + 1, "HTTP/1.", 7))
		goto fail;
	snprintf(h->method, sizeof h->method, "%.*s", (int)(sp1 - p), p);
	const char *target = sp1 + 1, *qm = memchr(target, '?', (size_t)(sp2 - target));
	size_t plen = (size_t)((qm ? qm : sp2) - target);
	char *path = unescape(target, plen);
	if (!path || strlen(path) >= sizeof h->path) {
		free(path);
		goto fail;
	}
	snprintf(h->path, sizeof h->path, "%s", path);
	free(path);
	if (qm && parse_query(qm + 1, (size_t)(sp2 - qm - 1), h->query))
		goto fail;
	for (p = eol + 2; p < end; p = eol + 2) {
		eol = memmem(p, (size_t)(end + 2 - p), "\r\n", 2);
		const char *colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon || colon == p)
			goto fail;
		for (const char *c = p; c < colon; c++)
			if (!is_tchar(*c))
				goto fail;
		const char *v = colon + 1, *ve = eol;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		size_t nlen = (size_t)(colon - p);
		json_t *val = json_stringn(v, (size_t)(ve - v));
		if (!val) /* not UTF-8: not a head this splitter takes */
			goto fail;
		json_object_setn(h->headers, p, nlen, val);
		add_multi(h->multi, p, nlen, val);
		if (nlen == 4 && !strncasecmp(p, "host", 4))
			snprintf(h->host, sizeof h->host, "%.*s", (int)(ve - v), v);
		if (nlen == 7 && !strncasecmp(p, "upgrade", 7) && ve - v == 9 &&
		    !strncasecmp(v, "websocket", 9))
			upgrade_ws = true;
	}
	h->upgrade = upgrade_ws && !strcmp(h->method, "GET");
	return 0;
fail:
	gw_head_release(h);
	return -1;
}

void gw_head_release(struct gw_head *h)
{
	json_decref(h->headers);
	json_decref(h->multi);
	json_decref(h->query);
	h->headers = h->multi = h->query = NULL;
}
