/*
 * checklist_catalog.h - the MHLW cybersecurity checklist (医療機関における
 * サイバーセキュリティ対策チェックリスト and its 薬局 / 事業者 forms) as data.
 *
 * Each edition and form is one JSON file (catalog/checklist/r7-iryo.json,
 * format "mamori-checklist-1", described in docs/internals/checklist-format.md).
 * A new edition is a new file: no code changes.  This module parses one file
 * into a struct checklist_edition and validates it; it does not store
 * answers (that is the checklist module's job) and does not know which
 * edition is current.
 *
 * Wording is never invented.  An item's wording is exactly what the
 * reference material showed, with its wording_status; an item whose wording
 * could not be read has wording NULL (status inferred / not_found), and every
 * status other than confirmed / confirmed2 / official is shown as 文言未確認
 * in the UI and exports (checklist_item_wording_unconfirmed()).
 *
 * Validation collects every problem of a file (up to CHECKLIST_PROBLEMS_MAX
 * messages are kept, all are counted) as "FILE: items[12].wording_status:
 * reason", the reason in Japanese; the JSON path is 0-based.
 */
#ifndef MAMORI_CHECKLIST_CATALOG_H
#define MAMORI_CHECKLIST_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

struct mamori_err;

#define CHECKLIST_FORMAT "mamori-checklist-1"

/* Bounds for files that come from outside (import-edition). */
#define CHECKLIST_FILE_MAX (1u << 20)  /* bytes in one file */
#define CHECKLIST_ITEMS_MAX 500        /* items in one file */
#define CHECKLIST_SECTIONS_MAX 50      /* sections in one file */
#define CHECKLIST_LIST_MAX 64          /* entries of refs, sources, forms, scope */
#define CHECKLIST_STR_MAX 2000         /* bytes in one string */
#define CHECKLIST_ID_MAX 64            /* bytes in an item id */
#define CHECKLIST_FILES_MAX 256        /* files in one directory */
#define CHECKLIST_PROBLEMS_MAX 100     /* messages kept in a problem list */

enum checklist_form {
	CHECKLIST_FORM_IRYO = 0,      /* "iryo": 医療機関確認用 */
	CHECKLIST_FORM_YAKKYOKU,      /* "yakkyoku": 薬局確認用 */
	CHECKLIST_FORM_JIGYOSHA,      /* "jigyosha": 事業者確認用 */
	CHECKLIST_FORM_IRYO_YAKKYOKU, /* "iryo_yakkyoku": 医療機関・薬局確認用 (merged, 令和8年度~) */
	CHECKLIST_FORM_COUNT
};

/* Where the wording of an item comes from (the reference file's tags). */
enum checklist_wording_status {
	CHECKLIST_CONFIRMED = 0, /* "confirmed"   [C]  verbatim from one source */
	CHECKLIST_CONFIRMED2,    /* "confirmed2"  [C2] two or more sources agree */
	CHECKLIST_TRUNCATED,     /* "truncated"   [T]  the source stops at "…" */
	CHECKLIST_SECONDARY,     /* "secondary"   [S]  news/blog/paraphrase only */
	CHECKLIST_OCR_SUSPECT,   /* "ocr_suspect" [OCR?] raw OCR form, artefact suspected */
	CHECKLIST_INFERRED,      /* "inferred"    [I]  position only; wording NULL */
	CHECKLIST_NOT_FOUND,     /* "not_found"   [N]  wording NULL */
	CHECKLIST_OFFICIAL,      /* "official"    read from an MHLW xlsx recognised by its SHA-256
				    (checklist_xlsx.h); counts as confirmed */
	CHECKLIST_IMPORTED,      /* "imported"    read from a workbook that is not a recognised
				    official file; 文言未確認 until checked */
	CHECKLIST_STATUS_COUNT
};

/* Device scope tags, a bit set. */
#define CHECKLIST_SCOPE_ALL (1u << 0)     /* 医療情報システム全般 */
#define CHECKLIST_SCOPE_SERVER (1u << 1)  /* サーバ */
#define CHECKLIST_SCOPE_PC (1u << 2)      /* 端末PC */
#define CHECKLIST_SCOPE_NETWORK (1u << 3) /* ネットワーク機器 */

/* A yes / no that the reference may not know. */
enum checklist_tri {
	CHECKLIST_UNKNOWN = -1, /* JSON null: the reference does not say */
	CHECKLIST_NO = 0,
	CHECKLIST_YES = 1,
};

struct checklist_section {
	int number;        /* 0 = the unnumbered 医療情報システムの有無 gate section */
	char *title;       /* never NULL */
	unsigned forms;    /* bit (1u << enum checklist_form) per form on the label */
	bool forms_known;  /* false: the label was not seen (JSON null) */
	char *note;        /* may be NULL */
};

struct checklist_item {
	char *id;           /* "r7-iryo-2-7"; unique; starts with "<edition>-<form>-" */
	int section;        /* a struct checklist_section number of the same file */
	char *number;       /* as printed ("⑦", "(4)"); NULL when not printed or not known */
	int order;          /* sort key in the section, 1..999, unique in the section */
	unsigned scope;     /* CHECKLIST_SCOPE_* bits; 0 with scope_known = no tag printed */
	bool scope_known;   /* false: the scope tag was not seen (JSON null) */
	char *wording;      /* NULL exactly when status is INFERRED or NOT_FOUND */
	enum checklist_wording_status status;
	char *wording_source; /* URL or seed file; NULL only when wording is NULL */
	char **corroborating; /* further sources (may be none) */
	size_t nr_corroborating;
	char **refs;        /* guideline references, e.g. "システム運用編 8.⑤" */
	size_t nr_refs;
	bool refs_known;    /* false: not captured (JSON null) */
	enum checklist_tri new_in_edition;
	bool gate;          /* the 医療情報システムの有無 question: いいえ skips the rest */
	enum checklist_tri needed_without_vendor_contract;
	char *presumed_same_as; /* id whose wording this item presumably has; may be NULL */
	char *note;         /* may be NULL */
};

struct checklist_edition {
	char *name;         /* the file name given to the loader */
	char *edition;      /* "r7" */
	int fiscal_year;    /* 2025 */
	char *title;
	enum checklist_form form;
	char published[11]; /* "YYYY-MM-DD", "YYYY-MM" or "" when not known */
	char **sources;
	size_t nr_sources;
	bool items_complete; /* false: the reference is known to miss items of this form */
	char *note;          /* may be NULL */
	struct checklist_section *sections;
	size_t nr_sections;
	struct checklist_item *items;
	size_t nr_items;
};

#define CHECKLIST_EDITION_INIT { 0 }

/*
 * Problem messages, each "FILE: PATH: reason" (or "FILE: reason" for the
 * file as a whole).  At most CHECKLIST_PROBLEMS_MAX are kept in msgs; total
 * counts all of them.  Zero-initialise; release with
 * checklist_problems_release().
 */
struct checklist_problems {
	char **msgs;
	size_t nr;
	size_t total;
};

void checklist_problems_release(struct checklist_problems *p);

/*
 * Parses and validates one file held in buf[0..len) (need not be
 * NUL-terminated; untrusted).  name is used in messages and kept in
 * out->name.  On success returns 0 and fills *out (release it with
 * checklist_edition_release()).  When the file has any problem returns
 * MAMORI_EINVAL, *out is left zeroed, every problem is appended to problems
 * (may be NULL) and err holds the first one followed by the number of the
 * others.  Never crashes on any input; bounded by the CHECKLIST_*_MAX
 * limits.
 */
int checklist_catalog_load_buffer(const char *name, const char *buf, size_t len,
				  struct checklist_edition *out,
				  struct checklist_problems *problems, struct mamori_err *err);

/* Frees everything e owns and zeroes it; NULL is fine. */
void checklist_edition_release(struct checklist_edition *e);

struct checklist_catalog {
	struct checklist_edition *editions; /* in file-name order */
	size_t nr;
};

/*
 * Loads every "*.json" file of dir (not starting with "."; in name order)
 * and checks them together: each file as checklist_catalog_load_buffer()
 * does, plus across files: one file per (edition, form), item ids unique
 * over all files, every presumed_same_as naming an existing item.  On
 * success *cat (may be NULL to only validate) is replaced.  Otherwise
 * returns MAMORI_EINVAL with all problems in problems (may be NULL), err
 * holding the first, and *cat unchanged; MAMORI_ENOTFOUND / MAMORI_EIO when
 * dir cannot be read; a directory without any file is MAMORI_EINVAL.
 * *nfiles (may be NULL) receives the number of files read.
 */
int checklist_catalog_load_dir(const char *dir, struct checklist_catalog *cat, size_t *nfiles,
			       struct checklist_problems *problems, struct mamori_err *err);

/* checklist_catalog_load_dir() that keeps nothing: the validator. */
int checklist_catalog_validate_dir(const char *dir, size_t *nfiles,
				   struct checklist_problems *problems, struct mamori_err *err);

/* Frees every edition of cat and zeroes it; NULL is fine. */
void checklist_catalog_release(struct checklist_catalog *cat);

/* The item with that id in e, or NULL. */
const struct checklist_item *checklist_edition_item(const struct checklist_edition *e,
						    const char *id);

/* True unless the item's wording is confirmed ([C], [C2] or official): show 文言未確認. */
bool checklist_item_wording_unconfirmed(const struct checklist_item *it);

/* "iryo" … and 医療機関確認用 …; NULL for an invalid value. */
const char *checklist_form_name(enum checklist_form f);
const char *checklist_form_label(enum checklist_form f);
/* "confirmed" … and 確認済み …; NULL for an invalid value. */
const char *checklist_status_name(enum checklist_wording_status s);
const char *checklist_status_label(enum checklist_wording_status s);

/*
 * e as a file of format "mamori-checklist-1" (UTF-8, two-space indent, keys
 * in the order of the shipped files, ending in a newline), such that
 * checklist_catalog_load_buffer() of it gives e back; absent, null and
 * unknown values are written as the loader reads them (published "" and
 * UNKNOWN as null, *_known false as null, corroborating_sources, note and
 * presumed_same_as left out when empty).  e must satisfy the loader's
 * promises (non-NULL id, title ...).  Returns a string the caller frees.
 */
char *checklist_edition_to_json(const struct checklist_edition *e);

#endif
