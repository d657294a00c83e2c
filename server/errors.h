/* errors.h — errors as values: every AWS error apigwd can answer, in one table.
 *
 * A failing step fills a `struct apierr` (code + message) and returns its code; the
 * handler passes it to reply_error(), which is the only place that turns an error
 * into a status, an `x-amzn-ErrorType` header and a `{"message": ...}` body. */
#ifndef APIGWD_ERRORS_H
#define APIGWD_ERRORS_H

#include <jansson.h>
#include <stdarg.h>

#include "db.h"

/* X(enum name, HTTP status, AWS error name) */
#define APIGWD_ERRORS(X)                                                                           \
	X(E_OK, 200, "")                                                                           \
	X(E_BAD_REQUEST, 400, "BadRequestException")                                               \
	X(E_UNAUTHORIZED, 401, "UnauthorizedException")                                            \
	X(E_ACCESS_DENIED, 403, "AccessDeniedException")                                           \
	X(E_MISSING_AUTH_TOKEN, 403, "MissingAuthenticationTokenException")                        \
	X(E_INCOMPLETE_SIGNATURE, 403, "IncompleteSignatureException")                             \
	X(E_INVALID_SIGNATURE, 403, "InvalidSignatureException")                                   \
	X(E_UNRECOGNIZED_CLIENT, 403, "UnrecognizedClientException")                               \
	X(E_NOT_FOUND, 404, "NotFoundException")                                                   \
	X(E_METHOD_NOT_ALLOWED, 405, "MethodNotAllowedException")                                  \
	X(E_CONFLICT, 409, "ConflictException")                                                    \
	X(E_GONE, 410, "GoneException")                                                            \
	X(E_TOO_LARGE, 413, "PayloadTooLargeException")                                            \
	X(E_TOO_MANY_REQUESTS, 429, "TooManyRequestsException")                                    \
	X(E_INTERNAL, 500, "InternalServerErrorException")                                         \
	X(E_UNAVAILABLE, 503, "ServiceUnavailableException")

enum err {
#define X(name, status, aws) name,
	APIGWD_ERRORS(X)
#undef X
};

#define APIERR_MSG_MAX 1024

struct apierr {
	enum err code;		   /* E_OK when nothing failed */
	const char *resource_type; /* NotFoundException's `resourceType`, or NULL; static */
	const char *limit_type;	   /* TooManyRequestsException's `limitType`, or NULL; static */
	char msg[APIERR_MSG_MAX];  /* the `message` member, always NUL-terminated */
};

/* Sets code and message; returns code so callers can `return err_set(...)`. */
enum err err_set(struct apierr *e, enum err code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
enum err err_vset(struct apierr *e, enum err code, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* A NotFoundException carrying `resourceType` (static string). */
enum err err_not_found(struct apierr *e, const char *resource_type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

unsigned err_status(enum err code);
const char *err_name(enum err code); /* the x-amzn-ErrorType value; static */

/* The AWS error body for e. Returns a new reference. */
json_t *err_body(const struct apierr *e);

/* Maps a storage outcome (db.h) to the AWS error a client sees, in e: DB_BUSY 409
 * ConcurrentModification wording, a full or read-only database 503, anything else 500; DB_OK
 * is E_OK. The one place storage errors become AWS errors. */
enum err err_db(enum db_rc rc, struct apierr *e);

#endif
