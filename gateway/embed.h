/* embed.h — the gateway inside another process (apigwd --gateway-listen): its threads started
 * and stopped as one, and a wait that lets a control plane hold a write's reply until the
 * gateway serves it (docs/gateway.md "In-process"). */
#ifndef GW_EMBED_H
#define GW_EMBED_H

#include <stddef.h>

struct sigv4_auth;

struct gw_embed_opts {
	const char *host;	     /* loopback address */
	int port;		     /* 0: a free port */
	const char *port_file;	     /* or NULL */
	const char *control;	     /* the control plane's own base URL */
	const char *token;	     /* its --dataplane-token, or NULL */
	const char *lambda_endpoint; /* or NULL */
	const char *aws_endpoint;    /* base URL for AWS service integrations, or NULL */
	/* --auth sigv4: @connections verified with signing keys from this hook (mgmt_auth.h);
	 * NULL: unauthenticated (loopback only). */
	int (*signing_key)(void *arg, const struct sigv4_auth *a, unsigned char key[32],
			   char *account, size_t asz);
	void *signing_key_arg;
};

/* Starts the pool, the follower and the event loop on threads of their own. Returns the bound
 * port, or -1 (logged). Once per process. */
int gw_embed_start(const struct gw_embed_opts *o);
/* Blocks until every change up to `revision` is applied (or timeout_ms passed). Call it from a
 * commit hook, before the write's reply is released. No-op when the gateway is not started. */
void gw_embed_wait(long long revision, long timeout_ms);
void gw_embed_stop(void);

#endif
