/*
 * cmd_checklist_sheet.c - the sheet commands of "mamori checklist": open a
 * fiscal year's checklist, answer it, see the evidence, collect the vendors'
 * 事業者確認用, export it, import a new edition (checklist.h).
 *
 * A sheet is chosen with --sheet ID, else by --year (default: the current
 * fiscal year) and --vendor NAME (a vendor's 事業者確認用) or, without
 * --vendor, the facility's own form.  Items are named by their id
 * (r7-iryo-2-6) or, within the sheet's edition, by the rest of it (2-6).
 */
#include "common.h"
#include "checklist.h"
#include "checklist_export.h"
#include "checklist_xlsx.h"
#include "cli.h"
#include "commands.h"
#include "fileio.h"
#include "ledger.h"
#include "store.h"
#include "strbuf.h"

#include <getopt.h>
#include <strings.h>
#include <unistd.h>

/* Bytes of a workbook read for import-edition (the official ones are ~25 KB). */
#define CHECKLIST_XLSX_FILE_MAX (32u << 20)

/* What a sheet command works on. */
struct sheet_ctx {
	struct store *st;
	struct checklist_catalog cat;
	struct ledger_facility fac;
	char today[11];
	int fy;
	const char *vendor; /* --vendor */
	int64_t sheet_id;   /* --sheet, or resolved */
	enum cli_format format;
	struct mamori_err err;
};

enum { OPT_YEAR = 1000, OPT_SHEET, OPT_VENDOR, OPT_FORMAT };

#define SHEET_LONGOPTS                                                          \
	{ "year", required_argument, NULL, OPT_YEAR },                          \
	{ "sheet", required_argument, NULL, OPT_SHEET },                        \
	{ "vendor", required_argument, NULL, OPT_VENDOR },                      \
	{ "format", required_argument, NULL, OPT_FORMAT }

/* Handles a SHEET_LONGOPTS option: 1 handled, 0 not ours, -1 bad value. */
static int sheet_option(struct sheet_ctx *c, int opt)
{
	char *end;
	long v;

	switch (opt) {
	case OPT_YEAR:
		v = strtol(optarg, &end, 10);
		if (*end == '\0' && v >= 1 && v <= 82) /* 令和の年 */
			v += 2018;
		if (*end || v < 2000 || v > 2100)
			return -1;
		c->fy = (int)v;
		return 1;
	case OPT_SHEET:
		v = strtol(optarg[0] == '#' ? optarg + 1 : optarg, &end, 10);
		if (*end || v <= 0)
			return -1;
		c->sheet_id = v;
		return 1;
	case OPT_VENDOR:
		c->vendor = optarg;
		return 1;
	case OPT_FORMAT:
		return cli_parse_format(optarg, &c->format) < 0 ? -1 : 1;
	}
	return 0;
}

static void ctx_release(struct sheet_ctx *c)
{
	checklist_catalog_release(&c->cat);
	ledger_facility_release(&c->fac);
	store_close(c->st);
}

/* Opens the store and the catalog. */
static int ctx_open(struct cli *cli, struct sheet_ctx *c)
{
	int rc = cli_open_store(cli, &c->st, 0);

	if (rc)
		return rc;
	mamori_today(c->today);
	if (!c->fy)
		c->fy = checklist_fiscal_year(c->today);
	if (checklist_catalog_open(c->st, &c->cat, &c->err) < 0 ||
	    ledger_facility_get(c->st, &c->fac, &c->err) < 0)
		return cli_fail(&c->err);
	return 0;
}

static const char *reiwa(int fy, char *buf, size_t len)
{
	snprintf(buf, len, "令和%d年度", fy - 2018);
	return buf;
}

/*
 * Finds the sheet the options name.  With open, the facility's own sheet
 * of the year is opened when it does not exist yet.
 */
static int resolve_sheet(struct cli *cli, struct sheet_ctx *c, bool open)
{
	enum checklist_form form = checklist_facility_form(c->fac.type);
	int64_t vendor_id = 0;
	char y[32];
	int r;

	(void)cli;
	if (c->sheet_id)
		return 0;
	if (c->vendor) {
		if (ledger_find(c->st, LEDGER_VENDOR, c->vendor, &vendor_id, &c->err) < 0)
			return cli_fail(&c->err);
		form = CHECKLIST_FORM_JIGYOSHA;
	}
	r = checklist_sheet_find(c->st, c->fy, form, vendor_id, &c->sheet_id, &c->err);
	if (r == 0 && !c->sheet_id && !vendor_id)
		r = checklist_sheet_find(c->st, c->fy, CHECKLIST_FORM_IRYO_YAKKYOKU, 0, &c->sheet_id,
					 &c->err);
	if (r < 0)
		return cli_fail(&c->err);
	if (c->sheet_id)
		return 0;
	if (vendor_id) {
		fprintf(stderr, "mamori: 事業者「%s」への%sの事業者確認用はまだ依頼していません (mamori checklist request)\n",
			c->vendor, reiwa(c->fy, y, sizeof(y)));
		return 2;
	}
	if (!open) {
		fprintf(stderr, "mamori: %sのチェックリストはまだありません (mamori checklist open --year %d)\n",
			reiwa(c->fy, y, sizeof(y)), c->fy);
		return 2;
	}
	if (store_begin(c->st, &c->err) < 0)
		return cli_fail(&c->err);
	r = checklist_sheet_open(c->st, cli->actor, &c->cat, c->fy, form, NULL, &c->sheet_id, NULL,
				 &c->err);
	if (r == 0)
		r = store_commit(c->st, &c->err);
	if (r < 0) {
		store_rollback(c->st);
		return cli_fail(&c->err);
	}
	fprintf(stderr, "%sのチェックリスト #%lld を開始しました\n", reiwa(c->fy, y, sizeof(y)),
		(long long)c->sheet_id);
	return 0;
}

/* The item id for "2-6" within the sheet's edition, or id itself. */
static char *item_id(struct sheet_ctx *c, json_t *sheet, const char *arg)
{
	const char *edition = json_string_value(json_object_get(sheet, "edition"));
	const char *form = json_string_value(json_object_get(sheet, "form"));
	int f = checklist_form_parse(form);
	const struct checklist_edition *e = f < 0 ? NULL : checklist_catalog_find(&c->cat, edition, f);
	char *full;

	if (!e || checklist_edition_item(e, arg))
		return xstrdup(arg);
	full = xasprintf("%s-%s-%s", edition, form, arg);
	if (checklist_edition_item(e, full))
		return full;
	free(full);
	return xstrdup(arg);
}

/* Runs fn inside one transaction; prints the error. */
static int in_tx(struct sheet_ctx *c, int r)
{
	if (r == 0)
		r = store_commit(c->st, &c->err);
	if (r < 0) {
		store_rollback(c->st);
		return cli_fail(&c->err);
	}
	return 0;
}

/* --- open, list ------------------------------------------------------------ */

int checklist_cli_open(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { SHEET_LONGOPTS,
					       { "form", required_argument, NULL, 'F' },
					       { "edition", required_argument, NULL, 'E' },
					       { NULL, 0, NULL, 0 } };
	const char *usage = "mamori checklist open [--year 年度] [--form iryo|yakkyoku|iryo_yakkyoku] [--edition 版]";
	struct sheet_ctx c = { 0 };
	const char *edition = NULL, *form_arg = NULL;
	int opt, rc, created = 0, form;
	char y[32];

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1) {
		int h = sheet_option(&c, opt);
		if (h < 0)
			return cli_usage_error(usage, "--%s の値が正しくありません", opts[0].name);
		if (h)
			continue;
		if (opt == 'F')
			form_arg = optarg;
		else if (opt == 'E')
			edition = optarg;
		else
			return cli_usage_error(usage, "オプションが正しくありません");
	}
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	if ((rc = ctx_open(cli, &c)))
		goto out;
	form = form_arg ? checklist_form_parse(form_arg) : (int)checklist_facility_form(c.fac.type);
	if (form < 0) {
		rc = cli_usage_error(usage, "様式「%s」はありません", form_arg);
		goto out;
	}
	if (store_begin(c.st, &c.err) < 0) {
		rc = cli_fail(&c.err);
		goto out;
	}
	rc = in_tx(&c, checklist_sheet_open(c.st, cli->actor, &c.cat, c.fy, form, edition,
					    &c.sheet_id, &created, &c.err));
	if (!rc)
		printf("%sのチェックリスト #%lld %s\n", reiwa(c.fy, y, sizeof(y)), (long long)c.sheet_id,
		       created ? "を開始しました" : "は開始済みです");
out:
	ctx_release(&c);
	return rc;
}

static void progress_text(json_t *p, char *buf, size_t len)
{
	if (!p || json_is_null(p)) {
		snprintf(buf, len, "-");
		return;
	}
	snprintf(buf, len, "%lld/%lld (いいえ %lld、期限超過 %lld)",
		 (long long)json_integer_value(json_object_get(p, "answered")),
		 (long long)json_integer_value(json_object_get(p, "needed")),
		 (long long)json_integer_value(json_object_get(p, "no")),
		 (long long)json_integer_value(json_object_get(p, "overdue")));
}

int checklist_cli_list(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { SHEET_LONGOPTS, { "all", no_argument, NULL, 'a' },
					       { NULL, 0, NULL, 0 } };
	const char *usage = "mamori checklist list [--year 年度 | --all] [--format table|csv|json]";
	struct sheet_ctx c = { 0 };
	json_t *list = NULL, *v;
	int opt, rc, all = 0;
	size_t i;

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1) {
		int h = sheet_option(&c, opt);
		if (h < 0)
			return cli_usage_error(usage, "オプションの値が正しくありません");
		if (!h && opt == 'a')
			all = 1;
		else if (!h)
			return cli_usage_error(usage, "オプションが正しくありません");
	}
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	if ((rc = ctx_open(cli, &c)))
		goto out;
	if (checklist_sheets_json(c.st, &c.cat, all ? 0 : c.fy, 0, c.today, &list, &c.err) < 0) {
		rc = cli_fail(&c.err);
		goto out;
	}
	if (c.format == CLI_FORMAT_JSON) {
		cli_print_json(list);
		list = NULL;
	} else {
		struct cli_table t;
		const char *head[] = { "番号", "年度", "様式", "事業者", "状態", "回答 (1回目)", "版" };
		cli_table_init(&t, ARRAY_SIZE(head), 50);
		cli_table_add(&t, head);
		json_array_foreach(list, i, v) {
			char id[32], y[32], prog[128];
			const char *vn = json_string_value(json_object_get(v, "vendor_name"));
			snprintf(id, sizeof(id), "#%lld", (long long)json_integer_value(json_object_get(v, "id")));
			reiwa((int)json_integer_value(json_object_get(v, "fiscal_year")), y, sizeof(y));
			progress_text(json_object_get(v, "progress"), prog, sizeof(prog));
			const char *row[] = { id, y, json_string_value(json_object_get(v, "form_label")),
					      vn ? vn : "(自施設)",
					      json_string_value(json_object_get(v, "status_label")), prog,
					      json_string_value(json_object_get(v, "edition")) };
			cli_table_add(&t, row);
		}
		if (c.format == CLI_FORMAT_CSV)
			cli_table_print_csv(&t, stdout);
		else
			cli_table_print(&t, stdout);
		if (c.format == CLI_FORMAT_TABLE)
			printf("(%zu 件)\n", json_array_size(list));
		cli_table_release(&t);
	}
out:
	json_decref(list);
	ctx_release(&c);
	return rc;
}

/* --- status, evidence ------------------------------------------------------ */

static const char *item_text(json_t *item)
{
	json_t *ow = json_object_get(item, "official_wording");
	const char *w = ow && !json_is_null(ow) ? json_string_value(json_object_get(ow, "wording"))
						: json_string_value(json_object_get(item, "wording"));
	if (!w && (w = json_string_value(json_object_get(item, "presumed_wording"))))
		return w; /* marked 文言未確認 beside the number */
	return w ? w : "(文言未確認: 公式様式で確認してください)";
}

static void answer_text(json_t *a, char *buf, size_t len)
{
	if (!a || json_is_null(a)) {
		snprintf(buf, len, "-");
		return;
	}
	const char *t = json_string_value(json_object_get(a, "target_on"));
	snprintf(buf, len, "%s %s%s%s%s", json_string_value(json_object_get(a, "answer_label")),
		 json_string_value(json_object_get(a, "confirmed_on")), t ? " 目標 " : "", t ? t : "",
		 json_is_true(json_object_get(a, "overdue")) ? " (期限超過)" : "");
}

static int view_sheet(struct cli *cli, struct sheet_ctx *c, bool evidence, json_t **view)
{
	int rc = resolve_sheet(cli, c, false);

	if (rc)
		return rc;
	if (checklist_view(c->st, &c->cat, c->sheet_id, 0, evidence, c->today, view, &c->err) < 0)
		return cli_fail(&c->err);
	return 0;
}

static int status_or_evidence(struct cli *cli, int argc, char **argv, bool evidence)
{
	static const struct option opts[] = { SHEET_LONGOPTS, { NULL, 0, NULL, 0 } };
	const char *usage = evidence ? "mamori checklist evidence [項目] [--year 年度 | --sheet 番号] [--format table|json]"
				     : "mamori checklist status [--year 年度 | --sheet 番号 | --vendor 事業者] [--format table|csv|json]";
	struct sheet_ctx c = { 0 };
	json_t *view = NULL, *sec, *item;
	const char *only = NULL;
	char *only_id = NULL;
	int opt, rc;
	size_t i, k;

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1)
		if (sheet_option(&c, opt) != 1)
			return cli_usage_error(usage, "オプションが正しくありません");
	if (evidence && optind < argc)
		only = argv[optind++];
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	if ((rc = ctx_open(cli, &c)) || (rc = view_sheet(cli, &c, true, &view)))
		goto out;
	if (only)
		only_id = item_id(&c, json_object_get(view, "sheet"), only);
	if (c.format == CLI_FORMAT_JSON && !only) {
		cli_print_json(view);
		view = NULL;
		goto out;
	}
	{
		struct cli_table t;
		const char *head_s[] = { "番号", "チェック項目", "1回目", "2回目", "3回目", "根拠" };
		const char *head_e[] = { "番号", "チェック項目", "根拠", "内容" };
		json_t *sheet = json_object_get(view, "sheet");
		bool found = false;
		const char *vn = json_string_value(json_object_get(sheet, "vendor_name"));
		char y[32];
		if (c.format != CLI_FORMAT_JSON)
			printf("%s %s (%s) #%lld %s%s%s\n",
			       json_string_value(json_object_get(json_object_get(view, "edition"), "title")),
			       json_string_value(json_object_get(sheet, "form_label")),
			       reiwa((int)json_integer_value(json_object_get(sheet, "fiscal_year")), y,
				     sizeof(y)),
			       (long long)c.sheet_id, json_string_value(json_object_get(sheet, "status_label")),
			       vn ? " 事業者: " : "", vn ? vn : "");
		cli_table_init(&t, evidence ? ARRAY_SIZE(head_e) : ARRAY_SIZE(head_s), 60);
		cli_table_add(&t, evidence ? head_e : head_s);
		json_array_foreach(json_object_get(view, "sections"), i, sec)
			json_array_foreach(json_object_get(sec, "items"), k, item) {
				const char *id = json_string_value(json_object_get(item, "id"));
				json_t *ev = json_object_get(item, "evidence");
				char num[64], a[3][96], evs[512] = "";
				size_t ri;
				json_t *reason;
				if (only_id && strcmp(only_id, id))
					continue;
				found = true;
				if (only_id && c.format == CLI_FORMAT_JSON) {
					cli_print_json(json_incref(item));
					continue;
				}
				snprintf(num, sizeof(num), "%d-%s%s",
					 (int)json_integer_value(json_object_get(sec, "number")),
					 json_string_value(json_object_get(item, "number"))
						 ? json_string_value(json_object_get(item, "number"))
						 : "?",
					 json_is_true(json_object_get(item, "unconfirmed")) ? " 文言未確認" : "");
				if (ev && !json_is_null(ev))
					snprintf(evs, sizeof(evs), "%s: %s",
						 json_string_value(json_object_get(ev, "outcome_label")),
						 json_string_value(json_object_get(ev, "summary")));
				else
					snprintf(evs, sizeof(evs), "-");
				if (evidence) {
					/* A list, not a table: reasons are many and long. */
					printf("\n%s %s\n  %s\n", num, item_text(item), evs);
					if (ev && !json_is_null(ev)) {
						json_array_foreach(json_object_get(ev, "reasons"), ri, reason) {
							const char *l = json_string_value(json_object_get(reason, "link"));
							printf("  ・%s%s%s%s\n",
							       json_string_value(json_object_get(reason, "text")),
							       l ? " [" : "", l ? l : "", l ? "]" : "");
						}
						if (json_integer_value(json_object_get(ev, "total")) >
						    (json_int_t)json_array_size(json_object_get(ev, "reasons")))
							printf("  ・ほか %lld 件\n",
							       (long long)(json_integer_value(json_object_get(ev, "total")) -
									   (json_int_t)json_array_size(json_object_get(ev, "reasons"))));
					}
					continue;
				}
				for (int rd = 0; rd < CHECKLIST_ROUNDS; rd++)
					answer_text(json_array_get(json_object_get(item, "answers"), (size_t)rd),
						    a[rd], sizeof(a[rd]));
				if (!json_is_true(json_object_get(item, "needed")))
					snprintf(a[0], sizeof(a[0]), "%s",
						 json_string_value(json_object_get(item, "not_needed_reason")));
				const char *row[] = { num, item_text(item), a[0], a[1], a[2], evs };
				cli_table_add(&t, row);
			}
		if (c.format != CLI_FORMAT_JSON && !evidence) {
			if (c.format == CLI_FORMAT_CSV)
				cli_table_print_csv(&t, stdout);
			else
				cli_table_print(&t, stdout);
		}
		cli_table_release(&t);
		if (only_id && !found)
			rc = cli_usage_error(NULL, "項目「%s」はこのチェックリストにありません", only);
	}
out:
	free(only_id);
	json_decref(view);
	ctx_release(&c);
	return rc;
}

int checklist_cli_status(struct cli *cli, int argc, char **argv)
{
	return status_or_evidence(cli, argc, argv, false);
}

int checklist_cli_evidence(struct cli *cli, int argc, char **argv)
{
	return status_or_evidence(cli, argc, argv, true);
}

int checklist_cli_findings(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { SHEET_LONGOPTS, { NULL, 0, NULL, 0 } };
	const char *usage = "mamori checklist findings [--year 年度] [--format table|json]";
	struct sheet_ctx c = { 0 };
	json_t *list = NULL, *v;
	int opt, rc;
	size_t i;

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1)
		if (sheet_option(&c, opt) != 1)
			return cli_usage_error(usage, "オプションが正しくありません");
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	if ((rc = ctx_open(cli, &c)))
		goto out;
	if (checklist_findings(c.st, &c.cat, c.fy, c.today, &list, &c.err) < 0) {
		rc = cli_fail(&c.err);
		goto out;
	}
	if (c.format == CLI_FORMAT_JSON) {
		cli_print_json(json_incref(list));
	} else {
		json_array_foreach(list, i, v) {
			const char *vn = json_string_value(json_object_get(v, "vendor_name"));
			const char *kind = json_string_value(json_object_get(v, "kind"));
			printf("%s #%lld %s%s %s %d回目: %s\n  %s\n",
			       !strcmp(kind, "overdue") ? "目標日超過" : "はいと矛盾",
			       (long long)json_integer_value(json_object_get(v, "sheet_id")),
			       vn ? vn : "自施設", "",
			       json_string_value(json_object_get(v, "item_id")),
			       (int)json_integer_value(json_object_get(v, "round")),
			       json_string_value(json_object_get(v, "wording")),
			       !strcmp(kind, "overdue")
				       ? json_string_value(json_object_get(v, "target_on"))
				       : json_string_value(json_object_get(v, "summary")));
		}
		if (!json_array_size(list))
			printf("データと矛盾する「はい」も、目標日を過ぎた「いいえ」もありません\n");
	}
	/* A check that found problems exits 1, as journal verify does. */
	if (json_array_size(list))
		rc = 1;
out:
	json_decref(list);
	ctx_release(&c);
	return rc;
}

/* --- answer, clear --------------------------------------------------------- */

static int parse_round(const char *s)
{
	if (!strcmp(s, "1") || !strcmp(s, "1回目"))
		return 1;
	if (!strcmp(s, "2") || !strcmp(s, "2回目"))
		return 2;
	if (!strcmp(s, "3") || !strcmp(s, "3回目"))
		return 3;
	return 0;
}

static int parse_yes(const char *s)
{
	static const char *const yes[] = { "はい", "yes", "y", "○" };
	static const char *const no[] = { "いいえ", "no", "n", "×" };
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(s, yes[i]))
			return 1;
		if (!strcasecmp(s, no[i]))
			return 0;
	}
	return -1;
}

int checklist_cli_answer(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { SHEET_LONGOPTS,
					       { "date", required_argument, NULL, 'd' },
					       { "target", required_argument, NULL, 't' },
					       { "note", required_argument, NULL, 'n' },
					       { "link", required_argument, NULL, 'l' },
					       { NULL, 0, NULL, 0 } };
	const char *usage = "mamori checklist answer 項目 回 はい|いいえ [--date 確認日] [--target 目標日] "
			    "[--note 備考] [--link device:12 …] [--year 年度 | --sheet 番号 | --vendor 事業者]";
	struct sheet_ctx c = { 0 };
	struct checklist_answer_in in = { 0 };
	const char *links[CHECKLIST_LINKS_MAX + 1];
	json_t *sheet = NULL;
	char *id = NULL;
	int opt, rc, round, yes;

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1) {
		int h = sheet_option(&c, opt);
		if (h < 0)
			return cli_usage_error(usage, "オプションの値が正しくありません");
		if (h)
			continue;
		switch (opt) {
		case 'd':
			in.confirmed_on = optarg;
			break;
		case 't':
			in.target_on = optarg;
			break;
		case 'n':
			in.note = optarg;
			break;
		case 'l':
			if (in.nr_links > CHECKLIST_LINKS_MAX)
				return cli_usage_error(usage, "--link は %d 件までです", CHECKLIST_LINKS_MAX);
			links[in.nr_links++] = optarg;
			break;
		default:
			return cli_usage_error(usage, "オプションが正しくありません");
		}
	}
	if (argc - optind != 3)
		return cli_usage_error(usage, "項目、回 (1〜3)、はい/いいえ を指定してください");
	round = parse_round(argv[optind + 1]);
	yes = parse_yes(argv[optind + 2]);
	if (!round)
		return cli_usage_error(usage, "回「%s」: 1、2、3 のいずれかです", argv[optind + 1]);
	if (yes < 0)
		return cli_usage_error(usage, "回答「%s」: はい か いいえ です", argv[optind + 2]);
	in.yes = yes;
	in.links = links;
	if ((rc = ctx_open(cli, &c)) || (rc = resolve_sheet(cli, &c, !c.vendor)))
		goto out;
	if (store_begin(c.st, &c.err) < 0) {
		rc = cli_fail(&c.err);
		goto out;
	}
	{
		struct mamori_err e2 = { 0 };
		json_t *view = NULL;
		if (checklist_view(c.st, &c.cat, c.sheet_id, 0, false, c.today, &view, &e2) == 0)
			sheet = json_incref(json_object_get(view, "sheet"));
		json_decref(view);
	}
	id = item_id(&c, sheet, argv[optind]);
	rc = in_tx(&c, checklist_answer_set(c.st, cli->actor, &c.cat, c.sheet_id, 0, id, round, &in,
					    &c.err));
	if (!rc)
		printf("#%lld %s %d回目: %s を記録しました\n", (long long)c.sheet_id, id, round,
		       yes ? "はい" : "いいえ");
out:
	free(id);
	json_decref(sheet);
	ctx_release(&c);
	return rc;
}

int checklist_cli_clear(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { SHEET_LONGOPTS, { NULL, 0, NULL, 0 } };
	const char *usage = "mamori checklist clear 項目 回 [--year 年度 | --sheet 番号 | --vendor 事業者]";
	struct sheet_ctx c = { 0 };
	json_t *view = NULL;
	char *id = NULL;
	int opt, rc, round;

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1)
		if (sheet_option(&c, opt) != 1)
			return cli_usage_error(usage, "オプションが正しくありません");
	if (argc - optind != 2 || !(round = parse_round(argv[optind + 1])))
		return cli_usage_error(usage, "項目と回 (1〜3) を指定してください");
	if ((rc = ctx_open(cli, &c)) || (rc = view_sheet(cli, &c, false, &view)))
		goto out;
	id = item_id(&c, json_object_get(view, "sheet"), argv[optind]);
	if (store_begin(c.st, &c.err) < 0) {
		rc = cli_fail(&c.err);
		goto out;
	}
	rc = in_tx(&c, checklist_answer_clear(c.st, cli->actor, &c.cat, c.sheet_id, 0, id, round,
					      &c.err));
	if (!rc)
		printf("#%lld %s %d回目の回答を取り消しました\n", (long long)c.sheet_id, id, round);
out:
	free(id);
	json_decref(view);
	ctx_release(&c);
	return rc;
}

/* --- vendor checklists ----------------------------------------------------- */

int checklist_cli_request(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { SHEET_LONGOPTS,
					       { "edition", required_argument, NULL, 'E' },
					       { NULL, 0, NULL, 0 } };
	const char *usage = "mamori checklist request 事業者 [--year 年度] [--edition 版]";
	struct sheet_ctx c = { 0 };
	const char *edition = NULL;
	int64_t vendor_id = 0;
	int opt, rc;
	char y[32];

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1) {
		int h = sheet_option(&c, opt);
		if (h < 0 || (!h && opt != 'E'))
			return cli_usage_error(usage, "オプションが正しくありません");
		if (!h)
			edition = optarg;
	}
	if (argc - optind != 1)
		return cli_usage_error(usage, "事業者を1つ指定してください (名前または #番号)");
	if ((rc = ctx_open(cli, &c)))
		goto out;
	if (ledger_find(c.st, LEDGER_VENDOR, argv[optind], &vendor_id, &c.err) < 0) {
		rc = cli_fail(&c.err);
		goto out;
	}
	if (store_begin(c.st, &c.err) < 0) {
		rc = cli_fail(&c.err);
		goto out;
	}
	rc = in_tx(&c, checklist_vendor_request(c.st, cli->actor, &c.cat, c.fy, vendor_id, edition,
						&c.sheet_id, &c.err));
	if (!rc)
		printf("事業者「%s」に%sの事業者確認用を依頼しました (#%lld)\n", argv[optind],
		       reiwa(c.fy, y, sizeof(y)), (long long)c.sheet_id);
out:
	ctx_release(&c);
	return rc;
}

int checklist_cli_submit(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { SHEET_LONGOPTS, { NULL, 0, NULL, 0 } };
	const char *usage = "mamori checklist submit (--sheet 番号 | --vendor 事業者 [--year 年度])";
	struct sheet_ctx c = { 0 };
	int opt, rc;

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1)
		if (sheet_option(&c, opt) != 1)
			return cli_usage_error(usage, "オプションが正しくありません");
	if (optind < argc || (!c.sheet_id && !c.vendor))
		return cli_usage_error(usage, "提出する事業者確認用を --sheet か --vendor で指定してください");
	if ((rc = ctx_open(cli, &c)) || (rc = resolve_sheet(cli, &c, false)))
		goto out;
	if (store_begin(c.st, &c.err) < 0) {
		rc = cli_fail(&c.err);
		goto out;
	}
	rc = in_tx(&c, checklist_vendor_submit(c.st, cli->actor, &c.cat, c.sheet_id, 0, &c.err));
	if (!rc)
		printf("#%lld の回答を提出しました (回答済)\n", (long long)c.sheet_id);
out:
	ctx_release(&c);
	return rc;
}

int checklist_cli_review(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { SHEET_LONGOPTS,
					       { "note", required_argument, NULL, 'n' },
					       { NULL, 0, NULL, 0 } };
	const char *usage = "mamori checklist review accept|return|reopen (--sheet 番号 | --vendor 事業者) [--note 理由]";
	struct sheet_ctx c = { 0 };
	const char *note = NULL;
	enum checklist_review what;
	int opt, rc;

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1) {
		int h = sheet_option(&c, opt);
		if (h < 0 || (!h && opt != 'n'))
			return cli_usage_error(usage, "オプションが正しくありません");
		if (!h)
			note = optarg;
	}
	if (argc - optind != 1 || (!c.sheet_id && !c.vendor))
		return cli_usage_error(usage, "accept / return / reopen と、対象の事業者確認用を指定してください");
	if (!strcmp(argv[optind], "accept"))
		what = CHECKLIST_ACCEPT;
	else if (!strcmp(argv[optind], "return"))
		what = CHECKLIST_RETURN;
	else if (!strcmp(argv[optind], "reopen"))
		what = CHECKLIST_REOPEN;
	else
		return cli_usage_error(usage, "「%s」: accept (確認済にする)、return (差し戻す)、reopen (再依頼) のいずれかです",
				       argv[optind]);
	if ((rc = ctx_open(cli, &c)) || (rc = resolve_sheet(cli, &c, false)))
		goto out;
	if (store_begin(c.st, &c.err) < 0) {
		rc = cli_fail(&c.err);
		goto out;
	}
	rc = in_tx(&c, checklist_vendor_review(c.st, cli->actor, c.sheet_id, what, note, &c.err));
	if (!rc)
		printf("#%lld を%sしました\n", (long long)c.sheet_id,
		       what == CHECKLIST_ACCEPT ? "確認済に" : what == CHECKLIST_RETURN ? "差し戻" : "再依頼");
out:
	ctx_release(&c);
	return rc;
}

int checklist_cli_wording(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { "text", required_argument, NULL, 't' },
					       { "source", required_argument, NULL, 's' },
					       { NULL, 0, NULL, 0 } };
	const char *usage = "mamori checklist wording 項目ID --text 公式の文言 --source 出典 (例: 001716187.xlsx 2行目)";
	struct sheet_ctx c = { 0 };
	const char *text = NULL, *source = NULL;
	int opt, rc;

	while ((opt = cli_getopt(argc, argv, "", opts)) != -1) {
		if (opt == 't')
			text = optarg;
		else if (opt == 's')
			source = optarg;
		else
			return cli_usage_error(usage, "オプションが正しくありません");
	}
	if (argc - optind != 1)
		return cli_usage_error(usage, "項目 ID を1つ指定してください (例: r7-iryo-3-4)");
	if ((rc = ctx_open(cli, &c)))
		goto out;
	if (store_begin(c.st, &c.err) < 0) {
		rc = cli_fail(&c.err);
		goto out;
	}
	rc = in_tx(&c, checklist_wording_set(c.st, cli->actor, &c.cat, argv[optind], text, source,
					     &c.err));
	if (!rc)
		printf("%s の公式の文言を記録しました\n", argv[optind]);
out:
	ctx_release(&c);
	return rc;
}

/* --- export, import -------------------------------------------------------- */

int checklist_cli_export(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { SHEET_LONGOPTS,
					       { "output", required_argument, NULL, 'o' },
					       { "encoding", required_argument, NULL, 'e' },
					       { NULL, 0, NULL, 0 } };
	const char *usage = "mamori checklist export --format xlsx|csv|pdf -o FILE [--year 年度 | --sheet 番号 | --vendor 事業者] [--encoding utf-8|cp932]\n"
			    "  pdf は立入検査用資料 (自施設のチェックリスト、根拠、台帳の概要、サポート終了機器、事業者確認用の回収状況、ジャーナルの先頭)";
	struct sheet_ctx c = { 0 };
	const char *out = NULL, *fmt = NULL;
	enum enc_kind enc = ENC_UTF8;
	json_t *view = NULL;
	int opt, rc, r = 0;

	while ((opt = cli_getopt(argc, argv, "o:", opts)) != -1) {
		if (opt == OPT_FORMAT) {
			fmt = optarg;
			continue;
		}
		int h = sheet_option(&c, opt);
		if (h < 0)
			return cli_usage_error(usage, "オプションの値が正しくありません");
		if (h)
			continue;
		if (opt == 'o')
			out = optarg;
		else if (opt == 'e') {
			if (enc_parse_name(optarg, &enc, &c.err) < 0 || enc == ENC_AUTO)
				return cli_usage_error(usage, "--encoding は utf-8 か cp932 です");
		} else
			return cli_usage_error(usage, "オプションが正しくありません");
	}
	if (optind < argc)
		return cli_usage_error(usage, "余分な引数があります: %s", argv[optind]);
	if (!fmt || (strcmp(fmt, "xlsx") && strcmp(fmt, "csv") && strcmp(fmt, "pdf")))
		return cli_usage_error(usage, "--format は xlsx、csv、pdf のいずれかです");
	if (!out || (!strcmp(out, "-") && strcmp(fmt, "csv")))
		return cli_usage_error(usage, "-o で書き出すファイルを指定してください");
	if ((rc = ctx_open(cli, &c)))
		goto done;
	if (!strcmp(fmt, "pdf")) {
		r = checklist_export_pack(c.st, &c.cat, c.fy, c.today, out, &c.err);
	} else {
		if ((rc = view_sheet(cli, &c, true, &view)))
			goto done;
		if (!strcmp(fmt, "xlsx")) {
			r = checklist_export_xlsx(view, out, &c.err);
		} else {
			struct strbuf sb = STRBUF_INIT;
			r = checklist_export_csv(view, enc, &sb, &c.err);
			if (r == 0 && !strcmp(out, "-"))
				fwrite(sb.buf, 1, sb.len, stdout);
			else if (r == 0)
				r = fileio_write_atomic(out, sb.buf, sb.len, &c.err);
			strbuf_release(&sb);
		}
	}
	if (r < 0)
		rc = cli_fail(&c.err);
	else if (strcmp(out, "-"))
		fprintf(stderr, "%s に書き出しました\n", out);
done:
	json_decref(view);
	ctx_release(&c);
	return rc;
}

/*
 * Asks on the terminal; false without one (scripts say --yes), on EOF and
 * on anything but y / yes / はい.
 */
static bool confirm(const char *question)
{
	char line[64];

	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO))
		return false;
	fputs(question, stdout);
	fflush(stdout);
	if (!fgets(line, sizeof(line), stdin))
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return !strcasecmp(line, "y") || !strcasecmp(line, "yes") || !strcmp(line, "はい");
}

/* Reads an official workbook into JSON text (*json) after showing the preview. */
static int import_xlsx(const char *path, const char *buf, size_t len, const char *edition,
		       int fy, int form, char **json, char **sha, struct mamori_err *err)
{
	struct checklist_xlsx_options opt = CHECKLIST_XLSX_OPTIONS_INIT;
	struct checklist_xlsx x;
	struct strbuf sb = STRBUF_INIT;
	int r;

	opt.file_name = path;
	opt.edition = edition;
	opt.fiscal_year = fy;
	opt.form = form;
	r = checklist_xlsx_read(buf, len, &opt, &x, err);
	if (r < 0)
		return mamori_err_prefix(err, "%s", path);
	checklist_xlsx_preview(&x, &sb);
	fwrite(sb.buf, 1, sb.len, stdout);
	if (!x.known)
		printf("注意: この xlsx は既知の公式ファイルと一致しません (SHA-256 %s)。"
		       "MHLW のページから取得し直したファイルか確認してください。"
		       "取り込んだ文言は「文言未確認」として表示されます。\n",
		       x.sha256);
	*json = checklist_edition_to_json(&x.edition);
	*sha = xstrdup(x.sha256);
	strbuf_release(&sb);
	checklist_xlsx_release(&x);
	return 0;
}

int checklist_cli_import_edition(struct cli *cli, int argc, char **argv)
{
	static const struct option opts[] = { { "yes", no_argument, NULL, 'y' },
					       { "edition", required_argument, NULL, 'E' },
					       { "year", required_argument, NULL, OPT_YEAR },
					       { "form", required_argument, NULL, 'F' },
					       { NULL, 0, NULL, 0 } };
	const char *usage = "mamori checklist import-edition FILE.xlsx|FILE.json [--yes] "
			    "[--edition r8 --year 2026 --form iryo_yakkyoku|jigyosha|…]\n"
			    "  公式の xlsx は SHA-256 で照合します。知らないファイルには --edition と --year が必要です";
	struct checklist_problems problems = { 0 };
	struct sheet_ctx c = { 0 };
	struct checklist_edition e = CHECKLIST_EDITION_INIT;
	const char *edition = NULL;
	char *buf = NULL, *name = NULL, *json = NULL, *sha = NULL;
	size_t len = 0;
	int opt, rc = 0, yes = 0, form = -1, r;

	while ((opt = cli_getopt(argc, argv, "y", opts)) != -1) {
		if (opt == 'y') {
			yes = 1;
		} else if (opt == 'E') {
			edition = optarg;
		} else if (opt == 'F') {
			if ((form = checklist_form_parse(optarg)) < 0)
				return cli_usage_error(usage, "様式「%s」はありません", optarg);
		} else if (opt == OPT_YEAR) {
			if (sheet_option(&c, opt) < 0)
				return cli_usage_error(usage, "--year の値が正しくありません");
		} else {
			return cli_usage_error(usage, "オプションが正しくありません");
		}
	}
	if (argc - optind != 1)
		return cli_usage_error(usage, "取り込むファイルを1つ指定してください");
	if (fileio_read_all(argv[optind], CHECKLIST_XLSX_FILE_MAX, &buf, &len, &c.err) < 0)
		return cli_fail(&c.err);
	if (len >= 4 && !memcmp(buf, "PK\x03\x04", 4)) {
		r = import_xlsx(argv[optind], buf, len, edition, c.fy, form, &json, &sha, &c.err);
		if (r < 0) {
			rc = cli_fail(&c.err);
			goto out;
		}
	} else {
		if (len > CHECKLIST_FILE_MAX) {
			rc = cli_usage_error(NULL, "%s: JSON の版のファイルは %u バイトまでです", argv[optind],
					     CHECKLIST_FILE_MAX);
			goto out;
		}
		json = xstrndup(buf, len);
	}
	r = checklist_catalog_load_buffer(argv[optind], json, strlen(json), &e, &problems, &c.err);
	for (size_t i = 0; i < problems.nr; i++)
		fprintf(stderr, "%s\n", problems.msgs[i]);
	if (problems.total > problems.nr)
		fprintf(stderr, "(ほか %zu 件)\n", problems.total - problems.nr);
	if (r < 0) {
		rc = cli_fail(&c.err);
		goto out;
	}
	{
		size_t unconfirmed = 0;
		char y[32];
		for (size_t i = 0; i < e.nr_items; i++)
			unconfirmed += checklist_item_wording_unconfirmed(&e.items[i]);
		printf("%s %s (%s) %s-%s: 大項目 %zu、項目 %zu (文言未確認 %zu)\n", e.title,
		       checklist_form_label(e.form), reiwa(e.fiscal_year, y, sizeof(y)), e.edition,
		       checklist_form_name(e.form), e.nr_sections, e.nr_items, unconfirmed);
	}
	if (!yes && !confirm("この内容で取り込みますか? [y/N] ")) {
		printf("取り込みませんでした。内容を確認し、取り込むには --yes を付けて実行してください\n");
		goto out;
	}
	if ((rc = ctx_open(cli, &c)))
		goto out;
	if (store_begin(c.st, &c.err) < 0) {
		rc = cli_fail(&c.err);
		goto out;
	}
	rc = in_tx(&c, checklist_edition_import(c.st, cli->actor, json, strlen(json), argv[optind],
						sha, &name, &problems, &c.err));
	if (!rc)
		printf("%s を取り込みました\n", name);
out:
	free(name);
	free(buf);
	free(json);
	free(sha);
	checklist_edition_release(&e);
	checklist_problems_release(&problems);
	ctx_release(&c);
	return rc;
}
