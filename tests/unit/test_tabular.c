/*
 * test_tabular.c - the shared CSV import machinery (src/core/tabular.c),
 * driven with a toy ledger of three fields (名前, 数, 固定; 固定 refused):
 * header search below a title line with a "部署：" preamble and its
 * override; unknown, refused and repeated columns as problems (or ignored
 * with ignore_unknown); cells under no header; problems as
 * "FILE:LINE: COLUMN: reason" and their cap; reader errors with their line;
 * the duplicate-key table across growth; dry run and the journal entry only
 * when something changed.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "csv.h"
#include "store.h"
#include "tabular.h"
#include "testutil.h"

enum { F_NAME, F_COUNT, F_FIXED, NFIELDS };
static const char *const labels[NFIELDS] = { "名前", "数", "固定" };

struct toy {
	char seen_preamble[64];
	size_t rows;
};

static int toy_find(const char *name)
{
	for (int f = 0; f < NFIELDS; f++)
		if (!strcmp(name, labels[f]))
			return f;
	return -1;
}

static const char *toy_label(int f)
{
	return labels[f];
}

static const char *toy_refused(int f)
{
	return f == F_FIXED ? "取り込めません" : NULL;
}

/* Counts rows as added; a name seen before is a problem. */
static int toy_row(struct tabular *t, const struct csv_record *rec, struct mamori_err *err)
{
	struct toy *toy = t->ctx;

	(void)err;
	toy->rows++;
	snprintf(toy->seen_preamble, sizeof(toy->seen_preamble), "%s",
		 t->preamble ? t->preamble : "");
	for (size_t i = 0; i < rec->nfields; i++) {
		int f = tabular_col(t, i);
		if (f == F_NAME) {
			unsigned dup = tabular_seen(t, xstrdup(rec->fields[i]), rec->line);
			if (dup)
				tabular_problem(t, rec->line, tabular_column_label(t, F_NAME),
						"%u 行目と重複", dup);
		} else if ((f == TABULAR_COL_NONE || f == TABULAR_COL_EMPTY) && *rec->fields[i]) {
			tabular_problem(t, rec->line, NULL, "%zu 列目に見出しがありません", i + 1);
		}
	}
	t->added++;
	return 0;
}

static const char *const preamble_labels[] = { "部署", NULL };

static const struct tabular_spec toy_spec = {
	.journal_action = "toy.import",
	.fields_command = "toy",
	.header_hint = "名前・数 など",
	.preamble_labels = preamble_labels,
	.max_problems = 3,
	.field_find = toy_find,
	.field_label = toy_label,
	.field_refused = toy_refused,
	.row = toy_row,
};

static int run(struct store *st, struct tabular *t, struct toy *toy, const char *csv)
{
	struct mamori_err err = { 0 };

	memset(toy, 0, sizeof(*toy));
	t->spec = &toy_spec;
	t->st = st;
	t->name = "toy.csv";
	t->actor = "tester";
	t->ctx = toy;
	return tabular_import(t, csv, strlen(csv), &err);
}

static void release(struct tabular *t)
{
	tabular_strv_free(t->problems, t->nproblems);
	tabular_strv_free(t->ignored, t->nignored);
	memset(t, 0, sizeof(*t));
}

static int64_t journal_count(struct store *st, const char *action)
{
	struct mamori_err err = { 0 };
	int64_t n = -1;

	ASSERT_RC(0, store_query_int(st, &n, &err, "SELECT COUNT(*) FROM journal WHERE action = ?",
				     action, NULL),
		  err);
	return n;
}

static void test_header_preamble_and_journal(void **state)
{
	struct testutil_fixture *fx = *state;
	struct tabular t = { .dry_run = 1 };
	struct toy toy;

	assert_int_equal(run(fx->st, &t, &toy, "一覧\n部署：内科\n名前,数\nあ,1\n\nい,2\n"), 0);
	assert_int_equal(t.header_line, 3);
	assert_int_equal(toy.rows, 2);
	assert_int_equal(t.added, 2);
	assert_string_equal(toy.seen_preamble, "内科");
	assert_null(t.preamble);
	assert_int_equal(journal_count(fx->st, "toy.import"), 0); /* dry run */
	release(&t);

	t = (struct tabular){ .preamble_override = "外科" };
	assert_int_equal(run(fx->st, &t, &toy, "部署：,内科\n名前,数\nあ,1\n"), 0);
	assert_string_equal(toy.seen_preamble, "外科");
	assert_int_equal(journal_count(fx->st, "toy.import"), 1);
	release(&t);

	t = (struct tabular){ 0 };
	assert_int_equal(run(fx->st, &t, &toy, "名前,数\n"), 0); /* nothing added: no entry */
	assert_int_equal(journal_count(fx->st, "toy.import"), 1);
	release(&t);
}

static void test_column_problems(void **state)
{
	struct testutil_fixture *fx = *state;
	struct tabular t = { 0 };
	struct toy toy;

	assert_int_equal(run(fx->st, &t, &toy, "名前,数,謎,固定,名前,\nあ,1,x,y,z,w\n"),
			 MAMORI_EINVAL);
	assert_int_equal(t.nproblems, 3);
	assert_true(t.problems_truncated);
	assert_non_null(strstr(t.problems[0], "toy.csv:1: 謎: 不明な列です"));
	assert_non_null(strstr(t.problems[0], "mamori toy fields"));
	assert_string_equal(t.problems[1], "toy.csv:1: 固定: 取り込めません");
	assert_string_equal(t.problems[2],
			    "toy.csv:1: 名前: 列「名前」と同じ項目 (名前) を指しています");
	release(&t);

	t = (struct tabular){ .ignore_unknown = 1 };
	assert_int_equal(run(fx->st, &t, &toy, "名前,数,謎\nあ,1,x\nい,2,,9\n"), MAMORI_EINVAL);
	assert_int_equal(t.nignored, 1);
	assert_string_equal(t.ignored[0], "謎");
	assert_int_equal(t.nproblems, 1);
	assert_string_equal(t.problems[0], "toy.csv:3: 4 列目に見出しがありません");
	release(&t);
}

static void test_reader_problems(void **state)
{
	struct testutil_fixture *fx = *state;
	struct tabular t = { 0 };
	struct toy toy;

	assert_int_equal(run(fx->st, &t, &toy, "a,b\nc,d\n"), MAMORI_EINVAL);
	assert_int_equal(t.nproblems, 1);
	assert_non_null(strstr(t.problems[0], "toy.csv:1: 見出し行が見つかりません (名前・数 など、"));
	release(&t);

	t = (struct tabular){ 0 };
	assert_int_equal(run(fx->st, &t, &toy, "名前,数\nあ,1\n\"い,2\n"), MAMORI_EINVAL);
	assert_int_equal(t.nproblems, 1);
	assert_memory_equal(t.problems[0], "toy.csv:3: ", 11);
	release(&t);
}

static void test_seen_grows(void **state)
{
	struct testutil_fixture *fx = *state;
	struct tabular t = { .spec = &toy_spec, .st = fx->st, .name = "toy.csv" };

	for (unsigned i = 1; i <= 3000; i++)
		assert_int_equal(tabular_seen(&t, xasprintf("k%u", i), i), 0);
	for (unsigned i = 1; i <= 3000; i += 7)
		assert_int_equal(tabular_seen(&t, xasprintf("k%u", i), 5000 + i), i);
	assert_int_equal(t.nseen, 3000);
	for (size_t i = 0; i < t.capseen; i++)
		free(t.seen[i].key);
	free(t.seen);
	assert_true(tabular_is_data_error(MAMORI_ECONFLICT));
	assert_false(tabular_is_data_error(MAMORI_EDB));
}

static int setup(void **state)
{
	return testutil_setup_store(state, "tabular");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, testutil_teardown)
	const struct CMUnitTest tests[] = {
		T(test_header_preamble_and_journal),
		T(test_column_problems),
		T(test_reader_problems),
		T(test_seen_grows),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
