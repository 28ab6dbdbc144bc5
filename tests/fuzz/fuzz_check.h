/*
 * fuzz_check.h - CHECK(c) for the fuzz targets: an invariant that must hold
 * for every input.  When it does not, the file, line and condition are
 * printed and the target aborts (libFuzzer keeps the input as a crash).
 */
#ifndef MAMORI_FUZZ_CHECK_H
#define MAMORI_FUZZ_CHECK_H

#include <stdio.h>
#include <stdlib.h>

#define CHECK(c)                                                                          \
	do {                                                                              \
		if (!(c)) {                                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #c); \
			abort();                                                          \
		}                                                                         \
	} while (0)

#endif
