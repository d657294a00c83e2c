/* conn.c — the connection registry (a hash of ids) and per-connection frame queues. */
#include "conn.h"

#include <libwebsockets.h>
#include <stdlib.h>
#include <string.h>

#define BUCKETS 8192 /* registry buckets */

static struct gw_conn *buckets[BUCKETS];
static size_t nconns;

static unsigned hash(const char *id)
{
	unsigned h = 5381;
	while (*id)
		h = h * 33 + (unsigned char)*id++;
	return h % BUCKETS;
}

void gw_conn_register(struct gw_conn *c)
{
	unsigned b = hash(c->id);
	c->hnext = buckets[b];
	buckets[b] = c;
	c->established = true;
	nconns++;
}

void gw_conn_unregister(struct gw_conn *c)
{
	if (!c->established)
		return;
	for (struct gw_conn **p = &buckets[hash(c->id)]; *p; p = &(*p)->hnext)
		if (*p == c) {
			*p = c->hnext;
			nconns--;
			break;
		}
	c->established = false;
}

struct gw_conn *gw_conn_find(const char *id)
{
	for (struct gw_conn *c = buckets[hash(id)]; c; c = c->hnext)
		if (!strcmp(c->id, id))
			return c;
	return NULL;
}

size_t gw_conn_count(void)
{
	return nconns;
}

void gw_conn_foreach(void (*fn)(struct gw_conn *c, void *arg), void *arg)
{
	for (size_t b = 0; b < BUCKETS; b++)
		for (struct gw_conn *c = buckets[b], *next; c; c = next) {
			next = c->hnext;
			fn(c, arg);
		}
}

int gw_conn_send(struct gw_conn *c, const char *data, size_t len)
{
	struct gw_frame *f = malloc(sizeof *f + LWS_PRE + len);
	if (!f)
		return -1;
	f->next = NULL;
	f->len = len;
	memcpy(f->data + LWS_PRE, data, len);
	if (c->out_tail)
		c->out_tail->next = f;
	else
		c->out_head = f;
	c->out_tail = f;
	if (c->wsi)
		lws_callback_on_writable(c->wsi);
	return 0;
}

void gw_conn_close(struct gw_conn *c, int code, const char *reason)
{
	if (c->close_code)
		return;
	c->close_code = code;
	snprintf(c->close_reason, sizeof c->close_reason, "%s", reason);
	if (c->wsi)
		lws_callback_on_writable(c->wsi);
}

void gw_conn_clear(struct gw_conn *c)
{
	for (struct gw_frame *f = c->out_head, *next; f; f = next) {
		next = f->next;
		free(f);
	}
	c->out_head = c->out_tail = NULL;
	free(c->rx);
	c->rx = NULL;
	free(c->user_agent);
	c->user_agent = NULL;
	json_decref(c->authorizer);
	c->authorizer = NULL;
}
