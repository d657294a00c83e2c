/* dataplane.c — configuration for data-plane workers (docs/dataplane.md): stage and API
 * snapshots with ETags, blocking reads, the change feed with 410 Gone, and worker status. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dataplane.h"
#include "handlers.h"
#include "jspec.h"
#include "res.h"
#include "server.h"

enum { WAIT_DEFAULT = 60, WAIT_MAX = 300, FEED_PAGE = 1000, MAX_WORKERS = 10000 };

/* ---- access and query parameters ---- */

/* Reads an optional integer query parameter in 0..max; false (after answering 400) when it is
 * malformed. *present tells whether it was given. */
static bool query_int_or_reply(struct req *rq, const char *name, long long max, long long *out,
			       bool *present)
{
	char *v = req_query(rq, name);
	bool ok = true;
	*present = v != NULL;
	if (v) {
		char *end = NULL;
		long long n = strtoll(v, &end, 10);
		ok = *v && !*end && n >= 0 && n <= max;
		if (ok)
			*out = n;
		else
			reply_errf(rq, E_BAD_REQUEST,
				   "Invalid value for %s: %.32s. Must be an integer between 0 and %lld",
				   name, v, max);
	}
	free(v);
	return ok;
}

/* The wait of a blocking read: `wait` seconds (default WAIT_DEFAULT when index is given). */
static bool wait_or_reply(struct req *rq, long long *wait)
{
	bool present = false;
	*wait = WAIT_DEFAULT;
	return query_int_or_reply(rq, "wait", WAIT_MAX, wait, &present);
}

/* ---- snapshots ---- */

/* Rows of one (kind, parent), parsed, in creation order. */
struct collect {
	json_t *items;     /* array; owned by the caller */
	int64_t last_seq;
	bool failed;
};

static bool collect_row(const struct db_row *row, void *arg)
{
	struct collect *c = arg;
	json_t *v = json_loadb(row->body, row->body_len, 0, NULL);
	c->last_seq = row->seq;
	if (!v || json_array_append_new(c->items, v)) {
		c->failed = true;
		return false;
	}
	return true;
}

/* Appends every row of kind under parent to `items`. */
static enum db_rc all_rows(struct req *rq, const char *kind, const char *parent, json_t *items)
{
	struct collect c = {.items = items};
	struct db_key k = {&rq->scope, kind, parent, NULL};
	bool more = true;
	enum db_rc rc = DB_OK;
	while (more && rc == DB_OK && !c.failed)
		rc = db_res_list(rq->db, &k, c.last_seq, 500, collect_row, &c, &more);
	return c.failed ? DB_ERROR : rc;
}

static json_t *row_body(struct req *rq, const char *kind, const char *parent, const char *id,
			enum db_rc *rc)
{
	char *body = NULL;
	struct db_key k = {&rq->scope, kind, parent, id};
	*rc = db_res_get(rq->db, &k, NULL, &body, NULL);
	json_t *v = *rc == DB_OK ? json_loads(body, 0, NULL) : NULL;
	free(body);
	if (*rc == DB_OK && !v)
		*rc = DB_ERROR;
	return v;
}

/* The API's current configuration in the deployment-snapshot layout (res_deployments.h):
 * {"api", "routes", "integrations", "integrationResponses": {intId: [...]},
 *  "routeResponses": {routeId: [...]}}. New reference or NULL (rc set). */
static json_t *live_config(struct req *rq, const char *api_id, enum db_rc *rc)
{
	char path[160];
	size_t i;
	json_t *item;
	json_t *cfg = json_object();
	json_t *api = row_body(rq, "api", "", api_id, rc);
	json_t *routes = json_array(), *ints = json_array();
	json_t *irs = json_object(), *rrs = json_object();
	json_object_set_new(cfg, "api", api ? api : json_null());
	json_object_set_new(cfg, "routes", routes);
	json_object_set_new(cfg, "integrations", ints);
	json_object_set_new(cfg, "integrationResponses", irs);
	json_object_set_new(cfg, "routeResponses", rrs);
	if (*rc == DB_OK)
		*rc = all_rows(rq, "route", api_id, routes);
	if (*rc == DB_OK)
		*rc = all_rows(rq, "integration", api_id, ints);
	json_array_foreach(ints, i, item) {
		const char *id = json_string_value(json_object_get(item, "integrationId"));
		json_t *list = json_array();
		snprintf(path, sizeof path, "%s/%s", api_id, id ? id : "");
		json_object_set_new(irs, id ? id : "", list);
		if (*rc == DB_OK)
			*rc = all_rows(rq, "integration_response", path, list);
	}
	json_array_foreach(routes, i, item) {
		const char *id = json_string_value(json_object_get(item, "routeId"));
		json_t *list = json_array();
		snprintf(path, sizeof path, "%s/%s", api_id, id ? id : "");
		json_object_set_new(rrs, id ? id : "", list);
		if (*rc == DB_OK)
			*rc = all_rows(rq, "route_response", path, list);
	}
	if (*rc != DB_OK) {
		json_decref(cfg);
		return NULL;
	}
	return cfg;
}

/* What a worker serves: each route with its integration (and that integration's responses)
 * and its route responses nested in. New reference. */
static json_t *worker_routes(const json_t *cfg)
{
	json_t *out = json_array();
	const json_t *ints = json_object_get(cfg, "integrations");
	const json_t *irs = json_object_get(cfg, "integrationResponses");
	const json_t *rrs = json_object_get(cfg, "routeResponses");
	size_t i, j;
	json_t *route, *in;
	json_array_foreach(json_object_get(cfg, "routes"), i, route) {
		json_t *r = json_deep_copy(route);
		const char *target = json_string_value(json_object_get(route, "target"));
		const char *rid = json_string_value(json_object_get(route, "routeId"));
		if (target && strncmp(target, "integrations/", 13) == 0) {
			json_array_foreach(ints, j, in) {
				const char *iid = json_string_value(json_object_get(in, "integrationId"));
				if (iid && strcmp(iid, target + 13) == 0) {
					json_t *integ = json_deep_copy(in);
					json_t *list = json_object_get(irs, iid);
					json_object_set_new(integ, "integrationResponses",
							    list ? json_deep_copy(list) : json_array());
					json_object_set_new(r, "integration", integ);
					break;
				}
			}
		}
		json_t *list = rid ? json_object_get(rrs, rid) : NULL;
		json_object_set_new(r, "routeResponses", list ? json_deep_copy(list) : json_array());
		json_array_append_new(out, r);
	}
	return out;
}

/* Sets the snapshot's ETag, "EPOCH.REVISION"; true (after answering 304) when the request's
 * If-None-Match names it. */
static bool not_modified(struct req *rq, int64_t revision, const char *epoch)
{
	snprintf(rq->etag, sizeof rq->etag, "\"%s.%lld\"", epoch, (long long)revision);
	const char *inm = req_header(rq, "If-None-Match");
	if (inm && strcmp(inm, rq->etag) == 0) {
		reply_empty(rq, 304);
		return true;
	}
	return false;
}

/* The blocking-read rule shared by both snapshots: with ?index=REV, while `revision` is still
 * <= REV and the wait has not ended, hold. Returns true when the request was held. */
static bool hold_if_unchanged(struct req *rq, int64_t revision, int64_t current, bool *failed)
{
	long long index = 0, wait = 0;
	bool has_index = false;
	*failed = !query_int_or_reply(rq, "index", INT64_MAX, &index, &has_index) ||
		  !wait_or_reply(rq, &wait);
	if (*failed || !has_index || revision > index || rq->hold_expired || wait == 0)
		return false;
	req_hold(rq, (unsigned)wait, current);
	return true;
}

static void reply_db_error(struct req *rq, enum db_rc rc)
{
	struct apierr e = {0};
	res_db_error(rc, &e);
	reply_error(rq, &e);
}

/* Reads run statement by statement, outside any transaction, so a commit may land between two
 * of them. A snapshot therefore reads the revision it will claim (and the epoch) before and
 * after its content, and reads again when either moved: every write under what the snapshot
 * covers moves that revision in the same transaction, so an unchanged revision proves the
 * content is exactly the state at that revision. READ_ATTEMPTS bounds the retries under a
 * storm of writes (then 503). */
enum { READ_ATTEMPTS = 50 };

/* What a snapshot's revision is read from: the stage row (stage snapshot) or the API's root
 * (API snapshot). DB_NOTFOUND when there is none. */
struct snap_version {
	const char *api_id;
	const char *stage;   /* NULL: the API snapshot */
};

static enum db_rc version_read(struct req *rq, const struct snap_version *v, int64_t *rev,
			       char **epoch)
{
	int64_t current = 0;
	enum db_rc rc = db_revision(rq->db, &current, NULL, epoch);
	if (rc != DB_OK)
		return rc;
	if (v->stage) {
		struct db_key k = {&rq->scope, "stage", v->api_id, v->stage};
		return db_res_revision(rq->db, &k, rev);
	}
	rc = db_root_revision(rq->db, &rq->scope, v->api_id, rev);
	if (rc == DB_NOTFOUND) {  /* nothing ever changed under it: revision 0 */
		*rev = 0;
		rc = DB_OK;
	}
	return rc;
}

/* Whether the version read before the content (rev, epoch) still holds. */
static bool version_same(struct req *rq, const struct snap_version *v, int64_t rev,
			 const char *epoch)
{
	int64_t again = -1;
	char *epoch2 = NULL;
	enum db_rc rc = version_read(rq, v, &again, &epoch2);
	bool same = rc == DB_OK && again == rev && epoch2 && strcmp(epoch, epoch2) == 0;
	free(epoch2);
	return same;
}

/* The API's current state in snapshot form: {"apiId", "api", "routes"}. New reference, or
 * NULL with *rc set (DB_NOTFOUND: no such API). */
static json_t *api_doc(struct req *rq, const char *api_id, enum db_rc *rc)
{
	json_t *cfg = live_config(rq, api_id, rc);
	if (!cfg)
		return NULL;
	json_t *doc = json_pack("{s:s}", "apiId", api_id);
	json_object_set(doc, "api", json_object_get(cfg, "api"));
	json_object_set_new(doc, "routes", worker_routes(cfg));
	json_decref(cfg);
	return doc;
}

/* The snapshot a deployment stored (res_deployments.c keeps it in the hidden member
 * "snapshot" of the deployment's doc). New reference or NULL. */
static json_t *deployment_snapshot(struct req *rq, const char *api_id, const char *dep_id,
				   enum db_rc *rc)
{
	char *text = NULL;
	struct db_key k = {&rq->scope, "deployment", api_id, dep_id};
	*rc = db_res_get(rq->db, &k, &text, NULL, NULL);
	json_t *doc = *rc == DB_OK ? json_loads(text, 0, NULL) : NULL;
	free(text);
	json_t *snap = json_incref(json_object_get(doc, "snapshot"));
	json_decref(doc);
	if (*rc == DB_OK && !snap)
		*rc = DB_ERROR;
	return snap;
}

/* The stage as deployed: {"apiId", "stageName", "deploymentId", "api", "stage", "routes"}.
 * New reference, or NULL with *rc set; DB_ABORT: the stage has no deployment. */
static json_t *stage_doc(struct req *rq, const char *api_id, const char *stage_name,
			 enum db_rc *rc)
{
	json_t *snap = NULL, *doc = NULL;
	json_t *stage = row_body(rq, "stage", api_id, stage_name, rc);
	if (!stage)
		return NULL;
	const char *dep = json_string_value(json_object_get(stage, "deploymentId"));
	if (!dep)
		*rc = DB_ABORT;
	else if ((snap = deployment_snapshot(rq, api_id, dep, rc)) != NULL) {
		doc = json_pack("{s:s,s:s,s:s}", "apiId", api_id, "stageName", stage_name,
				"deploymentId", dep);
		json_object_set(doc, "api", json_object_get(snap, "api"));
		json_object_set(doc, "stage", stage);
		json_object_set_new(doc, "routes", worker_routes(snap));
	}
	json_decref(stage);
	json_decref(snap);
	return doc;
}

/* ---- the answer cache ----
 * A snapshot's bytes are a function of (account, region, apiId, stageName, epoch, revision), a
 * change-feed page's of (account, region, since, apiId, epoch, current revision), and every
 * worker following a stage asks for the same ones after each change: the last few answers are
 * kept (in struct workers, the data plane's state) and sent again without a read. */
enum { CACHE_SLOTS = 64, CACHE_MAX_BODY = 8 << 20, CACHE_BUDGET = 32 << 20 };

struct cached {
	char key[320];       /* "S account region apiId stageName" ("" stage: the API snapshot),
				"F account region since apiId" (a feed page) */
	char epoch[40];
	int64_t revision;
	char *body;          /* owned; NULL: an empty slot */
	size_t len;
	uint64_t used;       /* the cache's clock at the last hit */
};

struct snapcache {
	pthread_mutex_t lock;
	uint64_t clock;
	size_t bytes;        /* held by the bodies */
	struct cached slot[CACHE_SLOTS];
};

/* The cache key of a snapshot; false when it does not fit (then it is not cached). */
static bool cache_key(const struct req *rq, const struct snap_version *v, char *key, size_t len)
{
	int n = snprintf(key, len, "S %s %s %s %s", rq->account, rq->region, v->api_id,
			 v->stage ? v->stage : "");
	return n > 0 && (size_t)n < len;
}

/* A copy of the cached body of (key, epoch, revision), or NULL. */
static char *cache_get(struct snapcache *c, const char *key, const char *epoch, int64_t revision,
		       size_t *len)
{
	char *out = NULL;
	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < CACHE_SLOTS; i++) {
		struct cached *e = &c->slot[i];
		if (e->body && e->revision == revision && strcmp(e->key, key) == 0 &&
		    strcmp(e->epoch, epoch) == 0) {
			if ((out = malloc(e->len + 1)) != NULL) {
				memcpy(out, e->body, e->len + 1);
				*len = e->len;
				e->used = ++c->clock;
			}
			break;
		}
	}
	pthread_mutex_unlock(&c->lock);
	return out;
}

/* Empties slot e (lock held). */
static void cache_drop(struct snapcache *c, struct cached *e)
{
	c->bytes -= e->len;
	free(e->body);
	e->body = NULL;
	e->len = 0;
}

/* Keeps a copy of body as (key, epoch, revision), in place of the least recently used
 * answer (and of as many more as it takes to stay within CACHE_BUDGET bytes). */
static void cache_put(struct snapcache *c, const char *key, const char *epoch, int64_t revision,
		      const char *body, size_t len)
{
	if (len > CACHE_MAX_BODY || strlen(epoch) >= sizeof c->slot[0].epoch)
		return;
	char *copy = malloc(len + 1);
	if (!copy)
		return;
	memcpy(copy, body, len + 1);
	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < CACHE_SLOTS; i++) {
		struct cached *e = &c->slot[i];
		if (e->body && e->revision == revision && strcmp(e->key, key) == 0 &&
		    strcmp(e->epoch, epoch) == 0)
			goto out;  /* another request cached it meanwhile */
	}
	/* Room: the least recently used answers go until the new one fits the budget. */
	while (c->bytes + len > CACHE_BUDGET) {
		struct cached *lru = NULL;
		for (unsigned i = 0; i < CACHE_SLOTS; i++)
			if (c->slot[i].body && (!lru || c->slot[i].used < lru->used))
				lru = &c->slot[i];
		if (!lru)
			break;
		cache_drop(c, lru);
	}
	/* A slot: an empty one, else the least recently used. */
	struct cached *victim = NULL;
	for (unsigned i = 0; i < CACHE_SLOTS; i++) {
		struct cached *e = &c->slot[i];
		if (!e->body) {
			victim = e;
			break;
		}
		if (!victim || e->used < victim->used)
			victim = e;
	}
	if (victim->body)
		cache_drop(c, victim);
	snprintf(victim->key, sizeof victim->key, "%s", key);
	snprintf(victim->epoch, sizeof victim->epoch, "%s", epoch);
	victim->revision = revision;
	victim->body = copy;
	victim->len = len;
	victim->used = ++c->clock;
	c->bytes += len;
	copy = NULL;
out:
	pthread_mutex_unlock(&c->lock);
	free(copy);
}

static struct snapcache *workers_cache(struct workers *w);

/* Both snapshots: the version, the blocking-read rule, If-None-Match, the cache, else the
 * content read consistently with the version; then the answer. */
static void serve_snapshot(struct req *rq, const struct snap_version *v)
{
	struct snapcache *cache = workers_cache(rq->srv->workers);
	int64_t revision = 0, current = 0;
	char *epoch = NULL, *text = NULL, key[sizeof cache->slot[0].key];
	size_t len = 0;
	json_t *doc = NULL;
	bool failed = false, cacheable = cache_key(rq, v, key, sizeof key);
	enum db_rc rc;

	if ((rc = db_revision(rq->db, &current, NULL, NULL)) != DB_OK)
		goto db_fail;
	rc = version_read(rq, v, &revision, &epoch);
	if (rc == DB_NOTFOUND)
		goto not_found;
	if (rc != DB_OK)
		goto db_fail;
	if (hold_if_unchanged(rq, revision, current, &failed) || failed)
		goto out;
	if (not_modified(rq, revision, epoch))
		goto out;
	if (cacheable && (text = cache_get(cache, key, epoch, revision, &len)) != NULL) {
		reply_text(rq, 200, text, len);
		goto out;
	}
	for (int attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
		if (attempt) {
			free(epoch);
			epoch = NULL;
			rc = version_read(rq, v, &revision, &epoch);
			if (rc == DB_NOTFOUND)
				goto not_found;
			if (rc != DB_OK)
				goto db_fail;
		}
		doc = v->stage ? stage_doc(rq, v->api_id, v->stage, &rc)
			       : api_doc(rq, v->api_id, &rc);
		if (version_same(rq, v, revision, epoch))
			break;
		json_decref(doc);  /* a commit landed while reading: read again */
		doc = NULL;
		rc = DB_BUSY;
	}
	if (rc == DB_NOTFOUND)
		goto not_found;
	if (rc == DB_ABORT) {
		reply_errf(rq, E_NOT_FOUND, "Stage %s has no deployment", v->stage);
		goto out;
	}
	if (!doc)
		goto db_fail;
	if (not_modified(rq, revision, epoch))  /* the revision moved while reading */
		goto out;
	json_object_set_new(doc, "revision", json_integer(revision));
	json_object_set_new(doc, "epoch", json_string(epoch));
	if (!(text = json_dumps(doc, JSON_COMPACT))) {
		reply_errf(rq, E_INTERNAL, "Could not serialise the snapshot");
		goto out;
	}
	len = strlen(text);
	if (cacheable)
		cache_put(cache, key, epoch, revision, text, len);
	reply_text(rq, 200, text, len);
	goto out;
not_found:
	if (v->stage)
		reply_errf(rq, E_NOT_FOUND, "Invalid stage identifier specified");
	else
		reply_errf(rq, E_NOT_FOUND, "Invalid API identifier specified %s:%s", rq->account,
			   v->api_id);
	goto out;
db_fail:
	reply_db_error(rq, rc);
out:
	json_decref(doc);
	free(epoch);
}

void dataplane_api_config(struct req *rq)
{
	struct snap_version v = {req_param(rq, "apiId"), NULL};
	serve_snapshot(rq, &v);
}

void dataplane_stage_config(struct req *rq)
{
	/* A stage's deployed configuration changes only when the stage row does: deployments
	 * are immutable, and moving to one rewrites the stage. */
	struct snap_version v = {req_param(rq, "apiId"), req_param(rq, "stageName")};
	serve_snapshot(rq, &v);
}

/* ---- the change feed ---- */

struct feed {
	json_t *changes;
	int64_t last;
	unsigned n;
};

static bool feed_row(const struct db_change *ch, void *arg)
{
	struct feed *f = arg;
	json_t *c = json_pack("{s:I,s:s,s:s,s:s,s:s,s:s}", "revision", (json_int_t)ch->revision,
			      "apiId", ch->root, "resource", ch->resource, "id", ch->id, "parent",
			      ch->parent, "op", ch->op);
	f->last = ch->revision;
	f->n++;
	return c && json_array_append_new(f->changes, c) == 0;
}

/* 410 Gone with the current position: the worker resyncs from snapshots. */
static void reply_gone(struct req *rq, const char *why, int64_t current, const char *epoch)
{
	json_t *gone = json_pack("{s:s,s:I,s:s}", "message", why, "revision", (json_int_t)current,
				 "epoch", epoch);
	char *text = gone ? json_dumps(gone, JSON_COMPACT) : NULL;
	json_decref(gone);
	if (!text) {
		reply_errf(rq, E_INTERNAL, "Could not serialise the response");
		return;
	}
	reply_text(rq, 410, text, strlen(text));
	rq->error_name = err_name(E_GONE);
}

void dataplane_changes(struct req *rq)
{
	struct snapcache *cache = workers_cache(rq->srv->workers);
	long long since = 0, wait = 0;
	bool has_since = false;
	int64_t current = 0, oldest = 0;
	char *epoch = NULL, *want_epoch = NULL, *api_id = NULL, *text = NULL;
	char key[sizeof cache->slot[0].key];
	size_t len = 0;
	struct feed f = {0};
	enum db_rc rc;

	if (!query_int_or_reply(rq, "since", INT64_MAX, &since, &has_since) ||
	    !wait_or_reply(rq, &wait))
		return;
	if ((rc = db_revision(rq->db, &current, &oldest, &epoch)) != DB_OK) {
		reply_db_error(rq, rc);
		goto out;
	}
	want_epoch = req_query(rq, "epoch");
	api_id = req_query(rq, "apiId");
	if (want_epoch && strcmp(want_epoch, epoch) != 0) {
		reply_gone(rq, "The history changed (new epoch): resync from a snapshot", current,
			   epoch);
		goto out;
	}
	if (!has_since || since < oldest || since > current) {
		reply_gone(rq, !has_since ? "since is required: resync from a snapshot"
			   : "since is outside the retained history: resync from a snapshot",
			   current, epoch);
		goto out;
	}
	/* The answer is a function of (scope, since, apiId) and the database's revision: the
	 * many workers a commit wakes at the same position share one read. */
	int n = snprintf(key, sizeof key, "F %s %s %lld %s", rq->account, rq->region, since,
			 api_id ? api_id : "");
	bool cacheable = n > 0 && (size_t)n < sizeof key;
	if (cacheable && (text = cache_get(cache, key, epoch, current, &len)) != NULL) {
		reply_text(rq, 200, text, len);
		goto out;
	}
	f.changes = json_array();
	rc = db_changes_since(rq->db, &rq->scope, since, api_id, FEED_PAGE, feed_row, &f);
	if (rc != DB_OK) {
		reply_db_error(rq, rc);
		goto out;
	}
	if (f.n == 0 && wait > 0 && !rq->hold_expired) {
		req_hold(rq, (unsigned)wait, current);
		goto out;
	}
	/* A full page may stop inside the history: the next `since` is its last revision. */
	int64_t covered = f.n >= FEED_PAGE ? f.last : (f.last > current ? f.last : current);
	json_t *doc = json_pack("{s:s,s:I,s:O}", "epoch", epoch, "revision", (json_int_t)covered,
				"changes", f.changes);
	text = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!text) {
		reply_errf(rq, E_INTERNAL, "Could not serialise the response");
		goto out;
	}
	len = strlen(text);
	/* Cached only when no commit landed between reading `current` and the changes: then
	 * the answer is exactly that of revision `current`. Empty answers are not kept (a
	 * waiting request holds instead). */
	if (cacheable && f.n > 0 && f.last <= current)
		cache_put(cache, key, epoch, current, text, len);
	reply_text(rq, 200, text, len);
out:
	json_decref(f.changes);
	free(epoch);
	free(want_epoch);
	free(api_id);
}

/* ---- worker status ---- */

static const struct jfield worker_fields[] = {
	{"apiId", J_STR, 1, 64, F_IN | F_REQUIRED},
	{"stageName", J_STR, 1, 128, F_IN},
	{"revision", J_INT, 0, INT64_MAX, F_IN | F_REQUIRED},
	{"etag", J_STR, 0, 128, F_IN},
	{0},
};

/* The data plane's in-memory state: worker reports and the snapshot cache. */
struct workers {
	pthread_mutex_t lock;
	json_t *by_id;  /* workerId → last report (with reportedAt, account, region) */
	struct snapcache cache;
};

struct workers *workers_new(void)
{
	struct workers *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	pthread_mutex_init(&w->lock, NULL);
	pthread_mutex_init(&w->cache.lock, NULL);
	w->by_id = json_object();
	return w;
}

void workers_free(struct workers *w)
{
	if (!w)
		return;
	json_decref(w->by_id);
	for (unsigned i = 0; i < CACHE_SLOTS; i++)
		free(w->cache.slot[i].body);
	pthread_mutex_destroy(&w->cache.lock);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static struct snapcache *workers_cache(struct workers *w)
{
	return &w->cache;
}

void dataplane_worker_report(struct req *rq)
{
	struct apierr e = {0};
	struct workers *w = rq->srv->workers;
	const char *id = req_param(rq, "workerId");
	json_t *empty = json_object();
	json_t *rec = jspec_parse(worker_fields, rq->body ? rq->body : empty, JM_CREATE, P_ANY, &e);
	json_decref(empty);
	if (!rec) {
		reply_error(rq, &e);
		return;
	}
	if (strlen(id) > 128) {
		json_decref(rec);
		reply_errf(rq, E_BAD_REQUEST, "Invalid workerId: at most 128 characters");
		return;
	}
	json_object_set_new(rec, "workerId", json_string(id));
	json_object_set_new(rec, "reportedAt", res_now());
	json_object_set_new(rec, "account", json_string(rq->account));
	json_object_set_new(rec, "region", json_string(rq->region));
	pthread_mutex_lock(&w->lock);
	bool full = json_object_size(w->by_id) >= MAX_WORKERS && !json_object_get(w->by_id, id);
	if (!full)
		json_object_set_new(w->by_id, id, json_deep_copy(rec));
	pthread_mutex_unlock(&w->lock);
	json_object_del(rec, "account");  /* stored to keep accounts apart, not shown */
	json_object_del(rec, "region");
	if (full)
		reply_errf(rq, E_BAD_REQUEST, "Too many workers (at most %d)", MAX_WORKERS);
	else
		reply_json(rq, 200, rec);
	json_decref(rec);
}

void dataplane_workers(struct req *rq)
{
	struct workers *w = rq->srv->workers;
	int64_t current = 0;
	const char *id;
	json_t *rec;
	enum db_rc rc = db_revision(rq->db, &current, NULL, NULL);
	if (rc != DB_OK) {
		reply_db_error(rq, rc);
		return;
	}
	json_t *items = json_array();
	pthread_mutex_lock(&w->lock);
	json_object_foreach(w->by_id, id, rec) {
		if (strcmp(json_string_value(json_object_get(rec, "account")), rq->account) ||
		    strcmp(json_string_value(json_object_get(rec, "region")), rq->region))
			continue;
		json_t *item = json_deep_copy(rec);
		json_int_t rev = json_integer_value(json_object_get(rec, "revision"));
		json_object_del(item, "account");
		json_object_del(item, "region");
		json_object_set_new(item, "behind", json_integer(current > rev ? current - rev : 0));
		json_array_append_new(items, item);
	}
	pthread_mutex_unlock(&w->lock);
	json_t *doc = json_pack("{s:I,s:o}", "revision", (json_int_t)current, "items", items);
	reply_json(rq, 200, doc);
	json_decref(doc);
}

void workers_each(struct workers *w, workers_fn fn, void *ctx)
{
	const char *id;
	json_t *rec;
	pthread_mutex_lock(&w->lock);
	json_object_foreach(w->by_id, id, rec)
		fn(id, (int64_t)json_integer_value(json_object_get(rec, "revision")), ctx);
	pthread_mutex_unlock(&w->lock);
}
