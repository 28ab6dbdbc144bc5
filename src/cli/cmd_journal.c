/*
 * cmd_journal.c - "mamori journal verify|show|head": the hash-chained
 * record of every change.
 */
#include "common.h"
#include "cli.h"
#include "commands.h"
#include "journal.h"
#include "store.h"

static void verify_progress(int64_t done, int64_t total, void *what)
{
	cli_progress((size_t)done, (size_t)total, what);
}

static int verify(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "expect-head", required_argument, NULL, 'e' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori journal verify [--expect-head HASH] [--format table|json]";
	struct journal_verify_result res;
	struct mamori_err err = { 0 };
	enum cli_format fmt = CLI_FORMAT_TABLE;
	const char *expect = NULL;
	struct store *st = NULL;
	int c, r, rc;

	while ((c = cli_getopt(argc, argv, "e:f:", opts)) != -1) {
		if (c == 'e')
			expect = optarg;
		else if (c == 'f') {
			if (cli_parse_format(optarg, &fmt))
				return 2;
		} else
			return cli_usage_error(usage, "オプションが正しくありません");
	}
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	r = journal_verify(st, expect, &res, cli_progress_enabled() ? verify_progress : NULL,
			   "検証中…", &err);
	store_close(st);
	if (fmt == CLI_FORMAT_JSON) {
		json_t *o = json_pack("{s:b, s:I, s:s}", "intact", r == 0, "entries",
				      (json_int_t)res.entries, "head", res.head);
		if (r < 0) {
			json_object_set_new(o, "first_bad", json_integer(res.first_bad));
			json_object_set_new(o, "message", json_string(err.msg));
		}
		cli_print_json(o);
		return mamori_exit_code(r);
	}
	if (r < 0)
		return cli_fail(&err);
	printf("ジャーナルは改ざんされていません: %lld 件、先頭ハッシュ %s\n",
	       (long long)res.entries, res.head);
	return 0;
}

static int head(struct cli *cli, int argc, char **argv)
{
	struct mamori_err err = { 0 };
	char hash[JOURNAL_HASH_HEX];
	struct store *st = NULL;
	int64_t seq;
	int rc;

	if (argc > 1)
		return cli_usage_error("mamori journal head", "余分な引数があります: %s", argv[1]);
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	rc = journal_head(st, &seq, hash, &err);
	store_close(st);
	if (rc < 0)
		return cli_fail(&err);
	printf("%lld %s\n", (long long)seq, hash);
	return 0;
}

struct show_ctx {
	enum cli_format fmt;
	json_t *arr;
};

static int show_one(const struct journal_entry *e, void *p)
{
	struct show_ctx *c = p;

	if (c->fmt == CLI_FORMAT_JSON) {
		json_array_append_new(c->arr, journal_entry_json(e));
		return 0;
	}
	printf("#%lld  %s  %s  %s  %s%s%s\n", (long long)e->seq, e->time, e->actor, e->action,
	       e->entity_type, e->entity_id ? ":" : "", e->entity_id ? e->entity_id : "");
	if (e->before)
		printf("    変更前: %s\n", e->before);
	if (e->after)
		printf("    変更後: %s\n", e->after);
	return 0;
}

static int show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "entity", required_argument, NULL, 'e' },
		{ "since", required_argument, NULL, 's' },
		{ "action", required_argument, NULL, 'a' },
		{ "limit", required_argument, NULL, 'n' },
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori journal show [--entity TYPE[:ID]] [--since YYYY-MM-DD] "
			    "[--action PREFIX] [--limit N] [--format table|json]";
	struct journal_filter f = { 0 };
	struct show_ctx ctx = { CLI_FORMAT_TABLE, NULL };
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	char *entity = NULL;
	int c, rc;

	while ((c = cli_getopt(argc, argv, "e:s:a:n:f:", opts)) != -1) {
		switch (c) {
		case 'e':
			free(entity);
			entity = xstrdup(optarg);
			break;
		case 's':
			f.since = optarg;
			break;
		case 'a':
			f.action = optarg;
			break;
		case 'n': {
			char *end;
			f.limit = strtoll(optarg, &end, 10);
			if (*end || f.limit <= 0) {
				free(entity);
				return cli_usage_error(usage, "--limit は正の整数です: %s", optarg);
			}
			break;
		}
		case 'f':
			if (cli_parse_format(optarg, &ctx.fmt)) {
				free(entity);
				return 2;
			}
			break;
		default:
			free(entity);
			return cli_usage_error(usage, "オプションが正しくありません");
		}
	}
	if (optind < argc) {
		free(entity);
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	}
	if (entity) {
		char *colon = strchr(entity, ':');
		if (colon) {
			*colon = '\0';
			f.entity_id = colon + 1;
		}
		f.entity_type = entity;
	}
	rc = cli_open_store(cli, &st, 0);
	if (rc) {
		free(entity);
		return rc;
	}
	if (ctx.fmt == CLI_FORMAT_JSON)
		ctx.arr = json_array();
	rc = journal_list(st, &f, show_one, &ctx, &err);
	store_close(st);
	free(entity);
	if (rc < 0) {
		json_decref(ctx.arr);
		return cli_fail(&err);
	}
	if (ctx.arr) {
		cli_print_json(ctx.arr);
	}
	return 0;
}

int cmd_journal(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
		{ "verify", verify, "ハッシュの連鎖を検証する (改ざんがあれば終了コード 1)" },
		{ "show", show, "変更履歴を表示する" },
		{ "head", head, "最新エントリの番号とハッシュを表示する (控えを取るため)" },
		{ NULL, NULL, NULL },
	};
	return cli_dispatch(cli, "journal", cmds, argc - 1, argv + 1);
}
