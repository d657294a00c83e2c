/* db.h — apigwd's storage API. All SQL, every sqlite3_* and every PQ* call live behind it
 * (db/): the target given to db_pool_open picks the backend — a file path or ":memory:" is
 * SQLite (db/sqlite.c, the embedded default), a postgres:// or postgresql:// URI is PostgreSQL
 * (db/pg.c, several stateless nodes on one database, docs/deploy-multinode.md). Nothing
 * outside db/ learns which one runs.
 *
 * Model: every apigatewayv2 resource is a row identified by (scope, kind, parent, id), where
 * scope = (account, region), kind names the resource type ("api", "integration", ...) and
 * parent is the '/'-joined path of its ancestors' ids ("" for apis, "apiId" for an api's
 * integrations, "apiId/integrationId" below that). A row stores two JSON texts: `doc`, the
 * members as stored, and `body`, the ready answer to a Get. Deleting a row deletes the whole
 * subtree below it.
 *
 * Threads: a `struct db` is one connection and is used by one thread at a time; take one from
 * the pool with db_acquire() and give it back with db_release(). */
#ifndef APIGWD_DB_H
#define APIGWD_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum db_rc {
	DB_OK = 0,
	DB_NOTFOUND,	/* no such row */
	DB_CONFLICT,	/* a unique key (id or ukey) is taken */
	DB_BUSY,	/* the database stayed locked past the retry budget */
	DB_FULL,	/* disk or database full */
	DB_READONLY,	/* the database file cannot be written */
	DB_ERROR,	/* anything else; already logged */
	DB_ABORT,	/* a db_txn callback chose to roll back; its reason is in its ctx */
	DB_UNAVAILABLE, /* the database cannot be reached (PostgreSQL down, connection lost) */
};

struct db;
struct db_pool;

/* (account, region): the partition every resource lives in. Borrowed strings. */
struct db_scope {
	const char *account;
	const char *region;
};

/* Where a row lives. Borrowed strings; `parent` is "" for top-level resources. */
struct db_key {
	const struct db_scope *scope;
	const char *kind;
	const char *parent;
	const char *id;
};

/* A row handed to a list callback. Every pointer is borrowed and valid only during the call. */
struct db_row {
	int64_t seq;
	const char *id;
	const char *doc;
	const char *body;
	size_t body_len;
};

/* Migrations compiled into the binary (build/db/migrations.gen.c). */
struct db_migration {
	const char *name; /* "0001_init" */
	const char *sql;
};
extern const struct db_migration db_migrations[];
extern const unsigned db_migrations_count;

/* Whether there is a database at target: an SQLite file (":memory:" always is), or any
 * PostgreSQL URI (whether it answers is for db_pool_open to tell). */
bool db_exists(const char *target);
/* target as logs and the health check may show it: a URI's password as "***". Returns buf. */
const char *db_target_display(const char *target, char *buf, size_t size);

/* Opens (creating if needed) the database at `path` (":memory:" for a private in-memory one),
 * applies pending migrations and prepares `nconn` connections. On failure returns NULL and
 * writes a sentence into err. A database whose schema is newer than this binary is refused. */
struct db_pool *db_pool_open(const char *path, unsigned nconn, char *err, size_t errlen);
void db_pool_close(struct db_pool *pool);

/* Blocks until a connection is free. Never NULL. */
struct db *db_acquire(struct db_pool *pool);
void db_release(struct db_pool *pool, struct db *db);

/* db_txn — the one transaction runner.
 * Runs fn(db, ctx) between BEGIN IMMEDIATE and COMMIT. fn returns DB_OK to commit; any other
 * value rolls back and is returned. fn may be called more than once: when SQLite reports the
 * database busy at BEGIN or COMMIT the transaction is rolled back and retried (bounded), so fn
 * must reset whatever it keeps in ctx at its start.
 * Contract on replies: nothing inside fn replies to a client. fn records its outcome in ctx
 * (for apigwd: a `struct apierr`) and the caller replies once db_txn has returned, so no
 * answer is ever sent for a write that was not committed. */
typedef enum db_rc (*db_txn_fn)(struct db *db, void *ctx);
enum db_rc db_txn(struct db *db, db_txn_fn fn, void *ctx);

/* ---- group commit ----
 * Writes that arrive together share one transaction and one fsync. A job is a db_txn_fn run
 * by the writer thread inside a batch transaction, under a savepoint of its own: the job
 * commits (returns DB_OK) or leaves no trace, whatever the other jobs of its batch do, and each
 * job takes its own revision. done(done_arg, rc) is called on the writer thread once the
 * batch is durable (rc DB_OK: committed and on disk) or failed; only then may the job's owner
 * answer its client. fn may run more than once (a batch found busy is retried whole) and the
 * db it receives is the writer's connection: fn must use it and nothing else. */
struct db_job {
	db_txn_fn fn;
	void *ctx;
	void (*done)(void *done_arg, enum db_rc rc);
	void *done_arg;
	/* Owned by db/ while queued. */
	enum db_rc rc;
	int64_t revision;
	struct db_job *next;
};

/* Starts the writer thread (0, or -1). Without it, db_submit refuses jobs. */
int db_writer_start(struct db_pool *pool);
/* Runs the queued jobs, then stops the writer. db_pool_close calls it. */
void db_writer_stop(struct db_pool *pool);
/* Queues job (owned by the caller until done is called). False when no writer runs. */
bool db_submit(struct db_pool *pool, struct db_job *job);

/* Reads one row. *doc and *body (either may be NULL when not wanted) become new strings the
 * caller frees; *body_len, when given, gets the body's length. */
enum db_rc db_res_get(struct db *db, const struct db_key *k, char **doc, char **body,
		      size_t *body_len);

/* Inserts a row; DB_CONFLICT when (kind, parent, id) or (kind, parent, ukey) is taken.
 * ukey and ref may be NULL. */
enum db_rc db_res_insert(struct db *db, const struct db_key *k, const char *ukey, const char *ref,
			 const char *doc, const char *body);

/* Replaces a row's ukey, ref, doc and body; DB_NOTFOUND or DB_CONFLICT (ukey taken). */
enum db_rc db_res_update(struct db *db, const struct db_key *k, const char *ukey, const char *ref,
			 const char *doc, const char *body);

/* Deletes a row and every row below it (rows whose parent path is, or starts with,
 * "parent/id"); DB_NOTFOUND when the row does not exist. Only for rows whose id cannot equal a
 * sibling's id: random ids are unique within an account, but a name the client chose (a stage)
 * may equal a sibling integration's id, so such rows use db_res_delete_row. */
enum db_rc db_res_delete(struct db *db, const struct db_key *k);
/* Deletes the row alone. */
enum db_rc db_res_delete_row(struct db *db, const struct db_key *k);

/* Calls fn for up to `limit` rows of (kind, parent) with seq > after_seq, in seq order.
 * `k->id` is ignored. fn returns false to stop early. *more (may be NULL) is set when rows
 * remain after the last one passed to fn (whether the limit or fn ended the walk). */
typedef bool (*db_row_fn)(const struct db_row *row, void *ctx);
enum db_rc db_res_list(struct db *db, const struct db_key *k, int64_t after_seq, unsigned limit,
		       db_row_fn fn, void *ctx, bool *more);

/* Calls fn for every row of (kind, parent) whose ref equals `ref` (e.g. the routes that
 * target an integration), in seq order. */
enum db_rc db_res_refs(struct db *db, const struct db_key *k, const char *ref, db_row_fn fn,
		       void *ctx);

/* Records `id` as issued in `account`; DB_CONFLICT if it ever was before. */
enum db_rc db_id_claim(struct db *db, const char *account, const char *id);

/* ---- revisions and the change log (the data-plane feed) ----
 * Every transaction that changes resources commits as one new revision: all its changes carry
 * that number, and db_txn makes it visible at COMMIT. */

/* One entry of the change log. Borrowed strings, valid only during the callback. */
struct db_change {
	int64_t revision;
	const char *account, *region;
	const char *root;     /* the top-level resource the changed one lives under, or itself
				 when top-level: the apiId for everything under an API */
	const char *resource; /* kind */
	const char *parent;   /* the changed row's parent path */
	const char *id;
	const char *op; /* "create", "update", "delete" */
};
typedef bool (*db_change_fn)(const struct db_change *ch, void *ctx);

/* Called after every COMMIT that produced a new revision, on the committing thread, outside
 * any lock of db/. On PostgreSQL it is also called, on the listener thread, for the
 * revisions other nodes commit (at most once per revision, newest first when several arrive
 * together). Set once before serving. */
typedef void (*db_commit_hook)(void *arg, int64_t revision);
void db_pool_on_commit(struct db_pool *pool, db_commit_hook fn, void *arg);

/* Keep at least `n` revisions of change log (older entries are pruned as new ones come). */
void db_pool_set_retention(struct db_pool *pool, int64_t n);

/* The current revision, the oldest revision `since` may name and still get every later
 * change (the log holds every change after it), and the epoch (new string, caller frees). */
enum db_rc db_revision(struct db *db, int64_t *current, int64_t *oldest, char **epoch);

/* Changes with revision > since in the scope, in order, whole revisions only: after `limit`
 * entries the listing stops at the end of the current revision. root NULL = every top-level
 * resource (every API), else only changes under that root (an apiId). */
enum db_rc db_changes_since(struct db *db, const struct db_scope *scope, int64_t since,
			    const char *root, unsigned limit, db_change_fn fn, void *ctx);

/* The last revision that changed anything under the top-level resource `root` (an apiId),
 * deletions included; DB_NOTFOUND if nothing ever did. */
enum db_rc db_root_revision(struct db *db, const struct db_scope *scope, const char *root,
			    int64_t *rev);

/* The revision the open transaction has taken (its first change took it), or 0. */
int64_t db_txn_revision(const struct db *db);

/* The revision of the row's last write. */
enum db_rc db_res_revision(struct db *db, const struct db_key *k, int64_t *rev);

/* Starts a new history: new epoch, change log emptied (restore, reset). Inside db_txn. */
enum db_rc db_new_epoch(struct db *db);

/* Server-wide settings. db_meta_get: *val becomes a new buffer of *len bytes. */
enum db_rc db_meta_get(struct db *db, const char *key, void **val, size_t *len);
enum db_rc db_meta_put(struct db *db, const char *key, const void *val, size_t len);

/* The schema version the database is at (PRAGMA user_version). */
unsigned db_schema_version(struct db *db);

/* ---- operations: reset, export and import, backup and restore, health, metrics ---- */

/* Empties the database as a fixture wants it: every resource, issued id and per-API revision
 * is deleted, the open transaction takes a new revision (so held requests wake) and a new
 * epoch starts. Inside db_txn. */
enum db_rc db_reset(struct db *db);

/* Number of resource rows, every account and region together. */
enum db_rc db_res_count(struct db *db, int64_t *n);

/* Every column of a resource row an export keeps. Borrowed strings, valid during the call;
 * ukey and ref may be NULL. */
struct db_dump_row {
	const char *account, *region, *kind, *parent, *id, *ukey, *ref, *doc, *body;
};
typedef bool (*db_dump_fn)(const struct db_dump_row *row, void *ctx);
typedef bool (*db_issued_fn)(const char *account, const char *id, void *ctx);
/* Calls fn for every resource row in creation (seq) order, then stops early when fn returns
 * false. Run both inside one db_txn for a consistent export. */
enum db_rc db_dump_resources(struct db *db, db_dump_fn fn, void *ctx);
/* Calls fn for every issued id, ordered by (account, id). */
enum db_rc db_dump_issued_ids(struct db *db, db_issued_fn fn, void *ctx);

/* The database's size: page_count * page_size. */
enum db_rc db_size_bytes(struct db *db, int64_t *bytes);

/* Whether a write transaction can start now (BEGIN IMMEDIATE; ROLLBACK), waiting at most
 * wait_ms for a lock another connection holds: DB_OK, DB_BUSY, DB_READONLY, ... */
enum db_rc db_can_write(struct db *db, unsigned wait_ms);

/* fn(arg) is called as each COMMIT of a write transaction begins, on the committing thread
 * (before the commit hook of db_pool_on_commit, which runs once it is durable). Set once
 * before serving. */
void db_pool_on_commit_start(struct db_pool *pool, void (*fn)(void *arg), void *arg);

/* Online backup: copies the apigwd database at src_path into dst_path (written as
 * dst_path.tmp, then renamed) with SQLite's backup API in one read transaction, so the copy
 * is one consistent state while a server keeps writing. 0, or -1 with a sentence in err. */
int db_backup(const char *src_path, const char *dst_path, char *err, size_t len);

/* Replaces the database at db_path (created if missing) by the backup at backup_path, then
 * applies pending migrations and starts a new epoch. Refused while any other connection has
 * db_path open (a running server). 0, or -1 with a sentence in err. */
int db_restore(const char *backup_path, const char *db_path, char *err, size_t len);

/* ---- credentials: the access keys of --auth sigv4 ----
 * The secret is stored as issued (SigV4 needs it to recompute signatures); the database file
 * is owner-only (0600). */

/* One stored access key, without its secret. Borrowed strings, valid during the callback. */
struct db_cred {
	const char *access_key_id;
	const char *account;
	const char *created; /* ISO-8601 UTC */
};
typedef bool (*db_cred_fn)(const struct db_cred *c, void *ctx);

/* Stores an access key; DB_CONFLICT when the id is taken. */
enum db_rc db_cred_create(struct db *db, const char *akid, const char *secret, const char *account,
			  const char *created);
/* The secret and account of access key `akid` as new strings (the caller cleanses and frees
 * the secret); DB_NOTFOUND when there is no such key. */
enum db_rc db_cred_get(struct db *db, const char *akid, char **secret, char **account);
/* Calls fn for every key, by account then creation; fn returns false to stop. */
enum db_rc db_cred_list(struct db *db, db_cred_fn fn, void *ctx);
/* Deletes a key; DB_NOTFOUND when there is none. */
enum db_rc db_cred_delete(struct db *db, const char *akid);

#endif
