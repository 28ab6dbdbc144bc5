/*
 * logfield.c - field rules: the rule-file parser, extraction and the
 * one-call event builder of the access-log vault; the contract is in
 * logfield.h, the rule format in docs/internals/logfield.md.
 *
 * Loading turns each "[rule NAME]" section into a struct lf_rule whose
 * conditions and value sources are pre-split (SD-ID and parameter, kv key,
 * capture number, pattern literals, compiled regex), so that extraction does
 * no parsing of the rules and, for rules without a regex, no allocation but
 * the extracted values themselves.
 *
 * Extraction tries the rules in order.  Cheap conditions are checked first
 * (header equality, SD-ID, body prefix, substring), then "where" values,
 * then the wildcard pattern or the regex, which also give the captures.
 * A value is resolved into a stack buffer of LOG_FIELD_MAX bytes (trimmed,
 * cut at a UTF-8 boundary) before it is compared, mapped or copied out.
 */
#include "common.h"

#include <malloc.h>
#include <pthread.h>
#include <regex.h>

#include "catalog_files.h"
#include "enc.h"
#include "logfield.h"
#include "strbuf.h"

#define LF_MAX_WHERE 4
#define LF_MAX_CAPS 9
#define LF_MAX_LIST 16

enum lf_src_kind { SRC_CONST, SRC_SD, SRC_KV, SRC_CAP, SRC_HDR };
enum lf_hdr { HDR_HOSTNAME, HDR_APP, HDR_PROCID, HDR_MSGID };
enum lf_field { F_USER, F_PATIENT, F_HOST, F_ACTION, F_RESULT, F_SOURCE, F_COUNT };

struct lf_src {
	enum lf_src_kind kind;
	char *a; /* constant, SD-ID or kv key */
	char *b; /* SD parameter name */
	size_t alen;
	int n; /* capture number or enum lf_hdr */
};

struct lf_value {
	struct lf_src alt[LOGFIELD_MAX_ALTS];
	size_t nalt;
};

struct lf_list {
	char *v[LF_MAX_LIST];
	size_t n;
};

struct lf_where {
	struct lf_value val;
	char **in; /* NULL: the value must only be present */
	size_t nin;
};

struct lf_mapent {
	char *value;
	size_t len; /* of value */
	char *canon;
};

struct lf_map {
	struct lf_mapent *e;
	size_t n;
};

struct lf_rule {
	char *name;
	unsigned line;
	struct lf_list sd, app, msgid, hostname;
	char *prefix, *contains;
	size_t prefix_len, contains_len;
	/* pattern: nlit literals around nlit - 1 wildcards */
	char **lit;
	size_t *litlen;
	size_t nlit;
	bool has_pattern;
	regex_t re;
	bool has_re;
	int ncaps; /* captures the pattern or regex gives */
	int max_cap; /* highest $N used */
	struct lf_where where[LF_MAX_WHERE];
	size_t nwhere;
	struct lf_value f[F_COUNT];
	bool set[F_COUNT];
	struct lf_map amap, rmap;
	bool seen_key[32];
};

struct logfield_rules {
	struct lf_rule *rules;
	size_t n;
};

/* ---- values ------------------------------------------------------------------ */

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Trims s[0..*n), cuts at a NUL and at LOG_FIELD_MAX on a UTF-8 boundary. */
static const char *trim_cut(const char *s, size_t *n)
{
	size_t len = *n;
	const char *nul = memchr(s, '\0', len);

	if (nul)
		len = (size_t)(nul - s);
	while (len && is_space(*s)) {
		s++;
		len--;
	}
	while (len && is_space(s[len - 1]))
		len--;
	if (len > LOG_FIELD_MAX) {
		len = LOG_FIELD_MAX;
		while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
			len--;
		while (len && is_space(s[len - 1]))
			len--;
	}
	*n = len;
	return s;
}

/* s[0..*n) trimmed and cut (*n updated), or NULL when nothing or "-" is left. */
static const char *value_span(const char *s, size_t *n)
{
	s = trim_cut(s, n);
	return *n == 0 || (*n == 1 && s[0] == '-') ? NULL : s;
}

char *logfield_value(const char *s, size_t n)
{
	s = value_span(s, &n);
	return s ? xstrndup(s, n) : NULL;
}

/* ASCII-case-insensitive equality of a[0..an) and b[0..bn). */
static bool eq_nocase(const char *a, size_t an, const char *b, size_t bn)
{
	if (an != bn)
		return false;
	for (size_t i = 0; i < an; i++) {
		char x = a[i], y = b[i];

		if (x >= 'A' && x <= 'Z')
			x = (char)(x + 32);
		if (y >= 'A' && y <= 'Z')
			y = (char)(y + 32);
		if (x != y)
			return false;
	}
	return true;
}

struct vocab_ent {
	const char *word;
	size_t len; /* of word: most entries are passed over by it alone */
	const char *canon;
};

#define W(word, canon) { word, sizeof(word) - 1, canon }

static const struct vocab_ent action_vocab[] = {
	W("view", "view"),	      W("read", "view"),	  W("reference", "view"),
	W("browse", "view"),	      W("display", "view"),	  W("参照", "view"),
	W("閲覧", "view"),	      W("照会", "view"),	  W("表示", "view"),
	W("update", "update"),	      W("modify", "update"),	  W("edit", "update"),
	W("write", "update"),	      W("更新", "update"),	  W("修正", "update"),
	W("変更", "update"),	      W("編集", "update"),	  W("create", "create"),
	W("new", "create"),	      W("add", "create"),	  W("insert", "create"),
	W("register", "create"),     W("新規", "create"),	  W("作成", "create"),
	W("登録", "create"),	      W("追加", "create"),	  W("delete", "delete"),
	W("remove", "delete"),	      W("削除", "delete"),	  W("print", "print"),
	W("印刷", "print"),	      W("export", "export"),	  W("download", "export"),
	W("output", "export"),	      W("出力", "export"),	  W("エクスポート", "export"),
	W("ダウンロード", "export"), W("login", "login"),	  W("logon", "login"),
	W("log-in", "login"),	      W("signin", "login"),	  W("ログイン", "login"),
	W("ログオン", "login"),      W("logout", "logout"),	  W("logoff", "logout"),
	W("log-out", "logout"),      W("signout", "logout"),	  W("ログアウト", "logout"),
	W("ログオフ", "logout"),     W("sudo", "sudo"),
};

static const struct vocab_ent result_vocab[] = {
	W("success", "success"),	W("succeeded", "success"), W("successful", "success"),
	W("ok", "success"),		W("true", "success"),	    W("pass", "success"),
	W("passed", "success"),	W("allow", "success"),	    W("allowed", "success"),
	W("permit", "success"),	W("audit_success", "success"), W("成功", "success"),
	W("正常", "success"),		W("許可", "success"),	    W("failure", "failure"),
	W("failed", "failure"),	W("fail", "failure"),	    W("ng", "failure"),
	W("error", "failure"),		W("false", "failure"),	    W("deny", "failure"),
	W("denied", "failure"),	W("reject", "failure"),    W("rejected", "failure"),
	W("audit_failure", "failure"), W("失敗", "failure"),	    W("異常", "failure"),
	W("エラー", "failure"),	W("拒否", "failure"),
};

static const char *vocab_find(const struct vocab_ent *v, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++) {
		if (eq_nocase(s, len, v[i].word, v[i].len))
			return v[i].canon;
	}
	return NULL;
}

const char *logfield_action_norm(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!s)
		return NULL;
	s = trim_cut(s, &n);
	return vocab_find(action_vocab, ARRAY_SIZE(action_vocab), s, n);
}

static enum log_result result_of(const char *canon)
{
	if (!canon)
		return LOG_RESULT_UNKNOWN;
	return !strcmp(canon, "success") ? LOG_RESULT_SUCCESS : LOG_RESULT_FAILURE;
}

enum log_result logfield_result_norm(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (!s)
		return LOG_RESULT_UNKNOWN;
	s = trim_cut(s, &n);
	return result_of(vocab_find(result_vocab, ARRAY_SIZE(result_vocab), s, n));
}

static const char *map_find(const struct lf_map *m, const char *s, size_t len)
{
	for (size_t i = 0; i < m->n; i++) {
		if (eq_nocase(s, len, m->e[i].value, m->e[i].len))
			return m->e[i].canon;
	}
	return NULL;
}

/* ---- freeing --------------------------------------------------------------------- */

static void value_release(struct lf_value *v)
{
	for (size_t i = 0; i < v->nalt; i++) {
		free(v->alt[i].a);
		free(v->alt[i].b);
	}
	v->nalt = 0;
}

static void list_release(struct lf_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	l->n = 0;
}

static void map_release(struct lf_map *m)
{
	for (size_t i = 0; i < m->n; i++) {
		free(m->e[i].value);
		free(m->e[i].canon);
	}
	free(m->e);
	m->e = NULL;
	m->n = 0;
}

static void rule_release(struct lf_rule *r)
{
	free(r->name);
	list_release(&r->sd);
	list_release(&r->app);
	list_release(&r->msgid);
	list_release(&r->hostname);
	free(r->prefix);
	free(r->contains);
	for (size_t i = 0; i < r->nlit; i++)
		free(r->lit[i]);
	free(r->lit);
	free(r->litlen);
	if (r->has_re)
		regfree(&r->re);
	for (size_t i = 0; i < r->nwhere; i++) {
		value_release(&r->where[i].val);
		for (size_t j = 0; j < r->where[i].nin; j++)
			free(r->where[i].in[j]);
		free(r->where[i].in);
	}
	for (int i = 0; i < F_COUNT; i++)
		value_release(&r->f[i]);
	map_release(&r->amap);
	map_release(&r->rmap);
	memset(r, 0, sizeof(*r));
}

void logfield_rules_free(struct logfield_rules *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		rule_release(&r->rules[i]);
	free(r->rules);
	free(r);
}

size_t logfield_rules_count(const struct logfield_rules *r)
{
	return r ? r->n : 0;
}

const char *logfield_rules_name(const struct logfield_rules *r, size_t i)
{
	return r && i < r->n ? r->rules[i].name : NULL;
}

/* ---- parsing ------------------------------------------------------------------------ */

struct lf_parser {
	const char *file;
	unsigned line;
	struct mamori_err *err;
	struct lf_rule *rules;
	size_t n, cap;
	struct lf_rule *cur;
};

static int perr(struct lf_parser *p, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int perr(struct lf_parser *p, unsigned line, const char *fmt, ...)
{
	char msg[MAMORI_ERR_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return mamori_err_set(p->err, MAMORI_EINVAL, "%s:%u: %s", p->file, line, msg);
}

static bool name_ok(const char *s, size_t n)
{
	if (n == 0 || n > LOGFIELD_MAX_NAME)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return false;
	}
	return true;
}

/*
 * Reads a quoted string at s[0..n) (s[0] == '"'), unescaping \" and \\, into
 * *out; returns the bytes read or -1 when the quote is not closed.
 */
static long read_quoted(const char *s, size_t n, char **out)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 1; i < n; i++) {
		if (s[i] == '\\' && i + 1 < n && (s[i + 1] == '"' || s[i + 1] == '\\')) {
			strbuf_addch(&sb, s[++i]);
			continue;
		}
		if (s[i] == '"') {
			*out = strbuf_detach(&sb, NULL);
			return (long)(i + 1);
		}
		strbuf_addch(&sb, s[i]);
	}
	strbuf_release(&sb);
	return -1;
}

/* A literal value: quoted or the trimmed text as it is. */
static int parse_literal(struct lf_parser *p, const char *s, size_t n, char **out)
{
	if (n && s[0] == '"') {
		long k = read_quoted(s, n, out);

		if (k < 0)
			return perr(p, p->line, "引用符「\"」が閉じていません。");
		if ((size_t)k != n) {
			free(*out);
			*out = NULL;
			return perr(p, p->line, "閉じた引用符の後に文字があります。");
		}
		return 0;
	}
	*out = xstrndup(s, n);
	return 0;
}

static void trim(const char **s, size_t *n)
{
	while (*n && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_space((*s)[*n - 1]))
		(*n)--;
}

/* One value source ("sd:ID:param", "kv:key", "$N", "hdr:NAME", a constant). */
static int parse_src(struct lf_parser *p, const char *s, size_t n, struct lf_src *src)
{
	static const char *const hdrs[] = { "hostname", "app", "procid", "msgid" };

	memset(src, 0, sizeof(*src));
	trim(&s, &n);
	if (n == 0)
		return perr(p, p->line, "値の取り出し方が空です。");
	if (n == 2 && s[0] == '$' && s[1] >= '1' && s[1] <= '9') {
		src->kind = SRC_CAP;
		src->n = s[1] - '0';
		if (src->n > p->cur->max_cap)
			p->cur->max_cap = src->n;
		return 0;
	}
	if (s[0] == '$')
		return perr(p, p->line, "「%.*s」は使えません。キャプチャは $1〜$9 です。", (int)n, s);
	if (n > 3 && !memcmp(s, "sd:", 3)) {
		const char *colon = memrchr(s + 3, ':', n - 3);

		if (!colon || colon == s + 3 || colon == s + n - 1)
			return perr(p, p->line,
				    "「%.*s」が不正です。sd:SD-ID:パラメータ名 と書いてください。",
				    (int)n, s);
		src->kind = SRC_SD;
		src->a = xstrndup(s + 3, (size_t)(colon - s - 3));
		src->b = xstrndup(colon + 1, (size_t)(s + n - colon - 1));
		return 0;
	}
	if (n > 3 && !memcmp(s, "kv:", 3)) {
		for (size_t i = 3; i < n; i++) {
			if (is_space(s[i]) || s[i] == '=' || s[i] == '"')
				return perr(p, p->line, "kv のキー「%.*s」に空白・「=」・「\"」は使えません。",
					    (int)(n - 3), s + 3);
		}
		src->kind = SRC_KV;
		src->a = xstrndup(s + 3, n - 3);
		src->alen = n - 3;
		return 0;
	}
	if (n > 4 && !memcmp(s, "hdr:", 4)) {
		for (int i = 0; i < (int)ARRAY_SIZE(hdrs); i++) {
			if (n - 4 == strlen(hdrs[i]) && !memcmp(s + 4, hdrs[i], n - 4)) {
				src->kind = SRC_HDR;
				src->n = i;
				return 0;
			}
		}
		return perr(p, p->line,
			    "ヘッダー項目「%.*s」は不明です（hostname, app, procid, msgid のどれか）。",
			    (int)(n - 4), s + 4);
	}
	src->kind = SRC_CONST;
	if (parse_literal(p, s, n, &src->a) < 0)
		return MAMORI_EINVAL;
	src->alen = strlen(src->a);
	return 0;
}

/* Alternatives separated by " | " (a '|' outside quotes). */
static int parse_value(struct lf_parser *p, const char *s, size_t n, struct lf_value *v)
{
	size_t start = 0;
	bool quoted = false;

	for (size_t i = 0; i <= n; i++) {
		if (i < n && s[i] == '"' && (i == 0 || s[i - 1] != '\\'))
			quoted = !quoted;
		if (i < n && (quoted || s[i] != '|'))
			continue;
		if (v->nalt == LOGFIELD_MAX_ALTS)
			return perr(p, p->line, "「|」で並べられる候補は %d 個までです。",
				    LOGFIELD_MAX_ALTS);
		if (parse_src(p, s + start, i - start, &v->alt[v->nalt]) < 0)
			return MAMORI_EINVAL;
		v->nalt++;
		start = i + 1;
	}
	return 0;
}

/* "a, b, c" into l. */
static int parse_list(struct lf_parser *p, const char *s, size_t n, struct lf_list *l)
{
	size_t start = 0;

	for (size_t i = 0; i <= n; i++) {
		const char *t;
		size_t tn;

		if (i < n && s[i] != ',')
			continue;
		t = s + start;
		tn = i - start;
		trim(&t, &tn);
		if (tn == 0)
			return perr(p, p->line, "一覧に空の値があります。");
		if (l->n == LF_MAX_LIST)
			return perr(p, p->line, "一覧の値は %d 個までです。", LF_MAX_LIST);
		l->v[l->n++] = xstrndup(t, tn);
		start = i + 1;
	}
	return 0;
}

/* "success=OK,成功 failure=NG,失敗" */
static int parse_map(struct lf_parser *p, const char *s, size_t n, struct lf_map *m, bool result)
{
	size_t i = 0;

	while (i < n) {
		size_t tok, eq, j;
		char *canon;

		while (i < n && is_space(s[i]))
			i++;
		if (i == n)
			break;
		tok = i;
		while (i < n && !is_space(s[i]))
			i++;
		for (eq = tok; eq < i && s[eq] != '='; eq++)
			;
		if (eq == i || eq == tok || eq + 1 == i)
			return perr(p, p->line, "「%.*s」が不正です。名前=値,値,… と書いてください。",
				    (int)(i - tok), s + tok);
		canon = xstrndup(s + tok, eq - tok);
		if (result && strcmp(canon, "success") && strcmp(canon, "failure")) {
			perr(p, p->line, "result-map の名前「%s」は success か failure です。", canon);
			free(canon);
			return MAMORI_EINVAL;
		}
		if (!name_ok(canon, strlen(canon))) {
			perr(p, p->line, "値の名前「%s」は英数字と . _ - で書いてください。", canon);
			free(canon);
			return MAMORI_EINVAL;
		}
		j = eq + 1;
		while (j < i) {
			size_t k = j;

			while (k < i && s[k] != ',')
				k++;
			if (k == j) {
				perr(p, p->line, "「%s」の値に空のものがあります。", canon);
				free(canon);
				return MAMORI_EINVAL;
			}
			if (m->n == LOGFIELD_MAX_MAPVALS) {
				free(canon);
				return perr(p, p->line, "値の対応は %d 個までです。", LOGFIELD_MAX_MAPVALS);
			}
			m->e = xrealloc(m->e, (m->n + 1) * sizeof(*m->e));
			m->e[m->n].value = xstrndup(s + j, k - j);
			m->e[m->n].len = strlen(m->e[m->n].value);
			m->e[m->n].canon = xstrdup(canon);
			m->n++;
			j = k + 1;
		}
		free(canon);
	}
	if (m->n == 0)
		return perr(p, p->line, "値の対応が空です。");
	return 0;
}

/* "Accepted * for * from *" into literals; "\*" is a literal '*'. */
static int parse_pattern(struct lf_parser *p, const char *s, size_t n, struct lf_rule *r)
{
	struct strbuf cur = STRBUF_INIT;
	char *text;
	size_t tn;

	if (parse_literal(p, s, n, &text) < 0)
		return MAMORI_EINVAL;
	tn = strlen(text);
	for (size_t i = 0; i <= tn; i++) {
		if (i < tn && text[i] == '\\' && i + 1 < tn && (text[i + 1] == '*' || text[i + 1] == '\\')) {
			strbuf_addch(&cur, text[++i]);
			continue;
		}
		if (i < tn && text[i] != '*') {
			strbuf_addch(&cur, text[i]);
			continue;
		}
		if (i < tn && r->nlit > 0 && cur.len == 0) {
			strbuf_release(&cur);
			free(text);
			return perr(p, p->line, "pattern に「**」は使えません（区切りの文字が必要です）。");
		}
		if (r->nlit > LF_MAX_CAPS) {
			strbuf_release(&cur);
			free(text);
			return perr(p, p->line, "pattern の「*」は %d 個までです。", LF_MAX_CAPS);
		}
		r->lit = xrealloc(r->lit, (r->nlit + 1) * sizeof(*r->lit));
		r->litlen = xrealloc(r->litlen, (r->nlit + 1) * sizeof(*r->litlen));
		r->litlen[r->nlit] = cur.len;
		r->lit[r->nlit++] = strbuf_detach(&cur, NULL);
	}
	free(text);
	r->has_pattern = true;
	r->ncaps = (int)r->nlit - 1;
	return 0;
}

/*
 * glibc's regcomp() copies a group once for every repetition of a counted
 * quantifier {n,m}, so nested counts multiply: "(a{200}){200}" alone takes
 * gigabytes (found by fuzz_logfield).  A rule's regex may repeat at most
 * RE_COUNT_MAX times in all: the product of its counts (read outside
 * bracket expressions and escapes) must not exceed it.  Stacked operators
 * ("a+*") and back-references ("\\1") are refused too.
 */
#define RE_COUNT_MAX 1000

static bool re_counts_ok(const char *re)
{
	uint64_t product = 1;
	bool after_quant = false;

	for (const char *p = re; *p; p++) {
		bool quant = *p == '*' || *p == '+' || *p == '?' || *p == '{';

		/* "a++" and the like: undefined in POSIX, and glibc builds a
		 * tree per stacked operator (another fuzz_logfield find) */
		if (quant && after_quant)
			return false;
		after_quant = quant;
		if (*p == '\\' && p[1]) {
			/* back-references make matching exponential: refused */
			if (p[1] >= '1' && p[1] <= '9')
				return false;
			p++;
			continue;
		}
		if (*p == '[') { /* a bracket expression: '{' is literal there */
			p++;
			if (*p == '^')
				p++;
			if (*p == ']')
				p++;
			while (*p && *p != ']') {
				if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
					char c = p[1];

					for (p += 2; *p && !(*p == c && p[1] == ']'); p++)
						;
					if (*p)
						p++;
				}
				if (*p)
					p++;
			}
			if (!*p)
				break;
			continue;
		}
		if (*p == '{') {
			uint64_t n = 0, m;
			const char *q = p + 1;

			while (*q >= '0' && *q <= '9' && n <= RE_COUNT_MAX)
				n = n * 10 + (uint64_t)(*q++ - '0');
			m = n;
			if (*q == ',') {
				m = 0;
				for (q++; *q >= '0' && *q <= '9' && m <= RE_COUNT_MAX; q++)
					m = m * 10 + (uint64_t)(*q - '0');
				if (m < n)
					m = n; /* {n,}: counted as n */
			}
			if (m > 1)
				product *= m;
			if (product > RE_COUNT_MAX)
				return false;
			while (*q && *q != '}')
				q++;
			if (!*q)
				break; /* unclosed: regcomp() says so */
			p = q; /* at '}': the quantifier ends here */
		}
	}
	return true;
}

static int parse_where(struct lf_parser *p, const char *s, size_t n, struct lf_rule *r)
{
	struct lf_where *w;
	const char *in = NULL;

	if (r->nwhere == LF_MAX_WHERE)
		return perr(p, p->line, "where は 1 つの規則に %d 個までです。", LF_MAX_WHERE);
	w = &r->where[r->nwhere++];
	for (size_t i = 0; i + 4 <= n; i++) {
		if (!memcmp(s + i, " in ", 4)) {
			in = s + i;
			break;
		}
	}
	if (parse_value(p, s, in ? (size_t)(in - s) : n, &w->val) < 0)
		return MAMORI_EINVAL;
	if (in) {
		struct lf_list l = { .n = 0 };

		if (parse_list(p, in + 4, n - (size_t)(in + 4 - s), &l) < 0) {
			list_release(&l);
			return MAMORI_EINVAL;
		}
		w->in = xcalloc(l.n, sizeof(*w->in));
		memcpy(w->in, l.v, l.n * sizeof(*w->in));
		w->nin = l.n;
	}
	return 0;
}

static const char *const rule_keys[] = {
	"sd", "app", "msgid", "hostname", "prefix", "contains", "pattern", "regex", "where",
	"user", "patient", "host", "action", "result", "source", "action-map", "result-map",
};

static int parse_setting(struct lf_parser *p, const char *key, size_t kn, const char *val,
			 size_t vn)
{
	struct lf_rule *r = p->cur;
	int k = -1;

	for (int i = 0; i < (int)ARRAY_SIZE(rule_keys); i++) {
		if (kn == strlen(rule_keys[i]) && !memcmp(key, rule_keys[i], kn)) {
			k = i;
			break;
		}
	}
	if (k < 0)
		return perr(p, p->line, "不明なキー「%.*s」です。", (int)kn, key);
	if (strcmp(rule_keys[k], "where") && r->seen_key[k])
		return perr(p, p->line, "「%s」が 2 回書かれています。", rule_keys[k]);
	r->seen_key[k] = true;
	if (vn == 0)
		return perr(p, p->line, "「%s」の値が空です。", rule_keys[k]);
	switch (k) {
	case 0:
		return parse_list(p, val, vn, &r->sd);
	case 1:
		return parse_list(p, val, vn, &r->app);
	case 2:
		return parse_list(p, val, vn, &r->msgid);
	case 3:
		return parse_list(p, val, vn, &r->hostname);
	case 4:
		if (parse_literal(p, val, vn, &r->prefix) < 0)
			return MAMORI_EINVAL;
		r->prefix_len = strlen(r->prefix);
		return 0;
	case 5:
		if (parse_literal(p, val, vn, &r->contains) < 0)
			return MAMORI_EINVAL;
		r->contains_len = strlen(r->contains);
		return 0;
	case 6:
		if (r->has_re)
			return perr(p, p->line, "pattern と regex は同じ規則に書けません。");
		return parse_pattern(p, val, vn, r);
	case 7: {
		char *re;
		int rc;

		if (r->has_pattern)
			return perr(p, p->line, "pattern と regex は同じ規則に書けません。");
		if (parse_literal(p, val, vn, &re) < 0)
			return MAMORI_EINVAL;
		if (!re_counts_ok(re)) {
			free(re);
			return perr(p, p->line,
				    "正規表現の繰り返し回数 ({n,m}) が大きすぎるか、繰り返しの重ね "
				    "(a++ など) か後方参照 (\\1 など) があります "
				    "(回数はすべて掛け合わせて %d まで)。",
				    RE_COUNT_MAX);
		}
		rc = regcomp(&r->re, re, REG_EXTENDED);
		free(re);
		if (rc != 0) {
			char buf[256];

			regerror(rc, &r->re, buf, sizeof(buf));
			return perr(p, p->line, "正規表現を解釈できません: %s", buf);
		}
		r->has_re = true;
		r->ncaps = r->re.re_nsub > LF_MAX_CAPS ? LF_MAX_CAPS : (int)r->re.re_nsub;
		return 0;
	}
	case 8:
		return parse_where(p, val, vn, r);
	case 15:
		return parse_map(p, val, vn, &r->amap, false);
	case 16:
		return parse_map(p, val, vn, &r->rmap, true);
	default: {
		int f = k - 9;

		r->set[f] = true;
		return parse_value(p, val, vn, &r->f[f]);
	}
	}
}

/* Checks the rule just finished (p->cur). */
static int finish_rule(struct lf_parser *p)
{
	struct lf_rule *r = p->cur;
	bool any_cond, any_set = false;

	if (!r)
		return 0;
	p->cur = NULL;
	any_cond = r->sd.n || r->app.n || r->msgid.n || r->hostname.n || r->prefix ||
		   r->contains || r->has_pattern || r->has_re || r->nwhere;
	for (int i = 0; i < F_COUNT; i++)
		any_set |= r->set[i];
	if (!any_cond)
		return perr(p, r->line, "規則「%s」に条件がありません（すべてのメッセージに当たってしまいます）。",
			    r->name);
	if (!any_set)
		return perr(p, r->line, "規則「%s」に項目の割り当て（user = … など）がありません。", r->name);
	if (r->max_cap > r->ncaps)
		return perr(p, r->line, "規則「%s」が $%d を使っていますが、pattern/regex の取り出しは %d 個です。",
			    r->name, r->max_cap, r->ncaps);
	return 0;
}

static int parse_text(struct lf_parser *p, const char *text, size_t len)
{
	size_t pos = 0;

	while (pos < len) {
		const char *line = text + pos, *nl = memchr(line, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - line) : len - pos;
		const char *eq;

		pos += n + (nl ? 1 : 0);
		p->line++;
		if (n > LOGFIELD_MAX_LINE)
			return perr(p, p->line, "行が長すぎます（%d バイトまで）。", LOGFIELD_MAX_LINE);
		if (memchr(line, '\0', n))
			return perr(p, p->line, "NUL 文字があります。");
		if (!enc_valid_utf8(line, n))
			return perr(p, p->line, "UTF-8 ではない文字があります。");
		trim(&line, &n);
		if (n == 0 || line[0] == '#')
			continue;
		if (line[0] == '[') {
			const char *name;
			size_t nn;

			if (line[n - 1] != ']' || n < 7 || memcmp(line, "[rule ", 6))
				return perr(p, p->line, "見出しは「[rule 名前]」と書いてください。");
			if (finish_rule(p) < 0)
				return MAMORI_EINVAL;
			name = line + 6;
			nn = n - 7;
			trim(&name, &nn);
			if (!name_ok(name, nn))
				return perr(p, p->line,
					    "規則名「%.*s」が不正です（英数字と . _ - で 1〜%d 文字）。",
					    (int)nn, name, LOGFIELD_MAX_NAME);
			for (size_t i = 0; i < p->n; i++) {
				if (strlen(p->rules[i].name) == nn && !memcmp(p->rules[i].name, name, nn))
					return perr(p, p->line, "規則名「%.*s」は %u 行目でも使われています。",
						    (int)nn, name, p->rules[i].line);
			}
			if (p->n == LOGFIELD_MAX_RULES)
				return perr(p, p->line, "規則が多すぎます（%d 個まで）。", LOGFIELD_MAX_RULES);
			if (p->n == p->cap) {
				p->cap = p->cap ? 2 * p->cap : 16;
				p->rules = xrealloc(p->rules, p->cap * sizeof(*p->rules));
			}
			p->cur = &p->rules[p->n++];
			memset(p->cur, 0, sizeof(*p->cur));
			p->cur->name = xstrndup(name, nn);
			p->cur->line = p->line;
			continue;
		}
		eq = memchr(line, '=', n);
		if (!eq)
			return perr(p, p->line, "「キー = 値」の形ではありません。");
		if (!p->cur)
			return perr(p, p->line, "設定が「[rule 名前]」の見出しより前にあります。");
		{
			const char *key = line, *val = eq + 1;
			size_t kn = (size_t)(eq - line), vn = n - kn - 1;

			trim(&key, &kn);
			trim(&val, &vn);
			if (parse_setting(p, key, kn, val, vn) < 0)
				return MAMORI_EINVAL;
		}
	}
	return finish_rule(p);
}

static const char *builtin_text(size_t *len)
{
	for (const struct catalog_file *c = catalog_files; c->name; c++) {
		if (!strcmp(c->name, "logrules.conf")) {
			*len = c->size;
			return c->data;
		}
	}
	BUG("catalog/logrules.conf is not compiled in");
}

static void parser_discard(struct lf_parser *p)
{
	for (size_t i = 0; i < p->n; i++)
		rule_release(&p->rules[i]);
	free(p->rules);
	p->rules = NULL;
	p->n = p->cap = 0;
}

int logfield_rules_load(struct logfield_rules **out, const char *text, size_t len,
			const char *file, struct mamori_err *err)
{
	struct lf_parser p = { .file = file ? file : "-", .err = err };
	const char *bt;
	size_t blen;
	unsigned site;

	*out = NULL;
	if (text && parse_text(&p, text, len) < 0)
		goto fail;
	site = (unsigned)p.n;
	/* The built-in rules follow; a site rule of the same name replaces one. */
	bt = builtin_text(&blen);
	{
		struct lf_parser b = { .file = "logrules.conf (組み込み)", .err = err };

		if (parse_text(&b, bt, blen) < 0) {
			parser_discard(&b);
			goto fail;
		}
		for (size_t i = 0; i < b.n; i++) {
			bool shadowed = false;

			for (size_t j = 0; j < site; j++)
				shadowed |= !strcmp(p.rules[j].name, b.rules[i].name);
			if (shadowed) {
				rule_release(&b.rules[i]);
				continue;
			}
			if (p.n == p.cap) {
				p.cap = p.cap ? 2 * p.cap : 16;
				p.rules = xrealloc(p.rules, p.cap * sizeof(*p.rules));
			}
			p.rules[p.n++] = b.rules[i];
		}
		free(b.rules);
	}
	*out = xcalloc(1, sizeof(**out));
	(*out)->rules = p.rules;
	(*out)->n = p.n;
	return 0;
fail:
	parser_discard(&p);
	return MAMORI_EINVAL;
}

int logfield_rules_builtin(struct logfield_rules **out, struct mamori_err *err)
{
	return logfield_rules_load(out, NULL, 0, NULL, err);
}

/* ---- extraction ------------------------------------------------------------------ */

struct lf_ctx {
	const struct syslog_msg *m;
	struct {
		const char *s;
		size_t n;
	} cap[LF_MAX_CAPS + 1];
	int ncap;
};

/*
 * The value of key in a "key=value key2="quoted value"" body: the key must
 * start the body or follow a space, tab, ',', ';', ':', '[', '(' or '{'.
 * Unquoted values end at a space, tab, ',' or ';'.  Returns the raw bytes
 * (quotes removed, escapes kept) and *quoted.
 */
static bool kv_find(const char *body, size_t blen, const char *key, size_t klen, const char **v,
		    size_t *vn, bool *quoted)
{
	const char *p = body, *end = body + blen;

	while (p < end) {
		const char *hit = memmem(p, (size_t)(end - p), key, klen);
		const char *s;

		if (!hit)
			return false;
		p = hit + 1;
		if (hit + klen >= end || hit[klen] != '=')
			continue;
		if (hit > body && !strchr(" \t,;:[({", hit[-1]))
			continue;
		s = hit + klen + 1;
		if (s < end && *s == '"') {
			const char *q = ++s;

			while (q < end && *q != '"') {
				if (*q == '\\' && q + 1 < end)
					q++;
				q++;
			}
			*v = s;
			*vn = (size_t)((q < end ? q : end) - s);
			*quoted = true;
			return true;
		}
		{
			const char *q = s;

			while (q < end && *q != ' ' && *q != '\t' && *q != ',' && *q != ';')
				q++;
			*v = s;
			*vn = (size_t)(q - s);
			*quoted = false;
			return true;
		}
	}
	return false;
}

/*
 * Resolves one source into buf (LOG_FIELD_MAX + 1 bytes): the trimmed, cut
 * value, NUL-terminated.  Returns its length, or -1 when unknown ("" or "-").
 */
static long resolve_src(const struct lf_ctx *c, const struct lf_src *s, char *buf)
{
	const struct syslog_msg *m = c->m;
	const char *v = NULL;
	size_t n = 0;
	bool quoted = false;

	switch (s->kind) {
	case SRC_CONST:
		v = s->a;
		n = s->alen;
		break;
	case SRC_SD:
		v = syslog_sd_get(m, s->a, s->b);
		n = v ? strlen(v) : 0;
		break;
	case SRC_KV:
		if (!kv_find(m->body ? m->body : "", m->body_len, s->a, s->alen, &v, &n, &quoted))
			return -1;
		break;
	case SRC_CAP:
		if (s->n > c->ncap)
			return -1;
		v = c->cap[s->n].s;
		n = c->cap[s->n].n;
		break;
	case SRC_HDR:
		v = s->n == HDR_HOSTNAME ? m->hostname :
		    s->n == HDR_APP	 ? m->app_name :
		    s->n == HDR_PROCID	 ? m->procid :
					   m->msgid;
		n = v ? strlen(v) : 0;
		break;
	}
	if (!v)
		return -1;
	if (quoted) {
		/* unescape \" and \\ while copying, bounded by the buffer */
		size_t o = 0;

		for (size_t i = 0; i < n && o < LOG_FIELD_MAX + 1; i++) {
			if (v[i] == '\\' && i + 1 < n && (v[i + 1] == '"' || v[i + 1] == '\\'))
				i++;
			buf[o++] = v[i];
		}
		v = buf; /* LOG_FIELD_MAX + 1 bytes at most: trim_cut() cuts */
		n = o;
	}
	if (!(v = value_span(v, &n)))
		return -1;
	memmove(buf, v, n);
	buf[n] = '\0';
	return (long)n;
}

static long resolve(const struct lf_ctx *c, const struct lf_value *val, char *buf)
{
	for (size_t i = 0; i < val->nalt; i++) {
		long n = resolve_src(c, &val->alt[i], buf);

		if (n >= 0)
			return n;
	}
	return -1;
}

static bool list_has(const struct lf_list *l, const char *s)
{
	if (!s)
		return false;
	for (size_t i = 0; i < l->n; i++) {
		if (!strcmp(l->v[i], s))
			return true;
	}
	return false;
}

/* Anchored wildcard match of the body; fills the captures. */
static bool pattern_match(const struct lf_rule *r, const char *s, size_t n, struct lf_ctx *c)
{
	size_t pos, last = r->nlit - 1;

	if (r->nlit == 1)
		return n == r->litlen[0] && !memcmp(s, r->lit[0], n);
	if (n < r->litlen[0] || memcmp(s, r->lit[0], r->litlen[0]))
		return false;
	pos = r->litlen[0];
	for (size_t i = 1; i < last; i++) {
		const char *hit = memmem(s + pos, n - pos, r->lit[i], r->litlen[i]);

		if (!hit)
			return false;
		c->cap[i].s = s + pos;
		c->cap[i].n = (size_t)(hit - (s + pos));
		pos = (size_t)(hit - s) + r->litlen[i];
	}
	if (n - pos < r->litlen[last] || memcmp(s + n - r->litlen[last], r->lit[last], r->litlen[last]))
		return false;
	c->cap[last].s = s + pos;
	c->cap[last].n = n - r->litlen[last] - pos;
	c->ncap = (int)last;
	return true;
}

static bool rule_matches(const struct lf_rule *r, const struct syslog_msg *m, struct lf_ctx *c,
			 char *buf)
{
	const char *body = m->body ? m->body : "";
	size_t blen = m->body ? m->body_len : 0;

	c->ncap = 0;
	if (r->app.n && !list_has(&r->app, m->app_name))
		return false;
	if (r->msgid.n && !list_has(&r->msgid, m->msgid))
		return false;
	if (r->hostname.n && !list_has(&r->hostname, m->hostname))
		return false;
	if (r->sd.n) {
		bool found = false;

		for (size_t i = 0; i < m->nsd && !found; i++)
			found = list_has(&r->sd, m->sd[i].id);
		if (!found)
			return false;
	}
	if (r->prefix && (blen < r->prefix_len || memcmp(body, r->prefix, r->prefix_len)))
		return false;
	if (r->contains && !memmem(body, blen, r->contains, r->contains_len))
		return false;
	for (size_t i = 0; i < r->nwhere; i++) {
		const struct lf_where *w = &r->where[i];
		bool ok = false;

		if (resolve(c, &w->val, buf) < 0)
			return false;
		if (!w->in)
			continue;
		for (size_t j = 0; j < w->nin && !ok; j++)
			ok = !strcmp(w->in[j], buf);
		if (!ok)
			return false;
	}
	if (r->has_pattern && !pattern_match(r, body, blen, c))
		return false;
	if (r->has_re) {
		regmatch_t pm[LF_MAX_CAPS + 1];

		if (regexec(&r->re, body, (size_t)r->ncaps + 1, pm, 0) != 0)
			return false;
		for (int i = 1; i <= r->ncaps; i++) {
			if (pm[i].rm_so < 0) {
				c->cap[i].s = NULL;
				c->cap[i].n = 0;
				continue;
			}
			c->cap[i].s = body + pm[i].rm_so;
			c->cap[i].n = (size_t)(pm[i].rm_eo - pm[i].rm_so);
		}
		c->ncap = r->ncaps;
	}
	return true;
}

/*
 * The strings an event's fields held before this extraction, for the new
 * values to reuse: the receivers reuse their events, and the fields of one
 * event are about as long as the last one's, so a field costs no malloc
 * and no free once the events are warm.
 */
struct spare {
	char *v[F_COUNT];
};

/* s[0..n) as a string, in spare f when it has room, else in a new one. */
static char *spare_put(struct spare *sp, int f, const char *s, size_t n)
{
	char *p = sp->v[f];

	if (p && malloc_usable_size(p) > n)
		sp->v[f] = NULL;
	else
		p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void apply_rule(const struct lf_rule *r, struct lf_ctx *c, struct log_fields *out,
		       struct spare *sp, char *buf)
{
	char **slots[F_COUNT] = { &out->user, &out->patient, &out->host, &out->action, NULL,
				  &out->source };

	for (int f = 0; f < F_COUNT; f++) {
		long n;

		if (!r->set[f])
			continue;
		n = resolve(c, &r->f[f], buf);
		if (n < 0)
			continue;
		if (f == F_ACTION) {
			const char *canon = map_find(&r->amap, buf, (size_t)n);

			if (!canon)
				canon = vocab_find(action_vocab, ARRAY_SIZE(action_vocab), buf, (size_t)n);
			if (canon)
				out->action = spare_put(sp, f, canon, strlen(canon));
			else
				out->action = spare_put(sp, f, buf, (size_t)n);
		} else if (f == F_RESULT) {
			const char *canon = map_find(&r->rmap, buf, (size_t)n);

			if (!canon)
				canon = vocab_find(result_vocab, ARRAY_SIZE(result_vocab), buf, (size_t)n);
			out->result = result_of(canon);
		} else {
			*slots[f] = spare_put(sp, f, buf, (size_t)n);
		}
	}
	out->rule = r->name;
}

void logfield_extract(const struct logfield_rules *r, const struct syslog_msg *m,
		      struct log_fields *out)
{
	char buf[LOG_FIELD_MAX + 2];
	struct lf_ctx c = { .m = m };
	struct spare sp = { .v = { out->user, out->patient, out->host, out->action, NULL,
				   out->source } };

	log_fields_init(out); /* what it held is in sp */
	for (size_t i = 0; r && i < r->n; i++) {
		if (rule_matches(&r->rules[i], m, &c, buf)) {
			apply_rule(&r->rules[i], &c, out, &sp, buf);
			break;
		}
	}
	if (!out->host && m->hostname) {
		size_t n = strlen(m->hostname);
		const char *h = value_span(m->hostname, &n);

		if (h)
			out->host = spare_put(&sp, F_HOST, h, n);
	}
	for (int f = 0; f < F_COUNT; f++)
		free(sp.v[f]);
}

/* ---- one call: parse, extract, seal ---------------------------------------------- */

/* Microseconds of a UTC timestamp "…ss[.frac]Z" whose whole seconds are t. */
static int64_t time_us_of(const struct syslog_msg *m)
{
	const char *dot;
	int64_t us = 0;
	int digits = 0;

	if (!m->timestamp || (m->flags & SYSLOG_F_NO_ZONE))
		return INT64_MIN;
	dot = strchr(m->timestamp, '.');
	if (dot) {
		for (const char *p = dot + 1; *p >= '0' && *p <= '9' && digits < 6; p++, digits++)
			us = us * 10 + (*p - '0');
	}
	for (; digits < 6; digits++)
		us *= 10;
	return m->time * 1000000 + us;
}

/*
 * One parsed message per thread, reused: syslog_parse() keeps its strings in
 * an arena that the next parse reuses, which saves the allocations of a
 * fresh message on every event.  Freed when the thread ends.
 */
static pthread_key_t msg_key;
static pthread_once_t msg_once = PTHREAD_ONCE_INIT;

static void msg_free(void *p)
{
	syslog_msg_release(p);
	free(p);
}

static void msg_setup(void)
{
	if (pthread_key_create(&msg_key, msg_free) != 0)
		BUG("pthread_key_create failed");
}

static struct syslog_msg *thread_msg(void)
{
	struct syslog_msg *m;

	pthread_once(&msg_once, msg_setup);
	m = pthread_getspecific(msg_key);
	if (!m) {
		m = xmalloc(sizeof(*m));
		syslog_msg_init(m);
		if (pthread_setspecific(msg_key, m) != 0)
			BUG("pthread_setspecific failed");
	}
	return m;
}

void logfield_event_from_syslog(const struct logfield_rules *r, struct log_event *ev,
				const char *raw, size_t len, enum log_via via, const char *peer,
				int64_t recv_us)
{
	struct syslog_msg *m = thread_msg();

	syslog_parse(m, raw, len, SYSLOG_FMT_AUTO, (time_t)(recv_us / 1000000));
	if (len > SYSLOG_MAX_MSG)
		len = SYSLOG_MAX_MSG;
	logfield_extract(r, m, &ev->f);
	ev->recv_us = recv_us;
	ev->time_us = time_us_of(m);
	ev->via = via;
	ev->flags = m->flags;
	log_event_seal(ev, peer, raw, len);
}
