/* ops.c — operator and fixture endpoints: GET /_apigwd/health and POST /_apigwd/reset. */
#include <jansson.h>

#include "handlers.h"
#include "log.h"
#include "route.h"
#include "server.h"

/* How long the health check waits for the write lock before calling the database
 * unavailable: below the usual 1 s timeout of load-balancer and orchestrator probes. */
enum { HEALTH_WAIT_MS = 500 };

void ops_health(struct req *rq)
{
	struct server *srv = rq->srv;
	int64_t revision = 0;
	enum db_rc rc = db_can_write(rq->db, HEALTH_WAIT_MS);
	enum db_rc rrc = db_revision(rq->db, &revision, NULL, NULL);
	bool ok = rc == DB_OK && rrc == DB_OK;
	char shown[1024];
	json_t *doc = json_pack("{s:s,s:s,s:s}", "status", ok ? "ok" : "unavailable", "version",
				APIGWD_VERSION, "db",
				db_target_display(srv->cfg.db_path, shown, sizeof shown));
	if (rrc == DB_OK)
		json_object_set_new(doc, "revision", json_integer(revision));
	if (!ok)
		log_msg(LOG_WARN, rq->request_id,
			"health: the database %s cannot be written "
			"(error %d)",
			shown, (int)(rc != DB_OK ? rc : rrc));
	reply_json(rq, ok ? 200 : 503, doc);
	json_decref(doc);
}

static enum db_rc reset_txn(struct db *db, void *ctx)
{
	(void)ctx;
	return db_reset(db);
}

void ops_reset(struct req *rq)
{
	if (!rq->srv->cfg.allow_reset) {
		/* As for any path apigwd does not serve: the endpoint does not exist. */
		reply_errf(rq, E_NOT_FOUND,
			   "No operation at POST /_apigwd/reset (start apigwd with "
			   "--allow-reset to enable it)");
		return;
	}
	enum db_rc rc = db_txn(rq->db, reset_txn, NULL);
	if (rc != DB_OK) {
		reply_errf(rq, rc == DB_BUSY ? E_UNAVAILABLE : E_INTERNAL,
			   "Could not reset the database (error %d)", (int)rc);
		return;
	}
	log_msg(LOG_INFO, rq->request_id, "reset: every resource deleted, new epoch");
	reply_empty(rq, 204);
}
