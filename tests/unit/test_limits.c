/* test_limits.c — request admission (server/reqlimits.c): the JSON depth scan and the
 * per-account token buckets on a synthetic clock, including the cap on tracked accounts. */
#include <stdio.h>
#include <string.h>

#include "reqlimits.h"
#include "unit.h"

static bool depth_ok(const char *s, unsigned max)
{
	return json_depth_ok(s, strlen(s), max);
}

static void test_json_depth(void)
{
	char deep[200];
	CHECK(depth_ok("", 1));
	CHECK(depth_ok("{}", 1));
	CHECK(!depth_ok("{\"a\":[]}", 1));
	CHECK(depth_ok("{\"a\":[]}", 2));
	CHECK(depth_ok("[1,[2],{\"x\":[3]}]", 3));
	CHECK(!depth_ok("[1,[2],{\"x\":[[3]]}]", 3));
	/* Siblings do not add up. */
	CHECK(depth_ok("[[],[],[],[],[]]", 2));
	/* Brackets in strings, escaped quotes and backslashes. */
	CHECK(depth_ok("[\"[[[[{{{{\"]", 1));
	CHECK(depth_ok("[\"\\\"[[[[\"]", 1));
	CHECK(!depth_ok("[\"\\\\\",[[]]]", 2)); /* the string ends after an escaped backslash */
	/* Unbalanced input: never negative, never a crash. */
	CHECK(depth_ok("]]]]}}}[", 1));
	CHECK(!depth_ok("[[[[", 3));
	memset(deep, '[', 64);
	memset(deep + 64, ']', 64);
	deep[128] = '\0';
	CHECK(depth_ok(deep, JSON_MAX_DEPTH));
	deep[64] = '[';
	deep[65] = '\0';
	CHECK(!depth_ok(deep, JSON_MAX_DEPTH));
}

static void test_token_bucket(void)
{
	struct ratelimit *rl = ratelimit_new(2, 3); /* 2/s, burst 3 */
	CHECK(rl != NULL);
	if (!rl)
		return;
	for (int i = 0; i < 3; i++)
		CHECK(ratelimit_take(rl, "111111111111", 100.0));
	CHECK(!ratelimit_take(rl, "111111111111", 100.0));
	CHECK(ratelimit_take(rl, "222222222222", 100.0));  /* its own bucket */
	CHECK(!ratelimit_take(rl, "111111111111", 100.4)); /* 0.8 token */
	CHECK(ratelimit_take(rl, "111111111111", 100.5));  /* 1 token */
	CHECK(!ratelimit_take(rl, "111111111111", 100.5));
	/* Never more than the burst, however long the pause. */
	for (int i = 0; i < 3; i++)
		CHECK(ratelimit_take(rl, "111111111111", 1000.0));
	CHECK(!ratelimit_take(rl, "111111111111", 1000.0));
	/* A clock that goes back does not mint tokens. */
	CHECK(!ratelimit_take(rl, "111111111111", 900.0));
	ratelimit_free(rl);
}

static void test_account_cap(void)
{
	struct ratelimit *rl = ratelimit_new(1, 2);
	char acct[32];
	if (!rl)
		return;
	/* Fill the table with accounts that each spent a token (not full, so kept). */
	for (int i = 0; i < RATELIMIT_MAX_ACCOUNTS; i++) {
		snprintf(acct, sizeof acct, "%012d", i);
		ratelimit_take(rl, acct, 0.0);
	}
	/* A new account when no bucket can go: let through, untracked. */
	for (int i = 0; i < 5; i++)
		CHECK(ratelimit_take(rl, "new-account", 0.0));
	/* Later every old bucket is full again: they are dropped and the new one counts. */
	CHECK(ratelimit_take(rl, "new-account", 10.0));
	CHECK(ratelimit_take(rl, "new-account", 10.0));
	CHECK(!ratelimit_take(rl, "new-account", 10.0));
	ratelimit_free(rl);
}

int main(void)
{
	RUN(test_json_depth);
	RUN(test_token_bucket);
	RUN(test_account_cap);
	return unit_report("test_limits");
}
