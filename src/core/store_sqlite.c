/*
 * store_sqlite.c - the SQLite back end of struct store_backend.
 *
 * The database file is opened in WAL mode with synchronous=FULL, so that a
 * committed transaction survives a power cut, with foreign keys enforced and
 * a busy timeout so that a CLI command and the server can share the file.
 * Write transactions use BEGIN IMMEDIATE: the write lock is taken at the
 * start, so a transaction never fails half-way for lock upgrades.
 *
 * Schema migrations are numbered and applied in order, each in its own
 * transaction together with its row in schema_migrations.  A store written
 * by a newer mamori (a version above what this build knows) is refused.
 *
 * Statements are cached per connection: store_finalize() keeps a statement
 * (reset, its bindings cleared) for the next store_prepare() of the same
 * SQL text, because preparing costs more than running most of mamori's
 * statements (a journal entry runs four, an access-log alert five).  At most
 * STMT_CACHE are kept, the oldest finalized first; all at close.
 */
#include "common.h"
#include "store.h"
#include "store_sqlite_schema.h"
#include "strbuf.h"

#include <sqlite3.h>
#include <sys/stat.h>

#define STMT_CACHE 32

/* A connection (struct store's impl). */
struct sq_conn {
	sqlite3 *db;
	sqlite3_stmt *cache[STMT_CACHE]; /* reset, unbound; oldest first */
	size_t ncache;
};

struct store_stmt {
	sqlite3_stmt *stmt;
	struct sq_conn *conn;
};

struct migration {
	int version;
	const char *what;
	const char *sql;
};

/*
 * Migration 1: facility, locations, systems, vendors, contracts, devices,
 * the journal and the meta table.  Column comments give the Japanese field
 * of the 機器管理票 / 情報機器管理表 / device list each column holds.
 */
static const char schema_v1[] =
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
	"CREATE TABLE facility (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL,\n"
	"  type TEXT NOT NULL CHECK (type IN ('hospital','clinic','pharmacy')),\n"
	"  created_at TEXT NOT NULL);\n"
	"CREATE TABLE location (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  facility_id INTEGER NOT NULL REFERENCES facility(id),\n"
	"  name TEXT NOT NULL,\n"           /* 設置場所 */
	"  note TEXT,\n"
	"  UNIQUE (facility_id, name));\n"
	"CREATE TABLE vendor (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  facility_id INTEGER NOT NULL REFERENCES facility(id),\n"
	"  name TEXT NOT NULL,\n"           /* 事業者名 */
	"  contact TEXT,\n"                 /* 担当者 */
	"  phone TEXT,\n"
	"  emergency_phone TEXT,\n"         /* 緊急連絡先 */
	"  email TEXT,\n"
	"  note TEXT,\n"
	"  UNIQUE (facility_id, name));\n"
	"CREATE TABLE system (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  facility_id INTEGER NOT NULL REFERENCES facility(id),\n"
	"  name TEXT NOT NULL,\n"           /* システム名 */
	"  category TEXT,\n"                /* 電子カルテ, レセコン, PACS ... */
	"  purpose TEXT,\n"                 /* 利用目的 */
	"  usage TEXT,\n"                   /* 利用内容 */
	"  scope TEXT,\n"                   /* 利用範囲 */
	"  department TEXT,\n"              /* 設置部署 */
	"  manager TEXT,\n"                 /* 管理者 */
	"  confidentiality TEXT CHECK (confidentiality IN ('A','B','C')),\n"
	"  integrity TEXT CHECK (integrity IN ('A','B')),\n"
	"  availability TEXT CHECK (availability IN ('A','B')),\n"
	"  data_volume TEXT,\n"             /* 保有データ量 */
	"  external_media TEXT,\n"          /* 外部記録媒体 */
	"  backup TEXT,\n"                  /* バックアップ */
	"  os TEXT,\n"
	"  install_location TEXT,\n"        /* 設置場所 */
	"  configuration TEXT,\n"           /* システム構成 */
	"  network TEXT,\n"                 /* ネットワーク接続 */
	"  internet INTEGER CHECK (internet IN (0,1)),\n"
	"  external_exchange TEXT,\n"       /* 外部と情報交換の有無と相手先 */
	"  vendor_id INTEGER REFERENCES vendor(id),\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL,\n"
	"  UNIQUE (facility_id, name));\n"
	"CREATE TABLE contract (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  vendor_id INTEGER NOT NULL REFERENCES vendor(id),\n"
	"  system_id INTEGER REFERENCES system(id),\n"
	"  title TEXT NOT NULL,\n"
	"  remote_maintenance INTEGER CHECK (remote_maintenance IN (0,1)),\n"
	"  hosting TEXT CHECK (hosting IN ('onprem','cloud','hybrid')),\n"
	"  data_location TEXT,\n"           /* データの保存場所 */
	"  japanese_law INTEGER CHECK (japanese_law IN (0,1)),\n" /* 国内法の適用 */
	"  demarcation TEXT,\n"             /* 責任分界 */
	"  start_date TEXT,\n"
	"  end_date TEXT,\n"
	"  note TEXT,\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL);\n"
	"CREATE TABLE device (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  facility_id INTEGER NOT NULL REFERENCES facility(id),\n"
	"  asset_tag TEXT,\n"               /* 媒体名 / 資産番号 */
	"  hostname TEXT,\n"                /* PC名 / ホスト名 */
	"  kind TEXT NOT NULL DEFAULT 'other' CHECK (kind IN\n"
	"    ('server','pc','network','printer','medical','other')),\n"
	"  model TEXT,\n"                   /* 機器名 (機種) */
	"  manufacturer TEXT,\n"
	"  serial TEXT,\n"
	"  os TEXT,\n"
	"  os_version TEXT,\n"
	"  mac TEXT,\n"
	"  ip TEXT,\n"
	"  outlet TEXT,\n"                  /* 登録情報コンセント番号 */
	"  owner TEXT,\n"                   /* 申請者 / 所有者 / 管理者 */
	"  department TEXT,\n"              /* 部局名 / 部署 */
	"  location_id INTEGER REFERENCES location(id),\n"
	"  system_id INTEGER REFERENCES system(id),\n"
	"  vendor_id INTEGER REFERENCES vendor(id),\n"
	"  payment TEXT,\n"                 /* 支払区分 */
	"  registered_on TEXT,\n"           /* 登録日 */
	"  remote_maintenance INTEGER CHECK (remote_maintenance IN (0,1)),\n"
	"  antivirus INTEGER CHECK (antivirus IN (0,1)),\n"
	"  patched INTEGER CHECK (patched IN (0,1)),\n" /* OS等の脆弱性対策 */
	"  confidentiality TEXT,\n"         /* 機密性 A/B/C (A1..A3 allowed) */
	"  integrity TEXT,\n"               /* 完全性 A/B */
	"  availability TEXT,\n"            /* 可用性 A/B */
	"  secure_area INTEGER CHECK (secure_area IN (0,1)),\n"     /* 安全区域設定 */
	"  info_handling INTEGER CHECK (info_handling IN (0,1)),\n" /* 取り扱い情報の管理状態 */
	"  notes TEXT,\n"                   /* 備考 */
	"  status TEXT NOT NULL DEFAULT 'in_use' CHECK (status IN ('in_use','retired','disposed')),\n"
	"  retired_on TEXT,\n"
	"  retire_reason TEXT,\n"
	"  disposal_method TEXT,\n"         /* 廃棄方法 */
	"  disposed_by TEXT,\n"
	"  disposed_on TEXT,\n"
	"  disposal_certificate TEXT,\n"    /* 廃棄証明書 (証憑) */
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL);\n"
	/* Lookups are by key alone, so the key leads each index. */
	"CREATE UNIQUE INDEX device_tag ON device (asset_tag, facility_id) WHERE asset_tag IS NOT NULL;\n"
	"CREATE INDEX device_mac ON device (mac);\n"
	"CREATE INDEX device_host ON device (hostname);\n"
	"CREATE INDEX device_ip ON device (ip);\n"
	"CREATE INDEX device_status_kind ON device (status, kind);\n"
	"CREATE INDEX device_department ON device (department);\n"
	"CREATE TABLE journal (\n"
	"  seq INTEGER PRIMARY KEY,\n"
	"  time TEXT NOT NULL,\n"           /* RFC 3339, UTC */
	"  actor TEXT NOT NULL,\n"
	"  action TEXT NOT NULL,\n"
	"  entity_type TEXT NOT NULL,\n"
	"  entity_id TEXT,\n"
	"  before TEXT,\n"                  /* canonical JSON or NULL */
	"  after TEXT,\n"
	"  prev_hash TEXT NOT NULL,\n"      /* hex SHA-256 */
	"  hash TEXT NOT NULL);\n"
	"CREATE INDEX journal_entity ON journal (entity_type, entity_id);\n"
	"CREATE INDEX journal_time ON journal (time);\n";

/*
 * Migration 2: users, their password history and sessions (user.h).  Only
 * hashes of passwords and session tokens are stored.
 */
static const char schema_v2[] =
	"CREATE TABLE user (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  name TEXT NOT NULL UNIQUE,\n"
	"  display_name TEXT,\n"
	"  role TEXT NOT NULL CHECK (role IN ('admin','officer','staff','auditor','vendor')),\n"
	"  vendor_id INTEGER REFERENCES vendor(id),\n"
	"  password_hash TEXT NOT NULL,\n"   /* argon2id, crypto_pwhash_str format */
	"  must_change_password INTEGER NOT NULL DEFAULT 0,\n"
	"  disabled INTEGER NOT NULL DEFAULT 0,\n"
	"  totp_secret TEXT,\n"              /* base32, confirmed */
	"  totp_pending TEXT,\n"             /* base32, during enrolment */
	"  totp_last_step INTEGER NOT NULL DEFAULT 0,\n"
	"  totp_required INTEGER NOT NULL DEFAULT 0,\n"
	"  failed_logins INTEGER NOT NULL DEFAULT 0,\n"
	"  locked_until TEXT,\n"
	"  last_login TEXT,\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL,\n"
	"  CHECK ((role = 'vendor') = (vendor_id IS NOT NULL)));\n"
	"CREATE TABLE user_password_history (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,\n"
	"  password_hash TEXT NOT NULL,\n"
	"  created_at TEXT NOT NULL);\n"
	"CREATE INDEX user_password_history_user ON user_password_history (user_id, id);\n"
	"CREATE TABLE session (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  user_id INTEGER NOT NULL REFERENCES user(id) ON DELETE CASCADE,\n"
	"  token_hash TEXT NOT NULL UNIQUE,\n" /* hex SHA-256 of the token */
	"  csrf TEXT NOT NULL,\n"
	"  remote TEXT,\n"
	"  created_at INTEGER NOT NULL,\n"     /* Unix seconds */
	"  last_seen INTEGER NOT NULL);\n"
	"CREATE INDEX session_user ON session (user_id);\n";

/*
 * Migration 3: a trigram full-text index over the searchable text of each
 * device (FTS5), kept by triggers, so that a substring search of 100,000
 * devices does not scan them; and an index in the ledger's default order.
 */
#define DEVICE_SEARCH_TEXT(row)                                                              \
	"coalesce(" row ".asset_tag,'') || ' ' || coalesce(" row ".hostname,'') || ' ' || "   \
	"coalesce(" row ".model,'') || ' ' || coalesce(" row ".owner,'') || ' ' || "          \
	"coalesce(" row ".ip,'') || ' ' || coalesce(" row ".mac,'') || ' ' || "               \
	"coalesce(" row ".os,'') || ' ' || coalesce(" row ".department,'')"
static const char schema_v3[] =
	"CREATE VIRTUAL TABLE device_search USING fts5(body, tokenize='trigram');\n"
	"INSERT INTO device_search (rowid, body) SELECT d.id, " DEVICE_SEARCH_TEXT("d") " FROM device d;\n"
	"CREATE TRIGGER device_search_insert AFTER INSERT ON device BEGIN\n"
	"  INSERT INTO device_search (rowid, body) VALUES (new.id, " DEVICE_SEARCH_TEXT("new") ");\n"
	"END;\n"
	"CREATE TRIGGER device_search_update AFTER UPDATE ON device BEGIN\n"
	"  DELETE FROM device_search WHERE rowid = old.id;\n"
	"  INSERT INTO device_search (rowid, body) VALUES (new.id, " DEVICE_SEARCH_TEXT("new") ");\n"
	"END;\n"
	"CREATE TRIGGER device_search_delete AFTER DELETE ON device BEGIN\n"
	"  DELETE FROM device_search WHERE rowid = old.id;\n"
	"END;\n"
	"CREATE INDEX device_order ON device (department IS NULL, department, asset_tag IS NULL,\n"
	"  asset_tag, hostname, id);\n";

/*
 * Migration 4: a newer end-of-support catalog loaded by "mamori eos update"
 * (eoscat.h): the product files as they were, with their SHA-256.
 */
static const char schema_v4[] =
	"CREATE TABLE eos_source (\n"
	"  name TEXT PRIMARY KEY,\n"
	"  body TEXT NOT NULL,\n"
	"  sha256 TEXT NOT NULL,\n"
	"  loaded_at TEXT NOT NULL);\n";

/*
 * Migration 5: the checklist.  A sheet is one filled-in form (the
 * facility's own 医療機関確認用, or one 事業者確認用 per vendor with its
 * request → answer → review state); answers are per item and round.
 * Documents are the simple records the evidence engine looks for (MDS/SDS,
 * contact chart, BCP, 運用管理規程, restore tests).  Editions imported at run
 * time and wording entered by the officer are kept beside the shipped
 * catalog.  Devices gain 接続元制限.
 */
static const char schema_v5[] =
	"ALTER TABLE device ADD COLUMN source_restriction INTEGER CHECK (source_restriction IN (0,1));\n"
	"CREATE TABLE document (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  facility_id INTEGER NOT NULL REFERENCES facility(id),\n"
	"  kind TEXT NOT NULL CHECK (kind IN ('mds','sds','contact_chart','bcp','rules','restore_test')),\n"
	"  title TEXT NOT NULL,\n"
	"  vendor_id INTEGER REFERENCES vendor(id),\n"
	"  system_id INTEGER REFERENCES system(id),\n"
	"  issued_on TEXT,\n"               /* 作成日 / 受領日 / 実施日 */
	"  offline INTEGER CHECK (offline IN (0,1)),\n" /* restore test from an offline generation */
	"  reference TEXT,\n"               /* 保管場所 / ファイル名 */
	"  note TEXT,\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL);\n"
	"CREATE INDEX document_kind ON document (kind, issued_on);\n"
	"CREATE TABLE checklist_edition_file (\n"
	"  name TEXT PRIMARY KEY,\n"        /* "<edition>-<form>" */
	"  body TEXT NOT NULL,\n"           /* mamori-checklist-1 JSON */
	"  sha256 TEXT NOT NULL,\n"
	"  source_file TEXT,\n"
	"  source_sha256 TEXT,\n"
	"  imported_at TEXT NOT NULL,\n"
	"  imported_by TEXT NOT NULL);\n"
	"CREATE TABLE checklist_wording (\n"
	"  item_id TEXT PRIMARY KEY,\n"
	"  wording TEXT NOT NULL,\n"
	"  source TEXT NOT NULL,\n"
	"  entered_at TEXT NOT NULL,\n"
	"  entered_by TEXT NOT NULL);\n"
	"CREATE TABLE checklist (\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  facility_id INTEGER NOT NULL REFERENCES facility(id),\n"
	"  fiscal_year INTEGER NOT NULL,\n"
	"  edition TEXT NOT NULL,\n"
	"  form TEXT NOT NULL,\n"
	"  vendor_id INTEGER REFERENCES vendor(id),\n"
	"  status TEXT NOT NULL CHECK (status IN ('open','requested','answered','reviewed')),\n"
	"  requested_at TEXT, requested_by TEXT,\n"
	"  answered_at TEXT, answered_by TEXT,\n"
	"  reviewed_at TEXT, reviewed_by TEXT,\n"
	"  review_note TEXT,\n"
	"  created_at TEXT NOT NULL,\n"
	"  updated_at TEXT NOT NULL,\n"
	"  CHECK ((vendor_id IS NULL) = (status = 'open')));\n"
	"CREATE UNIQUE INDEX checklist_key ON checklist (facility_id, fiscal_year, form, coalesce(vendor_id, 0));\n"
	"CREATE TABLE checklist_answer (\n"
	"  checklist_id INTEGER NOT NULL REFERENCES checklist(id),\n"
	"  item_id TEXT NOT NULL,\n"
	"  round INTEGER NOT NULL CHECK (round BETWEEN 1 AND 3),\n"
	"  answer TEXT NOT NULL CHECK (answer IN ('yes','no')),\n"
	"  confirmed_on TEXT NOT NULL,\n"
	"  target_on TEXT,\n"
	"  note TEXT,\n"
	"  links TEXT,\n"                   /* JSON array of evidence links */
	"  updated_at TEXT NOT NULL,\n"
	"  updated_by TEXT NOT NULL,\n"
	"  PRIMARY KEY (checklist_id, item_id, round),\n"
	"  CHECK (answer = 'yes' OR target_on IS NOT NULL));\n";

static const struct migration migrations[] = {
	{ 1, "ledger and journal", schema_v1 },
	{ 2, "users and sessions", schema_v2 },
	{ 3, "device text search", schema_v3 },
	{ 4, "end-of-support catalog updates", schema_v4 },
	{ 5, "checklist answers, documents", schema_v5 },
	{ 6, "accounts, emergency accounts, contact chart", store_sqlite_schema_v6 },
	{ 7, "incidents, emergency-account use, drills", store_sqlite_schema_v7 },
	{ 8, "access-log alerts, watched patients", store_sqlite_schema_v8 },
};

/*
 * Terms of 3 characters or more go to the trigram index as one FTS5 phrase
 * (a phrase of trigrams matches the substring); shorter ones cannot.
 */
static int sq_device_search(const char *term, struct strbuf *cond, char **param)
{
	struct strbuf p = STRBUF_INIT;
	size_t chars = 0;

	for (const unsigned char *c = (const unsigned char *)term; *c; c++)
		chars += (*c & 0xC0) != 0x80;
	if (chars < 3)
		return 1;
	strbuf_addch(&p, '"');
	for (const char *c = term; *c; c++) {
		if (*c == '"')
			strbuf_addch(&p, '"');
		strbuf_addch(&p, *c);
	}
	strbuf_addch(&p, '"');
	strbuf_addstr(cond, "d.id IN (SELECT rowid FROM device_search WHERE device_search MATCH ?)");
	*param = strbuf_detach(&p, NULL);
	return 0;
}

static struct sq_conn *conn_of(struct store *st)
{
	return st->impl;
}

static sqlite3 *db_of(struct store *st)
{
	return conn_of(st)->db;
}

static int db_error(sqlite3 *db, struct mamori_err *err, const char *what)
{
	int code = sqlite3_errcode(db);

	if (code == SQLITE_FULL)
		return mamori_err_set(err, MAMORI_EIO, "%s: ディスクがいっぱいです (%s)", what,
				      sqlite3_errmsg(db));
	if (code == SQLITE_BUSY || code == SQLITE_LOCKED)
		return mamori_err_set(err, MAMORI_EDB,
				      "%s: データベースが他の処理で使用中です (%s)", what,
				      sqlite3_errmsg(db));
	if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY)
		return mamori_err_set(err, MAMORI_ECONFLICT, "%s: 既に登録されています (%s)", what,
				      sqlite3_errmsg(db));
	if (code == SQLITE_CONSTRAINT_FOREIGNKEY)
		return mamori_err_set(err, MAMORI_EINVAL, "%s: 参照している記録がありません (%s)",
				      what, sqlite3_errmsg(db));
	if ((code & 0xff) == SQLITE_CONSTRAINT)
		return mamori_err_set(err, MAMORI_EINVAL, "%s: 値が制約に合いません (%s)", what,
				      sqlite3_errmsg(db));
	return mamori_err_set(err, MAMORI_EDB, "%s: データベースエラー: %s", what,
			      sqlite3_errmsg(db));
}

static int sq_exec(struct store *st, const char *sql, struct mamori_err *err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db_of(st), sql, NULL, NULL, &msg);

	if (rc != SQLITE_OK) {
		int r = db_error(db_of(st), err, "SQL");
		sqlite3_free(msg);
		return r;
	}
	return 0;
}

static int sq_open(struct store *st, const char *target, int flags, struct mamori_err *err)
{
	sqlite3 *db = NULL;
	struct stat sb;
	int oflags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	if (stat(target, &sb) < 0) {
		if (errno != ENOENT)
			return mamori_err_set(err, MAMORI_EIO, "%s: %s", target, strerror(errno));
		if (!(flags & STORE_CREATE))
			return mamori_err_set(err, MAMORI_ENOTFOUND,
					      "%s: データベースがありません。"
					      "先に「mamori init」で作成してください",
					      target);
		oflags |= SQLITE_OPEN_CREATE;
	}
	if (sqlite3_open_v2(target, &db, oflags, NULL) != SQLITE_OK) {
		int r = mamori_err_set(err, MAMORI_EIO, "%s: データベースを開けません: %s", target,
				       db ? sqlite3_errmsg(db) : "out of memory");
		sqlite3_close(db);
		return r;
	}
	sqlite3_extended_result_codes(db, 1);
	sqlite3_busy_timeout(db, 10000);
	st->impl = xcalloc(1, sizeof(struct sq_conn));
	conn_of(st)->db = db;
	/*
	 * journal_mode=WAL answers with a row; sqlite3_exec ignores it.
	 * trusted_schema stays on (SQLite's default): the schema's triggers
	 * maintain the FTS5 search index, which SQLite otherwise refuses to
	 * touch from a trigger.  The file is mamori's own; whoever can write it
	 * can alter the records anyway, which the journal is there to reveal.
	 */
	if (sq_exec(st, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
			"PRAGMA foreign_keys=ON;",
		    err) < 0) {
		mamori_err_prefix(err, "%s", target);
		sqlite3_close(db);
		free(st->impl);
		st->impl = NULL;
		return err ? err->code : MAMORI_EDB;
	}
	return 0;
}

static void sq_close(struct store *st)
{
	struct sq_conn *c = conn_of(st);

	if (c) {
		for (size_t i = 0; i < c->ncache; i++)
			sqlite3_finalize(c->cache[i]);
		sqlite3_close(c->db);
		free(c);
	}
	st->impl = NULL;
}

static int sq_prepare(struct store *st, const char *sql, struct store_stmt **out,
		      struct mamori_err *err)
{
	struct sq_conn *c = conn_of(st);
	sqlite3_stmt *stmt = NULL;

	*out = NULL;
	for (size_t i = c->ncache; i-- > 0;)
		if (!strcmp(sqlite3_sql(c->cache[i]), sql)) {
			stmt = c->cache[i];
			memmove(&c->cache[i], &c->cache[i + 1], (c->ncache - i - 1) * sizeof(*c->cache));
			c->ncache--;
			break;
		}
	if (!stmt && sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL) !=
			     SQLITE_OK)
		return db_error(c->db, err, "SQL の準備");
	*out = xmalloc(sizeof(**out));
	(*out)->stmt = stmt;
	(*out)->conn = c;
	return 0;
}

static int sq_bind_text(struct store_stmt *s, int idx, const char *v)
{
	return sqlite3_bind_text(s->stmt, idx, v, -1, SQLITE_TRANSIENT) == SQLITE_OK ? 0 : MAMORI_EDB;
}

static int sq_bind_int(struct store_stmt *s, int idx, int64_t v)
{
	return sqlite3_bind_int64(s->stmt, idx, v) == SQLITE_OK ? 0 : MAMORI_EDB;
}

static int sq_bind_null(struct store_stmt *s, int idx)
{
	return sqlite3_bind_null(s->stmt, idx) == SQLITE_OK ? 0 : MAMORI_EDB;
}

static int sq_step(struct store_stmt *s, struct mamori_err *err)
{
	int rc = sqlite3_step(s->stmt);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return db_error(s->conn->db, err, "SQL の実行");
}

static void sq_reset(struct store_stmt *s)
{
	sqlite3_reset(s->stmt);
	sqlite3_clear_bindings(s->stmt);
}

static int sq_column_count(struct store_stmt *s)
{
	return sqlite3_column_count(s->stmt);
}

static const char *sq_column_text(struct store_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(s->stmt, col);
}

static int64_t sq_column_int(struct store_stmt *s, int col)
{
	return sqlite3_column_int64(s->stmt, col);
}

static int sq_column_is_null(struct store_stmt *s, int col)
{
	return sqlite3_column_type(s->stmt, col) == SQLITE_NULL;
}

static void sq_finalize(struct store_stmt *s)
{
	struct sq_conn *c = s->conn;

	if (!s->stmt) {
		free(s);
		return;
	}
	sqlite3_reset(s->stmt);
	sqlite3_clear_bindings(s->stmt);
	if (c->ncache == STMT_CACHE) {
		sqlite3_finalize(c->cache[0]);
		memmove(&c->cache[0], &c->cache[1], (STMT_CACHE - 1) * sizeof(*c->cache));
		c->ncache--;
	}
	c->cache[c->ncache++] = s->stmt;
	free(s);
}

static int sq_begin(struct store *st, struct mamori_err *err)
{
	return sq_exec(st, "BEGIN IMMEDIATE", err);
}

static int sq_commit(struct store *st, struct mamori_err *err)
{
	return sq_exec(st, "COMMIT", err);
}

static int sq_rollback(struct store *st)
{
	return sq_exec(st, "ROLLBACK", NULL);
}

static int sq_schema_target(void)
{
	return migrations[ARRAY_SIZE(migrations) - 1].version;
}

static int sq_migrate(struct store *st, struct mamori_err *err)
{
	int64_t have = 0;
	int r;

	r = sq_exec(st, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			"version INTEGER PRIMARY KEY, what TEXT NOT NULL, "
			"applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')))",
		    err);
	if (r < 0)
		return r;
	r = store_query_int(st, &have, err, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
			    NULL);
	if (r < 0)
		return r;
	if (have > sq_schema_target())
		return mamori_err_set(err, MAMORI_EDB,
				      "%s: このデータベースは新しい版の mamori で作成されています "
				      "(スキーマ %lld、この mamori は %d まで)。mamori を更新してください",
				      st->target, (long long)have, sq_schema_target());
	for (size_t i = 0; i < ARRAY_SIZE(migrations); i++) {
		const struct migration *m = &migrations[i];
		struct store_stmt *s = NULL;

		if (m->version <= have)
			continue;
		r = store_begin(st, err);
		if (r < 0)
			return r;
		r = sq_exec(st, m->sql, err);
		if (r == 0)
			r = sq_prepare(st, "INSERT INTO schema_migrations (version, what) VALUES (?, ?)",
				       &s, err);
		if (r == 0) {
			sq_bind_int(s, 1, m->version);
			sq_bind_text(s, 2, m->what);
			r = sq_step(s, err);
			sq_finalize(s);
		}
		if (r < 0) {
			store_rollback(st);
			return mamori_err_prefix(err, "スキーマ移行 %d (%s)", m->version, m->what);
		}
		r = store_commit(st, err);
		if (r < 0)
			return r;
	}
	return 0;
}

const struct store_backend store_sqlite_backend = {
	.name = "sqlite",
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.bind_text = sq_bind_text,
	.bind_int = sq_bind_int,
	.bind_null = sq_bind_null,
	.step = sq_step,
	.reset = sq_reset,
	.column_count = sq_column_count,
	.column_text = sq_column_text,
	.column_int = sq_column_int,
	.column_is_null = sq_column_is_null,
	.finalize = sq_finalize,
	.begin = sq_begin,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.migrate = sq_migrate,
	.schema_target = sq_schema_target,
	.device_search = sq_device_search,
};
