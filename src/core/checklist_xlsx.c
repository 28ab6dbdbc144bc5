/*
 * checklist_xlsx.c - an MHLW checklist workbook into a checklist edition
 * (see checklist_xlsx.h and docs/internals/xlsx-import.md).
 *
 * Steps: hash the file and look it up in known_files[]; read the book
 * (xlsx_read.c, which does all the defending against hostile files); pick
 * the sheet with the most item rows; walk its rows top to bottom with a
 * small state (current section, current device group, last item) and
 * classify each row; then settle what can only be settled at the end (「記
 * 入不要」 notes that name items, items_complete, the edition note).
 *
 * Text from the sheet is only copied, never made up: a row that fits no
 * rule is not guessed at but listed as unplaced with its address.  Every
 * string put into the edition is kept within the catalog's limits
 * (CHECKLIST_STR_MAX, CHECKLIST_LIST_MAX ...) so that the edition passes
 * checklist_catalog_load_buffer() on its own JSON.
 */
#include "common.h"

#include <openssl/evp.h>

#include "checklist_catalog.h"
#include "checklist_export.h"
#include "checklist_xlsx.h"
#include "enc.h"
#include "strbuf.h"
#include "xlsx_read.h"

#define MHLW_PAGE "https://www.mhlw.go.jp/stf/shingi/0000516275_00006.html"

/* reference/checklists-jp.md §8 "Current editions" */
static const struct checklist_xlsx_known known_files[] = {
	{ "001716187.xlsx", "チェックリスト（医療機関・薬局確認用）", 25655,
	  "b811208b1d29fe0f3310adf810aa3b072e6272eb3669de768b79949b6872c987", "r8", 2026,
	  CHECKLIST_FORM_IRYO_YAKKYOKU, MHLW_PAGE },
	{ "001716188.xlsx", "チェックリスト（事業者確認用）", 25018,
	  "e1a2a763c97c5434d53b745c5fc1643a22a9497ea48354182ab6a93df1e881a0", "r8", 2026,
	  CHECKLIST_FORM_JIGYOSHA, MHLW_PAGE },
};

const struct checklist_xlsx_known *checklist_xlsx_known_files(size_t *nr)
{
	*nr = ARRAY_SIZE(known_files);
	return known_files;
}

const struct checklist_xlsx_known *checklist_xlsx_recognise(const char *sha256_hex)
{
	size_t i;

	if (!sha256_hex || strlen(sha256_hex) != 64)
		return NULL;
	for (i = 0; i < ARRAY_SIZE(known_files); i++)
		if (!strcasecmp(known_files[i].sha256, sha256_hex))
			return &known_files[i];
	return NULL;
}

void checklist_xlsx_sha256(const void *buf, size_t len, char out[CHECKLIST_XLSX_SHA256_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	if (!EVP_Digest(buf, len, md, &n, EVP_sha256(), NULL) || n != 32)
		fatal("SHA-256 failed (OpenSSL)");
	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* ------------------------------------------------------------ UTF-8 text */

/* The code point at *p (valid UTF-8 assumed, as the reader guarantees),
 * advancing *p; 0 at the end. */
static unsigned u8_next(const char **p)
{
	const unsigned char *s = (const unsigned char *)*p;
	unsigned c = s[0];

	if (c == 0)
		return 0;
	if (c < 0x80) {
		*p += 1;
		return c;
	}
	if ((c & 0xe0) == 0xc0 && s[1]) {
		*p += 2;
		return (c & 0x1f) << 6 | (s[1] & 0x3f);
	}
	if ((c & 0xf0) == 0xe0 && s[1] && s[2]) {
		*p += 3;
		return (c & 0x0f) << 12 | (s[1] & 0x3f) << 6 | (s[2] & 0x3f);
	}
	if ((c & 0xf8) == 0xf0 && s[1] && s[2] && s[3]) {
		*p += 4;
		return (c & 0x07) << 18 | (s[1] & 0x3f) << 12 | (s[2] & 0x3f) << 6 | (s[3] & 0x3f);
	}
	*p += 1; /* not reached for valid input */
	return 0xfffd;
}

static unsigned u8_peek(const char *p)
{
	return u8_next(&p);
}

static bool is_space(unsigned cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000 || cp == 0xa0;
}

/* 0-9 for ASCII and full-width digits, else -1. */
static int digit_val(unsigned cp)
{
	if (cp >= '0' && cp <= '9')
		return (int)(cp - '0');
	if (cp >= 0xff10 && cp <= 0xff19)
		return (int)(cp - 0xff10);
	return -1;
}

static size_t u8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Byte length of the first max characters of s. */
static size_t u8_prefix(const char *s, size_t max)
{
	const char *p = s;
	size_t n = 0;

	while (*p && n < max) {
		u8_next(&p);
		n++;
	}
	return (size_t)(p - s);
}

/* Largest length <= max that does not cut a UTF-8 sequence of s. */
static size_t u8_cut(const char *s, size_t len, size_t max)
{
	if (len <= max)
		return len;
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	return max;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && !memcmp(s + n - m, suffix, m);
}

/* s[0..len) without surrounding white space (ASCII, U+3000, U+00A0). */
static char *trim_n(const char *s, size_t len)
{
	const char *b = s, *e = s + len, *p;

	for (;;) {
		p = b;
		if (p >= e || !is_space(u8_next(&p)) || p > e)
			break;
		b = p;
	}
	while (e > b) {
		const char *q = e - 1;

		while (q > b && ((unsigned char)*q & 0xc0) == 0x80)
			q--;
		p = q;
		if (!is_space(u8_next(&p)))
			break;
		e = q;
	}
	return xstrndup(b, (size_t)(e - b));
}

static char *trim(const char *s)
{
	return trim_n(s, strlen(s));
}

/* A cell's text as the catalog accepts it: CR LF / CR as "\n", TAB as a
 * space, other control characters dropped, surrounding white space cut. */
static char *clean_text(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	char *t;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\r') {
			strbuf_addch(&sb, '\n');
			if (s[1] == '\n')
				s++;
		} else if (c == '\t') {
			strbuf_addch(&sb, ' ');
		} else if (c == '\n' || (c >= 0x20 && c != 0x7f)) {
			strbuf_addch(&sb, c);
		}
	}
	t = trim_n(sb.buf, sb.len);
	strbuf_release(&sb);
	return t;
}

/* The first max characters of s on one line, "…" when cut. */
static char *excerpt(const char *s, size_t max)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = u8_prefix(s, max), i;

	for (i = 0; i < n; i++)
		strbuf_addch(&sb, s[i] == '\n' ? ' ' : s[i]);
	if (s[n])
		strbuf_addstr(&sb, "…");
	return strbuf_detach(&sb, NULL);
}

/* Appends text to *note ("\n" between), keeping it within
 * CHECKLIST_STR_MAX bytes (cut with "…"). */
static void note_append(char **note, const char *text)
{
	struct strbuf sb = STRBUF_INIT;
	size_t max = CHECKLIST_STR_MAX - strlen("…");

	if (*note) {
		if (ends_with(*note, "…") && strlen(*note) >= max)
			return; /* already full */
		strbuf_addstr(&sb, *note);
		strbuf_addch(&sb, '\n');
	}
	strbuf_addstr(&sb, text);
	if (sb.len > CHECKLIST_STR_MAX) {
		sb.len = u8_cut(sb.buf, sb.len, max);
		sb.buf[sb.len] = '\0';
		strbuf_addstr(&sb, "…");
	}
	free(*note);
	*note = strbuf_detach(&sb, NULL);
}

/* ------------------------------------------------------ numbers and tags */

/*
 * An item number at the start of s: ①…⑳ (U+2460..U+2473), (1)…(99) with
 * half- or full-width parentheses and digits, optionally after a section
 * prefix "2-".  *n gets its value, *len the bytes it takes.
 */
static bool item_number(const char *s, int *n, size_t *len)
{
	const char *p = s, *q;
	unsigned cp;
	int v = 0, d, k = 0;

	/* optional "N-" */
	q = p;
	while ((d = digit_val(u8_peek(q))) >= 0 && k < 2) {
		u8_next(&q);
		k++;
	}
	if (k > 0) {
		cp = u8_next(&q);
		if (cp == '-' || cp == 0xff0d || cp == 0x2010 || cp == 0x2212)
			p = q;
	}
	q = p;
	cp = u8_next(&q);
	if (cp >= 0x2460 && cp <= 0x2473) {
		*n = (int)(cp - 0x2460 + 1);
		*len = (size_t)(q - s);
		return true;
	}
	if (cp != '(' && cp != 0xff08)
		return false;
	k = 0;
	while ((d = digit_val(u8_peek(q))) >= 0) {
		if (++k > 2)
			return false;
		v = v * 10 + d;
		u8_next(&q);
	}
	cp = u8_next(&q);
	if (k == 0 || v == 0 || (cp != ')' && cp != 0xff09))
		return false;
	*n = v;
	*len = (size_t)(q - s);
	return true;
}

static bool is_number_cell(const char *s, int *n)
{
	size_t len;

	return item_number(s, n, &len) && s[len] == '\0';
}

/* Skips white space at p. */
static const char *skip_space(const char *p)
{
	const char *q = p;

	while (*q && is_space(u8_peek(q)))
		u8_next(&q);
	return q;
}

static const struct {
	const char *name;
	unsigned bit;
} scope_words[] = {
	{ "医療情報システム全般", CHECKLIST_SCOPE_ALL },
	{ "サーバ", CHECKLIST_SCOPE_SERVER },
	{ "サーバー", CHECKLIST_SCOPE_SERVER },
	{ "端末PC", CHECKLIST_SCOPE_PC },
	{ "端末ＰＣ", CHECKLIST_SCOPE_PC },
	{ "ネットワーク機器", CHECKLIST_SCOPE_NETWORK },
};

/*
 * The scope bits of a tag's inside ("サーバ、端末 PC"): parts separated by
 * 、，,・/ with spaces ignored.  0 when any part is not a scope name.
 */
static unsigned parse_scope_list(const char *s, size_t len)
{
	char part[128];
	size_t n = 0;
	unsigned bits = 0;
	const char *p = s, *end = s + len;

	for (;;) {
		const char *q = p;
		unsigned cp = p < end ? u8_next(&q) : 0;
		bool sep = cp == 0 || cp == 0x3001 || cp == 0xff0c || cp == ',' || cp == 0x30fb ||
			   cp == '/' || cp == 0xff0f;

		if (sep) {
			size_t k;
			unsigned bit = 0;

			part[n] = '\0';
			for (k = 0; k < ARRAY_SIZE(scope_words); k++)
				if (!strcmp(part, scope_words[k].name))
					bit = scope_words[k].bit;
			if (!bit)
				return 0;
			bits |= bit;
			n = 0;
			if (cp == 0)
				break;
		} else if (!is_space(cp)) {
			if (n + (size_t)(q - p) >= sizeof(part))
				return 0;
			memcpy(part + n, p, (size_t)(q - p));
			n += (size_t)(q - p);
		}
		p = q;
	}
	return bits;
}

static bool is_open_paren(unsigned cp)
{
	return cp == '(' || cp == 0xff08;
}

static bool is_close_paren(unsigned cp)
{
	return cp == ')' || cp == 0xff09;
}

/* A cell that is only a scope tag, with or without parentheses. */
static unsigned scope_cell(const char *s)
{
	size_t n = strlen(s);
	const char *p = s;

	if (n == 0)
		return 0;
	if (is_open_paren(u8_next(&p))) {
		const char *last = s + n - 1;

		while (last > s && ((unsigned char)*last & 0xc0) == 0x80)
			last--;
		if (last <= p || !is_close_paren(u8_peek(last)))
			return 0;
		return parse_scope_list(p, (size_t)(last - p));
	}
	return parse_scope_list(s, n);
}

/*
 * A trailing parenthesised tag of wording w: on success *tag_start points at
 * its "(" and *inside / *inside_len at its content; *after_sentence tells
 * whether it follows the sentence (「。」 or white space before it).
 */
static bool trailing_tag(const char *w, const char **tag_start, const char **inside,
			 size_t *inside_len, bool *after_sentence)
{
	size_t n = strlen(w);
	const char *last, *p, *open = NULL, *before;

	if (n == 0)
		return false;
	last = w + n - 1;
	while (last > w && ((unsigned char)*last & 0xc0) == 0x80)
		last--;
	if (!is_close_paren(u8_peek(last)))
		return false;
	for (p = w; p < last;) {
		const char *q = p;

		if (is_open_paren(u8_next(&q)))
			open = p;
		p = q;
	}
	if (!open || open == w)
		return false;
	before = open;
	while (before > w) {
		const char *b = before - 1;

		while (b > w && ((unsigned char)*b & 0xc0) == 0x80)
			b--;
		if (!is_space(u8_peek(b)))
			break;
		before = b;
	}
	*after_sentence = before != open || (before - w >= 3 && !memcmp(before - 3, "。", 3));
	*tag_start = open;
	*inside = open + ((unsigned char)*open == '(' ? 1 : 3);
	*inside_len = (size_t)(last - *inside);
	return true;
}

static bool has_arrow(const char *s)
{
	return strstr(s, "▶") || strstr(s, "►");
}

/* The byte offset of the first ▶ / ► in s, or strlen(s). */
static size_t arrow_at(const char *s)
{
	const char *a = strstr(s, "▶"), *b = strstr(s, "►");

	if (a && (!b || a < b))
		return (size_t)(a - s);
	if (b)
		return (size_t)(b - s);
	return strlen(s);
}

struct strlist {
	char **v;
	size_t n;
	bool overflow;
};

static void strlist_add(struct strlist *l, char *s, size_t max)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i], s)) {
			free(s);
			return;
		}
	if (l->n >= max) {
		l->overflow = true;
		free(s);
		return;
	}
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = s;
}

static void strlist_release(struct strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/*
 * Splits guideline references "▶企画管理編 11.2 12.2 ▶システム運用編 10.1"
 * into one entry per chapter and number: "企画管理編 11.2", "企画管理編 12.2",
 * "システム運用編 10.1".  A chunk whose first word does not end in 「編」 is
 * kept whole (spaces collapsed).
 */
static void split_refs(const char *s, struct strlist *out)
{
	const char *p = s;

	for (;;) {
		size_t at = arrow_at(p), end;
		const char *chunk;
		char *c, *chapter = NULL;
		struct strlist words = { 0 };

		if (!p[at])
			break;
		chunk = p + at + strlen("▶");
		end = arrow_at(chunk);
		c = xstrndup(chunk, end);
		/* words separated by white space, 、 or , */
		{
			struct strbuf w = STRBUF_INIT;
			const char *q = c;

			for (;;) {
				const char *r = q;
				unsigned cp = u8_next(&r);

				if (cp == 0 || is_space(cp) || cp == 0x3001 || cp == ',' ||
				    cp == 0xff0c) {
					if (w.len)
						strlist_add(&words, strbuf_detach(&w, NULL), 1000);
					if (cp == 0)
						break;
				} else {
					strbuf_add(&w, q, (size_t)(r - q));
				}
				q = r;
			}
			strbuf_release(&w);
		}
		if (words.n && ends_with(words.v[0], "編")) {
			chapter = words.v[0];
			if (words.n == 1)
				strlist_add(out, xstrdup(chapter), CHECKLIST_LIST_MAX);
			for (size_t i = 1; i < words.n; i++)
				strlist_add(out, xasprintf("%s %s", chapter, words.v[i]),
					    CHECKLIST_LIST_MAX);
		} else if (words.n) {
			struct strbuf all = STRBUF_INIT;

			for (size_t i = 0; i < words.n; i++) {
				if (i)
					strbuf_addch(&all, ' ');
				strbuf_addstr(&all, words.v[i]);
			}
			strlist_add(out, strbuf_detach(&all, NULL), CHECKLIST_LIST_MAX);
		}
		strlist_release(&words);
		free(c);
		p = chunk + end;
	}
	for (size_t i = 0; i < out->n; i++)
		if (strlen(out->v[i]) > CHECKLIST_STR_MAX) {
			out->v[i][u8_cut(out->v[i], strlen(out->v[i]), CHECKLIST_STR_MAX)] = '\0';
		}
}

/* 【医療機関確認用・事業者確認用】's inside into form bits; 0 when a part is
 * not a form name. */
static unsigned parse_forms(const char *label)
{
	struct strbuf part = STRBUF_INIT;
	const char *p = label;
	unsigned bits = 0;
	bool bad = false;

	for (;;) {
		const char *q = p;
		unsigned cp = u8_next(&q);

		if (cp == 0 || cp == 0x30fb || cp == 0xff65 || cp == 0x3001) {
			/* a part ends only with 確認用 ("医療機関・薬局確認用" is one) */
			if (cp == 0 || ends_with(part.buf, "確認用")) {
				if (!strcmp(part.buf, "医療機関確認用"))
					bits |= 1u << CHECKLIST_FORM_IRYO;
				else if (!strcmp(part.buf, "薬局確認用"))
					bits |= 1u << CHECKLIST_FORM_YAKKYOKU;
				else if (!strcmp(part.buf, "事業者確認用"))
					bits |= 1u << CHECKLIST_FORM_JIGYOSHA;
				else if (!strcmp(part.buf, "医療機関・薬局確認用") ||
					 !strcmp(part.buf, "医療機関等確認用"))
					bits |= 1u << CHECKLIST_FORM_IRYO_YAKKYOKU;
				else
					bad = true;
				strbuf_reset(&part);
			} else {
				strbuf_add(&part, p, (size_t)(q - p));
			}
			if (cp == 0)
				break;
		} else if (!is_space(cp)) {
			strbuf_add(&part, p, (size_t)(q - p));
		}
		p = q;
	}
	strbuf_release(&part);
	return bad ? 0 : bits;
}

/* The form a title names (…確認用), or -1. */
static int form_of_title(const char *t)
{
	if (strstr(t, "事業者確認用"))
		return CHECKLIST_FORM_JIGYOSHA;
	if (strstr(t, "医療機関・薬局確認用") || strstr(t, "医療機関等確認用"))
		return CHECKLIST_FORM_IRYO_YAKKYOKU;
	if (strstr(t, "薬局確認用"))
		return CHECKLIST_FORM_YAKKYOKU;
	if (strstr(t, "医療機関確認用"))
		return CHECKLIST_FORM_IRYO;
	return -1;
}

/*
 * A section heading at the start of s: 1-2 digits (half- or full-width),
 * then the end or a separator (space, 「.」「．」「、」) and a title that does
 * not start with a digit.  *rest points at the title (may be "").
 */
static bool section_number(const char *s, int *num, const char **rest)
{
	const char *p = s, *q;
	int v = 0, d, k = 0;
	unsigned cp;

	while ((d = digit_val(u8_peek(p))) >= 0) {
		if (++k > 2)
			return false;
		v = v * 10 + d;
		u8_next(&p);
	}
	if (k == 0 || v == 0)
		return false;
	if (!*p) {
		*num = v;
		*rest = p;
		return true;
	}
	q = p;
	cp = u8_next(&q);
	if (!(is_space(cp) || cp == '.' || cp == 0xff0e || cp == 0x3001))
		return false;
	q = skip_space(q);
	if (digit_val(u8_peek(q)) >= 0 || !*q)
		return false;
	*num = v;
	*rest = q;
	return true;
}

/* The value of "N回目" in s (half- or full-width N), else 0. */
static unsigned round_of(const char *s)
{
	const char *p = strstr(s, "回目");
	const char *b;
	unsigned v = 0, mul = 1;
	int d, k = 0;

	if (!p)
		return 0;
	b = p;
	while (b > s && k < 2) {
		const char *c = b - 1;

		while (c > s && ((unsigned char)*c & 0xc0) == 0x80)
			c--;
		d = digit_val(u8_peek(c));
		if (d < 0)
			break;
		v += (unsigned)d * mul;
		mul *= 10;
		b = c;
		k++;
	}
	return v;
}

/* A template answer cell: only はい, いいえ, 年月日 and date punctuation. */
static bool placeholder(const char *s)
{
	static const char *const toks[] = {
		"はい", "いいえ", "令和", "年", "月", "日", "/", "／", "・", "(", ")", "（",
		"）", " ", "　", "\n", "-", "－", "～", "〜", ".", "〇", "○", "□", "☐", "☑",
	};
	const char *p = s;

	while (*p) {
		size_t k;

		for (k = 0; k < ARRAY_SIZE(toks); k++)
			if (starts_with(p, toks[k]))
				break;
		if (k == ARRAY_SIZE(toks))
			return false;
		p += strlen(toks[k]);
	}
	return true;
}

static bool is_vendor_note(const char *s)
{
	return strstr(s, "記入不要") || strstr(s, "事業者と契約していない") ||
	       strstr(s, "記入は不要");
}

static bool is_note_start(const char *s)
{
	return starts_with(s, "※") || starts_with(s, "＊") || starts_with(s, "*") ||
	       starts_with(s, "注)") || starts_with(s, "注）");
}

/* Fill-in fields of the form (医療機関名: ____ ...). */
static bool is_field_label(const char *s)
{
	static const char *const labels[] = {
		"医療機関名", "薬局名", "事業者名", "施設名", "記入者", "確認者", "担当者",
		"記入日", "作成日", "所在地", "責任者名", "システム名", "会社名",
	};
	size_t k;

	for (k = 0; k < ARRAY_SIZE(labels); k++)
		if (starts_with(s, labels[k]))
			return true;
	return false;
}

/* ------------------------------------------------------------------ rows */

struct rcell {
	unsigned col, span;
	char *text; /* clean_text(): never empty */
};

struct row {
	unsigned r;
	struct rcell *c;
	size_t n;
};

static void rows_release(struct row *rows, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		for (k = 0; k < rows[i].n; k++)
			free(rows[i].c[k].text);
		free(rows[i].c);
	}
	free(rows);
}

/* The rows of sh that have text, cells in column order. */
static struct row *sheet_rows(const struct xlsx_sheet *sh, size_t *nr)
{
	struct row *rows = NULL;
	size_t n = 0, alloc = 0, i;

	for (i = 0; i < sh->nr_cells; i++) {
		const struct xlsx_cell *c = &sh->cells[i];
		const struct xlsx_merge *m;
		char *t = clean_text(c->text);
		struct row *r;

		if (!*t) {
			free(t);
			continue;
		}
		if (!n || rows[n - 1].r != c->row) {
			if (n == alloc) {
				alloc = alloc ? 2 * alloc : 64;
				rows = xrealloc(rows, alloc * sizeof(*rows));
			}
			memset(&rows[n], 0, sizeof(rows[n]));
			rows[n].r = c->row;
			n++;
		}
		r = &rows[n - 1];
		r->c = xrealloc(r->c, (r->n + 1) * sizeof(*r->c));
		m = xlsx_sheet_merge_at(sh, c->row, c->col);
		r->c[r->n].col = c->col;
		r->c[r->n].span = m && m->r1 == c->row && m->c1 == c->col ? m->c2 - m->c1 + 1 : 1;
		r->c[r->n].text = t;
		r->n++;
	}
	*nr = n;
	return rows;
}

/* Does the row look like an item (a number cell or a cell starting with one)? */
static bool row_has_number(const struct row *r)
{
	size_t k, len;
	int n;

	for (k = 0; k < r->n; k++)
		if (item_number(r->c[k].text, &n, &len) && !has_arrow(r->c[k].text))
			return true;
	return false;
}

/* ---------------------------------------------------------------- parser */

struct vendor_note {
	char *text;
	long item; /* the item it follows, -1 for none */
};

struct pctx {
	struct checklist_xlsx *res;
	const struct xlsx_sheet *sh;
	struct checklist_edition *e;
	enum checklist_wording_status status;
	const char *source; /* wording_source */
	size_t alloc_sections, alloc_items;
	long cur;          /* index of the current section, -1 before the first */
	unsigned group;    /* scope bit of the current device group (令和6年度), 0 none */
	long last_item;    /* index of the last item, -1 none */
	unsigned answer_col; /* first column of the answer area; 0 unknown */
	int *item_n;       /* each item's number as an integer (0 for the gate) */
	bool seen_body;    /* a section or item was seen */
	char *title;
	struct strbuf ed_note;
	struct vendor_note *vnotes;
	size_t nr_vnotes;
	bool *no_vendor;   /* per item: 記入不要 without a vendor contract */
};

static void unplaced(struct pctx *c, const struct row *r, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void unplaced(struct pctx *c, const struct row *r, const char *fmt, ...)
{
	struct checklist_xlsx *res = c->res;
	struct strbuf all = STRBUF_INIT;
	char addr[XLSX_CELL_NAME_LEN], reason[512], *ex;
	va_list ap;
	size_t k;

	res->total_unplaced++;
	if (res->nr_unplaced >= CHECKLIST_XLSX_UNPLACED_MAX)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	for (k = 0; k < r->n; k++) {
		if (k)
			strbuf_addch(&all, ' ');
		strbuf_addstr(&all, r->c[k].text);
	}
	ex = excerpt(all.buf, 40);
	xlsx_cell_name(r->r, r->n ? r->c[0].col : 1, addr);
	res->unplaced = xrealloc(res->unplaced, (res->nr_unplaced + 1) * sizeof(*res->unplaced));
	res->unplaced[res->nr_unplaced++] =
		xasprintf("%s!%s: 「%s」: %s", c->sh->name, addr, ex, reason);
	free(ex);
	strbuf_release(&all);
}

static struct checklist_section *add_section(struct pctx *c, int number, const char *title,
					     const char *label)
{
	struct checklist_edition *e = c->e;
	struct checklist_section *s;

	if (e->nr_sections == c->alloc_sections) {
		c->alloc_sections = c->alloc_sections ? 2 * c->alloc_sections : 8;
		e->sections = xrealloc(e->sections, c->alloc_sections * sizeof(*e->sections));
	}
	s = &e->sections[e->nr_sections++];
	memset(s, 0, sizeof(*s));
	s->number = number;
	s->title = xstrndup(title, u8_cut(title, strlen(title), CHECKLIST_STR_MAX));
	if (label) {
		s->forms = parse_forms(label);
		s->forms_known = s->forms != 0;
		if (!s->forms_known) {
			char *n = xasprintf("様式の表記「【%s】」を解釈できませんでした。", label);

			note_append(&s->note, n);
			free(n);
		}
	}
	c->cur = (long)e->nr_sections - 1;
	c->group = 0;
	c->seen_body = true;
	return s;
}

static long find_section(const struct pctx *c, int number)
{
	size_t i;

	for (i = 0; i < c->e->nr_sections; i++)
		if (c->e->sections[i].number == number)
			return (long)i;
	return -1;
}

/* Splits "体制構築【医療機関確認用・事業者確認用】" into title and label. */
static void split_label(const char *s, char **title, char **label)
{
	const char *open = strstr(s, "【");

	*label = NULL;
	if (!open) {
		*title = trim(s);
		return;
	}
	*title = trim_n(s, (size_t)(open - s));
	{
		const char *in = open + strlen("【");
		const char *close = strstr(in, "】");

		*label = close ? trim_n(in, (size_t)(close - in)) : trim(in);
	}
}

/* Tries the row as a section heading; true when it was one (placed or
 * reported). */
static bool try_section(struct pctx *c, const struct row *r)
{
	const char *rest;
	char *joined, *title = NULL, *label = NULL;
	int num;
	size_t k;
	bool ok = false;

	if (!section_number(r->c[0].text, &num, &rest))
		return false;
	/* the title in the same cell or the next one; nothing else on the row
	 * but template answer cells */
	if (*rest)
		joined = xstrdup(rest);
	else if (r->n >= 2)
		joined = xstrdup(r->c[1].text);
	else
		return false;
	for (k = *rest ? 1 : 2; k < r->n; k++)
		if (!placeholder(r->c[k].text) && !strstr(r->c[k].text, "【")) {
			free(joined);
			return false;
		}
	split_label(joined, &title, &label);
	if (!*title || ends_with(title, "。") || u8_chars(title) > 60 || has_arrow(title) ||
	    strchr(title, '\n'))
		goto out;
	ok = true;
	if (find_section(c, num) >= 0) {
		unplaced(c, r, "章番号 %d が重複しています", num);
		c->cur = find_section(c, num);
		goto out;
	}
	if (c->e->nr_sections >= CHECKLIST_SECTIONS_MAX) {
		unplaced(c, r, "章が多すぎます (上限 %d)", CHECKLIST_SECTIONS_MAX);
		goto out;
	}
	add_section(c, num, title, label);
out:
	free(joined);
	free(title);
	free(label);
	return ok;
}

/* Where a vendor note (記入不要 ...) names items: "2(2)", "2-(3)", "2-②". */
static void apply_vendor_note(struct pctx *c, const struct vendor_note *vn)
{
	const char *p = vn->text;
	bool named = false;

	while (*p) {
		const char *q = p, *s;
		int sec = 0, d, k = 0, n;
		size_t len;

		while ((d = digit_val(u8_peek(q))) >= 0 && k < 2) {
			sec = sec * 10 + d;
			u8_next(&q);
			k++;
		}
		if (k && digit_val(u8_peek(q)) < 0) {
			s = q;
			if (u8_peek(s) == '-' || u8_peek(s) == 0xff0d)
				u8_next(&s);
			if (item_number(s, &n, &len)) {
				size_t i;

				for (i = 0; i < c->e->nr_items; i++)
					if (c->e->items[i].section == sec && c->item_n[i] == n &&
					    !c->e->items[i].gate)
						c->no_vendor[i] = true;
				named = true;
				p = s + len;
				continue;
			}
		}
		if (k)
			p = q;
		else
			u8_next(&p);
	}
	if (!named && vn->item >= 0)
		c->no_vendor[vn->item] = true;
}

static void add_vendor_note(struct pctx *c, const char *text)
{
	c->vnotes = xrealloc(c->vnotes, (c->nr_vnotes + 1) * sizeof(*c->vnotes));
	c->vnotes[c->nr_vnotes].text = xstrdup(text);
	c->vnotes[c->nr_vnotes].item = c->last_item;
	c->nr_vnotes++;
}

/* A note row: to the last item's note, or the edition's. */
static void add_note(struct pctx *c, const struct row *r)
{
	struct strbuf all = STRBUF_INIT;
	size_t k;

	for (k = 0; k < r->n; k++) {
		if (k)
			strbuf_addch(&all, ' ');
		strbuf_addstr(&all, r->c[k].text);
	}
	if (is_vendor_note(all.buf))
		add_vendor_note(c, all.buf);
	if (c->last_item >= 0) {
		note_append(&c->e->items[c->last_item].note, all.buf);
	} else {
		if (c->ed_note.len)
			strbuf_addch(&c->ed_note, '\n');
		strbuf_addstr(&c->ed_note, all.buf);
	}
	strbuf_release(&all);
}

static const char *group_token(unsigned bit)
{
	switch (bit) {
	case CHECKLIST_SCOPE_SERVER:
		return "server";
	case CHECKLIST_SCOPE_PC:
		return "pc";
	case CHECKLIST_SCOPE_NETWORK:
		return "nw";
	default:
		return NULL;
	}
}

/*
 * An item row: number (own cell or at the start of the wording), wording
 * (the longest remaining text cell), scope (own cell or trailing tag), refs
 * (▶ in a cell or in the wording).  gate: the 医療情報システムの有無 item.
 */
static void add_item(struct pctx *c, const struct row *r, bool gate, size_t skip_cell)
{
	struct checklist_edition *e = c->e;
	struct checklist_item *it;
	struct strlist refs = { 0 };
	struct strbuf others = STRBUF_INIT;
	const char *numtext = NULL;
	size_t numlen = 0, k, wi = SIZE_MAX, wa = SIZE_MAX, best = 0, best_answer = 0, order = 0, i;
	unsigned scope = 0;
	bool scope_found = false, vendor = false;
	char *wording = NULL, *number = NULL, *id = NULL, *note = NULL;
	int n = 0;

	/* number in its own cell */
	if (!gate)
		for (k = 0; k < r->n; k++)
			if (k != skip_cell && is_number_cell(r->c[k].text, &n)) {
				numtext = r->c[k].text;
				numlen = strlen(numtext);
				break;
			}
	/* the wording: the longest text that is no number, tag, ref or answer */
	for (i = 0; i < r->n; i++) {
		const char *t = r->c[i].text;
		size_t len;
		int n2;

		if (i == skip_cell || (numtext && t == numtext))
			continue;
		if (scope_cell(t)) {
			scope |= scope_cell(t);
			scope_found = true;
			continue;
		}
		if (starts_with(t, "▶") || starts_with(t, "►")) {
			split_refs(t, &refs);
			continue;
		}
		if (is_vendor_note(t) && u8_chars(t) <= 40) {
			vendor = true;
			continue;
		}
		if (placeholder(t))
			continue;
		if (c->answer_col && r->c[i].col >= c->answer_col && !item_number(t, &n2, &len)) {
			/* in the answer columns: only when nothing else is there */
			if (u8_chars(t) > best_answer) {
				best_answer = u8_chars(t);
				wa = i;
			}
			continue;
		}
		if (u8_chars(t) > best) {
			best = u8_chars(t);
			wi = i;
		}
	}
	if (wi == SIZE_MAX)
		wi = wa;
	if (wi == SIZE_MAX) {
		unplaced(c, r, "項目の文言が見つかりません");
		goto out;
	}
	for (i = 0; i < r->n; i++) {
		const char *t = r->c[i].text;

		if (i == wi || i == skip_cell || (numtext && t == numtext) || placeholder(t) ||
		    scope_cell(t) || starts_with(t, "▶") || starts_with(t, "►") ||
		    (is_vendor_note(t) && u8_chars(t) <= 40) ||
		    (c->answer_col && r->c[i].col >= c->answer_col))
			continue;
		if (others.len)
			strbuf_addstr(&others, "」「");
		strbuf_addstr(&others, t);
	}
	{
		const char *w = r->c[wi].text;
		size_t len, at;

		if (!numtext && !gate && item_number(w, &n, &len)) {
			numtext = w;
			numlen = len;
			w = skip_space(w + len);
		}
		at = arrow_at(w);
		if (w[at])
			split_refs(w + at, &refs);
		wording = trim_n(w, at);
	}
	if (!gate && !numtext) {
		unplaced(c, r, "項目番号 (①… や (1)…) がありません");
		goto out;
	}
	/* a trailing scope tag */
	{
		const char *tag, *inside;
		size_t ilen;
		bool after;

		if (trailing_tag(wording, &tag, &inside, &ilen, &after)) {
			unsigned bits = parse_scope_list(inside, ilen);

			if (bits) {
				char *w2 = trim_n(wording, (size_t)(tag - wording));

				free(wording);
				wording = w2;
				scope |= bits;
				scope_found = true;
			} else if (after) {
				note = xasprintf("範囲の表記「%s」を解釈できなかったため、文言に残しました。",
						 tag);
			}
		}
	}
	(void)scope_found;
	if (!*wording) {
		unplaced(c, r, "項目の文言が見つかりません");
		goto out;
	}
	if (strlen(wording) > CHECKLIST_STR_MAX) {
		unplaced(c, r, "文言が長すぎます (%zu バイト、上限 %d バイト)", strlen(wording),
			 CHECKLIST_STR_MAX);
		goto out;
	}
	if (is_vendor_note(wording))
		vendor = true;
	if (numtext)
		number = trim_n(numtext, numlen);

	if (gate) {
		id = xasprintf("%s-%s-gate", e->edition, checklist_form_name(e->form));
		n = 0;
	} else {
		const char *g = group_token(c->group);

		if (g)
			id = xasprintf("%s-%s-%d-%s-%d", e->edition, checklist_form_name(e->form),
				       e->sections[c->cur].number, g, n);
		else
			id = xasprintf("%s-%s-%d-%d", e->edition, checklist_form_name(e->form),
				       e->sections[c->cur].number, n);
	}
	if (checklist_edition_item(e, id)) {
		if (gate)
			unplaced(c, r, "「医療情報システムの有無」の項目が 2 つ目です");
		else
			unplaced(c, r, "項目番号 %s が章 %d で重複しています", number,
				 e->sections[c->cur].number);
		goto out;
	}
	if (e->nr_items >= CHECKLIST_ITEMS_MAX) {
		unplaced(c, r, "項目が多すぎます (上限 %d)", CHECKLIST_ITEMS_MAX);
		goto out;
	}
	for (i = 0; i < e->nr_items; i++)
		order += e->items[i].section == e->sections[c->cur].number;
	if (order >= 999) {
		unplaced(c, r, "章 %d の項目が多すぎます", e->sections[c->cur].number);
		goto out;
	}

	if (e->nr_items == c->alloc_items) {
		c->alloc_items = c->alloc_items ? 2 * c->alloc_items : 32;
		e->items = xrealloc(e->items, c->alloc_items * sizeof(*e->items));
		c->item_n = xrealloc(c->item_n, c->alloc_items * sizeof(*c->item_n));
		c->no_vendor = xrealloc(c->no_vendor, c->alloc_items * sizeof(*c->no_vendor));
	}
	it = &e->items[e->nr_items];
	memset(it, 0, sizeof(*it));
	c->item_n[e->nr_items] = n;
	c->no_vendor[e->nr_items] = vendor;
	c->last_item = (long)e->nr_items;
	e->nr_items++;

	it->id = id;
	id = NULL;
	it->section = e->sections[c->cur].number;
	it->number = number;
	number = NULL;
	it->order = (int)order + 1;
	if (!scope && c->group)
		scope = c->group;
	it->scope = scope;
	it->scope_known = true;
	it->wording = wording;
	wording = NULL;
	it->status = c->status;
	it->wording_source = xstrdup(c->source);
	if (!strcmp(it->wording, CHECKLIST_EXPORT_NO_WORDING)) {
		/* mamori's own export of an item whose wording was not known */
		free(it->wording);
		free(it->wording_source);
		it->wording = it->wording_source = NULL;
		it->status = CHECKLIST_NOT_FOUND;
		note_append(&it->note, "ブックでは文言が「文言未確認」の印だけでした (mamori の書き出し)。");
	}
	it->refs = refs.v;
	it->nr_refs = refs.n;
	it->refs_known = true;
	if (refs.overflow)
		note_append(&it->note, "参照 (▶) が多すぎるため一部を省きました。");
	memset(&refs, 0, sizeof(refs));
	it->new_in_edition = CHECKLIST_UNKNOWN;
	it->gate = gate;
	it->needed_without_vendor_contract = CHECKLIST_UNKNOWN; /* settled at the end */
	if (note)
		note_append(&it->note, note);
	if (others.len) {
		char *o = xasprintf("同じ行のほかのセル:「%s」", others.buf);

		note_append(&it->note, o);
		free(o);
	}
	c->seen_body = true;
out:
	strlist_release(&refs);
	strbuf_release(&others);
	free(wording);
	free(number);
	free(id);
	free(note);
}

/* 「サーバについて、以下を実施している。」: the device group of 令和6年度. */
static bool try_group(struct pctx *c, const struct row *r)
{
	const char *t = r->c[0].text, *mark = strstr(t, "について");
	char *name;
	unsigned bits;

	if (r->n != 1 || !mark || !strstr(t, "以下"))
		return false;
	name = trim_n(t, (size_t)(mark - t));
	bits = parse_scope_list(name, strlen(name));
	free(name);
	if (!bits || (bits & (bits - 1)))
		return false;
	c->group = bits;
	return true;
}

/* Header row: 1回目 / 確認日 / 目標日 / はい・いいえ ... */
static bool try_header(struct pctx *c, const struct row *r)
{
	struct checklist_xlsx *res = c->res;
	unsigned rounds = 0, first_col = 0;
	bool yes_no = false, confirm = false, target = false, any = false, named = false;
	size_t k;

	for (k = 0; k < r->n; k++) {
		const char *t = r->c[k].text;
		unsigned rd = round_of(t);
		bool answer = false;

		/* item rows carry はい・いいえ too: no sentence, no ref, no number here */
		if (strstr(t, "。") || has_arrow(t) || u8_chars(t) > 40 || row_has_number(r))
			return false;
		if (rd) {
			rounds = rd > rounds ? rd : rounds;
			answer = true;
		}
		if (strstr(t, "確認日"))
			confirm = answer = true;
		if (strstr(t, "目標日"))
			target = answer = true;
		if (strstr(t, "はい") && strstr(t, "いいえ"))
			yes_no = answer = true;
		if (strstr(t, "確認結果"))
			answer = true;
		named |= rd || confirm || target || strstr(t, "確認結果");
		if (answer && (!first_col || r->c[k].col < first_col))
			first_col = r->c[k].col;
		any |= answer;
	}
	if (!any)
		return false;
	/* はい/いいえ alone makes a header only when nothing else is on the row */
	if (!named)
		for (k = 0; k < r->n; k++)
			if (!placeholder(r->c[k].text) && !strstr(r->c[k].text, "はい"))
				return false;
	if (rounds > res->rounds)
		res->rounds = rounds;
	res->has_yes_no |= yes_no;
	res->has_confirm_date |= confirm;
	res->has_target_date |= target;
	if (!res->header_row)
		res->header_row = r->r;
	if (first_col && (!c->answer_col || first_col < c->answer_col))
		c->answer_col = first_col;
	return true;
}

static void classify(struct pctx *c, const struct row *r)
{
	const char *first = r->c[0].text;
	size_t k;

	/* notes */
	if (is_note_start(first)) {
		add_note(c, r);
		return;
	}
	/* the gate section, and the gate item on the same row or after it */
	for (k = 0; k < r->n; k++) {
		char *title, *label;

		if (!starts_with(r->c[k].text, "医療情報システムの有無"))
			continue;
		split_label(r->c[k].text, &title, &label);
		if (strcmp(title, "医療情報システムの有無")) {
			free(title);
			free(label);
			continue;
		}
		if (find_section(c, 0) >= 0) {
			unplaced(c, r, "「医療情報システムの有無」が 2 つ目です");
		} else {
			add_section(c, 0, title, label);
			if (r->n > 1)
				add_item(c, r, true, k);
		}
		free(title);
		free(label);
		return;
	}
	if (try_header(c, r))
		return;
	if (!row_has_number(r) && try_section(c, r))
		return;
	if (c->cur >= 0 && c->e->sections[c->cur].number == 0 && !row_has_number(r) &&
	    strstr(first, "医療情報システムを導入")) {
		add_item(c, r, true, SIZE_MAX);
		return;
	}
	if (row_has_number(r)) {
		if (c->cur < 0) {
			unplaced(c, r, "章の見出しより前にある項目です");
			return;
		}
		add_item(c, r, false, SIZE_MAX);
		return;
	}
	if (try_group(c, r))
		return;
	if (is_vendor_note(first) || strstr(first, "確認不要")) {
		add_note(c, r);
		return;
	}
	if (!c->title && !c->seen_body && strstr(first, "チェックリスト")) {
		char *t = xstrdup(first);

		for (char *p = t; *p; p++)
			if (*p == '\n')
				*p = ' ';
		c->title = t;
		return;
	}
	if (is_field_label(first) && u8_chars(first) <= 40)
		return;
	unplaced(c, r, "章・項目・注記のどれにも当てはまりません");
}

/* Rows with an item number; picks the checklist sheet. */
static size_t count_items(const struct xlsx_sheet *sh)
{
	struct row *rows;
	size_t nr, i, n = 0;

	rows = sheet_rows(sh, &nr);
	for (i = 0; i < nr; i++)
		n += row_has_number(&rows[i]);
	rows_release(rows, nr);
	return n;
}

/* A string for a JSON value: valid, no control characters, within bounds. */
static char *clean_file_name(const char *path)
{
	const char *base = path ? strrchr(path, '/') : NULL;
	struct strbuf sb = STRBUF_INIT;
	const char *p;

	base = base ? base + 1 : path;
	if (!base || !*base)
		base = "workbook.xlsx";
	for (p = base; *p; p++)
		strbuf_addch(&sb, ((unsigned char)*p < 0x20 || *p == 0x7f) ? '?' : *p);
	sb.len = u8_cut(sb.buf, sb.len, CHECKLIST_XLSX_FILE_NAME_MAX);
	sb.buf[sb.len] = '\0';
	return strbuf_detach(&sb, NULL);
}

static bool valid_edition_id(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 16)
		return false;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-' ||
		      s[i] == '_'))
			return false;
	return true;
}

void checklist_xlsx_release(struct checklist_xlsx *r)
{
	size_t i;

	if (!r)
		return;
	checklist_edition_release(&r->edition);
	free(r->file_name);
	free(r->sheet);
	for (i = 0; i < r->nr_unplaced; i++)
		free(r->unplaced[i]);
	free(r->unplaced);
	memset(r, 0, sizeof(*r));
}

int checklist_xlsx_read(const void *buf, size_t len, const struct checklist_xlsx_options *opt,
			struct checklist_xlsx *out, struct mamori_err *err)
{
	static const struct checklist_xlsx_options none = CHECKLIST_XLSX_OPTIONS_INIT;
	struct xlsx_book book = XLSX_BOOK_INIT;
	struct checklist_xlsx res;
	struct checklist_edition *e = &res.edition;
	struct pctx c;
	const struct xlsx_sheet *sh = NULL;
	struct row *rows = NULL;
	size_t nrows = 0, i, best = 0;
	int form = -1, ret;
	char *source = NULL;

	memset(out, 0, sizeof(*out));
	memset(&res, 0, sizeof(res));
	memset(&c, 0, sizeof(c));
	strbuf_init(&c.ed_note);
	if (!opt)
		opt = &none;

	res.file_name = clean_file_name(opt->file_name);
	if (!enc_valid_utf8(res.file_name, strlen(res.file_name))) {
		ret = mamori_err_set(err, MAMORI_EINVAL, "ファイル名が UTF-8 ではありません");
		goto fail;
	}
	res.bytes = len;
	checklist_xlsx_sha256(buf, len, res.sha256);
	res.known = checklist_xlsx_recognise(res.sha256);

	/* edition, fiscal year, form: said, or from the known file */
	if (opt->edition && !valid_edition_id(opt->edition)) {
		char *ex = enc_valid_utf8(opt->edition, strlen(opt->edition)) ? excerpt(opt->edition, 20)
									       : xstrdup("?");

		ret = mamori_err_set(err, MAMORI_EINVAL,
				     "版「%s」は英小文字・数字・「-」「_」の 16 文字以内で指定してください (例: r8)",
				     ex);
		free(ex);
		goto fail;
	}
	if (opt->fiscal_year && (opt->fiscal_year < 2000 || opt->fiscal_year > 2100)) {
		ret = mamori_err_set(err, MAMORI_EINVAL, "年度 %d は 2000~2100 で指定してください",
				     opt->fiscal_year);
		goto fail;
	}
	if (opt->form >= CHECKLIST_FORM_COUNT) {
		ret = mamori_err_set(err, MAMORI_EINVAL, "様式 %d は正しくありません", opt->form);
		goto fail;
	}
	e->edition = xstrdup(opt->edition ? opt->edition : res.known ? res.known->edition : "");
	e->fiscal_year = opt->fiscal_year ? opt->fiscal_year : res.known ? res.known->fiscal_year : 0;
	form = opt->form >= 0 ? opt->form : res.known ? (int)res.known->form : -1;
	if (!*e->edition || !e->fiscal_year) {
		ret = mamori_err_set(err, MAMORI_EINVAL,
				     "%s は既知の公式ファイルと一致しないため、版と年度を指定してください "
				     "(例: 版 r8、年度 2026)",
				     res.file_name);
		goto fail;
	}

	ret = xlsx_book_read(buf, len, &book, err);
	if (ret < 0) {
		mamori_err_prefix(err, "%s", res.file_name);
		goto fail;
	}
	res.nr_sheets = book.nr_sheets;
	for (i = 0; i < book.nr_sheets; i++) {
		size_t n = count_items(&book.sheets[i]);

		if (n > best) {
			best = n;
			sh = &book.sheets[i];
		}
	}
	if (!sh && book.nr_sheets == 1)
		sh = &book.sheets[0];
	if (!sh) {
		ret = mamori_err_set(err, MAMORI_EINVAL,
				     "%s: 項目 (①… や (1)… で始まる行) のあるシートが見つかりません",
				     res.file_name);
		goto fail;
	}
	res.sheet = xstrdup(sh->name);

	rows = sheet_rows(sh, &nrows);
	/* the form from the title, when neither said nor known */
	if (form < 0)
		for (i = 0; i < nrows && form < 0; i++)
			for (size_t k = 0; k < rows[i].n && form < 0; k++)
				if (strstr(rows[i].c[k].text, "チェックリスト"))
					form = form_of_title(rows[i].c[k].text);
	if (form < 0)
		form = form_of_title(sh->name);
	if (form < 0 && best == 0) {
		ret = mamori_err_set(err, MAMORI_EINVAL,
				     "%s: 項目 (①… や (1)… で始まる行) のあるシートが見つかりません",
				     res.file_name);
		goto fail;
	}
	if (form < 0) {
		ret = mamori_err_set(err, MAMORI_EINVAL,
				     "%s: 様式 (医療機関確認用・薬局確認用・事業者確認用・"
				     "医療機関・薬局確認用) が表題から分からないため、指定してください",
				     res.file_name);
		goto fail;
	}
	e->form = (enum checklist_form)form;

	if (res.known) {
		c.status = CHECKLIST_OFFICIAL;
		source = xasprintf("%s (SHA-256 %s)", res.known->file, res.sha256);
	} else {
		c.status = CHECKLIST_IMPORTED;
		source = xasprintf("%s (SHA-256 %s, 公式ファイルと未照合)", res.file_name, res.sha256);
	}
	c.res = &res;
	c.sh = sh;
	c.e = e;
	c.source = source;
	c.cur = -1;
	c.last_item = -1;
	for (i = 0; i < nrows; i++)
		classify(&c, &rows[i]);

	if (e->nr_items == 0) {
		ret = mamori_err_set(err, MAMORI_EINVAL,
				     "%s: シート「%s」に置ける項目がありません (置けなかった行 %zu 行%s%s)",
				     res.file_name, sh->name, res.total_unplaced,
				     res.nr_unplaced ? "。最初: " : "",
				     res.nr_unplaced ? res.unplaced[0] : "");
		goto fail;
	}
	/* 記入不要 without a vendor contract */
	for (i = 0; i < c.nr_vnotes; i++)
		apply_vendor_note(&c, &c.vnotes[i]);
	for (i = 0; i < e->nr_items; i++) {
		struct checklist_item *it = &e->items[i];

		if (e->form == CHECKLIST_FORM_JIGYOSHA || c.no_vendor[i])
			it->needed_without_vendor_contract = CHECKLIST_NO;
		else
			it->needed_without_vendor_contract = CHECKLIST_YES;
	}

	/* the edition */
	e->name = xstrdup(res.file_name);
	if (c.title)
		e->title = xstrndup(c.title, u8_cut(c.title, strlen(c.title), CHECKLIST_STR_MAX));
	else
		e->title = xstrdup(sh->name);
	e->sources = xcalloc(2, sizeof(*e->sources));
	e->sources[e->nr_sources++] = xstrdup(source);
	if (res.known)
		e->sources[e->nr_sources++] = xstrdup(res.known->url);
	e->items_complete = res.total_unplaced == 0;
	{
		char *n;

		if (c.ed_note.len) {
			char *t = clean_text(c.ed_note.buf);

			note_append(&e->note, t);
			free(t);
		}
		n = xasprintf("「%s」のシート「%s」から読み込み%s。", res.file_name, sh->name,
			      res.known ? " (既知の公式ファイルと SHA-256 が一致)"
					: " (既知の公式ファイルと一致しないため文言は未確認扱い)");
		note_append(&e->note, n);
		free(n);
		if (res.total_unplaced) {
			n = xasprintf("置けなかった行が %zu 行あるため、項目が欠けている可能性がある。",
				      res.total_unplaced);
			note_append(&e->note, n);
			free(n);
		}
	}
	ret = 0;
	*out = res;
	memset(&res, 0, sizeof(res));
	goto out;

fail:
	checklist_xlsx_release(&res);
out:
	rows_release(rows, nrows);
	xlsx_book_release(&book);
	free(source);
	free(c.title);
	free(c.item_n);
	free(c.no_vendor);
	for (i = 0; i < c.nr_vnotes; i++)
		free(c.vnotes[i].text);
	free(c.vnotes);
	strbuf_release(&c.ed_note);
	return ret;
}

/* --------------------------------------------------------------- preview */

static void scope_text(struct strbuf *sb, unsigned scope)
{
	static const char *const names[] = { "医療情報システム全般", "サーバ", "端末PC",
					     "ネットワーク機器" };
	size_t k;
	bool any = false;

	strbuf_addstr(sb, "(");
	for (k = 0; k < ARRAY_SIZE(names); k++)
		if (scope & (1u << k)) {
			strbuf_addf(sb, "%s%s", any ? "、" : "", names[k]);
			any = true;
		}
	if (!any)
		strbuf_addstr(sb, "範囲なし");
	strbuf_addstr(sb, ")");
}

void checklist_xlsx_preview(const struct checklist_xlsx *r, struct strbuf *sb)
{
	const struct checklist_edition *e = &r->edition;
	size_t i, k, nknown, gates = 0, noted = 0;
	const struct checklist_xlsx_known *kf = checklist_xlsx_known_files(&nknown);

	strbuf_addf(sb, "ファイル: %s (%zu バイト)\n", r->file_name, r->bytes);
	strbuf_addf(sb, "SHA-256: %s\n", r->sha256);
	if (r->known) {
		strbuf_addf(sb, "照合: 既知の公式ファイル %s「%s」と一致しました (文言は公式)\n",
			    r->known->file, r->known->what);
	} else {
		strbuf_addstr(sb, "照合: この xlsx は既知の公式ファイル (");
		for (i = 0; i < nknown; i++)
			strbuf_addf(sb, "%s%s", i ? "、" : "", kf[i].file);
		strbuf_addstr(sb, ") と一致しません。文言は「文言未確認」として取り込みます\n");
	}
	strbuf_addf(sb, "版: %s (%d 年度)  様式: %s (%s)\n", e->edition, e->fiscal_year,
		    checklist_form_name(e->form), checklist_form_label(e->form));
	strbuf_addf(sb, "表題: %s\n", e->title);
	strbuf_addf(sb, "シート: 「%s」 (ブックのシート %zu 枚)\n", r->sheet, r->nr_sheets);
	if (r->header_row) {
		strbuf_addf(sb, "回答欄: %u 行目の見出し", r->header_row);
		if (r->rounds == 1)
			strbuf_addstr(sb, "、1 回分 (1回目)");
		else if (r->rounds)
			strbuf_addf(sb, "、%u 回分 (1回目~%u回目)", r->rounds, r->rounds);
		else
			strbuf_addstr(sb, "、回数の欄 (N回目) なし");
		if (r->has_yes_no)
			strbuf_addstr(sb, "、はい/いいえ");
		if (r->has_confirm_date)
			strbuf_addstr(sb, "、確認日");
		if (r->has_target_date)
			strbuf_addstr(sb, "、目標日");
		strbuf_addstr(sb, "\n");
	} else {
		strbuf_addstr(sb, "回答欄: 見出し (1回目・確認日・目標日 など) が見つかりません\n");
	}
	for (i = 0; i < e->nr_sections; i++) {
		const struct checklist_section *s = &e->sections[i];

		strbuf_addf(sb, "\n章 %d %s", s->number, s->title);
		if (s->forms_known) {
			bool any = false;

			strbuf_addstr(sb, " 【");
			for (int f = 0; f < CHECKLIST_FORM_COUNT; f++)
				if (s->forms & (1u << f)) {
					strbuf_addf(sb, "%s%s", any ? "・" : "",
						    checklist_form_label((enum checklist_form)f));
					any = true;
				}
			strbuf_addstr(sb, "】");
		}
		strbuf_addstr(sb, "\n");
		for (k = 0; k < e->nr_items; k++) {
			const struct checklist_item *it = &e->items[k];
			char *ex;

			if (it->section != s->number)
				continue;
			ex = it->wording ? excerpt(it->wording, 60) : xstrdup("(文言なし: 文言未確認)");
			strbuf_addf(sb, "  %s  %s  ", it->id, it->number ? it->number : "-");
			scope_text(sb, it->scope);
			strbuf_addf(sb, "  %s", ex);
			if (it->nr_refs)
				strbuf_addf(sb, "  [▶ %zu 件]", it->nr_refs);
			if (it->needed_without_vendor_contract == CHECKLIST_NO &&
			    e->form != CHECKLIST_FORM_JIGYOSHA)
				strbuf_addstr(sb, "  [事業者と契約なしなら記入不要]");
			if (it->gate)
				strbuf_addstr(sb, "  [gate: いいえなら以下すべて不要]");
			if (it->note)
				strbuf_addstr(sb, "  [注記あり]");
			strbuf_addstr(sb, "\n");
			free(ex);
			gates += it->gate;
			noted += it->note != NULL;
		}
	}
	if (r->total_unplaced) {
		strbuf_addf(sb, "\n置けなかった行 (%zu 行):\n", r->total_unplaced);
		for (i = 0; i < r->nr_unplaced; i++)
			strbuf_addf(sb, "  %s\n", r->unplaced[i]);
		if (r->total_unplaced > r->nr_unplaced)
			strbuf_addf(sb, "  ほか %zu 行\n", r->total_unplaced - r->nr_unplaced);
	}
	strbuf_addf(sb, "\n合計: 章 %zu、項目 %zu (gate %zu、注記あり %zu)、置けなかった行 %zu、文言の状態 %s\n",
		    e->nr_sections, e->nr_items, gates, noted, r->total_unplaced,
		    r->known ? "official (公式ファイル)" : "imported (文言未確認)");
}
