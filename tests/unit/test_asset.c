/*
 * test_asset.c - unit tests of devices (src/core/asset.c): the field table
 * and asset_field_find() for the headers hospitals write (媒体名,
 * MACアドレス in its spellings, 機密性Aの場合：安全区域設定, PC名, 部局名 …
 * and the English names); asset_set() normalising each field type (kind
 * words such as サーバ / 端末 / UTM / 複合機) and rejecting bad values
 * without touching the old one; asset_validate() (key required, kind
 * guessed from the OS or model, lifecycle fields consistent with the
 * status); insert and lookup by tag, MAC in any notation, host name, IP and
 * #id; ambiguous lookups and duplicate MACs (MAMORI_ECONFLICT); updates
 * journaled with before and after, and no entry for a no-op; retire,
 * dispose (method, by and certificate required) and the read-only disposed
 * device; asset_list()/asset_count() filters, with % and _ in a search
 * taken literally.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <unistd.h>

#include "asset.h"
#include "journal.h"
#include "ledger.h"
#include "store.h"
#include "strbuf.h"
#include "testutil.h"

#define ACTOR "test-officer"

/* A store with its facility, inside an open transaction. */
static int setup(void **state)
{
	return testutil_setup_facility(state, "asset", ACTOR, "テスト病院", "hospital");
}

static void assert_field(const struct asset *a, int f, const char *want)
{
	const char *got = a->v[f];
	if ((got == NULL) != (want == NULL) || (got && strcmp(got, want)))
		fail_msg("%s = %s, want %s", asset_fields[f].name, got ? got : "(null)",
			 want ? want : "(null)");
}

/* Builds a device from kv pairs (asserting each value is accepted). */
#define BUILD(a, ...) testutil_asset_build((a), TESTUTIL_KVS(__VA_ARGS__))

/* Inserts a device made of kv pairs; returns its id. */
static int64_t add(struct store *st, const struct testutil_kv *kv, size_t n)
{
	struct mamori_err err = { 0 };
	struct asset a;

	testutil_asset_build(&a, kv, n);
	ASSERT_RC(0, asset_insert(st, ACTOR, &a, &err), err);
	int64_t id = a.id;
	assert_true(id > 0);
	asset_release(&a);
	return id;
}

#define ADD(st, ...) add((st), TESTUTIL_KVS(__VA_ARGS__))

/* The newest journal entry (caller releases). */
static int last_fn(const struct journal_entry *e, void *ctx)
{
	struct journal_entry *d = ctx;

	journal_entry_release(d);
	testutil_journal_entry_copy(d, e);
	return 0;
}

static void last_entry(struct store *st, struct journal_entry *e)
{
	struct mamori_err err = { 0 };
	struct journal_filter f = { .limit = 1 };

	memset(e, 0, sizeof(*e));
	ASSERT_RC(0, journal_list(st, &f, last_fn, e, &err), err);
	assert_non_null(e->action);
}

/* ---- field table ------------------------------------------------------------ */

static void test_field_find(void **state)
{
	static const struct {
		const char *header;
		int want;
	} cases[] = {
		{ "媒体名", ASSET_TAG },
		{ "資産番号", ASSET_TAG },
		{ "asset_tag", ASSET_TAG },
		{ "Asset tag", ASSET_TAG },
		{ "ASSET-TAG", ASSET_TAG },
		{ " 媒体名 ", ASSET_TAG },
		{ "MACアドレス", ASSET_MAC },
		{ "MAC アドレス", ASSET_MAC },
		{ "ＭＡＣアドレス", ASSET_MAC },
		{ "ＭＡＣ　アドレス", ASSET_MAC },
		{ "mac", ASSET_MAC },
		{ "MAC address", ASSET_MAC },
		{ "mac_address", ASSET_MAC },
		{ "物理アドレス", ASSET_MAC },
		{ "IP アドレス", ASSET_IP },
		{ "IPアドレス", ASSET_IP },
		{ "ＩＰアドレス", ASSET_IP },
		{ "ip", ASSET_IP },
		{ "IP address", ASSET_IP },
		{ "機密性Aの場合：安全区域設定", ASSET_SECURE_AREA },
		{ "機密性Aの場合:安全区域設定", ASSET_SECURE_AREA },
		{ "安全区域設定", ASSET_SECURE_AREA },
		{ "機密性Aの場合：取り扱い情報の管理状態", ASSET_INFO_HANDLING },
		{ "機密性", ASSET_CONFIDENTIALITY },
		{ "完全性", ASSET_INTEGRITY },
		{ "可用性", ASSET_AVAILABILITY },
		{ "PC名", ASSET_HOSTNAME },
		{ "ＰＣ名", ASSET_HOSTNAME },
		{ "ホスト名", ASSET_HOSTNAME },
		{ "hostname", ASSET_HOSTNAME },
		{ "Host name", ASSET_HOSTNAME },
		{ "部局名", ASSET_DEPARTMENT },
		{ "部署", ASSET_DEPARTMENT },
		{ "department", ASSET_DEPARTMENT },
		{ "申請者", ASSET_OWNER },
		{ "OS", ASSET_OS },
		{ "os", ASSET_OS },
		{ "支払区分", ASSET_PAYMENT },
		{ "機器名", ASSET_MODEL },
		{ "登録情報コンセント番号", ASSET_OUTLET },
		{ "初", ASSET_REGISTERED_ON },
		{ "登録日", ASSET_REGISTERED_ON },
		{ "OS等の脆弱性対策", ASSET_PATCHED },
		{ "ｼﾘｱﾙ番号", ASSET_SERIAL },
		{ "S/N", ASSET_SERIAL },
		{ "種別", ASSET_KIND },
		{ "状態", ASSET_STATUS },
		{ "廃棄証明書", ASSET_DISPOSAL_CERTIFICATE },
		{ "証憑", ASSET_DISPOSAL_CERTIFICATE },
		{ "システム名", ASSET_SYSTEM },
		{ "事業者", ASSET_VENDOR },
		{ "設置場所", ASSET_LOCATION },
		{ "備考", ASSET_NOTES },
		{ "色", -1 },
		{ "", -1 },
		{ "   ", -1 },
		{ "MACアドレス2", -1 },
		{ "媒体", -1 },
		{ "'; DROP TABLE device; --", -1 },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int got = asset_field_find(cases[i].header);
		if (got != cases[i].want)
			fail_msg("asset_field_find(\"%s\") = %d (%s), want %d (%s)", cases[i].header,
				 got, got >= 0 ? asset_fields[got].name : "-", cases[i].want,
				 cases[i].want >= 0 ? asset_fields[cases[i].want].name : "-");
	}
}

/* Every name, label and alias of the table leads back to its own field. */
static void test_field_table_consistent(void **state)
{
	for (int f = 0; f < ASSET_NFIELDS; f++) {
		const struct asset_field *d = &asset_fields[f];
		const char *names[] = { d->name, d->label, d->label_en };

		assert_non_null(d->name);
		assert_non_null(d->label);
		for (size_t i = 0; i < ARRAY_SIZE(names); i++)
			if (asset_field_find(names[i]) != f)
				fail_msg("\"%s\" finds field %d, want %d (%s)", names[i],
					 asset_field_find(names[i]), f, d->name);
		for (const char *const *a = d->aliases; a && *a; a++)
			if (asset_field_find(*a) != f)
				fail_msg("alias \"%s\" of %s finds field %d", *a, d->name,
					 asset_field_find(*a));
		for (int g = 0; g < f; g++)
			if (!strcmp(asset_fields[g].name, d->name) ||
			    !strcmp(asset_fields[g].label, d->label))
				fail_msg("fields %d and %d share a name or label", g, f);
	}
	assert_true(ASSET_NFIELDS <= 64);
}

/* ---- asset_set ------------------------------------------------------------------ */

static void test_set_normalises(void **state)
{
	static const struct {
		int f;
		const char *raw, *want; /* want NULL: stored as NULL */
	} cases[] = {
		{ ASSET_TAG, " fhej0002 ", "fhej0002" },
		{ ASSET_TAG, "ｆｈｅｊ０００２", "fhej0002" },
		{ ASSET_OWNER, "山下　芳範", "山下 芳範" },
		{ ASSET_OWNER, "   ", NULL },
		{ ASSET_OWNER, "", NULL },
		{ ASSET_OWNER, NULL, NULL },
		{ ASSET_MODEL, "ﾉｰﾄPC", "ノートPC" },
		{ ASSET_MAC, "00:d4:9e:3c:3f:d9", "00:d4:9e:3c:3f:d9" },
		{ ASSET_MAC, "00-D4-9E-3C-3F-D9", "00:d4:9e:3c:3f:d9" },
		{ ASSET_MAC, "00d4.9e3c.3fd9", "00:d4:9e:3c:3f:d9" },
		{ ASSET_MAC, "00D49E3C3FD9", "00:d4:9e:3c:3f:d9" },
		{ ASSET_MAC, "００：ｄ４：９ｅ：３ｃ：３ｆ：ｄ９", "00:d4:9e:3c:3f:d9" },
		{ ASSET_IP, "172.30.101.4", "172.30.101.4" },
		{ ASSET_IP, " １７２．３０．１０１．４ ", "172.30.101.4" },
		{ ASSET_IP, "FE80::0:1", "fe80::1" },
		{ ASSET_REGISTERED_ON, "2023/4/1", "2023-04-01" },
		{ ASSET_REGISTERED_ON, "令和6年4月1日", "2024-04-01" },
		{ ASSET_REGISTERED_ON, "R6.4.1", "2024-04-01" },
		{ ASSET_ANTIVIRUS, "〇", "1" },
		{ ASSET_ANTIVIRUS, "有", "1" },
		{ ASSET_ANTIVIRUS, "yes", "1" },
		{ ASSET_ANTIVIRUS, "×", "0" },
		{ ASSET_ANTIVIRUS, "無", "0" },
		{ ASSET_ANTIVIRUS, "0", "0" },
		{ ASSET_REMOTE_MAINTENANCE, "なし", "0" },
		{ ASSET_SECURE_AREA, "済", "1" },
		{ ASSET_KIND, "サーバ", "server" },
		{ ASSET_KIND, "サーバー", "server" },
		{ ASSET_KIND, "server", "server" },
		{ ASSET_KIND, "端末", "pc" },
		{ ASSET_KIND, "端末PC", "pc" },
		{ ASSET_KIND, "パソコン", "pc" },
		{ ASSET_KIND, "PC", "pc" },
		{ ASSET_KIND, "UTM", "network" },
		{ ASSET_KIND, "ＵＴＭ", "network" },
		{ ASSET_KIND, "utm", "network" },
		{ ASSET_KIND, "スイッチ", "network" },
		{ ASSET_KIND, "ネットワーク機器", "network" },
		{ ASSET_KIND, "複合機", "printer" },
		{ ASSET_KIND, "プリンタ", "printer" },
		{ ASSET_KIND, "医療機器", "medical" },
		{ ASSET_KIND, "モダリティ", "medical" },
		{ ASSET_KIND, "その他", "other" },
		{ ASSET_STATUS, "使用中", "in_use" },
		{ ASSET_STATUS, "in use", "in_use" },
		{ ASSET_STATUS, "使用終了", "retired" },
		{ ASSET_STATUS, "廃棄済み", "disposed" },
		{ ASSET_STATUS, "disposed", "disposed" },
		{ ASSET_CONFIDENTIALITY, "A", "A" },
		{ ASSET_CONFIDENTIALITY, "a3", "A3" },
		{ ASSET_CONFIDENTIALITY, "Ｃ", "C" },
		{ ASSET_INTEGRITY, "b", "B" },
		{ ASSET_AVAILABILITY, "A", "A" },
		{ ASSET_SYSTEM, " 電子カルテシステム ", "電子カルテシステム" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mamori_err err = { 0 };
		struct asset a;

		asset_init(&a);
		a.v[cases[i].f] = xstrdup("previous");
		int r = asset_set(&a, cases[i].f, cases[i].raw, &err);
		if (r != 0)
			fail_msg("%s \"%s\": r = %d (%s)", asset_fields[cases[i].f].name,
				 cases[i].raw ? cases[i].raw : "(null)", r, err.msg);
		const char *got = a.v[cases[i].f];
		if ((got == NULL) != (cases[i].want == NULL) || (got && strcmp(got, cases[i].want)))
			fail_msg("%s \"%s\" → %s, want %s", asset_fields[cases[i].f].name,
				 cases[i].raw ? cases[i].raw : "(null)", got ? got : "(null)",
				 cases[i].want ? cases[i].want : "(null)");
		asset_release(&a);
	}
}

static void test_set_rejects(void **state)
{
	static const struct {
		int f;
		const char *raw;
	} cases[] = {
		{ ASSET_MAC, "00:d4:9e:3c:3f" },
		{ ASSET_MAC, "00:d4:9e:3c:3f:zz" },
		{ ASSET_MAC, "00:d4-9e:3c:3f:d9" },
		{ ASSET_MAC, "fhej0002" },
		{ ASSET_IP, "172.30.101.256" },
		{ ASSET_IP, "172.030.1.1" },
		{ ASSET_IP, "10.0.0.0/8" },
		{ ASSET_IP, "pc001.example" },
		{ ASSET_REGISTERED_ON, "2023/2/30" },
		{ ASSET_REGISTERED_ON, "初日" },
		{ ASSET_REGISTERED_ON, "令和0年1月1日" },
		{ ASSET_ANTIVIRUS, "たぶん" },
		{ ASSET_ANTIVIRUS, "2" },
		{ ASSET_KIND, "冷蔵庫" },
		{ ASSET_KIND, "server rack" },
		{ ASSET_STATUS, "紛失" },
		{ ASSET_CONFIDENTIALITY, "D" },
		{ ASSET_CONFIDENTIALITY, "AB" },
		{ ASSET_INTEGRITY, "C" },
		{ ASSET_AVAILABILITY, "高" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mamori_err err = { 0 };
		struct asset a;

		asset_init(&a);
		a.v[cases[i].f] = xstrdup("previous");
		int r = asset_set(&a, cases[i].f, cases[i].raw, &err);
		if (r != MAMORI_EINVAL)
			fail_msg("%s \"%s\" accepted as %s", asset_fields[cases[i].f].name,
				 cases[i].raw, a.v[cases[i].f] ? a.v[cases[i].f] : "(null)");
		assert_int_equal(err.code, MAMORI_EINVAL);
		assert_true(err.msg[0] != '\0');
		assert_string_equal(a.v[cases[i].f], "previous");
		asset_release(&a);
	}

	/* Text longer than a cell should be. */
	struct mamori_err err = { 0 };
	struct asset a;
	char *big = xmalloc(2001);
	memset(big, 'x', 2000);
	big[2000] = '\0';
	asset_init(&a);
	ASSERT_RC(MAMORI_EINVAL, asset_set(&a, ASSET_NOTES, big, &err), err);
	assert_null(a.v[ASSET_NOTES]);
	big[1000] = '\0';
	ASSERT_RC(0, asset_set(&a, ASSET_NOTES, big, &err), err);
	assert_int_equal(strlen(a.v[ASSET_NOTES]), 1000);
	free(big);
	asset_release(&a);
}

static void test_labels(void **state)
{
	static const struct {
		const char *kind, *label;
	} kinds[] = {
		{ "server", "サーバ" },      { "pc", "端末PC" },     { "network", "ネットワーク機器" },
		{ "printer", "プリンタ等" }, { "medical", "医療機器" }, { "other", "その他" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++) {
		assert_string_equal(asset_kind_label(kinds[i].kind), kinds[i].label);
		/* The label reads back as the kind (export → import). */
		struct asset a;
		struct mamori_err err = { 0 };
		asset_init(&a);
		ASSERT_RC(0, asset_set(&a, ASSET_KIND, kinds[i].label, &err), err);
		assert_string_equal(a.v[ASSET_KIND], kinds[i].kind);
		asset_release(&a);
	}
	assert_string_equal(asset_status_label("in_use"), "使用中");
	assert_string_equal(asset_status_label("retired"), "使用終了");
	assert_string_equal(asset_status_label("disposed"), "廃棄済");
	assert_string_equal(asset_kind_label("toaster"), "toaster");
	assert_string_equal(asset_kind_label(NULL), "");
}

/* ---- validation ----------------------------------------------------------------- */

static void test_validate_key_and_kind(void **state)
{
	static const struct {
		const char *os, *model, *kind, *want;
	} cases[] = {
		{ "Windows 11", NULL, NULL, "pc" },
		{ "Windows 10 Pro", NULL, NULL, "pc" },
		{ "Windows Server 2019", NULL, NULL, "server" },
		{ "Red Hat Enterprise Linux 7.9", NULL, NULL, "server" },
		{ "macOS 14", NULL, NULL, "pc" },
		{ NULL, "FortiGate UTM 100F", NULL, "network" },
		{ NULL, "複合機 imageRUNNER C3826F", NULL, "printer" },
		{ NULL, "Catalyst 9300 switch", NULL, "network" },
		{ NULL, "MS surface", NULL, "other" },
		{ NULL, NULL, NULL, "other" },
		{ "Windows 11", NULL, "サーバ", "server" }, /* a given kind wins */
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mamori_err err = { 0 };
		struct asset a;
		int bad = 99;

		BUILD(&a, { ASSET_TAG, "T-1" }, { ASSET_OS, cases[i].os }, { ASSET_MODEL, cases[i].model },
		      { ASSET_KIND, cases[i].kind });
		ASSERT_RC(0, asset_validate(&a, &bad, &err), err);
		assert_int_equal(bad, -1);
		if (strcmp(a.v[ASSET_KIND], cases[i].want))
			fail_msg("os %s model %s kind %s → %s, want %s", cases[i].os ? cases[i].os : "-",
				 cases[i].model ? cases[i].model : "-", cases[i].kind ? cases[i].kind : "-",
				 a.v[ASSET_KIND], cases[i].want);
		assert_string_equal(a.v[ASSET_STATUS], "in_use");
		asset_release(&a);
	}

	/* No tag, MAC or host name: nothing to match the device by. */
	struct mamori_err err = { 0 };
	struct asset a;
	int bad = 99;
	BUILD(&a, { ASSET_OS, "Windows 11" }, { ASSET_IP, "10.0.0.1" }, { ASSET_OWNER, "山田" });
	ASSERT_RC(MAMORI_EINVAL, asset_validate(&a, &bad, &err), err);
	assert_int_equal(bad, ASSET_TAG);
	testutil_assert_contains(err.msg, "媒体名");
	ASSERT_RC(MAMORI_EINVAL, asset_validate(&a, NULL, &err), err);
	asset_release(&a);

	/* Each of the three is a key on its own. */
	static const int keys[] = { ASSET_TAG, ASSET_MAC, ASSET_HOSTNAME };
	static const char *const vals[] = { "T-9", "00:11:22:33:44:55", "PC001" };
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		int kf = -5;
		asset_init(&a);
		ASSERT_RC(0, asset_set(&a, keys[i], vals[i], &err), err);
		ASSERT_RC(0, asset_validate(&a, NULL, &err), err);
		assert_string_equal(asset_key(&a, &kf), vals[i]);
		assert_int_equal(kf, keys[i]);
		asset_release(&a);
	}
	/* Precedence: tag, then MAC, then host name. */
	BUILD(&a, { ASSET_HOSTNAME, "PC001" }, { ASSET_MAC, "00:11:22:33:44:55" });
	int kf;
	assert_string_equal(asset_key(&a, &kf), "00:11:22:33:44:55");
	assert_int_equal(kf, ASSET_MAC);
	ASSERT_RC(0, asset_set(&a, ASSET_TAG, "T-1", &err), err);
	assert_string_equal(asset_key(&a, &kf), "T-1");
	assert_int_equal(kf, ASSET_TAG);
	asset_release(&a);
	asset_init(&a);
	assert_null(asset_key(&a, &kf));
	assert_int_equal(kf, -1);
}

/*
 * Konica Minolta's multifunction printers are called "bizhub" (the demo
 * hospital has them too).  Without a kind column they must not become
 * network devices because "bizhub" contains "hub".
 */
static void test_guess_kind_bizhub(void **state)
{
	static const char *const models[] = { "複合機 bizhub C360i", "bizhub C360i",
					      "bizhub 4750i" };

	char msg[1024] = "";

	for (size_t i = 0; i < ARRAY_SIZE(models); i++) {
		struct mamori_err err = { 0 };
		struct asset a;

		BUILD(&a, { ASSET_TAG, "MH-PR-001" }, { ASSET_MODEL, models[i] });
		ASSERT_RC(0, asset_validate(&a, NULL, &err), err);
		if (strcmp(a.v[ASSET_KIND], "printer")) {
			size_t n = strlen(msg);
			snprintf(msg + n, sizeof(msg) - n, "\n  model \"%s\" guessed as %s, want printer",
				 models[i], a.v[ASSET_KIND]);
		}
		asset_release(&a);
	}
	if (msg[0])
		fail_msg("kind guessed wrongly:%s", msg);
}

static void test_validate_lifecycle(void **state)
{
	static const struct {
		const char *name;
		struct testutil_kv kv[6];
		int bad; /* -1: valid */
	} cases[] = {
		{ "in use, clean", { { ASSET_STATUS, "使用中" } }, -1 },
		{ "in use with a retire date", { { ASSET_RETIRED_ON, "2024-01-01" } }, ASSET_RETIRED_ON },
		{ "in use with a certificate", { { ASSET_DISPOSAL_CERTIFICATE, "C-1" } },
		  ASSET_DISPOSAL_CERTIFICATE },
		{ "retired", { { ASSET_STATUS, "使用終了" }, { ASSET_RETIRED_ON, "2024-01-01" },
			       { ASSET_RETIRE_REASON, "故障" } }, -1 },
		{ "retired with a disposal method",
		  { { ASSET_STATUS, "retired" }, { ASSET_DISPOSAL_METHOD, "破砕" } },
		  ASSET_DISPOSAL_METHOD },
		{ "disposed, complete",
		  { { ASSET_STATUS, "廃棄済" }, { ASSET_DISPOSAL_METHOD, "破砕" },
		    { ASSET_DISPOSED_BY, "業者" }, { ASSET_DISPOSED_ON, "2024-02-01" },
		    { ASSET_DISPOSAL_CERTIFICATE, "C-1" } },
		  -1 },
		{ "disposed without certificate",
		  { { ASSET_STATUS, "廃棄済" }, { ASSET_DISPOSAL_METHOD, "破砕" },
		    { ASSET_DISPOSED_BY, "業者" }, { ASSET_DISPOSED_ON, "2024-02-01" } },
		  ASSET_DISPOSAL_CERTIFICATE },
		{ "disposed without method",
		  { { ASSET_STATUS, "disposed" }, { ASSET_DISPOSED_BY, "業者" },
		    { ASSET_DISPOSED_ON, "2024-02-01" }, { ASSET_DISPOSAL_CERTIFICATE, "C-1" } },
		  ASSET_DISPOSAL_METHOD },
		{ "disposed without date",
		  { { ASSET_STATUS, "disposed" }, { ASSET_DISPOSAL_METHOD, "破砕" },
		    { ASSET_DISPOSED_BY, "業者" }, { ASSET_DISPOSAL_CERTIFICATE, "C-1" } },
		  ASSET_DISPOSED_ON },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct mamori_err err = { 0 };
		struct asset a;
		int bad = 99;
		size_t n = 0;

		while (n < ARRAY_SIZE(cases[i].kv) && cases[i].kv[n].f)
			n++;
		testutil_asset_build(&a, cases[i].kv, n);
		ASSERT_RC(0, asset_set(&a, ASSET_TAG, "T-1", &err), err);
		int r = asset_validate(&a, &bad, &err);
		if (cases[i].bad < 0 ? r != 0 || bad != -1 : r != MAMORI_EINVAL || bad != cases[i].bad)
			fail_msg("%s: r = %d, bad field %d, want %d (%s)", cases[i].name, r, bad,
				 cases[i].bad, err.msg);
		asset_release(&a);
	}
}

static void test_diff_and_json(void **state)
{
	struct asset a, b;

	BUILD(&a, { ASSET_TAG, "T-1" }, { ASSET_MAC, "00:11:22:33:44:55" }, { ASSET_ANTIVIRUS, "〇" },
	      { ASSET_PATCHED, "×" }, { ASSET_OWNER, "山田" });
	asset_copy(&b, &a);
	assert_int_equal(asset_diff(&a, &b), 0);
	free(b.v[ASSET_OWNER]);
	b.v[ASSET_OWNER] = xstrdup("佐藤");
	free(b.v[ASSET_MAC]);
	b.v[ASSET_MAC] = NULL;
	b.v[ASSET_NOTES] = xstrdup("new");
	uint64_t want = UINT64_C(1) << ASSET_OWNER | UINT64_C(1) << ASSET_MAC | UINT64_C(1) << ASSET_NOTES;
	assert_true(asset_diff(&a, &b) == want);
	assert_true(asset_diff(&b, &a) == want);

	a.id = 12;
	json_t *j = asset_to_json(&a);
	assert_int_equal(json_integer_value(json_object_get(j, "id")), 12);
	assert_string_equal(json_string_value(json_object_get(j, "asset_tag")), "T-1");
	assert_true(json_is_true(json_object_get(j, "antivirus")));
	assert_true(json_is_false(json_object_get(j, "patched")));
	assert_null(json_object_get(j, "hostname")); /* NULL fields are left out */
	assert_int_equal(json_object_size(j), 6);
	json_decref(j);
	b.id = 0;
	j = asset_to_json(&b);
	assert_null(json_object_get(j, "id"));
	json_decref(j);
	asset_release(&a);
	asset_release(&b);
	asset_release(NULL);
}

/* ---- storage ---------------------------------------------------------------------- */

static void test_insert_and_lookup(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct asset a;
	int64_t seq = testutil_journal_seq(fx->st);

	int64_t id = ADD(fx->st, { ASSET_TAG, "fhej0002" }, { ASSET_HOSTNAME, "PC101-01" },
			 { ASSET_OWNER, "山下 芳範" }, { ASSET_OS, "Windows 11" },
			 { ASSET_MAC, "00:d4:9e:3c:3f:d9" }, { ASSET_IP, "172.30.101.4" },
			 { ASSET_REGISTERED_ON, "2023/4/1" }, { ASSET_ANTIVIRUS, "〇" });
	int64_t id2 = ADD(fx->st, { ASSET_MAC, "a0:29:42:23:19:73" }, { ASSET_OS, "Windows 10" });
	assert_true(id2 != id);
	assert_int_equal(testutil_journal_seq(fx->st), seq + 2);

	char hash_id[16];
	snprintf(hash_id, sizeof(hash_id), "#%lld", (long long)id);
	const char *keys[] = {
		"fhej0002",          "ｆｈｅｊ０００２",   " fhej0002 ",     "PC101-01",
		"00:d4:9e:3c:3f:d9", "00-D4-9E-3C-3F-D9", "00d4.9e3c.3fd9", "00D49E3C3FD9",
		"172.30.101.4",      hash_id,
	};
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		int r = asset_lookup(fx->st, keys[i], &a, &err);
		if (r != 0 || a.id != id)
			fail_msg("lookup \"%s\": r = %d, id %lld, want %lld (%s)", keys[i], r,
				 (long long)a.id, (long long)id, err.msg);
		assert_field(&a, ASSET_OWNER, "山下 芳範");
		assert_field(&a, ASSET_KIND, "pc");
		assert_field(&a, ASSET_STATUS, "in_use");
		assert_field(&a, ASSET_REGISTERED_ON, "2023-04-01");
		assert_field(&a, ASSET_ANTIVIRUS, "1");
		assert_field(&a, ASSET_PATCHED, NULL);
		assert_non_null(a.created_at);
		assert_non_null(a.updated_at);
		asset_release(&a);
	}
	ASSERT_RC(0, asset_lookup(fx->st, "A0-29-42-23-19-73", &a, &err), err);
	assert_int_equal(a.id, id2);
	assert_field(&a, ASSET_TAG, NULL);
	asset_release(&a);

	static const struct {
		const char *key;
		int want;
	} bad[] = {
		{ "fhej9999", MAMORI_ENOTFOUND },
		{ "00:d4:9e:3c:3f:d8", MAMORI_ENOTFOUND },
		{ "#99999", MAMORI_ENOTFOUND },
		{ "' OR '1'='1", MAMORI_ENOTFOUND },
		{ "%", MAMORI_ENOTFOUND },
		{ "", MAMORI_EUSAGE },
		{ "   ", MAMORI_EUSAGE },
		{ "#", MAMORI_EUSAGE },
		{ "#abc", MAMORI_EUSAGE },
		{ "#0", MAMORI_EUSAGE },
		{ "#-1", MAMORI_EUSAGE },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		a.id = 77;
		int r = asset_lookup(fx->st, bad[i].key, &a, &err);
		if (r != bad[i].want)
			fail_msg("lookup \"%s\" = %d, want %d (%s)", bad[i].key, r, bad[i].want,
				 err.msg);
		assert_int_equal(a.id, 0);
		asset_release(&a);
	}

	/* The journal entry holds the device as stored. */
	struct journal_entry e;
	last_entry(fx->st, &e);
	assert_string_equal(e.action, "asset.add");
	assert_string_equal(e.entity_type, "device");
	char idbuf[32];
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id2);
	assert_string_equal(e.entity_id, idbuf);
	assert_null(e.before);
	testutil_assert_json_key(e.after, "mac", "a0:29:42:23:19:73");
	testutil_assert_json_key(e.after, "kind", "pc");
	testutil_assert_json_key(e.after, "status", "in_use");
	journal_entry_release(&e);
}

static void test_lookup_ambiguous(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct asset a;

	/* The same IP on two devices (a moved PC not yet cleaned up). */
	int64_t id1 = ADD(fx->st, { ASSET_TAG, "T-1" }, { ASSET_IP, "10.0.0.5" });
	int64_t id2 = ADD(fx->st, { ASSET_TAG, "T-2" }, { ASSET_IP, "10.0.0.5" });
	/* A host name equal to another device's tag. */
	ADD(fx->st, { ASSET_TAG, "T-3" }, { ASSET_HOSTNAME, "T-1" });

	static const char *const keys[] = { "10.0.0.5", "T-1" };
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++) {
		ASSERT_RC(MAMORI_ECONFLICT, asset_lookup(fx->st, keys[i], &a, &err), err);
		assert_int_equal(a.id, 0);
		/* The message lists the candidates. */
		char want[16];
		snprintf(want, sizeof(want), "#%lld", (long long)id1);
		testutil_assert_contains(err.msg, want);
		asset_release(&a);
	}
	char key[16];
	snprintf(key, sizeof(key), "#%lld", (long long)id2);
	ASSERT_RC(0, asset_lookup(fx->st, key, &a, &err), err);
	assert_field(&a, ASSET_TAG, "T-2");
	asset_release(&a);
	ASSERT_RC(0, asset_lookup(fx->st, "T-2", &a, &err), err);
	assert_int_equal(a.id, id2);
	asset_release(&a);
}

static void test_duplicates(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct asset a;

	ADD(fx->st, { ASSET_TAG, "T-1" }, { ASSET_MAC, "00:11:22:33:44:55" });
	int64_t seq = testutil_journal_seq(fx->st);

	/* The same MAC, in another notation, on another device. */
	BUILD(&a, { ASSET_TAG, "T-2" }, { ASSET_MAC, "00-11-22-33-44-55" });
	ASSERT_RC(MAMORI_ECONFLICT, asset_insert(fx->st, ACTOR, &a, &err), err);
	testutil_assert_contains(err.msg, "00:11:22:33:44:55");
	testutil_assert_contains(err.msg, "T-1");
	asset_release(&a);

	/* The same tag. */
	BUILD(&a, { ASSET_TAG, "T-1" }, { ASSET_MAC, "00:11:22:33:44:66" });
	ASSERT_RC(MAMORI_ECONFLICT, asset_insert(fx->st, ACTOR, &a, &err), err);
	testutil_assert_contains(err.msg, "T-1");
	asset_release(&a);

	/* Invalid devices are refused before anything is written. */
	BUILD(&a, { ASSET_OWNER, "鍵なし" });
	ASSERT_RC(MAMORI_EINVAL, asset_insert(fx->st, ACTOR, &a, &err), err);
	asset_release(&a);

	assert_int_equal(testutil_journal_seq(fx->st), seq);
	int64_t n = -1;
	struct asset_query all = { 0 };
	ASSERT_RC(0, asset_count(fx->st, &all, &n, &err), err);
	assert_int_equal(n, 1);

	/* Taking another device's MAC by update is refused too. */
	int64_t id2 = ADD(fx->st, { ASSET_TAG, "T-2" });
	ASSERT_RC(0, asset_lookup(fx->st, "T-2", &a, &err), err);
	assert_int_equal(a.id, id2);
	ASSERT_RC(0, asset_set(&a, ASSET_MAC, "00:11:22:33:44:55", &err), err);
	seq = testutil_journal_seq(fx->st);
	ASSERT_RC(MAMORI_ECONFLICT, asset_update(fx->st, ACTOR, &a, &err), err);
	asset_release(&a);
	/* … and renaming onto another device's tag. */
	ASSERT_RC(0, asset_lookup(fx->st, "T-2", &a, &err), err);
	ASSERT_RC(0, asset_set(&a, ASSET_TAG, "T-1", &err), err);
	ASSERT_RC(MAMORI_ECONFLICT, asset_update(fx->st, ACTOR, &a, &err), err);
	asset_release(&a);
	assert_int_equal(testutil_journal_seq(fx->st), seq);
}

struct entry_log {
	char actions[512];
};

static int log_fn(const struct journal_entry *e, void *ctx)
{
	struct entry_log *l = ctx;
	size_t n = strlen(l->actions);
	snprintf(l->actions + n, sizeof(l->actions) - n, "%s%s", n ? "," : "", e->action);
	return 0;
}

/* Locations, systems and vendors named by a device are made once, journaled. */
static void test_insert_creates_refs(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct asset a;
	int64_t seq = testutil_journal_seq(fx->st);

	int64_t id = ADD(fx->st, { ASSET_TAG, "MH-SV-001" }, { ASSET_LOCATION, "地下1階 サーバ室" },
			 { ASSET_SYSTEM, "電子カルテシステム" }, { ASSET_VENDOR, "北斗メディカル" });
	ADD(fx->st, { ASSET_TAG, "MH-SV-002" }, { ASSET_LOCATION, "地下1階 サーバ室" },
	    { ASSET_SYSTEM, "電子カルテシステム" });

	struct entry_log log = { "" };
	struct journal_filter f = { .since = NULL };
	ASSERT_RC(0, journal_list(fx->st, &f, log_fn, &log, &err), err);
	/* facility.create from setup, then the refs of the first device, then devices. */
	assert_string_equal(log.actions, "facility.create,location.add,system.add,vendor.add,"
					 "asset.add,asset.add");
	assert_int_equal(testutil_journal_seq(fx->st), seq + 5);

	json_t *list = NULL;
	ASSERT_RC(0, ledger_list(fx->st, LEDGER_LOCATION, &list, &err), err);
	assert_int_equal(json_array_size(list), 1);
	json_decref(list);

	ASSERT_RC(0, asset_lookup(fx->st, "MH-SV-001", &a, &err), err);
	assert_int_equal(a.id, id);
	assert_field(&a, ASSET_LOCATION, "地下1階 サーバ室");
	assert_field(&a, ASSET_SYSTEM, "電子カルテシステム");
	assert_field(&a, ASSET_VENDOR, "北斗メディカル");
	asset_release(&a);
}

static void test_update(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct asset a;

	int64_t id = ADD(fx->st, { ASSET_TAG, "fhej2004" }, { ASSET_OWNER, "山下 芳範" },
			 { ASSET_OS, "Windows 10" }, { ASSET_IP, "172.30.103.4" });
	int64_t seq = testutil_journal_seq(fx->st);

	ASSERT_RC(0, asset_lookup(fx->st, "fhej2004", &a, &err), err);
	ASSERT_RC(0, asset_set(&a, ASSET_OWNER, "佐藤 花子", &err), err);
	ASSERT_RC(0, asset_set(&a, ASSET_OS, "Windows 11", &err), err);
	ASSERT_RC(0, asset_set(&a, ASSET_IP, "", &err), err);
	ASSERT_RC(0, asset_update(fx->st, ACTOR, &a, &err), err);
	asset_release(&a);
	assert_int_equal(testutil_journal_seq(fx->st), seq + 1);

	ASSERT_RC(0, asset_lookup(fx->st, "fhej2004", &a, &err), err);
	assert_int_equal(a.id, id);
	assert_field(&a, ASSET_OWNER, "佐藤 花子");
	assert_field(&a, ASSET_OS, "Windows 11");
	assert_field(&a, ASSET_IP, NULL);
	asset_release(&a);

	struct journal_entry e;
	last_entry(fx->st, &e);
	assert_string_equal(e.action, "asset.edit");
	assert_string_equal(e.actor, ACTOR);
	testutil_assert_json_key(e.before, "owner", "山下 芳範");
	testutil_assert_json_key(e.after, "owner", "佐藤 花子");
	testutil_assert_json_key(e.before, "ip", "172.30.103.4");
	testutil_assert_json_key(e.after, "ip", "(null)");
	testutil_assert_json_key(e.before, "asset_tag", "fhej2004");
	testutil_assert_json_key(e.after, "asset_tag", "fhej2004");
	journal_entry_release(&e);

	/* Writing the device back unchanged journals nothing, nor does writing the
	 * same values in another notation. */
	seq = testutil_journal_seq(fx->st);
	ASSERT_RC(0, asset_lookup(fx->st, "fhej2004", &a, &err), err);
	ASSERT_RC(0, asset_update(fx->st, ACTOR, &a, &err), err);
	ASSERT_RC(0, asset_set(&a, ASSET_OWNER, "佐藤　花子 ", &err), err);
	ASSERT_RC(0, asset_update(fx->st, ACTOR, &a, &err), err);
	asset_release(&a);
	assert_int_equal(testutil_journal_seq(fx->st), seq);

	/* An update that would make the device invalid is refused. */
	ASSERT_RC(0, asset_lookup(fx->st, "fhej2004", &a, &err), err);
	ASSERT_RC(0, asset_set(&a, ASSET_TAG, NULL, &err), err);
	ASSERT_RC(MAMORI_EINVAL, asset_update(fx->st, ACTOR, &a, &err), err);
	asset_release(&a);
	ASSERT_RC(0, asset_lookup(fx->st, "fhej2004", &a, &err), err);
	ASSERT_RC(0, asset_set(&a, ASSET_RETIRED_ON, "2024-01-01", &err), err);
	ASSERT_RC(MAMORI_EINVAL, asset_update(fx->st, ACTOR, &a, &err), err);
	asset_release(&a);
	assert_int_equal(testutil_journal_seq(fx->st), seq);

	/* Updating a device that is not there. */
	asset_init(&a);
	a.id = 9999;
	ASSERT_RC(0, asset_set(&a, ASSET_TAG, "ghost", &err), err);
	ASSERT_RC(MAMORI_ENOTFOUND, asset_update(fx->st, ACTOR, &a, &err), err);
	asset_release(&a);
}

static void test_retire_then_dispose(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct asset a;
	char today[11];

	ADD(fx->st, { ASSET_TAG, "MH-PC-0100" }, { ASSET_MAC, "00:0b:97:01:02:03" });
	ASSERT_RC(0, asset_lookup(fx->st, "MH-PC-0100", &a, &err), err);
	ASSERT_RC(0, asset_retire(fx->st, ACTOR, &a, "令和8年3月31日", "Windows 11 非対応", &err), err);
	asset_release(&a);

	ASSERT_RC(0, asset_lookup(fx->st, "MH-PC-0100", &a, &err), err);
	assert_field(&a, ASSET_STATUS, "retired");
	assert_field(&a, ASSET_RETIRED_ON, "2026-03-31");
	assert_field(&a, ASSET_RETIRE_REASON, "Windows 11 非対応");
	struct journal_entry e;
	last_entry(fx->st, &e);
	assert_string_equal(e.action, "asset.retire");
	testutil_assert_json_key(e.before, "status", "in_use");
	testutil_assert_json_key(e.after, "status", "retired");
	journal_entry_release(&e);

	/* Retiring twice is a conflict. */
	int64_t seq = testutil_journal_seq(fx->st);
	ASSERT_RC(MAMORI_ECONFLICT, asset_retire(fx->st, ACTOR, &a, NULL, NULL, &err), err);
	asset_release(&a);
	assert_int_equal(testutil_journal_seq(fx->st), seq);

	ASSERT_RC(0, asset_lookup(fx->st, "MH-PC-0100", &a, &err), err);
	ASSERT_RC(0, asset_dispose(fx->st, ACTOR, &a, "HDD 物理破壊", "東和ネットワーク", NULL,
				   "TWN-2026-0520-03", &err),
		  err);
	asset_release(&a);
	ASSERT_RC(0, asset_lookup(fx->st, "MH-PC-0100", &a, &err), err);
	mamori_today(today);
	assert_field(&a, ASSET_STATUS, "disposed");
	assert_field(&a, ASSET_DISPOSAL_METHOD, "HDD 物理破壊");
	assert_field(&a, ASSET_DISPOSED_BY, "東和ネットワーク");
	assert_field(&a, ASSET_DISPOSED_ON, today);
	assert_field(&a, ASSET_DISPOSAL_CERTIFICATE, "TWN-2026-0520-03");
	assert_field(&a, ASSET_RETIRED_ON, "2026-03-31"); /* kept from retirement */
	asset_release(&a);
	last_entry(fx->st, &e);
	assert_string_equal(e.action, "asset.dispose");
	testutil_assert_json_key(e.before, "status", "retired");
	testutil_assert_json_key(e.after, "status", "disposed");
	testutil_assert_json_key(e.after, "disposal_certificate", "TWN-2026-0520-03");
	journal_entry_release(&e);

	/* Disposed straight from use: the retire date is the disposal date. */
	ADD(fx->st, { ASSET_TAG, "MH-PR-001" });
	ASSERT_RC(0, asset_lookup(fx->st, "MH-PR-001", &a, &err), err);
	ASSERT_RC(0, asset_dispose(fx->st, ACTOR, &a, "データ消去", "リース会社", "2025/12/1",
				   "LS-123", &err),
		  err);
	asset_release(&a);
	ASSERT_RC(0, asset_lookup(fx->st, "MH-PR-001", &a, &err), err);
	assert_field(&a, ASSET_DISPOSED_ON, "2025-12-01");
	assert_field(&a, ASSET_RETIRED_ON, "2025-12-01");
	asset_release(&a);

	/* A bad date is refused and nothing changes. */
	ADD(fx->st, { ASSET_TAG, "MH-PR-002" });
	ASSERT_RC(0, asset_lookup(fx->st, "MH-PR-002", &a, &err), err);
	seq = testutil_journal_seq(fx->st);
	ASSERT_RC(MAMORI_EINVAL, asset_retire(fx->st, ACTOR, &a, "2025-02-30", NULL, &err), err);
	asset_release(&a);
	ASSERT_RC(0, asset_lookup(fx->st, "MH-PR-002", &a, &err), err);
	assert_field(&a, ASSET_STATUS, "in_use");
	asset_release(&a);
	assert_int_equal(testutil_journal_seq(fx->st), seq);
}

/* Disposal needs method, who and certificate; without one nothing changes. */
static void test_dispose_requires(void **state)
{
	static const struct {
		const char *method, *by, *cert, *names;
	} cases[] = {
		{ NULL, "業者", "C-1", "廃棄方法" },
		{ "", "業者", "C-1", "廃棄方法" },
		{ "破砕", NULL, "C-1", "廃棄実施者" },
		{ "破砕", "　", "C-1", "廃棄実施者" },
		{ "破砕", "業者", NULL, "廃棄証明書" },
		{ "破砕", "業者", " ", "廃棄証明書" },
	};
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct asset a;

	ADD(fx->st, { ASSET_TAG, "T-1" });
	int64_t seq = testutil_journal_seq(fx->st);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		ASSERT_RC(0, asset_lookup(fx->st, "T-1", &a, &err), err);
		int r = asset_dispose(fx->st, ACTOR, &a, cases[i].method, cases[i].by, NULL,
				      cases[i].cert, &err);
		if (r != MAMORI_EUSAGE)
			fail_msg("case %zu: r = %d (%s)", i, r, err.msg);
		testutil_assert_contains(err.msg, cases[i].names);
		asset_release(&a);
	}
	ASSERT_RC(0, asset_lookup(fx->st, "T-1", &a, &err), err);
	assert_field(&a, ASSET_STATUS, "in_use");
	assert_field(&a, ASSET_DISPOSAL_METHOD, NULL);
	asset_release(&a);
	assert_int_equal(testutil_journal_seq(fx->st), seq);
}

static void test_disposed_is_read_only(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct asset a;

	int64_t id = ADD(fx->st, { ASSET_TAG, "T-1" }, { ASSET_MAC, "00:11:22:33:44:55" },
			 { ASSET_OWNER, "山田" });
	ASSERT_RC(0, asset_lookup(fx->st, "T-1", &a, &err), err);
	ASSERT_RC(0, asset_dispose(fx->st, ACTOR, &a, "破砕", "業者", "2025-01-10", "C-1", &err),
		  err);
	asset_release(&a);
	int64_t seq = testutil_journal_seq(fx->st);

	/* Edit, retire, dispose again: all refused. */
	ASSERT_RC(0, asset_lookup(fx->st, "T-1", &a, &err), err);
	ASSERT_RC(0, asset_set(&a, ASSET_OWNER, "佐藤", &err), err);
	ASSERT_RC(MAMORI_ECONFLICT, asset_update(fx->st, ACTOR, &a, &err), err);
	testutil_assert_contains(err.msg, "廃棄済");
	asset_release(&a);
	ASSERT_RC(0, asset_lookup(fx->st, "T-1", &a, &err), err);
	ASSERT_RC(MAMORI_ECONFLICT, asset_retire(fx->st, ACTOR, &a, NULL, NULL, &err), err);
	ASSERT_RC(MAMORI_ECONFLICT,
		  asset_dispose(fx->st, ACTOR, &a, "破砕", "業者", NULL, "C-2", &err), err);
	asset_release(&a);
	/* Even a device struct that claims to be in use cannot overwrite it. */
	BUILD(&a, { ASSET_TAG, "T-1" }, { ASSET_OWNER, "佐藤" });
	a.id = id;
	ASSERT_RC(MAMORI_ECONFLICT, asset_update(fx->st, ACTOR, &a, &err), err);
	asset_release(&a);

	ASSERT_RC(0, asset_lookup(fx->st, "T-1", &a, &err), err);
	assert_field(&a, ASSET_OWNER, "山田");
	assert_field(&a, ASSET_DISPOSAL_CERTIFICATE, "C-1");
	asset_release(&a);
	assert_int_equal(testutil_journal_seq(fx->st), seq);

	/* The MAC of a disposed device may be given to a new one (reused NIC). */
	ADD(fx->st, { ASSET_TAG, "T-2" }, { ASSET_MAC, "00:11:22:33:44:55" });
}

/* ---- listing ------------------------------------------------------------------------ */

struct list_log {
	struct strbuf tags;
	int n, stop_at;
};

static int list_fn(const struct asset *a, void *ctx)
{
	struct list_log *l = ctx;
	const char *k = asset_key(a, NULL);
	strbuf_addf(&l->tags, "%s%s", l->tags.len ? "," : "", k ? k : "?");
	l->n++;
	return l->stop_at && l->n >= l->stop_at ? -9 : 0;
}

static void add_list_fixture(struct store *st)
{
	struct mamori_err err = { 0 };
	struct asset a;

	ADD(st, { ASSET_TAG, "N-01" }, { ASSET_DEPARTMENT, "内科" }, { ASSET_OS, "Windows 11" },
	    { ASSET_MODEL, "ESPRIMO 100%" }, { ASSET_OWNER, "佐藤 一郎" });
	ADD(st, { ASSET_TAG, "N-02" }, { ASSET_DEPARTMENT, "内科" }, { ASSET_OS, "Windows 10" },
	    { ASSET_MODEL, "ESPRIMO 1000" }, { ASSET_IP, "172.30.101.12" });
	ADD(st, { ASSET_TAG, "G-01" }, { ASSET_DEPARTMENT, "外科" }, { ASSET_OS, "Windows 10" },
	    { ASSET_MODEL, "Mate_X" }, { ASSET_MAC, "00:d4:9e:00:00:01" });
	ADD(st, { ASSET_TAG, "G-02" }, { ASSET_DEPARTMENT, "外科" }, { ASSET_KIND, "複合機" },
	    { ASSET_MODEL, "MateYX" });
	ADD(st, { ASSET_TAG, "S-01" }, { ASSET_DEPARTMENT, "情報システム室" },
	    { ASSET_OS, "Windows Server 2019" }, { ASSET_HOSTNAME, "EHR-DB01" });
	ADD(st, { ASSET_TAG, "X-01" }, { ASSET_OS, "Windows 11" }, { ASSET_NOTES, "部署未定" });
	ADD(st, { ASSET_TAG, "R-01" }, { ASSET_DEPARTMENT, "内科" }, { ASSET_OS, "Windows 10" },
	    { ASSET_MODEL, "back\\slash" });
	ASSERT_RC(0, asset_lookup(st, "R-01", &a, &err), err);
	ASSERT_RC(0, asset_retire(st, ACTOR, &a, "2025-03-31", NULL, &err), err);
	asset_release(&a);
	ADD(st, { ASSET_TAG, "D-01" }, { ASSET_DEPARTMENT, "外科" }, { ASSET_OS, "Windows 10" });
	ASSERT_RC(0, asset_lookup(st, "D-01", &a, &err), err);
	ASSERT_RC(0, asset_dispose(st, ACTOR, &a, "破砕", "業者", "2025-04-01", "C-9", &err), err);
	asset_release(&a);
}

static void test_list_filters(void **state)
{
	static const struct {
		const char *name;
		struct asset_query q;
		const char *want; /* in list order: department (byte order, none last), tag */
	} cases[] = {
		{ "all (NULL status)", { 0 }, "N-01,N-02,R-01,D-01,G-01,G-02,S-01,X-01" },
		{ "all (\"all\")", { .status = "all" }, "N-01,N-02,R-01,D-01,G-01,G-02,S-01,X-01" },
		{ "in use", { .status = "in_use" }, "N-01,N-02,G-01,G-02,S-01,X-01" },
		{ "retired", { .status = "retired" }, "R-01" },
		{ "disposed", { .status = "disposed" }, "D-01" },
		{ "kind pc", { .kind = "pc" }, "N-01,N-02,R-01,D-01,G-01,X-01" },
		{ "kind printer", { .kind = "printer" }, "G-02" },
		{ "kind server", { .kind = "server" }, "S-01" },
		{ "department", { .department = "内科" }, "N-01,N-02,R-01" },
		{ "department and status", { .department = "内科", .status = "in_use" }, "N-01,N-02" },
		{ "department unknown", { .department = "眼科" }, "" },
		{ "search OS", { .search = "Windows 10" }, "N-02,R-01,D-01,G-01" },
		{ "search case-insensitive", { .search = "windows server" }, "S-01" },
		{ "search owner", { .search = "佐藤" }, "N-01" },
		{ "search IP part", { .search = "101.12" }, "N-02" },
		{ "search MAC part", { .search = "9e:00:00" }, "G-01" },
		{ "search host", { .search = "EHR-DB" }, "S-01" },
		{ "search tag", { .search = "N-0" }, "N-01,N-02" },
		{ "search % is literal", { .search = "%" }, "N-01" },
		{ "search 100% is literal", { .search = "100%" }, "N-01" },
		{ "search _ is literal", { .search = "_" }, "G-01" },
		{ "search Mate_ is literal", { .search = "Mate_" }, "G-01" },
		{ "search backslash", { .search = "\\" }, "R-01" },
		{ "search quote", { .search = "'" }, "" },
		{ "search nothing", { .search = "" }, "N-01,N-02,R-01,D-01,G-01,G-02,S-01,X-01" },
		{ "search full-width", { .search = "ＥＨＲ" }, "S-01" },
		{ "search and kind", { .search = "Windows", .kind = "server" }, "S-01" },
		{ "limit", { .limit = 3 }, "N-01,N-02,R-01" },
		{ "limit and offset", { .limit = 3, .offset = 3 }, "D-01,G-01,G-02" },
		{ "offset past the end", { .offset = 100 }, "" },
	};
	struct testutil_fixture *fx = *state;

	add_list_fixture(fx->st);
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct list_log log = { STRBUF_INIT, 0, 0 };
		struct mamori_err err = { 0 };
		int64_t n = -1;

		ASSERT_RC(0, asset_list(fx->st, &cases[i].q, list_fn, &log, &err), err);
		if (strcmp(log.tags.buf, cases[i].want))
			fail_msg("%s: got [%s], want [%s]", cases[i].name, log.tags.buf, cases[i].want);
		/* The count ignores limit and offset. */
		ASSERT_RC(0, asset_count(fx->st, &cases[i].q, &n, &err), err);
		if (!cases[i].q.limit && !cases[i].q.offset && n != log.n)
			fail_msg("%s: count %lld, list %d", cases[i].name, (long long)n, log.n);
		strbuf_release(&log.tags);
	}

	struct mamori_err err = { 0 };
	int64_t n = -1;
	struct asset_query lim = { .limit = 3, .offset = 3 };
	ASSERT_RC(0, asset_count(fx->st, &lim, &n, &err), err);
	assert_int_equal(n, 8);
	ASSERT_RC(0, asset_count(fx->st, NULL, &n, &err), err);
	assert_int_equal(n, 8);

	/* fn stops the walk with its code. */
	struct list_log stop = { STRBUF_INIT, 0, 2 };
	ASSERT_RC(-9, asset_list(fx->st, NULL, list_fn, &stop, &err), err);
	assert_int_equal(stop.n, 2);
	strbuf_release(&stop.tags);
}

static void test_find_same(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct asset probe, out;
	int found = -1;

	int64_t by_tag = ADD(fx->st, { ASSET_TAG, "T-1" }, { ASSET_MAC, "00:11:22:33:44:01" });
	int64_t by_mac = ADD(fx->st, { ASSET_MAC, "00:11:22:33:44:02" }, { ASSET_HOSTNAME, "H-2" });
	int64_t by_host = ADD(fx->st, { ASSET_HOSTNAME, "H-3" });

	static const struct {
		struct testutil_kv kv[2];
		int which; /* 0 none, 1 tag, 2 mac, 3 host */
	} cases[] = {
		{ { { ASSET_TAG, "T-1" } }, 1 },
		{ { { ASSET_TAG, "T-1" }, { ASSET_MAC, "00:11:22:33:44:99" } }, 1 },
		{ { { ASSET_TAG, "T-9" }, { ASSET_MAC, "00:11:22:33:44:01" } }, 0 }, /* tag rules */
		{ { { ASSET_MAC, "00-11-22-33-44-02" } }, 2 },
		{ { { ASSET_MAC, "00:11:22:33:44:01" } }, 0 }, /* that device has a tag */
		{ { { ASSET_HOSTNAME, "H-3" } }, 3 },
		{ { { ASSET_HOSTNAME, "H-2" } }, 0 }, /* that device has a MAC */
		{ { { ASSET_OWNER, "no key" } }, 0 },
	};
	const int64_t ids[] = { 0, by_tag, by_mac, by_host };

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t n = cases[i].kv[1].f || cases[i].kv[1].v ? 2 : 1;
		testutil_asset_build(&probe, cases[i].kv, n);
		ASSERT_RC(0, asset_find_same(fx->st, &probe, &out, &found, &err), err);
		if (found != (cases[i].which != 0) || (found && out.id != ids[cases[i].which]))
			fail_msg("case %zu: found %d id %lld, want %lld", i, found, (long long)out.id,
				 (long long)ids[cases[i].which]);
		asset_release(&probe);
		asset_release(&out);
	}
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, testutil_teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_find),
		cmocka_unit_test(test_field_table_consistent),
		cmocka_unit_test(test_set_normalises),
		cmocka_unit_test(test_set_rejects),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_validate_key_and_kind),
		cmocka_unit_test(test_guess_kind_bizhub),
		cmocka_unit_test(test_validate_lifecycle),
		cmocka_unit_test(test_diff_and_json),
		T(test_insert_and_lookup),
		T(test_lookup_ambiguous),
		T(test_duplicates),
		T(test_insert_creates_refs),
		T(test_update),
		T(test_retire_then_dispose),
		T(test_dispose_requires),
		T(test_disposed_is_read_only),
		T(test_list_filters),
		T(test_find_same),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
