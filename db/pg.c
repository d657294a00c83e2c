/* pg.c — the PostgreSQL backend (libpq): `--db postgres://…` or `postgresql://…`, any libpq
 * connection URI. Several stateless apigwd nodes share one database (docs/deploy-multinode.md):
 * - statements are prepared once per session (PQprepare) and run with PQexecPrepared, so a
 *   read is one round trip;
 * - revisions are one total order: a transaction takes its revision by updating the single
 *   `counters` row, whose lock it then holds until COMMIT, so revision N+1 cannot be taken
 *   before N has committed or rolled back; a reader of the change log never sees N+1 while N
 *   may still appear (docs/architecture.md "Storage");
 * - every commit that took a revision sends NOTIFY apigwd_revision inside its transaction; a
 *   listener thread per node LISTENs and tells the pool's commit hook (held long-polls wake on
 *   every node), and polls the counter twice a second so a lost notification costs at most
 *   that;
 * - a lost connection is re-established on the next use; until then calls answer
 *   DB_UNAVAILABLE (503 ServiceUnavailableException), never a guess;
 * - migrations (migrations/postgres/) run in one transaction under an advisory lock, so
 *   nodes starting together apply them once. */
#include "internal.h"

#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONN(db) ((PGconn *)(db)->h)
#define RES(q)	 ((PGresult *)(q)->res)

/* pg_advisory_xact_lock key of the migrations: "apigwd" in ASCII. */
#define MIGRATION_LOCK 0x617069677764LL

/* Seconds a connection attempt may take: a node answers 503 rather than hang. */
#define CONNECT_TIMEOUT "3"

/* Maps a failed result (or a lost connection) to a db_rc, logging what is unexpected. */
static enum db_rc rc_of(struct db *db, const PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	if (PQstatus(CONN(db)) != CONNECTION_OK || !state ||
	    !strncmp(state, "08", 2) /* connection exception */ ||
	    !strncmp(state, "57P", 3) /* shutdown, cannot connect now */) {
		fprintf(stderr, "apigwd: PostgreSQL unreachable: %s", PQerrorMessage(CONN(db)));
		return DB_UNAVAILABLE;
	}
	if (!strcmp(state, "23505"))
		return DB_CONFLICT; /* unique_violation */
	if (!strcmp(state, "22021") || !strcmp(state, "22P05"))
		return DB_NOTFOUND; /* a key that is not valid UTF-8 names no row */
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strcmp(state, "55P03"))
		return DB_BUSY; /* serialization failure, deadlock, lock not available */
	if (!strcmp(state, "53100"))
		return DB_FULL; /* disk_full */
	if (!strcmp(state, "25006"))
		return DB_READONLY; /* read_only_sql_transaction: a standby */
	fprintf(stderr, "apigwd: PostgreSQL error %s: %s", state,
		PQresultErrorMessage(r) ? PQresultErrorMessage(r) : "");
	return DB_ERROR;
}

/* A new session to target: the URI plus a connect timeout unless it names one. */
static PGconn *connect_to(const char *target)
{
	const char *keys[] = {"dbname", "connect_timeout", "application_name", NULL};
	const char *vals[] = {target, CONNECT_TIMEOUT, "apigwd", NULL};
	return PQconnectdbParams(keys, vals, 1 /* expand dbname: it is a URI */);
}

static int pg_open(struct db *db, const char *target, char *err, size_t errlen)
{
	PGconn *c = connect_to(target);
	db->h = c;
	if (!c || PQstatus(c) != CONNECTION_OK) {
		snprintf(err, errlen, "cannot connect to PostgreSQL: %s",
			 c ? PQerrorMessage(c) : "out of memory");
		return -1;
	}
	/* Quiet NOTICEs (CREATE TABLE IF NOT EXISTS ...); every write waits for its WAL flush,
	 * whatever the server's default (the durability every answer promises). */
	PGresult *r = PQexec(c, "SET client_min_messages = warning; SET synchronous_commit = on");
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	if (!ok) {
		snprintf(err, errlen, "PostgreSQL session setup failed: %s", PQerrorMessage(c));
		return -1;
	}
	return 0;
}

static void pg_close(struct db *db)
{
	for (int j = 0; j < S_COUNT; j++) {
		PQclear(db->q[j].res);
		db->q[j].res = NULL;
		PQfreemem(db->q[j].blob);
		db->q[j].blob = NULL;
	}
	PQfinish(CONN(db));
	db->h = NULL;
}

/* Runs SQL text; err gets the message on failure. */
static int exec_sql(PGconn *c, const char *sql, char *err, size_t errlen)
{
	PGresult *r = PQexec(c, sql);
	ExecStatusType st = PQresultStatus(r);
	int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : -1;
	if (rc)
		snprintf(err, errlen, "%s", PQerrorMessage(c));
	PQclear(r);
	return rc;
}

static unsigned pg_schema_version(struct db *db)
{
	PGresult *r = PQexec(CONN(db), "SELECT version FROM apigwd_schema");
	unsigned v = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1
			     ? (unsigned)strtoul(PQgetvalue(r, 0, 0), NULL, 10)
			     : 0;
	PQclear(r);
	return v;
}

/* Applies the migrations the database lacks, all in one transaction under an advisory lock:
 * of nodes starting together one migrates, the others wait and find nothing left to do. A
 * schema newer than this binary is refused, as SQLite's is. */
static int pg_migrate(struct db *db, char *err, size_t errlen)
{
	PGconn *c = CONN(db);
	char sql[128], sub[512] = "";
	unsigned have;
	snprintf(sql, sizeof sql, "BEGIN; SELECT pg_advisory_xact_lock(%lld)",
		 (long long)MIGRATION_LOCK);
	if (exec_sql(c, sql, sub, sizeof sub) ||
	    exec_sql(c, "CREATE TABLE IF NOT EXISTS apigwd_schema (version integer NOT NULL)", sub,
		     sizeof sub))
		goto fail;
	have = pg_schema_version(db);
	if (have > db_pg_migrations_count) {
		snprintf(err, errlen,
			 "the database schema is version %u but this apigwd knows only %u: "
			 "it was written by a newer apigwd; refusing to start",
			 have, db_pg_migrations_count);
		exec_sql(c, "ROLLBACK", sub, sizeof sub);
		return -1;
	}
	for (unsigned i = have; i < db_pg_migrations_count; i++) {
		if (exec_sql(c, db_pg_migrations[i].sql, sub, sizeof sub)) {
			snprintf(err, errlen, "migration postgres/%s failed: %s",
				 db_pg_migrations[i].name, sub);
			exec_sql(c, "ROLLBACK", sub, sizeof sub);
			return -1;
		}
	}
	snprintf(sql, sizeof sql,
		 "DELETE FROM apigwd_schema; INSERT INTO apigwd_schema VALUES (%u); COMMIT",
		 db_pg_migrations_count);
	if (exec_sql(c, sql, sub, sizeof sub))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "PostgreSQL migrations failed: %s", sub);
	exec_sql(c, "ROLLBACK", sub, sizeof sub);
	return -1;
}

static bool pg_in_txn(struct db *db)
{
	PGTransactionStatusType st = PQtransactionStatus(CONN(db));
	return st == PQTRANS_INTRANS || st == PQTRANS_INERROR || st == PQTRANS_ACTIVE;
}

/* A session that was lost is re-established here, on the next use: its prepared statements
 * are gone with it. Returns 0 when the session is usable. */
static int ensure_session(struct db *db)
{
	if (PQstatus(CONN(db)) == CONNECTION_OK)
		return 0;
	PQreset(CONN(db));
	memset(db->prepared, 0, sizeof db->prepared);
	if (PQstatus(CONN(db)) != CONNECTION_OK)
		return -1;
	PGresult *r =
		PQexec(CONN(db), "SET client_min_messages = warning; SET synchronous_commit = on");
	PQclear(r);
	fprintf(stderr, "apigwd: PostgreSQL session re-established\n");
	return 0;
}

static int pg_prepare(struct dbq *q)
{
	struct db *db = q->db;
	char name[16];
	if (db->prepared[q->id] && PQstatus(CONN(db)) == CONNECTION_OK)
		return 0;
	if (ensure_session(db)) {
		q->rc = DB_UNAVAILABLE;
		return -1;
	}
	snprintf(name, sizeof name, "s%d", (int)q->id);
	bool idle = PQtransactionStatus(CONN(db)) == PQTRANS_IDLE;
	PGresult *r = PQprepare(CONN(db), name, db_stmt_sql(true, q->id), 0, NULL);
	if (idle && PQstatus(CONN(db)) == CONNECTION_BAD && ensure_session(db) == 0) {
		/* A session that died while pooled: once more on a new one (see pg_step). */
		PQclear(r);
		r = PQprepare(CONN(db), name, db_stmt_sql(true, q->id), 0, NULL);
	}
	if (PQresultStatus(r) != PGRES_COMMAND_OK) {
		q->rc = rc_of(db, r);
		if (q->rc != DB_UNAVAILABLE)
			fprintf(stderr, "apigwd: cannot prepare \"%s\"\n",
				db_stmt_sql(true, q->id));
		PQclear(r);
		return -1;
	}
	PQclear(r);
	db->prepared[q->id] = true;
	return 0;
}

static void note_param(struct dbq *q, int i)
{
	if (i > q->nparams)
		q->nparams = i;
}

static void pg_bind_text(struct dbq *q, int i, const char *v, int len)
{
	(void)len; /* text parameters are NUL-terminated strings for libpq */
	q->vals[i - 1] = v;
	q->lens[i - 1] = 0;
	q->fmts[i - 1] = 0;
	note_param(q, i);
}

static void pg_bind_int(struct dbq *q, int i, int64_t v)
{
	snprintf(q->nums[i - 1], sizeof q->nums[i - 1], "%lld", (long long)v);
	pg_bind_text(q, i, q->nums[i - 1], -1);
}

static void pg_bind_blob(struct dbq *q, int i, const void *v, size_t n)
{
	q->vals[i - 1] = v;
	q->lens[i - 1] = (int)n;
	q->fmts[i - 1] = 1; /* binary: bytea as it is */
	note_param(q, i);
}

static int pg_step(struct dbq *q)
{
	if (!q->ran) {
		char name[16];
		q->ran = true;
		snprintf(name, sizeof name, "s%d", (int)q->id);
		/* Outside a transaction nothing depends on this session yet: when PostgreSQL
		 * restarted since its last use (a pooled session looks alive until used), one
		 * new session and one more try, instead of a 503 for the first request after. */
		bool idle = PQtransactionStatus(CONN(q->db)) == PQTRANS_IDLE;
		PGresult *r =
			PQexecPrepared(CONN(q->db), name, q->nparams, q->vals, q->lens, q->fmts, 0);
		if (idle && PQstatus(CONN(q->db)) == CONNECTION_BAD) {
			PQclear(r);
			r = NULL;
			if (ensure_session(q->db) == 0 && pg_prepare(q) == 0)
				r = PQexecPrepared(CONN(q->db), name, q->nparams, q->vals, q->lens,
						   q->fmts, 0);
		}
		ExecStatusType st = PQresultStatus(r);
		if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
			q->rc = rc_of(q->db, r);
			PQclear(r);
			return -1;
		}
		q->res = r;
		q->row = 0;
		q->nrows = st == PGRES_TUPLES_OK ? PQntuples(r) : 0;
		return q->nrows > 0 ? 1 : 0;
	}
	if (q->row + 1 < q->nrows) {
		q->row++;
		return 1;
	}
	q->row = q->nrows;
	return 0;
}

static const char *pg_col_text(struct dbq *q, int col, size_t *len)
{
	if (q->row >= q->nrows || PQgetisnull(RES(q), q->row, col)) {
		if (len)
			*len = 0;
		return NULL;
	}
	if (len)
		*len = (size_t)PQgetlength(RES(q), q->row, col);
	return PQgetvalue(RES(q), q->row, col);
}

static int64_t pg_col_int(struct dbq *q, int col)
{
	const char *t = pg_col_text(q, col, NULL);
	return t ? strtoll(t, NULL, 10) : 0;
}

static const void *pg_col_blob(struct dbq *q, int col, size_t *len)
{
	const char *t = pg_col_text(q, col, NULL);
	PQfreemem(q->blob);
	q->blob = t ? PQunescapeBytea((const unsigned char *)t, len) : NULL;
	if (!q->blob)
		*len = 0;
	return q->blob;
}

static int64_t pg_changes(struct dbq *q)
{
	const char *n = q->res ? PQcmdTuples(RES(q)) : "";
	return *n ? strtoll(n, NULL, 10) : 0;
}

static void pg_reset(struct dbq *q)
{
	PQclear(RES(q));
	q->res = NULL;
	PQfreemem(q->blob);
	q->blob = NULL;
	q->nparams = 0;
	q->row = q->nrows = 0;
	q->ran = false;
}

static enum db_rc one_int(struct db *db, const char *sql, int64_t *out)
{
	if (ensure_session(db))
		return DB_UNAVAILABLE;
	PGresult *r = PQexec(CONN(db), sql);
	enum db_rc rc =
		PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 ? DB_OK : rc_of(db, r);
	if (rc == DB_OK)
		*out = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
	PQclear(r);
	return rc;
}

static enum db_rc pg_size_bytes(struct db *db, int64_t *bytes)
{
	return one_int(db, "SELECT pg_database_size(current_database())", bytes);
}

/* Health: the database answers and is not a read-only standby. */
static enum db_rc pg_can_write(struct db *db, unsigned wait_ms)
{
	(void)wait_ms; /* a down server fails at once, a hung one within the connect timeout */
	int64_t standby = 0;
	enum db_rc rc = one_int(db, "SELECT pg_is_in_recovery()::int", &standby);
	return rc != DB_OK ? rc : standby ? DB_READONLY : DB_OK;
}

/* ---- the listener: revisions committed by any node ---- */

static void *listener_main(void *arg)
{
	struct db_pool *pool = arg;
	PGconn *c = NULL;
	while (!__atomic_load_n(&pool->listener_stop, __ATOMIC_ACQUIRE)) {
		if (!c || PQstatus(c) != CONNECTION_OK) {
			PQfinish(c);
			c = connect_to(pool->target);
			PGresult *r = c && PQstatus(c) == CONNECTION_OK
					      ? PQexec(c, "LISTEN apigwd_revision")
					      : NULL;
			bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
			PQclear(r);
			if (!ok) {
				sleep(1);
				continue;
			}
		}
		struct pollfd pfd = {.fd = PQsocket(c), .events = POLLIN};
		int n = poll(&pfd, 1, 500);
		int64_t newest = 0;
		if (n > 0) {
			if (!PQconsumeInput(c))
				continue; /* lost: reconnect above */
			PGnotify *nt;
			while ((nt = PQnotifies(c))) {
				char *node = NULL;
				int64_t rev = strtoll(nt->extra, &node, 10);
				/* This process's own commits are told by the committing thread. */
				if (node && *node == ' ' && strcmp(node + 1, pool->node) &&
				    rev > newest)
					newest = rev;
				PQfreemem(nt);
			}
		} else if (n == 0) {
			/* No notification for a while: read the counter, in case one was lost. */
			PGresult *r = PQexec(c, "SELECT value FROM counters WHERE name='revision'");
			if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1)
				newest = strtoll(PQgetvalue(r, 0, 0), NULL, 10);
			PQclear(r);
		}
		if (newest)
			db_pool_revision_seen(pool, newest);
	}
	PQfinish(c);
	return NULL;
}

static int pg_listen_start(struct db_pool *pool, const char *target)
{
	(void)target;
	__atomic_store_n(&pool->listener_stop, 0, __ATOMIC_RELEASE);
	if (pthread_create(&pool->listener, NULL, listener_main, pool))
		return -1;
	pool->listener_running = true;
	return 0;
}

static void pg_listen_stop(struct db_pool *pool)
{
	if (!pool->listener_running)
		return;
	__atomic_store_n(&pool->listener_stop, 1, __ATOMIC_RELEASE);
	pthread_join(pool->listener, NULL);
	pool->listener_running = false;
}

const struct db_backend db_pg = {
	.name = "postgres",
	.open = pg_open,
	.close = pg_close,
	.migrate = pg_migrate,
	.schema_version = pg_schema_version,
	.in_txn = pg_in_txn,
	.prepare = pg_prepare,
	.bind_text = pg_bind_text,
	.bind_int = pg_bind_int,
	.bind_blob = pg_bind_blob,
	.step = pg_step,
	.col_text = pg_col_text,
	.col_int = pg_col_int,
	.col_blob = pg_col_blob,
	.changes = pg_changes,
	.reset = pg_reset,
	.size_bytes = pg_size_bytes,
	.can_write = pg_can_write,
	.listen_start = pg_listen_start,
	.listen_stop = pg_listen_stop,
};
