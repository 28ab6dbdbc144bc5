/*
 * cmd_contact.c - "mamori contact list|add|edit|remove|chart": the contact
 * chart (連絡体制図, contact.h).  Values are given as key=value:
 *
 *   mamori contact add side=internal role=院長 name="山田 太郎" phone=…
 *   mamori contact add side=external role=保守事業者 vendor="○○株式会社" parent=#2 call_order=1
 *   mamori contact chart -o 連絡体制図.pdf
 */
#include "common.h"
#include "cli.h"
#include "commands.h"
#include "contact.h"
#include "store.h"

#include <getopt.h>

static int write_cmd(struct cli *cli, int argc, char **argv, int kind)
{
	const char *usage = kind == 'a' ? "mamori contact add side=internal|external role=役割 [name=…] [organisation=…] "
					  "[phone=…] [phone_after_hours=…] [email=…] [vendor=事業者] [parent=#番号|役割] "
					  "[call_order=N] [note=…]"
			    : kind == 'e' ? "mamori contact edit #番号|役割 項目=値 …"
					  : "mamori contact remove #番号|役割";
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	json_t *rec = NULL;
	int64_t id = 0;
	int rc, r;

	if (kind != 'a' && argc < 2)
		return cli_usage_error(usage, "連絡先を指定してください");
	if (kind == 'r' && argc != 2)
		return cli_usage_error(usage, "余分な引数があります");
	if (kind != 'r' && !(rec = cli_kv_args(argc, argv, kind == 'a' ? 1 : 2, usage)))
		return 2;
	if ((rc = cli_open_store(cli, &st, 0)))
		goto out;
	if (store_begin(st, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (kind == 'a')
		r = contact_add(st, cli->actor, rec, &id, &err);
	else if ((r = contact_find(st, argv[1], &id, &err)) == 0)
		r = kind == 'e' ? contact_edit(st, cli->actor, id, rec, &err)
				: contact_remove(st, cli->actor, id, &err);
	if (r == 0)
		r = store_commit(st, &err);
	if (r < 0) {
		store_rollback(st);
		rc = cli_fail(&err);
	} else {
		printf("連絡先 #%lld を%sしました\n", (long long)id,
		       kind == 'a' ? "登録" : kind == 'e' ? "変更" : "削除");
	}
out:
	json_decref(rec);
	store_close(st);
	return rc;
}

static int cmd_add(struct cli *cli, int argc, char **argv)
{
	return write_cmd(cli, argc, argv, 'a');
}

static int cmd_edit(struct cli *cli, int argc, char **argv)
{
	return write_cmd(cli, argc, argv, 'e');
}

static int cmd_remove(struct cli *cli, int argc, char **argv)
{
	return write_cmd(cli, argc, argv, 'r');
}

static const char *s(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static void list_row(struct cli_table *t, json_t *v)
{
	char id[32], who[512];
	const char *org = s(v, "organisation") ? s(v, "organisation") : s(v, "vendor_name");

	snprintf(id, sizeof(id), "#%lld", (long long)json_integer_value(json_object_get(v, "id")));
	snprintf(who, sizeof(who), "%s%s%s", org ? org : "", org && s(v, "name") ? " " : "",
		 s(v, "name") ? s(v, "name") : "");
	const char *row[] = { s(v, "number"), id, s(v, "side_label"), s(v, "role"), who,
			      s(v, "phone") ? s(v, "phone") : s(v, "vendor_emergency_phone"),
			      s(v, "phone_after_hours") };
	cli_table_add(t, row);
}

static int cmd_list(struct cli *cli, int argc, char **argv)
{
	static const char *const head[] = { "順", "番号", "区分", "役割", "組織・氏名", "電話", "夜間・休日" };
	static const struct cli_list l = { "mamori contact list [--format table|csv|json]", contact_list, head,
					   ARRAY_SIZE(head), 36, list_row, 1 };
	return cli_list(cli, argc, argv, &l);
}

static int cmd_chart(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { "output", required_argument, NULL, 'o' },
					      { NULL, 0, NULL, 0 } };
	const char *usage = "mamori contact chart -o FILE.pdf", *out = NULL;
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
	if (contact_chart_pdf(st, out, &err) < 0)
		rc = cli_fail(&err);
	else
		printf("%s を書き出しました\n", out);
	store_close(st);
	return rc;
}

int cmd_contact(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
		{ "list", cmd_list, "連絡先を連絡の順に一覧する" },
		{ "add", cmd_add, "連絡先を登録する (項目=値)" },
		{ "edit", cmd_edit, "連絡先を変更する" },
		{ "remove", cmd_remove, "連絡先を削除する (その人が連絡していた先は、一つ前の人が連絡する)" },
		{ "chart", cmd_chart, "連絡体制図を PDF に書き出す (-o FILE.pdf)" },
		{ NULL, NULL, NULL },
	};
	return cli_dispatch(cli, "contact", cmds, argc - 1, argv + 1);
}
