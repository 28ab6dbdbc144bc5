/*
 * cmd_user.c - "mamori user add|list|passwd|disable|enable|totp-reset":
 * the accounts (ユーザー) that sign in to the web interface (user.h), managed by
 * whoever can open the database on the server.
 *
 * Passwords never appear on the command line: either mamori makes a
 * one-time password and prints it once (the user must change it at first
 * sign-in), or --password-stdin reads one from standard input (asked twice
 * with echo off on a terminal, one line otherwise).
 */
#include "common.h"
#include "cli.h"
#include "commands.h"
#include "csv.h"
#include "ledger.h"
#include "store.h"
#include "strbuf.h"
#include "user.h"

#include <termios.h>
#include <unistd.h>

#define PASSWORD_LINE_MAX (USER_PASSWORD_MAX * 3 + 2) /* full-width characters are 3 bytes */

/* ---- reading a password ----------------------------------------------------- */

/* One line of stdin without its line end into buf; 0, or 2 after a message. */
static int read_line(char *buf, size_t size)
{
	size_t n;

	if (!fgets(buf, (int)size, stdin)) {
		buf[0] = '\0';
		return cli_usage_error(NULL, "%s", mamori_interrupted ? "中断しました"
						   : "標準入力からパスワードを読めませんでした");
	}
	n = strlen(buf);
	if (n && buf[n - 1] != '\n' && !feof(stdin)) {
		explicit_bzero(buf, size);
		return cli_usage_error(NULL, "パスワードが長すぎます (%d 文字まで)", USER_PASSWORD_MAX);
	}
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	return 0;
}

/* Reads a line from the terminal with echo off, after prompt. */
static int read_hidden(const char *prompt, char *buf, size_t size)
{
	struct termios old, quiet;
	int rc;

	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(0, &old) < 0)
		return read_line(buf, size);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	quiet.c_lflag |= ECHONL;
	tcsetattr(0, TCSAFLUSH, &quiet);
	rc = read_line(buf, size);
	tcsetattr(0, TCSAFLUSH, &old);
	return rc;
}

/*
 * The password for name from standard input into buf (PASSWORD_LINE_MAX
 * bytes), checked against the policy so that a typing mistake is caught
 * before anything is written.  0, or the exit code after a message.
 */
static int read_password(const char *name, char *buf, size_t size)
{
	struct mamori_err err = { 0 };
	int rc;

	if (isatty(0)) {
		char again[PASSWORD_LINE_MAX];
		rc = read_hidden("新しいパスワード: ", buf, size);
		if (rc == 0)
			rc = read_hidden("もう一度入力してください: ", again, sizeof(again));
		if (rc == 0 && strcmp(buf, again))
			rc = cli_usage_error(NULL, "2回の入力が一致しません。もう一度やり直してください");
		explicit_bzero(again, sizeof(again));
	} else {
		rc = read_line(buf, size);
	}
	if (rc == 0 && user_password_check(name, buf, &err) < 0)
		rc = cli_fail(&err);
	if (rc)
		explicit_bzero(buf, size);
	return rc;
}

static void print_one_time(const char *password)
{
	printf("初回パスワード: %s\n", password);
	printf("  このパスワードは今回だけ表示されます。本人に安全な方法で伝えてください。\n"
	       "  初回サインイン時に新しいパスワードへの変更が必要です。\n");
}

/* Opens the store and finds the user named by key; 0 or the exit code. */
static int open_user(struct cli *cli, const char *key, struct store **st, struct user *u)
{
	struct mamori_err err = { 0 };
	int rc = cli_open_store(cli, st, 0);

	memset(u, 0, sizeof(*u));
	if (rc)
		return rc;
	if (user_get(*st, key, u, &err) < 0) {
		store_close(*st);
		*st = NULL;
		return cli_fail(&err);
	}
	return 0;
}

/* ---- add -------------------------------------------------------------------- */

#define ADD_USAGE                                                                             \
	"mamori user add 名前 [--role admin|officer|staff|auditor|vendor] [--vendor 事業者名] " \
	"[--display-name 表示名] [--password-stdin]"

static int add(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "vendor", required_argument, NULL, 'v' },
		{ "display-name", required_argument, NULL, 'd' },
		{ "password-stdin", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *role_text = NULL, *vendor = NULL, *display = NULL, *name;
	char password[PASSWORD_LINE_MAX] = "", *generated = NULL;
	struct mamori_err err = { 0 };
	enum user_role role = USER_STAFF;
	struct store *st = NULL;
	int64_t id = 0, vendor_id = 0;
	int c, rc, from_stdin = 0;

	while ((c = cli_getopt(argc, argv, "r:v:d:p", opts)) != -1) {
		switch (c) {
		case 'r':
			role_text = optarg;
			break;
		case 'v':
			vendor = optarg;
			break;
		case 'd':
			display = optarg;
			break;
		case 'p':
			from_stdin = 1;
			break;
		default:
			return cli_usage_error(ADD_USAGE, "オプションが正しくありません");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(ADD_USAGE, optind >= argc ? "ユーザー名を1つ指定してください"
								 : "余分な引数があります");
	name = argv[optind];
	if (role_text && user_role_parse(role_text, &role, &err) < 0)
		return cli_usage_error(ADD_USAGE, "%s", err.msg);
	if (vendor && !role_text)
		role = USER_VENDOR; /* --vendor alone says what the account is */
	if (role == USER_VENDOR && !vendor)
		return cli_usage_error(ADD_USAGE,
				       "役割が vendor (事業者) のユーザーには --vendor で事業者名を指定してください");
	if (vendor && role != USER_VENDOR)
		return cli_usage_error(ADD_USAGE, "--vendor は役割が vendor (事業者) のときだけ指定できます");
	if (from_stdin && (rc = read_password(name, password, sizeof(password))))
		return rc;
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		goto out;
	if (vendor && ledger_find(st, LEDGER_VENDOR, vendor, &vendor_id, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (user_add(st, cli->actor, name, display, role, vendor_id, from_stdin ? password : NULL,
		     &generated, &id, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	printf("ユーザー「%s」(%s) を登録しました (#%lld)\n", name, user_role_label(role), (long long)id);
	if (generated)
		print_one_time(generated);
	if (role == USER_ADMIN || role == USER_OFFICER)
		printf("二要素認証: 初回サインイン時に認証アプリ (Google Authenticator など) の登録が必要です。\n");
out:
	explicit_bzero(password, sizeof(password));
	if (generated) {
		explicit_bzero(generated, strlen(generated));
		free(generated);
	}
	store_close(st);
	return rc;
}

/* ---- list ------------------------------------------------------------------- */

struct list_ctx {
	struct store *st;
	struct cli_table *tab;
	json_t *rows;
	const char *never; /* last sign-in of someone who never signed in */
	char now[MAMORI_TIME_LEN];
};

static char *vendor_name(struct store *st, int64_t id)
{
	json_t *rec = NULL;
	char *s;

	if (!id)
		return xstrdup("");
	if (ledger_get(st, LEDGER_VENDOR, id, &rec, NULL) < 0)
		return xasprintf("#%lld", (long long)id);
	s = xstrdup(ledger_record_name(rec));
	json_decref(rec);
	return s;
}

static int list_row(const struct user *u, void *p)
{
	struct list_ctx *ctx = p;
	struct strbuf state = STRBUF_INIT;
	char idbuf[24], *vendor;
	const char *totp;

	if (ctx->rows) {
		json_array_append_new(ctx->rows, user_to_json(u));
		return 0;
	}
	snprintf(idbuf, sizeof(idbuf), "#%lld", (long long)u->id);
	vendor = vendor_name(ctx->st, u->vendor_id);
	strbuf_addstr(&state, u->disabled ? "無効" : "有効");
	/* Both are RFC 3339 UTC; the first 19 characters compare as times. */
	if (u->locked_until && strncmp(u->locked_until, ctx->now, 19) > 0)
		strbuf_addstr(&state, "・ロック中");
	if (u->must_change_password)
		strbuf_addstr(&state, "・パスワード変更待ち");
	totp = u->totp_enabled ? "登録済" : u->totp_required ? "未登録 (必須)" : "なし";
	const char *cells[] = { idbuf,	   u->name,    u->display_name, user_role_label(u->role),
				vendor,	   state.buf,  totp,		u->last_login ? u->last_login : ctx->never };
	cli_table_add(ctx->tab, cells);
	strbuf_release(&state);
	free(vendor);
	return 0;
}

static int list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori user list [--format table|csv|json]";
	static const char *const head[] = { "番号",	"名前",	"表示名",	"役割",
					    "事業者", "状態",	"二要素認証", "最終サインイン" };
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct mamori_err err = { 0 };
	struct list_ctx ctx = { 0 };
	struct cli_table tab;
	int c, rc;

	while ((c = cli_getopt(argc, argv, "f:", opts)) != -1) {
		if (c != 'f')
			return cli_usage_error(usage, "オプションが正しくありません");
		if (cli_parse_format(optarg, &fmt))
			return 2;
	}
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	rc = cli_open_store(cli, &ctx.st, 0);
	if (rc)
		return rc;
	cli_table_init(&tab, ARRAY_SIZE(head), fmt == CLI_FORMAT_CSV ? 100000 : 30);
	cli_table_add(&tab, head);
	ctx.tab = &tab;
	ctx.rows = fmt == CLI_FORMAT_JSON ? json_array() : NULL;
	ctx.never = fmt == CLI_FORMAT_CSV ? "" : "-";
	mamori_now(ctx.now);
	if (user_list(ctx.st, list_row, &ctx, &err) < 0) {
		rc = cli_fail(&err);
	} else if (fmt == CLI_FORMAT_JSON) {
		cli_print_json(json_incref(ctx.rows));
	} else if (fmt == CLI_FORMAT_CSV) {
		cli_table_print_csv(&tab, stdout);
	} else {
		cli_table_print(&tab, stdout);
		printf("(%zu 人)\n", tab.nrows - 1);
	}
	json_decref(ctx.rows);
	cli_table_release(&tab);
	store_close(ctx.st);
	return rc;
}

/* ---- passwd ------------------------------------------------------------------ */

static int passwd(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "password-stdin", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori user passwd 名前 [--password-stdin]";
	char password[PASSWORD_LINE_MAX] = "", *generated = NULL;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	struct user u = { 0 };
	int c, rc, from_stdin = 0;

	while ((c = cli_getopt(argc, argv, "p", opts)) != -1) {
		if (c != 'p')
			return cli_usage_error(usage, "オプションが正しくありません");
		from_stdin = 1;
	}
	if (optind + 1 != argc)
		return cli_usage_error(usage, "ユーザー名を1つ指定してください");
	rc = open_user(cli, argv[optind], &st, &u);
	if (rc)
		return rc;
	if (from_stdin)
		rc = read_password(u.name, password, sizeof(password));
	else if (user_generate_password(u.name, &generated, &err) < 0)
		rc = cli_fail(&err);
	if (rc == 0 && user_set_password(st, cli->actor, u.id, from_stdin ? password : generated,
					 !from_stdin, &err) < 0)
		rc = cli_fail(&err);
	if (rc == 0) {
		printf("ユーザー「%s」のパスワードを設定しました%s\n", u.name,
		       u.failed_logins || u.locked_until ? " (ロックアウトも解除しました)" : "");
		if (generated) {
			print_one_time(generated);
			printf("  サインイン中のセッションは終了しました。\n");
		}
	}
	explicit_bzero(password, sizeof(password));
	if (generated) {
		explicit_bzero(generated, strlen(generated));
		free(generated);
	}
	user_release(&u);
	store_close(st);
	return rc;
}

/* ---- disable / enable / totp-reset ----------------------------------------------- */

enum simple_op { OP_DISABLE, OP_ENABLE, OP_TOTP_RESET };

static int simple(struct cli *cli, int argc, char **argv, enum simple_op op)
{
	static const char *const usages[] = {
		[OP_DISABLE] = "mamori user disable 名前",
		[OP_ENABLE] = "mamori user enable 名前",
		[OP_TOTP_RESET] = "mamori user totp-reset 名前",
	};
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	struct user u = { 0 };
	int r, rc;

	if (argc != 2 || argv[1][0] == '-')
		return cli_usage_error(usages[op], "ユーザー名を1つ指定してください");
	rc = open_user(cli, argv[1], &st, &u);
	if (rc)
		return rc;
	switch (op) {
	case OP_DISABLE:
		r = user_set_disabled(st, cli->actor, u.id, 1, &err);
		if (r == 0)
			printf(u.disabled ? "ユーザー「%s」は既に無効です\n"
					  : "ユーザー「%s」を無効にしました (サインイン中のセッションも終了しました)\n",
			       u.name);
		break;
	case OP_ENABLE:
		r = user_set_disabled(st, cli->actor, u.id, 0, &err);
		if (r == 0)
			printf(u.disabled ? "ユーザー「%s」を有効にしました\n"
			       : u.failed_logins || u.locked_until
				       ? "ユーザー「%s」のロックアウトを解除しました\n"
				       : "ユーザー「%s」は既に有効です\n",
			       u.name);
		break;
	case OP_TOTP_RESET:
		r = user_totp_reset(st, cli->actor, u.id, &err);
		if (r == 0 && !u.totp_enabled)
			printf("ユーザー「%s」の二要素認証は登録されていません%s\n", u.name,
			       u.totp_required ? " (次のサインイン時に登録が必要です)" : "");
		else if (r == 0)
			printf("ユーザー「%s」の二要素認証を解除しました。次のサインイン時に%s\n", u.name,
			       u.totp_required ? "認証アプリをもう一度登録する必要があります"
					       : "パスワードだけでサインインできます");
		break;
	default:
		BUG("bad op %d", (int)op);
	}
	if (r < 0)
		rc = cli_fail(&err);
	user_release(&u);
	store_close(st);
	return rc;
}

static int disable(struct cli *cli, int argc, char **argv)
{
	return simple(cli, argc, argv, OP_DISABLE);
}

static int enable(struct cli *cli, int argc, char **argv)
{
	return simple(cli, argc, argv, OP_ENABLE);
}

static int totp_reset(struct cli *cli, int argc, char **argv)
{
	return simple(cli, argc, argv, OP_TOTP_RESET);
}

int cmd_user(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
		{ "add", add, "ユーザーを登録する (パスワードは自動生成か --password-stdin)" },
		{ "list", list, "一覧を表示する (--format table|csv|json)" },
		{ "passwd", passwd, "パスワードを再設定する (初回パスワードを発行、ロックも解除)" },
		{ "disable", disable, "無効にする (サインイン中のセッションも終了)" },
		{ "enable", enable, "有効に戻す・ロックアウトを解除する" },
		{ "totp-reset", totp_reset, "二要素認証の登録を解除する (スマートフォンの紛失・機種変更)" },
		{ NULL, NULL, NULL },
	};
	return cli_dispatch(cli, "user", cmds, argc - 1, argv + 1);
}
