/*
 * fuzz_logwindow.c - libFuzzer target for the search-index window files of
 * the access-log vault (idx/w<window>.idx, logstore_postings.c): the only
 * file of the vault that a search reads by offsets it finds in the file
 * itself.
 *
 * Once per process a vault of one full window is built (65,536 events, the
 * first WITH_TERMS of them with a user, patient, host and action, the rest
 * with none, so that its window file is small); its window file is kept.
 * Each input replaces that file; then, on a fresh read-only handle:
 *   - searches by every user and patient (and one that does not exist)
 *     run to the end: no crash, no read outside the file, each hit within
 *     the vault, results 0 or an error with a message;
 *   - when a search gives other events than with the file as written,
 *     logstore_verify() must fail (a window that verifies is one that
 *     searches right); it also runs on one input in 16, on any file.
 */
#include "common.h"

#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <unistd.h>

#include "logevent.h"
#include "logstore.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NEVENTS 65536u /* LOGSTORE_POSTING_WINDOW: one window, posted */
#define WITH_TERMS 24u

static const char *const users[] = { "D001", "N002", "U003" };
static const char *const patients[] = { "P-1", "P-2", "P-3", "P-4" };
/* the queries: each user, each patient, and one of each that is nowhere */
#define NQUERIES 9

static char tmpdir[256];
static char vault[300];
static char window[340];
static struct strbuf truth[NQUERIES]; /* the seqs each query finds, as text */

static void query(int i, struct logstore_query *q)
{
	logstore_query_init(q);
	q->limit = 1000;
	if (i < 3)
		q->user = users[i];
	else if (i < 7)
		q->patient = patients[i - 3];
	else if (i == 7)
		q->user = "nobody";
	else
		q->patient = "P-0";
}

static int collect(const struct logstore_hit *h, void *ctx)
{
	struct strbuf *sb = ctx;

	CHECK(h->seq < NEVENTS);
	strbuf_addf(sb, "%" PRIu64 " ", h->seq);
	return 0;
}

/* Runs every query on ls into out[]; 0 when all answered. */
static int search_all(struct logstore *ls, struct strbuf *out)
{
	int failed = 0;

	for (int i = 0; i < NQUERIES; i++) {
		struct mamori_err err = { 0 };
		struct logstore_query q;
		int64_t next;
		int r;

		query(i, &q);
		strbuf_reset(&out[i]);
		r = logstore_search(ls, &q, collect, &out[i], &next, &err);
		CHECK(r == 0 || err.msg[0]);
		if (r)
			failed = 1;
	}
	return failed;
}

/* For the seed corpus: FUZZ_LOGWINDOW_SEED=FILE receives the window file
 * as written. */
static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ssize_t n;

	CHECK(in >= 0 && out >= 0);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		CHECK(write(out, buf, (size_t)n) == n);
	CHECK(n == 0);
	close(in);
	close(out);
}

static int remove_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
	(void)sb;
	(void)type;
	(void)ftw;
	return remove(path);
}

static void remove_vault(void)
{
	nftw(tmpdir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void build(void)
{
	struct mamori_err err = { 0 };
	struct logstore *ls = NULL;
	const char *tmp = getenv("TMPDIR");

	snprintf(tmpdir, sizeof(tmpdir), "%s/fuzz-logwindow-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	CHECK(mkdtemp(tmpdir));
	snprintf(vault, sizeof(vault), "%s/v.logs", tmpdir);
	CHECK(logstore_open(&ls, vault, LOGSTORE_CREATE, &err) == 0);
	for (uint32_t i = 0; i < NEVENTS; i++) {
		struct log_event ev, *p = &ev;
		char msg[64];
		uint64_t first;
		int n;

		log_event_init(&ev);
		ev.recv_us = INT64_C(1795100400000000) + i;
		ev.time_us = ev.recv_us;
		ev.via = LOG_VIA_FILE;
		if (i < WITH_TERMS) {
			ev.f.user = xstrdup(users[i % 3]);
			ev.f.patient = xstrdup(patients[i % 4]);
			ev.f.host = xstrdup("ehr01");
			ev.f.action = xstrdup(i % 2 ? "view" : "edit");
		}
		n = snprintf(msg, sizeof(msg), "event %" PRIu32, i);
		log_event_seal(&ev, "fuzz", msg, (size_t)n);
		CHECK(logstore_append(ls, &p, 1, &first, &err) == 0);
		log_event_release(&ev);
	}
	CHECK(logstore_commit(ls, &err) == 0);
	logstore_close(ls);
	snprintf(window, sizeof(window), "%s/idx/w0000000000.idx", vault); /* window 0 */
	CHECK(access(window, R_OK) == 0);
	ls = NULL;
	CHECK(logstore_open(&ls, vault, LOGSTORE_READONLY, &err) == 0);
	for (int i = 0; i < NQUERIES; i++)
		strbuf_init(&truth[i]);
	CHECK(search_all(ls, truth) == 0);
	CHECK(truth[0].len > 0 && truth[3].len > 0 && truth[7].len == 0);
	logstore_close(ls);
	if (getenv("FUZZ_LOGWINDOW_SEED"))
		copy_file(window, getenv("FUZZ_LOGWINDOW_SEED"));
	atexit(remove_vault);
}

static uint32_t fnv1a(const uint8_t *d, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ d[i]) * 16777619u;
	return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool built;
	struct strbuf got[NQUERIES];
	struct logstore_verify_result res;
	struct mamori_err err = { 0 };
	struct logstore *ls = NULL;
	bool differ = false;
	int fd, r, failed;

	if (!built) {
		build();
		built = true;
	}
	fd = open(window, O_WRONLY | O_TRUNC | O_CREAT, 0600);
	CHECK(fd >= 0);
	CHECK(write(fd, data, size) == (ssize_t)size);
	close(fd);

	r = logstore_open(&ls, vault, LOGSTORE_READONLY, &err);
	CHECK(r == 0 || (r == MAMORI_ECHECK && ls));
	for (int i = 0; i < NQUERIES; i++)
		strbuf_init(&got[i]);
	failed = search_all(ls, got);
	for (int i = 0; i < NQUERIES; i++)
		if (got[i].len != truth[i].len || memcmp(got[i].buf, truth[i].buf, got[i].len))
			differ = true;
	/* verify walks all 65,536 events: it runs where it matters, on a file
	 * that searched without an error but not as written (it must fail
	 * then), and on one input in 16 of the others, for its own reading of
	 * any file */
	if ((!failed && differ) || fnv1a(data, size) % 16 == 0) {
		r = logstore_verify(ls, NULL, 0, NULL, NULL, &res, &err);
		CHECK(r == 0 || r == MAMORI_ECHECK || r == MAMORI_EIO);
		CHECK(r == 0 || err.msg[0]);
		CHECK(r != 0 || (!failed && !differ));
	}
	for (int i = 0; i < NQUERIES; i++)
		strbuf_release(&got[i]);
	logstore_close(ls);
	return 0;
}
