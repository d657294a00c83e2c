/* test_jspec.c — field tables (server/jspec.h): validation, merging and rendering on small
 * tables defined here, then the real Integration and Api tables against spec §4/§5 and the
 * AWS tag rules. */
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "jspec.h"
#include "res_apis.h"
#include "res_integrations.h"
#include "unit.h"

/* ---- helpers ---- */

static struct apierr last_err; /* the error of the last parse() */
static char out_buf[16384];    /* the answer of the last accepts()/render_*() */

static json_t *load(const char *text)
{
	json_error_t je;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
	if (!v)
		fprintf(stderr, "test bug: bad JSON %s: %s\n", text, je.text);
	return v;
}

/* Compact JSON of v into out_buf; keys sorted when `sorted`, else in object order. */
static const char *dump(const json_t *v, bool sorted)
{
	char *s = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | (sorted ? JSON_SORT_KEYS : 0))
		    : NULL;
	snprintf(out_buf, sizeof out_buf, "%s", s ? s : "(null)");
	free(s);
	return out_buf;
}

/* jspec_parse of the JSON text; NULL with last_err set on failure. New reference. */
static json_t *parse(const struct jfield *t, const char *text, enum jmode m, unsigned proto)
{
	json_t *in = load(text);
	memset(&last_err, 0, sizeof last_err);
	json_t *doc = in ? jspec_parse(t, in, m, proto, &last_err) : NULL;
	json_decref(in);
	return doc;
}

/* The accepted doc as sorted compact JSON, or "ERROR: message". */
static const char *accepts(const struct jfield *t, const char *text, enum jmode m, unsigned proto)
{
	json_t *doc = parse(t, text, m, proto);
	if (!doc) {
		snprintf(out_buf, sizeof out_buf, "ERROR: %s", last_err.msg);
		return out_buf;
	}
	dump(doc, true);
	json_decref(doc);
	return out_buf;
}

/* True when the request is refused with a 400 whose message contains `needle`. */
static bool rejects(const struct jfield *t, const char *text, enum jmode m, unsigned proto,
		    const char *needle)
{
	json_t *doc = parse(t, text, m, proto);
	if (doc) {
		fprintf(stderr, "  accepted %s as %s (wanted an error with \"%s\")\n", text,
			dump(doc, true), needle);
		json_decref(doc);
		return false;
	}
	if (last_err.code != E_BAD_REQUEST || !strstr(last_err.msg, needle)) {
		fprintf(stderr, "  %s -> %d \"%s\" (wanted 400 with \"%s\")\n", text,
			(int)last_err.code, last_err.msg, needle);
		return false;
	}
	return true;
}

/* jspec_render of the JSON text; keys in the rendered order unless `sorted`. */
static const char *render_text(const struct jfield *t, const char *doctext, unsigned proto,
			       bool sorted)
{
	json_t *doc = load(doctext);
	json_t *out = doc ? jspec_render(t, doc, proto) : NULL;
	dump(out, sorted);
	json_decref(out);
	json_decref(doc);
	return out_buf;
}

/* jspec_merge of patch into doc, as sorted compact JSON. */
static const char *merge_text(const struct jfield *t, const char *doctext, const char *patchtext)
{
	json_t *doc = load(doctext), *patch = load(patchtext);
	if (doc && patch)
		jspec_merge(t, doc, patch);
	dump(doc, true);
	json_decref(doc);
	json_decref(patch);
	return out_buf;
}

/* A string of n copies of the UTF-8 character c (c may be several bytes). Caller frees. */
static char *repeat(const char *c, size_t n)
{
	size_t cl = strlen(c);
	char *s = malloc(n * cl + 1);
	for (size_t i = 0; i < n; i++)
		memcpy(s + i * cl, c, cl);
	s[n * cl] = '\0';
	return s;
}

/* ---- a small table exercising every type and flag ---- */

static const char *const colors[] = {"red", "green", "blue", NULL};

static const struct jfield inner_fields[] = {
	{"inner", J_STR, 1, 3, F_REQUIRED},
	{"n", J_INT, 0, 5},
	{0},
};

static const struct jfield mid_fields[] = {
	{"mid", J_OBJ, .sub = inner_fields},
	{0},
};

static const struct jfield t_fields[] = {
	{"id", J_STR, .flags = F_SERVER},
	{"name", J_STR, 1, 5, F_IN | F_REQUIRED},
	{"count", J_INT, 1, 10, F_IN},
	{"big", J_INT, .flags = F_IN},
	{"flag", J_BOOL, .flags = F_IN},
	{"color", J_ENUM, .flags = F_IN, .enums = colors},
	{"labels", J_STRMAP, 1, 4, F_IN | F_MERGE},
	{"params", J_MAPMAP, 1, 4, F_IN | F_MERGE},
	{"list", J_STRLIST, 1, 3, F_IN},
	{"nums", J_INTLIST, 0, 9, F_IN},
	{"obj", J_OBJ, .flags = F_IN, .sub = inner_fields},
	{"objs", J_OBJMAP, .flags = F_IN, .sub = inner_fields},
	{"deep", J_OBJ, .flags = F_IN, .sub = mid_fields},
	{"extra", J_ANY, .flags = F_SERVER},
	{"wsOnly", J_STR, 1, 8, F_IN, .proto = P_WS},
	{"httpOnly", J_STR, 1, 8, F_IN, .proto = P_HTTP},
	{"createOnly", J_STR, .flags = F_CREATE},
	{"updateOnly", J_STR, .flags = F_UPDATE},
	{"whole", J_STRMAP, .flags = F_IN},
	{0},
};

#define C JM_CREATE
#define U JM_UPDATE

static void test_type_errors_name_the_member(void)
{
	CHECK(rejects(t_fields, "{\"name\":5}", C, P_ANY, "Invalid type for name"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"count\":\"1\"}", C, P_ANY,
		      "Invalid type for count"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"count\":1.5}", C, P_ANY,
		      "Invalid type for count"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"count\":true}", C, P_ANY,
		      "Invalid type for count"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"flag\":\"true\"}", C, P_ANY,
		      "Invalid type for flag"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"flag\":1}", C, P_ANY, "Invalid type for flag"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"color\":1}", C, P_ANY,
		      "Invalid type for color"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"labels\":[]}", C, P_ANY,
		      "Invalid type for labels"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"labels\":{\"k\":1}}", C, P_ANY,
		      "Invalid type for labels.k"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"params\":\"x\"}", C, P_ANY,
		      "Invalid type for params"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"params\":{\"200\":\"x\"}}", C, P_ANY,
		      "Invalid type for params.200"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"params\":{\"200\":{\"h\":2}}}", C, P_ANY,
		      "Invalid type for params.200.h"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"list\":\"x\"}", C, P_ANY,
		      "Invalid type for list"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"list\":[\"a\",1]}", C, P_ANY,
		      "Invalid type for list[1]"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"nums\":3}", C, P_ANY, "Invalid type for nums"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"nums\":[\"3\"]}", C, P_ANY,
		      "Invalid type for nums[0]"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"obj\":[]}", C, P_ANY, "Invalid type for obj"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"objs\":\"x\"}", C, P_ANY,
		      "Invalid type for objs"));
	CHECK(rejects(t_fields, "{\"name\":\"a\",\"objs\":{\"k\":1}}", C, P_ANY,
		      "Invalid type for objs.k"));
	/* the same checks on update */
	CHECK(rejects(t_fields, "{\"count\":\"1\"}", U, P_ANY, "Invalid type for count"));
	/* a request that is not an object */
	CHECK(rejects(t_fields, "[]", C, P_ANY, "expected a JSON object"));
	CHECK(rejects(t_fields, "\"x\"", U, P_ANY, "expected a JSON object"));
	/* every type accepts a good value */
	CHECK_STR(accepts(t_fields,
			  "{\"name\":\"a\",\"count\":2,\"big\":-7,\"flag\":false,\"color\":\"red\","
			  "\"labels\":{\"k\":\"v\"},\"params\":{\"200\":{\"h\":\"v\"}},"
			  "\"list\":[\"x\"],\"nums\":[0,9],\"obj\":{\"inner\":\"i\"},"
			  "\"objs\":{\"o\":{\"inner\":\"j\",\"n\":5}},"
			  "\"deep\":{\"mid\":{\"inner\":\"d\"}}}",
			  C, P_ANY),
		  "{\"big\":-7,\"color\":\"red\",\"count\":2,\"deep\":{\"mid\":{\"inner\":\"d\"}},"
		  "\"flag\":false,\"labels\":{\"k\":\"v\"},\"list\":[\"x\"],\"name\":\"a\","
		  "\"nums\":[0,9],\"obj\":{\"inner\":\"i\"},\"objs\":{\"o\":{\"inner\":\"j\","
		  "\"n\":5}},\"params\":{\"200\":{\"h\":\"v\"}}}");
}

static void test_string_lengths_count_characters(void)
{
	/* name is 1..5 characters: 5 characters of 2, 3 and 4 bytes each are fine */
	CHECK_STR(accepts(t_fields, "{\"name\":\"h\xc3\xa9llo\"}", C, P_ANY),
		  "{\"name\":\"h\xc3\xa9llo\"}");
	CHECK_STR(accepts(t_fields, "{\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}", C,
			  P_ANY),
		  "{\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}");
	CHECK(strncmp(accepts(t_fields,
			      "{\"name\":\"\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac\xe2\x82"
			      "\xac\xe2\x82\xac\"}",
			      C, P_ANY),
		      "{\"name\"", 7) == 0);
	CHECK(strncmp(accepts(t_fields,
			      "{\"name\":\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98"
			      "\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"}",
			      C, P_ANY),
		      "{\"name\"", 7) == 0);
	/* \u escapes are characters too */
	CHECK(strncmp(accepts(t_fields, "{\"name\":\"\\u00e9\\u00e9\\u00e9\\u00e9\\u00e9\"}", C,
			      P_ANY),
		      "{\"name\"", 7) == 0);
	CHECK(rejects(t_fields, "{\"name\":\"h\xc3\xa9llo!\"}", C, P_ANY,
		      "Invalid value for name: length 6"));
	CHECK(rejects(t_fields, "{\"name\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}",
		      C, P_ANY, "length 6"));
	CHECK(rejects(t_fields, "{\"name\":\"\"}", C, P_ANY, "Invalid value for name: length 0"));
	CHECK(rejects(t_fields, "{\"name\":\"abcdef\"}", U, P_ANY, "between 1 and 5"));
	/* map values (1..4), list items (1..3) and nested members (1..3) likewise */
	CHECK(strncmp(accepts(t_fields, "{\"labels\":{\"k\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}}",
			      U, P_ANY),
		      "{\"labels\"", 9) == 0);
	CHECK(rejects(t_fields, "{\"labels\":{\"k\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}}",
		      U, P_ANY, "Invalid value for labels: length 5"));
	CHECK(strncmp(accepts(t_fields, "{\"list\":[\"\xc3\xa9\xc3\xa9\xc3\xa9\"]}", U, P_ANY),
		      "{\"list\"", 7) == 0);
	CHECK(rejects(t_fields, "{\"list\":[\"ok\",\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"]}", U,
		      P_ANY, "Invalid value for list[1]: length 4"));
	CHECK(rejects(t_fields, "{\"list\":[\"\"]}", U, P_ANY, "list[0]: length 0"));
	CHECK(strncmp(accepts(t_fields,
			      "{\"params\":{\"200\":{\"h\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3"
			      "\xa9\"}}}",
			      U, P_ANY),
		      "{\"params\"", 9) == 0);
	CHECK(rejects(t_fields, "{\"params\":{\"200\":{\"h\":\"abcde\"}}}", U, P_ANY,
		      "Invalid value for params.200"));
	CHECK(strncmp(accepts(t_fields, "{\"obj\":{\"inner\":\"\xc3\xa9\xc3\xa9\xc3\xa9\"}}", U,
			      P_ANY),
		      "{\"obj\"", 6) == 0);
	CHECK(rejects(t_fields, "{\"obj\":{\"inner\":\"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}}", U,
		      P_ANY, "Invalid value for obj.inner: length 4"));
	/* a map key may not be empty */
	CHECK(rejects(t_fields, "{\"labels\":{\"\":\"v\"}}", U, P_ANY, "labels"));
}

static void test_integer_range(void)
{
	CHECK_STR(accepts(t_fields, "{\"count\":1}", U, P_ANY), "{\"count\":1}");
	CHECK_STR(accepts(t_fields, "{\"count\":10}", U, P_ANY), "{\"count\":10}");
	CHECK(rejects(t_fields, "{\"count\":0}", U, P_ANY,
		      "Invalid value for count: 0. Must be between 1 and 10"));
	CHECK(rejects(t_fields, "{\"count\":11}", U, P_ANY,
		      "Invalid value for count: 11. Must be between 1 and 10"));
	CHECK(rejects(t_fields, "{\"count\":-1}", U, P_ANY, "count: -1"));
	CHECK(rejects(t_fields, "{\"count\":9223372036854775807}", U, P_ANY, "count"));
	/* no limits: any integer */
	CHECK_STR(accepts(t_fields, "{\"big\":-9223372036854775807}", U, P_ANY),
		  "{\"big\":-9223372036854775807}");
	CHECK_STR(accepts(t_fields, "{\"big\":0}", U, P_ANY), "{\"big\":0}");
	/* list items: 0..9 */
	CHECK(rejects(t_fields, "{\"nums\":[0,10]}", U, P_ANY,
		      "Invalid value for nums[1]: 10. Must be between 0 and 9"));
	CHECK(rejects(t_fields, "{\"obj\":{\"inner\":\"a\",\"n\":6}}", U, P_ANY,
		      "Invalid value for obj.n: 6"));
}

static void test_enum_lists_the_values(void)
{
	CHECK_STR(accepts(t_fields, "{\"color\":\"blue\"}", U, P_ANY), "{\"color\":\"blue\"}");
	CHECK(rejects(t_fields, "{\"color\":\"purple\"}", U, P_ANY,
		      "Invalid value for color: purple. Must be one of [red, green, blue]"));
	CHECK(rejects(t_fields, "{\"color\":\"RED\"}", U, P_ANY, "[red, green, blue]"));
	CHECK(rejects(t_fields, "{\"color\":\"\"}", U, P_ANY, "[red, green, blue]"));
}

static void test_required_on_create_only(void)
{
	CHECK(rejects(t_fields, "{}", C, P_ANY, "name is a required parameter"));
	CHECK(rejects(t_fields, "{\"count\":3}", C, P_ANY, "name"));
	CHECK_STR(accepts(t_fields, "{}", U, P_ANY), "{}");
	CHECK_STR(accepts(t_fields, "{\"count\":3}", U, P_ANY), "{\"count\":3}");
	/* null is absent */
	CHECK(rejects(t_fields, "{\"name\":null}", C, P_ANY, "name is a required parameter"));
	CHECK_STR(accepts(t_fields, "{\"name\":null,\"count\":null,\"labels\":null,\"obj\":null}",
			  U, P_ANY),
		  "{}");
	CHECK_STR(accepts(t_fields, "{\"name\":\"n\",\"color\":null}", C, P_ANY),
		  "{\"name\":\"n\"}");
	/* members accepted in one mode only are dropped in the other */
	CHECK_STR(accepts(t_fields, "{\"name\":\"n\",\"createOnly\":\"c\",\"updateOnly\":\"u\"}", C,
			  P_ANY),
		  "{\"createOnly\":\"c\",\"name\":\"n\"}");
	CHECK_STR(accepts(t_fields, "{\"name\":\"n\",\"createOnly\":\"c\",\"updateOnly\":\"u\"}", U,
			  P_ANY),
		  "{\"name\":\"n\",\"updateOnly\":\"u\"}");
}

static void test_server_members_never_accepted(void)
{
	CHECK_STR(accepts(t_fields, "{\"name\":\"n\",\"id\":\"mine\",\"extra\":[1]}", C, P_ANY),
		  "{\"name\":\"n\"}");
	CHECK_STR(accepts(t_fields, "{\"id\":\"mine\",\"extra\":{}}", U, P_ANY), "{}");
	/* not even looked at: a wrong type is no error */
	CHECK_STR(accepts(t_fields, "{\"name\":\"n\",\"id\":5}", C, P_ANY), "{\"name\":\"n\"}");
}

static void test_other_protocol_accepted_and_dropped(void)
{
	const char *both = "{\"name\":\"n\",\"wsOnly\":\"w\",\"httpOnly\":\"h\"}";
	CHECK_STR(accepts(t_fields, both, C, P_HTTP), "{\"httpOnly\":\"h\",\"name\":\"n\"}");
	CHECK_STR(accepts(t_fields, both, C, P_WS), "{\"name\":\"n\",\"wsOnly\":\"w\"}");
	CHECK_STR(accepts(t_fields, both, C, P_ANY),
		  "{\"httpOnly\":\"h\",\"name\":\"n\",\"wsOnly\":\"w\"}");
	CHECK_STR(accepts(t_fields, "{\"wsOnly\":\"w\"}", U, P_HTTP), "{}");
	CHECK_STR(accepts(t_fields, "{\"httpOnly\":\"h\"}", U, P_WS), "{}");
}

static void test_unknown_members_ignored(void)
{
	CHECK_STR(accepts(t_fields,
			  "{\"name\":\"n\",\"bogus\":[1,2],\"Name\":\"far too long\",\"COUNT\":99,"
			  "\"\":null}",
			  C, P_ANY),
		  "{\"name\":\"n\"}");
	CHECK_STR(accepts(t_fields, "{\"nope\":{\"deep\":true}}", U, P_ANY), "{}");
}

static void test_nested_errors_name_the_path(void)
{
	CHECK(rejects(t_fields, "{\"obj\":{\"inner\":5}}", U, P_ANY,
		      "Invalid type for obj.inner: expected a string"));
	CHECK(rejects(t_fields, "{\"obj\":{}}", U, P_ANY, "obj.inner is a required member"));
	CHECK(rejects(t_fields, "{\"obj\":{\"inner\":null}}", U, P_ANY,
		      "obj.inner is a required member"));
	CHECK(rejects(t_fields, "{\"obj\":{\"inner\":\"abcd\"}}", U, P_ANY,
		      "Invalid value for obj.inner"));
	CHECK(rejects(t_fields,
		      "{\"objs\":{\"k1\":{\"inner\":\"ok\"},\"k2\":{\"inner\":\"toolong\"}}}", U,
		      P_ANY, "Invalid value for objs.k2.inner"));
	CHECK(rejects(t_fields, "{\"objs\":{\"k\":{}}}", U, P_ANY,
		      "objs.k.inner is a required member"));
	CHECK(rejects(t_fields, "{\"objs\":{\"k\":{\"inner\":\"a\",\"n\":\"1\"}}}", U, P_ANY,
		      "Invalid type for objs.k.n"));
	CHECK(rejects(t_fields, "{\"deep\":{\"mid\":{\"inner\":[]}}}", U, P_ANY,
		      "Invalid type for deep.mid.inner"));
	CHECK(rejects(t_fields, "{\"deep\":{\"mid\":{}}}", U, P_ANY,
		      "deep.mid.inner is a required member"));
	CHECK(rejects(t_fields, "{\"deep\":{\"mid\":7}}", U, P_ANY,
		      "Invalid type for deep.mid: expected an object"));
	/* an empty J_OBJMAP and an absent optional sub-member are fine */
	CHECK_STR(accepts(t_fields, "{\"objs\":{},\"deep\":{}}", U, P_ANY),
		  "{\"deep\":{},\"objs\":{}}");

	/* jspec_check_object with a prefix */
	struct apierr e = {0};
	json_t *v = load("{\"inner\":\"toolong\"}");
	CHECK(jspec_check_object(inner_fields, v, "tlsConfig.", &e) == E_BAD_REQUEST);
	CHECK(strstr(e.msg, "tlsConfig.inner") != NULL);
	json_decref(v);
	memset(&e, 0, sizeof e);
	v = load("{\"inner\":\"ok\",\"other\":1}");
	CHECK(jspec_check_object(inner_fields, v, "x.", &e) == E_OK);
	json_decref(v);
}

static void test_merge(void)
{
	/* scalars and objects replaced, untouched members kept */
	CHECK_STR(merge_text(t_fields,
			     "{\"name\":\"a\",\"count\":3,\"obj\":{\"inner\":\"x\",\"n\":1}}",
			     "{\"name\":\"b\",\"obj\":{\"inner\":\"y\"}}"),
		  "{\"count\":3,\"name\":\"b\",\"obj\":{\"inner\":\"y\"}}");
	/* F_MERGE maps: keys merged, "" deletes */
	CHECK_STR(merge_text(t_fields, "{\"labels\":{\"a\":\"1\",\"b\":\"2\"}}",
			     "{\"labels\":{\"a\":\"\",\"c\":\"3\",\"b\":\"22\"}}"),
		  "{\"labels\":{\"b\":\"22\",\"c\":\"3\"}}");
	/* deleting every key removes the map */
	CHECK_STR(merge_text(t_fields, "{\"name\":\"a\",\"labels\":{\"a\":\"1\",\"b\":\"2\"}}",
			     "{\"labels\":{\"a\":\"\",\"b\":\"\"}}"),
		  "{\"name\":\"a\"}");
	/* deleting a key that is not there: no map appears */
	CHECK_STR(merge_text(t_fields, "{\"name\":\"a\"}", "{\"labels\":{\"zz\":\"\"}}"),
		  "{\"name\":\"a\"}");
	/* merging into an absent map creates it */
	CHECK_STR(merge_text(t_fields, "{}", "{\"labels\":{\"a\":\"1\"}}"),
		  "{\"labels\":{\"a\":\"1\"}}");
	/* a map of maps: {} deletes a key, a new inner map replaces the old one */
	CHECK_STR(merge_text(t_fields, "{\"params\":{\"200\":{\"h\":\"v\"},\"404\":{\"x\":\"y\"}}}",
			     "{\"params\":{\"200\":{},\"500\":{\"z\":\"w\"}}}"),
		  "{\"params\":{\"404\":{\"x\":\"y\"},\"500\":{\"z\":\"w\"}}}");
	CHECK_STR(merge_text(t_fields, "{\"params\":{\"200\":{\"h\":\"v\"}}}",
			     "{\"params\":{\"200\":{}}}"),
		  "{}");
	CHECK_STR(merge_text(t_fields, "{\"params\":{\"200\":{\"h\":\"v\"}}}",
			     "{\"params\":{\"200\":{\"g\":\"u\"}}}"),
		  "{\"params\":{\"200\":{\"g\":\"u\"}}}");
	/* a map without F_MERGE is replaced whole */
	CHECK_STR(merge_text(t_fields, "{\"whole\":{\"a\":\"1\",\"b\":\"2\"}}",
			     "{\"whole\":{\"c\":\"3\"}}"),
		  "{\"whole\":{\"c\":\"3\"}}");

	/* the stored map is a copy: later changes to the patch do not reach it */
	json_t *doc = load("{\"labels\":{\"a\":\"1\"}}");
	json_t *patch = load("{\"labels\":{\"b\":\"2\"}}");
	jspec_merge(t_fields, doc, patch);
	json_object_set_new(json_object_get(patch, "labels"), "c", json_string("3"));
	CHECK_STR(dump(doc, true), "{\"labels\":{\"a\":\"1\",\"b\":\"2\"}}");
	json_decref(doc);
	json_decref(patch);
}

/* ---- rendering ---- */

static json_t *dflt_kind(const json_t *doc, unsigned proto)
{
	(void)doc;
	return json_string(proto == P_HTTP ? "http" : "ws");
}

/* Sees `name` above it. */
static json_t *dflt_greeting(const json_t *doc, unsigned proto)
{
	(void)proto;
	const char *n = json_string_value(json_object_get(doc, "name"));
	if (!n)
		return NULL;
	char buf[64];
	snprintf(buf, sizeof buf, "hello %s", n);
	return json_string(buf);
}

/* Sees `kind` above it, defaulted or not. */
static json_t *dflt_kind_echo(const json_t *doc, unsigned proto)
{
	(void)proto;
	const char *k = json_string_value(json_object_get(doc, "kind"));
	char buf[64];
	snprintf(buf, sizeof buf, "%s!", k ? k : "(none)");
	return json_string(buf);
}

/* Must not see `last`, which is below it, nor hidden or unknown members. */
static json_t *dflt_sees_below(const json_t *doc, unsigned proto)
{
	(void)proto;
	return json_boolean(json_object_get(doc, "last") || json_object_get(doc, "secret") ||
			    json_object_get(doc, "junk"));
}

static json_t *dflt_x(const json_t *doc, unsigned proto)
{
	(void)doc;
	(void)proto;
	return json_string("x");
}

static json_t *dflt_none(const json_t *doc, unsigned proto)
{
	(void)doc;
	(void)proto;
	return NULL;
}

static const struct jfield r_fields[] = {
	{"name", J_STR, .flags = F_IN},
	{"secret", J_STR, .flags = F_IN | F_HIDDEN, .dflt = dflt_x},
	{"kind", J_STR, .flags = F_IN, .dflt = dflt_kind},
	{"greeting", J_STR, .flags = F_IN, .dflt = dflt_greeting},
	{"kindEcho", J_STR, .flags = F_SERVER, .dflt = dflt_kind_echo},
	{"seesBelow", J_BOOL, .flags = F_SERVER, .dflt = dflt_sees_below},
	{"wsOnly", J_STR, .flags = F_IN, .proto = P_WS, .dflt = dflt_x},
	{"none", J_STR, .flags = F_IN, .dflt = dflt_none},
	{"anything", J_ANY, .flags = F_SERVER},
	{"last", J_STR, .flags = F_IN, .dflt = dflt_x},
	{0},
};

static void test_render(void)
{
	/* table order whatever the doc's order; defaults filled; hidden, unknown, other-protocol
	 * and null members left out; a default sees the members above it */
	const char *doc =
		"{\"last\":\"L\",\"junk\":1,\"secret\":\"s\",\"name\":\"N\",\"kind\":null,"
		"\"anything\":[1,{\"a\":null}]}";
	CHECK_STR(render_text(r_fields, doc, P_WS, false),
		  "{\"name\":\"N\",\"kind\":\"ws\",\"greeting\":\"hello N\",\"kindEcho\":\"ws!\","
		  "\"seesBelow\":false,\"wsOnly\":\"x\",\"anything\":[1,{\"a\":null}],"
		  "\"last\":\"L\"}");
	CHECK_STR(render_text(r_fields, doc, P_HTTP, false),
		  "{\"name\":\"N\",\"kind\":\"http\",\"greeting\":\"hello N\","
		  "\"kindEcho\":\"http!\",\"seesBelow\":false,\"anything\":[1,{\"a\":null}],"
		  "\"last\":\"L\"}");
	/* a stored value wins over the default, and the defaults below follow it */
	CHECK_STR(render_text(r_fields, "{\"kind\":\"custom\",\"wsOnly\":\"mine\"}", P_WS, false),
		  "{\"kind\":\"custom\",\"kindEcho\":\"custom!\",\"seesBelow\":false,"
		  "\"wsOnly\":\"mine\",\"last\":\"x\"}");
	/* an empty doc: only defaults */
	CHECK_STR(render_text(r_fields, "{}", P_HTTP, false),
		  "{\"kind\":\"http\",\"kindEcho\":\"http!\",\"seesBelow\":false,\"last\":\"x\"}");
	/* stored members of the other protocol are not rendered */
	CHECK_STR(render_text(r_fields, "{\"wsOnly\":\"w\"}", P_HTTP, false),
		  "{\"kind\":\"http\",\"kindEcho\":\"http!\",\"seesBelow\":false,\"last\":\"x\"}");
	/* jspec_field */
	CHECK(jspec_field(r_fields, "kindEcho") == &r_fields[4]);
	CHECK(jspec_field(r_fields, "nope") == NULL);
	CHECK(jspec_field(r_fields, "") == NULL);
}

/* ---- the real tables ---- */

struct idefaults {
	unsigned proto;
	const char *type;
	const char *extra; /* more members of the doc, or "" */
	const char *irse;  /* expected, NULL = absent */
	const char *passthrough;
	const char *method;
	json_int_t timeout;
	const char *pfv;
};

static bool rendered_as(const json_t *out, const char *name, const char *want)
{
	const char *have = json_string_value(json_object_get(out, name));
	if (!want ? !json_object_get(out, name) : (have && strcmp(have, want) == 0))
		return true;
	fprintf(stderr, "  %s: have %s, want %s\n", name, have ? have : "(absent)",
		want ? want : "(absent)");
	return false;
}

static void test_integration_defaults(void)
{
	static const struct idefaults cases[] = {
		/* WEBSOCKET, spec §5's table */
		{P_WS, "MOCK", "", "${response.statuscode}", "WHEN_NO_MATCH", NULL, 29000, NULL},
		{P_WS, "HTTP", "", "${response.statuscode}", "WHEN_NO_MATCH", NULL, 29000, NULL},
		{P_WS, "AWS", "", "${integration.response.body.errorMessage}", "WHEN_NO_MATCH",
		 "POST", 29000, NULL},
		{P_WS, "AWS_PROXY", "", NULL, "WHEN_NO_MATCH", "POST", 29000, NULL},
		{P_WS, "HTTP_PROXY", "", NULL, "WHEN_NO_MATCH", NULL, 29000, NULL},
		/* a sent method, IRSE or payload format version is kept; subtype dropped on WS */
		{P_WS, "HTTP", ",\"integrationMethod\":\"GET\"", "${response.statuscode}",
		 "WHEN_NO_MATCH", "GET", 29000, NULL},
		{P_WS, "MOCK", ",\"integrationResponseSelectionExpression\":\"$default\"",
		 "$default", "WHEN_NO_MATCH", NULL, 29000, NULL},
		{P_WS, "AWS_PROXY",
		 ",\"payloadFormatVersion\":\"1.0\",\"integrationSubtype\":\"x\"", NULL,
		 "WHEN_NO_MATCH", "POST", 29000, "1.0"},
		{P_WS, "MOCK", ",\"timeoutInMillis\":100,\"passthroughBehavior\":\"NEVER\"",
		 "${response.statuscode}", "NEVER", NULL, 100, NULL},
		/* HTTP APIs: no IRSE, no passthroughBehavior, 30000 */
		{P_HTTP, "AWS_PROXY", "", NULL, NULL, "POST", 30000, NULL},
		{P_HTTP, "AWS_PROXY", ",\"payloadFormatVersion\":\"2.0\"", NULL, NULL, "POST",
		 30000, "2.0"},
		{P_HTTP, "AWS_PROXY", ",\"integrationSubtype\":\"SQS-SendMessage\"", NULL, NULL,
		 NULL, 30000, "1.0"},
		{P_HTTP, "HTTP_PROXY", "", NULL, NULL, NULL, 30000, "1.0"},
		{P_HTTP, "HTTP_PROXY",
		 ",\"integrationMethod\":\"ANY\",\"passthroughBehavior\":\"NEVER\","
		 "\"integrationResponseSelectionExpression\":\"x\"",
		 NULL, NULL, "ANY", 30000, "1.0"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct idefaults *k = &cases[i];
		char text[512];
		snprintf(text, sizeof text,
			 "{\"integrationId\":\"abc1234\",\"integrationType\":\"%s\"%s}", k->type,
			 k->extra);
		json_t *doc = load(text);
		json_t *out = jspec_render(integration_fields, doc, k->proto);
		int before = unit_failed;
		CHECK(rendered_as(out, "integrationId", "abc1234"));
		CHECK(rendered_as(out, "integrationType", k->type));
		CHECK(rendered_as(out, "connectionType", "INTERNET"));
		CHECK(rendered_as(out, "integrationResponseSelectionExpression", k->irse));
		CHECK(rendered_as(out, "passthroughBehavior", k->passthrough));
		CHECK(rendered_as(out, "integrationMethod", k->method));
		CHECK(rendered_as(out, "payloadFormatVersion", k->pfv));
		CHECK(json_integer_value(json_object_get(out, "timeoutInMillis")) == k->timeout);
		CHECK(!json_object_get(out, "apiGatewayManaged"));
		CHECK(!json_object_get(out, "integrationSubtype") || k->proto == P_HTTP);
		if (unit_failed != before)
			fprintf(stderr, "  ^ case %zu: %s on %s: %s\n", i, text,
				k->proto == P_WS ? "WEBSOCKET" : "HTTP", dump(out, true));
		json_decref(out);
		json_decref(doc);
	}
}

/* The seed's two CLI examples (spec §5): exactly these members, nothing else. */
static void test_integration_seed_examples(void)
{
	json_t *in = load("{\"integrationType\":\"MOCK\",\"requestTemplates\":"
			  "{\"application/json\":\"{\\\"statusCode\\\":200}\"}}");
	struct apierr e = {0};
	json_t *doc = jspec_parse(integration_fields, in, JM_CREATE, P_WS, &e);
	CHECK(doc != NULL);
	if (doc) {
		json_object_set_new(doc, "integrationId", json_string("0abcdef"));
		json_t *out = jspec_render(integration_fields, doc, P_WS);
		CHECK_STR(
			dump(out, true),
			"{\"connectionType\":\"INTERNET\",\"integrationId\":\"0abcdef\","
			"\"integrationResponseSelectionExpression\":\"${response.statuscode}\","
			"\"integrationType\":\"MOCK\",\"passthroughBehavior\":\"WHEN_NO_MATCH\","
			"\"requestTemplates\":{\"application/json\":\"{\\\"statusCode\\\":200}\"},"
			"\"timeoutInMillis\":29000}");
		json_decref(out);
	}
	json_decref(doc);
	json_decref(in);

	static const char uri[] = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
				  "arn:aws:lambda:us-east-1:123412341234:function:"
				  "simpleproxy-echo-e2e/invocations";
	char text[512], want[1024];
	snprintf(text, sizeof text,
		 "{\"integrationType\":\"AWS_PROXY\",\"integrationMethod\":\"POST\","
		 "\"integrationUri\":\"%s\"}",
		 uri);
	in = load(text);
	doc = jspec_parse(integration_fields, in, JM_CREATE, P_WS, &e);
	CHECK(doc != NULL);
	if (doc) {
		json_object_set_new(doc, "integrationId", json_string("abcdefg"));
		json_t *out = jspec_render(integration_fields, doc, P_WS);
		snprintf(want, sizeof want,
			 "{\"connectionType\":\"INTERNET\",\"integrationId\":\"abcdefg\","
			 "\"integrationMethod\":\"POST\",\"integrationType\":\"AWS_PROXY\","
			 "\"integrationUri\":\"%s\",\"passthroughBehavior\":\"WHEN_NO_MATCH\","
			 "\"timeoutInMillis\":29000}",
			 uri);
		CHECK_STR(dump(out, true), want);
		json_decref(out);
	}
	json_decref(doc);
	json_decref(in);

	/* Terraform on an HTTP API: WebSocket-only members accepted and dropped */
	CHECK_STR(
		accepts(integration_fields,
			"{\"integrationType\":\"HTTP_PROXY\",\"integrationMethod\":\"GET\","
			"\"integrationUri\":\"https://example.com\","
			"\"passthroughBehavior\":\"WHEN_NO_MATCH\",\"requestTemplates\":{},"
			"\"templateSelectionExpression\":\"x\",\"contentHandlingStrategy\":"
			"\"CONVERT_TO_TEXT\",\"integrationId\":\"mine\",\"apiGatewayManaged\":true}",
			C, P_HTTP),
		"{\"integrationMethod\":\"GET\",\"integrationType\":\"HTTP_PROXY\","
		"\"integrationUri\":\"https://example.com\"}");
	CHECK(rejects(integration_fields, "{}", C, P_WS,
		      "integrationType is a required parameter"));
	CHECK(rejects(integration_fields, "{\"integrationType\":\"LAMBDA\"}", C, P_WS,
		      "Must be one of [AWS, HTTP, MOCK, HTTP_PROXY, AWS_PROXY]"));
	CHECK(rejects(integration_fields, "{\"timeoutInMillis\":\"29000\"}", U, P_WS,
		      "Invalid type for timeoutInMillis"));
	CHECK(rejects(integration_fields, "{\"tlsConfig\":{\"serverNameToVerify\":\"\"}}", U,
		      P_HTTP, "tlsConfig.serverNameToVerify"));
	CHECK(rejects(integration_fields, "{\"responseParameters\":{\"200\":{\"a\":1}}}", U, P_HTTP,
		      "responseParameters.200.a"));
}

static void test_api_defaults(void)
{
	/* HTTP: every default of spec §4; quick-create members hidden; WebSocket-only absent */
	CHECK_STR(
		render_text(
			api_fields,
			"{\"apiId\":\"a1b2c3d4e5\",\"name\":\"n\",\"protocolType\":\"HTTP\","
			"\"apiEndpoint\":\"https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com\","
			"\"createdDate\":\"2026-11-25T06:31:00Z\",\"target\":\"https://x\","
			"\"routeKey\":\"GET /\",\"credentialsArn\":\"arn:aws:iam::1:role/r\","
			"\"disableSchemaValidation\":true}",
			P_HTTP, true),
		"{\"apiEndpoint\":\"https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com\","
		"\"apiId\":\"a1b2c3d4e5\","
		"\"apiKeySelectionExpression\":\"$request.header.x-api-key\","
		"\"createdDate\":\"2026-11-25T06:31:00Z\",\"disableExecuteApiEndpoint\":false,"
		"\"ipAddressType\":\"ipv4\",\"name\":\"n\",\"protocolType\":\"HTTP\","
		"\"routeSelectionExpression\":\"$request.method $request.path\",\"tags\":{}}");
	/* WEBSOCKET: no routeSelectionExpression default, no CORS */
	CHECK_STR(render_text(
			  api_fields,
			  "{\"apiId\":\"a1b2c3d4e5\",\"name\":\"n\",\"protocolType\":\"WEBSOCKET\","
			  "\"corsConfiguration\":{\"maxAge\":1}}",
			  P_WS, true),
		  "{\"apiId\":\"a1b2c3d4e5\","
		  "\"apiKeySelectionExpression\":\"$request.header.x-api-key\","
		  "\"disableExecuteApiEndpoint\":false,\"ipAddressType\":\"ipv4\",\"name\":\"n\","
		  "\"protocolType\":\"WEBSOCKET\",\"tags\":{}}");
	/* set values win */
	CHECK_STR(render_text(api_fields,
			      "{\"name\":\"n\",\"protocolType\":\"WEBSOCKET\","
			      "\"routeSelectionExpression\":\"$request.body.action\","
			      "\"disableExecuteApiEndpoint\":true,\"ipAddressType\":\"dualstack\","
			      "\"tags\":{\"k\":\"v\"},\"disableSchemaValidation\":false}",
			      P_WS, true),
		  "{\"apiKeySelectionExpression\":\"$request.header.x-api-key\","
		  "\"disableExecuteApiEndpoint\":true,\"disableSchemaValidation\":false,"
		  "\"ipAddressType\":\"dualstack\",\"name\":\"n\",\"protocolType\":\"WEBSOCKET\","
		  "\"routeSelectionExpression\":\"$request.body.action\",\"tags\":{\"k\":\"v\"}}");

	/* parsing */
	CHECK(rejects(api_fields, "{\"name\":\"n\",\"protocolType\":\"REST\"}", C, P_ANY,
		      "Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]"));
	CHECK(rejects(api_fields, "{\"protocolType\":\"HTTP\"}", C, P_HTTP,
		      "name is a required parameter"));
	CHECK(rejects(api_fields, "{\"name\":\"n\"}", C, P_HTTP,
		      "protocolType is a required parameter"));
	CHECK_STR(accepts(api_fields, "{\"protocolType\":\"WEBSOCKET\",\"apiId\":\"x\"}", U,
			  P_HTTP),
		  "{}");
	char *name = repeat("n", 129);
	char text[512];
	snprintf(text, sizeof text, "{\"name\":\"%s\"}", name);
	CHECK(rejects(api_fields, text, U, P_HTTP, "Invalid value for name: length 129"));
	name[128] = '\0';
	snprintf(text, sizeof text, "{\"name\":\"%s\"}", name);
	CHECK(strncmp(accepts(api_fields, text, U, P_HTTP), "{\"name\"", 7) == 0);
	free(name);
	CHECK(rejects(api_fields, "{\"corsConfiguration\":{\"maxAge\":-2}}", U, P_HTTP,
		      "corsConfiguration.maxAge"));
	CHECK(rejects(api_fields, "{\"corsConfiguration\":{\"allowOrigins\":\"*\"}}", U, P_HTTP,
		      "corsConfiguration.allowOrigins"));
	CHECK_STR(accepts(api_fields, "{\"corsConfiguration\":{\"maxAge\":-1}}", U, P_WS), "{}");
	CHECK(rejects(api_fields, "{\"ipAddressType\":\"ipv6\"}", U, P_HTTP, "[ipv4, dualstack]"));
}

/* jcheck_tags, through api_fields' tags row (which must use it), on the map `tags`. */
static enum err tags_check(json_t *tags, struct apierr *e)
{
	const struct jfield *f = jspec_field(api_fields, "tags");
	memset(e, 0, sizeof *e);
	return f && f->check == jcheck_tags ? jcheck_tags(f, tags, e) : E_INTERNAL;
}

static void test_tags_limits(void)
{
	struct apierr e;
	json_t *tags = json_object();
	char k[16];
	for (int i = 0; i < 50; i++) {
		snprintf(k, sizeof k, "k%d", i);
		json_object_set_new(tags, k, json_string("v"));
	}
	CHECK(tags_check(tags, &e) == E_OK);
	json_object_set_new(tags, "one-more", json_string("v"));
	CHECK(tags_check(tags, &e) == E_BAD_REQUEST);
	CHECK(strstr(e.msg, "50") != NULL);
	/* the whole path: CreateApi with 51 tags */
	json_t *in = json_pack("{s:s,s:s,s:O}", "name", "n", "protocolType", "HTTP", "tags", tags);
	json_t *doc = jspec_parse(api_fields, in, JM_CREATE, P_HTTP, &e);
	CHECK(doc == NULL && e.code == E_BAD_REQUEST && strstr(e.msg, "tags"));
	json_decref(doc);
	json_decref(in);
	json_decref(tags);

	struct {
		const char *kchar;
		size_t klen;
		const char *vchar;
		size_t vlen;
		enum err want;
		const char *needle;
	} cases[] = {
		{"k", 128, "v", 256, E_OK, NULL},
		{"k", 129, "v", 1, E_BAD_REQUEST, "128"},
		{"\xc3\xa9", 128, "\xc3\xa9", 256, E_OK, NULL}, /* characters, not bytes */
		{"\xe2\x82\xac", 129, "v", 1, E_BAD_REQUEST, "128"},
		{"v", 1, "v", 257, E_BAD_REQUEST, "256"},
		{"v", 1, "\xf0\x9f\x98\x80", 257, E_BAD_REQUEST, "256"},
		{"v", 1, "v", 0, E_OK, NULL},		/* empty value is fine */
		{"k", 0, "v", 1, E_BAD_REQUEST, "key"}, /* empty key is not */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *key = repeat(cases[i].kchar, cases[i].klen);
		char *val = repeat(cases[i].vchar, cases[i].vlen);
		tags = json_object();
		json_object_set_new(tags, key, json_string(val));
		enum err got = tags_check(tags, &e);
		CHECK(got == cases[i].want);
		CHECK(!cases[i].needle || strstr(e.msg, cases[i].needle));
		if (got != cases[i].want)
			fprintf(stderr, "  ^ tag case %zu: %s\n", i, e.msg);
		json_decref(tags);
		free(key);
		free(val);
	}

	/* aws: is reserved (as a prefix only) */
	static const char *const keys[] = {"aws:x", "aws:", "awsx", "aws", "x-aws:y", "Aws-ok"};
	static const enum err want[] = {E_BAD_REQUEST, E_BAD_REQUEST, E_OK, E_OK, E_OK, E_OK};
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
		tags = json_pack("{s:s}", keys[i], "v");
		CHECK(tags_check(tags, &e) == want[i]);
		if (want[i])
			CHECK(strstr(e.msg, "aws:") != NULL);
		json_decref(tags);
	}
}

int main(void)
{
	RUN(test_type_errors_name_the_member);
	RUN(test_string_lengths_count_characters);
	RUN(test_integer_range);
	RUN(test_enum_lists_the_values);
	RUN(test_required_on_create_only);
	RUN(test_server_members_never_accepted);
	RUN(test_other_protocol_accepted_and_dropped);
	RUN(test_unknown_members_ignored);
	RUN(test_nested_errors_name_the_path);
	RUN(test_merge);
	RUN(test_render);
	RUN(test_integration_defaults);
	RUN(test_integration_seed_examples);
	RUN(test_api_defaults);
	RUN(test_tags_limits);
	return unit_report("jspec");
}
