/*
 * contact.h - the contact chart (連絡体制図): the hospital's internal roles
 * (院長, 医療情報システム安全管理責任者, CISO/CSIRT, 事務部門 …) and the
 * external parties (each vendor with its emergency number, 厚生労働省,
 * 都道府県/保健所, 警察, lawyer, insurer), and who calls whom in which order.
 *
 * A contact's parent is the contact who calls it; call_order orders the
 * calls one contact makes.  The chart is laid out left to right (the first
 * caller on the left, each column one call further), the same layout for
 * the UI's SVG and the PDF for the wall.  Phone numbers of the authorities
 * are never shipped: the hospital fills them in.
 *
 * Write functions run inside a store transaction and journal the change
 * (entity "contact").
 */
#ifndef MAMORI_CONTACT_H
#define MAMORI_CONTACT_H

#include <jansson.h>
#include <stdint.h>

struct mamori_err;
struct report;
struct store;

/*
 * Adds a contact.  rec keys: side ("internal"|"external", also 組織内/外部),
 * role (required), name, organisation, phone, phone_after_hours, email, note
 * (strings), vendor (a vendor's name or "#ID"), parent (a contact's "#ID",
 * role or name), call_order (integer).  Unknown keys and bad values are
 * MAMORI_EINVAL naming the key.
 */
int contact_add(struct store *st, const char *actor, json_t *rec, int64_t *id,
		struct mamori_err *err);
/* Changes the keys present in changes (same keys; null clears). */
int contact_edit(struct store *st, const char *actor, int64_t id, json_t *changes,
		 struct mamori_err *err);
/* Removes a contact; those it called are then called by its own caller. */
int contact_remove(struct store *st, const char *actor, int64_t id, struct mamori_err *err);
/* "#ID", or a role or name that names exactly one contact. */
int contact_find(struct store *st, const char *key, int64_t *id, struct mamori_err *err);

/*
 * Contacts in calling order (depth first), each with its fields, side_label,
 * vendor_name, vendor_emergency_phone, parent_id, depth and number ("1",
 * "1-2" …).
 */
int contact_list(struct store *st, json_t **out, struct mamori_err *err);

/*
 * The chart's layout: {"nodes": [contact + "col", "row"], "edges":
 * [{"from", "to", "order"}], "cols", "rows"}.
 */
int contact_chart(struct store *st, json_t **out, struct mamori_err *err);

/* Draws a chart (contact_chart()) into r, at most max_h mm high. */
void contact_chart_draw(struct report *r, json_t *chart, double max_h);

/* The contact chart on A4 landscape (chart, then the table of numbers). */
int contact_chart_pdf(struct store *st, const char *path, struct mamori_err *err);

/* Counts of contacts by side. */
int contact_counts(struct store *st, int64_t *internal, int64_t *external, struct mamori_err *err);

#endif
