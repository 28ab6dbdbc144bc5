/*
 * checklist_export.h - the checklist for paper and for inspectors.
 *
 * All three exports read one sheet's view (checklist_view() in checklist.h,
 * with evidence), so they show exactly what the UI shows:
 *
 *   - xlsx in the layout of the official form: title, 施設名 or 事業者名,
 *     a two-row header (番号 / チェック項目 / 対象, then per round 回答
 *     (はい/いいえ), 確認日, 目標日, then 備考, 根拠 (evidence), 文言),
 *     section rows merged across the item columns, one row per item with
 *     its circled number, wording and scope tag; 文言未確認 marked in the 文言
 *     column (never inside the wording).  checklist_xlsx.h reads it back.
 *   - CSV (UTF-8 with BOM, or CP932): one row per item.
 *   - The PDF inspection pack (立入検査用資料): cover (facility, fiscal year,
 *     date, journal head hash), the facility's checklist with answers and
 *     evidence, ledger summary, devices past end of support, the vendor
 *     checklist collection status, and the journal head again on the last
 *     page, for the inspector to compare with `mamori journal head`.
 *
 * Files are written atomically (a temporary file renamed into place).
 */
#ifndef MAMORI_CHECKLIST_EXPORT_H
#define MAMORI_CHECKLIST_EXPORT_H

#include <jansson.h>

#include "enc.h"

struct mamori_err;
struct store;
struct strbuf;
struct checklist_catalog;

/* One sheet's view → CSV text in out (encoding UTF-8 with BOM, or CP932). */
int checklist_export_csv(const json_t *view, enum enc_kind enc, struct strbuf *out,
			 struct mamori_err *err);

/* One sheet's view → xlsx at path. */
int checklist_export_xlsx(const json_t *view, const char *path, struct mamori_err *err);

/*
 * The inspection pack for fiscal year fy → PDF at path.  Uses the
 * facility's own sheet of fy (MAMORI_ENOTFOUND when there is none, saying
 * to open one) and every vendor sheet of fy.
 */
int checklist_export_pack(struct store *st, const struct checklist_catalog *cat, int fy,
			  const char *today, const char *path, struct mamori_err *err);

#endif
