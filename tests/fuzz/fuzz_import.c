/*
 * fuzz_import.c - libFuzzer target for the whole device import
 * (src/core/asset_import.c): encoding detection, CSV, header detection,
 * column mapping, every normaliser, matching and the SQL behind it, on an
 * in-memory SQLite store.
 *
 * Each input is imported as a dry run, so the store stays as it was; the
 * target checks the importer's contract: success or MAMORI_EINVAL (never a
 * system error), problems only on failure, each problem "fuzz.csv:LINE: …"
 * with LINE inside the input, counts that add up to the changes listed, and
 * an untouched store afterwards (no devices, journal still verifies).
 */
#include "common.h"

#include "asset_import.h"
#include "journal.h"
#include "ledger.h"
#include "store.h"

#include "import_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct store *st;

static void setup(void)
{
	struct mamori_err err = { 0 };
	int64_t id;

	if (store_open(&st, "sqlite", ":memory:", STORE_CREATE, &err) < 0 ||
	    store_begin(st, &err) < 0 ||
	    ledger_facility_create(st, "fuzz", "fuzz hospital", "hospital", &id, &err) < 0 ||
	    store_commit(st, &err) < 0)
		BUG("fuzz setup: %s", err.msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct asset_import_opts opts = { .encoding = ENC_AUTO, .dry_run = 1, .actor = "fuzz" };
	struct asset_import_result res;
	struct journal_verify_result vr;
	struct mamori_err err = { 0 };
	int64_t n = -1;
	int r;

	if (!st)
		setup();
	opts.ignore_unknown = size > 0 && (data[0] & 1);
	r = asset_import_buffer(st, "fuzz.csv", (const char *)data, size, &opts, &res, &err);
	import_check(data, size, r, &err, res.problems, res.nproblems,
		     res.added + res.updated + res.unchanged, res.nchanges);
	asset_import_result_release(&res);

	if (store_query_int(st, &n, &err, "SELECT COUNT(*) FROM device", NULL) < 0 || n != 0)
		BUG("dry run left %lld devices", (long long)n);
	if (journal_verify(st, NULL, &vr, NULL, NULL, &err) < 0)
		BUG("journal broken after dry run: %s", err.msg);
	return 0;
}
