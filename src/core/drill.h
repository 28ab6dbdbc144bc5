/*
 * drill.h - 訓練 (drills): the plan, the record of when it was done and who
 * took part, the findings, and the BCP revisions they led to (the
 * guideline: 訓練を定期的に実施し … 訓練結果を踏まえ、対応計画の検証・見直し).
 * A drill may be run as an incident marked drill (incident.h) and linked.
 *
 * Write functions run inside a store transaction and journal the change
 * (entity "drill").
 */
#ifndef MAMORI_DRILL_H
#define MAMORI_DRILL_H

#include <jansson.h>
#include <stdint.h>

struct mamori_err;
struct store;

/*
 * rec keys: title (required to add), planned_on, done_on (dates in any
 * Japanese notation), scenario, participants, findings, bcp_changes
 * (text), incident (an incident's number).  Unknown keys are MAMORI_EINVAL.
 */
int drill_add(struct store *st, const char *actor, json_t *rec, int64_t *id,
	      struct mamori_err *err);
int drill_edit(struct store *st, const char *actor, int64_t id, json_t *changes,
	       struct mamori_err *err);
/* "#ID" or "ID". */
int drill_find(struct store *st, const char *key, int64_t *id, struct mamori_err *err);
int drill_get(struct store *st, int64_t id, json_t **out, struct mamori_err *err);
/* Newest first (planned or done). */
int drill_list(struct store *st, json_t **out, struct mamori_err *err);

#endif
