/* state.h — the state file: every resource and every issued id of a database as one JSON
 * document, written by `apigwd export`, read by `apigwd import` and `--seed` (state.c).
 *
 *   {"format":"apigwd-state","version":1,
 *    "resources":[
 *     {"account":"000000000000","region":"us-east-1","kind":"api","parent":"",
 *      "id":"a1b2c3d4e5","ukey":null,"ref":null,"doc":"{…}","body":"{…}"},
 *     …],
 *    "issuedIds":[["000000000000","a1b2c3d4e5"], …]}
 *
 * Resources come in creation order (a child after its parent, lists keep their order); `doc`
 * and `body` are the stored JSON texts as strings, so an import followed by an export gives
 * back the same bytes. Not in it: revisions, the change log, the epoch, the pagination-token
 * key and credentials; an import is one new revision of the importing database. */
#ifndef APIGWD_STATE_H
#define APIGWD_STATE_H

#include <stddef.h>
#include <stdio.h>

#include "db.h"

/* Writes the state of db to out (one consistent read). 0, or -1 with a sentence in err. */
int state_export(struct db *db, FILE *out, char *err, size_t len);

/* Loads the state file at path ("-": standard input) into db in one transaction, keeping ids.
 * Refused unless db holds no resource (an id already issued in db is fine). On success
 * *nres and *nids (may be NULL) get the numbers loaded. 0, or -1 with a sentence in err. */
int state_import(struct db *db, const char *path, size_t *nres, size_t *nids, char *err,
		 size_t len);

/* state_import on a connection of pool (--seed at start-up). */
int state_import_pool(struct db_pool *pool, const char *path, char *err, size_t len);

#endif
