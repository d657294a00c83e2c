/* yamldoc.h — YAML documents as jansson values and back (yamldoc.c, libyaml). Not named
 * yaml.h: that would hide libyaml's own header on the include path. */
#ifndef APIGWD_YAMLDOC_H
#define APIGWD_YAMLDOC_H

#include <jansson.h>
#include <stddef.h>

#include "errors.h"

/* The first document of a YAML stream as JSON. New reference, or NULL with e set (400 naming
 * the line and column). */
json_t *yaml_to_json(const char *text, size_t len, struct apierr *e);

/* doc as a YAML document. Returns a new string (its length in *len), or NULL. */
char *yaml_from_json(const json_t *doc, size_t *len);

/* The shortest text that reads back as d, with a decimal point for whole numbers ("1.0"). */
void yaml_real_text(double d, char *buf, size_t len);

#endif
