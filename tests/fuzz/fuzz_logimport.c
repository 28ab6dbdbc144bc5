/*
 * fuzz_logimport.c - libFuzzer target for `mamori log import`
 * (src/core/logimport.c) on hostile files.
 *
 * The first input byte picks the format (syslog, csv, jsonl), the encoding
 * (auto, UTF-8, CP932) and whether the mapping is the default or a Japanese
 * one; the rest is the file.  Invariants: all or nothing (MAMORI_EINVAL
 * comes with 1..LOGIMPORT_MAX_PROBLEMS problems "f.txt:LINE: …" and no event
 * passed on; success passes exactly st.events events), every event passed on
 * is sealed and its record parses back with the same leaf, and fields are
 * NULL or 1..LOG_FIELD_MAX bytes.
 */
#include "common.h"

#include "logfield.h"
#include "logimport.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct logfield_rules *rules;

static void check_value(const char *v)
{
	if (v)
		CHECK(strlen(v) >= 1 && strlen(v) <= LOG_FIELD_MAX);
}

static int each(void *ctx, struct log_event *ev, unsigned line, struct mamori_err *err)
{
	struct log_event back;

	(*(size_t *)ctx)++;
	CHECK(line >= 1);
	check_value(ev->f.user);
	check_value(ev->f.patient);
	check_value(ev->f.host);
	check_value(ev->f.action);
	check_value(ev->f.source);
	log_event_init(&back);
	CHECK(log_event_parse(&back, ev->record.buf, ev->record.len, NULL, err) == 0);
	CHECK(!memcmp(back.leaf, ev->leaf, sizeof(ev->leaf)));
	log_event_release(&back);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum logimport_format fmts[] = { LOGIMPORT_SYSLOG, LOGIMPORT_CSV,
						      LOGIMPORT_JSONL };
	static const enum enc_kind encs[] = { ENC_AUTO, ENC_UTF8, ENC_CP932 };
	struct logimport_opts o = { .recv_us = 1795219200000000 };
	struct logimport_stats st = { 0 };
	struct mamori_err err = { 0 };
	size_t n = 0;
	int rc;

	if (size < 1)
		return 0;
	if (!rules && logfield_rules_builtin(&rules, &err) < 0)
		abort();
	o.format = fmts[data[0] % 3];
	o.encoding = encs[(data[0] / 3) % 3];
	if (data[0] & 0x80)
		o.map = "user=利用者ID,patient=患者ID,time=日時,action=操作,result=結果,host=端末";
	rc = logimport_read_buf((const char *)data + 1, size - 1, "f.txt", &o, rules, each, &n, &st,
				&err);
	if (rc == 0) {
		CHECK(st.bad == 0 && st.nproblems == 0);
		CHECK(n == st.events);
	} else {
		CHECK(rc == MAMORI_EINVAL);
		CHECK(n == 0);
		CHECK(st.nproblems >= 1 && st.nproblems <= LOGIMPORT_MAX_PROBLEMS);
		CHECK(st.bad >= st.nproblems);
		for (size_t i = 0; i < st.nproblems; i++)
			CHECK(!strncmp(st.problems[i], "f.txt:", 6));
		CHECK(strlen(err.msg) < MAMORI_ERR_MAX);
	}
	logimport_stats_release(&st);
	return 0;
}
