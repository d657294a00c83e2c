/* res_domain_names.c — DomainName: CreateDomainName, GetDomainName, GetDomainNames,
 * UpdateDomainName, DeleteDomainName. docs/aws-behaviour.md §10: the name is the id; a bare
 * domainName is accepted (there is no ACM here); DeleteDomainName removes its API mappings. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "handlers.h"
#include "ids.h"
#include "jspec.h"
#include "res_domain_names.h"

enum { GATEWAY_ID_LEN = 10 };

static const char *const endpoint_types[] = {"REGIONAL", "EDGE", NULL};
static const char *const ip_address_types[] = {"ipv4", "dualstack", NULL};
static const char *const security_policies[] = {"TLS_1_0", "TLS_1_2", NULL};
static const char *const name_statuses[] = {"AVAILABLE", "UPDATING", "PENDING_CERTIFICATE_REIMPORT",
					    "PENDING_OWNERSHIP_VERIFICATION", NULL};
static const char *const routing_modes[] = {"API_MAPPING_ONLY", "ROUTING_RULE_ONLY",
					    "ROUTING_RULE_THEN_API_MAPPING", NULL};

/* Route 53 hosted zone of each region's regional execute-api endpoints, as AWS publishes it. */
static const struct {
	const char *region, *zone;
} hosted_zones[] = {
	{"us-east-1", "Z1UJRXOUMOOFQ8"},      {"us-east-2", "ZOJJZC49E0EPZ"},
	{"us-west-1", "Z2MUQ32089INYE"},      {"us-west-2", "Z2OJLYMUO9EFXC"},
	{"af-south-1", "Z2DHW2332DAMTN"},     {"ap-east-1", "Z3FD1VL90ND7K5"},
	{"ap-south-1", "Z3VO1THU9YC4UR"},     {"ap-northeast-1", "Z1YSHQZHG15GKL"},
	{"ap-northeast-2", "Z20JF4UZKIW1U8"}, {"ap-northeast-3", "Z2YQB5RD63NC85"},
	{"ap-southeast-1", "ZL327KTPIQFUL"},  {"ap-southeast-2", "Z2RPCDW04V8134"},
	{"ca-central-1", "Z19DQILCV0OWEC"},   {"eu-central-1", "Z1U9ULNL0V5AJ3"},
	{"eu-west-1", "ZLY8HYME6SFDD"},	      {"eu-west-2", "ZJ5UAJN8Y3Z2Q"},
	{"eu-west-3", "Z3KY65QIEKYHQQ"},      {"eu-north-1", "Z3UWIKFBOOGXPP"},
	{"eu-south-1", "Z3BT4WSQ9TDYZV"},     {"me-south-1", "Z20ZBPC0SS8806"},
	{"sa-east-1", "ZCMLWB8V5SYIT"},	      {"us-gov-east-1", "Z3SE9ATJYCRCZJ"},
	{"us-gov-west-1", "Z1K6XKP9SAGWDV"},
};

/* The longest name apigwd can keep: a resource id is at most this long (struct rctx). DNS
 * allows 253; longer names than this are refused rather than cut. */
#define NAME_MAX_LEN (sizeof((struct rctx *)0)->id - 1)

/* A DNS name: labels of letters, digits and '-' (not at either end), 1-63 characters, at
 * least two of them; the first may be the wildcard "*". */
static enum err check_domain_name(const struct jfield *f, const json_t *v, struct apierr *e)
{
	const char *name = json_string_value(v);
	const char *p = name;
	unsigned labels = 0;
	(void)f;
	if (strlen(name) > NAME_MAX_LEN)
		return err_set(
			e, E_BAD_REQUEST,
			"Invalid domain name specified: %.512s. Must be at most %zu characters",
			name, NAME_MAX_LEN);
	if (jstarts_with(p, "*."))
		p += 2, labels++;
	while (*p) {
		size_t n = 0;
		while (p[n] && p[n] != '.') {
			if (!isalnum((unsigned char)p[n]) && p[n] != '-')
				goto bad;
			n++;
		}
		if (n == 0 || n > 63 || p[0] == '-' || p[n - 1] == '-')
			goto bad;
		labels++;
		p += n;
		if (*p == '.' && !*++p)
			goto bad; /* a trailing dot */
	}
	if (labels >= 2)
		return E_OK;
bad:
	return err_set(e, E_BAD_REQUEST,
		       "Invalid domain name specified: %.512s. Must be a fully qualified domain "
		       "name such as api.example.com",
		       name);
}

static enum err check_arn(const struct jfield *f, const json_t *v, struct apierr *e)
{
	if (!jstarts_with(json_string_value(v), "arn:"))
		return err_set(e, E_BAD_REQUEST, "Invalid value for %s: %.256s. Must be an ARN",
			       f->name, json_string_value(v));
	return E_OK;
}

static enum err check_truststore_uri(const struct jfield *f, const json_t *v, struct apierr *e)
{
	(void)f;
	if (!jstarts_with(json_string_value(v), "s3://"))
		return err_set(
			e, E_BAD_REQUEST,
			"Invalid value for mutualTlsAuthentication.truststoreUri: %.256s. Must "
			"be an S3 URI such as s3://bucket-name/key-name",
			json_string_value(v));
	return E_OK;
}

/* DomainNameConfiguration, model order. The server fills apiGatewayDomainName,
 * domainNameStatus and hostedZoneId whatever the client sent for them. */
static const struct jfield configuration_fields[] = {
	{"apiGatewayDomainName", J_STR},
	{"certificateArn", J_STR, 1, 2048, .check = check_arn},
	{"certificateName", J_STR, 1, 128},
	{"certificateUploadDate", J_STR},
	{"domainNameStatus", J_ENUM, .enums = name_statuses},
	{"domainNameStatusMessage", J_STR},
	{"endpointType", J_ENUM, .enums = endpoint_types},
	{"hostedZoneId", J_STR},
	{"ipAddressType", J_ENUM, .enums = ip_address_types},
	{"securityPolicy", J_ENUM, .enums = security_policies},
	{"ownershipVerificationCertificateArn", J_STR, 1, 2048, .check = check_arn},
	{0},
};

/* domainNameConfigurations is a list of objects, a shape the field types do not have. */
static enum err check_configurations(const struct jfield *f, const json_t *v, struct apierr *e)
{
	size_t i;
	json_t *item;
	char where[64];
	if (!json_is_array(v))
		return err_set(e, E_BAD_REQUEST, "Invalid type for %s: expected a list", f->name);
	json_array_foreach(v, i, item) {
		snprintf(where, sizeof where, "%s[%zu].", f->name, i);
		if (!json_is_object(item))
			return err_set(e, E_BAD_REQUEST,
				       "Invalid type for %s[%zu]: expected an object", f->name, i);
		if (jspec_check_object(configuration_fields, item, where, e))
			return e->code;
	}
	return E_OK;
}

static const struct jfield mtls_fields[] = {
	{"truststoreUri", J_STR, 1, 2048, F_REQUIRED, .check = check_truststore_uri},
	{"truststoreVersion", J_STR, 1, 64},
	{0},
};

/* Model order. */
static const struct jfield domain_name_fields[] = {
	{"apiMappingSelectionExpression", J_STR, .flags = F_SERVER,
	 .dflt_str = "$request.basepath"},
	{"domainName", J_STR, 1, 512, F_CREATE | F_REQUIRED, .check = check_domain_name},
	{"domainNameArn", J_STR, .flags = F_SERVER},
	{"domainNameConfigurations", J_ANY, .flags = F_IN, .check = check_configurations},
	{"mutualTlsAuthentication", J_OBJ, .flags = F_IN, .sub = mtls_fields},
	{"routingMode", J_ENUM, .flags = F_IN, .enums = routing_modes,
	 .dflt_str = "API_MAPPING_ONLY"},
	{"tags", J_STRMAP, 0, 256, F_CREATE, .check = jcheck_tags, .dflt = jdefault_empty_map},
	/* The d-xxxxxxxxxx name of the domain's API Gateway endpoint, kept across updates. */
	{"gatewayId", J_STR, .flags = F_SERVER | F_HIDDEN},
	{0},
};

static const char *hosted_zone(const char *region)
{
	for (size_t i = 0; i < sizeof hosted_zones / sizeof hosted_zones[0]; i++)
		if (strcmp(hosted_zones[i].region, region) == 0)
			return hosted_zones[i].zone;
	return NULL;
}

static void copy_member(json_t *to, const json_t *from, const char *name, const char *dflt)
{
	json_t *v = json_object_get(from, name);
	if (v)
		json_object_set(to, name, v);
	else if (dflt)
		json_object_set_new(to, name, json_string(dflt));
}

/* Rebuilds each configuration in model order: the client's members with AWS's defaults
 * (REGIONAL, TLS_1_2, ipv4) and the members the server owns. */
static void fill_configurations(struct rctx *c)
{
	json_t *list = json_object_get(c->doc, "domainNameConfigurations");
	const char *gw = json_string_value(json_object_get(c->doc, "gatewayId"));
	const char *zone = hosted_zone(c->rq->region);
	json_t *filled = json_array();
	char endpoint[256];
	size_t i;
	json_t *in;
	if (!list) {
		json_decref(filled);
		return;
	}
	snprintf(endpoint, sizeof endpoint, "d-%s.execute-api.%s.amazonaws.com", gw ? gw : "",
		 c->rq->region);
	json_array_foreach(list, i, in) {
		json_t *out = json_object();
		json_object_set_new(out, "apiGatewayDomainName", json_string(endpoint));
		copy_member(out, in, "certificateArn", NULL);
		copy_member(out, in, "certificateName", NULL);
		copy_member(out, in, "certificateUploadDate", NULL);
		json_object_set_new(out, "domainNameStatus", json_string("AVAILABLE"));
		copy_member(out, in, "endpointType", "REGIONAL");
		if (zone)
			json_object_set_new(out, "hostedZoneId", json_string(zone));
		copy_member(out, in, "ipAddressType", "ipv4");
		copy_member(out, in, "securityPolicy", "TLS_1_2");
		copy_member(out, in, "ownershipVerificationCertificateArn", NULL);
		json_array_append_new(filled, out);
	}
	json_object_set_new(c->doc, "domainNameConfigurations", filled);
}

static void domain_name_on_create(struct rctx *c)
{
	char arn[768], gw[GATEWAY_ID_LEN + 1];
	snprintf(arn, sizeof arn, "arn:aws:apigateway:%s::/domainnames/%s", c->rq->region, c->id);
	json_object_set_new(c->doc, "domainNameArn", json_string(arn));
	id_generate(gw, GATEWAY_ID_LEN);
	json_object_set_new(c->doc, "gatewayId", json_string(gw));
	fill_configurations(c);
}

static void domain_name_on_update(struct rctx *c)
{
	fill_configurations(c);
}

static enum err domain_name_conflict(const struct rctx *c, struct apierr *e)
{
	(void)c;
	return err_set(e, E_CONFLICT, "The domain name resource already exists.");
}

static enum err domain_name_not_found(const struct rctx *c, const char *id, struct apierr *e)
{
	(void)c;
	(void)id;
	return err_not_found(e, "DomainName",
			     "The domain name resource specified in the request was not found.");
}

const struct resdef domain_name_def = {
	.name = "DomainName",
	.kind = "domain_name",
	.id_member = "domainName",
	.id_len = 0,
	.id_source = "domainName",
	.fields = domain_name_fields,
	.on_create = domain_name_on_create,
	.on_update = domain_name_on_update,
	.conflict = domain_name_conflict,
	.not_found = domain_name_not_found,
};
