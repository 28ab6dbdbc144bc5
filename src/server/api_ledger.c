/*
 * api_ledger.c - helpers of the ledger handlers (see api_ledger.h).
 */
#include "common.h"
#include "api_ledger.h"

int api_ledger_count(const char *s, int64_t def, int64_t max, int64_t *out)
{
	char *end;
	long long v;

	if (!s || !*s) {
		*out = def;
		return 0;
	}
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 0 || v > max)
		return -1;
	*out = v;
	return 0;
}

int api_ledger_flag(struct http_request *req, const char *name)
{
	const char *v = http_query(req, name);
	return v && (!strcmp(v, "1") || !strcmp(v, "true"));
}

const char *api_ledger_str(json_t *body, const char *key)
{
	json_t *v = json_object_get(body, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

void api_ledger_file_name(const char *in, char *out, size_t len)
{
	size_t o = 0;

	if (!in || !*in)
		in = "upload.csv";
	for (const char *p = in; *p && o + 1 < len; p++) {
		unsigned v;
		if (*p == '%' && p[1] && p[2] && sscanf(p + 1, "%2x", &v) == 1 && v >= 0x20 &&
		    v != 0x7f) {
			out[o++] = (char)v;
			p += 2;
		} else if ((unsigned char)*p >= 0x20 && *p != 0x7f) {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
	/* only the base name: no directories in messages */
	char *slash = strrchr(out, '/');
	if (slash)
		memmove(out, slash + 1, strlen(slash + 1) + 1);
}

int api_ledger_import_start(struct http_request *req, enum enc_kind *enc)
{
	struct mamori_err err = { 0 };
	const char *name = http_query(req, "encoding");

	if (name && *name && enc_parse_name(name, enc, &err) < 0) {
		http_error(req, 422, "invalid", "%s", err.msg);
		return -1;
	}
	if (req->body.len == 0) {
		http_error(req, 400, "bad_request", "取り込む CSV ファイルを送ってください");
		return -1;
	}
	return 0;
}

void api_ledger_import_answer(struct http_request *req, int r, json_t *j,
			      const struct mamori_err *err)
{
	if (!j) {
		http_error_from(req, err);
		return;
	}
	if (r < 0)
		json_object_set_new(j, "error", json_pack("{s:s, s:s}", "code", "invalid_file",
							  "message", err->msg));
	http_json(req, r == 0 ? 200 : 422, j);
}
