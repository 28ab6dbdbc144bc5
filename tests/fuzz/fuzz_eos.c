/*
 * fuzz_eos.c - libFuzzer target for the end-of-support product-file parser
 * and the matcher (src/core/eos.c).
 *
 * The input is parsed as one endoflife.date product file.  Invariants: no
 * crash or leak; a refusal is MAMORI_EINVAL (or ECONFLICT) with a message
 * that starts with the file name; a parsed product has releases, each with
 * a non-empty cycle and a label, and every date is a YYYY-MM-DD string.
 * Then a few strings (and slices of the input itself) are matched against
 * what was parsed: eos_match returns 0 or 1, always gives a reason, and a
 * match points at a release of the catalog whose dates it copies.
 */
#include "common.h"

#include "eos.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_when(const struct eos_when *w)
{
	if (w->kind == EOS_WHEN_DATE)
		assert(strlen(w->date) == 10 && w->date[4] == '-' && w->date[7] == '-');
}

static void check_match(const struct eos_catalog *cat, const char *os, const char *ver)
{
	struct eos_match m;
	int r = eos_match(cat, os, ver, &m);

	assert(r == 0 || r == 1);
	assert(m.reason[0] != '\0');
	if (r == 0) {
		assert(m.product && m.release);
		assert(m.eol.kind == m.release->eol.kind);
		assert(!strcmp(m.eol.date, m.release->eol.date));
		(void)eos_status_of(&m, "2026-01-01");
	} else {
		assert(!m.product && !m.release);
		assert(eos_status_of(&m, "2026-01-01") == EOS_UNKNOWN);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "windows.md", "windows-server.md", "rhel.md",
					     "ubuntu.md", "mssqlserver.md", "sles.md", "x.md" };
	struct eos_catalog cat = EOS_CATALOG_INIT;
	struct mamori_err err = { 0 };
	const char *name = names[size % ARRAY_SIZE(names)];
	size_t i, j;
	int r;

	r = eos_catalog_load_buffer(&cat, name, (const char *)data, size, &err);
	if (r < 0) {
		assert(r == MAMORI_EINVAL || r == MAMORI_ECONFLICT);
		assert(!strncmp(err.msg, name, strlen(name)));
		assert(cat.nr_products == 0);
	} else {
		const struct eos_product *p = &cat.products[0];

		assert(cat.nr_products == 1 && p->nr_releases > 0 && p->title);
		for (i = 0; i < p->nr_releases; i++) {
			const struct eos_release *rel = &p->releases[i];

			assert(rel->cycle && rel->cycle[0] && rel->label);
			check_when(&rel->release_date);
			check_when(&rel->eoas);
			check_when(&rel->eol);
			check_when(&rel->eoes);
			check_when(&rel->lts);
		}
	}
	check_match(&cat, "Windows 10 Pro", NULL);
	check_match(&cat, "WS2016", NULL);
	check_match(&cat, "10.0.19045", NULL);
	check_match(&cat, "RHEL 7.9", NULL);
	check_match(&cat, "SQL Server 2014 SP2", NULL);
	check_match(&cat, "SLES 15 SP4", NULL);
	if (size > 0) {
		char *s = xstrndup((const char *)data, size < 200 ? size : 200);

		j = strlen(s) / 2;
		check_match(&cat, s, s + j);
		check_match(&cat, "Windows", s);
		free(s);
	}
	eos_catalog_release(&cat);
	return 0;
}
