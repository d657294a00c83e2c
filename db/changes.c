/* changes.c — revisions and the change log: every committed change takes the next revision
 * and leaves a row behind for the data-plane feed (migrations/0002_changes.sql). */
#include "internal.h"

#include <string.h>

/* The change log is pruned when a revision is a multiple of this. */
enum { PRUNE_EVERY = 256 };

/* ---- revisions and the change log ---- */

/* Takes the transaction's revision on its first change (pruning the log now and then). */
enum db_rc db_take_revision(struct db *db)
{
	sqlite3_stmt *s;
	enum db_rc rc;
	if (db->txn_rev)
		return DB_OK;
	if (!(s = db_stmt(db, S_REV_NEXT)))
		return DB_ERROR;
	int r = sqlite3_step(s);
	if (r == SQLITE_ROW)
		db->txn_rev = sqlite3_column_int64(s, 0);
	rc = r == SQLITE_ROW ? DB_OK : db_rc_of(db, r);
	db_done(s);
	if (rc != DB_OK || !db->pool->retention || db->txn_rev % PRUNE_EVERY)
		return rc;
	int64_t through = db->txn_rev - db->pool->retention;
	if (through <= 0)
		return DB_OK;
	if (!(s = db_stmt(db, S_CHANGE_PRUNE)))
		return DB_ERROR;
	sqlite3_bind_int64(s, 1, through);
	if ((rc = db_exec_stmt(db, s)) != DB_OK || !(s = db_stmt(db, S_PRUNED_SET)))
		return rc != DB_OK ? rc : DB_ERROR;
	sqlite3_bind_int64(s, 1, through);
	return db_exec_stmt(db, s);
}

/* Logs one change of the open transaction. */
enum db_rc db_record_change(struct db *db, const struct db_key *k, const char *op)
{
	enum db_rc rc = db_take_revision(db);
	sqlite3_stmt *s = rc == DB_OK ? db_stmt(db, S_CHANGE_ADD) : NULL;
	if (!s)
		return rc != DB_OK ? rc : DB_ERROR;
	size_t rootlen = k->parent[0] ? strcspn(k->parent, "/") : strlen(k->id);
	sqlite3_bind_int64(s, 1, db->txn_rev);
	db_bind_text(s, 2, k->scope->account);
	db_bind_text(s, 3, k->scope->region);
	sqlite3_bind_text(s, 4, k->parent[0] ? k->parent : k->id, (int)rootlen, SQLITE_STATIC);
	db_bind_text(s, 5, k->kind);
	db_bind_text(s, 6, k->parent);
	db_bind_text(s, 7, k->id);
	db_bind_text(s, 8, op);
	if ((rc = db_exec_stmt(db, s)) != DB_OK || !(s = db_stmt(db, S_ROOT_TOUCH)))
		return rc != DB_OK ? rc : DB_ERROR;
	db_bind_text(s, 1, k->scope->account);
	db_bind_text(s, 2, k->scope->region);
	sqlite3_bind_text(s, 3, k->parent[0] ? k->parent : k->id, (int)rootlen, SQLITE_STATIC);
	sqlite3_bind_int64(s, 4, db->txn_rev);
	return db_exec_stmt(db, s);
}

/* Runs a one-integer SELECT bound to k (bind_key) or to (account, region, root). */
enum db_rc db_select_int(struct db *db, sqlite3_stmt *s, int64_t *out)
{
	int rc = sqlite3_step(s);
	enum db_rc r = rc == SQLITE_ROW	   ? DB_OK
		       : rc == SQLITE_DONE ? DB_NOTFOUND
					   : db_rc_of(db, rc);
	if (r == DB_OK)
		*out = sqlite3_column_int64(s, 0);
	db_done(s);
	return r;
}

int64_t db_txn_revision(const struct db *db)
{
	return db->txn_rev;
}

enum db_rc db_root_revision(struct db *db, const struct db_scope *scope, const char *root,
			    int64_t *rev)
{
	sqlite3_stmt *s = db_stmt(db, S_ROOT_GET);
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, scope->account);
	db_bind_text(s, 2, scope->region);
	db_bind_text(s, 3, root);
	return db_select_int(db, s, rev);
}

enum db_rc db_res_revision(struct db *db, const struct db_key *k, int64_t *rev)
{
	sqlite3_stmt *s = db_stmt(db, S_RES_REV);
	if (!s)
		return DB_ERROR;
	db_bind_key(s, k);
	return db_select_int(db, s, rev);
}

enum db_rc db_revision(struct db *db, int64_t *current, int64_t *oldest, char **epoch)
{
	sqlite3_stmt *s = db_stmt(db, S_REV_GET);
	enum db_rc out;
	if (!s)
		return DB_ERROR;
	int rc = sqlite3_step(s);
	out = rc == SQLITE_ROW ? DB_OK : db_rc_of(db, rc);
	if (out == DB_OK) {
		if (current)
			*current = sqlite3_column_int64(s, 0);
		if (oldest)
			*oldest = sqlite3_column_int64(s, 1);
		if (epoch && !(*epoch = db_column_dup(s, 2, NULL)))
			out = DB_ERROR;
	}
	db_done(s);
	return out;
}

enum db_rc db_changes_since(struct db *db, const struct db_scope *scope, int64_t since,
			    const char *root, unsigned limit, db_change_fn fn, void *ctx)
{
	sqlite3_stmt *s = db_stmt(db, S_CHANGES_SINCE);
	unsigned n = 0;
	int64_t last = 0;
	int rc;
	if (!s)
		return DB_ERROR;
	sqlite3_bind_int64(s, 1, since);
	db_bind_text(s, 2, scope->account);
	db_bind_text(s, 3, scope->region);
	db_bind_text(s, 4, root);
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
			break; /* whole revisions only */
		last = ch.revision;
		n++;
		if (!fn(&ch, ctx))
			break;
	}
	enum db_rc out = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? DB_OK : db_rc_of(db, rc);
	db_done(s);
	return out;
}

enum db_rc db_new_epoch(struct db *db)
{
	int64_t current = 0;
	enum db_rc rc = db_revision(db, &current, NULL, NULL);
	sqlite3_stmt *s;
	if (rc == DB_OK)
		rc = db_exec_id(db, S_CHANGES_CLEAR);
	if (rc == DB_OK)
		rc = db_exec_id(db, S_EPOCH_NEW);
	if (rc == DB_OK && (s = db_stmt(db, S_PRUNED_SET))) {
		sqlite3_bind_int64(s, 1, current);
		rc = db_exec_stmt(db, s);
	}
	return rc;
}
