/*
 * common.h - included first by every mamori source file.
 *
 * It fixes the feature-test macros, pulls in the handful of standard headers
 * that nearly every module needs, and defines the one error convention of the
 * code base:
 *
 *   - A function that can fail returns int: 0 on success, a negative
 *     MAMORI_E* code on failure.
 *   - When it fails it also writes a human-readable message (Japanese first,
 *     since users read it) into a caller-supplied struct mamori_err.
 *   - The caller either handles the code or passes it up unchanged.
 *
 * Exit codes of the CLI follow from the error code (see mamori_exit_code()).
 */
#ifndef MAMORI_COMMON_H
#define MAMORI_COMMON_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAMORI_VERSION "0.1.0"

/* Error codes: negative, so that "if (r < 0)" works everywhere. */
enum {
	MAMORI_OK = 0,
	MAMORI_EINVAL = -1,    /* bad input from a user or a file (exit 2) */
	MAMORI_EUSAGE = -2,    /* bad command-line usage (exit 2) */
	MAMORI_ENOTFOUND = -3, /* the named record does not exist (exit 2) */
	MAMORI_ECONFLICT = -4, /* the change conflicts with existing data (exit 2) */
	MAMORI_EIO = -5,       /* file system or disk error (exit 3) */
	MAMORI_EDB = -6,       /* database error (exit 3) */
	MAMORI_ECHECK = -7,    /* a check ran and found a problem (exit 1) */
	MAMORI_EINTR = -8,     /* interrupted by a signal; nothing was written (exit 3) */
};

#define MAMORI_ERR_MAX 1024

/* A message slot filled by a failing function.  Zero-initialise it. */
struct mamori_err {
	int code;
	char msg[MAMORI_ERR_MAX];
};

/*
 * Records code and a printf-style message in err (which may be NULL) and
 * returns code, so that callers can write "return mamori_err_set(...)".
 * A message already present is replaced.
 */
int mamori_err_set(struct mamori_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Prefixes the existing message with "prefix: "; returns err->code. */
int mamori_err_prefix(struct mamori_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Maps an error code to the process exit code documented in PRODUCT.md. */
int mamori_exit_code(int code);

/* Prints "mamori: fatal: ..." to stderr and exits with status 3. */
_Noreturn void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* For conditions that can only arise from a bug in mamori itself. */
#define BUG(...) mamori_bug(__FILE__, __LINE__, __VA_ARGS__)
_Noreturn void mamori_bug(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Current UTC time as RFC 3339 with milliseconds: 2026-11-21T05:01:45.123Z. */
#define MAMORI_TIME_LEN 32
void mamori_now(char out[MAMORI_TIME_LEN]);
/* Today's date in local time as YYYY-MM-DD. */
void mamori_today(char out[11]);

/*
 * Set by the CLI's SIGINT/SIGTERM handler.  Long operations poll it between
 * units of work, roll back and return MAMORI_EINTR, so that an interrupt
 * never leaves a half-written result.
 */
#include <signal.h>
extern volatile sig_atomic_t mamori_interrupted;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* The initializer of a 256-entry table of pred(c) for every byte c (pred a
 * macro giving a constant expression): a scanning loop then tests a class
 * of bytes with one load. */
#define BYTE_TABLE_ROW_(pred, b)                                                               \
	pred(b), pred(b + 1), pred(b + 2), pred(b + 3), pred(b + 4), pred(b + 5), pred(b + 6),   \
		pred(b + 7), pred(b + 8), pred(b + 9), pred(b + 10), pred(b + 11), pred(b + 12), \
		pred(b + 13), pred(b + 14), pred(b + 15)
#define BYTE_TABLE(pred)                                                                       \
	{                                                                                      \
		BYTE_TABLE_ROW_(pred, 0), BYTE_TABLE_ROW_(pred, 16), BYTE_TABLE_ROW_(pred, 32),   \
			BYTE_TABLE_ROW_(pred, 48), BYTE_TABLE_ROW_(pred, 64),                     \
			BYTE_TABLE_ROW_(pred, 80), BYTE_TABLE_ROW_(pred, 96),                     \
			BYTE_TABLE_ROW_(pred, 112), BYTE_TABLE_ROW_(pred, 128),                   \
			BYTE_TABLE_ROW_(pred, 144), BYTE_TABLE_ROW_(pred, 160),                   \
			BYTE_TABLE_ROW_(pred, 176), BYTE_TABLE_ROW_(pred, 192),                   \
			BYTE_TABLE_ROW_(pred, 208), BYTE_TABLE_ROW_(pred, 224),                   \
			BYTE_TABLE_ROW_(pred, 240)                                                \
	}

#include "xalloc.h"
#include "banned.h"

#endif
