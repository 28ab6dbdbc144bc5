/*
 * asset_import.h - importing a device ledger from CSV, as hospitals keep it
 * in Excel (the seed's device list, the 情報機器管理表, or mamori's own
 * export).
 *
 * What the importer guarantees:
 *   - Encoding: UTF-8 with or without BOM and CP932 are detected (or forced).
 *   - Header: the first of the first 20 records naming at least two known
 *     fields is the header; a "部局名：…" line above it sets the department
 *     of every row that has none.  Every other column must be known: an
 *     unknown one is a problem (unless ignore_unknown), never dropped quietly.
 *   - Each row is matched to a stored device by its stable key (asset.h) and
 *     updates it (only the columns present in the file) or adds a device.
 *   - All or nothing: the whole file is applied in one transaction.  When any
 *     row has a problem, nothing is written, and every problem is reported as
 *     "FILE:LINE: COLUMN: reason" (up to ASSET_IMPORT_MAX_PROBLEMS).
 *   - Dry run: the same work in a transaction that is rolled back.
 *   - Every change is journaled, plus one "asset.import" entry naming the file,
 *     its SHA-256 and the counts (none when the file changed nothing).
 */
#ifndef MAMORI_ASSET_IMPORT_H
#define MAMORI_ASSET_IMPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "asset.h"
#include "enc.h"

struct mamori_err;
struct store;

#define ASSET_IMPORT_MAX_BYTES ((size_t)256 << 20)
#define ASSET_IMPORT_MAX_PROBLEMS 1000

struct asset_import_opts {
	enum enc_kind encoding; /* ENC_AUTO to detect */
	int dry_run;
	int ignore_unknown; /* skip unknown columns (still listed in res->ignored) */
	const char *actor;
	/* Called every so often with rows done and rows in total (may be NULL). */
	void (*progress)(size_t done, size_t total, void *ctx);
	void *progress_ctx;
};

enum asset_import_action {
	ASSET_IMPORT_ADD,
	ASSET_IMPORT_UPDATE,
	ASSET_IMPORT_UNCHANGED,
};

struct asset_import_change {
	unsigned line;
	enum asset_import_action action;
	uint64_t fields;     /* ASSET_IMPORT_UPDATE: the fields that change */
	struct asset before; /* UPDATE/UNCHANGED: the stored device */
	struct asset after;  /* the device as it is (or would be) stored */
};

struct asset_import_result {
	enum enc_kind encoding;
	unsigned header_line;
	size_t added, updated, unchanged;
	struct asset_import_change *changes;
	size_t nchanges;
	char **problems; /* "FILE:LINE: COLUMN: reason" */
	size_t nproblems;
	int problems_truncated;
	char **ignored; /* names of unknown columns skipped with ignore_unknown */
	size_t nignored;
	char **created; /* "システム「電子カルテ」" etc.: records made for references */
	size_t ncreated;
};

void asset_import_result_release(struct asset_import_result *res);

/*
 * Imports data[0..len) read from a file called name (used in messages).
 * Returns 0 when applied (or, with dry_run, when it would apply);
 * MAMORI_EINVAL when the file has problems (listed in res->problems, store
 * unchanged); MAMORI_EINTR when interrupted (store unchanged); other
 * negative codes for system errors (err set, store unchanged).
 */
int asset_import_buffer(struct store *st, const char *name, const char *data, size_t len,
			const struct asset_import_opts *opts, struct asset_import_result *res,
			struct mamori_err *err);

/*
 * The result as JSON for scripts and the API: {"ok", "dry_run", "encoding",
 * "added", "updated", "unchanged", "changes": [{"line", "action", "key",
 * "fields", "device"}], "problems": [...], "created": [...]}.  New reference.
 */
json_t *asset_import_result_json(const struct asset_import_result *res, int dry_run, int ok);

/* Reads path (at most ASSET_IMPORT_MAX_BYTES) and imports it. */
int asset_import_file(struct store *st, const char *path, const struct asset_import_opts *opts,
		      struct asset_import_result *res, struct mamori_err *err);

#endif
