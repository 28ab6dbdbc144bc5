/*
 * logview.c - events of the access-log vault as JSON, CSV and badges, and
 * the time bounds of a search (see logview.h).
 */
#include "common.h"
#include "logview.h"
#include "csv.h"
#include "syslog.h"

#include <inttypes.h>
#include <time.h>

/* Length of the valid UTF-8 sequence at s (1..4), or 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned c = s[0];
	size_t need;
	unsigned min, cp;

	if (c < 0x80)
		return c ? 1 : 0;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2, min = 0x80, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3, min = 0x800, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4, min = 0x10000, cp = c & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

void logview_clean_text(struct strbuf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		size_t k = utf8_seq(p + i, len - i);
		if (k) {
			strbuf_add(out, p + i, k);
			i += k;
		} else {
			strbuf_addf(out, "\\x%02X", p[i]);
			i++;
		}
	}
}

static json_t *clean_json(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *j;

	if (!s)
		return json_null();
	logview_clean_text(&sb, s, len);
	j = json_stringn(sb.buf, sb.len);
	strbuf_release(&sb);
	return j ? j : json_null();
}

/* ---- times ----------------------------------------------------------------- */

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int logview_parse_time(const char *s, int end, int64_t *us, struct mamori_err *err)
{
	struct tm tm = { 0 };
	int y, mo, d, h = 0, mi = 0, sec = 0;
	int64_t frac = 0;
	const char *p;
	time_t t;

	if (!s || strlen(s) < 10 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
		goto bad;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	p = s + 10;
	if (!*p) {
		tm.tm_isdst = -1;
		if (end)
			tm.tm_mday++;
		t = mktime(&tm);
		if (t == (time_t)-1)
			goto bad;
		*us = (int64_t)t * 1000000;
		return 0;
	}
	if ((*p != ' ' && *p != 'T' && *p != 't') || digits(p + 1, 2, &h) || p[3] != ':' ||
	    digits(p + 4, 2, &mi) || h > 23 || mi > 59)
		goto bad;
	p += 6;
	if (*p == ':') {
		if (digits(p + 1, 2, &sec) || sec > 60)
			goto bad;
		p += 3;
		if (*p == '.') {
			int n = 0;
			for (p++; *p >= '0' && *p <= '9'; p++, n++)
				if (n < 6)
					frac = frac * 10 + (*p - '0');
			if (n == 0)
				goto bad;
			for (; n < 6; n++)
				frac *= 10;
		}
	}
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	if (!*p) {
		tm.tm_isdst = -1;
		t = mktime(&tm);
	} else if (*p == 'Z' || *p == 'z') {
		if (p[1])
			goto bad;
		t = timegm(&tm);
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || p[6] || oh > 23 ||
		    om > 59)
			goto bad;
		t = timegm(&tm) - (*p == '+' ? 1 : -1) * (oh * 3600 + om * 60);
	} else {
		goto bad;
	}
	if (t == (time_t)-1)
		goto bad;
	*us = (int64_t)t * 1000000 + frac;
	return 0;
bad:
	return mamori_err_set(err, MAMORI_EINVAL,
			      "日時が読めません: %s (YYYY-MM-DD、YYYY-MM-DD hh:mm、または "
			      "2026-11-21T09:30:00+09:00 の形で書いてください)",
			      s ? s : "");
}

static void split_us(int64_t us, time_t *t, long *frac)
{
	*t = (time_t)(us / 1000000);
	*frac = (long)(us % 1000000);
	if (*frac < 0) {
		*frac += 1000000;
		(*t)--;
	}
}

void logview_local_time(int64_t us, char out[LOGVIEW_TIME_LEN])
{
	struct tm tm;
	time_t t;
	long frac;

	out[0] = '\0';
	if (us == INT64_MIN)
		return;
	split_us(us, &t, &frac);
	if (localtime_r(&t, &tm))
		strftime(out, LOGVIEW_TIME_LEN, "%Y-%m-%d %H:%M:%S", &tm);
}

void logview_utc_time(int64_t us, char out[LOGVIEW_TIME_LEN])
{
	struct tm tm;
	char base[32];
	time_t t;
	long frac;

	out[0] = '\0';
	if (us == INT64_MIN)
		return;
	split_us(us, &t, &frac);
	if (!gmtime_r(&t, &tm))
		return;
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, LOGVIEW_TIME_LEN, "%s.%06ldZ", base, frac);
}

/* ---- badges, JSON, CSV ------------------------------------------------------ */

const char *logview_result_label(enum log_result r)
{
	return r == LOG_RESULT_SUCCESS ? "成功" : r == LOG_RESULT_FAILURE ? "失敗" : "";
}

json_t *logview_badges(unsigned flags, const char *message, size_t message_len)
{
	json_t *a = json_array();

	if (flags & LOG_F_DUPLICATE)
		json_array_append_new(
			a, json_pack("{s:s, s:s, s:s}", "code", "duplicate", "label", "重複", "reason",
				     "同じ送信元から同じメッセージが直前にも届きました (確認応答が失われた後の再送)。"
				     "両方を保管しています。"));
	if (flags & SYSLOG_F_FAULTS) {
		struct syslog_msg m;
		json_t *reason;

		/* The reasons are not stored: the parser says them again
		 * from the bytes kept (it is deterministic). */
		syslog_msg_init(&m);
		syslog_parse(&m, message ? message : "", message ? message_len : 0, SYSLOG_FMT_AUTO,
			     time(NULL));
		reason = clean_json(m.reason.buf, m.reason.len);
		syslog_msg_release(&m);
		json_array_append_new(a, json_pack("{s:s, s:s, s:o}", "code", "malformed", "label",
						   "形式不正", "reason", reason));
	}
	return a;
}

/* s[0..len) cleaned (logview_clean_text()) as a JSON string, or null. */
static void json_text(struct strbuf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	if (!s) {
		strbuf_add(out, "null", 4);
		return;
	}
	strbuf_grow(out, len + 2);
	strbuf_addch(out, '"');
	while (i < len) {
		size_t run = i, k;

		/* plain printable ASCII goes out as it is, a run at a time */
		while (run < len && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' && p[run] != '\\')
			run++;
		strbuf_add(out, p + i, run - i);
		i = run;
		if (i == len)
			break;
		if (p[i] == '"' || p[i] == '\\') {
			strbuf_addch(out, '\\');
			strbuf_addch(out, (char)p[i]);
			i++;
		} else if (p[i] >= 0x80 && (k = utf8_seq(p + i, len - i))) {
			strbuf_add(out, p + i, k);
			i += k;
		} else if (p[i] >= 0x80 || p[i] == 0) {
			/* as logview_clean_text(): \xHH, its backslash escaped */
			strbuf_addf(out, "\\\\x%02X", p[i]);
			i++;
		} else {
			static const char hex[] = "0123456789abcdef";
			char u[6] = { '\\', 'u', '0', '0', hex[p[i] >> 4], hex[p[i] & 15] };

			strbuf_add(out, u, 6);
			i++;
		}
	}
	strbuf_addch(out, '"');
}

static void json_key_text(struct strbuf *out, const char *key, const char *s)
{
	strbuf_addf(out, ",\"%s\":", key);
	json_text(out, s, s ? strlen(s) : 0);
}

void logview_hit_json_text(struct strbuf *out, const struct logstore_hit *h)
{
	char recv[LOGVIEW_TIME_LEN], evt[LOGVIEW_TIME_LEN];
	json_t *badges;
	char *b;

	logview_utc_time(h->recv_us, recv);
	logview_utc_time(h->time_us, evt);
	strbuf_addf(out, "{\"seq\":%" PRIu64 ",\"recv\":\"%s\",\"time\":", h->seq, recv);
	if (evt[0])
		strbuf_addf(out, "\"%s\"", evt);
	else
		strbuf_add(out, "null", 4);
	strbuf_addf(out, ",\"via\":\"%s\"", log_via_name(h->via));
	json_key_text(out, "peer", h->peer);
	json_key_text(out, "user", h->user);
	json_key_text(out, "patient", h->patient);
	json_key_text(out, "host", h->host);
	json_key_text(out, "action", h->action);
	json_key_text(out, "source", h->source);
	if (h->result == LOG_RESULT_UNKNOWN)
		strbuf_addstr(out, ",\"result\":null");
	else
		strbuf_addf(out, ",\"result\":\"%s\"", log_result_name(h->result));
	strbuf_addf(out, ",\"flags\":%u,\"badges\":", (unsigned)h->flags);
	if (h->flags & (LOG_F_DUPLICATE | SYSLOG_F_FAULTS)) {
		badges = logview_badges(h->flags, h->message, h->message_len);
		b = json_dumps(badges, JSON_COMPACT);
		strbuf_addstr(out, b ? b : "[]");
		free(b);
		json_decref(badges);
	} else {
		strbuf_add(out, "[]", 2);
	}
	strbuf_add(out, ",\"message\":", 11);
	json_text(out, h->message ? h->message : "", h->message ? h->message_len : 0);
	strbuf_addch(out, '}');
}

json_t *logview_hit_json(const struct logstore_hit *h)
{
	struct strbuf sb = STRBUF_INIT;
	json_error_t jerr;
	json_t *o;

	logview_hit_json_text(&sb, h);
	o = json_loadb(sb.buf, sb.len, 0, &jerr);
	if (!o)
		BUG("logview_hit_json_text wrote invalid JSON: %s", jerr.text);
	strbuf_release(&sb);
	return o;
}

#define CSV_NCOLS 13

void logview_csv_head(struct strbuf *out, int bom)
{
	static const char *const head[CSV_NCOLS] = {
		"連番", "発生時刻", "受信時刻", "利用者", "患者ID", "端末/ホスト",
		"操作", "結果", "接続元", "送信元", "経路", "注記", "メッセージ",
	};

	if (bom)
		strbuf_addstr(out, "\xEF\xBB\xBF");
	csv_write_line(out, head, CSV_NCOLS);
}

static char *clean_dup(const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;

	if (s)
		logview_clean_text(&sb, s, len);
	return strbuf_detach(&sb, NULL);
}

void logview_csv_line(struct strbuf *out, const struct logstore_hit *h)
{
	char seq[24], evt[LOGVIEW_TIME_LEN], recv[LOGVIEW_TIME_LEN];
	struct strbuf notes = STRBUF_INIT;
	char *vals[7];
	const char *cells[CSV_NCOLS];
	json_t *badges, *b;
	size_t i;

	snprintf(seq, sizeof(seq), "%llu", (unsigned long long)h->seq);
	logview_local_time(h->time_us, evt);
	logview_local_time(h->recv_us, recv);
	badges = logview_badges(h->flags, h->message, h->message_len);
	json_array_foreach(badges, i, b) {
		if (notes.len)
			strbuf_addstr(&notes, " / ");
		strbuf_addstr(&notes, json_string_value(json_object_get(b, "label")));
	}
	json_decref(badges);
	vals[0] = clean_dup(h->user, h->user ? strlen(h->user) : 0);
	vals[1] = clean_dup(h->patient, h->patient ? strlen(h->patient) : 0);
	vals[2] = clean_dup(h->host, h->host ? strlen(h->host) : 0);
	vals[3] = clean_dup(h->action, h->action ? strlen(h->action) : 0);
	vals[4] = clean_dup(h->peer, h->peer ? strlen(h->peer) : 0);
	vals[5] = clean_dup(h->message, h->message ? h->message_len : 0);
	vals[6] = clean_dup(h->source, h->source ? strlen(h->source) : 0);
	cells[0] = seq;
	cells[1] = evt;
	cells[2] = recv;
	cells[3] = vals[0];
	cells[4] = vals[1];
	cells[5] = vals[2];
	cells[6] = vals[3];
	cells[7] = logview_result_label(h->result);
	cells[8] = vals[6];
	cells[9] = vals[4];
	cells[10] = log_via_name(h->via);
	cells[11] = notes.buf;
	cells[12] = vals[5];
	csv_write_line(out, cells, CSV_NCOLS);
	for (i = 0; i < ARRAY_SIZE(vals); i++)
		free(vals[i]);
	strbuf_release(&notes);
}
