/*
 * api_util.h - small helpers shared by the JSON API handlers (api_*.c).
 *
 * A write handler runs its core call inside one store transaction:
 *
 *	if (api_tx_begin(req, st, &err) < 0)
 *		goto out;                       (the error is already answered)
 *	r = core_write(st, actor, …, &err);
 *	if (api_tx_end(req, st, r, &err) == 0)
 *		http_json(req, 201, …);          (committed: answer the success)
 */
#ifndef MAMORI_API_UTIL_H
#define MAMORI_API_UTIL_H

#include "http.h"

struct mamori_err;
struct store;

/* Begins a transaction on st.  On failure answers the error and returns it (negative). */
int api_tx_begin(struct http_request *req, struct store *st, struct mamori_err *err);

/*
 * Ends the transaction begun by api_tx_begin() after a core write that
 * returned r (0 or a negative code): when r == 0 commits it;
 * when r < 0 or the commit fails, rolls back and answers err.  Returns 0
 * when committed (the caller then answers the success), else the negative code.
 */
int api_tx_end(struct http_request *req, struct store *st, int r, struct mamori_err *err);

#endif
