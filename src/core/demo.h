/*
 * demo.h - a fictional hospital to try mamori with.
 *
 * 「みまもり総合病院」: about 300 devices across departments (Windows 10 and
 * 11 terminals — Windows 10 past its end of support —, servers, a UTM,
 * switches, multifunction printers that store data, PACS modalities), the
 * systems 電子カルテ, 医事会計 (レセコン), PACS and オーダリング with their
 * 機器管理票 fields, three vendors of which two maintain remotely, and a few
 * honest imperfections (devices without an owner, one without an IP, a
 * retired and a disposed device) so that every screen has something to say.
 *
 * The data is generated from a fixed seed: every run produces the same
 * hospital.  Everything goes through the normal core functions, so the demo
 * is journaled like any other change.
 */
#ifndef MAMORI_DEMO_H
#define MAMORI_DEMO_H
#include <stdint.h>

struct mamori_err;
struct store;

#define DEMO_FACILITY_NAME "みまもり総合病院"

/*
 * Fills the store in one transaction.  Creates the facility when the store
 * has none.  A store that already holds devices is MAMORI_ECONFLICT.
 */
int demo_fill(struct store *st, const char *actor, struct mamori_err *err);

/*
 * The demo's access logs (demo_logs.c): about 1,600 events of the last five
 * weekdays appended to the vault in vault_dir (created), run through the
 * detections (alerts in st) and a watched patient; a checkpoint at the
 * end.  *count receives the number of events stored.
 */
int demo_logs_fill(struct store *st, const char *vault_dir, const char *actor, uint64_t *count,
		   struct mamori_err *err);

#endif
