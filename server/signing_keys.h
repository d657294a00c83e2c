/* signing_keys.h — SigV4 signing keys of `apigwd credentials` keys for the gateway's
 * @connections (docs/gateway.md "@connections and SigV4"): the key of one scope (day, region,
 * service execute-api), never the secret itself. Used in-process by the gateway hook
 * (server/main.c) and over POST /dataplane/v1/signing-keys by a standalone apigwd-gateway. */
#ifndef APIGWD_SIGNING_KEYS_H
#define APIGWD_SIGNING_KEYS_H

#include "db.h"
#include "request.h"
#include "sigv4.h"

/* The only service a signing key is given for: a gateway never learns a key that signs
 * control-plane (apigateway) requests. */
#define SIGNING_KEYS_SERVICE "execute-api"

/* The signing key of akid for a's scope and the key's account (new string, *account).
 * DB_OK, DB_NOTFOUND for an unknown key or a scope of another service, or the database's
 * error. */
enum db_rc signing_key_get(struct db *db, const struct sigv4_auth *a, unsigned char key[32],
			   char **account);

/* POST /dataplane/v1/signing-keys {"accessKeyId","date","region","service"} →
 * {"signingKey": hex, "accountId"}; 404 NotFoundException for an unknown key. */
void dataplane_signing_key(struct req *rq);

#endif
