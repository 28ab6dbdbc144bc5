/*
 * test_contact.c - the contact chart (src/core/contact.c): add with the
 * vendor's emergency number, edit, remove (those called move up), loops
 * refused, bad keys and values named; the calling order and numbers; the
 * layout (columns by calls, rows centred on those called); the PDF; the
 * checklist evidence for 連絡体制図 that sees the chart.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <unistd.h>

#include "contact.h"
#include "evidence.h"
#include "ledger.h"
#include "store.h"
#include "testutil.h"

#define ACTOR "test-officer"

static int setup(void **state)
{
	return testutil_setup_facility(state, "contact", ACTOR, "みまもり総合病院", "病院");
}

static int64_t add(struct store *st, const char *json)
{
	struct mamori_err err = { 0 };
	json_error_t je;
	json_t *rec = json_loads(json, 0, &je);
	int64_t id = 0;
	if (!rec)
		fail_msg("bad JSON %s", json);
	ASSERT_RC(0, contact_add(st, ACTOR, rec, &id, &err), err);
	json_decref(rec);
	return id;
}

static int add_fails(struct store *st, const char *json, const char *msg)
{
	struct mamori_err err = { 0 };
	json_t *rec = json_loads(json, 0, NULL);
	int64_t id;
	int r = contact_add(st, ACTOR, rec, &id, &err);
	json_decref(rec);
	if (r >= 0)
		fail_msg("%s accepted", json);
	testutil_assert_contains(err.msg, msg);
	return r;
}

static void test_records_and_order(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	json_t *v = json_pack("{s:s, s:s}", "name", "北斗メディカル", "emergency_phone", "0120-555-010"), *list = NULL, *chart = NULL;
	int64_t vid, a, b, c, d;

	ASSERT_RC(0, ledger_insert(fx->st, ACTOR, LEDGER_VENDOR, v, &vid, &err), err);
	json_decref(v);
	a = add(fx->st, "{\"side\":\"組織内\",\"role\":\"情報システム室\"}");
	b = add(fx->st, "{\"role\":\"安全管理責任者\",\"parent\":\"情報システム室\",\"call_order\":\"1\"}");
	c = add(fx->st, "{\"role\":\"保守事業者\",\"vendor\":\"北斗メディカル\",\"parent\":\"#1\",\"call_order\":2}");
	d = add(fx->st, "{\"side\":\"external\",\"role\":\"警察\",\"parent\":\"安全管理責任者\"}");
	(void)d;
	ASSERT_RC(0, contact_list(fx->st, &list, &err), err);
	assert_int_equal(json_array_size(list), 4);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "number")), "1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "role")), "安全管理責任者");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "number")), "1-1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 2), "number")), "1-1-1");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 3), "number")), "1-2");
	/* a vendor makes an external contact, with its emergency number */
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 3), "side")), "external");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 3), "vendor_emergency_phone")), "0120-555-010");
	json_decref(list);

	/* layout: the first caller in column 0, centred on the rows it calls */
	ASSERT_RC(0, contact_chart(fx->st, &chart, &err), err);
	assert_int_equal(json_integer_value(json_object_get(chart, "cols")), 3);
	assert_int_equal(json_integer_value(json_object_get(chart, "rows")), 2);
	assert_int_equal(json_array_size(json_object_get(chart, "edges")), 3);
	assert_true(json_real_value(json_object_get(json_array_get(json_object_get(chart, "nodes"), 0), "row")) == 0.5);
	json_decref(chart);

	/* a loop is refused; bad keys and values named */
	json_t *ch = json_pack("{s:s}", "parent", "警察");
	ASSERT_RC(MAMORI_EINVAL, contact_edit(fx->st, ACTOR, a, ch, &err), err);
	testutil_assert_contains(err.msg, "ひと回り");
	json_decref(ch);
	add_fails(fx->st, "{\"role\":\"x\",\"colour\":\"red\"}", "colour");
	add_fails(fx->st, "{\"side\":\"both\",\"role\":\"x\"}", "side");
	add_fails(fx->st, "{\"name\":\"x\"}", "role");
	add_fails(fx->st, "{\"role\":\"x\",\"vendor\":\"無い会社\"}", "vendor");
	add_fails(fx->st, "{\"role\":\"x\",\"call_order\":\"first\"}", "call_order");
	ASSERT_RC(MAMORI_ENOTFOUND, contact_find(fx->st, "院長", &vid, &err), err);

	/* edit and remove: those the removed one called are called by its caller */
	ch = json_pack("{s:s, s:n}", "phone", "内線 3400", "note");
	ASSERT_RC(0, contact_edit(fx->st, ACTOR, a, ch, &err), err);
	json_decref(ch);
	ASSERT_RC(0, contact_remove(fx->st, ACTOR, b, &err), err);
	ASSERT_RC(0, contact_list(fx->st, &list, &err), err);
	assert_int_equal(json_array_size(list), 3);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 2), "parent_id")), a);
	json_decref(list);
	(void)c;
}

static void test_pdf_and_evidence(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	json_t *ev = NULL;
	char *path = xasprintf("%s/chart.pdf", fx->dir);

	ASSERT_RC(MAMORI_EINVAL, contact_chart_pdf(fx->st, path, &err), err);
	ASSERT_RC(0, evidence_eval(fx->st, NULL, EVIDENCE_CONTACT_CHART, 0, "2026-01-10", &ev, &err), err);
	assert_string_equal(json_string_value(json_object_get(ev, "outcome")), "contradicts");
	json_decref(ev);
	int64_t a = add(fx->st, "{\"role\":\"院長\"}");
	(void)a;
	/* internal only: not yet a chart */
	ASSERT_RC(0, evidence_eval(fx->st, NULL, EVIDENCE_CONTACT_CHART, 0, "2026-01-10", &ev, &err), err);
	assert_string_equal(json_string_value(json_object_get(ev, "outcome")), "contradicts");
	json_decref(ev);
	add(fx->st, "{\"side\":\"external\",\"role\":\"厚生労働省\",\"parent\":\"院長\"}");
	ASSERT_RC(0, evidence_eval(fx->st, NULL, EVIDENCE_CONTACT_CHART, 0, "2026-01-10", &ev, &err), err);
	assert_string_equal(json_string_value(json_object_get(ev, "outcome")), "supports");
	testutil_assert_contains(json_string_value(json_object_get(ev, "summary")), "連絡体制図");
	json_decref(ev);
	ASSERT_RC(0, contact_chart_pdf(fx->st, path, &err), err);
	assert_int_equal(access(path, R_OK), 0);
	free(path);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, testutil_teardown)
	const struct CMUnitTest tests[] = { T(test_records_and_order), T(test_pdf_and_evidence) };
	return cmocka_run_group_tests(tests, NULL, NULL);
}
