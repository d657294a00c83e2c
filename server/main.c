/* main.c — apigwd: flags, start-up, and a clean stop on SIGINT/SIGTERM. */
#include <getopt.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "answer_cache.h"
#include "cli.h"
#include "embed.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "park.h"
#include "quick_create.h"
#include "reqlimits.h"
#include "res_deployments.h"
#include "router.h"
#include "server.h"
#include "state.h"
#include "workers.h"

static const char usage[] =
	"usage: apigwd [options]\n"
	"A self-hosted AWS API Gateway v2 (apigatewayv2) control plane.\n"
	"\n"
	"  --listen HOST:PORT   address to serve on (default 127.0.0.1:8080; port 0 = a free port)\n"
	"  --port-file FILE     write the bound port to FILE once listening\n"
	"  --gateway-listen HOST:PORT  also serve deployed WebSocket stages (docs/gateway.md)\n"
	"  --gateway-port-file FILE    write the gateway's bound port to FILE\n"
	"  --gateway-lambda-endpoint URL  Lambda Invoke API for the gateway's AWS_PROXY routes\n"
	"  --gateway-api-endpoint      new WEBSOCKET APIs' ApiEndpoint names the gateway,\n"
	"                              ws://HOST:PORT/{apiId}, instead of AWS's host\n"
	"  --db PATH            SQLite database file (default ./apigwd.db; :memory: = ephemeral)\n"
	"  --region REGION      region of unsigned requests (default us-east-1); a signed request\n"
	"                       uses the region of its SigV4 credential scope\n"
	"  --account-id ID      account of requests that name none (default 000000000000); an\n"
	"                       access key id of 12 digits is taken as the account\n"
	"  --threads N          worker threads (default: number of CPUs)\n"
	"  --max-body BYTES     request body limit (default 1048576)\n"
	"  --max-connections N  connections at once (default 1024)\n"
	"  --max-connections-per-ip N  connections at once from one client address (default 256)\n"
	"  --conn-timeout S     close a connection idle for S seconds (default 60)\n"
	"  --quiet              no request log\n"
	"  --auth none|sigv4    sigv4: every /v2/ request must carry a valid AWS Signature V4 by a\n"
	"                       key of `apigwd credentials create` (default none, loopback only)\n"
	"  --insecure           allow --auth none on a non-loopback address\n"
	"  --rate N --burst M   per-account rate limit, token bucket (default off)\n"
	"  --allow-reset        enable POST /_apigwd/reset (empties every resource)\n"
	"  --seed FILE          load a state file (apigwd export format) at start-up\n"
	"  --log-format text|json, --log-level error|warn|info|debug (default text, info)\n"
	"  --dataplane-token T  /dataplane/ requests need \"Authorization: Bearer T\"\n"
	"  --change-retention N revisions of change log kept for the data-plane feed\n"
	"                       (default 100000)\n"
	"  --routes             print the route table (METHOD PATH OPERATION) and exit\n"
	"  --version            print the version and exit\n"
	"  --help               this text\n"
	"\n"
	"\n"
	"Commands (apigwd COMMAND --help for each):\n"
	"  apigwd credentials create --account ID [--db PATH] | list | delete KEYID\n"
	"  apigwd export [--db PATH] > FILE       apigwd import [--db PATH] FILE\n"
	"  apigwd backup FILE [--db PATH]         apigwd restore FILE [--db PATH]\n"
	"\n"
	"Point the AWS CLI at it: aws apigatewayv2 get-apis --endpoint-url http://127.0.0.1:8080\n"
	"SIGINT/SIGTERM: stop accepting, finish requests in flight, close the database, exit 0.\n";

enum {
	OPT_LISTEN = 256,
	OPT_PORT_FILE,
	OPT_DB,
	OPT_REGION,
	OPT_ACCOUNT,
	OPT_THREADS,
	OPT_MAX_BODY,
	OPT_MAX_CONN,
	OPT_QUIET,
	OPT_ROUTES,
	OPT_VERSION,
	OPT_HELP,
	OPT_DP_TOKEN,
	OPT_RETENTION,
	OPT_AUTH,
	OPT_INSECURE,
	OPT_RATE,
	OPT_BURST,
	OPT_ALLOW_RESET,
	OPT_SEED,
	OPT_LOG_FORMAT,
	OPT_LOG_LEVEL,
	OPT_MAX_CONN_IP,
	OPT_CONN_TIMEOUT,
	OPT_GW_LISTEN,
	OPT_GW_PORT_FILE,
	OPT_GW_LAMBDA,
	OPT_GW_API_ENDPOINT
};

/* The in-process gateway (docs/gateway.md "In-process"): its flags, kept here because only this
 * file glues the gateway to the control plane. */
static struct {
	char host[256];	       /* --gateway-listen host, "" when off */
	int port;	       /* its port */
	const char *port_file; /* --gateway-port-file */
	const char *lambda;    /* --gateway-lambda-endpoint */
	bool api_endpoint;     /* --gateway-api-endpoint */
	char endpoint[300];    /* "ws://HOST:PORT", what srv.ws_endpoint points at */
	char control[300];     /* our own base URL; the gateway keeps the pointer */
} gw;

static const struct option options[] = {
	{"listen", required_argument, NULL, OPT_LISTEN},
	{"gateway-listen", required_argument, NULL, OPT_GW_LISTEN},
	{"gateway-port-file", required_argument, NULL, OPT_GW_PORT_FILE},
	{"gateway-lambda-endpoint", required_argument, NULL, OPT_GW_LAMBDA},
	{"gateway-api-endpoint", no_argument, NULL, OPT_GW_API_ENDPOINT},
	{"port-file", required_argument, NULL, OPT_PORT_FILE},
	{"db", required_argument, NULL, OPT_DB},
	{"region", required_argument, NULL, OPT_REGION},
	{"account-id", required_argument, NULL, OPT_ACCOUNT},
	{"threads", required_argument, NULL, OPT_THREADS},
	{"max-body", required_argument, NULL, OPT_MAX_BODY},
	{"max-connections", required_argument, NULL, OPT_MAX_CONN},
	{"max-connections-per-ip", required_argument, NULL, OPT_MAX_CONN_IP},
	{"conn-timeout", required_argument, NULL, OPT_CONN_TIMEOUT},
	{"quiet", no_argument, NULL, OPT_QUIET},
	{"dataplane-token", required_argument, NULL, OPT_DP_TOKEN},
	{"change-retention", required_argument, NULL, OPT_RETENTION},
	{"auth", required_argument, NULL, OPT_AUTH},
	{"insecure", no_argument, NULL, OPT_INSECURE},
	{"rate", required_argument, NULL, OPT_RATE},
	{"burst", required_argument, NULL, OPT_BURST},
	{"allow-reset", no_argument, NULL, OPT_ALLOW_RESET},
	{"seed", required_argument, NULL, OPT_SEED},
	{"log-format", required_argument, NULL, OPT_LOG_FORMAT},
	{"log-level", required_argument, NULL, OPT_LOG_LEVEL},
	{"routes", no_argument, NULL, OPT_ROUTES},
	{"version", no_argument, NULL, OPT_VERSION},
	{"help", no_argument, NULL, OPT_HELP},
	{0},
};

/* Parses a positive number into *out; false when s is not one or exceeds max. */
static bool parse_num(const char *s, unsigned long long max, unsigned long long *out)
{
	char *end = NULL;
	unsigned long long v = strtoull(s, &end, 10);
	if (!*s || *end || v > max || s[0] == '-')
		return false;
	*out = v;
	return true;
}

/* "HOST:PORT" → host (pointing into a static copy) and port. */
static bool parse_listen(const char *s, struct server_config *cfg)
{
	static char host[64];
	const char *colon = strrchr(s, ':');
	unsigned long long port;
	if (!colon || (size_t)(colon - s) >= sizeof host || colon == s ||
	    !parse_num(colon + 1, 65535, &port))
		return false;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	cfg->listen_host = strcmp(host, "localhost") == 0 ? "127.0.0.1" : host;
	cfg->port = (unsigned)port;
	return true;
}

static bool valid_account(const char *s)
{
	if (strlen(s) != 12)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* The numeric flags: each a whole number from 1 to max, stored into one member of
 * server_config. `wants` completes "apigwd: --NAME wants ..." when the value is refused. */
enum num_type { NUM_UNSIGNED, NUM_SIZE, NUM_LLONG, NUM_DOUBLE };
static const struct num_flag {
	int opt;
	const char *name;
	unsigned long long max;
	enum num_type type;
	size_t offset; /* of the member in struct server_config */
	const char *wants;
} num_flags[] = {
	{OPT_THREADS, "threads", 256, NUM_UNSIGNED, offsetof(struct server_config, threads),
	 "1-256"},
	{OPT_MAX_BODY, "max-body", 1ull << 30, NUM_SIZE, offsetof(struct server_config, max_body),
	 "1 to 1073741824 bytes"},
	{OPT_MAX_CONN, "max-connections", 1000000, NUM_UNSIGNED,
	 offsetof(struct server_config, max_connections), "a positive number"},
	{OPT_MAX_CONN_IP, "max-connections-per-ip", 1000000, NUM_UNSIGNED,
	 offsetof(struct server_config, max_conn_per_ip), "a positive number"},
	{OPT_CONN_TIMEOUT, "conn-timeout", 86400, NUM_UNSIGNED,
	 offsetof(struct server_config, conn_timeout), "1 to 86400 seconds"},
	{OPT_RETENTION, "change-retention", 1ull << 40, NUM_LLONG,
	 offsetof(struct server_config, change_retention), "a positive number"},
	{OPT_RATE, "rate", 1000000, NUM_DOUBLE, offsetof(struct server_config, rate),
	 "a positive number"},
	{OPT_BURST, "burst", 1000000, NUM_DOUBLE, offsetof(struct server_config, burst),
	 "a positive number"},
};

/* Sets the numeric flag `opt` from s: 1; 0 after saying why it is refused; -1 when opt is no
 * numeric flag. */
static int num_flag(int opt, const char *s, struct server_config *cfg)
{
	unsigned long long n;
	for (size_t i = 0; i < sizeof num_flags / sizeof num_flags[0]; i++) {
		const struct num_flag *f = &num_flags[i];
		if (f->opt != opt)
			continue;
		if (!parse_num(s, f->max, &n) || n == 0) {
			fprintf(stderr, "apigwd: --%s wants %s\n", f->name, f->wants);
			return 0;
		}
		char *member = (char *)cfg + f->offset;
		switch (f->type) {
		case NUM_UNSIGNED: *(unsigned *)(void *)member = (unsigned)n; break;
		case NUM_SIZE: *(size_t *)(void *)member = (size_t)n; break;
		case NUM_LLONG: *(long long *)(void *)member = (long long)n; break;
		case NUM_DOUBLE: *(double *)(void *)member = (double)n; break;
		}
		return 1;
	}
	return -1;
}

static int parse_args(int argc, char **argv, struct server_config *cfg)
{
	int opt;
	while ((opt = getopt_long(argc, argv, "", options, NULL)) != -1) {
		switch (opt) {
		case OPT_LISTEN:
			if (!parse_listen(optarg, cfg)) {
				fprintf(stderr, "apigwd: --listen wants HOST:PORT, got %s\n",
					optarg);
				return 2;
			}
			break;
		case OPT_PORT_FILE: cfg->port_file = optarg; break;
		case OPT_GW_LISTEN: {
			const char *colon = strrchr(optarg, ':');
			char *end = NULL;
			long port = colon ? strtol(colon + 1, &end, 10) : -1;
			if (!colon || colon == optarg ||
			    (size_t)(colon - optarg) >= sizeof gw.host || !end || *end ||
			    port < 0 || port > 65535 ||
			    (strncmp(optarg, "127.", 4) && strncmp(optarg, "localhost:", 10))) {
				fprintf(stderr,
					"apigwd: --gateway-listen wants a loopback HOST:PORT, "
					"got %s\n",
					optarg);
				return 2;
			}
			snprintf(gw.host, sizeof gw.host, "%.*s", (int)(colon - optarg), optarg);
			gw.port = (int)port;
			break;
		}
		case OPT_GW_PORT_FILE: gw.port_file = optarg; break;
		case OPT_GW_LAMBDA: gw.lambda = optarg; break;
		case OPT_GW_API_ENDPOINT: gw.api_endpoint = true; break;
		case OPT_DB: cfg->db_path = optarg; break;
		case OPT_REGION: cfg->region = optarg; break;
		case OPT_ACCOUNT:
			if (!valid_account(optarg)) {
				fprintf(stderr, "apigwd: --account-id wants 12 digits, got %s\n",
					optarg);
				return 2;
			}
			cfg->account_id = optarg;
			break;
		case OPT_QUIET: cfg->quiet = 1; break;
		case OPT_DP_TOKEN:
			if (!*optarg) {
				fprintf(stderr, "apigwd: --dataplane-token must not be empty\n");
				return 2;
			}
			cfg->dataplane_token = optarg;
			break;
		case OPT_AUTH:
			if (strcmp(optarg, "none") && strcmp(optarg, "sigv4")) {
				fprintf(stderr, "apigwd: --auth wants none or sigv4\n");
				return 2;
			}
			cfg->auth_sigv4 = strcmp(optarg, "sigv4") == 0;
			break;
		case OPT_INSECURE: cfg->insecure = 1; break;
		case OPT_ALLOW_RESET: cfg->allow_reset = 1; break;
		case OPT_SEED: cfg->seed_file = optarg; break;
		case OPT_LOG_FORMAT:
			if (strcmp(optarg, "text") && strcmp(optarg, "json")) {
				fprintf(stderr, "apigwd: --log-format wants text or json\n");
				return 2;
			}
			cfg->log_json = strcmp(optarg, "json") == 0;
			break;
		case OPT_LOG_LEVEL:
			if ((cfg->log_level = log_level_parse(optarg)) < 0) {
				fprintf(stderr,
					"apigwd: --log-level wants error, warn, info or debug\n");
				return 2;
			}
			break;
		case OPT_ROUTES:
			for (size_t i = 0; i < router_count; i++)
				printf("%s %s %s\n", router_routes[i].method, router_routes[i].path,
				       router_routes[i].op);
			return 0;
		case OPT_VERSION: printf("apigwd %s\n", APIGWD_VERSION); return 0;
		case OPT_HELP: fputs(usage, stdout); return 0;
		default:
			switch (num_flag(opt, optarg, cfg)) {
			case 1: break;
			case 0: return 2;
			default: fputs(usage, stderr); return 2;
			}
			break;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "apigwd: unexpected argument %s\n", argv[optind]);
		return 2;
	}
	if (cfg->rate && !cfg->burst)
		cfg->burst = cfg->rate;
	if (gw.api_endpoint && !gw.host[0]) {
		fputs("apigwd: --gateway-api-endpoint names the in-process gateway: it needs "
		      "--gateway-listen\n",
		      stderr);
		return 2;
	}
	/* Unauthenticated access is for fixtures on this machine. */
	if (!cfg->auth_sigv4 && !cfg->insecure && strncmp(cfg->listen_host, "127.", 4) != 0) {
		fprintf(stderr,
			"apigwd: --auth none on %s would let anyone in: listen on loopback, "
			"use --auth sigv4, or pass --insecure\n",
			cfg->listen_host);
		return 2;
	}
	return -1; /* go on */
}

struct key_ctx {
	unsigned char *key;
};

/* The pagination-token key lives in the database, so tokens survive restarts. */
static enum db_rc load_token_key(struct db *db, void *arg)
{
	struct key_ctx *k = arg;
	void *val = NULL;
	size_t len = 0;
	enum db_rc rc = db_meta_get(db, "pagetoken_key", &val, &len);
	if (rc == DB_OK && len == TOKEN_KEY_LEN) {
		memcpy(k->key, val, len);
		free(val);
		return DB_OK;
	}
	free(val);
	if (rc != DB_OK && rc != DB_NOTFOUND)
		return rc;
	if (RAND_bytes(k->key, TOKEN_KEY_LEN) != 1)
		return DB_ERROR;
	return db_meta_put(db, "pagetoken_key", k->key, TOKEN_KEY_LEN);
}

/* Every committed revision wakes the held requests and is counted. */
static void on_commit(void *arg, int64_t revision)
{
	struct server *srv = arg;
	park_commit(srv->park, revision);
	metrics_commit_done(srv->metrics);
	/* In-process gateway: the write's reply waits until the gateway serves it. */
	gw_embed_wait(revision, 2000);
}

static int write_port_file(const char *path, unsigned port)
{
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	FILE *f = fopen(tmp, "w");
	if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 || rename(tmp, path) != 0) {
		perror("apigwd: --port-file");
		return -1;
	}
	return 0;
}

/* `apigwd COMMAND ...`: the administrative commands, each in its own file. */
static const struct {
	const char *name;
	int (*run)(int argc, char **argv); /* argv[0] is the command's name */
} commands[] = {
	{"credentials", cmd_credentials}, /* cli_credentials.c */
	{"export", cmd_export},		  /* cli_admin.c */
	{"import", cmd_import},		  {"backup", cmd_backup}, {"restore", cmd_restore},
};

int main(int argc, char **argv)
{
	struct server srv = {
		.cfg =
			{
				.listen_host = "127.0.0.1",
				.port = 8080,
				.db_path = "./apigwd.db",
				.region = "us-east-1",
				.account_id = "000000000000",
				.max_body = 1 << 20,
				.threads = 0,
				.max_connections = 1024,
				.max_conn_per_ip = 256,
				.conn_timeout = 60,
				.change_retention = 100000,
				.log_level = LOG_INFO,
			},
	};
	char err[512] = "";
	int status = 1, sig = 0;
	sigset_t stop;

	for (size_t i = 0; argc > 1 && i < sizeof commands / sizeof commands[0]; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);

	int rc = parse_args(argc, argv, &srv.cfg);
	if (rc >= 0)
		return rc;
	if (!srv.cfg.threads) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		srv.cfg.threads = n > 0 ? (unsigned)n : 2;
	}

	/* Block the stop signals in every thread; the main thread waits for them below. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	log_setup(srv.cfg.log_json, srv.cfg.log_level);
	srv.pool = db_pool_open(srv.cfg.db_path, srv.cfg.threads + 1, err, sizeof err);
	if (!srv.pool) {
		fprintf(stderr, "apigwd: %s\n", err);
		goto out;
	}
	db_pool_set_retention(srv.pool, srv.cfg.change_retention);
	struct db *db = db_acquire(srv.pool);
	enum db_rc krc = db_txn(db, load_token_key, &(struct key_ctx){srv.token_key});
	db_release(srv.pool, db);
	if (krc != DB_OK) {
		fprintf(stderr, "apigwd: cannot initialise the database %s\n", srv.cfg.db_path);
		goto out;
	}
	/* The seed is loaded before listening: nobody sees the database half-seeded. */
	if (srv.cfg.seed_file && state_import_pool(srv.pool, srv.cfg.seed_file, err, sizeof err)) {
		fprintf(stderr, "apigwd: --seed %s: %s\n", srv.cfg.seed_file, err);
		goto out;
	}
	srv.park = park_new(http_wake);
	srv.workers = workers_new();
	srv.answers = answer_cache_new();
	srv.metrics = metrics_new(router_routes, router_count);
	srv.hooks.auto_deploy = deployments_auto_deploy;
	srv.hooks.api_written = api_quick_create;
	if (srv.cfg.rate && !(srv.ratelimit = ratelimit_new(srv.cfg.rate, srv.cfg.burst))) {
		fprintf(stderr, "apigwd: out of memory\n");
		goto out;
	}
	if (!srv.park || !srv.workers || !srv.answers || !srv.metrics) {
		fprintf(stderr, "apigwd: cannot start the parking lot\n");
		goto out;
	}
	db_pool_on_commit(srv.pool, on_commit, &srv);
	db_pool_on_commit_start(srv.pool, metrics_commit_start, srv.metrics);
	if (db_writer_start(srv.pool)) {
		fprintf(stderr, "apigwd: cannot start the writer thread\n");
		goto out;
	}
	if (http_start(&srv))
		goto out;
	unsigned port = http_port(&srv);
	char shown[1024];
	log_msg(LOG_INFO, NULL,
		"apigwd %s listening on http://%s:%u (db %s, region %s, account %s)",
		APIGWD_VERSION, srv.cfg.listen_host, port,
		db_target_display(srv.cfg.db_path, shown, sizeof shown), srv.cfg.region,
		srv.cfg.account_id);
	if (srv.cfg.auth_sigv4)
		log_msg(LOG_INFO, NULL,
			"--auth sigv4: every /v2/ request must be signed with a key "
			"of `apigwd credentials create`");
	if (srv.cfg.auth_sigv4 && !srv.cfg.dataplane_token)
		log_msg(LOG_WARN, NULL,
			"--auth sigv4 without --dataplane-token: /dataplane/ is open "
			"to anyone who can reach this address");
	if (!srv.cfg.auth_sigv4)
		log_msg(LOG_WARN, NULL,
			"--auth none: requests are not authenticated, any caller "
			"may act as any account%s",
			strncmp(srv.cfg.listen_host, "127.", 4) ? " (--insecure: and not only from "
								  "this machine)"
								: "");

	if (gw.host[0]) {
		snprintf(gw.control, sizeof gw.control, "http://127.0.0.1:%u", port);
		struct gw_embed_opts go = {.host = gw.host,
					   .port = gw.port,
					   .port_file = gw.port_file,
					   .control = gw.control,
					   .token = srv.cfg.dataplane_token,
					   .lambda_endpoint = gw.lambda};
		int gw_port = gw_embed_start(&go);
		if (gw_port < 0) {
			fprintf(stderr,
				"apigwd: --gateway-listen %s:%d: cannot start the gateway\n",
				gw.host, gw.port);
			goto out;
		}
		if (gw.api_endpoint) {
			snprintf(gw.endpoint, sizeof gw.endpoint, "ws://%s:%d", gw.host, gw_port);
			atomic_store(&srv.ws_endpoint, gw.endpoint);
		}
	}
	/* Last, so that a client that waits for the port file finds the gateway (and the
	 * apiEndpoint it names) ready too. */
	if (srv.cfg.port_file && write_port_file(srv.cfg.port_file, port))
		goto out;
	sigwait(&stop, &sig);
	log_msg(LOG_INFO, NULL, "apigwd: %s: stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
	status = 0;
out:
	gw_embed_stop();
	http_stop(&srv);
	park_free(srv.park);
	workers_free(srv.workers);
	answer_cache_free(srv.answers);
	metrics_free(srv.metrics);
	ratelimit_free(srv.ratelimit);
	db_pool_close(srv.pool);
	return status;
}
