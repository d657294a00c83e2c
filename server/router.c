/* router.c — THE route table and the matcher. One row per operation apigwd answers; the
 * OpenAPI document (openapi/apigwd.yaml) is generated from and tested against `apigwd --routes`,
 * which prints this table. */
#include "router.h"

#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"

const struct route router_routes[] = {
	{"GET", "/v2/apis", "GetApis", api_list},
	{"POST", "/v2/apis", "CreateApi", api_create},
	{"PUT", "/v2/apis", "ImportApi", api_import},
	{"GET", "/v2/apis/{apiId}", "GetApi", api_get},
	{"PUT", "/v2/apis/{apiId}", "ReimportApi", api_reimport},
	{"PATCH", "/v2/apis/{apiId}", "UpdateApi", api_update},
	{"DELETE", "/v2/apis/{apiId}", "DeleteApi", api_delete},
	{"GET", "/v2/apis/{apiId}/authorizers", "GetAuthorizers", authorizer_list},
	{"POST", "/v2/apis/{apiId}/authorizers", "CreateAuthorizer", authorizer_create},
	{"GET", "/v2/apis/{apiId}/authorizers/{authorizerId}", "GetAuthorizer", authorizer_get},
	{"PATCH", "/v2/apis/{apiId}/authorizers/{authorizerId}", "UpdateAuthorizer", authorizer_update},
	{"DELETE", "/v2/apis/{apiId}/authorizers/{authorizerId}", "DeleteAuthorizer", authorizer_delete},
	{"DELETE", "/v2/apis/{apiId}/cors", "DeleteCorsConfiguration", cors_delete},
	{"GET", "/v2/apis/{apiId}/deployments", "GetDeployments", deployment_list},
	{"POST", "/v2/apis/{apiId}/deployments", "CreateDeployment", deployment_create},
	{"GET", "/v2/apis/{apiId}/deployments/{deploymentId}", "GetDeployment", deployment_get},
	{"PATCH", "/v2/apis/{apiId}/deployments/{deploymentId}", "UpdateDeployment", deployment_update},
	{"DELETE", "/v2/apis/{apiId}/deployments/{deploymentId}", "DeleteDeployment", deployment_delete},
	{"GET", "/v2/apis/{apiId}/exports/{specification}", "ExportApi", api_export},
	{"GET", "/v2/apis/{apiId}/integrations", "GetIntegrations", integration_list},
	{"POST", "/v2/apis/{apiId}/integrations", "CreateIntegration", integration_create},
	{"GET", "/v2/apis/{apiId}/integrations/{integrationId}", "GetIntegration", integration_get},
	{"PATCH", "/v2/apis/{apiId}/integrations/{integrationId}", "UpdateIntegration", integration_update},
	{"DELETE", "/v2/apis/{apiId}/integrations/{integrationId}", "DeleteIntegration", integration_delete},
	{"GET", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses", "GetIntegrationResponses", integration_response_list},
	{"POST", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses", "CreateIntegrationResponse", integration_response_create},
	{"GET", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}", "GetIntegrationResponse", integration_response_get},
	{"PATCH", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}", "UpdateIntegrationResponse", integration_response_update},
	{"DELETE", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}", "DeleteIntegrationResponse", integration_response_delete},
	{"GET", "/v2/apis/{apiId}/models", "GetModels", model_list},
	{"POST", "/v2/apis/{apiId}/models", "CreateModel", model_create},
	{"GET", "/v2/apis/{apiId}/models/{modelId}", "GetModel", model_get},
	{"PATCH", "/v2/apis/{apiId}/models/{modelId}", "UpdateModel", model_update},
	{"DELETE", "/v2/apis/{apiId}/models/{modelId}", "DeleteModel", model_delete},
	{"GET", "/v2/apis/{apiId}/models/{modelId}/template", "GetModelTemplate", model_template_get},
	{"GET", "/v2/apis/{apiId}/routes", "GetRoutes", route_list},
	{"POST", "/v2/apis/{apiId}/routes", "CreateRoute", route_create},
	{"GET", "/v2/apis/{apiId}/routes/{routeId}", "GetRoute", route_get},
	{"PATCH", "/v2/apis/{apiId}/routes/{routeId}", "UpdateRoute", route_update},
	{"DELETE", "/v2/apis/{apiId}/routes/{routeId}", "DeleteRoute", route_delete},
	{"DELETE", "/v2/apis/{apiId}/routes/{routeId}/requestparameters/{requestParameterKey}", "DeleteRouteRequestParameter", route_request_parameter_delete},
	{"GET", "/v2/apis/{apiId}/routes/{routeId}/routeresponses", "GetRouteResponses", route_response_list},
	{"POST", "/v2/apis/{apiId}/routes/{routeId}/routeresponses", "CreateRouteResponse", route_response_create},
	{"GET", "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}", "GetRouteResponse", route_response_get},
	{"PATCH", "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}", "UpdateRouteResponse", route_response_update},
	{"DELETE", "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}", "DeleteRouteResponse", route_response_delete},
	{"GET", "/v2/apis/{apiId}/stages", "GetStages", stage_list},
	{"POST", "/v2/apis/{apiId}/stages", "CreateStage", stage_create},
	{"GET", "/v2/apis/{apiId}/stages/{stageName}", "GetStage", stage_get},
	{"PATCH", "/v2/apis/{apiId}/stages/{stageName}", "UpdateStage", stage_update},
	{"DELETE", "/v2/apis/{apiId}/stages/{stageName}", "DeleteStage", stage_delete},
	{"DELETE", "/v2/apis/{apiId}/stages/{stageName}/accesslogsettings", "DeleteAccessLogSettings", stage_access_log_settings_delete},
	{"DELETE", "/v2/apis/{apiId}/stages/{stageName}/cache/authorizers", "ResetAuthorizersCache", stage_authorizers_cache_reset},
	{"DELETE", "/v2/apis/{apiId}/stages/{stageName}/routesettings/{routeKey}", "DeleteRouteSettings", stage_route_settings_delete},
	{"GET", "/v2/domainnames", "GetDomainNames", domain_name_list},
	{"POST", "/v2/domainnames", "CreateDomainName", domain_name_create},
	{"GET", "/v2/domainnames/{domainName}", "GetDomainName", domain_name_get},
	{"PATCH", "/v2/domainnames/{domainName}", "UpdateDomainName", domain_name_update},
	{"DELETE", "/v2/domainnames/{domainName}", "DeleteDomainName", domain_name_delete},
	{"GET", "/v2/domainnames/{domainName}/apimappings", "GetApiMappings", api_mapping_list},
	{"POST", "/v2/domainnames/{domainName}/apimappings", "CreateApiMapping", api_mapping_create},
	{"GET", "/v2/domainnames/{domainName}/apimappings/{apiMappingId}", "GetApiMapping", api_mapping_get},
	{"PATCH", "/v2/domainnames/{domainName}/apimappings/{apiMappingId}", "UpdateApiMapping", api_mapping_update},
	{"DELETE", "/v2/domainnames/{domainName}/apimappings/{apiMappingId}", "DeleteApiMapping", api_mapping_delete},
	{"GET", "/v2/domainnames/{domainName}/routingrules", "ListRoutingRules", op_unsupported},
	{"POST", "/v2/domainnames/{domainName}/routingrules", "CreateRoutingRule", op_unsupported},
	{"GET", "/v2/domainnames/{domainName}/routingrules/{routingRuleId}", "GetRoutingRule", op_unsupported},
	{"PUT", "/v2/domainnames/{domainName}/routingrules/{routingRuleId}", "PutRoutingRule", op_unsupported},
	{"DELETE", "/v2/domainnames/{domainName}/routingrules/{routingRuleId}", "DeleteRoutingRule", op_unsupported},
	{"GET", "/v2/portalproducts", "ListPortalProducts", op_unsupported},
	{"POST", "/v2/portalproducts", "CreatePortalProduct", op_unsupported},
	{"GET", "/v2/portalproducts/{portalProductId}", "GetPortalProduct", op_unsupported},
	{"PATCH", "/v2/portalproducts/{portalProductId}", "UpdatePortalProduct", op_unsupported},
	{"DELETE", "/v2/portalproducts/{portalProductId}", "DeletePortalProduct", op_unsupported},
	{"GET", "/v2/portalproducts/{portalProductId}/productpages", "ListProductPages", op_unsupported},
	{"POST", "/v2/portalproducts/{portalProductId}/productpages", "CreateProductPage", op_unsupported},
	{"GET", "/v2/portalproducts/{portalProductId}/productpages/{productPageId}", "GetProductPage", op_unsupported},
	{"PATCH", "/v2/portalproducts/{portalProductId}/productpages/{productPageId}", "UpdateProductPage", op_unsupported},
	{"DELETE", "/v2/portalproducts/{portalProductId}/productpages/{productPageId}", "DeleteProductPage", op_unsupported},
	{"GET", "/v2/portalproducts/{portalProductId}/productrestendpointpages", "ListProductRestEndpointPages", op_unsupported},
	{"POST", "/v2/portalproducts/{portalProductId}/productrestendpointpages", "CreateProductRestEndpointPage", op_unsupported},
	{"GET", "/v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId}", "GetProductRestEndpointPage", op_unsupported},
	{"PATCH", "/v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId}", "UpdateProductRestEndpointPage", op_unsupported},
	{"DELETE", "/v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId}", "DeleteProductRestEndpointPage", op_unsupported},
	{"GET", "/v2/portalproducts/{portalProductId}/sharingpolicy", "GetPortalProductSharingPolicy", op_unsupported},
	{"PUT", "/v2/portalproducts/{portalProductId}/sharingpolicy", "PutPortalProductSharingPolicy", op_unsupported},
	{"DELETE", "/v2/portalproducts/{portalProductId}/sharingpolicy", "DeletePortalProductSharingPolicy", op_unsupported},
	{"GET", "/v2/portals", "ListPortals", op_unsupported},
	{"POST", "/v2/portals", "CreatePortal", op_unsupported},
	{"GET", "/v2/portals/{portalId}", "GetPortal", op_unsupported},
	{"PATCH", "/v2/portals/{portalId}", "UpdatePortal", op_unsupported},
	{"DELETE", "/v2/portals/{portalId}", "DeletePortal", op_unsupported},
	{"POST", "/v2/portals/{portalId}/preview", "PreviewPortal", op_unsupported},
	{"POST", "/v2/portals/{portalId}/publish", "PublishPortal", op_unsupported},
	{"DELETE", "/v2/portals/{portalId}/publish", "DisablePortal", op_unsupported},
	{"GET", "/v2/tags/{resource-arn}", "GetTags", tags_get},
	{"POST", "/v2/tags/{resource-arn}", "TagResource", tags_tag},
	{"DELETE", "/v2/tags/{resource-arn}", "UntagResource", tags_untag},
	{"GET", "/v2/vpclinks", "GetVpcLinks", vpclink_list},
	{"POST", "/v2/vpclinks", "CreateVpcLink", vpclink_create},
	{"GET", "/v2/vpclinks/{vpcLinkId}", "GetVpcLink", vpclink_get},
	{"PATCH", "/v2/vpclinks/{vpcLinkId}", "UpdateVpcLink", vpclink_update},
	{"DELETE", "/v2/vpclinks/{vpcLinkId}", "DeleteVpcLink", vpclink_delete},
	/* The data-plane feed (docs/dataplane.md). */
	{"GET", "/dataplane/v1/apis/{apiId}/config", "DataplaneApiConfig", dataplane_api_config},
	{"GET", "/dataplane/v1/apis/{apiId}/stages/{stageName}/config", "DataplaneStageConfig",
	 dataplane_stage_config},
	{"GET", "/dataplane/v1/changes", "DataplaneChanges", dataplane_changes},
	{"GET", "/dataplane/v1/workers", "DataplaneWorkers", dataplane_workers},
	{"PUT", "/dataplane/v1/workers/{workerId}", "DataplaneWorkerReport", dataplane_worker_report},
	/* Operating apigwd. */
	{"GET", "/_apigwd/health", "Health", ops_health},
	{"POST", "/_apigwd/reset", "Reset", ops_reset},
	{"GET", "/metrics", "Metrics", ops_metrics},
	/* The console (console/, embedded). */
	{"GET", "/console", "Console", console_index},
	{"GET", "/console/{file}", "ConsoleFile", console_file},
};
const size_t router_count = sizeof router_routes / sizeof router_routes[0];

/* The next '/'-separated segment of *p: sets *seg and *len, advances *p past it. Returns false
 * at the end of the string. Both paths start with '/'. */
static bool next_segment(const char **p, const char **seg, size_t *len)
{
	if (**p != '/')
		return false;
	*seg = *p + 1;
	*len = strcspn(*seg, "/");
	*p = *seg + *len;
	return true;
}

static bool is_param(const char *seg, size_t len)
{
	return len > 2 && seg[0] == '{' && seg[len - 1] == '}';
}

/* Matches path (with its trailing '/' ignored: pathlen excludes it) against template t;
 * captures decoded parameters into params when given. */
static bool match_template(const char *t, const char *path, size_t pathlen,
			   char *params[ROUTE_MAX_PARAMS])
{
	char buf[2048];
	const char *tp = t, *ts, *ps;
	size_t tl, pl;
	unsigned np = 0;
	if (pathlen >= sizeof buf)
		return false;
	memcpy(buf, path, pathlen);
	buf[pathlen] = '\0';
	const char *pp = buf;
	for (;;) {
		bool more_t = next_segment(&tp, &ts, &tl);
		bool more_p = next_segment(&pp, &ps, &pl);
		if (!more_t || !more_p)
			return more_t == more_p;
		if (is_param(ts, tl)) {
			if (pl == 0)
				return false;
			if (params) {
				char *v = strndup(ps, pl);
				if (!v)
					return false;
				params[np++] = v;
				/* %00 would cut the value short: refuse the path. */
				if (MHD_http_unescape(v) != strlen(v))
					return false;
			}
		} else if (tl != pl || memcmp(ts, ps, tl) != 0) {
			return false;
		}
	}
}

static void free_params(char *params[ROUTE_MAX_PARAMS])
{
	for (unsigned i = 0; i < ROUTE_MAX_PARAMS; i++) {
		free(params[i]);
		params[i] = NULL;
	}
}

enum route_result router_match(const char *method, const char *path, const struct route **out,
			       char *params[ROUTE_MAX_PARAMS], char *allow, size_t allowlen)
{
	size_t pathlen = strcspn(path, "?");
	bool path_known = false;
	if (pathlen > 1 && path[pathlen - 1] == '/')
		pathlen--;
	if (allowlen)
		allow[0] = '\0';
	/* The routes of this method first: most requests end here, after a few comparisons. */
	for (size_t i = 0; i < router_count; i++) {
		const struct route *r = &router_routes[i];
		if (strcmp(r->method, method) != 0 || !match_template(r->path, path, pathlen, NULL))
			continue;
		if (!match_template(r->path, path, pathlen, params)) {
			free_params(params);
			return ROUTE_BAD_PATH;
		}
		*out = r;
		return ROUTE_FOUND;
	}
	/* No route of this method: is the path known at all (405 with Allow) or not (404)? */
	for (size_t i = 0; i < router_count; i++) {
		const struct route *r = &router_routes[i];
		if (!match_template(r->path, path, pathlen, NULL))
			continue;
		path_known = true;
		size_t used = strlen(allow);
		snprintf(allow + used, allowlen - used, "%s%s", used ? ", " : "", r->method);
	}
	return path_known ? ROUTE_NO_METHOD : ROUTE_NO_PATH;
}

int router_param_name(const struct route *r, unsigned i, char *buf, size_t len)
{
	const char *tp = r->path, *ts;
	size_t tl;
	unsigned n = 0;
	while (next_segment(&tp, &ts, &tl)) {
		if (!is_param(ts, tl))
			continue;
		if (n++ == i) {
			snprintf(buf, len, "%.*s", (int)(tl - 2), ts + 1);
			return 1;
		}
	}
	return 0;
}
