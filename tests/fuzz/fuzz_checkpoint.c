/*
 * fuzz_checkpoint.c - libFuzzer target for the parsers of checkpoint.c,
 * which read notes, checkpoints and keys handed in from other machines
 * ("mamori log verify-proof", witnesses).
 *
 * The first byte chooses the parser (0: checkpoint body, 1: signed note
 * against the golang.org/x/mod/sumdb/note example key, 2: vkey, 3: skey);
 * the rest is its input.
 *
 * Invariants: no crash, leak or read outside the input; the only errors
 * are MAMORI_EINVAL / MAMORI_ECHECK, with a message; a body that parses
 * is written back byte for byte by checkpoint_body(); an opened note's
 * text is a proper prefix followed by "\n" and a signature line; a vkey
 * that parses is formatted back to the same text.
 */
#include "common.h"

#include "checkpoint.h"
#include "strbuf.h"

#define GO_VKEY "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_error(int r, const struct mamori_err *err)
{
	if (r != MAMORI_EINVAL && r != MAMORI_ECHECK)
		BUG("unexpected return %d", r);
	if (!err->msg[0])
		BUG("error %d without a message", r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mamori_err err = { 0 };
	struct strbuf sb = STRBUF_INIT;
	const char *in = (const char *)data + 1;
	size_t len;
	int r;

	if (!size)
		return 0;
	len = size - 1;
	switch (data[0] & 3) {
	case 0: {
		struct checkpoint c;

		checkpoint_init(&c);
		r = checkpoint_parse_body(in, len, &c, &err);
		if (r == 0) {
			if (checkpoint_body(&c, &sb, &err) < 0)
				BUG("parsed body not writable: %s", err.msg);
			if (sb.len != len || memcmp(sb.buf, in, len))
				BUG("body does not round-trip");
		} else {
			check_error(r, &err);
		}
		checkpoint_release(&c);
		break;
	}
	case 1: {
		struct checkpoint_verifier v;
		size_t tlen = 0;

		if (checkpoint_vkey_parse(GO_VKEY, &v, &err) < 0)
			BUG("%s", err.msg);
		r = checkpoint_note_open(in, len, &v, &tlen, &err);
		if (r == 0) {
			if (tlen == 0 || tlen + 1 >= len || in[tlen - 1] != '\n' || in[tlen] != '\n')
				BUG("opened note with text length %zu of %zu", tlen, len);
		} else {
			check_error(r, &err);
		}
		break;
	}
	case 2:
	case 3: {
		char *s = xstrndup(in, len);

		if (data[0] & 1) {
			struct checkpoint_signer sg;

			r = checkpoint_skey_parse(s, &sg, &err);
			if (r == 0) {
				checkpoint_skey_format(&sg, &sb);
				if (strcmp(sb.buf, s))
					BUG("skey does not round-trip");
			} else {
				check_error(r, &err);
			}
			checkpoint_signer_wipe(&sg);
		} else {
			struct checkpoint_verifier v;

			r = checkpoint_vkey_parse(s, &v, &err);
			if (r == 0) {
				checkpoint_vkey_format(&v, &sb);
				if (strcmp(sb.buf, s))
					BUG("vkey does not round-trip");
			} else {
				check_error(r, &err);
			}
		}
		free(s);
		break;
	}
	}
	strbuf_release(&sb);
	return 0;
}
