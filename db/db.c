/* db.c — SQLite connections, the prepared-statement registry, migrations, the transaction
 * runner and group commit. The table groups live beside it: resources.c, changes.c,
 * credentials.c, ops.c. See db.h for the model and the contracts. */
#include "internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

static const char *const stmt_sql[S_COUNT] = {
#define X(id, sql) [id] = sql,
	DB_STATEMENTS(X)
#undef X
};

/* How often db_txn retries a transaction that found the database busy. Each attempt already
 * waits up to the busy timeout inside SQLite (internal.h). */
enum { TXN_ATTEMPTS = 5 };

/* Whether the file system holding the database has no room left. */
static bool disk_full(struct db *db)
{
	struct statvfs st;
	const char *path = sqlite3_db_filename(db->h, "main");
	return path && *path && statvfs(path, &st) == 0 && st.f_bavail == 0;
}

enum db_rc db_rc_of(struct db *db, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW: return DB_OK;
	case SQLITE_CONSTRAINT: return DB_CONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return DB_BUSY;
	case SQLITE_FULL:
		fprintf(stderr, "apigwd: database full: %s\n", sqlite3_errmsg(db->h));
		return DB_FULL;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		fprintf(stderr, "apigwd: database not writable: %s\n", sqlite3_errmsg(db->h));
		return DB_READONLY;
	case SQLITE_IOERR: {
		/* A full disk and an unwritable file both surface as I/O errors on writes, and
		 * SQLite's errno is not reliable by then: look at the file system itself. */
		fprintf(stderr, "apigwd: database I/O error: %s\n", sqlite3_errmsg(db->h));
		if (rc != SQLITE_IOERR_WRITE && rc != SQLITE_IOERR_FSYNC &&
		    rc != SQLITE_IOERR_TRUNCATE && rc != SQLITE_IOERR_SHMMAP)
			return DB_ERROR;
		return disk_full(db) ? DB_FULL : DB_READONLY;
	}
	default:
		fprintf(stderr, "apigwd: database error %d: %s\n", rc, sqlite3_errmsg(db->h));
		return DB_ERROR;
	}
}

/* Returns the statement, prepared and ready to bind, or NULL (logged). Borrowed. */
sqlite3_stmt *db_stmt(struct db *db, enum stmt_id id)
{
	assert(db->held && "a connection used after db_release");
	if (!db->st[id] && sqlite3_prepare_v3(db->h, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					      &db->st[id], NULL) != SQLITE_OK) {
		fprintf(stderr, "apigwd: cannot prepare \"%s\": %s\n", stmt_sql[id],
			sqlite3_errmsg(db->h));
		return NULL;
	}
	return db->st[id];
}

void db_done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

char *db_column_dup(sqlite3_stmt *s, int col, size_t *len)
{
	const unsigned char *t = sqlite3_column_text(s, col);
	size_t n = (size_t)sqlite3_column_bytes(s, col);
	char *out = malloc(n + 1);
	if (!out)
		return NULL;
	memcpy(out, t ? (const char *)t : "", n);
	out[n] = '\0';
	if (len)
		*len = n;
	return out;
}

void db_bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

void db_bind_key(sqlite3_stmt *s, const struct db_key *k)
{
	db_bind_text(s, 1, k->scope->account);
	db_bind_text(s, 2, k->scope->region);
	db_bind_text(s, 3, k->kind);
	db_bind_text(s, 4, k->parent);
	db_bind_text(s, 5, k->id);
}

/* Runs a statement that returns no rows. */
enum db_rc db_exec_stmt(struct db *db, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	enum db_rc out = rc == SQLITE_DONE ? DB_OK : db_rc_of(db, rc);
	db_done(s);
	return out;
}

enum db_rc db_exec_id(struct db *db, enum stmt_id id)
{
	sqlite3_stmt *s = db_stmt(db, id);
	return s ? db_exec_stmt(db, s) : DB_ERROR;
}

/* ---- connections and migrations ---- */

int db_exec_sql(sqlite3 *h, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	int rc = sqlite3_exec(h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return rc;
}

unsigned db_schema_version(struct db *db)
{
	sqlite3_stmt *s = NULL;
	unsigned v = 0;
	if (sqlite3_prepare_v2(db->h, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = (unsigned)sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Applies migrations newer than the database's user_version, each in its own transaction
 * that also sets user_version, so a crash leaves the database at a whole migration. */
static int migrate(struct db *db, char *err, size_t errlen)
{
	unsigned have = db_schema_version(db);
	if (have > db_migrations_count) {
		snprintf(err, errlen,
			 "the database schema is version %u but this apigwd knows only %u: "
			 "it was written by a newer apigwd; refusing to start",
			 have, db_migrations_count);
		return -1;
	}
	for (unsigned i = have; i < db_migrations_count; i++) {
		char pragma[64];
		char sub[512] = "";
		snprintf(pragma, sizeof pragma, "PRAGMA user_version = %u", i + 1);
		if (db_exec_sql(db->h, "BEGIN IMMEDIATE", sub, sizeof sub) ||
		    db_exec_sql(db->h, db_migrations[i].sql, sub, sizeof sub) ||
		    db_exec_sql(db->h, pragma, sub, sizeof sub) ||
		    db_exec_sql(db->h, "COMMIT", sub, sizeof sub)) {
			db_exec_sql(db->h, "ROLLBACK", pragma, sizeof pragma);
			snprintf(err, errlen, "migration %s failed: %s", db_migrations[i].name,
				 sub);
			return -1;
		}
	}
	return 0;
}

static int conn_open(struct db *db, const char *path, char *err, size_t errlen)
{
	int rc = sqlite3_open_v2(path, &db->h,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
			 db->h ? sqlite3_errmsg(db->h) : sqlite3_errstr(rc));
		return -1;
	}
	sqlite3_extended_result_codes(db->h, 1);
	sqlite3_busy_timeout(db->h, BUSY_TIMEOUT_MS);
	/* WAL: readers never block the writer; synchronous=FULL: a commit is on disk (fsync of
	 * the WAL) before it returns, so an acknowledged write survives power loss. */
	if (db_exec_sql(db->h,
			"PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
			err, errlen) != SQLITE_OK)
		return -1;
	return 0;
}

struct db_pool *db_pool_open(const char *path, unsigned nconn, char *err, size_t errlen)
{
	struct db_pool *pool = calloc(1, sizeof *pool);
	bool memory = strcmp(path, ":memory:") == 0;
	if (!pool)
		goto fail;
	/* Each connection to ":memory:" is a database of its own: one connection serves all. */
	pool->nconn = memory || nconn == 0 ? 1 : nconn;
	pool->conns = calloc(pool->nconn, sizeof *pool->conns);
	if (!pool->conns)
		goto fail;
	pthread_mutex_init(&pool->lock, NULL);
	pthread_cond_init(&pool->freed, NULL);
	pthread_cond_init(&pool->queued, NULL);
	for (unsigned i = 0; i < pool->nconn; i++) {
		if (conn_open(&pool->conns[i], path, err, errlen))
			goto fail;
		if (i == 0) {
			if (!memory)
				chmod(path, 0600); /* it will hold credentials: owner only */
			if (migrate(&pool->conns[0], err, errlen))
				goto fail;
		}
		pool->conns[i].pool = pool;
		pool->conns[i].next_free = pool->free;
		pool->free = &pool->conns[i];
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
	for (unsigned i = 0; pool->conns && i < pool->nconn; i++) {
		for (int j = 0; j < S_COUNT; j++)
			sqlite3_finalize(pool->conns[i].st[j]);
		sqlite3_close(pool->conns[i].h);
	}
	if (pool->conns) {
		pthread_mutex_destroy(&pool->lock);
		pthread_cond_destroy(&pool->freed);
		pthread_cond_destroy(&pool->queued);
	}
	free(pool->conns);
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
	assert(sqlite3_get_autocommit(db->h) && "a connection released inside a transaction");
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
			rc = db_exec_id(db, S_COMMIT);
		if (rc != DB_OK && !sqlite3_get_autocommit(db->h))
			db_exec_id(db, S_ROLLBACK);
	}
	if (rc == DB_OK && db->txn_rev && db->pool->on_commit)
		db->pool->on_commit(db->pool->on_commit_arg, db->txn_rev);
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
	if (rc == DB_FULL || rc == DB_READONLY || rc == DB_ERROR || rc == DB_BUSY)
		*fatal = true;
	return rc;
}

/* Runs a batch in one transaction. Returns the outcome of the transaction; each job's own
 * outcome is in job->rc. Retried whole when SQLite reports the database busy. */
static enum db_rc run_batch(struct db *db, struct db_job *batch, int64_t *last_rev)
{
	enum db_rc rc = DB_BUSY;
	for (int attempt = 0; attempt < TXN_ATTEMPTS && rc == DB_BUSY; attempt++) {
		bool fatal = false;
		*last_rev = 0;
		rc = db_exec_id(db, S_BEGIN);
		if (rc != DB_OK)
			continue;
		for (struct db_job *j = batch; j && !fatal; j = j->next) {
			j->rc = run_job(db, j, &fatal);
			if (fatal)
				rc = j->rc != DB_OK ? j->rc : DB_ERROR;
			else if (j->revision > *last_rev)
				*last_rev = j->revision;
		}
		if (rc == DB_OK)
			rc = db_exec_id(db, S_COMMIT);
		if (rc != DB_OK && !sqlite3_get_autocommit(db->h))
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
		if (rc == DB_OK && rev && pool->on_commit)
			pool->on_commit(pool->on_commit_arg, rev);
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
