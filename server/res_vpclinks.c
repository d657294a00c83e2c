/* res_vpclinks.c — VpcLink: CreateVpcLink, GetVpcLink, GetVpcLinks, UpdateVpcLink,
 * DeleteVpcLink. docs/aws-behaviour.md §10.3: a new link answers PENDING, every later read
 * AVAILABLE; subnet and security-group ids are taken as sent (there is no VPC here to check
 * them against). */
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "res_vpclinks.h"

static const char *const vpclink_statuses[] = {"PENDING", "AVAILABLE", "DELETING",
					       "FAILED",  "INACTIVE",  NULL};
static const char *const vpclink_versions[] = {"V2", NULL};

static json_t *default_empty_list(const json_t *doc, unsigned proto)
{
	(void)doc;
	(void)proto;
	return json_array();
}

/* The message that goes with the status rendered just above it. */
static json_t *default_status_message(const json_t *doc, unsigned proto)
{
	const char *status = json_string_value(json_object_get(doc, "vpcLinkStatus"));
	(void)proto;
	if (status && strcmp(status, "PENDING") == 0)
		return json_string("VPC link is provisioning ENIs");
	return json_string("VPC link is ready to route traffic");
}

/* Model order. The status is never stored: what is stored is a link that is ready. */
static const struct jfield vpclink_fields[] = {
	{"createdDate", J_STR, .flags = F_SERVER},
	{"name", J_STR, 1, 128, F_IN | F_REQUIRED},
	{"securityGroupIds", J_STRLIST, .flags = F_CREATE, .dflt = default_empty_list},
	{"subnetIds", J_STRLIST, .flags = F_CREATE | F_REQUIRED, .dflt = default_empty_list},
	{"tags", J_STRMAP, 0, 256, F_CREATE, .check = jcheck_tags, .dflt = jdefault_empty_map},
	{"vpcLinkId", J_STR, .flags = F_SERVER},
	{"vpcLinkStatus", J_ENUM, .flags = F_SERVER, .enums = vpclink_statuses,
	 .dflt_str = "AVAILABLE"},
	{"vpcLinkStatusMessage", J_STR, .flags = F_SERVER, .dflt = default_status_message},
	{"vpcLinkVersion", J_ENUM, .flags = F_SERVER, .enums = vpclink_versions, .dflt_str = "V2"},
	{0},
};

static void vpclink_on_create(struct rctx *c)
{
	json_object_set_new(c->doc, "createdDate", res_now());
}

/* CreateVpcLink's answer is the one moment a link is PENDING: the stored body (rendered from
 * the doc) says AVAILABLE, and the answer is rendered a second time from a copy that says
 * PENDING. */
static enum err vpclink_after_write(struct rctx *c, bool created)
{
	if (!created)
		return E_OK;
	json_t *pending = json_copy(c->doc);
	json_object_set_new(pending, "vpcLinkStatus", json_string("PENDING"));
	json_decref(c->out);
	c->out = jspec_render(vpclink_fields, pending, c->proto);
	json_decref(pending);
	return E_OK;
}

const struct resdef vpclink_def = {
	.name = "VpcLink",
	.kind = "vpclink",
	.id_member = "vpcLinkId",
	.id_len = 10,
	.fields = vpclink_fields,
	.on_create = vpclink_on_create,
	.after_write = vpclink_after_write,
};

struct vpclink_del {
	struct req *rq;
	const char *id;
	struct apierr err; /* why the delete failed */
};

static enum db_rc vpclink_delete_txn(struct db *db, void *arg)
{
	struct vpclink_del *d = arg;
	struct db_key k = {&d->rq->scope, vpclink_def.kind, "", d->id};
	memset(&d->err, 0, sizeof d->err);
	enum db_rc rc = db_res_delete(db, &k);
	if (rc == DB_NOTFOUND) {
		err_not_found(&d->err, vpclink_def.name, "Invalid VpcLink identifier specified %s",
			      d->id);
		return DB_ABORT;
	}
	return rc;
}

/* DeleteVpcLink answers 202 with the model's empty DeleteVpcLinkResponse, `{}`; the link is
 * gone at once (AWS shows DELETING for a while; nothing here takes time). */
void vpclink_delete(struct req *rq)
{
	const char *id = req_param(rq, vpclink_def.id_member);
	struct vpclink_del d = {.rq = rq, .id = id ? id : ""};
	enum db_rc rc = res_txn(rq, vpclink_delete_txn, &d, &d.err);
	if (rc == DB_OK) {
		char *empty = strdup("{}");
		if (empty)
			reply_text(rq, 202, empty, 2);
		else
			reply_errf(rq, E_INTERNAL, "Out of memory");
		return;
	}
	if (rc != DB_ABORT)
		err_db(rc, &d.err);
	reply_error(rq, &d.err);
}
