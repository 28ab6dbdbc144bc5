/*
 * logevent.c - sealing an access-log event into its record (the leaf input
 * of the vault's Merkle tree) and parsing a record back; the record format
 * and the contracts are in logevent.h.
 *
 * Sealing is on the ingest path (one call per received message), so it
 * reuses ev->record's allocation and formats times and numbers by hand.
 * Parsing is strict: a record is accepted only in the exact form
 * log_event_seal() writes (canonical escapes, canonical times and numbers,
 * the message length matching), so that one event has exactly one record
 * and what the index says can be compared with it byte for byte.
 *
 * Two details the header leaves open:
 *   - A field whose value is exactly "-" is written "\x2d" (else it would
 *     read back as unknown); an empty field is written "-" (unknown).
 *   - After log_event_parse(), ev->f.rule points into ev->record's storage
 *     (just past its terminating NUL), valid until ev->record changes.
 */
#include "common.h"

#include <inttypes.h>
#include <time.h>

#include "logevent.h"
#include "enc.h"
#include "norm.h"

/* ---- fields and events ------------------------------------------------------- */

void log_fields_init(struct log_fields *f)
{
	memset(f, 0, sizeof(*f));
	f->result = LOG_RESULT_UNKNOWN;
}

void log_fields_release(struct log_fields *f)
{
	free(f->user);
	free(f->patient);
	free(f->host);
	free(f->action);
	free(f->source);
	log_fields_init(f);
}

void log_event_init(struct log_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->time_us = INT64_MIN;
	log_fields_init(&ev->f);
	strbuf_init(&ev->record);
}

void log_event_release(struct log_event *ev)
{
	log_fields_release(&ev->f);
	strbuf_release(&ev->record);
	log_event_init(ev);
}

const char *log_result_name(enum log_result r)
{
	switch (r) {
	case LOG_RESULT_SUCCESS:
		return "success";
	case LOG_RESULT_FAILURE:
		return "failure";
	default:
		return "-";
	}
}

const char *log_via_name(enum log_via v)
{
	switch (v) {
	case LOG_VIA_UDP:
		return "udp";
	case LOG_VIA_TCP:
		return "tcp";
	case LOG_VIA_RELP:
		return "relp";
	case LOG_VIA_FILE:
		return "file";
	}
	return "?";
}

int log_result_parse(const char *s, enum log_result *out, struct mamori_err *err)
{
	if (!strcmp(s, "success")) {
		*out = LOG_RESULT_SUCCESS;
		return 0;
	}
	if (!strcmp(s, "failure")) {
		*out = LOG_RESULT_FAILURE;
		return 0;
	}
	return mamori_err_set(err, MAMORI_EINVAL,
			      "結果は success (成功) か failure (失敗) で書いてください: \"%.80s\"", s);
}

/* ---- escaping ------------------------------------------------------------------ */

static const char hexdig[] = "0123456789abcdef";

/* The bytes a record holds as they are: printable ASCII but '\\'. */
#define PLAIN(c) ((c) >= 0x20 && (c) < 0x7f && (c) != '\\')
static const bool plain[256] = BYTE_TABLE(PLAIN);

void log_event_escape(struct strbuf *sb, const char *v, size_t len)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t i = 0;

	if (len == 1 && s[0] == '-') {
		strbuf_add(sb, "\\x2d", 4);
		return;
	}
	strbuf_grow(sb, len + 8);
	while (i < len) {
		unsigned c = s[i];
		size_t n;

		if (plain[c]) {
			size_t j = i + 1;

			while (j < len && plain[s[j]])
				j++;
			strbuf_add(sb, s + i, j - i);
			i = j;
			continue;
		}
		if (c == '\\') {
			strbuf_add(sb, "\\\\", 2);
			i++;
			continue;
		}
		if (c == '\n') {
			strbuf_add(sb, "\\n", 2);
			i++;
			continue;
		}
		if (c == '\t') {
			strbuf_add(sb, "\\t", 2);
			i++;
			continue;
		}
		n = c >= 0x80 ? enc_utf8_seq_len(s + i, len - i) : 0;
		if (n) {
			strbuf_add(sb, s + i, n);
			i += n;
			continue;
		}
		{
			char x[4] = { '\\', 'x', hexdig[c >> 4], hexdig[c & 15] };

			strbuf_add(sb, x, 4);
		}
		i++;
	}
}

/* The length of v cut to at most max bytes, not inside a UTF-8 sequence. */
static size_t cut_len(const char *v, size_t max)
{
	size_t n = strlen(v);

	if (n <= max)
		return n;
	n = max;
	for (int k = 0; k < 3 && n > 0 && ((unsigned char)v[n] & 0xc0) == 0x80; k++)
		n--;
	return n;
}

/* The value of a lower-case hex digit (canonical escapes use no other), else -1. */
static int lower_hex(int c)
{
	return c >= 'A' && c <= 'F' ? -1 : norm_hex_digit(c);
}

/*
 * Unescapes v[0..len) into out (reset first).  0, or -1 when the escapes
 * are malformed or the text is not in the canonical form log_event_escape() writes
 * (checked by escaping the result again and comparing).
 */
static int unescape(const char *v, size_t len, struct strbuf *out, struct strbuf *tmp)
{
	strbuf_reset(out);
	for (size_t i = 0; i < len; i++) {
		if (v[i] != '\\') {
			strbuf_addch(out, v[i]);
			continue;
		}
		if (++i == len)
			return -1;
		switch (v[i]) {
		case '\\':
			strbuf_addch(out, '\\');
			break;
		case 'n':
			strbuf_addch(out, '\n');
			break;
		case 't':
			strbuf_addch(out, '\t');
			break;
		case 'x': {
			int hi, lo;

			if (len - i < 3)
				return -1;
			hi = lower_hex((unsigned char)v[i + 1]);
			lo = lower_hex((unsigned char)v[i + 2]);
			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			strbuf_addch(out, hi << 4 | lo);
			i += 2;
			break;
		}
		default:
			return -1;
		}
	}
	strbuf_reset(tmp);
	log_event_escape(tmp, out->buf, out->len);
	if (tmp->len != len || memcmp(tmp->buf, v, len))
		return -1;
	return 0;
}

/* ---- times ------------------------------------------------------------------------ */

/* The representable range: 0001-01-01T00:00:00Z .. 9999-12-31T23:59:59.999999Z. */
#define TIME_MIN_US (-62135596800LL * 1000000)
#define TIME_MAX_US (253402300800LL * 1000000 - 1)

static bool time_ok(int64_t us)
{
	return us >= TIME_MIN_US && us <= TIME_MAX_US;
}

static void put_digits(char *p, uint64_t v, int n)
{
	for (int i = n - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* "YYYY-MM-DDTHH:MM:SS.uuuuuuZ", 27 bytes; us must satisfy time_ok(). */
#define TIME_TEXT_LEN 27

/* The seconds part of the last two times written by this thread (an
 * event's receipt and its own time, second after second): most events
 * only write their microseconds. */
struct sec_text {
	int64_t s;
	char text[19]; /* "YYYY-MM-DDTHH:MM:SS" */
};
static _Thread_local struct sec_text sec_cache[2] = { { INT64_MIN, "" }, { INT64_MIN, "" } };
static _Thread_local unsigned sec_next;

static void format_time(int64_t us, char out[TIME_TEXT_LEN])
{
	int64_t s = us >= 0 ? us / 1000000 : -((-us + 999999) / 1000000);
	int64_t frac = us - s * 1000000;
	struct sec_text *c = &sec_cache[0];

	if (c->s != s && (c = &sec_cache[1])->s != s) {
		int64_t days = s >= 0 ? s / 86400 : -((-s + 86399) / 86400);
		int64_t sod = s - days * 86400, y;
		int m, d;

		c = &sec_cache[sec_next];
		sec_next ^= 1;
		norm_civil_from_days(days, &y, &m, &d);
		put_digits(c->text, (uint64_t)y, 4);
		c->text[4] = '-';
		put_digits(c->text + 5, m, 2);
		c->text[7] = '-';
		put_digits(c->text + 8, d, 2);
		c->text[10] = 'T';
		put_digits(c->text + 11, (uint64_t)(sod / 3600), 2);
		c->text[13] = ':';
		put_digits(c->text + 14, (uint64_t)(sod / 60 % 60), 2);
		c->text[16] = ':';
		put_digits(c->text + 17, (uint64_t)(sod % 60), 2);
		c->s = s;
	}
	memcpy(out, c->text, 19);
	out[19] = '.';
	put_digits(out + 20, (uint64_t)frac, 6);
	out[26] = 'Z';
}

static int get_digits(const char *p, int n, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		v = v * 10 + (unsigned)(p[i] - '0');
	}
	*out = v;
	return 0;
}

static int parse_time(const char *p, size_t len, int64_t *out)
{
	static const unsigned mdays[12] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	unsigned y, mo, d, h, mi, s, us;
	bool leap;

	if (len != TIME_TEXT_LEN || p[4] != '-' || p[7] != '-' || p[10] != 'T' || p[13] != ':' ||
	    p[16] != ':' || p[19] != '.' || p[26] != 'Z')
		return -1;
	if (get_digits(p, 4, &y) || get_digits(p + 5, 2, &mo) || get_digits(p + 8, 2, &d) ||
	    get_digits(p + 11, 2, &h) || get_digits(p + 14, 2, &mi) ||
	    get_digits(p + 17, 2, &s) || get_digits(p + 20, 6, &us))
		return -1;
	leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || (mo == 2 && d == 29 && !leap) ||
	    h > 23 || mi > 59 || s > 59)
		return -1;
	*out = ((norm_days_from_civil(y, (int)mo, (int)d) * 86400) + h * 3600 + mi * 60 + s) * 1000000 + us;
	return 0;
}

/* ---- sealing ------------------------------------------------------------------------- */

static void put_uint(struct strbuf *sb, uint64_t v)
{
	char tmp[24];
	int n = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	strbuf_add(sb, tmp + sizeof(tmp) - n, (size_t)n);
}

/* Cuts an owned field to LOG_FIELD_MAX; an empty one becomes NULL.
 * Returns its length. */
static size_t field_fix(char **v)
{
	size_t n;

	if (!*v)
		return 0;
	if (!**v) {
		free(*v);
		*v = NULL;
		return 0;
	}
	n = cut_len(*v, LOG_FIELD_MAX);
	(*v)[n] = '\0';
	if (!n) {
		free(*v);
		*v = NULL;
	}
	return n;
}

/* "name value\n" for v[0..len), "name -\n" when len is 0. */
static void put_field(struct strbuf *sb, const char *name, size_t nlen, const char *v, size_t len)
{
	strbuf_add(sb, name, nlen);
	strbuf_addch(sb, ' ');
	if (len)
		log_event_escape(sb, v, len);
	else
		strbuf_addch(sb, '-');
	strbuf_addch(sb, '\n');
}

#define PUT_FIELD(sb, name, v, len) put_field(sb, name, sizeof(name) - 1, v, len)

void log_event_seal(struct log_event *ev, const char *peer, const char *msg, size_t msg_len)
{
	struct strbuf *sb = &ev->record;
	char t[TIME_TEXT_LEN];
	char rule[LOG_FIELD_MAX + 1];
	size_t ulen, plen, hlen, alen, slen;

	/* After log_event_parse() the rule lives in the record's storage,
	 * which is about to be rewritten: keep a copy. */
	if (ev->f.rule && sb->alloc && ev->f.rule >= sb->buf && ev->f.rule < sb->buf + sb->alloc) {
		snprintf(rule, sizeof(rule), "%s", ev->f.rule);
		ev->f.rule = rule;
	}

	if (!time_ok(ev->recv_us))
		ev->recv_us = 0;
	if (ev->time_us != INT64_MIN && !time_ok(ev->time_us))
		ev->time_us = INT64_MIN;
	if ((unsigned)ev->via > LOG_VIA_FILE)
		ev->via = LOG_VIA_FILE;
	if ((unsigned)ev->f.result > LOG_RESULT_FAILURE)
		ev->f.result = LOG_RESULT_UNKNOWN;
	ulen = field_fix(&ev->f.user);
	plen = field_fix(&ev->f.patient);
	hlen = field_fix(&ev->f.host);
	alen = field_fix(&ev->f.action);
	slen = field_fix(&ev->f.source);
	if (ev->f.rule && !*ev->f.rule)
		ev->f.rule = NULL;

	ev->terms.seed = 0;
	strbuf_reset(sb);
	strbuf_grow(sb, msg_len + 256);
	strbuf_add(sb, "MAMORI-LOG 1\nrecv ", 18);
	format_time(ev->recv_us, t);
	strbuf_add(sb, t, TIME_TEXT_LEN);
	strbuf_add(sb, "\nvia ", 5);
	strbuf_addstr(sb, log_via_name(ev->via));
	strbuf_addch(sb, '\n');
	PUT_FIELD(sb, "peer", peer, peer ? cut_len(peer, LOG_PEER_MAX) : 0);
	strbuf_add(sb, "time ", 5);
	if (ev->time_us == INT64_MIN) {
		strbuf_addch(sb, '-');
	} else {
		format_time(ev->time_us, t);
		strbuf_add(sb, t, TIME_TEXT_LEN);
	}
	strbuf_addch(sb, '\n');
	PUT_FIELD(sb, "user", ev->f.user, ulen);
	PUT_FIELD(sb, "patient", ev->f.patient, plen);
	PUT_FIELD(sb, "host", ev->f.host, hlen);
	PUT_FIELD(sb, "action", ev->f.action, alen);
	strbuf_add(sb, "result ", 7);
	strbuf_addstr(sb, log_result_name(ev->f.result));
	strbuf_addch(sb, '\n');
	PUT_FIELD(sb, "source", ev->f.source, slen);
	strbuf_add(sb, "flags ", 6);
	put_uint(sb, ev->flags);
	strbuf_addch(sb, '\n');
	PUT_FIELD(sb, "rule", ev->f.rule, ev->f.rule ? cut_len(ev->f.rule, LOG_FIELD_MAX) : 0);
	strbuf_add(sb, "len ", 4);
	put_uint(sb, msg_len);
	strbuf_add(sb, "\n\n", 2);
	ev->msg_off = sb->len;
	if (msg_len)
		strbuf_add(sb, msg, msg_len);
	if (!ev->leaf_later)
		log_event_hash_leaf(ev);
	if (ev->f.rule == rule) {
		/* back into the record's storage, past its NUL */
		size_t n = strlen(rule);

		strbuf_grow(sb, n + 1);
		memcpy(sb->buf + sb->len + 1, rule, n + 1);
		ev->f.rule = sb->buf + sb->len + 1;
	}
}

void log_event_hash_leaf(struct log_event *ev)
{
	merkle_leaf_hash(ev->record.buf, ev->record.len, ev->leaf);
	ev->leaf_later = false;
}

/* ---- parsing ---------------------------------------------------------------------- */

struct cursor {
	const char *p, *end;
	unsigned line;
};

/* The next line starting with "name ": its value in *v, *vlen. */
static int next_line(struct cursor *c, const char *name, const char **v, size_t *vlen)
{
	size_t nlen = strlen(name);
	const char *nl;

	c->line++;
	if ((size_t)(c->end - c->p) < nlen + 1 || memcmp(c->p, name, nlen) || c->p[nlen] != ' ')
		return -1;
	nl = memchr(c->p + nlen + 1, '\n', (size_t)(c->end - c->p - (ptrdiff_t)nlen - 1));
	if (!nl)
		return -1;
	*v = c->p + nlen + 1;
	*vlen = (size_t)(nl - *v);
	c->p = nl + 1;
	return 0;
}

/* An escaped field: NULL for "-", else a new string (1..max bytes). */
static int parse_field(const char *v, size_t len, size_t max, char **out, struct strbuf *tmp,
		       struct strbuf *tmp2)
{
	*out = NULL;
	if (len == 1 && v[0] == '-')
		return 0;
	if (!len || unescape(v, len, tmp, tmp2) < 0 || !tmp->len || tmp->len > max ||
	    memchr(tmp->buf, '\0', tmp->len))
		return -1;
	*out = xstrndup(tmp->buf, tmp->len);
	return 0;
}

static int parse_uint(const char *v, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t n = 0;

	if (!len || len > 20 || (len > 1 && v[0] == '0'))
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned dgt;

		if (v[i] < '0' || v[i] > '9')
			return -1;
		dgt = (unsigned)(v[i] - '0');
		if (n > (max - dgt) / 10)
			return -1;
		n = n * 10 + dgt;
	}
	*out = n;
	return 0;
}

int log_event_parse(struct log_event *ev, const char *rec, size_t len, struct strbuf *peer,
		    struct mamori_err *err)
{
	static const char magic[] = "MAMORI-LOG 1\n";
	struct cursor c = { rec, rec + len, 1 };
	struct strbuf tmp = STRBUF_INIT, tmp2 = STRBUF_INIT;
	const char *v, *what = NULL;
	size_t vlen, rule_off = 0, rule_len = 0;
	uint64_t n;
	char *peer_v = NULL, *rule_v = NULL;
	int r = 0;

	log_fields_release(&ev->f);
	ev->recv_us = 0;
	ev->time_us = INT64_MIN;
	ev->via = LOG_VIA_UDP;
	ev->flags = 0;
	ev->msg_off = 0;
	if (peer)
		strbuf_reset(peer);

#define BAD(w)                                                                             \
	do {                                                                               \
		what = (w);                                                                \
		goto bad;                                                                  \
	} while (0)

	if (len > LOG_RECORD_MAX)
		BAD("大きすぎます");
	if (len < sizeof(magic) - 1 || memcmp(rec, magic, sizeof(magic) - 1))
		BAD("先頭が MAMORI-LOG 1 ではありません");
	c.p += sizeof(magic) - 1;
	if (next_line(&c, "recv", &v, &vlen) || parse_time(v, vlen, &ev->recv_us))
		BAD("recv 行");
	if (next_line(&c, "via", &v, &vlen))
		BAD("via 行");
	for (n = 0; n <= LOG_VIA_FILE; n++) {
		const char *name = log_via_name((enum log_via)n);

		if (strlen(name) == vlen && !memcmp(name, v, vlen))
			break;
	}
	if (n > LOG_VIA_FILE)
		BAD("via 行");
	ev->via = (enum log_via)n;
	if (next_line(&c, "peer", &v, &vlen) ||
	    parse_field(v, vlen, LOG_PEER_MAX, &peer_v, &tmp, &tmp2))
		BAD("peer 行");
	if (next_line(&c, "time", &v, &vlen))
		BAD("time 行");
	if (!(vlen == 1 && v[0] == '-') && parse_time(v, vlen, &ev->time_us))
		BAD("time 行");
	if (next_line(&c, "user", &v, &vlen) ||
	    parse_field(v, vlen, LOG_FIELD_MAX, &ev->f.user, &tmp, &tmp2))
		BAD("user 行");
	if (next_line(&c, "patient", &v, &vlen) ||
	    parse_field(v, vlen, LOG_FIELD_MAX, &ev->f.patient, &tmp, &tmp2))
		BAD("patient 行");
	if (next_line(&c, "host", &v, &vlen) ||
	    parse_field(v, vlen, LOG_FIELD_MAX, &ev->f.host, &tmp, &tmp2))
		BAD("host 行");
	if (next_line(&c, "action", &v, &vlen) ||
	    parse_field(v, vlen, LOG_FIELD_MAX, &ev->f.action, &tmp, &tmp2))
		BAD("action 行");
	if (next_line(&c, "result", &v, &vlen))
		BAD("result 行");
	if (vlen == 7 && !memcmp(v, "success", 7))
		ev->f.result = LOG_RESULT_SUCCESS;
	else if (vlen == 7 && !memcmp(v, "failure", 7))
		ev->f.result = LOG_RESULT_FAILURE;
	else if (vlen == 1 && v[0] == '-')
		ev->f.result = LOG_RESULT_UNKNOWN;
	else
		BAD("result 行");
	if (next_line(&c, "source", &v, &vlen) ||
	    parse_field(v, vlen, LOG_FIELD_MAX, &ev->f.source, &tmp, &tmp2))
		BAD("source 行");
	if (next_line(&c, "flags", &v, &vlen) || parse_uint(v, vlen, UINT32_MAX, &n))
		BAD("flags 行");
	ev->flags = (unsigned)n;
	if (next_line(&c, "rule", &v, &vlen) ||
	    parse_field(v, vlen, LOG_FIELD_MAX, &rule_v, &tmp, &tmp2))
		BAD("rule 行");
	if (next_line(&c, "len", &v, &vlen) || parse_uint(v, vlen, LOG_RECORD_MAX, &n))
		BAD("len 行");
	if (c.p == c.end || *c.p != '\n')
		BAD("見出しの後の空行がありません");
	c.p++;
	if ((uint64_t)(c.end - c.p) != n)
		BAD("len 行の長さとメッセージの長さが違います");

	ev->msg_off = (size_t)(c.p - rec);
	strbuf_reset(&ev->record);
	strbuf_add(&ev->record, rec, len);
	if (rule_v) {
		/* The rule name lives just past the record's NUL (see the top). */
		rule_len = strlen(rule_v);
		strbuf_grow(&ev->record, rule_len + 1);
		rule_off = ev->record.len + 1;
		memcpy(ev->record.buf + rule_off, rule_v, rule_len + 1);
		ev->f.rule = ev->record.buf + rule_off;
	}
	merkle_leaf_hash(rec, len, ev->leaf);
	if (peer && peer_v)
		strbuf_addstr(peer, peer_v);
	goto out;
bad:
	log_fields_release(&ev->f);
	ev->msg_off = 0;
	r = mamori_err_set(err, MAMORI_EINVAL, "ログの記録が正しい形ではありません (%u 行目: %s)",
			   c.line, what);
out:
#undef BAD
	free(peer_v);
	free(rule_v);
	strbuf_release(&tmp);
	strbuf_release(&tmp2);
	return r;
}
