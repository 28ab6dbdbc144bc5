/*
 * test_report.c - the PDF writer: a document with headings, paragraphs and
 * a table long enough to need several pages is written completely (PDF
 * header and trailer, one /Type /Page per page, no temporary file left);
 * an unwritable place fails cleanly and leaves nothing.
 */
#include "common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fileio.h"
#include "report.h"
#include "testutil.h"

static size_t count(const char *hay, size_t len, const char *needle)
{
	size_t n = 0, nl = strlen(needle);

	for (size_t i = 0; i + nl <= len; i++)
		if (!memcmp(hay + i, needle, nl))
			n++;
	return n;
}

static void test_long_table(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct report *r = NULL;
	const char *head[] = { "媒体名", "OS", "備考" };
	const double widths[] = { 30, 40, 80 };
	char **cells = xcalloc(300 * 3, sizeof(char *));
	char *path = xasprintf("%s/台帳.pdf", fx->dir), *data = NULL;
	size_t len = 0;

	for (size_t i = 0; i < 300; i++) {
		cells[i * 3] = xasprintf("PC-%04zu", i);
		cells[i * 3 + 1] = xstrdup(i % 2 ? "Windows 11 Pro" : "Windows 10 Pro 22H2");
		cells[i * 3 + 2] = xstrdup(i % 7 ? "" : "長い備考は折り返して表示され、行が途中でページをまたぐことはありません。");
	}
	ASSERT_RC(0, report_open(&r, path, REPORT_PORTRAIT, "試験", "試験病院", &err), err);
	report_heading(r, 1, "機器台帳");
	report_paragraph(r, "作成日 2026-11-21", 0);
	report_heading(r, 2, "端末");
	report_table(r, 3, head, widths, 300, (const char *const *)cells);
	report_paragraph(r, "以上", 1);
	ASSERT_RC(0, report_close(r, &err), err);

	ASSERT_RC(0, fileio_read_all(path, (size_t)64 << 20, &data, &len, &err), err);
	assert_true(len > 1000);
	assert_memory_equal(data, "%PDF-", 5);
	assert_non_null(strstr(data + len - 64 > data ? data + len - 64 : data, "%%EOF"));
	/* 300 rows at about 5.5 mm need several A4 pages */
	size_t pages = count(data, len, "/Type /Page\n") + count(data, len, "/Type /Page ") +
		       count(data, len, "/Type/Page\n");
	if (pages < 5)
		fail_msg("only %zu pages for 300 rows", pages);
	testutil_assert_dir_is(fx->dir, "台帳.pdf");
	free(data);
	free(path);
	for (size_t i = 0; i < 900; i++)
		free(cells[i]);
	free(cells);
}

static void test_unwritable(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct report *r = NULL;
	char *path = xasprintf("%s/no/such/dir/x.pdf", fx->dir);
	int rc = report_open(&r, path, REPORT_LANDSCAPE, "x", "y", &err);

	if (rc == 0) /* cairo may fail only when finishing */
		rc = report_close(r, &err);
	assert_int_equal(rc, MAMORI_EIO);
	testutil_assert_contains(err.msg, "PDF");
	testutil_assert_dir_is(fx->dir, "");
	free(path);
}

static int setup(void **state)
{
	return testutil_setup_dir(state, "report");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_long_table, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_unwritable, setup, testutil_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
