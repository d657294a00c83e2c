/* ids.h — resource identifiers and pagination tokens. */
#ifndef APIGWD_IDS_H
#define APIGWD_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { TOKEN_KEY_LEN = 32, TOKEN_MAX = 64 };

/* Writes `len` random characters of [a-z0-9] and a NUL into out (len + 1 bytes). The
 * randomness is libuuid's (getrandom underneath). */
void id_generate(char *out, size_t len);

/* A nextToken for the page after row `seq` of the list named `list` (any string that tells
 * lists apart: account, region, kind, parent). Opaque, URL-safe, and tamper-evident: an
 * HMAC-SHA256 under `key` covers seq and list. Writes at most TOKEN_MAX bytes with the NUL. */
void pagetoken_encode(const unsigned char key[TOKEN_KEY_LEN], const char *list, int64_t seq,
		      char out[TOKEN_MAX]);

/* Verifies a token made by pagetoken_encode for the same key and list; on success stores the
 * row to continue after in *seq. */
bool pagetoken_decode(const unsigned char key[TOKEN_KEY_LEN], const char *list, const char *token,
		      int64_t *seq);

#endif
