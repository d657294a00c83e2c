/* routesel.h — route selection expressions evaluated as docs/aws-behaviour.md §D3.1 says. */
#ifndef GW_ROUTESEL_H
#define GW_ROUTESEL_H

#include <jansson.h>
#include <stddef.h>

/* Evaluates expr over the message body (the parsed frame; NULL when the frame is not JSON).
 * Returns the new route key (caller frees), or NULL when the frame is not JSON and the
 * expression reads the body (the message goes to $default). */
char *gw_routesel_eval(const char *expr, const json_t *body);
/* The value at a JSONPath tail (`a.b[0]`, `['a']`) under root; borrowed, NULL when missing. */
const json_t *gw_json_path(const json_t *root, const char *path, size_t len);
/* Appends v's stringification (§D3.1: strings raw, arrays `[a, b]`, objects `{k=v}`, others as
 * JSON text) to *out (realloc'd, NUL-terminated, *len updated). Returns 0, -1 out of memory. */
int gw_stringify(const json_t *v, char **out, size_t *len);

#endif
