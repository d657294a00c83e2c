/* res_route_responses.h — the RouteResponse resource (under a Route). */
#ifndef APIGWD_RES_ROUTE_RESPONSES_H
#define APIGWD_RES_ROUTE_RESPONSES_H

#include "res.h"

extern const struct resdef route_response_def;
extern const struct jfield route_response_fields[];

#endif
