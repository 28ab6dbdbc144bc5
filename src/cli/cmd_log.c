/*
 * cmd_log.c - "mamori log …": the access-log vault from the command line
 * (import, verify, checkpoint, prove, verify-proof, search, show; alerts,
 * watch and settings are in cmd_logwatch.c, dispatched from here).
 *
 * The vault lives beside the records database (logstore_dir_for()).  Every
 * command but import opens it without creating it; verify-proof opens
 * nothing at all, so that a proof can be checked on another machine.
 * Exit codes as everywhere (cli.h): verify and verify-proof exit 1 when
 * they find the vault or the proof altered.
 *
 * import is all or nothing: logimport validates the whole file before it
 * hands over the first event; only then is the vault opened (created on
 * first use) and from there on SIGINT/SIGTERM are held until the commit,
 * because appended records cannot be taken back (the store re-indexes what
 * its segments hold when it opens).
 */
#include "common.h"
#include "cli.h"
#include "cmd_logwatch.h"
#include "commands.h"
#include "fileio.h"
#include "logdetect.h"
#include "logfield.h"
#include "logimport.h"
#include "logstore.h"
#include "logview.h"
#include "store.h"

#include <signal.h>
#include <time.h>
#include <unistd.h>

#define NOTE_MAX (64 * 1024)
#define PROOF_MAX (1024 * 1024)

static void vault_dir(struct cli *cli, struct strbuf *dir)
{
	logstore_dir_for(cli->db_path, dir);
}

/* Opens the existing vault; prints and returns the exit code on failure. */
static int open_vault(struct cli *cli, struct logstore **ls, int flags)
{
	struct strbuf dir = STRBUF_INIT;
	struct mamori_err err = { 0 };
	int r;

	vault_dir(cli, &dir);
	r = logstore_open(ls, dir.buf, flags, &err);
	if (r == MAMORI_ENOTFOUND)
		fprintf(stderr,
			"mamori: ログ保管庫 %s がありません (mamori log import か、mamori serve の "
			"--syslog-udp/--syslog-tcp/--relp で受信すると作られます)\n",
			dir.buf);
	strbuf_release(&dir);
	if (r == MAMORI_ENOTFOUND)
		return 2;
	if (r == MAMORI_ECHECK && *ls) {
		/* Opened read-only for inspection: say so, go on. */
		fprintf(stderr, "mamori: 警告: %s\n", err.msg);
		return 0;
	}
	if (r < 0)
		return cli_fail(&err);
	return 0;
}

static int parse_seq(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end || errno)
		return -1;
	*out = v;
	return 0;
}

/* Reads a small text file (a checkpoint note, a vkey); prints on failure. */
static int read_text(const char *path, size_t max, char **data, size_t *len)
{
	struct mamori_err err = { 0 };

	if (fileio_read_all(path, max, data, len, &err) < 0)
		return cli_fail(&err);
	return 0;
}

/* ---- import -------------------------------------------------------------------- */

struct import_ctx {
	struct cli *cli;
	int dry_run;
	struct logstore *ls;
	struct store *st;
	struct logdetect *det;
	sigset_t held, saved;
	int holding;
	uint64_t first, n;
};

static int import_event(void *p, struct log_event *ev, unsigned line, struct mamori_err *err)
{
	struct import_ctx *c = p;
	struct strbuf dir = STRBUF_INIT;
	uint64_t seq;
	int r;

	(void)line;
	if (c->dry_run) {
		c->n++;
		return 0;
	}
	if (!c->ls) {
		/* The file is valid: from here on the import runs to its end. */
		sigemptyset(&c->held);
		sigaddset(&c->held, SIGINT);
		sigaddset(&c->held, SIGTERM);
		sigprocmask(SIG_BLOCK, &c->held, &c->saved);
		c->holding = 1;
		logstore_dir_for(c->cli->db_path, &dir);
		r = logstore_open(&c->ls, dir.buf, LOGSTORE_CREATE, err);
		strbuf_release(&dir);
		if (r < 0) {
			c->ls = NULL;
			return r;
		}
		c->first = logstore_size(c->ls);
	}
	if ((r = logstore_append(c->ls, &ev, 1, &seq, err)) < 0)
		return r;
	logdetect_event(c->det, seq, ev);
	c->n++;
	if (c->n % 10000 == 0 && cli_progress_enabled())
		fprintf(stderr, "\r取り込み中… %llu 件", (unsigned long long)c->n);
	return 0;
}

static int import(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "map", required_argument, NULL, 'm' },
		{ "rules", required_argument, NULL, 'r' },
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori log import FILE [--format syslog|csv|jsonl] "
			    "[--map user=COL,patient=COL,host=COL,action=COL,result=COL,time=COL] "
			    "[--rules FILE] [--dry-run]";
	struct logimport_opts o = { 0 };
	struct logimport_stats stats = { 0 };
	struct import_ctx c = { 0 };
	struct mamori_err err = { 0 };
	struct logfield_rules *rules = NULL;
	struct strbuf note = STRBUF_INIT;
	const char *rules_file = NULL, *file;
	char *text = NULL;
	size_t len = 0;
	int ch, r, rc = 0;

	while ((ch = cli_getopt(argc, argv, "f:m:r:n", opts)) != -1) {
		switch (ch) {
		case 'f':
			if (logimport_format_parse(optarg, &o.format, &err) < 0)
				return cli_usage_error(usage, "%s", err.msg);
			break;
		case 'm':
			o.map = optarg;
			break;
		case 'r':
			rules_file = optarg;
			break;
		case 'n':
			c.dry_run = 1;
			break;
		default:
			return cli_usage_error(usage, "オプションが正しくありません");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(usage, "取り込むファイルを 1 つ指定してください");
	file = argv[optind];
	if (rules_file) {
		if ((rc = read_text(rules_file, 1024 * 1024, &text, &len)))
			return rc;
		r = logfield_rules_load(&rules, text, len, rules_file, &err);
		free(text);
	} else {
		r = logfield_rules_builtin(&rules, &err);
	}
	if (r < 0)
		return cli_fail(&err);
	c.cli = cli;
	/* The records database: the detections read the account registry
	 * and write their alerts there. */
	if (!c.dry_run) {
		if ((rc = cli_open_store(cli, &c.st, 0)))
			goto out;
		if ((r = logdetect_open(&c.det, c.st, &err)) < 0) {
			rc = cli_fail(&err);
			goto out;
		}
	}
	r = logimport_read(file, &o, rules, import_event, &c, &stats, &err);
	if (c.n >= 10000 && cli_progress_enabled())
		fputs("\r\033[K", stderr);
	if (r == MAMORI_EINVAL && stats.nproblems) {
		for (size_t i = 0; i < stats.nproblems; i++)
			fprintf(stderr, "%s\n", stats.problems[i]);
		if (stats.bad > stats.nproblems)
			fprintf(stderr, "… ほか %zu 行\n", stats.bad - stats.nproblems);
		fprintf(stderr, "mamori: %zu 行に問題があるため、何も取り込んでいません\n", stats.bad);
		rc = 2;
		goto out;
	}
	if (r == 0 && c.ls)
		r = logstore_commit(c.ls, &err);
	if (r < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (c.dry_run) {
		printf("確認のみ: %llu 件を取り込めます (%s、%zu 行)。保存していません\n",
		       (unsigned long long)c.n, logimport_format_name(stats.format), stats.lines);
		goto out;
	}
	/* Alerts only for durable events, then a checkpoint of the whole. */
	if (c.det && (r = logdetect_flush(c.det, c.st, &err)) < 0)
		fprintf(stderr, "mamori: 警告: 検知の記録に失敗しました: %s\n", err.msg);
	if (c.ls && (r = logstore_checkpoint(c.ls, &note, &err)) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (c.n)
		printf("取り込みました: %llu 件 (%s、連番 %llu〜%llu)、チェックポイント size %llu\n",
		       (unsigned long long)c.n, logimport_format_name(stats.format),
		       (unsigned long long)c.first, (unsigned long long)(c.first + c.n - 1),
		       (unsigned long long)logstore_size(c.ls));
	else
		printf("取り込むイベントがありません (%s)\n", file);
out:
	logstore_close(c.ls);
	if (c.holding)
		sigprocmask(SIG_SETMASK, &c.saved, NULL);
	logdetect_free(c.det);
	store_close(c.st);
	logfield_rules_free(rules);
	logimport_stats_release(&stats);
	strbuf_release(&note);
	return rc;
}

/* ---- verify --------------------------------------------------------------------- */

static void verify_progress(uint64_t done, uint64_t total, void *what)
{
	cli_progress((size_t)done, (size_t)total, what);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static int verify(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "checkpoint", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori log verify [--checkpoint FILE]";
	struct logstore_verify_result res;
	struct mamori_err err = { 0 };
	struct logstore *ls = NULL;
	const char *cpfile = NULL;
	char *note = NULL;
	size_t note_len = 0;
	double t0, secs;
	int c, r, rc;

	while ((c = cli_getopt(argc, argv, "c:", opts)) != -1) {
		if (c == 'c')
			cpfile = optarg;
		else
			return cli_usage_error(usage, "オプションが正しくありません");
	}
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	if (cpfile && (rc = read_text(cpfile, NOTE_MAX, &note, &note_len)))
		return rc;
	if ((rc = open_vault(cli, &ls, LOGSTORE_READONLY))) {
		free(note);
		return rc;
	}
	memset(&res, 0, sizeof(res));
	t0 = now_s();
	r = logstore_verify(ls, note, note_len, cli_progress_enabled() ? verify_progress : NULL,
			    "検証中…", &res, &err);
	secs = now_s() - t0;
	logstore_close(ls);
	free(note);
	if (r == MAMORI_ECHECK) {
		if (res.bad_seq >= 0)
			fprintf(stderr, "mamori: 改ざんを検出しました: 連番 %lld: %s\n",
				(long long)res.bad_seq, res.reason[0] ? res.reason : err.msg);
		else
			fprintf(stderr, "mamori: 改ざんを検出しました: %s\n",
				res.reason[0] ? res.reason : err.msg);
		return 1;
	}
	if (r < 0)
		return cli_fail(&err);
	printf("検証済み: %llu 件、%llu バイト、チェックポイント size %llu%s (%.2f 秒、%.2f GB/s)\n",
	       (unsigned long long)res.events, (unsigned long long)res.bytes,
	       (unsigned long long)res.checkpoint_size, cpfile ? " (控えと一致)" : "", secs,
	       secs > 0 ? (double)res.bytes / secs / 1e9 : 0.0);
	return 0;
}

/* ---- checkpoint ----------------------------------------------------------------- */

static int checkpoint(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "new", no_argument, NULL, 'n' },
		{ "vkey", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori log checkpoint [--new] [--vkey]";
	struct strbuf out = STRBUF_INIT;
	struct mamori_err err = { 0 };
	struct logstore *ls = NULL;
	int c, r, rc, fresh = 0, vkey = 0;

	while ((c = cli_getopt(argc, argv, "", opts)) != -1) {
		if (c == 'n')
			fresh = 1;
		else if (c == 'k')
			vkey = 1;
		else
			return cli_usage_error(usage, "オプションが正しくありません");
	}
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	if (fresh && vkey)
		return cli_usage_error(usage, "--new と --vkey は同時に指定できません");
	if ((rc = open_vault(cli, &ls, LOGSTORE_READONLY)))
		return rc;
	if (vkey) {
		logstore_vkey(ls, &out);
		r = 0;
	} else if (fresh) {
		/* signed by whoever writes the vault: this process, or a running
		 * mamori serve asked through the request file */
		struct strbuf dir = STRBUF_INIT;

		logstore_close(ls);
		ls = NULL;
		vault_dir(cli, &dir);
		r = logstore_checkpoint_request(dir.buf, &out, 15000, &err);
		strbuf_release(&dir);
	} else {
		r = logstore_checkpoint_latest(ls, &out, &err);
		if (r == MAMORI_ENOTFOUND)
			mamori_err_set(&err, MAMORI_ENOTFOUND,
				       "署名済みチェックポイントがまだありません "
				       "(mamori log checkpoint --new で作成できます)");
	}
	logstore_close(ls);
	if (r < 0) {
		strbuf_release(&out);
		return cli_fail(&err);
	}
	fwrite(out.buf, 1, out.len, stdout);
	if (out.len && out.buf[out.len - 1] != '\n')
		putchar('\n');
	strbuf_release(&out);
	return 0;
}

/* ---- prove / verify-proof ------------------------------------------------------- */

static int prove(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "checkpoint", required_argument, NULL, 'c' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori log prove SEQ [--checkpoint FILE] [-o FILE]";
	struct strbuf out = STRBUF_INIT;
	struct mamori_err err = { 0 };
	struct logstore *ls = NULL;
	const char *cpfile = NULL, *ofile = "-";
	char *note = NULL;
	size_t note_len = 0;
	uint64_t seq;
	int c, r, rc;

	while ((c = cli_getopt(argc, argv, "c:o:", opts)) != -1) {
		if (c == 'c')
			cpfile = optarg;
		else if (c == 'o')
			ofile = optarg;
		else
			return cli_usage_error(usage, "オプションが正しくありません");
	}
	if (optind + 1 != argc)
		return cli_usage_error(usage, "イベントの連番を 1 つ指定してください");
	if (parse_seq(argv[optind], &seq) < 0)
		return cli_usage_error(usage, "連番は 0 以上の整数です: %s", argv[optind]);
	if (cpfile && (rc = read_text(cpfile, NOTE_MAX, &note, &note_len)))
		return rc;
	if ((rc = open_vault(cli, &ls, 0))) {
		free(note);
		return rc;
	}
	r = logstore_prove(ls, seq, note, note_len, &out, &err);
	logstore_close(ls);
	free(note);
	if (r == 0)
		r = fileio_write_atomic(ofile, out.buf, out.len, &err);
	strbuf_release(&out);
	if (r < 0)
		return cli_fail(&err);
	if (strcmp(ofile, "-"))
		fprintf(stderr, "証明書を書き出しました: %s (連番 %llu)\n", ofile,
			(unsigned long long)seq);
	return 0;
}

static void print_field(const char *label, const char *v)
{
	struct strbuf sb = STRBUF_INIT;

	if (v)
		logview_clean_text(&sb, v, strlen(v));
	printf("  %s: %s\n", label, v ? sb.buf : "-");
	strbuf_release(&sb);
}

static void print_event(const struct log_event *ev, const char *peer)
{
	char t[LOGVIEW_TIME_LEN], r[LOGVIEW_TIME_LEN];
	struct strbuf msg = STRBUF_INIT;

	logview_local_time(ev->time_us, t);
	logview_local_time(ev->recv_us, r);
	print_field("発生時刻", t[0] ? t : NULL);
	print_field("受信時刻", r);
	print_field("経路", log_via_name(ev->via));
	print_field("送信元", peer);
	print_field("利用者", ev->f.user);
	print_field("患者ID", ev->f.patient);
	print_field("端末/ホスト", ev->f.host);
	print_field("操作", ev->f.action);
	print_field("結果", ev->f.result == LOG_RESULT_UNKNOWN ? NULL
							       : logview_result_label(ev->f.result));
	print_field("接続元", ev->f.source);
	if (ev->record.len >= ev->msg_off)
		logview_clean_text(&msg, ev->record.buf + ev->msg_off, ev->record.len - ev->msg_off);
	printf("  %s: %s\n", "メッセージ", msg.buf);
	strbuf_release(&msg);
}

static int verify_proof(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vkey", required_argument, NULL, 'k' },
		{ "vkey-file", required_argument, NULL, 'K' },
		{ "checkpoint", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage =
		"mamori log verify-proof FILE [--vkey KEY | --vkey-file FILE] [--checkpoint FILE]";
	struct mamori_err err = { 0 };
	struct log_event ev;
	struct strbuf peer = STRBUF_INIT;
	const char *cpfile = NULL, *vkfile = NULL;
	char *vkey = NULL, *doc = NULL, *note = NULL;
	size_t doc_len = 0, note_len = 0, vk_len = 0;
	bool self_signed = false;
	uint64_t seq = 0;
	int c, r, rc = 0;

	(void)cli; /* no database: a proof is checked on its own */
	while ((c = cli_getopt(argc, argv, "k:K:c:", opts)) != -1) {
		if (c == 'k') {
			free(vkey);
			vkey = xstrdup(optarg);
		} else if (c == 'K') {
			vkfile = optarg;
		} else if (c == 'c') {
			cpfile = optarg;
		} else {
			free(vkey);
			return cli_usage_error(usage, "オプションが正しくありません");
		}
	}
	if (optind + 1 != argc || (vkey && vkfile)) {
		free(vkey);
		return cli_usage_error(usage, optind + 1 != argc
						      ? "証明書のファイルを 1 つ指定してください"
						      : "--vkey と --vkey-file はどちらか一方です");
	}
	if (vkfile && (rc = read_text(vkfile, NOTE_MAX, &vkey, &vk_len)))
		goto out;
	if (vkey) /* a key file ends with a line end; the key is one line */
		vkey[strcspn(vkey, "\r\n")] = '\0';
	if ((rc = read_text(argv[optind], PROOF_MAX, &doc, &doc_len)))
		goto out;
	if (cpfile && (rc = read_text(cpfile, NOTE_MAX, &note, &note_len)))
		goto out;
	log_event_init(&ev);
	r = logstore_proof_verify(doc, doc_len, vkey, note, note_len, &ev, &seq, &self_signed, &err);
	if (r == 0) {
		/* The peer is in the record; parse it back for display. */
		struct mamori_err e2 = { 0 };
		struct log_event tmp;

		log_event_init(&tmp);
		if (log_event_parse(&tmp, ev.record.buf, ev.record.len, &peer, &e2) < 0)
			strbuf_reset(&peer);
		log_event_release(&tmp);
		printf("証明されました: 連番 %llu の記録は署名済みチェックポイントの木に含まれています%s\n",
		       (unsigned long long)seq, note ? " (控えのチェックポイントと一致)" : "");
		print_event(&ev, peer.len ? peer.buf : NULL);
		if (self_signed && !note)
			fprintf(stderr,
				"mamori: 注意: 証明書に同梱の検証鍵だけで確認しました。保管庫の検証鍵 "
				"(mamori log checkpoint --vkey) を --vkey/--vkey-file で渡すか、控えの"
				"チェックポイントを --checkpoint で渡すと、差し替えられた証明書も見破れます\n");
		rc = 0;
	} else if (r == MAMORI_ECHECK) {
		fprintf(stderr, "mamori: 証明できません: %s\n", err.msg);
		rc = 1;
	} else {
		rc = cli_fail(&err);
	}
	log_event_release(&ev);
out:
	strbuf_release(&peer);
	free(vkey);
	free(doc);
	free(note);
	return rc;
}

/* ---- search / show ---------------------------------------------------------------- */

#define TABLE_COLS 10

static void add_hit_row(struct cli_table *t, const struct logstore_hit *h)
{
	char seq[24], when[LOGVIEW_TIME_LEN];
	struct strbuf notes = STRBUF_INIT;
	const char *cells[TABLE_COLS];
	json_t *badges = logview_badges(h->flags, h->message, h->message_len), *b;
	size_t i;

	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)h->seq);
	logview_local_time(h->time_us != INT64_MIN ? h->time_us : h->recv_us, when);
	json_array_foreach(badges, i, b) {
		if (notes.len)
			strbuf_addch(&notes, ' ');
		strbuf_addstr(&notes, json_string_value(json_object_get(b, "label")));
	}
	json_decref(badges);
	cells[0] = seq;
	cells[1] = when;
	cells[2] = h->user ? h->user : "-";
	cells[3] = h->patient ? h->patient : "-";
	cells[4] = h->host ? h->host : "-";
	cells[5] = h->action ? h->action : "-";
	cells[6] = h->result == LOG_RESULT_UNKNOWN ? "-" : logview_result_label(h->result);
	cells[7] = h->source ? h->source : "-";
	cells[8] = h->peer ? h->peer : "-";
	cells[9] = notes.buf;
	cli_table_add(t, cells);
	strbuf_release(&notes);
}

struct search_ctx {
	enum cli_format fmt;
	struct cli_table table;
	json_t *events;
	FILE *csv;          /* CSV straight to a file (export) */
	struct strbuf line;
	uint64_t n;
	int failed;
};

static int on_hit(const struct logstore_hit *h, void *p)
{
	struct search_ctx *c = p;

	c->n++;
	if (c->fmt == CLI_FORMAT_JSON) {
		json_array_append_new(c->events, logview_hit_json(h));
	} else if (c->fmt == CLI_FORMAT_CSV) {
		strbuf_reset(&c->line);
		logview_csv_line(&c->line, h);
		if (fwrite(c->line.buf, 1, c->line.len, c->csv) != c->line.len) {
			c->failed = 1;
			return MAMORI_EIO;
		}
	} else {
		add_hit_row(&c->table, h);
	}
	if (c->n % 10000 == 0 && c->csv && c->csv != stdout && cli_progress_enabled())
		fprintf(stderr, "\r書き出し中… %llu 件", (unsigned long long)c->n);
	return mamori_interrupted ? MAMORI_EINTR : 0;
}

static int search(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "user", required_argument, NULL, 'u' },
		{ "patient", required_argument, NULL, 'p' },
		{ "host", required_argument, NULL, 'H' },
		{ "action", required_argument, NULL, 'a' },
		{ "result", required_argument, NULL, 'r' },
		{ "from", required_argument, NULL, 'F' },
		{ "to", required_argument, NULL, 'T' },
		{ "limit", required_argument, NULL, 'n' },
		{ "before", required_argument, NULL, 'b' },
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage =
		"mamori log search [--user U] [--patient P] [--host H] [--action A] "
		"[--result success|failure] [--from T] [--to T] [--limit N] [--before SEQ] "
		"[--format table|csv|json] [-o FILE]";
	static const char *const head[TABLE_COLS] = {
		"連番", "発生時刻", "利用者", "患者ID", "ホスト", "操作", "結果", "接続元", "送信元", "注記",
	};
	struct search_ctx ctx = { .fmt = CLI_FORMAT_TABLE, .line = STRBUF_INIT };
	struct mamori_err err = { 0 };
	struct logstore_query q;
	struct logstore *ls = NULL;
	const char *ofile = NULL;
	char *tmp = NULL;
	int64_t next = -1;
	int c, r = 0, rc, limited = 0, all;

	logstore_query_init(&q);
	while ((c = cli_getopt(argc, argv, "o:", opts)) != -1) {
		switch (c) {
		case 'u':
			q.user = optarg;
			break;
		case 'p':
			q.patient = optarg;
			break;
		case 'H':
			q.host = optarg;
			break;
		case 'a':
			q.action = optarg;
			break;
		case 'r': {
			enum log_result res;
			if (log_result_parse(optarg, &res, &err) < 0)
				return cli_usage_error(usage, "--result は success か failure です: %s",
						       optarg);
			q.result = (int)res;
			break;
		}
		case 'F':
		case 'T':
			if (logview_parse_time(optarg, c == 'T', c == 'F' ? &q.from_us : &q.to_us,
					       &err) < 0)
				return cli_usage_error(usage, "%s", err.msg);
			break;
		case 'n': {
			uint64_t v;
			if (parse_seq(optarg, &v) < 0 || v < 1 || v > LOGSTORE_PAGE_MAX)
				return cli_usage_error(usage, "--limit は 1〜%d の整数です: %s",
						       LOGSTORE_PAGE_MAX, optarg);
			q.limit = (size_t)v;
			limited = 1;
			break;
		}
		case 'b': {
			uint64_t v;
			if (parse_seq(optarg, &v) < 0 || v > INT64_MAX)
				return cli_usage_error(usage, "--before は 0 以上の整数です: %s", optarg);
			q.before = (int64_t)v;
			break;
		}
		case 'f':
			if (cli_parse_format(optarg, &ctx.fmt))
				return 2;
			break;
		case 'o':
			ofile = optarg;
			break;
		default:
			return cli_usage_error(usage, "オプションが正しくありません");
		}
	}
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	if (q.from_us != INT64_MIN && q.to_us != INT64_MAX && q.from_us >= q.to_us)
		return cli_usage_error(usage, "--from は --to より前の日時にしてください");
	if (ofile && ctx.fmt == CLI_FORMAT_TABLE)
		ctx.fmt = CLI_FORMAT_CSV;
	/* An export to a file has every match, page by page. */
	all = ofile && !limited;
	if ((rc = open_vault(cli, &ls, LOGSTORE_READONLY)))
		return rc;
	if (ctx.fmt == CLI_FORMAT_JSON)
		ctx.events = json_array();
	if (ctx.fmt == CLI_FORMAT_TABLE) {
		cli_table_init(&ctx.table, TABLE_COLS, 24);
		cli_table_add(&ctx.table, head);
	}
	if (ctx.fmt == CLI_FORMAT_CSV) {
		if (ofile && strcmp(ofile, "-")) {
			tmp = fileio_temp_name(ofile);
			ctx.csv = tmp ? fopen(tmp, "w") : NULL;
			if (!ctx.csv) {
				r = mamori_err_set(&err, MAMORI_EIO, "%s に書き込めません: %s", ofile,
						   strerror(errno));
				goto out;
			}
		} else {
			ctx.csv = stdout;
		}
		strbuf_reset(&ctx.line);
		logview_csv_head(&ctx.line, 1);
		fwrite(ctx.line.buf, 1, ctx.line.len, ctx.csv);
	}
	for (;;) {
		if (all)
			q.limit = LOGSTORE_PAGE_MAX;
		r = logstore_search(ls, &q, on_hit, &ctx, &next, &err);
		if (r == MAMORI_EINTR)
			mamori_err_set(&err, MAMORI_EINTR, "中断しました (ファイルは書き出していません)");
		else if (r < 0 && ctx.failed)
			mamori_err_set(&err, MAMORI_EIO, "%s に書き込めません: %s", ofile ? ofile : "-",
				       strerror(errno));
		if (r < 0 || !all || next < 0)
			break;
		q.before = next;
	}
	if (ctx.csv && ctx.csv != stdout && cli_progress_enabled())
		fputs("\r\033[K", stderr);
out:
	logstore_close(ls);
	if (ctx.csv && ctx.csv != stdout) {
		if (fclose(ctx.csv) != 0 && r == 0)
			r = mamori_err_set(&err, MAMORI_EIO, "%s に書き込めません: %s", ofile,
					   strerror(errno));
		if (r == 0)
			r = fileio_commit_temp(tmp, ofile, &err);
		else
			fileio_discard_temp(tmp);
	} else if (tmp) {
		fileio_discard_temp(tmp);
	}
	free(tmp);
	if (r < 0) {
		if (ctx.fmt == CLI_FORMAT_TABLE)
			cli_table_release(&ctx.table);
		json_decref(ctx.events);
		strbuf_release(&ctx.line);
		return cli_fail(&err);
	}
	if (ctx.fmt == CLI_FORMAT_JSON) {
		json_t *o = json_pack("{s:o, s:o}", "events", ctx.events, "next",
				      next >= 0 ? json_integer(next) : json_null());
		if (ofile && strcmp(ofile, "-")) {
			char *text = json_dumps(o, JSON_INDENT(2));
			r = fileio_write_atomic(ofile, text, strlen(text), &err);
			free(text);
			json_decref(o);
			if (r < 0) {
				strbuf_release(&ctx.line);
				return cli_fail(&err);
			}
		} else {
			cli_print_json(o);
		}
	} else if (ctx.fmt == CLI_FORMAT_TABLE) {
		cli_table_print(&ctx.table, stdout);
		cli_table_release(&ctx.table);
		if (next >= 0)
			printf("(%llu 件、続きは --before %lld)\n", (unsigned long long)ctx.n,
			       (long long)next);
		else
			printf("(%llu 件)\n", (unsigned long long)ctx.n);
	}
	if (ofile && strcmp(ofile, "-"))
		fprintf(stderr, "%llu 件を %s に書き出しました\n", (unsigned long long)ctx.n, ofile);
	strbuf_release(&ctx.line);
	return 0;
}

static int show_hit(const struct logstore_hit *h, void *p)
{
	enum cli_format fmt = *(enum cli_format *)p;
	char t[LOGVIEW_TIME_LEN], r[LOGVIEW_TIME_LEN];
	struct strbuf msg = STRBUF_INIT;
	json_t *badges, *b;
	size_t i;

	if (fmt == CLI_FORMAT_JSON) {
		cli_print_json(logview_hit_json(h));
		return 0;
	}
	logview_local_time(h->time_us, t);
	logview_local_time(h->recv_us, r);
	printf("連番 %llu\n", (unsigned long long)h->seq);
	print_field("発生時刻", t[0] ? t : NULL);
	print_field("受信時刻", r);
	print_field("経路", log_via_name(h->via));
	print_field("接続元", h->source);
	print_field("送信元", h->peer);
	print_field("利用者", h->user);
	print_field("患者ID", h->patient);
	print_field("端末/ホスト", h->host);
	print_field("操作", h->action);
	print_field("結果", h->result == LOG_RESULT_UNKNOWN ? NULL : logview_result_label(h->result));
	badges = logview_badges(h->flags, h->message, h->message_len);
	json_array_foreach(badges, i, b)
		printf("  %s: %s: %s\n", "注記", json_string_value(json_object_get(b, "label")),
		       json_string_value(json_object_get(b, "reason")));
	json_decref(badges);
	logview_clean_text(&msg, h->message ? h->message : "", h->message ? h->message_len : 0);
	printf("  %s: %s\n", "メッセージ", msg.buf);
	strbuf_release(&msg);
	return 0;
}

static int show(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori log show SEQ [--format json]";
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct mamori_err err = { 0 };
	struct logstore *ls = NULL;
	uint64_t seq;
	int c, r, rc;

	while ((c = cli_getopt(argc, argv, "f:", opts)) != -1) {
		if (c == 'f') {
			if (cli_parse_format(optarg, &fmt))
				return 2;
		} else {
			return cli_usage_error(usage, "オプションが正しくありません");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(usage, "イベントの連番を 1 つ指定してください");
	if (parse_seq(argv[optind], &seq) < 0)
		return cli_usage_error(usage, "連番は 0 以上の整数です: %s", argv[optind]);
	if ((rc = open_vault(cli, &ls, LOGSTORE_READONLY)))
		return rc;
	r = logstore_get(ls, seq, show_hit, &fmt, &err);
	logstore_close(ls);
	return r < 0 ? cli_fail(&err) : 0;
}

int cmd_log(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
		{ "import", import, "ファイル (syslog 行、電子カルテの監査 CSV/JSON Lines) を取り込む" },
		{ "verify", verify, "保管庫全体を検証する (改ざんがあれば終了コード 1)" },
		{ "checkpoint", checkpoint,
		  "最新の署名済みチェックポイントを表示する (--new 今すぐ署名、--vkey 検証鍵)" },
		{ "prove", prove, "イベントの証明書 (包含証明と署名済みチェックポイント) を書き出す" },
		{ "verify-proof", verify_proof, "証明書を検証する (データベース不要、別のマシンで)" },
		{ "search", search, "利用者・患者ID・ホスト・操作・結果・期間で検索する (新しい順)" },
		{ "show", show, "イベントを 1 件表示する" },
		{ "alerts", cmd_log_alerts, "検知したアラート (一覧、ack ID で確認済みにする)" },
		{ "watch", cmd_log_watch, "要注意患者 (職員・VIP など) の list / add / remove" },
		{ "settings", cmd_log_settings, "検知の設定 (時間帯・曜日・連続失敗の回数など) の show / set" },
		{ NULL, NULL, NULL },
	};
	return cli_dispatch(cli, "log", cmds, argc - 1, argv + 1);
}
