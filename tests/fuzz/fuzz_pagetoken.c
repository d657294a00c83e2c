/* fuzz_pagetoken.c — libFuzzer target: the pagination token decoder (pagetoken_decode).
 *
 * Input: the bytes up to the first '\n' name the list (as res.c builds it: account, region,
 * kind, parent), the rest (cut at a NUL, as a query parameter would be) is the nextToken a
 * client sent. The key is fixed.
 *
 * Invariants checked (abort = a finding):
 *   - a decoded token is one pagetoken_encode produced: re-encoding the decoded seq for the
 *     same list gives the same token text (forgeries are refused);
 *   - for any seq taken from the input, encode → decode round-trips, and the token does not
 *     decode for another list;
 *   - tokens fit TOKEN_MAX and use only the URL-safe alphabet.
 * Built by scripts/fuzz. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ids.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const unsigned char key[TOKEN_KEY_LEN] = "apigwd-fuzz-key-0123456789abcdef";

static void fail(const char *what, const char *list, const char *token)
{
	fprintf(stderr, "fuzz_pagetoken: %s\n  list: %s\n  token: %s\n", what, list, token);
	abort();
}

static void check_alphabet(const char *tok, const char *list)
{
	size_t n = strnlen(tok, TOKEN_MAX);
	if (n == TOKEN_MAX)
		fail("an encoded token does not fit TOKEN_MAX", list, "");
	if (strspn(tok, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") != n)
		fail("an encoded token is not URL-safe", list, tok);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	char *nl = strchr(buf, '\n');
	const char *list = "", *token = buf;
	if (nl) {
		*nl = '\0';
		list = buf;
		token = nl + 1;
	}

	/* The decoder on what a client sent. */
	int64_t seq = -1;
	if (pagetoken_decode(key, list, token, &seq)) {
		char again[TOKEN_MAX];
		pagetoken_encode(key, list, seq, again);
		if (strcmp(again, token) != 0)
			fail("a token that decodes but is not what encode makes", list, token);
	}

	/* Round trip of a seq drawn from the input. */
	int64_t want = 0;
	memcpy(&want, data, size < sizeof want ? size : sizeof want);
	char tok[TOKEN_MAX];
	memset(tok, 'X', sizeof tok);
	pagetoken_encode(key, list, want, tok);
	check_alphabet(tok, list);
	int64_t got = 0;
	if (!pagetoken_decode(key, list, tok, &got) || got != want)
		fail("encode -> decode does not round-trip", list, tok);
	char other[600];
	snprintf(other, sizeof other, "%s#other", list);
	if (strlen(list) < 400 && pagetoken_decode(key, other, tok, &got))
		fail("a token decodes for another list", list, tok);
	free(buf);
	return 0;
}
