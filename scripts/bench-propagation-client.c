/* bench-propagation-client.c — the measuring side of scripts/bench-propagation: N held clients
 * on apigwd's data-plane feed (or the API snapshot's blocking read), and one control connection
 * that sends UpdateIntegration. Each round: every client asks (and is held), then the update is
 * sent; a client's latency is the time from the update's 200 arriving here to that client's own
 * answer arriving here, both on one monotonic clock in one epoll loop. An answer that beats the
 * 200 (the server wakes held requests as the write commits, before the 200 goes out) counts as
 * 0 and is tallied apart.
 *
 *   bench-propagation-client PORT API_ID INTEGRATION_ID CLIENTS ROUNDS feed|snapshot
 *
 * Prints one line per round and a summary line:
 *   samples=N p50_ms=X p99_ms=Y max_ms=Z before_200=K sent_p50_ms=.. sent_p99_ms=.. sent_max_ms=..
 * where sent_* count from the moment the UpdateIntegration was sent (write + fsync included).
 * Exit status 0, or 1 on any error (a client not answered within 30 s, a bad answer). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { ROUND_TIMEOUT_S = 30, PARK_TIMEOUT_S = 30 };

struct conn {
	int fd;
	char *buf;          /* the answer so far */
	size_t len, cap;
	bool done;          /* the whole answer arrived */
	double at;          /* when (ms, monotonic) */
	int status;
};

static unsigned short port;

static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "bench-propagation-client: %s: %s\n", what, errno ? strerror(errno) : "");
	exit(1);
}

static int connect_to(bool nonblock)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
	int one = 1;
	inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
		die("connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (nonblock)
		fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static void send_all(int fd, const char *data, size_t len)
{
	while (len) {
		ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN) {
			usleep(100);
			continue;
		}
		if (n <= 0)
			die("send");
		data += n;
		len -= (size_t)n;
	}
}

/* Whether c->buf holds a whole HTTP answer (then c->status is set). */
static bool answer_complete(struct conn *c)
{
	char *end = memmem(c->buf, c->len, "\r\n\r\n", 4);
	if (!end)
		return false;
	size_t head = (size_t)(end - c->buf) + 4;
	char *cl = memmem(c->buf, head, "Content-Length:", 15);
	if (!cl)
		cl = memmem(c->buf, head, "content-length:", 15);
	size_t body = cl ? strtoul(cl + 15, NULL, 10) : 0;
	if (c->len < head + body)
		return false;
	c->status = atoi(c->buf + 9);
	return true;
}

/* Reads what is there; true when the answer became complete. */
static bool conn_read(struct conn *c)
{
	for (;;) {
		if (c->cap - c->len < 65536) {
			c->cap = c->cap * 2 + 65536;
			if (!(c->buf = realloc(c->buf, c->cap)))
				die("realloc");
		}
		ssize_t n = recv(c->fd, c->buf + c->len, c->cap - c->len - 1, 0);
		if (n > 0) {
			c->len += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		c->buf[c->len] = '\0';
		if (n == 0 && answer_complete(c))
			return true;  /* answered, then closed (Connection: close) */
		errno = 0;
		die(n == 0 ? "a connection closed before its answer" : "recv");
	}
	c->buf[c->len] = '\0';
	return answer_complete(c);
}

static const char *body_of(const struct conn *c)
{
	const char *end = strstr(c->buf, "\r\n\r\n");
	return end ? end + 4 : "";
}

/* One blocking GET on a fresh connection; returns the body (malloc'd). */
static char *simple_get(const char *path)
{
	char req[1024];
	struct conn c = {.fd = connect_to(false)};
	int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			 "Connection: close\r\n\r\n", path);
	send_all(c.fd, req, (size_t)n);
	for (;;) {
		if (c.cap - c.len < 65536 && !(c.buf = realloc(c.buf, c.cap = c.cap * 2 + 65536)))
			die("realloc");
		ssize_t r = recv(c.fd, c.buf + c.len, c.cap - c.len - 1, 0);
		if (r <= 0)
			break;
		c.len += (size_t)r;
	}
	close(c.fd);
	if (!c.buf)
		die("empty answer");
	c.buf[c.len] = '\0';
	char *body = strdup(body_of(&c));
	free(c.buf);
	return body;
}

static long held_now(void)
{
	char *m = simple_get("/metrics");
	char *p = strstr(m, "\napigwd_held_requests ");
	long n = p ? strtol(p + 22, NULL, 10) : -1;
	free(m);
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double pct(const double *v, size_t n, double p)
{
	size_t i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

int main(int argc, char **argv)
{
	if (argc != 7) {
		fprintf(stderr, "usage: %s PORT API_ID INTEGRATION_ID CLIENTS ROUNDS feed|snapshot\n",
			argv[0]);
		return 2;
	}
	port = (unsigned short)atoi(argv[1]);
	const char *api = argv[2], *integ = argv[3];
	size_t nclients = strtoul(argv[4], NULL, 10);
	int rounds = atoi(argv[5]);
	bool feed = strcmp(argv[6], "feed") == 0;
	if (!nclients || rounds < 1 || (!feed && strcmp(argv[6], "snapshot") != 0))
		return 2;

	/* Where the history is now. */
	char *text = simple_get("/dataplane/v1/changes?since=0&wait=0");
	json_t *doc = json_loads(text, 0, NULL);
	free(text);
	long long rev = json_integer_value(json_object_get(doc, "revision"));
	char epoch[64];
	snprintf(epoch, sizeof epoch, "%s", json_string_value(json_object_get(doc, "epoch")));
	json_decref(doc);
	if (!feed) {
		char path[256];
		snprintf(path, sizeof path, "/dataplane/v1/apis/%s/config", api);
		text = simple_get(path);
		doc = json_loads(text, 0, NULL);
		free(text);
		rev = json_integer_value(json_object_get(doc, "revision"));
		json_decref(doc);
	}

	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct conn *cs = calloc(nclients + 1, sizeof *cs);  /* [nclients] is the control one */
	for (size_t i = 0; i < nclients; i++) {
		cs[i].fd = connect_to(true);
		struct epoll_event ev = {.events = EPOLLIN, .data.u64 = i};
		epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev);
	}
	double *lat = calloc(nclients * (size_t)rounds, sizeof *lat);
	double *e2e = calloc(nclients * (size_t)rounds, sizeof *e2e);  /* from the PATCH sent */
	size_t nlat = 0, before = 0;
	struct epoll_event evs[256];

	for (int round = 0; round < rounds; round++) {
		char req[1024];
		int n = feed ? snprintf(req, sizeof req,
					"GET /dataplane/v1/changes?since=%lld&epoch=%s&apiId=%s&wait=60 "
					"HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", rev, epoch, api)
			     : snprintf(req, sizeof req,
					"GET /dataplane/v1/apis/%s/config?index=%lld&wait=60 "
					"HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", api, rev);
		for (size_t i = 0; i < nclients; i++) {
			cs[i].len = 0;
			cs[i].done = false;
			send_all(cs[i].fd, req, (size_t)n);
		}
		/* Every client held (the server's gauge), nothing answered yet. */
		double t = now_ms();
		long held;
		while ((held = held_now()) < (long)nclients) {
			if (now_ms() - t > PARK_TIMEOUT_S * 1e3) {
				fprintf(stderr, "only %ld of %zu clients held\n", held, nclients);
				return 1;
			}
			usleep(20000);
		}

		/* The change, on a fresh control connection in the same loop. */
		struct conn *ctl = &cs[nclients];
		ctl->fd = connect_to(true);
		ctl->len = 0;
		ctl->done = false;
		struct epoll_event cev = {.events = EPOLLIN, .data.u64 = nclients};
		epoll_ctl(ep, EPOLL_CTL_ADD, ctl->fd, &cev);
		char body[128], patch[1024];
		int blen = snprintf(body, sizeof body, "{\"description\":\"round %d\"}", round);
		n = snprintf(patch, sizeof patch,
			     "PATCH /v2/apis/%s/integrations/%s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			     "Content-Type: application/json\r\nContent-Length: %d\r\n"
			     "Connection: close\r\n\r\n%s", api, integ, blen, body);
		double sent = now_ms();
		send_all(ctl->fd, patch, (size_t)n);
		size_t left = nclients + 1;
		while (left) {
			int k = epoll_wait(ep, evs, 256, 1000);
			if (now_ms() - sent > ROUND_TIMEOUT_S * 1e3) {
				fprintf(stderr, "round %d: %zu answers missing\n", round, left);
				return 1;
			}
			for (int e = 0; e < k; e++) {
				struct conn *c = &cs[evs[e].data.u64];
				if (c->done)
					continue;
				if (conn_read(c)) {
					c->done = true;
					c->at = now_ms();
					left--;
				}
			}
		}
		epoll_ctl(ep, EPOLL_CTL_DEL, ctl->fd, NULL);
		close(ctl->fd);
		if (ctl->status != 200) {
			fprintf(stderr, "UpdateIntegration: HTTP %d\n%s\n", ctl->status, ctl->buf);
			return 1;
		}
		double worst = 0, sum = 0;
		long long next = -1;
		for (size_t i = 0; i < nclients; i++) {
			double d = cs[i].at - ctl->at;
			if (cs[i].status != 200) {
				fprintf(stderr, "client %zu: HTTP %d\n", i, cs[i].status);
				return 1;
			}
			if (d < 0) {
				d = 0;
				before++;
			}
			e2e[nlat] = cs[i].at - sent;
			lat[nlat++] = d;
			sum += d;
			if (d > worst)
				worst = d;
			if (i == 0) {
				json_t *a = json_loads(body_of(&cs[i]), 0, NULL);
				next = json_integer_value(json_object_get(a, "revision"));
				if (feed && json_array_size(json_object_get(a, "changes")) == 0)
					next = -1;
				json_decref(a);
			}
		}
		if (next <= rev) {
			fprintf(stderr, "round %d: the answer does not carry the change\n", round);
			return 1;
		}
		rev = next;
		printf("round %2d: 200 after %6.2f ms; clients mean %6.2f ms, max %6.2f ms\n", round,
		       ctl->at - sent, sum / (double)nclients, worst);
		fflush(stdout);
	}
	qsort(lat, nlat, sizeof *lat, cmp_double);
	qsort(e2e, nlat, sizeof *e2e, cmp_double);
	printf("samples=%zu p50_ms=%.2f p99_ms=%.2f max_ms=%.2f before_200=%zu "
	       "sent_p50_ms=%.2f sent_p99_ms=%.2f sent_max_ms=%.2f\n", nlat,
	       pct(lat, nlat, 0.50), pct(lat, nlat, 0.99), lat[nlat - 1], before,
	       pct(e2e, nlat, 0.50), pct(e2e, nlat, 0.99), e2e[nlat - 1]);
	for (size_t i = 0; i <= nclients; i++) {
		if (i < nclients)
			close(cs[i].fd);
		free(cs[i].buf);
	}
	free(cs);
	free(lat);
	free(e2e);
	close(ep);
	return 0;
}
