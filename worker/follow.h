/* follow.h — follows the deployed stages of a control plane over /dataplane/v1/ (docs/dataplane.md
 * "The worker loop"): snapshots, change feed, 410 resync, capped backoff. Blocking (libcurl easy);
 * the caller runs follow_run on a thread of its own. */
#ifndef FOLLOW_H
#define FOLLOW_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* ---- the pieces both followers share (apigwd-worker's loop and follow_run) ---- */

struct follow_buf {
	char *data;	 /* owned; NUL-terminated when len > 0 */
	size_t len, cap; /* bytes held, bytes allocated */
};

struct follow_reply {
	long status;		/* HTTP status of the answer, 0 before one */
	struct follow_buf body; /* owned by the caller (free(body.data)) */
	char etag[160];		/* ETag header as sent, "" when none */
	char error_type[160];	/* x-amzn-ErrorType header, "" when none */
};

/* libcurl CURLOPT_WRITEFUNCTION / CURLOPT_HEADERFUNCTION collecting into the struct
 * follow_reply given as WRITEDATA / HEADERDATA. Bodies over 64 MiB abort the transfer. */
size_t follow_on_body(char *data, size_t size, size_t n, void *reply);
size_t follow_on_header(char *line, size_t size, size_t n, void *reply);
/* The next retry delay after prev_ms (0 after a success): 100 ms doubling to 5 s. */
unsigned follow_backoff_next(unsigned prev_ms);
/* Sleeps ms milliseconds, less when *stop becomes non-zero (noticed within 50 ms). */
void follow_sleep_ms(unsigned ms, volatile sig_atomic_t *stop);

enum follow_feed {
	FOLLOW_FEED_EMPTY,   /* no change until *rev */
	FOLLOW_FEED_CHANGES, /* changes until *rev */
	FOLLOW_FEED_GONE,    /* 410, or another epoch: resync (*rev, epoch = current) */
	FOLLOW_FEED_BAD,     /* not a feed answer */
};
/* Reads a 200 or 410 answer of /dataplane/v1/changes for a follower at `epoch`; on all but
 * FOLLOW_FEED_BAD sets *rev and epoch_out (docs/dataplane.md "Blocking reads"). */
enum follow_feed follow_feed_parse(const struct follow_reply *r, const char *epoch, long long *rev,
				   char *epoch_out, size_t size);

/* Called with each new snapshot body of a deployed stage (borrowed; valid during the call). */
typedef void (*follow_apply_fn)(void *arg, const char *api_id, const char *stage, const char *body,
				size_t len);
/* Called after each complete pass over every followed stage, and after each feed answer that
 * changed nothing followed: every change up to `revision` is applied. */
typedef void (*follow_synced_fn)(void *arg, long long revision);

struct follow_cfg {
	const char *control;	 /* base URL without trailing '/' */
	const char *token;	 /* Bearer token (apigwd --dataplane-token), or NULL */
	const char *const *apis; /* follow only these APIs; NULL/0: every WEBSOCKET API visible */
	size_t napis;		 /* entries of apis */
	long wait;		 /* change-feed long-poll seconds, 1-300 */
	const char *log_prefix;	 /* stderr prefix, e.g. "apigwd-gateway" */
	follow_apply_fn apply;	 /* required */
	follow_synced_fn synced; /* optional */
	void *arg;		 /* passed to both callbacks */
};

/* Follows until *stop becomes non-zero; errors are logged and retried (100 ms doubling to 5 s).
 * Signs with SigV4 (CURLOPT_AWS_SIGV4) when AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are set and
 * no token is given, so the account is the access key's (docs/dataplane.md). Returns 0. */
int follow_run(const struct follow_cfg *cfg, volatile sig_atomic_t *stop);

#endif
