/*
 * account.c - the account inventory and the emergency-account registry:
 * the field table, normalisation, validation, lookup, storage, the
 * disable / enable / rotate actions, the flags that say what is wrong with
 * an account, lists and the CSV export (see account.h).
 */
#include "common.h"
#include "account.h"
#include "asset.h"
#include "csv.h"
#include "journal.h"
#include "ledger.h"
#include "norm.h"
#include "store.h"
#include "strbuf.h"
#include "vocab.h"

#include <ctype.h>

#define ALIASES(...) ((const char *const[]){ __VA_ARGS__, NULL })

const struct account_field account_fields[ACCOUNT_NFIELDS] = {
	[ACCOUNT_SYSTEM] = { "system", "システム", "System", ACCOUNT_T_REF_SYSTEM, ACCOUNT_F_LIST,
		ALIASES("システム名", "医療情報システム", "対象システム", "system name") },
	[ACCOUNT_DEVICE] = { "device", "機器", "Device", ACCOUNT_T_REF_DEVICE, ACCOUNT_F_LIST,
		ALIASES("ホスト名", "サーバ", "サーバ名", "サーバー", "サーバー名", "対象機器", "端末名",
			"コンピュータ名", "host", "hostname") },
	[ACCOUNT_LOGIN] = { "login", "ログインID", "Login", ACCOUNT_T_TEXT, ACCOUNT_F_LIST,
		ALIASES("ログイン名", "ID", "ユーザーID", "ユーザID", "利用者ID", "アカウント",
			"アカウント名", "アカウントID", "ユーザー名", "ユーザ名", "login id", "user id",
			"username", "account", "sAMAccountName") },
	[ACCOUNT_HOLDER] = { "holder", "利用者", "Holder", ACCOUNT_T_TEXT, ACCOUNT_F_LIST,
		ALIASES("利用者名", "氏名", "使用者", "名前", "所有者", "担当者", "holder name", "name",
			"full name", "displayName") },
	[ACCOUNT_HOLDER_ROLE] = { "holder_role", "職種", "Role", ACCOUNT_T_TEXT, ACCOUNT_F_LIST,
		ALIASES("職種・担当業務", "担当業務", "役割", "権限", "権限名", "権限グループ", "ロール",
			"role", "job") },
	[ACCOUNT_DEPARTMENT] = { "department", "部署", "Department", ACCOUNT_T_TEXT, 0,
		ALIASES("所属", "部門", "診療科", "部局", "部局名") },
	[ACCOUNT_KIND] = { "kind", "種別", "Kind", ACCOUNT_T_KIND, ACCOUNT_F_LIST,
		ALIASES("アカウント種別", "区分", "種類", "type") },
	[ACCOUNT_ADMIN] = { "admin", "管理者権限", "Administrator", ACCOUNT_T_BOOL, ACCOUNT_F_LIST,
		ALIASES("管理者", "管理権限", "特権", "特権ID", "admin rights", "administrator rights") },
	[ACCOUNT_TWO_FACTOR] = { "two_factor", "二要素認証", "Two-factor", ACCOUNT_T_BOOL, 0,
		ALIASES("2要素認証", "多要素認証", "MFA", "2FA", "two factor") },
	[ACCOUNT_CREATED_ON] = { "created_on", "作成日", "Created on", ACCOUNT_T_DATE, 0,
		ALIASES("登録日", "発行日", "作成年月日", "created") },
	[ACCOUNT_LAST_USED_ON] = { "last_used_on", "最終利用日", "Last used on", ACCOUNT_T_DATE,
		ACCOUNT_F_LIST,
		ALIASES("最終ログイン", "最終ログイン日", "最終ログイン日時", "最終使用日", "最終利用日時",
			"最終利用", "last login", "last logon", "lastLogonTimestamp", "last used") },
	[ACCOUNT_HOLDER_STATUS] = { "holder_status", "在職状況", "Holder status",
		ACCOUNT_T_HOLDER_STATUS, 0,
		ALIASES("退職", "退職者", "在籍", "在籍状況", "在職", "雇用状態", "employment") },
	[ACCOUNT_STATUS] = { "status", "状態", "Status", ACCOUNT_T_STATUS, ACCOUNT_F_LIST,
		ALIASES("アカウント状態", "有効/無効", "有効無効", "ステータス", "enabled") },
	[ACCOUNT_EMERGENCY_USERS] = { "emergency_users", "使用できる人", "Who may use it",
		ACCOUNT_T_TEXT, ACCOUNT_F_EMERGENCY,
		ALIASES("使用できる者", "使用可能者", "利用できる人", "使用者範囲", "emergency users") },
	[ACCOUNT_EMERGENCY_PROCEDURE] = { "emergency_procedure", "使い方・保管場所",
		"Procedure and storage", ACCOUNT_T_TEXT, ACCOUNT_F_EMERGENCY,
		ALIASES("保管場所", "使用手順", "使い方", "手順", "emergency procedure") },
	[ACCOUNT_ROTATED_ON] = { "credential_rotated_on", "パスワード変更日", "Credentials rotated on",
		ACCOUNT_T_MOMENT, 0,
		ALIASES("パスワード最終変更日", "PW変更日", "パスワード変更", "password changed",
			"rotated on") },
	[ACCOUNT_DISABLED_AT] = { "disabled_at", "無効化日時", "Disabled at", ACCOUNT_T_MOMENT,
		ACCOUNT_F_READONLY, NULL },
	[ACCOUNT_NOTE] = { "note", "備考", "Note", ACCOUNT_T_TEXT, 0,
		ALIASES("メモ", "remarks", "notes") },
};

static const struct vocab kinds[] = {
	{ "personal", "個人", ALIASES("個人", "個人用", "本人", "personal", "individual") },
	{ "shared", "共用", ALIASES("共用", "共有", "共通", "共同", "shared", "common") },
	{ "maintenance", "保守用", ALIASES("保守用", "保守", "ベンダー", "ベンダ", "事業者", "業者",
					   "メンテナンス", "maintenance", "vendor") },
	{ "emergency", "非常時用", ALIASES("非常時用", "非常時", "非常用", "緊急用", "緊急",
					   "ブレークグラス", "break-glass", "breakglass",
					   "emergency") },
};

static const struct vocab holder_statuses[] = {
	{ "active", "在職", ALIASES("在職", "在職中", "在籍", "在籍中", "現職", "active") },
	{ "retired", "退職", ALIASES("退職", "退職済", "退職済み", "退職者", "離職", "retired",
				     "left") },
	{ "leave", "休職", ALIASES("休職", "休職中", "休業", "産休", "育休", "leave") },
	{ "external", "外部", ALIASES("外部", "委託", "派遣", "事業者", "external") },
};

static const struct vocab statuses[] = {
	{ "enabled", "有効", ALIASES("有効", "利用中", "使用中", "enabled", "active") },
	{ "disabled", "無効", ALIASES("無効", "無効化", "停止", "停止中", "ロック", "disabled",
				      "locked") },
	{ "deleted", "削除済", ALIASES("削除済", "削除済み", "削除", "deleted") },
};

/* ---- header and vocabulary matching ------------------------------------ */

int account_field_find(const char *header)
{
	char *k = vocab_key(header);
	int found = -1;

	for (int f = 0; f < ACCOUNT_NFIELDS && found < 0; f++) {
		const struct account_field *d = &account_fields[f];
		if (vocab_names(k, d->name, d->label, d->label_en, d->aliases))
			found = f;
	}
	free(k);
	return found;
}

const char *account_kind_label(const char *kind)
{
	return vocab_label(kinds, ARRAY_SIZE(kinds), kind);
}

const char *account_holder_status_label(const char *s)
{
	return vocab_label(holder_statuses, ARRAY_SIZE(holder_statuses), s);
}

const char *account_status_label(const char *status)
{
	return vocab_label(statuses, ARRAY_SIZE(statuses), status);
}

/* ---- values ---------------------------------------------------------------- */

void account_init(struct account *a)
{
	memset(a, 0, sizeof(*a));
}

void account_release(struct account *a)
{
	if (!a)
		return;
	for (int i = 0; i < ACCOUNT_NFIELDS; i++)
		free(a->v[i]);
	free(a->created_at);
	free(a->updated_at);
	account_init(a);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void account_copy(struct account *dst, const struct account *src)
{
	account_init(dst);
	dst->id = src->id;
	dst->system_id = src->system_id;
	dst->device_id = src->device_id;
	for (int i = 0; i < ACCOUNT_NFIELDS; i++)
		dst->v[i] = dup_or_null(src->v[i]);
	dst->created_at = dup_or_null(src->created_at);
	dst->updated_at = dup_or_null(src->updated_at);
}

/* "2026-11-21T05:01:45Z" or with .fff: the UTC moments mamori writes. */
static int is_utc_moment(const char *s)
{
	static const char pat[] = "dddd-dd-ddTdd:dd:dd";
	size_t i;

	for (i = 0; pat[i]; i++)
		if (pat[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != pat[i])
			return 0;
	if (s[i] == '.') {
		size_t d = 0;
		for (i++; isdigit((unsigned char)s[i]); i++)
			d++;
		if (d < 1 || d > 9)
			return 0;
	}
	return s[i] == 'Z' && s[i + 1] == '\0';
}

/* Longest value of a text field. */
#define ACCOUNT_TEXT_MAX 1000

int account_set(struct account *a, int f, const char *raw, struct mamori_err *err)
{
	char buf[NORM_DATE_LEN];
	const char *canon = NULL;
	char *text = norm_text(raw ? raw : "");
	char *val = NULL;
	int b, r = 0;

	if (f < 0 || f >= ACCOUNT_NFIELDS)
		BUG("bad account field %d", f);
	if (!*text)
		goto store;
	switch (account_fields[f].type) {
	case ACCOUNT_T_TEXT:
	case ACCOUNT_T_REF_SYSTEM:
	case ACCOUNT_T_REF_DEVICE:
		if (strlen(text) > ACCOUNT_TEXT_MAX) {
			r = mamori_err_set(err, MAMORI_EINVAL, "長すぎます (%zu バイト、上限 %d)",
					   strlen(text), ACCOUNT_TEXT_MAX);
			break;
		}
		val = xstrdup(text);
		break;
	case ACCOUNT_T_BOOL:
		r = norm_bool(text, &b, err);
		if (r == 0 && b >= 0)
			val = xstrdup(b ? "1" : "0");
		break;
	case ACCOUNT_T_DATE:
		r = norm_date(text, buf, err);
		if (r == 0)
			val = xstrdup(buf);
		break;
	case ACCOUNT_T_MOMENT:
		if (is_utc_moment(text)) {
			val = xstrdup(text);
			break;
		}
		r = norm_date(text, buf, err);
		if (r == 0)
			val = xstrdup(buf);
		break;
	case ACCOUNT_T_KIND:
		r = vocab_parse(kinds, ARRAY_SIZE(kinds), text, &canon, err);
		if (r == 0)
			val = xstrdup(canon);
		break;
	case ACCOUNT_T_HOLDER_STATUS:
		canon = vocab_find(holder_statuses, ARRAY_SIZE(holder_statuses), text);
		if (!canon && norm_bool(text, &b, NULL) == 0 && b >= 0)
			canon = b ? "retired" : "active"; /* a column 「退職」 of 〇/× */
		if (!canon)
			r = vocab_parse(holder_statuses, ARRAY_SIZE(holder_statuses), text, &canon,
					err);
		if (canon)
			val = xstrdup(canon);
		break;
	case ACCOUNT_T_STATUS:
		r = vocab_parse(statuses, ARRAY_SIZE(statuses), text, &canon, err);
		if (r == 0)
			val = xstrdup(canon);
		break;
	}
store:
	free(text);
	if (r < 0)
		return r;
	free(a->v[f]);
	a->v[f] = val;
	if (f == ACCOUNT_SYSTEM)
		a->system_id = 0;
	if (f == ACCOUNT_DEVICE)
		a->device_id = 0;
	return 0;
}

int account_apply_json(struct account *a, json_t *obj, const char **bad_field,
		       struct mamori_err *err)
{
	const char *key;
	json_t *v;

	*bad_field = NULL;
	if (!json_is_object(obj))
		return mamori_err_set(err, MAMORI_EINVAL, "JSON のオブジェクトを送ってください");
	json_object_foreach(obj, key, v) {
		int f = account_field_find(key);
		char num[VOCAB_NUM_LEN];
		const char *text;

		if (f < 0) {
			*bad_field = key;
			return mamori_err_set(err, MAMORI_EINVAL, "不明な項目です");
		}
		*bad_field = account_fields[f].name;
		if (account_fields[f].flags & ACCOUNT_F_READONLY)
			return mamori_err_set(err, MAMORI_EINVAL,
					      "無効化日時は「無効化」の操作で記録されます");
		int r = vocab_json_text(v, num, &text, err);
		if (r == 0)
			r = account_set(a, f, text, err);
		if (r < 0)
			return r;
	}
	*bad_field = NULL;
	return 0;
}

const char *account_display_value(const struct account *a, int f)
{
	const char *v = a->v[f];

	if (!v)
		return "";
	switch (account_fields[f].type) {
	case ACCOUNT_T_BOOL:
		return strcmp(v, "1") ? "×" : "〇";
	case ACCOUNT_T_KIND:
		return account_kind_label(v);
	case ACCOUNT_T_HOLDER_STATUS:
		return account_holder_status_label(v);
	case ACCOUNT_T_STATUS:
		return account_status_label(v);
	default:
		return v;
	}
}

static int invalid(int *bad_field, int f, struct mamori_err *err, const char *msg)
{
	if (bad_field)
		*bad_field = f;
	return mamori_err_set(err, MAMORI_EINVAL, "%s", msg);
}

int account_validate(struct account *a, int *bad_field, struct mamori_err *err)
{
	if (bad_field)
		*bad_field = -1;
	if (!a->v[ACCOUNT_LOGIN])
		return invalid(bad_field, ACCOUNT_LOGIN, err, "ログインIDが必要です");
	if (!a->v[ACCOUNT_SYSTEM] && !a->v[ACCOUNT_DEVICE])
		return invalid(bad_field, ACCOUNT_SYSTEM, err,
			       "どのシステム (または機器) のアカウントかが必要です: システムか機器を指定してください");
	if (!a->v[ACCOUNT_KIND])
		a->v[ACCOUNT_KIND] = xstrdup("personal");
	if (!a->v[ACCOUNT_STATUS])
		a->v[ACCOUNT_STATUS] = xstrdup("enabled");
	if (!a->v[ACCOUNT_HOLDER_STATUS])
		a->v[ACCOUNT_HOLDER_STATUS] = xstrdup("active");
	if (!a->v[ACCOUNT_ADMIN])
		a->v[ACCOUNT_ADMIN] = xstrdup("0");
	return 0;
}

uint64_t account_diff(const struct account *a, const struct account *b)
{
	uint64_t mask = 0;

	for (int f = 0; f < ACCOUNT_NFIELDS; f++) {
		const char *x = a->v[f], *y = b->v[f];
		if ((x == NULL) != (y == NULL) || (x && strcmp(x, y)))
			mask |= UINT64_C(1) << f;
	}
	return mask;
}

char *account_where(const struct account *a)
{
	const char *s = a->v[ACCOUNT_SYSTEM], *d = a->v[ACCOUNT_DEVICE];

	if (s && d)
		return xasprintf("%s / %s", s, d);
	return xstrdup(s ? s : d ? d : "");
}

json_t *account_to_json(const struct account *a)
{
	json_t *o = json_object();

	if (a->id)
		json_object_set_new(o, "id", json_integer(a->id));
	for (int f = 0; f < ACCOUNT_NFIELDS; f++) {
		const char *v = a->v[f];
		if (!v)
			continue;
		if (account_fields[f].type == ACCOUNT_T_BOOL)
			json_object_set_new(o, account_fields[f].name, json_boolean(!strcmp(v, "1")));
		else
			json_object_set_new(o, account_fields[f].name, json_string(v));
	}
	return o;
}

json_t *account_vocabulary_json(void)
{
	static const char *const types[] = {
		[ACCOUNT_T_TEXT] = "text",		[ACCOUNT_T_BOOL] = "bool",
		[ACCOUNT_T_DATE] = "date",		[ACCOUNT_T_MOMENT] = "moment",
		[ACCOUNT_T_KIND] = "kind",		[ACCOUNT_T_HOLDER_STATUS] = "holder_status",
		[ACCOUNT_T_STATUS] = "status",		[ACCOUNT_T_REF_SYSTEM] = "system",
		[ACCOUNT_T_REF_DEVICE] = "device",
	};
	const struct {
		const char *key;
		const struct vocab *v;
		size_t n;
	} lists[] = {
		{ "kinds", kinds, ARRAY_SIZE(kinds) },
		{ "statuses", statuses, ARRAY_SIZE(statuses) },
		{ "holder_statuses", holder_statuses, ARRAY_SIZE(holder_statuses) },
	};
	json_t *fields = json_array();
	json_t *o;

	for (int f = 0; f < ACCOUNT_NFIELDS; f++) {
		json_t *al = json_array();
		for (const char *const *a = account_fields[f].aliases; a && *a; a++)
			json_array_append_new(al, json_string(*a));
		json_array_append_new(
			fields, json_pack("{s:s, s:s, s:s, s:s, s:b, s:b, s:o}", "name",
					  account_fields[f].name, "label", account_fields[f].label,
					  "label_en", account_fields[f].label_en, "type",
					  types[account_fields[f].type], "readonly",
					  (account_fields[f].flags & ACCOUNT_F_READONLY) != 0, "emergency",
					  (account_fields[f].flags & ACCOUNT_F_EMERGENCY) != 0, "aliases",
					  al));
	}
	o = json_pack("{s:o}", "fields", fields);
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++) {
		json_t *arr = json_array();
		for (size_t k = 0; k < lists[i].n; k++)
			json_array_append_new(arr, json_pack("{s:s, s:s}", "value", lists[i].v[k].value,
							     "label", lists[i].v[k].label));
		json_object_set_new(o, lists[i].key, arr);
	}
	return o;
}

/* ---- dates and flags ------------------------------------------------------- */

/* Day number of "YYYY-MM-DD…"; -1 when it does not start with a date. */
static int parse_day(const char *s, int64_t *out)
{
	int y, m, d;

	if (!s || strlen(s) < 10 || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 ||
	    d < 1 || d > 31)
		return -1;
	*out = norm_days_from_civil(y, m, d);
	return 0;
}

int account_date_add(const char *date, int days, char out[11])
{
	int64_t n, y;
	int m, d;

	if (parse_day(date, &n) < 0)
		return -1;
	norm_civil_from_days(n + days, &y, &m, &d);
	if (y < 0 || y > 9999)
		return -1;
	snprintf(out, 11, "%04d-%02d-%02d", (int)y, m, d);
	return 0;
}

static int is(const char *v, const char *want)
{
	return v && !strcmp(v, want);
}

unsigned account_flags(const struct account *a, const char *today, int unused_days, int *idle)
{
	int enabled = is(a->v[ACCOUNT_STATUS], "enabled") || !a->v[ACCOUNT_STATUS];
	int admin = is(a->v[ACCOUNT_ADMIN], "1");
	const char *kind = a->v[ACCOUNT_KIND] ? a->v[ACCOUNT_KIND] : "personal";
	const char *last = a->v[ACCOUNT_LAST_USED_ON] ? a->v[ACCOUNT_LAST_USED_ON]
						      : a->v[ACCOUNT_CREATED_ON];
	unsigned flags = 0;
	int64_t t, l;
	int days = -1;

	if (last && parse_day(today, &t) == 0 && parse_day(last, &l) == 0)
		days = (int)(t - l);
	if (idle)
		*idle = days;
	if (!strcmp(kind, "emergency"))
		flags |= ACCOUNT_FLAG_EMERGENCY;
	if (!enabled)
		return flags;
	if (is(a->v[ACCOUNT_HOLDER_STATUS], "retired"))
		flags |= ACCOUNT_FLAG_RETIRED;
	if (strcmp(kind, "emergency") && days > unused_days)
		flags |= ACCOUNT_FLAG_UNUSED;
	if (admin && !strcmp(kind, "shared"))
		flags |= ACCOUNT_FLAG_SHARED_ADMIN;
	if (admin && !a->v[ACCOUNT_HOLDER] && strcmp(kind, "emergency"))
		flags |= ACCOUNT_FLAG_ADMIN_NO_HOLDER;
	if (!strcmp(kind, "personal") && !is(a->v[ACCOUNT_TWO_FACTOR], "1"))
		flags |= ACCOUNT_FLAG_NO_TWO_FACTOR;
	return flags;
}

json_t *account_flags_json(unsigned flags)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ ACCOUNT_FLAG_RETIRED, "retired" },
		{ ACCOUNT_FLAG_UNUSED, "unused" },
		{ ACCOUNT_FLAG_SHARED_ADMIN, "shared_admin" },
		{ ACCOUNT_FLAG_ADMIN_NO_HOLDER, "admin_no_holder" },
		{ ACCOUNT_FLAG_EMERGENCY, "emergency" },
		{ ACCOUNT_FLAG_NO_TWO_FACTOR, "no_two_factor" },
	};
	json_t *arr = json_array();

	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (flags & names[i].bit)
			json_array_append_new(arr, json_string(names[i].name));
	return arr;
}

/* ---- settings ----------------------------------------------------------------- */

int account_unused_days(struct store *st, int *days, struct mamori_err *err)
{
	char *v = NULL, *end;
	long n;
	int r = store_meta_get(st, ACCOUNT_META_UNUSED_DAYS, &v, err);

	*days = ACCOUNT_UNUSED_DAYS_DEFAULT;
	if (r < 0)
		return r;
	if (v) {
		n = strtol(v, &end, 10);
		if (!*end && n >= 1 && n <= ACCOUNT_UNUSED_DAYS_MAX)
			*days = (int)n;
	}
	free(v);
	return 0;
}

int account_set_unused_days(struct store *st, const char *actor, int days,
			    struct mamori_err *err)
{
	char num[16];
	int before, r;

	if (days < 1 || days > ACCOUNT_UNUSED_DAYS_MAX)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "未使用とみなす日数は 1〜%d の整数で指定してください (指定: %d)",
				      ACCOUNT_UNUSED_DAYS_MAX, days);
	r = account_unused_days(st, &before, err);
	if (r < 0 || before == days)
		return r;
	snprintf(num, sizeof(num), "%d", days);
	r = store_meta_set(st, ACCOUNT_META_UNUSED_DAYS, num, err);
	if (r == 0) {
		json_t *b = json_pack("{s:i}", "unused_days", before);
		json_t *a = json_pack("{s:i}", "unused_days", days);
		r = journal_append(st, actor, "account.settings", "settings", "accounts", b, a, NULL,
				   err);
		json_decref(b);
		json_decref(a);
	}
	return r;
}

/* ---- storage ------------------------------------------------------------------- */

static const char select_cols[] =
	"SELECT a.id, a.system_id, a.device_id, s.name, "
	"coalesce(dv.hostname, dv.asset_tag, dv.mac, '#' || dv.id), a.login, a.holder, "
	"a.holder_role, a.department, a.kind, a.admin, a.two_factor, a.created_on, "
	"a.last_used_on, a.holder_status, a.status, a.emergency_users, a.emergency_procedure, "
	"a.credential_rotated_on, a.disabled_at, a.note, a.created_at, a.updated_at "
	"FROM account a LEFT JOIN system s ON s.id = a.system_id "
	"LEFT JOIN device dv ON dv.id = a.device_id";

/* Columns of the fields that are stored as they are (all but the refs). */
static const char *column_of(int f)
{
	return account_fields[f].name;
}

static int is_ref(int f)
{
	return f == ACCOUNT_SYSTEM || f == ACCOUNT_DEVICE;
}

static void read_row(struct store *st, struct store_stmt *s, struct account *a)
{
	const char *v;

	account_init(a);
	a->id = store_column_int(st, s, 0);
	a->system_id = store_column_is_null(st, s, 1) ? 0 : store_column_int(st, s, 1);
	a->device_id = store_column_is_null(st, s, 2) ? 0 : store_column_int(st, s, 2);
	for (int f = 0; f < ACCOUNT_NFIELDS; f++) {
		if (store_column_is_null(st, s, f + 3))
			continue;
		v = store_column_text(st, s, f + 3);
		a->v[f] = xstrdup(v ? v : "");
	}
	v = store_column_text(st, s, ACCOUNT_NFIELDS + 3);
	a->created_at = dup_or_null(v);
	v = store_column_text(st, s, ACCOUNT_NFIELDS + 4);
	a->updated_at = dup_or_null(v);
}

/* Runs select_cols + where (text params) and collects up to max rows. */
static int select_where(struct store *st, const char *where, const char *const *params,
			size_t nparams, struct account **rows, size_t *nrows, size_t max,
			struct mamori_err *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct store_stmt *s = NULL;
	int r;

	*rows = NULL;
	*nrows = 0;
	strbuf_addf(&sql, "%s WHERE (%s) ORDER BY a.id LIMIT %zu", select_cols, where, max);
	r = store_prepare(st, sql.buf, &s, err);
	strbuf_release(&sql);
	if (r < 0)
		return r;
	for (size_t i = 0; i < nparams; i++)
		store_bind_text(st, s, (int)i + 1, params[i]);
	*rows = xcalloc(max, sizeof(**rows));
	while ((r = store_step(st, s, err)) == 1)
		read_row(st, s, &(*rows)[(*nrows)++]);
	store_finalize(st, s);
	if (r < 0) {
		for (size_t i = 0; i < *nrows; i++)
			account_release(&(*rows)[i]);
		free(*rows);
		*rows = NULL;
		*nrows = 0;
	}
	return r < 0 ? r : 0;
}

static void free_rows(struct account *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		account_release(&rows[i]);
	free(rows);
}

/* One row or ENOTFOUND / ECONFLICT (listing up to five candidates). */
static int one_of(struct account *rows, size_t n, const char *key, struct account *out,
		  struct mamori_err *err)
{
	if (n == 0)
		return mamori_err_set(err, MAMORI_ENOTFOUND,
				      "アカウント「%s」は見つかりません (ログインID・システム名/ログインID・#番号で指定)",
				      key);
	if (n > 1) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < n && i < 5; i++) {
			char *w = account_where(&rows[i]);
			strbuf_addf(&sb, "%s#%lld %s/%s", i ? ", " : "", (long long)rows[i].id, w,
				    rows[i].v[ACCOUNT_LOGIN]);
			free(w);
		}
		int r = mamori_err_set(err, MAMORI_ECONFLICT,
				       "「%s」に当てはまるアカウントが複数あります: %s%s "
				       "(#番号か「システム名/ログインID」で指定してください)",
				       key, sb.buf, n > 5 ? " …" : "");
		strbuf_release(&sb);
		return r;
	}
	*out = rows[0];
	account_init(&rows[0]);
	return 0;
}

int account_get(struct store *st, int64_t id, struct account *out, struct mamori_err *err)
{
	char key[32];
	snprintf(key, sizeof(key), "#%lld", (long long)id);
	return account_lookup(st, key, out, err);
}

int account_lookup(struct store *st, const char *key, struct account *out,
		   struct mamori_err *err)
{
	struct account *rows = NULL;
	size_t n = 0;
	char *k = norm_text(key ? key : "");
	int r;

	account_init(out);
	if (!*k) {
		free(k);
		return mamori_err_set(err, MAMORI_EUSAGE, "アカウントの指定が空です");
	}
	if (k[0] == '#') {
		char *end, idbuf[32];
		long long id = strtoll(k + 1, &end, 10);
		if (*end || id <= 0) {
			r = mamori_err_set(err, MAMORI_EUSAGE, "アカウント番号「%s」が正しくありません", k);
			goto out;
		}
		snprintf(idbuf, sizeof(idbuf), "%lld", id);
		const char *p[] = { idbuf };
		r = select_where(st, "a.id = CAST(? AS INTEGER)", p, 1, &rows, &n, 2, err);
	} else {
		const char *p[] = { k };
		r = select_where(st, "a.login = ?", p, 1, &rows, &n, 6, err);
		char *slash = strrchr(k, '/');
		if (r == 0 && n == 0 && slash && slash != k && slash[1]) {
			char *where = xstrndup(k, (size_t)(slash - k));
			const char *q[] = { slash + 1, where, where, where, where };
			free_rows(rows, n);
			r = select_where(st,
					 "a.login = ? AND (s.name = ? OR s.category = ? OR dv.hostname = ?"
					 " OR dv.asset_tag = ?)",
					 q, 5, &rows, &n, 6, err);
			free(where);
		}
	}
	if (r == 0)
		r = one_of(rows, n, k, out, err);
out:
	free_rows(rows, n);
	free(k);
	return r;
}

int account_find_same(struct store *st, const struct account *a, struct account *out,
		      int *found, struct mamori_err *err)
{
	struct account *rows = NULL;
	size_t n = 0;
	char sid[32], did[32];
	int r;

	*found = 0;
	account_init(out);
	if (!a->v[ACCOUNT_LOGIN])
		return 0;
	snprintf(sid, sizeof(sid), "%lld", (long long)a->system_id);
	snprintf(did, sizeof(did), "%lld", (long long)a->device_id);
	const char *p[] = { sid, did, a->v[ACCOUNT_LOGIN] };
	r = select_where(st,
			 "coalesce(a.system_id, 0) = CAST(? AS INTEGER) AND "
			 "coalesce(a.device_id, 0) = CAST(? AS INTEGER) AND a.login = ?",
			 p, 3, &rows, &n, 1, err);
	if (r == 0 && n == 1) {
		*out = rows[0];
		account_init(&rows[0]);
		*found = 1;
	}
	free_rows(rows, n);
	return r;
}

/* A system by name, else by its category when exactly one has it. */
static int find_system(struct store *st, const char *text, int64_t *id, char **name,
		       struct mamori_err *err)
{
	static const char *const sql[] = {
		"SELECT id, name FROM system WHERE name = ? ORDER BY id LIMIT 2",
		"SELECT id, name FROM system WHERE category = ? ORDER BY id LIMIT 2",
	};
	int r = 0;

	*id = 0;
	*name = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(sql) && !*id && r == 0; i++) {
		struct store_stmt *s = NULL;
		int rows = 0;
		r = store_prepare(st, sql[i], &s, err);
		if (r < 0)
			break;
		store_bind_text(st, s, 1, text);
		while ((r = store_step(st, s, err)) == 1) {
			if (rows++ == 0) {
				*id = store_column_int(st, s, 0);
				*name = xstrdup(store_column_text(st, s, 1));
			}
		}
		store_finalize(st, s);
		if (rows > 1 && i == 1) { /* an ambiguous category is no match */
			*id = 0;
			free(*name);
			*name = NULL;
		}
	}
	return r < 0 ? r : 0;
}

int account_resolve_refs(struct store *st, const char *actor, struct account *a, int create,
			 char **created, struct mamori_err *err)
{
	int r = 0;

	if (created)
		*created = NULL;
	a->system_id = 0;
	a->device_id = 0;
	if (a->v[ACCOUNT_SYSTEM]) {
		char *name = NULL;
		r = find_system(st, a->v[ACCOUNT_SYSTEM], &a->system_id, &name, err);
		if (r < 0)
			return r;
		if (a->system_id) {
			free(a->v[ACCOUNT_SYSTEM]);
			a->v[ACCOUNT_SYSTEM] = name;
		} else if (!create) {
			return mamori_err_set(err, MAMORI_ENOTFOUND, "システム「%s」は登録されていません",
					      a->v[ACCOUNT_SYSTEM]);
		} else {
			int made = 0;
			r = ledger_ref_resolve(st, actor, LEDGER_SYSTEM, a->v[ACCOUNT_SYSTEM], 1,
					       &a->system_id, &made, err);
			if (r < 0)
				return r;
			if (made && created)
				*created = xasprintf("システム「%s」", a->v[ACCOUNT_SYSTEM]);
		}
	}
	if (a->v[ACCOUNT_DEVICE]) {
		struct asset dev;
		struct mamori_err e = { 0 };
		r = asset_lookup(st, a->v[ACCOUNT_DEVICE], &dev, &e);
		if (r < 0) {
			if (created) {
				free(*created);
				*created = NULL;
			}
			return mamori_err_set(err, r, "%s", e.msg);
		}
		a->device_id = dev.id;
		const char *name = dev.v[ASSET_HOSTNAME]   ? dev.v[ASSET_HOSTNAME]
				   : dev.v[ASSET_TAG]      ? dev.v[ASSET_TAG]
				   : dev.v[ASSET_MAC]      ? dev.v[ASSET_MAC]
							   : NULL;
		free(a->v[ACCOUNT_DEVICE]);
		a->v[ACCOUNT_DEVICE] = name ? xstrdup(name) : xasprintf("#%lld", (long long)dev.id);
		asset_release(&dev);
	}
	return 0;
}

static int journal_account(struct store *st, const char *actor, const char *action,
			   const struct account *before, const struct account *after,
			   const char *note, struct mamori_err *err)
{
	json_t *b = before ? account_to_json(before) : NULL;
	json_t *a = after ? account_to_json(after) : NULL;
	char idbuf[32];
	int r;

	if (note && a)
		json_object_set_new(a, "action_note", json_string(note));
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)(after ? after->id : before->id));
	r = journal_append(st, actor, action, "account", idbuf, b, a, NULL, err);
	json_decref(b);
	json_decref(a);
	return r;
}

static void bind_fields(struct store *st, struct store_stmt *s, int *i, const struct account *a)
{
	if (a->system_id)
		store_bind_int(st, s, (*i)++, a->system_id);
	else
		store_bind_null(st, s, (*i)++);
	if (a->device_id)
		store_bind_int(st, s, (*i)++, a->device_id);
	else
		store_bind_null(st, s, (*i)++);
	for (int f = 0; f < ACCOUNT_NFIELDS; f++) {
		if (is_ref(f))
			continue;
		if (account_fields[f].type == ACCOUNT_T_BOOL && a->v[f])
			store_bind_int(st, s, (*i)++, !strcmp(a->v[f], "1"));
		else
			store_bind_text(st, s, (*i)++, a->v[f]);
	}
}

static int conflict(struct mamori_err *err, const struct account *a)
{
	char *w = account_where(a);
	int r = mamori_err_set(err, MAMORI_ECONFLICT,
			       "%s のアカウント「%s」は既に登録されています", w, a->v[ACCOUNT_LOGIN]);
	free(w);
	return r;
}

/* The text of the system or device does not match the ids (yet). */
static int refs_unresolved(const struct account *a)
{
	return (a->v[ACCOUNT_SYSTEM] != NULL) != (a->system_id != 0) ||
	       (a->v[ACCOUNT_DEVICE] != NULL) != (a->device_id != 0);
}

/* The disabled_at that goes with a's status: kept, set now, or cleared. */
static void sync_disabled_at(struct account *a, const char *before_status)
{
	char now[MAMORI_TIME_LEN];

	if (!is(a->v[ACCOUNT_STATUS], "disabled")) {
		free(a->v[ACCOUNT_DISABLED_AT]);
		a->v[ACCOUNT_DISABLED_AT] = NULL;
	} else if (!a->v[ACCOUNT_DISABLED_AT] || !is(before_status, "disabled")) {
		mamori_now(now);
		free(a->v[ACCOUNT_DISABLED_AT]);
		a->v[ACCOUNT_DISABLED_AT] = xstrdup(now);
	}
}

int account_insert(struct store *st, const char *actor, struct account *a,
		   struct mamori_err *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct store_stmt *s = NULL;
	struct ledger_facility fac = { 0 };
	struct account stored;
	char now[MAMORI_TIME_LEN];
	int r, i = 1;

	account_init(&stored);
	a->id = 0;
	r = account_validate(a, NULL, err);
	if (r == 0)
		r = ledger_facility_get(st, &fac, err);
	if (r == 0 && refs_unresolved(a))
		r = account_resolve_refs(st, actor, a, 1, NULL, err);
	if (r < 0)
		goto out;
	sync_disabled_at(a, NULL);
	mamori_now(now);
	strbuf_addstr(&sql, "INSERT INTO account (facility_id, created_at, updated_at, system_id, "
			    "device_id");
	for (int f = 0; f < ACCOUNT_NFIELDS; f++)
		if (!is_ref(f))
			strbuf_addf(&sql, ", %s", column_of(f));
	strbuf_addstr(&sql, ") VALUES (?, ?, ?, ?, ?");
	for (int f = 0; f < ACCOUNT_NFIELDS; f++)
		if (!is_ref(f))
			strbuf_addstr(&sql, ", ?");
	strbuf_addstr(&sql, ") RETURNING id");
	r = store_prepare(st, sql.buf, &s, err);
	if (r < 0)
		goto out;
	store_bind_int(st, s, i++, fac.id);
	store_bind_text(st, s, i++, now);
	store_bind_text(st, s, i++, now);
	bind_fields(st, s, &i, a);
	r = store_step(st, s, err);
	if (r == 1) {
		a->id = store_column_int(st, s, 0);
		r = 0;
	} else if (r == MAMORI_ECONFLICT) {
		r = conflict(err, a);
	}
	if (r < 0)
		goto out;
	r = account_get(st, a->id, &stored, err);
	if (r == 0)
		r = journal_account(st, actor, "account.add", NULL, &stored, NULL, err);
out:
	account_release(&stored);
	store_finalize(st, s);
	strbuf_release(&sql);
	ledger_facility_release(&fac);
	return r;
}

/* Writes a over row a->id and journals action (with note) when anything changed. */
static int write_over(struct store *st, const char *actor, const char *action, struct account *a,
		      const char *note, struct mamori_err *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct store_stmt *s = NULL;
	struct account before, after;
	char now[MAMORI_TIME_LEN];
	int r, i = 1;

	account_init(&after);
	r = account_get(st, a->id, &before, err);
	if (r < 0)
		return r;
	r = account_validate(a, NULL, err);
	if (r == 0 && refs_unresolved(a))
		r = account_resolve_refs(st, actor, a, 1, NULL, err);
	if (r < 0)
		goto out;
	sync_disabled_at(a, before.v[ACCOUNT_STATUS]);
	if (!account_diff(&before, a) && before.system_id == a->system_id &&
	    before.device_id == a->device_id)
		goto out;
	mamori_now(now);
	strbuf_addstr(&sql, "UPDATE account SET updated_at = ?, system_id = ?, device_id = ?");
	for (int f = 0; f < ACCOUNT_NFIELDS; f++)
		if (!is_ref(f))
			strbuf_addf(&sql, ", %s = ?", column_of(f));
	strbuf_addstr(&sql, " WHERE id = ?");
	r = store_prepare(st, sql.buf, &s, err);
	if (r < 0)
		goto out;
	store_bind_text(st, s, i++, now);
	bind_fields(st, s, &i, a);
	store_bind_int(st, s, i, a->id);
	r = store_step(st, s, err);
	if (r == MAMORI_ECONFLICT)
		r = conflict(err, a);
	if (r < 0)
		goto out;
	r = account_get(st, a->id, &after, err);
	if (r == 0)
		r = journal_account(st, actor, action, &before, &after, note, err);
out:
	account_release(&before);
	account_release(&after);
	store_finalize(st, s);
	strbuf_release(&sql);
	return r;
}

int account_update(struct store *st, const char *actor, struct account *a,
		   struct mamori_err *err)
{
	return write_over(st, actor, "account.edit", a, NULL, err);
}

static char *label_of(const struct account *a)
{
	char *w = account_where(a);
	char *s = xasprintf("アカウント #%lld (%s / %s)", (long long)a->id, w,
			    a->v[ACCOUNT_LOGIN] ? a->v[ACCOUNT_LOGIN] : "");
	free(w);
	return s;
}

static int state_conflict(const struct account *a, const char *what, struct mamori_err *err)
{
	char *l = label_of(a);
	int r = mamori_err_set(err, MAMORI_ECONFLICT, "%s は「%s」のため%sできません", l,
			       account_status_label(a->v[ACCOUNT_STATUS]), what);
	free(l);
	return r;
}

int account_disable(struct store *st, const char *actor, struct account *a, const char *note,
		    struct mamori_err *err)
{
	if (!is(a->v[ACCOUNT_STATUS], "enabled"))
		return state_conflict(a, "無効化", err);
	free(a->v[ACCOUNT_STATUS]);
	a->v[ACCOUNT_STATUS] = xstrdup("disabled");
	return write_over(st, actor, "account.disable", a, norm_is_blank(note) ? NULL : note, err);
}

int account_enable(struct store *st, const char *actor, struct account *a,
		   struct mamori_err *err)
{
	if (!is(a->v[ACCOUNT_STATUS], "disabled"))
		return state_conflict(a, "有効に", err);
	free(a->v[ACCOUNT_STATUS]);
	a->v[ACCOUNT_STATUS] = xstrdup("enabled");
	return write_over(st, actor, "account.enable", a, NULL, err);
}

int account_rotate(struct store *st, const char *actor, struct account *a, const char *when,
		   const char *note, struct mamori_err *err)
{
	char today[11], now[MAMORI_TIME_LEN], day[NORM_DATE_LEN];
	int r;

	if (is(a->v[ACCOUNT_STATUS], "deleted"))
		return state_conflict(a, "パスワード変更を記録", err);
	if (norm_is_blank(when)) {
		mamori_now(now);
		free(a->v[ACCOUNT_ROTATED_ON]);
		a->v[ACCOUNT_ROTATED_ON] = xstrdup(now);
	} else {
		r = norm_date(when, day, err);
		if (r < 0)
			return mamori_err_prefix(err, "変更日");
		if (norm_date_is_future(day, today))
			return mamori_err_set(err, MAMORI_EINVAL,
					      "変更日 %s は未来の日付です (今日は %s)", day, today);
		free(a->v[ACCOUNT_ROTATED_ON]);
		a->v[ACCOUNT_ROTATED_ON] = xstrdup(day);
	}
	/* the same date recorded twice changes nothing and leaves no entry */
	r = write_over(st, actor, "account.rotate", a, norm_is_blank(note) ? NULL : note, err);
	return r;
}

/* ---- lists -------------------------------------------------------------------- */

struct where {
	struct strbuf sql;
	char *params[16];
	int n;
};

static void where_add(struct where *w, const char *cond, int nparams, ...)
{
	va_list ap;

	strbuf_addstr(&w->sql, w->sql.len ? " AND " : " WHERE ");
	strbuf_addstr(&w->sql, cond);
	va_start(ap, nparams);
	for (int i = 0; i < nparams; i++) {
		if (w->n >= (int)ARRAY_SIZE(w->params))
			BUG("too many query parameters");
		w->params[w->n++] = xstrdup(va_arg(ap, const char *));
	}
	va_end(ap);
}

static void where_release(struct where *w)
{
	for (int i = 0; i < w->n; i++)
		free(w->params[i]);
	strbuf_release(&w->sql);
}

static int query_build(struct store *st, struct where *w, const struct account_query *q,
		       struct mamori_err *err)
{
	strbuf_init(&w->sql);
	w->n = 0;
	if (!q)
		return 0;
	if (q->id) {
		char id[32];
		snprintf(id, sizeof(id), "%lld", (long long)q->id);
		where_add(w, "a.id = CAST(? AS INTEGER)", 1, id);
	}
	if (q->kind)
		where_add(w, "a.kind = ?", 1, q->kind);
	if (q->status && strcmp(q->status, "all"))
		where_add(w, "a.status = ?", 1, q->status);
	if (q->system)
		where_add(w, "(s.name = ? OR dv.hostname = ? OR dv.asset_tag = ?)", 3, q->system,
			  q->system, q->system);
	if (q->retired)
		where_add(w, "a.holder_status = 'retired'", 0);
	if (q->admin)
		where_add(w, "a.admin = 1", 0);
	if (q->unused) {
		char today[11], cutoff[11];
		int days = q->unused_days;
		if (!days) {
			int r = account_unused_days(st, &days, err);
			if (r < 0)
				return r;
		}
		if (q->today)
			snprintf(today, sizeof(today), "%s", q->today);
		else
			mamori_today(today);
		if (account_date_add(today, -days, cutoff) < 0)
			return mamori_err_set(err, MAMORI_EINVAL, "日付「%s」が正しくありません", today);
		where_add(w,
			  "a.status = 'enabled' AND a.kind <> 'emergency' AND "
			  "coalesce(a.last_used_on, a.created_on) < ?",
			  1, cutoff);
	}
	if (q->search && !norm_is_blank(q->search)) {
		char *t = norm_text(q->search);
		struct strbuf sb = STRBUF_INIT;
		strbuf_addch(&sb, '%');
		for (const char *p = t; *p; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				strbuf_addch(&sb, '\\');
			strbuf_addch(&sb, *p);
		}
		strbuf_addch(&sb, '%');
		where_add(w,
			  "(a.login LIKE ? ESCAPE '\\' OR a.holder LIKE ? ESCAPE '\\' OR "
			  "a.holder_role LIKE ? ESCAPE '\\' OR a.department LIKE ? ESCAPE '\\' OR "
			  "a.note LIKE ? ESCAPE '\\')",
			  5, sb.buf, sb.buf, sb.buf, sb.buf, sb.buf);
		strbuf_release(&sb);
		free(t);
	}
	return 0;
}

int account_list(struct store *st, const struct account_query *q,
		 int (*fn)(const struct account *a, void *ctx), void *ctx, struct mamori_err *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct store_stmt *s = NULL;
	struct where w;
	int r;

	r = query_build(st, &w, q, err);
	if (r < 0) {
		where_release(&w);
		return r;
	}
	strbuf_addstr(&sql, select_cols);
	strbuf_add(&sql, w.sql.buf, w.sql.len);
	strbuf_addstr(&sql, " ORDER BY s.name IS NULL, s.name, dv.hostname, a.login, a.id"
			    " LIMIT ? OFFSET ?");
	r = store_prepare(st, sql.buf, &s, err);
	strbuf_release(&sql);
	if (r < 0) {
		where_release(&w);
		return r;
	}
	for (int i = 0; i < w.n; i++)
		store_bind_text(st, s, i + 1, w.params[i]);
	store_bind_int(st, s, w.n + 1, q && q->limit > 0 ? q->limit : -1);
	store_bind_int(st, s, w.n + 2, q && q->offset > 0 ? q->offset : 0);
	while ((r = store_step(st, s, err)) == 1) {
		struct account a;
		read_row(st, s, &a);
		r = fn(&a, ctx);
		account_release(&a);
		if (r < 0)
			break;
	}
	store_finalize(st, s);
	where_release(&w);
	return r < 0 ? r : 0;
}

int account_count(struct store *st, const struct account_query *q, int64_t *n,
		  struct mamori_err *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct store_stmt *s = NULL;
	struct where w;
	int r;

	*n = 0;
	r = query_build(st, &w, q, err);
	if (r == 0) {
		strbuf_addstr(&sql, "SELECT COUNT(*) FROM account a LEFT JOIN system s ON s.id = "
				    "a.system_id LEFT JOIN device dv ON dv.id = a.device_id");
		strbuf_add(&sql, w.sql.buf, w.sql.len);
		r = store_prepare(st, sql.buf, &s, err);
	}
	if (r == 0) {
		for (int i = 0; i < w.n; i++)
			store_bind_text(st, s, i + 1, w.params[i]);
		r = store_step(st, s, err);
		if (r == 1)
			*n = store_column_int(st, s, 0);
		store_finalize(st, s);
	}
	strbuf_release(&sql);
	where_release(&w);
	return r < 0 ? r : 0;
}

/* ---- CSV export ---------------------------------------------------------------- */

struct export_ctx {
	struct strbuf *out;
	enum enc_kind enc;
	struct mamori_err *err;
};

static int emit_line(struct export_ctx *c, const char *const *cells, size_t n,
		     const struct account *a)
{
	struct strbuf line = STRBUF_INIT;
	char *conv = NULL;
	size_t clen = 0;
	int r = 0;

	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(&line, ',');
		csv_write_field(&line, cells[i], ',');
	}
	strbuf_addstr(&line, "\r\n");
	if (c->enc != ENC_CP932) {
		strbuf_add(c->out, line.buf, line.len);
	} else if (enc_from_utf8(line.buf, line.len, ENC_CP932, &conv, &clen, c->err) == 0) {
		strbuf_add(c->out, conv, clen);
		free(conv);
	} else {
		if (a)
			mamori_err_prefix(c->err, "アカウント #%lld (%s)", (long long)a->id,
					  a->v[ACCOUNT_LOGIN]);
		r = MAMORI_EINVAL;
	}
	strbuf_release(&line);
	return r;
}

static int export_row(const struct account *a, void *p)
{
	const char *cells[ACCOUNT_NFIELDS];
	size_t n = 0;

	for (int f = 0; f < ACCOUNT_NFIELDS; f++)
		if (!(account_fields[f].flags & ACCOUNT_F_READONLY))
			cells[n++] = account_display_value(a, f);
	return emit_line(p, cells, n, a);
}

int account_export_csv(struct store *st, const struct account_query *q, enum enc_kind enc,
		       struct strbuf *out, struct mamori_err *err)
{
	struct export_ctx c = { .out = out, .enc = enc, .err = err };
	const char *head[ACCOUNT_NFIELDS];
	size_t n = 0;
	int r;

	if (enc != ENC_CP932)
		strbuf_addstr(out, "\xef\xbb\xbf");
	for (int f = 0; f < ACCOUNT_NFIELDS; f++)
		if (!(account_fields[f].flags & ACCOUNT_F_READONLY))
			head[n++] = account_fields[f].label;
	r = emit_line(&c, head, n, NULL);
	if (r == 0)
		r = account_list(st, q, export_row, &c, err);
	return r;
}
