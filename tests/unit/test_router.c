/* test_router.c — the route table and the matcher (server/router.h): every row is reachable,
 * path parameters are decoded per segment, 404/405 answers, and the table's own invariants. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "router.h"
#include "unit.h"

static const char *const methods[] = {"GET", "POST", "PUT", "PATCH", "DELETE", NULL};

static void free_params(char *params[ROUTE_MAX_PARAMS])
{
	for (unsigned i = 0; i < ROUTE_MAX_PARAMS; i++) {
		free(params[i]);
		params[i] = NULL;
	}
}

/* The operation `method path` routes to, or "404"/"405 <allow>"/"BAD"; the decoded
 * parameters go to params (all NULL unless found). Result in a static buffer. */
static const char *route_of(const char *method, const char *path, char *params[ROUTE_MAX_PARAMS])
{
	static char out[128];
	const struct route *r = NULL;
	char allow[64];
	memset(params, 0, ROUTE_MAX_PARAMS * sizeof *params);
	switch (router_match(method, path, &r, params, allow, sizeof allow)) {
	case ROUTE_FOUND: snprintf(out, sizeof out, "%s", r ? r->op : "(null route)"); break;
	case ROUTE_NO_PATH: snprintf(out, sizeof out, "404"); break;
	case ROUTE_NO_METHOD: snprintf(out, sizeof out, "405 %s", allow); break;
	case ROUTE_BAD_PATH: snprintf(out, sizeof out, "BAD"); break;
	}
	return out;
}

/* route_of, checking that nothing was captured unless found; frees the parameters. */
static const char *op_of(const char *method, const char *path)
{
	char *params[ROUTE_MAX_PARAMS];
	const char *op = route_of(method, path, params);
	if (strcmp(op, "404") == 0 || strncmp(op, "405", 3) == 0)
		for (unsigned i = 0; i < ROUTE_MAX_PARAMS; i++)
			CHECK(params[i] == NULL);
	free_params(params);
	return op;
}

static unsigned param_count(const char *tmpl)
{
	unsigned n = 0;
	for (const char *p = tmpl; (p = strchr(p, '{')); p++)
		n++;
	return n;
}

/* The template with every {name} replaced by {}: two rows with the same shape and method
 * would make one of them unreachable. */
static void shape_of(const char *tmpl, char *buf, size_t len)
{
	size_t o = 0;
	for (const char *p = tmpl; *p && o + 3 < len; p++) {
		buf[o++] = *p;
		if (*p == '{') {
			buf[o++] = '}';
			p = strchr(p, '}');
			if (!p)
				break;
		}
	}
	buf[o] = '\0';
}

/* Fills a concrete path for template t, parameter i being "p<i>-<row>"; records the values. */
static void instantiate(const char *t, size_t row, char *path, size_t len,
			char values[ROUTE_MAX_PARAMS][32])
{
	size_t o = 0;
	unsigned n = 0;
	for (const char *p = t; *p && o + 1 < len; p++) {
		if (*p != '{') {
			path[o++] = *p;
			continue;
		}
		char v[32];
		snprintf(v, sizeof v, "p%u-%zu", n, row);
		if (n < ROUTE_MAX_PARAMS)
			snprintf(values[n], sizeof values[n], "%s", v);
		n++;
		o += (size_t)snprintf(path + o, len - o, "%s", v);
		p = strchr(p, '}');
		if (!p)
			break;
	}
	path[o < len ? o : len - 1] = '\0';
}

static void test_every_row_matches_itself(void)
{
	CHECK(router_count > 50);
	for (size_t i = 0; i < router_count; i++) {
		const struct route *want = &router_routes[i];
		char path[512], values[ROUTE_MAX_PARAMS][32];
		char *params[ROUTE_MAX_PARAMS] = {0};
		const struct route *r = NULL;
		char allow[64];
		unsigned n = param_count(want->path);
		instantiate(want->path, i, path, sizeof path, values);
		enum route_result rr =
			router_match(want->method, path, &r, params, allow, sizeof allow);
		CHECK(rr == ROUTE_FOUND);
		CHECK(r == want);
		if (rr != ROUTE_FOUND || r != want)
			fprintf(stderr, "  ^ %s %s (%s) -> %d %s\n", want->method, path, want->op,
				(int)rr, r ? r->op : "-");
		for (unsigned j = 0; j < ROUTE_MAX_PARAMS; j++) {
			if (j < n && j < ROUTE_MAX_PARAMS)
				CHECK_STR(params[j], values[j]);
			else
				CHECK(params[j] == NULL);
		}
		free_params(params);
		/* the same with a trailing slash and a query string */
		char path2[600];
		snprintf(path2, sizeof path2, "%s/?a=b/c&d=%%2F", path);
		rr = router_match(want->method, path2, &r, params, allow, sizeof allow);
		CHECK(rr == ROUTE_FOUND && r == want);
		if (n)
			CHECK_STR(params[n - 1], values[n - 1]);
		free_params(params);
	}
}

static void test_realistic_requests(void)
{
	char *p[ROUTE_MAX_PARAMS];
	CHECK_STR(route_of("GET", "/v2/apis", p), "GetApis");
	free_params(p);
	CHECK_STR(route_of("POST", "/v2/apis", p), "CreateApi");
	free_params(p);
	CHECK_STR(route_of("GET", "/v2/apis/a1b2c3d4e5", p), "GetApi");
	CHECK_STR(p[0], "a1b2c3d4e5");
	CHECK(p[1] == NULL);
	free_params(p);
	CHECK_STR(route_of("PATCH", "/v2/apis/a1b2c3d4e5/integrations/0abcdef", p),
		  "UpdateIntegration");
	CHECK_STR(p[0], "a1b2c3d4e5");
	CHECK_STR(p[1], "0abcdef");
	free_params(p);
	CHECK_STR(route_of("GET",
			   "/v2/apis/a1b2c3d4e5/integrations/0abcdef/integrationresponses/abc123",
			   p),
		  "GetIntegrationResponse");
	CHECK_STR(p[2], "abc123");
	free_params(p);
	/* a stage named $default, a route key with spaces and slashes */
	CHECK_STR(
		route_of(
			"DELETE",
			"/v2/apis/a1b2c3d4e5/stages/%24default/routesettings/GET%20%2Fpets%2F%7Bid%7D",
			p),
		"DeleteRouteSettings");
	CHECK_STR(p[1], "$default");
	CHECK_STR(p[2], "GET /pets/{id}");
	free_params(p);
	CHECK_STR(route_of("DELETE", "/v2/apis/a/stages/$default/routesettings/$connect", p),
		  "DeleteRouteSettings");
	CHECK_STR(p[1], "$default");
	CHECK_STR(p[2], "$connect");
	free_params(p);
	/* a route key with {proxy+}: '+' in a path is a plus, not a space */
	CHECK_STR(route_of("DELETE",
			   "/v2/apis/a/routes/r/requestparameters/route.request.path.proxy%2B", p),
		  "DeleteRouteRequestParameter");
	CHECK_STR(p[2], "route.request.path.proxy+");
	free_params(p);
	CHECK_STR(route_of("DELETE", "/v2/apis/a/stages/s/routesettings/ANY%20%2F%7Bproxy+%7D", p),
		  "DeleteRouteSettings");
	CHECK_STR(p[2], "ANY /{proxy+}");
	free_params(p);
	/* a domain name */
	CHECK_STR(route_of("GET", "/v2/domainnames/api.example.com/apimappings/m1", p),
		  "GetApiMapping");
	CHECK_STR(p[0], "api.example.com");
	CHECK_STR(p[1], "m1");
	free_params(p);
	CHECK_STR(route_of("GET", "/v2/apis/a/exports/OAS30", p), "ExportApi");
	CHECK_STR(p[1], "OAS30");
	free_params(p);
}

static void test_tag_arn_is_one_decoded_param(void)
{
	char *p[ROUTE_MAX_PARAMS];
	static const char arn[] = "arn:aws:apigateway:us-east-1::/apis/abc";
	CHECK_STR(route_of("GET", "/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2Fabc",
			   p),
		  "GetTags");
	CHECK_STR(p[0], arn);
	CHECK(p[1] == NULL);
	free_params(p);
	/* lower-case hex, a stage ARN, and the query string of UntagResource */
	CHECK_STR(route_of("DELETE",
			   "/v2/tags/arn%3aaws%3aapigateway%3aeu-west-1%3a%3a%2fapis%2fabc%2fstages"
			   "%2fprod?tagKeys=a&tagKeys=b",
			   p),
		  "UntagResource");
	CHECK_STR(p[0], "arn:aws:apigateway:eu-west-1::/apis/abc/stages/prod");
	free_params(p);
	CHECK_STR(route_of("POST",
			   "/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2Fabc/", p),
		  "TagResource");
	CHECK_STR(p[0], arn);
	free_params(p);
	/* a raw (unencoded) ARN has more segments: no such path */
	CHECK_STR(op_of("GET", "/v2/tags/arn:aws:apigateway:us-east-1::/apis/abc"), "404");
	/* %2F never splits a segment */
	CHECK_STR(route_of("GET", "/v2/apis/a%2Fb", p), "GetApi");
	CHECK_STR(p[0], "a/b");
	free_params(p);
	CHECK_STR(route_of("GET", "/v2/apis/a%2Fintegrations", p), "GetApi");
	CHECK_STR(p[0], "a/integrations");
	free_params(p);
}

static void test_trailing_slash(void)
{
	char *p[ROUTE_MAX_PARAMS];
	CHECK_STR(op_of("GET", "/v2/apis/"), "GetApis");
	CHECK_STR(op_of("POST", "/v2/apis/"), "CreateApi");
	CHECK_STR(route_of("GET", "/v2/apis/abc/", p), "GetApi");
	CHECK_STR(p[0], "abc");
	CHECK(p[1] == NULL);
	free_params(p);
	CHECK_STR(op_of("GET", "/v2/apis/abc/integrations/"), "GetIntegrations");
	CHECK_STR(op_of("GET", "/v2/vpclinks/"), "GetVpcLinks");
	/* only one slash is forgiven */
	CHECK_STR(op_of("GET", "/v2/apis//"), "404");
	CHECK_STR(op_of("GET", "/v2/apis/abc//"), "404");
}

static void test_wrong_method(void)
{
	CHECK_STR(op_of("PUT", "/v2/apis/abc/integrations"), "405 GET, POST");
	CHECK_STR(op_of("POST", "/v2/apis/abc"), "405 GET, PUT, PATCH, DELETE");
	CHECK_STR(op_of("GET", "/v2/apis/abc/cors"), "405 DELETE");
	CHECK_STR(op_of("DELETE", "/v2/apis"), "405 GET, POST, PUT");
	CHECK_STR(op_of("get", "/v2/apis"), "405 GET, POST, PUT");
	CHECK_STR(op_of("PATCH", "/v2/tags/arn%3Ax"), "405 GET, POST, DELETE");
	CHECK_STR(op_of("HEAD", "/v2/apis/?x=1"), "405 GET, POST, PUT");

	/* for every path of the table, an unknown method lists exactly its methods */
	for (size_t i = 0; i < router_count; i++) {
		char path[512], values[ROUTE_MAX_PARAMS][32];
		instantiate(router_routes[i].path, i, path, sizeof path, values);
		char want[64] = "";
		unsigned nwant = 0;
		for (size_t j = 0; j < router_count; j++)
			if (strcmp(router_routes[j].path, router_routes[i].path) == 0) {
				snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s",
					 nwant ? ", " : "", router_routes[j].method);
				nwant++;
			}
		char expect[80];
		snprintf(expect, sizeof expect, "405 %s", want);
		CHECK_STR(op_of("TRACE", path), expect);
		/* each listed method is one the path answers */
		for (const char *const *m = methods; *m; m++) {
			char *p[ROUTE_MAX_PARAMS];
			const char *op = route_of(*m, path, p);
			bool listed = false;
			for (const char *s = want; (s = strstr(s, *m)); s += strlen(*m))
				if ((s == want || s[-1] == ' ') &&
				    (s[strlen(*m)] == ',' || !s[strlen(*m)]))
					listed = true;
			CHECK(listed == (strncmp(op, "405", 3) != 0));
			free_params(p);
		}
	}

	/* a short Allow buffer is truncated, never overrun */
	const struct route *r = NULL;
	char *p[ROUTE_MAX_PARAMS] = {0};
	char small[8];
	CHECK(router_match("POST", "/v2/apis/abc", &r, p, small, sizeof small) == ROUTE_NO_METHOD);
	CHECK(strlen(small) < sizeof small);
	CHECK(strncmp(small, "GET, PU", strlen(small)) == 0);
}

static void test_unknown_paths(void)
{
	static const char *const paths[] = {
		"/",
		"",
		"/v2",
		"/v2/",
		"/v2/nope",
		"/v1/apis",
		"/V2/APIS",
		"v2/apis",
		"/v2/apis/abc/unknown",
		"/v2/apis/abc/integrations/def/extra/more",
		"/v2/apis/abc/integrations/def/integrationresponses/x/y",
		"/v2/apisx",
		"/v2/api",
		"/v2/tags",
		"/v2/tags/",
		"/v2/apis//integrations",
		"/v2/apis//integrations/x",
		"/v2/apis/abc/integrations//integrationresponses",
		"/v2/domainnames//apimappings",
		"//v2/apis",
		"?/v2/apis",
	};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		for (const char *const *m = methods; *m; m++) {
			const char *op = op_of(*m, paths[i]);
			CHECK_STR(op, "404");
			if (strcmp(op, "404"))
				fprintf(stderr, "  ^ %s %s\n", *m, paths[i]);
		}
	}
	/* a very long path is simply unknown */
	char *big = malloc(5000);
	memset(big, 'a', 4999);
	memcpy(big, "/v2/apis/", 9);
	big[4999] = '\0';
	CHECK_STR(op_of("GET", big), "404");
	free(big);
}

static void test_empty_param_segment(void)
{
	/* an empty {param} never matches, so the shorter template is not reached either */
	CHECK_STR(op_of("GET", "/v2/apis//stages"), "404");
	CHECK_STR(op_of("DELETE", "/v2/apis/a/stages//routesettings/k"), "404");
	CHECK_STR(op_of("DELETE", "/v2/apis/a/stages/s/routesettings/"), "404");
	CHECK_STR(op_of("GET", "/v2/domainnames/"), "GetDomainNames");
}

static void test_query_string_ignored(void)
{
	char *p[ROUTE_MAX_PARAMS];
	CHECK_STR(op_of("GET", "/v2/apis?maxResults=1&nextToken=abc"), "GetApis");
	CHECK_STR(op_of("GET", "/v2/apis/?maxResults=1"), "GetApis");
	CHECK_STR(op_of("GET", "/v2/apis?"), "GetApis");
	CHECK_STR(route_of("GET", "/v2/apis/abc?x=/integrations/def", p), "GetApi");
	CHECK_STR(p[0], "abc");
	free_params(p);
	CHECK_STR(op_of("PUT", "/v2/apis?basepath=prepend&failOnWarnings=true"), "ImportApi");
	CHECK_STR(op_of("GET", "/v2/nope?/v2/apis"), "404");
}

static void test_table_invariants(void)
{
	for (size_t i = 0; i < router_count; i++) {
		const struct route *r = &router_routes[i];
		CHECK(r->method && r->path && r->op);
		/* a row runs its handler, or a generic operation on a resource definition */
		CHECK(r->run == RUN_HANDLER ? r->fn && !r->def : r->def && !r->fn);
		/* the body policy is the verb's, the auth and token policy the path's */
		bool body_verb = strcmp(r->method, "POST") == 0 || strcmp(r->method, "PUT") == 0 ||
				 strcmp(r->method, "PATCH") == 0;
		CHECK(!!(r->flags & ROUTE_BODY) == body_verb);
		bool dataplane = strncmp(r->path, "/dataplane/", 11) == 0;
		CHECK(!!(r->flags & ROUTE_DATAPLANE) == dataplane);
		CHECK(!dataplane || (r->flags & ROUTE_NO_AUTH));
		/* signed: the AWS API, the reset, and what reads an account's resources */
		CHECK(!(r->flags & ROUTE_NO_AUTH) ==
		      (strncmp(r->path, "/v2/", 4) == 0 || strcmp(r->path, "/_apigwd/reset") == 0 ||
		       strncmp(r->path, "/_apigwd/apis/", 14) == 0));
		bool known = false;
		for (const char *const *m = methods; *m; m++)
			known |= strcmp(*m, r->method) == 0;
		CHECK(known);
		CHECK(r->path[0] == '/' && r->path[1] != '\0' && r->path[1] != '{');
		CHECK(r->path[strlen(r->path) - 1] != '/');
		CHECK(!strstr(r->path, "//"));
		CHECK(!strchr(r->path, '?'));
		/* braces pair up and are whole segments */
		int open = 0;
		for (const char *s = r->path; *s; s++) {
			if (*s == '{') {
				CHECK(open == 0 && s[-1] == '/');
				open++;
			} else if (*s == '}') {
				CHECK(open == 1 && (s[1] == '/' || s[1] == '\0'));
				open--;
			}
		}
		CHECK(open == 0);
		unsigned n = param_count(r->path);
		CHECK(n <= ROUTE_MAX_PARAMS);
		if (n > ROUTE_MAX_PARAMS)
			fprintf(stderr, "  ^ %s has %u parameters\n", r->path, n);

		char shape_i[512];
		shape_of(r->path, shape_i, sizeof shape_i);
		for (size_t j = i + 1; j < router_count; j++) {
			const struct route *o = &router_routes[j];
			char shape_j[512];
			shape_of(o->path, shape_j, sizeof shape_j);
			bool dup =
				strcmp(r->method, o->method) == 0 && strcmp(shape_i, shape_j) == 0;
			CHECK(!dup);
			if (dup)
				fprintf(stderr, "  ^ %s %s and %s\n", r->method, r->path, o->path);
			CHECK(strcmp(r->op, o->op) != 0);
			/* the same path spelled with other parameter names would split Allow */
			CHECK(strcmp(shape_i, shape_j) != 0 || strcmp(r->path, o->path) == 0);
		}
	}
}

static void test_param_names(void)
{
	char buf[64];
	for (size_t i = 0; i < router_count; i++) {
		const struct route *r = &router_routes[i];
		unsigned n = param_count(r->path), k = 0;
		while (router_param_name(r, k, buf, sizeof buf)) {
			char braced[80];
			snprintf(braced, sizeof braced, "{%s}", buf);
			CHECK(strstr(r->path, braced) != NULL);
			CHECK(buf[0] != '\0');
			k++;
			if (k > 10)
				break;
		}
		CHECK(k == n);
	}
	const struct route *r = NULL;
	char *p[ROUTE_MAX_PARAMS] = {0};
	char allow[64];
	CHECK(router_match("GET", "/v2/apis/a/integrations/b/integrationresponses/c", &r, p, allow,
			   sizeof allow) == ROUTE_FOUND);
	free_params(p);
	if (r) {
		CHECK(router_param_name(r, 0, buf, sizeof buf) && strcmp(buf, "apiId") == 0);
		CHECK(router_param_name(r, 1, buf, sizeof buf) &&
		      strcmp(buf, "integrationId") == 0);
		CHECK(router_param_name(r, 2, buf, sizeof buf) &&
		      strcmp(buf, "integrationResponseId") == 0);
		CHECK(!router_param_name(r, 3, buf, sizeof buf));
		CHECK(!router_param_name(r, 100, buf, sizeof buf));
		/* a short buffer truncates */
		char tiny[4];
		CHECK(router_param_name(r, 1, tiny, sizeof tiny));
		CHECK_STR(tiny, "int");
	}
	CHECK(router_match("GET", "/v2/tags/x", &r, p, allow, sizeof allow) == ROUTE_FOUND);
	free_params(p);
	CHECK(router_param_name(r, 0, buf, sizeof buf));
	CHECK_STR(buf, "resource-arn");
	CHECK(router_match("GET", "/v2/apis", &r, p, allow, sizeof allow) == ROUTE_FOUND);
	CHECK(!router_param_name(r, 0, buf, sizeof buf));
}

int main(void)
{
	RUN(test_every_row_matches_itself);
	RUN(test_realistic_requests);
	RUN(test_tag_arn_is_one_decoded_param);
	RUN(test_trailing_slash);
	RUN(test_wrong_method);
	RUN(test_unknown_paths);
	RUN(test_empty_param_segment);
	RUN(test_query_string_ignored);
	RUN(test_table_invariants);
	RUN(test_param_names);
	return unit_report("router");
}
