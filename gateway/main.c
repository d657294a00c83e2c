/* main.c — apigwd-gateway: flags, the follower thread (worker/follow.c), the integration pool and
 * the event loop (docs/gateway.md). */
#include <curl/curl.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "follow.h"
#include "integ.h"
#include "mgmt_auth.h"
#include "server.h"

#define MAX_APIS 256 /* --api given at most */

static volatile sig_atomic_t stop;

static const char usage[] =
	"usage: apigwd-gateway --control URL [--listen HOST:PORT] [options]\n"
	"Serves every deployed stage of the WebSocket APIs the account sees (docs/gateway.md).\n"
	"  --control URL          apigwd base URL (required unless --cache-dir holds snapshots)\n"
	"  --listen HOST:PORT     loopback address (default 127.0.0.1:8081; port 0 = free)\n"
	"  --port-file FILE       write the bound port there\n"
	"  --api ID               follow only this API (repeatable)\n"
	"  --token T              Bearer token for /dataplane/v1/ (apigwd --dataplane-token)\n"
	"  --auth none|sigv4      @connections unauthenticated (loopback only, the default) or\n"
	"                         SigV4-verified with the control plane's keys\n"
	"  --cache-dir DIR        keep the last good snapshot of each stage there\n"
	"  --lambda-endpoint URL  Lambda Invoke API base URL for AWS_PROXY integrations\n"
	"  --aws-endpoint URL     base URL of the AWS services that AWS integrations call\n"
	"                         (default: each service's AWS endpoint)\n"
	"  --idle-timeout MS      idle timeout (default 600000)\n"
	"  --max-duration MS      maximum connection duration (default 7200000)\n"
	"  --max-frame BYTES      frame limit (default 32768)\n"
	"  --max-message BYTES    message limit (default 131072)\n"
	"  --threads N            integration threads, and threads deciding $connect (default 16)\n"
	"  --wait SECONDS         change-feed long-poll (default 60)\n";

static void on_signal(int sig)
{
	stop = sig;
	gw_server_wake(NULL);
}

static void apply(void *arg, const char *api_id, const char *stage, const char *body, size_t len)
{
	(void)arg;
	if (gw_config_apply(api_id, stage, body, len) == 0)
		fprintf(stderr, "apigwd-gateway: serving %s/%s\n", api_id, stage);
}

static void synced(void *arg, long long revision)
{
	(void)arg, (void)revision;
	gw_config_set_ready();
}

static void *follow_main(void *arg)
{
	follow_run(arg, &stop);
	return NULL;
}

static bool loopback(const char *host)
{
	return !strcmp(host, "127.0.0.1") || !strcmp(host, "localhost") || !strcmp(host, "::1") ||
	       !strncmp(host, "127.", 4);
}

enum {
	O_CONTROL = 256,
	O_LISTEN,
	O_PORT_FILE,
	O_API,
	O_TOKEN,
	O_CACHE,
	O_LAMBDA,
	O_AWS,
	O_IDLE,
	O_DUR,
	O_FRAME,
	O_MSG,
	O_THREADS,
	O_WAIT,
	O_AUTH,
	O_HELP
};

static const struct option options[] = {
	{"control", required_argument, NULL, O_CONTROL},
	{"listen", required_argument, NULL, O_LISTEN},
	{"port-file", required_argument, NULL, O_PORT_FILE},
	{"api", required_argument, NULL, O_API},
	{"token", required_argument, NULL, O_TOKEN},
	{"cache-dir", required_argument, NULL, O_CACHE},
	{"lambda-endpoint", required_argument, NULL, O_LAMBDA},
	{"aws-endpoint", required_argument, NULL, O_AWS},
	{"idle-timeout", required_argument, NULL, O_IDLE},
	{"max-duration", required_argument, NULL, O_DUR},
	{"max-frame", required_argument, NULL, O_FRAME},
	{"max-message", required_argument, NULL, O_MSG},
	{"threads", required_argument, NULL, O_THREADS},
	{"wait", required_argument, NULL, O_WAIT},
	{"auth", required_argument, NULL, O_AUTH},
	{"help", no_argument, NULL, O_HELP},
	{0},
};

static long number(const char *flag, const char *s, long min, long max)
{
	char *end = NULL;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v < min || v > max) {
		fprintf(stderr, "apigwd-gateway: %s wants %ld-%ld\n", flag, min, max);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static char host[256] = "127.0.0.1";
	static const char *apis[MAX_APIS];
	struct gw_server_opts so = {.host = host,
				    .port = 8081,
				    .idle_ms = 600000,
				    .duration_ms = 7200000,
				    .max_frame = 32768,
				    .max_message = 131072,
				    .max_post = 131072,
				    .connect_threads = 8};
	struct follow_cfg fc = {.wait = 60,
				.log_prefix = "apigwd-gateway",
				.apply = apply,
				.synced = synced,
				.apis = apis};
	const char *cache = NULL, *lambda = NULL, *aws = NULL;
	int threads = 16, opt;
	bool sigv4 = false;
	static struct gw_remote_keys keys;
	char *control = NULL;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case O_CONTROL: control = optarg; break;
		case O_LISTEN: {
			char *colon = strrchr(optarg, ':');
			if (!colon || (size_t)(colon - optarg) >= sizeof host) {
				fprintf(stderr, "apigwd-gateway: --listen wants HOST:PORT\n");
				return 2;
			}
			snprintf(host, sizeof host, "%.*s", (int)(colon - optarg), optarg);
			so.port = (int)number("--listen port", colon + 1, 0, 65535);
			break;
		}
		case O_PORT_FILE: so.port_file = optarg; break;
		case O_API:
			if (fc.napis == MAX_APIS) {
				fprintf(stderr, "apigwd-gateway: too many --api\n");
				return 2;
			}
			apis[fc.napis++] = optarg;
			break;
		case O_TOKEN: fc.token = optarg; break;
		case O_CACHE: cache = optarg; break;
		case O_LAMBDA: lambda = optarg; break;
		case O_AWS: aws = optarg; break;
		case O_IDLE: so.idle_ms = number("--idle-timeout", optarg, 10, 86400000); break;
		case O_DUR: so.duration_ms = number("--max-duration", optarg, 10, 864000000); break;
		case O_FRAME:
			so.max_frame = (size_t)number("--max-frame", optarg, 16, 1 << 26);
			break;
		case O_MSG:
			so.max_message = (size_t)number("--max-message", optarg, 16, 1 << 26);
			break;
		case O_THREADS: threads = (int)number("--threads", optarg, 1, 64); break;
		case O_WAIT: fc.wait = number("--wait", optarg, 1, 300); break;
		case O_AUTH:
			if (strcmp(optarg, "none") && strcmp(optarg, "sigv4")) {
				fprintf(stderr, "apigwd-gateway: --auth wants none or sigv4\n");
				return 2;
			}
			sigv4 = !strcmp(optarg, "sigv4");
			break;
		case O_HELP: fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind < argc || (!control && !cache)) {
		fputs(usage, stderr);
		return 2;
	}
	/* @connections unauthenticated: never off loopback (docs/gateway.md). */
	if (!sigv4 && !loopback(host)) {
		fprintf(stderr, "apigwd-gateway: --listen off loopback needs --auth sigv4\n");
		return 2;
	}
	if (sigv4 && !control) {
		fprintf(stderr,
			"apigwd-gateway: --auth sigv4 needs --control (the keys are there)\n");
		return 2;
	}
	if (control)
		for (size_t n = strlen(control); n > 1 && control[n - 1] == '/'; n--)
			control[n - 1] = '\0';
	fc.control = control;
	keys = (struct gw_remote_keys){.control = control, .token = fc.token};
	if (sigv4)
		gw_mgmt_auth_set(gw_mgmt_auth_remote, &keys);
	struct sigaction sa = {.sa_handler = on_signal};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return 1;
	if (cache)
		fprintf(stderr, "apigwd-gateway: %d stage(s) loaded from %s\n",
			gw_config_cache_open(cache), cache);
	so.connect_threads = threads;
	struct gw_integ_opts io = {.lambda_endpoint = lambda,
				   .aws_endpoint = aws,
				   .threads = threads,
				   .wake = gw_server_wake};
	pthread_t follower;
	bool following = false;
	int status = 1;
	if (gw_integ_start(&io) != 0)
		goto out;
	if (control && pthread_create(&follower, NULL, follow_main, &fc) == 0)
		following = true;
	status = gw_server_run(&so, &stop) == 0 ? 0 : 1;
	stop = stop ? stop : SIGTERM;
	if (following)
		pthread_join(follower, NULL);
out:
	gw_integ_stop();
	curl_global_cleanup();
	fprintf(stderr, "apigwd-gateway: stopped\n");
	return status;
}
