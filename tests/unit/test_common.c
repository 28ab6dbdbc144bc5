/*
 * test_common.c - unit tests of the error convention and small helpers of
 * src/core/common.c: mamori_err_set() and mamori_err_prefix() (message,
 * code, truncation, NULL err), the exit-code mapping of every MAMORI_E*
 * code (0 / 1 / 2 / 3), mamori_now() (RFC 3339 UTC with milliseconds, close
 * to the system clock), mamori_today() and the x* allocation wrappers.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <regex.h>
#include <time.h>

static void assert_matches(const char *s, const char *pattern)
{
	regex_t re;

	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	int m = regexec(&re, s, 0, NULL, 0);
	regfree(&re);
	if (m != 0)
		fail_msg("\"%s\" does not match /%s/", s, pattern);
}

static void test_err_set(void **state)
{
	struct mamori_err err = { 0 };

	assert_int_equal(mamori_err_set(&err, MAMORI_ENOTFOUND, "%s: %d 件", "機器", 3),
			 MAMORI_ENOTFOUND);
	assert_int_equal(err.code, MAMORI_ENOTFOUND);
	assert_string_equal(err.msg, "機器: 3 件");

	/* A message already present is replaced, not appended to. */
	assert_int_equal(mamori_err_set(&err, MAMORI_EIO, "短い"), MAMORI_EIO);
	assert_int_equal(err.code, MAMORI_EIO);
	assert_string_equal(err.msg, "短い");

	/* err may be NULL: only the code comes back. */
	assert_int_equal(mamori_err_set(NULL, MAMORI_ECHECK, "ignored %d", 1), MAMORI_ECHECK);
}

static void test_err_set_truncates(void **state)
{
	struct mamori_err err;
	char big[3 * MAMORI_ERR_MAX];

	memset(&err, 'x', sizeof(err));
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	mamori_err_set(&err, MAMORI_EINVAL, "%s", big);
	assert_int_equal(strnlen(err.msg, sizeof(err.msg)), MAMORI_ERR_MAX - 1);
	assert_int_equal(err.msg[MAMORI_ERR_MAX - 2], 'a');
}

static void test_err_prefix(void **state)
{
	struct mamori_err err = { 0 };

	mamori_err_set(&err, MAMORI_EINVAL, "MACアドレス: 桁数が違います");
	assert_int_equal(mamori_err_prefix(&err, "%s:%u", "devices.csv", 7u), MAMORI_EINVAL);
	assert_string_equal(err.msg, "devices.csv:7: MACアドレス: 桁数が違います");
	assert_int_equal(err.code, MAMORI_EINVAL);

	/* Prefixes nest, outermost first. */
	assert_int_equal(mamori_err_prefix(&err, "取り込み"), MAMORI_EINVAL);
	assert_string_equal(err.msg, "取り込み: devices.csv:7: MACアドレス: 桁数が違います");

	/* Prefixing an empty message still yields "prefix: ". */
	struct mamori_err empty = { .code = MAMORI_EDB };
	assert_int_equal(mamori_err_prefix(&empty, "db"), MAMORI_EDB);
	assert_string_equal(empty.msg, "db: ");

	assert_int_equal(mamori_err_prefix(NULL, "x"), MAMORI_EINVAL);
}

/* Long prefix and long message: the result stays terminated and in bounds. */
static void test_err_prefix_truncates(void **state)
{
	static const size_t lens[][2] = {
		{ 10, MAMORI_ERR_MAX - 1 },
		{ MAMORI_ERR_MAX - 1, 10 },
		{ 2 * MAMORI_ERR_MAX, 2 * MAMORI_ERR_MAX },
		{ MAMORI_ERR_MAX - 4, 0 },
		{ MAMORI_ERR_MAX - 3, 5 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(lens); i++) {
		struct mamori_err err = { 0 };
		char *pre = xcalloc(1, lens[i][0] + 1), *msg = xcalloc(1, lens[i][1] + 1);

		memset(pre, 'p', lens[i][0]);
		memset(msg, 'm', lens[i][1]);
		mamori_err_set(&err, MAMORI_EIO, "%s", msg);
		assert_int_equal(mamori_err_prefix(&err, "%s", pre), MAMORI_EIO);
		size_t n = strnlen(err.msg, sizeof(err.msg));
		if (n >= sizeof(err.msg))
			fail_msg("case %zu: message not terminated", i);
		assert_int_equal(err.msg[0], 'p');
		/* As much of the prefix as fits comes first, then ": ". */
		size_t np = strspn(err.msg, "p");
		size_t want_np = lens[i][0] < MAMORI_ERR_MAX - 3 ? lens[i][0] : MAMORI_ERR_MAX - 3;
		assert_int_equal(np, want_np);
		assert_memory_equal(err.msg + np, ": ", 2);
		assert_int_equal(strspn(err.msg + np + 2, "m"), n - np - 2);
		free(pre);
		free(msg);
	}
}

static void test_exit_code(void **state)
{
	static const struct {
		int code;
		int exit;
	} cases[] = {
		{ MAMORI_OK, 0 },        { MAMORI_ECHECK, 1 },    { MAMORI_EINVAL, 2 },
		{ MAMORI_EUSAGE, 2 },    { MAMORI_ENOTFOUND, 2 }, { MAMORI_ECONFLICT, 2 },
		{ MAMORI_EIO, 3 },       { MAMORI_EDB, 3 },       { MAMORI_EINTR, 3 },
		{ -99, 3 },              { -1000000, 3 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		if (mamori_exit_code(cases[i].code) != cases[i].exit)
			fail_msg("mamori_exit_code(%d) = %d, want %d", cases[i].code,
				 mamori_exit_code(cases[i].code), cases[i].exit);
}

static void test_now_format(void **state)
{
	char a[MAMORI_TIME_LEN], b[MAMORI_TIME_LEN];
	struct tm tm = { 0 };
	time_t before = time(NULL);

	memset(a, 'x', sizeof(a));
	mamori_now(a);
	time_t after = time(NULL);
	assert_int_equal(strlen(a), 24);
	assert_matches(a, "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])T"
			  "([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]\\.[0-9]{3}Z$");

	/* UTC and close to the system clock (not local time). */
	const char *end = strptime(a, "%Y-%m-%dT%H:%M:%S", &tm);
	assert_non_null(end);
	assert_string_equal(end + 4, "Z");
	time_t t = timegm(&tm);
	assert_in_range(t, before - 1, after + 1);

	/* Fixed width, so later times also sort later as text. */
	mamori_now(b);
	if (strcmp(a, b) > 0)
		fail_msg("mamori_now went backwards: %s then %s", a, b);
}

static void test_today_format(void **state)
{
	char d[11];

	memset(d, 'x', sizeof(d));
	mamori_today(d);
	assert_int_equal(strlen(d), 10);
	assert_matches(d, "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$");
}

static void test_xalloc(void **state)
{
	char *s = xasprintf("%s-%03d", "MH", 7);
	assert_string_equal(s, "MH-007");
	free(s);

	s = xstrndup("abcdef", 3);
	assert_string_equal(s, "abc");
	free(s);
	s = xstrndup("ab", 10);
	assert_string_equal(s, "ab");
	free(s);

	s = xstrdup("");
	assert_string_equal(s, "");
	free(s);

	/* Zero-sized requests still give a usable, freeable pointer. */
	void *p = xmalloc(0);
	assert_non_null(p);
	p = xrealloc(p, 0);
	assert_non_null(p);
	free(p);
	int *z = xcalloc(4, sizeof(int));
	for (int i = 0; i < 4; i++)
		assert_int_equal(z[i], 0);
	free(z);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_err_set),
		cmocka_unit_test(test_err_set_truncates),
		cmocka_unit_test(test_err_prefix),
		cmocka_unit_test(test_err_prefix_truncates),
		cmocka_unit_test(test_exit_code),
		cmocka_unit_test(test_now_format),
		cmocka_unit_test(test_today_format),
		cmocka_unit_test(test_xalloc),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
