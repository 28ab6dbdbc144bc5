/*
 * eoscat.c - the store's end-of-support catalog and device status (see
 * eoscat.h).
 */
#include "common.h"
#include "catalog_files.h"
#include "eoscat.h"
#include "fileio.h"
#include "journal.h"
#include "store.h"
#include "strbuf.h"

#include <dirent.h>
#include <openssl/evp.h>

static int load_shipped(struct eos_catalog *cat, struct mamori_err *err)
{
	for (const struct catalog_file *f = catalog_files; f->name; f++) {
		if (strncmp(f->name, "eol/", 4) != 0)
			continue;
		int r = eos_catalog_load_buffer(cat, f->name + 4, f->data, f->size, err);
		if (r < 0)
			return r;
	}
	return 0;
}

int eoscat_load(struct store *st, struct eos_catalog *cat, int *from_update,
		struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r, n = 0;

	*from_update = 0;
	r = store_prepare(st, "SELECT name, body FROM eos_source ORDER BY name", &s, err);
	if (r < 0)
		return r;
	while ((r = store_step(st, s, err)) == 1) {
		const char *name = store_column_text(st, s, 0), *body = store_column_text(st, s, 1);
		r = eos_catalog_load_buffer(cat, name, body, strlen(body), err);
		if (r < 0)
			break;
		n++;
	}
	store_finalize(st, s);
	if (r < 0) {
		eos_catalog_release(cat);
		return r;
	}
	if (n) {
		*from_update = 1;
		return 0;
	}
	r = load_shipped(cat, err);
	if (r < 0)
		eos_catalog_release(cat);
	return r;
}

static void sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
}

int eoscat_update(struct store *st, const char *actor, const char *dir, size_t *nproducts,
		  struct mamori_err *err)
{
	struct eos_catalog check = EOS_CATALOG_INIT;
	struct store_stmt *ins = NULL;
	json_t *files = json_object();
	char now[MAMORI_TIME_LEN];
	int r;

	*nproducts = 0;
	/* All or nothing: every file must parse before anything is stored. */
	r = eos_catalog_load_dir(dir, &check, err);
	if (r < 0)
		goto out;
	mamori_now(now);
	r = store_begin(st, err);
	if (r < 0)
		goto out;
	r = store_exec(st, "DELETE FROM eos_source", err);
	if (r == 0)
		r = store_prepare(st, "INSERT INTO eos_source (name, body, sha256, loaded_at) "
				      "VALUES (?, ?, ?, ?)", &ins, err);
	for (size_t i = 0; r == 0 && i < check.nr_products; i++) {
		char *path = xasprintf("%s/%s.md", dir, check.products[i].name), *body = NULL;
		char sha[65];
		size_t len = 0;

		r = fileio_read_all(path, EOS_FILE_MAX, &body, &len, err);
		free(path);
		if (r < 0)
			break;
		sha256_hex(body, len, sha);
		store_reset(st, ins);
		store_bind_text(st, ins, 1, check.products[i].name);
		store_bind_text(st, ins, 2, body);
		store_bind_text(st, ins, 3, sha);
		store_bind_text(st, ins, 4, now);
		r = store_step(st, ins, err);
		json_object_set_new(files, check.products[i].name, json_string(sha));
		free(body);
	}
	store_finalize(st, ins);
	if (r == 0) {
		json_t *after = json_pack("{s:s, s:I, s:O}", "directory", dir, "products",
					  (json_int_t)check.nr_products, "files", files);
		r = journal_append(st, actor, "eos.update", "eos_catalog", NULL, NULL, after, NULL,
				   err);
		json_decref(after);
	}
	if (r == 0)
		r = store_commit(st, err);
	else
		store_rollback(st);
	if (r == 0)
		*nproducts = check.nr_products;
out:
	json_decref(files);
	eos_catalog_release(&check);
	return r;
}

enum eos_status eoscat_device_status(const struct eos_catalog *cat, const struct asset *a,
				     const char *today, struct eos_match *m)
{
	memset(m, 0, sizeof(*m));
	if (!a->v[ASSET_OS] && !a->v[ASSET_OS_VERSION]) {
		snprintf(m->reason, sizeof(m->reason), "OS が登録されていません");
		return EOS_UNKNOWN;
	}
	if (eos_match(cat, a->v[ASSET_OS], a->v[ASSET_OS_VERSION], m) != 0)
		return EOS_UNKNOWN;
	return eos_status_of(m, today);
}

enum eos_status eoscat_device_status_memo(struct eoscat_memo *memo, const struct eos_catalog *cat,
					  const struct asset *a, const char *today, char eol[11])
{
	char *key = xasprintf("%s\x1f%s", a->v[ASSET_OS] ? a->v[ASSET_OS] : "",
			      a->v[ASSET_OS_VERSION] ? a->v[ASSET_OS_VERSION] : "");
	struct eos_match m;
	enum eos_status s;

	for (size_t i = 0; i < memo->n; i++)
		if (!strcmp(memo->e[i].key, key)) {
			free(key);
			if (eol)
				memcpy(eol, memo->e[i].eol, 11);
			return memo->e[i].status;
		}
	s = eoscat_device_status(cat, a, today, &m);
	if (eol)
		snprintf(eol, 11, "%s", m.eol.date);
	if (memo->n < EOSCAT_MEMO_MAX) {
		memo->e[memo->n].key = key;
		memo->e[memo->n].status = s;
		snprintf(memo->e[memo->n++].eol, 11, "%s", m.eol.date);
	} else {
		free(key);
	}
	return s;
}

void eoscat_memo_release(struct eoscat_memo *memo)
{
	for (size_t i = 0; i < memo->n; i++)
		free(memo->e[i].key);
	memo->n = 0;
}

static json_t *when_json(const struct eos_when *w)
{
	switch (w->kind) {
	case EOS_WHEN_DATE:
		return json_string(w->date);
	case EOS_WHEN_TRUE:
		return json_true();
	case EOS_WHEN_FALSE:
		return json_false();
	default:
		return json_null();
	}
}

json_t *eoscat_device_json(const struct eos_catalog *cat, const struct asset *a,
			   const char *today)
{
	struct eos_match m;
	enum eos_status st = eoscat_device_status(cat, a, today, &m);
	json_t *o = json_pack("{s:s, s:s}", "status", eos_status_name(st), "status_label",
			      eos_status_label(st));

	if (m.product) {
		json_object_set_new(o, "product", json_string(m.product->title));
		json_object_set_new(o, "cycle", json_string(m.cycle));
		json_object_set_new(o, "label", json_string(m.label));
		/* A label that is only a version ("11 25H2 (W)") gets the product's
		 * name in front; one that names the product already stays. */
		if (m.label[0] >= '0' && m.label[0] <= '9') {
			char *name = xasprintf("%s %s", m.product->title, m.label);
			json_object_set_new(o, "name", json_string(name));
			free(name);
		} else {
			json_object_set_new(o, "name", json_string(m.label));
		}
		json_object_set_new(o, "eol", when_json(&m.eol));
		json_object_set_new(o, "eoes", when_json(&m.eoes));
		if (m.release && m.release->link)
			json_object_set_new(o, "source", json_string(m.release->link));
	}
	if (m.reason[0])
		json_object_set_new(o, "reason", json_string(m.reason));
	return o;
}
