/*
 * test_incident.c - incidents (src/core/incident.c): open with the proposed
 * or a chosen level; triage again; action cards ticked and unticked with
 * who and when; notes, notifications and reports (with the draft filled
 * from the record); announcements and which one is due at a given time;
 * the state machine (recover, review, approve, close with every blocker
 * named; nothing written after close); the timeline's hash chain with its
 * head, and verify naming the modified, deleted and reordered event; every
 * change journaled; times as people write them; the management report PDF.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <unistd.h>

#include "incident.h"
#include "journal.h"
#include "store.h"
#include "testutil.h"

#define ACTOR "test-officer"

static int setup(void **state)
{
	return testutil_setup_facility(state, "incident", ACTOR, "みまもり総合病院", "病院");
}

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (!j)
		fail_msg("bad JSON in test: %s: %s", text, e.text);
	return j;
}

static int64_t open_one(struct store *st, enum triage_category c, const char *answers, int level)
{
	struct mamori_err err = { 0 };
	json_t *a = J(answers);
	struct incident_open_args args = { .title = "電子カルテの停止", .category = c, .answers = a,
					   .level = level, .detected_at = "2026-01-10T00:00:00Z" };
	int64_t id = 0;
	ASSERT_RC(0, incident_open(st, ACTOR, &args, &id, &err), err);
	json_decref(a);
	return id;
}

static json_t *view_at(struct store *st, int64_t id, const char *now)
{
	struct mamori_err err = { 0 };
	json_t *v = NULL;
	ASSERT_RC(0, incident_view(st, id, now, &v, &err), err);
	return v;
}

static json_t *card(json_t *view, const char *key)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(view, "actions"), i, c)
		if (!strcmp(json_string_value(json_object_get(c, "key")), key))
			return c;
	return NULL;
}

static const char *ival(json_t *view, const char *k)
{
	return json_string_value(json_object_get(json_object_get(view, "incident"), k));
}

static void test_open_and_triage(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	int64_t id = open_one(fx->st, TRIAGE_CYBERATTACK, "{\"scope\":\"local\",\"spread\":true}", 0);
	json_t *v = view_at(fx->st, id, NULL), *a;

	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "incident"), "level")), 4);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "incident"), "proposed_level")), 4);
	assert_string_equal(ival(v, "status"), "open");
	assert_string_equal(ival(v, "category_label"), "サイバー攻撃");
	assert_non_null(card(v, "stop_systems"));
	json_decref(v);
	/* a chosen level is kept beside the proposal */
	a = J("{\"scope\":\"local\",\"spread\":true,\"outage\":true}");
	ASSERT_RC(0, incident_triage(fx->st, ACTOR, id, a, 0, &err), err);
	json_decref(a);
	v = view_at(fx->st, id, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "incident"), "level")), 5);
	json_decref(v);
	ASSERT_RC(0, incident_triage(fx->st, ACTOR, id, NULL, 3, &err), err);
	v = view_at(fx->st, id, NULL);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "incident"), "level")), 3);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "incident"), "proposed_level")), 5);
	json_decref(v);
	/* bad input */
	a = J("{\"scope\":\"local\",\"long\":true}");
	struct incident_open_args bad = { .title = "x", .category = TRIAGE_CYBERATTACK, .answers = a };
	int64_t nid;
	ASSERT_RC(MAMORI_EINVAL, incident_open(fx->st, ACTOR, &bad, &nid, &err), err);
	testutil_assert_contains(err.msg, "long");
	bad.category = TRIAGE_POWER;
	bad.title = "";
	ASSERT_RC(MAMORI_EINVAL, incident_open(fx->st, ACTOR, &bad, &nid, &err), err);
	json_decref(a);
	ASSERT_RC(MAMORI_ENOTFOUND, incident_find(fx->st, "#99", &nid, &err), err);
	ASSERT_RC(MAMORI_EINVAL, incident_find(fx->st, "x", &nid, &err), err);
	ASSERT_RC(0, incident_find(fx->st, "#1", &nid, &err), err);
	assert_int_equal(nid, id);
}

static void test_actions_and_notices(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	int64_t id = open_one(fx->st, TRIAGE_CYBERATTACK, "{\"scope\":\"device\",\"devices\":[\"PC-9\"]}", 0);
	struct incident_notice n = { .to = "厚生労働省", .authority = "mhlw", .channel = "電話", .by = "高橋" };
	json_t *v, *c;
	char *draft = NULL;

	ASSERT_RC(0, incident_act(fx->st, ACTOR, id, "net_disconnect", 1, "佐藤", "2026-01-10T09:05:00+09:00",
				  "UTM で遮断", &err), err);
	ASSERT_RC(0, incident_act(fx->st, ACTOR, id, "quarantine", 1, NULL, NULL, NULL, &err), err);
	ASSERT_RC(0, incident_act(fx->st, ACTOR, id, "quarantine", 0, NULL, NULL, NULL, &err), err);
	/* a card outside the proposal can still be recorded */
	ASSERT_RC(0, incident_act(fx->st, ACTOR, id, "offline_pc", 1, "事務", NULL, NULL, &err), err);
	ASSERT_RC(MAMORI_EINVAL, incident_act(fx->st, ACTOR, id, "fly", 1, NULL, NULL, NULL, &err), err);
	ASSERT_RC(MAMORI_EINVAL, incident_act(fx->st, ACTOR, id, "quarantine", 1, NULL, "yesterday", NULL, &err), err);
	ASSERT_RC(0, incident_note(fx->st, ACTOR, id, "脅迫文を撮影", &err), err);
	ASSERT_RC(MAMORI_EINVAL, incident_note(fx->st, ACTOR, id, "", &err), err);
	ASSERT_RC(0, incident_notify(fx->st, ACTOR, id, &n, &err), err);
	n.authority = "nobody";
	ASSERT_RC(MAMORI_EINVAL, incident_notify(fx->st, ACTOR, id, &n, &err), err);

	v = view_at(fx->st, id, NULL);
	c = card(v, "net_disconnect");
	assert_true(json_is_true(json_object_get(c, "done")));
	assert_string_equal(json_string_value(json_object_get(c, "by")), "佐藤");
	assert_string_equal(json_string_value(json_object_get(c, "at")), "2026-01-10T00:05:00Z");
	assert_string_equal(json_string_value(json_object_get(c, "note")), "UTM で遮断");
	assert_false(json_is_true(json_object_get(card(v, "quarantine"), "done")));
	assert_string_equal(json_string_value(json_object_get(card(v, "quarantine"), "by")), ACTOR);
	assert_false(json_is_true(json_object_get(card(v, "offline_pc"), "proposed")));
	assert_int_equal(json_array_size(json_object_get(v, "notifications")), 1);
	assert_false(json_is_true(json_object_get(json_array_get(json_object_get(v, "devices"), 0), "found")));
	json_decref(v);

	ASSERT_RC(0, incident_report_draft(fx->st, id, "police", &draft, &err), err);
	testutil_assert_contains(draft, "サイバー犯罪相談窓口");
	testutil_assert_contains(draft, "みまもり総合病院");
	testutil_assert_contains(draft, "ネットワークの切り離し (");
	testutil_assert_contains(draft, "PC-9");
	free(draft);
	ASSERT_RC(MAMORI_EINVAL, incident_report_draft(fx->st, id, "press", &draft, &err), err);
}

static const char *state_of(json_t *v, const char *code)
{
	size_t i;
	json_t *it;
	json_array_foreach(json_object_get(json_object_get(v, "announcements"), "items"), i, it)
		if (!strcmp(json_string_value(json_object_get(it, "code")), code))
			return json_string_value(json_object_get(it, "state"));
	return "?";
}

static void test_announcements(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	int64_t id = open_one(fx->st, TRIAGE_EQUIPMENT, "{\"scope\":\"wide\"}", 0);
	json_t *v, *t = NULL;

	/* detected 00:00Z: at 00:20 (1) is due; at 00:40 overdue */
	v = view_at(fx->st, id, "2026-01-10T00:20:00Z");
	assert_string_equal(state_of(v, "1"), "due");
	assert_string_equal(json_string_value(json_object_get(json_object_get(v, "announcements"), "next")), "1");
	assert_string_equal(state_of(v, "5"), "later");
	json_decref(v);
	v = view_at(fx->st, id, "2026-01-10T00:40:00Z");
	assert_string_equal(state_of(v, "1"), "overdue");
	assert_string_equal(state_of(v, "2"), "due");
	json_decref(v);
	ASSERT_RC(0, incident_announce(fx->st, ACTOR, id, "1", NULL, "課長", NULL, &err), err);
	ASSERT_RC(0, incident_announce(fx->st, ACTOR, id, "3", "復旧は15時の見込みです", NULL, NULL, &err), err);
	ASSERT_RC(MAMORI_EINVAL, incident_announce(fx->st, ACTOR, id, "6", NULL, NULL, NULL, &err), err);
	v = view_at(fx->st, id, "2026-01-10T02:00:00Z");
	assert_string_equal(state_of(v, "1"), "done");
	assert_string_equal(state_of(v, "3"), "done");
	assert_string_equal(state_of(v, "2"), "not_needed");
	assert_string_equal(state_of(v, "4"), "not_needed");
	json_decref(v);
	ASSERT_RC(0, incident_recover(fx->st, ACTOR, id, NULL, &err), err);
	v = view_at(fx->st, id, NULL);
	assert_string_equal(state_of(v, "5"), "due");
	json_decref(v);

	/* templates: the seed's (1), mamori's drafts (3) (4), the hospital's own wording */
	ASSERT_RC(0, incident_templates(fx->st, &t, &err), err);
	testutil_assert_contains(json_string_value(json_object_get(json_array_get(t, 0), "text")),
				 "現在、電子カルテが停止しており診療業務が行えません");
	testutil_assert_contains(json_string_value(json_object_get(json_array_get(t, 2), "source")), "mamori の下書き");
	json_decref(t);
	ASSERT_RC(0, incident_template_set(fx->st, ACTOR, "5", "電子カルテが復旧しました。", &err), err);
	ASSERT_RC(0, incident_templates(fx->st, &t, &err), err);
	assert_string_equal(json_string_value(json_object_get(json_array_get(t, 4), "text")), "電子カルテが復旧しました。");
	assert_true(json_is_true(json_object_get(json_array_get(t, 4), "customized")));
	json_decref(t);
	ASSERT_RC(0, incident_template_set(fx->st, ACTOR, "5", NULL, &err), err);
	ASSERT_RC(0, incident_templates(fx->st, &t, &err), err);
	assert_false(json_is_true(json_object_get(json_array_get(t, 4), "customized")));
	json_decref(t);
	ASSERT_RC(MAMORI_EINVAL, incident_template_set(fx->st, ACTOR, "0", "x", &err), err);
}

static void test_close_rules(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	int64_t id = open_one(fx->st, TRIAGE_POWER, "{\"scope\":\"local\"}", 0);
	json_t *v;
	char *path;

	ASSERT_RC(MAMORI_ECONFLICT, incident_close(fx->st, ACTOR, id, &err), err);
	testutil_assert_contains(err.msg, "正常復帰");
	testutil_assert_contains(err.msg, "事後検証");
	ASSERT_RC(MAMORI_ECONFLICT, incident_approve(fx->st, ACTOR, id, "院長", NULL, &err), err);
	ASSERT_RC(0, incident_recover(fx->st, ACTOR, id, "2026-01-10 10:00", &err), err);
	ASSERT_RC(MAMORI_ECONFLICT, incident_recover(fx->st, ACTOR, id, NULL, &err), err);
	ASSERT_RC(MAMORI_EINVAL, incident_review(fx->st, ACTOR, id, "原因", "", NULL, &err), err);
	ASSERT_RC(0, incident_review(fx->st, ACTOR, id, "UPS の劣化", "UPS の更新", NULL, &err), err);
	ASSERT_RC(MAMORI_ECONFLICT, incident_close(fx->st, ACTOR, id, &err), err);
	testutil_assert_contains(err.msg, "承認");
	ASSERT_RC(0, incident_approve(fx->st, ACTOR, id, "院長 山田", "2026-01-20T10:00:00+09:00", &err), err);
	v = view_at(fx->st, id, NULL);
	assert_true(json_is_true(json_object_get(v, "can_close")));
	assert_string_equal(ival(v, "report_approved_by"), "院長 山田");
	json_decref(v);
	/* a new review needs a new approval */
	ASSERT_RC(0, incident_review(fx->st, ACTOR, id, "UPS の劣化", "UPS の更新と点検", NULL, &err), err);
	v = view_at(fx->st, id, NULL);
	assert_false(json_is_true(json_object_get(v, "can_close")));
	json_decref(v);
	ASSERT_RC(0, incident_approve(fx->st, ACTOR, id, "院長 山田", NULL, &err), err);

	path = xasprintf("%s/report.pdf", fx->dir);
	ASSERT_RC(0, incident_report_pdf(fx->st, id, path, &err), err);
	assert_int_equal(access(path, R_OK), 0);
	free(path);

	ASSERT_RC(0, incident_close(fx->st, ACTOR, id, &err), err);
	ASSERT_RC(MAMORI_ECONFLICT, incident_close(fx->st, ACTOR, id, &err), err);
	ASSERT_RC(MAMORI_ECONFLICT, incident_note(fx->st, ACTOR, id, "追記", &err), err);
	ASSERT_RC(MAMORI_ECONFLICT, incident_act(fx->st, ACTOR, id, "medical_power", 1, NULL, NULL, NULL, &err), err);
	v = view_at(fx->st, id, NULL);
	assert_string_equal(ival(v, "status"), "closed");
	assert_false(json_is_true(json_object_get(v, "can_close")));
	json_decref(v);
}

static int count_fn(const struct journal_entry *e, void *ctx)
{
	(void)e;
	(*(int *)ctx)++;
	return 0;
}

static void test_timeline_chain(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	int64_t id = open_one(fx->st, TRIAGE_EQUIPMENT, "{\"scope\":\"device\"}", 0), checked, bad_id, bad_seq;
	struct journal_filter f = { .action = "incident." };
	int n = 0;
	char *sql;

	for (int i = 0; i < 5; i++)
		ASSERT_RC(0, incident_note(fx->st, ACTOR, id, "記録", &err), err);
	ASSERT_RC(0, journal_list(fx->st, &f, count_fn, &n, &err), err);
	assert_int_equal(n, 6); /* open + 5 notes, each journaled */
	ASSERT_RC(0, store_commit(fx->st, &err), err);
	ASSERT_RC(0, incident_verify(fx->st, 0, &checked, &bad_id, &bad_seq, &err), err);
	assert_int_equal(checked, 6);

	/* modified */
	testutil_sqlite_exec(fx->db, "UPDATE incident_event SET actor = 'x' WHERE seq = 3");
	ASSERT_RC(MAMORI_ECHECK, incident_verify(fx->st, id, &checked, &bad_id, &bad_seq, &err), err);
	assert_int_equal(bad_seq, 3);
	assert_int_equal(bad_id, id);
	testutil_assert_contains(err.msg, "書き換えられています");
	testutil_sqlite_exec(fx->db, "UPDATE incident_event SET actor = '" ACTOR "' WHERE seq = 3");
	ASSERT_RC(0, incident_verify(fx->st, id, &checked, &bad_id, &bad_seq, &err), err);
	/* the newest deleted: only the head in the incident row tells */
	sql = xasprintf("DELETE FROM incident_event WHERE seq = 6");
	testutil_sqlite_exec(fx->db, sql);
	free(sql);
	ASSERT_RC(MAMORI_ECHECK, incident_verify(fx->st, id, &checked, &bad_id, &bad_seq, &err), err);
	assert_int_equal(bad_seq, 6);
	testutil_assert_contains(err.msg, "末尾");
	/* one in the middle deleted */
	testutil_sqlite_exec(fx->db, "DELETE FROM incident_event WHERE seq = 2");
	ASSERT_RC(MAMORI_ECHECK, incident_verify(fx->st, id, &checked, &bad_id, &bad_seq, &err), err);
	assert_int_equal(bad_seq, 2);
	/* a missing incident is named */
	ASSERT_RC(MAMORI_ENOTFOUND, incident_verify(fx->st, 42, &checked, &bad_id, &bad_seq, &err), err);
	ASSERT_RC(0, store_begin(fx->st, &err), err);
}

static void test_times(void **state)
{
	struct mamori_err err = { 0 };
	char out[MAMORI_TIME_LEN];

	(void)state;
	ASSERT_RC(0, incident_time_norm("2026-01-10T09:05:00+09:00", out, &err), err);
	assert_string_equal(out, "2026-01-10T00:05:00Z");
	ASSERT_RC(0, incident_time_norm("2026-01-10T00:05:07.123Z", out, &err), err);
	assert_string_equal(out, "2026-01-10T00:05:07Z");
	ASSERT_RC(0, incident_time_norm("2026-01-10T00:05Z", out, &err), err);
	assert_string_equal(out, "2026-01-10T00:05:00Z");
	ASSERT_RC(0, incident_time_norm(NULL, out, &err), err);
	assert_int_equal(strlen(out) >= 20, 1);
	ASSERT_RC(MAMORI_EINVAL, incident_time_norm("2026-01-10", out, &err), err);
	ASSERT_RC(MAMORI_EINVAL, incident_time_norm("きのう", out, &err), err);
	ASSERT_RC(MAMORI_EINVAL, incident_time_norm("2026-01-10 09:05 JST", out, &err), err);
	assert_string_equal(incident_status_label("recovered"), "正常復帰");
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, testutil_teardown)
	const struct CMUnitTest tests[] = {
		T(test_open_and_triage), T(test_actions_and_notices), T(test_announcements),
		T(test_close_rules), T(test_timeline_chain), cmocka_unit_test(test_times),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
