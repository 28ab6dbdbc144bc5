/*
 * test_ledger.c - unit tests of the facility and the whitelisted record
 * layer (src/core/ledger.c): facility create / get / a second create
 * (MAMORI_ECONFLICT), facility types with their Japanese names; insert,
 * update, get and list of vendors, systems and contracts; an unknown
 * column (MAMORI_EINVAL naming it, no SQL made from it), missing required
 * columns, wrong value types and bad enum values; duplicate names;
 * ledger_ref_resolve() with and without create; and the journal entries
 * (before and after) that every write leaves, and none for a no-op.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <unistd.h>

#include "journal.h"
#include "ledger.h"
#include "store.h"
#include "strbuf.h"
#include "testutil.h"

#define ACTOR "test-officer"

/* A fresh, empty store (no facility). */
static int setup_bare(void **state)
{
	return testutil_setup_store(state, "ledger");
}

/* A store with its facility, inside an open transaction. */
static int setup(void **state)
{
	return testutil_setup_facility(state, "ledger", ACTOR, "みまもり総合病院", "病院");
}

static json_t *J(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, 0, &e);
	if (!j)
		fail_msg("bad JSON in test: %s: %s", text, e.text);
	return j;
}

/* Entries of one entity, collected as copies. */
struct entries {
	struct journal_entry e[32];
	int n;
};

static int collect_fn(const struct journal_entry *e, void *ctx)
{
	struct entries *c = ctx;

	assert_true(c->n < (int)ARRAY_SIZE(c->e));
	testutil_journal_entry_copy(&c->e[c->n++], e);
	return 0;
}

static void entries_of(struct store *st, const char *type, int64_t id, struct entries *out)
{
	struct mamori_err err = { 0 };
	char idbuf[32];
	struct journal_filter f = { .entity_type = type, .entity_id = idbuf };

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	memset(out, 0, sizeof(*out));
	ASSERT_RC(0, journal_list(st, &f, collect_fn, out, &err), err);
}

static void entries_release(struct entries *c)
{
	for (int i = 0; i < c->n; i++)
		journal_entry_release(&c->e[i]);
	c->n = 0;
}

/* ---- facility ------------------------------------------------------------- */

static void test_facility_type_parse(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "hospital", "hospital" }, { "HOSPITAL", "hospital" }, { "病院", "hospital" },
		{ "clinic", "clinic" },     { "Clinic", "clinic" },     { "診療所", "clinic" },
		{ "クリニック", "clinic" }, { "医院", "clinic" },       { "pharmacy", "pharmacy" },
		{ "薬局", "pharmacy" },
		{ "hotel", NULL },          { "", NULL },               { "病院 ", NULL },
		{ "hospitals", NULL },      { "歯科", NULL },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mamori_err err = { 0 };
		const char *canon = NULL;
		int r = ledger_facility_type_parse(cases[i].in, &canon, &err);
		if (cases[i].want) {
			if (r != 0 || !canon || strcmp(canon, cases[i].want))
				fail_msg("\"%s\": r=%d canon=%s, want %s", cases[i].in, r,
					 canon ? canon : "(null)", cases[i].want);
		} else {
			if (r != MAMORI_EINVAL)
				fail_msg("\"%s\" accepted (r=%d)", cases[i].in, r);
			testutil_assert_contains(err.msg, "hospital");
		}
	}
	assert_string_equal(ledger_facility_type_label("hospital"), "病院");
	assert_string_equal(ledger_facility_type_label("clinic"), "診療所");
	assert_string_equal(ledger_facility_type_label("pharmacy"), "薬局");
}

static void test_facility(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct ledger_facility f;
	int64_t id = 0, id2 = 0;

	ASSERT_RC(MAMORI_ENOTFOUND, ledger_facility_get(fx->st, &f, &err), err);
	testutil_assert_contains(err.msg, "mamori init");

	ASSERT_RC(0, store_begin(fx->st, &err), err);
	/* Bad input first: nothing is created. */
	ASSERT_RC(MAMORI_EINVAL, ledger_facility_create(fx->st, ACTOR, "", "hospital", &id, &err),
		  err);
	ASSERT_RC(MAMORI_EINVAL,
		  ledger_facility_create(fx->st, ACTOR, "さくら薬局", "drugstore", &id, &err), err);
	assert_int_equal(testutil_journal_seq(fx->st), 0);

	ASSERT_RC(0, ledger_facility_create(fx->st, ACTOR, "さくら薬局", "薬局", &id, &err), err);
	assert_true(id > 0);
	ASSERT_RC(0, ledger_facility_get(fx->st, &f, &err), err);
	assert_int_equal(f.id, id);
	assert_string_equal(f.name, "さくら薬局");
	assert_string_equal(f.type, "pharmacy");
	assert_int_equal(strlen(f.created_at), 24);
	ledger_facility_release(&f);
	ledger_facility_release(NULL);

	/* A second facility conflicts, naming the one already there. */
	ASSERT_RC(MAMORI_ECONFLICT,
		  ledger_facility_create(fx->st, ACTOR, "別の病院", "hospital", &id2, &err), err);
	testutil_assert_contains(err.msg, "さくら薬局");
	ASSERT_RC(0, store_commit(fx->st, &err), err);

	/* Journaled once, with the record after. */
	struct entries c;
	entries_of(fx->st, "facility", id, &c);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.e[0].action, "facility.create");
	assert_string_equal(c.e[0].actor, ACTOR);
	assert_null(c.e[0].before);
	testutil_assert_json_key(c.e[0].after, "name", "さくら薬局");
	testutil_assert_json_key(c.e[0].after, "type", "pharmacy");
	entries_release(&c);
	assert_int_equal(testutil_journal_seq(fx->st), 1);
}

static void test_table_names(void **state)
{
	static const struct {
		enum ledger_table t;
		const char *name, *label;
	} cases[] = {
		{ LEDGER_LOCATION, "location", "設置場所" },
		{ LEDGER_SYSTEM, "system", "システム" },
		{ LEDGER_VENDOR, "vendor", "事業者" },
		{ LEDGER_CONTRACT, "contract", "契約" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_string_equal(ledger_table_name(cases[i].t), cases[i].name);
		assert_string_equal(ledger_table_label(cases[i].t), cases[i].label);
		assert_int_equal(ledger_table_find(cases[i].name), cases[i].t);
	}
	assert_int_equal(ledger_table_find("device"), -1);
	assert_int_equal(ledger_table_find("facility"), -1);
	assert_int_equal(ledger_table_find("Vendor"), -1);
	assert_int_equal(ledger_table_find(""), -1);
}

/* ---- records ---------------------------------------------------------------- */

static void test_vendor_insert_get_update(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	json_t *rec = J("{\"name\": \"北斗メディカルシステムズ株式会社\", \"contact\": \"山岡\","
			" \"phone\": \"03-5555-0101\", \"email\": null}");
	json_t *got = NULL;
	int64_t id = 0;
	int64_t seq0 = testutil_journal_seq(fx->st);

	ASSERT_RC(0, ledger_insert(fx->st, ACTOR, LEDGER_VENDOR, rec, &id, &err), err);
	json_decref(rec);
	assert_true(id > 0);
	ASSERT_RC(0, ledger_get(fx->st, LEDGER_VENDOR, id, &got, &err), err);
	assert_int_equal(json_integer_value(json_object_get(got, "id")), id);
	assert_string_equal(json_string_value(json_object_get(got, "name")),
			    "北斗メディカルシステムズ株式会社");
	assert_string_equal(json_string_value(json_object_get(got, "phone")), "03-5555-0101");
	assert_true(json_is_null(json_object_get(got, "email")));
	assert_true(json_is_null(json_object_get(got, "note")));
	/* Every column of the table is present, nothing else. */
	static const char *const cols[] = { "id",    "name",  "contact", "phone",
					    "emergency_phone", "email", "note" };
	assert_int_equal(json_object_size(got), ARRAY_SIZE(cols));
	for (size_t i = 0; i < ARRAY_SIZE(cols); i++)
		if (!json_object_get(got, cols[i]))
			fail_msg("column %s missing from ledger_get", cols[i]);
	json_decref(got);
	assert_int_equal(testutil_journal_seq(fx->st), seq0 + 1);

	/* Update two columns: journaled with before and after. */
	json_t *ch = J("{\"phone\": \"03-5555-0199\", \"note\": \"夜間は緊急連絡先へ\"}");
	ASSERT_RC(0, ledger_update(fx->st, ACTOR, LEDGER_VENDOR, id, ch, &err), err);
	json_decref(ch);
	ASSERT_RC(0, ledger_get(fx->st, LEDGER_VENDOR, id, &got, &err), err);
	assert_string_equal(json_string_value(json_object_get(got, "phone")), "03-5555-0199");
	assert_string_equal(json_string_value(json_object_get(got, "note")), "夜間は緊急連絡先へ");
	assert_string_equal(json_string_value(json_object_get(got, "contact")), "山岡");
	json_decref(got);

	struct entries c;
	entries_of(fx->st, "vendor", id, &c);
	assert_int_equal(c.n, 2);
	assert_string_equal(c.e[0].action, "vendor.add");
	assert_null(c.e[0].before);
	testutil_assert_json_key(c.e[0].after, "phone", "03-5555-0101");
	assert_string_equal(c.e[1].action, "vendor.edit");
	assert_string_equal(c.e[1].actor, ACTOR);
	testutil_assert_json_key(c.e[1].before, "phone", "03-5555-0101");
	testutil_assert_json_key(c.e[1].after, "phone", "03-5555-0199");
	testutil_assert_json_key(c.e[1].before, "note", "(null)");
	testutil_assert_json_key(c.e[1].after, "note", "夜間は緊急連絡先へ");
	entries_release(&c);

	/* Setting the same values again, or nothing, journals nothing. */
	int64_t seq1 = testutil_journal_seq(fx->st);
	ch = J("{\"phone\": \"03-5555-0199\"}");
	ASSERT_RC(0, ledger_update(fx->st, ACTOR, LEDGER_VENDOR, id, ch, &err), err);
	json_decref(ch);
	ch = J("{}");
	ASSERT_RC(0, ledger_update(fx->st, ACTOR, LEDGER_VENDOR, id, ch, &err), err);
	json_decref(ch);
	assert_int_equal(testutil_journal_seq(fx->st), seq1);

	/* Clearing a column with null is a change. */
	ch = J("{\"note\": null}");
	ASSERT_RC(0, ledger_update(fx->st, ACTOR, LEDGER_VENDOR, id, ch, &err), err);
	json_decref(ch);
	assert_int_equal(testutil_journal_seq(fx->st), seq1 + 1);

	/* Missing record. */
	ch = J("{\"phone\": \"1\"}");
	ASSERT_RC(MAMORI_ENOTFOUND, ledger_update(fx->st, ACTOR, LEDGER_VENDOR, id + 100, ch, &err),
		  err);
	json_decref(ch);
	ASSERT_RC(MAMORI_ENOTFOUND, ledger_get(fx->st, LEDGER_VENDOR, id + 100, &got, &err), err);
	assert_null(got);
	assert_int_equal(testutil_journal_seq(fx->st), seq1 + 1);
}

static void test_duplicate_name(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	json_t *rec = J("{\"name\": \"東和ネットワークサービス株式会社\"}");
	int64_t id = 0, id2 = 0;

	ASSERT_RC(0, ledger_insert(fx->st, ACTOR, LEDGER_VENDOR, rec, &id, &err), err);
	int64_t seq = testutil_journal_seq(fx->st);
	ASSERT_RC(MAMORI_ECONFLICT, ledger_insert(fx->st, ACTOR, LEDGER_VENDOR, rec, &id2, &err), err);
	testutil_assert_contains(err.msg, "東和ネットワークサービス株式会社");
	assert_int_equal(testutil_journal_seq(fx->st), seq);
	/* The same name in another table is fine. */
	ASSERT_RC(0, ledger_insert(fx->st, ACTOR, LEDGER_LOCATION, rec, &id2, &err), err);
	json_decref(rec);

	/* Renaming onto an existing name conflicts too. */
	rec = J("{\"name\": \"さくら医用画像株式会社\"}");
	ASSERT_RC(0, ledger_insert(fx->st, ACTOR, LEDGER_VENDOR, rec, &id2, &err), err);
	json_decref(rec);
	json_t *ch = J("{\"name\": \"東和ネットワークサービス株式会社\"}");
	int r = ledger_update(fx->st, ACTOR, LEDGER_VENDOR, id2, ch, &err);
	json_decref(ch);
	if (r != MAMORI_ECONFLICT)
		fail_msg("rename onto an existing vendor = %d (%s)", r, err.msg);
}

static void test_system_and_contract(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	int64_t vid = 0, sid = 0, cid = 0, cid2 = 0;
	json_t *got = NULL;

	json_t *v = J("{\"name\": \"さくら医用画像株式会社\"}");
	ASSERT_RC(0, ledger_insert(fx->st, ACTOR, LEDGER_VENDOR, v, &vid, &err), err);
	json_decref(v);

	json_t *sys = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:I}", "name", "PACS", "category",
				"PACS", "confidentiality", "A", "integrity", "A", "availability",
				"B", "internet", 0, "vendor_id", (json_int_t)vid);
	ASSERT_RC(0, ledger_insert(fx->st, ACTOR, LEDGER_SYSTEM, sys, &sid, &err), err);
	json_decref(sys);
	ASSERT_RC(0, ledger_get(fx->st, LEDGER_SYSTEM, sid, &got, &err), err);
	assert_string_equal(json_string_value(json_object_get(got, "confidentiality")), "A");
	assert_string_equal(json_string_value(json_object_get(got, "availability")), "B");
	assert_int_equal(json_integer_value(json_object_get(got, "internet")), 0);
	assert_int_equal(json_integer_value(json_object_get(got, "vendor_id")), vid);
	assert_true(json_is_null(json_object_get(got, "backup")));
	json_decref(got);

	json_t *c = json_pack("{s:I, s:I, s:s, s:b, s:s, s:i, s:s}", "vendor_id", (json_int_t)vid,
			      "system_id", (json_int_t)sid, "title", "PACS 保守契約",
			      "remote_maintenance", 1, "hosting", "onprem", "japanese_law", 1,
			      "end_date", "2026-09-30");
	ASSERT_RC(0, ledger_insert(fx->st, ACTOR, LEDGER_CONTRACT, c, &cid, &err), err);
	json_decref(c);
	ASSERT_RC(0, ledger_get(fx->st, LEDGER_CONTRACT, cid, &got, &err), err);
	assert_string_equal(json_string_value(json_object_get(got, "title")), "PACS 保守契約");
	assert_int_equal(json_integer_value(json_object_get(got, "remote_maintenance")), 1);
	assert_int_equal(json_integer_value(json_object_get(got, "system_id")), sid);
	json_decref(got);

	/* Contracts have no unique name: the same title twice is two contracts. */
	c = json_pack("{s:I, s:s}", "vendor_id", (json_int_t)vid, "title", "PACS 保守契約");
	ASSERT_RC(0, ledger_insert(fx->st, ACTOR, LEDGER_CONTRACT, c, &cid2, &err), err);
	json_decref(c);
	assert_true(cid2 != cid);

	/* Update a system's enum and bool, journaled. */
	json_t *ch = J("{\"availability\": \"A\", \"internet\": true}");
	ASSERT_RC(0, ledger_update(fx->st, ACTOR, LEDGER_SYSTEM, sid, ch, &err), err);
	json_decref(ch);
	struct entries e;
	entries_of(fx->st, "system", sid, &e);
	assert_int_equal(e.n, 2);
	assert_string_equal(e.e[0].action, "system.add");
	assert_string_equal(e.e[1].action, "system.edit");
	testutil_assert_json_key(e.e[1].before, "availability", "B");
	testutil_assert_json_key(e.e[1].after, "availability", "A");
	testutil_assert_json_key(e.e[1].before, "internet", "0");
	testutil_assert_json_key(e.e[1].after, "internet", "1");
	entries_release(&e);
	entries_of(fx->st, "contract", cid, &e);
	assert_int_equal(e.n, 1);
	assert_string_equal(e.e[0].action, "contract.add");
	testutil_assert_json_key(e.e[0].after, "title", "PACS 保守契約");
	entries_release(&e);

	/* Lists: systems by name, contracts by id. */
	json_t *more = J("{\"name\": \"オーダリングシステム\"}");
	int64_t sid2;
	ASSERT_RC(0, ledger_insert(fx->st, ACTOR, LEDGER_SYSTEM, more, &sid2, &err), err);
	json_decref(more);
	json_t *list = NULL;
	ASSERT_RC(0, ledger_list(fx->st, LEDGER_SYSTEM, &list, &err), err);
	assert_int_equal(json_array_size(list), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "name")),
			    "PACS");
	assert_string_equal(json_string_value(json_object_get(json_array_get(list, 1), "name")),
			    "オーダリングシステム");
	json_decref(list);
	ASSERT_RC(0, ledger_list(fx->st, LEDGER_CONTRACT, &list, &err), err);
	assert_int_equal(json_array_size(list), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 0), "id")), cid);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(list, 1), "id")), cid2);
	json_decref(list);
	ASSERT_RC(0, ledger_list(fx->st, LEDGER_LOCATION, &list, &err), err);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
}

static void test_list_order(void **state)
{
	static const char *const names[] = { "電子カルテシステム", "PACS", "医事会計システム",
					     "オーダリングシステム" };
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	json_t *list = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		json_t *r = json_pack("{s:s}", "name", names[i]);
		ASSERT_RC(0, ledger_insert(fx->st, ACTOR, LEDGER_SYSTEM, r, NULL, &err), err);
		json_decref(r);
	}
	ASSERT_RC(0, ledger_list(fx->st, LEDGER_SYSTEM, &list, &err), err);
	assert_int_equal(json_array_size(list), ARRAY_SIZE(names));
	const char *prev = "";
	for (size_t i = 0; i < json_array_size(list); i++) {
		const char *n = json_string_value(json_object_get(json_array_get(list, i), "name"));
		if (strcmp(prev, n) > 0)
			fail_msg("list not ordered by name: %s before %s", prev, n);
		prev = n;
	}
	json_decref(list);
}

/* Every bad record is MAMORI_EINVAL naming the column; nothing is written. */
static void test_bad_records(void **state)
{
	static const struct {
		enum ledger_table t;
		const char *rec;
		const char *names; /* the message must contain this */
	} cases[] = {
		{ LEDGER_VENDOR, "{\"name\": \"X\", \"colour\": \"red\"}", "colour" },
		{ LEDGER_VENDOR, "{\"name\": \"X\", \"name; DROP TABLE vendor; --\": \"1\"}",
		  "name; DROP TABLE vendor; --" },
		{ LEDGER_VENDOR, "{\"name\": \"X\", \"facility_id\": 1}", "facility_id" },
		{ LEDGER_VENDOR, "{\"name\": \"X\", \"id\": 5}", "id" },
		{ LEDGER_SYSTEM, "{\"name\": \"X\", \"created_at\": \"2020-01-01\"}", "created_at" },
		{ LEDGER_VENDOR, "{\"contact\": \"no name\"}", "name" },
		{ LEDGER_VENDOR, "{\"name\": \"\"}", "name" },
		{ LEDGER_VENDOR, "{\"name\": null}", "name" },
		{ LEDGER_VENDOR, "{\"name\": 42}", "name" },
		{ LEDGER_VENDOR, "{\"name\": \"X\", \"phone\": 3555}", "phone" },
		{ LEDGER_SYSTEM, "{\"name\": \"X\", \"confidentiality\": \"D\"}", "confidentiality" },
		{ LEDGER_SYSTEM, "{\"name\": \"X\", \"confidentiality\": \"a\"}", "confidentiality" },
		{ LEDGER_SYSTEM, "{\"name\": \"X\", \"confidentiality\": \"A|B\"}", "confidentiality" },
		{ LEDGER_SYSTEM, "{\"name\": \"X\", \"integrity\": \"C\"}", "integrity" },
		{ LEDGER_SYSTEM, "{\"name\": \"X\", \"availability\": 1}", "availability" },
		{ LEDGER_SYSTEM, "{\"name\": \"X\", \"internet\": 2}", "internet" },
		{ LEDGER_SYSTEM, "{\"name\": \"X\", \"internet\": \"yes\"}", "internet" },
		{ LEDGER_SYSTEM, "{\"name\": \"X\", \"vendor_id\": \"1\"}", "vendor_id" },
		{ LEDGER_SYSTEM, "{\"name\": \"X\", \"vendor_id\": 0}", "vendor_id" },
		{ LEDGER_SYSTEM, "{\"name\": \"X\", \"vendor_id\": -3}", "vendor_id" },
		{ LEDGER_CONTRACT, "{\"title\": \"no vendor\"}", "vendor_id" },
		{ LEDGER_CONTRACT, "{\"vendor_id\": 1}", "title" },
		{ LEDGER_CONTRACT, "{\"vendor_id\": 1, \"title\": \"T\", \"hosting\": \"saas\"}",
		  "hosting" },
		{ LEDGER_CONTRACT, "{\"vendor_id\": 1, \"title\": \"T\", \"japanese_law\": -1}",
		  "japanese_law" },
		{ LEDGER_LOCATION, "{\"name\": \"X\", \"floor\": 3}", "floor" },
	};
	struct testutil_fixture *fx = *state;
	int64_t seq = testutil_journal_seq(fx->st);

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mamori_err err = { 0 };
		json_t *rec = J(cases[i].rec);
		int64_t id = -7;
		int r = ledger_insert(fx->st, ACTOR, cases[i].t, rec, &id, &err);
		json_decref(rec);
		if (r != MAMORI_EINVAL)
			fail_msg("%s %s: r = %d (%s), want MAMORI_EINVAL",
				 ledger_table_name(cases[i].t), cases[i].rec, r, err.msg);
		if (!strstr(err.msg, cases[i].names))
			fail_msg("%s: message does not name %s: %s", cases[i].rec, cases[i].names,
				 err.msg);
		assert_int_equal(id, -7);
	}
	/* A record that is not an object. */
	struct mamori_err err = { 0 };
	json_t *arr = json_array();
	ASSERT_RC(MAMORI_EINVAL, ledger_insert(fx->st, ACTOR, LEDGER_VENDOR, arr, NULL, &err), err);
	json_decref(arr);

	assert_int_equal(testutil_journal_seq(fx->st), seq);
	int64_t n = -1;
	ASSERT_RC(0, store_query_int(fx->st, &n, &err,
				     "SELECT (SELECT COUNT(*) FROM vendor) + (SELECT COUNT(*) FROM system)"
				     " + (SELECT COUNT(*) FROM contract) + (SELECT COUNT(*) FROM location)",
				     NULL),
		  err);
	assert_int_equal(n, 0);
}

/* Updates are checked the same way, and leave the record as it was. */
static void test_bad_updates(void **state)
{
	static const struct {
		const char *changes, *names;
	} cases[] = {
		{ "{\"colour\": \"red\"}", "colour" },
		{ "{\"id\": 99}", "id" },
		{ "{\"name\": \"\"}", "name" },
		{ "{\"name\": null}", "name" },
		{ "{\"confidentiality\": \"Z\"}", "confidentiality" },
		{ "{\"internet\": 5}", "internet" },
		{ "{\"updated_at\": \"x\"}", "updated_at" },
	};
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	json_t *rec = J("{\"name\": \"電子カルテシステム\", \"confidentiality\": \"A\"}");
	json_t *before = NULL, *after = NULL;
	int64_t id;

	ASSERT_RC(0, ledger_insert(fx->st, ACTOR, LEDGER_SYSTEM, rec, &id, &err), err);
	json_decref(rec);
	ASSERT_RC(0, ledger_get(fx->st, LEDGER_SYSTEM, id, &before, &err), err);
	int64_t seq = testutil_journal_seq(fx->st);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		json_t *ch = J(cases[i].changes);
		int r = ledger_update(fx->st, ACTOR, LEDGER_SYSTEM, id, ch, &err);
		json_decref(ch);
		if (r != MAMORI_EINVAL)
			fail_msg("%s: r = %d (%s)", cases[i].changes, r, err.msg);
		testutil_assert_contains(err.msg, cases[i].names);
	}
	ASSERT_RC(0, ledger_get(fx->st, LEDGER_SYSTEM, id, &after, &err), err);
	assert_true(json_equal(before, after));
	assert_int_equal(testutil_journal_seq(fx->st), seq);
	json_decref(before);
	json_decref(after);
}

/*
 * A reference to a record that does not exist is refused, and the message
 * says so (naming the column) rather than claiming a duplicate.
 */
static void test_dangling_reference(void **state)
{
	struct testutil_fixture *fx = *state;
	char msgs[2048] = "";
	int64_t seq = testutil_journal_seq(fx->st);
	json_t *recs[] = {
		json_pack("{s:I, s:s}", "vendor_id", (json_int_t)999, "title", "保守契約"),
		json_pack("{s:s, s:I}", "name", "PACS", "vendor_id", (json_int_t)999),
	};
	const enum ledger_table tabs[] = { LEDGER_CONTRACT, LEDGER_SYSTEM };

	for (size_t i = 0; i < ARRAY_SIZE(recs); i++) {
		struct mamori_err err = { 0 };
		int64_t id = -7;
		int r = ledger_insert(fx->st, ACTOR, tabs[i], recs[i], &id, &err);
		json_decref(recs[i]);
		size_t n = strlen(msgs);
		if (r == 0)
			snprintf(msgs + n, sizeof(msgs) - n, "\n  %s: accepted", ledger_table_name(tabs[i]));
		else if (strstr(err.msg, "既に登録されています") ||
			 (!strstr(err.msg, "vendor_id") && !strstr(err.msg, "事業者")))
			snprintf(msgs + n, sizeof(msgs) - n, "\n  %s: r = %d, message \"%s\"",
				 ledger_table_name(tabs[i]), r, err.msg);
		assert_int_equal(id, -7);
	}
	assert_int_equal(testutil_journal_seq(fx->st), seq);
	if (msgs[0])
		fail_msg("vendor_id 999 (no such vendor):%s", msgs);
}

static void test_ref_resolve(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	int64_t id = -1, id2 = -1;
	int created = -1;
	int64_t seq = testutil_journal_seq(fx->st);

	/* Without create: not found, nothing made. */
	ASSERT_RC(MAMORI_ENOTFOUND,
		  ledger_ref_resolve(fx->st, ACTOR, LEDGER_LOCATION, "地下1階 サーバ室", 0, &id,
				     &created, &err),
		  err);
	testutil_assert_contains(err.msg, "地下1階 サーバ室");
	assert_int_equal(created, 0);
	assert_int_equal(testutil_journal_seq(fx->st), seq);

	/* With create: made and journaled once. */
	ASSERT_RC(0,
		  ledger_ref_resolve(fx->st, ACTOR, LEDGER_LOCATION, "地下1階 サーバ室", 1, &id,
				     &created, &err),
		  err);
	assert_true(id > 0);
	assert_int_equal(created, 1);
	assert_int_equal(testutil_journal_seq(fx->st), seq + 1);

	/* Again, with and without create: found, not made again. */
	static const int creates[] = { 1, 0 };
	for (size_t i = 0; i < ARRAY_SIZE(creates); i++) {
		created = -1;
		ASSERT_RC(0,
			  ledger_ref_resolve(fx->st, ACTOR, LEDGER_LOCATION, "地下1階 サーバ室",
					     creates[i], &id2, &created, &err),
			  err);
		assert_int_equal(id2, id);
		assert_int_equal(created, 0);
	}
	/* created may be NULL. */
	ASSERT_RC(0, ledger_ref_resolve(fx->st, ACTOR, LEDGER_VENDOR, "ヤマハ", 1, &id2, NULL, &err),
		  err);
	assert_true(id2 > 0);
	assert_int_equal(testutil_journal_seq(fx->st), seq + 2);

	/* A name with quotes is a name. */
	ASSERT_RC(0,
		  ledger_ref_resolve(fx->st, ACTOR, LEDGER_SYSTEM, "x' OR '1'='1", 1, &id2, &created,
				     &err),
		  err);
	assert_int_equal(created, 1);
	ASSERT_RC(MAMORI_ENOTFOUND,
		  ledger_ref_resolve(fx->st, ACTOR, LEDGER_SYSTEM, "' OR ''='", 0, &id2, &created,
				     &err),
		  err);

	struct entries c;
	entries_of(fx->st, "location", id, &c);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.e[0].action, "location.add");
	assert_null(c.e[0].before);
	testutil_assert_json_key(c.e[0].after, "name", "地下1階 サーバ室");
	entries_release(&c);
}

/* Writes in a rolled-back transaction leave neither record nor entry. */
static void test_rollback(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	json_t *rec = J("{\"name\": \"消える事業者\"}"), *list = NULL;
	int64_t id;

	ASSERT_RC(0, store_commit(fx->st, &err), err);
	int64_t seq = testutil_journal_seq(fx->st);
	ASSERT_RC(0, store_begin(fx->st, &err), err);
	ASSERT_RC(0, ledger_insert(fx->st, ACTOR, LEDGER_VENDOR, rec, &id, &err), err);
	json_decref(rec);
	store_rollback(fx->st);
	ASSERT_RC(0, ledger_list(fx->st, LEDGER_VENDOR, &list, &err), err);
	assert_int_equal(json_array_size(list), 0);
	json_decref(list);
	assert_int_equal(testutil_journal_seq(fx->st), seq);
	ASSERT_RC(0, store_begin(fx->st, &err), err);
}

/* After all kinds of writes the chain verifies. */
static void test_journal_verifies(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct journal_verify_result res;
	int64_t id;

	json_t *rec = J("{\"name\": \"北斗\"}");
	ASSERT_RC(0, ledger_insert(fx->st, ACTOR, LEDGER_VENDOR, rec, &id, &err), err);
	json_decref(rec);
	rec = J("{\"phone\": \"1\"}");
	ASSERT_RC(0, ledger_update(fx->st, ACTOR, LEDGER_VENDOR, id, rec, &err), err);
	json_decref(rec);
	ASSERT_RC(0, store_commit(fx->st, &err), err);
	ASSERT_RC(0, journal_verify(fx->st, NULL, &res, NULL, NULL, &err), err);
	assert_int_equal(res.entries, 3); /* facility, vendor.add, vendor.edit */
	ASSERT_RC(0, store_begin(fx->st, &err), err);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, testutil_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_facility_type_parse),
		cmocka_unit_test_setup_teardown(test_facility, setup_bare, testutil_teardown),
		cmocka_unit_test(test_table_names),
		T(test_vendor_insert_get_update),
		T(test_duplicate_name),
		T(test_system_and_contract),
		T(test_list_order),
		T(test_bad_records),
		T(test_bad_updates),
		T(test_dangling_reference),
		T(test_ref_resolve),
		T(test_rollback),
		T(test_journal_verifies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
