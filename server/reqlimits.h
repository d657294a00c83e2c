/* reqlimits.h — request admission beyond sizes: the per-account rate limit (a token bucket per
 * account, as AWS throttles an account's control-plane calls) and the JSON nesting limit. */
#ifndef APIGWD_REQLIMITS_H
#define APIGWD_REQLIMITS_H

#include <stdbool.h>
#include <stddef.h>

struct req;
struct ratelimit;

/* Request bodies nested deeper than this many arrays/objects are refused (400) before any
 * handler sees them. */
enum { JSON_MAX_DEPTH = 64 };

/* Token buckets: each account may make `burst` requests at once and `rate` per second after.
 * Returns a new limiter (ratelimit_free it), or NULL when out of memory. Thread-safe. */
struct ratelimit *ratelimit_new(double rate, double burst);
void ratelimit_free(struct ratelimit *rl);

/* Takes one token from `account`'s bucket at time `now` (seconds, monotonic); false when the
 * bucket is empty. At most RATELIMIT_MAX_ACCOUNTS buckets are kept: full ones (idle accounts)
 * are dropped first, which loses nothing since a new bucket starts full. */
enum { RATELIMIT_MAX_ACCOUNTS = 65536 };
bool ratelimit_take(struct ratelimit *rl, const char *account, double now);

/* With --rate, takes a token for the request's account (rq->account, after
 * auth_resolve_or_reply) unless the path is auth_exempt; when there is none answers 429
 * TooManyRequestsException (limitType "Requests") and returns false. */
bool limits_admit_or_reply(struct req *rq);

/* Whether the JSON text (len bytes) nests arrays and objects at most `max` deep. Counts
 * brackets outside strings; does not otherwise validate. */
bool json_depth_ok(const char *text, size_t len, unsigned max);

#endif
