/* mgmt_auth.h — SigV4 on @connections (docs/aws-behaviour.md §D1.2, §D1.3): service
 * execute-api, region from the credential scope, canonical URI = the path as sent encoded once
 * more. The secret never reaches the gateway: a hook gives the signing key of the request's
 * scope (in-process: the control plane's credential store; standalone: POST
 * /dataplane/v1/signing-keys, cached). docs/gateway.md "@connections and SigV4". */
#ifndef GW_MGMT_AUTH_H
#define GW_MGMT_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "sigv4.h"

struct lws;

/* Gives the signing key of a's scope and the key's account (asz bytes). Returns 0, 1 when the
 * key is unknown, -1 when the credential store cannot answer. Called on the event loop. */
typedef int (*gw_signing_key_fn)(void *arg, const struct sigv4_auth *a, unsigned char key[32],
				 char *account, size_t asz);

/* Turns the check on with fn (NULL: off, @connections unauthenticated). Before the loop runs. */
void gw_mgmt_auth_set(gw_signing_key_fn fn, void *arg);
bool gw_mgmt_auth_on(void);

/* A gw_signing_key_fn asking the control plane at control (Bearer token, may be NULL); keys
 * are cached per access key and scope. arg: a struct gw_remote_keys (borrowed for the process
 * lifetime). */
struct gw_remote_keys {
	const char *control; /* apigwd base URL */
	const char *token;   /* --token, or NULL */
};
int gw_mgmt_auth_remote(void *arg, const struct sigv4_auth *a, unsigned char key[32], char *account,
			size_t asz);

/* Verifies the @connections request on wsi (method, the decoded path, body). Returns true when
 * it may proceed (or the check is off); otherwise answers 403 ForbiddenException (503 when the
 * keys cannot be read), sets *rc to what the HTTP callback must return, and returns false. */
bool gw_mgmt_auth_or_reply(struct lws *wsi, const char *method, const char *path, const char *body,
			   size_t len, int *rc);

#endif
