/*
 * cmd_asset.c - "mamori asset …": the device ledger from the command line.
 */
#include "common.h"
#include "asset.h"
#include "asset_export.h"
#include "asset_import.h"
#include "cli.h"
#include "cli_import.h"
#include "commands.h"
#include "journal.h"
#include "ledger.h"
#include "store.h"
#include "strbuf.h"

/* ---- import ----------------------------------------------------------- */

static const char *action_label(enum asset_import_action a)
{
	switch (a) {
	case ASSET_IMPORT_ADD:
		return "追加";
	case ASSET_IMPORT_UPDATE:
		return "更新";
	default:
		return "変更なし";
	}
}

static void print_import(const struct asset_import_result *res, int dry_run, int verbose)
{
	for (size_t i = 0; i < res->nchanges; i++) {
		const struct asset_import_change *c = &res->changes[i];
		if (c->action == ASSET_IMPORT_UNCHANGED && !verbose)
			continue;
		printf("%s  %u 行目  %s\n", action_label(c->action), c->line,
		       asset_key(&c->after, NULL));
		if (c->action != ASSET_IMPORT_UPDATE)
			continue;
		for (int f = 0; f < ASSET_NFIELDS; f++)
			if (c->fields & (UINT64_C(1) << f))
				cli_import_print_field(
					asset_fields[f].label,
					c->before.v[f] ? asset_display_value(&c->before, f) : "(空)",
					c->after.v[f] ? asset_display_value(&c->after, f) : "(空)");
	}
	cli_import_print_summary(res->created, res->ncreated, res->ignored, res->nignored, dry_run,
				 res->added, res->updated, res->unchanged, res->encoding);
}

static int import(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_IMPORT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori asset import FILE [--dry-run] [--encoding auto|utf-8|cp932] "
			    "[--ignore-unknown] [--verbose] [--format table|json]";
	struct cli_import_args a = CLI_IMPORT_ARGS_INIT;
	struct asset_import_opts o = { .actor = cli->actor };
	struct asset_import_result res;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	int c, r, rc;

	while ((c = cli_getopt(argc, argv, CLI_IMPORT_OPTSTRING, opts)) != -1) {
		rc = cli_import_option(c, optarg, &a, usage);
		if (rc < 0)
			return cli_usage_error(usage, "オプションが正しくありません");
		if (rc)
			return rc;
	}
	if (optind + 1 != argc)
		return cli_usage_error(usage, "取り込むファイルを1つ指定してください");
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	o.encoding = a.encoding;
	o.dry_run = a.dry_run;
	o.ignore_unknown = a.ignore_unknown;
	cli_import_progress(&o.progress, &o.progress_ctx);
	r = asset_import_file(st, argv[optind], &o, &res, &err);
	store_close(st);
	if (a.fmt != CLI_FORMAT_JSON && r == 0)
		print_import(&res, o.dry_run, a.verbose);
	rc = cli_import_finish(r,
			       a.fmt == CLI_FORMAT_JSON ? asset_import_result_json(&res, o.dry_run, r == 0)
							: NULL,
			       res.problems, res.nproblems, res.problems_truncated,
			       ASSET_IMPORT_MAX_PROBLEMS, &err);
	asset_import_result_release(&res);
	return rc;
}

/* ---- list ------------------------------------------------------------- */

static const int list_columns[] = { ASSET_TAG,	      ASSET_KIND, ASSET_MODEL, ASSET_OS,
				    ASSET_IP,	      ASSET_MAC,  ASSET_DEPARTMENT,
				    ASSET_OWNER,      ASSET_STATUS };

static int table_row(const struct asset *a, void *p)
{
	struct cli_table *t = p;
	const char *cells[ARRAY_SIZE(list_columns) + 1];
	char id[24];

	snprintf(id, sizeof(id), "#%lld", (long long)a->id);
	cells[0] = id;
	for (size_t i = 0; i < ARRAY_SIZE(list_columns); i++) {
		int f = list_columns[i];
		cells[i + 1] = (f == ASSET_TAG && !a->v[f])
				       ? (a->v[ASSET_HOSTNAME] ? a->v[ASSET_HOSTNAME] : "")
				       : asset_display_value(a, f);
	}
	cli_table_add(t, cells);
	return 0;
}

struct query_opts {
	struct asset_query q;
	enum cli_format fmt;
};

/* Shared list/export filters; returns 1 when c was one of them, -1 on error. */
static int query_option(int c, struct query_opts *qo)
{
	char *end;

	switch (c) {
	case 'S':
		qo->q.status = optarg;
		return 1;
	case 'k':
		qo->q.kind = optarg;
		return 1;
	case 'd':
		qo->q.department = optarg;
		return 1;
	case 's':
		qo->q.search = optarg;
		return 1;
	case 'L':
		qo->q.limit = strtoll(optarg, &end, 10);
		return *end || qo->q.limit <= 0 ? -1 : 1;
	case 'O':
		qo->q.offset = strtoll(optarg, &end, 10);
		return *end || qo->q.offset < 0 ? -1 : 1;
	}
	return 0;
}

static int check_query(struct query_opts *qo, const char *usage)
{
	static const char *const statuses[] = { "all", "in_use", "retired", "disposed" };
	static char kind_buf[32];
	int ok = !qo->q.status;

	for (size_t i = 0; !ok && i < ARRAY_SIZE(statuses); i++)
		ok = !strcmp(qo->q.status, statuses[i]);
	if (!ok)
		return cli_usage_error(usage, "--status は all / in_use / retired / disposed のいずれかです");
	if (qo->q.kind) {
		struct asset tmp;
		struct mamori_err err = { 0 };
		asset_init(&tmp);
		if (asset_set(&tmp, ASSET_KIND, qo->q.kind, &err) < 0 || !tmp.v[ASSET_KIND]) {
			asset_release(&tmp);
			return cli_usage_error(usage, "--kind: %s", err.msg);
		}
		snprintf(kind_buf, sizeof(kind_buf), "%s", tmp.v[ASSET_KIND]);
		qo->q.kind = kind_buf;
		asset_release(&tmp);
	}
	return 0;
}

#define QUERY_LONGOPTS                                                                           \
	{ "status", required_argument, NULL, 'S' }, { "kind", required_argument, NULL, 'k' },    \
		{ "department", required_argument, NULL, 'd' },                                  \
		{ "search", required_argument, NULL, 's' },                                      \
		{ "limit", required_argument, NULL, 'L' },                                       \
	{                                                                                        \
		"offset", required_argument, NULL, 'O'                                           \
	}

static int list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		QUERY_LONGOPTS,
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori asset list [--format table|csv|json] [--status all|in_use|retired|"
			    "disposed] [--kind KIND] [--department 部署] [--search TEXT] "
			    "[--limit N] [--offset N]";
	struct query_opts qo = { .fmt = CLI_FORMAT_TABLE };
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	struct strbuf out = STRBUF_INIT;
	int c, r, rc;

	while ((c = cli_getopt(argc, argv, "f:", opts)) != -1) {
		int q = query_option(c, &qo);
		if (q < 0)
			return cli_usage_error(usage, "--%s の値が正しくありません: %s",
					       c == 'L' ? "limit" : "offset", optarg);
		if (q)
			continue;
		if (c == 'f') {
			if (cli_parse_format(optarg, &qo.fmt))
				return 2;
		} else {
			return cli_usage_error(usage, "オプションが正しくありません");
		}
	}
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	if (check_query(&qo, usage))
		return 2;
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	switch (qo.fmt) {
	case CLI_FORMAT_JSON:
		r = asset_export_json(st, &qo.q, &out, &err);
		if (r == 0)
			fwrite(out.buf, 1, out.len, stdout);
		break;
	case CLI_FORMAT_CSV:
		r = asset_export_csv(st, &qo.q, ENC_UTF8, &out, &err);
		if (r == 0) /* no BOM on standard output: this is for scripts */
			fwrite(out.buf + 3, 1, out.len - 3, stdout);
		break;
	default: {
		struct cli_table t;
		int64_t n = 0;
		const char *head[ARRAY_SIZE(list_columns) + 1] = { "番号" };
		cli_table_init(&t, ARRAY_SIZE(list_columns) + 1, 28);
		for (size_t i = 0; i < ARRAY_SIZE(list_columns); i++)
			head[i + 1] = list_columns[i] == ASSET_TAG ? "媒体名/ホスト名"
								   : asset_fields[list_columns[i]].label;
		cli_table_add(&t, head);
		r = asset_list(st, &qo.q, table_row, &t, &err);
		if (r == 0)
			r = asset_count(st, &qo.q, &n, &err);
		if (r == 0) {
			cli_table_print(&t, stdout);
			printf("(%zu 件表示 / 該当 %lld 件)\n", t.nrows - 1, (long long)n);
		}
		cli_table_release(&t);
	}
	}
	strbuf_release(&out);
	store_close(st);
	return r < 0 ? cli_fail(&err) : 0;
}

/* ---- show ------------------------------------------------------------- */

static int print_history(const struct journal_entry *e, void *p)
{
	(void)p;
	printf("  #%lld  %s  %s  %s\n", (long long)e->seq, e->time, e->actor, e->action);
	return 0;
}

static int show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori asset show 機器 [--format table|json]  "
			    "(機器: 媒体名・ホスト名・MAC・IP・#番号)";
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	struct asset a;
	int c, rc;

	while ((c = cli_getopt(argc, argv, "f:", opts)) != -1) {
		if (c != 'f')
			return cli_usage_error(usage, "オプションが正しくありません");
		if (cli_parse_format(optarg, &fmt))
			return 2;
	}
	if (optind + 1 != argc)
		return cli_usage_error(usage, "機器を1つ指定してください");
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	if (asset_lookup(st, argv[optind], &a, &err) < 0) {
		store_close(st);
		return cli_fail(&err);
	}
	if (fmt == CLI_FORMAT_JSON) {
		json_t *j = asset_to_json(&a);
		json_object_set_new(j, "created_at", json_string(a.created_at));
		json_object_set_new(j, "updated_at", json_string(a.updated_at));
		cli_print_json(j);
	} else {
		struct cli_table t;
		char id[24];
		struct journal_filter f = { .entity_type = "device", .entity_id = id };

		snprintf(id, sizeof(id), "%lld", (long long)a.id);
		cli_table_init(&t, 2, 60);
		for (int fi = 0; fi < ASSET_NFIELDS; fi++) {
			const char *row[2] = { asset_fields[fi].label, asset_display_value(&a, fi) };
			if (a.v[fi])
				cli_table_add(&t, row);
		}
		printf("機器 #%lld\n", (long long)a.id);
		cli_table_print(&t, stdout);
		cli_table_release(&t);
		printf("登録 %s / 更新 %s\n履歴:\n", a.created_at, a.updated_at);
		rc = journal_list(st, &f, print_history, NULL, &err);
	}
	asset_release(&a);
	store_close(st);
	return rc < 0 ? cli_fail(&err) : 0;
}

/* ---- add / edit ------------------------------------------------------- */

/* Applies FIELD=VALUE arguments to a; prints the problem and returns 2. */
static int apply_assignments(struct asset *a, int argc, char **argv, const char *usage)
{
	struct mamori_err err = { 0 };

	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq)
			return cli_usage_error(usage, "「項目=値」の形で指定してください: %s", argv[i]);
		char *name = xstrndup(argv[i], (size_t)(eq - argv[i]));
		int f = asset_field_find(name);
		if (f < 0) {
			int rc = cli_usage_error(usage,
						 "不明な項目です: %s (「mamori asset fields」で一覧)",
						 name);
			free(name);
			return rc;
		}
		if (asset_fields[f].flags & ASSET_F_LIFECYCLE) {
			int rc = cli_usage_error(usage,
						 "%s は retire / dispose で設定します", name);
			free(name);
			return rc;
		}
		if (asset_set(a, f, eq + 1, &err) < 0) {
			int rc = cli_usage_error(NULL, "%s: %s", name, err.msg);
			free(name);
			return rc;
		}
		free(name);
	}
	return 0;
}

static int write_asset(struct cli *cli, struct store *st, struct asset *a, int is_new)
{
	struct mamori_err err = { 0 };
	int r = store_begin(st, &err);

	if (r == 0)
		r = is_new ? asset_insert(st, cli->actor, a, &err)
			   : asset_update(st, cli->actor, a, &err);
	if (r == 0)
		r = store_commit(st, &err);
	else
		store_rollback(st);
	return r < 0 ? cli_fail(&err) : 0;
}

static int add(struct cli *cli, int argc, char **argv)
{
	const char *usage = "mamori asset add 項目=値 …  (例: mamori asset add 媒体名=PC-001 "
			    "種別=端末PC OS=\"Windows 11\" IPアドレス=192.168.1.10)";
	struct store *st = NULL;
	struct asset a;
	int rc;

	if (argc < 2 || !strcmp(argv[1], "--help"))
		return argc < 2 ? cli_usage_error(usage, "項目を指定してください")
				: (printf("使い方: %s\n", usage), 0);
	asset_init(&a);
	rc = apply_assignments(&a, argc - 1, argv + 1, usage);
	if (!rc)
		rc = cli_open_store(cli, &st, 0);
	if (!rc)
		rc = write_asset(cli, st, &a, 1);
	if (!rc)
		printf("機器 #%lld (%s) を登録しました\n", (long long)a.id, asset_key(&a, NULL));
	asset_release(&a);
	store_close(st);
	return rc;
}

static int edit(struct cli *cli, int argc, char **argv)
{
	const char *usage = "mamori asset edit 機器 項目=値 …  (空にするには 項目=)";
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	struct asset a;
	int rc;

	if (argc < 3)
		return cli_usage_error(usage, "機器と変更する項目を指定してください");
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	if (asset_lookup(st, argv[1], &a, &err) < 0) {
		store_close(st);
		return cli_fail(&err);
	}
	rc = apply_assignments(&a, argc - 2, argv + 2, usage);
	if (!rc)
		rc = write_asset(cli, st, &a, 0);
	if (!rc)
		printf("機器 #%lld (%s) を更新しました\n", (long long)a.id, asset_key(&a, NULL));
	asset_release(&a);
	store_close(st);
	return rc;
}

/* ---- retire / dispose ------------------------------------------------- */

static int lifecycle(struct cli *cli, int argc, char **argv, int dispose)
{
	static const struct option opts[] = {
		{ "date", required_argument, NULL, 'd' },
		{ "reason", required_argument, NULL, 'r' },
		{ "method", required_argument, NULL, 'm' },
		{ "by", required_argument, NULL, 'b' },
		{ "certificate", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = dispose ? "mamori asset dispose 機器 --method 廃棄方法 --by 実施者 "
				      "--certificate 証明書番号 [--date YYYY-MM-DD]"
				    : "mamori asset retire 機器 [--date YYYY-MM-DD] [--reason 理由]";
	const char *date = NULL, *reason = NULL, *method = NULL, *by = NULL, *cert = NULL;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	struct asset a;
	int c, r, rc;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		switch (c) {
		case 'd':
			date = optarg;
			break;
		case 'r':
			reason = optarg;
			break;
		case 'm':
			method = optarg;
			break;
		case 'b':
			by = optarg;
			break;
		case 'c':
			cert = optarg;
			break;
		default:
			return cli_usage_error(usage, "オプションが正しくありません");
		}
		if ((dispose && c == 'r') || (!dispose && (c == 'm' || c == 'b' || c == 'c')))
			return cli_usage_error(usage, "このコマンドでは使えないオプションです");
	}
	if (optind + 1 != argc)
		return cli_usage_error(usage, "機器を1つ指定してください");
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	r = asset_lookup(st, argv[optind], &a, &err);
	if (r == 0)
		r = store_begin(st, &err);
	if (r == 0) {
		r = dispose ? asset_dispose(st, cli->actor, &a, method, by, date, cert, &err)
			    : asset_retire(st, cli->actor, &a, date, reason, &err);
		if (r == 0)
			r = store_commit(st, &err);
		else
			store_rollback(st);
	}
	if (r == 0)
		printf("機器 #%lld (%s) を%sにしました\n", (long long)a.id, asset_key(&a, NULL),
		       dispose ? "廃棄済" : "使用終了");
	asset_release(&a);
	store_close(st);
	return r < 0 ? cli_fail(&err) : 0;
}

static int retire(struct cli *cli, int argc, char **argv)
{
	return lifecycle(cli, argc, argv, 0);
}

static int dispose(struct cli *cli, int argc, char **argv)
{
	return lifecycle(cli, argc, argv, 1);
}

/* ---- export ----------------------------------------------------------- */

static int export(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		QUERY_LONGOPTS,
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "encoding", required_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori asset export --format csv|xlsx|json [-o FILE] "
			    "[--encoding utf-8|cp932] [--status …] [--kind …] [--department …]";
	struct query_opts qo = { 0 };
	enum asset_export_format format = ASSET_EXPORT_CSV;
	enum enc_kind enc = ENC_UTF8;
	struct ledger_facility fac = { 0 };
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	const char *out = "-";
	int c, r, rc, have_format = 0;

	while ((c = cli_getopt(argc, argv, "f:o:e:", opts)) != -1) {
		int q = query_option(c, &qo);
		if (q < 0)
			return cli_usage_error(usage, "--limit / --offset の値が正しくありません");
		if (q)
			continue;
		switch (c) {
		case 'f':
			if (asset_export_format_parse(optarg, &format, &err) < 0)
				return cli_usage_error(usage, "%s", err.msg);
			have_format = 1;
			break;
		case 'o':
			out = optarg;
			break;
		case 'e':
			if (enc_parse_name(optarg, &enc, &err) < 0 || enc == ENC_AUTO)
				return cli_usage_error(usage, "--encoding は utf-8 か cp932 です");
			break;
		default:
			return cli_usage_error(usage, "オプションが正しくありません");
		}
	}
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	if (!have_format)
		return cli_usage_error(usage, "--format を指定してください");
	if (check_query(&qo, usage))
		return 2;
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	r = ledger_facility_get(st, &fac, &err);
	if (r == 0)
		r = asset_export_to_file(st, &qo.q, format, enc, fac.name, out, &err);
	ledger_facility_release(&fac);
	store_close(st);
	if (r < 0)
		return cli_fail(&err);
	if (strcmp(out, "-"))
		fprintf(stderr, "%s に書き出しました\n", out);
	return 0;
}

/* ---- fields ----------------------------------------------------------- */

static int fields(struct cli *cli, int argc, char **argv)
{
	struct cli_table t;
	const char *head[] = { "項目", "見出し", "English", "読み込める別名" };

	(void)cli;
	if (argc > 1)
		return cli_usage_error("mamori asset fields", "余分な引数があります: %s", argv[1]);
	cli_table_init(&t, 4, 200);
	cli_table_add(&t, head);
	for (int f = 0; f < ASSET_NFIELDS; f++) {
		struct strbuf sb = STRBUF_INIT;
		for (const char *const *al = asset_fields[f].aliases; al && *al; al++)
			strbuf_addf(&sb, "%s%s", al == asset_fields[f].aliases ? "" : ", ", *al);
		const char *row[] = { asset_fields[f].name, asset_fields[f].label,
				      asset_fields[f].label_en, sb.buf };
		cli_table_add(&t, row);
		strbuf_release(&sb);
	}
	cli_table_print(&t, stdout);
	cli_table_release(&t);
	return 0;
}

int cmd_asset(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
		{ "import", import, "CSV (UTF-8 / CP932) から取り込む (--dry-run で確認のみ)" },
		{ "list", list, "一覧を表示する (--format table|csv|json)" },
		{ "show", show, "1台の詳細と履歴を表示する" },
		{ "add", add, "機器を登録する (項目=値 …)" },
		{ "edit", edit, "機器を変更する (機器 項目=値 …)" },
		{ "retire", retire, "使用終了にする" },
		{ "dispose", dispose, "廃棄を記録する (方法・実施者・証明書)" },
		{ "export", export, "CSV / xlsx / JSON に書き出す" },
		{ "fields", fields, "項目と読み込める列名の一覧" },
		{ NULL, NULL, NULL },
	};
	return cli_dispatch(cli, "asset", cmds, argc - 1, argv + 1);
}
