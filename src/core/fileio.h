/*
 * fileio.h - reading whole files with a size limit and writing files so that
 * a reader never sees a half-written one (temporary file, fsync, rename).
 */
#ifndef MAMORI_FILEIO_H
#define MAMORI_FILEIO_H

#include <stddef.h>

struct mamori_err;

/*
 * Reads path ("-" for standard input) into a newly allocated buffer with a
 * NUL after the last byte.  A file larger than max is MAMORI_EINVAL; a file
 * that cannot be read MAMORI_EIO (or MAMORI_ENOTFOUND when missing), with
 * the path and reason in err.
 */
int fileio_read_all(const char *path, size_t max, char **data, size_t *len,
		    struct mamori_err *err);

/*
 * Writes data to path atomically: to "path.tmp-XXXXXX" in the same
 * directory, fsync, rename over path, fsync the directory.  On any failure
 * path is untouched and the temporary file removed.  path "-" writes to
 * standard output instead.
 */
int fileio_write_atomic(const char *path, const void *data, size_t len, struct mamori_err *err);

/*
 * For writers that need a file name (libxlsxwriter): creates an empty file
 * with a unique, unpredictable name beside path (mkostemp) and returns the
 * name (caller frees), to be passed to fileio_commit_temp() or
 * fileio_discard_temp().
 */
char *fileio_temp_name(const char *path);
int fileio_commit_temp(const char *tmp, const char *path, struct mamori_err *err);
void fileio_discard_temp(const char *tmp);

/*
 * The names of the files in dir ending in suffix (dot-files skipped),
 * sorted bytewise, in *names (free with fileio_names_free).  More than max
 * of them is MAMORI_EINVAL; a directory that cannot be read MAMORI_EIO (or
 * MAMORI_ENOTFOUND).
 */
int fileio_list_dir(const char *dir, const char *suffix, size_t max, char ***names, size_t *n,
		    struct mamori_err *err);
void fileio_names_free(char **names, size_t n);

#endif
