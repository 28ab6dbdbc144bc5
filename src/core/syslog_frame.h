/*
 * syslog_frame.h - an incremental RFC 6587 de-framer for syslog over TCP.
 *
 * A TCP stream carries messages framed one of two ways, chosen per frame:
 *   - octet counting: "MSG-LEN SP MSG", MSG-LEN a decimal without leading
 *     zero (at most 9 digits);
 *   - non-transparent framing: MSG followed by LF (or NUL, as some senders
 *     use); a CR just before the LF is dropped too.
 * A frame that starts with a digit 1-9 is taken as octet counted while only
 * digits follow up to a space; any other byte there ("123abc") means it was
 * an LF-terminated frame after all, and the bytes read so far are its start.
 * Empty LF/NUL frames between messages are skipped.
 *
 * Bounds: a frame holds at most max bytes (given to init).  An LF frame that
 * grows past max is delivered cut to max bytes, flagged SYSLOG_FRAME_F_CUT,
 * and the rest up to the next LF/NUL is discarded (the stream resynchronises
 * there).  An octet-counted frame that declares more than max is delivered
 * with its first max bytes, flagged CUT, and the rest of the declared length
 * is discarded without being stored.  Memory use is O(max) whatever is fed.
 *
 * Usage (the receiver loop):
 *     while (len > 0) {
 *         size_t n = syslog_frame_push(&fr, data, len, &out);
 *         data += n; len -= n;
 *         if (out.data) deliver(out.data, out.len, out.flags);
 *     }
 *     ... on end of stream: if (syslog_frame_finish(&fr, &out)) deliver(...);
 * A receiver may acknowledge (or forget) everything up to fr.consumed once
 * the frames delivered so far are durable: consumed counts the stream bytes
 * up to the end of the last delivered frame or discarded run, never a byte of
 * a frame still being collected.
 */
#ifndef MAMORI_SYSLOG_FRAME_H
#define MAMORI_SYSLOG_FRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define SYSLOG_FRAME_MAX_DIGITS 9

enum {
	SYSLOG_FRAME_F_CUT = 1u << 0,        /* longer than max; the rest dropped */
	SYSLOG_FRAME_F_INCOMPLETE = 1u << 1, /* the stream ended inside the frame */
};

enum syslog_framing {
	SYSLOG_FRAMING_OCTET = 1,
	SYSLOG_FRAMING_LF,  /* ended by LF (or CRLF) */
	SYSLOG_FRAMING_NUL, /* ended by NUL */
	SYSLOG_FRAMING_EOF, /* ended by the end of the stream */
};

/* A complete frame; data stays valid until the next push/finish/release. */
struct syslog_frame_out {
	const char *data; /* NULL when no frame was completed */
	size_t len;
	unsigned flags;
	enum syslog_framing framing;
	size_t declared; /* octet counting: MSG-LEN as sent; else 0 */
};

struct syslog_frame {
	size_t max;
	uint64_t consumed; /* stream offset up to which all is handled */
	uint64_t seen;     /* stream bytes pushed so far */
	/* private state */
	int state;
	struct strbuf buf;    /* the frame being collected */
	size_t want;          /* octet counting: bytes of MSG still to read */
	size_t declared;
	unsigned flags;
	char digits[SYSLOG_FRAME_MAX_DIGITS + 1];
	size_t ndigits;
};

/* Starts a stream; max (> 0) bounds one frame. */
void syslog_frame_init(struct syslog_frame *f, size_t max);
void syslog_frame_release(struct syslog_frame *f);

/*
 * Reads from data[0..len) until one frame is complete or data runs out;
 * returns the number of bytes read (> 0 when len > 0).  out->data is the
 * frame when one was completed, else NULL.  Never fails.
 */
size_t syslog_frame_push(struct syslog_frame *f, const char *data, size_t len,
			 struct syslog_frame_out *out);

/*
 * At the end of the stream: delivers a frame left unterminated (an LF frame
 * without its LF: framing EOF, no flag; an octet-counted frame short of its
 * length or a bare length: SYSLOG_FRAME_F_INCOMPLETE).  Returns true when
 * out holds a frame.  The de-framer is then ready for a new stream.
 */
bool syslog_frame_finish(struct syslog_frame *f, struct syslog_frame_out *out);

#endif
