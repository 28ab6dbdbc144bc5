/*
 * test_journal.c - unit tests of the hash-chained journal
 * (src/core/journal.c): appending inside a transaction (and nothing left
 * after a rollback), the stored hash against an independent recomputation
 * of the definition in journal.h (SHA-256 over the previous hash as raw
 * bytes and the netstring canonical form, done here with OpenSSL EVP),
 * canonical JSON, journal_verify() on an intact chain and after tampering
 * with the file through a second SQLite connection (a changed field, a
 * deleted middle / first / last entry, a reordering, a forged entry), each
 * time naming the right seq in first_bad; the written-down head
 * (expect_hash) found and not found; journal_list() filters.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <sqlite3.h>
#include <sys/wait.h>
#include <unistd.h>

#include "journal.h"
#include "store.h"
#include "strbuf.h"
#include "testutil.h"

#define ZERO_HASH "0000000000000000000000000000000000000000000000000000000000000000"
#define NENTRIES 6

/*
 * The journal every test starts from (seq = index + 1).  Entries 1-2 are
 * appended in one transaction, the others one per transaction.
 */
static const struct seed_entry {
	const char *actor, *action, *entity_type, *entity_id, *before, *after;
} seed[NENTRIES] = {
	{ "山下 芳範", "asset.add", "device", "1", NULL,
	  "{\"mac\":\"00:d4:9e:3c:3f:d9\",\"asset_tag\":\"fhej0002\"}" },
	{ "bob", "asset.edit", "device", "1", "{\"owner\":\"山下 芳範\"}", "{\"owner\":\"佐藤 花子\"}" },
	{ "alice", "vendor.add", "vendor", "7", NULL, "{\"name\":\"北斗メディカル\"}" },
	{ "carol", "asset.add", "device", "2", NULL, "{\"asset_tag\":\"fhej2004\"}" },
	{ "alice", "asset.retire", "device", "1", "{\"status\":\"in_use\"}",
	  "{\"status\":\"retired\"}" },
	{ "bob", "asset.import", "import", NULL, NULL, "{\"file\":\"devices.csv\",\"added\":2}" },
};

static void append_seed(struct store *st, size_t i)
{
	struct mamori_err err = { 0 };
	json_t *b = seed[i].before ? json_loads(seed[i].before, 0, NULL) : NULL;
	json_t *a = seed[i].after ? json_loads(seed[i].after, 0, NULL) : NULL;
	int64_t seq = 0;

	ASSERT_RC(0,
		  journal_append(st, seed[i].actor, seed[i].action, seed[i].entity_type,
				 seed[i].entity_id, b, a, &seq, &err),
		  err);
	assert_int_equal(seq, (int64_t)i + 1);
	json_decref(b);
	json_decref(a);
}

static int setup(void **state)
{
	return testutil_setup_store(state, "journal");
}

/* setup plus the seed journal. */
static int setup_seeded(void **state)
{
	struct mamori_err err = { 0 };

	if (setup(state) < 0)
		return -1;
	struct store *st = ((struct testutil_fixture *)*state)->st;
	if (store_begin(st, &err) < 0)
		return -1;
	append_seed(st, 0);
	append_seed(st, 1);
	if (store_commit(st, &err) < 0)
		return -1;
	for (size_t i = 2; i < NENTRIES; i++) {
		if (store_begin(st, &err) < 0)
			return -1;
		append_seed(st, i);
		if (store_commit(st, &err) < 0)
			return -1;
	}
	return 0;
}

/* ---- independent recomputation ------------------------------------------ */

static void add_netstring(struct strbuf *sb, const char *v)
{
	if (!v) {
		strbuf_addstr(sb, "~,");
		return;
	}
	strbuf_addf(sb, "%zu:", strlen(v));
	strbuf_add(sb, v, strlen(v));
	strbuf_addch(sb, ',');
}

/* hash = SHA-256(prev_hash as 32 raw bytes || canonical(entry)), per journal.h. */
static void reference_hash(const char *prev_hex, int64_t seq, const char *const f[7],
			   char out[JOURNAL_HASH_HEX])
{
	unsigned char prev[32], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct strbuf sb = STRBUF_INIT;
	char seqbuf[32];

	assert_int_equal(strlen(prev_hex), 64);
	for (int i = 0; i < 32; i++) {
		unsigned v;
		char two[3] = { prev_hex[2 * i], prev_hex[2 * i + 1], 0 };
		assert_int_equal(sscanf(two, "%2x", &v), 1);
		prev[i] = (unsigned char)v;
	}
	snprintf(seqbuf, sizeof(seqbuf), "%lld", (long long)seq);
	strbuf_addstr(&sb, "mamori-journal-v1\n");
	add_netstring(&sb, seqbuf);
	for (int i = 0; i < 7; i++)
		add_netstring(&sb, f[i]);

	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	assert_non_null(ctx);
	assert_int_equal(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL), 1);
	assert_int_equal(EVP_DigestUpdate(ctx, prev, sizeof(prev)), 1);
	assert_int_equal(EVP_DigestUpdate(ctx, sb.buf, sb.len), 1);
	assert_int_equal(EVP_DigestFinal_ex(ctx, md, &mdlen), 1);
	assert_int_equal(mdlen, 32);
	EVP_MD_CTX_free(ctx);
	strbuf_release(&sb);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

/* ---- raw access to the file --------------------------------------------- */

static sqlite3 *raw_open(const char *db)
{
	sqlite3 *h = NULL;

	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	sqlite3_busy_timeout(h, 5000);
	return h;
}

static char *dup_col(sqlite3_stmt *s, int col)
{
	const unsigned char *v = sqlite3_column_text(s, col);
	return v ? xstrdup((const char *)v) : NULL;
}

/* One journal row read straight from the file. */
struct raw_row {
	int64_t seq;
	char *f[7]; /* time, actor, action, entity_type, entity_id, before, after */
	char *prev_hash, *hash;
};

static size_t raw_rows(const char *db, struct raw_row *rows, size_t max)
{
	sqlite3 *h = raw_open(db);
	sqlite3_stmt *s = NULL;
	size_t n = 0;

	assert_int_equal(sqlite3_prepare_v2(h,
					    "SELECT seq, time, actor, action, entity_type, entity_id, "
					    "before, after, prev_hash, hash FROM journal ORDER BY seq",
					    -1, &s, NULL),
			 SQLITE_OK);
	while (sqlite3_step(s) == SQLITE_ROW) {
		assert_true(n < max);
		rows[n].seq = sqlite3_column_int64(s, 0);
		for (int i = 0; i < 7; i++)
			rows[n].f[i] = dup_col(s, i + 1);
		rows[n].prev_hash = dup_col(s, 8);
		rows[n].hash = dup_col(s, 9);
		n++;
	}
	sqlite3_finalize(s);
	sqlite3_close(h);
	return n;
}

static void raw_rows_free(struct raw_row *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (int k = 0; k < 7; k++)
			free(rows[i].f[k]);
		free(rows[i].prev_hash);
		free(rows[i].hash);
	}
}

/* ---- tests ---------------------------------------------------------------- */

static void test_empty_journal(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct journal_verify_result res;
	char hash[JOURNAL_HASH_HEX];
	int64_t seq = -1;

	ASSERT_RC(0, journal_head(fx->st, &seq, hash, &err), err);
	assert_int_equal(seq, 0);
	assert_string_equal(hash, ZERO_HASH);
	ASSERT_RC(0, journal_verify(fx->st, NULL, &res, NULL, NULL, &err), err);
	assert_int_equal(res.entries, 0);
	assert_int_equal(res.first_bad, 0);
	assert_string_equal(res.head, ZERO_HASH);
}

/* Stored hashes equal an independent computation; the chain links up. */
static void test_hash_recomputed(void **state)
{
	struct testutil_fixture *fx = *state;
	struct raw_row rows[NENTRIES + 1];
	char want[JOURNAL_HASH_HEX];
	size_t n = raw_rows(fx->db, rows, ARRAY_SIZE(rows));

	assert_int_equal(n, NENTRIES);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(rows[i].seq, (int64_t)i + 1);
		assert_string_equal(rows[i].prev_hash, i ? rows[i - 1].hash : ZERO_HASH);
		/* The stored fields are what was appended (JSON canonicalised). */
		assert_string_equal(rows[i].f[1], seed[i].actor);
		assert_string_equal(rows[i].f[2], seed[i].action);
		assert_string_equal(rows[i].f[3], seed[i].entity_type);
		if (seed[i].entity_id)
			assert_string_equal(rows[i].f[4], seed[i].entity_id);
		else
			assert_null(rows[i].f[4]);
		if (!seed[i].before)
			assert_null(rows[i].f[5]);
		assert_non_null(rows[i].f[6]);

		reference_hash(rows[i].prev_hash, rows[i].seq, (const char *const *)rows[i].f, want);
		assert_string_equal(rows[i].hash, want);

		/* journal_entry_hash() agrees on the same entry. */
		struct journal_entry e = { .seq = rows[i].seq,
					   .time = rows[i].f[0],
					   .actor = rows[i].f[1],
					   .action = rows[i].f[2],
					   .entity_type = rows[i].f[3],
					   .entity_id = rows[i].f[4],
					   .before = rows[i].f[5],
					   .after = rows[i].f[6] };
		char got[JOURNAL_HASH_HEX];
		snprintf(e.prev_hash, sizeof(e.prev_hash), "%s", rows[i].prev_hash);
		assert_int_equal(journal_entry_hash(&e, got), 0);
		assert_string_equal(got, want);
	}
	/* Canonical JSON: keys sorted, compact. */
	assert_string_equal(rows[0].f[6], "{\"asset_tag\":\"fhej0002\",\"mac\":\"00:d4:9e:3c:3f:d9\"}");
	assert_string_equal(rows[5].f[6], "{\"added\":2,\"file\":\"devices.csv\"}");
	/* Time is RFC 3339 UTC with milliseconds. */
	assert_int_equal(strlen(rows[0].f[0]), 24);
	assert_int_equal(rows[0].f[0][23], 'Z');

	/* The head recorded in meta is the last entry. */
	char *meta_seq = NULL, *meta_hash = NULL;
	struct mamori_err err = { 0 };
	ASSERT_RC(0, store_meta_get(fx->st, "journal.head_seq", &meta_seq, &err), err);
	ASSERT_RC(0, store_meta_get(fx->st, "journal.head_hash", &meta_hash, &err), err);
	assert_string_equal(meta_seq, "6");
	assert_string_equal(meta_hash, rows[NENTRIES - 1].hash);
	int64_t seq = 0;
	char head[JOURNAL_HASH_HEX];
	ASSERT_RC(0, journal_head(fx->st, &seq, head, &err), err);
	assert_int_equal(seq, NENTRIES);
	assert_string_equal(head, rows[NENTRIES - 1].hash);
	free(meta_seq);
	free(meta_hash);
	raw_rows_free(rows, n);
}

/* The netstring lengths count bytes, and NULL differs from "" and from "~". */
static void test_entry_hash_fields(void **state)
{
	static const char *const variants[][7] = {
		{ "t", "a", "x", "device", NULL, NULL, NULL },
		{ "t", "a", "x", "device", "", NULL, NULL },
		{ "t", "a", "x", "device", "~", NULL, NULL },
		{ "t", "山田", "x", "device", NULL, NULL, NULL },
		{ "t", "a", "x", "device", NULL, NULL, "{}" },
		{ "t", "a", "x", "device", NULL, "{}", NULL },
		{ "t", "a,", "x", "device", NULL, NULL, NULL },
		{ "t", "a", ",x", "device", NULL, NULL, NULL },
	};
	char hashes[ARRAY_SIZE(variants)][JOURNAL_HASH_HEX];

	for (size_t i = 0; i < ARRAY_SIZE(variants); i++) {
		struct journal_entry e = { .seq = 3,
					   .time = (char *)variants[i][0],
					   .actor = (char *)variants[i][1],
					   .action = (char *)variants[i][2],
					   .entity_type = (char *)variants[i][3],
					   .entity_id = (char *)variants[i][4],
					   .before = (char *)variants[i][5],
					   .after = (char *)variants[i][6] };
		char want[JOURNAL_HASH_HEX];
		snprintf(e.prev_hash, sizeof(e.prev_hash), "%s",
			 "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff");
		assert_int_equal(journal_entry_hash(&e, hashes[i]), 0);
		reference_hash(e.prev_hash, e.seq, variants[i], want);
		assert_string_equal(hashes[i], want);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(hashes[k], hashes[i]))
				fail_msg("variants %zu and %zu hash alike", k, i);
	}

	/* prev_hash must be 64 lower-case hex digits. */
	static const char *const bad_prev[] = {
		"",
		"0011",
		"00112233445566778899aabbccddeeff00112233445566778899aabbccddeef",
		"00112233445566778899AABBCCDDEEFF00112233445566778899AABBCCDDEEFF",
		"g0112233445566778899aabbccddeeff00112233445566778899aabbccddeeff",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad_prev); i++) {
		struct journal_entry e = { .seq = 1, .time = "t", .actor = "a", .action = "x",
					   .entity_type = "device" };
		char out[JOURNAL_HASH_HEX];
		snprintf(e.prev_hash, sizeof(e.prev_hash), "%s", bad_prev[i]);
		if (journal_entry_hash(&e, out) != MAMORI_EINVAL)
			fail_msg("prev_hash \"%s\" accepted", bad_prev[i]);
	}
}

static void test_canonical_json(void **state)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "{\"b\": 1, \"a\": [true, null], \"c\": \"日本\"}",
		  "{\"a\":[true,null],\"b\":1,\"c\":\"日本\"}" },
		{ "{\"z\": {\"y\": 1, \"x\": 2}}", "{\"z\":{\"x\":2,\"y\":1}}" },
		{ "{}", "{}" },
		{ "\"scalar\"", "\"scalar\"" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		json_t *j = json_loads(cases[i].in, JSON_DECODE_ANY, NULL);
		assert_non_null(j);
		char *s = journal_canonical_json(j);
		assert_string_equal(s, cases[i].want);
		free(s);
		json_decref(j);
	}
}

static void test_verify_intact(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct journal_verify_result res;
	char head[JOURNAL_HASH_HEX];
	int64_t seq;

	ASSERT_RC(0, journal_head(fx->st, &seq, head, &err), err);
	ASSERT_RC(0, journal_verify(fx->st, NULL, &res, NULL, NULL, &err), err);
	assert_int_equal(res.entries, NENTRIES);
	assert_int_equal(res.first_bad, 0);
	assert_string_equal(res.head, head);
	assert_int_equal(res.expected_found, 0);
}

struct progress_log {
	int calls;
	int64_t last_done, last_total;
};

static void on_progress(int64_t done, int64_t total, void *ctx)
{
	struct progress_log *p = ctx;
	p->calls++;
	p->last_done = done;
	p->last_total = total;
}

static void test_verify_progress(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct journal_verify_result res;
	struct progress_log log = { 0 };

	ASSERT_RC(0, journal_verify(fx->st, NULL, &res, on_progress, &log, &err), err);
	assert_true(log.calls >= 1);
	assert_int_equal(log.last_done, NENTRIES);
	assert_int_equal(log.last_total, NENTRIES);
}

/* A rolled-back transaction leaves neither entry nor head behind. */
static void test_rollback_leaves_nothing(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct journal_verify_result res;
	char head[JOURNAL_HASH_HEX], head2[JOURNAL_HASH_HEX];
	int64_t seq, seq2;

	ASSERT_RC(0, journal_head(fx->st, &seq, head, &err), err);
	ASSERT_RC(0, store_begin(fx->st, &err), err);
	ASSERT_RC(0, journal_append(fx->st, "eve", "asset.add", "device", "9", NULL, NULL, NULL, &err),
		  err);
	ASSERT_RC(0, journal_head(fx->st, &seq2, head2, &err), err);
	assert_int_equal(seq2, seq + 1); /* visible inside the transaction */
	store_rollback(fx->st);
	ASSERT_RC(0, journal_head(fx->st, &seq2, head2, &err), err);
	assert_int_equal(seq2, seq);
	assert_string_equal(head2, head);
	ASSERT_RC(0, journal_verify(fx->st, NULL, &res, NULL, NULL, &err), err);
	assert_int_equal(res.entries, NENTRIES);

	/* The next append continues the chain without a gap. */
	ASSERT_RC(0, store_begin(fx->st, &err), err);
	int64_t s = 0;
	ASSERT_RC(0, journal_append(fx->st, "dave", "location.add", "location", "1", NULL, NULL, &s,
				    &err),
		  err);
	ASSERT_RC(0, store_commit(fx->st, &err), err);
	assert_int_equal(s, NENTRIES + 1);
	ASSERT_RC(0, journal_verify(fx->st, NULL, &res, NULL, NULL, &err), err);
	assert_int_equal(res.entries, NENTRIES + 1);
}

/* journal_append() outside a transaction is a programming error (BUG → abort). */
static void test_append_outside_tx_is_bug(void **state)
{
	struct testutil_fixture *fx = *state;
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		dup2(null, 2);
		journal_append(fx->st, "x", "asset.add", "device", "1", NULL, NULL, NULL, NULL);
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGABRT)
		fail_msg("journal_append outside a transaction did not abort (status %#x)", status);
	struct mamori_err err = { 0 };
	struct journal_verify_result res;
	ASSERT_RC(0, journal_verify(fx->st, NULL, &res, NULL, NULL, &err), err);
	assert_int_equal(res.entries, NENTRIES);
}

/* SQL for a forged entry after the last, with a correct hash: someone who
 * knows the algorithm but could not update the meta table. */
static char *forge_append_sql(const char *db, int valid_hash)
{
	struct raw_row rows[NENTRIES + 1];
	size_t n = raw_rows(db, rows, ARRAY_SIZE(rows));
	const char *f[7] = { "2026-11-21T05:01:45.123Z", "mallory", "asset.edit", "device", "1",
			     NULL, "{\"owner\":\"mallory\"}" };
	char hash[JOURNAL_HASH_HEX];

	if (valid_hash)
		reference_hash(rows[n - 1].hash, (int64_t)n + 1, f, hash);
	else
		snprintf(hash, sizeof(hash), "ff%.62s", ZERO_HASH);
	char *sql = xasprintf("INSERT INTO journal (seq, time, actor, action, entity_type, entity_id, "
			      "before, after, prev_hash, hash) VALUES (%zu, '%s', '%s', '%s', '%s', "
			      "'%s', NULL, '%s', '%s', '%s')",
			      n + 1, f[0], f[1], f[2], f[3], f[4], f[6], rows[n - 1].hash, hash);
	raw_rows_free(rows, n);
	return sql;
}

/* SQL that modifies entry seq and recomputes its hash (not the next link). */
static char *rehash_sql(const char *db, int64_t seq)
{
	struct raw_row rows[NENTRIES + 1];
	size_t n = raw_rows(db, rows, ARRAY_SIZE(rows));
	char hash[JOURNAL_HASH_HEX];
	size_t i = (size_t)seq - 1;

	free(rows[i].f[1]);
	rows[i].f[1] = xstrdup("mallory");
	reference_hash(rows[i].prev_hash, seq, (const char *const *)rows[i].f, hash);
	char *sql = xasprintf("UPDATE journal SET actor = 'mallory', hash = '%s' WHERE seq = %lld",
			      hash, (long long)seq);
	raw_rows_free(rows, n);
	return sql;
}

#define SWAP_SQL(a, b)                                                                        \
	"CREATE TEMP TABLE j2 AS SELECT * FROM journal WHERE seq IN (" #a ", " #b ");"           \
	"UPDATE journal SET time = o.time, actor = o.actor, action = o.action, "                 \
	"entity_type = o.entity_type, entity_id = o.entity_id, before = o.before, "              \
	"after = o.after, prev_hash = o.prev_hash, hash = o.hash FROM j2 o "                     \
	"WHERE journal.seq IN (" #a ", " #b ") AND o.seq = " #a " + " #b " - journal.seq"

static const struct tamper_case {
	const char *name;
	const char *sql; /* NULL: made by a function */
	int forge;       /* 1: forged valid entry; 2: forged junk entry; 3: rehash entry 5;
			    4: rehash the last entry */
	int64_t first_bad;
} tamper_cases[] = {
	{ "actor of a middle entry changed", "UPDATE journal SET actor = 'mallory' WHERE seq = 3", 0, 3 },
	{ "after JSON changed", "UPDATE journal SET after = '{\"asset_tag\":\"fhej9999\"}' WHERE seq = 4",
	  0, 4 },
	{ "entity_id nulled", "UPDATE journal SET entity_id = NULL WHERE seq = 2", 0, 2 },
	{ "time of the first entry changed",
	  "UPDATE journal SET time = '2000-01-01T00:00:00.000Z' WHERE seq = 1", 0, 1 },
	{ "before JSON added", "UPDATE journal SET before = '{}' WHERE seq = 6", 0, 6 },
	{ "hash of the last entry changed", "UPDATE journal SET hash = '" ZERO_HASH "' WHERE seq = 6",
	  0, 6 },
	{ "middle entry deleted", "DELETE FROM journal WHERE seq = 3", 0, 3 },
	{ "two middle entries deleted", "DELETE FROM journal WHERE seq IN (3, 4)", 0, 3 },
	{ "first entry deleted", "DELETE FROM journal WHERE seq = 1", 0, 1 },
	{ "last entry deleted", "DELETE FROM journal WHERE seq = 6", 0, 6 },
	{ "last two entries deleted", "DELETE FROM journal WHERE seq >= 5", 0, 5 },
	{ "entries 2 and 4 swapped (contents)", SWAP_SQL(2, 4), 0, 2 },
	{ "entries 5 and 6 swapped (contents)", SWAP_SQL(5, 6), 0, 5 },
	{ "entries 2 and 4 swapped (seq renumbered)",
	  "UPDATE journal SET seq = 100 WHERE seq = 2; UPDATE journal SET seq = 2 WHERE seq = 4;"
	  "UPDATE journal SET seq = 4 WHERE seq = 100",
	  0, 2 },
	{ "entry renumbered into a gap", "UPDATE journal SET seq = 7 WHERE seq = 6", 0, 6 },
	{ "forged entry appended with a junk hash", NULL, 2, 7 },
	{ "forged entry appended with a valid hash", NULL, 1, 7 },
	/* A rehashed entry is self-consistent; the break shows at the next link. */
	{ "middle entry modified and rehashed", NULL, 3, 6 },
	{ "last entry modified and rehashed", NULL, 4, 6 },
};

/* Every case runs; the failures are reported together at the end. */
static void test_verify_tampered(void **state)
{
	struct strbuf failures = STRBUF_INIT;

	for (size_t i = 0; i < ARRAY_SIZE(tamper_cases); i++) {
		const struct tamper_case *c = &tamper_cases[i];
		void *fxs = NULL;
		struct mamori_err err = { 0 };
		struct journal_verify_result res;
		char *sql = NULL;

		assert_int_equal(setup_seeded(&fxs), 0);
		struct testutil_fixture *fx = fxs;
		switch (c->forge) {
		case 0:
			sql = xstrdup(c->sql);
			break;
		case 1:
		case 2:
			sql = forge_append_sql(fx->db, c->forge == 1);
			break;
		case 3:
			sql = rehash_sql(fx->db, 5);
			break;
		case 4:
			sql = rehash_sql(fx->db, 6);
			break;
		}
		testutil_sqlite_exec(fx->db, sql);
		free(sql);

		memset(&res, 0x55, sizeof(res));
		int r = journal_verify(fx->st, NULL, &res, NULL, NULL, &err);
		char want[32];
		snprintf(want, sizeof(want), "#%lld", (long long)c->first_bad);
		if (r != MAMORI_ECHECK)
			strbuf_addf(&failures, "\n  %s: journal_verify = %d (%s), want MAMORI_ECHECK",
				    c->name, r, err.msg);
		else if (res.first_bad != c->first_bad)
			strbuf_addf(&failures, "\n  %s: first_bad = %lld, want %lld (%s)", c->name,
				    (long long)res.first_bad, (long long)c->first_bad, err.msg);
		else if (!strstr(err.msg, want))
			strbuf_addf(&failures, "\n  %s: message does not name %s: %s", c->name, want,
				    err.msg);
		/* A second run gives the same answer (verification changes nothing). */
		struct journal_verify_result res2;
		assert_int_equal(journal_verify(fx->st, NULL, &res2, NULL, NULL, NULL), MAMORI_ECHECK);
		assert_int_equal(res2.first_bad, res.first_bad);
		testutil_teardown(&fxs);
	}
	/* Released before failing, so that a failure is not also reported as a leak. */
	char msg[4096];
	snprintf(msg, sizeof(msg), "%s", failures.buf);
	strbuf_release(&failures);
	if (msg[0])
		fail_msg("tampering not reported as expected:%s", msg);
}

/* The head written down earlier must still be in the chain. */
static void test_expect_hash(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	struct journal_verify_result res;
	struct raw_row rows[NENTRIES + 1];
	size_t n = raw_rows(fx->db, rows, ARRAY_SIZE(rows));

	/* Any earlier head, and the current one, is found. */
	for (size_t i = 0; i < n; i++) {
		ASSERT_RC(0, journal_verify(fx->st, rows[i].hash, &res, NULL, NULL, &err), err);
		assert_int_equal(res.expected_found, 1);
		assert_int_equal(res.entries, NENTRIES);
	}

	/* A hash that is not in the chain (the chain itself being intact). */
	static const char *const absent[] = {
		ZERO_HASH,
		"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		"not even a hash",
	};
	for (size_t i = 0; i < ARRAY_SIZE(absent); i++) {
		ASSERT_RC(MAMORI_ECHECK, journal_verify(fx->st, absent[i], &res, NULL, NULL, &err),
			  err);
		assert_int_equal(res.expected_found, 0);
		assert_int_equal(res.first_bad, 0);
		assert_int_equal(res.entries, NENTRIES);
	}

	/* Rewriting the chain from entry 3 on (with valid hashes and a matching
	 * meta head) fools a check made with the store alone, but not one given
	 * the head that was written down before. */
	char *old_head = xstrdup(rows[n - 1].hash);
	char prev[JOURNAL_HASH_HEX];
	struct strbuf sql = STRBUF_INIT;
	snprintf(prev, sizeof(prev), "%s", rows[1].hash);
	for (size_t i = 2; i < n; i++) {
		char h[JOURNAL_HASH_HEX];
		free(rows[i].f[1]);
		rows[i].f[1] = xstrdup("mallory");
		reference_hash(prev, rows[i].seq, (const char *const *)rows[i].f, h);
		strbuf_addf(&sql,
			    "UPDATE journal SET actor = 'mallory', prev_hash = '%s', hash = '%s' "
			    "WHERE seq = %lld;",
			    prev, h, (long long)rows[i].seq);
		snprintf(prev, sizeof(prev), "%s", h);
	}
	strbuf_addf(&sql, "UPDATE meta SET value = '%s' WHERE key = 'journal.head_hash';", prev);
	testutil_sqlite_exec(fx->db, sql.buf);
	strbuf_release(&sql);
	ASSERT_RC(0, journal_verify(fx->st, NULL, &res, NULL, NULL, &err), err);
	assert_string_equal(res.head, prev);
	ASSERT_RC(MAMORI_ECHECK, journal_verify(fx->st, old_head, &res, NULL, NULL, &err), err);
	assert_int_equal(res.expected_found, 0);
	if (!strstr(err.msg, old_head))
		fail_msg("message does not name the expected hash: %s", err.msg);
	/* An early head, before the rewritten part, is still found. */
	ASSERT_RC(0, journal_verify(fx->st, rows[1].hash, &res, NULL, NULL, &err), err);
	assert_int_equal(res.expected_found, 1);
	free(old_head);
	raw_rows_free(rows, n);
}

/* ---- journal_list ----------------------------------------------------------- */

struct collect {
	struct strbuf seqs;
	int stop_after; /* 0: never */
	int calls;
};

static int collect_fn(const struct journal_entry *e, void *ctx)
{
	struct collect *c = ctx;

	c->calls++;
	strbuf_addf(&c->seqs, "%s%lld", c->seqs.len ? "," : "", (long long)e->seq);
	if (c->stop_after && c->calls >= c->stop_after)
		return -42;
	return 0;
}

static void test_list_filters(void **state)
{
	struct testutil_fixture *fx = *state;

	/* Fixed times so that "since" has something to cut: 2026-01-0N for seq N.
	 * (list does not verify, so rewriting times here does not matter.) */
	testutil_sqlite_exec(fx->db,
			     "UPDATE journal SET time = printf('2026-01-%02dT09:00:00.000Z', seq)");

	static const struct {
		const char *name;
		struct journal_filter f;
		const char *want;
	} cases[] = {
		{ "no filter", { 0 }, "1,2,3,4,5,6" },
		{ "entity type", { .entity_type = "device" }, "1,2,4,5" },
		{ "entity type and id", { .entity_type = "device", .entity_id = "1" }, "1,2,5" },
		{ "entity id alone", { .entity_id = "7" }, "3" },
		{ "unknown entity", { .entity_type = "contract" }, "" },
		{ "since date", { .since = "2026-01-04" }, "4,5,6" },
		{ "since exact time", { .since = "2026-01-03T09:00:00.000Z" }, "3,4,5,6" },
		{ "since a ms later", { .since = "2026-01-03T09:00:00.001Z" }, "4,5,6" },
		{ "since the future", { .since = "2027-01-01" }, "" },
		{ "action prefix", { .action = "asset." }, "1,2,4,5,6" },
		{ "action full", { .action = "asset.add" }, "1,4" },
		{ "action other", { .action = "vendor." }, "3" },
		{ "action prefix is not a pattern", { .action = "asset%" }, "" },
		{ "action prefix underscore", { .action = "asset_" }, "" },
		{ "action prefix Japanese-safe", { .action = "資産." }, "" },
		{ "limit keeps the newest", { .limit = 2 }, "5,6" },
		{ "limit with filter", { .entity_type = "device", .limit = 2 }, "4,5" },
		{ "limit larger than all", { .limit = 100 }, "1,2,3,4,5,6" },
		{ "all combined",
		  { .entity_type = "device", .since = "2026-01-02", .action = "asset.", .limit = 2 },
		  "4,5" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct collect c = { STRBUF_INIT, 0, 0 };
		struct mamori_err err = { 0 };
		ASSERT_RC(0, journal_list(fx->st, &cases[i].f, collect_fn, &c, &err), err);
		if (strcmp(c.seqs.buf, cases[i].want))
			fail_msg("%s: got [%s], want [%s]", cases[i].name, c.seqs.buf, cases[i].want);
		strbuf_release(&c.seqs);
	}

	/* A NULL filter lists everything. */
	struct collect all = { STRBUF_INIT, 0, 0 };
	struct mamori_err err = { 0 };
	ASSERT_RC(0, journal_list(fx->st, NULL, collect_fn, &all, &err), err);
	assert_string_equal(all.seqs.buf, "1,2,3,4,5,6");
	strbuf_release(&all.seqs);

	/* fn stops the walk with its code. */
	struct collect stop = { STRBUF_INIT, 2, 0 };
	ASSERT_RC(-42, journal_list(fx->st, NULL, collect_fn, &stop, &err), err);
	assert_int_equal(stop.calls, 2);
	assert_string_equal(stop.seqs.buf, "1,2");
	strbuf_release(&stop.seqs);
}

static int check_entries_fn(const struct journal_entry *e, void *ctx)
{
	const struct seed_entry *s = &seed[e->seq - 1];
	int *n = ctx;

	(*n)++;
	assert_string_equal(e->actor, s->actor);
	assert_string_equal(e->action, s->action);
	assert_string_equal(e->entity_type, s->entity_type);
	if (s->entity_id)
		assert_string_equal(e->entity_id, s->entity_id);
	else
		assert_null(e->entity_id);
	if (s->before)
		assert_non_null(e->before);
	else
		assert_null(e->before);
	assert_int_equal(strlen(e->hash), 64);
	assert_int_equal(strlen(e->prev_hash), 64);

	json_t *j = journal_entry_json(e);
	assert_int_equal(json_integer_value(json_object_get(j, "seq")), e->seq);
	assert_string_equal(json_string_value(json_object_get(j, "actor")), s->actor);
	assert_string_equal(json_string_value(json_object_get(j, "hash")), e->hash);
	/* before/after come back as JSON values, not strings. */
	assert_true(json_is_object(json_object_get(j, "after")));
	assert_true(s->before ? json_is_object(json_object_get(j, "before"))
			      : json_is_null(json_object_get(j, "before")));
	assert_true(s->entity_id ? json_is_string(json_object_get(j, "entity_id"))
				 : json_is_null(json_object_get(j, "entity_id")));
	json_t *want_after = json_loads(s->after, 0, NULL);
	assert_true(json_equal(json_object_get(j, "after"), want_after));
	json_decref(want_after);
	json_decref(j);
	return 0;
}

static void test_list_entry_contents(void **state)
{
	struct testutil_fixture *fx = *state;
	struct mamori_err err = { 0 };
	int n = 0;

	ASSERT_RC(0, journal_list(fx->st, NULL, check_entries_fn, &n, &err), err);
	assert_int_equal(n, NENTRIES);
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, testutil_teardown)
#define TS(fn) cmocka_unit_test_setup_teardown(fn, setup_seeded, testutil_teardown)
	const struct CMUnitTest tests[] = {
		T(test_empty_journal),
		TS(test_hash_recomputed),
		cmocka_unit_test(test_entry_hash_fields),
		cmocka_unit_test(test_canonical_json),
		TS(test_verify_intact),
		TS(test_verify_progress),
		TS(test_rollback_leaves_nothing),
		TS(test_append_outside_tx_is_bug),
		cmocka_unit_test(test_verify_tampered),
		TS(test_expect_hash),
		TS(test_list_filters),
		TS(test_list_entry_contents),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
