/*
 * test_syslog_frame.c - the RFC 6587 de-framer (src/core/syslog_frame.c):
 * every stream is also fed split at every byte boundary and byte by byte,
 * and must give the same frames.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "strbuf.h"
#include "syslog_frame.h"
#include "testutil.h"

/* Feeds s in pieces of at most step bytes (0: split once at cut); returns
 * the frames as "[text]" with "!" after a cut one and "?" after an
 * incomplete one. */
static char *run(const char *s, size_t len, size_t max, size_t step, size_t cut)
{
	struct syslog_frame f;
	struct syslog_frame_out out;
	struct strbuf sb = STRBUF_INIT;
	size_t pos = 0;

	syslog_frame_init(&f, max);
	while (pos < len) {
		size_t chunk = step ? step : (pos < cut ? cut - pos : len - pos);
		size_t end = pos + chunk > len ? len : pos + chunk;

		while (pos < end) {
			size_t n = syslog_frame_push(&f, s + pos, end - pos, &out);

			assert_true(n > 0);
			pos += n;
			assert_true(f.consumed <= pos);
			if (out.data) {
				assert_true(out.len <= max);
				strbuf_addch(&sb, '[');
				strbuf_add(&sb, out.data, out.len);
				strbuf_addch(&sb, ']');
				if (out.flags & SYSLOG_FRAME_F_CUT)
					strbuf_addch(&sb, '!');
			}
		}
	}
	if (syslog_frame_finish(&f, &out)) {
		strbuf_addch(&sb, '[');
		strbuf_add(&sb, out.data, out.len);
		strbuf_addch(&sb, ']');
		if (out.flags & SYSLOG_FRAME_F_INCOMPLETE)
			strbuf_addch(&sb, '?');
	}
	assert_true(f.consumed == len);
	syslog_frame_release(&f);
	return strbuf_detach(&sb, NULL);
}

static void expect(const char *s, size_t len, size_t max, const char *want)
{
	char *got = run(s, len, max, len ? len : 1, 0);

	if (strcmp(got, want))
		fail_msg("whole: got %s, want %s", got, want);
	free(got);
	got = run(s, len, max, 1, 0);
	if (strcmp(got, want))
		fail_msg("byte by byte: got %s, want %s", got, want);
	free(got);
	for (size_t cut = 1; cut < len; cut++) {
		got = run(s, len, max, 0, cut);
		if (strcmp(got, want))
			fail_msg("split at %zu: got %s, want %s", cut, got, want);
		free(got);
	}
}

#define S(lit) lit, sizeof(lit) - 1

static void test_octet_counting(void **state)
{
	expect(S("27 <13>1 - h a - - - hello\nx y24 <13>Oct 11 22:14:15 a: b"), 1024,
	       "[<13>1 - h a - - - hello\nx y][<13>Oct 11 22:14:15 a: b]");
	expect(S("5 hello5 world"), 1024, "[hello][world]");
}

static void test_lf(void **state)
{
	expect(S("<13>one\n<13>two\r\n\n\n<13>three\0<13>four"), 1024,
	       "[<13>one][<13>two][<13>three][<13>four]");
	expect(S("\n\r\n"), 1024, "");
	expect(S(""), 1024, "");
}

static void test_mixed(void **state)
{
	expect(S("3 abc<13>lf frame\n4 defg"), 1024, "[abc][<13>lf frame][defg]");
}

static void test_garbage_length(void **state)
{
	expect(S("123abc\n12 x\n"), 1024, "[123abc][x\n]?");
	expect(S("1234567890 x\nok\n"), 1024, "[1234567890 x][ok]");
	expect(S("42"), 1024, "[42]?");
	/* digits that are not a length and already longer than max */
	expect(S("123456789\nok\n"), 4, "[1234]![ok]");
	expect(S("12345678x\nok\n"), 4, "[1234]![ok]");
	expect(S("12345678"), 4, "[1234]?");
}

static void test_oversize(void **state)
{
	/* LF frame over max: cut, then resynchronised at the LF */
	expect(S("abcdefghij\nok\n"), 4, "[abcd]![ok]");
	/* exactly max before the LF is not cut */
	expect(S("abcd\nok\n"), 4, "[abcd][ok]");
	/* octet count over max: first max bytes, the rest of the count skipped */
	expect(S("10 0123456789ok\n"), 4, "[0123]![ok]");
}

static void test_consumed(void **state)
{
	struct syslog_frame f;
	struct syslog_frame_out out;
	size_t n;

	syslog_frame_init(&f, 1024);
	n = syslog_frame_push(&f, S("5 hel"), &out);
	assert_int_equal(n, 5);
	assert_null(out.data);
	assert_int_equal(f.consumed, 0);
	n = syslog_frame_push(&f, S("lo6 worl"), &out);
	assert_int_equal(n, 2);
	assert_int_equal(out.len, 5);
	assert_int_equal(out.framing, SYSLOG_FRAMING_OCTET);
	assert_int_equal(out.declared, 5);
	assert_int_equal(f.consumed, 7);
	syslog_frame_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_octet_counting),
		cmocka_unit_test(test_lf),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_garbage_length),
		cmocka_unit_test(test_oversize),
		cmocka_unit_test(test_consumed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
