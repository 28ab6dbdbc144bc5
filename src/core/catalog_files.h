/*
 * catalog_files.h - the data mamori ships (catalog/), compiled into the
 * binary by tools/embed.py --catalog, so that a fresh install has it
 * without any file beside the binary.  catalog_files.c is generated.
 */
#ifndef MAMORI_CATALOG_FILES_H
#define MAMORI_CATALOG_FILES_H

#include <stddef.h>

struct catalog_file {
	const char *name; /* path under catalog/, e.g. "eol/windows.md" */
	const char *data; /* NUL-terminated after size bytes */
	size_t size;
};

/* Terminated by an entry with name NULL. */
extern const struct catalog_file catalog_files[];

#endif
