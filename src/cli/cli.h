/*
 * cli.h - what the command implementations share: the global options, the
 * store they open, error reporting with the documented exit codes, option
 * parsing, progress on a terminal and table output.
 *
 * Exit codes (PRODUCT.md): 0 done; 1 a check found a problem; 2 bad usage or
 * bad input; 3 a system error.
 */
#ifndef MAMORI_CLI_H
#define MAMORI_CLI_H

#include <getopt.h>
#include <jansson.h>
#include <stddef.h>

#include "common.h"

struct store;

struct cli {
	const char *db_path; /* --db, else $MAMORI_DB, else ./mamori.db */
	char actor[128];     /* recorded in the journal: "cli:<login name>" */
};

struct cli_command {
	const char *name;
	int (*fn)(struct cli *cli, int argc, char **argv);
	const char *summary; /* one line, Japanese */
};

/* Opens the store (creating it with create).  Prints and returns the exit
 * code on failure, 0 on success. */
int cli_open_store(struct cli *cli, struct store **st, int create);

/* Prints "mamori: <message>" to stderr; returns the exit code for err. */
int cli_fail(const struct mamori_err *err);

/* Prints "mamori: <message>" and "usage: …" hint; returns 2. */
int cli_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The paging options of list commands: for ch 'L' (--limit, 1 or more)
 * and 'O' (--offset, 0 or more) parses arg into *limit or *offset and
 * returns 0; on a bad value prints the usage error and returns 2.  Callers
 * use it for those two option letters only.
 */
int cli_page_option(const char *usage, int ch, const char *arg, int64_t *limit, int64_t *offset);

/*
 * getopt_long over argv[0..argc) (argv[0] is the command name).  Returns the
 * option character, -1 at the end, or '?' after printing a usage error.
 */
int cli_getopt(int argc, char **argv, const char *shortopts, const struct option *longopts);

/* Dispatches argv[0] among cmds (NULL-name terminated); prints help. */
int cli_dispatch(struct cli *cli, const char *group, const struct cli_command *cmds, int argc,
		 char **argv);

/* True when stderr is a terminal (progress is shown only then). */
int cli_progress_enabled(void);
/* Progress callback: "\r<what> n/total"; a final call with n == total ends the line. */
void cli_progress(size_t n, size_t total, void *what);

/* Prints j as indented JSON and a newline on stdout; takes the reference. */
void cli_print_json(json_t *j);

/* Output format of lists. */
enum cli_format {
	CLI_FORMAT_TABLE,
	CLI_FORMAT_CSV,
	CLI_FORMAT_JSON,
};
int cli_parse_format(const char *s, enum cli_format *out);

/*
 * A text table: cells added row by row, printed with columns padded by
 * their display width (Japanese characters count double), long cells cut
 * with "…".
 */
struct cli_table {
	size_t ncols;
	char **cells; /* rows * ncols */
	size_t nrows, cap;
	size_t maxwidth;
};
void cli_table_init(struct cli_table *t, size_t ncols, size_t maxwidth);
/* Adds one row of ncols cells (copied; NULL = empty). */
void cli_table_add(struct cli_table *t, const char *const *cells);
void cli_table_print(const struct cli_table *t, FILE *out);
/* The same cells as CSV (RFC 4180, CRLF, no cutting). */
void cli_table_print_csv(const struct cli_table *t, FILE *out);
void cli_table_release(struct cli_table *t);

/*
 * Prints t (whose first row is the heading) as CSV when fmt is
 * CLI_FORMAT_CSV, else as a table followed, when counted, by "(N 件)" with
 * N the rows after the heading; then releases t.
 */
void cli_table_finish(struct cli_table *t, enum cli_format fmt, int counted);

/*
 * key=value arguments argv[from..argc) into a new object of strings (the
 * caller owns it).  An argument without "=" or with an empty key prints a
 * usage error with usage and returns NULL (exit code 2).
 */
json_t *cli_kv_args(int argc, char **argv, int from, const char *usage);

/* A "list [--format table|csv|json]" command of one record module. */
struct cli_list {
	const char *usage;
	/* The records as a JSON array (new reference), or a negative code. */
	int (*load)(struct store *st, json_t **out, struct mamori_err *err);
	const char *const *head; /* ncols headings */
	size_t ncols;
	size_t maxwidth;         /* of a table cell (CSV is not cut) */
	/* Adds item's row of ncols cells to t. */
	void (*row)(struct cli_table *t, json_t *item);
	int counted;             /* a table ends with "(N 件)" */
};

/*
 * Runs l: parses --format, opens the (existing) store, loads
 * the list and prints it as JSON, CSV or a table (see cli_table_finish).
 * Returns the exit code.
 */
int cli_list(struct cli *cli, int argc, char **argv, const struct cli_list *l);

#endif
