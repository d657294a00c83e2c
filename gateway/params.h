/* params.h — an integration's requestParameters (docs/aws-behaviour.md §D4.6): what each
 * `integration.request.{header,querystring,path}.NAME` is mapped from. Pure: any thread. */
#ifndef GW_PARAMS_H
#define GW_PARAMS_H

#include <jansson.h>
#include <stddef.h>

/* What the mapping expressions read; every member borrowed, any may be NULL. */
struct gw_param_src {
	const json_t *context;	  /* $context as templates see it (context.X, context.a.b) */
	const json_t *stage_vars; /* stageVariables.X */
	const char *body;	  /* the message (route.request.body.<JSONPath>) */
	size_t body_len;	  /* its length */
	const json_t *headers;	  /* $connect: the upgrade's headers, name -> value */
	const json_t *query;	  /* $connect: the query string, name -> [values] */
};

/* Evaluates request_parameters (an object, or NULL) for src. Returns a new object
 * {"header":{NAME:value}, "querystring":{...}, "path":{...}} of the parameters that have a value
 * (a source that resolves to nothing leaves its parameter out), or NULL when there is nothing
 * to map or memory ran out. */
json_t *gw_params_eval(const json_t *request_parameters, const struct gw_param_src *src);

#endif
