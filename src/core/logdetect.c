/*
 * logdetect.c - detections on ingest (see logdetect.h for the rules and
 * docs/internals/logdetect.md for the design).
 *
 * The per-event path touches only in-memory tables:
 *   users   open addressing, login (lower-cased) → flags and last use day,
 *           rebuilt by logdetect_reload(); the last log-ins seen here are
 *           carried over so that a reload does not forget them
 *   watch   open addressing set of watched patient ids
 *   seen    dedup keys (64-bit hash of kind, user, patient, local day) with
 *           their day; pruned of old days, cleared past its cap
 *   burst   per source (64-bit hash): a ring of the last N failure times and
 *           the time until which the source stays quiet after an alert;
 *           pruned of stale sources, cleared past its cap
 * Local days and minutes come from a one-day cache of localtime_r(), so the
 * common path calls no libc time function.
 */
#include "common.h"

#include <ctype.h>
#include <limits.h>
#include <time.h>

#include "account.h"
#include "journal.h"
#include "logdetect.h"
#include "logevent.h"
#include "store.h"
#include "strbuf.h"

/* ---- kinds ------------------------------------------------------------------- */

static const struct {
	const char *name, *label, *severity;
} kinds[LOGDETECT_NKINDS] = {
	[LOGDETECT_EMERGENCY_USE] = { "emergency_use", "緊急用アカウントの使用", "high" },
	[LOGDETECT_RETIRED_LOGIN] = { "retired_login", "退職者アカウントのログイン", "high" },
	[LOGDETECT_UNUSED_LOGIN] = { "unused_login", "長期未使用アカウントのログイン", "medium" },
	[LOGDETECT_OFF_HOURS] = { "off_hours", "時間外のアクセス", "low" },
	[LOGDETECT_FAILED_BURST] = { "failed_burst", "ログイン失敗の集中", "high" },
	[LOGDETECT_WATCHED_PATIENT] = { "watched_patient", "要注意患者へのアクセス", "medium" },
};

const char *logdetect_kind_name(enum logdetect_kind kind)
{
	return kinds[kind].name;
}

const char *logdetect_kind_label(enum logdetect_kind kind)
{
	return kinds[kind].label;
}

const char *logdetect_kind_severity(enum logdetect_kind kind)
{
	return kinds[kind].severity;
}

int logdetect_kind_find(const char *name)
{
	for (int i = 0; name && i < LOGDETECT_NKINDS; i++)
		if (!strcmp(name, kinds[i].name) || !strcmp(name, kinds[i].label))
			return i;
	return -1;
}

/* ---- hashing ------------------------------------------------------------------ */

#define FNV_OFFSET 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

/* FNV-1a over s, ASCII lower-cased when fold; continues from h. */
static uint64_t hash_str(uint64_t h, const char *s, int fold)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		unsigned c = *p;
		if (fold && c >= 'A' && c <= 'Z')
			c += 'a' - 'A';
		h = (h ^ c) * FNV_PRIME;
	}
	return h;
}

/* A final mix so that the low bits (the slot) depend on every input bit. */
static uint64_t mix64(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h ? h : 1; /* 0 marks an empty slot */
}

/* ---- settings ---------------------------------------------------------------- */

struct config {
	int start, end;    /* minutes of the day, [start, end) */
	unsigned workdays; /* bit 0 Sunday … bit 6 Saturday */
	int burst_failures;
	int burst_seconds;
	int unused_days;
	char *emergency_users; /* comma-separated, as stored */
};

static void config_release(struct config *c)
{
	free(c->emergency_users);
	c->emergency_users = NULL;
}

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* "8:00", "08:00", "24:00" at *s → minutes; advances *s. */
static int parse_hhmm(const char **s, int *out)
{
	const char *p = skip_space(*s);
	int h = 0, m = 0, nd = 0;

	while (isdigit((unsigned char)*p) && nd < 2)
		h = h * 10 + (*p++ - '0'), nd++;
	if (!nd || (*p != ':' && strncmp(p, "：", 3)))
		return -1;
	p += *p == ':' ? 1 : 3;
	if (!isdigit((unsigned char)p[0]) || !isdigit((unsigned char)p[1]))
		return -1;
	m = (p[0] - '0') * 10 + (p[1] - '0');
	p += 2;
	if (h > 24 || m > 59 || (h == 24 && m))
		return -1;
	*out = h * 60 + m;
	*s = skip_space(p);
	return 0;
}

int logdetect_hours_parse(const char *s, int *start, int *end, struct mamori_err *err)
{
	const char *p = s ? s : "";

	if (parse_hhmm(&p, start) < 0)
		goto bad;
	if (*p == '-')
		p++;
	else if (!strncmp(p, "〜", 3) || !strncmp(p, "～", 3))
		p += 3;
	else
		goto bad;
	if (parse_hhmm(&p, end) < 0 || *p || *start == 1440 || *start == *end)
		goto bad;
	return 0;
bad:
	return mamori_err_set(err, MAMORI_EINVAL,
			      "業務時間「%s」が読めません。「08:00-19:00」の形で、開始と終了を別の時刻で"
			      "指定してください (開始が終了より後なら日をまたぎます)",
			      s ? s : "");
}

static const char *const day_names[7][3] = {
	{ "sun", "日", "sunday" }, { "mon", "月", "monday" }, { "tue", "火", "tuesday" },
	{ "wed", "水", "wednesday" }, { "thu", "木", "thursday" }, { "fri", "金", "friday" },
	{ "sat", "土", "saturday" },
};

/* A day name at *p (English 3 letters or full, Japanese, with 曜日 or 曜). */
static int parse_day(const char **p)
{
	const char *s = skip_space(*p);

	for (int d = 0; d < 7; d++) {
		for (int k = 2; k >= 0; k--) {
			size_t n = strlen(day_names[d][k]);
			if (!strncasecmp(s, day_names[d][k], n)) {
				s += n;
				if (k == 1 && !strncmp(s, "曜日", 6))
					s += 6;
				else if (k == 1 && !strncmp(s, "曜", 3))
					s += 3;
				*p = skip_space(s);
				return d;
			}
		}
	}
	return -1;
}

int logdetect_workdays_parse(const char *s, unsigned *mask, struct mamori_err *err)
{
	const char *p = s ? s : "";

	*mask = 0;
	for (;;) {
		int a = parse_day(&p), b;
		if (a < 0)
			goto bad;
		b = a;
		if (*p == '-' || !strncmp(p, "〜", 3) || !strncmp(p, "～", 3)) {
			p += *p == '-' ? 1 : 3;
			if ((b = parse_day(&p)) < 0)
				goto bad;
		}
		for (int d = a;; d = (d + 1) % 7) {
			*mask |= 1u << d;
			if (d == b)
				break;
		}
		if (!*p)
			break;
		if (*p == ',')
			p++;
		else if (!strncmp(p, "、", 3) || !strncmp(p, "，", 3))
			p += 3;
		else
			goto bad;
	}
	return 0;
bad:
	*mask = 0;
	return mamori_err_set(err, MAMORI_EINVAL,
			      "業務日「%s」が読めません。「mon-fri」「mon-sat」「mon,wed,fri」「月-金」の"
			      "形で指定してください",
			      s ? s : "");
}

/* The mask as text: runs of days as "mon-fri", others joined by ",". */
static void workdays_text(unsigned mask, struct strbuf *out)
{
	int d = 1; /* weeks are written from Monday */

	for (int i = 0; i < 7;) {
		int a = (d + i) % 7, j = i;
		if (!(mask & (1u << a))) {
			i++;
			continue;
		}
		while (j + 1 < 7 && (mask & (1u << ((d + j + 1) % 7))))
			j++;
		if (out->len)
			strbuf_addch(out, ',');
		strbuf_addstr(out, day_names[a][0]);
		if (j > i) {
			strbuf_addch(out, '-');
			strbuf_addstr(out, day_names[(d + j) % 7][0]);
		}
		i = j + 1;
	}
}

static int meta_int(struct store *st, const char *key, int def, int max, int *out,
		    struct mamori_err *err)
{
	char *v = NULL, *end;
	long n;
	int r = store_meta_get(st, key, &v, err);

	*out = def;
	if (r < 0)
		return r;
	if (v) {
		n = strtol(v, &end, 10);
		if (!*end && n >= 1 && n <= max)
			*out = (int)n;
	}
	free(v);
	return 0;
}

static int config_load(struct store *st, struct config *c, struct mamori_err *err)
{
	char *v = NULL;
	int r;

	memset(c, 0, sizeof(*c));
	logdetect_hours_parse(LOGDETECT_HOURS_DEFAULT, &c->start, &c->end, NULL);
	logdetect_workdays_parse(LOGDETECT_WORKDAYS_DEFAULT, &c->workdays, NULL);
	r = store_meta_get(st, LOGDETECT_META_HOURS, &v, err);
	if (r == 0 && v && logdetect_hours_parse(v, &c->start, &c->end, NULL) < 0)
		logdetect_hours_parse(LOGDETECT_HOURS_DEFAULT, &c->start, &c->end, NULL);
	free(v), v = NULL;
	if (r == 0)
		r = store_meta_get(st, LOGDETECT_META_WORKDAYS, &v, err);
	if (r == 0 && v && logdetect_workdays_parse(v, &c->workdays, NULL) < 0)
		logdetect_workdays_parse(LOGDETECT_WORKDAYS_DEFAULT, &c->workdays, NULL);
	free(v), v = NULL;
	if (r == 0)
		r = meta_int(st, LOGDETECT_META_BURST_FAILURES, LOGDETECT_BURST_FAILURES_DEFAULT,
			     LOGDETECT_BURST_FAILURES_MAX, &c->burst_failures, err);
	if (r == 0)
		r = meta_int(st, LOGDETECT_META_BURST_SECONDS, LOGDETECT_BURST_SECONDS_DEFAULT,
			     LOGDETECT_BURST_SECONDS_MAX, &c->burst_seconds, err);
	if (r == 0)
		r = account_unused_days(st, &c->unused_days, err);
	if (r == 0)
		r = store_meta_get(st, LOGDETECT_META_EMERGENCY_USERS, &c->emergency_users, err);
	if (r < 0)
		config_release(c);
	return r;
}

/* ---- local time ----------------------------------------------------------------- */

/* One local day: [start, end) in Unix µs, its day number and weekday. */
struct day_cache {
	int64_t start, end;
	int32_t day; /* local days since 1970-01-01 */
	int wday;
};

static int64_t floor_div(int64_t a, int64_t b)
{
	return a / b - (a % b != 0 && (a < 0) != (b < 0));
}

static void day_of(struct day_cache *c, int64_t us, int32_t *day, int *minute, int *wday)
{
	if (us < c->start || us >= c->end) {
		time_t t = (time_t)floor_div(us, 1000000);
		struct tm tm;
		int64_t sod;
		if (!localtime_r(&t, &tm))
			memset(&tm, 0, sizeof(tm));
		sod = tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
		c->start = ((int64_t)t - sod) * 1000000;
		c->end = c->start + (int64_t)86400 * 1000000; /* a DST day is off by its hour */
		c->day = (int32_t)floor_div((int64_t)t - sod + tm.tm_gmtoff, 86400);
		c->wday = tm.tm_wday;
	}
	*day = c->day;
	*minute = (int)((us - c->start) / 60000000);
	if (*minute > 1439)
		*minute = 1439;
	*wday = c->wday;
}

#define TBUF 64 /* room for any int the formats below could print */

/* us as RFC 3339 UTC with microseconds. */
static void time_utc(int64_t us, char out[TBUF])
{
	time_t t = (time_t)floor_div(us, 1000000);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, TBUF, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (int)(us - (int64_t)t * 1000000));
}

/* us as local "2026-11-21 (土) 22:05". */
static void time_local(int64_t us, char out[64])
{
	static const char *const wd[] = { "日", "月", "火", "水", "木", "金", "土" };
	time_t t = (time_t)floor_div(us, 1000000);
	struct tm tm;

	localtime_r(&t, &tm);
	snprintf(out, 64, "%04d-%02d-%02d (%s) %02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, wd[tm.tm_wday], tm.tm_hour, tm.tm_min);
}

/* A date YYYY-MM-DD (or the date part of a time) as a day number; INT32_MIN if none. */
static int32_t date_day(const char *s)
{
	int y, m, d;
	struct tm tm = { 0 };

	if (!s || sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
		return INT32_MIN;
	tm.tm_year = y - 1900;
	tm.tm_mon = m - 1;
	tm.tm_mday = d;
	return (int32_t)floor_div((int64_t)timegm(&tm), 86400);
}

/* ---- tables --------------------------------------------------------------------- */

enum { U_EMERGENCY = 1, U_RETIRED = 2, U_NOT_RETIRED = 4 };

struct urec {
	uint64_t h; /* 0: empty */
	char *login; /* lower-cased */
	unsigned flags;
	int32_t last_day; /* INT32_MIN: unknown */
};

struct utable {
	struct urec *v;
	size_t cap; /* power of two */
	size_t n;
};

static void utable_free(struct utable *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->v[i].login);
	free(t->v);
	memset(t, 0, sizeof(*t));
}

static int ascii_caseeq(const char *a, const char *b)
{
	return !strcasecmp(a, b);
}

static struct urec *utable_find(const struct utable *t, const char *login, uint64_t h)
{
	if (!t->cap)
		return NULL;
	for (size_t i = h & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		struct urec *u = &t->v[i];
		if (!u->h)
			return NULL;
		if (u->h == h && ascii_caseeq(u->login, login))
			return u;
	}
}

static struct urec *utable_put(struct utable *t, const char *login)
{
	uint64_t h = mix64(hash_str(FNV_OFFSET, login, 1));
	struct urec *u = utable_find(t, login, h);

	if (u)
		return u;
	if ((t->n + 1) * 2 > t->cap) {
		struct utable nt = { xcalloc(t->cap ? t->cap * 2 : 64, sizeof(struct urec)),
				     t->cap ? t->cap * 2 : 64, 0 };
		for (size_t i = 0; i < t->cap; i++) {
			if (!t->v[i].h)
				continue;
			size_t j = t->v[i].h & (nt.cap - 1);
			while (nt.v[j].h)
				j = (j + 1) & (nt.cap - 1);
			nt.v[j] = t->v[i];
			nt.n++;
		}
		free(t->v);
		*t = nt;
	}
	size_t j = h & (t->cap - 1);
	while (t->v[j].h)
		j = (j + 1) & (t->cap - 1);
	u = &t->v[j];
	u->h = h;
	u->login = xstrdup(login);
	for (char *p = u->login; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	u->flags = 0;
	u->last_day = INT32_MIN;
	t->n++;
	return u;
}

/* A set or map of 64-bit keys with a 32-bit value (day, or a slot index). */
struct kslot {
	uint64_t k; /* 0: empty */
	int64_t v;
};

struct kset {
	struct kslot *v;
	size_t cap; /* power of two */
	size_t n;
};

static struct kslot *kset_find(const struct kset *s, uint64_t k)
{
	if (!s->cap)
		return NULL;
	for (size_t i = k & (s->cap - 1);; i = (i + 1) & (s->cap - 1)) {
		if (!s->v[i].k)
			return NULL;
		if (s->v[i].k == k)
			return &s->v[i];
	}
}

/* Inserts k (not present) with value v; the caller keeps n below cap / 2. */
static struct kslot *kset_insert(struct kset *s, uint64_t k, int64_t v)
{
	size_t i = k & (s->cap - 1);

	while (s->v[i].k)
		i = (i + 1) & (s->cap - 1);
	s->v[i].k = k;
	s->v[i].v = v;
	s->n++;
	return &s->v[i];
}

/* Keeps the slots for which keep() says so (rehashing them). */
static void kset_filter(struct kset *s, int (*keep)(const struct kslot *e, void *ctx),
			void (*moved)(struct kslot *e, void *ctx), void *ctx)
{
	struct kslot *old = s->v;
	size_t cap = s->cap;

	s->v = xcalloc(cap, sizeof(*s->v));
	s->n = 0;
	for (size_t i = 0; i < cap; i++) {
		if (!old[i].k)
			continue;
		if (keep && keep(&old[i], ctx)) {
			struct kslot *e = kset_insert(s, old[i].k, old[i].v);
			if (moved)
				moved(e, ctx);
		} else if (moved) {
			struct kslot gone = old[i];
			gone.k = 0;
			moved(&gone, ctx);
		}
	}
	free(old);
}

#define SEEN_CAP (1u << 17)  /* dedup keys: up to 64k live */
#define BURST_CAP (1u << 13) /* sources: up to 4k live */

/* A source's failures: a ring of the last burst_failures times. */
struct burst {
	int64_t *times;
	int n, head;          /* entries used, next slot */
	int64_t last;         /* newest failure */
	int64_t quiet_until;  /* no alert before this time */
	int used;
};

/* ---- the detector ----------------------------------------------------------------- */

struct qalert {
	enum logdetect_kind kind;
	uint64_t seq;
	int64_t at_us;
	char *user, *patient, *host, *source, *detail;
};

struct logdetect {
	struct config cfg;
	struct utable users;
	struct kset watch; /* hash of patient id → index into watch_reason */
	char **watch_reason;
	size_t nwatch;
	struct kset seen;  /* dedup key → day */
	int32_t seen_day;  /* newest day seen */
	struct kset burst; /* source hash → index into bursts */
	struct burst *bursts;
	int64_t burst_now;
	struct day_cache dc;
	struct qalert *q;
	size_t nq, aq;
	uint64_t dropped;
	int reload_every;    /* seconds; 0: every flush; < 0: never (see logdetect_flush) */
	int64_t reloaded_ms; /* CLOCK_MONOTONIC of the last successful reload */
};

static int64_t monotonic_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void watch_free(struct logdetect *d)
{
	for (size_t i = 0; i < d->nwatch; i++)
		free(d->watch_reason[i]);
	free(d->watch_reason);
	free(d->watch.v);
	d->watch_reason = NULL;
	d->watch.v = NULL;
	d->watch.cap = d->watch.n = 0;
	d->nwatch = 0;
}

static void bursts_free(struct logdetect *d)
{
	for (size_t i = 0; d->bursts && i < BURST_CAP; i++)
		free(d->bursts[i].times);
	free(d->bursts);
	free(d->burst.v);
	d->bursts = NULL;
	d->burst.v = NULL;
	d->burst.cap = d->burst.n = 0;
}

static void qalert_release(struct qalert *a)
{
	free(a->user);
	free(a->patient);
	free(a->host);
	free(a->source);
	free(a->detail);
}

void logdetect_free(struct logdetect *d)
{
	if (!d)
		return;
	config_release(&d->cfg);
	utable_free(&d->users);
	watch_free(d);
	free(d->seen.v);
	bursts_free(d);
	for (size_t i = 0; i < d->nq; i++)
		qalert_release(&d->q[i]);
	free(d->q);
	free(d);
}

static void add_user_flags(struct utable *t, const char *login, unsigned flags, int32_t day)
{
	struct urec *u;

	if (!login || !*login)
		return;
	u = utable_put(t, login);
	u->flags |= flags;
	if (day != INT32_MIN && day > u->last_day)
		u->last_day = day;
}

static int load_users(struct store *st, const struct config *cfg, const struct utable *old,
		      struct utable *t, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r = store_prepare(st,
			      "SELECT login, kind, holder_status, coalesce(last_used_on, created_on) "
			      "FROM account WHERE status <> 'deleted'",
			      &s, err);

	if (r < 0)
		return r;
	while ((r = store_step(st, s, err)) == 1) {
		const char *kind = store_column_text(st, s, 1);
		const char *hs = store_column_text(st, s, 2);
		unsigned f = (kind && !strcmp(kind, "emergency")) ? U_EMERGENCY : 0;
		f |= (hs && !strcmp(hs, "retired")) ? U_RETIRED : U_NOT_RETIRED;
		add_user_flags(t, store_column_text(st, s, 0), f, date_day(store_column_text(st, s, 3)));
	}
	store_finalize(st, s);
	if (r < 0)
		return r;
	/* the configured list, "a, b, c" */
	for (const char *p = cfg->emergency_users; p && *p;) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		while (n && (*p == ' ' || *p == '\t'))
			p++, n--;
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t'))
			n--;
		if (n) {
			char *login = xmalloc(n + 1);
			memcpy(login, p, n);
			login[n] = 0;
			add_user_flags(t, login, U_EMERGENCY, INT32_MIN);
			free(login);
		}
		p = e ? e + 1 : p + strlen(p);
	}
	/* the last log-ins seen here survive a reload */
	for (size_t i = 0; i < old->cap; i++) {
		const struct urec *o = &old->v[i];
		if (!o->h || o->last_day == INT32_MIN)
			continue;
		struct urec *u = utable_find(t, o->login, o->h);
		if (u && o->last_day > u->last_day)
			u->last_day = o->last_day;
	}
	return 0;
}

static int load_watch(struct store *st, struct logdetect *d, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	size_t n = 0, a = 0, cap = 16;
	char **reasons = NULL;
	struct kset w;
	int r;

	r = store_prepare(st, "SELECT patient, reason FROM log_watch ORDER BY id", &s, err);
	if (r < 0)
		return r;
	w.v = NULL;
	w.n = 0;
	w.cap = 0;
	while ((r = store_step(st, s, err)) == 1) {
		const char *p = store_column_text(st, s, 0);
		uint64_t h = mix64(hash_str(FNV_OFFSET, p ? p : "", 0));
		if ((n + 1) * 2 > w.cap) {
			while ((n + 1) * 2 > cap)
				cap *= 2;
			struct kset nw = { xcalloc(cap, sizeof(struct kslot)), cap, 0 };
			for (size_t i = 0; i < w.cap; i++)
				if (w.v[i].k)
					kset_insert(&nw, w.v[i].k, w.v[i].v);
			free(w.v);
			w = nw;
		}
		if (kset_find(&w, h))
			continue;
		if (n == a)
			reasons = xrealloc(reasons, (a = a ? a * 2 : 16) * sizeof(*reasons));
		reasons[n] = xstrdup(store_column_text(st, s, 1) ? store_column_text(st, s, 1) : "");
		kset_insert(&w, h, (int64_t)n);
		n++;
	}
	store_finalize(st, s);
	if (r < 0) {
		for (size_t i = 0; i < n; i++)
			free(reasons[i]);
		free(reasons);
		free(w.v);
		return r;
	}
	watch_free(d);
	d->watch = w;
	d->watch_reason = reasons;
	d->nwatch = n;
	return 0;
}

int logdetect_reload(struct logdetect *d, struct store *st, struct mamori_err *err)
{
	struct config cfg;
	struct utable users = { 0 };
	int r = config_load(st, &cfg, err);

	if (r < 0)
		return r;
	r = load_users(st, &cfg, &d->users, &users, err);
	if (r == 0)
		r = load_watch(st, d, err);
	if (r < 0) {
		config_release(&cfg);
		utable_free(&users);
		return r;
	}
	if (cfg.burst_failures != d->cfg.burst_failures) /* the rings have the old size */
		bursts_free(d);
	config_release(&d->cfg);
	d->cfg = cfg;
	utable_free(&d->users);
	d->users = users;
	d->reloaded_ms = monotonic_ms();
	return 0;
}

void logdetect_set_reload_interval(struct logdetect *d, int seconds)
{
	d->reload_every = seconds;
}

int logdetect_open(struct logdetect **out, struct store *st, struct mamori_err *err)
{
	struct logdetect *d = xcalloc(1, sizeof(*d));
	int r;

	*out = NULL;
	d->seen.cap = SEEN_CAP;
	d->seen.v = xcalloc(SEEN_CAP, sizeof(struct kslot));
	d->seen_day = INT32_MIN;
	d->reload_every = LOGDETECT_RELOAD_SECONDS;
	r = logdetect_reload(d, st, err);
	if (r < 0) {
		logdetect_free(d);
		return r;
	}
	*out = d;
	return 0;
}

size_t logdetect_pending(const struct logdetect *d)
{
	return d->nq;
}

/* ---- rules ------------------------------------------------------------------------ */

static int keep_recent(const struct kslot *e, void *ctx)
{
	return e->v >= *(int32_t *)ctx - 1;
}

/* 1 when (kind, a, b, day) was not seen before (and now is). */
static int first_seen(struct logdetect *d, int kind, const char *a, const char *b, int32_t day)
{
	uint64_t h = FNV_OFFSET;
	struct kslot *e;

	h = (h ^ (uint64_t)kind) * FNV_PRIME;
	h = hash_str(h, a ? a : "", 1);
	h = (h ^ 0xff) * FNV_PRIME;
	h = hash_str(h, b ? b : "", 0);
	h = (h ^ 0xfe) * FNV_PRIME;
	h = mix64(h ^ ((uint64_t)(uint32_t)day << 8));
	if ((e = kset_find(&d->seen, h)))
		return 0;
	if (day > d->seen_day)
		d->seen_day = day;
	if ((d->seen.n + 1) * 2 > d->seen.cap) {
		int32_t now = d->seen_day;
		kset_filter(&d->seen, keep_recent, NULL, &now);
		if ((d->seen.n + 1) * 4 > d->seen.cap)
			kset_filter(&d->seen, NULL, NULL, NULL); /* a flood: start over */
	}
	kset_insert(&d->seen, h, day);
	return 1;
}

static void queue(struct logdetect *d, enum logdetect_kind kind, uint64_t seq, int64_t at,
		  const struct log_event *ev, char *detail)
{
	struct qalert *a;

	if (d->nq >= LOGDETECT_QUEUE_MAX) {
		d->dropped++;
		free(detail);
		return;
	}
	if (d->nq == d->aq)
		d->q = xrealloc(d->q, (d->aq = d->aq ? d->aq * 2 : 16) * sizeof(*d->q));
	a = &d->q[d->nq++];
	a->kind = kind;
	a->seq = seq;
	a->at_us = at;
	a->user = ev->f.user ? xstrdup(ev->f.user) : NULL;
	a->patient = ev->f.patient ? xstrdup(ev->f.patient) : NULL;
	a->host = ev->f.host ? xstrdup(ev->f.host) : NULL;
	a->source = ev->f.source ? xstrdup(ev->f.source) : NULL;
	a->detail = detail;
}

static const char *or_dash(const char *s)
{
	return s ? s : "-";
}

/* " (端末 X、接続元 Y)" or "" */
static void where_text(const struct log_event *ev, struct strbuf *sb)
{
	if (!ev->f.host && !ev->f.source)
		return;
	strbuf_addstr(sb, " (");
	if (ev->f.host)
		strbuf_addf(sb, "端末 %s", ev->f.host);
	if (ev->f.source)
		strbuf_addf(sb, "%s接続元 %s", ev->f.host ? "、" : "", ev->f.source);
	strbuf_addch(sb, ')');
}

static char *detail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *detail(const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		fatal("out of memory");
	va_end(ap);
	return s;
}

/* d (consumed) + where + "。" */
static char *with_where(char *d, const struct log_event *ev)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addstr(&sb, d);
	free(d);
	where_text(ev, &sb);
	strbuf_addstr(&sb, "。");
	return strbuf_detach(&sb, NULL);
}

static int is_login(const struct log_event *ev)
{
	return ev->f.action && !strcasecmp(ev->f.action, "login");
}

static int keep_live_source(const struct kslot *e, void *ctx)
{
	struct logdetect *d = ctx;
	const struct burst *b = &d->bursts[e->v];
	int64_t win = (int64_t)d->cfg.burst_seconds * 1000000;

	return b->last >= d->burst_now - win || b->quiet_until > d->burst_now;
}

/* Compacts the bursts array after a filter: slots gone are freed. */
static void burst_moved(struct kslot *e, void *ctx)
{
	struct logdetect *d = ctx;

	if (!e->k) { /* dropped */
		struct burst *b = &d->bursts[e->v];
		free(b->times);
		memset(b, 0, sizeof(*b));
	}
}

static struct burst *burst_for(struct logdetect *d, uint64_t h, int64_t now)
{
	struct kslot *e = kset_find(&d->burst, h);

	if (e)
		return &d->bursts[e->v];
	if (!d->bursts) {
		d->bursts = xcalloc(BURST_CAP, sizeof(*d->bursts));
		d->burst.cap = BURST_CAP;
		d->burst.v = xcalloc(BURST_CAP, sizeof(struct kslot));
	}
	if ((d->burst.n + 1) * 2 > d->burst.cap) {
		d->burst_now = now;
		kset_filter(&d->burst, keep_live_source, burst_moved, d);
		if ((d->burst.n + 1) * 4 > d->burst.cap) {
			d->burst_now = INT64_MAX; /* a flood of sources: start over */
			kset_filter(&d->burst, NULL, burst_moved, d);
		}
	}
	size_t i = 0;
	while (d->bursts[i].used)
		i++; /* fewer than BURST_CAP / 2 are used */
	struct burst *b = &d->bursts[i];
	b->used = 1;
	b->times = xcalloc((size_t)d->cfg.burst_failures, sizeof(int64_t));
	b->n = b->head = 0;
	b->quiet_until = INT64_MIN;
	kset_insert(&d->burst, h, (int64_t)i);
	return b;
}

static void rule_burst(struct logdetect *d, uint64_t seq, const struct log_event *ev, int64_t t)
{
	const char *src = ev->f.source ? ev->f.source : ev->f.host;
	int64_t win = (int64_t)d->cfg.burst_seconds * 1000000;
	int nmax = d->cfg.burst_failures;
	struct burst *b;

	if (!src)
		return;
	b = burst_for(d, mix64(hash_str(FNV_OFFSET, src, 0)), t);
	b->times[b->head] = t;
	b->head = (b->head + 1) % nmax;
	if (b->n < nmax)
		b->n++;
	if (t > b->last)
		b->last = t;
	/* the oldest of the last nmax failures is at head once the ring is full */
	if (b->n == nmax && t - b->times[b->head % nmax] < win && t >= b->quiet_until) {
		b->quiet_until = t + win;
		queue(d, LOGDETECT_FAILED_BURST, seq, t, ev,
		      detail("接続元「%s」からログインの失敗が %d 秒未満のうちに %d 回ありました%s%s%s。", src,
			     d->cfg.burst_seconds, nmax, ev->f.user ? " (最後の利用者 " : "",
			     ev->f.user ? ev->f.user : "", ev->f.user ? ")" : ""));
	}
}

static int in_hours(const struct config *c, int minute, int wday)
{
	if (c->start < c->end)
		return (c->workdays & (1u << wday)) && minute >= c->start && minute < c->end;
	/* spans midnight: the evening belongs to this day, the morning to the day before */
	if (minute >= c->start)
		return (c->workdays & (1u << wday)) != 0;
	if (minute < c->end)
		return (c->workdays & (1u << ((wday + 6) % 7))) != 0;
	return 0;
}

void logdetect_event(struct logdetect *d, uint64_t seq, const struct log_event *ev)
{
	const char *user = ev->f.user;
	int64_t t = ev->time_us != INT64_MIN ? ev->time_us : ev->recv_us;
	int32_t day;
	int minute, wday, login, ok;
	struct urec *u = NULL;

	if (ev->flags & LOG_F_DUPLICATE)
		return;
	login = is_login(ev);
	ok = ev->f.result != LOG_RESULT_FAILURE;
	if (login && ev->f.result == LOG_RESULT_FAILURE)
		rule_burst(d, seq, ev, t);
	if (!user && !ev->f.patient)
		return;
	day_of(&d->dc, t, &day, &minute, &wday);
	if (user)
		u = utable_find(&d->users, user, mix64(hash_str(FNV_OFFSET, user, 1)));
	if (u && (u->flags & U_EMERGENCY)) {
		int first = first_seen(d, LOGDETECT_EMERGENCY_USE, user, NULL, day);
		if ((login && ev->f.result == LOG_RESULT_SUCCESS) || first) {
			char when[64];
			time_local(t, when);
			queue(d, LOGDETECT_EMERGENCY_USE, seq, t, ev,
			      with_where(detail("緊急用アカウント「%s」が使用されました: %s %s%s", user,
						when, or_dash(ev->f.action),
						ev->f.result == LOG_RESULT_FAILURE ? " (失敗)" : ""),
					 ev));
		}
	}
	if (u && login && ev->f.result == LOG_RESULT_SUCCESS) {
		if ((u->flags & U_RETIRED) && !(u->flags & U_NOT_RETIRED) &&
		    first_seen(d, LOGDETECT_RETIRED_LOGIN, user, NULL, day))
			queue(d, LOGDETECT_RETIRED_LOGIN, seq, t, ev,
			      with_where(detail("退職した職員のアカウント「%s」でログインがありました", user), ev));
		if (!(u->flags & U_EMERGENCY) && u->last_day != INT32_MIN &&
		    day - u->last_day > d->cfg.unused_days) {
			char last[TBUF];
			time_t lt = (time_t)u->last_day * 86400;
			struct tm tm;
			gmtime_r(&lt, &tm);
			snprintf(last, sizeof(last), "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1,
				 tm.tm_mday);
			queue(d, LOGDETECT_UNUSED_LOGIN, seq, t, ev,
			      with_where(detail("%d 日以上使われていなかったアカウント「%s」でログインがありました"
						" (最後の使用 %s、%d 日前)",
						d->cfg.unused_days, user, last, day - u->last_day),
					 ev));
		}
		if (day > u->last_day)
			u->last_day = day;
	}
	if (user && ok && !in_hours(&d->cfg, minute, wday) &&
	    first_seen(d, LOGDETECT_OFF_HOURS, user, NULL, day)) {
		char when[64];
		time_local(t, when);
		queue(d, LOGDETECT_OFF_HOURS, seq, t, ev,
		      with_where(detail("利用者「%s」が業務時間外 (%s) にアクセスしました: %s", user, when,
					or_dash(ev->f.action)),
				 ev));
	}
	if (ev->f.patient && d->nwatch) {
		const struct kslot *w =
			kset_find(&d->watch, mix64(hash_str(FNV_OFFSET, ev->f.patient, 0)));
		if (w && first_seen(d, LOGDETECT_WATCHED_PATIENT, user, ev->f.patient, day))
			queue(d, LOGDETECT_WATCHED_PATIENT, seq, t, ev,
			      with_where(detail("要注意患者 %s (%s) の記録に利用者「%s」がアクセスしました: %s",
						ev->f.patient, d->watch_reason[w->v], or_dash(user),
						or_dash(ev->f.action)),
					 ev));
	}
}

/* ---- flush ------------------------------------------------------------------------- */

static json_t *jstr(const char *s)
{
	return s ? json_string(s) : json_null();
}

int logdetect_flush(struct logdetect *d, struct store *st, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	char now[MAMORI_TIME_LEN], at[TBUF], idbuf[24];
	int r;

	/* The configuration, at most reload_every seconds old (a failure keeps the old one) */
	if (d->reload_every >= 0 && !st->in_tx &&
	    monotonic_ms() - d->reloaded_ms >= (int64_t)d->reload_every * 1000) {
		struct mamori_err ignored = { 0 };
		if (logdetect_reload(d, st, &ignored) < 0)
			d->reloaded_ms = monotonic_ms(); /* try again in a while, not at every flush */
	}
	if (!d->nq && !d->dropped)
		return 0;
	mamori_now(now);
	r = store_begin(st, err);
	if (r < 0)
		return r;
	r = store_prepare(st,
			  "INSERT INTO log_alert (kind, severity, seq, at, user, patient, host, source, "
			  "detail, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
			  &s, err);
	for (size_t i = 0; r == 0 && i < d->nq; i++) {
		const struct qalert *a = &d->q[i];
		int64_t id;
		time_utc(a->at_us, at);
		store_reset(st, s);
		store_bind_text(st, s, 1, kinds[a->kind].name);
		store_bind_text(st, s, 2, kinds[a->kind].severity);
		store_bind_int(st, s, 3, (int64_t)a->seq);
		store_bind_text(st, s, 4, at);
		store_bind_text(st, s, 5, a->user);
		store_bind_text(st, s, 6, a->patient);
		store_bind_text(st, s, 7, a->host);
		store_bind_text(st, s, 8, a->source);
		store_bind_text(st, s, 9, a->detail);
		store_bind_text(st, s, 10, now);
		r = store_step(st, s, err);
		if (r != 1) {
			if (r == 0)
				r = mamori_err_set(err, MAMORI_EDB, "警告を記録できませんでした");
			break;
		}
		id = store_column_int(st, s, 0);
		r = store_step(st, s, err);
		if (r < 0)
			break;
		json_t *after = json_pack("{s:s, s:s, s:I, s:s, s:o, s:o, s:o, s:o, s:s}", "kind",
					  kinds[a->kind].name, "severity", kinds[a->kind].severity,
					  "seq", (json_int_t)a->seq, "at", at, "user", jstr(a->user),
					  "patient", jstr(a->patient), "host", jstr(a->host), "source",
					  jstr(a->source), "detail", a->detail);
		snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
		r = journal_append(st, LOGDETECT_ACTOR, "log.alert", "log_alert", idbuf, NULL, after,
				   NULL, err);
		json_decref(after);
	}
	store_finalize(st, s);
	if (r == 0 && d->dropped) {
		json_t *after = json_pack("{s:I}", "dropped", (json_int_t)d->dropped);
		r = journal_append(st, LOGDETECT_ACTOR, "log.alerts_dropped", "log_alert", NULL, NULL,
				   after, NULL, err);
		json_decref(after);
	}
	if (r == 0)
		r = store_commit(st, err);
	if (r < 0) {
		store_rollback(st);
		return r;
	}
	for (size_t i = 0; i < d->nq; i++)
		qalert_release(&d->q[i]);
	d->nq = 0;
	d->dropped = 0;
	return 0;
}

/* ---- settings in the store ---------------------------------------------------------- */

int logdetect_settings_json(struct store *st, json_t **out, struct mamori_err *err)
{
	struct config c;
	struct strbuf wd = STRBUF_INIT;
	char hours[TBUF];
	int r = config_load(st, &c, err);

	*out = NULL;
	if (r < 0)
		return r;
	workdays_text(c.workdays, &wd);
	snprintf(hours, sizeof(hours), "%02d:%02d-%02d:%02d", c.start / 60, c.start % 60,
		 c.end / 60, c.end % 60);
	*out = json_pack("{s:s, s:s, s:s, s:i, s:i, s:i}", LOGDETECT_META_EMERGENCY_USERS,
			 c.emergency_users ? c.emergency_users : "", LOGDETECT_META_HOURS, hours,
			 LOGDETECT_META_WORKDAYS, wd.buf, LOGDETECT_META_BURST_FAILURES,
			 c.burst_failures, LOGDETECT_META_BURST_SECONDS, c.burst_seconds,
			 ACCOUNT_META_UNUSED_DAYS, c.unused_days);
	strbuf_release(&wd);
	config_release(&c);
	return 0;
}

static int parse_count(const char *v, int max, int *out)
{
	char *end;
	long n;

	if (!v || !*v)
		return -1;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n < 1 || n > max)
		return -1;
	*out = (int)n;
	return 0;
}

int logdetect_setting_set(struct store *st, const char *actor, const char *key,
			  const char *value, struct mamori_err *err)
{
	static const char *const keys[] = { LOGDETECT_META_EMERGENCY_USERS, LOGDETECT_META_HOURS,
					     LOGDETECT_META_WORKDAYS, LOGDETECT_META_BURST_FAILURES,
					     LOGDETECT_META_BURST_SECONDS };
	const char *k = NULL;
	struct strbuf norm = STRBUF_INIT;
	char *before = NULL;
	int r, n;

	if (!key)
		key = "";
	if (!strcmp(key, ACCOUNT_META_UNUSED_DAYS) || !strcmp(key, "unused_days")) {
		if (parse_count(value, ACCOUNT_UNUSED_DAYS_MAX, &n) < 0)
			return mamori_err_set(err, MAMORI_EINVAL,
					      "未使用とみなす日数は 1〜%d の整数で指定してください (指定: %s)",
					      ACCOUNT_UNUSED_DAYS_MAX, value ? value : "");
		return account_set_unused_days(st, actor, n, err);
	}
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		if (!strcmp(key, keys[i]) || !strcmp(key, keys[i] + 5))
			k = keys[i];
	if (!k)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "設定項目「%s」はありません。logs.emergency_users, logs.hours, "
				      "logs.workdays, logs.burst_failures, logs.burst_seconds, "
				      "accounts.unused_days のどれかを指定してください",
				      key);
	if (!value)
		value = "";
	if (k == keys[0]) {
		/* "a, b ,c" → "a,b,c"; empty clears the list */
		for (const char *p = value; *p;) {
			const char *e = strpbrk(p, ",");
			size_t len = e ? (size_t)(e - p) : strlen(p);
			while (len && (*p == ' ' || *p == '\t'))
				p++, len--;
			while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
				len--;
			for (size_t i = 0; i < len; i++)
				if ((unsigned char)p[i] < 0x20 || p[i] == ' ') {
					strbuf_release(&norm);
					return mamori_err_set(err, MAMORI_EINVAL,
							      "緊急用アカウントのログイン ID に空白や制御文字は"
							      "使えません (「,」で区切ってください)");
				}
			if (len) {
				if (norm.len)
					strbuf_addch(&norm, ',');
				strbuf_add(&norm, p, len);
			}
			p = e ? e + 1 : p + strlen(p);
		}
	} else if (k == keys[1]) {
		int a, b;
		if ((r = logdetect_hours_parse(value, &a, &b, err)) < 0)
			return r;
		strbuf_addf(&norm, "%02d:%02d-%02d:%02d", a / 60, a % 60, b / 60, b % 60);
	} else if (k == keys[2]) {
		unsigned m;
		if ((r = logdetect_workdays_parse(value, &m, err)) < 0)
			return r;
		workdays_text(m, &norm);
	} else {
		int max = k == keys[3] ? LOGDETECT_BURST_FAILURES_MAX : LOGDETECT_BURST_SECONDS_MAX;
		if (parse_count(value, max, &n) < 0)
			return mamori_err_set(err, MAMORI_EINVAL, "%s は 1〜%d の整数で指定してください (指定: %s)",
					      k == keys[3] ? "ログイン失敗の回数" : "ログイン失敗を数える秒数",
					      max, value);
		strbuf_addf(&norm, "%d", n);
	}
	r = store_meta_get(st, k, &before, err);
	if (r == 0 && !(before && !strcmp(before, norm.buf)) && !(!before && !norm.len)) {
		r = store_meta_set(st, k, norm.buf, err);
		if (r == 0) {
			json_t *b = json_pack("{s:o}", k, jstr(before));
			json_t *a = json_pack("{s:s}", k, norm.buf);
			r = journal_append(st, actor, "log.settings", "settings", "logs", b, a, NULL, err);
			json_decref(b);
			json_decref(a);
		}
	}
	free(before);
	strbuf_release(&norm);
	return r;
}

/* ---- watch list ------------------------------------------------------------------------ */

static json_t *watch_row(struct store *st, struct store_stmt *s)
{
	return json_pack("{s:I, s:s, s:s, s:o, s:s, s:s}", "id", (json_int_t)store_column_int(st, s, 0),
			 "patient", store_column_text(st, s, 1), "reason", store_column_text(st, s, 2),
			 "note", jstr(store_column_text(st, s, 3)), "created",
			 store_column_text(st, s, 4), "created_by", store_column_text(st, s, 5));
}

int logdetect_watch_add(struct store *st, const char *actor, const char *patient,
			const char *reason, const char *note, int64_t *id, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	char now[MAMORI_TIME_LEN], idbuf[24];
	int64_t n = 0;
	int r;

	if (!patient || !*patient || strlen(patient) > LOG_FIELD_MAX)
		return mamori_err_set(err, MAMORI_EINVAL, "患者ID を 1〜%d バイトで指定してください",
				      LOG_FIELD_MAX);
	if (!reason || !*reason)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "見守る理由 (職員、VIP、本人申出 など) を指定してください");
	r = store_query_int(st, &n, err, "SELECT count(*) FROM log_watch WHERE patient = ?", patient,
			    NULL);
	if (r < 0)
		return r;
	if (n)
		return mamori_err_set(err, MAMORI_ECONFLICT, "患者ID %s はすでに登録されています", patient);
	mamori_now(now);
	r = store_prepare(st,
			  "INSERT INTO log_watch (patient, reason, note, created, created_by) "
			  "VALUES (?, ?, ?, ?, ?) RETURNING id",
			  &s, err);
	if (r < 0)
		return r;
	store_bind_text(st, s, 1, patient);
	store_bind_text(st, s, 2, reason);
	store_bind_text(st, s, 3, note && *note ? note : NULL);
	store_bind_text(st, s, 4, now);
	store_bind_text(st, s, 5, actor);
	r = store_step(st, s, err);
	if (r == 1) {
		n = store_column_int(st, s, 0);
		r = store_step(st, s, err);
	} else if (r == 0) {
		r = mamori_err_set(err, MAMORI_EDB, "患者ID %s を登録できませんでした", patient);
	}
	store_finalize(st, s);
	if (r < 0)
		return r;
	if (id)
		*id = n;
	json_t *after = json_pack("{s:s, s:s, s:o}", "patient", patient, "reason", reason, "note",
				  jstr(note && *note ? note : NULL));
	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)n);
	r = journal_append(st, actor, "log.watch_add", "log_watch", idbuf, NULL, after, NULL, err);
	json_decref(after);
	return r;
}

int logdetect_watch_remove(struct store *st, const char *actor, const char *patient,
			   struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	json_t *before = NULL;
	char idbuf[24];
	int64_t id = 0;
	int r;

	if (!patient || !*patient)
		return mamori_err_set(err, MAMORI_EINVAL, "患者ID を指定してください");
	if (patient[0] == '#') {
		r = store_prepare(st, "SELECT id, patient, reason, note, created, created_by FROM log_watch "
				      "WHERE id = ?", &s, err);
		if (r == 0)
			store_bind_int(st, s, 1, strtoll(patient + 1, NULL, 10));
	} else {
		r = store_prepare(st, "SELECT id, patient, reason, note, created, created_by FROM log_watch "
				      "WHERE patient = ?", &s, err);
		if (r == 0)
			store_bind_text(st, s, 1, patient);
	}
	if (r < 0)
		return r;
	r = store_step(st, s, err);
	if (r == 1) {
		id = store_column_int(st, s, 0);
		before = watch_row(st, s);
		r = 0;
	} else if (r == 0) {
		r = mamori_err_set(err, MAMORI_ENOTFOUND, "患者ID %s は登録されていません", patient);
	}
	store_finalize(st, s);
	if (r == 0) {
		snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
		r = store_query_int(st, &(int64_t){ 0 }, err, "DELETE FROM log_watch WHERE id = ?", idbuf,
				    NULL);
	}
	if (r == 0) {
		json_object_del(before, "id");
		r = journal_append(st, actor, "log.watch_remove", "log_watch", idbuf, before, NULL, NULL,
				   err);
	}
	json_decref(before);
	return r;
}

int logdetect_watch_list(struct store *st, json_t **out, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	json_t *list = json_array();
	char *sql = xasprintf("SELECT w.id, w.patient, w.reason, w.note, w.created, w.created_by, "
			      "(SELECT count(*) FROM log_alert a WHERE a.kind = 'watched_patient' "
			      "AND a.patient = w.patient) FROM log_watch w ORDER BY w.patient");
	int r = store_prepare(st, sql, &s, err);

	free(sql);
	*out = NULL;
	if (r < 0) {
		json_decref(list);
		return r;
	}
	while ((r = store_step(st, s, err)) == 1) {
		json_t *row = watch_row(st, s);
		json_object_set_new(row, "alerts", json_integer(store_column_int(st, s, 6)));
		json_array_append_new(list, row);
	}
	store_finalize(st, s);
	if (r < 0) {
		json_decref(list);
		return r;
	}
	*out = list;
	return 0;
}

/* ---- alerts ------------------------------------------------------------------------------ */

static const char alert_cols[] = "SELECT id, kind, severity, seq, at, user, patient, host, source, "
				 "detail, created, ack_by, ack_at FROM log_alert";

static json_t *alert_row(struct store *st, struct store_stmt *s)
{
	const char *kind = store_column_text(st, s, 1);
	int k = logdetect_kind_find(kind);

	return json_pack("{s:I, s:s, s:s, s:s, s:I, s:s, s:o, s:o, s:o, s:o, s:s, s:s, s:o, s:o}", "id",
			 (json_int_t)store_column_int(st, s, 0), "kind", kind, "kind_label",
			 k >= 0 ? kinds[k].label : kind, "severity", store_column_text(st, s, 2),
			 "seq", (json_int_t)store_column_int(st, s, 3), "at",
			 store_column_text(st, s, 4), "user", jstr(store_column_text(st, s, 5)),
			 "patient", jstr(store_column_text(st, s, 6)), "host",
			 jstr(store_column_text(st, s, 7)), "source",
			 jstr(store_column_text(st, s, 8)), "detail", store_column_text(st, s, 9),
			 "created", store_column_text(st, s, 10), "ack_by",
			 jstr(store_column_text(st, s, 11)), "ack_at",
			 jstr(store_column_text(st, s, 12)));
}

/*
 * A bound of the alert list → UTC text comparable with log_alert.at.
 * "2026-11-21", "2026-11-21 09:00[:00]" are local time (the server's TZ, as
 * the access-log search reads them); "…Z" and "…+09:00" are what they say.
 * -1 when unreadable.
 */
static int norm_time(const char *in, char out[TBUF])
{
	int y, mo, d, h = 0, mi = 0, sec = 0, n = 0, off = 0, local = 1;
	const char *p;
	struct tm tm = { 0 };
	time_t t;

	if (strlen(in) < 10 || sscanf(in, "%4d-%2d-%2d%n", &y, &mo, &d, &n) != 3 || n != 10 ||
	    mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	p = in + 10;
	if (*p) {
		if ((*p != 'T' && *p != ' ') || sscanf(p + 1, "%2d:%2d%n", &h, &mi, &n) != 2)
			return -1;
		p += 1 + n;
		if (*p == ':') {
			if (sscanf(p + 1, "%2d%n", &sec, &n) != 1)
				return -1;
			p += 1 + n;
		}
		if (*p == '.')
			for (p++; *p >= '0' && *p <= '9'; p++)
				;
		if (*p == 'Z' && !p[1]) {
			local = 0;
		} else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
			int oh, om;
			if (sscanf(p + 1, "%2d:%2d", &oh, &om) != 2 || oh > 23 || om > 59)
				return -1;
			off = (*p == '+' ? 1 : -1) * (oh * 3600 + om * 60);
			local = 0;
		} else if (*p) {
			return -1;
		}
		if (h > 23 || mi > 59 || sec > 60)
			return -1;
	}
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	tm.tm_isdst = -1;
	t = local ? mktime(&tm) : timegm(&tm) - off;
	if (!gmtime_r(&t, &tm))
		return -1;
	snprintf(out, TBUF, "%04d-%02d-%02dT%02d:%02d:%02d", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	return 0;
}

int logdetect_alerts(struct store *st, const struct logdetect_alert_query *q, json_t **out,
		     int64_t *total, struct mamori_err *err)
{
	struct strbuf where = STRBUF_INIT, sql = STRBUF_INIT;
	const char *params[8];
	char since[TBUF], until[TBUF];
	struct store_stmt *s = NULL;
	json_t *list = NULL;
	int np = 0, r = 0, k;

	*out = NULL;
	strbuf_addstr(&where, " WHERE 1 = 1");
	if (q->kind && *q->kind) {
		if ((k = logdetect_kind_find(q->kind)) < 0) {
			strbuf_release(&where);
			return mamori_err_set(err, MAMORI_EINVAL, "警告の種類「%s」はありません", q->kind);
		}
		strbuf_addstr(&where, " AND kind = ?");
		params[np++] = kinds[k].name;
	}
	if (q->severity && *q->severity) {
		if (strcmp(q->severity, "high") && strcmp(q->severity, "medium") &&
		    strcmp(q->severity, "low")) {
			strbuf_release(&where);
			return mamori_err_set(err, MAMORI_EINVAL,
					      "重要度「%s」はありません (high, medium, low)", q->severity);
		}
		strbuf_addstr(&where, " AND severity = ?");
		params[np++] = q->severity;
	}
	if (q->state == 1)
		strbuf_addstr(&where, " AND ack_at IS NULL");
	else if (q->state == 2)
		strbuf_addstr(&where, " AND ack_at IS NOT NULL");
	if (q->user && *q->user) {
		strbuf_addstr(&where, " AND user = ?");
		params[np++] = q->user;
	}
	if (q->patient && *q->patient) {
		strbuf_addstr(&where, " AND patient = ?");
		params[np++] = q->patient;
	}
	if (q->since && *q->since) {
		if (norm_time(q->since, since) < 0)
			goto bad_time;
		strbuf_addstr(&where, " AND at >= ?");
		params[np++] = since;
	}
	if (q->until && *q->until) {
		if (norm_time(q->until, until) < 0)
			goto bad_time;
		strbuf_addstr(&where, " AND at < ?");
		params[np++] = until;
	}
	if (total) {
		strbuf_addf(&sql, "SELECT count(*) FROM log_alert%s", where.buf);
		r = store_prepare(st, sql.buf, &s, err);
		for (int i = 0; r == 0 && i < np; i++)
			store_bind_text(st, s, i + 1, params[i]);
		if (r == 0 && (r = store_step(st, s, err)) == 1) {
			*total = store_column_int(st, s, 0);
			r = 0;
		}
		store_finalize(st, s);
		s = NULL;
		strbuf_reset(&sql);
	}
	if (r == 0) {
		strbuf_addf(&sql, "%s%s ORDER BY at DESC, id DESC", alert_cols, where.buf);
		if (q->limit > 0)
			strbuf_addf(&sql, " LIMIT %lld OFFSET %lld", (long long)q->limit,
				    (long long)(q->offset > 0 ? q->offset : 0));
		r = store_prepare(st, sql.buf, &s, err);
	}
	for (int i = 0; r == 0 && i < np; i++)
		store_bind_text(st, s, i + 1, params[i]);
	if (r == 0) {
		list = json_array();
		while ((r = store_step(st, s, err)) == 1)
			json_array_append_new(list, alert_row(st, s));
	}
	store_finalize(st, s);
	strbuf_release(&where);
	strbuf_release(&sql);
	if (r < 0) {
		json_decref(list);
		return r;
	}
	*out = list;
	return 0;
bad_time:
	strbuf_release(&where);
	return mamori_err_set(err, MAMORI_EINVAL,
			      "日時「%s」が読めません (2026-11-21 または 2026-11-21T09:00:00Z の形)",
			      q->since && norm_time(q->since, since) < 0 ? q->since : q->until);
}

int logdetect_alert_ack(struct store *st, const char *actor, int64_t id, const char *note,
			struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	char now[MAMORI_TIME_LEN], idbuf[24];
	json_t *row = NULL;
	int r;

	snprintf(idbuf, sizeof(idbuf), "%lld", (long long)id);
	r = store_prepare(st, "SELECT id, kind, severity, seq, at, user, patient, host, source, detail, "
			      "created, ack_by, ack_at FROM log_alert WHERE id = ?", &s, err);
	if (r < 0)
		return r;
	store_bind_int(st, s, 1, id);
	r = store_step(st, s, err);
	if (r == 1) {
		row = alert_row(st, s);
		r = 0;
	} else if (r == 0) {
		r = mamori_err_set(err, MAMORI_ENOTFOUND, "警告 #%lld はありません", (long long)id);
	}
	store_finalize(st, s);
	if (r < 0)
		return r;
	if (!json_is_null(json_object_get(row, "ack_at"))) {
		r = mamori_err_set(err, MAMORI_ECONFLICT, "警告 #%lld は %s が %s に確認済にしています",
				   (long long)id, json_string_value(json_object_get(row, "ack_by")),
				   json_string_value(json_object_get(row, "ack_at")));
		json_decref(row);
		return r;
	}
	mamori_now(now);
	r = store_prepare(st, "UPDATE log_alert SET ack_by = ?, ack_at = ? WHERE id = ? AND ack_at IS NULL",
			  &s, err);
	if (r == 0) {
		store_bind_text(st, s, 1, actor);
		store_bind_text(st, s, 2, now);
		store_bind_int(st, s, 3, id);
		r = store_step(st, s, err);
		store_finalize(st, s);
	}
	if (r >= 0) {
		json_t *b = json_pack("{s:s, s:n, s:n}", "kind", json_string_value(json_object_get(row, "kind")),
				      "ack_by", "ack_at");
		json_t *a = json_pack("{s:s, s:s, s:s, s:o}", "kind",
				      json_string_value(json_object_get(row, "kind")), "ack_by", actor,
				      "ack_at", now, "note", jstr(note && *note ? note : NULL));
		r = journal_append(st, actor, "log.alert_ack", "log_alert", idbuf, b, a, NULL, err);
		json_decref(b);
		json_decref(a);
	}
	json_decref(row);
	return r;
}

int logdetect_dashboard(struct store *st, int n, json_t **out, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	struct logdetect_alert_query q = { .state = 1, .limit = n > 0 ? n : 5 };
	json_t *by = json_array(), *newest = NULL;
	int64_t open = 0, total = 0, ko[LOGDETECT_NKINDS] = { 0 }, kt[LOGDETECT_NKINDS] = { 0 };
	int r;

	*out = NULL;
	r = store_prepare(st, "SELECT kind, count(*), sum(ack_at IS NULL) FROM log_alert GROUP BY kind",
			  &s, err);
	while (r == 0 && (r = store_step(st, s, err)) == 1) {
		int k = logdetect_kind_find(store_column_text(st, s, 0));
		if (k < 0)
			continue;
		kt[k] = store_column_int(st, s, 1);
		ko[k] = store_column_int(st, s, 2);
		r = 0;
	}
	store_finalize(st, s);
	if (r < 0) {
		json_decref(by);
		return r;
	}
	for (int k = 0; k < LOGDETECT_NKINDS; k++) {
		open += ko[k];
		total += kt[k];
		json_array_append_new(by, json_pack("{s:s, s:s, s:s, s:I, s:I}", "kind", kinds[k].name,
						    "label", kinds[k].label, "severity",
						    kinds[k].severity, "open", (json_int_t)ko[k],
						    "total", (json_int_t)kt[k]));
	}
	r = logdetect_alerts(st, &q, &newest, NULL, err);
	if (r < 0) {
		json_decref(by);
		return r;
	}
	*out = json_pack("{s:I, s:I, s:o, s:o, s:s}", "open", (json_int_t)open, "total",
			 (json_int_t)total, "by_kind", by, "newest", newest, "href", "#/logalerts");
	return 0;
}
