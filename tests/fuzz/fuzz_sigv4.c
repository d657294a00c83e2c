/* fuzz_sigv4.c — libFuzzer target: the SigV4 parser and verifier (server/sigv4.h).
 *
 * Input: NUL-separated parts, as auth.c would hand them over:
 *   0 the Authorization header value       1 X-Amz-Date (also tried as an HTTP Date)
 *   2 the method                           3 the raw path
 *   4 the query string ("a=1&b&c=%2F")     5 the headers, one "name:value" per line
 *   6 a presigned URL's X-Amz-Credential
 * Parsed with sigv4_parse_auth, sigv4_parse_credential, sigv4_parse_amz_date,
 * sigv4_parse_http_date; scope and time checked; then the request is signed and verified.
 *
 * Invariants checked (abort = a finding):
 *   - a refusal always comes with a sentence (msg non-empty, NUL-terminated);
 *   - parsed parts are NUL-terminated within their arrays;
 *   - sigv4_parse_amz_date accepts only "yyyymmddThhmmssZ" (16 bytes) and a time it accepts
 *     is within the check window of itself (sigv4_check_time(t, s, t) succeeds);
 *   - an HTTP Date it accepts yields an X-Amz-Date form that sigv4_parse_amz_date accepts as
 *     the same time;
 *   - when the canonical request can be built, signing succeeds, the signature is 64
 *     lower-case hex digits, verify accepts exactly that signature and refuses it with one
 *     digit changed (constant-time compare of the right thing);
 *   - signing is deterministic.
 * Built by scripts/fuzz. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sigv4.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum { NPARTS = 7, MAXPAIRS = 64 };

static void fail(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz_sigv4: %s\n  %s\n", what, detail ? detail : "");
	abort();
}

static void check_msg(bool ok, const char *msg, size_t len, const char *what)
{
	if (!memchr(msg, '\0', len))
		fail("a message is not NUL-terminated", what);
	if (!ok && !msg[0])
		fail("a refusal without a sentence", what);
}

static void check_terminated(const struct sigv4_auth *a)
{
	if (!memchr(a->akid, '\0', sizeof a->akid) || !memchr(a->date, '\0', sizeof a->date) ||
	    !memchr(a->region, '\0', sizeof a->region) ||
	    !memchr(a->service, '\0', sizeof a->service) ||
	    !memchr(a->terminator, '\0', sizeof a->terminator) ||
	    !memchr(a->signed_headers, '\0', sizeof a->signed_headers) ||
	    !memchr(a->signature, '\0', sizeof a->signature))
		fail("a parsed part is not NUL-terminated", NULL);
}

/* Splits s (modified) at every `sep` into pairs split at `kv`; returns the count. */
static size_t pairs(char *s, char sep, char kv, struct sigv4_pair *out, bool null_value)
{
	size_t n = 0;
	char *save = NULL;
	char seps[2] = {sep, '\0'};
	for (char *p = strtok_r(s, seps, &save); p && n < MAXPAIRS;
	     p = strtok_r(NULL, seps, &save)) {
		char *eq = strchr(p, kv);
		if (eq)
			*eq = '\0';
		out[n].name = p;
		out[n].value = eq ? eq + 1 : (null_value ? NULL : "");
		n++;
	}
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	const char *part[NPARTS];
	size_t np = 0;
	part[np++] = buf;
	for (size_t i = 0; i < size && np < NPARTS; i++)
		if (buf[i] == '\0')
			part[np++] = buf + i + 1;
	for (size_t i = np; i < NPARTS; i++)
		part[i] = "";

	char msg[256];
	struct sigv4_auth a;

	/* The header and a presigned credential. */
	memset(&a, 'X', sizeof a);
	msg[0] = '\0';
	bool auth_ok = sigv4_parse_auth(part[0], &a, msg, sizeof msg);
	check_msg(auth_ok, msg, sizeof msg, "sigv4_parse_auth");
	if (auth_ok)
		check_terminated(&a);
	struct sigv4_auth c;
	memset(&c, 'X', sizeof c);
	msg[0] = '\0';
	bool cred_ok = sigv4_parse_credential(part[6], &c, msg, sizeof msg);
	check_msg(cred_ok, msg, sizeof msg, "sigv4_parse_credential");

	/* Dates. */
	time_t t = 0, t2 = 0;
	char amz[17];
	const char *amz_date = part[1];
	bool date_ok = sigv4_parse_amz_date(part[1], &t);
	if (date_ok) {
		if (strlen(part[1]) != 16 || part[1][8] != 'T' || part[1][15] != 'Z')
			fail("sigv4_parse_amz_date accepted a malformed date", part[1]);
		msg[0] = '\0';
		if (!sigv4_check_time(t, part[1], t, msg, sizeof msg))
			fail("a time is not within the window of itself", part[1]);
		msg[0] = '\0';
		bool late = sigv4_check_time(t, part[1], t + SIGV4_MAX_SKEW + 1, msg, sizeof msg);
		check_msg(late, msg, sizeof msg, "sigv4_check_time");
		if (late)
			fail("a time past the skew is accepted", part[1]);
	}
	memset(amz, 'X', sizeof amz);
	if (sigv4_parse_http_date(part[1], &t, amz)) {
		if (!memchr(amz, '\0', sizeof amz))
			fail("the X-Amz-Date form of an HTTP date is not NUL-terminated", part[1]);
		if (!sigv4_parse_amz_date(amz, &t2) || t2 != t)
			fail("an HTTP date's X-Amz-Date form does not parse back to the same time",
			     part[1]);
	}

	if (auth_ok) {
		msg[0] = '\0';
		bool scope_ok = sigv4_check_scope(&a, amz_date, "apigateway", msg, sizeof msg);
		check_msg(scope_ok, msg, sizeof msg, "sigv4_check_scope");
	}

	/* The request, signed and verified. */
	char *query = strdup(part[4]);
	char *headers = strdup(part[5]);
	if (!query || !headers)
		goto out;
	struct sigv4_pair q[MAXPAIRS], h[MAXPAIRS];
	size_t nq = pairs(query, '&', '=', q, true);
	size_t nh = pairs(headers, '\n', ':', h, false);
	char payload[65];
	sigv4_sha256_hex(part[2], strlen(part[2]), payload);
	struct sigv4_request r = {
		.method = part[2],
		.path = part[3],
		.query = q,
		.nquery = nq,
		.headers = h,
		.nheaders = nh,
		.payload_hash = payload,
		.amz_date = amz_date,
	};
	if (!auth_ok) {
		/* Sign with the signed headers the request has, to reach the canonical forms. */
		memset(&a, 0, sizeof a);
		snprintf(a.akid, sizeof a.akid, "AKIDEXAMPLE");
		snprintf(a.date, sizeof a.date, "20240101");
		snprintf(a.region, sizeof a.region, "us-east-1");
		snprintf(a.service, sizeof a.service, "apigateway");
		snprintf(a.terminator, sizeof a.terminator, "aws4_request");
		size_t used = 0;
		for (size_t i = 0; i < nh && used + strlen(h[i].name) + 2 < sizeof a.signed_headers;
		     i++)
			used += (size_t)snprintf(a.signed_headers + used,
						 sizeof a.signed_headers - used, "%s%s",
						 i ? ";" : "", h[i].name);
	}
	msg[0] = '\0';
	char *canon = sigv4_canonical_request(&r, a.signed_headers, msg, sizeof msg);
	if (!canon) {
		check_msg(false, msg, sizeof msg, "sigv4_canonical_request");
		goto out;
	}
	free(canon);
	char sig[65], again[65];
	msg[0] = '\0';
	if (!sigv4_sign(&r, &a, "secret", sig, msg, sizeof msg))
		fail("the canonical request builds but signing fails", msg);
	if (strlen(sig) != 64 || strspn(sig, "0123456789abcdef") != 64)
		fail("a signature is not 64 lower-case hex digits", sig);
	if (!sigv4_sign(&r, &a, "secret", again, msg, sizeof msg) || strcmp(sig, again) != 0)
		fail("signing is not deterministic", sig);
	memcpy(a.signature, sig, sizeof a.signature);
	msg[0] = '\0';
	if (!sigv4_verify(&r, &a, "secret", msg, sizeof msg))
		fail("verify refuses the request's own signature", msg);
	a.signature[size % 64] = a.signature[size % 64] == '0' ? '1' : '0';
	msg[0] = '\0';
	if (sigv4_verify(&r, &a, "secret", msg, sizeof msg))
		fail("verify accepts a wrong signature", a.signature);
	check_msg(false, msg, sizeof msg, "sigv4_verify");
	a.signature[size % 64] = sig[size % 64];
	if (sigv4_verify(&r, &a, "another secret", msg, sizeof msg))
		fail("verify accepts the signature under another secret", sig);
out:
	free(query);
	free(headers);
	free(buf);
	return 0;
}
