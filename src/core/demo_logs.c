/*
 * demo_logs.c - the demo hospital's access logs: a few working days of
 * electronic-medical-record audit events, server log-ins and Windows
 * log-ons, received and stored exactly as real ones are (syslog parsing,
 * the built-in field rules, the vault, the detections), with the incidents
 * an officer should be shown: an emergency account used, a retired nurse's
 * account logging in, access at night, a burst of failed log-ins and a
 * staff member's own record opened (demo.h).
 *
 * Times are the server's local working hours of the last five weekdays, so
 * that the detections judge them as a hospital would whatever TZ is set.
 * The events are generated from a fixed seed.
 */
#include "common.h"

#include <time.h>

#include "demo.h"
#include "logdetect.h"
#include "logevent.h"
#include "logfield.h"
#include "logstore.h"
#include "store.h"
#include "strbuf.h"

#define WATCHED_PATIENT "0000012345"

struct demo_msg {
	int64_t t;        /* Unix seconds */
	const char *peer; /* the sender */
	char *text;       /* RFC 5424 (or not, for the malformed one) */
};

struct demo_list {
	struct demo_msg *v;
	size_t n, cap;
};

static uint64_t seed = 0x6c6f67736d616dULL;

static unsigned rnd(unsigned n)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (unsigned)(seed % n);
}

static void add(struct demo_list *l, int64_t t, const char *peer, char *text)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 1024;
		l->v = xrealloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n++] = (struct demo_msg){ t, peer, text };
}

/* "2026-11-20T00:30:00Z" of Unix time t. */
static void stamp(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void ehr(struct demo_list *l, int64_t t, const char *user, const char *patient,
		const char *action, const char *terminal)
{
	char ts[32];

	stamp(t, ts);
	add(l, t, "10.1.0.10",
	    xasprintf("<110>1 %s ehr-ap01 EHR 2001 AUDIT [ehrAudit@32473 user=\"%s\" patient=\"%s\" "
		      "action=\"%s\" result=\"success\" terminal=\"%s\"] 診療録 %s",
		      ts, user, patient, action, terminal, action));
}

static void sshd(struct demo_list *l, int64_t t, bool ok, const char *user, const char *from)
{
	char ts[32];

	stamp(t, ts);
	add(l, t, "10.1.0.11",
	    xasprintf("<86>1 %s ehr-db01 sshd 812 - - %s password for %s from %s port %u ssh2", ts,
		      ok ? "Accepted" : "Failed", user, from, 40000 + rnd(20000)));
}

static void logon(struct demo_list *l, int64_t t, const char *user, const char *ip,
		  const char *ws)
{
	char ts[32];

	stamp(t, ts);
	add(l, t, "10.1.0.12",
	    xasprintf("<110>1 %s EHR-SV01 Microsoft-Windows-Security-Auditing - - "
		      "[NXLOG@14506 EventID=\"4624\" TargetUserName=\"%s\" IpAddress=\"%s\" "
		      "WorkstationName=\"%s\" LogonType=\"10\"] An account was successfully logged on.",
		      ts, user, ip, ws));
}

/* Local midnight of the day `back` days before today. */
static int64_t day_start(time_t now, int back, int *wday)
{
	struct tm tm;

	localtime_r(&now, &tm);
	tm.tm_mday -= back;
	tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
	tm.tm_isdst = -1;
	now = mktime(&tm);
	localtime_r(&now, &tm);
	*wday = tm.tm_wday;
	return (int64_t)now;
}

static int cmp_msg(const void *a, const void *b)
{
	const struct demo_msg *x = a, *y = b;

	return x->t < y->t ? -1 : x->t > y->t;
}

/* The messages of the last five weekdays (the newest day first in days[]). */
static void generate(struct demo_list *l)
{
	static const char *const actions[] = { "view", "view", "view", "view", "update", "update",
					       "print", "view", "view", "create" };
	time_t now = time(NULL);
	int64_t days[5];
	int nd = 0;

	for (int back = 1; nd < 5 && back < 14; back++) {
		int wday;
		int64_t d = day_start(now, back, &wday);

		if (wday != 0 && wday != 6)
			days[nd++] = d;
	}
	for (int i = 0; i < nd; i++) {
		int64_t d = days[i];

		/* the EHR's audit trail: 26 staff, 400 patients, 08:30-18:30 */
		for (int k = 0; k < 320; k++) {
			char user[16], patient[16], terminal[16];
			unsigned u = rnd(26);

			snprintf(user, sizeof(user), "u%04u", 100 + u * 7);
			snprintf(patient, sizeof(patient), "00001%05u", 20000 + rnd(400));
			snprintf(terminal, sizeof(terminal), "WS-%02u-%03u", 1 + u % 9, 1 + rnd(40));
			ehr(l, d + 8 * 3600 + 1800 + rnd(10 * 3600), user, patient,
			    actions[rnd(ARRAY_SIZE(actions))], terminal);
		}
		/* the administrator on the database server each morning */
		sshd(l, d + 9 * 3600 + 300 + rnd(600), true, "ehr-admin", "10.1.0.15");
	}
	if (nd < 2)
		return;
	/* the newest day: the emergency account used on the EHR server, and
	 * a burst of failed log-ins on the database server */
	logon(l, days[0] + 10 * 3600 + 20 * 60, "ehr-emergency", "10.1.2.30", "WS-ER-001");
	for (int k = 0; k < 12; k++)
		sshd(l, days[0] + 13 * 3600 + k * 2, false, "root", "10.9.9.9");
	/* the day before: a retired nurse's account logs on, a record opened
	 * at night, a staff member's own record opened */
	logon(l, days[1] + 14 * 3600 + 5 * 60, "n-sasaki", "10.1.5.23", "WS-5F-003");
	ehr(l, days[1] + 23 * 3600 + 40 * 60, "u0107", "0000120033", "view", "WS-02-011");
	ehr(l, days[1] + 11 * 3600 + 12 * 60, "u0135", WATCHED_PATIENT, "view", "WS-06-004");
	/* and a line that is no syslog at all (kept, flagged) */
	add(l, days[1] + 15 * 3600, "10.1.0.13", xstrdup("RECEPTION-PC: printer queue stalled"));
	qsort(l->v, l->n, sizeof(*l->v), cmp_msg);
}

int demo_logs_fill(struct store *st, const char *vault_dir, const char *actor, uint64_t *count,
		   struct mamori_err *err)
{
	struct demo_list l = { 0 };
	struct logstore *ls = NULL;
	struct logfield_rules *rules = NULL;
	struct logdetect *det = NULL;
	struct log_event ev;
	int64_t wid;
	int r;

	log_event_init(&ev);
	*count = 0;
	if ((r = store_begin(st, err)) < 0)
		return r;
	r = logdetect_watch_add(st, actor, WATCHED_PATIENT, "職員", "デモ: 職員 (看護部) が患者として受診",
				&wid, err);
	if (r < 0) {
		store_rollback(st);
		return r;
	}
	if ((r = store_commit(st, err)) < 0 || (r = logfield_rules_builtin(&rules, err)) < 0 ||
	    (r = logdetect_open(&det, st, err)) < 0 ||
	    (r = logstore_open(&ls, vault_dir, LOGSTORE_CREATE, err)) < 0)
		goto out;
	generate(&l);
	for (size_t i = 0; i < l.n; i++) {
		struct log_event *p = &ev;
		uint64_t seq;

		logfield_event_from_syslog(rules, &ev, l.v[i].text, strlen(l.v[i].text), LOG_VIA_TCP,
					   l.v[i].peer, (l.v[i].t + 1) * 1000000);
		if ((r = logstore_append(ls, &p, 1, &seq, err)) < 0)
			goto out;
		logdetect_event(det, seq, &ev);
	}
	if ((r = logstore_commit(ls, err)) < 0 || (r = logdetect_flush(det, st, err)) < 0 ||
	    (r = logstore_checkpoint(ls, NULL, err)) < 0)
		goto out;
	*count = logstore_size(ls);
out:
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i].text);
	free(l.v);
	log_event_release(&ev);
	logstore_close(ls);
	logdetect_free(det);
	logfield_rules_free(rules);
	return r;
}
