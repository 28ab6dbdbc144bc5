/*
 * cmd_checklist.c - "mamori checklist …": the MHLW cybersecurity checklist.
 *
 * editions / show / validate read the catalog (catalog/checklist, see
 * docs/internals/checklist-format.md) and the editions imported into the
 * store; wording not confirmed from a source is shown as 文言未確認, never
 * guessed.  The sheet commands (open, list, status, answer, clear,
 * evidence, request, submit, review, wording, findings, export,
 * import-edition) are in cmd_checklist_sheet.c.
 */
#include "common.h"
#include "catalog_files.h"
#include "checklist.h"
#include "checklist_catalog.h"
#include "store.h"

#include <unistd.h>
#include "cli.h"
#include "commands.h"

/*
 * The shipped editions and, when the store exists, those imported into it.
 * Without a store (before "mamori init") only the shipped ones.
 */
static int load_shipped(struct cli *cli, struct checklist_catalog *cat, struct mamori_err *err)
{
	struct store *st = NULL;
	int r;

	if (access(cli->db_path, F_OK) == 0 &&
	    store_open(&st, "sqlite", cli->db_path, 0, err) < 0)
		return err->code;
	r = checklist_catalog_open(st, cat, err);
	store_close(st);
	return r;
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

	if (argc > 1)
		return cli_usage_error("mamori checklist editions", "余分な引数があります: %s", argv[1]);
	if (load_shipped(cli, &cat, &err) < 0)
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

	if (argc == 4 && !strcmp(argv[2], "--format") && !strcmp(argv[3], "json"))
		json = 1;
	else if (argc != 2)
		return cli_usage_error("mamori checklist show 版 [--format json]  (例: r7-iryo)",
				       "版を1つ指定してください (mamori checklist editions で一覧)");
	if (load_shipped(cli, &cat, &err) < 0)
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
		{ "import-edition", checklist_cli_import_edition,
		  "新しい版を取り込む (MHLW の公式 xlsx または mamori-checklist-1 の JSON)" },
		{ "open", checklist_cli_open, "年度のチェックリストを開始する" },
		{ "list", checklist_cli_list, "チェックリスト (自施設・事業者確認用) の一覧と進み具合" },
		{ "status", checklist_cli_status, "チェックリストの回答と根拠の一覧" },
		{ "answer", checklist_cli_answer, "項目に回答する (はい / いいえ、確認日、目標日)" },
		{ "clear", checklist_cli_clear, "回答を取り消す" },
		{ "evidence", checklist_cli_evidence, "台帳などのデータから見た各項目の根拠" },
		{ "findings", checklist_cli_findings, "データと矛盾する「はい」と、目標日を過ぎた「いいえ」" },
		{ "request", checklist_cli_request, "事業者に事業者確認用を依頼する" },
		{ "submit", checklist_cli_submit, "事業者確認用の回答を提出する" },
		{ "review", checklist_cli_review, "事業者確認用を確認する (accept / return / reopen)" },
		{ "wording", checklist_cli_wording, "文言未確認の項目に公式様式の文言を記録する" },
		{ "export", checklist_cli_export, "公式様式の xlsx、CSV、立入検査用 PDF に書き出す" },
		{ NULL, NULL, NULL },
	};
	return cli_dispatch(cli, "checklist", cmds, argc - 1, argv + 1);
}
