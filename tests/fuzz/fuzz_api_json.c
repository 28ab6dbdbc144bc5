/*
 * fuzz_api_json.c - libFuzzer target for the request-body handling of the
 * HTTP API: the body parsed as the server parses it (jansson, duplicate
 * keys rejected, only objects accepted), then applied to a device as
 * PATCH/POST /api/v1/assets do (asset_apply_json), validated, and turned
 * back into JSON.
 *
 * Invariants: no crash or leak; a refused body names a field only when the
 * key exists in the body (or is a field name); a device that validates
 * re-serialises to JSON that applies again to an empty device with the
 * same result (normalisation is idempotent through the API).
 */
#include "common.h"

#include <jansson.h>

#include "asset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mamori_err err = { 0 };
	struct asset a, b;
	const char *field = NULL;
	json_error_t je;
	json_t *body, *out;

	body = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &je);
	if (!body)
		return 0;
	asset_init(&a);
	if (asset_apply_json(&a, body, &field, &err) < 0) {
		if (field && !json_object_get(body, field) && asset_field_find(field) < 0)
			BUG("refusal names a field that is not in the body: %s", field);
		goto out;
	}
	if (asset_validate(&a, NULL, &err) < 0)
		goto out;
	out = asset_to_json(&a);
	for (int f = 0; f < ASSET_NFIELDS; f++)
		if (asset_fields[f].flags & ASSET_F_LIFECYCLE)
			json_object_del(out, asset_fields[f].name);
	asset_init(&b);
	if (asset_apply_json(&b, out, &field, &err) < 0)
		BUG("own JSON refused at %s: %s", field ? field : "?", err.msg);
	if (asset_validate(&b, NULL, &err) < 0)
		BUG("own JSON does not validate: %s", err.msg);
	/* status (a lifecycle field) is refused by asset_apply_json, so compare the rest */
	for (int f = 0; f < ASSET_NFIELDS; f++) {
		if (asset_fields[f].flags & ASSET_F_LIFECYCLE)
			continue;
		const char *x = a.v[f], *y = b.v[f];
		if ((x == NULL) != (y == NULL) || (x && strcmp(x, y)))
			BUG("field %s changed through JSON: %s -> %s", asset_fields[f].name,
			    x ? x : "(null)", y ? y : "(null)");
	}
	asset_release(&b);
	json_decref(out);
out:
	asset_release(&a);
	json_decref(body);
	return 0;
}
