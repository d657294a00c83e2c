/* vtl_value.c — values as Java sees them: toString() and JSON text, equality, JSON → values,
 * lists and maps, and the output buffer. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtl_int.h"

/* ---- buffer ---- */
bool vtl_buf_add(struct vtl_buf *b, const char *s, size_t n)
{
	if (b->over)
		return false;
	if (n > b->max - b->n) {
		b->over = true;
		return false;
	}
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->n + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->over = true;
			return false;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	return true;
}

bool vtl_buf_addc(struct vtl_buf *b, char c)
{
	if (b->n + 2 <= b->cap && b->n < b->max) {
		b->p[b->n++] = c;
		return true;
	}
	return vtl_buf_add(b, &c, 1);
}

bool vtl_buf_printf(struct vtl_buf *b, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof tmp)
		return false;
	return vtl_buf_add(b, tmp, (size_t)n);
}

/* ---- Java's Double.toString ---- */
void vtl_format_double(double d, char *buf, size_t size)
{
	if (isnan(d)) {
		snprintf(buf, size, "NaN");
		return;
	}
	if (isinf(d)) {
		snprintf(buf, size, d > 0 ? "Infinity" : "-Infinity");
		return;
	}
	if (d == 0) {
		snprintf(buf, size, signbit(d) ? "-0.0" : "0.0");
		return;
	}
	/* Most numbers in messages have few decimals: d × 10^k is then an integer below 2^53,
	 * and its digits are the shortest ones (no printf needed). */
	double a0 = fabs(d);
	if (a0 >= 1e-3 && a0 < 1e7) {
		double p = 1;
		for (int k = 0; k <= 6; k++, p *= 10) {
			double x = a0 * p;
			if (x >= 9007199254740992.0)
				break;
			long long ix = (long long)x;
			if ((double)ix != x || (double)ix / p != a0)
				continue;
			char digs[32];
			int nd0 = snprintf(digs, sizeof digs, "%lld", ix);
			char *o = buf;
			size_t left = size;
			if (left < 40)
				break;
			if (d < 0)
				*o++ = '-';
			if (nd0 <= k) { /* 0.00ddd */
				*o++ = '0';
				*o++ = '.';
				for (int z = 0; z < k - nd0; z++)
					*o++ = '0';
				memcpy(o, digs, (size_t)nd0);
				o += nd0;
			} else {
				memcpy(o, digs, (size_t)(nd0 - k));
				o += nd0 - k;
				*o++ = '.';
				if (k == 0)
					*o++ = '0';
				memcpy(o, digs + nd0 - k, (size_t)k);
				o += k;
			}
			*o = 0;
			return;
		}
	}
	/* The shortest digits that read back as d. */
	char e[40];
	for (int prec = 0; prec < 17; prec++) {
		snprintf(e, sizeof e, "%.*e", prec, d);
		if (strtod(e, NULL) == d)
			break;
	}
	/* e: [-]D[.DDD]e[+-]XX */
	char digits[32];
	size_t nd = 0;
	const char *q = e;
	bool neg = *q == '-';
	if (neg)
		q++;
	for (; *q && *q != 'e'; q++)
		if (*q != '.')
			digits[nd++] = *q;
	while (nd > 1 && digits[nd - 1] == '0')
		nd--;
	digits[nd] = 0;
	int exp = atoi(q + 1);
	double a = fabs(d);
	char out[64];
	size_t o = 0;
	if (neg)
		out[o++] = '-';
	if (a >= 1e-3 && a < 1e7) {
		if (exp >= 0) {
			for (int k = 0; k <= exp; k++)
				out[o++] = (size_t)k < nd ? digits[k] : '0';
			out[o++] = '.';
			if ((size_t)exp + 1 >= nd)
				out[o++] = '0';
			else
				for (size_t k = (size_t)exp + 1; k < nd; k++)
					out[o++] = digits[k];
		} else {
			out[o++] = '0';
			out[o++] = '.';
			for (int k = 0; k < -exp - 1; k++)
				out[o++] = '0';
			for (size_t k = 0; k < nd; k++)
				out[o++] = digits[k];
		}
		out[o] = 0;
	} else {
		out[o++] = digits[0];
		out[o++] = '.';
		if (nd == 1)
			out[o++] = '0';
		for (size_t k = 1; k < nd; k++)
			out[o++] = digits[k];
		out[o] = 0;
		snprintf(out + o, sizeof out - o, "E%d", exp);
	}
	snprintf(buf, size, "%s", out);
}

/* ---- rendering ---- */
static bool deeper(struct vtl_render *r)
{
	if (++r->depth > r->lim->max_depth)
		return vtl_fail(r, 0, 0, "values nested deeper than %u", r->lim->max_depth);
	return true;
}

static bool scalar(struct vtl_render *r, struct vval v)
{
	char tmp[40];
	switch (v.t) {
	case V_BOOL: return vtl_buf_add(&r->out, v.u.b ? "true" : "false", v.u.b ? 4 : 5);
	case V_INT: {
		char *p = tmp + sizeof tmp;
		uint64_t u = v.u.i < 0 ? 0 - (uint64_t)v.u.i : (uint64_t)v.u.i;
		do
			*--p = (char)('0' + u % 10);
		while (u /= 10);
		if (v.u.i < 0)
			*--p = '-';
		return vtl_buf_add(&r->out, p, (size_t)(tmp + sizeof tmp - p));
	}
	case V_DOUBLE:
		vtl_format_double(v.u.d, tmp, sizeof tmp);
		return vtl_buf_add(&r->out, tmp, strlen(tmp));
	case V_STR: return vtl_buf_add(&r->out, v.u.s.p, v.u.s.n);
	default: return true;
	}
}

bool vtl_tostring(struct vtl_render *r, struct vval v)
{
	bool ok = true;
	switch (v.t) {
	case V_NULL: return vtl_buf_add(&r->out, "null", 4);
	case V_UNDEF: return true;
	case V_BOOL:
	case V_INT:
	case V_DOUBLE:
	case V_STR: return scalar(r, v);
	case V_LIST:
		if (v.u.l->json)
			return vtl_tojson(r, v);
		if (!deeper(r))
			return false;
		ok = vtl_buf_addc(&r->out, '[');
		for (size_t k = 0; ok && k < v.u.l->n; k++) {
			if (k)
				ok = vtl_buf_add(&r->out, ", ", 2);
			if (v.u.l->v[k].t == V_LIST && v.u.l->v[k].u.l == v.u.l)
				ok = ok && vtl_buf_add(&r->out, "(this Collection)", 17);
			else
				ok = ok && vtl_tostring(r, v.u.l->v[k]);
		}
		r->depth--;
		return ok && vtl_buf_addc(&r->out, ']');
	case V_MAP:
		if (!deeper(r))
			return false;
		ok = vtl_buf_addc(&r->out, '{');
		for (size_t k = 0; ok && k < v.u.m->n; k++) {
			struct ventry *e = &v.u.m->e[k];
			if (k)
				ok = vtl_buf_add(&r->out, ", ", 2);
			ok = ok && vtl_tostring(r, e->key) && vtl_buf_addc(&r->out, '=');
			if (e->val.t == V_MAP && e->val.u.m == v.u.m)
				ok = ok && vtl_buf_add(&r->out, "(this Map)", 10);
			else
				ok = ok && vtl_tostring(r, e->val);
		}
		r->depth--;
		return ok && vtl_buf_addc(&r->out, '}');
	case V_OBJ:
		if (v.sub == O_ENTRY)
			return deeper(r) && vtl_tostring(r, v.u.entry->key) &&
			       vtl_buf_addc(&r->out, '=') && vtl_tostring(r, v.u.entry->val) &&
			       (r->depth--, true);
		return true;
	case V_BLOCK: return deeper(r) && vtl_render_block(r, v.u.blk) && (r->depth--, true);
	}
	return true;
}

static bool json_str(struct vtl_render *r, const char *s, size_t n)
{
	bool ok = vtl_buf_addc(&r->out, '"');
	size_t run = 0;
	for (size_t k = 0; ok && k < n; k++) {
		unsigned char c = (unsigned char)s[k];
		const char *esc = NULL;
		switch (c) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			if (c >= 0x20)
				continue;
		}
		ok = vtl_buf_add(&r->out, s + run, k - run);
		if (esc)
			ok = ok && vtl_buf_add(&r->out, esc, strlen(esc));
		else
			ok = ok && vtl_buf_printf(&r->out, "\\u%04x", c);
		run = k + 1;
	}
	return ok && vtl_buf_add(&r->out, s + run, n - run) && vtl_buf_addc(&r->out, '"');
}

bool vtl_tojson(struct vtl_render *r, struct vval v)
{
	bool ok = true;
	switch (v.t) {
	case V_NULL:
	case V_UNDEF: return vtl_buf_add(&r->out, "null", 4);
	case V_BOOL:
	case V_INT:
	case V_DOUBLE: return scalar(r, v);
	case V_STR: return json_str(r, v.u.s.p, v.u.s.n);
	case V_LIST:
		if (!deeper(r))
			return false;
		ok = vtl_buf_addc(&r->out, '[');
		for (size_t k = 0; ok && k < v.u.l->n; k++)
			ok = (!k || vtl_buf_addc(&r->out, ',')) && vtl_tojson(r, v.u.l->v[k]);
		r->depth--;
		return ok && vtl_buf_addc(&r->out, ']');
	case V_MAP:
		if (!deeper(r))
			return false;
		ok = vtl_buf_addc(&r->out, '{');
		for (size_t k = 0; ok && k < v.u.m->n; k++) {
			const char *p;
			size_t n;
			ok = (!k || vtl_buf_addc(&r->out, ',')) &&
			     vtl_str_of(r, v.u.m->e[k].key, &p, &n, 0, 0) && json_str(r, p, n) &&
			     vtl_buf_addc(&r->out, ':') && vtl_tojson(r, v.u.m->e[k].val);
		}
		r->depth--;
		return ok && vtl_buf_addc(&r->out, '}');
	default: {
		const char *p;
		size_t n;
		return vtl_str_of(r, v, &p, &n, 0, 0) && json_str(r, p, n);
	}
	}
}

bool vtl_json_of(struct vtl_render *r, struct vval v, const char **p, size_t *n, int line, int col)
{
	size_t mark = r->out.n;
	if (!vtl_tojson(r, v)) {
		r->out.n = mark;
		if (!r->failed)
			return vtl_fail(r, line, col, "output longer than %zu bytes",
					r->lim->max_output);
		return false;
	}
	struct vval s;
	bool ok = vtl_strdup(r, r->out.p ? r->out.p + mark : "", r->out.n - mark, &s, line, col);
	r->out.n = mark;
	if (!ok)
		return false;
	*p = s.u.s.p;
	*n = s.u.s.n;
	return true;
}

bool vtl_str_of(struct vtl_render *r, struct vval v, const char **p, size_t *n, int line, int col)
{
	if (v.t == V_STR) {
		*p = v.u.s.p;
		*n = v.u.s.n;
		return true;
	}
	if (v.t == V_UNDEF) {
		*p = "";
		*n = 0;
		return true;
	}
	/* Rendered at the end of the output, copied, then taken back. */
	size_t mark = r->out.n;
	if (!vtl_tostring(r, v)) {
		r->out.n = mark;
		if (!r->failed)
			return vtl_fail(r, line, col, "output longer than %zu bytes",
					r->lim->max_output);
		return false;
	}
	struct vval s;
	bool ok = vtl_strdup(r, r->out.p ? r->out.p + mark : "", r->out.n - mark, &s, line, col);
	r->out.n = mark;
	if (!ok)
		return false;
	*p = s.u.s.p;
	*n = s.u.s.n;
	return true;
}

/* ---- lists and maps ---- */
struct vlist *vtl_list_new(struct vtl_render *r, size_t cap, bool json)
{
	struct vlist *l = vtl_alloc(r, sizeof *l, 0, 0);
	if (!l)
		return NULL;
	l->json = json;
	if (cap && !(l->v = vtl_alloc(r, cap * sizeof *l->v, 0, 0)))
		return NULL;
	l->cap = cap;
	return l;
}

bool vtl_list_push(struct vtl_render *r, struct vlist *l, struct vval v)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		struct vval *nv = vtl_alloc(r, cap * sizeof *nv, 0, 0);
		if (!nv)
			return false;
		if (l->n)
			memcpy(nv, l->v, l->n * sizeof *nv);
		l->v = nv;
		l->cap = cap;
	}
	l->v[l->n++] = v;
	return true;
}

struct vmap *vtl_map_new(struct vtl_render *r, size_t cap)
{
	struct vmap *m = vtl_alloc(r, sizeof *m, 0, 0);
	if (!m)
		return NULL;
	if (cap && !(m->e = vtl_alloc(r, cap * sizeof *m->e, 0, 0)))
		return NULL;
	m->cap = cap;
	return m;
}

struct ventry *vtl_map_find(struct vmap *m, struct vval key)
{
	for (size_t k = 0; k < m->n; k++) {
		struct vval a = m->e[k].key;
		if (a.t == V_STR && key.t == V_STR) {
			if (a.u.s.n == key.u.s.n && memcmp(a.u.s.p, key.u.s.p, a.u.s.n) == 0)
				return &m->e[k];
		} else if (vtl_java_equals(a, key)) {
			return &m->e[k];
		}
	}
	return NULL;
}

bool vtl_map_put(struct vtl_render *r, struct vmap *m, struct vval key, struct vval val,
		 struct vval *prev)
{
	struct ventry *e = vtl_map_find(m, key);
	if (e) {
		if (prev)
			*prev = e->val;
		e->val = val;
		return true;
	}
	if (prev)
		*prev = vv_null();
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 8;
		struct ventry *ne = vtl_alloc(r, cap * sizeof *ne, 0, 0);
		if (!ne)
			return false;
		if (m->n)
			memcpy(ne, m->e, m->n * sizeof *ne);
		m->e = ne;
		m->cap = cap;
	}
	m->e[m->n].key = key;
	m->e[m->n].val = val;
	m->n++;
	return true;
}

/* ---- equality ---- */
static bool is_num(struct vval v)
{
	return v.t == V_INT || v.t == V_DOUBLE;
}

/* depth bounds the walk: lists that hold each other would recurse for ever (Java overflows its
 * stack there); past it, values count as different. */
static bool java_equals(struct vval a, struct vval b, unsigned depth)
{
	if (depth > 256)
		return false;
	if (a.t != b.t)
		return false;
	switch (a.t) {
	case V_NULL:
	case V_UNDEF: return true;
	case V_BOOL: return a.u.b == b.u.b;
	case V_INT: return a.u.i == b.u.i;
	case V_DOUBLE: return a.u.d == b.u.d || (isnan(a.u.d) && isnan(b.u.d));
	case V_STR: return a.u.s.n == b.u.s.n && memcmp(a.u.s.p, b.u.s.p, a.u.s.n) == 0;
	case V_LIST:
		if (a.u.l == b.u.l)
			return true;
		if (a.u.l->n != b.u.l->n)
			return false;
		for (size_t k = 0; k < a.u.l->n; k++)
			if (!java_equals(a.u.l->v[k], b.u.l->v[k], depth + 1))
				return false;
		return true;
	case V_MAP:
		if (a.u.m == b.u.m)
			return true;
		if (a.u.m->n != b.u.m->n)
			return false;
		for (size_t k = 0; k < a.u.m->n; k++) {
			struct ventry *e = vtl_map_find(b.u.m, a.u.m->e[k].key);
			if (!e || !java_equals(a.u.m->e[k].val, e->val, depth + 1))
				return false;
		}
		return true;
	case V_OBJ: return a.sub == b.sub && a.u.entry == b.u.entry;
	case V_BLOCK: return a.u.blk == b.u.blk;
	}
	return false;
}

bool vtl_java_equals(struct vval a, struct vval b)
{
	return java_equals(a, b, 0);
}

bool vtl_equals(struct vtl_render *r, struct vval a, struct vval b, bool *eq)
{
	if (is_num(a) && is_num(b)) {
		if (a.t == V_INT && b.t == V_INT)
			*eq = a.u.i == b.u.i;
		else
			*eq = (a.t == V_INT ? (double)a.u.i : a.u.d) ==
			      (b.t == V_INT ? (double)b.u.i : b.u.d);
		return true;
	}
	if (a.t == b.t && a.t != V_BLOCK) {
		*eq = vtl_java_equals(a, b);
		return true;
	}
	/* Different classes: compare their toString(); a null has none. */
	if (a.t == V_NULL || b.t == V_NULL) {
		*eq = a.t == b.t;
		return true;
	}
	const char *pa, *pb;
	size_t na, nb;
	if (!vtl_str_of(r, a, &pa, &na, 0, 0) || !vtl_str_of(r, b, &pb, &nb, 0, 0))
		return false;
	*eq = na == nb && memcmp(pa, pb, na) == 0;
	return true;
}

/* ---- JSON → values ---- */
bool vtl_from_json(struct vtl_render *r, const json_t *j, bool json_lists, struct vval *out)
{
	switch (json_typeof(j)) {
	case JSON_OBJECT: {
		struct vmap *m = vtl_map_new(r, json_object_size(j));
		if (!m)
			return false;
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)j, k, v) {
			struct vval val;
			if (!vtl_from_json(r, v, json_lists, &val))
				return false;
			m->e[m->n].key = vv_str(k, strlen(k));
			m->e[m->n].val = val;
			m->n++;
		}
		*out = (struct vval){.t = V_MAP, .u.m = m};
		return true;
	}
	case JSON_ARRAY: {
		struct vlist *l = vtl_list_new(r, json_array_size(j), json_lists);
		if (!l)
			return false;
		size_t i;
		json_t *v;
		json_array_foreach(j, i, v)
			if (!vtl_from_json(r, v, json_lists, &l->v[l->n++]))
				return false;
		*out = (struct vval){.t = V_LIST, .u.l = l};
		return true;
	}
	case JSON_STRING: *out = vv_str(json_string_value(j), json_string_length(j)); return true;
	case JSON_INTEGER: *out = vv_int(json_integer_value(j)); return true;
	case JSON_REAL: *out = vv_double(json_real_value(j)); return true;
	case JSON_TRUE: *out = vv_bool(true); return true;
	case JSON_FALSE: *out = vv_bool(false); return true;
	case JSON_NULL: *out = vv_null(); return true;
	}
	return true;
}
