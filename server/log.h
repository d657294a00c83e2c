/* log.h — the server's log: one line per request, and errors, as text or JSON (log.c). */
#ifndef APIGWD_LOG_H
#define APIGWD_LOG_H

enum { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* "error", "warn", "info", "debug" → LOG_*, or -1. */
int log_level_parse(const char *s);

#endif
