/* cli_template.c — `apigwd template render`: renders a mapping template offline with the engine
 * of vtl/ (docs/vtl.md), from files for $input.body, $context and $stageVariables. */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "vtl.h"

static const char usage[] =
	"usage: apigwd template render TEMPLATE_FILE [--body FILE] [--context FILE]\n"
	"                              [--stage-variables FILE] [--params FILE] [--variables FILE]\n"
	"\n"
	"Renders a mapping template (Velocity as API Gateway runs it) and prints the result.\n"
	"A FILE of - is standard input (for one of them at most).\n"
	"  --body FILE             $input.body: the message text (default empty, which is {})\n"
	"  --context FILE          $context: a JSON object ({\"connectionId\": \"...\", ...})\n"
	"  --stage-variables FILE  $stageVariables: a JSON object\n"
	"  --params FILE           $input.params(): {\"path\":{},\"querystring\":{},\"header\":{}}\n"
	"  --variables FILE        more top-level variables: a JSON object (name → value)\n"
	"Exit status: 0 rendered; 1 the template failed (LINE:COLUMN: message on standard error);\n"
	"2 usage or input error.\n";

enum { OPT_BODY = 256, OPT_CONTEXT, OPT_STAGEVARS, OPT_PARAMS, OPT_VARS, OPT_HELP };

static const struct option options[] = {
	{"body", required_argument, NULL, OPT_BODY},
	{"context", required_argument, NULL, OPT_CONTEXT},
	{"stage-variables", required_argument, NULL, OPT_STAGEVARS},
	{"params", required_argument, NULL, OPT_PARAMS},
	{"variables", required_argument, NULL, OPT_VARS},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

/* Reads all of path ("-": standard input) into a new buffer; NULL with a message on stderr. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0;
	if (!f) {
		fprintf(stderr, "apigwd template: %s: cannot open: ", path);
		perror(NULL);
		return NULL;
	}
	for (;;) {
		if (n + 4096 + 1 > cap) {
			cap = cap ? cap * 2 : 8192;
			char *nb = realloc(buf, cap);
			if (!nb) {
				fprintf(stderr, "apigwd template: %s: out of memory\n", path);
				goto fail;
			}
			buf = nb;
		}
		size_t got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "apigwd template: %s: read error\n", path);
		goto fail;
	}
	if (f != stdin)
		fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
fail:
	if (f != stdin)
		fclose(f);
	free(buf);
	return NULL;
}

/* A JSON object from path; NULL with a message. */
static json_t *load_object(const char *path, const char *what)
{
	size_t n;
	char *text = slurp(path, &n);
	if (!text)
		return NULL;
	json_error_t je;
	json_t *j = json_loadb(text, n, 0, &je);
	free(text);
	if (!j || !json_is_object(j)) {
		fprintf(stderr, "apigwd template: %s: %s must be a JSON object%s%s\n", path, what,
			j ? "" : ": ", j ? "" : je.text);
		json_decref(j);
		return NULL;
	}
	return j;
}

static int render(int argc, char **argv)
{
	const char *body_path = NULL, *ctx_path = NULL, *sv_path = NULL, *params_path = NULL,
		   *vars_path = NULL;
	int c, status = 2;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (c) {
		case OPT_BODY: body_path = optarg; break;
		case OPT_CONTEXT: ctx_path = optarg; break;
		case OPT_STAGEVARS: sv_path = optarg; break;
		case OPT_PARAMS: params_path = optarg; break;
		case OPT_VARS: vars_path = optarg; break;
		case OPT_HELP: fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind + 1 != argc) {
		fputs(usage, stderr);
		return 2;
	}
	const char *tpl_path = argv[optind];
	const char *paths[] = {tpl_path, body_path, ctx_path, sv_path, params_path, vars_path};
	int stdins = 0;
	for (size_t k = 0; k < sizeof paths / sizeof paths[0]; k++)
		stdins += paths[k] && strcmp(paths[k], "-") == 0;
	if (stdins > 1) {
		fputs("apigwd template: only one FILE may be - (standard input)\n", stderr);
		return 2;
	}

	char *src = NULL, *body = NULL, *out = NULL;
	size_t src_len = 0, body_len = 0, out_len = 0;
	json_t *ctx = NULL, *sv = NULL, *params = NULL, *vars = NULL;
	struct vtl_template *t = NULL;
	struct vtl_error err;
	if (!(src = slurp(tpl_path, &src_len)) ||
	    (body_path && !(body = slurp(body_path, &body_len))) ||
	    (ctx_path && !(ctx = load_object(ctx_path, "--context"))) ||
	    (sv_path && !(sv = load_object(sv_path, "--stage-variables"))) ||
	    (params_path && !(params = load_object(params_path, "--params"))) ||
	    (vars_path && !(vars = load_object(vars_path, "--variables"))))
		goto out;
	status = 1;
	t = vtl_compile(src, src_len, NULL, &err);
	if (!t) {
		fprintf(stderr, "%d:%d: %s\n", err.line, err.column, err.message);
		goto out;
	}
	struct vtl_bindings b = {
		.body = body,
		.body_len = body_len,
		.context = ctx,
		.stage_variables = sv,
		.params = params,
		.variables = vars,
	};
	if (vtl_render(t, &b, NULL, &out, &out_len, &err) != 0) {
		fprintf(stderr, "%d:%d: %s\n", err.line, err.column, err.message);
		goto out;
	}
	if (fwrite(out, 1, out_len, stdout) != out_len || fflush(stdout) != 0) {
		perror("apigwd template: standard output");
		goto out;
	}
	status = 0;
out:
	vtl_template_free(t);
	free(src);
	free(body);
	free(out);
	json_decref(ctx);
	json_decref(sv);
	json_decref(params);
	json_decref(vars);
	return status;
}

int cmd_template(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "render") == 0)
		return render(argc - 1, argv + 1);
	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0)) {
		fputs(usage, stdout);
		return 0;
	}
	fputs(usage, stderr);
	return 2;
}
