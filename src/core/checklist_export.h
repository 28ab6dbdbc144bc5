/*
 * checklist_export.h - the checklist for paper and for inspectors.
 *
 * All three exports read one sheet's view (checklist_view() in checklist.h,
 * with evidence), so they show exactly what the UI shows.  What an item
 * shows is the same in each:
 *   - the wording: the officer's official_wording, else the catalog's
 *     wording, else the presumed one, else CHECKLIST_EXPORT_NO_WORDING;
 *   - the scope tag as printed on the form: "(サーバ、端末PC)" ("" if none);
 *   - per round はい / いいえ with 確認日 and 目標日, or 確認不要 (the gate was
 *     answered いいえ in that round) or 記入不要 (not needed without a vendor
 *     contract) in the answer cell;
 *   - 備考 (the rounds' notes; "2回目：…" when more than one has one), 根拠
 *     (the evidence's outcome label and summary: "はいと矛盾：…"), and 文言:
 *     文言未確認, 担当者が公式様式から入力, or empty.
 *
 *   - xlsx in the layout of the official form (checklist_xlsx.h reads it
 *     back).  Sheet チェックリスト:
 *       row 1  title merged across all columns: "<edition title>（<form
 *              label>） 令和N年度" (N from the sheet's fiscal year)
 *       row 2  "施設名：…", or on a vendor's sheet "事業者名：…" with
 *              "施設名：…" in row 3
 *       row 4-5 header: A 番号, B チェック項目, C 対象 (each merged over both
 *              rows), then per round "k回目" merged over three columns with
 *              はい/いいえ, 確認日, 目標日 below, then 備考, 根拠, 文言
 *       row 6… a section row "2 医療情報システムの管理・運用【…確認用】"
 *              ("医療情報システムの有無" for section 0) merged over A:C, then
 *              one row per item: A the printed number ("①"; empty when the
 *              catalog has none), B the wording, C the scope tag, dates as
 *              Excel dates shown yyyy/mm/dd
 *     Printed A4 landscape, one page wide, rows 4-5 repeated.  Sheet 根拠:
 *     each reason of each item's evidence (item as "第2章 ①", id, what was
 *     checked, outcome, reason, link).
 *   - CSV (UTF-8 with BOM, or CP932), CRLF, one row per item: 区分, 番号,
 *     項目ID, チェック項目, 対象, 文言の確認状況, per round k回目回答 /
 *     k回目確認日 / k回目目標日 (YYYY-MM-DD), 備考, 根拠.
 *   - The PDF inspection pack (立入検査用資料, A4 landscape): cover (facility,
 *     fiscal year, date, edition and form, journal head seq, hash and time),
 *     the facility's checklist with answers per round, 文言未確認 marks and
 *     evidence, ledger summary (dashboard.h), devices in use past end of
 *     support, the vendor checklist collection status (contracted vendors
 *     not yet asked shown as 未依頼), and the journal head again alone on
 *     the last page, for the inspector to compare with `mamori journal
 *     head` and `mamori journal verify --expect-head`.
 *
 * Files are written atomically (a temporary file renamed into place); on
 * an error nothing is left behind.
 */
#ifndef MAMORI_CHECKLIST_EXPORT_H
#define MAMORI_CHECKLIST_EXPORT_H

#include <jansson.h>

#include "enc.h"

struct mamori_err;
struct store;
struct strbuf;
struct checklist_catalog;

/* What the wording cell holds for an item whose wording nobody knows. */
#define CHECKLIST_EXPORT_NO_WORDING "（文言未確認：公式様式で確認してください）"

/*
 * One sheet's view → CSV text appended to out (UTF-8 with a BOM, or CP932).
 * A character CP932 cannot hold is MAMORI_EINVAL naming the item and the
 * column, out unchanged.
 */
int checklist_export_csv(const json_t *view, enum enc_kind enc, struct strbuf *out,
			 struct mamori_err *err);

/* One sheet's view → xlsx at path; MAMORI_EIO when it cannot be written. */
int checklist_export_xlsx(const json_t *view, const char *path, struct mamori_err *err);

/*
 * The inspection pack for fiscal year fy → PDF at path.  Uses the
 * facility's own sheet of fy (its form by facility type, else the merged
 * 医療機関・薬局確認用; MAMORI_ENOTFOUND when there is none, saying to open
 * one) and every vendor sheet of fy.  today ("YYYY-MM-DD"; NULL: today)
 * decides end of support and overdue targets.
 */
int checklist_export_pack(struct store *st, const struct checklist_catalog *cat, int fy,
			  const char *today, const char *path, struct mamori_err *err);

#endif
