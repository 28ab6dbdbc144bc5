/*
 * enc.h - character encodings of the files hospitals exchange.
 *
 * Japanese Excel writes CSV in CP932 (Microsoft's Shift_JIS); newer versions
 * write UTF-8 with a byte-order mark.  mamori works in UTF-8 inside; this
 * module converts at the edges, using iconv from glibc.
 */
#ifndef MAMORI_ENC_H
#define MAMORI_ENC_H

#include <stdbool.h>
#include <stddef.h>

struct mamori_err;

enum enc_kind {
	ENC_AUTO = 0,
	ENC_UTF8,
	ENC_CP932,
};

/*
 * Parses an encoding name as given to --encoding: "auto", "utf-8"/"utf8",
 * "cp932"/"sjis"/"shift_jis"/"shift-jis"/"windows-31j"/"ms932" (any case).
 * Returns 0, or MAMORI_EINVAL with a message listing the accepted names.
 */
int enc_parse_name(const char *name, enum enc_kind *out, struct mamori_err *err);

/* "UTF-8" or "CP932" (for messages). */
const char *enc_name(enum enc_kind k);

/* True when s[0..len) is well-formed UTF-8 (no overlongs, no surrogates). */
bool enc_valid_utf8(const char *s, size_t len);

/* Offset of the first byte of s[0..len) that does not start a well-formed
 * UTF-8 sequence (overlongs, surrogates and code points past U+10FFFF are
 * not); len when all of s is well-formed. */
size_t enc_utf8_first_invalid(const char *s, size_t len);

/* The length (1..4) of the well-formed UTF-8 sequence at s[0..len), 0 when
 * there is none there (len must be at least 1). */
size_t enc_utf8_seq_len(const unsigned char *s, size_t len);

/*
 * Converts in[0..len) to a newly allocated NUL-terminated UTF-8 string in
 * *out (length in *outlen, which may be NULL; the string may hold NUL
 * bytes), dropping a UTF-8 byte-order mark.
 *   ENC_AUTO: a BOM or valid UTF-8 means UTF-8, otherwise CP932 is tried.
 *   ENC_UTF8: the input must be valid UTF-8.
 *   ENC_CP932: the input is converted from CP932 (a UTF-8 BOM is an error).
 * *detected (may be NULL) receives the encoding used.
 * On bytes that are invalid in the encoding: MAMORI_EINVAL, err->msg is
 * "LINE: reason" with the 1-based line of the first bad byte (LF, CRLF and
 * a lone CR each end a line, as in csv.h; the BOM counts as part of line 1),
 * *out is NULL.  When neither encoding fits ENC_AUTO, the one that read
 * further is named.  MAMORI_EIO if iconv cannot convert at all.
 */
int enc_to_utf8(const char *in, size_t len, enum enc_kind enc, char **out, size_t *outlen,
		enum enc_kind *detected, struct mamori_err *err);

/*
 * Converts UTF-8 in[0..len) to enc (ENC_UTF8 or ENC_AUTO copies; ENC_CP932
 * converts).  Input that is not valid UTF-8: MAMORI_EINVAL, "LINE: reason".
 * A character CP932 cannot represent: MAMORI_EINVAL with err->msg
 * "LINE: 文字「X」(U+XXXX) は CP932 で表せません。…" and *out NULL.
 */
int enc_from_utf8(const char *in, size_t len, enum enc_kind enc, char **out, size_t *outlen,
		  struct mamori_err *err);

#endif
