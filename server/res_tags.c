/* res_tags.c — GetTags, TagResource, UntagResource: the tags of any taggable resource, named
 * by its ARN (docs/aws-behaviour.md §3):
 *   arn:aws:apigateway:{region}::/apis/{apiId}
 *   arn:aws:apigateway:{region}::/apis/{apiId}/stages/{stageName}
 *   arn:aws:apigateway:{region}::/vpclinks/{vpcLinkId}
 *   arn:aws:apigateway:{region}::/domainnames/{domainName}
 * Tags live in each resource's own `tags` member, so GetApi shows what TagResource added and
 * GetTags what CreateApi set. A change goes through res_edit(), which re-renders the stored
 * answer of the resource. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "res.h"
#include "res_apis.h"
#include "res_domain_names.h"
#include "res_stages.h"
#include "res_vpclinks.h"

enum { ARN_SEGMENTS = 4 };

/* A resource named by an ARN. */
struct target {
	const struct resdef *def; /* what it is */
	char region[64];	  /* the ARN's region */
	char parent[256];	  /* storage path of its parent: "" or a stage's apiId */
	char id[160];		  /* its id within the parent */
};

static const struct jfield tag_fields[] = {
	{"tags", J_STRMAP, 0, 256, F_CREATE, .check = jcheck_tags},
	{0},
};

static enum err bad_arn(const char *arn, struct apierr *e)
{
	return err_set(e, E_BAD_REQUEST,
		       "Invalid resource ARN specified: %.512s. Taggable resources are "
		       "arn:aws:apigateway:{region}::/apis/{apiId}, "
		       "arn:aws:apigateway:{region}::/apis/{apiId}/stages/{stageName}, "
		       "arn:aws:apigateway:{region}::/vpclinks/{vpcLinkId} and "
		       "arn:aws:apigateway:{region}::/domainnames/{domainName}",
		       arn);
}

/* Splits the resource part "/a/b/c" into at most ARN_SEGMENTS non-empty segments that fit an
 * id. Returns their number, or 0 when the path is malformed. */
static unsigned split_path(const char *p, char seg[ARN_SEGMENTS][160])
{
	unsigned n = 0;
	while (*p == '/') {
		size_t len = strcspn(p + 1, "/");
		if (len == 0 || len >= sizeof seg[0] || n == ARN_SEGMENTS)
			return 0;
		memcpy(seg[n], p + 1, len);
		seg[n++][len] = '\0';
		p += 1 + len;
	}
	return *p ? 0 : n;
}

/* Parses arn:{partition}:apigateway:{region}::{resource} into t. 400 when it is not the ARN
 * of a taggable resource. */
static enum err parse_arn(const char *arn, struct target *t, struct apierr *e)
{
	char seg[ARN_SEGMENTS][160];
	const char *p = arn;
	size_t n;
	memset(t, 0, sizeof *t);
	if (!p)
		return bad_arn("", e);
	if (!jstarts_with(p, "arn:"))
		return bad_arn(arn, e);
	p += 4;
	n = strcspn(p, ":");
	if (!((n == 3 && jstarts_with(p, "aws")) || (n > 4 && jstarts_with(p, "aws-"))))
		return bad_arn(arn, e);
	p += n;
	if (!jstarts_with(p, ":apigateway:"))
		return bad_arn(arn, e);
	p += strlen(":apigateway:");
	n = strcspn(p, ":");
	if (n == 0 || n >= sizeof t->region || p[n] != ':' || p[n + 1] != ':')
		return bad_arn(arn, e); /* a region, then an empty account */
	memcpy(t->region, p, n);
	t->region[n] = '\0';
	p += n + 2;
	switch (split_path(p, seg)) {
	case 2:
		if (strcmp(seg[0], "apis") == 0)
			t->def = &api_def;
		else if (strcmp(seg[0], "vpclinks") == 0)
			t->def = &vpclink_def;
		else if (strcmp(seg[0], "domainnames") == 0)
			t->def = &domain_name_def;
		else
			return bad_arn(arn, e);
		snprintf(t->id, sizeof t->id, "%s", seg[1]);
		return E_OK;
	case 4:
		if (strcmp(seg[0], "apis") || strcmp(seg[2], "stages"))
			return bad_arn(arn, e);
		t->def = &stage_def;
		snprintf(t->parent, sizeof t->parent, "%s", seg[1]);
		snprintf(t->id, sizeof t->id, "%s", seg[3]);
		return E_OK;
	default: return bad_arn(arn, e);
	}
}

/* The 404 the resource itself answers for an unknown id. */
static enum err not_found(struct req *rq, const struct resdef *def, const char *parent,
			  const char *id, struct apierr *e)
{
	struct rctx c;
	memset(&c, 0, sizeof c);
	c.rq = rq;
	c.def = def;
	c.proto = P_ANY;
	snprintf(c.parent, sizeof c.parent, "%s", parent);
	snprintf(c.id, sizeof c.id, "%s", id);
	if (def->not_found)
		return def->not_found(&c, id, e);
	return err_not_found(e, def->name, "Invalid %s identifier specified %s", def->name, id);
}

/* Reads the target's stored answer into *body (new string, may be NULL when not wanted).
 * 404 with the resource's own message when it does not exist in the caller's account and
 * region (a stage whose API is missing answers as the API does). */
static enum err load_target(struct req *rq, const struct target *t, char **body, struct apierr *e)
{
	/* Each region keeps its own resources: another region's ARN names nothing here. */
	bool here = strcmp(t->region, rq->region) == 0;
	enum db_rc rc;
	if (t->def->parent) {
		struct db_key pk = {&rq->scope, t->def->parent->kind, "", t->parent};
		rc = here ? db_res_get(rq->db, &pk, NULL, NULL, NULL) : DB_NOTFOUND;
		if (rc == DB_NOTFOUND)
			return not_found(rq, t->def->parent, "", t->parent, e);
		if (rc != DB_OK)
			return err_db(rc, e);
	}
	struct db_key k = {&rq->scope, t->def->kind, t->parent, t->id};
	rc = here ? db_res_get(rq->db, &k, NULL, body, NULL) : DB_NOTFOUND;
	if (rc == DB_NOTFOUND)
		return not_found(rq, t->def, t->parent, t->id, e);
	return err_db(rc, e);
}

/* The `tags` map of a stored answer (new reference; {} when it has none). */
static json_t *tags_of(const char *body)
{
	json_t *res = json_loads(body, 0, NULL);
	json_t *tags = json_deep_copy(json_object_get(res, "tags"));
	json_decref(res);
	if (!json_is_object(tags)) {
		json_decref(tags);
		tags = json_object();
	}
	return tags;
}

void tags_get(struct req *rq)
{
	struct target t;
	struct apierr e = {0};
	char *body = NULL;
	if (parse_arn(req_param(rq, "resource-arn"), &t, &e) || load_target(rq, &t, &body, &e)) {
		reply_error(rq, &e);
		return;
	}
	json_t *out = json_pack("{s:o}", "tags", tags_of(body));
	free(body);
	if (out)
		reply_json(rq, 200, out);
	else
		reply_errf(rq, E_INTERNAL, "Out of memory");
	json_decref(out);
}

/* One TagResource or UntagResource. */
struct tagging {
	struct req *rq;
	struct target target;
	const json_t *add; /* tags to set (TagResource), or NULL; borrowed */
	char **drop;	   /* keys to remove (UntagResource); borrowed */
	size_t ndrop;
	struct apierr err; /* why it failed */
};

static enum err set_tags(struct rctx *c)
{
	json_object_set_new(c->doc, "tags", json_deep_copy(c->arg));
	return E_OK;
}

/* Computes the new tags from the stored ones, checks them as a whole (≤ 50 ...) and stores
 * them through res_edit; nothing is written when nothing changes. */
static enum db_rc tagging_txn(struct db *db, void *arg)
{
	struct tagging *g = arg;
	char *body = NULL;
	json_t *old = NULL, *tags = NULL;
	enum db_rc rc = DB_ABORT;
	(void)db;
	memset(&g->err, 0, sizeof g->err);
	if (load_target(g->rq, &g->target, &body, &g->err))
		goto out;
	old = tags_of(body);
	tags = json_deep_copy(old);
	if (g->add)
		json_object_update(tags, (json_t *)g->add);
	for (size_t i = 0; i < g->ndrop; i++)
		json_object_del(tags, g->drop[i]);
	if (json_equal(old, tags)) {
		rc = DB_OK;
		goto out;
	}
	/* Tags are not what a deployment snapshots: tagging an API must not redeploy its
	 * autoDeploy stages, so the edit goes through a copy of the resdef that says so. */
	struct resdef def = *g->target.def;
	def.in_deployment = false;
	if (jcheck_tags(&tag_fields[0], tags, &g->err) ||
	    res_edit(g->rq, &def, g->target.parent, g->target.id, set_tags, tags, NULL, &g->err))
		goto out;
	rc = DB_OK;
out:
	free(body);
	json_decref(old);
	json_decref(tags);
	return rc;
}

/* Runs g and answers `status` with `{}` (TagResource's empty answer) or no body (204). */
static void tagging_run(struct tagging *g, unsigned status)
{
	enum db_rc rc = res_txn(g->rq, tagging_txn, g, &g->err);
	if (rc != DB_OK) {
		if (rc != DB_ABORT)
			err_db(rc, &g->err);
		reply_error(g->rq, &g->err);
		return;
	}
	if (status == 204) {
		reply_empty(g->rq, status);
		return;
	}
	char *empty = strdup("{}");
	if (empty)
		reply_text(g->rq, status, empty, 2);
	else
		reply_errf(g->rq, E_INTERNAL, "Out of memory");
}

void tags_tag(struct req *rq)
{
	struct tagging g = {.rq = rq};
	json_t *empty = json_object(), *in = NULL;
	if (parse_arn(req_param(rq, "resource-arn"), &g.target, &g.err) ||
	    !(in = jspec_parse(tag_fields, rq->body ? rq->body : empty, JM_CREATE, P_ANY,
			       &g.err))) {
		reply_error(rq, &g.err);
		json_decref(empty);
		return;
	}
	json_decref(empty);
	g.add = json_object_get(in, "tags");
	tagging_run(&g, 201);
	json_decref(in);
}

void tags_untag(struct req *rq)
{
	struct tagging g = {.rq = rq};
	if (parse_arn(req_param(rq, "resource-arn"), &g.target, &g.err)) {
		reply_error(rq, &g.err);
		return;
	}
	g.drop = req_query_all(rq, "tagKeys", &g.ndrop);
	if (!g.ndrop)
		reply_errf(rq, E_BAD_REQUEST, "tagKeys is a required parameter");
	else
		tagging_run(&g, 204);
	for (size_t i = 0; i < g.ndrop; i++)
		free(g.drop[i]);
	free(g.drop);
}
