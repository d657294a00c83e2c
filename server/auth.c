/* auth.c — the caller's identity: account and region from the SigV4 credential scope, checked
 * against the stored access keys under --auth sigv4 (sigv4.c does the cryptography). */
#include "auth.h"

#include <ctype.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "request.h"
#include "route.h"
#include "server.h"
#include "sigv4.h"

bool auth_exempt(const struct req *rq)
{
	return rq->route && (rq->route->flags & ROUTE_NO_AUTH);
}

bool auth_dataplane_or_reply(struct req *rq)
{
	const char *want = rq->srv->cfg.dataplane_token;
	const char *auth = req_header(rq, "Authorization");
	if (!want || !rq->route || !(rq->route->flags & ROUTE_DATAPLANE))
		return true;
	/* Compared in constant time: the token is a secret. */
	if (auth && strncmp(auth, "Bearer ", 7) == 0 && strlen(auth + 7) == strlen(want) &&
	    CRYPTO_memcmp(auth + 7, want, strlen(want)) == 0)
		return true;
	reply_errf(rq, E_UNAUTHORIZED, "Missing or wrong data-plane token");
	return false;
}

/* ---- --auth none: the identity the request names ---- */

/* Account and region a request names, unverified. A SigV4 Authorization header names them in
 * its credential scope (Credential=AKID/date/region/service/aws4_request); the access key id
 * is taken as the account when it is 12 digits. */
static void resolve_unverified(struct req *rq)
{
	const char *auth = req_header(rq, "Authorization");
	const char *cred = auth ? strstr(auth, "Credential=") : NULL;
	if (!cred)
		return;
	const char *akid = cred + strlen("Credential=");
	size_t akid_len = strcspn(akid, "/, ");
	bool digits = akid_len == 12;
	for (size_t i = 0; digits && i < akid_len; i++)
		digits = isdigit((unsigned char)akid[i]);
	if (digits)
		snprintf(rq->account, sizeof rq->account, "%.12s", akid);
	const char *p = akid + akid_len;
	if (*p == '/' && (p = strchr(p + 1, '/'))) { /* skip the date */
		size_t rlen = strcspn(p + 1, "/, ");
		/* Region names are [a-z0-9-] ("eu-west-1"); anything else is not one and must not
		 * reach endpoints, ARNs or page-token list names. */
		bool name =
			rlen > 0 && strspn(p + 1, "abcdefghijklmnopqrstuvwxyz0123456789-") == rlen;
		if (name && rlen < sizeof rq->region && p[1 + rlen] == '/')
			snprintf(rq->region, sizeof rq->region, "%.*s", (int)rlen, p + 1);
	}
}

/* ---- --auth sigv4 ---- */

/* The request's headers or query parameters as libmicrohttpd holds them (borrowed: valid
 * while the connection lives). Query names and values are still percent-encoded (keep_raw in
 * http.c), except that libmicrohttpd has already turned a literal '+' into ' '; sigv4.c
 * decodes and re-encodes them, so this matters only to a client that sent a raw '+' and
 * signed it as such (botocore and the AWS SDKs send %2B and %20). */
struct pairs {
	struct sigv4_pair *v; /* owned array */
	size_t n, cap;
	const char *skip; /* a query parameter left out (a presigned URL's X-Amz-Signature) */
	bool failed;
};

static bool collect_pair(void *ctx, const char *key, const char *value)
{
	struct pairs *p = ctx;
	if (!key || (p->skip && strcmp(key, p->skip) == 0))
		return true;
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 32;
		struct sigv4_pair *grown = realloc(p->v, cap * sizeof *grown);
		if (!grown) {
			p->failed = true;
			return false;
		}
		p->v = grown;
		p->cap = cap;
	}
	p->v[p->n++] = (struct sigv4_pair){key, value};
	return true;
}

/* The percent-decoded query parameter `name` copied into out (cap bytes); false when absent or
 * too long. */
static bool query_param(const struct req *rq, const char *name, char *out, size_t cap)
{
	const char *raw = rq->tp->query_raw(rq, name);
	if (!raw || strlen(raw) >= cap)
		return false;
	memcpy(out, raw, strlen(raw) + 1);
	MHD_http_unescape(out);
	return true;
}

/* The sentence and error of a refused request. */
struct refusal {
	enum err code;
	char msg[APIERR_MSG_MAX];
};

/* Records the refusal; msg NULL keeps the sentence already in r->msg. Returns false. */
static bool refuse(struct refusal *r, enum err code, const char *msg)
{
	r->code = code;
	if (msg)
		snprintf(r->msg, sizeof r->msg, "%s", msg);
	return false;
}

/* What signed the request: the parsed signature, its time, and (presigned) its lifetime. */
struct signed_by {
	struct sigv4_auth a;
	char amz_date[17];
	time_t t;
	long long expires; /* presigned: X-Amz-Expires seconds; 0 for the header form */
};

/* The Authorization header form. */
static bool from_header(struct req *rq, const char *header, struct signed_by *s, struct refusal *r)
{
	const char *date = req_header(rq, "X-Amz-Date");
	const char *http_date = req_header(rq, "Date");
	if (!sigv4_parse_auth(header, &s->a, r->msg, sizeof r->msg))
		return refuse(r, E_INCOMPLETE_SIGNATURE, NULL);
	if (date) {
		if (!sigv4_parse_amz_date(date, &s->t))
			return refuse(r, E_INCOMPLETE_SIGNATURE,
				      "X-Amz-Date must be a basic ISO-8601 time: yyyymmddThhmmssZ");
		snprintf(s->amz_date, sizeof s->amz_date, "%s", date);
	} else if (!http_date || !sigv4_parse_http_date(http_date, &s->t, s->amz_date)) {
		return refuse(r, E_INCOMPLETE_SIGNATURE,
			      "Authorization header requires existence of either a 'X-Amz-Date' or "
			      "a 'Date' header.");
	}
	return true;
}

/* The presigned-URL form: X-Amz-Algorithm, -Credential, -Date, -Expires, -SignedHeaders and
 * -Signature in the query. */
static bool from_query(struct req *rq, struct signed_by *s, struct refusal *r)
{
	char alg[32], cred[512], expires[16];
	char *end = NULL;
	if (!query_param(rq, "X-Amz-Algorithm", alg, sizeof alg) ||
	    !query_param(rq, "X-Amz-Credential", cred, sizeof cred) ||
	    !query_param(rq, "X-Amz-Date", s->amz_date, sizeof s->amz_date) ||
	    !query_param(rq, "X-Amz-Expires", expires, sizeof expires) ||
	    !query_param(rq, "X-Amz-SignedHeaders", s->a.signed_headers,
			 sizeof s->a.signed_headers) ||
	    !query_param(rq, "X-Amz-Signature", s->a.signature, sizeof s->a.signature))
		return refuse(
			r, E_INCOMPLETE_SIGNATURE,
			"A presigned URL requires the query parameters X-Amz-Algorithm, "
			"X-Amz-Credential, X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders and "
			"X-Amz-Signature (64 hexadecimal digits).");
	if (strcmp(alg, SIGV4_ALGORITHM) != 0)
		return refuse(r, E_INCOMPLETE_SIGNATURE,
			      "X-Amz-Algorithm only supports \"" SIGV4_ALGORITHM "\"");
	if (!sigv4_parse_credential(cred, &s->a, r->msg, sizeof r->msg))
		return refuse(r, E_INCOMPLETE_SIGNATURE, NULL);
	if (!sigv4_parse_amz_date(s->amz_date, &s->t))
		return refuse(r, E_INCOMPLETE_SIGNATURE,
			      "X-Amz-Date must be a basic ISO-8601 time: yyyymmddThhmmssZ");
	s->expires = strtoll(expires, &end, 10);
	if (!expires[0] || *end || s->expires < 1 || s->expires > 604800)
		return refuse(r, E_INCOMPLETE_SIGNATURE,
			      "X-Amz-Expires must be a number of seconds from 1 to 604800");
	return true;
}

/* Whether `name` is one of the ';'-separated signed headers. */
static bool is_signed(const char *list, const char *name)
{
	size_t n = strlen(name);
	for (const char *p = list; *p;) {
		size_t len = strcspn(p, ";");
		if (len == n && strncasecmp(p, name, n) == 0)
			return true;
		p += len + (p[len] == ';');
	}
	return false;
}

/* The payload hash the signature covers: hex SHA-256 of the body, which X-Amz-Content-SHA256
 * (when sent) must equal. */
static bool payload_hash(struct req *rq, char out[65], struct refusal *r)
{
	const char *claimed = req_header(rq, "X-Amz-Content-SHA256");
	sigv4_sha256_hex(rq->upload, rq->upload_len, out);
	if (claimed && strcmp(claimed, out) != 0)
		return refuse(r, E_INVALID_SIGNATURE,
			      "The provided 'x-amz-content-sha256' header does not match what was "
			      "computed.");
	return true;
}

/* Verifies the request's signature; on success sets the account and region. */
static bool verify(struct req *rq, struct refusal *r)
{
	struct signed_by s = {0};
	struct pairs query = {0}, headers = {0};
	char hash[65];
	char *secret = NULL, *account = NULL;
	time_t now = time(NULL);
	bool ok = false;
	const char *header = req_header(rq, "Authorization");
	bool presigned = rq->tp->query_raw(rq, "X-Amz-Signature") != NULL;

	if (!header && !presigned)
		return refuse(r, E_MISSING_AUTH_TOKEN, "Missing Authentication Token");
	if (header ? !from_header(rq, header, &s, r) : !from_query(rq, &s, r))
		return false;
	if (!sigv4_check_scope(&s.a, s.amz_date, AUTH_SERVICE, r->msg, sizeof r->msg))
		return refuse(r, E_INVALID_SIGNATURE, NULL);
	if (!is_signed(s.a.signed_headers, "host"))
		return refuse(r, E_INVALID_SIGNATURE,
			      "'Host' must be a 'SignedHeader' in the AWS Authorization.");
	if (!presigned || header) {
		if (!sigv4_check_time(s.t, s.amz_date, now, r->msg, sizeof r->msg))
			return refuse(r, E_INVALID_SIGNATURE, NULL);
	} else if (now + SIGV4_MAX_SKEW < s.t || now > s.t + s.expires) {
		snprintf(r->msg, sizeof r->msg,
			 "Signature expired: the presigned URL of %s was "
			 "valid for %lld seconds",
			 s.amz_date, s.expires);
		return refuse(r, E_INVALID_SIGNATURE, NULL);
	}
	if (!payload_hash(rq, hash, r))
		return false;

	struct db *db = db_acquire(rq->srv->pool);
	enum db_rc rc = db_cred_get(db, s.a.akid, &secret, &account);
	db_release(rq->srv->pool, db);
	if (rc == DB_NOTFOUND) {
		refuse(r, E_UNRECOGNIZED_CLIENT,
		       "The security token included in the request is "
		       "invalid.");
		goto out;
	}
	if (rc != DB_OK) {
		refuse(r, E_UNAVAILABLE, "Could not read the access keys; try again");
		goto out;
	}

	query.skip = presigned && !header ? "X-Amz-Signature" : NULL;
	rq->tp->each(rq, REQ_QUERY, collect_pair, &query);
	rq->tp->each(rq, REQ_HEADER, collect_pair, &headers);
	if (query.failed || headers.failed) {
		refuse(r, E_INTERNAL, "Out of memory");
		goto out;
	}
	struct sigv4_request sr = {
		.method = rq->method,
		.path = rq->path,
		.query = query.v,
		.nquery = query.n,
		.headers = headers.v,
		.nheaders = headers.n,
		.payload_hash = hash,
		.amz_date = s.amz_date,
	};
	if (!sigv4_verify(&sr, &s.a, secret, r->msg, sizeof r->msg)) {
		r->code = E_INVALID_SIGNATURE;
		goto out;
	}
	snprintf(rq->account, sizeof rq->account, "%s", account);
	snprintf(rq->region, sizeof rq->region, "%.31s", s.a.region); /* checked: <= 31 */
	ok = true;
out:
	if (secret) {
		OPENSSL_cleanse(secret, strlen(secret));
		free(secret);
	}
	free(account);
	free(query.v);
	free(headers.v);
	return ok;
}

bool auth_resolve_or_reply(struct req *rq)
{
	const struct server_config *cfg = &rq->srv->cfg;
	struct refusal r = {E_OK, ""};
	snprintf(rq->account, sizeof rq->account, "%s", cfg->account_id);
	snprintf(rq->region, sizeof rq->region, "%s", cfg->region);
	rq->scope.account = rq->account;
	rq->scope.region = rq->region;
	if (!cfg->auth_sigv4 || auth_exempt(rq)) {
		resolve_unverified(rq);
		return true;
	}
	if (verify(rq, &r))
		return true;
	rq->account[0] = '\0'; /* nobody: the request log shows "-" */
	reply_errf(rq, r.code, "%s", r.msg);
	return false;
}
