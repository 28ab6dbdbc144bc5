/*
 * logfield.h - field rules of the access-log vault: who (user) did what
 * (action, result) to whom (patient) on which machine (host) from where
 * (source), read out of one syslog message.
 *
 * Rules are text (the format is in docs/internals/logfield.md; the built-in
 * rules are catalog/logrules.conf, compiled in).  A rule has conditions on
 * the message (SD-ID present, APP-NAME/MSGID/HOSTNAME equal, body prefix,
 * body substring, a wildcard pattern with captures, a POSIX extended regular
 * expression, a value present or in a list) and assignments of the fields
 * from SD parameters (sd:ID:param), key=value pairs in the body (kv:key),
 * captures ($1..$9), header fields (hdr:hostname|app|procid|msgid) or
 * constants, with value maps for action and result.  The first rule whose
 * conditions all hold is applied; with none, host is the syslog HOSTNAME and
 * everything else is unknown.  A rule that does not assign host gets the
 * HOSTNAME too.
 *
 * Rules are immutable once loaded and may be shared by threads: extraction
 * keeps no state in them (regexec(3) on a compiled regex_t is thread-safe).
 *
 * Bounds (checked when loading; a rule file is a configuration file but it
 * is still parsed as untrusted text): LOGFIELD_MAX_RULES rules,
 * LOGFIELD_MAX_ALTS alternatives per assignment, LOGFIELD_MAX_LINE bytes per
 * line (so a regex or a pattern is shorter), LOGFIELD_MAX_MAPVALS values per
 * map.  Extracted values are trimmed of ASCII spaces, "-" and "" are
 * unknown, longer than LOG_FIELD_MAX bytes are cut at a UTF-8 boundary.
 */
#ifndef MAMORI_LOGFIELD_H
#define MAMORI_LOGFIELD_H

#include <stddef.h>
#include <stdint.h>

#include "logevent.h"
#include "syslog.h"

struct mamori_err;
struct logfield_rules;

#define LOGFIELD_MAX_RULES 256
#define LOGFIELD_MAX_ALTS 8
#define LOGFIELD_MAX_LINE 1024
#define LOGFIELD_MAX_MAPVALS 64
#define LOGFIELD_MAX_NAME 48

/*
 * The built-in rules (catalog/logrules.conf) in *out.  Fails only when the
 * compiled-in text does not parse (a bug, caught by the unit tests):
 * MAMORI_EINVAL.
 */
int logfield_rules_builtin(struct logfield_rules **out, struct mamori_err *err);

/*
 * Parses text[0..len) (a rule file, UTF-8) and returns in *out its rules
 * followed by the built-in ones, so that a site's rules are tried first
 * and can override a built-in one for the same messages.  file names the
 * text in messages.  On any error: MAMORI_EINVAL with err->msg
 * "file:line: reason" (Japanese), *out NULL.
 */
int logfield_rules_load(struct logfield_rules **out, const char *text, size_t len,
			const char *file, struct mamori_err *err);

/* Frees r (NULL is fine).  Fields extracted with r point to its rule names:
 * free the rules after the last event that uses them. */
void logfield_rules_free(struct logfield_rules *r);

/* Number of rules in r, and the name of the i-th (for listing). */
size_t logfield_rules_count(const struct logfield_rules *r);
const char *logfield_rules_name(const struct logfield_rules *r, size_t i);

/*
 * Extracts the fields of m into out (released first; out must have been
 * initialised with log_fields_init()).  out->rule is the name of the rule
 * applied (owned by r) or NULL.  Never fails.
 */
void logfield_extract(const struct logfield_rules *r, const struct syslog_msg *m,
		      struct log_fields *out);

/*
 * syslog_parse (format detected, recv_us as the reference for a missing
 * year) + logfield_extract + log_event_seal in one call.  ev must be
 * initialised (log_event_init); what it held is replaced.  ev->time_us is
 * the message's time with microseconds when it carries a zone, else
 * INT64_MIN; ev->flags are the SYSLOG_F_* of the message.  The message kept
 * is raw[0..min(len, SYSLOG_MAX_MSG)).  Never fails.
 */
void logfield_event_from_syslog(const struct logfield_rules *r, struct log_event *ev,
				const char *raw, size_t len, enum log_via via, const char *peer,
				int64_t recv_us);

/*
 * The shared vocabulary used by the built-in rules and by CSV/JSON imports:
 * logfield_action_norm() gives the normalised action for a value (view,
 * update, create, delete, print, export, login, logout; Japanese words such
 * as 参照, 更新, 印刷 and English upper case included) or NULL when it does
 * not know it; logfield_result_norm() gives success/failure for OK, 成功,
 * NG, 失敗, true/false, 0/1 … or LOG_RESULT_UNKNOWN.  Comparison ignores ASCII
 * case and surrounding spaces.
 */
const char *logfield_action_norm(const char *s);
enum log_result logfield_result_norm(const char *s);

/*
 * Copies s[0..n) as a field value: spaces trimmed, cut at the first NUL,
 * cut to at most LOG_FIELD_MAX bytes at a UTF-8 boundary; NULL for "" and
 * "-".  Exposed for logimport and the tests.
 */
char *logfield_value(const char *s, size_t n);

#endif
