/* metrics.c — gateway counters and the integration latency histogram, rendered for Prometheus.
 * Updated on the event-loop thread only. */
#include "metrics.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"

#define MAX_ROUTES 512 /* per-route series kept */

static const double bounds[] = {5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000};
#define NB (sizeof bounds / sizeof bounds[0])

static struct {
	unsigned long long connects, messages, client_errors, integ_errors, integ_count;
	unsigned long long buckets[NB];
	double integ_sum;
	struct {
		char key[300];
		unsigned long long n;
	} routes[MAX_ROUTES];
	size_t nroutes;
} m;

void gw_metrics_connect(void)
{
	m.connects++;
}

void gw_metrics_client_error(void)
{
	m.client_errors++;
}

void gw_metrics_message(const char *api_id, const char *stage, const char *route_key)
{
	char key[300];
	m.messages++;
	snprintf(key, sizeof key, "apiid=\"%s\",stage=\"%s\",route=\"%s\"", api_id, stage,
		 route_key);
	for (size_t i = 0; i < m.nroutes; i++)
		if (!strcmp(m.routes[i].key, key)) {
			m.routes[i].n++;
			return;
		}
	if (m.nroutes < MAX_ROUTES) {
		snprintf(m.routes[m.nroutes].key, sizeof m.routes[0].key, "%s", key);
		m.routes[m.nroutes++].n = 1;
	}
}

void gw_metrics_integration(double latency_ms, int failed)
{
	m.integ_count++;
	m.integ_sum += latency_ms;
	for (size_t i = 0; i < NB; i++)
		if (latency_ms <= bounds[i])
			m.buckets[i]++;
	if (failed)
		m.integ_errors++;
}

char *gw_metrics_render(size_t open_conns, size_t *len)
{
	char *out = NULL;
	FILE *f = open_memstream(&out, len);
	if (!f)
		return NULL;
	fprintf(f, "# TYPE apigwd_gateway_connections gauge\napigwd_gateway_connections %zu\n",
		open_conns);
	fprintf(f,
		"# TYPE apigwd_gateway_connect_count counter\napigwd_gateway_connect_count %llu\n",
		m.connects);
	fprintf(f,
		"# TYPE apigwd_gateway_message_count counter\napigwd_gateway_message_count %llu\n",
		m.messages);
	fprintf(f, "# TYPE apigwd_gateway_route_message_count counter\n");
	for (size_t i = 0; i < m.nroutes; i++)
		fprintf(f, "apigwd_gateway_route_message_count{%s} %llu\n", m.routes[i].key,
			m.routes[i].n);
	fprintf(f, "# TYPE apigwd_gateway_client_error counter\napigwd_gateway_client_error %llu\n",
		m.client_errors);
	fprintf(f,
		"# TYPE apigwd_gateway_integration_error counter\n"
		"apigwd_gateway_integration_error %llu\n",
		m.integ_errors);
	fprintf(f, "# TYPE apigwd_gateway_integration_latency_ms histogram\n");
	for (size_t i = 0; i < NB; i++)
		fprintf(f, "apigwd_gateway_integration_latency_ms_bucket{le=\"%g\"} %llu\n",
			bounds[i], m.buckets[i]);
	fprintf(f, "apigwd_gateway_integration_latency_ms_bucket{le=\"+Inf\"} %llu\n",
		m.integ_count);
	fprintf(f, "apigwd_gateway_integration_latency_ms_sum %.3f\n", m.integ_sum);
	fprintf(f, "apigwd_gateway_integration_latency_ms_count %llu\n", m.integ_count);
	fprintf(f,
		"# TYPE apigwd_gateway_config_revision gauge\napigwd_gateway_config_revision %lld\n",
		gw_config_revision());
	fprintf(f, "# TYPE apigwd_gateway_stages gauge\napigwd_gateway_stages %zu\n",
		gw_config_count());
	fclose(f);
	return out;
}
