/* follow.h — follows the deployed stages of a control plane over /dataplane/v1/ (docs/dataplane.md
 * "The worker loop"): snapshots, change feed, 410 resync, capped backoff. Blocking (libcurl easy);
 * the caller runs follow_run on a thread of its own. */
#ifndef FOLLOW_H
#define FOLLOW_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

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
