/*
 * cmd_demo.c - "mamori demo [--no-logs]": creates the demo hospital, with
 * its access logs unless --no-logs (demo.h).
 */
#include "common.h"
#include "asset.h"
#include "cli.h"
#include "commands.h"
#include "demo.h"
#include "logstore.h"
#include "store.h"
#include "strbuf.h"

int cmd_demo(struct cli *cli, int argc, char **argv)
{
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	struct strbuf vault = STRBUF_INIT;
	int64_t n = 0;
	uint64_t logs = 0;
	int rc;

	bool with_logs = true;

	if (argc > 1 && !strcmp(argv[1], "--no-logs")) {
		with_logs = false;
		argc--;
		argv++;
	}
	if (argc > 1)
		return cli_usage_error("mamori [--db PATH] demo [--no-logs]", "余分な引数があります: %s",
				       argv[1]);
	rc = cli_open_store(cli, &st, 1);
	if (rc)
		return rc;
	logstore_dir_for(cli->db_path, &vault);
	if (demo_fill(st, cli->actor, &err) < 0 || asset_count(st, NULL, &n, &err) < 0 ||
	    (with_logs && demo_logs_fill(st, vault.buf, cli->actor, &logs, &err) < 0)) {
		store_close(st);
		strbuf_release(&vault);
		return cli_fail(&err);
	}
	store_close(st);
	if (with_logs)
		printf("デモの病院「%s」を %s に作成しました (機器 %lld 台、アクセスログ %llu 件: %s)\n",
		       DEMO_FACILITY_NAME, cli->db_path, (long long)n, (unsigned long long)logs,
		       vault.buf);
	else
		printf("デモの病院「%s」を %s に作成しました (機器 %lld 台、アクセスログなし)\n",
		       DEMO_FACILITY_NAME, cli->db_path, (long long)n);
	strbuf_release(&vault);
	printf("次に: mamori --db %s asset list\n", cli->db_path);
	return 0;
}
