/* vtl_int.h — what the engine's files share: the arena, values, the compiled tree and the render
 * state. Not part of the public interface (vtl.h). */
#ifndef APIGWD_VTL_INT_H
#define APIGWD_VTL_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vtl.h"

/* ---- arena: bump allocation, freed all at once ---- */
struct vtl_chunk;
struct vtl_arena {
	struct vtl_chunk *head; /* newest chunk first */
	size_t total;		/* bytes malloc'ed so far */
	size_t cap;		/* most bytes it may malloc; 0 = unlimited */
};
void *vtl_arena_alloc(struct vtl_arena *a, size_t n); /* zeroed; NULL when over cap or OOM */
void vtl_arena_release(struct vtl_arena *a);

/* ---- values ---- */
enum vtype {
	V_NULL,	 /* Java null: renders empty, false in #if, #set of it changes nothing */
	V_UNDEF, /* an undefined reference (AWS): renders empty, true in #if, equals "" and null */
	V_BOOL,
	V_INT,
	V_DOUBLE,
	V_STR,
	V_LIST,
	V_MAP,
	V_OBJ,	 /* a built-in object: sub says which */
	V_BLOCK, /* a #define'd block */
};
enum vobj { O_INPUT, O_UTIL, O_FOREACH, O_ENTRY };

struct vlist;
struct vmap;
struct ventry;
struct vloop;
struct node;

struct vval {
	uint8_t t;   /* enum vtype */
	uint8_t sub; /* V_OBJ: enum vobj */
	union {
		bool b;
		int64_t i;
		double d;
		struct {
			const char *p; /* borrowed from the template or the render's arena */
			size_t n;
		} s;
		struct vlist *l;
		struct vmap *m;
		struct vloop *loop;	/* O_FOREACH */
		struct ventry *entry;	/* O_ENTRY */
		const struct node *blk; /* V_BLOCK */
	} u;
};

struct vlist {
	struct vval *v;
	size_t n, cap;
	bool json; /* from JSON ($input.path, parseJson): renders as JSON text, as on AWS */
};
struct ventry {
	struct vval key, val;
};
struct vmap {
	struct ventry *e; /* in insertion order (LinkedHashMap) */
	size_t n, cap;
};
struct vloop {
	int64_t index; /* 0-based */
	bool has_next;
};

static inline struct vval vv_null(void)
{
	return (struct vval){.t = V_NULL};
}
static inline struct vval vv_undef(void)
{
	return (struct vval){.t = V_UNDEF};
}
static inline struct vval vv_bool(bool b)
{
	return (struct vval){.t = V_BOOL, .u.b = b};
}
static inline struct vval vv_int(int64_t i)
{
	return (struct vval){.t = V_INT, .u.i = i};
}
static inline struct vval vv_double(double d)
{
	return (struct vval){.t = V_DOUBLE, .u.d = d};
}
static inline struct vval vv_str(const char *p, size_t n)
{
	return (struct vval){.t = V_STR, .u.s = {p, n}};
}
static inline bool vv_is_nullish(struct vval v)
{
	return v.t == V_NULL || v.t == V_UNDEF;
}

/* ---- output buffer ---- */
struct vtl_buf {
	char *p;    /* malloc'ed */
	size_t n;   /* bytes used */
	size_t cap; /* bytes allocated */
	size_t max; /* most bytes allowed */
	bool over;  /* an append was refused (max or OOM) */
};
bool vtl_buf_add(struct vtl_buf *b, const char *s, size_t n);
bool vtl_buf_addc(struct vtl_buf *b, char c);
bool vtl_buf_printf(struct vtl_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- the compiled tree ---- */
enum ntype { N_TEXT, N_REF, N_SET, N_IF, N_FOREACH, N_DEFINE, N_BREAK, N_STOP };
enum etype {
	E_LIT,	 /* u.lit */
	E_STR,	 /* interpolated "...": u.body */
	E_REF,	 /* u.ref */
	E_LIST,	 /* u.list */
	E_RANGE, /* u.bin */
	E_MAP,	 /* u.list: keys and values alternate */
	E_PAREN, /* u.bin.a */
	E_NOT,	 /* u.bin.a */
	E_OR,
	E_AND,
	E_EQ,
	E_NE,
	E_LT,
	E_LE,
	E_GT,
	E_GE,
	E_ADD,
	E_SUB,
	E_MUL,
	E_DIV,
	E_MOD,
};
enum skind { S_PROP, S_METHOD, S_INDEX };

struct expr;
struct suffix {
	uint8_t kind;	     /* enum skind */
	int method;	     /* enum vtl_method (vtl_eval.c) of name */
	const char *name;    /* S_PROP, S_METHOD */
	size_t nlen;	     /* bytes of name */
	struct expr **args;  /* S_METHOD: arguments; S_INDEX: args[0] */
	unsigned nargs;	     /* S_METHOD */
	int line, col;	     /* position of the name */
	struct suffix *next; /* the next link of the chain */
};
struct ref {
	unsigned slot;	      /* the root variable */
	struct suffix *chain; /* properties, methods, indexes; NULL for a plain $x */
};
struct expr {
	uint8_t type; /* enum etype */
	int line, col;
	union {
		struct vval lit;
		struct node *body;
		struct ref ref;
		struct {
			struct expr *a, *b;
		} bin;
		struct {
			struct expr **items;
			size_t n;
		} list;
	} u;
};
struct ifarm {
	struct expr *cond; /* NULL for #else */
	struct node *body;
	struct ifarm *next;
};
struct node {
	uint8_t type; /* enum ntype */
	int line, col;
	struct node *next;
	union {
		struct {
			const char *p;
			size_t n;
		} text;
		struct {
			struct expr *e;	 /* E_REF */
			bool quiet;	 /* $!x */
			bool escaped;	 /* an odd number of backslashes before it */
			unsigned nbs;	 /* backslashes to write before it */
			const char *lit; /* the reference as written, for an escaped one */
			size_t litn;	 /* bytes of lit */
		} ref;
		struct {
			struct expr *lhs, *rhs;
		} set;
		struct ifarm *arms;
		struct {
			unsigned slot;
			struct expr *iter;
			struct node *body;
		} loop;
		struct {
			unsigned slot;
			struct node *body;
		} define;
	} u;
};

/* Slots of the names every render binds. */
enum {
	SLOT_INPUT,
	SLOT_UTIL,
	SLOT_CONTEXT,
	SLOT_STAGEVARS,
	SLOT_FOREACH,
	SLOT_VCOUNT,
	SLOT_VHASNEXT,
	SLOT_FIRST_FREE,
};

struct vtl_template {
	struct vtl_arena arena; /* everything below lives here */
	struct node *root;
	char **names; /* slot → variable name */
	unsigned nnames;
	char *src; /* a copy of the source: text nodes point into it */
	size_t srclen;
};

/* vtl_parse.c */
int vtl_method_id(const char *name, size_t n);

/* ---- render state (vtl_eval.c; used by vtl_input.c and vtl_util.c) ---- */
struct vtl_render {
	const struct vtl_template *t;
	const struct vtl_bindings *b;
	const struct vtl_limits *lim;
	struct vtl_arena arena; /* values made while rendering */
	struct vval *vars;	/* slot → value */
	struct vtl_buf out;
	unsigned long steps;
	unsigned depth;
	struct vtl_error *err;
	bool failed;	/* err is filled */
	int ctl;	/* CTL_NONE, CTL_BREAK, CTL_STOP */
	json_t *body;	/* $input.body parsed, once (NULL: not yet, or not JSON) */
	bool body_done; /* body was parsed (successfully or not) */
	json_t *keep;	/* JSON documents whose strings values borrow ($util.parseJson) */
};

bool vtl_fail(struct vtl_render *r, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void *vtl_alloc(struct vtl_render *r, size_t n, int line, int col); /* NULL after vtl_fail */
bool vtl_strdup(struct vtl_render *r, const char *p, size_t n, struct vval *out, int line, int col);

/* vtl_value.c. vtl_tostring / vtl_tojson append to r->out: Java's toString() (V_NULL as
 * "null", as inside a collection), and JSON text. */
bool vtl_tostring(struct vtl_render *r, struct vval v);
bool vtl_tojson(struct vtl_render *r, struct vval v);
bool vtl_json_of(struct vtl_render *r, struct vval v, const char **p, size_t *n, int line,
		 int col); /* JSON text, as a string in the arena */
bool vtl_str_of(struct vtl_render *r, struct vval v, const char **p, size_t *n, int line,
		int col); /* toString, as a string in the arena (or borrowed) */
void vtl_format_double(double d, char *buf, size_t size); /* Java Double.toString */
bool vtl_from_json(struct vtl_render *r, const json_t *j, bool json_lists, struct vval *out);
bool vtl_list_push(struct vtl_render *r, struct vlist *l, struct vval v);
struct vlist *vtl_list_new(struct vtl_render *r, size_t cap, bool json);
struct vmap *vtl_map_new(struct vtl_render *r, size_t cap);
struct ventry *vtl_map_find(struct vmap *m, struct vval key);
bool vtl_map_put(struct vtl_render *r, struct vmap *m, struct vval key, struct vval val,
		 struct vval *prev);
bool vtl_equals(struct vtl_render *r, struct vval a, struct vval b, bool *eq); /* Velocity's == */
bool vtl_java_equals(struct vval a, struct vval b); /* Java equals(), for contains() and keys */

/* vtl_eval.c: renders a #define'd block into r->out. */
bool vtl_render_block(struct vtl_render *r, const struct node *body);

/* vtl_input.c: $input.json / $input.path / $input.params; $util.parseJson */
bool vtl_input_call(struct vtl_render *r, int method, struct vval *args, unsigned nargs,
		    struct vval *out, int line, int col);
/* vtl_util.c */
bool vtl_util_call(struct vtl_render *r, int method, struct vval *args, unsigned nargs,
		   struct vval *out, int line, int col);

/* Methods the engine knows (vtl_parse.c names them). */
enum vtl_method {
	M_UNKNOWN,
	M_LENGTH,
	M_SUBSTRING,
	M_INDEXOF,
	M_LASTINDEXOF,
	M_CONTAINS,
	M_STARTSWITH,
	M_ENDSWITH,
	M_EQUALS,
	M_EQUALSIGNORECASE,
	M_TOLOWERCASE,
	M_TOUPPERCASE,
	M_TRIM,
	M_REPLACE,
	M_REPLACEALL,
	M_REPLACEFIRST,
	M_MATCHES,
	M_SPLIT,
	M_ISEMPTY,
	M_CHARAT,
	M_TOSTRING,
	M_CONCAT,
	M_SIZE,
	M_GET,
	M_ADD,
	M_ADDALL,
	M_SET,
	M_REMOVE,
	M_PUT,
	M_PUTALL,
	M_KEYSET,
	M_VALUES,
	M_ENTRYSET,
	M_CONTAINSKEY,
	M_CONTAINSVALUE,
	M_CLEAR,
	M_GETKEY,
	M_GETVALUE,
	M_HASHCODE,
	M_JSON,
	M_PATH,
	M_PARAMS,
	M_GETBODY,
	M_ESCAPEJAVASCRIPT,
	M_PARSEJSON,
	M_URLENCODE,
	M_URLDECODE,
	M_BASE64ENCODE,
	M_BASE64DECODE,
	M_GETCOUNT,
	M_GETINDEX,
	M_HASNEXT,
	M_ISFIRST,
	M_ISLAST,
	M_COUNT_,
};

#endif
