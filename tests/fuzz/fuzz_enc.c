/*
 * fuzz_enc.c - libFuzzer target for the encoding module (src/core/enc.c).
 *
 * Checks enc_valid_utf8() against a plain reference decoder written here,
 * and for enc_to_utf8() with each encoding: the output is valid UTF-8 and
 * NUL-terminated at *outlen, UTF-8 input comes back unchanged but for the
 * BOM, CP932 text survives UTF-8 -> CP932 -> UTF-8, and every error names a
 * line inside the input as "LINE: ".  enc_from_utf8() is run on the input
 * and on what enc_to_utf8() made; enc_parse_name() on the input as a name.
 */
#include "common.h"

#include "enc.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reference: decode each sequence, then reject overlongs, surrogates, > U+10FFFF. */
static bool ref_valid_utf8(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint32_t cp, min;
		size_t n;

		if (s[i] < 0x80) {
			i++;
			continue;
		} else if ((s[i] & 0xE0) == 0xC0) {
			n = 2, cp = s[i] & 0x1F, min = 0x80;
		} else if ((s[i] & 0xF0) == 0xE0) {
			n = 3, cp = s[i] & 0x0F, min = 0x800;
		} else if ((s[i] & 0xF8) == 0xF0) {
			n = 4, cp = s[i] & 0x07, min = 0x10000;
		} else {
			return false;
		}
		if (i + n > len)
			return false;
		for (size_t k = 1; k < n; k++) {
			if ((s[i + k] & 0xC0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3F);
		}
		if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n;
	}
	return true;
}

static unsigned count_lines(const char *d, size_t len)
{
	unsigned lines = 1;

	for (size_t i = 0; i < len; i++) {
		if (d[i] == '\n' || (d[i] == '\r' && (i + 1 >= len || d[i + 1] != '\n')))
			lines++;
	}
	return lines;
}

static void check_err(int ret, const char *out, const struct mamori_err *err, unsigned maxline)
{
	unsigned long line = 0;
	size_t i = 0;

	CHECK(ret == MAMORI_EINVAL);
	CHECK(out == NULL);
	CHECK(err->code == MAMORI_EINVAL);
	while (err->msg[i] >= '0' && err->msg[i] <= '9' && i < 12)
		line = line * 10 + (unsigned long)(err->msg[i++] - '0');
	CHECK(i > 0 && err->msg[i] == ':' && err->msg[i + 1] == ' ');
	CHECK(line >= 1 && line <= maxline);
	CHECK(ref_valid_utf8((const uint8_t *)err->msg, strlen(err->msg)));
}

static void check_output(const char *out, size_t outlen)
{
	CHECK(out != NULL);
	CHECK(out[outlen] == '\0');
	CHECK(enc_valid_utf8(out, outlen));
}

/* UTF-8 u (from CP932) goes to CP932 and back unchanged; CP932 bytes are stable. */
static void check_cp932_round_trip(const char *u, size_t ulen)
{
	char *cp = NULL, *back = NULL, *cp2 = NULL;
	size_t cplen, backlen, cp2len;
	struct mamori_err err = { 0 };

	CHECK(enc_from_utf8(u, ulen, ENC_CP932, &cp, &cplen, &err) == 0);
	CHECK(cp[cplen] == '\0');
	CHECK(enc_to_utf8(cp, cplen, ENC_CP932, &back, &backlen, NULL, &err) == 0);
	CHECK(backlen == ulen && !memcmp(back, u, ulen));
	CHECK(enc_from_utf8(back, backlen, ENC_CP932, &cp2, &cp2len, &err) == 0);
	CHECK(cp2len == cplen && !memcmp(cp, cp2, cplen));
	free(cp);
	free(back);
	free(cp2);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	unsigned maxline = count_lines(in, size);
	bool valid = enc_valid_utf8(in, size);
	bool bom = size >= 3 && !memcmp(in, "\xEF\xBB\xBF", 3);
	static const enum enc_kind kinds[] = { ENC_AUTO, ENC_UTF8, ENC_CP932 };

	if (size > 256 * 1024)
		return 0;
	CHECK(valid == ref_valid_utf8(data, size));

	for (size_t k = 0; k < ARRAY_SIZE(kinds); k++) {
		char *out = (char *)"unset";
		size_t outlen = 0;
		enum enc_kind det = (enum enc_kind)-1;
		struct mamori_err err = { 0 };
		int ret = enc_to_utf8(in, size, kinds[k], &out, &outlen, &det, &err);

		if (ret) {
			check_err(ret, out, &err, maxline);
			/* UTF-8 input only fails as UTF-8 when it is not UTF-8 */
			if (kinds[k] == ENC_UTF8)
				CHECK(!enc_valid_utf8(in + (bom ? 3 : 0), size - (bom ? 3 : 0)));
			if (kinds[k] == ENC_AUTO)
				CHECK(!valid);
			continue;
		}
		CHECK(ret == 0);
		check_output(out, outlen);
		if (kinds[k] == ENC_CP932) {
			CHECK(det == ENC_CP932);
			check_cp932_round_trip(out, outlen);
		} else if (det == ENC_UTF8) {
			CHECK(outlen == size - (bom ? 3 : 0));
			CHECK(!memcmp(out, in + (bom ? 3 : 0), outlen));
		} else {
			CHECK(kinds[k] == ENC_AUTO && det == ENC_CP932 && !valid && !bom);
			check_cp932_round_trip(out, outlen);
		}
		free(out);
	}

	/* enc_from_utf8 on the raw input */
	{
		char *out = NULL;
		size_t outlen = 0;
		struct mamori_err err = { 0 };
		int ret = enc_from_utf8(in, size, ENC_UTF8, &out, &outlen, &err);

		if (valid) {
			CHECK(ret == 0 && outlen == size && !memcmp(out, in, size) && !out[size]);
			free(out);
		} else {
			check_err(ret, out, &err, maxline);
		}
		out = (char *)"unset";
		ret = enc_from_utf8(in, size, ENC_CP932, &out, &outlen, &err);
		if (ret) {
			check_err(ret, out, &err, maxline);
		} else {
			char *back = NULL;
			size_t backlen;

			CHECK(valid);
			CHECK(out[outlen] == '\0');
			/* what CP932 holds reads back (look-alikes may change) */
			CHECK(enc_to_utf8(out, outlen, ENC_CP932, &back, &backlen, NULL, &err) == 0);
			check_output(back, backlen);
			free(back);
			free(out);
		}
	}

	/* the input as an --encoding argument */
	if (size < 64) {
		char name[64];
		enum enc_kind k = ENC_AUTO;
		struct mamori_err err = { 0 };

		memcpy(name, in, size);
		name[size] = '\0';
		if (enc_parse_name(name, &k, &err) == 0)
			CHECK(k == ENC_AUTO || k == ENC_UTF8 || k == ENC_CP932);
		else
			CHECK(err.code == MAMORI_EINVAL && strstr(err.msg, "cp932"));
		(void)enc_name(k);
	}
	return 0;
}
