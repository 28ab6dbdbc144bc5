/*
 * api_bcp.c - the IT-BCP over HTTP (bcp.h): one read of everything the BCP
 * is made of (systems with priority and tolerable downtime, backup plans,
 * announcement templates, emergency accounts, drills), their changes
 * (admin, officer), and the BCP and paper-kit PDFs.
 */
#include "common.h"
#include "api.h"
#include "api_util.h"
#include "bcp.h"
#include "drill.h"
#include "emergency.h"
#include "fileio.h"
#include "incident.h"
#include "store.h"

void api_bcp_get(struct http_request *req)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *systems = NULL, *backups = NULL, *templates = NULL, *accounts = NULL, *drills = NULL;

	if (!st)
		return;
	if (bcp_systems(st, &systems, &err) < 0 || bcp_backups(st, &backups, &err) < 0 ||
	    incident_templates(st, &templates, &err) < 0 || emergency_accounts(st, &accounts, &err) < 0 ||
	    drill_list(st, &drills, &err) < 0) {
		json_decref(systems);
		json_decref(backups);
		json_decref(templates);
		json_decref(accounts);
		http_error_from(req, &err);
		return;
	}
	http_json(req, 200, json_pack("{s:o, s:o, s:o, s:o, s:o}", "systems", systems, "backups", backups,
				      "templates", templates, "emergency_accounts", accounts, "drills", drills));
}

/* Runs one write in a transaction; answers {"ok": true, "id"} or the error. */
static void bcp_write(struct http_request *req, int kind)
{
	struct store *st = http_store(req);
	struct mamori_err err = { 0 };
	json_t *body = kind == 'd' ? NULL : http_body_json(req);
	char actor[128], sys[32];
	int64_t id = req->params[0];
	int r;

	if (!st || (kind != 'd' && !body))
		goto out;
	if (api_tx_begin(req, st, &err) < 0)
		goto out;
	http_actor(req, actor, sizeof(actor));
	switch (kind) {
	case 's':
		snprintf(sys, sizeof(sys), "#%lld", (long long)id);
		r = bcp_system_set(st, actor, sys, body, &err);
		break;
	case 'a':
		r = bcp_backup_add(st, actor, body, &id, &err);
		break;
	case 'e':
		r = bcp_backup_edit(st, actor, id, body, &err);
		break;
	case 'd':
		r = bcp_backup_remove(st, actor, id, &err);
		break;
	default: {
		json_t *t = json_object_get(body, "text");
		if (t && !json_is_null(t) && !json_is_string(t)) {
			r = mamori_err_set(&err, MAMORI_EINVAL, "text は文字列です");
			break;
		}
		r = incident_template_set(st, actor, req->keys[0], json_string_value(t), &err);
	}
	}
	if (api_tx_end(req, st, r, &err) < 0)
		goto out;
	if (kind == 'd')
		http_no_content(req);
	else
		http_json(req, kind == 'a' ? 201 : 200, json_pack("{s:b, s:I}", "ok", 1, "id", (json_int_t)id));
out:
	json_decref(body);
}

void api_bcp_system_set(struct http_request *req) { bcp_write(req, 's'); }
void api_bcp_backup_create(struct http_request *req) { bcp_write(req, 'a'); }
void api_bcp_backup_update(struct http_request *req) { bcp_write(req, 'e'); }
void api_bcp_backup_delete(struct http_request *req) { bcp_write(req, 'd'); }
void api_bcp_template_set(struct http_request *req) { bcp_write(req, 't'); }

static void pdf(struct http_request *req, int kit)
{
	struct mamori_err err = { 0 };
	char *tmp, *data = NULL;
	size_t len = 0;
	int r;

	if (!http_store(req))
		return;
	tmp = fileio_temp_name("/tmp/mamori-export");
	r = kit ? bcp_paper_kit_pdf(http_store(req), tmp, &err) : bcp_export_pdf(http_store(req), tmp, &err);
	if (r == 0)
		r = fileio_read_all(tmp, (size_t)1 << 30, &data, &len, &err);
	fileio_discard_temp(tmp);
	free(tmp);
	if (r == 0)
		http_bytes(req, 200, "application/pdf", data, len, kit ? "紙運用セット.pdf" : "IT-BCP.pdf");
	else
		http_error_from(req, &err);
	free(data);
}

void api_bcp_export(struct http_request *req) { pdf(req, 0); }
void api_bcp_kit(struct http_request *req) { pdf(req, 1); }
