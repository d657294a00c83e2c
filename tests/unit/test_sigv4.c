/* test_sigv4.c — the SigV4 verifier (server/sigv4.c) on known answers: vectors of AWS's
 * published Signature Version 4 test suite (aws-sig-v4-test-suite: secret
 * wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY, 20150830T123600Z, us-east-1, service "service"),
 * two requests signed by botocore 1.43's SigV4Auth for apigatewayv2 (captured from boto3's
 * before-send event), and the parser, scope, clock and comparison failures. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "sigv4.h"
#include "unit.h"

#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define SUITE_AUTH                                                                                 \
	"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

enum { MAXP = 8 };

/* A request of the test suite: method, raw path, raw query (split here as libmicrohttpd
 * splits it), extra headers beside Host and X-Amz-Date, body. */
struct vec {
	const char *name;
	const char *method;
	const char *path;
	const char *query;	  /* "a=1&b=2" or "" */
	const char *hdr[MAXP][2]; /* extra headers */
	const char *body;
	const char *signed_headers;
	const char *signature; /* the published answer */
};

static const struct vec suite[] = {
	{"get-vanilla",
	 "GET",
	 "/",
	 "",
	 {{0}},
	 "",
	 "host;x-amz-date",
	 "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
	{"get-vanilla-query-order-key-case",
	 "GET",
	 "/",
	 "Param2=value2&Param1=value1",
	 {{0}},
	 "",
	 "host;x-amz-date",
	 "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
	{"get-vanilla-query-unreserved",
	 "GET",
	 "/",
	 "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz="
	 "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
	 {{0}},
	 "",
	 "host;x-amz-date",
	 "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"},
	{"get-vanilla-utf8-query",
	 "GET",
	 "/",
	 "\xe1\x88\xb4=bar",
	 {{0}},
	 "",
	 "host;x-amz-date",
	 "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
	{"get-utf8",
	 "GET",
	 "/\xe1\x88\xb4",
	 "",
	 {{0}},
	 "",
	 "host;x-amz-date",
	 "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85"},
	{"get-space",
	 "GET",
	 "/example space/",
	 "",
	 {{0}},
	 "",
	 "host;x-amz-date",
	 "652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741"},
	{"get-slashes",
	 "GET",
	 "//example//",
	 "",
	 {{0}},
	 "",
	 "host;x-amz-date",
	 "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
	{"get-slash-dot-slash",
	 "GET",
	 "/./",
	 "",
	 {{0}},
	 "",
	 "host;x-amz-date",
	 "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
	{"get-relative-relative",
	 "GET",
	 "/example1/example2/../..",
	 "",
	 {{0}},
	 "",
	 "host;x-amz-date",
	 "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
	{"post-vanilla",
	 "POST",
	 "/",
	 "",
	 {{0}},
	 "",
	 "host;x-amz-date",
	 "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b"},
	{"post-header-key-sort",
	 "POST",
	 "/",
	 "",
	 {{"My-Header1", "value1"}},
	 "",
	 "host;my-header1;x-amz-date",
	 "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c"},
	{"get-header-value-trim",
	 "GET",
	 "/",
	 "",
	 {{"My-Header1", " value1"}, {"My-Header2", " \"a   b   c\""}},
	 "",
	 "host;my-header1;my-header2;x-amz-date",
	 "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
	{"get-header-key-duplicate",
	 "GET",
	 "/",
	 "",
	 {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}},
	 "",
	 "host;my-header1;x-amz-date",
	 "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
	{"post-x-www-form-urlencoded",
	 "POST",
	 "/",
	 "",
	 {{"Content-Type", "application/x-www-form-urlencoded"}},
	 "Param1=value1",
	 "content-type;host;x-amz-date",
	 "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
};

/* The request parts sigv4.h wants, with storage. */
struct built {
	struct sigv4_pair q[MAXP], h[MAXP + 2];
	char qbuf[512];
	char hash[65];
	struct sigv4_request r;
};

/* Splits a raw query the way libmicrohttpd hands it over: pairs at '&', name and value at the
 * first '=' (value NULL without one). */
static size_t split_query(const char *query, char *buf, size_t cap, struct sigv4_pair *q)
{
	size_t n = 0;
	snprintf(buf, cap, "%s", query);
	for (char *save = NULL, *tok = strtok_r(buf, "&", &save); tok && n < MAXP;
	     tok = strtok_r(NULL, "&", &save)) {
		char *eq = strchr(tok, '=');
		if (eq)
			*eq = '\0';
		q[n].name = tok;
		q[n++].value = eq ? eq + 1 : NULL;
	}
	return n;
}

static void build(struct built *b, const struct vec *v, const char *host, const char *date)
{
	size_t nh = 0;
	memset(b, 0, sizeof *b);
	b->h[nh++] = (struct sigv4_pair){"Host", host};
	for (int i = 0; i < MAXP && v->hdr[i][0]; i++)
		b->h[nh++] = (struct sigv4_pair){v->hdr[i][0], v->hdr[i][1]};
	b->h[nh++] = (struct sigv4_pair){"X-Amz-Date", date};
	sigv4_sha256_hex(v->body, strlen(v->body), b->hash);
	b->r = (struct sigv4_request){
		.method = v->method,
		.path = v->path,
		.query = b->q,
		.nquery = split_query(v->query, b->qbuf, sizeof b->qbuf, b->q),
		.headers = b->h,
		.nheaders = nh,
		.payload_hash = b->hash,
		.amz_date = date,
	};
}

static void test_suite_vectors(void)
{
	for (size_t i = 0; i < sizeof suite / sizeof suite[0]; i++) {
		const struct vec *v = &suite[i];
		struct built b;
		struct sigv4_auth a;
		char header[512], sig[65], msg[256] = "";
		build(&b, v, "example.amazonaws.com", "20150830T123600Z");
		snprintf(header, sizeof header, SUITE_AUTH "SignedHeaders=%s, Signature=%s",
			 v->signed_headers, v->signature);
		CHECK(sigv4_parse_auth(header, &a, msg, sizeof msg));
		CHECK(sigv4_sign(&b.r, &a, SECRET, sig, msg, sizeof msg));
		if (strcmp(sig, v->signature) != 0)
			fprintf(stderr, "  vector %s:\n", v->name);
		CHECK_STR(sig, v->signature);
		CHECK(sigv4_verify(&b.r, &a, SECRET, msg, sizeof msg));
		CHECK(!sigv4_verify(&b.r, &a, SECRET "x", msg, sizeof msg));
	}
}

/* The suite's canonical request and string-to-sign hash for get-vanilla. */
static void test_canonical_request_text(void)
{
	struct built b;
	char msg[128], hash[65];
	build(&b, &suite[0], "example.amazonaws.com", "20150830T123600Z");
	char *cr = sigv4_canonical_request(&b.r, "host;x-amz-date", msg, sizeof msg);
	CHECK_STR(cr, "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\n"
		      "host;x-amz-date\n" EMPTY_SHA);
	sigv4_sha256_hex(cr, cr ? strlen(cr) : 0, hash);
	CHECK_STR(hash, "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
	free(cr);

	/* The canonical URI encodes the raw path once more; the query is decoded and re-encoded
	 * canonically, then sorted by key and value. */
	static const struct vec tag = {"tag",
				       "DELETE",
				       "/v2/tags/arn%3Aaws%3Aapigateway",
				       "b=2&a=x%20y&a=%41+&c",
				       {{0}},
				       "",
				       "",
				       ""};
	build(&b, &tag, "h", "20150830T123600Z");
	cr = sigv4_canonical_request(&b.r, "host", msg, sizeof msg);
	CHECK_STR(cr, "DELETE\n/v2/tags/arn%253Aaws%253Aapigateway\na=A%2B&a=x%20y&b=2&c=\n"
		      "host:h\n\nhost\n" EMPTY_SHA);
	free(cr);

	/* A signed header the request lacks. */
	CHECK(!sigv4_canonical_request(&b.r, "host;x-amz-security-token", msg, sizeof msg));
	CHECK(strstr(msg, "x-amz-security-token") != NULL);
}

/* Requests as botocore 1.43 signs them for apigatewayv2 (region eu-west-1, session token),
 * captured from boto3: TagResource (a body; an ARN path segment whose '%3A' is signed as
 * '%253A') and UntagResource (a repeated query key, an encoded space). */
static void test_botocore_vectors(void)
{
	static const char *const path =
		"/v2/tags/arn%3Aaws%3Aapigateway%3Aeu-west-1%3A%3A%2Fapis%2Fabcdefghij";
	static const char body[] = "{\"tags\": {\"team\": \"a b/c\"}}";
	const struct sigv4_pair post_h[] = {
		{"Host", "127.0.0.1:8080"},
		{"Content-Type", "application/json"},
		{"User-Agent", "Boto3/1.43.11 md/Botocore#1.43.11 ua/2.1"},
		{"X-Amz-Date", "20261125T081742Z"},
		{"X-Amz-Security-Token", "FQoGZXIvYXdzEXAMPLETOKEN"},
		{"amz-sdk-invocation-id", "3ef0bd62-8c37-4988-bfa7-0b741894272d"},
		{"amz-sdk-request", "attempt=1"},
		{"Content-Length", "27"},
	};
	const struct sigv4_pair del_h[] = {
		{"Host", "127.0.0.1:8080"},
		{"X-Amz-Date", "20261125T081742Z"},
		{"X-Amz-Security-Token", "FQoGZXIvYXdzEXAMPLETOKEN"},
		{"amz-sdk-request", "attempt=1"},
	};
	const struct sigv4_pair del_q[] = {{"tagKeys", "team"}, {"tagKeys", "x%20y"}};
	char hash[65], empty[65], msg[256] = "";
	struct sigv4_auth a;
	sigv4_sha256_hex(body, strlen(body), hash);
	sigv4_sha256_hex(NULL, 0, empty);
	CHECK_STR(empty, EMPTY_SHA);

	struct sigv4_request post = {"POST", path, NULL, 0, post_h, 8, hash, "20261125T081742Z"};
	CHECK(sigv4_parse_auth(
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/eu-west-1/apigateway/aws4_request, "
		"SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, "
		"Signature=e9a6cdccec430838da9aab8b9ce0fa6d6717b490518134f2607f03e503416a6c",
		&a, msg, sizeof msg));
	CHECK_STR(a.akid, "AKIDEXAMPLE");
	CHECK_STR(a.region, "eu-west-1");
	CHECK_STR(a.service, "apigateway");
	CHECK(sigv4_check_scope(&a, "20261125T081742Z", "apigateway", msg, sizeof msg));
	CHECK(sigv4_verify(&post, &a, SECRET, msg, sizeof msg));
	post.path = "/v2/tags/arn:aws:apigateway:eu-west-1::%2Fapis%2Fabcdefghij"; /* not as sent */
	CHECK(!sigv4_verify(&post, &a, SECRET, msg, sizeof msg));

	struct sigv4_request del = {"DELETE", path, del_q, 2, del_h, 4, empty, "20261125T081742Z"};
	CHECK(sigv4_parse_auth(
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/eu-west-1/apigateway/aws4_request, "
		"SignedHeaders=host;x-amz-date;x-amz-security-token, "
		"Signature=add9a30e15a0b5bb77240009d6874b7f1bad99aa7ab19fa2984bce76f40a1a87",
		&a, msg, sizeof msg));
	CHECK(sigv4_verify(&del, &a, SECRET, msg, sizeof msg));
	const struct sigv4_pair one_q[] = {{"tagKeys", "team"}}; /* a key dropped */
	del.query = one_q;
	del.nquery = 1;
	CHECK(!sigv4_verify(&del, &a, SECRET, msg, sizeof msg));
	CHECK(strstr(msg, "does not match") != NULL);
}

static void test_parse_failures(void)
{
	struct sigv4_auth a;
	char msg[512];
	CHECK(!sigv4_parse_auth("Bearer abc", &a, msg, sizeof msg));
	CHECK(strstr(msg, "AWS4-HMAC-SHA256") != NULL);
	CHECK(!sigv4_parse_auth("AWS4-HMAC-SHA256", &a, msg, sizeof msg));
	CHECK(strstr(msg, "requires 'Credential'") && strstr(msg, "requires 'Signature'") &&
	      strstr(msg, "requires 'SignedHeaders'"));
	CHECK(!sigv4_parse_auth(SUITE_AUTH "Signature=abc", &a, msg, sizeof msg));
	CHECK(strstr(msg, "'SignedHeaders'") && !strstr(msg, "'Credential'"));
	CHECK(!sigv4_parse_auth(SUITE_AUTH "SignedHeaders=host, Signature", &a, msg, sizeof msg));
	CHECK(strstr(msg, "missing equal-sign") != NULL);
	CHECK(!sigv4_parse_auth(SUITE_AUTH "SignedHeaders=host, Signature=abc", &a, msg,
				sizeof msg));
	CHECK(strstr(msg, "64 hexadecimal") != NULL);
	CHECK(!sigv4_parse_auth("AWS4-HMAC-SHA256 Credential=AKID/20150830/us-east-1/service, "
				"SignedHeaders=host, Signature=" EMPTY_SHA,
				&a, msg, sizeof msg));
	CHECK(strstr(msg, "Credential must have the form") != NULL);
	CHECK(!sigv4_parse_auth(
		"AWS4-HMAC-SHA256 Credential=AKID/2015083/us-east-1/s/aws4_request, "
		"SignedHeaders=host, Signature=" EMPTY_SHA,
		&a, msg, sizeof msg));
	CHECK(!sigv4_parse_auth("AWS4-HMAC-SHA256 Credential=/20150830/us-east-1/s/aws4_request, "
				"SignedHeaders=host, Signature=" EMPTY_SHA,
				&a, msg, sizeof msg));
	CHECK(!sigv4_parse_auth(
		"AWS4-HMAC-SHA256 Credential=A/20150830/us-east-1/s/aws4_request/x, "
		"SignedHeaders=host, Signature=" EMPTY_SHA,
		&a, msg, sizeof msg));
	/* Order of the parts and spacing do not matter. */
	CHECK(sigv4_parse_auth("AWS4-HMAC-SHA256 Signature=" EMPTY_SHA ",SignedHeaders=host,"
			       "Credential=AKID/20150830/us-east-1/s/aws4_request",
			       &a, msg, sizeof msg));
	CHECK_STR(a.signed_headers, "host");
	CHECK_STR(a.signature, EMPTY_SHA);
}

static void test_scope(void)
{
	struct sigv4_auth a;
	char msg[512];
	const char *date = "20150830T123600Z";
	CHECK(sigv4_parse_credential("K/20150830/us-east-1/apigateway/aws4_request", &a, msg,
				     sizeof msg));
	CHECK(sigv4_check_scope(&a, date, "apigateway", msg, sizeof msg));
	CHECK(!sigv4_check_scope(&a, "20150831T000000Z", "apigateway", msg, sizeof msg));
	CHECK(strstr(msg, "Date in Credential scope does not match") != NULL);
	CHECK(!sigv4_check_scope(&a, date, "execute-api", msg, sizeof msg));
	CHECK(strstr(msg, "correct service: 'execute-api'") != NULL);
	CHECK(sigv4_parse_credential("K/20150830/us-east-1/apigateway/aws4_reqest", &a, msg,
				     sizeof msg));
	CHECK(!sigv4_check_scope(&a, date, "apigateway", msg, sizeof msg));
	CHECK(strstr(msg, "valid terminator") != NULL);
	CHECK(sigv4_parse_credential("K/20150830/US_EAST/apigateway/aws4_request", &a, msg,
				     sizeof msg));
	CHECK(!sigv4_check_scope(&a, date, "apigateway", msg, sizeof msg));
	CHECK(strstr(msg, "valid region") != NULL);
}

static void test_time(void)
{
	time_t t, now;
	char amz[17], msg[256];
	CHECK(sigv4_parse_amz_date("20150830T123600Z", &t));
	CHECK(t == 1440938160);
	CHECK(!sigv4_parse_amz_date("20150830T123600", &t));
	CHECK(!sigv4_parse_amz_date("20150230T123600Z", &t)); /* 30 February */
	CHECK(!sigv4_parse_amz_date("20150830T253600Z", &t));
	CHECK(!sigv4_parse_amz_date("2015-08-30T12:36Z", &t));
	CHECK(!sigv4_parse_amz_date("", &t));
	CHECK(sigv4_parse_http_date("Sun, 30 Aug 2015 12:36:00 GMT", &t, amz));
	CHECK(t == 1440938160);
	CHECK_STR(amz, "20150830T123600Z");
	CHECK(!sigv4_parse_http_date("Sun, 30 Aug 2015 12:36:00", &t, amz));

	now = 1440938160;
	CHECK(sigv4_check_time(now - SIGV4_MAX_SKEW, "x", now, msg, sizeof msg));
	CHECK(sigv4_check_time(now + SIGV4_MAX_SKEW, "x", now, msg, sizeof msg));
	CHECK(!sigv4_check_time(now - SIGV4_MAX_SKEW - 1, "20150830T122059Z", now, msg,
				sizeof msg));
	CHECK_STR(msg, "Signature expired: 20150830T122059Z is now earlier than 20150830T122100Z "
		       "(20150830T123600Z - 15 min.)");
	CHECK(!sigv4_check_time(now + SIGV4_MAX_SKEW + 1, "20150830T125101Z", now, msg,
				sizeof msg));
	CHECK(strstr(msg, "Signature not yet current: 20150830T125101Z is still later than "
			  "20150830T125100Z") != NULL);
}

int main(void)
{
	RUN(test_suite_vectors);
	RUN(test_canonical_request_text);
	RUN(test_botocore_vectors);
	RUN(test_parse_failures);
	RUN(test_scope);
	RUN(test_time);
	return unit_report("test_sigv4");
}
