/* res_stages.h — the Stage resource. */
#ifndef APIGWD_RES_STAGES_H
#define APIGWD_RES_STAGES_H

#include "res.h"

extern const struct resdef stage_def;

#endif
