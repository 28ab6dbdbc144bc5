/*
 * test_norm.c - unit tests of the cell normalisers (src/core/norm.c): text
 * (full-width, spaces, half-width katakana, controls, the formula guard,
 * idempotence), MAC and IP addresses, yes/no, dates (calendar, eras, Excel
 * serials), ratings and display width.  Each table lists inputs with the
 * output or a part of the reason expected.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "norm.h"

/* ---- norm_text ---------------------------------------------------------- */

static const struct {
	const char *in, *want;
} text_cases[] = {
	{ "", "" },
	{ "abc", "abc" },
	{ "  abc  ", "abc" },
	{ "\u3000全角スペース\u3000", "全角スペース" },
	{ "a\u3000b", "a b" },
	{ "a\u00A0b\u2003c\u202Fd", "a b c d" },
	{ "ＡＢＣ　１２３", "ABC 123" },
	{ "！～", "!~" },
	{ "１７２．３０．１．４", "172.30.1.4" },
	{ "ﾃｽﾄ", "テスト" },
	{ "ｶﾞｷﾞｸﾞｹﾞｺﾞ", "ガギグゲゴ" },
	{ "ﾊﾟﾋﾟﾌﾟﾍﾟﾎﾟ", "パピプペポ" },
	{ "ﾊﾞﾋﾞﾌﾞﾍﾞﾎﾞ", "バビブベボ" },
	{ "ｳﾞｧｲｵﾘﾝ", "ヴァイオリン" },
	{ "ｻﾞｼﾞｽﾞｾﾞｿﾞﾀﾞﾁﾞﾂﾞﾃﾞﾄﾞ", "ザジズゼゾダヂヅデド" },
	{ "ﾜﾞｦﾞ", "ヷヺ" },
	{ "ﾝﾞ", "ン゛" },           /* no voiced ン: mark kept, full-width */
	{ "ｶﾟ", "カ゜" },           /* no semi-voiced カ */
	{ "ﾄﾟﾎﾟ", "ト゜ポ" },       /* ト is the last voiceable before ハ */
	{ "ﾞ", "゛" },
	{ "ｰ", "ー" },
	{ "｢ｱ｣､｡･", "「ア」、。・" },
	{ "ｯｬｭｮｧ", "ッャュョァ" },
	{ "ｺﾝﾋﾟｭｰﾀ", "コンピュータ" },
	{ "カﾞ", "ガ" },            /* full-width base, half-width mark */
	{ "カ\u3099", "ガ" },       /* decomposed (macOS file names) */
	{ "は\u309A", "ぱ" },
	{ "う\u3099", "ゔ" },
	{ "ゝ\u3099", "ゞ" },
	{ "a\u3099", "a\u3099" },   /* nothing to combine with */
	{ "a\tb", "a b" },
	{ "line1\r\nline2", "line1  line2" },
	{ "a\x01" "b\x7F" "c", "abc" },
	{ "a\xC2\x85" "b", "a b" },  /* NEL is a line break */
	{ "a\xC2\x9B" "b", "ab" },   /* C1 control */
	{ "zero\u200Bwidth\uFEFF", "zerowidth" },
	{ "abc\u202Edef", "abcdef" }, /* bidi override */
	{ "soft\u00ADhyphen", "softhyphen" },
	{ "\xFF" "x\xE3\x81", "\uFFFDx\uFFFD" },
	{ "\xC0\x80", "\uFFFD\uFFFD" },
	/* the CSV formula guard */
	{ "'=SUM(A1)", "=SUM(A1)" },
	{ "'+81", "+81" },
	{ "'-", "-" },
	{ "'@x", "@x" },
	{ "''=x", "=x" },
	{ "  '=x  ", "=x" },
	{ "'\tfoo", "foo" },
	{ "'\r=x", "=x" },
	{ "'abc", "'abc" },
	{ "'", "'" },
	{ "' =x", "' =x" },
	{ "＇＝１", "=1" },
	{ "a'=b", "a'=b" },
};

static void test_text(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(text_cases); i++) {
		char *got = norm_text(text_cases[i].in);
		char *again = norm_text(got);

		if (strcmp(got, text_cases[i].want))
			fail_msg("case %zu: got \"%s\", want \"%s\"", i, got, text_cases[i].want);
		/* idempotent */
		if (strcmp(again, got))
			fail_msg("case %zu: not idempotent: \"%s\" then \"%s\"", i, got, again);
		free(again);
		free(got);
	}
	{
		char *t = norm_text(NULL);

		assert_string_equal(t, "");
		free(t);
	}
}

static void test_is_blank(void **state)
{
	static const struct {
		const char *in;
		int blank;
	} cases[] = {
		{ NULL, 1 }, { "", 1 }, { " ", 1 }, { "\u3000\t \r\n", 1 }, { "\x01", 1 },
		{ "\u200B", 1 }, { "a", 0 }, { " ー ", 0 }, { "'", 0 }, { "0", 0 }, { "\xFF", 0 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!!norm_is_blank(cases[i].in) != cases[i].blank)
			fail_msg("case %zu: want %d", i, cases[i].blank);
	}
}

/* ---- MAC ---------------------------------------------------------------- */

static void test_mac(void **state)
{
	static const struct {
		const char *in, *want;
	} good[] = {
		{ "00:D4:9E:3C:3F:D9", "00:d4:9e:3c:3f:d9" },
		{ "00-d4-9e-3c-3f-d9", "00:d4:9e:3c:3f:d9" },
		{ "00d4.9e3c.3fd9", "00:d4:9e:3c:3f:d9" },
		{ "00D49E3C3FD9", "00:d4:9e:3c:3f:d9" },
		{ "  00:d4:9e:3c:3f:d9\u3000", "00:d4:9e:3c:3f:d9" },
		{ "００－Ｄ４－９Ｅ－３Ｃ－３Ｆ－Ｄ９", "00:d4:9e:3c:3f:d9" },
		{ "００：ｄ４：９ｅ：３ｃ：３ｆ：ｄ９", "00:d4:9e:3c:3f:d9" },
		{ "00ーd4ー9eー3cー3fーd9", "00:d4:9e:3c:3f:d9" },
		{ "00−d4−9e−3c−3f−d9", "00:d4:9e:3c:3f:d9" },
		{ "0:d4:9e:3c:3f:d9", "00:d4:9e:3c:3f:d9" },
		{ "0:4:e:c:f:9", "00:04:0e:0c:0f:09" },
		{ "00d49e-3c3fd9", "00:d4:9e:3c:3f:d9" },
		{ "00 d4 9e 3c 3f d9", "00:d4:9e:3c:3f:d9" },
		{ "FF:FF:FF:FF:FF:FF", "ff:ff:ff:ff:ff:ff" },
	};
	static const struct {
		const char *in, *reason;
	} bad[] = {
		{ "", "空です" },
		{ "\u3000", "空です" },
		{ "00:d4:9e:3c:3f", "MACアドレスの桁数が正しくありません「00:d4:9e:3c:3f」(例: 00:d4:9e:3c:3f:d9)" },
		{ "00:d4:9e:3c:3f:d9:aa", "桁数" },
		{ "00d49e3c3fd", "桁数" },
		{ "00d49e3c3fd9a", "桁数" },
		{ "000:d4:9e:3c:3f:d9", "桁数" },
		{ "00d4.9e3c.3fd", "桁数" },
		{ "00d4.9e3c3fd9", "桁数" },
		{ "00:d4:9e:3c:3f:g9", "16進数でない文字「g」" },
		{ "00:d4:9e:3c:3f:d９x", "16進数でない文字「x」" },
		{ "00:d4:9e:3c:3f:日", "16進数でない文字「日」" },
		{ "00:d4-9e:3c:3f:d9", "区切り文字が混在" },
		{ "00d4.9e3c-3fd9", "区切り文字が混在" },
		{ "00::d4:9e:3c:3f:d9", "区切り方" },
		{ ":00:d4:9e:3c:3f:d9", "区切り方" },
		{ "00:d4:9e:3c:3f:d9:", "区切り方" },
		{ "0x00d49e3c3fd9", "16進数でない文字「x」" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		char out[NORM_MAC_LEN], again[NORM_MAC_LEN];
		struct mamori_err err = { 0 };

		if (norm_mac(good[i].in, out, &err))
			fail_msg("\"%s\": %s", good[i].in, err.msg);
		assert_string_equal(out, good[i].want);
		assert_int_equal(norm_mac(out, again, &err), 0);
		assert_string_equal(again, out);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char out[NORM_MAC_LEN];
		struct mamori_err err = { 0 };

		memset(out, 'X', sizeof(out));
		assert_int_equal(norm_mac(bad[i].in, out, &err), MAMORI_EINVAL);
		assert_string_equal(out, "");
		if (!strstr(err.msg, bad[i].reason))
			fail_msg("\"%s\": got \"%s\", want \"%s\"", bad[i].in, err.msg, bad[i].reason);
	}
	/* err may be NULL */
	{
		char out[NORM_MAC_LEN];

		assert_int_equal(norm_mac("nope", out, NULL), MAMORI_EINVAL);
	}
}

/* ---- IP ----------------------------------------------------------------- */

static void test_ip(void **state)
{
	static const struct {
		const char *in, *want;
	} good[] = {
		{ "192.168.1.10", "192.168.1.10" },
		{ " 10.0.0.1 ", "10.0.0.1" },
		{ "0.0.0.0", "0.0.0.0" },
		{ "255.255.255.255", "255.255.255.255" },
		{ "１７２．３０．１．４", "172.30.1.4" },
		{ "192。168。0。1", "192.168.0.1" },
		{ "2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1" },
		{ "2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1" },  /* first longest run */
		{ "2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1" }, /* one zero is not :: */
		{ "2001:DB8::0:1", "2001:db8::1" },
		{ "FE80::ABCD", "fe80::abcd" },
		{ "::", "::" },
		{ "::1", "::1" },
		{ "[2001:db8::1]", "2001:db8::1" },
		{ "::ffff:192.0.2.1", "::ffff:192.0.2.1" },
		{ "２００１：ｄｂ８：：１", "2001:db8::1" },
	};
	static const struct {
		const char *in, *reason;
	} bad[] = {
		{ "", "空です" },
		{ "192.168.01.1", "先頭に 0 のある数は使えません" },
		{ "010.1.1.1", "先頭に 0" },
		{ "1.2.3.00", "先頭に 0" },
		{ "1.2.3.256", "0〜255" },
		{ "1.2.3.1000", "0〜255" },
		{ "1.2.3", "4 つ" },
		{ "1.2.3.4.5", "4 つ" },
		{ "1.2.3.4.", "4 つ" },
		{ ".1.2.3", "4 つ" },
		{ "1..2.3", "4 つ" },
		{ "10.0.0.0/8", "CIDR" },
		{ "2001:db8::/32", "CIDR" },
		{ "pc01.example.local", "ホスト名" },
		{ "localhost", "ホスト名" },
		{ "192.168.1.1:8080", "ポート番号" },
		{ "fe80::1%eth0", "ゾーン ID" },
		{ "2001:db8::1::2", "IPv6" },
		{ "2001:db8:::1", "IPv6" },
		{ "12345::", "IPv6" },
		{ "::ffff:1.2.3.04", "IPv6" },
		{ "1.2.3.4 5", "使えない文字「 」" },
		{ "192,168,1,1", "使えない文字「,」" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		char out[NORM_IP_LEN], again[NORM_IP_LEN];
		struct mamori_err err = { 0 };

		if (norm_ip(good[i].in, out, &err))
			fail_msg("\"%s\": %s", good[i].in, err.msg);
		if (strcmp(out, good[i].want))
			fail_msg("\"%s\": got \"%s\", want \"%s\"", good[i].in, out, good[i].want);
		assert_int_equal(norm_ip(out, again, &err), 0);
		assert_string_equal(again, out);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char out[NORM_IP_LEN];
		struct mamori_err err = { 0 };

		memset(out, 'X', sizeof(out));
		if (norm_ip(bad[i].in, out, &err) != MAMORI_EINVAL)
			fail_msg("\"%s\" accepted as \"%s\"", bad[i].in, out);
		assert_string_equal(out, "");
		if (!strstr(err.msg, bad[i].reason))
			fail_msg("\"%s\": got \"%s\", want \"%s\"", bad[i].in, err.msg, bad[i].reason);
	}
}

/* ---- yes/no ------------------------------------------------------------- */

static void test_bool(void **state)
{
	static const struct {
		const char *in;
		int want;
	} good[] = {
		{ "〇", 1 }, { "○", 1 }, { "◯", 1 }, { "●", 1 }, { "有", 1 }, { "有り", 1 },
		{ "あり", 1 }, { "はい", 1 }, { "済", 1 }, { "yes", 1 }, { "YES", 1 },
		{ "Ｙｅｓ", 1 }, { "y", 1 }, { "true", 1 }, { "TRUE", 1 }, { "1", 1 }, { "１", 1 },
		{ " 〇 ", 1 },
		{ "×", 0 }, { "✕", 0 }, { "✗", 0 }, { "無", 0 }, { "無し", 0 }, { "なし", 0 },
		{ "いいえ", 0 }, { "未", 0 }, { "no", 0 }, { "No", 0 }, { "n", 0 }, { "false", 0 },
		{ "0", 0 }, { "-", 0 }, { "－", 0 }, { "ー", 0 },
		{ "", -1 }, { NULL, -1 }, { "\u3000", -1 },
	};
	static const char *const bad[] = {
		"maybe", "2", "yes!", "はいいえ", "〇×", "ok", "t", "-1",
	};

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		int out = 42;
		struct mamori_err err = { 0 };

		if (norm_bool(good[i].in, &out, &err) || out != good[i].want)
			fail_msg("\"%s\": got %d, want %d (%s)", good[i].in ? good[i].in : "(null)",
				 out, good[i].want, err.msg);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int out = 42;
		struct mamori_err err = { 0 };

		if (norm_bool(bad[i], &out, &err) != MAMORI_EINVAL)
			fail_msg("\"%s\" accepted as %d", bad[i], out);
		assert_non_null(strstr(err.msg, "はい/いいえ"));
		assert_non_null(strstr(err.msg, bad[i]));
	}
}

/* ---- dates -------------------------------------------------------------- */

static void test_date(void **state)
{
	static const struct {
		const char *in, *want;
	} good[] = {
		{ "2024-04-01", "2024-04-01" },
		{ "2024/4/1", "2024-04-01" },
		{ "2024.4.1", "2024-04-01" },
		{ "20240401", "2024-04-01" },
		{ "2024年4月1日", "2024-04-01" },
		{ "2024年04月01日", "2024-04-01" },
		{ "２０２４／４／１", "2024-04-01" },
		{ "２０２４－０４－０１", "2024-04-01" },
		{ " 2024/4/1 ", "2024-04-01" },
		{ "令和6年4月1日", "2024-04-01" },
		{ "令和元年5月1日", "2019-05-01" },
		{ "令和 元年 5月 1日", "2019-05-01" },
		{ "R6.4.1", "2024-04-01" },
		{ "R6/4/1", "2024-04-01" },
		{ "r6-4-1", "2024-04-01" },
		{ "Ｒ６．４．１", "2024-04-01" },
		{ "R1.5.1", "2019-05-01" },
		{ "R元.5.1", "2019-05-01" },
		{ "H31.4.30", "2019-04-30" },
		{ "平成31年4月30日", "2019-04-30" },
		{ "平成元年1月8日", "1989-01-08" },
		{ "H1.1.8", "1989-01-08" },
		{ "昭和64年1月7日", "1989-01-07" },
		{ "S64.1.7", "1989-01-07" },
		{ "昭和元年12月25日", "1926-12-25" },
		{ "昭和50年3月31日", "1975-03-31" },
		{ "令和6年2月29日", "2024-02-29" },
		{ "2000-02-29", "2000-02-29" },   /* divisible by 400 */
		{ "2024-02-29", "2024-02-29" },
		{ "2024-12-31", "2024-12-31" },
		{ "45383", "2024-04-01" },        /* Excel serial */
		{ "20000", "1954-10-03" },
		{ "80000", "2119-01-11" },
		{ "43586", "2019-05-01" },
		{ "2024/4/1 0:00", "2024-04-01" }, /* Excel date cell with a time */
		{ "2024/04/01 23:59:59", "2024-04-01" },
		{ "2024年4月1日(月)", "2024-04-01" },
		{ "2024年4月1日（月曜日）", "2024-04-01" },
		{ "2024/4/1 (月)", "2024-04-01" },
	};
	static const struct {
		const char *in, *reason;
	} bad[] = {
		{ "", "空です" },
		{ "2023-02-29", "存在しない日付です「2023-02-29」(2023年2月は28日まで)" },
		{ "1900-02-29", "存在しない日付" },    /* divisible by 100 */
		{ "2100-02-29", "存在しない日付" },
		{ "令和5年2月29日", "存在しない日付" },
		{ "2024-04-31", "存在しない日付" },
		{ "2024-04-00", "存在しない日付" },
		{ "2024-13-01", "月は 1〜12" },
		{ "2024-00-10", "月は 1〜12" },
		{ "20241301", "月は 1〜12" },
		{ "20230229", "存在しない日付" },
		{ "令和元年4月30日", "令和は 2019年5月1日" },
		{ "R1.4.30", "令和は" },
		{ "平成31年5月1日", "平成は 1989年1月8日 から 2019年4月30日" },
		{ "H32.1.1", "平成は" },
		{ "平成元年1月7日", "平成は" },
		{ "昭和64年1月8日", "昭和は 1926年12月25日 から 1989年1月7日" },
		{ "昭和元年12月24日", "昭和は" },
		{ "S65.1.1", "昭和は" },
		{ "R0.5.1", "元年" },
		{ "令和100年1月1日", "1〜2 桁" },
		{ "大正15年1月1日", "大正・明治" },
		{ "T15.1.1", "大正・明治" },
		{ "4/1/2024", "年・月・日の順" },
		{ "24/4/1", "4 桁" },
		{ "2024/4-1", "混在" },
		{ "2024年4/1", "混在" },
		{ "2024年4月", "日付として読めません" },
		{ "2024年4月1日(火)", "曜日が合いません" },
		{ "19999", "20000〜80000" },
		{ "80001", "20000〜80000" },
		{ "45383.5", "日付として読めません" },
		{ "123", "20000〜80000" },
		{ "1899-12-31", "1900〜2199" },
		{ "2200-01-01", "1900〜2199" },
		{ "2024/4/1 25:00", "日付として読めません" },
		{ "2024/4/1x", "日付として読めません" },
		{ "April 1, 2024", "日付として読めません" },
		{ "2024/04/001", "日付として読めません" },
		{ "2024//1", "日付として読めません" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		char out[NORM_DATE_LEN], again[NORM_DATE_LEN];
		struct mamori_err err = { 0 };

		if (norm_date(good[i].in, out, &err))
			fail_msg("\"%s\": %s", good[i].in, err.msg);
		if (strcmp(out, good[i].want))
			fail_msg("\"%s\": got \"%s\", want \"%s\"", good[i].in, out, good[i].want);
		assert_int_equal(norm_date(out, again, &err), 0);
		assert_string_equal(again, out);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char out[NORM_DATE_LEN];
		struct mamori_err err = { 0 };

		memset(out, 'X', sizeof(out));
		if (norm_date(bad[i].in, out, &err) != MAMORI_EINVAL)
			fail_msg("\"%s\" accepted as \"%s\"", bad[i].in, out);
		assert_string_equal(out, "");
		if (!strstr(err.msg, bad[i].reason))
			fail_msg("\"%s\": got \"%s\", want \"%s\"", bad[i].in, err.msg, bad[i].reason);
	}
}

/* Every day of 2019-04-25..2019-05-05 converts both ways around the era change. */
static void test_date_era_boundary(void **state)
{
	for (int d = 25; d <= 35; d++) {
		int m = d <= 30 ? 4 : 5, day = d <= 30 ? d : d - 30;
		char in[64], want[32], out[NORM_DATE_LEN];
		struct mamori_err err = { 0 };
		bool heisei = m == 4;

		snprintf(want, sizeof(want), "2019-%02d-%02d", m, day);
		snprintf(in, sizeof(in), "平成31年%d月%d日", m, day);
		assert_int_equal(norm_date(in, out, &err), heisei ? 0 : MAMORI_EINVAL);
		if (heisei)
			assert_string_equal(out, want);
		snprintf(in, sizeof(in), "R1/%d/%d", m, day);
		assert_int_equal(norm_date(in, out, &err), heisei ? MAMORI_EINVAL : 0);
		if (!heisei)
			assert_string_equal(out, want);
	}
}

/* ---- ratings ------------------------------------------------------------ */

static void test_rating(void **state)
{
	static const struct {
		const char *in, *allowed, *want;
	} good[] = {
		{ "A", "ABC", "A" }, { "b", "ABC", "B" }, { " C ", "ABC", "C" }, { "Ａ", "ABC", "A" },
		{ "ｂ", "AB", "B" }, { "A3", "ABC", "A3" }, { "ａ３", "ABC", "A3" }, { "c9", "ABC", "C9" },
		{ "a", "abc", "A" },
	};
	static const struct {
		const char *in, *allowed, *reason;
	} bad[] = {
		{ "", "ABC", "空です (A, B, C のいずれか)" },
		{ "C", "AB", "評価「C」は使えません (A, B のいずれか)" },
		{ "D", "ABC", "使えません" },
		{ "A0", "ABC", "読めません" },
		{ "A10", "ABC", "読めません" },
		{ "AB", "ABC", "読めません" },
		{ "3", "ABC", "読めません" },
		{ "高", "ABC", "読めません「高」" },
		{ "A 3", "ABC", "読めません" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		char out[3];
		struct mamori_err err = { 0 };

		if (norm_rating(good[i].in, good[i].allowed, out, sizeof(out), &err))
			fail_msg("\"%s\": %s", good[i].in, err.msg);
		assert_string_equal(out, good[i].want);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char out[8] = "XXXXXXX";
		struct mamori_err err = { 0 };

		assert_int_equal(norm_rating(bad[i].in, bad[i].allowed, out, sizeof(out), &err),
				 MAMORI_EINVAL);
		assert_string_equal(out, "");
		if (!strstr(err.msg, bad[i].reason))
			fail_msg("\"%s\": got \"%s\", want \"%s\"", bad[i].in, err.msg, bad[i].reason);
	}
}

/* ---- display width ------------------------------------------------------ */

static void test_display_width(void **state)
{
	static const struct {
		const char *s;
		size_t want;
	} cases[] = {
		{ "", 0 },
		{ "abc", 3 },
		{ "日本語", 6 },
		{ "USBメモリ", 9 },
		{ "ＡＢ", 4 },          /* full-width */
		{ "ｱｲｳ", 3 },           /* half-width katakana */
		{ "e\u0301", 1 },       /* combining acute */
		{ "カ\u3099", 2 },      /* combining voiced mark */
		{ "한국", 4 },          /* Hangul */
		{ "😀", 2 },
		{ "①", 1 },             /* ambiguous counts 1 */
		{ "\u3000", 2 },
		{ "a\u200Bb", 2 },      /* zero width space */
		{ "𠀋", 2 },            /* CJK extension B */
		{ "\xFF", 1 },          /* a broken byte shows as one cell */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t got = norm_display_width(cases[i].s);

		if (got != cases[i].want)
			fail_msg("\"%s\": width %zu, want %zu", cases[i].s, got, cases[i].want);
	}
	assert_int_equal(norm_display_width(NULL), 0);
}

/* Day numbers and dates are inverse for 1600..2400 (each day, and with
 * three days asked in turn so that the answers kept per thread are reused
 * and replaced); known dates around the epoch and leap days. */
static void test_civil_days(void **state)
{
	int64_t y;
	int m, d;

	(void)state;
	norm_civil_from_days(0, &y, &m, &d);
	assert_true(y == 1970 && m == 1 && d == 1);
	norm_civil_from_days(-1, &y, &m, &d);
	assert_true(y == 1969 && m == 12 && d == 31);
	assert_int_equal(norm_days_from_civil(2024, 2, 29), 19782);
	norm_civil_from_days(19782, &y, &m, &d);
	assert_true(y == 2024 && m == 2 && d == 29);
	norm_civil_from_days(norm_days_from_civil(2100, 3, 1) - 1, &y, &m, &d);
	assert_true(y == 2100 && m == 2 && d == 28);
	for (int64_t z = norm_days_from_civil(1600, 1, 1); z < norm_days_from_civil(2400, 1, 1); z++) {
		int64_t zs[3] = { z, z / 2, z };

		for (int k = 0; k < 3; k++) {
			norm_civil_from_days(zs[k], &y, &m, &d);
			assert_true(m >= 1 && m <= 12 && d >= 1 && d <= 31);
			if (norm_days_from_civil(y, m, d) != zs[k])
				fail_msg("day %lld gave %lld-%d-%d", (long long)zs[k], (long long)y, m, d);
		}
	}
}

/* Only a date after the server's tomorrow is in the future. */
static void test_date_is_future(void **state)
{
	char today[11];

	(void)state;
	assert_false(norm_date_is_future("1970-01-01", today));
	assert_int_equal(strlen(today), 10);
	assert_false(norm_date_is_future(today, today));
	assert_true(norm_date_is_future("9999-12-31", today));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_is_blank),
		cmocka_unit_test(test_mac),
		cmocka_unit_test(test_ip),
		cmocka_unit_test(test_bool),
		cmocka_unit_test(test_date),
		cmocka_unit_test(test_date_era_boundary),
		cmocka_unit_test(test_civil_days),
		cmocka_unit_test(test_date_is_future),
		cmocka_unit_test(test_rating),
		cmocka_unit_test(test_display_width),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
