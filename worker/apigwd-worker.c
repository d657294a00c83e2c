/* apigwd-worker.c — the reference data-plane worker: keeps DIR/API-STAGE.json byte-identical to
 * apigwd's snapshot of one deployed stage by following the change feed, exactly as
 * docs/dataplane.md "The worker loop" describes. Platform teams copy it with follow.[ch] (the
 * transport, feed and backoff pieces it shares with the gateway): libcurl and jansson, no threads.
 *
 * Output contract (tests drive it): stdout is line-buffered and gets exactly one line per
 * applied revision, `applied revision=N etag=E file=PATH`, printed once the file is in place and
 * the status report was tried; stderr gets one `apigwd-worker: ...` line per error (naming the
 * retry delay, or "; resync"), one at start and one at stop. */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "follow.h"

#define WORKER_VERSION "0.1.0"
#define CONNECT_MS     2000L  /* connect timeout, every request */
#define SNAPSHOT_MS    30000L /* whole-request timeout of snapshot GETs */
#define REPORT_MS      10000L /* whole-request timeout of status PUTs */
#define POLL_SLACK_MS  10000L /* a long-poll may take wait + this */

static const char usage[] =
	"usage: apigwd-worker --control URL --api ID --stage NAME --cache-dir DIR [options]\n"
	"Keeps DIR/ID-NAME.json equal to apigwd's snapshot of a deployed stage, following the\n"
	"change feed (docs/dataplane.md). One line on stdout per applied revision:\n"
	"  applied revision=N etag=E file=PATH\n"
	"\n"
	"  --control URL     apigwd base URL, e.g. http://127.0.0.1:8080\n"
	"  --api ID          API id\n"
	"  --stage NAME      stage name\n"
	"  --cache-dir DIR   where the snapshot file lives (created if missing)\n"
	"  --token T         sends Authorization: Bearer T (apigwd --dataplane-token)\n"
	"  --worker-id ID    name in status reports (default HOSTNAME-PID)\n"
	"  --wait SECONDS    change-feed long-poll, 1-300 (default 60)\n"
	"  --once            fetch, write, report, exit 0 (1 when any step failed)\n"
	"  --version         print the version and exit\n"
	"  --help            this text\n"
	"\n"
	"Errors keep the last good file and retry after 100 ms doubling to 5 s.\n"
	"SIGINT/SIGTERM: exit 0 at once, even during a long-poll.\n";

/* The one global: the number of the stop signal received, 0 until then. */
static volatile sig_atomic_t stop_signal;

struct config {
	char *control; /* base URL (argv's string), trailing slashes removed */
	const char *api_id;
	const char *stage;
	const char *cache_dir;
	const char *token;   /* NULL: no Authorization header */
	char worker_id[300]; /* --worker-id or HOSTNAME-PID */
	long wait;	     /* long-poll seconds */
	bool once;
};

struct worker {
	struct config cfg;
	CURL *snap, *feed, *report;	/* one reused handle per kind of request (keep-alive) */
	struct curl_slist *headers;	/* Accept, Authorization, Content-Type; owned */
	char *path;			/* DIR/ID-NAME.json; owned */
	char *tmp_template;		/* DIR/.ID-NAME.json.XXXXXX; owned */
	char *snap_url, *report_url;	/* owned */
	char *api_esc;			/* URL-escaped api id for the feed query; owned */
	char epoch[128];		/* epoch the feed position belongs to, "" before sync */
	long long since;		/* feed position: every change <= since is applied */
	long long applied_rev;		/* revision of the last announced snapshot */
	char applied_etag[160];		/* its ETag, "" before the first */
	char applied_epoch[128];	/* its epoch */
	struct stat file_st;		/* the cache file as last written or checked equal */
	bool file_known;		/* file_st is set */
	bool announce_pending;		/* applied_rev is not yet printed on stdout */
	bool report_pending;		/* applied_rev is not yet reported to apigwd */
	char curl_err[CURL_ERROR_SIZE]; /* the handles' error buffer */
	char err[1024];			/* the last failure, for the log line */
};

static void on_signal(int sig)
{
	stop_signal = sig;
}

/* libcurl calls this about once a second even while a long-poll is idle, and right away when a
 * signal interrupts its poll(): a non-zero answer aborts the transfer, so a stop is prompt. */
static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	(void)arg, (void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return stop_signal != 0;
}

/* A new handle with everything but the URL and timeout set; NULL when out of memory. */
static CURL *handle_new(struct worker *w, bool put)
{
	CURL *h = curl_easy_init();
	if (!h)
		return NULL;
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_MS);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "apigwd-worker/" WORKER_VERSION);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, w->headers);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, w->curl_err);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, follow_on_body);
	curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, follow_on_header);
	curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
	if (put)
		curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
	return h;
}

/* Sends one request on h (GET, or PUT of put_body) and collects the answer into r (cleared
 * first; r->body stays owned by the caller). Returns 0 when an HTTP answer arrived, whatever
 * its status; -1 on a transport error, a timeout or a stop signal, with w->err set. */
static int http_request(struct worker *w, CURL *h, const char *what, const char *url,
			long timeout_ms, const char *put_body, struct follow_reply *r)
{
	r->status = 0;
	r->body.len = 0;
	r->etag[0] = r->error_type[0] = '\0';
	w->curl_err[0] = '\0';
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
	if (put_body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, put_body);
	CURLcode rc = curl_easy_perform(h);
	if (rc != CURLE_OK) {
		snprintf(w->err, sizeof w->err, "%s %s: %s", what, url,
			 w->curl_err[0] ? w->curl_err : curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
	return 0;
}

/* Sets w->err to "WHAT URL: HTTP STATUS ErrorType: message" for an unexpected answer. */
static void http_error(struct worker *w, const char *what, const char *url,
		       const struct follow_reply *r)
{
	json_t *doc = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
	const char *msg = json_string_value(json_object_get(doc, "message"));
	snprintf(w->err, sizeof w->err, "%s %s: HTTP %ld%s%s%s%s", what, url, r->status,
		 r->error_type[0] ? " " : "", r->error_type, msg ? ": " : "", msg ? msg : "");
	json_decref(doc);
}

/* True when the file at path holds exactly len bytes equal to data. */
static bool file_same(const char *path, const char *data, size_t len)
{
	bool same = false;
	char chunk[65536];
	struct stat st;
	size_t off = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0 || (size_t)st.st_size != len)
		goto out;
	while (off < len) {
		ssize_t n = read(fd, chunk, sizeof chunk);
		if (n <= 0 || (size_t)n > len - off || memcmp(chunk, data + off, (size_t)n) != 0)
			goto out;
		off += (size_t)n;
	}
	same = true;
out:
	if (fd >= 0)
		close(fd);
	return same;
}

/* Replaces w->path with data atomically: a temp file in the same directory, written in full,
 * fsynced, renamed over the path, then the directory fsynced so the rename itself is durable.
 * Readers see the old file or the new one, never a mix. Returns 0, or -1 with w->err set (the
 * temp file removed, the old file untouched). */
static int write_atomic(struct worker *w, const char *data, size_t len)
{
	int ret = -1, dfd = -1;
	size_t off = 0;
	char *tmp = strdup(w->tmp_template);
	int fd = tmp ? mkostemp(tmp, O_CLOEXEC) : -1;
	if (fd < 0) {
		snprintf(w->err, sizeof w->err, "write %s: %s", w->tmp_template, strerror(errno));
		goto out;
	}
	while (off < len) {
		ssize_t n = write(fd, data + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		off += (size_t)n;
	}
	/* mkostemp made it 0600; readers (the gateway) may run as another user. */
	if (fchmod(fd, 0644) != 0 || fsync(fd) != 0)
		goto fail;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, w->path) != 0)
		goto fail;
	dfd = open(w->cfg.cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) != 0) {
		snprintf(w->err, sizeof w->err, "fsync %s: %s", w->cfg.cache_dir, strerror(errno));
		goto out; /* the new file is in place; only its durability is in doubt */
	}
	ret = 0;
	goto out;
fail:
	snprintf(w->err, sizeof w->err, "write %s: %s", tmp, strerror(errno));
	unlink(tmp);
out:
	if (fd >= 0)
		close(fd);
	if (dfd >= 0)
		close(dfd);
	free(tmp);
	return ret;
}

/* Remembers the cache file's identity once it is known to hold the applied snapshot. */
static void file_remember(struct worker *w)
{
	w->file_known = stat(w->path, &w->file_st) == 0;
}

/* True when the cache file is still the one remembered: same inode, size and mtime. Only then
 * is the snapshot asked for with If-None-Match, so a file removed or edited behind the
 * worker's back is fetched whole and rewritten. */
static bool file_unchanged(const struct worker *w)
{
	struct stat st;
	return w->file_known && stat(w->path, &st) == 0 && st.st_dev == w->file_st.st_dev &&
	       st.st_ino == w->file_st.st_ino && st.st_size == w->file_st.st_size &&
	       st.st_mtim.tv_sec == w->file_st.st_mtim.tv_sec &&
	       st.st_mtim.tv_nsec == w->file_st.st_mtim.tv_nsec;
}

/* GETs the stage snapshot and makes the cache file equal to it: rewritten (atomically) only when
 * its bytes differ; queued for a status report and a stdout line when it is a revision not yet
 * announced. While the file is intact the GET carries If-None-Match with the applied ETag, and
 * a 304 means the file is current (most changes of an API are not deployed to the stage). On
 * success sets *rev and epoch (from the snapshot) and returns 0. Any failure (transport,
 * non-200, a body that is not this stage's snapshot, a failed write) leaves the file as it was
 * and returns -1 with w->err set. */
static int snapshot_sync(struct worker *w, long long *rev, char *epoch, size_t epoch_size)
{
	int ret = -1;
	struct follow_reply r = {0};
	json_t *doc = NULL;
	char etag[sizeof r.etag];
	struct curl_slist *inm = NULL;
	bool conditional = w->applied_etag[0] && file_unchanged(w);
	if (conditional) {
		char line[sizeof w->applied_etag + 32];
		snprintf(line, sizeof line, "If-None-Match: %s", w->applied_etag);
		for (const struct curl_slist *h = w->headers; h; h = h->next)
			inm = curl_slist_append(inm, h->data);
		inm = inm ? curl_slist_append(inm, line) : NULL;
		if (!inm) {
			snprintf(w->err, sizeof w->err, "snapshot: out of memory");
			goto out;
		}
		curl_easy_setopt(w->snap, CURLOPT_HTTPHEADER, inm);
	}
	int sent = http_request(w, w->snap, "snapshot", w->snap_url, SNAPSHOT_MS, NULL, &r);
	curl_easy_setopt(w->snap, CURLOPT_HTTPHEADER, w->headers);
	if (sent != 0)
		goto out;
	if (r.status == 304 && conditional) {
		*rev = w->applied_rev;
		snprintf(epoch, epoch_size, "%s", w->applied_epoch);
		ret = 0;
		goto out;
	}
	if (r.status != 200) {
		http_error(w, "snapshot", w->snap_url, &r);
		goto out;
	}
	/* The body is what gets written: it must be one whole snapshot of this very stage. */
	doc = r.body.len ? json_loadb(r.body.data, r.body.len, JSON_REJECT_DUPLICATES, NULL) : NULL;
	json_t *jrev = json_object_get(doc, "revision");
	const char *jepoch = json_string_value(json_object_get(doc, "epoch"));
	const char *api = json_string_value(json_object_get(doc, "apiId"));
	const char *stage = json_string_value(json_object_get(doc, "stageName"));
	if (!json_is_integer(jrev) || json_integer_value(jrev) < 0 || !jepoch || !*jepoch ||
	    (api && strcmp(api, w->cfg.api_id) != 0) ||
	    (stage && strcmp(stage, w->cfg.stage) != 0)) {
		snprintf(w->err, sizeof w->err, "snapshot %s: not a snapshot of %s/%s", w->snap_url,
			 w->cfg.api_id, w->cfg.stage);
		goto out;
	}
	*rev = json_integer_value(jrev);
	snprintf(epoch, epoch_size, "%s", jepoch);
	if (r.etag[0])
		snprintf(etag, sizeof etag, "%s", r.etag);
	else
		snprintf(etag, sizeof etag, "\"%.100s.%lld\"", jepoch, *rev);

	bool changed = !file_same(w->path, r.body.data, r.body.len);
	if (changed && write_atomic(w, r.body.data, r.body.len) != 0) {
		w->file_known = false;
		goto out;
	}
	file_remember(w);
	if (changed || strcmp(etag, w->applied_etag) != 0) {
		w->applied_rev = *rev;
		snprintf(w->applied_etag, sizeof w->applied_etag, "%s", etag);
		snprintf(w->applied_epoch, sizeof w->applied_epoch, "%s", jepoch);
		w->announce_pending = w->report_pending = true;
	}
	ret = 0;
out:
	curl_slist_free_all(inm);
	json_decref(doc);
	free(r.body.data);
	return ret;
}

/* PUTs the announced revision to /dataplane/v1/workers/{workerId} when one is pending.
 * Returns 0 when reported (or nothing was pending), -1 with w->err set otherwise: a transport
 * error or a 5xx leaves the report pending (retried after the next good answer), any other
 * status drops it (the request itself was refused; repeating it cannot help). */
static int report_status(struct worker *w)
{
	int ret = -1;
	struct follow_reply r = {0};
	char *body = NULL;
	json_t *doc = NULL;
	if (!w->report_pending)
		return 0;
	doc = json_pack("{s:s, s:s, s:I, s:s}", "apiId", w->cfg.api_id, "stageName", w->cfg.stage,
			"revision", (json_int_t)w->applied_rev, "etag", w->applied_etag);
	body = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	if (!body) {
		snprintf(w->err, sizeof w->err, "report: out of memory");
		goto out;
	}
	if (http_request(w, w->report, "report", w->report_url, REPORT_MS, body, &r) != 0)
		goto out;
	if (r.status < 200 || r.status > 299) {
		http_error(w, "report", w->report_url, &r);
		w->report_pending = r.status >= 500;
		goto out;
	}
	w->report_pending = false;
	ret = 0;
out:
	json_decref(doc);
	free(body);
	free(r.body.data);
	return ret;
}

enum feed_rc {
	FEED_EMPTY,   /* no change for us until *rev: since = *rev */
	FEED_CHANGES, /* changes until *rev: fetch the snapshot */
	FEED_GONE,    /* 410: since/epoch mean nothing now; resync (*rev, epoch = current) */
	FEED_RETRY,   /* transport error or 5xx: back off, ask again from the same since */
	FEED_BROKEN,  /* any other answer: back off, then resync */
};

/* One long-poll of /dataplane/v1/changes after w->since for our API. On FEED_EMPTY,
 * FEED_CHANGES and FEED_GONE sets *rev and epoch from the answer; on the last two w->err is set. */
static enum feed_rc feed_poll(struct worker *w, long long *rev, char *epoch, size_t epoch_size)
{
	enum feed_rc rc = FEED_RETRY;
	struct follow_reply r = {0};
	char *ep = curl_easy_escape(w->feed, w->epoch, 0);
	char *url = NULL;
	if (!ep || asprintf(&url, "%s/dataplane/v1/changes?since=%lld&epoch=%s&apiId=%s&wait=%ld",
			    w->cfg.control, w->since, ep, w->api_esc, w->cfg.wait) < 0) {
		url = NULL;
		snprintf(w->err, sizeof w->err, "changes: out of memory");
		goto out;
	}
	if (http_request(w, w->feed, "changes", url, w->cfg.wait * 1000 + POLL_SLACK_MS, NULL,
			 &r) != 0)
		goto out;
	if (r.status != 200 && r.status != 410) {
		http_error(w, "changes", url, &r);
		rc = r.status >= 500 ? FEED_RETRY : FEED_BROKEN;
		goto out;
	}
	switch (follow_feed_parse(&r, w->epoch, rev, epoch, epoch_size)) {
	case FOLLOW_FEED_BAD:
		snprintf(w->err, sizeof w->err, "changes %s: HTTP %ld with a malformed body", url,
			 r.status);
		rc = FEED_BROKEN;
		break;
	case FOLLOW_FEED_GONE:
		if (r.status == 410)
			http_error(w, "changes", url, &r);
		else /* the server should have said 410; act as if it had */
			snprintf(w->err, sizeof w->err, "changes %s: epoch is now %s", url, epoch);
		rc = FEED_GONE;
		break;
	case FOLLOW_FEED_EMPTY: rc = FEED_EMPTY; break;
	case FOLLOW_FEED_CHANGES: rc = FEED_CHANGES; break;
	}
out:
	free(r.body.data);
	free(url);
	curl_free(ep);
	return rc;
}

/* Prints the pending `applied` line. It comes after the status report was tried, so a test that
 * sees the line finds the file in place and (unless the report failed) the report recorded. */
static void announce(struct worker *w)
{
	if (!w->announce_pending)
		return;
	w->announce_pending = false;
	printf("applied revision=%lld etag=%s file=%s\n", w->applied_rev, w->applied_etag, w->path);
	fflush(stdout);
}

/* Logs w->err, unless the failure was a stop signal aborting the request. */
static void log_err(const struct worker *w)
{
	if (!stop_signal)
		fprintf(stderr, "apigwd-worker: %s\n", w->err);
}

/* Logs w->err with the delay before the next try, then waits it: 100 ms doubling to 5 s.
 * *delay_ms is the previous delay (0 after a success). */
static void backoff(struct worker *w, unsigned *delay_ms)
{
	if (stop_signal)
		return; /* the failure was the stop itself */
	*delay_ms = follow_backoff_next(*delay_ms);
	fprintf(stderr, "apigwd-worker: %s; retry in %u ms\n", w->err, *delay_ms);
	follow_sleep_ms(*delay_ms, &stop_signal);
}

/* The worker loop of docs/dataplane.md. A snapshot taken after the feed (or a 410) reported
 * revision F of the same epoch reflects every change <= F, so the feed goes on from
 * max(F, snapshot revision): from F when changes did not touch the stage, and from past the
 * retention window when the stage's own last change is older than it. Any good answer resets
 * the backoff, except a snapshot fetched because the feed keeps failing (4xx, 410 after 410):
 * that would turn a broken feed into a 100 ms loop. Returns the exit status. */
static int run(struct worker *w)
{
	unsigned delay = 0;	    /* last backoff delay; 0 after a success */
	bool need_snapshot = true;  /* the file may be behind: GET the snapshot */
	bool feed_failing = false;  /* that snapshot is a resync after a feed failure */
	bool last_gone = false;	    /* the previous feed answer was a 410 */
	long long floor_rev = -1;   /* revision the next snapshot is known to cover, or -1 */
	char floor_epoch[128] = ""; /* ...in this epoch */
	while (!stop_signal) {
		if (need_snapshot) {
			long long rev = 0;
			char epoch[sizeof w->epoch];
			if (snapshot_sync(w, &rev, epoch, sizeof epoch) != 0) {
				if (stop_signal)
					break;
				if (w->cfg.once) {
					log_err(w);
					return 1;
				}
				backoff(w, &delay);
				continue;
			}
			snprintf(w->epoch, sizeof w->epoch, "%s", epoch);
			w->since = strcmp(floor_epoch, epoch) == 0 && floor_rev > rev ? floor_rev
										      : rev;
			need_snapshot = false;
			if (!feed_failing)
				delay = 0;
			int reported = report_status(w);
			if (reported != 0)
				log_err(w);
			announce(w);
			if (w->cfg.once && reported != 0 && !stop_signal)
				return 1;
		}
		if (w->cfg.once)
			return 0;

		long long rev = -1;
		char epoch[sizeof w->epoch] = "";
		enum feed_rc rc = feed_poll(w, &rev, epoch, sizeof epoch);
		if (stop_signal)
			break;
		feed_failing = false;
		switch (rc) {
		case FEED_EMPTY:
		case FEED_CHANGES:
			w->since = rev; /* overridden by the snapshot's revision if that is newer */
			need_snapshot = rc == FEED_CHANGES;
			delay = 0;
			if (report_status(w) != 0) /* a report left pending by an earlier failure */
				log_err(w);
			break;
		case FEED_GONE:
			if (last_gone) { /* resyncing did not help: do not spin */
				backoff(w, &delay);
				feed_failing = true;
			} else {
				fprintf(stderr, "apigwd-worker: %s; resync\n", w->err);
			}
			need_snapshot = true;
			break;
		case FEED_RETRY: /* same since, same epoch */ backoff(w, &delay); break;
		case FEED_BROKEN:
			backoff(w, &delay);
			feed_failing = need_snapshot = true;
			break;
		}
		last_gone = rc == FEED_GONE;
		floor_rev = rev;
		snprintf(floor_epoch, sizeof floor_epoch, "%s", epoch);
	}
	fprintf(stderr, "apigwd-worker: %s: stopping\n",
		stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
	return 0;
}

enum {
	OPT_CONTROL = 256,
	OPT_API,
	OPT_STAGE,
	OPT_CACHE_DIR,
	OPT_TOKEN,
	OPT_WORKER_ID,
	OPT_WAIT,
	OPT_ONCE,
	OPT_VERSION,
	OPT_HELP
};

static const struct option options[] = {
	{"control", required_argument, NULL, OPT_CONTROL},
	{"api", required_argument, NULL, OPT_API},
	{"stage", required_argument, NULL, OPT_STAGE},
	{"cache-dir", required_argument, NULL, OPT_CACHE_DIR},
	{"token", required_argument, NULL, OPT_TOKEN},
	{"worker-id", required_argument, NULL, OPT_WORKER_ID},
	{"wait", required_argument, NULL, OPT_WAIT},
	{"once", no_argument, NULL, OPT_ONCE},
	{"version", no_argument, NULL, OPT_VERSION},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

/* A name usable as one path component of the cache file: no '/', not "", "." or "..". */
static bool valid_component(const char *s)
{
	return *s && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

/* Fills cfg from argv. Returns -1 to go on, otherwise the exit status (0 for --help). */
static int parse_args(int argc, char **argv, struct config *cfg)
{
	int opt;
	char *end = NULL;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case OPT_CONTROL: cfg->control = optarg; break;
		case OPT_API: cfg->api_id = optarg; break;
		case OPT_STAGE: cfg->stage = optarg; break;
		case OPT_CACHE_DIR: cfg->cache_dir = optarg; break;
		case OPT_TOKEN: cfg->token = optarg; break;
		case OPT_WORKER_ID:
			if (!*optarg || strlen(optarg) >= sizeof cfg->worker_id) {
				fprintf(stderr,
					"apigwd-worker: --worker-id wants 1-%zu characters\n",
					sizeof cfg->worker_id - 1);
				return 2;
			}
			snprintf(cfg->worker_id, sizeof cfg->worker_id, "%s", optarg);
			break;
		case OPT_WAIT:
			cfg->wait = strtol(optarg, &end, 10);
			if (!*optarg || *end || cfg->wait < 1 || cfg->wait > 300) {
				fprintf(stderr, "apigwd-worker: --wait wants 1-300 seconds\n");
				return 2;
			}
			break;
		case OPT_ONCE: cfg->once = true; break;
		case OPT_VERSION: printf("apigwd-worker %s\n", WORKER_VERSION); return 0;
		case OPT_HELP: fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "apigwd-worker: unexpected argument %s\n", argv[optind]);
		return 2;
	}
	if (!cfg->control || !cfg->api_id || !cfg->stage || !cfg->cache_dir) {
		fprintf(stderr,
			"apigwd-worker: --control, --api, --stage and --cache-dir are required\n");
		return 2;
	}
	if (!valid_component(cfg->api_id) || !valid_component(cfg->stage)) {
		fprintf(stderr,
			"apigwd-worker: --api and --stage must be non-empty names without '/'\n");
		return 2;
	}
	return -1;
}

/* Builds the URLs, paths, headers and handles. Returns 0, or -1 after logging why. */
static int worker_init(struct worker *w)
{
	char *api = NULL, *stage = NULL, *wid = NULL, *auth = NULL;
	int ret = -1;
	CURL *esc = curl_easy_init(); /* curl_easy_escape wants a handle */
	if (!esc)
		goto out;
	api = curl_easy_escape(esc, w->cfg.api_id, 0);
	stage = curl_easy_escape(esc, w->cfg.stage, 0);
	wid = curl_easy_escape(esc, w->cfg.worker_id, 0);
	w->api_esc = api ? strdup(api) : NULL;
	if (!api || !stage || !wid || !w->api_esc ||
	    asprintf(&w->snap_url, "%s/dataplane/v1/apis/%s/stages/%s/config", w->cfg.control, api,
		     stage) < 0 ||
	    asprintf(&w->report_url, "%s/dataplane/v1/workers/%s", w->cfg.control, wid) < 0 ||
	    asprintf(&w->path, "%s/%s-%s.json", w->cfg.cache_dir, w->cfg.api_id, w->cfg.stage) <
		    0 ||
	    asprintf(&w->tmp_template, "%s/.%s-%s.json.XXXXXX", w->cfg.cache_dir, w->cfg.api_id,
		     w->cfg.stage) < 0)
		goto out;
	w->headers = curl_slist_append(NULL, "Accept: application/json");
	w->headers = curl_slist_append(w->headers, "Content-Type: application/json");
	w->headers = curl_slist_append(w->headers, "Expect:");
	if (w->cfg.token) {
		if (asprintf(&auth, "Authorization: Bearer %s", w->cfg.token) < 0) {
			auth = NULL;
			goto out;
		}
		w->headers = curl_slist_append(w->headers, auth);
	}
	if (!w->headers)
		goto out;
	w->snap = handle_new(w, false);
	w->feed = handle_new(w, false);
	w->report = handle_new(w, true);
	if (!w->snap || !w->feed || !w->report)
		goto out;
	ret = 0;
out:
	if (ret)
		fprintf(stderr, "apigwd-worker: out of memory\n");
	curl_free(api);
	curl_free(stage);
	curl_free(wid);
	free(auth);
	if (esc)
		curl_easy_cleanup(esc);
	return ret;
}

static void worker_release(struct worker *w)
{
	if (w->snap)
		curl_easy_cleanup(w->snap);
	if (w->feed)
		curl_easy_cleanup(w->feed);
	if (w->report)
		curl_easy_cleanup(w->report);
	curl_slist_free_all(w->headers);
	free(w->path);
	free(w->tmp_template);
	free(w->snap_url);
	free(w->report_url);
	free(w->api_esc);
}

int main(int argc, char **argv)
{
	struct worker w = {.cfg = {.wait = 60}};
	int status = parse_args(argc, argv, &w.cfg);
	if (status >= 0)
		return status;
	status = 1;

	/* Trailing slashes would double in the URLs. */
	for (size_t n = strlen(w.cfg.control); n > 1 && w.cfg.control[n - 1] == '/'; n--)
		w.cfg.control[n - 1] = '\0';
	if (!w.cfg.worker_id[0]) {
		char host[256] = "worker";
		if (gethostname(host, sizeof host) != 0)
			snprintf(host, sizeof host, "worker");
		host[sizeof host - 1] = '\0';
		snprintf(w.cfg.worker_id, sizeof w.cfg.worker_id, "%s-%ld", host, (long)getpid());
	}
	if (mkdir(w.cfg.cache_dir, 0755) != 0 && errno != EEXIST) {
		fprintf(stderr, "apigwd-worker: --cache-dir %s: %s\n", w.cfg.cache_dir,
			strerror(errno));
		return 1;
	}

	/* No SA_RESTART: the signal interrupts libcurl's poll() and our sleeps at once. */
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "apigwd-worker: cannot initialise libcurl\n");
		return 1;
	}
	if (worker_init(&w) == 0) {
		fprintf(stderr, "apigwd-worker %s: worker %s keeps %s equal to %s\n",
			WORKER_VERSION, w.cfg.worker_id, w.path, w.snap_url);
		status = run(&w);
	}
	worker_release(&w);
	curl_global_cleanup();
	return status;
}
