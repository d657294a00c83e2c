/* res_domain_names.h — the DomainName resource. */
#ifndef APIGWD_RES_DOMAIN_NAMES_H
#define APIGWD_RES_DOMAIN_NAMES_H

#include "res.h"

extern const struct resdef domain_name_def;

#endif
