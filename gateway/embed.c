/* embed.c — runs the gateway on threads inside a host process: the follower reads the host's own
 * /dataplane/v1/ over loopback and reports each applied revision, which gw_embed_wait waits for. */
#include "embed.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <time.h>

#include "config.h"
#include "follow.h"
#include "integ.h"
#include "mgmt_auth.h"
#include "server.h"

static volatile sig_atomic_t stop;
static pthread_t follower_thread, server_thread;
static struct follow_cfg fcfg;
static struct gw_server_opts sopts;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t moved = PTHREAD_COND_INITIALIZER;
static long long applied = -1; /* under lock: every change up to it is served */
static int started;
static bool degraded; /* under lock: the last wait timed out; waits are skipped until a sync */

static void apply(void *arg, const char *api_id, const char *stage, const char *body, size_t len)
{
	(void)arg;
	gw_config_apply(api_id, stage, body, len);
}

static void synced(void *arg, long long revision)
{
	(void)arg;
	gw_config_set_ready();
	pthread_mutex_lock(&lock);
	if (revision > applied)
		applied = revision;
	degraded = false;
	pthread_cond_broadcast(&moved);
	pthread_mutex_unlock(&lock);
}

static void *follower_main(void *arg)
{
	(void)arg;
	follow_run(&fcfg, &stop);
	return NULL;
}

static void *server_main(void *arg)
{
	(void)arg;
	gw_server_run(&sopts, &stop);
	return NULL;
}

int gw_embed_start(const struct gw_embed_opts *o)
{
	struct gw_integ_opts io = {.lambda_endpoint = o->lambda_endpoint,
				   .aws_endpoint = o->aws_endpoint,
				   .threads = 8,
				   .wake = gw_server_wake};
	sopts = (struct gw_server_opts){.host = o->host,
					.port = o->port,
					.port_file = o->port_file,
					.idle_ms = 600000,
					.duration_ms = 7200000,
					.max_frame = 32768,
					.max_message = 131072,
					.max_post = 131072,
					.connect_threads = 8};
	gw_mgmt_auth_set(o->signing_key, o->signing_key_arg);
	fcfg = (struct follow_cfg){.control = o->control,
				   .token = o->token,
				   .wait = 60,
				   .log_prefix = "apigwd gateway",
				   .apply = apply,
				   .synced = synced};
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK || gw_integ_start(&io) != 0 ||
	    pthread_create(&server_thread, NULL, server_main, NULL) != 0)
		return -1;
	started = 1;
	for (int i = 0; i < 5000 && gw_server_port() == 0; i++)
		nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
	int port = gw_server_port();
	if (port <= 0 || pthread_create(&follower_thread, NULL, follower_main, NULL) != 0) {
		gw_embed_stop();
		return -1;
	}
	started = 2;
	return port;
}

void gw_embed_wait(long long revision, long timeout_ms)
{
	if (started != 2)
		return;
	struct timespec until;
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout_ms / 1000;
	until.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&lock);
	/* A follower that cannot sync (control plane refusing it) must not slow every write. */
	while (applied < revision && !stop && !degraded)
		if (pthread_cond_timedwait(&moved, &lock, &until) == ETIMEDOUT) {
			degraded = true;
			fprintf(stderr, "apigwd gateway: revision %lld not applied within %ld ms\n",
				revision, timeout_ms);
		}
	pthread_mutex_unlock(&lock);
}

void gw_embed_stop(void)
{
	if (!started)
		return;
	stop = 1;
	gw_server_wake(NULL);
	pthread_mutex_lock(&lock);
	pthread_cond_broadcast(&moved);
	pthread_mutex_unlock(&lock);
	pthread_join(server_thread, NULL);
	if (started == 2)
		pthread_join(follower_thread, NULL);
	gw_integ_stop();
	started = 0;
}
