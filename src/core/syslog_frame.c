/*
 * syslog_frame.c - RFC 6587 de-framer (octet counting and LF/NUL framing)
 * for the TCP syslog receiver; see syslog_frame.h for the contract.
 *
 * State machine, one frame at a time:
 *
 *   START --'1'..'9'--> LEN --SP--> OCTET --want bytes--> (frame) START
 *     |                  |                 \--buf full--> (cut frame) OCTET_SKIP
 *     |                  \--other byte: digits become text--> LF
 *     |--LF/CR/NUL: skipped (empty frame)
 *     \--other byte--> LF --LF/NUL--> (frame) START
 *                       \--max bytes, no LF--> (cut frame) LF_SKIP --LF/NUL--> START
 *
 * Only the frame being collected is stored (at most max bytes); skipped
 * bytes are counted, never kept.  f->consumed moves at each delivered frame
 * and over skipped bytes.
 */
#include "common.h"
#include "syslog_frame.h"
#include "strbuf.h"

enum { ST_START, ST_LEN, ST_OCTET, ST_OCTET_SKIP, ST_LF, ST_LF_SKIP };

void syslog_frame_init(struct syslog_frame *f, size_t max)
{
	assert(max > 0);
	memset(f, 0, sizeof(*f));
	f->max = max;
	f->state = ST_START;
	strbuf_init(&f->buf);
}

void syslog_frame_release(struct syslog_frame *f)
{
	strbuf_release(&f->buf);
	syslog_frame_init(f, f->max ? f->max : 1);
}

static void emit(struct syslog_frame *f, struct syslog_frame_out *out, enum syslog_framing how)
{
	out->data = f->buf.buf;
	out->len = f->buf.len;
	out->flags = f->flags;
	out->framing = how;
	out->declared = f->declared;
}

/* Drops a CR that ended an LF-terminated line. */
static void drop_cr(struct syslog_frame *f)
{
	if (f->buf.len > 0 && f->buf.buf[f->buf.len - 1] == '\r')
		f->buf.buf[--f->buf.len] = '\0';
}

/* Offset of the first LF or NUL in d[0..n), or n. */
static size_t find_end(const char *d, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (d[i] == '\n' || d[i] == '\0')
			return i;
	}
	return n;
}

size_t syslog_frame_push(struct syslog_frame *f, const char *data, size_t len,
			 struct syslog_frame_out *out)
{
	size_t i = 0;

	memset(out, 0, sizeof(*out));
	while (i < len && !out->data) {
		char c = data[i];
		size_t n, j;

		switch (f->state) {
		case ST_START:
			if (c == '\n' || c == '\r' || c == '\0') {
				i++;
				f->consumed = f->seen + i;
				break;
			}
			strbuf_reset(&f->buf);
			f->flags = 0;
			f->declared = 0;
			f->ndigits = 0;
			if (c >= '1' && c <= '9') {
				f->digits[f->ndigits++] = c;
				f->state = ST_LEN;
				i++;
			} else {
				f->state = ST_LF;
			}
			break;
		case ST_LEN:
			if (c >= '0' && c <= '9' && f->ndigits < SYSLOG_FRAME_MAX_DIGITS) {
				f->digits[f->ndigits++] = c;
				i++;
			} else if (c == ' ') {
				f->declared = 0;
				for (j = 0; j < f->ndigits; j++)
					f->declared = f->declared * 10 + (size_t)(f->digits[j] - '0');
				f->want = f->declared;
				f->state = ST_OCTET;
				i++;
			} else {
				/* not a length after all: the digits are the frame's start */
				if (f->ndigits <= f->max) {
					strbuf_add(&f->buf, f->digits, f->ndigits);
					f->state = ST_LF;
					break;
				}
				/* ... and already longer than a frame may be */
				strbuf_add(&f->buf, f->digits, f->max);
				f->flags |= SYSLOG_FRAME_F_CUT;
				emit(f, out, SYSLOG_FRAMING_LF);
				f->state = c == '\n' || c == '\0' ? ST_START : ST_LF_SKIP;
				i++;
				f->consumed = f->seen + i;
			}
			break;
		case ST_OCTET:
			n = len - i;
			if (n > f->want)
				n = f->want;
			if (n > f->max - f->buf.len)
				n = f->max - f->buf.len;
			strbuf_add(&f->buf, data + i, n);
			i += n;
			f->want -= n;
			if (f->want == 0) {
				emit(f, out, SYSLOG_FRAMING_OCTET);
				f->state = ST_START;
				f->consumed = f->seen + i;
			} else if (f->buf.len == f->max) {
				f->flags |= SYSLOG_FRAME_F_CUT;
				emit(f, out, SYSLOG_FRAMING_OCTET);
				f->state = ST_OCTET_SKIP;
				f->consumed = f->seen + i;
			}
			break;
		case ST_OCTET_SKIP:
			n = len - i;
			if (n > f->want)
				n = f->want;
			i += n;
			f->want -= n;
			f->consumed = f->seen + i;
			if (f->want == 0)
				f->state = ST_START;
			break;
		case ST_LF:
			n = len - i;
			if (n > f->max - f->buf.len)
				n = f->max - f->buf.len;
			j = find_end(data + i, n);
			strbuf_add(&f->buf, data + i, j);
			i += j;
			if (j == n) {
				if (f->buf.len < f->max || i >= len)
					break; /* wait for more */
				if (data[i] != '\n' && data[i] != '\0') {
					/* full, and the next byte is not the end: cut */
					f->flags |= SYSLOG_FRAME_F_CUT;
					emit(f, out, SYSLOG_FRAMING_LF);
					f->state = ST_LF_SKIP;
					i++; /* the first byte skipped */
					f->consumed = f->seen + i;
					break;
				}
			}
			{
				bool nul = data[i] == '\0';

				i++;
				if (!nul)
					drop_cr(f);
				emit(f, out, nul ? SYSLOG_FRAMING_NUL : SYSLOG_FRAMING_LF);
				f->state = ST_START;
				f->consumed = f->seen + i;
			}
			break;
		case ST_LF_SKIP:
			j = find_end(data + i, len - i);
			i += j;
			if (i < len) {
				i++;
				f->state = ST_START;
			}
			f->consumed = f->seen + i;
			break;
		default:
			BUG("syslog_frame: state %d", f->state);
		}
	}
	f->seen += i;
	return i;
}

bool syslog_frame_finish(struct syslog_frame *f, struct syslog_frame_out *out)
{
	bool got = false;

	memset(out, 0, sizeof(*out));
	switch (f->state) {
	case ST_LEN:
		strbuf_reset(&f->buf);
		strbuf_add(&f->buf, f->digits, f->ndigits < f->max ? f->ndigits : f->max);
		if (f->ndigits > f->max)
			f->flags |= SYSLOG_FRAME_F_CUT;
		f->flags |= SYSLOG_FRAME_F_INCOMPLETE;
		emit(f, out, SYSLOG_FRAMING_EOF);
		got = true;
		break;
	case ST_OCTET:
		f->flags |= SYSLOG_FRAME_F_INCOMPLETE;
		emit(f, out, SYSLOG_FRAMING_OCTET);
		got = true;
		break;
	case ST_LF:
		drop_cr(f);
		emit(f, out, SYSLOG_FRAMING_EOF);
		got = f->buf.len > 0;
		if (!got)
			out->data = NULL;
		break;
	default:
		break;
	}
	f->state = ST_START;
	f->consumed = f->seen;
	return got;
}
