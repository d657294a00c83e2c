/* cli_credentials.c — `apigwd credentials create|list|delete`: the access keys a server run
 * with --auth sigv4 accepts, stored in its database (db/db.h, credentials). The server reads
 * them on every request, so a key created or deleted while it runs counts at once. */
#include <getopt.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "db.h"

static const char usage[] =
	"usage: apigwd credentials create --account ID [--db PATH]\n"
	"                                 [--access-key-id KEY --secret-access-key SECRET]\n"
	"       apigwd credentials list [--db PATH]\n"
	"       apigwd credentials delete KEYID [--db PATH]\n"
	"\n"
	"Access keys for a server run with --auth sigv4. A request signed with a key acts as the\n"
	"key's account (12 digits) and sees only that account's resources.\n"
	"\n"
	"  create   makes a new key and prints it as JSON: {\"accessKeyId\", \"secretAccessKey\",\n"
	"           \"accountId\"}. The secret is shown only here. --access-key-id and\n"
	"           --secret-access-key store a given pair instead (fixtures, migrations).\n"
	"  list     prints the keys as JSON, without secrets\n"
	"  delete   removes a key; requests signed with it are refused from then on\n"
	"  --db PATH  the server's database (default ./apigwd.db). It holds the secrets as\n"
	"             issued (SigV4 needs them), so it is kept readable by its owner only (0600).\n";

enum { OPT_DB = 256, OPT_ACCOUNT, OPT_AKID, OPT_SECRET, OPT_HELP };

static const struct option options[] = {
	{"db", required_argument, NULL, OPT_DB},
	{"account", required_argument, NULL, OPT_ACCOUNT},
	{"access-key-id", required_argument, NULL, OPT_AKID},
	{"secret-access-key", required_argument, NULL, OPT_SECRET},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

struct cred_args {
	const char *db_path;
	const char *account;
	const char *akid;
	const char *secret;
	const char *keyid; /* delete's operand */
};

static bool all_of(const char *s, const char *set, size_t min, size_t max)
{
	size_t n = strlen(s);
	return n >= min && n <= max && strspn(s, set) == n;
}

#define DIGITS "0123456789"
#define ALNUM  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz" DIGITS

/* A new access key id: "AGWD" and 16 base32 characters, like AWS's 20-character ids. */
static bool new_akid(char out[21])
{
	static const char b32[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
	unsigned char r[16];
	if (RAND_bytes(r, sizeof r) != 1)
		return false;
	memcpy(out, "AGWD", 4);
	for (int i = 0; i < 16; i++)
		out[4 + i] = b32[r[i] & 31];
	out[20] = '\0';
	return true;
}

/* A new secret: 40 base64 characters (240 random bits), like AWS's. */
static bool new_secret(char out[41])
{
	unsigned char r[30];
	if (RAND_bytes(r, sizeof r) != 1)
		return false;
	EVP_EncodeBlock((unsigned char *)out, r, sizeof r); /* 40 characters and a NUL */
	OPENSSL_cleanse(r, sizeof r);
	return true;
}

static struct db_pool *open_db(const char *path, bool must_exist)
{
	char err[512] = "";
	if (must_exist && !db_exists(path)) {
		fprintf(stderr, "apigwd credentials: no database at %s (--db PATH)\n", path);
		return NULL;
	}
	struct db_pool *pool = db_pool_open(path, 1, err, sizeof err);
	if (!pool)
		fprintf(stderr, "apigwd credentials: %s\n", err);
	return pool;
}

static void print_json(json_t *doc)
{
	char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
	if (text)
		printf("%s\n", text);
	free(text);
}

static int do_create(const struct cred_args *a)
{
	char akid[21], secret[41], created[32];
	const char *id = a->akid, *sec = a->secret;
	int status = 1;
	struct db_pool *pool = NULL;
	time_t now = time(NULL);
	struct tm tm;

	if (!a->account || !all_of(a->account, DIGITS, 12, 12)) {
		fprintf(stderr,
			"apigwd credentials create: --account wants a 12-digit account id\n");
		return 2;
	}
	if (!id != !sec) {
		fprintf(stderr,
			"apigwd credentials create: --access-key-id and --secret-access-key "
			"go together\n");
		return 2;
	}
	if (id && !all_of(id, ALNUM, 16, 128)) {
		fprintf(stderr, "apigwd credentials create: --access-key-id wants 16-128 letters "
				"and digits\n");
		return 2;
	}
	if (sec && !all_of(sec, ALNUM "+/=-_.~", 16, 128)) {
		fprintf(stderr, "apigwd credentials create: --secret-access-key wants 16-128 "
				"characters of A-Z a-z 0-9 + / = - _ . ~\n");
		return 2;
	}
	if (!id && (!new_akid(akid) || !new_secret(secret))) {
		fprintf(stderr, "apigwd credentials create: no randomness available\n");
		return 1;
	}
	if (!id) {
		id = akid;
		sec = secret;
	}
	gmtime_r(&now, &tm);
	strftime(created, sizeof created, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!(pool = open_db(a->db_path, false)))
		goto out;
	struct db *db = db_acquire(pool);
	enum db_rc rc = db_cred_create(db, id, sec, a->account, created);
	db_release(pool, db);
	if (rc == DB_CONFLICT) {
		fprintf(stderr, "apigwd credentials create: access key %s exists already\n", id);
		goto out;
	}
	if (rc != DB_OK) {
		fprintf(stderr, "apigwd credentials create: cannot store the key in %s\n",
			a->db_path);
		goto out;
	}
	json_t *doc = json_pack("{s:s, s:s, s:s}", "accessKeyId", id, "secretAccessKey", sec,
				"accountId", a->account);
	print_json(doc);
	json_decref(doc);
	status = 0;
out:
	OPENSSL_cleanse(secret, sizeof secret);
	db_pool_close(pool);
	return status;
}

static bool list_one(const struct db_cred *c, void *ctx)
{
	json_t *item = json_pack("{s:s, s:s, s:s}", "accessKeyId", c->access_key_id, "accountId",
				 c->account, "createdDate", c->created);
	return item && json_array_append_new(ctx, item) == 0;
}

static int do_list(const struct cred_args *a)
{
	struct db_pool *pool = open_db(a->db_path, true);
	json_t *items = json_array();
	int status = 1;
	if (!pool || !items)
		goto out;
	struct db *db = db_acquire(pool);
	enum db_rc rc = db_cred_list(db, list_one, items);
	db_release(pool, db);
	if (rc != DB_OK) {
		fprintf(stderr, "apigwd credentials list: cannot read %s\n", a->db_path);
		goto out;
	}
	json_t *doc = json_pack("{s:O}", "credentials", items);
	print_json(doc);
	json_decref(doc);
	status = 0;
out:
	json_decref(items);
	db_pool_close(pool);
	return status;
}

static int do_delete(const struct cred_args *a)
{
	struct db_pool *pool = open_db(a->db_path, true);
	int status = 1;
	if (!pool)
		goto out;
	struct db *db = db_acquire(pool);
	enum db_rc rc = db_cred_delete(db, a->keyid);
	db_release(pool, db);
	if (rc == DB_NOTFOUND)
		fprintf(stderr, "apigwd credentials delete: no access key %s\n", a->keyid);
	else if (rc != DB_OK)
		fprintf(stderr, "apigwd credentials delete: cannot write %s\n", a->db_path);
	else
		status = 0;
out:
	db_pool_close(pool);
	return status;
}

int cmd_credentials(int argc, char **argv)
{
	struct cred_args a = {.db_path = "./apigwd.db"};
	int opt;
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *sub = argv[1];
	optind = 1; /* argv + 1: the subcommand stands where getopt expects the program name */
	while ((opt = getopt_long(argc - 1, argv + 1, "", options, NULL)) != -1) {
		switch (opt) {
		case OPT_DB: a.db_path = optarg; break;
		case OPT_ACCOUNT: a.account = optarg; break;
		case OPT_AKID: a.akid = optarg; break;
		case OPT_SECRET: a.secret = optarg; break;
		case OPT_HELP: fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	int rest = argc - 1 - optind; /* operands after the options */
	if (strcmp(sub, "create") == 0 && rest == 0)
		return do_create(&a);
	if (strcmp(sub, "list") == 0 && rest == 0)
		return do_list(&a);
	if (strcmp(sub, "delete") == 0 && rest == 1) {
		a.keyid = argv[1 + optind];
		return do_delete(&a);
	}
	fprintf(stderr, "apigwd credentials: unknown or malformed command\n%s", usage);
	return 2;
}
