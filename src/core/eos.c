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

#include <dirent.h>
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

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int eos_catalog_load_dir(const char *dir, struct eos_catalog *cat, struct mamori_err *err)
{
	struct eos_catalog tmp = EOS_CATALOG_INIT;
	char **names = NULL;
	size_t nr = 0, alloc = 0, i;
	struct dirent *de;
	DIR *d;
	int ret = 0;

	d = opendir(dir);
	if (!d)
		return mamori_err_set(err, errno == ENOENT ? MAMORI_ENOTFOUND : MAMORI_EIO,
				      "%s: ディレクトリを開けません: %s", dir, strerror(errno));
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (n < 4 || strcmp(de->d_name + n - 3, ".md") || de->d_name[0] == '.' ||
		    !strcmp(de->d_name, "README.md"))
			continue;
		if (nr == alloc) {
			alloc = alloc ? alloc * 2 : 64;
			names = xrealloc(names, alloc * sizeof(*names));
		}
		names[nr++] = xstrdup(de->d_name);
	}
	closedir(d);
	if (nr)
		qsort(names, nr, sizeof(*names), cmp_str);
	for (i = 0; i < nr && ret == 0; i++) {
		char *path = xasprintf("%s/%s", dir, names[i]);
		char *data = NULL;
		size_t len = 0;

		ret = fileio_read_all(path, EOS_FILE_MAX, &data, &len, err);
		if (ret == 0)
			ret = eos_catalog_load_buffer(&tmp, path, data, len, err);
		free(data);
		free(path);
	}
	if (ret == 0 && tmp.nr_products == 0)
		ret = mamori_err_set(err, MAMORI_EINVAL, "%s: 製品ファイル (*.md) がありません", dir);
	for (i = 0; i < nr; i++)
		free(names[i]);
	free(names);
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
