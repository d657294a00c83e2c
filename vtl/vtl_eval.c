/* vtl_eval.c — rendering: directives, references, operators and the Java methods templates
 * call on strings, lists and maps, under the limits of struct vtl_limits. */
#include <locale.h>
#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "vtl_int.h"

enum { CTL_NONE, CTL_BREAK, CTL_STOP };

bool vtl_fail(struct vtl_render *r, int line, int col, const char *fmt, ...)
{
	if (r->failed)
		return false;
	r->failed = true;
	r->err->line = line;
	r->err->column = col;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err->message, sizeof r->err->message, fmt, ap);
	va_end(ap);
	return false;
}

void *vtl_alloc(struct vtl_render *r, size_t n, int line, int col)
{
	void *p = vtl_arena_alloc(&r->arena, n);
	if (!p)
		vtl_fail(r, line, col, "template used more than %zu bytes of memory", r->arena.cap);
	return p;
}

bool vtl_strdup(struct vtl_render *r, const char *p, size_t n, struct vval *out, int line, int col)
{
	char *c = vtl_alloc(r, n + 1, line, col);
	if (!c)
		return false;
	memcpy(c, p, n);
	*out = vv_str(c, n);
	return true;
}

static bool step(struct vtl_render *r, int line, int col)
{
	if (++r->steps > r->lim->max_steps)
		return vtl_fail(r, line, col, "template ran more than %lu steps",
				r->lim->max_steps);
	return true;
}

static bool out_fail(struct vtl_render *r, int line, int col)
{
	if (r->failed)
		return false;
	return vtl_fail(r, line, col, "output longer than %zu bytes", r->lim->max_output);
}

static bool eval(struct vtl_render *r, const struct expr *e, struct vval *out);
static bool eval_cond(struct vtl_render *r, const struct expr *e, bool *out);
static bool render_nodes(struct vtl_render *r, const struct node *nd);

/* ---- UTF-16 indexes (Java's strings) over UTF-8 ---- */
static size_t u16_len(const char *s, size_t n)
{
	size_t len = 0;
	for (size_t k = 0; k < n; k++) {
		unsigned char c = (unsigned char)s[k];
		if ((c & 0xC0) != 0x80)
			len += c >= 0xF0 ? 2 : 1;
	}
	return len;
}

/* The byte offset of UTF-16 index idx (idx ≤ length). */
static size_t u16_off(const char *s, size_t n, size_t idx)
{
	size_t k = 0, u = 0;
	while (k < n && u < idx) {
		unsigned char c = (unsigned char)s[k];
		size_t len = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
		u += c >= 0xF0 ? 2 : 1;
		k += len;
	}
	return k > n ? n : k;
}

static const char *find(const char *h, size_t hn, const char *nd, size_t nn)
{
	if (nn == 0)
		return h;
	if (nn > hn)
		return NULL;
	return memmem(h, hn, nd, nn);
}

/* ---- upper and lower case beyond ASCII, through the C.UTF-8 locale's tables (read-only,
 * made once) ---- */
static locale_t utf8_locale;
static pthread_once_t utf8_once = PTHREAD_ONCE_INIT;
static void utf8_init(void)
{
	utf8_locale = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
}

static bool change_case(struct vtl_render *r, const char *p, size_t n, bool upper, struct vval *out,
			int line, int col)
{
	pthread_once(&utf8_once, utf8_init);
	char *c = vtl_alloc(r, n * 2 + 1, line,
			    col); /* a case pair's UTF-8 lengths differ by 1 at most */
	if (!c)
		return false;
	size_t o = 0;
	for (size_t k = 0; k < n;) {
		unsigned char b = (unsigned char)p[k];
		uint32_t cp = b;
		size_t len = 1;
		if (b >= 0xC0 && b < 0xE0 && k + 1 < n) {
			cp = ((b & 31u) << 6) | (p[k + 1] & 0x3Fu);
			len = 2;
		} else if (b >= 0xE0 && b < 0xF0 && k + 2 < n) {
			cp = ((b & 15u) << 12) | ((p[k + 1] & 0x3Fu) << 6) | (p[k + 2] & 0x3Fu);
			len = 3;
		} else if (b >= 0xF0 && k + 3 < n) {
			len = 4; /* left as it is */
		}
		uint32_t to = cp;
		if (len == 4 || (b >= 0x80 && len == 1)) {
			to = cp;
		} else if (cp < 0x80) {
			to = upper ? (cp >= 'a' && cp <= 'z' ? cp - 32 : cp)
				   : (cp >= 'A' && cp <= 'Z' ? cp + 32 : cp);
		} else if (utf8_locale) {
			to = (uint32_t)(upper ? towupper_l((wint_t)cp, utf8_locale)
					      : towlower_l((wint_t)cp, utf8_locale));
		}
		if (to == cp || len == 4) {
			memcpy(c + o, p + k, len);
			o += len;
		} else if (to < 0x80) {
			c[o++] = (char)to;
		} else if (to < 0x800) {
			c[o++] = (char)(0xC0 | (to >> 6));
			c[o++] = (char)(0x80 | (to & 0x3F));
		} else if (to < 0x10000) {
			c[o++] = (char)(0xE0 | (to >> 12));
			c[o++] = (char)(0x80 | ((to >> 6) & 0x3F));
			c[o++] = (char)(0x80 | (to & 0x3F));
		} else {
			c[o++] = (char)(0xF0 | (to >> 18));
			c[o++] = (char)(0x80 | ((to >> 12) & 0x3F));
			c[o++] = (char)(0x80 | ((to >> 6) & 0x3F));
			c[o++] = (char)(0x80 | (to & 0x3F));
		}
		k += len;
	}
	*out = vv_str(c, o);
	return true;
}

/* ---- regular expressions: Java syntax on POSIX ERE ---- */
static bool compile_regex(struct vtl_render *r, const char *p, size_t n, regex_t *re, int line,
			  int col)
{
	struct vtl_buf b = {.max = 4 * n + 64};
	bool inclass = false, ok = true;
	for (size_t k = 0; ok && k < n; k++) {
		char c = p[k];
		if (c == '\\' && k + 1 < n) {
			char d = p[++k];
			const char *rep = NULL;
			char lit[3] = {'\\', d, 0};
			switch (d) {
			case 'd': rep = inclass ? "0-9" : "[0-9]"; break;
			case 'D': rep = inclass ? NULL : "[^0-9]"; break;
			case 's': rep = inclass ? "[:space:]" : "[[:space:]]"; break;
			case 'S': rep = inclass ? NULL : "[^[:space:]]"; break;
			case 'w': rep = inclass ? "[:alnum:]_" : "[[:alnum:]_]"; break;
			case 'W': rep = inclass ? NULL : "[^[:alnum:]_]"; break;
			case 't': rep = "\t"; break;
			case 'n': rep = "\n"; break;
			case 'r': rep = "\r"; break;
			default:
				if (d >= '1' && d <= '9') {
					free(b.p);
					return vtl_fail(
						r, line, col,
						"back references are not supported in regular expressions");
				}
				if (inclass) {
					lit[0] = d;
					lit[1] = 0;
				}
				rep = lit;
			}
			if (!rep) {
				free(b.p);
				return vtl_fail(r, line, col,
						"unsupported regular expression class \\%c", d);
			}
			ok = vtl_buf_add(&b, rep, strlen(rep));
			continue;
		}
		if (!inclass && c == '[') {
			inclass = true;
			ok = vtl_buf_addc(&b, c);
			if (k + 1 < n && p[k + 1] == '^')
				ok = ok && vtl_buf_addc(&b, p[++k]);
			if (k + 1 < n && p[k + 1] == ']')
				ok = ok && vtl_buf_addc(&b, p[++k]);
			continue;
		}
		if (inclass && c == ']')
			inclass = false;
		if (!inclass && (c == '?' || c == '+') && b.n &&
		    (b.p[b.n - 1] == '*' || b.p[b.n - 1] == '+' || b.p[b.n - 1] == '?') &&
		    !(b.n >= 2 && b.p[b.n - 2] == '\\')) {
			free(b.p);
			return vtl_fail(r, line, col,
					"lazy and possessive quantifiers are not supported");
		}
		ok = vtl_buf_addc(&b, c);
	}
	ok = ok && vtl_buf_addc(&b, 0);
	if (!ok) {
		free(b.p);
		return vtl_fail(r, line, col, "regular expression too long");
	}
	int rc = regcomp(re, b.p, REG_EXTENDED);
	free(b.p);
	if (rc != 0)
		return vtl_fail(r, line, col, "invalid regular expression");
	return true;
}

/* regexec over s[0..n) from offset start; the string need not be NUL-terminated. */
static bool regex_at(regex_t *re, const char *s, size_t n, size_t start, regmatch_t *m, size_t nm,
		     bool notbol)
{
	m[0].rm_so = (regoff_t)start;
	m[0].rm_eo = (regoff_t)n;
	return regexec(re, s, nm, m, REG_STARTEND | (notbol ? REG_NOTBOL : 0)) == 0;
}

/* replaceAll / replaceFirst: Java's replacement syntax ($n, \x). */
static bool regex_replace(struct vtl_render *r, struct vval s, struct vval pat, struct vval rep,
			  bool all, struct vval *out, int line, int col)
{
	regex_t re;
	if (!compile_regex(r, pat.u.s.p, pat.u.s.n, &re, line, col))
		return false;
	struct vtl_buf b = {.max = r->lim->max_output};
	size_t pos = 0;
	bool ok = true;
	regmatch_t m[10];
	const char *str = s.u.s.p;
	size_t n = s.u.s.n;
	while (ok && pos <= n) {
		if (!step(r, line, col)) {
			ok = false;
			break;
		}
		if (!regex_at(&re, str, n, pos, m, 10, pos > 0))
			break;
		size_t so = (size_t)m[0].rm_so, eo = (size_t)m[0].rm_eo;
		ok = vtl_buf_add(&b, str + pos, so - pos);
		for (size_t k = 0; ok && k < rep.u.s.n; k++) {
			char c = rep.u.s.p[k];
			if (c == '\\' && k + 1 < rep.u.s.n) {
				ok = vtl_buf_addc(&b, rep.u.s.p[++k]);
			} else if (c == '$' && k + 1 < rep.u.s.n && rep.u.s.p[k + 1] >= '0' &&
				   rep.u.s.p[k + 1] <= '9') {
				int g = rep.u.s.p[++k] - '0';
				if (g > (int)re.re_nsub) {
					regfree(&re);
					free(b.p);
					return vtl_fail(r, line, col,
							"no group %d in the regular expression", g);
				}
				if (m[g].rm_so >= 0)
					ok = vtl_buf_add(&b, str + m[g].rm_so,
							 (size_t)(m[g].rm_eo - m[g].rm_so));
			} else if (c == '$') {
				regfree(&re);
				free(b.p);
				return vtl_fail(r, line, col,
						"illegal group reference in the replacement");
			} else {
				ok = vtl_buf_addc(&b, c);
			}
		}
		if (eo == so) { /* an empty match: copy one character and go on */
			if (so < n) {
				size_t len = 1;
				while (so + len < n &&
				       ((unsigned char)str[so + len] & 0xC0) == 0x80)
					len++;
				ok = ok && vtl_buf_add(&b, str + so, len);
				pos = so + len;
			} else {
				pos = n + 1;
			}
		} else {
			pos = eo;
		}
		if (!all)
			break;
	}
	if (ok && pos < n)
		ok = vtl_buf_add(&b, str + pos, n - pos);
	regfree(&re);
	if (!ok) {
		free(b.p);
		return r->failed ? false : out_fail(r, line, col);
	}
	bool dup = vtl_strdup(r, b.p ? b.p : "", b.n, out, line, col);
	free(b.p);
	return dup;
}

static bool regex_matches(struct vtl_render *r, struct vval s, struct vval pat, bool *res, int line,
			  int col)
{
	regex_t re;
	if (!compile_regex(r, pat.u.s.p, pat.u.s.n, &re, line, col))
		return false;
	/* The whole string: anchor the pattern. */
	regfree(&re);
	struct vtl_buf b = {.max = pat.u.s.n + 8};
	vtl_buf_add(&b, "^(", 2);
	vtl_buf_add(&b, pat.u.s.p, pat.u.s.n);
	vtl_buf_add(&b, ")$", 2);
	bool ok = compile_regex(r, b.p, b.n, &re, line, col);
	free(b.p);
	if (!ok)
		return false;
	regmatch_t m[1];
	*res = regex_at(&re, s.u.s.p, s.u.s.n, 0, m, 1, false);
	regfree(&re);
	return true;
}

static bool regex_split(struct vtl_render *r, struct vval s, struct vval pat, struct vval *out,
			int line, int col)
{
	regex_t re;
	if (!compile_regex(r, pat.u.s.p, pat.u.s.n, &re, line, col))
		return false;
	struct vlist *l = vtl_list_new(r, 0, false);
	bool ok = l != NULL;
	const char *str = s.u.s.p;
	size_t n = s.u.s.n, pos = 0, from = 0;
	regmatch_t m[1];
	while (ok && from <= n && regex_at(&re, str, n, from, m, 1, from > 0)) {
		size_t so = (size_t)m[0].rm_so, eo = (size_t)m[0].rm_eo;
		if (eo == so) {
			if (so >= n)
				break;
			if (so == 0) { /* no empty leading piece for an empty match at 0 */
				from = 1;
				continue;
			}
		}
		if (!(ok = step(r, line, col)))
			break;
		struct vval piece;
		ok = vtl_strdup(r, str + pos, so - pos, &piece, line, col) &&
		     vtl_list_push(r, l, piece);
		pos = eo;
		from = eo > so ? eo : so + 1;
	}
	regfree(&re);
	if (!ok)
		return false;
	if (n == 0) { /* "".split(x) is [""] */
		struct vval piece = vv_str("", 0);
		if (!vtl_list_push(r, l, piece))
			return false;
	} else {
		struct vval piece;
		if (!vtl_strdup(r, str + pos, n - pos, &piece, line, col) ||
		    !vtl_list_push(r, l, piece))
			return false;
		while (l->n > 0 && l->v[l->n - 1].u.s.n == 0) /* trailing empty pieces go */
			l->n--;
	}
	*out = (struct vval){.t = V_LIST, .u.l = l};
	return true;
}

/* ---- methods ---- */
static bool is_str(struct vval v)
{
	return v.t == V_STR;
}
static bool is_int(struct vval v)
{
	return v.t == V_INT;
}

static bool string_method(struct vtl_render *r, struct vval s, const struct suffix *sf,
			  struct vval *a, unsigned na, struct vval *out)
{
	const char *p = s.u.s.p;
	size_t n = s.u.s.n;
	int line = sf->line, col = sf->col;
	*out = vv_null();
	switch (sf->method) {
	case M_LENGTH:
		if (na == 0)
			*out = vv_int((int64_t)u16_len(p, n));
		return true;
	case M_ISEMPTY:
		if (na == 0)
			*out = vv_bool(n == 0);
		return true;
	case M_TOSTRING:
		if (na == 0)
			*out = s;
		return true;
	case M_HASHCODE: {
		if (na)
			return true;
		int32_t h = 0;
		for (size_t k = 0; k < n;) { /* over UTF-16 units */
			unsigned char c = (unsigned char)p[k];
			uint32_t cp = c;
			size_t len = 1;
			if (c >= 0xF0 && k + 3 < n) {
				cp = ((c & 7u) << 18) | ((p[k + 1] & 0x3Fu) << 12) |
				     ((p[k + 2] & 0x3Fu) << 6) | (p[k + 3] & 0x3Fu);
				len = 4;
			} else if (c >= 0xE0 && k + 2 < n) {
				cp = ((c & 15u) << 12) | ((p[k + 1] & 0x3Fu) << 6) |
				     (p[k + 2] & 0x3Fu);
				len = 3;
			} else if (c >= 0xC0 && k + 1 < n) {
				cp = ((c & 31u) << 6) | (p[k + 1] & 0x3Fu);
				len = 2;
			}
			if (cp >= 0x10000) {
				cp -= 0x10000;
				h = (int32_t)((uint32_t)h * 31u + (0xD800u + (cp >> 10)));
				h = (int32_t)((uint32_t)h * 31u + (0xDC00u + (cp & 0x3FF)));
			} else {
				h = (int32_t)((uint32_t)h * 31u + cp);
			}
			k += len;
		}
		*out = vv_int(h);
		return true;
	}
	case M_SUBSTRING: {
		if (na < 1 || na > 2 || !is_int(a[0]) || (na == 2 && !is_int(a[1])))
			return true;
		int64_t len = (int64_t)u16_len(p, n);
		int64_t b = a[0].u.i, e = na == 2 ? a[1].u.i : len;
		if (b < 0 || e > len || b > e)
			return vtl_fail(
				r, line, col,
				"substring: index out of range: begin %lld, end %lld, length %lld",
				(long long)b, (long long)e, (long long)len);
		size_t bo = u16_off(p, n, (size_t)b), eo = u16_off(p, n, (size_t)e);
		*out = vv_str(p + bo, eo - bo);
		return true;
	}
	case M_CHARAT: {
		if (na != 1 || !is_int(a[0]))
			return true;
		int64_t len = (int64_t)u16_len(p, n);
		if (a[0].u.i < 0 || a[0].u.i >= len)
			return vtl_fail(r, line, col, "charAt: index out of range: %lld",
					(long long)a[0].u.i);
		size_t bo = u16_off(p, n, (size_t)a[0].u.i),
		       eo = u16_off(p, n, (size_t)a[0].u.i + 1);
		*out = vv_str(p + bo, eo - bo);
		return true;
	}
	case M_INDEXOF:
	case M_LASTINDEXOF: {
		if (na < 1 || na > 2 || !is_str(a[0]) || (na == 2 && !is_int(a[1])))
			return true;
		const char *hit = NULL;
		if (sf->method == M_INDEXOF) {
			int64_t from = na == 2 ? a[1].u.i : 0;
			if (from < 0)
				from = 0;
			size_t fo = u16_off(p, n, (size_t)from);
			hit = fo <= n ? find(p + fo, n - fo, a[0].u.s.p, a[0].u.s.n) : NULL;
		} else {
			for (size_t k = 0; k + a[0].u.s.n <= n; k++)
				if (memcmp(p + k, a[0].u.s.p, a[0].u.s.n) == 0)
					hit = p + k;
		}
		*out = vv_int(hit ? (int64_t)u16_len(p, (size_t)(hit - p)) : -1);
		return true;
	}
	case M_CONTAINS:
		if (na == 1 && is_str(a[0]))
			*out = vv_bool(find(p, n, a[0].u.s.p, a[0].u.s.n) != NULL);
		return true;
	case M_STARTSWITH:
		if (na == 1 && is_str(a[0]))
			*out = vv_bool(a[0].u.s.n <= n && memcmp(p, a[0].u.s.p, a[0].u.s.n) == 0);
		return true;
	case M_ENDSWITH:
		if (na == 1 && is_str(a[0]))
			*out = vv_bool(a[0].u.s.n <= n &&
				       memcmp(p + n - a[0].u.s.n, a[0].u.s.p, a[0].u.s.n) == 0);
		return true;
	case M_EQUALS:
		if (na == 1)
			*out = vv_bool(vtl_java_equals(s, a[0]));
		return true;
	case M_EQUALSIGNORECASE:
		if (na == 1 && is_str(a[0]))
			*out = vv_bool(a[0].u.s.n == n && strncasecmp(p, a[0].u.s.p, n) == 0);
		return true;
	case M_TOLOWERCASE:
	case M_TOUPPERCASE: {
		if (na)
			return true;
		return change_case(r, p, n, sf->method == M_TOUPPERCASE, out, line, col);
	}
	case M_TRIM: {
		if (na)
			return true;
		size_t b = 0, e = n;
		while (b < e && (unsigned char)p[b] <= ' ')
			b++;
		while (e > b && (unsigned char)p[e - 1] <= ' ')
			e--;
		*out = vv_str(p + b, e - b);
		return true;
	}
	case M_CONCAT: {
		if (na != 1 || !is_str(a[0]))
			return true;
		char *c = vtl_alloc(r, n + a[0].u.s.n + 1, line, col);
		if (!c)
			return false;
		memcpy(c, p, n);
		memcpy(c + n, a[0].u.s.p, a[0].u.s.n);
		*out = vv_str(c, n + a[0].u.s.n);
		return true;
	}
	case M_REPLACE: {
		if (na != 2 || !is_str(a[0]) || !is_str(a[1]))
			return true;
		struct vtl_buf b = {.max = r->lim->max_output};
		const char *from = a[0].u.s.p, *to = a[1].u.s.p;
		size_t fn = a[0].u.s.n, tn = a[1].u.s.n, pos = 0;
		bool ok = true;
		if (fn == 0) { /* "ab".replace("", "-") is "-a-b-" */
			for (size_t k = 0; ok && k <= n; k++) {
				ok = vtl_buf_add(&b, to, tn);
				if (k < n)
					ok = ok && vtl_buf_addc(&b, p[k]);
			}
		} else {
			const char *hit;
			while (ok && (hit = find(p + pos, n - pos, from, fn))) {
				ok = vtl_buf_add(&b, p + pos, (size_t)(hit - p) - pos) &&
				     vtl_buf_add(&b, to, tn);
				pos = (size_t)(hit - p) + fn;
			}
			ok = ok && vtl_buf_add(&b, p + pos, n - pos);
		}
		ok = ok ? vtl_strdup(r, b.p ? b.p : "", b.n, out, line, col)
			: out_fail(r, line, col);
		free(b.p);
		return ok;
	}
	case M_REPLACEALL:
	case M_REPLACEFIRST:
		if (na != 2 || !is_str(a[0]) || !is_str(a[1]))
			return true;
		return regex_replace(r, s, a[0], a[1], sf->method == M_REPLACEALL, out, line, col);
	case M_MATCHES: {
		bool res;
		if (na != 1 || !is_str(a[0]))
			return true;
		if (!regex_matches(r, s, a[0], &res, line, col))
			return false;
		*out = vv_bool(res);
		return true;
	}
	case M_SPLIT:
		if (na != 1 || !is_str(a[0]))
			return true;
		return regex_split(r, s, a[0], out, line, col);
	}
	return true;
}

static bool list_index(struct vtl_render *r, struct vlist *l, struct vval i, size_t *k, bool insert,
		       int line, int col)
{
	int64_t n = (int64_t)l->n;
	if (i.u.i < 0 || i.u.i > n || (!insert && i.u.i == n))
		return vtl_fail(r, line, col, "index %lld out of bounds for length %lld",
				(long long)i.u.i, (long long)n);
	*k = (size_t)i.u.i;
	return true;
}

static bool list_method(struct vtl_render *r, struct vlist *l, const struct suffix *sf,
			struct vval *a, unsigned na, struct vval *out)
{
	int line = sf->line, col = sf->col;
	size_t k = 0;
	*out = vv_null();
	switch (sf->method) {
	case M_SIZE:
		if (na == 0)
			*out = vv_int((int64_t)l->n);
		return true;
	case M_ISEMPTY:
		if (na == 0)
			*out = vv_bool(l->n == 0);
		return true;
	case M_GET:
		if (na != 1 || !is_int(a[0]))
			return true;
		if (!list_index(r, l, a[0], &k, false, line, col))
			return false;
		*out = l->v[k];
		return true;
	case M_SET:
		if (na != 2 || !is_int(a[0]))
			return true;
		if (!list_index(r, l, a[0], &k, false, line, col))
			return false;
		*out = l->v[k];
		l->v[k] = a[1];
		return true;
	case M_ADD:
		if (na == 1) {
			*out = vv_bool(true);
			return vtl_list_push(r, l, a[0]);
		}
		if (na == 2 && is_int(a[0])) {
			if (!list_index(r, l, a[0], &k, true, line, col) ||
			    !vtl_list_push(r, l, a[1]))
				return false;
			memmove(l->v + k + 1, l->v + k, (l->n - 1 - k) * sizeof *l->v);
			l->v[k] = a[1];
		}
		return true;
	case M_ADDALL:
		if (na != 1 || a[0].t != V_LIST)
			return true;
		{
			struct vlist *src = a[0].u.l;
			size_t cnt = src->n;
			for (size_t j = 0; j < cnt; j++)
				if (!vtl_list_push(r, l, src->v[j]))
					return false;
			*out = vv_bool(cnt > 0);
		}
		return true;
	case M_CONTAINS:
	case M_INDEXOF:
		if (na != 1)
			return true;
		for (k = 0; k < l->n; k++)
			if (vtl_java_equals(l->v[k], a[0]))
				break;
		*out = sf->method == M_CONTAINS ? vv_bool(k < l->n)
						: vv_int(k < l->n ? (int64_t)k : -1);
		return true;
	case M_REMOVE:
		if (na != 1)
			return true;
		if (is_int(a[0])) {
			if (!list_index(r, l, a[0], &k, false, line, col))
				return false;
			*out = l->v[k];
		} else {
			for (k = 0; k < l->n; k++)
				if (vtl_java_equals(l->v[k], a[0]))
					break;
			*out = vv_bool(k < l->n);
			if (k == l->n)
				return true;
		}
		memmove(l->v + k, l->v + k + 1, (l->n - k - 1) * sizeof *l->v);
		l->n--;
		return true;
	case M_CLEAR:
		if (na == 0)
			l->n = 0;
		return true;
	case M_EQUALS:
		if (na == 1)
			*out = vv_bool(vtl_java_equals((struct vval){.t = V_LIST, .u.l = l}, a[0]));
		return true;
	}
	return true;
}

static bool map_method(struct vtl_render *r, struct vmap *m, const struct suffix *sf,
		       struct vval *a, unsigned na, struct vval *out)
{
	int line = sf->line, col = sf->col;
	struct ventry *e;
	*out = vv_null();
	switch (sf->method) {
	case M_SIZE:
		if (na == 0)
			*out = vv_int((int64_t)m->n);
		return true;
	case M_ISEMPTY:
		if (na == 0)
			*out = vv_bool(m->n == 0);
		return true;
	case M_GET:
		if (na == 1 && (e = vtl_map_find(m, a[0])))
			*out = e->val;
		return true;
	case M_CONTAINSKEY:
		if (na == 1)
			*out = vv_bool(vtl_map_find(m, a[0]) != NULL);
		return true;
	case M_CONTAINSVALUE:
		if (na != 1)
			return true;
		*out = vv_bool(false);
		for (size_t k = 0; k < m->n; k++)
			if (vtl_java_equals(m->e[k].val, a[0]))
				*out = vv_bool(true);
		return true;
	case M_PUT:
		if (na != 2)
			return true;
		return vtl_map_put(r, m, a[0], a[1], out) ||
		       vtl_fail(r, line, col, "out of memory");
	case M_PUTALL:
		if (na != 1 || a[0].t != V_MAP)
			return true;
		{
			struct vmap *src = a[0].u.m;
			size_t cnt = src->n;
			for (size_t k = 0; k < cnt; k++)
				if (!vtl_map_put(r, m, src->e[k].key, src->e[k].val, NULL))
					return false;
		}
		return true;
	case M_REMOVE:
		if (na != 1 || !(e = vtl_map_find(m, a[0])))
			return true;
		*out = e->val;
		{
			size_t k = (size_t)(e - m->e);
			memmove(m->e + k, m->e + k + 1, (m->n - k - 1) * sizeof *m->e);
			m->n--;
		}
		return true;
	case M_CLEAR:
		if (na == 0)
			m->n = 0;
		return true;
	case M_EQUALS:
		if (na == 1)
			*out = vv_bool(vtl_java_equals((struct vval){.t = V_MAP, .u.m = m}, a[0]));
		return true;
	case M_KEYSET:
	case M_VALUES:
	case M_ENTRYSET: {
		if (na)
			return true;
		struct vlist *l = vtl_list_new(r, m->n, false);
		if (!l)
			return false;
		for (size_t k = 0; k < m->n; k++) {
			if (sf->method == M_KEYSET)
				l->v[k] = m->e[k].key;
			else if (sf->method == M_VALUES)
				l->v[k] = m->e[k].val;
			else
				l->v[k] = (struct vval){.t = V_OBJ,
							.sub = O_ENTRY,
							.u.entry = &m->e[k]};
		}
		l->n = m->n;
		*out = (struct vval){.t = V_LIST, .u.l = l};
		return true;
	}
	}
	return true;
}

/* A property of v ($v.name): what Velocity finds first of get("name") on a map, then getName()
 * or isName(). */
static bool property(struct vtl_render *r, struct vval v, const struct suffix *sf, struct vval *out)
{
	const char *n = sf->name;
	size_t nl = sf->nlen;
#define IS(s) (nl == sizeof(s) - 1 && memcmp(n, s, nl) == 0)
	*out = vv_null();
	switch (v.t) {
	case V_MAP: {
		struct ventry *e = vtl_map_find(v.u.m, vv_str(n, nl));
		if (e)
			*out = e->val;
		return true;
	}
	case V_STR:
		if (IS("empty"))
			*out = vv_bool(v.u.s.n == 0);
		return true;
	case V_LIST:
		if (IS("empty"))
			*out = vv_bool(v.u.l->n == 0);
		return true;
	case V_OBJ:
		switch (v.sub) {
		case O_INPUT:
			if (IS("body"))
				return vtl_input_call(r, M_GETBODY, NULL, 0, out, sf->line,
						      sf->col);
			return true;
		case O_ENTRY:
			if (IS("key"))
				*out = v.u.entry->key;
			else if (IS("value"))
				*out = v.u.entry->val;
			return true;
		case O_FOREACH:
			if (IS("count"))
				*out = vv_int(v.u.loop->index + 1);
			else if (IS("index"))
				*out = vv_int(v.u.loop->index);
			else if (IS("hasNext"))
				*out = vv_bool(v.u.loop->has_next);
			else if (IS("first"))
				*out = vv_bool(v.u.loop->index == 0);
			else if (IS("last"))
				*out = vv_bool(!v.u.loop->has_next);
			return true;
		}
		return true;
	default: return true;
	}
#undef IS
}

static bool method(struct vtl_render *r, struct vval v, const struct suffix *sf, struct vval *out)
{
	struct vval args[32];
	for (unsigned k = 0; k < sf->nargs; k++)
		if (!eval(r, sf->args[k], &args[k]))
			return false;
	*out = vv_null();
	if (sf->method == M_TOSTRING && sf->nargs == 0 && v.t != V_NULL) {
		const char *p;
		size_t n;
		if (!vtl_str_of(r, v, &p, &n, sf->line, sf->col))
			return false;
		*out = vv_str(p, n);
		return true;
	}
	switch (v.t) {
	case V_STR: return string_method(r, v, sf, args, sf->nargs, out);
	case V_LIST: return list_method(r, v.u.l, sf, args, sf->nargs, out);
	case V_MAP: return map_method(r, v.u.m, sf, args, sf->nargs, out);
	case V_INT:
	case V_DOUBLE:
	case V_BOOL:
		if (sf->method == M_EQUALS && sf->nargs == 1)
			*out = vv_bool(vtl_java_equals(v, args[0]));
		return true;
	case V_OBJ:
		switch (v.sub) {
		case O_INPUT:
			return vtl_input_call(r, sf->method, args, sf->nargs, out, sf->line,
					      sf->col);
		case O_UTIL:
			return vtl_util_call(r, sf->method, args, sf->nargs, out, sf->line,
					     sf->col);
		case O_ENTRY:
			if (sf->nargs == 0 && sf->method == M_GETKEY)
				*out = v.u.entry->key;
			else if (sf->nargs == 0 && sf->method == M_GETVALUE)
				*out = v.u.entry->val;
			return true;
		case O_FOREACH:
			if (sf->nargs)
				return true;
			switch (sf->method) {
			case M_GETCOUNT: *out = vv_int(v.u.loop->index + 1); break;
			case M_GETINDEX: *out = vv_int(v.u.loop->index); break;
			case M_HASNEXT: *out = vv_bool(v.u.loop->has_next); break;
			case M_ISFIRST: *out = vv_bool(v.u.loop->index == 0); break;
			case M_ISLAST: *out = vv_bool(!v.u.loop->has_next); break;
			}
			return true;
		}
		return true;
	default: return true;
	}
}

static bool index_of(struct vtl_render *r, struct vval v, const struct suffix *sf, struct vval *out)
{
	struct vval i;
	if (!eval(r, sf->args[0], &i))
		return false;
	*out = vv_null();
	if (v.t == V_LIST) {
		if (i.t != V_INT)
			return vtl_fail(r, sf->line, sf->col, "a list index must be an integer");
		int64_t k = i.u.i, n = (int64_t)v.u.l->n;
		if (k < 0)
			k += n; /* Velocity 1.7: $list[-1] is the last */
		if (k < 0 || k >= n)
			return vtl_fail(r, sf->line, sf->col,
					"index %lld out of bounds for length %lld",
					(long long)i.u.i, (long long)n);
		*out = v.u.l->v[k];
	} else if (v.t == V_MAP) {
		struct ventry *e = vtl_map_find(v.u.m, i);
		if (e)
			*out = e->val;
	}
	return true;
}

/* The value of a reference; with to_last, *holder: the value before the last link
 * (for #set), and *out is not set. */
static bool eval_ref(struct vtl_render *r, const struct expr *e, struct vval *out, bool to_last,
		     struct vval *holder)
{
	struct vval v = r->vars[e->u.ref.slot];
	for (const struct suffix *sf = e->u.ref.chain; sf; sf = sf->next) {
		if (to_last && !sf->next) {
			*holder = v;
			break;
		}
		if (!step(r, sf->line, sf->col))
			return false;
		if (v.t == V_NULL || v.t == V_UNDEF) {
			/* null.anything is null (a method of an undefined value is not called) */
			if (sf->kind == S_METHOD || sf->kind == S_INDEX)
				for (unsigned k = 0; k < sf->nargs; k++) {
					struct vval ignored;
					if (!eval(r, sf->args[k], &ignored))
						return false;
				}
			v = vv_null();
			continue;
		}
		bool ok;
		struct vval nv;
		switch (sf->kind) {
		case S_PROP: ok = property(r, v, sf, &nv); break;
		case S_METHOD: ok = method(r, v, sf, &nv); break;
		default: ok = index_of(r, v, sf, &nv); break;
		}
		if (!ok)
			return false;
		v = nv;
	}
	*out = v;
	return true;
}

static bool is_number(struct vval v)
{
	return v.t == V_INT || v.t == V_DOUBLE;
}
static double dbl(struct vval v)
{
	return v.t == V_INT ? (double)v.u.i : v.u.d;
}

static bool arith(struct vtl_render *r, const struct expr *e, struct vval a, struct vval b,
		  struct vval *out)
{
	*out = vv_null();
	if (e->type == E_ADD && !(is_number(a) && is_number(b)) && (a.t == V_STR || b.t == V_STR) &&
	    a.t != V_NULL && b.t != V_NULL) {
		const char *pa, *pb;
		size_t na, nb;
		if (!vtl_str_of(r, a, &pa, &na, e->line, e->col) ||
		    !vtl_str_of(r, b, &pb, &nb, e->line, e->col))
			return false;
		char *c = vtl_alloc(r, na + nb + 1, e->line, e->col);
		if (!c)
			return false;
		memcpy(c, pa, na);
		memcpy(c + na, pb, nb);
		*out = vv_str(c, na + nb);
		return true;
	}
	if (!is_number(a) || !is_number(b))
		return true; /* Velocity logs and yields null */
	if (a.t == V_INT && b.t == V_INT) {
		int64_t x = a.u.i, y = b.u.i, z;
		switch (e->type) {
		case E_ADD:
			if (__builtin_add_overflow(x, y, &z))
				*out = vv_double((double)x + (double)y);
			else
				*out = vv_int(z);
			return true;
		case E_SUB:
			if (__builtin_sub_overflow(x, y, &z))
				*out = vv_double((double)x - (double)y);
			else
				*out = vv_int(z);
			return true;
		case E_MUL:
			if (__builtin_mul_overflow(x, y, &z))
				*out = vv_double((double)x * (double)y);
			else
				*out = vv_int(z);
			return true;
		case E_DIV:
		case E_MOD:
			if (y == 0)
				return true; /* null, as Velocity */
			if (y == -1)
				*out = vv_int(e->type == E_DIV ? (x == INT64_MIN ? x : -x) : 0);
			else
				*out = vv_int(e->type == E_DIV ? x / y : x % y);
			return true;
		}
		return true;
	}
	double x = dbl(a), y = dbl(b);
	switch (e->type) {
	case E_ADD: *out = vv_double(x + y); break;
	case E_SUB: *out = vv_double(x - y); break;
	case E_MUL: *out = vv_double(x * y); break;
	case E_DIV:
		if (y != 0)
			*out = vv_double(x / y);
		break;
	case E_MOD:
		if (y != 0)
			*out = vv_double(__builtin_fmod(x, y));
		break;
	}
	return true;
}

static bool compare(struct vtl_render *r, const struct expr *e, bool *res)
{
	struct vval a, b;
	if (!eval(r, e->u.bin.a, &a) || !eval(r, e->u.bin.b, &b))
		return false;
	if (e->type == E_EQ || e->type == E_NE) {
		bool eq;
		if (!vtl_equals(r, a, b, &eq))
			return false;
		*res = e->type == E_EQ ? eq : !eq;
		return true;
	}
	if (!is_number(a) || !is_number(b)) {
		*res = false; /* Velocity compares numbers only */
		return true;
	}
	int c;
	if (a.t == V_INT && b.t == V_INT)
		c = a.u.i < b.u.i ? -1 : a.u.i > b.u.i;
	else
		c = dbl(a) < dbl(b) ? -1 : dbl(a) > dbl(b);
	switch (e->type) {
	case E_LT: *res = c < 0; break;
	case E_LE: *res = c <= 0; break;
	case E_GT: *res = c > 0; break;
	default: *res = c >= 0; break;
	}
	return true;
}

/* Truth as Velocity 1.7's #if sees it: a reference by its value (null false, a Boolean its
 * value, anything else true), operators by their result, other literals false. */
static bool eval_cond(struct vtl_render *r, const struct expr *e, bool *out)
{
	if (!step(r, e->line, e->col))
		return false;
	switch (e->type) {
	case E_REF: {
		struct vval v;
		if (!eval(r, e, &v))
			return false;
		*out = v.t == V_BOOL ? v.u.b : v.t != V_NULL;
		return true;
	}
	case E_LIT: *out = e->u.lit.t == V_BOOL && e->u.lit.u.b; return true;
	case E_PAREN: return eval_cond(r, e->u.bin.a, out);
	case E_NOT:
		if (!eval_cond(r, e->u.bin.a, out))
			return false;
		*out = !*out;
		return true;
	case E_AND:
		if (!eval_cond(r, e->u.bin.a, out))
			return false;
		return !*out || eval_cond(r, e->u.bin.b, out);
	case E_OR:
		if (!eval_cond(r, e->u.bin.a, out))
			return false;
		return *out || eval_cond(r, e->u.bin.b, out);
	case E_EQ:
	case E_NE:
	case E_LT:
	case E_LE:
	case E_GT:
	case E_GE: return compare(r, e, out);
	default: *out = false; return true;
	}
}

static bool eval(struct vtl_render *r, const struct expr *e, struct vval *out)
{
	if (!step(r, e->line, e->col))
		return false;
	if (++r->depth > r->lim->max_depth) {
		r->depth--;
		return vtl_fail(r, e->line, e->col, "nesting deeper than %u", r->lim->max_depth);
	}
	bool ok = true;
	switch (e->type) {
	case E_LIT: *out = e->u.lit; break;
	case E_REF: ok = eval_ref(r, e, out, false, NULL); break;
	case E_PAREN: ok = eval(r, e->u.bin.a, out); break;
	case E_STR: {
		size_t mark = r->out.n;
		ok = render_nodes(r, e->u.body);
		if (ok && r->out.over)
			ok = out_fail(r, e->line, e->col);
		if (ok)
			ok = vtl_strdup(r, r->out.p ? r->out.p + mark : "", r->out.n - mark, out,
					e->line, e->col);
		r->out.n = mark;
		if (r->ctl == CTL_BREAK) /* #break inside a string ends the string only */
			r->ctl = CTL_NONE;
		break;
	}
	case E_LIST: {
		struct vlist *l = vtl_list_new(r, e->u.list.n, false);
		ok = l != NULL;
		for (size_t k = 0; ok && k < e->u.list.n; k++)
			ok = eval(r, e->u.list.items[k], &l->v[l->n++]);
		if (ok)
			*out = (struct vval){.t = V_LIST, .u.l = l};
		break;
	}
	case E_MAP: {
		struct vmap *m = vtl_map_new(r, e->u.list.n / 2);
		ok = m != NULL;
		for (size_t k = 0; ok && k + 1 < e->u.list.n; k += 2) {
			struct vval key, val;
			ok = eval(r, e->u.list.items[k], &key) &&
			     eval(r, e->u.list.items[k + 1], &val) &&
			     vtl_map_put(r, m, key, val, NULL);
		}
		if (ok)
			*out = (struct vval){.t = V_MAP, .u.m = m};
		break;
	}
	case E_RANGE: {
		struct vval a, b;
		ok = eval(r, e->u.bin.a, &a) && eval(r, e->u.bin.b, &b);
		if (!ok)
			break;
		if (a.t != V_INT || b.t != V_INT) {
			*out = vv_null();
			break;
		}
		int64_t from = a.u.i, to = b.u.i;
		uint64_t n = (uint64_t)(from <= to ? to - from : from - to) + 1;
		if (n > (uint64_t)r->lim->max_output) {
			ok = vtl_fail(r, e->line, e->col, "range [%lld..%lld] too long",
				      (long long)from, (long long)to);
			break;
		}
		struct vlist *l = vtl_list_new(r, (size_t)n, false);
		ok = l != NULL;
		for (uint64_t k = 0; ok && k < n; k++)
			l->v[l->n++] = vv_int(from <= to ? from + (int64_t)k : from - (int64_t)k);
		if (ok)
			*out = (struct vval){.t = V_LIST, .u.l = l};
		break;
	}
	case E_NOT:
	case E_AND:
	case E_OR:
	case E_EQ:
	case E_NE:
	case E_LT:
	case E_LE:
	case E_GT:
	case E_GE: {
		bool b;
		ok = eval_cond(r, e, &b);
		if (ok)
			*out = vv_bool(b);
		break;
	}
	default: {
		struct vval a, b;
		ok = eval(r, e->u.bin.a, &a) && eval(r, e->u.bin.b, &b) && arith(r, e, a, b, out);
		break;
	}
	}
	r->depth--;
	return ok;
}

/* ---- directives ---- */
static bool do_set(struct vtl_render *r, const struct node *nd)
{
	struct vval v;
	if (!eval(r, nd->u.set.rhs, &v))
		return false;
	if (v.t == V_NULL)
		return true; /* Velocity 1.7 leaves the left side as it was */
	const struct expr *lhs = nd->u.set.lhs;
	if (!lhs->u.ref.chain) {
		r->vars[lhs->u.ref.slot] = v;
		return true;
	}
	struct vval holder;
	if (!eval_ref(r, lhs, &holder, true, &holder))
		return false;
	const struct suffix *last = lhs->u.ref.chain;
	while (last->next)
		last = last->next;
	if (last->kind == S_PROP && holder.t == V_MAP)
		return vtl_map_put(r, holder.u.m, vv_str(last->name, last->nlen), v, NULL);
	if (last->kind == S_INDEX) {
		struct vval i;
		if (!eval(r, last->args[0], &i))
			return false;
		if (holder.t == V_MAP)
			return vtl_map_put(r, holder.u.m, i, v, NULL);
		if (holder.t == V_LIST) {
			if (i.t != V_INT)
				return vtl_fail(r, last->line, last->col,
						"a list index must be an integer");
			int64_t k = i.u.i, n = (int64_t)holder.u.l->n;
			if (k < 0 || k >= n)
				return vtl_fail(r, last->line, last->col,
						"index %lld out of bounds for length %lld",
						(long long)k, (long long)n);
			holder.u.l->v[k] = v;
		}
	}
	return true; /* anything else: Velocity logs and goes on */
}

static bool do_foreach(struct vtl_render *r, const struct node *nd)
{
	struct vval it;
	if (!eval(r, nd->u.loop.iter, &it))
		return false;
	struct vval *items = NULL;
	size_t n = 0;
	struct vmap *m = NULL;
	if (it.t == V_LIST) {
		items = it.u.l->v;
		n = it.u.l->n;
	} else if (it.t == V_MAP) {
		m = it.u.m;
		n = m->n;
	} else {
		return true; /* not iterable: nothing */
	}
	unsigned slot = nd->u.loop.slot;
	struct vval saved = r->vars[slot], saved_fe = r->vars[SLOT_FOREACH],
		    saved_cnt = r->vars[SLOT_VCOUNT], saved_hn = r->vars[SLOT_VHASNEXT];
	struct vloop *loop = vtl_alloc(r, sizeof *loop, nd->line, nd->col);
	if (!loop)
		return false;
	bool ok = true;
	size_t n0 = n;
	for (size_t k = 0;; k++) {
		/* The collection may change under the loop. As Java's iterators: a list ends when
		 * the index reaches its size, else a changed size is a
		 * ConcurrentModificationException; a map's iterator knew at the previous step
		 * whether there was a next. */
		n = m ? m->n : it.u.l->n;
		items = m ? NULL : it.u.l->v;
		if (k >= n || (m && k > 0 && !loop->has_next))
			break;
		if (n != n0) {
			ok = vtl_fail(r, nd->line, nd->col,
				      "#foreach: the collection changed while it was iterated "
				      "(ConcurrentModificationException)");
			break;
		}
		if (k >= r->lim->max_foreach) {
			ok = vtl_fail(r, nd->line, nd->col, "#foreach ran more than %u iterations",
				      r->lim->max_foreach);
			break;
		}
		if (!(ok = step(r, nd->line, nd->col)))
			break;
		loop->index = (int64_t)k;
		loop->has_next = k + 1 < n;
		r->vars[slot] = m ? m->e[k].val : items[k];
		r->vars[SLOT_FOREACH] = (struct vval){.t = V_OBJ, .sub = O_FOREACH, .u.loop = loop};
		r->vars[SLOT_VCOUNT] = vv_int((int64_t)k + 1);
		r->vars[SLOT_VHASNEXT] = vv_bool(k + 1 < n);
		if (!(ok = render_nodes(r, nd->u.loop.body)))
			break;
		if (r->ctl == CTL_BREAK) {
			r->ctl = CTL_NONE;
			break;
		}
		if (r->ctl == CTL_STOP)
			break;
	}
	r->vars[slot] = saved;
	r->vars[SLOT_FOREACH] = saved_fe;
	r->vars[SLOT_VCOUNT] = saved_cnt;
	r->vars[SLOT_VHASNEXT] = saved_hn;
	return ok;
}

static bool render_ref(struct vtl_render *r, const struct node *nd)
{
	struct vval v;
	if (!eval(r, nd->u.ref.e, &v))
		return false;
	bool ok = true;
	for (unsigned k = 0; ok && k < nd->u.ref.nbs; k++)
		ok = vtl_buf_addc(&r->out, '\\');
	if (nd->u.ref.escaped) {
		if (v.t == V_NULL)
			ok = ok && vtl_buf_addc(&r->out, '\\');
		ok = ok && vtl_buf_add(&r->out, nd->u.ref.lit, nd->u.ref.litn);
	} else if (v.t != V_NULL) {
		ok = ok && vtl_tostring(r, v);
	}
	return ok || out_fail(r, nd->line, nd->col);
}

static bool render_node(struct vtl_render *r, const struct node *nd);

/* Renders a list of nodes; an error raised without a position (deep inside a value) gets the
 * position of the node that raised it. */
static bool render_nodes(struct vtl_render *r, const struct node *nd)
{
	for (; nd && r->ctl == CTL_NONE; nd = nd->next) {
		if (!render_node(r, nd)) {
			if (r->err->line == 0) {
				r->err->line = nd->line;
				r->err->column = nd->col;
			}
			return false;
		}
	}
	return true;
}

static bool render_node(struct vtl_render *r, const struct node *nd)
{
	{
		if (!step(r, nd->line, nd->col))
			return false;
		switch (nd->type) {
		case N_TEXT:
			if (!vtl_buf_add(&r->out, nd->u.text.p, nd->u.text.n))
				return out_fail(r, nd->line, nd->col);
			break;
		case N_REF:
			if (!render_ref(r, nd))
				return false;
			break;
		case N_SET:
			if (!do_set(r, nd))
				return false;
			break;
		case N_IF: {
			const struct ifarm *arm = nd->u.arms;
			for (; arm; arm = arm->next) {
				bool c = true;
				if (arm->cond && !eval_cond(r, arm->cond, &c))
					return false;
				if (c)
					break;
			}
			if (arm) {
				if (++r->depth > r->lim->max_depth)
					return vtl_fail(r, nd->line, nd->col,
							"nesting deeper than %u",
							r->lim->max_depth);
				bool ok = render_nodes(r, arm->body);
				r->depth--;
				if (!ok)
					return false;
			}
			break;
		}
		case N_FOREACH:
			if (++r->depth > r->lim->max_depth)
				return vtl_fail(r, nd->line, nd->col, "nesting deeper than %u",
						r->lim->max_depth);
			if (!do_foreach(r, nd))
				return false;
			r->depth--;
			break;
		case N_DEFINE:
			r->vars[nd->u.define.slot] =
				(struct vval){.t = V_BLOCK, .u.blk = nd->u.define.body};
			break;
		case N_BREAK: r->ctl = CTL_BREAK; break;
		case N_STOP: r->ctl = CTL_STOP; break;
		}
	}
	return true;
}

bool vtl_render_block(struct vtl_render *r, const struct node *body)
{
	int ctl = r->ctl;
	bool ok = render_nodes(r, body);
	if (r->ctl == CTL_BREAK)
		r->ctl = ctl;
	return ok;
}

int vtl_render(const struct vtl_template *t, const struct vtl_bindings *b,
	       const struct vtl_limits *lim, char **out, size_t *out_len, struct vtl_error *err)
{
	static const struct vtl_bindings none;
	if (!lim)
		lim = &vtl_default_limits;
	if (!b)
		b = &none;
	memset(err, 0, sizeof *err);
	*out = NULL;
	*out_len = 0;
	struct vtl_render r = {.t = t, .b = b, .lim = lim, .err = err};
	size_t cap = lim->max_output > SIZE_MAX / 64 ? SIZE_MAX : lim->max_output * 64;
	r.arena.cap = cap < 1024 * 1024 ? 1024 * 1024 : cap;
	r.out.max = lim->max_output;
	int rc = -1;
	r.vars = vtl_alloc(&r, t->nnames * sizeof *r.vars, 0, 0);
	if (!r.vars)
		goto out;
	for (unsigned k = 0; k < t->nnames; k++)
		r.vars[k] = vv_undef();
	r.vars[SLOT_INPUT] = (struct vval){.t = V_OBJ, .sub = O_INPUT};
	r.vars[SLOT_UTIL] = (struct vval){.t = V_OBJ, .sub = O_UTIL};
	json_t *tmp_empty = json_object();
	if (!tmp_empty)
		goto out;
	if (!vtl_from_json(&r, b->context && json_is_object(b->context) ? b->context : tmp_empty,
			   false, &r.vars[SLOT_CONTEXT]) ||
	    !vtl_from_json(&r,
			   b->stage_variables && json_is_object(b->stage_variables)
				   ? b->stage_variables
				   : tmp_empty,
			   false, &r.vars[SLOT_STAGEVARS])) {
		json_decref(tmp_empty);
		goto out;
	}
	json_decref(tmp_empty);
	if (b->variables && json_is_object(b->variables)) {
		const char *k;
		json_t *v;
		json_object_foreach((json_t *)b->variables, k, v) {
			for (unsigned s = SLOT_FIRST_FREE; s < t->nnames; s++)
				if (strcmp(t->names[s], k) == 0 && !json_is_null(v) &&
				    !vtl_from_json(&r, v, false, &r.vars[s]))
					goto out;
		}
	}
	if (!render_nodes(&r, t->root))
		goto out;
	r.out.max++; /* room for the NUL */
	if (!vtl_buf_addc(&r.out, 0)) {
		vtl_fail(&r, 0, 0, "out of memory");
		goto out;
	}
	r.out.n--;
	*out = r.out.p ? r.out.p : strdup("");
	if (!*out) {
		vtl_fail(&r, 0, 0, "out of memory");
		goto out;
	}
	r.out.p = NULL;
	*out_len = r.out.n;
	rc = 0;
out:
	if (rc != 0 && !r.failed)
		vtl_fail(&r, 0, 0, "out of memory");
	free(r.out.p);
	vtl_arena_release(&r.arena);
	json_decref(r.body);
	json_decref(r.keep);
	return rc;
}
