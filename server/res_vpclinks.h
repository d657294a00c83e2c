/* res_vpclinks.h — the VpcLink resource. */
#ifndef APIGWD_RES_VPCLINKS_H
#define APIGWD_RES_VPCLINKS_H

#include "res.h"

extern const struct resdef vpclink_def;

#endif
