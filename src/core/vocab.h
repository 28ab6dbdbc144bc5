/*
 * vocab.h - matching the words people write in a ledger against mamori's
 * names: column headers against a field table, and cells against a closed
 * set of values (a vocabulary such as device kinds or account statuses).
 *
 * Both compare by key: norm_text() (full-width → half-width, trimmed),
 * ASCII lower-cased, and spaces and the punctuation of headers removed, so
 * that "MAC アドレス", "mac_address" and "ＭＡＣアドレス" compare equal.
 * Also the JSON value of a field in an API body as the text of a cell.
 * Used by asset.c and account.c.
 */
#ifndef MAMORI_VOCAB_H
#define MAMORI_VOCAB_H

#include <jansson.h>
#include <stddef.h>

struct mamori_err;

/* A value of a closed set, with its label and the words people use. */
struct vocab {
	const char *value;
	const char *label;
	const char *const *words; /* NULL-terminated, never NULL */
};

/* The comparison key of s; the caller frees it. */
char *vocab_key(const char *s);

/* Does candidate have the key k? */
int vocab_key_is(const char *k, const char *candidate);

/*
 * Does key k name a field called name, label or label_en, or one of its
 * aliases (NULL-terminated, may be NULL)?
 */
int vocab_names(const char *k, const char *name, const char *label, const char *label_en,
		const char *const *aliases);

/* The value of v[0..n) whose value or one of whose words is text; NULL when none. */
const char *vocab_find(const struct vocab *v, size_t n, const char *text);

/* Like vocab_find(), but MAMORI_EINVAL listing the labels when none matches. */
int vocab_parse(const struct vocab *v, size_t n, const char *text, const char **out,
		struct mamori_err *err);

/* The label of value (value itself when unknown, "" for NULL). */
const char *vocab_label(const struct vocab *v, size_t n, const char *value);

#define VOCAB_NUM_LEN 32

/*
 * A JSON value of an API body as the text a ledger cell would hold: "" for
 * null, "1" / "0" for booleans, the digits of an integer (written into num),
 * a string as it is.  Sets *text; MAMORI_EINVAL for any other type.
 */
int vocab_json_text(const json_t *v, char num[VOCAB_NUM_LEN], const char **text,
		    struct mamori_err *err);

#endif
