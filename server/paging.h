/* paging.h — the list operations' pages (Get* with maxResults and nextToken): a page of stored
 * answers in creation order, and a token, tamper-evident (ids.h's HMAC) and valid only for the
 * list it came from, naming where the next page starts (docs/aws-behaviour.md §1). */
#ifndef APIGWD_PAGING_H
#define APIGWD_PAGING_H

#include "db.h"
#include "errors.h"
#include "request.h"

/* Page size without maxResults, and the largest maxResults accepted. */
enum { PAGE_DEFAULT = 100, PAGE_MAX = 500 };

/* Answers the request with one page of the rows of k (k->id unused): {"items":[...]} plus
 * "nextToken" when more follow. `list` names the list (account, region, kind, parent): a token
 * made for another list is refused. Returns E_OK after answering, or fills e (bad maxResults
 * or nextToken: 400; storage errors) without answering. */
enum err paging_reply(struct req *rq, const char *list, const struct db_key *k, struct apierr *e);

#endif
