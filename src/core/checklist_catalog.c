/*
 * checklist_catalog.c - parser and validator of checklist catalog files
 * (format "mamori-checklist-1", see checklist_catalog.h and
 * docs/internals/checklist-format.md).
 *
 * The file is checked for size and UTF-8 first, then parsed with jansson
 * (duplicate keys rejected, no NUL in strings).  The tree is walked once:
 * every key is checked against the keys the format knows, every value
 * against its type, enum and bounds, and each problem is recorded with its
 * JSON path instead of stopping at the first, so that whoever edits a file
 * sees all its mistakes at once.  Values are copied into the structs as the
 * walk goes; when any problem was recorded the copy is released and the
 * caller gets MAMORI_EINVAL.  Checks across files (one file per edition and
 * form, ids unique, presumed_same_as targets) are done by load_dir.
 */
#include "common.h"

#include <jansson.h>

#include "checklist_catalog.h"
#include "enc.h"
#include "fileio.h"

/* ------------------------------------------------------------ enum names */

static const char *const form_names[CHECKLIST_FORM_COUNT] = {
	"iryo", "yakkyoku", "jigyosha", "iryo_yakkyoku",
};
static const char *const form_labels[CHECKLIST_FORM_COUNT] = {
	"医療機関確認用", "薬局確認用", "事業者確認用", "医療機関・薬局確認用",
};
static const char *const status_names[CHECKLIST_STATUS_COUNT] = {
	"confirmed", "confirmed2", "truncated", "secondary", "ocr_suspect", "inferred", "not_found",
	"official", "imported",
};
static const char *const status_labels[CHECKLIST_STATUS_COUNT] = {
	"確認済み", "確認済み(複数資料)", "途中まで確認", "二次資料のみ", "OCR誤りの疑い",
	"推定(文言なし)", "未発見(文言なし)", "公式ファイル", "取り込み(公式ファイルと未照合)",
};
static const struct {
	const char *name;
	unsigned bit;
} scope_names[] = {
	{ "医療情報システム全般", CHECKLIST_SCOPE_ALL },
	{ "サーバ", CHECKLIST_SCOPE_SERVER },
	{ "端末PC", CHECKLIST_SCOPE_PC },
	{ "ネットワーク機器", CHECKLIST_SCOPE_NETWORK },
};

const char *checklist_form_name(enum checklist_form f)
{
	return (unsigned)f < CHECKLIST_FORM_COUNT ? form_names[f] : NULL;
}

const char *checklist_form_label(enum checklist_form f)
{
	return (unsigned)f < CHECKLIST_FORM_COUNT ? form_labels[f] : NULL;
}

const char *checklist_status_name(enum checklist_wording_status s)
{
	return (unsigned)s < CHECKLIST_STATUS_COUNT ? status_names[s] : NULL;
}

const char *checklist_status_label(enum checklist_wording_status s)
{
	return (unsigned)s < CHECKLIST_STATUS_COUNT ? status_labels[s] : NULL;
}

bool checklist_item_wording_unconfirmed(const struct checklist_item *it)
{
	return !it->wording || (it->status != CHECKLIST_CONFIRMED && it->status != CHECKLIST_CONFIRMED2 &&
				it->status != CHECKLIST_OFFICIAL);
}

/* ------------------------------------------------------------- problems */

void checklist_problems_release(struct checklist_problems *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nr; i++)
		free(p->msgs[i]);
	free(p->msgs);
	p->msgs = NULL;
	p->nr = 0;
	p->total = 0;
}

struct vctx {
	const char *name;
	struct checklist_problems *pr;
	size_t count;               /* problems of this file */
	char first[MAMORI_ERR_MAX]; /* the first of them, in full */
};

static void problem(struct vctx *v, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct vctx *v, const char *where, const char *fmt, ...)
{
	char reason[512];
	char *msg;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	if (where && *where)
		msg = xasprintf("%s: %s: %s", v->name, where, reason);
	else
		msg = xasprintf("%s: %s", v->name, reason);
	if (!v->count)
		snprintf(v->first, sizeof(v->first), "%s", msg);
	v->count++;
	v->pr->total++;
	if (v->pr->nr < CHECKLIST_PROBLEMS_MAX) {
		v->pr->msgs = xrealloc(v->pr->msgs, (v->pr->nr + 1) * sizeof(*v->pr->msgs));
		v->pr->msgs[v->pr->nr++] = msg;
	} else {
		free(msg);
	}
}

/* where + "." + key, or key alone at the top. */
static void join_path(char *out, size_t n, const char *where, const char *key)
{
	if (where && *where)
		snprintf(out, n, "%s.%s", where, key);
	else
		snprintf(out, n, "%s", key);
}

/* ---------------------------------------------------------- value checks */

enum { REQ = 0, NULLABLE = 1, OPTIONAL = 2 };

/*
 * Checks that obj has only keys from allowed (NULL-terminated); reports
 * each other key.
 */
static void check_keys(struct vctx *v, json_t *obj, const char *where, const char *const *allowed)
{
	const char *key;
	json_t *val;
	char path[256];

	json_object_foreach(obj, key, val) {
		const char *const *a;

		for (a = allowed; *a; a++)
			if (!strcmp(*a, key))
				break;
		if (!*a) {
			char shown[80];

			/* keys are valid UTF-8 (jansson checked); cut on a byte
			 * count but only for the message */
			snprintf(shown, sizeof(shown), "%s", key);
			join_path(path, sizeof(path), where, shown);
			problem(v, path, "知らないキーです (綴りを確認してください)");
		}
	}
}

/*
 * The member key of obj.  Reports a missing key unless OPTIONAL, and a
 * null unless NULLABLE or OPTIONAL.  Returns NULL for absent or null.
 */
static json_t *member(struct vctx *v, json_t *obj, const char *where, const char *key, int mode)
{
	json_t *j = json_object_get(obj, key);
	char path[256];

	if (!j) {
		if (mode != OPTIONAL) {
			join_path(path, sizeof(path), where, key);
			problem(v, path, "必須のキーがありません");
		}
		return NULL;
	}
	if (json_is_null(j)) {
		if (mode == REQ) {
			join_path(path, sizeof(path), where, key);
			problem(v, path, "null にはできません");
		}
		return NULL;
	}
	return j;
}

/* A non-empty string of at most CHECKLIST_STR_MAX bytes without control
 * characters other than newline; NULL (reported) otherwise. */
static const char *check_string(struct vctx *v, json_t *j, const char *path)
{
	const char *s;
	size_t n, i;

	if (!json_is_string(j)) {
		problem(v, path, "文字列でなければなりません");
		return NULL;
	}
	s = json_string_value(j);
	n = json_string_length(j);
	if (n == 0) {
		problem(v, path, "空の文字列です");
		return NULL;
	}
	if (n > CHECKLIST_STR_MAX) {
		problem(v, path, "文字列が長すぎます (%zu バイト、上限 %d バイト)", n,
			CHECKLIST_STR_MAX);
		return NULL;
	}
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\n') || c == 0x7f) {
			problem(v, path, "制御文字 (0x%02x) が含まれています", c);
			return NULL;
		}
	}
	return s;
}

static char *get_str(struct vctx *v, json_t *obj, const char *where, const char *key, int mode)
{
	json_t *j = member(v, obj, where, key, mode);
	char path[256];
	const char *s;

	if (!j)
		return NULL;
	join_path(path, sizeof(path), where, key);
	s = check_string(v, j, path);
	return s ? xstrdup(s) : NULL;
}

/* An integer in [lo, hi]; *ok false when absent, null or bad. */
static int get_int(struct vctx *v, json_t *obj, const char *where, const char *key, int lo, int hi,
		   bool *ok)
{
	json_t *j = member(v, obj, where, key, REQ);
	char path[256];
	json_int_t x;

	*ok = false;
	if (!j)
		return 0;
	join_path(path, sizeof(path), where, key);
	if (!json_is_integer(j)) {
		problem(v, path, "整数でなければなりません");
		return 0;
	}
	x = json_integer_value(j);
	if (x < lo || x > hi) {
		problem(v, path, "%d から %d の整数でなければなりません (%" JSON_INTEGER_FORMAT ")",
			lo, hi, x);
		return 0;
	}
	*ok = true;
	return (int)x;
}

/* true / false, or CHECKLIST_UNKNOWN for null when nullable. */
static int get_bool(struct vctx *v, json_t *obj, const char *where, const char *key, int mode)
{
	json_t *j = member(v, obj, where, key, mode);
	char path[256];

	if (!j)
		return CHECKLIST_UNKNOWN;
	if (!json_is_boolean(j)) {
		join_path(path, sizeof(path), where, key);
		problem(v, path, "true または false でなければなりません");
		return CHECKLIST_UNKNOWN;
	}
	return json_is_true(j) ? CHECKLIST_YES : CHECKLIST_NO;
}

static int lookup(const char *const *names, int n, const char *s)
{
	int i;

	for (i = 0; i < n; i++)
		if (!strcmp(names[i], s))
			return i;
	return -1;
}

/* An enum value by name; -1 (reported, listing the accepted names). */
static int get_enum(struct vctx *v, json_t *j, const char *path, const char *const *names, int n)
{
	const char *s = check_string(v, j, path);
	char list[512] = "";
	size_t used = 0;
	int i, k;

	if (!s)
		return -1;
	k = lookup(names, n, s);
	if (k >= 0)
		return k;
	for (i = 0; i < n && used < sizeof(list); i++) {
		int w = snprintf(list + used, sizeof(list) - used, "%s%s", i ? ", " : "", names[i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
	problem(v, path, "知らない値「%.80s」です (使える値: %s)", s, list);
	return -1;
}

/*
 * A list of strings (array, at most CHECKLIST_LIST_MAX entries, each a valid
 * string).  Returns the number stored in *out (allocated, may be NULL for 0);
 * *present false when the key was null or absent.
 */
static size_t get_str_list(struct vctx *v, json_t *obj, const char *where, const char *key,
			   int mode, char ***out, bool *present)
{
	json_t *j = member(v, obj, where, key, mode), *e;
	char path[256], epath[300];
	size_t i, nr = 0;

	*out = NULL;
	*present = false;
	if (!j)
		return 0;
	join_path(path, sizeof(path), where, key);
	if (!json_is_array(j)) {
		problem(v, path, "配列でなければなりません");
		return 0;
	}
	*present = true;
	if (json_array_size(j) > CHECKLIST_LIST_MAX) {
		problem(v, path, "要素が多すぎます (%zu 個、上限 %d 個)", json_array_size(j),
			CHECKLIST_LIST_MAX);
		return 0;
	}
	if (json_array_size(j))
		*out = xcalloc(json_array_size(j), sizeof(**out));
	json_array_foreach(j, i, e) {
		const char *s;

		snprintf(epath, sizeof(epath), "%s[%zu]", path, i);
		s = check_string(v, e, epath);
		if (s)
			(*out)[nr++] = xstrdup(s);
	}
	return nr;
}

static void free_list(char **l, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

static bool is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static bool digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* "YYYY-MM-DD" (a real date) or "YYYY-MM". */
static bool valid_date(const char *s)
{
	static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	size_t n = strlen(s);
	int y, m, d, max;

	if ((n != 7 && n != 10) || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2))
		return false;
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	if (y < 1900 || m < 1 || m > 12)
		return false;
	if (n == 7)
		return true;
	if (s[7] != '-' || !digits(s + 8, 2))
		return false;
	d = (s[8] - '0') * 10 + (s[9] - '0');
	max = mdays[m - 1] + (m == 2 && is_leap(y));
	return d >= 1 && d <= max;
}

/* Lower-case ASCII letters, digits, '-' and '_' (ids and edition names). */
static bool valid_ident(const char *s, size_t max)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > max)
		return false;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	return true;
}

/* ---------------------------------------------------------------- release */

static void section_release(struct checklist_section *s)
{
	free(s->title);
	free(s->note);
}

static void item_release(struct checklist_item *it)
{
	free(it->id);
	free(it->number);
	free(it->wording);
	free(it->wording_source);
	free_list(it->corroborating, it->nr_corroborating);
	free_list(it->refs, it->nr_refs);
	free(it->presumed_same_as);
	free(it->note);
}

void checklist_edition_release(struct checklist_edition *e)
{
	size_t i;

	if (!e)
		return;
	free(e->name);
	free(e->edition);
	free(e->title);
	free_list(e->sources, e->nr_sources);
	free(e->note);
	for (i = 0; i < e->nr_sections; i++)
		section_release(&e->sections[i]);
	free(e->sections);
	for (i = 0; i < e->nr_items; i++)
		item_release(&e->items[i]);
	free(e->items);
	memset(e, 0, sizeof(*e));
}

/* --------------------------------------------------------------- sections */

static const char *const section_keys[] = { "number", "title", "forms", "note", NULL };

static void parse_section(struct vctx *v, json_t *j, const char *where,
			  struct checklist_section *s)
{
	json_t *forms;
	char path[256];
	bool ok;

	if (!json_is_object(j)) {
		problem(v, where, "オブジェクトでなければなりません");
		s->number = -1;
		return;
	}
	check_keys(v, j, where, section_keys);
	s->number = get_int(v, j, where, "number", 0, 99, &ok);
	if (!ok)
		s->number = -1;
	s->title = get_str(v, j, where, "title", REQ);
	s->note = get_str(v, j, where, "note", OPTIONAL);
	forms = member(v, j, where, "forms", NULLABLE);
	if (!forms)
		return;
	join_path(path, sizeof(path), where, "forms");
	if (!json_is_array(forms) || json_array_size(forms) == 0 ||
	    json_array_size(forms) > CHECKLIST_FORM_COUNT) {
		problem(v, path, "様式名の配列 (1~%d 個) か null でなければなりません",
			CHECKLIST_FORM_COUNT);
		return;
	}
	s->forms_known = true;
	{
		size_t i;
		json_t *f;

		json_array_foreach(forms, i, f) {
			char fpath[300];
			int k;

			snprintf(fpath, sizeof(fpath), "%s[%zu]", path, i);
			k = get_enum(v, f, fpath, form_names, CHECKLIST_FORM_COUNT);
			if (k < 0)
				continue;
			if (s->forms & (1u << k))
				problem(v, fpath, "様式「%s」が重複しています", form_names[k]);
			s->forms |= 1u << k;
		}
	}
}

/* ------------------------------------------------------------------ items */

static const char *const item_keys[] = {
	"id", "section", "number", "order", "scope", "wording", "wording_status",
	"wording_source", "corroborating_sources", "refs", "new_in_edition", "gate",
	"needed_without_vendor_contract", "presumed_same_as", "note", NULL,
};

static const struct checklist_section *find_section(const struct checklist_edition *e, int number)
{
	size_t i;

	for (i = 0; i < e->nr_sections; i++)
		if (e->sections[i].number == number)
			return &e->sections[i];
	return NULL;
}

static void parse_scope(struct vctx *v, json_t *item, const char *where, struct checklist_item *it)
{
	json_t *j = member(v, item, where, "scope", NULLABLE), *e;
	char path[256], epath[300];
	size_t i, k;

	if (!j)
		return;
	join_path(path, sizeof(path), where, "scope");
	if (!json_is_array(j) || json_array_size(j) > ARRAY_SIZE(scope_names)) {
		problem(v, path, "範囲名の配列 (0~%zu 個) か null でなければなりません",
			ARRAY_SIZE(scope_names));
		return;
	}
	it->scope_known = true;
	json_array_foreach(j, i, e) {
		const char *s;

		snprintf(epath, sizeof(epath), "%s[%zu]", path, i);
		s = check_string(v, e, epath);
		if (!s)
			continue;
		for (k = 0; k < ARRAY_SIZE(scope_names); k++)
			if (!strcmp(scope_names[k].name, s))
				break;
		if (k == ARRAY_SIZE(scope_names)) {
			problem(v, epath,
				"知らない範囲「%.80s」です (使える値: 医療情報システム全般, サーバ, "
				"端末PC, ネットワーク機器)",
				s);
			continue;
		}
		if (it->scope & scope_names[k].bit)
			problem(v, epath, "範囲「%s」が重複しています", scope_names[k].name);
		it->scope |= scope_names[k].bit;
	}
}

static void parse_item(struct vctx *v, json_t *j, const char *where, struct checklist_item *it,
		       const struct checklist_edition *e, bool header_ok)
{
	json_t *st;
	char path[256];
	bool ok, present, status_ok = false;
	int b;

	it->section = -1;
	it->new_in_edition = CHECKLIST_UNKNOWN;
	it->needed_without_vendor_contract = CHECKLIST_UNKNOWN;
	if (!json_is_object(j)) {
		problem(v, where, "オブジェクトでなければなりません");
		return;
	}
	check_keys(v, j, where, item_keys);

	it->id = get_str(v, j, where, "id", REQ);
	if (it->id) {
		join_path(path, sizeof(path), where, "id");
		if (!valid_ident(it->id, CHECKLIST_ID_MAX)) {
			problem(v, path, "英小文字・数字・「-」「_」の %d 文字以内でなければなりません",
				CHECKLIST_ID_MAX);
		} else if (header_ok) {
			char *prefix = xasprintf("%s-%s-", e->edition, form_names[e->form]);

			if (strncmp(it->id, prefix, strlen(prefix)) || !it->id[strlen(prefix)])
				problem(v, path, "「%s」で始まらなければなりません (版と様式)", prefix);
			free(prefix);
		}
	}

	it->section = get_int(v, j, where, "section", 0, 99, &ok);
	if (!ok) {
		it->section = -1;
	} else if (!find_section(e, it->section)) {
		join_path(path, sizeof(path), where, "section");
		problem(v, path, "sections にない章 %d です", it->section);
	}
	it->number = get_str(v, j, where, "number", NULLABLE);
	if (it->number && strlen(it->number) > 32) {
		join_path(path, sizeof(path), where, "number");
		problem(v, path, "番号が長すぎます (32 バイトまで)");
	}
	it->order = get_int(v, j, where, "order", 1, 999, &ok);
	if (!ok)
		it->order = 0;
	parse_scope(v, j, where, it);

	st = member(v, j, where, "wording_status", REQ);
	if (st) {
		int k;

		join_path(path, sizeof(path), where, "wording_status");
		k = get_enum(v, st, path, status_names, CHECKLIST_STATUS_COUNT);
		if (k >= 0) {
			it->status = (enum checklist_wording_status)k;
			status_ok = true;
		}
	}
	it->wording = get_str(v, j, where, "wording", NULLABLE);
	it->wording_source = get_str(v, j, where, "wording_source", NULLABLE);
	it->nr_corroborating = get_str_list(v, j, where, "corroborating_sources", OPTIONAL,
					    &it->corroborating, &present);
	it->nr_refs = get_str_list(v, j, where, "refs", NULLABLE, &it->refs, &it->refs_known);
	b = get_bool(v, j, where, "new_in_edition", NULLABLE);
	it->new_in_edition = (enum checklist_tri)b;
	b = get_bool(v, j, where, "gate", REQ);
	it->gate = b == CHECKLIST_YES;
	b = get_bool(v, j, where, "needed_without_vendor_contract", NULLABLE);
	it->needed_without_vendor_contract = (enum checklist_tri)b;
	it->presumed_same_as = get_str(v, j, where, "presumed_same_as", OPTIONAL);
	it->note = get_str(v, j, where, "note", OPTIONAL);

	if (status_ok) {
		bool no_wording = it->status == CHECKLIST_INFERRED || it->status == CHECKLIST_NOT_FOUND;
		json_t *w = json_object_get(j, "wording");
		json_t *ws = json_object_get(j, "wording_source");

		join_path(path, sizeof(path), where, "wording");
		if (no_wording && w && !json_is_null(w))
			problem(v, path,
				"wording_status が %s のときは null でなければなりません "
				"(文言を推測で書かないでください)",
				status_names[it->status]);
		if (!no_wording && w && json_is_null(w))
			problem(v, path,
				"wording_status が %s のときは文言が必要です (文言がなければ "
				"inferred か not_found にしてください)",
				status_names[it->status]);
		if (it->wording && it->status == CHECKLIST_TRUNCATED && !strstr(it->wording, "…"))
			problem(v, path, "truncated の文言には途切れた位置に「…」が必要です");
		if (!no_wording && ws && json_is_null(ws)) {
			join_path(path, sizeof(path), where, "wording_source");
			problem(v, path, "文言があるときは出典が必要です");
		}
		if (!no_wording && it->presumed_same_as) {
			join_path(path, sizeof(path), where, "presumed_same_as");
			problem(v, path, "文言がある項目には使えません (inferred / not_found のみ)");
		}
	}
	if (it->presumed_same_as && it->id && !strcmp(it->presumed_same_as, it->id)) {
		join_path(path, sizeof(path), where, "presumed_same_as");
		problem(v, path, "自分自身を指しています");
	}
}

/* ---------------------------------------------------------------- edition */

static const char *const top_keys[] = {
	"format", "edition", "fiscal_year", "title", "form", "published", "sources",
	"items_complete", "note", "sections", "items", NULL,
};

static void parse_edition(struct vctx *v, json_t *root, struct checklist_edition *e)
{
	json_t *j, *x;
	char *s;
	size_t i, k;
	bool ok, present, header_ok = true;
	int b;

	if (!json_is_object(root)) {
		problem(v, NULL, "最上位は JSON オブジェクトでなければなりません");
		return;
	}
	check_keys(v, root, "", top_keys);

	j = member(v, root, "", "format", REQ);
	if (j && (!json_is_string(j) || strcmp(json_string_value(j), CHECKLIST_FORMAT))) {
		problem(v, "format", "「%s」でなければなりません", CHECKLIST_FORMAT);
		return; /* another format: the rest would only add noise */
	}
	if (!j)
		return;

	e->edition = get_str(v, root, "", "edition", REQ);
	if (e->edition && !valid_ident(e->edition, 16)) {
		problem(v, "edition", "英小文字・数字・「-」「_」の 16 文字以内でなければなりません (例: r7)");
		free(e->edition);
		e->edition = NULL;
	}
	if (!e->edition)
		header_ok = false;
	e->fiscal_year = get_int(v, root, "", "fiscal_year", 2000, 2100, &ok);
	e->title = get_str(v, root, "", "title", REQ);
	j = member(v, root, "", "form", REQ);
	if (j) {
		int f = get_enum(v, j, "form", form_names, CHECKLIST_FORM_COUNT);

		if (f < 0)
			header_ok = false;
		else
			e->form = (enum checklist_form)f;
	} else {
		header_ok = false;
	}
	s = get_str(v, root, "", "published", NULLABLE);
	if (s) {
		if (!valid_date(s))
			problem(v, "published", "日付「%.40s」は YYYY-MM-DD か YYYY-MM でなければなりません", s);
		else
			snprintf(e->published, sizeof(e->published), "%s", s);
		free(s);
	}
	e->nr_sources = get_str_list(v, root, "", "sources", REQ, &e->sources, &present);
	if (present && e->nr_sources == 0 && !json_array_size(json_object_get(root, "sources")))
		problem(v, "sources", "出典が 1 つ以上必要です");
	b = get_bool(v, root, "", "items_complete", REQ);
	e->items_complete = b == CHECKLIST_YES;
	e->note = get_str(v, root, "", "note", OPTIONAL);

	j = member(v, root, "", "sections", REQ);
	if (j && (!json_is_array(j) || json_array_size(j) == 0 ||
		  json_array_size(j) > CHECKLIST_SECTIONS_MAX)) {
		problem(v, "sections", "章の配列 (1~%d 個) でなければなりません", CHECKLIST_SECTIONS_MAX);
	} else if (j) {
		e->sections = xcalloc(json_array_size(j), sizeof(*e->sections));
		json_array_foreach(j, i, x) {
			char where[64];

			snprintf(where, sizeof(where), "sections[%zu]", i);
			parse_section(v, x, where, &e->sections[i]);
			e->nr_sections = i + 1;
			for (k = 0; k < i; k++)
				if (e->sections[i].number >= 0 &&
				    e->sections[k].number == e->sections[i].number) {
					char path[80];

					snprintf(path, sizeof(path), "%s.number", where);
					problem(v, path, "章番号 %d が重複しています (sections[%zu])",
						e->sections[i].number, k);
					break;
				}
		}
	}

	j = member(v, root, "", "items", REQ);
	if (j && !json_is_array(j)) {
		problem(v, "items", "配列でなければなりません");
	} else if (j && json_array_size(j) == 0) {
		problem(v, "items", "項目が 1 つもありません");
	} else if (j && json_array_size(j) > CHECKLIST_ITEMS_MAX) {
		problem(v, "items", "項目が多すぎます (%zu 個、上限 %d 個)", json_array_size(j),
			CHECKLIST_ITEMS_MAX);
	} else if (j) {
		size_t gates = 0;

		e->items = xcalloc(json_array_size(j), sizeof(*e->items));
		json_array_foreach(j, i, x) {
			struct checklist_item *it = &e->items[i];
			char where[64], path[96];

			snprintf(where, sizeof(where), "items[%zu]", i);
			parse_item(v, x, where, it, e, header_ok);
			e->nr_items = i + 1;
			if (it->gate && ++gates == 2) {
				snprintf(path, sizeof(path), "%s.gate", where);
				problem(v, path, "gate 項目は 1 つの様式に 1 つまでです");
			}
			for (k = 0; k < i; k++) {
				const struct checklist_item *o = &e->items[k];

				if (it->id && o->id && !strcmp(it->id, o->id)) {
					snprintf(path, sizeof(path), "%s.id", where);
					problem(v, path, "id「%s」が重複しています (items[%zu])", it->id, k);
				}
				if (it->section >= 0 && it->order > 0 && o->section == it->section &&
				    o->order == it->order) {
					snprintf(path, sizeof(path), "%s.order", where);
					problem(v, path, "章 %d の order %d が重複しています (items[%zu])",
						it->section, it->order, k);
				}
			}
		}
	}
}

int checklist_catalog_load_buffer(const char *name, const char *buf, size_t len,
				  struct checklist_edition *out,
				  struct checklist_problems *problems, struct mamori_err *err)
{
	struct checklist_problems local = { 0 };
	struct checklist_edition e = CHECKLIST_EDITION_INIT;
	struct vctx v = { 0 };
	json_error_t jerr;
	json_t *root = NULL;

	memset(out, 0, sizeof(*out));
	v.name = name;
	v.pr = problems ? problems : &local;

	if (len > CHECKLIST_FILE_MAX) {
		problem(&v, NULL, "ファイルが大きすぎます (%zu バイト、上限 %u バイト)", len,
			CHECKLIST_FILE_MAX);
		goto out;
	}
	if (!enc_valid_utf8(buf, len)) {
		problem(&v, NULL, "UTF-8 として正しくないバイト列があります (%zu バイト目)",
			enc_utf8_first_invalid(buf, len) + 1);
		goto out;
	}
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		problem(&v, NULL, "%d 行 %d 列: JSON として読めません: %s", jerr.line, jerr.column,
			jerr.text);
		goto out;
	}
	parse_edition(&v, root, &e);

out:
	json_decref(root);
	if (v.count) {
		checklist_edition_release(&e);
		if (v.count > 1)
			mamori_err_set(err, MAMORI_EINVAL, "%s (ほか %zu 件の問題)", v.first,
				       v.count - 1);
		else
			mamori_err_set(err, MAMORI_EINVAL, "%s", v.first);
		checklist_problems_release(&local);
		return MAMORI_EINVAL;
	}
	e.name = xstrdup(name);
	*out = e;
	return 0;
}

/* --------------------------------------------------------------- catalog */

const struct checklist_item *checklist_edition_item(const struct checklist_edition *e,
						    const char *id)
{
	size_t i;

	for (i = 0; i < e->nr_items; i++)
		if (!strcmp(e->items[i].id, id))
			return &e->items[i];
	return NULL;
}

void checklist_catalog_release(struct checklist_catalog *cat)
{
	size_t i;

	if (!cat)
		return;
	for (i = 0; i < cat->nr; i++)
		checklist_edition_release(&cat->editions[i]);
	free(cat->editions);
	cat->editions = NULL;
	cat->nr = 0;
}

static const struct checklist_item *catalog_find(const struct checklist_catalog *cat, const char *id,
						 size_t *file)
{
	size_t i;

	for (i = 0; i < cat->nr; i++) {
		const struct checklist_item *it = checklist_edition_item(&cat->editions[i], id);

		if (it) {
			if (file)
				*file = i;
			return it;
		}
	}
	return NULL;
}

/* The checks across files; returns the number of problems found. */
static size_t check_across(const struct checklist_catalog *cat, struct checklist_problems *pr)
{
	size_t i, j, k, n = 0;

	for (i = 0; i < cat->nr; i++) {
		const struct checklist_edition *e = &cat->editions[i];
		struct vctx v = { 0 };

		v.name = e->name;
		v.pr = pr;
		for (j = 0; j < i; j++) {
			const struct checklist_edition *o = &cat->editions[j];

			if (!strcmp(o->edition, e->edition) && o->form == e->form)
				problem(&v, "edition",
					"版「%s」様式「%s」のファイルが 2 つあります (%s)", e->edition,
					form_names[e->form], o->name);
		}
		for (k = 0; k < e->nr_items; k++) {
			const struct checklist_item *it = &e->items[k];
			const struct checklist_item *t;
			char path[96];
			size_t f;

			for (j = 0; j < i; j++)
				if (checklist_edition_item(&cat->editions[j], it->id)) {
					snprintf(path, sizeof(path), "items[%zu].id", k);
					problem(&v, path, "id「%s」は %s にもあります", it->id,
						cat->editions[j].name);
				}
			if (!it->presumed_same_as)
				continue;
			snprintf(path, sizeof(path), "items[%zu].presumed_same_as", k);
			t = catalog_find(cat, it->presumed_same_as, &f);
			(void)f;
			if (!t)
				problem(&v, path, "項目「%.80s」がどのファイルにもありません",
					it->presumed_same_as);
		}
		n += v.count;
	}
	return n;
}

int checklist_catalog_load_dir(const char *dir, struct checklist_catalog *cat, size_t *nfiles,
			       struct checklist_problems *problems, struct mamori_err *err)
{
	struct checklist_problems local = { 0 };
	struct checklist_problems *pr = problems ? problems : &local;
	struct checklist_catalog tmp = { 0 };
	char **names = NULL;
	char first[MAMORI_ERR_MAX] = "";
	size_t nr = 0, i, bad = 0, before = pr->total;
	int ret = 0;

	if (nfiles)
		*nfiles = 0;
	ret = fileio_list_dir(dir, ".json", CHECKLIST_FILES_MAX, &names, &nr, err);
	if (ret < 0)
		return ret;
	if (nr == 0) {
		ret = mamori_err_set(err, MAMORI_EINVAL, "%s: チェックリストのファイル (*.json) がありません",
				     dir);
		goto out;
	}
	tmp.editions = xcalloc(nr, sizeof(*tmp.editions));
	for (i = 0; i < nr; i++) {
		struct mamori_err e2 = { 0 };
		char *path = xasprintf("%s/%s", dir, names[i]);
		char *data = NULL;
		size_t len = 0;
		int r;

		r = fileio_read_all(path, CHECKLIST_FILE_MAX, &data, &len, &e2);
		if (r == 0)
			r = checklist_catalog_load_buffer(path, data, len, &tmp.editions[tmp.nr],
							  pr, &e2);
		else {
			pr->total++;
			if (pr->nr < CHECKLIST_PROBLEMS_MAX) {
				pr->msgs = xrealloc(pr->msgs, (pr->nr + 1) * sizeof(*pr->msgs));
				pr->msgs[pr->nr++] = xstrdup(e2.msg);
			}
		}
		if (r == 0)
			tmp.nr++;
		else if (!bad++)
			snprintf(first, sizeof(first), "%s", e2.msg);
		free(data);
		free(path);
	}
	if (nfiles)
		*nfiles = nr;
	if (!bad) {
		size_t kept = pr->nr;

		if (check_across(&tmp, pr) && pr->nr > kept)
			snprintf(first, sizeof(first), "%s", pr->msgs[kept]);
	}
	if (pr->total > before) {
		size_t more = pr->total - before - 1;

		if (!first[0])
			snprintf(first, sizeof(first), "%s: 問題があります (上限を超えたため内容は省略)", dir);
		if (more)
			ret = mamori_err_set(err, MAMORI_EINVAL, "%s (ほか %zu 件の問題)", first, more);
		else
			ret = mamori_err_set(err, MAMORI_EINVAL, "%s", first);
	}
out:
	fileio_names_free(names, nr);
	checklist_problems_release(&local);
	if (ret < 0) {
		checklist_catalog_release(&tmp);
		return ret;
	}
	if (cat) {
		checklist_catalog_release(cat);
		*cat = tmp;
	} else {
		checklist_catalog_release(&tmp);
	}
	return 0;
}

int checklist_catalog_validate_dir(const char *dir, size_t *nfiles,
				   struct checklist_problems *problems, struct mamori_err *err)
{
	return checklist_catalog_load_dir(dir, NULL, nfiles, problems, err);
}

/* ---------------------------------------------------------------- writer */

static json_t *json_str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *json_tri(enum checklist_tri t)
{
	return t == CHECKLIST_UNKNOWN ? json_null() : json_boolean(t == CHECKLIST_YES);
}

static json_t *json_str_list(char *const *l, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(l[i]));
	return a;
}

static json_t *section_to_json(const struct checklist_section *s)
{
	json_t *o = json_object(), *forms;
	int f;

	json_object_set_new(o, "number", json_integer(s->number));
	json_object_set_new(o, "title", json_string(s->title));
	if (s->forms_known) {
		forms = json_array();
		for (f = 0; f < CHECKLIST_FORM_COUNT; f++)
			if (s->forms & (1u << f))
				json_array_append_new(forms, json_string(form_names[f]));
	} else {
		forms = json_null();
	}
	json_object_set_new(o, "forms", forms);
	if (s->note)
		json_object_set_new(o, "note", json_string(s->note));
	return o;
}

static json_t *item_to_json(const struct checklist_item *it)
{
	json_t *o = json_object(), *scope;
	size_t k;

	json_object_set_new(o, "id", json_string(it->id));
	json_object_set_new(o, "section", json_integer(it->section));
	json_object_set_new(o, "number", json_str_or_null(it->number));
	json_object_set_new(o, "order", json_integer(it->order));
	if (it->scope_known) {
		scope = json_array();
		for (k = 0; k < ARRAY_SIZE(scope_names); k++)
			if (it->scope & scope_names[k].bit)
				json_array_append_new(scope, json_string(scope_names[k].name));
	} else {
		scope = json_null();
	}
	json_object_set_new(o, "scope", scope);
	json_object_set_new(o, "wording", json_str_or_null(it->wording));
	json_object_set_new(o, "wording_status", json_string(status_names[it->status]));
	json_object_set_new(o, "wording_source", json_str_or_null(it->wording_source));
	if (it->nr_corroborating)
		json_object_set_new(o, "corroborating_sources",
				    json_str_list(it->corroborating, it->nr_corroborating));
	json_object_set_new(o, "refs",
			    it->refs_known ? json_str_list(it->refs, it->nr_refs) : json_null());
	json_object_set_new(o, "new_in_edition", json_tri(it->new_in_edition));
	json_object_set_new(o, "gate", json_boolean(it->gate));
	json_object_set_new(o, "needed_without_vendor_contract",
			    json_tri(it->needed_without_vendor_contract));
	if (it->presumed_same_as)
		json_object_set_new(o, "presumed_same_as", json_string(it->presumed_same_as));
	if (it->note)
		json_object_set_new(o, "note", json_string(it->note));
	return o;
}

char *checklist_edition_to_json(const struct checklist_edition *e)
{
	json_t *root = json_object(), *a;
	char *dump, *out;
	size_t i;

	assert((unsigned)e->form < CHECKLIST_FORM_COUNT);
	json_object_set_new(root, "format", json_string(CHECKLIST_FORMAT));
	json_object_set_new(root, "edition", json_string(e->edition));
	json_object_set_new(root, "fiscal_year", json_integer(e->fiscal_year));
	json_object_set_new(root, "title", json_string(e->title));
	json_object_set_new(root, "form", json_string(form_names[e->form]));
	json_object_set_new(root, "published",
			    e->published[0] ? json_string(e->published) : json_null());
	json_object_set_new(root, "sources", json_str_list(e->sources, e->nr_sources));
	json_object_set_new(root, "items_complete", json_boolean(e->items_complete));
	if (e->note)
		json_object_set_new(root, "note", json_string(e->note));
	a = json_array();
	for (i = 0; i < e->nr_sections; i++)
		json_array_append_new(a, section_to_json(&e->sections[i]));
	json_object_set_new(root, "sections", a);
	a = json_array();
	for (i = 0; i < e->nr_items; i++)
		json_array_append_new(a, item_to_json(&e->items[i]));
	json_object_set_new(root, "items", a);

	dump = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(root);
	if (!dump)
		fatal("out of memory (json_dumps)");
	out = xasprintf("%s\n", dump);
	free(dump);
	return out;
}
