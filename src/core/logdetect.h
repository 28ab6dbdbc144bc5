/*
 * logdetect.h - detections of the access-log vault: rules evaluated on
 * every event as it is ingested, raising alerts that go to the dashboard,
 * the journal and the table log_alert (migration 8,
 * docs/internals/logdetect.md).
 *
 * Rules (kinds), each with a fixed severity:
 *   emergency_use    (high)   an event by an emergency (非常時用) account:
 *                             every successful log-in, and any other event
 *                             once per user and day.  Emergency accounts are
 *                             the inventory's accounts of kind emergency
 *                             (account.h, emergency.h) plus the configured
 *                             list logs.emergency_users (for sites without
 *                             an inventory).
 *   retired_login    (high)   a successful log-in by an account whose holder
 *                             has retired (every inventory row of that login
 *                             says so); once per user and day.
 *   unused_login     (medium) a successful log-in by an account whose last
 *                             use (last_used_on, else created_on, else the
 *                             last log-in seen here) is more than
 *                             accounts.unused_days (default 90) days before
 *                             the event; emergency accounts are exempt.  The
 *                             log-in counts as a use: the next one does not
 *                             alert again.
 *   off_hours        (low)    an event by a user (not a failure) outside
 *                             logs.hours ("08:00-19:00": from the start,
 *                             inclusive, to the end, exclusive; a start after
 *                             the end spans midnight) on logs.workdays
 *                             ("mon-fri"), in local time (the server's TZ);
 *                             once per user and day.
 *   failed_burst     (high)   logs.burst_failures (10) failed log-ins from
 *                             one source (the event's source, else its host)
 *                             within less than logs.burst_seconds (60)
 *                             seconds; then quiet for that source for one
 *                             window (burst_seconds).
 *   watched_patient  (medium) an event naming a patient of the watch list
 *                             (table log_watch: 職員, VIP, 本人申出 …); once
 *                             per user, patient and day.
 *
 * The event time is the message's, else the receipt time; "day" is the
 * local date of that time.  Events flagged LOG_F_DUPLICATE are ignored.
 * Logins are compared ASCII case-insensitively.
 *
 * Speed and memory: logdetect_event() does hash look-ups only (no SQL, no
 * allocation unless it raises an alert) and keeps its state in bounded
 * tables (dedup keys per day, failure times per source) that are pruned
 * and, past their caps, cleared: a flood can at worst repeat an alert, never
 * exhaust memory.  Queued alerts are capped (LOGDETECT_QUEUE_MAX); alerts
 * past the cap are counted and the count journaled by the next flush.
 *
 * Threads: a struct logdetect belongs to one thread (the vault's writer).
 * The store functions below (settings, watch list, alerts) may be called
 * from any thread with its own store handle.
 */
#ifndef MAMORI_LOGDETECT_H
#define MAMORI_LOGDETECT_H

#include <jansson.h>
#include <stdint.h>

struct log_event;
struct mamori_err;
struct store;
struct logdetect;

#define LOGDETECT_ACTOR "mamori-log"
#define LOGDETECT_QUEUE_MAX 65536

enum logdetect_kind {
	LOGDETECT_EMERGENCY_USE,
	LOGDETECT_RETIRED_LOGIN,
	LOGDETECT_UNUSED_LOGIN,
	LOGDETECT_OFF_HOURS,
	LOGDETECT_FAILED_BURST,
	LOGDETECT_WATCHED_PATIENT,
	LOGDETECT_NKINDS,
};

/* "emergency_use" …; the Japanese name (緊急用アカウントの使用 …); the severity
 * ("high", "medium", "low").  kind must be valid. */
const char *logdetect_kind_name(enum logdetect_kind kind);
const char *logdetect_kind_label(enum logdetect_kind kind);
const char *logdetect_kind_severity(enum logdetect_kind kind);
/* The kind named name (English or Japanese), -1 when none. */
int logdetect_kind_find(const char *name);

/* ---- the detector ----------------------------------------------------------- */

/* Loads the settings, the account registry and the watch list from st. */
int logdetect_open(struct logdetect **out, struct store *st, struct mamori_err *err);
/*
 * Reloads them (the server may call it every minute or so; logdetect_flush()
 * also does, see there).  The dedup and burst state and the last log-ins
 * seen are kept.  On error the previous configuration stays in force.
 */
int logdetect_reload(struct logdetect *d, struct store *st, struct mamori_err *err);

#define LOGDETECT_RELOAD_SECONDS 60
/* Seconds between the reloads logdetect_flush() makes by itself (default
 * LOGDETECT_RELOAD_SECONDS; 0: at every flush; < 0: never). */
void logdetect_set_reload_interval(struct logdetect *d, int seconds);
void logdetect_free(struct logdetect *d);

/* Evaluates the rules on ev (stored with vault sequence number seq) and
 * queues the alerts it raises.  Never fails. */
void logdetect_event(struct logdetect *d, uint64_t seq, const struct log_event *ev);

/* Alerts queued and not yet flushed. */
size_t logdetect_pending(const struct logdetect *d);

/*
 * Writes the queued alerts to log_alert, each with its journal entry
 * (actor "mamori-log", action "log.alert"), in one transaction of its own
 * (st must not be in one).  On error nothing is written and the alerts stay
 * queued for the next flush.  First, when the last reload is older than the
 * reload interval, reloads the configuration (its failure is ignored: the
 * old one stays), so that a writer which flushes after each commit sees
 * changed settings, accounts and watch list within about a minute even if
 * it never calls logdetect_reload() itself.
 */
int logdetect_flush(struct logdetect *d, struct store *st, struct mamori_err *err);

/* ---- settings (the store's meta, journaled as "log.settings") ---------------- */

#define LOGDETECT_META_EMERGENCY_USERS "logs.emergency_users"
#define LOGDETECT_META_HOURS "logs.hours"
#define LOGDETECT_META_WORKDAYS "logs.workdays"
#define LOGDETECT_META_BURST_FAILURES "logs.burst_failures"
#define LOGDETECT_META_BURST_SECONDS "logs.burst_seconds"
#define LOGDETECT_HOURS_DEFAULT "08:00-19:00"
#define LOGDETECT_WORKDAYS_DEFAULT "mon-fri"
#define LOGDETECT_BURST_FAILURES_DEFAULT 10
#define LOGDETECT_BURST_FAILURES_MAX 1000
#define LOGDETECT_BURST_SECONDS_DEFAULT 60
#define LOGDETECT_BURST_SECONDS_MAX 86400

/*
 * {"logs.emergency_users": "a,b", "logs.hours", "logs.workdays",
 *  "logs.burst_failures": n, "logs.burst_seconds": n,
 *  "accounts.unused_days": n}; new reference in *out.
 */
int logdetect_settings_json(struct store *st, json_t **out, struct mamori_err *err);

/*
 * Sets one key (the names above, also without "logs."; and
 * accounts.unused_days, which account.h owns) after checking value:
 * MAMORI_EINVAL with a Japanese reason when the key is unknown or the value
 * does not fit.  Values are stored normalised ("8:00-19:00" →
 * "08:00-19:00", "Mon - Fri" → "mon-fri").  Journaled when changed; in a
 * transaction.
 */
int logdetect_setting_set(struct store *st, const char *actor, const char *key,
			  const char *value, struct mamori_err *err);

/*
 * Parses logs.hours: start and end in minutes of the day (end may be 1440
 * for 24:00).  Parses logs.workdays ("mon-fri", "sat,sun", "mon-wed,fri",
 * "月-金") into a mask with bit 0 Sunday … bit 6 Saturday.  MAMORI_EINVAL
 * with a Japanese reason.
 */
int logdetect_hours_parse(const char *s, int *start, int *end, struct mamori_err *err);
int logdetect_workdays_parse(const char *s, unsigned *mask, struct mamori_err *err);

/* ---- the watch list (table log_watch, journaled) ------------------------------- */

/* Adds patient (1..256 bytes) with a reason (required); MAMORI_ECONFLICT when
 * already watched.  In a transaction. */
int logdetect_watch_add(struct store *st, const char *actor, const char *patient,
			const char *reason, const char *note, int64_t *id,
			struct mamori_err *err);
/* Removes patient (or "#ID"); MAMORI_ENOTFOUND when not watched.  In a transaction. */
int logdetect_watch_remove(struct store *st, const char *actor, const char *patient,
			   struct mamori_err *err);
/* [{id, patient, reason, note, created, created_by, alerts}], by patient. */
int logdetect_watch_list(struct store *st, json_t **out, struct mamori_err *err);

/* ---- alerts ------------------------------------------------------------------ */

struct logdetect_alert_query {
	const char *kind;     /* name or label; NULL: any */
	const char *severity; /* NULL: any */
	int state;            /* 0 all, 1 open (未確認), 2 acknowledged */
	const char *user;     /* exact; NULL: any */
	const char *patient;  /* exact; NULL: any */
	const char *since;    /* on at: YYYY-MM-DD[ hh:mm[:ss]] local time (the
				 server's TZ), or RFC 3339 with Z or an offset;
				 NULL: any */
	const char *until;    /* the same, exclusive; NULL: any */
	int64_t limit;        /* 0: all */
	int64_t offset;
};

/*
 * The alerts matching q, newest first, as [{id, kind, kind_label, severity,
 * seq, at, user, patient, host, source, detail, created, ack_by, ack_at}]
 * in *out and their number (limit ignored) in *total (may be NULL).
 * MAMORI_EINVAL for an unknown kind, severity or a bad time.
 */
int logdetect_alerts(struct store *st, const struct logdetect_alert_query *q, json_t **out,
		     int64_t *total, struct mamori_err *err);

/* Marks alert id as confirmed (確認済) by actor, journaled as "log.alert_ack"
 * with the note (may be NULL).  MAMORI_ENOTFOUND; MAMORI_ECONFLICT when it
 * already was.  In a transaction. */
int logdetect_alert_ack(struct store *st, const char *actor, int64_t id, const char *note,
			struct mamori_err *err);

/*
 * The dashboard's "logs" block: {"open", "total", "by_kind": [{kind, label,
 * severity, open, total}], "newest": [up to n open alerts, newest first]};
 * new reference in *out.
 */
int logdetect_dashboard(struct store *st, int n, json_t **out, struct mamori_err *err);

#endif
