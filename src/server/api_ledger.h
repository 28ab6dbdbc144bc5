/*
 * api_ledger.h - what the ledger handlers share (devices in api_assets.c,
 * accounts in api_accounts.c): numbers and flags of the query string,
 * string fields of a body, and the CSV upload of an import with its answer.
 *
 * An import handler runs:
 *
 *	if (!st || api_ledger_import_start(req, &o.encoding) < 0)
 *		return;                               (already answered)
 *	api_ledger_file_name(http_header(req, "X-Filename"), name, sizeof(name));
 *	r = X_import_buffer(st, name, req->body.buf, req->body.len, &o, &res, &err);
 *	api_ledger_import_answer(req, r, r < 0 && !res.nproblems ? NULL : X_import_result_json(…), &err);
 */
#ifndef MAMORI_API_LEDGER_H
#define MAMORI_API_LEDGER_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "enc.h"
#include "http.h"

struct mamori_err;

/* s as a count in [0, max] (def when s is NULL or empty); -1 when bad. */
int api_ledger_count(const char *s, int64_t def, int64_t max, int64_t *out);

/* Is the query parameter name "1" or "true"? */
int api_ledger_flag(struct http_request *req, const char *name);

/* The string member key of body, or NULL when absent or not a string. */
const char *api_ledger_str(json_t *body, const char *key);

/*
 * The base name of an X-Filename header in (%XX decoded, control characters
 * dropped, "upload.csv" when in is NULL or empty) into out[0..len).
 */
void api_ledger_file_name(const char *in, char *out, size_t len);

/*
 * Checks an import upload: the "encoding" parameter (into *enc when given)
 * and a non-empty body.  Returns 0, or -1 after answering 422 or 400.
 */
int api_ledger_import_start(struct http_request *req, enum enc_kind *enc);

/*
 * Answers an import that returned r: with err when j is NULL (a failure
 * without problems), else with j (taken over), 200 on success and 422 with
 * an "invalid_file" error on failure.
 */
void api_ledger_import_answer(struct http_request *req, int r, json_t *j,
			      const struct mamori_err *err);

#endif
