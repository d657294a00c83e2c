/* vtl_util.c — $util: escapeJavaScript (Commons-Lang 2.6), parseJson, urlEncode/urlDecode (Java's
 * URLEncoder, UTF-8), base64Encode/base64Decode. */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vtl_int.h"

static bool finish(struct vtl_render *r, struct vtl_buf *b, bool ok, struct vval *out, int line,
		   int col)
{
	if (ok)
		ok = vtl_strdup(r, b->p ? b->p : "", b->n, out, line, col);
	else if (!r->failed)
		vtl_fail(r, line, col, "output longer than %zu bytes", r->lim->max_output);
	free(b->p);
	return ok;
}

/* The next UTF-16 unit(s) of UTF-8 text: returns the code point and advances *k. */
static uint32_t next_cp(const unsigned char *s, size_t n, size_t *k)
{
	unsigned char c = s[*k];
	uint32_t cp = c;
	size_t len = 1;
	if (c >= 0xF0 && *k + 3 < n) {
		cp = ((c & 7u) << 18) | ((s[*k + 1] & 0x3Fu) << 12) | ((s[*k + 2] & 0x3Fu) << 6) |
		     (s[*k + 3] & 0x3Fu);
		len = 4;
	} else if (c >= 0xE0 && *k + 2 < n) {
		cp = ((c & 15u) << 12) | ((s[*k + 1] & 0x3Fu) << 6) | (s[*k + 2] & 0x3Fu);
		len = 3;
	} else if (c >= 0xC0 && *k + 1 < n) {
		cp = ((c & 31u) << 6) | (s[*k + 1] & 0x3Fu);
		len = 2;
	}
	*k += len;
	return cp;
}

static bool escape_js(struct vtl_render *r, const char *p, size_t n, struct vval *out, int line,
		      int col)
{
	struct vtl_buf b = {.max = r->lim->max_output};
	bool ok = true;
	const unsigned char *s = (const unsigned char *)p;
	for (size_t k = 0; ok && k < n;) {
		uint32_t cp = next_cp(s, n, &k);
		uint32_t units[2] = {cp, 0};
		int nu = 1;
		if (cp >= 0x10000) {
			units[0] = 0xD800 + ((cp - 0x10000) >> 10);
			units[1] = 0xDC00 + ((cp - 0x10000) & 0x3FF);
			nu = 2;
		}
		for (int u = 0; ok && u < nu; u++) {
			uint32_t c = units[u];
			switch (c) {
			case '\b': ok = vtl_buf_add(&b, "\\b", 2); break;
			case '\n': ok = vtl_buf_add(&b, "\\n", 2); break;
			case '\t': ok = vtl_buf_add(&b, "\\t", 2); break;
			case '\f': ok = vtl_buf_add(&b, "\\f", 2); break;
			case '\r': ok = vtl_buf_add(&b, "\\r", 2); break;
			case '\'': ok = vtl_buf_add(&b, "\\'", 2); break;
			case '"': ok = vtl_buf_add(&b, "\\\"", 2); break;
			case '\\': ok = vtl_buf_add(&b, "\\\\", 2); break;
			case '/': ok = vtl_buf_add(&b, "\\/", 2); break;
			default:
				if (c < 0x20 || c > 0x7f)
					ok = vtl_buf_printf(&b, "\\u%04X", (unsigned)c);
				else
					ok = vtl_buf_addc(&b, (char)c);
			}
		}
	}
	return finish(r, &b, ok, out, line, col);
}

static bool url_encode(struct vtl_render *r, const char *p, size_t n, struct vval *out, int line,
		       int col)
{
	struct vtl_buf b = {.max = r->lim->max_output};
	bool ok = true;
	for (size_t k = 0; ok && k < n; k++) {
		unsigned char c = (unsigned char)p[k];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		    c == '.' || c == '-' || c == '*' || c == '_')
			ok = vtl_buf_addc(&b, (char)c);
		else if (c == ' ')
			ok = vtl_buf_addc(&b, '+');
		else
			ok = vtl_buf_printf(&b, "%%%02X", c);
	}
	return finish(r, &b, ok, out, line, col);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool url_decode(struct vtl_render *r, const char *p, size_t n, struct vval *out, int line,
		       int col)
{
	char *c = vtl_alloc(r, n + 1, line, col);
	if (!c)
		return false;
	size_t o = 0;
	for (size_t k = 0; k < n; k++) {
		if (p[k] == '+') {
			c[o++] = ' ';
		} else if (p[k] == '%') {
			if (k + 2 >= n)
				return vtl_fail(
					r, line, col,
					"urlDecode: incomplete trailing escape (%%) pattern");
			int h = hexval(p[k + 1]), l = hexval(p[k + 2]);
			if (h < 0 || l < 0)
				return vtl_fail(
					r, line, col,
					"urlDecode: illegal hex characters in escape (%%) pattern");
			c[o++] = (char)(h * 16 + l);
			k += 2;
		} else {
			c[o++] = p[k];
		}
	}
	*out = vv_str(c, o);
	return true;
}

static bool b64_encode(struct vtl_render *r, const char *p, size_t n, struct vval *out, int line,
		       int col)
{
	if (n > r->lim->max_output)
		return vtl_fail(r, line, col, "output longer than %zu bytes", r->lim->max_output);
	char *c = vtl_alloc(r, 4 * ((n + 2) / 3) + 1, line, col);
	if (!c)
		return false;
	int len = EVP_EncodeBlock((unsigned char *)c, (const unsigned char *)p, (int)n);
	*out = vv_str(c, (size_t)len);
	return true;
}

static bool b64_decode(struct vtl_render *r, const char *p, size_t n, struct vval *out, int line,
		       int col)
{
	char *in = vtl_alloc(r, n + 4, line, col);
	if (!in)
		return false;
	size_t m = 0;
	for (size_t k = 0; k < n; k++)
		if (p[k] != '\r' && p[k] != '\n' && p[k] != ' ' && p[k] != '\t')
			in[m++] = p[k];
	if (m % 4 == 2) { /* unpadded input is fine */
		in[m++] = '=';
		in[m++] = '=';
	} else if (m % 4 == 3) {
		in[m++] = '=';
	}
	if (m % 4 != 0)
		return vtl_fail(r, line, col, "base64Decode: invalid base64 text");
	char *c = vtl_alloc(r, m / 4 * 3 + 1, line, col);
	if (!c)
		return false;
	int len = m ? EVP_DecodeBlock((unsigned char *)c, (const unsigned char *)in, (int)m) : 0;
	if (len < 0)
		return vtl_fail(r, line, col, "base64Decode: invalid base64 text");
	if (m >= 1 && in[m - 1] == '=')
		len--;
	if (m >= 2 && in[m - 2] == '=')
		len--;
	*out = vv_str(c, (size_t)len);
	return true;
}

static bool parse_json(struct vtl_render *r, const char *p, size_t n, struct vval *out, int line,
		       int col)
{
	json_error_t je;
	json_t *j = json_loadb(p, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &je);
	if (!j)
		return vtl_fail(r, line, col, "parseJson: invalid JSON: %s", je.text);
	if (!r->keep && !(r->keep = json_array())) {
		json_decref(j);
		return vtl_fail(r, line, col, "out of memory");
	}
	if (json_array_append_new(r->keep, j) != 0)
		return vtl_fail(r, line, col, "out of memory");
	if (json_is_null(j)) {
		*out = vv_undef();
		return true;
	}
	return vtl_from_json(r, j, true, out) || vtl_fail(r, line, col, "out of memory");
}

bool vtl_util_call(struct vtl_render *r, int method, struct vval *args, unsigned nargs,
		   struct vval *out, int line, int col)
{
	*out = vv_null();
	if (nargs != 1 || args[0].t == V_NULL)
		return true;
	const char *p;
	size_t n;
	switch (method) {
	case M_ESCAPEJAVASCRIPT:
	case M_PARSEJSON:
	case M_URLENCODE:
	case M_URLDECODE:
	case M_BASE64ENCODE:
	case M_BASE64DECODE: break;
	default: return true;
	}
	if (!vtl_str_of(r, args[0], &p, &n, line, col))
		return false;
	switch (method) {
	case M_ESCAPEJAVASCRIPT: return escape_js(r, p, n, out, line, col);
	case M_PARSEJSON: return parse_json(r, p, n, out, line, col);
	case M_URLENCODE: return url_encode(r, p, n, out, line, col);
	case M_URLDECODE: return url_decode(r, p, n, out, line, col);
	case M_BASE64ENCODE: return b64_encode(r, p, n, out, line, col);
	default: return b64_decode(r, p, n, out, line, col);
	}
}
