/*
 * csv.h - RFC 4180 CSV reading and writing, with the bounds mamori needs for
 * untrusted files.
 *
 * The reader works on a UTF-8 buffer held in memory (the caller converts the
 * file first with enc_to_utf8()).  It accepts:
 *   - comma- or tab-separated records (delim 0 = detect from the first line:
 *     tab when the first line has a tab outside quotes and no comma, else comma);
 *   - quoted fields with "" escapes and embedded CR/LF;
 *   - LF, CRLF or CR line ends, and a missing final line end;
 * and rejects, with a message naming the line:
 *   - a record with more than CSV_MAX_FIELDS fields, a field longer than
 *     CSV_MAX_FIELD bytes, an unterminated quoted field, a quote in the middle
 *     of an unquoted field, text after a closing quote, a NUL byte.
 * Blank lines (no characters at all) are skipped.  A UTF-8 byte-order mark
 * at the very start is skipped too.  Fields are returned as NUL-terminated
 * strings; they are not trimmed or otherwise changed.
 *
 * Line numbers count LF, CRLF and a lone CR as one line end each, also
 * inside quoted fields, so that they match what an editor shows.
 */
#ifndef MAMORI_CSV_H
#define MAMORI_CSV_H

#include <stddef.h>

#include "strbuf.h"

struct mamori_err;

#define CSV_MAX_FIELDS 256
#define CSV_MAX_FIELD (64 * 1024)

struct csv_reader {
	const char *data;
	size_t len;
	size_t pos;
	unsigned line; /* physical line number (1-based) at pos */
	char delim;
};

/* One record.  fields[i] stays valid until the next csv_read() on the same
 * record or csv_record_release(). */
struct csv_record {
	char **fields;
	size_t nfields;
	size_t cap;
	unsigned line; /* physical line on which the record starts (1-based) */
	struct strbuf storage;
};

/* Starts reading data[0..len).  delim is ',' or '\t', or 0 to detect. */
void csv_reader_init(struct csv_reader *r, const char *data, size_t len, char delim);

void csv_record_init(struct csv_record *rec);
void csv_record_release(struct csv_record *rec);

/*
 * Reads the next record into rec.  Returns 1 when a record was read, 0 at end
 * of input, MAMORI_EINVAL on malformed input with err->msg set to
 * "LINE: reason" (LINE is the physical line where the problem is).
 * After an error the reader must not be used again.
 */
int csv_read(struct csv_reader *r, struct csv_record *rec, struct mamori_err *err);

/*
 * Appends s as one CSV field to out, quoting it when it contains delim, '"',
 * CR or LF, or starts or ends with a space (or starts with U+FEFF, which a
 * reader would take for a byte-order mark).  When a field would start with
 * '=', '+', '-', '@', TAB or CR and is not a plain number ([+-]digits, with
 * an optional .digits), it is prefixed with a single quote so that
 * spreadsheet programs do not run it as a formula (CSV injection);
 * norm_text() drops that quote again when the file is read back.
 * s may be NULL (written as an empty field).  Note that a record made of a
 * single empty field is an empty line, which csv_read() skips.
 */
void csv_write_field(struct strbuf *out, const char *s, char delim);

/* Appends n cells as one comma-separated line ending in CRLF (what Excel writes). */
void csv_write_line(struct strbuf *out, const char *const *cells, size_t n);

#endif
