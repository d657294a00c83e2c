/* db.c — the pool of connections, statements whatever the backend, the transaction runner
 * and group commit. The backends are sqlite.c (a file or ":memory:", the default) and pg.c
 * (a postgres:// URI); the table groups live beside it: resources.c, changes.c,
 * credentials.c, ops.c. See db.h for the model and the contracts. */
#include "internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* How often db_txn retries a transaction that found the database busy. Each attempt already
 * waits up to the busy timeout inside the backend (internal.h). */
enum { TXN_ATTEMPTS = 5 };

/* ---- statements ---- */

struct dbq *dbq_open(struct db *db, enum stmt_id id)
{
	assert(db->held && "a connection used after db_release");
	struct dbq *q = &db->q[id];
	q->db = db;
	q->id = id;
	q->rc = DB_OK;
	q->noop = !*db_stmt_sql(db->be == &db_pg, id);
	if (!q->noop && db->be->prepare(q) && q->rc == DB_OK)
		q->rc = DB_ERROR;
	return q;
}

void dbq_text(struct dbq *q, int i, const char *v)
{
	assert(i >= 1 && i <= DBQ_MAX_PARAMS);
	if (q->rc == DB_OK && !q->noop)
		q->db->be->bind_text(q, i, v, -1);
}

void dbq_textn(struct dbq *q, int i, const char *v, size_t n)
{
	assert(i >= 1 && i <= DBQ_MAX_PARAMS);
	if (q->rc == DB_OK && !q->noop)
		q->db->be->bind_text(q, i, v, (int)n);
}

void dbq_int(struct dbq *q, int i, int64_t v)
{
	assert(i >= 1 && i <= DBQ_MAX_PARAMS);
	if (q->rc == DB_OK && !q->noop)
		q->db->be->bind_int(q, i, v);
}

void dbq_blob(struct dbq *q, int i, const void *v, size_t n)
{
	assert(i >= 1 && i <= DBQ_MAX_PARAMS);
	if (q->rc == DB_OK && !q->noop)
		q->db->be->bind_blob(q, i, v, n);
}

void dbq_key(struct dbq *q, const struct db_key *k)
{
	dbq_text(q, 1, k->scope->account);
	dbq_text(q, 2, k->scope->region);
	dbq_text(q, 3, k->kind);
	dbq_text(q, 4, k->parent);
	dbq_text(q, 5, k->id);
}

int dbq_step(struct dbq *q)
{
	if (q->rc != DB_OK)
		return -1;
	return q->noop ? 0 : q->db->be->step(q);
}

const char *dbq_col(struct dbq *q, int col, size_t *len)
{
	return q->db->be->col_text(q, col, len);
}

int64_t dbq_int_col(struct dbq *q, int col)
{
	return q->db->be->col_int(q, col);
}

const void *dbq_blob_col(struct dbq *q, int col, size_t *len)
{
	return q->db->be->col_blob(q, col, len);
}

char *dbq_col_dup(struct dbq *q, int col, size_t *len)
{
	size_t n = 0;
	const char *t = dbq_col(q, col, &n);
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	memcpy(out, t ? t : "", n);
	out[n] = '\0';
	if (len)
		*len = n;
	return out;
}

int64_t dbq_changes(struct dbq *q)
{
	return q->noop ? 0 : q->db->be->changes(q);
}

enum db_rc dbq_close(struct dbq *q)
{
	enum db_rc rc = q->rc;
	if (!q->noop)
		q->db->be->reset(q);
	q->rc = DB_OK;
	return rc;
}

enum db_rc dbq_exec(struct dbq *q)
{
	int rc = dbq_step(q);
	enum db_rc out = dbq_close(q);
	return rc < 0 && out == DB_OK ? DB_ERROR : out;
}

enum db_rc db_exec_id(struct db *db, enum stmt_id id)
{
	return dbq_exec(dbq_open(db, id));
}

enum db_rc dbq_select_int(struct dbq *q, int64_t *out)
{
	int rc = dbq_step(q);
	if (rc > 0)
		*out = dbq_int_col(q, 0);
	enum db_rc r = dbq_close(q);
	return r != DB_OK ? r : rc > 0 ? DB_OK : rc == 0 ? DB_NOTFOUND : DB_ERROR;
}

/* ---- connections ---- */

unsigned db_schema_version(struct db *db)
{
	return db->be->schema_version(db);
}

/* Whether target names a PostgreSQL database (a libpq URI) rather than an SQLite file. */
static bool is_postgres(const char *target)
{
	return !strncmp(target, "postgres://", 11) || !strncmp(target, "postgresql://", 13);
}

struct db_pool *db_pool_open(const char *path, unsigned nconn, char *err, size_t errlen)
{
	struct db_pool *pool = calloc(1, sizeof *pool);
	bool memory = strcmp(path, ":memory:") == 0;
	if (!pool)
		goto fail;
	pool->be = is_postgres(path) ? &db_pg : &db_sqlite;
	snprintf(pool->node, sizeof pool->node, "%08x%08x", (unsigned)getpid(),
		 (unsigned)((uintptr_t)pool >> 4));
	pool->target = strdup(path);
	/* Each connection to ":memory:" is a database of its own: one connection serves all. */
	pool->nconn = memory || nconn == 0 ? 1 : nconn;
	pool->conns = calloc(pool->nconn, sizeof *pool->conns);
	if (!pool->conns || !pool->target)
		goto fail;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->freed, NULL);
	pthread_cond_init(&pool->queued, NULL);
	for (unsigned i = 0; i < pool->nconn; i++) {
		struct db *db = &pool->conns[i];
		db->be = pool->be;
		db->pool = pool;
		if (pool->be->open(db, path, err, errlen))
			goto fail;
		if (i == 0 && pool->be->migrate(db, err, errlen))
			goto fail;
		db->next_free = pool->free;
		pool->free = db;
	}
	if (pool->be->listen_start && pool->be->listen_start(pool, path)) {
		snprintf(err, errlen, "cannot start the PostgreSQL listener");
		goto fail;
	}
	return pool;
fail:
	if (err[0] == '\0')
		snprintf(err, errlen, "out of memory");
	db_pool_close(pool);
	return NULL;
}

void db_pool_close(struct db_pool *pool)
{
	if (!pool)
		return;
	db_writer_stop(pool);
	if (pool->be && pool->be->listen_stop)
		pool->be->listen_stop(pool);
	for (unsigned i = 0; pool->conns && i < pool->nconn; i++)
		if (pool->conns[i].h)
			pool->be->close(&pool->conns[i]);
	if (pool->conns) {
		pthread_mutex_destroy(&pool->lock);
		pthread_cond_destroy(&pool->freed);
		pthread_cond_destroy(&pool->queued);
	}
	free(pool->conns);
	free(pool->target);
	free(pool);
}

struct db *db_acquire(struct db_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	while (!pool->free)
		pthread_cond_wait(&pool->freed, &pool->lock);
	struct db *db = pool->free;
	pool->free = db->next_free;
	assert(!db->held);
	db->held = true;
	pthread_mutex_unlock(&pool->lock);
	return db;
}

void db_release(struct db_pool *pool, struct db *db)
{
	/* A connection goes back with no transaction open: db_txn always ends its own, and a
	 * handler never leaves one behind. */
	assert(!db->be->in_txn(db) && "a connection released inside a transaction");
	assert(db->held && "a connection released twice");
	pthread_mutex_lock(&pool->lock);
	db->held = false;
	db->next_free = pool->free;
	pool->free = db;
	pthread_cond_signal(&pool->freed);
	pthread_mutex_unlock(&pool->lock);
}

void db_pool_on_commit(struct db_pool *pool, db_commit_hook fn, void *arg)
{
	pool->on_commit = fn;
	pool->on_commit_arg = arg;
}

void db_pool_set_retention(struct db_pool *pool, int64_t n)
{
	pool->retention = n;
}

void db_pool_on_commit_start(struct db_pool *pool, void (*fn)(void *arg), void *arg)
{
	pool->commit_start = fn;
	pool->commit_start_arg = arg;
}

/* A revision this process committed: the hook hears of every one, on the committing thread. */
static void committed(struct db_pool *pool, int64_t rev)
{
	db_pool_raise_seen(pool, rev);
	if (pool->on_commit)
		pool->on_commit(pool->on_commit_arg, rev);
}

/* COMMIT of the open transaction, which took revision rev (0: none): other nodes are told of
 * it inside the transaction (PostgreSQL's NOTIFY is delivered at commit, and only then), and
 * the commit-start hook runs as it begins. */
static enum db_rc commit(struct db *db, int64_t rev)
{
	if (rev && db->be == &db_pg) {
		/* "REVISION NODE": the listener of this process knows its own commits. */
		char payload[64];
		snprintf(payload, sizeof payload, "%lld %s", (long long)rev, db->pool->node);
		struct dbq *q = dbq_open(db, S_NOTIFY);
		dbq_text(q, 1, payload);
		enum db_rc rc = dbq_exec(q);
		if (rc != DB_OK)
			return rc;
	}
	if (db->pool->commit_start)
		db->pool->commit_start(db->pool->commit_start_arg);
	return db_exec_id(db, S_COMMIT);
}

/* ---- the transaction runner ---- */

enum db_rc db_txn(struct db *db, db_txn_fn fn, void *ctx)
{
	enum db_rc rc = DB_BUSY;
	for (int attempt = 0; attempt < TXN_ATTEMPTS && rc == DB_BUSY; attempt++) {
		db->txn_rev = 0;
		rc = db_exec_id(db, S_BEGIN);
		if (rc != DB_OK)
			continue;
		rc = fn(db, ctx);
		if (rc == DB_OK)
			rc = commit(db, db->txn_rev);
		if (rc != DB_OK && db->be->in_txn(db))
			db_exec_id(db, S_ROLLBACK);
	}
	if (rc == DB_OK && db->txn_rev)
		committed(db->pool, db->txn_rev);
	db->txn_rev = 0;
	return rc;
}

/* ---- group commit ---- */

/* At most this many jobs share one transaction (one fsync). */
enum { BATCH_MAX = 512 };

/* Runs one job inside the batch's transaction, under a savepoint of its own: a job that fails
 * leaves no trace, and each job takes its own revision. Returns the job's outcome; *fatal is
 * set when the whole transaction is unusable. */
static enum db_rc run_job(struct db *db, struct db_job *job, bool *fatal)
{
	enum db_rc rc = db_exec_id(db, S_SAVEPOINT);
	if (rc != DB_OK) {
		*fatal = true;
		return rc;
	}
	db->txn_rev = 0;
	rc = job->fn(db, job->ctx);
	job->revision = rc == DB_OK ? db->txn_rev : 0;
	if (rc != DB_OK && db_exec_id(db, S_ROLLBACK_TO) != DB_OK)
		*fatal = true;
	if (db_exec_id(db, S_RELEASE) != DB_OK)
		*fatal = true;
	/* Storage failures poison the transaction; a job's own refusal does not. */
	if (rc == DB_FULL || rc == DB_READONLY || rc == DB_ERROR || rc == DB_BUSY ||
	    rc == DB_UNAVAILABLE)
		*fatal = true;
	return rc;
}

/* Runs every job of the batch with no savepoint, for a backend where a savepoint costs two
 * round trips (PostgreSQL): true when all of them succeeded, so the batch may commit; false
 * (the transaction is then rolled back by the caller) when one did not, and the batch must run
 * again with a savepoint per job. */
static bool run_optimistic(struct db *db, struct db_job *batch, int64_t *last_rev)
{
	for (struct db_job *j = batch; j; j = j->next) {
		db->txn_rev = 0;
		j->rc = j->fn(db, j->ctx);
		j->revision = j->rc == DB_OK ? db->txn_rev : 0;
		if (j->rc != DB_OK)
			return false;
		if (j->revision > *last_rev)
			*last_rev = j->revision;
	}
	return true;
}

/* Runs a batch in one transaction. Returns the outcome of the transaction; each job's own
 * outcome is in job->rc. Retried whole when the database reports itself busy. On PostgreSQL
 * the batch first runs without savepoints (nearly every job succeeds) and only a batch in
 * which a job failed runs again, rolled back, with one savepoint per job. */
static enum db_rc run_batch(struct db *db, struct db_job *batch, int64_t *last_rev)
{
	enum db_rc rc = DB_BUSY;
	bool optimistic = db->be == &db_pg;
	for (int attempt = 0; attempt < TXN_ATTEMPTS && rc == DB_BUSY; attempt++) {
		bool fatal = false;
		*last_rev = 0;
		rc = db_exec_id(db, S_BEGIN);
		if (rc != DB_OK)
			continue;
		if (optimistic) {
			optimistic = false;
			if (run_optimistic(db, batch, last_rev)) {
				rc = commit(db, *last_rev);
				if (rc != DB_OK && db->be->in_txn(db))
					db_exec_id(db, S_ROLLBACK);
				continue;
			}
			db_exec_id(db, S_ROLLBACK);
			if (!batch->next) {
				/* One job: its rollback was the whole transaction's. */
				enum db_rc jrc = batch->rc;
				bool storage = jrc == DB_FULL || jrc == DB_READONLY ||
					       jrc == DB_ERROR || jrc == DB_UNAVAILABLE;
				rc = storage ? jrc : jrc == DB_BUSY ? DB_BUSY : DB_OK;
				continue;
			}
			rc = DB_BUSY; /* run the batch again, job by job */
			attempt--;
			continue;
		}
		for (struct db_job *j = batch; j && !fatal; j = j->next) {
			j->rc = run_job(db, j, &fatal);
			if (fatal)
				rc = j->rc != DB_OK ? j->rc : DB_ERROR;
			else if (j->revision > *last_rev)
				*last_rev = j->revision;
		}
		if (rc == DB_OK)
			rc = commit(db, *last_rev);
		if (rc != DB_OK && db->be->in_txn(db))
			db_exec_id(db, S_ROLLBACK);
	}
	db->txn_rev = 0;
	return rc;
}

static void *writer_main(void *arg)
{
	struct db_pool *pool = arg;
	pthread_mutex_lock(&pool->lock);
	for (;;) {
		while (!pool->head && !pool->writer_stop)
			pthread_cond_wait(&pool->queued, &pool->lock);
		if (!pool->head)
			break; /* stopping, and the queue is empty */
		/* Take up to BATCH_MAX jobs: everything that queued while the last batch ran. */
		struct db_job *batch = pool->head, *last = batch;
		for (unsigned n = 1; last->next && n < BATCH_MAX; n++)
			last = last->next;
		pool->head = last->next;
		if (!pool->head)
			pool->tail = NULL;
		last->next = NULL;
		pthread_mutex_unlock(&pool->lock);

		int64_t rev = 0;
		struct db *db = db_acquire(pool);
		enum db_rc rc = run_batch(db, batch, &rev);
		db_release(pool, db);
		if (rc == DB_OK && rev)
			committed(pool, rev);
		for (struct db_job *j = batch, *next; j; j = next) {
			next = j->next; /* db_done() may free j */
			if (rc != DB_OK)
				j->rc = rc; /* nothing of the batch was committed */
			j->done(j->done_arg, j->rc);
		}
		pthread_mutex_lock(&pool->lock);
	}
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

int db_writer_start(struct db_pool *pool)
{
	if (pthread_create(&pool->writer, NULL, writer_main, pool) != 0)
		return -1;
	pool->writer_running = true;
	return 0;
}

void db_writer_stop(struct db_pool *pool)
{
	if (!pool->writer_running)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->writer_stop = true;
	pthread_cond_signal(&pool->queued);
	pthread_mutex_unlock(&pool->lock);
	pthread_join(pool->writer, NULL);
	pool->writer_running = false;
}

bool db_submit(struct db_pool *pool, struct db_job *job)
{
	if (!pool->writer_running)
		return false;
	job->next = NULL;
	pthread_mutex_lock(&pool->lock);
	if (pool->tail)
		pool->tail->next = job;
	else
		pool->head = job;
	pool->tail = job;
	pthread_cond_signal(&pool->queued);
	pthread_mutex_unlock(&pool->lock);
	return true;
}
