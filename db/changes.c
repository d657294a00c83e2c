/* changes.c — revisions and the change log: every committed change takes the next revision
 * and leaves a row behind for the data-plane feed (migrations/0002_changes.sql). On
 * PostgreSQL the revision counter's row lock orders writers from their first change to their
 * COMMIT, so revisions commit in order on every node (pg.c). */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

/* The change log is pruned when a revision is a multiple of this. */
enum { PRUNE_EVERY = 256 };

/* ---- revisions and the change log ---- */

/* Takes the transaction's revision on its first change (pruning the log now and then). */
enum db_rc db_take_revision(struct db *db)
{
	enum db_rc rc;
	if (db->txn_rev)
		return DB_OK;
	int64_t rev = 0;
	rc = dbq_select_int(dbq_open(db, S_REV_NEXT), &rev);
	if (rc == DB_NOTFOUND)
		rc = DB_ERROR; /* the counter row is part of the schema */
	if (rc != DB_OK)
		return rc;
	db->txn_rev = rev;
	if (!db->pool->retention || db->txn_rev % PRUNE_EVERY)
		return DB_OK;
	int64_t through = db->txn_rev - db->pool->retention;
	if (through <= 0)
		return DB_OK;
	struct dbq *q = dbq_open(db, S_CHANGE_PRUNE);
	dbq_int(q, 1, through);
	if ((rc = dbq_exec(q)) != DB_OK)
		return rc;
	q = dbq_open(db, S_PRUNED_SET);
	dbq_int(q, 1, through);
	return dbq_exec(q);
}

/* Logs one change of the open transaction. */
enum db_rc db_record_change(struct db *db, const struct db_key *k, const char *op)
{
	enum db_rc rc = db_take_revision(db);
	if (rc != DB_OK)
		return rc;
	size_t rootlen = k->parent[0] ? strcspn(k->parent, "/") : strlen(k->id);
	char root[256];
	if (rootlen >= sizeof root)
		return DB_ERROR;
	memcpy(root, k->parent[0] ? k->parent : k->id, rootlen);
	root[rootlen] = '\0';
	struct dbq *q = dbq_open(db, S_CHANGE_ADD);
	dbq_int(q, 1, db->txn_rev);
	dbq_text(q, 2, k->scope->account);
	dbq_text(q, 3, k->scope->region);
	dbq_text(q, 4, root);
	dbq_text(q, 5, k->kind);
	dbq_text(q, 6, k->parent);
	dbq_text(q, 7, k->id);
	dbq_text(q, 8, op);
	if ((rc = dbq_exec(q)) != DB_OK)
		return rc;
	q = dbq_open(db, S_ROOT_TOUCH);
	dbq_text(q, 1, k->scope->account);
	dbq_text(q, 2, k->scope->region);
	dbq_text(q, 3, root);
	dbq_int(q, 4, db->txn_rev);
	return dbq_exec(q);
}

int64_t db_txn_revision(const struct db *db)
{
	return db->txn_rev;
}

enum db_rc db_root_revision(struct db *db, const struct db_scope *scope, const char *root,
			    int64_t *rev)
{
	struct dbq *q = dbq_open(db, S_ROOT_GET);
	dbq_text(q, 1, scope->account);
	dbq_text(q, 2, scope->region);
	dbq_text(q, 3, root);
	return dbq_select_int(q, rev);
}

enum db_rc db_res_revision(struct db *db, const struct db_key *k, int64_t *rev)
{
	struct dbq *q = dbq_open(db, S_RES_REV);
	dbq_key(q, k);
	return dbq_select_int(q, rev);
}

enum db_rc db_revision(struct db *db, int64_t *current, int64_t *oldest, char **epoch)
{
	struct dbq *q = dbq_open(db, S_REV_GET);
	enum db_rc out = DB_ERROR;
	if (dbq_step(q) > 0) {
		out = DB_OK;
		if (current)
			*current = dbq_int_col(q, 0);
		if (oldest)
			*oldest = dbq_int_col(q, 1);
		if (epoch && !(*epoch = dbq_col_dup(q, 2, NULL)))
			out = DB_ERROR;
	}
	enum db_rc rc = dbq_close(q);
	if (rc != DB_OK && out == DB_OK && epoch) {
		free(*epoch);
		*epoch = NULL;
	}
	return rc != DB_OK ? rc : out;
}

enum db_rc db_changes_since(struct db *db, const struct db_scope *scope, int64_t since,
			    const char *root, unsigned limit, db_change_fn fn, void *ctx)
{
	struct dbq *q = dbq_open(db, S_CHANGES_SINCE);
	unsigned n = 0;
	int64_t last = 0;
	dbq_int(q, 1, since);
	dbq_text(q, 2, scope->account);
	dbq_text(q, 3, scope->region);
	dbq_text(q, 4, root);
	while (dbq_step(q) > 0) {
		struct db_change ch = {
			.revision = dbq_int_col(q, 0),
			.account = dbq_col(q, 1, NULL),
			.region = dbq_col(q, 2, NULL),
			.root = dbq_col(q, 3, NULL),
			.resource = dbq_col(q, 4, NULL),
			.parent = dbq_col(q, 5, NULL),
			.id = dbq_col(q, 6, NULL),
			.op = dbq_col(q, 7, NULL),
		};
		if (n >= limit && ch.revision != last)
			break; /* whole revisions only */
		last = ch.revision;
		n++;
		if (!fn(&ch, ctx))
			break;
	}
	return dbq_close(q);
}

enum db_rc db_new_epoch(struct db *db)
{
	int64_t current = 0;
	enum db_rc rc = db_revision(db, &current, NULL, NULL);
	if (rc == DB_OK)
		rc = db_exec_id(db, S_CHANGES_CLEAR);
	if (rc == DB_OK)
		rc = db_exec_id(db, S_EPOCH_NEW);
	if (rc == DB_OK) {
		struct dbq *q = dbq_open(db, S_PRUNED_SET);
		dbq_int(q, 1, current);
		rc = dbq_exec(q);
	}
	return rc;
}
