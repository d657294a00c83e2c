/* sigv4.c — AWS Signature Version 4 verification as botocore signs: see sigv4.h for the
 * canonical request; this file builds it, hashes, derives the key and compares. */
#include "sigv4.h"

#include <ctype.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sbuf.h"

/* ---- encoding ---- */

static bool unreserved(unsigned char c)
{
	return isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

/* Appends n bytes of s with every byte but the unreserved ones (and '/' when keep_slash)
 * percent-encoded in upper-case hex, as botocore's quote(safe='-_.~' [+ '/']) does. */
static void buf_encode(struct sbuf *b, const char *s, size_t n, bool keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (unreserved(c) || (keep_slash && c == '/')) {
			sbuf_add(b, (const char *)&s[i], 1);
		} else {
			char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
			sbuf_add(b, esc, 3);
		}
	}
}

static int hexval(char c)
{
	return c >= '0' && c <= '9'   ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* s percent-decoded then encoded canonically (a '%' that starts no escape stays a byte).
 * Returns a new string or NULL. */
static char *recode(const char *s)
{
	struct sbuf out = {0};
	size_t n = strlen(s);
	char *dec = malloc(n + 1), *d = dec;
	if (!dec)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int hi, lo;
		if (s[i] == '%' && i + 2 < n && (hi = hexval(s[i + 1])) >= 0 &&
		    (lo = hexval(s[i + 2])) >= 0) {
			*d++ = (char)(hi << 4 | lo);
			i += 2;
		} else {
			*d++ = s[i];
		}
	}
	buf_encode(&out, dec, (size_t)(d - dec), false);
	free(dec);
	return sbuf_detach(&out, NULL);
}

static void hex_of(const unsigned char *md, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[2 * n] = '\0';
}

void sigv4_sha256_hex(const void *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (EVP_Digest(len ? data : "", len, md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32) {
		out[0] = '\0'; /* never equals a signature or a hash */
		return;
	}
	hex_of(md, 32, out);
}

/* ---- parsing ---- */

static void say(char *msg, size_t msglen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void say(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
}

/* Copies n bytes of s into dst (cap bytes) with a NUL; false when they do not fit or n is 0. */
static bool copy_part(char *dst, size_t cap, const char *s, size_t n)
{
	if (n == 0 || n >= cap)
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

bool sigv4_parse_credential(const char *cred, struct sigv4_auth *a, char *msg, size_t msglen)
{
	const char *p = cred;
	struct {
		char *dst;
		size_t cap;
	} parts[5] = {
		{a->akid, sizeof a->akid},
		{a->date, sizeof a->date},
		{a->region, sizeof a->region},
		{a->service, sizeof a->service},
		{a->terminator, sizeof a->terminator},
	};
	for (int i = 0; i < 5; i++) {
		size_t n = strcspn(p, "/");
		bool last = i == 4;
		if ((last ? p[n] != '\0' : p[n] != '/') ||
		    !copy_part(parts[i].dst, parts[i].cap, p, n)) {
			say(msg, msglen,
			    "Credential must have the form "
			    "AccessKeyId/yyyymmdd/region/service/aws4_request, got '%.200s'",
			    cred);
			return false;
		}
		p += n + (last ? 0 : 1);
	}
	if (strlen(a->date) != 8 || !all_digits(a->date, 8)) {
		say(msg, msglen,
		    "Credential should be scoped to a valid date (yyyymmdd), not '%s'.", a->date);
		return false;
	}
	return true;
}

/* The value of one "Name=value" part of the Authorization header. */
static bool auth_part(const char *part, size_t n, const char *name, const char **val, size_t *vlen)
{
	size_t nl = strlen(name);
	if (n <= nl || strncmp(part, name, nl) != 0 || part[nl] != '=')
		return false;
	*val = part + nl + 1;
	*vlen = n - nl - 1;
	return true;
}

bool sigv4_parse_auth(const char *header, struct sigv4_auth *a, char *msg, size_t msglen)
{
	const char *p = header;
	const char *cred = NULL, *sh = NULL, *sig = NULL;
	size_t cred_n = 0, sh_n = 0, sig_n = 0;
	memset(a, 0, sizeof *a);
	while (*p == ' ')
		p++;
	size_t alg = strlen(SIGV4_ALGORITHM);
	if (strncmp(p, SIGV4_ALGORITHM, alg) != 0 || (p[alg] != ' ' && p[alg] != '\0')) {
		say(msg, msglen,
		    "Unsupported Authorization header: only %s signatures "
		    "(AWS Signature Version 4) are accepted",
		    SIGV4_ALGORITHM);
		return false;
	}
	p += alg;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		size_t n = strcspn(p, ",");
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n == 0)
			break;
		if (!memchr(p, '=', n)) {
			say(msg, msglen,
			    "Invalid key=value pair (missing equal-sign) in "
			    "Authorization header: '%.*s'",
			    (int)(n > 100 ? 100 : n), p);
			return false;
		}
		if (!auth_part(p, n, "Credential", &cred, &cred_n) &&
		    !auth_part(p, n, "SignedHeaders", &sh, &sh_n))
			auth_part(p, n, "Signature", &sig, &sig_n);
		p += n;
	}
	if (!cred || !sh || !sig) {
		say(msg, msglen, "%s%s%s",
		    cred ? "" : "Authorization header requires 'Credential' parameter. ",
		    sig ? "" : "Authorization header requires 'Signature' parameter. ",
		    sh ? "" : "Authorization header requires 'SignedHeaders' parameter. ");
		return false;
	}
	char credbuf[512];
	if (!copy_part(credbuf, sizeof credbuf, cred, cred_n)) {
		say(msg, msglen, "The Credential of the Authorization header is too long");
		return false;
	}
	if (!sigv4_parse_credential(credbuf, a, msg, msglen))
		return false;
	if (!copy_part(a->signed_headers, sizeof a->signed_headers, sh, sh_n)) {
		say(msg, msglen, "The SignedHeaders of the Authorization header are too long");
		return false;
	}
	if (sig_n != 64 || !copy_part(a->signature, sizeof a->signature, sig, sig_n)) {
		say(msg, msglen,
		    "The Signature of the Authorization header must be 64 hexadecimal "
		    "digits");
		return false;
	}
	return true;
}

bool sigv4_check_scope(const struct sigv4_auth *a, const char *amz_date, const char *service,
		       char *msg, size_t msglen)
{
	size_t rlen = strlen(a->region);
	if (strncmp(a->date, amz_date, 8) != 0) {
		say(msg, msglen,
		    "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
		    "version of date from HTTP: '%s' != '%.8s', from '%s'.",
		    a->date, amz_date, amz_date);
		return false;
	}
	if (strcmp(a->service, service) != 0) {
		say(msg, msglen, "Credential should be scoped to correct service: '%s'. ", service);
		return false;
	}
	if (strcmp(a->terminator, "aws4_request") != 0) {
		say(msg, msglen,
		    "Credential should be scoped with a valid terminator: "
		    "'aws4_request', not '%s'. ",
		    a->terminator);
		return false;
	}
	/* Region names are [a-z0-9-] ("eu-west-1"); anything else must not reach endpoints,
	 * ARNs or page-token list names. */
	if (rlen == 0 || rlen > 31 ||
	    strspn(a->region, "abcdefghijklmnopqrstuvwxyz0123456789-") != rlen) {
		say(msg, msglen, "Credential should be scoped to a valid region. ");
		return false;
	}
	return true;
}

/* ---- time ---- */

static void amz_format(time_t t, char out[17])
{
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(out, 17, "%Y%m%dT%H%M%SZ", &tm);
}

bool sigv4_parse_amz_date(const char *s, time_t *t)
{
	struct tm tm = {0};
	char again[17];
	if (strlen(s) != 16 || !all_digits(s, 8) || s[8] != 'T' || !all_digits(s + 9, 6) ||
	    s[15] != 'Z')
		return false;
	if (sscanf(s, "%4d%2d%2dT%2d%2d%2dZ", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec) != 6)
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*t = timegm(&tm);
	if (*t == (time_t)-1)
		return false;
	amz_format(*t, again); /* refuses 20150230T..., 25:00:00 and the like */
	return strcmp(again, s) == 0;
}

bool sigv4_parse_http_date(const char *s, time_t *t, char amz[17])
{
	struct tm tm = {0};
	const char *end = strptime(s, "%a, %d %b %Y %H:%M:%S GMT", &tm);
	/* Years outside 1000-9999 would not print as the four digits X-Amz-Date has. */
	if (!end || *end || tm.tm_year < 1000 - 1900 || tm.tm_year > 9999 - 1900)
		return false;
	*t = timegm(&tm);
	if (*t == (time_t)-1)
		return false;
	amz_format(*t, amz);
	return true;
}

bool sigv4_check_time(time_t t, const char *amz_date, time_t now, char *msg, size_t msglen)
{
	char now_s[17], edge[17];
	amz_format(now, now_s);
	if (t < now - SIGV4_MAX_SKEW) {
		amz_format(now - SIGV4_MAX_SKEW, edge);
		say(msg, msglen, "Signature expired: %s is now earlier than %s (%s - 15 min.)",
		    amz_date, edge, now_s);
		return false;
	}
	if (t > now + SIGV4_MAX_SKEW) {
		amz_format(now + SIGV4_MAX_SKEW, edge);
		say(msg, msglen,
		    "Signature not yet current: %s is still later than %s (%s + 15 "
		    "min.)",
		    amz_date, edge, now_s);
		return false;
	}
	return true;
}

/* ---- the canonical request ---- */

/* The canonical URI: botocore's quote(remove_dot_segments(path), safe='/~'). Empty and '.'
 * segments are dropped, '..' drops the segment before it; the leading '/' stays, and the
 * trailing one when any segment remains. */
static void canonical_uri(struct sbuf *b, const char *path)
{
	size_t n = strlen(path), nseg = 0, max = 1;
	for (size_t i = 0; i < n; i++)
		max += path[i] == '/';
	struct seg {
		const char *s;
		size_t len;
	} *segs = calloc(max, sizeof *segs);
	if (!segs) {
		b->failed = true;
		return;
	}
	for (const char *p = path;;) {
		size_t len = strcspn(p, "/");
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (nseg)
				nseg--;
		} else if (len && !(len == 1 && p[0] == '.')) {
			segs[nseg].s = p;
			segs[nseg++].len = len;
		}
		if (!p[len])
			break;
		p += len + 1;
	}
	if (n && path[0] == '/')
		sbuf_addstr(b, "/");
	for (size_t i = 0; i < nseg; i++) {
		if (i)
			sbuf_addstr(b, "/");
		buf_encode(b, segs[i].s, segs[i].len, true);
	}
	if (nseg && n && path[n - 1] == '/')
		sbuf_addstr(b, "/");
	if (!nseg && !(n && path[0] == '/'))
		sbuf_addstr(b, "/");
	free(segs);
}

struct qpair {
	char *k, *v; /* canonically encoded; owned */
};

static int qpair_cmp(const void *x, const void *y)
{
	const struct qpair *a = x, *b = y;
	int c = strcmp(a->k, b->k);
	return c ? c : strcmp(a->v, b->v);
}

static void canonical_query(struct sbuf *b, const struct sigv4_pair *q, size_t n)
{
	struct qpair *pairs = n ? calloc(n, sizeof *pairs) : NULL;
	if (n && !pairs) {
		b->failed = true;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		pairs[i].k = recode(q[i].name ? q[i].name : "");
		pairs[i].v = recode(q[i].value ? q[i].value : "");
		if (!pairs[i].k || !pairs[i].v)
			b->failed = true;
	}
	if (n && !b->failed) {
		qsort(pairs, n, sizeof *pairs, qpair_cmp);
		for (size_t i = 0; i < n; i++) {
			if (i)
				sbuf_addstr(b, "&");
			sbuf_addstr(b, pairs[i].k);
			sbuf_addstr(b, "=");
			sbuf_addstr(b, pairs[i].v);
		}
	}
	for (size_t i = 0; i < n; i++) {
		free(pairs[i].k);
		free(pairs[i].v);
	}
	free(pairs);
}

static bool space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Appends v trimmed, each inner run of whitespace as one space. */
static void buf_trimmed(struct sbuf *b, const char *v)
{
	bool first = true;
	while (*v) {
		while (space(*v))
			v++;
		size_t n = 0;
		while (v[n] && !space(v[n]))
			n++;
		if (!n)
			break;
		if (!first)
			sbuf_addstr(b, " ");
		sbuf_add(b, v, n);
		first = false;
		v += n;
	}
}

/* "name:value1,value2\n" for the signed header `name` (len bytes). False when the request
 * has no such header. */
static bool canonical_header(struct sbuf *b, const struct sigv4_request *r, const char *name,
			     size_t len)
{
	bool found = false;
	sbuf_add(b, name, len);
	sbuf_addstr(b, ":");
	for (size_t i = 0; i < r->nheaders; i++) {
		const char *hn = r->headers[i].name;
		if (!hn || strlen(hn) != len || strncasecmp(hn, name, len) != 0)
			continue;
		if (found)
			sbuf_addstr(b, ",");
		buf_trimmed(b, r->headers[i].value ? r->headers[i].value : "");
		found = true;
	}
	sbuf_addstr(b, "\n");
	return found;
}

char *sigv4_canonical_request(const struct sigv4_request *r, const char *signed_headers, char *msg,
			      size_t msglen)
{
	struct sbuf b = {0};
	sbuf_addstr(&b, r->method);
	sbuf_addstr(&b, "\n");
	canonical_uri(&b, r->path);
	sbuf_addstr(&b, "\n");
	canonical_query(&b, r->query, r->nquery);
	sbuf_addstr(&b, "\n");
	for (const char *p = signed_headers; *p;) {
		size_t n = strcspn(p, ";");
		if (n && !canonical_header(&b, r, p, n)) {
			say(msg, msglen,
			    "The header '%.*s' is in SignedHeaders but not in the request",
			    (int)(n > 64 ? 64 : n), p);
			sbuf_release(&b);
			return NULL;
		}
		p += n + (p[n] == ';');
	}
	sbuf_addstr(&b, "\n");
	sbuf_addstr(&b, signed_headers);
	sbuf_addstr(&b, "\n");
	sbuf_addstr(&b, r->payload_hash);
	char *out = sbuf_detach(&b, NULL);
	if (!out)
		say(msg, msglen, "Out of memory");
	return out;
}

/* ---- signing ---- */

static bool hmac(const void *key, size_t klen, const char *data, unsigned char out[32])
{
	unsigned int n = 0;
	return HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)data, strlen(data), out,
		    &n) &&
	       n == 32;
}

bool sigv4_signing_key(const char *secret, const struct sigv4_auth *a, unsigned char key[32])
{
	unsigned char k1[32];
	size_t slen = strlen(secret);
	char *kinit = malloc(slen + 5);
	bool ok = false;
	if (!kinit)
		return false;
	memcpy(kinit, "AWS4", 4);
	memcpy(kinit + 4, secret, slen + 1);
	/* kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), terminator) */
	ok = hmac(kinit, slen + 4, a->date, key) && hmac(key, 32, a->region, k1) &&
	     hmac(k1, 32, a->service, key) && hmac(key, 32, a->terminator, k1);
	if (ok)
		memcpy(key, k1, 32);
	OPENSSL_cleanse(kinit, slen + 5);
	free(kinit);
	OPENSSL_cleanse(k1, sizeof k1);
	return ok;
}

bool sigv4_sign_with_key(const struct sigv4_request *r, const struct sigv4_auth *a,
			 const unsigned char key[32], char out[65], char *msg, size_t msglen)
{
	char *creq = sigv4_canonical_request(r, a->signed_headers, msg, msglen);
	char creq_hash[65];
	struct sbuf sts = {0};
	unsigned char sig[32];
	bool ok = false;
	out[0] = '\0';
	if (!creq)
		goto out;
	sigv4_sha256_hex(creq, strlen(creq), creq_hash);
	sbuf_addstr(&sts, SIGV4_ALGORITHM "\n");
	sbuf_addstr(&sts, r->amz_date);
	sbuf_addstr(&sts, "\n");
	sbuf_addstr(&sts, a->date);
	sbuf_addstr(&sts, "/");
	sbuf_addstr(&sts, a->region);
	sbuf_addstr(&sts, "/");
	sbuf_addstr(&sts, a->service);
	sbuf_addstr(&sts, "/");
	sbuf_addstr(&sts, a->terminator);
	sbuf_addstr(&sts, "\n");
	sbuf_addstr(&sts, creq_hash);
	if (sts.failed)
		goto out;
	ok = hmac(key, 32, sts.buf, sig);
	if (ok)
		hex_of(sig, 32, out);
	else
		say(msg, msglen, "Could not compute the signature");
out:
	sbuf_release(&sts);
	free(creq);
	return ok;
}

bool sigv4_sign(const struct sigv4_request *r, const struct sigv4_auth *a, const char *secret,
		char out[65], char *msg, size_t msglen)
{
	unsigned char key[32];
	out[0] = '\0';
	if (!sigv4_signing_key(secret, a, key)) {
		say(msg, msglen, "Could not compute the signature");
		return false;
	}
	bool ok = sigv4_sign_with_key(r, a, key, out, msg, msglen);
	OPENSSL_cleanse(key, sizeof key);
	return ok;
}

bool sigv4_verify(const struct sigv4_request *r, const struct sigv4_auth *a, const char *secret,
		  char *msg, size_t msglen)
{
	unsigned char key[32];
	if (!sigv4_signing_key(secret, a, key)) {
		say(msg, msglen, "Could not compute the signature");
		return false;
	}
	bool ok = sigv4_verify_with_key(r, a, key, msg, msglen);
	OPENSSL_cleanse(key, sizeof key);
	return ok;
}

bool sigv4_verify_with_key(const struct sigv4_request *r, const struct sigv4_auth *a,
			   const unsigned char key[32], char *msg, size_t msglen)
{
	char want[65];
	if (!sigv4_sign_with_key(r, a, key, want, msg, msglen))
		return false;
	if (strlen(a->signature) != 64 || CRYPTO_memcmp(want, a->signature, 64) != 0) {
		say(msg, msglen,
		    "The request signature we calculated does not match the signature "
		    "you provided. Check your AWS Secret Access Key and signing method. Consult the "
		    "service documentation for details.");
		return false;
	}
	return true;
}
