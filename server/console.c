/* console.c — the web console: GET /console (index.html) and GET /console/{file}, served from
 * the files of console/ compiled into the binary (scripts/embed-files, embedded.h). The page
 * talks to /v2/ like any other client; this file only hands out its bytes. */
#include <stdlib.h>
#include <string.h>

#include "embedded.h"
#include "handlers.h"
#include "route.h"

/* Every console file: the page runs only its own scripts and styles and talks only to its own
 * origin (no inline script, no external network); it is never framed; browsers revalidate so a
 * new binary's console is seen at once. */
static const char *const console_headers[] = {
	"Content-Security-Policy",
	"default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
	"Cache-Control",
	"no-cache",
	"X-Content-Type-Options",
	"nosniff",
	"Referrer-Policy",
	"no-referrer",
	NULL,
};

struct mime {
	const char *ext;  /* file name suffix, with the dot */
	const char *type; /* Content-Type */
};

static const struct mime mimes[] = {
	{".html", "text/html; charset=utf-8"},
	{".js", "text/javascript; charset=utf-8"},
	{".mjs", "text/javascript; charset=utf-8"},
	{".css", "text/css; charset=utf-8"},
	{".json", "application/json"},
	{".svg", "image/svg+xml"},
	{".png", "image/png"},
	{".ico", "image/x-icon"},
	{".txt", "text/plain; charset=utf-8"},
};

/* The Content-Type for a file name, by its suffix; static. */
static const char *mime_of(const char *path)
{
	size_t len = strlen(path);
	for (size_t i = 0; i < sizeof mimes / sizeof mimes[0]; i++) {
		size_t n = strlen(mimes[i].ext);
		if (len > n && strcmp(path + len - n, mimes[i].ext) == 0)
			return mimes[i].type;
	}
	return "application/octet-stream";
}

/* The embedded file named `path` (relative to console/), or NULL. Borrowed. */
static const struct embedded_file *find_file(const char *path)
{
	for (unsigned i = 0; i < embedded_files_count; i++)
		if (strcmp(embedded_files[i].path, path) == 0)
			return &embedded_files[i];
	return NULL;
}

/* Answers with the embedded file `path`, or NotFoundException naming it. The lookup is an
 * exact match against the embedded names, so no request can reach any other file. */
static void serve(struct req *rq, const char *path)
{
	const struct embedded_file *f = find_file(path);
	if (!f) {
		reply_errf(rq, E_NOT_FOUND, "No console file %.200s", path);
		return;
	}
	/* reply_text takes ownership of a malloc'd body; the embedded bytes are read-only. */
	char *body = malloc(f->len ? f->len : 1);
	if (!body) {
		reply_errf(rq, E_INTERNAL, "Out of memory");
		return;
	}
	memcpy(body, f->data, f->len);
	reply_text(rq, 200, body, f->len);
	rq->content_type = mime_of(f->path);
	rq->headers = console_headers;
}

void console_index(struct req *rq)
{
	serve(rq, "index.html");
}

void console_file(struct req *rq)
{
	serve(rq, req_param(rq, "file"));
}
