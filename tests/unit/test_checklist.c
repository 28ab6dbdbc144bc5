/*
 * test_checklist.c - answering the checklist (checklist.h): fiscal years
 * and the edition for a year, opening sheets, the rules of an answer
 * (dates within the fiscal year, links, notes, the journal), the gate item
 * of 令和6年度, items not needed without a vendor contract, the vendor
 * 事業者確認用 workflow, official wording, importing editions, and the
 * JSON the UI and the dashboard read (view, sheet list, findings).
 *
 * Sheets use fixed fiscal years (2024 on r6, 2025/2026 on r7) so that the
 * item ids are known; only 確認日 is compared with the real today, as the
 * module does.
 */
#include "common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "asset.h"
#include "checklist.h"
#include "evidence.h"
#include "journal.h"
#include "ledger.h"
#include "store.h"
#include "testutil.h"

#define ACTOR "test:checklist"

static int setup(void **state)
{
	return testutil_setup_facility(state, "checklist", ACTOR, "チェック病院", "hospital");
}

static struct store *store_of(void **state)
{
	return ((struct testutil_fixture *)*state)->st;
}

static void catalog(struct store *st, struct checklist_catalog *cat)
{
	struct mamori_err err = { 0 };

	ASSERT_RC(0, checklist_catalog_open(st, cat, &err), err);
}

static int64_t open_sheet(struct store *st, const struct checklist_catalog *cat, int fy,
			  const char *edition)
{
	struct mamori_err err = { 0 };
	int64_t id = 0;

	ASSERT_RC(0, checklist_sheet_open(st, ACTOR, cat, fy, CHECKLIST_FORM_IRYO, edition, &id, NULL,
					  &err),
		  err);
	assert_true(id > 0);
	return id;
}

/* The answer in, with the strings that may be NULL. */
static int answer(struct store *st, const struct checklist_catalog *cat, int64_t sheet,
		  int64_t vendor_id, const char *item, int round, bool yes, const char *confirmed,
		  const char *target, struct mamori_err *err)
{
	struct checklist_answer_in in = { .yes = yes, .confirmed_on = confirmed, .target_on = target };

	memset(err, 0, sizeof(*err));
	return checklist_answer_set(st, ACTOR, cat, sheet, vendor_id, item, round, &in, err);
}

#define ANSWER_OK(st, cat, sheet, vendor, item, round, yes, confirmed, target)                 \
	do {                                                                                   \
		struct mamori_err e_ = { 0 };                                                  \
		ASSERT_RC(0, answer((st), (cat), (sheet), (vendor), (item), (round), (yes),    \
				    (confirmed), (target), &e_),                               \
			  e_);                                                                 \
	} while (0)

/* Fails unless the call failed with code and its message contains needle. */
#define ASSERT_FAILS(code, needle, expr, err)                                                   \
	do {                                                                                   \
		ASSERT_RC((code), (expr), (err));                                              \
		if ((needle))                                                                  \
			testutil_assert_contains((err).msg, (needle));                         \
	} while (0)

static void last_entry_fn_copy(struct journal_entry *d, const struct journal_entry *e)
{
	journal_entry_release(d);
	testutil_journal_entry_copy(d, e);
}

static int last_fn(const struct journal_entry *e, void *ctx)
{
	last_entry_fn_copy(ctx, e);
	return 0;
}

/* The newest journal entry (release it). */
static void last_entry(struct store *st, struct journal_entry *e)
{
	struct mamori_err err = { 0 };
	struct journal_filter f = { .limit = 1 };

	memset(e, 0, sizeof(*e));
	ASSERT_RC(0, journal_list(st, &f, last_fn, e, &err), err);
	assert_non_null(e->action);
}

static void assert_last_entry(struct store *st, const char *action, const char *entity_type,
			      const char *entity_id)
{
	struct journal_entry e;

	last_entry(st, &e);
	assert_string_equal(e.action, action);
	assert_string_equal(e.entity_type, entity_type);
	if (entity_id)
		assert_string_equal(e.entity_id, entity_id);
	journal_entry_release(&e);
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_int_t num(json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

static json_t *view(struct store *st, const struct checklist_catalog *cat, int64_t sheet,
		    bool with_evidence, const char *today)
{
	struct mamori_err err = { 0 };
	json_t *o = NULL;

	ASSERT_RC(0, checklist_view(st, cat, sheet, 0, with_evidence, today, &o, &err), err);
	assert_non_null(o);
	return o;
}

/* The item of a view (borrowed from v). */
static json_t *view_item(json_t *v, const char *id)
{
	size_t i, k;
	json_t *sec, *it;

	json_array_foreach(json_object_get(v, "sections"), i, sec)
		json_array_foreach(json_object_get(sec, "items"), k, it)
			if (!strcmp(str(it, "id"), id))
				return it;
	fail_msg("item %s not in the view", id);
	return NULL;
}

/* The answer of round (1..3) of an item of a fresh view (new reference or NULL). */
static json_t *stored_answer(struct store *st, const struct checklist_catalog *cat, int64_t sheet,
			     const char *item, int round)
{
	json_t *v = view(st, cat, sheet, false, "2026-01-01");
	json_t *a = json_array_get(json_object_get(view_item(v, item), "answers"), (size_t)round - 1);
	json_t *out = json_is_null(a) ? NULL : json_incref(a);

	json_decref(v);
	return out;
}

static json_t *sheet_json(struct store *st, const struct checklist_catalog *cat, int64_t id,
			  const char *today)
{
	struct mamori_err err = { 0 };
	json_t *list = NULL, *s, *out = NULL;
	size_t i;

	ASSERT_RC(0, checklist_sheets_json(st, cat, 0, 0, today, &list, &err), err);
	json_array_foreach(list, i, s)
		if (num(s, "id") == id)
			out = json_incref(s);
	json_decref(list);
	if (!out)
		fail_msg("sheet %lld not listed", (long long)id);
	return out;
}

static int64_t vendor_with_contract(struct store *st, const char *name, bool with_contract)
{
	struct mamori_err err = { 0 };
	int64_t id = 0;

	ASSERT_RC(0, ledger_ref_resolve(st, ACTOR, LEDGER_VENDOR, name, 1, &id, NULL, &err), err);
	if (with_contract) {
		json_t *rec = json_pack("{s:I, s:s}", "vendor_id", (json_int_t)id, "title", "保守契約");
		ASSERT_RC(0, ledger_insert(st, ACTOR, LEDGER_CONTRACT, rec, NULL, &err), err);
		json_decref(rec);
	}
	return id;
}

static void pause_ms(long ms)
{
	struct timespec ts = { 0, ms * 1000000L };

	nanosleep(&ts, NULL);
}

static void date_offset(int days, char out[11])
{
	time_t t = time(NULL) + (time_t)days * 86400;
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* ---- fiscal years and editions ---------------------------------------------------- */

static void test_fiscal_year(void **state)
{
	(void)state;
	assert_int_equal(checklist_fiscal_year("2026-03-31"), 2025);
	assert_int_equal(checklist_fiscal_year("2026-04-01"), 2026);
	assert_int_equal(checklist_fiscal_year("2026-12-31"), 2026);
	assert_int_equal(checklist_fiscal_year("2027-01-01"), 2026);
	assert_int_equal(checklist_fiscal_year("not a date"), 0);
	assert_int_equal(checklist_form_parse("iryo"), CHECKLIST_FORM_IRYO);
	assert_int_equal(checklist_form_parse("事業者確認用"), CHECKLIST_FORM_JIGYOSHA);
	assert_int_equal(checklist_form_parse("iryo_yakkyoku"), CHECKLIST_FORM_IRYO_YAKKYOKU);
	assert_int_equal(checklist_form_parse("hospital"), -1);
	assert_int_equal(checklist_facility_form("pharmacy"), CHECKLIST_FORM_YAKKYOKU);
	assert_int_equal(checklist_facility_form("clinic"), CHECKLIST_FORM_IRYO);
	assert_int_equal(checklist_facility_form(NULL), CHECKLIST_FORM_IRYO);
	assert_string_equal(checklist_sheet_status_label("requested"), "依頼済");
	assert_string_equal(checklist_sheet_status_label("reviewed"), "確認済");
	assert_null(checklist_sheet_status_label("closed"));
}

static void test_catalog_for_year_shipped(void **state)
{
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	const struct checklist_edition *e;
	bool newer = false;

	(void)state;
	ASSERT_RC(0, checklist_catalog_open(NULL, &cat, &err), err);
	for (size_t i = 0; i < cat.nr; i++)
		if (cat.editions[i].fiscal_year >= 2026 &&
		    (cat.editions[i].form == CHECKLIST_FORM_IRYO ||
		     cat.editions[i].form == CHECKLIST_FORM_IRYO_YAKKYOKU))
			newer = true;
	if (!newer) {
		/* no 令和8年度 file: 令和8年度 is answered on the 令和7年度 form */
		e = checklist_catalog_for_year(&cat, 2026, CHECKLIST_FORM_IRYO);
		assert_non_null(e);
		assert_string_equal(e->edition, "r7");
		assert_int_equal(e->form, CHECKLIST_FORM_IRYO);
	}
	e = checklist_catalog_for_year(&cat, 2025, CHECKLIST_FORM_IRYO);
	assert_string_equal(e->edition, "r7");
	e = checklist_catalog_for_year(&cat, 2024, CHECKLIST_FORM_IRYO);
	assert_string_equal(e->edition, "r6");
	e = checklist_catalog_for_year(&cat, 2024, CHECKLIST_FORM_JIGYOSHA);
	assert_string_equal(e->edition, "r6");
	assert_int_equal(e->form, CHECKLIST_FORM_JIGYOSHA);
	e = checklist_catalog_for_year(&cat, 2025, CHECKLIST_FORM_YAKKYOKU);
	assert_string_equal(e->edition, "r7");
	assert_int_equal(e->form, CHECKLIST_FORM_YAKKYOKU);
	assert_null(checklist_catalog_for_year(&cat, 2023, CHECKLIST_FORM_IRYO));
	assert_null(checklist_catalog_for_year(&cat, 2023, CHECKLIST_FORM_JIGYOSHA));

	assert_non_null(checklist_catalog_find(&cat, "r6", CHECKLIST_FORM_IRYO));
	assert_null(checklist_catalog_find(&cat, "r6", CHECKLIST_FORM_IRYO_YAKKYOKU));
	checklist_catalog_release(&cat);
}

/* A merged iryo_yakkyoku edition serves iryo and yakkyoku only when that year has no own form. */
static void test_catalog_for_year_merged(void **state)
{
	struct checklist_edition ed[] = {
		{ .edition = "m8", .fiscal_year = 2026, .form = CHECKLIST_FORM_IRYO_YAKKYOKU },
		{ .edition = "r8", .fiscal_year = 2026, .form = CHECKLIST_FORM_IRYO },
		{ .edition = "r7", .fiscal_year = 2025, .form = CHECKLIST_FORM_YAKKYOKU },
		{ .edition = "r7", .fiscal_year = 2025, .form = CHECKLIST_FORM_JIGYOSHA },
	};
	struct checklist_edition rev[ARRAY_SIZE(ed)];
	struct checklist_catalog cat = { ed, ARRAY_SIZE(ed) };
	struct checklist_catalog cat_rev = { rev, ARRAY_SIZE(rev) };

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(ed); i++)
		rev[i] = ed[ARRAY_SIZE(ed) - 1 - i];
	for (int pass = 0; pass < 2; pass++) {
		const struct checklist_catalog *c = pass ? &cat_rev : &cat;
		const struct checklist_edition *e;

		/* the own form of the year wins over the merged one, in either order */
		e = checklist_catalog_for_year(c, 2026, CHECKLIST_FORM_IRYO);
		assert_string_equal(e->edition, "r8");
		assert_int_equal(e->form, CHECKLIST_FORM_IRYO);
		/* no 2026 薬局確認用: the merged form, not the older own one */
		e = checklist_catalog_for_year(c, 2026, CHECKLIST_FORM_YAKKYOKU);
		assert_string_equal(e->edition, "m8");
		assert_int_equal(e->form, CHECKLIST_FORM_IRYO_YAKKYOKU);
		e = checklist_catalog_for_year(c, 2030, CHECKLIST_FORM_YAKKYOKU);
		assert_string_equal(e->edition, "m8");
		e = checklist_catalog_for_year(c, 2025, CHECKLIST_FORM_YAKKYOKU);
		assert_string_equal(e->edition, "r7");
		assert_null(checklist_catalog_for_year(c, 2025, CHECKLIST_FORM_IRYO));
		/* the merged form does not serve vendors */
		e = checklist_catalog_for_year(c, 2026, CHECKLIST_FORM_JIGYOSHA);
		assert_string_equal(e->edition, "r7");
		assert_int_equal(e->form, CHECKLIST_FORM_JIGYOSHA);
		e = checklist_catalog_for_year(c, 2026, CHECKLIST_FORM_IRYO_YAKKYOKU);
		assert_string_equal(e->edition, "m8");
	}
}

/* ---- editions to import ------------------------------------------------------------ */

/* A small valid edition: edition, form, fiscal year, title and the ids of two items. */
static char *edition_json(const char *edition, const char *form, int fy, const char *title,
			  const char *id1, const char *id2)
{
	return xasprintf(
		"{\n"
		"  \"format\": \"mamori-checklist-1\",\n"
		"  \"edition\": \"%s\",\n"
		"  \"fiscal_year\": %d,\n"
		"  \"title\": \"%s\",\n"
		"  \"form\": \"%s\",\n"
		"  \"published\": null,\n"
		"  \"sources\": [\"テスト用\"],\n"
		"  \"items_complete\": true,\n"
		"  \"sections\": [\n"
		"    { \"number\": 1, \"title\": \"体制構築\", \"forms\": null },\n"
		"    { \"number\": 2, \"title\": \"管理・運用\", \"forms\": null }\n"
		"  ],\n"
		"  \"items\": [\n"
		"    { \"id\": \"%s\", \"section\": 2, \"number\": \"①\", \"order\": 1,\n"
		"      \"scope\": [\"医療情報システム全般\"],\n"
		"      \"wording\": \"サーバ、端末 PC、ネットワーク機器の台帳管理を行っている。\",\n"
		"      \"wording_status\": \"confirmed\", \"wording_source\": \"テスト用\",\n"
		"      \"refs\": null, \"new_in_edition\": null, \"gate\": false,\n"
		"      \"needed_without_vendor_contract\": true },\n"
		"    { \"id\": \"%s\", \"section\": 1, \"number\": null, \"order\": 1, \"scope\": [],\n"
		"      \"wording\": null, \"wording_status\": \"not_found\", \"wording_source\": null,\n"
		"      \"refs\": null, \"new_in_edition\": true, \"gate\": false,\n"
		"      \"needed_without_vendor_contract\": true, \"note\": \"文言は未確認。\" }\n"
		"  ]\n"
		"}\n",
		edition, fy, title, form, id1, id2);
}

static int import(struct store *st, const char *json, char **name,
		  struct checklist_problems *problems, struct mamori_err *err)
{
	memset(err, 0, sizeof(*err));
	return checklist_edition_import(st, ACTOR, json, strlen(json), "test.json", NULL, name,
					problems, err);
}

static void test_catalog_for_year_imported_merged(void **state)
{
	struct store *st = store_of(state);
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	const struct checklist_edition *e;
	char *json = edition_json("r9", "iryo_yakkyoku", 2027, "医療機関・薬局チェックリスト",
				  "r9-iryo_yakkyoku-2-1", "r9-iryo_yakkyoku-1-1");
	char *name = NULL;
	int64_t id = 0, again = 0;
	int created = 0;
	json_t *s;

	ASSERT_RC(0, import(st, json, &name, NULL, &err), err);
	assert_string_equal(name, "r9-iryo_yakkyoku");
	catalog(st, &cat);
	e = checklist_catalog_for_year(&cat, 2027, CHECKLIST_FORM_IRYO);
	assert_non_null(e);
	assert_string_equal(e->edition, "r9");
	assert_int_equal(e->form, CHECKLIST_FORM_IRYO_YAKKYOKU);
	e = checklist_catalog_for_year(&cat, 2027, CHECKLIST_FORM_YAKKYOKU);
	assert_string_equal(e->edition, "r9");
	e = checklist_catalog_for_year(&cat, 2027, CHECKLIST_FORM_JIGYOSHA);
	assert_string_equal(e->edition, "r7");
	e = checklist_catalog_for_year(&cat, 2025, CHECKLIST_FORM_IRYO);
	assert_string_equal(e->edition, "r7");

	/* the facility's sheet of that year is on the merged form */
	ASSERT_RC(0, checklist_sheet_open(st, ACTOR, &cat, 2027, CHECKLIST_FORM_IRYO, NULL, &id,
					  &created, &err),
		  err);
	assert_int_equal(created, 1);
	s = sheet_json(st, &cat, id, "2027-05-01");
	assert_string_equal(str(s, "edition"), "r9");
	assert_string_equal(str(s, "form"), "iryo_yakkyoku");
	json_decref(s);
	/* an edition named for the iryo form finds the merged one too */
	ASSERT_RC(0, checklist_sheet_open(st, ACTOR, &cat, 2027, CHECKLIST_FORM_IRYO, "r9", &again,
					  &created, &err),
		  err);
	assert_int_equal(again, id);
	assert_int_equal(created, 0);
	ASSERT_RC(0, checklist_sheet_find(st, 2027, CHECKLIST_FORM_IRYO_YAKKYOKU, 0, &again, &err), err);
	assert_int_equal(again, id);
	checklist_catalog_release(&cat);
	free(name);
	free(json);
}

/* ---- opening sheets ----------------------------------------------------------------- */

static void test_open_idempotent(void **state)
{
	struct store *st = store_of(state);
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	struct journal_entry e;
	int64_t id = 0, id2 = 0, seq;
	int created = -1;
	char idtext[32];
	json_t *s;

	catalog(st, &cat);
	ASSERT_RC(0, checklist_sheet_open(st, ACTOR, &cat, 2025, CHECKLIST_FORM_IRYO, NULL, &id,
					  &created, &err),
		  err);
	assert_int_equal(created, 1);
	assert_true(id > 0);
	snprintf(idtext, sizeof(idtext), "%lld", (long long)id);
	last_entry(st, &e);
	assert_string_equal(e.action, "checklist.open");
	assert_string_equal(e.entity_type, "checklist");
	assert_string_equal(e.entity_id, idtext);
	assert_null(e.before);
	testutil_assert_json_key(e.after, "status", "open");
	testutil_assert_json_key(e.after, "edition", "r7");
	testutil_assert_json_key(e.after, "fiscal_year", "2025");
	journal_entry_release(&e);

	seq = testutil_journal_seq(st);
	ASSERT_RC(0, checklist_sheet_open(st, ACTOR, &cat, 2025, CHECKLIST_FORM_IRYO, NULL, &id2,
					  &created, &err),
		  err);
	assert_int_equal(created, 0);
	assert_int_equal(id2, id);
	assert_int_equal(testutil_journal_seq(st), seq);
	ASSERT_RC(0, checklist_sheet_find(st, 2025, CHECKLIST_FORM_IRYO, 0, &id2, &err), err);
	assert_int_equal(id2, id);
	ASSERT_RC(0, checklist_sheet_find(st, 2024, CHECKLIST_FORM_IRYO, 0, &id2, &err), err);
	assert_int_equal(id2, 0);

	s = sheet_json(st, &cat, id, "2025-06-01");
	assert_string_equal(str(s, "status"), "open");
	assert_string_equal(str(s, "status_label"), "回答中");
	assert_string_equal(str(s, "form_label"), "医療機関確認用");
	assert_true(json_is_null(json_object_get(s, "vendor_id")));
	json_decref(s);

	ASSERT_FAILS(MAMORI_EINVAL, "事業者確認用",
		     checklist_sheet_open(st, ACTOR, &cat, 2025, CHECKLIST_FORM_JIGYOSHA, NULL, &id2,
					  NULL, &err),
		     err);
	ASSERT_FAILS(MAMORI_ENOTFOUND, "令和5年度",
		     checklist_sheet_open(st, ACTOR, &cat, 2023, CHECKLIST_FORM_IRYO, NULL, &id2, NULL,
					  &err),
		     err);
	ASSERT_FAILS(MAMORI_ENOTFOUND, "r5",
		     checklist_sheet_open(st, ACTOR, &cat, 2025, CHECKLIST_FORM_IRYO, "r5", &id2, NULL,
					  &err),
		     err);
	ASSERT_RC(MAMORI_EINVAL,
		  checklist_sheet_open(st, ACTOR, &cat, 1999, CHECKLIST_FORM_IRYO, NULL, &id2, NULL, &err),
		  err);
	checklist_catalog_release(&cat);
}

/* ---- answers --------------------------------------------------------------------------- */

static void test_answer_yes(void **state)
{
	struct store *st = store_of(state);
	struct checklist_catalog cat = { 0 };
	struct journal_entry e;
	char today[11];
	int64_t sheet;
	json_t *a;

	catalog(st, &cat);
	mamori_today(today);
	sheet = open_sheet(st, &cat, 2025, NULL);
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-1-1", 1, true, NULL, NULL);
	a = stored_answer(st, &cat, sheet, "r7-iryo-1-1", 1);
	assert_non_null(a);
	assert_string_equal(str(a, "answer"), "yes");
	assert_string_equal(str(a, "answer_label"), "はい");
	assert_string_equal(str(a, "confirmed_on"), today);
	assert_true(json_is_null(json_object_get(a, "target_on")));
	assert_true(json_is_false(json_object_get(a, "overdue")));
	assert_string_equal(str(a, "updated_by"), ACTOR);
	assert_int_equal(num(a, "round"), 1);
	json_decref(a);
	assert_null(stored_answer(st, &cat, sheet, "r7-iryo-1-1", 2));

	last_entry(st, &e);
	assert_string_equal(e.action, "checklist.answer");
	assert_string_equal(e.entity_type, "checklist");
	assert_null(e.before);
	testutil_assert_json_key(e.after, "item_id", "r7-iryo-1-1");
	testutil_assert_json_key(e.after, "answer", "yes");
	testutil_assert_json_key(e.after, "round", "1");
	journal_entry_release(&e);

	/* はい ignores a 目標日 */
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-1", 1, true, "2025-06-01", "2025-09-01");
	a = stored_answer(st, &cat, sheet, "r7-iryo-2-1", 1);
	assert_string_equal(str(a, "confirmed_on"), "2025-06-01");
	assert_true(json_is_null(json_object_get(a, "target_on")));
	json_decref(a);
	checklist_catalog_release(&cat);
}

static void test_answer_no_target(void **state)
{
	struct store *st = store_of(state);
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	int64_t sheet;
	json_t *a;

	catalog(st, &cat);
	sheet = open_sheet(st, &cat, 2026, "r7");
	ASSERT_FAILS(MAMORI_EINVAL, "目標日",
		     answer(st, &cat, sheet, 0, "r7-iryo-2-6", 1, false, NULL, NULL, &err), err);
	ASSERT_FAILS(MAMORI_EINVAL, "目標日",
		     answer(st, &cat, sheet, 0, "r7-iryo-2-6", 1, false, NULL, "", &err), err);
	/* outside 令和8年度 (2026-04-01 … 2027-03-31), at both ends */
	ASSERT_FAILS(MAMORI_EINVAL, "目標日",
		     answer(st, &cat, sheet, 0, "r7-iryo-2-6", 1, false, NULL, "2026-03-31", &err), err);
	testutil_assert_contains(err.msg, "令和8年度");
	ASSERT_FAILS(MAMORI_EINVAL, "目標日",
		     answer(st, &cat, sheet, 0, "r7-iryo-2-6", 1, false, NULL, "2027-04-01", &err), err);
	ASSERT_FAILS(MAMORI_EINVAL, "目標日",
		     answer(st, &cat, sheet, 0, "r7-iryo-2-6", 1, false, NULL, "2026-02-30", &err), err);
	assert_null(stored_answer(st, &cat, sheet, "r7-iryo-2-6", 1));

	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-6", 1, false, NULL, "2026-04-01");
	a = stored_answer(st, &cat, sheet, "r7-iryo-2-6", 1);
	assert_string_equal(str(a, "answer"), "no");
	assert_string_equal(str(a, "answer_label"), "いいえ");
	assert_string_equal(str(a, "target_on"), "2026-04-01");
	json_decref(a);
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-6", 2, false, NULL, "2027-03-31");
	a = stored_answer(st, &cat, sheet, "r7-iryo-2-6", 2);
	assert_string_equal(str(a, "target_on"), "2027-03-31");
	json_decref(a);
	/* dates as written in Japan */
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-6", 3, false, "令和7年4月10日", "令和8年5月1日");
	a = stored_answer(st, &cat, sheet, "r7-iryo-2-6", 3);
	assert_string_equal(str(a, "target_on"), "2026-05-01");
	assert_string_equal(str(a, "confirmed_on"), "2025-04-10");
	json_decref(a);
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-7", 1, false, "R7.4.1", "2026/6/30");
	a = stored_answer(st, &cat, sheet, "r7-iryo-2-7", 1);
	assert_string_equal(str(a, "target_on"), "2026-06-30");
	assert_string_equal(str(a, "confirmed_on"), "2025-04-01");
	json_decref(a);
	checklist_catalog_release(&cat);
}

static void test_answer_confirmed_on(void **state)
{
	struct store *st = store_of(state);
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	char tomorrow[11], later[11], today[11];
	int64_t sheet;

	catalog(st, &cat);
	sheet = open_sheet(st, &cat, 2025, NULL);
	mamori_today(today);
	date_offset(1, tomorrow);
	date_offset(2, later);
	if (strcmp(tomorrow, today) <= 0) { /* local midnight quirks: step a day further */
		date_offset(2, tomorrow);
		date_offset(3, later);
	}
	ASSERT_FAILS(MAMORI_EINVAL, "確認日",
		     answer(st, &cat, sheet, 0, "r7-iryo-1-1", 1, true, later, NULL, &err), err);
	testutil_assert_contains(err.msg, "未来");
	ASSERT_FAILS(MAMORI_EINVAL, "確認日",
		     answer(st, &cat, sheet, 0, "r7-iryo-1-1", 1, true, "yesterday", NULL, &err), err);
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-1-1", 1, true, today, NULL);
	/* the day after the server's: a browser east of the server (Japan,
	 * 00:00-09:00, with the server on UTC) is already there */
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-1-1", 1, true, tomorrow, NULL);
	checklist_catalog_release(&cat);
}

static void test_answer_bad_item_round(void **state)
{
	struct store *st = store_of(state);
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	int64_t sheet;

	catalog(st, &cat);
	sheet = open_sheet(st, &cat, 2025, NULL);
	ASSERT_FAILS(MAMORI_EINVAL, "r7-iryo-9-9",
		     answer(st, &cat, sheet, 0, "r7-iryo-9-9", 1, true, NULL, NULL, &err), err);
	/* an item of another edition is not an item of this sheet */
	ASSERT_FAILS(MAMORI_EINVAL, "r6-iryo-1-1",
		     answer(st, &cat, sheet, 0, "r6-iryo-1-1", 1, true, NULL, NULL, &err), err);
	ASSERT_FAILS(MAMORI_EINVAL, "回数",
		     answer(st, &cat, sheet, 0, "r7-iryo-1-1", 0, true, NULL, NULL, &err), err);
	ASSERT_FAILS(MAMORI_EINVAL, "回数",
		     answer(st, &cat, sheet, 0, "r7-iryo-1-1", 4, true, NULL, NULL, &err), err);
	ASSERT_RC(MAMORI_ENOTFOUND, answer(st, &cat, sheet + 100, 0, "r7-iryo-1-1", 1, true, NULL, NULL, &err),
		  err);
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-1-1", 3, true, NULL, NULL);
	checklist_catalog_release(&cat);
}

static void test_answer_links_and_note(void **state)
{
	static const char *const bad[] = {
		"javascript:alert(1)", "device:0", "device:12x", "device:", "device:-1",
		"ftp://example.jp/x", "https://example.jp/a b", "system:012", "document:1\n",
	};
	static const char *const good[] = { "device:12", "https://example.jp/x", "document:3",
					    "system:2", "vendor:1", "contract:7",
					    "http://intranet.local/bcp.pdf" };
	struct store *st = store_of(state);
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	struct checklist_answer_in in = { .yes = true };
	const char *links[CHECKLIST_LINKS_MAX + 1];
	char *note;
	int64_t sheet;
	json_t *a, *l;

	catalog(st, &cat);
	sheet = open_sheet(st, &cat, 2025, NULL);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		in.links = &bad[i];
		in.nr_links = 1;
		memset(&err, 0, sizeof(err));
		if (checklist_answer_set(st, ACTOR, &cat, sheet, 0, "r7-iryo-2-1", 1, &in, &err) !=
		    MAMORI_EINVAL)
			fail_msg("link 「%s」 accepted", bad[i]);
		testutil_assert_contains(err.msg, "根拠リンク");
	}
	assert_null(stored_answer(st, &cat, sheet, "r7-iryo-2-1", 1));

	for (size_t i = 0; i <= CHECKLIST_LINKS_MAX; i++)
		links[i] = "device:1";
	in.links = links;
	in.nr_links = CHECKLIST_LINKS_MAX + 1;
	ASSERT_RC(MAMORI_EINVAL, checklist_answer_set(st, ACTOR, &cat, sheet, 0, "r7-iryo-2-1", 1, &in, &err),
		  err);

	in.links = good;
	in.nr_links = ARRAY_SIZE(good);
	in.note = "台帳は 2025-06 に棚卸し済み。\n次回は 2026-06。";
	ASSERT_RC(0, checklist_answer_set(st, ACTOR, &cat, sheet, 0, "r7-iryo-2-1", 1, &in, &err), err);
	a = stored_answer(st, &cat, sheet, "r7-iryo-2-1", 1);
	l = json_object_get(a, "links");
	assert_int_equal(json_array_size(l), ARRAY_SIZE(good));
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		assert_string_equal(json_string_value(json_array_get(l, i)), good[i]);
	assert_string_equal(str(a, "note"), in.note);
	json_decref(a);

	/* the note: 2000 bytes fit, 2001 do not, control characters never */
	note = xmalloc(CHECKLIST_NOTE_MAX + 2);
	memset(note, 'a', CHECKLIST_NOTE_MAX + 1);
	note[CHECKLIST_NOTE_MAX + 1] = '\0';
	in.links = NULL;
	in.nr_links = 0;
	in.note = note;
	ASSERT_FAILS(MAMORI_EINVAL, "備考",
		     checklist_answer_set(st, ACTOR, &cat, sheet, 0, "r7-iryo-2-1", 2, &in, &err), err);
	note[CHECKLIST_NOTE_MAX] = '\0';
	ASSERT_RC(0, checklist_answer_set(st, ACTOR, &cat, sheet, 0, "r7-iryo-2-1", 2, &in, &err), err);
	in.note = "bell\a";
	ASSERT_FAILS(MAMORI_EINVAL, "備考",
		     checklist_answer_set(st, ACTOR, &cat, sheet, 0, "r7-iryo-2-1", 3, &in, &err), err);
	in.note = "\xff\xfe";
	ASSERT_FAILS(MAMORI_EINVAL, "備考",
		     checklist_answer_set(st, ACTOR, &cat, sheet, 0, "r7-iryo-2-1", 3, &in, &err), err);
	free(note);
	checklist_catalog_release(&cat);
}

static void test_answer_journal(void **state)
{
	struct store *st = store_of(state);
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	struct journal_entry e;
	int64_t sheet, seq;
	char idtext[32];

	catalog(st, &cat);
	sheet = open_sheet(st, &cat, 2025, NULL);
	snprintf(idtext, sizeof(idtext), "%lld", (long long)sheet);
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-6", 1, true, "2025-05-01", NULL);

	/* replacing: before and after */
	seq = testutil_journal_seq(st);
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-6", 1, false, "2025-05-02", "2025-12-01");
	assert_int_equal(testutil_journal_seq(st), seq + 1);
	last_entry(st, &e);
	assert_string_equal(e.action, "checklist.answer");
	assert_string_equal(e.entity_id, idtext);
	testutil_assert_json_key(e.before, "answer", "yes");
	testutil_assert_json_key(e.before, "confirmed_on", "2025-05-01");
	testutil_assert_json_key(e.after, "answer", "no");
	testutil_assert_json_key(e.after, "target_on", "2025-12-01");
	testutil_assert_json_key(e.after, "item_id", "r7-iryo-2-6");
	journal_entry_release(&e);

	/* the same answer again (a moment later) changes nothing and is not journaled */
	seq = testutil_journal_seq(st);
	pause_ms(5);
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-6", 1, false, "2025-05-02", "2025-12-01");
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-6", 1, false, "令和7年5月2日", "2025/12/1");
	assert_int_equal(testutil_journal_seq(st), seq);

	/* clear: removed and journaled; clearing what is not there is fine and silent */
	ASSERT_RC(0, checklist_answer_clear(st, ACTOR, &cat, sheet, 0, "r7-iryo-2-6", 1, &err), err);
	assert_int_equal(testutil_journal_seq(st), seq + 1);
	last_entry(st, &e);
	assert_string_equal(e.action, "checklist.clear");
	assert_string_equal(e.entity_id, idtext);
	testutil_assert_json_key(e.before, "answer", "no");
	assert_null(e.after);
	journal_entry_release(&e);
	assert_null(stored_answer(st, &cat, sheet, "r7-iryo-2-6", 1));
	ASSERT_RC(0, checklist_answer_clear(st, ACTOR, &cat, sheet, 0, "r7-iryo-2-6", 1, &err), err);
	assert_int_equal(testutil_journal_seq(st), seq + 1);
	ASSERT_RC(MAMORI_EINVAL, checklist_answer_clear(st, ACTOR, &cat, sheet, 0, "nope", 1, &err), err);
	ASSERT_RC(MAMORI_EINVAL, checklist_answer_clear(st, ACTOR, &cat, sheet, 0, "r7-iryo-2-6", 4, &err),
		  err);
	checklist_catalog_release(&cat);
}

/* ---- the gate (令和6年度) ------------------------------------------------------------ */

static void test_gate(void **state)
{
	struct store *st = store_of(state);
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	int64_t sheet;
	json_t *s, *v, *p, *g;

	catalog(st, &cat);
	sheet = open_sheet(st, &cat, 2024, "r6");
	s = sheet_json(st, &cat, sheet, "2024-06-01");
	assert_string_equal(str(s, "edition"), "r6");
	p = json_object_get(s, "progress");
	assert_int_equal(num(p, "items"), 19);
	json_decref(s);

	ANSWER_OK(st, &cat, sheet, 0, "r6-iryo-gate", 1, false, "2024-05-01", "2025-03-31");
	ASSERT_FAILS(MAMORI_EINVAL, "確認不要",
		     answer(st, &cat, sheet, 0, "r6-iryo-2-1", 1, true, "2024-05-01", NULL, &err), err);
	testutil_assert_contains(err.msg, "1回目");
	/* the gate itself can still be changed, and round 2 is not gated */
	ANSWER_OK(st, &cat, sheet, 0, "r6-iryo-2-1", 2, true, "2024-05-01", NULL);

	s = sheet_json(st, &cat, sheet, "2024-06-01");
	p = json_object_get(s, "progress");
	assert_int_equal(num(p, "items"), 19);
	assert_int_equal(num(p, "needed"), 1);
	assert_int_equal(num(p, "answered"), 1);
	assert_int_equal(num(p, "no"), 1);
	assert_int_equal(num(p, "yes"), 1);
	json_decref(s);

	v = view(st, &cat, sheet, false, "2024-06-01");
	g = json_object_get(v, "gate_no");
	assert_int_equal(json_array_size(g), CHECKLIST_ROUNDS);
	assert_true(json_is_true(json_array_get(g, 0)));
	assert_true(json_is_false(json_array_get(g, 1)));
	assert_true(json_is_false(json_array_get(g, 2)));
	assert_true(json_is_true(json_object_get(view_item(v, "r6-iryo-gate"), "gate")));
	json_decref(v);

	/* gate はい: round 1 opens */
	ANSWER_OK(st, &cat, sheet, 0, "r6-iryo-gate", 1, true, "2024-05-01", NULL);
	ANSWER_OK(st, &cat, sheet, 0, "r6-iryo-2-1", 1, true, "2024-05-01", NULL);
	s = sheet_json(st, &cat, sheet, "2024-06-01");
	p = json_object_get(s, "progress");
	/* no vendor contract: r6-iryo-2-2 and 2-3 are 記入不要, everything else is needed */
	assert_int_equal(num(p, "needed"), 17);
	assert_int_equal(num(p, "answered"), 2);
	json_decref(s);
	checklist_catalog_release(&cat);
}

/* ---- 記入不要 without a vendor contract ---------------------------------------------- */

static void test_needed_without_vendor_contract(void **state)
{
	struct store *st = store_of(state);
	struct checklist_catalog cat = { 0 };
	int64_t sheet;
	json_t *v, *it, *s, *p;

	catalog(st, &cat);
	sheet = open_sheet(st, &cat, 2025, NULL);
	v = view(st, &cat, sheet, false, "2025-06-01");
	assert_true(json_is_false(json_object_get(v, "has_vendor_contract")));
	it = view_item(v, "r7-iryo-2-2");
	assert_true(json_is_false(json_object_get(it, "needed")));
	testutil_assert_contains(str(it, "not_needed_reason"), "記入不要");
	it = view_item(v, "r7-iryo-2-3");
	assert_true(json_is_false(json_object_get(it, "needed")));
	/* the rest is needed */
	it = view_item(v, "r7-iryo-2-6");
	assert_true(json_is_true(json_object_get(it, "needed")));
	assert_true(json_is_null(json_object_get(it, "not_needed_reason")));
	p = json_object_get(json_object_get(v, "sheet"), "progress");
	assert_int_equal(num(p, "items"), 18);
	assert_int_equal(num(p, "needed"), 16);
	json_decref(v);

	vendor_with_contract(st, "保守A社", true);
	v = view(st, &cat, sheet, false, "2025-06-01");
	assert_true(json_is_true(json_object_get(v, "has_vendor_contract")));
	it = view_item(v, "r7-iryo-2-2");
	assert_true(json_is_true(json_object_get(it, "needed")));
	assert_true(json_is_null(json_object_get(it, "not_needed_reason")));
	json_decref(v);
	s = sheet_json(st, &cat, sheet, "2025-06-01");
	assert_int_equal(num(json_object_get(s, "progress"), "needed"), 18);
	json_decref(s);
	checklist_catalog_release(&cat);
}

/* ---- the vendor workflow ------------------------------------------------------------- */

static const char *sheet_status(struct store *st, const struct checklist_catalog *cat, int64_t id,
				char buf[32])
{
	json_t *s = sheet_json(st, cat, id, "2025-06-01");

	snprintf(buf, 32, "%s", str(s, "status"));
	json_decref(s);
	return buf;
}

static void test_vendor_workflow(void **state)
{
	struct store *st = store_of(state);
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	const struct checklist_edition *ed;
	struct journal_entry e;
	int64_t va, vb, vnone, sheet = 0, other = 0, own;
	char buf[32], idtext[32];
	json_t *s, *list = NULL, *v = NULL;

	catalog(st, &cat);
	vnone = vendor_with_contract(st, "契約なし社", false);
	va = vendor_with_contract(st, "保守A社", true);
	vb = vendor_with_contract(st, "保守B社", true);
	ASSERT_FAILS(MAMORI_ECONFLICT, "契約",
		     checklist_vendor_request(st, ACTOR, &cat, 2025, vnone, NULL, &sheet, &err), err);
	ASSERT_RC(MAMORI_ENOTFOUND, checklist_vendor_request(st, ACTOR, &cat, 2025, 999, NULL, &sheet, &err),
		  err);

	ASSERT_RC(0, checklist_vendor_request(st, ACTOR, &cat, 2025, va, NULL, &sheet, &err), err);
	assert_true(sheet > 0);
	snprintf(idtext, sizeof(idtext), "%lld", (long long)sheet);
	assert_last_entry(st, "checklist.request", "checklist", idtext);
	s = sheet_json(st, &cat, sheet, "2025-06-01");
	assert_string_equal(str(s, "status"), "requested");
	assert_string_equal(str(s, "status_label"), "依頼済");
	assert_string_equal(str(s, "form"), "jigyosha");
	assert_string_equal(str(s, "edition"), "r7");
	assert_int_equal(num(s, "vendor_id"), va);
	assert_string_equal(str(s, "vendor_name"), "保守A社");
	assert_string_equal(str(s, "requested_by"), ACTOR);
	json_decref(s);
	ASSERT_FAILS(MAMORI_ECONFLICT, "依頼済み",
		     checklist_vendor_request(st, ACTOR, &cat, 2025, va, NULL, &other, &err), err);
	/* another year is another sheet */
	ASSERT_RC(0, checklist_vendor_request(st, ACTOR, &cat, 2024, va, NULL, &other, &err), err);
	assert_true(other != sheet);

	/* the vendor answers its own sheet; another vendor cannot see it */
	ANSWER_OK(st, &cat, sheet, va, "r7-jigyosha-1-1", 1, true, "2025-05-01", NULL);
	ASSERT_RC(MAMORI_ENOTFOUND,
		  answer(st, &cat, sheet, vb, "r7-jigyosha-1-1", 1, true, "2025-05-01", NULL, &err), err);
	ASSERT_RC(MAMORI_ENOTFOUND, checklist_view(st, &cat, sheet, vb, false, "2025-06-01", &v, &err),
		  err);
	assert_null(v);
	ASSERT_RC(0, checklist_view(st, &cat, sheet, va, false, "2025-06-01", &v, &err), err);
	json_decref(v);
	ASSERT_RC(0, checklist_sheets_json(st, &cat, 0, vb, "2025-06-01", &list, &err), err);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	ASSERT_RC(0, checklist_sheets_json(st, &cat, 2025, va, "2025-06-01", &list, &err), err);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);

	/* submitting with round-1 answers missing names them */
	ASSERT_FAILS(MAMORI_EINVAL, "未回答",
		     checklist_vendor_submit(st, ACTOR, &cat, sheet, 0, &err), err);
	testutil_assert_contains(err.msg, "r7-jigyosha-2-1");
	assert_string_equal(sheet_status(st, &cat, sheet, buf), "requested");

	ed = checklist_catalog_find(&cat, "r7", CHECKLIST_FORM_JIGYOSHA);
	assert_non_null(ed);
	for (size_t i = 0; i < ed->nr_items; i++)
		ANSWER_OK(st, &cat, sheet, va, ed->items[i].id, 1, true, "2025-05-01", NULL);
	/* another vendor cannot hand it in; its own account can */
	ASSERT_RC(MAMORI_ENOTFOUND, checklist_vendor_submit(st, "vendor:保守B社", &cat, sheet, vb, &err),
		  err);
	assert_string_equal(sheet_status(st, &cat, sheet, buf), "requested");
	ASSERT_RC(0, checklist_vendor_submit(st, "vendor:保守A社", &cat, sheet, va, &err), err);
	assert_string_equal(sheet_status(st, &cat, sheet, buf), "answered");
	/* a vendor's sheet is about the vendor: no evidence from the hospital's records */
	ASSERT_RC(0, checklist_view(st, &cat, sheet, 0, true, "2025-06-01", &v, &err), err);
	assert_true(json_is_null(json_object_get(
		json_array_get(json_object_get(json_array_get(json_object_get(v, "sections"), 0), "items"), 0),
		"evidence")));
	json_decref(v);
	last_entry(st, &e);
	assert_string_equal(e.action, "checklist.submit");
	testutil_assert_json_key(e.before, "status", "requested");
	testutil_assert_json_key(e.after, "status", "answered");
	testutil_assert_json_key(e.after, "answered_by", "vendor:保守A社");
	journal_entry_release(&e);
	ASSERT_RC(MAMORI_ECONFLICT, checklist_vendor_submit(st, ACTOR, &cat, sheet, 0, &err), err);

	/* answered: the vendor may not change it, the hospital may */
	ASSERT_RC(MAMORI_ECONFLICT,
		  answer(st, &cat, sheet, va, "r7-jigyosha-1-1", 2, true, "2025-05-01", NULL, &err), err);
	ANSWER_OK(st, &cat, sheet, 0, "r7-jigyosha-1-1", 2, true, "2025-05-01", NULL);

	/* return needs a reason */
	ASSERT_FAILS(MAMORI_EINVAL, "理由",
		     checklist_vendor_review(st, ACTOR, sheet, CHECKLIST_RETURN, NULL, &err), err);
	ASSERT_RC(MAMORI_EINVAL, checklist_vendor_review(st, ACTOR, sheet, CHECKLIST_RETURN, "", &err), err);
	assert_string_equal(sheet_status(st, &cat, sheet, buf), "answered");
	ASSERT_RC(MAMORI_ECONFLICT, checklist_vendor_review(st, ACTOR, sheet, CHECKLIST_REOPEN, NULL, &err),
		  err);
	ASSERT_RC(0, checklist_vendor_review(st, ACTOR, sheet, CHECKLIST_RETURN, "2-6 の根拠を添付してください",
					     &err),
		  err);
	assert_last_entry(st, "checklist.return", "checklist", idtext);
	s = sheet_json(st, &cat, sheet, "2025-06-01");
	assert_string_equal(str(s, "status"), "requested");
	assert_string_equal(str(s, "review_note"), "2-6 の根拠を添付してください");
	json_decref(s);
	ASSERT_RC(MAMORI_ECONFLICT, checklist_vendor_review(st, ACTOR, sheet, CHECKLIST_ACCEPT, NULL, &err),
		  err);

	/* resubmit, accept */
	ANSWER_OK(st, &cat, sheet, va, "r7-jigyosha-2-6", 1, true, "2025-05-03", NULL);
	ASSERT_RC(0, checklist_vendor_submit(st, ACTOR, &cat, sheet, 0, &err), err);
	assert_string_equal(sheet_status(st, &cat, sheet, buf), "answered");
	ASSERT_RC(0, checklist_vendor_review(st, ACTOR, sheet, CHECKLIST_ACCEPT, NULL, &err), err);
	assert_last_entry(st, "checklist.accept", "checklist", idtext);
	s = sheet_json(st, &cat, sheet, "2025-06-01");
	assert_string_equal(str(s, "status"), "reviewed");
	assert_string_equal(str(s, "status_label"), "確認済");
	assert_string_equal(str(s, "reviewed_by"), ACTOR);
	json_decref(s);

	/* reviewed: read-only for everyone */
	ASSERT_FAILS(MAMORI_ECONFLICT, "確認済",
		     answer(st, &cat, sheet, 0, "r7-jigyosha-1-1", 1, false, NULL, "2025-12-01", &err), err);
	ASSERT_RC(MAMORI_ECONFLICT,
		  answer(st, &cat, sheet, va, "r7-jigyosha-1-1", 1, true, NULL, NULL, &err), err);
	ASSERT_RC(MAMORI_ECONFLICT,
		  checklist_answer_clear(st, ACTOR, &cat, sheet, 0, "r7-jigyosha-1-1", 1, &err), err);
	ASSERT_RC(MAMORI_ECONFLICT, checklist_vendor_review(st, ACTOR, sheet, CHECKLIST_ACCEPT, NULL, &err),
		  err);

	/* reopen → requested, and the vendor may answer again */
	ASSERT_RC(0, checklist_vendor_review(st, ACTOR, sheet, CHECKLIST_REOPEN, NULL, &err), err);
	assert_last_entry(st, "checklist.reopen", "checklist", idtext);
	assert_string_equal(sheet_status(st, &cat, sheet, buf), "requested");
	ANSWER_OK(st, &cat, sheet, va, "r7-jigyosha-1-1", 1, false, NULL, "2025-12-01");

	/* the workflow is for vendor sheets only */
	own = open_sheet(st, &cat, 2025, NULL);
	ASSERT_RC(MAMORI_EINVAL, checklist_vendor_submit(st, ACTOR, &cat, own, 0, &err), err);
	ASSERT_RC(MAMORI_EINVAL, checklist_vendor_review(st, ACTOR, own, CHECKLIST_ACCEPT, NULL, &err),
		  err);
	ASSERT_RC(MAMORI_ENOTFOUND,
		  answer(st, &cat, own, va, "r7-iryo-1-1", 1, true, NULL, NULL, &err), err);
	checklist_catalog_release(&cat);
}

/* ---- official wording ------------------------------------------------------------------ */

static void test_wording(void **state)
{
	struct store *st = store_of(state);
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	struct journal_entry e;
	int64_t sheet;
	json_t *v, *it, *ow;

	catalog(st, &cat);
	sheet = open_sheet(st, &cat, 2025, NULL);
	ASSERT_FAILS(MAMORI_EINVAL, "r7-iryo-9-9",
		     checklist_wording_set(st, ACTOR, &cat, "r7-iryo-9-9", "文言", "様式 p.1", &err), err);
	ASSERT_FAILS(MAMORI_EINVAL, "出典",
		     checklist_wording_set(st, ACTOR, &cat, "r7-iryo-3-4", "運用管理規程を整備している。", "",
					   &err),
		     err);
	ASSERT_FAILS(MAMORI_EINVAL, "出典",
		     checklist_wording_set(st, ACTOR, &cat, "r7-iryo-3-4", "運用管理規程を整備している。", NULL,
					   &err),
		     err);
	ASSERT_FAILS(MAMORI_EINVAL, "文言",
		     checklist_wording_set(st, ACTOR, &cat, "r7-iryo-3-4", "", "様式 p.9", &err), err);

	v = view(st, &cat, sheet, true, "2025-06-01");
	it = view_item(v, "r7-iryo-3-4");
	assert_true(json_is_true(json_object_get(it, "unconfirmed")));
	assert_true(json_is_null(json_object_get(it, "official_wording")));
	assert_true(json_is_null(json_object_get(it, "wording")));
	json_decref(v);

	ASSERT_RC(0, checklist_wording_set(st, ACTOR, &cat, "r7-iryo-3-4", "運用管理規程を整備している。",
					   "checklist_r7.xlsx p.3", &err),
		  err);
	last_entry(st, &e);
	assert_string_equal(e.action, "checklist_wording.set");
	assert_string_equal(e.entity_type, "checklist_wording");
	assert_string_equal(e.entity_id, "r7-iryo-3-4");
	assert_null(e.before);
	testutil_assert_json_key(e.after, "wording", "運用管理規程を整備している。");
	testutil_assert_json_key(e.after, "source", "checklist_r7.xlsx p.3");
	journal_entry_release(&e);

	v = view(st, &cat, sheet, true, "2025-06-01");
	it = view_item(v, "r7-iryo-3-4");
	assert_true(json_is_false(json_object_get(it, "unconfirmed")));
	ow = json_object_get(it, "official_wording");
	assert_string_equal(str(ow, "wording"), "運用管理規程を整備している。");
	assert_string_equal(str(ow, "source"), "checklist_r7.xlsx p.3");
	assert_string_equal(str(ow, "entered_by"), ACTOR);
	/* the catalog's wording stays as it was; the evidence follows the official one */
	assert_true(json_is_null(json_object_get(it, "wording")));
	assert_string_equal(str(json_object_get(it, "evidence"), "rule"), "rules");
	json_decref(v);

	/* replacing journals before and after */
	ASSERT_RC(0, checklist_wording_set(st, ACTOR, &cat, "r7-iryo-3-4", "運用管理規程等を整備している。",
					   "checklist_r7.xlsx p.4", &err),
		  err);
	last_entry(st, &e);
	assert_string_equal(e.entity_type, "checklist_wording");
	testutil_assert_json_key(e.before, "source", "checklist_r7.xlsx p.3");
	testutil_assert_json_key(e.after, "source", "checklist_r7.xlsx p.4");
	journal_entry_release(&e);
	checklist_catalog_release(&cat);
}

/* ---- importing editions ----------------------------------------------------------------- */

static void test_edition_import(void **state)
{
	struct store *st = store_of(state);
	struct checklist_catalog cat = { 0 };
	struct checklist_problems problems = { 0 };
	struct mamori_err err = { 0 };
	struct journal_entry e;
	const struct checklist_edition *ed;
	char *json, *name = NULL, *sha1 = NULL;
	int64_t seq, sheet = 0;
	int created;

	json = edition_json("r9", "iryo", 2027, "令和9年度テスト版", "r9-iryo-2-1", "r9-iryo-1-1");
	ASSERT_RC(0, import(st, json, &name, &problems, &err), err);
	assert_string_equal(name, "r9-iryo");
	assert_int_equal(problems.total, 0);
	free(name);
	name = NULL;
	last_entry(st, &e);
	assert_string_equal(e.action, "checklist_edition.import");
	assert_string_equal(e.entity_type, "checklist_edition");
	assert_string_equal(e.entity_id, "r9-iryo");
	assert_null(e.before);
	testutil_assert_json_key(e.after, "items", "2");
	testutil_assert_json_key(e.after, "source_file", "test.json");
	testutil_assert_json_key(e.after, "fiscal_year", "2027");
	{
		json_t *after = json_loads(e.after, 0, NULL);
		sha1 = xstrdup(json_string_value(json_object_get(after, "sha256")));
		assert_int_equal(strlen(sha1), 64);
		json_decref(after);
	}
	journal_entry_release(&e);
	free(json);

	catalog(st, &cat);
	ed = checklist_catalog_find(&cat, "r9", CHECKLIST_FORM_IRYO);
	assert_non_null(ed);
	assert_string_equal(ed->title, "令和9年度テスト版");
	assert_int_equal(ed->nr_items, 2);
	assert_ptr_equal(checklist_catalog_for_year(&cat, 2027, CHECKLIST_FORM_IRYO), ed);
	/* a sheet on it can be opened and answered */
	ASSERT_RC(0, checklist_sheet_open(st, ACTOR, &cat, 2027, CHECKLIST_FORM_IRYO, NULL, &sheet,
					  &created, &err),
		  err);
	ANSWER_OK(st, &cat, sheet, 0, "r9-iryo-2-1", 1, true, NULL, NULL);
	checklist_catalog_release(&cat);

	/* a shipped (edition, form) cannot be replaced */
	json = edition_json("r7", "iryo", 2025, "偽の令和7年度版", "r7-iryo-2-1", "r7-iryo-9-1");
	seq = testutil_journal_seq(st);
	ASSERT_FAILS(MAMORI_ECONFLICT, "同梱", import(st, json, NULL, NULL, &err), err);
	free(json);
	json = edition_json("r6", "jigyosha", 2024, "偽の令和6年度版", "r6-jigyosha-8-1",
			    "r6-jigyosha-9-1");
	ASSERT_FAILS(MAMORI_ECONFLICT, "同梱", import(st, json, NULL, NULL, &err), err);
	free(json);
	assert_int_equal(testutil_journal_seq(st), seq);

	/* ids that collide with another edition's ("x9-iryo-jigyosha-1" fits both prefixes) */
	json = edition_json("x9", "iryo", 2027, "X", "x9-iryo-jigyosha-1", "x9-iryo-1-1");
	ASSERT_RC(0, import(st, json, NULL, NULL, &err), err);
	free(json);
	json = edition_json("x9-iryo", "jigyosha", 2027, "Y", "x9-iryo-jigyosha-1",
			    "x9-iryo-jigyosha-2");
	ASSERT_FAILS(MAMORI_ECONFLICT, "x9-iryo-jigyosha-1", import(st, json, NULL, NULL, &err), err);
	testutil_assert_contains(err.msg, "重複");
	free(json);

	/* invalid: not JSON; JSON with problems (all listed) */
	seq = testutil_journal_seq(st);
	json = xstrdup("{ \"format\": \"mamori-checklist-1\", ");
	ASSERT_RC(MAMORI_EINVAL, import(st, json, NULL, &problems, &err), err);
	assert_true(problems.total >= 1);
	assert_true(problems.nr >= 1);
	testutil_assert_contains(problems.msgs[0], "test.json");
	checklist_problems_release(&problems);
	memset(&problems, 0, sizeof(problems));
	free(json);
	json = edition_json("r9", "iryo", 2027, "令和9年度テスト版", "r8-iryo-2-1", "BAD ID");
	ASSERT_RC(MAMORI_EINVAL, import(st, json, NULL, &problems, &err), err);
	assert_true(problems.total >= 2);
	checklist_problems_release(&problems);
	memset(&problems, 0, sizeof(problems));
	free(json);
	assert_int_equal(testutil_journal_seq(st), seq);

	/* re-import replaces, journaled with both hashes */
	json = edition_json("r9", "iryo", 2027, "令和9年度テスト版 (改訂)", "r9-iryo-2-1", "r9-iryo-1-1");
	ASSERT_RC(0, import(st, json, &name, NULL, &err), err);
	assert_string_equal(name, "r9-iryo");
	last_entry(st, &e);
	assert_string_equal(e.action, "checklist_edition.import");
	assert_string_equal(e.entity_id, "r9-iryo");
	assert_non_null(e.before);
	testutil_assert_json_key(e.before, "sha256", sha1);
	assert_non_null(e.after);
	testutil_assert_json_key(e.after, "title", "令和9年度テスト版 (改訂)");
	if (strstr(e.after, sha1))
		fail_msg("the new hash is the old one: %s", e.after);
	journal_entry_release(&e);
	free(json);
	catalog(st, &cat);
	ed = checklist_catalog_find(&cat, "r9", CHECKLIST_FORM_IRYO);
	assert_string_equal(ed->title, "令和9年度テスト版 (改訂)");
	checklist_catalog_release(&cat);
	free(name);
	free(sha1);
}

/* ---- views and findings ----------------------------------------------------------------- */

static void test_view_shape(void **state)
{
	struct store *st = store_of(state);
	struct checklist_catalog cat = { 0 };
	const struct checklist_edition *ed;
	int64_t sheet;
	size_t i, k, nitems = 0;
	json_t *v, *sec, *it;
	int last_section = -1;

	catalog(st, &cat);
	ed = checklist_catalog_find(&cat, "r7", CHECKLIST_FORM_IRYO);
	sheet = open_sheet(st, &cat, 2025, NULL);
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-1", 2, true, "2025-05-01", NULL);

	v = view(st, &cat, sheet, true, "2025-06-01");
	assert_string_equal(str(json_object_get(v, "edition"), "edition"), "r7");
	assert_int_equal(num(json_object_get(v, "edition"), "fiscal_year"), 2025);
	assert_string_equal(str(json_object_get(v, "facility"), "name"), "チェック病院");
	assert_string_equal(str(json_object_get(v, "sheet"), "status"), "open");
	assert_string_equal(str(v, "today"), "2025-06-01");
	assert_int_equal(json_array_size(json_object_get(v, "sections")), ed->nr_sections);
	json_array_foreach(json_object_get(v, "sections"), i, sec) {
		int last_order = 0;
		assert_true(num(sec, "number") > last_section);
		last_section = (int)num(sec, "number");
		assert_int_equal(last_section, ed->sections[i].number);
		assert_string_equal(str(sec, "title"), ed->sections[i].title);
		json_array_foreach(json_object_get(sec, "items"), k, it) {
			const struct checklist_item *ci = checklist_edition_item(ed, str(it, "id"));
			json_t *ev = json_object_get(it, "evidence");
			assert_non_null(ci);
			assert_int_equal(ci->section, last_section);
			assert_true(num(it, "order") > last_order);
			last_order = (int)num(it, "order");
			assert_int_equal(json_array_size(json_object_get(it, "answers")), CHECKLIST_ROUNDS);
			assert_non_null(json_object_get(it, "evidence"));
			if (evidence_rule_for(ci->wording, ci->note) >= 0 && ci->wording)
				assert_true(json_is_object(ev));
			nitems++;
		}
	}
	assert_int_equal(nitems, ed->nr_items);
	assert_string_equal(str(json_object_get(view_item(v, "r7-iryo-2-1"), "evidence"), "rule"), "ledger");
	assert_string_equal(str(json_object_get(view_item(v, "r7-iryo-2-13"), "evidence"), "rule"),
			    "source_restriction");
	/* 3-3 has no wording: the evidence reads the one it presumably has (BCP) */
	assert_string_equal(str(json_object_get(view_item(v, "r7-iryo-3-3"), "evidence"), "rule"), "bcp");
	assert_string_equal(str(view_item(v, "r7-iryo-3-3"), "presumed_wording"),
			    "サイバー攻撃を想定した事業継続計画(BCP)を策定している。");
	assert_true(json_is_null(json_object_get(view_item(v, "r7-iryo-1-1"), "evidence")));
	it = view_item(v, "r7-iryo-2-1");
	assert_true(json_is_null(json_array_get(json_object_get(it, "answers"), 0)));
	assert_string_equal(str(json_array_get(json_object_get(it, "answers"), 1), "answer"), "yes");
	assert_true(json_is_null(json_array_get(json_object_get(it, "answers"), 2)));
	json_decref(v);

	/* without evidence every item has evidence null */
	v = view(st, &cat, sheet, false, "2025-06-01");
	json_array_foreach(json_object_get(v, "sections"), i, sec)
		json_array_foreach(json_object_get(sec, "items"), k, it)
			assert_true(json_is_null(json_object_get(it, "evidence")));
	json_decref(v);
	checklist_catalog_release(&cat);
}

static void test_progress(void **state)
{
	struct store *st = store_of(state);
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	int64_t sheet, old;
	json_t *s, *p, *list = NULL;

	catalog(st, &cat);
	sheet = open_sheet(st, &cat, 2025, NULL);
	old = open_sheet(st, &cat, 2024, NULL);
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-1-1", 1, true, "2025-05-01", NULL);
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-1", 1, false, "2025-05-01", "2025-06-30");
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-6", 1, false, "2025-05-01", "2025-09-30");
	/* round 2 only: latest answer counts for yes/no, not for answered (round 1) */
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-7", 2, true, "2025-05-01", NULL);
	/* 2-1 answered again in round 2 with はい: it is no longer overdue */
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-6", 2, true, "2025-05-01", NULL);

	s = sheet_json(st, &cat, sheet, "2025-07-01");
	p = json_object_get(s, "progress");
	assert_int_equal(num(p, "items"), 18);
	assert_int_equal(num(p, "needed"), 16);
	assert_int_equal(num(p, "answered"), 3);
	assert_int_equal(num(p, "yes"), 3);
	assert_int_equal(num(p, "no"), 1);
	assert_int_equal(num(p, "overdue"), 1);
	assert_string_equal(str(s, "title"), "医療機関におけるサイバーセキュリティ対策チェックリスト");
	json_decref(s);
	s = sheet_json(st, &cat, sheet, "2025-06-30");
	assert_int_equal(num(json_object_get(s, "progress"), "overdue"), 0);
	json_decref(s);

	/* newest year first; fy filters */
	ASSERT_RC(0, checklist_sheets_json(st, &cat, 0, 0, "2025-07-01", &list, &err), err);
	assert_int_equal(json_array_size(list), 2);
	assert_int_equal(num(json_array_get(list, 0), "id"), sheet);
	assert_int_equal(num(json_array_get(list, 1), "id"), old);
	json_decref(list);
	ASSERT_RC(0, checklist_sheets_json(st, &cat, 2024, 0, "2025-07-01", &list, &err), err);
	assert_int_equal(json_array_size(list), 1);
	assert_int_equal(num(json_array_get(list, 0), "id"), old);
	json_decref(list);
	checklist_catalog_release(&cat);
}

static json_t *finding(json_t *list, const char *kind, const char *item)
{
	size_t i;
	json_t *f;

	json_array_foreach(list, i, f)
		if (!strcmp(str(f, "kind"), kind) && !strcmp(str(f, "item_id"), item))
			return f;
	return NULL;
}

static void test_findings(void **state)
{
	struct store *st = store_of(state);
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	struct asset a;
	int64_t sheet, va, vsheet = 0;
	json_t *list = NULL, *f;

	catalog(st, &cat);
	sheet = open_sheet(st, &cat, 2025, NULL);
	/* the ledger has a PC without owner: a はい on 台帳管理 is contradicted */
	testutil_asset_build(&a, TESTUTIL_KVS({ ASSET_TAG, "PC-1" }, { ASSET_KIND, "pc" },
					      { ASSET_IP, "10.0.0.1" }));
	ASSERT_RC(0, asset_insert(st, ACTOR, &a, &err), err);
	asset_release(&a);
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-1", 1, true, "2025-05-01", NULL);
	/* いいえ with a 目標日 that will have passed */
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-6", 1, false, "2025-05-01", "2025-06-30");
	/* いいえ still ahead, はい without a rule: nothing */
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-8", 1, false, "2025-05-01", "2026-03-31");
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-1-1", 1, true, "2025-05-01", NULL);

	ASSERT_RC(0, checklist_findings(st, &cat, 2025, "2025-07-01", &list, &err), err);
	assert_int_equal(json_array_size(list), 2);
	f = finding(list, "contradicted", "r7-iryo-2-1");
	assert_non_null(f);
	assert_int_equal(num(f, "sheet_id"), sheet);
	assert_int_equal(num(f, "round"), 1);
	assert_string_equal(str(f, "number"), "①");
	testutil_assert_contains(str(f, "wording"), "台帳管理");
	testutil_assert_contains(str(f, "summary"), "台帳の記載が不足");
	f = finding(list, "overdue", "r7-iryo-2-6");
	assert_non_null(f);
	assert_string_equal(str(f, "target_on"), "2025-06-30");
	assert_int_equal(num(f, "round"), 1);
	json_decref(list);

	/* before the 目標日 it is not overdue; on the day itself neither */
	ASSERT_RC(0, checklist_findings(st, &cat, 2025, "2025-06-30", &list, &err), err);
	assert_null(finding(list, "overdue", "r7-iryo-2-6"));
	assert_non_null(finding(list, "contradicted", "r7-iryo-2-1"));
	json_decref(list);

	/* a later round decides: はい in round 2 ends the overdue いいえ */
	ANSWER_OK(st, &cat, sheet, 0, "r7-iryo-2-6", 2, true, "2025-05-02", NULL);
	/* the ledger fixed: no contradiction */
	ASSERT_RC(0, asset_lookup(st, "PC-1", &a, &err), err);
	ASSERT_RC(0, asset_set(&a, ASSET_OWNER, "山田", &err), err);
	ASSERT_RC(0, asset_set(&a, ASSET_LOCATION, "外来", &err), err);
	ASSERT_RC(0, asset_set(&a, ASSET_OS, "Windows 11 Pro", &err), err);
	ASSERT_RC(0, asset_update(st, ACTOR, &a, &err), err);
	asset_release(&a);
	ASSERT_RC(0, checklist_findings(st, &cat, 2025, "2025-07-01", &list, &err), err);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);

	/* vendor sheets: overdue only (no evidence on the vendor's answers) */
	va = vendor_with_contract(st, "保守A社", true);
	ASSERT_RC(0, checklist_vendor_request(st, ACTOR, &cat, 2025, va, NULL, &vsheet, &err), err);
	ANSWER_OK(st, &cat, vsheet, va, "r7-jigyosha-2-6", 1, false, "2025-05-01", "2025-06-01");
	ANSWER_OK(st, &cat, vsheet, va, "r7-jigyosha-2-1", 1, true, "2025-05-01", NULL);
	ASSERT_RC(0, checklist_findings(st, &cat, 2025, "2025-07-01", &list, &err), err);
	assert_int_equal(json_array_size(list), 1);
	f = finding(list, "overdue", "r7-jigyosha-2-6");
	assert_non_null(f);
	assert_string_equal(str(f, "vendor_name"), "保守A社");
	json_decref(list);
	/* another year has none */
	ASSERT_RC(0, checklist_findings(st, &cat, 2024, "2025-07-01", &list, &err), err);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	checklist_catalog_release(&cat);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, testutil_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fiscal_year),
		cmocka_unit_test(test_catalog_for_year_shipped),
		cmocka_unit_test(test_catalog_for_year_merged),
		T(test_catalog_for_year_imported_merged),
		T(test_open_idempotent),
		T(test_answer_yes),
		T(test_answer_no_target),
		T(test_answer_confirmed_on),
		T(test_answer_bad_item_round),
		T(test_answer_links_and_note),
		T(test_answer_journal),
		T(test_gate),
		T(test_needed_without_vendor_contract),
		T(test_vendor_workflow),
		T(test_wording),
		T(test_edition_import),
		T(test_view_shape),
		T(test_progress),
		T(test_findings),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
