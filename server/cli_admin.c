/* cli_admin.c — `apigwd export|import|backup|restore`: moving a database's state in and out
 * (state.h) and copying the database file itself (db_backup, db_restore). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "db.h"
#include "state.h"

#define DEFAULT_DB "./apigwd.db"

static const char export_usage[] =
	"usage: apigwd export [--db PATH] > FILE\n"
	"Writes every resource (all accounts and regions, tags, deployments...) and every issued\n"
	"id of the database as one JSON state file on standard output, in creation order. It\n"
	"reads one consistent state, also while a server is running on the database.\n"
	"  --db PATH   the database (default " DEFAULT_DB ")\n";

static const char import_usage[] =
	"usage: apigwd import [--db PATH] FILE\n"
	"Loads a state file written by `apigwd export` (FILE - = standard input) into the\n"
	"database, created if missing, keeping every id. The database must hold no resource:\n"
	"an import never merges. It is one transaction (one revision): all or nothing.\n"
	"  --db PATH   the database (default " DEFAULT_DB ")\n";

static const char backup_usage[] =
	"usage: apigwd backup FILE [--db PATH]\n"
	"Copies the database into FILE with SQLite's online backup API: one consistent state,\n"
	"taken while a server keeps serving and writing. FILE is written beside (FILE.tmp) and\n"
	"renamed into place, so it is never half-written.\n"
	"  --db PATH   the database (default " DEFAULT_DB ")\n";

static const char restore_usage[] =
	"usage: apigwd restore FILE [--db PATH]\n"
	"Replaces the database by the backup FILE (checked first: an apigwd database that passes\n"
	"its integrity check) and starts a new epoch, so data-plane workers resynchronise. Stop\n"
	"the server first: restore refuses a database that another process has open.\n"
	"  --db PATH   the database (default " DEFAULT_DB ", created if missing)\n";

/* Parses [--db PATH] [--help] and the positional arguments. Returns -1 to go on (with
 * *db_path and pos[0..want-1] set), else the exit status. */
static int parse(int argc, char **argv, const char *usage, unsigned want, const char **db_path,
		 const char **pos)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	int opt;
	*db_path = DEFAULT_DB;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (opt) {
		case 'd': *db_path = optarg; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if ((unsigned)(argc - optind) != want) {
		fprintf(stderr, "apigwd %s: %s\n%s", argv[0],
			(unsigned)(argc - optind) < want ? "missing FILE" : "too many arguments",
			usage);
		return 2;
	}
	for (unsigned i = 0; i < want; i++)
		pos[i] = argv[optind + i];
	return -1;
}

/* Opens the database for a command; NULL (reported) on failure. An existing database is
 * required unless `create`. */
static struct db_pool *open_db(const char *cmd, const char *path, int create)
{
	char err[512] = "";
	if (!create && !db_exists(path)) {
		fprintf(stderr, "apigwd %s: no database at %s (--db PATH)\n", cmd, path);
		return NULL;
	}
	struct db_pool *pool = db_pool_open(path, 1, err, sizeof err);
	if (!pool)
		fprintf(stderr, "apigwd %s: %s\n", cmd, err);
	return pool;
}

int cmd_export(int argc, char **argv)
{
	const char *db_path;
	char err[512] = "";
	int rc = parse(argc, argv, export_usage, 0, &db_path, NULL);
	if (rc >= 0)
		return rc;
	struct db_pool *pool = open_db(argv[0], db_path, 0);
	if (!pool)
		return 1;
	struct db *db = db_acquire(pool);
	int status = state_export(db, stdout, err, sizeof err);
	db_release(pool, db);
	db_pool_close(pool);
	if (status) {
		fprintf(stderr, "apigwd export: %s\n", err);
		return 1;
	}
	return 0;
}

int cmd_import(int argc, char **argv)
{
	const char *db_path, *file;
	char err[1024] = "";
	size_t nres = 0, nids = 0;
	int rc = parse(argc, argv, import_usage, 1, &db_path, &file);
	if (rc >= 0)
		return rc;
	struct db_pool *pool = open_db(argv[0], db_path, 1);
	if (!pool)
		return 1;
	struct db *db = db_acquire(pool);
	int status = state_import(db, file, &nres, &nids, err, sizeof err);
	db_release(pool, db);
	db_pool_close(pool);
	if (status) {
		fprintf(stderr, "apigwd import: %s\n", err);
		return 1;
	}
	fprintf(stderr, "apigwd import: %zu resources and %zu issued ids loaded into %s\n", nres,
		nids, db_path);
	return 0;
}

int cmd_backup(int argc, char **argv)
{
	const char *db_path, *file;
	char err[1024] = "";
	int rc = parse(argc, argv, backup_usage, 1, &db_path, &file);
	if (rc >= 0)
		return rc;
	if (db_backup(db_path, file, err, sizeof err)) {
		fprintf(stderr, "apigwd backup: %s\n", err);
		return 1;
	}
	fprintf(stderr, "apigwd backup: %s copied to %s\n", db_path, file);
	return 0;
}

int cmd_restore(int argc, char **argv)
{
	const char *db_path, *file;
	char err[1024] = "";
	int rc = parse(argc, argv, restore_usage, 1, &db_path, &file);
	if (rc >= 0)
		return rc;
	if (strcmp(db_path, ":memory:") == 0) {
		fprintf(stderr, "apigwd restore: --db :memory: is nothing to restore into\n");
		return 2;
	}
	if (db_restore(file, db_path, err, sizeof err)) {
		fprintf(stderr, "apigwd restore: %s\n", err);
		return 1;
	}
	fprintf(stderr, "apigwd restore: %s restored from %s (new epoch)\n", db_path, file);
	return 0;
}
