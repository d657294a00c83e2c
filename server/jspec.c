/* jspec.c — validation, merging and rendering driven by field tables (see jspec.h). */
#include "jspec.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Length in characters (code points), as AWS counts string limits. jansson has already
 * rejected invalid UTF-8. */
static long long utf8_len(const char *s, size_t bytes)
{
	long long n = 0;
	for (size_t i = 0; i < bytes; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static bool has_limits(const struct jfield *f)
{
	return f->min != 0 || f->max != 0;
}

static enum err check_len(const char *where, const char *name, const json_t *v, long long min,
			  long long max, struct apierr *e)
{
	long long n = utf8_len(json_string_value(v), json_string_length(v));
	if (n < min || (max && n > max))
		return err_set(e, E_BAD_REQUEST,
			       "Invalid value for %s%s: length %lld. Must be between %lld and %lld "
			       "characters",
			       where, name, n, min, max);
	return E_OK;
}

static enum err wrong_type(const char *where, const char *name, const char *want, struct apierr *e)
{
	return err_set(e, E_BAD_REQUEST, "Invalid type for %s%s: expected %s", where, name, want);
}

static enum err check_strmap(const char *where, const struct jfield *f, const json_t *v,
			     struct apierr *e)
{
	const char *k;
	json_t *val;
	if (!json_is_object(v))
		return wrong_type(where, f->name, "a map of strings", e);
	json_object_foreach((json_t *)v, k, val) {
		if (!json_is_string(val))
			return err_set(e, E_BAD_REQUEST,
				       "Invalid type for %s%s.%s: expected a string", where,
				       f->name, k);
		if (*k == '\0')
			return err_set(e, E_BAD_REQUEST,
				       "Invalid key for %s%s: keys must not be empty", where,
				       f->name);
		/* "" is how an update deletes a key; the merged result is checked again. */
		if (has_limits(f) && json_string_length(val) > 0 &&
		    check_len(where, f->name, val, f->min, f->max, e))
			return e->code;
	}
	return E_OK;
}

static enum err check_value(const char *where, const struct jfield *f, const json_t *v,
			    struct apierr *e)
{
	char sub[256];
	const char *k;
	json_t *item;
	size_t i;

	switch (f->type) {
	case J_STR:
		if (!json_is_string(v))
			return wrong_type(where, f->name, "a string", e);
		if (has_limits(f) && check_len(where, f->name, v, f->min, f->max, e))
			return e->code;
		break;
	case J_INT:
		if (!json_is_integer(v))
			return wrong_type(where, f->name, "an integer", e);
		if (has_limits(f) &&
		    (json_integer_value(v) < f->min || json_integer_value(v) > f->max))
			return err_set(e, E_BAD_REQUEST,
				       "Invalid value for %s%s: %" JSON_INTEGER_FORMAT
				       ". Must be between %lld and %lld",
				       where, f->name, json_integer_value(v), f->min, f->max);
		break;
	case J_BOOL:
		if (!json_is_boolean(v))
			return wrong_type(where, f->name, "a boolean", e);
		break;
	case J_ENUM: {
		if (!json_is_string(v))
			return wrong_type(where, f->name, "a string", e);
		for (const char *const *en = f->enums; *en; en++)
			if (strcmp(*en, json_string_value(v)) == 0)
				goto checked;
		char list[256] = "";
		for (const char *const *en = f->enums; *en; en++)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
				 en == f->enums ? "" : ", ", *en);
		return err_set(e, E_BAD_REQUEST,
			       "Invalid value for %s%s: %.128s. Must be one of [%s]", where,
			       f->name, json_string_value(v), list);
	}
	case J_STRMAP:
		if (check_strmap(where, f, v, e))
			return e->code;
		break;
	case J_MAPMAP:
		if (!json_is_object(v))
			return wrong_type(where, f->name, "a map of maps", e);
		json_object_foreach((json_t *)v, k, item) {
			snprintf(sub, sizeof sub, "%s%s.", where, f->name);
			struct jfield inner = *f;
			inner.name = k;
			if (check_strmap(sub, &inner, item, e))
				return e->code;
		}
		break;
	case J_STRLIST:
	case J_INTLIST:
		if (!json_is_array(v))
			return wrong_type(where, f->name, "a list", e);
		json_array_foreach(v, i, item) {
			struct jfield inner = *f;
			char name[160];
			snprintf(name, sizeof name, "%s[%zu]", f->name, i);
			inner.name = name;
			inner.type = f->type == J_STRLIST ? J_STR : J_INT;
			inner.check = NULL;
			if (check_value(where, &inner, item, e))
				return e->code;
		}
		break;
	case J_OBJ:
		if (!json_is_object(v))
			return wrong_type(where, f->name, "an object", e);
		snprintf(sub, sizeof sub, "%s%s.", where, f->name);
		if (jspec_check_object(f->sub, v, sub, e))
			return e->code;
		break;
	case J_OBJMAP:
		if (!json_is_object(v))
			return wrong_type(where, f->name, "a map of objects", e);
		json_object_foreach((json_t *)v, k, item) {
			if (!json_is_object(item))
				return err_set(e, E_BAD_REQUEST,
					       "Invalid type for %s%s.%s: expected an object",
					       where, f->name, k);
			snprintf(sub, sizeof sub, "%s%s.%s.", where, f->name, k);
			if (jspec_check_object(f->sub, item, sub, e))
				return e->code;
		}
		break;
	case J_ANY: break;
	}
checked:
	return f->check ? f->check(f, v, e) : E_OK;
}

enum err jspec_check_object(const struct jfield *fields, const json_t *in, const char *where,
			    struct apierr *e)
{
	for (const struct jfield *f = fields; f->name; f++) {
		json_t *v = json_object_get(in, f->name);
		if (!v || json_is_null(v)) {
			if (f->flags & F_REQUIRED)
				return err_set(e, E_BAD_REQUEST, "%s%s is a required member", where,
					       f->name);
			continue;
		}
		if (check_value(where, f, v, e))
			return e->code;
	}
	return E_OK;
}

json_t *jspec_parse(const struct jfield *fields, const json_t *in, enum jmode mode, unsigned proto,
		    struct apierr *e)
{
	unsigned accept = mode == JM_CREATE ? F_CREATE : F_UPDATE;
	json_t *doc = NULL;

	if (!json_is_object(in)) {
		err_set(e, E_BAD_REQUEST, "Invalid request body: expected a JSON object");
		return NULL;
	}
	doc = json_object();
	for (const struct jfield *f = fields; f->name; f++) {
		json_t *v = json_object_get(in, f->name);
		if (f->flags & F_SERVER || !(f->flags & accept))
			continue;
		if (!v || json_is_null(v)) {
			if ((mode == JM_CREATE && (f->flags & F_REQUIRED)) ||
			    (mode == JM_UPDATE && (f->flags & F_UPDATE_REQUIRED))) {
				err_set(e, E_BAD_REQUEST, "%s is a required parameter", f->name);
				goto fail;
			}
			continue;
		}
		if (check_value("", f, v, e))
			goto fail;
		if (f->proto && !(f->proto & proto))
			continue; /* the other protocol's member: accepted, dropped */
		json_object_set(doc, f->name, v);
	}
	return doc;
fail:
	json_decref(doc);
	return NULL;
}

/* An update's value that deletes a map key. */
static bool deletes_key(const json_t *v)
{
	return (json_is_string(v) && json_string_length(v) == 0) ||
	       (json_is_object(v) && json_object_size(v) == 0);
}

void jspec_merge(const struct jfield *fields, json_t *doc, const json_t *patch)
{
	const char *name;
	json_t *v;
	json_object_foreach((json_t *)patch, name, v) {
		const struct jfield *f = jspec_field(fields, name);
		if (!f || !(f->flags & F_MERGE)) {
			json_object_set(doc, name, v);
			continue;
		}
		/* A fresh copy, so the stored map never shares structure with the request. */
		json_t *map = json_deep_copy(json_object_get(doc, name));
		const char *k;
		json_t *kv;
		if (!json_is_object(map)) {
			json_decref(map);
			map = json_object();
		}
		json_object_foreach(v, k, kv) {
			if (deletes_key(kv))
				json_object_del(map, k);
			else
				json_object_set(map, k, kv);
		}
		if (json_object_size(map))
			json_object_set_new(doc, name, map);
		else {
			json_decref(map);
			json_object_del(doc, name);
		}
	}
}

json_t *jspec_render(const struct jfield *fields, const json_t *doc, unsigned proto)
{
	json_t *out = json_object();
	for (const struct jfield *f = fields; f->name; f++) {
		if (f->flags & F_HIDDEN || (f->proto && !(f->proto & proto)))
			continue;
		json_t *v = json_object_get(doc, f->name);
		if (v && !json_is_null(v))
			json_object_set(out, f->name, v);
		else if (f->dflt && (v = f->dflt(out, proto)))
			json_object_set_new(out, f->name, v);
		else if (f->dflt_str)
			json_object_set_new(out, f->name, json_string(f->dflt_str));
	}
	return out;
}

const char *jstr(const json_t *obj, const char *name)
{
	return json_string_value(json_object_get(obj, name));
}

bool jstarts_with(const char *s, const char *prefix)
{
	return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

bool jis_arn(const char *s)
{
	int colons = 0;
	if (!jstarts_with(s, "arn:"))
		return false;
	for (; *s; s++)
		colons += *s == ':';
	return colons >= 5;
}

size_t jutf8_char(const unsigned char *s)
{
	size_t n = s[0] < 0x80			  ? 1
		   : s[0] >= 0xC2 && s[0] <= 0xDF ? 2
		   : s[0] >= 0xE0 && s[0] <= 0xEF ? 3
		   : s[0] >= 0xF0 && s[0] <= 0xF4 ? 4
						  : 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
	    (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F))
		return 0;
	return n;
}

const struct jfield *jspec_field(const struct jfield *fields, const char *name)
{
	for (const struct jfield *f = fields; f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

json_t *jdefault_false(const json_t *doc, unsigned proto)
{
	(void)doc;
	(void)proto;
	return json_false();
}

json_t *jdefault_empty_map(const json_t *doc, unsigned proto)
{
	(void)doc;
	(void)proto;
	return json_object();
}

/* AWS tag rules: at most 50 tags, keys 1-128 characters and not starting with "aws:",
 * values at most 256 characters. */
enum err jcheck_tags(const struct jfield *f, const json_t *v, struct apierr *e)
{
	const char *k;
	json_t *val;
	if (json_object_size(v) > 50)
		return err_set(e, E_BAD_REQUEST,
			       "Invalid value for %s: at most 50 tags are allowed", f->name);
	json_object_foreach((json_t *)v, k, val) {
		long long klen = utf8_len(k, strlen(k));
		if (klen < 1 || klen > 128)
			return err_set(e, E_BAD_REQUEST,
				       "Invalid tag key %.140s: length must be between 1 and 128",
				       k);
		if (strncmp(k, "aws:", 4) == 0)
			return err_set(e, E_BAD_REQUEST,
				       "Invalid tag key %.140s: the aws: prefix is reserved", k);
		if (utf8_len(json_string_value(val), json_string_length(val)) > 256)
			return err_set(e, E_BAD_REQUEST,
				       "Invalid tag value for %.140s: at most 256 characters", k);
	}
	return E_OK;
}

void jcopy_member(json_t *dst, const char *to, const json_t *src, const char *from)
{
	json_t *v = json_object_get(src, from);
	if (v && !json_is_null(v))
		json_object_set(dst, to, v);
}
