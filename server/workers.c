/* workers.c — the data-plane worker registry (workers.h): one JSON object under one mutex. */
#include "workers.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct workers {
	pthread_mutex_t lock;
	json_t *by_id; /* workerId → last report (with reportedAt, account, region) */
};

struct workers *workers_new(void)
{
	struct workers *w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	pthread_mutex_init(&w->lock, NULL);
	w->by_id = json_object();
	if (!w->by_id) {
		workers_free(w);
		return NULL;
	}
	return w;
}

void workers_free(struct workers *w)
{
	if (!w)
		return;
	json_decref(w->by_id);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

bool workers_report(struct workers *w, const char *id, const json_t *rec)
{
	pthread_mutex_lock(&w->lock);
	bool full = json_object_size(w->by_id) >= WORKERS_MAX && !json_object_get(w->by_id, id);
	if (!full)
		json_object_set_new(w->by_id, id, json_deep_copy(rec));
	pthread_mutex_unlock(&w->lock);
	return !full;
}

json_t *workers_list(struct workers *w, const char *account, const char *region, int64_t current)
{
	const char *id;
	json_t *rec;
	json_t *items = json_array();
	pthread_mutex_lock(&w->lock);
	json_object_foreach(w->by_id, id, rec) {
		if (strcmp(json_string_value(json_object_get(rec, "account")), account) ||
		    strcmp(json_string_value(json_object_get(rec, "region")), region))
			continue;
		json_t *item = json_deep_copy(rec);
		json_int_t rev = json_integer_value(json_object_get(rec, "revision"));
		json_object_del(item, "account");
		json_object_del(item, "region");
		json_object_set_new(item, "behind",
				    json_integer(current > rev ? current - rev : 0));
		json_array_append_new(items, item);
	}
	pthread_mutex_unlock(&w->lock);
	return items;
}

void workers_each(struct workers *w, workers_fn fn, void *ctx)
{
	const char *id;
	json_t *rec;
	pthread_mutex_lock(&w->lock);
	json_object_foreach(w->by_id, id, rec)
		fn(id, (int64_t)json_integer_value(json_object_get(rec, "revision")), ctx);
	pthread_mutex_unlock(&w->lock);
}
