/*
 * asset_import.c - CSV import of the device ledger (see asset_import.h).
 *
 * Flow: read → convert to UTF-8 → find the header → map columns to fields
 * → BEGIN → for each row: normalise cells, match by stable key, add or
 * update → COMMIT, or ROLLBACK when any row had a problem, on dry run, or on
 * interrupt.  Problems are collected rather than stopping at the first, so
 * that the officer can fix the whole file in one go.
 */
#include "common.h"
#include "asset_import.h"
#include "csv.h"
#include "fileio.h"
#include "journal.h"
#include "ledger.h"
#include "norm.h"
#include "store.h"
#include "strbuf.h"

#include <openssl/evp.h>

#define HEADER_SEARCH_ROWS 20

struct importer {
	struct store *st;
	const char *name;
	const struct asset_import_opts *opts;
	struct asset_import_result *res;
	int *colfield;  /* per column: field id, -1 unknown/ignored, -2 empty header */
	char **colname; /* per column: header text as written */
	size_t ncols;
	char *default_department;
	/* stable keys seen in this file, for duplicate detection: an open-
	 * addressing hash table (linear probing, kept at most half full) */
	struct seen_key {
		char *key; /* NULL: empty slot */
		unsigned line;
	} *seen;
	size_t nseen, capseen; /* capseen: 0 or a power of two */
};

static void add_problem(struct importer *im, unsigned line, const char *column, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));

static void add_problem(struct importer *im, unsigned line, const char *column, const char *fmt,
			...)
{
	struct asset_import_result *res = im->res;
	struct strbuf sb = STRBUF_INIT;
	char msg[MAMORI_ERR_MAX];
	va_list ap;

	if (res->nproblems >= ASSET_IMPORT_MAX_PROBLEMS) {
		res->problems_truncated = 1;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strbuf_addf(&sb, "%s:%u: ", im->name, line);
	if (column)
		strbuf_addf(&sb, "%s: ", column);
	strbuf_addstr(&sb, msg);
	res->problems = xrealloc(res->problems, (res->nproblems + 1) * sizeof(char *));
	res->problems[res->nproblems++] = strbuf_detach(&sb, NULL);
}

static void push_str(char ***list, size_t *n, const char *s)
{
	*list = xrealloc(*list, (*n + 1) * sizeof(char *));
	(*list)[(*n)++] = xstrdup(s);
}

void asset_import_result_release(struct asset_import_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->nchanges; i++) {
		asset_release(&res->changes[i].before);
		asset_release(&res->changes[i].after);
	}
	free(res->changes);
	for (size_t i = 0; i < res->nproblems; i++)
		free(res->problems[i]);
	free(res->problems);
	for (size_t i = 0; i < res->nignored; i++)
		free(res->ignored[i]);
	free(res->ignored);
	for (size_t i = 0; i < res->ncreated; i++)
		free(res->created[i]);
	free(res->created);
	memset(res, 0, sizeof(*res));
}

static int count_known(const struct csv_record *rec)
{
	int n = 0;
	for (size_t i = 0; i < rec->nfields; i++)
		if (!norm_is_blank(rec->fields[i]) && asset_field_find(rec->fields[i]) >= 0)
			n++;
	return n;
}

/* A preamble line such as "部局名：内科" or "部局名：,内科". */
static void scan_preamble(struct importer *im, const struct csv_record *rec)
{
	static const char *const labels[] = { "部局名", "部署名", "部署", "所属" };

	for (size_t i = 0; i < rec->nfields; i++) {
		char *t = norm_text(rec->fields[i]);
		for (size_t k = 0; k < ARRAY_SIZE(labels); k++) {
			size_t n = strlen(labels[k]);
			if (strncmp(t, labels[k], n) != 0)
				continue;
			const char *rest = t + n;
			while (*rest == ' ' || *rest == ':')
				rest++;
			if (!strncmp(rest, "：", 3))
				rest += 3;
			char *value = norm_text(*rest ? rest
						       : (i + 1 < rec->nfields ? rec->fields[i + 1]
									       : ""));
			if (*value) {
				free(im->default_department);
				im->default_department = value;
			} else {
				free(value);
			}
			break;
		}
		free(t);
	}
}

static int map_header(struct importer *im, const struct csv_record *hdr)
{
	int used[ASSET_NFIELDS];

	for (int f = 0; f < ASSET_NFIELDS; f++)
		used[f] = -1;
	im->ncols = hdr->nfields;
	im->colfield = xcalloc(hdr->nfields, sizeof(int));
	im->colname = xcalloc(hdr->nfields, sizeof(char *));
	for (size_t i = 0; i < hdr->nfields; i++) {
		im->colname[i] = norm_text(hdr->fields[i]);
		if (!*im->colname[i]) {
			im->colfield[i] = -2;
			continue;
		}
		int f = asset_field_find(hdr->fields[i]);
		if (f < 0) {
			im->colfield[i] = -1;
			if (im->opts->ignore_unknown)
				push_str(&im->res->ignored, &im->res->nignored, im->colname[i]);
			else
				add_problem(im, hdr->line, im->colname[i],
					    "不明な列です (使える列は「mamori asset fields」で確認できます。"
					    "この列を読み飛ばすには --ignore-unknown)");
			continue;
		}
		if (used[f] >= 0) {
			add_problem(im, hdr->line, im->colname[i],
				    "列「%s」と同じ項目 (%s) を指しています", im->colname[used[f]],
				    asset_fields[f].label);
			im->colfield[i] = -1;
			continue;
		}
		used[f] = (int)i;
		im->colfield[i] = f;
	}
	return 0;
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

/* Slot of key in im->seen: the one holding it, or the empty one to use. */
static struct seen_key *seen_slot(struct seen_key *tab, size_t cap, const char *key)
{
	size_t i = (size_t)fnv1a(key) & (cap - 1);
	while (tab[i].key && strcmp(tab[i].key, key))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

static void seen_grow(struct importer *im)
{
	size_t cap = im->capseen ? im->capseen * 2 : 1024;
	struct seen_key *tab = xcalloc(cap, sizeof(*tab));

	for (size_t i = 0; i < im->capseen; i++)
		if (im->seen[i].key)
			*seen_slot(tab, cap, im->seen[i].key) = im->seen[i];
	free(im->seen);
	im->seen = tab;
	im->capseen = cap;
}

/* Records key for line; reports a duplicate when seen before. */
static int check_duplicate(struct importer *im, const struct asset *a, unsigned line)
{
	int field;
	const char *key = asset_key(a, &field);
	struct seen_key *slot;
	char *tagged;

	if (!key)
		return 0;
	if (2 * (im->nseen + 1) > im->capseen)
		seen_grow(im);
	tagged = xasprintf("%d\x1f%s", field, key);
	slot = seen_slot(im->seen, im->capseen, tagged);
	if (slot->key) {
		add_problem(im, line, asset_fields[field].label,
			    "「%s」は %u 行目と重複しています (同じ機器が2行あります)", key, slot->line);
		free(tagged);
		return -1;
	}
	slot->key = tagged;
	slot->line = line;
	im->nseen++;
	return 0;
}

static const char *column_label(struct importer *im, int field)
{
	for (size_t i = 0; i < im->ncols; i++)
		if (im->colfield[i] == field)
			return im->colname[i];
	return asset_fields[field].label;
}

static void add_change(struct importer *im, unsigned line, enum asset_import_action action,
		       uint64_t fields, const struct asset *before, const struct asset *after)
{
	struct asset_import_result *res = im->res;
	struct asset_import_change *c;

	res->changes = xrealloc(res->changes, (res->nchanges + 1) * sizeof(*res->changes));
	c = &res->changes[res->nchanges++];
	c->line = line;
	c->action = action;
	c->fields = fields;
	if (before)
		asset_copy(&c->before, before);
	else
		asset_init(&c->before);
	asset_copy(&c->after, after);
}

/* Creates the locations/systems/vendors a row names, noting the new ones. */
static int resolve_row_refs(struct importer *im, const struct asset *a, struct mamori_err *err)
{
	static const struct {
		int field;
		enum ledger_table table;
	} refs[] = {
		{ ASSET_LOCATION, LEDGER_LOCATION },
		{ ASSET_SYSTEM, LEDGER_SYSTEM },
		{ ASSET_VENDOR, LEDGER_VENDOR },
	};

	for (size_t i = 0; i < ARRAY_SIZE(refs); i++) {
		int64_t id;
		int created = 0;

		if (!a->v[refs[i].field])
			continue;
		int r = ledger_ref_resolve(im->st, im->opts->actor, refs[i].table,
					   a->v[refs[i].field], 1, &id, &created, err);
		if (r < 0)
			return r;
		if (created) {
			char *what = xasprintf("%s「%s」", ledger_table_label(refs[i].table),
					       a->v[refs[i].field]);
			push_str(&im->res->created, &im->res->ncreated, what);
			free(what);
		}
	}
	return 0;
}

/* Is this error about the data (reported per line) rather than the system? */
static int is_data_error(int r)
{
	return r == MAMORI_EINVAL || r == MAMORI_ECONFLICT || r == MAMORI_ENOTFOUND ||
	       r == MAMORI_EUSAGE;
}

static int import_row(struct importer *im, const struct csv_record *rec, struct mamori_err *syserr)
{
	struct asset row, existing, merged;
	struct mamori_err err = { 0 };
	int present[ASSET_NFIELDS] = { 0 };
	int bad = 0, found = 0, bad_field = -1, r = 0;

	asset_init(&row);
	asset_init(&existing);
	asset_init(&merged);
	for (size_t i = 0; i < rec->nfields; i++) {
		int f = i < im->ncols ? im->colfield[i] : -3;
		if (f >= 0) {
			present[f] = 1;
			if (asset_set(&row, f, rec->fields[i], &err) < 0) {
				add_problem(im, rec->line, im->colname[i], "%s", err.msg);
				bad = 1;
			}
		} else if (f == -3 || f == -2) {
			if (!norm_is_blank(rec->fields[i])) {
				add_problem(im, rec->line, NULL,
					    "%zu 列目に値がありますが、見出しがありません", i + 1);
				bad = 1;
			}
		}
	}
	/* Keys are recorded even for rows with bad cells, so that a duplicate
	 * of such a row is reported as well. */
	if (asset_key(&row, NULL) && check_duplicate(im, &row, rec->line) < 0)
		bad = 1;
	if (bad)
		goto out;
	if (!present[ASSET_DEPARTMENT] && im->default_department) {
		present[ASSET_DEPARTMENT] = 1;
		row.v[ASSET_DEPARTMENT] = xstrdup(im->default_department);
	}
	if (!asset_key(&row, NULL)) {
		add_problem(im, rec->line, NULL,
			    "機器を特定できません: 媒体名・MACアドレス・ホスト名のいずれかが必要です");
		goto out;
	}

	r = asset_find_same(im->st, &row, &existing, &found, &err);
	if (r < 0)
		goto fail;
	if (found) {
		asset_copy(&merged, &existing);
		for (int f = 0; f < ASSET_NFIELDS; f++) {
			if (!present[f])
				continue;
			free(merged.v[f]);
			merged.v[f] = row.v[f] ? xstrdup(row.v[f]) : NULL;
		}
	} else {
		asset_copy(&merged, &row);
	}
	r = asset_validate(&merged, &bad_field, &err);
	if (r < 0) {
		add_problem(im, rec->line, bad_field >= 0 ? column_label(im, bad_field) : NULL, "%s",
			    err.msg);
		r = 0;
		goto out;
	}
	if (found && !asset_diff(&existing, &merged)) {
		im->res->unchanged++;
		add_change(im, rec->line, ASSET_IMPORT_UNCHANGED, 0, &existing, &merged);
		goto out;
	}
	r = resolve_row_refs(im, &merged, &err);
	if (r == 0)
		r = found ? asset_update(im->st, im->opts->actor, &merged, &err)
			  : asset_insert(im->st, im->opts->actor, &merged, &err);
	if (r < 0)
		goto fail;
	if (found) {
		im->res->updated++;
		add_change(im, rec->line, ASSET_IMPORT_UPDATE, asset_diff(&existing, &merged),
			   &existing, &merged);
	} else {
		im->res->added++;
		add_change(im, rec->line, ASSET_IMPORT_ADD, 0, NULL, &merged);
	}
	goto out;
fail:
	if (is_data_error(r)) {
		add_problem(im, rec->line, NULL, "%s", err.msg);
		r = 0;
	} else {
		mamori_err_set(syserr, r, "%s:%u: %s", im->name, rec->line, err.msg);
	}
out:
	asset_release(&row);
	asset_release(&existing);
	asset_release(&merged);
	return r;
}

static void sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

static size_t count_lines(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

int asset_import_buffer(struct store *st, const char *name, const char *data, size_t len,
			const struct asset_import_opts *opts, struct asset_import_result *res,
			struct mamori_err *err)
{
	struct importer im = { .st = st, .name = name, .opts = opts, .res = res };
	struct csv_reader rd;
	struct csv_record rec;
	struct mamori_err e = { 0 };
	char *utf8 = NULL;
	size_t ulen = 0, rows = 0, total;
	int r, got, in_tx = 0;

	memset(res, 0, sizeof(*res));
	csv_record_init(&rec);
	r = enc_to_utf8(data, len, opts->encoding, &utf8, &ulen, &res->encoding, &e);
	if (r < 0) {
		/* e.msg is "LINE: reason" */
		char *colon = strchr(e.msg, ':');
		unsigned line = colon ? (unsigned)strtoul(e.msg, NULL, 10) : 0;
		add_problem(&im, line ? line : 1, "文字コード", "%s",
			    colon ? colon + 2 : e.msg);
		r = mamori_err_set(err, MAMORI_EINVAL, "%s: 文字コードを読み取れません", name);
		goto out;
	}
	total = count_lines(utf8, ulen);

	/*
	 * Header: the first record (of the first few) naming two known fields.
	 * The delimiter is detected from the first line, which in a sheet with
	 * a title row ("情報機器管理表") has none: then tab and comma are tried.
	 */
	static const char delims[] = { 0, '\t', ',' };
	for (size_t d = 0; d < ARRAY_SIZE(delims) && !res->header_line; d++) {
		free(im.default_department);
		im.default_department = NULL;
		csv_reader_init(&rd, utf8, ulen, delims[d]);
		for (int i = 0; i < HEADER_SEARCH_ROWS; i++) {
			got = csv_read(&rd, &rec, &e);
			if (got <= 0)
				break;
			if (count_known(&rec) >= 2) {
				res->header_line = rec.line;
				break;
			}
			scan_preamble(&im, &rec);
		}
		if (got < 0)
			break;
	}
	if (got < 0) {
		char *colon = strchr(e.msg, ':');
		add_problem(&im, (unsigned)strtoul(e.msg, NULL, 10), NULL, "%s",
			    colon ? colon + 2 : e.msg);
		r = mamori_err_set(err, MAMORI_EINVAL, "%s: CSV として読み取れません", name);
		goto out;
	}
	if (!res->header_line) {
		add_problem(&im, 1, NULL,
			    "見出し行が見つかりません (媒体名・MACアドレス・IPアドレス・OS など、"
			    "知っている列名を2つ以上含む行が最初の %d 行にありません)",
			    HEADER_SEARCH_ROWS);
		r = mamori_err_set(err, MAMORI_EINVAL, "%s: 見出し行がありません", name);
		goto out;
	}
	map_header(&im, &rec);

	r = store_begin(st, err);
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
		r = import_row(&im, &rec, err);
		if (r < 0)
			goto out;
		rows++;
		if (opts->progress && rows % 100 == 0)
			opts->progress(rec.line, total, opts->progress_ctx);
	}
	if (got < 0) {
		char *colon = strchr(e.msg, ':');
		add_problem(&im, (unsigned)strtoul(e.msg, NULL, 10), NULL, "%s",
			    colon ? colon + 2 : e.msg);
	}
	if (opts->progress)
		opts->progress(total, total, opts->progress_ctx);
	if (res->nproblems) {
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "%s: %zu 件の問題があるため取り込みませんでした (データベースは変更していません)",
				   name, res->nproblems);
		goto out;
	}
	if (res->added + res->updated > 0) {
		/* One entry for the file itself; a file that changes nothing leaves
		 * no trace, so re-importing the same file is a true no-op. */
		char sha[65];
		json_t *summary;

		sha256_hex(data, len, sha);
		summary = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "file", name, "sha256", sha,
				    "encoding", enc_name(res->encoding), "added", (json_int_t)res->added,
				    "updated", (json_int_t)res->updated, "unchanged",
				    (json_int_t)res->unchanged);
		r = journal_append(st, opts->actor, "asset.import", "import", NULL, NULL, summary,
				   NULL, err);
		json_decref(summary);
		if (r < 0)
			goto out;
	}
	if (opts->dry_run) {
		store_rollback(st);
		in_tx = 0;
		r = 0;
		goto out;
	}
	r = store_commit(st, err);
	in_tx = 0;
out:
	if (in_tx)
		store_rollback(st);
	csv_record_release(&rec);
	free(utf8);
	for (size_t i = 0; i < im.ncols; i++)
		free(im.colname[i]);
	free(im.colname);
	free(im.colfield);
	for (size_t i = 0; i < im.capseen; i++)
		free(im.seen[i].key);
	free(im.seen);
	free(im.default_department);
	return r;
}

int asset_import_file(struct store *st, const char *path, const struct asset_import_opts *opts,
		      struct asset_import_result *res, struct mamori_err *err)
{
	char *data = NULL;
	size_t len = 0;
	int r;

	memset(res, 0, sizeof(*res));
	r = fileio_read_all(path, ASSET_IMPORT_MAX_BYTES, &data, &len, err);
	if (r < 0)
		return r;
	r = asset_import_buffer(st, path, data, len, opts, res, err);
	free(data);
	return r;
}

json_t *asset_import_result_json(const struct asset_import_result *res, int dry_run, int ok)
{
	static const char *const actions[] = {
		[ASSET_IMPORT_ADD] = "add",
		[ASSET_IMPORT_UPDATE] = "update",
		[ASSET_IMPORT_UNCHANGED] = "unchanged",
	};
	json_t *o = json_pack("{s:b, s:b, s:s, s:I, s:I, s:I}", "ok", ok, "dry_run", dry_run,
			      "encoding", enc_name(res->encoding), "added", (json_int_t)res->added,
			      "updated", (json_int_t)res->updated, "unchanged",
			      (json_int_t)res->unchanged);
	json_t *changes = json_array(), *problems = json_array(), *created = json_array();

	for (size_t i = 0; i < res->nchanges; i++) {
		const struct asset_import_change *c = &res->changes[i];
		json_t *fields = json_array();
		for (int f = 0; f < ASSET_NFIELDS; f++)
			if (c->fields & (UINT64_C(1) << f))
				json_array_append_new(fields, json_string(asset_fields[f].name));
		json_t *ch = json_pack("{s:i, s:s, s:s, s:o, s:o}", "line", (int)c->line, "action",
				       actions[c->action], "key", asset_key(&c->after, NULL), "fields",
				       fields, "device", asset_to_json(&c->after));
		if (c->action == ASSET_IMPORT_UPDATE)
			json_object_set_new(ch, "before", asset_to_json(&c->before));
		json_array_append_new(changes, ch);
	}
	for (size_t i = 0; i < res->nproblems; i++)
		json_array_append_new(problems, json_string(res->problems[i]));
	for (size_t i = 0; i < res->ncreated; i++)
		json_array_append_new(created, json_string(res->created[i]));
	json_object_set_new(o, "changes", changes);
	json_object_set_new(o, "problems", problems);
	json_object_set_new(o, "created", created);
	json_object_set_new(o, "problems_truncated", json_boolean(res->problems_truncated));
	return o;
}
