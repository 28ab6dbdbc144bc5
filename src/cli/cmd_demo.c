/*
 * cmd_demo.c - "mamori demo": creates the demo hospital (demo.h).
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

	if (argc > 1)
		return cli_usage_error("mamori [--db PATH] demo", "余分な引数があります: %s", argv[1]);
	rc = cli_open_store(cli, &st, 1);
	if (rc)
		return rc;
	logstore_dir_for(cli->db_path, &vault);
	if (demo_fill(st, cli->actor, &err) < 0 || asset_count(st, NULL, &n, &err) < 0 ||
	    demo_logs_fill(st, vault.buf, cli->actor, &logs, &err) < 0) {
		store_close(st);
		strbuf_release(&vault);
		return cli_fail(&err);
	}
	store_close(st);
	printf("デモの病院「%s」を %s に作成しました (機器 %lld 台、アクセスログ %llu 件: %s)\n",
	       DEMO_FACILITY_NAME, cli->db_path, (long long)n, (unsigned long long)logs, vault.buf);
	strbuf_release(&vault);
	printf("次に: mamori --db %s asset list\n", cli->db_path);
	return 0;
}
