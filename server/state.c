/* state.c — export and import of the state file (format in state.h). */
#include "state.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define STATE_FORMAT  "apigwd-state"
#define STATE_VERSION 1

/* ---- export ---- */

struct export_ctx {
	FILE *out;   /* a memory stream: the export is written out after the transaction */
	size_t n;    /* rows written so far in the current array */
	bool failed; /* out of memory */
};

/* Writes s as a JSON string (jansson's escaping), or null. */
static void put_json_string(FILE *out, const char *s, bool *failed)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	json_t *j = json_string(s);
	char *text = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
	json_decref(j);
	if (!text) {
		*failed = true;
		return;
	}
	fputs(text, out);
	free(text);
}

static bool export_row(const struct db_dump_row *r, void *arg)
{
	struct export_ctx *c = arg;
	const char *names[] = {"account", "region", "kind", "parent", "id",
			       "ukey",	  "ref",    "doc",  "body"};
	const char *values[] = {r->account, r->region, r->kind, r->parent, r->id,
				r->ukey,    r->ref,    r->doc,	r->body};
	fputs(c->n++ ? ",\n{" : "\n{", c->out);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		fprintf(c->out, "%s\"%s\":", i ? "," : "", names[i]);
		put_json_string(c->out, values[i], &c->failed);
	}
	fputc('}', c->out);
	return !c->failed;
}

static bool export_id(const char *account, const char *id, void *arg)
{
	struct export_ctx *c = arg;
	fputs(c->n++ ? ",\n[" : "\n[", c->out);
	put_json_string(c->out, account, &c->failed);
	fputc(',', c->out);
	put_json_string(c->out, id, &c->failed);
	fputc(']', c->out);
	return !c->failed;
}

static enum db_rc export_txn(struct db *db, void *arg)
{
	struct export_ctx *c = arg;
	enum db_rc rc;
	rewind(c->out); /* a retried transaction starts over */
	c->failed = false;
	fprintf(c->out, "{\"format\":\"%s\",\"version\":%d,\n\"resources\":[", STATE_FORMAT,
		STATE_VERSION);
	c->n = 0;
	if ((rc = db_dump_resources(db, export_row, c)) != DB_OK)
		return rc;
	fputs("\n],\n\"issuedIds\":[", c->out);
	c->n = 0;
	if ((rc = db_dump_issued_ids(db, export_id, c)) != DB_OK)
		return rc;
	fputs("\n]}\n", c->out);
	return c->failed ? DB_ERROR : DB_ABORT; /* nothing to commit: roll back */
}

int state_export(struct db *db, FILE *out, char *err, size_t len)
{
	char *text = NULL;
	size_t size = 0;
	struct export_ctx c = {.out = open_memstream(&text, &size)};
	if (!c.out) {
		snprintf(err, len, "out of memory");
		return -1;
	}
	/* One transaction: a consistent picture even while a server writes. */
	enum db_rc rc = db_txn(db, export_txn, &c);
	long end = ftell(c.out); /* a retry may have left a longer tail behind */
	if (fclose(c.out) != 0 || !text || c.failed || rc != DB_ABORT) {
		snprintf(err, len,
			 rc == DB_ABORT ? "a row is not valid UTF-8, or memory ran out"
					: "cannot read the database (error %d)",
			 (int)rc);
		free(text);
		return -1;
	}
	size_t n = end >= 0 && (size_t)end < size ? (size_t)end : size;
	int status = fwrite(text, 1, n, out) == n && fflush(out) == 0 ? 0 : -1;
	if (status)
		snprintf(err, len, "cannot write the export");
	free(text);
	return status;
}

/* ---- import ---- */

struct import_row {
	struct db_scope scope;
	struct db_key key;
	const char *ukey, *ref, *doc, *body;
};

struct import_ctx {
	struct import_row *rows;
	size_t nrows;
	json_t *ids; /* [[account, id], ...]; borrowed */
	char *err;
	size_t len;
};

/* A string of 1-n characters drawn from `chars` (every character when chars is NULL). */
static bool token_ok(const char *s, size_t max, const char *chars)
{
	size_t n = s ? strlen(s) : 0;
	return n >= 1 && n <= max && (!chars || strspn(s, chars) == n);
}

static const char *member_str(json_t *o, const char *name, bool *ok, bool nullable)
{
	json_t *v = json_object_get(o, name);
	if (json_is_string(v))
		return json_string_value(v);
	if (nullable && (!v || json_is_null(v)))
		return NULL;
	*ok = false;
	return NULL;
}

/* Whether text is a JSON object. */
static bool json_object_text(const char *text)
{
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	bool ok = json_is_object(j);
	json_decref(j);
	return ok;
}

#define DIGITS "0123456789"
#define LOWER  "abcdefghijklmnopqrstuvwxyz"
#define UPPER  "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

/* Checks every row of the document and fills c->rows (pointers borrowed from doc). */
static int import_parse(json_t *doc, struct import_ctx *c)
{
	json_t *res = json_object_get(doc, "resources");
	json_t *fmt = json_object_get(doc, "format");
	json_t *ver = json_object_get(doc, "version");
	if (!json_is_object(doc) || !json_is_string(fmt) ||
	    strcmp(json_string_value(fmt), STATE_FORMAT) != 0) {
		snprintf(c->err, c->len, "not an apigwd state file (\"format\": \"%s\" is missing)",
			 STATE_FORMAT);
		return -1;
	}
	if (!json_is_integer(ver) || json_integer_value(ver) != STATE_VERSION) {
		snprintf(c->err, c->len,
			 "state file version %lld is not one this apigwd reads (%d)",
			 json_is_integer(ver) ? (long long)json_integer_value(ver) : -1LL,
			 STATE_VERSION);
		return -1;
	}
	c->ids = json_object_get(doc, "issuedIds");
	if (!json_is_array(res) || (c->ids && !json_is_array(c->ids))) {
		snprintf(c->err, c->len, "\"resources\" and \"issuedIds\" must be arrays");
		return -1;
	}
	c->rows = calloc(json_array_size(res) + 1, sizeof *c->rows);
	if (!c->rows) {
		snprintf(c->err, c->len, "out of memory");
		return -1;
	}
	size_t i;
	json_t *o;
	json_array_foreach(res, i, o) {
		struct import_row *r = &c->rows[i];
		bool ok = json_is_object(o);
		r->scope.account = member_str(o, "account", &ok, false);
		r->scope.region = member_str(o, "region", &ok, false);
		r->key.scope = &r->scope;
		r->key.kind = member_str(o, "kind", &ok, false);
		r->key.parent = member_str(o, "parent", &ok, false);
		r->key.id = member_str(o, "id", &ok, false);
		r->ukey = member_str(o, "ukey", &ok, true);
		r->ref = member_str(o, "ref", &ok, true);
		r->doc = member_str(o, "doc", &ok, false);
		r->body = member_str(o, "body", &ok, false);
		const char *why =
			!ok ? "account, region, kind, parent, id, doc and body must be "
			      "strings; ukey and ref strings or null"
			: strlen(r->scope.account) != 12 || !token_ok(r->scope.account, 12, DIGITS)
				? "account must be 12 digits"
			: !token_ok(r->scope.region, 32, LOWER DIGITS "-")
				? "region is not a region name"
			: !token_ok(r->key.kind, 64, LOWER "_") ? "kind is not a resource kind"
			: !token_ok(r->key.id, 1024, NULL)	? "id must not be empty"
			: !json_object_text(r->doc)  ? "doc is not the text of a JSON object"
			: !json_object_text(r->body) ? "body is not the text of a JSON object"
						     : NULL;
		if (why) {
			snprintf(c->err, c->len, "resources[%zu]: %s", i, why);
			return -1;
		}
		c->nrows++;
	}
	json_array_foreach(c->ids, i, o) {
		if (!json_is_array(o) || json_array_size(o) != 2 ||
		    !json_is_string(json_array_get(o, 0)) ||
		    !json_is_string(json_array_get(o, 1))) {
			snprintf(c->err, c->len, "issuedIds[%zu]: want [account, id]", i);
			return -1;
		}
	}
	return 0;
}

static enum db_rc import_txn(struct db *db, void *arg)
{
	struct import_ctx *c = arg;
	int64_t existing = 0;
	enum db_rc rc = db_res_count(db, &existing);
	if (rc != DB_OK)
		return rc;
	if (existing) {
		snprintf(c->err, c->len,
			 "the database already holds %lld resources: a state file loads only into "
			 "an empty one (use a new --db, or POST /_apigwd/reset first)",
			 (long long)existing);
		return DB_ABORT;
	}
	for (size_t i = 0; i < c->nrows; i++) {
		const struct import_row *r = &c->rows[i];
		rc = db_res_insert(db, &r->key, r->ukey, r->ref, r->doc, r->body);
		if (rc == DB_CONFLICT) {
			snprintf(c->err, c->len,
				 "resources[%zu]: a %s with id %s (or the same unique "
				 "key) is already in the file under %s/%s, parent \"%s\"",
				 i, r->key.kind, r->key.id, r->scope.account, r->scope.region,
				 r->key.parent);
			return DB_ABORT;
		}
		if (rc != DB_OK)
			return rc;
	}
	size_t i;
	json_t *pair;
	json_array_foreach(c->ids, i, pair) {
		rc = db_id_claim(db, json_string_value(json_array_get(pair, 0)),
				 json_string_value(json_array_get(pair, 1)));
		if (rc != DB_OK && rc != DB_CONFLICT) /* issued before: already recorded */
			return rc;
	}
	return DB_OK;
}

int state_import(struct db *db, const char *path, size_t *nres, size_t *nids, char *err, size_t len)
{
	json_error_t jerr;
	struct import_ctx c = {.err = err, .len = len};
	int status = -1;
	err[0] = '\0';
	json_t *doc = strcmp(path, "-") == 0 ? json_loadf(stdin, JSON_REJECT_DUPLICATES, &jerr)
					     : json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!doc) {
		snprintf(err, len, "%s: %s (line %d, column %d)", path, jerr.text, jerr.line,
			 jerr.column);
		return -1;
	}
	if (import_parse(doc, &c))
		goto out;
	enum db_rc rc = db_txn(db, import_txn, &c);
	if (rc != DB_OK) {
		if (rc != DB_ABORT || !err[0])
			snprintf(err, len, "cannot write the database (error %d)", (int)rc);
		goto out;
	}
	if (nres)
		*nres = c.nrows;
	if (nids)
		*nids = json_array_size(c.ids);
	status = 0;
out:
	free(c.rows);
	json_decref(doc);
	return status;
}

int state_import_pool(struct db_pool *pool, const char *path, char *err, size_t len)
{
	struct db *db = db_acquire(pool);
	int status = state_import(db, path, NULL, NULL, err, len);
	db_release(pool, db);
	return status;
}
