/*
 * store_sqlite_v7.c - migration 7: incidents with their triage, actions,
 * notifications, announcements and a timeline hash-chained like the
 * journal; uses of emergency accounts; drills (訓練).
 */
#include "common.h"
#include "store_sqlite_schema.h"

const char store_sqlite_schema_v7[] =
	"CREATE TABLE incident (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  facility_id INTEGER NOT NULL REFERENCES facility(id),\n"
	"  title TEXT NOT NULL,\n"
	"  category TEXT NOT NULL CHECK (category IN ('equipment','cyberattack','power','disaster')),\n"
	"  level INTEGER CHECK (level BETWEEN 1 AND 5),\n"
	"  proposed_level INTEGER CHECK (proposed_level BETWEEN 1 AND 5),\n"
	"  triage TEXT,\n"                    /* JSON: the answers to the checks */
	"  status TEXT NOT NULL CHECK (status IN ('open','recovered','closed')),\n"
	"  drill INTEGER NOT NULL DEFAULT 0 CHECK (drill IN (0,1)),\n"
	"  detected_at TEXT,\n"
	"  opened_at TEXT NOT NULL,\n"
	"  opened_by TEXT NOT NULL,\n"
	"  recovered_at TEXT,\n"
	"  closed_at TEXT,\n"
	"  closed_by TEXT,\n"
	"  review TEXT,\n"                    /* JSON: 事後検証 (causes, measures) */
	"  report_approved_at TEXT,\n"
	"  report_approved_by TEXT);\n"
	"CREATE TABLE incident_event (\n"
	"  incident_id INTEGER NOT NULL REFERENCES incident(id),\n"
	"  seq INTEGER NOT NULL,\n"
	"  time TEXT NOT NULL,\n"
	"  actor TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL,\n"
	"  body TEXT NOT NULL,\n"             /* JSON */
	"  prev_hash TEXT NOT NULL,\n"
	"  hash TEXT NOT NULL,\n"
	"  PRIMARY KEY (incident_id, seq));\n"
	"CREATE TABLE emergency_use (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  account_id INTEGER NOT NULL REFERENCES account(id),\n"
	"  incident_id INTEGER REFERENCES incident(id),\n"
	"  used_at TEXT NOT NULL,\n"
	"  used_by TEXT,\n"
	"  reason TEXT,\n"                    /* required without an open incident */
	"  source TEXT NOT NULL CHECK (source IN ('recorded','reported','log')),\n"
	"  recorded_at TEXT NOT NULL,\n"
	"  recorded_by TEXT NOT NULL,\n"
	"  resolved TEXT CHECK (resolved IN ('disabled','rotated')),\n"
	"  resolved_at TEXT,\n"
	"  resolved_by TEXT);\n"
	"CREATE TABLE drill (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  facility_id INTEGER NOT NULL REFERENCES facility(id),\n"
	"  title TEXT NOT NULL,\n"
	"  planned_on TEXT,\n"
	"  done_on TEXT,\n"
	"  scenario TEXT,\n"
	"  participants TEXT,\n"
	"  findings TEXT,\n"
	"  bcp_changes TEXT,\n"               /* BCP revisions the drill led to */
	"  incident_id INTEGER REFERENCES incident(id),\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL);\n";
