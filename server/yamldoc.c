/* yamldoc.c — YAML documents as jansson values and back, with libyaml: the reader follows the
 * YAML 1.2 core schema (plain scalars become integers, reals, booleans or null when they read
 * as such), refuses deep nesting and alias bombs; the writer double-quotes strings as AWS's
 * exports do. Used by ImportApi/ReimportApi/ExportApi (res_import.c). */
#include "yamldoc.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "jspec.h"
#include "sbuf.h"

enum {
	YAML_DEPTH_MAX = 128,	 /* nesting accepted in a YAML document */
	YAML_NODES_MAX = 200000, /* nodes after alias expansion (stops "billion laughs") */
};

/* The shortest text that reads back as d, with a decimal point for whole numbers: documents
 * write versions as 1.0, and "1.0" is what must come out. */
void yaml_real_text(double d, char *buf, size_t len)
{
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, len, "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	if (!strpbrk(buf, ".eEn") && strlen(buf) + 3 <= len)
		strcat(buf, ".0");
}

/* ---- YAML → jansson ---- */

/* True when s is one or more characters, all from `set`. */
static bool span_all(const char *s, const char *set)
{
	return *s && s[strspn(s, set)] == '\0';
}

/* YAML 1.2 core schema integers: [-+]?[0-9]+, 0o[0-7]+, 0x[0-9a-fA-F]+. False when s is
 * not one, or does not fit (it is then read as a float). */
static bool core_int(const char *s, json_int_t *out)
{
	const char *digits = s;
	int base = 10;
	if (jstarts_with(s, "0o")) {
		digits = s + 2;
		base = 8;
		if (!span_all(digits, "01234567"))
			return false;
	} else if (jstarts_with(s, "0x")) {
		digits = s + 2;
		base = 16;
		if (!span_all(digits, "0123456789abcdefABCDEF"))
			return false;
	} else if (!span_all(s + (*s == '-' || *s == '+'), "0123456789")) {
		return false;
	}
	errno = 0;
	long long v = strtoll(digits, NULL, base);
	if (errno == ERANGE)
		return false;
	*out = v;
	return true;
}

/* YAML 1.2 core schema floats: [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?. (.inf and
 * .nan have no JSON form and stay strings.) */
static bool core_float(const char *s)
{
	const char *p = s + (*s == '-' || *s == '+');
	bool digits = false;
	while (isdigit((unsigned char)*p)) {
		p++;
		digits = true;
	}
	if (*p == '.') {
		p++;
		while (isdigit((unsigned char)*p)) {
			p++;
			digits = true;
		}
	}
	if (!digits)
		return false;
	if (*p == 'e' || *p == 'E') {
		p++;
		p += *p == '-' || *p == '+';
		if (!isdigit((unsigned char)*p))
			return false;
		while (isdigit((unsigned char)*p))
			p++;
	}
	return *p == '\0';
}

/* A plain (unquoted) scalar resolved by the core schema: null, bool, int, float, else str. */
static json_t *yaml_plain(const char *s, size_t len)
{
	static const char *const nulls[] = {"", "~", "null", "Null", "NULL", NULL};
	static const char *const trues[] = {"true", "True", "TRUE", NULL};
	static const char *const falses[] = {"false", "False", "FALSE", NULL};
	json_int_t i;
	for (const char *const *w = nulls; *w; w++)
		if (strcmp(s, *w) == 0)
			return json_null();
	for (const char *const *w = trues; *w; w++)
		if (strcmp(s, *w) == 0)
			return json_true();
	for (const char *const *w = falses; *w; w++)
		if (strcmp(s, *w) == 0)
			return json_false();
	if (core_int(s, &i))
		return json_integer(i);
	if (span_all(s + (*s == '-' || *s == '+'), "0123456789"))
		return json_stringn(s, len); /* an integer too big for JSON: keep its digits */
	if (core_float(s)) {
		double d = strtod(s, NULL);
		if (isfinite(d))
			return json_real(d);
	}
	return json_stringn(s, len);
}

struct yread {
	yaml_document_t *doc; /* the loaded document; borrowed */
	unsigned long nodes;  /* converted so far; an alias counts each time it is expanded */
	struct apierr *e;
};

/* Converts node n (and everything below it). New reference, or NULL with y->e set. */
static json_t *yaml_node_json(struct yread *y, yaml_node_t *n, int depth)
{
	json_t *out = NULL;
	if (!n) {
		err_set(y->e, E_BAD_REQUEST,
			"Invalid OpenAPI definition: the YAML refers to a missing node");
		return NULL;
	}
	if (depth > YAML_DEPTH_MAX) {
		err_set(y->e, E_BAD_REQUEST,
			"Invalid OpenAPI definition: the YAML nests deeper than %d levels",
			YAML_DEPTH_MAX);
		return NULL;
	}
	if (++y->nodes > YAML_NODES_MAX) {
		err_set(y->e, E_BAD_REQUEST,
			"Invalid OpenAPI definition: the YAML expands to more than %d nodes (check its "
			"aliases)",
			YAML_NODES_MAX);
		return NULL;
	}
	switch (n->type) {
	case YAML_SCALAR_NODE: {
		const char *s = (const char *)n->data.scalar.value;
		size_t len = n->data.scalar.length;
		/* As the JSON parser does: a NUL would cut every C string made from it short. */
		if (memchr(s, '\0', len)) {
			err_set(y->e, E_BAD_REQUEST,
				"Invalid OpenAPI definition: a YAML string contains a NUL character");
			return NULL;
		}
		out = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE ? yaml_plain(s, len)
								      : json_stringn(s, len);
		if (!out)
			err_set(y->e, E_BAD_REQUEST,
				"Invalid OpenAPI definition: a YAML scalar is not valid UTF-8");
		return out;
	}
	case YAML_SEQUENCE_NODE:
		out = json_array();
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     it < n->data.sequence.items.top; it++) {
			json_t *v =
				yaml_node_json(y, yaml_document_get_node(y->doc, *it), depth + 1);
			if (!v)
				goto fail;
			json_array_append_new(out, v);
		}
		return out;
	case YAML_MAPPING_NODE:
		out = json_object();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(y->doc, p->key);
			if (!k || k->type != YAML_SCALAR_NODE) {
				err_set(y->e, E_BAD_REQUEST,
					"Invalid OpenAPI definition: YAML mapping keys must be "
					"scalars");
				goto fail;
			}
			json_t *v = yaml_node_json(y, yaml_document_get_node(y->doc, p->value),
						   depth + 1);
			if (!v)
				goto fail;
			json_object_set_new(out, (const char *)k->data.scalar.value, v);
		}
		return out;
	default:
		err_set(y->e, E_BAD_REQUEST, "Invalid OpenAPI definition: empty YAML node");
		return NULL;
	}
fail:
	json_decref(out);
	return NULL;
}

/* The first document of a YAML stream as JSON. New reference, or NULL with e set. */
json_t *yaml_to_json(const char *text, size_t len, struct apierr *e)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	json_t *out = NULL;
	if (!yaml_parser_initialize(&parser)) {
		err_set(e, E_INTERNAL, "Out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		err_set(e, E_BAD_REQUEST,
			"Invalid OpenAPI definition: the YAML could not be parsed: %s%s%s (line %zu, "
			"column %zu)",
			parser.problem ? parser.problem : "syntax error", parser.context ? " " : "",
			parser.context ? parser.context : "", parser.problem_mark.line + 1,
			parser.problem_mark.column + 1);
		yaml_parser_delete(&parser);
		return NULL;
	}
	struct yread y = {&doc, 0, e};
	yaml_node_t *root = yaml_document_get_root_node(&doc);
	if (root)
		out = yaml_node_json(&y, root, 0);
	else
		err_set(e, E_BAD_REQUEST, "Invalid OpenAPI definition: the document is empty");
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return out;
}

/* ---- YAML output ---- */

static int yaml_out(void *arg, unsigned char *buf, size_t size)
{
	struct sbuf *b = arg;
	sbuf_add(b, (const char *)buf, size);
	return !b->failed;
}

static int emit_scalar(yaml_emitter_t *em, const char *s, size_t len, yaml_scalar_style_t style)
{
	yaml_event_t ev;
	return yaml_scalar_event_initialize(&ev, NULL, NULL, (const yaml_char_t *)s, (int)len, 1, 1,
					    style) &&
	       yaml_emitter_emit(em, &ev);
}

/* Would a plain scalar with this text read back as something other than this string? */
static bool plain_is_ambiguous(const char *s, size_t len)
{
	json_t *v = strlen(s) == len ? yaml_plain(s, len) : NULL;
	bool ambiguous = !json_is_string(v);
	json_decref(v);
	return ambiguous;
}

/* Emits v: string values double-quoted (as AWS writes them), keys plain where that reads back
 * as the same string. */
static int emit_json(yaml_emitter_t *em, const json_t *v)
{
	yaml_event_t ev;
	char num[64];
	const char *k;
	json_t *item;
	size_t i;
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (!yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
							 YAML_BLOCK_MAPPING_STYLE) ||
		    !yaml_emitter_emit(em, &ev))
			return 0;
		json_object_foreach((json_t *)v, k, item) {
			size_t klen = strlen(k);
			if (!emit_scalar(em, k, klen,
					 plain_is_ambiguous(k, klen)
						 ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
						 : YAML_ANY_SCALAR_STYLE) ||
			    !emit_json(em, item))
				return 0;
		}
		return yaml_mapping_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev);
	case JSON_ARRAY:
		if (!yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							  YAML_BLOCK_SEQUENCE_STYLE) ||
		    !yaml_emitter_emit(em, &ev))
			return 0;
		json_array_foreach(v, i, item) {
			if (!emit_json(em, item))
				return 0;
		}
		return yaml_sequence_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev);
	case JSON_STRING:
		return emit_scalar(em, json_string_value(v), json_string_length(v),
				   YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	case JSON_INTEGER:
		snprintf(num, sizeof num, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		return emit_scalar(em, num, strlen(num), YAML_PLAIN_SCALAR_STYLE);
	case JSON_REAL:
		yaml_real_text(json_real_value(v), num, sizeof num);
		return emit_scalar(em, num, strlen(num), YAML_PLAIN_SCALAR_STYLE);
	case JSON_TRUE: return emit_scalar(em, "true", 4, YAML_PLAIN_SCALAR_STYLE);
	case JSON_FALSE: return emit_scalar(em, "false", 5, YAML_PLAIN_SCALAR_STYLE);
	default: return emit_scalar(em, "null", 4, YAML_PLAIN_SCALAR_STYLE);
	}
}

/* doc as a YAML document. Returns a new string (its length in *len), or NULL. */
char *yaml_from_json(const json_t *doc, size_t *len)
{
	yaml_emitter_t em;
	yaml_event_t ev;
	struct sbuf b = {0};
	if (!yaml_emitter_initialize(&em))
		return NULL;
	yaml_emitter_set_output(&em, yaml_out, &b);
	yaml_emitter_set_unicode(&em, 1);
	yaml_emitter_set_width(&em, -1);
	int ok = yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) &&
		 yaml_emitter_emit(&em, &ev) &&
		 yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) &&
		 yaml_emitter_emit(&em, &ev) && emit_json(&em, doc) &&
		 yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(&em, &ev) &&
		 yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(&em, &ev) &&
		 yaml_emitter_flush(&em);
	yaml_emitter_delete(&em);
	if (!ok || b.failed || !b.buf) {
		sbuf_release(&b);
		return NULL;
	}
	*len = b.len;
	return b.buf;
}
