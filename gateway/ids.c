/* ids.c — ids as AWS makes them (docs/aws-behaviour.md §D2.4) and its time formats. */
#include "ids.h"

#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

void gw_id_new(char out[GW_ID_LEN + 1])
{
	unsigned char raw[11] = {0};
	unsigned char text[24] = {0};
	if (RAND_bytes(raw, sizeof raw) != 1) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		memcpy(raw, &ts, sizeof raw < sizeof ts ? sizeof raw : sizeof ts);
	}
	EVP_EncodeBlock(text, raw, sizeof raw);
	for (int i = 0; i < GW_ID_LEN; i++)
		out[i] = text[i] == '+' ? '-' : text[i] == '/' ? '_' : (char)text[i];
	out[GW_ID_LEN] = '\0';
}

long long gw_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
				   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

void gw_time_clf(long long ms, char *out, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, size, "%02d/%s/%04d:%02d:%02d:%02d +0000", tm.tm_mday, months[tm.tm_mon],
		 tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

void gw_time_iso(long long ms, char *out, size_t size)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(out, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms % 1000));
}
