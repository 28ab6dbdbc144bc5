/*
 * fuzz_checklist.c - libFuzzer target for the checklist edition loader
 * (src/core/checklist_catalog.c), which reads edition files a hospital may
 * be given to import.
 *
 * Invariants: no crash or leak; success and problems exclude each other;
 * a loaded edition keeps the validator's promises (unique ids, wording
 * NULL exactly when its status says it is unknown, items within bounds).
 */
#include "common.h"

#include "checklist_catalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct checklist_edition e = CHECKLIST_EDITION_INIT;
	struct checklist_problems problems = { 0 };
	struct mamori_err err = { 0 };
	int r = checklist_catalog_load_buffer("fuzz.json", (const char *)data, size, &e, &problems,
					      &err);

	if (r == 0) {
		if (problems.total)
			BUG("loaded with %zu problems", problems.total);
		if (e.nr_items > CHECKLIST_ITEMS_MAX)
			BUG("%zu items", e.nr_items);
		for (size_t i = 0; i < e.nr_items; i++) {
			const struct checklist_item *it = &e.items[i];
			int unknown = it->status == CHECKLIST_INFERRED || it->status == CHECKLIST_NOT_FOUND;
			if (unknown != (it->wording == NULL))
				BUG("%s: wording and status disagree", it->id);
			for (size_t k = 0; k < i; k++)
				if (!strcmp(e.items[k].id, it->id))
					BUG("duplicate id %s", it->id);
		}
		checklist_edition_release(&e);
	} else if (r != MAMORI_EINVAL) {
		BUG("load returned %d: %s", r, err.msg);
	}
	checklist_problems_release(&problems);
	return 0;
}
