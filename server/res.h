/* res.h — the generic resource engine: Create/Get/List/Update/Delete for any apigatewayv2
 * resource described by a `struct resdef` (its field table plus a few hooks). A resource file
 * (res_integrations.c, ...) holds its table, its cross-member rules and one-line handlers.
 *
 * Flow of a write (inside db_txn, so it is all-or-nothing):
 *   load the parents named by the path (404 with the parent's AWS message) →
 *   validate the request with the field table → merge (update) → render with defaults →
 *   the resource's `check` on the rendered result → store doc and body.
 * Reads return the stored body as it is. */
#ifndef APIGWD_RES_H
#define APIGWD_RES_H

#include <jansson.h>
#include <stdbool.h>

#include "db.h"
#include "errors.h"
#include "jspec.h"
#include "request.h"

struct resdef;

/* What a hook sees. */
struct rctx {
	struct req *rq;
	const struct resdef *def;
	unsigned proto;	   /* P_WS or P_HTTP of the owning API; P_ANY at top level */
	json_t *api;	   /* stored doc of the owning API, or NULL; owned */
	char parent[256];  /* storage path of the parents ("apiId", "apiId/intId") */
	char id[160];	   /* the resource's id */
	json_t *doc;	   /* stored members (after merge on update); owned */
	json_t *prev;	   /* update/delete: the stored doc before the change; owned */
	json_t *out;	   /* the rendered answer; owned */
	char *body;	   /* out as stored (JSON text), when it is also the reply; owned */
	struct apierr err; /* why the operation failed */
	void *arg;	   /* the caller's argument to an edit function */
};

struct resdef {
	const char *name;	     /* AWS name in messages: "Integration" */
	const char *kind;	     /* storage kind: "integration" */
	const char *id_member;	     /* id member and path parameter: "integrationId" */
	unsigned id_len;	     /* length of generated ids; 0 = taken from id_source */
	const char *id_source;	     /* member naming the resource when id_len is 0 */
	const struct resdef *parent; /* the resource this one lives under, or NULL */
	const struct jfield *fields; /* ended by a {0} row */
	bool in_deployment;	     /* part of what a deployment snapshots: a change
					deploys autoDeploy stages (res_txn) */

	/* All optional. */
	/* The protocol a resource that is itself an API has: from the request on create, from
	 * the stored doc on update. Without it, the owning API's protocol is used. */
	unsigned (*proto_of)(const json_t *doc);
	/* An id the client chose for a new resource (c->doc is the validated request): sets *id
	 * (borrowed from c->doc) or leaves it NULL for a generated one; or fills c->err (400).
	 * A chosen id that a live resource has is 409; one issued before to a resource since
	 * deleted may be chosen again. */
	enum err (*chosen_id)(struct rctx *c, const char **id);
	/* Sets server-assigned members of a new doc (dates, endpoints). */
	void (*on_create)(struct rctx *c);
	/* Sets server-assigned members of an updated doc (lastUpdatedDate). */
	void (*on_update)(struct rctx *c);
	/* Rules across members, on the rendered result `c->out`. Returns E_OK or fills c->err. */
	enum err (*check)(struct rctx *c);
	/* Unique secondary key (route key), or NULL. Borrowed from c->out. */
	const char *(*ukey)(const struct rctx *c);
	/* Id this resource points at (a route's integration), or NULL. Borrowed from c->out. */
	const char *(*ref)(const struct rctx *c);
	/* After the row is stored, in the same transaction: create what hangs from it (quick
	 * create). Returns E_OK or fills c->err, which rolls everything back. */
	enum err (*after_write)(struct rctx *c, bool created);
	/* Before a delete: refuse it (409) or clean up. */
	enum err (*before_delete)(struct rctx *c);
	/* The 409 message when the id or ukey is taken; default "<name> already exists". */
	enum err (*conflict)(const struct rctx *c, struct apierr *e);
	/* The 404 message for an unknown id; default "Invalid <name> identifier specified <id>". */
	enum err (*not_found)(const struct rctx *c, const char *id, struct apierr *e);
};

/* The generic operations. Each answers the request. */
void res_create(struct req *rq, const struct resdef *def);
void res_get(struct req *rq, const struct resdef *def);
void res_list(struct req *rq, const struct resdef *def);
void res_update(struct req *rq, const struct resdef *def);
void res_delete(struct req *rq, const struct resdef *def);

/* An operation that edits a stored resource in place (DeleteCorsConfiguration, ...): loads
 * the parents and the resource named by the path, sets c->doc to a copy of the stored doc and
 * c->arg to arg, calls edit, then renders, checks and stores it like an update, and answers
 * `status` (with the rendered resource unless status is 204). */
typedef enum err (*res_edit_fn)(struct rctx *c);
void res_modify(struct req *rq, const struct resdef *def, res_edit_fn edit, void *arg,
		unsigned status);

/* The building blocks for operations that touch several resources in one transaction (quick
 * create, import, deployments, tags). Call them only inside a db_txn callback on rq->db;
 * on failure they fill e and the caller returns DB_ABORT.
 *
 * res_create_in: creates a `def` under storage path `parent` of an API of protocol `proto`
 * (api: its stored doc, borrowed, or NULL) from the request-shaped `in`, validated exactly as
 * the Create operation validates it; `server` (may be NULL) adds server-assigned members
 * (apiGatewayManaged, ...). *out (may be NULL) receives the rendered resource (new ref).
 * res_edit: edit() the stored `def` at (parent, id) with c->arg = arg, then render, check and
 * store it; *out (may be NULL) receives the rendered result (new ref). */
enum err res_create_in(struct req *rq, const struct resdef *def, const char *parent, unsigned proto,
		       json_t *api, const json_t *in, const json_t *server, json_t **out,
		       struct apierr *e);
enum err res_edit(struct req *rq, const struct resdef *def, const char *parent, const char *id,
		  res_edit_fn edit, void *arg, json_t **out, struct apierr *e);

/* res_txn — the transaction runner for request handlers: db_txn(rq->db, fn, ctx), and, when
 * fn succeeded after changing the configuration of an API (a resource with `in_deployment`:
 * the API and what a deployment snapshots), the server's auto_deploy hook (server.h,
 * registered at start-up) for every autoDeploy stage, in the same transaction just
 * before COMMIT, so that a request that writes many resources (an import) deploys each
 * autoDeploy stage once. When the hook fails it fills *e and returns DB_ABORT. Every handler
 * transaction goes through it; the reply contract is db_txn's. Not nested. */
enum db_rc res_txn(struct req *rq, db_txn_fn fn, void *ctx, struct apierr *e);

/* Protocol bit (P_WS/P_HTTP) of a stored api doc. */
unsigned res_api_proto(const json_t *api);

/* Current UTC time as AWS writes it: "2026-11-25T06:31:00Z". New reference. */
json_t *res_now(void);

#endif
