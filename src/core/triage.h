/*
 * triage.h - the 切り分け (triage) of an event into a category and a level
 * L1-L5, and the action cards that go with them, as data.
 *
 * The four categories and their 確認すべき事項 / 対応すべき事項 are those of
 * the seed's 「最低限の切り分け項目」 (機器の障害 / サイバー攻撃 / 電源喪失 /
 * 災害等); the levels follow its 「全体の流れの把握」:
 *
 *   scope 機器固有・限定的          → L1 個別対応
 *         局所的                    → L2 個別対応
 *         広範囲だが特定機能        → L3 機能担当機器・SV の個別対応
 *         広範囲影響(運用影響大)    → L4 重大対応手順で対応
 *         広範囲影響且つ重大障害    → L5 重大対応手順で対応
 *   サイバー攻撃: 拡散がない → the scope's level (個別対応); 拡散が疑われる →
 *         at least L4; 障害に発展した → L5
 *
 * The answers are a JSON object: {"scope": "device|local|function|wide|severe",
 * and the category's yes/no checks ("spread", "outage", "long",
 * "cannot_continue", "severe_damage") as booleans; "devices": [asset tags]
 * names the devices to quarantine}.  A rule gives an action when the level
 * reaches its min_level or when its yes/no check is answered yes.  Wording
 * taken from the seed or the guideline says so in its source; the rest is
 * mamori's own, marked "mamori".
 */
#ifndef MAMORI_TRIAGE_H
#define MAMORI_TRIAGE_H

#include <jansson.h>
#include <stddef.h>

struct mamori_err;

enum triage_category {
	TRIAGE_EQUIPMENT,
	TRIAGE_CYBERATTACK,
	TRIAGE_POWER,
	TRIAGE_DISASTER,
	TRIAGE_NCATEGORIES,
};

/* "equipment" … (the incident table's values); -1 for an unknown name.
 * Also accepts the Japanese labels (機器の障害 …). */
int triage_category_parse(const char *s);
const char *triage_category_name(enum triage_category c);
const char *triage_category_label(enum triage_category c);

/* L1 … L5: "L4 重大対応手順で対応" */
const char *triage_level_label(int level);

struct triage_action {
	const char *key;      /* "net_disconnect" */
	const char *title;    /* ネットワークの切り離し */
	const char *title_en;
	const char *detail;   /* what to do, Japanese */
	const char *source;   /* "seed: 最低限の切り分け項目" / "guideline 6.0 …" / "mamori" */
};

/* The action card with that key, or NULL. */
const struct triage_action *triage_action_find(const char *key);

/* The Japanese label of a check ("spread" → 拡散が疑われる …); NULL if unknown. */
const char *triage_check_label(const char *key);

#define TRIAGE_ACTIONS_MAX 16

struct triage_result {
	int level;                /* proposed, 1..5 */
	char reason[256];         /* which row of the flow gave the level */
	const struct triage_action *actions[TRIAGE_ACTIONS_MAX];
	size_t nactions;
};

/*
 * Proposes the level and the action cards for answers of category c.  A
 * missing or unknown scope, a check that is not a boolean or a key the
 * category does not ask is MAMORI_EINVAL naming it.
 */
int triage_propose(enum triage_category c, json_t *answers, struct triage_result *res,
		   struct mamori_err *err);

/*
 * The whole catalog for the UI and the BCP: {"categories": [{name, label,
 * confirm, respond, checks: [{key, label, label_en, type}], rules: […]}],
 * "scopes": [{value, level, label, flow}], "levels": [...], "actions": [...]}.
 * New reference.
 */
json_t *triage_catalog_json(void);

/* Scope values in order (NULL-terminated is not used: see count). */
struct triage_scope {
	const char *value;
	int level;
	const char *label; /* 機器固有・限定的 */
	const char *flow;  /* L1 個別対応 */
};
size_t triage_scope_count(void);
const struct triage_scope *triage_scope_get(size_t i);

/* 確認すべき事項 and 対応すべき事項 of c, as in the seed. */
const char *triage_confirm_text(enum triage_category c);
const char *triage_respond_text(enum triage_category c);

#endif
