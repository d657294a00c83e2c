/* sigv4.h — a pure AWS Signature Version 4 verifier: parses the Authorization header, builds
 * the canonical request and the string to sign exactly as botocore (the AWS CLI, boto3) does
 * for a non-S3 service, derives the signing key and compares signatures in constant time.
 * No I/O, no clock, no storage: the caller (auth.c) supplies the request, the secret and the
 * time. SHA-256 and HMAC come from OpenSSL's libcrypto.
 *
 * The canonical request (AWS IAM User Guide, "Create a signed AWS API request"):
 *   METHOD \n
 *   canonical URI    — the raw request path with dot segments and empty segments removed, every
 *                      byte but A-Z a-z 0-9 - _ . ~ / percent-encoded (so a '%3A' the client
 *                      sent is signed as '%253A': the path is encoded once more) \n
 *   canonical query  — each key and value percent-decoded, re-encoded (unreserved bytes kept,
 *                      others %XX in upper case), sorted by key then value, joined by '&' \n
 *   canonical headers — "name:value\n" per signed header in SignedHeaders order; a repeated
 *                      header's values joined by ',', each trimmed with inner whitespace runs
 *                      collapsed to one space \n
 *   signed headers \n
 *   payload hash     — lower-case hex SHA-256 of the body (or X-Amz-Content-SHA256) */
#ifndef APIGWD_SIGV4_H
#define APIGWD_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#define SIGV4_ALGORITHM "AWS4-HMAC-SHA256"

/* Clock skew allowed between X-Amz-Date and the server's clock, in seconds (AWS: 15 min). */
enum { SIGV4_MAX_SKEW = 15 * 60 };

/* The parts of an Authorization header (or of a presigned URL's X-Amz-* parameters). */
struct sigv4_auth {
	char akid[129];		   /* access key id */
	char date[9];		   /* scope date, yyyymmdd */
	char region[64];	   /* scope region */
	char service[64];	   /* scope service ("apigateway") */
	char terminator[16];	   /* scope terminator, "aws4_request" when valid */
	char signed_headers[1024]; /* "host;x-amz-date", as sent */
	char signature[65];	   /* 64 hex digits, as sent */
};

/* One name/value pair of a request: a header (name in any case) or a query parameter (name
 * and value as sent, still percent-encoded; value NULL when the parameter had no '='). */
struct sigv4_pair {
	const char *name;
	const char *value;
};

/* What the signature covers. Every pointer is borrowed. */
struct sigv4_request {
	const char *method;		/* "GET" */
	const char *path;		/* raw request path as sent, without the query */
	const struct sigv4_pair *query; /* query parameters, in any order (for a presigned URL,
					   without X-Amz-Signature) */
	size_t nquery;
	const struct sigv4_pair *headers; /* every request header; repeated names allowed */
	size_t nheaders;
	const char *payload_hash; /* hex SHA-256 of the body, or the X-Amz-Content-SHA256
				     header's value */
	const char *amz_date;	  /* the request time as signed, yyyymmddThhmmssZ */
};

/* Parses an Authorization header value into *a. On failure returns false and writes AWS's
 * sentence for it into msg (IncompleteSignatureException: a part is missing or malformed). */
bool sigv4_parse_auth(const char *header, struct sigv4_auth *a, char *msg, size_t msglen);

/* Parses "AKID/yyyymmdd/region/service/aws4_request" into a's credential members. False (with
 * a sentence in msg) when it does not have five non-empty parts that fit. */
bool sigv4_parse_credential(const char *cred, struct sigv4_auth *a, char *msg, size_t msglen);

/* Checks the credential scope against the request: the scope date equals amz_date's day, the
 * service is `service`, the terminator is aws4_request and the region is a region name
 * ([a-z0-9-], 1-31 characters). False with AWS's sentence in msg (InvalidSignatureException). */
bool sigv4_check_scope(const struct sigv4_auth *a, const char *amz_date, const char *service,
		       char *msg, size_t msglen);

/* "20150830T123600Z" → *t (UTC). False when s is not exactly that form or not a real time. */
bool sigv4_parse_amz_date(const char *s, time_t *t);
/* An HTTP Date header ("Sun, 30 Aug 2015 12:36:00 GMT") → *t and its yyyymmddThhmmssZ form in
 * amz (17 bytes), as botocore signs a request that carries Date instead of X-Amz-Date. */
bool sigv4_parse_http_date(const char *s, time_t *t, char amz[17]);

/* Whether the signed time `t` (its text: amz_date) is within SIGV4_MAX_SKEW of now. False with
 * AWS's sentence ("Signature expired: ...") in msg. */
bool sigv4_check_time(time_t t, const char *amz_date, time_t now, char *msg, size_t msglen);

/* Lower-case hex SHA-256 of len bytes at data (data may be NULL when len is 0). */
void sigv4_sha256_hex(const void *data, size_t len, char out[65]);

/* The canonical request for r signed with the header list `signed_headers` ("a;b;c").
 * Returns a new string, or NULL when a signed header is absent from the request (msg says
 * which) or memory ran out. */
char *sigv4_canonical_request(const struct sigv4_request *r, const char *signed_headers, char *msg,
			      size_t msglen);

/* The signature (64 lower-case hex digits + NUL) of r under a's scope and signed headers with
 * `secret`. False (msg says why) when the canonical request cannot be built. */
bool sigv4_sign(const struct sigv4_request *r, const struct sigv4_auth *a, const char *secret,
		char out[65], char *msg, size_t msglen);

/* The signing key of a's scope (date, region, service, terminator) for `secret`: what a
 * verifier needs instead of the secret, valid for that day, region and service only. False
 * when HMAC fails. */
bool sigv4_signing_key(const char *secret, const struct sigv4_auth *a, unsigned char key[32]);
/* sigv4_sign with a signing key (sigv4_signing_key) instead of the secret. */
bool sigv4_sign_with_key(const struct sigv4_request *r, const struct sigv4_auth *a,
			 const unsigned char key[32], char out[65], char *msg, size_t msglen);
/* sigv4_verify with a signing key instead of the secret. */
bool sigv4_verify_with_key(const struct sigv4_request *r, const struct sigv4_auth *a,
			   const unsigned char key[32], char *msg, size_t msglen);

/* Whether a->signature is r's signature with `secret`, compared in constant time. False with a
 * sentence in msg otherwise. */
bool sigv4_verify(const struct sigv4_request *r, const struct sigv4_auth *a, const char *secret,
		  char *msg, size_t msglen);

#endif
