/* errors.c — the one mapping from apigwd's error values to AWS error answers. */
#include "errors.h"

#include <stdio.h>

static const struct {
	unsigned status;
	const char *name;
} err_table[] = {
#define X(name, status, aws) [name] = {status, aws},
	APIGWD_ERRORS(X)
#undef X
};

enum err err_vset(struct apierr *e, enum err code, const char *fmt, va_list ap)
{
	e->code = code;
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	return code;
}

enum err err_set(struct apierr *e, enum err code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, code, fmt, ap);
	va_end(ap);
	return code;
}

enum err err_not_found(struct apierr *e, const char *resource_type, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err_vset(e, E_NOT_FOUND, fmt, ap);
	va_end(ap);
	e->resource_type = resource_type;
	return E_NOT_FOUND;
}

unsigned err_status(enum err code)
{
	return err_table[code].status;
}

const char *err_name(enum err code)
{
	return err_table[code].name;
}

json_t *err_body(const struct apierr *e)
{
	json_t *body = json_pack("{s:s}", "message", e->msg);
	if (body && e->resource_type)
		json_object_set_new(body, "resourceType", json_string(e->resource_type));
	if (body && e->limit_type)
		json_object_set_new(body, "limitType", json_string(e->limit_type));
	return body;
}

enum err err_db(enum db_rc rc, struct apierr *e)
{
	switch (rc) {
	case DB_OK: return E_OK;
	case DB_BUSY:
		return err_set(
			e, E_CONFLICT,
			"Unable to complete operation due to concurrent modification. Please "
			"try again later.");
	case DB_FULL:
		return err_set(e, E_UNAVAILABLE, "The database is full; the change was not saved");
	case DB_READONLY:
		return err_set(e, E_UNAVAILABLE,
			       "The database cannot be written; the change was not saved");
	case DB_UNAVAILABLE:
		return err_set(e, E_UNAVAILABLE,
			       "The database cannot be reached; nothing was read or saved");
	default: return err_set(e, E_INTERNAL, "Internal storage error");
	}
}
