/* ops_metrics.c — GET /metrics: the request and commit counters (metrics.c) and the values that
 * live elsewhere (requests in flight, held requests, database size and revision, data-plane
 * workers), read at scrape time, in the Prometheus text exposition format 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/). */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "handlers.h"
#include "metrics.h"
#include "park.h"
#include "server.h"
#include "workers.h"

struct worker_lines {
	FILE *f;
	int64_t current; /* the database's revision */
	unsigned n;
};

static void worker_line(const char *id, int64_t revision, void *ctx)
{
	struct worker_lines *w = ctx;
	fputs("apigwd_dataplane_worker_behind_revisions{worker=\"", w->f);
	metrics_put_label(w->f, id);
	fprintf(w->f, "\"} %lld\n", (long long)(w->current > revision ? w->current - revision : 0));
	w->n++;
}

static void count_worker(const char *id, int64_t revision, void *ctx)
{
	(void)id;
	(void)revision;
	(*(unsigned *)ctx)++;
}

void ops_metrics(struct req *rq)
{
	struct server *srv = rq->srv;
	struct metrics *m = srv->metrics;
	char *text = NULL;
	size_t len = 0;
	int64_t revision = 0, size = 0;
	enum db_rc rc = db_revision(rq->db, &revision, NULL, NULL);
	if (rc == DB_OK)
		rc = db_size_bytes(rq->db, &size);
	if (rc != DB_OK || !m) {
		reply_errf(rq, E_INTERNAL, "Could not read the metrics (database error %d)",
			   (int)rc);
		return;
	}
	FILE *f = open_memstream(&text, &len);
	if (!f) {
		reply_errf(rq, E_INTERNAL, "Out of memory");
		return;
	}

	metrics_write_requests(m, f);
	metrics_header(f, "apigwd_requests_in_flight", "gauge",
		       "Requests received and not yet answered (this scrape included).");
	fprintf(f, "apigwd_requests_in_flight %u\n", atomic_load(&srv->inflight));
	metrics_header(f, "apigwd_held_requests", "gauge",
		       "Blocking reads (data-plane long-polls) waiting for a change right now.");
	fprintf(f, "apigwd_held_requests %u\n", srv->park ? park_count(srv->park) : 0);

	metrics_write_commits(m, f);
	metrics_header(f, "apigwd_db_size_bytes", "gauge",
		       "Size of the database (page_count * page_size).");
	fprintf(f, "apigwd_db_size_bytes %lld\n", (long long)size);
	metrics_header(f, "apigwd_revision", "gauge", "The database's current revision.");
	fprintf(f, "apigwd_revision %lld\n", (long long)revision);

	unsigned nworkers = 0;
	if (srv->workers)
		workers_each(srv->workers, count_worker, &nworkers);
	metrics_header(f, "apigwd_dataplane_workers", "gauge",
		       "Data-plane workers that reported status.");
	fprintf(f, "apigwd_dataplane_workers %u\n", nworkers);
	metrics_header(f, "apigwd_dataplane_worker_behind_revisions", "gauge",
		       "Current revision minus the revision a worker last reported applied.");
	struct worker_lines wl = {.f = f, .current = revision};
	if (srv->workers)
		workers_each(srv->workers, worker_line, &wl);

	metrics_header(f, "apigwd_build_info", "gauge", "Always 1; the version is a label.");
	fprintf(f, "apigwd_build_info{version=\"%s\"} 1\n", APIGWD_VERSION);
	metrics_header(f, "process_start_time_seconds", "gauge",
		       "Start time of the process, Unix time.");
	fprintf(f, "process_start_time_seconds %lld\n", (long long)metrics_started(m));
	if (fclose(f) != 0 || !text) {
		free(text);
		reply_errf(rq, E_INTERNAL, "Out of memory");
		return;
	}
	reply_text(rq, 200, text, len);
	rq->content_type = "text/plain; version=0.0.4; charset=utf-8";
}
