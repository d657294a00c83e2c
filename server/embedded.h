/* embedded.h — files compiled into the binary (the console), see scripts/embed-files. */
#ifndef APIGWD_EMBEDDED_H
#define APIGWD_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *path;	   /* relative to console/, e.g. "index.html" */
	const unsigned char *data; /* the bytes, NUL-terminated for convenience */
	size_t len;
};
extern const struct embedded_file embedded_files[];
extern const unsigned embedded_files_count;

#endif
