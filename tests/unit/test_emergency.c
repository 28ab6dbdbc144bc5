/*
 * test_emergency.c - uses of emergency accounts (src/core/emergency.c):
 * inside an open incident (in its timeline), outside one only with a
 * reason; not for a non-emergency account, an unknown one, or a recovered
 * incident; ambiguous logins; "handled" read from the account table
 * (disabled, or credential_rotated_on after the use, date-only or time);
 * the dashboard alert while any use is not handled; the close rule.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>

#include "dashboard.h"
#include "emergency.h"
#include "incident.h"
#include "ledger.h"
#include "store.h"
#include "testutil.h"

#define ACTOR "test-officer"

static int setup(void **state)
{
	struct testutil_fixture *fx;
	struct mamori_err err = { 0 };
	int64_t id;
	json_t *rec;

	if (testutil_setup_facility(state, "emergency", ACTOR, "みまもり総合病院", "病院") < 0)
		return -1;
	fx = *state;
	rec = json_pack("{s:s}", "name", "電子カルテシステム");
	if (ledger_insert(fx->st, ACTOR, LEDGER_SYSTEM, rec, &id, &err) < 0)
		return -1;
	json_decref(rec);
	rec = json_pack("{s:s}", "name", "PACS");
	if (ledger_insert(fx->st, ACTOR, LEDGER_SYSTEM, rec, &id, &err) < 0)
		return -1;
	json_decref(rec);
	if (store_exec(fx->st,
		       "INSERT INTO account (facility_id, system_id, login, kind, created_at, updated_at) VALUES "
		       "(1, 1, 'emg', 'emergency', 'x', 'x'), (1, 2, 'emg', 'emergency', 'x', 'x'), "
		       "(1, 1, 'nurse1', 'personal', 'x', 'x'), (1, 2, 'pacs-emg', 'emergency', 'x', 'x')",
		       &err) < 0) {
		fprintf(stderr, "setup: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int64_t open_incident(struct store *st)
{
	struct mamori_err err = { 0 };
	json_t *a = json_pack("{s:s}", "scope", "wide");
	struct incident_open_args args = { .title = "停止", .category = TRIAGE_CYBERATTACK, .answers = a };
	int64_t id;
	ASSERT_RC(0, incident_open(st, ACTOR, &args, &id, &err), err);
	json_decref(a);
	return id;
}

static size_t unhandled(struct store *st, int64_t incident)
{
	struct mamori_err err = { 0 };
	json_t *u = NULL;
	size_t n;
	ASSERT_RC(0, emergency_uses(st, incident, 1, &u, &err), err);
	n = json_array_size(u);
	json_decref(u);
	return n;
}

static json_t *alert(struct store *st)
{
	struct mamori_err err = { 0 };
	json_t *d = NULL, *w, *found = NULL;
	size_t i;
	ASSERT_RC(0, dashboard_figures(st, NULL, &d, &err), err);
	json_array_foreach(json_object_get(d, "warnings"), i, w)
		if (!strcmp(json_string_value(json_object_get(w, "code")), "emergency_use"))
			found = json_incref(w);
	json_decref(d);
	return found;
}

static void test_record_rules(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	int64_t inc = open_incident(fx->st), id, aid;
	struct emergency_use_args a = { .incident_id = inc, .account = "emg", .system = "電子カルテシステム",
					.used_by = "医師 鈴木", .used_at = "2026-01-10T01:00:00Z" };
	json_t *v = NULL;

	ASSERT_RC(0, emergency_use_record(fx->st, ACTOR, &a, &id, &err), err);
	/* the use is in the incident's timeline */
	ASSERT_RC(0, incident_view(fx->st, inc, NULL, &v, &err), err);
	assert_int_equal(json_array_size(json_object_get(v, "emergency_uses")), 1);
	assert_string_equal(json_string_value(json_object_get(json_array_get(json_object_get(v, "timeline"), 1), "kind")),
			    "emergency_use");
	testutil_assert_contains(json_string_value(json_array_get(json_object_get(v, "close_blockers"), 2)), "emg");
	json_decref(v);
	/* a login on two systems needs the system */
	a.system = NULL;
	ASSERT_RC(MAMORI_EINVAL, emergency_use_record(fx->st, ACTOR, &a, &id, &err), err);
	testutil_assert_contains(err.msg, "複数のシステム");
	ASSERT_RC(0, emergency_account_find(fx->st, "#2", NULL, &aid, &err), err);
	assert_int_equal(aid, 2);
	/* not an emergency account; unknown */
	a.account = "nurse1";
	ASSERT_RC(MAMORI_EINVAL, emergency_use_record(fx->st, ACTOR, &a, &id, &err), err);
	testutil_assert_contains(err.msg, "非常時用ではありません");
	a.account = "ghost";
	ASSERT_RC(MAMORI_ENOTFOUND, emergency_use_record(fx->st, ACTOR, &a, &id, &err), err);
	/* outside an incident: a reason is required */
	a.account = "pacs-emg";
	a.incident_id = 0;
	ASSERT_RC(MAMORI_EINVAL, emergency_use_record(fx->st, ACTOR, &a, &id, &err), err);
	testutil_assert_contains(err.msg, "理由");
	a.reason = "夜間の読影端末障害";
	ASSERT_RC(0, emergency_use_record(fx->st, ACTOR, &a, &id, &err), err);
	ASSERT_RC(0, emergency_uses(fx->st, -1, 0, &v, &err), err);
	assert_int_equal(json_array_size(v), 1);
	json_decref(v);
	/* not after the return to normal */
	ASSERT_RC(0, incident_recover(fx->st, ACTOR, inc, NULL, &err), err);
	a.incident_id = inc;
	ASSERT_RC(MAMORI_ECONFLICT, emergency_use_record(fx->st, ACTOR, &a, &id, &err), err);
	a.source = "rumour";
	ASSERT_RC(MAMORI_EINVAL, emergency_use_record(fx->st, ACTOR, &a, &id, &err), err);
}

static void test_handled_and_alert(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	int64_t inc = open_incident(fx->st), id;
	struct emergency_use_args a = { .incident_id = inc, .account = "#1", .used_at = "2026-01-10T01:00:00Z" };
	json_t *w, *accts = NULL;

	assert_null(alert(fx->st));
	ASSERT_RC(0, emergency_use_record(fx->st, ACTOR, &a, &id, &err), err);
	w = alert(fx->st);
	assert_non_null(w);
	assert_string_equal(json_string_value(json_object_get(w, "severity")), "alert");
	assert_int_equal(json_integer_value(json_object_get(w, "count")), 1);
	json_decref(w);
	/* a vendor's dashboard does not carry it */
	json_t *d = NULL;
	ASSERT_RC(0, dashboard_figures(fx->st, "某社", &d, &err), err);
	assert_int_equal(json_array_size(json_object_get(d, "warnings")), 0);
	json_decref(d);

	/* rotated before the use: still open */
	ASSERT_RC(0, store_exec(fx->st, "UPDATE account SET credential_rotated_on = '2026-01-09' WHERE id = 1", &err), err);
	assert_int_equal(unhandled(fx->st, inc), 1);
	/* rotated on the day of the use (date only) or later: handled */
	ASSERT_RC(0, store_exec(fx->st, "UPDATE account SET credential_rotated_on = '2026-01-10' WHERE id = 1", &err), err);
	assert_int_equal(unhandled(fx->st, inc), 0);
	assert_null(alert(fx->st));
	/* a time before the use is not after it */
	ASSERT_RC(0, store_exec(fx->st, "UPDATE account SET credential_rotated_on = '2026-01-10T00:30:00Z' WHERE id = 1", &err), err);
	assert_int_equal(unhandled(fx->st, inc), 1);
	ASSERT_RC(0, store_exec(fx->st, "UPDATE account SET credential_rotated_on = '2026-01-10T02:00:00Z' WHERE id = 1", &err), err);
	assert_int_equal(unhandled(fx->st, inc), 0);
	/* disabled: handled */
	ASSERT_RC(0, store_exec(fx->st, "UPDATE account SET credential_rotated_on = NULL, status = 'disabled' WHERE id = 1", &err), err);
	assert_int_equal(unhandled(fx->st, inc), 0);
	json_t *u = NULL;
	ASSERT_RC(0, emergency_uses(fx->st, inc, 0, &u, &err), err);
	assert_string_equal(json_string_value(json_object_get(json_array_get(u, 0), "handled_how")), "disabled");
	json_decref(u);
	ASSERT_RC(0, emergency_accounts(fx->st, &accts, &err), err);
	assert_int_equal(json_array_size(accts), 3);
	json_decref(accts);
}

static void test_close_waits_for_the_account(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	int64_t inc = open_incident(fx->st), id;
	struct emergency_use_args a = { .incident_id = inc, .account = "pacs-emg" };

	ASSERT_RC(0, emergency_use_record(fx->st, ACTOR, &a, &id, &err), err);
	ASSERT_RC(0, incident_recover(fx->st, ACTOR, inc, NULL, &err), err);
	ASSERT_RC(0, incident_review(fx->st, ACTOR, inc, "c", "m", NULL, &err), err);
	ASSERT_RC(0, incident_approve(fx->st, ACTOR, inc, "院長", NULL, &err), err);
	ASSERT_RC(MAMORI_ECONFLICT, incident_close(fx->st, ACTOR, inc, &err), err);
	testutil_assert_contains(err.msg, "pacs-emg");
	ASSERT_RC(0, store_exec(fx->st, "UPDATE account SET status = 'disabled' WHERE login = 'pacs-emg'", &err), err);
	ASSERT_RC(0, incident_close(fx->st, ACTOR, inc, &err), err);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, testutil_teardown)
	const struct CMUnitTest tests[] = {
		T(test_record_rules), T(test_handled_and_alert), T(test_close_waits_for_the_account),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
