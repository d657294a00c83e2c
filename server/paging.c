/* paging.c — one page of a list operation (paging.h). */
#include "paging.h"

#include <stdlib.h>
#include <string.h>

#include "ids.h"
#include "sbuf.h"
#include "server.h"

struct page {
	struct sbuf text;
	int64_t last_seq;
	unsigned count;
};

static bool page_row(const struct db_row *row, void *arg)
{
	struct page *p = arg;
	if (p->count++)
		sbuf_add(&p->text, ",", 1);
	sbuf_add(&p->text, row->body, row->body_len);
	p->last_seq = row->seq;
	return !p->text.failed;
}

/* Reads query maxResults (a string holding a number, per the model). */
static enum err page_size(struct req *rq, unsigned *size, struct apierr *e)
{
	char *v = req_query(rq, "maxResults");
	enum err out = E_OK;
	*size = PAGE_DEFAULT;
	if (v) {
		/* Digits only: strtol alone would also take " 7", "+7" and "-0". */
		size_t digits = strspn(v, "0123456789");
		long n = digits && !v[digits] && digits < 10 ? strtol(v, NULL, 10) : 0;
		if (n < 1 || n > PAGE_MAX)
			out = err_set(
				e, E_BAD_REQUEST,
				"Invalid value for maxResults: %.32s. Must be a number between 1 "
				"and %d",
				v, PAGE_MAX);
		else
			*size = (unsigned)n;
	}
	free(v);
	return out;
}

enum err paging_reply(struct req *rq, const char *list, const struct db_key *k, struct apierr *e)
{
	struct page p = {0};
	unsigned size;
	int64_t after = 0;
	bool more = false;
	char *token = NULL;
	enum err out = E_OK;
	if ((out = page_size(rq, &size, e)) != E_OK)
		goto done;
	token = req_query(rq, "nextToken");
	if (token && *token && !pagetoken_decode(rq->srv->token_key, list, token, &after)) {
		out = err_set(e, E_BAD_REQUEST,
			      "Invalid value for nextToken: the token is not valid");
		goto done;
	}
	sbuf_addstr(&p.text, "{\"items\":[");
	enum db_rc rc = db_res_list(rq->db, k, after, size, page_row, &p, &more);
	if (rc != DB_OK) {
		out = err_db(rc, e);
		goto done;
	}
	sbuf_addstr(&p.text, "]");
	if (more) {
		char next[TOKEN_MAX];
		pagetoken_encode(rq->srv->token_key, list, p.last_seq, next);
		sbuf_addstr(&p.text, ",\"nextToken\":\"");
		sbuf_addstr(&p.text, next);
		sbuf_addstr(&p.text, "\"");
	}
	sbuf_addstr(&p.text, "}");
	size_t len = 0;
	char *text = sbuf_detach(&p.text, &len);
	if (!text) {
		out = err_set(e, E_INTERNAL, "Out of memory");
		goto done;
	}
	reply_text(rq, 200, text, len);
done:
	sbuf_release(&p.text);
	free(token);
	return out;
}
