/* handlers.h — every handler the route table names, one group per resource file. */
#ifndef APIGWD_HANDLERS_H
#define APIGWD_HANDLERS_H

#include "http.h"

void api_create(struct req *rq);
void api_delete(struct req *rq);
void api_export(struct req *rq);
void api_get(struct req *rq);
void api_import(struct req *rq);
void api_list(struct req *rq);
void api_mapping_create(struct req *rq);
void api_mapping_delete(struct req *rq);
void api_mapping_get(struct req *rq);
void api_mapping_list(struct req *rq);
void api_mapping_update(struct req *rq);
void api_reimport(struct req *rq);
void api_update(struct req *rq);
void authorizer_create(struct req *rq);
void authorizer_delete(struct req *rq);
void authorizer_get(struct req *rq);
void authorizer_list(struct req *rq);
void authorizer_update(struct req *rq);
void cors_delete(struct req *rq);
void dataplane_api_config(struct req *rq);
void dataplane_changes(struct req *rq);
void dataplane_stage_config(struct req *rq);
void dataplane_worker_report(struct req *rq);
void dataplane_workers(struct req *rq);
void deployment_create(struct req *rq);
void deployment_delete(struct req *rq);
void deployment_get(struct req *rq);
void deployment_list(struct req *rq);
void deployment_update(struct req *rq);
void domain_name_create(struct req *rq);
void domain_name_delete(struct req *rq);
void domain_name_get(struct req *rq);
void domain_name_list(struct req *rq);
void domain_name_update(struct req *rq);
void integration_create(struct req *rq);
void integration_delete(struct req *rq);
void integration_get(struct req *rq);
void integration_list(struct req *rq);
void integration_response_create(struct req *rq);
void integration_response_delete(struct req *rq);
void integration_response_get(struct req *rq);
void integration_response_list(struct req *rq);
void integration_response_update(struct req *rq);
void integration_update(struct req *rq);
void model_create(struct req *rq);
void model_delete(struct req *rq);
void model_get(struct req *rq);
void model_list(struct req *rq);
void model_template_get(struct req *rq);
void model_update(struct req *rq);
void op_unsupported(struct req *rq);
void route_create(struct req *rq);
void route_delete(struct req *rq);
void route_get(struct req *rq);
void route_list(struct req *rq);
void route_request_parameter_delete(struct req *rq);
void route_response_create(struct req *rq);
void route_response_delete(struct req *rq);
void route_response_get(struct req *rq);
void route_response_list(struct req *rq);
void route_response_update(struct req *rq);
void route_update(struct req *rq);
void stage_access_log_settings_delete(struct req *rq);
void stage_authorizers_cache_reset(struct req *rq);
void stage_create(struct req *rq);
void stage_delete(struct req *rq);
void stage_get(struct req *rq);
void stage_list(struct req *rq);
void stage_route_settings_delete(struct req *rq);
void stage_update(struct req *rq);
void tags_get(struct req *rq);
void tags_tag(struct req *rq);
void tags_untag(struct req *rq);
void vpclink_create(struct req *rq);
void vpclink_delete(struct req *rq);
void vpclink_get(struct req *rq);
void vpclink_list(struct req *rq);
void vpclink_update(struct req *rq);

#endif
