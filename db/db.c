/* db.c — SQLite connections, the prepared-statement registry, migrations, the transaction
 * runner and the resource rows. See db.h for the model and the contracts. */
#include "db.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Every statement apigwd runs, prepared once per connection (SQLITE_PREPARE_PERSISTENT) the
 * first time it is used and reset after each use. */
#define DB_STATEMENTS(X)                                                                    \
	X(S_BEGIN, "BEGIN IMMEDIATE")                                                       \
	X(S_COMMIT, "COMMIT")                                                               \
	X(S_ROLLBACK, "ROLLBACK")                                                           \
	X(S_SAVEPOINT, "SAVEPOINT job")                                                     \
	X(S_RELEASE, "RELEASE job")                                                         \
	X(S_ROLLBACK_TO, "ROLLBACK TO job")                                                 \
	X(S_RES_GET, "SELECT doc, body FROM resources WHERE account=?1 AND region=?2 "     \
		     "AND kind=?3 AND parent=?4 AND id=?5")                                 \
	X(S_RES_INSERT, "INSERT INTO resources (account, region, kind, parent, id, ukey, "  \
			"ref, doc, body, rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)") \
	X(S_RES_UPDATE, "UPDATE resources SET ukey=?6, ref=?7, doc=?8, body=?9, rev=?10 "  \
			"WHERE account=?1 AND region=?2 AND kind=?3 AND parent=?4 AND id=?5") \
	X(S_RES_DELETE, "DELETE FROM resources WHERE account=?1 AND region=?2 AND kind=?3 " \
			"AND parent=?4 AND id=?5")                                          \
	X(S_RES_DELETE_TREE, "DELETE FROM resources WHERE account=?1 AND region=?2 AND "    \
			     "(parent=?3 OR (parent>=?3||'/' AND parent<?3||'0'))")          \
	X(S_RES_LIST, "SELECT seq, id, doc, body FROM resources WHERE account=?1 AND "      \
		      "region=?2 AND kind=?3 AND parent=?4 AND seq>?5 ORDER BY seq LIMIT ?6") \
	X(S_RES_REFS, "SELECT seq, id, doc, body FROM resources WHERE account=?1 AND "      \
		      "region=?2 AND kind=?3 AND parent=?4 AND ref=?5 ORDER BY seq")         \
	X(S_ID_CLAIM, "INSERT OR IGNORE INTO issued_ids (account, id) VALUES (?1, ?2)")     \
	X(S_META_GET, "SELECT value FROM meta WHERE key=?1")                                \
	X(S_META_PUT, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")              \
	X(S_REV_NEXT, "UPDATE meta SET value = value + 1 WHERE key='revision' RETURNING value") \
	X(S_CHANGE_ADD, "INSERT INTO changes (revision, account, region, root, resource, "     \
			"parent, id, op) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")              \
	X(S_CHANGE_PRUNE, "DELETE FROM changes WHERE revision <= ?1")                          \
	X(S_PRUNED_SET, "UPDATE meta SET value = ?1 WHERE key='pruned_through'")               \
	X(S_REV_GET, "SELECT (SELECT value FROM meta WHERE key='revision'), "                  \
		     "(SELECT value FROM meta WHERE key='pruned_through'), "                   \
		     "(SELECT value FROM meta WHERE key='epoch')")                             \
	X(S_CHANGES_SINCE, "SELECT revision, account, region, root, resource, parent, id, op " \
			   "FROM changes WHERE revision > ?1 AND account=?2 AND region=?3 AND "  \
			   "(?4 IS NULL OR root=?4) ORDER BY seq")                              \
	X(S_ROOT_TOUCH, "INSERT INTO roots (account, region, root, revision) VALUES "        \
			"(?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET revision=excluded.revision")      \
	X(S_ROOT_GET, "SELECT revision FROM roots WHERE account=?1 AND region=?2 AND root=?3") \
	X(S_RES_REV, "SELECT rev FROM resources WHERE account=?1 AND region=?2 AND kind=?3 "   \
		     "AND parent=?4 AND id=?5")                                                \
	X(S_CHANGES_CLEAR, "DELETE FROM changes")                                              \
	X(S_EPOCH_NEW, "UPDATE meta SET value = lower(hex(randomblob(8))) WHERE key='epoch'") \
	X(S_CRED_INSERT, "INSERT INTO credentials (access_key_id, secret, account, created) "   \
			 "VALUES (?1, ?2, ?3, ?4)")                                             \
	X(S_CRED_GET, "SELECT secret, account FROM credentials WHERE access_key_id=?1")        \
	X(S_CRED_LIST, "SELECT access_key_id, account, created FROM credentials "              \
		       "ORDER BY account, created, access_key_id")                             \
	X(S_CRED_DELETE, "DELETE FROM credentials WHERE access_key_id=?1")

enum stmt_id {
#define X(id, sql) id,
	DB_STATEMENTS(X)
#undef X
	S_COUNT
};

static const char *const stmt_sql[S_COUNT] = {
#define X(id, sql) [id] = sql,
	DB_STATEMENTS(X)
#undef X
};

struct db {
	sqlite3 *h;                 /* the connection; owned */
	sqlite3_stmt *st[S_COUNT];  /* prepared on first use; owned */
	struct db *next_free;       /* link in the pool's free list */
	struct db_pool *pool;       /* the pool it belongs to */
	int64_t txn_rev;            /* revision taken by the open transaction, 0 = none yet */
};

struct db_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct db *conns;           /* array of nconn; owned */
	unsigned nconn;
	struct db *free;            /* connections not in use */
	db_commit_hook on_commit;   /* told of every new revision, or NULL */
	void *on_commit_arg;
	int64_t retention;          /* revisions of change log kept; 0 = forever */

	/* Group commit (db_submit): one writer thread runs queued jobs in batches. */
	pthread_t writer;
	bool writer_running;
	bool writer_stop;
	pthread_cond_t queued;      /* a job was queued, or stop */
	struct db_job *head, *tail; /* the queue */
};

/* The change log is pruned when a revision is a multiple of this. */
enum { PRUNE_EVERY = 256 };

/* How often db_txn retries a transaction that found the database busy. Each attempt already
 * waits up to the busy timeout inside SQLite. */
enum { TXN_ATTEMPTS = 5, BUSY_TIMEOUT_MS = 5000 };

static enum db_rc rc_of(struct db *db, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return DB_OK;
	case SQLITE_CONSTRAINT:
		return DB_CONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return DB_BUSY;
	case SQLITE_FULL:
		fprintf(stderr, "apigwd: database full: %s\n", sqlite3_errmsg(db->h));
		return DB_FULL;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		fprintf(stderr, "apigwd: database not writable: %s\n", sqlite3_errmsg(db->h));
		return DB_READONLY;
	case SQLITE_IOERR:
		/* ENOSPC surfaces as an I/O error on some writes. */
		fprintf(stderr, "apigwd: database I/O error: %s\n", sqlite3_errmsg(db->h));
		return (rc == SQLITE_IOERR_WRITE || rc == SQLITE_IOERR_FSYNC) ? DB_FULL : DB_ERROR;
	default:
		fprintf(stderr, "apigwd: database error %d: %s\n", rc, sqlite3_errmsg(db->h));
		return DB_ERROR;
	}
}

/* Returns the statement, prepared and ready to bind, or NULL (logged). Borrowed. */
static sqlite3_stmt *stmt(struct db *db, enum stmt_id id)
{
	if (!db->st[id] && sqlite3_prepare_v3(db->h, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
					      &db->st[id], NULL) != SQLITE_OK) {
		fprintf(stderr, "apigwd: cannot prepare \"%s\": %s\n", stmt_sql[id],
			sqlite3_errmsg(db->h));
		return NULL;
	}
	return db->st[id];
}

static void done(sqlite3_stmt *s)
{
	sqlite3_reset(s);
	sqlite3_clear_bindings(s);
}

static char *column_dup(sqlite3_stmt *s, int col, size_t *len)
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

static void bind_text(sqlite3_stmt *s, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

static void bind_key(sqlite3_stmt *s, const struct db_key *k)
{
	bind_text(s, 1, k->scope->account);
	bind_text(s, 2, k->scope->region);
	bind_text(s, 3, k->kind);
	bind_text(s, 4, k->parent);
	bind_text(s, 5, k->id);
}

/* Runs a statement that returns no rows. */
static enum db_rc exec_stmt(struct db *db, sqlite3_stmt *s)
{
	int rc = sqlite3_step(s);
	enum db_rc out = rc == SQLITE_DONE ? DB_OK : rc_of(db, rc);
	done(s);
	return out;
}

static enum db_rc exec_id(struct db *db, enum stmt_id id)
{
	sqlite3_stmt *s = stmt(db, id);
	return s ? exec_stmt(db, s) : DB_ERROR;
}

/* ---- connections and migrations ---- */

static int exec_sql(sqlite3 *h, const char *sql, char *err, size_t errlen)
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
		if (exec_sql(db->h, "BEGIN IMMEDIATE", sub, sizeof sub) ||
		    exec_sql(db->h, db_migrations[i].sql, sub, sizeof sub) ||
		    exec_sql(db->h, pragma, sub, sizeof sub) ||
		    exec_sql(db->h, "COMMIT", sub, sizeof sub)) {
			exec_sql(db->h, "ROLLBACK", pragma, sizeof pragma);
			snprintf(err, errlen, "migration %s failed: %s", db_migrations[i].name, sub);
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
	if (exec_sql(db->h,
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
				chmod(path, 0600);  /* it will hold credentials: owner only */
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
	pthread_mutex_unlock(&pool->lock);
	return db;
}

void db_release(struct db_pool *pool, struct db *db)
{
	pthread_mutex_lock(&pool->lock);
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
		rc = exec_id(db, S_BEGIN);
		if (rc != DB_OK)
			continue;
		rc = fn(db, ctx);
		if (rc == DB_OK)
			rc = exec_id(db, S_COMMIT);
		if (rc != DB_OK && !sqlite3_get_autocommit(db->h))
			exec_id(db, S_ROLLBACK);
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
	enum db_rc rc = exec_id(db, S_SAVEPOINT);
	if (rc != DB_OK) {
		*fatal = true;
		return rc;
	}
	db->txn_rev = 0;
	rc = job->fn(db, job->ctx);
	job->revision = rc == DB_OK ? db->txn_rev : 0;
	if (rc != DB_OK && exec_id(db, S_ROLLBACK_TO) != DB_OK)
		*fatal = true;
	if (exec_id(db, S_RELEASE) != DB_OK)
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
		rc = exec_id(db, S_BEGIN);
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
			rc = exec_id(db, S_COMMIT);
		if (rc != DB_OK && !sqlite3_get_autocommit(db->h))
			exec_id(db, S_ROLLBACK);
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
			break;  /* stopping, and the queue is empty */
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
			next = j->next;  /* done() may free j */
			if (rc != DB_OK)
				j->rc = rc;  /* nothing of the batch was committed */
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

/* ---- revisions and the change log ---- */

/* Takes the transaction's revision on its first change (pruning the log now and then). */
static enum db_rc take_revision(struct db *db)
{
	sqlite3_stmt *s;
	enum db_rc rc;
	if (db->txn_rev)
		return DB_OK;
	if (!(s = stmt(db, S_REV_NEXT)))
		return DB_ERROR;
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		db->txn_rev = sqlite3_column_int64(s, 0);
	rc = r == SQLITE_ROW ? DB_OK : rc_of(db, r);
	done(s);
	if (rc != DB_OK || !db->pool->retention || db->txn_rev % PRUNE_EVERY)
		return rc;
	int64_t through = db->txn_rev - db->pool->retention;
	if (through <= 0)
		return DB_OK;
	if (!(s = stmt(db, S_CHANGE_PRUNE)))
		return DB_ERROR;
	sqlite3_bind_int64(s, 1, through);
	if ((rc = exec_stmt(db, s)) != DB_OK || !(s = stmt(db, S_PRUNED_SET)))
		return rc != DB_OK ? rc : DB_ERROR;
	sqlite3_bind_int64(s, 1, through);
	return exec_stmt(db, s);
}

/* Logs one change of the open transaction. */
static enum db_rc record_change(struct db *db, const struct db_key *k, const char *op)
{
	enum db_rc rc = take_revision(db);
	sqlite3_stmt *s = rc == DB_OK ? stmt(db, S_CHANGE_ADD) : NULL;
	if (!s)
		return rc != DB_OK ? rc : DB_ERROR;
	size_t rootlen = k->parent[0] ? strcspn(k->parent, "/") : strlen(k->id);
	sqlite3_bind_int64(s, 1, db->txn_rev);
	bind_text(s, 2, k->scope->account);
	bind_text(s, 3, k->scope->region);
	sqlite3_bind_text(s, 4, k->parent[0] ? k->parent : k->id, (int)rootlen, SQLITE_STATIC);
	bind_text(s, 5, k->kind);
	bind_text(s, 6, k->parent);
	bind_text(s, 7, k->id);
	bind_text(s, 8, op);
	if ((rc = exec_stmt(db, s)) != DB_OK || !(s = stmt(db, S_ROOT_TOUCH)))
		return rc != DB_OK ? rc : DB_ERROR;
	bind_text(s, 1, k->scope->account);
	bind_text(s, 2, k->scope->region);
	sqlite3_bind_text(s, 3, k->parent[0] ? k->parent : k->id, (int)rootlen, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, db->txn_rev);
	return exec_stmt(db, s);
}

/* Runs a one-integer SELECT bound to k (bind_key) or to (account, region, root). */
static enum db_rc select_int(struct db *db, sqlite3_stmt *s, int64_t *out)
{
	int rc = sqlite3_step(s);
	enum db_rc r = rc == SQLITE_ROW ? DB_OK : rc == SQLITE_DONE ? DB_NOTFOUND : rc_of(db, rc);
	if (r == DB_OK)
		*out = sqlite3_column_int64(s, 0);
	done(s);
	return r;
}

int64_t db_txn_revision(const struct db *db)
{
	return db->txn_rev;
}

enum db_rc db_root_revision(struct db *db, const struct db_scope *scope, const char *root,
			    int64_t *rev)
{
	sqlite3_stmt *s = stmt(db, S_ROOT_GET);
	if (!s)
		return DB_ERROR;
	bind_text(s, 1, scope->account);
	bind_text(s, 2, scope->region);
	bind_text(s, 3, root);
	return select_int(db, s, rev);
}

enum db_rc db_res_revision(struct db *db, const struct db_key *k, int64_t *rev)
{
	sqlite3_stmt *s = stmt(db, S_RES_REV);
	if (!s)
		return DB_ERROR;
	bind_key(s, k);
	return select_int(db, s, rev);
}

enum db_rc db_revision(struct db *db, int64_t *current, int64_t *oldest, char **epoch)
{
	sqlite3_stmt *s = stmt(db, S_REV_GET);
	enum db_rc out;
	if (!s)
		return DB_ERROR;
	int rc = sqlite3_step(s);
	out = rc == SQLITE_ROW ? DB_OK : rc_of(db, rc);
	if (out == DB_OK) {
		if (current)
			*current = sqlite3_column_int64(s, 0);
		if (oldest)
			*oldest = sqlite3_column_int64(s, 1);
		if (epoch && !(*epoch = column_dup(s, 2, NULL)))
			out = DB_ERROR;
	}
	done(s);
	return out;
}

enum db_rc db_changes_since(struct db *db, const struct db_scope *scope, int64_t since,
			    const char *root, unsigned limit, db_change_fn fn, void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_CHANGES_SINCE);
	unsigned n = 0;
	int64_t last = 0;
	int rc;
	if (!s)
		return DB_ERROR;
	sqlite3_bind_int64(s, 1, since);
	bind_text(s, 2, scope->account);
	bind_text(s, 3, scope->region);
	bind_text(s, 4, root);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct db_change ch = {
			.revision = sqlite3_column_int64(s, 0),
			.account = (const char *)sqlite3_column_text(s, 1),
			.region = (const char *)sqlite3_column_text(s, 2),
			.root = (const char *)sqlite3_column_text(s, 3),
			.resource = (const char *)sqlite3_column_text(s, 4),
			.parent = (const char *)sqlite3_column_text(s, 5),
			.id = (const char *)sqlite3_column_text(s, 6),
			.op = (const char *)sqlite3_column_text(s, 7),
		};
		if (n >= limit && ch.revision != last)
			break;  /* whole revisions only */
		last = ch.revision;
		n++;
		if (!fn(&ch, ctx))
			break;
	}
	enum db_rc out = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? DB_OK : rc_of(db, rc);
	done(s);
	return out;
}

enum db_rc db_new_epoch(struct db *db)
{
	int64_t current = 0;
	enum db_rc rc = db_revision(db, &current, NULL, NULL);
	sqlite3_stmt *s;
	if (rc == DB_OK)
		rc = exec_id(db, S_CHANGES_CLEAR);
	if (rc == DB_OK)
		rc = exec_id(db, S_EPOCH_NEW);
	if (rc == DB_OK && (s = stmt(db, S_PRUNED_SET))) {
		sqlite3_bind_int64(s, 1, current);
		rc = exec_stmt(db, s);
	}
	return rc;
}

/* ---- resources ---- */

enum db_rc db_res_get(struct db *db, const struct db_key *k, char **doc, char **body,
		      size_t *body_len)
{
	sqlite3_stmt *s = stmt(db, S_RES_GET);
	enum db_rc out = DB_ERROR;
	if (!s)
		return DB_ERROR;
	bind_key(s, k);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out = DB_OK;
		if (doc && !(*doc = column_dup(s, 0, NULL)))
			out = DB_ERROR;
		if (body && !(*body = column_dup(s, 1, body_len)))
			out = DB_ERROR;
	} else {
		out = rc == SQLITE_DONE ? DB_NOTFOUND : rc_of(db, rc);
	}
	done(s);
	return out;
}

static enum db_rc write_row(struct db *db, enum stmt_id id, const struct db_key *k,
			    const char *ukey, const char *ref, const char *doc, const char *body)
{
	/* The row carries the revision of its last write: take it first. */
	enum db_rc rc = take_revision(db);
	sqlite3_stmt *s = rc == DB_OK ? stmt(db, id) : NULL;
	if (!s)
		return rc != DB_OK ? rc : DB_ERROR;
	bind_key(s, k);
	bind_text(s, 6, ukey);
	bind_text(s, 7, ref);
	bind_text(s, 8, doc);
	bind_text(s, 9, body);
	sqlite3_bind_int64(s, 10, db->txn_rev);
	rc = exec_stmt(db, s);
	if (rc == DB_OK && sqlite3_changes(db->h) == 0)
		rc = DB_NOTFOUND;
	if (rc == DB_OK)
		rc = record_change(db, k, id == S_RES_INSERT ? "create" : "update");
	return rc;
}

enum db_rc db_res_insert(struct db *db, const struct db_key *k, const char *ukey,
			 const char *ref, const char *doc, const char *body)
{
	return write_row(db, S_RES_INSERT, k, ukey, ref, doc, body);
}

enum db_rc db_res_update(struct db *db, const struct db_key *k, const char *ukey,
			 const char *ref, const char *doc, const char *body)
{
	return write_row(db, S_RES_UPDATE, k, ukey, ref, doc, body);
}

enum db_rc db_res_delete_row(struct db *db, const struct db_key *k)
{
	sqlite3_stmt *s = stmt(db, S_RES_DELETE);
	if (!s)
		return DB_ERROR;
	bind_key(s, k);
	enum db_rc rc = exec_stmt(db, s);
	if (rc != DB_OK)
		return rc;
	if (sqlite3_changes(db->h) == 0)
		return DB_NOTFOUND;
	return record_change(db, k, "delete");
}

enum db_rc db_res_delete(struct db *db, const struct db_key *k)
{
	sqlite3_stmt *s;
	enum db_rc rc = db_res_delete_row(db, k);
	if (rc != DB_OK)
		return rc;

	/* The subtree: rows whose parent path is, or starts with, this row's own path. */
	size_t plen = strlen(k->parent), ilen = strlen(k->id);
	char *path = malloc(plen + ilen + 2);
	if (!path)
		return DB_ERROR;
	if (plen)
		snprintf(path, plen + ilen + 2, "%s/%s", k->parent, k->id);
	else
		memcpy(path, k->id, ilen + 1);
	s = stmt(db, S_RES_DELETE_TREE);
	if (s) {
		bind_text(s, 1, k->scope->account);
		bind_text(s, 2, k->scope->region);
		sqlite3_bind_text(s, 3, path, -1, SQLITE_STATIC);
		rc = exec_stmt(db, s);
	} else {
		rc = DB_ERROR;
	}
	free(path);
	return rc;
}

/* Steps s, passing up to `max` rows to fn. *more (may be NULL) tells whether a row remains
 * after the last one passed, whether the limit or fn stopped the walk. */
static enum db_rc each_row(struct db *db, sqlite3_stmt *s, unsigned max, db_row_fn fn,
			   void *ctx, bool *more)
{
	int rc;
	unsigned n = 0;
	bool remains = false;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (n == max) {
			remains = true;
			break;
		}
		struct db_row row = {
			.seq = sqlite3_column_int64(s, 0),
			.id = (const char *)sqlite3_column_text(s, 1),
			.doc = (const char *)sqlite3_column_text(s, 2),
			.body = (const char *)sqlite3_column_text(s, 3),
			.body_len = (size_t)sqlite3_column_bytes(s, 3),
		};
		n++;
		if (!fn(&row, ctx)) {
			rc = sqlite3_step(s);
			remains = rc == SQLITE_ROW;
			break;
		}
	}
	enum db_rc out = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? DB_OK : rc_of(db, rc);
	done(s);
	if (more)
		*more = remains;
	return out;
}

enum db_rc db_res_list(struct db *db, const struct db_key *k, int64_t after_seq,
		       unsigned limit, db_row_fn fn, void *ctx, bool *more)
{
	sqlite3_stmt *s = stmt(db, S_RES_LIST);
	if (!s)
		return DB_ERROR;
	bind_key(s, k);
	sqlite3_bind_int64(s, 5, after_seq);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)limit + 1);  /* one more: is there a next page? */
	return each_row(db, s, limit, fn, ctx, more);
}

enum db_rc db_res_refs(struct db *db, const struct db_key *k, const char *ref, db_row_fn fn,
		       void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_RES_REFS);
	if (!s)
		return DB_ERROR;
	bind_key(s, k);
	bind_text(s, 5, ref);
	return each_row(db, s, UINT32_MAX, fn, ctx, NULL);
}

enum db_rc db_id_claim(struct db *db, const char *account, const char *id)
{
	sqlite3_stmt *s = stmt(db, S_ID_CLAIM);
	if (!s)
		return DB_ERROR;
	bind_text(s, 1, account);
	bind_text(s, 2, id);
	enum db_rc rc = exec_stmt(db, s);
	if (rc == DB_OK && sqlite3_changes(db->h) == 0)
		rc = DB_CONFLICT;
	return rc;
}

enum db_rc db_meta_get(struct db *db, const char *key, void **val, size_t *len)
{
	sqlite3_stmt *s = stmt(db, S_META_GET);
	enum db_rc out;
	if (!s)
		return DB_ERROR;
	bind_text(s, 1, key);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*len = (size_t)sqlite3_column_bytes(s, 0);
		*val = malloc(*len ? *len : 1);
		out = *val ? DB_OK : DB_ERROR;
		if (*val && *len)
			memcpy(*val, sqlite3_column_blob(s, 0), *len);
	} else {
		out = rc == SQLITE_DONE ? DB_NOTFOUND : rc_of(db, rc);
	}
	done(s);
	return out;
}

enum db_rc db_meta_put(struct db *db, const char *key, const void *val, size_t len)
{
	sqlite3_stmt *s = stmt(db, S_META_PUT);
	if (!s)
		return DB_ERROR;
	bind_text(s, 1, key);
	sqlite3_bind_blob(s, 2, val, (int)len, SQLITE_STATIC);
	return exec_stmt(db, s);
}

/* ---- operations: reset, export and import, backup and restore, health, metrics ----
 * Rare, whole-database operations (server/ops.c, server/state.c, server/cli_admin.c and
 * server/metrics.c use them); their statements are prepared on each call, not kept. */

/* Runs one statement of `sql` with no bound values and no rows wanted. */
static enum db_rc ops_exec(struct db *db, const char *sql)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db->h, sql, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	enum db_rc out = rc == SQLITE_DONE || rc == SQLITE_ROW ? DB_OK : rc_of(db, rc);
	sqlite3_finalize(s);
	return out;
}

/* The one integer a single-row SELECT or PRAGMA answers. */
static enum db_rc ops_int(struct db *db, const char *sql, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db->h, sql, -1, &s, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_step(s);
	enum db_rc r = rc == SQLITE_ROW ? DB_OK : rc == SQLITE_DONE ? DB_NOTFOUND : rc_of(db, rc);
	if (r == DB_OK)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return r;
}

enum db_rc db_reset(struct db *db)
{
	/* The revision first, so that db_txn tells the commit hook (held requests wake up and
	 * find their resources gone); db_new_epoch then marks the history before it as gone. */
	enum db_rc rc = take_revision(db);
	if (rc == DB_OK)
		rc = ops_exec(db, "DELETE FROM resources");
	if (rc == DB_OK)
		rc = ops_exec(db, "DELETE FROM issued_ids");
	if (rc == DB_OK)
		rc = ops_exec(db, "DELETE FROM roots");
	if (rc == DB_OK)
		rc = db_new_epoch(db);
	return rc;
}

enum db_rc db_res_count(struct db *db, int64_t *n)
{
	return ops_int(db, "SELECT count(*) FROM resources", n);
}

enum db_rc db_dump_resources(struct db *db, db_dump_fn fn, void *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db->h,
				    "SELECT account, region, kind, parent, id, ukey, ref, doc, body "
				    "FROM resources ORDER BY seq",
				    -1, &s, NULL);
	while (s && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct db_dump_row row = {
			.account = (const char *)sqlite3_column_text(s, 0),
			.region = (const char *)sqlite3_column_text(s, 1),
			.kind = (const char *)sqlite3_column_text(s, 2),
			.parent = (const char *)sqlite3_column_text(s, 3),
			.id = (const char *)sqlite3_column_text(s, 4),
			.ukey = (const char *)sqlite3_column_text(s, 5),
			.ref = (const char *)sqlite3_column_text(s, 6),
			.doc = (const char *)sqlite3_column_text(s, 7),
			.body = (const char *)sqlite3_column_text(s, 8),
		};
		if (!fn(&row, ctx)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	enum db_rc out = rc == SQLITE_DONE ? DB_OK : rc_of(db, rc);
	sqlite3_finalize(s);
	return out;
}

enum db_rc db_dump_issued_ids(struct db *db, db_issued_fn fn, void *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc = sqlite3_prepare_v2(db->h, "SELECT account, id FROM issued_ids ORDER BY account, id",
				    -1, &s, NULL);
	while (s && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!fn((const char *)sqlite3_column_text(s, 0),
			(const char *)sqlite3_column_text(s, 1), ctx)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	enum db_rc out = rc == SQLITE_DONE ? DB_OK : rc_of(db, rc);
	sqlite3_finalize(s);
	return out;
}

enum db_rc db_size_bytes(struct db *db, int64_t *bytes)
{
	int64_t pages = 0, size = 0;
	enum db_rc rc = ops_int(db, "PRAGMA page_count", &pages);
	if (rc == DB_OK)
		rc = ops_int(db, "PRAGMA page_size", &size);
	if (rc == DB_OK)
		*bytes = pages * size;
	return rc;
}

enum db_rc db_can_write(struct db *db, unsigned wait_ms)
{
	sqlite3_busy_timeout(db->h, (int)wait_ms);
	enum db_rc rc = exec_id(db, S_BEGIN);
	if (rc == DB_OK)
		rc = exec_id(db, S_ROLLBACK);
	else if (!sqlite3_get_autocommit(db->h))
		exec_id(db, S_ROLLBACK);
	sqlite3_busy_timeout(db->h, BUSY_TIMEOUT_MS);
	return rc;
}

/* The commit-start hook: SQLite calls it as a COMMIT begins, on the committing thread. */
static struct {
	void (*fn)(void *arg);
	void *arg;
} commit_start;

static int on_commit_start(void *arg)
{
	(void)arg;
	commit_start.fn(commit_start.arg);
	return 0;  /* go on with the commit */
}

void db_pool_on_commit_start(struct db_pool *pool, void (*fn)(void *arg), void *arg)
{
	commit_start.fn = fn;
	commit_start.arg = arg;
	for (unsigned i = 0; i < pool->nconn; i++)
		sqlite3_commit_hook(pool->conns[i].h, fn ? on_commit_start : NULL, NULL);
}

/* Opens path for the backup functions; err gets a sentence on failure. */
static sqlite3 *ops_open(const char *path, int flags, char *err, size_t len)
{
	sqlite3 *h = NULL;
	int rc = sqlite3_open_v2(path, &h, flags | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		snprintf(err, len, "cannot open %s: %s", path, h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
		sqlite3_close(h);
		return NULL;
	}
	sqlite3_extended_result_codes(h, 1);
	sqlite3_busy_timeout(h, BUSY_TIMEOUT_MS);
	return h;
}

/* Copies every page of src into dst with the online backup API, in one step: one read
 * transaction on src, so the copy is one consistent state even while others write (WAL
 * readers do not block writers). */
static int ops_copy(sqlite3 *dst, sqlite3 *src, const char *what, char *err, size_t len)
{
	sqlite3_backup *b = sqlite3_backup_init(dst, "main", src, "main");
	int rc;
	if (!b) {
		snprintf(err, len, "%s: %s", what, sqlite3_errmsg(dst));
		return -1;
	}
	/* Busy or locked: another connection holds a lock for a moment; try again. */
	for (int tries = 0;; tries++) {
		rc = sqlite3_backup_step(b, -1);
		if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || tries == 200)
			break;
		sqlite3_sleep(25);
	}
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		snprintf(err, len, "%s: %s", what,
			 sqlite3_errcode(dst) != SQLITE_OK ? sqlite3_errmsg(dst) : sqlite3_errstr(rc));
		return -1;
	}
	return 0;
}

/* The one integer of a single-row query, without logging a failure (which the caller
 * reports as a sentence). */
static bool quiet_int(sqlite3 *h, const char *sql, int64_t *out)
{
	sqlite3_stmt *s = NULL;
	bool ok = sqlite3_prepare_v2(h, sql, -1, &s, NULL) == SQLITE_OK &&
		  sqlite3_step(s) == SQLITE_ROW;
	if (ok)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return ok;
}

/* Whether h holds an apigwd database that is whole: it has the resources and meta tables,
 * a schema this binary knows, and passes PRAGMA quick_check. */
static int ops_check_apigwd(sqlite3 *h, const char *path, char *err, size_t len)
{
	int64_t tables = 0, version = 0;
	char *msg = NULL;
	sqlite3_stmt *s = NULL;
	int ok = 0;
	if (!quiet_int(h, "SELECT count(*) FROM sqlite_master WHERE type='table' AND "
			  "name IN ('resources', 'meta')", &tables) || tables != 2) {
		snprintf(err, len, "%s is not an apigwd database", path);
		return -1;
	}
	if (!quiet_int(h, "PRAGMA user_version", &version) ||
	    version > (int64_t)db_migrations_count) {
		snprintf(err, len, "%s has schema version %lld, newer than this apigwd knows (%u)",
			 path, (long long)version, db_migrations_count);
		return -1;
	}
	if (sqlite3_prepare_v2(h, "PRAGMA quick_check", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW) {
		const char *r = (const char *)sqlite3_column_text(s, 0);
		ok = r && strcmp(r, "ok") == 0;
		if (!ok)
			msg = sqlite3_mprintf("%s", r ? r : "?");
	}
	sqlite3_finalize(s);
	if (!ok)
		snprintf(err, len, "%s fails its integrity check: %s", path, msg ? msg : sqlite3_errmsg(h));
	sqlite3_free(msg);
	return ok ? 0 : -1;
}

int db_backup(const char *src_path, const char *dst_path, char *err, size_t len)
{
	char tmp_path[4096];
	sqlite3 *src = NULL, *dst = NULL;
	int status = -1;
	struct stat st;
	if (strcmp(src_path, ":memory:") == 0) {
		snprintf(err, len, "an in-memory database (:memory:) cannot be backed up from outside");
		return -1;
	}
	if (stat(src_path, &st) != 0) {
		snprintf(err, len, "no database at %s", src_path);
		return -1;
	}
	if ((size_t)snprintf(tmp_path, sizeof tmp_path, "%s.tmp", dst_path) >= sizeof tmp_path) {
		snprintf(err, len, "path too long: %s", dst_path);
		return -1;
	}
	remove(tmp_path);
	if (!(src = ops_open(src_path, SQLITE_OPEN_READWRITE, err, len)) ||
	    ops_check_apigwd(src, src_path, err, len) ||
	    !(dst = ops_open(tmp_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err, len)) ||
	    ops_copy(dst, src, "backup", err, len))
		goto out;
	/* The copy took the source's WAL mode; a backup is one self-contained file. */
	if (exec_sql(dst, "PRAGMA journal_mode=DELETE", err, len) != SQLITE_OK)
		goto out;
	sqlite3_close(dst);
	dst = NULL;
	chmod(tmp_path, 0600);  /* it holds credentials, as the database does */
	if (rename(tmp_path, dst_path) != 0) {
		snprintf(err, len, "cannot rename %s to %s", tmp_path, dst_path);
		goto out;
	}
	status = 0;
out:
	sqlite3_close(dst);
	sqlite3_close(src);
	if (status) {
		remove(tmp_path);
		char side[4200];
		snprintf(side, sizeof side, "%s-wal", tmp_path);
		remove(side);
		snprintf(side, sizeof side, "%s-shm", tmp_path);
		remove(side);
	}
	return status;
}

static enum db_rc restore_epoch(struct db *db, void *ctx)
{
	(void)ctx;
	return db_new_epoch(db);
}

int db_restore(const char *backup_path, const char *db_path, char *err, size_t len)
{
	sqlite3 *src = NULL, *dst = NULL;
	int status = -1;
	struct stat st;
	if (stat(backup_path, &st) != 0) {
		snprintf(err, len, "no backup at %s", backup_path);
		return -1;
	}
	if (!(src = ops_open(backup_path, SQLITE_OPEN_READONLY, err, len)) ||
	    ops_check_apigwd(src, backup_path, err, len) ||
	    !(dst = ops_open(db_path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, err, len)))
		goto out;
	/* Every open connection (a running apigwd) holds a shared lock on the file: an
	 * exclusive lock is only granted when nobody else has the database open. */
	sqlite3_busy_timeout(dst, 0);
	if (exec_sql(dst, "PRAGMA locking_mode=EXCLUSIVE", err, len) != SQLITE_OK ||
	    exec_sql(dst, "BEGIN EXCLUSIVE; COMMIT", err, len) != SQLITE_OK) {
		snprintf(err, len, "%s is in use (is apigwd running on it?): stop the server first",
			 db_path);
		goto out;
	}
	if (ops_copy(dst, src, "restore", err, len))
		goto out;
	sqlite3_close(dst);
	dst = NULL;
	/* Opening it as the server would applies pending migrations; then a new epoch tells
	 * data-plane workers that revisions they knew mean nothing now. */
	struct db_pool *pool = db_pool_open(db_path, 1, err, len);
	if (!pool)
		goto out;
	struct db *db = db_acquire(pool);
	enum db_rc rc = db_txn(db, restore_epoch, NULL);
	db_release(pool, db);
	db_pool_close(pool);
	if (rc != DB_OK) {
		snprintf(err, len, "cannot start a new epoch in %s (error %d)", db_path, (int)rc);
		goto out;
	}
	status = 0;
out:
	sqlite3_close(dst);
	sqlite3_close(src);
	return status;
}

/* ---- credentials (--auth sigv4; server/auth.c, server/cli_credentials.c) ---- */

enum db_rc db_cred_create(struct db *db, const char *akid, const char *secret,
			  const char *account, const char *created)
{
	sqlite3_stmt *s = stmt(db, S_CRED_INSERT);
	if (!s)
		return DB_ERROR;
	bind_text(s, 1, akid);
	bind_text(s, 2, secret);
	bind_text(s, 3, account);
	bind_text(s, 4, created);
	return exec_stmt(db, s);
}

enum db_rc db_cred_get(struct db *db, const char *akid, char **secret, char **account)
{
	sqlite3_stmt *s = stmt(db, S_CRED_GET);
	enum db_rc out;
	if (!s)
		return DB_ERROR;
	*secret = *account = NULL;
	bind_text(s, 1, akid);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*secret = column_dup(s, 0, NULL);
		*account = column_dup(s, 1, NULL);
		out = *secret && *account ? DB_OK : DB_ERROR;
		if (out != DB_OK) {
			free(*secret);
			free(*account);
			*secret = *account = NULL;
		}
	} else {
		out = rc == SQLITE_DONE ? DB_NOTFOUND : rc_of(db, rc);
	}
	done(s);
	return out;
}

enum db_rc db_cred_list(struct db *db, db_cred_fn fn, void *ctx)
{
	sqlite3_stmt *s = stmt(db, S_CRED_LIST);
	int rc;
	if (!s)
		return DB_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct db_cred c = {
			.access_key_id = (const char *)sqlite3_column_text(s, 0),
			.account = (const char *)sqlite3_column_text(s, 1),
			.created = (const char *)sqlite3_column_text(s, 2),
		};
		if (!fn(&c, ctx)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	enum db_rc out = rc == SQLITE_DONE ? DB_OK : rc_of(db, rc);
	done(s);
	return out;
}

enum db_rc db_cred_delete(struct db *db, const char *akid)
{
	sqlite3_stmt *s = stmt(db, S_CRED_DELETE);
	if (!s)
		return DB_ERROR;
	bind_text(s, 1, akid);
	enum db_rc rc = exec_stmt(db, s);
	if (rc == DB_OK && sqlite3_changes(db->h) == 0)
		rc = DB_NOTFOUND;
	return rc;
}
