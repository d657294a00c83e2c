/* vtl_parse.c — the VTL lexer and parser: template source → the tree of vtl_int.h, with the
 * whitespace rules of Velocity 1.7 (docs/vtl.md) and AWS's syntax errors. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtl_int.h"

const struct vtl_limits vtl_default_limits = {
	.max_template = 300 * 1024,
	.max_output = 1024 * 1024,
	.max_foreach = 1000,
	.max_depth = 64,
	.max_steps = 10000000,
};

/* ---- arena ---- */
struct vtl_chunk {
	struct vtl_chunk *next;
	size_t used, size;
	_Alignas(max_align_t) unsigned char data[];
};

void *vtl_arena_alloc(struct vtl_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	struct vtl_chunk *c = a->head;
	if (!c || c->size - c->used < n) {
		size_t size = n > 16384 ? n : 16384;
		if (a->cap && a->total + size > a->cap)
			return NULL;
		c = malloc(sizeof *c + size);
		if (!c)
			return NULL;
		c->size = size;
		c->used = 0;
		a->total += size;
		if (a->head && n > 16384) { /* a big block: keep bumping the current chunk */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	void *p = c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

void vtl_arena_release(struct vtl_arena *a)
{
	while (a->head) {
		struct vtl_chunk *c = a->head;
		a->head = c->next;
		free(c);
	}
	a->total = 0;
}

/* ---- method names ---- */
static const struct {
	const char *name;
	int id;
} methods[] = {
	{"length", M_LENGTH},
	{"substring", M_SUBSTRING},
	{"indexOf", M_INDEXOF},
	{"lastIndexOf", M_LASTINDEXOF},
	{"contains", M_CONTAINS},
	{"startsWith", M_STARTSWITH},
	{"endsWith", M_ENDSWITH},
	{"equals", M_EQUALS},
	{"equalsIgnoreCase", M_EQUALSIGNORECASE},
	{"toLowerCase", M_TOLOWERCASE},
	{"toUpperCase", M_TOUPPERCASE},
	{"trim", M_TRIM},
	{"replace", M_REPLACE},
	{"replaceAll", M_REPLACEALL},
	{"replaceFirst", M_REPLACEFIRST},
	{"matches", M_MATCHES},
	{"split", M_SPLIT},
	{"isEmpty", M_ISEMPTY},
	{"charAt", M_CHARAT},
	{"toString", M_TOSTRING},
	{"concat", M_CONCAT},
	{"size", M_SIZE},
	{"get", M_GET},
	{"add", M_ADD},
	{"addAll", M_ADDALL},
	{"set", M_SET},
	{"remove", M_REMOVE},
	{"put", M_PUT},
	{"putAll", M_PUTALL},
	{"keySet", M_KEYSET},
	{"values", M_VALUES},
	{"entrySet", M_ENTRYSET},
	{"containsKey", M_CONTAINSKEY},
	{"containsValue", M_CONTAINSVALUE},
	{"clear", M_CLEAR},
	{"getKey", M_GETKEY},
	{"getValue", M_GETVALUE},
	{"hashCode", M_HASHCODE},
	{"json", M_JSON},
	{"path", M_PATH},
	{"params", M_PARAMS},
	{"getBody", M_GETBODY},
	{"escapeJavaScript", M_ESCAPEJAVASCRIPT},
	{"parseJson", M_PARSEJSON},
	{"urlEncode", M_URLENCODE},
	{"urlDecode", M_URLDECODE},
	{"base64Encode", M_BASE64ENCODE},
	{"base64Decode", M_BASE64DECODE},
	{"getCount", M_GETCOUNT},
	{"getIndex", M_GETINDEX},
	{"hasNext", M_HASNEXT},
	{"isFirst", M_ISFIRST},
	{"isLast", M_ISLAST},
};

int vtl_method_id(const char *name, size_t n)
{
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strlen(methods[i].name) == n && memcmp(methods[i].name, name, n) == 0)
			return methods[i].id;
	return M_UNKNOWN;
}

/* ---- the parser ---- */
struct parser {
	struct vtl_template *t;
	const char *s;	 /* the text being parsed (the template, or a string literal's) */
	size_t n, i;	 /* its length, the position */
	int line0, col0; /* position of s[0] in the template */
	size_t pc_off;	 /* position cache: offset, and its line and column */
	int pc_line, pc_col;
	unsigned depth, max_depth;
	struct vtl_error *err;
	bool failed;
	unsigned *nnames_cap;
	bool in_string; /* parsing a string literal's text */
};

static void position(struct parser *p, size_t off, int *line, int *col)
{
	int l = p->line0, c = p->col0;
	size_t k = 0;
	if (p->pc_line && p->pc_off <= off) { /* positions mostly grow: go on from the last */
		k = p->pc_off;
		l = p->pc_line;
		c = p->pc_col;
	}
	for (; k < off && k < p->n; k++) {
		if (p->s[k] == '\n') {
			l++;
			c = 1;
		} else if ((p->s[k] & 0xC0) != 0x80) {
			c++;
		}
	}
	p->pc_off = k;
	p->pc_line = l;
	p->pc_col = c;
	*line = l;
	*col = c;
}

static bool perr(struct parser *p, size_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static bool perr(struct parser *p, size_t off, const char *fmt, ...)
{
	if (p->failed)
		return false;
	p->failed = true;
	position(p, off, &p->err->line, &p->err->column);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(p->err->message, sizeof p->err->message, fmt, ap);
	va_end(ap);
	return false;
}

static void *palloc(struct parser *p, size_t n)
{
	void *m = vtl_arena_alloc(&p->t->arena, n);
	if (!m)
		perr(p, p->i, "out of memory");
	return m;
}

static struct node *new_node(struct parser *p, int type, size_t off)
{
	struct node *nd = palloc(p, sizeof *nd);
	if (nd) {
		nd->type = (uint8_t)type;
		position(p, off, &nd->line, &nd->col);
	}
	return nd;
}

static struct expr *new_expr(struct parser *p, int type, size_t off)
{
	struct expr *e = palloc(p, sizeof *e);
	if (e) {
		e->type = (uint8_t)type;
		position(p, off, &e->line, &e->col);
	}
	return e;
}

static int peek(const struct parser *p, size_t k)
{
	return p->i + k < p->n ? (unsigned char)p->s[p->i + k] : -1;
}

static bool at(const struct parser *p, const char *lit)
{
	size_t n = strlen(lit);
	return p->i + n <= p->n && memcmp(p->s + p->i, lit, n) == 0;
}

static bool id_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
static bool id_char(int c)
{
	return id_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* The slot of variable name (n bytes), added when new. */
static bool slot_of(struct parser *p, const char *name, size_t n, unsigned *slot)
{
	struct vtl_template *t = p->t;
	for (unsigned k = 0; k < t->nnames; k++)
		if (strlen(t->names[k]) == n && memcmp(t->names[k], name, n) == 0) {
			*slot = k;
			return true;
		}
	if (t->nnames == *p->nnames_cap) {
		unsigned cap = *p->nnames_cap * 2;
		char **nn = palloc(p, cap * sizeof *nn);
		if (!nn)
			return false;
		memcpy(nn, t->names, t->nnames * sizeof *nn);
		t->names = nn;
		*p->nnames_cap = cap;
	}
	char *c = palloc(p, n + 1);
	if (!c)
		return false;
	memcpy(c, name, n);
	t->names[t->nnames] = c;
	*slot = t->nnames++;
	return true;
}

static void skip_ws(struct parser *p)
{
	while (p->i < p->n && strchr(" \t\r\n", p->s[p->i]))
		p->i++;
}

static struct expr *parse_expr(struct parser *p);
static struct expr *parse_primary(struct parser *p, bool param);
static struct node *parse_block(struct parser *p, int *ended, size_t *end_off);
static struct expr *parse_ref_expr(struct parser *p, bool in_text, bool *formal_out);

static bool enter(struct parser *p)
{
	if (++p->depth > p->max_depth)
		return perr(p, p->i, "nesting deeper than %u", p->max_depth);
	return true;
}

/* Arguments of a method call or the index, after the opening bracket; up to close. */
static bool parse_args(struct parser *p, char close, struct expr ***args, unsigned *nargs)
{
	struct expr *tmp[32];
	unsigned n = 0;
	skip_ws(p);
	if (peek(p, 0) == close) {
		p->i++;
		*args = NULL;
		*nargs = 0;
		return true;
	}
	for (;;) {
		if (n == 32)
			return perr(p, p->i, "more than 32 arguments");
		if (!(tmp[n++] = parse_primary(p, true)))
			return false;
		skip_ws(p);
		if (peek(p, 0) == ',') {
			p->i++;
			skip_ws(p);
			continue;
		}
		if (peek(p, 0) == close) {
			p->i++;
			break;
		}
		return perr(p, p->i, "expected ',' or '%c'", close);
	}
	*args = palloc(p, n * sizeof **args);
	if (!*args)
		return false;
	memcpy(*args, tmp, n * sizeof *tmp);
	*nargs = n;
	return true;
}

/* A reference at p->i ('$'); NULL without an error when it is not one (in_text: then it is
 * text). *formal_out: it was ${...}. */
static struct expr *parse_ref_expr(struct parser *p, bool in_text, bool *formal_out)
{
	size_t start = p->i;
	size_t k = 1;
	bool formal = false;
	if (peek(p, k) == '!')
		k++;
	if (peek(p, k) == '{') {
		formal = true;
		k++;
	}
	if (!id_start(peek(p, k))) {
		if (!in_text)
			perr(p, start, "expected a reference name after '$'");
		return NULL;
	}
	p->i += k;
	size_t ns = p->i;
	while (id_char(peek(p, 0)))
		p->i++;
	struct expr *e = new_expr(p, E_REF, start);
	if (!e || !slot_of(p, p->s + ns, p->i - ns, &e->u.ref.slot))
		return NULL;
	struct suffix **tail = &e->u.ref.chain;
	for (;;) {
		int c = peek(p, 0);
		if (c == '.' && id_start(peek(p, 1))) {
			p->i++;
			struct suffix *sf = palloc(p, sizeof *sf);
			if (!sf)
				return NULL;
			position(p, p->i, &sf->line, &sf->col);
			sf->name = p->s + p->i;
			while (id_char(peek(p, 0)))
				p->i++;
			sf->nlen = (size_t)(p->s + p->i - sf->name);
			if (peek(p, 0) == '(') {
				p->i++;
				sf->kind = S_METHOD;
				sf->method = vtl_method_id(sf->name, sf->nlen);
				if (!enter(p) || !parse_args(p, ')', &sf->args, &sf->nargs))
					return NULL;
				p->depth--;
			} else {
				sf->kind = S_PROP;
			}
			*tail = sf;
			tail = &sf->next;
		} else if (c == '[') {
			struct suffix *sf = palloc(p, sizeof *sf);
			if (!sf)
				return NULL;
			position(p, p->i, &sf->line, &sf->col);
			p->i++;
			sf->kind = S_INDEX;
			skip_ws(p);
			if (!enter(p) || !(sf->args = palloc(p, sizeof *sf->args)) ||
			    !(sf->args[0] = parse_primary(p, true)))
				return NULL;
			p->depth--;
			skip_ws(p);
			if (peek(p, 0) != ']')
				return perr(p, p->i, "expected ']'"), NULL;
			p->i++;
			sf->nargs = 1;
			*tail = sf;
			tail = &sf->next;
		} else {
			break;
		}
	}
	if (formal) {
		if (peek(p, 0) != '}')
			return perr(p, p->i, "expected '}' to close ${"), NULL;
		p->i++;
	}
	if (formal_out)
		*formal_out = formal;
	return e;
}

/* A string literal at p->i (quote q). */
static struct expr *parse_string(struct parser *p)
{
	size_t start = p->i;
	char q = p->s[p->i++];
	size_t cs = p->i;
	bool doubled = false;
	for (;;) {
		if (p->i >= p->n)
			return perr(p, start, "unterminated string literal"), NULL;
		if (p->s[p->i] == q) {
			if (peek(p, 1) == q) {
				doubled = true;
				p->i += 2;
				continue;
			}
			break;
		}
		p->i++;
	}
	size_t ce = p->i++;
	const char *txt = p->s + cs;
	size_t tn = ce - cs;
	if (doubled) { /* "" → ", '' → ' */
		char *c = palloc(p, tn + 1);
		if (!c)
			return NULL;
		size_t o = 0;
		for (size_t k = cs; k < ce; k++) {
			c[o++] = p->s[k];
			if (p->s[k] == q)
				k++;
		}
		txt = c;
		tn = o;
	}
	if (q == '"' && (memchr(txt, '$', tn) || memchr(txt, '#', tn))) {
		struct expr *e = new_expr(p, E_STR, start);
		if (!e)
			return NULL;
		struct parser sub = *p;
		sub.s = txt;
		sub.n = tn;
		sub.i = 0;
		sub.pc_line = 0;
		sub.in_string = true;
		position(p, cs, &sub.line0, &sub.col0);
		int ended = 0;
		size_t end_off = 0;
		e->u.body = parse_block(&sub, &ended, &end_off);
		if (sub.failed) {
			p->failed = true;
			return NULL;
		}
		if (ended)
			return perr(p, start, "#end, #else or #elseif without #if in a string"),
			       NULL;
		return e;
	}
	struct expr *e = new_expr(p, E_LIT, start);
	if (e)
		e->u.lit = vv_str(txt, tn);
	return e;
}

static bool is_word(struct parser *p, const char *w)
{
	size_t n = strlen(w);
	return at(p, w) && !id_char(peek(p, n));
}

static struct expr *parse_number(struct parser *p)
{
	size_t start = p->i;
	if (peek(p, 0) == '-')
		p->i++;
	bool real = false;
	while (isdigit(peek(p, 0)))
		p->i++;
	if (peek(p, 0) == '.' && isdigit(peek(p, 1))) {
		real = true;
		p->i++;
		while (isdigit(peek(p, 0)))
			p->i++;
	}
	if ((peek(p, 0) == 'e' || peek(p, 0) == 'E') &&
	    (isdigit(peek(p, 1)) ||
	     ((peek(p, 1) == '-' || peek(p, 1) == '+') && isdigit(peek(p, 2))))) {
		real = true;
		p->i += 2;
		while (isdigit(peek(p, 0)))
			p->i++;
	}
	char buf[64];
	size_t n = p->i - start;
	if (n >= sizeof buf)
		return perr(p, start, "number too long"), NULL;
	memcpy(buf, p->s + start, n);
	buf[n] = 0;
	struct expr *e = new_expr(p, E_LIT, start);
	if (!e)
		return NULL;
	if (real) {
		e->u.lit = vv_double(strtod(buf, NULL));
	} else {
		char *end;
		errno = 0;
		long long v = strtoll(buf, &end, 10);
		if (errno)
			e->u.lit = vv_double(strtod(buf, NULL)); /* a BigInteger in Java */
		else
			e->u.lit = vv_int(v);
	}
	return e;
}

/* An operand; param: where Velocity 1.7 takes a parameter only (method arguments, indexes,
 * list and map items, range bounds): a literal, a reference, a list or a map, no operator nor
 * parenthesis. */
static struct expr *parse_primary(struct parser *p, bool param)
{
	skip_ws(p);
	size_t start = p->i;
	int c = peek(p, 0);
	if (c == '$') {
		if (!enter(p))
			return NULL;
		struct expr *e = parse_ref_expr(p, false, NULL);
		p->depth--;
		return e;
	}
	if (c == '"' || c == '\'')
		return parse_string(p);
	if (isdigit(c) ||
	    (c == '-' && (isdigit(peek(p, 1)) || (peek(p, 1) == '.' && isdigit(peek(p, 2))))) ||
	    (c == '.' && isdigit(peek(p, 1))))
		return parse_number(p);
	if (is_word(p, "true") || is_word(p, "false")) {
		struct expr *e = new_expr(p, E_LIT, start);
		if (e)
			e->u.lit = vv_bool(c == 't');
		p->i += c == 't' ? 4 : 5;
		return e;
	}
	if (c == '(' && !param) {
		p->i++;
		if (!enter(p))
			return NULL;
		struct expr *e = new_expr(p, E_PAREN, start);
		if (!e || !(e->u.bin.a = parse_expr(p)))
			return NULL;
		p->depth--;
		skip_ws(p);
		if (peek(p, 0) != ')')
			return perr(p, p->i, "expected ')'"), NULL;
		p->i++;
		return e;
	}
	if (c == '[') {
		p->i++;
		if (!enter(p))
			return NULL;
		skip_ws(p);
		struct expr *e;
		if (peek(p, 0) == ']') {
			p->i++;
			e = new_expr(p, E_LIST, start);
			p->depth--;
			return e;
		}
		struct expr *first = parse_primary(p, true);
		if (!first)
			return NULL;
		skip_ws(p);
		if (at(p, "..")) {
			p->i += 2;
			e = new_expr(p, E_RANGE, start);
			if (!e || !(e->u.bin.b = parse_primary(p, true)))
				return NULL;
			e->u.bin.a = first;
			skip_ws(p);
			if (peek(p, 0) != ']')
				return perr(p, p->i, "expected ']' to close the range"), NULL;
			p->i++;
			p->depth--;
			return e;
		}
		struct expr *tmp[256], **items = tmp;
		size_t n = 0, cap = 256;
		items[n++] = first;
		for (;;) {
			skip_ws(p);
			if (peek(p, 0) == ']') {
				p->i++;
				break;
			}
			if (peek(p, 0) != ',')
				return perr(p, p->i, "expected ',' or ']' in the list"), NULL;
			p->i++;
			if (n == cap) {
				struct expr **bigger = palloc(p, 2 * cap * sizeof *bigger);
				if (!bigger)
					return NULL;
				memcpy(bigger, items, n * sizeof *items);
				items = bigger;
				cap *= 2;
			}
			if (!(items[n++] = parse_primary(p, true)))
				return NULL;
		}
		e = new_expr(p, E_LIST, start);
		if (!e || !(e->u.list.items = palloc(p, n * sizeof *items)))
			return NULL;
		memcpy(e->u.list.items, items, n * sizeof *items);
		e->u.list.n = n;
		p->depth--;
		return e;
	}
	if (c == '{') {
		p->i++;
		if (!enter(p))
			return NULL;
		struct expr *tmp[256], **items = tmp;
		size_t n = 0, cap = 256;
		skip_ws(p);
		if (peek(p, 0) == '}') {
			p->i++;
		} else {
			for (;;) {
				if (n + 2 > cap) {
					struct expr **bigger = palloc(p, 2 * cap * sizeof *bigger);
					if (!bigger)
						return NULL;
					memcpy(bigger, items, n * sizeof *items);
					items = bigger;
					cap *= 2;
				}
				if (!(items[n++] = parse_primary(p, true)))
					return NULL;
				skip_ws(p);
				if (peek(p, 0) != ':')
					return perr(p, p->i, "expected ':' in the map"), NULL;
				p->i++;
				if (!(items[n++] = parse_primary(p, true)))
					return NULL;
				skip_ws(p);
				if (peek(p, 0) == '}') {
					p->i++;
					break;
				}
				if (peek(p, 0) != ',')
					return perr(p, p->i, "expected ',' or '}' in the map"),
					       NULL;
				p->i++;
			}
		}
		struct expr *e = new_expr(p, E_MAP, start);
		if (!e || (n && !(e->u.list.items = palloc(p, n * sizeof *items))))
			return NULL;
		if (n)
			memcpy(e->u.list.items, items, n * sizeof *items);
		e->u.list.n = n;
		p->depth--;
		return e;
	}
	if (c < 0)
		return perr(p, start, "unexpected end of template in an expression"), NULL;
	return perr(p, start, "unexpected '%c' in an expression", c), NULL;
}

static struct expr *parse_unary(struct parser *p)
{
	skip_ws(p);
	size_t start = p->i;
	if ((peek(p, 0) == '!' && peek(p, 1) != '=') || is_word(p, "not")) {
		p->i += peek(p, 0) == '!' ? 1 : 3;
		if (!enter(p))
			return NULL;
		struct expr *e = new_expr(p, E_NOT, start);
		if (!e || !(e->u.bin.a = parse_unary(p)))
			return NULL;
		p->depth--;
		return e;
	}
	return parse_primary(p, false);
}

/* Binary operators, by precedence level (lowest first). */
static const struct {
	const char *op;
	int level, type;
	bool word;
} binops[] = {
	{"||", 0, E_OR, false},	 {"or", 0, E_OR, true},	 {"&&", 1, E_AND, false},
	{"and", 1, E_AND, true}, {"==", 2, E_EQ, false}, {"!=", 2, E_NE, false},
	{"eq", 2, E_EQ, true},	 {"ne", 2, E_NE, true},	 {"<=", 3, E_LE, false},
	{">=", 3, E_GE, false},	 {"<", 3, E_LT, false},	 {">", 3, E_GT, false},
	{"le", 3, E_LE, true},	 {"ge", 3, E_GE, true},	 {"lt", 3, E_LT, true},
	{"gt", 3, E_GT, true},	 {"+", 4, E_ADD, false}, {"-", 4, E_SUB, false},
	{"*", 5, E_MUL, false},	 {"/", 5, E_DIV, false}, {"%", 5, E_MOD, false},
};

static struct expr *parse_level(struct parser *p, int level)
{
	if (level > 5)
		return parse_unary(p);
	struct expr *left = parse_level(p, level + 1);
	while (left) {
		skip_ws(p);
		int type = -1;
		size_t len = 0;
		for (size_t k = 0; k < sizeof binops / sizeof binops[0]; k++) {
			if (binops[k].level != level)
				continue;
			if (binops[k].word ? is_word(p, binops[k].op) : at(p, binops[k].op)) {
				type = binops[k].type;
				len = strlen(binops[k].op);
				break;
			}
		}
		if (type < 0)
			break;
		size_t opos = p->i;
		p->i += len;
		if (!enter(p))
			return NULL;
		struct expr *e = new_expr(p, type, opos);
		if (!e || !(e->u.bin.b = parse_level(p, level + 1)))
			return NULL;
		p->depth--;
		e->u.bin.a = left;
		left = e;
	}
	return left;
}

static struct expr *parse_expr(struct parser *p)
{
	return parse_level(p, 0);
}

/* ---- template level ---- */

/* Directives a '#' may start; the length of the name at p->i+1 (after an optional '{'). */
enum dir {
	D_NONE,
	D_SET,
	D_IF,
	D_ELSEIF,
	D_ELSE,
	D_END,
	D_FOREACH,
	D_DEFINE,
	D_BREAK,
	D_STOP,
	D_MACRO
};
static const struct {
	const char *name;
	int d;
} dirs[] = {
	{"set", D_SET},	  {"if", D_IF},		  {"elseif", D_ELSEIF}, {"else", D_ELSE},
	{"end", D_END},	  {"foreach", D_FOREACH}, {"define", D_DEFINE}, {"break", D_BREAK},
	{"stop", D_STOP}, {"macro", D_MACRO},
};

/* The directive at p->i ('#'), and the bytes of '#name' or '#{name}'. */
static int directive_at(const struct parser *p, size_t *len)
{
	size_t k = 1;
	bool brace = peek(p, 1) == '{';
	if (brace)
		k++;
	size_t ns = p->i + k, ne = ns;
	while (ne < p->n &&
	       ((p->s[ne] >= 'a' && p->s[ne] <= 'z') || (p->s[ne] >= 'A' && p->s[ne] <= 'Z')))
		ne++;
	for (size_t d = 0; d < sizeof dirs / sizeof dirs[0]; d++) {
		size_t dn = strlen(dirs[d].name);
		if (ne - ns != dn || memcmp(p->s + ns, dirs[d].name, dn) != 0)
			continue;
		if (brace) {
			if (ne >= p->n || p->s[ne] != '}')
				return D_NONE;
			*len = ne - p->i + 1;
		} else {
			if (ne < p->n && (isdigit((unsigned char)p->s[ne]) || p->s[ne] == '_'))
				return D_NONE;
			*len = ne - p->i;
		}
		return dirs[d].d;
	}
	return D_NONE;
}

/* After a directive: [ \t]* and one newline are eaten (Velocity 1.7). */
static void gobble(struct parser *p)
{
	size_t k = p->i;
	while (k < p->n && (p->s[k] == ' ' || p->s[k] == '\t'))
		k++;
	if (k < p->n && p->s[k] == '\n') {
		p->i = k + 1;
	} else if (k < p->n && p->s[k] == '\r') {
		p->i = k + 1 + (k + 1 < p->n && p->s[k + 1] == '\n');
	}
}

/* '(' after the directive name (blanks allowed before it). */
static bool open_paren(struct parser *p, const char *what)
{
	size_t k = p->i;
	while (k < p->n && (p->s[k] == ' ' || p->s[k] == '\t'))
		k++;
	if (k >= p->n || p->s[k] != '(')
		return perr(p, p->i, "expected '(' after #%s", what);
	p->i = k + 1;
	return true;
}

static bool close_paren(struct parser *p, const char *what)
{
	skip_ws(p);
	if (peek(p, 0) != ')')
		return perr(p, p->i, "expected ')' to close #%s", what);
	p->i++;
	gobble(p);
	return true;
}

/* A '$name' operand of #foreach / #define / #macro. */
static bool parse_var(struct parser *p, unsigned *slot, const char *what)
{
	skip_ws(p);
	size_t k = 1;
	if (peek(p, 0) == '$' && peek(p, 1) == '{')
		k = 2;
	if (peek(p, 0) != '$' || !id_start(peek(p, k)))
		return perr(p, p->i, "expected a $variable in #%s", what);
	p->i += k;
	size_t ns = p->i;
	while (id_char(peek(p, 0)))
		p->i++;
	size_t ne = p->i;
	if (k == 2) {
		if (peek(p, 0) != '}')
			return perr(p, p->i, "expected '}'");
		p->i++;
	}
	return slot_of(p, p->s + ns, ne - ns, slot);
}

struct textrun {
	struct node ***tail;
	size_t start; /* where the pending text begins */
};

static bool flush_text(struct parser *p, struct textrun *tr, size_t end)
{
	if (end > tr->start) {
		struct node *nd = new_node(p, N_TEXT, tr->start);
		if (!nd)
			return false;
		nd->u.text.p = p->s + tr->start;
		nd->u.text.n = end - tr->start;
		**tr->tail = nd;
		*tr->tail = &nd->next;
	}
	return true;
}

static bool append(struct parser *p, struct textrun *tr, struct node *nd)
{
	if (!nd)
		return false;
	**tr->tail = nd;
	*tr->tail = &nd->next;
	(void)p;
	return true;
}

/* The body of a block directive up to its #end (consumed). Returns false on error. */
static bool parse_body(struct parser *p, size_t open, const char *what, struct node **body)
{
	int ended = 0;
	size_t end_off = 0;
	if (!enter(p))
		return false;
	*body = parse_block(p, &ended, &end_off);
	if (p->failed)
		return false;
	p->depth--;
	if (ended != D_END)
		return ended ? perr(p, end_off, "#%s without #if",
				    ended == D_ELSE ? "else" : "elseif")
			     : perr(p, open, "#%s without #end", what);
	return true;
}

static struct node *parse_if(struct parser *p, size_t open)
{
	struct node *nd = new_node(p, N_IF, open);
	if (!nd)
		return NULL;
	struct ifarm **tail = &nd->u.arms;
	bool cond = true;
	if (!enter(p))
		return NULL;
	for (;;) {
		struct ifarm *arm = palloc(p, sizeof *arm);
		if (!arm)
			return NULL;
		if (cond) {
			if (!open_paren(p, "if") || !(arm->cond = parse_expr(p)) ||
			    !close_paren(p, "if"))
				return NULL;
		}
		*tail = arm;
		tail = &arm->next;
		int ended = 0;
		size_t end_off = 0;
		arm->body = parse_block(p, &ended, &end_off);
		if (p->failed)
			return NULL;
		if (ended == D_END)
			break;
		if (!ended)
			return perr(p, open, "#if without #end"), NULL;
		if (!cond)
			return perr(p, end_off, "#%s after #else",
				    ended == D_ELSE ? "else" : "elseif"),
			       NULL;
		cond = ended == D_ELSEIF;
	}
	p->depth--;
	return nd;
}

/* Parses text and directives up to the end of s or an #else/#elseif/#end, which it consumes
 * (with its gobbling) and reports in *ended (0 at the end of s) at *end_off. */
static struct node *parse_block(struct parser *p, int *ended, size_t *end_off)
{
	struct node *head = NULL, **tail = &head;
	struct textrun tr = {&tail, p->i};
	*ended = 0;
	while (p->i < p->n && !p->failed) {
		char c = p->s[p->i];
		size_t here = p->i;
		if (c == '\\') {
			size_t k = p->i;
			while (k < p->n && p->s[k] == '\\')
				k++;
			size_t nbs = k - p->i;
			size_t save = p->i;
			p->i = k;
			if (peek(p, 0) == '$') {
				struct parser probe = *p;
				bool formal = false;
				struct expr *e = parse_ref_expr(&probe, true, &formal);
				if (probe.failed) {
					p->failed = true;
					*p->err = *probe.err;
					return NULL;
				}
				if (e) {
					if (!flush_text(p, &tr, save))
						return NULL;
					struct node *nd = new_node(p, N_REF, save);
					if (!nd)
						return NULL;
					nd->u.ref.e = e;
					nd->u.ref.nbs = (unsigned)(nbs / 2);
					nd->u.ref.escaped = nbs % 2;
					nd->u.ref.quiet = p->s[p->i + 1] == '!';
					nd->u.ref.lit = p->s + p->i;
					nd->u.ref.litn = probe.i - p->i;
					p->i = probe.i;
					append(p, &tr, nd);
					tr.start = p->i;
					continue;
				}
			} else if (peek(p, 0) == '#') {
				size_t dl;
				int d = directive_at(p, &dl);
				if (d != D_NONE) {
					/* n backslashes: n/2 of them, then the directive itself (n
					 * even) or its name as text (n odd). */
					if (!flush_text(p, &tr, save + nbs / 2))
						return NULL;
					if (nbs % 2) {
						tr.start = p->i;
						p->i += dl;
						if (!flush_text(p, &tr, p->i))
							return NULL;
						tr.start = p->i;
						continue;
					}
					tr.start = p->i;
					/* fall through to the directive below, with pending text
					 * empty */
					goto directive;
				}
			}
			continue; /* plain backslashes: text */
		}
		if (c == '$') {
			if (p->i + 1 == p->n &&
			    !p->in_string) /* AWS refuses it (Velocity prints it) */
				return perr(p, p->i, "a template cannot end in a bare '$'"), NULL;
			struct parser probe = *p;
			struct expr *e = parse_ref_expr(&probe, true, NULL);
			if (probe.failed) {
				p->failed = true;
				return NULL;
			}
			if (!e) {
				if (peek(p, 1) == '!' &&
				    peek(p, 2) != '{') { /* Velocity drops the '!' of "$!" */
					if (!flush_text(p, &tr, here + 1))
						return NULL;
					p->i += 2;
					tr.start = p->i;
					continue;
				}
				p->i++;
				continue;
			}
			if (!flush_text(p, &tr, here))
				return NULL;
			struct node *nd = new_node(p, N_REF, here);
			if (!nd)
				return NULL;
			nd->u.ref.e = e;
			nd->u.ref.quiet = p->s[p->i + 1] == '!';
			nd->u.ref.lit = p->s + p->i;
			nd->u.ref.litn = probe.i - p->i;
			p->i = probe.i;
			append(p, &tr, nd);
			tr.start = p->i;
			continue;
		}
		if (c != '#') {
			p->i++;
			continue;
		}
		/* '#' */
		if (p->i + 1 == p->n && !p->in_string)
			return perr(p, p->i, "a template cannot end in a bare '#'"), NULL;
		if (peek(p, 1) == '#') { /* line comment, newline included */
			if (!flush_text(p, &tr, here))
				return NULL;
			while (p->i < p->n && p->s[p->i] != '\n')
				p->i++;
			if (p->i < p->n)
				p->i++;
			tr.start = p->i;
			continue;
		}
		if (peek(p, 1) == '*') {
			if (!flush_text(p, &tr, here))
				return NULL;
			const char *e = NULL;
			for (size_t k = p->i + 2; k + 1 < p->n; k++)
				if (p->s[k] == '*' && p->s[k + 1] == '#') {
					e = p->s + k;
					break;
				}
			if (!e)
				return perr(p, here, "unterminated #* comment"), NULL;
			p->i = (size_t)(e - p->s) + 2;
			tr.start = p->i;
			continue;
		}
		if (peek(p, 1) == '[' && peek(p, 2) == '[') { /* #[[ unparsed ]]# */
			if (!flush_text(p, &tr, here))
				return NULL;
			const char *e = NULL;
			for (size_t k = p->i + 3; k + 2 < p->n; k++)
				if (p->s[k] == ']' && p->s[k + 1] == ']' && p->s[k + 2] == '#') {
					e = p->s + k;
					break;
				}
			if (!e)
				return perr(p, here, "unterminated #[[ block"), NULL;
			tr.start = p->i + 3;
			p->i = (size_t)(e - p->s);
			if (!flush_text(p, &tr, p->i))
				return NULL;
			p->i += 3;
			tr.start = p->i;
			continue;
		}
	directive:;
		size_t dl = 0;
		int d = directive_at(p, &dl);
		if (d == D_NONE) {
			p->i++;
			continue;
		}
		here = p->i;
		if (d == D_SET) { /* blanks before #set go when nothing else is pending */
			size_t k = tr.start;
			while (k < here && (p->s[k] == ' ' || p->s[k] == '\t'))
				k++;
			if (k == here)
				tr.start = here;
		}
		if (!flush_text(p, &tr, here))
			return NULL;
		p->i += dl;
		switch (d) {
		case D_ELSE:
		case D_END:
			gobble(p);
			*ended = d;
			*end_off = here;
			return head;
		case D_ELSEIF:
			*ended = d;
			*end_off = here;
			return head; /* parse_if reads the condition */
		case D_SET: {
			struct node *nd = new_node(p, N_SET, here);
			if (!nd || !open_paren(p, "set"))
				return NULL;
			skip_ws(p);
			if (peek(p, 0) != '$')
				return perr(p, p->i, "#set needs a $reference on the left"), NULL;
			if (!(nd->u.set.lhs = parse_ref_expr(p, false, NULL)))
				return NULL;
			skip_ws(p);
			if (peek(p, 0) != '=')
				return perr(p, p->i, "expected '=' in #set"), NULL;
			p->i++;
			if (!(nd->u.set.rhs = parse_expr(p)) || !close_paren(p, "set"))
				return NULL;
			append(p, &tr, nd);
			break;
		}
		case D_IF:
			if (!append(p, &tr, parse_if(p, here)))
				return NULL;
			break;
		case D_FOREACH: {
			struct node *nd = new_node(p, N_FOREACH, here);
			if (!nd || !open_paren(p, "foreach") ||
			    !parse_var(p, &nd->u.loop.slot, "foreach"))
				return NULL;
			skip_ws(p);
			if (!is_word(p, "in"))
				return perr(p, p->i, "expected 'in' in #foreach"), NULL;
			p->i += 2;
			if (!(nd->u.loop.iter = parse_expr(p)) || !close_paren(p, "foreach") ||
			    !parse_body(p, here, "foreach", &nd->u.loop.body))
				return NULL;
			append(p, &tr, nd);
			break;
		}
		case D_DEFINE: {
			struct node *nd = new_node(p, N_DEFINE, here);
			if (!nd || !open_paren(p, "define") ||
			    !parse_var(p, &nd->u.define.slot, "define") ||
			    !close_paren(p, "define") ||
			    !parse_body(p, here, "define", &nd->u.define.body))
				return NULL;
			append(p, &tr, nd);
			break;
		}
		case D_MACRO: { /* inline macros are off on AWS: the definition is dropped */
			struct node *body;
			if (!open_paren(p, "macro"))
				return NULL;
			while (p->i < p->n && p->s[p->i] != ')')
				p->i++;
			if (!close_paren(p, "macro") || !parse_body(p, here, "macro", &body))
				return NULL;
			break;
		}
		case D_BREAK:
		case D_STOP:
			if (!append(p, &tr, new_node(p, d == D_BREAK ? N_BREAK : N_STOP, here)))
				return NULL;
			gobble(p);
			break;
		}
		tr.start = p->i;
	}
	if (p->failed || !flush_text(p, &tr, p->i))
		return NULL;
	return head;
}

/* The #elseif arm reads its condition: parse_if sees D_ELSEIF with p->i after the name. */

struct vtl_template *vtl_compile(const char *src, size_t len, const struct vtl_limits *lim,
				 struct vtl_error *err)
{
	if (!lim)
		lim = &vtl_default_limits;
	memset(err, 0, sizeof *err);
	if (len > lim->max_template) {
		err->line = 1;
		err->column = 1;
		snprintf(err->message, sizeof err->message, "template longer than %zu bytes",
			 lim->max_template);
		return NULL;
	}
	struct vtl_template *t = calloc(1, sizeof *t);
	if (!t)
		goto oom;
	t->src = malloc(len + 1);
	if (!t->src)
		goto oom;
	memcpy(t->src, src, len);
	t->src[len] = 0;
	t->srclen = len;
	unsigned cap = 16;
	t->names = vtl_arena_alloc(&t->arena, cap * sizeof *t->names);
	if (!t->names)
		goto oom;
	static const char *const fixed[] = {"input",	      "util",	 "context",
					    "stageVariables", "foreach", "velocityCount",
					    "velocityHasNext"};
	for (unsigned k = 0; k < SLOT_FIRST_FREE; k++)
		t->names[k] = (char *)fixed[k];
	t->nnames = SLOT_FIRST_FREE;
	struct parser p = {.t = t,
			   .s = t->src,
			   .n = len,
			   .line0 = 1,
			   .col0 = 1,
			   .max_depth = lim->max_depth,
			   .err = err,
			   .nnames_cap = &cap};
	int ended = 0;
	size_t end_off = 0;
	t->root = parse_block(&p, &ended, &end_off);
	if (!p.failed && ended)
		perr(&p, end_off, "#%s without #if or #foreach",
		     ended == D_END    ? "end"
		     : ended == D_ELSE ? "else"
				       : "elseif");
	if (p.failed) {
		vtl_template_free(t);
		return NULL;
	}
	return t;
oom:
	vtl_template_free(t);
	err->line = err->column = 0;
	snprintf(err->message, sizeof err->message, "out of memory");
	return NULL;
}

void vtl_template_free(struct vtl_template *t)
{
	if (!t)
		return;
	vtl_arena_release(&t->arena);
	free(t->src);
	free(t);
}
