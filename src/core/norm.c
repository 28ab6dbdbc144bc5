/*
 * norm.c - normalisers for the cells of hospitals' ledgers (text, MAC and IP
 * addresses, yes/no, dates, ratings) and the terminal width of a string;
 * see norm.h for the contract.
 *
 * Every normaliser first runs norm_text(), so full-width digits and letters,
 * odd spaces and half-width katakana are dealt with once, here.  The
 * address and date parsers then also read the dashes and full stops people
 * type with a Japanese input method (ー − ― 。 ．) as '-' and '.'.
 *
 * norm_text() is idempotent: norm_text(norm_text(s)) equals norm_text(s).
 * Together with csv_write_field() it also undoes the CSV formula guard:
 * norm_text(csv_read(csv_write_field(s))) equals norm_text(s).  The fuzz
 * target tests/fuzz/fuzz_norm.c checks both.
 *
 * The width tables were generated from Unicode 14.0 (EastAsianWidth W and F;
 * general categories Mn and Me, Hangul medial vowels and final consonants,
 * and zero-width format characters).
 */
#include "common.h"
#include "norm.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include "strbuf.h"

/* ---- UTF-8 ------------------------------------------------------------ */

#define REPLACEMENT 0xFFFDu

/*
 * Decodes the character at s (NUL-terminated).  Returns the code point and
 * sets *n to the bytes used.  Ill-formed input gives U+FFFD for each maximal
 * subpart (the lead byte and the continuation bytes that were still
 * acceptable), as the Unicode standard recommends.
 */
static uint32_t utf8_decode(const char *str, size_t *n)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	size_t need;
	uint32_t cp;

	*n = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF) {
		need = 1;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		need = 2;
		cp = c & 0x0F;
		lo = c == 0xE0 ? 0xA0 : 0x80;
		hi = c == 0xED ? 0x9F : 0xBF;
	} else if (c >= 0xF0 && c <= 0xF4) {
		need = 3;
		cp = c & 0x07;
		lo = c == 0xF0 ? 0x90 : 0x80;
		hi = c == 0xF4 ? 0x8F : 0xBF;
	} else {
		return REPLACEMENT;
	}
	for (size_t i = 1; i <= need; i++) {
		if (s[i] < lo || s[i] > hi)
			return REPLACEMENT; /* *n covers the subpart read so far */
		cp = cp << 6 | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
		*n = i + 1;
	}
	return cp;
}

static void utf8_put(struct strbuf *sb, uint32_t cp)
{
	char b[4];

	if (cp < 0x80) {
		strbuf_addch(sb, (int)cp);
		return;
	}
	if (cp < 0x800) {
		b[0] = (char)(0xC0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xE0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3F));
		b[2] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 3);
	} else {
		b[0] = (char)(0xF0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3F));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3F));
		b[3] = (char)(0x80 | (cp & 0x3F));
		strbuf_add(sb, b, 4);
	}
}

/* ---- norm_text ---------------------------------------------------------- */

static bool is_space_cp(uint32_t cp)
{
	return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || cp == 0x85 || cp == 0xA0 ||
	       cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
	       cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* Controls and invisible format characters (including bidi overrides). */
static bool is_dropped_cp(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || cp == 0xAD ||
	       cp == 0x200B || cp == 0x200E || cp == 0x200F ||
	       (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2060 && cp <= 0x2064) ||
	       (cp >= 0x2066 && cp <= 0x2069) || cp == 0xFEFF;
}

/* Half-width katakana U+FF61..U+FF9D to their full-width forms. */
static const uint16_t halfwidth_kana[] = {
	0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, /* FF61 */
	0x30A5, 0x30A7, 0x30A9, 0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC, /* FF69 */
	0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB, 0x30AD, 0x30AF, /* FF71 */
	0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, /* FF79 */
	0x30C1, 0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC, 0x30CD, /* FF81 */
	0x30CE, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB, 0x30DE, 0x30DF, /* FF89 */
	0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9, 0x30EA, /* FF91 */
	0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3,                         /* FF99 */
};

/* Katakana taking a voiced mark (+1); the last five also a semi-voiced (+2). */
static const uint16_t voiceable[] = {
	0x30AB, 0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD,
	0x30BF, 0x30C1, 0x30C4, 0x30C6, 0x30C8, 0x30CF, 0x30D2, 0x30D5, 0x30D8, 0x30DB,
};

/*
 * The precomposed form of kana base with a voiced (semi false) or
 * semi-voiced (semi true) sound mark, or 0 when there is none.
 */
static uint32_t kana_voice(uint32_t base, bool semi)
{
	bool hira = base >= 0x3041 && base <= 0x309F;
	uint32_t kata = hira ? base + 0x60 : base;

	for (size_t i = 0; i < ARRAY_SIZE(voiceable); i++) {
		if (voiceable[i] == kata) {
			if (semi && i < 15)
				return 0;
			return base + (semi ? 2 : 1);
		}
	}
	if (semi)
		return 0;
	switch (kata) {
	case 0x30A6: /* ウ ヴ, う ゔ */
		return hira ? 0x3094 : 0x30F4;
	case 0x30FD: /* ヽ ヾ, ゝ ゞ */
		return base + 1;
	case 0x30EF: /* ワ ヷ  ヰ ヸ  ヱ ヹ  ヲ ヺ (katakana only) */
	case 0x30F0:
	case 0x30F1:
	case 0x30F2:
		return hira ? 0 : base + 8;
	}
	return 0;
}

static bool is_formula_char(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@';
}

char *norm_text(const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	size_t prev_off = 0, start, end, n;
	uint32_t prev = 0;

	if (!s)
		return xstrdup("");
	/* The guard csv_write_field() puts before a leading TAB or CR. */
	for (n = 0; s[n] == '\''; n++)
		;
	if (n && (s[n] == '\t' || s[n] == '\r'))
		s += n;

	while (*s) {
		uint32_t cp = utf8_decode(s, &n);
		uint32_t voiced = 0;

		s += n;
		if (cp >= 0xFF01 && cp <= 0xFF5E) {
			cp -= 0xFEE0;
		} else if (is_space_cp(cp)) {
			cp = ' ';
		} else if (is_dropped_cp(cp)) {
			continue;
		} else if (cp == 0xFF9E || cp == 0xFF9F || cp == 0x3099 || cp == 0x309A) {
			bool semi = cp == 0xFF9F || cp == 0x309A;

			voiced = prev ? kana_voice(prev, semi) : 0;
			if (!voiced && cp >= 0xFF00)
				cp = semi ? 0x309C : 0x309B; /* ゜ ゛ */
		} else if (cp >= 0xFF61 && cp <= 0xFF9D) {
			cp = halfwidth_kana[cp - 0xFF61];
		}
		if (voiced) {
			sb.len = prev_off;
			cp = voiced;
		}
		prev_off = sb.len;
		prev = cp;
		utf8_put(&sb, cp);
	}

	/* Trim (every space is ' ' by now). */
	for (start = 0; start < sb.len && sb.buf[start] == ' '; start++)
		;
	for (end = sb.len; end > start && sb.buf[end - 1] == ' '; end--)
		;
	/* Undo the formula guard: "'=SUM(A1)" reads as "=SUM(A1)". */
	for (n = start; n < end && sb.buf[n] == '\''; n++)
		;
	if (n > start && n < end && is_formula_char(sb.buf[n]))
		start = n;
	memmove(sb.buf, sb.buf + start, end - start);
	sb.len = end - start;
	if (sb.alloc)
		sb.buf[sb.len] = '\0';
	return strbuf_detach(&sb, NULL);
}

int norm_is_blank(const char *s)
{
	char *t = norm_text(s);
	int blank = t[0] == '\0';

	free(t);
	return blank;
}

/* ---- helpers for the parsers ---------------------------------------------- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

int norm_hex_digit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static char ascii_lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static char ascii_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static bool is_dash_cp(uint32_t cp)
{
	return (cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0x30FC ||
	       cp == 0xFE58 || cp == 0xFE63;
}

/*
 * norm_text(s), then the dashes and full stops of Japanese input methods as
 * ASCII: ‐ ‑ ‒ – — ― − ー as '-', 。 and ． as '.'.  For addresses and dates.
 */
static char *norm_punct(const char *s)
{
	char *t = norm_text(s), *p = t;
	struct strbuf sb = STRBUF_INIT;
	size_t n;

	while (*p) {
		uint32_t cp = utf8_decode(p, &n);

		if (is_dash_cp(cp))
			strbuf_addch(&sb, '-');
		else if (cp == 0x3002 || cp == 0xFF0E)
			strbuf_addch(&sb, '.');
		else
			strbuf_add(&sb, p, n);
		p += n;
	}
	free(t);
	return strbuf_detach(&sb, NULL);
}

/*
 * Copies s for quoting in a message, cut at a character boundary after
 * about 60 bytes with "…" appended.
 */
#define SHOW_MAX 64
static const char *show(const char *s, char buf[SHOW_MAX + 4])
{
	size_t len = strlen(s), n;

	if (len <= SHOW_MAX) {
		memcpy(buf, s, len + 1);
		return buf;
	}
	n = SHOW_MAX - 4;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	memcpy(buf, s, n);
	memcpy(buf + n, "…", sizeof("…"));
	return buf;
}

/* Length in bytes of the character at s (1 for a broken one). */
static size_t char_len(const char *s)
{
	size_t n;

	utf8_decode(s, &n);
	return n;
}

/* ---- MAC ---------------------------------------------------------------- */

#define MAC_EXAMPLE "(例: 00:d4:9e:3c:3f:d9)"

int norm_mac(const char *in, char out[NORM_MAC_LEN], struct mamori_err *err)
{
	char *t = norm_punct(in), q[SHOW_MAX + 4];
	char digits[32];
	size_t groups[8], ngroups = 0, cur = 0, ndigits = 0, k = 0;
	char sep = 0;
	int ret = 0;

	out[0] = '\0';
	if (!*t) {
		ret = mamori_err_set(err, MAMORI_EINVAL, "MACアドレスが空です");
		goto out;
	}
	for (const char *p = t; *p;) {
		if (norm_hex_digit((unsigned char)*p) >= 0) {
			if (ndigits < sizeof(digits))
				digits[ndigits] = ascii_lower(*p);
			ndigits++;
			cur++;
			p++;
		} else if (*p == ':' || *p == '-' || *p == '.' || *p == ' ') {
			if (sep && *p != sep) {
				ret = mamori_err_set(err, MAMORI_EINVAL,
						     "MACアドレスの区切り文字が混在しています「%s」" MAC_EXAMPLE,
						     show(t, q));
				goto out;
			}
			if (!cur || !p[1]) {
				ret = mamori_err_set(err, MAMORI_EINVAL,
						     "MACアドレスの区切り方が正しくありません「%s」" MAC_EXAMPLE,
						     show(t, q));
				goto out;
			}
			sep = *p++;
			if (ngroups < ARRAY_SIZE(groups))
				groups[ngroups] = cur;
			ngroups++;
			cur = 0;
		} else {
			ret = mamori_err_set(err, MAMORI_EINVAL,
					     "MACアドレスに16進数でない文字「%.*s」があります「%s」" MAC_EXAMPLE,
					     (int)char_len(p), p, show(t, q));
			goto out;
		}
	}
	if (ngroups < ARRAY_SIZE(groups))
		groups[ngroups] = cur;
	ngroups++;

	/* 12 digits, or 6 groups of 1-2 (macOS drops leading zeros), 3 of 4 (Cisco), 2 of 6. */
	{
		size_t want = ngroups == 1 ? 12 : ngroups == 2 ? 6 : ngroups == 3 ? 4 : 2;
		bool ok = ngroups == 1 || ngroups == 2 || ngroups == 3 || ngroups == 6;

		for (size_t i = 0; ok && i < ngroups; i++)
			ok = ngroups == 6 ? groups[i] <= 2 : groups[i] == want;
		if (!ok || ndigits > 12) {
			ret = mamori_err_set(err, MAMORI_EINVAL,
					     "MACアドレスの桁数が正しくありません「%s」" MAC_EXAMPLE,
					     show(t, q));
			goto out;
		}
	}
	/* Write the 12 digits as 6 colon-separated pairs, padding short groups. */
	{
		char hex[12];

		if (ngroups == 6) {
			size_t d = 0;

			for (size_t i = 0; i < 6; i++) {
				hex[2 * i] = groups[i] == 2 ? digits[d++] : '0';
				hex[2 * i + 1] = digits[d++];
			}
		} else {
			memcpy(hex, digits, 12);
		}
		for (size_t i = 0; i < 6; i++) {
			if (i)
				out[k++] = ':';
			out[k++] = hex[2 * i];
			out[k++] = hex[2 * i + 1];
		}
		out[k] = '\0';
	}
out:
	free(t);
	return ret;
}

/* ---- IP ----------------------------------------------------------------- */

#define IP_EXAMPLE "(例: 192.168.1.10)"

/* Parses dotted-decimal IPv4 strictly into out; 0 or an error. */
static int parse_ipv4(const char *t, char out[NORM_IP_LEN], struct mamori_err *err)
{
	char q[SHOW_MAX + 4];
	unsigned parts[4];
	size_t nparts = 0;
	const char *p = t;

	for (const char *c = t; *c; c += char_len(c)) {
		if (is_digit(*c) || *c == '.')
			continue;
		if ((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z'))
			return mamori_err_set(err, MAMORI_EINVAL,
					      "ホスト名ではなく IP アドレスを書いてください「%s」" IP_EXAMPLE,
					      show(t, q));
		return mamori_err_set(err, MAMORI_EINVAL,
				      "IPアドレスに使えない文字「%.*s」があります「%s」" IP_EXAMPLE,
				      (int)char_len(c), c, show(t, q));
	}
	for (;;) {
		size_t len = 0;
		unsigned v = 0;

		while (is_digit(p[len])) {
			if (len < 4)
				v = v * 10 + (unsigned)(p[len] - '0');
			len++;
		}
		if (len == 0 || nparts == 4 || (p[len] != '.' && p[len] != '\0'))
			return mamori_err_set(err, MAMORI_EINVAL,
					      "IPv4アドレスは 0〜255 の数 4 つを . で区切って書きます「%s」"
					      IP_EXAMPLE, show(t, q));
		if (len > 1 && p[0] == '0')
			return mamori_err_set(err, MAMORI_EINVAL,
					      "先頭に 0 のある数は使えません (8 進数と紛らわしいため)「%s」"
					      IP_EXAMPLE, show(t, q));
		if (len > 3 || v > 255)
			return mamori_err_set(err, MAMORI_EINVAL,
					      "IPv4アドレスの各数は 0〜255 です「%s」" IP_EXAMPLE,
					      show(t, q));
		parts[nparts++] = v;
		if (p[len] == '\0')
			break;
		p += len + 1;
	}
	if (nparts != 4)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "IPv4アドレスは 0〜255 の数 4 つを . で区切って書きます「%s」"
				      IP_EXAMPLE, show(t, q));
	snprintf(out, NORM_IP_LEN, "%u.%u.%u.%u", parts[0], parts[1], parts[2], parts[3]);
	return 0;
}

int norm_ip(const char *in, char out[NORM_IP_LEN], struct mamori_err *err)
{
	char *t = norm_punct(in), q[SHOW_MAX + 4];
	const char *colon;
	int ret = 0;

	out[0] = '\0';
	if (!*t) {
		ret = mamori_err_set(err, MAMORI_EINVAL, "IPアドレスが空です");
		goto out;
	}
	if (strchr(t, '/')) {
		ret = mamori_err_set(err, MAMORI_EINVAL,
				     "CIDR 表記 (/24 など) は使えません。アドレスだけを書いてください「%s」",
				     show(t, q));
		goto out;
	}
	colon = strchr(t, ':');
	if (!colon) {
		ret = parse_ipv4(t, out, err);
		goto out;
	}
	if (!strchr(colon + 1, ':') && memchr(t, '.', (size_t)(colon - t))) {
		ret = mamori_err_set(err, MAMORI_EINVAL,
				     "ポート番号は書かないでください「%s」" IP_EXAMPLE, show(t, q));
		goto out;
	}
	if (strchr(t, '%')) {
		ret = mamori_err_set(err, MAMORI_EINVAL,
				     "ゾーン ID (%%eth0 など) は書かないでください「%s」", show(t, q));
		goto out;
	}
	{
		struct in6_addr a6;
		char buf[NORM_IP_LEN + 2];
		size_t len = strlen(t);
		const char *p = t;

		/* [2001:db8::1] as in URLs */
		if (len >= 2 && len < sizeof(buf) && t[0] == '[' && t[len - 1] == ']') {
			memcpy(buf, t + 1, len - 2);
			buf[len - 2] = '\0';
			p = buf;
		}
		if (inet_pton(AF_INET6, p, &a6) != 1) {
			ret = mamori_err_set(err, MAMORI_EINVAL,
					     "IPv6アドレスとして読めません「%s」(例: 2001:db8::1)",
					     show(t, q));
			goto out;
		}
		if (!inet_ntop(AF_INET6, &a6, out, NORM_IP_LEN))
			BUG("inet_ntop failed");
	}
out:
	free(t);
	return ret;
}

/* ---- yes/no --------------------------------------------------------------- */

static const char *const bool_yes[] = {
	"〇", "○", "◯", "●", "◎", "✓", "✔", "有", "有り", "あり", "はい", "済", "済み",
	"yes", "y", "true", "1",
};
static const char *const bool_no[] = {
	"×", "✕", "✗", "✘", "x", "無", "無し", "なし", "いいえ", "未", "no", "n", "false",
	"0", "-",
};

int norm_bool(const char *in, int *out, struct mamori_err *err)
{
	char *t = norm_punct(in), q[SHOW_MAX + 4];
	int ret = 0;

	*out = -1;
	if (!*t)
		goto out;
	for (char *p = t; *p; p++)
		*p = ascii_lower(*p);
	for (size_t i = 0; i < ARRAY_SIZE(bool_yes); i++) {
		if (!strcmp(t, bool_yes[i])) {
			*out = 1;
			goto out;
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(bool_no); i++) {
		if (!strcmp(t, bool_no[i])) {
			*out = 0;
			goto out;
		}
	}
	ret = mamori_err_set(err, MAMORI_EINVAL,
			     "はい/いいえとして読めません「%s」(例: 〇, ×, はい, いいえ, yes, no, 1, 0)",
			     show(t, q));
out:
	free(t);
	return ret;
}

/* ---- dates -------------------------------------------------------------- */

#define DATE_EXAMPLE "(例: 2024-04-01, 2024/4/1, 令和6年4月1日, R6.4.1)"

static bool is_leap(long y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(long y, long m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

int64_t norm_days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void norm_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	/* the same days are usually asked again and again (a log's events
	 * come day by day, and an event's record holds its own time and the
	 * time of receipt): the last two answers, per thread */
	static _Thread_local struct {
		int64_t z, y;
		int m, d;
	} last[2] = { { INT64_MIN, 0, 0, 0 }, { INT64_MIN, 0, 0, 0 } };
	static _Thread_local unsigned older;
	int64_t era, doe, yoe, doy, mp, z0 = z;

	for (int i = 0; i < 2; i++)
		if (last[i].z == z) {
			*y = last[i].y;
			*m = last[i].m;
			*d = last[i].d;
			return;
		}
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
	last[older].z = z0;
	last[older].y = *y;
	last[older].m = *m;
	last[older].d = *d;
	older ^= 1;
}

bool norm_date_is_future(const char *date, char today[11])
{
	char latest[16];
	int64_t y;
	int m, d;

	mamori_today(today);
	y = (today[0] - '0') * 1000 + (today[1] - '0') * 100 + (today[2] - '0') * 10 + (today[3] - '0');
	m = (today[5] - '0') * 10 + (today[6] - '0');
	d = (today[8] - '0') * 10 + (today[9] - '0');
	norm_civil_from_days(norm_days_from_civil(y, m, d) + 1, &y, &m, &d);
	snprintf(latest, sizeof(latest), "%04lld-%02d-%02d", (long long)y, m, d);
	return strcmp(date, latest) > 0;
}

static long days_from_civil(long y, long m, long d)
{
	return (long)norm_days_from_civil(y, (int)m, (int)d);
}

static void civil_from_days(long z, long *y, long *m, long *d)
{
	int64_t yy;
	int mm, dd;

	norm_civil_from_days(z, &yy, &mm, &dd);
	*y = (long)yy;
	*m = mm;
	*d = dd;
}

/* 0 = Sunday .. 6 = Saturday */
static int weekday(long y, long m, long d)
{
	long w = (days_from_civil(y, m, d) + 4) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

static const struct era {
	const char *kanji;
	char letter;
	long offset; /* Gregorian year = era year + offset */
	long first, last; /* YYYYMMDD */
	const char *range;
} eras[] = {
	{ "令和", 'R', 2018, 20190501, 99991231, "令和は 2019年5月1日 (令和元年5月1日) からです" },
	{ "平成", 'H', 1988, 19890108, 20190430,
	  "平成は 1989年1月8日 から 2019年4月30日 (平成31年4月30日) までです" },
	{ "昭和", 'S', 1925, 19261225, 19890107,
	  "昭和は 1926年12月25日 から 1989年1月7日 (昭和64年1月7日) までです" },
};

static const char *const weekdays[7] = { "日", "月", "火", "水", "木", "金", "土" };

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Reads up to 9 digits at *p into *v; returns how many there were. */
static size_t read_num(const char **p, long *v)
{
	size_t n = 0;

	*v = 0;
	while (is_digit((*p)[n])) {
		if (n < 9)
			*v = *v * 10 + ((*p)[n] - '0');
		n++;
	}
	*p += n;
	return n;
}

/*
 * Cuts a trailing weekday "(月)" "(月曜)" "(月曜日)" off s; returns 0..6, or
 * -1 when there is none.
 */
static int cut_weekday(char *s)
{
	size_t len = strlen(s);
	char *open;

	if (!len || s[len - 1] != ')' || !(open = strrchr(s, '(')))
		return -1;
	for (int i = 0; i < 7; i++) {
		const char *w = weekdays[i];
		size_t wl = strlen(w);
		const char *rest = open + 1 + wl;

		if (strncmp(open + 1, w, wl))
			continue;
		if (starts_with(rest, "曜日"))
			rest += strlen("曜日");
		else if (starts_with(rest, "曜"))
			rest += strlen("曜");
		if (strcmp(rest, ")"))
			continue;
		*open = '\0';
		while (open > s && open[-1] == ' ')
			*--open = '\0';
		return i;
	}
	return -1;
}

/* Cuts a trailing " H:MM" or " H:MM:SS" (as Excel writes a date cell) off s. */
static void cut_time(char *s)
{
	char *sp = strrchr(s, ' ');
	const char *p;
	long h, mi, sec = 0;

	if (!sp)
		return;
	p = sp + 1;
	if (read_num(&p, &h) < 1 || h > 23 || *p++ != ':' || read_num(&p, &mi) != 2 || mi > 59)
		return;
	if (*p == ':' && (p++, read_num(&p, &sec) != 2 || sec > 59))
		return;
	if (*p)
		return;
	while (sp > s && sp[-1] == ' ')
		sp--;
	*sp = '\0';
}

static int date_error(struct mamori_err *err, const char *reason, const char *t)
{
	char q[SHOW_MAX + 4];

	return mamori_err_set(err, MAMORI_EINVAL, "%s「%s」%s", reason, show(t, q),
			      DATE_EXAMPLE);
}

int norm_date(const char *in, char out[NORM_DATE_LEN], struct mamori_err *err)
{
	char *t = norm_punct(in), *s = NULL, q[SHOW_MAX + 4];
	const struct era *era = NULL;
	const char *p;
	long y = 0, m = 0, d = 0;
	size_t ny, nm, nd;
	int wd, ret = 0;
	char sep;

	out[0] = '\0';
	if (!*t) {
		ret = mamori_err_set(err, MAMORI_EINVAL, "日付が空です");
		goto out;
	}
	s = xstrdup(t);
	wd = cut_weekday(s);
	cut_time(s);
	{
		/* Spaces carry no meaning left: "令和 6 年 4 月 1 日". */
		char *w = s;

		for (const char *r = s; *r; r++)
			if (*r != ' ')
				*w++ = *r;
		*w = '\0';
	}
	p = s;

	/* All digits: YYYYMMDD, or an Excel serial day number. */
	if (*p && strspn(p, "0123456789") == strlen(p)) {
		size_t len = strlen(p);
		long v;

		if (len == 8) {
			read_num(&p, &v);
			y = v / 10000;
			m = v / 100 % 100;
			d = v % 100;
		} else if (len <= 5 && (read_num(&p, &v), v >= 20000 && v <= 80000)) {
			/* 1900 date system: serial 1 is 1900-01-01, and Excel counts a
			 * 1900-02-29 that never was, so from serial 61 on day 0 is
			 * 1899-12-30. */
			civil_from_days(days_from_civil(1899, 12, 30) + v, &y, &m, &d);
		} else {
			ret = date_error(err, "日付として読めません。数字だけなら 8 桁 (20240401) か "
					 "Excel の日付シリアル値 (20000〜80000) です", t);
			goto out;
		}
		goto check;
	}

	for (size_t i = 0; i < ARRAY_SIZE(eras); i++) {
		if (starts_with(p, eras[i].kanji)) {
			era = &eras[i];
			p += strlen(eras[i].kanji);
			break;
		}
		if (ascii_upper(*p) == eras[i].letter && (is_digit(p[1]) || starts_with(p + 1, "元"))) {
			era = &eras[i];
			p++;
			break;
		}
	}
	if (!era && (starts_with(p, "大正") || starts_with(p, "明治") ||
		     ((ascii_upper(*p) == 'T' || ascii_upper(*p) == 'M') && is_digit(p[1])))) {
		ret = date_error(err, "大正・明治の日付には対応していません。西暦で書いてください", t);
		goto out;
	}
	if (era && starts_with(p, "元")) {
		p += strlen("元");
		y = 1;
		ny = 1;
	} else {
		ny = read_num(&p, &y);
	}
	if (starts_with(p, "年")) {
		p += strlen("年");
		sep = 'J';
	} else if (*p == '-' || *p == '/' || *p == '.') {
		sep = *p++;
	} else {
		ret = date_error(err, "日付として読めません", t);
		goto out;
	}
	nm = read_num(&p, &m);
	if (sep == 'J' ? !starts_with(p, "月") : *p != sep) {
		ret = date_error(err, (*p == '-' || *p == '/' || *p == '.') ?
				 "日付の区切り文字が混在しています" : "日付として読めません", t);
		goto out;
	}
	p += sep == 'J' ? strlen("月") : 1;
	nd = read_num(&p, &d);
	if (sep == 'J' && starts_with(p, "日"))
		p += strlen("日");
	if (*p || !nm || !nd || nm > 2 || nd > 4) {
		ret = date_error(err, "日付として読めません", t);
		goto out;
	}
	if (era) {
		if (ny == 0 || ny > 2) {
			ret = date_error(err, "和暦の年は 1〜2 桁 (元年は「元」) で書いてください", t);
			goto out;
		}
		if (y == 0) {
			ret = date_error(err, "和暦の年は 1 (元年) からです", t);
			goto out;
		}
	} else if (ny != 4) {
		if (ny <= 2 && nd == 4)
			ret = date_error(err, "年・月・日の順に書いてください", t);
		else
			ret = date_error(err, "西暦の年は 4 桁で書いてください", t);
		goto out;
	}
	if (nd > 2) {
		ret = date_error(err, "日付として読めません", t);
		goto out;
	}
	if (era)
		y += era->offset;

check:
	if (y < 1900 || y > 2199) {
		ret = date_error(err, "年は 1900〜2199 の範囲で書いてください", t);
		goto out;
	}
	if (m < 1 || m > 12) {
		ret = date_error(err, "月は 1〜12 です", t);
		goto out;
	}
	if (d < 1 || d > days_in_month(y, m)) {
		ret = mamori_err_set(err, MAMORI_EINVAL,
				     "存在しない日付です「%s」(%ld年%ld月は%d日まで)", show(t, q), y, m,
				     days_in_month(y, m));
		goto out;
	}
	if (era) {
		long ymd = y * 10000 + m * 100 + d;

		if (ymd < era->first || ymd > era->last) {
			ret = mamori_err_set(err, MAMORI_EINVAL, "%s「%s」", era->range, show(t, q));
			goto out;
		}
	}
	if (wd >= 0 && wd != weekday(y, m, d)) {
		ret = mamori_err_set(err, MAMORI_EINVAL,
				     "曜日が合いません「%s」(%04ld-%02ld-%02ld は%s曜日)", show(t, q), y,
				     m, d, weekdays[weekday(y, m, d)]);
		goto out;
	}
	/* y, m and d were range-checked above; the modulos tell the compiler. */
	snprintf(out, NORM_DATE_LEN, "%04u-%02u-%02u", (unsigned)y % 10000u, (unsigned)m % 100u,
		 (unsigned)d % 100u);
out:
	free(s);
	free(t);
	return ret;
}

/* ---- ratings ------------------------------------------------------------ */

int norm_rating(const char *in, const char *allowed, char *out, size_t outsz,
		struct mamori_err *err)
{
	char *t = norm_text(in), q[SHOW_MAX + 4];
	struct strbuf list = STRBUF_INIT;
	int ret = 0;

	assert(allowed && *allowed);
	assert(out && outsz >= 3);
	out[0] = '\0';
	for (const char *a = allowed; *a; a++) {
		if (list.len)
			strbuf_addstr(&list, ", ");
		strbuf_addch(&list, ascii_upper(*a));
	}
	for (char *p = t; *p; p++)
		*p = ascii_upper(*p);
	if (!*t) {
		ret = mamori_err_set(err, MAMORI_EINVAL, "評価が空です (%s のいずれか)", list.buf);
		goto out;
	}
	if (!(t[0] >= 'A' && t[0] <= 'Z') ||
	    !(t[1] == '\0' || (t[1] >= '1' && t[1] <= '9' && t[2] == '\0'))) {
		ret = mamori_err_set(err, MAMORI_EINVAL,
				     "評価として読めません「%s」(%s のいずれか。A3 のように 1〜9 の数字を"
				     "付けても構いません)", show(t, q), list.buf);
		goto out;
	}
	{
		bool ok = false;

		for (const char *a = allowed; *a && !ok; a++)
			ok = ascii_upper(*a) == t[0];
		if (!ok) {
			ret = mamori_err_set(err, MAMORI_EINVAL,
					     "評価「%c」は使えません (%s のいずれか)", t[0], list.buf);
			goto out;
		}
	}
	out[0] = t[0];
	out[1] = t[1];
	out[2] = '\0';
out:
	strbuf_release(&list);
	free(t);
	return ret;
}

/* ---- display width ------------------------------------------------------ */

struct cp_range {
	uint32_t first, last;
};

static const struct cp_range wide_ranges[] = {
	{ 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A }, { 0x23E9, 0x23EC },
	{ 0x23F0, 0x23F0 }, { 0x23F3, 0x23F3 }, { 0x25FD, 0x25FE }, { 0x2614, 0x2615 },
	{ 0x2648, 0x2653 }, { 0x267F, 0x267F }, { 0x2693, 0x2693 }, { 0x26A1, 0x26A1 },
	{ 0x26AA, 0x26AB }, { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 }, { 0x26CE, 0x26CE },
	{ 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA }, { 0x26F2, 0x26F3 }, { 0x26F5, 0x26F5 },
	{ 0x26FA, 0x26FA }, { 0x26FD, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B },
	{ 0x2728, 0x2728 }, { 0x274C, 0x274C }, { 0x274E, 0x274E }, { 0x2753, 0x2755 },
	{ 0x2757, 0x2757 }, { 0x2795, 0x2797 }, { 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF },
	{ 0x2B1B, 0x2B1C }, { 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 }, { 0x2E80, 0x2E99 },
	{ 0x2E9B, 0x2EF3 }, { 0x2F00, 0x2FD5 }, { 0x2FF0, 0x2FFB }, { 0x3000, 0x3029 },
	{ 0x302E, 0x303E }, { 0x3041, 0x3096 }, { 0x309B, 0x30FF }, { 0x3105, 0x312F },
	{ 0x3131, 0x318E }, { 0x3190, 0x31E3 }, { 0x31F0, 0x321E }, { 0x3220, 0x3247 },
	{ 0x3250, 0x4DBF }, { 0x4E00, 0xA48C }, { 0xA490, 0xA4C6 }, { 0xA960, 0xA97C },
	{ 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF }, { 0xFE10, 0xFE19 }, { 0xFE30, 0xFE52 },
	{ 0xFE54, 0xFE66 }, { 0xFE68, 0xFE6B }, { 0xFF01, 0xFF60 }, { 0xFFE0, 0xFFE6 },
	{ 0x16FE0, 0x16FE3 }, { 0x16FF0, 0x16FF1 }, { 0x17000, 0x187F7 }, { 0x18800, 0x18CD5 },
	{ 0x18D00, 0x18D08 }, { 0x1AFF0, 0x1AFF3 }, { 0x1AFF5, 0x1AFFB }, { 0x1AFFD, 0x1AFFE },
	{ 0x1B000, 0x1B122 }, { 0x1B150, 0x1B152 }, { 0x1B164, 0x1B167 }, { 0x1B170, 0x1B2FB },
	{ 0x1F004, 0x1F004 }, { 0x1F0CF, 0x1F0CF }, { 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A },
	{ 0x1F200, 0x1F202 }, { 0x1F210, 0x1F23B }, { 0x1F240, 0x1F248 }, { 0x1F250, 0x1F251 },
	{ 0x1F260, 0x1F265 }, { 0x1F300, 0x1F320 }, { 0x1F32D, 0x1F335 }, { 0x1F337, 0x1F37C },
	{ 0x1F37E, 0x1F393 }, { 0x1F3A0, 0x1F3CA }, { 0x1F3CF, 0x1F3D3 }, { 0x1F3E0, 0x1F3F0 },
	{ 0x1F3F4, 0x1F3F4 }, { 0x1F3F8, 0x1F43E }, { 0x1F440, 0x1F440 }, { 0x1F442, 0x1F4FC },
	{ 0x1F4FF, 0x1F53D }, { 0x1F54B, 0x1F54E }, { 0x1F550, 0x1F567 }, { 0x1F57A, 0x1F57A },
	{ 0x1F595, 0x1F596 }, { 0x1F5A4, 0x1F5A4 }, { 0x1F5FB, 0x1F64F }, { 0x1F680, 0x1F6C5 },
	{ 0x1F6CC, 0x1F6CC }, { 0x1F6D0, 0x1F6D2 }, { 0x1F6D5, 0x1F6D7 }, { 0x1F6DD, 0x1F6DF },
	{ 0x1F6EB, 0x1F6EC }, { 0x1F6F4, 0x1F6FC }, { 0x1F7E0, 0x1F7EB }, { 0x1F7F0, 0x1F7F0 },
	{ 0x1F90C, 0x1F93A }, { 0x1F93C, 0x1F945 }, { 0x1F947, 0x1F9FF }, { 0x1FA70, 0x1FA74 },
	{ 0x1FA78, 0x1FA7C }, { 0x1FA80, 0x1FA86 }, { 0x1FA90, 0x1FAAC }, { 0x1FAB0, 0x1FABA },
	{ 0x1FAC0, 0x1FAC5 }, { 0x1FAD0, 0x1FAD9 }, { 0x1FAE0, 0x1FAE7 }, { 0x1FAF0, 0x1FAF6 },
	{ 0x20000, 0x2FFFD }, { 0x30000, 0x3FFFD },
};

static const struct cp_range zero_ranges[] = {
	{ 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD }, { 0x05BF, 0x05BF },
	{ 0x05C1, 0x05C2 }, { 0x05C4, 0x05C5 }, { 0x05C7, 0x05C7 }, { 0x0610, 0x061A },
	{ 0x064B, 0x065F }, { 0x0670, 0x0670 }, { 0x06D6, 0x06DC }, { 0x06DF, 0x06E4 },
	{ 0x06E7, 0x06E8 }, { 0x06EA, 0x06ED }, { 0x0711, 0x0711 }, { 0x0730, 0x074A },
	{ 0x07A6, 0x07B0 }, { 0x07EB, 0x07F3 }, { 0x07FD, 0x07FD }, { 0x0816, 0x0819 },
	{ 0x081B, 0x0823 }, { 0x0825, 0x0827 }, { 0x0829, 0x082D }, { 0x0859, 0x085B },
	{ 0x0898, 0x089F }, { 0x08CA, 0x08E1 }, { 0x08E3, 0x0902 }, { 0x093A, 0x093A },
	{ 0x093C, 0x093C }, { 0x0941, 0x0948 }, { 0x094D, 0x094D }, { 0x0951, 0x0957 },
	{ 0x0962, 0x0963 }, { 0x0981, 0x0981 }, { 0x09BC, 0x09BC }, { 0x09C1, 0x09C4 },
	{ 0x09CD, 0x09CD }, { 0x09E2, 0x09E3 }, { 0x09FE, 0x09FE }, { 0x0A01, 0x0A02 },
	{ 0x0A3C, 0x0A3C }, { 0x0A41, 0x0A42 }, { 0x0A47, 0x0A48 }, { 0x0A4B, 0x0A4D },
	{ 0x0A51, 0x0A51 }, { 0x0A70, 0x0A71 }, { 0x0A75, 0x0A75 }, { 0x0A81, 0x0A82 },
	{ 0x0ABC, 0x0ABC }, { 0x0AC1, 0x0AC5 }, { 0x0AC7, 0x0AC8 }, { 0x0ACD, 0x0ACD },
	{ 0x0AE2, 0x0AE3 }, { 0x0AFA, 0x0AFF }, { 0x0B01, 0x0B01 }, { 0x0B3C, 0x0B3C },
	{ 0x0B3F, 0x0B3F }, { 0x0B41, 0x0B44 }, { 0x0B4D, 0x0B4D }, { 0x0B55, 0x0B56 },
	{ 0x0B62, 0x0B63 }, { 0x0B82, 0x0B82 }, { 0x0BC0, 0x0BC0 }, { 0x0BCD, 0x0BCD },
	{ 0x0C00, 0x0C00 }, { 0x0C04, 0x0C04 }, { 0x0C3C, 0x0C3C }, { 0x0C3E, 0x0C40 },
	{ 0x0C46, 0x0C48 }, { 0x0C4A, 0x0C4D }, { 0x0C55, 0x0C56 }, { 0x0C62, 0x0C63 },
	{ 0x0C81, 0x0C81 }, { 0x0CBC, 0x0CBC }, { 0x0CBF, 0x0CBF }, { 0x0CC6, 0x0CC6 },
	{ 0x0CCC, 0x0CCD }, { 0x0CE2, 0x0CE3 }, { 0x0D00, 0x0D01 }, { 0x0D3B, 0x0D3C },
	{ 0x0D41, 0x0D44 }, { 0x0D4D, 0x0D4D }, { 0x0D62, 0x0D63 }, { 0x0D81, 0x0D81 },
	{ 0x0DCA, 0x0DCA }, { 0x0DD2, 0x0DD4 }, { 0x0DD6, 0x0DD6 }, { 0x0E31, 0x0E31 },
	{ 0x0E34, 0x0E3A }, { 0x0E47, 0x0E4E }, { 0x0EB1, 0x0EB1 }, { 0x0EB4, 0x0EBC },
	{ 0x0EC8, 0x0ECD }, { 0x0F18, 0x0F19 }, { 0x0F35, 0x0F35 }, { 0x0F37, 0x0F37 },
	{ 0x0F39, 0x0F39 }, { 0x0F71, 0x0F7E }, { 0x0F80, 0x0F84 }, { 0x0F86, 0x0F87 },
	{ 0x0F8D, 0x0F97 }, { 0x0F99, 0x0FBC }, { 0x0FC6, 0x0FC6 }, { 0x102D, 0x1030 },
	{ 0x1032, 0x1037 }, { 0x1039, 0x103A }, { 0x103D, 0x103E }, { 0x1058, 0x1059 },
	{ 0x105E, 0x1060 }, { 0x1071, 0x1074 }, { 0x1082, 0x1082 }, { 0x1085, 0x1086 },
	{ 0x108D, 0x108D }, { 0x109D, 0x109D }, { 0x1160, 0x11FF }, { 0x135D, 0x135F },
	{ 0x1712, 0x1714 }, { 0x1732, 0x1733 }, { 0x1752, 0x1753 }, { 0x1772, 0x1773 },
	{ 0x17B4, 0x17B5 }, { 0x17B7, 0x17BD }, { 0x17C6, 0x17C6 }, { 0x17C9, 0x17D3 },
	{ 0x17DD, 0x17DD }, { 0x180B, 0x180D }, { 0x180F, 0x180F }, { 0x1885, 0x1886 },
	{ 0x18A9, 0x18A9 }, { 0x1920, 0x1922 }, { 0x1927, 0x1928 }, { 0x1932, 0x1932 },
	{ 0x1939, 0x193B }, { 0x1A17, 0x1A18 }, { 0x1A1B, 0x1A1B }, { 0x1A56, 0x1A56 },
	{ 0x1A58, 0x1A5E }, { 0x1A60, 0x1A60 }, { 0x1A62, 0x1A62 }, { 0x1A65, 0x1A6C },
	{ 0x1A73, 0x1A7C }, { 0x1A7F, 0x1A7F }, { 0x1AB0, 0x1ACE }, { 0x1B00, 0x1B03 },
	{ 0x1B34, 0x1B34 }, { 0x1B36, 0x1B3A }, { 0x1B3C, 0x1B3C }, { 0x1B42, 0x1B42 },
	{ 0x1B6B, 0x1B73 }, { 0x1B80, 0x1B81 }, { 0x1BA2, 0x1BA5 }, { 0x1BA8, 0x1BA9 },
	{ 0x1BAB, 0x1BAD }, { 0x1BE6, 0x1BE6 }, { 0x1BE8, 0x1BE9 }, { 0x1BED, 0x1BED },
	{ 0x1BEF, 0x1BF1 }, { 0x1C2C, 0x1C33 }, { 0x1C36, 0x1C37 }, { 0x1CD0, 0x1CD2 },
	{ 0x1CD4, 0x1CE0 }, { 0x1CE2, 0x1CE8 }, { 0x1CED, 0x1CED }, { 0x1CF4, 0x1CF4 },
	{ 0x1CF8, 0x1CF9 }, { 0x1DC0, 0x1DFF }, { 0x200B, 0x200F }, { 0x2060, 0x2060 },
	{ 0x20D0, 0x20F0 }, { 0x2CEF, 0x2CF1 }, { 0x2D7F, 0x2D7F }, { 0x2DE0, 0x2DFF },
	{ 0x302A, 0x302D }, { 0x3099, 0x309A }, { 0xA66F, 0xA672 }, { 0xA674, 0xA67D },
	{ 0xA69E, 0xA69F }, { 0xA6F0, 0xA6F1 }, { 0xA802, 0xA802 }, { 0xA806, 0xA806 },
	{ 0xA80B, 0xA80B }, { 0xA825, 0xA826 }, { 0xA82C, 0xA82C }, { 0xA8C4, 0xA8C5 },
	{ 0xA8E0, 0xA8F1 }, { 0xA8FF, 0xA8FF }, { 0xA926, 0xA92D }, { 0xA947, 0xA951 },
	{ 0xA980, 0xA982 }, { 0xA9B3, 0xA9B3 }, { 0xA9B6, 0xA9B9 }, { 0xA9BC, 0xA9BD },
	{ 0xA9E5, 0xA9E5 }, { 0xAA29, 0xAA2E }, { 0xAA31, 0xAA32 }, { 0xAA35, 0xAA36 },
	{ 0xAA43, 0xAA43 }, { 0xAA4C, 0xAA4C }, { 0xAA7C, 0xAA7C }, { 0xAAB0, 0xAAB0 },
	{ 0xAAB2, 0xAAB4 }, { 0xAAB7, 0xAAB8 }, { 0xAABE, 0xAABF }, { 0xAAC1, 0xAAC1 },
	{ 0xAAEC, 0xAAED }, { 0xAAF6, 0xAAF6 }, { 0xABE5, 0xABE5 }, { 0xABE8, 0xABE8 },
	{ 0xABED, 0xABED }, { 0xFB1E, 0xFB1E }, { 0xFE00, 0xFE0F }, { 0xFE20, 0xFE2F },
	{ 0xFEFF, 0xFEFF }, { 0x101FD, 0x101FD }, { 0x102E0, 0x102E0 }, { 0x10376, 0x1037A },
	{ 0x10A01, 0x10A03 }, { 0x10A05, 0x10A06 }, { 0x10A0C, 0x10A0F }, { 0x10A38, 0x10A3A },
	{ 0x10A3F, 0x10A3F }, { 0x10AE5, 0x10AE6 }, { 0x10D24, 0x10D27 }, { 0x10EAB, 0x10EAC },
	{ 0x10F46, 0x10F50 }, { 0x10F82, 0x10F85 }, { 0x11001, 0x11001 }, { 0x11038, 0x11046 },
	{ 0x11070, 0x11070 }, { 0x11073, 0x11074 }, { 0x1107F, 0x11081 }, { 0x110B3, 0x110B6 },
	{ 0x110B9, 0x110BA }, { 0x110C2, 0x110C2 }, { 0x11100, 0x11102 }, { 0x11127, 0x1112B },
	{ 0x1112D, 0x11134 }, { 0x11173, 0x11173 }, { 0x11180, 0x11181 }, { 0x111B6, 0x111BE },
	{ 0x111C9, 0x111CC }, { 0x111CF, 0x111CF }, { 0x1122F, 0x11231 }, { 0x11234, 0x11234 },
	{ 0x11236, 0x11237 }, { 0x1123E, 0x1123E }, { 0x112DF, 0x112DF }, { 0x112E3, 0x112EA },
	{ 0x11300, 0x11301 }, { 0x1133B, 0x1133C }, { 0x11340, 0x11340 }, { 0x11366, 0x1136C },
	{ 0x11370, 0x11374 }, { 0x11438, 0x1143F }, { 0x11442, 0x11444 }, { 0x11446, 0x11446 },
	{ 0x1145E, 0x1145E }, { 0x114B3, 0x114B8 }, { 0x114BA, 0x114BA }, { 0x114BF, 0x114C0 },
	{ 0x114C2, 0x114C3 }, { 0x115B2, 0x115B5 }, { 0x115BC, 0x115BD }, { 0x115BF, 0x115C0 },
	{ 0x115DC, 0x115DD }, { 0x11633, 0x1163A }, { 0x1163D, 0x1163D }, { 0x1163F, 0x11640 },
	{ 0x116AB, 0x116AB }, { 0x116AD, 0x116AD }, { 0x116B0, 0x116B5 }, { 0x116B7, 0x116B7 },
	{ 0x1171D, 0x1171F }, { 0x11722, 0x11725 }, { 0x11727, 0x1172B }, { 0x1182F, 0x11837 },
	{ 0x11839, 0x1183A }, { 0x1193B, 0x1193C }, { 0x1193E, 0x1193E }, { 0x11943, 0x11943 },
	{ 0x119D4, 0x119D7 }, { 0x119DA, 0x119DB }, { 0x119E0, 0x119E0 }, { 0x11A01, 0x11A0A },
	{ 0x11A33, 0x11A38 }, { 0x11A3B, 0x11A3E }, { 0x11A47, 0x11A47 }, { 0x11A51, 0x11A56 },
	{ 0x11A59, 0x11A5B }, { 0x11A8A, 0x11A96 }, { 0x11A98, 0x11A99 }, { 0x11C30, 0x11C36 },
	{ 0x11C38, 0x11C3D }, { 0x11C3F, 0x11C3F }, { 0x11C92, 0x11CA7 }, { 0x11CAA, 0x11CB0 },
	{ 0x11CB2, 0x11CB3 }, { 0x11CB5, 0x11CB6 }, { 0x11D31, 0x11D36 }, { 0x11D3A, 0x11D3A },
	{ 0x11D3C, 0x11D3D }, { 0x11D3F, 0x11D45 }, { 0x11D47, 0x11D47 }, { 0x11D90, 0x11D91 },
	{ 0x11D95, 0x11D95 }, { 0x11D97, 0x11D97 }, { 0x11EF3, 0x11EF4 }, { 0x16AF0, 0x16AF4 },
	{ 0x16B30, 0x16B36 }, { 0x16F4F, 0x16F4F }, { 0x16F8F, 0x16F92 }, { 0x16FE4, 0x16FE4 },
	{ 0x1BC9D, 0x1BC9E }, { 0x1CF00, 0x1CF2D }, { 0x1CF30, 0x1CF46 }, { 0x1D167, 0x1D169 },
	{ 0x1D17B, 0x1D182 }, { 0x1D185, 0x1D18B }, { 0x1D1AA, 0x1D1AD }, { 0x1D242, 0x1D244 },
	{ 0x1DA00, 0x1DA36 }, { 0x1DA3B, 0x1DA6C }, { 0x1DA75, 0x1DA75 }, { 0x1DA84, 0x1DA84 },
	{ 0x1DA9B, 0x1DA9F }, { 0x1DAA1, 0x1DAAF }, { 0x1E000, 0x1E006 }, { 0x1E008, 0x1E018 },
	{ 0x1E01B, 0x1E021 }, { 0x1E023, 0x1E024 }, { 0x1E026, 0x1E02A }, { 0x1E130, 0x1E136 },
	{ 0x1E2AE, 0x1E2AE }, { 0x1E2EC, 0x1E2EF }, { 0x1E8D0, 0x1E8D6 }, { 0x1E944, 0x1E94A },
	{ 0xE0100, 0xE01EF },
};

static bool in_ranges(uint32_t cp, const struct cp_range *r, size_t n)
{
	size_t lo = 0, hi = n;

	if (cp < r[0].first || cp > r[n - 1].last)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cp > r[mid].last)
			lo = mid + 1;
		else if (cp < r[mid].first)
			hi = mid;
		else
			return true;
	}
	return false;
}

size_t norm_display_width(const char *s)
{
	size_t w = 0, n;

	if (!s)
		return 0;
	while (*s) {
		uint32_t cp = utf8_decode(s, &n);

		s += n;
		if (in_ranges(cp, zero_ranges, ARRAY_SIZE(zero_ranges)))
			continue;
		w += in_ranges(cp, wide_ranges, ARRAY_SIZE(wide_ranges)) ? 2 : 1;
	}
	return w;
}
