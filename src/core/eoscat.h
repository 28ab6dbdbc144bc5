/*
 * eoscat.h - the end-of-support catalog a store uses, and each device's
 * end-of-support status.
 *
 * The catalog is the one shipped in the binary (catalog/eol, embedded at
 * build time) until someone loads a newer copy of the same data with
 * "mamori eos update DIR": the files are then checked as a whole (all or
 * nothing), kept in the store (table eos_source) and used from then on;
 * the update is journaled with each file's SHA-256.
 *
 * A device's status comes from matching its OS and OS version (eos.h)
 * against the catalog and comparing the end of security support with
 * today: サポート中 / 12か月以内に終了 / サポート終了 / 不明.
 */
#ifndef MAMORI_EOSCAT_H
#define MAMORI_EOSCAT_H

#include <jansson.h>
#include <stddef.h>

#include "asset.h"
#include "eos.h"

struct mamori_err;
struct store;

/* Loads the store's catalog (the stored update, else the shipped one). */
int eoscat_load(struct store *st, struct eos_catalog *cat, int *from_update,
		struct mamori_err *err);

/*
 * Checks every product file of dir, then replaces the stored catalog with
 * them in one transaction, journaled as "eos.update".  Nothing changes
 * when any file is bad (MAMORI_EINVAL naming it).  *nproducts receives the
 * number of products loaded.
 */
int eoscat_update(struct store *st, const char *actor, const char *dir, size_t *nproducts,
		  struct mamori_err *err);

/* The end-of-support facts of device a as JSON (new reference):
 * {"status", "status_label", "product", "cycle", "label", "name" (the
 *  product and release for people: "Microsoft Windows 11 25H2 (W)"), "eol",
 *  "eoes", "source", "reason"}. */
json_t *eoscat_device_json(const struct eos_catalog *cat, const struct asset *a,
			   const char *today);

/* Status of device a (EOS_UNKNOWN when nothing matches). */
enum eos_status eoscat_device_status(const struct eos_catalog *cat, const struct asset *a,
				     const char *today, struct eos_match *m);

/*
 * A ledger has few distinct OS spellings: a scan over many devices matches
 * each spelling (OS and version) once.  Zero-initialise; release with
 * eoscat_memo_release().  Past EOSCAT_MEMO_MAX spellings it matches anew.
 */
#define EOSCAT_MEMO_MAX 256
struct eoscat_memo {
	size_t n;
	struct {
		char *key;
		enum eos_status status;
		char eol[11]; /* end of security support, "" when not known */
	} e[EOSCAT_MEMO_MAX];
};

/* eoscat_device_status() through the memo; eol (may be NULL) gets the end date. */
enum eos_status eoscat_device_status_memo(struct eoscat_memo *memo, const struct eos_catalog *cat,
					  const struct asset *a, const char *today, char eol[11]);
void eoscat_memo_release(struct eoscat_memo *memo);

#endif
