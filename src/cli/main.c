/*
 * main.c - entry point of the mamori command: global options, the command
 * table, signal handling.  Each command group lives in cmd_<group>.c.
 */
#include "common.h"
#include "cli.h"
#include "commands.h"

#include <locale.h>
#include <pwd.h>
#include <unistd.h>


static const struct cli_command commands[] = {
	{ "init", cmd_init, "新しいデータベースを作成し、施設を登録する" },
	{ "demo", cmd_demo, "架空の病院のデモデータを作成する" },
	{ "asset", cmd_asset, "機器台帳 (import / list / show / add / edit / retire / dispose / export)" },
	{ "account", cmd_account, "アカウント台帳・非常時用アカウント (list / show / add / edit / import / disable / rotate)" },
	{ "system", cmd_system, "医療情報システム (機器管理票) の list / show / add / edit" },
	{ "vendor", cmd_vendor, "事業者の list / show / add / edit" },
	{ "document", cmd_document, "根拠文書 (MDS/SDS・連絡体制図・BCP・運用管理規程・復元テスト) の list / show / add / edit" },
	{ "contract", cmd_contract, "事業者との契約 (リモート保守・責任分界) の list / show / add / edit" },
	{ "location", cmd_location, "設置場所の list / show / add / edit" },
	{ "checklist", cmd_checklist, "サイバーセキュリティ対策チェックリストの版 (editions / show / validate)" },
	{ "incident", cmd_incident, "インシデント: 切り分け・対応・連絡・院内放送・事後検証 (open / act / notify / close …)" },
	{ "contact", cmd_contact, "連絡体制図 (list / add / edit / remove / chart)" },
	{ "bcp", cmd_bcp, "IT-BCP: 優先度・バックアップ計画・院内放送の文面、BCP と紙運用セットの PDF" },
	{ "drill", cmd_drill, "訓練 (list / show / plan / record)" },
	{ "log", cmd_log, "アクセスログ保管庫 (import / search / show / verify / checkpoint / prove / verify-proof / alerts / watch / settings)" },
	{ "eos", cmd_eos, "OS のサポート終了 (status / match / update)" },
	{ "user", cmd_user, "サインインするユーザー (add / list / passwd / disable / enable / totp-reset)" },
	{ "serve", cmd_serve, "サーバ (Web 画面と API、ログ受信 --syslog-udp/--syslog-tcp/--relp) を起動する" },
	{ "journal", cmd_journal, "変更履歴ジャーナル (verify / show / head)" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fprintf(out, "使い方: mamori [--db PATH] <コマンド> [オプション]\n\n"
		     "コマンド:\n");
	for (const struct cli_command *c = commands; c->name; c++)
		fprintf(out, "  %-8s %s\n", c->name, c->summary);
	fprintf(out, "\n"
		     "  --db PATH   データベースファイル (既定: $MAMORI_DB、なければ ./mamori.db)\n"
		     "  --version   版を表示する\n\n"
		     "終了コード: 0 成功 / 1 検査で問題あり / 2 使い方・入力の誤り / 3 システムエラー\n");
}

static void on_signal(int sig)
{
	(void)sig;
	mamori_interrupted = 1;
}

static void set_actor(struct cli *cli)
{
	struct passwd *pw = getpwuid(getuid());
	const char *name = pw && pw->pw_name ? pw->pw_name : NULL;

	if (name)
		snprintf(cli->actor, sizeof(cli->actor), "cli:%s", name);
	else
		snprintf(cli->actor, sizeof(cli->actor), "cli:uid%u", (unsigned)getuid());
}

int main(int argc, char **argv)
{
	struct cli cli = { 0 };
	struct sigaction sa = { 0 };
	int i = 1;

	setlocale(LC_CTYPE, "C.UTF-8");
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	cli.db_path = getenv("MAMORI_DB");
	if (!cli.db_path || !*cli.db_path)
		cli.db_path = "mamori.db";
	set_actor(&cli);

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--db")) {
			if (i + 1 >= argc)
				return cli_usage_error("mamori --db PATH <コマンド>",
						       "--db にはファイル名が必要です");
			cli.db_path = argv[++i];
		} else if (!strncmp(argv[i], "--db=", 5)) {
			cli.db_path = argv[i] + 5;
		} else if (!strcmp(argv[i], "--version")) {
			printf("mamori %s\n", MAMORI_VERSION);
			return 0;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			return cli_usage_error("mamori [--db PATH] <コマンド>",
					       "不明なオプションです: %s", argv[i]);
		}
	}
	if (i >= argc) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[i], "help")) {
		usage(stdout);
		return 0;
	}
	for (const struct cli_command *c = commands; c->name; c++)
		if (!strcmp(c->name, argv[i]))
			return c->fn(&cli, argc - i, argv + i);
	return cli_usage_error(NULL, "「%s」というコマンドはありません (mamori help)", argv[i]);
}
