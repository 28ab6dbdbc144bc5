/*
 * asset_import.c - CSV import of the device ledger (see asset_import.h).
 *
 * tabular.c reads the file, finds the header and runs the rows in one
 * transaction; this file handles a row: normalise cells, match by stable
 * key, add or update.  A "部局名：…" preamble gives the department of rows
 * without one.
 */
#include "common.h"
#include "asset_import.h"
#include "csv.h"
#include "fileio.h"
#include "ledger.h"
#include "norm.h"
#include "tabular.h"

struct importer {
	struct tabular t;
	const struct asset_import_opts *opts;
	struct asset_import_result *res;
};

static int field_find(const char *name)
{
	return asset_field_find(name);
}

static const char *field_label(int field)
{
	return asset_fields[field].label;
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
	tabular_strv_free(res->problems, res->nproblems);
	tabular_strv_free(res->ignored, res->nignored);
	tabular_strv_free(res->created, res->ncreated);
	memset(res, 0, sizeof(*res));
}

/* Records the stable key of a for line; reports a duplicate when seen before. */
static int check_duplicate(struct importer *im, const struct asset *a, unsigned line)
{
	int field;
	const char *key = asset_key(a, &field);
	unsigned dup;

	if (!key)
		return 0;
	dup = tabular_seen(&im->t, xasprintf("%d\x1f%s", field, key), line);
	if (dup) {
		tabular_problem(&im->t, line, asset_fields[field].label,
				"「%s」は %u 行目と重複しています (同じ機器が2行あります)", key, dup);
		return -1;
	}
	return 0;
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
		int r = ledger_ref_resolve(im->t.st, im->opts->actor, refs[i].table,
					   a->v[refs[i].field], 1, &id, &created, err);
		if (r < 0)
			return r;
		if (created) {
			char *what = xasprintf("%s「%s」", ledger_table_label(refs[i].table),
					       a->v[refs[i].field]);
			tabular_strv_push(&im->res->created, &im->res->ncreated, what);
			free(what);
		}
	}
	return 0;
}

static int import_row(struct tabular *t, const struct csv_record *rec, struct mamori_err *syserr)
{
	struct importer *im = t->ctx;
	struct asset row, existing, merged;
	struct mamori_err err = { 0 };
	int present[ASSET_NFIELDS] = { 0 };
	int bad = 0, found = 0, bad_field = -1, r = 0;

	asset_init(&row);
	asset_init(&existing);
	asset_init(&merged);
	for (size_t i = 0; i < rec->nfields; i++) {
		int f = tabular_col(&im->t, i);
		if (f >= 0) {
			present[f] = 1;
			if (asset_set(&row, f, rec->fields[i], &err) < 0) {
				tabular_problem(&im->t, rec->line, im->t.colname[i], "%s", err.msg);
				bad = 1;
			}
		} else if (f == TABULAR_COL_NONE || f == TABULAR_COL_EMPTY) {
			if (!norm_is_blank(rec->fields[i])) {
				tabular_problem(&im->t, rec->line, NULL,
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
	if (!present[ASSET_DEPARTMENT] && im->t.preamble) {
		present[ASSET_DEPARTMENT] = 1;
		row.v[ASSET_DEPARTMENT] = xstrdup(im->t.preamble);
	}
	if (!asset_key(&row, NULL)) {
		tabular_problem(&im->t, rec->line, NULL,
			    "機器を特定できません: 媒体名・MACアドレス・ホスト名のいずれかが必要です");
		goto out;
	}

	r = asset_find_same(im->t.st, &row, &existing, &found, &err);
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
		tabular_problem(&im->t, rec->line, bad_field >= 0 ? tabular_column_label(&im->t, bad_field) : NULL, "%s",
			    err.msg);
		r = 0;
		goto out;
	}
	if (found && !asset_diff(&existing, &merged)) {
		im->t.unchanged++;
		add_change(im, rec->line, ASSET_IMPORT_UNCHANGED, 0, &existing, &merged);
		goto out;
	}
	r = resolve_row_refs(im, &merged, &err);
	if (r == 0)
		r = found ? asset_update(im->t.st, im->opts->actor, &merged, &err)
			  : asset_insert(im->t.st, im->opts->actor, &merged, &err);
	if (r < 0)
		goto fail;
	if (found) {
		im->t.updated++;
		add_change(im, rec->line, ASSET_IMPORT_UPDATE, asset_diff(&existing, &merged),
			   &existing, &merged);
	} else {
		im->t.added++;
		add_change(im, rec->line, ASSET_IMPORT_ADD, 0, NULL, &merged);
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
	asset_release(&row);
	asset_release(&existing);
	asset_release(&merged);
	return r;
}

static const char *const preamble_labels[] = { "部局名", "部署名", "部署", "所属", NULL };

static const struct tabular_spec asset_tabular = {
	.journal_action = "asset.import",
	.fields_command = "asset",
	.header_hint = "媒体名・MACアドレス・IPアドレス・OS など",
	.preamble_labels = preamble_labels,
	.max_problems = ASSET_IMPORT_MAX_PROBLEMS,
	.field_find = field_find,
	.field_label = field_label,
	.row = import_row,
};

int asset_import_buffer(struct store *st, const char *name, const char *data, size_t len,
			const struct asset_import_opts *opts, struct asset_import_result *res,
			struct mamori_err *err)
{
	struct importer im = {
		.t = { .spec = &asset_tabular, .st = st, .name = name,
		       .want_encoding = opts->encoding, .dry_run = opts->dry_run,
		       .ignore_unknown = opts->ignore_unknown, .actor = opts->actor,
		       .progress = opts->progress, .progress_ctx = opts->progress_ctx },
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
