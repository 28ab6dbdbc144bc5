/*
 * contact.c - the contact chart: records, the left-to-right layout and
 * its drawing (see contact.h).
 */
#include "common.h"
#include "contact.h"
#include "ledger.h"
#include "record.h"
#include "report.h"
#include "store.h"
#include "strbuf.h"

#include <cairo.h>

#define FIELD_MAX 200
#define NOTE_MAX 2000
#define CONTACTS_MAX 500

static const char *const text_cols[] = { "role", "name", "organisation", "phone",
					  "phone_after_hours", "email", "note" };

#define SELECT_COLS                                                                          \
	"SELECT c.id, c.side, c.role, c.name, c.organisation, c.phone, c.phone_after_hours, " \
	"c.email, c.vendor_id, c.parent_id, c.call_order, c.note, v.name, v.emergency_phone " \
	"FROM contact c LEFT JOIN vendor v ON v.id = c.vendor_id"

static json_t *row_json(struct store *st, struct store_stmt *s)
{
	static const char *const names[] = { "id", "side", "role", "name", "organisation", "phone",
					     "phone_after_hours", "email", "vendor_id", "parent_id",
					     "call_order", "note", "vendor_name",
					     "vendor_emergency_phone" };
	json_t *o = json_object();

	for (int i = 0; i < (int)ARRAY_SIZE(names); i++) {
		json_t *v;
		if (store_column_is_null(st, s, i))
			v = json_null();
		else if (i == 0 || i == 8 || i == 9 || i == 10)
			v = json_integer(store_column_int(st, s, i));
		else
			v = json_string(store_column_text(st, s, i));
		json_object_set_new(o, names[i], v);
	}
	json_object_set_new(o, "side_label",
			    json_string(!strcmp(json_string_value(json_object_get(o, "side")), "internal")
						? "組織内"
						: "外部"));
	return o;
}

static int get_one(struct store *st, int64_t id, json_t **out, struct mamori_err *err)
{
	return record_get(st, SELECT_COLS " WHERE c.id = ?", id, row_json, "連絡先", out, err);
}

int contact_find(struct store *st, const char *key, int64_t *id, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int64_t n = 0;
	int r;

	*id = 0;
	if (!key || !*key)
		return mamori_err_set(err, MAMORI_EINVAL, "連絡先を指定してください");
	if (key[0] == '#') {
		char *end;
		long long v = strtoll(key + 1, &end, 10);
		json_t *o = NULL;
		if (*end || v <= 0)
			return mamori_err_set(err, MAMORI_EINVAL, "連絡先の番号「%s」が正しくありません", key);
		r = get_one(st, v, &o, err);
		json_decref(o);
		if (r == 0)
			*id = v;
		return r;
	}
	r = store_prepare(st, "SELECT id FROM contact WHERE role = ? OR name = ? ORDER BY id", &s, err);
	if (r < 0)
		return r;
	store_bind_text(st, s, 1, key);
	store_bind_text(st, s, 2, key);
	while ((r = store_step(st, s, err)) == 1)
		if (n++ == 0)
			*id = store_column_int(st, s, 0);
	store_finalize(st, s);
	if (r < 0)
		return r;
	if (!n)
		return mamori_err_set(err, MAMORI_ENOTFOUND, "連絡先「%s」はありません (mamori contact list)", key);
	if (n > 1)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "「%s」に当たる連絡先が %lld 件あります。番号 (#ID) で指定してください",
				      key, (long long)n);
	return 0;
}

/* Would making parent the caller of id close a loop? */
static int makes_loop(struct store *st, int64_t id, int64_t parent, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int hops = 0, r = store_prepare(st, "SELECT parent_id FROM contact WHERE id = ?", &s, err);

	if (r < 0)
		return r;
	while (parent && hops++ < CONTACTS_MAX) {
		if (parent == id) {
			store_finalize(st, s);
			return 1;
		}
		store_reset(st, s);
		store_bind_int(st, s, 1, parent);
		r = store_step(st, s, err);
		if (r < 0) {
			store_finalize(st, s);
			return r;
		}
		parent = r == 1 && !store_column_is_null(st, s, 0) ? store_column_int(st, s, 0) : 0;
	}
	store_finalize(st, s);
	return 0;
}

/*
 * Checks rec (the keys of contact.h) and turns it into column values in
 * cols (a new object of column → string/integer/null).
 */
static int to_columns(struct store *st, int64_t self, json_t *rec, int adding, json_t **cols,
		      struct mamori_err *err)
{
	json_t *c = json_object(), *v;
	const char *k;
	int r = 0;

	*cols = NULL;
	json_object_foreach(rec, k, v) {
		const char *sv = json_is_string(v) ? json_string_value(v) : NULL;
		int known = 0;
		if (!json_is_null(v) && !json_is_string(v) && !json_is_integer(v)) {
			r = mamori_err_set(err, MAMORI_EINVAL, "%s: 文字列か数値で指定してください", k);
			break;
		}
		if (sv && !*sv)
			sv = NULL, v = json_null();
		for (size_t i = 0; i < ARRAY_SIZE(text_cols); i++)
			if (!strcmp(k, text_cols[i])) {
				size_t max = !strcmp(k, "note") ? NOTE_MAX : FIELD_MAX;
				known = 1;
				if (json_is_integer(v)) {
					r = mamori_err_set(err, MAMORI_EINVAL, "%s: 文字列で指定してください", k);
				} else if (sv && strlen(sv) > max) {
					r = mamori_err_set(err, MAMORI_EINVAL, "%s: 長すぎます (%zu バイトまで)", k, max);
				} else {
					json_object_set(c, k, v);
				}
			}
		if (known) {
			if (r < 0)
				break;
			continue;
		}
		if (!strcmp(k, "side")) {
			if (sv && (!strcmp(sv, "internal") || !strcmp(sv, "組織内") || !strcmp(sv, "院内")))
				json_object_set_new(c, "side", json_string("internal"));
			else if (sv && (!strcmp(sv, "external") || !strcmp(sv, "外部") || !strcmp(sv, "院外")))
				json_object_set_new(c, "side", json_string("external"));
			else {
				r = mamori_err_set(err, MAMORI_EINVAL, "side: internal (組織内) か external (外部) です");
				break;
			}
		} else if (!strcmp(k, "vendor") || !strcmp(k, "vendor_id")) {
			int64_t vid = 0;
			char key[32];
			if (json_is_integer(v)) {
				snprintf(key, sizeof(key), "#%lld", (long long)json_integer_value(v));
				sv = key;
			}
			if (sv && (r = ledger_find(st, LEDGER_VENDOR, sv, &vid, err)) < 0) {
				mamori_err_prefix(err, "vendor");
				break;
			}
			json_object_set_new(c, "vendor_id", vid ? json_integer(vid) : json_null());
		} else if (!strcmp(k, "parent") || !strcmp(k, "parent_id")) {
			int64_t pid = 0;
			char key[32];
			if (json_is_integer(v)) {
				snprintf(key, sizeof(key), "#%lld", (long long)json_integer_value(v));
				sv = key;
			}
			if (sv && (r = contact_find(st, sv, &pid, err)) < 0) {
				mamori_err_prefix(err, "parent");
				break;
			}
			if (pid && self && (r = makes_loop(st, self, pid, err)) != 0) {
				if (r > 0)
					r = mamori_err_set(err, MAMORI_EINVAL,
							   "parent: 連絡の順がひと回りしてしまいます (自分より後に連絡する人は指定できません)");
				break;
			}
			json_object_set_new(c, "parent_id", pid ? json_integer(pid) : json_null());
		} else if (!strcmp(k, "call_order")) {
			long long n = 0;
			char *end = NULL;
			if (json_is_integer(v))
				n = json_integer_value(v);
			else if (sv && (n = strtoll(sv, &end, 10), *end))
				n = -1;
			if (n < 0 || n > 999) {
				r = mamori_err_set(err, MAMORI_EINVAL, "call_order: 0 から 999 の数です");
				break;
			}
			json_object_set_new(c, "call_order", json_integer(n));
		} else {
			r = mamori_err_set(err, MAMORI_EINVAL,
					   "「%s」という項目はありません (side, role, name, organisation, phone, "
					   "phone_after_hours, email, vendor, parent, call_order, note)",
					   k);
			break;
		}
	}
	if (r == 0 && adding) {
		if (!json_string_value(json_object_get(c, "role")))
			r = mamori_err_set(err, MAMORI_EINVAL, "role: 役割 (院長、警察 など) を入力してください");
		else if (!json_object_get(c, "side"))
			json_object_set_new(c, "side", json_string(json_object_get(c, "vendor_id") &&
									   !json_is_null(json_object_get(c, "vendor_id"))
								   ? "external"
								   : "internal"));
	}
	if (r == 0 && !adding && json_object_get(c, "role") && json_is_null(json_object_get(c, "role")))
		r = mamori_err_set(err, MAMORI_EINVAL, "role: 役割は空にできません");
	if (r < 0) {
		json_decref(c);
		return r;
	}
	*cols = c;
	return 0;
}

int contact_add(struct store *st, const char *actor, json_t *rec, int64_t *id,
		struct mamori_err *err)
{
	json_t *cols = NULL, *after = NULL;
	int r;
	int64_t count = 0;

	*id = 0;
	r = store_query_int(st, &count, err, "SELECT COUNT(*) FROM contact", NULL);
	if (r == 0 && count >= CONTACTS_MAX)
		r = mamori_err_set(err, MAMORI_EINVAL, "連絡先は %d 件までです", CONTACTS_MAX);
	if (r == 0)
		r = to_columns(st, 0, rec, 1, &cols, err);
	if (r == 0)
		r = record_insert(st, "contact", cols, id, err);
	if (r == 0)
		r = get_one(st, *id, &after, err);
	if (r == 0)
		r = record_journal(st, actor, "contact.add", "contact", *id, NULL, after, err);
	json_decref(cols);
	json_decref(after);
	return r;
}

int contact_edit(struct store *st, const char *actor, int64_t id, json_t *changes,
		 struct mamori_err *err)
{
	json_t *cols = NULL, *before = NULL, *after = NULL;
	int r;

	r = get_one(st, id, &before, err);
	if (r == 0)
		r = to_columns(st, id, changes, 0, &cols, err);
	if (r < 0)
		goto out;
	if (!json_object_size(cols))
		goto out;
	r = record_update(st, "contact", id, cols, err);
	if (r == 0)
		r = get_one(st, id, &after, err);
	if (r == 0)
		r = record_journal(st, actor, "contact.edit", "contact", id, before, after, err);
out:
	json_decref(cols);
	json_decref(before);
	json_decref(after);
	return r;
}

int contact_remove(struct store *st, const char *actor, int64_t id, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	json_t *before = NULL;
	int r = get_one(st, id, &before, err);

	if (r == 0)
		r = store_prepare(st,
				  "UPDATE contact SET parent_id = (SELECT parent_id FROM contact WHERE id = ?) "
				  "WHERE parent_id = ?",
				  &s, err);
	if (r == 0) {
		store_bind_int(st, s, 1, id);
		store_bind_int(st, s, 2, id);
		r = store_step(st, s, err);
		store_finalize(st, s);
		s = NULL;
	}
	if (r >= 0)
		r = store_prepare(st, "DELETE FROM contact WHERE id = ?", &s, err);
	if (r == 0) {
		store_bind_int(st, s, 1, id);
		r = store_step(st, s, err);
	}
	store_finalize(st, s);
	if (r >= 0)
		r = record_journal(st, actor, "contact.remove", "contact", id, before, NULL, err);
	json_decref(before);
	return r;
}

int contact_counts(struct store *st, int64_t *internal, int64_t *external, struct mamori_err *err)
{
	int r = store_query_int(st, internal, err, "SELECT COUNT(*) FROM contact WHERE side = 'internal'", NULL);
	if (r == 0)
		r = store_query_int(st, external, err,
				    "SELECT COUNT(*) FROM contact WHERE side = 'external'", NULL);
	return r;
}

/* ---- ordering and layout ------------------------------------------------ */

struct tree {
	json_t *all;   /* every contact, in (call_order, id) order */
	json_t *out;   /* depth-first */
	int next_row;
	int max_depth;
};

static int64_t jint(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* Places the contacts called by parent (0: the first callers); returns the rows spanned. */
static void place(struct tree *t, int64_t parent, int depth, const char *prefix, double *first,
		  double *last)
{
	size_t i;
	json_t *c;
	int k = 0;

	*first = *last = -1;
	if (depth > 50)
		return;
	json_array_foreach(t->all, i, c) {
		json_t *p = json_object_get(c, "parent_id");
		int64_t pid = json_is_integer(p) ? json_integer_value(p) : 0;
		double f, l, row;
		char num[128];
		if (pid != parent || json_object_get(c, "depth"))
			continue;
		k++;
		snprintf(num, sizeof(num), "%s%s%d", prefix, *prefix ? "-" : "", k);
		json_object_set_new(c, "depth", json_integer(depth));
		json_object_set_new(c, "col", json_integer(depth));
		json_object_set_new(c, "number", json_string(num));
		json_array_append(t->out, c);
		if (depth > t->max_depth)
			t->max_depth = depth;
		place(t, jint(c, "id"), depth + 1, num, &f, &l);
		row = f < 0 ? t->next_row++ : (f + l) / 2;
		json_object_set_new(c, "row", json_real(row));
		if (*first < 0)
			*first = row;
		*last = row;
	}
}

static int ordered(struct store *st, struct tree *t, struct mamori_err *err)
{
	double f, l;
	size_t i;
	json_t *c;
	int r = record_list(st, SELECT_COLS " ORDER BY c.call_order, c.id", row_json, &t->all, err);

	t->out = json_array();
	t->next_row = 0;
	t->max_depth = 0;
	if (r < 0)
		return r;
	/* a parent that no longer exists makes a first caller */
	json_array_foreach(t->all, i, c) {
		json_t *p = json_object_get(c, "parent_id");
		int found = 0;
		size_t j;
		json_t *d;
		if (!json_is_integer(p))
			continue;
		json_array_foreach(t->all, j, d)
			found |= jint(d, "id") == json_integer_value(p);
		if (!found)
			json_object_set_new(c, "parent_id", json_null());
	}
	place(t, 0, 0, "", &f, &l);
	/* anything left (a loop written around the checks) goes last, unconnected */
	json_array_foreach(t->all, i, c)
		if (!json_object_get(c, "depth")) {
			json_object_set_new(c, "depth", json_integer(0));
			json_object_set_new(c, "col", json_integer(0));
			json_object_set_new(c, "row", json_real(t->next_row++));
			json_object_set_new(c, "number", json_string("?"));
			json_array_append(t->out, c);
		}
	return 0;
}

int contact_list(struct store *st, json_t **out, struct mamori_err *err)
{
	struct tree t;
	int r = ordered(st, &t, err);

	json_decref(t.all);
	if (r < 0) {
		json_decref(t.out);
		*out = NULL;
		return r;
	}
	*out = t.out;
	return 0;
}

int contact_chart(struct store *st, json_t **out, struct mamori_err *err)
{
	struct tree t;
	json_t *edges = json_array(), *c;
	size_t i;
	int r = ordered(st, &t, err);

	json_decref(t.all);
	*out = NULL;
	if (r < 0) {
		json_decref(t.out);
		json_decref(edges);
		return r;
	}
	json_array_foreach(t.out, i, c) {
		json_t *p = json_object_get(c, "parent_id");
		if (json_is_integer(p)) {
			const char *num = json_string_value(json_object_get(c, "number"));
			const char *dash = num ? strrchr(num, '-') : NULL;
			json_array_append_new(edges, json_pack("{s:I, s:I, s:s}", "from",
							       (json_int_t)json_integer_value(p), "to",
							       (json_int_t)jint(c, "id"), "order",
							       dash ? dash + 1 : (num ? num : "")));
		}
	}
	*out = json_pack("{s:o, s:o, s:i, s:i}", "nodes", t.out, "edges", edges, "cols",
			 json_array_size(t.out) ? t.max_depth + 1 : 0, "rows", t.next_row);
	return 0;
}

/* ---- drawing --------------------------------------------------------------- */

#define PT (72.0 / 25.4)

static json_t *node_by_id(json_t *nodes, int64_t id)
{
	size_t i;
	json_t *n;
	json_array_foreach(nodes, i, n)
		if (jint(n, "id") == id)
			return n;
	return NULL;
}

void contact_chart_draw(struct report *r, json_t *chart, double max_h)
{
	json_t *nodes = json_object_get(chart, "nodes"), *n, *e;
	int cols = (int)jint(chart, "cols"), rows = (int)jint(chart, "rows");
	double x0, y0, w, gap = 8 * PT, row_h, box_w, box_h, height;
	cairo_t *cr;
	size_t i;

	if (!cols || !rows)
		return;
	height = rows * 19.0;
	if (height > max_h)
		height = max_h;
	cr = report_canvas(r, height, &x0, &y0, &w);
	row_h = height * PT / rows;
	box_w = (w - (cols - 1) * gap) / cols;
	if (box_w > 70 * PT)
		box_w = 70 * PT;
	box_h = row_h * 0.86;
	double size = box_h / 4.2 / 1.25;
	if (size > 8)
		size = 8;
	if (size < 4)
		size = 4;
	/* edges: from the caller's right edge to the called one's left edge */
	cairo_set_line_width(cr, 0.6);
	json_array_foreach(json_object_get(chart, "edges"), i, e) {
		json_t *a = node_by_id(nodes, jint(e, "from")), *b = node_by_id(nodes, jint(e, "to"));
		if (!a || !b)
			continue;
		double ax = x0 + jint(a, "col") * (box_w + gap) + box_w;
		double ay = y0 + json_real_value(json_object_get(a, "row")) * row_h + row_h / 2;
		double bx = x0 + jint(b, "col") * (box_w + gap);
		double by = y0 + json_real_value(json_object_get(b, "row")) * row_h + row_h / 2;
		double mx = ax + gap / 2;
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		cairo_move_to(cr, ax, ay);
		cairo_line_to(cr, mx, ay);
		cairo_line_to(cr, mx, by);
		cairo_line_to(cr, bx, by);
		cairo_stroke(cr);
		/* the call's order in a small circle */
		cairo_set_source_rgb(cr, 1, 1, 1);
		cairo_arc(cr, mx + gap / 4, by, 2.2 * PT, 0, 6.2832);
		cairo_fill_preserve(cr);
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		report_text_at(r, mx + gap / 4 - 2.2 * PT, by - 1.6 * PT, 4.4 * PT,
			       json_string_value(json_object_get(e, "order")), 5.5, 1, 1, 1);
	}
	json_array_foreach(nodes, i, n) {
		double x = x0 + jint(n, "col") * (box_w + gap);
		double y = y0 + json_real_value(json_object_get(n, "row")) * row_h + (row_h - box_h) / 2;
		int internal = !strcmp(json_string_value(json_object_get(n, "side")), "internal");
		const char *name = json_string_value(json_object_get(n, "name"));
		const char *org = json_string_value(json_object_get(n, "organisation"));
		const char *vendor = json_string_value(json_object_get(n, "vendor_name"));
		const char *phone = json_string_value(json_object_get(n, "phone"));
		const char *after = json_string_value(json_object_get(n, "phone_after_hours"));
		const char *vphone = json_string_value(json_object_get(n, "vendor_emergency_phone"));
		struct strbuf sb = STRBUF_INIT;

		if (internal)
			cairo_set_source_rgb(cr, 0.88, 0.93, 0.99);
		else
			cairo_set_source_rgb(cr, 1.0, 0.93, 0.84);
		cairo_rectangle(cr, x, y, box_w, box_h);
		cairo_fill_preserve(cr);
		cairo_set_source_rgb(cr, 0.25, 0.25, 0.25);
		cairo_set_line_width(cr, 0.6);
		cairo_stroke(cr);
		cairo_set_source_rgb(cr, 0, 0, 0);
		double ty = y + 1.0 * PT;
		ty += report_text_at(r, x + 1.5 * PT, ty, box_w - 3 * PT,
				     json_string_value(json_object_get(n, "role")), size, 1, 0, 1);
		if (name || org || vendor)
			strbuf_addf(&sb, "%s%s%s", org ? org : vendor ? vendor : "", (org || vendor) && name ? " " : "",
				    name ? name : "");
		if (phone || vphone)
			strbuf_addf(&sb, "%s☎ %s", sb.len ? "\n" : "", phone ? phone : vphone);
		if (after)
			strbuf_addf(&sb, " 夜間 %s", after);
		else if (!phone && !vphone)
			strbuf_addf(&sb, "%s☎ (記入してください)", sb.len ? "\n" : "");
		report_text_at(r, x + 1.5 * PT, ty, box_w - 3 * PT, sb.buf, size * 0.92, 0, 0, 1);
		strbuf_release(&sb);
	}
}

int contact_chart_pdf(struct store *st, const char *path, struct mamori_err *err)
{
	struct ledger_facility fac = { 0 };
	struct report *rp = NULL;
	json_t *chart = NULL, *nodes, *n;
	char today[11], *title = NULL, *line = NULL;
	size_t i, count;
	int r;

	r = ledger_facility_get(st, &fac, err);
	if (r == 0)
		r = contact_chart(st, &chart, err);
	if (r < 0)
		goto out;
	nodes = json_object_get(chart, "nodes");
	count = json_array_size(nodes);
	if (!count) {
		r = mamori_err_set(err, MAMORI_EINVAL,
				   "連絡先がまだありません (mamori contact add side=internal role=院長 … で登録してください)");
		goto out;
	}
	mamori_today(today);
	title = xasprintf("連絡体制図 (%s)", fac.name);
	r = report_open(&rp, path, REPORT_LANDSCAPE, "連絡体制図", fac.name, err);
	if (r < 0)
		goto out;
	report_heading(rp, 1, title);
	line = xasprintf("左から右へ、番号の順に連絡します。青: 組織内、橙: 外部。作成 %s (mamori)。"
			 "電話番号が「(記入してください)」の連絡先は、病院で番号を確かめて記入してください。",
			 today);
	report_paragraph(rp, line, 1);
	contact_chart_draw(rp, chart, report_space_left(rp) - 4);
	report_page_break(rp);
	report_heading(rp, 2, "連絡先一覧");
	{
		const char *head[] = { "番号", "区分", "役割", "組織・氏名", "電話", "夜間・休日", "メール", "備考" };
		const double w[] = { 12, 12, 45, 55, 30, 30, 40, 43 };
		const char **cells = xcalloc(count * 8, sizeof(*cells));
		char **who = xcalloc(count, sizeof(*who));
		json_array_foreach(nodes, i, n) {
			const char *org = json_string_value(json_object_get(n, "organisation"));
			const char *vn = json_string_value(json_object_get(n, "vendor_name"));
			const char *nm = json_string_value(json_object_get(n, "name"));
			const char *ph = json_string_value(json_object_get(n, "phone"));
			who[i] = xasprintf("%s%s%s", org ? org : vn ? vn : "", (org || vn) && nm ? " " : "", nm ? nm : "");
			cells[i * 8] = json_string_value(json_object_get(n, "number"));
			cells[i * 8 + 1] = json_string_value(json_object_get(n, "side_label"));
			cells[i * 8 + 2] = json_string_value(json_object_get(n, "role"));
			cells[i * 8 + 3] = who[i];
			cells[i * 8 + 4] = ph ? ph : json_string_value(json_object_get(n, "vendor_emergency_phone"));
			cells[i * 8 + 5] = json_string_value(json_object_get(n, "phone_after_hours"));
			cells[i * 8 + 6] = json_string_value(json_object_get(n, "email"));
			cells[i * 8 + 7] = json_string_value(json_object_get(n, "note"));
		}
		report_table(rp, 8, head, w, count, cells);
		for (i = 0; i < count; i++)
			free(who[i]);
		free(who);
		free(cells);
	}
	r = report_close(rp, err);
	rp = NULL;
out:
	report_abort(rp);
	json_decref(chart);
	ledger_facility_release(&fac);
	free(title);
	free(line);
	return r;
}
