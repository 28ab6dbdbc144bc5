/*
 * store_sqlite_schema.h - migrations of the SQLite back end kept in files of
 * their own (store_sqlite_v6.c …), one per area, so that each area's schema
 * sits beside nothing else.  store_sqlite.c lists them in order.
 */
#ifndef MAMORI_STORE_SQLITE_SCHEMA_H
#define MAMORI_STORE_SQLITE_SCHEMA_H

/* Migration 6: account inventory, emergency accounts, contact chart. */
extern const char store_sqlite_schema_v6[];
/* Migration 7: incidents (triage, actions, hash-chained timeline,
 * notifications, announcements, emergency-account use), drills. */
extern const char store_sqlite_schema_v7[];
/* Migration 8: access-log detections (log_alert) and watched patients
 * (log_watch). */
extern const char store_sqlite_schema_v8[];

#endif
