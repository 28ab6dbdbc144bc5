/*
 * test_dashboard.c - dashboard figures: counts by kind, department and
 * status, each warning rule on devices made to trigger it (and not on the
 * ones that should not), the sample of device ids, and the vendor scope.
 */
#include "common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "asset.h"
#include "dashboard.h"
#include "ledger.h"
#include "store.h"
#include "testutil.h"

#define ACTOR "test:dashboard"

static void add(struct store *st, const struct testutil_kv *kv, size_t n)
{
	struct mamori_err err = { 0 };
	struct asset a;

	asset_init(&a);
	testutil_asset_build(&a, kv, n);
	ASSERT_RC(0, asset_insert(st, ACTOR, &a, &err), err);
	asset_release(&a);
}

static int setup(void **state)
{
	struct mamori_err err = { 0 };
	struct testutil_fixture *fx;
	struct store *st;
	json_t *contract;
	int64_t vid = 0;

	if (testutil_setup_facility(state, "dashboard", ACTOR, "ダッシュボード病院", "hospital") < 0)
		return -1;
	fx = *state;
	st = fx->st;
	/* complete devices: no warning */
	add(st, TESTUTIL_KVS({ ASSET_TAG, "OK-PC" }, { ASSET_KIND, "pc" }, { ASSET_OWNER, "山田" },
			     { ASSET_IP, "10.0.0.1" }, { ASSET_DEPARTMENT, "内科" },
			     { ASSET_ANTIVIRUS, "1" }, { ASSET_PATCHED, "1" }));
	add(st, TESTUTIL_KVS({ ASSET_TAG, "OK-SV" }, { ASSET_KIND, "server" }, { ASSET_OWNER, "情シス" },
			     { ASSET_IP, "10.0.0.2" }, { ASSET_DEPARTMENT, "情報システム室" },
			     { ASSET_VENDOR, "契約あり株式会社" }, { ASSET_REMOTE_MAINTENANCE, "1" }));
	/* one warning each */
	add(st, TESTUTIL_KVS({ ASSET_TAG, "NO-OWNER" }, { ASSET_KIND, "pc" }, { ASSET_IP, "10.0.0.3" },
			     { ASSET_DEPARTMENT, "内科" }));
	add(st, TESTUTIL_KVS({ ASSET_TAG, "NO-IP" }, { ASSET_KIND, "network" }, { ASSET_OWNER, "情シス" },
			     { ASSET_DEPARTMENT, "情報システム室" }));
	add(st, TESTUTIL_KVS({ ASSET_TAG, "REMOTE" }, { ASSET_KIND, "medical" }, { ASSET_OWNER, "放射線" },
			     { ASSET_IP, "10.0.0.5" }, { ASSET_VENDOR, "契約なし株式会社" },
			     { ASSET_REMOTE_MAINTENANCE, "1" }, { ASSET_DEPARTMENT, "放射線科" }));
	add(st, TESTUTIL_KVS({ ASSET_TAG, "NO-AV" }, { ASSET_KIND, "server" }, { ASSET_OWNER, "情シス" },
			     { ASSET_IP, "10.0.0.6" }, { ASSET_ANTIVIRUS, "0" },
			     { ASSET_DEPARTMENT, "情報システム室" }));
	add(st, TESTUTIL_KVS({ ASSET_TAG, "UNPATCHED" }, { ASSET_KIND, "pc" }, { ASSET_OWNER, "佐藤" },
			     { ASSET_IP, "10.0.0.7" }, { ASSET_PATCHED, "0" }, { ASSET_DEPARTMENT, "内科" }));
	/* a medical device without IP is not an IP warning; a retired one warns of nothing */
	add(st, TESTUTIL_KVS({ ASSET_TAG, "MED-NOIP" }, { ASSET_KIND, "medical" }, { ASSET_OWNER, "検査" },
			     { ASSET_DEPARTMENT, "臨床検査科" }));
	add(st, TESTUTIL_KVS({ ASSET_TAG, "OLD" }, { ASSET_KIND, "pc" }, { ASSET_STATUS, "retired" },
			     { ASSET_RETIRED_ON, "2025-01-01" }));
	ASSERT_RC(0, ledger_find(st, LEDGER_VENDOR, "契約あり株式会社", &vid, &err), err);
	contract = json_pack("{s:I, s:s, s:i}", "vendor_id", (json_int_t)vid, "title", "保守",
			     "remote_maintenance", 1);
	ASSERT_RC(0, ledger_insert(st, ACTOR, LEDGER_CONTRACT, contract, NULL, &err), err);
	json_decref(contract);
	ASSERT_RC(0, store_commit(st, &err), err);
	return 0;
}

static json_t *warning(json_t *o, const char *code)
{
	size_t i;
	json_t *w;

	json_array_foreach(json_object_get(o, "warnings"), i, w)
		if (!strcmp(json_string_value(json_object_get(w, "code")), code))
			return w;
	return NULL;
}

static int64_t id_of(struct store *st, const char *tag)
{
	struct mamori_err err = { 0 };
	struct asset a;
	int64_t id;

	ASSERT_RC(0, asset_lookup(st, tag, &a, &err), err);
	id = a.id;
	asset_release(&a);
	return id;
}

static void test_counts(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	json_t *o = NULL;

	ASSERT_RC(0, dashboard_figures(fx->st, NULL, &o, &err), err);
	json_t *dev = json_object_get(o, "devices");
	assert_int_equal(json_integer_value(json_object_get(dev, "total")), 9);
	assert_int_equal(json_integer_value(json_object_get(dev, "in_use")), 8);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(dev, "by_kind"), "端末PC")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(dev, "by_kind"), "サーバ")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(dev, "by_department"), "内科")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(dev, "by_status"), "使用終了")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(o, "facility"), "name")),
			    "ダッシュボード病院");
	json_decref(o);
}

static void test_warnings(void **state)
{
	static const struct {
		const char *code;
		const char *tag;
	} cases[] = {
		{ "no_owner", "NO-OWNER" },
		{ "no_ip", "NO-IP" },
		{ "remote_without_contract", "REMOTE" },
		{ "no_antivirus", "NO-AV" },
		{ "unpatched", "UNPATCHED" },
	};
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	json_t *o = NULL;

	ASSERT_RC(0, dashboard_figures(fx->st, NULL, &o, &err), err);
	assert_int_equal(json_array_size(json_object_get(o, "warnings")), ARRAY_SIZE(cases));
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		json_t *w = warning(o, cases[i].code);
		if (!w)
			fail_msg("warning %s missing", cases[i].code);
		if (json_integer_value(json_object_get(w, "count")) != 1)
			fail_msg("%s: count %lld, want 1", cases[i].code,
				 (long long)json_integer_value(json_object_get(w, "count")));
		json_t *ids = json_object_get(w, "devices");
		assert_int_equal(json_array_size(ids), 1);
		assert_int_equal(json_integer_value(json_array_get(ids, 0)), id_of(fx->st, cases[i].tag));
		testutil_assert_contains(json_string_value(json_object_get(w, "message")), "1 台");
	}
	json_decref(o);
}

static void test_vendor_scope(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	json_t *o = NULL;

	ASSERT_RC(0, dashboard_figures(fx->st, "契約なし株式会社", &o, &err), err);
	json_t *dev = json_object_get(o, "devices");
	assert_int_equal(json_integer_value(json_object_get(dev, "total")), 1);
	assert_non_null(warning(o, "remote_without_contract"));
	assert_null(warning(o, "no_owner"));
	json_decref(o);
}

/* Devices on an OS past its end of support are a warning of their own. */
static void test_end_of_support(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	json_t *o = NULL;

	ASSERT_RC(0, store_begin(fx->st, &err), err);
	add(fx->st, TESTUTIL_KVS({ ASSET_TAG, "OLD-WIN" }, { ASSET_KIND, "pc" }, { ASSET_OWNER, "田中" },
				 { ASSET_IP, "10.0.0.9" }, { ASSET_OS, "Windows 7 Professional" },
				 { ASSET_DEPARTMENT, "内科" }));
	add(fx->st, TESTUTIL_KVS({ ASSET_TAG, "OLD-SV" }, { ASSET_KIND, "server" }, { ASSET_OWNER, "情シス" },
				 { ASSET_IP, "10.0.0.10" }, { ASSET_OS, "Windows Server 2008 R2" },
				 { ASSET_DEPARTMENT, "情報システム室" }));
	ASSERT_RC(0, store_commit(fx->st, &err), err);
	ASSERT_RC(0, dashboard_figures(fx->st, NULL, &o, &err), err);
	json_t *w = warning(o, "eos_ended");
	assert_non_null(w);
	assert_int_equal(json_integer_value(json_object_get(w, "count")), 2);
	assert_int_equal(json_array_size(json_object_get(w, "devices")), 2);
	json_t *eos = json_object_get(o, "end_of_support");
	assert_int_equal(json_integer_value(json_object_get(eos, "ended")), 2);
	/* the 8 in-use devices of the fixture have no OS: unknown, not ended */
	assert_int_equal(json_integer_value(json_object_get(eos, "unknown")), 8);
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_counts, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_warnings, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_vendor_scope, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_end_of_support, setup, testutil_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
