/*
 * fuzz_norm.c - libFuzzer target for the cell normalisers
 * (src/core/norm.c).  The input, cut at its first NUL, goes through every
 * normaliser; the invariants checked:
 *   - norm_text: valid UTF-8 out, idempotent, trimmed, no control
 *     characters, no formula guard left in front; norm_is_blank agrees;
 *     a CSV write/read of the result gives it back.
 *   - each parser: on success the output has the documented form and
 *     normalises to itself; on failure the output is "" and there is a
 *     message in valid UTF-8.
 *   - norm_display_width stays within 0..2 per character.
 */
#include "common.h"

#include <arpa/inet.h>

#include "csv.h"
#include "enc.h"
#include "norm.h"
#include "strbuf.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bool is_hex_lower(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void check_failure(int ret, const char *out, const struct mamori_err *err)
{
	CHECK(ret == MAMORI_EINVAL);
	CHECK(out[0] == '\0');
	CHECK(err->code == MAMORI_EINVAL);
	CHECK(err->msg[0] != '\0');
	CHECK(enc_valid_utf8(err->msg, strlen(err->msg)));
}

static size_t count_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

static void check_text(const char *s)
{
	char *t = norm_text(s), *again = norm_text(t);
	size_t len = strlen(t);
	struct strbuf out = STRBUF_INIT;
	struct csv_reader r;
	struct csv_record rec;
	struct mamori_err err = { 0 };

	CHECK(enc_valid_utf8(t, len));
	CHECK(!strcmp(t, again));
	CHECK(len == 0 || (t[0] != ' ' && t[len - 1] != ' '));
	for (size_t i = 0; i < len; i++)
		CHECK((unsigned char)t[i] >= 0x20 && t[i] != 0x7F);
	if (t[0] == '\'') {
		size_t k = strspn(t, "'");

		CHECK(!t[k] || !strchr("=+-@", t[k]));
	}
	CHECK(!!norm_is_blank(s) == (len == 0));
	CHECK(norm_display_width(t) <= 2 * count_chars(t));
	CHECK(norm_display_width(s) <= 2 * strlen(s));

	/* export and re-import: the same value (the formula guard undone) */
	strbuf_addstr(&out, "x,");
	csv_write_field(&out, t, ',');
	strbuf_addstr(&out, ",y\n");
	csv_reader_init(&r, out.buf, out.len, ',');
	csv_record_init(&rec);
	CHECK(csv_read(&r, &rec, &err) == 1);
	CHECK(rec.nfields == 3);
	{
		char *back = norm_text(rec.fields[1]);

		CHECK(!strcmp(back, t));
		free(back);
	}
	csv_record_release(&rec);
	strbuf_release(&out);
	free(again);
	free(t);
}

static void check_mac(const char *s)
{
	char out[NORM_MAC_LEN], again[NORM_MAC_LEN];
	struct mamori_err err = { 0 };
	int ret = norm_mac(s, out, &err);

	if (ret) {
		check_failure(ret, out, &err);
		return;
	}
	CHECK(strlen(out) == 17);
	for (int i = 0; i < 17; i++)
		CHECK(i % 3 == 2 ? out[i] == ':' : is_hex_lower(out[i]));
	CHECK(norm_mac(out, again, &err) == 0);
	CHECK(!strcmp(out, again));
}

static void check_ip(const char *s)
{
	char out[NORM_IP_LEN], again[NORM_IP_LEN];
	unsigned char bin[16];
	struct mamori_err err = { 0 };
	int ret = norm_ip(s, out, &err);

	if (ret) {
		check_failure(ret, out, &err);
		return;
	}
	CHECK(inet_pton(AF_INET, out, bin) == 1 || inet_pton(AF_INET6, out, bin) == 1);
	CHECK(norm_ip(out, again, &err) == 0);
	CHECK(!strcmp(out, again));
}

static void check_bool(const char *s)
{
	int out = 42;
	struct mamori_err err = { 0 };
	int ret = norm_bool(s, &out, &err);

	if (ret) {
		CHECK(ret == MAMORI_EINVAL);
		CHECK(enc_valid_utf8(err.msg, strlen(err.msg)));
		CHECK(!norm_is_blank(s));
		return;
	}
	CHECK(out == -1 || out == 0 || out == 1);
	CHECK((out == -1) == !!norm_is_blank(s));
}

static void check_date(const char *s)
{
	char out[NORM_DATE_LEN], again[NORM_DATE_LEN];
	struct mamori_err err = { 0 };
	int ret = norm_date(s, out, &err);
	int y, m, d;

	if (ret) {
		check_failure(ret, out, &err);
		return;
	}
	CHECK(strlen(out) == 10 && out[4] == '-' && out[7] == '-');
	for (int i = 0; i < 10; i++)
		CHECK(i == 4 || i == 7 || is_digit(out[i]));
	y = (out[0] - '0') * 1000 + (out[1] - '0') * 100 + (out[2] - '0') * 10 + (out[3] - '0');
	m = (out[5] - '0') * 10 + (out[6] - '0');
	d = (out[8] - '0') * 10 + (out[9] - '0');
	CHECK(y >= 1900 && y <= 2199);
	CHECK(m >= 1 && m <= 12);
	CHECK(d >= 1 && d <= 31);
	CHECK(norm_date(out, again, &err) == 0);
	CHECK(!strcmp(out, again));
}

static void check_rating(const char *s, const char *allowed)
{
	char out[4], again[4];
	struct mamori_err err = { 0 };
	int ret = norm_rating(s, allowed, out, sizeof(out), &err);

	if (ret) {
		check_failure(ret, out, &err);
		return;
	}
	CHECK(out[0] && strchr(allowed, out[0]));
	CHECK(out[1] == '\0' || (out[1] >= '1' && out[1] <= '9' && out[2] == '\0'));
	CHECK(norm_rating(out, allowed, again, sizeof(again), &err) == 0);
	CHECK(!strcmp(out, again));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size > 64 * 1024)
		return 0;
	s = xstrndup((const char *)data, size);
	check_text(s);
	check_mac(s);
	check_ip(s);
	check_bool(s);
	check_date(s);
	check_rating(s, "ABC");
	check_rating(s, "AB");
	free(s);
	return 0;
}
