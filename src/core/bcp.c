/*
 * bcp.c - systems' priorities, backup plans, the BCP PDF and the paper kit
 * (see bcp.h).
 */
#include "common.h"
#include "bcp.h"
#include "contact.h"
#include "drill.h"
#include "emergency.h"
#include "incident.h"
#include "ledger.h"
#include "record.h"
#include "report.h"
#include "store.h"
#include "triage.h"

#define BCP_TEXT_MAX 4000

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

const char *bcp_media_label(const char *m)
{
	if (!m)
		return "";
	if (!strcmp(m, "rewritable"))
		return "追記可能";
	if (!strcmp(m, "worm"))
		return "追記不能";
	if (!strcmp(m, "offline"))
		return "オフライン (切り離し)";
	return m;
}

static const char *media_parse(const char *s)
{
	if (!s)
		return NULL;
	if (!strcmp(s, "rewritable") || !strcmp(s, "追記可能"))
		return "rewritable";
	if (!strcmp(s, "worm") || !strcmp(s, "追記不能") || !strcmp(s, "immutable"))
		return "worm";
	if (!strcmp(s, "offline") || !strcmp(s, "オフライン") || !strcmp(s, "切り離し"))
		return "offline";
	return NULL;
}

/* A text value of rec[k] into *out (NULL for null/absent/blank); EINVAL when too long. */
static int text_of(json_t *v, const char *k, const char **out, struct mamori_err *err)
{
	*out = json_string_value(v);
	if (v && !json_is_null(v) && !json_is_string(v))
		return mamori_err_set(err, MAMORI_EINVAL, "%s: 文字列で指定してください", k);
	if (*out && !**out)
		*out = NULL;
	if (*out && strlen(*out) > BCP_TEXT_MAX)
		return mamori_err_set(err, MAMORI_EINVAL, "%s: 長すぎます (%d バイトまで)", k, BCP_TEXT_MAX);
	return 0;
}

static int int_of(json_t *v, const char *k, long long lo, long long hi, int *isnull, long long *out,
		  struct mamori_err *err)
{
	const char *s = json_string_value(v);
	char *end;

	*isnull = !v || json_is_null(v) || (s && !*s);
	if (*isnull)
		return 0;
	if (json_is_integer(v))
		*out = json_integer_value(v);
	else if (s && (*out = strtoll(s, &end, 10), !*end))
		;
	else
		return mamori_err_set(err, MAMORI_EINVAL, "%s: %lld から %lld の数です", k, lo, hi);
	if (*out < lo || *out > hi)
		return mamori_err_set(err, MAMORI_EINVAL, "%s: %lld から %lld の数です", k, lo, hi);
	return 0;
}

/* ---- systems ------------------------------------------------------------- */

static int system_bcp_json(struct store *st, int64_t sid, json_t **out, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r = store_prepare(st, "SELECT priority, tolerable_downtime, fallback FROM system_bcp WHERE system_id = ?",
			      &s, err);

	*out = NULL;
	if (r < 0)
		return r;
	store_bind_int(st, s, 1, sid);
	r = store_step(st, s, err);
	if (r == 1)
		*out = json_pack("{s:o, s:s?, s:s?}", "priority",
				 store_column_is_null(st, s, 0) ? json_null() : json_integer(store_column_int(st, s, 0)),
				 "tolerable_downtime", store_column_text(st, s, 1), "fallback",
				 store_column_text(st, s, 2));
	store_finalize(st, s);
	return r < 0 ? r : 0;
}

int bcp_system_set(struct store *st, const char *actor, const char *system, json_t *rec,
		   struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	json_t *before = NULL, *after = NULL, *v;
	const char *k, *downtime = NULL, *fallback = NULL;
	long long prio = 0;
	int prio_null = 1, has_p = 0, has_d = 0, has_f = 0, r;
	int64_t sid = 0;
	char now[MAMORI_TIME_LEN];

	r = ledger_find(st, LEDGER_SYSTEM, system, &sid, err);
	if (r < 0)
		return r;
	json_object_foreach(rec, k, v) {
		if (!strcmp(k, "priority") || !strcmp(k, "優先度")) {
			has_p = 1;
			r = int_of(v, "priority", 1, 9, &prio_null, &prio, err);
		} else if (!strcmp(k, "tolerable_downtime") || !strcmp(k, "downtime") || !strcmp(k, "許容停止時間")) {
			has_d = 1;
			r = text_of(v, "tolerable_downtime", &downtime, err);
		} else if (!strcmp(k, "fallback") || !strcmp(k, "代替手段")) {
			has_f = 1;
			r = text_of(v, "fallback", &fallback, err);
		} else {
			r = mamori_err_set(err, MAMORI_EINVAL,
					   "「%s」という項目はありません (priority, tolerable_downtime, fallback)", k);
		}
		if (r < 0)
			return r;
	}
	r = system_bcp_json(st, sid, &before, err);
	if (r < 0)
		return r;
	mamori_now(now);
	r = store_prepare(st,
			  "INSERT INTO system_bcp (system_id, priority, tolerable_downtime, fallback, updated_at) "
			  "VALUES (?, ?, ?, ?, ?) ON CONFLICT (system_id) DO UPDATE SET "
			  "priority = CASE WHEN ? THEN excluded.priority ELSE system_bcp.priority END, "
			  "tolerable_downtime = CASE WHEN ? THEN excluded.tolerable_downtime ELSE system_bcp.tolerable_downtime END, "
			  "fallback = CASE WHEN ? THEN excluded.fallback ELSE system_bcp.fallback END, "
			  "updated_at = excluded.updated_at",
			  &s, err);
	if (r == 0) {
		store_bind_int(st, s, 1, sid);
		if (prio_null)
			store_bind_null(st, s, 2);
		else
			store_bind_int(st, s, 2, prio);
		store_bind_text(st, s, 3, downtime);
		store_bind_text(st, s, 4, fallback);
		store_bind_text(st, s, 5, now);
		store_bind_int(st, s, 6, has_p);
		store_bind_int(st, s, 7, has_d);
		store_bind_int(st, s, 8, has_f);
		r = store_step(st, s, err);
	}
	store_finalize(st, s);
	if (r >= 0)
		r = system_bcp_json(st, sid, &after, err);
	if (r == 0)
		r = record_journal(st, actor, "bcp.system", "system_bcp", sid, before, after, err);
	json_decref(before);
	json_decref(after);
	return r;
}

static json_t *system_row(struct store *st, struct store_stmt *s)
{
	return json_pack("{s:I, s:s, s:s?, s:s?, s:o, s:s?, s:s?, s:I, s:s?}", "id",
			 (json_int_t)store_column_int(st, s, 0), "name", store_column_text(st, s, 1),
			 "category", store_column_text(st, s, 2), "availability",
			 store_column_text(st, s, 3), "priority",
			 store_column_is_null(st, s, 4) ? json_null() : json_integer(store_column_int(st, s, 4)),
			 "tolerable_downtime", store_column_text(st, s, 5), "fallback",
			 store_column_text(st, s, 6), "backups", (json_int_t)store_column_int(st, s, 7),
			 "backup_note", store_column_text(st, s, 8));
}

int bcp_systems(struct store *st, json_t **out, struct mamori_err *err)
{
	return record_list(st,
			   "SELECT sy.id, sy.name, sy.category, sy.availability, b.priority, "
			   "b.tolerable_downtime, b.fallback, "
			   "(SELECT COUNT(*) FROM backup_plan p WHERE p.system_id = sy.id), sy.backup "
			   "FROM system sy LEFT JOIN system_bcp b ON b.system_id = sy.id "
			   "ORDER BY b.priority IS NULL, b.priority, sy.name",
			   system_row, out, err);
}

/* ---- backup plans ---------------------------------------------------------- */

static const char *const plan_text_cols[] = { "target", "frequency", "method", "location",
					      "restore_procedure", "note" };

#define PLAN_SELECT                                                                                  \
	"SELECT p.id, p.system_id, sy.name, p.target, p.frequency, p.method, p.media, p.generations, " \
	"p.location, p.restore_procedure, p.note FROM backup_plan p JOIN system sy ON sy.id = p.system_id " \
	"LEFT JOIN system_bcp b ON b.system_id = p.system_id"

static json_t *plan_row(struct store *st, struct store_stmt *s)
{
	return json_pack("{s:I, s:I, s:s, s:s?, s:s?, s:s?, s:s, s:s, s:o, s:s?, s:s?, s:s?}", "id",
			 (json_int_t)store_column_int(st, s, 0), "system_id",
			 (json_int_t)store_column_int(st, s, 1), "system", store_column_text(st, s, 2),
			 "target", store_column_text(st, s, 3), "frequency", store_column_text(st, s, 4),
			 "method", store_column_text(st, s, 5), "media", store_column_text(st, s, 6),
			 "media_label", bcp_media_label(store_column_text(st, s, 6)), "generations",
			 store_column_is_null(st, s, 7) ? json_null() : json_integer(store_column_int(st, s, 7)),
			 "location", store_column_text(st, s, 8), "restore_procedure",
			 store_column_text(st, s, 9), "note", store_column_text(st, s, 10));
}

static int plan_get(struct store *st, int64_t id, json_t **out, struct mamori_err *err)
{
	return record_get(st, PLAN_SELECT " WHERE p.id = ?", id, plan_row, "バックアップ計画", out, err);
}

/* rec → column values (same rules as contact.c's). */
static int plan_cols(struct store *st, json_t *rec, json_t **out, struct mamori_err *err)
{
	json_t *c = json_object(), *v;
	const char *k;
	int r = 0;

	*out = NULL;
	json_object_foreach(rec, k, v) {
		const char *sv = NULL;
		int known = 0;
		for (size_t i = 0; i < ARRAY_SIZE(plan_text_cols); i++)
			if (!strcmp(k, plan_text_cols[i])) {
				known = 1;
				if ((r = text_of(v, k, &sv, err)) == 0)
					json_object_set_new(c, k, sv ? json_string(sv) : json_null());
			}
		if (known) {
			if (r < 0)
				break;
			continue;
		}
		if (!strcmp(k, "system") || !strcmp(k, "system_id")) {
			int64_t sid = 0;
			char key[32];
			if (json_is_integer(v)) {
				snprintf(key, sizeof(key), "#%lld", (long long)json_integer_value(v));
				sv = key;
			} else if ((r = text_of(v, k, &sv, err)) < 0)
				break;
			if (!sv) {
				r = mamori_err_set(err, MAMORI_EINVAL, "system: システムを指定してください");
				break;
			}
			if ((r = ledger_find(st, LEDGER_SYSTEM, sv, &sid, err)) < 0) {
				mamori_err_prefix(err, "system");
				break;
			}
			json_object_set_new(c, "system_id", json_integer(sid));
		} else if (!strcmp(k, "media")) {
			const char *m;
			if ((r = text_of(v, k, &sv, err)) < 0)
				break;
			if (!(m = media_parse(sv))) {
				r = mamori_err_set(err, MAMORI_EINVAL,
						   "media: rewritable (追記可能)・worm (追記不能)・offline (オフライン) のどれかです");
				break;
			}
			json_object_set_new(c, "media", json_string(m));
		} else if (!strcmp(k, "generations")) {
			long long n = 0;
			int isnull;
			if ((r = int_of(v, k, 0, 10000, &isnull, &n, err)) < 0)
				break;
			json_object_set_new(c, k, isnull ? json_null() : json_integer(n));
		} else {
			r = mamori_err_set(err, MAMORI_EINVAL,
					   "「%s」という項目はありません (system, target, frequency, method, media, "
					   "generations, location, restore_procedure, note)",
					   k);
			break;
		}
	}
	if (r < 0) {
		json_decref(c);
		return r;
	}
	*out = c;
	return 0;
}

int bcp_backup_add(struct store *st, const char *actor, json_t *rec, int64_t *id,
		   struct mamori_err *err)
{
	json_t *c = NULL, *after = NULL;
	int r;

	*id = 0;
	r = plan_cols(st, rec, &c, err);
	if (r == 0 && !json_object_get(c, "system_id"))
		r = mamori_err_set(err, MAMORI_EINVAL, "system: システムを指定してください");
	if (r == 0 && !jstr(c, "frequency"))
		r = mamori_err_set(err, MAMORI_EINVAL, "frequency: 頻度 (日次、週次 …) を入力してください");
	if (r == 0 && !jstr(c, "media"))
		r = mamori_err_set(err, MAMORI_EINVAL, "media: 媒体の種類 (rewritable・worm・offline) を指定してください");
	if (r == 0)
		r = record_insert(st, "backup_plan", c, id, err);
	if (r == 0)
		r = plan_get(st, *id, &after, err);
	if (r == 0)
		r = record_journal(st, actor, "bcp.backup.add", "backup_plan", *id, NULL, after, err);
	json_decref(c);
	json_decref(after);
	return r;
}

int bcp_backup_edit(struct store *st, const char *actor, int64_t id, json_t *changes,
		    struct mamori_err *err)
{
	json_t *c = NULL, *before = NULL, *after = NULL;
	int r;

	r = plan_get(st, id, &before, err);
	if (r == 0)
		r = plan_cols(st, changes, &c, err);
	if (r == 0 && ((json_object_get(c, "frequency") && !jstr(c, "frequency")) ||
		       (json_object_get(c, "media") && !jstr(c, "media"))))
		r = mamori_err_set(err, MAMORI_EINVAL, "frequency と media は空にできません");
	if (r < 0 || !json_object_size(c))
		goto out;
	r = record_update(st, "backup_plan", id, c, err);
	if (r == 0)
		r = plan_get(st, id, &after, err);
	if (r == 0)
		r = record_journal(st, actor, "bcp.backup.edit", "backup_plan", id, before, after, err);
out:
	json_decref(c);
	json_decref(before);
	json_decref(after);
	return r;
}

int bcp_backup_remove(struct store *st, const char *actor, int64_t id, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	json_t *before = NULL;
	int r = plan_get(st, id, &before, err);

	if (r == 0)
		r = store_prepare(st, "DELETE FROM backup_plan WHERE id = ?", &s, err);
	if (r == 0) {
		store_bind_int(st, s, 1, id);
		r = store_step(st, s, err);
	}
	store_finalize(st, s);
	if (r >= 0)
		r = record_journal(st, actor, "bcp.backup.remove", "backup_plan", id, before, NULL, err);
	json_decref(before);
	return r;
}

int bcp_backups(struct store *st, json_t **out, struct mamori_err *err)
{
	return record_list(st, PLAN_SELECT " ORDER BY b.priority IS NULL, b.priority, sy.name, p.id", plan_row,
			   out, err);
}

/* ---- the BCP document --------------------------------------------------------- */

/* A table from a JSON array: for each row the keys in keys (NULL key: the running number). */
static void json_table(struct report *rp, json_t *rows, size_t ncols, const char *const *head,
		       const double *w, const char *const *keys)
{
	size_t n = json_array_size(rows), i;
	const char **cells = xcalloc(n * ncols + 1, sizeof(*cells));
	char **owned = xcalloc(n * ncols + 1, sizeof(*owned));
	json_t *row;

	json_array_foreach(rows, i, row) {
		for (size_t c = 0; c < ncols; c++) {
			json_t *v = json_object_get(row, keys[c]);
			if (json_is_integer(v))
				cells[i * ncols + c] = owned[i * ncols + c] =
					xasprintf("%lld", (long long)json_integer_value(v));
			else
				cells[i * ncols + c] = json_string_value(v);
		}
	}
	report_table(rp, ncols, head, w, n, cells);
	for (i = 0; i < n * ncols; i++)
		free(owned[i]);
	free(owned);
	free(cells);
}

static void triage_section(struct report *rp)
{
	json_t *cat = triage_catalog_json(), *c;
	size_t i, j;

	report_heading(rp, 2, "2. 非常時の切り分け (最低限の切り分け項目)");
	{
		const char *head[] = { "分類", "確認すべき事項", "対応すべき事項" };
		const double w[] = { 30, 60, 90 };
		const char *cells[TRIAGE_NCATEGORIES * 3];
		for (int k = 0; k < TRIAGE_NCATEGORIES; k++) {
			cells[k * 3] = triage_category_label(k);
			cells[k * 3 + 1] = triage_confirm_text(k);
			cells[k * 3 + 2] = triage_respond_text(k);
		}
		report_table(rp, 3, head, w, TRIAGE_NCATEGORIES, cells);
	}
	report_heading(rp, 3, "全体の流れ (レベル L1〜L5)");
	{
		const char *head[] = { "障害の範囲", "レベルと対応" };
		const double w[] = { 80, 100 };
		const char *cells[10];
		for (size_t k = 0; k < triage_scope_count() && k < 5; k++) {
			cells[k * 2] = triage_scope_get(k)->label;
			cells[k * 2 + 1] = triage_scope_get(k)->flow;
		}
		report_table(rp, 2, head, w, triage_scope_count(), cells);
	}
	report_paragraph(rp, "サイバー攻撃が疑われる場合: サイバー攻撃の有無を確認し、拡散がない場合は個別対応、"
			     "拡散が疑われる場合は L4 重大対応手順で対応、障害に発展した場合は L5 重大対応手順で対応。"
			     "災害等で病院被害が軽微でも継続不能の場合は、緊急用 PC とバックアップセンター運用に切り替える。",
			 0);
	report_heading(rp, 3, "アクションカード");
	json_array_foreach(json_object_get(cat, "categories"), i, c) {
		json_t *rules = json_object_get(c, "rules"), *ru;
		size_t n = json_array_size(rules);
		const char **cells = xcalloc(n * 3 + 1, sizeof(*cells));
		char **when = xcalloc(n + 1, sizeof(*when));
		const char *head[] = { "対応", "いつ", "内容" };
		const double w[] = { 45, 35, 100 };
		char *h = xasprintf("%s", jstr(c, "label"));
		report_paragraph(rp, h, 0);
		free(h);
		json_array_foreach(rules, j, ru) {
			const struct triage_action *ta = triage_action_find(jstr(ru, "action"));
			int ml = (int)json_integer_value(json_object_get(ru, "min_level"));
			const char *wh = jstr(ru, "when");
			when[j] = ml <= 1 ? xstrdup("常に") : wh ? xasprintf("L%d 以上、または「%s」", ml, triage_check_label(wh) ? triage_check_label(wh) : wh) : xasprintf("L%d 以上", ml);
			cells[j * 3] = ta->title;
			cells[j * 3 + 1] = when[j];
			cells[j * 3 + 2] = ta->detail;
		}
		report_table(rp, 3, head, w, n, cells);
		for (j = 0; j < n; j++)
			free(when[j]);
		free(when);
		free(cells);
	}
	json_decref(cat);
}

int bcp_export_pdf(struct store *st, const char *path, struct mamori_err *err)
{
	struct ledger_facility fac = { 0 };
	struct report *rp = NULL;
	json_t *systems = NULL, *backups = NULL, *chart = NULL, *contacts = NULL, *accounts = NULL,
	       *templates = NULL, *drills = NULL, *v;
	char today[11], *line = NULL;
	size_t i;
	int r;

	r = ledger_facility_get(st, &fac, err);
	if (r == 0)
		r = bcp_systems(st, &systems, err);
	if (r == 0)
		r = bcp_backups(st, &backups, err);
	if (r == 0)
		r = contact_chart(st, &chart, err);
	if (r == 0)
		r = contact_list(st, &contacts, err);
	if (r == 0)
		r = emergency_accounts(st, &accounts, err);
	if (r == 0)
		r = incident_templates(st, &templates, err);
	if (r == 0)
		r = drill_list(st, &drills, err);
	if (r == 0)
		r = report_open(&rp, path, REPORT_PORTRAIT, "IT-BCP (非常時対応計画)", fac.name, err);
	if (r < 0)
		goto out;
	mamori_today(today);
	line = xasprintf("%s IT-BCP (非常時対応計画)", fac.name);
	report_heading(rp, 1, line);
	free(line);
	line = xasprintf("作成日 %s。mamori に記録されたデータ (システム、バックアップ、連絡体制、非常時用アカウント、"
			 "訓練) から作成しました。ネットワークが使えないときに備え、印刷して各部署と情報システム室に"
			 "保管してください。内容を変えたときは印刷し直して差し替えてください。", today);
	report_paragraph(rp, line, 1);
	free(line);
	report_heading(rp, 2, "1. 目的と非常時の定義");
	report_paragraph(rp, "医療情報システムが災害、サイバー攻撃、システム障害、電源喪失により使えなくなったとき"
			     "(非常時) に、診療を続け、被害の拡大を防ぎ、通常時へ復旧するための手順を定める。"
			     "非常時かどうかは、次の切り分けで L4 以上となったとき、または医療情報システム安全管理責任者が"
			     "判断したときとする。対応方針は経営層の承認を得る。", 0);
	triage_section(rp);

	report_heading(rp, 2, "3. 連絡体制");
	if (json_array_size(json_object_get(chart, "nodes"))) {
		report_paragraph(rp, "左から右へ、番号の順に連絡する。青: 組織内、橙: 外部。", 1);
		contact_chart_draw(rp, chart, 150);
		const char *head[] = { "番号", "区分", "役割", "組織・氏名", "電話", "夜間・休日" };
		const double w[] = { 20, 14, 43, 48, 28, 30 };
		const char *keys[] = { "number", "side_label", "role", "name", "phone", "phone_after_hours" };
		json_array_foreach(contacts, i, v) {
			const char *org = jstr(v, "organisation") ? jstr(v, "organisation") : jstr(v, "vendor_name");
			const char *nm = jstr(v, "name");
			char *who = xasprintf("%s%s%s", org ? org : "", org && nm ? " " : "", nm ? nm : "");
			json_object_set_new(v, "name", json_string(who));
			if (!jstr(v, "phone") && jstr(v, "vendor_emergency_phone"))
				json_object_set(v, "phone", json_object_get(v, "vendor_emergency_phone"));
			free(who);
		}
		json_table(rp, contacts, 6, head, w, keys);
	} else {
		report_paragraph(rp, "連絡体制図がまだ登録されていません (mamori contact add)。", 0);
	}

	report_heading(rp, 2, "4. システムの優先度と許容停止時間");
	{
		const char *head[] = { "優先度", "システム", "可用性", "許容停止時間", "停止中の代替手段" };
		const double w[] = { 15, 45, 15, 30, 75 };
		const char *keys[] = { "priority", "name", "availability", "tolerable_downtime", "fallback" };
		json_table(rp, systems, 5, head, w, keys);
	}
	report_heading(rp, 2, "5. バックアップと復元手順");
	report_paragraph(rp, "重要なファイルは数世代バックアップを複数の方式 (追記可能な設定がなされた記録媒体と"
			     "追記不能設定がなされた記録媒体の組み合わせ、端末及びサーバ装置やネットワークから切り離した"
			     "バックアップデータの保管等) で確保する (ガイドライン第6.0版)。", 1);
	if (json_array_size(backups)) {
		const char *head[] = { "システム", "対象", "頻度", "方式", "媒体", "世代", "保管場所", "復元手順" };
		const double w[] = { 22, 20, 16, 22, 18, 10, 24, 48 };
		const char *keys[] = { "system", "target", "frequency", "method", "media_label", "generations",
				       "location", "restore_procedure" };
		json_table(rp, backups, 8, head, w, keys);
	} else {
		report_paragraph(rp, "バックアップ計画がまだ登録されていません (mamori bcp backup add)。", 0);
	}
	report_heading(rp, 2, "6. 非常時用アカウント");
	report_paragraph(rp, "非常時用アカウントは通常時に使わない。使用した場合は記録し (mamori incident emergency-use)、"
			     "正常復帰後は継続使用ができないように無効化またはパスワードを変更する。", 1);
	if (json_array_size(accounts)) {
		const char *head[] = { "システム", "ログインID", "使用できる人", "使い方・保管場所", "状態" };
		const double w[] = { 35, 30, 40, 55, 20 };
		const char *keys[] = { "system", "login", "emergency_users", "emergency_procedure", "status" };
		json_array_foreach(accounts, i, v)
			json_object_set_new(v, "status", json_string(!strcmp(jstr(v, "status"), "enabled") ? "有効" : "無効"));
		json_table(rp, accounts, 5, head, w, keys);
	} else {
		report_paragraph(rp, "非常時用アカウントはアカウント台帳に登録されていません。", 0);
	}
	report_heading(rp, 2, "7. 院内放送");
	json_array_foreach(templates, i, v) {
		report_heading(rp, 3, jstr(v, "title"));
		report_paragraph(rp, jstr(v, "timing"), 1);
		report_paragraph(rp, jstr(v, "text"), 0);
		if (!json_is_true(json_object_get(v, "customized")))
			report_paragraph(rp, jstr(v, "source"), 1);
	}
	report_heading(rp, 2, "8. 訓練と改訂の記録");
	if (json_array_size(drills)) {
		const char *head[] = { "実施日", "訓練", "参加者", "気づいた点", "BCP の改訂" };
		const double w[] = { 20, 35, 30, 50, 45 };
		const char *keys[] = { "done_on", "title", "participants", "findings", "bcp_changes" };
		json_array_foreach(drills, i, v)
			if (json_is_null(json_object_get(v, "done_on"))) {
				char *p = xasprintf("%s (予定)", jstr(v, "planned_on") ? jstr(v, "planned_on") : "");
				json_object_set_new(v, "done_on", json_string(p));
				free(p);
			}
		json_table(rp, drills, 5, head, w, keys);
	} else {
		report_paragraph(rp, "訓練の記録はまだありません (mamori drill plan)。", 0);
	}
	report_heading(rp, 2, "9. 事後検証と経営層への報告");
	report_paragraph(rp, "非常時の事象発生に伴い対応した内容について、事後検証を行い、その内容を経営層に報告し、"
			     "承認を得る。その検証結果や評価を、適宜、非常時の対応手順等に反映させる (ガイドライン第6.0版)。"
			     "mamori では incident review / report / approve で記録する。", 0);
	r = report_close(rp, err);
	rp = NULL;
out:
	report_abort(rp);
	json_decref(systems);
	json_decref(backups);
	json_decref(chart);
	json_decref(contacts);
	json_decref(accounts);
	json_decref(templates);
	json_decref(drills);
	ledger_facility_release(&fac);
	return r;
}

/* ---- the paper kit ------------------------------------------------------------------ */

/* An empty form: a title, header fields and a ruled table of nrows. */
static void form(struct report *rp, const char *title, const char *note, size_t ncols,
		 const char *const *head, const double *w, size_t nrows)
{
	const char **cells = xcalloc(nrows * ncols + 1, sizeof(*cells));

	for (size_t i = 0; i < nrows * ncols; i++)
		cells[i] = " ";
	report_heading(rp, 2, title);
	if (note)
		report_paragraph(rp, note, 1);
	report_table(rp, ncols, head, w, nrows, cells);
	free(cells);
}

static int dept_has(const char *dept, const char *word)
{
	return dept && strstr(dept, word) != NULL;
}

int bcp_paper_kit_pdf(struct store *st, const char *path, struct mamori_err *err)
{
	struct ledger_facility fac = { 0 };
	struct report *rp = NULL;
	struct store_stmt *s = NULL;
	json_t *depts = json_array(), *v;
	char today[11];
	size_t i;
	int r;

	r = ledger_facility_get(st, &fac, err);
	if (r == 0)
		r = store_prepare(st,
				  "SELECT DISTINCT department FROM device WHERE status = 'in_use' AND department IS NOT NULL "
				  "ORDER BY department",
				  &s, err);
	while (r == 0 && (r = store_step(st, s, err)) == 1) {
		json_array_append_new(depts, json_string(store_column_text(st, s, 0)));
		r = 0;
	}
	store_finalize(st, s);
	if (r < 0)
		goto out;
	if (!json_array_size(depts))
		json_array_append_new(depts, json_string("全部署共通"));
	mamori_today(today);
	r = report_open(&rp, path, REPORT_PORTRAIT, "紙運用セット (電子カルテシステム障害発生時用)", fac.name, err);
	if (r < 0)
		goto out;
	report_heading(rp, 1, "電子カルテシステム障害発生時用の紙媒体セット");
	{
		char *line = xasprintf("%s 用。作成 %s。病棟・外来・各部門に配置し、オーダー方法や記録が変わったときは"
				       "差し替える。部署ごとに表紙と用紙があります。必要な枚数を印刷して、"
				       "部署の決まった場所に保管してください。", fac.name, today);
		report_paragraph(rp, line, 0);
		free(line);
	}
	{
		const char *head[] = { "部署", "ページ" };
		const double w[] = { 120, 60 };
		size_t n = json_array_size(depts);
		const char **cells = xcalloc(n * 2, sizeof(*cells));
		json_array_foreach(depts, i, v) {
			cells[i * 2] = json_string_value(v);
			cells[i * 2 + 1] = "表紙・用紙";
		}
		report_table(rp, 2, head, w, n, cells);
		free(cells);
	}
	json_array_foreach(depts, i, v) {
		const char *d = json_string_value(v);
		char *title = xasprintf("紙運用セット: %s", d);
		int ward = dept_has(d, "病棟") || dept_has(d, "看護");
		int pharmacy = dept_has(d, "薬剤");
		int lab = dept_has(d, "検査");
		int radiology = dept_has(d, "放射線");
		int office = dept_has(d, "医事") || dept_has(d, "総務") || dept_has(d, "情報システム");

		report_page_break(rp);
		report_heading(rp, 1, title);
		free(title);
		report_paragraph(rp, "電子カルテが止まったら: (1) 院内放送と IP メッセージで状況を確認する。(2) このセットの用紙で"
				     "記録・オーダーを続ける。(3) 復旧後、「電カルへの事後入力」の手順で入力し、入力済みの"
				     "用紙に印を付ける。(4) 用紙は患者ごとにまとめ、診療録として保管する。", 0);
		{
			const char *head[] = { "セットの中身", "枚数の目安", "確認" };
			const double w[] = { 100, 40, 40 };
			const char *cells[] = {
				"手書きの診療録の用紙", "20", " ",
				office ? "受付・会計の控え" : "指示・オーダ伝票", "30", " ",
				ward ? "看護記録・温度板" : pharmacy ? "処方受付簿" : lab ? "検査依頼・結果報告" :
					radiology ? "撮影依頼・実施記録" : "患者受付簿", "20", " ",
				"電カルへの事後入力の説明書と記録表", "5", " ",
			};
			report_table(rp, 3, head, w, 4, cells);
		}
		{
			const char *head[] = { "日付", "時刻", "患者ID", "氏名", "記録 (S/O/A/P・指示)", "記載者" };
			const double w[] = { 18, 14, 22, 28, 80, 20 };
			form(rp, "手書きの診療録", "電子カルテ停止中の記録。1 行 1 件。患者 ID が分からないときは氏名と生年月日を書く。",
			     6, head, w, 14);
		}
		if (office) {
			const char *head[] = { "受付時刻", "患者ID", "氏名", "診療科", "会計 (後日精算)", "担当" };
			const double w[] = { 20, 25, 35, 25, 50, 25 };
			form(rp, "受付・会計の控え", "会計は後日精算とし、控えを患者に渡す。", 6, head, w, 18);
		} else {
			const char *head[] = { "日時", "患者ID", "氏名", "指示・オーダ内容", "指示医", "受領者" };
			const double w[] = { 20, 22, 28, 70, 20, 22 };
			form(rp, "指示・オーダ伝票", "口頭指示は必ず復唱し、この伝票に書く。", 6, head, w, 16);
		}
		if (ward) {
			const char *head[] = { "時刻", "患者", "体温", "脈拍", "血圧", "SpO2", "観察・処置", "記載者" };
			const double w[] = { 14, 26, 12, 12, 18, 12, 70, 18 };
			form(rp, "看護記録・温度板", NULL, 8, head, w, 16);
		} else if (pharmacy) {
			const char *head[] = { "受付時刻", "患者ID", "氏名", "処方内容", "調剤者", "鑑査者" };
			const double w[] = { 18, 22, 28, 80, 18, 18 };
			form(rp, "処方受付簿", "紙の処方箋を受け付けた順に記録する。", 6, head, w, 16);
		} else if (lab) {
			const char *head[] = { "受付時刻", "患者ID", "氏名", "検査項目", "結果", "報告先・報告者" };
			const double w[] = { 18, 22, 28, 45, 40, 32 };
			form(rp, "検査依頼・結果報告", "緊急値は電話で報告し、報告先を書く。", 6, head, w, 16);
		} else if (radiology) {
			const char *head[] = { "受付時刻", "患者ID", "氏名", "撮影部位・方法", "実施者", "画像の保存先" };
			const double w[] = { 18, 22, 28, 50, 22, 45 };
			form(rp, "撮影依頼・実施記録", "画像はモダリティ側に保存し、復旧後に PACS へ送る。", 6, head, w, 16);
		} else {
			const char *head[] = { "受付時刻", "患者ID", "氏名", "生年月日", "受診内容", "担当" };
			const double w[] = { 18, 25, 30, 25, 62, 20 };
			form(rp, "患者受付簿", NULL, 6, head, w, 18);
		}
		{
			const char *head[] = { "用紙", "患者ID", "入力日", "入力者", "確認者" };
			const double w[] = { 60, 30, 30, 30, 30 };
			form(rp, "電カルへの事後入力 記録表",
			     "復旧後の手順: (1) 用紙を患者ごとに時刻順に並べる。(2) 電子カルテに「事後入力」として入力し、"
			     "実際の時刻を書く。(3) 入力した用紙に入力者と日付を書く。(4) 確認者が突き合わせる。",
			     5, head, w, 12);
		}
	}
	r = report_close(rp, err);
	rp = NULL;
out:
	report_abort(rp);
	json_decref(depts);
	ledger_facility_release(&fac);
	return r;
}
