/*
 * norm.h - normalisers for the values found in hospitals' ledgers.
 *
 * Each takes one cell as typed by a person and either produces the canonical
 * form or fails with MAMORI_EINVAL and a short Japanese reason in err->msg
 * (no location: the caller prefixes "FILE:LINE: COLUMN: ").  All outputs are
 * written into caller buffers of the documented size and always terminated.
 * Inputs are UTF-8; every function first applies norm_text() semantics.
 */
#ifndef MAMORI_NORM_H
#define MAMORI_NORM_H

#include <stddef.h>
#include <stdint.h>

struct mamori_err;

#define NORM_MAC_LEN 18 /* "00:d4:9e:3c:3f:d9" + NUL */
#define NORM_IP_LEN 46  /* INET6_ADDRSTRLEN */
#define NORM_DATE_LEN 11 /* "2024-04-01" + NUL */

/*
 * Returns a newly allocated copy of s with: full-width ASCII (U+FF01..U+FF5E)
 * turned into ASCII, the ideographic space U+3000 and other Unicode spaces
 * (TAB, CR, LF and the other line breaks too) into ' ', half-width katakana
 * into full-width katakana (voiced marks combined, also a combining U+3099 or
 * U+309A after a kana), control characters and invisible format characters
 * (zero-width space, BOM, bidi overrides, soft hyphen) removed, and leading
 * and trailing spaces trimmed.  Inner spaces are kept as they are.  Leading
 * "'"s that guard a formula character (= + - @, or a TAB or CR at the very
 * start) are dropped (it is what csv_write_field() adds).  Invalid UTF-8
 * sequences are replaced by U+FFFD.  s may be NULL (returns "").
 * Idempotent: norm_text(norm_text(s)) equals norm_text(s).
 */
char *norm_text(const char *s);

/* True when norm_text(s) would be empty. */
int norm_is_blank(const char *s);

/*
 * MAC address from any common notation: 00:D4:9E:3C:3F:D9, 00-d4-9e-3c-3f-d9,
 * 00d4.9e3c.3fd9 (Cisco), 00d49e3c3fd9, full-width digits, with or without
 * spaces around; also 00d49e-3c3fd9, space-separated pairs, and pairs with
 * the leading zero dropped (macOS arp: 0:d4:9e:3c:3f:d9); dashes typed with
 * an input method (ー − ―) count as '-'.  Output: lower-case,
 * colon-separated.  Rejects a wrong number of digits, a non-hex digit and
 * mixed separators.
 */
int norm_mac(const char *in, char out[NORM_MAC_LEN], struct mamori_err *err);

/*
 * IPv4 (dotted decimal, no leading zeros that could read as octal, each
 * part 0..255) or IPv6 (written back in RFC 5952 form by inet_ntop).
 * Full-width digits and 。/． as dots are accepted, and [v6] in brackets.
 * Rejects CIDR suffixes, ports, zone ids, host names and anything else with
 * a reason.
 */
int norm_ip(const char *in, char out[NORM_IP_LEN], struct mamori_err *err);

/*
 * Yes/no cell: 〇 ○ ◯ ● ◎ ✓ ✔ 有 有り あり はい 済 済み yes y true 1 → 1;
 * × ✕ ✗ ✘ x 無 無し なし いいえ 未 no n false 0 - (or ー −) → 0;
 * blank → -1 (unknown).  ASCII words in any case.  Anything else:
 * MAMORI_EINVAL (*out is -1).
 */
int norm_bool(const char *in, int *out, struct mamori_err *err);

/*
 * Date as written in Japan: 2024-04-01, 2024/4/1, 2024.4.1, 20240401,
 * 2024年4月1日, 令和6年4月1日, 令和元年5月1日, R6.4.1, R6/4/1, H31.4.30,
 * 平成31年4月30日, S64.1.7, and an Excel serial day number (e.g. 45383;
 * 1900 date system; only a plain integer in 20000..80000 is a serial).
 * Also accepted and ignored: a trailing time as Excel writes it
 * ("2024/4/1 0:00") and a trailing weekday "(月)", which must match.
 * Output: YYYY-MM-DD, year 1900..2199.  The day must exist in the calendar
 * and the era year must be inside that era (令和 from 2019-05-01, 平成
 * 1989-01-08..2019-04-30, 昭和 1926-12-25..1989-01-07); 大正 and 明治 are
 * refused.  A Gregorian year has 4 digits (24/4/1 and 4/1/2024 are refused).
 */
int norm_date(const char *in, char out[NORM_DATE_LEN], struct mamori_err *err);

/*
 * A security rating of the 機器管理票: one letter among allowed (e.g. "ABC"
 * for 機密性, "AB" for 完全性 and 可用性), optionally followed by one digit
 * 1..9 as in the seed's "A3" (a sub-grade some hospitals use); full-width
 * and lower case accepted.  Output: e.g. "A" or "A3" (outsz >= 3).
 */
int norm_rating(const char *in, const char *allowed, char *out, size_t outsz,
		struct mamori_err *err);

/*
 * Display width of UTF-8 s on a terminal: East Asian wide/fullwidth count 2,
 * combining marks and zero-width characters 0, everything else (ambiguous
 * width such as ○ ① included) 1.  Tables from Unicode 14.  NULL counts 0.
 */
size_t norm_display_width(const char *s);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back (Howard
 * Hinnant's algorithms; any year, months 1..12). */
int64_t norm_days_from_civil(int64_t y, int m, int d);
void norm_civil_from_days(int64_t days, int64_t *y, int *m, int *d);

/*
 * Whether date (YYYY-MM-DD, as norm_date() gives it) lies in the future for
 * everyone: later than the day after the server's local date.  A browser in
 * Japan is a day ahead of a server on UTC from 00:00 to 09:00 JST, and its
 * date is the one the person means.  today receives the server's local date
 * (for messages).
 */
bool norm_date_is_future(const char *date, char today[11]);

/* The value 0..15 of a hexadecimal digit (either case); -1 for anything else. */
int norm_hex_digit(int c);

#endif
