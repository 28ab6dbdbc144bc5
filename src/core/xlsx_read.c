/*
 * xlsx_read.c - the hostile-input-safe xlsx reader (see xlsx_read.h and
 * docs/internals/xlsx-import.md).
 *
 * Order of work:
 *   1. the file is opened as a zip from memory (libzip) and its directory
 *      checked (entry count);
 *   2. xl/workbook.xml gives the sheets in order with their relationship
 *      ids, xl/_rels/workbook.xml.rels maps each id to a part name (and
 *      names the shared-string part);
 *   3. the shared strings are read, then each sheet part.
 * Every part is decompressed into memory by read_part(), which counts the
 * bytes it gets (a zip's declared sizes are only used to refuse early) and
 * stops at XLSX_PART_MAX, at XLSX_TOTAL_MAX over the book, or when the
 * compression ratio gives a zip bomb away.  Every XML part goes through
 * xml_run(): UTF-8 checked first, then expat with namespaces ("uri|local"
 * names; only local names are matched), no DOCTYPE, no parameter entities,
 * billion-laughs protection on.  Handlers report problems through
 * xp_fail(), which formats "PART: N 行目: reason" and stops the parser.
 */
#include "common.h"
#include "norm.h"
#include "enc.h"

#include <expat.h>
#include <limits.h>
#include <zip.h>

#include "strbuf.h"
#include "xlsx_read.h"

/* Total bytes of cell text kept for one book (many cells pointing at one
 * long shared string would otherwise multiply it). */
#define XLSX_TEXT_TOTAL_MAX (64u << 20)
#define XLSX_RELS_MAX 1000

/* ------------------------------------------------------------ addresses */

void xlsx_cell_name(unsigned row, unsigned col, char out[XLSX_CELL_NAME_LEN])
{
	char letters[8];
	size_t n = 0, i;

	if (col == 0 || col > XLSX_COL_MAX || row == 0 || row > XLSX_ROW_MAX) {
		snprintf(out, XLSX_CELL_NAME_LEN, "?");
		return;
	}
	while (col && n < sizeof(letters)) {
		col--;
		letters[n++] = (char)('A' + col % 26);
		col /= 26;
	}
	for (i = 0; i < n; i++)
		out[i] = letters[n - 1 - i];
	snprintf(out + n, XLSX_CELL_NAME_LEN - n, "%u", row);
}

/* 0 ok; -1 not letters-then-digits; -2 outside XFD1048576. */
static int parse_ref(const char *s, size_t len, unsigned *row, unsigned *col)
{
	unsigned long c = 0, r = 0;
	size_t i = 0, nl = 0, nd = 0;

	while (i < len && ((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))) {
		char ch = s[i] >= 'a' ? (char)(s[i] - 'a' + 'A') : s[i];

		if (++nl <= 4)
			c = c * 26 + (unsigned long)(ch - 'A' + 1);
		i++;
	}
	while (i < len && s[i] >= '0' && s[i] <= '9') {
		if (++nd <= 8)
			r = r * 10 + (unsigned long)(s[i] - '0');
		i++;
	}
	if (i != len || nl == 0 || nd == 0 || s[nl] == '0')
		return -1;
	if (nl > 3 || c > XLSX_COL_MAX || nd > 7 || r == 0 || r > XLSX_ROW_MAX)
		return -2;
	*row = (unsigned)r;
	*col = (unsigned)c;
	return 0;
}

bool xlsx_parse_ref(const char *s, unsigned *row, unsigned *col)
{
	return parse_ref(s, strlen(s), row, col) == 0;
}

/* ------------------------------------------------------------- UTF-8 */

static void utf8_put(struct strbuf *sb, unsigned cp)
{
	if (cp < 0x80) {
		strbuf_addch(sb, (int)cp);
	} else if (cp < 0x800) {
		strbuf_addch(sb, (int)(0xc0 | (cp >> 6)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		strbuf_addch(sb, (int)(0xe0 | (cp >> 12)));
		strbuf_addch(sb, (int)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	} else {
		strbuf_addch(sb, (int)(0xf0 | (cp >> 18)));
		strbuf_addch(sb, (int)(0x80 | ((cp >> 12) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | ((cp >> 6) & 0x3f)));
		strbuf_addch(sb, (int)(0x80 | (cp & 0x3f)));
	}
}

/* s with OOXML's _xHHHH_ escapes decoded; a NUL, a surrogate or an invalid
 * code is dropped.  Never longer than s. */
static char *decode_escapes(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i = 0;

	if (!memchr(s, '_', len))
		return xstrndup(s, len);
	while (i < len) {
		if (s[i] == '_' && len - i >= 7 && s[i + 1] == 'x' && s[i + 6] == '_') {
			int h0 = norm_hex_digit(s[i + 2]), h1 = norm_hex_digit(s[i + 3]), h2 = norm_hex_digit(s[i + 4]),
			    h3 = norm_hex_digit(s[i + 5]);

			if (h0 >= 0 && h1 >= 0 && h2 >= 0 && h3 >= 0) {
				unsigned cp = (unsigned)(h0 << 12 | h1 << 8 | h2 << 4 | h3);

				if (cp != 0 && (cp < 0xd800 || cp > 0xdfff) && cp != 0xfffe &&
				    cp != 0xffff)
					utf8_put(&sb, cp);
				i += 7;
				continue;
			}
		}
		strbuf_addch(&sb, s[i]);
		i++;
	}
	return strbuf_detach(&sb, NULL);
}

/* s for a message: at most max bytes, not cutting a UTF-8 sequence, "…"
 * when cut; in buf (at least max + 4 bytes). */
static const char *shown(const char *s, size_t max, char *buf)
{
	size_t n = strlen(s);

	if (n <= max) {
		memcpy(buf, s, n + 1);
		return buf;
	}
	while (max > 0 && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	memcpy(buf, s, max);
	memcpy(buf + max, "…", sizeof("…"));
	return buf;
}

/* --------------------------------------------------------------- reader */

struct reader {
	zip_t *za;
	size_t total;          /* bytes decompressed so far */
	size_t text_total;     /* bytes of cell text kept */
	size_t cells;          /* cells kept over the book */
	struct mamori_err *err;
};

/*
 * Decompresses the part called name into *out (NUL-terminated, length in
 * *len).  Returns 0; MAMORI_ENOTFOUND without a message when the part does
 * not exist and !required; MAMORI_EINVAL with a message otherwise.
 */
static int read_part(struct reader *rd, const char *name, bool required, char **out,
		     size_t *len)
{
	struct strbuf sb = STRBUF_INIT;
	zip_stat_t st;
	zip_file_t *zf = NULL;
	zip_int64_t idx;
	zip_uint64_t comp = 0;
	int ret = 0;

	*out = NULL;
	*len = 0;
	idx = zip_name_locate(rd->za, name, ZIP_FL_NOCASE);
	if (idx < 0) {
		if (!required)
			return MAMORI_ENOTFOUND;
		return mamori_err_set(rd->err, MAMORI_EINVAL,
				      "%s がありません (xlsx ファイルではないか、壊れています)", name);
	}
	zip_stat_init(&st);
	if (zip_stat_index(rd->za, (zip_uint64_t)idx, 0, &st) < 0)
		return mamori_err_set(rd->err, MAMORI_EINVAL, "%s: zip の項目情報を読めません (%s)",
				      name, zip_strerror(rd->za));
	if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
		return mamori_err_set(rd->err, MAMORI_EINVAL,
				      "%s: 暗号化されています (パスワード付きの xlsx は読めません。"
				      "Excel でパスワードを外して保存し直してください)",
				      name);
	if ((st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method != ZIP_CM_STORE &&
	    st.comp_method != ZIP_CM_DEFLATE)
		return mamori_err_set(rd->err, MAMORI_EINVAL,
				      "%s: 圧縮方式 %u には対応していません (xlsx は deflate か無圧縮)",
				      name, (unsigned)st.comp_method);
	if (st.valid & ZIP_STAT_COMP_SIZE)
		comp = st.comp_size;
	/* Declared sizes are not trusted to allow anything, only to refuse early. */
	if ((st.valid & ZIP_STAT_SIZE) && st.size > XLSX_PART_MAX)
		return mamori_err_set(rd->err, MAMORI_EINVAL,
				      "%s: 展開後の大きさが上限を超えます (%llu バイト、上限 %u バイト)",
				      name, (unsigned long long)st.size, XLSX_PART_MAX);
	if ((st.valid & ZIP_STAT_SIZE) && st.size > XLSX_RATIO_FLOOR &&
	    st.size / (comp ? comp : 1) > XLSX_RATIO_MAX)
		return mamori_err_set(rd->err, MAMORI_EINVAL,
				      "%s: 圧縮率が異常です (%llu バイトが %llu バイトに圧縮されています。"
				      "zip bomb の疑いがあるため読みません)",
				      name, (unsigned long long)st.size, (unsigned long long)comp);

	zf = zip_fopen_index(rd->za, (zip_uint64_t)idx, 0);
	if (!zf)
		return mamori_err_set(rd->err, MAMORI_EINVAL, "%s: 開けません (%s)", name,
				      zip_strerror(rd->za));
	for (;;) {
		zip_int64_t n;

		strbuf_grow(&sb, 65536);
		n = zip_fread(zf, sb.buf + sb.len, 65536);
		if (n < 0) {
			ret = mamori_err_set(rd->err, MAMORI_EINVAL,
					     "%s: 展開できません (zip が壊れています: %s)", name,
					     zip_file_strerror(zf));
			goto out;
		}
		if (n == 0)
			break;
		sb.len += (size_t)n;
		sb.buf[sb.len] = '\0';
		if (sb.len > XLSX_PART_MAX) {
			ret = mamori_err_set(rd->err, MAMORI_EINVAL,
					     "%s: 展開後の大きさが上限 %u バイトを超えました (zip bomb の疑い)",
					     name, XLSX_PART_MAX);
			goto out;
		}
		if (rd->total + sb.len > XLSX_TOTAL_MAX) {
			ret = mamori_err_set(rd->err, MAMORI_EINVAL,
					     "%s: 展開後の合計が上限 %u バイトを超えました (zip bomb の疑い)",
					     name, XLSX_TOTAL_MAX);
			goto out;
		}
		if (sb.len > XLSX_RATIO_FLOOR && sb.len / (comp ? comp : 1) > XLSX_RATIO_MAX) {
			ret = mamori_err_set(rd->err, MAMORI_EINVAL,
					     "%s: 圧縮率が異常です (%llu バイトから %zu バイト以上に展開されます。"
					     "zip bomb の疑いがあるため読みません)",
					     name, (unsigned long long)comp, sb.len);
			goto out;
		}
	}
	rd->total += sb.len;
out:
	zip_fclose(zf);
	if (ret < 0) {
		strbuf_release(&sb);
		return ret;
	}
	*out = strbuf_detach(&sb, len);
	return 0;
}

/* ----------------------------------------------------------------- XML */

/* The part of every parser's state that xml_run() and xp_fail() use; the
 * first member of each parser's own struct. */
struct xp {
	XML_Parser p;
	const char *part;
	struct mamori_err *err;
	bool failed; /* a handler reported a problem */
	int depth;
};

static void xp_fail(struct xp *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void xp_fail(struct xp *x, const char *fmt, ...)
{
	char reason[768];
	va_list ap;

	if (x->failed)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	mamori_err_set(x->err, MAMORI_EINVAL, "%s: %lu 行目: %s", x->part,
		       (unsigned long)XML_GetCurrentLineNumber(x->p), reason);
	x->failed = true;
	XML_StopParser(x->p, XML_FALSE);
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal_subset)
{
	xp_fail(ud, "DOCTYPE 宣言は受け付けません (xlsx には不要で、実体展開による攻撃に使われるため)");
}

/* The local part of an expat namespace name "uri|local". */
static const char *local_name(const char *name)
{
	const char *bar = strrchr(name, '|');

	return bar ? bar + 1 : name;
}

/* The attribute with this local name; with ns, only a namespaced one
 * (r:id), else only one without a namespace. */
static const char *attr(const XML_Char **atts, const char *name, bool ns)
{
	size_t i;

	for (i = 0; atts[i]; i += 2) {
		const char *bar = strrchr(atts[i], '|');

		if (ns ? (bar && !strcmp(bar + 1, name)) : (!bar && !strcmp(atts[i], name)))
			return atts[i + 1];
	}
	return NULL;
}

/* 1-based line of byte offset off in data (for messages only). */
static unsigned long line_of(const char *data, size_t off)
{
	unsigned long line = 1;
	size_t i;

	for (i = 0; i < off; i++)
		line += data[i] == '\n';
	return line;
}

/*
 * Parses data[0..len) as the part named in x->part with the given handlers
 * (which get x, the start of the caller's state, as user data).  Returns 0
 * or MAMORI_EINVAL with the message set.
 */
static int xml_run(struct xp *x, const char *data, size_t len, XML_StartElementHandler start,
		   XML_EndElementHandler end, XML_CharacterDataHandler chars)
{
	size_t bad = enc_utf8_first_invalid(data, len);
	int ret = 0;

	if (bad < len)
		return mamori_err_set(x->err, MAMORI_EINVAL,
				      "%s: %lu 行目: UTF-8 として正しくないバイト列があります (%zu バイト目)",
				      x->part, line_of(data, bad), bad + 1);
	if (len > INT_MAX)
		return mamori_err_set(x->err, MAMORI_EINVAL, "%s: 大きすぎます", x->part);
	x->p = XML_ParserCreateNS("UTF-8", '|');
	if (!x->p)
		fatal("out of memory (expat)");
	XML_SetUserData(x->p, x);
	XML_SetElementHandler(x->p, start, end);
	XML_SetCharacterDataHandler(x->p, chars);
	XML_SetStartDoctypeDeclHandler(x->p, on_doctype);
	XML_SetParamEntityParsing(x->p, XML_PARAM_ENTITY_PARSING_NEVER);
#ifdef XML_DTD
	XML_SetBillionLaughsAttackProtectionMaximumAmplification(x->p, 50.0f);
	XML_SetBillionLaughsAttackProtectionActivationThreshold(x->p, 1u << 20);
#endif
	if (XML_Parse(x->p, data, (int)len, XML_TRUE) == XML_STATUS_ERROR && !x->failed) {
		enum XML_Error code = XML_GetErrorCode(x->p);

		mamori_err_set(x->err, MAMORI_EINVAL, "%s: %lu 行目: XML が壊れています (%s)",
			       x->part, (unsigned long)XML_GetCurrentLineNumber(x->p),
			       XML_ErrorString(code));
		x->failed = true;
	}
	if (x->failed)
		ret = MAMORI_EINVAL;
	XML_ParserFree(x->p);
	x->p = NULL;
	return ret;
}

/* Enters an element: false (reported) when nesting gets too deep. */
static bool xp_enter(struct xp *x)
{
	if (++x->depth > XLSX_DEPTH_MAX) {
		xp_fail(x, "要素の入れ子が深すぎます (上限 %d)", XLSX_DEPTH_MAX);
		return false;
	}
	return true;
}

/* A text being collected: bytes and characters counted. */
struct text {
	struct strbuf sb;
	size_t chars;
};

static void text_add(struct xp *x, struct text *t, const char *s, int len)
{
	int i;

	if (x->failed || len <= 0)
		return;
	for (i = 0; i < len; i++)
		t->chars += ((unsigned char)s[i] & 0xc0) != 0x80;
	if (t->chars > XLSX_STR_MAX) {
		xp_fail(x, "文字列が長すぎます (%d 文字を超えています。Excel のセルの上限です)",
			XLSX_STR_MAX);
		return;
	}
	strbuf_add(&t->sb, s, (size_t)len);
}

static void text_reset(struct text *t)
{
	strbuf_reset(&t->sb);
	t->chars = 0;
}

/* ------------------------------------------------------- shared strings */

struct sst {
	struct xp x;
	char **strs;
	size_t nr, alloc;
	int in_si, in_rph, in_t;
	struct text cur;
};

static void XMLCALL sst_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct sst *s = ud;
	const char *l = local_name(name);

	if (!xp_enter(&s->x))
		return;
	if (!strcmp(l, "si")) {
		if (s->in_si) {
			xp_fail(&s->x, "<si> の中に <si> があります");
			return;
		}
		s->in_si = s->x.depth;
		text_reset(&s->cur);
	} else if (!strcmp(l, "rPh")) {
		s->in_rph++;
	} else if (!strcmp(l, "t") && s->in_si && !s->in_rph) {
		s->in_t++;
	}
}

static void XMLCALL sst_end(void *ud, const XML_Char *name)
{
	struct sst *s = ud;
	const char *l = local_name(name);

	if (!strcmp(l, "si") && s->in_si == s->x.depth) {
		s->in_si = 0;
		if (s->nr == XLSX_SHARED_MAX) {
			xp_fail(&s->x, "共有文字列が多すぎます (上限 %d 個)", XLSX_SHARED_MAX);
		} else {
			if (s->nr == s->alloc) {
				s->alloc = s->alloc ? s->alloc * 2 : 64;
				s->strs = xrealloc(s->strs, s->alloc * sizeof(*s->strs));
			}
			s->strs[s->nr++] = decode_escapes(s->cur.sb.buf, s->cur.sb.len);
		}
	} else if (!strcmp(l, "rPh") && s->in_rph) {
		s->in_rph--;
	} else if (!strcmp(l, "t") && s->in_t) {
		s->in_t--;
	}
	s->x.depth--;
}

static void XMLCALL sst_chars(void *ud, const XML_Char *str, int len)
{
	struct sst *s = ud;

	if (s->in_t)
		text_add(&s->x, &s->cur, str, len);
}

static void free_strs(char **strs, size_t nr)
{
	size_t i;

	for (i = 0; i < nr; i++)
		free(strs[i]);
	free(strs);
}

/* ------------------------------------------------------------ workbook */

struct wb_sheet {
	char *name;
	char *rid;
	bool hidden;
};

struct wb {
	struct xp x;
	struct wb_sheet *sheets;
	size_t nr;
};

static void XMLCALL wb_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct wb *w = ud;
	const char *n, *rid, *state;
	size_t i;

	if (!xp_enter(&w->x) || strcmp(local_name(name), "sheet"))
		return;
	n = attr(atts, "name", false);
	rid = attr(atts, "id", true);
	state = attr(atts, "state", false);
	if (!n || !*n || !rid || !*rid) {
		xp_fail(&w->x, "<sheet> に name か r:id がありません");
		return;
	}
	if (strlen(n) > XLSX_NAME_MAX || strlen(rid) > XLSX_NAME_MAX) {
		xp_fail(&w->x, "シート名か r:id が長すぎます (上限 %d バイト)", XLSX_NAME_MAX);
		return;
	}
	if (w->nr == XLSX_SHEETS_MAX) {
		xp_fail(&w->x, "シートが多すぎます (上限 %d 枚)", XLSX_SHEETS_MAX);
		return;
	}
	for (i = 0; i < w->nr; i++)
		if (!strcmp(w->sheets[i].name, n)) {
			xp_fail(&w->x, "シート名「%s」が重複しています", n);
			return;
		}
	w->sheets = xrealloc(w->sheets, (w->nr + 1) * sizeof(*w->sheets));
	w->sheets[w->nr].name = xstrdup(n);
	w->sheets[w->nr].rid = xstrdup(rid);
	w->sheets[w->nr].hidden = state && strcmp(state, "visible");
	w->nr++;
}

static void XMLCALL any_end(void *ud, const XML_Char *name)
{
	struct xp *x = ud;

	x->depth--;
}

static void XMLCALL no_chars(void *ud, const XML_Char *s, int len)
{
}

static void wb_release(struct wb *w)
{
	size_t i;

	for (i = 0; i < w->nr; i++) {
		free(w->sheets[i].name);
		free(w->sheets[i].rid);
	}
	free(w->sheets);
}

/* ----------------------------------------------------------------- rels */

struct rel {
	char *id;
	char *type;   /* the last path segment of Type: "worksheet", "sharedStrings" */
	char *target; /* resolved part name, or NULL for an external target */
};

struct rels {
	struct xp x;
	struct rel *rels;
	size_t nr;
};

/*
 * Resolves a relationship target against base_dir ("xl/") into a part name
 * without a leading "/", "." or ".." segments.  False when it leaves the
 * package or is too long.
 */
static bool resolve_target(const char *base_dir, const char *target, char *out, size_t outsz)
{
	char tmp[2 * XLSX_NAME_MAX + 8];
	size_t n = 0, i = 0;
	int w;

	if (target[0] == '/')
		w = snprintf(tmp, sizeof(tmp), "%s", target + 1);
	else
		w = snprintf(tmp, sizeof(tmp), "%s%s", base_dir, target);
	if (w < 0 || (size_t)w >= sizeof(tmp))
		return false;
	while (tmp[i]) {
		size_t seg = strcspn(tmp + i, "/");

		if (seg == 0 || (seg == 1 && tmp[i] == '.')) {
			/* empty or "." segment */
		} else if (seg == 2 && tmp[i] == '.' && tmp[i + 1] == '.') {
			if (n == 0)
				return false;
			while (n > 0 && out[n - 1] != '/')
				n--;
			if (n > 0)
				n--; /* the '/' before it */
		} else {
			if (n + seg + 2 > outsz)
				return false;
			if (n)
				out[n++] = '/';
			memcpy(out + n, tmp + i, seg);
			n += seg;
		}
		i += seg;
		if (tmp[i] == '/')
			i++;
	}
	out[n] = '\0';
	return n > 0 && n <= XLSX_NAME_MAX;
}

static void XMLCALL rels_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct rels *r = ud;
	const char *id, *type, *target, *mode, *slash;
	char part[XLSX_NAME_MAX + 2];
	struct rel *e;

	if (!xp_enter(&r->x) || strcmp(local_name(name), "Relationship"))
		return;
	id = attr(atts, "Id", false);
	type = attr(atts, "Type", false);
	target = attr(atts, "Target", false);
	mode = attr(atts, "TargetMode", false);
	if (!id || !type || !target) {
		xp_fail(&r->x, "<Relationship> に Id, Type, Target のどれかがありません");
		return;
	}
	if (strlen(id) > XLSX_NAME_MAX || strlen(type) > 2 * XLSX_NAME_MAX) {
		xp_fail(&r->x, "<Relationship> の属性が長すぎます");
		return;
	}
	if (r->nr == XLSX_RELS_MAX) {
		xp_fail(&r->x, "関係 (Relationship) が多すぎます (上限 %d 個)", XLSX_RELS_MAX);
		return;
	}
	r->rels = xrealloc(r->rels, (r->nr + 1) * sizeof(*r->rels));
	e = &r->rels[r->nr++];
	e->id = xstrdup(id);
	slash = strrchr(type, '/');
	e->type = xstrdup(slash ? slash + 1 : type);
	e->target = NULL;
	if (mode && !strcmp(mode, "External"))
		return;
	if (!resolve_target("xl/", target, part, sizeof(part))) {
		{
		char b[96];

		xp_fail(&r->x, "参照先「%s」が正しくありません", shown(target, 80, b));
	}
		return;
	}
	e->target = xstrdup(part);
}

static void rels_release(struct rels *r)
{
	size_t i;

	for (i = 0; i < r->nr; i++) {
		free(r->rels[i].id);
		free(r->rels[i].type);
		free(r->rels[i].target);
	}
	free(r->rels);
}

static const struct rel *rels_find(const struct rels *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->nr; i++)
		if (!strcmp(r->rels[i].id, id))
			return &r->rels[i];
	return NULL;
}

/* ---------------------------------------------------------------- sheet */

enum cell_type { CT_NUMBER, CT_SHARED, CT_STR, CT_INLINE, CT_BOOL, CT_ERROR };

struct shp {
	struct xp x;
	struct reader *rd;
	struct xlsx_sheet *sh;
	size_t alloc_cells;
	char *const *shared; /* NULL when the book has no shared strings */
	size_t nr_shared;
	const char *sst_part; /* for messages */
	unsigned row, col;    /* current row, last column seen in it */
	int in_sheetdata, in_c, in_v, in_is, in_t, in_rph;
	bool has_value;
	enum cell_type type;
	struct text cur;
};

static void XMLCALL sheet_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct shp *s = ud;
	const char *l = local_name(name);
	char b[48];

	if (!xp_enter(&s->x))
		return;
	if (!strcmp(l, "sheetData")) {
		s->in_sheetdata = 1;
	} else if (!strcmp(l, "row") && s->in_sheetdata) {
		const char *r = attr(atts, "r", false);

		if (r) {
			unsigned long v = 0;
			size_t i, n = strlen(r);

			for (i = 0; i < n && i < 8 && r[i] >= '0' && r[i] <= '9'; i++)
				v = v * 10 + (unsigned long)(r[i] - '0');
			if (n == 0 || i != n) {
				xp_fail(&s->x, "行番号「%s」が正しくありません", shown(r, 20, b));
				return;
			}
			if (v == 0 || v > XLSX_ROW_MAX) {
				xp_fail(&s->x, "行番号 %s が範囲外です (1~%u)", shown(r, 20, b), XLSX_ROW_MAX);
				return;
			}
			s->row = (unsigned)v;
		} else {
			if (s->row >= XLSX_ROW_MAX) {
				xp_fail(&s->x, "行番号が範囲外です (最大 %u)", XLSX_ROW_MAX);
				return;
			}
			s->row++;
		}
		s->col = 0;
	} else if (!strcmp(l, "c") && s->in_sheetdata) {
		const char *r = attr(atts, "r", false), *t = attr(atts, "t", false);

		if (s->in_c) {
			xp_fail(&s->x, "<c> の中に <c> があります");
			return;
		}
		if (r) {
			unsigned row, col;
			int k = parse_ref(r, strlen(r), &row, &col);

			if (k == -1) {
				xp_fail(&s->x, "セル番地「%s」が正しくありません", shown(r, 20, b));
				return;
			}
			if (k == -2) {
				xp_fail(&s->x, "セル番地「%s」が範囲外です (最大 XFD1048576)", shown(r, 20, b));
				return;
			}
			s->row = row;
			s->col = col;
		} else {
			if (s->row == 0)
				s->row = 1;
			if (s->col >= XLSX_COL_MAX) {
				xp_fail(&s->x, "列が範囲外です (最大 XFD)");
				return;
			}
			s->col++;
		}
		s->in_c = s->x.depth;
		s->has_value = false;
		text_reset(&s->cur);
		if (!t || !strcmp(t, "n"))
			s->type = CT_NUMBER;
		else if (!strcmp(t, "s"))
			s->type = CT_SHARED;
		else if (!strcmp(t, "str"))
			s->type = CT_STR;
		else if (!strcmp(t, "inlineStr"))
			s->type = CT_INLINE;
		else if (!strcmp(t, "b"))
			s->type = CT_BOOL;
		else if (!strcmp(t, "e"))
			s->type = CT_ERROR;
		else
			s->type = CT_NUMBER; /* "d" (ISO date) and others: as written */
	} else if (s->in_c && !strcmp(l, "v") && s->type != CT_INLINE) {
		s->in_v++;
		s->has_value = true;
	} else if (s->in_c && !strcmp(l, "is")) {
		s->in_is++;
		if (s->type == CT_INLINE)
			s->has_value = true;
	} else if (s->in_is && !strcmp(l, "rPh")) {
		s->in_rph++;
	} else if (s->in_is && !s->in_rph && !strcmp(l, "t")) {
		s->in_t++;
	} else if (!strcmp(l, "mergeCell")) {
		const char *ref = attr(atts, "ref", false);
		const char *colon = ref ? strchr(ref, ':') : NULL;
		struct xlsx_merge m;
		int k1, k2;

		if (!ref) {
			xp_fail(&s->x, "<mergeCell> に ref がありません");
			return;
		}
		if (colon) {
			k1 = parse_ref(ref, (size_t)(colon - ref), &m.r1, &m.c1);
			k2 = parse_ref(colon + 1, strlen(colon + 1), &m.r2, &m.c2);
		} else {
			k1 = k2 = parse_ref(ref, strlen(ref), &m.r1, &m.c1);
			m.r2 = m.r1;
			m.c2 = m.c1;
		}
		if (k1 < 0 || k2 < 0) {
			xp_fail(&s->x, "結合範囲「%s」が正しくありません%s", shown(ref, 40, b),
				(k1 == -2 || k2 == -2) ? " (最大 XFD1048576)" : "");
			return;
		}
		if (m.r1 > m.r2) {
			unsigned t = m.r1;
			m.r1 = m.r2;
			m.r2 = t;
		}
		if (m.c1 > m.c2) {
			unsigned t = m.c1;
			m.c1 = m.c2;
			m.c2 = t;
		}
		if (s->sh->nr_merges == XLSX_MERGES_MAX) {
			xp_fail(&s->x, "結合セルが多すぎます (上限 %d 個)", XLSX_MERGES_MAX);
			return;
		}
		if ((s->sh->nr_merges & (s->sh->nr_merges - 1)) == 0) /* 0, 1, 2, 4, ... */
			s->sh->merges = xrealloc(s->sh->merges, (s->sh->nr_merges ? 2 * s->sh->nr_merges : 1) *
									sizeof(*s->sh->merges));
		s->sh->merges[s->sh->nr_merges++] = m;
	}
}

/* Parses a shared-string index ("12"); false when not a plain number. */
static bool parse_index(const char *s, size_t len, unsigned long *out)
{
	unsigned long v = 0;
	size_t i;

	if (len == 0 || len > 9)
		return false;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (unsigned long)(s[i] - '0');
	}
	*out = v;
	return true;
}

static void sheet_cell_done(struct shp *s)
{
	struct xlsx_sheet *sh = s->sh;
	char name[XLSX_CELL_NAME_LEN];
	char *text;
	size_t tlen;

	if (!s->has_value)
		return;
	xlsx_cell_name(s->row, s->col, name);
	switch (s->type) {
	case CT_SHARED: {
		unsigned long k;

		if (!parse_index(s->cur.sb.buf, s->cur.sb.len, &k)) {
			char b[32];

			xp_fail(&s->x, "セル %s: 共有文字列の番号「%s」が正しくありません", name,
				shown(s->cur.sb.buf, 20, b));
			return;
		}
		if (!s->shared) {
			xp_fail(&s->x,
				"セル %s: 共有文字列を参照していますが、共有文字列の部品 "
				"(xl/sharedStrings.xml) がありません",
				name);
			return;
		}
		if (k >= s->nr_shared) {
			xp_fail(&s->x, "セル %s: 共有文字列の番号 %lu が範囲外です (%s には %zu 個)",
				name, k, s->sst_part, s->nr_shared);
			return;
		}
		text = xstrdup(s->shared[k]);
		break;
	}
	case CT_BOOL:
		text = xstrdup(s->cur.sb.len == 1 && s->cur.sb.buf[0] == '1' ? "TRUE" : "FALSE");
		break;
	case CT_INLINE:
	case CT_STR:
		text = decode_escapes(s->cur.sb.buf, s->cur.sb.len);
		break;
	default:
		text = xstrndup(s->cur.sb.buf, s->cur.sb.len);
		break;
	}
	tlen = strlen(text);
	if (s->rd->cells == XLSX_CELLS_MAX) {
		free(text);
		xp_fail(&s->x, "値のあるセルが多すぎます (ブック全体で上限 %d 個)", XLSX_CELLS_MAX);
		return;
	}
	if (s->rd->text_total + tlen > XLSX_TEXT_TOTAL_MAX) {
		free(text);
		xp_fail(&s->x, "セルの文字の合計が多すぎます (上限 %u バイト)", XLSX_TEXT_TOTAL_MAX);
		return;
	}
	s->rd->cells++;
	s->rd->text_total += tlen;
	if (sh->nr_cells == s->alloc_cells) {
		s->alloc_cells = s->alloc_cells ? 2 * s->alloc_cells : 64;
		sh->cells = xrealloc(sh->cells, s->alloc_cells * sizeof(*sh->cells));
	}
	sh->cells[sh->nr_cells].row = s->row;
	sh->cells[sh->nr_cells].col = s->col;
	sh->cells[sh->nr_cells].text = text;
	sh->nr_cells++;
}

static void XMLCALL sheet_end(void *ud, const XML_Char *name)
{
	struct shp *s = ud;
	const char *l = local_name(name);

	if (s->in_c == s->x.depth && !strcmp(l, "c")) {
		sheet_cell_done(s);
		s->in_c = 0;
		s->in_v = s->in_is = s->in_t = s->in_rph = 0;
	} else if (!strcmp(l, "sheetData")) {
		s->in_sheetdata = 0;
	} else if (s->in_v && !strcmp(l, "v")) {
		s->in_v--;
	} else if (s->in_is && !strcmp(l, "is")) {
		s->in_is--;
	} else if (s->in_rph && !strcmp(l, "rPh")) {
		s->in_rph--;
	} else if (s->in_t && !strcmp(l, "t")) {
		s->in_t--;
	}
	s->x.depth--;
}

static void XMLCALL sheet_chars(void *ud, const XML_Char *str, int len)
{
	struct shp *s = ud;

	if (!s->in_c)
		return;
	if ((s->in_v && s->type != CT_INLINE) || (s->in_t && s->type == CT_INLINE))
		text_add(&s->x, &s->cur, str, len);
}

static int cell_cmp(const void *a, const void *b)
{
	const struct xlsx_cell *x = a, *y = b;

	if (x->row != y->row)
		return x->row < y->row ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	return 0;
}

static void sheet_release(struct xlsx_sheet *sh)
{
	size_t i;

	free(sh->name);
	for (i = 0; i < sh->nr_cells; i++)
		free(sh->cells[i].text);
	free(sh->cells);
	free(sh->merges);
	memset(sh, 0, sizeof(*sh));
}

/* ----------------------------------------------------------------- book */

void xlsx_book_release(struct xlsx_book *book)
{
	size_t i;

	if (!book)
		return;
	for (i = 0; i < book->nr_sheets; i++)
		sheet_release(&book->sheets[i]);
	free(book->sheets);
	memset(book, 0, sizeof(*book));
}

static int read_sheet(struct reader *rd, const char *part, struct sst *sst, const char *sst_part,
		      struct xlsx_sheet *sh)
{
	struct shp s;
	char *data = NULL;
	size_t len = 0, i;
	int ret;

	ret = read_part(rd, part, true, &data, &len);
	if (ret < 0)
		return ret;
	memset(&s, 0, sizeof(s));
	s.x.part = part;
	s.x.err = rd->err;
	s.rd = rd;
	s.sh = sh;
	s.shared = sst ? sst->strs : NULL;
	s.nr_shared = sst ? sst->nr : 0;
	s.sst_part = sst_part;
	strbuf_init(&s.cur.sb);
	ret = xml_run(&s.x, data, len, sheet_start, sheet_end, sheet_chars);
	strbuf_release(&s.cur.sb);
	free(data);
	if (ret < 0)
		return ret;
	if (sh->nr_cells > 1)
		qsort(sh->cells, sh->nr_cells, sizeof(*sh->cells), cell_cmp);
	for (i = 0; i < sh->nr_cells; i++) {
		const struct xlsx_cell *c = &sh->cells[i];

		if (i && !cell_cmp(c, c - 1)) {
			char name[XLSX_CELL_NAME_LEN];

			xlsx_cell_name(c->row, c->col, name);
			return mamori_err_set(rd->err, MAMORI_EINVAL, "%s: セル %s が 2 回あります",
					      part, name);
		}
		if (c->row > sh->max_row)
			sh->max_row = c->row;
		if (c->col > sh->max_col)
			sh->max_col = c->col;
	}
	return 0;
}

static const char *zip_open_reason(int code)
{
	switch (code) {
	case ZIP_ER_NOZIP:
		return "xlsx (zip 形式) のファイルではありません";
	case ZIP_ER_INCONS:
		return "zip の構造が壊れています (途中で切れているか、書き換えられています)";
	case ZIP_ER_EOF:
	case ZIP_ER_READ:
	case ZIP_ER_SEEK:
		return "zip が途中で切れているか壊れています (末尾の目次が読めません。"
		       "ダウンロードし直してください)";
	case ZIP_ER_MULTIDISK:
		return "分割された zip には対応していません";
	default:
		return "zip として開けません";
	}
}

int xlsx_book_read(const void *buf, size_t len, struct xlsx_book *out, struct mamori_err *err)
{
	struct reader rd = { 0 };
	struct xlsx_book book = XLSX_BOOK_INIT;
	struct wb wb;
	struct rels rels;
	struct sst sst;
	zip_error_t ze;
	zip_source_t *src = NULL;
	char *data = NULL;
	size_t dlen = 0, i;
	const char *sst_part = NULL;
	bool have_sst = false;
	zip_int64_t entries;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	memset(&wb, 0, sizeof(wb));
	memset(&rels, 0, sizeof(rels));
	memset(&sst, 0, sizeof(sst));
	strbuf_init(&sst.cur.sb);
	rd.err = err;

	if (len == 0)
		return mamori_err_set(err, MAMORI_EINVAL, "空のファイルです (0 バイト)");
	if (len > XLSX_FILE_MAX)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "ファイルが大きすぎます (%zu バイト、上限 %u バイト)", len,
				      XLSX_FILE_MAX);
	if (len < 4 || memcmp(buf, "PK", 2))
		return mamori_err_set(err, MAMORI_EINVAL,
				      "xlsx (zip 形式) のファイルではありません (先頭が「PK」ではありません。"
				      "古い .xls や CSV なら Excel で .xlsx として保存し直してください)");

	zip_error_init(&ze);
	src = zip_source_buffer_create(buf, len, 0, &ze);
	if (!src)
		fatal("out of memory (libzip)");
	rd.za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (!rd.za) {
		int code = zip_error_code_zip(&ze);

		/* starts like a zip but has no directory at the end: cut short */
		if (code == ZIP_ER_NOZIP && !memcmp(buf, "PK\x03\x04", 4))
			code = ZIP_ER_EOF;
		ret = mamori_err_set(err, MAMORI_EINVAL, "%s (libzip: %s)", zip_open_reason(code),
				     zip_error_strerror(&ze));
		zip_source_free(src);
		zip_error_fini(&ze);
		return ret;
	}
	zip_error_fini(&ze);
	entries = zip_get_num_entries(rd.za, 0);
	if (entries < 0 || entries > XLSX_ENTRIES_MAX) {
		ret = mamori_err_set(err, MAMORI_EINVAL,
				     "zip の項目が多すぎます (%lld 個、上限 %d 個)", (long long)entries,
				     XLSX_ENTRIES_MAX);
		goto out;
	}

	/* the workbook: sheet names, order and relationship ids */
	ret = read_part(&rd, "xl/workbook.xml", true, &data, &dlen);
	if (ret < 0)
		goto out;
	wb.x.part = "xl/workbook.xml";
	wb.x.err = err;
	ret = xml_run(&wb.x, data, dlen, wb_start, any_end, no_chars);
	free(data);
	data = NULL;
	if (ret < 0)
		goto out;
	if (wb.nr == 0) {
		ret = mamori_err_set(err, MAMORI_EINVAL, "xl/workbook.xml: シートが 1 枚もありません");
		goto out;
	}

	ret = read_part(&rd, "xl/_rels/workbook.xml.rels", true, &data, &dlen);
	if (ret < 0)
		goto out;
	rels.x.part = "xl/_rels/workbook.xml.rels";
	rels.x.err = err;
	ret = xml_run(&rels.x, data, dlen, rels_start, any_end, no_chars);
	free(data);
	data = NULL;
	if (ret < 0)
		goto out;

	/* the shared strings, where the relationships say (else the usual name) */
	for (i = 0; i < rels.nr; i++)
		if (!strcmp(rels.rels[i].type, "sharedStrings") && rels.rels[i].target)
			sst_part = rels.rels[i].target;
	ret = read_part(&rd, sst_part ? sst_part : "xl/sharedStrings.xml", sst_part != NULL, &data,
			&dlen);
	if (ret == MAMORI_ENOTFOUND) {
		ret = 0;
	} else if (ret < 0) {
		goto out;
	} else {
		sst.x.part = sst_part ? sst_part : "xl/sharedStrings.xml";
		sst.x.err = err;
		ret = xml_run(&sst.x, data, dlen, sst_start, sst_end, sst_chars);
		free(data);
		data = NULL;
		if (ret < 0)
			goto out;
		have_sst = true;
	}

	book.sheets = xcalloc(wb.nr, sizeof(*book.sheets));
	for (i = 0; i < wb.nr; i++) {
		const struct rel *r = rels_find(&rels, wb.sheets[i].rid);
		struct xlsx_sheet *sh = &book.sheets[i];

		book.nr_sheets = i + 1;
		sh->name = xstrdup(wb.sheets[i].name);
		sh->hidden = wb.sheets[i].hidden;
		if (!r || !r->target) {
			ret = mamori_err_set(err, MAMORI_EINVAL,
					     "xl/workbook.xml: シート「%s」の部品 (%s) が "
					     "xl/_rels/workbook.xml.rels にありません",
					     wb.sheets[i].name, wb.sheets[i].rid);
			goto out;
		}
		if (strcmp(r->type, "worksheet"))
			continue; /* a chart sheet or dialog sheet: no cells */
		ret = read_sheet(&rd, r->target, have_sst ? &sst : NULL,
				 sst_part ? sst_part : "xl/sharedStrings.xml", sh);
		if (ret < 0)
			goto out;
	}

out:
	free(data);
	wb_release(&wb);
	rels_release(&rels);
	free_strs(sst.strs, sst.nr);
	strbuf_release(&sst.cur.sb);
	zip_discard(rd.za); /* also frees src */
	if (ret < 0) {
		xlsx_book_release(&book);
		return ret;
	}
	*out = book;
	return 0;
}

/* --------------------------------------------------------------- lookup */

const struct xlsx_sheet *xlsx_book_sheet(const struct xlsx_book *book, const char *name)
{
	size_t i;

	for (i = 0; i < book->nr_sheets; i++)
		if (!strcmp(book->sheets[i].name, name))
			return &book->sheets[i];
	return NULL;
}

const struct xlsx_merge *xlsx_sheet_merge_at(const struct xlsx_sheet *sh, unsigned row,
					     unsigned col)
{
	size_t i;

	for (i = 0; i < sh->nr_merges; i++) {
		const struct xlsx_merge *m = &sh->merges[i];

		if (row >= m->r1 && row <= m->r2 && col >= m->c1 && col <= m->c2)
			return m;
	}
	return NULL;
}

static const char *own_cell(const struct xlsx_sheet *sh, unsigned row, unsigned col)
{
	size_t lo = 0, hi = sh->nr_cells;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct xlsx_cell *c = &sh->cells[mid];

		if (c->row == row && c->col == col)
			return c->text;
		if (c->row < row || (c->row == row && c->col < col))
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *xlsx_sheet_cell(const struct xlsx_sheet *sh, unsigned row, unsigned col)
{
	const struct xlsx_merge *m = xlsx_sheet_merge_at(sh, row, col);

	if (m)
		return own_cell(sh, m->r1, m->c1);
	return own_cell(sh, row, col);
}
