/*
 * cmd_ledger.c - "mamori system|vendor|contract|location list|show|add|edit":
 * the records devices refer to, through the generic record layer of
 * ledger.h.  Values are given as 項目=値 with the Japanese label or the
 * English column name ("mamori vendor add 事業者名=… 緊急連絡先=…").
 */
#include "common.h"
#include "cli.h"
#include "commands.h"
#include "ledger.h"
#include "csv.h"
#include "store.h"
#include "strbuf.h"

/* Text of a column value for people: references by name, flags as 〇/×. */
static char *display(struct store *st, const struct ledger_column_info *ci, json_t *v)
{
	if (!v || json_is_null(v))
		return xstrdup("");
	if (ci->ref >= 0 && json_is_integer(v)) {
		json_t *ref = NULL;
		char *s;
		if (ledger_get(st, ci->ref, json_integer_value(v), &ref, NULL) < 0)
			return xasprintf("#%lld", (long long)json_integer_value(v));
		s = xstrdup(ledger_record_name(ref));
		json_decref(ref);
		return s;
	}
	if (ci->is_bool)
		return xstrdup(json_integer_value(v) ? "〇" : "×");
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	return xstrdup(ledger_value_label(ci->name, json_string_value(v)));
}

static int list(struct cli *cli, enum ledger_table t, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	json_t *rows = NULL;
	size_t ncols = ledger_column_count(t), idx;
	int c, rc;

	while ((c = cli_getopt(argc, argv, "f:", opts)) != -1) {
		if (c != 'f')
			return cli_usage_error(NULL, "オプションが正しくありません");
		if (cli_parse_format(optarg, &fmt))
			return 2;
	}
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	if (ledger_list(st, t, &rows, &err) < 0) {
		store_close(st);
		return cli_fail(&err);
	}
	if (fmt == CLI_FORMAT_JSON) {
		cli_print_json(json_incref(rows));
	} else {
		struct cli_table tab;
		const char **cells = xcalloc(ncols + 1, sizeof(char *));
		json_t *row;

		cli_table_init(&tab, ncols + 1, fmt == CLI_FORMAT_CSV ? 100000 : 24);
		cells[0] = "番号";
		for (size_t i = 0; i < ncols; i++) {
			struct ledger_column_info ci;
			ledger_column_get(t, i, &ci);
			cells[i + 1] = ci.label;
		}
		cli_table_add(&tab, cells);
		json_array_foreach(rows, idx, row) {
			char **owned = xcalloc(ncols + 1, sizeof(char *));
			owned[0] = xasprintf("#%lld", (long long)json_integer_value(json_object_get(row, "id")));
			for (size_t i = 0; i < ncols; i++) {
				struct ledger_column_info ci;
				ledger_column_get(t, i, &ci);
				owned[i + 1] = display(st, &ci, json_object_get(row, ci.name));
			}
			cli_table_add(&tab, (const char *const *)owned);
			for (size_t i = 0; i <= ncols; i++)
				free(owned[i]);
			free(owned);
		}
		if (fmt == CLI_FORMAT_CSV) {
			cli_table_print_csv(&tab, stdout);
		} else {
			cli_table_print(&tab, stdout);
			printf("(%zu 件)\n", json_array_size(rows));
		}
		cli_table_release(&tab);
		free(cells);
	}
	json_decref(rows);
	store_close(st);
	return 0;
}

static int show(struct cli *cli, enum ledger_table t, int argc, char **argv)
{
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	json_t *rec = NULL;
	int64_t id;
	int rc, json = 0;

	if (argc == 4 && !strcmp(argv[2], "--format") && !strcmp(argv[3], "json"))
		json = 1;
	else if (argc != 2)
		return cli_usage_error(NULL, "mamori %s show 名前|#番号 [--format json]",
				       ledger_table_name(t));
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	if (ledger_find(st, t, argv[1], &id, &err) < 0 || ledger_get(st, t, id, &rec, &err) < 0) {
		store_close(st);
		return cli_fail(&err);
	}
	if (json) {
		cli_print_json(json_incref(rec));
	} else {
		struct cli_table tab;
		cli_table_init(&tab, 2, 80);
		printf("%s #%lld\n", ledger_table_label(t), (long long)id);
		for (size_t i = 0; i < ledger_column_count(t); i++) {
			struct ledger_column_info ci;
			ledger_column_get(t, i, &ci);
			char *v = display(st, &ci, json_object_get(rec, ci.name));
			const char *row[2] = { ci.label, v };
			if (*v)
				cli_table_add(&tab, row);
			free(v);
		}
		cli_table_print(&tab, stdout);
		cli_table_release(&tab);
	}
	json_decref(rec);
	store_close(st);
	return 0;
}

/* Parses 項目=値 arguments into rec; prints the problem and returns 2. */
static int assignments(struct store *st, enum ledger_table t, json_t *rec, int argc, char **argv)
{
	struct mamori_err err = { 0 };

	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq)
			return cli_usage_error(NULL, "「項目=値」の形で指定してください: %s", argv[i]);
		char *name = xstrndup(argv[i], (size_t)(eq - argv[i]));
		int r = ledger_set_text(st, t, rec, name, eq + 1, &err);
		free(name);
		if (r < 0)
			return cli_fail(&err);
	}
	return 0;
}

static int write_record(struct cli *cli, enum ledger_table t, int argc, char **argv, int is_add)
{
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	json_t *rec = json_object();
	int64_t id = 0;
	int rc, first = is_add ? 1 : 2;

	if (argc <= first) {
		json_decref(rec);
		return cli_usage_error(NULL, is_add ? "mamori %s add 項目=値 …"
						    : "mamori %s edit 名前|#番号 項目=値 …",
				       ledger_table_name(t));
	}
	rc = cli_open_store(cli, &st, 0);
	if (rc == 0 && !is_add && ledger_find(st, t, argv[1], &id, &err) < 0)
		rc = cli_fail(&err);
	if (rc == 0)
		rc = assignments(st, t, rec, argc - first, argv + first);
	if (rc == 0) {
		int r = store_begin(st, &err);
		if (r == 0)
			r = is_add ? ledger_insert(st, cli->actor, t, rec, &id, &err)
				   : ledger_update(st, cli->actor, t, id, rec, &err);
		if (r == 0)
			r = store_commit(st, &err);
		else
			store_rollback(st);
		if (r < 0)
			rc = cli_fail(&err);
		else
			printf("%s #%lld を%sしました\n", ledger_table_label(t), (long long)id,
			       is_add ? "登録" : "更新");
	}
	json_decref(rec);
	store_close(st);
	return rc;
}

static int fields(enum ledger_table t)
{
	struct cli_table tab;
	const char *head[] = { "項目", "見出し", "値" };

	cli_table_init(&tab, 3, 100);
	cli_table_add(&tab, head);
	for (size_t i = 0; i < ledger_column_count(t); i++) {
		struct ledger_column_info ci;
		ledger_column_get(t, i, &ci);
		const char *kind = ci.is_bool	      ? "〇 / ×"
				   : ci.allowed       ? ci.allowed
				   : ci.ref >= 0      ? ledger_table_label(ci.ref)
				   : ci.required      ? "必須"
							 : "";
		const char *row[] = { ci.name, ci.label, kind };
		cli_table_add(&tab, row);
	}
	cli_table_print(&tab, stdout);
	cli_table_release(&tab);
	return 0;
}

static int ledger_command(struct cli *cli, enum ledger_table t, int argc, char **argv)
{
	const char *group = ledger_table_name(t);

	argc--;
	argv++;
	optind = 0;
	if (argc < 1 || !strcmp(argv[0], "help") || !strcmp(argv[0], "--help")) {
		FILE *out = argc < 1 ? stderr : stdout;
		fprintf(out,
			"使い方: mamori %s <サブコマンド>\n\n"
			"  list      一覧 (--format table|csv|json)\n"
			"  show      1件の詳細 (名前か #番号)\n"
			"  add       登録 (項目=値 …)\n"
			"  edit      変更 (名前か #番号 項目=値 …)\n"
			"  fields    項目の一覧\n",
			group);
		return argc < 1 ? 2 : 0;
	}
	if (!strcmp(argv[0], "list"))
		return list(cli, t, argc, argv);
	if (!strcmp(argv[0], "show"))
		return show(cli, t, argc, argv);
	if (!strcmp(argv[0], "add"))
		return write_record(cli, t, argc, argv, 1);
	if (!strcmp(argv[0], "edit"))
		return write_record(cli, t, argc, argv, 0);
	if (!strcmp(argv[0], "fields"))
		return fields(t);
	return cli_usage_error(NULL, "「%s %s」というサブコマンドはありません (mamori %s help)", group,
			       argv[0], group);
}

int cmd_system(struct cli *cli, int argc, char **argv)
{
	return ledger_command(cli, LEDGER_SYSTEM, argc, argv);
}

int cmd_vendor(struct cli *cli, int argc, char **argv)
{
	return ledger_command(cli, LEDGER_VENDOR, argc, argv);
}

int cmd_contract(struct cli *cli, int argc, char **argv)
{
	return ledger_command(cli, LEDGER_CONTRACT, argc, argv);
}

int cmd_document(struct cli *cli, int argc, char **argv)
{
	return ledger_command(cli, LEDGER_DOCUMENT, argc, argv);
}

int cmd_location(struct cli *cli, int argc, char **argv)
{
	return ledger_command(cli, LEDGER_LOCATION, argc, argv);
}
