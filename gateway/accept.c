/* accept.c — accept, peek at the head, decide $connect on a pool, hand off to the loop. One
 * accept thread multiplexes every connection still sending its head (poll); heads slower than
 * HEAD_TIMEOUT_MS are dropped; at most MAX_READING are watched at once. The head is only peeked
 * at (MSG_PEEK): libwebsockets reads it from the socket itself after the handoff. (Handing it
 * over with lws_adopt_socket_vhost_readbuf instead makes libwebsockets 4.1 spin on the next
 * connection after a request whose body came in the same buffer.) */
#include "accept.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "head.h"
#include "ids.h"

#define MAX_READING	1024  /* connections sending their head at once */
#define HEAD_TIMEOUT_MS 10000 /* a head must arrive within this */
#define MAX_POOL	64    /* decision threads at most */
#define RETRY_MS	5     /* an incomplete head is peeked at again after this */

struct reading {
	int fd;		    /* the socket */
	char *buf;	    /* GW_HEAD_MAX bytes, owned */
	size_t len;	    /* read so far */
	long long deadline; /* gw_now_ms() by which the head must be complete */
	long long retry_at; /* an incomplete head is peeked at again then (0: when readable) */
	char peer[64];	    /* numeric peer address */
};

struct task {
	struct task *next;    /* queue link */
	struct gw_head head;  /* the split head, owned */
	struct gw_handoff *h; /* what goes to the loop (fd, bytes) */
	char peer[64];	      /* numeric peer address */
};

static int listen_fd = -1;
static void (*wake_fn)(void *);
static pthread_t accept_thread, pool[MAX_POOL];
static int npool;
static bool accept_running;
static volatile int stopping; /* atomic */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t todo_cond = PTHREAD_COND_INITIALIZER;
static struct task *todo_head, *todo_tail;	 /* under lock */
static struct gw_handoff *done_head, *done_tail; /* under lock */

void gw_handoff_free(struct gw_handoff *h)
{
	if (!h)
		return;
	if (h->fd >= 0)
		close(h->fd);
	if (h->conn) {
		gw_conn_clear(h->conn);
		free(h->conn);
	}
	free(h->head);
	free(h);
}

static void hand_off(struct gw_handoff *h)
{
	pthread_mutex_lock(&lock);
	h->next = NULL;
	if (done_tail)
		done_tail->next = h;
	else
		done_head = h;
	done_tail = h;
	pthread_mutex_unlock(&lock);
	wake_fn(NULL);
}

struct gw_handoff *gw_accept_take(void)
{
	pthread_mutex_lock(&lock);
	struct gw_handoff *h = done_head;
	if (h) {
		done_head = h->next;
		if (!done_head)
			done_tail = NULL;
	}
	pthread_mutex_unlock(&lock);
	return h;
}

/* Writes all of buf to the (non-blocking) socket fd within about 2 s. */
static void send_all(int fd, const char *buf, size_t len)
{
	long long deadline = gw_now_ms() + 2000;
	while (len && gw_now_ms() < deadline) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
		if (n > 0) {
			buf += n;
			len -= (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			struct pollfd p = {.fd = fd, .events = POLLOUT};
			poll(&p, 1, 100);
		} else {
			return;
		}
	}
}

/* A decision thread: $connect for one upgrade, then the refusal or the handoff. */
static void *pool_main(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&lock);
		while (!todo_head && !__atomic_load_n(&stopping, __ATOMIC_ACQUIRE))
			pthread_cond_wait(&todo_cond, &lock);
		struct task *t = todo_head;
		if (t) {
			todo_head = t->next;
			if (!todo_head)
				todo_tail = NULL;
		}
		pthread_mutex_unlock(&lock);
		if (!t)
			return NULL;
		struct gw_handoff *h = t->h;
		struct gw_conn *c = calloc(1, sizeof *c);
		int status = c ? gw_connect_decide(&t->head, t->peer, c, &h->stats) : 500;
		if (status) {
			char buf[512];
			/* Read what was peeked: closing with unread data would reset the answer. */
			while (recv(h->fd, h->head, h->len, MSG_DONTWAIT) > 0)
				;
			send_all(h->fd, buf, gw_connect_refusal((unsigned)status, buf, sizeof buf));
			shutdown(h->fd, SHUT_WR);
			close(h->fd);
			h->fd = -1;
			h->refused = status;
			free(h->head);
			h->head = NULL;
			free(c);
		} else {
			h->conn = c;
		}
		gw_head_release(&t->head);
		free(t);
		hand_off(h);
	}
}

/* A complete (or over-long) head: a WebSocket upgrade goes to the pool, anything else to the
 * loop at once. Takes r's socket and buffer. */
static void head_done(struct reading *r, size_t head_len)
{
	struct gw_handoff *h = calloc(1, sizeof *h);
	struct task *t = NULL;
	if (!h) {
		close(r->fd);
		free(r->buf);
		return;
	}
	h->fd = r->fd;
	h->head = r->buf;
	h->len = r->len;
	h->stats.integration = -1;
	if (head_len && (t = calloc(1, sizeof *t)) &&
	    gw_head_parse(r->buf, head_len, &t->head) == 0 && t->head.upgrade) {
		t->h = h;
		snprintf(t->peer, sizeof t->peer, "%s", r->peer);
		pthread_mutex_lock(&lock);
		if (todo_tail)
			todo_tail->next = t;
		else
			todo_head = t;
		todo_tail = t;
		pthread_cond_signal(&todo_cond);
		pthread_mutex_unlock(&lock);
		return;
	}
	if (t && t->head.headers)
		gw_head_release(&t->head);
	free(t);
	hand_off(h);
}

static void *accept_main(void *arg)
{
	(void)arg;
	static struct pollfd fds[MAX_READING + 1];
	static struct reading rd[MAX_READING];
	size_t n = 0;
	while (!__atomic_load_n(&stopping, __ATOMIC_ACQUIRE)) {
		long long now = gw_now_ms();
		int timeout = 100;
		fds[0] = (struct pollfd){.fd = n < MAX_READING ? listen_fd : -1, .events = POLLIN};
		for (size_t i = 0; i < n; i++) {
			/* Peeked data stays readable: an incomplete head waits RETRY_MS instead. */
			bool waiting = rd[i].retry_at > now;
			fds[i + 1] =
				(struct pollfd){.fd = waiting ? -1 : rd[i].fd, .events = POLLIN};
			if (waiting && rd[i].retry_at - now < timeout)
				timeout = (int)(rd[i].retry_at - now);
		}
		if (poll(fds, n + 1, timeout) < 0 && errno != EINTR)
			break;
		now = gw_now_ms();
		/* Walk backwards: a finished entry is replaced by the last one. */
		for (size_t i = n; i-- > 0;) {
			struct reading *r = &rd[i];
			bool finished = false;
			if (fds[i + 1].revents || (r->retry_at && r->retry_at <= now)) {
				ssize_t got = recv(r->fd, r->buf, GW_HEAD_MAX, MSG_PEEK);
				if (got > 0) {
					r->len = (size_t)got;
					size_t hl = gw_head_length(r->buf, r->len);
					if (hl || r->len == GW_HEAD_MAX) {
						head_done(r, hl);
						finished = true;
					} else {
						r->retry_at = now + RETRY_MS;
					}
				} else if (got == 0 || (errno != EAGAIN && errno != EINTR)) {
					close(r->fd);
					free(r->buf);
					finished = true;
				}
			}
			if (!finished && now > r->deadline) {
				close(r->fd);
				free(r->buf);
				finished = true;
			}
			if (finished)
				rd[i] = rd[--n];
		}
		if (!(fds[0].revents & POLLIN))
			continue;
		for (int k = 0; k < 64 && n < MAX_READING; k++) {
			struct sockaddr_storage sa;
			socklen_t sl = sizeof sa;
			int fd = accept4(listen_fd, (struct sockaddr *)&sa, &sl, SOCK_NONBLOCK);
			if (fd < 0)
				break;
			/* As libwebsockets' own accept does: frames (a close frame above all) are
			 * not held back by Nagle's algorithm, where a close with unread input would
			 * reset them away. */
			int one = 1;
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
			struct reading *r = &rd[n];
			r->fd = fd;
			r->len = 0;
			r->retry_at = 0;
			r->deadline = now + HEAD_TIMEOUT_MS;
			r->buf = malloc(GW_HEAD_MAX);
			if (!r->buf || getnameinfo((struct sockaddr *)&sa, sl, r->peer,
						   sizeof r->peer, NULL, 0, NI_NUMERICHOST)) {
				free(r->buf);
				close(fd);
				continue;
			}
			n++;
		}
	}
	for (size_t i = 0; i < n; i++) {
		close(rd[i].fd);
		free(rd[i].buf);
	}
	return NULL;
}

/* The listening socket for host:port; -1 (logged) when it cannot be had. */
static int listen_on(const char *host, int port, int *bound)
{
	struct addrinfo hints = {.ai_family = AF_UNSPEC,
				 .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV},
			*res = NULL;
	char ps[16];
	int fd = -1, one = 1;
	snprintf(ps, sizeof ps, "%d", port);
	if (getaddrinfo(host, ps, &hints, &res)) {
		fprintf(stderr, "apigwd-gateway: cannot resolve %s\n", host);
		return -1;
	}
	for (struct addrinfo *a = res; a && fd < 0; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, a->ai_addr, a->ai_addrlen) || listen(fd, 1024)) {
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	struct sockaddr_storage sa;
	socklen_t sl = sizeof sa;
	if (fd >= 0 && getsockname(fd, (struct sockaddr *)&sa, &sl) == 0)
		*bound = ntohs(sa.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&sa)->sin6_port
							: ((struct sockaddr_in *)&sa)->sin_port);
	else if (fd >= 0) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		fprintf(stderr, "apigwd-gateway: cannot listen on %s:%d\n", host, port);
	return fd;
}

int gw_accept_start(const char *host, int port, int threads, void (*wake)(void *))
{
	int bound = 0;
	wake_fn = wake;
	__atomic_store_n(&stopping, 0, __ATOMIC_RELEASE);
	listen_fd = listen_on(host, port, &bound);
	if (listen_fd < 0)
		return -1;
	if (threads < 1)
		threads = 1;
	for (npool = 0; npool < threads && npool < MAX_POOL; npool++)
		if (pthread_create(&pool[npool], NULL, pool_main, NULL))
			break;
	if (!npool || pthread_create(&accept_thread, NULL, accept_main, NULL)) {
		gw_accept_stop();
		return -1;
	}
	accept_running = true;
	return bound;
}

void gw_accept_stop(void)
{
	pthread_mutex_lock(&lock);
	__atomic_store_n(&stopping, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&todo_cond);
	pthread_mutex_unlock(&lock);
	if (accept_running)
		pthread_join(accept_thread, NULL);
	accept_running = false;
	for (int i = 0; i < npool; i++)
		pthread_join(pool[i], NULL);
	npool = 0;
	for (struct task *t = todo_head, *next; t; t = next) {
		next = t->next;
		gw_head_release(&t->head);
		gw_handoff_free(t->h);
		free(t);
	}
	todo_head = todo_tail = NULL;
	for (struct gw_handoff *h; (h = gw_accept_take());)
		gw_handoff_free(h);
	if (listen_fd >= 0)
		close(listen_fd);
	listen_fd = -1;
}
