/*
 * test_logview.c - unit tests of src/core/logview.c: the time bounds users
 * type (local dates, a date as an upper bound meaning the whole day,
 * RFC 3339 with zones and fractions, refusals), text made valid UTF-8,
 * badges (duplicate; malformed with the parser's reason), a hit as JSON
 * and as a CSV line.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "logview.h"
#include "syslog.h"

static int64_t tm_us(const char *s, int end)
{
	struct mamori_err err = { 0 };
	int64_t us = 0;

	assert_int_equal(logview_parse_time(s, end, &us, &err), 0);
	return us;
}

static void test_times(void **state)
{
	struct mamori_err err = { 0 };
	char buf[LOGVIEW_TIME_LEN];
	int64_t us;

	(void)state;
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	/* 2026-11-20 00:00 JST = 2026-11-19T15:00:00Z = 1795100400 */
	assert_int_equal(tm_us("2026-11-20", 0), INT64_C(1795100400) * 1000000);
	assert_int_equal(tm_us("2026-11-20", 1), (INT64_C(1795100400) + 86400) * 1000000);
	assert_int_equal(tm_us("2026-11-20 09:30", 0), (INT64_C(1795100400) + 9 * 3600 + 1800) * 1000000);
	assert_int_equal(tm_us("2026-11-20T09:30:15", 1), (INT64_C(1795100400) + 9 * 3600 + 1815) * 1000000);
	assert_int_equal(tm_us("2026-11-19T15:00:00Z", 0), INT64_C(1795100400) * 1000000);
	assert_int_equal(tm_us("2026-11-20T00:00:00+09:00", 0), INT64_C(1795100400) * 1000000);
	assert_int_equal(tm_us("2026-11-19T15:00:00.25Z", 0), INT64_C(1795100400) * 1000000 + 250000);
	assert_int_equal(tm_us("2026-11-19T14:00:00-01:00", 0), INT64_C(1795100400) * 1000000);
	for (const char *const *p = (const char *const[]){ "", "yesterday", "2026-13-01", "2026-11-20 25:00",
						   "2026-11-20T09:30Zjunk", "2026-11-20T09:30:00+0900",
						   "2026-11-20x", "2026-11-20T09:30:00.Z", NULL };
	     *p; p++) {
		assert_int_equal(logview_parse_time(*p, 0, &us, &err), MAMORI_EINVAL);
		assert_non_null(strstr(err.msg, "日時が読めません"));
	}
	logview_utc_time(INT64_C(1795100400) * 1000000 + 5, buf);
	assert_string_equal(buf, "2026-11-19T15:00:00.000005Z");
	logview_local_time(INT64_C(1795100400) * 1000000, buf);
	assert_string_equal(buf, "2026-11-20 00:00:00");
	logview_local_time(INT64_MIN, buf);
	assert_string_equal(buf, "");
}

static void test_clean_text(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	logview_clean_text(&sb, "ok 日本語 \xff\xc3\x28 \xed\xa0\x80|\0|", 23);
	assert_string_equal(sb.buf, "ok 日本語 \\xFF\\xC3( \\xED\\xA0\\x80|\\x00|");
	strbuf_release(&sb);
}

static void test_badges(void **state)
{
	json_t *b;

	(void)state;
	b = logview_badges(0, "<13>1 2026-11-20T00:00:00Z h a - - - ok", 39);
	assert_int_equal(json_array_size(b), 0);
	json_decref(b);
	b = logview_badges(LOG_F_DUPLICATE | SYSLOG_F_NO_PRI, "no pri at all", 13);
	assert_int_equal(json_array_size(b), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(b, 0), "label")), "重複");
	assert_string_equal(json_string_value(json_object_get(json_array_get(b, 1), "code")), "malformed");
	assert_true(strlen(json_string_value(json_object_get(json_array_get(b, 1), "reason"))) > 0);
	json_decref(b);
}

static void test_hit(void **state)
{
	struct logstore_hit h = { 0 };
	struct strbuf csv = STRBUF_INIT;
	json_t *j;
	char *s;

	(void)state;
	setenv("TZ", "Asia/Tokyo", 1);
	tzset();
	h.seq = 7;
	h.recv_us = INT64_C(1795100400) * 1000000;
	h.time_us = INT64_MIN;
	h.via = LOG_VIA_FILE;
	h.user = "D001";
	h.patient = "=cmd|' /C calc'!A0";
	h.result = LOG_RESULT_FAILURE;
	h.peer = "ehr.csv";
	h.source = "WS-3F-012";
	h.message = "a\xff\nb";
	h.message_len = 4;
	j = logview_hit_json(&h);
	s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(s, "{\"action\":null,\"badges\":[],\"flags\":0,\"host\":null,"
			       "\"message\":\"a\\\\xFF\\nb\",\"patient\":\"=cmd|' /C calc'!A0\","
			       "\"peer\":\"ehr.csv\",\"recv\":\"2026-11-19T15:00:00.000000Z\","
			       "\"result\":\"failure\",\"seq\":7,\"source\":\"WS-3F-012\",\"time\":null,\"user\":\"D001\","
			       "\"via\":\"file\"}");
	free(s);
	json_decref(j);
	logview_csv_head(&csv, 1);
	logview_csv_line(&csv, &h);
	assert_string_equal(csv.buf, "\xEF\xBB\xBF"
				     "連番,発生時刻,受信時刻,利用者,患者ID,端末/ホスト,操作,結果,接続元,送信元,経路,注記,メッセージ\r\n"
				     "7,,2026-11-20 00:00:00,D001,'=cmd|' /C calc'!A0,,,失敗,WS-3F-012,ehr.csv,file,,\"a\\xFF\nb\"\r\n");
	strbuf_release(&csv);
}

/* The text writer: any bytes give valid JSON whose strings are the
 * cleaned texts (quotes, backslashes, control bytes, NUL, bad UTF-8). */
static void test_hit_text(void **state)
{
	static const char msg[] = "q\"b\\s\x01t\tz\0n日本\x7f\xe6\x97";
	struct logstore_hit h = { 0 };
	struct strbuf text = STRBUF_INIT, want = STRBUF_INIT;
	json_error_t jerr;
	json_t *arr, *j, *badges;

	(void)state;
	h.seq = 42;
	h.recv_us = INT64_C(1795100400) * 1000000 + 5;
	h.time_us = INT64_C(1795100400) * 1000000 - 1;
	h.via = LOG_VIA_RELP;
	h.user = "a\"\\b";
	h.host = "端末\x1f";
	h.result = LOG_RESULT_SUCCESS;
	h.flags = LOG_F_DUPLICATE;
	h.message = msg;
	h.message_len = sizeof(msg) - 1;
	strbuf_addstr(&text, "[");
	logview_hit_json_text(&text, &h);
	strbuf_addstr(&text, "]");
	arr = json_loadb(text.buf, text.len, 0, &jerr);
	if (!arr)
		fail_msg("not JSON: %s: %s", jerr.text, text.buf);
	j = json_array_get(arr, 0);
	assert_int_equal(json_integer_value(json_object_get(j, "seq")), 42);
	assert_string_equal(json_string_value(json_object_get(j, "recv")), "2026-11-19T15:00:00.000005Z");
	assert_string_equal(json_string_value(json_object_get(j, "time")), "2026-11-19T14:59:59.999999Z");
	assert_string_equal(json_string_value(json_object_get(j, "via")), "relp");
	assert_string_equal(json_string_value(json_object_get(j, "user")), "a\"\\b");
	assert_string_equal(json_string_value(json_object_get(j, "host")), "端末\x1f");
	assert_true(json_is_null(json_object_get(j, "peer")));
	assert_string_equal(json_string_value(json_object_get(j, "result")), "success");
	assert_int_equal(json_integer_value(json_object_get(j, "flags")), LOG_F_DUPLICATE);
	badges = json_object_get(j, "badges");
	assert_int_equal(json_array_size(badges), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(badges, 0), "code")),
			    "duplicate");
	logview_clean_text(&want, msg, sizeof(msg) - 1);
	assert_int_equal(json_string_length(json_object_get(j, "message")), want.len);
	assert_memory_equal(json_string_value(json_object_get(j, "message")), want.buf, want.len);
	assert_non_null(strstr(want.buf, "\\x00"));
	assert_non_null(strstr(want.buf, "\\xE6\\x97"));
	json_decref(arr);
	strbuf_release(&text);
	strbuf_release(&want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_times),
		cmocka_unit_test(test_clean_text),
		cmocka_unit_test(test_badges),
		cmocka_unit_test(test_hit),
		cmocka_unit_test(test_hit_text),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
