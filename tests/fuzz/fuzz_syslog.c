/*
 * fuzz_syslog.c - libFuzzer target for the syslog parser (src/core/syslog.c).
 *
 * The input is parsed with detection and with each format forced (so both
 * the RFC 5424 and the RFC 3164 parsers see every input).  Invariants: no
 * crash, the raw copy is the input (cut at SYSLOG_MAX_MSG), facility and
 * severity are -1 exactly when NO_PRI/BAD_PRI is set, a reason exists
 * exactly when a flag other than BOM is set, bounds on SD counts and names,
 * a zoned timestamp ends in "Z", and the body lies within the input size.
 */
#include "common.h"

#include "syslog.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const struct syslog_msg *m, const char *d, size_t size)
{
	size_t keep = size > SYSLOG_MAX_MSG ? SYSLOG_MAX_MSG : size;
	bool nopri = m->flags & (SYSLOG_F_NO_PRI | SYSLOG_F_BAD_PRI);

	CHECK(m->orig_len == size);
	CHECK(m->raw_len == keep);
	CHECK(!keep || !memcmp(m->raw, d, keep));
	CHECK(m->raw[keep] == '\0');
	CHECK(!!(m->flags & SYSLOG_F_TRUNCATED) == (size > SYSLOG_MAX_MSG));
	CHECK(nopri == (m->facility < 0));
	CHECK(nopri == (m->severity < 0));
	CHECK(m->facility < 24 && m->severity < 8);
	CHECK(((m->flags & ~(unsigned)SYSLOG_F_BOM) != 0) == (m->reason.len > 0));
	CHECK(m->nsd <= SYSLOG_MAX_SD);
	for (size_t i = 0; i < m->nsd; i++) {
		size_t n = strlen(m->sd[i].id);

		CHECK(n >= 1 && n <= SYSLOG_MAX_NAME);
		CHECK(m->sd[i].nparams <= SYSLOG_MAX_PARAMS);
		for (size_t j = 0; j < m->sd[i].nparams; j++) {
			n = strlen(m->sd[i].params[j].name);
			CHECK(n >= 1 && n <= SYSLOG_MAX_NAME);
			CHECK(m->sd[i].params[j].value_len <= keep);
			CHECK(m->sd[i].params[j].value[m->sd[i].params[j].value_len] == '\0');
		}
	}
	if (m->timestamp) {
		size_t n = strlen(m->timestamp);

		CHECK(n > 0);
		CHECK((m->timestamp[n - 1] == 'Z') == !(m->flags & SYSLOG_F_NO_ZONE));
	}
	CHECK(!(m->flags & SYSLOG_F_NO_TIME) || !m->timestamp);
	CHECK(m->body && m->body_len <= keep && m->body[m->body_len] == '\0');
	CHECK(m->format != SYSLOG_FMT_AUTO);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum syslog_format fmts[] = { SYSLOG_FMT_AUTO, SYSLOG_FMT_5424,
						   SYSLOG_FMT_3164, SYSLOG_FMT_3164_ISO };
	const char *d = (const char *)data;
	struct syslog_msg m;

	if (size > 256 * 1024)
		return 0;
	syslog_msg_init(&m);
	for (size_t i = 0; i < ARRAY_SIZE(fmts); i++) {
		syslog_parse(&m, d, size, fmts[i], (time_t)1795219200);
		check(&m, d, size);
		if (fmts[i] != SYSLOG_FMT_AUTO)
			CHECK(m.format == fmts[i]);
	}
	syslog_msg_release(&m);
	return 0;
}
