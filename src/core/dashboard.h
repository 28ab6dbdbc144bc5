/*
 * dashboard.h - the figures of the dashboard: what the ledger holds and what
 * an officer should look at first.
 *
 * Warnings (each with a code, a Japanese message, a count and up to
 * DASHBOARD_SAMPLE device ids to link to):
 *   no_owner                 devices in use without 申請者/管理者
 *   no_ip                    devices in use without an IP address
 *                            (network devices, servers, PCs, printers)
 *   remote_without_contract  devices with remote maintenance whose vendor has
 *                            no contract with remote maintenance recorded
 *   no_antivirus             servers and PCs in use without antivirus
 *   unpatched                devices in use whose OS patches are not applied
 *   eos_ended                devices in use whose OS is past its end of
 *                            security support (eoscat.h), listed first
 *   eos_ending               … whose support ends within 12 months
 *   emergency_use            (hospital only) emergency accounts used and not yet
 *                            disabled or rotated: severity "alert", "href" to the
 *                            incidents screen, "uses" instead of devices (emergency.h)
 * plus "end_of_support": {"today", "ended", "ending", "supported", "unknown"}
 * and, for the hospital (vendor NULL), "checklist": {"fiscal_year", "today",
 * "contradicted", "overdue", "findings": [checklist_findings()], "sheets":
 * [checklist_sheets_json()]} for the current fiscal year, and "logs": the
 * alerts of the access-log detections (logdetect_dashboard(): "open",
 * "total", "by_kind", the DASHBOARD_LOG_ALERTS newest open ones, "href").
 */
#ifndef MAMORI_DASHBOARD_H
#define MAMORI_DASHBOARD_H

#include <jansson.h>

struct mamori_err;
struct store;

#define DASHBOARD_SAMPLE 50
#define DASHBOARD_LOG_ALERTS 5

/*
 * Builds {"facility":…, "devices": {"total", "in_use", "by_kind": {…},
 * "by_department": {…}, "by_status": {…}}, "warnings": [...]} in *out.
 * vendor (may be NULL) restricts everything to that vendor's devices.
 */
int dashboard_figures(struct store *st, const char *vendor, json_t **out,
		      struct mamori_err *err);

#endif
