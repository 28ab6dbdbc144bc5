/*
 * eos.c - end-of-support catalog: the endoflife.date product-file parser,
 * the catalog loader and the matcher from ledger text to a release.
 *
 * Parsing: the YAML front matter (between the first two "---" lines) is
 * read with libyaml's event API.  Only the fields mamori uses are stored;
 * everything else is skipped.  Every input is bounded (file size, string
 * length, number of releases, nesting depth) and every problem becomes
 * MAMORI_EINVAL "FILE:LINE: reason" using libyaml's mark.  Aliases are not
 * expanded (the event API never does), so alias bombs cost nothing.
 *
 * Matching: the text is normalised (norm_text: full-width to half-width),
 * lower-cased and split into tokens ("Win10Pro" -> win 10 pro, "CentOS7" ->
 * centos 7, while "22H2", "R2" and "U3" stay whole).  A table of product
 * words picks the product; a per-family rule picks the cycle.  See eos.h.
 */
#include "common.h"

#include <yaml.h>

#include "eos.h"
#include "fileio.h"
#include "norm.h"
#include "strbuf.h"

/* ---------------------------------------------------------------- parser */

struct yparse {
	yaml_parser_t p;
	yaml_event_t ev;
	int have_ev;
	int depth;
	const char *name;
	size_t line_base; /* file line of the front matter's first line, minus 1 */
	struct mamori_err *err;
};

static int yp_fail(struct yparse *y, size_t line0, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int yp_fail(struct yparse *y, size_t line0, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mamori_err_set(y->err, MAMORI_EINVAL, "%s:%zu: %s", y->name,
			      line0 + y->line_base + 1, msg);
}

static size_t yp_line(const struct yparse *y)
{
	return y->have_ev ? y->ev.start_mark.line : y->p.mark.line;
}

/* Reads the next event into y->ev (freeing the previous one). */
static int yp_next(struct yparse *y)
{
	if (y->have_ev) {
		yaml_event_delete(&y->ev);
		y->have_ev = 0;
	}
	if (!yaml_parser_parse(&y->p, &y->ev)) {
		const char *prob = y->p.problem ? y->p.problem : "YAML error";
		size_t line = y->p.problem_mark.line;
		return yp_fail(y, line, "YAML として読めません: %s", prob);
	}
	y->have_ev = 1;
	switch (y->ev.type) {
	case YAML_MAPPING_START_EVENT:
	case YAML_SEQUENCE_START_EVENT:
		if (++y->depth > EOS_DEPTH_MAX)
			return yp_fail(y, yp_line(y), "入れ子が深すぎます (最大 %d)", EOS_DEPTH_MAX);
		break;
	case YAML_MAPPING_END_EVENT:
	case YAML_SEQUENCE_END_EVENT:
		y->depth--;
		break;
	default:
		break;
	}
	return 0;
}

/* Skips the value whose first event is the current one. */
static int yp_skip(struct yparse *y)
{
	int start = y->depth, r;

	if (y->ev.type != YAML_MAPPING_START_EVENT && y->ev.type != YAML_SEQUENCE_START_EVENT)
		return 0;
	while (y->depth >= start) {
		if ((r = yp_next(y)) < 0)
			return r;
		if (y->ev.type == YAML_STREAM_END_EVENT || y->ev.type == YAML_DOCUMENT_END_EVENT)
			return yp_fail(y, yp_line(y), "値が途中で終わっています");
	}
	return 0;
}

/* The current event as a stored string (checked for length and NUL). */
static int yp_string(struct yparse *y, const char *key, char **out)
{
	const char *v;
	size_t n;

	if (y->ev.type != YAML_SCALAR_EVENT)
		return yp_fail(y, yp_line(y), "%s: 文字列ではありません", key);
	v = (const char *)y->ev.data.scalar.value;
	n = y->ev.data.scalar.length;
	if (n > EOS_STR_MAX)
		return yp_fail(y, yp_line(y), "%s: 長すぎます (%zu バイト、最大 %d)", key, n,
			       EOS_STR_MAX);
	if (memchr(v, '\0', n))
		return yp_fail(y, yp_line(y), "%s: NUL 文字を含んでいます", key);
	free(*out);
	*out = xstrndup(v, n);
	return 0;
}

static int is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Parses exactly YYYY-MM-DD (a real calendar day, 1900..2199). */
static int parse_ymd(const char *s, size_t n, int *y, int *m, int *d)
{
	size_t i;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return -1;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return -1;
	*y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	*m = (s[5] - '0') * 10 + (s[6] - '0');
	*d = (s[8] - '0') * 10 + (s[9] - '0');
	if (*y < 1900 || *y > 2199 || *m < 1 || *m > 12 || *d < 1 || *d > days_in(*y, *m))
		return -1;
	return 0;
}

static int yp_when(struct yparse *y, const char *key, struct eos_when *w)
{
	const char *v;
	size_t n;
	int yy, mm, dd;

	if (y->ev.type != YAML_SCALAR_EVENT)
		return yp_fail(y, yp_line(y), "%s: 日付でも true/false でもありません", key);
	v = (const char *)y->ev.data.scalar.value;
	n = y->ev.data.scalar.length;
	memset(w, 0, sizeof(*w));
	if ((n == 4 && !strncasecmp(v, "true", 4))) {
		w->kind = EOS_WHEN_TRUE;
	} else if (n == 5 && !strncasecmp(v, "false", 5)) {
		w->kind = EOS_WHEN_FALSE;
	} else if (parse_ymd(v, n, &yy, &mm, &dd) == 0) {
		w->kind = EOS_WHEN_DATE;
		memcpy(w->date, v, 10);
		w->date[10] = '\0';
	} else {
		char shown[48];
		size_t k = n < 40 ? n : 40, j;

		for (j = 0; j < k; j++)
			shown[j] = (v[j] >= 0x20 && v[j] < 0x7f) ? v[j] : '?';
		shown[k] = '\0';
		return yp_fail(y, yp_line(y),
			       "%s: 日付 (YYYY-MM-DD) でも true/false でもありません: '%s%s'", key,
			       shown, n > 40 ? "..." : "");
	}
	return 0;
}

static void release_free(struct eos_release *r)
{
	free(r->cycle);
	free(r->label);
	free(r->codename);
	free(r->latest);
	free(r->link);
	memset(r, 0, sizeof(*r));
}

static void product_free(struct eos_product *p)
{
	size_t i;

	for (i = 0; i < p->nr_releases; i++)
		release_free(&p->releases[i]);
	free(p->releases);
	free(p->name);
	free(p->title);
	free(p->permalink);
	free(p->category);
	free(p->eol_column);
	free(p->eoas_column);
	free(p->eoes_column);
	memset(p, 0, sizeof(*p));
}

static int parse_release(struct yparse *y, struct eos_release *r)
{
	size_t line = yp_line(y);
	int ret;

	for (;;) {
		char *key = NULL;

		if ((ret = yp_next(y)) < 0)
			return ret;
		if (y->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (y->ev.type != YAML_SCALAR_EVENT)
			return yp_fail(y, yp_line(y), "リリースの項目名が文字列ではありません");
		if (y->ev.data.scalar.length > 64)
			return yp_fail(y, yp_line(y), "リリースの項目名が長すぎます");
		key = xstrndup((const char *)y->ev.data.scalar.value, y->ev.data.scalar.length);
		if ((ret = yp_next(y)) < 0) {
			free(key);
			return ret;
		}
		if (!strcmp(key, "releaseCycle"))
			ret = yp_string(y, key, &r->cycle);
		else if (!strcmp(key, "releaseLabel"))
			ret = yp_string(y, key, &r->label);
		else if (!strcmp(key, "codename"))
			ret = yp_string(y, key, &r->codename);
		else if (!strcmp(key, "latest"))
			ret = yp_string(y, key, &r->latest);
		else if (!strcmp(key, "link"))
			ret = yp_string(y, key, &r->link);
		else if (!strcmp(key, "releaseDate"))
			ret = yp_when(y, key, &r->release_date);
		else if (!strcmp(key, "eoas"))
			ret = yp_when(y, key, &r->eoas);
		else if (!strcmp(key, "eol"))
			ret = yp_when(y, key, &r->eol);
		else if (!strcmp(key, "eoes"))
			ret = yp_when(y, key, &r->eoes);
		else if (!strcmp(key, "lts"))
			ret = yp_when(y, key, &r->lts);
		else
			ret = yp_skip(y);
		free(key);
		if (ret < 0)
			return ret;
	}
	if (!r->cycle || !r->cycle[0])
		return yp_fail(y, line, "releaseCycle がないリリースがあります");
	return 0;
}

static int parse_releases(struct yparse *y, struct eos_product *p)
{
	size_t alloc = 0, i;
	int ret;

	if (y->ev.type != YAML_SEQUENCE_START_EVENT)
		return yp_fail(y, yp_line(y), "releases がリストではありません");
	for (;;) {
		struct eos_release *r;

		if ((ret = yp_next(y)) < 0)
			return ret;
		if (y->ev.type == YAML_SEQUENCE_END_EVENT)
			break;
		if (y->ev.type != YAML_MAPPING_START_EVENT)
			return yp_fail(y, yp_line(y), "releases の要素がマッピングではありません");
		if (p->nr_releases >= EOS_RELEASES_MAX)
			return yp_fail(y, yp_line(y), "リリースが多すぎます (最大 %d)", EOS_RELEASES_MAX);
		if (p->nr_releases == alloc) {
			alloc = alloc ? alloc * 2 : 16;
			p->releases = xrealloc(p->releases, alloc * sizeof(*p->releases));
		}
		r = &p->releases[p->nr_releases++];
		memset(r, 0, sizeof(*r));
		if ((ret = parse_release(y, r)) < 0)
			return ret;
		for (i = 0; i + 1 < p->nr_releases; i++)
			if (!strcmp(p->releases[i].cycle, r->cycle))
				return yp_fail(y, yp_line(y), "releaseCycle '%.64s' が重複しています",
					       r->cycle);
	}
	return 0;
}

/* Replaces every "from" in s by "to"; returns a new string. */
static char *replace_all(const char *s, const char *from, const char *to)
{
	struct strbuf sb = STRBUF_INIT;
	size_t fl = strlen(from);
	const char *q;

	while ((q = strstr(s, from))) {
		strbuf_add(&sb, s, (size_t)(q - s));
		strbuf_addstr(&sb, to);
		s = q + fl;
	}
	strbuf_addstr(&sb, s);
	return strbuf_detach(&sb, NULL);
}

static void finish_labels(struct eos_product *p, const char *tmpl)
{
	size_t i;

	for (i = 0; i < p->nr_releases; i++) {
		struct eos_release *r = &p->releases[i];
		const char *src = r->label ? r->label : tmpl ? tmpl : r->cycle;
		char *a = replace_all(src, "__RELEASE_CYCLE__", r->cycle);
		char *b = replace_all(a, "__CODENAME__", r->codename ? r->codename : "");
		char *c = replace_all(b, " ''", "");
		char *d = replace_all(c, " ()", "");

		free(a);
		free(b);
		free(c);
		free(r->label);
		r->label = d;
	}
}

static int parse_front(struct yparse *y, struct eos_product *p)
{
	char *tmpl = NULL;
	int ret, have_releases = 0;

	if ((ret = yp_next(y)) < 0)
		goto out;
	if (y->ev.type != YAML_STREAM_START_EVENT) {
		ret = yp_fail(y, 0, "YAML の始まりがありません");
		goto out;
	}
	if ((ret = yp_next(y)) < 0)
		goto out;
	if (y->ev.type != YAML_DOCUMENT_START_EVENT) {
		ret = yp_fail(y, yp_line(y), "front matter が空です");
		goto out;
	}
	if ((ret = yp_next(y)) < 0)
		goto out;
	if (y->ev.type != YAML_MAPPING_START_EVENT) {
		ret = yp_fail(y, yp_line(y), "front matter がマッピング (key: value) ではありません");
		goto out;
	}
	for (;;) {
		char *key;

		if ((ret = yp_next(y)) < 0)
			goto out;
		if (y->ev.type == YAML_MAPPING_END_EVENT)
			break;
		if (y->ev.type != YAML_SCALAR_EVENT || y->ev.data.scalar.length > 64) {
			ret = yp_fail(y, yp_line(y), "項目名が短い文字列ではありません");
			goto out;
		}
		key = xstrndup((const char *)y->ev.data.scalar.value, y->ev.data.scalar.length);
		if ((ret = yp_next(y)) < 0) {
			free(key);
			goto out;
		}
		if (!strcmp(key, "title"))
			ret = yp_string(y, key, &p->title);
		else if (!strcmp(key, "permalink"))
			ret = yp_string(y, key, &p->permalink);
		else if (!strcmp(key, "category"))
			ret = yp_string(y, key, &p->category);
		else if (!strcmp(key, "eolColumn"))
			ret = yp_string(y, key, &p->eol_column);
		else if (!strcmp(key, "eoasColumn"))
			ret = yp_string(y, key, &p->eoas_column);
		else if (!strcmp(key, "eoesColumn"))
			ret = yp_string(y, key, &p->eoes_column);
		else if (!strcmp(key, "releaseLabel"))
			ret = yp_string(y, key, &tmpl);
		else if (!strcmp(key, "releases")) {
			if (have_releases)
				ret = yp_fail(y, yp_line(y), "releases が二つあります");
			else
				ret = parse_releases(y, p);
			have_releases = 1;
		} else
			ret = yp_skip(y);
		free(key);
		if (ret < 0)
			goto out;
	}
	if (!have_releases) {
		ret = yp_fail(y, yp_line(y), "releases がありません");
		goto out;
	}
	if (p->nr_releases == 0) {
		ret = yp_fail(y, yp_line(y), "releases が空です");
		goto out;
	}
	finish_labels(p, tmpl);
	ret = 0;
out:
	free(tmpl);
	return ret;
}

/* Finds the line "---" (optionally followed by spaces/CR) starting at or after pos. */
static int is_dashes_line(const char *b, size_t len, size_t pos, size_t *next)
{
	size_t i = pos;

	if (len - pos < 3 || memcmp(b + pos, "---", 3) != 0)
		return 0;
	i += 3;
	while (i < len && (b[i] == ' ' || b[i] == '\t' || b[i] == '\r'))
		i++;
	if (i < len && b[i] != '\n')
		return 0;
	*next = i < len ? i + 1 : i;
	return 1;
}

static char *product_name(const char *name)
{
	const char *base = strrchr(name, '/');
	size_t n;

	base = base ? base + 1 : name;
	n = strlen(base);
	if (n > 3 && !strcmp(base + n - 3, ".md"))
		n -= 3;
	return xstrndup(base, n);
}

int eos_catalog_load_buffer(struct eos_catalog *cat, const char *name, const char *buf,
			    size_t len, struct mamori_err *err)
{
	struct eos_product p;
	struct yparse y;
	size_t start = 0, pos, next = 0, line = 1, fm_end = 0;
	int ret, found = 0;

	memset(&p, 0, sizeof(p));
	if (!name)
		name = "(buffer)";
	if (len > EOS_FILE_MAX)
		return mamori_err_set(err, MAMORI_EINVAL, "%s: ファイルが大きすぎます (最大 %u バイト)",
				      name, EOS_FILE_MAX);
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
		start = 3;
	if (!is_dashes_line(buf, len, start, &next))
		return mamori_err_set(err, MAMORI_EINVAL,
				      "%s:1: 先頭に YAML front matter (---) がありません", name);
	/* find the closing line */
	pos = next;
	while (pos < len) {
		const char *nl;
		size_t after;

		line++;
		if (is_dashes_line(buf, len, pos, &after)) {
			fm_end = pos;
			found = 1;
			break;
		}
		nl = memchr(buf + pos, '\n', len - pos);
		if (!nl)
			break;
		pos = (size_t)(nl - buf) + 1;
	}
	if (!found)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "%s:%zu: front matter の終わり (---) がありません", name, line);

	memset(&y, 0, sizeof(y));
	y.name = name;
	y.line_base = 1;
	y.err = err;
	if (!yaml_parser_initialize(&y.p))
		fatal("libyaml: out of memory");
	yaml_parser_set_input_string(&y.p, (const unsigned char *)buf + next, fm_end - next);
	yaml_parser_set_encoding(&y.p, YAML_UTF8_ENCODING);
	p.name = product_name(name);
	ret = parse_front(&y, &p);
	if (y.have_ev)
		yaml_event_delete(&y.ev);
	yaml_parser_delete(&y.p);
	if (ret < 0)
		goto fail;
	if (!p.title)
		p.title = xstrdup(p.name);
	if (eos_catalog_product(cat, p.name)) {
		ret = mamori_err_set(err, MAMORI_ECONFLICT, "%s: 製品 %s が二つあります", name, p.name);
		goto fail;
	}
	if (cat->nr_products >= EOS_PRODUCTS_MAX) {
		ret = mamori_err_set(err, MAMORI_EINVAL, "%s: 製品が多すぎます", name);
		goto fail;
	}
	cat->products = xrealloc(cat->products, (cat->nr_products + 1) * sizeof(*cat->products));
	cat->products[cat->nr_products++] = p;
	return 0;
fail:
	product_free(&p);
	return ret;
}

void eos_catalog_release(struct eos_catalog *cat)
{
	size_t i;

	if (!cat)
		return;
	for (i = 0; i < cat->nr_products; i++)
		product_free(&cat->products[i]);
	free(cat->products);
	cat->products = NULL;
	cat->nr_products = 0;
}

const struct eos_product *eos_catalog_product(const struct eos_catalog *cat, const char *name)
{
	size_t i;

	if (!cat || !name)
		return NULL;
	for (i = 0; i < cat->nr_products; i++)
		if (!strcmp(cat->products[i].name, name))
			return &cat->products[i];
	return NULL;
}

int eos_catalog_load_dir(const char *dir, struct eos_catalog *cat, struct mamori_err *err)
{
	struct eos_catalog tmp = EOS_CATALOG_INIT;
	char **names = NULL;
	size_t nr = 0, i;
	int ret;

	ret = fileio_list_dir(dir, ".md", EOS_PRODUCTS_MAX + 1, &names, &nr, err);
	if (ret < 0)
		return ret;
	for (i = 0; i < nr && ret == 0; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		char *data = NULL;
		size_t len = 0;

		if (!strcmp(names[i], "README.md")) { /* the catalog's own notes */
			free(path);
			continue;
		}
		ret = fileio_read_all(path, EOS_FILE_MAX, &data, &len, err);
		if (ret == 0)
			ret = eos_catalog_load_buffer(&tmp, path, data, len, err);
		free(data);
		free(path);
	}
	if (ret == 0 && tmp.nr_products == 0)
		ret = mamori_err_set(err, MAMORI_EINVAL, "%s: 製品ファイル (*.md) がありません", dir);
	fileio_names_free(names, nr);
	if (ret < 0) {
		eos_catalog_release(&tmp);
		return ret;
	}
	eos_catalog_release(cat);
	*cat = tmp;
	return 0;
}

/* ---------------------------------------------------------------- status */

enum eos_status eos_status_of(const struct eos_match *m, const char *today)
{
	char plus[32];
	int y, mo, d;

	if (!m || !m->release || !today || parse_ymd(today, strlen(today), &y, &mo, &d))
		return EOS_UNKNOWN;
	switch (m->eol.kind) {
	case EOS_WHEN_TRUE:
		return EOS_ENDED;
	case EOS_WHEN_FALSE:
		return EOS_SUPPORTED;
	case EOS_WHEN_NONE:
		return EOS_UNKNOWN;
	case EOS_WHEN_DATE:
		break;
	}
	if (strcmp(m->eol.date, today) < 0)
		return EOS_ENDED;
	if (mo == 2 && d == 29 && !is_leap(y + 1)) {
		mo = 3;
		d = 1;
	}
	snprintf(plus, sizeof(plus), "%04d-%02d-%02d", y + 1, mo, d);
	if (strcmp(m->eol.date, plus) < 0)
		return EOS_ENDING;
	return EOS_SUPPORTED;
}

const char *eos_status_label(enum eos_status st)
{
	switch (st) {
	case EOS_SUPPORTED:
		return "サポート中";
	case EOS_ENDING:
		return "12か月以内に終了";
	case EOS_ENDED:
		return "サポート終了";
	case EOS_UNKNOWN:
		break;
	}
	return "不明";
}

const char *eos_status_name(enum eos_status st)
{
	switch (st) {
	case EOS_SUPPORTED:
		return "supported";
	case EOS_ENDING:
		return "ending";
	case EOS_ENDED:
		return "ended";
	case EOS_UNKNOWN:
		break;
	}
	return "unknown";
}

/* MATCHER */

#define TOK_MAX 32

struct mtext {
	char *tok[TOK_MAX];
	int n;
	char buf[512];
};

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
	return c >= 'a' && c <= 'z';
}

static int tok_is_num(const char *t)
{
	return is_digit((unsigned char)t[0]);
}

/* "22h2", "21h1": a Windows feature update. */
static int tok_is_feature_h(const char *t)
{
	return strlen(t) == 4 && is_digit(t[0]) && is_digit(t[1]) && t[2] == 'h' && is_digit(t[3]);
}

/* Splits the normalised, lower-cased text into tokens in m->buf. */
static void tokenize(struct mtext *m, const char *s)
{
	size_t o = 0;
	const char *p = s;

	m->n = 0;
	while (*p && m->n < TOK_MAX) {
		const char *st;
		size_t len, i;

		while (*p && !(is_alpha((unsigned char)*p) || is_digit((unsigned char)*p)))
			p++;
		if (!*p)
			break;
		st = p;
		while (*p && (is_alpha((unsigned char)*p) || is_digit((unsigned char)*p) || *p == '.'))
			p++;
		len = (size_t)(p - st);
		while (len && st[len - 1] == '.')
			len--;
		/* split the run at letter/digit changes, keeping 22h2, r2, u3 */
		i = 0;
		while (i < len && m->n < TOK_MAX) {
			size_t j = i + 1;
			int alpha = is_alpha((unsigned char)st[i]);

			if (!alpha && len - i >= 4 && tok_is_feature_h((char[]){ st[i], st[i + 1],
						st[i + 2], i + 3 < len ? st[i + 3] : 0, 0 }) &&
			    (i + 4 == len || !is_digit((unsigned char)st[i + 4]))) {
				j = i + 4;
			} else if (alpha && (st[i] == 'r' || st[i] == 'u') && j < len &&
				   is_digit((unsigned char)st[j]) && (i == 0 || !is_alpha((unsigned char)st[i - 1]))) {
				while (j < len && is_digit((unsigned char)st[j]))
					j++;
			} else {
				while (j < len && (alpha ? is_alpha((unsigned char)st[j])
						      : (is_digit((unsigned char)st[j]) || st[j] == '.')))
					j++;
			}
			if (o + (j - i) + 1 > sizeof(m->buf))
				return;
			memcpy(m->buf + o, st + i, j - i);
			m->buf[o + (j - i)] = '\0';
			m->tok[m->n++] = m->buf + o;
			o += j - i + 1;
			i = j;
			while (i < len && st[i] == '.')
				i++;
		}
	}
}

/* Index of the token sequence "words" (space-separated) in m, or -1. */
static int find_words(const struct mtext *m, const char *words)
{
	char w[64];
	char *parts[8];
	int np = 0, i, k;
	char *q;

	snprintf(w, sizeof(w), "%s", words);
	for (q = w; *q && np < 8;) {
		parts[np++] = q;
		q = strchr(q, ' ');
		if (!q)
			break;
		*q++ = '\0';
	}
	for (i = 0; i + np <= m->n; i++) {
		for (k = 0; k < np; k++)
			if (strcmp(m->tok[i + k], parts[k]))
				break;
		if (k == np)
			return i;
	}
	return -1;
}

static int has_tok(const struct mtext *m, const char *t)
{
	return find_words(m, t) >= 0;
}

enum family {
	F_GENERIC, F_WIN, F_WINSRV, F_SLES, F_MSSQL, F_NONE_SUB,
};

static const struct {
	const char *words;
	const char *product;
	enum family fam;
} product_words[] = {
	{ "windows server", "windows-server", F_WINSRV },
	{ "win server", "windows-server", F_WINSRV },
	{ "winserver", "windows-server", F_WINSRV },
	{ "ws", "windows-server", F_WINSRV },
	{ "windows embedded", "windows-embedded", F_GENERIC },
	{ "internet explorer", "internet-explorer", F_GENERIC },
	{ "ie", "internet-explorer", F_GENERIC },
	{ "sql server", "mssqlserver", F_MSSQL },
	{ "sqlserver", "mssqlserver", F_MSSQL },
	{ "mssql", "mssqlserver", F_MSSQL },
	{ "office 365", "office", F_NONE_SUB },
	{ "microsoft 365", "office", F_NONE_SUB },
	{ "m365", "office", F_NONE_SUB },
	{ "office", "office", F_GENERIC },
	{ "exchange", "msexchange", F_GENERIC },
	{ "sharepoint", "sharepoint", F_GENERIC },
	{ "windows", "windows", F_WIN },
	{ "win", "windows", F_WIN },
	{ "red hat", "rhel", F_GENERIC },
	{ "redhat", "rhel", F_GENERIC },
	{ "rhel", "rhel", F_GENERIC },
	{ "centos stream", "centos-stream", F_GENERIC },
	{ "centos", "centos", F_GENERIC },
	{ "rocky", "rocky-linux", F_GENERIC },
	{ "almalinux", "almalinux", F_GENERIC },
	{ "alma", "almalinux", F_GENERIC },
	{ "oracle linux", "oracle-linux", F_GENERIC },
	{ "oracle", "oracle-database", F_GENERIC },
	{ "ubuntu", "ubuntu", F_GENERIC },
	{ "debian", "debian", F_GENERIC },
	{ "sles", "sles", F_SLES },
	{ "suse", "sles", F_SLES },
	{ "macos", "macos", F_GENERIC },
	{ "mac", "macos", F_GENERIC },
	{ "osx", "macos", F_GENERIC },
	{ "os x", "macos", F_GENERIC },
	{ "esxi", "vmware-esxi", F_GENERIC },
	{ "esx", "vmware-esxi", F_GENERIC },
	{ "vcenter", "vmware-vcenter", F_GENERIC },
	{ "fortios", "fortios", F_GENERIC },
	{ "fortigate", "fortios", F_GENERIC },
	{ "pan os", "pan-os", F_GENERIC },
	{ "panos", "pan-os", F_GENERIC },
	{ "ios xe", "cisco-ios-xe", F_GENERIC },
	{ "iosxe", "cisco-ios-xe", F_GENERIC },
	{ "postgresql", "postgresql", F_GENERIC },
	{ "postgres", "postgresql", F_GENERIC },
	{ "mysql", "mysql", F_GENERIC },
	{ "mariadb", "mariadb", F_GENERIC },
	{ "amazon linux", "amazon-linux", F_GENERIC },
	{ "proxmox", "proxmox-ve", F_GENERIC },
	{ "android", "android", F_GENERIC },
	{ "ipados", "ipados", F_GENERIC },
	{ "ios", "ios", F_GENERIC },
	{ "tomcat", "tomcat", F_GENERIC },
	{ "nginx", "nginx", F_GENERIC },
	{ "php", "php", F_GENERIC },
	{ "openssl", "openssl", F_GENERIC },
	{ "chrome", "chrome", F_GENERIC },
	{ "firefox", "firefox", F_GENERIC },
	{ "routeros", "routeros", F_GENERIC },
	{ "ontap", "netapp-ontap", F_GENERIC },
	{ "veeam", "veeam-backup-and-replication", F_GENERIC },
};

static const struct eos_release *find_cycle(const struct eos_product *p, const char *cycle)
{
	size_t i;

	for (i = 0; i < p->nr_releases; i++)
		if (!strcasecmp(p->releases[i].cycle, cycle))
			return &p->releases[i];
	return NULL;
}

/* Newer release date wins; a release without a date loses. */
static int newer(const struct eos_release *a, const struct eos_release *b)
{
	if (!b)
		return 1;
	if (a->release_date.kind != EOS_WHEN_DATE)
		return 0;
	if (b->release_date.kind != EOS_WHEN_DATE)
		return 1;
	return strcmp(a->release_date.date, b->release_date.date) > 0;
}

static int ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	return n >= k && !strcmp(s + n - k, suf);
}

static int set_result(struct eos_match *out, const struct eos_product *p,
		      const struct eos_release *r)
{
	out->product = p;
	out->release = r;
	out->cycle = r->cycle;
	out->label = r->label;
	out->eoas = r->eoas;
	out->eol = r->eol;
	out->eoes = r->eoes;
	return 0;
}

static int no_match(struct eos_match *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int no_match(struct eos_match *out, const char *fmt, ...)
{
	va_list ap;

	memset(out, 0, sizeof(*out));
	va_start(ap, fmt);
	vsnprintf(out->reason, sizeof(out->reason), fmt, ap);
	va_end(ap);
	return 1;
}

static void add_reason(struct eos_match *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void add_reason(struct eos_match *out, const char *fmt, ...)
{
	size_t n = strlen(out->reason);
	va_list ap;

	if (n >= sizeof(out->reason) - 1)
		return;
	va_start(ap, fmt);
	vsnprintf(out->reason + n, sizeof(out->reason) - n, fmt, ap);
	va_end(ap);
}

/* First numeric token at or after from (then anywhere), or NULL. */
static const char *first_num(const struct mtext *m, int from)
{
	int i;

	for (i = from < 0 ? 0 : from; i < m->n; i++)
		if (tok_is_num(m->tok[i]))
			return m->tok[i];
	for (i = 0; i < m->n && i < from; i++)
		if (tok_is_num(m->tok[i]))
			return m->tok[i];
	return NULL;
}

/* "10.0.19045.3803" -> "10.0.19045" when it looks like a Windows build. */
static int windows_build(const struct mtext *m, char out[32])
{
	int i;

	for (i = 0; i < m->n; i++) {
		const char *t = m->tok[i];
		const char *d1 = strchr(t, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL, *d3;
		size_t n;

		if (!tok_is_num(t) || !d2 || strlen(d2 + 1) < 4)
			continue;
		d3 = strchr(d2 + 1, '.');
		n = d3 ? (size_t)(d3 - t) : strlen(t);
		if (n >= 32)
			continue;
		memcpy(out, t, n);
		out[n] = '\0';
		return 1;
	}
	return 0;
}

enum wed { WED_NONE, WED_W, WED_E, WED_LTS, WED_IOT };

static enum wed windows_edition(const struct mtext *m)
{
	int lts = has_tok(m, "ltsc") || has_tok(m, "ltsb") || has_tok(m, "lts");

	if (lts && has_tok(m, "iot"))
		return WED_IOT;
	if (lts)
		return WED_LTS;
	if (has_tok(m, "enterprise") || has_tok(m, "education") || has_tok(m, "ent") ||
	    has_tok(m, "edu") || has_tok(m, "iot"))
		return WED_E;
	if (has_tok(m, "home") || has_tok(m, "pro") || has_tok(m, "professional") ||
	    has_tok(m, "pro.") || has_tok(m, "workstations"))
		return WED_W;
	return WED_NONE;
}

/* Does the release's cycle suffix suit the edition? */
static int cycle_suits(const char *cycle, enum wed ed)
{
	int lts = ends_with(cycle, "-lts"), iot = strstr(cycle, "-iot") != NULL;
	int w = ends_with(cycle, "-w"), e = ends_with(cycle, "-e");

	switch (ed) {
	case WED_IOT:
		return lts || iot;
	case WED_LTS:
		return lts && !iot;
	case WED_E:
		return !lts && !iot && !w;
	case WED_W:
	case WED_NONE:
		return !lts && !iot && !e;
	}
	return 0;
}

static const struct eos_release *windows_pick(const struct eos_product *p, const char *prefix,
					      enum wed ed)
{
	static const char *const sfx_w[] = { "-w", "", NULL };
	static const char *const sfx_e[] = { "-e", "", NULL };
	static const char *const sfx_lts[] = { "-e-lts", "-lts", NULL };
	static const char *const sfx_iot[] = { "-iot-lts", "-e-lts", "-iot", NULL };
	const char *const *sfx = ed == WED_E ? sfx_e : ed == WED_LTS ? sfx_lts
			       : ed == WED_IOT ? sfx_iot : sfx_w;
	char c[64];

	for (; *sfx; sfx++) {
		const struct eos_release *r;

		snprintf(c, sizeof(c), "%s%s", prefix, *sfx);
		if ((r = find_cycle(p, c)))
			return r;
	}
	return NULL;
}

static int match_windows_build(const struct eos_catalog *cat, const char *build, int server,
			       enum wed ed, struct eos_match *out)
{
	const char *names[2] = { server ? "windows-server" : "windows",
				 server ? "windows" : "windows-server" };
	int k;

	for (k = 0; k < 2; k++) {
		const struct eos_product *p = eos_catalog_product(cat, names[k]);
		const struct eos_release *best = NULL, *any = NULL;
		size_t i;

		if (!p)
			continue;
		for (i = 0; i < p->nr_releases; i++) {
			const struct eos_release *r = &p->releases[i];

			if (!r->latest || strcmp(r->latest, build))
				continue;
			if (!any || newer(r, any))
				any = r;
			if (cycle_suits(r->cycle, ed) && (!best || newer(r, best)))
				best = r;
		}
		if (!best)
			best = any;
		if (best) {
			set_result(out, p, best);
			snprintf(out->reason, sizeof(out->reason), "ビルド番号 %s から %s と判断しました",
				 build, best->label);
			return 0;
		}
	}
	return no_match(out, "ビルド番号 %s は一覧にありません", build);
}

static const char *ltsc_year_feature(const struct mtext *m)
{
	static const char *const map[][2] = {
		{ "2015", "1507" }, { "2016", "1607" }, { "2019", "1809" },
		{ "2021", "21h2" }, { "2024", "24h2" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (has_tok(m, map[i][0]))
			return map[i][1];
	return NULL;
}

static const char *win_feature(const struct mtext *m)
{
	static const char *const four[] = { "1507", "1511", "1607", "1703", "1709", "1803",
					    "1809", "1903", "1909", "2004" };
	int i;
	size_t k;

	for (i = 0; i < m->n; i++) {
		if (tok_is_feature_h(m->tok[i]))
			return m->tok[i];
		for (k = 0; k < ARRAY_SIZE(four); k++)
			if (!strcmp(m->tok[i], four[k]))
				return m->tok[i];
	}
	return NULL;
}

static int match_winsrv(const struct eos_catalog *cat, const struct mtext *m, int at,
			struct eos_match *out);

static int match_windows(const struct eos_catalog *cat, const struct mtext *m, int at,
			 struct eos_match *out)
{
	const struct eos_product *p = eos_catalog_product(cat, "windows");
	const struct eos_release *r = NULL;
	enum wed ed = windows_edition(m);
	const char *major = NULL, *feat;
	char build[32], prefix[64];
	int i;

	if (windows_build(m, build))
		return match_windows_build(cat, build, has_tok(m, "server"), ed, out);
	if (has_tok(m, "xp"))
		major = "5";
	else if (has_tok(m, "vista"))
		major = "6";
	else
		major = first_num(m, at);
	if (!major)
		return no_match(out, "バージョンが書かれていません");
	if (strlen(major) == 4 && major[0] == '2')
		return match_winsrv(cat, m, at, out); /* Win2019 */
	if (!p)
		return no_match(out, "一覧に Windows のデータがありません");
	if (!strcmp(major, "10") || !strcmp(major, "11")) {
		feat = win_feature(m);
		if (!feat && (ed == WED_LTS || ed == WED_IOT))
			feat = ltsc_year_feature(m);
		if (feat) {
			snprintf(prefix, sizeof(prefix), "%s-%s", major, feat);
			r = windows_pick(p, prefix, ed);
			if (!r)
				return no_match(out, "Windows %s %s は一覧にありません", major, feat);
			set_result(out, p, r);
			snprintf(out->reason, sizeof(out->reason), "Windows %s と判断しました", r->label);
		} else {
			size_t k;

			snprintf(prefix, sizeof(prefix), "%s-", major);
			for (k = 0; k < p->nr_releases; k++) {
				const struct eos_release *c = &p->releases[k];

				if (!strncmp(c->cycle, prefix, strlen(prefix)) &&
				    cycle_suits(c->cycle, ed) && newer(c, r))
					r = c;
			}
			if (!r)
				return no_match(out, "Windows %s は一覧にありません", major);
			set_result(out, p, r);
			out->assumed = 1;
			snprintf(out->reason, sizeof(out->reason),
				 "機能更新 (22H2 など) が書かれていないため、最新の %s とみなしました",
				 r->label);
		}
		if (ed == WED_NONE && (ends_with(r->cycle, "-w"))) {
			out->assumed = 1;
			add_reason(out, "。エディションが書かれていないため Home/Pro とみなしました");
		}
		return 0;
	}
	/* 8.1, 8, 7, 6 (Vista), 5 (XP): cycle == major or major-... */
	r = find_cycle(p, major);
	if (!r) {
		size_t k, n = strlen(major);

		for (k = 0; k < p->nr_releases; k++) {
			const struct eos_release *c = &p->releases[k];

			if (!strncmp(c->cycle, major, n) && c->cycle[n] == '-' && newer(c, r))
				r = c;
		}
	}
	if (!r) {
		for (i = 0; i < m->n; i++)
			if (!strcmp(m->tok[i], "server"))
				return match_winsrv(cat, m, at, out);
		return no_match(out, "Windows %s は一覧にありません", major);
	}
	set_result(out, p, r);
	snprintf(out->reason, sizeof(out->reason), "Windows %s と判断しました", r->label);
	return 0;
}

static int match_winsrv(const struct eos_catalog *cat, const struct mtext *m, int at,
			struct eos_match *out)
{
	const struct eos_product *p = eos_catalog_product(cat, "windows-server");
	const struct eos_release *r = NULL;
	const char *year = NULL;
	char build[32], want[32];
	int i, r2;

	if (windows_build(m, build))
		return match_windows_build(cat, build, 1, WED_NONE, out);
	if (!p)
		return no_match(out, "一覧に Windows Server のデータがありません");
	for (i = 0; i < m->n; i++) {
		const char *t = m->tok[i];

		if (strlen(t) == 4 && (t[0] == '2' || t[0] == '1') && is_digit(t[1]) && is_digit(t[2]) &&
		    is_digit(t[3])) {
			year = t;
			break;
		}
		if (tok_is_feature_h(t)) {
			year = t;
			break;
		}
	}
	if (!year)
		return no_match(out, "バージョン (2019 など) が書かれていません");
	r2 = has_tok(m, "r2");
	snprintf(want, sizeof(want), "%s%s", year, r2 ? "-r2" : "");
	r = find_cycle(p, want);
	if (!r) {
		size_t k, n = strlen(want);

		for (k = 0; k < p->nr_releases; k++) {
			const struct eos_release *c = &p->releases[k];

			if (strncmp(c->cycle, want, n) || c->cycle[n] != '-')
				continue;
			if (!r2 && strstr(c->cycle, "-r2"))
				continue;
			if (newer(c, r))
				r = c;
		}
	}
	if (!r)
		return no_match(out, "Windows Server %s%s は一覧にありません", year, r2 ? " R2" : "");
	set_result(out, p, r);
	snprintf(out->reason, sizeof(out->reason), "%s と判断しました", r->label);
	return 0;
}

/* Truncates a dotted version to k components into out. */
static void trunc_ver(const char *v, int k, char *out, size_t outsz)
{
	size_t i = 0;
	int dots = 0;

	while (v[i] && i + 1 < outsz) {
		if (v[i] == '.' && ++dots == k)
			break;
		i++;
	}
	memcpy(out, v, i);
	out[i] = '\0';
}

static int match_generic(const struct eos_product *p, const struct mtext *m, int at,
			 struct eos_match *out)
{
	const struct eos_release *r = NULL;
	const char *v = first_num(m, at);
	char c[64];
	int k;

	if (!v) {
		/* a code name: "macOS Sonoma", "Debian bookworm" */
		size_t j;
		int i;

		for (j = 0; j < p->nr_releases && !r; j++) {
			const char *cn = p->releases[j].codename;

			if (!cn)
				continue;
			for (i = 0; i < m->n; i++)
				if (!strncasecmp(cn, m->tok[i], strlen(m->tok[i])) &&
				    strlen(m->tok[i]) >= 4 &&
				    (cn[strlen(m->tok[i])] == '\0' || cn[strlen(m->tok[i])] == ' '))
					r = &p->releases[j];
		}
		if (!r)
			return no_match(out, "バージョンが書かれていません");
		set_result(out, p, r);
		snprintf(out->reason, sizeof(out->reason), "コード名から %s %s と判断しました",
			 p->title, r->label);
		return 0;
	}
	for (k = 3; k >= 1 && !r; k--) {
		trunc_ver(v, k, c, sizeof(c));
		r = find_cycle(p, c);
	}
	if (!r) {
		trunc_ver(v, 1, c, sizeof(c));
		size_t n = strlen(c);
		char c0[72];

		snprintf(c0, sizeof(c0), "%s.0", c);
		r = find_cycle(p, c0);
		if (!r) {
			/* "Oracle 12c", "SLES 15": the newest c.x, said so */
			size_t j;

			for (j = 0; j < p->nr_releases; j++) {
				const struct eos_release *e = &p->releases[j];

				if (!strncmp(e->cycle, c, n) && e->cycle[n] == '.' && newer(e, r))
					r = e;
			}
			if (r) {
				set_result(out, p, r);
				out->assumed = 1;
				snprintf(out->reason, sizeof(out->reason),
					 "細かい版が書かれていないため、最新の %s %s とみなしました",
					 p->title, r->label);
				return 0;
			}
		}
	}
	if (!r) {
		/* label match: Oracle "19c", Office "2013" (label "2013 SP1") */
		size_t j, n = strlen(v);

		for (j = 0; j < p->nr_releases && !r; j++) {
			const char *l = p->releases[j].label;

			if (!strncasecmp(l, v, n) && (l[n] == '\0' || l[n] == ' '))
				r = &p->releases[j];
		}
	}
	if (!r)
		return no_match(out, "%s %s は一覧にありません", p->title, v);
	set_result(out, p, r);
	snprintf(out->reason, sizeof(out->reason), "%s %s と判断しました", p->title, r->label);
	return 0;
}

static int match_sles(const struct eos_product *p, const struct mtext *m, int at,
		      struct eos_match *out)
{
	const char *v = first_num(m, at);
	int i;

	for (i = 0; v && !strchr(v, '.') && i + 1 < m->n; i++) {
		if (!strcmp(m->tok[i], "sp") && tok_is_num(m->tok[i + 1])) {
			char c[64];
			const struct eos_release *r;

			snprintf(c, sizeof(c), "%s.%s", v, m->tok[i + 1]);
			r = find_cycle(p, c);
			if (!r)
				return no_match(out, "SLES %s SP%s は一覧にありません", v, m->tok[i + 1]);
			set_result(out, p, r);
			snprintf(out->reason, sizeof(out->reason), "SLES %s と判断しました", r->label);
			return 0;
		}
	}
	if (v && !strchr(v, '.')) {
		/* no SP written: the newest service pack of that version */
		const struct eos_release *r = NULL;
		size_t j, n = strlen(v);

		for (j = 0; j < p->nr_releases; j++) {
			const struct eos_release *e = &p->releases[j];

			if (!strncmp(e->cycle, v, n) && e->cycle[n] == '.' && newer(e, r))
				r = e;
		}
		if (r) {
			set_result(out, p, r);
			out->assumed = 1;
			snprintf(out->reason, sizeof(out->reason),
				 "SP が書かれていないため、最新の %s とみなしました", r->label);
			return 0;
		}
	}
	return match_generic(p, m, at, out);
}

static int match_mssql(const struct eos_product *p, const struct mtext *m, int at,
		       struct eos_match *out)
{
	const struct eos_release *r = NULL;
	const char *year = NULL, *sp = NULL;
	char want[64];
	size_t j, n;
	int i, r2 = has_tok(m, "r2");

	for (i = 0; i < m->n; i++) {
		if (strlen(m->tok[i]) == 4 && m->tok[i][0] == '2' && tok_is_num(m->tok[i]) && !year)
			year = m->tok[i];
		if (!strcmp(m->tok[i], "sp") && i + 1 < m->n && tok_is_num(m->tok[i + 1]))
			sp = m->tok[i + 1];
	}
	if (!year)
		return match_generic(p, m, at, out);
	snprintf(want, sizeof(want), "%s%s", year, r2 ? " R2" : "");
	n = strlen(want);
	for (j = 0; j < p->nr_releases; j++) {
		const struct eos_release *e = &p->releases[j];
		char spw[16];

		if (strncmp(e->label, want, n) || (e->label[n] != '\0' && e->label[n] != ' '))
			continue;
		if (!r2 && !strncmp(e->label + n, " R2", 3))
			continue;
		if (strstr(e->label, "Azure"))
			continue;
		if (sp) {
			snprintf(spw, sizeof(spw), "SP%s", sp);
			if (!strstr(e->label, spw))
				continue;
		}
		if (newer(e, r))
			r = e;
	}
	if (!r)
		return no_match(out, "SQL Server %s は一覧にありません", want);
	set_result(out, p, r);
	if (!sp && strstr(r->label, "SP")) {
		out->assumed = 1;
		snprintf(out->reason, sizeof(out->reason),
			 "SP が書かれていないため、最新の SQL Server %s とみなしました", r->label);
	} else {
		snprintf(out->reason, sizeof(out->reason), "SQL Server %s と判断しました", r->label);
	}
	return 0;
}

int eos_match(const struct eos_catalog *cat, const char *os, const char *os_version,
	      struct eos_match *out)
{
	struct mtext m;
	char *a = norm_text(os), *b = norm_text(os_version);
	char *s = xasprintf("%s %s", a, b);
	const struct eos_product *p;
	char build[32];
	size_t i;
	int at = -1, ret;

	free(a);
	free(b);
	for (i = 0; s[i]; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			s[i] = (char)(s[i] - 'A' + 'a');
	tokenize(&m, s);
	free(s);
	memset(out, 0, sizeof(*out));
	if (m.n == 0)
		return no_match(out, "OS が書かれていません");
	for (i = 0; i < ARRAY_SIZE(product_words); i++) {
		at = find_words(&m, product_words[i].words);
		if (at >= 0)
			break;
	}
	if (at < 0) {
		if (windows_build(&m, build) && !strncmp(build, "10.0.", 5))
			return match_windows_build(cat, build, 0, WED_NONE, out);
		return no_match(out, "知らない製品です");
	}
	at++;
	switch (product_words[i].fam) {
	case F_WIN:
		return match_windows(cat, &m, at, out);
	case F_WINSRV:
		return match_winsrv(cat, &m, at, out);
	case F_NONE_SUB:
		return no_match(out, "サブスクリプション版 (Microsoft 365) には終了日がありません");
	default:
		break;
	}
	p = eos_catalog_product(cat, product_words[i].product);
	if (!p)
		return no_match(out, "一覧にこの製品 (%s) のデータがありません",
				product_words[i].product);
	if (product_words[i].fam == F_SLES)
		ret = match_sles(p, &m, at, out);
	else if (product_words[i].fam == F_MSSQL)
		ret = match_mssql(p, &m, at, out);
	else
		ret = match_generic(p, &m, at, out);
	return ret;
}
