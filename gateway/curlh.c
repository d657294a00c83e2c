/* curlh.c — per-thread libcurl handles: a pthread key whose destructor cleans the handle up. */
#include "curlh.h"

#include <pthread.h>

static pthread_key_t key;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int key_ok; /* set once by make_key */

static void drop(void *h)
{
	curl_easy_cleanup(h);
}

static void make_key(void)
{
	key_ok = pthread_key_create(&key, drop) == 0;
}

CURL *gw_curl_thread_handle(void)
{
	pthread_once(&once, make_key);
	if (!key_ok)
		return NULL;
	CURL *h = pthread_getspecific(key);
	if (h) {
		curl_easy_reset(h); /* options back to defaults; open connections stay */
		return h;
	}
	h = curl_easy_init();
	if (h && pthread_setspecific(key, h) != 0) {
		curl_easy_cleanup(h);
		h = NULL;
	}
	return h;
}
