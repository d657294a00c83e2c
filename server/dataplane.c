/* dataplane.c — configuration for data-plane workers (docs/dataplane.md): stage and API
 * snapshots with ETags, blocking reads, the change feed with 410 Gone, and worker status. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "answer_cache.h"
#include "handlers.h"
#include "jspec.h"
#include "res.h"
#include "res_deployments.h"
#include "server.h"
#include "snapshot.h"
#include "workers.h"

enum { WAIT_DEFAULT = 60, WAIT_MAX = 300, FEED_PAGE = 1000 };

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
			reply_errf(
				rq, E_BAD_REQUEST,
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
	err_db(rc, &e);
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
	const char *stage; /* NULL: the API snapshot */
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
	if (rc == DB_NOTFOUND) { /* nothing ever changed under it: revision 0 */
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
	json_t *cfg = NULL;
	*rc = snapshot_take(rq->db, &rq->scope, api_id, &cfg);
	if (*rc != DB_OK)
		return NULL;
	json_t *doc = json_pack("{s:s}", "apiId", api_id);
	json_object_set(doc, "api", json_object_get(cfg, "api"));
	json_object_set_new(doc, "routes", snapshot_routes(cfg));
	json_decref(cfg);
	return doc;
}

/* The stage as deployed: {"apiId", "stageName", "deploymentId", "api", "stage", "routes",
 * "authorizers", "vpcLinks"}: all a gateway needs to serve it (docs/dataplane.md).
 * New reference, or NULL with *rc set; DB_ABORT: the stage has no deployment. */
static json_t *stage_doc(struct req *rq, const char *api_id, const char *stage_name, enum db_rc *rc)
{
	json_t *snap = NULL, *doc = NULL;
	json_t *stage = row_body(rq, "stage", api_id, stage_name, rc);
	if (!stage)
		return NULL;
	const char *dep = json_string_value(json_object_get(stage, "deploymentId"));
	if (!dep)
		*rc = DB_ABORT;
	else if ((*rc = deployment_snapshot(rq->db, &rq->scope, api_id, dep, &snap)) == DB_OK) {
		doc = json_pack("{s:s,s:s,s:s}", "apiId", api_id, "stageName", stage_name,
				"deploymentId", dep);
		json_object_set(doc, "api", json_object_get(snap, "api"));
		json_object_set(doc, "stage", stage);
		json_object_set_new(doc, "routes", snapshot_routes(snap));
		json_object_set_new(doc, "authorizers", snapshot_stage_authorizers(snap));
		json_object_set_new(doc, "vpcLinks", snapshot_stage_vpclinks(snap, stage));
	}
	json_decref(stage);
	json_decref(snap);
	return doc;
}

/* The cache key of a snapshot; false when it does not fit (then it is not cached). */
static bool cache_key(const struct req *rq, const struct snap_version *v, char *key, size_t len)
{
	int n = snprintf(key, len, "S %s %s %s %s", rq->account, rq->region, v->api_id,
			 v->stage ? v->stage : "");
	return n > 0 && (size_t)n < len;
}

/* Both snapshots: the version, the blocking-read rule, If-None-Match, the cache, else the
 * content read consistently with the version; then the answer. */
static void serve_snapshot(struct req *rq, const struct snap_version *v)
{
	struct answer_cache *cache = rq->srv->answers;
	int64_t revision = 0, current = 0;
	char *epoch = NULL, *text = NULL, key[ANSWER_KEY_MAX];
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
	if (cacheable && (text = answer_cache_get(cache, key, epoch, revision, &len)) != NULL) {
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
		json_decref(doc); /* a commit landed while reading: read again */
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
	if (not_modified(rq, revision, epoch)) /* the revision moved while reading */
		goto out;
	json_object_set_new(doc, "revision", json_integer(revision));
	json_object_set_new(doc, "epoch", json_string(epoch));
	if (!(text = json_dumps(doc, JSON_COMPACT))) {
		reply_errf(rq, E_INTERNAL, "Could not serialise the snapshot");
		goto out;
	}
	len = strlen(text);
	if (cacheable)
		answer_cache_put(cache, key, epoch, revision, text, len);
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
	struct answer_cache *cache = rq->srv->answers;
	long long since = 0, wait = 0;
	bool has_since = false;
	int64_t current = 0, oldest = 0;
	char *epoch = NULL, *want_epoch = NULL, *api_id = NULL, *text = NULL;
	char key[ANSWER_KEY_MAX];
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
		reply_gone(
			rq,
			!has_since
				? "since is required: resync from a snapshot"
				: "since is outside the retained history: resync from a snapshot",
			current, epoch);
		goto out;
	}
	/* The answer is a function of (scope, since, apiId) and the database's revision: the
	 * many workers a commit wakes at the same position share one read. */
	int n = snprintf(key, sizeof key, "F %s %s %lld %s", rq->account, rq->region, since,
			 api_id ? api_id : "");
	bool cacheable = n > 0 && (size_t)n < sizeof key;
	if (cacheable && (text = answer_cache_get(cache, key, epoch, current, &len)) != NULL) {
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
		answer_cache_put(cache, key, epoch, current, text, len);
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
	bool full = !workers_report(w, id, rec);
	json_object_del(rec, "account"); /* stored to keep accounts apart, not shown */
	json_object_del(rec, "region");
	if (full)
		reply_errf(rq, E_BAD_REQUEST, "Too many workers (at most %d)", WORKERS_MAX);
	else
		reply_json(rq, 200, rec);
	json_decref(rec);
}

void dataplane_workers(struct req *rq)
{
	int64_t current = 0;
	enum db_rc rc = db_revision(rq->db, &current, NULL, NULL);
	if (rc != DB_OK) {
		reply_db_error(rq, rc);
		return;
	}
	json_t *items = workers_list(rq->srv->workers, rq->account, rq->region, current);
	json_t *doc = json_pack("{s:I,s:o}", "revision", (json_int_t)current, "items", items);
	reply_json(rq, 200, doc);
	json_decref(doc);
}
