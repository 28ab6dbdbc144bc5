/*
 * logimport.h - `mamori log import FILE`: events from a file, all or
 * nothing.
 *
 * Three inputs:
 *   syslog  one RFC 5424 / RFC 3164 message per line (what rsyslog or
 *           journalctl -o short writes); each line goes through
 *           logfield_event_from_syslog() as if received, via "file";
 *   csv     an EHR audit export: UTF-8 with or without BOM, or CP932
 *           (enc.h), comma or tab separated (csv.h), a header line naming
 *           the columns;
 *   jsonl   one JSON object per line (JSON Lines).
 * For csv and jsonl a mapping says which column (JSON key) holds which
 * field: "user=利用者ID,patient=患者ID,time=日時,action=操作,result=結果,host=端末"
 * (keys user, patient, host, action, result, source, time).  Without one,
 * columns named like the keys are used.  action values are normalised with
 * logfield_action_norm() (参照 → view …) or kept as written; result values
 * must be empty or read by logfield_result_norm() (成功/失敗, OK/NG …).  time
 * is RFC 3339, "YYYY-MM-DD hh:mm[:ss[.frac]]" or "YYYY/MM/DD hh:mm[:ss]"
 * (month, day and hour may have one digit, as Excel writes them), local time
 * Asia/Tokyo (+09:00, no daylight saving) unless a zone is given.  The
 * message of a csv or jsonl event is its line as read (for CSV converted to
 * UTF-8, the line end dropped), so that the leaf covers what was imported;
 * its flags are 0 and its rule "import".
 *
 * All or nothing: the whole file is read and every line validated first;
 * any problem → MAMORI_EINVAL, nothing is passed to fn, and the problems are
 * listed as "FILE:LINE: reason" (the first LOGIMPORT_MAX_PROBLEMS in
 * st->problems and as many as fit in err->msg).  Only then are the events
 * built, sealed and passed to fn in file order.
 */
#ifndef MAMORI_LOGIMPORT_H
#define MAMORI_LOGIMPORT_H

#include <stddef.h>
#include <stdint.h>

#include "enc.h"
#include "logevent.h"

struct mamori_err;
struct logfield_rules;

#define LOGIMPORT_MAX_PROBLEMS 20
#define LOGIMPORT_MAX_FILE ((size_t)2 << 30) /* 2 GiB */

enum logimport_format {
	LOGIMPORT_AUTO = 0, /* by extension: .csv/.tsv → csv, .jsonl/.ndjson/.json → jsonl,
			       anything else → syslog */
	LOGIMPORT_SYSLOG,
	LOGIMPORT_CSV,
	LOGIMPORT_JSONL,
};

struct logimport_opts {
	enum logimport_format format;
	enum enc_kind encoding; /* csv only; ENC_AUTO: UTF-8 (BOM or not) or CP932 */
	const char *map;        /* csv/jsonl mapping as above; NULL: columns named user, … */
	int64_t recv_us;        /* receipt time of every event; 0: now */
	const char *peer;       /* NULL: the file's base name */
};

struct logimport_stats {
	enum logimport_format format; /* the format used */
	size_t lines;                 /* physical lines read */
	size_t events;                /* events passed to fn */
	size_t bad;                   /* lines with a problem */
	char *problems[LOGIMPORT_MAX_PROBLEMS]; /* "FILE:LINE: reason" */
	size_t nproblems;
};

void logimport_stats_release(struct logimport_stats *st);

/*
 * Called once per event, in file order, only after the whole file was
 * validated.  ev is sealed (ev->record, ev->leaf) and owned by the importer
 * (reused for the next event: copy what must outlive the call).  line is the
 * 1-based line where the event starts.  Return 0 to go on, a negative
 * MAMORI_E* code (err set) to stop: logimport_read returns it.
 */
typedef int logimport_event_fn(void *ctx, struct log_event *ev, unsigned line,
			       struct mamori_err *err);

/* "syslog", "csv", "jsonl" (also "json", "ndjson"), "auto"; else MAMORI_EINVAL. */
int logimport_format_parse(const char *name, enum logimport_format *out, struct mamori_err *err);
const char *logimport_format_name(enum logimport_format f);

/*
 * Reads path (at most LOGIMPORT_MAX_FILE bytes) and imports it as above.
 * rules extract the fields of syslog lines (NULL: no extraction).  st
 * (zeroed by the caller, released with logimport_stats_release) receives
 * counts and problems.  Returns 0; MAMORI_EINVAL with the problems (nothing
 * passed to fn); MAMORI_ENOTFOUND or MAMORI_EIO when the file cannot be read (fileio_read_all); MAMORI_EINTR when
 * mamori_interrupted was set (while validating: nothing passed to fn; while
 * passing events: the caller discards what it received, e.g. by not
 * committing); or what fn returned.
 */
int logimport_read(const char *path, const struct logimport_opts *o,
		   const struct logfield_rules *rules, logimport_event_fn *fn, void *ctx,
		   struct logimport_stats *st, struct mamori_err *err);

/* The same on data[0..len) in memory; name stands for the file in messages
 * and is the default peer. */
int logimport_read_buf(const char *data, size_t len, const char *name,
		       const struct logimport_opts *o, const struct logfield_rules *rules,
		       logimport_event_fn *fn, void *ctx, struct logimport_stats *st,
		       struct mamori_err *err);

/*
 * Parses an import time (formats above) into Unix microseconds.  Returns 0
 * or MAMORI_EINVAL (err->msg says which formats are read).
 */
int logimport_parse_time(const char *s, int64_t *us, struct mamori_err *err);

#endif
