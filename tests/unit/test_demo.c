/*
 * test_demo.c - unit tests of the demo hospital (src/core/demo.c): on a
 * fresh store demo_fill() creates the facility and about 300 devices of
 * every kind, the four systems with their 機器管理票 fields, three vendors
 * (two maintaining remotely) with contracts, Windows 10 devices, the
 * promised imperfections (no owner, no IP, a retired and a disposed device
 * with its certificate), all journaled with an intact chain; a second fill
 * is MAMORI_ECONFLICT and changes nothing; an existing facility is kept;
 * the data is the same on every run (identical JSON exports) and its CSV
 * export re-imports without changes.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <unistd.h>

#include "asset.h"
#include "asset_export.h"
#include "asset_import.h"
#include "demo.h"
#include "journal.h"
#include "ledger.h"
#include "store.h"
#include "strbuf.h"
#include "testutil.h"

#define ACTOR "demo-test"

/* A fresh, empty store (no facility). */
static int setup(void **state)
{
	return testutil_setup_store(state, "demo");
}

/* A fresh store filled with the demo. */
static int setup_filled(void **state)
{
	struct mamori_err err = { 0 };

	if (setup(state) < 0)
		return -1;
	if (demo_fill(((struct testutil_fixture *)*state)->st, ACTOR, &err) < 0) {
		fprintf(stderr, "demo_fill: %s\n", err.msg);
		return -1;
	}
	return 0;
}

static int64_t count(struct store *st, const struct asset_query *q)
{
	struct mamori_err err = { 0 };
	int64_t n = -1;

	ASSERT_RC(0, asset_count(st, q, &n, &err), err);
	return n;
}

struct tally {
	int64_t total, no_owner, no_ip, win10, disposed_ok, disposed, retired_ok, lifecycle_in_use;
	int64_t kinds[6];
};

static int tally_fn(const struct asset *a, void *ctx)
{
	static const char *const kinds[] = { "server", "pc", "network", "printer", "medical", "other" };
	struct tally *t = ctx;

	t->total++;
	t->no_owner += !a->v[ASSET_OWNER];
	t->no_ip += !a->v[ASSET_IP];
	t->win10 += a->v[ASSET_OS] && strstr(a->v[ASSET_OS], "Windows 10") != NULL;
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(a->v[ASSET_KIND], kinds[i]))
			t->kinds[i]++;
	if (!strcmp(a->v[ASSET_STATUS], "disposed")) {
		t->disposed++;
		t->disposed_ok += a->v[ASSET_DISPOSAL_CERTIFICATE] && a->v[ASSET_DISPOSAL_METHOD] &&
				  a->v[ASSET_DISPOSED_BY] && a->v[ASSET_DISPOSED_ON];
	} else if (!strcmp(a->v[ASSET_STATUS], "retired")) {
		t->retired_ok += a->v[ASSET_RETIRED_ON] != NULL;
	} else {
		for (int f = ASSET_RETIRED_ON; f <= ASSET_DISPOSAL_CERTIFICATE; f++)
			t->lifecycle_in_use += a->v[f] != NULL;
	}
	/* Every stored device is valid as a whole. */
	struct asset copy;
	struct mamori_err err = { 0 };
	asset_copy(&copy, a);
	ASSERT_RC(0, asset_validate(&copy, NULL, &err), err);
	asset_release(&copy);
	return 0;
}

static void test_fill(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct ledger_facility f;
	struct tally t = { 0 };

	ASSERT_RC(0, demo_fill(fx->st, ACTOR, &err), err);
	assert_int_equal(fx->st->in_tx, 0);

	ASSERT_RC(0, ledger_facility_get(fx->st, &f, &err), err);
	assert_string_equal(f.name, DEMO_FACILITY_NAME);
	assert_string_equal(f.type, "hospital");
	ledger_facility_release(&f);

	ASSERT_RC(0, asset_list(fx->st, NULL, tally_fn, &t, &err), err);
	assert_in_range(t.total, 280, 320);
	assert_int_equal(count(fx->st, NULL), t.total);
	for (size_t i = 0; i < 5; i++) /* server, pc, network, printer, medical */
		if (t.kinds[i] < 1)
			fail_msg("no device of kind %zu", i);
	assert_true(t.kinds[1] > t.total / 2); /* mostly terminal PCs */
	assert_true(t.win10 >= 1);
	struct asset_query w10 = { .search = "Windows 10" };
	assert_int_equal(count(fx->st, &w10), t.win10);
	struct asset_query w11 = { .search = "Windows 11" };
	assert_true(count(fx->st, &w11) >= 1);
	assert_true(t.no_owner >= 1);
	assert_true(t.no_ip >= 1);
	assert_true(t.disposed >= 1);
	assert_int_equal(t.disposed_ok, t.disposed);
	assert_true(t.retired_ok >= 1);
	assert_int_equal(t.lifecycle_in_use, 0);
	struct asset_query dq = { .status = "disposed" }, rq = { .status = "retired" };
	assert_int_equal(count(fx->st, &dq), t.disposed);
	assert_int_equal(count(fx->st, &rq), t.retired_ok);
}

static int has_name(json_t *list, const char *name)
{
	size_t i;
	json_t *o;

	json_array_foreach(list, i, o) {
		if (!strcmp(json_string_value(json_object_get(o, "name")), name))
			return 1;
	}
	return 0;
}

static void test_systems_vendors_contracts(void **state)
{
	static const char *const systems[] = { "電子カルテシステム", "医事会計システム", "PACS",
					       "オーダリングシステム" };
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	json_t *list = NULL;

	ASSERT_RC(0, ledger_list(fx->st, LEDGER_SYSTEM, &list, &err), err);
	assert_true(json_array_size(list) >= 4);
	for (size_t i = 0; i < ARRAY_SIZE(systems); i++)
		if (!has_name(list, systems[i]))
			fail_msg("system %s missing", systems[i]);
	/* The 機器管理票 fields are filled in, ratings valid. */
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o) {
		static const char *const filled[] = { "category", "purpose", "manager", "backup",
						      "confidentiality", "integrity", "availability",
						      "vendor_id" };
		for (size_t k = 0; k < ARRAY_SIZE(filled); k++)
			if (json_is_null(json_object_get(o, filled[k])))
				fail_msg("system %s: %s empty",
					 json_string_value(json_object_get(o, "name")), filled[k]);
	}
	json_decref(list);

	ASSERT_RC(0, ledger_list(fx->st, LEDGER_VENDOR, &list, &err), err);
	assert_int_equal(json_array_size(list), 3);
	json_decref(list);

	ASSERT_RC(0, ledger_list(fx->st, LEDGER_CONTRACT, &list, &err), err);
	assert_true(json_array_size(list) >= 3);
	int remote = 0;
	json_array_foreach(list, i, o) {
		remote += json_integer_value(json_object_get(o, "remote_maintenance")) == 1;
	}
	assert_int_equal(remote, 2);
	json_decref(list);

	/* Devices refer to the systems. */
	int64_t n = 0;
	ASSERT_RC(0, store_query_int(fx->st, &n, &err,
				     "SELECT COUNT(*) FROM device d JOIN system s ON s.id = d.system_id "
				     "WHERE s.name = ?",
				     "電子カルテシステム", NULL),
		  err);
	assert_true(n > 100);
}

static void test_journal(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct journal_verify_result res;

	ASSERT_RC(0, journal_verify(fx->st, NULL, &res, NULL, NULL, &err), err);
	/* At least the facility and one entry per device. */
	assert_true(res.entries > count(fx->st, NULL));
	int64_t n = 0;
	ASSERT_RC(0, store_query_int(fx->st, &n, &err,
				     "SELECT COUNT(*) FROM journal WHERE action = 'asset.add'", NULL),
		  err);
	assert_int_equal(n, count(fx->st, NULL));
	ASSERT_RC(0, store_query_int(fx->st, &n, &err,
				     "SELECT COUNT(*) FROM journal WHERE actor <> ?", ACTOR, NULL),
		  err);
	assert_int_equal(n, 0);
	ASSERT_RC(0, store_query_int(fx->st, &n, &err,
				     "SELECT COUNT(*) FROM journal WHERE action IN "
				     "('asset.retire', 'asset.dispose', 'facility.create')",
				     NULL),
		  err);
	assert_true(n >= 3);
}

/* A second fill is refused and writes nothing. */
static void test_second_fill(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	char h1[JOURNAL_HASH_HEX], h2[JOURNAL_HASH_HEX];
	int64_t s1, s2, n1 = count(fx->st, NULL);

	ASSERT_RC(0, journal_head(fx->st, &s1, h1, &err), err);
	ASSERT_RC(MAMORI_ECONFLICT, demo_fill(fx->st, ACTOR, &err), err);
	assert_non_null(strstr(err.msg, fx->st->target));
	assert_int_equal(fx->st->in_tx, 0);
	ASSERT_RC(0, journal_head(fx->st, &s2, h2, &err), err);
	assert_int_equal(s1, s2);
	assert_string_equal(h1, h2);
	assert_int_equal(count(fx->st, NULL), n1);
}

/* A store with its own facility (and no devices) keeps it. */
static void test_existing_facility(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct ledger_facility f;
	int64_t id;

	ASSERT_RC(0, store_begin(fx->st, &err), err);
	ASSERT_RC(0, ledger_facility_create(fx->st, "init", "さくら診療所", "診療所", &id, &err), err);
	ASSERT_RC(0, store_commit(fx->st, &err), err);
	ASSERT_RC(0, demo_fill(fx->st, ACTOR, &err), err);
	ASSERT_RC(0, ledger_facility_get(fx->st, &f, &err), err);
	assert_int_equal(f.id, id);
	assert_string_equal(f.name, "さくら診療所");
	assert_string_equal(f.type, "clinic");
	ledger_facility_release(&f);
	assert_in_range(count(fx->st, NULL), 280, 320);
}

static char *export_json(struct store *st)
{
	struct mamori_err err = { 0 };
	struct strbuf out = STRBUF_INIT;

	ASSERT_RC(0, asset_export_json(st, NULL, &out, &err), err);
	return strbuf_detach(&out, NULL);
}

/* Two fresh stores get the same hospital. */
static void test_deterministic(void **state)
{
	struct testutil_fixture *fx = *state;
	void *other = NULL;

	char *a = export_json(fx->st);
	assert_int_equal(setup_filled(&other), 0);
	char *b = export_json(((struct testutil_fixture *)other)->st);
	testutil_teardown(&other);
	assert_true(strlen(a) > 10000);
	if (strcmp(a, b)) {
		size_t i = 0;
		while (a[i] && a[i] == b[i])
			i++;
		fail_msg("demo differs between runs at byte %zu: \"%.60s\" vs \"%.60s\"", i, a + i,
			 b + i);
	}
	free(a);
	free(b);
}

/* The demo's own CSV export re-imports without a change. */
static void test_export_reimports(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct strbuf csv = STRBUF_INIT;
	struct asset_import_opts o = { .encoding = ENC_AUTO, .actor = ACTOR };
	struct asset_import_result res;
	int64_t n = count(fx->st, NULL), s1, s2;
	char h1[JOURNAL_HASH_HEX], h2[JOURNAL_HASH_HEX];

	ASSERT_RC(0, asset_export_csv(fx->st, NULL, ENC_CP932, &csv, &err), err);
	ASSERT_RC(0, journal_head(fx->st, &s1, h1, &err), err);
	int r = asset_import_buffer(fx->st, "demo.csv", csv.buf, csv.len, &o, &res, &err);
	if (r != 0 || res.added || res.updated || (int64_t)res.unchanged != n) {
		const char *p = res.nproblems ? res.problems[0] : "";
		fail_msg("r = %d (%s): added %zu updated %zu unchanged %zu of %lld; %s", r, err.msg,
			 res.added, res.updated, res.unchanged, (long long)n, p);
	}
	asset_import_result_release(&res);
	ASSERT_RC(0, journal_head(fx->st, &s2, h2, &err), err);
	assert_int_equal(s1, s2);
	assert_string_equal(h1, h2);
	strbuf_release(&csv);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, testutil_teardown)
#define TF(fn) cmocka_unit_test_setup_teardown(fn, setup_filled, testutil_teardown)
	const struct CMUnitTest tests[] = {
		T(test_fill),
		TF(test_systems_vendors_contracts),
		TF(test_journal),
		TF(test_second_fill),
		T(test_existing_facility),
		TF(test_deterministic),
		TF(test_export_reimports),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
