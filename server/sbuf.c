/* sbuf.c — the growable text buffer (see sbuf.h). */
#include "sbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Makes room for n more bytes and the NUL; false (and failed) when it cannot. */
static bool grow(struct sbuf *b, size_t n)
{
	if (b->failed)
		return false;
	if (b->max && b->len + n > b->max) {
		b->failed = true;
		return false;
	}
	if (b->len + n + 1 <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + n + 1)
		cap *= 2;
	char *grown = realloc(b->buf, cap);
	if (!grown) {
		b->failed = true;
		return false;
	}
	b->buf = grown;
	b->cap = cap;
	return true;
}

void sbuf_add(struct sbuf *b, const char *s, size_t n)
{
	if (!grow(b, n))
		return;
	memcpy(b->buf + b->len, s, n);
	b->len += n;
	b->buf[b->len] = '\0';
}

void sbuf_addstr(struct sbuf *b, const char *s)
{
	sbuf_add(b, s, strlen(s));
}

void sbuf_addf(struct sbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->buf + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *sbuf_detach(struct sbuf *b, size_t *len)
{
	char *out = b->failed ? NULL : b->buf;
	if (!out && !b->failed)
		out = calloc(1, 1); /* empty text */
	if (len)
		*len = out ? b->len : 0;
	if (b->failed)
		free(b->buf);
	*b = (struct sbuf){.max = b->max};
	return out;
}

void sbuf_release(struct sbuf *b)
{
	free(b->buf);
	*b = (struct sbuf){.max = b->max};
}
