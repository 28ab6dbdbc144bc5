/*
 * vocab.c - header and vocabulary matching for the ledgers (see vocab.h).
 */
#include "common.h"
#include "vocab.h"
#include "norm.h"
#include "strbuf.h"

#include <ctype.h>

char *vocab_key(const char *s)
{
	static const char *const drop[] = { " ", "_", "-", "・", "：", ":", "（", "）", "(", ")",
					    "/", "／", "　", "\t", "※", "*", "＊", "." };
	char *t = norm_text(s);
	struct strbuf sb = STRBUF_INIT;

	for (const char *p = t; *p;) {
		size_t skip = 0;
		for (size_t i = 0; i < ARRAY_SIZE(drop) && !skip; i++)
			if (!strncmp(p, drop[i], strlen(drop[i])))
				skip = strlen(drop[i]);
		if (skip) {
			p += skip;
			continue;
		}
		strbuf_addch(&sb, tolower((unsigned char)*p));
		p++;
	}
	free(t);
	return strbuf_detach(&sb, NULL);
}

int vocab_key_is(const char *k, const char *candidate)
{
	char *c = vocab_key(candidate);
	int eq = !strcmp(k, c);
	free(c);
	return eq;
}

int vocab_names(const char *k, const char *name, const char *label, const char *label_en,
		const char *const *aliases)
{
	if (vocab_key_is(k, name) || vocab_key_is(k, label) || vocab_key_is(k, label_en))
		return 1;
	for (const char *const *a = aliases; a && *a; a++)
		if (vocab_key_is(k, *a))
			return 1;
	return 0;
}

const char *vocab_find(const struct vocab *v, size_t n, const char *text)
{
	char *k = vocab_key(text);
	const char *found = NULL;

	for (size_t i = 0; i < n && !found; i++) {
		if (vocab_key_is(k, v[i].value))
			found = v[i].value;
		for (const char *const *w = v[i].words; !found && *w; w++)
			if (vocab_key_is(k, *w))
				found = v[i].value;
	}
	free(k);
	return found;
}

int vocab_parse(const struct vocab *v, size_t n, const char *text, const char **out,
		struct mamori_err *err)
{
	struct strbuf labels = STRBUF_INIT;
	int r;

	*out = vocab_find(v, n, text);
	if (*out)
		return 0;
	for (size_t i = 0; i < n; i++)
		strbuf_addf(&labels, "%s%s", i ? " / " : "", v[i].label);
	r = mamori_err_set(err, MAMORI_EINVAL, "「%s」は使えません (%s)", text, labels.buf);
	strbuf_release(&labels);
	return r;
}

const char *vocab_label(const struct vocab *v, size_t n, const char *value)
{
	for (size_t i = 0; value && i < n; i++)
		if (!strcmp(value, v[i].value))
			return v[i].label;
	return value ? value : "";
}

int vocab_json_text(const json_t *v, char num[VOCAB_NUM_LEN], const char **text,
		    struct mamori_err *err)
{
	if (json_is_null(v))
		*text = "";
	else if (json_is_boolean(v))
		*text = json_is_true(v) ? "1" : "0";
	else if (json_is_integer(v)) {
		snprintf(num, VOCAB_NUM_LEN, "%lld", (long long)json_integer_value(v));
		*text = num;
	} else if (json_is_string(v))
		*text = json_string_value(v);
	else
		return mamori_err_set(err, MAMORI_EINVAL, "値は文字列で指定してください");
	return 0;
}
