/*
 * store.h - the storage interface of mamori.
 *
 * Every record lives in a relational store reached through struct
 * store_backend, a table of functions that a back end fills in (SQLite now,
 * PostgreSQL later), chosen by name at open time.  Callers in src/core write
 * portable SQL with '?' placeholders (a back end rewrites them if it needs
 * to) and only ever bind values; SQL is never built from input.
 *
 * Portable SQL here means: INTEGER/TEXT columns, "INSERT ... RETURNING id",
 * standard joins and ORDER BY / LIMIT / OFFSET.  Schema differences are kept
 * in each back end's migration list.
 *
 * Lifecycle:  store_open() → (store_begin() … store_commit()/store_rollback())*
 *             → store_close().
 * Statements: store_prepare() → bind → store_step() until 0 → store_finalize().
 *
 * Errors follow common.h; a database failure is MAMORI_EDB with the back
 * end's message.  A store handle is used by one thread at a time.
 */
#ifndef MAMORI_STORE_H
#define MAMORI_STORE_H

#include <stdint.h>

struct mamori_err;
struct store;
struct store_stmt;
struct strbuf;

/* Flags for store_open(). */
enum {
	STORE_CREATE = 1 << 0, /* create the store when it does not exist */
};

struct store_backend {
	const char *name;
	int (*open)(struct store *st, const char *target, int flags, struct mamori_err *err);
	void (*close)(struct store *st);
	/* Runs SQL without parameters (may hold several statements). */
	int (*exec)(struct store *st, const char *sql, struct mamori_err *err);
	int (*prepare)(struct store *st, const char *sql, struct store_stmt **out,
		       struct mamori_err *err);
	int (*bind_text)(struct store_stmt *s, int idx, const char *v);
	int (*bind_int)(struct store_stmt *s, int idx, int64_t v);
	int (*bind_null)(struct store_stmt *s, int idx);
	/* 1: a row is available; 0: done; < 0: error. */
	int (*step)(struct store_stmt *s, struct mamori_err *err);
	void (*reset)(struct store_stmt *s);
	int (*column_count)(struct store_stmt *s);
	/* NULL for SQL NULL; valid until the next step/reset/finalize. */
	const char *(*column_text)(struct store_stmt *s, int col);
	int64_t (*column_int)(struct store_stmt *s, int col);
	int (*column_is_null)(struct store_stmt *s, int col);
	void (*finalize)(struct store_stmt *s);
	/* Starts a write transaction (serialised against other writers). */
	int (*begin)(struct store *st, struct mamori_err *err);
	int (*commit)(struct store *st, struct mamori_err *err);
	int (*rollback)(struct store *st);
	/* Applies the back end's migrations newer than the recorded version. */
	int (*migrate)(struct store *st, struct mamori_err *err);
	/* Highest migration this build knows. */
	int (*schema_target)(void);
	/*
	 * A condition on devices (table alias d) matching those whose text
	 * contains term, using the back end's text index, with its one
	 * parameter in *param (malloc'd).  Returns 1 when the index cannot
	 * serve this term (the caller then scans).
	 */
	int (*device_search)(const char *term, struct strbuf *cond, char **param);
};

/* The store handle.  impl belongs to the back end. */
struct store {
	const struct store_backend *be;
	void *impl;
	char *target;
	int in_tx;
};

extern const struct store_backend store_sqlite_backend;

/* Looks up a back end by name ("sqlite"); NULL when unknown. */
const struct store_backend *store_backend_find(const char *name);

/*
 * Opens target with the named back end, applies pending migrations and
 * returns the handle in *out.  Without STORE_CREATE a missing store is
 * MAMORI_ENOTFOUND with a message that says to run "mamori init".
 */
int store_open(struct store **out, const char *backend, const char *target, int flags,
	       struct mamori_err *err);
/* Closes and frees; accepts NULL.  An open transaction is rolled back. */
void store_close(struct store *st);

int store_exec(struct store *st, const char *sql, struct mamori_err *err);
int store_prepare(struct store *st, const char *sql, struct store_stmt **out,
		  struct mamori_err *err);
/* Binds are 1-based.  store_bind_text() with v == NULL binds NULL. */
int store_bind_text(struct store *st, struct store_stmt *s, int idx, const char *v);
int store_bind_int(struct store *st, struct store_stmt *s, int idx, int64_t v);
int store_bind_null(struct store *st, struct store_stmt *s, int idx);
int store_step(struct store *st, struct store_stmt *s, struct mamori_err *err);
void store_reset(struct store *st, struct store_stmt *s);
int store_column_count(struct store *st, struct store_stmt *s);
const char *store_column_text(struct store *st, struct store_stmt *s, int col);
int64_t store_column_int(struct store *st, struct store_stmt *s, int col);
int store_column_is_null(struct store *st, struct store_stmt *s, int col);
/* Accepts NULL. */
void store_finalize(struct store *st, struct store_stmt *s);

/*
 * Transactions do not nest: store_begin() inside a transaction is a BUG.
 * store_rollback() outside a transaction does nothing.
 */
int store_begin(struct store *st, struct mamori_err *err);
int store_commit(struct store *st, struct mamori_err *err);
void store_rollback(struct store *st);

/* Current schema version recorded in the store (0 when none). */
int store_schema_version(struct store *st, struct mamori_err *err);

/*
 * Convenience: runs sql (bound with the NULL-terminated text parameters that
 * follow) and stores the first column of the first row in *out (0 when no
 * row or NULL).
 */
int store_query_int(struct store *st, int64_t *out, struct mamori_err *err, const char *sql, ...);

/* The back end's device_search (see struct store_backend). */
int store_device_search(struct store *st, const char *term, struct strbuf *cond, char **param);

/* Reads and writes the key/value table "meta". *out is malloc'd or NULL. */
int store_meta_get(struct store *st, const char *key, char **out, struct mamori_err *err);
int store_meta_set(struct store *st, const char *key, const char *value,
		   struct mamori_err *err);

#endif
