/* fuzz_router.c — libFuzzer target: router_match on a fuzzed method and request target.
 *
 * Input: byte 0 picks the method (GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, or, when its
 * top bit is set, the bytes up to the first '\n' are the method); the rest, cut at the first
 * NUL as libmicrohttpd would hand it over, is the raw path with its query string.
 *
 * Invariants checked (abort = a finding):
 *   - ROUTE_FOUND: the route's method is the one asked for, every parameter of its template
 *     is captured (non-NULL, no NUL inside by construction), none past the template's count;
 *   - ROUTE_NO_METHOD: Allow is non-empty and names only methods of real routes;
 *   - otherwise no parameter is left allocated;
 *   - the Allow buffer is always NUL-terminated within its size.
 * Memory errors and leaks are caught by ASan/LSan. Built by scripts/fuzz. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"};
enum { NMETHODS = sizeof methods / sizeof methods[0] };

static void fail(const char *what, const char *method, const char *path)
{
	fprintf(stderr, "fuzz_router: %s\n  method: %s\n  path: %s\n", what, method, path);
	abort();
}

static unsigned template_params(const char *t)
{
	unsigned n = 0;
	for (const char *p = t; *p; p++)
		n += *p == '{';
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';

	const char *method, *path;
	if (buf[0] & 0x80) {
		char *nl = memchr(buf + 1, '\n', size - 1);
		if (!nl) {
			free(buf);
			return 0;
		}
		*nl = '\0';
		method = buf + 1;
		path = nl + 1;
	} else {
		method = methods[(unsigned char)buf[0] % NMETHODS];
		path = buf + 1;
	}

	const struct route *r = NULL;
	char *params[ROUTE_MAX_PARAMS] = {0};
	char allow[64];
	memset(allow, 'X', sizeof allow);
	enum route_result rr = router_match(method, path, &r, params, allow, sizeof allow);
	if (!memchr(allow, '\0', sizeof allow))
		fail("Allow is not NUL-terminated", method, path);

	switch (rr) {
	case ROUTE_FOUND: {
		if (!r || strcmp(r->method, method) != 0)
			fail("found a route of another method", method, path);
		unsigned want = template_params(r->path);
		char name[64];
		for (unsigned i = 0; i < ROUTE_MAX_PARAMS; i++) {
			int has_name = router_param_name(r, i, name, sizeof name);
			if (i < want && (!params[i] || !has_name))
				fail("a template parameter was not captured", method, path);
			if (i >= want && (params[i] || has_name))
				fail("a parameter past the template's count", method, path);
		}
		break;
	}
	case ROUTE_NO_METHOD: {
		if (!allow[0])
			fail("405 without Allow", method, path);
		char copy[64];
		snprintf(copy, sizeof copy, "%s", allow);
		for (char *save = NULL, *m = strtok_r(copy, ", ", &save); m;
		     m = strtok_r(NULL, ", ", &save)) {
			int known = 0;
			for (size_t i = 0; i < router_count && !known; i++)
				known = strcmp(router_routes[i].method, m) == 0;
			if (!known)
				fail("Allow names a method no route has", method, path);
		}
		/* fall through: no parameter may be left behind */
	}
	/* fall through */
	case ROUTE_NO_PATH:
	case ROUTE_BAD_PATH:
	default:
		for (unsigned i = 0; i < ROUTE_MAX_PARAMS; i++)
			if (params[i])
				fail("a parameter left allocated without a route", method, path);
		break;
	}
	for (unsigned i = 0; i < ROUTE_MAX_PARAMS; i++)
		free(params[i]);
	free(buf);
	return 0;
}
