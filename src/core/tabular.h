/*
 * tabular.h - the CSV import machinery shared by the ledgers (devices in
 * asset_import.c, accounts in account_import.c).
 *
 * A ledger importer describes its columns in a struct tabular_spec and
 * handles one row at a time; tabular_import() does the rest, the same way
 * for every ledger:
 *   - Encoding: UTF-8 with or without BOM and CP932, detected or forced.
 *   - Header: the first of the first TABULAR_HEADER_ROWS records naming at
 *     least two known fields; the delimiter is detected from the first line,
 *     and when that finds no header (a title row without delimiters) tab and
 *     comma are tried.  A "LABEL：value" preamble line above the header (one
 *     of spec->preamble_labels) gives t->preamble, the default for rows.
 *   - Columns: every non-empty header must name a known field, once; an
 *     unknown one is a problem unless ignore_unknown (then listed in
 *     t->ignored).  Cells under an empty header must be blank.
 *   - Problems are collected as "FILE:LINE: COLUMN: reason", at most
 *     spec->max_problems (then problems_truncated), rather than stopping at
 *     the first, so that the whole file can be fixed in one go.
 *   - All or nothing: rows run in one transaction, committed only when there
 *     is no problem and not a dry run; an interrupt (mamori_interrupted)
 *     rolls back with MAMORI_EINTR.
 *   - One journal entry spec->journal_action for the file (name, SHA-256,
 *     encoding, counts) when anything was added or updated.
 */
#ifndef MAMORI_TABULAR_H
#define MAMORI_TABULAR_H

#include <stddef.h>

#include "enc.h"

struct csv_record;
struct mamori_err;
struct store;
struct tabular;

#define TABULAR_HEADER_ROWS 20

/* t->colfield values besides field ids */
#define TABULAR_COL_IGNORED (-1) /* unknown, refused or repeated column */
#define TABULAR_COL_EMPTY (-2)   /* empty header */
#define TABULAR_COL_NONE (-3)    /* beyond the header (not stored; see tabular_col) */

struct tabular_spec {
	const char *journal_action; /* "asset.import" */
	const char *fields_command; /* "asset": named in "mamori asset fields" */
	const char *header_hint;    /* known column names, for "no header" */
	const char *const *preamble_labels; /* NULL-terminated */
	size_t max_problems;
	/* Field id of a header or cell text, or negative when unknown. */
	int (*field_find)(const char *name);
	/* Label of a field, for messages. */
	const char *(*field_label)(int field);
	/* Why a known column cannot be imported, or NULL (may itself be NULL). */
	const char *(*field_refused)(int field);
	/*
	 * Handles one non-blank data row: reports its problems with
	 * tabular_problem() and counts it in t->added/updated/unchanged.
	 * Returns 0, or a negative code for a system error (err set), which
	 * stops the import.
	 */
	int (*row)(struct tabular *t, const struct csv_record *rec, struct mamori_err *err);
};

struct tabular {
	/* Set by the caller (zero the rest). */
	const struct tabular_spec *spec;
	struct store *st;
	const char *name; /* file name, in messages and the journal */
	enum enc_kind want_encoding;
	int dry_run;
	int ignore_unknown;
	const char *actor;
	const char *preamble_override; /* replaces the preamble value when not blank */
	void (*progress)(size_t done, size_t total, void *ctx);
	void *progress_ctx;
	void *ctx; /* the importer's own state, for spec->row */

	/* Results: problems and ignored are owned by t until taken over. */
	enum enc_kind encoding;
	unsigned header_line;
	size_t added, updated, unchanged;
	char **problems;
	size_t nproblems;
	int problems_truncated;
	char **ignored;
	size_t nignored;

	/* Working state, freed by tabular_import(). */
	int *colfield;  /* per column: field id or TABULAR_COL_* */
	char **colname; /* per column: header text, normalised */
	size_t ncols;
	char *preamble; /* from the preamble line or preamble_override, or NULL */
	struct tabular_seen {
		char *key; /* NULL: empty slot */
		unsigned line;
	} *seen; /* open addressing, linear probing, at most half full */
	size_t nseen, capseen;
};

/*
 * Imports data[0..len) as described above.  Returns 0 when applied (or,
 * with dry_run, when it would apply); MAMORI_EINVAL when the file has
 * problems (in t->problems; store unchanged); MAMORI_EINTR when
 * interrupted; other negative codes for system errors (err set).  In every
 * case t->problems, t->ignored and the counts are left for the caller, who
 * owns them from then on; the working state is freed.
 */
int tabular_import(struct tabular *t, const char *data, size_t len, struct mamori_err *err);

/* Adds "FILE:LINE: COLUMN: reason" (column may be NULL) to t->problems. */
void tabular_problem(struct tabular *t, unsigned line, const char *column, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Field id of cell i of a row (TABULAR_COL_NONE beyond the header). */
int tabular_col(const struct tabular *t, size_t i);

/* The header of the column holding field, else the field's label. */
const char *tabular_column_label(const struct tabular *t, int field);

/*
 * Records key (taken over) as seen on line: returns the line of an earlier
 * row with the same key, or 0 when it is new.
 */
unsigned tabular_seen(struct tabular *t, char *key, unsigned line);

/* Is the code about the data (reported on its line) rather than the system? */
int tabular_is_data_error(int code);

/* Appends a copy of s to the list (*list)[0..*n). */
void tabular_strv_push(char ***list, size_t *n, const char *s);

/* Frees list[0..n) and list. */
void tabular_strv_free(char **list, size_t n);

#endif
