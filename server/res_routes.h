/* res_routes.h — the Route resource. */
#ifndef APIGWD_RES_ROUTES_H
#define APIGWD_RES_ROUTES_H

#include "res.h"

extern const struct resdef route_def;

#endif
