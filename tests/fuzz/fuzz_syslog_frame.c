/*
 * fuzz_syslog_frame.c - libFuzzer target for the RFC 6587 de-framer
 * (src/core/syslog_frame.c).
 *
 * The first byte picks the frame limit (1..256) and a chunk size; the rest
 * is the stream.  It is fed whole and in chunks: both give the same frames
 * (text, flags, framing).  Invariants: every push reads > 0 bytes, frames are
 * at most max bytes, consumed never passes what was pushed and equals the
 * stream length after finish, and frames hold no more bytes than the stream.
 */
#include "common.h"

#include "strbuf.h"
#include "syslog_frame.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void record(struct strbuf *sb, const struct syslog_frame_out *o, size_t max,
		   size_t *total)
{
	CHECK(o->data && o->len <= max);
	*total += o->len;
	strbuf_addf(sb, "%zu:%u:%d:", o->len, o->flags, (int)o->framing);
	strbuf_add(sb, o->data, o->len);
}

static void run(const char *d, size_t len, size_t max, size_t step, struct strbuf *sb)
{
	struct syslog_frame f;
	struct syslog_frame_out out;
	size_t pos = 0, total = 0;

	syslog_frame_init(&f, max);
	while (pos < len) {
		size_t end = pos + step > len ? len : pos + step;

		while (pos < end) {
			size_t n = syslog_frame_push(&f, d + pos, end - pos, &out);

			CHECK(n > 0 && n <= end - pos);
			pos += n;
			CHECK(f.seen == pos);
			CHECK(f.consumed <= pos);
			if (out.data)
				record(sb, &out, max, &total);
		}
	}
	if (syslog_frame_finish(&f, &out))
		record(sb, &out, max, &total);
	CHECK(f.consumed == len);
	CHECK(total <= len);
	syslog_frame_release(&f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf a = STRBUF_INIT, b = STRBUF_INIT;
	size_t max, step;

	if (size < 1 || size > 1024 * 1024)
		return 0;
	max = (size_t)data[0] + 1;
	step = (size_t)(data[0] % 7) + 1;
	run((const char *)data + 1, size - 1, max, size, &a);
	run((const char *)data + 1, size - 1, max, step, &b);
	CHECK(a.len == b.len && !memcmp(a.buf, b.buf, a.len));
	strbuf_release(&a);
	strbuf_release(&b);
	return 0;
}
