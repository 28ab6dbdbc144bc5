/*
 * cmd_logwatch.c - "mamori log alerts|watch|settings": the alerts raised by
 * the detections on ingest (logdetect.h), their acknowledgement (確認済),
 * the patients to watch and the settings of the rules.
 *
 *   mamori log alerts [--kind K] [--severity high|medium|low]
 *                     [--open | --acked | --all] [--user U] [--patient P]
 *                     [--since T] [--until T] [--limit N] [--offset N]
 *                     [--format table|csv|json]      (default: open alerts)
 *   mamori log alerts ack ID [--note TEXT]
 *   mamori log watch list [--format table|csv|json]
 *   mamori log watch add PATIENT --reason 職員|VIP|本人申出|… [--note TEXT]
 *   mamori log watch remove PATIENT|#ID
 *   mamori log settings [show [--format table|json]]
 *   mamori log settings set KEY VALUE
 *
 * Every change is one transaction with its journal entry.  A running server
 * picks the watch list and settings up at its next reload (about a minute).
 */
#include "common.h"
#include "cli.h"
#include "cmd_logwatch.h"
#include "logdetect.h"
#include "logview.h"
#include "store.h"

static const char *jtext(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "";
}

static int write_tx(struct store *st, int r_in, struct mamori_err *err)
{
	if (r_in == 0)
		r_in = store_commit(st, err);
	else
		store_rollback(st);
	return r_in < 0 ? cli_fail(err) : 0;
}

/* ---- alerts -------------------------------------------------------------------- */

static const char *severity_label(const char *s)
{
	return !strcmp(s, "high") ? "高" : !strcmp(s, "medium") ? "中" : !strcmp(s, "low") ? "低" : s;
}

/* A stored UTC time (RFC 3339) as the log commands print times, in local
 * time to the second ("2026-11-20 10:05:00"); the text as it is when it is
 * not a time.  JSON keeps the stored text. */
static const char *local_text(const char *utc, char out[LOGVIEW_TIME_LEN])
{
	int64_t us;

	if (!*utc || logview_parse_time(utc, 0, &us, NULL) < 0)
		return utc;
	logview_local_time(us, out);
	return out;
}

static int alerts_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "kind", required_argument, NULL, 'k' },
		{ "severity", required_argument, NULL, 's' },
		{ "open", no_argument, NULL, 'o' },
		{ "acked", no_argument, NULL, 'a' },
		{ "all", no_argument, NULL, 'A' },
		{ "user", required_argument, NULL, 'u' },
		{ "patient", required_argument, NULL, 'p' },
		{ "since", required_argument, NULL, 'S' },
		{ "until", required_argument, NULL, 'U' },
		{ "limit", required_argument, NULL, 'L' },
		{ "offset", required_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori log alerts [--kind 種類] [--severity high|medium|low] "
			    "[--open|--acked|--all] [--user 利用者] [--patient 患者ID] [--since 日時] "
			    "[--until 日時] [--limit N] [--offset N] [--format table|csv|json]";
	struct logdetect_alert_query q = { .state = 1 };
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	json_t *list = NULL;
	int64_t total = 0;
	int ch, r, rc;

	while ((ch = cli_getopt(argc, argv, "f:", opts)) != -1) {
		switch (ch) {
		case 'f':
			if (cli_parse_format(optarg, &fmt))
				return 2;
			break;
		case 'k':
			if (logdetect_kind_find(optarg) < 0)
				return cli_usage_error(usage,
						       "--kind は emergency_use, retired_login, unused_login, "
						       "off_hours, failed_burst, watched_patient のどれかです: %s",
						       optarg);
			q.kind = optarg;
			break;
		case 's':
			q.severity = optarg;
			break;
		case 'o':
			q.state = 1;
			break;
		case 'a':
			q.state = 2;
			break;
		case 'A':
			q.state = 0;
			break;
		case 'u':
			q.user = optarg;
			break;
		case 'p':
			q.patient = optarg;
			break;
		case 'S':
			q.since = optarg;
			break;
		case 'U':
			q.until = optarg;
			break;
		case 'L':
		case 'O':
			if (cli_page_option(usage, ch, optarg, &q.limit, &q.offset))
				return 2;
			break;
		default:
			return cli_usage_error(usage, "オプションが正しくありません");
		}
	}
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	r = logdetect_alerts(st, &q, &list, &total, &err);
	store_close(st);
	if (r < 0)
		return cli_fail(&err);
	if (fmt == CLI_FORMAT_JSON) {
		cli_print_json(list);
		return 0;
	}
	const char *head[] = { "番号", "発生時刻", "種類", "重要度", "利用者", "患者ID",
			       "端末/ホスト", "接続元", "内容", "確認" };
	struct cli_table t;
	size_t i;
	json_t *a;
	cli_table_init(&t, ARRAY_SIZE(head), 40);
	cli_table_add(&t, head);
	json_array_foreach(list, i, a) {
		char id[24], ack[160], at[LOGVIEW_TIME_LEN], ack_at[LOGVIEW_TIME_LEN];
		snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(a, "id")));
		if (json_is_string(json_object_get(a, "ack_at")))
			snprintf(ack, sizeof(ack), "確認済 (%s %s)", jtext(a, "ack_by"),
				 local_text(jtext(a, "ack_at"), ack_at));
		else
			snprintf(ack, sizeof(ack), "未確認");
		const char *row[] = { id, local_text(jtext(a, "at"), at), jtext(a, "kind_label"),
				      severity_label(jtext(a, "severity")), jtext(a, "user"),
				      jtext(a, "patient"), jtext(a, "host"), jtext(a, "source"),
				      jtext(a, "detail"), ack };
		cli_table_add(&t, row);
	}
	json_decref(list);
	if (fmt == CLI_FORMAT_CSV) {
		cli_table_finish(&t, fmt, 0);
		return 0;
	}
	cli_table_print(&t, stdout);
	printf("(%zu 件表示 / 該当 %lld 件%s)\n", t.nrows - 1, (long long)total,
	       q.state == 1 ? "、未確認のみ。確認済も見るには --all" : "");
	cli_table_release(&t);
	return 0;
}

static int alerts_ack(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori log alerts ack 番号… [--note メモ]";
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	const char *note = NULL;
	int ch, rc, r = 0;

	while ((ch = cli_getopt(argc, argv, "", opts)) != -1) {
		if (ch != 'n')
			return cli_usage_error(usage, "オプションが正しくありません");
		note = optarg;
	}
	if (optind >= argc)
		return cli_usage_error(usage, "確認済にする警告の番号を指定してください");
	for (int i = optind; i < argc; i++) {
		char *end;
		const char *s = argv[i][0] == '#' ? argv[i] + 1 : argv[i];
		long long v = strtoll(s, &end, 10);
		if (!*s || *end || v <= 0)
			return cli_usage_error(usage, "警告の番号が正しくありません: %s", argv[i]);
	}
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	r = store_begin(st, &err);
	for (int i = optind; r == 0 && i < argc; i++) {
		const char *s = argv[i][0] == '#' ? argv[i] + 1 : argv[i];
		r = logdetect_alert_ack(st, cli->actor, strtoll(s, NULL, 10), note, &err);
	}
	rc = r < 0 && !st->in_tx ? cli_fail(&err) : write_tx(st, r, &err);
	if (!rc)
		printf("%d 件の警告を確認済にしました\n", argc - optind);
	store_close(st);
	return rc;
}

int cmd_log_alerts(struct cli *cli, int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "ack"))
		return alerts_ack(cli, argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "list"))
		return alerts_list(cli, argc - 1, argv + 1);
	return alerts_list(cli, argc, argv);
}

/* ---- watch ------------------------------------------------------------------------ */

static const char *const watch_head[] = { "番号", "患者ID", "理由", "メモ", "警告数", "登録日時", "登録者" };

static void watch_row(struct cli_table *t, json_t *w)
{
	char id[24], n[24], created[LOGVIEW_TIME_LEN];

	snprintf(id, sizeof(id), "%lld", (long long)json_integer_value(json_object_get(w, "id")));
	snprintf(n, sizeof(n), "%lld", (long long)json_integer_value(json_object_get(w, "alerts")));
	const char *row[] = { id, jtext(w, "patient"), jtext(w, "reason"), jtext(w, "note"), n,
			      local_text(jtext(w, "created"), created), jtext(w, "created_by") };
	cli_table_add(t, row);
}

static int watch_list(struct cli *cli, int argc, char **argv)
{
	static const struct cli_list l = {
		.usage = "mamori log watch list [--format table|csv|json]",
		.load = logdetect_watch_list,
		.head = watch_head,
		.ncols = ARRAY_SIZE(watch_head),
		.maxwidth = 40,
		.row = watch_row,
		.counted = 1,
	};

	return cli_list(cli, argc, argv, &l);
}

static int watch_add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "reason", required_argument, NULL, 'r' },
		{ "note", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori log watch add 患者ID --reason 職員|VIP|本人申出|… [--note メモ]";
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	const char *reason = NULL, *note = NULL;
	int64_t id = 0;
	int ch, rc, r;

	while ((ch = cli_getopt(argc, argv, "", opts)) != -1) {
		if (ch == 'r')
			reason = optarg;
		else if (ch == 'n')
			note = optarg;
		else
			return cli_usage_error(usage, "オプションが正しくありません");
	}
	if (optind + 1 != argc)
		return cli_usage_error(usage, "患者ID を 1 つ指定してください");
	if (!reason)
		return cli_usage_error(usage, "--reason (職員、VIP、本人申出 など) を指定してください");
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	r = store_begin(st, &err);
	if (r == 0)
		rc = write_tx(st, logdetect_watch_add(st, cli->actor, argv[optind], reason, note, &id, &err),
			      &err);
	else
		rc = cli_fail(&err);
	if (!rc)
		printf("患者ID %s を要注意患者として登録しました (番号 %lld、理由: %s)\n", argv[optind],
		       (long long)id, reason);
	store_close(st);
	return rc;
}

static int watch_remove(struct cli *cli, int argc, char **argv)
{
	const char *usage = "mamori log watch remove 患者ID|#番号";
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	int rc, r;

	if (cli_getopt(argc, argv, "", (const struct option[]){ { NULL, 0, NULL, 0 } }) != -1)
		return cli_usage_error(usage, "オプションが正しくありません");
	if (optind + 1 != argc)
		return cli_usage_error(usage, "患者ID を 1 つ指定してください");
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	r = store_begin(st, &err);
	if (r == 0)
		rc = write_tx(st, logdetect_watch_remove(st, cli->actor, argv[optind], &err), &err);
	else
		rc = cli_fail(&err);
	if (!rc)
		printf("患者ID %s の登録を外しました\n", argv[optind]);
	store_close(st);
	return rc;
}

int cmd_log_watch(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
		{ "list", watch_list, "要注意患者の一覧 (--format table|csv|json)" },
		{ "add", watch_add, "要注意患者を登録する (患者ID --reason 理由)" },
		{ "remove", watch_remove, "要注意患者の登録を外す" },
		{ NULL, NULL, NULL },
	};
	if (argc < 2)
		return watch_list(cli, argc, argv);
	return cli_dispatch(cli, "log watch", cmds, argc - 1, argv + 1);
}

/* ---- settings ----------------------------------------------------------------------- */

static const struct {
	const char *key, *label;
} setting_labels[] = {
	{ LOGDETECT_META_EMERGENCY_USERS, "緊急用アカウント (台帳にないもの、「,」区切り)" },
	{ LOGDETECT_META_HOURS, "業務時間" },
	{ LOGDETECT_META_WORKDAYS, "業務日" },
	{ LOGDETECT_META_BURST_FAILURES, "ログイン失敗の集中: 回数" },
	{ LOGDETECT_META_BURST_SECONDS, "ログイン失敗の集中: 秒数" },
	{ "accounts.unused_days", "未使用とみなす日数" },
};

static int settings_show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori log settings show [--format table|json]";
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	json_t *s = NULL;
	int ch, rc, r;

	while ((ch = cli_getopt(argc, argv, "f:", opts)) != -1) {
		if (ch != 'f')
			return cli_usage_error(usage, "オプションが正しくありません");
		if (cli_parse_format(optarg, &fmt))
			return 2;
	}
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	r = logdetect_settings_json(st, &s, &err);
	store_close(st);
	if (r < 0)
		return cli_fail(&err);
	if (fmt == CLI_FORMAT_JSON) {
		cli_print_json(s);
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(setting_labels); i++) {
		json_t *v = json_object_get(s, setting_labels[i].key);
		if (json_is_integer(v))
			printf("%-22s %lld  (%s)\n", setting_labels[i].key,
			       (long long)json_integer_value(v), setting_labels[i].label);
		else
			printf("%-22s %s  (%s)\n", setting_labels[i].key,
			       json_string_value(v) && *json_string_value(v) ? json_string_value(v) : "-",
			       setting_labels[i].label);
	}
	json_decref(s);
	return 0;
}

static int settings_set(struct cli *cli, int argc, char **argv)
{
	const char *usage = "mamori log settings set 項目 値";
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	int rc, r;

	if (argc != 3)
		return cli_usage_error(usage, "項目と値を 1 つずつ指定してください (値を空にするには \"\")");
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	r = store_begin(st, &err);
	if (r == 0)
		rc = write_tx(st, logdetect_setting_set(st, cli->actor, argv[1], argv[2], &err), &err);
	else
		rc = cli_fail(&err);
	if (!rc)
		printf("%s を変更しました (稼働中のサーバーには 1 分ほどで反映されます)\n", argv[1]);
	store_close(st);
	return rc;
}

int cmd_log_settings(struct cli *cli, int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "set"))
		return settings_set(cli, argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "show"))
		return settings_show(cli, argc - 1, argv + 1);
	return settings_show(cli, argc, argv);
}
