/*
 * test_logevent.c - unit tests of the access-log event record
 * (src/core/logevent.c): the exact bytes log_event_seal() writes, the leaf
 * hash, escaping, the round trip through log_event_parse(), and parse's
 * refusal of every record that is not in the canonical form.
 */
#include "common.h"

#include <inttypes.h>
#include <setjmp.h>
#include <cmocka.h>

#include "logevent.h"
#include "testutil.h"

/* 2026-04-01T09:30:15.123456Z */
#define T1 ((int64_t)1775035815 * 1000000 + 123456)

static void build(struct log_event *ev)
{
	log_event_init(ev);
	ev->recv_us = T1;
	ev->time_us = T1 - 1500000;
	ev->via = LOG_VIA_RELP;
	ev->flags = 5;
	ev->f.user = xstrdup("yamada");
	ev->f.patient = xstrdup("P-0001");
	ev->f.host = xstrdup("ehr01");
	ev->f.action = xstrdup("view");
	ev->f.result = LOG_RESULT_SUCCESS;
	ev->f.source = xstrdup("10.0.0.5");
	ev->f.rule = "ehr";
}

static void test_seal_exact(void **state)
{
	struct log_event ev;
	const char *want = "MAMORI-LOG 1\n"
			   "recv 2026-04-01T09:30:15.123456Z\n"
			   "via relp\n"
			   "peer 127.0.0.1:514\n"
			   "time 2026-04-01T09:30:13.623456Z\n"
			   "user yamada\n"
			   "patient P-0001\n"
			   "host ehr01\n"
			   "action view\n"
			   "result success\n"
			   "source 10.0.0.5\n"
			   "flags 5\n"
			   "rule ehr\n"
			   "len 5\n"
			   "\n"
			   "hello";
	uint8_t leaf[MERKLE_HASH_LEN];

	(void)state;
	build(&ev);
	log_event_seal(&ev, "127.0.0.1:514", "hello", 5);
	assert_int_equal(ev.record.len, strlen(want));
	assert_memory_equal(ev.record.buf, want, ev.record.len);
	assert_int_equal(ev.msg_off, strlen(want) - 5);
	merkle_leaf_hash(want, strlen(want), leaf);
	assert_memory_equal(ev.leaf, leaf, MERKLE_HASH_LEN);
	log_event_release(&ev);
}

/* The times written keep the seconds of the last two: receipt and event
 * times that take turns, repeat, go back or cross a day and a year are
 * each written as themselves. */
static void test_seal_times(void **state)
{
	static const struct {
		int64_t recv, time;
		const char *recv_text, *time_text;
	} cases[] = {
		{ T1, T1 - 1500000, "2026-04-01T09:30:15.123456Z", "2026-04-01T09:30:13.623456Z" },
		{ T1 + 1, T1 - 1500000, "2026-04-01T09:30:15.123457Z", "2026-04-01T09:30:13.623456Z" },
		{ T1 + 876544, T1 - 123456, "2026-04-01T09:30:16.000000Z", "2026-04-01T09:30:15.000000Z" },
		{ T1, T1 + 876543, "2026-04-01T09:30:15.123456Z", "2026-04-01T09:30:15.999999Z" },
		{ T1 - 1500000, T1, "2026-04-01T09:30:13.623456Z", "2026-04-01T09:30:15.123456Z" },
		{ (int64_t)1798761599 * 1000000 + 999999, (int64_t)1798761600 * 1000000,
		  "2026-12-31T23:59:59.999999Z", "2027-01-01T00:00:00.000000Z" },
		{ (int64_t)1798761600 * 1000000, (int64_t)1798761599 * 1000000 + 999999,
		  "2027-01-01T00:00:00.000000Z", "2026-12-31T23:59:59.999999Z" },
		{ 0, 1, "1970-01-01T00:00:00.000000Z", "1970-01-01T00:00:00.000001Z" },
		{ T1, T1 - 1500000, "2026-04-01T09:30:15.123456Z", "2026-04-01T09:30:13.623456Z" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct log_event ev;
		char want[128];
		const char *rec;

		build(&ev);
		ev.recv_us = cases[i].recv;
		ev.time_us = cases[i].time;
		log_event_seal(&ev, "127.0.0.1:514", "hello", 5);
		rec = ev.record.buf;
		snprintf(want, sizeof(want), "MAMORI-LOG 1\nrecv %s\nvia relp\npeer 127.0.0.1:514\ntime %s\n",
			 cases[i].recv_text, cases[i].time_text);
		if (strncmp(rec, want, strlen(want)))
			fail_msg("case %zu: got [%.*s], want [%s]", i, (int)strlen(want), rec, want);
		log_event_release(&ev);
	}
}

/* With leaf_later the record is the same and the leaf is left untouched
 * until log_event_hash_leaf(), which gives the leaf sealing would have. */
static void test_seal_leaf_later(void **state)
{
	struct log_event now, later;
	uint8_t zero[MERKLE_HASH_LEN] = { 0 };

	(void)state;
	build(&now);
	build(&later);
	later.leaf_later = true;
	log_event_seal(&now, "127.0.0.1:514", "hello", 5);
	log_event_seal(&later, "127.0.0.1:514", "hello", 5);
	assert_int_equal(later.record.len, now.record.len);
	assert_memory_equal(later.record.buf, now.record.buf, now.record.len);
	assert_true(later.leaf_later);
	assert_memory_equal(later.leaf, zero, MERKLE_HASH_LEN);
	log_event_hash_leaf(&later);
	assert_false(later.leaf_later);
	assert_memory_equal(later.leaf, now.leaf, MERKLE_HASH_LEN);
	log_event_release(&now);
	log_event_release(&later);
}

static void test_seal_unknown(void **state)
{
	struct log_event ev;
	const char *want = "MAMORI-LOG 1\n"
			   "recv 1970-01-01T00:00:00.000000Z\n"
			   "via udp\n"
			   "peer -\n"
			   "time -\n"
			   "user -\n"
			   "patient -\n"
			   "host -\n"
			   "action -\n"
			   "result -\n"
			   "source -\n"
			   "flags 0\n"
			   "rule -\n"
			   "len 0\n"
			   "\n";

	(void)state;
	log_event_init(&ev);
	ev.f.user = xstrdup(""); /* empty means unknown */
	log_event_seal(&ev, NULL, NULL, 0);
	assert_null(ev.f.user);
	assert_int_equal(ev.record.len, strlen(want));
	assert_memory_equal(ev.record.buf, want, ev.record.len);
	log_event_release(&ev);
}

static void roundtrip(struct log_event *ev, const char *peer, const char *msg, size_t msg_len)
{
	struct mamori_err err = { 0 };
	struct log_event back;
	struct strbuf p = STRBUF_INIT;

	log_event_seal(ev, peer, msg, msg_len);
	log_event_init(&back);
	ASSERT_RC(0, log_event_parse(&back, ev->record.buf, ev->record.len, &p, &err), err);
	assert_int_equal(back.recv_us, ev->recv_us);
	assert_int_equal(back.time_us, ev->time_us);
	assert_int_equal(back.via, ev->via);
	assert_int_equal(back.flags, ev->flags);
	assert_int_equal(back.f.result, ev->f.result);
#define SAME(x)                                                                            \
	do {                                                                               \
		if (ev->f.x)                                                               \
			assert_string_equal(back.f.x, ev->f.x);                            \
		else                                                                       \
			assert_null(back.f.x);                                             \
	} while (0)
	SAME(user);
	SAME(patient);
	SAME(host);
	SAME(action);
	SAME(source);
	SAME(rule);
#undef SAME
	assert_string_equal(p.buf, peer ? peer : "");
	assert_int_equal(back.record.len, ev->record.len);
	assert_memory_equal(back.record.buf, ev->record.buf, ev->record.len);
	assert_memory_equal(back.leaf, ev->leaf, MERKLE_HASH_LEN);
	assert_int_equal(back.msg_off, ev->msg_off);
	assert_int_equal(back.record.len - back.msg_off, msg_len);
	if (msg_len)
		assert_memory_equal(back.record.buf + back.msg_off, msg, msg_len);
	/* sealing the parsed event again gives the same bytes */
	{
		struct strbuf copy = STRBUF_INIT;

		strbuf_add(&copy, back.record.buf, back.record.len);
		log_event_seal(&back, p.buf, copy.buf + back.msg_off, copy.len - back.msg_off);
		assert_int_equal(back.record.len, copy.len);
		assert_memory_equal(back.record.buf, copy.buf, copy.len);
		strbuf_release(&copy);
	}
	log_event_release(&back);
	strbuf_release(&p);
}

static void test_roundtrip(void **state)
{
	struct log_event ev;
	static const char msg[] = "<13>1 2026-04-01T09:30:13Z h a - - - x\n\0y\xff";

	(void)state;
	build(&ev);
	roundtrip(&ev, "192.0.2.1:50514", msg, sizeof(msg) - 1);
	free(ev.f.user);
	ev.f.user = xstrdup("山田\\太郎\n\t\x01\x7f\xff\xe3\x81");
	free(ev.f.patient);
	ev.f.patient = xstrdup("-");
	free(ev.f.host);
	ev.f.host = NULL;
	ev.time_us = INT64_MIN;
	ev.f.result = LOG_RESULT_FAILURE;
	ev.f.rule = NULL;
	ev.via = LOG_VIA_FILE;
	ev.flags = UINT32_MAX;
	roundtrip(&ev, "import/ehr 2026.csv", "", 0);
	testutil_assert_contains(ev.record.buf,
				 "user 山田\\\\太郎\\n\\t\\x01\\x7f\\xff\\xe3\\x81\n");
	testutil_assert_contains(ev.record.buf, "patient \\x2d\n");
	testutil_assert_contains(ev.record.buf, "host -\n");
	/* times far from now and before 1970 */
	ev.recv_us = -1;
	ev.time_us = (int64_t)-62135596800LL * 1000000;
	roundtrip(&ev, NULL, "x", 1);
	testutil_assert_contains(ev.record.buf, "recv 1969-12-31T23:59:59.999999Z\n");
	testutil_assert_contains(ev.record.buf, "time 0001-01-01T00:00:00.000000Z\n");
	ev.time_us = (int64_t)253402300799LL * 1000000 + 999999;
	roundtrip(&ev, NULL, "x", 1);
	testutil_assert_contains(ev.record.buf, "time 9999-12-31T23:59:59.999999Z\n");
	/* out of range: no event time, receipt time 0 */
	ev.time_us = INT64_MAX;
	ev.recv_us = INT64_MIN + 1;
	roundtrip(&ev, NULL, "x", 1);
	assert_int_equal(ev.time_us, INT64_MIN);
	assert_int_equal(ev.recv_us, 0);
	log_event_release(&ev);
}

static void test_cut_fields(void **state)
{
	struct log_event ev;
	char big[LOG_FIELD_MAX + 10];

	(void)state;
	log_event_init(&ev);
	/* "あ" is 3 bytes: 86 of them are 258 bytes, cut to 85 (255 bytes) */
	big[0] = '\0';
	for (int i = 0; i < 86; i++)
		memcpy(big + 3 * i, "あ", 4);
	ev.f.user = xstrdup(big);
	roundtrip(&ev, "p", "m", 1);
	assert_int_equal(strlen(ev.f.user), 255);
	/* the peer too (LOG_PEER_MAX 256) */
	{
		struct mamori_err err = { 0 };
		struct log_event back;
		struct strbuf peer = STRBUF_INIT;

		log_event_seal(&ev, big, "m", 1);
		log_event_init(&back);
		ASSERT_RC(0, log_event_parse(&back, ev.record.buf, ev.record.len, &peer, &err), err);
		assert_int_equal(peer.len, 255);
		assert_memory_equal(peer.buf, big, 255);
		log_event_release(&back);
		strbuf_release(&peer);
	}
	log_event_release(&ev);
}

static void expect_bad(const char *rec)
{
	struct mamori_err err = { 0 };
	struct log_event ev;

	log_event_init(&ev);
	if (log_event_parse(&ev, rec, strlen(rec), NULL, &err) != MAMORI_EINVAL)
		fail_msg("accepted: %s", rec);
	testutil_assert_contains(err.msg, "ログの記録が正しい形ではありません");
	assert_null(ev.f.user);
	log_event_release(&ev);
}

static void test_parse_rejects(void **state)
{
	struct log_event ev;
	struct strbuf good = STRBUF_INIT;
	struct mamori_err err = { 0 };
	static const struct {
		const char *from, *to;
	} edits[] = {
		{ "MAMORI-LOG 1", "MAMORI-LOG 2" },
		{ "recv 2026-04-01T09:30:15.123456Z", "recv 2026-04-01T09:30:15Z" },
		{ "recv 2026-04-01T09:30:15.123456Z", "recv 2026-02-30T09:30:15.123456Z" },
		{ "recv 2026-04-01T09:30:15.123456Z", "recv 2026-04-01T24:30:15.123456Z" },
		{ "via relp", "via smtp" },
		{ "user yamada", "user yam\\ada" },
		{ "user yamada", "user yam\\x61da" },   /* needless escape */
		{ "user yamada", "user yam\\x00da" },   /* NUL */
		{ "user yamada", "user yam\\x0ada" },   /* \n written as \x0a */
		{ "user yamada", "user yam\x01" "ada" }, /* raw control */
		{ "user yamada", "user yam\xff" "ada" }, /* raw invalid UTF-8 */
		{ "user yamada", "user " },
		{ "user yamada", "user\tyamada" },
		{ "patient P-0001", "patient P-0001 " "\\" },
		{ "result success", "result ok" },
		{ "flags 5", "flags 05" },
		{ "flags 5", "flags 4294967296" },
		{ "flags 5", "flags -1" },
		{ "len 5", "len 6" },
		{ "len 5", "len 4" },
		{ "len 5\n\n", "len 5\n" },
		{ "host ehr01\n", "" },
		{ "rule ehr\n", "rule ehr\nrule ehr\n" },
	};

	(void)state;
	build(&ev);
	log_event_seal(&ev, "127.0.0.1:514", "hello", 5);
	strbuf_add(&good, ev.record.buf, ev.record.len);
	for (size_t i = 0; i < ARRAY_SIZE(edits); i++) {
		const char *at = strstr(good.buf, edits[i].from);
		struct strbuf bad = STRBUF_INIT;

		assert_non_null(at);
		strbuf_add(&bad, good.buf, (size_t)(at - good.buf));
		strbuf_addstr(&bad, edits[i].to);
		strbuf_addstr(&bad, at + strlen(edits[i].from));
		expect_bad(bad.buf);
		strbuf_release(&bad);
	}
	/* every proper prefix is refused */
	for (size_t n = 0; n < good.len; n++) {
		struct log_event e2;

		log_event_init(&e2);
		assert_int_equal(log_event_parse(&e2, good.buf, n, NULL, &err), MAMORI_EINVAL);
		log_event_release(&e2);
	}
	expect_bad("");
	strbuf_release(&good);
	log_event_release(&ev);
}

static void test_names(void **state)
{
	struct mamori_err err = { 0 };
	enum log_result r;

	(void)state;
	assert_string_equal(log_result_name(LOG_RESULT_SUCCESS), "success");
	assert_string_equal(log_result_name(LOG_RESULT_FAILURE), "failure");
	assert_string_equal(log_result_name(LOG_RESULT_UNKNOWN), "-");
	assert_string_equal(log_via_name(LOG_VIA_UDP), "udp");
	assert_string_equal(log_via_name(LOG_VIA_TCP), "tcp");
	assert_string_equal(log_via_name(LOG_VIA_RELP), "relp");
	assert_string_equal(log_via_name(LOG_VIA_FILE), "file");
	ASSERT_RC(0, log_result_parse("success", &r, &err), err);
	assert_int_equal(r, LOG_RESULT_SUCCESS);
	ASSERT_RC(0, log_result_parse("failure", &r, &err), err);
	assert_int_equal(r, LOG_RESULT_FAILURE);
	assert_int_equal(log_result_parse("ok", &r, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "success");
}

static void test_fields_release(void **state)
{
	struct log_fields f;

	(void)state;
	log_fields_init(&f);
	f.user = xstrdup("a");
	f.source = xstrdup("b");
	f.rule = "r";
	log_fields_release(&f);
	assert_null(f.user);
	assert_null(f.source);
	assert_null(f.rule);
	log_fields_release(&f); /* twice is fine */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seal_exact),   cmocka_unit_test(test_seal_times),
		cmocka_unit_test(test_seal_leaf_later),
		cmocka_unit_test(test_seal_unknown),
		cmocka_unit_test(test_roundtrip),    cmocka_unit_test(test_cut_fields),
		cmocka_unit_test(test_parse_rejects), cmocka_unit_test(test_names),
		cmocka_unit_test(test_fields_release),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
