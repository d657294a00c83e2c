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
	sqlite3_stmt *s = db_stmt(db, S_RES_GET);
	enum db_rc out = DB_ERROR;
	if (!s)
		return DB_ERROR;
	db_bind_key(s, k);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		out = DB_OK;
		if (doc && !(*doc = db_column_dup(s, 0, NULL)))
			out = DB_ERROR;
		if (body && !(*body = db_column_dup(s, 1, body_len)))
			out = DB_ERROR;
	} else {
		out = rc == SQLITE_DONE ? DB_NOTFOUND : db_rc_of(db, rc);
	}
	db_done(s);
	return out;
}

static enum db_rc write_row(struct db *db, enum stmt_id id, const struct db_key *k,
			    const char *ukey, const char *ref, const char *doc, const char *body)
{
	/* The row carries the revision of its last write: take it first. */
	enum db_rc rc = db_take_revision(db);
	sqlite3_stmt *s = rc == DB_OK ? db_stmt(db, id) : NULL;
	if (!s)
		return rc != DB_OK ? rc : DB_ERROR;
	db_bind_key(s, k);
	db_bind_text(s, 6, ukey);
	db_bind_text(s, 7, ref);
	db_bind_text(s, 8, doc);
	db_bind_text(s, 9, body);
	sqlite3_bind_int64(s, 10, db->txn_rev);
	rc = db_exec_stmt(db, s);
	if (rc == DB_OK && sqlite3_changes(db->h) == 0)
		rc = DB_NOTFOUND;
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

enum db_rc db_res_delete_row(struct db *db, const struct db_key *k)
{
	sqlite3_stmt *s = db_stmt(db, S_RES_DELETE);
	if (!s)
		return DB_ERROR;
	db_bind_key(s, k);
	enum db_rc rc = db_exec_stmt(db, s);
	if (rc != DB_OK)
		return rc;
	if (sqlite3_changes(db->h) == 0)
		return DB_NOTFOUND;
	return db_record_change(db, k, "delete");
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
	s = db_stmt(db, S_RES_DELETE_TREE);
	if (s) {
		db_bind_text(s, 1, k->scope->account);
		db_bind_text(s, 2, k->scope->region);
		sqlite3_bind_text(s, 3, path, -1, SQLITE_STATIC);
		rc = db_exec_stmt(db, s);
	} else {
		rc = DB_ERROR;
	}
	free(path);
	return rc;
}

/* Steps s, passing up to `max` rows to fn. *more (may be NULL) tells whether a row remains
 * after the last one passed, whether the limit or fn stopped the walk. */
static enum db_rc each_row(struct db *db, sqlite3_stmt *s, unsigned max, db_row_fn fn, void *ctx,
			   bool *more)
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
	enum db_rc out = (rc == SQLITE_ROW || rc == SQLITE_DONE) ? DB_OK : db_rc_of(db, rc);
	db_done(s);
	if (more)
		*more = remains;
	return out;
}

enum db_rc db_res_list(struct db *db, const struct db_key *k, int64_t after_seq, unsigned limit,
		       db_row_fn fn, void *ctx, bool *more)
{
	sqlite3_stmt *s = db_stmt(db, S_RES_LIST);
	if (!s)
		return DB_ERROR;
	db_bind_key(s, k);
	sqlite3_bind_int64(s, 5, after_seq);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)limit + 1); /* one more: is there a next page? */
	return each_row(db, s, limit, fn, ctx, more);
}

enum db_rc db_res_refs(struct db *db, const struct db_key *k, const char *ref, db_row_fn fn,
		       void *ctx)
{
	sqlite3_stmt *s = db_stmt(db, S_RES_REFS);
	if (!s)
		return DB_ERROR;
	db_bind_key(s, k);
	db_bind_text(s, 5, ref);
	return each_row(db, s, UINT32_MAX, fn, ctx, NULL);
}

enum db_rc db_id_claim(struct db *db, const char *account, const char *id)
{
	sqlite3_stmt *s = db_stmt(db, S_ID_CLAIM);
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, account);
	db_bind_text(s, 2, id);
	enum db_rc rc = db_exec_stmt(db, s);
	if (rc == DB_OK && sqlite3_changes(db->h) == 0)
		rc = DB_CONFLICT;
	return rc;
}

enum db_rc db_meta_get(struct db *db, const char *key, void **val, size_t *len)
{
	sqlite3_stmt *s = db_stmt(db, S_META_GET);
	enum db_rc out;
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, key);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*len = (size_t)sqlite3_column_bytes(s, 0);
		*val = malloc(*len ? *len : 1);
		out = *val ? DB_OK : DB_ERROR;
		if (*val && *len)
			memcpy(*val, sqlite3_column_blob(s, 0), *len);
	} else {
		out = rc == SQLITE_DONE ? DB_NOTFOUND : db_rc_of(db, rc);
	}
	db_done(s);
	return out;
}

enum db_rc db_meta_put(struct db *db, const char *key, const void *val, size_t len)
{
	sqlite3_stmt *s = db_stmt(db, S_META_PUT);
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, key);
	sqlite3_bind_blob(s, 2, val, (int)len, SQLITE_STATIC);
	return db_exec_stmt(db, s);
}
