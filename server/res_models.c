/* res_models.c — Model: CreateModel, GetModel, GetModels, UpdateModel, DeleteModel,
 * GetModelTemplate. docs/aws-behaviour.md §10.
 *
 * A model's name is alphanumeric and unique within its API (the unique key). When its
 * contentType is application/json its schema must be a JSON Schema draft 4 document: a JSON
 * object whose keywords have draft 4's types (checked structurally, as a meta-schema would).
 *
 * GetModelTemplate answers a Velocity mapping template that rebuilds the model's shape from
 * the request (apigwd's generator; AWS documents none):
 *   #set($inputRoot = $input.path('$'))
 *   {
 *     "name" : "$inputRoot.name",      strings (and untyped members) quoted
 *     "age" : $inputRoot.age,          numbers, integers, booleans, null bare
 *     "address" : {                    objects nested, members in schema order
 *       "city" : "$inputRoot.address.city"
 *     },
 *     "tags" : [                       arrays walked with #foreach over their items schema
 *   #foreach($elem in $inputRoot.tags)
 *       "$elem"#if($foreach.hasNext),#end
 *   #end
 *     ]
 *   }
 * Local "$ref": "#/..." pointers are followed; a name that is not a Velocity identifier is read
 * with .get('name'). Other content types get the body passed through ($input.body). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handlers.h"
#include "res.h"
#include "res_apis.h"
#include "res_models.h"
#include "sbuf.h"

/* AWS's words for any schema it refuses. */
static const char BAD_SCHEMA[] =
	"Invalid model specified: Validation Result: warnings : [], errors : [Invalid model "
	"schema specified]";

enum {
	SCHEMA_DEPTH_MAX = 256,	    /* nesting a schema may have */
	TEMPLATE_DEPTH_MAX = 32,    /* nesting a template follows ($refs included) */
	TEMPLATE_MAX = 1024 * 1024, /* bytes a template may take */
};

static enum err check_name(const struct jfield *f, const json_t *v, struct apierr *e)
{
	const char *s = json_string_value(v);
	(void)f;
	for (const char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9')))
			return err_set(e, E_BAD_REQUEST,
				       "Invalid model name specified: %.128s. Model names must be "
				       "alphanumeric",
				       s);
	return E_OK;
}

/* Alphabetical, as AWS answers. */
static const struct jfield model_fields[] = {
	{"contentType", J_STR, 1, 256, F_IN},
	{"description", J_STR, 0, 1024, F_IN},
	{"modelId", J_STR, .flags = F_SERVER},
	{"name", J_STR, 1, 128, F_IN | F_REQUIRED, .check = check_name},
	{"schema", J_STR, 0, 32768, F_IN | F_REQUIRED},
	{0},
};

/* application/json, in any case, with or without parameters ("; charset=utf-8"). */
static bool is_json_type(const char *ct)
{
	static const char json[] = "application/json";
	size_t n = sizeof json - 1;
	if (!ct || strncasecmp(ct, json, n))
		return false;
	return ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ';
}

/* ---- draft 4 structure ---- */

static bool schema_ok(const json_t *s, int depth);

static bool is_type_name(const json_t *v)
{
	static const char *const types[] = {"array",  "boolean", "integer", "null",
					    "number", "object",	 "string",  NULL};
	const char *t = json_string_value(v);
	for (const char *const *p = types; t && *p; p++)
		if (strcmp(t, *p) == 0)
			return true;
	return false;
}

/* A non-empty array of unique values, each accepted by `each` (NULL: any value). */
static bool unique_array(const json_t *v, bool (*each)(const json_t *))
{
	size_t i, j;
	if (!json_is_array(v) || json_array_size(v) == 0)
		return false;
	for (i = 0; i < json_array_size(v); i++) {
		if (each && !each(json_array_get(v, i)))
			return false;
		for (j = 0; j < i; j++)
			if (json_equal(json_array_get(v, i), json_array_get(v, j)))
				return false;
	}
	return true;
}

static bool is_string(const json_t *v)
{
	return json_is_string(v);
}

static bool schema_list_ok(const json_t *v, int depth)
{
	size_t i;
	json_t *item;
	if (!json_is_array(v) || json_array_size(v) == 0)
		return false;
	json_array_foreach(v, i, item)
		if (!schema_ok(item, depth + 1))
			return false;
	return true;
}

static bool schema_map_ok(const json_t *v, int depth)
{
	const char *k;
	json_t *item;
	if (!json_is_object(v))
		return false;
	json_object_foreach((json_t *)v, k, item)
		if (!schema_ok(item, depth + 1))
			return false;
	return true;
}

static bool count_ok(const json_t *v)
{
	return json_is_integer(v) && json_integer_value(v) >= 0;
}

/* One keyword of a schema: true when its value has the type draft 4 gives it. Unknown
 * keywords are allowed, as draft 4 allows them. */
static bool keyword_ok(const char *k, const json_t *v, int depth)
{
	static const char *const strings[] = {"$schema",     "id",	"$ref",	  "title",
					      "description", "pattern", "format", NULL};
	static const char *const counts[] = {"maxLength", "minLength",	   "maxItems",
					     "minItems",  "maxProperties", "minProperties",
					     NULL};
	static const char *const numbers[] = {"maximum", "minimum", NULL};
	static const char *const booleans[] = {"exclusiveMaximum", "exclusiveMinimum",
					       "uniqueItems", NULL};
	static const char *const maps[] = {"properties", "patternProperties", "definitions", NULL};
	static const char *const lists[] = {"allOf", "anyOf", "oneOf", NULL};
	const char *const *p;

	for (p = strings; *p; p++)
		if (strcmp(k, *p) == 0)
			return json_is_string(v);
	for (p = counts; *p; p++)
		if (strcmp(k, *p) == 0)
			return count_ok(v);
	for (p = numbers; *p; p++)
		if (strcmp(k, *p) == 0)
			return json_is_number(v);
	for (p = booleans; *p; p++)
		if (strcmp(k, *p) == 0)
			return json_is_boolean(v);
	for (p = maps; *p; p++)
		if (strcmp(k, *p) == 0)
			return schema_map_ok(v, depth);
	for (p = lists; *p; p++)
		if (strcmp(k, *p) == 0)
			return schema_list_ok(v, depth);
	if (strcmp(k, "type") == 0)
		return is_type_name(v) || unique_array(v, is_type_name);
	if (strcmp(k, "required") == 0)
		return unique_array(v, is_string);
	if (strcmp(k, "enum") == 0)
		return unique_array(v, NULL);
	if (strcmp(k, "multipleOf") == 0)
		return json_is_number(v) && json_number_value(v) > 0;
	if (strcmp(k, "not") == 0)
		return schema_ok(v, depth + 1);
	if (strcmp(k, "items") == 0)
		return json_is_object(v) ? schema_ok(v, depth + 1) : schema_list_ok(v, depth);
	if (strcmp(k, "additionalProperties") == 0 || strcmp(k, "additionalItems") == 0)
		return json_is_boolean(v) || schema_ok(v, depth + 1);
	if (strcmp(k, "dependencies") == 0) {
		const char *name;
		json_t *dep;
		if (!json_is_object(v))
			return false;
		json_object_foreach((json_t *)v, name, dep)
			if (!(json_is_object(dep) ? schema_ok(dep, depth + 1)
						  : unique_array(dep, is_string)))
				return false;
	}
	return true;
}

static bool schema_ok(const json_t *s, int depth)
{
	const char *k;
	json_t *v;
	if (!json_is_object(s) || depth > SCHEMA_DEPTH_MAX)
		return false;
	json_object_foreach((json_t *)s, k, v)
		if (!keyword_ok(k, v, depth))
			return false;
	return true;
}

/* The parsed schema text when it is a JSON object, else NULL. New reference. */
static json_t *parse_schema(const json_t *schema)
{
	json_t *doc = json_loadb(json_string_value(schema), json_string_length(schema), 0, NULL);
	if (doc && !json_is_object(doc)) {
		json_decref(doc);
		doc = NULL;
	}
	return doc;
}

static enum err model_check(struct rctx *c)
{
	const json_t *schema = json_object_get(c->out, "schema");
	json_t *doc = NULL;
	enum err rc = E_OK;

	if (!schema || !is_json_type(json_string_value(json_object_get(c->out, "contentType"))))
		return E_OK;
	doc = parse_schema(schema);
	if (!doc || !schema_ok(doc, 0))
		rc = err_set(&c->err, E_BAD_REQUEST, "%s", BAD_SCHEMA);
	json_decref(doc);
	return rc;
}

static const char *model_ukey(const struct rctx *c)
{
	return json_string_value(json_object_get(c->out, "name"));
}

static enum err model_conflict(const struct rctx *c, struct apierr *e)
{
	return err_set(e, E_CONFLICT, "Model name already exists for this API: %.128s",
		       json_string_value(json_object_get(c->out, "name")));
}

const struct resdef model_def = {
	.name = "Model",
	.kind = "model",
	.id_member = "modelId",
	.id_len = 6,
	.parent = &api_def,
	.fields = model_fields,
	.in_deployment = true,
	.check = model_check,
	.ukey = model_ukey,
	.conflict = model_conflict,
};

/* ---- GetModelTemplate ---- */

/* The template being written. */
struct tpl {
	struct sbuf text;   /* .max = TEMPLATE_MAX: past it, .failed */
	const json_t *root; /* the whole schema, for $ref */
};

static void tpl_add(struct tpl *t, const char *s, size_t n)
{
	sbuf_add(&t->text, s, n);
}

static void tpl_puts(struct tpl *t, const char *s)
{
	sbuf_addstr(&t->text, s);
}

static void tpl_indent(struct tpl *t, int n)
{
	for (int i = 0; i < n; i++)
		tpl_add(t, " ", 1);
}

/* A member name as a JSON string. */
static void tpl_key(struct tpl *t, const char *name)
{
	json_t *s = json_string(name);
	char *text = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
	if (text)
		tpl_puts(t, text);
	else
		t->text.failed = true;
	free(text);
	json_decref(s);
}

/* [A-Za-z][A-Za-z0-9_]*: what Velocity reads after a dot without help. */
static bool is_identifier(const char *s)
{
	if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* path + ".name", or path + ".get('name')" when name is no Velocity identifier (a quote in
 * the name is doubled, Velocity's escape). New string. */
static char *member_path(const char *path, const char *name)
{
	size_t n = strlen(path) + 2 * strlen(name) + 16;
	char *out = malloc(n);
	if (!out)
		return NULL;
	if (is_identifier(name)) {
		snprintf(out, n, "%s.%s", path, name);
		return out;
	}
	size_t used = (size_t)snprintf(out, n, "%s.get('", path);
	for (const char *p = name; *p; p++) {
		if (*p == '\'')
			out[used++] = '\'';
		out[used++] = *p;
	}
	snprintf(out + used, n - used, "')");
	return out;
}

/* Follows a local "$ref": "#/a/b" pointer (with ~0 and ~1 escapes). Borrowed, or NULL. */
static const json_t *resolve_ref(const struct tpl *t, const char *ref)
{
	const json_t *at = t->root;
	char token[512];
	if (!ref || strncmp(ref, "#", 1))
		return NULL;
	ref++;
	while (*ref == '/' && at) {
		size_t n = 0;
		for (ref++; *ref && *ref != '/' && n + 1 < sizeof token; ref++) {
			if (ref[0] == '~' && (ref[1] == '0' || ref[1] == '1')) {
				token[n++] = ref[1] == '0' ? '~' : '/';
				ref++;
			} else {
				token[n++] = *ref;
			}
		}
		token[n] = '\0';
		at = json_object_get(at, token);
	}
	return *ref ? NULL : at;
}

static const char *schema_type(const json_t *s)
{
	const json_t *type = json_object_get(s, "type");
	if (json_is_array(type))
		type = json_array_get(type, 0);
	if (json_is_string(type))
		return json_string_value(type);
	if (json_object_get(s, "properties"))
		return "object";
	if (json_object_get(s, "items"))
		return "array";
	return "string";
}

/* Writes the template for value `s` read at Velocity reference `path`; `indent` is the
 * current member's indentation, `arrays` how many #foreach loops enclose it. */
static void tpl_value(struct tpl *t, const json_t *s, const char *path, int indent, int depth,
		      int arrays)
{
	const json_t *target;
	while (depth < TEMPLATE_DEPTH_MAX &&
	       (target = resolve_ref(t, json_string_value(json_object_get(s, "$ref")))) != NULL) {
		s = target;
		depth++;
	}
	const char *type = depth < TEMPLATE_DEPTH_MAX ? schema_type(s) : "string";

	if (strcmp(type, "object") == 0) {
		const json_t *props = json_object_get(s, "properties");
		const char *name;
		json_t *sub;
		bool first = true;
		tpl_puts(t, "{");
		json_object_foreach((json_t *)props, name, sub) {
			char *sub_path = member_path(path, name);
			if (!sub_path) {
				t->text.failed = true;
				return;
			}
			tpl_puts(t, first ? "\n" : ",\n");
			first = false;
			tpl_indent(t, indent + 2);
			tpl_key(t, name);
			tpl_puts(t, " : ");
			tpl_value(t, sub, sub_path, indent + 2, depth + 1, arrays);
			free(sub_path);
			if (t->text.failed)
				return;
		}
		if (!first) {
			tpl_puts(t, "\n");
			tpl_indent(t, indent);
		}
		tpl_puts(t, "}");
	} else if (strcmp(type, "array") == 0) {
		char elem[32];
		const json_t *items = json_object_get(s, "items");
		if (json_is_array(items))
			items = json_array_get(items, 0);
		snprintf(elem, sizeof elem, arrays ? "$elem%d" : "$elem", arrays);
		tpl_puts(t, "[\n#foreach(");
		tpl_puts(t, elem);
		tpl_puts(t, " in ");
		tpl_puts(t, path);
		tpl_puts(t, ")\n");
		tpl_indent(t, indent + 2);
		tpl_value(t, json_is_object(items) ? items : NULL, elem, indent + 2, depth + 1,
			  arrays + 1);
		tpl_puts(t, "#if($foreach.hasNext),#end\n#end\n");
		tpl_indent(t, indent);
		tpl_puts(t, "]");
	} else if (strcmp(type, "string") == 0) {
		tpl_puts(t, "\"");
		tpl_puts(t, path);
		tpl_puts(t, "\"");
	} else {
		tpl_puts(t, path);
	}
}

struct template_ctx {
	struct apierr err;
	char *value; /* the template; owned */
};

/* Reads the model named by the path and writes its template. Not a transaction: one read,
 * plus one more to tell a missing API from a missing model. */
static void make_template(struct req *rq, struct template_ctx *x)
{
	const char *api_id = req_param(rq, "apiId");
	const char *model_id = req_param(rq, "modelId");
	char *text = NULL;
	json_t *doc = NULL, *schema = NULL;
	struct tpl t = {.text = {.max = TEMPLATE_MAX}};
	struct db_key k = {&rq->scope, "model", api_id, model_id};
	enum db_rc rc = db_res_get(rq->db, &k, &text, NULL, NULL);

	if (rc == DB_NOTFOUND) {
		struct db_key ak = {&rq->scope, "api", "", api_id};
		rc = db_res_get(rq->db, &ak, NULL, NULL, NULL);
		if (rc == DB_NOTFOUND)
			err_not_found(&x->err, "Api", "Invalid API identifier specified %s:%s",
				      rq->account, api_id);
		else if (rc == DB_OK)
			err_not_found(&x->err, "Model", "Invalid Model identifier specified %s",
				      model_id);
		else
			err_db(rc, &x->err);
		goto out;
	}
	if (rc != DB_OK) {
		err_db(rc, &x->err);
		goto out;
	}
	doc = json_loads(text, 0, NULL);
	if (!doc) {
		err_set(&x->err, E_INTERNAL, "Stored Model is unreadable");
		goto out;
	}
	if (is_json_type(json_string_value(json_object_get(doc, "contentType"))) ||
	    !json_object_get(doc, "contentType"))
		schema = parse_schema(json_object_get(doc, "schema"));
	if (!schema) {
		x->value = strdup("$input.body");
		goto out;
	}
	t.root = schema;
	tpl_puts(&t, "#set($inputRoot = $input.path('$'))\n");
	tpl_value(&t, schema, "$inputRoot", 0, 0, 0);
	if (t.text.failed)
		err_set(&x->err, E_BAD_REQUEST,
			"Unable to generate a template for Model %s: it would exceed %d bytes",
			model_id, TEMPLATE_MAX);
	else
		x->value = sbuf_detach(&t.text, NULL);
out:
	sbuf_release(&t.text);
	free(text);
	json_decref(doc);
	json_decref(schema);
}

void model_template_get(struct req *rq)
{
	struct template_ctx x = {0};
	make_template(rq, &x);
	if (x.err.code) {
		reply_error(rq, &x.err);
	} else if (!x.value) {
		err_set(&x.err, E_INTERNAL, "Out of memory");
		reply_error(rq, &x.err);
	} else {
		json_t *answer = json_pack("{s:s}", "value", x.value);
		if (answer)
			reply_json(rq, 200, answer);
		else
			reply_errf(rq, E_INTERNAL, "Out of memory");
		json_decref(answer);
	}
	free(x.value);
}
