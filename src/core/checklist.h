/*
 * checklist.h - answering the MHLW cybersecurity checklist.
 *
 * The editions themselves are data (checklist_catalog.h): the files shipped
 * in the binary plus editions imported at run time (kept in the store as
 * their JSON).  This module keeps what a facility does with them:
 *
 *   - A sheet is one filled-in form for one fiscal year: the facility's own
 *     医療機関確認用 / 薬局確認用 / 医療機関・薬局確認用 (status "open"), or one
 *     事業者確認用 per contracted vendor, which walks
 *
 *         requested (依頼済) ──vendor submits──▶ answered (回答済)
 *             ▲                                    │
 *             └────────── returned (差し戻し) ◀────┤
 *                                                  ▼
 *                                            reviewed (確認済) ──reopen──▶ requested
 *
 *     The vendor answers in its own account while the sheet is requested;
 *     the hospital reviews.  A reviewed sheet is read-only until reopened.
 *   - An answer is per item and round (1回目, 2回目, 3回目): はい / いいえ, the
 *     確認日, a 目標日 that is required for いいえ and must fall within the
 *     fiscal year (4月1日 to 3月31日), a note and evidence links.  When the
 *     gate item (医療情報システムを導入、運用している。) is answered いいえ in a
 *     round, the other items of that round are 確認不要 and cannot be
 *     answered.  Items with needed_without_vendor_contract = false are 記入不要
 *     when the facility has no vendor contract.
 *   - The officer can record the official wording of an item whose wording
 *     the catalog does not confirm (文言未確認), with its source.
 *
 * Every change is journaled (entity "checklist", "checklist_wording",
 * "checklist_edition").  Write functions run inside a store transaction.
 * Item ids are the catalog's (docs/internals/checklist-format.md); answers
 * are stored against them, so an edition's ids never change.
 */
#ifndef MAMORI_CHECKLIST_H
#define MAMORI_CHECKLIST_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "checklist_catalog.h"

struct mamori_err;
struct store;

#define CHECKLIST_ROUNDS 3
#define CHECKLIST_NOTE_MAX 2000   /* bytes in an answer note */
#define CHECKLIST_LINKS_MAX 20    /* evidence links per answer */
#define CHECKLIST_LINK_MAX 500    /* bytes in one link */

/*
 * The catalog a store sees: the shipped editions followed by those imported
 * into the store.  Loaded per call (cheap: a few small JSON files).
 * Release with checklist_catalog_release().
 */
int checklist_catalog_open(struct store *st, struct checklist_catalog *cat,
			   struct mamori_err *err);

/* The edition of that id ("r7") and form, or NULL. */
const struct checklist_edition *checklist_catalog_find(const struct checklist_catalog *cat,
						       const char *edition,
						       enum checklist_form form);

/*
 * The edition for a fiscal year and form: the one whose fiscal_year is fy,
 * else the newest older one (a checklist is answered on the last published
 * form until a new one appears).  For the facility forms a merged
 * iryo_yakkyoku edition serves iryo and yakkyoku when no separate form
 * exists for that year.  NULL when none.
 */
const struct checklist_edition *checklist_catalog_for_year(const struct checklist_catalog *cat,
							   int fy, enum checklist_form form);

/* Parses "iryo" … or 医療機関確認用 …; -1 when unknown. */
int checklist_form_parse(const char *s);

/* The fiscal year (年度) of a "YYYY-MM-DD" date: April starts a year. */
int checklist_fiscal_year(const char *date);

/* The facility's own form by facility type: pharmacy → yakkyoku, else iryo. */
enum checklist_form checklist_facility_form(const char *facility_type);

/*
 * Opens (creates, or finds) the facility's own sheet for fiscal year fy on
 * form (the edition from checklist_catalog_for_year() unless edition is
 * given).  *id receives the sheet id; *created (may be NULL) 1 when new.
 * MAMORI_ENOTFOUND when no edition fits, MAMORI_EINVAL for a jigyosha form
 * (vendor sheets come from checklist_vendor_request()).
 */
int checklist_sheet_open(struct store *st, const char *actor,
			 const struct checklist_catalog *cat, int fy, enum checklist_form form,
			 const char *edition, int64_t *id, int *created, struct mamori_err *err);

/*
 * Requests a 事業者確認用 from a vendor for fiscal year fy (status
 * requested).  The vendor must have a contract (MAMORI_ECONFLICT otherwise,
 * since without one the form is not needed).  An existing sheet for that
 * vendor and year is MAMORI_ECONFLICT.
 */
int checklist_vendor_request(struct store *st, const char *actor,
			     const struct checklist_catalog *cat, int fy, int64_t vendor_id,
			     const char *edition, int64_t *id, struct mamori_err *err);

/*
 * The vendor hands its answers in: requested → answered.  Every item the
 * vendor must answer needs a 1回目 answer (MAMORI_EINVAL naming the first
 * missing ones otherwise).  vendor_id != 0 (a vendor account) limits it to
 * that vendor's own sheet (MAMORI_ENOTFOUND otherwise); 0 is the hospital
 * recording a paper answer.
 */
int checklist_vendor_submit(struct store *st, const char *actor,
			    const struct checklist_catalog *cat, int64_t sheet_id,
			    int64_t vendor_id, struct mamori_err *err);

/*
 * The hospital reviews an answered sheet: accept → reviewed; otherwise
 * back to requested (差し戻し, recorded as requested again, now) with note
 * saying why (required then).
 * reopen: reviewed → requested.  Wrong state: MAMORI_ECONFLICT.
 */
enum checklist_review { CHECKLIST_ACCEPT, CHECKLIST_RETURN, CHECKLIST_REOPEN };
int checklist_vendor_review(struct store *st, const char *actor, int64_t sheet_id,
			    enum checklist_review what, const char *note,
			    struct mamori_err *err);

/* An answer as given by a user; strings may be NULL. */
struct checklist_answer_in {
	bool yes;
	const char *confirmed_on; /* YYYY-MM-DD; NULL = today */
	const char *target_on;    /* YYYY-MM-DD; required when !yes */
	const char *note;
	const char *const *links; /* "device:12", "document:3", "system:2", "vendor:1", https://… */
	size_t nr_links;
};

/*
 * Sets the answer to item_id in round (1..CHECKLIST_ROUNDS) of a sheet.
 * vendor_id != 0 restricts the change to that vendor's own sheet while it
 * is requested (a vendor account); 0 is the hospital, which may answer its
 * own sheets and vendor sheets that are not reviewed.  Errors
 * (MAMORI_EINVAL, message naming the field): unknown item, round, dates
 * that are not dates, 確認日 in the future, 目標日 missing for いいえ or
 * outside the fiscal year, a note or link too long or a link of unknown
 * form, the round skipped by the gate.  MAMORI_ECONFLICT: the sheet's state
 * does not allow answers.
 */
int checklist_answer_set(struct store *st, const char *actor,
			 const struct checklist_catalog *cat, int64_t sheet_id, int64_t vendor_id,
			 const char *item_id, int round, const struct checklist_answer_in *in,
			 struct mamori_err *err);

/* Removes an answer (same rights as checklist_answer_set); absent is fine. */
int checklist_answer_clear(struct store *st, const char *actor,
			   const struct checklist_catalog *cat, int64_t sheet_id,
			   int64_t vendor_id, const char *item_id, int round,
			   struct mamori_err *err);

/*
 * Records the official wording of an item (from the MHLW form) with its
 * source (file name, page).  Replaces an earlier entry; both journaled.
 */
int checklist_wording_set(struct store *st, const char *actor,
			  const struct checklist_catalog *cat, const char *item_id,
			  const char *wording, const char *source, struct mamori_err *err);

/*
 * Imports an edition file (mamori-checklist-1 JSON in buf[0..len)) into the
 * store, all or nothing.  The file is validated as the shipped ones are,
 * plus: its (edition, form) must not be a shipped one (MAMORI_ECONFLICT),
 * its item ids must not collide with another edition's.  An edition
 * imported earlier with the same (edition, form) is replaced (journaled
 * with both hashes).  source_file / source_sha256 (may be NULL) say where
 * it came from (an official workbook).  *name receives "<edition>-<form>"
 * (malloc'd; may be NULL).
 */
int checklist_edition_import(struct store *st, const char *actor, const char *buf, size_t len,
			     const char *source_file, const char *source_sha256, char **name,
			     struct checklist_problems *problems, struct mamori_err *err);

/*
 * The sheets of the facility (fy 0: every year; vendor_id != 0: only that
 * vendor's), newest year first, each
 *   { id, fiscal_year, edition, form, form_label, vendor_id, vendor_name,
 *     status, status_label, requested_at … reviewed_by, review_note,
 *     progress: { items, needed, answered (round 1), yes, no, overdue } }
 */
int checklist_sheets_json(struct store *st, const struct checklist_catalog *cat, int fy,
			  int64_t vendor_id, const char *today, json_t **out,
			  struct mamori_err *err);

/* Sheet id for (fy, form, vendor_id or 0); 0 in *id when none. */
int checklist_sheet_find(struct store *st, int fy, enum checklist_form form, int64_t vendor_id,
			 int64_t *id, struct mamori_err *err);

/*
 * Everything about one sheet, as the UI and the exports show it:
 *   { sheet: {as in checklist_sheets_json},
 *     edition: { edition, fiscal_year, title, form, form_label, published,
 *                items_complete, note, sources },
 *     facility: { name, type },
 *     has_vendor_contract: bool,
 *     gate_no: [bool × CHECKLIST_ROUNDS],
 *     sections: [ { number, title, forms_label, note,
 *       items: [ { id, number, order, scope: [labels], scope_label,
 *                  wording (NULL when unknown), wording_status,
 *                  wording_status_label, unconfirmed (文言未確認),
 *                  official_wording: { wording, source, entered_at,
 *                  entered_by } | null, presumed_wording, refs, gate,
 *                  new_in_edition, needed (bool: must be answered here),
 *                  not_needed_reason, note,
 *                  answers: [ null | { round, answer "yes"|"no",
 *                    answer_label はい|いいえ, confirmed_on, target_on,
 *                    overdue, note, links, updated_at, updated_by } × 3 ],
 *                  evidence: (with_evidence, and not on a vendor's sheet,
 *                  which is about the vendor, not the hospital's records)
 *                  evidence_eval() result, else null } ] } ] }
 * vendor_id != 0 refuses (MAMORI_ENOTFOUND) a sheet of another vendor.
 */
int checklist_view(struct store *st, const struct checklist_catalog *cat, int64_t sheet_id,
		   int64_t vendor_id, bool with_evidence, const char *today, json_t **out,
		   struct mamori_err *err);

/*
 * What the dashboard flags for the current answers of every sheet of fy:
 * each declared はい (latest round) that the evidence contradicts and each
 * いいえ whose 目標日 is before today, as
 *   [ { kind: "contradicted"|"overdue", sheet_id, item_id, number,
 *       section, wording (short), round, target_on, summary } ]
 */
int checklist_findings(struct store *st, const struct checklist_catalog *cat, int fy,
		       const char *today, json_t **out, struct mamori_err *err);

/* 依頼済 / 回答済 / 確認済 / 回答中 for the status names; NULL if unknown. */
const char *checklist_sheet_status_label(const char *status);

#endif
