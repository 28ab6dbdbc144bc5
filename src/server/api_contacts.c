/*
 * api_contacts.c - the contact chart (連絡体制図, contact.h) over HTTP: the
 * list in calling order with the chart's layout (the UI draws the SVG from
 * it), add, change, remove (admin, officer), and the PDF for the wall.
 */
#include "common.h"
#include "api.h"
#include "api_util.h"
#include "contact.h"
#include "fileio.h"
#include "ledger.h"
#include "store.h"

void api_contacts_list(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *chart = NULL, *vendors = NULL, *names = json_array(), *v;
	size_t i;

	if (!st) {
		json_decref(names);
		return;
	}
	if (contact_chart(st, &chart, &err) < 0 || ledger_list(st, LEDGER_VENDOR, &vendors, &err) < 0) {
		json_decref(chart);
		json_decref(names);
		http_error_from(req, &err);
		return;
	}
	json_array_foreach(vendors, i, v)
		json_array_append_new(names, json_pack("{s:O, s:s, s:O}", "id", json_object_get(v, "id"), "name",
						       ledger_record_name(v), "emergency_phone",
						       json_object_get(v, "emergency_phone") ? json_object_get(v, "emergency_phone") : json_null()));
	json_decref(vendors);
	json_object_set_new(chart, "vendors", names);
	http_json(req, 200, chart);
}

static void write_contact(struct http_request *req, int kind)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *body = kind == 'r' ? NULL : http_body_json(req);
	char actor[128];
	int64_t id = kind == 'a' ? 0 : req->params[0];
	int r;

	if (!st || (kind != 'r' && !body))
		goto out;
	if (api_tx_begin(req, st, &err) < 0)
		goto out;
	http_actor(req, actor, sizeof(actor));
	r = kind == 'a' ? contact_add(st, actor, body, &id, &err)
	    : kind == 'e' ? contact_edit(st, actor, id, body, &err)
			  : contact_remove(st, actor, id, &err);
	if (api_tx_end(req, st, r, &err) < 0)
		goto out;
	if (kind == 'r')
		http_no_content(req);
	else
		http_json(req, kind == 'a' ? 201 : 200, json_pack("{s:I}", "id", (json_int_t)id));
out:
	json_decref(body);
}

void api_contacts_create(struct http_request *req) { write_contact(req, 'a'); }
void api_contacts_update(struct http_request *req) { write_contact(req, 'e'); }
void api_contacts_delete(struct http_request *req) { write_contact(req, 'r'); }

void api_contacts_pdf(struct http_request *req)
{
	struct mamori_err err = { 0 };
	char *tmp = fileio_temp_name("/tmp/mamori-export"), *data = NULL;
	size_t len = 0;
	int r;

	if (!http_store(req)) {
		free(tmp);
		return;
	}
	r = contact_chart_pdf(http_store(req), tmp, &err);
	if (r == 0)
		r = fileio_read_all(tmp, (size_t)1 << 30, &data, &len, &err);
	fileio_discard_temp(tmp);
	free(tmp);
	if (r == 0)
		http_bytes(req, 200, "application/pdf", data, len, "連絡体制図.pdf");
	else
		http_error_from(req, &err);
	free(data);
}
