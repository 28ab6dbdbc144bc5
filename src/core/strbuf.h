/*
 * strbuf.h - a growable, always NUL-terminated byte buffer.
 *
 * Invariants (hold after every call):
 *   - buf is never NULL once strbuf_init() ran; buf[len] == '\0'.
 *   - len < alloc, unless alloc == 0 and buf points at a shared empty string.
 * The buffer may contain NUL bytes; len is authoritative.
 */
#ifndef MAMORI_STRBUF_H
#define MAMORI_STRBUF_H

#include <stddef.h>
#include <string.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

#define STRBUF_INIT { strbuf_empty, 0, 0 }
extern char strbuf_empty[];

void strbuf_init(struct strbuf *sb);
/* Frees the storage and re-initialises sb to empty. */
void strbuf_release(struct strbuf *sb);
/* The allocating part of strbuf_grow(). */
void strbuf_grow_alloc(struct strbuf *sb, size_t extra);

/* Ensures room for extra more bytes plus the terminating NUL.  Inline, as
 * are the adds below: they run a few times per byte of a log record. */
static inline void strbuf_grow(struct strbuf *sb, size_t extra)
{
	size_t need = sb->len + extra + 1;

	if (need > sb->alloc || need < sb->len)
		strbuf_grow_alloc(sb, extra);
}

static inline void strbuf_add(struct strbuf *sb, const void *data, size_t n)
{
	strbuf_grow(sb, n);
	if (n)
		memcpy(sb->buf + sb->len, data, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

static inline void strbuf_addch(struct strbuf *sb, int c)
{
	strbuf_grow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}

void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Sets len to 0 (keeps the allocation). */
void strbuf_reset(struct strbuf *sb);
/* Hands the string to the caller (who frees it) and re-initialises sb. */
char *strbuf_detach(struct strbuf *sb, size_t *len);

#endif
