/* log.h — the server's log on stderr: one line per request, and messages with a level, as text
 * or as JSON (one object per line), each line written with one write(2) so that lines of
 * different threads never interleave (log.c). */
#ifndef APIGWD_LOG_H
#define APIGWD_LOG_H

#include <stdbool.h>

enum { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* "error", "warn", "info", "debug" → LOG_*, or -1. */
int log_level_parse(const char *s);

/* Sets the format (json: one JSON object per line) and the most detailed level written, for
 * the whole process. Call once before serving; the default is text at LOG_INFO. */
void log_setup(bool json, int level);

/* Whether messages of `level` are written. */
bool log_enabled(int level);

/* The request line (level info): time, request id, method, path, operation, status,
 * duration in milliseconds, account and apiId.
 *   text: 2024-05-01T12:00:00.123Z 6f1c…-… GET /v2/apis GetApis 200 0.41ms account=… api=-
 *   json: {"time":…,"level":"info","requestId":…,"method":…,"path":…,"operation":…,
 *          "status":200,"ms":0.41,"account":…,"apiId":null} */
struct log_request {
	const char *request_id; /* x-amzn-RequestId */
	const char *method;
	const char *path; /* raw, as received; NULL = "-" */
	const char *op;	  /* operation name, or "-" */
	unsigned status;
	double ms;	     /* receipt to answer */
	const char *account; /* "" = "-" */
	const char *api;     /* apiId, "" = "-" */
};
void log_request(const struct log_request *r);

/* A message at `level`, naming the request id users see in x-amzn-RequestId when request_id
 * is not NULL.
 *   text: 2024-05-01T12:00:00.123Z ERROR [6f1c…] message
 *   json: {"time":…,"level":"error","requestId":…,"message":…} */
void log_msg(int level, const char *request_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
