/*
 * emergency.c - uses of emergency accounts, the dashboard alert and the
 * close rule's "handled" test (see emergency.h).
 */
#include "common.h"
#include "emergency.h"
#include "incident.h"
#include "journal.h"
#include "record.h"
#include "store.h"

/* A use is handled when this holds (a: account, u: emergency_use). */
#define HANDLED_SQL                                                                     \
	"(a.status IN ('disabled','deleted') OR (a.credential_rotated_on IS NOT NULL AND " \
	"CASE WHEN length(a.credential_rotated_on) <= 10 "                                 \
	"THEN a.credential_rotated_on >= substr(u.used_at, 1, 10) "                         \
	"ELSE a.credential_rotated_on > u.used_at END))"

int emergency_account_find(struct store *st, const char *account, const char *system,
			   int64_t *id, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int64_t n = 0;
	int r;

	*id = 0;
	if (!account || !*account)
		return mamori_err_set(err, MAMORI_EINVAL, "アカウント (ログインID) を指定してください");
	if (account[0] == '#') {
		char *end;
		long long v = strtoll(account + 1, &end, 10);
		if (*end || v <= 0)
			return mamori_err_set(err, MAMORI_EINVAL, "アカウント番号「%s」が正しくありません", account);
		r = store_prepare(st, "SELECT a.id FROM account a WHERE a.id = ?", &s, err);
		if (r < 0)
			return r;
		store_bind_int(st, s, 1, v);
	} else {
		r = store_prepare(st,
				  "SELECT a.id FROM account a LEFT JOIN system sy ON sy.id = a.system_id "
				  "WHERE a.login = ? AND (? IS NULL OR sy.name = ?) ORDER BY a.kind = 'emergency' DESC, a.id",
				  &s, err);
		if (r < 0)
			return r;
		store_bind_text(st, s, 1, account);
		store_bind_text(st, s, 2, system);
		store_bind_text(st, s, 3, system);
	}
	while ((r = store_step(st, s, err)) == 1) {
		if (!n)
			*id = store_column_int(st, s, 0);
		n++;
	}
	store_finalize(st, s);
	if (r < 0)
		return r;
	if (!n)
		return mamori_err_set(err, MAMORI_ENOTFOUND,
				      "アカウント「%s」%s%s%s はアカウント台帳にありません "
				      "(mamori account add login=… kind=emergency system=… で登録してください)",
				      account, system ? " (システム " : "", system ? system : "",
				      system ? ")" : "");
	if (n > 1) {
		/* several systems share the login: prefer a single emergency one */
		int64_t ne = 0;
		char idbuf[32];
		snprintf(idbuf, sizeof(idbuf), "%lld", (long long)*id);
		r = store_query_int(st, &ne, err,
				    "SELECT COUNT(*) FROM account a LEFT JOIN system sy ON sy.id = a.system_id "
				    "WHERE a.login = (SELECT login FROM account WHERE id = ?) AND a.kind = 'emergency' "
				    "AND (? IS NULL OR sy.name = ?)",
				    idbuf, system, system, NULL);
		if (r < 0)
			return r;
		if (ne != 1)
			return mamori_err_set(err, MAMORI_EINVAL,
					      "ログインID「%s」のアカウントが複数のシステムにあります。"
					      "システム名 (--system) か番号 (#ID) で指定してください",
					      account);
	}
	return 0;
}

int emergency_use_record(struct store *st, const char *actor, const struct emergency_use_args *a,
			 int64_t *id, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	char used[MAMORI_TIME_LEN], now[MAMORI_TIME_LEN], ids[32], aid[32];
	const char *source = a->source && *a->source ? a->source : "recorded";
	char *login = NULL, *kind = NULL, *sysname = NULL, *istatus = NULL;
	int64_t account_id = 0;
	json_t *rec = NULL;
	int r;

	*id = 0;
	if (strcmp(source, "recorded") && strcmp(source, "reported") && strcmp(source, "log"))
		return mamori_err_set(err, MAMORI_EINVAL, "source は recorded・reported・log のどれかです");
	if (a->reason && strlen(a->reason) > 4000)
		return mamori_err_set(err, MAMORI_EINVAL, "理由が長すぎます (4000 バイトまで)");
	if (a->used_by && strlen(a->used_by) > 200)
		return mamori_err_set(err, MAMORI_EINVAL, "使用者が長すぎます (200 バイトまで)");
	r = incident_time_norm(a->used_at, used, err);
	if (r == 0)
		r = emergency_account_find(st, a->account, a->system, &account_id, err);
	if (r < 0)
		return r;
	r = store_prepare(st,
			  "SELECT a.login, a.kind, sy.name FROM account a LEFT JOIN system sy "
			  "ON sy.id = a.system_id WHERE a.id = ?",
			  &s, err);
	if (r < 0)
		return r;
	store_bind_int(st, s, 1, account_id);
	if ((r = store_step(st, s, err)) == 1) {
		login = xstrdup(store_column_text(st, s, 0));
		kind = xstrdup(store_column_text(st, s, 1));
		sysname = store_column_text(st, s, 2) ? xstrdup(store_column_text(st, s, 2)) : NULL;
		r = 0;
	}
	store_finalize(st, s);
	s = NULL;
	if (r < 0)
		goto out;
	if (strcmp(kind, "emergency")) {
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "アカウント「%s」は非常時用ではありません (種別 %s)。非常時用アカウントは "
				   "mamori account で種別 emergency として登録します",
				   login, kind);
		goto out;
	}
	if (a->incident_id) {
		snprintf(ids, sizeof(ids), "%lld", (long long)a->incident_id);
		r = store_prepare(st, "SELECT status FROM incident WHERE id = ?", &s, err);
		if (r < 0)
			goto out;
		store_bind_int(st, s, 1, a->incident_id);
		if ((r = store_step(st, s, err)) == 1) {
			istatus = xstrdup(store_column_text(st, s, 0));
			r = 0;
		} else if (r == 0) {
			r = mamori_err_set(err, MAMORI_ENOTFOUND, "インシデント #%s はありません", ids);
		}
		store_finalize(st, s);
		s = NULL;
		if (r < 0)
			goto out;
		if (strcmp(istatus, "open")) {
			r = mamori_err_set(err, MAMORI_ECONFLICT,
					   "インシデント #%s は%sのため、非常時用アカウントの使用はその中では記録できません "
					   "(インシデントの外の使用として理由を付けて記録してください)",
					   ids, incident_status_label(istatus));
			goto out;
		}
	} else if (!a->reason || !*a->reason) {
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "インシデントの外で非常時用アカウントを使うときは、理由 (--reason) が必要です");
		goto out;
	}
	mamori_now(now);
	r = store_prepare(st,
			  "INSERT INTO emergency_use (account_id, incident_id, used_at, used_by, reason, "
			  "source, recorded_at, recorded_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  &s, err);
	if (r < 0)
		goto out;
	store_bind_int(st, s, 1, account_id);
	if (a->incident_id)
		store_bind_int(st, s, 2, a->incident_id);
	else
		store_bind_null(st, s, 2);
	store_bind_text(st, s, 3, used);
	store_bind_text(st, s, 4, a->used_by && *a->used_by ? a->used_by : NULL);
	store_bind_text(st, s, 5, a->reason && *a->reason ? a->reason : NULL);
	store_bind_text(st, s, 6, source);
	store_bind_text(st, s, 7, now);
	store_bind_text(st, s, 8, actor);
	if ((r = store_step(st, s, err)) == 1) {
		*id = store_column_int(st, s, 0);
		r = 0;
	}
	store_finalize(st, s);
	s = NULL;
	if (r < 0)
		goto out;
	rec = json_pack("{s:I, s:I, s:s, s:s?, s:I, s:s, s:s?, s:s?, s:s}", "use_id", (json_int_t)*id,
			"account_id", (json_int_t)account_id, "login", login, "system", sysname,
			"incident_id", a->incident_id ? (json_int_t)a->incident_id : (json_int_t)0, "used_at",
			used, "used_by", a->used_by && *a->used_by ? a->used_by : NULL, "reason",
			a->reason && *a->reason ? a->reason : NULL, "source", source);
	if (!a->incident_id)
		json_object_del(rec, "incident_id");
	snprintf(aid, sizeof(aid), "%lld", (long long)*id);
	r = journal_append(st, actor, "emergency.use", "emergency_use", aid, NULL, rec, NULL, err);
	if (r == 0 && a->incident_id)
		r = incident_event_append(st, actor, a->incident_id, "emergency_use", rec, err);
out:
	store_finalize(st, s);
	json_decref(rec);
	free(login);
	free(kind);
	free(sysname);
	free(istatus);
	return r;
}

static json_t *use_row(struct store *st, struct store_stmt *s)
{
	int handled = (int)store_column_int(st, s, 12);
	const char *astatus = store_column_text(st, s, 13);
	const char *how = !handled ? NULL
			  : (!strcmp(astatus, "disabled") || !strcmp(astatus, "deleted")) ? "disabled"
											   : "rotated";
	json_t *o = json_pack("{s:I, s:I, s:s, s:s?, s:s, s:s?, s:s?, s:s?, s:s, s:s, s:b, s:s?, s:s, s:s?}",
			      "id", (json_int_t)store_column_int(st, s, 0), "account_id",
			      (json_int_t)store_column_int(st, s, 1), "login",
			      store_column_text(st, s, 2), "system", store_column_text(st, s, 3),
			      "used_at", store_column_text(st, s, 6), "used_by",
			      store_column_text(st, s, 7), "reason", store_column_text(st, s, 8),
			      "incident_title", store_column_text(st, s, 5), "source",
			      store_column_text(st, s, 9), "recorded_by",
			      store_column_text(st, s, 11), "handled", handled, "handled_how", how,
			      "account_status", astatus, "credential_rotated_on",
			      store_column_text(st, s, 14));
	json_object_set_new(o, "incident_id", store_column_is_null(st, s, 4)
						      ? json_null()
						      : json_integer(store_column_int(st, s, 4)));
	return o;
}

int emergency_uses(struct store *st, int64_t incident_id, int unhandled_only, json_t **out,
		   struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r = store_prepare(st,
			      "SELECT u.id, u.account_id, a.login, sy.name, u.incident_id, i.title, u.used_at, "
			      "u.used_by, u.reason, u.source, u.recorded_at, u.recorded_by, " HANDLED_SQL ", "
			      "a.status, a.credential_rotated_on "
			      "FROM emergency_use u JOIN account a ON a.id = u.account_id "
			      "LEFT JOIN system sy ON sy.id = a.system_id "
			      "LEFT JOIN incident i ON i.id = u.incident_id "
			      "WHERE (? = 0 OR (? = -1 AND u.incident_id IS NULL) OR u.incident_id = ?) "
			      "AND (? = 0 OR NOT " HANDLED_SQL ") ORDER BY u.used_at DESC, u.id DESC",
			      &s, err);

	if (r == 0) {
		store_bind_int(st, s, 1, incident_id);
		store_bind_int(st, s, 2, incident_id);
		store_bind_int(st, s, 3, incident_id);
		store_bind_int(st, s, 4, unhandled_only);
	}
	return record_list_stmt(st, r, s, use_row, out, err);
}

int emergency_dashboard_warning(struct store *st, json_t *warnings, struct mamori_err *err)
{
	json_t *uses = NULL;
	char msg[512];
	int r = emergency_uses(st, 0, 1, &uses, err);

	if (r < 0)
		return r;
	if (json_array_size(uses)) {
		snprintf(msg, sizeof(msg),
			 "非常時用アカウントが使用され、まだ無効化・パスワード変更されていません: %zu 件",
			 json_array_size(uses));
		/* an alert, not a to-do: it goes first */
		json_array_insert_new(warnings, 0,
				      json_pack("{s:s, s:s, s:s, s:I, s:s, s:[], s:O}", "code", "emergency_use",
						"severity", "alert", "message", msg, "count",
						(json_int_t)json_array_size(uses), "href",
						"#/incidents?tab=emergency", "devices", "uses", uses));
	}
	json_decref(uses);
	return 0;
}

static json_t *account_row(struct store *st, struct store_stmt *s)
{
	return json_pack("{s:I, s:s, s:s?, s:s?, s:s?, s:s?, s:s, s:s?, s:I, s:I}", "id",
			 (json_int_t)store_column_int(st, s, 0), "login", store_column_text(st, s, 1),
			 "system", store_column_text(st, s, 2), "holder", store_column_text(st, s, 3),
			 "emergency_users", store_column_text(st, s, 4), "emergency_procedure",
			 store_column_text(st, s, 5), "status", store_column_text(st, s, 6),
			 "credential_rotated_on", store_column_text(st, s, 7), "uses",
			 (json_int_t)store_column_int(st, s, 8), "unhandled",
			 (json_int_t)store_column_int(st, s, 9));
}

int emergency_accounts(struct store *st, json_t **out, struct mamori_err *err)
{
	return record_list(st,
			   "SELECT a.id, a.login, sy.name, a.holder, a.emergency_users, a.emergency_procedure, "
			   "a.status, a.credential_rotated_on, "
			   "(SELECT COUNT(*) FROM emergency_use u WHERE u.account_id = a.id), "
			   "(SELECT COUNT(*) FROM emergency_use u WHERE u.account_id = a.id AND NOT " HANDLED_SQL ") "
			   "FROM account a LEFT JOIN system sy ON sy.id = a.system_id "
			   "WHERE a.kind = 'emergency' AND a.status <> 'deleted' ORDER BY sy.name, a.login",
			   account_row, out, err);
}
