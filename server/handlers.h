/* handlers.h — every handler the route table names, one group per resource file. */
#ifndef APIGWD_HANDLERS_H
#define APIGWD_HANDLERS_H

#include "request.h"

void api_export(struct req *rq);
void api_import(struct req *rq);
void api_reimport(struct req *rq);
void console_file(struct req *rq);
void console_index(struct req *rq);
void cors_delete(struct req *rq);
void dataplane_api_config(struct req *rq);
void dataplane_changes(struct req *rq);
void dataplane_stage_config(struct req *rq);
void dataplane_worker_report(struct req *rq);
void dataplane_workers(struct req *rq);
void model_template_get(struct req *rq);
void op_unsupported(struct req *rq);
void ops_health(struct req *rq);
void ops_metrics(struct req *rq);
void ops_reset(struct req *rq);
void template_preview(struct req *rq);
void route_request_parameter_delete(struct req *rq);
void stage_access_log_settings_delete(struct req *rq);
void stage_authorizers_cache_reset(struct req *rq);
void stage_route_settings_delete(struct req *rq);
void tags_get(struct req *rq);
void tags_tag(struct req *rq);
void tags_untag(struct req *rq);
void vpclink_delete(struct req *rq);

#endif
