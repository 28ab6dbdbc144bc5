/*
 * store_sqlite_v7.c - migration 7: the IT-BCP and incidents (docs/internals/incidents.md).
 *
 *   incident               one event handled as an incident (or a drill of one): its
 *                          triage (category, answers, proposed and chosen level L1-L5),
 *                          status open → recovered (正常復帰) → closed, the 事後検証 and
 *                          the approval of the management report; timeline_seq and
 *                          timeline_hash are the head of its timeline
 *   incident_event         the timeline, append-only and hash-chained per incident like
 *                          the journal: actions ticked, notifications, reports to the
 *                          authorities, announcements, notes all live here
 *   emergency_use          each use of an emergency (非常時用) account (account.kind =
 *                          'emergency', migration 6), inside an incident or with a reason
 *   drill                  訓練: plan, record, findings and the BCP revisions they led to
 *   system_bcp             per system: 優先度 and 許容停止時間 and the fallback (代替手段)
 *   backup_plan            per system: what, how often, how (media 追記可能 / 追記不能 /
 *                          offline), generations, where, and the restore procedure
 *   announcement_template  the hospital's own wording of 院内放送 (1)-(5); without a row
 *                          the shipped draft (incident.c) is used
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
	"  report_approved_by TEXT,\n"
	"  timeline_seq INTEGER NOT NULL DEFAULT 0,\n"
	"  timeline_hash TEXT NOT NULL DEFAULT "
	"'0000000000000000000000000000000000000000000000000000000000000000');\n"
	"CREATE INDEX incident_status ON incident (status, opened_at);\n"
	"CREATE TABLE incident_event (\n"
	"  incident_id INTEGER NOT NULL REFERENCES incident(id),\n"
	"  seq INTEGER NOT NULL,\n"
	"  time TEXT NOT NULL,\n"
	"  actor TEXT NOT NULL,\n"
	"  kind TEXT NOT NULL,\n"
	"  body TEXT NOT NULL,\n"             /* canonical JSON */
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
	"CREATE INDEX emergency_use_incident ON emergency_use (incident_id);\n"
	"CREATE INDEX emergency_use_account ON emergency_use (account_id);\n"
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
	"  updated_at TEXT NOT NULL);\n"
	"CREATE TABLE system_bcp (\n"
	"  system_id INTEGER PRIMARY KEY REFERENCES system(id),\n"
	"  priority INTEGER CHECK (priority BETWEEN 1 AND 9),\n"
	"  tolerable_downtime TEXT,\n"        /* 許容停止時間, as the hospital writes it */
	"  fallback TEXT,\n"                  /* 代替手段 while it is down */
	"  updated_at TEXT NOT NULL);\n"
	"CREATE TABLE backup_plan (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  facility_id INTEGER NOT NULL REFERENCES facility(id),\n"
	"  system_id INTEGER NOT NULL REFERENCES system(id),\n"
	"  target TEXT,\n"
	"  frequency TEXT NOT NULL,\n"
	"  method TEXT,\n"
	"  media TEXT NOT NULL CHECK (media IN ('rewritable','worm','offline')),\n"
	"  generations INTEGER CHECK (generations >= 0),\n"
	"  location TEXT,\n"
	"  restore_procedure TEXT,\n"
	"  note TEXT,\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL);\n"
	"CREATE TABLE announcement_template (\n"
	"  code TEXT PRIMARY KEY CHECK (code IN ('1','2','3','4','5')),\n"
	"  text TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL,\n"
	"  updated_by TEXT NOT NULL);\n";
