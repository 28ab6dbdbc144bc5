/*
 * cmd_drill.c - "mamori drill list|show|plan|record": 訓練 (drill.h).
 *
 *   mamori drill plan title="ランサムウェア想定訓練" planned_on=2026-12-10 scenario=…
 *   mamori drill record 1 done_on=2026-12-10 participants=… findings=… bcp_changes=… incident=3
 */
#include "common.h"
#include "cli.h"
#include "commands.h"
#include "drill.h"
#include "store.h"

#include <getopt.h>

static int write_cmd(struct cli *cli, int argc, char **argv, int add)
{
	const char *usage = add ? "mamori drill plan title=名称 [planned_on=日付] [scenario=…] [participants=…]"
				: "mamori drill record 番号 [done_on=日付] [participants=…] [findings=…] "
				  "[bcp_changes=…] [incident=番号] [title=…]";
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	json_t *rec;
	int64_t id = 0;
	int rc, r;

	if (!add && argc < 2)
		return cli_usage_error(usage, "訓練の番号を指定してください");
	if (!(rec = cli_kv_args(argc, argv, add ? 1 : 2, usage)))
		return 2;
	if ((rc = cli_open_store(cli, &st, 0)))
		goto out;
	if (store_begin(st, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (add)
		r = drill_add(st, cli->actor, rec, &id, &err);
	else if ((r = drill_find(st, argv[1], &id, &err)) == 0)
		r = drill_edit(st, cli->actor, id, rec, &err);
	if (r == 0)
		r = store_commit(st, &err);
	if (r < 0) {
		store_rollback(st);
		rc = cli_fail(&err);
	} else {
		printf("訓練 #%lld を%sしました\n", (long long)id, add ? "登録" : "記録");
	}
out:
	json_decref(rec);
	store_close(st);
	return rc;
}

static int cmd_plan(struct cli *cli, int argc, char **argv)
{
	return write_cmd(cli, argc, argv, 1);
}

static int cmd_record(struct cli *cli, int argc, char **argv)
{
	return write_cmd(cli, argc, argv, 0);
}

static const char *s(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void list_row(struct cli_table *t, json_t *v)
{
	char id[32];

	snprintf(id, sizeof(id), "#%lld", (long long)json_integer_value(json_object_get(v, "id")));
	const char *row[] = { id, s(v, "title"), s(v, "planned_on"), s(v, "done_on"), s(v, "findings"),
			      s(v, "bcp_changes") };
	cli_table_add(t, row);
}

static int cmd_list(struct cli *cli, int argc, char **argv)
{
	static const char *const head[] = { "番号", "訓練", "予定日", "実施日", "気づいた点", "BCP の改訂" };
	static const struct cli_list l = { "mamori drill list [--format table|csv|json]", drill_list, head,
					   ARRAY_SIZE(head), 30, list_row, 1 };
	return cli_list(cli, argc, argv, &l);
}

static int cmd_show(struct cli *cli, int argc, char **argv)
{
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	json_t *d = NULL;
	int64_t id;
	int rc;

	if (argc != 2)
		return cli_usage_error("mamori drill show 番号", "訓練の番号を指定してください");
	if ((rc = cli_open_store(cli, &st, 0)))
		return rc;
	if (drill_find(st, argv[1], &id, &err) < 0 || drill_get(st, id, &d, &err) < 0)
		rc = cli_fail(&err);
	else
		cli_print_json(d);
	store_close(st);
	return rc;
}

int cmd_drill(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
		{ "list", cmd_list, "訓練の一覧" },
		{ "show", cmd_show, "訓練の記録 (JSON)" },
		{ "plan", cmd_plan, "訓練を計画する (項目=値)" },
		{ "record", cmd_record, "訓練の実施・気づいた点・BCP の改訂を記録する" },
		{ NULL, NULL, NULL },
	};
	return cli_dispatch(cli, "drill", cmds, argc - 1, argv + 1);
}
