/*
 * tabular.c - the CSV import machinery shared by the ledgers (see tabular.h).
 *
 * Flow: read → convert to UTF-8 → find the header (and a preamble line
 * above it) → map columns to fields → BEGIN → spec->row for each non-blank
 * row → journal the file → COMMIT, or ROLLBACK when any row had a problem,
 * on dry run, or on interrupt.
 */
#include "common.h"
#include "tabular.h"
#include "csv.h"
#include "journal.h"
#include "norm.h"
#include "store.h"
#include "strbuf.h"

#include <jansson.h>
#include <openssl/evp.h>

void tabular_problem(struct tabular *t, unsigned line, const char *column, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	char msg[MAMORI_ERR_MAX];
	va_list ap;

	if (t->nproblems >= t->spec->max_problems) {
		t->problems_truncated = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strbuf_addf(&sb, "%s:%u: ", t->name, line);
	if (column)
		strbuf_addf(&sb, "%s: ", column);
	strbuf_addstr(&sb, msg);
	t->problems = xrealloc(t->problems, (t->nproblems + 1) * sizeof(char *));
	t->problems[t->nproblems++] = strbuf_detach(&sb, NULL);
}

/* A reader's "LINE: reason" as a problem. */
static void reader_problem(struct tabular *t, const char *column, const char *msg)
{
	const char *colon = strchr(msg, ':');
	unsigned line = colon ? (unsigned)strtoul(msg, NULL, 10) : 0;
	tabular_problem(t, line ? line : 1, column, "%s", colon && colon[1] ? colon + 2 : msg);
}

void tabular_strv_push(char ***list, size_t *n, const char *s)
{
	*list = xrealloc(*list, (*n + 1) * sizeof(char *));
	(*list)[(*n)++] = xstrdup(s);
}

void tabular_strv_free(char **list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(list[i]);
	free(list);
}

int tabular_is_data_error(int code)
{
	return code == MAMORI_EINVAL || code == MAMORI_ECONFLICT || code == MAMORI_ENOTFOUND ||
	       code == MAMORI_EUSAGE;
}

int tabular_col(const struct tabular *t, size_t i)
{
	return i < t->ncols ? t->colfield[i] : TABULAR_COL_NONE;
}

const char *tabular_column_label(const struct tabular *t, int field)
{
	for (size_t i = 0; i < t->ncols; i++)
		if (t->colfield[i] == field)
			return t->colname[i];
	return t->spec->field_label(field);
}

static int count_known(const struct tabular *t, const struct csv_record *rec)
{
	int n = 0;
	for (size_t i = 0; i < rec->nfields; i++)
		if (!norm_is_blank(rec->fields[i]) && t->spec->field_find(rec->fields[i]) >= 0)
			n++;
	return n;
}

/* A preamble line such as "部局名：内科" or "部局名：,内科". */
static void scan_preamble(struct tabular *t, const struct csv_record *rec)
{
	const char *const *labels = t->spec->preamble_labels;

	for (size_t i = 0; i < rec->nfields; i++) {
		char *s = norm_text(rec->fields[i]);
		for (size_t k = 0; labels && labels[k]; k++) {
			size_t n = strlen(labels[k]);
			if (strncmp(s, labels[k], n) != 0)
				continue;
			const char *rest = s + n;
			while (*rest == ' ' || *rest == ':')
				rest++;
			if (!strncmp(rest, "：", 3))
				rest += 3;
			char *value = norm_text(*rest ? rest
						       : (i + 1 < rec->nfields ? rec->fields[i + 1]
									       : ""));
			if (*value) {
				free(t->preamble);
				t->preamble = value;
			} else {
				free(value);
			}
			break;
		}
		free(s);
	}
}

static void map_header(struct tabular *t, const struct csv_record *hdr)
{
	const struct tabular_spec *spec = t->spec;

	t->ncols = hdr->nfields;
	t->colfield = xcalloc(hdr->nfields, sizeof(int));
	t->colname = xcalloc(hdr->nfields, sizeof(char *));
	for (size_t i = 0; i < hdr->nfields; i++) {
		const char *refused;
		size_t j;

		t->colname[i] = norm_text(hdr->fields[i]);
		if (!*t->colname[i]) {
			t->colfield[i] = TABULAR_COL_EMPTY;
			continue;
		}
		int f = spec->field_find(hdr->fields[i]);
		if (f < 0) {
			t->colfield[i] = TABULAR_COL_IGNORED;
			if (t->ignore_unknown)
				tabular_strv_push(&t->ignored, &t->nignored, t->colname[i]);
			else
				tabular_problem(t, hdr->line, t->colname[i],
						"不明な列です (使える列は「mamori %s fields」で確認できます。"
						"この列を読み飛ばすには --ignore-unknown)",
						spec->fields_command);
			continue;
		}
		refused = spec->field_refused ? spec->field_refused(f) : NULL;
		if (refused) {
			tabular_problem(t, hdr->line, t->colname[i], "%s", refused);
			t->colfield[i] = TABULAR_COL_IGNORED;
			continue;
		}
		/* the first column naming f is the one that keeps it */
		for (j = 0; j < i && t->colfield[j] != f; j++)
			;
		if (j < i) {
			tabular_problem(t, hdr->line, t->colname[i], "列「%s」と同じ項目 (%s) を指しています",
					t->colname[j], spec->field_label(f));
			t->colfield[i] = TABULAR_COL_IGNORED;
			continue;
		}
		t->colfield[i] = f;
	}
}

static int row_is_blank(const struct csv_record *rec)
{
	for (size_t i = 0; i < rec->nfields; i++)
		if (!norm_is_blank(rec->fields[i]))
			return 0;
	return 1;
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

/* Slot of key in tab: the one holding it, or the empty one to use. */
static struct tabular_seen *seen_slot(struct tabular_seen *tab, size_t cap, const char *key)
{
	size_t i = (size_t)fnv1a(key) & (cap - 1);
	while (tab[i].key && strcmp(tab[i].key, key))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

unsigned tabular_seen(struct tabular *t, char *key, unsigned line)
{
	struct tabular_seen *slot;

	if (2 * (t->nseen + 1) > t->capseen) {
		size_t cap = t->capseen ? t->capseen * 2 : 1024;
		struct tabular_seen *tab = xcalloc(cap, sizeof(*tab));
		for (size_t i = 0; i < t->capseen; i++)
			if (t->seen[i].key)
				*seen_slot(tab, cap, t->seen[i].key) = t->seen[i];
		free(t->seen);
		t->seen = tab;
		t->capseen = cap;
	}
	slot = seen_slot(t->seen, t->capseen, key);
	if (slot->key) {
		free(key);
		return slot->line;
	}
	slot->key = key;
	slot->line = line;
	t->nseen++;
	return 0;
}

static void sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* One entry for the file itself; a file that changes nothing leaves no
 * trace, so re-importing the same file is a true no-op. */
static int journal_file(struct tabular *t, const char *data, size_t len, struct mamori_err *err)
{
	char sha[65];
	json_t *summary;
	int r;

	if (t->added + t->updated == 0)
		return 0;
	sha256_hex(data, len, sha);
	summary = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "file", t->name, "sha256", sha,
			    "encoding", enc_name(t->encoding), "added", (json_int_t)t->added,
			    "updated", (json_int_t)t->updated, "unchanged", (json_int_t)t->unchanged);
	r = journal_append(t->st, t->actor, t->spec->journal_action, "import", NULL, NULL, summary,
			   NULL, err);
	json_decref(summary);
	return r;
}

int tabular_import(struct tabular *t, const char *data, size_t len, struct mamori_err *err)
{
	static const char delims[] = { 0, '\t', ',' };
	struct csv_reader rd;
	struct csv_record rec;
	struct mamori_err e = { 0 };
	char *utf8 = NULL;
	size_t ulen = 0, rows = 0, total = 0;
	int r, got = 0, in_tx = 0;

	csv_record_init(&rec);
	r = enc_to_utf8(data, len, t->want_encoding, &utf8, &ulen, &t->encoding, &e);
	if (r < 0) {
		reader_problem(t, "文字コード", e.msg);
		r = mamori_err_set(err, MAMORI_EINVAL, "%s: 文字コードを読み取れません", t->name);
		goto out;
	}
	for (size_t i = 0; i < ulen; i++)
		total += utf8[i] == '\n';

	/*
	 * Header: the first record (of the first few) naming two known fields.
	 * The delimiter is detected from the first line, which in a sheet with
	 * a title row ("情報機器管理表") has none: then tab and comma are tried.
	 */
	for (size_t d = 0; d < ARRAY_SIZE(delims) && !t->header_line; d++) {
		free(t->preamble);
		t->preamble = NULL;
		csv_reader_init(&rd, utf8, ulen, delims[d]);
		for (int i = 0; i < TABULAR_HEADER_ROWS; i++) {
			got = csv_read(&rd, &rec, &e);
			if (got <= 0)
				break;
			if (count_known(t, &rec) >= 2) {
				t->header_line = rec.line;
				break;
			}
			scan_preamble(t, &rec);
		}
		if (got < 0)
			break;
	}
	if (got < 0) {
		reader_problem(t, NULL, e.msg);
		r = mamori_err_set(err, MAMORI_EINVAL, "%s: CSV として読み取れません", t->name);
		goto out;
	}
	if (!t->header_line) {
		tabular_problem(t, 1, NULL,
				"見出し行が見つかりません (%s、"
				"知っている列名を2つ以上含む行が最初の %d 行にありません)",
				t->spec->header_hint, TABULAR_HEADER_ROWS);
		r = mamori_err_set(err, MAMORI_EINVAL, "%s: 見出し行がありません", t->name);
		goto out;
	}
	if (t->preamble_override && !norm_is_blank(t->preamble_override)) {
		free(t->preamble);
		t->preamble = norm_text(t->preamble_override);
	}
	map_header(t, &rec);

	r = store_begin(t->st, err);
	if (r < 0)
		goto out;
	in_tx = 1;
	while ((got = csv_read(&rd, &rec, &e)) == 1) {
		if (mamori_interrupted) {
			r = mamori_err_set(err, MAMORI_EINTR,
					   "中断しました。データベースは変更していません");
			goto out;
		}
		if (row_is_blank(&rec))
			continue;
		r = t->spec->row(t, &rec, err);
		if (r < 0)
			goto out;
		rows++;
		if (t->progress && rows % 100 == 0)
			t->progress(rec.line, total, t->progress_ctx);
	}
	if (got < 0)
		reader_problem(t, NULL, e.msg);
	if (t->progress)
		t->progress(total, total, t->progress_ctx);
	if (t->nproblems) {
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "%s: %zu 件の問題があるため取り込みませんでした (データベースは変更していません)",
				   t->name, t->nproblems);
		goto out;
	}
	r = journal_file(t, data, len, err);
	if (r < 0)
		goto out;
	if (t->dry_run) {
		store_rollback(t->st);
		in_tx = 0;
		r = 0;
		goto out;
	}
	r = store_commit(t->st, err);
	in_tx = 0;
out:
	if (in_tx)
		store_rollback(t->st);
	csv_record_release(&rec);
	free(utf8);
	tabular_strv_free(t->colname, t->ncols);
	t->colname = NULL;
	free(t->colfield);
	t->colfield = NULL;
	t->ncols = 0;
	for (size_t i = 0; i < t->capseen; i++)
		free(t->seen[i].key);
	free(t->seen);
	t->seen = NULL;
	t->nseen = t->capseen = 0;
	free(t->preamble);
	t->preamble = NULL;
	return r;
}
