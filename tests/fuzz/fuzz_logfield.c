/*
 * fuzz_logfield.c - libFuzzer target for the field rules
 * (src/core/logfield.c): the rule-file parser and extraction on hostile
 * messages.
 *
 * Input: "RULES\n%%\nMESSAGE".  Without the separator the whole input is
 * both a rule file (loaded and thrown away) and a message.  The rules are
 * loaded (on error the built-in ones are used); the error must then be
 * "FILE:LINE: reason".  The message goes through logfield_event_from_syslog()
 * and extraction; invariants: every field is NULL or 1..LOG_FIELD_MAX bytes,
 * not "-", not starting or ending with a space, the rule name is one of the
 * rules', and the sealed record parses back to the same fields and leaf.
 */
#include "common.h"

#include "logfield.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct logfield_rules *builtin;

static void check_value(const char *v)
{
	size_t n;

	if (!v)
		return;
	n = strlen(v);
	CHECK(n >= 1 && n <= LOG_FIELD_MAX);
	CHECK(strcmp(v, "-"));
	CHECK(v[0] != ' ' && v[n - 1] != ' ');
}

static void same(const char *a, const char *b)
{
	CHECK((!a && !b) || (a && b && !strcmp(a, b)));
}

static void check_fields(const struct logfield_rules *r, const struct log_fields *f)
{
	bool known = !f->rule;

	check_value(f->user);
	check_value(f->patient);
	check_value(f->host);
	check_value(f->action);
	check_value(f->source);
	CHECK(f->result == LOG_RESULT_UNKNOWN || f->result == LOG_RESULT_SUCCESS ||
	      f->result == LOG_RESULT_FAILURE);
	for (size_t i = 0; i < logfield_rules_count(r) && !known; i++)
		known = f->rule == logfield_rules_name(r, i);
	CHECK(known);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data, *sep = memmem(d, size, "\n%%\n", 4);
	const char *msg = sep ? sep + 4 : d;
	size_t rlen = sep ? (size_t)(sep - d) : size, mlen = size - (size_t)(msg - d);
	struct mamori_err err = { 0 };
	struct logfield_rules *site = NULL, *r;
	struct log_event ev, back;
	struct strbuf peer = STRBUF_INIT;

	if (!builtin && logfield_rules_builtin(&builtin, &err) < 0)
		abort();
	if (logfield_rules_load(&site, d, rlen, "f.conf", &err) < 0) {
		CHECK(site == NULL);
		CHECK(!strncmp(err.msg, "f.conf:", 7));
		CHECK(err.msg[7] >= '1' && err.msg[7] <= '9');
	} else {
		CHECK(logfield_rules_count(site) >= logfield_rules_count(builtin));
	}
	r = site ? site : builtin;

	log_event_init(&ev);
	log_event_init(&back);
	logfield_event_from_syslog(r, &ev, msg, mlen, LOG_VIA_TCP, "192.0.2.1", 1795219200000000);
	check_fields(r, &ev.f);
	CHECK(log_event_parse(&back, ev.record.buf, ev.record.len, &peer, &err) == 0);
	same(back.f.user, ev.f.user);
	same(back.f.patient, ev.f.patient);
	same(back.f.host, ev.f.host);
	same(back.f.action, ev.f.action);
	same(back.f.source, ev.f.source);
	CHECK(back.f.result == ev.f.result);
	CHECK(!memcmp(back.leaf, ev.leaf, sizeof(ev.leaf)));
	log_event_release(&back);
	log_event_release(&ev);
	strbuf_release(&peer);
	logfield_rules_free(site);
	return 0;
}
