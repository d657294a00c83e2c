/* res_authorizers.h — the Authorizer resource. */
#ifndef APIGWD_RES_AUTHORIZERS_H
#define APIGWD_RES_AUTHORIZERS_H

#include "res.h"

extern const struct resdef authorizer_def;

#endif
