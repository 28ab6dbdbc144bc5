/*
 * cmd_eos.c - "mamori eos status|match|update": end of support of the
 * devices' operating systems, from the catalog (eoscat.h).
 */
#include "common.h"
#include "asset.h"
#include "cli.h"
#include "commands.h"
#include "eoscat.h"
#include "store.h"

struct status_ctx {
	const struct eos_catalog *cat;
	const char *only; /* status name to show, or NULL */
	char today[11];
	struct cli_table *tab;
	json_t *rows;
	size_t counts[4];
};

static int status_row(const struct asset *a, void *p)
{
	struct status_ctx *c = p;
	struct eos_match m;
	enum eos_status st = eoscat_device_status(c->cat, a, c->today, &m);
	char id[24], os[512];

	c->counts[st]++;
	if (c->only && strcmp(c->only, eos_status_name(st)))
		return 0;
	if (c->rows) {
		json_t *o = asset_to_json(a);
		json_object_set_new(o, "eos", eoscat_device_json(c->cat, a, c->today));
		json_array_append_new(c->rows, o);
		return 0;
	}
	snprintf(id, sizeof(id), "#%lld", (long long)a->id);
	snprintf(os, sizeof(os), "%s%s%s", a->v[ASSET_OS] ? a->v[ASSET_OS] : "",
		 a->v[ASSET_OS_VERSION] ? " " : "", a->v[ASSET_OS_VERSION] ? a->v[ASSET_OS_VERSION] : "");
	const char *row[] = {
		id,
		a->v[ASSET_TAG] ? a->v[ASSET_TAG] : a->v[ASSET_HOSTNAME] ? a->v[ASSET_HOSTNAME] : "",
		os,
		m.product ? m.label : "",
		m.product && m.eol.kind == EOS_WHEN_DATE ? m.eol.date : "",
		eos_status_label(st),
		m.reason,
	};
	cli_table_add(c->tab, row);
	return 0;
}

static int status(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "only", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori eos status [--only ended|ending|supported|unknown] "
			    "[--format table|csv|json]";
	struct asset_query q = { .status = "in_use" };
	struct eos_catalog cat = EOS_CATALOG_INIT;
	struct mamori_err err = { 0 };
	struct status_ctx ctx = { 0 };
	struct cli_table tab;
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct store *st = NULL;
	int c, rc, updated;

	while ((c = cli_getopt(argc, argv, "f:o:", opts)) != -1) {
		if (c == 'f') {
			if (cli_parse_format(optarg, &fmt))
				return 2;
		} else if (c == 'o') {
			if (strcmp(optarg, "ended") && strcmp(optarg, "ending") &&
			    strcmp(optarg, "supported") && strcmp(optarg, "unknown"))
				return cli_usage_error(usage, "--only は ended / ending / supported / unknown です");
			ctx.only = optarg;
		} else {
			return cli_usage_error(usage, "オプションが正しくありません");
		}
	}
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	if (eoscat_load(st, &cat, &updated, &err) < 0) {
		store_close(st);
		return cli_fail(&err);
	}
	ctx.cat = &cat;
	mamori_today(ctx.today);
	const char *head[] = { "番号", "媒体名/ホスト名", "OS", "製品・バージョン", "サポート終了日",
			       "状態", "備考" };
	cli_table_init(&tab, ARRAY_SIZE(head), fmt == CLI_FORMAT_CSV ? 100000 : 36);
	cli_table_add(&tab, head);
	ctx.tab = &tab;
	ctx.rows = fmt == CLI_FORMAT_JSON ? json_array() : NULL;
	rc = asset_list(st, &q, status_row, &ctx, &err);
	if (rc < 0) {
		rc = cli_fail(&err);
	} else if (fmt == CLI_FORMAT_JSON) {
		cli_print_json(json_pack("{s:s, s:b, s:{s:I, s:I, s:I, s:I}, s:O}", "today", ctx.today,
					 "catalog_updated", updated, "counts", "ended",
					 (json_int_t)ctx.counts[EOS_ENDED], "ending",
					 (json_int_t)ctx.counts[EOS_ENDING], "supported",
					 (json_int_t)ctx.counts[EOS_SUPPORTED], "unknown",
					 (json_int_t)ctx.counts[EOS_UNKNOWN], "devices", ctx.rows));
	} else if (fmt == CLI_FORMAT_CSV) {
		cli_table_print_csv(&tab, stdout);
	} else {
		cli_table_print(&tab, stdout);
		printf("使用中の機器 (%s 現在): サポート終了 %zu 台、12か月以内に終了 %zu 台、"
		       "サポート中 %zu 台、不明 %zu 台%s\n",
		       ctx.today, ctx.counts[EOS_ENDED], ctx.counts[EOS_ENDING],
		       ctx.counts[EOS_SUPPORTED], ctx.counts[EOS_UNKNOWN],
		       updated ? " (更新されたカタログ)" : "");
	}
	json_decref(ctx.rows);
	cli_table_release(&tab);
	eos_catalog_release(&cat);
	store_close(st);
	return rc < 0 ? rc : 0;
}

/* "mamori eos match 'Windows 10 Pro' [22H2]": what the matcher makes of it. */
static int match(struct cli *cli, int argc, char **argv)
{
	struct eos_catalog cat = EOS_CATALOG_INIT;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	struct eos_match m;
	char today[11];
	int rc, updated;

	if (argc < 2 || argc > 3)
		return cli_usage_error("mamori eos match OS [バージョン]", "OS を指定してください");
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	if (eoscat_load(st, &cat, &updated, &err) < 0) {
		store_close(st);
		return cli_fail(&err);
	}
	mamori_today(today);
	if (eos_match(&cat, argv[1], argc > 2 ? argv[2] : NULL, &m) != 0) {
		printf("判定できません: %s\n", m.reason);
		rc = 1;
	} else {
		enum eos_status s = eos_status_of(&m, today);
		printf("%s (%s)\n  サポート終了日: %s\n  状態 (%s 現在): %s\n%s%s%s", m.label,
		       m.product->title, m.eol.kind == EOS_WHEN_DATE ? m.eol.date : "不明", today,
		       eos_status_label(s), m.reason[0] ? "  " : "", m.reason, m.reason[0] ? "\n" : "");
		if (m.eoes.kind == EOS_WHEN_DATE)
			printf("  延長サポート: %s まで\n", m.eoes.date);
		if (m.release && m.release->link)
			printf("  出典: %s\n", m.release->link);
	}
	eos_catalog_release(&cat);
	store_close(st);
	return rc;
}

static int update(struct cli *cli, int argc, char **argv)
{
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	size_t n = 0;
	int rc;

	if (argc != 2)
		return cli_usage_error("mamori eos update DIR",
				       "製品ファイル (endoflife.date 形式の *.md) のあるディレクトリを指定してください");
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	rc = eoscat_update(st, cli->actor, argv[1], &n, &err);
	store_close(st);
	if (rc < 0)
		return cli_fail(&err);
	printf("サポート終了カタログを更新しました: %zu 製品 (%s)\n", n, argv[1]);
	return 0;
}

int cmd_eos(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
		{ "status", status, "使用中の機器の OS のサポート状況 (--only ended などで絞り込み)" },
		{ "match", match, "OS の書き方がどの製品・バージョンと判定されるか確かめる" },
		{ "update", update, "新しいサポート終了カタログ (同じ形式) を読み込む" },
		{ NULL, NULL, NULL },
	};
	return cli_dispatch(cli, "eos", cmds, argc - 1, argv + 1);
}
