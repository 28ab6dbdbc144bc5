/*
 * asset.c - devices of the ledger: the field table, normalisation,
 * validation, lookup, storage and lifecycle (see asset.h).
 */
#include "common.h"
#include "asset.h"
#include "journal.h"
#include "ledger.h"
#include "norm.h"
#include "store.h"
#include "strbuf.h"
#include "vocab.h"

#define ALIASES(...) ((const char *const[]){ __VA_ARGS__, NULL })

const struct asset_field asset_fields[ASSET_NFIELDS] = {
	[ASSET_TAG] = { "asset_tag", "媒体名", "Asset tag", ASSET_T_TEXT, ASSET_F_LIST,
		ALIASES("資産番号", "管理番号", "資産管理番号", "機器番号", "asset tag", "tag") },
	[ASSET_HOSTNAME] = { "hostname", "ホスト名", "Host name", ASSET_T_TEXT, 0,
		ALIASES("PC名", "コンピュータ名", "コンピューター名", "端末名", "host") },
	[ASSET_KIND] = { "kind", "種別", "Kind", ASSET_T_KIND, ASSET_F_LIST,
		ALIASES("機器種別", "機器の種類", "分類", "type") },
	[ASSET_MODEL] = { "model", "機器名", "Model", ASSET_T_TEXT, ASSET_F_LIST,
		ALIASES("機種", "機種名", "型番", "製品名") },
	[ASSET_MANUFACTURER] = { "manufacturer", "メーカー", "Manufacturer", ASSET_T_TEXT, 0,
		ALIASES("製造元", "製造者", "maker") },
	[ASSET_SERIAL] = { "serial", "シリアル番号", "Serial number", ASSET_T_TEXT, 0,
		ALIASES("製造番号", "S/N", "SN") },
	[ASSET_OS] = { "os", "OS", "OS", ASSET_T_TEXT, ASSET_F_LIST,
		ALIASES("オペレーティングシステム", "operating system") },
	[ASSET_OS_VERSION] = { "os_version", "OSのバージョン", "OS version", ASSET_T_TEXT, 0,
		ALIASES("OSバージョン", "バージョン", "version") },
	[ASSET_MAC] = { "mac", "MACアドレス", "MAC address", ASSET_T_MAC, ASSET_F_LIST,
		ALIASES("物理アドレス", "MAC") },
	[ASSET_IP] = { "ip", "IPアドレス", "IP address", ASSET_T_IP, ASSET_F_LIST,
		ALIASES("IP") },
	[ASSET_OUTLET] = { "outlet", "登録情報コンセント番号", "Network outlet", ASSET_T_TEXT, 0,
		ALIASES("コンセント番号", "情報コンセント番号", "情報コンセント", "LANポート") },
	[ASSET_OWNER] = { "owner", "申請者", "Owner", ASSET_T_TEXT, ASSET_F_LIST,
		ALIASES("所有者", "使用者", "利用者", "管理者", "担当者", "管理責任者") },
	[ASSET_DEPARTMENT] = { "department", "部署", "Department", ASSET_T_TEXT, ASSET_F_LIST,
		ALIASES("部局名", "部局", "設置部署", "所属", "部門", "診療科") },
	[ASSET_LOCATION] = { "location", "設置場所", "Location", ASSET_T_REF_LOCATION, 0,
		ALIASES("場所", "部屋", "room") },
	[ASSET_SYSTEM] = { "system", "システム名", "System", ASSET_T_REF_SYSTEM, 0,
		ALIASES("システム", "所属システム", "医療情報システム") },
	[ASSET_VENDOR] = { "vendor", "事業者", "Vendor", ASSET_T_REF_VENDOR, 0,
		ALIASES("保守業者", "保守事業者", "ベンダー", "ベンダ", "業者", "保守会社") },
	[ASSET_PAYMENT] = { "payment", "支払区分", "Payment", ASSET_T_TEXT, 0,
		ALIASES("費用負担", "負担区分") },
	[ASSET_REGISTERED_ON] = { "registered_on", "登録日", "Registered on", ASSET_T_DATE, 0,
		ALIASES("初回登録日", "初期登録日", "初", "導入日", "registered") },
	[ASSET_REMOTE_MAINTENANCE] = { "remote_maintenance", "リモート保守", "Remote maintenance",
		ASSET_T_BOOL, 0,
		ALIASES("リモートメンテナンス", "リモート保守の有無", "リモート接続", "remote") },
	[ASSET_ANTIVIRUS] = { "antivirus", "ウイルス対策の有無", "Antivirus", ASSET_T_BOOL, 0,
		ALIASES("ウイルス対策", "ウィルス対策", "ウィルス対策の有無", "AV") },
	[ASSET_PATCHED] = { "patched", "OS等の脆弱性対策", "Patched", ASSET_T_BOOL, 0,
		ALIASES("脆弱性対策", "パッチ適用", "パッチ", "patch") },
	[ASSET_CONFIDENTIALITY] = { "confidentiality", "機密性", "Confidentiality",
		ASSET_T_RATING_ABC, 0, NULL },
	[ASSET_INTEGRITY] = { "integrity", "完全性", "Integrity", ASSET_T_RATING_AB, 0, NULL },
	[ASSET_AVAILABILITY] = { "availability", "可用性", "Availability", ASSET_T_RATING_AB, 0, NULL },
	[ASSET_SECURE_AREA] = { "secure_area", "安全区域設定", "Secure area", ASSET_T_BOOL, 0,
		ALIASES("機密性Aの場合：安全区域設定", "安全区域") },
	[ASSET_INFO_HANDLING] = { "info_handling", "取り扱い情報の管理状態", "Information handling",
		ASSET_T_BOOL, 0,
		ALIASES("機密性Aの場合：取り扱い情報の管理状態", "取扱い情報の管理状態",
			"取扱情報の管理状態") },
	[ASSET_SOURCE_RESTRICTION] = { "source_restriction", "接続元制限", "Source restriction",
		ASSET_T_BOOL, 0,
		ALIASES("接続元制限の有無", "アクセス元制限", "接続制限") },
	[ASSET_NOTES] = { "notes", "備考", "Notes", ASSET_T_TEXT, 0,
		ALIASES("メモ", "remarks", "note") },
	[ASSET_STATUS] = { "status", "状態", "Status", ASSET_T_STATUS, ASSET_F_LIST | ASSET_F_LIFECYCLE,
		ALIASES("ステータス", "使用状況") },
	[ASSET_RETIRED_ON] = { "retired_on", "使用終了日", "Retired on", ASSET_T_DATE,
		ASSET_F_LIFECYCLE, ALIASES("停止日", "retired") },
	[ASSET_RETIRE_REASON] = { "retire_reason", "使用終了理由", "Retire reason", ASSET_T_TEXT,
		ASSET_F_LIFECYCLE, ALIASES("停止理由") },
	[ASSET_DISPOSAL_METHOD] = { "disposal_method", "廃棄方法", "Disposal method", ASSET_T_TEXT,
		ASSET_F_LIFECYCLE, ALIASES("消去方法", "データ消去方法") },
	[ASSET_DISPOSED_BY] = { "disposed_by", "廃棄実施者", "Disposed by", ASSET_T_TEXT,
		ASSET_F_LIFECYCLE, ALIASES("廃棄者", "廃棄担当者") },
	[ASSET_DISPOSED_ON] = { "disposed_on", "廃棄日", "Disposed on", ASSET_T_DATE,
		ASSET_F_LIFECYCLE, ALIASES("廃棄年月日") },
	[ASSET_DISPOSAL_CERTIFICATE] = { "disposal_certificate", "廃棄証明書", "Disposal certificate",
		ASSET_T_TEXT, ASSET_F_LIFECYCLE,
		ALIASES("証憑", "廃棄証明", "データ消去証明書", "消去証明書") },
};

static const struct vocab kinds[] = {
	{ "server", "サーバ", ALIASES("サーバ", "サーバー", "sv", "srv") },
	{ "pc", "端末PC", ALIASES("端末PC", "端末", "パソコン", "PC", "クライアント", "ノートPC",
				  "デスクトップ", "タブレット", "terminal") },
	{ "network", "ネットワーク機器", ALIASES("ネットワーク機器", "ネットワーク", "NW", "UTM",
						 "ルータ", "ルーター", "スイッチ", "HUB", "ハブ",
						 "ファイアウォール", "FW", "無線LAN", "AP",
						 "アクセスポイント", "VPN装置") },
	{ "printer", "プリンタ等", ALIASES("プリンタ等", "プリンタ", "プリンター", "複合機",
					    "スキャナ", "スキャナー", "記憶装置付きプリンタ") },
	{ "medical", "医療機器", ALIASES("医療機器", "モダリティ", "医用機器", "検査機器") },
	{ "other", "その他", ALIASES("その他") },
};

static const struct vocab statuses[] = {
	{ "in_use", "使用中", ALIASES("使用中", "稼働中", "運用中", "利用中", "in use", "active") },
	{ "retired", "使用終了", ALIASES("使用終了", "停止", "停止中", "退役", "未使用") },
	{ "disposed", "廃棄済", ALIASES("廃棄済", "廃棄済み", "廃棄") },
};

int asset_field_find(const char *header)
{
	char *k = vocab_key(header);
	int found = -1;

	for (int f = 0; f < ASSET_NFIELDS && found < 0; f++) {
		const struct asset_field *d = &asset_fields[f];
		if (vocab_names(k, d->name, d->label, d->label_en, d->aliases))
			found = f;
	}
	free(k);
	return found;
}

void asset_init(struct asset *a)
{
	memset(a, 0, sizeof(*a));
}

void asset_release(struct asset *a)
{
	if (!a)
		return;
	for (int i = 0; i < ASSET_NFIELDS; i++)
		free(a->v[i]);
	free(a->created_at);
	free(a->updated_at);
	asset_init(a);
}

void asset_copy(struct asset *dst, const struct asset *src)
{
	asset_init(dst);
	dst->id = src->id;
	for (int i = 0; i < ASSET_NFIELDS; i++)
		dst->v[i] = src->v[i] ? xstrdup(src->v[i]) : NULL;
	dst->created_at = src->created_at ? xstrdup(src->created_at) : NULL;
	dst->updated_at = src->updated_at ? xstrdup(src->updated_at) : NULL;
}

json_t *asset_vocabulary_json(void)
{
	static const char *const types[] = {
		[ASSET_T_TEXT] = "text",	   [ASSET_T_MAC] = "mac",
		[ASSET_T_IP] = "ip",		   [ASSET_T_BOOL] = "bool",
		[ASSET_T_DATE] = "date",	   [ASSET_T_KIND] = "kind",
		[ASSET_T_STATUS] = "status",	   [ASSET_T_RATING_ABC] = "rating_abc",
		[ASSET_T_RATING_AB] = "rating_ab", [ASSET_T_REF_LOCATION] = "location",
		[ASSET_T_REF_SYSTEM] = "system",   [ASSET_T_REF_VENDOR] = "vendor",
	};
	json_t *fields = json_array(), *k = json_array(), *st = json_array();

	for (int f = 0; f < ASSET_NFIELDS; f++)
		json_array_append_new(fields,
				      json_pack("{s:s, s:s, s:s, s:s, s:b}", "name", asset_fields[f].name,
						"label", asset_fields[f].label, "label_en",
						asset_fields[f].label_en, "type",
						types[asset_fields[f].type], "lifecycle",
						(asset_fields[f].flags & ASSET_F_LIFECYCLE) != 0));
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		json_array_append_new(k, json_pack("{s:s, s:s}", "value", kinds[i].value, "label",
						   kinds[i].label));
	for (size_t i = 0; i < ARRAY_SIZE(statuses); i++)
		json_array_append_new(st, json_pack("{s:s, s:s}", "value", statuses[i].value, "label",
						    statuses[i].label));
	return json_pack("{s:o, s:o, s:o}", "fields", fields, "kinds", k, "statuses", st);
}

int asset_apply_json(struct asset *a, json_t *obj, const char **bad_field,
		     struct mamori_err *err)
{
	const char *key;
	json_t *v;

	*bad_field = NULL;
	if (!json_is_object(obj))
		return mamori_err_set(err, MAMORI_EINVAL, "JSON のオブジェクトを送ってください");
	json_object_foreach(obj, key, v) {
		int f = asset_field_find(key);
		char num[VOCAB_NUM_LEN];
		const char *text;

		if (f < 0) {
			*bad_field = key;
			return mamori_err_set(err, MAMORI_EINVAL, "不明な項目です");
		}
		*bad_field = asset_fields[f].name;
		if (asset_fields[f].flags & ASSET_F_LIFECYCLE)
			return mamori_err_set(err, MAMORI_EINVAL,
					      "使用終了・廃棄は専用の操作で記録してください");
		int r = vocab_json_text(v, num, &text, err);
		if (r == 0)
			r = asset_set(a, f, text, err);
		if (r < 0)
			return r;
	}
	*bad_field = NULL;
	return 0;
}

const char *asset_kind_label(const char *kind)
{
	return vocab_label(kinds, ARRAY_SIZE(kinds), kind);
}

const char *asset_status_label(const char *status)
{
	return vocab_label(statuses, ARRAY_SIZE(statuses), status);
}

/* Longest value accepted in a text field (a cell of a ledger, not a file). */
#define ASSET_TEXT_MAX 1000

int asset_set(struct asset *a, int f, const char *raw, struct mamori_err *err)
{
	char buf[NORM_IP_LEN + NORM_MAC_LEN];
	const char *canon = NULL;
	char *text = norm_text(raw);
	char *val = NULL;
	int b, r = 0;

	if (f < 0 || f >= ASSET_NFIELDS)
		BUG("bad asset field %d", f);
	if (!*text)
		goto store;
	switch (asset_fields[f].type) {
	case ASSET_T_TEXT:
	case ASSET_T_REF_LOCATION:
	case ASSET_T_REF_SYSTEM:
	case ASSET_T_REF_VENDOR:
		if (strlen(text) > ASSET_TEXT_MAX) {
			r = mamori_err_set(err, MAMORI_EINVAL, "長すぎます (%zu バイト、上限 %d)",
					   strlen(text), ASSET_TEXT_MAX);
			break;
		}
		val = xstrdup(text);
		break;
	case ASSET_T_MAC:
		r = norm_mac(text, buf, err);
		if (r == 0)
			val = xstrdup(buf);
		break;
	case ASSET_T_IP:
		r = norm_ip(text, buf, err);
		if (r == 0)
			val = xstrdup(buf);
		break;
	case ASSET_T_DATE:
		r = norm_date(text, buf, err);
		if (r == 0)
			val = xstrdup(buf);
		break;
	case ASSET_T_BOOL:
		r = norm_bool(text, &b, err);
		if (r == 0 && b >= 0)
			val = xstrdup(b ? "1" : "0");
		break;
	case ASSET_T_RATING_ABC:
		r = norm_rating(text, "ABC", buf, sizeof(buf), err);
		if (r == 0)
			val = xstrdup(buf);
		break;
	case ASSET_T_RATING_AB:
		r = norm_rating(text, "AB", buf, sizeof(buf), err);
		if (r == 0)
			val = xstrdup(buf);
		break;
	case ASSET_T_KIND:
		r = vocab_parse(kinds, ARRAY_SIZE(kinds), text, &canon, err);
		if (r == 0)
			val = xstrdup(canon);
		break;
	case ASSET_T_STATUS:
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
	return 0;
}

static int contains_ci(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle) != NULL;
}

/* Kind from the OS or model when none was given; NULL when unclear. */
static const char *guess_kind(const struct asset *a)
{
	const char *os = a->v[ASSET_OS], *model = a->v[ASSET_MODEL];
	static const char *const servers[] = { "server", "サーバ", "ws20", "rhel", "red hat",
					       "centos", "rocky", "alma", "esxi", "linux" };
	static const char *const pcs[] = { "windows", "win", "mac", "chrome" };
	static const char *const nets[] = { "utm", "switch", "スイッチ", "ルータ", "router",
					    "fortigate", "firewall", "ファイアウォール", "hub" };
	static const char *const printers[] = { "プリンタ", "printer", "複合機", "scanner",
						"スキャナ", "bizhub", "imagerunner", "docuprint" };

	for (size_t i = 0; i < ARRAY_SIZE(servers); i++)
		if (contains_ci(os, servers[i]))
			return "server";
	for (size_t i = 0; i < ARRAY_SIZE(pcs); i++)
		if (contains_ci(os, pcs[i]))
			return "pc";
	/* Printers first: "bizhub" (a multifunction printer) contains "hub". */
	for (size_t i = 0; i < ARRAY_SIZE(printers); i++)
		if (contains_ci(model, printers[i]))
			return "printer";
	for (size_t i = 0; i < ARRAY_SIZE(nets); i++)
		if (contains_ci(model, nets[i]))
			return "network";
	return NULL;
}

const char *asset_key(const struct asset *a, int *field)
{
	static const int order[] = { ASSET_TAG, ASSET_MAC, ASSET_HOSTNAME };

	for (size_t i = 0; i < ARRAY_SIZE(order); i++)
		if (a->v[order[i]]) {
			if (field)
				*field = order[i];
			return a->v[order[i]];
		}
	if (field)
		*field = -1;
	return NULL;
}

static int invalid(int *bad_field, int f, struct mamori_err *err, const char *msg)
{
	if (bad_field)
		*bad_field = f;
	return mamori_err_set(err, MAMORI_EINVAL, "%s", msg);
}

int asset_validate(struct asset *a, int *bad_field, struct mamori_err *err)
{
	const char *status;

	if (bad_field)
		*bad_field = -1;
	if (!asset_key(a, NULL))
		return invalid(bad_field, ASSET_TAG, err,
			       "機器を特定できません: 媒体名・MACアドレス・ホスト名のいずれかが必要です");
	if (!a->v[ASSET_KIND]) {
		const char *k = guess_kind(a);
		a->v[ASSET_KIND] = xstrdup(k ? k : "other");
	}
	if (!a->v[ASSET_STATUS])
		a->v[ASSET_STATUS] = xstrdup("in_use");
	status = a->v[ASSET_STATUS];
	if (!strcmp(status, "in_use")) {
		for (int f = ASSET_RETIRED_ON; f <= ASSET_DISPOSAL_CERTIFICATE; f++)
			if (a->v[f])
				return invalid(bad_field, f, err,
					       "使用中の機器に使用終了・廃棄の項目は入れられません "
					       "(状態を「使用終了」か「廃棄済」にしてください)");
	} else if (!strcmp(status, "retired")) {
		for (int f = ASSET_DISPOSAL_METHOD; f <= ASSET_DISPOSAL_CERTIFICATE; f++)
			if (a->v[f])
				return invalid(bad_field, f, err,
					       "使用終了の機器に廃棄の項目は入れられません "
					       "(廃棄した場合は状態を「廃棄済」にしてください)");
	} else if (!strcmp(status, "disposed")) {
		static const int need[] = { ASSET_DISPOSAL_METHOD, ASSET_DISPOSED_BY,
					    ASSET_DISPOSED_ON, ASSET_DISPOSAL_CERTIFICATE };
		for (size_t i = 0; i < ARRAY_SIZE(need); i++)
			if (!a->v[need[i]]) {
				char msg[256];
				snprintf(msg, sizeof(msg), "廃棄済の機器には%sが必要です",
					 asset_fields[need[i]].label);
				return invalid(bad_field, need[i], err, msg);
			}
	}
	return 0;
}

uint64_t asset_diff(const struct asset *a, const struct asset *b)
{
	uint64_t mask = 0;

	for (int f = 0; f < ASSET_NFIELDS; f++) {
		const char *x = a->v[f], *y = b->v[f];
		if ((x == NULL) != (y == NULL) || (x && strcmp(x, y)))
			mask |= UINT64_C(1) << f;
	}
	return mask;
}

json_t *asset_to_json(const struct asset *a)
{
	json_t *o = json_object();

	if (a->id)
		json_object_set_new(o, "id", json_integer(a->id));
	for (int f = 0; f < ASSET_NFIELDS; f++) {
		const char *v = a->v[f];
		if (!v)
			continue;
		if (asset_fields[f].type == ASSET_T_BOOL)
			json_object_set_new(o, asset_fields[f].name, json_boolean(!strcmp(v, "1")));
		else
			json_object_set_new(o, asset_fields[f].name, json_string(v));
	}
	return o;
}

/* ---- storage ---------------------------------------------------------- */

static int is_ref(int f)
{
	enum asset_type t = asset_fields[f].type;
	return t == ASSET_T_REF_LOCATION || t == ASSET_T_REF_SYSTEM || t == ASSET_T_REF_VENDOR;
}

static enum ledger_table ref_table(int f)
{
	switch (asset_fields[f].type) {
	case ASSET_T_REF_LOCATION:
		return LEDGER_LOCATION;
	case ASSET_T_REF_SYSTEM:
		return LEDGER_SYSTEM;
	case ASSET_T_REF_VENDOR:
		return LEDGER_VENDOR;
	default:
		BUG("not a reference field");
	}
}

static const char *ref_alias(int f)
{
	switch (asset_fields[f].type) {
	case ASSET_T_REF_LOCATION:
		return "l";
	case ASSET_T_REF_SYSTEM:
		return "s";
	default:
		return "v";
	}
}

/* SELECT list and joins: columns 0 = id, 1..N = fields, then timestamps. */
static void select_sql(struct strbuf *sql)
{
	strbuf_addstr(sql, "SELECT d.id");
	for (int f = 0; f < ASSET_NFIELDS; f++) {
		if (is_ref(f))
			strbuf_addf(sql, ", %s.name", ref_alias(f));
		else
			strbuf_addf(sql, ", d.%s", asset_fields[f].name);
	}
	strbuf_addstr(sql, ", d.created_at, d.updated_at FROM device d "
			   "LEFT JOIN location l ON l.id = d.location_id "
			   "LEFT JOIN system s ON s.id = d.system_id "
			   "LEFT JOIN vendor v ON v.id = d.vendor_id");
}

static void read_row(struct store *st, struct store_stmt *s, struct asset *a)
{
	const char *v;

	asset_init(a);
	a->id = store_column_int(st, s, 0);
	for (int f = 0; f < ASSET_NFIELDS; f++) {
		if (store_column_is_null(st, s, f + 1))
			continue;
		v = store_column_text(st, s, f + 1);
		a->v[f] = xstrdup(v ? v : "");
	}
	v = store_column_text(st, s, ASSET_NFIELDS + 1);
	a->created_at = v ? xstrdup(v) : NULL;
	v = store_column_text(st, s, ASSET_NFIELDS + 2);
	a->updated_at = v ? xstrdup(v) : NULL;
}

/*
 * Runs "select … WHERE (<where>)<tail>" with text parameters (tail: more
 * conditions and the ORDER BY; NULL orders by id) and collects up to max rows.
 */
static int select_where(struct store *st, const char *where, const char *const *params,
			size_t nparams, struct asset **rows, size_t *nrows, size_t max,
			struct mamori_err *err, const char *tail)
{
	struct strbuf sql = STRBUF_INIT;
	struct store_stmt *s = NULL;
	int r;

	*rows = NULL;
	*nrows = 0;
	select_sql(&sql);
	strbuf_addf(&sql, " WHERE (%s)%s LIMIT %zu", where, tail ? tail : " ORDER BY d.id", max);
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
			asset_release(&(*rows)[i]);
		free(*rows);
		*rows = NULL;
		*nrows = 0;
		return r;
	}
	return 0;
}

static void free_rows(struct asset *rows, size_t n)
{
	for (size_t i = 0; i < n; i++)
		asset_release(&rows[i]);
	free(rows);
}

int asset_lookup(struct store *st, const char *key, struct asset *out, struct mamori_err *err)
{
	char mac[NORM_MAC_LEN], ip[NORM_IP_LEN], idbuf[32];
	struct asset *rows = NULL;
	size_t n = 0;
	char *k = norm_text(key);
	int r;

	asset_init(out);
	if (!*k) {
		free(k);
		return mamori_err_set(err, MAMORI_EUSAGE, "機器の指定が空です");
	}
	if (k[0] == '#') {
		char *end;
		long long id = strtoll(k + 1, &end, 10);
		if (*end || id <= 0) {
			r = mamori_err_set(err, MAMORI_EUSAGE, "機器番号「%s」が正しくありません", k);
			goto out;
		}
		snprintf(idbuf, sizeof(idbuf), "%lld", id);
		const char *p[] = { idbuf };
		r = select_where(st, "d.id = CAST(? AS INTEGER)", p, 1, &rows, &n, 2, err, NULL);
	} else {
		const char *p[] = { k, k, norm_mac(k, mac, NULL) == 0 ? mac : "",
				    norm_ip(k, ip, NULL) == 0 ? ip : "" };
		r = select_where(st, "d.asset_tag = ? OR d.hostname = ? OR d.mac = ? OR d.ip = ?", p,
				 4, &rows, &n, 6, err, NULL);
	}
	if (r < 0)
		goto out;
	if (n == 0) {
		r = mamori_err_set(err, MAMORI_ENOTFOUND,
				   "機器「%s」は見つかりません (媒体名・ホスト名・MAC・IP・#番号で指定)",
				   k);
	} else if (n > 1) {
		struct strbuf sb = STRBUF_INIT;
		for (size_t i = 0; i < n && i < 5; i++)
			strbuf_addf(&sb, "%s#%lld %s", i ? ", " : "", (long long)rows[i].id,
				    asset_key(&rows[i], NULL));
		r = mamori_err_set(err, MAMORI_ECONFLICT,
				   "「%s」に当てはまる機器が複数あります: %s%s (#番号で指定してください)",
				   k, sb.buf, n > 5 ? " …" : "");
		strbuf_release(&sb);
	} else {
		*out = rows[0];
		asset_init(&rows[0]);
		r = 0;
	}
out:
	free_rows(rows, n);
	free(k);
	return r;
}

int asset_find_same(struct store *st, const struct asset *a, struct asset *out, int *found,
		    struct mamori_err *err)
{
	struct asset *rows = NULL;
	size_t n = 0;
	int field, r;
	const char *key = asset_key(a, &field);

	*found = 0;
	asset_init(out);
	if (!key)
		return 0;
	/*
	 * MACs and host names are reused after a device is disposed.  A row
	 * describing a device in use matches only devices not disposed; a row
	 * describing a disposed device prefers the disposed device disposed on
	 * the same day, then any disposed one, then one not yet disposed (the
	 * officer recording a disposal by import).
	 */
	const char *disposed = a->v[ASSET_STATUS] && !strcmp(a->v[ASSET_STATUS], "disposed")
				       ? "1" : "0";
	const char *p[] = { key, disposed, disposed, a->v[ASSET_DISPOSED_ON] };
	static const char order[] =
		" AND (? = '1' OR d.status <> 'disposed')"
		" ORDER BY (? = '1' AND d.status = 'disposed') DESC, d.disposed_on IS ? DESC, d.id";
	if (field == ASSET_TAG)
		r = select_where(st, "d.asset_tag = ?", p, 1, &rows, &n, 1, err, NULL);
	else if (field == ASSET_MAC)
		r = select_where(st, "d.asset_tag IS NULL AND d.mac = ?", p, 4, &rows, &n, 1, err,
				 order);
	else
		r = select_where(st, "d.asset_tag IS NULL AND d.mac IS NULL AND d.hostname = ?", p, 4,
				 &rows, &n, 1, err, order);
	if (r == 0 && n == 1) {
		*out = rows[0];
		asset_init(&rows[0]);
		*found = 1;
	}
	free_rows(rows, n);
	return r;
}

/* Resolves the reference fields of a to ids (creating what is missing). */
static int resolve_refs(struct store *st, const char *actor, const struct asset *a,
			int64_t ids[ASSET_NFIELDS], struct mamori_err *err)
{
	for (int f = 0; f < ASSET_NFIELDS; f++) {
		ids[f] = 0;
		if (!is_ref(f) || !a->v[f])
			continue;
		int r = ledger_ref_resolve(st, actor, ref_table(f), a->v[f], 1, &ids[f], NULL, err);
		if (r < 0)
			return mamori_err_prefix(err, "%s", asset_fields[f].label);
	}
	return 0;
}

static const char *column_of(int f)
{
	switch (f) {
	case ASSET_LOCATION:
		return "location_id";
	case ASSET_SYSTEM:
		return "system_id";
	case ASSET_VENDOR:
		return "vendor_id";
	default:
		return asset_fields[f].name;
	}
}

static void bind_field(struct store *st, struct store_stmt *s, int idx, const struct asset *a,
		       int f, const int64_t ids[ASSET_NFIELDS])
{
	if (is_ref(f)) {
		if (ids[f])
			store_bind_int(st, s, idx, ids[f]);
		else
			store_bind_null(st, s, idx);
	} else if (asset_fields[f].type == ASSET_T_BOOL && a->v[f]) {
		store_bind_int(st, s, idx, !strcmp(a->v[f], "1"));
	} else {
		store_bind_text(st, s, idx, a->v[f]);
	}
}

static int load_by_id(struct store *st, int64_t id, struct asset *out, struct mamori_err *err)
{
	char key[32];
	snprintf(key, sizeof(key), "#%lld", (long long)id);
	return asset_lookup(st, key, out, err);
}

static int journal_asset(struct store *st, const char *actor, const char *action,
			 const struct asset *before, const struct asset *after,
			 struct mamori_err *err)
{
	json_t *b = before ? asset_to_json(before) : NULL;
	json_t *a = after ? asset_to_json(after) : NULL;
	char idbuf[32];
	int r;

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)(after ? after->id : before->id));
	r = journal_append(st, actor, action, "device", idbuf, b, a, NULL, err);
	json_decref(b);
	json_decref(a);
	return r;
}

/* The MAC of a must not belong to another device still in the ledger. */
static int check_mac_unique(struct store *st, const struct asset *a, struct mamori_err *err)
{
	struct asset *rows = NULL;
	size_t n = 0;
	char idbuf[32];
	int r;

	if (!a->v[ASSET_MAC])
		return 0;
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)a->id);
	const char *p[] = { a->v[ASSET_MAC], idbuf };
	r = select_where(st, "d.mac = ? AND d.id <> CAST(? AS INTEGER) AND d.status <> 'disposed'", p,
			 2, &rows, &n, 1, err, NULL);
	if (r == 0 && n > 0)
		r = mamori_err_set(err, MAMORI_ECONFLICT,
				   "MACアドレス %s は既に別の機器 #%lld (%s) に登録されています",
				   a->v[ASSET_MAC], (long long)rows[0].id, asset_key(&rows[0], NULL));
	free_rows(rows, n);
	return r;
}

int asset_insert(struct store *st, const char *actor, struct asset *a, struct mamori_err *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct store_stmt *s = NULL;
	struct ledger_facility fac = { 0 };
	struct asset stored;
	int64_t ids[ASSET_NFIELDS];
	char now[MAMORI_TIME_LEN];
	int r, i = 1;

	asset_init(&stored);
	a->id = 0;
	r = asset_validate(a, NULL, err);
	if (r == 0)
		r = check_mac_unique(st, a, err);
	if (r == 0)
		r = ledger_facility_get(st, &fac, err);
	if (r == 0)
		r = resolve_refs(st, actor, a, ids, err);
	if (r < 0)
		goto out;
	mamori_now(now);
	strbuf_addstr(&sql, "INSERT INTO device (facility_id, created_at, updated_at");
	for (int f = 0; f < ASSET_NFIELDS; f++)
		strbuf_addf(&sql, ", %s", column_of(f));
	strbuf_addstr(&sql, ") VALUES (?, ?, ?");
	for (int f = 0; f < ASSET_NFIELDS; f++)
		strbuf_addstr(&sql, ", ?");
	strbuf_addstr(&sql, ") RETURNING id");
	r = store_prepare(st, sql.buf, &s, err);
	if (r < 0)
		goto out;
	store_bind_int(st, s, i++, fac.id);
	store_bind_text(st, s, i++, now);
	store_bind_text(st, s, i++, now);
	for (int f = 0; f < ASSET_NFIELDS; f++)
		bind_field(st, s, i++, a, f, ids);
	r = store_step(st, s, err);
	if (r == 1) {
		a->id = store_column_int(st, s, 0);
		r = 0;
	} else if (r == MAMORI_ECONFLICT) {
		r = mamori_err_set(err, MAMORI_ECONFLICT, "媒体名「%s」の機器は既に登録されています",
				   a->v[ASSET_TAG] ? a->v[ASSET_TAG] : "");
	}
	if (r < 0)
		goto out;
	r = load_by_id(st, a->id, &stored, err);
	if (r == 0)
		r = journal_asset(st, actor, "asset.add", NULL, &stored, err);
out:
	asset_release(&stored);
	store_finalize(st, s);
	strbuf_release(&sql);
	ledger_facility_release(&fac);
	return r;
}

/* Writes every field of a over row a->id; journals with action. */
static int write_over(struct store *st, const char *actor, const char *action, struct asset *a,
		      struct mamori_err *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct store_stmt *s = NULL;
	struct asset before, after;
	int64_t ids[ASSET_NFIELDS];
	char now[MAMORI_TIME_LEN];
	int r, i = 1;

	asset_init(&after);
	r = load_by_id(st, a->id, &before, err);
	if (r < 0)
		return r;
	if (!strcmp(before.v[ASSET_STATUS], "disposed")) {
		r = mamori_err_set(err, MAMORI_ECONFLICT,
				   "機器 #%lld (%s) は廃棄済のため変更できません", (long long)a->id,
				   asset_key(&before, NULL));
		goto out;
	}
	r = asset_validate(a, NULL, err);
	if (r == 0)
		r = check_mac_unique(st, a, err);
	if (r == 0)
		r = resolve_refs(st, actor, a, ids, err);
	if (r < 0)
		goto out;
	if (!asset_diff(&before, a))
		goto out; /* nothing to change, nothing to journal */
	mamori_now(now);
	strbuf_addstr(&sql, "UPDATE device SET updated_at = ?");
	for (int f = 0; f < ASSET_NFIELDS; f++)
		strbuf_addf(&sql, ", %s = ?", column_of(f));
	strbuf_addstr(&sql, " WHERE id = ?");
	r = store_prepare(st, sql.buf, &s, err);
	if (r < 0)
		goto out;
	store_bind_text(st, s, i++, now);
	for (int f = 0; f < ASSET_NFIELDS; f++)
		bind_field(st, s, i++, a, f, ids);
	store_bind_int(st, s, i, a->id);
	r = store_step(st, s, err);
	if (r == MAMORI_ECONFLICT)
		r = mamori_err_set(err, MAMORI_ECONFLICT, "媒体名「%s」の機器は既に登録されています",
				   a->v[ASSET_TAG] ? a->v[ASSET_TAG] : "");
	if (r < 0)
		goto out;
	r = load_by_id(st, a->id, &after, err);
	if (r == 0)
		r = journal_asset(st, actor, action, &before, &after, err);
out:
	asset_release(&before);
	asset_release(&after);
	store_finalize(st, s);
	strbuf_release(&sql);
	return r;
}

int asset_update(struct store *st, const char *actor, struct asset *a, struct mamori_err *err)
{
	return write_over(st, actor, "asset.edit", a, err);
}

static int set_date_or_today(struct asset *a, int f, const char *date, struct mamori_err *err)
{
	char today[11];

	if (!date || !*date) {
		mamori_today(today);
		date = today;
	}
	int r = asset_set(a, f, date, err);
	return r < 0 ? mamori_err_prefix(err, "%s", asset_fields[f].label) : 0;
}

int asset_retire(struct store *st, const char *actor, struct asset *a, const char *date,
		 const char *reason, struct mamori_err *err)
{
	int r;

	if (strcmp(a->v[ASSET_STATUS], "in_use") != 0)
		return mamori_err_set(err, MAMORI_ECONFLICT,
				      "機器 #%lld (%s) は既に「%s」です", (long long)a->id,
				      asset_key(a, NULL), asset_status_label(a->v[ASSET_STATUS]));
	r = asset_set(a, ASSET_STATUS, "retired", err);
	if (r == 0)
		r = set_date_or_today(a, ASSET_RETIRED_ON, date, err);
	if (r == 0)
		r = asset_set(a, ASSET_RETIRE_REASON, reason, err);
	if (r == 0)
		r = write_over(st, actor, "asset.retire", a, err);
	return r;
}

int asset_dispose(struct store *st, const char *actor, struct asset *a, const char *method,
		  const char *by, const char *date, const char *certificate,
		  struct mamori_err *err)
{
	const struct {
		int f;
		const char *v;
	} need[] = {
		{ ASSET_DISPOSAL_METHOD, method },
		{ ASSET_DISPOSED_BY, by },
		{ ASSET_DISPOSAL_CERTIFICATE, certificate },
	};
	int r;

	if (!strcmp(a->v[ASSET_STATUS], "disposed"))
		return mamori_err_set(err, MAMORI_ECONFLICT, "機器 #%lld (%s) は既に廃棄済です",
				      (long long)a->id, asset_key(a, NULL));
	for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
		if (norm_is_blank(need[i].v))
			return mamori_err_set(err, MAMORI_EUSAGE, "廃棄には%sが必要です",
					      asset_fields[need[i].f].label);
		r = asset_set(a, need[i].f, need[i].v, err);
		if (r < 0)
			return mamori_err_prefix(err, "%s", asset_fields[need[i].f].label);
	}
	r = set_date_or_today(a, ASSET_DISPOSED_ON, date, err);
	if (r == 0 && !a->v[ASSET_RETIRED_ON])
		r = asset_set(a, ASSET_RETIRED_ON, a->v[ASSET_DISPOSED_ON], err);
	if (r == 0)
		r = asset_set(a, ASSET_STATUS, "disposed", err);
	if (r == 0)
		r = write_over(st, actor, "asset.dispose", a, err);
	return r;
}

/* ---- listing ---------------------------------------------------------- */

/*
 * A WHERE clause made of the filters that are set, and its parameters.
 * Only the conditions in use are written, so that SQLite can use the
 * indexes (a "(? IS NULL OR col = ?)" form would defeat them).
 */
struct where {
	struct strbuf sql;
	char *params[24];
	int n;
};

static void where_add(struct where *w, const char *cond, const char *param, int times)
{
	strbuf_addstr(&w->sql, w->sql.len ? " AND " : " WHERE ");
	strbuf_addstr(&w->sql, cond);
	for (int i = 0; i < times; i++) {
		if (w->n >= (int)ARRAY_SIZE(w->params))
			BUG("too many query parameters");
		w->params[w->n++] = xstrdup(param);
	}
}

static void where_release(struct where *w)
{
	for (int i = 0; i < w->n; i++)
		free(w->params[i]);
	strbuf_release(&w->sql);
}

/* Binds the parameters from index 1; returns the next index. */
static int where_bind(struct store *st, struct store_stmt *s, const struct where *w)
{
	for (int i = 0; i < w->n; i++)
		store_bind_text(st, s, i + 1, w->params[i]);
	return w->n + 1;
}

static void query_build(struct store *st, struct where *w, const struct asset_query *q)
{
	strbuf_init(&w->sql);
	w->n = 0;
	if (!q)
		return;
	if (q->status && strcmp(q->status, "all"))
		where_add(w, "d.status = ?", q->status, 1);
	if (q->kind)
		where_add(w, "d.kind = ?", q->kind, 1);
	if (q->vendor)
		where_add(w, "v.name = ?", q->vendor, 1);
	if (q->department)
		where_add(w, "d.department = ?", q->department, 1);
	if (q->search && !norm_is_blank(q->search)) {
		char *t = norm_text(q->search), *param = NULL;
		struct strbuf cond = STRBUF_INIT;

		/*
		 * With a department chosen, scanning its devices beats the text
		 * index, whose matches for a common term (an OS name) are many.
		 */
		if (!q->department && store_device_search(st, t, &cond, &param) == 0) {
			/* the back end's text index */
			where_add(w, cond.buf, param, 1);
		} else {
			/* a substring scan over the searchable columns */
			struct strbuf sb = STRBUF_INIT;
			strbuf_addch(&sb, '%');
			for (const char *p = t; *p; p++) {
				if (*p == '%' || *p == '_' || *p == '\\')
					strbuf_addch(&sb, '\\');
				strbuf_addch(&sb, *p);
			}
			strbuf_addch(&sb, '%');
			where_add(w, "(d.asset_tag LIKE ? ESCAPE '\\' OR d.hostname LIKE ? ESCAPE '\\'"
				     " OR d.model LIKE ? ESCAPE '\\' OR d.owner LIKE ? ESCAPE '\\'"
				     " OR d.ip LIKE ? ESCAPE '\\' OR d.mac LIKE ? ESCAPE '\\'"
				     " OR d.os LIKE ? ESCAPE '\\' OR d.department LIKE ? ESCAPE '\\')",
				  sb.buf, 8);
			strbuf_release(&sb);
		}
		strbuf_release(&cond);
		free(param);
		free(t);
	}
}

int asset_list(struct store *st, const struct asset_query *q,
	       int (*fn)(const struct asset *a, void *ctx), void *ctx, struct mamori_err *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct store_stmt *s = NULL;
	struct where w;
	int r, i;

	query_build(st, &w, q);
	select_sql(&sql);
	strbuf_add(&sql, w.sql.buf, w.sql.len);
	if (q && q->sort) {
		int f = -1;
		for (int k = 0; k < ASSET_NFIELDS && f < 0; k++)
			if (!strcmp(asset_fields[k].name, q->sort))
				f = k;
		if (f < 0) {
			strbuf_release(&sql);
			where_release(&w);
			return mamori_err_set(err, MAMORI_EUSAGE, "並べ替えの項目「%s」はありません",
					      q->sort);
		}
		if (is_ref(f))
			strbuf_addf(&sql, " ORDER BY %s.name %s, d.id %s", ref_alias(f),
				    q->desc ? "DESC" : "ASC", q->desc ? "DESC" : "ASC");
		else
			strbuf_addf(&sql, " ORDER BY d.%s %s, d.id %s", asset_fields[f].name,
				    q->desc ? "DESC" : "ASC", q->desc ? "DESC" : "ASC");
	} else {
		/* the order of the device_order index: blanks last */
		strbuf_addstr(&sql, " ORDER BY d.department IS NULL, d.department, d.asset_tag IS NULL,"
				   " d.asset_tag, d.hostname, d.id");
	}
	strbuf_addstr(&sql, " LIMIT ? OFFSET ?");
	r = store_prepare(st, sql.buf, &s, err);
	strbuf_release(&sql);
	if (r < 0) {
		where_release(&w);
		return r;
	}
	i = where_bind(st, s, &w);
	store_bind_int(st, s, i++, q && q->limit > 0 ? q->limit : -1);
	store_bind_int(st, s, i, q && q->offset > 0 ? q->offset : 0);
	while ((r = store_step(st, s, err)) == 1) {
		struct asset a;
		read_row(st, s, &a);
		r = fn(&a, ctx);
		asset_release(&a);
		if (r < 0)
			break;
	}
	store_finalize(st, s);
	where_release(&w);
	return r < 0 ? r : 0;
}

int asset_sort_valid(const char *name)
{
	for (int f = 0; f < ASSET_NFIELDS; f++)
		if (!strcmp(asset_fields[f].name, name))
			return 1;
	return 0;
}

int asset_count(struct store *st, const struct asset_query *q, int64_t *n,
		struct mamori_err *err)
{
	struct strbuf sql = STRBUF_INIT;
	struct store_stmt *s = NULL;
	struct where w;
	int r;

	*n = 0;
	query_build(st, &w, q);
	strbuf_addstr(&sql, "SELECT COUNT(*) FROM device d");
	if (q && q->vendor)
		strbuf_addstr(&sql, " LEFT JOIN vendor v ON v.id = d.vendor_id");
	strbuf_add(&sql, w.sql.buf, w.sql.len);
	r = store_prepare(st, sql.buf, &s, err);
	strbuf_release(&sql);
	if (r == 0) {
		where_bind(st, s, &w);
		r = store_step(st, s, err);
		if (r == 1)
			*n = store_column_int(st, s, 0);
		store_finalize(st, s);
	}
	where_release(&w);
	return r < 0 ? r : 0;
}
