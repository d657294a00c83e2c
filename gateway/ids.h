/* ids.h — connection/request ids and the time formats of docs/aws-behaviour.md §D2.4. */
#ifndef GW_IDS_H
#define GW_IDS_H

#include <stddef.h>

#define GW_ID_LEN 16 /* characters of an id, without the NUL */

/* Writes a new id (11 random bytes as URL-safe base64 with padding, §D2.4) into out[17]. */
void gw_id_new(char out[GW_ID_LEN + 1]);
/* Milliseconds since the epoch, wall clock. */
long long gw_now_ms(void);
/* `20/Jan/2024:11:55:00 +0000` for ms into out (>= 32 bytes). */
void gw_time_clf(long long ms, char *out, size_t size);
/* `2022-01-25T18:50:04.673Z` for ms into out (>= 32 bytes). */
void gw_time_iso(long long ms, char *out, size_t size);

#endif
