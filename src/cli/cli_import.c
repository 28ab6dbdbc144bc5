/*
 * cli_import.c - the options and output shared by the import commands
 * (see cli_import.h).
 */
#include "common.h"
#include "cli_import.h"

int cli_import_option(int c, const char *arg, struct cli_import_args *a, const char *usage)
{
	struct mamori_err err = { 0 };

	switch (c) {
	case 'n':
		a->dry_run = 1;
		return 0;
	case 'e':
		if (enc_parse_name(arg, &a->encoding, &err) < 0)
			return cli_usage_error(usage, "%s", err.msg);
		return 0;
	case 'i':
		a->ignore_unknown = 1;
		return 0;
	case 'v':
		a->verbose = 1;
		return 0;
	case 'f':
		return cli_parse_format(arg, &a->fmt) ? 2 : 0;
	default:
		return -1;
	}
}

void cli_import_progress(void (**progress)(size_t, size_t, void *), void **ctx)
{
	if (cli_progress_enabled()) {
		*progress = cli_progress;
		*ctx = "読み込み中…";
	}
}

void cli_import_print_field(const char *label, const char *before, const char *after)
{
	printf("      %s: %s → %s\n", label, before, after);
}

void cli_import_print_summary(char *const *created, size_t ncreated, char *const *ignored,
			      size_t nignored, int dry_run, size_t added, size_t updated,
			      size_t unchanged, enum enc_kind encoding)
{
	for (size_t i = 0; i < ncreated; i++)
		printf("新規登録  %s\n", created[i]);
	for (size_t i = 0; i < nignored; i++)
		printf("読み飛ばした列  %s\n", ignored[i]);
	printf("%s: 追加 %zu 件、更新 %zu 件、変更なし %zu 件 (文字コード %s)\n",
	       dry_run ? "確認のみ (--dry-run、データベースは変更していません)" : "取り込みました",
	       added, updated, unchanged, enc_name(encoding));
}

int cli_import_finish(int r, json_t *j, char *const *problems, size_t nproblems, int truncated,
		      int max, const struct mamori_err *err)
{
	if (j) {
		if (r < 0 && nproblems == 0)
			json_object_set_new(j, "error", json_string(err->msg));
		cli_print_json(j);
	}
	if (r >= 0)
		return 0;
	for (size_t i = 0; i < nproblems; i++)
		fprintf(stderr, "%s\n", problems[i]);
	if (truncated)
		fprintf(stderr, "(問題が多すぎるため %d 件で打ち切りました)\n", max);
	return cli_fail(err);
}
