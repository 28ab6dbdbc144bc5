/*
 * common.c - the error convention (mamori_err), fatal()/BUG(), and the x*
 * allocation wrappers declared in common.h and xalloc.h.
 */
#include "common.h"

#include <time.h>

volatile sig_atomic_t mamori_interrupted;

int mamori_err_set(struct mamori_err *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
		va_end(ap);
	}
	return code;
}

int mamori_err_prefix(struct mamori_err *err, const char *fmt, ...)
{
	char prefix[MAMORI_ERR_MAX], old[MAMORI_ERR_MAX];
	va_list ap;

	if (!err)
		return MAMORI_EINVAL;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	size_t np = strnlen(prefix, sizeof(err->msg) - 3);
	memcpy(err->msg, prefix, np);
	memcpy(err->msg + np, ": ", 2);
	size_t room = sizeof(err->msg) - np - 3;
	size_t no = strnlen(old, room);
	memcpy(err->msg + np + 2, old, no);
	err->msg[np + 2 + no] = '\0';
	return err->code;
}

int mamori_exit_code(int code)
{
	switch (code) {
	case MAMORI_OK:
		return 0;
	case MAMORI_ECHECK:
		return 1;
	case MAMORI_EINVAL:
	case MAMORI_EUSAGE:
	case MAMORI_ENOTFOUND:
	case MAMORI_ECONFLICT:
		return 2;
	default:
		return 3;
	}
}

void fatal(const char *fmt, ...)
{
	va_list ap;
	fputs("mamori: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(3);
}

void mamori_bug(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "mamori: BUG at %s:%d: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void *nonnull(void *p, size_t n)
{
	if (!p) {
		fprintf(stderr, "mamori: out of memory (%zu bytes)\n", n);
		abort();
	}
	return p;
}

void *xmalloc(size_t n)
{
	return nonnull(malloc(n ? n : 1), n);
}

void *xcalloc(size_t nmemb, size_t size)
{
	return nonnull(calloc(nmemb ? nmemb : 1, size ? size : 1), nmemb * size);
}

void *xrealloc(void *p, size_t n)
{
	return nonnull(realloc(p, n ? n : 1), n);
}

char *xstrdup(const char *s)
{
	return nonnull(strdup(s), strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	return nonnull(strndup(s, n), n);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s = NULL;
	int r;

	va_start(ap, fmt);
	r = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (r < 0)
		nonnull(NULL, 0);
	return s;
}

void mamori_now(char out[MAMORI_TIME_LEN])
{
	struct timespec ts;
	struct tm tm;
	char date[24];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, MAMORI_TIME_LEN, "%.19s.%03dZ", date, (int)(ts.tv_nsec / 1000000));
}

void mamori_today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;

	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}
