/* curlh.h — one libcurl easy handle per thread, kept from request to request, so that libcurl's
 * connection cache keeps backend connections open (HTTP keep-alive) instead of a new TCP
 * connection per integration call (docs/gateway.md "Integrations off the event loop"). */
#ifndef GW_CURLH_H
#define GW_CURLH_H

#include <curl/curl.h>

/* The calling thread's handle, reset to default options (borrowed: never clean it up; it is
 * freed when the thread exits), or NULL out of memory. */
CURL *gw_curl_thread_handle(void);

#endif
