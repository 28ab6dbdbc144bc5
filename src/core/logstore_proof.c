/*
 * logstore_proof.c - inclusion proof documents of the access-log vault
 * (written by logstore_prove(), checked by logstore_proof_verify() with no
 * store at all) and consistency proofs; the document format is in
 * logstore.h.
 *
 * logstore_proof_verify() reads hostile input (a file sent from another
 * host): the document is bounded (LOGPROOF_MAX), every line is parsed
 * strictly, the record must be a well-formed record (log_event_parse()),
 * and nothing is believed before the checkpoint's signature is checked.
 */
#include "common.h"

#include <inttypes.h>
#include <sodium.h>

#include "logstore_int.h"

#define LOGPROOF_MAX (LOG_RECORD_MAX * 2 + CHECKPOINT_NOTE_MAX + 8192)

/* Opens note with this store's key and checks that it is of this vault and
 * within its tree; *c receives it. */
static int own_checkpoint(struct logstore *ls, const char *note, size_t len, struct checkpoint *c,
			  struct mamori_err *err)
{
	int r = checkpoint_open(note, len, &ls->ver, c, err);

	if (r < 0)
		return r;
	if (strcmp(c->origin, ls->origin))
		return mamori_err_set(err, MAMORI_ECHECK,
				      "チェックポイントはほかの保管庫 (%s) のものです (この保管庫: %s)",
				      c->origin, ls->origin);
	if (c->size > ls->fr.size)
		return mamori_err_set(err, MAMORI_ECHECK,
				      "チェックポイントの大きさ %" PRIu64 " が保管庫のイベント数 %" PRIu64
				      " より大きくなっています (ログが失われたか切り詰められました)",
				      c->size, ls->fr.size);
	return 0;
}

/* The root of the first size leaves as this store has them. */
static int root_at(struct logstore *ls, uint64_t size, uint8_t out[MERKLE_HASH_LEN],
		   struct mamori_err *err)
{
	struct merkle_source src;

	if (size == ls->fr.size) {
		merkle_frontier_root(&ls->fr, out);
		return 0;
	}
	if (!size) {
		merkle_empty_root(out);
		return 0;
	}
	logstore_source(ls, &src);
	return merkle_range_hash(&src, 0, size, out, err);
}

int logstore_prove(struct logstore *ls, uint64_t seq, const char *checkpoint_note, size_t note_len,
		   struct strbuf *out, struct mamori_err *err)
{
	struct checkpoint c;
	struct strbuf note = STRBUF_INIT, rec = STRBUF_INIT, vk = STRBUF_INIT;
	uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN], root[MERKLE_HASH_LEN];
	struct merkle_source src;
	size_t plen;
	char hex[2 * MERKLE_HASH_LEN + 1];
	int r;

	checkpoint_init(&c);
	if ((r = logstore_commit(ls, err)) < 0)
		goto out;
	if (seq >= ls->fr.size) {
		r = mamori_err_set(err, MAMORI_ENOTFOUND,
				   "番号 %" PRIu64 " のイベントはありません (保管庫のイベント数 %" PRIu64 ")",
				   seq, ls->fr.size);
		goto out;
	}
	if (checkpoint_note) {
		strbuf_add(&note, checkpoint_note, note_len);
		if ((r = own_checkpoint(ls, note.buf, note.len, &c, err)) < 0)
			goto out;
		if ((r = root_at(ls, c.size, root, err)) < 0)
			goto out;
		if (memcmp(root, c.root, MERKLE_HASH_LEN)) {
			r = mamori_err_set(err, MAMORI_ECHECK,
					   "保管庫の大きさ %" PRIu64 " の木の根が渡されたチェックポイントと違います"
					   " (保管庫が書き換えられています。mamori log verify で確認してください)",
					   c.size);
			goto out;
		}
		if (seq >= c.size) {
			r = mamori_err_set(err, MAMORI_EINVAL,
					   "番号 %" PRIu64 " のイベントは大きさ %" PRIu64
					   " のチェックポイントより後です",
					   seq, c.size);
			goto out;
		}
	} else {
		r = logstore_checkpoint_latest(ls, &note, err);
		if (r == 0)
			r = own_checkpoint(ls, note.buf, note.len, &c, err);
		if (r == MAMORI_ENOTFOUND || (r == 0 && c.size <= seq)) {
			strbuf_reset(&note);
			if ((r = logstore_checkpoint(ls, &note, err)) < 0 ||
			    (r = own_checkpoint(ls, note.buf, note.len, &c, err)) < 0)
				goto out;
		} else if (r < 0) {
			goto out;
		}
	}
	logstore_source(ls, &src);
	if ((r = merkle_inclusion_proof(&src, seq, c.size, proof, &plen, err)) < 0 ||
	    (r = logstore_read_record(ls, seq, &rec, err)) < 0)
		goto out;
	/* Never hand out a proof that does not hold: the record or the cached
	 * hashes may have been altered since the checkpoint was signed. */
	{
		uint8_t leaf[MERKLE_HASH_LEN];

		merkle_leaf_hash(rec.buf, rec.len, leaf);
		if (merkle_inclusion_verify(seq, c.size, leaf, (const uint8_t (*)[MERKLE_HASH_LEN])proof,
					    plen, c.root, NULL) != 0) {
			r = mamori_err_set(err, MAMORI_ECHECK,
					   "番号 %" PRIu64 " のイベントの記録がチェックポイント (大きさ %" PRIu64
					   ") と合いません。保管庫が書き換えられています。"
					   "mamori log verify で確認してください",
					   seq, c.size);
			goto out;
		}
	}
	strbuf_addf(out, "MAMORI-LOG-PROOF 1\nindex %" PRIu64 "\nsize %" PRIu64 "\nrecord ", seq,
		    c.size);
	{
		size_t b64 = sodium_base64_ENCODED_LEN(rec.len, sodium_base64_VARIANT_ORIGINAL);

		strbuf_grow(out, b64);
		sodium_bin2base64(out->buf + out->len, b64, (const unsigned char *)rec.buf, rec.len,
				  sodium_base64_VARIANT_ORIGINAL);
		out->len += b64 - 1;
		out->buf[out->len] = '\0';
	}
	strbuf_addch(out, '\n');
	for (size_t i = 0; i < plen; i++) {
		merkle_hash_hex(proof[i], hex);
		strbuf_addf(out, "path %s\n", hex);
	}
	checkpoint_vkey_format(&ls->ver, &vk);
	strbuf_addf(out, "vkey %s\n\n", vk.buf);
	strbuf_add(out, note.buf, note.len);
out:
	checkpoint_release(&c);
	strbuf_release(&note);
	strbuf_release(&rec);
	strbuf_release(&vk);
	return r;
}

/* ---- checking a document ----------------------------------------------------------- */

struct lines {
	const char *p, *end;
	unsigned no;
};

/* The next line (without LF) into *s, *n; -1 at the end or without LF. */
static int take_line(struct lines *l, const char **s, size_t *n)
{
	const char *nl;

	if (l->p >= l->end)
		return -1;
	nl = memchr(l->p, '\n', (size_t)(l->end - l->p));
	if (!nl)
		return -1;
	*s = l->p;
	*n = (size_t)(nl - l->p);
	l->p = nl + 1;
	l->no++;
	return 0;
}

static int key_value(const char *s, size_t n, const char *key, const char **v, size_t *vn)
{
	size_t k = strlen(key);

	if (n < k + 2 || memcmp(s, key, k) || s[k] != ' ')
		return -1;
	*v = s + k + 1;
	*vn = n - k - 1;
	return 0;
}

static int dec_u64(const char *s, size_t n, uint64_t *out)
{
	uint64_t v = 0;

	if (!n || n > 19 || (n > 1 && s[0] == '0'))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > MERKLE_SIZE_MAX)
		return -1;
	*out = v;
	return 0;
}

int logstore_proof_verify(const char *doc, size_t len, const char *vkey, const char *checkpoint_note,
			  size_t note_len, struct log_event *ev, uint64_t *seq, bool *self_signed,
			  struct mamori_err *err)
{
	struct lines l = { doc, doc + len, 0 };
	struct checkpoint c, ext;
	struct checkpoint_verifier ver;
	struct log_event local;
	struct strbuf vk = STRBUF_INIT, tmp = STRBUF_INIT;
	uint8_t (*path)[MERKLE_HASH_LEN] = NULL;
	unsigned char *rec = NULL;
	size_t rec_len = 0, npath = 0, n, vn;
	uint64_t index = 0, size = 0;
	const char *s, *v, *what = NULL;
	int r = 0;

	checkpoint_init(&c);
	checkpoint_init(&ext);
	log_event_init(&local);
	if (!ev)
		ev = &local;
	if (seq)
		*seq = 0;
	if (self_signed)
		*self_signed = false;
#define BAD(w)                                                                             \
	do {                                                                               \
		what = (w);                                                                \
		goto bad;                                                                  \
	} while (0)
	if (len > LOGPROOF_MAX)
		BAD("大きすぎます");
	if (take_line(&l, &s, &n) || n != 18 || memcmp(s, "MAMORI-LOG-PROOF 1", 18))
		BAD("先頭が MAMORI-LOG-PROOF 1 ではありません");
	if (take_line(&l, &s, &n) || key_value(s, n, "index", &v, &vn) || dec_u64(v, vn, &index))
		BAD("index 行");
	if (take_line(&l, &s, &n) || key_value(s, n, "size", &v, &vn) || dec_u64(v, vn, &size) ||
	    index >= size)
		BAD("size 行");
	if (take_line(&l, &s, &n) || key_value(s, n, "record", &v, &vn) ||
	    vn > sodium_base64_ENCODED_LEN(LOG_RECORD_MAX, sodium_base64_VARIANT_ORIGINAL))
		BAD("record 行");
	rec = xmalloc(vn + 1);
	if (sodium_base642bin(rec, vn, v, vn, NULL, &rec_len, NULL, sodium_base64_VARIANT_ORIGINAL) != 0)
		BAD("record 行 (base64)");
	path = xcalloc(MERKLE_PROOF_MAX, MERKLE_HASH_LEN);
	for (;;) {
		if (take_line(&l, &s, &n))
			BAD("vkey 行がありません");
		if (key_value(s, n, "path", &v, &vn) == 0) {
			if (npath == MERKLE_PROOF_MAX || vn != 2 * MERKLE_HASH_LEN)
				BAD("path 行");
			strbuf_reset(&tmp);
			strbuf_add(&tmp, v, vn);
			if (merkle_hash_from_hex(tmp.buf, path[npath], NULL) < 0)
				BAD("path 行");
			npath++;
			continue;
		}
		if (key_value(s, n, "vkey", &v, &vn) == 0 && vn <= 1024) {
			strbuf_add(&vk, v, vn);
			break;
		}
		BAD("path か vkey の行が必要です");
	}
	if (take_line(&l, &s, &n) || n != 0)
		BAD("vkey 行の後の空行がありません");
	if (checkpoint_vkey_parse(vkey ? vkey : vk.buf, &ver, err) < 0) {
		r = mamori_err_prefix(err, "証明書の検証鍵");
		goto out;
	}
	if (!vkey && self_signed)
		*self_signed = true;
	if (vkey) {
		struct checkpoint_verifier docver;

		if (checkpoint_vkey_parse(vk.buf, &docver, NULL) < 0)
			BAD("vkey 行");
	}
	if ((r = checkpoint_open(l.p, (size_t)(l.end - l.p), &ver, &c, err)) < 0) {
		mamori_err_prefix(err, "証明書のチェックポイント");
		if (r == MAMORI_EINVAL && vkey)
			r = MAMORI_ECHECK; /* not signed by the key the caller trusts */
		goto out;
	}
	if (c.size != size) {
		r = mamori_err_set(err, MAMORI_ECHECK,
				   "証明書の大きさ (%" PRIu64 ") がチェックポイントの大きさ (%" PRIu64
				   ") と違います",
				   size, c.size);
		goto out;
	}
	if ((r = log_event_parse(ev, (const char *)rec, rec_len, NULL, err)) < 0) {
		mamori_err_prefix(err, "証明書の記録");
		goto out;
	}
	if ((r = merkle_inclusion_verify(index, size, ev->leaf, (const uint8_t(*)[MERKLE_HASH_LEN])path,
					 npath, c.root, err)) < 0) {
		if (r == MAMORI_EINVAL)
			r = MAMORI_ECHECK;
		goto out;
	}
	if (checkpoint_note) {
		if ((r = checkpoint_open(checkpoint_note, note_len, &ver, &ext, err)) < 0) {
			mamori_err_prefix(err, "照合するチェックポイント");
			goto out;
		}
		if (strcmp(ext.origin, c.origin) || ext.size != c.size ||
		    memcmp(ext.root, c.root, MERKLE_HASH_LEN)) {
			r = mamori_err_set(err, MAMORI_ECHECK,
					   "証明書のチェックポイント (%s, 大きさ %" PRIu64
					   ") が照合するチェックポイント (%s, 大きさ %" PRIu64 ") と違います",
					   c.origin, c.size, ext.origin, ext.size);
			goto out;
		}
	}
	if (seq)
		*seq = index;
	goto out;
bad:
	r = mamori_err_set(err, MAMORI_EINVAL, "証明書の形が正しくありません (%u 行目: %s)", l.no,
			   what);
out:
#undef BAD
	checkpoint_release(&c);
	checkpoint_release(&ext);
	log_event_release(&local);
	strbuf_release(&vk);
	strbuf_release(&tmp);
	free(path);
	free(rec);
	return r;
}

/* ---- consistency -------------------------------------------------------------------- */

int logstore_consistency(struct logstore *ls, uint64_t m, uint64_t n, struct strbuf *out,
			 uint8_t root_m[MERKLE_HASH_LEN], uint8_t root_n[MERKLE_HASH_LEN],
			 struct mamori_err *err)
{
	uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_LEN];
	struct merkle_source src;
	char hex[2 * MERKLE_HASH_LEN + 1];
	size_t len;
	int r;

	if ((r = logstore_commit(ls, err)) < 0)
		return r;
	if (m > n || n > ls->fr.size)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "一貫性証明: 大きさ %" PRIu64 " から %" PRIu64
				      " へは証明できません (保管庫のイベント数 %" PRIu64 ")",
				      m, n, ls->fr.size);
	logstore_source(ls, &src);
	if ((r = merkle_consistency_proof(&src, m, n, proof, &len, err)) < 0 ||
	    (r = root_at(ls, m, root_m, err)) < 0 || (r = root_at(ls, n, root_n, err)) < 0)
		return r;
	for (size_t i = 0; i < len; i++) {
		merkle_hash_hex(proof[i], hex);
		strbuf_addf(out, "%s\n", hex);
	}
	return 0;
}
