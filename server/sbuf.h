/* sbuf.h — a growable text buffer (after git's strbuf).
 *
 * Invariants: `buf` is NULL or NUL-terminated at `len`; once an allocation fails `failed` stays
 * set and further additions are dropped, so callers check once at the end. An optional `max`
 * (0 = none) makes an addition past it fail the same way. Initialise with `struct sbuf b = {0}`
 * (or `{.max = N}`); sbuf_release frees, sbuf_detach hands the text over. */
#ifndef APIGWD_SBUF_H
#define APIGWD_SBUF_H

#include <stdbool.h>
#include <stddef.h>

struct sbuf {
	char *buf;   /* the text, or NULL while empty; owned */
	size_t len;  /* bytes used, without the NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* largest len allowed; 0 = no limit */
	bool failed; /* an allocation failed or max was passed: the text is incomplete */
};

void sbuf_add(struct sbuf *b, const char *s, size_t n);
void sbuf_addstr(struct sbuf *b, const char *s);
void sbuf_addf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The text (new; the caller frees), or NULL when the buffer failed (then it is released).
 * Either way b is empty afterwards. *len (may be NULL) gets the length. */
char *sbuf_detach(struct sbuf *b, size_t *len);
void sbuf_release(struct sbuf *b);

#endif
