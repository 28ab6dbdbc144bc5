/*
 * csv.c - RFC 4180 CSV reader and writer for the ledgers hospitals exchange;
 * see csv.h for the contract.
 *
 * The reader is a small state machine over an in-memory UTF-8 buffer.  It
 * never allocates more than CSV_MAX_FIELDS field slots and CSV_MAX_FIELD bytes
 * per field, so a hostile file costs at most about 16 MiB per record.
 *
 * Line numbers: r->line is the physical line at r->pos.  It advances once per
 * line end, where a line end is LF, CRLF or a lone CR, whether the line end
 * lies between records or inside a quoted field.  Every error message starts
 * with the line on which the problem was found ("LINE: reason"); for an
 * unterminated quoted field that is the line of the opening quote.
 *
 * A record's fields are stored one after another, each NUL-terminated, in
 * rec->storage; rec->fields[] points into it once the record is complete
 * (the storage may move while it grows, so offsets are kept until then).
 */
#include "common.h"
#include "csv.h"
#include "strbuf.h"

static const char utf8_bom[] = "\xEF\xBB\xBF";

/* Length of the line end at data[pos] (0, 1 for LF or CR, 2 for CRLF). */
static size_t line_end_len(const char *data, size_t len, size_t pos)
{
	if (pos >= len)
		return 0;
	if (data[pos] == '\n')
		return 1;
	if (data[pos] == '\r')
		return pos + 1 < len && data[pos + 1] == '\n' ? 2 : 1;
	return 0;
}

/*
 * Picks the delimiter from the first non-blank line: tab when it has a tab
 * outside quotes and no comma outside quotes, else comma.  A quoted field may
 * span lines; the "first line" is the first record.
 */
static char detect_delim(const char *data, size_t len, size_t pos)
{
	bool quoted = false;
	size_t tabs = 0, commas = 0;

	while (pos < len && (data[pos] == '\n' || data[pos] == '\r'))
		pos++;
	for (; pos < len; pos++) {
		char c = data[pos];

		if (c == '"')
			quoted = !quoted;
		else if (quoted)
			continue;
		else if (c == '\n' || c == '\r')
			break;
		else if (c == '\t')
			tabs++;
		else if (c == ',')
			commas++;
	}
	return tabs > 0 && commas == 0 ? '\t' : ',';
}

void csv_reader_init(struct csv_reader *r, const char *data, size_t len, char delim)
{
	assert(delim == 0 || delim == ',' || delim == '\t');
	if (!data)
		data = ""; /* an empty file may come as NULL, 0 */
	r->data = data;
	r->len = len;
	r->pos = 0;
	r->line = 1;
	/* A UTF-8 byte-order mark is not part of the first field. */
	if (len >= 3 && memcmp(data, utf8_bom, 3) == 0)
		r->pos = 3;
	r->delim = delim ? delim : detect_delim(data, len, r->pos);
}

void csv_record_init(struct csv_record *rec)
{
	rec->fields = NULL;
	rec->nfields = 0;
	rec->cap = 0;
	rec->line = 0;
	strbuf_init(&rec->storage);
}

void csv_record_release(struct csv_record *rec)
{
	free(rec->fields);
	strbuf_release(&rec->storage);
	csv_record_init(rec);
}

/*
 * Fails the read with "LINE: COL 列目: reason"; the reader is left at the
 * end of the input so that a caller who ignores the error stops.
 */
static int fail(struct csv_reader *r, struct mamori_err *err, unsigned line, size_t col,
		const char *reason)
{
	r->pos = r->len;
	return mamori_err_set(err, MAMORI_EINVAL, "%u: %zu 列目: %s", line, col, reason);
}

#define E_UNTERMINATED "引用符で始まったフィールドが閉じられていません。" \
	"フィールド中の \" は \"\" と2つ重ねて書き、最後を \" で閉じてください"
#define E_STRAY_QUOTE "引用符で囲まれていないフィールドの途中に \" があります。" \
	"フィールド全体を \"…\" で囲み、中の \" は \"\" と書いてください"
#define E_AFTER_QUOTE "閉じ引用符の後に文字があります。引用符の後は区切り文字か改行にしてください"
#define E_NUL "NUL 文字 (0x00) があります。テキスト形式の CSV か確認してください"
#define E_TOO_LONG "フィールドが長すぎます (上限 65536 バイト)"
#define E_TOO_MANY "フィールドが多すぎます (上限 256 列)"

int csv_read(struct csv_reader *r, struct csv_record *rec, struct mamori_err *err)
{
	const char *d = r->data;
	const size_t len = r->len;
	const char delim = r->delim;
	size_t offs[CSV_MAX_FIELDS];
	size_t nf = 0, n;

	/* Skip blank lines. */
	while ((n = line_end_len(d, len, r->pos)) > 0) {
		r->pos += n;
		r->line++;
	}
	if (r->pos >= len)
		return 0;

	rec->nfields = 0;
	rec->line = r->line;
	strbuf_reset(&rec->storage);

	for (;;) {
		size_t start = rec->storage.len;

		if (nf == CSV_MAX_FIELDS)
			return fail(r, err, r->line, nf + 1, E_TOO_MANY);
		offs[nf++] = start;

		if (r->pos < len && d[r->pos] == '"') {
			unsigned open_line = r->line;

			r->pos++;
			for (;;) {
				size_t run = r->pos;

				if (r->pos >= len)
					return fail(r, err, open_line, nf, E_UNTERMINATED);
				/* Copy a run of ordinary bytes at once. */
				while (run < len && d[run] != '"' && d[run] != '\n' &&
				       d[run] != '\r' && d[run] != '\0')
					run++;
				if (run > r->pos) {
					if (rec->storage.len - start + (run - r->pos) > CSV_MAX_FIELD)
						return fail(r, err, r->line, nf, E_TOO_LONG);
					strbuf_add(&rec->storage, d + r->pos, run - r->pos);
					r->pos = run;
					continue;
				}
				if (d[r->pos] == '\0')
					return fail(r, err, r->line, nf, E_NUL);
				if (d[r->pos] == '"') {
					if (r->pos + 1 < len && d[r->pos + 1] == '"') {
						if (rec->storage.len - start + 1 > CSV_MAX_FIELD)
							return fail(r, err, r->line, nf, E_TOO_LONG);
						strbuf_addch(&rec->storage, '"');
						r->pos += 2;
						continue;
					}
					r->pos++;
					break;
				}
				/* A line end inside the quotes is part of the field. */
				n = line_end_len(d, len, r->pos);
				if (rec->storage.len - start + n > CSV_MAX_FIELD)
					return fail(r, err, r->line, nf, E_TOO_LONG);
				strbuf_add(&rec->storage, d + r->pos, n);
				r->pos += n;
				r->line++;
			}
			if (r->pos < len && d[r->pos] != delim && d[r->pos] != '\n' &&
			    d[r->pos] != '\r')
				return fail(r, err, r->line, nf,
					    d[r->pos] == '\0' ? E_NUL : E_AFTER_QUOTE);
		} else {
			size_t end = r->pos;

			while (end < len && d[end] != delim && d[end] != '\n' && d[end] != '\r') {
				if (d[end] == '"')
					return fail(r, err, r->line, nf, E_STRAY_QUOTE);
				if (d[end] == '\0')
					return fail(r, err, r->line, nf, E_NUL);
				end++;
			}
			if (end - r->pos > CSV_MAX_FIELD)
				return fail(r, err, r->line, nf, E_TOO_LONG);
			strbuf_add(&rec->storage, d + r->pos, end - r->pos);
			r->pos = end;
		}
		strbuf_addch(&rec->storage, '\0');

		if (r->pos < len && d[r->pos] == delim) {
			r->pos++;
			continue;
		}
		/* End of the record: a line end or the end of the input. */
		n = line_end_len(d, len, r->pos);
		if (n) {
			r->pos += n;
			r->line++;
		}
		break;
	}

	if (rec->cap < nf) {
		rec->cap = nf < 16 ? 16 : nf;
		free(rec->fields);
		rec->fields = xcalloc(rec->cap, sizeof(*rec->fields));
	}
	for (size_t i = 0; i < nf; i++)
		rec->fields[i] = rec->storage.buf + offs[i];
	rec->nfields = nf;
	return 1;
}

/* True for [+-]?DIGITS(.DIGITS)?: a number a spreadsheet shows as a number. */
static bool is_plain_number(const char *s)
{
	size_t i = 0, digits = 0;

	if (s[i] == '+' || s[i] == '-')
		i++;
	while (s[i] >= '0' && s[i] <= '9')
		i++, digits++;
	if (!digits)
		return false;
	if (s[i] == '.') {
		i++;
		if (!(s[i] >= '0' && s[i] <= '9'))
			return false;
		while (s[i] >= '0' && s[i] <= '9')
			i++;
	}
	return s[i] == '\0';
}

static bool needs_formula_guard(const char *s)
{
	switch (s[0]) {
	case '=':
	case '+':
	case '-':
	case '@':
	case '\t':
	case '\r':
		return !is_plain_number(s);
	default:
		return false;
	}
}

void csv_write_field(struct strbuf *out, const char *s, char delim)
{
	size_t n;
	bool quote;

	assert(delim == ',' || delim == '\t');
	if (!s || !*s)
		return;
	n = strlen(s);
	/* A leading U+FEFF is quoted so that a reader cannot take it for a BOM. */
	quote = s[0] == ' ' || s[n - 1] == ' ' || strchr(s, delim) || strchr(s, '"') ||
		strchr(s, '\r') || strchr(s, '\n') || !strncmp(s, utf8_bom, 3);
	if (quote)
		strbuf_addch(out, '"');
	if (needs_formula_guard(s))
		strbuf_addch(out, '\'');
	if (quote) {
		const char *p = s, *q;

		while ((q = strchr(p, '"')) != NULL) {
			strbuf_add(out, p, (size_t)(q - p) + 1);
			strbuf_addch(out, '"');
			p = q + 1;
		}
		strbuf_addstr(out, p);
		strbuf_addch(out, '"');
	} else {
		strbuf_add(out, s, n);
	}
}

void csv_write_line(struct strbuf *out, const char *const *cells, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(out, ',');
		csv_write_field(out, cells[i], ',');
	}
	strbuf_addstr(out, "\r\n");
}
