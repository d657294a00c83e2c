/* server.h — the server's state: the one place apigwd keeps anything global, passed to every
 * request as `rq->srv`. */
#ifndef APIGWD_SERVER_H
#define APIGWD_SERVER_H

#include <stdatomic.h>
#include <stddef.h>

#include "db.h"
#include "errors.h"
#include "ids.h"

#define APIGWD_VERSION "0.1.0"

struct server_config {
	const char *listen_host;     /* "127.0.0.1" */
	unsigned port;		     /* 0: a free port */
	const char *port_file;	     /* where to write the bound port, or NULL */
	const char *db_path;	     /* file path or ":memory:" */
	const char *region;	     /* region of unsigned requests */
	const char *account_id;	     /* account of requests that name none */
	size_t max_body;	     /* request body limit, bytes */
	unsigned threads;	     /* libmicrohttpd worker threads */
	unsigned max_connections;    /* in total */
	unsigned max_conn_per_ip;    /* from one client address */
	unsigned conn_timeout;	     /* seconds of inactivity before a connection is closed */
	int quiet;		     /* no request log */
	const char *dataplane_token; /* bearer token /dataplane/ requires, or NULL */
	long long change_retention;  /* revisions of change log kept */
	int auth_sigv4;		     /* --auth sigv4: every /v2/ request must be signed (auth.c) */
	int insecure;		     /* allow --auth none on a non-loopback address */
	double rate;		     /* requests per second per account (token bucket); 0 = off */
	double burst;		     /* bucket size */
	int allow_reset;	     /* POST /_apigwd/reset empties everything */
	const char *seed_file;	     /* state file loaded at start-up (apigwd import format) */
	int log_json;		     /* --log-format json */
	int log_level;		     /* LOG_ERROR .. LOG_DEBUG (log.h) */
};

#include <jansson.h>
#include <stdbool.h>

struct req;
struct rctx;

/* The calls a lower layer makes into a higher one: function pointers that main.c registers
 * before serving, so that no object refers to a layer above it (docs/architecture.md). Each
 * runs inside the caller's transaction and returns E_OK or fills its error (rolls back). */
struct server_hooks {
	/* autoDeploy (res_deployments.c). Deploys API api_id's current configuration to stage
	 * `stage` (of an API of protocol `proto`, P_ANY: read it), or, with stage NULL, to every
	 * autoDeploy stage of the API not yet deployed in this transaction. Called by the engine
	 * (res_txn) just before COMMIT of a request that changed the configuration, and by a stage
	 * created with (or switched to) autoDeploy. *stage_out (may be NULL) receives the rendered
	 * stage when `stage` was moved (new reference). */
	enum err (*auto_deploy)(struct req *rq, const char *api_id, const char *stage,
				unsigned proto, json_t **stage_out, struct apierr *e);
	/* HTTP quick create (quick_create.c): api_def's after_write. */
	enum err (*api_written)(struct rctx *c, bool created);
	/* The gateway's request-template selection and rendering for the console's preview
	 * (template_preview.c; gateway/transform.h gw_transform_preview). Pure; returns a new
	 * object, or NULL out of memory. */
	json_t *(*template_preview)(json_t *integration, const json_t *input);
};

struct server {
	struct server_config cfg;
	struct db_pool *pool;			/* owned */
	unsigned char token_key[TOKEN_KEY_LEN]; /* pagination-token HMAC key, from meta */
	struct MHD_Daemon *mhd;			/* owned */
	atomic_uint inflight;			/* requests received and not yet answered */
	atomic_bool stopping;			/* http_stop began: answer 503, park nothing */
	struct park *park;			/* held requests; owned */
	struct workers *workers;		/* data-plane worker reports; owned */
	struct answer_cache *answers; /* last data-plane answers (answer_cache.h); owned */
	struct metrics *metrics;      /* GET /metrics counters (metrics.h); owned */
	struct ratelimit *ratelimit;  /* --rate buckets (reqlimits.h) or NULL; owned */
	struct server_hooks hooks;    /* set by main.c before serving; NULL
					 members do nothing */

	/* --gateway-api-endpoint: the in-process gateway's base, "ws://127.0.0.1:PORT", that a
	 * new WEBSOCKET API's apiEndpoint names; NULL: AWS's form. Static; set once by main.c. */
	_Atomic(const char *) ws_endpoint;
};

#endif
