/*
 * test_logstore.c - unit tests of the access-log vault (src/core/logstore*.c):
 * append, commit and reopen; recovery after a crash (records beyond the
 * committed size, a torn tail); checkpoints; inclusion proofs across block
 * boundaries checked with no store; consistency proofs; verification of an
 * intact store and of stores tampered in the segments, the index and the
 * checkpoints; search; a full disk (RLIMIT_FSIZE).  A benchmark of append
 * and verify runs when MAMORI_LOGSTORE_BENCH is set (number of events).
 */
#include "common.h"

#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <sodium.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "logstore_int.h"
#include "testutil.h"

#define T0 ((int64_t)1775035815 * 1000000)

static int setup(void **state)
{
	return testutil_setup_dir(state, "logstore");
}

static const char *users[] = { "yamada", "sato", "suzuki", NULL };
static const char *patients[] = { "P-0001", "P-0002", "P-0003", "P-0004", NULL };

/* Event i: deterministic fields. */
static void make_event(struct log_event *ev, uint64_t i)
{
	char msg[256];
	int n;

	log_event_init(ev);
	ev->recv_us = T0 + (int64_t)i * 1000;
	ev->time_us = i % 7 == 6 ? INT64_MIN : T0 + (int64_t)i * 1000 - 500;
	ev->via = (enum log_via)(i % 4);
	ev->flags = (unsigned)(i % 3);
	if (users[i % 4])
		ev->f.user = xstrdup(users[i % 4]);
	if (patients[i % 5])
		ev->f.patient = xstrdup(patients[i % 5]);
	ev->f.host = xstrdup(i % 2 ? "ehr01" : "ehr02");
	ev->f.action = xstrdup(i % 3 ? "view" : "login");
	ev->f.result = (enum log_result)(i % 3);
	ev->f.source = xasprintf("10.0.%u.%u", (unsigned)(i / 256 % 256), (unsigned)(i % 256));
	ev->f.rule = "test";
	n = snprintf(msg, sizeof(msg),
		     "<86>1 2026-04-01T09:30:15Z ehr01 ehr - - - user=%s patient=%s seq=%" PRIu64
		     " padding-padding-padding-padding-padding-padding-padding-padding",
		     ev->f.user ? ev->f.user : "-", ev->f.patient ? ev->f.patient : "-", i);
	log_event_seal(ev, "192.0.2.10:514", msg, (size_t)n);
}

static struct logstore *open_vault(struct testutil_fixture *f, int flags)
{
	struct mamori_err err = { 0 };
	struct logstore *ls = NULL;

	ASSERT_RC(0, logstore_open(&ls, f->vault, flags, &err), err);
	return ls;
}

static void append_n(struct logstore *ls, uint64_t from, uint64_t n)
{
	struct mamori_err err = { 0 };
	struct log_event ev;
	uint64_t first;

	for (uint64_t i = from; i < from + n; i++) {
		struct log_event *p = &ev;

		make_event(&ev, i);
		ASSERT_RC(0, logstore_append(ls, &p, 1, &first, &err), err);
		assert_int_equal(first, i);
		log_event_release(&ev);
	}
}

static struct logstore *filled(struct testutil_fixture *f, uint64_t n)
{
	struct mamori_err err = { 0 };
	struct logstore *ls = open_vault(f, LOGSTORE_CREATE);

	append_n(ls, 0, n);
	ASSERT_RC(0, logstore_commit(ls, &err), err);
	return ls;
}

static void seg_path(struct testutil_fixture *f, char *out, size_t n)
{
	snprintf(out, n, "%s/seg-00000001.log", f->vault);
}

static off_t file_size(const char *p)
{
	struct stat sb;

	assert_int_equal(stat(p, &sb), 0);
	return sb.st_size;
}

/* ---- append, commit, reopen ----------------------------------------------------------- */

static int count_hit(const struct logstore_hit *h, void *ctx)
{
	(void)h;
	(*(size_t *)ctx)++;
	return 0;
}

/* One writer per vault: a second writable open is refused naming the
 * holder; readers are not affected; the lock goes with the handle. */
static void test_writer_lock(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	struct logstore *w = open_vault(f, LOGSTORE_CREATE), *w2 = NULL, *ro = NULL;
	char want[64];
	int64_t pid = 0;

	assert_int_equal(logstore_writer_pid(f->vault, &pid), 1);
	assert_int_equal(pid, (int64_t)getpid());
	assert_int_equal(logstore_open(&w2, f->vault, 0, &err), MAMORI_ECONFLICT);
	assert_null(w2);
	snprintf(want, sizeof(want), "pid %ld", (long)getpid());
	assert_non_null(strstr(err.msg, want));
	assert_non_null(strstr(err.msg, "書き込み中"));
	ASSERT_RC(0, logstore_open(&ro, f->vault, LOGSTORE_READONLY, &err), err);
	logstore_close(ro);
	logstore_close(w);
	assert_int_equal(logstore_writer_pid(f->vault, &pid), 0);
	w2 = open_vault(f, 0);
	logstore_close(w2);
}

static void test_append_reopen(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	struct logstore *ls;
	struct stat sb;
	char p[600];
	uint8_t root1[MERKLE_HASH_LEN], root2[MERKLE_HASH_LEN];
	struct log_event ev;
	struct log_event *evs[3];
	struct log_event three[3];

	ls = open_vault(f, LOGSTORE_CREATE);
	assert_int_equal(logstore_size(ls), 0);
	testutil_assert_contains(logstore_origin(ls), "mamori.local/");
	assert_int_equal(strlen(logstore_origin(ls)), strlen("mamori.local/") + 16);
	append_n(ls, 0, 10);
	/* a batch of three */
	for (int i = 0; i < 3; i++) {
		make_event(&three[i], 10 + (uint64_t)i);
		evs[i] = &three[i];
	}
	{
		uint64_t first;

		ASSERT_RC(0, logstore_append(ls, evs, 3, &first, &err), err);
		assert_int_equal(first, 10);
	}
	for (int i = 0; i < 3; i++)
		log_event_release(&three[i]);
	assert_int_equal(logstore_size(ls), 13);
	assert_int_equal(logstore_durable(ls), 0);
	ASSERT_RC(0, logstore_sync(ls, &err), err);
	assert_int_equal(logstore_durable(ls), 13);
	ASSERT_RC(0, logstore_commit(ls, &err), err);
	merkle_frontier_root(&ls->fr, root1);
	logstore_close(ls);

	snprintf(p, sizeof(p), "%s/signing.key", f->vault);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);

	ls = open_vault(f, 0);
	assert_int_equal(logstore_size(ls), 13);
	merkle_frontier_root(&ls->fr, root2);
	assert_memory_equal(root1, root2, MERKLE_HASH_LEN);
	/* the root is that of the leaves */
	{
		uint8_t leaves[13][MERKLE_HASH_LEN];

		for (uint64_t i = 0; i < 13; i++) {
			make_event(&ev, i);
			memcpy(leaves[i], ev.leaf, MERKLE_HASH_LEN);
			log_event_release(&ev);
		}
		merkle_root((const uint8_t(*)[MERKLE_HASH_LEN])leaves, 13, root2);
		assert_memory_equal(root1, root2, MERKLE_HASH_LEN);
	}
	logstore_close(ls);

	/* read-only handle, and a missing vault */
	ls = open_vault(f, LOGSTORE_READONLY);
	assert_int_equal(logstore_size(ls), 13);
	{
		struct logstore_query q;
		size_t n = 0;

		logstore_query_init(&q);
		ASSERT_RC(0, logstore_search(ls, &q, count_hit, &n, NULL, &err), err);
		assert_int_equal(n, 13);
	}
	assert_int_equal(logstore_append(ls, evs, 0, NULL, &err), MAMORI_EINVAL);
	logstore_close(ls);
	{
		struct logstore *none = NULL;
		char other[600];

		snprintf(other, sizeof(other), "%s/nope.logs", f->dir);
		assert_int_equal(logstore_open(&none, other, 0, &err), MAMORI_ENOTFOUND);
		assert_null(none);
	}
	/* signing key readable by others: refused */
	chmod(p, 0644);
	{
		struct logstore *x = NULL;

		assert_int_equal(logstore_open(&x, f->vault, 0, &err), MAMORI_EIO);
		testutil_assert_contains(err.msg, "chmod 600");
		assert_null(x);
	}
	chmod(p, 0600);
	{
		struct strbuf d = STRBUF_INIT;

		logstore_dir_for("/var/lib/mamori/mamori.db", &d);
		assert_string_equal(d.buf, "/var/lib/mamori/mamori.logs");
		logstore_dir_for("/x/data", &d);
		assert_string_equal(d.buf, "/x/data.logs");
		strbuf_release(&d);
	}
}

/* ---- recovery ------------------------------------------------------------------------ */

static void test_recovery(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	struct logstore *ls = filled(f, 5);
	struct logstore_verify_result res;
	char p[600];
	off_t before;
	int fd;

	/* records past the committed size: synced, not committed (a crash
	 * between fdatasync and the index commit) */
	append_n(ls, 5, 4);
	ASSERT_RC(0, logstore_sync(ls, &err), err);
	/* simulate the crash: the index transaction is lost */
	sqlite3_exec(ls->db, "ROLLBACK", NULL, NULL, NULL);
	ls->in_txn = false;
	ls->readonly = true; /* so that close does not commit */
	logstore_close(ls);

	/* and a torn record at the end */
	seg_path(f, p, sizeof(p));
	before = file_size(p);
	fd = open(p, O_WRONLY | O_APPEND);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "\x00\x00\x01\x00MAMORI-LOG 1\nrecv", 21), 21);
	close(fd);

	ls = open_vault(f, 0);
	assert_int_equal(logstore_size(ls), 9);
	assert_int_equal(file_size(p), before);
	ASSERT_RC(0, logstore_verify(ls, NULL, 0, NULL, NULL, &res, &err), err);
	assert_int_equal(res.events, 9);
	logstore_close(ls);
	ls = open_vault(f, LOGSTORE_READONLY);
	assert_int_equal(logstore_size(ls), 9);
	logstore_close(ls);

	/* segments shorter than the committed size */
	assert_int_equal(truncate(p, before - 10), 0);
	ls = NULL;
	assert_int_equal(logstore_open(&ls, f->vault, 0, &err), MAMORI_ECHECK);
	testutil_assert_contains(err.msg, "mamori log verify");
	assert_non_null(ls); /* read-only, for inspection */
	assert_int_equal(logstore_verify(ls, NULL, 0, NULL, NULL, &res, &err), MAMORI_ECHECK);
	assert_int_equal(res.bad_seq, 8);
	logstore_close(ls);
}

/* ---- checkpoints and proofs ------------------------------------------------------------- */

static void test_checkpoint(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	struct logstore *ls = filled(f, 7);
	struct strbuf note = STRBUF_INIT, latest = STRBUF_INIT, vk = STRBUF_INIT;
	struct checkpoint_verifier v;
	struct checkpoint c;
	char p[600];
	FILE *fp;
	char line[256];

	assert_int_equal(logstore_checkpoint_latest(ls, &latest, &err), MAMORI_ENOTFOUND);
	ASSERT_RC(0, logstore_checkpoint(ls, &note, &err), err);
	ASSERT_RC(0, logstore_checkpoint_latest(ls, &latest, &err), err);
	assert_string_equal(note.buf, latest.buf);
	logstore_vkey(ls, &vk);
	ASSERT_RC(0, checkpoint_vkey_parse(vk.buf, &v, &err), err);
	assert_string_equal(v.name, logstore_origin(ls));
	checkpoint_init(&c);
	ASSERT_RC(0, checkpoint_open(note.buf, note.len, &v, &c, &err), err);
	assert_int_equal(c.size, 7);
	testutil_assert_contains(c.ext, "mamori-time ");
	{
		uint8_t root[MERKLE_HASH_LEN];

		merkle_frontier_root(&ls->fr, root);
		assert_memory_equal(root, c.root, MERKLE_HASH_LEN);
	}
	checkpoint_release(&c);
	snprintf(p, sizeof(p), "%s/checkpoints.txt", f->vault);
	fp = fopen(p, "r");
	assert_non_null(fp);
	assert_non_null(fgets(line, sizeof(line), fp));
	assert_memory_equal(line, "mamori.local/", 13);
	fclose(fp);
	logstore_close(ls);
	/* the read-only handle has the vkey without the secret key */
	ls = open_vault(f, LOGSTORE_READONLY);
	strbuf_reset(&latest);
	ASSERT_RC(0, logstore_checkpoint_latest(ls, &latest, &err), err);
	ASSERT_RC(0, checkpoint_open(latest.buf, latest.len, logstore_verifier(ls), &c, &err), err);
	checkpoint_release(&c);
	assert_int_equal(logstore_checkpoint(ls, NULL, &err), MAMORI_EINVAL);
	logstore_close(ls);
	strbuf_release(&note);
	strbuf_release(&latest);
	strbuf_release(&vk);
}

static void prove_ok(struct logstore *ls, uint64_t seq)
{
	struct mamori_err err = { 0 };
	struct strbuf doc = STRBUF_INIT, vk = STRBUF_INIT;
	struct log_event ev, want;
	uint64_t got = 0;
	bool self = false;

	ASSERT_RC(0, logstore_prove(ls, seq, NULL, 0, &doc, &err), err);
	log_event_init(&ev);
	ASSERT_RC(0, logstore_proof_verify(doc.buf, doc.len, NULL, NULL, 0, &ev, &got, &self, &err),
		  err);
	assert_int_equal(got, seq);
	assert_true(self);
	make_event(&want, seq);
	assert_int_equal(ev.record.len, want.record.len);
	assert_memory_equal(ev.record.buf, want.record.buf, want.record.len);
	logstore_vkey(ls, &vk);
	ASSERT_RC(0, logstore_proof_verify(doc.buf, doc.len, vk.buf, NULL, 0, NULL, NULL, &self, &err),
		  err);
	assert_false(self);
	log_event_release(&ev);
	log_event_release(&want);
	strbuf_release(&doc);
	strbuf_release(&vk);
}

static void test_proofs(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	struct logstore *ls = filled(f, 1);
	uint64_t sizes[] = { 1, 2, 3, 1023, 1024, 1025, 2047, 2048, 2049, 3000, 4100 };
	uint64_t have = 1;

	for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
		uint64_t n = sizes[s];
		uint64_t idx[] = { 0, n / 2, n - 1, n > 1025 ? 1024 : 0, n > 2100 ? 2047 : 0 };

		append_n(ls, have, n - have);
		have = n;
		for (size_t k = 0; k < ARRAY_SIZE(idx); k++)
			prove_ok(ls, idx[k]);
	}
	assert_int_equal(logstore_size(ls), 4100);
	/* a proof against an older checkpoint */
	{
		struct strbuf old = STRBUF_INIT, doc = STRBUF_INIT, vk = STRBUF_INIT;
		struct log_event ev;

		ASSERT_RC(0, logstore_checkpoint_latest(ls, &old, &err), err);
		append_n(ls, 4100, 50);
		ASSERT_RC(0, logstore_prove(ls, 17, old.buf, old.len, &doc, &err), err);
		logstore_vkey(ls, &vk);
		ASSERT_RC(0, logstore_proof_verify(doc.buf, doc.len, vk.buf, old.buf, old.len, NULL,
						   NULL, NULL, &err),
			  err);
		/* tampered record in the document */
		{
			char *rec = strstr(doc.buf, "record ");
			size_t at = (size_t)(rec - doc.buf) + 7 + 40;

			doc.buf[at] = doc.buf[at] == 'A' ? 'B' : 'A';
			log_event_init(&ev);
			assert_int_not_equal(logstore_proof_verify(doc.buf, doc.len, vk.buf, NULL, 0,
								   &ev, NULL, NULL, &err),
					     0);
			log_event_release(&ev);
			doc.buf[at] = doc.buf[at] == 'A' ? 'B' : 'A';
		}
		/* a record changed and re-encoded consistently fails the proof */
		{
			struct strbuf doc2 = STRBUF_INIT, rec = STRBUF_INIT;
			struct log_event e17;
			char *p, *q;
			size_t b64;

			make_event(&e17, 17);
			strbuf_add(&rec, e17.record.buf, e17.record.len);
			p = strstr(rec.buf, "patient ");
			p[8] = 'X';
			q = strstr(doc.buf, "record ") + 7;
			strbuf_add(&doc2, doc.buf, (size_t)(q - doc.buf));
			b64 = sodium_base64_ENCODED_LEN(rec.len, sodium_base64_VARIANT_ORIGINAL);
			strbuf_grow(&doc2, b64);
			sodium_bin2base64(doc2.buf + doc2.len, b64, (unsigned char *)rec.buf, rec.len,
					  sodium_base64_VARIANT_ORIGINAL);
			doc2.len += b64 - 1;
			strbuf_addstr(&doc2, strchr(q, '\n'));
			assert_int_equal(logstore_proof_verify(doc2.buf, doc2.len, vk.buf, NULL, 0,
							       NULL, NULL, NULL, &err),
					 MAMORI_ECHECK);
			log_event_release(&e17);
			strbuf_release(&doc2);
			strbuf_release(&rec);
		}
		/* the wrong key */
		{
			struct checkpoint_signer other;
			struct strbuf ovk = STRBUF_INIT;

			ASSERT_RC(0, checkpoint_keygen(logstore_origin(ls), &other, &err), err);
			checkpoint_vkey_format(&other.v, &ovk);
			assert_int_equal(logstore_proof_verify(doc.buf, doc.len, ovk.buf, NULL, 0, NULL,
							       NULL, NULL, &err),
					 MAMORI_ECHECK);
			checkpoint_signer_wipe(&other);
			strbuf_release(&ovk);
		}
		/* malformed */
		assert_int_equal(logstore_proof_verify("MAMORI-LOG-PROOF 2\n", 19, NULL, NULL, 0, NULL,
						       NULL, NULL, &err),
				 MAMORI_EINVAL);
		strbuf_release(&old);
		strbuf_release(&doc);
		strbuf_release(&vk);
	}
	/* consistency */
	{
		uint64_t pairs[][2] = { { 0, 5 }, { 1, 1 }, { 5, 4150 }, { 1024, 2048 }, { 1500, 4100 },
					{ 2048, 4150 }, { 3000, 3001 } };

		for (size_t i = 0; i < ARRAY_SIZE(pairs); i++) {
			struct strbuf out = STRBUF_INIT;
			uint8_t rm[MERKLE_HASH_LEN], rn[MERKLE_HASH_LEN];
			uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
			size_t n = 0;
			char *line, *save = NULL;

			ASSERT_RC(0, logstore_consistency(ls, pairs[i][0], pairs[i][1], &out, rm, rn, &err),
				  err);
			for (line = strtok_r(out.buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
				ASSERT_RC(0, merkle_hash_from_hex(line, proof[n++], &err), err);
			ASSERT_RC(0, merkle_consistency_verify(pairs[i][0], pairs[i][1], rm, rn,
							       (const uint8_t(*)[MERKLE_HASH_LEN])proof,
							       n, &err),
				  err);
			strbuf_release(&out);
		}
		{
			struct strbuf out = STRBUF_INIT;
			uint8_t rm[MERKLE_HASH_LEN], rn[MERKLE_HASH_LEN];

			assert_int_equal(logstore_consistency(ls, 5, 5000, &out, rm, rn, &err),
					 MAMORI_EINVAL);
			strbuf_release(&out);
		}
	}
	logstore_close(ls);
}

/* ---- verification ------------------------------------------------------------------------- */

static void verify_ok(struct logstore *ls, uint64_t n)
{
	struct mamori_err err = { 0 };
	struct logstore_verify_result res;

	ASSERT_RC(0, logstore_verify(ls, NULL, 0, NULL, NULL, &res, &err), err);
	assert_int_equal(res.events, n);
	assert_int_equal(res.bad_seq, -1);
	assert_string_equal(res.reason, "");
}

static void verify_bad(struct testutil_fixture *f, int64_t seq, const char *says)
{
	struct mamori_err err = { 0 };
	struct logstore_verify_result res;
	struct logstore *ls = NULL;

	logstore_open(&ls, f->vault, LOGSTORE_READONLY, &err);
	assert_non_null(ls);
	assert_int_equal(logstore_verify(ls, NULL, 0, NULL, NULL, &res, &err), MAMORI_ECHECK);
	if (res.bad_seq != seq)
		fail_msg("bad_seq %" PRId64 ", want %" PRId64 " (%s)", res.bad_seq, seq, res.reason);
	testutil_assert_contains(res.reason, says);
	testutil_assert_contains(err.msg, says);
	logstore_close(ls);
}

static void flip(const char *path, off_t at)
{
	int fd = open(path, O_RDWR);
	char c;

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &c, 1, at), 1);
	c ^= 0x20;
	assert_int_equal(pwrite(fd, &c, 1, at), 1);
	close(fd);
}

static off_t record_off(struct logstore *ls, uint64_t seq)
{
	struct mamori_err err = { 0 };
	const struct logstore_entry *e;

	ASSERT_RC(0, logstore_entry_get(ls, seq, &e, &err), err);
	return (off_t)e->off;
}

/* The index of an event tampered with: its entry in events.idx. */
static void entry_io(const struct testutil_fixture *f, uint64_t seq, struct logstore_entry *e, bool write)
{
	char path[600];
	int fd;

	snprintf(path, sizeof(path), "%s/events.idx", f->vault);
	fd = open(path, O_RDWR);
	assert_true(fd >= 0);
	if (write)
		assert_int_equal(pwrite(fd, e, sizeof(*e), (off_t)(seq * LOGSTORE_ENTRY_LEN)),
				 (ssize_t)sizeof(*e));
	else
		assert_int_equal(pread(fd, e, sizeof(*e), (off_t)(seq * LOGSTORE_ENTRY_LEN)),
				 (ssize_t)sizeof(*e));
	close(fd);
}

#define EDIT_ENTRY(f, seq, change)                          \
	do {                                                \
		struct logstore_entry e_;                   \
		struct logstore_entry *e = &e_;             \
		entry_io((f), (seq), &e_, false);           \
		change;                                     \
		entry_io((f), (seq), &e_, true);            \
	} while (0)

/* The id of term (kind, value) in the vault's log_term. */
static uint32_t term_of(const struct testutil_fixture *f, int kind, const char *value)
{
	char path[600];
	sqlite3 *db;
	sqlite3_stmt *st;
	uint32_t id;

	snprintf(path, sizeof(path), "%s/index.db", f->vault);
	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT id FROM log_term WHERE kind = ? AND value = ?",
					    -1, &st, NULL),
			 SQLITE_OK);
	sqlite3_bind_int(st, 1, kind);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	id = (uint32_t)sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return id;
}

static void test_verify(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	struct logstore *ls = filled(f, 2500);
	char p[600], db[600];
	off_t off, msg_at;

	verify_ok(ls, 2500);
	ASSERT_RC(0, logstore_checkpoint(ls, NULL, &err), err);
	verify_ok(ls, 2500);
	seg_path(f, p, sizeof(p));
	snprintf(db, sizeof(db), "%s/index.db", f->vault);

	/* a flipped byte in the message of event 1500 */
	off = record_off(ls, 1500);
	msg_at = record_off(ls, 1501) - 5; /* in the message of 1500 */
	logstore_close(ls);
	flip(p, msg_at);
	verify_bad(f, 1500, "番号 1500 のイベント (seg-00000001.log 位置 ");
	verify_bad(f, 1500, "書き換えられています");
	flip(p, msg_at);
	/* a flipped byte in its header: the record no longer parses or
	 * differs from the index */
	flip(p, off + 4 + 3);
	verify_bad(f, 1500, "番号 1500");
	flip(p, off + 4 + 3);

	/* an index entry edited: another patient */
	EDIT_ENTRY(f, 1200, e->term[1] = term_of(f, LT_PATIENT, "P-0003"));
	verify_bad(f, 1200, "患者ID");
	EDIT_ENTRY(f, 1200, e->term[1] = term_of(f, LT_PATIENT, "P-0001"));
	/* make sure it is back */
	ls = open_vault(f, LOGSTORE_READONLY);
	verify_ok(ls, 2500);
	logstore_close(ls);
	/* a term's value edited: every row using it, the first named */
	testutil_sqlite_exec(db, "UPDATE log_term SET value = 'tanaka' WHERE kind = 1 AND value = 'sato'");
	verify_bad(f, 1, "利用者が索引 (\"tanaka\") と記録 (\"sato\") で違います");
	testutil_sqlite_exec(db, "UPDATE log_term SET value = 'sato' WHERE kind = 1 AND value = 'tanaka'");
	/* a cached block hash */
	testutil_sqlite_exec(db, "UPDATE log_block SET hash = zeroblob(32) WHERE block = 1");
	verify_bad(f, 1024, "ブロック 1");
	testutil_sqlite_exec(db, "DELETE FROM log_block WHERE block = 1");
	verify_bad(f, 1024, "ブロック 1");
	ls = open_vault(f, 0); /* writable: proofs recompute missing blocks */
	prove_ok(ls, 1500);
	logstore_close(ls);
	{
		/* put the block back from the leaves */
		struct logstore *w = open_vault(f, 0);
		struct merkle_source src;
		uint8_t h[MERKLE_HASH_LEN];
		sqlite3_stmt *st;

		logstore_source(w, &src);
		ASSERT_RC(0, merkle_range_hash(&src, 1024, 2048, h, &err), err);
		assert_int_equal(sqlite3_prepare_v2(w->db, "INSERT INTO log_block(block, hash) VALUES (1, ?)", -1, &st, NULL),
				 SQLITE_OK);
		sqlite3_bind_blob(st, 1, h, MERKLE_HASH_LEN, SQLITE_STATIC);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
		sqlite3_finalize(st);
		verify_ok(w, 2500);
		logstore_close(w);
	}
	/* a stored checkpoint whose root differs */
	testutil_sqlite_exec(db, "UPDATE log_checkpoint SET root = zeroblob(32)");
	verify_bad(f, -1, "根が署名された内容と違います");
	testutil_sqlite_exec(db, "DELETE FROM log_checkpoint");
	ls = open_vault(f, LOGSTORE_READONLY);
	verify_ok(ls, 2500);
	logstore_close(ls);

	/* the last record deleted from the segment */
	ls = open_vault(f, 0);
	off = record_off(ls, 2499);
	logstore_close(ls);
	assert_int_equal(truncate(p, off), 0);
	verify_bad(f, 2499, "最後のイベントが失われたか削除されました");
}

static void test_verify_external(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	struct logstore *ls = filled(f, 300);
	struct logstore_verify_result res;
	struct strbuf note = STRBUF_INIT;
	char p[600];

	ASSERT_RC(0, logstore_checkpoint(ls, &note, &err), err);
	append_n(ls, 300, 20);
	ASSERT_RC(0, logstore_commit(ls, &err), err);
	ASSERT_RC(0, logstore_verify(ls, note.buf, note.len, NULL, NULL, &res, &err), err);
	assert_int_equal(res.checkpoint_size, 300);
	/* the stored checkpoint is deleted and an old event rewritten with its
	 * index row: only the off-host checkpoint can tell */
	{
		off_t off = record_off(ls, 11) - 5; /* in the message of 10 */
		char db[600];

		logstore_close(ls);
		snprintf(db, sizeof(db), "%s/index.db", f->vault);
		testutil_sqlite_exec(db, "DELETE FROM log_checkpoint");
		seg_path(f, p, sizeof(p));
		flip(p, off);
		/* recompute the entry's leaf to hide the change */
		ls = open_vault(f, 0);
		{
			struct strbuf rec = STRBUF_INIT;
			uint8_t leaf[MERKLE_HASH_LEN];

			ASSERT_RC(0, logstore_read_record(ls, 10, &rec, &err), err);
			merkle_leaf_hash(rec.buf, rec.len, leaf);
			EDIT_ENTRY(f, 10, memcpy(e->leaf, leaf, MERKLE_HASH_LEN));
			strbuf_release(&rec);
		}
		ASSERT_RC(0, logstore_verify(ls, NULL, 0, NULL, NULL, &res, &err), err);
		assert_int_equal(logstore_verify(ls, note.buf, note.len, NULL, NULL, &res, &err),
				 MAMORI_ECHECK);
		testutil_assert_contains(res.reason, "渡されたチェックポイント (大きさ 300)");
		/* and proving against it says the store was altered */
		{
			struct strbuf doc = STRBUF_INIT;

			assert_int_equal(logstore_prove(ls, 5, note.buf, note.len, &doc, &err),
					 MAMORI_ECHECK);
			strbuf_release(&doc);
		}
	}
	logstore_close(ls);
	strbuf_release(&note);
}

/* Escaped values, dates and peers that verification's fast path reads in
 * place (or leaves to log_event_parse()): an intact store passes, and an
 * index that differs from the records is named at the right event. */
static const char *const odd_users[] = {
	"DOMAIN\\tanaka", "-", "山田", "a\tb\001c\177", "bad\xff\xfe", "x\\ny",
};

static void test_verify_fields(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	struct logstore *ls = open_vault(f, LOGSTORE_CREATE);
	char db[600];

	for (uint64_t i = 0; i < 12; i++) {
		struct log_event ev, *p = &ev;
		char msg[64];
		int n;

		log_event_init(&ev);
		ev.recv_us = T0 + (int64_t)i * 3 * 3600 * 1000000; /* over several days */
		ev.time_us = i % 3 == 0 ? INT64_MIN
			     : i % 3 == 1 ? (int64_t)978307200 * 1000000 + (int64_t)i /* 2001 */
					  : ev.recv_us - 1;
		ev.via = (enum log_via)(i % 4);
		ev.flags = (unsigned)i * 1000;
		ev.f.user = xstrdup(odd_users[i % 6]);
		ev.f.host = xstrdup(i % 2 ? "ehr\\01" : "ehr02");
		ev.f.result = (enum log_result)(i % 3);
		ev.f.rule = i % 2 ? "rule\\1" : NULL;
		n = snprintf(msg, sizeof(msg), "line %" PRIu64 "\nsecond line", i);
		log_event_seal(&ev, i % 2 ? "C:\\logs\\a.csv" : "192.0.2.1", msg, (size_t)n);
		ASSERT_RC(0, logstore_append(ls, &p, 1, NULL, &err), err);
		log_event_release(&ev);
	}
	ASSERT_RC(0, logstore_commit(ls, &err), err);
	verify_ok(ls, 12);
	logstore_close(ls);
	snprintf(db, sizeof(db), "%s/index.db", f->vault);

	testutil_sqlite_exec(db, "UPDATE log_term SET value = 'DOMAIN/tanaka' WHERE value = 'DOMAIN\\tanaka'");
	verify_bad(f, 0, "利用者が索引 (\"DOMAIN/tanaka\") と記録 (\"DOMAIN\\tanaka\") で違います");
	testutil_sqlite_exec(db, "UPDATE log_term SET value = 'DOMAIN\\tanaka' WHERE value = 'DOMAIN/tanaka'");
	testutil_sqlite_exec(db, "UPDATE log_term SET value = '\\x2d' WHERE kind = 1 AND value = '-'");
	verify_bad(f, 1, "利用者が索引 (\"\\x2d\") と記録 (\"-\") で違います");
	testutil_sqlite_exec(db, "UPDATE log_term SET value = '-' WHERE kind = 1 AND value = '\\x2d'");
	testutil_sqlite_exec(db, "UPDATE log_term SET value = '山' WHERE value = '山田'");
	verify_bad(f, 2, "利用者が索引 (\"山\") と記録 (\"山田\") で違います");
	testutil_sqlite_exec(db, "UPDATE log_term SET value = '山田' WHERE value = '山'");
	testutil_sqlite_exec(db, "UPDATE log_term SET value = 'a' || char(9) || 'b' || char(1) || 'c' "
				 "WHERE value = 'a' || char(9) || 'b' || char(1) || 'c' || char(127)");
	verify_bad(f, 3, "利用者が索引");
	testutil_sqlite_exec(db, "UPDATE log_term SET value = 'a' || char(9) || 'b' || char(1) || 'c' "
				 "|| char(127) WHERE value = 'a' || char(9) || 'b' || char(1) || 'c'");
	testutil_sqlite_exec(db, "UPDATE log_term SET value = CAST(x'626164ff' AS TEXT) "
				 "WHERE value = CAST(x'626164fffe' AS TEXT)");
	verify_bad(f, 4, "利用者が索引");
	testutil_sqlite_exec(db, "UPDATE log_term SET value = CAST(x'626164fffe' AS TEXT) "
				 "WHERE value = CAST(x'626164ff' AS TEXT)");
	testutil_sqlite_exec(db, "UPDATE log_term SET value = 'x' || char(10) || 'y' WHERE value = 'x\\ny'");
	verify_bad(f, 5, "利用者が索引");
	testutil_sqlite_exec(db, "UPDATE log_term SET value = 'x\\ny' WHERE value = 'x' || char(10) || 'y'");
	testutil_sqlite_exec(db, "UPDATE log_term SET value = 'ehr/01' WHERE value = 'ehr\\01'");
	verify_bad(f, 1, "端末/ホストが索引 (\"ehr/01\") と記録 (\"ehr\\01\") で違います");
	testutil_sqlite_exec(db, "UPDATE log_term SET value = 'ehr\\01' WHERE value = 'ehr/01'");
	/* times on a later day and in 2001 */
	EDIT_ENTRY(f, 10, e->time_us += 1);
	verify_bad(f, 10, "発生時刻が索引と記録で違います");
	EDIT_ENTRY(f, 10, e->time_us -= 1);
	EDIT_ENTRY(f, 11, e->time_us = INT64_MIN);
	verify_bad(f, 11, "発生時刻が索引と記録で違います");
	EDIT_ENTRY(f, 11, e->time_us = e->recv_us - 1);
	EDIT_ENTRY(f, 9, e->recv_us += 86400000000);
	verify_bad(f, 9, "受信時刻が索引と記録で違います");
	EDIT_ENTRY(f, 9, e->recv_us -= 86400000000);
	EDIT_ENTRY(f, 7, e->flags = 0);
	verify_bad(f, 7, "フラグが索引と記録で違います");
	EDIT_ENTRY(f, 7, e->flags = 7000);
	EDIT_ENTRY(f, 6, e->via = 3);
	verify_bad(f, 6, "受信経路が索引と記録で違います");
	EDIT_ENTRY(f, 6, e->via = 2);
	EDIT_ENTRY(f, 8, e->result = 0);
	verify_bad(f, 8, "結果が索引 (0) と記録 (failure) で違います");
	EDIT_ENTRY(f, 8, e->result = 2);
	EDIT_ENTRY(f, 3, e->term[1] = e->term[0]);
	verify_bad(f, 3, "索引の患者IDが存在しない語");
	EDIT_ENTRY(f, 3, e->term[1] = 0);
	/* a term where the record says none */
	testutil_sqlite_exec(db, "INSERT INTO log_term(kind, value) VALUES (2, 'P-9')");
	EDIT_ENTRY(f, 5, e->term[1] = term_of(f, LT_PATIENT, "P-9"));
	verify_bad(f, 5, "患者IDが索引 (\"P-9\") と記録 (\"-\") で違います");
	EDIT_ENTRY(f, 5, e->term[1] = 0);
	ls = open_vault(f, LOGSTORE_READONLY);
	verify_ok(ls, 12);
	logstore_close(ls);
}

/* Many events: several segments and read batches, blocks cut by a batch,
 * a checkpoint inside a block; the first problem is named wherever it is. */
static void test_verify_batches(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	struct logstore *ls;
	struct logstore_verify_result res;
	struct strbuf note = STRBUF_INIT;
	char db[600];
	const uint64_t n = 36000, cp = 33333;

	logstore_segment_limit = 3 * 1024 * 1024;
	ls = open_vault(f, LOGSTORE_CREATE);
	append_n(ls, 0, cp);
	ASSERT_RC(0, logstore_checkpoint(ls, &note, &err), err);
	append_n(ls, cp, n - cp);
	ASSERT_RC(0, logstore_commit(ls, &err), err);
	verify_ok(ls, n);
	ASSERT_RC(0, logstore_verify(ls, note.buf, note.len, NULL, NULL, &res, &err), err);
	assert_int_equal(res.checkpoint_size, cp);
	logstore_close(ls);
	snprintf(db, sizeof(db), "%s/index.db", f->vault);

	EDIT_ENTRY(f, 30000, e->term[1] = term_of(f, LT_PATIENT, "P-0003"));
	verify_bad(f, 30000, "患者ID");
	/* an earlier one in the other batch comes first */
	EDIT_ENTRY(f, 1025, e->flags = 9);
	verify_bad(f, 1025, "フラグ");
	EDIT_ENTRY(f, 1025, e->flags = 2);
	EDIT_ENTRY(f, 30000, e->term[1] = term_of(f, LT_PATIENT, "P-0001"));
	/* a missing entry in the middle (zeroed) */
	{
		struct logstore_entry keep, zero = { 0 };

		entry_io(f, 24000, &keep, false);
		entry_io(f, 24000, &zero, true);
		verify_bad(f, 24000, "索引にこのイベントの行がありません");
		entry_io(f, 24000, &keep, true);
	}
	ls = open_vault(f, LOGSTORE_READONLY);
	verify_ok(ls, n);
	logstore_close(ls);
	/* a broken record length in the second batch, found while the first
	 * batch is being checked: an earlier problem in the first batch is
	 * still the one named, and the length once that one is mended */
	{
		struct logstore_entry at;
		char seg[600];
		uint8_t keep[4], bad_len[4] = { 0xff, 0xff, 0xff, 0xff };
		int fd;

		entry_io(f, 35000, &at, false);
		snprintf(seg, sizeof(seg), "%s/seg-%08" PRIu32 ".log", f->vault, at.seg);
		fd = open(seg, O_RDWR);
		assert_true(fd >= 0);
		assert_int_equal(pread(fd, keep, 4, (off_t)at.off), 4);
		assert_int_equal(pwrite(fd, bad_len, 4, (off_t)at.off), 4);
		EDIT_ENTRY(f, 1025, e->flags = 9);
		verify_bad(f, 1025, "フラグ");
		EDIT_ENTRY(f, 1025, e->flags = 2);
		verify_bad(f, 35000, "記録の長さ");
		assert_int_equal(pwrite(fd, keep, 4, (off_t)at.off), 4);
		close(fd);
	}
	ls = open_vault(f, LOGSTORE_READONLY);
	verify_ok(ls, n);
	logstore_close(ls);
	/* a block hash in the second batch, and the checkpoint */
	testutil_sqlite_exec(db, "UPDATE log_block SET hash = zeroblob(32) WHERE block = 30");
	verify_bad(f, 30 * 1024, "ブロック 30");
	testutil_sqlite_exec(db, "UPDATE log_checkpoint SET root = zeroblob(32)");
	verify_bad(f, -1, "根が署名された内容と違います");
	strbuf_release(&note);
	logstore_segment_limit = LOGSTORE_SEGMENT_BYTES;
}

/* A vault written before events.idx: its entries are copied from its
 * log_event table on the first writable open, and it verifies. */
static void test_legacy_table(void **state)
{
	struct testutil_fixture *f = *state;
	struct logstore *ls = filled(f, 1500);
	char db[600], path[600];
	sqlite3 *h;
	sqlite3_stmt *st;

	logstore_close(ls);
	snprintf(db, sizeof(db), "%s/index.db", f->vault);
	testutil_sqlite_exec(db, "CREATE TABLE log_event(seq INTEGER PRIMARY KEY, recv_us INTEGER NOT NULL,"
				 " time_us INTEGER, via INTEGER NOT NULL, flags INTEGER NOT NULL, user_id INTEGER,"
				 " patient_id INTEGER, host_id INTEGER, action_id INTEGER, source_id INTEGER,"
				 " result INTEGER NOT NULL, seg INTEGER NOT NULL, off INTEGER NOT NULL,"
				 " len INTEGER NOT NULL, leaf BLOB NOT NULL)");
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "BEGIN", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "INSERT INTO log_event VALUES (?, ?, ?, ?, ?, ?, ?, ?,"
					       " ?, ?, ?, ?, ?, ?, ?)", -1, &st, NULL),
			 SQLITE_OK);
	for (uint64_t seq = 0; seq < 1500; seq++) {
		struct logstore_entry e;

		entry_io(f, seq, &e, false);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, (int64_t)seq);
		sqlite3_bind_int64(st, 2, e.recv_us);
		if (e.time_us == INT64_MIN)
			sqlite3_bind_null(st, 3);
		else
			sqlite3_bind_int64(st, 3, e.time_us);
		sqlite3_bind_int(st, 4, e.via);
		sqlite3_bind_int64(st, 5, e.flags);
		for (int k = 0; k < LT_KINDS; k++)
			if (e.term[k])
				sqlite3_bind_int64(st, 6 + k, e.term[k]);
			else
				sqlite3_bind_null(st, 6 + k);
		sqlite3_bind_int(st, 11, e.result);
		sqlite3_bind_int64(st, 12, e.seg);
		sqlite3_bind_int64(st, 13, (int64_t)e.off);
		sqlite3_bind_int64(st, 14, e.len);
		sqlite3_bind_blob(st, 15, e.leaf, MERKLE_HASH_LEN, SQLITE_TRANSIENT);
		assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	}
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_exec(h, "COMMIT", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(h);
	snprintf(path, sizeof(path), "%s/events.idx", f->vault);
	assert_int_equal(unlink(path), 0);

	ls = open_vault(f, 0);
	assert_false(ls->broken);
	append_n(ls, 1500, 10);
	verify_ok(ls, 1510);
	logstore_close(ls);
	ls = open_vault(f, LOGSTORE_READONLY);
	verify_ok(ls, 1510);
	logstore_close(ls);
}

/* ---- search --------------------------------------------------------------------------------- */

struct collect {
	uint64_t seqs[2000];
	size_t n;
	const char *want_user, *want_patient;
};

static int collect_hit(const struct logstore_hit *h, void *ctx)
{
	struct collect *c = ctx;
	struct log_event ev;

	make_event(&ev, h->seq);
	assert_int_equal(h->recv_us, ev.recv_us);
	assert_int_equal(h->time_us, ev.time_us);
	assert_int_equal(h->message_len, ev.record.len - ev.msg_off);
	assert_memory_equal(h->message, ev.record.buf + ev.msg_off, h->message_len);
	assert_string_equal(h->peer, "192.0.2.10:514");
	if (c->want_user)
		assert_string_equal(h->user, c->want_user);
	if (c->want_patient)
		assert_string_equal(h->patient, c->want_patient);
	log_event_release(&ev);
	c->seqs[c->n++] = h->seq;
	return 0;
}

static void test_search(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	struct logstore *ls = filled(f, 600);
	struct logstore_query q;
	struct collect c;
	int64_t next;
	size_t total = 0;

	/* user sato (i % 4 == 1), patient P-0002 (i % 5 == 1), result failure (i % 3 == 2) */
	logstore_query_init(&q);
	q.user = "sato";
	q.patient = "P-0002";
	q.result = LOG_RESULT_FAILURE;
	q.limit = 7;
	memset(&c, 0, sizeof(c));
	c.want_user = "sato";
	c.want_patient = "P-0002";
	next = 0;
	while (next != -1) {
		ASSERT_RC(0, logstore_search(ls, &q, collect_hit, &c, &next, &err), err);
		q.before = next;
	}
	for (uint64_t i = 600; i-- > 0;)
		if (i % 4 == 1 && i % 5 == 1 && i % 3 == 2)
			assert_int_equal(c.seqs[total++], i);
	assert_int_equal(c.n, total);
	assert_true(total > 7);

	/* a time range: event times T0 + i ms - 500 µs, none when i % 7 == 6 */
	logstore_query_init(&q);
	q.from_us = T0 + 100 * 1000 - 500;
	q.to_us = T0 + 200 * 1000 - 500;
	q.host = "ehr01";
	q.action = "view";
	q.limit = 1000;
	memset(&c, 0, sizeof(c));
	ASSERT_RC(0, logstore_search(ls, &q, collect_hit, &c, &next, &err), err);
	assert_int_equal(next, -1);
	total = 0;
	for (uint64_t i = 200; i-- > 100;)
		if (i % 7 != 6 && i % 2 == 1 && i % 3 != 0)
			assert_int_equal(c.seqs[total++], i);
	assert_int_equal(c.n, total);

	/* unknown terms: nothing */
	logstore_query_init(&q);
	q.patient = "P-9999";
	memset(&c, 0, sizeof(c));
	ASSERT_RC(0, logstore_search(ls, &q, collect_hit, &c, &next, &err), err);
	assert_int_equal(c.n, 0);
	/* a value that looks like SQL is just a value */
	q.patient = "' OR 1=1 --";
	ASSERT_RC(0, logstore_search(ls, &q, collect_hit, &c, &next, &err), err);
	assert_int_equal(c.n, 0);
	/* bad limit */
	logstore_query_init(&q);
	q.limit = LOGSTORE_PAGE_MAX + 1;
	assert_int_equal(logstore_search(ls, &q, collect_hit, &c, &next, &err), MAMORI_EINVAL);
	/* get */
	memset(&c, 0, sizeof(c));
	ASSERT_RC(0, logstore_get(ls, 42, collect_hit, &c, &err), err);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.seqs[0], 42);
	assert_int_equal(logstore_get(ls, 600, collect_hit, &c, &err), MAMORI_ENOTFOUND);
	/* uncommitted appends are visible to the writer's own search */
	append_n(ls, 600, 1);
	memset(&c, 0, sizeof(c));
	ASSERT_RC(0, logstore_get(ls, 600, collect_hit, &c, &err), err);
	assert_int_equal(c.n, 1);
	logstore_close(ls);
}

/* Appends event from..from+n, its terms hashed ahead (logstore_event_terms())
 * by ls for i % 4 == 0, by other for i % 4 == 1, not at all for i % 4 ==
 * 2, and for i % 4 == 3 hashed ahead, then its user changed to "tanaka-ichiro"
 * and resealed (which must drop the stale hashes). */
static void append_terms_mixed(struct logstore *ls, const struct logstore *other, uint64_t from,
			       uint64_t n)
{
	struct mamori_err err = { 0 };

	for (uint64_t i = from; i < from + n; i++) {
		struct log_event ev, *p = &ev;
		struct strbuf msg = STRBUF_INIT;

		make_event(&ev, i);
		switch (i % 4) {
		case 0:
			logstore_event_terms(ls, &ev);
			assert_true(ev.terms.seed != 0);
			break;
		case 1:
			logstore_event_terms(other, &ev);
			break;
		case 3:
			logstore_event_terms(ls, &ev);
			free(ev.f.user);
			ev.f.user = xstrdup("tanaka-ichiro");
			strbuf_add(&msg, ev.record.buf + ev.msg_off, ev.record.len - ev.msg_off);
			log_event_seal(&ev, "192.0.2.10:514", msg.buf, msg.len);
			assert_int_equal(ev.terms.seed, 0);
			break;
		}
		ASSERT_RC(0, logstore_append(ls, &p, 1, NULL, &err), err);
		log_event_release(&ev);
		strbuf_release(&msg);
	}
}

static int user_hit(const struct logstore_hit *h, void *ctx)
{
	struct collect *c = ctx;

	if (c->want_user)
		assert_string_equal(h->user, c->want_user);
	c->seqs[c->n++] = h->seq;
	return 0;
}

/* The events of user are exactly those of the 600 whose i % 4 is rem, newest first. */
static void expect_user_events(struct logstore *ls, const char *user, uint64_t rem)
{
	struct mamori_err err = { 0 };
	struct logstore_query q;
	struct collect c;
	int64_t next;
	size_t k = 0;

	logstore_query_init(&q);
	q.user = user;
	q.limit = 1000;
	memset(&c, 0, sizeof(c));
	c.want_user = user;
	ASSERT_RC(0, logstore_search(ls, &q, user_hit, &c, &next, &err), err);
	for (uint64_t i = 600; i-- > 0;)
		if (i % 4 == rem)
			assert_int_equal(c.seqs[k++], i);
	assert_int_equal(c.n, k);
}

/* Terms hashed ahead by a receiving thread, by another handle, not at all,
 * or gone stale index the same; so do terms the table knows but the
 * reopened vault has not cached yet, which keep their ids. */
static void test_terms_ahead(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	struct logstore *ls = open_vault(f, LOGSTORE_CREATE), *other;
	struct logstore_query q;
	struct collect c;
	sqlite3_stmt *st;
	int64_t next;

	other = open_vault(f, LOGSTORE_READONLY);
	append_terms_mixed(ls, other, 0, 300);
	ASSERT_RC(0, logstore_commit(ls, &err), err);
	logstore_close(ls);
	ls = open_vault(f, 0);
	append_terms_mixed(ls, other, 300, 300);
	ASSERT_RC(0, logstore_commit(ls, &err), err);

	/* sato: i % 4 == 1 (never resealed to tanaka-ichiro) */
	expect_user_events(ls, "sato", 1);
	/* tanaka-ichiro: i % 4 == 3, whose stale hashes said "suzuki" */
	expect_user_events(ls, "tanaka-ichiro", 3);
	/* suzuki: i % 4 == 2 only (never hashed ahead) */
	expect_user_events(ls, "suzuki", 2);
	/* patient P-0003 (i % 5 == 2), across the reopen */
	logstore_query_init(&q);
	q.patient = "P-0003";
	q.limit = 1000;
	memset(&c, 0, sizeof(c));
	ASSERT_RC(0, logstore_search(ls, &q, user_hit, &c, &next, &err), err);
	assert_int_equal(c.n, 120);

	/* one row per term: 4 users, 4 patients, 2 hosts, 2 actions, 600 sources */
	assert_int_equal(sqlite3_prepare_v2(ls->db, "SELECT count(*), count(DISTINCT kind || ' ' || value)"
						    " FROM log_term", -1, &st, NULL),
			 SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(st, 0), 612);
	assert_int_equal(sqlite3_column_int(st, 1), 612);
	sqlite3_finalize(st);
	logstore_close(ls);
	logstore_close(other);
}

/* ---- disk full ------------------------------------------------------------------------------ */

static void test_disk_full(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	struct logstore *ls = filled(f, 10);
	struct rlimit old, lim;
	struct log_event ev;
	struct log_event *p = &ev;
	char seg[600];
	off_t before;
	int r = 0;
	uint64_t i;

	seg_path(f, seg, sizeof(seg));
	before = file_size(seg);
	signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	lim = old;
	lim.rlim_cur = (rlim_t)before + 2000;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	/* appends buffer; the sync fails */
	append_n(ls, 10, 20);
	r = logstore_sync(ls, &err);
	assert_int_equal(r, MAMORI_EIO);
	testutil_assert_contains(err.msg, "ディスクの空きがありません: ");
	testutil_assert_contains(err.msg, "seg-00000001.log");
	assert_int_equal(logstore_durable(ls), 10);
	assert_int_equal(logstore_commit(ls, &err), MAMORI_EIO);
	/* the file holds whole records only */
	assert_int_equal(file_size(seg), before);
	/* appending until the buffer must be written fails too, naming the disk */
	for (i = 30; i < 100000; i++) {
		make_event(&ev, i);
		r = logstore_append(ls, &p, 1, NULL, &err);
		log_event_release(&ev);
		if (r < 0)
			break;
	}
	assert_int_equal(r, MAMORI_EIO);
	assert_int_equal(logstore_size(ls), i);
	/* space again: everything appended before the failure is kept */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	ASSERT_RC(0, logstore_commit(ls, &err), err);
	assert_int_equal(logstore_durable(ls), i);
	logstore_close(ls);
	ls = open_vault(f, 0);
	assert_int_equal(logstore_size(ls), i);
	verify_ok(ls, i);
	logstore_close(ls);

	/* a crash while the disk is full: reopening finds the committed state */
	ls = open_vault(f, 0);
	lim.rlim_cur = (rlim_t)file_size(seg) + 100;
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
	append_n(ls, i, 5);
	assert_int_equal(logstore_commit(ls, &err), MAMORI_EIO);
	logstore_close(ls); /* rolls back */
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	ls = open_vault(f, 0);
	assert_int_equal(logstore_size(ls), i);
	verify_ok(ls, i);
	logstore_close(ls);
	signal(SIGXFSZ, SIG_DFL);
}

/* ---- segments roll over --------------------------------------------------------------------- */

static void test_segments(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	struct logstore *ls;
	char p[600];

	logstore_segment_limit = 64 * 1024;
	ls = filled(f, 700);
	snprintf(p, sizeof(p), "%s/seg-00000002.log", f->vault);
	assert_true(file_size(p) > 0);
	verify_ok(ls, 700);
	prove_ok(ls, 650);
	prove_ok(ls, 3);
	logstore_close(ls);
	ls = open_vault(f, 0);
	assert_int_equal(logstore_size(ls), 700);
	append_n(ls, 700, 10);
	ASSERT_RC(0, logstore_commit(ls, &err), err);
	verify_ok(ls, 710);
	logstore_close(ls);
	logstore_segment_limit = LOGSTORE_SEGMENT_BYTES;
}

/* ---- benchmark ----------------------------------------------------------------------------- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_bench(void **state)
{
	struct testutil_fixture *f = *state;
	struct mamori_err err = { 0 };
	const char *env = getenv("MAMORI_LOGSTORE_BENCH");
	uint64_t n = env ? strtoull(env, NULL, 10) : 0;
	struct log_event *evs;
	struct logstore *ls;
	struct logstore_verify_result res;
	double t0, t1, t2;
	size_t batch = 1000;

	if (!n)
		skip();
	evs = xcalloc(batch, sizeof(*evs));
	ls = open_vault(f, LOGSTORE_CREATE);
	t0 = now_s();
	for (uint64_t i = 0; i < n; i += batch) {
		struct log_event *ptrs[1000];
		double a;
		static double in_append;

		for (size_t k = 0; k < batch; k++) {
			make_event(&evs[k], i + k);
			ptrs[k] = &evs[k];
		}
		a = now_s();
		ASSERT_RC(0, logstore_append(ls, ptrs, batch, NULL, &err), err);
		if ((i / batch) % 100 == 99)
			ASSERT_RC(0, logstore_commit(ls, &err), err);
		in_append += now_s() - a;
		for (size_t k = 0; k < batch; k++)
			log_event_release(&evs[k]);
		if (i + batch >= n)
			fprintf(stderr, "append only: %.3f s, %.2f us/event\n", in_append,
				in_append * 1e6 / (double)n);
	}
	ASSERT_RC(0, logstore_commit(ls, &err), err);
	t1 = now_s();
	ASSERT_RC(0, logstore_verify(ls, NULL, 0, NULL, NULL, &res, &err), err);
	t2 = now_s();
	fprintf(stderr,
		"%" PRIu64 " events: seal+append+commit %.2f s (%.0f events/s); verify %.2f s, %.0f MB/s "
		"(%" PRIu64 " bytes)\n",
		n, t1 - t0, (double)n / (t1 - t0), t2 - t1, (double)res.bytes / 1e6 / (t2 - t1),
		res.bytes);
	logstore_close(ls);
	free(evs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_writer_lock, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_append_reopen, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_recovery, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_proofs, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_verify, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_verify_external, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_verify_fields, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_verify_batches, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_legacy_table, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_terms_ahead, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_disk_full, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_segments, setup, testutil_teardown),
		cmocka_unit_test_setup_teardown(test_bench, setup, testutil_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
