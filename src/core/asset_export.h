/*
 * asset_export.h - the device ledger as CSV (UTF-8 with BOM, or CP932, as
 * Excel in Japan opens them), JSON and xlsx.
 *
 * CSV and xlsx use the Japanese labels of asset_fields[] as headers and
 * human-readable values (種別 and 状態 as words, yes/no as 〇/×), so that a
 * file exported by mamori re-imports without changes.  JSON uses the field
 * names and canonical values, for scripts.
 *
 * Files are written atomically (fileio.h): an interrupted export never
 * leaves a half-written file behind.
 */
#ifndef MAMORI_ASSET_EXPORT_H
#define MAMORI_ASSET_EXPORT_H

#include "asset.h"
#include "enc.h"

struct mamori_err;
struct store;
struct strbuf;

enum asset_export_format {
	ASSET_EXPORT_CSV,
	ASSET_EXPORT_JSON,
	ASSET_EXPORT_XLSX,
	ASSET_EXPORT_PDF,
};

/* "csv", "json", "xlsx", "pdf" → format; MAMORI_EUSAGE otherwise. */
int asset_export_format_parse(const char *s, enum asset_export_format *out,
			      struct mamori_err *err);

/* The value of field f of a as shown to people (labels, 〇/×). */
const char *asset_display_value(const struct asset *a, int f);

/*
 * Appends the devices matching q to out as CSV in enc (ENC_UTF8 writes a
 * BOM first).  A character CP932 cannot hold is MAMORI_EINVAL naming the
 * device and field.
 */
int asset_export_csv(struct store *st, const struct asset_query *q, enum enc_kind enc,
		     struct strbuf *out, struct mamori_err *err);

/* Appends a JSON array of the devices matching q (asset_to_json objects). */
int asset_export_json(struct store *st, const struct asset_query *q, struct strbuf *out,
		      struct mamori_err *err);

/*
 * Writes an xlsx workbook with one sheet 機器台帳 (header row frozen, filter
 * on, readable column widths) to path, atomically.
 */
int asset_export_xlsx(struct store *st, const struct asset_query *q, const char *facility,
		      const char *path, struct mamori_err *err);

/*
 * Writes the ledger as a PDF to print (A4 landscape): title, date, count
 * and the main columns of every device matching q, atomically.
 */
int asset_export_pdf(struct store *st, const struct asset_query *q, const char *facility,
		     const char *path, struct mamori_err *err);

/*
 * Writes the export in format to path ("-" standard output; xlsx needs a
 * file for xlsx and pdf).  enc applies to CSV only.
 */
int asset_export_to_file(struct store *st, const struct asset_query *q,
			 enum asset_export_format format, enum enc_kind enc, const char *facility,
			 const char *path, struct mamori_err *err);

#endif
