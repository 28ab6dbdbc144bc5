/*
 * drill.c - drills (see drill.h).
 */
#include "common.h"
#include "drill.h"
#include "norm.h"
#include "record.h"
#include "store.h"

#define DRILL_TEXT_MAX 20000

static const char *const cols[] = { "title", "planned_on", "done_on", "scenario", "participants",
				    "findings", "bcp_changes", "incident_id" };

#define SELECT "SELECT d.id, d.title, d.planned_on, d.done_on, d.scenario, d.participants, " \
	       "d.findings, d.bcp_changes, d.incident_id, i.title, d.created_at, d.updated_at " \
	       "FROM drill d LEFT JOIN incident i ON i.id = d.incident_id"

static json_t *row(struct store *st, struct store_stmt *s)
{
	static const char *const names[] = { "id", "title", "planned_on", "done_on", "scenario",
					     "participants", "findings", "bcp_changes", "incident_id",
					     "incident_title", "created_at", "updated_at" };
	json_t *o = json_object();
	for (int i = 0; i < (int)ARRAY_SIZE(names); i++) {
		json_t *v = store_column_is_null(st, s, i) ? json_null()
			    : (i == 0 || i == 8)	     ? json_integer(store_column_int(st, s, i))
							     : json_string(store_column_text(st, s, i));
		json_object_set_new(o, names[i], v);
	}
	json_object_set_new(o, "status", json_string(json_is_null(json_object_get(o, "done_on")) ? "planned" : "done"));
	return o;
}

int drill_get(struct store *st, int64_t id, json_t **out, struct mamori_err *err)
{
	return record_get(st, SELECT " WHERE d.id = ?", id, row, "訓練", out, err);
}

int drill_find(struct store *st, const char *key, int64_t *id, struct mamori_err *err)
{
	char *end;
	long long v;
	json_t *o = NULL;
	int r;

	*id = 0;
	if (!key || !*key)
		return mamori_err_set(err, MAMORI_EINVAL, "訓練の番号を指定してください");
	v = strtoll(key[0] == '#' ? key + 1 : key, &end, 10);
	if (*end || v <= 0)
		return mamori_err_set(err, MAMORI_EINVAL, "訓練の番号「%s」が正しくありません", key);
	r = drill_get(st, v, &o, err);
	json_decref(o);
	if (r == 0)
		*id = v;
	return r;
}

static int to_cols(struct store *st, json_t *rec, json_t **out, struct mamori_err *err)
{
	json_t *c = json_object(), *v;
	const char *k;
	int r = 0;

	*out = NULL;
	json_object_foreach(rec, k, v) {
		const char *sv = json_string_value(v);
		if (!json_is_null(v) && !json_is_string(v) && !json_is_integer(v)) {
			r = mamori_err_set(err, MAMORI_EINVAL, "%s: 文字列で指定してください", k);
			break;
		}
		if (sv && !*sv)
			sv = NULL;
		if (sv && strlen(sv) > DRILL_TEXT_MAX) {
			r = mamori_err_set(err, MAMORI_EINVAL, "%s: 長すぎます", k);
			break;
		}
		if (!strcmp(k, "planned_on") || !strcmp(k, "done_on")) {
			char d[NORM_DATE_LEN];
			if (sv && (r = norm_date(sv, d, err)) < 0) {
				mamori_err_prefix(err, "%s", k);
				break;
			}
			json_object_set_new(c, k, sv ? json_string(d) : json_null());
		} else if (!strcmp(k, "incident") || !strcmp(k, "incident_id")) {
			long long n = 0;
			char *end = NULL;
			int64_t found = 0;
			if (json_is_integer(v))
				n = json_integer_value(v);
			else if (sv)
				n = strtoll(sv[0] == '#' ? sv + 1 : sv, &end, 10);
			if ((end && *end) || n < 0) {
				r = mamori_err_set(err, MAMORI_EINVAL, "incident: インシデントの番号です");
				break;
			}
			if (n) {
				char num[32];
				snprintf(num, sizeof(num), "%lld", n);
				if ((r = store_query_int(st, &found, err, "SELECT COUNT(*) FROM incident WHERE id = ?",
							 num, NULL)) < 0)
					break;
				if (!found) {
					r = mamori_err_set(err, MAMORI_ENOTFOUND, "incident: インシデント #%lld はありません", n);
					break;
				}
			}
			json_object_set_new(c, "incident_id", n ? json_integer(n) : json_null());
		} else {
			int known = 0;
			for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
				known |= !strcmp(cols[i], k) && strcmp(k, "incident_id");
			if (!known || json_is_integer(v)) {
				r = mamori_err_set(err, MAMORI_EINVAL,
						   "「%s」という項目はありません (title, planned_on, done_on, scenario, "
						   "participants, findings, bcp_changes, incident)",
						   k);
				break;
			}
			json_object_set_new(c, k, sv ? json_string(sv) : json_null());
		}
	}
	if (r < 0) {
		json_decref(c);
		return r;
	}
	*out = c;
	return 0;
}

int drill_add(struct store *st, const char *actor, json_t *rec, int64_t *id,
	      struct mamori_err *err)
{
	json_t *c = NULL, *after = NULL;
	int r;

	*id = 0;
	r = to_cols(st, rec, &c, err);
	if (r == 0 && !json_string_value(json_object_get(c, "title")))
		r = mamori_err_set(err, MAMORI_EINVAL, "title: 訓練の名称を入力してください");
	if (r == 0)
		r = record_insert(st, "drill", c, id, err);
	if (r == 0)
		r = drill_get(st, *id, &after, err);
	if (r == 0)
		r = record_journal(st, actor, "drill.add", "drill", *id, NULL, after, err);
	json_decref(c);
	json_decref(after);
	return r;
}

int drill_edit(struct store *st, const char *actor, int64_t id, json_t *changes,
	       struct mamori_err *err)
{
	json_t *c = NULL, *before = NULL, *after = NULL;
	int r;

	r = drill_get(st, id, &before, err);
	if (r == 0)
		r = to_cols(st, changes, &c, err);
	if (r == 0 && json_object_get(c, "title") && !json_string_value(json_object_get(c, "title")))
		r = mamori_err_set(err, MAMORI_EINVAL, "title: 訓練の名称は空にできません");
	if (r < 0 || !json_object_size(c))
		goto out;
	r = record_update(st, "drill", id, c, err);
	if (r == 0)
		r = drill_get(st, id, &after, err);
	if (r == 0)
		r = record_journal(st, actor, "drill.edit", "drill", id, before, after, err);
out:
	json_decref(c);
	json_decref(before);
	json_decref(after);
	return r;
}

int drill_list(struct store *st, json_t **out, struct mamori_err *err)
{
	return record_list(st, SELECT " ORDER BY coalesce(d.done_on, d.planned_on) DESC, d.id DESC", row,
			   out, err);
}
