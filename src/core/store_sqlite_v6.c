/*
 * store_sqlite_v6.c - migration 6: the account inventory (accounts per
 * system and device, with holder, role, administrator rights, kind, last
 * use and the holder's employment status), the registry fields of
 * emergency (非常時用) accounts, and the contact chart (連絡体制図).
 *
 * Table account (written only through account.c; docs/internals/accounts.md):
 *   - kind: personal | shared | maintenance | emergency (非常時用).
 *   - status: enabled | disabled | deleted.  "disabled" is what
 *     "mamori account disable" sets (with disabled_at = the moment, RFC 3339
 *     UTC; "enable" clears it).
 *   - dates created_on, last_used_on: YYYY-MM-DD.
 *   - credential_rotated_on: when the password or key was last changed,
 *     either the moment "mamori account rotate" recorded it (RFC 3339 UTC
 *     with milliseconds, "2026-11-21T05:01:45.123Z") or a date the officer
 *     gave for a change made earlier ("2026-11-21").  Compare it with
 *     emergency_use.used_at (RFC 3339 UTC) as text: a date alone sorts
 *     before every time of that day, so a change recorded by date only counts
 *     as made after a use only from the next day on; a rotation recorded
 *     with its moment counts when it is later than the use.
 *   - the unique key is (facility, system, device, login); an account
 *     belongs to a system, a device or both.
 */
#include "common.h"
#include "store_sqlite_schema.h"

const char store_sqlite_schema_v6[] =
	"CREATE TABLE account (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  facility_id INTEGER NOT NULL REFERENCES facility(id),\n"
	"  system_id INTEGER REFERENCES system(id),\n"
	"  device_id INTEGER REFERENCES device(id),\n"
	"  login TEXT NOT NULL,\n"            /* ログインID */
	"  holder TEXT,\n"                    /* 利用者 */
	"  holder_role TEXT,\n"               /* 職種・担当業務 */
	"  department TEXT,\n"
	"  kind TEXT NOT NULL DEFAULT 'personal' CHECK (kind IN ('personal','shared','maintenance','emergency')),\n"
	"  admin INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0,1)),\n"
	"  two_factor INTEGER CHECK (two_factor IN (0,1)),\n"
	"  created_on TEXT,\n"
	"  last_used_on TEXT,\n"
	"  holder_status TEXT NOT NULL DEFAULT 'active' CHECK (holder_status IN ('active','retired','leave','external')),\n"
	"  status TEXT NOT NULL DEFAULT 'enabled' CHECK (status IN ('enabled','disabled','deleted')),\n"
	"  emergency_users TEXT,\n"           /* 非常時用: 使用できる人 */
	"  emergency_procedure TEXT,\n"       /* 非常時用: 使い方・保管場所 */
	"  credential_rotated_on TEXT,\n"    /* date, or RFC 3339 UTC: see above */
	"  disabled_at TEXT,\n"              /* RFC 3339 UTC, while status = 'disabled' */
	"  note TEXT,\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL);\n"
	"CREATE UNIQUE INDEX account_key ON account (facility_id, coalesce(system_id, 0),\n"
	"  coalesce(device_id, 0), login);\n"
	"CREATE INDEX account_kind ON account (kind, status);\n"
	"CREATE TABLE contact (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  facility_id INTEGER NOT NULL REFERENCES facility(id),\n"
	"  side TEXT NOT NULL CHECK (side IN ('internal','external')),\n"
	"  role TEXT NOT NULL,\n"             /* 院長, 医療情報システム安全管理責任者, 警察 … */
	"  name TEXT,\n"
	"  organisation TEXT,\n"
	"  phone TEXT,\n"
	"  phone_after_hours TEXT,\n"
	"  email TEXT,\n"
	"  vendor_id INTEGER REFERENCES vendor(id),\n"
	"  parent_id INTEGER REFERENCES contact(id),\n" /* who calls this contact */
	"  call_order INTEGER NOT NULL DEFAULT 0,\n"
	"  note TEXT,\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL);\n";
