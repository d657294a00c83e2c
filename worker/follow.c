/* follow.c — the follower loop of docs/dataplane.md over every deployed stage of a set of APIs:
 * feed position first (a parameterless feed request answers 410 with the current revision and
 * epoch), then the API and stage lists and each stage snapshot (If-None-Match with the applied
 * ETag), then long-polls of the change feed; any change re-reads the lists and snapshots (a 304
 * costs nothing), a 410 resyncs, errors back off. */
#include "follow.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define BACKOFF_MIN_MS 100u	   /* first retry delay; doubles on each failure */
#define BACKOFF_MAX_MS 5000u	   /* retry delay cap */
#define MAX_BODY       (64u << 20) /* larger answers are refused */
#define MAX_STAGES     4096	   /* stages followed at most */

struct known {
	char api[64];	 /* api id */
	char stage[160]; /* stage name */
	char etag[160];	 /* ETag applied, "" before the first */
	bool seen;	 /* listed in the current pass */
};

struct follower {
	const struct follow_cfg *cfg;
	volatile sig_atomic_t *stop;
	CURL *h;		    /* one keep-alive handle for every request */
	struct curl_slist *headers; /* owned */
	char sigv4[128];	    /* CURLOPT_AWS_SIGV4 value, "" when unsigned */
	char userpwd[512];	    /* key:secret for SigV4 */
	char epoch[128];	    /* feed position's epoch */
	long long since;	    /* feed position */
	struct known *stages;	    /* owned, nstages entries */
	size_t nstages;
};

size_t follow_on_body(char *data, size_t size, size_t n, void *reply)
{
	struct follow_buf *b = &((struct follow_reply *)reply)->body;
	size_t len = size * n;
	if (len > MAX_BODY - b->len)
		return 0; /* aborts with CURLE_WRITE_ERROR */
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + len + 1)
			cap *= 2;
		char *p = realloc(b->data, cap);
		if (!p)
			return 0;
		b->data = p;
		b->cap = cap;
	}
	memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
	return len;
}

/* Copies the value of header line `line` into out when the line is `name: value`. */
static void header_value(const char *line, size_t len, const char *name, char *out, size_t size)
{
	size_t nlen = strlen(name);
	if (len <= nlen || line[nlen] != ':' || strncasecmp(line, name, nlen) != 0)
		return;
	const char *v = line + nlen + 1, *end = line + len;
	while (v < end && (*v == ' ' || *v == '\t'))
		v++;
	while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
		end--;
	snprintf(out, size, "%.*s", (int)(end - v), v);
}

size_t follow_on_header(char *line, size_t size, size_t n, void *reply)
{
	struct follow_reply *r = reply;
	header_value(line, size * n, "ETag", r->etag, sizeof r->etag);
	header_value(line, size * n, "x-amzn-ErrorType", r->error_type, sizeof r->error_type);
	return size * n;
}

unsigned follow_backoff_next(unsigned prev_ms)
{
	unsigned d = prev_ms ? prev_ms * 2 : BACKOFF_MIN_MS;
	return d > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : d;
}

void follow_sleep_ms(unsigned ms, volatile sig_atomic_t *stop)
{
	while (ms && !*stop) {
		unsigned step = ms < 50 ? ms : 50;
		nanosleep(&(struct timespec){.tv_nsec = (long)step * 1000000L}, NULL);
		ms -= step;
	}
}

enum follow_feed follow_feed_parse(const struct follow_reply *r, const char *epoch, long long *rev,
				   char *epoch_out, size_t size)
{
	enum follow_feed rc = FOLLOW_FEED_BAD;
	json_t *doc = json_loadb(r->body.data ? r->body.data : "", r->body.len, 0, NULL);
	json_t *jrev = json_object_get(doc, "revision");
	const char *jepoch = json_string_value(json_object_get(doc, "epoch"));
	json_t *changes = json_object_get(doc, "changes");
	if ((r->status != 200 && r->status != 410) || !json_is_integer(jrev) || !jepoch ||
	    (r->status == 200 && !json_is_array(changes)))
		goto out;
	*rev = json_integer_value(jrev);
	snprintf(epoch_out, size, "%s", jepoch);
	if (r->status == 410 || strcmp(jepoch, epoch) != 0)
		rc = FOLLOW_FEED_GONE;
	else
		rc = json_array_size(changes) ? FOLLOW_FEED_CHANGES : FOLLOW_FEED_EMPTY;
out:
	json_decref(doc);
	return rc;
}

static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	(void)a, (void)b, (void)c, (void)d;
	return *((struct follower *)arg)->stop != 0;
}

/* GETs control+path into r (cleared first). extra: one more header line or NULL. Returns 0 when
 * an HTTP answer arrived, -1 on a transport error (logged). */
static int get(struct follower *f, const char *path, long timeout_ms, const char *extra,
	       struct follow_reply *r)
{
	char url[2048];
	struct curl_slist *hs = NULL;
	r->status = 0;
	r->body.len = 0;
	r->etag[0] = '\0';
	snprintf(url, sizeof url, "%s%s", f->cfg->control, path);
	curl_easy_setopt(f->h, CURLOPT_URL, url);
	curl_easy_setopt(f->h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(f->h, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(f->h, CURLOPT_HEADERDATA, r);
	if (extra) {
		for (const struct curl_slist *h = f->headers; h; h = h->next)
			hs = curl_slist_append(hs, h->data);
		hs = curl_slist_append(hs, extra);
	}
	curl_easy_setopt(f->h, CURLOPT_HTTPHEADER, hs ? hs : f->headers);
	CURLcode rc = curl_easy_perform(f->h);
	curl_easy_setopt(f->h, CURLOPT_HTTPHEADER, f->headers);
	curl_slist_free_all(hs);
	if (rc != CURLE_OK) {
		if (!*f->stop)
			fprintf(stderr, "%s: GET %s: %s\n", f->cfg->log_prefix, url,
				curl_easy_strerror(rc));
		return -1;
	}
	curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &r->status);
	return 0;
}

/* Reads the feed's current position: a request without since answers 410 with it. */
static int position(struct follower *f)
{
	struct follow_reply r = {0};
	int ret = -1;
	if (get(f, "/dataplane/v1/changes", 10000, NULL, &r) != 0)
		goto out;
	json_t *doc = json_loadb(r.body.data ? r.body.data : "", r.body.len, 0, NULL);
	json_t *rev = json_object_get(doc, "revision");
	const char *ep = json_string_value(json_object_get(doc, "epoch"));
	if ((r.status == 410 || r.status == 200) && json_is_integer(rev) && ep) {
		f->since = json_integer_value(rev);
		snprintf(f->epoch, sizeof f->epoch, "%s", ep);
		ret = 0;
	} else {
		fprintf(stderr, "%s: changes: HTTP %ld\n", f->cfg->log_prefix, r.status);
	}
	json_decref(doc);
out:
	free(r.body.data);
	return ret;
}

static struct known *known_get(struct follower *f, const char *api, const char *stage)
{
	for (size_t i = 0; i < f->nstages; i++)
		if (!strcmp(f->stages[i].api, api) && !strcmp(f->stages[i].stage, stage))
			return &f->stages[i];
	if (f->nstages >= MAX_STAGES || strlen(api) >= 64 || strlen(stage) >= 160)
		return NULL;
	struct known *k = realloc(f->stages, (f->nstages + 1) * sizeof *k);
	if (!k)
		return NULL;
	f->stages = k;
	k = &f->stages[f->nstages++];
	memset(k, 0, sizeof *k);
	snprintf(k->api, sizeof k->api, "%s", api);
	snprintf(k->stage, sizeof k->stage, "%s", stage);
	return k;
}

/* Fetches one stage snapshot; 200 → apply. 404 (not deployed) is not an error. */
static int sync_stage(struct follower *f, const char *api, const char *stage)
{
	struct known *k = known_get(f, api, stage);
	if (!k)
		return 0;
	k->seen = true;
	char *ea = curl_easy_escape(f->h, api, 0), *es = curl_easy_escape(f->h, stage, 0);
	char path[600], inm[200];
	struct follow_reply r = {0};
	int ret = -1;
	snprintf(path, sizeof path, "/dataplane/v1/apis/%s/stages/%s/config", ea, es);
	snprintf(inm, sizeof inm, "If-None-Match: %s", k->etag);
	if (get(f, path, 30000, k->etag[0] ? inm : NULL, &r) != 0)
		goto out;
	if (r.status == 304 || r.status == 404) {
		ret = 0;
	} else if (r.status == 200 && r.body.len) {
		f->cfg->apply(f->cfg->arg, api, stage, r.body.data, r.body.len);
		snprintf(k->etag, sizeof k->etag, "%s", r.etag);
		ret = 0;
	} else {
		fprintf(stderr, "%s: GET %s: HTTP %ld\n", f->cfg->log_prefix, path, r.status);
	}
out:
	curl_free(ea);
	curl_free(es);
	free(r.body.data);
	return ret;
}

/* Lists the stages of one API and syncs each. */
static int sync_api(struct follower *f, const char *api)
{
	char *ea = curl_easy_escape(f->h, api, 0);
	char path[300];
	struct follow_reply r = {0};
	json_t *doc = NULL;
	int ret = -1;
	snprintf(path, sizeof path, "/v2/apis/%s/stages?maxResults=500", ea);
	if (get(f, path, 30000, NULL, &r) != 0)
		goto out;
	if (r.status == 404) {
		ret = 0;
		goto out;
	}
	doc = json_loadb(r.body.data ? r.body.data : "", r.body.len, 0, NULL);
	json_t *items = json_object_get(doc, "items"), *it;
	size_t i;
	if (r.status != 200 || !json_is_array(items)) {
		fprintf(stderr, "%s: GET %s: HTTP %ld\n", f->cfg->log_prefix, path, r.status);
		goto out;
	}
	ret = 0;
	json_array_foreach(items, i, it) {
		const char *name = json_string_value(json_object_get(it, "stageName"));
		if (name && sync_stage(f, api, name) != 0)
			ret = -1;
	}
out:
	json_decref(doc);
	curl_free(ea);
	free(r.body.data);
	return ret;
}

/* One full pass: every followed API's stages. */
static int sync_all(struct follower *f)
{
	int ret = 0;
	for (size_t i = 0; i < f->nstages; i++)
		f->stages[i].seen = false;
	if (f->cfg->napis) {
		for (size_t i = 0; i < f->cfg->napis; i++)
			if (sync_api(f, f->cfg->apis[i]) != 0)
				ret = -1;
		goto out;
	}
	char next[1024] = "";
	do {
		char path[1200];
		struct follow_reply r = {0};
		snprintf(path, sizeof path, "/v2/apis?maxResults=500%s%s",
			 next[0] ? "&nextToken=" : "", next);
		next[0] = '\0';
		if (get(f, path, 30000, NULL, &r) != 0 || r.status != 200) {
			if (r.status)
				fprintf(stderr, "%s: GET %s: HTTP %ld\n", f->cfg->log_prefix, path,
					r.status);
			free(r.body.data);
			return -1;
		}
		json_t *doc = json_loadb(r.body.data, r.body.len, 0, NULL), *it;
		size_t i;
		json_array_foreach(json_object_get(doc, "items"), i, it) {
			const char *id = json_string_value(json_object_get(it, "apiId"));
			const char *pt = json_string_value(json_object_get(it, "protocolType"));
			if (id && pt && !strcmp(pt, "WEBSOCKET") && sync_api(f, id) != 0)
				ret = -1;
		}
		const char *nt = json_string_value(json_object_get(doc, "nextToken"));
		if (nt) {
			char *esc = curl_easy_escape(f->h, nt, 0);
			snprintf(next, sizeof next, "%s", esc ? esc : "");
			curl_free(esc);
		}
		json_decref(doc);
		free(r.body.data);
	} while (next[0]);
out:
	if (ret == 0 && f->cfg->synced)
		f->cfg->synced(f->cfg->arg, f->since);
	return ret;
}

enum feed_rc { FEED_EMPTY, FEED_CHANGES, FEED_GONE, FEED_RETRY };

static enum feed_rc feed(struct follower *f)
{
	char path[600];
	struct follow_reply r = {0};
	enum feed_rc rc = FEED_RETRY;
	char *ep = curl_easy_escape(f->h, f->epoch, 0), *ea = NULL;
	if (f->cfg->napis == 1)
		ea = curl_easy_escape(f->h, f->cfg->apis[0], 0);
	snprintf(path, sizeof path, "/dataplane/v1/changes?since=%lld&epoch=%s&wait=%ld%s%s",
		 f->since, ep ? ep : "", f->cfg->wait, ea ? "&apiId=" : "", ea ? ea : "");
	if (get(f, path, f->cfg->wait * 1000 + 10000, NULL, &r) != 0)
		goto out;
	long long rev = 0;
	char epoch[sizeof f->epoch];
	switch (follow_feed_parse(&r, f->epoch, &rev, epoch, sizeof epoch)) {
	case FOLLOW_FEED_EMPTY: rc = FEED_EMPTY; break;
	case FOLLOW_FEED_CHANGES: rc = FEED_CHANGES; break;
	case FOLLOW_FEED_GONE: rc = FEED_GONE; break;
	case FOLLOW_FEED_BAD:
		fprintf(stderr, "%s: changes: HTTP %ld\n", f->cfg->log_prefix, r.status);
		goto out;
	}
	f->since = rev;
	snprintf(f->epoch, sizeof f->epoch, "%s", epoch);
out:
	curl_free(ep);
	curl_free(ea);
	free(r.body.data);
	return rc;
}

int follow_run(const struct follow_cfg *cfg, volatile sig_atomic_t *stop)
{
	struct follower f = {.cfg = cfg, .stop = stop};
	unsigned delay = 0;
	bool need_sync = true, have_position = false;
	char auth[600];
	const char *key = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
	f.h = curl_easy_init();
	if (!f.h)
		return 0;
	f.headers = curl_slist_append(NULL, "Accept: application/json");
	if (cfg->token) {
		snprintf(auth, sizeof auth, "Authorization: Bearer %s", cfg->token);
		f.headers = curl_slist_append(f.headers, auth);
	} else if (key && *key && secret && *secret) {
		const char *region = getenv("AWS_REGION");
		if (!region || !*region)
			region = getenv("AWS_DEFAULT_REGION");
		snprintf(f.sigv4, sizeof f.sigv4, "aws:amz:%s:apigateway",
			 region && *region ? region : "us-east-1");
		snprintf(f.userpwd, sizeof f.userpwd, "%s:%s", key, secret);
		curl_easy_setopt(f.h, CURLOPT_AWS_SIGV4, f.sigv4);
		curl_easy_setopt(f.h, CURLOPT_USERPWD, f.userpwd);
	}
	curl_easy_setopt(f.h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(f.h, CURLOPT_CONNECTTIMEOUT_MS, 2000L);
	curl_easy_setopt(f.h, CURLOPT_WRITEFUNCTION, follow_on_body);
	curl_easy_setopt(f.h, CURLOPT_HEADERFUNCTION, follow_on_header);
	curl_easy_setopt(f.h, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(f.h, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(f.h, CURLOPT_XFERINFODATA, &f);
	curl_easy_setopt(f.h, CURLOPT_HTTPHEADER, f.headers);
	while (!*stop) {
		bool ok = true;
		if (!have_position)
			ok = have_position = position(&f) == 0;
		if (ok && need_sync) {
			ok = sync_all(&f) == 0;
			need_sync = !ok;
		}
		if (ok) {
			switch (feed(&f)) {
			case FEED_EMPTY:
				if (cfg->synced)
					cfg->synced(cfg->arg, f.since);
				break;
			case FEED_CHANGES: need_sync = true; break;
			case FEED_GONE: need_sync = true; break;
			case FEED_RETRY: ok = false; break;
			}
		}
		if (ok) {
			delay = 0;
			continue;
		}
		if (*stop)
			break;
		delay = follow_backoff_next(delay);
		follow_sleep_ms(delay, stop);
	}
	curl_easy_cleanup(f.h);
	curl_slist_free_all(f.headers);
	free(f.stages);
	return 0;
}
