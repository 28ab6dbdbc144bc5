/*
 * logimport.c - `mamori log import`: syslog-line, CSV and JSON-lines files
 * into sealed access-log events, all or nothing; the contract is in
 * logimport.h.
 *
 * Two passes over the file held in memory: the first validates every line
 * and collects problems (nothing is built), the second builds, seals and
 * hands over one event at a time, so that memory stays at the size of the
 * file whatever the number of events.  Both passes run the same per-line
 * code (row_fields) so that what was validated is what is built.
 */
#include "common.h"

#include <jansson.h>
#include <strings.h>
#include <sys/time.h>

#include "csv.h"
#include "enc.h"
#include "fileio.h"
#include "logfield.h"
#include "logimport.h"
#include "norm.h"
#include "strbuf.h"
#include "syslog.h"

enum { M_USER, M_PATIENT, M_HOST, M_ACTION, M_RESULT, M_SOURCE, M_TIME, M_COUNT };

static const char *const map_keys[M_COUNT] = { "user",	 "patient", "host", "action",
					       "result", "source",  "time" };

static const char *const map_labels[M_COUNT] = { "利用者", "患者ID", "端末/ホスト", "操作",
						 "結果",   "接続元", "日時" };

struct mapping {
	char *col[M_COUNT]; /* column name or JSON key, NULL: not mapped */
	bool explicit_map;
};

struct importer {
	const char *name;
	const struct logimport_opts *o;
	const struct logfield_rules *rules;
	struct logimport_stats *st;
	struct mapping map;
	int idx[M_COUNT]; /* CSV: column index, -1: none */
	const char *peer;
	int64_t recv_us;
	bool building; /* second pass */
	logimport_event_fn *fn;
	void *ctx;
	struct log_event ev;
};

void logimport_stats_release(struct logimport_stats *st)
{
	for (size_t i = 0; i < st->nproblems; i++)
		free(st->problems[i]);
	memset(st, 0, sizeof(*st));
}

int logimport_format_parse(const char *name, enum logimport_format *out, struct mamori_err *err)
{
	if (!strcasecmp(name, "syslog"))
		*out = LOGIMPORT_SYSLOG;
	else if (!strcasecmp(name, "csv"))
		*out = LOGIMPORT_CSV;
	else if (!strcasecmp(name, "jsonl") || !strcasecmp(name, "json") ||
		 !strcasecmp(name, "ndjson"))
		*out = LOGIMPORT_JSONL;
	else if (!strcasecmp(name, "auto"))
		*out = LOGIMPORT_AUTO;
	else
		return mamori_err_set(err, MAMORI_EINVAL,
				      "形式「%s」は不明です。syslog, csv, jsonl のどれかを指定してください。",
				      name);
	return 0;
}

const char *logimport_format_name(enum logimport_format f)
{
	switch (f) {
	case LOGIMPORT_CSV:
		return "csv";
	case LOGIMPORT_JSONL:
		return "jsonl";
	case LOGIMPORT_SYSLOG:
		return "syslog";
	default:
		return "auto";
	}
}

static enum logimport_format format_for(const char *name)
{
	const char *dot = name ? strrchr(name, '.') : NULL;

	if (dot && (!strcasecmp(dot, ".csv") || !strcasecmp(dot, ".tsv")))
		return LOGIMPORT_CSV;
	if (dot && (!strcasecmp(dot, ".jsonl") || !strcasecmp(dot, ".ndjson") ||
		    !strcasecmp(dot, ".json")))
		return LOGIMPORT_JSONL;
	return LOGIMPORT_SYSLOG;
}

/* ---- problems -------------------------------------------------------------------- */

static void problem(struct importer *im, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void problem(struct importer *im, unsigned line, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	char msg[512];
	va_list ap;

	im->st->bad++;
	if (im->st->nproblems == LOGIMPORT_MAX_PROBLEMS)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	strbuf_addf(&sb, "%s:%u: %s", im->name, line, msg);
	im->st->problems[im->st->nproblems++] = strbuf_detach(&sb, NULL);
}

/* err->msg: a summary and as many problem lines as fit. */
static int problems_error(struct importer *im, struct mamori_err *err)
{
	struct strbuf sb = STRBUF_INIT;
	int rc;

	strbuf_addf(&sb, "%s: %zu 行に問題があるため、何も取り込んでいません。", im->name,
		    im->st->bad);
	for (size_t i = 0; i < im->st->nproblems; i++) {
		if (sb.len + 1 + strlen(im->st->problems[i]) >= MAMORI_ERR_MAX - 32)
			break;
		strbuf_addch(&sb, '\n');
		strbuf_addstr(&sb, im->st->problems[i]);
	}
	if (im->st->bad > im->st->nproblems)
		strbuf_addf(&sb, "\n…ほか %zu 行", im->st->bad - im->st->nproblems);
	rc = mamori_err_set(err, MAMORI_EINVAL, "%s", sb.buf);
	strbuf_release(&sb);
	return rc;
}

/* ---- time -------------------------------------------------------------------------- */

/* 1..max digits at *p → value; advances *p; -1 when none. */
static int num(const char **p, int max)
{
	int v = 0, n = 0;

	while (n < max && **p >= '0' && **p <= '9') {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	return n ? v : -1;
}

int logimport_parse_time(const char *s, int64_t *us, struct mamori_err *err)
{
	static const unsigned dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	const char *p = s;
	int y, mo, d, h, mi, sec = 0, off = 9 * 3600;
	int64_t frac = 0;
	char sep;
	unsigned mdays;

	if (strlen(s) < 4 || s[4] == '\0')
		goto bad;
	y = num(&p, 4);
	if (y < 1000 || p != s + 4 || (*p != '-' && *p != '/'))
		goto bad;
	sep = *p++;
	mo = num(&p, 2);
	if (mo < 1 || mo > 12 || *p++ != sep)
		goto bad;
	d = num(&p, 2);
	mdays = dm[mo - 1] + (mo == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	if (d < 1 || (unsigned)d > mdays)
		goto bad;
	if (*p == 'T' && sep == '-')
		p++;
	else if (*p == ' ')
		while (*p == ' ')
			p++;
	else
		goto bad;
	h = num(&p, 2);
	if (h < 0 || h > 23 || *p++ != ':')
		goto bad;
	if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9'))
		goto bad;
	mi = num(&p, 2);
	if (mi > 59)
		goto bad;
	if (*p == ':') {
		p++;
		if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9'))
			goto bad;
		sec = num(&p, 2);
		if (sec > 59)
			goto bad;
		if (*p == '.') {
			int nd = 0;

			p++;
			while (*p >= '0' && *p <= '9') {
				if (nd < 6)
					frac = frac * 10 + (*p - '0');
				nd++;
				p++;
			}
			if (nd == 0 || nd > 9)
				goto bad;
			for (; nd < 6; nd++)
				frac *= 10;
		}
	}
	while (*p == ' ')
		p++;
	if (*p == 'Z' || *p == 'z') {
		off = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;

		if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9'))
			goto bad;
		oh = num(&p, 2);
		if (*p == ':')
			p++;
		if (!(p[0] >= '0' && p[0] <= '9' && p[1] >= '0' && p[1] <= '9'))
			goto bad;
		om = num(&p, 2);
		if (oh > 23 || om > 59)
			goto bad;
		off = sign * (oh * 3600 + om * 60);
	}
	if (*p)
		goto bad;
	*us = ((norm_days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec) -
	       off) * 1000000 + frac;
	return 0;
bad:
	return mamori_err_set(err, MAMORI_EINVAL,
			      "日時「%s」を読めません（2026-11-21T09:30:01+09:00、2026-11-21 09:30:01、"
			      "2026/11/21 9:30:01 の形式。時差がなければ日本時間）。",
			      s);
}

/* ---- mapping ---------------------------------------------------------------------- */

static void mapping_release(struct mapping *m)
{
	for (int i = 0; i < M_COUNT; i++)
		free(m->col[i]);
	memset(m, 0, sizeof(*m));
}

static int mapping_parse(const char *s, struct mapping *m, struct mamori_err *err)
{
	const char *p = s;

	memset(m, 0, sizeof(*m));
	if (!s) {
		for (int i = 0; i < M_COUNT; i++)
			m->col[i] = xstrdup(map_keys[i]);
		return 0;
	}
	m->explicit_map = true;
	while (*p) {
		const char *end = strchr(p, ','), *eq;
		size_t n;
		int k = -1;

		if (!end)
			end = p + strlen(p);
		eq = memchr(p, '=', (size_t)(end - p));
		if (!eq || eq == p || eq + 1 == end) {
			mamori_err_set(err, MAMORI_EINVAL,
				       "対応「%.*s」が不正です。user=利用者ID,patient=患者ID,time=日時 の"
				       "ように 項目=列名 をカンマで並べてください。",
				       (int)(end - p), p);
			goto fail;
		}
		n = (size_t)(eq - p);
		for (int i = 0; i < M_COUNT; i++) {
			if (strlen(map_keys[i]) == n && !memcmp(p, map_keys[i], n))
				k = i;
		}
		if (k < 0) {
			mamori_err_set(err, MAMORI_EINVAL,
				       "対応の項目「%.*s」は不明です（user, patient, host, action, "
				       "result, source, time のどれか）。",
				       (int)n, p);
			goto fail;
		}
		if (m->col[k]) {
			mamori_err_set(err, MAMORI_EINVAL, "対応の項目「%s」が 2 回あります。",
				       map_keys[k]);
			goto fail;
		}
		m->col[k] = xstrndup(eq + 1, (size_t)(end - eq - 1));
		p = *end ? end + 1 : end;
	}
	return 0;
fail:
	mapping_release(m);
	return MAMORI_EINVAL;
}

/* ---- one row ----------------------------------------------------------------------- */

/*
 * Validates (first pass) or builds (second pass) the event of one CSV/JSON
 * row whose mapped values are val[] (NULL: absent or empty).  raw is the
 * line.  Returns 0, or what fn returned.
 */
static int row_event(struct importer *im, unsigned line, char *const val[M_COUNT],
		     const char *raw, size_t rawlen, struct mamori_err *err)
{
	int64_t t = INT64_MIN;
	enum log_result res = LOG_RESULT_UNKNOWN;
	struct log_event *ev = &im->ev;
	bool bad = false;

	if (im->map.col[M_TIME] && im->map.explicit_map && !val[M_TIME]) {
		problem(im, line, "%s（列「%s」）が空です。", map_labels[M_TIME], im->map.col[M_TIME]);
		bad = true;
	} else if (val[M_TIME]) {
		struct mamori_err terr = { 0 };

		if (logimport_parse_time(val[M_TIME], &t, &terr) < 0) {
			problem(im, line, "%s", terr.msg);
			bad = true;
		}
	}
	if (val[M_RESULT]) {
		res = logfield_result_norm(val[M_RESULT]);
		if (res == LOG_RESULT_UNKNOWN) {
			problem(im, line, "結果「%s」を成功/失敗として読めません（成功・失敗、OK・NG、"
				"success・failure など）。", val[M_RESULT]);
			bad = true;
		}
	}
	if (bad || !im->building)
		return 0;

	log_fields_release(&ev->f);
	ev->recv_us = im->recv_us;
	ev->time_us = t;
	ev->via = LOG_VIA_FILE;
	ev->flags = 0;
	ev->f.user = val[M_USER] ? logfield_value(val[M_USER], strlen(val[M_USER])) : NULL;
	ev->f.patient = val[M_PATIENT] ? logfield_value(val[M_PATIENT], strlen(val[M_PATIENT])) : NULL;
	ev->f.host = val[M_HOST] ? logfield_value(val[M_HOST], strlen(val[M_HOST])) : NULL;
	ev->f.source = val[M_SOURCE] ? logfield_value(val[M_SOURCE], strlen(val[M_SOURCE])) : NULL;
	if (val[M_ACTION]) {
		const char *a = logfield_action_norm(val[M_ACTION]);

		ev->f.action = a ? xstrdup(a) : logfield_value(val[M_ACTION], strlen(val[M_ACTION]));
	}
	ev->f.result = res;
	ev->f.rule = "import";
	log_event_seal(ev, im->peer, raw, rawlen);
	im->st->events++;
	return im->fn(im->ctx, ev, line, err);
}

static bool interrupted(struct importer *im, size_t n, struct mamori_err *err)
{
	if ((n & 1023) == 0 && mamori_interrupted) {
		mamori_err_set(err, MAMORI_EINTR, "中断しました。%s",
			       im->building ? "" : "何も取り込んでいません。");
		return true;
	}
	return false;
}

/* ---- syslog lines ---------------------------------------------------------------- */

/* Calls one pass over the lines: strips CR before LF, skips empty lines. */
static int pass_syslog(struct importer *im, const char *data, size_t len, struct mamori_err *err)
{
	size_t pos = 0;
	unsigned line = 0;

	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		pos = 3;
	while (pos < len) {
		const char *s = data + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		int rc;

		pos += n + (nl ? 1 : 0);
		line++;
		if (interrupted(im, line, err))
			return MAMORI_EINTR;
		if (n && s[n - 1] == '\r')
			n--;
		if (n == 0)
			continue;
		if (!im->building) {
			if (n > SYSLOG_MAX_MSG)
				problem(im, line, "行が長すぎます（%zu バイト、最大 %d）。", n,
					SYSLOG_MAX_MSG);
			else if (memchr(s, '\0', n))
				problem(im, line, "NUL 文字があります（テキストのログではありません）。");
			continue;
		}
		logfield_event_from_syslog(im->rules, &im->ev, s, n, LOG_VIA_FILE, im->peer,
					   im->recv_us);
		im->st->events++;
		rc = im->fn(im->ctx, &im->ev, line, err);
		if (rc < 0)
			return rc;
	}
	im->st->lines = line;
	return 0;
}

/* ---- CSV ---------------------------------------------------------------------------- */

static int csv_header(struct importer *im, const struct csv_record *rec, struct mamori_err *err)
{
	int found = 0;

	for (int k = 0; k < M_COUNT; k++) {
		im->idx[k] = -1;
		if (!im->map.col[k])
			continue;
		for (size_t i = 0; i < rec->nfields; i++) {
			const char *f = rec->fields[i];

			if (i == 0 && !strncmp(f, "\xEF\xBB\xBF", 3))
				f += 3;
			if (!strcmp(f, im->map.col[k])) {
				im->idx[k] = (int)i;
				found++;
				break;
			}
		}
		if (im->idx[k] < 0 && im->map.explicit_map && !im->building)
			problem(im, rec->line, "%s の列「%s」が見出し行にありません。", map_labels[k],
				im->map.col[k]);
	}
	if (!found && !im->map.explicit_map && !im->building)
		problem(im, rec->line,
			"見出し行に user, patient, … の列がありません。--map で列の対応を"
			"指定してください（例: user=利用者ID,patient=患者ID,time=日時）。");
	return 0;
}

static int pass_csv(struct importer *im, const char *text, size_t len, struct mamori_err *err)
{
	struct csv_reader rd;
	struct csv_record rec;
	struct mamori_err cerr = { 0 };
	size_t nrec = 0;
	int rc = 0;

	csv_reader_init(&rd, text, len, 0);
	csv_record_init(&rec);
	for (;;) {
		size_t start = rd.pos, end;
		char *val[M_COUNT] = { NULL };

		rc = csv_read(&rd, &rec, &cerr);
		if (rc < 0) {
			/* "LINE: reason" from csv.h */
			const char *reason = strstr(cerr.msg, ": ");
			unsigned line = (unsigned)strtoul(cerr.msg, NULL, 10);

			if (!im->building)
				problem(im, line ? line : rd.line, "%s", reason ? reason + 2 : cerr.msg);
			rc = 0;
			break;
		}
		if (rc == 0)
			break;
		rc = 0;
		if (interrupted(im, ++nrec, err)) {
			rc = MAMORI_EINTR;
			break;
		}
		if (nrec == 1) {
			csv_header(im, &rec, err);
			continue;
		}
		for (int k = 0; k < M_COUNT; k++) {
			const char *v;
			size_t n;

			if (im->idx[k] < 0)
				continue;
			if ((size_t)im->idx[k] >= rec.nfields) {
				if (!im->building)
					problem(im, rec.line, "列が %zu 個しかありません（%s は %d 列目）。",
						rec.nfields, map_labels[k], im->idx[k] + 1);
				goto next;
			}
			v = rec.fields[im->idx[k]];
			n = strlen(v);
			while (n && (*v == ' ' || *v == '\t'))
				v++, n--;
			while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
				n--;
			if (n)
				val[k] = xstrndup(v, n);
		}
		/* the record as read: skipped blank lines before it and its line end dropped */
		end = rd.pos;
		while (start < end && (text[start] == '\n' || text[start] == '\r'))
			start++;
		while (end > start && (text[end - 1] == '\n' || text[end - 1] == '\r'))
			end--;
		rc = row_event(im, rec.line, val, text + start, end - start, err);
next:
		for (int k = 0; k < M_COUNT; k++)
			free(val[k]);
		if (rc < 0)
			break;
	}
	im->st->lines = rd.line;
	if (rc == 0 && nrec == 0 && !im->building)
		problem(im, 1, "見出し行がありません（空のファイルです）。");
	csv_record_release(&rec);
	return rc;
}

/* ---- JSON lines -------------------------------------------------------------------- */

/* The text of a JSON value: strings as they are, numbers and booleans written. */
static char *json_text(json_t *v, bool *bad)
{
	*bad = false;
	if (!v || json_is_null(v))
		return NULL;
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);

		while (n && (*s == ' ' || *s == '\t'))
			s++, n--;
		while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
			n--;
		return n ? xstrndup(s, n) : NULL;
	}
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%.17g", json_real_value(v));
	if (json_is_boolean(v))
		return xstrdup(json_is_true(v) ? "true" : "false");
	*bad = true;
	return NULL;
}

static int pass_jsonl(struct importer *im, const char *data, size_t len, struct mamori_err *err)
{
	size_t pos = 0;
	unsigned line = 0;
	int rc = 0;

	if (len >= 3 && !memcmp(data, "\xEF\xBB\xBF", 3))
		pos = 3;
	while (pos < len && rc == 0) {
		const char *s = data + pos, *nl = memchr(s, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - s) : len - pos;
		char *val[M_COUNT] = { NULL };
		json_error_t jerr;
		json_t *obj;
		bool blank = true;

		pos += n + (nl ? 1 : 0);
		line++;
		if (interrupted(im, line, err))
			return MAMORI_EINTR;
		if (n && s[n - 1] == '\r')
			n--;
		for (size_t i = 0; i < n && blank; i++)
			blank = s[i] == ' ' || s[i] == '\t';
		if (blank)
			continue;
		obj = json_loadb(s, n, JSON_REJECT_DUPLICATES, &jerr);
		if (!obj || !json_is_object(obj)) {
			if (!im->building) {
				if (!obj)
					problem(im, line, "JSON として読めません（%d 文字目: %s）。",
						jerr.column, jerr.text);
				else
					problem(im, line, "JSON のオブジェクト {…} ではありません。");
			}
			json_decref(obj);
			continue;
		}
		for (int k = 0; k < M_COUNT; k++) {
			bool bad;

			if (!im->map.col[k])
				continue;
			val[k] = json_text(json_object_get(obj, im->map.col[k]), &bad);
			if (bad && !im->building)
				problem(im, line, "キー「%s」の値が文字列でも数値でもありません。",
					im->map.col[k]);
		}
		json_decref(obj);
		rc = row_event(im, line, val, s, n, err);
		for (int k = 0; k < M_COUNT; k++)
			free(val[k]);
	}
	im->st->lines = line;
	return rc;
}

/* ---- driver ------------------------------------------------------------------------ */

static int run_pass(struct importer *im, enum logimport_format f, const char *data, size_t len,
		    struct mamori_err *err)
{
	switch (f) {
	case LOGIMPORT_CSV:
		return pass_csv(im, data, len, err);
	case LOGIMPORT_JSONL:
		return pass_jsonl(im, data, len, err);
	default:
		return pass_syslog(im, data, len, err);
	}
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

int logimport_read_buf(const char *data, size_t len, const char *name,
		       const struct logimport_opts *o, const struct logfield_rules *rules,
		       logimport_event_fn *fn, void *ctx, struct logimport_stats *st,
		       struct mamori_err *err)
{
	struct importer im = { .name = name, .o = o, .rules = rules, .st = st, .fn = fn,
			       .ctx = ctx };
	enum logimport_format f = o->format ? o->format : format_for(name);
	char *text = NULL;
	size_t tlen = len;
	int rc;

	st->format = f;
	log_event_init(&im.ev);
	im.peer = o->peer ? o->peer : base_name(name);
	im.recv_us = o->recv_us;
	if (!im.recv_us) {
		struct timeval tv;

		gettimeofday(&tv, NULL);
		im.recv_us = (int64_t)tv.tv_sec * 1000000 + tv.tv_usec;
	}
	if (f != LOGIMPORT_SYSLOG) {
		rc = mapping_parse(o->map, &im.map, err);
		if (rc < 0)
			goto out;
	}
	if (f == LOGIMPORT_CSV) {
		struct mamori_err eerr = { 0 };

		rc = enc_to_utf8(data, len, o->encoding, &text, &tlen, NULL, &eerr);
		if (rc == MAMORI_EINVAL) {
			/* "LINE: reason" */
			unsigned line = (unsigned)strtoul(eerr.msg, NULL, 10);
			const char *reason = strstr(eerr.msg, ": ");

			problem(&im, line ? line : 1, "%s", reason ? reason + 2 : eerr.msg);
			rc = problems_error(&im, err);
			goto out;
		}
		if (rc < 0) {
			mamori_err_set(err, rc, "%s: %s", name, eerr.msg);
			goto out;
		}
		data = text;
		len = tlen;
	}
	rc = run_pass(&im, f, data, len, err);
	if (rc < 0)
		goto out;
	if (st->bad) {
		rc = problems_error(&im, err);
		goto out;
	}
	im.building = true;
	st->events = 0;
	rc = run_pass(&im, f, data, len, err);
out:
	log_event_release(&im.ev);
	mapping_release(&im.map);
	free(text);
	return rc;
}

int logimport_read(const char *path, const struct logimport_opts *o,
		   const struct logfield_rules *rules, logimport_event_fn *fn, void *ctx,
		   struct logimport_stats *st, struct mamori_err *err)
{
	char *data = NULL;
	size_t len = 0;
	int rc = fileio_read_all(path, LOGIMPORT_MAX_FILE, &data, &len, err);

	if (rc < 0)
		return rc;
	rc = logimport_read_buf(data, len, path, o, rules, fn, ctx, st, err);
	free(data);
	return rc;
}
