/* ops.c — whole-database operations: reset, export and import, backup and restore, and the
 * probes health and metrics use. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	enum db_rc out = rc == SQLITE_DONE || rc == SQLITE_ROW ? DB_OK : db_rc_of(db, rc);
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
	enum db_rc r = rc == SQLITE_ROW	   ? DB_OK
		       : rc == SQLITE_DONE ? DB_NOTFOUND
					   : db_rc_of(db, rc);
	if (r == DB_OK)
		*out = sqlite3_column_int64(s, 0);
	sqlite3_finalize(s);
	return r;
}

enum db_rc db_reset(struct db *db)
{
	/* The revision first, so that db_txn tells the commit hook (held requests wake up and
	 * find their resources gone); db_new_epoch then marks the history before it as gone. */
	enum db_rc rc = db_take_revision(db);
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
	int rc =
		sqlite3_prepare_v2(db->h,
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
	enum db_rc out = rc == SQLITE_DONE ? DB_OK : db_rc_of(db, rc);
	sqlite3_finalize(s);
	return out;
}

enum db_rc db_dump_issued_ids(struct db *db, db_issued_fn fn, void *ctx)
{
	sqlite3_stmt *s = NULL;
	int rc =
		sqlite3_prepare_v2(db->h, "SELECT account, id FROM issued_ids ORDER BY account, id",
				   -1, &s, NULL);
	while (s && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (!fn((const char *)sqlite3_column_text(s, 0),
			(const char *)sqlite3_column_text(s, 1), ctx)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	enum db_rc out = rc == SQLITE_DONE ? DB_OK : db_rc_of(db, rc);
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
	enum db_rc rc = db_exec_id(db, S_BEGIN);
	if (rc == DB_OK)
		rc = db_exec_id(db, S_ROLLBACK);
	else if (!sqlite3_get_autocommit(db->h))
		db_exec_id(db, S_ROLLBACK);
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
	return 0; /* go on with the commit */
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
		snprintf(err, len, "cannot open %s: %s", path,
			 h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
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
			 sqlite3_errcode(dst) != SQLITE_OK ? sqlite3_errmsg(dst)
							   : sqlite3_errstr(rc));
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
	if (!quiet_int(h,
		       "SELECT count(*) FROM sqlite_master WHERE type='table' AND "
		       "name IN ('resources', 'meta')",
		       &tables) ||
	    tables != 2) {
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
		snprintf(err, len, "%s fails its integrity check: %s", path,
			 msg ? msg : sqlite3_errmsg(h));
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
		snprintf(err, len,
			 "an in-memory database (:memory:) cannot be backed up from outside");
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
	if (db_exec_sql(dst, "PRAGMA journal_mode=DELETE", err, len) != SQLITE_OK)
		goto out;
	sqlite3_close(dst);
	dst = NULL;
	chmod(tmp_path, 0600); /* it holds credentials, as the database does */
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
	if (db_exec_sql(dst, "PRAGMA locking_mode=EXCLUSIVE", err, len) != SQLITE_OK ||
	    db_exec_sql(dst, "BEGIN EXCLUSIVE; COMMIT", err, len) != SQLITE_OK) {
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
