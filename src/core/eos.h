/*
 * eos.h - end-of-support catalog and the matcher for what hospitals write in
 * the OS column of their ledgers.
 *
 * The catalog is a set of products read from endoflife.date product files
 * (catalog/eol/NAME.md: YAML front matter between two "---" lines with a
 * `releases:` list).  Each product has releases ("cycles") with dates:
 *
 *   eoas  end of active (full) support
 *   eol   end of security support as the product defines it (its eolColumn:
 *         for RHEL the end of Maintenance Support, for MySQL the end of
 *         Extended Support, ...).  This is the date the status uses.
 *   eoes  extended support (usually paid: Windows ESU, RHEL ELS, Ubuntu ESM),
 *         reported separately as 延長サポート; it does NOT make a device
 *         count as supported, because a hospital that has not bought it is
 *         not covered.
 *
 * Dates are never invented: every date a match reports comes from the
 * catalog; when the catalog does not say, the field is EOS_WHEN_NONE and the
 * status is EOS_UNKNOWN.
 *
 * eos_match() maps free text ("Win10 Pro 22H2", "WS2016", "CentOS7",
 * "10.0.19045", full-width variants, the OS and the version in two columns)
 * to a product and cycle, or says in Japanese why it cannot.
 */
#ifndef MAMORI_EOS_H
#define MAMORI_EOS_H

#include <stddef.h>

struct mamori_err;

/* Bounds for untrusted product files. */
#define EOS_FILE_MAX (4u << 20)   /* bytes in one product file */
#define EOS_STR_MAX 2048          /* bytes in one stored string */
#define EOS_RELEASES_MAX 2048     /* releases in one product */
#define EOS_DEPTH_MAX 32          /* YAML nesting */
#define EOS_PRODUCTS_MAX 1024     /* products in one catalog */

/* A date-or-flag field of a release. */
enum eos_when_kind {
	EOS_WHEN_NONE = 0, /* absent */
	EOS_WHEN_DATE,     /* date holds YYYY-MM-DD */
	EOS_WHEN_TRUE,     /* "true": e.g. eol: true = already ended, date unknown */
	EOS_WHEN_FALSE,    /* "false": not (yet) ended, no date announced */
};

struct eos_when {
	enum eos_when_kind kind;
	char date[11];
};

struct eos_release {
	char *cycle;    /* releaseCycle, never NULL */
	char *label;    /* releaseLabel with the product's template applied, never NULL */
	char *codename; /* may be NULL */
	char *latest;   /* may be NULL */
	char *link;     /* may be NULL */
	struct eos_when release_date, eoas, eol, eoes, lts;
};

struct eos_product {
	char *name;      /* file name without ".md" (e.g. "windows"), the stable id */
	char *title;     /* never NULL (name when the file has none) */
	char *permalink; /* may be NULL */
	char *category;  /* may be NULL */
	char *eol_column, *eoas_column, *eoes_column; /* labels; may be NULL */
	struct eos_release *releases;
	size_t nr_releases;
};

struct eos_catalog {
	struct eos_product *products;
	size_t nr_products;
};

#define EOS_CATALOG_INIT { NULL, 0 }

/*
 * Parses one product file held in buf[0..len) (need not be NUL-terminated)
 * and adds it to cat.  name is the file name (e.g. "windows.md"); it is used
 * for the product id and in messages.  On failure returns MAMORI_EINVAL with
 * "NAME:LINE: reason" in err and cat is unchanged.  A product whose id is
 * already in cat is MAMORI_ECONFLICT.  Never crashes on any input; bounded
 * by the EOS_*_MAX limits above.
 */
int eos_catalog_load_buffer(struct eos_catalog *cat, const char *name,
			    const char *buf, size_t len, struct mamori_err *err);

/*
 * Loads every "*.md" file of dir except README.md (in name order) into a
 * new catalog that replaces *cat only when all of them parse; on any error
 * *cat is unchanged and err names the file.  A directory without any
 * product is MAMORI_EINVAL.  *cat must be initialised (EOS_CATALOG_INIT).
 */
int eos_catalog_load_dir(const char *dir, struct eos_catalog *cat, struct mamori_err *err);

/* Frees everything cat owns and re-initialises it; NULL is fine. */
void eos_catalog_release(struct eos_catalog *cat);

/* The product with that id, or NULL. */
const struct eos_product *eos_catalog_product(const struct eos_catalog *cat, const char *name);

#define EOS_REASON_MAX 256

/*
 * Result of eos_match().  Pointers point into the catalog (valid while it
 * lives).  reason is Japanese: how the text was read when matched (e.g. that
 * the newest feature update was assumed), or why it could not be matched.
 */
struct eos_match {
	const struct eos_product *product; /* NULL when not matched */
	const struct eos_release *release; /* NULL when not matched */
	const char *cycle, *label;
	struct eos_when eoas, eol, eoes;
	int assumed; /* 1 when a part not written was assumed (see reason) */
	char reason[EOS_REASON_MAX];
};

/*
 * Maps a ledger's OS text (and optional separate version column; either may
 * be NULL or blank) to a release of cat.  Returns 0 when matched, 1 when not
 * (out->product NULL and out->reason saying why, e.g.
 * 「バージョンが書かれていません」, 「知らない製品です」).  Never fails
 * otherwise.  Windows client editions: Home/Pro use the "-w" cycles,
 * Enterprise/Education "-e", LTSC/LTSB "-e-lts", IoT LTSC "-iot-lts"; when
 * no feature update is written the newest cycle of that edition is used and
 * the reason says so.
 */
int eos_match(const struct eos_catalog *cat, const char *os, const char *os_version,
	      struct eos_match *out);

enum eos_status {
	EOS_UNKNOWN = 0, /* not matched, or the catalog gives no end date */
	EOS_SUPPORTED,   /* eol is more than 12 months after today */
	EOS_ENDING,      /* today <= eol < today + 12 months */
	EOS_ENDED,       /* eol < today: the eol day itself is the last supported day */
};

/*
 * Status of a match on today ("YYYY-MM-DD").  Uses eol only (see the top of
 * this file): the eol date is the last day of support, so a device is ENDED
 * from the day after eol.  ENDING when eol falls within 12 months: eol <
 * today plus 12 months (same day of month; 02-29 + 12 months = 03-01).
 * eol "true" is ENDED, "false" SUPPORTED; no eol or a NULL/unmatched m or a
 * malformed today is UNKNOWN.
 */
enum eos_status eos_status_of(const struct eos_match *m, const char *today);

/* サポート中 / 12か月以内に終了 / サポート終了 / 不明 */
const char *eos_status_label(enum eos_status st);
/* "supported" / "ending" / "ended" / "unknown" (for APIs and exports) */
const char *eos_status_name(enum eos_status st);

#endif
