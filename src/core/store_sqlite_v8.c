/*
 * store_sqlite_v8.c - migration 8: the detections of the access-log vault
 * (docs/internals/logdetect.md).  The events themselves live in the vault
 * (logstore.h, its own index.db); what the detections found, and the
 * patients to watch, are records like any other and live here, journaled.
 *
 *   log_alert  one alert raised by a rule on ingest (logdetect.c):
 *              kind       emergency_use | retired_login | unused_login |
 *                         off_hours | failed_burst | watched_patient
 *              severity   high | medium | low
 *              seq        the vault sequence number of the triggering event
 *              at         the event time (RFC 3339 UTC; the receipt time
 *                         when the message had none)
 *              user, patient, host, source: as extracted (NULL: unknown)
 *              detail     a Japanese sentence saying what happened
 *              created    when the alert was stored (RFC 3339 UTC)
 *              ack_by, ack_at: who confirmed it (確認済) and when; NULL
 *                         while open
 *   log_watch  patients whose records are watched (職員, VIP, 本人申出 …):
 *              any access by anyone raises an alert, one per user, patient
 *              and day.  patient is unique (the EHR's patient id as text).
 */
#include "common.h"
#include "store_sqlite_schema.h"

const char store_sqlite_schema_v8[] =
	"CREATE TABLE log_alert (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('emergency_use','retired_login','unused_login',\n"
	"    'off_hours','failed_burst','watched_patient')),\n"
	"  severity TEXT NOT NULL CHECK (severity IN ('high','medium','low')),\n"
	"  seq INTEGER NOT NULL,\n"
	"  at TEXT NOT NULL,\n"
	"  user TEXT,\n"
	"  patient TEXT,\n"
	"  host TEXT,\n"
	"  source TEXT,\n"
	"  detail TEXT NOT NULL,\n"
	"  created TEXT NOT NULL,\n"
	"  ack_by TEXT,\n"
	"  ack_at TEXT);\n"
	"CREATE INDEX log_alert_at ON log_alert (at);\n"
	"CREATE INDEX log_alert_open ON log_alert (ack_at, kind);\n"
	"CREATE TABLE log_watch (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  patient TEXT NOT NULL UNIQUE,\n"
	"  reason TEXT NOT NULL,\n"
	"  note TEXT,\n"
	"  created TEXT NOT NULL,\n"
	"  created_by TEXT NOT NULL);\n";
