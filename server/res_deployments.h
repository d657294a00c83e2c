/* res_deployments.h — the Deployment resource. */
#ifndef APIGWD_RES_DEPLOYMENTS_H
#define APIGWD_RES_DEPLOYMENTS_H

#include "res.h"

extern const struct resdef deployment_def;

#endif
