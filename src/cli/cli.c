/*
 * cli.c - shared helpers of the command implementations (see cli.h).
 */
#include "common.h"
#include "cli.h"
#include "csv.h"
#include "norm.h"
#include "store.h"
#include "strbuf.h"

#include <unistd.h>

int cli_open_store(struct cli *cli, struct store **st, int create)
{
	struct mamori_err err = { 0 };
	int r = store_open(st, "sqlite", cli->db_path, create ? STORE_CREATE : 0, &err);

	return r < 0 ? cli_fail(&err) : 0;
}

int cli_fail(const struct mamori_err *err)
{
	fprintf(stderr, "mamori: %s\n", err->msg[0] ? err->msg : "エラーが発生しました");
	return mamori_exit_code(err->code ? err->code : MAMORI_EIO);
}

int cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs("mamori: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (usage)
		fprintf(stderr, "使い方: %s\n", usage);
	return 2;
}

int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts)
{
	opterr = 1;
	return getopt_long(argc, argv, shortopts, longopts, NULL);
}

int cli_dispatch(struct cli *cli, const char *group, const struct cli_command *cmds, int argc,
		 char **argv)
{
	if (argc < 1 || !strcmp(argv[0], "help") || !strcmp(argv[0], "--help") ||
	    !strcmp(argv[0], "-h")) {
		FILE *out = argc < 1 ? stderr : stdout;
		fprintf(out, "使い方: mamori %s <サブコマンド> [オプション]\n\n", group);
		for (const struct cli_command *c = cmds; c->name; c++)
			fprintf(out, "  %-10s %s\n", c->name, c->summary);
		return argc < 1 ? 2 : 0;
	}
	for (const struct cli_command *c = cmds; c->name; c++)
		if (!strcmp(c->name, argv[0])) {
			optind = 0; /* full getopt reset for the subcommand */
			return c->fn(cli, argc, argv);
		}
	return cli_usage_error(NULL, "「%s %s」というサブコマンドはありません (mamori %s help)",
			       group, argv[0], group);
}

int cli_page_option(const char *usage, int ch, const char *arg, int64_t *limit, int64_t *offset)
{
	char *end;
	long long v = strtoll(arg, &end, 10);

	assert(ch == 'L' || ch == 'O');
	if (*end || end == arg || v < 0 || (ch == 'L' && v == 0))
		return cli_usage_error(usage, "--%s の値が正しくありません: %s",
				       ch == 'L' ? "limit" : "offset", arg);
	*(ch == 'L' ? limit : offset) = v;
	return 0;
}

int cli_progress_enabled(void)
{
	static int tty = -1; /* asked once: it is called per row of long listings */

	if (tty < 0)
		tty = isatty(2);
	return tty;
}

void cli_progress(size_t n, size_t total, void *what)
{
	if (!cli_progress_enabled())
		return;
	if (total)
		fprintf(stderr, "\r%s %zu / %zu", (const char *)what, n, total);
	else
		fprintf(stderr, "\r%s %zu", (const char *)what, n);
	if (n >= total)
		fputs("\r\033[K", stderr);
	fflush(stderr);
}

void cli_print_json(json_t *j)
{
	json_dumpf(j, stdout, JSON_INDENT(2));
	putchar('\n');
	json_decref(j);
}

int cli_parse_format(const char *s, enum cli_format *out)
{
	if (!strcmp(s, "table"))
		*out = CLI_FORMAT_TABLE;
	else if (!strcmp(s, "csv"))
		*out = CLI_FORMAT_CSV;
	else if (!strcmp(s, "json"))
		*out = CLI_FORMAT_JSON;
	else
		return cli_usage_error(NULL, "--format は table / csv / json のいずれかです: %s", s);
	return 0;
}

void cli_table_init(struct cli_table *t, size_t ncols, size_t maxwidth)
{
	memset(t, 0, sizeof(*t));
	t->ncols = ncols;
	t->maxwidth = maxwidth;
}

void cli_table_add(struct cli_table *t, const char *const *cells)
{
	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->cells = xrealloc(t->cells, t->cap * t->ncols * sizeof(char *));
	}
	for (size_t i = 0; i < t->ncols; i++)
		t->cells[t->nrows * t->ncols + i] = xstrdup(cells[i] ? cells[i] : "");
	t->nrows++;
}

/* Cuts s to at most width display columns, ending with "…" when cut. */
static char *fit(const char *s, size_t width)
{
	struct strbuf sb = STRBUF_INIT;
	size_t w = 0;

	if (norm_display_width(s) <= width)
		return xstrdup(s);
	for (const char *p = s; *p;) {
		size_t n = 1;
		while ((p[n] & 0xC0) == 0x80)
			n++;
		char ch[8] = { 0 };
		memcpy(ch, p, n < sizeof(ch) ? n : sizeof(ch) - 1);
		size_t cw = norm_display_width(ch);
		if (w + cw + 1 > width)
			break;
		strbuf_add(&sb, p, n);
		w += cw;
		p += n;
	}
	strbuf_addstr(&sb, "…");
	return strbuf_detach(&sb, NULL);
}

void cli_table_print(const struct cli_table *t, FILE *out)
{
	size_t *width = xcalloc(t->ncols, sizeof(size_t));

	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; c < t->ncols; c++) {
			size_t w = norm_display_width(t->cells[r * t->ncols + c]);
			if (w > t->maxwidth)
				w = t->maxwidth;
			if (w > width[c])
				width[c] = w;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			char *cell = fit(t->cells[r * t->ncols + c], t->maxwidth);
			fputs(cell, out);
			if (c + 1 < t->ncols)
				for (size_t pad = norm_display_width(cell); pad < width[c] + 2; pad++)
					fputc(' ', out);
			free(cell);
		}
		fputc('\n', out);
	}
	free(width);
}

void cli_table_print_csv(const struct cli_table *t, FILE *out)
{
	struct strbuf sb = STRBUF_INIT;

	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; c < t->ncols; c++) {
			if (c)
				strbuf_addch(&sb, ',');
			csv_write_field(&sb, t->cells[r * t->ncols + c], ',');
		}
		strbuf_addstr(&sb, "\r\n");
	}
	fwrite(sb.buf, 1, sb.len, out);
	strbuf_release(&sb);
}

void cli_table_release(struct cli_table *t)
{
	for (size_t i = 0; i < t->nrows * t->ncols; i++)
		free(t->cells[i]);
	free(t->cells);
	memset(t, 0, sizeof(*t));
}

void cli_table_finish(struct cli_table *t, enum cli_format fmt, int counted)
{
	if (fmt == CLI_FORMAT_CSV) {
		cli_table_print_csv(t, stdout);
	} else {
		cli_table_print(t, stdout);
		if (counted)
			printf("(%zu 件)\n", t->nrows ? t->nrows - 1 : 0);
	}
	cli_table_release(t);
}

json_t *cli_kv_args(int argc, char **argv, int from, const char *usage)
{
	json_t *o = json_object();

	for (int i = from; i < argc; i++) {
		const char *eq = strchr(argv[i], '=');
		if (!eq || eq == argv[i]) {
			cli_usage_error(usage, "「%s」は 項目=値 の形で指定してください", argv[i]);
			json_decref(o);
			return NULL;
		}
		char *k = xstrndup(argv[i], (size_t)(eq - argv[i]));
		json_object_set_new(o, k, json_string(eq + 1));
		free(k);
	}
	return o;
}

int cli_list(struct cli *cli, int argc, char **argv, const struct cli_list *l)
{
	static const struct option opts[] = { { "format", required_argument, NULL, 'f' },
					      { NULL, 0, NULL, 0 } };
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct mamori_err err = { 0 };
	struct store *st = NULL;
	json_t *list = NULL, *v;
	size_t i;
	int opt, rc;

	while ((opt = cli_getopt(argc, argv, "f:", opts)) != -1)
		if (opt != 'f' || cli_parse_format(optarg, &fmt) < 0)
			return cli_usage_error(l->usage, "オプションが正しくありません");
	if (optind < argc)
		return cli_usage_error(l->usage, "余分な引数があります: %s", argv[optind]);
	if ((rc = cli_open_store(cli, &st, 0)))
		return rc;
	if (l->load(st, &list, &err) < 0) {
		rc = cli_fail(&err);
	} else if (fmt == CLI_FORMAT_JSON) {
		cli_print_json(list);
		list = NULL;
	} else {
		struct cli_table t;
		cli_table_init(&t, l->ncols, fmt == CLI_FORMAT_CSV ? 100000 : l->maxwidth);
		cli_table_add(&t, l->head);
		json_array_foreach(list, i, v)
			l->row(&t, v);
		cli_table_finish(&t, fmt, l->counted);
	}
	json_decref(list);
	store_close(st);
	return rc;
}
