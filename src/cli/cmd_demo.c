/*
 * cmd_demo.c - "mamori demo": creates the demo hospital (demo.h).
 */
#include "common.h"
#include "asset.h"
#include "cli.h"
#include "commands.h"
#include "demo.h"
#include "store.h"

int cmd_demo(struct cli *cli, int argc, char **argv)
{
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	int64_t n = 0;
	int rc;

	if (argc > 1)
		return cli_usage_error("mamori [--db PATH] demo", "余分な引数があります: %s", argv[1]);
	rc = cli_open_store(cli, &st, 1);
	if (rc)
		return rc;
	if (demo_fill(st, cli->actor, &err) < 0 || asset_count(st, NULL, &n, &err) < 0) {
		store_close(st);
		return cli_fail(&err);
	}
	store_close(st);
	printf("デモの病院「%s」を %s に作成しました (機器 %lld 台)\n", DEMO_FACILITY_NAME,
	       cli->db_path, (long long)n);
	printf("次に: mamori --db %s asset list\n", cli->db_path);
	return 0;
}
