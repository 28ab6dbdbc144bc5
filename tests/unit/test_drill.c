/*
 * test_drill.c - drills (src/core/drill.c): plan, record (dates in
 * Japanese notation normalised), link to an incident, list order, bad keys
 * and values, and the journal entries.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>

#include "drill.h"
#include "incident.h"
#include "store.h"
#include "testutil.h"

#define ACTOR "test-officer"

static int setup(void **state)
{
	return testutil_setup_facility(state, "drill", ACTOR, "みまもり総合病院", "病院");
}

static void test_plan_and_record(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	int64_t id, id2, seq0 = testutil_journal_seq(fx->st), inc;
	json_t *rec = json_pack("{s:s, s:s}", "title", "ランサムウェア想定訓練", "planned_on", "令和8年12月10日");
	json_t *d = NULL, *list = NULL, *a = json_pack("{s:s}", "scope", "wide");
	struct incident_open_args oa = { .title = "訓練", .category = TRIAGE_CYBERATTACK, .answers = a, .drill = 1 };

	ASSERT_RC(0, drill_add(fx->st, ACTOR, rec, &id, &err), err);
	json_decref(rec);
	ASSERT_RC(0, drill_get(fx->st, id, &d, &err), err);
	assert_string_equal(json_string_value(json_object_get(d, "planned_on")), "2026-12-10");
	assert_string_equal(json_string_value(json_object_get(d, "status")), "planned");
	json_decref(d);
	ASSERT_RC(0, incident_open(fx->st, ACTOR, &oa, &inc, &err), err);
	json_decref(a);
	rec = json_pack("{s:s, s:s, s:s, s:I}", "done_on", "2026-12-10", "findings", "夜間連絡網の不備",
			"bcp_changes", "連絡体制図を改訂", "incident", (json_int_t)inc);
	ASSERT_RC(0, drill_edit(fx->st, ACTOR, id, rec, &err), err);
	json_decref(rec);
	ASSERT_RC(0, drill_get(fx->st, id, &d, &err), err);
	assert_string_equal(json_string_value(json_object_get(d, "status")), "done");
	assert_string_equal(json_string_value(json_object_get(d, "incident_title")), "訓練");
	json_decref(d);
	rec = json_pack("{s:s, s:s}", "title", "古い訓練", "done_on", "2024-01-01");
	ASSERT_RC(0, drill_add(fx->st, ACTOR, rec, &id2, &err), err);
	json_decref(rec);
	ASSERT_RC(0, drill_list(fx->st, &list, &err), err);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "id")), id);
	json_decref(list);
	/* 2 adds, 1 edit, 1 incident (open event) */
	assert_int_equal(testutil_journal_seq(fx->st) - seq0, 4);

	rec = json_pack("{s:s}", "colour", "red");
	ASSERT_RC(MAMORI_EINVAL, drill_edit(fx->st, ACTOR, id, rec, &err), err);
	testutil_assert_contains(err.msg, "colour");
	json_decref(rec);
	rec = json_pack("{s:s}", "done_on", "someday");
	ASSERT_RC(MAMORI_EINVAL, drill_edit(fx->st, ACTOR, id, rec, &err), err);
	testutil_assert_contains(err.msg, "done_on");
	json_decref(rec);
	rec = json_pack("{s:s}", "incident", "99");
	ASSERT_RC(MAMORI_ENOTFOUND, drill_edit(fx->st, ACTOR, id, rec, &err), err);
	json_decref(rec);
	rec = json_pack("{s:s}", "scenario", "no title");
	ASSERT_RC(MAMORI_EINVAL, drill_add(fx->st, ACTOR, rec, &id2, &err), err);
	json_decref(rec);
	ASSERT_RC(MAMORI_ENOTFOUND, drill_find(fx->st, "#99", &id2, &err), err);
	ASSERT_RC(MAMORI_EINVAL, drill_find(fx->st, "abc", &id2, &err), err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_plan_and_record, setup, testutil_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
