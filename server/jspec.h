/* jspec.h — declarative field tables: one table per AWS resource drives validation of
 * requests, PATCH merging, defaults and the JSON answer. Adding an AWS member to a resource is
 * one row in its table.
 *
 * Vocabulary: a request `in` is validated into a `doc` (only the members the client set,
 * checked), docs are merged for updates, and a doc is rendered into the answer by filling in
 * defaults in table order. Stored docs hold exactly what the client set (plus server-assigned
 * members), so defaults are re-derived whenever a member they depend on changes. */
#ifndef APIGWD_JSPEC_H
#define APIGWD_JSPEC_H

#include <jansson.h>
#include <stdbool.h>

#include "errors.h"

/* Which API protocols a member belongs to. On the other protocol the member is accepted and
 * dropped (AWS does that; Terraform always sends some WebSocket-only members). */
enum {
	P_WS = 1u << 0,	  /* WEBSOCKET */
	P_HTTP = 1u << 1, /* HTTP */
	P_ANY = P_WS | P_HTTP,
};

enum jtype {
	J_STR, /* string, length min..max */
	J_INT, /* integer, value min..max */
	J_BOOL,
	J_ENUM,	   /* string, one of enums[] */
	J_STRMAP,  /* object of strings; value length min..max */
	J_MAPMAP,  /* object of objects of strings (responseParameters) */
	J_STRLIST, /* array of strings, each length min..max */
	J_INTLIST, /* array of integers, each min..max */
	J_OBJ,	   /* object validated by the `sub` table */
	J_OBJMAP,  /* object whose values are validated by the `sub` table */
	J_ANY,	   /* any JSON value; server-assigned only */
};

enum {
	F_CREATE = 1u << 0, /* accepted in Create* */
	F_UPDATE = 1u << 1, /* accepted in Update* */
	F_IN = F_CREATE | F_UPDATE,
	F_REQUIRED = 1u << 2, /* Create* fails without it */
	F_SERVER = 1u << 3,   /* assigned by the server, never taken from a request */
	F_MERGE = 1u << 4,    /* maps: an update merges keys; "" or {} as a value deletes the key */
	F_HIDDEN = 1u << 5,   /* stored, never rendered */
	F_UPDATE_REQUIRED = 1u << 6, /* Update* fails without it too (the model says so) */
};

struct jfield;

/* Returns the default for an unset member (new reference), or NULL for none. `doc` is the
 * rendering so far: members above this one in the table, defaults included. */
typedef json_t *(*jdefault_fn)(const json_t *doc, unsigned proto);

/* Extra rule for a present value (called after the type checks). Returns E_OK or fills e. */
typedef enum err (*jcheck_fn)(const struct jfield *f, const json_t *v, struct apierr *e);

struct jfield {
	const char *name; /* wire name (camelCase) */
	enum jtype type;
	long long min, max;	  /* J_STR/J_STRMAP/J_STRLIST: length; J_INT: value; 0,0 = none */
	unsigned flags;		  /* F_* */
	unsigned proto;		  /* P_* the member is stored for; 0 means P_ANY */
	const char *const *enums; /* J_ENUM: NULL-terminated */
	const struct jfield *sub; /* J_OBJ/J_OBJMAP: member table, ended by a {0} row */
	jdefault_fn dflt;	  /* default when unset, or NULL */
	const char *dflt_str;	  /* a constant string default (instead of dflt), or NULL */
	jcheck_fn check;	  /* extra rule, or NULL */
};

enum jmode { JM_CREATE, JM_UPDATE };

/* Validates the request object `in` against `fields` for `mode` on an API of protocol
 * `proto`. Members not in the table, server-assigned members and members of the other
 * protocol are dropped. Returns a new object holding the accepted members, or NULL with e
 * set (a 400 naming the member and the rule). */
json_t *jspec_parse(const struct jfield *fields, const json_t *in, enum jmode mode, unsigned proto,
		    struct apierr *e);

/* Checks `in` (an object) against a nested table, as jspec_parse does, without dropping.
 * `where` prefixes member names in messages ("tlsConfig."). */
enum err jspec_check_object(const struct jfield *fields, const json_t *in, const char *where,
			    struct apierr *e);

/* Applies the accepted update `patch` to the stored `doc` in place: scalars and objects are
 * replaced, F_MERGE maps are merged key by key ("" or {} deletes a key). */
void jspec_merge(const struct jfield *fields, json_t *doc, const json_t *patch);

/* The answer for `doc`: every member in table order, defaults filled in, unset members and
 * F_HIDDEN ones left out. Returns a new object. */
json_t *jspec_render(const struct jfield *fields, const json_t *doc, unsigned proto);

/* Reusable defaults for rows. */
json_t *jdefault_false(const json_t *doc, unsigned proto);
json_t *jdefault_empty_map(const json_t *doc, unsigned proto);

/* Reusable checks for rows. */
enum err jcheck_tags(const struct jfield *f, const json_t *v, struct apierr *e);

/* The string member `name` of obj, or NULL (absent or not a string). Borrowed. */
const char *jstr(const json_t *obj, const char *name);
/* Sets dst[to] to src[from] (a new reference) when src has it and it is not null. */
void jcopy_member(json_t *dst, const char *to, const json_t *src, const char *from);

/* Whether s is non-NULL and starts with prefix. */
bool jstarts_with(const char *s, const char *prefix);

/* Whether s has the shape of an ARN: arn:partition:service:region:account:resource. */
bool jis_arn(const char *s);

/* Length of the valid UTF-8 character at s (1-4), or 0 when s does not start one (overlong
 * forms, surrogates and code points past U+10FFFF are not valid). */
size_t jutf8_char(const unsigned char *s);

/* Looks a row up by wire name; NULL when absent. */
const struct jfield *jspec_field(const struct jfield *fields, const char *name);

#endif
