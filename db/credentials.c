/* credentials.c — the access keys of --auth sigv4 (migrations/0003_credentials.sql). */
#include "internal.h"

#include <stdlib.h>

/* ---- credentials (--auth sigv4; server/auth.c, server/cli_credentials.c) ---- */

enum db_rc db_cred_create(struct db *db, const char *akid, const char *secret, const char *account,
			  const char *created)
{
	struct dbq *q = dbq_open(db, S_CRED_INSERT);
	dbq_text(q, 1, akid);
	dbq_text(q, 2, secret);
	dbq_text(q, 3, account);
	dbq_text(q, 4, created);
	return dbq_exec(q);
}

enum db_rc db_cred_get(struct db *db, const char *akid, char **secret, char **account)
{
	struct dbq *q = dbq_open(db, S_CRED_GET);
	enum db_rc out = DB_NOTFOUND;
	*secret = *account = NULL;
	dbq_text(q, 1, akid);
	if (dbq_step(q) > 0) {
		*secret = dbq_col_dup(q, 0, NULL);
		*account = dbq_col_dup(q, 1, NULL);
		out = *secret && *account ? DB_OK : DB_ERROR;
	}
	enum db_rc rc = dbq_close(q);
	if (rc != DB_OK)
		out = rc;
	if (out != DB_OK) {
		free(*secret);
		free(*account);
		*secret = *account = NULL;
	}
	return out;
}

enum db_rc db_cred_list(struct db *db, db_cred_fn fn, void *ctx)
{
	struct dbq *q = dbq_open(db, S_CRED_LIST);
	while (dbq_step(q) > 0) {
		struct db_cred c = {
			.access_key_id = dbq_col(q, 0, NULL),
			.account = dbq_col(q, 1, NULL),
			.created = dbq_col(q, 2, NULL),
		};
		if (!fn(&c, ctx))
			break;
	}
	return dbq_close(q);
}

enum db_rc db_cred_delete(struct db *db, const char *akid)
{
	struct dbq *q = dbq_open(db, S_CRED_DELETE);
	dbq_text(q, 1, akid);
	int step = dbq_step(q);
	int64_t changed = step >= 0 ? dbq_changes(q) : 0;
	enum db_rc rc = dbq_close(q);
	if (rc == DB_OK && changed == 0)
		rc = DB_NOTFOUND;
	return rc;
}
