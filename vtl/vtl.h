/* vtl.h — the mapping-template engine: Velocity Template Language as AWS API Gateway runs it
 * (docs/vtl.md, docs/aws-behaviour.md §D7). A pure library (jansson + libcrypto): compile a
 * template once, render it any number of times from any thread. */
#ifndef APIGWD_VTL_H
#define APIGWD_VTL_H

#include <jansson.h>
#include <stddef.h>

struct vtl_error {
	int line, column;  /* 1-based position of the failing construct (0 when none) */
	char message[200]; /* what failed, one line, no position */
};

struct vtl_limits {
	size_t max_template;	 /* bytes of template source; longer → compile error */
	size_t max_output;	 /* bytes one render may write; more → render error */
	unsigned max_foreach;	 /* iterations of one #foreach; more → render error */
	unsigned max_depth;	 /* nesting of blocks, expressions and #define calls */
	unsigned long max_steps; /* evaluation steps of one render (a bound on its time) */
};

/* 300 KiB template and 1000 #foreach iterations (AWS's quotas, docs/aws-behaviour.md §D5),
 * 1 MiB output, nesting 64, 10 million steps (about a second of the slowest construct). A
 * render's working memory is also bounded: 64 × max_output. */
extern const struct vtl_limits vtl_default_limits;

struct vtl_bindings {
	const char *body;      /* $input.body: the raw message text; empty renders {} */
	size_t body_len;       /* bytes of body */
	const json_t *context; /* $context: object, nested objects for identity/authorizer/error;
				  borrowed, may be NULL */
	const json_t *stage_variables; /* $stageVariables: object; borrowed, may be NULL */
	const json_t *params;	       /* $input.params(): {"path":{},"querystring":{},"header":{}};
					  borrowed, may be NULL */
	const json_t *variables; /* extra top-level variables (name → value, bound as by #set:
				    arrays as Java lists), for tests and tools; may be NULL */
};

struct vtl_template; /* compiled, immutable, shareable across threads */

/* Compiles src (len bytes, need not be NUL-terminated) under lim (NULL: vtl_default_limits).
 * Returns a new template, or NULL with *err filled (syntax error or a limit exceeded). */
struct vtl_template *vtl_compile(const char *src, size_t len, const struct vtl_limits *lim,
				 struct vtl_error *err);

/* Frees t (NULL is fine). */
void vtl_template_free(struct vtl_template *t);

/* Renders t with the bindings b (NULL: none) under lim (NULL: vtl_default_limits); thread-safe
 * (no globals). Returns 0 with a new NUL-terminated *out (free() it) of *out_len bytes, or -1
 * with *err filled (a runtime error or a limit exceeded) and *out NULL. */
int vtl_render(const struct vtl_template *t, const struct vtl_bindings *b,
	       const struct vtl_limits *lim, char **out, size_t *out_len, struct vtl_error *err);

#endif
