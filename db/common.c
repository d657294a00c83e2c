/* common.c — what db.c and both backends (sqlite.c, pg.c) share, below all of them: the text
 * of every statement in each dialect, and the newest revision a pool has heard of. */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static const char *const sqlite_sql[S_COUNT] = {
#define X(id, sql, pgsql) [id] = sql,
	DB_STATEMENTS(X)
#undef X
};
static const char *const pg_sql_given[S_COUNT] = {
#define X(id, sql, pgsql) [id] = pgsql,
	DB_STATEMENTS(X)
#undef X
};
/* PostgreSQL's text of the statements given once: ?N written $N (built at first use). */
static char *pg_sql[S_COUNT];
static pthread_once_t pg_sql_once = PTHREAD_ONCE_INIT;

static void pg_sql_build(void)
{
	for (int i = 0; i < S_COUNT; i++) {
		const char *in = pg_sql_given[i] ? pg_sql_given[i] : sqlite_sql[i];
		char *out = malloc(strlen(in) + 1), *o = out;
		if (!out)
			continue;
		for (; *in; in++)
			*o++ = *in == '?' && !pg_sql_given[i] ? '$' : *in;
		*o = '\0';
		pg_sql[i] = out;
	}
}

const char *db_stmt_sql(bool pg, enum stmt_id id)
{
	if (!pg)
		return sqlite_sql[id];
	pthread_once(&pg_sql_once, pg_sql_build);
	return pg_sql[id] ? pg_sql[id] : "SELECT 'out of memory' FROM nowhere";
}

/* Raises the newest revision the pool knows of to rev; true when rev was newer. */
bool db_pool_raise_seen(struct db_pool *pool, int64_t rev)
{
	int64_t seen = __atomic_load_n(&pool->seen_revision, __ATOMIC_ACQUIRE);
	while (rev > seen)
		if (__atomic_compare_exchange_n(&pool->seen_revision, &seen, rev, false,
						__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
			return true;
	return false;
}

void db_pool_revision_seen(struct db_pool *pool, int64_t rev)
{
	/* Another node's (or this one's, heard again): only what is new here. */
	if (db_pool_raise_seen(pool, rev) && pool->on_commit)
		pool->on_commit(pool->on_commit_arg, rev);
}
