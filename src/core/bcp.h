/*
 * bcp.h - the IT-BCP as data and as documents: each system's 優先度 and
 * 許容停止時間 (system_bcp), the backup table (backup_plan: system, what,
 * frequency, method, media 追記可能 / 追記不能 / offline, generations,
 * where, restore procedure), and from everything mamori holds the BCP PDF
 * and the paper-operation kit (紙媒体セット, forms per department) to print
 * in advance, so that they work when the network does not.
 *
 * Write functions run inside a store transaction and journal the change
 * (entities "system_bcp", "backup_plan").
 */
#ifndef MAMORI_BCP_H
#define MAMORI_BCP_H

#include <jansson.h>
#include <stdint.h>

struct mamori_err;
struct store;

/*
 * Sets the BCP fields of a system (by name or "#ID"): priority (1 = first
 * to restore … 9), tolerable_downtime (許容停止時間 as written: "4時間"),
 * fallback (代替手段).  Keys absent stay; null clears.
 */
int bcp_system_set(struct store *st, const char *actor, const char *system, json_t *rec,
		   struct mamori_err *err);
/* Every system with {id, name, category, availability, priority, tolerable_downtime,
 * fallback, backups (count)}, by priority then name. */
int bcp_systems(struct store *st, json_t **out, struct mamori_err *err);

/* "rewritable" → 追記可能, "worm" → 追記不能, "offline" → オフライン (切り離し). */
const char *bcp_media_label(const char *media);

/*
 * Backup plans.  rec keys: system (name or "#ID", required), target,
 * frequency (required), method, media (rewritable|worm|offline or the
 * Japanese words, required), generations, location, restore_procedure, note.
 */
int bcp_backup_add(struct store *st, const char *actor, json_t *rec, int64_t *id,
		   struct mamori_err *err);
int bcp_backup_edit(struct store *st, const char *actor, int64_t id, json_t *changes,
		    struct mamori_err *err);
int bcp_backup_remove(struct store *st, const char *actor, int64_t id, struct mamori_err *err);
/* [{id, system_id, system, target, frequency, method, media, media_label, generations,
 * location, restore_procedure, note}] by system priority. */
int bcp_backups(struct store *st, json_t **out, struct mamori_err *err);

/* The BCP document (A4 portrait; the contact chart on a landscape-sized block). */
int bcp_export_pdf(struct store *st, const char *path, struct mamori_err *err);

/* The paper-operation kit: per department, a cover and the forms to print. */
int bcp_paper_kit_pdf(struct store *st, const char *path, struct mamori_err *err);

#endif
