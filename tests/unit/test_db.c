/* test_db.c — the storage API (db/db.h) on a temporary file database and on ":memory:":
 * migrations, rows, unique keys, subtree deletion, keyset paging, refs, issued ids, meta, the
 * transaction runner and refusing a database newer than the binary. */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "db.h"
#include "unit.h"

static char tmpdir[64];	 /* a private directory under /tmp for this run */
static char dbfile[128]; /* tmpdir/apigwd.db */

static const struct db_scope S1 = {"111111111111", "us-east-1"};
static const struct db_scope S2 = {"111111111111", "eu-west-1"};
static const struct db_scope S3 = {"222222222222", "us-east-1"};

static void remove_db_files(void)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
	char p[160];
	for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
		snprintf(p, sizeof p, "%s%s", dbfile, suffixes[i]);
		unlink(p);
	}
}

static struct db_pool *open_pool(const char *path, unsigned n)
{
	char err[512] = "";
	struct db_pool *pool = db_pool_open(path, n, err, sizeof err);
	if (!pool)
		fprintf(stderr, "  db_pool_open(%s): %s\n", path, err);
	return pool;
}

static enum db_rc put(struct db *db, const struct db_scope *s, const char *kind, const char *parent,
		      const char *id, const char *ukey, const char *ref)
{
	struct db_key k = {s, kind, parent, id};
	char doc[256], body[256];
	snprintf(doc, sizeof doc, "{\"id\":\"%s\",\"parent\":\"%s\"}", id, parent);
	snprintf(body, sizeof body, "{\"id\":\"%s\"}", id);
	return db_res_insert(db, &k, ukey, ref, doc, body);
}

static bool exists(struct db *db, const struct db_scope *s, const char *kind, const char *parent,
		   const char *id)
{
	struct db_key k = {s, kind, parent, id};
	return db_res_get(db, &k, NULL, NULL, NULL) == DB_OK;
}

/* Collects the rows a list passes to its callback. */
struct seen {
	unsigned n;
	unsigned stop_after; /* the callback returns false after this many rows (0 = never) */
	int64_t seq[64];
	char ids[64][32];
	bool ordered;	/* seq strictly increasing */
	bool bodies_ok; /* body_len == strlen(body), doc and body present */
};

static bool see_row(const struct db_row *row, void *arg)
{
	struct seen *s = arg;
	if (s->n && row->seq <= s->seq[s->n - 1])
		s->ordered = false;
	if (!row->doc || !row->body || row->body_len != strlen(row->body))
		s->bodies_ok = false;
	if (s->n < 64) {
		s->seq[s->n] = row->seq;
		snprintf(s->ids[s->n], sizeof s->ids[s->n], "%s", row->id);
	}
	s->n++;
	return !(s->stop_after && s->n >= s->stop_after);
}

static struct seen list(struct db *db, const struct db_scope *sc, const char *kind,
			const char *parent, int64_t after, unsigned limit, bool *more)
{
	struct seen s = {.ordered = true, .bodies_ok = true};
	struct db_key k = {sc, kind, parent, "ignored"};
	enum db_rc rc = db_res_list(db, &k, after, limit, see_row, &s, more);
	CHECK(rc == DB_OK);
	return s;
}

static unsigned count(struct db *db, const struct db_scope *sc, const char *kind,
		      const char *parent)
{
	bool more = false;
	struct seen s = list(db, sc, kind, parent, 0, 1000, &more);
	return s.n;
}

/* ---- tests ---- */

static void test_open_applies_migrations(void)
{
	CHECK(db_migrations_count >= 1);
	for (unsigned i = 0; i < db_migrations_count; i++)
		CHECK(db_migrations[i].name && db_migrations[i].sql && db_migrations[i].sql[0]);
	CHECK(strcmp(db_migrations[0].name, "0001_init") == 0);

	struct db_pool *pool = open_pool(":memory:", 4);
	CHECK(pool != NULL);
	if (pool) {
		struct db *db = db_acquire(pool);
		CHECK(db_schema_version(db) == db_migrations_count);
		db_release(pool, db);
		db_pool_close(pool);
	}

	remove_db_files();
	pool = open_pool(dbfile, 3);
	CHECK(pool != NULL);
	if (!pool)
		return;
	CHECK(access(dbfile, F_OK) == 0);
	/* every connection of the pool sees the same, migrated database */
	struct db *a = db_acquire(pool), *b = db_acquire(pool), *c = db_acquire(pool);
	CHECK(a != b && b != c && a != c);
	CHECK(db_schema_version(a) == db_migrations_count);
	CHECK(db_schema_version(c) == db_migrations_count);
	CHECK(put(a, &S1, "api", "", "shared1", NULL, NULL) == DB_OK);
	CHECK(exists(b, &S1, "api", "", "shared1"));
	CHECK(exists(c, &S1, "api", "", "shared1"));
	db_release(pool, a);
	db_release(pool, b);
	db_release(pool, c);
	db_pool_close(pool);

	/* reopening: nothing to migrate, data kept */
	pool = open_pool(dbfile, 1);
	CHECK(pool != NULL);
	if (pool) {
		struct db *db = db_acquire(pool);
		CHECK(db_schema_version(db) == db_migrations_count);
		CHECK(exists(db, &S1, "api", "", "shared1"));
		db_release(pool, db);
		db_pool_close(pool);
	}
	remove_db_files();

	/* a path that cannot be created is refused with a sentence */
	char err[512] = "";
	pool = db_pool_open("/nonexistent-apigwd-dir/sub/x.db", 1, err, sizeof err);
	CHECK(pool == NULL);
	CHECK(err[0] != '\0');
	db_pool_close(pool);
}

static void crud(struct db *db)
{
	struct db_key k = {&S1, "integration", "api1", "int1"};
	char *doc = NULL, *body = NULL;
	size_t len = 0;

	CHECK(db_res_get(db, &k, &doc, &body, &len) == DB_NOTFOUND);
	CHECK(db_res_insert(db, &k, "ukey1", "ref1", "{\"d\":1}", "{\"b\":\"\xc3\xa9\"}") == DB_OK);
	CHECK(db_res_get(db, &k, &doc, &body, &len) == DB_OK);
	CHECK_STR(doc, "{\"d\":1}");
	CHECK_STR(body, "{\"b\":\"\xc3\xa9\"}");
	CHECK(len == strlen("{\"b\":\"\xc3\xa9\"}"));
	free(doc);
	free(body);
	doc = body = NULL;
	/* either output may be skipped */
	CHECK(db_res_get(db, &k, NULL, &body, NULL) == DB_OK);
	CHECK_STR(body, "{\"b\":\"\xc3\xa9\"}");
	free(body);
	body = NULL;
	CHECK(db_res_get(db, &k, &doc, NULL, NULL) == DB_OK);
	CHECK_STR(doc, "{\"d\":1}");
	free(doc);
	doc = NULL;

	/* the same key elsewhere does not exist */
	struct db_key other = k;
	other.scope = &S2;
	CHECK(db_res_get(db, &other, NULL, NULL, NULL) == DB_NOTFOUND);
	other.scope = &S3;
	CHECK(db_res_get(db, &other, NULL, NULL, NULL) == DB_NOTFOUND);
	other = k;
	other.kind = "route";
	CHECK(db_res_get(db, &other, NULL, NULL, NULL) == DB_NOTFOUND);
	other = k;
	other.parent = "api2";
	CHECK(db_res_get(db, &other, NULL, NULL, NULL) == DB_NOTFOUND);

	/* update */
	CHECK(db_res_update(db, &k, NULL, NULL, "{\"d\":2}", "{\"b\":2}") == DB_OK);
	CHECK(db_res_get(db, &k, &doc, &body, &len) == DB_OK);
	CHECK_STR(doc, "{\"d\":2}");
	CHECK_STR(body, "{\"b\":2}");
	CHECK(len == 7);
	free(doc);
	free(body);
	doc = body = NULL;
	/* the cleared ref and ukey are gone: refs finds nothing, the ukey is free again */
	struct seen s = {.ordered = true, .bodies_ok = true};
	CHECK(db_res_refs(db, &k, "ref1", see_row, &s) == DB_OK);
	CHECK(s.n == 0);
	struct db_key k2 = {&S1, "integration", "api1", "int2"};
	CHECK(db_res_insert(db, &k2, "ukey1", NULL, "{}", "{}") == DB_OK);
	CHECK(db_res_update(db, &other, NULL, NULL, "{}", "{}") == DB_NOTFOUND);

	/* delete */
	CHECK(db_res_delete(db, &k) == DB_OK);
	CHECK(db_res_get(db, &k, NULL, NULL, NULL) == DB_NOTFOUND);
	CHECK(db_res_delete(db, &k) == DB_NOTFOUND);
	CHECK(db_res_update(db, &k, NULL, NULL, "{}", "{}") == DB_NOTFOUND);
	CHECK(exists(db, &S1, "integration", "api1", "int2"));
	CHECK(db_res_delete(db, &k2) == DB_OK);
	/* a deleted id can be inserted again (ids are kept unique by db_id_claim) */
	CHECK(db_res_insert(db, &k, NULL, NULL, "{}", "{}") == DB_OK);
	CHECK(db_res_delete(db, &k) == DB_OK);
}

static void test_crud(void)
{
	struct db_pool *pool = open_pool(":memory:", 1);
	CHECK(pool != NULL);
	if (pool) {
		struct db *db = db_acquire(pool);
		crud(db);
		db_release(pool, db);
		db_pool_close(pool);
	}
	remove_db_files();
	pool = open_pool(dbfile, 2);
	CHECK(pool != NULL);
	if (pool) {
		struct db *db = db_acquire(pool);
		crud(db);
		db_release(pool, db);
		db_pool_close(pool);
	}
	remove_db_files();
}

static void test_conflicts(struct db *db)
{
	struct db_key k = {&S1, "route", "api1", "r1"};
	CHECK(db_res_insert(db, &k, "GET /a", NULL, "{\"v\":1}", "{\"v\":1}") == DB_OK);
	/* duplicate id in the same (kind, parent) */
	CHECK(db_res_insert(db, &k, "GET /other", NULL, "{\"v\":2}", "{\"v\":2}") == DB_CONFLICT);
	char *doc = NULL;
	CHECK(db_res_get(db, &k, &doc, NULL, NULL) == DB_OK);
	CHECK_STR(doc, "{\"v\":1}"); /* the first row is untouched */
	free(doc);
	/* duplicate ukey in the same (kind, parent) */
	CHECK(put(db, &S1, "route", "api1", "r2", "GET /a", NULL) == DB_CONFLICT);
	CHECK(!exists(db, &S1, "route", "api1", "r2"));
	/* ... but not across parents, kinds or scopes */
	CHECK(put(db, &S1, "route", "api2", "r1", "GET /a", NULL) == DB_OK);
	CHECK(put(db, &S1, "route", "api2", "r2", "GET /b", NULL) == DB_OK);
	CHECK(put(db, &S1, "stage", "api1", "r1", "GET /a", NULL) == DB_OK);
	CHECK(put(db, &S2, "route", "api1", "r1", "GET /a", NULL) == DB_OK);
	CHECK(put(db, &S3, "route", "api1", "r1", "GET /a", NULL) == DB_OK);
	/* no ukey: any number of rows */
	CHECK(put(db, &S1, "route", "api1", "n1", NULL, NULL) == DB_OK);
	CHECK(put(db, &S1, "route", "api1", "n2", NULL, NULL) == DB_OK);
	/* an update may keep its own ukey, not take another's */
	CHECK(put(db, &S1, "route", "api1", "r3", "GET /c", NULL) == DB_OK);
	struct db_key k3 = {&S1, "route", "api1", "r3"};
	CHECK(db_res_update(db, &k3, "GET /c", NULL, "{}", "{}") == DB_OK);
	CHECK(db_res_update(db, &k3, "GET /a", NULL, "{}", "{}") == DB_CONFLICT);
	CHECK(db_res_update(db, &k3, "GET /d", NULL, "{}", "{}") == DB_OK);
	/* the freed ukey can be taken */
	CHECK(put(db, &S1, "route", "api1", "r4", "GET /c", NULL) == DB_OK);
}

static void test_conflicts_both(void)
{
	struct db_pool *pool = open_pool(":memory:", 1);
	if (pool) {
		struct db *db = db_acquire(pool);
		test_conflicts(db);
		db_release(pool, db);
		db_pool_close(pool);
	}
	remove_db_files();
	pool = open_pool(dbfile, 1);
	if (pool) {
		struct db *db = db_acquire(pool);
		test_conflicts(db);
		db_release(pool, db);
		db_pool_close(pool);
	}
	remove_db_files();
}

static void test_delete_subtree(void)
{
	struct db_pool *pool = open_pool(":memory:", 1);
	CHECK(pool != NULL);
	if (!pool)
		return;
	struct db *db = db_acquire(pool);
	static const struct {
		const struct db_scope *s;
		const char *kind, *parent, *id;
		bool gone_after_id; /* deleted with api "id" */
	} rows[] = {
		{&S1, "api", "", "id", true},
		{&S1, "integration", "id", "int1", true},
		{&S1, "integration_response", "id/int1", "ir1", true},
		{&S1, "integration_response", "id/int1", "ir2", true},
		{&S1, "route", "id", "rt1", true},
		{&S1, "route_response", "id/rt1", "rr1", true},
		{&S1, "deep", "id/int1/ir1", "d1", true},
		{&S1, "odd", "id/", "o1", true},
		/* siblings whose ids share the prefix, and their children */
		{&S1, "api", "", "idx", false},
		{&S1, "integration", "idx", "int1", false},
		{&S1, "integration_response", "idx/int1", "ir1", false},
		{&S1, "api", "", "i", false},
		{&S1, "integration", "i", "int1", false},
		{&S1, "api", "", "id0", false},
		{&S1, "integration", "id0", "x", false},
		{&S1, "integration", "id0/x", "y", false},
		{&S1, "integration", "id.", "x", false},
		{&S1, "integration", "id-", "x", false},
		{&S1, "integration", "id_", "x", false},
		{&S1, "integration", "iD", "x", false},
		{&S1, "integration", "ID/int1", "x", false},
		{&S1, "integration", "xid/int1", "x", false},
		{&S1, "integration", "id\xc3\xa9", "x", false},
		/* an integration whose own id is "id" is not the api "id" */
		{&S1, "integration", "other", "id", false},
		{&S1, "integration_response", "other/id", "ir", false},
		/* the same tree in other scopes */
		{&S2, "api", "", "id", false},
		{&S2, "integration", "id", "int1", false},
		{&S2, "integration_response", "id/int1", "ir1", false},
		{&S3, "api", "", "id", false},
		{&S3, "integration", "id", "int1", false},
	};
	size_t n = sizeof rows / sizeof rows[0];
	for (size_t i = 0; i < n; i++)
		CHECK(put(db, rows[i].s, rows[i].kind, rows[i].parent, rows[i].id, NULL, NULL) ==
		      DB_OK);

	struct db_key k = {&S1, "api", "", "id"};
	CHECK(db_res_delete(db, &k) == DB_OK);
	for (size_t i = 0; i < n; i++) {
		bool present = exists(db, rows[i].s, rows[i].kind, rows[i].parent, rows[i].id);
		CHECK(present == !rows[i].gone_after_id);
		if (present != !rows[i].gone_after_id)
			fprintf(stderr, "  ^ %s %s/%s in %s: %s after deleting api id\n",
				rows[i].kind, rows[i].parent, rows[i].id, rows[i].s->region,
				present ? "present" : "gone");
	}
	CHECK(db_res_delete(db, &k) == DB_NOTFOUND);

	/* a nested delete: integration int1 of idx; its sibling int10 and the api stay */
	CHECK(put(db, &S1, "integration", "idx", "int10", NULL, NULL) == DB_OK);
	CHECK(put(db, &S1, "integration_response", "idx/int10", "irA", NULL, NULL) == DB_OK);
	CHECK(put(db, &S1, "integration_response", "idx/int1", "ir2", NULL, NULL) == DB_OK);
	struct db_key ki = {&S1, "integration", "idx", "int1"};
	CHECK(db_res_delete(db, &ki) == DB_OK);
	CHECK(!exists(db, &S1, "integration", "idx", "int1"));
	CHECK(count(db, &S1, "integration_response", "idx/int1") == 0);
	CHECK(exists(db, &S1, "api", "", "idx"));
	CHECK(exists(db, &S1, "integration", "idx", "int10"));
	CHECK(exists(db, &S1, "integration_response", "idx/int10", "irA"));

	/* a leaf delete removes that row only */
	struct db_key kl = {&S1, "integration_response", "idx/int10", "irA"};
	CHECK(db_res_delete(db, &kl) == DB_OK);
	CHECK(exists(db, &S1, "integration", "idx", "int10"));

	/* A stage's id is a name the client chose and may equal a sibling integration's id, so
	 * stages are deleted with db_res_delete_row (db.h): it must not take the integration's
	 * responses along, while db_res_delete would (rows below "api7/abc1234"). */
	CHECK(put(db, &S1, "api", "", "api7", NULL, NULL) == DB_OK);
	CHECK(put(db, &S1, "integration", "api7", "abc1234", NULL, NULL) == DB_OK);
	CHECK(put(db, &S1, "integration_response", "api7/abc1234", "ir0001", NULL, NULL) == DB_OK);
	CHECK(put(db, &S1, "stage", "api7", "abc1234", NULL, NULL) == DB_OK);
	struct db_key ks = {&S1, "stage", "api7", "abc1234"};
	CHECK(db_res_delete_row(db, &ks) == DB_OK);
	CHECK(!exists(db, &S1, "stage", "api7", "abc1234"));
	CHECK(exists(db, &S1, "integration", "api7", "abc1234"));
	CHECK(exists(db, &S1, "integration_response", "api7/abc1234", "ir0001"));
	CHECK(db_res_delete_row(db, &ks) == DB_NOTFOUND);

	db_release(pool, db);
	db_pool_close(pool);
}

static void test_list_paging(void)
{
	struct db_pool *pool = open_pool(":memory:", 1);
	CHECK(pool != NULL);
	if (!pool)
		return;
	struct db *db = db_acquire(pool);
	char id[16];
	bool more = true;

	/* empty */
	struct seen s = list(db, &S1, "integration", "p", 0, 10, &more);
	CHECK(s.n == 0 && !more);

	/* 25 rows, interleaved with rows of other lists so seqs have gaps */
	for (int i = 0; i < 25; i++) {
		snprintf(id, sizeof id, "i%02d", i);
		CHECK(put(db, &S1, "integration", "p", id, NULL, NULL) == DB_OK);
		CHECK(put(db, &S1, "integration", "q", id, NULL, NULL) == DB_OK);
		CHECK(put(db, &S1, "route", "p", id, NULL, NULL) == DB_OK);
		CHECK(put(db, &S2, "integration", "p", id, NULL, NULL) == DB_OK);
	}

	/* pages of 10: 10 + 10 + 5, in insertion (seq) order */
	int64_t after = 0;
	unsigned total = 0;
	unsigned sizes[3] = {0};
	bool mores[3] = {false};
	for (int page = 0; page < 3; page++) {
		s = list(db, &S1, "integration", "p", after, 10, &more);
		sizes[page] = s.n;
		mores[page] = more;
		CHECK(s.ordered && s.bodies_ok);
		for (unsigned j = 0; j < s.n && j < 64; j++) {
			snprintf(id, sizeof id, "i%02u", total + j);
			CHECK_STR(s.ids[j], id);
			CHECK(s.seq[j] > after);
		}
		total += s.n;
		if (s.n)
			after = s.seq[s.n - 1];
	}
	CHECK(sizes[0] == 10 && sizes[1] == 10 && sizes[2] == 5);
	CHECK(mores[0] && mores[1] && !mores[2]);
	CHECK(total == 25);
	/* past the end */
	s = list(db, &S1, "integration", "p", after, 10, &more);
	CHECK(s.n == 0 && !more);

	/* a page that ends exactly at the last row has no more */
	s = list(db, &S1, "integration", "p", 0, 25, &more);
	CHECK(s.n == 25 && !more);
	s = list(db, &S1, "integration", "p", 0, 24, &more);
	CHECK(s.n == 24 && more);
	/* limit 1 walks every row */
	after = 0;
	total = 0;
	do {
		s = list(db, &S1, "integration", "p", after, 1, &more);
		CHECK(s.n <= 1);
		if (s.n)
			after = s.seq[0];
		total += s.n;
	} while (more && total < 100);
	CHECK(total == 25);
	/* more may be NULL */
	struct seen s2 = {.ordered = true, .bodies_ok = true};
	struct db_key k = {&S1, "integration", "p", NULL};
	CHECK(db_res_list(db, &k, 0, 5, see_row, &s2, NULL) == DB_OK);
	CHECK(s2.n == 5);
	/* after_seq between two rows of this list */
	s = list(db, &S1, "integration", "p", 0, 3, &more);
	int64_t mid = s.seq[1] + 1; /* a seq of another list, or a gap */
	s2 = list(db, &S1, "integration", "p", mid, 1, &more);
	CHECK(s2.n == 1 && s2.seq[0] == s.seq[2]);

	/* the callback stops early: rows remain after the last one passed, so *more is set */
	struct seen early = {.ordered = true, .bodies_ok = true, .stop_after = 3};
	more = false;
	CHECK(db_res_list(db, &k, 0, 10, see_row, &early, &more) == DB_OK);
	CHECK(early.n == 3);
	CHECK(more);

	/* each list holds its own rows only */
	CHECK(count(db, &S1, "integration", "q") == 25);
	CHECK(count(db, &S1, "route", "p") == 25);
	CHECK(count(db, &S2, "integration", "p") == 25);
	CHECK(count(db, &S3, "integration", "p") == 0);
	CHECK(count(db, &S1, "integration", "") == 0);

	/* deleted rows leave the list; seq order is creation order, not id order */
	struct db_key d = {&S1, "integration", "p", "i03"};
	CHECK(db_res_delete(db, &d) == DB_OK);
	CHECK(put(db, &S1, "integration", "p", "a00", NULL, NULL) == DB_OK);
	s = list(db, &S1, "integration", "p", 0, 100, &more);
	CHECK(s.n == 25 && s.ordered);
	CHECK_STR(s.ids[2], "i02");
	CHECK_STR(s.ids[3], "i04");
	CHECK_STR(s.ids[24], "a00");

	db_release(pool, db);
	db_pool_close(pool);
}

static void test_refs(void)
{
	struct db_pool *pool = open_pool(":memory:", 1);
	CHECK(pool != NULL);
	if (!pool)
		return;
	struct db *db = db_acquire(pool);
	CHECK(put(db, &S1, "route", "api1", "r1", NULL, "int1") == DB_OK);
	CHECK(put(db, &S1, "route", "api1", "r2", NULL, "int2") == DB_OK);
	CHECK(put(db, &S1, "route", "api1", "r3", NULL, NULL) == DB_OK);
	CHECK(put(db, &S1, "route", "api1", "r4", NULL, "int1") == DB_OK);
	CHECK(put(db, &S1, "route", "api2", "r5", NULL, "int1") == DB_OK);
	CHECK(put(db, &S1, "stage", "api1", "s1", NULL, "int1") == DB_OK);
	CHECK(put(db, &S2, "route", "api1", "r6", NULL, "int1") == DB_OK);

	struct db_key k = {&S1, "route", "api1", NULL};
	struct seen s = {.ordered = true, .bodies_ok = true};
	CHECK(db_res_refs(db, &k, "int1", see_row, &s) == DB_OK);
	CHECK(s.n == 2 && s.ordered && s.bodies_ok);
	CHECK_STR(s.ids[0], "r1");
	CHECK_STR(s.ids[1], "r4");
	struct seen none = {.ordered = true, .bodies_ok = true};
	CHECK(db_res_refs(db, &k, "int9", see_row, &none) == DB_OK);
	CHECK(none.n == 0);
	/* stopping early */
	struct seen one = {.ordered = true, .bodies_ok = true, .stop_after = 1};
	CHECK(db_res_refs(db, &k, "int1", see_row, &one) == DB_OK);
	CHECK(one.n == 1);
	/* an update moves the ref */
	struct db_key r4 = {&S1, "route", "api1", "r4"};
	CHECK(db_res_update(db, &r4, NULL, "int2", "{}", "{}") == DB_OK);
	struct seen after = {.ordered = true, .bodies_ok = true};
	CHECK(db_res_refs(db, &k, "int2", see_row, &after) == DB_OK);
	CHECK(after.n == 2);
	CHECK_STR(after.ids[1], "r4");

	db_release(pool, db);
	db_pool_close(pool);
}

static enum db_rc claim_then_abort(struct db *db, void *arg)
{
	(void)arg;
	return db_id_claim(db, "111111111111", "rolled1") == DB_OK ? DB_ABORT : DB_ERROR;
}

static void test_id_claim(void)
{
	remove_db_files();
	struct db_pool *pool = open_pool(dbfile, 2);
	CHECK(pool != NULL);
	if (!pool)
		return;
	struct db *db = db_acquire(pool);
	CHECK(db_id_claim(db, "111111111111", "abc1234") == DB_OK);
	CHECK(db_id_claim(db, "111111111111", "abc1234") == DB_CONFLICT);
	CHECK(db_id_claim(db, "222222222222", "abc1234") == DB_OK);
	CHECK(db_id_claim(db, "222222222222", "abc1234") == DB_CONFLICT);
	CHECK(db_id_claim(db, "111111111111", "abc1235") == DB_OK);
	CHECK(db_id_claim(db, "111111111111", "ABC1234") == DB_OK);
	/* a resource coming and going does not free its id */
	CHECK(put(db, &S1, "api", "", "abc1234", NULL, NULL) == DB_OK);
	struct db_key k = {&S1, "api", "", "abc1234"};
	CHECK(db_res_delete(db, &k) == DB_OK);
	CHECK(db_id_claim(db, "111111111111", "abc1234") == DB_CONFLICT);
	/* from another connection too */
	struct db *db2 = db_acquire(pool);
	CHECK(db_id_claim(db2, "111111111111", "abc1234") == DB_CONFLICT);
	db_release(pool, db2);
	/* a claim inside a rolled-back transaction does not stick */
	CHECK(db_txn(db, claim_then_abort, NULL) == DB_ABORT);
	CHECK(db_id_claim(db, "111111111111", "rolled1") == DB_OK);
	db_release(pool, db);
	db_pool_close(pool);
	/* ids survive a restart */
	pool = open_pool(dbfile, 1);
	CHECK(pool != NULL);
	if (pool) {
		db = db_acquire(pool);
		CHECK(db_id_claim(db, "111111111111", "abc1234") == DB_CONFLICT);
		CHECK(db_id_claim(db, "333333333333", "abc1234") == DB_OK);
		db_release(pool, db);
		db_pool_close(pool);
	}
	remove_db_files();
}

static void test_meta(void)
{
	struct db_pool *pool = open_pool(":memory:", 1);
	CHECK(pool != NULL);
	if (!pool)
		return;
	struct db *db = db_acquire(pool);
	void *val = NULL;
	size_t len = 99;
	CHECK(db_meta_get(db, "nope", &val, &len) == DB_NOTFOUND);
	static const unsigned char key[8] = {0, 1, 2, 0, 255, 0, 7, 0};
	CHECK(db_meta_put(db, "token_key", key, sizeof key) == DB_OK);
	CHECK(db_meta_get(db, "token_key", &val, &len) == DB_OK);
	CHECK(len == sizeof key && val && memcmp(val, key, sizeof key) == 0);
	free(val);
	val = NULL;
	/* replaced, not duplicated */
	CHECK(db_meta_put(db, "token_key", "abc", 3) == DB_OK);
	CHECK(db_meta_get(db, "token_key", &val, &len) == DB_OK);
	CHECK(len == 3 && val && memcmp(val, "abc", 3) == 0);
	free(val);
	val = NULL;
	/* an empty value */
	CHECK(db_meta_put(db, "empty", "", 0) == DB_OK);
	CHECK(db_meta_get(db, "empty", &val, &len) == DB_OK);
	CHECK(len == 0 && val != NULL);
	free(val);
	db_release(pool, db);
	db_pool_close(pool);
}

/* ---- transactions ---- */

struct txn_ctx {
	int calls;
	const char *id;
	enum db_rc result; /* what fn returns after its writes */
	bool dup_second;   /* insert the same id twice */
	bool saw_own_write;
};

static enum db_rc txn_fn(struct db *db, void *arg)
{
	struct txn_ctx *c = arg;
	c->calls++;
	c->saw_own_write = false;
	enum db_rc rc = put(db, &S1, "api", "", c->id, NULL, NULL);
	if (rc != DB_OK)
		return rc;
	rc = put(db, &S1, "integration", c->id, "child", NULL, NULL);
	if (rc != DB_OK)
		return rc;
	c->saw_own_write = exists(db, &S1, "api", "", c->id);
	if (c->dup_second)
		return put(db, &S1, "api", "", c->id, NULL, NULL);
	return c->result;
}

static void txn_cases(struct db_pool *pool)
{
	struct db *db = db_acquire(pool);
	struct txn_ctx ok = {.id = "commit1", .result = DB_OK};
	CHECK(db_txn(db, txn_fn, &ok) == DB_OK);
	CHECK(ok.calls == 1 && ok.saw_own_write);
	CHECK(exists(db, &S1, "api", "", "commit1"));
	CHECK(exists(db, &S1, "integration", "commit1", "child"));

	struct db_key k = {&S1, "api", "", "abort1"};
	struct txn_ctx abort = {.id = "abort1", .result = DB_ABORT};
	CHECK(db_txn(db, txn_fn, &abort) == DB_ABORT);
	CHECK(abort.calls == 1 && abort.saw_own_write);
	CHECK(db_res_get(db, &k, NULL, NULL, NULL) == DB_NOTFOUND);
	CHECK(!exists(db, &S1, "integration", "abort1", "child"));

	/* a failing write inside rolls back the writes before it */
	struct txn_ctx dup = {.id = "dup1", .dup_second = true};
	CHECK(db_txn(db, txn_fn, &dup) == DB_CONFLICT);
	CHECK(dup.calls == 1);
	CHECK(!exists(db, &S1, "api", "", "dup1"));
	CHECK(!exists(db, &S1, "integration", "dup1", "child"));

	/* a transaction that fails because of committed data; the connection stays usable */
	struct txn_ctx again = {.id = "commit1", .result = DB_OK};
	CHECK(db_txn(db, txn_fn, &again) == DB_CONFLICT);
	struct txn_ctx ok2 = {.id = "commit2", .result = DB_OK};
	CHECK(db_txn(db, txn_fn, &ok2) == DB_OK);
	CHECK(exists(db, &S1, "api", "", "commit2"));
	/* outside a transaction, writes are immediate */
	CHECK(put(db, &S1, "api", "", "auto1", NULL, NULL) == DB_OK);
	db_release(pool, db);

	/* another connection of the pool sees committed rows only */
	db = db_acquire(pool);
	CHECK(exists(db, &S1, "api", "", "commit1"));
	CHECK(exists(db, &S1, "api", "", "auto1"));
	CHECK(!exists(db, &S1, "api", "", "abort1"));
	db_release(pool, db);
}

static void test_txn(void)
{
	struct db_pool *pool = open_pool(":memory:", 1);
	CHECK(pool != NULL);
	if (pool) {
		txn_cases(pool);
		db_pool_close(pool);
	}
	remove_db_files();
	pool = open_pool(dbfile, 2);
	CHECK(pool != NULL);
	if (pool) {
		txn_cases(pool);
		db_pool_close(pool);
	}
	/* committed data survives a restart, rolled-back data never appears */
	pool = open_pool(dbfile, 1);
	CHECK(pool != NULL);
	if (pool) {
		struct db *db = db_acquire(pool);
		CHECK(exists(db, &S1, "api", "", "commit1"));
		CHECK(exists(db, &S1, "integration", "commit2", "child"));
		CHECK(!exists(db, &S1, "api", "", "abort1"));
		CHECK(!exists(db, &S1, "api", "", "dup1"));
		db_release(pool, db);
		db_pool_close(pool);
	}
	remove_db_files();
}

/* Sets PRAGMA user_version on the database file directly. */
static bool set_user_version(const char *path, int v)
{
	sqlite3 *h = NULL;
	char sql[64];
	bool ok = sqlite3_open(path, &h) == SQLITE_OK;
	snprintf(sql, sizeof sql, "PRAGMA user_version=%d", v);
	ok = ok && sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK;
	sqlite3_close(h);
	return ok;
}

static int get_user_version(const char *path)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *s = NULL;
	int v = -1;
	if (sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
	    sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_int(s, 0);
	sqlite3_finalize(s);
	sqlite3_close(h);
	return v;
}

static void test_newer_schema_refused(void)
{
	remove_db_files();
	struct db_pool *pool = open_pool(dbfile, 1);
	CHECK(pool != NULL);
	db_pool_close(pool);
	CHECK(get_user_version(dbfile) == (int)db_migrations_count);

	CHECK(set_user_version(dbfile, 999));
	char err[512] = "";
	pool = db_pool_open(dbfile, 2, err, sizeof err);
	CHECK(pool == NULL);
	CHECK(strstr(err, "newer") != NULL);
	CHECK(strstr(err, "999") != NULL);
	if (!strstr(err, "newer"))
		fprintf(stderr, "  message: %s\n", err);
	db_pool_close(pool);
	CHECK(get_user_version(dbfile) == 999); /* left as it was */

	/* one version ahead is refused too; the binary's own version is fine */
	CHECK(set_user_version(dbfile, (int)db_migrations_count + 1));
	err[0] = '\0';
	pool = db_pool_open(dbfile, 1, err, sizeof err);
	CHECK(pool == NULL && strstr(err, "newer"));
	db_pool_close(pool);
	CHECK(set_user_version(dbfile, (int)db_migrations_count));
	pool = open_pool(dbfile, 1);
	CHECK(pool != NULL);
	db_pool_close(pool);
	remove_db_files();
}

int main(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/apigwd-unit-db-XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(dbfile, sizeof dbfile, "%s/apigwd.db", tmpdir);

	RUN(test_open_applies_migrations);
	RUN(test_crud);
	RUN(test_conflicts_both);
	RUN(test_delete_subtree);
	RUN(test_list_paging);
	RUN(test_refs);
	RUN(test_id_claim);
	RUN(test_meta);
	RUN(test_txn);
	RUN(test_newer_schema_refused);

	remove_db_files();
	rmdir(tmpdir);
	return unit_report("db");
}
