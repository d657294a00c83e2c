/* integ.h — integration calls (docs/aws-behaviour.md §D4): AWS_PROXY through the Lambda Invoke
 * API, HTTP_PROXY, MOCK. A job is prepared on the event loop, performed on a small fixed pool of
 * threads (blocking libcurl with the integration's timeout) and handed back through a completion
 * queue that wakes the loop (docs/gateway.md). */
#ifndef GW_INTEG_H
#define GW_INTEG_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "ids.h"

enum gw_event_type { GW_CONNECT, GW_MESSAGE, GW_DISCONNECT };
enum gw_outcome { GW_OK, GW_FAILED, GW_TIMEOUT };

struct gw_job {
	struct gw_job *next;	     /* queue link */
	enum gw_event_type event;    /* lifecycle */
	char conn_id[GW_ID_LEN + 1]; /* connection */
	char request_id[GW_ID_LEN + 1];
	char type[16]; /* integrationType */
	char *url;     /* owned; NULL for MOCK */
	char *method;  /* owned */
	char *body;    /* owned request body */
	size_t body_len;
	struct curl_slist *headers; /* owned */
	long timeout_ms;	    /* timeoutInMillis */
	bool two_way;		    /* a $default route response exists (§D6.3) */
	bool lambda;		    /* a Lambda Invoke (AWS_PROXY, or AWS on a Lambda URI) */
	char sign[96];		    /* CURLOPT_AWS_SIGV4 scope ("aws:amz:REGION:SERVICE"), or "" */
	char route_key[128];	    /* for metrics */
	/* what the response mapping of a non-proxy integration needs (docs/aws-behaviour.md §D6) */
	struct gw_stage *stage;		/* a reference, or NULL (proxies) */
	json_t *route;			/* borrowed from stage */
	char message_id[GW_ID_LEN + 1]; /* MESSAGE only */
	char *msg;			/* owned copy of the client's frame, or NULL */
	size_t msg_len;			/* its length */
	/* results */
	enum gw_outcome outcome;
	long status; /* integration status (proxy statusCode, HTTP status) */
	char *resp;  /* owned response body (raw) */
	size_t resp_len;
	bool function_error;  /* X-Amz-Function-Error was set */
	json_t *resp_headers; /* owned: name -> value of the answer (non-proxy only), or NULL */
	double latency_ms;    /* integration latency */
};

struct gw_integ_opts {
	const char *lambda_endpoint; /* base URL of the Lambda Invoke API */
	const char *aws_endpoint;    /* base URL for AWS service integrations, or NULL: AWS's */
	int threads;		     /* pool size */
	void (*wake)(void *arg);     /* called after a job completes (from a pool thread) */
	void *wake_arg;
};

int gw_integ_start(const struct gw_integ_opts *o);
void gw_integ_stop(void);

/* Prepares the job for route's integration (borrowed from s): the request goes to the backend
 * with payload (the event for AWS_PROXY, the transformed message otherwise). Returns a new job,
 * or NULL when the route has no integration (the caller treats that as "nothing to call"). *err
 * is set to true when the integration exists but cannot be called (bad URI): an integration
 * failure. */
struct gw_job *gw_integ_prepare(const struct gw_stage *s, json_t *route, enum gw_event_type ev,
				const char *conn_id, const char *request_id, const char *payload,
				size_t payload_len, json_t *connect_headers, bool *err);
/* Applies mapped request parameters (params.h: {"header", "querystring", "path"}) to a
 * prepared job: headers replace the job's own of the same name, query parameters are appended
 * to its URL and {name} path parameters substituted, both URL-encoded. Returns 0, -1 out of
 * memory (the job is then unusable: an integration failure). */
int gw_integ_apply_params(struct gw_job *j, const json_t *mapped);
/* Performs the job on the calling thread (blocking). */
void gw_integ_perform(struct gw_job *j);
/* Queues the job for the pool (MOCK jobs complete at once). */
void gw_integ_submit(struct gw_job *j);
/* The next completed job (caller owns, gw_job_free), or NULL. */
struct gw_job *gw_integ_take_done(void);
void gw_job_free(struct gw_job *j);

/* The status a MOCK integration answers with (docs/aws-behaviour.md §D4.4): the statusCode of
 * the rendered request template, read leniently as AWS does ({"statusCode": 200,} is
 * accepted); 200 when there is none. */
long gw_integ_mock_status(const char *payload);

#endif
