/*
 * fuzz_account_import.c - libFuzzer target for the account inventory
 * import (src/core/account_import.c): encoding detection, CSV, header
 * detection with the "システム名：" line, column mapping, every value
 * normaliser of account.c, the resolution of systems and devices and the
 * SQL behind it, on an in-memory SQLite store holding one system and one
 * device.
 *
 * Each input is imported as a dry run; the target checks the importer's
 * contract: success or MAMORI_EINVAL (never a system error), problems only
 * on failure, each "fuzz.csv:LINE: …" with LINE inside the input, counts
 * that add up, and an untouched store afterwards (no accounts, no new
 * systems, the journal still verifies).
 */
#include "common.h"

#include "account_import.h"
#include "asset.h"
#include "journal.h"
#include "ledger.h"
#include "store.h"

#include "import_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *st;

static void setup(void)
{
	struct mamori_err err = { 0 };
	struct asset a;
	json_t *sys = json_pack("{s:s, s:s}", "name", "電子カルテシステム", "category", "電子カルテ");
	int64_t id;

	asset_init(&a);
	if (store_open(&st, "sqlite", ":memory:", STORE_CREATE, &err) < 0 ||
	    store_begin(st, &err) < 0 ||
	    ledger_facility_create(st, "fuzz", "fuzz hospital", "hospital", &id, &err) < 0 ||
	    ledger_insert(st, "fuzz", LEDGER_SYSTEM, sys, NULL, &err) < 0 ||
	    asset_set(&a, ASSET_TAG, "SV-1", &err) < 0 || asset_set(&a, ASSET_HOSTNAME, "AD01", &err) < 0 ||
	    asset_insert(st, "fuzz", &a, &err) < 0 || store_commit(st, &err) < 0)
		BUG("fuzz setup: %s", err.msg);
	asset_release(&a);
	json_decref(sys);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct account_import_opts opts = { .encoding = ENC_AUTO, .dry_run = 1, .actor = "fuzz" };
	struct account_import_result res;
	struct journal_verify_result vr;
	struct mamori_err err = { 0 };
	int64_t n = -1;
	int r;

	if (!st)
		setup();
	opts.ignore_unknown = size > 0 && (data[0] & 1);
	opts.system = size > 0 && (data[0] & 2) ? "電子カルテ" : NULL;
	r = account_import_buffer(st, "fuzz.csv", (const char *)data, size, &opts, &res, &err);
	import_check(data, size, r, &err, res.problems, res.nproblems,
		     res.added + res.updated + res.unchanged, res.nchanges);
	json_decref(account_import_result_json(&res, 1, r == 0));
	account_import_result_release(&res);

	if (store_query_int(st, &n, &err, "SELECT COUNT(*) FROM account", NULL) < 0 || n != 0)
		BUG("dry run left %lld accounts", (long long)n);
	if (store_query_int(st, &n, &err, "SELECT COUNT(*) FROM system", NULL) < 0 || n != 1)
		BUG("dry run left %lld systems", (long long)n);
	if (journal_verify(st, NULL, &vr, NULL, NULL, &err) < 0)
		BUG("journal broken after dry run: %s", err.msg);
	return 0;
}
