/* config.h — the deployed configuration: one parsed, immutable snapshot per stage, swapped
 * atomically; readers hold a reference, so a new deployment applies to the next message
 * without touching connections (docs/aws-behaviour.md §D2). Thread-safe. */
#ifndef GW_CONFIG_H
#define GW_CONFIG_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct gw_stage {
	int refs;	      /* references (atomic); the table holds one */
	char *api_id, *name;  /* owned */
	json_t *doc;	      /* the snapshot, owned */
	json_t *routes;	      /* routeKey -> route object (with "integration"), owned */
	const char *rse;      /* api routeSelectionExpression, borrowed from doc ("" if none) */
	json_t *stage_vars;   /* stage.stageVariables (object, maybe empty), borrowed */
	long long revision;   /* snapshot revision */
	bool disabled;	      /* api.disableExecuteApiEndpoint */
	struct gw_memo *memo; /* compiled templates and patterns of doc, owned (gw_stage_memo) */
};

/* Keeps the last good snapshot of each stage as DIR/API-STAGE.json (atomic writes) and loads
 * them at once. dir: borrowed for the process lifetime. Returns the number loaded. */
int gw_config_cache_open(const char *dir);
/* Parses a stage snapshot body and makes it the stage's configuration. Returns 0, -1 when the
 * body is not a snapshot of api/stage (the previous configuration stays). */
int gw_config_apply(const char *api_id, const char *stage, const char *body, size_t len);
/* Marks the configuration complete (first full sync or cache load): /_gateway/ready answers. */
void gw_config_set_ready(void);
bool gw_config_ready(void);
/* The stage's current configuration, a new reference (gw_stage_release), or NULL. */
struct gw_stage *gw_config_get(const char *api_id, const char *stage);
void gw_stage_release(struct gw_stage *s);
/* Highest revision applied, and the number of stages served. */
long long gw_config_revision(void);
size_t gw_config_count(void);

/* Another reference to s (release it with gw_stage_release). */
struct gw_stage *gw_stage_ref(struct gw_stage *s);

/* What a text of the snapshot compiles to (a mapping template, a response-key pattern),
 * compiled once per stage and shared by every later message of it: the snapshot is immutable,
 * so the text's address inside s->doc is its key, together with the compiler. compile returns
 * a new object or NULL (a failure, remembered too: a bad template is not recompiled per
 * message); destroy frees it with the stage. Returns the object, borrowed for as long as the
 * caller holds s, or NULL. Any thread. */
typedef void *(*gw_compile_fn)(const char *src);
void *gw_stage_memo(const struct gw_stage *s, const char *src, gw_compile_fn compile,
		    void (*destroy)(void *obj));

/* The route for key (borrowed from s), or NULL. */
json_t *gw_stage_route(const struct gw_stage *s, const char *key);

#endif
