/*
 * test_triage.c - the triage rules of src/core/triage.c against every row
 * of the seed's 「全体の流れの把握」 (L1-L5 by scope; a suspected cyberattack
 * without spread → 個別対応, spread → L4, outage → L5) and the action
 * cards of 「最低限の切り分け項目」 for each category and level; bad
 * answers are refused naming the key; the catalog JSON holds every
 * category, check, scope and action.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>

#include "testutil.h"
#include "triage.h"

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (!j)
		fail_msg("bad JSON in test: %s: %s", text, e.text);
	return j;
}

static int has_action(const struct triage_result *r, const char *key)
{
	for (size_t i = 0; i < r->nactions; i++)
		if (!strcmp(r->actions[i]->key, key))
			return 1;
	return 0;
}

/* One row of the seed's flow: category, answers → level, reason fragment. */
static const struct {
	enum triage_category c;
	const char *answers;
	int level;
	const char *reason;
} flow[] = {
	/* 1 障害状況の把握と対応 */
	{ TRIAGE_EQUIPMENT, "{\"scope\":\"device\"}", 1, "機器固有・限定的 → L1 個別対応" },
	{ TRIAGE_EQUIPMENT, "{\"scope\":\"local\"}", 2, "局所的 → L2 個別対応" },
	{ TRIAGE_EQUIPMENT, "{\"scope\":\"function\"}", 3, "広範囲だが特定機能 → L3 機能担当機器・SV の個別対応" },
	{ TRIAGE_EQUIPMENT, "{\"scope\":\"wide\"}", 4, "広範囲影響(運用影響大) → L4 重大対応手順で対応" },
	{ TRIAGE_EQUIPMENT, "{\"scope\":\"severe\"}", 5, "広範囲影響且つ重大障害 → L5 重大対応手順で対応" },
	/* the Japanese label is accepted as the scope */
	{ TRIAGE_EQUIPMENT, "{\"scope\":\"局所的\"}", 2, "局所的" },
	/* 2 サイバー攻撃が疑われる場合 */
	{ TRIAGE_CYBERATTACK, "{\"scope\":\"device\"}", 1, "拡散がない" },
	{ TRIAGE_CYBERATTACK, "{\"scope\":\"local\",\"spread\":false}", 2, "個別対応" },
	{ TRIAGE_CYBERATTACK, "{\"scope\":\"device\",\"spread\":true}", 4, "拡散が疑われる → L4 重大対応手順で対応" },
	{ TRIAGE_CYBERATTACK, "{\"scope\":\"device\",\"spread\":true,\"outage\":true}", 5, "障害に発展した → L5 重大対応手順で対応" },
	{ TRIAGE_CYBERATTACK, "{\"scope\":\"local\",\"outage\":true}", 5, "障害に発展した" },
	{ TRIAGE_CYBERATTACK, "{\"scope\":\"severe\",\"spread\":true}", 5, "広範囲影響且つ重大障害" },
	/* 電源喪失 and 災害等 take the level of the scope */
	{ TRIAGE_POWER, "{\"scope\":\"function\"}", 3, "L3" },
	{ TRIAGE_POWER, "{\"scope\":\"local\",\"long\":true}", 2, "L2" },
	{ TRIAGE_DISASTER, "{\"scope\":\"wide\"}", 4, "L4" },
	{ TRIAGE_DISASTER, "{\"scope\":\"device\",\"cannot_continue\":true}", 1, "L1" },
};

static void test_flow_rows(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(flow); i++) {
		struct mamori_err err = { 0 };
		struct triage_result r;
		json_t *a = J(flow[i].answers);
		ASSERT_RC(0, triage_propose(flow[i].c, a, &r, &err), err);
		if (r.level != flow[i].level)
			fail_msg("row %zu %s: level %d, want %d", i, flow[i].answers, r.level, flow[i].level);
		testutil_assert_contains(r.reason, flow[i].reason);
		json_decref(a);
	}
}

/* The cards: category × level × checks. */
static const struct {
	enum triage_category c;
	const char *answers;
	const char *want;    /* keys that must be there, space-separated */
	const char *notwant; /* keys that must not */
} cards[] = {
	{ TRIAGE_EQUIPMENT, "{\"scope\":\"local\"}", "eq_replace", "emergency_ops net_disconnect" },
	{ TRIAGE_EQUIPMENT, "{\"scope\":\"wide\"}", "eq_replace emergency_ops", "net_disconnect" },
	{ TRIAGE_CYBERATTACK, "{\"scope\":\"device\"}", "net_disconnect quarantine preserve_logs contact_authorities",
	  "stop_systems emergency_ops restore_backup" },
	{ TRIAGE_CYBERATTACK, "{\"scope\":\"device\",\"spread\":true}",
	  "net_disconnect quarantine stop_systems emergency_ops restore_backup", "eq_replace medical_power" },
	{ TRIAGE_POWER, "{\"scope\":\"local\"}", "medical_power", "emergency_ops" },
	{ TRIAGE_POWER, "{\"scope\":\"local\",\"long\":true}", "medical_power emergency_ops", "backup_centre" },
	{ TRIAGE_DISASTER, "{\"scope\":\"local\"}", "", "backup_centre offline_pc emergency_ops" },
	{ TRIAGE_DISASTER, "{\"scope\":\"local\",\"cannot_continue\":true}", "backup_centre offline_pc", "emergency_ops" },
	{ TRIAGE_DISASTER, "{\"scope\":\"local\",\"severe_damage\":true}", "emergency_ops", "backup_centre" },
	{ TRIAGE_DISASTER, "{\"scope\":\"wide\"}", "backup_centre offline_pc emergency_ops", "medical_power" },
};

static void check_keys(const struct triage_result *r, const char *list, int want, size_t row)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", list);
	for (char *save = NULL, *k = strtok_r(buf, " ", &save); k; k = strtok_r(NULL, " ", &save))
		if (has_action(r, k) != want)
			fail_msg("cards row %zu: %s %s", row, k, want ? "missing" : "should not be there");
}

static void test_action_cards(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cards); i++) {
		struct mamori_err err = { 0 };
		struct triage_result r;
		json_t *a = J(cards[i].answers);
		ASSERT_RC(0, triage_propose(cards[i].c, a, &r, &err), err);
		check_keys(&r, cards[i].want, 1, i);
		check_keys(&r, cards[i].notwant, 0, i);
		/* no card twice */
		for (size_t x = 0; x < r.nactions; x++)
			for (size_t y = x + 1; y < r.nactions; y++)
				assert_string_not_equal(r.actions[x]->key, r.actions[y]->key);
		json_decref(a);
	}
}

static void test_bad_answers(void **state)
{
	static const struct {
		enum triage_category c;
		const char *answers, *msg;
	} bad[] = {
		{ TRIAGE_EQUIPMENT, "{}", "scope" },
		{ TRIAGE_EQUIPMENT, "{\"scope\":\"everywhere\"}", "everywhere" },
		{ TRIAGE_EQUIPMENT, "{\"scope\":\"local\",\"spread\":true}", "spread" },
		{ TRIAGE_CYBERATTACK, "{\"scope\":\"local\",\"spread\":\"yes\"}", "true/false" },
		{ TRIAGE_POWER, "{\"scope\":\"local\",\"devices\":\"PC-1\"}", "devices" },
	};
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct mamori_err err = { 0 };
		struct triage_result r;
		json_t *a = J(bad[i].answers);
		ASSERT_RC(MAMORI_EINVAL, triage_propose(bad[i].c, a, &r, &err), err);
		testutil_assert_contains(err.msg, bad[i].msg);
		json_decref(a);
	}
}

static void test_names_and_catalog(void **state)
{
	json_t *cat = triage_catalog_json(), *c;
	size_t i;

	(void)state;
	assert_int_equal(triage_category_parse("cyberattack"), TRIAGE_CYBERATTACK);
	assert_int_equal(triage_category_parse("サイバー攻撃"), TRIAGE_CYBERATTACK);
	assert_int_equal(triage_category_parse("災害等"), TRIAGE_DISASTER);
	assert_int_equal(triage_category_parse("flood"), -1);
	assert_string_equal(triage_level_label(4), "L4 重大対応手順で対応");
	assert_string_equal(triage_level_label(9), "");
	assert_string_equal(triage_confirm_text(TRIAGE_POWER), "電源状況の確認と復旧までの時間");
	assert_non_null(triage_action_find("net_disconnect"));
	assert_null(triage_action_find("nothing"));
	assert_int_equal(json_array_size(json_object_get(cat, "categories")), TRIAGE_NCATEGORIES);
	assert_int_equal(json_array_size(json_object_get(cat, "scopes")), 5);
	assert_int_equal(json_array_size(json_object_get(cat, "levels")), 5);
	json_array_foreach(json_object_get(cat, "categories"), i, c) {
		/* every rule names an action that exists */
		json_t *ru;
		size_t j;
		json_array_foreach(json_object_get(c, "rules"), j, ru)
			assert_non_null(triage_action_find(json_string_value(json_object_get(ru, "action"))));
		assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(c, "checks"), 0), "key")), "scope");
	}
	json_decref(cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flow_rows),
		cmocka_unit_test(test_action_cards),
		cmocka_unit_test(test_bad_answers),
		cmocka_unit_test(test_names_and_catalog),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
