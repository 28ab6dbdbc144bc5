/*
 * api.c - the route table of the JSON API.  Each route says who may call it
 * (roles) and whether it changes state (CSRF token required).
 */
#include "common.h"
#include "api.h"
#include "ledger.h"
#include "store.h"

#define ALL HTTP_ROLES_ALL
#define READ_ALL HTTP_ROLES_READ_ALL
#define WRITE HTTP_ROLES_WRITE
#define ADMIN HTTP_ROLE(USER_ADMIN)
#define JOURNAL (HTTP_ROLE(USER_ADMIN) | HTTP_ROLE(USER_OFFICER) | HTTP_ROLE(USER_AUDITOR))
#define OFFICERS (HTTP_ROLE(USER_ADMIN) | HTTP_ROLE(USER_OFFICER))
#define VENDOR HTTP_ROLE(USER_VENDOR)
#define CSRF HTTP_NEEDS_CSRF
#define LIMITED HTTP_RESTRICTED_OK

const struct http_route api_routes[] = {
	{ "POST", "/api/v1/login", api_login, HTTP_PUBLIC, 0 },
	{ "POST", "/api/v1/logout", api_logout, CSRF | LIMITED, ALL },
	{ "GET", "/api/v1/session", api_session, LIMITED, ALL },
	{ "POST", "/api/v1/password", api_password, CSRF | LIMITED, ALL },
	{ "POST", "/api/v1/totp/begin", api_totp_begin, CSRF | LIMITED, ALL },
	{ "POST", "/api/v1/totp/confirm", api_totp_confirm, CSRF | LIMITED, ALL },

	{ "GET", "/api/v1/dashboard", api_dashboard, 0, ALL },

	{ "GET", "/api/v1/assets", api_assets_list, 0, ALL },
	{ "POST", "/api/v1/assets", api_assets_create, CSRF, WRITE },
	{ "GET", "/api/v1/assets/fields", api_assets_fields, 0, ALL },
	{ "GET", "/api/v1/assets/export", api_assets_export, 0, ALL },
	{ "POST", "/api/v1/assets/import", api_assets_import, CSRF | HTTP_RAW_BODY, WRITE },
	{ "GET", "/api/v1/assets/{id}", api_assets_get, 0, ALL },
	{ "PATCH", "/api/v1/assets/{id}", api_assets_update, CSRF, WRITE },
	{ "POST", "/api/v1/assets/{id}/retire", api_assets_retire, CSRF, WRITE },
	{ "POST", "/api/v1/assets/{id}/dispose", api_assets_dispose, CSRF, WRITE },

	{ "GET", "/api/v1/systems", api_systems, 0, READ_ALL },
	{ "GET", "/api/v1/vendors", api_vendors, 0, READ_ALL },
	{ "GET", "/api/v1/contracts", api_contracts, 0, READ_ALL },
	{ "GET", "/api/v1/locations", api_locations, 0, READ_ALL },

	{ "GET", "/api/v1/checklists", api_checklists_list, 0, ALL },
	{ "POST", "/api/v1/checklists", api_checklists_open, CSRF, OFFICERS },
	{ "POST", "/api/v1/checklists/vendor-requests", api_checklists_vendor_request, CSRF, OFFICERS },
	{ "GET", "/api/v1/checklists/pack", api_checklists_pack, 0, READ_ALL },
	{ "GET", "/api/v1/checklists/{id}", api_checklists_get, 0, ALL },
	{ "PUT", "/api/v1/checklists/{id}/answers", api_checklists_answer_set, CSRF, OFFICERS | VENDOR },
	{ "DELETE", "/api/v1/checklists/{id}/answers", api_checklists_answer_clear, CSRF, OFFICERS | VENDOR },
	{ "POST", "/api/v1/checklists/{id}/submit", api_checklists_submit, CSRF, OFFICERS | VENDOR },
	{ "POST", "/api/v1/checklists/{id}/review", api_checklists_review, CSRF, OFFICERS },
	{ "GET", "/api/v1/checklists/{id}/export", api_checklists_export, 0, ALL },
	{ "PUT", "/api/v1/checklist-items/{key}/wording", api_checklist_wording, CSRF, OFFICERS },

	{ "GET", "/api/v1/documents", api_documents_list, 0, READ_ALL },
	{ "POST", "/api/v1/documents", api_documents_create, CSRF, OFFICERS },
	{ "PATCH", "/api/v1/documents/{id}", api_documents_update, CSRF, OFFICERS },

	{ "GET", "/api/v1/journal", api_journal_list, 0, JOURNAL },
	{ "GET", "/api/v1/journal/head", api_journal_head, 0, JOURNAL },
	{ "POST", "/api/v1/journal/verify", api_journal_verify, CSRF, JOURNAL },

	/* account inventory and emergency accounts: vendors are refused (docs/API.md) */
	{ "GET", "/api/v1/accounts", api_accounts_list, 0, READ_ALL },
	{ "POST", "/api/v1/accounts", api_accounts_create, CSRF, OFFICERS },
	{ "GET", "/api/v1/accounts/fields", api_accounts_fields, 0, READ_ALL },
	{ "GET", "/api/v1/accounts/export", api_accounts_export, 0, READ_ALL },
	{ "POST", "/api/v1/accounts/import", api_accounts_import, CSRF | HTTP_RAW_BODY, OFFICERS },
	{ "GET", "/api/v1/accounts/settings", api_accounts_settings, 0, READ_ALL },
	{ "PUT", "/api/v1/accounts/settings", api_accounts_settings, CSRF, OFFICERS },
	{ "GET", "/api/v1/accounts/{id}", api_accounts_get, 0, READ_ALL },
	{ "PATCH", "/api/v1/accounts/{id}", api_accounts_update, CSRF, OFFICERS },
	{ "POST", "/api/v1/accounts/{id}/disable", api_accounts_disable, CSRF, OFFICERS },
	{ "POST", "/api/v1/accounts/{id}/enable", api_accounts_enable, CSRF, OFFICERS },
	{ "POST", "/api/v1/accounts/{id}/rotate", api_accounts_rotate, CSRF, OFFICERS },

	/* incidents, emergency-account uses, contact chart, BCP, drills: vendors are refused;
	 * the staff at the scene record, officers approve and close (api_incidents.c) */
	{ "GET", "/api/v1/incidents", api_incidents_list, 0, READ_ALL },
	{ "POST", "/api/v1/incidents", api_incidents_open, CSRF, WRITE },
	{ "GET", "/api/v1/incidents/catalog", api_incidents_catalog, 0, READ_ALL },
	{ "POST", "/api/v1/incidents/verify", api_incidents_verify, CSRF, READ_ALL },
	{ "GET", "/api/v1/incidents/{id}", api_incidents_get, 0, READ_ALL },
	{ "POST", "/api/v1/incidents/{id}/triage", api_incidents_triage, CSRF, WRITE },
	{ "POST", "/api/v1/incidents/{id}/actions", api_incidents_act, CSRF, WRITE },
	{ "POST", "/api/v1/incidents/{id}/notes", api_incidents_note, CSRF, WRITE },
	{ "POST", "/api/v1/incidents/{id}/notifications", api_incidents_notify, CSRF, WRITE },
	{ "GET", "/api/v1/incidents/{id}/drafts/{key}", api_incidents_draft, 0, READ_ALL },
	{ "POST", "/api/v1/incidents/{id}/announcements", api_incidents_announce, CSRF, WRITE },
	{ "POST", "/api/v1/incidents/{id}/emergency-uses", api_incidents_emergency, CSRF, WRITE },
	{ "POST", "/api/v1/incidents/{id}/recover", api_incidents_recover, CSRF, WRITE },
	{ "POST", "/api/v1/incidents/{id}/review", api_incidents_review, CSRF, WRITE },
	{ "POST", "/api/v1/incidents/{id}/approve", api_incidents_approve, CSRF, OFFICERS },
	{ "POST", "/api/v1/incidents/{id}/close", api_incidents_close, CSRF, OFFICERS },
	{ "GET", "/api/v1/incidents/{id}/report", api_incidents_report, 0, READ_ALL },
	{ "GET", "/api/v1/emergency-uses", api_emergency_uses_list, 0, READ_ALL },
	{ "POST", "/api/v1/emergency-uses", api_emergency_uses_create, CSRF, WRITE },
	{ "GET", "/api/v1/contacts", api_contacts_list, 0, READ_ALL },
	{ "POST", "/api/v1/contacts", api_contacts_create, CSRF, OFFICERS },
	{ "GET", "/api/v1/contacts/chart", api_contacts_pdf, 0, READ_ALL },
	{ "PATCH", "/api/v1/contacts/{id}", api_contacts_update, CSRF, OFFICERS },
	{ "DELETE", "/api/v1/contacts/{id}", api_contacts_delete, CSRF, OFFICERS },
	{ "GET", "/api/v1/bcp", api_bcp_get, 0, READ_ALL },
	{ "GET", "/api/v1/bcp/export", api_bcp_export, 0, READ_ALL },
	{ "GET", "/api/v1/bcp/kit", api_bcp_kit, 0, READ_ALL },
	{ "PUT", "/api/v1/bcp/systems/{id}", api_bcp_system_set, CSRF, OFFICERS },
	{ "POST", "/api/v1/bcp/backups", api_bcp_backup_create, CSRF, OFFICERS },
	{ "PATCH", "/api/v1/bcp/backups/{id}", api_bcp_backup_update, CSRF, OFFICERS },
	{ "DELETE", "/api/v1/bcp/backups/{id}", api_bcp_backup_delete, CSRF, OFFICERS },
	{ "PUT", "/api/v1/bcp/templates/{key}", api_bcp_template_set, CSRF, OFFICERS },
	{ "GET", "/api/v1/drills", api_drills_list, 0, READ_ALL },
	{ "POST", "/api/v1/drills", api_drills_create, CSRF, OFFICERS },
	{ "PATCH", "/api/v1/drills/{id}", api_drills_update, CSRF, OFFICERS },

	{ "GET", "/api/v1/logs/events", api_logs_events, 0, READ_ALL },
	{ "GET", "/api/v1/logs/events.csv", api_logs_events_csv, 0, READ_ALL },
	{ "GET", "/api/v1/logs/events/{key}", api_logs_event, 0, READ_ALL },
	{ "GET", "/api/v1/logs/events/{key}/proof", api_logs_proof, 0, READ_ALL },
	{ "GET", "/api/v1/logs/checkpoint", api_logs_checkpoint, 0, READ_ALL },
	{ "POST", "/api/v1/logs/checkpoint", api_logs_checkpoint_new, CSRF, OFFICERS },
	{ "GET", "/api/v1/logs/alerts", api_logalerts_list, 0, READ_ALL },
	{ "POST", "/api/v1/logs/alerts/{id}/ack", api_logalerts_ack, CSRF, OFFICERS },
	{ "GET", "/api/v1/logs/watch", api_logwatch_list, 0, JOURNAL },
	{ "POST", "/api/v1/logs/watch", api_logwatch_create, CSRF, OFFICERS },
	{ "DELETE", "/api/v1/logs/watch/{id}", api_logwatch_delete, CSRF, OFFICERS },
	{ "GET", "/api/v1/logs/settings", api_logsettings, 0, READ_ALL },
	{ "PUT", "/api/v1/logs/settings", api_logsettings, CSRF, OFFICERS },

	{ "GET", "/api/v1/users", api_users_list, 0, ADMIN },
	{ "POST", "/api/v1/users", api_users_create, CSRF, ADMIN },
	{ "PATCH", "/api/v1/users/{id}", api_users_update, CSRF, ADMIN },
	{ "POST", "/api/v1/users/{id}/password", api_users_password, CSRF, ADMIN },
	{ "POST", "/api/v1/users/{id}/totp-reset", api_users_totp_reset, CSRF, ADMIN },
	{ NULL, NULL, NULL, 0, 0 },
};

char *api_vendor_scope(struct http_request *req, int *failed)
{
	struct mamori_err err = { 0 };
	json_t *v = NULL;
	char *name;

	*failed = 0;
	if (req->user.role != USER_VENDOR)
		return NULL;
	if (ledger_get(http_store(req), LEDGER_VENDOR, req->user.vendor_id, &v, &err) < 0) {
		*failed = 1;
		http_error_from(req, &err);
		return NULL;
	}
	name = xstrdup(ledger_record_name(v));
	json_decref(v);
	return name;
}
