/* log.c — the request log and leveled messages (log.h), as text or JSON lines on stderr. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "jspec.h"

/* Set once by log_setup before any thread starts; read-only afterwards. */
static bool as_json;
static int max_level = LOG_INFO;

static const char *const level_names[] = {"error", "warn", "info", "debug"};

int log_level_parse(const char *s)
{
	for (int i = 0; i < 4; i++)
		if (strcmp(s, level_names[i]) == 0)
			return i;
	return -1;
}

void log_setup(bool json, int level)
{
	as_json = json;
	max_level = level < LOG_ERROR ? LOG_ERROR : level > LOG_DEBUG ? LOG_DEBUG : level;
}

bool log_enabled(int level)
{
	return level <= max_level;
}

/* A line being built: text is cut (never overflowed) at the end of the buffer. */
struct line {
	char buf[2048];
	size_t len;
};

static void put(struct line *l, const char *s, size_t n)
{
	size_t room = sizeof l->buf - 2 - l->len; /* keep room for '\n' and '\0' */
	if (n > room)
		n = room;
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

static void puts_(struct line *l, const char *s)
{
	put(l, s, strlen(s));
}

static void putf(struct line *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct line *l, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		put(l, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Writes at most max bytes of s: as a JSON string (quoted, escaped) when json, else bare with
 * spaces kept; control bytes and invalid UTF-8 become '?' either way, so a client can neither
 * forge a line nor break the JSON. */
static void put_str(struct line *l, const char *s, size_t max, bool json)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t used = 0;
	if (json)
		put(l, "\"", 1);
	while (*p && used < max) {
		size_t n = jutf8_char(p);
		if (!n || *p < 0x20 || *p == 0x7F) {
			put(l, "?", 1);
			p++;
			used++;
			continue;
		}
		if (json && (*p == '"' || *p == '\\'))
			put(l, "\\", 1);
		put(l, (const char *)p, n);
		p += n;
		used += n;
	}
	if (*p)
		put(l, "…", strlen("…"));
	if (json)
		put(l, "\"", 1);
}

/* A string member of a JSON line: ,"name":"value" (null when value is NULL or ""). */
static void put_member(struct line *l, const char *name, const char *value, size_t max)
{
	putf(l, ",\"%s\":", name);
	if (value && *value)
		put_str(l, value, max, true);
	else
		puts_(l, "null");
}

static void put_time(struct line *l)
{
	struct timespec now;
	struct tm tm;
	char ts[40];
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	size_t n = strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts + n, sizeof ts - n, ".%03ldZ", now.tv_nsec / 1000000);
	if (as_json)
		putf(l, "{\"time\":\"%s\"", ts);
	else
		puts_(l, ts);
}

/* Ends the line and writes it with one write(2). */
static void emit(struct line *l)
{
	if (as_json)
		put(l, "}", 1);
	l->buf[l->len++] = '\n';
	ssize_t w = write(STDERR_FILENO, l->buf, l->len);
	(void)w;
}

void log_request(const struct log_request *r)
{
	struct line l = {.len = 0};
	if (!log_enabled(LOG_INFO))
		return;
	put_time(&l);
	if (as_json) {
		puts_(&l, ",\"level\":\"info\"");
		put_member(&l, "requestId", r->request_id, 64);
		put_member(&l, "method", r->method, 16);
		put_member(&l, "path", r->path, 200);
		put_member(&l, "operation", r->op, 64);
		putf(&l, ",\"status\":%u,\"ms\":%.3f", r->status, r->ms);
		put_member(&l, "account", r->account, 32);
		put_member(&l, "apiId", r->api, 16);
	} else {
		putf(&l, " %s ", r->request_id);
		put_str(&l, r->method, 16, false);
		put(&l, " ", 1);
		put_str(&l, r->path ? r->path : "-", 200, false);
		putf(&l, " %s %u %.2fms account=%s api=%s", r->op, r->status, r->ms,
		     r->account[0] ? r->account : "-", r->api[0] ? r->api : "-");
	}
	emit(&l);
}

void log_msg(int level, const char *request_id, const char *fmt, ...)
{
	struct line l = {.len = 0};
	char msg[1024];
	va_list ap;
	if (!log_enabled(level))
		return;
	if (level < LOG_ERROR)
		level = LOG_ERROR;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	put_time(&l);
	if (as_json) {
		putf(&l, ",\"level\":\"%s\"", level_names[level]);
		put_member(&l, "requestId", request_id, 64);
		put_member(&l, "message", msg, sizeof msg);
	} else {
		static const char *const upper[] = {"ERROR", "WARN", "INFO", "DEBUG"};
		putf(&l, " %s ", upper[level]);
		if (request_id)
			putf(&l, "[%s] ", request_id);
		put_str(&l, msg, sizeof msg, false);
	}
	emit(&l);
}
