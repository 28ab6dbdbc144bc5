/*
 * api.h - handlers of the JSON API under /api/v1/ (the route table is in
 * api.c; docs/API.md describes every route for clients).
 */
#ifndef MAMORI_API_H
#define MAMORI_API_H

#include "http.h"

/* api_auth.c */
void api_login(struct http_request *req);
void api_logout(struct http_request *req);
void api_session(struct http_request *req);
void api_password(struct http_request *req);
void api_totp_begin(struct http_request *req);
void api_totp_confirm(struct http_request *req);

/* api_assets.c */
void api_assets_list(struct http_request *req);
void api_assets_get(struct http_request *req);
void api_assets_create(struct http_request *req);
void api_assets_update(struct http_request *req);
void api_assets_retire(struct http_request *req);
void api_assets_dispose(struct http_request *req);
void api_assets_import(struct http_request *req);
void api_assets_export(struct http_request *req);
void api_assets_fields(struct http_request *req);

/* api_misc.c */
void api_dashboard(struct http_request *req);
void api_journal_list(struct http_request *req);
void api_journal_verify(struct http_request *req);
void api_journal_head(struct http_request *req);
void api_systems(struct http_request *req);
void api_vendors(struct http_request *req);
void api_contracts(struct http_request *req);
void api_locations(struct http_request *req);

/* api_checklist.c */
void api_checklists_list(struct http_request *req);
void api_checklists_open(struct http_request *req);
void api_checklists_vendor_request(struct http_request *req);
void api_checklists_pack(struct http_request *req);
void api_checklists_get(struct http_request *req);
void api_checklists_answer_set(struct http_request *req);
void api_checklists_answer_clear(struct http_request *req);
void api_checklists_submit(struct http_request *req);
void api_checklists_review(struct http_request *req);
void api_checklists_export(struct http_request *req);
void api_checklist_wording(struct http_request *req);
void api_documents_list(struct http_request *req);
void api_documents_create(struct http_request *req);
void api_documents_update(struct http_request *req);

/* api_logalerts.c: detections of the access-log vault */
void api_logalerts_list(struct http_request *req);
void api_logalerts_ack(struct http_request *req);
void api_logwatch_list(struct http_request *req);
void api_logwatch_create(struct http_request *req);
void api_logwatch_delete(struct http_request *req);
void api_logsettings(struct http_request *req);

/* api_accounts.c */
void api_accounts_list(struct http_request *req);
void api_accounts_fields(struct http_request *req);
void api_accounts_get(struct http_request *req);
void api_accounts_create(struct http_request *req);
void api_accounts_update(struct http_request *req);
void api_accounts_disable(struct http_request *req);
void api_accounts_enable(struct http_request *req);
void api_accounts_rotate(struct http_request *req);
void api_accounts_import(struct http_request *req);
void api_accounts_export(struct http_request *req);
void api_accounts_settings(struct http_request *req);

/* api_incidents.c: incidents, emergency-account uses, drills */
void api_incidents_list(struct http_request *req);
void api_incidents_open(struct http_request *req);
void api_incidents_catalog(struct http_request *req);
void api_incidents_verify(struct http_request *req);
void api_incidents_get(struct http_request *req);
void api_incidents_triage(struct http_request *req);
void api_incidents_act(struct http_request *req);
void api_incidents_note(struct http_request *req);
void api_incidents_notify(struct http_request *req);
void api_incidents_draft(struct http_request *req);
void api_incidents_announce(struct http_request *req);
void api_incidents_emergency(struct http_request *req);
void api_incidents_recover(struct http_request *req);
void api_incidents_review(struct http_request *req);
void api_incidents_approve(struct http_request *req);
void api_incidents_close(struct http_request *req);
void api_incidents_report(struct http_request *req);
void api_emergency_uses_list(struct http_request *req);
void api_emergency_uses_create(struct http_request *req);
void api_drills_list(struct http_request *req);
void api_drills_create(struct http_request *req);
void api_drills_update(struct http_request *req);

/* api_contacts.c: the contact chart */
void api_contacts_list(struct http_request *req);
void api_contacts_create(struct http_request *req);
void api_contacts_update(struct http_request *req);
void api_contacts_delete(struct http_request *req);
void api_contacts_pdf(struct http_request *req);

/* api_bcp.c: the IT-BCP */
void api_bcp_get(struct http_request *req);
void api_bcp_export(struct http_request *req);
void api_bcp_kit(struct http_request *req);
void api_bcp_system_set(struct http_request *req);
void api_bcp_backup_create(struct http_request *req);
void api_bcp_backup_update(struct http_request *req);
void api_bcp_backup_delete(struct http_request *req);
void api_bcp_template_set(struct http_request *req);

/* api_logs.c: the access-log vault */
void api_logs_events(struct http_request *req);
void api_logs_events_csv(struct http_request *req);
void api_logs_event(struct http_request *req);
void api_logs_proof(struct http_request *req);
void api_logs_checkpoint(struct http_request *req);
/* POST /api/v1/logs/checkpoint: signs one now (through the receivers'
 * writer when they run), journaled. */
void api_logs_checkpoint_new(struct http_request *req);

/* api_users.c */
void api_users_list(struct http_request *req);
void api_users_create(struct http_request *req);
void api_users_update(struct http_request *req);
void api_users_password(struct http_request *req);
void api_users_totp_reset(struct http_request *req);

/*
 * The vendor name a vendor-role user is restricted to (malloc'd), or NULL
 * for every other role.  On failure answers 500 and returns NULL with
 * *failed set.
 */
char *api_vendor_scope(struct http_request *req, int *failed);

#endif
