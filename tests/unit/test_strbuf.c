/*
 * test_strbuf.c - unit tests of the growable buffer (src/core/strbuf.c):
 * the invariants of strbuf.h checked after every call (buf never NULL,
 * buf[len] == '\0', len < alloc unless empty), embedded NUL bytes, growth
 * across many appends, formatted appends longer than the first allocation,
 * reset keeping the allocation, detach handing over ownership (also of an
 * empty buffer) and release re-initialising.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "strbuf.h"

static void check_invariants(const struct strbuf *sb)
{
	if (!sb->buf)
		fail_msg("buf is NULL");
	if (sb->buf[sb->len] != '\0')
		fail_msg("buf[len=%zu] is not NUL", sb->len);
	if (sb->alloc == 0) {
		if (sb->buf != strbuf_empty || sb->len != 0)
			fail_msg("alloc 0 but buf %p (empty %p), len %zu", (void *)sb->buf,
				 (void *)strbuf_empty, sb->len);
	} else if (sb->len >= sb->alloc) {
		fail_msg("len %zu >= alloc %zu", sb->len, sb->alloc);
	}
	if (strbuf_empty[0] != '\0')
		fail_msg("the shared empty string was written to");
}

static void test_init(void **state)
{
	struct strbuf a = STRBUF_INIT, b;

	strbuf_init(&b);
	check_invariants(&a);
	check_invariants(&b);
	assert_int_equal(a.len, 0);
	assert_int_equal(b.alloc, 0);
	assert_string_equal(b.buf, "");
	/* Releasing a never-used buffer is fine and leaves it usable. */
	strbuf_release(&a);
	check_invariants(&a);
	strbuf_addstr(&a, "x");
	assert_string_equal(a.buf, "x");
	strbuf_release(&a);
	check_invariants(&a);
}

static void test_add_variants(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, "媒体名");
	check_invariants(&sb);
	strbuf_addch(&sb, ',');
	check_invariants(&sb);
	strbuf_add(&sb, "MACアドレス-extra", strlen("MACアドレス"));
	check_invariants(&sb);
	strbuf_addf(&sb, ",%d,%s", 42, "末尾");
	check_invariants(&sb);
	assert_string_equal(sb.buf, "媒体名,MACアドレス,42,末尾");
	assert_int_equal(sb.len, strlen("媒体名,MACアドレス,42,末尾"));

	/* Empty appends change nothing. */
	size_t len = sb.len;
	strbuf_add(&sb, "", 0);
	strbuf_addstr(&sb, "");
	strbuf_addf(&sb, "%s", "");
	check_invariants(&sb);
	assert_int_equal(sb.len, len);
	strbuf_release(&sb);
}

static void test_embedded_nul(void **state)
{
	static const char data[] = { 'a', '\0', 'b', '\0', '\0', 'c' };
	struct strbuf sb = STRBUF_INIT;

	strbuf_add(&sb, data, sizeof(data));
	strbuf_addch(&sb, '\0');
	check_invariants(&sb);
	assert_int_equal(sb.len, sizeof(data) + 1);
	assert_memory_equal(sb.buf, data, sizeof(data));
	assert_int_equal(sb.buf[sizeof(data)], '\0');
	assert_int_equal(strlen(sb.buf), 1); /* len, not strlen, is authoritative */

	size_t n = 0;
	char *s = strbuf_detach(&sb, &n);
	assert_int_equal(n, sizeof(data) + 1);
	assert_memory_equal(s, data, sizeof(data));
	free(s);
	check_invariants(&sb);
}

/* Many small appends: content intact at every size, including powers of 2. */
static void test_growth(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t prev_alloc = 0;

	for (size_t i = 0; i < 20000; i++) {
		strbuf_addch(&sb, 'a' + (int)(i % 26));
		check_invariants(&sb);
		assert_int_equal(sb.len, i + 1);
		if (sb.alloc < prev_alloc)
			fail_msg("alloc shrank from %zu to %zu", prev_alloc, sb.alloc);
		prev_alloc = sb.alloc;
	}
	for (size_t i = 0; i < sb.len; i++)
		if (sb.buf[i] != 'a' + (int)(i % 26))
			fail_msg("byte %zu is '%c'", i, sb.buf[i]);
	strbuf_release(&sb);
	check_invariants(&sb);
}

static void test_grow(void **state)
{
	static const size_t extras[] = { 0, 1, 63, 64, 65, 1000, 100000 };

	for (size_t i = 0; i < ARRAY_SIZE(extras); i++) {
		struct strbuf sb = STRBUF_INIT;
		strbuf_addstr(&sb, "abc");
		strbuf_grow(&sb, extras[i]);
		check_invariants(&sb);
		if (sb.alloc < sb.len + extras[i] + 1)
			fail_msg("grow(%zu): alloc %zu < %zu", extras[i], sb.alloc,
				 sb.len + extras[i] + 1);
		assert_string_equal(sb.buf, "abc");
		/* The promised room can be filled without another allocation. */
		char *before = sb.buf;
		for (size_t k = 0; k < extras[i]; k++)
			strbuf_addch(&sb, 'x');
		assert_ptr_equal(sb.buf, before);
		check_invariants(&sb);
		strbuf_release(&sb);
	}
}

/* Formatted output longer than the first allocation and than any stack buffer. */
static void test_addf_long(void **state)
{
	static const size_t lens[] = { 0, 1, 62, 63, 64, 65, 127, 128, 4096, 70000 };

	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		struct strbuf sb = STRBUF_INIT;
		char *s = xcalloc(1, lens[i] + 1);
		memset(s, 'q', lens[i]);
		strbuf_addstr(&sb, "<");
		strbuf_addf(&sb, "%s|%zu>", s, lens[i]);
		check_invariants(&sb);
		char *want = xasprintf("<%s|%zu>", s, lens[i]);
		assert_int_equal(sb.len, strlen(want));
		assert_string_equal(sb.buf, want);
		free(want);
		free(s);
		strbuf_release(&sb);
	}
}

static void test_reset(void **state)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_reset(&sb); /* on the shared empty string: must not write to it */
	check_invariants(&sb);
	strbuf_addstr(&sb, "hello world");
	size_t alloc = sb.alloc;
	char *buf = sb.buf;
	strbuf_reset(&sb);
	check_invariants(&sb);
	assert_int_equal(sb.len, 0);
	assert_string_equal(sb.buf, "");
	assert_int_equal(sb.alloc, alloc);
	assert_ptr_equal(sb.buf, buf);
	strbuf_addstr(&sb, "again");
	assert_string_equal(sb.buf, "again");
	strbuf_release(&sb);
}

static void test_detach(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = 99;

	/* An empty buffer still detaches to a string the caller may free. */
	char *s = strbuf_detach(&sb, &n);
	assert_non_null(s);
	assert_ptr_not_equal(s, strbuf_empty);
	assert_int_equal(n, 0);
	assert_string_equal(s, "");
	free(s);
	check_invariants(&sb);

	strbuf_addf(&sb, "%s-%d", "x", 1);
	s = strbuf_detach(&sb, NULL);
	assert_string_equal(s, "x-1");
	check_invariants(&sb);
	assert_int_equal(sb.alloc, 0);
	assert_int_equal(sb.len, 0);
	/* The buffer is reusable and independent of the detached string. */
	strbuf_addstr(&sb, "new");
	assert_string_equal(s, "x-1");
	assert_string_equal(sb.buf, "new");
	free(s);
	strbuf_release(&sb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_add_variants),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_growth),
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_addf_long),
		cmocka_unit_test(test_reset),
		cmocka_unit_test(test_detach),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
