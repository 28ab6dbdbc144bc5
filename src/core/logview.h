/*
 * logview.h - how events of the access-log vault are shown to people and
 * scripts, shared by `mamori log …` (src/cli/cmd_log.c) and the API
 * (src/server/api_logs.c): one search hit as JSON and as a CSV line (the
 * auditor's export), its flags as badges with their reasons, and the time
 * bounds users type for a search.
 *
 * Nothing here touches the store; a hit (logstore.h) is only read.
 *
 * Text from senders may hold any bytes: everything put into JSON or CSV is
 * first made valid UTF-8 (invalid bytes and NUL written as \xHH), so that a
 * hostile message can neither break the JSON nor hide in the CSV.
 */
#ifndef MAMORI_LOGVIEW_H
#define MAMORI_LOGVIEW_H
#include <jansson.h>
#include <stdint.h>
#include "common.h"
#include "logstore.h"
#include "strbuf.h"

#define LOGVIEW_TIME_LEN 40

/*
 * Reads a search bound: "YYYY-MM-DD" or "YYYY-MM-DD hh:mm[:ss]" (local
 * time) or RFC 3339 ("2026-11-21T09:30:00Z", "…+09:00", fraction
 * allowed).  A date alone as an upper bound (end != 0) means the end of
 * that day (the next midnight), so that --to 2026-11-21 includes the 21st.
 * *us receives Unix microseconds.  MAMORI_EINVAL with a Japanese message
 * naming the value otherwise.
 */
int logview_parse_time(const char *s, int end, int64_t *us, struct mamori_err *err);

/* "2026-11-21 09:30:01" in local time ("" for INT64_MIN). */
void logview_local_time(int64_t us, char out[LOGVIEW_TIME_LEN]);
/* "2026-11-21T00:30:01.123456Z" ("" for INT64_MIN). */
void logview_utc_time(int64_t us, char out[LOGVIEW_TIME_LEN]);

/* Appends s[0..len) to out as valid UTF-8 (bad bytes and NUL as \xHH). */
void logview_clean_text(struct strbuf *out, const char *s, size_t len);

/*
 * The badges of an event: "重複" (LOG_F_DUPLICATE) and "形式不正" (syslog
 * faults, with the parser's reasons found by parsing message again).
 * Returns a JSON array of {"code","label","reason"} (new reference).
 */
json_t *logview_badges(unsigned flags, const char *message, size_t message_len);

/*
 * One hit as a JSON object: seq, recv, time (RFC 3339 UTC or null), via,
 * peer, user, patient, host, action, source, result ("success"/"failure"/
 * null), flags (number), badges, message; texts cleaned as
 * logview_clean_text() does.  logview_hit_json_text() appends it to out
 * as text (a page of hits is written without a JSON tree: thousands of
 * small allocations less); logview_hit_json() returns it parsed (new
 * reference).
 */
void logview_hit_json_text(struct strbuf *out, const struct logstore_hit *h);
json_t *logview_hit_json(const struct logstore_hit *h);

/* The CSV heading (after a UTF-8 BOM when bom) and one hit as a CSV line
 * (CRLF, Excel's way; local times; 成功/失敗). */
void logview_csv_head(struct strbuf *out, int bom);
void logview_csv_line(struct strbuf *out, const struct logstore_hit *h);

/* "成功", "失敗" or "" */
const char *logview_result_label(enum log_result r);

#endif
