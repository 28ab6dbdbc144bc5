/*
 * account_import.h - importing the account inventory from CSV: the user
 * lists that each system's administration screen exports, Active
 * Directory exports, or the list a hospital keeps in Excel, or mamori's own
 * export.
 *
 * The same guarantees as the device import (asset_import.h):
 *   - Encoding: UTF-8 with or without BOM and CP932 are detected (or forced).
 *   - Header: the first of the first 20 records naming at least two known
 *     columns (account_fields[] and their aliases: ログインID, 利用者, 職種,
 *     管理者権限, 最終利用日, 退職 …).  A line such as "システム名：電子カルテ"
 *     above it sets the system of every row that has none (as does
 *     opts.system).  An unknown column is a problem unless ignore_unknown.
 *   - Each row is matched to a stored account by (system, device, login)
 *     and updates it (only the columns present in the file) or adds one.
 *     A system named in the file is found by name or category, else
 *     created (listed in res->created); a device must already be in the
 *     ledger.
 *   - All or nothing, in one transaction; every problem of the file is
 *     reported as "FILE:LINE: COLUMN: reason".
 *   - Dry run: the same work, rolled back.
 *   - Every change is journaled, plus one "account.import" entry with the
 *     file name, its SHA-256 and the counts (none when nothing changed).
 */
#ifndef MAMORI_ACCOUNT_IMPORT_H
#define MAMORI_ACCOUNT_IMPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "account.h"
#include "enc.h"

struct mamori_err;
struct store;

#define ACCOUNT_IMPORT_MAX_BYTES ((size_t)64 << 20)
#define ACCOUNT_IMPORT_MAX_PROBLEMS 1000

struct account_import_opts {
	enum enc_kind encoding; /* ENC_AUTO to detect */
	int dry_run;
	int ignore_unknown;
	const char *system;     /* system of rows without one (may be NULL) */
	const char *actor;
	void (*progress)(size_t done, size_t total, void *ctx);
	void *progress_ctx;
};

enum account_import_action {
	ACCOUNT_IMPORT_ADD,
	ACCOUNT_IMPORT_UPDATE,
	ACCOUNT_IMPORT_UNCHANGED,
};

struct account_import_change {
	unsigned line;
	enum account_import_action action;
	uint64_t fields;       /* UPDATE: the fields that change */
	struct account before; /* UPDATE/UNCHANGED: the stored account */
	struct account after;
};

struct account_import_result {
	enum enc_kind encoding;
	unsigned header_line;
	size_t added, updated, unchanged;
	struct account_import_change *changes;
	size_t nchanges;
	char **problems; /* "FILE:LINE: COLUMN: reason" */
	size_t nproblems;
	int problems_truncated;
	char **ignored;
	size_t nignored;
	char **created; /* "システム「…」" */
	size_t ncreated;
};

void account_import_result_release(struct account_import_result *res);

/*
 * Imports data[0..len) read from a file called name (used in messages).
 * 0 when applied (or, with dry_run, when it would apply); MAMORI_EINVAL
 * when the file has problems (res->problems, store unchanged);
 * MAMORI_EINTR when interrupted; other negative codes for system errors.
 */
int account_import_buffer(struct store *st, const char *name, const char *data, size_t len,
			  const struct account_import_opts *opts,
			  struct account_import_result *res, struct mamori_err *err);

/* Reads path (at most ACCOUNT_IMPORT_MAX_BYTES) and imports it. */
int account_import_file(struct store *st, const char *path,
			const struct account_import_opts *opts,
			struct account_import_result *res, struct mamori_err *err);

/*
 * {"ok", "dry_run", "encoding", "added", "updated", "unchanged",
 *  "changes": [{"line", "action", "key", "fields", "account", "before"}],
 *  "problems", "created", "problems_truncated"}; new reference.
 */
json_t *account_import_result_json(const struct account_import_result *res, int dry_run,
				   int ok);

#endif
