/* res.c — the generic resource operations (see res.h for the flow). */
#include "res.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ids.h"
#include "paging.h"
#include "sbuf.h"
#include "server.h"

/* Page sizes of every List operation [ours: AWS documents none]. */
enum { ID_ATTEMPTS = 16 };

unsigned res_api_proto(const json_t *api)
{
	const char *p = json_string_value(json_object_get(api, "protocolType"));
	if (p && strcmp(p, "WEBSOCKET") == 0)
		return P_WS;
	if (p && strcmp(p, "HTTP") == 0)
		return P_HTTP;
	return P_ANY;
}

json_t *res_now(void)
{
	char buf[32];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	return json_string(buf);
}

static enum err not_found(const struct rctx *c, const struct resdef *def, const char *id,
			  struct apierr *e)
{
	if (def->not_found)
		return def->not_found(c, id, e);
	return err_not_found(e, def->name, "Invalid %s identifier specified %s", def->name, id);
}

/* The ancestors of def, outermost first. Returns their number. */
static unsigned ancestors(const struct resdef *def, const struct resdef *out[4])
{
	unsigned n = 0;
	for (const struct resdef *p = def->parent; p && n < 4; p = p->parent)
		n++;
	unsigned i = n;
	for (const struct resdef *p = def->parent; p && i > 0; p = p->parent)
		out[--i] = p;
	return n;
}

static void join_path(char *path, size_t len, const char *id)
{
	size_t used = strlen(path);
	snprintf(path + used, len - used, "%s%s", used ? "/" : "", id);
}

/* Builds c->parent from the path parameters, without reading anything. */
static void parent_path(struct rctx *c)
{
	const struct resdef *anc[4];
	unsigned n = ancestors(c->def, anc);
	c->parent[0] = '\0';
	for (unsigned i = 0; i < n; i++) {
		const char *id = req_param(c->rq, anc[i]->id_member);
		join_path(c->parent, sizeof c->parent, id ? id : "");
	}
}

static enum err check_parents(struct rctx *c, bool parse);

/* Reads every ancestor (404 with its message when one is missing), keeping the API's doc in
 * c->api and its protocol in c->proto. Returns E_OK or fills c->err. */
static enum err load_parents(struct rctx *c)
{
	return check_parents(c, true);
}

/* Like load_parents, when only their existence matters (reads): no doc is copied or parsed,
 * so c->api stays NULL and c->proto P_ANY. */
static enum err parents_exist(struct rctx *c)
{
	return check_parents(c, false);
}

static enum err check_parents(struct rctx *c, bool parse)
{
	const struct resdef *anc[4];
	unsigned n = ancestors(c->def, anc);
	c->parent[0] = '\0';
	c->proto = P_ANY;
	for (unsigned i = 0; i < n; i++) {
		const char *id = req_param(c->rq, anc[i]->id_member);
		char *doc = NULL;
		bool want = parse && anc[i]->proto_of;
		struct db_key k = {&c->rq->scope, anc[i]->kind, c->parent, id ? id : ""};
		enum db_rc rc = db_res_get(c->rq->db, &k, want ? &doc : NULL, NULL, NULL);
		if (rc == DB_NOTFOUND)
			return not_found(c, anc[i], id ? id : "", &c->err);
		if (rc != DB_OK)
			return err_db(rc, &c->err);
		if (want) {
			json_decref(c->api);
			c->api = json_loads(doc, 0, NULL);
			c->proto = anc[i]->proto_of(c->api);
		}
		free(doc);
		join_path(c->parent, sizeof c->parent, id);
	}
	return E_OK;
}

static void rctx_reset(struct rctx *c)
{
	json_decref(c->api);
	json_decref(c->doc);
	json_decref(c->prev);
	json_decref(c->out);
	c->api = c->doc = c->prev = c->out = NULL;
	free(c->body);
	c->body = NULL;
	memset(&c->err, 0, sizeof c->err);
}

static void rctx_init(struct rctx *c, struct req *rq, const struct resdef *def)
{
	memset(c, 0, sizeof *c);
	c->rq = rq;
	c->def = def;
	c->proto = P_ANY;
}

static struct db_key own_key(const struct rctx *c)
{
	return (struct db_key){&c->rq->scope, c->def->kind, c->parent, c->id};
}

struct txn_wrap {
	struct req *rq;
	db_txn_fn fn;
	void *ctx;
	struct apierr *e;
	char changed[16]; /* API whose configuration fn changed, or "" */
};

/* The res_txn transaction running on this thread, or NULL: set only while its callback runs
 * (on the handler's thread, or the writer's under group commit), so that every write of the
 * engine inside it, however nested, can note the API it changed. */
static _Thread_local struct txn_wrap *running;

/* Notes for res_txn that the configuration of c's API changed. */
static void mark_changed(struct rctx *c)
{
	assert(running && "a configuration write outside res_txn");
	if (!running)
		return;
	if (c->def->parent) /* under an API: its id is the first segment of the path */
		snprintf(running->changed, sizeof running->changed, "%.*s",
			 (int)strcspn(c->parent, "/"), c->parent);
	else
		snprintf(running->changed, sizeof running->changed, "%.15s", c->id);
}

static enum db_rc txn_wrap_run(struct db *db, void *arg)
{
	struct txn_wrap *w = arg;
	const struct server_hooks *hooks = w->rq->srv ? &w->rq->srv->hooks : NULL;
	/* Inside the transaction, rq->db is the connection that runs it (the writer's, under
	 * group commit), so that hooks reading through c->rq->db see the transaction. */
	w->rq->db = db;
	w->changed[0] = '\0';
	assert(!running && "res_txn inside res_txn");
	running = w;
	enum db_rc rc = w->fn(db, w->ctx);
	running = NULL;
	if (rc == DB_OK && w->changed[0] && hooks && hooks->auto_deploy &&
	    hooks->auto_deploy(w->rq, w->changed, NULL, P_ANY, NULL, w->e))
		rc = DB_ABORT;
	return rc;
}

enum db_rc res_txn(struct req *rq, db_txn_fn fn, void *ctx, struct apierr *e)
{
	struct txn_wrap w = {rq, fn, ctx, e, ""};
	return db_txn(rq->db, txn_wrap_run, &w);
}

/* Renders c->doc, runs the resource's rules, and stores the row (insert or update). */
static enum db_rc render_check_store(struct rctx *c, bool insert)
{
	const struct resdef *def = c->def;
	c->out = jspec_render(def->fields, c->doc, c->proto);
	if (def->check && def->check(c))
		return DB_ABORT;
	char *doc = json_dumps(c->doc, JSON_COMPACT);
	char *body = json_dumps(c->out, JSON_COMPACT);
	struct db_key k = own_key(c);
	const char *ukey = def->ukey ? def->ukey(c) : NULL;
	const char *ref = def->ref ? def->ref(c) : NULL;
	enum db_rc rc = !doc || !body ? DB_ERROR
			: insert      ? db_res_insert(c->rq->db, &k, ukey, ref, doc, body)
				      : db_res_update(c->rq->db, &k, ukey, ref, doc, body);
	free(doc);
	/* The stored body is the answer, unless an after_write hook may still change c->out:
	 * keep it so the reply is not serialised twice (on the writer thread). */
	free(c->body);
	c->body = NULL;
	if (rc == DB_OK && !def->after_write) {
		c->body = body;
		body = NULL;
	}
	free(body);
	if (rc == DB_CONFLICT) {
		if (def->conflict)
			def->conflict(c, &c->err);
		else
			err_set(&c->err, E_CONFLICT, "%s already exists", def->name);
		return DB_ABORT;
	}
	if (rc == DB_OK && def->after_write && def->after_write(c, insert))
		return DB_ABORT;
	if (rc == DB_OK && def->in_deployment)
		mark_changed(c);
	return rc;
}

/* Picks the new resource's id: a fresh random one never issued in this account, or the
 * member that names it. */
/* Takes the id the client chose (resdef's chosen_id): DB_OK, or DB_ABORT with c->err. */
static enum db_rc claim_chosen_id(struct rctx *c, const char *id)
{
	snprintf(c->id, sizeof c->id, "%s", id);
	enum db_rc rc = db_id_claim(c->rq->db, c->rq->account, c->id);
	if (rc == DB_CONFLICT) {
		/* Issued before: taken only while a resource has it. */
		struct db_key k = own_key(c);
		rc = db_res_get(c->rq->db, &k, NULL, NULL, NULL);
		if (rc == DB_OK) {
			err_set(&c->err, E_CONFLICT, "%s with id %.64s already exists",
				c->def->name, c->id);
			return DB_ABORT;
		}
		if (rc == DB_NOTFOUND)
			rc = DB_OK;
	}
	if (rc == DB_OK)
		json_object_set_new(c->doc, c->def->id_member, json_string(c->id));
	return rc;
}

static enum db_rc assign_id(struct rctx *c)
{
	const struct resdef *def = c->def;
	const char *chosen = NULL;
	if (def->chosen_id && def->chosen_id(c, &chosen))
		return DB_ABORT;
	if (chosen)
		return claim_chosen_id(c, chosen);
	if (!def->id_len) {
		snprintf(c->id, sizeof c->id, "%s",
			 json_string_value(json_object_get(c->doc, def->id_source)));
		return DB_OK;
	}
	for (int i = 0; i < ID_ATTEMPTS; i++) {
		id_generate(c->id, def->id_len);
		enum db_rc rc = db_id_claim(c->rq->db, c->rq->account, c->id);
		if (rc == DB_OK) {
			json_object_set_new(c->doc, def->id_member, json_string(c->id));
			return DB_OK;
		}
		if (rc != DB_CONFLICT)
			return rc;
	}
	return DB_ERROR;
}

/* Creates c->def from the request-shaped `in` under c->parent (parents already loaded):
 * validate, assign the id, set server members, render, check, store. */
static enum db_rc create_core(struct rctx *c, const json_t *in, const json_t *server)
{
	const struct resdef *def = c->def;
	enum db_rc rc;
	if (def->proto_of)
		c->proto = def->proto_of(in);
	c->doc = jspec_parse(def->fields, in, JM_CREATE, c->proto, &c->err);
	if (!c->doc)
		return DB_ABORT;
	if ((rc = assign_id(c)) != DB_OK)
		return rc;
	if (server)
		json_object_update(c->doc, (json_t *)server);
	if (def->on_create)
		def->on_create(c);
	return render_check_store(c, true);
}

static enum db_rc create_txn(struct db *db, void *arg)
{
	struct rctx *c = arg;
	json_t *empty = json_object();
	enum db_rc rc = DB_ABORT;
	(void)db;
	rctx_reset(c);
	if (load_parents(c) == E_OK)
		rc = create_core(c, c->rq->body ? c->rq->body : empty, NULL);
	json_decref(empty);
	return rc;
}

enum err res_create_in(struct req *rq, const struct resdef *def, const char *parent, unsigned proto,
		       json_t *api, const json_t *in, const json_t *server, json_t **out,
		       struct apierr *e)
{
	struct rctx c;
	rctx_init(&c, rq, def);
	snprintf(c.parent, sizeof c.parent, "%s", parent);
	c.proto = proto;
	c.api = json_incref(api);
	enum db_rc rc = create_core(&c, in, server);
	if (rc == DB_OK) {
		if (out)
			*out = json_incref(c.out);
	} else if (rc != DB_ABORT) {
		err_db(rc, &c.err);
	}
	*e = c.err;
	rctx_reset(&c);
	return e->code;
}

/* Answers the outcome of an operation's transaction: `status` with c->out, or the error. */
static void reply_outcome(struct rctx *c, enum db_rc rc, unsigned status)
{
	if (rc == DB_ABORT)
		reply_error(c->rq, &c->err);
	else if (rc != DB_OK) {
		err_db(rc, &c->err);
		reply_error(c->rq, &c->err);
	} else if (status == 204 || !c->out) {
		reply_empty(c->rq, status);
	} else if (c->body) {
		reply_text(c->rq, status, c->body, strlen(c->body));
		c->body = NULL; /* the reply owns it */
	} else {
		reply_json(c->rq, status, c->out);
	}
}

/* An operation's transaction on its way through group commit: it outlives the handler. */
struct pending {
	struct db_job job;
	struct txn_wrap wrap;
	struct rctx *c; /* owned: the start of a calloc'd block */
	unsigned status;
};

/* On the writer thread once the batch is durable (or failed): answer, free, resume. */
static void pending_done(void *arg, enum db_rc rc)
{
	struct pending *p = arg;
	struct req *rq = p->c->rq;
	rq->db = NULL;
	reply_outcome(p->c, rc, p->status);
	rctx_reset(p->c);
	free(p->c);
	free(p);
	req_resume(rq);
}

/* Runs fn as c's transaction through group commit and answers when it is durable. Takes c,
 * which must be the start of a calloc'd block. The request is suspended meanwhile, so no
 * worker thread waits for the disk. */
static void run_and_reply(struct rctx *c, db_txn_fn fn, unsigned status)
{
	struct req *rq = c->rq;
	struct pending *p = calloc(1, sizeof *p);
	if (!p) {
		err_set(&c->err, E_INTERNAL, "Out of memory");
		reply_error(rq, &c->err);
		rctx_reset(c);
		free(c);
		return;
	}
	p->c = c;
	p->status = status;
	p->wrap = (struct txn_wrap){rq, fn, c, &c->err};
	p->job = (struct db_job){.fn = txn_wrap_run,
				 .ctx = &p->wrap,
				 .done = pending_done,
				 .done_arg = p};
	req_defer(rq);
	if (!db_submit(rq->srv->pool, &p->job)) /* no writer thread: commit here */
		pending_done(p, db_txn(rq->db, txn_wrap_run, &p->wrap));
}

/* A new rctx in a calloc'd block of `size` bytes (an rctx or a struct starting with one). */
static struct rctx *rctx_new(struct req *rq, const struct resdef *def, size_t size)
{
	struct rctx *c = calloc(1, size);
	if (c)
		rctx_init(c, rq, def);
	else
		reply_errf(rq, E_INTERNAL, "Out of memory");
	return c;
}

void res_create(struct req *rq, const struct resdef *def)
{
	struct rctx *c = rctx_new(rq, def, sizeof *c);
	if (c)
		run_and_reply(c, create_txn, 201);
}

/* Reads the stored doc of the resource named by the path into c->prev. */
static enum err load_self(struct rctx *c)
{
	char *doc = NULL;
	const char *id = req_param(c->rq, c->def->id_member);
	snprintf(c->id, sizeof c->id, "%s", id ? id : "");
	struct db_key k = own_key(c);
	enum db_rc rc = db_res_get(c->rq->db, &k, &doc, NULL, NULL);
	if (rc == DB_NOTFOUND)
		return not_found(c, c->def, c->id, &c->err);
	if (rc != DB_OK)
		return err_db(rc, &c->err);
	c->prev = json_loads(doc, 0, NULL);
	free(doc);
	if (!c->prev)
		return err_set(&c->err, E_INTERNAL, "Stored %s is unreadable", c->def->name);
	if (c->def->proto_of)
		c->proto = c->def->proto_of(c->prev);
	return E_OK;
}

void res_get(struct req *rq, const struct resdef *def)
{
	struct rctx c;
	char *body = NULL;
	size_t len = 0;
	rctx_init(&c, rq, def);
	parent_path(&c);
	const char *id = req_param(rq, def->id_member);
	snprintf(c.id, sizeof c.id, "%s", id ? id : "");
	struct db_key k = own_key(&c);
	/* Fast path: one read. Only a miss pays for finding out which level is missing. */
	enum db_rc rc = db_res_get(rq->db, &k, NULL, &body, &len);
	if (rc == DB_OK) {
		reply_text(rq, 200, body, len);
		return;
	}
	if (rc == DB_NOTFOUND && parents_exist(&c) == E_OK)
		not_found(&c, def, c.id, &c.err);
	else if (rc != DB_NOTFOUND)
		err_db(rc, &c.err);
	reply_error(rq, &c.err);
	rctx_reset(&c);
}

/* A list answer being written. */
void res_list(struct req *rq, const struct resdef *def)
{
	struct rctx c;
	char list[512];
	rctx_init(&c, rq, def);
	if (parents_exist(&c))
		goto fail;
	/* A token is valid only for the list it came from. */
	snprintf(list, sizeof list, "%s|%s|%s|%s", rq->account, rq->region, def->kind, c.parent);
	struct db_key k = {&rq->scope, def->kind, c.parent, NULL};
	if (paging_reply(rq, list, &k, &c.err))
		goto fail;
	goto out;
fail:
	reply_error(rq, &c.err);
out:
	rctx_reset(&c);
}

static enum db_rc update_txn(struct db *db, void *arg)
{
	struct rctx *c = arg;
	const struct resdef *def = c->def;
	json_t *patch = NULL, *empty = NULL;
	const json_t *in = c->rq->body;
	(void)db;
	rctx_reset(c);
	if (load_parents(c) || load_self(c))
		return DB_ABORT;
	if (!in)
		in = empty = json_object();
	patch = jspec_parse(def->fields, in, JM_UPDATE, c->proto, &c->err);
	json_decref(empty);
	if (!patch)
		return DB_ABORT;
	c->doc = json_deep_copy(c->prev);
	jspec_merge(def->fields, c->doc, patch);
	json_decref(patch);
	if (def->on_update)
		def->on_update(c);
	return render_check_store(c, false);
}

void res_update(struct req *rq, const struct resdef *def)
{
	struct rctx *c = rctx_new(rq, def, sizeof *c);
	if (c)
		run_and_reply(c, update_txn, 200);
}

/* Loads the owning API of a resource addressed by storage path (its first path segment),
 * for the protocol. */
static enum err load_owner_api(struct rctx *c)
{
	char api_id[64];
	char *doc = NULL;
	if (c->def->proto_of || !c->def->parent)
		return E_OK;
	snprintf(api_id, sizeof api_id, "%.*s", (int)strcspn(c->parent, "/"), c->parent);
	struct db_key k = {&c->rq->scope, "api", "", api_id};
	enum db_rc rc = db_res_get(c->rq->db, &k, &doc, NULL, NULL);
	if (rc != DB_OK)
		return rc == DB_NOTFOUND ? err_not_found(&c->err, "Api",
							 "Invalid API identifier specified %s:%s",
							 c->rq->account, api_id)
					 : err_db(rc, &c->err);
	c->api = json_loads(doc, 0, NULL);
	free(doc);
	c->proto = res_api_proto(c->api);
	return E_OK;
}

/* Edits the loaded c->prev: copy, edit, stamp, render, check, store. */
static enum db_rc edit_core(struct rctx *c, res_edit_fn edit)
{
	c->doc = json_deep_copy(c->prev);
	if (edit(c))
		return DB_ABORT;
	if (c->def->on_update)
		c->def->on_update(c);
	return render_check_store(c, false);
}

enum err res_edit(struct req *rq, const struct resdef *def, const char *parent, const char *id,
		  res_edit_fn edit, void *arg, json_t **out, struct apierr *e)
{
	struct rctx c;
	char *doc = NULL;
	enum db_rc rc;
	rctx_init(&c, rq, def);
	c.arg = arg;
	snprintf(c.parent, sizeof c.parent, "%s", parent);
	snprintf(c.id, sizeof c.id, "%s", id);
	if (load_owner_api(&c))
		goto out;
	struct db_key k = own_key(&c);
	rc = db_res_get(rq->db, &k, &doc, NULL, NULL);
	if (rc == DB_OK && !(c.prev = json_loads(doc, 0, NULL)))
		rc = DB_ERROR;
	free(doc);
	if (rc == DB_NOTFOUND) {
		not_found(&c, def, id, &c.err);
		goto out;
	}
	if (rc == DB_OK && def->proto_of)
		c.proto = def->proto_of(c.prev);
	if (rc == DB_OK)
		rc = edit_core(&c, edit);
	if (rc == DB_OK && out)
		*out = json_incref(c.out);
	else if (rc != DB_OK && rc != DB_ABORT)
		err_db(rc, &c.err);
out:
	*e = c.err;
	rctx_reset(&c);
	return e->code;
}

struct modify {
	struct rctx c; /* first, so that &m->c == m */
	res_edit_fn edit;
};

static enum db_rc modify_txn(struct db *db, void *arg)
{
	struct modify *m = arg;
	struct rctx *c = &m->c;
	(void)db;
	rctx_reset(c);
	if (load_parents(c) || load_self(c))
		return DB_ABORT;
	return edit_core(c, m->edit);
}

void res_modify(struct req *rq, const struct resdef *def, res_edit_fn edit, void *arg,
		unsigned status)
{
	/* The rctx is the first member, so the block and its rctx share one address. */
	struct modify *m = (struct modify *)rctx_new(rq, def, sizeof *m);
	if (!m)
		return;
	m->edit = edit;
	m->c.arg = arg;
	run_and_reply(&m->c, modify_txn, status);
}

static enum db_rc delete_txn(struct db *db, void *arg)
{
	struct rctx *c = arg;
	(void)db;
	rctx_reset(c);
	if (load_parents(c) || load_self(c))
		return DB_ABORT;
	if (c->def->before_delete && c->def->before_delete(c))
		return DB_ABORT;
	struct db_key k = own_key(c);
	/* A resource named by the client (a stage) has no children, and its name may equal a
	 * sibling's id: delete its row alone (db.h). */
	enum db_rc rc = c->def->id_len == 0 && c->def->parent ? db_res_delete_row(c->rq->db, &k)
							      : db_res_delete(c->rq->db, &k);
	if (rc == DB_NOTFOUND) {
		not_found(c, c->def, c->id, &c->err);
		return DB_ABORT;
	}
	/* Deleting the API itself leaves nothing to deploy. */
	if (rc == DB_OK && c->def->in_deployment && c->def->parent)
		mark_changed(c);
	return rc;
}

void res_delete(struct req *rq, const struct resdef *def)
{
	struct rctx *c = rctx_new(rq, def, sizeof *c);
	if (c)
		run_and_reply(c, delete_txn, 204);
}
