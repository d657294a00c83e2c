/* sqlite.c — the SQLite backend: connections (WAL, synchronous=FULL), statements, migrations
 * by PRAGMA user_version, and SQLite's own operations, backup and restore of the file
 * (docs/architecture.md "Storage"). The embedded default: a path or ":memory:". */
#include "internal.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#define H(db) ((sqlite3 *)(db)->h)
#define ST(q) ((sqlite3_stmt *)(q)->stmt)

/* Whether the file system holding the database has no room left. */
static bool disk_full(struct db *db)
{
	struct statvfs st;
	const char *path = sqlite3_db_filename(H(db), "main");
	return path && *path && statvfs(path, &st) == 0 && st.f_bavail == 0;
}

/* Maps an SQLite result code to a db_rc (logging the unexpected ones). */
static enum db_rc rc_of(struct db *db, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW: return DB_OK;
	case SQLITE_CONSTRAINT: return DB_CONFLICT;
	case SQLITE_BUSY:
	case SQLITE_LOCKED: return DB_BUSY;
	case SQLITE_FULL:
		fprintf(stderr, "apigwd: database full: %s\n", sqlite3_errmsg(H(db)));
		return DB_FULL;
	case SQLITE_READONLY:
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
		fprintf(stderr, "apigwd: database not writable: %s\n", sqlite3_errmsg(H(db)));
		return DB_READONLY;
	case SQLITE_IOERR: {
		/* A full disk and an unwritable file both surface as I/O errors on writes, and
		 * SQLite's errno is not reliable by then: look at the file system itself. */
		fprintf(stderr, "apigwd: database I/O error: %s\n", sqlite3_errmsg(H(db)));
		if (rc != SQLITE_IOERR_WRITE && rc != SQLITE_IOERR_FSYNC &&
		    rc != SQLITE_IOERR_TRUNCATE && rc != SQLITE_IOERR_SHMMAP)
			return DB_ERROR;
		return disk_full(db) ? DB_FULL : DB_READONLY;
	}
	default:
		fprintf(stderr, "apigwd: database error %d: %s\n", rc, sqlite3_errmsg(H(db)));
		return DB_ERROR;
	}
}

/* Runs SQL text (no bound values); on failure writes SQLite's message into err. */
static int exec_sql(sqlite3 *h, const char *sql, char *err, size_t errlen)
{
	char *msg = NULL;
	int rc = sqlite3_exec(h, sql, NULL, NULL, &msg);
	if (rc != SQLITE_OK)
		snprintf(err, errlen, "%s", msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return rc;
}

static int sq_open(struct db *db, const char *path, char *err, size_t errlen)
{
	sqlite3 *h = NULL;
	int rc = sqlite3_open_v2(path, &h,
				 SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
				 NULL);
	db->h = h;
	if (rc != SQLITE_OK) {
		snprintf(err, errlen, "cannot open database %s: %s", path,
			 h ? sqlite3_errmsg(h) : sqlite3_errstr(rc));
		return -1;
	}
	sqlite3_extended_result_codes(h, 1);
	sqlite3_busy_timeout(h, BUSY_TIMEOUT_MS);
	/* WAL: readers never block the writer; synchronous=FULL: a commit is on disk (fsync of
	 * the WAL) before it returns, so an acknowledged write survives power loss. */
	if (exec_sql(h, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;",
		     err, errlen) != SQLITE_OK)
		return -1;
	if (strcmp(path, ":memory:") != 0)
		chmod(path, 0600); /* it holds credentials: owner only */
	return 0;
}

static void sq_close(struct db *db)
{
	for (int j = 0; j < S_COUNT; j++)
		sqlite3_finalize(db->q[j].stmt);
	sqlite3_close(H(db));
	db->h = NULL;
}

static unsigned sq_schema_version(struct db *db)
{
	sqlite3_stmt *s = NULL;
	unsigned v = 0;
	if (sqlite3_prepare_v2(H(db), "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = (unsigned)sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	return v;
}

/* Applies migrations newer than the database's user_version, each in its own transaction
 * that also sets user_version, so a crash leaves the database at a whole migration. */
static int sq_migrate(struct db *db, char *err, size_t errlen)
{
	unsigned have = sq_schema_version(db);
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
		if (exec_sql(H(db), "BEGIN IMMEDIATE", sub, sizeof sub) ||
		    exec_sql(H(db), db_migrations[i].sql, sub, sizeof sub) ||
		    exec_sql(H(db), pragma, sub, sizeof sub) ||
		    exec_sql(H(db), "COMMIT", sub, sizeof sub)) {
			exec_sql(H(db), "ROLLBACK", pragma, sizeof pragma);
			snprintf(err, errlen, "migration %s failed: %s", db_migrations[i].name,
				 sub);
			return -1;
		}
	}
	return 0;
}

static bool sq_in_txn(struct db *db)
{
	return !sqlite3_get_autocommit(H(db));
}

static int sq_prepare(struct dbq *q)
{
	sqlite3_stmt *s = NULL;
	if (q->stmt)
		return 0;
	if (sqlite3_prepare_v3(H(q->db), db_stmt_sql(false, q->id), -1, SQLITE_PREPARE_PERSISTENT,
			       &s, NULL) != SQLITE_OK) {
		fprintf(stderr, "apigwd: cannot prepare \"%s\": %s\n", db_stmt_sql(false, q->id),
			sqlite3_errmsg(H(q->db)));
		return -1;
	}
	q->stmt = s;
	return 0;
}

static void sq_bind_text(struct dbq *q, int i, const char *v, int len)
{
	if (v)
		sqlite3_bind_text(ST(q), i, v, len, SQLITE_STATIC);
	else
		sqlite3_bind_null(ST(q), i);
}

static void sq_bind_int(struct dbq *q, int i, int64_t v)
{
	sqlite3_bind_int64(ST(q), i, v);
}

static void sq_bind_blob(struct dbq *q, int i, const void *v, size_t n)
{
	sqlite3_bind_blob(ST(q), i, v, (int)n, SQLITE_STATIC);
}

static int sq_step(struct dbq *q)
{
	int rc = sqlite3_step(ST(q));
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	q->rc = rc_of(q->db, rc);
	return -1;
}

static const char *sq_col_text(struct dbq *q, int col, size_t *len)
{
	const char *t = (const char *)sqlite3_column_text(ST(q), col);
	if (len)
		*len = (size_t)sqlite3_column_bytes(ST(q), col);
	return t;
}

static int64_t sq_col_int(struct dbq *q, int col)
{
	return sqlite3_column_int64(ST(q), col);
}

static const void *sq_col_blob(struct dbq *q, int col, size_t *len)
{
	const void *b = sqlite3_column_blob(ST(q), col);
	*len = (size_t)sqlite3_column_bytes(ST(q), col);
	return b;
}

static int64_t sq_changes(struct dbq *q)
{
	return sqlite3_changes(H(q->db));
}

static void sq_reset(struct dbq *q)
{
	if (q->stmt) {
		sqlite3_reset(ST(q));
		sqlite3_clear_bindings(ST(q));
	}
}

static enum db_rc sq_size_bytes(struct db *db, int64_t *bytes)
{
	sqlite3_stmt *s = NULL;
	int64_t v[2] = {0, 0};
	const char *sql[2] = {"PRAGMA page_count", "PRAGMA page_size"};
	for (int i = 0; i < 2; i++) {
		int rc = sqlite3_prepare_v2(H(db), sql[i], -1, &s, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_step(s);
		if (rc == SQLITE_ROW)
			v[i] = sqlite3_column_int64(s, 0);
		sqlite3_finalize(s);
		s = NULL;
		if (rc != SQLITE_ROW)
			return rc_of(db, rc);
	}
	*bytes = v[0] * v[1];
	return DB_OK;
}

static enum db_rc sq_can_write(struct db *db, unsigned wait_ms)
{
	sqlite3_busy_timeout(H(db), (int)wait_ms);
	enum db_rc rc = rc_of(db, sqlite3_exec(H(db), "BEGIN IMMEDIATE", NULL, NULL, NULL));
	if (sq_in_txn(db)) {
		enum db_rc rb = rc_of(db, sqlite3_exec(H(db), "ROLLBACK", NULL, NULL, NULL));
		if (rc == DB_OK)
			rc = rb;
	}
	sqlite3_busy_timeout(H(db), BUSY_TIMEOUT_MS);
	return rc;
}

const struct db_backend db_sqlite = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.migrate = sq_migrate,
	.schema_version = sq_schema_version,
	.in_txn = sq_in_txn,
	.prepare = sq_prepare,
	.bind_text = sq_bind_text,
	.bind_int = sq_bind_int,
	.bind_blob = sq_bind_blob,
	.step = sq_step,
	.col_text = sq_col_text,
	.col_int = sq_col_int,
	.col_blob = sq_col_blob,
	.changes = sq_changes,
	.reset = sq_reset,
	.size_bytes = sq_size_bytes,
	.can_write = sq_can_write,
};

/* ---- backup and restore: SQLite's own (server/cli_admin.c) ---- */

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

int db_sqlite_backup(const char *src_path, const char *dst_path, char *err, size_t len)
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
	if (exec_sql(dst, "PRAGMA journal_mode=DELETE", err, len) != SQLITE_OK)
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

int db_sqlite_restore(const char *backup_path, const char *db_path, char *err, size_t len)
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
	status = 0;
out:
	sqlite3_close(dst);
	sqlite3_close(src);
	return status;
}
