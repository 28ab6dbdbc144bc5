/*
 * cmd_serve.c - "mamori serve": the HTTP API and web UI, and, when asked
 * for (--syslog-udp, --syslog-tcp, --relp), the access-log receivers
 * (logrecv.h) next to it.
 *
 * Order: SIGINT/SIGTERM are blocked first (every thread inherits that; the
 * HTTP server takes them with sigwait()), then the receivers start (so that
 * a port in use stops the start before anything listens), then the HTTP
 * server runs until a signal; the receivers stop last, after the HTTP
 * server, and write their final commit and checkpoint.
 *
 * On a store without any user it first creates the administrator "admin"
 * with a one-time password, printed once here, that must be changed at the
 * first sign-in (two-factor enrolment follows).
 */
#include "common.h"

#include <pthread.h>
#include <signal.h>

#include "cli.h"
#include "commands.h"
#include "http.h"
#include "logrecv.h"
#include "store.h"
#include "user.h"

#define SERVE_USAGE                                                                      \
	"mamori serve [--listen ADDR:PORT] [--threads N] [--quiet]\n"                      \
	"             [--syslog-udp ADDR:PORT] [--syslog-tcp ADDR:PORT] [--relp ADDR:PORT]\n" \
	"             [--checkpoint-interval SECONDS] [--log-rules FILE]"

static int first_admin(struct cli *cli, struct store *st, const char *listen)
{
	struct mamori_err err = { 0 };
	char *password = NULL;
	int64_t n = 0, id;

	if (user_count(st, &n, &err) < 0)
		return cli_fail(&err);
	if (n > 0)
		return 0;
	if (user_add(st, cli->actor, "admin", "管理者", USER_ADMIN, 0, NULL, &password, &id, &err) < 0)
		return cli_fail(&err);
	printf("\n"
	       "  最初の管理者アカウントを作成しました。\n"
	       "    URL:              http://%s/\n"
	       "    ユーザー名:       admin\n"
	       "    初回パスワード:   %s\n"
	       "  このパスワードは今回だけ表示されます。最初のサインインで変更し、\n"
	       "  続いて認証アプリ (二要素認証) を登録してください。\n\n",
	       listen, password);
	fflush(stdout);
	memset(password, 0, strlen(password));
	free(password);
	return 0;
}

int cmd_serve(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "threads", required_argument, NULL, 't' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "syslog-udp", required_argument, NULL, 'U' },
		{ "syslog-tcp", required_argument, NULL, 'T' },
		{ "relp", required_argument, NULL, 'R' },
		{ "checkpoint-interval", required_argument, NULL, 'C' },
		{ "log-rules", required_argument, NULL, 'L' },
		{ NULL, 0, NULL, 0 },
	};
	struct logrecv_config lcfg = { .checkpoint_interval = 300 };
	struct logrecv *recv = NULL;
	char host[64], port[8];
	sigset_t set;
	struct http_server_config cfg = { .listen = "127.0.0.1:8080", .threads = 8, .log_requests = 1 };
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	int c, rc;

	while ((c = cli_getopt(argc, argv, "l:t:qU:T:R:C:L:", opts)) != -1) {
		switch (c) {
		case 'l':
			cfg.listen = optarg;
			break;
		case 't': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 256)
				return cli_usage_error(SERVE_USAGE, "--threads は 1〜256 です");
			cfg.threads = (int)v;
			break;
		}
		case 'q':
			cfg.log_requests = 0;
			break;
		case 'U':
		case 'T':
		case 'R': {
			const char *name = c == 'U' ? "--syslog-udp" : c == 'T' ? "--syslog-tcp" : "--relp";
			if (logrecv_parse_addr(name, optarg, host, port, &err) < 0)
				return cli_usage_error(SERVE_USAGE, "%s", err.msg);
			*(c == 'U' ? &lcfg.udp : c == 'T' ? &lcfg.tcp : &lcfg.relp) = optarg;
			break;
		}
		case 'C': {
			char *end;
			long v = strtol(optarg, &end, 10);
			if (end == optarg || *end || v < 1 || v > 86400)
				return cli_usage_error(SERVE_USAGE,
						       "--checkpoint-interval は 1〜86400 (秒) です");
			lcfg.checkpoint_interval = (int)v;
			break;
		}
		case 'L':
			lcfg.rules_file = optarg;
			break;
		default:
			return cli_usage_error(SERVE_USAGE, "オプションが正しくありません");
		}
	}
	if (optind < argc)
		return cli_usage_error(SERVE_USAGE, "余分な引数があります: %s", argv[optind]);
	cfg.db_path = cli->db_path;
	rc = cli_open_store(cli, &st, 0);
	if (rc)
		return rc;
	rc = first_admin(cli, st, cfg.listen);
	store_close(st);
	if (rc)
		return rc;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (lcfg.udp || lcfg.tcp || lcfg.relp) {
		lcfg.db_path = cli->db_path;
		if (logrecv_start(&recv, &lcfg, &err) < 0)
			return cli_fail(&err);
	}
	rc = http_serve(&cfg, &err);
	logrecv_stop(recv, true);
	if (rc < 0)
		return cli_fail(&err);
	return 0;
}
