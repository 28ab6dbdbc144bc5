/*
 * test_logimport.c - `mamori log import` (src/core/logimport.c): syslog
 * lines, CSV in UTF-8 (with BOM) and CP932 with a Japanese column mapping,
 * JSON lines, the time formats, and all-or-nothing: a bad line means no
 * event at all and a problem naming FILE:LINE.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "enc.h"
#include "logfield.h"
#include "logimport.h"
#include "testutil.h"

#define RECV ((int64_t)1795219200 * 1000000) /* 2026-11-21T00:00:00Z */

static struct logfield_rules *rules;

static int setup(void **state)
{
	struct mamori_err err = { 0 };

	if (logfield_rules_builtin(&rules, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	logfield_rules_free(rules);
	return 0;
}

/* What the callback saw. */
struct seen {
	size_t n;
	unsigned line[16];
	struct log_event ev[16];
	char *msg[16];
	int stop_at; /* return an error at this event (1-based), 0: never */
};

static int collect(void *ctx, struct log_event *ev, unsigned line, struct mamori_err *err)
{
	struct seen *s = ctx;
	struct strbuf peer = STRBUF_INIT;
	int rc;

	if (s->stop_at && (int)s->n + 1 == s->stop_at)
		return mamori_err_set(err, MAMORI_EIO, "stop");
	if (s->n >= 16) {
		s->n++;
		return 0;
	}
	s->line[s->n] = line;
	log_event_init(&s->ev[s->n]);
	rc = log_event_parse(&s->ev[s->n], ev->record.buf, ev->record.len, &peer, err);
	assert_int_equal(rc, 0);
	assert_string_equal(peer.buf, "audit.csv");
	s->msg[s->n] = xstrndup(ev->record.buf + ev->msg_off, ev->record.len - ev->msg_off);
	s->n++;
	strbuf_release(&peer);
	return 0;
}

static void seen_release(struct seen *s)
{
	for (size_t i = 0; i < s->n && i < 16; i++) {
		log_event_release(&s->ev[i]);
		free(s->msg[i]);
	}
	memset(s, 0, sizeof(*s));
}

static int run(const char *data, size_t len, const struct logimport_opts *o, struct seen *s,
	       struct logimport_stats *st, struct mamori_err *err)
{
	struct logimport_opts def = { 0 };

	memset(st, 0, sizeof(*st));
	def = *o;
	def.recv_us = RECV;
	def.peer = "audit.csv";
	return logimport_read_buf(data, len, "audit.csv", &def, rules, collect, s, st, err);
}

static void expect_str(const char *what, const char *got, const char *want)
{
	if (!want && !got)
		return;
	if (!want || !got || strcmp(got, want))
		fail_msg("%s: got [%s], want [%s]", what, got ? got : "(null)",
			 want ? want : "(null)");
}

static void test_syslog_lines(void **state)
{
	const char *text =
		"<38>Nov 21 09:30:01 web01 sshd[2412]: Accepted publickey for yamada from 192.168.10.23 port 51522 ssh2\r\n"
		"\n"
		"<110>1 2026-11-21T09:30:01.5+09:00 ehr-app01 EHR 4123 AUDIT [ehrAudit@32473 user=\"D1\" patient=\"P9\" action=\"参照\" result=\"成功\" terminal=\"T1\"] x\n"
		"\xff\xfe broken but kept";
	struct logimport_opts o = { .format = LOGIMPORT_SYSLOG };
	struct logimport_stats st;
	struct mamori_err err = { 0 };
	struct seen s = { 0 };

	ASSERT_RC(0, run(text, strlen(text), &o, &s, &st, &err), err);
	assert_int_equal(s.n, 3);
	assert_int_equal(st.events, 3);
	assert_int_equal(st.lines, 4);
	assert_int_equal(s.line[0], 1);
	assert_int_equal(s.line[1], 3);
	assert_int_equal(s.line[2], 4);
	assert_int_equal(s.ev[0].via, LOG_VIA_FILE);
	assert_int_equal(s.ev[0].recv_us, RECV);
	expect_str("user", s.ev[0].f.user, "yamada");
	expect_str("source", s.ev[0].f.source, "192.168.10.23");
	/* the CR of CRLF is not part of the message */
	expect_str("msg", s.msg[0],
		   "<38>Nov 21 09:30:01 web01 sshd[2412]: Accepted publickey for yamada from 192.168.10.23 port 51522 ssh2");
	expect_str("patient", s.ev[1].f.patient, "P9");
	expect_str("action", s.ev[1].f.action, "view");
	assert_int_equal(s.ev[1].time_us, RECV + 1801500000);
	assert_true(s.ev[2].flags & SYSLOG_F_BAD_UTF8);
	seen_release(&s);
	logimport_stats_release(&st);

	/* a NUL byte: nothing at all, the line named */
	{
		const char bad[] = "<13>ok line\n<13>also ok\nbin\0ary\n";

		ASSERT_RC(MAMORI_EINVAL, run(bad, sizeof(bad) - 1, &o, &s, &st, &err), err);
		assert_int_equal(s.n, 0);
		assert_int_equal(st.events, 0);
		testutil_assert_contains(err.msg, "audit.csv:3: NUL");
		logimport_stats_release(&st);
	}
}

#define CSV_HEAD "日時,利用者ID,患者ID,操作,結果,端末\r\n"
#define MAP "user=利用者ID,patient=患者ID,time=日時,action=操作,result=結果,host=端末"

static void test_csv_utf8_bom(void **state)
{
	const char *text = "\xEF\xBB\xBF" CSV_HEAD
			   "2026/11/21 9:30:01,D12345,0001234567,参照,成功,WS-3F-012\r\n"
			   "\r\n"
			   "2026-11-21 09:31:00,N0042, 0009876543 ,印刷,NG,\"WS,2\"\r\n"
			   "2026-11-21T00:32:00Z,N0042,0009876543,承認,,WS-2\r\n";
	struct logimport_opts o = { .format = LOGIMPORT_CSV, .map = MAP };
	struct logimport_stats st;
	struct mamori_err err = { 0 };
	struct seen s = { 0 };

	ASSERT_RC(0, run(text, strlen(text), &o, &s, &st, &err), err);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.line[0], 2);
	assert_int_equal(s.line[1], 4);
	/* 9:30:01 Tokyo = 00:30:01Z */
	assert_int_equal(s.ev[0].time_us, RECV + 1801 * (int64_t)1000000);
	expect_str("user", s.ev[0].f.user, "D12345");
	expect_str("patient", s.ev[0].f.patient, "0001234567");
	expect_str("host", s.ev[0].f.host, "WS-3F-012");
	expect_str("action", s.ev[0].f.action, "view");
	assert_int_equal(s.ev[0].f.result, LOG_RESULT_SUCCESS);
	expect_str("rule", s.ev[0].f.rule, "import");
	assert_int_equal(s.ev[0].flags, 0);
	expect_str("msg", s.msg[0], "2026/11/21 9:30:01,D12345,0001234567,参照,成功,WS-3F-012");
	expect_str("patient trimmed", s.ev[1].f.patient, "0009876543");
	expect_str("action", s.ev[1].f.action, "print");
	assert_int_equal(s.ev[1].f.result, LOG_RESULT_FAILURE);
	expect_str("quoted host", s.ev[1].f.host, "WS,2");
	expect_str("msg", s.msg[1], "2026-11-21 09:31:00,N0042, 0009876543 ,印刷,NG,\"WS,2\"");
	expect_str("unknown action kept", s.ev[2].f.action, "承認");
	assert_int_equal(s.ev[2].f.result, LOG_RESULT_UNKNOWN);
	assert_int_equal(s.ev[2].time_us, RECV + 1920 * (int64_t)1000000);
	seen_release(&s);
	logimport_stats_release(&st);
}

static void test_csv_cp932(void **state)
{
	const char *utf8 = CSV_HEAD "2026/11/21 09:30:01,医師01,0001234567,更新,失敗,病棟３Ｆ\r\n";
	char *sjis = NULL;
	size_t n = 0;
	struct logimport_opts o = { .format = LOGIMPORT_CSV, .map = MAP };
	struct logimport_stats st;
	struct mamori_err err = { 0 };
	struct seen s = { 0 };

	ASSERT_RC(0, enc_from_utf8(utf8, strlen(utf8), ENC_CP932, &sjis, &n, &err), err);
	assert_false(enc_valid_utf8(sjis, n));
	ASSERT_RC(0, run(sjis, n, &o, &s, &st, &err), err);
	assert_int_equal(s.n, 1);
	expect_str("user", s.ev[0].f.user, "医師01");
	expect_str("host", s.ev[0].f.host, "病棟３Ｆ");
	expect_str("action", s.ev[0].f.action, "update");
	assert_int_equal(s.ev[0].f.result, LOG_RESULT_FAILURE);
	/* the message is the line converted to UTF-8 */
	expect_str("msg", s.msg[0], "2026/11/21 09:30:01,医師01,0001234567,更新,失敗,病棟３Ｆ");
	seen_release(&s);
	logimport_stats_release(&st);
	free(sjis);

	/* forced UTF-8 on CP932 bytes: a problem, nothing imported */
	ASSERT_RC(0, enc_from_utf8(utf8, strlen(utf8), ENC_CP932, &sjis, &n, &err), err);
	o.encoding = ENC_UTF8;
	ASSERT_RC(MAMORI_EINVAL, run(sjis, n, &o, &s, &st, &err), err);
	assert_int_equal(s.n, 0);
	testutil_assert_contains(err.msg, "audit.csv:1: ");
	logimport_stats_release(&st);
	free(sjis);
}

static void test_csv_bad_rows(void **state)
{
	const char *text = CSV_HEAD "2026/11/21 09:30:01,D1,P1,参照,成功,T1\n"
				    "2026/11/21 25:30:01,D1,P1,参照,成功,T1\n"
				    "2026/11/21 09:30:01,D1,P1,参照,まあまあ,T1\n"
				    ",D1,P1,参照,成功,T1\n"
				    "2026/11/21 09:30:01,D1\n"
				    "2026/11/21 09:30:01,D1,P1,参照,成功,T1\n";
	struct logimport_opts o = { .format = LOGIMPORT_CSV, .map = MAP };
	struct logimport_stats st;
	struct mamori_err err = { 0 };
	struct seen s = { 0 };

	ASSERT_RC(MAMORI_EINVAL, run(text, strlen(text), &o, &s, &st, &err), err);
	assert_int_equal(s.n, 0);
	assert_int_equal(st.events, 0);
	assert_int_equal(st.bad, 4);
	assert_int_equal(st.nproblems, 4);
	testutil_assert_contains(st.problems[0], "audit.csv:3: 日時「2026/11/21 25:30:01」を読めません");
	testutil_assert_contains(st.problems[1], "audit.csv:4: 結果「まあまあ」を成功/失敗として読めません");
	testutil_assert_contains(st.problems[2], "audit.csv:5: 日時（列「日時」）が空です");
	testutil_assert_contains(st.problems[3], "audit.csv:6: 列が 2 個しかありません");
	testutil_assert_contains(err.msg, "4 行に問題があるため、何も取り込んでいません");
	testutil_assert_contains(err.msg, "audit.csv:6:");
	logimport_stats_release(&st);

	/* a mapped column missing from the header */
	o.map = "user=利用者ID,patient=患者番号";
	ASSERT_RC(MAMORI_EINVAL, run(text, strlen(text), &o, &s, &st, &err), err);
	testutil_assert_contains(err.msg, "audit.csv:1: 患者ID の列「患者番号」が見出し行にありません");
	logimport_stats_release(&st);

	/* a bad mapping */
	o.map = "user=利用者ID,who=x";
	ASSERT_RC(MAMORI_EINVAL, run(text, strlen(text), &o, &s, &st, &err), err);
	testutil_assert_contains(err.msg, "対応の項目「who」は不明です");
	logimport_stats_release(&st);

	/* malformed CSV */
	o.map = MAP;
	ASSERT_RC(MAMORI_EINVAL, run(CSV_HEAD "a,\"b\n", strlen(CSV_HEAD "a,\"b\n"), &o, &s, &st, &err),
		  err);
	testutil_assert_contains(err.msg, "audit.csv:2: ");
	logimport_stats_release(&st);
}

static void test_many_problems(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct logimport_opts o = { .format = LOGIMPORT_CSV, .map = MAP };
	struct logimport_stats st;
	struct mamori_err err = { 0 };
	struct seen s = { 0 };

	strbuf_addstr(&sb, CSV_HEAD);
	for (int i = 0; i < 25; i++)
		strbuf_addstr(&sb, "yesterday,D1,P1,参照,成功,T1\n");
	ASSERT_RC(MAMORI_EINVAL, run(sb.buf, sb.len, &o, &s, &st, &err), err);
	assert_int_equal(st.bad, 25);
	assert_int_equal(st.nproblems, LOGIMPORT_MAX_PROBLEMS);
	testutil_assert_contains(st.problems[19], "audit.csv:21:");
	testutil_assert_contains(err.msg, "25 行に問題がある");
	testutil_assert_contains(err.msg, "…ほか");
	assert_true(strlen(err.msg) < MAMORI_ERR_MAX);
	logimport_stats_release(&st);
	strbuf_release(&sb);
}

static void test_jsonl(void **state)
{
	const char *text =
		"{\"ts\":\"2026-11-21T09:30:01+09:00\",\"uid\":\"D1\",\"pid\":1234567,\"op\":\"export\",\"ok\":true}\n"
		"   \n"
		"{\"ts\":\"2026-11-21 09:30:02\",\"uid\":\"D2\",\"pid\":null,\"op\":\"ダウンロード\",\"ok\":\"NG\",\"x\":[1]}\n";
	struct logimport_opts o = { .format = LOGIMPORT_JSONL,
				    .map = "time=ts,user=uid,patient=pid,action=op,result=ok" };
	struct logimport_stats st;
	struct mamori_err err = { 0 };
	struct seen s = { 0 };

	ASSERT_RC(0, run(text, strlen(text), &o, &s, &st, &err), err);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.line[1], 3);
	expect_str("patient", s.ev[0].f.patient, "1234567");
	expect_str("action", s.ev[0].f.action, "export");
	assert_int_equal(s.ev[0].f.result, LOG_RESULT_SUCCESS);
	assert_int_equal(s.ev[0].time_us, RECV + 1801 * (int64_t)1000000);
	assert_null(s.ev[1].f.patient);
	expect_str("action", s.ev[1].f.action, "export");
	assert_int_equal(s.ev[1].f.result, LOG_RESULT_FAILURE);
	expect_str("msg", s.msg[0],
		   "{\"ts\":\"2026-11-21T09:30:01+09:00\",\"uid\":\"D1\",\"pid\":1234567,\"op\":\"export\",\"ok\":true}");
	seen_release(&s);
	logimport_stats_release(&st);

	text = "{\"ts\":\"2026-11-21 09:30:01\",\"uid\":\"D1\"}\n"
	       "{\"ts\":\"2026-11-21 09:30:01\",\"uid\":\"D1\"\n"
	       "[1,2]\n"
	       "{\"ts\":\"2026-11-21 09:30:01\",\"uid\":{\"a\":1}}\n";
	ASSERT_RC(MAMORI_EINVAL, run(text, strlen(text), &o, &s, &st, &err), err);
	assert_int_equal(s.n, 0);
	assert_int_equal(st.bad, 3);
	testutil_assert_contains(st.problems[0], "audit.csv:2: JSON として読めません");
	testutil_assert_contains(st.problems[1], "audit.csv:3: JSON のオブジェクト");
	testutil_assert_contains(st.problems[2], "audit.csv:4: キー「uid」の値");
	logimport_stats_release(&st);
}

static void expect_time(const char *s, int64_t want)
{
	struct mamori_err err = { 0 };
	int64_t got = 0;

	ASSERT_RC(0, logimport_parse_time(s, &got, &err), err);
	if (got != want)
		fail_msg("%s: got %lld, want %lld", s, (long long)got, (long long)want);
}

static void test_times(void **state)
{
	const int64_t z = RECV; /* 2026-11-21T00:00:00Z = 09:00 Tokyo */
	const int64_t sec = 1000000;
	const char *bad[] = { "", "2026", "2026-11-21", "2026-13-01 00:00:00", "2026-02-29 00:00:00",
			      "2026-11-21 24:00:00", "2026-11-21 9:5:00", "2026/11-21 09:00",
			      "2026-11-21 09:00:00 JST", "2026-11-21 09:00:00+9", "21/11/2026 09:00",
			      "2026-11-21 09:00:00.", "2026/11/21T09:00:00", "2026-11-21 09:00:00Zx" };
	struct mamori_err err = { 0 };
	int64_t t;

	expect_time("2026-11-21T00:00:00Z", z);
	expect_time("2026-11-21T09:00:00+09:00", z);
	expect_time("2026-11-20T19:00:00-05:00", z);
	expect_time("2026-11-21T09:00:00", z); /* no zone: Tokyo */
	expect_time("2026-11-21 09:00:00", z);
	expect_time("2026/11/21 09:00:00", z);
	expect_time("2026/11/21 9:00", z);
	expect_time("2026/1/5 9:03:07", z - (320 * 86400 - 187) * sec);
	expect_time("2026-11-21 09:00:00.25", z + 250000);
	expect_time("2026-11-21T00:00:00.123456789Z", z + 123456);
	expect_time("2026-11-21 00:00:00 +0000", z);
	expect_time("2026-11-21 00:00:00Z", z);
	expect_time("2028-02-29 09:00:00", ((int64_t)1835395200) * sec);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (logimport_parse_time(bad[i], &t, &err) != MAMORI_EINVAL)
			fail_msg("accepted [%s]", bad[i]);
		testutil_assert_contains(err.msg, "を読めません");
	}
}

static void test_stop_and_interrupt(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct logimport_opts o = { .format = LOGIMPORT_SYSLOG };
	struct logimport_stats st;
	struct mamori_err err = { 0 };
	struct seen s = { .stop_at = 2 };

	for (int i = 0; i < 1100; i++)
		strbuf_addf(&sb, "<13>line %d\n", i);
	ASSERT_RC(MAMORI_EIO, run(sb.buf, sb.len, &o, &s, &st, &err), err);
	assert_int_equal(s.n, 1);
	seen_release(&s);
	logimport_stats_release(&st);

	mamori_interrupted = 1;
	ASSERT_RC(MAMORI_EINTR, run(sb.buf, sb.len, &o, &s, &st, &err), err);
	mamori_interrupted = 0;
	assert_int_equal(s.n, 0);
	testutil_assert_contains(err.msg, "何も取り込んでいません");
	logimport_stats_release(&st);
	strbuf_release(&sb);
}

static int count(void *ctx, struct log_event *ev, unsigned line, struct mamori_err *err)
{
	(*(size_t *)ctx)++;
	return 0;
}

static void test_file_and_format(void **state)
{
	char *dir = testutil_mkdtemp("logimport");
	char *path;
	FILE *f;
	struct logimport_opts o = { 0 };
	struct logimport_stats st = { 0 };
	struct mamori_err err = { 0 };
	enum logimport_format fmt;
	size_t n = 0;

	assert_non_null(dir);
	path = xasprintf("%s/export.jsonl", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"user\":\"D1\",\"patient\":\"P1\",\"time\":\"2026-11-21 09:00:00\"}\n", f);
	fclose(f);
	ASSERT_RC(0, logimport_read(path, &o, rules, count, &n, &st, &err), err);
	assert_int_equal(n, 1);
	assert_int_equal(st.format, LOGIMPORT_JSONL);
	logimport_stats_release(&st);
	ASSERT_RC(MAMORI_ENOTFOUND, logimport_read("/nonexistent/x.log", &o, rules, count, &n, &st, &err),
		  err);
	logimport_stats_release(&st);
	ASSERT_RC(0, logimport_format_parse("CSV", &fmt, &err), err);
	assert_int_equal(fmt, LOGIMPORT_CSV);
	ASSERT_RC(MAMORI_EINVAL, logimport_format_parse("xml", &fmt, &err), err);
	free(path);
	testutil_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_syslog_lines),
		cmocka_unit_test(test_csv_utf8_bom),
		cmocka_unit_test(test_csv_cp932),
		cmocka_unit_test(test_csv_bad_rows),
		cmocka_unit_test(test_many_problems),
		cmocka_unit_test(test_jsonl),
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_stop_and_interrupt),
		cmocka_unit_test(test_file_and_format),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
