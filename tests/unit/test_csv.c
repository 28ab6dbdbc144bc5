/*
 * test_csv.c - unit tests of the CSV reader and writer (src/core/csv.c):
 * records and exact line numbers (CRLF, CR, quoted line ends, blank lines),
 * delimiter detection, every rejection with its line, the bounds, writer
 * quoting, and the formula-injection guard undone by norm_text().
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "csv.h"
#include "norm.h"
#include "strbuf.h"

#define S(lit) lit, sizeof(lit) - 1

/*
 * Reads all of data and serialises the records as "LINE[f1][f2]..." one
 * after another, so that a table can state the expected result in one
 * string.  On error returns the message prefixed with "ERR ".
 */
static char *read_all(const char *data, size_t len, char delim, char *used_delim)
{
	struct csv_reader r;
	struct csv_record rec;
	struct mamori_err err = { 0 };
	struct strbuf out = STRBUF_INIT;
	int ret;

	csv_reader_init(&r, data, len, delim);
	if (used_delim)
		*used_delim = r.delim;
	csv_record_init(&rec);
	while ((ret = csv_read(&r, &rec, &err)) == 1) {
		strbuf_addf(&out, "%u", rec.line);
		for (size_t i = 0; i < rec.nfields; i++)
			strbuf_addf(&out, "[%s]", rec.fields[i]);
	}
	if (ret < 0) {
		assert_int_equal(ret, MAMORI_EINVAL);
		strbuf_reset(&out);
		strbuf_addf(&out, "ERR %s", err.msg);
	}
	csv_record_release(&rec);
	return strbuf_detach(&out, NULL);
}

static void expect_str(const char *what, const char *got, const char *want)
{
	if (strcmp(got, want))
		fail_msg("%s:\n  got  \"%s\"\n  want \"%s\"", what, got, want);
}

static const struct read_case {
	const char *name;
	const char *data;
	size_t len;
	char delim;
	const char *want;
} read_cases[] = {
	{ "simple", S("a,b,c\n"), ',', "1[a][b][c]" },
	{ "two records", S("a,b\nc,d\n"), ',', "1[a][b]2[c][d]" },
	{ "CRLF", S("a,b\r\nc,d\r\n"), ',', "1[a][b]2[c][d]" },
	{ "lone CR", S("a\rb\rc"), ',', "1[a]2[b]3[c]" },
	{ "no final line end", S("a,b"), ',', "1[a][b]" },
	{ "trailing delimiter", S("a,\n"), ',', "1[a][]" },
	{ "trailing delimiter at EOF", S("a,"), ',', "1[a][]" },
	{ "only delimiters", S(",,"), ',', "1[][][]" },
	{ "blank lines skipped", S("\n\na\n\n\nb\n"), ',', "3[a]6[b]" },
	{ "blank CRLF lines", S("\r\n\r\na\r\n\r\nb"), ',', "3[a]5[b]" },
	{ "spaces kept", S(" a , b \n"), ',', "1[ a ][ b ]" },
	{ "space-only line is a record", S("a\n \nb"), ',', "1[a]2[ ]3[b]" },
	{ "quoted", S("\"a\",\"b c\"\n"), ',', "1[a][b c]" },
	{ "doubled quotes", S("\"a\"\"b\",c\n"), ',', "1[a\"b][c]" },
	{ "only doubled quotes", S("\"\"\"\"\n"), ',', "1[\"]" },
	{ "empty quoted", S("\"\",a"), ',', "1[][a]" },
	{ "quoted delimiter", S("\"a,b\",c"), ',', "1[a,b][c]" },
	{ "quoted at EOF", S("\"a\""), ',', "1[a]" },
	{ "quoted LF", S("\"x\ny\",z\nnext\n"), ',', "1[x\ny][z]3[next]" },
	{ "quoted CRLF", S("\"x\r\ny\"\r\nq\r\n"), ',', "1[x\r\ny]3[q]" },
	{ "quoted CR", S("\"x\ry\"\rq"), ',', "1[x\ry]3[q]" },
	{ "quoted blank lines", S("h\n\"a\n\nb\"\nc\n"), ',', "1[h]2[a\n\nb]5[c]" },
	{ "two quoted line ends in one record", S("\"a\nb\",\"c\r\nd\"\ne"), ',',
	  "1[a\nb][c\r\nd]4[e]" },
	{ "empty input", S(""), ',', "" },
	{ "only line ends", S("\n\r\n\r"), ',', "" },
	{ "BOM", S("\xEF\xBB\xBFname,x\n1,2\n"), 0, "1[name][x]2[1][2]" },
	{ "Japanese", S("媒体名,申請者\nUSBメモリ,山田 太郎\n"), 0,
	  "1[媒体名][申請者]2[USBメモリ][山田 太郎]" },
	{ "tab explicit", S("a,b\tc\n"), '\t', "1[a,b][c]" },
	{ "tab detected", S("a\tb\nc\td\n"), 0, "1[a][b]2[c][d]" },
	{ "tab quoted", S("\"a\tb\"\tc\n"), '\t', "1[a\tb][c]" },
	{ "comma wins over tab", S("a\tb,c\n"), 0, "1[a\tb][c]" },
	{ "comma in quotes ignored for detection", S("\"a,b\"\tc\n"), 0, "1[a,b][c]" },
	{ "tab in quotes ignored for detection", S("\"a\tb\",c\n"), 0, "1[a\tb][c]" },
	{ "detection skips blank first lines", S("\n\na\tb\n"), 0, "3[a][b]" },
};

static void test_read_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(read_cases); i++) {
		const struct read_case *c = &read_cases[i];
		char *got = read_all(c->data, c->len, c->delim, NULL);

		expect_str(c->name, got, c->want);
		free(got);
	}
}

static void test_detect_delim(void **state)
{
	static const struct {
		const char *data;
		char want;
	} cases[] = {
		{ "a,b\n", ',' },
		{ "a\tb\n", '\t' },
		{ "a\tb,c\n", ',' },
		{ "\"x,y\"\tz\n", '\t' },
		{ "\"x\ty\",z\n", ',' },
		{ "single\n", ',' },
		{ "", ',' },
		{ "\r\n\r\na\tb", '\t' },
		{ "a\nb\tc\n", ',' }, /* only the first line counts */
		{ "\xEF\xBB\xBF" "a\tb", '\t' },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char used = 0;
		char *got = read_all(cases[i].data, strlen(cases[i].data), 0, &used);

		if (used != cases[i].want)
			fail_msg("case %zu \"%s\": delim %d, want %d", i, cases[i].data, used,
				 cases[i].want);
		free(got);
	}
}

static const struct err_case {
	const char *name;
	const char *data;
	size_t len;
	const char *prefix; /* the "LINE: " the message must start with */
	const char *reason; /* a part of the reason */
} err_cases[] = {
	{ "unterminated", S("a\nb\n\"abc\nd\n"), "3: ", "引用符で始まったフィールドが閉じられていません" },
	{ "unterminated after quoted lines", S("\"a\nb\"\n\"x\ny"), "3: ",
	  "引用符で始まったフィールドが閉じられていません" },
	{ "unterminated second field", S("ok\r\nx,\"y"), "2: ", "2 列目" },
	{ "stray quote", S("a,b\"c\n"), "1: ", "途中に \" があります" },
	{ "stray quote on line 4 after CRLF quoted", S("x\r\n\"a\r\nb\"\r\nc\"d"), "4: ",
	  "途中に \" があります" },
	{ "text after closing quote", S("\"a\"b,c"), "1: ", "閉じ引用符の後に文字があります" },
	{ "text after closing quote, line 3", S("a\n\"b\nc\"d\n"), "3: ",
	  "閉じ引用符の後に文字があります" },
	{ "text after closing quote, column", S("a,\"b\" ,c"), "1: 2 列目: ", "閉じ引用符の後" },
	{ "NUL unquoted", S("a\nb\0c\n"), "2: ", "NUL" },
	{ "NUL quoted", S("\"a\n\0\"\n"), "2: ", "NUL" },
	{ "NUL after quote", S("\"a\"\0"), "1: ", "NUL" },
	{ "CR-only lines", S("a\rb\r\"c"), "3: ", "引用符で始まった" },
};

static void test_read_errors(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(err_cases); i++) {
		const struct err_case *c = &err_cases[i];
		char *got = read_all(c->data, c->len, ',', NULL);

		if (strncmp(got, "ERR ", 4) || strncmp(got + 4, c->prefix, strlen(c->prefix)) ||
		    !strstr(got, c->reason))
			fail_msg("%s: got \"%s\", want \"%s…%s…\"", c->name, got, c->prefix,
				 c->reason);
		free(got);
	}
}

/* Records read before an error stay good; after it the reader is spent. */
static void test_error_stops_reader(void **state)
{
	static const char data[] = "a,b\nc\"d\ne,f\n";
	struct csv_reader r;
	struct csv_record rec;
	struct mamori_err err = { 0 };

	csv_reader_init(&r, data, strlen(data), ',');
	csv_record_init(&rec);
	assert_int_equal(csv_read(&r, &rec, &err), 1);
	assert_int_equal(rec.nfields, 2);
	assert_int_equal(csv_read(&r, &rec, &err), MAMORI_EINVAL);
	assert_int_equal(err.code, MAMORI_EINVAL);
	assert_int_equal(strncmp(err.msg, "2: ", 3), 0);
	assert_int_equal(csv_read(&r, &rec, &err), 0);
	csv_record_release(&rec);
	/* an empty file may come as NULL, 0 */
	csv_reader_init(&r, NULL, 0, 0);
	assert_int_equal(r.delim, ',');
	assert_int_equal(csv_read(&r, &rec, &err), 0);
	/* err may be NULL */
	csv_reader_init(&r, "\"x", 2, ',');
	assert_int_equal(csv_read(&r, &rec, NULL), MAMORI_EINVAL);
	csv_record_release(&rec);
	csv_record_release(&rec);
}

static char *repeat(char c, size_t n)
{
	char *s = xmalloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

static void test_field_bounds(void **state)
{
	char *ok = repeat('x', CSV_MAX_FIELD), *big = repeat('x', CSV_MAX_FIELD + 1);
	struct strbuf sb = STRBUF_INIT;
	char *got;

	/* exactly the maximum, unquoted and quoted */
	strbuf_addf(&sb, "h\n%s,y\n\"%s\"\n", ok, ok);
	got = read_all(sb.buf, sb.len, ',', NULL);
	assert_int_equal(strncmp(got, "1[h]2[", 6), 0);
	assert_non_null(strstr(got, "][y]3["));
	assert_int_equal(strlen(got), 4 + 2 + CSV_MAX_FIELD + 4 + 2 + CSV_MAX_FIELD + 1);
	free(got);

	/* one byte more, unquoted, on line 2 */
	strbuf_reset(&sb);
	strbuf_addf(&sb, "h\n%s\n", big);
	got = read_all(sb.buf, sb.len, ',', NULL);
	expect_str("oversize unquoted", got, "ERR 2: 1 列目: フィールドが長すぎます (上限 65536 バイト)");
	free(got);

	/* one byte more, quoted, in the second field of line 3 */
	strbuf_reset(&sb);
	strbuf_addf(&sb, "h\n\n a,\"%s\"", big);
	got = read_all(sb.buf, sb.len, ',', NULL);
	expect_str("oversize quoted", got, "ERR 3: 2 列目: フィールドが長すぎます (上限 65536 バイト)");
	free(got);

	/* the maximum reached through "" escapes: each counts one byte */
	strbuf_reset(&sb);
	strbuf_addch(&sb, '"');
	for (size_t i = 0; i < CSV_MAX_FIELD; i++)
		strbuf_addstr(&sb, "\"\"");
	strbuf_addstr(&sb, "\"\n");
	got = read_all(sb.buf, sb.len, ',', NULL);
	assert_int_equal(strlen(got), 1 + 2 + CSV_MAX_FIELD);
	free(got);
	strbuf_reset(&sb);
	strbuf_addch(&sb, '"');
	for (size_t i = 0; i <= CSV_MAX_FIELD; i++)
		strbuf_addstr(&sb, "\"\"");
	strbuf_addstr(&sb, "\"\n");
	got = read_all(sb.buf, sb.len, ',', NULL);
	assert_int_equal(strncmp(got, "ERR 1: ", 7), 0);
	assert_non_null(strstr(got, "長すぎます"));
	free(got);

	/* quoted line ends count towards the maximum */
	strbuf_reset(&sb);
	strbuf_addf(&sb, "\"%s\r\n\"", ok);
	got = read_all(sb.buf, sb.len, ',', NULL);
	assert_non_null(strstr(got, "ERR 1: 1 列目: フィールドが長すぎます"));
	free(got);

	strbuf_release(&sb);
	free(ok);
	free(big);
}

static void test_field_count(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct csv_reader r;
	struct csv_record rec;
	struct mamori_err err = { 0 };

	/* CSV_MAX_FIELDS fields are fine */
	strbuf_addstr(&sb, "first\n");
	for (size_t i = 0; i < CSV_MAX_FIELDS; i++)
		strbuf_addf(&sb, "%s%zu", i ? "," : "", i);
	strbuf_addch(&sb, '\n');
	csv_reader_init(&r, sb.buf, sb.len, 0);
	csv_record_init(&rec);
	assert_int_equal(csv_read(&r, &rec, &err), 1);
	assert_int_equal(csv_read(&r, &rec, &err), 1);
	assert_int_equal(rec.nfields, CSV_MAX_FIELDS);
	assert_string_equal(rec.fields[0], "0");
	assert_string_equal(rec.fields[CSV_MAX_FIELDS - 1], "255");
	assert_int_equal(rec.line, 2);
	assert_int_equal(csv_read(&r, &rec, &err), 0);

	/* one more is rejected, naming the line */
	strbuf_reset(&sb);
	strbuf_addstr(&sb, "first\n");
	for (size_t i = 0; i <= CSV_MAX_FIELDS; i++)
		strbuf_addch(&sb, ',');
	csv_reader_init(&r, sb.buf, sb.len, 0);
	assert_int_equal(csv_read(&r, &rec, &err), 1);
	assert_int_equal(csv_read(&r, &rec, &err), MAMORI_EINVAL);
	assert_string_equal(err.msg, "2: 257 列目: フィールドが多すぎます (上限 256 列)");
	csv_record_release(&rec);
	strbuf_release(&sb);
}

/* Field pointers stay valid while the storage grows within one record. */
static void test_record_reuse(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	struct csv_reader r;
	struct csv_record rec;
	struct mamori_err err = { 0 };
	char *long_field = repeat('z', 5000);

	strbuf_addf(&sb, "a,b\n%s,%s,%s,c\nd\n", long_field, long_field, long_field);
	csv_reader_init(&r, sb.buf, sb.len, ',');
	csv_record_init(&rec);
	assert_int_equal(csv_read(&r, &rec, &err), 1);
	assert_int_equal(rec.nfields, 2);
	assert_int_equal(csv_read(&r, &rec, &err), 1);
	assert_int_equal(rec.nfields, 4);
	for (int i = 0; i < 3; i++)
		assert_string_equal(rec.fields[i], long_field);
	assert_string_equal(rec.fields[3], "c");
	assert_int_equal(csv_read(&r, &rec, &err), 1);
	assert_int_equal(rec.nfields, 1);
	assert_string_equal(rec.fields[0], "d");
	assert_int_equal(rec.line, 3);
	csv_record_release(&rec);
	strbuf_release(&sb);
	free(long_field);
}

static const struct write_case {
	const char *in;
	char delim;
	const char *want;
} write_cases[] = {
	{ "abc", ',', "abc" },
	{ NULL, ',', "" },
	{ "", ',', "" },
	{ "日本語", ',', "日本語" },
	{ "a,b", ',', "\"a,b\"" },
	{ "a,b", '\t', "a,b" },
	{ "a\tb", ',', "a\tb" },
	{ "a\tb", '\t', "\"a\tb\"" },
	{ "a\"b", ',', "\"a\"\"b\"" },
	{ "\"", ',', "\"\"\"\"" },
	{ "a\nb", ',', "\"a\nb\"" },
	{ "a\r\nb", ',', "\"a\r\nb\"" },
	{ "a\rb", ',', "\"a\rb\"" },
	{ " a", ',', "\" a\"" },
	{ "a ", ',', "\"a \"" },
	{ "a b", ',', "a b" },
	/* formula guard */
	{ "=SUM(A1:A3)", ',', "'=SUM(A1:A3)" },
	{ "=1+1", ',', "'=1+1" },
	{ "+81-3-1234-5678", ',', "'+81-3-1234-5678" },
	{ "@cmd", ',', "'@cmd" },
	{ "-", ',', "'-" },
	{ "-1e5", ',', "'-1e5" },
	{ "-1.", ',', "'-1." },
	{ "\tx", ',', "'\tx" },
	{ "\rx", ',', "\"'\rx\"" },
	{ "=a,b", ',', "\"'=a,b\"" },
	{ "=\"x\"", ',', "\"'=\"\"x\"\"\"" },
	/* plain numbers are not guarded */
	{ "-5", ',', "-5" },
	{ "+3.25", ',', "+3.25" },
	{ "-0.5", ',', "-0.5" },
	{ "123", ',', "123" },
	/* a guard character later in the field is harmless */
	{ "a=b", ',', "a=b" },
	{ "'=x", ',', "'=x" },
	/* a leading U+FEFF is quoted, or a reader would drop it as a BOM */
	{ "\xEF\xBB\xBFx", ',', "\"\xEF\xBB\xBFx\"" },
};

static void test_write_table(void **state)
{
	for (size_t i = 0; i < ARRAY_SIZE(write_cases); i++) {
		const struct write_case *c = &write_cases[i];
		struct strbuf sb = STRBUF_INIT;
		char name[64];

		strbuf_addstr(&sb, "<");
		csv_write_field(&sb, c->in, c->delim);
		snprintf(name, sizeof(name), "write case %zu", i);
		assert_int_equal(sb.buf[0], '<');
		expect_str(name, sb.buf + 1, c->want);
		strbuf_release(&sb);
	}
}

/* Fields chosen to hit every writer branch; the first starts the file. */
static const char *const tricky[] = {
	"\xEF\xBB\xBFnot a BOM", "plain", "", " lead", "trail ", "a,b", "a\tb", "q\"q", "\"", "\"\"", "line\nbreak",
	"crlf\r\nx", "cr\rx", "=SUM(A1)", "-5", "-", "@x", "+1+1", "\tlead-tab", "日本語,カンマ",
	"'quoted", "x\"\n\"y",
};

/* Writes records with csv_write_field() and checks csv_read() gives them back. */
static void test_round_trip(void **state)
{
	const char delims[] = { ',', '\t' };

	for (size_t di = 0; di < ARRAY_SIZE(delims); di++) {
		char delim = delims[di];
		struct strbuf out = STRBUF_INIT;
		struct csv_reader r;
		struct csv_record rec;
		struct mamori_err err = { 0 };
		size_t n = ARRAY_SIZE(tricky);

		/* record i holds fields i, i+1, i+2 (wrapping), with CRLF line ends */
		for (size_t i = 0; i < n; i++) {
			for (size_t j = 0; j < 3; j++) {
				if (j)
					strbuf_addch(&out, delim);
				csv_write_field(&out, tricky[(i + j) % n], delim);
			}
			strbuf_addstr(&out, "\r\n");
		}
		csv_reader_init(&r, out.buf, out.len, 0);
		assert_int_equal(r.delim, delim);
		csv_record_init(&rec);
		for (size_t i = 0; i < n; i++) {
			assert_int_equal(csv_read(&r, &rec, &err), 1);
			assert_int_equal(rec.nfields, 3);
			for (size_t j = 0; j < 3; j++) {
				const char *want = tricky[(i + j) % n];
				const char *got = rec.fields[j];
				char *nt = norm_text(got), *nw = norm_text(want);

				/* the field itself, or the field behind the guard */
				if (strcmp(got, want) &&
				    !(got[0] == '\'' && !strcmp(got + 1, want)))
					fail_msg("delim %d record %zu field %zu: \"%s\" != \"%s\"",
						 delim, i, j, got, want);
				assert_string_equal(nt, nw);
				free(nt);
				free(nw);
			}
		}
		assert_int_equal(csv_read(&r, &rec, &err), 0);
		csv_record_release(&rec);
		strbuf_release(&out);
	}
}

/*
 * The formula guard: a value mamori exports is read back by mamori as the
 * same value (csv_write_field, csv_read, norm_text), while the file holds
 * the guarded form a spreadsheet will not run.
 */
static void test_formula_guard_round_trip(void **state)
{
	static const struct {
		const char *value, *in_file;
	} cases[] = {
		{ "=SUM(A1:A3)", "'=SUM(A1:A3)" },
		{ "=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\"" },
		{ "+81-3-1234-5678", "'+81-3-1234-5678" },
		{ "-", "'-" },
		{ "-2+3", "'-2+3" },
		{ "@SUM(1)", "'@SUM(1)" },
		{ "=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0" },
		{ "-5", "-5" },
		{ "機器名", "機器名" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct strbuf out = STRBUF_INIT;
		struct csv_reader r;
		struct csv_record rec;
		struct mamori_err err = { 0 };
		char *back;

		strbuf_addstr(&out, "id,");
		csv_write_field(&out, cases[i].value, ',');
		strbuf_addstr(&out, ",end\n");
		if (strncmp(out.buf + 3, cases[i].in_file, strlen(cases[i].in_file)))
			fail_msg("case %zu written as %s", i, out.buf);
		csv_reader_init(&r, out.buf, out.len, ',');
		csv_record_init(&rec);
		assert_int_equal(csv_read(&r, &rec, &err), 1);
		assert_int_equal(rec.nfields, 3);
		assert_string_equal(rec.fields[2], "end");
		back = norm_text(rec.fields[1]);
		assert_string_equal(back, cases[i].value);
		free(back);
		csv_record_release(&rec);
		strbuf_release(&out);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_table),
		cmocka_unit_test(test_detect_delim),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_error_stops_reader),
		cmocka_unit_test(test_field_bounds),
		cmocka_unit_test(test_field_count),
		cmocka_unit_test(test_record_reuse),
		cmocka_unit_test(test_write_table),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_formula_guard_round_trip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
