/*
 * xalloc.h - allocation wrappers that never return NULL.
 *
 * mamori treats out-of-memory as unrecoverable: each wrapper prints a message
 * and aborts instead of returning NULL, so callers need no NULL checks.
 */
#ifndef MAMORI_XALLOC_H
#define MAMORI_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
/* Copies at most n bytes of s and NUL-terminates. */
char *xstrndup(const char *s, size_t n);
/* Returns a newly allocated formatted string. */
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
