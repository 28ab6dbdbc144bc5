/*
 * cmd_checklist.c - "mamori checklist editions|show|validate": the MHLW
 * cybersecurity checklist editions mamori ships (catalog/checklist, see
 * docs/internals/checklist-format.md).  Wording not confirmed from a source
 * is shown as 文言未確認, never guessed.
 */
#include "common.h"
#include "catalog_files.h"
#include "checklist_catalog.h"
#include "cli.h"
#include "commands.h"

/* The shipped editions, in file-name order. */
static int load_shipped(struct checklist_catalog *cat, struct mamori_err *err)
{
	struct checklist_problems problems = { 0 };

	memset(cat, 0, sizeof(*cat));
	for (const struct catalog_file *f = catalog_files; f->name; f++) {
		struct checklist_edition e = CHECKLIST_EDITION_INIT;
		if (strncmp(f->name, "checklist/", 10) != 0)
			continue;
		if (checklist_catalog_load_buffer(f->name + 10, f->data, f->size, &e, &problems,
						  err) < 0) {
			checklist_problems_release(&problems);
			checklist_catalog_release(cat);
			return mamori_err_set(err, MAMORI_EINVAL, "同梱のチェックリスト %s が壊れています",
					      f->name);
		}
		cat->editions = xrealloc(cat->editions, (cat->nr + 1) * sizeof(*cat->editions));
		cat->editions[cat->nr++] = e;
	}
	return 0;
}

static const char *file_id(const struct checklist_edition *e, char *buf, size_t len)
{
	snprintf(buf, len, "%s-%s", e->edition, checklist_form_name(e->form));
	return buf;
}

static int editions(struct cli *cli, int argc, char **argv)
{
	struct checklist_catalog cat;
	struct mamori_err err = { 0 };
	struct cli_table t;
	const char *head[] = { "版", "年度", "様式", "項目", "文言確認済", "文言未確認", "公表" };

	(void)cli;
	if (argc > 1)
		return cli_usage_error("mamori checklist editions", "余分な引数があります: %s", argv[1]);
	if (load_shipped(&cat, &err) < 0)
		return cli_fail(&err);
	cli_table_init(&t, ARRAY_SIZE(head), 40);
	cli_table_add(&t, head);
	for (size_t i = 0; i < cat.nr; i++) {
		const struct checklist_edition *e = &cat.editions[i];
		size_t unconfirmed = 0;
		char id[64], year[32], n[16], ok[16], un[16];
		for (size_t k = 0; k < e->nr_items; k++)
			unconfirmed += checklist_item_wording_unconfirmed(&e->items[k]);
		snprintf(year, sizeof(year), "令和%d年度 (%d)", e->fiscal_year - 2018, e->fiscal_year);
		snprintf(n, sizeof(n), "%zu%s", e->nr_items, e->items_complete ? "" : " (不完全)");
		snprintf(ok, sizeof(ok), "%zu", e->nr_items - unconfirmed);
		snprintf(un, sizeof(un), "%zu", unconfirmed);
		const char *row[] = { file_id(e, id, sizeof(id)), year, checklist_form_label(e->form),
				      n, ok, un, e->published[0] ? e->published : "不明" };
		cli_table_add(&t, row);
	}
	cli_table_print(&t, stdout);
	printf("文言未確認の項目は、MHLW の様式から正式な文言を確認してください。\n");
	cli_table_release(&t);
	checklist_catalog_release(&cat);
	return 0;
}

static void scope_text(const struct checklist_item *it, char *buf, size_t len)
{
	static const struct {
		unsigned bit;
		const char *label;
	} scopes[] = {
		{ CHECKLIST_SCOPE_ALL, "全般" },
		{ CHECKLIST_SCOPE_SERVER, "サーバ" },
		{ CHECKLIST_SCOPE_PC, "端末PC" },
		{ CHECKLIST_SCOPE_NETWORK, "NW機器" },
	};
	size_t o = 0;

	buf[0] = '\0';
	if (!it->scope_known) {
		snprintf(buf, len, "不明");
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(scopes); i++)
		if (it->scope & scopes[i].bit)
			o += (size_t)snprintf(buf + o, o < len ? len - o : 0, "%s%s", o ? "・" : "",
					      scopes[i].label);
}

static int show(struct cli *cli, int argc, char **argv)
{
	struct checklist_catalog cat;
	struct mamori_err err = { 0 };
	const struct checklist_edition *e = NULL;
	int json = 0;

	(void)cli;
	if (argc == 4 && !strcmp(argv[2], "--format") && !strcmp(argv[3], "json"))
		json = 1;
	else if (argc != 2)
		return cli_usage_error("mamori checklist show 版 [--format json]  (例: r7-iryo)",
				       "版を1つ指定してください (mamori checklist editions で一覧)");
	if (load_shipped(&cat, &err) < 0)
		return cli_fail(&err);
	for (size_t i = 0; i < cat.nr && !e; i++) {
		char id[64];
		if (!strcmp(file_id(&cat.editions[i], id, sizeof(id)), argv[1]))
			e = &cat.editions[i];
	}
	if (!e) {
		checklist_catalog_release(&cat);
		return cli_usage_error(NULL, "版「%s」はありません (mamori checklist editions で一覧)",
				       argv[1]);
	}
	if (json) {
		json_t *items = json_array();
		for (size_t k = 0; k < e->nr_items; k++) {
			const struct checklist_item *it = &e->items[k];
			json_t *refs = json_array();
			for (size_t r = 0; r < it->nr_refs; r++)
				json_array_append_new(refs, json_string(it->refs[r]));
			json_array_append_new(items, json_pack("{s:s, s:i, s:s?, s:s?, s:s, s:b, s:b, s:o}",
							       "id", it->id, "section", it->section, "number",
							       it->number, "wording", it->wording,
							       "wording_status", checklist_status_name(it->status),
							       "wording_unconfirmed",
							       checklist_item_wording_unconfirmed(it), "gate",
							       it->gate, "refs", refs));
		}
		cli_print_json(json_pack("{s:s, s:i, s:s, s:s, s:o}", "edition", e->edition,
					 "fiscal_year", e->fiscal_year, "form", checklist_form_name(e->form),
					 "title", e->title, "items", items));
	} else {
		struct cli_table t;
		const char *head[] = { "番号", "対象", "項目", "文言の確認", "ガイドライン参照" };
		printf("%s\n", e->title);
		cli_table_init(&t, ARRAY_SIZE(head), 70);
		cli_table_add(&t, head);
		for (size_t k = 0; k < e->nr_items; k++) {
			const struct checklist_item *it = &e->items[k];
			char num[64], scope[96], refs[512] = "";
			size_t o = 0;
			snprintf(num, sizeof(num), "%d-%s", it->section, it->number ? it->number : "?");
			scope_text(it, scope, sizeof(scope));
			for (size_t r = 0; r < it->nr_refs && o < sizeof(refs); r++)
				o += (size_t)snprintf(refs + o, sizeof(refs) - o, "%s%s", r ? " " : "",
						      it->refs[r]);
			const char *row[] = { it->gate ? "前提" : num, scope,
					      it->wording ? it->wording : "(文言未確認)",
					      checklist_item_wording_unconfirmed(it)
						      ? "文言未確認"
						      : checklist_status_label(it->status),
					      it->refs_known ? refs : "不明" };
			cli_table_add(&t, row);
		}
		cli_table_print(&t, stdout);
		cli_table_release(&t);
	}
	checklist_catalog_release(&cat);
	return 0;
}

static int validate(struct cli *cli, int argc, char **argv)
{
	struct checklist_problems problems = { 0 };
	struct mamori_err err = { 0 };
	size_t n = 0;
	int r;

	(void)cli;
	if (argc != 2)
		return cli_usage_error("mamori checklist validate DIR",
				       "チェックリストの版のファイル (*.json) のあるディレクトリを指定してください");
	r = checklist_catalog_validate_dir(argv[1], &n, &problems, &err);
	for (size_t i = 0; i < problems.nr; i++)
		fprintf(stderr, "%s\n", problems.msgs[i]);
	if (problems.total > problems.nr)
		fprintf(stderr, "(ほか %zu 件)\n", problems.total - problems.nr);
	checklist_problems_release(&problems);
	if (r < 0)
		return cli_fail(&err);
	printf("%zu ファイルを確認しました。問題はありません\n", n);
	return 0;
}

int cmd_checklist(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
		{ "editions", editions, "同梱のチェックリストの版と様式の一覧" },
		{ "show", show, "版の項目を表示する (文言未確認の項目はそう表示)" },
		{ "validate", validate, "チェックリストの版のファイルを検証する" },
		{ NULL, NULL, NULL },
	};
	return cli_dispatch(cli, "checklist", cmds, argc - 1, argv + 1);
}
