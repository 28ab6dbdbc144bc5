/*
 * test_syslog.c - the syslog message parser (src/core/syslog.c): the
 * examples of RFC 5424 section 6.5 and RFC 3164 section 5.4 verbatim, what
 * rsyslog, sshd, sudo, NXLog and an EHR send, and every malformed case being
 * kept with a flag and a reason.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "syslog.h"
#include "testutil.h"

#define REF_2026_11_21 ((time_t)1795219200) /* 2026-11-21T00:00:00Z */
#define REF_2027_01_01 ((time_t)1798761610) /* 2027-01-01T00:00:10Z */
#define BOM "\xEF\xBB\xBF"

/* m must be initialised (syslog_parse() releases what it held). */
static void parse(struct syslog_msg *m, const char *s, time_t ref)
{
	syslog_parse(m, s, strlen(s), SYSLOG_FMT_AUTO, ref);
	assert_int_equal(m->raw_len, strlen(s));
	assert_memory_equal(m->raw, s, m->raw_len);
}

static void expect_str(const char *what, const char *got, const char *want)
{
	if (!want && !got)
		return;
	if (!want || !got || strcmp(got, want))
		fail_msg("%s: got [%s], want [%s]", what, got ? got : "(null)",
			 want ? want : "(null)");
}

/* RFC 5424 6.5, example 1 (the "BOM" of the RFC text is the three bytes). */
static void test_rfc5424_example1(void **state)
{
	struct syslog_msg m;

	syslog_msg_init(&m);
	parse(&m, "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "
		  BOM "'su root' failed for lonvick on /dev/pts/8", REF_2026_11_21);
	assert_int_equal(m.format, SYSLOG_FMT_5424);
	assert_int_equal(m.facility, 4);
	assert_int_equal(m.severity, 2);
	assert_int_equal(m.version, 1);
	expect_str("ts", m.timestamp, "2003-10-11T22:14:15.003Z");
	expect_str("host", m.hostname, "mymachine.example.com");
	expect_str("app", m.app_name, "su");
	expect_str("procid", m.procid, NULL);
	expect_str("msgid", m.msgid, "ID47");
	assert_int_equal(m.nsd, 0);
	expect_str("body", m.body, "'su root' failed for lonvick on /dev/pts/8");
	assert_int_equal(m.flags, SYSLOG_F_BOM);
	assert_int_equal(m.reason.len, 0);
	syslog_msg_release(&m);
}

/* Example 2: a zone offset, normalised to UTC; the fraction kept. */
static void test_rfc5424_example2(void **state)
{
	struct syslog_msg m;

	syslog_msg_init(&m);
	parse(&m, "<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - "
		  "%% It's time to make the do-nuts.", REF_2026_11_21);
	assert_int_equal(m.facility, 20);
	assert_int_equal(m.severity, 5);
	expect_str("ts", m.timestamp, "2003-08-24T12:14:15.000003Z");
	assert_int_equal(m.time, 1061727255);
	expect_str("raw ts", m.time_raw, "2003-08-24T05:14:15.000003-07:00");
	expect_str("host", m.hostname, "192.0.2.1");
	expect_str("app", m.app_name, "myproc");
	expect_str("procid", m.procid, "8710");
	expect_str("msgid", m.msgid, NULL);
	expect_str("body", m.body, "%% It's time to make the do-nuts.");
	assert_int_equal(m.flags, 0);
	syslog_msg_release(&m);
}

/* Example 3: structured data and a BOM body. */
static void test_rfc5424_example3(void **state)
{
	struct syslog_msg m;

	syslog_msg_init(&m);
	parse(&m, "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
		  "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"] "
		  BOM "An application event log entry...", REF_2026_11_21);
	assert_int_equal(m.nsd, 1);
	expect_str("id", m.sd[0].id, "exampleSDID@32473");
	assert_int_equal(m.sd[0].nparams, 3);
	expect_str("p0", m.sd[0].params[0].name, "iut");
	expect_str("v0", m.sd[0].params[0].value, "3");
	expect_str("eventSource", syslog_sd_get(&m, "exampleSDID@32473", "eventSource"),
		   "Application");
	expect_str("eventID", syslog_sd_get(&m, "exampleSDID@32473", "eventID"), "1011");
	expect_str("body", m.body, "An application event log entry...");
	assert_int_equal(m.flags, SYSLOG_F_BOM);
	syslog_msg_release(&m);
}

/* Example 4: two elements and no MSG. */
static void test_rfc5424_example4(void **state)
{
	struct syslog_msg m;

	syslog_msg_init(&m);
	parse(&m, "<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 "
		  "[exampleSDID@32473 iut=\"3\" eventSource=\"Application\" eventID=\"1011\"]"
		  "[examplePriority@32473 class=\"high\"]", REF_2026_11_21);
	assert_int_equal(m.nsd, 2);
	expect_str("class", syslog_sd_get(&m, "examplePriority@32473", "class"), "high");
	assert_int_equal(m.body_len, 0);
	expect_str("body", m.body, "");
	assert_int_equal(m.flags, 0);
	syslog_msg_release(&m);
}

/* RFC 3164 5.4, the four examples, received on 2026-11-21. */
static void test_rfc3164_examples(void **state)
{
	struct syslog_msg m;

	syslog_msg_init(&m);
	parse(&m, "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
	      REF_2026_11_21);
	assert_int_equal(m.format, SYSLOG_FMT_3164);
	assert_int_equal(m.facility, 4);
	assert_int_equal(m.severity, 2);
	expect_str("ts", m.timestamp, "2026-10-11T22:14:15");
	expect_str("host", m.hostname, "mymachine");
	expect_str("app", m.app_name, "su");
	expect_str("body", m.body, "'su root' failed for lonvick on /dev/pts/8");
	assert_int_equal(m.flags, SYSLOG_F_NO_YEAR | SYSLOG_F_NO_ZONE);
	testutil_assert_contains(m.reason.buf, "年がありません");

	parse(&m, "<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!", REF_2026_11_21);
	expect_str("ts", m.timestamp, "2027-02-05T17:32:18"); /* nearer than 2026-02 */
	expect_str("host", m.hostname, "10.0.0.99");
	expect_str("app", m.app_name, NULL);
	expect_str("body", m.body, "Use the BFG!");

	parse(&m, "<165>Aug 24 05:34:00 CST 1987 mymachine myproc[10]: %% It's time to make the "
		  "do-nuts.  %%  Ingredients: Mix=OK, Jelly=OK # Devices: Mixer=OK, "
		  "Jelly_Injector=OK, Frier=OK # Transport: Conveyer1=OK, Conveyer2=OK # %%",
	      REF_2026_11_21);
	expect_str("ts", m.timestamp, "2026-08-24T05:34:00");
	expect_str("host", m.hostname, "CST"); /* as RFC 3164 says a relay would read it */
	testutil_assert_contains(m.body, "1987 mymachine myproc[10]: %% It's time");

	/* no readable timestamp: the whole rest is the text (RFC 3164 4.3.3) */
	parse(&m, "<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: "
		  "That's All Folks!", REF_2026_11_21);
	assert_int_equal(m.facility, 0);
	assert_int_equal(m.severity, 0);
	assert_null(m.timestamp);
	assert_null(m.hostname);
	assert_true(m.flags & SYSLOG_F_NO_TIME);
	expect_str("body", m.body, "1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org "
		   "10.1.2.3 sched[0]: That's All Folks!");
	syslog_msg_release(&m);
}

/* The year rule across New Year, and 29 February. */
static void test_missing_year(void **state)
{
	struct syslog_msg m;

	syslog_msg_init(&m);
	parse(&m, "<13>Dec 31 23:59:50 host app: x", REF_2027_01_01);
	expect_str("dec31", m.timestamp, "2026-12-31T23:59:50");
	parse(&m, "<13>Jan  1 00:00:20 host app: x", REF_2027_01_01);
	expect_str("jan1", m.timestamp, "2027-01-01T00:00:20");
	parse(&m, "<13>Feb 29 10:00:00 host app: x", (time_t)1835481600); /* 2028-03-01 */
	expect_str("leap", m.timestamp, "2028-02-29T10:00:00");
	parse(&m, "<13>Feb 29 10:00:00 host app: x", REF_2026_11_21); /* 2025..2027: none */
	assert_null(m.timestamp);
	assert_true(m.flags & SYSLOG_F_BAD_TIME);
	expect_str("raw", m.time_raw, "Feb 29 10:00:00");
	expect_str("host", m.hostname, "host");
	expect_str("body", m.body, "x");
	syslog_msg_release(&m);
}

/* rsyslog's RSYSLOG_ForwardFormat and RSYSLOG_SyslogProtocol23Format. */
static void test_rsyslog_formats(void **state)
{
	struct syslog_msg m;

	syslog_msg_init(&m);
	parse(&m, "<86>2026-11-21T09:30:01.123456+09:00 ehr-app01 sshd[2412]: Accepted password "
		  "for tanaka from 192.0.2.10 port 52311 ssh2", REF_2026_11_21);
	assert_int_equal(m.format, SYSLOG_FMT_3164_ISO);
	assert_int_equal(m.facility, 10);
	assert_int_equal(m.severity, 6);
	expect_str("ts", m.timestamp, "2026-11-21T00:30:01.123456Z");
	expect_str("host", m.hostname, "ehr-app01");
	expect_str("app", m.app_name, "sshd");
	expect_str("pid", m.procid, "2412");
	expect_str("body", m.body, "Accepted password for tanaka from 192.0.2.10 port 52311 ssh2");
	assert_int_equal(m.flags, 0);

	parse(&m, "<86>1 2026-11-21T09:31:07.002041+09:00 ehr-app01 sshd 2413 - - Failed "
		  "password for invalid user admin from 198.51.100.7 port 40022 ssh2\n",
	      REF_2026_11_21);
	assert_int_equal(m.format, SYSLOG_FMT_5424);
	expect_str("ts", m.timestamp, "2026-11-21T00:31:07.002041Z");
	expect_str("procid", m.procid, "2413");
	expect_str("body", m.body,
		   "Failed password for invalid user admin from 198.51.100.7 port 40022 ssh2");
	assert_int_equal(m.flags, 0);
	syslog_msg_release(&m);
}

/* sshd and sudo as the local syslog daemon forwards them (RFC 3164). */
static void test_linux_auth(void **state)
{
	struct syslog_msg m;

	syslog_msg_init(&m);
	parse(&m, "<38>Nov 21 09:12:44 ws-nurse03 sshd[1234]: Failed password for yamada from "
		  "192.0.2.55 port 50122 ssh2", REF_2026_11_21);
	expect_str("app", m.app_name, "sshd");
	expect_str("pid", m.procid, "1234");
	expect_str("host", m.hostname, "ws-nurse03");
	expect_str("body", m.body, "Failed password for yamada from 192.0.2.55 port 50122 ssh2");

	parse(&m, "<85>Nov 21 09:15:02 ehr-db01 sudo:   suzuki : TTY=pts/0 ; PWD=/home/suzuki ; "
		  "USER=root ; COMMAND=/usr/bin/systemctl restart postgresql", REF_2026_11_21);
	assert_int_equal(m.facility, 10);
	assert_int_equal(m.severity, 5);
	expect_str("app", m.app_name, "sudo");
	assert_null(m.procid);
	expect_str("body", m.body, "  suzuki : TTY=pts/0 ; PWD=/home/suzuki ; USER=root ; "
		   "COMMAND=/usr/bin/systemctl restart postgresql");

	/* local form without a host name */
	parse(&m, "<38>Nov 21 09:12:44 sshd[1234]: Connection closed", REF_2026_11_21);
	assert_null(m.hostname);
	expect_str("app", m.app_name, "sshd");
	expect_str("body", m.body, "Connection closed");
	syslog_msg_release(&m);
}

/* A Windows logon forwarded by NXLog as RFC 5424 with structured data. */
static void test_windows_nxlog(void **state)
{
	struct syslog_msg m;

	syslog_msg_init(&m);
	parse(&m, "<14>1 2026-11-21T09:20:11.524891+09:00 DC01.hospital.local "
		  "Microsoft-Windows-Security-Auditing 684 - [NXLOG@14506 Keywords=\"-9214364837600034816\" "
		  "EventType=\"AUDIT_SUCCESS\" EventID=\"4624\" ProviderGuid=\"{54849625-5478-4994-A5BA-3E3B0328C30D}\" "
		  "TargetUserName=\"sato.hanako\" TargetDomainName=\"HOSPITAL\" LogonType=\"10\" "
		  "IpAddress=\"192.0.2.31\"] An account was successfully logged on.", REF_2026_11_21);
	assert_int_equal(m.flags, 0);
	expect_str("app", m.app_name, "Microsoft-Windows-Security-Auditing");
	expect_str("EventID", syslog_sd_get(&m, "NXLOG@14506", "EventID"), "4624");
	expect_str("user", syslog_sd_get(&m, "NXLOG@14506", "TargetUserName"), "sato.hanako");
	expect_str("ip", syslog_sd_get(&m, "NXLOG@14506", "IpAddress"), "192.0.2.31");
	expect_str("body", m.body, "An account was successfully logged on.");
	syslog_msg_release(&m);
}

/* An EHR audit event in structured data, Japanese text with and without BOM. */
static void test_ehr_audit_japanese(void **state)
{
	struct syslog_msg m;
#define EHR "<110>1 2026-11-21T10:02:33.120+09:00 ehr-app01 EHR 5521 AUDIT " \
		"[ehrAudit@99999 user=\"n.takahashi\" patient=\"0012345678\" action=\"view\" " \
		"result=\"success\" screen=\"カルテ参照\"] "

	syslog_msg_init(&m);
	parse(&m, EHR BOM "患者 0012345678 のカルテを参照しました", REF_2026_11_21);
	assert_int_equal(m.flags, SYSLOG_F_BOM);
	expect_str("msgid", m.msgid, "AUDIT");
	expect_str("user", syslog_sd_get(&m, "ehrAudit@99999", "user"), "n.takahashi");
	expect_str("patient", syslog_sd_get(&m, "ehrAudit@99999", "patient"), "0012345678");
	expect_str("action", syslog_sd_get(&m, "ehrAudit@99999", "action"), "view");
	expect_str("screen", syslog_sd_get(&m, "ehrAudit@99999", "screen"), "カルテ参照");
	expect_str("body", m.body, "患者 0012345678 のカルテを参照しました");

	parse(&m, EHR "患者 0012345678 のカルテを参照しました", REF_2026_11_21);
	assert_int_equal(m.flags, 0);
	expect_str("body", m.body, "患者 0012345678 のカルテを参照しました");
	syslog_msg_release(&m);
}

/* Escapes in SD values: \" \\ \] unescaped, any other \ kept. */
static void test_sd_escapes(void **state)
{
	struct syslog_msg m;

	syslog_msg_init(&m);
	parse(&m, "<13>1 - h a - - [x@1 q=\"say \\\"hi\\\"\" b=\"C:\\\\temp\" r=\"[a\\]\" "
		  "o=\"\\n\" e=\"\"] tail", REF_2026_11_21);
	assert_int_equal(m.flags, SYSLOG_F_NO_TIME);
	expect_str("q", syslog_sd_get(&m, "x@1", "q"), "say \"hi\"");
	expect_str("b", syslog_sd_get(&m, "x@1", "b"), "C:\\temp");
	expect_str("r", syslog_sd_get(&m, "x@1", "r"), "[a]");
	expect_str("o", syslog_sd_get(&m, "x@1", "o"), "\\n");
	expect_str("e", syslog_sd_get(&m, "x@1", "e"), "");
	expect_str("body", m.body, "tail");
	/* plain values (read where they lie) before and after escaped ones,
	 * and one that is not UTF-8 */
	parse(&m, "<13>1 - h a - - [x@1 a=\"plain\" q=\"\\\"x\" z=\"after\" w=\"\xff\"][y@1 a=\"y\"] t",
	      REF_2026_11_21);
	assert_int_equal(m.flags, SYSLOG_F_NO_TIME | SYSLOG_F_BAD_UTF8);
	expect_str("a", syslog_sd_get(&m, "x@1", "a"), "plain");
	expect_str("q", syslog_sd_get(&m, "x@1", "q"), "\"x");
	expect_str("z", syslog_sd_get(&m, "x@1", "z"), "after");
	expect_str("w", syslog_sd_get(&m, "x@1", "w"), "\xff");
	assert_int_equal(m.sd[0].params[3].value_len, 1);
	expect_str("y a", syslog_sd_get(&m, "y@1", "a"), "y");
	assert_null(syslog_sd_get(&m, "x@1", "y"));
	assert_null(syslog_sd_get(&m, "x@2", "a"));
	expect_str("body", m.body, "t");
	syslog_msg_release(&m);
}

/* An offset moves the time to UTC across days, months and years; "Z" and
 * "+00:00" keep the date as sent. */
static void test_time_zones(void **state)
{
	static const struct {
		const char *sent, *utc;
		int64_t t;
	} cases[] = {
		{ "2026-01-01T08:59:59+09:00", "2025-12-31T23:59:59Z", 1767225599 },
		{ "2026-01-01T09:00:00+09:00", "2026-01-01T00:00:00Z", 1767225600 },
		{ "2024-03-01T00:30:00.25+01:00", "2024-02-29T23:30:00.25Z", 1709249400 },
		{ "2024-12-31T20:00:00-05:00", "2025-01-01T01:00:00Z", 1735693200 },
		{ "2026-11-21T00:00:00+00:00", "2026-11-21T00:00:00Z", 1795219200 },
		{ "2026-11-21T23:59:59.999999Z", "2026-11-21T23:59:59.999999Z", 1795305599 },
		{ "2000-02-29T12:00:00-00:30", "2000-02-29T12:30:00Z", 951827400 },
	};
	struct syslog_msg m;
	char in[128];

	(void)state;
	syslog_msg_init(&m);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(in, sizeof(in), "<13>1 %s h a - - - x", cases[i].sent);
		parse(&m, in, REF_2026_11_21);
		assert_int_equal(m.flags, 0);
		expect_str(cases[i].sent, m.timestamp, cases[i].utc);
		assert_int_equal(m.time, cases[i].t);
	}
	syslog_msg_release(&m);
}

static void test_bad_pri(void **state)
{
	static const struct {
		const char *in;
		unsigned flag;
		const char *body;
	} cases[] = {
		{ "<192>Oct 11 22:14:15 h a: x", SYSLOG_F_BAD_PRI, "x" },
		{ "<999>1 - h a - - - x", SYSLOG_F_BAD_PRI, "x" },
		{ "<013>Oct 11 22:14:15 h a: x", SYSLOG_F_BAD_PRI, "x" },
		{ "<>Oct 11 22:14:15 h a: x", SYSLOG_F_BAD_PRI, "x" },
		{ "<ab>Oct 11 22:14:15 h a: x", SYSLOG_F_BAD_PRI, "x" },
		{ "<13 hello", SYSLOG_F_BAD_PRI, "<13 hello" },
		{ "Oct 11 22:14:15 h a: x", SYSLOG_F_NO_PRI, "x" },
		{ "", SYSLOG_F_NO_PRI, "" },
	};
	struct syslog_msg m;

	syslog_msg_init(&m);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		parse(&m, cases[i].in, REF_2026_11_21);
		if (!(m.flags & cases[i].flag))
			fail_msg("case %zu: flags %#x", i, m.flags);
		assert_int_equal(m.facility, -1);
		assert_int_equal(m.severity, -1);
		testutil_assert_contains(m.reason.buf, "PRI");
		expect_str(cases[i].in, m.body, cases[i].body);
	}
	syslog_msg_release(&m);
}

static void test_invalid_utf8(void **state)
{
	struct syslog_msg m;

	/* Shift_JIS "患者" as a Japanese device might send it */
	syslog_msg_init(&m);
	parse(&m, "<13>Nov 21 09:00:00 h app: \x8a\xb3\x8e\xd2", REF_2026_11_21);
	assert_true(m.flags & SYSLOG_F_BAD_UTF8);
	assert_int_equal(m.body_len, 4);
	assert_memory_equal(m.body, "\x8a\xb3\x8e\xd2", 4);
	testutil_assert_contains(m.reason.buf, "UTF-8");

	parse(&m, "<13>1 - h a - - [x@1 v=\"\xff\"] ok", REF_2026_11_21);
	assert_true(m.flags & SYSLOG_F_BAD_UTF8);
	assert_int_equal(m.nsd, 1);
	syslog_msg_release(&m);
}

/* Malformed 5424 pieces: kept, flagged, the rest in the body. */
static void test_malformed_5424(void **state)
{
	struct syslog_msg m;

	syslog_msg_init(&m);
	parse(&m, "<13>1 2026-13-01T00:00:00Z h a - - - x", REF_2026_11_21);
	assert_true(m.flags & SYSLOG_F_BAD_TIME);
	expect_str("raw ts", m.time_raw, "2026-13-01T00:00:00Z");
	expect_str("body", m.body, "x");

	parse(&m, "<13>1 2026-11-21T09:00:00 h a - - - x", REF_2026_11_21);
	assert_int_equal(m.flags, SYSLOG_F_NO_ZONE);
	expect_str("ts", m.timestamp, "2026-11-21T09:00:00");

	parse(&m, "<13>1 2026-11-21T09:00:00Z h", REF_2026_11_21);
	assert_true(m.flags & SYSLOG_F_BAD_HEADER);
	expect_str("host", m.hostname, "h");

	parse(&m, "<13>1 - h a - - [ok@1 a=\"1\"][bad@1 a=\"2] rest", REF_2026_11_21);
	assert_true(m.flags & SYSLOG_F_BAD_SD);
	assert_int_equal(m.nsd, 1);
	expect_str("body", m.body, "[ok@1 a=\"1\"][bad@1 a=\"2] rest");

	parse(&m, "<13>1 - h a - - [ x@1] y", REF_2026_11_21);
	assert_true(m.flags & SYSLOG_F_BAD_SD);
	assert_int_equal(m.nsd, 0);

	parse(&m, "<13>1 - h a - - nosd here", REF_2026_11_21);
	assert_true(m.flags & SYSLOG_F_BAD_SD);
	expect_str("body", m.body, "nosd here");
	syslog_msg_release(&m);
}

static void test_limits(void **state)
{
	struct syslog_msg m;
	struct strbuf sb = STRBUF_INIT;
	char *big;

	syslog_msg_init(&m);
	/* 33 elements: 32 kept */
	strbuf_addstr(&sb, "<13>1 - h a - - ");
	for (int i = 0; i < 33; i++)
		strbuf_addf(&sb, "[e%d@1 a=\"%d\"]", i, i);
	strbuf_addstr(&sb, " end");
	parse(&m, sb.buf, REF_2026_11_21);
	assert_int_equal(m.nsd, SYSLOG_MAX_SD);
	assert_true(m.flags & SYSLOG_F_SD_LIMIT);
	expect_str("body", m.body, "end");

	/* 65 params: 64 kept */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "<13>1 - h a - - [p@1");
	for (int i = 0; i < 65; i++)
		strbuf_addf(&sb, " k%d=\"v\"", i);
	strbuf_addstr(&sb, "]");
	parse(&m, sb.buf, REF_2026_11_21);
	assert_int_equal(m.nsd, 1);
	assert_int_equal(m.sd[0].nparams, SYSLOG_MAX_PARAMS);
	assert_true(m.flags & SYSLOG_F_SD_LIMIT);

	/* names: 32 bytes fine, 33 not */
	parse(&m, "<13>1 - h a - - [abcdefghijklmnopqrstuvwxyz012345 "
		  "abcdefghijklmnopqrstuvwxyz012345=\"v\"]", REF_2026_11_21);
	assert_int_equal(m.flags, SYSLOG_F_NO_TIME);
	parse(&m, "<13>1 - h a - - [abcdefghijklmnopqrstuvwxyz0123456 a=\"v\"]", REF_2026_11_21);
	assert_true(m.flags & SYSLOG_F_BAD_SD);

	/* over 64 KiB: cut, flagged */
	big = xmalloc(SYSLOG_MAX_MSG + 100);
	memset(big, 'x', SYSLOG_MAX_MSG + 100);
	memcpy(big, "<13>1 - h a - - - ", 18);
	syslog_parse(&m, big, SYSLOG_MAX_MSG + 100, SYSLOG_FMT_AUTO, REF_2026_11_21);
	assert_int_equal(m.raw_len, SYSLOG_MAX_MSG);
	assert_int_equal(m.orig_len, SYSLOG_MAX_MSG + 100);
	assert_int_equal(m.body_len, SYSLOG_MAX_MSG - 18);
	assert_true(m.flags & SYSLOG_F_TRUNCATED);
	free(big);
	strbuf_release(&sb);
	syslog_msg_release(&m);
}

/* NUL bytes inside a message are kept; the raw copy is exact. */
static void test_nul_bytes(void **state)
{
	struct syslog_msg m;
	static const char in[] = "<13>Nov 21 09:00:00 h app: a\0b\0";

	syslog_msg_init(&m);
	syslog_parse(&m, in, sizeof(in) - 1, SYSLOG_FMT_AUTO, REF_2026_11_21);
	assert_int_equal(m.raw_len, sizeof(in) - 1);
	assert_int_equal(m.body_len, 3);
	assert_memory_equal(m.body, "a\0b", 3);
	syslog_msg_release(&m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc5424_example1),
		cmocka_unit_test(test_rfc5424_example2),
		cmocka_unit_test(test_rfc5424_example3),
		cmocka_unit_test(test_rfc5424_example4),
		cmocka_unit_test(test_rfc3164_examples),
		cmocka_unit_test(test_missing_year),
		cmocka_unit_test(test_rsyslog_formats),
		cmocka_unit_test(test_linux_auth),
		cmocka_unit_test(test_windows_nxlog),
		cmocka_unit_test(test_ehr_audit_japanese),
		cmocka_unit_test(test_sd_escapes),
		cmocka_unit_test(test_time_zones),
		cmocka_unit_test(test_bad_pri),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_malformed_5424),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_nul_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
