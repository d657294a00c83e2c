/* res_api_mappings.h — the ApiMapping resource. */
#ifndef APIGWD_RES_API_MAPPINGS_H
#define APIGWD_RES_API_MAPPINGS_H

#include "res.h"

extern const struct resdef api_mapping_def;

#endif
