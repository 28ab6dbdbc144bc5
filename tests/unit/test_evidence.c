/*
 * test_evidence.c - the evidence rules behind checklist items (evidence.h).
 *
 * Each rule runs on a small ledger made for it, once for each outcome
 * (supports, contradicts, no_data), and the result is checked as the UI
 * reads it: outcome, total and checked, the reason texts (naming the
 * device or document and what is missing) and their links.  The last test
 * reads the wording of every item of every shipped edition and checks
 * which rule evidence_rule_for() picks for the key items.
 *
 * Dates are fixed (TODAY) so the end-of-support answers do not move with
 * the clock: on 2026-11-21 Windows 7, Windows Server 2012 R2 and CentOS 7
 * have ended, Windows Server 2022 is supported and Windows 11 Enterprise
 * 24H2 (2027-10-12) ends within 12 months (catalog/eol).
 */
#include "common.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "account.h"
#include "asset.h"
#include "checklist.h"
#include "eos.h"
#include "eoscat.h"
#include "evidence.h"
#include "ledger.h"
#include "store.h"
#include "testutil.h"

#define ACTOR "test:evidence"
#define TODAY "2026-11-21"

static int setup(void **state)
{
	return testutil_setup_facility(state, "evidence", ACTOR, "根拠病院", "hospital");
}

static struct store *store_of(void **state)
{
	return ((struct testutil_fixture *)*state)->st;
}

/* ---- fixtures -------------------------------------------------------------------- */

static int64_t add(struct store *st, const struct testutil_kv *kv, size_t n)
{
	struct mamori_err err = { 0 };
	struct asset a;
	int64_t id;

	testutil_asset_build(&a, kv, n);
	ASSERT_RC(0, asset_insert(st, ACTOR, &a, &err), err);
	id = a.id;
	asset_release(&a);
	return id;
}

#define ADD(st, ...) add((st), TESTUTIL_KVS(__VA_ARGS__))

static int64_t vendor(struct store *st, const char *name)
{
	struct mamori_err err = { 0 };
	int64_t id = 0;

	ASSERT_RC(0, ledger_ref_resolve(st, ACTOR, LEDGER_VENDOR, name, 1, &id, NULL, &err), err);
	return id;
}

static int64_t insert(struct store *st, enum ledger_table t, json_t *rec)
{
	struct mamori_err err = { 0 };
	int64_t id = 0;

	if (!rec)
		fail_msg("json_pack failed");
	ASSERT_RC(0, ledger_insert(st, ACTOR, t, rec, &id, &err), err);
	json_decref(rec);
	return id;
}

static int64_t contract(struct store *st, int64_t vendor_id, int64_t system_id, int remote)
{
	json_t *rec = json_pack("{s:I, s:s, s:i}", "vendor_id", (json_int_t)vendor_id, "title",
				"保守契約", "remote_maintenance", remote);
	if (system_id)
		json_object_set_new(rec, "system_id", json_integer(system_id));
	return insert(st, LEDGER_CONTRACT, rec);
}

static int64_t system_rec(struct store *st, const char *name, int64_t vendor_id)
{
	json_t *rec = json_pack("{s:s}", "name", name);
	if (vendor_id)
		json_object_set_new(rec, "vendor_id", json_integer(vendor_id));
	return insert(st, LEDGER_SYSTEM, rec);
}

/* A document; issued_on NULL, offline < 0, vendor/system 0 leave the column out. */
static int64_t doc(struct store *st, const char *kind, const char *title, const char *issued_on,
		   int offline, int64_t vendor_id, int64_t system_id)
{
	json_t *rec = json_pack("{s:s, s:s}", "kind", kind, "title", title);
	if (issued_on)
		json_object_set_new(rec, "issued_on", json_string(issued_on));
	if (offline >= 0)
		json_object_set_new(rec, "offline", json_integer(offline));
	if (vendor_id)
		json_object_set_new(rec, "vendor_id", json_integer(vendor_id));
	if (system_id)
		json_object_set_new(rec, "system_id", json_integer(system_id));
	return insert(st, LEDGER_DOCUMENT, rec);
}

/* ---- running a rule ---------------------------------------------------------------- */

static json_t *eval_on(struct store *st, enum evidence_rule r, unsigned scope, const char *today)
{
	struct mamori_err err = { 0 };
	json_t *o = NULL;

	ASSERT_RC(0, evidence_eval(st, NULL, r, scope, today, &o, &err), err);
	assert_non_null(o);
	return o;
}

static json_t *eval(struct store *st, enum evidence_rule r, unsigned scope)
{
	return eval_on(st, r, scope, TODAY);
}

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static json_int_t num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_integer(v))
		fail_msg("%s is not an integer", key);
	return json_integer_value(v);
}

static void dump_fail(json_t *o, const char *what)
{
	char *s = json_dumps(o, JSON_INDENT(1));
	fprintf(stderr, "%s\n", s);
	free(s);
	fail_msg("%s", what);
}

/* Fails unless o has that outcome, total and checked; also checks the fixed keys. */
static void assert_result(json_t *o, enum evidence_rule r, const char *outcome, json_int_t total,
			  json_int_t checked)
{
	if (!str(o, "outcome") || strcmp(str(o, "outcome"), outcome) ||
	    num(o, "total") != total || num(o, "checked") != checked) {
		fprintf(stderr, "want outcome %s total %lld checked %lld\n", outcome,
			(long long)total, (long long)checked);
		dump_fail(o, "unexpected evidence result");
	}
	assert_string_equal(str(o, "rule"), evidence_rule_name(r));
	assert_string_equal(str(o, "rule_label"), evidence_rule_label(r));
	assert_string_equal(str(o, "outcome_label"),
			    evidence_outcome_label(!strcmp(outcome, "supports")	      ? EVIDENCE_SUPPORTS
						   : !strcmp(outcome, "contradicts") ? EVIDENCE_CONTRADICTS
										     : EVIDENCE_NO_DATA));
	assert_non_null(str(o, "summary"));
	assert_true(json_is_array(json_object_get(o, "reasons")));
}

static size_t nreasons(json_t *o)
{
	return json_array_size(json_object_get(o, "reasons"));
}

/* The reason whose text contains needle (fails when none). */
static json_t *reason(json_t *o, const char *needle)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(o, "reasons"), i, r)
		if (str(r, "text") && strstr(str(r, "text"), needle))
			return r;
	dump_fail(o, needle);
	return NULL;
}

static void assert_no_reason(json_t *o, const char *needle)
{
	size_t i;
	json_t *r;

	json_array_foreach(json_object_get(o, "reasons"), i, r)
		if (str(r, "text") && strstr(str(r, "text"), needle))
			dump_fail(o, needle);
}

static void assert_device_link(json_t *reason_obj, int64_t id)
{
	char want[48];

	snprintf(want, sizeof(want), "#/assets/%lld", (long long)id);
	assert_string_equal(str(reason_obj, "link"), want);
}

/* ---- names --------------------------------------------------------------------- */

static void test_names(void **state)
{
	(void)state;
	for (int r = 0; r < EVIDENCE_NRULES; r++) {
		assert_non_null(evidence_rule_name(r));
		assert_non_null(evidence_rule_label(r));
	}
	assert_null(evidence_rule_name(EVIDENCE_NRULES));
	assert_null(evidence_rule_label(-1));
	assert_string_equal(evidence_outcome_name(EVIDENCE_NO_DATA), "no_data");
	assert_string_equal(evidence_outcome_name(EVIDENCE_SUPPORTS), "supports");
	assert_string_equal(evidence_outcome_name(EVIDENCE_CONTRADICTS), "contradicts");
	assert_string_equal(evidence_outcome_label(EVIDENCE_CONTRADICTS), "はいと矛盾");
	assert_null(evidence_outcome_name(3));
}

/* ---- EVIDENCE_LEDGER ------------------------------------------------------------ */

static void add_complete_set(struct store *st)
{
	ADD(st, { ASSET_TAG, "SV-1" }, { ASSET_KIND, "server" }, { ASSET_OWNER, "情シス" },
	    { ASSET_LOCATION, "サーバ室" }, { ASSET_OS, "Windows Server 2022" },
	    { ASSET_IP, "10.0.0.1" });
	ADD(st, { ASSET_TAG, "PC-1" }, { ASSET_KIND, "pc" }, { ASSET_OWNER, "山田" },
	    { ASSET_LOCATION, "内科外来" }, { ASSET_OS, "Windows 11 Pro" }, { ASSET_IP, "10.0.0.2" });
	ADD(st, { ASSET_TAG, "NW-1" }, { ASSET_KIND, "network" }, { ASSET_OWNER, "情シス" },
	    { ASSET_LOCATION, "サーバ室" }, { ASSET_OS, "FortiOS 7.2" }, { ASSET_IP, "10.0.0.254" });
	/* a printer needs no OS */
	ADD(st, { ASSET_TAG, "PR-1" }, { ASSET_KIND, "printer" }, { ASSET_OWNER, "医事課" },
	    { ASSET_LOCATION, "医事課" }, { ASSET_IP, "10.0.0.50" });
}

static void test_ledger_supports(void **state)
{
	struct store *st = store_of(state);
	json_t *o;

	add_complete_set(st);
	o = eval(st, EVIDENCE_LEDGER, CHECKLIST_SCOPE_ALL);
	assert_result(o, EVIDENCE_LEDGER, "supports", 0, 4);
	testutil_assert_contains(str(o, "summary"), "4 台すべて");
	json_decref(o);
	/* scope 0 (no tag) is every kind, as 医療情報システム全般 */
	o = eval(st, EVIDENCE_LEDGER, 0);
	assert_result(o, EVIDENCE_LEDGER, "supports", 0, 4);
	json_decref(o);
}

static void test_ledger_missing_field(void **state)
{
	static const struct {
		int drop;
		const char *label;
	} cases[] = {
		{ ASSET_OWNER, "管理者" },
		{ ASSET_LOCATION, "設置場所" },
		{ ASSET_OS, "OS" },
		{ ASSET_IP, "IP アドレス" },
	};
	struct store *st = store_of(state);
	struct mamori_err err = { 0 };

	add_complete_set(st);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct testutil_kv kv[] = {
			{ ASSET_TAG, NULL }, { ASSET_KIND, "pc" },	    { ASSET_OWNER, "佐藤" },
			{ ASSET_LOCATION, "病棟" }, { ASSET_OS, "Windows 11 Pro" }, { ASSET_IP, NULL },
		};
		char tag[32], ip[32];
		size_t n = 0;
		struct testutil_kv use[ARRAY_SIZE(kv)];
		int64_t id;
		json_t *o, *r;

		snprintf(tag, sizeof(tag), "GAP-%zu", i);
		snprintf(ip, sizeof(ip), "10.0.1.%zu", i + 1);
		kv[0].v = tag;
		kv[5].v = ip;
		for (size_t k = 0; k < ARRAY_SIZE(kv); k++)
			if (kv[k].f != cases[i].drop)
				use[n++] = kv[k];
		id = add(st, use, n);

		o = eval(st, EVIDENCE_LEDGER, CHECKLIST_SCOPE_ALL);
		assert_result(o, EVIDENCE_LEDGER, "contradicts", 1, 5);
		assert_int_equal(nreasons(o), 1);
		r = reason(o, tag);
		testutil_assert_contains(str(r, "text"), cases[i].label);
		testutil_assert_contains(str(r, "text"), "未記入");
		assert_device_link(r, id);
		testutil_assert_contains(str(o, "summary"), "5 台中 1 台");
		json_decref(o);

		/* retire it: retired devices are not looked at */
		struct asset a;
		char key[32];
		snprintf(key, sizeof(key), "#%lld", (long long)id);
		ASSERT_RC(0, asset_lookup(st, key, &a, &err), err);
		ASSERT_RC(0, asset_retire(st, ACTOR, &a, "2026-01-01", NULL, &err), err);
		asset_release(&a);
	}
}

static void test_ledger_all_fields_missing(void **state)
{
	struct store *st = store_of(state);
	json_t *o, *r;
	int64_t id;

	id = ADD(st, { ASSET_TAG, "BARE" }, { ASSET_KIND, "pc" });
	o = eval(st, EVIDENCE_LEDGER, CHECKLIST_SCOPE_ALL);
	assert_result(o, EVIDENCE_LEDGER, "contradicts", 1, 1);
	r = reason(o, "BARE");
	testutil_assert_contains(str(r, "text"), "管理者 (申請者)・設置場所・OS・IP アドレス が未記入");
	assert_device_link(r, id);
	json_decref(o);
}

static void test_ledger_printer(void **state)
{
	struct store *st = store_of(state);
	json_t *o, *r;
	int64_t id;

	ADD(st, { ASSET_TAG, "PR-OK" }, { ASSET_KIND, "printer" }, { ASSET_OWNER, "医事課" },
	    { ASSET_LOCATION, "医事課" }, { ASSET_IP, "10.0.0.50" });
	o = eval(st, EVIDENCE_LEDGER, CHECKLIST_SCOPE_ALL);
	assert_result(o, EVIDENCE_LEDGER, "supports", 0, 1);
	json_decref(o);

	id = ADD(st, { ASSET_TAG, "PR-NOIP" }, { ASSET_KIND, "printer" }, { ASSET_OWNER, "医事課" },
		 { ASSET_LOCATION, "医事課" });
	o = eval(st, EVIDENCE_LEDGER, CHECKLIST_SCOPE_ALL);
	assert_result(o, EVIDENCE_LEDGER, "contradicts", 1, 2);
	r = reason(o, "PR-NOIP");
	testutil_assert_contains(str(r, "text"), "IP アドレス");
	assert_no_reason(o, "OS");
	assert_device_link(r, id);
	json_decref(o);
}

static void test_ledger_scope(void **state)
{
	struct store *st = store_of(state);
	json_t *o;
	int64_t id;

	ADD(st, { ASSET_TAG, "SV-OK" }, { ASSET_KIND, "server" }, { ASSET_OWNER, "情シス" },
	    { ASSET_LOCATION, "サーバ室" }, { ASSET_OS, "Windows Server 2022" },
	    { ASSET_IP, "10.0.0.1" });
	ADD(st, { ASSET_TAG, "PC-BAD" }, { ASSET_KIND, "pc" });
	ADD(st, { ASSET_TAG, "PR-BAD" }, { ASSET_KIND, "printer" });
	ADD(st, { ASSET_TAG, "NW-BAD" }, { ASSET_KIND, "network" });

	o = eval(st, EVIDENCE_LEDGER, CHECKLIST_SCOPE_SERVER);
	assert_result(o, EVIDENCE_LEDGER, "supports", 0, 1);
	testutil_assert_contains(str(o, "summary"), "サーバ 1 台すべて");
	json_decref(o);

	id = ADD(st, { ASSET_TAG, "SV-BAD" }, { ASSET_KIND, "server" }, { ASSET_OWNER, "情シス" });
	o = eval(st, EVIDENCE_LEDGER, CHECKLIST_SCOPE_SERVER);
	assert_result(o, EVIDENCE_LEDGER, "contradicts", 1, 2);
	assert_device_link(reason(o, "SV-BAD"), id);
	assert_no_reason(o, "PC-BAD");
	json_decref(o);

	o = eval(st, EVIDENCE_LEDGER, CHECKLIST_SCOPE_PC);
	assert_result(o, EVIDENCE_LEDGER, "contradicts", 1, 1);
	reason(o, "PC-BAD");
	json_decref(o);

	o = eval(st, EVIDENCE_LEDGER, CHECKLIST_SCOPE_SERVER | CHECKLIST_SCOPE_NETWORK);
	assert_result(o, EVIDENCE_LEDGER, "contradicts", 2, 3);
	reason(o, "NW-BAD");
	assert_no_reason(o, "PR-BAD");
	json_decref(o);

	/* every kind but medical/other under 医療情報システム全般, printers included */
	o = eval(st, EVIDENCE_LEDGER, CHECKLIST_SCOPE_ALL);
	assert_result(o, EVIDENCE_LEDGER, "contradicts", 4, 5);
	reason(o, "PR-BAD");
	json_decref(o);
}

static void test_ledger_no_data(void **state)
{
	struct store *st = store_of(state);
	json_t *o;

	o = eval(st, EVIDENCE_LEDGER, CHECKLIST_SCOPE_ALL);
	assert_result(o, EVIDENCE_LEDGER, "no_data", 0, 0);
	testutil_assert_contains(str(o, "summary"), "登録されていません");
	json_decref(o);

	/* only devices the rule does not look at: still no data */
	ADD(st, { ASSET_TAG, "MED" }, { ASSET_KIND, "medical" });
	ADD(st, { ASSET_TAG, "ETC" }, { ASSET_KIND, "other" });
	ADD(st, { ASSET_TAG, "OLD" }, { ASSET_KIND, "pc" }, { ASSET_STATUS, "retired" },
	    { ASSET_RETIRED_ON, "2025-01-01" });
	o = eval(st, EVIDENCE_LEDGER, CHECKLIST_SCOPE_ALL);
	assert_result(o, EVIDENCE_LEDGER, "no_data", 0, 0);
	json_decref(o);
	o = eval(st, EVIDENCE_LEDGER, CHECKLIST_SCOPE_SERVER);
	assert_result(o, EVIDENCE_LEDGER, "no_data", 0, 0);
	testutil_assert_contains(str(o, "summary"), "サーバ");
	json_decref(o);
}

static void test_ledger_ignores_medical_and_retired(void **state)
{
	struct store *st = store_of(state);
	json_t *o;

	add_complete_set(st);
	ADD(st, { ASSET_TAG, "MED" }, { ASSET_KIND, "medical" });
	ADD(st, { ASSET_TAG, "ETC" }, { ASSET_KIND, "other" });
	ADD(st, { ASSET_TAG, "OLD" }, { ASSET_KIND, "pc" }, { ASSET_STATUS, "retired" },
	    { ASSET_RETIRED_ON, "2025-01-01" });
	o = eval(st, EVIDENCE_LEDGER, CHECKLIST_SCOPE_ALL);
	assert_result(o, EVIDENCE_LEDGER, "supports", 0, 4);
	json_decref(o);
}

/* ---- EVIDENCE_REMOTE ----------------------------------------------------------- */

static void test_remote_supports(void **state)
{
	struct store *st = store_of(state);
	json_t *o, *r;
	int64_t id;

	id = ADD(st, { ASSET_TAG, "CT-1" }, { ASSET_KIND, "medical" }, { ASSET_VENDOR, "保守A社" },
		 { ASSET_REMOTE_MAINTENANCE, "1" });
	contract(st, vendor(st, "保守A社"), 0, 1);
	o = eval(st, EVIDENCE_REMOTE, 0);
	assert_result(o, EVIDENCE_REMOTE, "supports", 1, 1);
	r = reason(o, "CT-1");
	testutil_assert_contains(str(r, "text"), "保守A社");
	assert_device_link(r, id);
	json_decref(o);

	/* a device that says "no remote maintenance" is looked at and is fine */
	ADD(st, { ASSET_TAG, "PC-LOCAL" }, { ASSET_KIND, "pc" }, { ASSET_REMOTE_MAINTENANCE, "0" });
	o = eval(st, EVIDENCE_REMOTE, 0);
	assert_result(o, EVIDENCE_REMOTE, "supports", 1, 2);
	json_decref(o);
}

static void test_remote_contradicts(void **state)
{
	struct store *st = store_of(state);
	json_t *o, *r;
	int64_t ok, nocontract, novendor, vb;

	ok = ADD(st, { ASSET_TAG, "CT-1" }, { ASSET_KIND, "medical" }, { ASSET_VENDOR, "保守A社" },
		 { ASSET_REMOTE_MAINTENANCE, "1" });
	contract(st, vendor(st, "保守A社"), 0, 1);
	/* B has a contract, but not one for remote maintenance */
	nocontract = ADD(st, { ASSET_TAG, "MRI-1" }, { ASSET_KIND, "medical" },
			 { ASSET_VENDOR, "保守B社" }, { ASSET_REMOTE_MAINTENANCE, "1" });
	vb = vendor(st, "保守B社");
	contract(st, vb, 0, 0);
	o = eval(st, EVIDENCE_REMOTE, 0);
	assert_result(o, EVIDENCE_REMOTE, "contradicts", 1, 2);
	r = reason(o, "MRI-1");
	testutil_assert_contains(str(r, "text"), "保守B社");
	testutil_assert_contains(str(r, "text"), "契約が未登録");
	assert_device_link(r, nocontract);
	assert_no_reason(o, "CT-1");
	json_decref(o);

	novendor = ADD(st, { ASSET_TAG, "SV-R" }, { ASSET_KIND, "server" },
		       { ASSET_REMOTE_MAINTENANCE, "1" });
	o = eval(st, EVIDENCE_REMOTE, 0);
	assert_result(o, EVIDENCE_REMOTE, "contradicts", 2, 3);
	r = reason(o, "SV-R");
	testutil_assert_contains(str(r, "text"), "保守事業者が未登録");
	assert_device_link(r, novendor);
	testutil_assert_contains(str(o, "summary"), "2 台");
	json_decref(o);
	(void)ok;
}

static void test_remote_no_data(void **state)
{
	struct store *st = store_of(state);
	json_t *o;

	o = eval(st, EVIDENCE_REMOTE, 0);
	assert_result(o, EVIDENCE_REMOTE, "no_data", 0, 0);
	json_decref(o);
	ADD(st, { ASSET_TAG, "PC-1" }, { ASSET_KIND, "pc" }, { ASSET_VENDOR, "保守A社" });
	o = eval(st, EVIDENCE_REMOTE, 0);
	assert_result(o, EVIDENCE_REMOTE, "no_data", 0, 0);
	testutil_assert_contains(str(o, "summary"), "リモート保守の有無");
	json_decref(o);
}

/* ---- EVIDENCE_MDS_SDS ---------------------------------------------------------- */

static void test_mds_sds(void **state)
{
	struct store *st = store_of(state);
	json_t *o, *r;
	int64_t va, vb, vc, s_direct, s_contract, s_other;

	/* no system with a vendor: no data (a system without vendor is not looked at) */
	system_rec(st, "院内掲示板", 0);
	o = eval(st, EVIDENCE_MDS_SDS, 0);
	assert_result(o, EVIDENCE_MDS_SDS, "no_data", 0, 0);
	json_decref(o);

	va = vendor(st, "電カルA社");
	vb = vendor(st, "検査B社");
	s_direct = system_rec(st, "電子カルテ", va);
	s_contract = system_rec(st, "検査システム", 0);
	contract(st, vb, s_contract, 0);
	o = eval(st, EVIDENCE_MDS_SDS, 0);
	assert_result(o, EVIDENCE_MDS_SDS, "contradicts", 2, 2);
	r = reason(o, "電子カルテ");
	testutil_assert_contains(str(r, "text"), "電カルA社");
	testutil_assert_contains(str(r, "text"), "MDS/SDS が未登録");
	assert_string_equal(str(r, "link"), "#/documents");
	r = reason(o, "検査システム");
	testutil_assert_contains(str(r, "text"), "検査B社");
	json_decref(o);

	/* documents of another kind do not count */
	doc(st, "bcp", "BCP 2026", "2026-04-01", -1, va, s_direct);
	o = eval(st, EVIDENCE_MDS_SDS, 0);
	assert_result(o, EVIDENCE_MDS_SDS, "contradicts", 2, 2);
	json_decref(o);

	/* an MDS for the system itself; an SDS from the vendor of the other */
	doc(st, "mds", "電子カルテ MDS 第3版", "2026-04-01", -1, 0, s_direct);
	doc(st, "sds", "検査B社 SDS", "2026-05-01", -1, vb, 0);
	o = eval(st, EVIDENCE_MDS_SDS, 0);
	assert_result(o, EVIDENCE_MDS_SDS, "supports", 2, 2);
	testutil_assert_contains(str(reason(o, "電子カルテ"), "text"), "電子カルテ MDS 第3版");
	testutil_assert_contains(str(reason(o, "検査システム"), "text"), "検査B社 SDS");
	testutil_assert_contains(str(o, "summary"), "2 件すべて");
	json_decref(o);

	/* a vendor's document that names another system does not cover this one */
	vc = vendor(st, "画像C社");
	s_other = system_rec(st, "PACS", vc);
	system_rec(st, "RIS", vc);
	doc(st, "mds", "PACS MDS", "2026-05-01", -1, vc, s_other);
	o = eval(st, EVIDENCE_MDS_SDS, 0);
	assert_result(o, EVIDENCE_MDS_SDS, "contradicts", 1, 4);
	r = reason(o, "RIS");
	testutil_assert_contains(str(r, "text"), "画像C社");
	assert_int_equal(nreasons(o), 1);
	json_decref(o);
}

/* ---- EVIDENCE_PATCH ------------------------------------------------------------ */

static void test_patch_unpatched(void **state)
{
	struct store *st = store_of(state);
	json_t *o, *r;
	int64_t id;

	ADD(st, { ASSET_TAG, "SV-OK" }, { ASSET_KIND, "server" }, { ASSET_OS, "Windows Server 2022" },
	    { ASSET_PATCHED, "1" });
	id = ADD(st, { ASSET_TAG, "PC-UNPATCHED" }, { ASSET_KIND, "pc" }, { ASSET_PATCHED, "0" });
	o = eval(st, EVIDENCE_PATCH, CHECKLIST_SCOPE_ALL);
	assert_result(o, EVIDENCE_PATCH, "contradicts", 1, 2);
	r = reason(o, "PC-UNPATCHED");
	testutil_assert_contains(str(r, "text"), "パッチ適用) が「なし」");
	assert_device_link(r, id);
	testutil_assert_contains(str(o, "summary"), "1 台");
	json_decref(o);
}

static void test_patch_end_of_support(void **state)
{
	static const struct {
		const char *kind, *os, *date;
	} cases[] = {
		{ "pc", "Windows 7 Professional", "20" }, /* the year of the end, at least */
		{ "server", "Windows Server 2012 R2", "20" },
		{ "server", "CentOS 7", "2024-06-30" },
	};
	struct store *st = store_of(state);

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char tag[32];
		json_t *o, *r;
		int64_t id;

		snprintf(tag, sizeof(tag), "EOS-%zu", i);
		id = ADD(st, { ASSET_TAG, tag }, { ASSET_KIND, cases[i].kind },
			 { ASSET_OS, cases[i].os }, { ASSET_PATCHED, "1" });
		o = eval(st, EVIDENCE_PATCH, CHECKLIST_SCOPE_ALL);
		assert_result(o, EVIDENCE_PATCH, "contradicts", (json_int_t)i + 1, (json_int_t)i + 1);
		r = reason(o, tag);
		testutil_assert_contains(str(r, "text"), cases[i].os);
		testutil_assert_contains(str(r, "text"), "サポートが終了");
		testutil_assert_contains(str(r, "text"), cases[i].date);
		testutil_assert_contains(str(r, "text"), " 終了)");
		assert_device_link(r, id);
		json_decref(o);
	}
}

/* The end date in the text is the catalog's, as eoscat gives it. */
static void test_patch_end_date_from_catalog(void **state)
{
	struct store *st = store_of(state);
	struct mamori_err err = { 0 };
	struct eos_catalog eos = EOS_CATALOG_INIT;
	struct eos_match m;
	struct asset a;
	json_t *o = NULL;
	int updated;

	ADD(st, { ASSET_TAG, "W7" }, { ASSET_KIND, "pc" }, { ASSET_OS, "Windows 7 Professional" });
	ASSERT_RC(0, asset_lookup(st, "W7", &a, &err), err);
	ASSERT_RC(0, eoscat_load(st, &eos, &updated, &err), err);
	assert_int_equal(eoscat_device_status(&eos, &a, TODAY, &m), EOS_ENDED);
	assert_true(m.eol.date[0] != '\0');
	/* the caller's catalog is used as given */
	ASSERT_RC(0, evidence_eval(st, &eos, EVIDENCE_PATCH, CHECKLIST_SCOPE_PC, TODAY, &o, &err), err);
	assert_result(o, EVIDENCE_PATCH, "contradicts", 1, 1);
	testutil_assert_contains(str(reason(o, "W7"), "text"), m.eol.date);
	json_decref(o);
	asset_release(&a);
	eos_catalog_release(&eos);
}

static void test_patch_supports_and_ending(void **state)
{
	struct store *st = store_of(state);
	json_t *o, *r;
	int64_t id;

	ADD(st, { ASSET_TAG, "SV-2022" }, { ASSET_KIND, "server" },
	    { ASSET_OS, "Windows Server 2022" }, { ASSET_PATCHED, "1" });
	o = eval(st, EVIDENCE_PATCH, CHECKLIST_SCOPE_ALL);
	assert_result(o, EVIDENCE_PATCH, "supports", 0, 1);
	testutil_assert_contains(str(o, "summary"), "1 台");
	json_decref(o);

	/* patched, on a supported OS whose end is within 12 months: listed, not a contradiction */
	id = ADD(st, { ASSET_TAG, "PC-24H2" }, { ASSET_KIND, "pc" },
		 { ASSET_OS, "Windows 11 Enterprise 24H2" }, { ASSET_PATCHED, "1" });
	o = eval(st, EVIDENCE_PATCH, CHECKLIST_SCOPE_ALL);
	assert_result(o, EVIDENCE_PATCH, "supports", 1, 2);
	r = reason(o, "PC-24H2");
	testutil_assert_contains(str(r, "text"), "12か月以内に終了");
	assert_device_link(r, id);
	json_decref(o);

	/* next to a contradiction the ending device is listed too, and not counted */
	ADD(st, { ASSET_TAG, "PC-BAD" }, { ASSET_KIND, "pc" }, { ASSET_PATCHED, "0" });
	o = eval(st, EVIDENCE_PATCH, CHECKLIST_SCOPE_ALL);
	assert_result(o, EVIDENCE_PATCH, "contradicts", 1, 3);
	reason(o, "PC-BAD");
	reason(o, "PC-24H2");
	json_decref(o);
}

static void test_patch_two_reasons_one_device(void **state)
{
	struct store *st = store_of(state);
	json_t *o;

	ADD(st, { ASSET_TAG, "PC-OLD" }, { ASSET_KIND, "pc" }, { ASSET_OS, "Windows 7 Professional" },
	    { ASSET_PATCHED, "0" });
	o = eval(st, EVIDENCE_PATCH, CHECKLIST_SCOPE_ALL);
	/* two reasons, one device */
	assert_result(o, EVIDENCE_PATCH, "contradicts", 1, 1);
	assert_int_equal(nreasons(o), 2);
	testutil_assert_contains(str(o, "summary"), "1 台");
	json_decref(o);
}

static void test_patch_no_data(void **state)
{
	struct store *st = store_of(state);
	json_t *o;

	o = eval(st, EVIDENCE_PATCH, CHECKLIST_SCOPE_ALL);
	assert_result(o, EVIDENCE_PATCH, "no_data", 0, 0);
	json_decref(o);

	ADD(st, { ASSET_TAG, "PC-X" }, { ASSET_KIND, "pc" }, { ASSET_OS, "MyHospitalOS 1.0" });
	o = eval(st, EVIDENCE_PATCH, CHECKLIST_SCOPE_ALL);
	assert_string_equal(str(o, "outcome"), "no_data");
	assert_int_equal(num(o, "checked"), 0);
	testutil_assert_contains(str(reason(o, "1 台"), "text"), "パッチ適用が未記入");
	testutil_assert_contains(str(o, "summary"), "パッチ適用の記載");
	json_decref(o);

	/* a device outside the scope does not count */
	ADD(st, { ASSET_TAG, "SV-BAD" }, { ASSET_KIND, "server" }, { ASSET_PATCHED, "0" });
	o = eval(st, EVIDENCE_PATCH, CHECKLIST_SCOPE_PC);
	assert_string_equal(str(o, "outcome"), "no_data");
	json_decref(o);
	o = eval(st, EVIDENCE_PATCH, CHECKLIST_SCOPE_SERVER);
	assert_result(o, EVIDENCE_PATCH, "contradicts", 1, 1);
	json_decref(o);
}

/* ---- EVIDENCE_SOURCE_RESTRICTION ------------------------------------------------- */

static void test_source_restriction(void **state)
{
	struct store *st = store_of(state);
	json_t *o, *r;
	int64_t id;

	/* no network device with the field: no data (other kinds are not looked at) */
	ADD(st, { ASSET_TAG, "PC-1" }, { ASSET_KIND, "pc" }, { ASSET_SOURCE_RESTRICTION, "0" });
	ADD(st, { ASSET_TAG, "NW-?" }, { ASSET_KIND, "network" });
	o = eval(st, EVIDENCE_SOURCE_RESTRICTION, CHECKLIST_SCOPE_NETWORK);
	assert_result(o, EVIDENCE_SOURCE_RESTRICTION, "no_data", 0, 0);
	json_decref(o);

	ADD(st, { ASSET_TAG, "NW-1" }, { ASSET_KIND, "network" }, { ASSET_SOURCE_RESTRICTION, "1" });
	ADD(st, { ASSET_TAG, "NW-2" }, { ASSET_KIND, "network" }, { ASSET_SOURCE_RESTRICTION, "1" });
	o = eval(st, EVIDENCE_SOURCE_RESTRICTION, CHECKLIST_SCOPE_NETWORK);
	assert_result(o, EVIDENCE_SOURCE_RESTRICTION, "supports", 0, 2);
	testutil_assert_contains(str(o, "summary"), "2 台すべて");
	testutil_assert_contains(str(o, "summary"), "未記入の機器あり");
	json_decref(o);

	id = ADD(st, { ASSET_TAG, "NW-OPEN" }, { ASSET_KIND, "network" },
		 { ASSET_SOURCE_RESTRICTION, "0" });
	o = eval(st, EVIDENCE_SOURCE_RESTRICTION, CHECKLIST_SCOPE_NETWORK);
	assert_result(o, EVIDENCE_SOURCE_RESTRICTION, "contradicts", 1, 3);
	r = reason(o, "NW-OPEN");
	testutil_assert_contains(str(r, "text"), "接続元制限が「なし」");
	assert_device_link(r, id);
	assert_no_reason(o, "PC-1");
	json_decref(o);
}

/* ---- the account rules ------------------------------------------------------------ */

/* An account: system, login and then field/value pairs (NULL-terminated). */
static int64_t add_acct(struct store *st, const char *system, const char *login, ...)
{
	struct mamori_err err = { 0 };
	struct account a;
	va_list ap;
	int f;
	int64_t id;

	account_init(&a);
	ASSERT_RC(0, account_set(&a, ACCOUNT_SYSTEM, system, &err), err);
	ASSERT_RC(0, account_set(&a, ACCOUNT_LOGIN, login, &err), err);
	va_start(ap, login);
	while ((f = va_arg(ap, int)) >= 0) {
		const char *v = va_arg(ap, const char *);
		ASSERT_RC(0, account_set(&a, f, v, &err), err);
	}
	va_end(ap);
	ASSERT_RC(0, account_insert(st, ACTOR, &a, &err), err);
	id = a.id;
	account_release(&a);
	return id;
}

static void assert_account_link(json_t *reason_obj, int64_t id)
{
	char want[48];

	snprintf(want, sizeof(want), "#/sysaccounts?id=%lld", (long long)id);
	assert_string_equal(str(reason_obj, "link"), want);
}

static void test_accounts_empty(void **state)
{
	static const enum evidence_rule rules_[] = { EVIDENCE_ACCOUNTS_UNUSED, EVIDENCE_ACCOUNTS_PRIVILEGE,
						     EVIDENCE_TWO_FACTOR, EVIDENCE_PASSWORDS };
	struct store *st = store_of(state);

	add_complete_set(st);
	for (size_t i = 0; i < ARRAY_SIZE(rules_); i++) {
		json_t *o = eval(st, rules_[i], CHECKLIST_SCOPE_ALL);
		assert_result(o, rules_[i], "no_data", 0, 0);
		testutil_assert_contains(str(o, "summary"), "アカウント台帳にアカウントがありません");
		testutil_assert_contains(str(o, "summary"), "取り込んでください");
		json_decref(o);
	}
}

static void test_accounts_unused(void **state)
{
	struct store *st = store_of(state);
	struct mamori_err err = { 0 };
	struct account a;
	json_t *o, *r;
	int64_t retired, idle, emergency;

	system_rec(st, "電子カルテ", 0);
	add_acct(st, "電子カルテ", "sato", ACCOUNT_HOLDER, "佐藤 一郎", ACCOUNT_LAST_USED_ON, "2026-11-01", -1);
	emergency = add_acct(st, "電子カルテ", "ehr-emergency", ACCOUNT_KIND, "非常時用",
			 ACCOUNT_CREATED_ON, "2020-04-01", -1);
	o = eval(st, EVIDENCE_ACCOUNTS_UNUSED, 0);
	/* an emergency account is never "unused": it waits for the emergency */
	assert_result(o, EVIDENCE_ACCOUNTS_UNUSED, "supports", 1, 2);
	testutil_assert_contains(str(o, "summary"), "90 日");
	json_decref(o);

	retired = add_acct(st, "電子カルテ", "tanaka", ACCOUNT_HOLDER, "田中 花子", ACCOUNT_HOLDER_STATUS, "退職",
		       ACCOUNT_LAST_USED_ON, "2026-11-20", -1);
	idle = add_acct(st, "電子カルテ", "suzuki", ACCOUNT_HOLDER, "鈴木 健太", ACCOUNT_LAST_USED_ON, "2026-08-22",
		    -1); /* 91 days before TODAY */
	add_acct(st, "電子カルテ", "ito", ACCOUNT_LAST_USED_ON, "2026-08-23", -1); /* exactly 90: fine */
	o = eval(st, EVIDENCE_ACCOUNTS_UNUSED, 0);
	assert_result(o, EVIDENCE_ACCOUNTS_UNUSED, "contradicts", 2, 5);
	r = reason(o, "tanaka");
	testutil_assert_contains(str(r, "text"), "退職者「田中 花子」");
	assert_account_link(r, retired);
	r = reason(o, "suzuki");
	testutil_assert_contains(str(r, "text"), "91 日");
	assert_account_link(r, idle);
	assert_no_reason(o, "ito");
	assert_no_reason(o, "ehr-emergency");
	testutil_assert_contains(str(o, "summary"), "5 件中 2 件");
	json_decref(o);

	/* the limit is the store's setting */
	ASSERT_RC(0, account_set_unused_days(st, ACTOR, 120, &err), err);
	o = eval(st, EVIDENCE_ACCOUNTS_UNUSED, 0);
	assert_result(o, EVIDENCE_ACCOUNTS_UNUSED, "contradicts", 1, 5);
	assert_no_reason(o, "suzuki");
	json_decref(o);

	/* disabling the retired holder's account settles it */
	ASSERT_RC(0, account_get(st, retired, &a, &err), err);
	ASSERT_RC(0, account_disable(st, ACTOR, &a, NULL, &err), err);
	account_release(&a);
	o = eval(st, EVIDENCE_ACCOUNTS_UNUSED, 0);
	assert_result(o, EVIDENCE_ACCOUNTS_UNUSED, "supports", 1, 4);
	json_decref(o);
	(void)emergency;
}

static void test_accounts_privilege(void **state)
{
	struct store *st = store_of(state);
	struct mamori_err err = { 0 };
	struct account a;
	json_t *o, *r;
	int64_t shared, nameless;

	system_rec(st, "PACS", 0);
	add_acct(st, "PACS", "rad-admin", ACCOUNT_HOLDER, "放射線科 技師長", ACCOUNT_ADMIN, "〇", -1);
	add_acct(st, "PACS", "rad01", ACCOUNT_HOLDER, "山本 誠", -1);
	o = eval(st, EVIDENCE_ACCOUNTS_PRIVILEGE, 0);
	assert_result(o, EVIDENCE_ACCOUNTS_PRIVILEGE, "supports", 1, 2);
	testutil_assert_contains(str(reason(o, "rad-admin"), "text"), "管理者権限");
	json_decref(o);

	shared = add_acct(st, "PACS", "pacsadmin", ACCOUNT_KIND, "共用", ACCOUNT_ADMIN, "あり",
		      ACCOUNT_HOLDER, "放射線科", -1);
	nameless = add_acct(st, "PACS", "root", ACCOUNT_KIND, "保守用", ACCOUNT_ADMIN, "1", -1);
	o = eval(st, EVIDENCE_ACCOUNTS_PRIVILEGE, 0);
	assert_result(o, EVIDENCE_ACCOUNTS_PRIVILEGE, "contradicts", 2, 4);
	r = reason(o, "pacsadmin");
	testutil_assert_contains(str(r, "text"), "共用アカウントに管理者権限");
	assert_account_link(r, shared);
	r = reason(o, "root");
	testutil_assert_contains(str(r, "text"), "利用者 (担当者) が記入されていません");
	assert_account_link(r, nameless);
	json_decref(o);

	/* a disabled shared admin account is no longer a finding */
	ASSERT_RC(0, account_get(st, shared, &a, &err), err);
	ASSERT_RC(0, account_disable(st, ACTOR, &a, "共用をやめ個人アカウントへ", &err), err);
	account_release(&a);
	ASSERT_RC(0, account_get(st, nameless, &a, &err), err);
	ASSERT_RC(0, account_set(&a, ACCOUNT_HOLDER, "さくら医用画像 保守担当", &err), err);
	ASSERT_RC(0, account_update(st, ACTOR, &a, &err), err);
	account_release(&a);
	o = eval(st, EVIDENCE_ACCOUNTS_PRIVILEGE, 0);
	assert_result(o, EVIDENCE_ACCOUNTS_PRIVILEGE, "supports", 2, 3);
	json_decref(o);
}

static void test_accounts_two_factor(void **state)
{
	struct store *st = store_of(state);
	json_t *o, *r;
	int64_t without;

	system_rec(st, "電子カルテ", 0);
	add_acct(st, "電子カルテ", "dr01", -1);
	add_acct(st, "電子カルテ", "shared01", ACCOUNT_KIND, "共用", -1);
	o = eval(st, EVIDENCE_TWO_FACTOR, 0);
	assert_result(o, EVIDENCE_TWO_FACTOR, "no_data", 0, 0);
	testutil_assert_contains(str(o, "summary"), "記入されていません");
	json_decref(o);

	add_acct(st, "電子カルテ", "dr02", ACCOUNT_TWO_FACTOR, "あり", -1);
	o = eval(st, EVIDENCE_TWO_FACTOR, 0);
	assert_result(o, EVIDENCE_TWO_FACTOR, "contradicts", 1, 2);
	testutil_assert_contains(str(reason(o, "dr01"), "text"), "未記入");
	json_decref(o);

	without = add_acct(st, "電子カルテ", "dr03", ACCOUNT_TWO_FACTOR, "なし", -1);
	o = eval(st, EVIDENCE_TWO_FACTOR, 0);
	assert_result(o, EVIDENCE_TWO_FACTOR, "contradicts", 2, 3);
	r = reason(o, "dr03");
	testutil_assert_contains(str(r, "text"), "二要素認証なし");
	assert_account_link(r, without);
	assert_no_reason(o, "shared01"); /* only personal accounts */
	json_decref(o);
}

static void test_accounts_two_factor_supports(void **state)
{
	struct store *st = store_of(state);
	json_t *o;

	system_rec(st, "電子カルテ", 0);
	add_acct(st, "電子カルテ", "dr01", ACCOUNT_TWO_FACTOR, "1", -1);
	add_acct(st, "電子カルテ", "dr02", ACCOUNT_TWO_FACTOR, "〇", -1);
	add_acct(st, "電子カルテ", "old", ACCOUNT_STATUS, "無効", -1); /* disabled: not counted */
	o = eval(st, EVIDENCE_TWO_FACTOR, 0);
	assert_result(o, EVIDENCE_TWO_FACTOR, "supports", 1, 2);
	testutil_assert_contains(str(o, "summary"), "2 件すべて");
	json_decref(o);
}

static void test_accounts_passwords(void **state)
{
	struct store *st = store_of(state);
	json_t *o;

	system_rec(st, "電子カルテ", 0);
	add_acct(st, "電子カルテ", "dr01", -1);
	o = eval(st, EVIDENCE_PASSWORDS, 0);
	assert_result(o, EVIDENCE_PASSWORDS, "no_data", 0, 0);
	testutil_assert_contains(str(o, "summary"), "パスワードポリシー");
	json_decref(o);
}

/* ---- documents ------------------------------------------------------------------- */

static void test_documents(void **state)
{
	static const struct {
		enum evidence_rule rule;
		const char *kind, *other_kind, *title, *what;
	} cases[] = {
		{ EVIDENCE_CONTACT_CHART, "contact_chart", "mds", "緊急連絡体制図 2026", "連絡体制図" },
		{ EVIDENCE_BCP, "bcp", "sds", "サイバー攻撃 BCP 第2版", "BCP" },
		{ EVIDENCE_RULES, "rules", "restore_test", "医療情報システム運用管理規程", "運用管理規程" },
	};
	struct store *st = store_of(state);

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		json_t *o, *r;
		char other[64];

		/* a document of another kind (none of the three) does not count */
		snprintf(other, sizeof(other), "別の文書 %zu", i);
		doc(st, cases[i].other_kind, other, "2026-01-01", -1, 0, 0);
		o = eval(st, cases[i].rule, 0);
		assert_result(o, cases[i].rule, "contradicts", 1, 0);
		r = reason(o, "登録されていません");
		testutil_assert_contains(str(r, "text"), cases[i].what);
		assert_string_equal(str(r, "link"), "#/documents");
		testutil_assert_contains(str(o, "summary"), cases[i].what);
		json_decref(o);
	}
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		json_t *o, *r;

		doc(st, cases[i].kind, cases[i].title, "2026-04-01", -1, 0, 0);
		o = eval(st, cases[i].rule, 0);
		assert_result(o, cases[i].rule, "supports", 1, 1);
		r = reason(o, cases[i].title);
		testutil_assert_contains(str(r, "text"), "2026-04-01");
		assert_string_equal(str(r, "link"), "#/documents");
		testutil_assert_contains(str(o, "summary"), cases[i].title);
		json_decref(o);
	}
}

/* ---- EVIDENCE_BACKUP ------------------------------------------------------------- */

static void test_backup_none(void **state)
{
	struct store *st = store_of(state);
	json_t *o;

	doc(st, "bcp", "BCP", "2026-04-01", -1, 0, 0);
	o = eval(st, EVIDENCE_BACKUP, 0);
	assert_result(o, EVIDENCE_BACKUP, "contradicts", 1, 0);
	testutil_assert_contains(str(reason(o, "記録がありません"), "text"), "復元テスト");
	json_decref(o);
}

static void test_backup_supports(void **state)
{
	struct store *st = store_of(state);
	json_t *o, *r;

	doc(st, "restore_test", "電子カルテ復元訓練", "2026-05-01", 1, 0, 0);
	o = eval(st, EVIDENCE_BACKUP, 0);
	assert_result(o, EVIDENCE_BACKUP, "supports", 1, 1);
	r = reason(o, "電子カルテ復元訓練");
	testutil_assert_contains(str(r, "text"), "オフライン世代から");
	assert_string_equal(str(r, "link"), "#/documents");
	json_decref(o);
}

static void test_backup_too_old(void **state)
{
	struct store *st = store_of(state);
	json_t *o, *r;

	/* the day before 12 months ago */
	doc(st, "restore_test", "昨年の訓練", "2025-11-20", 1, 0, 0);
	o = eval(st, EVIDENCE_BACKUP, 0);
	assert_result(o, EVIDENCE_BACKUP, "contradicts", 1, 1);
	r = reason(o, "直近12か月");
	testutil_assert_contains(str(r, "text"), "2025-11-21");
	/* the old test is listed as well */
	testutil_assert_contains(str(reason(o, "昨年の訓練"), "text"), "12か月より前");
	testutil_assert_contains(str(o, "summary"), "直近12か月");
	json_decref(o);

	/* exactly 12 months ago still counts */
	doc(st, "restore_test", "境界の訓練", "2025-11-21", 1, 0, 0);
	o = eval(st, EVIDENCE_BACKUP, 0);
	assert_result(o, EVIDENCE_BACKUP, "supports", 1, 2);
	reason(o, "境界の訓練");
	json_decref(o);
}

static void test_backup_not_offline(void **state)
{
	struct store *st = store_of(state);
	json_t *o;

	doc(st, "restore_test", "NAS からの復元", "2026-06-01", 0, 0, 0);
	doc(st, "restore_test", "日付のない復元", NULL, -1, 0, 0);
	o = eval(st, EVIDENCE_BACKUP, 0);
	assert_result(o, EVIDENCE_BACKUP, "contradicts", 1, 2);
	testutil_assert_contains(str(reason(o, "オフライン"), "text"), "直近12か月");
	reason(o, "NAS からの復元");
	json_decref(o);

	/* an offline generation older than 12 months does not make up for it */
	doc(st, "restore_test", "古いテープ", "2024-01-10", 1, 0, 0);
	o = eval(st, EVIDENCE_BACKUP, 0);
	assert_result(o, EVIDENCE_BACKUP, "contradicts", 1, 3);
	json_decref(o);
}

static void test_backup_leap_day_and_bad_date(void **state)
{
	struct store *st = store_of(state);
	struct mamori_err err = { 0 };
	json_t *o = NULL;

	doc(st, "restore_test", "閏年前の訓練", "2027-02-28", 1, 0, 0);
	o = eval_on(st, EVIDENCE_BACKUP, 0, "2028-02-29");
	assert_result(o, EVIDENCE_BACKUP, "supports", 1, 1);
	json_decref(o);

	ASSERT_RC(MAMORI_EINVAL, evidence_eval(st, NULL, EVIDENCE_BACKUP, 0, "today", &o, &err), err);
	assert_null(o);
	testutil_assert_contains(err.msg, "today");
}

/* ---- evidence_rule_for() ------------------------------------------------------- */

static const char *text_of(const struct checklist_catalog *cat, const struct checklist_item *it)
{
	/* the item's own wording, else the one presumed_same_as leads to (as the view does) */
	for (int depth = 0; it && !it->wording && it->presumed_same_as && depth < 8; depth++) {
		const struct checklist_item *next = NULL;
		for (size_t i = 0; i < cat->nr && !next; i++)
			next = checklist_edition_item(&cat->editions[i], it->presumed_same_as);
		it = next;
	}
	return it ? it->wording : NULL;
}

static void test_rule_for_shipped(void **state)
{
	/* the phrase in the wording, and the rule it must lead to */
	static const struct {
		const char *phrase;
		int rule;
		int min; /* items in the shipped catalog carrying it */
	} want[] = {
		{ "台帳管理", EVIDENCE_LEDGER, 2 },
		{ "リモートメンテナンス", EVIDENCE_REMOTE, 2 },
		{ "(MDS/SDS)", EVIDENCE_MDS_SDS, 2 },
		{ "セキュリティパッチ", EVIDENCE_PATCH, 4 },
		{ "接続元制限", EVIDENCE_SOURCE_RESTRICTION, 2 },
		{ "不要なアカウント", EVIDENCE_ACCOUNTS_UNUSED, 2 },
		{ "アクセス利用権限", EVIDENCE_ACCOUNTS_PRIVILEGE, 2 },
		{ "パスワード", EVIDENCE_PASSWORDS, 2 },
		{ "連絡体制図", EVIDENCE_CONTACT_CHART, 2 },
		{ "バックアップ", EVIDENCE_BACKUP, 2 },
		{ "事業継続計画(BCP)", EVIDENCE_BCP, 1 },
		/* no rule */
		{ "医療情報システム安全管理責任者を設置している", -1, 2 },
		{ "バックグラウンドで動作している不要なソフトウェア及びサービスを停止している", -1, 2 },
		{ "医療情報システムを導入、運用している", -1, 1 },
		{ "アクセスログを管理している", -1, 2 },
	};
	struct checklist_catalog cat = { 0 };
	struct mamori_err err = { 0 };
	int seen[ARRAY_SIZE(want)] = { 0 };
	size_t checked = 0;

	(void)state;
	ASSERT_RC(0, checklist_catalog_open(NULL, &cat, &err), err);
	assert_true(cat.nr >= 6);
	for (size_t e = 0; e < cat.nr; e++) {
		const struct checklist_edition *ed = &cat.editions[e];
		for (size_t i = 0; i < ed->nr_items; i++) {
			const struct checklist_item *it = &ed->items[i];
			const char *w = text_of(&cat, it);
			int got = evidence_rule_for(w, it->note);
			if (!w)
				continue;
			for (size_t k = 0; k < ARRAY_SIZE(want); k++) {
				if (!strstr(w, want[k].phrase))
					continue;
				seen[k]++;
				checked++;
				if (got != want[k].rule)
					fail_msg("%s (%s): 「%s」 rule %d (%s), want %d (%s)", it->id,
						 ed->name, w, got, got >= 0 ? evidence_rule_name(got) : "-",
						 want[k].rule,
						 want[k].rule >= 0 ? evidence_rule_name(want[k].rule) : "-");
				break;
			}
		}
	}
	for (size_t k = 0; k < ARRAY_SIZE(want); k++)
		if (seen[k] < want[k].min)
			fail_msg("「%s」: %d items in the shipped catalog, want at least %d",
				 want[k].phrase, seen[k], want[k].min);
	assert_true(checked >= 30);
	checklist_catalog_release(&cat);
}

static void test_rule_for_text(void **state)
{
	(void)state;
	assert_int_equal(evidence_rule_for("サーバ、端末 PC、ネットワーク機器の台帳管理を行っている。", NULL),
			 EVIDENCE_LEDGER);
	assert_int_equal(evidence_rule_for("医療情報システム安全管理責任者を設置している。", NULL), -1);
	assert_int_equal(evidence_rule_for("バックグラウンドで動作している不要なソフトウェア及びサービスを停止している。", NULL),
			 -1);
	assert_int_equal(evidence_rule_for("リモート保守の契約を確認した。", NULL), EVIDENCE_REMOTE);
	assert_int_equal(evidence_rule_for("医療情報セキュリティ開示書を受領した。", NULL), EVIDENCE_MDS_SDS);
	assert_int_equal(evidence_rule_for("更新プログラムを適用している。", NULL), EVIDENCE_PATCH);
	assert_int_equal(evidence_rule_for("管理者権限の対象者を明確にしている。", NULL),
			 EVIDENCE_ACCOUNTS_PRIVILEGE);
	assert_int_equal(evidence_rule_for("二要素認証を導入している。", NULL), EVIDENCE_TWO_FACTOR);
	assert_int_equal(evidence_rule_for("退職者や使用していないアカウント等、不要なアカウントを削除している。", NULL),
			 EVIDENCE_ACCOUNTS_UNUSED);
	/* the password item mentions two-factor in its note: it stays a password item */
	assert_int_equal(evidence_rule_for("パスワードは英数字、記号が混在した8文字以上とし、定期的に変更している。\n"
					   "※二要素認証、または 13 文字以上の場合は定期的な変更は不要", NULL),
			 EVIDENCE_PASSWORDS);
	/* r7 2-4 has no wording: its note names 管理者権限 */
	assert_int_equal(evidence_rule_for(NULL, "令和7年度に「管理者権限の対象者を明確化」が追記された項目。"),
			 EVIDENCE_ACCOUNTS_PRIVILEGE);
	assert_int_equal(evidence_rule_for("運用管理規程を整備している。", NULL), EVIDENCE_RULES);
	/* the backup item mentions 復旧手順 and must not be taken for BCP */
	assert_int_equal(evidence_rule_for("データやシステムのバックアップの実施と復旧手順を確認している", NULL),
			 EVIDENCE_BACKUP);
	assert_int_equal(evidence_rule_for("サイバー攻撃を想定した事業継続計画(BCP)を策定している。", NULL),
			 EVIDENCE_BCP);

	/* a NULL wording falls back to the note; a wording hides the note */
	assert_int_equal(evidence_rule_for(NULL, "新設の「運用管理規程等の整備」の項目。"), EVIDENCE_RULES);
	assert_int_equal(evidence_rule_for(NULL, "令和6年度の文言は「台帳管理を行っている」"), EVIDENCE_LEDGER);
	assert_int_equal(evidence_rule_for("医療情報システム安全管理責任者を設置している。",
					   "台帳管理の項目の次"),
			 -1);
	assert_int_equal(evidence_rule_for(NULL, "位置のみ判明"), -1);
	assert_int_equal(evidence_rule_for(NULL, NULL), -1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, testutil_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		T(test_ledger_supports),
		T(test_ledger_missing_field),
		T(test_ledger_all_fields_missing),
		T(test_ledger_printer),
		T(test_ledger_scope),
		T(test_ledger_no_data),
		T(test_ledger_ignores_medical_and_retired),
		T(test_remote_supports),
		T(test_remote_contradicts),
		T(test_remote_no_data),
		T(test_mds_sds),
		T(test_patch_unpatched),
		T(test_patch_end_of_support),
		T(test_patch_end_date_from_catalog),
		T(test_patch_supports_and_ending),
		T(test_patch_two_reasons_one_device),
		T(test_patch_no_data),
		T(test_source_restriction),
		T(test_accounts_empty),
		T(test_accounts_unused),
		T(test_accounts_privilege),
		T(test_accounts_two_factor),
		T(test_accounts_two_factor_supports),
		T(test_accounts_passwords),
		T(test_documents),
		T(test_backup_none),
		T(test_backup_supports),
		T(test_backup_too_old),
		T(test_backup_not_offline),
		T(test_backup_leap_day_and_bad_date),
		cmocka_unit_test(test_rule_for_shipped),
		cmocka_unit_test(test_rule_for_text),
	};
#undef T
	return cmocka_run_group_tests(tests, NULL, NULL);
}
