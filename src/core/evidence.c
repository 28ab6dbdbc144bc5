/*
 * evidence.c - the rules behind each checklist item (see evidence.h).
 *
 * Each rule collects reasons into a struct found: supporting facts and
 * contradictions, each with a link.  The outcome follows from what was
 * found: any contradiction → contradicts; otherwise enough checked records
 * → supports; otherwise no_data.
 */
#include "common.h"
#include "account.h"
#include "asset.h"
#include "contact.h"
#include "eos.h"
#include "eoscat.h"
#include "evidence.h"
#include "store.h"

static const struct {
	const char *name;
	const char *label;
} rules[EVIDENCE_NRULES] = {
	[EVIDENCE_LEDGER] = { "ledger", "台帳の記載 (管理者・設置場所・OS・IP)" },
	[EVIDENCE_REMOTE] = { "remote_maintenance", "リモート保守機器の事業者・契約" },
	[EVIDENCE_MDS_SDS] = { "mds_sds", "MDS/SDS の受領" },
	[EVIDENCE_PATCH] = { "patch", "パッチ適用とサポート期限" },
	[EVIDENCE_SOURCE_RESTRICTION] = { "source_restriction", "ネットワーク機器の接続元制限" },
	[EVIDENCE_ACCOUNTS_UNUSED] = { "accounts_unused", "不要なアカウント (退職者・未使用)" },
	[EVIDENCE_ACCOUNTS_PRIVILEGE] = { "accounts_privilege", "管理者権限・職種別の権限" },
	[EVIDENCE_TWO_FACTOR] = { "two_factor", "二要素認証" },
	[EVIDENCE_PASSWORDS] = { "passwords", "パスワード" },
	[EVIDENCE_CONTACT_CHART] = { "contact_chart", "連絡体制図" },
	[EVIDENCE_BACKUP] = { "backup", "バックアップの復元テスト" },
	[EVIDENCE_BCP] = { "bcp", "BCP (事業継続計画)" },
	[EVIDENCE_RULES] = { "rules", "運用管理規程" },
};

const char *evidence_rule_name(enum evidence_rule r)
{
	return (unsigned)r < EVIDENCE_NRULES ? rules[r].name : NULL;
}

const char *evidence_rule_label(enum evidence_rule r)
{
	return (unsigned)r < EVIDENCE_NRULES ? rules[r].label : NULL;
}

const char *evidence_outcome_name(enum evidence_outcome o)
{
	static const char *const n[] = { "no_data", "supports", "contradicts" };
	return (unsigned)o < ARRAY_SIZE(n) ? n[o] : NULL;
}

const char *evidence_outcome_label(enum evidence_outcome o)
{
	static const char *const n[] = { "判断材料なし", "はいを裏付け", "はいと矛盾" };
	return (unsigned)o < ARRAY_SIZE(n) ? n[o] : NULL;
}

/*
 * Keywords in the order they are tried: the first found decides.  パスワード
 * comes before 二要素認証 because the password item mentions two-factor
 * in its note (※二要素認証…の場合は…不要); the bare アカウント comes last
 * of the account words; バックアップ before BCP because the backup item
 * mentions 復旧手順, not BCP.
 */
static const struct {
	const char *word;
	enum evidence_rule rule;
} keywords[] = {
	{ "台帳", EVIDENCE_LEDGER },
	{ "リモートメンテナンス", EVIDENCE_REMOTE },
	{ "リモート保守", EVIDENCE_REMOTE },
	{ "MDS", EVIDENCE_MDS_SDS },
	{ "医療情報セキュリティ開示書", EVIDENCE_MDS_SDS },
	{ "セキュリティパッチ", EVIDENCE_PATCH },
	{ "更新プログラム", EVIDENCE_PATCH },
	{ "接続元制限", EVIDENCE_SOURCE_RESTRICTION },
	{ "不要なアカウント", EVIDENCE_ACCOUNTS_UNUSED },
	{ "退職者", EVIDENCE_ACCOUNTS_UNUSED },
	{ "管理者権限", EVIDENCE_ACCOUNTS_PRIVILEGE },
	{ "アクセス利用権限", EVIDENCE_ACCOUNTS_PRIVILEGE },
	{ "パスワード", EVIDENCE_PASSWORDS },
	{ "二要素認証", EVIDENCE_TWO_FACTOR },
	{ "2要素認証", EVIDENCE_TWO_FACTOR },
	{ "多要素認証", EVIDENCE_TWO_FACTOR },
	{ "アカウント", EVIDENCE_ACCOUNTS_UNUSED },
	{ "連絡体制図", EVIDENCE_CONTACT_CHART },
	{ "バックアップ", EVIDENCE_BACKUP },
	{ "バック ア ップ", EVIDENCE_BACKUP },
	{ "事業継続計画", EVIDENCE_BCP },
	{ "BCP", EVIDENCE_BCP },
	{ "運用管理規程", EVIDENCE_RULES },
};

static int rule_in(const char *text)
{
	if (!text)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(keywords); i++)
		if (strstr(text, keywords[i].word))
			return keywords[i].rule;
	return -1;
}

int evidence_rule_for(const char *wording, const char *note)
{
	int r = rule_in(wording);

	/* A note is read only when there is no wording: it may mention other items. */
	return r >= 0 || wording ? r : rule_in(note);
}

/* What a rule found. */
struct found {
	json_t *reasons;     /* contradictions (or facts when none) */
	json_t *facts;       /* supporting facts */
	int64_t contradictions;
	int64_t checked;
	int64_t missing;     /* records without the data to judge */
};

static void add_reason(json_t *list, int64_t *count, const char *link, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add_reason(json_t *list, int64_t *count, const char *link, const char *fmt, ...)
{
	va_list ap;
	char *text;

	if (count)
		(*count)++;
	if (json_array_size(list) >= EVIDENCE_REASONS_MAX)
		return;
	va_start(ap, fmt);
	if (vasprintf(&text, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	json_array_append_new(list, json_pack("{s:s, s:s?}", "text", text, "link", link));
	free(text);
}

static const char *device_name(const struct asset *a, char *buf, size_t len)
{
	const char *n = a->v[ASSET_HOSTNAME] ? a->v[ASSET_HOSTNAME]
			: a->v[ASSET_TAG]        ? a->v[ASSET_TAG]
			: a->v[ASSET_MODEL]      ? a->v[ASSET_MODEL]
						 : NULL;
	if (n)
		snprintf(buf, len, "%s (#%lld)", n, (long long)a->id);
	else
		snprintf(buf, len, "#%lld", (long long)a->id);
	return buf;
}

static void device_link(const struct asset *a, char *buf, size_t len)
{
	snprintf(buf, len, "#/assets/%lld", (long long)a->id);
}

/* Device kinds an item of that scope is about. */
static bool kind_in_scope(const char *kind, unsigned scope)
{
	if (!kind)
		return false;
	if (!scope || (scope & CHECKLIST_SCOPE_ALL))
		return strcmp(kind, "medical") && strcmp(kind, "other");
	return ((scope & CHECKLIST_SCOPE_SERVER) && !strcmp(kind, "server")) ||
	       ((scope & CHECKLIST_SCOPE_PC) && !strcmp(kind, "pc")) ||
	       ((scope & CHECKLIST_SCOPE_NETWORK) && !strcmp(kind, "network"));
}

struct device_scan {
	struct eoscat_memo memo; /* each OS spelling matched once per scan */
	struct store *st;
	enum evidence_rule rule;
	unsigned scope;
	const struct eos_catalog *eos;
	const char *today;
	struct found *f;
	int64_t ending;
	json_t *ending_list;
};

static int ledger_row(struct device_scan *d, const struct asset *a)
{
	static const struct {
		int field;
		const char *label;
		bool printers;
	} need[] = {
		{ ASSET_OWNER, "管理者 (申請者)", true },
		{ ASSET_LOCATION, "設置場所", true },
		{ ASSET_OS, "OS", false },
		{ ASSET_IP, "IP アドレス", true },
	};
	const char *kind = a->v[ASSET_KIND];
	bool printer = kind && !strcmp(kind, "printer");
	char missing[256] = "", name[160], link[48];
	size_t n = 0;

	if (!printer && !kind_in_scope(kind, d->scope))
		return 0;
	if (printer && d->scope && !(d->scope & CHECKLIST_SCOPE_ALL))
		return 0;
	d->f->checked++;
	for (size_t i = 0; i < ARRAY_SIZE(need); i++) {
		const char *v = a->v[need[i].field];
		if ((v && *v) || (printer && !need[i].printers))
			continue;
		n += (size_t)snprintf(missing + n, sizeof(missing) - n, "%s%s", n ? "・" : "",
				      need[i].label);
		if (n >= sizeof(missing))
			n = sizeof(missing) - 1;
	}
	if (n) {
		device_link(a, link, sizeof(link));
		add_reason(d->f->reasons, &d->f->contradictions, link, "%s: %s が未記入",
			   device_name(a, name, sizeof(name)), missing);
	}
	return 0;
}

static int remote_row(struct device_scan *d, const struct asset *a)
{
	char name[160], link[48];
	int64_t contracts = 0;
	int r;

	if (!a->v[ASSET_REMOTE_MAINTENANCE])
		return 0;
	d->f->checked++;
	if (strcmp(a->v[ASSET_REMOTE_MAINTENANCE], "1") != 0)
		return 0;
	device_link(a, link, sizeof(link));
	if (!a->v[ASSET_VENDOR]) {
		add_reason(d->f->reasons, &d->f->contradictions, link,
			   "%s: リモート保守ありだが保守事業者が未登録", device_name(a, name, sizeof(name)));
		return 0;
	}
	r = store_query_int(d->st, &contracts, NULL,
			    "SELECT COUNT(*) FROM contract c JOIN vendor v ON v.id = c.vendor_id "
			    "WHERE v.name = ? AND c.remote_maintenance = 1",
			    a->v[ASSET_VENDOR], NULL);
	if (r < 0)
		return r;
	if (!contracts)
		add_reason(d->f->reasons, &d->f->contradictions, link,
			   "%s: リモート保守ありだが、事業者「%s」とのリモート保守の契約が未登録",
			   device_name(a, name, sizeof(name)), a->v[ASSET_VENDOR]);
	else
		add_reason(d->f->facts, NULL, link, "%s: 事業者「%s」・契約あり",
			   device_name(a, name, sizeof(name)), a->v[ASSET_VENDOR]);
	return 0;
}

static int patch_row(struct device_scan *d, const struct asset *a)
{
	char eol[11];
	enum eos_status s;
	char name[160], link[48];
	bool judged = false, bad = false;

	if (!kind_in_scope(a->v[ASSET_KIND], d->scope))
		return 0;
	device_link(a, link, sizeof(link));
	if (a->v[ASSET_PATCHED]) {
		judged = true;
		bad = !strcmp(a->v[ASSET_PATCHED], "0");
		if (bad)
			add_reason(d->f->reasons, NULL, link,
				   "%s: OS 等の脆弱性対策 (パッチ適用) が「なし」",
				   device_name(a, name, sizeof(name)));
	}
	s = eoscat_device_status_memo(&d->memo, d->eos, a, d->today, eol);
	if (s == EOS_ENDED) {
		judged = bad = true;
		add_reason(d->f->reasons, NULL, link,
			   "%s: %s のサポートが終了 (%s%s)", device_name(a, name, sizeof(name)),
			   a->v[ASSET_OS] ? a->v[ASSET_OS] : "OS", eol[0] ? eol : "日付不明",
			   eol[0] ? " 終了" : "");
	} else if (s == EOS_ENDING) {
		judged = true;
		add_reason(d->ending_list, &d->ending, link, "%s: %s のサポートが12か月以内に終了",
			   device_name(a, name, sizeof(name)), a->v[ASSET_OS] ? a->v[ASSET_OS] : "OS");
	} else if (s == EOS_SUPPORTED) {
		judged = true;
	}
	if (judged)
		d->f->checked++;
	else
		d->f->missing++;
	d->f->contradictions += bad;
	return 0;
}

static int restriction_row(struct device_scan *d, const struct asset *a)
{
	char name[160], link[48];

	if (!a->v[ASSET_KIND] || strcmp(a->v[ASSET_KIND], "network") != 0)
		return 0;
	if (!a->v[ASSET_SOURCE_RESTRICTION]) {
		d->f->missing++;
		return 0;
	}
	d->f->checked++;
	if (!strcmp(a->v[ASSET_SOURCE_RESTRICTION], "0")) {
		device_link(a, link, sizeof(link));
		add_reason(d->f->reasons, &d->f->contradictions, link, "%s: 接続元制限が「なし」",
			   device_name(a, name, sizeof(name)));
	}
	return 0;
}

static int device_row(const struct asset *a, void *ctx)
{
	struct device_scan *d = ctx;

	switch (d->rule) {
	case EVIDENCE_LEDGER:
		return ledger_row(d, a);
	case EVIDENCE_REMOTE:
		return remote_row(d, a);
	case EVIDENCE_PATCH:
		return patch_row(d, a);
	case EVIDENCE_SOURCE_RESTRICTION:
		return restriction_row(d, a);
	default:
		BUG("device rule %d", d->rule);
	}
}

/* Each system served by a vendor needs an MDS or SDS for it or from its vendor. */
static int mds_sds(struct store *st, struct found *f, struct mamori_err *err)
{
	static const char sql[] =
		"SELECT s.id, s.name, coalesce(v.name, ''), "
		"  (SELECT d.title FROM document d WHERE d.kind IN ('mds','sds') AND "
		"   (d.system_id = s.id OR (d.system_id IS NULL AND d.vendor_id = v.id)) "
		"   ORDER BY d.issued_on DESC LIMIT 1) "
		"FROM system s LEFT JOIN vendor v ON v.id = coalesce(s.vendor_id, "
		"  (SELECT c.vendor_id FROM contract c WHERE c.system_id = s.id ORDER BY c.id LIMIT 1)) "
		"WHERE v.id IS NOT NULL ORDER BY s.name";
	struct store_stmt *s = NULL;
	int r = store_prepare(st, sql, &s, err);

	while (r == 0 && (r = store_step(st, s, err)) == 1) {
		const char *doc = store_column_text(st, s, 3);
		f->checked++;
		if (doc)
			add_reason(f->facts, NULL, "#/documents", "%s (%s): %s",
				   store_column_text(st, s, 1), store_column_text(st, s, 2), doc);
		else
			add_reason(f->reasons, &f->contradictions, "#/documents",
				   "%s (事業者「%s」): MDS/SDS が未登録", store_column_text(st, s, 1),
				   store_column_text(st, s, 2));
		r = 0;
	}
	store_finalize(st, s);
	return r < 0 ? r : 0;
}

/*
 * The contact chart kept in mamori (contact.h): with at least one internal
 * and one external contact it counts like a 連絡体制図 document.
 */
static int contacts_kept(struct store *st, struct found *f, struct mamori_err *err)
{
	int64_t internal = 0, external = 0;
	int r = contact_counts(st, &internal, &external, err);

	if (r == 0 && internal && external) {
		f->checked++;
		add_reason(f->facts, NULL, "#/incidents?tab=contacts",
			   "mamori の連絡体制図: 組織内 %lld 件、外部 %lld 件", (long long)internal,
			   (long long)external);
	}
	return r;
}

/* A document of that kind: the newest one supports, none contradicts. */
static int document(struct store *st, const char *kind, const char *what, struct found *f,
		    struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r = store_prepare(st,
			      "SELECT id, title, issued_on FROM document WHERE kind = ? "
			      "ORDER BY issued_on IS NULL, issued_on DESC, id DESC",
			      &s, err);

	if (r < 0)
		return r;
	store_bind_text(st, s, 1, kind);
	while ((r = store_step(st, s, err)) == 1) {
		const char *on = store_column_text(st, s, 2);
		f->checked++;
		add_reason(f->facts, NULL, "#/documents", "%s「%s」%s%s", what,
			   store_column_text(st, s, 1), on ? " " : "", on ? on : "");
	}
	store_finalize(st, s);
	if (r < 0)
		return r;
	if (!f->checked)
		add_reason(f->reasons, &f->contradictions, "#/documents",
			   "%s が mamori に登録されていません (文書として登録してください)", what);
	return 0;
}

/* A restore test within 12 months, from an offline generation. */
static int backup(struct store *st, const char *today, struct found *f, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	json_t *older;
	char since[32];
	int64_t recent = 0, offline = 0, any = 0;
	int y, m, d, r;

	if (sscanf(today, "%4d-%2d-%2d", &y, &m, &d) != 3 || y < 1900 || y > 9999 || m < 1 || m > 12 ||
	    d < 1 || d > 31)
		return mamori_err_set(err, MAMORI_EINVAL, "日付「%s」が正しくありません", today);
	snprintf(since, sizeof(since), "%04d-%02d-%02d", y - 1, m, m == 2 && d == 29 ? 28 : d);
	older = json_array(); /* after the date check, which returns early */
	r = store_prepare(st,
			  "SELECT title, issued_on, offline FROM document WHERE kind = 'restore_test' "
			  "ORDER BY issued_on IS NULL, issued_on DESC, id DESC",
			  &s, err);
	while (r == 0 && (r = store_step(st, s, err)) == 1) {
		const char *on = store_column_text(st, s, 1);
		bool off = store_column_int(st, s, 2) == 1, in = on && strcmp(on, since) >= 0;
		any++;
		f->checked++;
		recent += in;
		offline += in && off;
		add_reason(in && off ? f->facts : older, NULL, "#/documents", "復元テスト「%s」%s%s%s",
			   store_column_text(st, s, 0), on ? on : "(日付なし)",
			   off ? " オフライン世代から" : "", in ? "" : " (12か月より前)");
		r = 0;
	}
	store_finalize(st, s);
	if (r == 0 && !offline) {
		size_t i;
		json_t *v;
		if (!any)
			add_reason(f->reasons, &f->contradictions, "#/documents",
				   "バックアップの復元テストの記録がありません");
		else if (!recent)
			add_reason(f->reasons, &f->contradictions, "#/documents",
				   "直近12か月 (%s 以降) に復元テストの記録がありません", since);
		else
			add_reason(f->reasons, &f->contradictions, "#/documents",
				   "直近12か月の復元テストに、オフライン (ネットワークから切り離した) 世代からのものがありません");
		json_array_foreach(older, i, v)
			if (json_array_size(f->reasons) < EVIDENCE_REASONS_MAX)
				json_array_append(f->reasons, v);
	}
	json_decref(older);
	return r < 0 ? r : 0;
}

/* ---- the account inventory (account.h) ------------------------------------ */

struct account_scan {
	struct found *f;
	enum evidence_rule rule;
	const char *today;
	int days;
	int64_t flagged;     /* accounts with a finding (one account may have two) */
	int64_t admins;
	int64_t known;       /* two-factor: accounts with it recorded */
	json_t *unknown;     /* two-factor: accounts without it recorded */
	int64_t nunknown;
};

static int account_row(const struct account *a, void *ctx)
{
	struct account_scan *sc = ctx;
	struct found *f = sc->f;
	char link[48], *where = account_where(a);
	const char *login = a->v[ACCOUNT_LOGIN];
	int idle;
	unsigned flags = account_flags(a, sc->today, sc->days, &idle);
	int64_t before = f->contradictions;

	snprintf(link, sizeof(link), "#/sysaccounts?id=%lld", (long long)a->id);
	switch (sc->rule) {
	case EVIDENCE_ACCOUNTS_UNUSED:
		f->checked++;
		if (flags & ACCOUNT_FLAG_RETIRED)
			add_reason(f->reasons, &f->contradictions, link,
				   "%s (%s): 退職者「%s」のアカウントが有効のまま", login, where,
				   a->v[ACCOUNT_HOLDER] ? a->v[ACCOUNT_HOLDER] : "氏名未記入");
		if (flags & ACCOUNT_FLAG_UNUSED)
			add_reason(f->reasons, &f->contradictions, link,
				   "%s (%s): %d 日使われていません (最終利用 %s)", login, where, idle,
				   a->v[ACCOUNT_LAST_USED_ON] ? a->v[ACCOUNT_LAST_USED_ON] : "記録なし");
		if (idle < 0 && !(flags & ACCOUNT_FLAG_EMERGENCY))
			f->missing++;
		break;
	case EVIDENCE_ACCOUNTS_PRIVILEGE:
		f->checked++;
		if (a->v[ACCOUNT_ADMIN] && !strcmp(a->v[ACCOUNT_ADMIN], "1")) {
			sc->admins++;
			add_reason(f->facts, NULL, link, "%s (%s): 管理者権限 — %s%s%s", login, where,
				   a->v[ACCOUNT_HOLDER] ? a->v[ACCOUNT_HOLDER] : "",
				   a->v[ACCOUNT_HOLDER_ROLE] ? " / " : "",
				   a->v[ACCOUNT_HOLDER_ROLE] ? a->v[ACCOUNT_HOLDER_ROLE] : "");
		}
		if (flags & ACCOUNT_FLAG_SHARED_ADMIN)
			add_reason(f->reasons, &f->contradictions, link,
				   "%s (%s): 共用アカウントに管理者権限があります (誰が操作したか分かりません)",
				   login, where);
		if (flags & ACCOUNT_FLAG_ADMIN_NO_HOLDER)
			add_reason(f->reasons, &f->contradictions, link,
				   "%s (%s): 管理者権限があるのに利用者 (担当者) が記入されていません", login,
				   where);
		break;
	case EVIDENCE_TWO_FACTOR:
		if (!a->system_id || !a->v[ACCOUNT_KIND] || strcmp(a->v[ACCOUNT_KIND], "personal"))
			break;
		f->checked++;
		if (!a->v[ACCOUNT_TWO_FACTOR])
			add_reason(sc->unknown, &sc->nunknown, link, "%s (%s): 二要素認証が未記入", login,
				   where);
		else if (sc->known++, strcmp(a->v[ACCOUNT_TWO_FACTOR], "1"))
			add_reason(f->reasons, &f->contradictions, link, "%s (%s): 二要素認証なし",
				   login, where);
		break;
	default:
		BUG("account rule %d", sc->rule);
	}
	sc->flagged += f->contradictions > before;
	free(where);
	return 0;
}

/*
 * The account rules.  *summary gets the sentence for the outcome the
 * caller will derive from f (NULL: the caller's default).
 */
static int accounts(struct store *st, enum evidence_rule rule, const char *today, struct found *f,
		    char **summary, struct mamori_err *err)
{
	struct account_scan sc = { .f = f, .rule = rule, .today = today };
	struct account_query q = { .status = "enabled" };
	int64_t total = 0;
	int r;

	*summary = NULL;
	r = account_count(st, NULL, &total, err);
	if (r < 0)
		return r;
	if (!total) {
		*summary = xstrdup("アカウント台帳にアカウントがありません。各システムのアカウント一覧 "
				   "(利用者・権限・最終利用日) を CSV で「アカウント台帳」画面か "
				   "mamori account import で取り込んでください。");
		return 0;
	}
	if (rule == EVIDENCE_PASSWORDS) {
		*summary = xstrdup("パスワードの長さ・変更・使い回しの設定は mamori のデータでは確かめられません。"
				   "各システムのパスワードポリシーの設定画面で確認してください。");
		return 0;
	}
	r = account_unused_days(st, &sc.days, err);
	if (r < 0)
		return r;
	sc.unknown = json_array();
	r = account_list(st, &q, account_row, &sc, err);
	if (r < 0)
		goto out;
	switch (rule) {
	case EVIDENCE_ACCOUNTS_UNUSED:
		if (f->contradictions)
			*summary = xasprintf("有効なアカウント %lld 件中 %lld 件が不要なアカウント "
					     "(退職者のもの、または %d 日を超えて未使用) です",
					     (long long)f->checked, (long long)sc.flagged, sc.days);
		else if (f->checked)
			*summary = xasprintf("有効なアカウント %lld 件に、退職者のものも %d 日を超えて"
					     "使われていないものもありません%s",
					     (long long)f->checked, sc.days,
					     f->missing ? " (利用日の記録がないアカウントあり)" : "");
		else
			*summary = xstrdup("有効なアカウントが台帳にありません");
		if (!f->contradictions && f->checked)
			add_reason(f->facts, NULL, "#/sysaccounts?status=enabled",
				   "有効なアカウント %lld 件 (未使用の基準 %d 日)", (long long)f->checked,
				   sc.days);
		if (f->missing)
			add_reason(f->contradictions ? f->reasons : f->facts, NULL, "#/sysaccounts",
				   "作成日も最終利用日も記録されていないアカウント: %lld 件",
				   (long long)f->missing);
		break;
	case EVIDENCE_ACCOUNTS_PRIVILEGE:
		if (f->contradictions)
			*summary = xasprintf("管理者権限の問題があるアカウントが %lld 件あります "
					     "(共用の管理者アカウント、または利用者のない管理者アカウント)",
					     (long long)sc.flagged);
		else if (f->checked)
			*summary = xasprintf("有効なアカウント %lld 件のうち管理者権限は %lld 件で、"
					     "すべて利用者が記入され、共用の管理者アカウントはありません",
					     (long long)f->checked, (long long)sc.admins);
		else
			*summary = xstrdup("有効なアカウントが台帳にありません");
		break;
	case EVIDENCE_TWO_FACTOR:
		if (f->checked && !sc.known) {
			/* nothing recorded: nothing to judge */
			*summary = xasprintf("システムの個人アカウント %lld 件のどれにも二要素認証の有無が"
					     "記入されていません", (long long)f->checked);
			f->checked = 0;
		} else {
			size_t i;
			json_t *v;
			f->contradictions += sc.nunknown;
			json_array_foreach(sc.unknown, i, v)
				if (json_array_size(f->reasons) < EVIDENCE_REASONS_MAX)
					json_array_append(f->reasons, v);
			if (f->contradictions)
				*summary = xasprintf("システムの有効な個人アカウント %lld 件中 %lld 件で"
						     "二要素認証がない (または未記入) です",
						     (long long)f->checked, (long long)f->contradictions);
			else if (f->checked) {
				*summary = xasprintf("システムの有効な個人アカウント %lld 件すべてで"
						     "二要素認証が使われています", (long long)f->checked);
				add_reason(f->facts, NULL, "#/sysaccounts?kind=personal&status=enabled",
					   "二要素認証ありの個人アカウント %lld 件", (long long)f->checked);
			} else
				*summary = xstrdup("システムの有効な個人アカウントが台帳にありません");
		}
		break;
	default:
		break;
	}
out:
	json_decref(sc.unknown);
	return r;
}

static json_t *result(enum evidence_rule rule, enum evidence_outcome o, const char *summary,
		      json_t *reasons, int64_t total, int64_t checked)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:O, s:I, s:I}", "rule", rules[rule].name,
			 "rule_label", rules[rule].label, "outcome", evidence_outcome_name(o),
			 "outcome_label", evidence_outcome_label(o), "summary", summary, "reasons",
			 reasons, "total", (json_int_t)total, "checked", (json_int_t)checked);
}

static const char *scope_words(unsigned scope)
{
	if (!scope || (scope & CHECKLIST_SCOPE_ALL))
		return "機器";
	if (scope == CHECKLIST_SCOPE_SERVER)
		return "サーバ";
	if (scope == CHECKLIST_SCOPE_PC)
		return "端末PC";
	if (scope == CHECKLIST_SCOPE_NETWORK)
		return "ネットワーク機器";
	return "対象の機器";
}

int evidence_eval(struct store *st, const struct eos_catalog *eos, enum evidence_rule rule,
		  unsigned scope, const char *today, json_t **out, struct mamori_err *err)
{
	struct found f = { .reasons = json_array(), .facts = json_array() };
	struct eos_catalog own = EOS_CATALOG_INIT;
	struct device_scan d = { .st = st, .rule = rule, .scope = scope, .today = today, .f = &f };
	enum evidence_outcome o = EVIDENCE_NO_DATA;
	char *summary = NULL, *acc_summary = NULL;
	int r = 0;

	*out = NULL;
	if ((unsigned)rule >= EVIDENCE_NRULES)
		BUG("evidence rule %d", rule);
	switch (rule) {
	case EVIDENCE_PATCH:
		if (!eos) {
			int updated;
			r = eoscat_load(st, &own, &updated, err);
			eos = &own;
		}
		d.eos = eos;
		d.ending_list = json_array();
		__attribute__((fallthrough)); /* the device scan below */
	case EVIDENCE_LEDGER:
	case EVIDENCE_REMOTE:
	case EVIDENCE_SOURCE_RESTRICTION: {
		struct asset_query q = { .status = "in_use" };
		if (r == 0)
			r = asset_list(st, &q, device_row, &d, err);
		break;
	}
	case EVIDENCE_MDS_SDS:
		r = mds_sds(st, &f, err);
		break;
	case EVIDENCE_CONTACT_CHART:
		r = contacts_kept(st, &f, err);
		if (r == 0)
			r = document(st, "contact_chart", "連絡体制図", &f, err);
		break;
	case EVIDENCE_BCP:
		r = document(st, "bcp", "BCP", &f, err);
		break;
	case EVIDENCE_RULES:
		r = document(st, "rules", "運用管理規程", &f, err);
		break;
	case EVIDENCE_BACKUP:
		r = backup(st, today, &f, err);
		break;
	case EVIDENCE_ACCOUNTS_UNUSED:
	case EVIDENCE_ACCOUNTS_PRIVILEGE:
	case EVIDENCE_TWO_FACTOR:
	case EVIDENCE_PASSWORDS:
		r = accounts(st, rule, today, &f, &acc_summary, err);
		break;
	case EVIDENCE_NRULES:
		break;
	}
	if (r < 0)
		goto out;

	if (acc_summary) {
		o = f.contradictions ? EVIDENCE_CONTRADICTS : f.checked ? EVIDENCE_SUPPORTS
									 : EVIDENCE_NO_DATA;
		summary = acc_summary;
		acc_summary = NULL;
	} else if (f.contradictions) {
		o = EVIDENCE_CONTRADICTS;
		switch (rule) {
		case EVIDENCE_LEDGER:
			summary = xasprintf("%s %lld 台中 %lld 台で台帳の記載が不足しています",
					    scope_words(scope), (long long)f.checked,
					    (long long)f.contradictions);
			break;
		case EVIDENCE_PATCH:
			summary = xasprintf("パッチ未適用またはサポート終了の%sが %lld 台あります (判断できた %lld 台中)",
					    scope_words(scope), (long long)f.contradictions,
					    (long long)f.checked);
			break;
		case EVIDENCE_REMOTE:
			summary = xasprintf("リモート保守の事業者または契約が未登録の機器が %lld 台あります",
					    (long long)f.contradictions);
			break;
		case EVIDENCE_SOURCE_RESTRICTION:
			summary = xasprintf("接続元制限「なし」のネットワーク機器が %lld 台あります (記載のある %lld 台中)",
					    (long long)f.contradictions, (long long)f.checked);
			break;
		case EVIDENCE_MDS_SDS:
			summary = xasprintf("事業者のシステム %lld 件中 %lld 件で MDS/SDS が未登録です",
					    (long long)f.checked, (long long)f.contradictions);
			break;
		default:
			summary = xstrdup(json_string_value(
				json_object_get(json_array_get(f.reasons, 0), "text")));
		}
	} else if (f.checked) {
		o = EVIDENCE_SUPPORTS;
		switch (rule) {
		case EVIDENCE_LEDGER:
			summary = xasprintf("%s %lld 台すべてで管理者・設置場所・OS・IP が記載されています",
					    scope_words(scope), (long long)f.checked);
			break;
		case EVIDENCE_PATCH:
			summary = xasprintf("%lld 台でパッチ未適用・サポート終了なし%s", (long long)f.checked,
					    f.missing ? " (判断材料のない機器あり)" : "");
			break;
		case EVIDENCE_REMOTE:
			summary = xasprintf("リモート保守の記載がある %lld 台すべてで、事業者と契約が登録されています",
					    (long long)f.checked);
			break;
		case EVIDENCE_SOURCE_RESTRICTION:
			summary = xasprintf("ネットワーク機器 %lld 台すべてで接続元制限「あり」%s",
					    (long long)f.checked,
					    f.missing ? " (未記入の機器あり)" : "");
			break;
		case EVIDENCE_MDS_SDS:
			summary = xasprintf("事業者のシステム %lld 件すべてで MDS/SDS が登録されています",
					    (long long)f.checked);
			break;
		default:
			summary = xstrdup(json_string_value(
				json_object_get(json_array_get(f.facts, 0), "text")));
		}
	} else {
		switch (rule) {
		case EVIDENCE_LEDGER:
			summary = xasprintf("台帳に%sが登録されていません", scope_words(scope));
			break;
		case EVIDENCE_REMOTE:
			summary = xstrdup("台帳にリモート保守の有無が記載された機器がありません");
			break;
		case EVIDENCE_PATCH:
			summary = xstrdup("パッチ適用の記載も、サポート期限の分かる OS もありません");
			break;
		case EVIDENCE_SOURCE_RESTRICTION:
			summary = xstrdup("ネットワーク機器の接続元制限が台帳に記載されていません");
			break;
		case EVIDENCE_MDS_SDS:
			summary = xstrdup("事業者の登録されたシステムがありません");
			break;
		default:
			summary = xstrdup("判断材料がありません");
		}
	}
	if (rule == EVIDENCE_PATCH && f.missing)
		add_reason(o == EVIDENCE_CONTRADICTS ? f.reasons : f.facts, NULL, NULL,
			   "パッチ適用が未記入で OS のサポート期限も分からない機器: %lld 台",
			   (long long)f.missing);
	if (rule == EVIDENCE_PATCH && d.ending) {
		size_t i;
		json_t *v;
		json_array_foreach(d.ending_list, i, v)
			if (json_array_size(o == EVIDENCE_CONTRADICTS ? f.reasons : f.facts) <
			    EVIDENCE_REASONS_MAX)
				json_array_append(o == EVIDENCE_CONTRADICTS ? f.reasons : f.facts, v);
	}
	*out = result(rule, o, summary,
		      o == EVIDENCE_CONTRADICTS ? f.reasons : f.facts,
		      o == EVIDENCE_CONTRADICTS ? f.contradictions
						: (int64_t)json_array_size(f.facts),
		      f.checked);
out:
	free(summary);
	free(acc_summary);
	json_decref(f.reasons);
	json_decref(f.facts);
	json_decref(d.ending_list);
	eoscat_memo_release(&d.memo);
	eos_catalog_release(&own);
	return r;
}
