/*
 * syslog.c - RFC 5424 / RFC 3164 message parser for the access-log vault;
 * see syslog.h for the contract and docs/internals/syslog.md for what is
 * accepted.
 *
 * The parser walks a private NUL-terminated copy of the input (m->raw) once,
 * left to right, with a position that only moves forward.  Each field is
 * copied out as it is read, so that the parsed message owns all its strings.
 * There is no failure path: a field that cannot be read sets a flag, adds a
 * Japanese sentence to m->reason (one per flag, the first problem of each
 * kind), and the rest of the input becomes the body, so nothing received is
 * ever dropped.
 *
 * Invariants a caller (and tests/fuzz/fuzz_syslog.c) may rely on:
 *   - raw holds min(len, SYSLOG_MAX_MSG) input bytes, orig_len is len;
 *   - facility/severity are -1 exactly when NO_PRI or BAD_PRI is set;
 *   - every flag but SYSLOG_F_BOM comes with a sentence in reason, and a
 *     message with no flags (or only BOM) has an empty reason;
 *   - nsd <= SYSLOG_MAX_SD, nparams <= SYSLOG_MAX_PARAMS, names 1..32 bytes;
 *   - timestamp ends in "Z" unless SYSLOG_F_NO_ZONE is set.
 */
#include "common.h"
#include "syslog.h"
#include "enc.h"
#include "norm.h"
#include "strbuf.h"

static const char bom[] = "\xEF\xBB\xBF";

/*
 * Every string and array of a parsed message lives in the message's arena:
 * a list of chunks, newest first.  Parsing the next message into the same
 * struct keeps the newest chunk, so that a receiver parsing message after
 * message allocates nothing in the common case.
 */
struct syslog_chunk {
	struct syslog_chunk *next;
	size_t used, cap;
	size_t pad_; /* keeps the data that follows 16-byte aligned */
};

#define CHUNK_MIN 8192

static void *arena_alloc(struct syslog_msg *m, size_t n)
{
	struct syslog_chunk *c = m->arena;
	char *p;

	n = (n + 15) & ~(size_t)15;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > CHUNK_MIN ? n : CHUNK_MIN;

		c = xmalloc(sizeof(*c) + cap);
		c->next = m->arena;
		c->used = 0;
		c->cap = cap;
		m->arena = c;
	}
	p = (char *)(c + 1) + c->used;
	c->used += n;
	return p;
}

static void arena_free(struct syslog_chunk *c)
{
	while (c) {
		struct syslog_chunk *next = c->next;

		free(c);
		c = next;
	}
}

void syslog_msg_init(struct syslog_msg *m)
{
	memset(m, 0, sizeof(*m));
	m->facility = -1;
	m->severity = -1;
	strbuf_init(&m->reason);
}

/* Empties m for the next message, keeping the newest chunk and the
 * reason buffer's memory. */
static void msg_reset(struct syslog_msg *m)
{
	struct syslog_chunk *keep = m->arena;
	struct strbuf reason = m->reason;

	if (keep) {
		arena_free(keep->next);
		keep->next = NULL;
		keep->used = 0;
	}
	strbuf_reset(&reason);
	syslog_msg_init(m);
	m->arena = keep;
	m->reason = reason;
}

void syslog_msg_release(struct syslog_msg *m)
{
	arena_free(m->arena);
	strbuf_release(&m->reason);
	syslog_msg_init(m);
}

const char *syslog_format_name(enum syslog_format fmt)
{
	switch (fmt) {
	case SYSLOG_FMT_5424:
		return "RFC5424";
	case SYSLOG_FMT_3164_ISO:
		return "RFC3164-ISO";
	default:
		return "RFC3164";
	}
}

/* Sets flag; the first problem of each kind also adds its sentence. */
static void flag(struct syslog_msg *m, unsigned f, const char *reason)
{
	if (!(m->flags & f) && reason)
		strbuf_addstr(&m->reason, reason);
	m->flags |= f;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* PRINTUSASCII of RFC 5424. */
static bool is_print(char c)
{
	return c >= 33 && c <= 126;
}

/* ---- time ------------------------------------------------------------- */

static unsigned days_in_month(int64_t y, unsigned mo)
{
	static const unsigned dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return mo == 2 && leap ? 29 : dm[mo - 1];
}

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

/* n decimal digits at s, or -1. */
static int digits(const char *s, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

struct tm_parts {
	int64_t year;
	unsigned mon, day, hour, min, sec;
	const char *frac; /* the digits after ".", or NULL */
	size_t nfrac;
	bool zone;
	int offset; /* seconds east of UTC */
};

/*
 * "YYYY-MM-DDThh:mm:ss[.frac][Z]" for a year of 0..9999 (others through
 * xasprintf): written by hand because it runs for every received message.
 */
static char *format_time(struct syslog_msg *m, int64_t y, unsigned mo, unsigned d,
			 unsigned rem, const struct tm_parts *p)
{
	unsigned v[6] = { 0, mo, d, rem / 3600, rem / 60 % 60, rem % 60 };
	static const char sep[] = "--T::";
	char *out, *o;

	if (y < 0 || y > 9999) {
		char *t = xasprintf("%04lld-%02u-%02uT%02u:%02u:%02u%s%.*s%s", (long long)y, mo, d,
				    v[3], v[4], v[5], p->frac ? "." : "", (int)p->nfrac,
				    p->frac ? p->frac : "", p->zone ? "Z" : "");
		size_t n = strlen(t) + 1;

		out = memcpy(arena_alloc(m, n), t, n);
		free(t);
		return out;
	}
	out = o = arena_alloc(m, 19 + (p->frac ? 1 + p->nfrac : 0) + (p->zone ? 1 : 0) + 1);
	*o++ = (char)('0' + y / 1000);
	*o++ = (char)('0' + y / 100 % 10);
	*o++ = (char)('0' + y / 10 % 10);
	*o++ = (char)('0' + y % 10);
	for (int i = 1; i < 6; i++) {
		*o++ = sep[i - 1];
		*o++ = (char)('0' + v[i] / 10 % 10);
		*o++ = (char)('0' + v[i] % 10);
	}
	if (p->frac) {
		*o++ = '.';
		memcpy(o, p->frac, p->nfrac);
		o += p->nfrac;
	}
	if (p->zone)
		*o++ = 'Z';
	*o = '\0';
	return out;
}

/* Writes the timestamp of p into m (UTC when p->zone). */
static void set_time(struct syslog_msg *m, const struct tm_parts *p)
{
	int64_t days = norm_days_from_civil(p->year, (int)p->mon, (int)p->day), y = p->year;
	int64_t t = days * 86400 + p->hour * 3600 + p->min * 60 + p->sec - (p->zone ? p->offset : 0);
	unsigned rem = p->hour * 3600 + p->min * 60 + p->sec;
	int mo = (int)p->mon, d = (int)p->day;

	if (p->zone && p->offset) {
		/* another day, perhaps: the date again from the UTC time */
		days = floor_div(t, 86400);
		rem = (unsigned)(t - days * 86400);
		norm_civil_from_days(days, &y, &mo, &d);
	}
	m->time = t;
	m->timestamp = format_time(m, y, (unsigned)mo, (unsigned)d, rem, p);
	if (!p->zone)
		flag(m, SYSLOG_F_NO_ZONE, "時刻にタイムゾーンがありません。送信元の現地時刻として保存しました。");
}

/*
 * Reads an RFC 3339 timestamp filling all of s[0..n): returns true and
 * fills *p, else false.  The zone may be missing (p->zone false); the
 * fraction has 1..max_frac digits.
 */
static bool parse_rfc3339(const char *s, size_t n, size_t max_frac, struct tm_parts *p)
{
	int y, mo, d, h, mi, sec;
	size_t i = 19;

	if (n < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
	    s[16] != ':')
		return false;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	sec = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || (unsigned)d > days_in_month(y, (unsigned)mo) ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return false;
	p->year = y;
	p->mon = (unsigned)mo;
	p->day = (unsigned)d;
	p->hour = (unsigned)h;
	p->min = (unsigned)mi;
	p->sec = (unsigned)sec;
	p->frac = NULL;
	p->nfrac = 0;
	if (i < n && s[i] == '.') {
		size_t j = ++i;

		while (i < n && is_digit(s[i]))
			i++;
		if (i == j || i - j > max_frac)
			return false;
		p->frac = s + j;
		p->nfrac = i - j;
	}
	p->zone = false;
	p->offset = 0;
	if (i == n)
		return true;
	if (s[i] == 'Z') {
		p->zone = true;
		return i + 1 == n;
	}
	if ((s[i] == '+' || s[i] == '-') && n - i == 6 && s[i + 3] == ':') {
		int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);

		if (oh < 0 || oh > 23 || om < 0 || om > 59)
			return false;
		p->zone = true;
		p->offset = (oh * 3600 + om * 60) * (s[i] == '-' ? -1 : 1);
		return true;
	}
	return false;
}

/* Month number (1..12) of a three-letter English name, any case, or 0. */
static unsigned month_of(const char *s)
{
	static const char names[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	char low[3];

	for (int i = 0; i < 3; i++)
		low[i] = (char)((s[i] >= 'A' && s[i] <= 'Z') ? s[i] + 32 : s[i]);
	for (unsigned i = 0; i < 12; i++) {
		if (!memcmp(names + 3 * i, low, 3))
			return i + 1;
	}
	return 0;
}

/*
 * Reads an RFC 3164 "Mmm dd hh:mm:ss" (day space- or zero-padded) at
 * s[0..n) (n >= 15 checked by the caller) into *p, the year left 0.
 */
static bool parse_3164_time(const char *s, struct tm_parts *p)
{
	int d, h, mi, sec;

	p->mon = month_of(s);
	if (!p->mon || s[3] != ' ' || s[6] != ' ' || s[9] != ':' || s[12] != ':')
		return false;
	d = s[4] == ' ' ? digits(s + 5, 1) : digits(s + 4, 2);
	h = digits(s + 7, 2);
	mi = digits(s + 10, 2);
	sec = digits(s + 13, 2);
	if (d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 59)
		return false;
	p->day = (unsigned)d;
	p->hour = (unsigned)h;
	p->min = (unsigned)mi;
	p->sec = (unsigned)sec;
	p->frac = NULL;
	p->nfrac = 0;
	p->zone = false;
	p->offset = 0;
	return true;
}

/*
 * The year for a 3164 timestamp received at ref: of ref's UTC year and the
 * years either side, the one that puts the time nearest to ref (ties go to
 * the earlier year).  False when the date exists in none (29 Feb, 31 Apr).
 */
static bool infer_year(struct tm_parts *p, time_t ref)
{
	int64_t ry, best_diff = -1;
	int rmo, rd;
	bool found = false;

	norm_civil_from_days(floor_div((int64_t)ref, 86400), &ry, &rmo, &rd);
	for (int64_t y = ry - 1; y <= ry + 1; y++) {
		int64_t t, diff;

		if (p->day > days_in_month(y, p->mon))
			continue;
		t = norm_days_from_civil(y, (int)p->mon, (int)p->day) * 86400 + p->hour * 3600 + p->min * 60 +
		    p->sec;
		diff = t > (int64_t)ref ? t - (int64_t)ref : (int64_t)ref - t;
		if (!found || diff < best_diff) {
			found = true;
			best_diff = diff;
			p->year = y;
		}
	}
	return found;
}

/* ---- fields ------------------------------------------------------------- */

static const char *const E_NO_PRI = "先頭に <PRI> がありません。ファシリティと重要度は不明として保存しました。";
static const char *const E_BAD_PRI = "<PRI> が不正です (0〜191 の数字ではありません)。ファシリティと重要度は不明として保存しました。";
static const char *const E_NO_TIME = "タイムスタンプがありません。受信時刻で扱ってください。";
static const char *const E_BAD_TIME = "タイムスタンプを読めません。受信したままの文字列を保存しました。";
static const char *const E_NO_YEAR = "タイムスタンプに年がありません (RFC 3164)。受信時刻に最も近くなる年を補いました。";
static const char *const E_BAD_HEADER = "RFC 5424 のヘッダーが不正か途中で終わっています。読めた項目まで保存しました。";
static const char *const E_BAD_SD = "構造化データ (STRUCTURED-DATA) が不正です。読めた要素まで保存し、残りは本文として保存しました。";
static const char *const E_SD_LIMIT = "構造化データの要素 (上限 32) またはパラメータ (上限 64) が多すぎます。超えた分は本文にのみ残ります。";
static const char *const E_BAD_UTF8 = "UTF-8 として不正なバイトがあります (Shift_JIS などの可能性)。受信したまま保存しました。";
static const char *const E_TRUNCATED = "メッセージが 65536 バイトを超えたため、先頭 65536 バイトだけを保存しました。";

/* Reads "<PRI>" at d[0..]; returns the position after it. */
static size_t parse_pri(struct syslog_msg *m, const char *d, size_t len)
{
	size_t i = 1;
	int v = 0;

	if (len == 0 || d[0] != '<') {
		flag(m, SYSLOG_F_NO_PRI, E_NO_PRI);
		return 0;
	}
	while (i < len && i <= 4 && is_digit(d[i]))
		v = v * 10 + (d[i++] - '0');
	if (i < len && d[i] == '>' && i >= 2 && i <= 4) {
		if (v <= 191 && !(i > 2 && d[1] == '0')) {
			m->facility = v / 8;
			m->severity = v % 8;
		} else {
			flag(m, SYSLOG_F_BAD_PRI, E_BAD_PRI);
		}
		return i + 1;
	}
	flag(m, SYSLOG_F_BAD_PRI, E_BAD_PRI);
	/* "<abc>": skip a short bracketed thing; else keep everything. */
	for (i = 1; i < len && i < 8; i++) {
		if (d[i] == '>')
			return i + 1;
		if (d[i] == ' ' || d[i] == '<')
			break;
	}
	return 0;
}

/* A NUL-terminated copy of p[0..n) (which may hold NULs), in m's arena. */
static char *dup_field(struct syslog_msg *m, const char *p, size_t n)
{
	char *s = arena_alloc(m, n + 1);

	memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

static void set_body(struct syslog_msg *m, const char *p, size_t n)
{
	size_t bad;

	if (n >= 3 && !memcmp(p, bom, 3)) {
		flag(m, SYSLOG_F_BOM, NULL);
		p += 3;
		n -= 3;
	}
	while (n > 0 && p[n - 1] == '\0')
		n--;
	if (n > 0 && p[n - 1] == '\n') {
		n--;
		if (n > 0 && p[n - 1] == '\r')
			n--;
	}
	m->body = dup_field(m, p, n);
	m->body_len = n;
	bad = enc_utf8_first_invalid(p, n);
	if (bad < n)
		flag(m, SYSLOG_F_BAD_UTF8, E_BAD_UTF8);
}

/* The bytes of an SD-NAME (RFC 5424: PRINTUSASCII but '=', SP, ']' and
 * '"'), as a table: every message has several names. */
#define NAME_CHAR(c) ((c) >= 33 && (c) <= 126 && (c) != '=' && (c) != ']' && (c) != '"')
static const bool name_char[256] = BYTE_TABLE(NAME_CHAR);

/* Length of an SD-NAME at d[pos..len), 0 when there is none or it is over
 * SYSLOG_MAX_NAME bytes. */
static size_t sd_name_len(const char *d, size_t len, size_t pos)
{
	size_t i = pos;

	while (i < len && name_char[(unsigned char)d[i]])
		i++;
	return i - pos > SYSLOG_MAX_NAME ? 0 : i - pos;
}

/*
 * Reads SD-ELEMENTs from d[*pos] (which is '[').  Returns 0 with *pos after
 * the last "]", or -1 when malformed (complete elements before the fault are
 * kept in m).
 */
static int parse_sd(struct syslog_msg *m, const char *d, size_t len, size_t *pos)
{
	size_t i = *pos;
	struct strbuf val = STRBUF_INIT;
	struct syslog_sd_elem e = { 0 };
	size_t cap = 0;
	int ret = -1;

	while (i < len && d[i] == '[') {
		size_t n = sd_name_len(d, len, ++i);

		if (!n)
			goto out;
		e.id = dup_field(m, d + i, n);
		i += n;
		for (;;) {
			const char *vtext;
			size_t vstart, vlen;
			unsigned high;

			if (i >= len)
				goto out;
			if (d[i] == ']') {
				i++;
				break;
			}
			if (d[i] != ' ')
				goto out;
			n = sd_name_len(d, len, ++i);
			if (!n || i + n + 1 >= len || d[i + n] != '=' || d[i + n + 1] != '"')
				goto out;
			vstart = i;
			i += n + 2;
			vtext = d + i;
			vlen = 0;
			high = 0; /* all the bytes ORed: only a value with one over 0x7F is checked */
			strbuf_reset(&val);
			for (;;) {
				/* the run up to the next '"' or '\\' at once */
				size_t run = i;
				while (run < len && d[run] != '"' && d[run] != '\\')
					high |= (unsigned char)d[run++];
				if (run < len && d[run] == '"' && !val.len) {
					/* no escapes (most values): the value as it lies */
					vlen = run - i;
					i = run + 1;
					break;
				}
				strbuf_add(&val, d + i, run - i);
				i = run;
				if (i >= len)
					goto out;
				if (d[i] == '\\' && i + 1 < len &&
				    (d[i + 1] == '"' || d[i + 1] == '\\' || d[i + 1] == ']')) {
					strbuf_addch(&val, d[i + 1]);
					i += 2;
				} else if (d[i] == '"') {
					i++;
					vtext = val.buf;
					vlen = val.len;
					break;
				} else {
					strbuf_addch(&val, d[i++]);
				}
			}
			if ((high & 0x80) && enc_utf8_first_invalid(vtext, vlen) < vlen)
				flag(m, SYSLOG_F_BAD_UTF8, E_BAD_UTF8);
			if (e.nparams == SYSLOG_MAX_PARAMS) {
				flag(m, SYSLOG_F_SD_LIMIT, E_SD_LIMIT);
				continue;
			}
			if (e.nparams == cap) {
				cap = cap ? cap * 2 : 8;
				struct syslog_sd_param *grown = arena_alloc(m, cap * sizeof(*grown));

				if (e.nparams)
					memcpy(grown, e.params, e.nparams * sizeof(*grown));
				e.params = grown;
			}
			e.params[e.nparams].name = dup_field(m, d + vstart, n);
			e.params[e.nparams].value_len = vlen;
			e.params[e.nparams].value = dup_field(m, vtext, vlen);
			e.nparams++;
		}
		if (m->nsd == SYSLOG_MAX_SD) {
			flag(m, SYSLOG_F_SD_LIMIT, E_SD_LIMIT);
		} else {
			if (!m->sd) /* room for all; only the first nsd are set */
				m->sd = arena_alloc(m, SYSLOG_MAX_SD * sizeof(*m->sd));
			m->sd[m->nsd++] = e;
		}
		memset(&e, 0, sizeof(e));
		cap = 0;
	}
	*pos = i;
	ret = 0;
out:
	strbuf_release(&val);
	return ret;
}

/*
 * The next space-separated token at d[*pos]: sets *start and returns its
 * length, moving *pos past it and one following space.  *more is false when
 * the input ended with the token (no space after it).
 */
static size_t token(const char *d, size_t len, size_t *pos, size_t *start, bool *more)
{
	size_t i = *pos;

	*start = i;
	while (i < len && d[i] != ' ')
		i++;
	*more = i < len;
	*pos = i < len ? i + 1 : i;
	return i - *start;
}

/* A 5424 header field: NILVALUE → NULL; else checked and copied. */
static char *header_field(struct syslog_msg *m, const char *p, size_t n, size_t max)
{
	if (n == 1 && p[0] == '-')
		return NULL;
	if (n == 0 || n > max)
		flag(m, SYSLOG_F_BAD_HEADER, E_BAD_HEADER);
	for (size_t i = 0; i < n; i++) {
		if (!is_print(p[i])) {
			flag(m, SYSLOG_F_BAD_HEADER, E_BAD_HEADER);
			break;
		}
	}
	return n ? dup_field(m, p, n) : NULL;
}

static void parse_5424(struct syslog_msg *m, const char *d, size_t len, size_t pos)
{
	static const size_t max[] = { 255, 48, 128, 32 };
	char **fields[] = { &m->hostname, &m->app_name, &m->procid, &m->msgid };
	struct tm_parts tp;
	size_t start, n;
	bool more;

	m->format = SYSLOG_FMT_5424;
	n = token(d, len, &pos, &start, &more);
	for (size_t i = 0; i < n && i < 3; i++)
		m->version = m->version * 10 + (is_digit(d[start + i]) ? d[start + i] - '0' : 0);
	if (n < 1 || n > 3 || digits(d + start, (int)n) < 1 || d[start] == '0')
		flag(m, SYSLOG_F_BAD_HEADER, E_BAD_HEADER);
	if (!more)
		goto truncated;

	n = token(d, len, &pos, &start, &more);
	if (n == 1 && d[start] == '-') {
		flag(m, SYSLOG_F_NO_TIME, E_NO_TIME);
	} else {
		m->time_raw = dup_field(m, d + start, n);
		if (parse_rfc3339(d + start, n, 6, &tp))
			set_time(m, &tp);
		else
			flag(m, SYSLOG_F_BAD_TIME, E_BAD_TIME);
	}
	for (size_t f = 0; f < 4; f++) {
		if (!more)
			goto truncated;
		n = token(d, len, &pos, &start, &more);
		*fields[f] = header_field(m, d + start, n, max[f]);
	}
	if (!more)
		goto truncated;

	/* STRUCTURED-DATA */
	start = pos;
	if (pos < len && d[pos] == '-' && (pos + 1 == len || d[pos + 1] == ' ')) {
		pos++;
	} else if (pos < len && d[pos] == '[') {
		if (parse_sd(m, d, len, &pos) < 0) {
			flag(m, SYSLOG_F_BAD_SD, E_BAD_SD);
			set_body(m, d + start, len - start);
			return;
		}
	} else {
		flag(m, SYSLOG_F_BAD_SD, E_BAD_SD);
		set_body(m, d + pos, len - pos);
		return;
	}
	if (pos < len && d[pos] == ' ')
		pos++;
	else if (pos < len)
		flag(m, SYSLOG_F_BAD_SD, E_BAD_SD); /* "]x": no SP before MSG */
	set_body(m, d + pos, len - pos);
	return;

truncated:
	flag(m, SYSLOG_F_BAD_HEADER, E_BAD_HEADER);
	set_body(m, d + pos, len - pos);
}

/* Tag chars of a 3164 TAG/APP-NAME. */
static bool is_tag(char c)
{
	return is_print(c) && c != ':' && c != '[' && c != ']';
}

/*
 * Reads "app[pid]: " or "app: " at d[*pos]; on a match sets app_name and
 * procid and moves *pos to the text after it.
 */
static bool parse_tag(struct syslog_msg *m, const char *d, size_t len, size_t *pos)
{
	size_t i = *pos, a = i, pid = 0, npid = 0;

	while (i < len && is_tag(d[i]) && i - a < 48)
		i++;
	if (i == a || i >= len)
		return false;
	if (d[i] == '[') {
		pid = ++i;
		while (i < len && is_tag(d[i]) && i - pid < 128)
			i++;
		npid = i - pid;
		if (!npid || i >= len || d[i] != ']')
			return false;
		i++;
	}
	if (i >= len || d[i] != ':')
		return false;
	m->app_name = dup_field(m, d + a, (pid ? pid - 1 : i) - a);
	if (npid)
		m->procid = dup_field(m, d + pid, npid);
	i++;
	if (i < len && d[i] == ' ')
		i++;
	*pos = i;
	return true;
}

static bool iso_start(const char *d, size_t len, size_t pos)
{
	return len - pos >= 11 && digits(d + pos, 4) >= 0 && d[pos + 4] == '-' &&
	       digits(d + pos + 5, 2) >= 0 && d[pos + 7] == '-' && digits(d + pos + 8, 2) >= 0 &&
	       d[pos + 10] == 'T';
}

static void parse_3164(struct syslog_msg *m, const char *d, size_t len, size_t pos, bool iso,
		       time_t ref)
{
	struct tm_parts tp;
	size_t start, n, save;
	bool more, ok = false;

	m->format = iso ? SYSLOG_FMT_3164_ISO : SYSLOG_FMT_3164;
	if (iso) {
		save = pos;
		n = token(d, len, &pos, &start, &more);
		if (n && parse_rfc3339(d + start, n, 9, &tp)) {
			m->time_raw = dup_field(m, d + start, n);
			set_time(m, &tp);
			ok = true;
		} else if (n && more && iso_start(d, len, start)) {
			/* looks like one but is not: keep it, read on */
			m->time_raw = dup_field(m, d + start, n);
			flag(m, SYSLOG_F_BAD_TIME, E_BAD_TIME);
			ok = true;
		} else {
			pos = save;
		}
	} else if (len - pos >= 15 && parse_3164_time(d + pos, &tp) &&
		   (len - pos == 15 || d[pos + 15] == ' ')) {
		m->time_raw = dup_field(m, d + pos, 15);
		pos += len - pos == 15 ? 15 : 16;
		if (infer_year(&tp, ref)) {
			ok = true;
			flag(m, SYSLOG_F_NO_YEAR, E_NO_YEAR);
			set_time(m, &tp);
		} else {
			flag(m, SYSLOG_F_BAD_TIME, E_BAD_TIME);
			ok = true; /* the layout is right; read the host on */
		}
	}
	if (!ok) {
		/* RFC 3164 4.3.3: no timestamp, so the whole rest is the text. */
		flag(m, SYSLOG_F_NO_TIME, E_NO_TIME);
		set_body(m, d + pos, len - pos);
		return;
	}
	/* HOSTNAME, unless what follows is already the tag (local form). */
	save = pos;
	if (!parse_tag(m, d, len, &save)) {
		n = token(d, len, &pos, &start, &more);
		if (n)
			m->hostname = dup_field(m, d + start, n);
		save = pos;
		parse_tag(m, d, len, &save);
	}
	pos = save;
	set_body(m, d + pos, len - pos);
}

static bool version_start(const char *d, size_t len, size_t pos)
{
	size_t i = pos;

	if (i >= len || d[i] < '1' || d[i] > '9')
		return false;
	while (i < len && i - pos < 4 && is_digit(d[i]))
		i++;
	return i - pos <= 3 && i < len && d[i] == ' ';
}

void syslog_parse(struct syslog_msg *m, const char *data, size_t len, enum syslog_format fmt,
		  time_t ref)
{
	size_t pos;

	msg_reset(m);
	if (!data)
		len = 0;
	m->orig_len = len;
	if (len > SYSLOG_MAX_MSG) {
		len = SYSLOG_MAX_MSG;
		flag(m, SYSLOG_F_TRUNCATED, E_TRUNCATED);
	}
	m->raw = arena_alloc(m, len + 1);
	if (len)
		memcpy(m->raw, data, len);
	m->raw[len] = '\0';
	m->raw_len = len;

	pos = parse_pri(m, m->raw, len);
	if (fmt == SYSLOG_FMT_AUTO) {
		if (version_start(m->raw, len, pos))
			fmt = SYSLOG_FMT_5424;
		else if (iso_start(m->raw, len, pos))
			fmt = SYSLOG_FMT_3164_ISO;
		else
			fmt = SYSLOG_FMT_3164;
	}
	if (fmt == SYSLOG_FMT_5424)
		parse_5424(m, m->raw, len, pos);
	else
		parse_3164(m, m->raw, len, pos, fmt == SYSLOG_FMT_3164_ISO, ref);
}

const char *syslog_sd_get(const struct syslog_msg *m, const char *sd_id, const char *name)
{
	/* the first bytes first: a rule asks for several parameters of each
	 * message, and most names it passes differ from the first byte */
	for (size_t i = 0; i < m->nsd; i++) {
		if (m->sd[i].id[0] != sd_id[0] || strcmp(m->sd[i].id, sd_id))
			continue;
		for (size_t j = 0; j < m->sd[i].nparams; j++) {
			const char *pn = m->sd[i].params[j].name;

			if (pn[0] == name[0] && !strcmp(pn, name))
				return m->sd[i].params[j].value;
		}
		return NULL;
	}
	return NULL;
}
