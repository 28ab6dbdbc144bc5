/*
 * fuzz_logproof.c - libFuzzer target for what `mamori log verify-proof`
 * and the vault read from outside: log_event_parse() (a record) and
 * logstore_proof_verify() (a whole proof document, no store).
 *
 * Input: byte 0 selects the mode; the rest is the text.
 *   even: the text is a record; when it parses, sealing the parsed event
 *         again must give the same bytes and the same leaf (one event, one
 *         record);
 *   odd:  the text is a proof document, checked with the key in it and,
 *         when byte 0 & 2, against itself as the "external" checkpoint.
 * Invariants: no crash; results are 0, MAMORI_EINVAL or MAMORI_ECHECK, a
 * failure always with a message.
 */
#include "common.h"

#include "logevent.h"
#include "logstore.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void record(const char *d, size_t n)
{
	struct mamori_err err = { 0 };
	struct log_event ev;
	struct strbuf peer = STRBUF_INIT, copy = STRBUF_INIT;
	int r;

	log_event_init(&ev);
	r = log_event_parse(&ev, d, n, &peer, &err);
	CHECK(r == 0 || r == MAMORI_EINVAL);
	CHECK(r == 0 || err.msg[0]);
	if (r == 0) {
		uint8_t leaf[MERKLE_HASH_LEN];

		CHECK(ev.record.len == n && !memcmp(ev.record.buf, d, n));
		memcpy(leaf, ev.leaf, MERKLE_HASH_LEN);
		strbuf_add(&copy, d + ev.msg_off, n - ev.msg_off);
		log_event_seal(&ev, peer.len ? peer.buf : NULL, copy.buf, copy.len);
		CHECK(ev.record.len == n && !memcmp(ev.record.buf, d, n));
		CHECK(!memcmp(leaf, ev.leaf, MERKLE_HASH_LEN));
	}
	log_event_release(&ev);
	strbuf_release(&peer);
	strbuf_release(&copy);
}

static void proof(const char *d, size_t n, bool ext)
{
	struct mamori_err err = { 0 };
	struct log_event ev;
	uint64_t seq = 0;
	bool self = false;
	const char *note = NULL;
	size_t note_len = 0;
	int r;

	if (ext) {
		const char *blank = memmem(d, n, "\n\n", 2);

		if (blank) {
			note = blank + 2;
			note_len = n - (size_t)(note - d);
		}
	}
	log_event_init(&ev);
	r = logstore_proof_verify(d, n, NULL, note, note_len, &ev, &seq, &self, &err);
	CHECK(r == 0 || r == MAMORI_EINVAL || r == MAMORI_ECHECK);
	CHECK(r == 0 || err.msg[0]);
	if (r == 0)
		CHECK(self);
	log_event_release(&ev);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] & 1)
		proof((const char *)data + 1, size - 1, data[0] & 2);
	else
		record((const char *)data + 1, size - 1);
	return 0;
}
