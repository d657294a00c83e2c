/* ids.c — random ids, and the keyset pagination token (masked seq + truncated HMAC). */
#include "ids.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <string.h>
#include <uuid/uuid.h>

static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";

void id_generate(char *out, size_t len)
{
	size_t n = 0;
	while (n < len) {
		uuid_t u;
		uuid_generate_random(u);
		/* Skip the version/variant bytes (6 and 8) and reject bytes >= 252 so that every
		 * character is equally likely (252 = 7 * 36). */
		for (size_t i = 0; i < sizeof u && n < len; i++)
			if (i != 6 && i != 8 && u[i] < 252)
				out[n++] = alphabet[u[i] % 36];
	}
	out[len] = '\0';
}

enum { TAG_LEN = 16, RAW_LEN = 8 + TAG_LEN };

/* HMAC-SHA256(key, prefix || a || list), truncated into out[0..outlen). */
static void token_mac(const unsigned char key[TOKEN_KEY_LEN], char prefix, const char *list,
		      const unsigned char a[8], unsigned char *out, size_t outlen)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned maclen = 0;
	size_t llen = strlen(list);
	unsigned char msg[1 + 8 + 512];
	if (llen > sizeof msg - 9)
		llen = sizeof msg - 9;
	msg[0] = (unsigned char)prefix;
	memcpy(msg + 1, a, 8);
	memcpy(msg + 9, list, llen);
	HMAC(EVP_sha256(), key, TOKEN_KEY_LEN, msg, 9 + llen, mac, &maclen);
	memcpy(out, mac, outlen);
}

/* The tag covers seq and list. */
static void token_tag(const unsigned char key[TOKEN_KEY_LEN], const char *list,
		      const unsigned char seq_be[8], unsigned char tag[TAG_LEN])
{
	token_mac(key, 't', list, seq_be, tag, TAG_LEN);
}

/* seq is stored masked, so that a token reveals nothing (row counts, activity): XOR with a
 * pad derived from the key and the list. */
static void token_mask(const unsigned char key[TOKEN_KEY_LEN], const char *list,
		       unsigned char seq[8])
{
	static const unsigned char zero[8];
	unsigned char pad[8];
	token_mac(key, 'p', list, zero, pad, sizeof pad);
	for (int i = 0; i < 8; i++)
		seq[i] ^= pad[i];
}

/* base64 (OpenSSL) with the URL-safe alphabet and no padding, so tokens survive query
 * strings untouched. */
void pagetoken_encode(const unsigned char key[TOKEN_KEY_LEN], const char *list, int64_t seq,
		      char out[TOKEN_MAX])
{
	unsigned char raw[RAW_LEN];
	uint64_t u = (uint64_t)seq;
	for (int i = 7; i >= 0; i--, u >>= 8)
		raw[i] = (unsigned char)(u & 0xff);
	token_tag(key, list, raw, raw + 8);
	token_mask(key, list, raw);
	int n = EVP_EncodeBlock((unsigned char *)out, raw, RAW_LEN);
	for (int i = 0; i < n; i++)
		out[i] = out[i] == '+' ? '-' : out[i] == '/' ? '_' : out[i];
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
}

bool pagetoken_decode(const unsigned char key[TOKEN_KEY_LEN], const char *list, const char *token,
		      int64_t *seq)
{
	char b64[TOKEN_MAX];
	unsigned char raw[TOKEN_MAX];
	unsigned char tag[TAG_LEN];
	size_t n = strlen(token);
	/* RAW_LEN bytes are 32 base64 characters without padding. */
	if (n != 32)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = token[i];
		if (ch == '-')
			ch = '+';
		else if (ch == '_')
			ch = '/';
		else if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
			   (ch >= '0' && ch <= '9')))
			return false;
		b64[i] = ch;
	}
	b64[n] = '\0';
	if (EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n) != RAW_LEN)
		return false;
	token_mask(key, list, raw);
	token_tag(key, list, raw, tag);
	if (CRYPTO_memcmp(tag, raw + 8, TAG_LEN) != 0)
		return false;
	uint64_t u = 0;
	for (int i = 0; i < 8; i++)
		u = (u << 8) | raw[i];
	*seq = (int64_t)u;
	return true;
}
