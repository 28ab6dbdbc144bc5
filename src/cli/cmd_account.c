/*
 * cmd_account.c - "mamori account …": the account inventory (アカウント台帳)
 * and the emergency-account registry from the command line.
 */
#include "common.h"
#include "account.h"
#include "account_import.h"
#include "cli.h"
#include "cli_import.h"
#include "commands.h"
#include "journal.h"
#include "store.h"
#include "strbuf.h"

/* "退職者 / 未使用 120 日 / 共用の管理者 …" for the flags of a. */
static void flag_words(const struct account *a, const char *today, int days, struct strbuf *sb)
{
	int idle;
	unsigned f = account_flags(a, today, days, &idle);

	if (f & ACCOUNT_FLAG_RETIRED)
		strbuf_addf(sb, "%s退職者", sb->len ? " / " : "");
	if (f & ACCOUNT_FLAG_UNUSED)
		strbuf_addf(sb, "%s未使用 %d 日", sb->len ? " / " : "", idle);
	if (f & ACCOUNT_FLAG_SHARED_ADMIN)
		strbuf_addf(sb, "%s共用の管理者", sb->len ? " / " : "");
	if (f & ACCOUNT_FLAG_ADMIN_NO_HOLDER)
		strbuf_addf(sb, "%s利用者のない管理者", sb->len ? " / " : "");
	if (f & ACCOUNT_FLAG_EMERGENCY)
		strbuf_addf(sb, "%s非常時用", sb->len ? " / " : "");
}

/* ---- import ------------------------------------------------------------- */

static const char *action_label(enum account_import_action a)
{
	return a == ACCOUNT_IMPORT_ADD ? "追加" : a == ACCOUNT_IMPORT_UPDATE ? "更新" : "変更なし";
}

static void print_import(const struct account_import_result *res, int dry_run, int verbose)
{
	for (size_t i = 0; i < res->nchanges; i++) {
		const struct account_import_change *c = &res->changes[i];
		char *where;
		if (c->action == ACCOUNT_IMPORT_UNCHANGED && !verbose)
			continue;
		where = account_where(&c->after);
		printf("%s  %u 行目  %s/%s\n", action_label(c->action), c->line, where,
		       c->after.v[ACCOUNT_LOGIN]);
		free(where);
		if (c->action != ACCOUNT_IMPORT_UPDATE)
			continue;
		for (int f = 0; f < ACCOUNT_NFIELDS; f++)
			if (c->fields & (UINT64_C(1) << f))
				cli_import_print_field(
					account_fields[f].label,
					c->before.v[f] ? account_display_value(&c->before, f) : "(空)",
					c->after.v[f] ? account_display_value(&c->after, f) : "(空)");
	}
	cli_import_print_summary(res->created, res->ncreated, res->ignored, res->nignored, dry_run,
				 res->added, res->updated, res->unchanged, res->encoding);
}

static int import(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		CLI_IMPORT_LONGOPTS,
		{ "system", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori account import FILE [--dry-run] [--system システム名] "
			    "[--encoding auto|utf-8|cp932] [--ignore-unknown] [--verbose] "
			    "[--format table|json]";
	struct cli_import_args a = CLI_IMPORT_ARGS_INIT;
	struct account_import_opts o = { .actor = cli->actor };
	struct account_import_result res;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	int c, r, rc;

	while ((c = cli_getopt(argc, argv, CLI_IMPORT_OPTSTRING "s:", opts)) != -1) {
		if (c == 's') {
			o.system = optarg;
			continue;
		}
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
	r = account_import_file(st, argv[optind], &o, &res, &err);
	store_close(st);
	if (a.fmt != CLI_FORMAT_JSON && r == 0)
		print_import(&res, o.dry_run, a.verbose);
	rc = cli_import_finish(r,
			       a.fmt == CLI_FORMAT_JSON
				       ? account_import_result_json(&res, o.dry_run, r == 0)
				       : NULL,
			       res.problems, res.nproblems, res.problems_truncated,
			       ACCOUNT_IMPORT_MAX_PROBLEMS, &err);
	account_import_result_release(&res);
	return rc;
}

/* ---- list --------------------------------------------------------------- */

struct list_ctx {
	struct cli_table t;
	json_t *items;
	char today[11];
	int days;
};

static int list_row(const struct account *a, void *p)
{
	struct list_ctx *c = p;
	struct strbuf flags = STRBUF_INIT;
	char id[24], *where = account_where(a);

	if (c->items) {
		int idle;
		json_t *o = account_to_json(a);
		json_object_set_new(o, "flags",
				    account_flags_json(account_flags(a, c->today, c->days, &idle)));
		json_object_set_new(o, "idle_days", idle >= 0 ? json_integer(idle) : json_null());
		json_array_append_new(c->items, o);
	} else {
		flag_words(a, c->today, c->days, &flags);
		snprintf(id, sizeof(id), "#%lld", (long long)a->id);
		const char *cells[] = { id,
					where,
					a->v[ACCOUNT_LOGIN],
					account_display_value(a, ACCOUNT_HOLDER),
					account_display_value(a, ACCOUNT_HOLDER_ROLE),
					account_display_value(a, ACCOUNT_KIND),
					account_display_value(a, ACCOUNT_ADMIN),
					account_display_value(a, ACCOUNT_LAST_USED_ON),
					account_display_value(a, ACCOUNT_STATUS),
					flags.buf };
		cli_table_add(&c->t, cells);
	}
	strbuf_release(&flags);
	free(where);
	return 0;
}

static int parse_kind(const char *text, char buf[32], const char *usage)
{
	struct account tmp;
	struct mamori_err err = { 0 };
	int rc = 0;

	account_init(&tmp);
	if (account_set(&tmp, ACCOUNT_KIND, text, &err) < 0 || !tmp.v[ACCOUNT_KIND])
		rc = cli_usage_error(usage, "--kind: %s", err.msg[0] ? err.msg : "空です");
	else
		snprintf(buf, 32, "%s", tmp.v[ACCOUNT_KIND]);
	account_release(&tmp);
	return rc;
}

static int parse_status(const char *text, char buf[32], const char *usage)
{
	struct account tmp;
	struct mamori_err err = { 0 };
	int rc = 0;

	if (!strcmp(text, "all")) {
		snprintf(buf, 32, "all");
		return 0;
	}
	account_init(&tmp);
	if (account_set(&tmp, ACCOUNT_STATUS, text, &err) < 0 || !tmp.v[ACCOUNT_STATUS])
		rc = cli_usage_error(usage, "--status: %s", err.msg[0] ? err.msg : "空です");
	else
		snprintf(buf, 32, "%s", tmp.v[ACCOUNT_STATUS]);
	account_release(&tmp);
	return rc;
}

static int list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "kind", required_argument, NULL, 'k' },
		{ "status", required_argument, NULL, 'S' },
		{ "system", required_argument, NULL, 'y' },
		{ "search", required_argument, NULL, 's' },
		{ "unused", no_argument, NULL, 'u' },
		{ "retired", no_argument, NULL, 'r' },
		{ "admin", no_argument, NULL, 'a' },
		{ "limit", required_argument, NULL, 'L' },
		{ "offset", required_argument, NULL, 'O' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori account list [--format table|csv|json] [--kind 種別] "
			    "[--status enabled|disabled|deleted|all] [--system 名前] [--search TEXT] "
			    "[--unused] [--retired] [--admin] [--limit N] [--offset N]";
	struct account_query q = { 0 };
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	struct list_ctx c = { 0 };
	struct strbuf out = STRBUF_INIT;
	char kind[32], status[32];
	int ch, r, rc;

	while ((ch = cli_getopt(argc, argv, "f:", opts)) != -1) {
		switch (ch) {
		case 'f':
			if (cli_parse_format(optarg, &fmt))
				return 2;
			break;
		case 'k':
			if (parse_kind(optarg, kind, usage))
				return 2;
			q.kind = kind;
			break;
		case 'S':
			if (parse_status(optarg, status, usage))
				return 2;
			q.status = status;
			break;
		case 'y':
			q.system = optarg;
			break;
		case 's':
			q.search = optarg;
			break;
		case 'u':
			q.unused = 1;
			break;
		case 'r':
			q.retired = 1;
			break;
		case 'a':
			q.admin = 1;
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
	mamori_today(c.today);
	r = account_unused_days(st, &c.days, &err);
	if (r == 0 && fmt == CLI_FORMAT_CSV) {
		r = account_export_csv(st, &q, ENC_UTF8, &out, &err);
		if (r == 0) /* no BOM on standard output */
			fwrite(out.buf + 3, 1, out.len - 3, stdout);
	} else if (r == 0 && fmt == CLI_FORMAT_JSON) {
		c.items = json_array();
		r = account_list(st, &q, list_row, &c, &err);
		if (r == 0)
			cli_print_json(c.items);
		else
			json_decref(c.items);
	} else if (r == 0) {
		const char *head[] = { "番号", "システム/機器", "ログインID", "利用者", "職種", "種別",
				       "管理者権限", "最終利用日", "状態", "注意" };
		int64_t n = 0;
		cli_table_init(&c.t, ARRAY_SIZE(head), 28);
		cli_table_add(&c.t, head);
		r = account_list(st, &q, list_row, &c, &err);
		if (r == 0)
			r = account_count(st, &q, &n, &err);
		if (r == 0) {
			cli_table_print(&c.t, stdout);
			printf("(%zu 件表示 / 該当 %lld 件、未使用の基準 %d 日)\n", c.t.nrows - 1,
			       (long long)n, c.days);
		}
		cli_table_release(&c.t);
	}
	strbuf_release(&out);
	store_close(st);
	return r < 0 ? cli_fail(&err) : 0;
}

/* ---- show ---------------------------------------------------------------- */

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
	const char *usage = "mamori account show アカウント [--format table|json]  "
			    "(ログインID・システム名/ログインID・#番号)";
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	struct account a;
	char today[11];
	int c, rc, days = ACCOUNT_UNUSED_DAYS_DEFAULT;

	while ((c = cli_getopt(argc, argv, "f:", opts)) != -1) {
		if (c != 'f')
			return cli_usage_error(usage, "オプションが正しくありません");
		if (cli_parse_format(optarg, &fmt))
			return 2;
	}
	if (optind + 1 != argc)
		return cli_usage_error(usage, "アカウントを1つ指定してください");
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	if (account_lookup(st, argv[optind], &a, &err) < 0 ||
	    account_unused_days(st, &days, &err) < 0) {
		store_close(st);
		return cli_fail(&err);
	}
	mamori_today(today);
	if (fmt == CLI_FORMAT_JSON) {
		int idle;
		json_t *j = account_to_json(&a);
		json_object_set_new(j, "flags", account_flags_json(account_flags(&a, today, days, &idle)));
		json_object_set_new(j, "created_at", json_string(a.created_at));
		json_object_set_new(j, "updated_at", json_string(a.updated_at));
		cli_print_json(j);
	} else {
		struct cli_table t;
		struct strbuf flags = STRBUF_INIT;
		char id[24];
		struct journal_filter f = { .entity_type = "account", .entity_id = id };

		snprintf(id, sizeof(id), "%lld", (long long)a.id);
		cli_table_init(&t, 2, 60);
		for (int fi = 0; fi < ACCOUNT_NFIELDS; fi++) {
			const char *row[2] = { account_fields[fi].label, account_display_value(&a, fi) };
			if (a.v[fi])
				cli_table_add(&t, row);
		}
		printf("アカウント #%lld\n", (long long)a.id);
		cli_table_print(&t, stdout);
		cli_table_release(&t);
		flag_words(&a, today, days, &flags);
		if (flags.len)
			printf("注意: %s\n", flags.buf);
		strbuf_release(&flags);
		printf("登録 %s / 更新 %s\n履歴:\n", a.created_at, a.updated_at);
		rc = journal_list(st, &f, print_history, NULL, &err);
	}
	account_release(&a);
	store_close(st);
	return rc < 0 ? cli_fail(&err) : 0;
}

/* ---- add / edit ------------------------------------------------------------ */

static int apply_assignments(struct account *a, int argc, char **argv, const char *usage)
{
	struct mamori_err err = { 0 };

	for (int i = 0; i < argc; i++) {
		char *eq = strchr(argv[i], '=');
		if (!eq)
			return cli_usage_error(usage, "「項目=値」の形で指定してください: %s", argv[i]);
		char *name = xstrndup(argv[i], (size_t)(eq - argv[i]));
		int f = account_field_find(name), rc = 0;
		if (f < 0)
			rc = cli_usage_error(usage, "不明な項目です: %s (「mamori account fields」で一覧)",
					     name);
		else if (account_fields[f].flags & ACCOUNT_F_READONLY)
			rc = cli_usage_error(usage, "%s は disable で記録されます", name);
		else if (account_set(a, f, eq + 1, &err) < 0)
			rc = cli_usage_error(NULL, "%s: %s", name, err.msg);
		free(name);
		if (rc)
			return rc;
	}
	return 0;
}

/* Runs fn in a transaction; prints the error and returns the exit code. */
static int write_tx(struct store *st, int r_in, struct mamori_err *err)
{
	if (r_in == 0)
		r_in = store_commit(st, err);
	else
		store_rollback(st);
	return r_in < 0 ? cli_fail(err) : 0;
}

static int add(struct cli *cli, int argc, char **argv)
{
	const char *usage = "mamori account add 項目=値 …  (例: mamori account add システム=電子カルテ "
			    "ログインID=yamada 利用者=\"山田 太郎\" 職種=医師 管理者権限=なし)";
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	struct account a;
	int rc;

	if (argc < 2)
		return cli_usage_error(usage, "項目を指定してください");
	account_init(&a);
	rc = apply_assignments(&a, argc - 1, argv + 1, usage);
	if (!rc)
		rc = cli_open_store(cli, &st, 0);
	if (!rc) {
		int r = store_begin(st, &err);
		if (r == 0)
			r = account_insert(st, cli->actor, &a, &err);
		rc = write_tx(st, r, &err);
	}
	if (!rc) {
		char *w = account_where(&a);
		printf("アカウント #%lld (%s/%s) を登録しました\n", (long long)a.id, w,
		       a.v[ACCOUNT_LOGIN]);
		free(w);
	}
	account_release(&a);
	store_close(st);
	return rc;
}

static int edit(struct cli *cli, int argc, char **argv)
{
	const char *usage = "mamori account edit アカウント 項目=値 …  (空にするには 項目=)";
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	struct account a;
	int rc;

	if (argc < 3)
		return cli_usage_error(usage, "アカウントと変更する項目を指定してください");
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	if (account_lookup(st, argv[1], &a, &err) < 0) {
		store_close(st);
		return cli_fail(&err);
	}
	rc = apply_assignments(&a, argc - 2, argv + 2, usage);
	if (!rc) {
		int r = store_begin(st, &err);
		if (r == 0)
			r = account_update(st, cli->actor, &a, &err);
		rc = write_tx(st, r, &err);
	}
	if (!rc)
		printf("アカウント #%lld (%s) を更新しました\n", (long long)a.id, a.v[ACCOUNT_LOGIN]);
	account_release(&a);
	store_close(st);
	return rc;
}

/* ---- disable / enable / rotate --------------------------------------------- */

enum action { DISABLE, ENABLE, ROTATE };

static int act(struct cli *cli, int argc, char **argv, enum action what)
{
	static const struct option opts[] = {
		{ "note", required_argument, NULL, 'n' },
		{ "date", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const usages[] = {
		[DISABLE] = "mamori account disable アカウント [--note 理由]",
		[ENABLE] = "mamori account enable アカウント",
		[ROTATE] = ("mamori account rotate アカウント [--date YYYY-MM-DD] [--note メモ]  "
			    "(パスワード・鍵の変更を記録。--date なしは今の時刻)"),
	};
	static const char *const done[] = {
		[DISABLE] = "無効にしました", [ENABLE] = "有効にしました",
		[ROTATE] = "のパスワード変更を記録しました",
	};
	const char *usage = usages[what], *note = NULL, *date = NULL;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	struct account a;
	int c, r, rc;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c == 'n' && what != ENABLE)
			note = optarg;
		else if (c == 'd' && what == ROTATE)
			date = optarg;
		else
			return cli_usage_error(usage, "このコマンドでは使えないオプションです");
	}
	if (optind + 1 != argc)
		return cli_usage_error(usage, "アカウントを1つ指定してください");
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	r = account_lookup(st, argv[optind], &a, &err);
	if (r < 0) {
		store_close(st);
		return cli_fail(&err);
	}
	r = store_begin(st, &err);
	if (r == 0) {
		r = what == DISABLE  ? account_disable(st, cli->actor, &a, note, &err)
		    : what == ENABLE ? account_enable(st, cli->actor, &a, &err)
				     : account_rotate(st, cli->actor, &a, date, note, &err);
		rc = write_tx(st, r, &err);
	} else {
		rc = cli_fail(&err);
	}
	if (!rc) {
		char *w = account_where(&a);
		printf("アカウント #%lld (%s/%s) %s%s\n", (long long)a.id, w, a.v[ACCOUNT_LOGIN],
		       what == ROTATE ? "" : "を", done[what]);
		if (what == ROTATE)
			printf("パスワード変更日: %s\n", a.v[ACCOUNT_ROTATED_ON]);
		free(w);
	}
	account_release(&a);
	store_close(st);
	return rc;
}

static int disable(struct cli *cli, int argc, char **argv)
{
	return act(cli, argc, argv, DISABLE);
}

static int enable(struct cli *cli, int argc, char **argv)
{
	return act(cli, argc, argv, ENABLE);
}

static int rotate(struct cli *cli, int argc, char **argv)
{
	return act(cli, argc, argv, ROTATE);
}

/* ---- fields / settings --------------------------------------------------------- */

static int fields(struct cli *cli, int argc, char **argv)
{
	struct cli_table t;
	const char *head[] = { "項目", "見出し", "English", "読み込める別名" };

	(void)cli;
	if (argc > 1)
		return cli_usage_error("mamori account fields", "余分な引数があります: %s", argv[1]);
	cli_table_init(&t, 4, 200);
	cli_table_add(&t, head);
	for (int f = 0; f < ACCOUNT_NFIELDS; f++) {
		struct strbuf sb = STRBUF_INIT;
		for (const char *const *al = account_fields[f].aliases; al && *al; al++)
			strbuf_addf(&sb, "%s%s", al == account_fields[f].aliases ? "" : ", ", *al);
		const char *row[] = { account_fields[f].name, account_fields[f].label,
				      account_fields[f].label_en, sb.buf };
		cli_table_add(&t, row);
		strbuf_release(&sb);
	}
	cli_table_print(&t, stdout);
	cli_table_release(&t);
	printf("種別: 個人 / 共用 / 保守用 / 非常時用、状態: 有効 / 無効 / 削除済、"
	       "在職状況: 在職 / 退職 / 休職 / 外部 (〇 = 退職)\n");
	return 0;
}

static int settings(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "unused-days", required_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori account settings [--unused-days N]";
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	char *end;
	long days = 0;
	int c, r, rc, set = 0;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c != 'u')
			return cli_usage_error(usage, "オプションが正しくありません");
		days = strtol(optarg, &end, 10);
		if (*end || days < 1 || days > ACCOUNT_UNUSED_DAYS_MAX)
			return cli_usage_error(usage, "--unused-days は 1〜%d の整数です: %s",
					       ACCOUNT_UNUSED_DAYS_MAX, optarg);
		set = 1;
	}
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	if (set) {
		r = store_begin(st, &err);
		if (r == 0)
			rc = write_tx(st, account_set_unused_days(st, cli->actor, (int)days, &err), &err);
		else
			rc = cli_fail(&err);
	}
	if (!rc) {
		int d;
		if (account_unused_days(st, &d, &err) < 0)
			rc = cli_fail(&err);
		else
			printf("未使用とみなす日数: %d 日 (これを超えて使われていない有効なアカウントを"
			       "「未使用」とします)\n", d);
	}
	store_close(st);
	return rc;
}

int cmd_account(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
		{ "list", list, "一覧を表示する (--format table|csv|json、--unused --retired --admin)" },
		{ "show", show, "1件の詳細と履歴を表示する" },
		{ "add", add, "アカウントを登録する (項目=値 …)" },
		{ "edit", edit, "アカウントを変更する (アカウント 項目=値 …)" },
		{ "import", import, "CSV (UTF-8 / CP932) から取り込む (--dry-run で確認のみ)" },
		{ "disable", disable, "無効にする (非常時用アカウントの使用後など)" },
		{ "enable", enable, "無効にしたアカウントを有効に戻す" },
		{ "rotate", rotate, "パスワード・鍵の変更を記録する" },
		{ "fields", fields, "項目と読み込める列名の一覧" },
		{ "settings", settings, "未使用とみなす日数 (--unused-days N) を表示・変更する" },
		{ NULL, NULL, NULL },
	};
	return cli_dispatch(cli, "account", cmds, argc - 1, argv + 1);
}
