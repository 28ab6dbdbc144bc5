/*
 * triage.c - the triage rules and action cards as tables (see triage.h).
 *
 * Changing a rule means changing a row here; tests/unit/test_triage.c checks
 * every row of the seed's flow against triage_propose().
 */
#include "common.h"
#include "triage.h"

#include <jansson.h>

static const struct {
	const char *name, *label, *label_en;
	const char *confirm, *respond; /* 確認すべき事項 / 対応すべき事項 (seed) */
} categories[TRIAGE_NCATEGORIES] = {
	[TRIAGE_EQUIPMENT] = { "equipment", "機器の障害", "Equipment failure", "障害範囲の特定",
			       "障害機器の交換。大規模影響の場合には、非常時運用への切り替え" },
	[TRIAGE_CYBERATTACK] = { "cyberattack", "サイバー攻撃", "Cyberattack",
				 "サイバー攻撃の有無及び特定",
				 "ネットワークの切り離し。広範囲影響の場合には、非常時運用への切り替え" },
	[TRIAGE_POWER] = { "power", "電源喪失", "Power loss", "電源状況の確認と復旧までの時間",
			   "医療情報系電源での運用。長時間の場合には、非常時運用への切り替え" },
	[TRIAGE_DISASTER] = { "disaster", "災害等", "Disaster", "被害状況の確認と運用復旧の可否",
			      "バックアップセンターでの運用、オフライン PC の配布。"
			      "被害甚大の場合には、非常時運用への切り替え" },
};

static const struct triage_scope scopes[] = {
	{ "device", 1, "機器固有・限定的", "L1 個別対応" },
	{ "local", 2, "局所的", "L2 個別対応" },
	{ "function", 3, "広範囲だが特定機能", "L3 機能担当機器・SV の個別対応" },
	{ "wide", 4, "広範囲影響(運用影響大)", "L4 重大対応手順で対応" },
	{ "severe", 5, "広範囲影響且つ重大障害", "L5 重大対応手順で対応" },
};

/* The yes/no checks of each category (besides the scope, which all ask). */
static const struct check {
	unsigned cats;
	const char *key, *label, *label_en;
} checks[] = {
	{ 1u << TRIAGE_CYBERATTACK, "spread", "拡散が疑われる (他の機器・サーバへの広がり)",
	  "Spread to other devices is suspected" },
	{ 1u << TRIAGE_CYBERATTACK, "outage", "障害に発展した (システムが使えない)",
	  "It has become an outage" },
	{ 1u << TRIAGE_POWER, "long", "復旧まで長時間かかる見込み", "Recovery will take long" },
	{ 1u << TRIAGE_DISASTER, "cannot_continue", "病院被害が軽微でも運用の継続が不能",
	  "Operation cannot continue even if the damage is slight" },
	{ 1u << TRIAGE_DISASTER, "severe_damage", "被害甚大", "Severe damage" },
};

static const struct triage_action actions[] = {
	{ "eq_replace", "障害機器の交換", "Replace the failed device",
	  "障害範囲を特定し、障害機器を交換する。保守事業者に連絡する。", "seed: 最低限の切り分け項目" },
	{ "net_disconnect", "ネットワークの切り離し", "Disconnect the network",
	  "攻撃を受けたサーバ等の遮断や他の医療機関等への影響の波及の防止のための外部ネットワークの一時切断。",
	  "seed: 最低限の切り分け項目 / ガイドライン第6.0版" },
	{ "quarantine", "当該機器の隔離", "Quarantine the affected devices",
	  "他の情報機器への混入拡大の防止や情報漏洩の抑止のための当該混入機器の隔離"
	  " (LAN ケーブルを抜く。電源は切らずに保全する)。",
	  "ガイドライン第6.0版 (括弧内は mamori)" },
	{ "preserve_logs", "ログ・証拠の保全", "Preserve logs and evidence",
	  "サーバ・UTM・端末のログ、画面の表示 (脅迫文など) を消さずに保存し、写真を撮る。", "mamori" },
	{ "stop_systems", "業務システムの停止", "Stop the business systems",
	  "他の情報機器への波及の調査等被害の確認のための業務システムの停止。", "ガイドライン第6.0版" },
	{ "emergency_ops", "非常時運用への切り替え (紙運用)", "Switch to emergency (paper) operation",
	  "電子カルテシステム障害発生時用の紙媒体セット (病棟・外来・各部門に配置) で運用する。"
	  "院内放送で患者に知らせる。", "seed: 最低限の切り分け項目・紙媒体セット" },
	{ "restore_backup", "バックアップからの復元", "Restore from backups",
	  "バックアップからの重要なファイルの復元。追記不能またはネットワークから切り離した世代が"
	  "暗号化・改ざんされていないことを確かめてから復元する。",
	  "ガイドライン第6.0版 (後半は mamori)" },
	{ "contact_authorities", "所管官庁・警察への連絡", "Report to the authorities and the police",
	  "サイバー攻撃を受けた (疑い含む) 場合は、厚生労働省 (所管官庁) への連絡と、都道府県警察の"
	  "サイバー犯罪相談窓口への相談を行う (連絡は「連絡・報告」に記録する)。",
	  "ガイドライン第6.0版 (医政総発1029第1号等)" },
	{ "medical_power", "医療情報系電源での運用", "Run on the medical IT power supply",
	  "電源状況と復旧までの時間を確認し、医療情報系電源 (非常用電源・UPS) で運用する。",
	  "seed: 最低限の切り分け項目" },
	{ "backup_centre", "バックアップセンターでの運用", "Run from the backup centre",
	  "被害状況と運用復旧の可否を確認し、バックアップセンターでの運用に切り替える。",
	  "seed: 最低限の切り分け項目" },
	{ "offline_pc", "オフライン PC (緊急用 PC) の配布", "Hand out the offline PCs",
	  "緊急用 PC (オフラインで参照できる端末) を各部署に配布する。", "seed: 最低限の切り分け項目" },
};

#define EQ (1u << TRIAGE_EQUIPMENT)
#define CY (1u << TRIAGE_CYBERATTACK)
#define PW (1u << TRIAGE_POWER)
#define DI (1u << TRIAGE_DISASTER)

/* An action applies when level >= min_level, or when the check "when" is yes. */
static const struct rule {
	unsigned cats;
	const char *action;
	int min_level;
	const char *when;
} rules[] = {
	{ EQ, "eq_replace", 1, NULL },
	{ CY, "net_disconnect", 1, NULL },
	{ CY, "quarantine", 1, NULL },
	{ CY, "preserve_logs", 1, NULL },
	{ CY, "contact_authorities", 1, NULL },
	{ CY, "stop_systems", 4, NULL },
	{ PW, "medical_power", 1, NULL },
	{ DI, "backup_centre", 4, "cannot_continue" },
	{ DI, "offline_pc", 4, "cannot_continue" },
	{ EQ | CY, "emergency_ops", 4, NULL },
	{ PW, "emergency_ops", 4, "long" },
	{ DI, "emergency_ops", 4, "severe_damage" },
	{ CY, "restore_backup", 4, NULL },
};

static const char *const level_labels[] = {
	"", "L1 個別対応", "L2 個別対応", "L3 機能担当機器・SV の個別対応", "L4 重大対応手順で対応",
	"L5 重大対応手順で対応",
};

int triage_category_parse(const char *s)
{
	if (!s)
		return -1;
	for (int i = 0; i < TRIAGE_NCATEGORIES; i++)
		if (!strcmp(s, categories[i].name) || !strcmp(s, categories[i].label))
			return i;
	if (!strcmp(s, "災害"))
		return TRIAGE_DISASTER;
	return -1;
}

const char *triage_category_name(enum triage_category c)
{
	return (unsigned)c < TRIAGE_NCATEGORIES ? categories[c].name : "";
}

const char *triage_category_label(enum triage_category c)
{
	return (unsigned)c < TRIAGE_NCATEGORIES ? categories[c].label : "";
}

const char *triage_confirm_text(enum triage_category c)
{
	return (unsigned)c < TRIAGE_NCATEGORIES ? categories[c].confirm : "";
}

const char *triage_respond_text(enum triage_category c)
{
	return (unsigned)c < TRIAGE_NCATEGORIES ? categories[c].respond : "";
}

const char *triage_level_label(int level)
{
	return level >= 1 && level <= 5 ? level_labels[level] : "";
}

size_t triage_scope_count(void)
{
	return ARRAY_SIZE(scopes);
}

const struct triage_scope *triage_scope_get(size_t i)
{
	return i < ARRAY_SIZE(scopes) ? &scopes[i] : NULL;
}

const struct triage_action *triage_action_find(const char *key)
{
	for (size_t i = 0; key && i < ARRAY_SIZE(actions); i++)
		if (!strcmp(actions[i].key, key))
			return &actions[i];
	return NULL;
}

static const struct check *check_find(enum triage_category c, const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(checks); i++)
		if ((checks[i].cats & (1u << c)) && !strcmp(checks[i].key, key))
			return &checks[i];
	return NULL;
}

const char *triage_check_label(const char *key)
{
	for (size_t i = 0; key && i < ARRAY_SIZE(checks); i++)
		if (!strcmp(checks[i].key, key))
			return checks[i].label;
	return NULL;
}

static int yes(json_t *answers, const char *key)
{
	return key && json_is_true(json_object_get(answers, key));
}

int triage_propose(enum triage_category c, json_t *answers, struct triage_result *res,
		   struct mamori_err *err)
{
	const struct triage_scope *scope = NULL;
	const char *k, *sv;
	json_t *v;

	memset(res, 0, sizeof(*res));
	if ((unsigned)c >= TRIAGE_NCATEGORIES)
		BUG("triage category %d", c);
	if (!json_is_object(answers))
		return mamori_err_set(err, MAMORI_EINVAL, "切り分けの回答がありません");
	json_object_foreach(answers, k, v) {
		if (!strcmp(k, "scope") || !strcmp(k, "devices") || !strcmp(k, "note"))
			continue;
		if (!check_find(c, k))
			return mamori_err_set(err, MAMORI_EINVAL,
					      "切り分け: 「%s」は%sの確認事項にありません", k,
					      categories[c].label);
		if (!json_is_boolean(v))
			return mamori_err_set(err, MAMORI_EINVAL,
					      "切り分け: 「%s」ははい・いいえ (true/false) で答えてください",
					      k);
	}
	v = json_object_get(answers, "devices");
	if (v && !json_is_array(v))
		return mamori_err_set(err, MAMORI_EINVAL, "切り分け: devices は機器の媒体名の配列です");
	sv = json_string_value(json_object_get(answers, "scope"));
	for (size_t i = 0; sv && i < ARRAY_SIZE(scopes); i++)
		if (!strcmp(sv, scopes[i].value) || !strcmp(sv, scopes[i].label))
			scope = &scopes[i];
	if (!scope)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "切り分け: 障害の範囲 (scope) を device・local・function・wide・"
				      "severe のどれかで答えてください%s%s%s",
				      sv ? " (「" : "", sv ? sv : "", sv ? "」は不明です)" : "");

	res->level = scope->level;
	snprintf(res->reason, sizeof(res->reason), "%s → %s", scope->label, scope->flow);
	if (c == TRIAGE_CYBERATTACK) {
		if (yes(answers, "outage")) {
			res->level = 5;
			snprintf(res->reason, sizeof(res->reason),
				 "サイバー攻撃が障害に発展した → L5 重大対応手順で対応");
		} else if (yes(answers, "spread") && res->level < 4) {
			res->level = 4;
			snprintf(res->reason, sizeof(res->reason),
				 "サイバー攻撃の拡散が疑われる → L4 重大対応手順で対応");
		} else if (!yes(answers, "spread") && res->level <= 3) {
			snprintf(res->reason, sizeof(res->reason),
				 "サイバー攻撃の拡散がない (%s) → 個別対応 (%s)", scope->label,
				 scope->flow);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
		const struct rule *r = &rules[i];
		int dup = 0;
		if (!(r->cats & (1u << c)))
			continue;
		if (res->level < r->min_level && !yes(answers, r->when))
			continue;
		for (size_t j = 0; j < res->nactions; j++)
			dup |= !strcmp(res->actions[j]->key, r->action);
		if (dup)
			continue;
		if (res->nactions >= TRIAGE_ACTIONS_MAX)
			BUG("too many actions");
		res->actions[res->nactions] = triage_action_find(r->action);
		if (!res->actions[res->nactions])
			BUG("rule names unknown action %s", r->action);
		res->nactions++;
	}
	return 0;
}

static json_t *action_json(const struct triage_action *a)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s}", "key", a->key, "title", a->title, "title_en",
			 a->title_en, "detail", a->detail, "source", a->source);
}

json_t *triage_catalog_json(void)
{
	json_t *cats = json_array(), *sc = json_array(), *acts = json_array(), *levels = json_array();

	for (int c = 0; c < TRIAGE_NCATEGORIES; c++) {
		json_t *ch = json_array(), *ru = json_array();
		json_array_append_new(ch, json_pack("{s:s, s:s, s:s, s:s}", "key", "scope", "label",
						    "障害の範囲", "label_en", "Extent", "type",
						    "scope"));
		for (size_t i = 0; i < ARRAY_SIZE(checks); i++)
			if (checks[i].cats & (1u << c))
				json_array_append_new(ch, json_pack("{s:s, s:s, s:s, s:s}", "key",
								    checks[i].key, "label",
								    checks[i].label, "label_en",
								    checks[i].label_en, "type", "bool"));
		for (size_t i = 0; i < ARRAY_SIZE(rules); i++)
			if (rules[i].cats & (1u << c))
				json_array_append_new(ru, json_pack("{s:s, s:i, s:s?}", "action",
								    rules[i].action, "min_level",
								    rules[i].min_level, "when",
								    rules[i].when));
		json_array_append_new(cats, json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o}", "name",
						      categories[c].name, "label",
						      categories[c].label, "label_en",
						      categories[c].label_en, "confirm",
						      categories[c].confirm, "respond",
						      categories[c].respond, "checks", ch, "rules",
						      ru));
	}
	for (size_t i = 0; i < ARRAY_SIZE(scopes); i++)
		json_array_append_new(sc, json_pack("{s:s, s:i, s:s, s:s}", "value", scopes[i].value,
						    "level", scopes[i].level, "label",
						    scopes[i].label, "flow", scopes[i].flow));
	for (size_t i = 0; i < ARRAY_SIZE(actions); i++)
		json_array_append_new(acts, action_json(&actions[i]));
	for (int l = 1; l <= 5; l++)
		json_array_append_new(levels, json_pack("{s:i, s:s}", "level", l, "label",
							level_labels[l]));
	return json_pack("{s:o, s:o, s:o, s:o}", "categories", cats, "scopes", sc, "levels",
			 levels, "actions", acts);
}
