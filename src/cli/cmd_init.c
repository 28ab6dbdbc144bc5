/*
 * cmd_init.c - "mamori init": creates the store and registers the facility.
 */
#include "common.h"
#include "cli.h"
#include "commands.h"
#include "ledger.h"
#include "store.h"

#define INIT_USAGE "mamori init [--name 施設名] [--type hospital|clinic|pharmacy]"

int cmd_init(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "type", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *name = "施設名未設定", *type = "hospital";
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	int64_t id = 0;
	int c, rc;

	optind = 0;
	while ((c = cli_getopt(argc, argv, "n:t:h", opts)) != -1) {
		switch (c) {
		case 'n':
			name = optarg;
			break;
		case 't':
			type = optarg;
			break;
		case 'h':
			printf("使い方: %s\n", INIT_USAGE);
			return 0;
		default:
			return cli_usage_error(INIT_USAGE, "オプションが正しくありません");
		}
	}
	if (optind < argc)
		return cli_usage_error(INIT_USAGE, "余分な引数があります: %s", argv[optind]);
	rc = cli_open_store(cli, &st, 1);
	if (rc)
		return rc;
	if (store_begin(st, &err) < 0 ||
	    ledger_facility_create(st, cli->actor, name, type, &id, &err) < 0 ||
	    store_commit(st, &err) < 0) {
		store_close(st);
		return cli_fail(&err);
	}
	store_close(st);
	printf("%s を作成しました: %s (%s)\n", cli->db_path, name,
	       ledger_facility_type_label(type));
	return 0;
}
