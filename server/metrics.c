/* metrics.c — the counters of metrics.h and their part of the Prometheus text exposition
 * (format 0.0.4); GET /metrics itself is ops_metrics.c, which adds what lives elsewhere. */
#include "metrics.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "route.h"

/* Upper bounds of the latency buckets, seconds. Blocking reads are held up to 300 s. */
static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
				0.5,	1,     2.5,    5,     10,   30,	   60,	 300};
enum { NBOUNDS = sizeof bounds / sizeof bounds[0] };

/* Statuses counted one by one; anything outside is not a status an HTTP server sends. */
enum { STATUS_MIN = 100, STATUS_MAX = 599, NSTATUS = STATUS_MAX - STATUS_MIN + 1 };

struct histogram {
	atomic_ullong bucket[NBOUNDS + 1]; /* observations per bucket, not cumulative; the last
					      one is above every bound */
	atomic_ullong sum_ns;		   /* sum of the observations, nanoseconds */
};

struct op_metrics {
	const char *name;		  /* operation name ("GetApis"), or "-"; static */
	atomic_ullong by_status[NSTATUS]; /* answers per status */
	struct histogram latency;
};

struct metrics {
	size_t nops;			 /* distinct operation names, plus "-" (the last) */
	size_t nroutes;			 /* rows of the route table */
	unsigned *op_of_route;		 /* route index → ops index; owned */
	struct op_metrics *ops;		 /* owned */
	atomic_ullong commits;		 /* COMMITs that produced a revision (a group
					    commit's batch counts once) */
	struct histogram commit_latency; /* COMMIT start to durable */
	time_t started;			 /* process start, Unix time */
};

/* When this thread's COMMIT began (CLOCK_MONOTONIC), or zero: set by metrics_commit_start,
 * taken by metrics_commit_done on the same thread. */
static _Thread_local struct timespec commit_began;

struct metrics *metrics_new(const struct route *routes, size_t nroutes)
{
	struct metrics *m = calloc(1, sizeof *m);
	if (!m)
		return NULL;
	m->nroutes = nroutes;
	m->op_of_route = calloc(nroutes ? nroutes : 1, sizeof *m->op_of_route);
	m->ops = calloc(nroutes + 1, sizeof *m->ops);
	if (!m->op_of_route || !m->ops) {
		metrics_free(m);
		return NULL;
	}
	/* Several routes may share an operation name: they share its counters. */
	for (size_t i = 0; i < nroutes; i++) {
		size_t j = 0;
		while (j < m->nops && strcmp(m->ops[j].name, routes[i].op) != 0)
			j++;
		if (j == m->nops)
			m->ops[m->nops++].name = routes[i].op;
		m->op_of_route[i] = (unsigned)j;
	}
	m->ops[m->nops++].name = "-";
	m->started = time(NULL);
	return m;
}

void metrics_free(struct metrics *m)
{
	if (!m)
		return;
	free(m->op_of_route);
	free(m->ops);
	free(m);
}

static void observe(struct histogram *h, double seconds)
{
	size_t b = 0;
	while (b < NBOUNDS && seconds > bounds[b])
		b++;
	atomic_fetch_add_explicit(&h->bucket[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&h->sum_ns, (unsigned long long)(seconds * 1e9),
				  memory_order_relaxed);
}

void metrics_request(struct metrics *m, size_t route, unsigned status, double seconds)
{
	if (!m || status < STATUS_MIN || status > STATUS_MAX)
		return;
	size_t op = m->nops - 1; /* "-" */
	if (route < m->nroutes)
		op = m->op_of_route[route];
	struct op_metrics *o = &m->ops[op];
	atomic_fetch_add_explicit(&o->by_status[status - STATUS_MIN], 1, memory_order_relaxed);
	observe(&o->latency, seconds < 0 ? 0 : seconds);
}

void metrics_commit_start(void *arg)
{
	(void)arg;
	clock_gettime(CLOCK_MONOTONIC, &commit_began);
}

void metrics_commit_done(struct metrics *m)
{
	if (!m)
		return;
	atomic_fetch_add_explicit(&m->commits, 1, memory_order_relaxed);
	if (commit_began.tv_sec == 0 && commit_began.tv_nsec == 0)
		return; /* the COMMIT ran on another thread: counted, not timed */
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double s = (double)(now.tv_sec - commit_began.tv_sec) +
		   (double)(now.tv_nsec - commit_began.tv_nsec) / 1e9;
	commit_began = (struct timespec){0};
	observe(&m->commit_latency, s < 0 ? 0 : s);
}

/* ---- the exposition ---- */

/* Writes s as a label value: backslash, double quote and newline escaped. */
void metrics_put_label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

void metrics_header(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A histogram's series; `labels` is "" or `name="value"` pairs. The count is the sum of the
 * buckets as read, so +Inf always equals _count within one scrape. */
static void put_histogram(FILE *f, const char *name, const char *labels, const struct histogram *h)
{
	unsigned long long cum = 0;
	const char *sep = labels[0] ? "," : "";
	char braced[160];
	snprintf(braced, sizeof braced, "%s%s%s", labels[0] ? "{" : "", labels,
		 labels[0] ? "}" : "");
	for (size_t b = 0; b <= NBOUNDS; b++) {
		cum += atomic_load_explicit(&h->bucket[b], memory_order_relaxed);
		if (b < NBOUNDS)
			fprintf(f, "%s_bucket{%s%sle=\"%g\"} %llu\n", name, labels, sep, bounds[b],
				cum);
		else
			fprintf(f, "%s_bucket{%s%sle=\"+Inf\"} %llu\n", name, labels, sep, cum);
	}
	fprintf(f, "%s_sum%s %.9f\n", name, braced,
		(double)atomic_load_explicit(&h->sum_ns, memory_order_relaxed) / 1e9);
	fprintf(f, "%s_count%s %llu\n", name, braced, cum);
}

static unsigned long long op_total(const struct op_metrics *o)
{
	unsigned long long n = 0;
	for (size_t b = 0; b <= NBOUNDS; b++)
		n += atomic_load_explicit(&o->latency.bucket[b], memory_order_relaxed);
	return n;
}

void metrics_write_requests(const struct metrics *m, FILE *f)
{
	metrics_header(f, "apigwd_requests_total", "counter",
		       "Requests answered, by operation and status.");
	for (size_t i = 0; i < m->nops; i++)
		for (unsigned s = 0; s < NSTATUS; s++) {
			unsigned long long n =
				atomic_load_explicit(&m->ops[i].by_status[s], memory_order_relaxed);
			if (n)
				fprintf(f,
					"apigwd_requests_total{operation=\"%s\",status=\"%u\"} %llu\n",
					m->ops[i].name, s + STATUS_MIN, n);
		}
	metrics_header(f, "apigwd_request_duration_seconds", "histogram",
		       "Time from receiving a request to answering it (held requests included), "
		       "by operation.");
	for (size_t i = 0; i < m->nops; i++) {
		char labels[128];
		if (!op_total(&m->ops[i]))
			continue;
		snprintf(labels, sizeof labels, "operation=\"%s\"", m->ops[i].name);
		put_histogram(f, "apigwd_request_duration_seconds", labels, &m->ops[i].latency);
	}
}

void metrics_write_commits(const struct metrics *m, FILE *f)
{
	metrics_header(f, "apigwd_db_commits_total", "counter",
		       "Database COMMITs that changed something (with group commit, one per batch "
		       "of writes).");
	fprintf(f, "apigwd_db_commits_total %llu\n",
		atomic_load_explicit(&m->commits, memory_order_relaxed));
	metrics_header(f, "apigwd_db_commit_duration_seconds", "histogram",
		       "Time a COMMIT takes, from its start to the change being durable.");
	put_histogram(f, "apigwd_db_commit_duration_seconds", "", &m->commit_latency);
}

time_t metrics_started(const struct metrics *m)
{
	return m->started;
}
