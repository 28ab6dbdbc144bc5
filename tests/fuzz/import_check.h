/*
 * import_check.h - the contract every ledger import (tabular.h) keeps, as
 * checked by the import fuzz targets (fuzz_import.c, fuzz_account_import.c)
 * after a dry run of data[0..size) named "fuzz.csv":
 *   - the result is 0 or MAMORI_EINVAL, never a system error;
 *   - there are problems exactly when it failed;
 *   - each problem is "fuzz.csv:LINE: …" with LINE inside the input;
 *   - on success the counts add up to the changes listed.
 * A broken contract is a BUG(), which the fuzzer reports as a crash.
 */
#ifndef MAMORI_FUZZ_IMPORT_CHECK_H
#define MAMORI_FUZZ_IMPORT_CHECK_H

static void import_check(const uint8_t *data, size_t size, int r, const struct mamori_err *err,
			 char *const *problems, size_t nproblems, size_t counted, size_t nchanges)
{
	size_t lines = 1;

	for (size_t i = 0; i < size; i++)
		lines += data[i] == '\n' || data[i] == '\r';
	if (r != 0 && r != MAMORI_EINVAL)
		BUG("import returned %d: %s", r, err->msg);
	if ((r == 0) != (nproblems == 0))
		BUG("result %d with %zu problems", r, nproblems);
	for (size_t i = 0; i < nproblems; i++) {
		const char *p = problems[i];
		char *end;
		if (strncmp(p, "fuzz.csv:", 9) != 0)
			BUG("problem without file name: %s", p);
		unsigned long line = strtoul(p + 9, &end, 10);
		if (*end != ':' || line < 1 || line > lines)
			BUG("problem names line %lu of %zu: %s", line, lines, p);
	}
	if (r == 0 && counted != nchanges)
		BUG("counts do not add up");
}

#endif
