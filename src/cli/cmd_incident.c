/*
 * cmd_incident.c - "mamori incident …": open an incident (or a drill of
 * one) with its triage, tick the action cards, record notifications,
 * reports to the authorities and announcements, uses of emergency
 * accounts, return to normal, the 事後検証 and its approval, close; list,
 * show and verify the hash-chained timeline (incident.h, emergency.h).
 *
 * An incident is named by its number (12 or #12).  Times are given as
 * people write them ("2026-11-21 09:05", local time); the default is now.
 */
#include "common.h"
#include "cli.h"
#include "commands.h"
#include "emergency.h"
#include "incident.h"
#include "store.h"
#include "triage.h"

#include <getopt.h>

/* Opens the store and, with id_arg, finds the incident. */
static int open_incident(struct cli *cli, struct store **st, const char *id_arg, int64_t *id)
{
	struct mamori_err err = { 0 };
	int rc = cli_open_store(cli, st, 0);

	if (rc)
		return rc;
	if (id_arg && incident_find(*st, id_arg, id, &err) < 0) {
		store_close(*st);
		*st = NULL;
		return cli_fail(&err);
	}
	return 0;
}

/* Commits when r == 0, else rolls back and prints err; returns the exit code. */
static int finish(struct store *st, int r, struct mamori_err *err)
{
	if (r == 0)
		r = store_commit(st, err);
	if (r < 0) {
		store_rollback(st);
		return cli_fail(err);
	}
	return 0;
}

enum {
	OPT_CATEGORY = 1000, OPT_TITLE, OPT_SCOPE, OPT_YES, OPT_DEVICE, OPT_LEVEL, OPT_DRILL,
	OPT_DETECTED, OPT_BY, OPT_AT, OPT_NOTE, OPT_UNDO, OPT_TO, OPT_CHANNEL, OPT_REPORT, OPT_TEXT,
	OPT_SYSTEM, OPT_REASON, OPT_REPORTED, OPT_CAUSES, OPT_MEASURES, OPT_SUMMARY, OPT_OUTPUT,
	OPT_FORMAT, OPT_SPREAD, OPT_OUTAGE, OPT_LONG, OPT_CANNOT, OPT_SEVERE,
};

#define TRIAGE_OPTS                                                            \
	{ "scope", required_argument, NULL, OPT_SCOPE },                       \
	{ "yes", required_argument, NULL, OPT_YES },                           \
	{ "spread", no_argument, NULL, OPT_SPREAD },                           \
	{ "outage", no_argument, NULL, OPT_OUTAGE },                           \
	{ "long", no_argument, NULL, OPT_LONG },                               \
	{ "cannot-continue", no_argument, NULL, OPT_CANNOT },                  \
	{ "severe-damage", no_argument, NULL, OPT_SEVERE },                    \
	{ "device", required_argument, NULL, OPT_DEVICE },                     \
	{ "level", required_argument, NULL, OPT_LEVEL }

/* A triage option into answers / *level: 1 handled, 0 not ours, -1 bad. */
static int triage_option(int opt, json_t *answers, int *level)
{
	const char *key = NULL;
	char *end;
	long v;

	switch (opt) {
	case OPT_SCOPE:
		json_object_set_new(answers, "scope", json_string(optarg));
		return 1;
	case OPT_YES:
		key = optarg;
		break;
	case OPT_SPREAD:
		key = "spread";
		break;
	case OPT_OUTAGE:
		key = "outage";
		break;
	case OPT_LONG:
		key = "long";
		break;
	case OPT_CANNOT:
		key = "cannot_continue";
		break;
	case OPT_SEVERE:
		key = "severe_damage";
		break;
	case OPT_DEVICE: {
		json_t *d = json_object_get(answers, "devices");
		if (!d)
			json_object_set_new(answers, "devices", d = json_array());
		json_array_append_new(d, json_string(optarg));
		return 1;
	}
	case OPT_LEVEL:
		v = strtol(optarg[0] == 'L' || optarg[0] == 'l' ? optarg + 1 : optarg, &end, 10);
		if (*end || v < 1 || v > 5)
			return -1;
		*level = (int)v;
		return 1;
	default:
		return 0;
	}
	json_object_set_new(answers, key, json_true());
	return 1;
}

static void print_cards(json_t *view)
{
	json_t *a;
	size_t i;

	printf("アクションカード:\n");
	json_array_foreach(json_object_get(view, "actions"), i, a) {
		const char *by = json_string_value(json_object_get(a, "by"));
		int done = json_is_true(json_object_get(a, "done"));
		printf("  [%s] %-16s %s%s%s%s\n", done ? "x" : " ",
		       json_string_value(json_object_get(a, "key")),
		       json_string_value(json_object_get(a, "title")), done ? " (" : "",
		       done && by ? by : "", done ? ")" : "");
	}
}

static int show_summary(struct store *st, int64_t id)
{
	struct mamori_err err = { 0 };
	json_t *view = NULL, *inc;

	if (incident_view(st, id, NULL, &view, &err) < 0)
		return cli_fail(&err);
	inc = json_object_get(view, "incident");
	printf("インシデント #%lld%s %s: %s %s\n切り分け: %s\n", (long long)id,
	       json_is_true(json_object_get(inc, "drill")) ? " 【訓練】" : "",
	       json_string_value(json_object_get(inc, "status_label")),
	       json_string_value(json_object_get(inc, "category_label")),
	       json_string_value(json_object_get(inc, "level_label")),
	       json_string_value(json_object_get(inc, "reason")));
	print_cards(view);
	json_decref(view);
	return 0;
}

static int cmd_open(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "category", required_argument, NULL, OPT_CATEGORY },
		{ "title", required_argument, NULL, OPT_TITLE },
		{ "drill", no_argument, NULL, OPT_DRILL },
		{ "detected", required_argument, NULL, OPT_DETECTED },
		TRIAGE_OPTS,
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori incident open --category equipment|cyberattack|power|disaster --title 件名 "
			    "--scope device|local|function|wide|severe [--spread] [--outage] [--long] "
			    "[--cannot-continue] [--severe-damage] [--device 媒体名]… [--level N] [--drill] "
			    "[--detected 日時]";
	struct incident_open_args a = { 0 };
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	json_t *answers = json_object();
	const char *cat = NULL;
	int64_t id = 0;
	int opt, rc, h;

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1) {
		if ((h = triage_option(opt, answers, &a.level)) < 0) {
			json_decref(answers);
			return cli_usage_error(usage, "--level は 1 から 5 です");
		}
		if (h)
			continue;
		if (opt == OPT_CATEGORY)
			cat = optarg;
		else if (opt == OPT_TITLE)
			a.title = optarg;
		else if (opt == OPT_DRILL)
			a.drill = 1;
		else if (opt == OPT_DETECTED)
			a.detected_at = optarg;
		else {
			json_decref(answers);
			return cli_usage_error(usage, "オプションが正しくありません");
		}
	}
	if (optind < argc || !cat || !a.title || triage_category_parse(cat) < 0) {
		json_decref(answers);
		return cli_usage_error(usage, optind < argc ? "余分な引数があります" :
					      !cat ? "--category が必要です" :
					      !a.title ? "--title が必要です" : "分類「%s」はありません", cat);
	}
	a.category = triage_category_parse(cat);
	a.answers = answers;
	if ((rc = cli_open_store(cli, &st, 0)))
		goto out;
	if (store_begin(st, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	rc = finish(st, incident_open(st, cli->actor, &a, &id, &err), &err);
	if (!rc) {
		printf("インシデント #%lld を開始しました\n", (long long)id);
		rc = show_summary(st, id);
	}
out:
	json_decref(answers);
	store_close(st);
	return rc;
}

static int cmd_triage(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { TRIAGE_OPTS, { NULL, 0, NULL, 0 } };
	const char *usage = "mamori incident triage 番号 [--scope …] [--spread] [--outage] … [--device 媒体名]… [--level N]";
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	json_t *answers = json_object();
	int64_t id;
	int opt, rc, level = 0, h;

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1)
		if ((h = triage_option(opt, answers, &level)) != 1) {
			json_decref(answers);
			return cli_usage_error(usage, "オプションが正しくありません");
		}
	if (optind + 1 != argc) {
		json_decref(answers);
		return cli_usage_error(usage, "インシデントの番号を1つ指定してください");
	}
	if ((rc = open_incident(cli, &st, argv[optind], &id)))
		goto out;
	if (store_begin(st, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	rc = finish(st, incident_triage(st, cli->actor, id, json_object_size(answers) ? answers : NULL,
					level, &err), &err);
	if (!rc)
		rc = show_summary(st, id);
out:
	json_decref(answers);
	store_close(st);
	return rc;
}

/* Parses the common --by, --at, --note, --text options. */
struct common_opts {
	const char *by, *at, *note, *text;
};

static int cmd_act(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, OPT_BY }, { "at", required_argument, NULL, OPT_AT },
		{ "note", required_argument, NULL, OPT_NOTE }, { "undo", no_argument, NULL, OPT_UNDO },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori incident act 番号 アクション [--by 実施者] [--at 日時] [--note メモ] [--undo]";
	struct common_opts o = { 0 };
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	int64_t id;
	int opt, rc, undo = 0;

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1) {
		if (opt == OPT_BY)
			o.by = optarg;
		else if (opt == OPT_AT)
			o.at = optarg;
		else if (opt == OPT_NOTE)
			o.note = optarg;
		else if (opt == OPT_UNDO)
			undo = 1;
		else
			return cli_usage_error(usage, "オプションが正しくありません");
	}
	if (optind + 2 != argc)
		return cli_usage_error(usage, "インシデントの番号とアクション (mamori incident show で一覧) を指定してください");
	if ((rc = open_incident(cli, &st, argv[optind], &id)))
		return rc;
	if (store_begin(st, &err) < 0)
		rc = cli_fail(&err);
	else
		rc = finish(st, incident_act(st, cli->actor, id, argv[optind + 1], !undo, o.by, o.at,
					     o.note, &err), &err);
	if (!rc)
		printf("#%lld %s: %s\n", (long long)id, argv[optind + 1], undo ? "未実施に戻しました" : "実施を記録しました");
	store_close(st);
	return rc;
}

static int incident_log(struct cli *cli, int argc, char **argv)
{
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	int64_t id;
	int rc;

	if (argc != 3)
		return cli_usage_error("mamori incident log 番号 記録", "番号と記録する内容を指定してください");
	if ((rc = open_incident(cli, &st, argv[1], &id)))
		return rc;
	if (store_begin(st, &err) < 0)
		rc = cli_fail(&err);
	else
		rc = finish(st, incident_note(st, cli->actor, id, argv[2], &err), &err);
	store_close(st);
	return rc;
}

static int cmd_notify(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "to", required_argument, NULL, OPT_TO }, { "channel", required_argument, NULL, OPT_CHANNEL },
		{ "by", required_argument, NULL, OPT_BY }, { "at", required_argument, NULL, OPT_AT },
		{ "report", required_argument, NULL, OPT_REPORT }, { "text", required_argument, NULL, OPT_TEXT },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori incident notify 番号 --to 連絡先 [--channel 電話|メール|…] [--by 連絡者] [--at 日時] "
			    "[--report mhlw|police|prefecture|management] [--text 内容]";
	struct incident_notice n = { 0 };
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	char *draft = NULL;
	int64_t id;
	int opt, rc;

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1) {
		switch (opt) {
		case OPT_TO: n.to = optarg; break;
		case OPT_CHANNEL: n.channel = optarg; break;
		case OPT_BY: n.by = optarg; break;
		case OPT_AT: n.at = optarg; break;
		case OPT_REPORT: n.authority = optarg; break;
		case OPT_TEXT: n.text = optarg; break;
		default: return cli_usage_error(usage, "オプションが正しくありません");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(usage, "インシデントの番号を1つ指定してください");
	if (!n.to && n.authority)
		n.to = incident_authority_label(n.authority) ? incident_authority_label(n.authority) : n.authority;
	if (!n.to)
		return cli_usage_error(usage, "--to (連絡先) が必要です");
	if ((rc = open_incident(cli, &st, argv[optind], &id)))
		return rc;
	/* a report without its text: the draft from the record is what was sent */
	if (n.authority && !n.text && incident_report_draft(st, id, n.authority, &draft, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (draft)
		n.text = draft;
	if (store_begin(st, &err) < 0)
		rc = cli_fail(&err);
	else
		rc = finish(st, incident_notify(st, cli->actor, id, &n, &err), &err);
	if (!rc)
		printf("#%lld: %s への%sを記録しました\n", (long long)id, n.to, n.authority ? "報告" : "連絡");
out:
	free(draft);
	store_close(st);
	return rc;
}

static int cmd_draft(struct cli *cli, int argc, char **argv)
{
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	char *text = NULL;
	int64_t id;
	int rc;

	if (argc != 3)
		return cli_usage_error("mamori incident draft 番号 mhlw|police|prefecture|management",
				       "番号と報告先を指定してください");
	if ((rc = open_incident(cli, &st, argv[1], &id)))
		return rc;
	if (incident_report_draft(st, id, argv[2], &text, &err) < 0)
		rc = cli_fail(&err);
	else
		fputs(text, stdout);
	free(text);
	store_close(st);
	return rc;
}

static int cmd_announce(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "by", required_argument, NULL, OPT_BY }, { "at", required_argument, NULL, OPT_AT },
		{ "text", required_argument, NULL, OPT_TEXT }, { NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori incident announce 番号 [1|2|3|4|5 [--text 放送文] [--by 実施者] [--at 日時]]";
	struct common_opts o = { 0 };
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	json_t *view = NULL, *it;
	int64_t id;
	size_t i;
	int opt, rc;

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1) {
		if (opt == OPT_BY)
			o.by = optarg;
		else if (opt == OPT_AT)
			o.at = optarg;
		else if (opt == OPT_TEXT)
			o.text = optarg;
		else
			return cli_usage_error(usage, "オプションが正しくありません");
	}
	if (optind >= argc || argc - optind > 2)
		return cli_usage_error(usage, "インシデントの番号を指定してください");
	if ((rc = open_incident(cli, &st, argv[optind], &id)))
		return rc;
	if (argc - optind == 2) {
		if (store_begin(st, &err) < 0)
			rc = cli_fail(&err);
		else
			rc = finish(st, incident_announce(st, cli->actor, id, argv[optind + 1], o.text, o.by,
							  o.at, &err), &err);
		if (!rc)
			printf("#%lld: 院内放送 (%s) を記録しました\n", (long long)id, argv[optind + 1]);
		store_close(st);
		return rc;
	}
	if (incident_view(st, id, NULL, &view, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	{
		json_t *an = json_object_get(view, "announcements");
		const char *next = json_string_value(json_object_get(an, "next"));
		printf("院内放送 (基準: %s)%s%s\n", json_string_value(json_object_get(an, "base")),
		       next ? "  次: 院内放送 " : "", next ? next : "");
		json_array_foreach(json_object_get(an, "items"), i, it) {
			static const struct { const char *k, *l; } states[] = {
				{ "done", "実施済" }, { "due", "予定" }, { "overdue", "期限超過" },
				{ "later", "復旧時" }, { "not_needed", "不要" },
			};
			const char *s = json_string_value(json_object_get(it, "state")), *lab = s;
			const char *due = json_string_value(json_object_get(it, "due_at"));
			for (size_t k = 0; k < ARRAY_SIZE(states); k++)
				if (!strcmp(states[k].k, s))
					lab = states[k].l;
			printf("  (%s) %-8s %s%s%s\n", json_string_value(json_object_get(it, "code")), lab,
			       json_string_value(json_object_get(it, "timing")), due ? " 期限 " : "", due ? due : "");
		}
	}
out:
	json_decref(view);
	store_close(st);
	return rc;
}

static int cmd_emergency_use(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "system", required_argument, NULL, OPT_SYSTEM }, { "at", required_argument, NULL, OPT_AT },
		{ "by", required_argument, NULL, OPT_BY }, { "reason", required_argument, NULL, OPT_REASON },
		{ "reported", no_argument, NULL, OPT_REPORTED }, { NULL, 0, NULL, 0 },
	};
	const char *usage = "mamori incident emergency-use 番号|- アカウント [--system システム] [--at 日時] "
			    "[--by 使用者] [--reason 理由 (インシデントの外では必須)] [--reported]";
	struct emergency_use_args a = { 0 };
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	int64_t use_id = 0;
	int opt, rc;

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1) {
		switch (opt) {
		case OPT_SYSTEM: a.system = optarg; break;
		case OPT_AT: a.used_at = optarg; break;
		case OPT_BY: a.used_by = optarg; break;
		case OPT_REASON: a.reason = optarg; break;
		case OPT_REPORTED: a.source = "reported"; break;
		default: return cli_usage_error(usage, "オプションが正しくありません");
		}
	}
	if (optind + 2 != argc)
		return cli_usage_error(usage, "インシデントの番号 (インシデントの外なら -) とアカウントを指定してください");
	a.account = argv[optind + 1];
	if ((rc = open_incident(cli, &st, strcmp(argv[optind], "-") ? argv[optind] : NULL, &a.incident_id)))
		return rc;
	if (store_begin(st, &err) < 0)
		rc = cli_fail(&err);
	else
		rc = finish(st, emergency_use_record(st, cli->actor, &a, &use_id, &err), &err);
	if (!rc)
		printf("非常時用アカウント「%s」の使用を記録しました (#%lld)。ダッシュボードに警告が出ます。"
		       "正常復帰後に無効化 (mamori account disable) かパスワード変更 (mamori account rotate) をしてください\n",
		       a.account, (long long)use_id);
	store_close(st);
	return rc;
}

static int simple(struct cli *cli, int argc, char **argv, const char *usage, int kind)
{
	static const struct option opts[] = {
		{ "at", required_argument, NULL, OPT_AT }, { "by", required_argument, NULL, OPT_BY },
		{ "causes", required_argument, NULL, OPT_CAUSES },
		{ "measures", required_argument, NULL, OPT_MEASURES },
		{ "summary", required_argument, NULL, OPT_SUMMARY },
		{ "output", required_argument, NULL, OPT_OUTPUT },
		{ NULL, 0, NULL, 0 },
	};
	const char *at = NULL, *by = NULL, *causes = NULL, *measures = NULL, *summary = NULL, *out = NULL;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	int64_t id;
	int opt, rc;

	while ((opt = cli_getopt(argc, argv, "o:", opts)) != -1) {
		switch (opt) {
		case OPT_AT: at = optarg; break;
		case OPT_BY: by = optarg; break;
		case OPT_CAUSES: causes = optarg; break;
		case OPT_MEASURES: measures = optarg; break;
		case OPT_SUMMARY: summary = optarg; break;
		case 'o':
		case OPT_OUTPUT: out = optarg; break;
		default: return cli_usage_error(usage, "オプションが正しくありません");
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error(usage, "インシデントの番号を1つ指定してください");
	if (kind == 'p' && !out)
		return cli_usage_error(usage, "-o FILE.pdf が必要です");
	if ((rc = open_incident(cli, &st, argv[optind], &id)))
		return rc;
	if (kind == 'p') {
		if (incident_report_pdf(st, id, out, &err) < 0)
			rc = cli_fail(&err);
		else
			printf("%s を書き出しました\n", out);
		store_close(st);
		return rc;
	}
	if (store_begin(st, &err) < 0) {
		rc = cli_fail(&err);
	} else {
		int r = kind == 'r' ? incident_recover(st, cli->actor, id, at, &err)
			: kind == 'v' ? incident_review(st, cli->actor, id, causes, measures, summary, &err)
			: kind == 'a' ? incident_approve(st, cli->actor, id, by, at, &err)
				      : incident_close(st, cli->actor, id, &err);
		rc = finish(st, r, &err);
	}
	if (!rc)
		printf("#%lld: %s\n", (long long)id,
		       kind == 'r' ? "正常復帰を記録しました" : kind == 'v' ? "事後検証を記録しました"
		       : kind == 'a' ? "報告書の承認を記録しました" : "終了しました");
	store_close(st);
	return rc;
}

static int cmd_recover(struct cli *cli, int argc, char **argv)
{
	return simple(cli, argc, argv, "mamori incident recover 番号 [--at 日時]", 'r');
}

static int cmd_review(struct cli *cli, int argc, char **argv)
{
	return simple(cli, argc, argv, "mamori incident review 番号 --causes 原因 --measures 対策 [--summary 概要]", 'v');
}

static int cmd_approve(struct cli *cli, int argc, char **argv)
{
	return simple(cli, argc, argv, "mamori incident approve 番号 --by 承認者 [--at 日時]", 'a');
}

static int cmd_close(struct cli *cli, int argc, char **argv)
{
	return simple(cli, argc, argv, "mamori incident close 番号", 'c');
}

static int cmd_report(struct cli *cli, int argc, char **argv)
{
	return simple(cli, argc, argv, "mamori incident report 番号 -o FILE.pdf", 'p');
}

static int parse_format_only(int argc, char **argv, enum cli_format *fmt, const char *usage)
{
	static const struct option opts[] = { { "format", required_argument, NULL, OPT_FORMAT },
					      { NULL, 0, NULL, 0 } };
	int opt;

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1)
		if (opt != OPT_FORMAT || cli_parse_format(optarg, fmt) < 0)
			return cli_usage_error(usage, "オプションが正しくありません");
	return 0;
}

static int cmd_list(struct cli *cli, int argc, char **argv)
{
	const char *usage = "mamori incident list [--format table|csv|json]";
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	json_t *list = NULL, *v;
	size_t i;
	int rc;

	if ((rc = parse_format_only(argc, argv, &fmt, usage)))
		return rc;
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	if ((rc = cli_open_store(cli, &st, 0)))
		return rc;
	if (incident_list(st, &list, &err) < 0) {
		rc = cli_fail(&err);
	} else if (fmt == CLI_FORMAT_JSON) {
		cli_print_json(list);
		list = NULL;
	} else {
		struct cli_table t;
		const char *head[] = { "番号", "件名", "分類", "レベル", "状態", "検知", "訓練" };
		cli_table_init(&t, ARRAY_SIZE(head), fmt == CLI_FORMAT_CSV ? 100000 : 40);
		cli_table_add(&t, head);
		json_array_foreach(list, i, v) {
			char id[32], lv[8];
			snprintf(id, sizeof(id), "#%lld", (long long)json_integer_value(json_object_get(v, "id")));
			snprintf(lv, sizeof(lv), "L%lld", (long long)json_integer_value(json_object_get(v, "level")));
			const char *row[] = { id, json_string_value(json_object_get(v, "title")),
					      json_string_value(json_object_get(v, "category_label")), lv,
					      json_string_value(json_object_get(v, "status_label")),
					      json_string_value(json_object_get(v, "detected_at")),
					      json_is_true(json_object_get(v, "drill")) ? "訓練" : "" };
			cli_table_add(&t, row);
		}
		cli_table_finish(&t, fmt, 1);
	}
	json_decref(list);
	store_close(st);
	return rc;
}

static int cmd_show(struct cli *cli, int argc, char **argv)
{
	const char *usage = "mamori incident show 番号 [--format table|json]";
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	json_t *view = NULL, *v;
	int64_t id;
	size_t i;
	int rc;

	if ((rc = parse_format_only(argc, argv, &fmt, usage)))
		return rc;
	if (optind + 1 != argc)
		return cli_usage_error(usage, "インシデントの番号を1つ指定してください");
	if ((rc = open_incident(cli, &st, argv[optind], &id)))
		return rc;
	if (incident_view(st, id, NULL, &view, &err) < 0) {
		rc = cli_fail(&err);
		goto out;
	}
	if (fmt == CLI_FORMAT_JSON) {
		cli_print_json(view);
		view = NULL;
		goto out;
	}
	rc = show_summary(st, id);
	printf("件名: %s\n", json_string_value(json_object_get(json_object_get(view, "incident"), "title")));
	json_array_foreach(json_object_get(view, "devices"), i, v)
		printf("隔離する機器: %s %s\n", json_string_value(json_object_get(v, "tag")),
		       json_is_true(json_object_get(v, "found")) ? "" : "(台帳にありません)");
	json_array_foreach(json_object_get(view, "emergency_uses"), i, v)
		printf("非常時用アカウント: %s 使用 %s %s\n", json_string_value(json_object_get(v, "login")),
		       json_string_value(json_object_get(v, "used_at")),
		       json_is_true(json_object_get(v, "handled")) ? "処置済" : "未処置 (無効化・パスワード変更が必要)");
	printf("時系列:\n");
	json_array_foreach(json_object_get(view, "timeline"), i, v)
		printf("  #%lld %s %s %s\n", (long long)json_integer_value(json_object_get(v, "seq")),
		       json_string_value(json_object_get(v, "time")), json_string_value(json_object_get(v, "kind")),
		       json_string_value(json_object_get(v, "actor")));
	if (json_array_size(json_object_get(view, "close_blockers"))) {
		printf("終了までに必要なこと:\n");
		json_array_foreach(json_object_get(view, "close_blockers"), i, v)
			printf("  - %s\n", json_string_value(v));
	}
out:
	json_decref(view);
	store_close(st);
	return rc;
}

static int cmd_verify(struct cli *cli, int argc, char **argv)
{
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	int64_t id = 0, checked, bad_id, bad_seq;
	int rc;

	if (argc > 2)
		return cli_usage_error("mamori incident verify [番号]", "余分な引数があります");
	if ((rc = open_incident(cli, &st, argc == 2 ? argv[1] : NULL, &id)))
		return rc;
	if (incident_verify(st, id, &checked, &bad_id, &bad_seq, &err) < 0)
		rc = cli_fail(&err);
	else
		printf("インシデントの時系列 %lld 件: 改ざんは見つかりませんでした\n", (long long)checked);
	store_close(st);
	return rc;
}

int cmd_incident(struct cli *cli, int argc, char **argv)
{
	static const struct cli_command cmds[] = {
		{ "open", cmd_open, "インシデントを開始する (分類と切り分けの回答からレベル L1-L5 を提案)" },
		{ "triage", cmd_triage, "切り分けをやり直す (範囲・拡散・レベル)" },
		{ "act", cmd_act, "アクションカードの対応を実施済みにする (誰が・いつ)" },
		{ "log", incident_log, "時系列に記録を残す" },
		{ "notify", cmd_notify, "連絡・報告 (厚生労働省・警察 …) を記録する" },
		{ "draft", cmd_draft, "報告の下書きを記録から作る (mhlw / police / prefecture / management)" },
		{ "announce", cmd_announce, "院内放送: 次に必要な放送を表示する、実施を記録する" },
		{ "emergency-use", cmd_emergency_use, "非常時用アカウントの使用を記録する" },
		{ "recover", cmd_recover, "正常復帰 (通常運用への復旧) を記録する" },
		{ "review", cmd_review, "事後検証 (原因と対策) を記録する" },
		{ "report", cmd_report, "経営層への報告書 (PDF) を書き出す" },
		{ "approve", cmd_approve, "報告書の承認 (誰が・いつ) を記録する" },
		{ "close", cmd_close, "終了する (事後検証・承認・非常時用アカウントの処置が必要)" },
		{ "list", cmd_list, "インシデントの一覧" },
		{ "show", cmd_show, "インシデントの記録" },
		{ "verify", cmd_verify, "時系列の改ざんを検査する (改ざんがあれば終了コード 1)" },
		{ NULL, NULL, NULL },
	};
	return cli_dispatch(cli, "incident", cmds, argc - 1, argv + 1);
}
