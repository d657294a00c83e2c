/* resources.c — the resource rows (migrations/0001_init.sql): get, insert, update, delete
 * with subtrees, keyset lists, references, issued ids and server settings. */
#include "internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- resources ---- */

enum db_rc db_res_get(struct db *db, const struct db_key *k, char **doc, char **body,
		      size_t *body_len)
{
	struct dbq *q = dbq_open(db, S_RES_GET);
	enum db_rc out = DB_NOTFOUND;
	dbq_key(q, k);
	if (dbq_step(q) > 0) {
		out = DB_OK;
		if (doc && !(*doc = dbq_col_dup(q, 0, NULL)))
			out = DB_ERROR;
		if (body && !(*body = dbq_col_dup(q, 1, body_len)))
			out = DB_ERROR;
	}
	enum db_rc rc = dbq_close(q);
	return rc != DB_OK ? rc : out;
}

static enum db_rc write_row(struct db *db, enum stmt_id id, const struct db_key *k,
			    const char *ukey, const char *ref, const char *doc, const char *body)
{
	/* The row carries the revision of its last write: take it first. */
	enum db_rc rc = db_take_revision(db);
	if (rc != DB_OK)
		return rc;
	struct dbq *q = dbq_open(db, id);
	dbq_key(q, k);
	dbq_text(q, 6, ukey);
	dbq_text(q, 7, ref);
	dbq_text(q, 8, doc);
	dbq_text(q, 9, body);
	dbq_int(q, 10, db->txn_rev);
	int step = dbq_step(q);
	int64_t changed = step >= 0 ? dbq_changes(q) : 0;
	rc = dbq_close(q);
	if (rc == DB_OK && step < 0)
		rc = DB_ERROR;
	/* No row changed: an update found nothing; an insert met a taken key (PostgreSQL's
	 * ON CONFLICT DO NOTHING, so that the transaction stays usable, as SQLite's does). */
	if (rc == DB_OK && changed == 0)
		rc = id == S_RES_INSERT ? DB_CONFLICT : DB_NOTFOUND;
	if (rc == DB_OK)
		rc = db_record_change(db, k, id == S_RES_INSERT ? "create" : "update");
	return rc;
}

enum db_rc db_res_insert(struct db *db, const struct db_key *k, const char *ukey, const char *ref,
			 const char *doc, const char *body)
{
	return write_row(db, S_RES_INSERT, k, ukey, ref, doc, body);
}

enum db_rc db_res_update(struct db *db, const struct db_key *k, const char *ukey, const char *ref,
			 const char *doc, const char *body)
{
	return write_row(db, S_RES_UPDATE, k, ukey, ref, doc, body);
}

/* Runs q (bound) and tells how many rows it changed. */
static enum db_rc exec_changes(struct dbq *q, int64_t *changed)
{
	int step = dbq_step(q);
	*changed = step >= 0 ? dbq_changes(q) : 0;
	enum db_rc rc = dbq_close(q);
	return rc == DB_OK && step < 0 ? DB_ERROR : rc;
}

enum db_rc db_res_delete_row(struct db *db, const struct db_key *k)
{
	struct dbq *q = dbq_open(db, S_RES_DELETE);
	int64_t changed = 0;
	dbq_key(q, k);
	enum db_rc rc = exec_changes(q, &changed);
	if (rc != DB_OK)
		return rc;
	if (changed == 0)
		return DB_NOTFOUND;
	return db_record_change(db, k, "delete");
}

enum db_rc db_res_delete(struct db *db, const struct db_key *k)
{
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
	struct dbq *q = dbq_open(db, S_RES_DELETE_TREE);
	dbq_text(q, 1, k->scope->account);
	dbq_text(q, 2, k->scope->region);
	dbq_text(q, 3, path);
	rc = dbq_exec(q);
	free(path);
	return rc;
}

/* Steps q, passing up to `max` rows to fn. *more (may be NULL) tells whether a row remains
 * after the last one passed, whether the limit or fn stopped the walk. */
static enum db_rc each_row(struct dbq *q, unsigned max, db_row_fn fn, void *ctx, bool *more)
{
	int rc;
	unsigned n = 0;
	bool remains = false;
	while ((rc = dbq_step(q)) > 0) {
		if (n == max) {
			remains = true;
			break;
		}
		size_t blen = 0;
		struct db_row row = {
			.seq = dbq_int_col(q, 0),
			.id = dbq_col(q, 1, NULL),
			.doc = dbq_col(q, 2, NULL),
			.body = dbq_col(q, 3, &blen),
		};
		row.body_len = blen;
		n++;
		if (!fn(&row, ctx)) {
			rc = dbq_step(q);
			remains = rc > 0;
			break;
		}
	}
	enum db_rc out = dbq_close(q);
	if (more)
		*more = remains;
	return out;
}

enum db_rc db_res_list(struct db *db, const struct db_key *k, int64_t after_seq, unsigned limit,
		       db_row_fn fn, void *ctx, bool *more)
{
	struct dbq *q = dbq_open(db, S_RES_LIST);
	dbq_key(q, k);
	dbq_int(q, 5, after_seq);
	dbq_int(q, 6, (int64_t)limit + 1); /* one more: is there a next page? */
	return each_row(q, limit, fn, ctx, more);
}

enum db_rc db_res_refs(struct db *db, const struct db_key *k, const char *ref, db_row_fn fn,
		       void *ctx)
{
	struct dbq *q = dbq_open(db, S_RES_REFS);
	dbq_key(q, k);
	dbq_text(q, 5, ref);
	return each_row(q, UINT32_MAX, fn, ctx, NULL);
}

enum db_rc db_id_claim(struct db *db, const char *account, const char *id)
{
	struct dbq *q = dbq_open(db, S_ID_CLAIM);
	int64_t changed = 0;
	dbq_text(q, 1, account);
	dbq_text(q, 2, id);
	enum db_rc rc = exec_changes(q, &changed);
	if (rc == DB_OK && changed == 0)
		rc = DB_CONFLICT;
	return rc;
}

enum db_rc db_meta_get(struct db *db, const char *key, void **val, size_t *len)
{
	struct dbq *q = dbq_open(db, S_META_GET);
	enum db_rc out = DB_NOTFOUND;
	dbq_text(q, 1, key);
	if (dbq_step(q) > 0) {
		const void *b = dbq_blob_col(q, 0, len);
		*val = malloc(*len ? *len : 1);
		out = *val ? DB_OK : DB_ERROR;
		if (*val && *len)
			memcpy(*val, b, *len);
	}
	enum db_rc rc = dbq_close(q);
	if (rc != DB_OK && out == DB_OK) {
		free(*val);
		*val = NULL;
	}
	return rc != DB_OK ? rc : out;
}

enum db_rc db_meta_put(struct db *db, const char *key, const void *val, size_t len)
{
	struct dbq *q = dbq_open(db, S_META_PUT);
	dbq_text(q, 1, key);
	dbq_blob(q, 2, val, len);
	return dbq_exec(q);
}
