/* res_integration_responses.h — the IntegrationResponse resource (under an Integration). */
#ifndef APIGWD_RES_INTEGRATION_RESPONSES_H
#define APIGWD_RES_INTEGRATION_RESPONSES_H

#include "res.h"

extern const struct resdef integration_response_def;
extern const struct jfield integration_response_fields[];

#endif
