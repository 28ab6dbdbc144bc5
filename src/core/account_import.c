/*
 * account_import.c - CSV import of the account inventory (see
 * account_import.h).
 *
 * Flow, as for devices: read → convert to UTF-8 → find the header (a
 * "システム名：…" line above it sets the default system) → map columns to
 * fields → BEGIN → per row: normalise cells, resolve the system and device,
 * match by (system, device, login), add or update → COMMIT, or ROLLBACK on
 * any problem, dry run or interrupt.  Problems are collected for the whole
 * file.
 */
#include "common.h"
#include "account_import.h"
#include "csv.h"
#include "fileio.h"
#include "journal.h"
#include "norm.h"
#include "store.h"
#include "strbuf.h"

#include <openssl/evp.h>

#define HEADER_SEARCH_ROWS 20

struct importer {
	struct store *st;
	const char *name;
	const struct account_import_opts *opts;
	struct account_import_result *res;
	int *colfield;  /* per column: field, -1 unknown/ignored, -2 empty header */
	char **colname;
	size_t ncols;
	char *default_system;
	/* keys (system id, device id, login) seen in this file: open addressing */
	struct seen {
		char *key;
		unsigned line;
	} *seen;
	size_t nseen, capseen;
};

static void add_problem(struct importer *im, unsigned line, const char *column, const char *fmt,
			...) __attribute__((format(printf, 4, 5)));

static void add_problem(struct importer *im, unsigned line, const char *column, const char *fmt,
			...)
{
	struct account_import_result *res = im->res;
	struct strbuf sb = STRBUF_INIT;
	char msg[MAMORI_ERR_MAX];
	va_list ap;

	if (res->nproblems >= ACCOUNT_IMPORT_MAX_PROBLEMS) {
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

void account_import_result_release(struct account_import_result *res)
{
	if (!res)
		return;
	for (size_t i = 0; i < res->nchanges; i++) {
		account_release(&res->changes[i].before);
		account_release(&res->changes[i].after);
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
		if (!norm_is_blank(rec->fields[i]) && account_field_find(rec->fields[i]) >= 0)
			n++;
	return n;
}

/* "システム名：電子カルテ" or "システム名：,電子カルテ" above the header. */
static void scan_preamble(struct importer *im, const struct csv_record *rec)
{
	static const char *const labels[] = { "システム名", "対象システム", "システム" };

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
				free(im->default_system);
				im->default_system = value;
			} else {
				free(value);
			}
			break;
		}
		free(t);
	}
}

static void map_header(struct importer *im, const struct csv_record *hdr)
{
	int used[ACCOUNT_NFIELDS];

	for (int f = 0; f < ACCOUNT_NFIELDS; f++)
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
		int f = account_field_find(hdr->fields[i]);
		if (f < 0) {
			im->colfield[i] = -1;
			if (im->opts->ignore_unknown)
				push_str(&im->res->ignored, &im->res->nignored, im->colname[i]);
			else
				add_problem(im, hdr->line, im->colname[i],
					    "不明な列です (使える列は「mamori account fields」で確認できます。"
					    "この列を読み飛ばすには --ignore-unknown)");
			continue;
		}
		if (account_fields[f].flags & ACCOUNT_F_READONLY) {
			add_problem(im, hdr->line, im->colname[i],
				    "この列は取り込めません (無効化の操作で記録されます)");
			im->colfield[i] = -1;
			continue;
		}
		if (used[f] >= 0) {
			add_problem(im, hdr->line, im->colname[i], "列「%s」と同じ項目 (%s) を指しています",
				    im->colname[used[f]], account_fields[f].label);
			im->colfield[i] = -1;
			continue;
		}
		used[f] = (int)i;
		im->colfield[i] = f;
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

static struct seen *seen_slot(struct seen *tab, size_t cap, const char *key)
{
	size_t i = (size_t)fnv1a(key) & (cap - 1);
	while (tab[i].key && strcmp(tab[i].key, key))
		i = (i + 1) & (cap - 1);
	return &tab[i];
}

/* Records the key of a (refs resolved); the line of an earlier row with it, else 0. */
static unsigned seen_before(struct importer *im, const struct account *a, unsigned line)
{
	char *key = xasprintf("%lld\x1f%lld\x1f%s", (long long)a->system_id,
			      (long long)a->device_id, a->v[ACCOUNT_LOGIN]);
	struct seen *slot;

	if (2 * (im->nseen + 1) > im->capseen) {
		size_t cap = im->capseen ? im->capseen * 2 : 1024;
		struct seen *tab = xcalloc(cap, sizeof(*tab));
		for (size_t i = 0; i < im->capseen; i++)
			if (im->seen[i].key)
				*seen_slot(tab, cap, im->seen[i].key) = im->seen[i];
		free(im->seen);
		im->seen = tab;
		im->capseen = cap;
	}
	slot = seen_slot(im->seen, im->capseen, key);
	if (slot->key) {
		free(key);
		return slot->line;
	}
	slot->key = key;
	slot->line = line;
	im->nseen++;
	return 0;
}

static const char *column_label(struct importer *im, int field)
{
	for (size_t i = 0; i < im->ncols; i++)
		if (im->colfield[i] == field)
			return im->colname[i];
	return account_fields[field].label;
}

static void add_change(struct importer *im, unsigned line, enum account_import_action action,
		       uint64_t fields, const struct account *before, const struct account *after)
{
	struct account_import_result *res = im->res;
	struct account_import_change *c;

	res->changes = xrealloc(res->changes, (res->nchanges + 1) * sizeof(*res->changes));
	c = &res->changes[res->nchanges++];
	c->line = line;
	c->action = action;
	c->fields = fields;
	if (before)
		account_copy(&c->before, before);
	else
		account_init(&c->before);
	account_copy(&c->after, after);
}

static int is_data_error(int r)
{
	return r == MAMORI_EINVAL || r == MAMORI_ECONFLICT || r == MAMORI_ENOTFOUND ||
	       r == MAMORI_EUSAGE;
}

static int import_row(struct importer *im, const struct csv_record *rec, struct mamori_err *syserr)
{
	struct account row, existing, merged;
	struct mamori_err err = { 0 };
	int present[ACCOUNT_NFIELDS] = { 0 };
	int bad = 0, found = 0, bad_field = -1, r = 0;
	char *created = NULL;
	unsigned dup;

	account_init(&row);
	account_init(&existing);
	account_init(&merged);
	for (size_t i = 0; i < rec->nfields; i++) {
		int f = i < im->ncols ? im->colfield[i] : -3;
		if (f >= 0) {
			present[f] = 1;
			if (account_set(&row, f, rec->fields[i], &err) < 0) {
				add_problem(im, rec->line, im->colname[i], "%s", err.msg);
				bad = 1;
			}
		} else if ((f == -3 || f == -2) && !norm_is_blank(rec->fields[i])) {
			add_problem(im, rec->line, NULL, "%zu 列目に値がありますが、見出しがありません",
				    i + 1);
			bad = 1;
		}
	}
	if (bad)
		goto out;
	if (!row.v[ACCOUNT_SYSTEM] && !row.v[ACCOUNT_DEVICE] && im->default_system) {
		present[ACCOUNT_SYSTEM] = 1;
		row.v[ACCOUNT_SYSTEM] = xstrdup(im->default_system);
	}
	if (!row.v[ACCOUNT_LOGIN]) {
		add_problem(im, rec->line, present[ACCOUNT_LOGIN] ? column_label(im, ACCOUNT_LOGIN) : NULL,
			    "ログインIDがありません");
		goto out;
	}
	if (!row.v[ACCOUNT_SYSTEM] && !row.v[ACCOUNT_DEVICE]) {
		add_problem(im, rec->line, NULL,
			    "どのシステムのアカウントか分かりません: システム (または機器) の列を入れるか、"
			    "--system で指定してください");
		goto out;
	}
	r = account_resolve_refs(im->st, im->opts->actor, &row, 1, &created, &err);
	if (r < 0) {
		if (!is_data_error(r))
			goto fail;
		add_problem(im, rec->line,
			    row.v[ACCOUNT_DEVICE] && !row.device_id && present[ACCOUNT_DEVICE]
				    ? column_label(im, ACCOUNT_DEVICE)
				    : NULL,
			    "%s", err.msg);
		r = 0;
		goto out;
	}
	if (created) {
		push_str(&im->res->created, &im->res->ncreated, created);
		free(created);
	}
	dup = seen_before(im, &row, rec->line);
	if (dup) {
		add_problem(im, rec->line, column_label(im, ACCOUNT_LOGIN),
			    "「%s」は %u 行目と重複しています (同じアカウントが2行あります)",
			    row.v[ACCOUNT_LOGIN], dup);
		goto out;
	}
	r = account_find_same(im->st, &row, &existing, &found, &err);
	if (r < 0)
		goto fail;
	if (found) {
		account_copy(&merged, &existing);
		for (int f = 0; f < ACCOUNT_NFIELDS; f++) {
			if (!present[f] || f == ACCOUNT_SYSTEM || f == ACCOUNT_DEVICE)
				continue;
			free(merged.v[f]);
			merged.v[f] = row.v[f] ? xstrdup(row.v[f]) : NULL;
		}
	} else {
		account_copy(&merged, &row);
	}
	r = account_validate(&merged, &bad_field, &err);
	if (r < 0) {
		add_problem(im, rec->line, bad_field >= 0 ? column_label(im, bad_field) : NULL, "%s",
			    err.msg);
		r = 0;
		goto out;
	}
	if (found && !account_diff(&existing, &merged)) {
		im->res->unchanged++;
		add_change(im, rec->line, ACCOUNT_IMPORT_UNCHANGED, 0, &existing, &merged);
		goto out;
	}
	r = found ? account_update(im->st, im->opts->actor, &merged, &err)
		  : account_insert(im->st, im->opts->actor, &merged, &err);
	if (r < 0)
		goto fail;
	if (found) {
		im->res->updated++;
		add_change(im, rec->line, ACCOUNT_IMPORT_UPDATE, account_diff(&existing, &merged),
			   &existing, &merged);
	} else {
		im->res->added++;
		add_change(im, rec->line, ACCOUNT_IMPORT_ADD, 0, NULL, &merged);
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
	account_release(&row);
	account_release(&existing);
	account_release(&merged);
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

/* A reader's "LINE: reason" as a problem. */
static void reader_problem(struct importer *im, const char *column, const char *msg)
{
	const char *colon = strchr(msg, ':');
	unsigned line = colon ? (unsigned)strtoul(msg, NULL, 10) : 0;
	add_problem(im, line ? line : 1, column, "%s", colon && colon[1] ? colon + 2 : msg);
}

int account_import_buffer(struct store *st, const char *name, const char *data, size_t len,
			  const struct account_import_opts *opts,
			  struct account_import_result *res, struct mamori_err *err)
{
	struct importer im = { .st = st, .name = name, .opts = opts, .res = res };
	struct csv_reader rd;
	struct csv_record rec;
	struct mamori_err e = { 0 };
	char *utf8 = NULL;
	size_t ulen = 0, rows = 0, total = 0;
	int r, got = 0, in_tx = 0;

	memset(res, 0, sizeof(*res));
	csv_record_init(&rec);
	r = enc_to_utf8(data, len, opts->encoding, &utf8, &ulen, &res->encoding, &e);
	if (r < 0) {
		reader_problem(&im, "文字コード", e.msg);
		r = mamori_err_set(err, MAMORI_EINVAL, "%s: 文字コードを読み取れません", name);
		goto out;
	}
	for (size_t i = 0; i < ulen; i++)
		total += utf8[i] == '\n';

	static const char delims[] = { 0, '\t', ',' };
	for (size_t d = 0; d < ARRAY_SIZE(delims) && !res->header_line; d++) {
		free(im.default_system);
		im.default_system = NULL;
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
		reader_problem(&im, NULL, e.msg);
		r = mamori_err_set(err, MAMORI_EINVAL, "%s: CSV として読み取れません", name);
		goto out;
	}
	if (!res->header_line) {
		add_problem(&im, 1, NULL,
			    "見出し行が見つかりません (ログインID・利用者・職種・管理者権限・最終利用日 など、"
			    "知っている列名を2つ以上含む行が最初の %d 行にありません)",
			    HEADER_SEARCH_ROWS);
		r = mamori_err_set(err, MAMORI_EINVAL, "%s: 見出し行がありません", name);
		goto out;
	}
	if (opts->system && !norm_is_blank(opts->system)) {
		free(im.default_system);
		im.default_system = norm_text(opts->system);
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
	if (got < 0)
		reader_problem(&im, NULL, e.msg);
	if (opts->progress)
		opts->progress(total, total, opts->progress_ctx);
	if (res->nproblems) {
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "%s: %zu 件の問題があるため取り込みませんでした (データベースは変更していません)",
				   name, res->nproblems);
		goto out;
	}
	if (res->added + res->updated > 0) {
		char sha[65];
		json_t *summary;

		sha256_hex(data, len, sha);
		summary = json_pack("{s:s, s:s, s:s, s:I, s:I, s:I}", "file", name, "sha256", sha,
				    "encoding", enc_name(res->encoding), "added", (json_int_t)res->added,
				    "updated", (json_int_t)res->updated, "unchanged",
				    (json_int_t)res->unchanged);
		r = journal_append(st, opts->actor, "account.import", "import", NULL, NULL, summary,
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
	free(im.default_system);
	return r;
}

int account_import_file(struct store *st, const char *path,
			const struct account_import_opts *opts,
			struct account_import_result *res, struct mamori_err *err)
{
	char *data = NULL;
	size_t len = 0;
	int r;

	memset(res, 0, sizeof(*res));
	r = fileio_read_all(path, ACCOUNT_IMPORT_MAX_BYTES, &data, &len, err);
	if (r < 0)
		return r;
	r = account_import_buffer(st, path, data, len, opts, res, err);
	free(data);
	return r;
}

json_t *account_import_result_json(const struct account_import_result *res, int dry_run, int ok)
{
	static const char *const actions[] = {
		[ACCOUNT_IMPORT_ADD] = "add",
		[ACCOUNT_IMPORT_UPDATE] = "update",
		[ACCOUNT_IMPORT_UNCHANGED] = "unchanged",
	};
	json_t *o = json_pack("{s:b, s:b, s:s, s:I, s:I, s:I}", "ok", ok, "dry_run", dry_run,
			      "encoding", enc_name(res->encoding), "added", (json_int_t)res->added,
			      "updated", (json_int_t)res->updated, "unchanged",
			      (json_int_t)res->unchanged);
	json_t *changes = json_array(), *problems = json_array(), *created = json_array();

	for (size_t i = 0; i < res->nchanges; i++) {
		const struct account_import_change *c = &res->changes[i];
		json_t *fields = json_array();
		char *where = account_where(&c->after);
		char *key = xasprintf("%s/%s", where, c->after.v[ACCOUNT_LOGIN]);
		for (int f = 0; f < ACCOUNT_NFIELDS; f++)
			if (c->fields & (UINT64_C(1) << f))
				json_array_append_new(fields, json_string(account_fields[f].name));
		json_t *ch = json_pack("{s:i, s:s, s:s, s:o, s:o}", "line", (int)c->line, "action",
				       actions[c->action], "key", key, "fields", fields, "account",
				       account_to_json(&c->after));
		if (c->action == ACCOUNT_IMPORT_UPDATE)
			json_object_set_new(ch, "before", account_to_json(&c->before));
		json_array_append_new(changes, ch);
		free(where);
		free(key);
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
