/* mgmt_auth.c — SigV4 verification of @connections calls with server/sigv4.c's verifier and a
 * signing key from a hook (never the secret). Event-loop thread only. */
#include "mgmt_auth.h"

#include <curl/curl.h>
#include <jansson.h>
#include <libwebsockets.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "http.h"

#define SERVICE	   "execute-api"
#define MAX_SIGNED 16	/* signed headers looked at, at most */
#define CACHE_KEYS 64	/* signing keys kept by gw_mgmt_auth_remote */
#define FETCH_MS   2000 /* a key request to the control plane gives up after this */
#define MAX_VALUE  1024 /* a signed header's value, at most */

static gw_signing_key_fn key_fn;
static void *key_arg;

void gw_mgmt_auth_set(gw_signing_key_fn fn, void *arg)
{
	key_fn = fn;
	key_arg = arg;
}

bool gw_mgmt_auth_on(void)
{
	return key_fn != NULL;
}

/* ---- keys from the control plane ---- */

struct cached {
	char akid[129], date[9], region[64]; /* the scope */
	unsigned char key[32];		     /* its signing key */
	char account[16];		     /* the key's account */
};
static struct cached cache[CACHE_KEYS];
static size_t cache_next; /* the slot replaced next (round robin) */

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct {
		char buf[1024];
		size_t len;
	} *b = arg;
	size_t len = size * n;
	if (b->len + len >= sizeof b->buf)
		return 0;
	memcpy(b->buf + b->len, data, len);
	b->len += len;
	b->buf[b->len] = '\0';
	return len;
}

int gw_mgmt_auth_remote(void *arg, const struct sigv4_auth *a, unsigned char key[32], char *account,
			size_t asz)
{
	const struct gw_remote_keys *rk = arg;
	for (size_t i = 0; i < CACHE_KEYS; i++)
		if (!strcmp(cache[i].akid, a->akid) && !strcmp(cache[i].date, a->date) &&
		    !strcmp(cache[i].region, a->region)) {
			memcpy(key, cache[i].key, 32);
			snprintf(account, asz, "%s", cache[i].account);
			return 0;
		}
	struct {
		char buf[1024];
		size_t len;
	} b = {.len = 0};
	char url[1100], auth[600];
	long status = 0;
	int rc = -1;
	json_t *doc = NULL;
	char *body = NULL;
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	CURL *c = curl_easy_init();
	json_t *req = json_pack("{s:s, s:s, s:s, s:s}", "accessKeyId", a->akid, "date", a->date,
				"region", a->region, "service", SERVICE);
	body = req ? json_dumps(req, JSON_COMPACT) : NULL;
	if (!c || !body)
		goto out;
	if (rk->token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", rk->token);
		h = curl_slist_append(h, auth);
	}
	snprintf(url, sizeof url, "%s/dataplane/v1/signing-keys", rk->control);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)FETCH_MS);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	if (curl_easy_perform(c) != CURLE_OK)
		goto out;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (status == 404) {
		rc = 1;
		goto out;
	}
	doc = status == 200 ? json_loadb(b.buf, b.len, 0, NULL) : NULL;
	const char *hex = json_string_value(json_object_get(doc, "signingKey"));
	const char *acct = json_string_value(json_object_get(doc, "accountId"));
	if (!hex || strlen(hex) != 64 || !acct)
		goto out;
	for (int i = 0; i < 32; i++) {
		unsigned v;
		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			goto out;
		key[i] = (unsigned char)v;
	}
	struct cached *slot = &cache[cache_next++ % CACHE_KEYS];
	snprintf(slot->akid, sizeof slot->akid, "%s", a->akid);
	snprintf(slot->date, sizeof slot->date, "%s", a->date);
	snprintf(slot->region, sizeof slot->region, "%s", a->region);
	memcpy(slot->key, key, 32);
	snprintf(slot->account, sizeof slot->account, "%s", acct);
	snprintf(account, asz, "%s", acct);
	rc = 0;
out:
	OPENSSL_cleanse(b.buf, sizeof b.buf);
	json_decref(doc);
	json_decref(req);
	free(body);
	curl_slist_free_all(h);
	if (c)
		curl_easy_cleanup(c);
	return rc;
}

/* ---- verification ---- */

/* The value of header lname (lower case, len bytes) into buf: a known libwebsockets token or a
 * custom header. Returns its length, or -1 when absent. */
static int header_value(struct lws *wsi, const char *lname, size_t len, char *buf, int size)
{
	char key[128];
	for (int t = 0; t < WSI_TOKEN_COUNT; t++) {
		const char *name = (const char *)lws_token_to_string((enum lws_token_indexes)t);
		if (name && strlen(name) == len + 1 && !strncmp(name, lname, len) &&
		    name[len] == ':')
			return lws_hdr_total_length(wsi, (enum lws_token_indexes)t) > 0
				       ? lws_hdr_copy(wsi, buf, size, (enum lws_token_indexes)t)
				       : -1;
	}
	if (len + 2 > sizeof key)
		return -1;
	snprintf(key, sizeof key, "%.*s:", (int)len, lname);
	return lws_hdr_custom_length(wsi, key, (int)len + 1) >= 0
		       ? lws_hdr_custom_copy(wsi, buf, size, key, (int)len + 1)
		       : -1;
}

/* The path as a client sent it, from libwebsockets' decoded one: every byte but unreserved
 * ones, '/' and (keep_at) '@' percent-encoded, as the SDKs encode the connection id. */
static void as_sent(const char *path, bool keep_at, char *out, size_t size)
{
	static const char hexd[] = "0123456789ABCDEF";
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)path; *p && n + 4 < size; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
		    (*p >= '0' && *p <= '9') || strchr("-_.~/", *p) || (keep_at && *p == '@')) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hexd[*p >> 4];
			out[n++] = hexd[*p & 15];
		}
	}
	out[n] = '\0';
}

static bool forbid(struct lws *wsi, const char *msg, int *rc)
{
	json_t *doc = json_pack("{s:s}", "message", msg);
	char *text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	*rc = gw_http_reply(wsi, 403, "application/json", "ForbiddenException", text ? text : "{}",
			    text ? strlen(text) : 2);
	free(text);
	json_decref(doc);
	return false;
}

bool gw_mgmt_auth_or_reply(struct lws *wsi, const char *method, const char *path, const char *body,
			   size_t len, int *rc)
{
	char authz[2048], amz[32], msg[256], hash[65], given[80] = "";
	char values[MAX_SIGNED][MAX_VALUE], raw[2 * 3 * 1024 + 1];
	struct sigv4_pair pairs[MAX_SIGNED];
	struct sigv4_auth a;
	unsigned char key[32];
	char account[16];
	size_t n = 0;
	time_t t;
	bool pass = false;
	if (!key_fn)
		return true;
	if (header_value(wsi, "authorization", 13, authz, sizeof authz) <= 0)
		return forbid(wsi, "Missing Authentication Token", rc);
	if (!sigv4_parse_auth(authz, &a, msg, sizeof msg))
		return forbid(wsi, msg, rc);
	if (header_value(wsi, "x-amz-date", 10, amz, sizeof amz) <= 0 ||
	    !sigv4_parse_amz_date(amz, &t))
		return forbid(wsi, "Authorization header requires existence of a valid X-Amz-Date",
			      rc);
	if (!sigv4_check_scope(&a, amz, SERVICE, msg, sizeof msg) ||
	    !sigv4_check_time(t, amz, time(NULL), msg, sizeof msg))
		return forbid(wsi, msg, rc);
	/* The signed headers' values (the canonical request needs those only). */
	for (const char *p = a.signed_headers; *p && n < MAX_SIGNED;) {
		size_t l = strcspn(p, ";");
		if (l && l < 64 && header_value(wsi, p, l, values[n], MAX_VALUE) >= 0) {
			char *name = malloc(l + 1);
			if (!name)
				break;
			memcpy(name, p, l);
			name[l] = '\0';
			pairs[n].name = name;
			pairs[n].value = values[n];
			n++;
		}
		p += l + (p[l] == ';');
	}
	sigv4_sha256_hex(body, len, hash);
	if (header_value(wsi, "x-amz-content-sha256", 20, given, sizeof given) > 0 &&
	    strcmp(given, "UNSIGNED-PAYLOAD") && strcmp(given, hash)) {
		forbid(wsi, "The provided x-amz-content-sha256 does not match the payload", rc);
		goto out;
	}
	if (!strcmp(given, "UNSIGNED-PAYLOAD"))
		snprintf(hash, sizeof hash, "UNSIGNED-PAYLOAD");
	int k = key_fn(key_arg, &a, key, account, sizeof account);
	if (k != 0) {
		if (k < 0)
			*rc = gw_http_reply(wsi, 503, "application/json",
					    "ServiceUnavailableException",
					    "{\"message\":\"Could not read the access keys\"}", 43);
		else
			forbid(wsi, "The security token included in the request is invalid.", rc);
		goto out;
	}
	/* libwebsockets decoded the path: the two spellings SDKs send (@ kept, or %40) are tried.
	 */
	for (int keep_at = 1; keep_at >= 0 && !pass; keep_at--) {
		as_sent(path, keep_at, raw, sizeof raw);
		struct sigv4_request r = {.method = method,
					  .path = raw,
					  .headers = pairs,
					  .nheaders = n,
					  .payload_hash = hash,
					  .amz_date = amz};
		pass = sigv4_verify_with_key(&r, &a, key, msg, sizeof msg);
	}
	OPENSSL_cleanse(key, sizeof key);
	if (!pass)
		forbid(wsi, msg, rc);
out:
	for (size_t i = 0; i < n; i++)
		free((char *)pairs[i].name);
	return pass;
}
