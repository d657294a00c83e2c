/* res_apis.h — the Api resource, parent of everything under /v2/apis/{apiId}. */
#ifndef APIGWD_RES_APIS_H
#define APIGWD_RES_APIS_H

#include "res.h"

extern const struct resdef api_def;
extern const struct jfield api_fields[];

#endif
