/*
 * api_util.c - helpers shared by the JSON API handlers (see api_util.h).
 */
#include "common.h"
#include "api_util.h"
#include "store.h"

int api_tx_begin(struct http_request *req, struct store *st, struct mamori_err *err)
{
	int r = store_begin(st, err);

	if (r < 0)
		http_error_from(req, err);
	return r;
}

int api_tx_end(struct http_request *req, struct store *st, int r, struct mamori_err *err)
{
	if (r == 0)
		r = store_commit(st, err);
	if (r < 0) {
		store_rollback(st);
		http_error_from(req, err);
	}
	return r;
}
