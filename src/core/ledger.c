/*
 * ledger.c - facility, and the whitelisted record layer for locations,
 * systems, vendors and contracts (see ledger.h).
 */
#include "common.h"
#include "journal.h"
#include "ledger.h"
#include "norm.h"
#include "store.h"
#include "strbuf.h"

enum col_type {
	COL_TEXT,
	COL_BOOL,  /* 0 / 1 / null */
	COL_REF,   /* integer id of another record */
	COL_ENUM,  /* text among allowed values */
	COL_DATE,  /* YYYY-MM-DD */
};

struct column {
	const char *name;
	enum col_type type;
	const char *allowed; /* COL_ENUM: '|'-separated values */
	int required;
	const char *label;   /* Japanese label (CLI, exports) */
	int ref;             /* COL_REF: the table referred to */
};

struct table {
	const char *name;
	const char *label;
	const char *order_by;
	int per_facility;
	const struct column *cols; /* terminated by a NULL name */
};

static const struct column location_cols[] = {
	{ "name", COL_TEXT, NULL, 1, "名称", 0 },
	{ "note", COL_TEXT, NULL, 0, "備考", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static const struct column system_cols[] = {
	{ "name", COL_TEXT, NULL, 1, "システム名", 0 },
	{ "category", COL_TEXT, NULL, 0, "分類", 0 },
	{ "purpose", COL_TEXT, NULL, 0, "利用目的", 0 },
	{ "usage", COL_TEXT, NULL, 0, "利用内容", 0 },
	{ "scope", COL_TEXT, NULL, 0, "利用範囲", 0 },
	{ "department", COL_TEXT, NULL, 0, "設置部署", 0 },
	{ "manager", COL_TEXT, NULL, 0, "管理者", 0 },
	{ "confidentiality", COL_ENUM, "A|B|C", 0, "機密性", 0 },
	{ "integrity", COL_ENUM, "A|B", 0, "完全性", 0 },
	{ "availability", COL_ENUM, "A|B", 0, "可用性", 0 },
	{ "data_volume", COL_TEXT, NULL, 0, "保有データ量", 0 },
	{ "external_media", COL_TEXT, NULL, 0, "外部記録媒体", 0 },
	{ "backup", COL_TEXT, NULL, 0, "バックアップ", 0 },
	{ "os", COL_TEXT, NULL, 0, "OS", 0 },
	{ "install_location", COL_TEXT, NULL, 0, "設置場所", 0 },
	{ "configuration", COL_TEXT, NULL, 0, "システム構成", 0 },
	{ "network", COL_TEXT, NULL, 0, "ネットワーク接続", 0 },
	{ "internet", COL_BOOL, NULL, 0, "インターネット接続", 0 },
	{ "external_exchange", COL_TEXT, NULL, 0, "外部と情報交換の有無と相手先", 0 },
	{ "vendor_id", COL_REF, NULL, 0, "事業者", LEDGER_VENDOR },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static const struct column vendor_cols[] = {
	{ "name", COL_TEXT, NULL, 1, "事業者名", 0 },
	{ "contact", COL_TEXT, NULL, 0, "担当者", 0 },
	{ "phone", COL_TEXT, NULL, 0, "電話番号", 0 },
	{ "emergency_phone", COL_TEXT, NULL, 0, "緊急連絡先", 0 },
	{ "email", COL_TEXT, NULL, 0, "メールアドレス", 0 },
	{ "note", COL_TEXT, NULL, 0, "備考", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static const struct column contract_cols[] = {
	{ "vendor_id", COL_REF, NULL, 1, "事業者", LEDGER_VENDOR },
	{ "system_id", COL_REF, NULL, 0, "システム", LEDGER_SYSTEM },
	{ "title", COL_TEXT, NULL, 1, "契約名", 0 },
	{ "remote_maintenance", COL_BOOL, NULL, 0, "リモート保守", 0 },
	{ "hosting", COL_ENUM, "onprem|cloud|hybrid", 0, "提供形態", 0 },
	{ "data_location", COL_TEXT, NULL, 0, "データの保存場所", 0 },
	{ "japanese_law", COL_BOOL, NULL, 0, "国内法の適用", 0 },
	{ "demarcation", COL_TEXT, NULL, 0, "責任分界", 0 },
	{ "start_date", COL_DATE, NULL, 0, "開始日", 0 },
	{ "end_date", COL_DATE, NULL, 0, "終了日", 0 },
	{ "note", COL_TEXT, NULL, 0, "備考", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

/* Evidence documents (evidence.h looks for them by kind). */
static const struct column document_cols[] = {
	{ "kind", COL_ENUM, "mds|sds|contact_chart|bcp|rules|restore_test", 1, "種類", 0 },
	{ "title", COL_TEXT, NULL, 1, "名称", 0 },
	{ "vendor_id", COL_REF, NULL, 0, "事業者", LEDGER_VENDOR },
	{ "system_id", COL_REF, NULL, 0, "システム", LEDGER_SYSTEM },
	{ "issued_on", COL_DATE, NULL, 0, "作成日・実施日", 0 },
	{ "offline", COL_BOOL, NULL, 0, "オフライン世代から復元", 0 },
	{ "reference", COL_TEXT, NULL, 0, "保管場所・ファイル", 0 },
	{ "note", COL_TEXT, NULL, 0, "備考", 0 },
	{ NULL, 0, NULL, 0, NULL, 0 },
};

static const struct table tables[LEDGER_NTABLES] = {
	[LEDGER_LOCATION] = { "location", "設置場所", "name", 1, location_cols },
	[LEDGER_SYSTEM] = { "system", "システム", "name", 1, system_cols },
	[LEDGER_VENDOR] = { "vendor", "事業者", "name", 1, vendor_cols },
	[LEDGER_CONTRACT] = { "contract", "契約", "id", 0, contract_cols },
	[LEDGER_DOCUMENT] = { "document", "文書", "kind, issued_on DESC, id", 1, document_cols },
};

/* Tables with created_at/updated_at columns. */
static int has_timestamps(enum ledger_table t)
{
	return t == LEDGER_SYSTEM || t == LEDGER_CONTRACT || t == LEDGER_DOCUMENT;
}

const char *ledger_table_name(enum ledger_table t)
{
	return tables[t].name;
}

const char *ledger_table_label(enum ledger_table t)
{
	return tables[t].label;
}

int ledger_table_find(const char *name)
{
	for (int i = 0; i < LEDGER_NTABLES; i++)
		if (!strcmp(tables[i].name, name))
			return i;
	return -1;
}

void ledger_facility_release(struct ledger_facility *f)
{
	if (!f)
		return;
	free(f->name);
	free(f->type);
	free(f->created_at);
	memset(f, 0, sizeof(*f));
}

static const struct {
	const char *canonical;
	const char *label;
	const char *aliases[4];
} facility_types[] = {
	{ "hospital", "病院", { "病院", NULL } },
	{ "clinic", "診療所", { "診療所", "クリニック", "医院", NULL } },
	{ "pharmacy", "薬局", { "薬局", NULL } },
};

int ledger_facility_type_parse(const char *s, const char **canonical, struct mamori_err *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(facility_types); i++) {
		if (!strcasecmp(s, facility_types[i].canonical)) {
			*canonical = facility_types[i].canonical;
			return 0;
		}
		for (const char *const *a = facility_types[i].aliases; *a; a++)
			if (!strcmp(s, *a)) {
				*canonical = facility_types[i].canonical;
				return 0;
			}
	}
	return mamori_err_set(err, MAMORI_EINVAL,
			      "施設の種類「%s」は使えません (hospital / clinic / pharmacy のいずれか)", s);
}

const char *ledger_facility_type_label(const char *canonical)
{
	for (size_t i = 0; i < ARRAY_SIZE(facility_types); i++)
		if (!strcmp(canonical, facility_types[i].canonical))
			return facility_types[i].label;
	return canonical;
}

int ledger_facility_get(struct store *st, struct ledger_facility *f, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r;

	memset(f, 0, sizeof(*f));
	r = store_prepare(st, "SELECT id, name, type, created_at FROM facility ORDER BY id LIMIT 1",
			  &s, err);
	if (r < 0)
		return r;
	r = store_step(st, s, err);
	if (r == 1) {
		f->id = store_column_int(st, s, 0);
		f->name = xstrdup(store_column_text(st, s, 1));
		f->type = xstrdup(store_column_text(st, s, 2));
		f->created_at = xstrdup(store_column_text(st, s, 3));
		r = 0;
	} else if (r == 0) {
		r = mamori_err_set(err, MAMORI_ENOTFOUND,
				   "%s: 施設が登録されていません。先に「mamori init」を実行してください",
				   st->target);
	}
	store_finalize(st, s);
	return r;
}

int ledger_facility_create(struct store *st, const char *actor, const char *name,
			   const char *type, int64_t *id, struct mamori_err *err)
{
	struct ledger_facility existing;
	struct store_stmt *s = NULL;
	const char *canonical;
	char now[MAMORI_TIME_LEN], idbuf[32];
	json_t *after;
	int r;

	if (!name || !*name)
		return mamori_err_set(err, MAMORI_EINVAL, "施設名が空です");
	r = ledger_facility_type_parse(type, &canonical, err);
	if (r < 0)
		return r;
	r = ledger_facility_get(st, &existing, NULL);
	if (r == 0) {
		r = mamori_err_set(err, MAMORI_ECONFLICT,
				   "%s: 施設「%s」は既に登録されています", st->target, existing.name);
		ledger_facility_release(&existing);
		return r;
	}
	mamori_now(now);
	r = store_prepare(st, "INSERT INTO facility (name, type, created_at) VALUES (?, ?, ?) RETURNING id",
			  &s, err);
	if (r < 0)
		return r;
	store_bind_text(st, s, 1, name);
	store_bind_text(st, s, 2, canonical);
	store_bind_text(st, s, 3, now);
	r = store_step(st, s, err);
	if (r == 1)
		*id = store_column_int(st, s, 0);
	store_finalize(st, s);
	if (r < 0)
		return r;
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)*id);
	after = json_pack("{s:s, s:s}", "name", name, "type", canonical);
	r = journal_append(st, actor, "facility.create", "facility", idbuf, NULL, after, NULL, err);
	json_decref(after);
	return r;
}

static const struct column *find_col(const struct table *t, const char *name)
{
	for (const struct column *c = t->cols; c->name; c++)
		if (!strcmp(c->name, name))
			return c;
	return NULL;
}

static int enum_allows(const char *allowed, const char *v)
{
	size_t n = strlen(v);
	const char *p = allowed;

	while (*p) {
		const char *bar = strchr(p, '|');
		size_t len = bar ? (size_t)(bar - p) : strlen(p);
		if (len == n && !strncmp(p, v, n))
			return 1;
		if (!bar)
			break;
		p = bar + 1;
	}
	return 0;
}

/* Checks one value against its column; MAMORI_EINVAL naming the column. */
static int check_value(const struct table *t, const struct column *c, json_t *v,
		       struct mamori_err *err)
{
	if (json_is_null(v)) {
		if (c->required)
			return mamori_err_set(err, MAMORI_EINVAL, "%s: %s は必須です", t->label, c->name);
		return 0;
	}
	switch (c->type) {
	case COL_TEXT:
	case COL_DATE:
		if (!json_is_string(v))
			return mamori_err_set(err, MAMORI_EINVAL, "%s: %s は文字列で指定してください",
					      t->label, c->name);
		if (c->required && !*json_string_value(v))
			return mamori_err_set(err, MAMORI_EINVAL, "%s: %s は必須です", t->label, c->name);
		return 0;
	case COL_BOOL:
		if (json_is_boolean(v) ||
		    (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1)))
			return 0;
		return mamori_err_set(err, MAMORI_EINVAL, "%s: %s は 0 か 1 で指定してください",
				      t->label, c->name);
	case COL_REF:
		if (json_is_integer(v) && json_integer_value(v) > 0)
			return 0;
		return mamori_err_set(err, MAMORI_EINVAL, "%s: %s は番号で指定してください", t->label,
				      c->name);
	case COL_ENUM:
		if (json_is_string(v) && enum_allows(c->allowed, json_string_value(v)))
			return 0;
		return mamori_err_set(err, MAMORI_EINVAL, "%s: %s は %s のいずれかです", t->label,
				      c->name, c->allowed);
	}
	BUG("unknown column type");
}

static void bind_json(struct store *st, struct store_stmt *s, int idx, json_t *v)
{
	if (json_is_null(v))
		store_bind_null(st, s, idx);
	else if (json_is_boolean(v))
		store_bind_int(st, s, idx, json_is_true(v));
	else if (json_is_integer(v))
		store_bind_int(st, s, idx, json_integer_value(v));
	else
		store_bind_text(st, s, idx, json_string_value(v));
}

static int check_record(const struct table *t, json_t *rec, int insert, struct mamori_err *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(rec))
		return mamori_err_set(err, MAMORI_EINVAL, "%s: レコードがオブジェクトではありません",
				      t->label);
	json_object_foreach(rec, key, v) {
		const struct column *c = find_col(t, key);
		if (!c)
			return mamori_err_set(err, MAMORI_EINVAL, "%s: 不明な項目です: %s", t->label,
					      key);
		int r = check_value(t, c, v, err);
		if (r < 0)
			return r;
	}
	if (insert)
		for (const struct column *c = t->cols; c->name; c++)
			if (c->required && !json_object_get(rec, c->name))
				return mamori_err_set(err, MAMORI_EINVAL, "%s: %s は必須です",
						      t->label, c->name);
	return 0;
}

/* Every reference in rec names an existing record (else EINVAL naming it). */
static int check_refs(struct store *st, const struct table *t, json_t *rec,
		      struct mamori_err *err)
{
	for (const struct column *c = t->cols; c->name; c++) {
		json_t *v = json_object_get(rec, c->name), *target = NULL;
		if (c->type != COL_REF || !json_is_integer(v))
			continue;
		if (ledger_get(st, c->ref, json_integer_value(v), &target, NULL) < 0)
			return mamori_err_set(err, MAMORI_EINVAL, "%s: %s (%s) #%lld は登録されていません",
					      t->label, c->label, c->name,
					      (long long)json_integer_value(v));
		json_decref(target);
	}
	return 0;
}

int ledger_insert(struct store *st, const char *actor, enum ledger_table tid, json_t *rec,
		  int64_t *id_out, struct mamori_err *err)
{
	const struct table *t = &tables[tid];
	struct strbuf sql = STRBUF_INIT, vals = STRBUF_INIT;
	struct store_stmt *s = NULL;
	struct ledger_facility fac = { 0 };
	char now[MAMORI_TIME_LEN], idbuf[32];
	const char *key;
	json_t *v, *after = NULL;
	int64_t id = 0;
	int r, n = 1;

	r = check_record(t, rec, 1, err);
	if (r == 0)
		r = check_refs(st, t, rec, err);
	if (r < 0)
		return r;
	if (t->per_facility) {
		r = ledger_facility_get(st, &fac, err);
		if (r < 0)
			return r;
	}
	mamori_now(now);
	strbuf_addf(&sql, "INSERT INTO %s (", t->name);
	json_object_foreach(rec, key, v) {
		strbuf_addf(&sql, "%s%s", n > 1 ? ", " : "", find_col(t, key)->name);
		strbuf_addf(&vals, "%s?", n > 1 ? ", " : "");
		n++;
	}
	if (t->per_facility) {
		strbuf_addstr(&sql, ", facility_id");
		strbuf_addstr(&vals, ", ?");
	}
	if (has_timestamps(tid)) {
		strbuf_addstr(&sql, ", created_at, updated_at");
		strbuf_addstr(&vals, ", ?, ?");
	}
	strbuf_addf(&sql, ") VALUES (%s) RETURNING id", vals.buf);
	r = store_prepare(st, sql.buf, &s, err);
	if (r < 0)
		goto out;
	n = 1;
	json_object_foreach(rec, key, v)
		bind_json(st, s, n++, v);
	if (t->per_facility)
		store_bind_int(st, s, n++, fac.id);
	if (has_timestamps(tid)) {
		store_bind_text(st, s, n++, now);
		store_bind_text(st, s, n++, now);
	}
	r = store_step(st, s, err);
	if (r == 1) {
		id = store_column_int(st, s, 0);
		r = 0;
	} else if (r == MAMORI_ECONFLICT) {
		json_t *name = json_object_get(rec, "name");
		r = mamori_err_set(err, MAMORI_ECONFLICT, "%s「%s」は既に登録されています", t->label,
				   json_is_string(name) ? json_string_value(name) : "?");
	}
	if (r < 0)
		goto out;
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	r = ledger_get(st, tid, id, &after, err);
	if (r == 0) {
		char action[64];
		snprintf(action, sizeof(action), "%s.add", t->name);
		r = journal_append(st, actor, action, t->name, idbuf, NULL, after, NULL, err);
	}
out:
	json_decref(after);
	store_finalize(st, s);
	strbuf_release(&sql);
	strbuf_release(&vals);
	ledger_facility_release(&fac);
	if (r == 0 && id_out)
		*id_out = id;
	return r;
}

/* Reads the current row of s (SELECT *) into a JSON object. */
static json_t *row_json(struct store *st, struct store_stmt *s, const struct table *t)
{
	json_t *o = json_object();

	json_object_set_new(o, "id", json_integer(store_column_int(st, s, 0)));
	int col = 1;
	for (const struct column *c = t->cols; c->name; c++, col++) {
		if (store_column_is_null(st, s, col))
			json_object_set_new(o, c->name, json_null());
		else if (c->type == COL_BOOL || c->type == COL_REF)
			json_object_set_new(o, c->name, json_integer(store_column_int(st, s, col)));
		else
			json_object_set_new(o, c->name, json_string(store_column_text(st, s, col)));
	}
	return o;
}

static void select_columns(struct strbuf *sql, const struct table *t)
{
	strbuf_addstr(sql, "SELECT id");
	for (const struct column *c = t->cols; c->name; c++)
		strbuf_addf(sql, ", %s", c->name);
	strbuf_addf(sql, " FROM %s", t->name);
}

int ledger_get(struct store *st, enum ledger_table tid, int64_t id, json_t **out,
	       struct mamori_err *err)
{
	const struct table *t = &tables[tid];
	struct strbuf sql = STRBUF_INIT;
	struct store_stmt *s = NULL;
	int r;

	*out = NULL;
	select_columns(&sql, t);
	strbuf_addstr(&sql, " WHERE id = ?");
	r = store_prepare(st, sql.buf, &s, err);
	strbuf_release(&sql);
	if (r < 0)
		return r;
	store_bind_int(st, s, 1, id);
	r = store_step(st, s, err);
	if (r == 1) {
		*out = row_json(st, s, t);
		r = 0;
	} else if (r == 0) {
		r = mamori_err_set(err, MAMORI_ENOTFOUND, "%s #%lld はありません", t->label,
				   (long long)id);
	}
	store_finalize(st, s);
	return r;
}

int ledger_list(struct store *st, enum ledger_table tid, json_t **out, struct mamori_err *err)
{
	const struct table *t = &tables[tid];
	struct strbuf sql = STRBUF_INIT;
	struct store_stmt *s = NULL;
	int r;

	*out = json_array();
	select_columns(&sql, t);
	strbuf_addf(&sql, " ORDER BY %s, id", t->order_by);
	r = store_prepare(st, sql.buf, &s, err);
	strbuf_release(&sql);
	if (r < 0)
		return r;
	while ((r = store_step(st, s, err)) == 1)
		json_array_append_new(*out, row_json(st, s, t));
	store_finalize(st, s);
	if (r < 0) {
		json_decref(*out);
		*out = NULL;
		return r;
	}
	return 0;
}

int ledger_update(struct store *st, const char *actor, enum ledger_table tid, int64_t id,
		  json_t *changes, struct mamori_err *err)
{
	const struct table *t = &tables[tid];
	struct strbuf sql = STRBUF_INIT;
	struct store_stmt *s = NULL;
	json_t *before = NULL, *after = NULL, *v;
	const char *key;
	char idbuf[32], action[64], now[MAMORI_TIME_LEN];
	int r, n = 1;

	r = check_record(t, changes, 0, err);
	if (r == 0)
		r = check_refs(st, t, changes, err);
	if (r < 0)
		return r;
	r = ledger_get(st, tid, id, &before, err);
	if (r < 0)
		return r;
	if (json_object_size(changes) == 0)
		goto out;
	mamori_now(now);
	strbuf_addf(&sql, "UPDATE %s SET ", t->name);
	json_object_foreach(changes, key, v)
		strbuf_addf(&sql, "%s%s = ?", n++ > 1 ? ", " : "", find_col(t, key)->name);
	if (has_timestamps(tid))
		strbuf_addstr(&sql, ", updated_at = ?");
	strbuf_addstr(&sql, " WHERE id = ?");
	r = store_prepare(st, sql.buf, &s, err);
	if (r < 0)
		goto out;
	n = 1;
	json_object_foreach(changes, key, v)
		bind_json(st, s, n++, v);
	if (has_timestamps(tid))
		store_bind_text(st, s, n++, now);
	store_bind_int(st, s, n, id);
	r = store_step(st, s, err);
	if (r < 0)
		goto out;
	r = ledger_get(st, tid, id, &after, err);
	if (r < 0)
		goto out;
	if (json_equal(before, after))
		goto out;
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	snprintf(action, sizeof(action), "%s.edit", t->name);
	r = journal_append(st, actor, action, t->name, idbuf, before, after, NULL, err);
out:
	json_decref(before);
	json_decref(after);
	store_finalize(st, s);
	strbuf_release(&sql);
	return r;
}

int ledger_ref_resolve(struct store *st, const char *actor, enum ledger_table tid,
		       const char *name, int create, int64_t *id, int *created,
		       struct mamori_err *err)
{
	const struct table *t = &tables[tid];
	struct strbuf sql = STRBUF_INIT;
	struct store_stmt *s = NULL;
	int r;

	if (!t->per_facility)
		BUG("ledger_ref_resolve on %s", t->name);
	*id = 0;
	if (created)
		*created = 0;
	strbuf_addf(&sql, "SELECT id FROM %s WHERE name = ? AND facility_id = "
			  "(SELECT MIN(id) FROM facility)", t->name);
	r = store_prepare(st, sql.buf, &s, err);
	strbuf_release(&sql);
	if (r < 0)
		return r;
	store_bind_text(st, s, 1, name);
	r = store_step(st, s, err);
	if (r == 1)
		*id = store_column_int(st, s, 0);
	store_finalize(st, s);
	if (r < 0 || *id)
		return r < 0 ? r : 0;
	if (!create)
		return mamori_err_set(err, MAMORI_ENOTFOUND, "%s「%s」は登録されていません", t->label,
				      name);
	json_t *rec = json_pack("{s:s}", "name", name);
	r = ledger_insert(st, actor, tid, rec, id, err);
	json_decref(rec);
	if (r == 0 && created)
		*created = 1;
	return r;
}

/* ---- columns and text values (CLI and UI) ----------------------------- */

size_t ledger_column_count(enum ledger_table tid)
{
	size_t n = 0;
	while (tables[tid].cols[n].name)
		n++;
	return n;
}

void ledger_column_get(enum ledger_table tid, size_t i, struct ledger_column_info *out)
{
	const struct column *c = &tables[tid].cols[i];

	out->name = c->name;
	out->label = c->label;
	out->required = c->required;
	out->is_bool = c->type == COL_BOOL;
	out->ref = c->type == COL_REF ? c->ref : -1;
	out->allowed = c->allowed;
}

/* Column by name, label, or a reference's name without "_id". */
static const struct column *find_col_text(const struct table *t, const char *name)
{
	for (const struct column *c = t->cols; c->name; c++) {
		size_t n = strlen(c->name);
		if (!strcmp(c->name, name) || !strcmp(c->label, name))
			return c;
		if (c->type == COL_REF && n > 3 && strlen(name) == n - 3 &&
		    !strncmp(c->name, name, n - 3))
			return c;
	}
	return NULL;
}

/* Words people write for enumerated values; the first is the label. */
static const struct {
	const char *column;
	const char *value;
	const char *words[4];
} enum_words[] = {
	{ "hosting", "onprem", { "オンプレミス", "院内", "オンプレ", NULL } },
	{ "hosting", "cloud", { "クラウド", NULL } },
	{ "hosting", "hybrid", { "ハイブリッド", NULL } },
	{ "kind", "mds", { "MDS", "製造業者による医療情報セキュリティ開示書", NULL } },
	{ "kind", "sds", { "SDS", "サービス事業者による医療情報セキュリティ開示書", NULL } },
	{ "kind", "contact_chart", { "連絡体制図", "緊急連絡網", NULL } },
	{ "kind", "bcp", { "BCP", "事業継続計画", "IT-BCP", NULL } },
	{ "kind", "rules", { "運用管理規程", "運用管理規程等", "院内規程", NULL } },
	{ "kind", "restore_test", { "復元テスト", "リストア訓練", "復旧テスト", NULL } },
};

int ledger_find(struct store *st, enum ledger_table tid, const char *key, int64_t *id,
		struct mamori_err *err)
{
	const struct table *t = &tables[tid];
	struct strbuf sql = STRBUF_INIT;
	char *k = norm_text(key);
	int r;

	*id = 0;
	if (k[0] == '#') {
		char *end;
		long long v = strtoll(k + 1, &end, 10);
		json_t *rec = NULL;
		if (*end || v <= 0) {
			r = mamori_err_set(err, MAMORI_EUSAGE, "番号「%s」が正しくありません", k);
		} else {
			r = ledger_get(st, tid, v, &rec, err);
			json_decref(rec);
			if (r == 0)
				*id = v;
		}
		free(k);
		return r;
	}
	strbuf_addf(&sql, "SELECT id FROM %s WHERE %s = ? ORDER BY id LIMIT 2", t->name,
		    tid == LEDGER_CONTRACT || tid == LEDGER_DOCUMENT ? "title" : "name");
	r = store_query_int(st, id, err, sql.buf, k, NULL);
	strbuf_release(&sql);
	if (r == 0 && !*id)
		r = mamori_err_set(err, MAMORI_ENOTFOUND, "%s「%s」は登録されていません", t->label, k);
	free(k);
	return r;
}

int ledger_set_text(struct store *st, enum ledger_table tid, json_t *rec, const char *column,
		    const char *value, struct mamori_err *err)
{
	const struct table *t = &tables[tid];
	const struct column *c = find_col_text(t, column);
	char buf[NORM_DATE_LEN];
	char *v;
	int b, r = 0;

	if (!c)
		return mamori_err_set(err, MAMORI_EINVAL, "%s に「%s」という項目はありません", t->label,
				      column);
	v = norm_text(value);
	if (!*v) {
		json_object_set_new(rec, c->name, json_null());
		goto out;
	}
	switch (c->type) {
	case COL_TEXT:
		json_object_set_new(rec, c->name, json_string(v));
		break;
	case COL_DATE:
		r = norm_date(v, buf, err);
		if (r == 0)
			json_object_set_new(rec, c->name, json_string(buf));
		break;
	case COL_BOOL:
		r = norm_bool(v, &b, err);
		if (r == 0)
			json_object_set_new(rec, c->name, b < 0 ? json_null() : json_integer(b));
		break;
	case COL_ENUM: {
		const char *canon = NULL;
		for (char *p = v; *p; p++)
			if (*p >= 'a' && *p <= 'z' && strlen(v) == 1)
				*p = (char)(*p - 'a' + 'A');
		if (enum_allows(c->allowed, v))
			canon = v;
		for (size_t i = 0; !canon && i < ARRAY_SIZE(enum_words); i++)
			for (const char *const *w = enum_words[i].words;
			     *w && !strcmp(c->name, enum_words[i].column); w++)
				if (!strcmp(v, *w))
					canon = enum_words[i].value;
		if (!canon)
			r = mamori_err_set(err, MAMORI_EINVAL, "「%s」は使えません (%s)", v, c->allowed);
		else
			json_object_set_new(rec, c->name, json_string(canon));
		break;
	}
	case COL_REF: {
		int64_t id = 0;
		r = ledger_find(st, c->ref, v, &id, err);
		if (r == 0)
			json_object_set_new(rec, c->name, json_integer(id));
		break;
	}
	}
out:
	if (r < 0)
		mamori_err_prefix(err, "%s", c->label);
	free(v);
	return r;
}

const char *ledger_value_label(const char *column, const char *value)
{
	for (size_t i = 0; i < ARRAY_SIZE(enum_words); i++)
		if (!strcmp(column, enum_words[i].column) && !strcmp(value, enum_words[i].value))
			return enum_words[i].words[0];
	return value;
}

const char *ledger_record_name(json_t *rec)
{
	json_t *v = json_object_get(rec, "name");
	if (!json_is_string(v))
		v = json_object_get(rec, "title");
	return json_is_string(v) ? json_string_value(v) : "";
}
