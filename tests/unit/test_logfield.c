/*
 * test_logfield.c - field rules (src/core/logfield.c): every built-in rule
 * on realistic messages (EHR audit in structured data and as key=value,
 * sshd, sudo, Windows via NXLog), the rule-file format and its errors
 * (file:line), value maps, regex and pattern captures, the UTF-8 cut, and
 * logfield_event_from_syslog() filling and sealing an event.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "enc.h"
#include "logfield.h"
#include "testutil.h"

#define REF_2026_11_21 ((time_t)1795219200) /* 2026-11-21T00:00:00Z */

static struct logfield_rules *builtin;

static int setup(void **state)
{
	struct mamori_err err = { 0 };

	if (logfield_rules_builtin(&builtin, &err) < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	logfield_rules_free(builtin);
	return 0;
}

static void expect_str(const char *what, const char *got, const char *want)
{
	if (!want && !got)
		return;
	if (!want || !got || strcmp(got, want))
		fail_msg("%s: got [%s], want [%s]", what, got ? got : "(null)",
			 want ? want : "(null)");
}

struct want {
	const char *rule, *user, *patient, *host, *action;
	enum log_result result;
	const char *source;
};

/* Extracts msg's fields into f (which may hold an earlier event's) and
 * compares them with w. */
static void check_into(const struct logfield_rules *r, struct log_fields *f, const char *msg,
		       const struct want *w)
{
	struct syslog_msg m;

	syslog_msg_init(&m);
	syslog_parse(&m, msg, strlen(msg), SYSLOG_FMT_AUTO, REF_2026_11_21);
	logfield_extract(r, &m, f);
	expect_str("rule", f->rule, w->rule);
	expect_str("user", f->user, w->user);
	expect_str("patient", f->patient, w->patient);
	expect_str("host", f->host, w->host);
	expect_str("action", f->action, w->action);
	if (f->result != w->result)
		fail_msg("result: got %s, want %s (%s)", log_result_name(f->result),
			 log_result_name(w->result), msg);
	expect_str("source", f->source, w->source);
	syslog_msg_release(&m);
}

static void check(const struct logfield_rules *r, const char *msg, const struct want *w)
{
	struct log_fields f;

	log_fields_init(&f);
	check_into(r, &f, msg, w);
	log_fields_release(&f);
}

#define S LOG_RESULT_SUCCESS
#define F LOG_RESULT_FAILURE
#define U LOG_RESULT_UNKNOWN

static void test_ehr_sd(void **state)
{
	check(builtin,
	      "<110>1 2026-11-21T09:30:01.123+09:00 ehr-app01 EHR 4123 AUDIT "
	      "[ehrAudit@32473 user=\"D12345\" patient=\"0001234567\" action=\"view\" "
	      "result=\"success\" terminal=\"WS-3F-012\"] 診療録参照",
	      &(struct want){ "ehr-audit", "D12345", "0001234567", "ehr-app01", "view", S,
			      "WS-3F-012" });
	/* Japanese words and OK/NG are understood; other SD elements are ignored */
	check(builtin,
	      "<110>1 2026-11-21T09:31:00Z ehr-app02 EHR - AUDIT "
	      "[timeQuality tzKnown=\"1\"][ehrAudit@32473 user=\"N0042\" patient=\"0009876543\" "
	      "action=\"印刷\" result=\"NG\" terminal=\"病棟3F-端末2\"] 処方箋印刷",
	      &(struct want){ "ehr-audit", "N0042", "0009876543", "ehr-app02", "print", F,
			      "病棟3F-端末2" });
	/* an action that is not in the vocabulary is kept as sent */
	check(builtin,
	      "<110>1 2026-11-21T09:31:00Z ehr-app02 EHR - AUDIT "
	      "[ehrAudit@32473 user=\"N0042\" patient=\"1\" action=\"sign\" result=\"?\"] x",
	      &(struct want){ "ehr-audit", "N0042", "1", "ehr-app02", "sign", U, NULL });
}

/* One event's fields extracted again and again (as the receivers reuse
 * their events): longer, shorter and missing values each time, never a
 * value of the event before (the sanitizer build checks the reuse of the
 * strings' memory). */
static void test_fields_reused(void **state)
{
	struct log_fields f;
	const char *long_user = "D1234567890123456789012345678901234567890123456789012345678901";

	(void)state;
	log_fields_init(&f);
	for (int round = 0; round < 3; round++) {
		char msg[512];

		snprintf(msg, sizeof(msg),
			 "<110>1 2026-11-21T09:30:01Z ehr-app01 EHR - AUDIT [ehrAudit@32473 "
			 "user=\"%s\" patient=\"0001234567\" action=\"参照\" result=\"OK\" "
			 "terminal=\"WS-3F-012\"] x",
			 long_user);
		check_into(builtin, &f, msg,
			   &(struct want){ "ehr-audit", long_user, "0001234567", "ehr-app01", "view",
					   S, "WS-3F-012" });
		check_into(builtin, &f,
			   "<110>1 2026-11-21T09:30:02Z h2 EHR - AUDIT [ehrAudit@32473 user=\"N1\" "
			   "patient=\"9\" action=\"sign\"] x",
			   &(struct want){ "ehr-audit", "N1", "9", "h2", "sign", U, NULL });
		check_into(builtin, &f, "<13>1 2026-11-21T09:30:03Z - app - - - no fields at all",
			   &(struct want){ NULL, NULL, NULL, NULL, NULL, U, NULL });
	}
	log_fields_release(&f);
}

static void test_ehr_kv(void **state)
{
	check(builtin,
	      "<134>Nov 21 09:30:01 ehr01 EHRAUDIT: 利用者ID=D12345 患者ID=0001234567 操作=参照 "
	      "結果=成功 端末=WS-3F-012",
	      &(struct want){ "ehr-kv", "D12345", "0001234567", "ehr01", "view", S, "WS-3F-012" });
	check(builtin,
	      "<134>Nov 21 09:30:01 ehr01 ehr: user=D12345 patient=\"0001234567\" "
	      "action=UPDATE result=FAIL terminal=\"WS 3F \\\"east\\\"\"",
	      &(struct want){ "ehr-kv", "D12345", "0001234567", "ehr01", "update", F,
			      "WS 3F \"east\"" });
	/* a key must start a word: "xuser=" is not "user=" */
	check(builtin, "<134>Nov 21 09:30:01 ehr01 ehr: xuser=A patient=1",
	      &(struct want){ NULL, NULL, NULL, "ehr01", NULL, U, NULL });
}

static void test_sshd(void **state)
{
	check(builtin,
	      "<38>Nov 21 09:30:01 web01 sshd[2412]: Accepted publickey for yamada from "
	      "192.168.10.23 port 51522 ssh2: ED25519 SHA256:AbCdEf",
	      &(struct want){ "sshd-accepted", "yamada", NULL, "web01", "login", S,
			      "192.168.10.23" });
	check(builtin,
	      "<86>2026-11-21T09:30:01.123456+09:00 web01 sshd[2412]: Accepted password for "
	      "root from 2001:db8::5 port 40022 ssh2",
	      &(struct want){ "sshd-accepted", "root", NULL, "web01", "login", S, "2001:db8::5" });
	check(builtin,
	      "<38>Nov 21 09:31:11 web01 sshd[2419]: Failed password for invalid user admin from "
	      "203.0.113.9 port 40112 ssh2",
	      &(struct want){ "sshd-failed-invalid", "admin", NULL, "web01", "login", F,
			      "203.0.113.9" });
	check(builtin,
	      "<38>Nov 21 09:31:11 web01 sshd[2419]: Failed password for suzuki from "
	      "192.168.10.31 port 40113 ssh2",
	      &(struct want){ "sshd-failed", "suzuki", NULL, "web01", "login", F,
			      "192.168.10.31" });
	check(builtin,
	      "<38>Nov 21 09:31:10 web01 sshd[2419]: Invalid user oracle from 203.0.113.9 port 40110",
	      &(struct want){ "sshd-invalid-user", "oracle", NULL, "web01", "login", F,
			      "203.0.113.9" });
	check(builtin,
	      "<86>Nov 21 10:02:44 web01 sshd[2412]: pam_unix(sshd:session): session closed for user yamada",
	      &(struct want){ "sshd-logout", "yamada", NULL, "web01", "logout", S, NULL });
	/* OpenSSH 9.8+ */
	check(builtin,
	      "<38>Nov 21 09:30:01 web01 sshd-session[77]: Accepted publickey for sato from "
	      "10.0.0.8 port 1 ssh2",
	      &(struct want){ "sshd-accepted", "sato", NULL, "web01", "login", S, "10.0.0.8" });
	/* another program saying the same words is not sshd */
	check(builtin,
	      "<38>Nov 21 09:30:01 web01 myapp: Accepted publickey for x from 1.2.3.4 port 1 ssh2",
	      &(struct want){ NULL, NULL, NULL, "web01", NULL, U, NULL });
}

static void test_sudo(void **state)
{
	check(builtin,
	      "<85>Nov 21 09:40:00 web01 sudo:   yamada : TTY=pts/0 ; PWD=/home/yamada ; "
	      "USER=root ; COMMAND=/usr/bin/systemctl restart nginx",
	      &(struct want){ "sudo-command", "yamada", NULL, "web01", "sudo", S, "pts/0" });
	check(builtin,
	      "<85>Nov 21 09:41:00 web01 sudo:   suzuki : 3 incorrect password attempts ; "
	      "TTY=pts/1 ; PWD=/home/suzuki ; USER=root ; COMMAND=/bin/bash",
	      &(struct want){ "sudo-incorrect", "suzuki", NULL, "web01", "sudo", F, "pts/1" });
	check(builtin,
	      "<85>Nov 21 09:41:00 web01 sudo:   suzuki : 1 incorrect password attempt ; "
	      "TTY=pts/1 ; PWD=/home/suzuki ; USER=root ; COMMAND=/bin/bash",
	      &(struct want){ "sudo-incorrect", "suzuki", NULL, "web01", "sudo", F, "pts/1" });
	check(builtin,
	      "<85>Nov 21 09:41:00 web01 sudo: pam_unix(sudo:auth): authentication failure; "
	      "logname=tanaka uid=1001 euid=0 tty=/dev/pts/2 ruser=tanaka rhost=  user=tanaka",
	      &(struct want){ "sudo-authfail", "tanaka", NULL, "web01", "sudo", F, "/dev/pts/2" });
	check(builtin,
	      "<85>Nov 21 09:42:00 web01 sudo:    guest : user NOT in sudoers ; TTY=pts/3 ; "
	      "PWD=/tmp ; USER=root ; COMMAND=/bin/sh",
	      &(struct want){ "sudo-denied", "guest", NULL, "web01", "sudo", F, "pts/3" });
}

#define NX "<14>1 2026-11-21T09:30:01.000000+09:00 WS-3F-012 Microsoft-Windows-Security-Auditing 4 - "

static void test_windows_sd(void **state)
{
	check(builtin,
	      NX "[NXLOG@14506 EventReceivedTime=\"2026-11-21 09:30:01\" SourceModuleName=\"eventlog\" "
		 "SourceModuleType=\"im_msvistalog\" Keywords=\"9232379236109516800\" "
		 "EventType=\"AUDIT_SUCCESS\" EventID=\"4624\" Channel=\"Security\" "
		 "SubjectUserName=\"WS-3F-012$\" TargetUserName=\"yamada\" TargetDomainName=\"HOSP\" "
		 "LogonType=\"10\" WorkstationName=\"WS-3F-012\" IpAddress=\"192.168.10.23\" "
		 "IpPort=\"51000\"] An account was successfully logged on.",
	      &(struct want){ "windows-logon", "yamada", NULL, "WS-3F-012", "login", S,
			      "192.168.10.23" });
	check(builtin,
	      NX "[NXLOG@14506 EventType=\"AUDIT_FAILURE\" EventID=\"4625\" TargetUserName=\"admin\" "
		 "WorkstationName=\"ATTACKER\" IpAddress=\"-\"] An account failed to log on.",
	      &(struct want){ "windows-logon", "admin", NULL, "WS-3F-012", "login", F, "ATTACKER" });
	check(builtin,
	      NX "[NXLOG@14506 EventID=\"4634\" TargetUserName=\"yamada\"] An account was logged off.",
	      &(struct want){ "windows-logon", "yamada", NULL, "WS-3F-012", "logout", S, NULL });
	check(builtin,
	      NX "[NXLOG@14506 EventID=\"4647\" TargetUserName=\"yamada\"] User initiated logoff.",
	      &(struct want){ "windows-logon", "yamada", NULL, "WS-3F-012", "logout", S, NULL });
	check(builtin,
	      NX "[NXLOG@14506 EventID=\"4672\" SubjectUserName=\"Administrator\"] Special privileges.",
	      &(struct want){ "windows-admin", "Administrator", NULL, "WS-3F-012", "privilege", S,
			      NULL });
	check(builtin,
	      NX "[NXLOG@14506 EventID=\"4720\" SubjectUserName=\"admin2\" TargetUserName=\"newuser\"] "
		 "A user account was created.",
	      &(struct want){ "windows-admin", "admin2", NULL, "WS-3F-012", "account-create", S,
			      NULL });
	check(builtin,
	      NX "[NXLOG@14506 EventID=\"4726\" SubjectUserName=\"admin2\" TargetUserName=\"olduser\"] "
		 "A user account was deleted.",
	      &(struct want){ "windows-admin", "admin2", NULL, "WS-3F-012", "account-delete", S,
			      NULL });
	check(builtin,
	      NX "[NXLOG@14506 EventType=\"AUDIT_FAILURE\" EventID=\"4688\" SubjectUserName=\"x\"] "
		 "A new process has been created.",
	      &(struct want){ "windows-event", "x", NULL, "WS-3F-012", "4688", F, NULL });
}

static void test_windows_kv(void **state)
{
	check(builtin,
	      "<14>Nov 21 09:30:01 WS-3F-012 Microsoft-Windows-Security-Auditing[4]: EventID=4624 "
	      "TargetUserName=yamada IpAddress=192.168.10.23 WorkstationName=WS-3F-012",
	      &(struct want){ "windows-kv-logon", "yamada", NULL, "WS-3F-012", "login", S,
			      "192.168.10.23" });
	check(builtin,
	      "<14>Nov 21 09:30:01 WS-3F-012 Security: EventID=4625; TargetUserName=admin; "
	      "IpAddress=203.0.113.9",
	      &(struct want){ "windows-kv-logon", "admin", NULL, "WS-3F-012", "login", F,
			      "203.0.113.9" });
	check(builtin,
	      "<14>Nov 21 09:30:01 WS-3F-012 Security: EventID=4720 SubjectUserName=admin2 "
	      "TargetUserName=newuser",
	      &(struct want){ "windows-kv-admin", "admin2", NULL, "WS-3F-012", "account-create", S,
			      NULL });
}

static void test_no_rule(void **state)
{
	check(builtin, "<13>Nov 21 09:30:01 printer01 lpd[9]: job 12 done",
	      &(struct want){ NULL, NULL, NULL, "printer01", NULL, U, NULL });
	check(builtin, "garbage without anything",
	      &(struct want){ NULL, NULL, NULL, NULL, NULL, U, NULL });
}

static int load(const char *text, struct logfield_rules **r, struct mamori_err *err)
{
	return logfield_rules_load(r, text, strlen(text), "site.conf", err);
}

static void test_site_rules(void **state)
{
	struct mamori_err err = { 0 };
	struct logfield_rules *r = NULL;
	const char *text =
		"# our own EHR\n"
		"[rule fujiehr]\n"
		"app = FJEHR\n"
		"regex = ^([A-Z][0-9]+) (参照|更新) 患者=([0-9]+)( 結果=(.*))?$\n"
		"user = $1\n"
		"patient = $3\n"
		"action = $2\n"
		"result = $5 | \"成功\"\n"
		"source = hdr:procid\n"
		"host = \"ehr-main\"\n"
		"\n"
		"[rule codes]\n"
		"msgid = LOGIN, LOGOUT\n"
		"contains = code=\n"
		"user = kv:uid\n"
		"action = hdr:msgid\n"
		"result = kv:code\n"
		"result-map = success=0,00 failure=9,99,ＮＧ\n"
		"action-map = login=LOGIN logout=LOGOUT\n"
		"\n"
		"# a site rule replaces the built-in one of the same name\n"
		"[rule sshd-logout]\n"
		"app = sshd\n"
		"prefix = \"pam_unix(sshd:session): session closed\"\n"
		"action = \"session-end\"\n";

	ASSERT_RC(0, load(text, &r, &err), err);
	assert_true(logfield_rules_count(r) > 3);
	expect_str("first", logfield_rules_name(r, 0), "fujiehr");
	check(r, "<13>1 2026-11-21T00:00:00Z h FJEHR WS12 - - D100 更新 患者=42 結果=失敗",
	      &(struct want){ "fujiehr", "D100", "42", "ehr-main", "update", F, "WS12" });
	check(r, "<13>1 2026-11-21T00:00:00Z h FJEHR WS12 - - D100 参照 患者=42",
	      &(struct want){ "fujiehr", "D100", "42", "ehr-main", "view", S, "WS12" });
	check(r, "<13>1 2026-11-21T00:00:00Z h FJEHR WS12 - - nothing",
	      &(struct want){ NULL, NULL, NULL, "h", NULL, U, NULL });
	check(r, "<13>1 2026-11-21T00:00:00Z h app - LOGIN - uid=u1 code=00",
	      &(struct want){ "codes", "u1", NULL, "h", "login", S, NULL });
	check(r, "<13>1 2026-11-21T00:00:00Z h app - LOGOUT - uid=u1 code=ＮＧ",
	      &(struct want){ "codes", "u1", NULL, "h", "logout", F, NULL });
	check(r, "<13>1 2026-11-21T00:00:00Z h app - LOGOUT - uid=u1 code=5",
	      &(struct want){ "codes", "u1", NULL, "h", "logout", U, NULL });
	check(r, "<86>Nov 21 10:02:44 web01 sshd[2412]: pam_unix(sshd:session): session closed for user yamada",
	      &(struct want){ "sshd-logout", NULL, NULL, "web01", "session-end", U, NULL });
	/* the other built-ins are still there, after the site's */
	check(r, "<38>Nov 21 09:31:11 web01 sshd[2419]: Failed password for suzuki from 10.1.1.1 port 4 ssh2",
	      &(struct want){ "sshd-failed", "suzuki", NULL, "web01", "login", F, "10.1.1.1" });
	logfield_rules_free(r);
}

static void expect_load_error(const char *text, const char *want)
{
	struct mamori_err err = { 0 };
	struct logfield_rules *r = (struct logfield_rules *)1;

	ASSERT_RC(MAMORI_EINVAL, load(text, &r, &err), err);
	assert_null(r);
	if (!strstr(err.msg, want))
		fail_msg("error [%s] does not contain [%s]", err.msg, want);
}

static void test_errors(void **state)
{
	char *long_line;
	struct strbuf many = STRBUF_INIT;

	expect_load_error("user = kv:a\n", "site.conf:1: 設定が「[rule 名前]」の見出しより前");
	expect_load_error("# c\n\n[rule a]\napp = x\nuser = kv:u\nbogus = 1\n", "site.conf:6: 不明なキー「bogus」");
	expect_load_error("[rule a]\napp = x\nuser kv:u\n", "site.conf:3: 「キー = 値」の形ではありません");
	expect_load_error("[rule a]\napp = x\nregex = (unclosed\nuser = $1\n", "site.conf:3: 正規表現を解釈できません");
	/* counted repetitions that would make regcomp() allocate gigabytes */
	expect_load_error("[rule a]\napp = x\nregex = (a{200}){200}\nuser = $1\n",
			  "site.conf:3: 正規表現の繰り返し回数");
	expect_load_error("[rule a]\napp = x\nregex = ((x{10}){10}){11}\n", "site.conf:3: 正規表現の繰り返し回数");
	expect_load_error("[rule a]\napp = x\nregex = ([0-9]++++)$\n", "site.conf:3: 正規表現の繰り返し回数");
	expect_load_error("[rule a]\napp = x\nregex = (a*)*\\1\n", "site.conf:3: 正規表現の繰り返し回数");
	expect_load_error("[rule a]\napp = x\nuser = $1\n", "site.conf:1: 規則「a」が $1 を使っていますが");
	expect_load_error("[rule a]\nuser = kv:u\n", "site.conf:1: 規則「a」に条件がありません");
	expect_load_error("[rule a]\napp = x\n[rule b]\napp = y\nuser = kv:u\n", "site.conf:1: 規則「a」に項目の割り当て");
	expect_load_error("[rule a]\napp = x\nuser = kv:u\n[rule a]\n", "site.conf:4: 規則名「a」は 1 行目でも使われています");
	expect_load_error("[rule a b]\n", "site.conf:1: 規則名「a b」が不正です");
	expect_load_error("[rules]\n", "site.conf:1: 見出しは「[rule 名前]」");
	expect_load_error("[rule a]\napp = x\napp = y\n", "site.conf:3: 「app」が 2 回");
	expect_load_error("[rule a]\napp = x\nresult = kv:r\nresult-map = ok=1\n", "site.conf:4: result-map の名前「ok」は success か failure");
	expect_load_error("[rule a]\napp = x\naction-map = view\n", "site.conf:3: 「view」が不正です");
	expect_load_error("[rule a]\napp = x\npattern = a**b\n", "site.conf:3: pattern に「**」");
	expect_load_error("[rule a]\napp = x\npattern = a*\nregex = b\n", "site.conf:4: pattern と regex");
	expect_load_error("[rule a]\napp = x\nuser = sd:onlyid\n", "site.conf:3: 「sd:onlyid」が不正です");
	expect_load_error("[rule a]\napp = x\nuser = hdr:body\n", "site.conf:3: ヘッダー項目「body」");
	expect_load_error("[rule a]\napp = x\nuser = \"open\n", "site.conf:3: 引用符");
	expect_load_error("[rule a]\napp = x\nuser = $10\n", "site.conf:3: 「$10」は使えません");
	expect_load_error("[rule a]\napp = x\nuser = kv:a|kv:b|kv:c|kv:d|kv:e|kv:f|kv:g|kv:h|kv:i\n",
			  "site.conf:3: 「|」で並べられる候補は 8 個まで");
	expect_load_error("[rule a]\napp = \xff\n", "site.conf:2: UTF-8 ではない");
	long_line = xmalloc(LOGFIELD_MAX_LINE + 40);
	memset(long_line, 'a', LOGFIELD_MAX_LINE + 30);
	memcpy(long_line, "[rule a]\napp = ", 15);
	long_line[LOGFIELD_MAX_LINE + 30] = '\0';
	expect_load_error(long_line, "site.conf:2: 行が長すぎます");
	free(long_line);
	for (int i = 0; i <= LOGFIELD_MAX_RULES; i++)
		strbuf_addf(&many, "[rule r%d]\napp = a\nuser = kv:u\n", i);
	expect_load_error(many.buf, "site.conf:769: 規則が多すぎます");
	strbuf_release(&many);
}

static void test_utf8_cut(void **state)
{
	struct strbuf msg = STRBUF_INIT;
	struct syslog_msg m;
	struct log_fields f;
	char *v;

	/* 100 x "患" (3 bytes) = 300 bytes: cut to 255 (85 characters), not 256 */
	strbuf_addstr(&msg, "<134>Nov 21 09:30:01 ehr01 ehr: user=\"");
	for (int i = 0; i < 100; i++)
		strbuf_addstr(&msg, "患");
	strbuf_addstr(&msg, "\" patient=1");
	syslog_msg_init(&m);
	log_fields_init(&f);
	syslog_parse(&m, msg.buf, msg.len, SYSLOG_FMT_AUTO, REF_2026_11_21);
	logfield_extract(builtin, &m, &f);
	assert_non_null(f.user);
	assert_int_equal(strlen(f.user), 255);
	assert_true(enc_valid_utf8(f.user, strlen(f.user)));
	log_fields_release(&f);
	syslog_msg_release(&m);
	strbuf_release(&msg);

	/* ASCII exactly at the bound is kept whole; one more byte is cut */
	v = xmalloc(LOG_FIELD_MAX + 2);
	memset(v, 'x', LOG_FIELD_MAX + 1);
	v[LOG_FIELD_MAX + 1] = '\0';
	{
		char *a = logfield_value(v, LOG_FIELD_MAX), *b = logfield_value(v, LOG_FIELD_MAX + 1);

		assert_int_equal(strlen(a), LOG_FIELD_MAX);
		assert_int_equal(strlen(b), LOG_FIELD_MAX);
		free(a);
		free(b);
	}
	free(v);
	assert_null(logfield_value(" - ", 3));
	assert_null(logfield_value("   ", 3));
	{
		char *t = logfield_value("  ab\0cd", 7);

		expect_str("nul cut", t, "ab");
		free(t);
	}
}

static void test_vocab(void **state)
{
	expect_str("参照", logfield_action_norm("参照"), "view");
	expect_str("EXPORT", logfield_action_norm(" EXPORT "), "export");
	expect_str("ログオン", logfield_action_norm("ログオン"), "login");
	assert_null(logfield_action_norm("sign"));
	assert_int_equal(logfield_result_norm("成功"), LOG_RESULT_SUCCESS);
	assert_int_equal(logfield_result_norm("ok"), LOG_RESULT_SUCCESS);
	assert_int_equal(logfield_result_norm("失敗"), LOG_RESULT_FAILURE);
	assert_int_equal(logfield_result_norm("NG"), LOG_RESULT_FAILURE);
	assert_int_equal(logfield_result_norm("maybe"), LOG_RESULT_UNKNOWN);
	assert_int_equal(logfield_result_norm(NULL), LOG_RESULT_UNKNOWN);
}

static void test_event_from_syslog(void **state)
{
	const char *msg = "<110>1 2026-11-21T09:30:01.123+09:00 ehr-app01 EHR 4123 AUDIT "
			  "[ehrAudit@32473 user=\"D12345\" patient=\"0001234567\" action=\"view\" "
			  "result=\"success\" terminal=\"WS-3F-012\"] 診療録参照\n";
	struct log_event ev, back;
	struct mamori_err err = { 0 };
	struct strbuf peer = STRBUF_INIT;
	int64_t recv = (int64_t)REF_2026_11_21 * 1000000 + 5;

	log_event_init(&ev);
	log_event_init(&back);
	logfield_event_from_syslog(builtin, &ev, msg, strlen(msg), LOG_VIA_TCP, "192.0.2.7", recv);
	assert_int_equal(ev.recv_us, recv);
	/* 09:30:01.123+09:00 = 00:30:01.123Z */
	assert_int_equal(ev.time_us, ((int64_t)REF_2026_11_21 + 1801) * 1000000 + 123000);
	assert_int_equal(ev.via, LOG_VIA_TCP);
	assert_int_equal(ev.flags, 0);
	expect_str("user", ev.f.user, "D12345");
	expect_str("rule", ev.f.rule, "ehr-audit");
	assert_true(ev.record.len > strlen(msg));
	assert_memory_equal(ev.record.buf + ev.msg_off, msg, strlen(msg));
	ASSERT_RC(0, log_event_parse(&back, ev.record.buf, ev.record.len, &peer, &err), err);
	expect_str("peer", peer.buf, "192.0.2.7");
	expect_str("patient", back.f.patient, "0001234567");
	expect_str("source", back.f.source, "WS-3F-012");
	assert_int_equal(back.f.result, LOG_RESULT_SUCCESS);
	assert_memory_equal(back.leaf, ev.leaf, sizeof(ev.leaf));

	/* reused: what it held is replaced; no zone means no event time */
	msg = "<38>Nov 21 09:30:01 web01 sshd[1]: Failed password for a from 1.2.3.4 port 5 ssh2";
	logfield_event_from_syslog(builtin, &ev, msg, strlen(msg), LOG_VIA_UDP, "192.0.2.8", recv);
	assert_int_equal(ev.time_us, INT64_MIN);
	assert_true(ev.flags & SYSLOG_F_NO_ZONE);
	expect_str("user", ev.f.user, "a");
	assert_null(ev.f.patient);
	assert_int_equal(ev.f.result, LOG_RESULT_FAILURE);
	log_event_release(&ev);
	log_event_release(&back);
	strbuf_release(&peer);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ehr_sd),
		cmocka_unit_test(test_fields_reused),
		cmocka_unit_test(test_ehr_kv),
		cmocka_unit_test(test_sshd),
		cmocka_unit_test(test_sudo),
		cmocka_unit_test(test_windows_sd),
		cmocka_unit_test(test_windows_kv),
		cmocka_unit_test(test_no_rule),
		cmocka_unit_test(test_site_rules),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_utf8_cut),
		cmocka_unit_test(test_vocab),
		cmocka_unit_test(test_event_from_syslog),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
