/*
 * fuzz_csv.c - libFuzzer target for the CSV reader and writer
 * (src/core/csv.c).
 *
 * 1. The input read as CSV with each delimiter (and detection): records are
 *    within the bounds, start on increasing lines inside the input, and an
 *    error names a line inside the input as "LINE: ".  Each record read is
 *    written back with csv_write_field() and read again unchanged.
 * 2. The input cut into fields (0x00 ends a field, 0xFF a record), written
 *    with csv_write_field() and read back: the same fields, except that a
 *    field the formula guard protects comes back behind a "'", and
 *    norm_text() of what comes back equals norm_text() of what went in.
 */
#include "common.h"

#include "csv.h"
#include "norm.h"
#include "strbuf.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Number of lines in d[0..len) as csv.c counts them (LF, CRLF, lone CR). */
static unsigned count_lines(const char *d, size_t len)
{
	unsigned lines = 1;

	for (size_t i = 0; i < len; i++) {
		if (d[i] == '\n' || (d[i] == '\r' && (i + 1 >= len || d[i + 1] != '\n')))
			lines++;
	}
	return lines;
}

/* err->msg starts with "LINE: " and LINE is in 1..maxline. */
static void check_err(const struct mamori_err *err, unsigned maxline)
{
	unsigned long line = 0;
	size_t i = 0;

	CHECK(err->code == MAMORI_EINVAL);
	while (err->msg[i] >= '0' && err->msg[i] <= '9' && i < 12)
		line = line * 10 + (unsigned long)(err->msg[i++] - '0');
	CHECK(i > 0);
	CHECK(err->msg[i] == ':' && err->msg[i + 1] == ' ');
	CHECK(line >= 1 && line <= maxline);
}

static bool guarded_start(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* got is want, or want behind the formula guard; norm_text agrees. */
static void check_field(const char *got, const char *want)
{
	char *ng, *nw;

	if (strcmp(got, want)) {
		CHECK(got[0] == '\'');
		CHECK(guarded_start(want[0]));
		CHECK(!strcmp(got + 1, want));
	}
	ng = norm_text(got);
	nw = norm_text(want);
	CHECK(!strcmp(ng, nw));
	free(ng);
	free(nw);
}

/* Writes one record's fields and reads them back. */
static void rewrite_record(char **fields, size_t n, char delim)
{
	struct strbuf out = STRBUF_INIT;
	struct csv_reader r;
	struct csv_record rec;
	struct mamori_err err = { 0 };
	int ret;

	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(&out, delim);
		csv_write_field(&out, fields[i], delim);
	}
	strbuf_addstr(&out, "\r\n");
	csv_reader_init(&r, out.buf, out.len, delim);
	csv_record_init(&rec);
	ret = csv_read(&r, &rec, &err);
	if (n == 1 && fields[0][0] == '\0') {
		/* one empty field is written as a blank line, which is skipped */
		CHECK(ret == 0);
	} else {
		CHECK(ret == 1);
		CHECK(rec.line == 1);
		CHECK(rec.nfields == n);
		for (size_t i = 0; i < n; i++)
			check_field(rec.fields[i], fields[i]);
		CHECK(csv_read(&r, &rec, &err) == 0);
	}
	csv_record_release(&rec);
	strbuf_release(&out);
}

static void read_input(const char *d, size_t len, char delim)
{
	struct csv_reader r;
	struct csv_record rec;
	struct mamori_err err = { 0 };
	unsigned maxline = count_lines(d, len), prev = 0;
	int ret;

	csv_reader_init(&r, d, len, delim);
	CHECK(r.delim == ',' || r.delim == '\t');
	if (delim)
		CHECK(r.delim == delim);
	csv_record_init(&rec);
	while ((ret = csv_read(&r, &rec, &err)) == 1) {
		size_t total = 0;
		bool fits = true; /* room for the guard's "'" */

		CHECK(rec.nfields >= 1 && rec.nfields <= CSV_MAX_FIELDS);
		CHECK(rec.line > prev && rec.line <= maxline);
		prev = rec.line;
		for (size_t i = 0; i < rec.nfields; i++) {
			size_t flen = strlen(rec.fields[i]);

			CHECK(flen <= CSV_MAX_FIELD);
			total += flen;
			fits = fits && flen < CSV_MAX_FIELD;
		}
		CHECK(total <= len);
		CHECK(r.line <= maxline);
		if (fits)
			rewrite_record(rec.fields, rec.nfields, r.delim);
	}
	if (ret < 0) {
		check_err(&err, maxline);
		CHECK(csv_read(&r, &rec, &err) == 0);
	} else {
		CHECK(ret == 0);
		CHECK(r.pos == len);
	}
	csv_record_release(&rec);
}

struct field_list {
	char **fields;
	size_t n, cap;
};

static void round_trip(const uint8_t *data, size_t size)
{
	char delim = data[0] & 1 ? '\t' : ',';
	const char *eol = data[0] & 2 ? "\r\n" : "\n";
	const char *d = (const char *)data + 1;
	size_t len = size - 1;
	struct strbuf out = STRBUF_INIT;
	struct field_list *recs = NULL;
	size_t nrecs = 0;
	struct csv_reader r;
	struct csv_record rec;
	struct mamori_err err = { 0 };

	/* Cut the input into records of fields. */
	recs = xcalloc(len + 1, sizeof(*recs));
	nrecs = 1;
	for (size_t i = 0, start = 0; i <= len; i++) {
		struct field_list *fl = &recs[nrecs - 1];

		if (i < len && d[i] != '\0' && (unsigned char)d[i] != 0xFF)
			continue;
		if (fl->n < CSV_MAX_FIELDS) {
			if (fl->n == fl->cap) {
				fl->cap = fl->cap ? fl->cap * 2 : 4;
				fl->fields = xrealloc(fl->fields, fl->cap * sizeof(*fl->fields));
			}
			fl->fields[fl->n++] = xstrndup(d + start, i - start);
		}
		if (i < len && (unsigned char)d[i] == 0xFF)
			nrecs++;
		start = i + 1;
	}

	for (size_t i = 0; i < nrecs; i++) {
		for (size_t j = 0; j < recs[i].n; j++) {
			if (j)
				strbuf_addch(&out, delim);
			csv_write_field(&out, recs[i].fields[j], delim);
		}
		strbuf_addstr(&out, eol);
	}

	csv_reader_init(&r, out.buf, out.len, delim);
	csv_record_init(&rec);
	for (size_t i = 0; i < nrecs; i++) {
		struct field_list *fl = &recs[i];

		if (fl->n == 1 && fl->fields[0][0] == '\0')
			continue; /* written as a blank line */
		CHECK(csv_read(&r, &rec, &err) == 1);
		CHECK(rec.nfields == fl->n);
		for (size_t j = 0; j < fl->n; j++)
			check_field(rec.fields[j], fl->fields[j]);
	}
	CHECK(csv_read(&r, &rec, &err) == 0);
	csv_record_release(&rec);

	for (size_t i = 0; i < nrecs; i++) {
		for (size_t j = 0; j < recs[i].n; j++)
			free(recs[i].fields[j]);
		free(recs[i].fields);
	}
	free(recs);
	strbuf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *d = (const char *)data;

	if (size > 1024 * 1024)
		return 0;
	read_input(d, size, 0);
	read_input(d, size, ',');
	read_input(d, size, '\t');
	/* every field, guard included, must fit CSV_MAX_FIELD */
	if (size > 0 && size < CSV_MAX_FIELD)
		round_trip(data, size);
	return 0;
}
