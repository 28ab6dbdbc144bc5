/*
 * test_checkpoint.c - unit tests of checkpoints and signed notes
 * (src/core/checkpoint.c).
 *
 * The signed-note format is pinned to the published example of Go's
 * golang.org/x/mod/sumdb/note (note.go doc comment and note_test.go): the
 * "PeterNeumann" signer key, its verifier key and the signed note.  Ed25519
 * is deterministic, so signing the same text must give the same note byte
 * for byte, and the vkey derived from the skey must be the published one.
 * Then: the checkpoint body text (root in base64 computed independently),
 * sign/open round trips with extension lines, refusal of another key,
 * another name, a tampered body, size or root with the right code and
 * message, the vkey round trip and every mangled vkey refused, and a list
 * of hostile notes and bodies.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>

#include "checkpoint.h"
#include "strbuf.h"
#include "testutil.h"

/* golang.org/x/mod/sumdb/note: the example key pair and note. */
#define GO_SKEY "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
#define GO_VKEY "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define GO_TEXT                                                      \
	"If you think cryptography is the answer to your problem,\n" \
	"then you don't know what your problem is.\n"
#define GO_NOTE                                                                                 \
	GO_TEXT "\n"                                                                            \
		"\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FF" \
		"YC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"

/* RootHashes()[8] of transparency-dev/merkle and its base64 (Python). */
#define ROOT8_HEX "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"
#define ROOT8_B64 "XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg="

#define ORIGIN "hospital.example/mamori-vault"

static void test_go_vector(void **state)
{
	struct mamori_err err = { 0 };
	struct checkpoint_signer s;
	struct checkpoint_verifier v;
	struct strbuf sb = STRBUF_INIT;
	size_t tlen = 0;

	ASSERT_RC(0, checkpoint_skey_parse(GO_SKEY, &s, &err), err);
	checkpoint_vkey_format(&s.v, &sb);
	assert_string_equal(sb.buf, GO_VKEY);
	strbuf_reset(&sb);
	checkpoint_skey_format(&s, &sb);
	assert_string_equal(sb.buf, GO_SKEY);
	strbuf_reset(&sb);
	ASSERT_RC(0, checkpoint_note_sign(&s, GO_TEXT, strlen(GO_TEXT), &sb, &err), err);
	assert_string_equal(sb.buf, GO_NOTE);

	ASSERT_RC(0, checkpoint_vkey_parse(GO_VKEY, &v, &err), err);
	assert_string_equal(v.name, "PeterNeumann");
	ASSERT_RC(0, checkpoint_note_open(GO_NOTE, strlen(GO_NOTE), &v, &tlen, &err), err);
	assert_int_equal(tlen, strlen(GO_TEXT));

	/* one changed letter */
	char *bad = xstrdup(GO_NOTE);
	bad[strlen("If you think cryptograph")] = 'Y';
	assert_int_equal(checkpoint_note_open(bad, strlen(bad), &v, &tlen, &err), MAMORI_ECHECK);
	testutil_assert_contains(err.msg, "署名が一致しません");
	free(bad);
	checkpoint_signer_wipe(&s);
	strbuf_release(&sb);
}

static void test_body_format(void **state)
{
	struct mamori_err err = { 0 };
	struct checkpoint c, d;
	struct strbuf sb = STRBUF_INIT;

	checkpoint_init(&c);
	checkpoint_init(&d);
	snprintf(c.origin, sizeof(c.origin), "%s", ORIGIN);
	c.size = 8;
	ASSERT_RC(0, merkle_hash_from_hex(ROOT8_HEX, c.root, &err), err);
	ASSERT_RC(0, checkpoint_body(&c, &sb, &err), err);
	assert_string_equal(sb.buf, ORIGIN "\n8\n" ROOT8_B64 "\n");
	ASSERT_RC(0, checkpoint_parse_body(sb.buf, sb.len, &d, &err), err);
	assert_string_equal(d.origin, ORIGIN);
	assert_int_equal(d.size, 8);
	assert_memory_equal(d.root, c.root, MERKLE_HASH_LEN);
	assert_null(d.ext);

	/* extension lines survive */
	c.ext = xstrdup("Timestamp: 2026-11-21T05:01:45Z\n病院: 北斗\n");
	strbuf_reset(&sb);
	ASSERT_RC(0, checkpoint_body(&c, &sb, &err), err);
	ASSERT_RC(0, checkpoint_parse_body(sb.buf, sb.len, &d, &err), err);
	assert_string_equal(d.ext, c.ext);

	/* bad extensions are refused when writing */
	free(c.ext);
	c.ext = xstrdup("no newline");
	assert_int_equal(checkpoint_body(&c, &sb, &err), MAMORI_EINVAL);
	free(c.ext);
	c.ext = xstrdup("a\n\nb\n");
	assert_int_equal(checkpoint_body(&c, &sb, &err), MAMORI_EINVAL);
	free(c.ext);
	c.ext = NULL;
	snprintf(c.origin, sizeof(c.origin), "bad\norigin");
	assert_int_equal(checkpoint_body(&c, &sb, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "origin");

	checkpoint_release(&c);
	checkpoint_release(&d);
	strbuf_release(&sb);
}

static void make_signed(struct checkpoint_signer *s, struct strbuf *note, uint64_t size)
{
	struct mamori_err err = { 0 };
	struct checkpoint c;

	checkpoint_init(&c);
	snprintf(c.origin, sizeof(c.origin), "%s", ORIGIN);
	c.size = size;
	ASSERT_RC(0, merkle_hash_from_hex(ROOT8_HEX, c.root, &err), err);
	c.ext = xstrdup("Timestamp: 1\n");
	ASSERT_RC(0, checkpoint_sign(&c, s, note, &err), err);
	checkpoint_release(&c);
}

static void test_sign_open(void **state)
{
	struct mamori_err err = { 0 };
	struct checkpoint_signer s, other, renamed;
	struct checkpoint c;
	struct strbuf note = STRBUF_INIT, t = STRBUF_INIT;

	checkpoint_init(&c);
	ASSERT_RC(0, checkpoint_keygen(ORIGIN, &s, &err), err);
	ASSERT_RC(0, checkpoint_keygen(ORIGIN, &other, &err), err);
	make_signed(&s, &note, 12345);
	testutil_assert_contains(note.buf, "\n\n\xe2\x80\x94 " ORIGIN " ");

	ASSERT_RC(0, checkpoint_open(note.buf, note.len, &s.v, &c, &err), err);
	assert_string_equal(c.origin, ORIGIN);
	assert_int_equal(c.size, 12345);
	assert_string_equal(c.ext, "Timestamp: 1\n");

	/* another key with the same name: not signed by it */
	assert_int_equal(checkpoint_open(note.buf, note.len, &other.v, &c, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "による署名がありません");

	/* the same key under another name */
	renamed = s;
	snprintf(renamed.v.name, sizeof(renamed.v.name), "other.example");
	assert_int_equal(checkpoint_open(note.buf, note.len, &renamed.v, &c, &err), MAMORI_EINVAL);
	/* the right name with the key id of the right key but another public key */
	renamed = s;
	memcpy(renamed.v.pk, other.v.pk, sizeof(renamed.v.pk));
	assert_int_equal(checkpoint_open(note.buf, note.len, &renamed.v, &c, &err), MAMORI_ECHECK);

	/* tampered size, root, origin, extension */
	const char *edits[][2] = {
		{ "\n12345\n", "\n12346\n" },
		{ "XcnaeacG", "XcnaeacH" },
		{ "hospital.example/mamori", "hospital.example/mamorj" },
		{ "Timestamp: 1", "Timestamp: 2" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(edits); i++) {
		char *p = strstr(note.buf, edits[i][0]);
		assert_non_null(p);
		strbuf_reset(&t);
		strbuf_add(&t, note.buf, (size_t)(p - note.buf));
		strbuf_addstr(&t, edits[i][1]);
		strbuf_addstr(&t, p + strlen(edits[i][0]));
		assert_int_equal(checkpoint_open(t.buf, t.len, &s.v, &c, &err), MAMORI_ECHECK);
		testutil_assert_contains(err.msg, "改ざん");
	}

	/* a note cosigned by two keys opens with either */
	struct strbuf body = STRBUF_INIT, n1 = STRBUF_INIT, n2 = STRBUF_INIT;
	snprintf(c.origin, sizeof(c.origin), "%s", ORIGIN);
	c.size = 7;
	free(c.ext);
	c.ext = NULL;
	ASSERT_RC(0, checkpoint_body(&c, &body, &err), err);
	ASSERT_RC(0, checkpoint_note_sign(&other, body.buf, body.len, &n1, &err), err);
	ASSERT_RC(0, checkpoint_note_sign(&s, body.buf, body.len, &n2, &err), err);
	strbuf_addstr(&n1, n2.buf + body.len + 1);
	ASSERT_RC(0, checkpoint_open(n1.buf, n1.len, &s.v, &c, &err), err);
	ASSERT_RC(0, checkpoint_open(n1.buf, n1.len, &other.v, &c, &err), err);
	assert_int_equal(c.size, 7);
	strbuf_release(&body);
	strbuf_release(&n1);
	strbuf_release(&n2);

	checkpoint_release(&c);
	checkpoint_signer_wipe(&s);
	checkpoint_signer_wipe(&other);
	strbuf_release(&note);
	strbuf_release(&t);
}

static void test_vkey(void **state)
{
	struct mamori_err err = { 0 };
	struct checkpoint_signer s;
	struct checkpoint_verifier v;
	struct strbuf sb = STRBUF_INIT;

	ASSERT_RC(0, checkpoint_keygen("例.jp/ログ", &s, &err), err);
	checkpoint_vkey_format(&s.v, &sb);
	ASSERT_RC(0, checkpoint_vkey_parse(sb.buf, &v, &err), err);
	assert_memory_equal(&v, &s.v, sizeof(v));

	/* every proper substring and every one-byte change of a vkey is refused
	 * (as golang.org/x/mod/sumdb/note TestNewVerifier) */
	const char *vk = GO_VKEY;
	size_t n = strlen(vk);
	char buf[128];
	for (size_t i = 0; i <= n; i++)
		for (size_t j = i + 1; j <= n; j++) {
			if (i == 0 && j == n)
				continue;
			snprintf(buf, sizeof(buf), "%.*s", (int)(j - i), vk + i);
			assert_int_equal(checkpoint_vkey_parse(buf, &v, &err), MAMORI_EINVAL);
		}
	for (size_t i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s", vk);
		buf[i]++;
		assert_int_equal(checkpoint_vkey_parse(buf, &v, &err), MAMORI_EINVAL);
	}
	assert_int_equal(checkpoint_vkey_parse("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &v, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "鍵 ID");
	/* another key type */
	assert_int_equal(checkpoint_vkey_parse("PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &v, &err), MAMORI_EINVAL);
	/* names */
	assert_int_equal(checkpoint_name_check("", &err), MAMORI_EINVAL);
	assert_int_equal(checkpoint_name_check("a b", &err), MAMORI_EINVAL);
	assert_int_equal(checkpoint_name_check("a+b", &err), MAMORI_EINVAL);
	assert_int_equal(checkpoint_name_check("a\xe3\x80\x80" "b", &err), MAMORI_EINVAL); /* U+3000 */
	assert_int_equal(checkpoint_name_check("a\xff", &err), MAMORI_EINVAL);
	assert_int_equal(checkpoint_name_check("\xc0\xaf", &err), MAMORI_EINVAL); /* overlong */
	assert_int_equal(checkpoint_name_check("a\tb", &err), MAMORI_EINVAL);
	assert_int_equal(checkpoint_keygen("bad name", &s, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "鍵の名前");
	assert_int_equal(checkpoint_skey_parse(GO_VKEY, &s, &err), MAMORI_EINVAL);
	/* a vkey followed by anything, however long */
	struct strbuf longer = STRBUF_INIT;
	strbuf_addstr(&longer, GO_VKEY);
	for (int i = 0; i < 600; i++)
		strbuf_addch(&longer, 'A');
	assert_int_equal(checkpoint_vkey_parse(longer.buf, &v, &err), MAMORI_EINVAL);
	strbuf_release(&longer);

	checkpoint_signer_wipe(&s);
	strbuf_release(&sb);
}

#define SIG " x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
#define DASH "\xe2\x80\x94"

static void test_hostile_notes(void **state)
{
	struct mamori_err err = { 0 };
	struct checkpoint_verifier v;
	size_t tlen;
	static const char *notes[] = {
		"",
		"\n",
		"\n\n",
		GO_TEXT,
		GO_TEXT "\n",
		GO_TEXT "\n" DASH " PeterNeumann",
		GO_TEXT "\n" "- PeterNeumann" SIG,
		GO_TEXT "\n" DASH "PeterNeumann" SIG,
		GO_TEXT "\n" DASH " Peter+Neumann" SIG,
		GO_TEXT "\n" DASH " PeterNeumann x08go/ZJkuBS9UG\n",
		GO_TEXT "\n" DASH " PeterNeumann x08g=\n",
		GO_TEXT "\n" DASH " PeterNeumann !!!!\n",
		GO_TEXT "\n" DASH " PeterNeumann\n",
		GO_TEXT "\n" DASH "  PeterNeumann" SIG,
		GO_TEXT "\n" DASH " PeterNeumann" SIG "\n",
		GO_TEXT "\n" DASH " PeterNeumann" SIG "trailing",
		"If you\r\nthink\n\n" DASH " PeterNeumann" SIG,
		"bad \xff utf8\n\n" DASH " PeterNeumann" SIG,
		"nul \x00 inside\n\n" DASH " PeterNeumann" SIG,
		"\n" GO_TEXT "\n" DASH " PeterNeumann" SIG,
		"a\n\nb\n\n" DASH " PeterNeumann" SIG,
		/* non-canonical base64: last character with stray bits */
		GO_TEXT "\n" DASH " PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAN=\n",
		/* unpadded */
		GO_TEXT "\n" DASH " PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM\n",
		/* url-safe alphabet */
		GO_TEXT "\n" DASH " PeterNeumann x08go_ZJkuBS9UG_SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		/* only another key's signature */
		GO_TEXT "\n" DASH " Other" SIG,
	};

	ASSERT_RC(0, checkpoint_vkey_parse(GO_VKEY, &v, &err), err);
	for (size_t i = 0; i < ARRAY_SIZE(notes); i++) {
		size_t len = strlen(notes[i]);
		if (i == 18)
			len = strlen("nul ") + 1 + strlen(" inside\n\n" DASH " PeterNeumann" SIG);
		int r = checkpoint_note_open(notes[i], len, &v, &tlen, &err);
		if (r == 0)
			fail_msg("note %zu opened", i);
		assert_true(r == MAMORI_EINVAL || r == MAMORI_ECHECK);
		assert_true(err.msg[0] != '\0');
		err.msg[0] = '\0';
	}

	/* too many signature lines, too big */
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, GO_TEXT "\n");
	for (int i = 0; i < CHECKPOINT_SIGS_MAX + 1; i++)
		strbuf_addstr(&sb, DASH " Other" SIG);
	strbuf_addstr(&sb, DASH " PeterNeumann" SIG);
	assert_int_equal(checkpoint_note_open(sb.buf, sb.len, &v, &tlen, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "署名行");
	strbuf_reset(&sb);
	for (int i = 0; i < CHECKPOINT_NOTE_MAX; i++)
		strbuf_addch(&sb, 'a');
	strbuf_addstr(&sb, "\n\n" DASH " PeterNeumann" SIG);
	assert_int_equal(checkpoint_note_open(sb.buf, sb.len, &v, &tlen, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "大きすぎます");
	strbuf_release(&sb);

	/* other signers' lines before ours are skipped */
	const char *ok = GO_TEXT "\n" DASH " Other" SIG DASH " PeterNeumann" SIG;
	ASSERT_RC(0, checkpoint_note_open(ok, strlen(ok), &v, &tlen, &err), err);
}

static void test_hostile_bodies(void **state)
{
	struct mamori_err err = { 0 };
	struct checkpoint c;
	static const char *bodies[] = {
		"",
		"\n",
		"origin",
		"origin\n",
		"origin\n8\n",
		"origin\n8\n" ROOT8_B64,
		"origin\n08\n" ROOT8_B64 "\n",
		"origin\n-8\n" ROOT8_B64 "\n",
		"origin\n+8\n" ROOT8_B64 "\n",
		"origin\n 8\n" ROOT8_B64 "\n",
		"origin\n8 \n" ROOT8_B64 "\n",
		"origin\n\n" ROOT8_B64 "\n",
		"origin\n9223372036854775808\n" ROOT8_B64 "\n",
		"origin\n99999999999999999999\n" ROOT8_B64 "\n",
		"origin\n8\n" "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU\n",
		"origin\n8\n" "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuA==\n",
		"origin\n8\n" "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFV=\n",
		"origin\n8\n" "47DEQpj8HBSa-_TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n",
		"origin\n8\n" ROOT8_B64 "\n\n",
		"origin\n8\n" ROOT8_B64 "\next\x01\n",
		"origin\n8\n" ROOT8_B64 "\next",
		"\n8\n" ROOT8_B64 "\n",
		"ori\x7fgin\n8\n" ROOT8_B64 "\n",
	};

	checkpoint_init(&c);
	for (size_t i = 0; i < ARRAY_SIZE(bodies); i++) {
		if (checkpoint_parse_body(bodies[i], strlen(bodies[i]), &c, &err) != MAMORI_EINVAL)
			fail_msg("body %zu accepted", i);
		assert_null(c.ext);
	}
	/* the largest size and size 0 */
	ASSERT_RC(0, checkpoint_parse_body("o\n9223372036854775807\n" ROOT8_B64 "\n", strlen("o\n9223372036854775807\n" ROOT8_B64 "\n"), &c, &err), err);
	assert_int_equal(c.size, MERKLE_SIZE_MAX);
	ASSERT_RC(0, checkpoint_parse_body("o\n0\n" ROOT8_B64 "\n", strlen("o\n0\n" ROOT8_B64 "\n"), &c, &err), err);
	assert_int_equal(c.size, 0);
	/* too many extension lines */
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "o\n1\n" ROOT8_B64 "\n");
	for (int i = 0; i <= CHECKPOINT_EXT_MAX; i++)
		strbuf_addstr(&sb, "x\n");
	assert_int_equal(checkpoint_parse_body(sb.buf, sb.len, &c, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "拡張行");
	strbuf_release(&sb);
	checkpoint_release(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_vector),
		cmocka_unit_test(test_body_format),
		cmocka_unit_test(test_sign_open),
		cmocka_unit_test(test_vkey),
		cmocka_unit_test(test_hostile_notes),
		cmocka_unit_test(test_hostile_bodies),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
