/* test_ids.c — id generation and pagination tokens. */
#include <ctype.h>
#include <string.h>

#include "ids.h"
#include "unit.h"

static void test_id_alphabet_and_length(void)
{
	char id[16];
	for (int i = 0; i < 1000; i++) {
		id_generate(id, 10);
		CHECK(strlen(id) == 10);
		for (int j = 0; j < 10; j++)
			CHECK(islower((unsigned char)id[j]) || isdigit((unsigned char)id[j]));
	}
	char a[8], b[8];
	id_generate(a, 7);
	id_generate(b, 7);
	CHECK(strcmp(a, b) != 0);
}

static void test_token_round_trip(void)
{
	unsigned char key[TOKEN_KEY_LEN] = {1, 2, 3};
	char tok[TOKEN_MAX];
	int64_t seq = 0;
	pagetoken_encode(key, "acct|us-east-1|integration|abc", 123456789, tok);
	CHECK(pagetoken_decode(key, "acct|us-east-1|integration|abc", tok, &seq));
	CHECK(seq == 123456789);
	/* only URL-safe characters */
	CHECK(strspn(tok, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") ==
	      strlen(tok));
}

static void test_token_tamper(void)
{
	unsigned char key[TOKEN_KEY_LEN] = {9};
	unsigned char other[TOKEN_KEY_LEN] = {8};
	char tok[TOKEN_MAX];
	int64_t seq = 0;
	pagetoken_encode(key, "list-a", 42, tok);
	CHECK(!pagetoken_decode(key, "list-b", tok, &seq));   /* another list */
	CHECK(!pagetoken_decode(other, "list-a", tok, &seq)); /* another key */
	tok[3] = tok[3] == 'A' ? 'B' : 'A';
	CHECK(!pagetoken_decode(key, "list-a", tok, &seq)); /* one character changed */
	CHECK(!pagetoken_decode(key, "list-a", "", &seq));
	CHECK(!pagetoken_decode(key, "list-a", "not a token at all, not at all!!", &seq));
	CHECK(!pagetoken_decode(key, "list-a", "%%%%", &seq));
}

int main(void)
{
	RUN(test_id_alphabet_and_length);
	RUN(test_token_round_trip);
	RUN(test_token_tamper);
	return unit_report("ids");
}
