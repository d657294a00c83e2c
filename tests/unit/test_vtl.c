/* test_vtl.c — the mapping-template engine (vtl/): a table of templates with their bindings and
 * the output or the error (with its position) each must give; the limits; the API's contract.
 * `test_vtl --bench [SECONDS]` instead measures renders per second of a 2 KB template over a
 * 4 KB body (scripts/bench-vtl). */
#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "unit.h"
#include "vtl.h"

struct tcase {
	const char *name;
	const char *tpl;
	const char *body;    /* $input.body (NULL: none) */
	const char *context; /* JSON object (NULL: none) */
	const char *stagevars;
	const char *params;
	const char *vars;
	const char *want;    /* the output, or NULL when an error is expected */
	int line, col;	     /* the error's position */
	const char *message; /* a part of the error's message */
};

static json_t *load(const char *text)
{
	return text ? json_loads(text, 0, NULL) : NULL;
}

/* Renders c; checks the output or the error. */
static void run_case(const struct tcase *c, const struct vtl_limits *lim)
{
	struct vtl_error err;
	char *out = NULL;
	size_t out_len = 0;
	json_t *ctx = load(c->context), *sv = load(c->stagevars), *params = load(c->params),
	       *vars = load(c->vars);
	struct vtl_template *t = vtl_compile(c->tpl, strlen(c->tpl), lim, &err);
	int rc = -1;
	if (t) {
		struct vtl_bindings b = {.body = c->body,
					 .body_len = c->body ? strlen(c->body) : 0,
					 .context = ctx,
					 .stage_variables = sv,
					 .params = params,
					 .variables = vars};
		rc = vtl_render(t, &b, lim, &out, &out_len, &err);
	}
	if (c->want) {
		if (rc != 0)
			fprintf(stderr, "case %s: error %d:%d: %s\n", c->name, err.line, err.column,
				err.message);
		CHECK(rc == 0);
		if (rc == 0) {
			if (strcmp(out, c->want) != 0)
				fprintf(stderr, "case %s:\n", c->name);
			CHECK_STR(out, c->want);
			CHECK(out_len == strlen(c->want));
		}
	} else {
		if (rc == 0)
			fprintf(stderr, "case %s: rendered \"%s\", wanted an error\n", c->name,
				out);
		CHECK(rc != 0);
		CHECK(out == NULL);
		if (rc != 0 && (err.line != c->line || err.column != c->col ||
				!strstr(err.message, c->message)))
			fprintf(stderr, "case %s: got %d:%d: %s; wanted %d:%d: ...%s...\n", c->name,
				err.line, err.column, err.message, c->line, c->col, c->message);
		CHECK(err.line == c->line && err.column == c->col);
		CHECK(strstr(err.message, c->message) != NULL);
	}
	free(out);
	vtl_template_free(t);
	json_decref(ctx);
	json_decref(sv);
	json_decref(params);
	json_decref(vars);
}

#define V(v) .vars = v
#define B(b) .body = b

static const struct tcase cases[] = {
	/* references */
	{"ref", "Hello $s!", V("{\"s\":\"world\"}"), .want = "Hello world!"},
	{"ref_formal", "${s}s", V("{\"s\":\"cat\"}"), .want = "cats"},
	{"ref_quiet", "[$!s][$!nope]", V("{\"s\":\"a\"}"), .want = "[a][]"},
	{"ref_text_dollar", "costs $5, $ 1, a$ b", .want = "costs $5, $ 1, a$ b"},
	{"ref_escaped", "\\$s \\\\$s", V("{\"s\":\"a\"}"), .want = "$s \\a"},
	{"ref_prop_chain", "$m.a.b $m.a.zz|", V("{\"m\":{\"a\":{\"b\":1}}}"), .want = "1 |"},
	{"ref_index", "$l[0] $l[-1] $m['k']", V("{\"l\":[1,2,3],\"m\":{\"k\":\"v\"}}"),
	 .want = "1 3 v"},
	/* AWS: an undefined reference renders empty and is true in #if */
	{"aws_undef_empty", "Hello $name.", .want = "Hello ."},
	{"aws_undef_in_string", "#set($x = \"a$nope b\")$x", .want = "a b"},
	{"aws_undef_true", "#if($nope)T#{else}F#end", .want = "T"},
	{"aws_not_undef_false", "#if(!$nope)T#{else}F#end", .want = "F"},
	{"aws_missing_prop_false", "#if($m.zz)T#{else}F#end", V("{\"m\":{}}"), .want = "F"},
	{"aws_set_null_keeps", "#set($a = 1)#set($a = $m.zz)$a", V("{\"m\":{}}"), .want = "1"},
	{"aws_undef_eq_empty", "#if($nope == '')A#end#if($nope == $null)B#end", .want = "AB"},
	{"aws_macro_off", "#macro(m $x)M#end#m(1)", .want = "#m(1)"},
	/* #set */
	{"set_values", "#set($a = [1, 'x', true, 1.5, {'k': 'v'}])$a",
	 .want = "[1, x, true, 1.5, {k=v}]"},
	{"set_map_put", "#set($m = {})#set($m.k = 1)#set($m['j'] = 2)$m", .want = "{k=1, j=2}"},
	{"set_list_index", "#set($l = [1, 2])#set($l[1] = 9)$l", .want = "[1, 9]"},
	{"set_ws", "a\n  #set($x = 1)\nb $x", .want = "a\n  b 1"},
	/* #if */
	{"if_elseif", "#foreach($i in [1..3])#if($i == 1)a#elseif($i == 2)b#{else}c#end#end",
	 .want = "abc"},
	{"if_literal_false", "#if('x')T#{else}F#end", .want = "F"},
	{"if_line_rules", "x\n#if(true)\n  y\n#end\nz", .want = "x\n  y\nz"},
	/* #foreach */
	{"foreach_props",
	 "#foreach($x in ['a','b'])$foreach.index$foreach.count$foreach.hasNext$velocityCount$velocityHasNext$foreach.first$foreach.last;#end",
	 .want = "01true1truetruefalse;12false2falsefalsetrue;"},
	{"foreach_range_desc", "#foreach($i in [2..-1])$i#end", .want = "210-1"},
	{"foreach_break", "#foreach($i in [1..9])#if($i == 3)#break#end$i#end", .want = "12"},
	{"foreach_map", "#foreach($v in $m)$v#end", V("{\"m\":{\"a\":1,\"b\":2}}"), .want = "12"},
	{"foreach_restores", "#set($x = 'k')#foreach($x in [1])#end$x", .want = "k"},
	{"foreach_undef", "#foreach($x in $nope)X#end.", .want = "."},
	/* #define, #stop, comments, unparsed */
	{"define", "#define($b)<$x>#end#set($x = 1)$b", .want = "<1>"},
	{"stop", "a#stop b", .want = "a"},
	{"comments", "a ## one\nb #* two\n *# c", .want = "a b  c"},
	{"unparsed", "#[[$x #if]]#", .want = "$x #if"},
	/* operators */
	{"op_math",
	 "#set($a = 7 / 2)$a,#set($a = 7 % 3)$a,#set($a = 100.0 / 50)$a,#set($a = .5 * .1)$a",
	 .want = "3,1,2.0,0.05"},
	{"set_eats_blanks_after_ref", "$a #set($a = 1)$a", .want = "1"},
	{"op_concat", "#set($a = 'n' + 1)$a", .want = "n1"},
	{"op_compare", "#if(1 < 2 && 2 >= 2 && 3 != 4 && 'a' == 'a' && 1 == 1.0)ok#end",
	 .want = "ok"},
	{"op_words", "#if(1 lt 2 and not false or 1 eq 2)ok#end", .want = "ok"},
	{"op_div_zero", "#set($a = 1)#set($a = 1 / 0)$a", .want = "1"},
	/* string methods */
	{"str_methods",
	 "$s.length() $s.substring(1,3) $s.indexOf('l') $s.contains('ll') $s.startsWith('h') $s.toUpperCase() $s.replaceAll('l+', 'L') $s.matches('h.*') $s.replace('l', '1')",
	 V("{\"s\":\"hello\"}"), .want = "5 el 2 true true HELLO heLo true he11o"},
	{"str_split", "#foreach($p in $s.split(','))[$p]#end", V("{\"s\":\"a,,b,\"}"),
	 .want = "[a][][b]"},
	{"str_trim_case", "[$s.trim()] $s.toLowerCase()", V("{\"s\":\" ÉA \"}"),
	 .want = "[ÉA]  éa "},
	/* list and map methods */
	{"list_methods",
	 "#set($l = [3])$l.add(4) $l.size() $l.get(1) $l.contains(3) $l.isEmpty() $l.set(0, 1) $l",
	 .want = "true 2 4 true false 3 [1, 4]"},
	{"map_methods",
	 "#set($m = {'a': 1})[$m.put('b', 2)] $m.put('a', 3) $m.keySet() $m.values() $m.containsKey('b') $m.size() $m.get('a')",
	 .want = "[] 1 [a, b] [3, 2] true 2 3"},
	/* $input */
	{"input_body", "$input.body", B("{\"a\": 1}"), .want = "{\"a\": 1}"},
	{"input_body_empty", "$input.body|$input.json('$')|$input.path('$')", B(""),
	 .want = "{}|{}|{}"},
	{"input_body_none", "$input.body", .want = "{}"},
	{"input_json",
	 "$input.json('$.a')|$input.json('$.s')|$input.json('$.l')|$input.json('$.zz')|",
	 B("{\"a\":{\"b\":1.50},\"s\":\"x\\\"y\",\"l\":[true,null]}"),
	 .want = "{\"b\":1.5}|\"x\\\"y\"|[true,null]||"},
	{"input_path_map_java", "$input.path('$.a')", B("{\"a\":{\"k\":\"v\",\"n\":[{\"x\":1}]}}"),
	 .want = "{k=v, n=[{\"x\":1}]}"},
	{"input_path_list_json", "$input.path('$.l')", B("{\"l\":[{\"foo\":\"bar\"},\"s\"]}"),
	 .want = "[{\"foo\":\"bar\"},\"s\"]"},
	{"input_path_values",
	 "$input.path('$.l').size() $input.path('$.l')[1] $input.path('$.m.k') $input.path(\"$['m']['k']\") $input.path('$.l[0]')",
	 B("{\"l\":[1,2],\"m\":{\"k\":\"v\"}}"), .want = "2 2 v v 1"},
	{"input_path_missing",
	 "[$input.path('$.zz')]#if($input.path('$.n') == '')E#end#if($input.path('$.n'))T#end",
	 B("{\"n\":null}"), .want = "[]ET"},
	{"input_path_foreach", "#foreach($i in $input.path('$.l'))$i.id#end",
	 B("{\"l\":[{\"id\":1},{\"id\":2}]}"), .want = "12"},
	{"input_not_json", "[$input.path('$.a')][$input.json('$')]", B("not json"), .want = "[][]"},
	{"input_params",
	 "$input.params('id') $input.params('q') $input.params('X-H') [$input.params('zz')] $input.params().path",
	 .params =
		 "{\"path\":{\"id\":\"7\"},\"querystring\":{\"q\":\"s\"},\"header\":{\"x-h\":\"h\"}}",
	 .want = "7 s h [] {id=7}"},
	/* $context and $stageVariables */
	{"context",
	 "$context.connectionId $context.identity.sourceIp $context.authorizer.role [$context.nope]",
	 .context =
		 "{\"connectionId\":\"abc=\",\"identity\":{\"sourceIp\":\"1.2.3.4\"},\"authorizer\":{\"role\":\"1\"}}",
	 .want = "abc= 1.2.3.4 1 []"},
	{"stage_vars",
	 "$stageVariables.a $stageVariables['a'] ${stageVariables['a']} [$stageVariables.b]",
	 .stagevars = "{\"a\":\"x\"}", .want = "x x x []"},
	/* $util */
	{"util_escape_js", "$util.escapeJavaScript($s)",
	 V("{\"s\":\"it's \\\"q\\\" \\\\ /\\n\\t\\u00e9\\u0001\"}"),
	 .want = "it\\'s \\\"q\\\" \\\\ \\/\\n\\t\\u00E9\\u0001"},
	{"util_url_encode", "$util.urlEncode('{\"some\": \"value\"}') $util.urlEncode('a b*-_.~é')",
	 .want = "%7B%22some%22%3A+%22value%22%7D a+b*-_.%7E%C3%A9"},
	{"util_url_decode", "$util.urlDecode('a+b%20c%C3%A9')", .want = "a b cé"},
	{"util_base64",
	 "$util.base64Encode('hello') $util.base64Decode('aGVsbG8=') $util.base64Decode('aGVsbG8')",
	 .want = "aGVsbG8= hello hello"},
	{"util_parse_json",
	 "#set($o = $util.parseJson($input.path('$.e')))$o.key2.arr[0] $o.key2.arr",
	 B("{\"e\":\"{\\\"key1\\\":\\\"v\\\",\\\"key2\\\":{\\\"arr\\\":[1,2,3]}}\"}"),
	 .want = "1 [1,2,3]"},
	/* errors, with their positions */
	{"err_bare_dollar", "ok\n  $", .line = 2, .col = 3, .message = "bare '$'"},
	{"err_unclosed_if", "a\n#if(true)x", .line = 2, .col = 1, .message = "#if without #end"},
	{"err_stray_end", "a #end", .line = 1, .col = 3, .message = "#end without"},
	{"err_else_else", "#if(true)#else#else#end", .line = 1, .col = 15,
	 .message = "#else after #else"},
	{"err_set_no_eq", "#set($a 1)", .line = 1, .col = 9, .message = "expected '='"},
	{"err_set_no_ref", "#set(a = 1)", .line = 1, .col = 6, .message = "$reference"},
	{"err_unterminated_string", "#set($a = \"abc)", .line = 1, .col = 11,
	 .message = "unterminated string"},
	{"err_escaped_quote", "#set($a = \"\\\"x\\\"\")", .line = 1, .col = 14,
	 .message = "expected ')'"},
	{"err_comment", "a #* b", .line = 1, .col = 3, .message = "unterminated #*"},
	{"err_formal", "${a", .line = 1, .col = 4, .message = "'}'"},
	{"err_foreach_in", "#foreach($a of [1])#end", .line = 1, .col = 13, .message = "'in'"},
	{"err_operator_param", "$s.substring($n - 1)", .line = 1, .col = 17,
	 .message = "expected ','"},
	{"err_substring", "x\n $s.substring(9)", V("{\"s\":\"abc\"}"), .line = 2, .col = 5,
	 .message = "out of range"},
	{"err_list_index", "$l[5]", V("{\"l\":[1]}"), .line = 1, .col = 3,
	 .message = "out of bounds"},
	{"err_parse_json", "$util.parseJson('{x')", .line = 1, .col = 7, .message = "invalid JSON"},
	{"err_url_decode", "$util.urlDecode('%zz')", .line = 1, .col = 7, .message = "illegal hex"},
	{"err_base64", "$util.base64Decode('a')", .line = 1, .col = 7, .message = "invalid base64"},
	{"err_jsonpath", "$input.path('$..a')", B("{}"), .line = 1, .col = 8,
	 .message = "unsupported JSONPath"},
	{"err_regex", "$s.matches('(')", V("{\"s\":\"a\"}"), .line = 1, .col = 4,
	 .message = "invalid regular expression"},
	{"err_regex_backref", "$s.replaceAll('(a)\\1', 'x')", V("{\"s\":\"aa\"}"), .line = 1,
	 .col = 4, .message = "back references"},
	{"cyclic_lists",
	 "#set($a = [])#set($b = [])#set($d = $a.add($b))#set($d = $b.add($a))#if($a == $b)eq#{else}ne#end $a.contains($b)",
	 .want = "ne true"},
	{"cyclic_render", "#set($a = [])#set($b = [$a])#set($d = $a.add($b))$a", .line = 1,
	 .col = 50, .message = "deeper than"},
	{"err_concurrent", "#set($l = [1, 2])#foreach($i in $l)$l.add(3)#end", .line = 1, .col = 18,
	 .message = "changed"},
};

static void test_cases(void)
{
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
		run_case(&cases[i], NULL);
}

static int render_with(const char *tpl, const struct vtl_limits *lim, char **out,
		       struct vtl_error *err)
{
	size_t n;
	*out = NULL;
	struct vtl_template *t = vtl_compile(tpl, strlen(tpl), lim, err);
	if (!t)
		return -2;
	int rc = vtl_render(t, NULL, lim, out, &n, err);
	vtl_template_free(t);
	return rc;
}

/* Each limit: just under it renders, over it fails with a message, never a crash or a hang. */
static void test_limits(void)
{
	struct vtl_limits lim = vtl_default_limits;
	struct vtl_error err;
	char *out;

	CHECK(vtl_default_limits.max_template == 300 * 1024);
	CHECK(vtl_default_limits.max_foreach == 1000);

	lim.max_template = 10;
	CHECK(render_with("0123456789", &lim, &out, &err) == 0);
	free(out);
	CHECK(render_with("0123456789a", &lim, &out, &err) == -2);
	CHECK(strstr(err.message, "longer than 10 bytes") != NULL);

	lim = vtl_default_limits;
	lim.max_output = 5;
	CHECK(render_with("12345", &lim, &out, &err) == 0);
	free(out);
	CHECK(render_with("#foreach($i in [1..3])ab#end", &lim, &out, &err) == -1);
	CHECK(strstr(err.message, "output longer than 5") != NULL && err.line == 1);
	CHECK(out == NULL);

	lim = vtl_default_limits;
	CHECK(render_with("#foreach($i in [1..1000])#end", &lim, &out, &err) == 0);
	free(out);
	CHECK(render_with("#foreach($i in [1..1001])#end", &lim, &out, &err) == -1);
	CHECK(strstr(err.message, "more than 1000 iterations") != NULL);
	CHECK(err.line == 1 && err.column == 1);

	/* nesting at compile time, and a #define that renders itself */
	lim.max_depth = 8;
	CHECK(render_with("#if(true)#if(true)#if(true)x#end#end#end", &lim, &out, &err) == 0);
	free(out);
	CHECK(render_with(
		      "#if(true)#if(true)#if(true)#if(true)#if(true)#if(true)#if(true)#if(true)#if(true)x#end#end#end#end#end#end#end#end#end",
		      &lim, &out, &err) == -2);
	CHECK(strstr(err.message, "nesting deeper than 8") != NULL);
	CHECK(render_with("#set($a = [[[[[[[[[[1]]]]]]]]]])", &lim, &out, &err) == -2);
	lim = vtl_default_limits;
	CHECK(render_with("#define($b)$b#end$b", &lim, &out, &err) == -1);
	CHECK(strstr(err.message, "deeper than") != NULL);

	/* time: nested loops under the step budget */
	lim.max_steps = 100000;
	CHECK(render_with("#foreach($a in [1..1000])#foreach($b in [1..1000])#end#end", &lim, &out,
			  &err) == -1);
	CHECK(strstr(err.message, "more than 100000 steps") != NULL);
	/* memory: a string that doubles */
	lim = vtl_default_limits;
	CHECK(render_with(
		      "#set($s = 'xxxxxxxxxxxxxxxx')#foreach($i in [1..40])#set($s = \"$s$s\")#end",
		      &lim, &out, &err) == -1);
	CHECK(strstr(err.message, "longer than") != NULL || strstr(err.message, "memory") != NULL);
	/* a huge range */
	CHECK(render_with("#set($r = [1..2000000000])", &lim, &out, &err) == -1);
	CHECK(strstr(err.message, "too long") != NULL);
}

/* The API's contract: NULL limits and bindings, NUL-terminated output, a template rendered many
 * times and from several threads at once. */
struct thread_arg {
	const struct vtl_template *t;
	int bad;
};

static void *render_thread(void *p)
{
	struct thread_arg *a = p;
	for (int i = 0; i < 200; i++) {
		char body[64];
		int n = snprintf(body, sizeof body, "{\"n\": %d, \"l\": [1, 2, 3]}", i);
		struct vtl_bindings b = {.body = body, .body_len = (size_t)n};
		char *out = NULL, want[64];
		size_t len;
		struct vtl_error err;
		snprintf(want, sizeof want, "%d:3:6", i);
		if (vtl_render(a->t, &b, NULL, &out, &len, &err) != 0 || strcmp(out, want) != 0)
			a->bad++;
		free(out);
	}
	return NULL;
}

static void test_api(void)
{
	struct vtl_error err;
	const char *src = "#set($s = 0)#foreach($i in $input.path('$.l'))#set($s = $s + $i)#end"
			  "$input.path('$.n'):$input.path('$.l').size():$s";
	struct vtl_template *t = vtl_compile(src, strlen(src), NULL, &err);
	CHECK(t != NULL);
	if (!t)
		return;
	char *out = NULL;
	size_t len = 99;
	CHECK(vtl_render(t, NULL, NULL, &out, &len, &err) == 0);
	CHECK_STR(out, "::0"); /* no body: {}, where $.l is missing */
	CHECK(len == 3 && out[len] == 0);
	free(out);

	pthread_t th[4];
	struct thread_arg args[4];
	for (int i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){t, 0};
		pthread_create(&th[i], NULL, render_thread, &args[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		CHECK(args[i].bad == 0);
	}
	vtl_template_free(t);
	vtl_template_free(NULL);

	/* a template need not be NUL-terminated; an empty one renders empty */
	t = vtl_compile("$x.toUpperCase()XXXX", 16, NULL, &err);
	CHECK(t != NULL);
	json_t *vars = json_pack("{s:s}", "x", "ab");
	struct vtl_bindings b = {.variables = vars};
	CHECK(t && vtl_render(t, &b, NULL, &out, &len, &err) == 0);
	CHECK_STR(out, "AB");
	free(out);
	vtl_template_free(t);
	json_decref(vars);
	t = vtl_compile("", 0, NULL, &err);
	CHECK(t && vtl_render(t, NULL, NULL, &out, &len, &err) == 0 && len == 0 && out && !*out);
	free(out);
	vtl_template_free(t);
}

/* ---- benchmark ---- */
static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID,
		      &ts); /* CPU time: other load on the host counts less */
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int bench(double secs)
{
	/* A 4 KB body: 24 items of a chat-like message. */
	char body[8192];
	size_t n = (size_t)snprintf(body, sizeof body,
				    "{\"action\":\"sendmessage\",\"room\":\"lobby\",\"items\":[");
	for (int i = 0; n < 4000; i++)
		n += (size_t)snprintf(
			body + n, sizeof body - n,
			"%s{\"id\":%d,\"user\":\"user-%d\",\"text\":\"hello world number %d\",\"tags\":[\"a\",\"b\"],\"score\":%d.5}",
			i ? "," : "", i, i, i, i);
	n += (size_t)snprintf(body + n, sizeof body - n, "]}");
	/* A 2 KB template using most of the engine. */
	char tpl[4096];
	size_t m = (size_t)snprintf(
		tpl, sizeof tpl,
		"#set($root = $input.path('$'))\n"
		"{\n"
		"  \"connectionId\": \"$context.connectionId\",\n"
		"  \"requestId\": \"$context.requestId\",\n"
		"  \"stage\": \"$stageVariables.env\",\n"
		"  \"action\": $input.json('$.action'),\n"
		"  \"room\": \"$util.escapeJavaScript($root.room)\",\n"
		"  \"count\": $root.items.size(),\n"
		"  \"items\": [\n"
		"#foreach($item in $root.items)\n"
		"    #set($t = $item.text.toUpperCase())\n"
		"    {\n"
		"      \"id\": $item.id,\n"
		"      \"user\": \"$item.user\",\n"
		"      \"text\": \"$util.escapeJavaScript($t)\",\n"
		"      \"long\": #if($item.text.length() > 20)true#{else}false#end,\n"
		"      \"tags\": \"#foreach($g in $item.tags)$g#if($foreach.hasNext),#end#end\",\n"
		"      \"score\": $item.score\n"
		"    }#if($foreach.hasNext),#end\n"
		"#end\n"
		"  ]\n"
		"}\n");
	while (m < 2048)
		m += (size_t)
			snprintf(tpl + m, sizeof tpl - m,
				 "## padding comment to reach two kilobytes of template text\n");
	json_t *ctx = json_pack("{s:s,s:s}", "connectionId", "L0SM9cOFvHcCIhw=", "requestId",
				"JC1dgf9yoAMCK-g=");
	json_t *sv = json_pack("{s:s}", "env", "prod");
	struct vtl_error err;
	struct vtl_template *t = vtl_compile(tpl, m, NULL, &err);
	if (!t) {
		fprintf(stderr, "bench: %d:%d: %s\n", err.line, err.column, err.message);
		return 1;
	}
	struct vtl_bindings b = {.body = body,
				 .body_len = n,
				 .context = ctx,
				 .stage_variables = sv};
	long count = 0;
	size_t out_len = 0;
	double start = now(), end = start;
	while (end - start < secs) {
		for (int k = 0; k < 100; k++) {
			char *out;
			if (vtl_render(t, &b, NULL, &out, &out_len, &err) != 0) {
				fprintf(stderr, "bench: %d:%d: %s\n", err.line, err.column,
					err.message);
				return 1;
			}
			free(out);
		}
		count += 100;
		end = now();
	}
	printf("vtl bench: template %zu bytes, body %zu bytes, output %zu bytes: %.0f renders/s of one thread's CPU time (%.1f us each)\n",
	       m, n, out_len, count / (end - start), (end - start) / count * 1e6);
	vtl_template_free(t);
	json_decref(ctx);
	json_decref(sv);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "--bench") == 0)
		return bench(argc >= 3 ? atof(argv[2]) : 3.0);
	RUN(test_cases);
	RUN(test_limits);
	RUN(test_api);
	return unit_report("test_vtl");
}
