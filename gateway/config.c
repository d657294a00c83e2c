/* config.c — per-stage snapshots, parsed once, swapped under a mutex, read through references;
 * and the --cache-dir copy of each (written atomically as apigwd-worker writes its file). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_STAGES 4096 /* stages served at most */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct gw_stage *table[MAX_STAGES]; /* under lock */
static size_t count;			   /* under lock */
static long long max_revision;		   /* under lock */
static bool ready;			   /* under lock */
static const char *cache_dir;		   /* set once before threads start */

#define MEMO_BUCKETS 64

struct memo_entry {
	struct memo_entry *next; /* bucket link */
	const char *src;	 /* key: the text's address in the stage's doc */
	gw_compile_fn compile;	 /* key: what it was compiled by */
	void (*destroy)(void *); /* frees obj */
	void *obj;		 /* compiled, or NULL when compiling failed */
};

struct gw_memo {
	pthread_mutex_t lock;			 /* guards the buckets */
	struct memo_entry *bucket[MEMO_BUCKETS]; /* under lock */
};

static void memo_free(struct gw_memo *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < MEMO_BUCKETS; i++)
		for (struct memo_entry *e = m->bucket[i], *next; e; e = next) {
			next = e->next;
			if (e->obj)
				e->destroy(e->obj);
			free(e);
		}
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void *gw_stage_memo(const struct gw_stage *s, const char *src, gw_compile_fn compile,
		    void (*destroy)(void *obj))
{
	struct gw_memo *m = s->memo;
	size_t b = ((size_t)(uintptr_t)src >> 4) % MEMO_BUCKETS;
	void *obj = NULL;
	pthread_mutex_lock(&m->lock);
	for (struct memo_entry *e = m->bucket[b]; e; e = e->next)
		if (e->src == src && e->compile == compile) {
			obj = e->obj;
			goto out;
		}
	/* Compiled under the lock: a stage's texts compile once, on their first message. */
	struct memo_entry *e = malloc(sizeof *e);
	if (!e)
		goto out;
	*e = (struct memo_entry){m->bucket[b], src, compile, destroy, compile(src)};
	m->bucket[b] = e;
	obj = e->obj;
out:
	pthread_mutex_unlock(&m->lock);
	return obj;
}

struct gw_stage *gw_stage_ref(struct gw_stage *s)
{
	__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
	return s;
}

void gw_stage_release(struct gw_stage *s)
{
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	memo_free(s->memo);
	json_decref(s->routes);
	json_decref(s->doc);
	free(s->api_id);
	free(s->name);
	free(s);
}

json_t *gw_stage_route(const struct gw_stage *s, const char *key)
{
	return json_object_get(s->routes, key);
}

static struct gw_stage *parse(const char *api_id, const char *stage, const char *body, size_t len)
{
	json_t *doc = json_loadb(body, len, 0, NULL);
	struct gw_stage *s = NULL;
	const char *a = json_string_value(json_object_get(doc, "apiId"));
	const char *n = json_string_value(json_object_get(doc, "stageName"));
	json_t *routes = json_object_get(doc, "routes"), *api = json_object_get(doc, "api"), *r;
	size_t i;
	if (!a || !n || strcmp(a, api_id) || strcmp(n, stage) || !json_is_array(routes))
		goto fail;
	s = calloc(1, sizeof *s);
	if (!s)
		goto fail;
	s->refs = 1;
	s->api_id = strdup(api_id);
	s->name = strdup(stage);
	s->doc = doc;
	s->routes = json_object();
	s->memo = calloc(1, sizeof *s->memo);
	if (s->memo)
		pthread_mutex_init(&s->memo->lock, NULL);
	if (!s->api_id || !s->name || !s->routes || !s->memo) {
		gw_stage_release(s);
		return NULL;
	}
	json_array_foreach(routes, i, r) {
		const char *key = json_string_value(json_object_get(r, "routeKey"));
		if (key)
			json_object_set(s->routes, key, r);
	}
	s->rse = json_string_value(json_object_get(api, "routeSelectionExpression"));
	if (!s->rse)
		s->rse = "";
	s->stage_vars = json_object_get(json_object_get(doc, "stage"), "stageVariables");
	if (!json_is_object(s->stage_vars)) {
		json_object_set_new(json_object_get(doc, "stage"), "stageVariables", json_object());
		s->stage_vars = json_object_get(json_object_get(doc, "stage"), "stageVariables");
	}
	s->revision = json_integer_value(json_object_get(doc, "revision"));
	s->disabled = json_is_true(json_object_get(api, "disableExecuteApiEndpoint"));
	return s;
fail:
	json_decref(doc);
	return NULL;
}

/* Atomic replace of DIR/API-STAGE.json: temp file, fsync, rename, fsync of DIR. */
static void cache_write(const char *api_id, const char *stage, const char *body, size_t len)
{
	char path[1024], tmp[1100];
	int fd = -1, dfd = -1;
	size_t off = 0;
	if (!cache_dir || strchr(api_id, '/') || strchr(stage, '/') || stage[0] == '.')
		return;
	snprintf(path, sizeof path, "%s/%s-%s.json", cache_dir, api_id, stage);
	snprintf(tmp, sizeof tmp, "%s/.%s-%s.json.XXXXXX", cache_dir, api_id, stage);
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		goto fail;
	while (off < len) {
		ssize_t n = write(fd, body + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			goto fail;
		off += (size_t)n;
	}
	if (fchmod(fd, 0644) || fsync(fd) || close(fd)) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path))
		goto fail;
	dfd = open(cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return;
fail:
	fprintf(stderr, "apigwd-gateway: cache %s: %s\n", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	unlink(tmp);
}

static int install(struct gw_stage *s)
{
	struct gw_stage *old = NULL;
	int ret = 0;
	pthread_mutex_lock(&lock);
	size_t i = 0;
	while (i < count &&
	       (strcmp(table[i]->api_id, s->api_id) || strcmp(table[i]->name, s->name)))
		i++;
	if (i < count) {
		old = table[i];
		table[i] = s;
	} else if (count < MAX_STAGES) {
		table[count++] = s;
	} else {
		ret = -1;
		old = s;
	}
	if (ret == 0 && s->revision > max_revision)
		max_revision = s->revision;
	pthread_mutex_unlock(&lock);
	gw_stage_release(old);
	return ret;
}

int gw_config_apply(const char *api_id, const char *stage, const char *body, size_t len)
{
	struct gw_stage *s = parse(api_id, stage, body, len);
	if (!s) {
		fprintf(stderr, "apigwd-gateway: snapshot of %s/%s refused: not a stage snapshot\n",
			api_id, stage);
		return -1;
	}
	cache_write(api_id, stage, body, len);
	return install(s);
}

int gw_config_cache_open(const char *dir)
{
	int loaded = 0;
	if (mkdir(dir, 0755) && errno != EEXIST)
		return 0;
	cache_dir = dir;
	DIR *d = opendir(dir);
	struct dirent *e;
	while (d && (e = readdir(d))) {
		size_t n = strlen(e->d_name);
		if (e->d_name[0] == '.' || n < 6 || strcmp(e->d_name + n - 5, ".json"))
			continue;
		char path[1024];
		snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
		json_t *doc = json_load_file(path, 0, NULL);
		const char *a = json_string_value(json_object_get(doc, "apiId"));
		const char *st = json_string_value(json_object_get(doc, "stageName"));
		char *text = a && st ? json_dumps(doc, JSON_COMPACT) : NULL;
		struct gw_stage *s = text ? parse(a, st, text, strlen(text)) : NULL;
		if (s && install(s) == 0)
			loaded++;
		free(text);
		json_decref(doc);
	}
	if (d)
		closedir(d);
	if (loaded)
		gw_config_set_ready();
	return loaded;
}

void gw_config_set_ready(void)
{
	pthread_mutex_lock(&lock);
	ready = true;
	pthread_mutex_unlock(&lock);
}

bool gw_config_ready(void)
{
	pthread_mutex_lock(&lock);
	bool r = ready;
	pthread_mutex_unlock(&lock);
	return r;
}

struct gw_stage *gw_config_get(const char *api_id, const char *stage)
{
	struct gw_stage *s = NULL;
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < count; i++)
		if (!strcmp(table[i]->api_id, api_id) && !strcmp(table[i]->name, stage)) {
			s = table[i];
			__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
			break;
		}
	pthread_mutex_unlock(&lock);
	return s;
}

long long gw_config_revision(void)
{
	pthread_mutex_lock(&lock);
	long long r = max_revision;
	pthread_mutex_unlock(&lock);
	return r;
}

size_t gw_config_count(void)
{
	pthread_mutex_lock(&lock);
	size_t n = count;
	pthread_mutex_unlock(&lock);
	return n;
}
