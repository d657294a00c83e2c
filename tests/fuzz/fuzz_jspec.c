/* fuzz_jspec.c — libFuzzer target: request validation through the field tables.
 *
 * Input: byte 0 picks the table (Api, Integration, Route, Stage, Deployment, IntegrationResponse,
 * RouteResponse), the mode (create/update) and the protocol (HTTP/WEBSOCKET); the rest is the
 * request body, parsed as http.c parses it (json_loadb, duplicate keys refused). Then, as the
 * resource engine does: jspec_parse → (update: jspec_merge into a copy of the previous stored
 * doc) → jspec_render, and the answer is serialised.
 *
 * Invariants checked (abort = a finding):
 *   - a refused request is a 400 with a non-empty, NUL-terminated message;
 *   - an accepted doc holds only members of the table that the mode accepts, never a
 *     server-assigned one;
 *   - the rendered answer serialises (json_dumps succeeds) and its text parses back;
 *   - the accepted create doc, rendered, validates again as an update (a client that PATCHes
 *     back what it read is not refused for members apigwd itself produced).
 * Built by scripts/fuzz with clang -fsanitize=fuzzer,address,undefined. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jspec.h"
#include "res_apis.h"
#include "res_deployments.h"
#include "res_integration_responses.h"
#include "res_integrations.h"
#include "res_route_responses.h"
#include "res_routes.h"
#include "res_stages.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct jfield *const tables[] = {
	api_fields,	   integration_fields,		route_fields,	       stage_fields,
	deployment_fields, integration_response_fields, route_response_fields,
};
enum { NTABLES = sizeof tables / sizeof tables[0] };

static void fail(const char *what, const json_t *in)
{
	char *text = in ? json_dumps(in, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	fprintf(stderr, "fuzz_jspec: %s\n  input: %s\n", what, text ? text : "(unprintable)");
	free(text);
	abort();
}

static void check_error(const struct apierr *e, const json_t *in)
{
	if (e->code != E_BAD_REQUEST)
		fail("a refused request is not a 400", in);
	if (memchr(e->msg, '\0', sizeof e->msg) == NULL || e->msg[0] == '\0')
		fail("a refusal without a message", in);
}

/* Every member of doc is a row of the table that `accept` lets in, and not F_SERVER. */
static void check_members(const struct jfield *t, const json_t *doc, unsigned accept,
			  const json_t *in)
{
	const char *k;
	json_t *v;
	json_object_foreach((json_t *)doc, k, v) {
		const struct jfield *f = jspec_field(t, k);
		if (!f || (f->flags & F_SERVER) || !(f->flags & accept))
			fail("the accepted doc holds a member the table does not accept", in);
		if (json_is_null(v))
			fail("the accepted doc holds a null", in);
	}
}

/* Serialises the rendered answer and parses the text back, as a client would. */
static void check_render(const json_t *out, const json_t *in)
{
	char *text = json_dumps(out, JSON_COMPACT);
	if (!text)
		fail("the rendered answer does not serialise", in);
	json_error_t je;
	json_t *back = json_loads(text, JSON_REJECT_DUPLICATES, &je);
	if (!back || !json_equal(back, out))
		fail("the rendered answer does not parse back to itself", in);
	json_decref(back);
	free(text);
}

/* A plausible stored doc to merge updates into: the create-side rendering of {}. */
static json_t *previous(const struct jfield *t, unsigned proto)
{
	json_t *empty = json_object();
	json_t *out = jspec_render(t, empty, proto);
	json_decref(empty);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	unsigned sel = data[0];
	const struct jfield *t = tables[(sel & 0x0f) % NTABLES];
	enum jmode mode = (sel & 0x10) ? JM_UPDATE : JM_CREATE;
	unsigned proto = (sel & 0x20) ? P_WS : P_HTTP;
	unsigned accept = mode == JM_CREATE ? F_CREATE : F_UPDATE;

	json_error_t je;
	json_t *in = json_loadb((const char *)data + 1, size - 1, JSON_REJECT_DUPLICATES, &je);
	if (!in)
		return 0;

	struct apierr e = {0};
	json_t *doc = jspec_parse(t, in, mode, proto, &e);
	if (!doc) {
		check_error(&e, in);
		json_decref(in);
		return 0;
	}
	check_members(t, doc, accept, in);

	json_t *stored = doc;
	if (mode == JM_UPDATE) {
		stored = previous(t, proto);
		jspec_merge(t, stored, doc);
		json_decref(doc);
	}
	json_t *out = jspec_render(t, stored, proto);
	if (!out)
		fail("jspec_render returned NULL", in);
	check_render(out, in);

	if (mode == JM_CREATE) {
		/* What apigwd rendered, sent back as an update, minus what the server assigns. */
		struct apierr e2 = {0};
		json_t *again = jspec_parse(t, out, JM_UPDATE, proto, &e2);
		if (!again) {
			fprintf(stderr, "fuzz_jspec: refused on the way back: %s\n", e2.msg);
			fail("a rendered create answer does not validate as an update", in);
		}
		json_decref(again);
	}
	json_decref(out);
	json_decref(stored);
	json_decref(in);
	return 0;
}
