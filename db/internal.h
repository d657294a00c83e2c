/* internal.h — what the files of db/ share and nothing outside db/ sees: the connection and
 * pool structures, the statement registry and the helpers every table group uses. */
#ifndef APIGWD_DB_INTERNAL_H
#define APIGWD_DB_INTERNAL_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "db.h"

/* Every statement apigwd runs, prepared once per connection (SQLITE_PREPARE_PERSISTENT) the
 * first time it is used and reset after each use. */
#define DB_STATEMENTS(X)                                                                           \
	X(S_BEGIN, "BEGIN IMMEDIATE")                                                              \
	X(S_COMMIT, "COMMIT")                                                                      \
	X(S_ROLLBACK, "ROLLBACK")                                                                  \
	X(S_SAVEPOINT, "SAVEPOINT job")                                                            \
	X(S_RELEASE, "RELEASE job")                                                                \
	X(S_ROLLBACK_TO, "ROLLBACK TO job")                                                        \
	X(S_RES_GET, "SELECT doc, body FROM resources WHERE account=?1 AND region=?2 "             \
		     "AND kind=?3 AND parent=?4 AND id=?5")                                        \
	X(S_RES_INSERT, "INSERT INTO resources (account, region, kind, parent, id, ukey, "         \
			"ref, doc, body, rev) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)")   \
	X(S_RES_UPDATE, "UPDATE resources SET ukey=?6, ref=?7, doc=?8, body=?9, rev=?10 "          \
			"WHERE account=?1 AND region=?2 AND kind=?3 AND parent=?4 AND id=?5")      \
	X(S_RES_DELETE, "DELETE FROM resources WHERE account=?1 AND region=?2 AND kind=?3 "        \
			"AND parent=?4 AND id=?5")                                                 \
	X(S_RES_DELETE_TREE, "DELETE FROM resources WHERE account=?1 AND region=?2 AND "           \
			     "(parent=?3 OR (parent>=?3||'/' AND parent<?3||'0'))")                \
	X(S_RES_LIST, "SELECT seq, id, doc, body FROM resources WHERE account=?1 AND "             \
		      "region=?2 AND kind=?3 AND parent=?4 AND seq>?5 ORDER BY seq LIMIT ?6")      \
	X(S_RES_REFS, "SELECT seq, id, doc, body FROM resources WHERE account=?1 AND "             \
		      "region=?2 AND kind=?3 AND parent=?4 AND ref=?5 ORDER BY seq")               \
	X(S_ID_CLAIM, "INSERT OR IGNORE INTO issued_ids (account, id) VALUES (?1, ?2)")            \
	X(S_META_GET, "SELECT value FROM meta WHERE key=?1")                                       \
	X(S_META_PUT, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)")                  \
	X(S_REV_NEXT, "UPDATE meta SET value = value + 1 WHERE key='revision' RETURNING value")    \
	X(S_CHANGE_ADD, "INSERT INTO changes (revision, account, region, root, resource, "         \
			"parent, id, op) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")                 \
	X(S_CHANGE_PRUNE, "DELETE FROM changes WHERE revision <= ?1")                              \
	X(S_PRUNED_SET, "UPDATE meta SET value = ?1 WHERE key='pruned_through'")                   \
	X(S_REV_GET, "SELECT (SELECT value FROM meta WHERE key='revision'), "                      \
		     "(SELECT value FROM meta WHERE key='pruned_through'), "                       \
		     "(SELECT value FROM meta WHERE key='epoch')")                                 \
	X(S_CHANGES_SINCE, "SELECT revision, account, region, root, resource, parent, id, op "     \
			   "FROM changes WHERE revision > ?1 AND account=?2 AND region=?3 AND "    \
			   "(?4 IS NULL OR root=?4) ORDER BY seq")                                 \
	X(S_ROOT_TOUCH, "INSERT INTO roots (account, region, root, revision) VALUES "              \
			"(?1, ?2, ?3, ?4) ON CONFLICT DO UPDATE SET revision=excluded.revision")   \
	X(S_ROOT_GET, "SELECT revision FROM roots WHERE account=?1 AND region=?2 AND root=?3")     \
	X(S_RES_REV, "SELECT rev FROM resources WHERE account=?1 AND region=?2 AND kind=?3 "       \
		     "AND parent=?4 AND id=?5")                                                    \
	X(S_CHANGES_CLEAR, "DELETE FROM changes")                                                  \
	X(S_EPOCH_NEW, "UPDATE meta SET value = lower(hex(randomblob(8))) WHERE key='epoch'")      \
	X(S_CRED_INSERT, "INSERT INTO credentials (access_key_id, secret, account, created) "      \
			 "VALUES (?1, ?2, ?3, ?4)")                                                \
	X(S_CRED_GET, "SELECT secret, account FROM credentials WHERE access_key_id=?1")            \
	X(S_CRED_LIST, "SELECT access_key_id, account, created FROM credentials "                  \
		       "ORDER BY account, created, access_key_id")                                 \
	X(S_CRED_DELETE, "DELETE FROM credentials WHERE access_key_id=?1")

enum stmt_id {
#define X(id, sql) id,
	DB_STATEMENTS(X)
#undef X
		S_COUNT
};

struct db {
	sqlite3 *h;		   /* the connection; owned */
	sqlite3_stmt *st[S_COUNT]; /* prepared on first use; owned */
	struct db *next_free;	   /* link in the pool's free list */
	struct db_pool *pool;	   /* the pool it belongs to */
	int64_t txn_rev;	   /* revision taken by the open transaction, 0 = none yet */
	bool held;		   /* between db_acquire and db_release: only then usable */
};

struct db_pool {
	pthread_mutex_t lock;
	pthread_cond_t freed;
	struct db *conns; /* array of nconn; owned */
	unsigned nconn;
	struct db *free;	  /* connections not in use */
	db_commit_hook on_commit; /* told of every new revision, or NULL */
	void *on_commit_arg;
	int64_t retention; /* revisions of change log kept; 0 = forever */

	/* Group commit (db_submit): one writer thread runs queued jobs in batches. */
	pthread_t writer;
	bool writer_running;
	bool writer_stop;
	pthread_cond_t queued;	    /* a job was queued, or stop */
	struct db_job *head, *tail; /* the queue */
};

/* How long a connection waits for a lock before SQLite reports it busy. */
enum { BUSY_TIMEOUT_MS = 5000 };

/* Runs SQL text (no bound values); on failure writes SQLite's message into err. Returns the
 * SQLite result code. */
int db_exec_sql(sqlite3 *h, const char *sql, char *err, size_t errlen);

/* Maps an SQLite result code to a db_rc (logging the unexpected ones). */
enum db_rc db_rc_of(struct db *db, int rc);
/* The prepared statement, ready to bind, or NULL (logged). Borrowed. */
sqlite3_stmt *db_stmt(struct db *db, enum stmt_id id);
/* Resets a statement after use and clears its bindings. */
void db_done(sqlite3_stmt *s);
/* A new copy of a text column; *len (may be NULL) gets its length. */
char *db_column_dup(sqlite3_stmt *s, int col, size_t *len);
/* Binds text, or NULL for a NULL pointer; the string must outlive the step. */
void db_bind_text(sqlite3_stmt *s, int i, const char *v);
/* Binds a db_key as ?1..?5 (account, region, kind, parent, id). */
void db_bind_key(sqlite3_stmt *s, const struct db_key *k);
/* Steps a statement that returns no rows, and resets it. */
enum db_rc db_exec_stmt(struct db *db, sqlite3_stmt *s);
enum db_rc db_exec_id(struct db *db, enum stmt_id id);
/* Steps a one-integer SELECT into *out (DB_NOTFOUND without a row), and resets it. */
enum db_rc db_select_int(struct db *db, sqlite3_stmt *s, int64_t *out);

/* changes.c: the open transaction's revision, taken on its first change, and the log. */
enum db_rc db_take_revision(struct db *db);
enum db_rc db_record_change(struct db *db, const struct db_key *k, const char *op);

#endif
