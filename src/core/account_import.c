/*
 * account_import.c - CSV import of the account inventory (see
 * account_import.h).
 *
 * tabular.c reads the file, finds the header (a "システム名：…" line
 * above it sets the default system) and runs the rows in one transaction;
 * this file handles a row: normalise cells, resolve the system and device,
 * match by (system, device, login), add or update.
 */
#include "common.h"
#include "account_import.h"
#include "csv.h"
#include "fileio.h"
#include "norm.h"
#include "tabular.h"

struct importer {
	struct tabular t;
	const struct account_import_opts *opts;
	struct account_import_result *res;
};

static int field_find(const char *name)
{
	return account_field_find(name);
}

static const char *field_label(int field)
{
	return account_fields[field].label;
}

static const char *field_refused(int field)
{
	return account_fields[field].flags & ACCOUNT_F_READONLY
		       ? "この列は取り込めません (無効化の操作で記録されます)"
		       : NULL;
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
	tabular_strv_free(res->problems, res->nproblems);
	tabular_strv_free(res->ignored, res->nignored);
	tabular_strv_free(res->created, res->ncreated);
	memset(res, 0, sizeof(*res));
}

/* Records the key of a (refs resolved); the line of an earlier row with it, else 0. */
static unsigned seen_before(struct importer *im, const struct account *a, unsigned line)
{
	return tabular_seen(&im->t,
			    xasprintf("%lld\x1f%lld\x1f%s", (long long)a->system_id,
				      (long long)a->device_id, a->v[ACCOUNT_LOGIN]),
			    line);
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

static int import_row(struct tabular *t, const struct csv_record *rec, struct mamori_err *syserr)
{
	struct importer *im = t->ctx;
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
		int f = tabular_col(&im->t, i);
		if (f >= 0) {
			present[f] = 1;
			if (account_set(&row, f, rec->fields[i], &err) < 0) {
				tabular_problem(&im->t, rec->line, im->t.colname[i], "%s", err.msg);
				bad = 1;
			}
		} else if ((f == TABULAR_COL_NONE || f == TABULAR_COL_EMPTY) && !norm_is_blank(rec->fields[i])) {
			tabular_problem(&im->t, rec->line, NULL, "%zu 列目に値がありますが、見出しがありません",
				    i + 1);
			bad = 1;
		}
	}
	if (bad)
		goto out;
	if (!row.v[ACCOUNT_SYSTEM] && !row.v[ACCOUNT_DEVICE] && im->t.preamble) {
		present[ACCOUNT_SYSTEM] = 1;
		row.v[ACCOUNT_SYSTEM] = xstrdup(im->t.preamble);
	}
	if (!row.v[ACCOUNT_LOGIN]) {
		tabular_problem(&im->t, rec->line, present[ACCOUNT_LOGIN] ? tabular_column_label(&im->t, ACCOUNT_LOGIN) : NULL,
			    "ログインIDがありません");
		goto out;
	}
	if (!row.v[ACCOUNT_SYSTEM] && !row.v[ACCOUNT_DEVICE]) {
		tabular_problem(&im->t, rec->line, NULL,
			    "どのシステムのアカウントか分かりません: システム (または機器) の列を入れるか、"
			    "--system で指定してください");
		goto out;
	}
	r = account_resolve_refs(im->t.st, im->opts->actor, &row, 1, &created, &err);
	if (r < 0) {
		if (!tabular_is_data_error(r))
			goto fail;
		tabular_problem(&im->t, rec->line,
			    row.v[ACCOUNT_DEVICE] && !row.device_id && present[ACCOUNT_DEVICE]
				    ? tabular_column_label(&im->t, ACCOUNT_DEVICE)
				    : NULL,
			    "%s", err.msg);
		r = 0;
		goto out;
	}
	if (created) {
		tabular_strv_push(&im->res->created, &im->res->ncreated, created);
		free(created);
	}
	dup = seen_before(im, &row, rec->line);
	if (dup) {
		tabular_problem(&im->t, rec->line, tabular_column_label(&im->t, ACCOUNT_LOGIN),
			    "「%s」は %u 行目と重複しています (同じアカウントが2行あります)",
			    row.v[ACCOUNT_LOGIN], dup);
		goto out;
	}
	r = account_find_same(im->t.st, &row, &existing, &found, &err);
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
		tabular_problem(&im->t, rec->line, bad_field >= 0 ? tabular_column_label(&im->t, bad_field) : NULL, "%s",
			    err.msg);
		r = 0;
		goto out;
	}
	if (found && !account_diff(&existing, &merged)) {
		im->t.unchanged++;
		add_change(im, rec->line, ACCOUNT_IMPORT_UNCHANGED, 0, &existing, &merged);
		goto out;
	}
	r = found ? account_update(im->t.st, im->opts->actor, &merged, &err)
		  : account_insert(im->t.st, im->opts->actor, &merged, &err);
	if (r < 0)
		goto fail;
	if (found) {
		im->t.updated++;
		add_change(im, rec->line, ACCOUNT_IMPORT_UPDATE, account_diff(&existing, &merged),
			   &existing, &merged);
	} else {
		im->t.added++;
		add_change(im, rec->line, ACCOUNT_IMPORT_ADD, 0, NULL, &merged);
	}
	goto out;
fail:
	if (tabular_is_data_error(r)) {
		tabular_problem(&im->t, rec->line, NULL, "%s", err.msg);
		r = 0;
	} else {
		mamori_err_set(syserr, r, "%s:%u: %s", im->t.name, rec->line, err.msg);
	}
out:
	account_release(&row);
	account_release(&existing);
	account_release(&merged);
	return r;
}

static const char *const preamble_labels[] = { "システム名", "対象システム", "システム", NULL };

static const struct tabular_spec account_tabular = {
	.journal_action = "account.import",
	.fields_command = "account",
	.header_hint = "ログインID・利用者・職種・管理者権限・最終利用日 など",
	.preamble_labels = preamble_labels,
	.max_problems = ACCOUNT_IMPORT_MAX_PROBLEMS,
	.field_find = field_find,
	.field_label = field_label,
	.field_refused = field_refused,
	.row = import_row,
};

int account_import_buffer(struct store *st, const char *name, const char *data, size_t len,
			  const struct account_import_opts *opts,
			  struct account_import_result *res, struct mamori_err *err)
{
	struct importer im = {
		.t = { .spec = &account_tabular, .st = st, .name = name,
		       .want_encoding = opts->encoding, .dry_run = opts->dry_run,
		       .ignore_unknown = opts->ignore_unknown, .actor = opts->actor,
		       .preamble_override = opts->system, .progress = opts->progress,
		       .progress_ctx = opts->progress_ctx },
		.opts = opts,
		.res = res,
	};
	int r;

	memset(res, 0, sizeof(*res));
	im.t.ctx = &im;
	r = tabular_import(&im.t, data, len, err);
	res->encoding = im.t.encoding;
	res->header_line = im.t.header_line;
	res->added = im.t.added;
	res->updated = im.t.updated;
	res->unchanged = im.t.unchanged;
	res->problems = im.t.problems;
	res->nproblems = im.t.nproblems;
	res->problems_truncated = im.t.problems_truncated;
	res->ignored = im.t.ignored;
	res->nignored = im.t.nignored;
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
