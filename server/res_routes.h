/* res_routes.h — the Route resource, parent of route responses. */
#ifndef APIGWD_RES_ROUTES_H
#define APIGWD_RES_ROUTES_H

#include "res.h"

extern const struct resdef route_def;
extern const struct jfield route_fields[];

#endif
