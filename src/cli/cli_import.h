/*
 * cli_import.h - what every "mamori X import FILE" command shares (devices
 * in cmd_asset.c, accounts in cmd_account.c): the common options, the
 * summary printed after the changes, and the report of a failed import.
 */
#ifndef MAMORI_CLI_IMPORT_H
#define MAMORI_CLI_IMPORT_H

#include <jansson.h>
#include <stddef.h>

#include "cli.h"
#include "enc.h"

struct mamori_err;

/* The getopt letters of the common options, for cli_getopt()'s optstring. */
#define CLI_IMPORT_OPTSTRING "ne:ivf:"

/* The long options matching CLI_IMPORT_OPTSTRING, for a struct option table. */
#define CLI_IMPORT_LONGOPTS                                                                \
	{ "dry-run", no_argument, NULL, 'n' }, { "encoding", required_argument, NULL, 'e' }, \
		{ "ignore-unknown", no_argument, NULL, 'i' },                              \
		{ "verbose", no_argument, NULL, 'v' },                                     \
		{ "format", required_argument, NULL, 'f' }

struct cli_import_args {
	enum enc_kind encoding; /* ENC_AUTO unless --encoding */
	int dry_run;            /* --dry-run */
	int ignore_unknown;     /* --ignore-unknown */
	int verbose;            /* --verbose: list unchanged rows too */
	enum cli_format fmt;    /* --format table|json */
};

#define CLI_IMPORT_ARGS_INIT { .encoding = ENC_AUTO, .fmt = CLI_FORMAT_TABLE }

/*
 * Takes option c (with its argument arg) into a when it is one of the
 * common options.  Returns 0 when taken, -1 when c is not a common option,
 * or the exit code (2) after printing a usage error with usage.
 */
int cli_import_option(int c, const char *arg, struct cli_import_args *a, const char *usage);

/* Sets *progress and *ctx to show progress when stderr is a terminal. */
void cli_import_progress(void (**progress)(size_t, size_t, void *), void **ctx);

/*
 * Prints the new references (created), the skipped columns (ignored) and the
 * counts line that end the table output of an import.
 */
void cli_import_print_summary(char *const *created, size_t ncreated, char *const *ignored,
			      size_t nignored, int dry_run, size_t added, size_t updated,
			      size_t unchanged, enum enc_kind encoding);

/* Prints one changed field of an updated row: "      LABEL: BEFORE → AFTER". */
void cli_import_print_field(const char *label, const char *before, const char *after);

/*
 * Ends an import that returned r: prints j (the result as JSON, taken over;
 * NULL for table output) with "error" added when r failed without problems;
 * on failure prints the problems (and, when truncated, that they stopped at
 * max) on stderr.  Returns the exit code.
 */
int cli_import_finish(int r, json_t *j, char *const *problems, size_t nproblems, int truncated,
		      int max, const struct mamori_err *err);

#endif
