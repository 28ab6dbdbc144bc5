/*
 * test_logstore_postings.c - unit tests of the vault's search index
 * (src/core/logstore_postings.c): search through the window files and the
 * unposted rows across commits (every hit, in order, paged), time ranges
 * through the blocks' time bounds, verification catching a window file
 * altered or deleted to hide an access, and a writer killed past a window
 * boundary.
 */
#include "common.h"

#include <inttypes.h>
#include <setjmp.h>
#include <cmocka.h>
#include <sys/wait.h>
#include <unistd.h>

#include "logstore_int.h"
#include "testutil.h"

#define T0 ((int64_t)1775035815 * 1000000)
/* crosses two posting windows */
#define N (2 * LOGSTORE_POSTING_WINDOW + 7000)

static int setup(void **state)
{
	return testutil_setup_dir(state, "postings");
}

/* Event i: patient "PX" when i % 1000 == 7, user "u<i % 3>", time i ms
 * after T0 (none for every 11th). */
static bool is_px(uint64_t i)
{
	return i % 1000 == 7;
}

static void make(struct log_event *ev, uint64_t i)
{
	char msg[128];
	int n;

	log_event_init(ev);
	ev->recv_us = T0 + (int64_t)i * 1000;
	ev->time_us = i % 11 == 10 ? INT64_MIN : T0 + (int64_t)i * 1000;
	ev->via = LOG_VIA_TCP;
	ev->f.user = xasprintf("u%u", (unsigned)(i % 3));
	ev->f.patient = is_px(i) ? xstrdup("PX") : xasprintf("P%u", (unsigned)(i % 500));
	ev->f.action = xstrdup(i % 2 ? "view" : "update");
	ev->f.result = LOG_RESULT_SUCCESS;
	n = snprintf(msg, sizeof(msg), "<110>1 - ehr01 ehr - - - event %" PRIu64, i);
	log_event_seal(ev, "127.0.0.1", msg, (size_t)n);
}

static struct logstore *fill(struct testutil_fixture *f)
{
	struct mamori_err err = { 0 };
	struct logstore *ls = NULL;
	struct log_event evs[64];
	struct log_event *p[64];

	ASSERT_RC(0, logstore_open(&ls, f->vault, LOGSTORE_CREATE, &err), err);
	for (uint64_t i = 0; i < N; i += 64) {
		size_t k, m = N - i < 64 ? (size_t)(N - i) : 64;

		for (k = 0; k < m; k++) {
			make(&evs[k], i + k);
			p[k] = &evs[k];
		}
		ASSERT_RC(0, logstore_append(ls, p, m, NULL, &err), err);
		for (k = 0; k < m; k++)
			log_event_release(&evs[k]);
		/* commits at odd places, so that lists are cut at commits too */
		if (i % 10007 < 64)
			ASSERT_RC(0, logstore_commit(ls, &err), err);
	}
	ASSERT_RC(0, logstore_commit(ls, &err), err);
	return ls;
}

struct hits {
	uint64_t seq[N];
	size_t n;
};

static int collect(const struct logstore_hit *h, void *ctx)
{
	struct hits *hs = ctx;

	hs->seq[hs->n++] = h->seq;
	return 0;
}

static void test_search(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	struct logstore *ls = fill(f), *ro = NULL;
	struct logstore_query q;
	struct hits *hs = xcalloc(1, sizeof(*hs));
	int64_t next;
	size_t want = 0;

	logstore_close(ls);
	ASSERT_RC(0, logstore_open(&ro, f->vault, LOGSTORE_READONLY, &err), err);

	/* every PX event, newest first, 50 a page */
	logstore_query_init(&q);
	q.patient = "PX";
	q.limit = 50;
	do {
		ASSERT_RC(0, logstore_search(ro, &q, collect, hs, &next, &err), err);
		q.before = next;
	} while (next >= 0);
	for (uint64_t i = N; i-- > 0;)
		if (is_px(i)) {
			assert_true(want < hs->n);
			assert_int_equal(hs->seq[want], i);
			want++;
		}
	assert_int_equal(hs->n, want);

	/* PX by u1 (the rarer term drives, the other is checked on the row) */
	hs->n = 0;
	logstore_query_init(&q);
	q.patient = "PX";
	q.user = "u1";
	q.limit = 1000;
	ASSERT_RC(0, logstore_search(ro, &q, collect, hs, &next, &err), err);
	want = 0;
	for (uint64_t i = N; i-- > 0;)
		if (is_px(i) && i % 3 == 1)
			assert_int_equal(hs->seq[want++], i);
	assert_int_equal(hs->n, want);
	assert_int_equal(next, -1);

	/* a time range in the middle window, with no term */
	hs->n = 0;
	logstore_query_init(&q);
	q.from_us = T0 + (int64_t)70000 * 1000;
	q.to_us = T0 + (int64_t)70100 * 1000;
	q.limit = 1000;
	ASSERT_RC(0, logstore_search(ro, &q, collect, hs, &next, &err), err);
	want = 0;
	for (uint64_t i = 70099; i >= 70000; i--)
		if (i % 11 != 10)
			assert_int_equal(hs->seq[want++], i);
	assert_int_equal(hs->n, want);

	/* the same range for PX only, and a range in the unfinished block */
	hs->n = 0;
	q.patient = "PX";
	q.from_us = T0 + (int64_t)60000 * 1000;
	q.to_us = T0 + (int64_t)80000 * 1000;
	ASSERT_RC(0, logstore_search(ro, &q, collect, hs, &next, &err), err);
	want = 0;
	for (uint64_t i = 79999; i >= 60000; i--)
		if (is_px(i) && i % 11 != 10)
			assert_int_equal(hs->seq[want++], i);
	assert_int_equal(hs->n, want);
	hs->n = 0;
	logstore_query_init(&q);
	q.from_us = T0 + (int64_t)(N - 3) * 1000;
	ASSERT_RC(0, logstore_search(ro, &q, collect, hs, &next, &err), err);
	want = 0;
	for (uint64_t i = N - 1; i >= N - 3; i--)
		if (i % 11 != 10)
			assert_int_equal(hs->seq[want++], i);
	assert_int_equal(hs->n, want);

	logstore_close(ro);
	free(hs);
}

/* The path of window file win, and the patient directory entry of term
 * id in it: its offset in the file (0 when not there). */
static long find_entry(struct testutil_fixture *f, uint64_t win, uint32_t id, char *path, size_t plen,
		       uint32_t *start, uint32_t *post_off)
{
	uint8_t head[24 + 16 * LT_KINDS];
	uint32_t nterms, dir_off;
	FILE *fp;
	long at = 0;

	snprintf(path, plen, "%s/idx/w%010" PRIu64 ".idx", f->vault, win);
	fp = fopen(path, "rb");
	assert_non_null(fp);
	assert_int_equal(fread(head, 1, sizeof(head), fp), sizeof(head));
	memcpy(&nterms, head + 24 + 16 * (LT_PATIENT - 1), 4);
	memcpy(&dir_off, head + 24 + 16 * (LT_PATIENT - 1) + 4, 4);
	memcpy(post_off, head + 24 + 16 * (LT_PATIENT - 1) + 8, 4);
	for (uint32_t t = 0; t < nterms; t++) {
		uint32_t e[3];

		assert_int_equal(fseek(fp, (long)(dir_off + 12 * t), SEEK_SET), 0);
		assert_int_equal(fread(e, 4, 3, fp), 3);
		if (e[0] == id) {
			at = (long)(dir_off + 12 * t);
			*start = e[1];
		}
	}
	fclose(fp);
	return at;
}

static int copy_file(const char *from, const char *to)
{
	FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
	char buf[65536];
	size_t n;

	assert_non_null(a);
	assert_non_null(b);
	while ((n = fread(buf, 1, sizeof(buf), a)) > 0)
		assert_int_equal(fwrite(buf, 1, n, b), n);
	fclose(a);
	return fclose(b);
}

static void poke(const char *path, long at, const void *v, size_t n)
{
	FILE *fp = fopen(path, "r+b");

	assert_non_null(fp);
	assert_int_equal(fseek(fp, at, SEEK_SET), 0);
	assert_int_equal(fwrite(v, 1, n, fp), n);
	fclose(fp);
}

static void expect_bad(struct testutil_fixture *f, const char *what)
{
	struct mamori_err err = { 0 };
	struct logstore_verify_result res;
	struct logstore *ls = NULL;

	ASSERT_RC(0, logstore_open(&ls, f->vault, 0, &err), err);
	assert_int_equal(logstore_verify(ls, NULL, 0, NULL, NULL, &res, &err), MAMORI_ECHECK);
	assert_true(res.bad_seq >= 0);
	if (!strstr(res.reason, what))
		fail_msg("reason \"%s\" does not name %s", res.reason, what);
	logstore_close(ls);
}

static void test_verify_tamper(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	struct logstore_verify_result res;
	struct logstore *ls = fill(f);
	struct logstore_query q;
	char path[600], saved[640];
	uint32_t start = 0, post_off = 0, px, other;
	uint16_t o, o2;
	long at;
	sqlite3 *db;
	sqlite3_stmt *st;

	ASSERT_RC(0, logstore_verify(ls, NULL, 0, NULL, NULL, &res, &err), err);
	logstore_close(ls);
	snprintf(path, sizeof(path), "%s/index.db", f->vault);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id FROM log_term WHERE value = 'PX'", -1, &st,
					    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	px = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id FROM log_term WHERE value = 'P8'", -1, &st,
					    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	other = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);

	/* hide PX's first access of window 1: point its entry at the next
	 * event of the window instead */
	at = find_entry(f, 1, px, path, sizeof(path), &start, &post_off);
	assert_true(at > 0);
	snprintf(saved, sizeof(saved), "%s.saved", path);
	assert_int_equal(copy_file(path, saved), 0);
	{
		FILE *fp = fopen(path, "rb");

		assert_non_null(fp);
		assert_int_equal(fseek(fp, (long)(post_off + 2 * start), SEEK_SET), 0);
		assert_int_equal(fread(&o, 2, 1, fp), 1);
		fclose(fp);
	}
	o2 = (uint16_t)(o + 1);
	poke(path, (long)(post_off + 2 * start), &o2, 2);
	expect_bad(f, "患者ID");

	/* give PX's accesses of window 1 to another patient */
	assert_int_equal(copy_file(saved, path), 0);
	poke(path, at, &other, 4);
	expect_bad(f, "検索索引");

	/* delete the window file: the events of window 1 are no longer found */
	assert_int_equal(unlink(path), 0);
	expect_bad(f, "検索索引");
	ASSERT_RC(0, logstore_open(&ls, f->vault, LOGSTORE_READONLY, &err), err);
	logstore_query_init(&q);
	q.patient = "PX";
	q.limit = 1000;
	{
		struct hits *hs = xcalloc(1, sizeof(*hs));

		assert_int_equal(logstore_search(ls, &q, collect, hs, NULL, &err), MAMORI_ECHECK);
		free(hs);
	}
	logstore_close(ls);

	/* put it back: intact */
	assert_int_equal(rename(saved, path), 0);
	ASSERT_RC(0, logstore_open(&ls, f->vault, 0, &err), err);
	ASSERT_RC(0, logstore_verify(ls, NULL, 0, NULL, NULL, &res, &err), err);
	logstore_close(ls);
}

/* A writer killed after appending past a window boundary: reopening
 * indexes the records again and writes the window's file. */
static void test_crash(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	struct logstore_verify_result res;
	struct logstore *ls = NULL;
	struct logstore_query q;
	struct hits *hs = xcalloc(1, sizeof(*hs));
	pid_t pid = fork();
	int status;
	size_t want = 0;

	assert_true(pid >= 0);
	if (pid == 0) {
		struct log_event ev, *p = &ev;

		if (logstore_open(&ls, f->vault, LOGSTORE_CREATE, &err) < 0)
			_exit(2);
		for (uint64_t i = 0; i < LOGSTORE_POSTING_WINDOW + 500; i++) {
			make(&ev, i);
			if (logstore_append(ls, &p, 1, NULL, &err) < 0)
				_exit(3);
			log_event_release(&ev);
			if (i == 1000 && logstore_commit(ls, &err) < 0)
				_exit(4);
		}
		if (logstore_sync(ls, &err) < 0)
			_exit(5);
		_exit(0); /* no commit, no close: as if killed */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ASSERT_RC(0, logstore_open(&ls, f->vault, 0, &err), err);
	assert_int_equal(logstore_size(ls), LOGSTORE_POSTING_WINDOW + 500);
	ASSERT_RC(0, logstore_verify(ls, NULL, 0, NULL, NULL, &res, &err), err);
	logstore_close(ls);
	ASSERT_RC(0, logstore_open(&ls, f->vault, LOGSTORE_READONLY, &err), err);
	logstore_query_init(&q);
	q.patient = "PX";
	q.limit = 1000;
	ASSERT_RC(0, logstore_search(ls, &q, collect, hs, NULL, &err), err);
	for (uint64_t i = LOGSTORE_POSTING_WINDOW + 500; i-- > 0;)
		if (is_px(i))
			assert_int_equal(hs->seq[want++], i);
	assert_int_equal(hs->n, want);
	logstore_close(ls);
	free(hs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_search, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_verify_tamper, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_crash, setup, testutil_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
