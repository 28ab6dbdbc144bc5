/*
 * test_enc.c - unit tests of the encoding module (src/core/enc.c): names,
 * strict UTF-8 validation, CP932 detection and conversion (the CP932 bytes
 * are made at test time with iconv and checked against bytes verified with
 * `iconv -f utf-8 -t cp932 | xxd`), BOM handling, and the line named for a
 * bad byte or an unrepresentable character.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "enc.h"
#include "testutil.h"

#define S(lit) lit, sizeof(lit) - 1

static void test_parse_name(void **state)
{
	static const struct {
		const char *name;
		enum enc_kind want;
	} good[] = {
		{ "auto", ENC_AUTO }, { "AUTO", ENC_AUTO }, { "utf-8", ENC_UTF8 },
		{ "UTF-8", ENC_UTF8 }, { "utf8", ENC_UTF8 }, { "Utf8", ENC_UTF8 },
		{ "cp932", ENC_CP932 }, { "CP932", ENC_CP932 }, { "sjis", ENC_CP932 },
		{ "SJIS", ENC_CP932 }, { "shift_jis", ENC_CP932 }, { "Shift_JIS", ENC_CP932 },
		{ "shift-jis", ENC_CP932 }, { "windows-31j", ENC_CP932 },
		{ "Windows-31J", ENC_CP932 }, { "ms932", ENC_CP932 }, { "MS932", ENC_CP932 },
	};
	static const char *const bad[] = {
		"", "utf-16", "euc-jp", "cp9322", "utf", "shiftjis ", " auto", "latin1",
	};

	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		enum enc_kind k = (enum enc_kind)99;
		struct mamori_err err = { 0 };

		if (enc_parse_name(good[i].name, &k, &err) != 0 || k != good[i].want)
			fail_msg("\"%s\": kind %d, want %d", good[i].name, (int)k, (int)good[i].want);
	}
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		enum enc_kind k = ENC_UTF8;
		struct mamori_err err = { 0 };

		assert_int_equal(enc_parse_name(bad[i], &k, &err), MAMORI_EINVAL);
		assert_int_equal(err.code, MAMORI_EINVAL);
		/* the message lists what is accepted */
		assert_non_null(strstr(err.msg, "auto, utf-8, cp932"));
		assert_int_equal(k, ENC_UTF8);
	}
	assert_int_equal(enc_parse_name(NULL, &(enum enc_kind){ 0 }, NULL), MAMORI_EINVAL);
}

static void test_name(void **state)
{
	assert_string_equal(enc_name(ENC_UTF8), "UTF-8");
	assert_string_equal(enc_name(ENC_CP932), "CP932");
}

static void test_valid_utf8(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		bool valid;
	} cases[] = {
		{ S(""), true },
		{ S("plain ASCII\r\n"), true },
		{ S("媒体名,申請者"), true },
		{ S("\xC2\x80"), true },             /* U+0080, smallest 2-byte */
		{ S("\xDF\xBF"), true },             /* U+07FF */
		{ S("\xE0\xA0\x80"), true },         /* U+0800 */
		{ S("\xED\x9F\xBF"), true },         /* U+D7FF, last before surrogates */
		{ S("\xEE\x80\x80"), true },         /* U+E000 */
		{ S("\xEF\xBF\xBF"), true },         /* U+FFFF */
		{ S("\xF0\x90\x80\x80"), true },     /* U+10000 */
		{ S("\xF4\x8F\xBF\xBF"), true },     /* U+10FFFF */
		{ S("a\0b"), true },                 /* NUL is a character */
		{ S("\x80"), false },                /* lone continuation */
		{ S("\xBF"), false },
		{ S("\xC0\x80"), false },            /* overlong NUL */
		{ S("\xC1\xBF"), false },            /* overlong */
		{ S("\xE0\x80\x80"), false },        /* overlong 3-byte */
		{ S("\xE0\x9F\xBF"), false },        /* overlong 3-byte */
		{ S("\xF0\x80\x80\x80"), false },    /* overlong 4-byte */
		{ S("\xF0\x8F\xBF\xBF"), false },    /* overlong 4-byte */
		{ S("\xED\xA0\x80"), false },        /* U+D800 surrogate */
		{ S("\xED\xBF\xBF"), false },        /* U+DFFF surrogate */
		{ S("\xF4\x90\x80\x80"), false },    /* U+110000 */
		{ S("\xF5\x80\x80\x80"), false },
		{ S("\xFE"), false },
		{ S("\xFF"), false },
		{ S("\xE3\x81"), false },            /* cut off */
		{ S("ok\xE3"), false },
		{ S("\xC2"), false },
		{ S("\xC2\x41"), false },            /* bad continuation */
		{ S("\xE3\x81\x41"), false },
		{ S("\xF0\x90\x80\x41"), false },
		{ S("\x94\x7D\x91\xCC"), false },    /* CP932 媒体 */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (enc_valid_utf8(cases[i].s, cases[i].len) != cases[i].valid)
			fail_msg("case %zu: want %s", i, cases[i].valid ? "valid" : "invalid");
	}
}

/* ASCII is skipped eight bytes at a time: a bad byte or a sequence is
 * found at every offset of a long string, and so is one cut off at its end. */
static void test_first_invalid_offsets(void **state)
{
	char s[64] = { 0 };

	(void)state;
	for (size_t len = 0; len <= 40; len++) {
		for (size_t at = 0; at < len; at++) {
			memset(s, 'a', len);
			s[at] = (char)0xFF;
			assert_int_equal(enc_utf8_first_invalid(s, len), at);
			if (at + 3 <= len) {
				memcpy(s + at, "\xE3\x81\x82", 3); /* あ */
				assert_int_equal(enc_utf8_first_invalid(s, len), len);
				if (at + 4 <= len) {
					s[at + 3] = (char)0x80; /* a lone continuation after it */
					assert_int_equal(enc_utf8_first_invalid(s, len), at + 3);
				}
			}
		}
		memset(s, 'a', len);
		assert_int_equal(enc_utf8_first_invalid(s, len), len);
		if (len >= 2) {
			memcpy(s + len - 2, "\xE3\x81", 2); /* cut off at the end */
			assert_int_equal(enc_utf8_first_invalid(s, len), len - 2);
		}
	}
}

/* The CP932 bytes iconv makes for the header are the ones verified with xxd. */
static void test_cp932_fixture(void **state)
{
	static const unsigned char want[] = {
		0x94, 0x7D, 0x91, 0xCC, 0x96, 0xBC, 0x2C, 0x90, 0x5C, 0x90, 0xBF, 0x8E, 0xD2,
	};
	size_t len;
	char *cp = testutil_to_cp932("媒体名,申請者", &len);

	assert_int_equal(len, sizeof(want));
	assert_memory_equal(cp, want, sizeof(want));
	free(cp);
}

static const char ledger[] = "媒体名,申請者\r\nUSBメモリ,山田 太郎\r\n"
			     "外付けHDD,佐藤①～㈱\\\r\n";

static void test_cp932_auto(void **state)
{
	size_t cplen, outlen = 0;
	char *cp = testutil_to_cp932(ledger, &cplen), *out = NULL;
	enum enc_kind det = ENC_AUTO;
	struct mamori_err err = { 0 };

	assert_false(enc_valid_utf8(cp, cplen));
	assert_int_equal(enc_to_utf8(cp, cplen, ENC_AUTO, &out, &outlen, &det, &err), 0);
	assert_int_equal(det, ENC_CP932);
	assert_string_equal(out, ledger);
	assert_int_equal(outlen, strlen(ledger));
	free(out);

	/* explicitly */
	det = ENC_AUTO;
	assert_int_equal(enc_to_utf8(cp, cplen, ENC_CP932, &out, &outlen, &det, &err), 0);
	assert_int_equal(det, ENC_CP932);
	assert_string_equal(out, ledger);
	free(out);

	/* and back */
	assert_int_equal(enc_from_utf8(ledger, strlen(ledger), ENC_CP932, &out, &outlen, &err), 0);
	assert_int_equal(outlen, cplen);
	assert_memory_equal(out, cp, cplen);
	free(out);
	free(cp);
}

static void test_utf8_and_bom(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		enum enc_kind enc;
		const char *want;
		size_t wantlen;
	} cases[] = {
		{ S("a,b\n"), ENC_AUTO, S("a,b\n") },
		{ S("\xEF\xBB\xBF" "a,b\n"), ENC_AUTO, S("a,b\n") },
		{ S("\xEF\xBB\xBF" "媒体名\n"), ENC_UTF8, S("媒体名\n") },
		{ S("媒体名\n"), ENC_AUTO, S("媒体名\n") },
		{ S("\xEF\xBB\xBF"), ENC_AUTO, S("") },
		{ S(""), ENC_AUTO, S("") },
		{ S(""), ENC_CP932, S("") },
		{ S("a\0b"), ENC_UTF8, S("a\0b") },
		/* only the first BOM is dropped */
		{ S("\xEF\xBB\xBF\xEF\xBB\xBF" "x"), ENC_UTF8, S("\xEF\xBB\xBF" "x") },
		/* ASCII is the same in CP932 */
		{ S("abc\\~\n"), ENC_CP932, S("abc\\~\n") },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *out = NULL;
		size_t outlen = 99;
		enum enc_kind det = ENC_AUTO;
		struct mamori_err err = { 0 };

		if (enc_to_utf8(cases[i].in, cases[i].len, cases[i].enc, &out, &outlen, &det, &err))
			fail_msg("case %zu failed: %s", i, err.msg);
		assert_int_equal(det, cases[i].enc == ENC_CP932 ? ENC_CP932 : ENC_UTF8);
		assert_int_equal(outlen, cases[i].wantlen);
		assert_memory_equal(out, cases[i].want, outlen + 1);
		free(out);
	}
}

static const struct bad_case {
	const char *in;
	size_t len;
	enum enc_kind enc;
	const char *prefix;
	const char *reason;
} bad_cases[] = {
	{ S("\xFF"), ENC_UTF8, "1: ", "0xFF" },
	{ S("a\nb\n\xFF\n"), ENC_UTF8, "3: ", "UTF-8 として不正なバイト 0xFF" },
	{ S("a\r\nb\r\n\xC0\x80"), ENC_UTF8, "3: ", "0xC0" },
	{ S("a\rb\rc\r\xED\xA0\x80"), ENC_UTF8, "4: ", "0xED" },
	{ S("\xEF\xBB\xBF" "ok\n\n\xE3\x81"), ENC_UTF8, "3: ", "0xE3" },
	{ S("\xEF\xBB\xBF" "ok\n\x94\x7D"), ENC_AUTO, "2: ", "UTF-8 として不正" },
	{ S("x\n\xEF\xBB\xBF\x80"), ENC_UTF8, "2: ", "0x80" },
	{ S("\xEF\xBB\xBF" "a"), ENC_CP932, "1: ", "BOM" },
	{ S("\xFF\xFEh\0i\0"), ENC_AUTO, "1: ", "UTF-16" },
	{ S("\xFF\xFEh\0i\0"), ENC_UTF8, "1: ", "UTF-16" },
	/* invalid both ways: 0xA0 is neither UTF-8 nor CP932 */
	{ S("ok\nok\n\xA0"), ENC_AUTO, "3: ", "CP932 としても読めません" },
	/* a CP932 lead byte followed by a byte that cannot trail */
	{ S("a\nb\n\x81\x20"), ENC_CP932, "3: ", "CP932 (Shift_JIS) として不正なバイト列 0x81 0x20" },
	/* a CP932 lead byte cut off by the end */
	{ S("a\r\n\x94"), ENC_CP932, "2: ", "0x94" },
	{ S("a\n\xA0"), ENC_CP932, "2: ", "0xA0" },
};

static void test_bad_bytes(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		char *out = (char *)"untouched";
		size_t outlen = 5;
		struct mamori_err err = { 0 };

		assert_int_equal(enc_to_utf8(c->in, c->len, c->enc, &out, &outlen, NULL, &err),
				 MAMORI_EINVAL);
		assert_null(out);
		if (strncmp(err.msg, c->prefix, strlen(c->prefix)) || !strstr(err.msg, c->reason))
			fail_msg("case %zu: got \"%s\", want \"%s…%s…\"", i, err.msg, c->prefix,
				 c->reason);
	}
}

/* Japanese text in UTF-8 with a bad byte on line 4 names line 4. */
static void test_invalid_utf8_line_in_ledger(void **state)
{
	static const char text[] = "媒体名,申請者\nUSB,山田\n外付け,佐藤\n\xE5\xAA,田中\n";
	char *out = NULL;
	struct mamori_err err = { 0 };

	assert_int_equal(enc_to_utf8(text, strlen(text), ENC_UTF8, &out, NULL, NULL, &err),
			 MAMORI_EINVAL);
	assert_int_equal(strncmp(err.msg, "4: ", 3), 0);
	assert_non_null(strstr(err.msg, "--encoding cp932"));
}

/* A CP932 file read as UTF-8 names the line of its first Japanese byte. */
static void test_cp932_as_utf8(void **state)
{
	size_t cplen;
	char *cp = testutil_to_cp932("id,name\n1,abc\n2,媒体\n", &cplen), *out = NULL;
	struct mamori_err err = { 0 };

	assert_int_equal(enc_to_utf8(cp, cplen, ENC_UTF8, &out, NULL, NULL, &err), MAMORI_EINVAL);
	assert_int_equal(strncmp(err.msg, "3: ", 3), 0);
	assert_non_null(strstr(err.msg, "0x94"));
	free(cp);
}

static void test_from_utf8(void **state)
{
	static const struct {
		const char *in;
		const char *prefix;
		const char *ch;
	} unrepresentable[] = {
		{ "😀", "1: ", "文字「😀」(U+1F600) は CP932 で表せません" },
		{ "媒体名\nok\r\n한국", "3: ", "文字「한」(U+D55C)" },
		{ "a\rb\rcⅫ", "3: ", "文字「Ⅻ」(U+216B)" },
		{ "line1\nline2 é", "2: ", "文字「é」" },
	};
	char *out = NULL;
	size_t outlen = 0;
	struct mamori_err err = { 0 };

	for (size_t i = 0; i < ARRAY_SIZE(unrepresentable); i++) {
		out = (char *)"untouched";
		assert_int_equal(enc_from_utf8(unrepresentable[i].in, strlen(unrepresentable[i].in),
					       ENC_CP932, &out, &outlen, &err),
				 MAMORI_EINVAL);
		assert_null(out);
		if (strncmp(err.msg, unrepresentable[i].prefix, strlen(unrepresentable[i].prefix)) ||
		    !strstr(err.msg, unrepresentable[i].ch))
			fail_msg("case %zu: got \"%s\"", i, err.msg);
	}

	/* UTF-8 output copies, NUL bytes included */
	assert_int_equal(enc_from_utf8("a\0日", 5, ENC_UTF8, &out, &outlen, &err), 0);
	assert_int_equal(outlen, 5);
	assert_memory_equal(out, "a\0日", 6);
	free(out);

	/* invalid UTF-8 input is refused for either output */
	assert_int_equal(enc_from_utf8("ok\n\xFF", 4, ENC_UTF8, &out, NULL, &err), MAMORI_EINVAL);
	assert_int_equal(strncmp(err.msg, "2: ", 3), 0);
	assert_int_equal(enc_from_utf8("ok\n\xFF", 4, ENC_CP932, &out, NULL, &err), MAMORI_EINVAL);

	/* the usual look-alikes map to CP932, not to an error */
	assert_int_equal(enc_from_utf8(S("〜−‖"), ENC_CP932, &out, &outlen, &err), 0);
	assert_int_equal(outlen, 6);
	assert_memory_equal(out, "\x81\x60\x81\x7C\x81\x61", 6);
	free(out);

	/* empty, also as NULL */
	assert_int_equal(enc_from_utf8("", 0, ENC_CP932, &out, &outlen, &err), 0);
	assert_int_equal(outlen, 0);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(enc_from_utf8(NULL, 0, ENC_CP932, &out, &outlen, &err), 0);
	assert_string_equal(out, "");
	free(out);
	assert_int_equal(enc_to_utf8(NULL, 0, ENC_AUTO, &out, &outlen, NULL, &err), 0);
	assert_int_equal(outlen, 0);
	assert_string_equal(out, "");
	free(out);
}

/* UTF-8 -> CP932 -> UTF-8 keeps every character CP932 has. */
static void test_cp932_round_trip(void **state)
{
	static const char *const texts[] = {
		"ｱｲｳｴｵ ﾊﾟｿｺﾝ", "①②③ ㈱ Ⅸ", "髙橋 﨑", "￥１００ ～ ＼", "\t\"quoted\",\r\n",
		"ひらがな カタカナ 漢字",
	};

	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		char *cp = NULL, *back = NULL;
		size_t cplen, backlen;
		enum enc_kind det;
		struct mamori_err err = { 0 };

		if (enc_from_utf8(texts[i], strlen(texts[i]), ENC_CP932, &cp, &cplen, &err))
			fail_msg("\"%s\": %s", texts[i], err.msg);
		assert_int_equal(enc_to_utf8(cp, cplen, ENC_CP932, &back, &backlen, &det, &err), 0);
		assert_string_equal(back, texts[i]);
		assert_int_equal(backlen, strlen(texts[i]));
		free(cp);
		free(back);
	}
}

/* Half-width katakana triple in size from CP932 to UTF-8: the buffer grows. */
static void test_cp932_growth(void **state)
{
	enum { N = 5000 };
	char *cp = xmalloc(N + 2), *out = NULL;
	size_t outlen = 0;
	struct mamori_err err = { 0 };

	memset(cp, 0xB1, N); /* ｱ */
	cp[N] = '\n';
	cp[N + 1] = '\0';
	assert_int_equal(enc_to_utf8(cp, N + 1, ENC_AUTO, &out, &outlen, NULL, &err), 0);
	assert_int_equal(outlen, 3 * N + 1);
	for (size_t i = 0; i < N; i++)
		assert_memory_equal(out + 3 * i, "ｱ", 3);
	assert_int_equal(out[3 * N], '\n');
	assert_int_equal(out[3 * N + 1], '\0');
	free(out);
	free(cp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_name),
		cmocka_unit_test(test_name),
		cmocka_unit_test(test_valid_utf8),
		cmocka_unit_test(test_first_invalid_offsets),
		cmocka_unit_test(test_cp932_fixture),
		cmocka_unit_test(test_cp932_auto),
		cmocka_unit_test(test_utf8_and_bom),
		cmocka_unit_test(test_bad_bytes),
		cmocka_unit_test(test_invalid_utf8_line_in_ledger),
		cmocka_unit_test(test_cp932_as_utf8),
		cmocka_unit_test(test_from_utf8),
		cmocka_unit_test(test_cp932_round_trip),
		cmocka_unit_test(test_cp932_growth),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
