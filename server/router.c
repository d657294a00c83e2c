/* router.c — THE route table and the matcher. One row per operation apigwd answers, naming
 * what runs (a handler, or one of the engine's generic operations on a resource definition) and
 * the policy the lifecycle applies first (route.h's flags: body, no auth, data-plane token). The
 * OpenAPI document (openapi/apigwd.yaml) is generated from and tested against
 * `apigwd --routes`, which prints this table. */
#include "router.h"

#include <assert.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers.h"
#include "res.h"
#include "res_api_mappings.h"
#include "res_apis.h"
#include "res_authorizers.h"
#include "res_deployments.h"
#include "res_domain_names.h"
#include "res_integration_responses.h"
#include "res_integrations.h"
#include "res_models.h"
#include "res_route_responses.h"
#include "res_routes.h"
#include "res_stages.h"
#include "res_vpclinks.h"
#include "signing_keys.h"

/* A row that runs its own handler, and a row that runs a generic operation of res.h. */
#define HANDLER(m, p, o, handler, fl)                                                              \
	{                                                                                          \
		.method = m, .path = p, .op = o, .run = RUN_HANDLER, .fn = handler, .flags = fl    \
	}
#define GENERIC(m, p, o, how, resdef, fl)                                                          \
	{                                                                                          \
		.method = m, .path = p, .op = o, .run = how, .def = &resdef, .flags = fl           \
	}

/* clang-format off */
const struct route router_routes[] = {
	GENERIC("GET", "/v2/apis", "GetApis", RUN_LIST, api_def, 0),
	GENERIC("POST", "/v2/apis", "CreateApi", RUN_CREATE, api_def, ROUTE_BODY),
	HANDLER("PUT", "/v2/apis", "ImportApi", api_import, ROUTE_BODY),
	GENERIC("GET", "/v2/apis/{apiId}", "GetApi", RUN_GET, api_def, 0),
	HANDLER("PUT", "/v2/apis/{apiId}", "ReimportApi", api_reimport, ROUTE_BODY),
	GENERIC("PATCH", "/v2/apis/{apiId}", "UpdateApi", RUN_UPDATE, api_def, ROUTE_BODY),
	GENERIC("DELETE", "/v2/apis/{apiId}", "DeleteApi", RUN_DELETE, api_def, 0),
	GENERIC("GET", "/v2/apis/{apiId}/authorizers", "GetAuthorizers", RUN_LIST, authorizer_def, 0),
	GENERIC("POST", "/v2/apis/{apiId}/authorizers", "CreateAuthorizer", RUN_CREATE, authorizer_def, ROUTE_BODY),
	GENERIC("GET", "/v2/apis/{apiId}/authorizers/{authorizerId}", "GetAuthorizer", RUN_GET, authorizer_def, 0),
	GENERIC("PATCH", "/v2/apis/{apiId}/authorizers/{authorizerId}", "UpdateAuthorizer", RUN_UPDATE, authorizer_def, ROUTE_BODY),
	GENERIC("DELETE", "/v2/apis/{apiId}/authorizers/{authorizerId}", "DeleteAuthorizer", RUN_DELETE, authorizer_def, 0),
	HANDLER("DELETE", "/v2/apis/{apiId}/cors", "DeleteCorsConfiguration", cors_delete, 0),
	GENERIC("GET", "/v2/apis/{apiId}/deployments", "GetDeployments", RUN_LIST, deployment_def, 0),
	GENERIC("POST", "/v2/apis/{apiId}/deployments", "CreateDeployment", RUN_CREATE, deployment_def, ROUTE_BODY),
	GENERIC("GET", "/v2/apis/{apiId}/deployments/{deploymentId}", "GetDeployment", RUN_GET, deployment_def, 0),
	GENERIC("PATCH", "/v2/apis/{apiId}/deployments/{deploymentId}", "UpdateDeployment", RUN_UPDATE, deployment_def, ROUTE_BODY),
	GENERIC("DELETE", "/v2/apis/{apiId}/deployments/{deploymentId}", "DeleteDeployment", RUN_DELETE, deployment_def, 0),
	HANDLER("GET", "/v2/apis/{apiId}/exports/{specification}", "ExportApi", api_export, 0),
	GENERIC("GET", "/v2/apis/{apiId}/integrations", "GetIntegrations", RUN_LIST, integration_def, 0),
	GENERIC("POST", "/v2/apis/{apiId}/integrations", "CreateIntegration", RUN_CREATE, integration_def, ROUTE_BODY),
	GENERIC("GET", "/v2/apis/{apiId}/integrations/{integrationId}", "GetIntegration", RUN_GET, integration_def, 0),
	GENERIC("PATCH", "/v2/apis/{apiId}/integrations/{integrationId}", "UpdateIntegration", RUN_UPDATE, integration_def, ROUTE_BODY),
	GENERIC("DELETE", "/v2/apis/{apiId}/integrations/{integrationId}", "DeleteIntegration", RUN_DELETE, integration_def, 0),
	GENERIC("GET", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses", "GetIntegrationResponses", RUN_LIST, integration_response_def, 0),
	GENERIC("POST", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses", "CreateIntegrationResponse", RUN_CREATE, integration_response_def, ROUTE_BODY),
	GENERIC("GET", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}", "GetIntegrationResponse", RUN_GET, integration_response_def, 0),
	GENERIC("PATCH", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}", "UpdateIntegrationResponse", RUN_UPDATE, integration_response_def, ROUTE_BODY),
	GENERIC("DELETE", "/v2/apis/{apiId}/integrations/{integrationId}/integrationresponses/{integrationResponseId}", "DeleteIntegrationResponse", RUN_DELETE, integration_response_def, 0),
	GENERIC("GET", "/v2/apis/{apiId}/models", "GetModels", RUN_LIST, model_def, 0),
	GENERIC("POST", "/v2/apis/{apiId}/models", "CreateModel", RUN_CREATE, model_def, ROUTE_BODY),
	GENERIC("GET", "/v2/apis/{apiId}/models/{modelId}", "GetModel", RUN_GET, model_def, 0),
	GENERIC("PATCH", "/v2/apis/{apiId}/models/{modelId}", "UpdateModel", RUN_UPDATE, model_def, ROUTE_BODY),
	GENERIC("DELETE", "/v2/apis/{apiId}/models/{modelId}", "DeleteModel", RUN_DELETE, model_def, 0),
	HANDLER("GET", "/v2/apis/{apiId}/models/{modelId}/template", "GetModelTemplate", model_template_get, 0),
	GENERIC("GET", "/v2/apis/{apiId}/routes", "GetRoutes", RUN_LIST, route_def, 0),
	GENERIC("POST", "/v2/apis/{apiId}/routes", "CreateRoute", RUN_CREATE, route_def, ROUTE_BODY),
	GENERIC("GET", "/v2/apis/{apiId}/routes/{routeId}", "GetRoute", RUN_GET, route_def, 0),
	GENERIC("PATCH", "/v2/apis/{apiId}/routes/{routeId}", "UpdateRoute", RUN_UPDATE, route_def, ROUTE_BODY),
	GENERIC("DELETE", "/v2/apis/{apiId}/routes/{routeId}", "DeleteRoute", RUN_DELETE, route_def, 0),
	HANDLER("DELETE", "/v2/apis/{apiId}/routes/{routeId}/requestparameters/{requestParameterKey}", "DeleteRouteRequestParameter", route_request_parameter_delete, 0),
	GENERIC("GET", "/v2/apis/{apiId}/routes/{routeId}/routeresponses", "GetRouteResponses", RUN_LIST, route_response_def, 0),
	GENERIC("POST", "/v2/apis/{apiId}/routes/{routeId}/routeresponses", "CreateRouteResponse", RUN_CREATE, route_response_def, ROUTE_BODY),
	GENERIC("GET", "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}", "GetRouteResponse", RUN_GET, route_response_def, 0),
	GENERIC("PATCH", "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}", "UpdateRouteResponse", RUN_UPDATE, route_response_def, ROUTE_BODY),
	GENERIC("DELETE", "/v2/apis/{apiId}/routes/{routeId}/routeresponses/{routeResponseId}", "DeleteRouteResponse", RUN_DELETE, route_response_def, 0),
	GENERIC("GET", "/v2/apis/{apiId}/stages", "GetStages", RUN_LIST, stage_def, 0),
	GENERIC("POST", "/v2/apis/{apiId}/stages", "CreateStage", RUN_CREATE, stage_def, ROUTE_BODY),
	GENERIC("GET", "/v2/apis/{apiId}/stages/{stageName}", "GetStage", RUN_GET, stage_def, 0),
	GENERIC("PATCH", "/v2/apis/{apiId}/stages/{stageName}", "UpdateStage", RUN_UPDATE, stage_def, ROUTE_BODY),
	GENERIC("DELETE", "/v2/apis/{apiId}/stages/{stageName}", "DeleteStage", RUN_DELETE, stage_def, 0),
	HANDLER("DELETE", "/v2/apis/{apiId}/stages/{stageName}/accesslogsettings", "DeleteAccessLogSettings", stage_access_log_settings_delete, 0),
	HANDLER("DELETE", "/v2/apis/{apiId}/stages/{stageName}/cache/authorizers", "ResetAuthorizersCache", stage_authorizers_cache_reset, 0),
	HANDLER("DELETE", "/v2/apis/{apiId}/stages/{stageName}/routesettings/{routeKey}", "DeleteRouteSettings", stage_route_settings_delete, 0),
	GENERIC("GET", "/v2/domainnames", "GetDomainNames", RUN_LIST, domain_name_def, 0),
	GENERIC("POST", "/v2/domainnames", "CreateDomainName", RUN_CREATE, domain_name_def, ROUTE_BODY),
	GENERIC("GET", "/v2/domainnames/{domainName}", "GetDomainName", RUN_GET, domain_name_def, 0),
	GENERIC("PATCH", "/v2/domainnames/{domainName}", "UpdateDomainName", RUN_UPDATE, domain_name_def, ROUTE_BODY),
	GENERIC("DELETE", "/v2/domainnames/{domainName}", "DeleteDomainName", RUN_DELETE, domain_name_def, 0),
	GENERIC("GET", "/v2/domainnames/{domainName}/apimappings", "GetApiMappings", RUN_LIST, api_mapping_def, 0),
	GENERIC("POST", "/v2/domainnames/{domainName}/apimappings", "CreateApiMapping", RUN_CREATE, api_mapping_def, ROUTE_BODY),
	GENERIC("GET", "/v2/domainnames/{domainName}/apimappings/{apiMappingId}", "GetApiMapping", RUN_GET, api_mapping_def, 0),
	GENERIC("PATCH", "/v2/domainnames/{domainName}/apimappings/{apiMappingId}", "UpdateApiMapping", RUN_UPDATE, api_mapping_def, ROUTE_BODY),
	GENERIC("DELETE", "/v2/domainnames/{domainName}/apimappings/{apiMappingId}", "DeleteApiMapping", RUN_DELETE, api_mapping_def, 0),
	HANDLER("GET", "/v2/domainnames/{domainName}/routingrules", "ListRoutingRules", op_unsupported, 0),
	HANDLER("POST", "/v2/domainnames/{domainName}/routingrules", "CreateRoutingRule", op_unsupported, ROUTE_BODY),
	HANDLER("GET", "/v2/domainnames/{domainName}/routingrules/{routingRuleId}", "GetRoutingRule", op_unsupported, 0),
	HANDLER("PUT", "/v2/domainnames/{domainName}/routingrules/{routingRuleId}", "PutRoutingRule", op_unsupported, ROUTE_BODY),
	HANDLER("DELETE", "/v2/domainnames/{domainName}/routingrules/{routingRuleId}", "DeleteRoutingRule", op_unsupported, 0),
	HANDLER("GET", "/v2/portalproducts", "ListPortalProducts", op_unsupported, 0),
	HANDLER("POST", "/v2/portalproducts", "CreatePortalProduct", op_unsupported, ROUTE_BODY),
	HANDLER("GET", "/v2/portalproducts/{portalProductId}", "GetPortalProduct", op_unsupported, 0),
	HANDLER("PATCH", "/v2/portalproducts/{portalProductId}", "UpdatePortalProduct", op_unsupported, ROUTE_BODY),
	HANDLER("DELETE", "/v2/portalproducts/{portalProductId}", "DeletePortalProduct", op_unsupported, 0),
	HANDLER("GET", "/v2/portalproducts/{portalProductId}/productpages", "ListProductPages", op_unsupported, 0),
	HANDLER("POST", "/v2/portalproducts/{portalProductId}/productpages", "CreateProductPage", op_unsupported, ROUTE_BODY),
	HANDLER("GET", "/v2/portalproducts/{portalProductId}/productpages/{productPageId}", "GetProductPage", op_unsupported, 0),
	HANDLER("PATCH", "/v2/portalproducts/{portalProductId}/productpages/{productPageId}", "UpdateProductPage", op_unsupported, ROUTE_BODY),
	HANDLER("DELETE", "/v2/portalproducts/{portalProductId}/productpages/{productPageId}", "DeleteProductPage", op_unsupported, 0),
	HANDLER("GET", "/v2/portalproducts/{portalProductId}/productrestendpointpages", "ListProductRestEndpointPages", op_unsupported, 0),
	HANDLER("POST", "/v2/portalproducts/{portalProductId}/productrestendpointpages", "CreateProductRestEndpointPage", op_unsupported, ROUTE_BODY),
	HANDLER("GET", "/v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId}", "GetProductRestEndpointPage", op_unsupported, 0),
	HANDLER("PATCH", "/v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId}", "UpdateProductRestEndpointPage", op_unsupported, ROUTE_BODY),
	HANDLER("DELETE", "/v2/portalproducts/{portalProductId}/productrestendpointpages/{productRestEndpointPageId}", "DeleteProductRestEndpointPage", op_unsupported, 0),
	HANDLER("GET", "/v2/portalproducts/{portalProductId}/sharingpolicy", "GetPortalProductSharingPolicy", op_unsupported, 0),
	HANDLER("PUT", "/v2/portalproducts/{portalProductId}/sharingpolicy", "PutPortalProductSharingPolicy", op_unsupported, ROUTE_BODY),
	HANDLER("DELETE", "/v2/portalproducts/{portalProductId}/sharingpolicy", "DeletePortalProductSharingPolicy", op_unsupported, 0),
	HANDLER("GET", "/v2/portals", "ListPortals", op_unsupported, 0),
	HANDLER("POST", "/v2/portals", "CreatePortal", op_unsupported, ROUTE_BODY),
	HANDLER("GET", "/v2/portals/{portalId}", "GetPortal", op_unsupported, 0),
	HANDLER("PATCH", "/v2/portals/{portalId}", "UpdatePortal", op_unsupported, ROUTE_BODY),
	HANDLER("DELETE", "/v2/portals/{portalId}", "DeletePortal", op_unsupported, 0),
	HANDLER("POST", "/v2/portals/{portalId}/preview", "PreviewPortal", op_unsupported, ROUTE_BODY),
	HANDLER("POST", "/v2/portals/{portalId}/publish", "PublishPortal", op_unsupported, ROUTE_BODY),
	HANDLER("DELETE", "/v2/portals/{portalId}/publish", "DisablePortal", op_unsupported, 0),
	HANDLER("GET", "/v2/tags/{resource-arn}", "GetTags", tags_get, 0),
	HANDLER("POST", "/v2/tags/{resource-arn}", "TagResource", tags_tag, ROUTE_BODY),
	HANDLER("DELETE", "/v2/tags/{resource-arn}", "UntagResource", tags_untag, 0),
	GENERIC("GET", "/v2/vpclinks", "GetVpcLinks", RUN_LIST, vpclink_def, 0),
	GENERIC("POST", "/v2/vpclinks", "CreateVpcLink", RUN_CREATE, vpclink_def, ROUTE_BODY),
	GENERIC("GET", "/v2/vpclinks/{vpcLinkId}", "GetVpcLink", RUN_GET, vpclink_def, 0),
	GENERIC("PATCH", "/v2/vpclinks/{vpcLinkId}", "UpdateVpcLink", RUN_UPDATE, vpclink_def, ROUTE_BODY),
	HANDLER("DELETE", "/v2/vpclinks/{vpcLinkId}", "DeleteVpcLink", vpclink_delete, 0),
	/* The data-plane feed (docs/dataplane.md). */
	HANDLER("GET", "/dataplane/v1/apis/{apiId}/config", "DataplaneApiConfig", dataplane_api_config, ROUTE_DATAPLANE | ROUTE_NO_AUTH),
	HANDLER("GET", "/dataplane/v1/apis/{apiId}/stages/{stageName}/config", "DataplaneStageConfig", dataplane_stage_config, ROUTE_DATAPLANE | ROUTE_NO_AUTH),
	HANDLER("GET", "/dataplane/v1/changes", "DataplaneChanges", dataplane_changes, ROUTE_DATAPLANE | ROUTE_NO_AUTH),
	HANDLER("GET", "/dataplane/v1/workers", "DataplaneWorkers", dataplane_workers, ROUTE_DATAPLANE | ROUTE_NO_AUTH),
	HANDLER("POST", "/dataplane/v1/signing-keys", "DataplaneSigningKey", dataplane_signing_key, ROUTE_BODY | ROUTE_DATAPLANE | ROUTE_NO_AUTH),
	HANDLER("PUT", "/dataplane/v1/workers/{workerId}", "DataplaneWorkerReport", dataplane_worker_report, ROUTE_BODY | ROUTE_DATAPLANE | ROUTE_NO_AUTH),
	/* Operating apigwd. */
	HANDLER("GET", "/_apigwd/health", "Health", ops_health, ROUTE_NO_AUTH),
	HANDLER("POST", "/_apigwd/reset", "Reset", ops_reset, ROUTE_BODY),
	HANDLER("POST", "/_apigwd/apis/{apiId}/integrations/{integrationId}/preview", "PreviewIntegrationTemplate", template_preview, ROUTE_BODY),
	HANDLER("GET", "/metrics", "Metrics", ops_metrics, ROUTE_NO_AUTH),
	/* The console (console/, embedded). */
	HANDLER("GET", "/console", "Console", console_index, ROUTE_NO_AUTH),
	HANDLER("GET", "/console/{file}", "ConsoleFile", console_file, ROUTE_NO_AUTH),
};
/* clang-format on */
const size_t router_count = sizeof router_routes / sizeof router_routes[0];

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
		if (strcmp(r->method, method) != 0 ||
		    !route_template_match(r->path, path, pathlen, NULL))
			continue;
		if (!route_template_match(r->path, path, pathlen, params)) {
			free_params(params);
			return ROUTE_BAD_PATH;
		}
		*out = r;
		return ROUTE_FOUND;
	}
	/* No route of this method: is the path known at all (405 with Allow) or not (404)? */
	for (size_t i = 0; i < router_count; i++) {
		const struct route *r = &router_routes[i];
		if (!route_template_match(r->path, path, pathlen, NULL))
			continue;
		path_known = true;
		size_t used = strlen(allow);
		snprintf(allow + used, allowlen - used, "%s%s", used ? ", " : "", r->method);
	}
	return path_known ? ROUTE_NO_METHOD : ROUTE_NO_PATH;
}

int router_param_name(const struct route *r, unsigned i, char *buf, size_t len)
{
	return route_param_name(r->path, i, buf, len);
}

void router_run(struct req *rq)
{
	const struct route *r = rq->route;
	assert(r && (r->run == RUN_HANDLER ? r->fn != NULL : r->def != NULL));
	switch (r->run) {
	case RUN_HANDLER: r->fn(rq); break;
	case RUN_CREATE: res_create(rq, r->def); break;
	case RUN_GET: res_get(rq, r->def); break;
	case RUN_LIST: res_list(rq, r->def); break;
	case RUN_UPDATE: res_update(rq, r->def); break;
	case RUN_DELETE: res_delete(rq, r->def); break;
	}
}
