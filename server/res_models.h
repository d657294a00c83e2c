/* res_models.h — the Model resource. */
#ifndef APIGWD_RES_MODELS_H
#define APIGWD_RES_MODELS_H

#include "res.h"

extern const struct resdef model_def;

#endif
