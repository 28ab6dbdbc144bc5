/*
 * enc.c - character encodings at mamori's edges (UTF-8 inside, CP932 or
 * UTF-8 in the files hospitals exchange); see enc.h for the contract.
 *
 * UTF-8 is validated here, strictly (Unicode 15, table 3-7: no overlong
 * forms, no surrogates, nothing above U+10FFFF), because glibc's iconv is
 * more lenient than we want and because we need the offset of the first bad
 * byte to name its line.  CP932 goes through glibc's iconv ("CP932" maps
 * 0x5C to U+005C and 0x8160 to U+FF5E, as Excel does).
 *
 * Lines are counted as csv.c counts them: LF, CRLF and a lone CR each end a
 * line.  In CP932 the bytes 0x0A and 0x0D never occur inside a two-byte
 * character (trail bytes are 0x40..0xFC), so counting raw bytes is exact.
 */
#include "common.h"
#include "enc.h"

#include <iconv.h>
#include <strings.h>

#include "strbuf.h"

static const char utf8_bom[] = "\xEF\xBB\xBF";

static const struct {
	const char *name;
	enum enc_kind kind;
} enc_names[] = {
	{ "auto", ENC_AUTO },
	{ "utf-8", ENC_UTF8 },
	{ "utf8", ENC_UTF8 },
	{ "cp932", ENC_CP932 },
	{ "sjis", ENC_CP932 },
	{ "shift_jis", ENC_CP932 },
	{ "shift-jis", ENC_CP932 },
	{ "windows-31j", ENC_CP932 },
	{ "ms932", ENC_CP932 },
};

int enc_parse_name(const char *name, enum enc_kind *out, struct mamori_err *err)
{
	if (name) {
		for (size_t i = 0; i < ARRAY_SIZE(enc_names); i++) {
			if (!strcasecmp(name, enc_names[i].name)) {
				*out = enc_names[i].kind;
				return 0;
			}
		}
	}
	return mamori_err_set(err, MAMORI_EINVAL,
			      "文字コード「%.64s」は使えません。auto, utf-8, cp932 のいずれかを"
			      "指定してください (sjis, shift_jis, windows-31j, ms932 は cp932 と同じ)",
			      name ? name : "");
}

const char *enc_name(enum enc_kind k)
{
	switch (k) {
	case ENC_UTF8:
		return "UTF-8";
	case ENC_CP932:
		return "CP932";
	case ENC_AUTO:
		return "auto";
	}
	return "?";
}

/*
 * Length of the well-formed UTF-8 sequence at s[0..len), or 0 when the
 * bytes there do not start one (including a sequence cut off by the end).
 */
size_t enc_utf8_seq_len(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return len >= 2 && (s[1] & 0xC0) == 0x80 ? 2 : 0;
	if (c >= 0xE0 && c <= 0xEF) {
		unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
		unsigned char hi = c == 0xED ? 0x9F : 0xBF;

		if (len < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80)
			return 0;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
		unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;

		if (len < 4 || s[1] < lo || s[1] > hi || (s[2] & 0xC0) != 0x80 ||
		    (s[3] & 0xC0) != 0x80)
			return 0;
		return 4;
	}
	return 0;
}

/* Offset of the first byte that is not part of well-formed UTF-8, or len. */
size_t enc_utf8_first_invalid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t n;

		/* Fast path over ASCII, eight bytes at a time. */
		if (p[i] < 0x80) {
			uint64_t w;

			while (len - i >= 8) {
				memcpy(&w, p + i, 8);
				if (w & 0x8080808080808080ull)
					break;
				i += 8;
			}
			while (i < len && p[i] < 0x80)
				i++;
			continue;
		}
		n = enc_utf8_seq_len(p + i, len - i);
		if (!n)
			return i;
		i += n;
	}
	return len;
}

bool enc_valid_utf8(const char *s, size_t len)
{
	return enc_utf8_first_invalid(s, len) == len;
}

/* 1-based line of byte offset off in s[0..len). */
static unsigned line_at(const char *s, size_t len, size_t off)
{
	unsigned line = 1;

	for (size_t i = 0; i < off && i < len; i++) {
		if (s[i] == '\n' || (s[i] == '\r' && (i + 1 >= len || s[i + 1] != '\n')))
			line++;
	}
	return line;
}

/* A new NUL-terminated copy of s[0..len) (which may hold NUL bytes). */
static char *copy_bytes(const char *s, size_t len)
{
	char *p = xmalloc(len + 1);

	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

/* Writes up to max bytes from s+off as "0xXX 0xYY" into buf. */
static void hex_bytes(char *buf, size_t bufsz, const char *s, size_t len, size_t off,
		      size_t max)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < max && off + i < len && used + 6 < bufsz; i++) {
		int w = snprintf(buf + used, bufsz - used, "%s0x%02X", i ? " " : "",
				 (unsigned char)s[off + i]);
		if (w < 0)
			break;
		used += (size_t)w;
	}
}

#define HINT_CP932 "CP932 (Shift_JIS) のファイルなら --encoding cp932 を指定してください"
#define HINT_BROKEN "CP932 としても読めません。ファイルが壊れていないか確認してください"
#define HINT_NONE "UTF-8 の文字列を渡してください"

/* The error for invalid UTF-8 at in[bad]; hint says what to do. */
static int utf8_error(const char *in, size_t len, size_t bad, const char *hint,
		      struct mamori_err *err)
{
	const unsigned char *u = (const unsigned char *)in;
	char hex[32];

	if (len >= 2 && ((u[0] == 0xFF && u[1] == 0xFE) || (u[0] == 0xFE && u[1] == 0xFF)))
		return mamori_err_set(err, MAMORI_EINVAL,
				      "1: UTF-16 のファイルです。Excel なら「CSV UTF-8 (コンマ区切り)」"
				      "か「CSV (コンマ区切り)」で保存し直してください");
	hex_bytes(hex, sizeof(hex), in, len, bad, 1);
	return mamori_err_set(err, MAMORI_EINVAL, "%u: UTF-8 として不正なバイト %s があります。%s",
			      line_at(in, len, bad), hex, hint);
}

/*
 * Runs iconv over in[0..len) into a new NUL-terminated buffer.  Returns 0;
 * 1 with *bad set to the offset of the first byte iconv refused (no
 * message: the caller words it); or MAMORI_EIO when glibc cannot convert.
 */
static int run_iconv(const char *to, const char *from, const char *in, size_t len, char **out,
		     size_t *outlen, size_t *bad, struct mamori_err *err)
{
	iconv_t cd = iconv_open(to, from);
	struct strbuf sb = STRBUF_INIT;
	char *inp = (char *)in;
	size_t inleft = len;
	int ret = 0;

	if (cd == (iconv_t)-1)
		return mamori_err_set(err, MAMORI_EIO,
				      "iconv が %s から %s へ変換できません (%s)。"
				      "glibc の gconv モジュールが入っているか確認してください",
				      from, to, strerror(errno));
	strbuf_grow(&sb, len * 2 + 16);
	for (;;) {
		char *outp = sb.buf + sb.len;
		size_t room = sb.alloc - sb.len - 1, before = room;
		size_t r = inleft ? iconv(cd, &inp, &inleft, &outp, &room)
				  : iconv(cd, NULL, NULL, &outp, &room);

		sb.len += before - room;
		sb.buf[sb.len] = '\0';
		if (r != (size_t)-1) {
			if (!inleft)
				break;
			continue;
		}
		if (errno == E2BIG) {
			strbuf_grow(&sb, sb.alloc);
			continue;
		}
		/* EILSEQ, or EINVAL for a sequence cut off at the end. */
		*bad = (size_t)(inp - in);
		ret = 1;
		break;
	}
	iconv_close(cd);
	if (ret) {
		strbuf_release(&sb);
		return ret;
	}
	*out = strbuf_detach(&sb, outlen);
	return 0;
}

int enc_to_utf8(const char *in, size_t len, enum enc_kind enc, char **out, size_t *outlen,
		enum enc_kind *detected, struct mamori_err *err)
{
	bool bom;
	size_t skip, bad, cbad = 0, dummy;
	char hex[32];
	int ret;

	if (!in)
		in = ""; /* an empty file may come as NULL, 0 */
	bom = len >= 3 && memcmp(in, utf8_bom, 3) == 0;
	skip = bom ? 3 : 0;
	*out = NULL;
	if (!outlen)
		outlen = &dummy;
	*outlen = 0;

	if (enc == ENC_CP932 && bom)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "1: 先頭に UTF-8 の BOM があります。UTF-8 のファイルなので "
				      "--encoding utf-8 (または auto) を指定してください");
	/* Offsets below count from in, BOM included, so lines match the file. */
	bad = skip + enc_utf8_first_invalid(in + skip, len - skip);
	if (bad == len && enc != ENC_CP932) {
		*out = copy_bytes(in + skip, len - skip);
		*outlen = len - skip;
		if (detected)
			*detected = ENC_UTF8;
		return 0;
	}
	if (enc == ENC_UTF8 || (enc == ENC_AUTO && bom))
		return utf8_error(in, len, bad, HINT_CP932, err);
	ret = run_iconv("UTF-8", "CP932", in, len, out, outlen, &cbad, err);
	if (ret == 0 && detected)
		*detected = ENC_CP932;
	if (ret <= 0)
		return ret;
	/* ENC_AUTO and neither fits: name the bad byte of the one that got further. */
	if (enc == ENC_AUTO && bad >= cbad)
		return utf8_error(in, len, bad, HINT_BROKEN, err);
	hex_bytes(hex, sizeof(hex), in, len, cbad, 2);
	return mamori_err_set(err, MAMORI_EINVAL,
			      "%u: CP932 (Shift_JIS) として不正なバイト列 %s があります%s",
			      line_at(in, len, cbad), hex,
			      enc == ENC_AUTO ? " (UTF-8 としても読めません)" :
			      "。UTF-8 のファイルなら --encoding utf-8 を指定してください");
}

int enc_from_utf8(const char *in, size_t len, enum enc_kind enc, char **out, size_t *outlen,
		  struct mamori_err *err)
{
	size_t bad, dummy;
	int ret;

	if (!in)
		in = "";
	bad = enc_utf8_first_invalid(in, len);

	*out = NULL;
	if (!outlen)
		outlen = &dummy;
	*outlen = 0;
	if (bad < len)
		return utf8_error(in, len, bad, HINT_NONE, err);
	if (enc != ENC_CP932) {
		*out = copy_bytes(in, len);
		*outlen = len;
		return 0;
	}
	ret = run_iconv("CP932", "UTF-8", in, len, out, outlen, &bad, err);
	if (ret <= 0)
		return ret;
	{
		/* in is valid UTF-8, so bad starts a whole character. */
		size_t n = enc_utf8_seq_len((const unsigned char *)in + bad, len - bad);
		const unsigned char *c = (const unsigned char *)in + bad;
		unsigned long cp;

		if (n == 0)
			n = 1;
		switch (n) {
		case 1:
			cp = c[0];
			break;
		case 2:
			cp = (c[0] & 0x1Fu) << 6 | (c[1] & 0x3Fu);
			break;
		case 3:
			cp = (c[0] & 0x0Fu) << 12 | (c[1] & 0x3Fu) << 6 | (c[2] & 0x3Fu);
			break;
		default:
			cp = (c[0] & 0x07ul) << 18 | (c[1] & 0x3Ful) << 12 | (c[2] & 0x3Ful) << 6 |
			     (c[3] & 0x3Ful);
			break;
		}
		return mamori_err_set(err, MAMORI_EINVAL,
				      "%u: 文字「%.*s」(U+%04lX) は CP932 で表せません。"
				      "別の文字に置き換えるか、UTF-8 で出力してください",
				      line_at(in, len, bad), (int)n, (const char *)c, cp);
	}
}
