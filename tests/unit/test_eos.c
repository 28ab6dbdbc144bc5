/*
 * test_eos.c - unit tests for the end-of-support catalog (src/core/eos.c):
 * the matcher against the bundled catalog (catalog/eol, found through
 * $MAMORI_SRCDIR or relative to the working directory) with a table of
 * spellings seen in hospitals' ledgers, the status at boundary dates, the
 * product-file parser on good and hostile input, and load_dir's
 * all-or-nothing behaviour.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>

#include "eos.h"

static struct eos_catalog cat = EOS_CATALOG_INIT;

static int load_catalog(void **state)
{
	struct mamori_err err = { 0 };
	const char *src = getenv("MAMORI_SRCDIR");
	char *dir = xasprintf("%s/catalog/eol", src && *src ? src : ".");
	int r = eos_catalog_load_dir(dir, &cat, &err);

	if (r < 0) {
		free(dir);
		dir = xstrdup("../catalog/eol");
		r = eos_catalog_load_dir(dir, &cat, &err);
	}
	if (r < 0)
		fprintf(stderr, "%s: %s\n", dir, err.msg);
	free(dir);
	return r < 0 ? -1 : 0;
}

static int free_catalog(void **state)
{
	eos_catalog_release(&cat);
	return 0;
}

struct mcase {
	const char *os, *ver;
	const char *product, *cycle; /* NULL product: no match */
};

static const struct mcase cases[] = {
	{ "Windows 10", NULL, "windows", "10-22h2" },
	{ "Win10", NULL, "windows", "10-22h2" },
	{ "Windows10 Pro", NULL, "windows", "10-22h2" },
	{ "Win10 Pro 22H2", NULL, "windows", "10-22h2" },
	{ "Windows 10 Pro 22H2", NULL, "windows", "10-22h2" },
	{ "Windows 10 Pro 21H2", NULL, "windows", "10-21h2-w" },
	{ "Windows 10 Enterprise 21H2", NULL, "windows", "10-21h2-e" },
	{ "Windows 10 Pro 1909", NULL, "windows", "10-1909-w" },
	{ "Windows 10 Home", NULL, "windows", "10-22h2" },
	{ "Windows 10 Enterprise", NULL, "windows", "10-22h2" },
	{ "10.0.19045", NULL, "windows", "10-22h2" },
	{ "Windows", "10.0.19045.3803", "windows", "10-22h2" },
	{ "10.0.17763", NULL, "windows", "10-1809-w" },
	{ "Windows 11 23H2", NULL, "windows", "11-23h2-w" },
	{ "Windows 11 Pro 23H2", NULL, "windows", "11-23h2-w" },
	{ "Windows 11 Enterprise 23H2", NULL, "windows", "11-23h2-e" },
	{ "Windows 11 Pro 24H2", NULL, "windows", "11-24h2-w" },
	{ "Windows 11 Pro", NULL, "windows", "11-26h1-w" },
	{ "Windows 10 IoT Enterprise 2019 LTSC", NULL, "windows", "10-1809-e-lts" },
	{ "Windows 10 IoT Enterprise LTSC 2021", NULL, "windows", "10-21h2-iot-lts" },
	{ "Windows 10 Enterprise LTSC 2021", NULL, "windows", "10-21h2-e-lts" },
	{ "Windows 10 Enterprise LTSC 2019", NULL, "windows", "10-1809-e-lts" },
	{ "Windows 10 Enterprise 2016 LTSB", NULL, "windows", "10-1607-e-lts" },
	{ "Windows 11 IoT Enterprise LTSC 2024", NULL, "windows", "11-24h2-iot-lts" },
	{ "Windows 8.1", NULL, "windows", "8.1" },
	{ "Windows 8.1 Pro", NULL, "windows", "8.1" },
	{ "Windows 8", NULL, "windows", "8" },
	{ "Windows 7 SP1", NULL, "windows", "7-sp1" },
	{ "Windows7 Professional", NULL, "windows", "7-sp1" },
	{ "Windows XP", NULL, "windows", "5-sp3" },
	{ "Windows Vista", NULL, "windows", "6-sp2" },
	{ "Ｗｉｎｄｏｗｓ１０", NULL, "windows", "10-22h2" },
	{ "Ｗｉｎｄｏｗｓ　１０　Ｐｒｏ", NULL, "windows", "10-22h2" },
	{ "Win", "10", "windows", "10-22h2" },
	{ "Windows", "11 23H2", "windows", "11-23h2-w" },
	{ "Windows Server 2012 R2", NULL, "windows-server", "2012-r2" },
	{ "Windows Server 2012", NULL, "windows-server", "2012" },
	{ "WS2016", NULL, "windows-server", "2016" },
	{ "WS2012R2", NULL, "windows-server", "2012-r2" },
	{ "Win2019", NULL, "windows-server", "2019" },
	{ "Windows Server 2022 Standard", NULL, "windows-server", "2022" },
	{ "Windows Server 2019 Datacenter", NULL, "windows-server", "2019" },
	{ "Windows Server 2008 R2", NULL, "windows-server", "2008-r2-sp1" },
	{ "Windows Server 2008", NULL, "windows-server", "2008-sp2" },
	{ "Windows Server 2025", NULL, "windows-server", "2025" },
	{ "Ｗｉｎｄｏｗｓ　Ｓｅｒｖｅｒ　２０１６", NULL, "windows-server", "2016" },
	{ "RHEL 7.9", NULL, "rhel", "7" },
	{ "RHEL8", NULL, "rhel", "8" },
	{ "Red Hat Enterprise Linux 8", NULL, "rhel", "8" },
	{ "Red Hat Enterprise Linux Server release 7.9 (Maipo)", NULL, "rhel", "7" },
	{ "CentOS7", NULL, "centos", "7" },
	{ "CentOS Linux 7.9.2009", NULL, "centos", "7" },
	{ "CentOS 6.10", NULL, "centos", "6" },
	{ "Rocky Linux 9", NULL, "rocky-linux", "9" },
	{ "AlmaLinux 8", NULL, "almalinux", "8" },
	{ "Oracle Linux 8", NULL, "oracle-linux", "8" },
	{ "Ubuntu 20.04 LTS", NULL, "ubuntu", "20.04" },
	{ "Ubuntu 22.04", NULL, "ubuntu", "22.04" },
	{ "Ubuntu 22.04.4 LTS", NULL, "ubuntu", "22.04" },
	{ "Debian 11", NULL, "debian", "11" },
	{ "Debian GNU/Linux 12 (bookworm)", NULL, "debian", "12" },
	{ "SLES 15 SP4", NULL, "sles", "15.4" },
	{ "SLES12 SP5", NULL, "sles", "12.5" },
	{ "macOS 14 Sonoma", NULL, "macos", "14" },
	{ "macOS Sonoma", NULL, "macos", "14" },
	{ "Mac OS X 10.15", NULL, "macos", "10.15" },
	{ "macOS 13.6.1", NULL, "macos", "13" },
	{ "ESXi 6.7", NULL, "vmware-esxi", "6.7" },
	{ "VMware ESXi 7.0U3", NULL, "vmware-esxi", "7.0" },
	{ "ESXi 8.0 Update 2", NULL, "vmware-esxi", "8.0" },
	{ "FortiOS 7.2.8", NULL, "fortios", "7.2" },
	{ "FortiGate FortiOS v7.0.12", NULL, "fortios", "7.0" },
	{ "PAN-OS 10.1", NULL, "pan-os", "10.1" },
	{ "PAN-OS 10.2.9-h1", NULL, "pan-os", "10.2" },
	{ "IOS XE 17.9", NULL, "cisco-ios-xe", "17.9" },
	{ "Cisco IOS XE 17.9.4a", NULL, "cisco-ios-xe", "17.9" },
	{ "SQL Server 2014", NULL, "mssqlserver", "12.0-sp3" },
	{ "SQL Server 2016 SP2", NULL, "mssqlserver", "13.0-sp2" },
	{ "SQL Server 2019", NULL, "mssqlserver", "15.0" },
	{ "Oracle Database 19c", NULL, "oracle-database", "19" },
	{ "Oracle 11g", NULL, "oracle-database", "11.2" },
	{ "PostgreSQL 12", NULL, "postgresql", "12" },
	{ "PostgreSQL 9.6.24", NULL, "postgresql", "9.6" },
	{ "MySQL 5.7", NULL, "mysql", "5.7" },
	{ "MySQL 8.0.36", NULL, "mysql", "8.0" },
	{ "Office 2016", NULL, "office", "2016" },
	{ "Microsoft Office 2013", NULL, "office", "2013" },
	{ "Internet Explorer 11", NULL, "internet-explorer", "11" },
	{ "IE11", NULL, "internet-explorer", "11" },
	/* not matched */
	{ "Windows", NULL, NULL, NULL },
	{ "Windows Server", NULL, NULL, NULL },
	{ "不明", NULL, NULL, NULL },
	{ "", NULL, NULL, NULL },
	{ NULL, NULL, NULL, NULL },
	{ "Linux", NULL, NULL, NULL },
	{ "独自OS", NULL, NULL, NULL },
	{ "Microsoft 365", NULL, NULL, NULL },
	{ "Windows 12", NULL, NULL, NULL },
};

static void test_match_table(void **state)
{
	size_t i, matched = 0, bad = 0;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct mcase *c = &cases[i];
		struct eos_match m;
		int r = eos_match(&cat, c->os, c->ver, &m);
		int ok;

		assert_true(r == 0 || r == 1);
		assert_true(m.reason[0] != '\0');
		if (c->product)
			ok = r == 0 && !strcmp(m.product->name, c->product) && !strcmp(m.cycle, c->cycle);
		else
			ok = r == 1 && m.product == NULL;
		if (r == 0) {
			matched++;
			assert_non_null(m.release);
			assert_true(m.eol.kind == m.release->eol.kind);
		}
		if (!ok) {
			bad++;
			fprintf(stderr, "MISMATCH: '%s' / '%s': want %s %s, got r=%d %s %s (%s)\n",
				c->os ? c->os : "(null)", c->ver ? c->ver : "(null)",
				c->product ? c->product : "-", c->cycle ? c->cycle : "-", r,
				r == 0 ? m.product->name : "-", r == 0 ? m.cycle : "-", m.reason);
		}
	}
	fprintf(stderr, "eos: %zu spellings, %zu matched, %zu wrong\n", ARRAY_SIZE(cases),
		matched, bad);
	assert_int_equal(bad, 0);
	assert_true(ARRAY_SIZE(cases) >= 70);
}

static void test_match_reasons(void **state)
{
	struct eos_match m;

	assert_int_equal(eos_match(&cat, "Windows", NULL, &m), 1);
	assert_string_equal(m.reason, "バージョンが書かれていません");
	assert_int_equal(eos_match(&cat, "Foobar OS 3", NULL, &m), 1);
	assert_string_equal(m.reason, "知らない製品です");
	assert_int_equal(eos_match(&cat, "Windows 10 Pro", NULL, &m), 0);
	assert_int_equal(m.assumed, 1);
	assert_non_null(strstr(m.reason, "22H2"));
	/* dates come from the catalog */
	assert_int_equal(m.eol.kind, EOS_WHEN_DATE);
	assert_string_equal(m.eol.date, "2025-10-14");
	assert_int_equal(m.eoes.kind, EOS_WHEN_DATE);
	assert_string_equal(m.eoes.date, "2028-10-10");
	assert_int_equal(eos_match(&cat, "Windows 10 Pro 22H2", NULL, &m), 0);
	assert_int_equal(m.assumed, 0);
}

static void test_status(void **state)
{
	struct eos_match m;

	assert_int_equal(eos_match(&cat, "Windows 10 Pro 22H2", NULL, &m), 0);
	assert_int_equal(eos_status_of(&m, "2025-10-13"), EOS_ENDING);
	assert_int_equal(eos_status_of(&m, "2025-10-14"), EOS_ENDING);
	assert_int_equal(eos_status_of(&m, "2025-10-15"), EOS_ENDED);
	assert_int_equal(eos_status_of(&m, "2024-10-14"), EOS_SUPPORTED);
	assert_int_equal(eos_status_of(&m, "2024-10-15"), EOS_ENDING);
	assert_int_equal(eos_status_of(&m, "2020-01-01"), EOS_SUPPORTED);
	assert_int_equal(eos_status_of(&m, "bad"), EOS_UNKNOWN);
	assert_int_equal(eos_status_of(&m, "2025-02-30"), EOS_UNKNOWN);
	assert_int_equal(eos_status_of(NULL, "2025-01-01"), EOS_UNKNOWN);
	m.eol.kind = EOS_WHEN_TRUE;
	assert_int_equal(eos_status_of(&m, "2000-01-01"), EOS_ENDED);
	m.eol.kind = EOS_WHEN_FALSE;
	assert_int_equal(eos_status_of(&m, "2099-01-01"), EOS_SUPPORTED);
	m.eol.kind = EOS_WHEN_NONE;
	assert_int_equal(eos_status_of(&m, "2025-01-01"), EOS_UNKNOWN);
	/* 02-29 + 12 months = 03-01 */
	m.eol.kind = EOS_WHEN_DATE;
	memcpy(m.eol.date, "2025-03-01", 11);
	assert_int_equal(eos_status_of(&m, "2024-02-29"), EOS_SUPPORTED);
	memcpy(m.eol.date, "2025-02-28", 11);
	assert_int_equal(eos_status_of(&m, "2024-02-29"), EOS_ENDING);
	assert_int_equal(eos_match(&cat, "不明", NULL, &m), 1);
	assert_int_equal(eos_status_of(&m, "2025-01-01"), EOS_UNKNOWN);
	assert_string_equal(eos_status_label(EOS_SUPPORTED), "サポート中");
	assert_string_equal(eos_status_label(EOS_ENDING), "12か月以内に終了");
	assert_string_equal(eos_status_label(EOS_ENDED), "サポート終了");
	assert_string_equal(eos_status_label(EOS_UNKNOWN), "不明");
}

static const char good[] =
	"---\n"
	"title: Test OS\n"
	"permalink: /testos\n"
	"category: os\n"
	"eolColumn: Security Support\n"
	"releaseLabel: \"Test __RELEASE_CYCLE__ (__CODENAME__)\"\n"
	"other:\n  - a: [1, 2, {b: c}]\n"
	"releases:\n"
	"  - releaseCycle: \"2\"\n"
	"    codename: Two\n"
	"    releaseDate: 2020-01-01\n"
	"    eol: false\n"
	"  - releaseCycle: \"1\"\n"
	"    releaseDate: 2010-01-01\n"
	"    eoas: true\n"
	"    eol: 2015-12-31\n"
	"    eoes: 2020-12-31\n"
	"    latest: \"1.9\"\n"
	"    link: https://example.org/1\n"
	"---\n"
	"\n> body text: with [ unbalanced { yaml\n";

static int parse(const char *name, const char *buf, size_t len, struct mamori_err *err)
{
	struct eos_catalog c = EOS_CATALOG_INIT;
	int r;

	memset(err, 0, sizeof(*err));
	r = eos_catalog_load_buffer(&c, name, buf, len, err);
	eos_catalog_release(&c);
	return r;
}

static void test_parse_good(void **state)
{
	struct eos_catalog c = EOS_CATALOG_INIT;
	struct mamori_err err = { 0 };
	const struct eos_product *p;

	assert_int_equal(eos_catalog_load_buffer(&c, "dir/testos.md", good, strlen(good), &err), 0);
	p = eos_catalog_product(&c, "testos");
	assert_non_null(p);
	assert_string_equal(p->title, "Test OS");
	assert_string_equal(p->permalink, "/testos");
	assert_string_equal(p->eol_column, "Security Support");
	assert_int_equal(p->nr_releases, 2);
	assert_string_equal(p->releases[0].label, "Test 2 (Two)");
	assert_string_equal(p->releases[1].label, "Test 1");
	assert_int_equal(p->releases[0].eol.kind, EOS_WHEN_FALSE);
	assert_int_equal(p->releases[1].eoas.kind, EOS_WHEN_TRUE);
	assert_string_equal(p->releases[1].eol.date, "2015-12-31");
	assert_string_equal(p->releases[1].latest, "1.9");
	/* the same product twice */
	assert_int_equal(eos_catalog_load_buffer(&c, "testos.md", good, strlen(good), &err),
			 MAMORI_ECONFLICT);
	eos_catalog_release(&c);
}

static void expect_einval(const char *buf, size_t len, const char *want)
{
	struct mamori_err err;

	assert_int_equal(parse("x.md", buf, len, &err), MAMORI_EINVAL);
	if (!strstr(err.msg, want))
		fprintf(stderr, "message: %s (want %s)\n", err.msg, want);
	assert_non_null(strstr(err.msg, want));
}

static void test_parse_hostile(void **state)
{
	struct strbuf_like {
		char *p;
	} big;
	size_t i, n;
	char *s;

	expect_einval("", 0, "x.md:1:");
	expect_einval("title: x\n", 9, "x.md:1:");
	expect_einval("---\ntitle: x\n", 13, "front matter");
	expect_einval("---\n---\n", 8, "x.md:");
	expect_einval("---\n- a\n- b\n---\n", 16, "x.md:2:");
	expect_einval("---\ntitle: x\n---\n", 17, "releases");
	expect_einval("---\ntitle: x\nreleases: []\n---\n", 30, "releases が空");
	s = "---\nreleases:\n  - releaseCycle: \"1\"\n    eol: 2024-02-30\n---\n";
	expect_einval(s, strlen(s), "x.md:4: eol");
	s = "---\nreleases:\n  - releaseCycle: \"1\"\n    eol: soon\n---\n";
	expect_einval(s, strlen(s), "x.md:4: eol");
	s = "---\nreleases:\n  - eol: 2024-01-01\n---\n";
	expect_einval(s, strlen(s), "releaseCycle");
	s = "---\nreleases:\n  - releaseCycle: [1]\n---\n";
	expect_einval(s, strlen(s), "releaseCycle");
	s = "---\nreleases:\n  - releaseCycle: \"1\"\n  - releaseCycle: \"1\"\n---\n";
	expect_einval(s, strlen(s), "重複");
	s = "---\ntitle: \"unterminated\nreleases: x\n---\n";
	expect_einval(s, strlen(s), "x.md:");
	/* non-UTF-8 */
	s = "---\ntitle: \xff\xfe\x80\nreleases:\n  - releaseCycle: \"1\"\n---\n";
	expect_einval(s, strlen(s), "x.md:");
	/* deep nesting */
	n = 100000;
	big.p = xmalloc(n * 2 + 64);
	memcpy(big.p, "---\nx: ", 7);
	for (i = 0; i < n; i++)
		big.p[7 + i] = '[';
	for (i = 0; i < n; i++)
		big.p[7 + n + i] = ']';
	memcpy(big.p + 7 + 2 * n, "\n---\n", 5);
	expect_einval(big.p, 2 * n + 12, "入れ子");
	free(big.p);
	/* huge string */
	n = 100000;
	big.p = xmalloc(n + 128);
	i = (size_t)snprintf(big.p, 64, "---\ntitle: ");
	memset(big.p + i, 'a', n);
	i += n;
	memcpy(big.p + i, "\nreleases:\n  - releaseCycle: \"1\"\n---\n", 37);
	expect_einval(big.p, i + 37, "長すぎ");
	free(big.p);
	/* NUL inside */
	expect_einval("---\ntitle: a\0b\n---\n", 19, "x.md:");
	/* aliases are not expanded */
	s = "---\na: &a [x, x]\nb: [*a, *a]\nreleases:\n  - releaseCycle: *a\n---\n";
	expect_einval(s, strlen(s), "releaseCycle");
}

static void write_file(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(data, f);
	fclose(f);
}

static void test_load_dir(void **state)
{
	char tmpl[] = "/tmp/test_eos.XXXXXX";
	char *dir = mkdtemp(tmpl), *a, *b, *r;
	struct eos_catalog c = EOS_CATALOG_INIT;
	struct mamori_err err = { 0 };

	assert_non_null(dir);
	assert_int_equal(eos_catalog_load_dir(dir, &c, &err), MAMORI_EINVAL);
	a = xasprintf("%s/a.md", dir);
	b = xasprintf("%s/b.md", dir);
	r = xasprintf("%s/README.md", dir);
	write_file(a, good);
	write_file(r, "# not a product\n");
	assert_int_equal(eos_catalog_load_dir(dir, &c, &err), 0);
	assert_int_equal(c.nr_products, 1);
	assert_non_null(eos_catalog_product(&c, "a"));
	write_file(b, "---\ntitle: broken\n");
	assert_int_equal(eos_catalog_load_dir(dir, &c, &err), MAMORI_EINVAL);
	assert_non_null(strstr(err.msg, "b.md"));
	/* unchanged */
	assert_int_equal(c.nr_products, 1);
	assert_non_null(eos_catalog_product(&c, "a"));
	write_file(b, good);
	assert_int_equal(eos_catalog_load_dir(dir, &c, &err), 0);
	assert_int_equal(c.nr_products, 2);
	assert_int_equal(eos_catalog_load_dir("/nonexistent/eos", &c, &err), MAMORI_ENOTFOUND);
	assert_int_equal(c.nr_products, 2);
	eos_catalog_release(&c);
	unlink(a);
	unlink(b);
	unlink(r);
	rmdir(dir);
	free(a);
	free(b);
	free(r);
}

static void test_catalog_complete(void **state)
{
	size_t i, j;

	assert_true(cat.nr_products >= 40);
	for (i = 0; i < cat.nr_products; i++)
		for (j = 0; j < cat.products[i].nr_releases; j++)
			assert_non_null(cat.products[i].releases[j].label);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_catalog_complete),
		cmocka_unit_test(test_match_table),
		cmocka_unit_test(test_match_reasons),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_hostile),
		cmocka_unit_test(test_load_dir),
	};
	return cmocka_run_group_tests(tests, load_catalog, free_catalog);
}
