/* fuzz_vtl.c — libFuzzer target: the mapping-template engine (vtl/), compile then render.
 *
 * Input: the template, then optionally a NUL byte and the $input.body text. Limits are small
 * (64 KiB output, 200 #foreach iterations, nesting 32, 200000 steps) so each input runs fast;
 * the point is that no template crashes, leaks, hangs or reads out of bounds.
 *
 * Invariants checked (abort = a finding):
 *   - a refused template has a non-empty message and a position inside the template;
 *   - a render succeeds with a NUL-terminated output no longer than the limit, or fails with a
 *     non-empty message; never both, never an output on failure;
 *   - rendering twice gives the same result (no state survives a render).
 * Built by scripts/fuzz with clang -fsanitize=fuzzer,address,undefined. */
#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fail(const char *what)
{
	fprintf(stderr, "fuzz_vtl: %s\n", what);
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct vtl_limits lim = {
		.max_template = 16384,
		.max_output = 65536,
		.max_foreach = 200,
		.max_depth = 32,
		.max_steps = 200000,
	};
	const char *src = (const char *)data;
	const uint8_t *nul = memchr(data, 0, size);
	size_t tlen = nul ? (size_t)(nul - data) : size;
	const char *body = nul ? (const char *)nul + 1 : NULL;
	size_t blen = nul ? size - tlen - 1 : 0;

	struct vtl_error err;
	struct vtl_template *t = vtl_compile(src, tlen, &lim, &err);
	if (!t) {
		if (!err.message[0] || memchr(err.message, 0, sizeof err.message) == NULL)
			fail("a refused template without a message");
		if (tlen <= lim.max_template && (err.line < 1 || err.column < 1))
			fail("a refused template without a position");
		return 0;
	}
	json_t *ctx =
		json_pack("{s:s,s:{s:s},s:{s:s}}", "connectionId", "L0SM9cOFvHcCIhw=", "identity",
			  "sourceIp", "192.0.2.1", "authorizer", "principalId", "me");
	json_t *sv = json_pack("{s:s}", "env", "prod");
	json_t *params = json_pack("{s:{s:s},s:{},s:{s:s}}", "path", "id", "7", "querystring",
				   "header", "Host", "h");
	struct vtl_bindings b = {.body = body,
				 .body_len = blen,
				 .context = ctx,
				 .stage_variables = sv,
				 .params = params};
	char *out1 = NULL, *out2 = NULL;
	size_t len1 = 0, len2 = 0;
	struct vtl_error err2;
	int rc1 = vtl_render(t, &b, &lim, &out1, &len1, &err);
	int rc2 = vtl_render(t, &b, &lim, &out2, &len2, &err2);
	if (rc1 == 0) {
		if (!out1 || out1[len1] != 0 || len1 > lim.max_output)
			fail("a render without a NUL-terminated output within the limit");
	} else {
		if (rc1 != -1 || out1 || !err.message[0])
			fail("a failed render with an output or without a message");
	}
	if (rc1 != rc2 || len1 != len2 || (rc1 == 0 && memcmp(out1, out2, len1) != 0) ||
	    (rc1 != 0 && (strcmp(err.message, err2.message) != 0 || err.line != err2.line)))
		fail("two renders of the same template differ");
	free(out1);
	free(out2);
	json_decref(ctx);
	json_decref(sv);
	json_decref(params);
	vtl_template_free(t);
	return 0;
}
