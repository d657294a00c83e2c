/* res_integrations.h — the Integration resource, parent of integration responses. */
#ifndef APIGWD_RES_INTEGRATIONS_H
#define APIGWD_RES_INTEGRATIONS_H

#include "res.h"

extern const struct resdef integration_def;
extern const struct jfield integration_fields[];

#endif
