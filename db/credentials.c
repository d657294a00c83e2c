/* credentials.c — the access keys of --auth sigv4 (migrations/0003_credentials.sql). */
#include "internal.h"

#include <stdlib.h>

/* ---- credentials (--auth sigv4; server/auth.c, server/cli_credentials.c) ---- */

enum db_rc db_cred_create(struct db *db, const char *akid, const char *secret, const char *account,
			  const char *created)
{
	sqlite3_stmt *s = db_stmt(db, S_CRED_INSERT);
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, akid);
	db_bind_text(s, 2, secret);
	db_bind_text(s, 3, account);
	db_bind_text(s, 4, created);
	return db_exec_stmt(db, s);
}

enum db_rc db_cred_get(struct db *db, const char *akid, char **secret, char **account)
{
	sqlite3_stmt *s = db_stmt(db, S_CRED_GET);
	enum db_rc out;
	if (!s)
		return DB_ERROR;
	*secret = *account = NULL;
	db_bind_text(s, 1, akid);
	int rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*secret = db_column_dup(s, 0, NULL);
		*account = db_column_dup(s, 1, NULL);
		out = *secret && *account ? DB_OK : DB_ERROR;
		if (out != DB_OK) {
			free(*secret);
			free(*account);
			*secret = *account = NULL;
		}
	} else {
		out = rc == SQLITE_DONE ? DB_NOTFOUND : db_rc_of(db, rc);
	}
	db_done(s);
	return out;
}

enum db_rc db_cred_list(struct db *db, db_cred_fn fn, void *ctx)
{
	sqlite3_stmt *s = db_stmt(db, S_CRED_LIST);
	int rc;
	if (!s)
		return DB_ERROR;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct db_cred c = {
			.access_key_id = (const char *)sqlite3_column_text(s, 0),
			.account = (const char *)sqlite3_column_text(s, 1),
			.created = (const char *)sqlite3_column_text(s, 2),
		};
		if (!fn(&c, ctx)) {
			rc = SQLITE_DONE;
			break;
		}
	}
	enum db_rc out = rc == SQLITE_DONE ? DB_OK : db_rc_of(db, rc);
	db_done(s);
	return out;
}

enum db_rc db_cred_delete(struct db *db, const char *akid)
{
	sqlite3_stmt *s = db_stmt(db, S_CRED_DELETE);
	if (!s)
		return DB_ERROR;
	db_bind_text(s, 1, akid);
	enum db_rc rc = db_exec_stmt(db, s);
	if (rc == DB_OK && sqlite3_changes(db->h) == 0)
		rc = DB_NOTFOUND;
	return rc;
}
