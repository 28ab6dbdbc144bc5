/*
 * incident.h - incidents (and drills of them): triage, action cards ticked
 * with who and when, notifications and reports to the authorities,
 * in-hospital announcements with their timers, return to normal, 事後検証,
 * the management report and its approval, close.
 *
 * State:
 *
 *     open ──recover──▶ recovered ──close──▶ closed (read-only)
 *
 * close needs a 事後検証 (causes and measures), the management report's
 * approval (who, when), and every emergency account used in the incident
 * disabled or its credentials rotated after the use (emergency.h).
 *
 * Timeline: every change of an incident appends one event to its timeline
 * (incident_event), hash-chained per incident exactly like the journal
 * (journal_entry_hash() over seq, time, actor, kind as the action,
 * "incident" and the incident id as the entity, the body as "after"); the
 * incident row keeps the head (timeline_seq, timeline_hash) so that deleting
 * the newest events is detected too.  Actions, notifications and
 * announcements are read back from the timeline: it is the record.  Each
 * change is also journaled (journal.h) in the same transaction.
 *
 * All write functions must run inside a store transaction.  Times given by
 * people ("2026-11-21 09:05", RFC 3339) are normalised to UTC RFC 3339 by
 * incident_time_norm(); NULL means now.
 */
#ifndef MAMORI_INCIDENT_H
#define MAMORI_INCIDENT_H

#include <jansson.h>
#include <stdint.h>

#include "common.h"
#include "triage.h"

struct store;

struct incident_open_args {
	const char *title;
	enum triage_category category;
	json_t *answers;         /* triage.h; not consumed */
	int level;               /* 1..5, or 0 for the proposed level */
	int drill;               /* a drill (訓練), not a real incident */
	const char *detected_at; /* NULL: now */
};

/* Opens an incident; its id in *id. */
int incident_open(struct store *st, const char *actor, const struct incident_open_args *a,
		  int64_t *id, struct mamori_err *err);

/* Finds an incident by "#12" or "12"; MAMORI_ENOTFOUND when none. */
int incident_find(struct store *st, const char *key, int64_t *id, struct mamori_err *err);

/* Triage again: answers (NULL: keep) and level (0: the proposed one). */
int incident_triage(struct store *st, const char *actor, int64_t id, json_t *answers, int level,
		    struct mamori_err *err);

/*
 * Ticks (done 1) or unticks (0) the action card key (triage.h), by whom
 * (NULL: actor) and when (NULL: now), with an optional note.
 */
int incident_act(struct store *st, const char *actor, int64_t id, const char *key, int done,
		 const char *by, const char *at, const char *note, struct mamori_err *err);

/* A free note in the timeline. */
int incident_note(struct store *st, const char *actor, int64_t id, const char *text,
		  struct mamori_err *err);

/* Authorities a report can be drafted for. */
#define INCIDENT_AUTHORITIES "mhlw|police|prefecture|management"
const char *incident_authority_label(const char *authority);

struct incident_notice {
	const char *to;        /* whom (a contact's role or name, free text) */
	const char *channel;   /* 電話, メール, 対面 … (may be NULL) */
	const char *by;        /* NULL: actor */
	const char *at;        /* NULL: now */
	const char *authority; /* INCIDENT_AUTHORITIES for a report, else NULL */
	const char *text;      /* what was said or sent (a report's text) */
};

/* Records a notification made (or a report sent to an authority). */
int incident_notify(struct store *st, const char *actor, int64_t id,
		    const struct incident_notice *n, struct mamori_err *err);

/*
 * The draft of a report to authority (INCIDENT_AUTHORITIES), with the
 * facts the report needs filled from the record; *text malloc'd.
 */
int incident_report_draft(struct store *st, int64_t id, const char *authority, char **text,
			  struct mamori_err *err);

/* 院内放送: "1" … "5". */
#define INCIDENT_ANNOUNCEMENTS 5
struct incident_announcement_def {
	const char *code;
	const char *title;   /* 院内放送 (1) */
	const char *timing;  /* 障害連絡発生から30分以内 … */
	int due_minutes;     /* after detection; 0: on recovery */
	const char *text;    /* the shipped draft */
	const char *source;  /* seed / mamori */
};
const struct incident_announcement_def *incident_announcement_def(const char *code);
const struct incident_announcement_def *incident_announcement_get(size_t i);

/*
 * The templates: [{code, title, timing, text, default_text, source,
 * customized}] (the hospital's wording when stored, else the draft).
 */
int incident_templates(struct store *st, json_t **out, struct mamori_err *err);
/* Stores the hospital's wording of code (text NULL or "": back to the draft). */
int incident_template_set(struct store *st, const char *actor, const char *code, const char *text,
			  struct mamori_err *err);

/* Records an announcement made: code, its text (NULL: the template), by, at. */
int incident_announce(struct store *st, const char *actor, int64_t id, const char *code,
		      const char *text, const char *by, const char *at, struct mamori_err *err);

/* Return to normal operation (正常復帰) at at (NULL: now). */
int incident_recover(struct store *st, const char *actor, int64_t id, const char *at,
		     struct mamori_err *err);

/* The 事後検証: causes and measures are required. */
int incident_review(struct store *st, const char *actor, int64_t id, const char *causes,
		    const char *measures, const char *summary, struct mamori_err *err);

/* Approval of the management report by approver at at (needs the review). */
int incident_approve(struct store *st, const char *actor, int64_t id, const char *approver,
		     const char *at, struct mamori_err *err);

/*
 * Closes; MAMORI_ECONFLICT naming everything still missing (recovery,
 * review, approval, each emergency account used and not yet disabled or
 * rotated).
 */
int incident_close(struct store *st, const char *actor, int64_t id, struct mamori_err *err);

/*
 * The whole record: {incident, actions, devices, notifications,
 * announcements, emergency_uses, timeline, close_blockers, can_close}.
 * now (RFC 3339, NULL: now) decides which announcement is due.
 */
int incident_view(struct store *st, int64_t id, const char *now, json_t **out,
		  struct mamori_err *err);

/* All incidents, newest first: [{id, title, category, level, status, drill, …}]. */
int incident_list(struct store *st, json_t **out, struct mamori_err *err);

/*
 * Checks the timeline of incident id (0: of every incident).  0 when
 * intact; MAMORI_ECHECK naming the first incident and event that was
 * modified, deleted, inserted or reordered (*bad_id, *bad_seq set).
 */
int incident_verify(struct store *st, int64_t id, int64_t *checked, int64_t *bad_id,
		    int64_t *bad_seq, struct mamori_err *err);

/* The management report (経営層への報告書) as a PDF at path. */
int incident_report_pdf(struct store *st, int64_t id, const char *path, struct mamori_err *err);

/*
 * Appends an event of kind with body (not consumed) to the timeline of
 * incident id and updates its head; for emergency.c.  The incident must
 * not be closed (MAMORI_ECONFLICT).
 */
int incident_event_append(struct store *st, const char *actor, int64_t id, const char *kind,
			  json_t *body, struct mamori_err *err);

/*
 * A time as people write it (2026-11-21 09:05 in local time, 2026-11-21T00:05:00Z,
 * …+09:00) → UTC RFC 3339 in out; NULL or "" → now.
 */
int incident_time_norm(const char *in, char out[MAMORI_TIME_LEN], struct mamori_err *err);

/* Japanese label of a status: 対応中, 正常復帰, 終了. */
const char *incident_status_label(const char *status);

#endif
