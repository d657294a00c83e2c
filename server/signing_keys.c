/* signing_keys.c — derived SigV4 signing keys for the gateway's @connections: the secret stays
 * in the control plane; a gateway gets the key of one day, region and service. */
#include "signing_keys.h"

#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jspec.h"

enum db_rc signing_key_get(struct db *db, const struct sigv4_auth *a, unsigned char key[32],
			   char **account)
{
	char *secret = NULL;
	*account = NULL;
	if (strcmp(a->service, SIGNING_KEYS_SERVICE) || strcmp(a->terminator, "aws4_request"))
		return DB_NOTFOUND;
	enum db_rc rc = db_cred_get(db, a->akid, &secret, account);
	if (rc == DB_OK && !sigv4_signing_key(secret, a, key))
		rc = DB_ERROR;
	if (secret) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
	}
	if (rc != DB_OK) {
		free(*account);
		*account = NULL;
	}
	return rc;
}

static const struct jfield key_fields[] = {
	{"accessKeyId", J_STR, 1, 128, F_IN | F_REQUIRED},
	{"date", J_STR, 8, 8, F_IN | F_REQUIRED},
	{"region", J_STR, 1, 31, F_IN | F_REQUIRED},
	{"service", J_STR, 1, 63, F_IN | F_REQUIRED},
	{0},
};

void dataplane_signing_key(struct req *rq)
{
	struct apierr e = {0};
	struct sigv4_auth a = {0};
	unsigned char key[32];
	char hex[65], *account = NULL;
	json_t *empty = json_object();
	json_t *in = jspec_parse(key_fields, rq->body ? rq->body : empty, JM_CREATE, P_ANY, &e);
	json_decref(empty);
	if (!in) {
		reply_error(rq, &e);
		return;
	}
	snprintf(a.akid, sizeof a.akid, "%s",
		 json_string_value(json_object_get(in, "accessKeyId")));
	snprintf(a.date, sizeof a.date, "%s", json_string_value(json_object_get(in, "date")));
	snprintf(a.region, sizeof a.region, "%s", json_string_value(json_object_get(in, "region")));
	snprintf(a.service, sizeof a.service, "%s",
		 json_string_value(json_object_get(in, "service")));
	snprintf(a.terminator, sizeof a.terminator, "aws4_request");
	json_decref(in);
	if (strcmp(a.service, SIGNING_KEYS_SERVICE)) {
		reply_errf(rq, E_BAD_REQUEST, "Invalid service: only %s keys are given",
			   SIGNING_KEYS_SERVICE);
		return;
	}
	enum db_rc rc = signing_key_get(rq->db, &a, key, &account);
	if (rc == DB_NOTFOUND) {
		reply_errf(rq, E_NOT_FOUND, "Unknown access key");
		return;
	}
	if (rc != DB_OK) {
		reply_errf(rq, E_UNAVAILABLE, "Could not read the access keys; try again");
		return;
	}
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	OPENSSL_cleanse(key, sizeof key);
	json_t *doc = json_pack("{s:s, s:s}", "signingKey", hex, "accountId", account);
	OPENSSL_cleanse(hex, sizeof hex);
	reply_json(rq, 200, doc);
	json_decref(doc);
	free(account);
}
