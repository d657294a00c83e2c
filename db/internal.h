/* internal.h — what the files of db/ share and nothing outside db/ sees: the connection and
 * pool structures, the statement registry and the helpers every table group uses. */
#ifndef APIGWD_DB_INTERNAL_H
#define APIGWD_DB_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* Every statement apigwd runs, in SQLite's dialect and PostgreSQL's (NULL: the same text with
 * ?N written $N; "": nothing to run, another statement does its work), prepared once per
 * connection the first time it is used. */
#define DB_STATEMENTS(X)                                                                           \
	X(S_BEGIN, "BEGIN IMMEDIATE", "BEGIN")                                                     \
	X(S_COMMIT, "COMMIT", NULL)                                                                \
	X(S_ROLLBACK, "ROLLBACK", NULL)                                                            \
	X(S_SAVEPOINT, "SAVEPOINT job", NULL)                                                      \
	X(S_RELEASE, "RELEASE job", NULL)                                                          \
	X(S_ROLLBACK_TO, "ROLLBACK TO job", NULL)                                                  \
	X(S_RES_GET,                                                                               \
	  "SELECT doc, body FROM resources WHERE account=?1 AND region=?2 "                        \
	  "AND kind=?3 AND parent=?4 AND id=?5",                                                   \
	  NULL)                                                                                    \
	X(S_RES_INSERT,                                                                            \
	  "INSERT INTO resources (account, region, kind, parent, id, ukey, "                       \
	  "ref, doc, body, rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",                 \
	  "INSERT INTO resources (account, region, kind, parent, id, ukey, ref, doc, body, rev) "  \
	  "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING")               \
	X(S_RES_UPDATE,                                                                            \
	  "UPDATE resources SET ukey=?6, ref=?7, doc=?8, body=?9, rev=?10 "                        \
	  "WHERE account=?1 AND region=?2 AND kind=?3 AND parent=?4 AND id=?5",                    \
	  NULL)                                                                                    \
	X(S_RES_DELETE,                                                                            \
	  "DELETE FROM resources WHERE account=?1 AND region=?2 AND kind=?3 "                      \
	  "AND parent=?4 AND id=?5",                                                               \
	  NULL)                                                                                    \
	X(S_RES_DELETE_TREE,                                                                       \
	  "DELETE FROM resources WHERE account=?1 AND region=?2 AND "                              \
	  "(parent=?3 OR (parent>=?3||'/' AND parent<?3||'0'))",                                   \
	  "DELETE FROM resources WHERE account=$1 AND region=$2 AND "                              \
	  "(parent=$3::text OR (parent>=$3::text||'/' AND parent<$3::text||'0'))")                 \
	X(S_RES_LIST,                                                                              \
	  "SELECT seq, id, doc, body FROM resources WHERE account=?1 AND "                         \
	  "region=?2 AND kind=?3 AND parent=?4 AND seq>?5 ORDER BY seq LIMIT ?6",                  \
	  NULL)                                                                                    \
	X(S_RES_REFS,                                                                              \
	  "SELECT seq, id, doc, body FROM resources WHERE account=?1 AND "                         \
	  "region=?2 AND kind=?3 AND parent=?4 AND ref=?5 ORDER BY seq",                           \
	  NULL)                                                                                    \
	X(S_ID_CLAIM, "INSERT OR IGNORE INTO issued_ids (account, id) VALUES (?1, ?2)",            \
	  "INSERT INTO issued_ids (account, id) VALUES ($1, $2) ON CONFLICT DO NOTHING")           \
	X(S_META_GET, "SELECT value FROM meta WHERE key=?1", NULL)                                 \
	X(S_META_PUT, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)",                  \
	  "INSERT INTO meta (key, value) VALUES ($1, $2) "                                         \
	  "ON CONFLICT (key) DO UPDATE SET value=excluded.value")                                  \
	X(S_REV_NEXT, "UPDATE meta SET value = value + 1 WHERE key='revision' RETURNING value",    \
	  "UPDATE counters SET value = value + 1 WHERE name='revision' RETURNING value")           \
	X(S_CHANGE_ADD,                                                                            \
	  "INSERT INTO changes (revision, account, region, root, resource, "                       \
	  "parent, id, op) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",                               \
	  "WITH c AS (INSERT INTO changes (revision, account, region, root, resource, parent, "    \
	  "id, op) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)) INSERT INTO roots (account, region, "  \
	  "root, revision) VALUES ($2, $3, $4, $1) ON CONFLICT (account, region, root) DO UPDATE " \
	  "SET revision=excluded.revision")                                                        \
	X(S_CHANGE_PRUNE, "DELETE FROM changes WHERE revision <= ?1", NULL)                        \
	X(S_PRUNED_SET, "UPDATE meta SET value = ?1 WHERE key='pruned_through'",                   \
	  "UPDATE counters SET value = $1 WHERE name='pruned_through'")                            \
	X(S_REV_GET,                                                                               \
	  "SELECT (SELECT value FROM meta WHERE key='revision'), "                                 \
	  "(SELECT value FROM meta WHERE key='pruned_through'), "                                  \
	  "(SELECT value FROM meta WHERE key='epoch')",                                            \
	  "SELECT (SELECT value FROM counters WHERE name='revision'), "                            \
	  "(SELECT value FROM counters WHERE name='pruned_through'), "                             \
	  "(SELECT convert_from(value, 'UTF8') FROM meta WHERE key='epoch')")                      \
	X(S_CHANGES_SINCE,                                                                         \
	  "SELECT revision, account, region, root, resource, parent, id, op "                      \
	  "FROM changes WHERE revision > ?1 AND account=?2 AND region=?3 AND "                     \
	  "(?4 IS NULL OR root=?4) ORDER BY seq",                                                  \
	  "SELECT revision, account, region, root, resource, parent, id, op FROM changes "         \
	  "WHERE revision > $1 AND account=$2 AND region=$3 AND ($4::text IS NULL OR root=$4) "    \
	  "ORDER BY seq")                                                                          \
	X(S_ROOT_TOUCH,                                                                            \
	  "INSERT INTO roots (account, region, root, revision) VALUES "                            \
	  "(?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET revision=excluded.revision",                 \
	  "" /* S_CHANGE_ADD touches the root too: one round trip less */)                         \
	X(S_ROOT_GET, "SELECT revision FROM roots WHERE account=?1 AND region=?2 AND root=?3",     \
	  NULL)                                                                                    \
	X(S_RES_REV,                                                                               \
	  "SELECT rev FROM resources WHERE account=?1 AND region=?2 AND kind=?3 "                  \
	  "AND parent=?4 AND id=?5",                                                               \
	  NULL)                                                                                    \
	X(S_CHANGES_CLEAR, "DELETE FROM changes", NULL)                                            \
	X(S_EPOCH_NEW, "UPDATE meta SET value = lower(hex(randomblob(8))) WHERE key='epoch'",      \
	  "UPDATE meta SET value = convert_to(substr(md5(random()::text || "                       \
	  "clock_timestamp()::text), 1, 16), 'UTF8') WHERE key='epoch'")                           \
	X(S_CRED_INSERT,                                                                           \
	  "INSERT INTO credentials (access_key_id, secret, account, created) "                     \
	  "VALUES (?1, ?2, ?3, ?4)",                                                               \
	  NULL)                                                                                    \
	X(S_CRED_GET, "SELECT secret, account FROM credentials WHERE access_key_id=?1", NULL)      \
	X(S_CRED_LIST,                                                                             \
	  "SELECT access_key_id, account, created FROM credentials "                               \
	  "ORDER BY account, created, access_key_id",                                              \
	  NULL)                                                                                    \
	X(S_CRED_DELETE, "DELETE FROM credentials WHERE access_key_id=?1", NULL)                   \
	X(S_RESET_RESOURCES, "DELETE FROM resources", NULL)                                        \
	X(S_RESET_IDS, "DELETE FROM issued_ids", NULL)                                             \
	X(S_RESET_ROOTS, "DELETE FROM roots", NULL)                                                \
	X(S_RES_COUNT, "SELECT count(*) FROM resources", NULL)                                     \
	X(S_DUMP_RESOURCES,                                                                        \
	  "SELECT account, region, kind, parent, id, ukey, ref, doc, body "                        \
	  "FROM resources ORDER BY seq",                                                           \
	  NULL)                                                                                    \
	X(S_DUMP_IDS, "SELECT account, id FROM issued_ids ORDER BY account, id", NULL)             \
	X(S_NOTIFY, "SELECT 1", "SELECT pg_notify('apigwd_revision', $1::text)")

enum stmt_id {
#define X(id, sql, pgsql) id,
	DB_STATEMENTS(X)
#undef X
		S_COUNT
};

/* The parameters a statement takes at most. */
enum { DBQ_MAX_PARAMS = 12 };

/* One statement of a connection, in use: its bindings, then its rows. Each statement id has
 * its own (db->q[id]), so a statement may run while another one's rows are being read. */
struct dbq {
	struct db *db;	 /* the connection */
	enum stmt_id id; /* which statement */
	enum db_rc rc;	 /* DB_OK, or why preparing, binding or running failed */
	void *stmt;	 /* SQLite: the sqlite3_stmt; owned by the connection */
	/* PostgreSQL: parameters as text (blobs binary), the result, the row cursor */
	const char *vals[DBQ_MAX_PARAMS];
	int lens[DBQ_MAX_PARAMS], fmts[DBQ_MAX_PARAMS];
	char nums[DBQ_MAX_PARAMS][24]; /* integer parameters' text */
	int nparams;		       /* highest parameter bound */
	void *res;		       /* the PGresult, owned */
	int row, nrows;		       /* next row to read, rows in res */
	unsigned char *blob;	       /* the last bytea read, owned */
	bool ran;		       /* executed since the last reset */
	bool noop;		       /* the backend has nothing to run for it */
};

/* A backend: the primitives db.c and the table groups use. SQLite (sqlite.c) and PostgreSQL
 * (pg.c); which one a pool uses follows from db_pool_open's target. */
struct db_backend {
	const char *name;
	/* Connects db to target; err gets a sentence on failure. */
	int (*open)(struct db *db, const char *target, char *err, size_t errlen);
	void (*close)(struct db *db);
	/* Applies pending migrations, refusing a newer schema (connection 0, at open). */
	int (*migrate)(struct db *db, char *err, size_t errlen);
	unsigned (*schema_version)(struct db *db);
	bool (*in_txn)(struct db *db);
	/* Statements: prepare (or find) q's statement; bind; step (1 a row, 0 done, -1 failed:
	 * q->rc); read columns of the current row; rows changed; reset for the next use. */
	int (*prepare)(struct dbq *q);
	void (*bind_text)(struct dbq *q, int i, const char *v, int len);
	void (*bind_int)(struct dbq *q, int i, int64_t v);
	void (*bind_blob)(struct dbq *q, int i, const void *v, size_t n);
	int (*step)(struct dbq *q);
	const char *(*col_text)(struct dbq *q, int col, size_t *len);
	int64_t (*col_int)(struct dbq *q, int col);
	const void *(*col_blob)(struct dbq *q, int col, size_t *len);
	int64_t (*changes)(struct dbq *q);
	void (*reset)(struct dbq *q);
	/* Whole-database probes and operations (ops.c). */
	enum db_rc (*size_bytes)(struct db *db, int64_t *bytes);
	enum db_rc (*can_write)(struct db *db, unsigned wait_ms);
	/* Started after the pool is open: tells the pool of revisions other processes commit
	 * (PostgreSQL's LISTEN/NOTIFY); NULL when one process owns the database. */
	int (*listen_start)(struct db_pool *pool, const char *target);
	void (*listen_stop)(struct db_pool *pool);
};

extern const struct db_backend db_sqlite;
extern const struct db_backend db_pg;

/* PostgreSQL's migrations (migrations/postgres/, build/db/migrations_pg.gen.c). */
extern const struct db_migration db_pg_migrations[];
extern const unsigned db_pg_migrations_count;

/* SQLite's file operations (sqlite.c), behind db_backup and db_restore. */
int db_sqlite_backup(const char *src_path, const char *dst_path, char *err, size_t len);
int db_sqlite_restore(const char *backup_path, const char *db_path, char *err, size_t len);

struct db {
	const struct db_backend *be; /* its backend */
	void *h;		     /* sqlite3 or PGconn; owned */
	struct dbq q[S_COUNT];	     /* statements in use */
	bool prepared[S_COUNT];	     /* PostgreSQL: prepared on this session */
	struct db *next_free;	     /* link in the pool's free list */
	struct db_pool *pool;	     /* the pool it belongs to */
	int64_t txn_rev;	     /* revision taken by the open transaction, 0 = none yet */
	bool held;		     /* between db_acquire and db_release: only then usable */
};

struct db_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	const struct db_backend *be; /* every connection's */
	struct db *conns;	     /* array of nconn; owned */
	unsigned nconn;
	struct db *free;	  /* connections not in use */
	db_commit_hook on_commit; /* told of every new revision, or NULL */
	void *on_commit_arg;
	void (*commit_start)(void *arg); /* db_pool_on_commit_start */
	void *commit_start_arg;
	int64_t retention;     /* revisions of change log kept; 0 = forever */
	int64_t seen_revision; /* newest revision told to on_commit (atomic) */
	char *target;	       /* what db_pool_open was given; owned */
	char node[24];	       /* this process's name in NOTIFY payloads (pg.c) */

	/* Group commit (db_submit): one writer thread runs queued jobs in batches. */
	pthread_t writer;
	bool writer_running;
	bool writer_stop;
	pthread_cond_t queued;	    /* a job was queued, or stop */
	struct db_job *head, *tail; /* the queue */

	/* PostgreSQL: the listener thread (pg.c) and its connection. */
	pthread_t listener;
	bool listener_running;
	int listener_stop; /* atomic */
};

/* How long a connection waits for a lock before the backend reports it busy. */
enum { BUSY_TIMEOUT_MS = 5000 };

/* ---- statements (db.c), whatever the backend ---- */
/* The statement id of db, ready to bind; never NULL: a statement that cannot be prepared
 * fails at dbq_step with its reason in q->rc. */
struct dbq *dbq_open(struct db *db, enum stmt_id id);
/* Binds parameter i (1-based): text (NULL binds NULL), text of n bytes, integer, blob. */
void dbq_text(struct dbq *q, int i, const char *v);
void dbq_textn(struct dbq *q, int i, const char *v, size_t n);
void dbq_int(struct dbq *q, int i, int64_t v);
void dbq_blob(struct dbq *q, int i, const void *v, size_t n);
/* Binds a db_key as 1..5 (account, region, kind, parent, id). */
void dbq_key(struct dbq *q, const struct db_key *k);
/* 1: a row is ready; 0: no more rows; -1: failed (q->rc). */
int dbq_step(struct dbq *q);
/* Columns of the current row (0-based): text (NULL for SQL NULL; *len may be NULL), integer,
 * blob, and a new copy of a text column. */
const char *dbq_col(struct dbq *q, int col, size_t *len);
int64_t dbq_int_col(struct dbq *q, int col);
const void *dbq_blob_col(struct dbq *q, int col, size_t *len);
char *dbq_col_dup(struct dbq *q, int col, size_t *len);
/* Rows the last statement changed. */
int64_t dbq_changes(struct dbq *q);
/* Ends the use of q; returns DB_OK, or why it failed. */
enum db_rc dbq_close(struct dbq *q);
/* Runs a statement that returns no rows (bound first when it takes parameters). */
enum db_rc dbq_exec(struct dbq *q);
enum db_rc db_exec_id(struct db *db, enum stmt_id id);
/* Runs a one-integer SELECT into *out (DB_NOTFOUND without a row). */
enum db_rc dbq_select_int(struct dbq *q, int64_t *out);
/* common.c: the SQL of a statement in SQLite's dialect or PostgreSQL's (written out on first
 * use); the pool's newest revision raised to rev (true when rev was newer), and the commit
 * hook told of rev unless it already was (any thread). */
const char *db_stmt_sql(bool pg, enum stmt_id id);
bool db_pool_raise_seen(struct db_pool *pool, int64_t rev);
void db_pool_revision_seen(struct db_pool *pool, int64_t rev);

/* changes.c: the open transaction's revision, taken on its first change, and the log. */
enum db_rc db_take_revision(struct db *db);
enum db_rc db_record_change(struct db *db, const struct db_key *k, const char *op);

#endif
