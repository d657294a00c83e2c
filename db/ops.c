/* ops.c — whole-database operations: reset, export and import, backup and restore, and the
 * probes health and metrics use. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- operations: reset, export and import, backup and restore, health, metrics ----
 * Rare, whole-database operations (server/ops.c, server/state.c, server/cli_admin.c and
 * server/metrics.c use them). */

enum db_rc db_reset(struct db *db)
{
	/* The revision first, so that db_txn tells the commit hook (held requests wake up and
	 * find their resources gone); db_new_epoch then marks the history before it as gone. */
	enum db_rc rc = db_take_revision(db);
	if (rc == DB_OK)
		rc = db_exec_id(db, S_RESET_RESOURCES);
	if (rc == DB_OK)
		rc = db_exec_id(db, S_RESET_IDS);
	if (rc == DB_OK)
		rc = db_exec_id(db, S_RESET_ROOTS);
	if (rc == DB_OK)
		rc = db_new_epoch(db);
	return rc;
}

enum db_rc db_res_count(struct db *db, int64_t *n)
{
	return dbq_select_int(dbq_open(db, S_RES_COUNT), n);
}

enum db_rc db_dump_resources(struct db *db, db_dump_fn fn, void *ctx)
{
	struct dbq *q = dbq_open(db, S_DUMP_RESOURCES);
	while (dbq_step(q) > 0) {
		struct db_dump_row row = {
			.account = dbq_col(q, 0, NULL),
			.region = dbq_col(q, 1, NULL),
			.kind = dbq_col(q, 2, NULL),
			.parent = dbq_col(q, 3, NULL),
			.id = dbq_col(q, 4, NULL),
			.ukey = dbq_col(q, 5, NULL),
			.ref = dbq_col(q, 6, NULL),
			.doc = dbq_col(q, 7, NULL),
			.body = dbq_col(q, 8, NULL),
		};
		if (!fn(&row, ctx))
			break;
	}
	return dbq_close(q);
}

enum db_rc db_dump_issued_ids(struct db *db, db_issued_fn fn, void *ctx)
{
	struct dbq *q = dbq_open(db, S_DUMP_IDS);
	while (dbq_step(q) > 0)
		if (!fn(dbq_col(q, 0, NULL), dbq_col(q, 1, NULL), ctx))
			break;
	return dbq_close(q);
}

enum db_rc db_size_bytes(struct db *db, int64_t *bytes)
{
	return db->be->size_bytes(db, bytes);
}

enum db_rc db_can_write(struct db *db, unsigned wait_ms)
{
	return db->be->can_write(db, wait_ms);
}

static bool is_uri(const char *target)
{
	return !strncmp(target, "postgres://", 11) || !strncmp(target, "postgresql://", 13);
}

bool db_exists(const char *target)
{
	struct stat st;
	return is_uri(target) || !strcmp(target, ":memory:") || stat(target, &st) == 0;
}

const char *db_target_display(const char *target, char *buf, size_t size)
{
	const char *scheme = strstr(target, "://"), *at, *colon;
	if (!is_uri(target) || !scheme || !(at = strchr(scheme + 3, '@')) ||
	    !(colon = memchr(scheme + 3, ':', (size_t)(at - scheme - 3)))) {
		snprintf(buf, size, "%s", target);
		return buf;
	}
	snprintf(buf, size, "%.*s:***%s", (int)(colon - target), target, at);
	return buf;
}

/* A database named by a libpq URI: copied and restored by PostgreSQL's own tools. */
static bool postgres_uri(const char *target, const char *what, char *err, size_t len)
{
	if (!is_uri(target))
		return false;
	snprintf(err, len,
		 "%s copies an SQLite file; a PostgreSQL database is %s with PostgreSQL's own "
		 "tools (pg_dump -Fc, pg_restore; or pg_basebackup), or moved between backends "
		 "with apigwd export and import",
		 what, !strcmp(what, "backup") ? "backed up" : "restored");
	return true;
}

static enum db_rc restore_epoch(struct db *db, void *ctx)
{
	(void)ctx;
	return db_new_epoch(db);
}

int db_backup(const char *src_path, const char *dst_path, char *err, size_t len)
{
	if (postgres_uri(src_path, "backup", err, len))
		return -1;
	return db_sqlite_backup(src_path, dst_path, err, len);
}

int db_restore(const char *backup_path, const char *db_path, char *err, size_t len)
{
	if (postgres_uri(db_path, "restore", err, len) ||
	    db_sqlite_restore(backup_path, db_path, err, len))
		return -1;
	/* Opening it as the server would applies pending migrations; then a new epoch tells
	 * data-plane workers that revisions they knew mean nothing now. */
	struct db_pool *pool = db_pool_open(db_path, 1, err, len);
	if (!pool)
		return -1;
	struct db *db = db_acquire(pool);
	enum db_rc rc = db_txn(db, restore_epoch, NULL);
	db_release(pool, db);
	db_pool_close(pool);
	if (rc != DB_OK) {
		snprintf(err, len, "cannot start a new epoch in %s (error %d)", db_path, (int)rc);
		return -1;
	}
	return 0;
}
