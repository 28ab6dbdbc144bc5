/*
 * test_bcp.c - the BCP data and documents (src/core/bcp.c): systems'
 * priority, tolerable downtime and fallback (set, keep, clear, bad values);
 * backup plans (media words in Japanese, required fields, edit, remove);
 * the BCP PDF and the paper kit written from the demo hospital.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <unistd.h>

#include "bcp.h"
#include "demo.h"
#include "ledger.h"
#include "store.h"
#include "testutil.h"

#define ACTOR "test-officer"

static int setup(void **state)
{
	struct testutil_fixture *fx;
	struct mamori_err err = { 0 };
	json_t *rec;
	int64_t id;

	if (testutil_setup_facility(state, "bcp", ACTOR, "みまもり総合病院", "病院") < 0)
		return -1;
	fx = *state;
	rec = json_pack("{s:s, s:s}", "name", "電子カルテシステム", "availability", "A");
	if (ledger_insert(fx->st, ACTOR, LEDGER_SYSTEM, rec, &id, &err) < 0)
		return -1;
	json_decref(rec);
	return 0;
}

static void test_systems(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	json_t *rec = json_pack("{s:s, s:s, s:s}", "priority", "1", "tolerable_downtime", "3時間", "fallback", "紙運用"), *list = NULL;

	ASSERT_RC(0, bcp_system_set(fx->st, ACTOR, "電子カルテシステム", rec, &err), err);
	json_decref(rec);
	rec = json_pack("{s:s}", "fallback", "紙運用セット");
	ASSERT_RC(0, bcp_system_set(fx->st, ACTOR, "#1", rec, &err), err);
	json_decref(rec);
	ASSERT_RC(0, bcp_systems(fx->st, &list, &err), err);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "priority")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "tolerable_downtime")), "3時間");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "fallback")), "紙運用セット");
	json_decref(list);
	rec = json_pack("{s:i}", "priority", 12);
	ASSERT_RC(MAMORI_EINVAL, bcp_system_set(fx->st, ACTOR, "電子カルテシステム", rec, &err), err);
	testutil_assert_contains(err.msg, "priority");
	json_decref(rec);
	rec = json_pack("{s:s}", "rto", "1h");
	ASSERT_RC(MAMORI_EINVAL, bcp_system_set(fx->st, ACTOR, "電子カルテシステム", rec, &err), err);
	json_decref(rec);
	rec = json_pack("{s:n}", "priority");
	ASSERT_RC(MAMORI_ENOTFOUND, bcp_system_set(fx->st, ACTOR, "無いシステム", rec, &err), err);
	ASSERT_RC(0, bcp_system_set(fx->st, ACTOR, "電子カルテシステム", rec, &err), err);
	json_decref(rec);
	ASSERT_RC(0, bcp_systems(fx->st, &list, &err), err);
	assert_true(json_is_null(json_object_get(json_array_get(list, 0), "priority")));
	json_decref(list);
}

static void test_backups(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	json_t *rec = json_pack("{s:s, s:s, s:s, s:s}", "system", "電子カルテシステム", "frequency", "週次",
				"media", "追記不能", "generations", "8"),
	       *list = NULL;
	int64_t id;

	ASSERT_RC(0, bcp_backup_add(fx->st, ACTOR, rec, &id, &err), err);
	json_decref(rec);
	ASSERT_RC(0, bcp_backups(fx->st, &list, &err), err);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "media")), "worm");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "media_label")), "追記不能");
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "generations")), 8);
	json_decref(list);
	rec = json_pack("{s:s, s:s}", "media", "offline", "restore_procedure", "テープから復元");
	ASSERT_RC(0, bcp_backup_edit(fx->st, ACTOR, id, rec, &err), err);
	json_decref(rec);
	rec = json_pack("{s:s}", "media", "cloud");
	ASSERT_RC(MAMORI_EINVAL, bcp_backup_edit(fx->st, ACTOR, id, rec, &err), err);
	json_decref(rec);
	rec = json_pack("{s:s, s:s}", "system", "電子カルテシステム", "media", "offline");
	ASSERT_RC(MAMORI_EINVAL, bcp_backup_add(fx->st, ACTOR, rec, &id, &err), err);
	testutil_assert_contains(err.msg, "frequency");
	json_decref(rec);
	rec = json_pack("{s:s, s:s}", "frequency", "日次", "media", "offline");
	ASSERT_RC(MAMORI_EINVAL, bcp_backup_add(fx->st, ACTOR, rec, &id, &err), err);
	testutil_assert_contains(err.msg, "system");
	json_decref(rec);
	ASSERT_RC(0, bcp_backup_remove(fx->st, ACTOR, 1, &err), err);
	ASSERT_RC(MAMORI_ENOTFOUND, bcp_backup_remove(fx->st, ACTOR, 1, &err), err);
	assert_string_equal(bcp_media_label("rewritable"), "追記可能");
}

static void test_documents(void **state)
{
	struct testutil_fixture *fx;
	struct mamori_err err = { 0 };
	char *bcp, *kit;

	if (testutil_setup_store(state, "bcp-demo") < 0)
		fail_msg("setup");
	fx = *state;
	ASSERT_RC(0, demo_fill(fx->st, ACTOR, &err), err);
	bcp = xasprintf("%s/bcp.pdf", fx->dir);
	kit = xasprintf("%s/kit.pdf", fx->dir);
	ASSERT_RC(0, bcp_export_pdf(fx->st, bcp, &err), err);
	ASSERT_RC(0, bcp_paper_kit_pdf(fx->st, kit, &err), err);
	assert_int_equal(access(bcp, R_OK), 0);
	assert_int_equal(access(kit, R_OK), 0);
	free(bcp);
	free(kit);
	testutil_teardown(state);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, testutil_teardown)
	const struct CMUnitTest tests[] = { T(test_systems), T(test_backups), cmocka_unit_test(test_documents) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
