/*
 * cmd_bcp.c - "mamori bcp …": the IT-BCP (bcp.h) and what it is made of.
 *
 *   mamori bcp export -o IT-BCP.pdf          the BCP document
 *   mamori bcp kit -o 紙運用セット.pdf        the paper-operation kit per department
 *   mamori bcp systems                       priorities and tolerable downtimes
 *   mamori bcp system 電子カルテシステム priority=1 tolerable_downtime=3時間 fallback=紙カルテ
 *   mamori bcp backup list|add|edit|remove   the backup table
 *   mamori bcp template list | set 3 --text … | set 3 --reset   院内放送の文面
 */
#include "common.h"
#include "bcp.h"
#include "cli.h"
#include "commands.h"
#include "incident.h"
#include "store.h"

#include <getopt.h>

static const char *s(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static int pdf(struct cli *cli, int argc, char **argv, int kit)
{
	static const struct option opts[] = { { "output", required_argument, NULL, 'o' },
					      { NULL, 0, NULL, 0 } };
	const char *usage = kit ? "mamori bcp kit -o FILE.pdf" : "mamori bcp export -o FILE.pdf", *out = NULL;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	int opt, rc;

	while ((opt = cli_getopt(argc, argv, "o:", opts)) != -1)
		if (opt == 'o')
			out = optarg;
		else
			return cli_usage_error(usage, "オプションが正しくありません");
	if (!out || optind < argc)
		return cli_usage_error(usage, "-o FILE.pdf が必要です");
	if ((rc = cli_open_store(cli, &st, 0)))
		return rc;
	if ((kit ? bcp_paper_kit_pdf(st, out, &err) : bcp_export_pdf(st, out, &err)) < 0)
		rc = cli_fail(&err);
	else
		printf("%s を書き出しました\n", out);
	store_close(st);
	return rc;
}

static int cmd_export(struct cli *cli, int argc, char **argv)
{
	return pdf(cli, argc, argv, 0);
}

static int cmd_kit(struct cli *cli, int argc, char **argv)
{
	return pdf(cli, argc, argv, 1);
}

/* The number in v[k] as text ("" when there is none). */
static void num(json_t *v, const char *k, char *buf, size_t len)
{
	json_t *n = json_object_get(v, k);

	if (json_is_integer(n))
		snprintf(buf, len, "%lld", (long long)json_integer_value(n));
	else
		buf[0] = '\0';
}

static void system_row(struct cli_table *t, json_t *v)
{
	char a[32], b[32];

	num(v, "priority", a, sizeof(a));
	snprintf(b, sizeof(b), "%lld", (long long)json_integer_value(json_object_get(v, "backups")));
	const char *row[] = { a, s(v, "name"), s(v, "availability"), s(v, "tolerable_downtime"), s(v, "fallback"), b };
	cli_table_add(t, row);
}

static void backup_row(struct cli_table *t, json_t *v)
{
	char a[32], id[40];

	num(v, "generations", a, sizeof(a));
	snprintf(id, sizeof(id), "#%lld", (long long)json_integer_value(json_object_get(v, "id")));
	const char *row[] = { id, s(v, "system"), s(v, "target"), s(v, "frequency"), s(v, "method"),
			      s(v, "media_label"), a, s(v, "location"), s(v, "restore_procedure") };
	cli_table_add(t, row);
}

static void template_row(struct cli_table *t, json_t *v)
{
	const char *row[] = { s(v, "title"), s(v, "timing"), s(v, "text"),
			      json_is_true(json_object_get(v, "customized")) ? "病院の文面" : s(v, "source") };
	cli_table_add(t, row);
}

static int print_list(struct cli *cli, int argc, char **argv, const char *usage, int which)
{
	static const char *const hs[] = { "優先度", "システム", "可用性", "許容停止時間", "代替手段", "バックアップ計画" };
	static const char *const hb[] = { "番号", "システム", "対象", "頻度", "方式", "媒体", "世代", "保管場所", "復元手順" };
	static const char *const ht[] = { "放送", "時期", "文面", "出典" };
	struct cli_list l = { usage, incident_templates, ht, ARRAY_SIZE(ht), 30, template_row, 0 };

	if (which == 's')
		l.load = bcp_systems, l.head = hs, l.ncols = ARRAY_SIZE(hs), l.row = system_row;
	else if (which == 'b')
		l.load = bcp_backups, l.head = hb, l.ncols = ARRAY_SIZE(hb), l.row = backup_row;
	return cli_list(cli, argc, argv, &l);
}

static int cmd_systems(struct cli *cli, int argc, char **argv)
{
	return print_list(cli, argc, argv, "mamori bcp systems [--format table|csv|json]", 's');
}

/* Runs a write in one transaction. */
static int in_tx(struct cli *cli, int (*fn)(struct store *, const char *, void *, struct mamori_err *),
		 void *ctx)
{
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	int rc = cli_open_store(cli, &st, 0), r;

	if (rc)
		return rc;
	r = store_begin(st, &err);
	if (r == 0)
		r = fn(st, cli->actor, ctx, &err);
	if (r == 0)
		r = store_commit(st, &err);
	if (r < 0) {
		store_rollback(st);
		rc = cli_fail(&err);
	}
	store_close(st);
	return rc;
}

struct args {
	const char *key;
	json_t *rec;
	int64_t id;
	int kind;
	const char *text;
};

static int do_system(struct store *st, const char *actor, void *p, struct mamori_err *err)
{
	struct args *a = p;
	return bcp_system_set(st, actor, a->key, a->rec, err);
}

static int cmd_bcp_system(struct cli *cli, int argc, char **argv)
{
	const char *usage = "mamori bcp system システム [priority=1-9] [tolerable_downtime=…] [fallback=…]";
	struct args a = { 0 };
	int rc;

	if (argc < 3)
		return cli_usage_error(usage, "システムと 項目=値 を指定してください");
	a.key = argv[1];
	if (!(a.rec = cli_kv_args(argc, argv, 2, usage)))
		return 2;
	rc = in_tx(cli, do_system, &a);
	if (!rc)
		printf("%s の優先度・許容停止時間を記録しました\n", a.key);
	json_decref(a.rec);
	return rc;
}

static int do_backup(struct store *st, const char *actor, void *p, struct mamori_err *err)
{
	struct args *a = p;
	char key[32];
	char *end;

	if (a->kind == 'a')
		return bcp_backup_add(st, actor, a->rec, &a->id, err);
	snprintf(key, sizeof(key), "%s", a->key[0] == '#' ? a->key + 1 : a->key);
	a->id = strtoll(key, &end, 10);
	if (*end || a->id <= 0)
		return mamori_err_set(err, MAMORI_EINVAL, "バックアップ計画の番号「%s」が正しくありません", a->key);
	return a->kind == 'e' ? bcp_backup_edit(st, actor, a->id, a->rec, err)
			      : bcp_backup_remove(st, actor, a->id, err);
}

static int cmd_backup(struct cli *cli, int argc, char **argv)
{
	const char *usage = "mamori bcp backup list | add system=… frequency=… media=rewritable|worm|offline "
			    "[target=…] [method=…] [generations=N] [location=…] [restore_procedure=…] | "
			    "edit #番号 項目=値 … | remove #番号";
	struct args a = { 0 };
	int rc;

	if (argc < 2)
		return cli_usage_error(usage, "list / add / edit / remove のどれかを指定してください");
	if (!strcmp(argv[1], "list"))
		return print_list(cli, argc - 1, argv + 1, usage, 'b');
	if (!strcmp(argv[1], "add"))
		a.kind = 'a';
	else if (!strcmp(argv[1], "edit") && argc >= 3)
		a.kind = 'e', a.key = argv[2];
	else if (!strcmp(argv[1], "remove") && argc == 3)
		a.kind = 'r', a.key = argv[2];
	else
		return cli_usage_error(usage, "サブコマンドが正しくありません");
	if (a.kind != 'r' && !(a.rec = cli_kv_args(argc, argv, a.kind == 'a' ? 2 : 3, usage)))
		return 2;
	rc = in_tx(cli, do_backup, &a);
	if (!rc)
		printf("バックアップ計画 #%lld を%sしました\n", (long long)a.id,
		       a.kind == 'a' ? "登録" : a.kind == 'e' ? "変更" : "削除");
	json_decref(a.rec);
	return rc;
}

static int do_template(struct store *st, const char *actor, void *p, struct mamori_err *err)
{
	struct args *a = p;
	return incident_template_set(st, actor, a->key, a->text, err);
}

static int cmd_template(struct cli *cli, int argc, char **argv)
{
	const char *usage = "mamori bcp template list | set 1-5 --text 放送文 | set 1-5 --reset";
	struct args a = { 0 };
	int rc;

	if (argc >= 2 && !strcmp(argv[1], "list"))
		return print_list(cli, argc - 1, argv + 1, usage, 't');
	if (argc == 5 && !strcmp(argv[1], "set") && !strcmp(argv[3], "--text"))
		a.text = argv[4];
	else if (!(argc == 4 && !strcmp(argv[1], "set") && !strcmp(argv[3], "--reset")))
		return cli_usage_error(usage, "サブコマンドが正しくありません");
	a.key = argv[2];
	rc = in_tx(cli, do_template, &a);
	if (!rc)
		printf("院内放送 (%s) の文面を%sしました\n", a.key, a.text ? "記録" : "既定の下書きに戻");
	return rc;
}

int cmd_bcp(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
		{ "export", cmd_export, "IT-BCP を PDF に書き出す (-o FILE.pdf)" },
		{ "kit", cmd_kit, "紙運用セット (部署ごとの用紙) を PDF に書き出す (-o FILE.pdf)" },
		{ "systems", cmd_systems, "システムの優先度と許容停止時間" },
		{ "system", cmd_bcp_system, "システムの優先度・許容停止時間・代替手段を記録する" },
		{ "backup", cmd_backup, "バックアップ計画 (list / add / edit / remove)" },
		{ "template", cmd_template, "院内放送の文面 (list / set)" },
		{ NULL, NULL, NULL },
	};
	return cli_dispatch(cli, "bcp", cmds, argc - 1, argv + 1);
}
