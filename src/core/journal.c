/*
 * journal.c - hash-chained journal; the format is described in journal.h.
 */
#include "common.h"
#include "journal.h"
#include "store.h"
#include "strbuf.h"

#include <openssl/evp.h>

static const char zero_hash[JOURNAL_HASH_HEX] =
	"0000000000000000000000000000000000000000000000000000000000000000";

void journal_entry_release(struct journal_entry *e)
{
	if (!e)
		return;
	free(e->time);
	free(e->actor);
	free(e->action);
	free(e->entity_type);
	free(e->entity_id);
	free(e->before);
	free(e->after);
	memset(e, 0, sizeof(*e));
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static void add_field(struct strbuf *sb, const char *v)
{
	if (!v) {
		strbuf_addstr(sb, "~,");
		return;
	}
	strbuf_addf(sb, "%zu:", strlen(v));
	strbuf_addstr(sb, v);
	strbuf_addch(sb, ',');
}

int journal_entry_hash(const struct journal_entry *e, char out[JOURNAL_HASH_HEX])
{
	unsigned char prev[32], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct strbuf sb = STRBUF_INIT;
	char seq[32];

	for (int i = 0; i < 32; i++) {
		int hi = hexval((unsigned char)e->prev_hash[2 * i]);
		int lo = hi < 0 ? -1 : hexval((unsigned char)e->prev_hash[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return MAMORI_EINVAL;
		prev[i] = (unsigned char)(hi << 4 | lo);
	}
	if (e->prev_hash[64] != '\0')
		return MAMORI_EINVAL;

	snprintf(seq, sizeof(seq), "%lld", (long long)e->seq);
	strbuf_addstr(&sb, "mamori-journal-v1\n");
	add_field(&sb, seq);
	add_field(&sb, e->time);
	add_field(&sb, e->actor);
	add_field(&sb, e->action);
	add_field(&sb, e->entity_type);
	add_field(&sb, e->entity_id);
	add_field(&sb, e->before);
	add_field(&sb, e->after);

	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, prev, sizeof(prev)) != 1 ||
	    EVP_DigestUpdate(ctx, sb.buf, sb.len) != 1 || EVP_DigestFinal_ex(ctx, md, &mdlen) != 1)
		BUG("SHA-256 failed");
	EVP_MD_CTX_free(ctx);
	strbuf_release(&sb);
	for (unsigned i = 0; i < 32; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return 0;
}

char *journal_canonical_json(json_t *j)
{
	char *s = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
	if (!s)
		BUG("json_dumps failed");
	return s;
}

int journal_head(struct store *st, int64_t *seq, char hash[JOURNAL_HASH_HEX],
		 struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r;

	*seq = 0;
	memcpy(hash, zero_hash, JOURNAL_HASH_HEX);
	r = store_prepare(st, "SELECT seq, hash FROM journal ORDER BY seq DESC LIMIT 1", &s, err);
	if (r < 0)
		return r;
	r = store_step(st, s, err);
	if (r == 1) {
		const char *h = store_column_text(st, s, 1);
		*seq = store_column_int(st, s, 0);
		snprintf(hash, JOURNAL_HASH_HEX, "%s", h ? h : "");
	}
	store_finalize(st, s);
	return r < 0 ? r : 0;
}

int journal_append(struct store *st, const char *actor, const char *action,
		   const char *entity_type, const char *entity_id, json_t *before, json_t *after,
		   int64_t *seq_out, struct mamori_err *err)
{
	struct journal_entry e = { 0 };
	struct store_stmt *s = NULL;
	char now[MAMORI_TIME_LEN], seqbuf[32];
	int64_t seq;
	int r;

	if (!st->in_tx)
		BUG("journal_append outside a transaction");
	r = journal_head(st, &seq, e.prev_hash, err);
	if (r < 0)
		return r;
	mamori_now(now);
	e.seq = seq + 1;
	e.time = now;
	e.actor = (char *)actor;
	e.action = (char *)action;
	e.entity_type = (char *)entity_type;
	e.entity_id = (char *)entity_id;
	e.before = before ? journal_canonical_json(before) : NULL;
	e.after = after ? journal_canonical_json(after) : NULL;
	r = journal_entry_hash(&e, e.hash);
	if (r < 0) {
		r = mamori_err_set(err, MAMORI_ECHECK,
				   "ジャーナルの先頭エントリのハッシュが壊れています。"
				   "「mamori journal verify」で確認してください");
		goto out;
	}
	r = store_prepare(st,
			  "INSERT INTO journal (seq, time, actor, action, entity_type, entity_id, "
			  "before, after, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			  &s, err);
	if (r < 0)
		goto out;
	store_bind_int(st, s, 1, e.seq);
	store_bind_text(st, s, 2, e.time);
	store_bind_text(st, s, 3, e.actor);
	store_bind_text(st, s, 4, e.action);
	store_bind_text(st, s, 5, e.entity_type);
	store_bind_text(st, s, 6, e.entity_id);
	store_bind_text(st, s, 7, e.before);
	store_bind_text(st, s, 8, e.after);
	store_bind_text(st, s, 9, e.prev_hash);
	store_bind_text(st, s, 10, e.hash);
	r = store_step(st, s, err);
	if (r < 0)
		goto out;
	snprintf(seqbuf, sizeof(seqbuf), "%lld", (long long)e.seq);
	r = store_meta_set(st, "journal.head_seq", seqbuf, err);
	if (r == 0)
		r = store_meta_set(st, "journal.head_hash", e.hash, err);
	if (r == 0 && seq_out)
		*seq_out = e.seq;
out:
	store_finalize(st, s);
	free(e.before);
	free(e.after);
	return r;
}

static void read_entry(struct store *st, struct store_stmt *s, struct journal_entry *e)
{
	const char *v;

#define DUP(col) ((v = store_column_text(st, s, (col))) ? xstrdup(v) : NULL)
	e->seq = store_column_int(st, s, 0);
	e->time = DUP(1);
	e->actor = DUP(2);
	e->action = DUP(3);
	e->entity_type = DUP(4);
	e->entity_id = DUP(5);
	e->before = DUP(6);
	e->after = DUP(7);
#undef DUP
	v = store_column_text(st, s, 8);
	snprintf(e->prev_hash, sizeof(e->prev_hash), "%s", v ? v : "");
	v = store_column_text(st, s, 9);
	snprintf(e->hash, sizeof(e->hash), "%s", v ? v : "");
}

#define ENTRY_COLUMNS "seq, time, actor, action, entity_type, entity_id, before, after, prev_hash, hash"

int journal_verify(struct store *st, const char *expect_hash, struct journal_verify_result *res,
		   void (*progress)(int64_t done, int64_t total, void *ctx), void *ctx,
		   struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	char running[JOURNAL_HASH_HEX], computed[JOURNAL_HASH_HEX];
	char *meta_seq = NULL, *meta_hash = NULL;
	int64_t expect_seq = 1, total = 0;
	int r;

	memset(res, 0, sizeof(*res));
	memcpy(running, zero_hash, sizeof(running));
	r = store_query_int(st, &total, err, "SELECT COUNT(*) FROM journal", NULL);
	if (r < 0)
		return r;
	r = store_prepare(st, "SELECT " ENTRY_COLUMNS " FROM journal ORDER BY seq", &s, err);
	if (r < 0)
		return r;
	while ((r = store_step(st, s, err)) == 1) {
		struct journal_entry e = { 0 };

		read_entry(st, s, &e);
		if (e.seq != expect_seq) {
			res->first_bad = expect_seq;
			if (e.seq > expect_seq)
				r = mamori_err_set(err, MAMORI_ECHECK,
						   "ジャーナル #%lld: エントリがありません (削除されています; "
						   "次にあるのは #%lld)",
						   (long long)expect_seq, (long long)e.seq);
			else
				r = mamori_err_set(err, MAMORI_ECHECK,
						   "ジャーナル #%lld: 番号が正しくありません",
						   (long long)e.seq);
		} else if (strcmp(e.prev_hash, running) != 0) {
			res->first_bad = e.seq;
			r = mamori_err_set(err, MAMORI_ECHECK,
					   "ジャーナル #%lld: 直前のエントリとのつながりが壊れています "
					   "(前のエントリの削除・挿入・並べ替え・改ざん)",
					   (long long)e.seq);
		} else if (journal_entry_hash(&e, computed) < 0 || strcmp(computed, e.hash) != 0) {
			res->first_bad = e.seq;
			r = mamori_err_set(err, MAMORI_ECHECK,
					   "ジャーナル #%lld: 内容が書き換えられています "
					   "(記録されたハッシュと一致しません)",
					   (long long)e.seq);
		}
		if (res->first_bad) {
			journal_entry_release(&e);
			goto out;
		}
		if (expect_hash && !strcmp(expect_hash, e.hash))
			res->expected_found = 1;
		memcpy(running, e.hash, sizeof(running));
		res->entries++;
		expect_seq++;
		journal_entry_release(&e);
		if (progress && (res->entries % 4096) == 0)
			progress(res->entries, total, ctx);
	}
	if (r < 0)
		goto out;
	r = 0;
	memcpy(res->head, running, sizeof(running));

	/* The newest entries deleted: the recorded head no longer matches. */
	r = store_meta_get(st, "journal.head_seq", &meta_seq, err);
	if (r == 0)
		r = store_meta_get(st, "journal.head_hash", &meta_hash, err);
	if (r < 0)
		goto out;
	if (meta_seq || res->entries) {
		int64_t recorded = meta_seq ? strtoll(meta_seq, NULL, 10) : 0;
		const char *why = NULL;

		if (!meta_seq || !meta_hash) {
			res->first_bad = 1;
			why = "最新エントリの記録がありません";
		} else if (recorded < res->entries) {
			res->first_bad = recorded + 1;
			why = "記録されている最新エントリより後に、エントリが追加されています";
		} else if (recorded > res->entries) {
			res->first_bad = res->entries + 1;
			why = "末尾のエントリが削除されています";
		} else if (strcmp(meta_hash, running) != 0) {
			res->first_bad = res->entries;
			why = "最新エントリが書き換えられています (記録されているハッシュと一致しません)";
		}
		if (why) {
			r = mamori_err_set(err, MAMORI_ECHECK, "ジャーナル #%lld: %s (記録されている最新は #%s)",
					   (long long)res->first_bad, why, meta_seq ? meta_seq : "?");
			goto out;
		}
	}
	if (expect_hash && !res->expected_found) {
		r = mamori_err_set(err, MAMORI_ECHECK,
				   "控えのハッシュ %s がジャーナルにありません "
				   "(控えを取った後に、それまでの記録が書き換えられています)",
				   expect_hash);
		goto out;
	}
	if (progress)
		progress(res->entries, total, ctx);
out:
	store_finalize(st, s);
	free(meta_seq);
	free(meta_hash);
	return r;
}

int journal_list(struct store *st, const struct journal_filter *f,
		 int (*fn)(const struct journal_entry *e, void *ctx), void *ctx,
		 struct mamori_err *err)
{
	struct strbuf sql = STRBUF_INIT, like = STRBUF_INIT;
	struct store_stmt *s = NULL;
	const char *params[4];
	int r, n = 0;

	/* Only the filters in use are written, so that the indexes serve them. */
	strbuf_addstr(&sql, "SELECT * FROM (SELECT " ENTRY_COLUMNS " FROM journal WHERE 1 = 1");
	if (f && f->entity_type) {
		strbuf_addstr(&sql, " AND entity_type = ?");
		params[n++] = f->entity_type;
	}
	if (f && f->entity_id) {
		strbuf_addstr(&sql, " AND entity_id = ?");
		params[n++] = f->entity_id;
	}
	if (f && f->since) {
		strbuf_addstr(&sql, " AND time >= ?");
		params[n++] = f->since;
	}
	if (f && f->action) {
		/* a prefix: LIKE 'prefix%' with the prefix's own % and _ escaped */
		for (const char *p = f->action; *p; p++) {
			if (*p == '%' || *p == '_' || *p == '\\')
				strbuf_addch(&like, '\\');
			strbuf_addch(&like, *p);
		}
		strbuf_addch(&like, '%');
		strbuf_addstr(&sql, " AND action LIKE ? ESCAPE '\\'");
		params[n++] = like.buf;
	}
	/* Newest first inside (for the limit), oldest first out. */
	strbuf_addstr(&sql, " ORDER BY seq DESC LIMIT ?) ORDER BY seq");
	r = store_prepare(st, sql.buf, &s, err);
	strbuf_release(&sql);
	if (r < 0) {
		strbuf_release(&like);
		return r;
	}
	for (int i = 0; i < n; i++)
		store_bind_text(st, s, i + 1, params[i]);
	store_bind_int(st, s, n + 1, f && f->limit > 0 ? f->limit : -1);
	while ((r = store_step(st, s, err)) == 1) {
		struct journal_entry e = { 0 };
		read_entry(st, s, &e);
		r = fn(&e, ctx);
		journal_entry_release(&e);
		if (r < 0)
			break;
	}
	store_finalize(st, s);
	strbuf_release(&like);
	return r < 0 ? r : 0;
}

json_t *journal_entry_json(const struct journal_entry *e)
{
	json_t *o = json_object();
	json_t *before = e->before ? json_loads(e->before, 0, NULL) : NULL;
	json_t *after = e->after ? json_loads(e->after, 0, NULL) : NULL;

	json_object_set_new(o, "seq", json_integer(e->seq));
	json_object_set_new(o, "time", json_string(e->time ? e->time : ""));
	json_object_set_new(o, "actor", json_string(e->actor ? e->actor : ""));
	json_object_set_new(o, "action", json_string(e->action ? e->action : ""));
	json_object_set_new(o, "entity_type", json_string(e->entity_type ? e->entity_type : ""));
	json_object_set_new(o, "entity_id", e->entity_id ? json_string(e->entity_id) : json_null());
	json_object_set_new(o, "before", before ? before : json_null());
	json_object_set_new(o, "after", after ? after : json_null());
	json_object_set_new(o, "prev_hash", json_string(e->prev_hash));
	json_object_set_new(o, "hash", json_string(e->hash));
	return o;
}
