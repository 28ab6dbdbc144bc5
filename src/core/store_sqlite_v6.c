/*
 * store_sqlite_v6.c - migration 6: the account inventory (accounts per
 * system and device, with holder, role, administrator rights, kind, last
 * use and the holder's employment status), the registry fields of
 * emergency (非常時用) accounts, and the contact chart (連絡体制図).
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
	"  credential_rotated_on TEXT,\n"
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
