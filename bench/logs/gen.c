/*
 * gen.c - writes N RFC 5424 EHR audit events, one per line, for the log
 * benchmarks (bench/logs/run.sh).  Deterministic: the same N gives the same
 * file.  About 1,000,000 events a day from 3,000 staff over 50,000 patients
 * (a large hospital's in- and outpatients of a few weeks); patient
 * "P0000001", the one the search benchmark looks for, has one event in
 * 20,000.
 *
 * Usage: gen N > events.log
 */
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

int main(int argc, char **argv)
{
	static const char *actions[] = { "view", "view", "view", "update", "print", "create", "export" };
	static const char *depts[] = { "naika", "geka", "shonika", "yakuzai", "kango4e", "iji" };
	long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1000000;
	char buf[1024];

	setvbuf(stdout, buf, _IOFBF, sizeof(buf));
	for (long i = 0; i < n; i++) {
		uint64_t r = next();
		unsigned user = (unsigned)(r % 3000);
		/* one event in 20,000 is for the searched patient */
		unsigned patient = (r >> 20) % 20000 == 0 ? 1 : 2 + (unsigned)((r >> 24) % 50000);
		const char *action = actions[(r >> 44) % 7];
		int ok = (r >> 50) % 50 != 0;
		long sec = i / 12; /* about 1,000,000 events a day */
		int day = (int)(sec / 86400), h = (int)(sec / 3600 % 24), m = (int)(sec / 60 % 60),
		    s = (int)(sec % 60);
		printf("<110>1 2026-%02d-%02dT%02d:%02d:%02d.%03ldZ ehr-ap01 ehr - AUDIT "
		       "[ehrAudit@32473 user=\"U%05u\" patient=\"P%07u\" action=\"%s\" result=\"%s\" "
		       "terminal=\"%s-pc%03u\"] %s patient record\n",
		       1 + day / 28 % 12, 1 + day % 28, h, m, s, i % 1000, user, patient, action,
		       ok ? "success" : "failure", depts[user % 6], user % 200, action);
	}
	return 0;
}
