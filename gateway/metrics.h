/* metrics.h — counters for /metrics (Prometheus text), names after docs/aws-behaviour.md §D10. */
#ifndef GW_METRICS_H
#define GW_METRICS_H

#include <stddef.h>

void gw_metrics_connect(void);
/* A message routed to route_key of api/stage. */
void gw_metrics_message(const char *api_id, const char *stage, const char *route_key);
void gw_metrics_integration(double latency_ms, int failed);
void gw_metrics_client_error(void);
/* The Prometheus text (new), given the open connection count. */
char *gw_metrics_render(size_t open_conns, size_t *len);

#endif
