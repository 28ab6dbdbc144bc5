/*
 * checkpoint.c - C2SP checkpoints and signed notes with Ed25519 (libsodium);
 * the formats and contracts are in checkpoint.h.
 *
 * Parsing never trusts a length it has not checked: every line is found
 * with memchr inside the bounds given, every field is measured against its
 * maximum before it is copied, base64 must be canonical.
 */
#include "common.h"

#include <inttypes.h>
#include <openssl/evp.h>
#include <sodium.h>

#include "checkpoint.h"

#define EM_DASH "\xe2\x80\x94"      /* U+2014, starts a signature line */
#define SIG_LINE_MAX 4096           /* a signature line of any algorithm */
#define SIG_BLOB_MAX 3072           /* decoded key id ‖ signature, any algorithm */
#define KEY_TYPE_ED25519 0x01
/* name + "+" + 8 hex digits + "+" + 44 base64 characters */
#define KEY_TEXT_MAX (CHECKPOINT_NAME_MAX + 1 + 8 + 1 + 44)

static void sodium_ready(void)
{
	if (sodium_init() < 0)
		BUG("libsodium cannot be initialised");
}

/* ---- text checks -------------------------------------------------------------- */

/*
 * Decodes the UTF-8 sequence at s[0..len) into *cp; returns its length, or
 * 0 when it is not well-formed (overlong, surrogate, beyond U+10FFFF,
 * truncated).
 */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
	uint32_t c = s[0], min;
	size_t n;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if ((c & 0xe0) == 0xc0) {
		n = 2, c &= 0x1f, min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 3, c &= 0x0f, min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 4, c &= 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

static int is_unicode_space(uint32_t c)
{
	return c == ' ' || c == 0x85 || c == 0xa0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
	       c == 0x2028 || c == 0x2029 || c == 0x202f || c == 0x205f || c == 0x3000;
}

enum { TEXT_LINE, TEXT_NAME };

/*
 * 0 when s[0..len) is well-formed UTF-8 without control characters (and,
 * for TEXT_NAME, without spaces and '+'); else the offset + 1 of the first
 * bad byte.
 */
static size_t text_bad(const char *s, size_t len, int kind)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	while (i < len) {
		uint32_t c;
		size_t n = utf8_next(u + i, len - i, &c);

		if (!n || c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0))
			return i + 1;
		if (kind == TEXT_NAME && (c == '+' || is_unicode_space(c)))
			return i + 1;
		i += n;
	}
	return 0;
}

int checkpoint_name_check(const char *name, struct mamori_err *err)
{
	size_t len = strnlen(name, CHECKPOINT_NAME_MAX + 1);

	if (!len || len > CHECKPOINT_NAME_MAX)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "鍵の名前は 1〜%d バイトにしてください", CHECKPOINT_NAME_MAX);
	if (text_bad(name, len, TEXT_NAME))
		return mamori_err_set(err, MAMORI_EINVAL,
				      "鍵の名前 \"%.80s\" に使えない文字があります (空白・'+'・制御文字・"
				      "不正な UTF-8 は使えません)",
				      name);
	return 0;
}

static int origin_check(const char *s, size_t len, struct mamori_err *err)
{
	if (!len || len > CHECKPOINT_NAME_MAX)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "チェックポイントの origin は 1〜%d バイトにしてください",
				      CHECKPOINT_NAME_MAX);
	if (text_bad(s, len, TEXT_LINE))
		return mamori_err_set(err, MAMORI_EINVAL,
				      "チェックポイントの origin に制御文字か不正な UTF-8 があります");
	return 0;
}

/* ---- base64 ----------------------------------------------------------------------- */

static void b64_add(struct strbuf *sb, const uint8_t *bin, size_t len)
{
	size_t enc = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);

	strbuf_grow(sb, enc);
	sodium_bin2base64(sb->buf + sb->len, enc, bin, len, sodium_base64_VARIANT_ORIGINAL);
	sb->len += enc - 1;
}

/* Decodes canonical standard base64 s[0..slen) into out[0..max); -1 if not. */
static int b64_decode(const char *s, size_t slen, uint8_t *out, size_t max, size_t *outlen)
{
	const char *end = NULL;
	struct strbuf re = STRBUF_INIT;
	int ok;

	if (!slen || slen % 4 || slen / 4 * 3 > max + 2)
		return -1;
	if (sodium_base642bin(out, max, s, slen, NULL, outlen, &end,
			      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != s + slen)
		return -1;
	/* Canonical: no stray bits in the padding. */
	b64_add(&re, out, *outlen);
	ok = re.len == slen && !memcmp(re.buf, s, slen);
	strbuf_release(&re);
	return ok ? 0 : -1;
}

/* ---- bodies -------------------------------------------------------------------- */

void checkpoint_init(struct checkpoint *c)
{
	memset(c, 0, sizeof(*c));
}

void checkpoint_release(struct checkpoint *c)
{
	free(c->ext);
	checkpoint_init(c);
}

/* Checks extension lines ext[0..len) against the limits. */
static int ext_check(const char *ext, size_t len, struct mamori_err *err)
{
	size_t lines = 0, i = 0;

	while (i < len) {
		const char *nl = memchr(ext + i, '\n', len - i);
		size_t l;

		if (!nl)
			return mamori_err_set(err, MAMORI_EINVAL,
					      "チェックポイントの拡張行が改行で終わっていません");
		l = (size_t)(nl - (ext + i));
		if (++lines > CHECKPOINT_EXT_MAX)
			return mamori_err_set(err, MAMORI_EINVAL,
					      "チェックポイントの拡張行が %d 行を超えています",
					      CHECKPOINT_EXT_MAX);
		if (!l || l > CHECKPOINT_LINE_MAX || text_bad(ext + i, l, TEXT_LINE))
			return mamori_err_set(err, MAMORI_EINVAL,
					      "チェックポイントの拡張行 %zu が空、長すぎる (上限 %d バイト)、"
					      "または制御文字か不正な UTF-8 を含んでいます",
					      lines, CHECKPOINT_LINE_MAX);
		i += l + 1;
	}
	return 0;
}

int checkpoint_body(const struct checkpoint *c, struct strbuf *out, struct mamori_err *err)
{
	int r = origin_check(c->origin, strnlen(c->origin, sizeof(c->origin)), err);

	if (r < 0)
		return r;
	if (c->size > MERKLE_SIZE_MAX)
		return mamori_err_set(err, MAMORI_EINVAL, "チェックポイントの大きさ %" PRIu64
				      " が上限を超えています", c->size);
	if (c->ext && (r = ext_check(c->ext, strlen(c->ext), err)) < 0)
		return r;
	strbuf_addf(out, "%s\n%" PRIu64 "\n", c->origin, c->size);
	b64_add(out, c->root, MERKLE_HASH_LEN);
	strbuf_addch(out, '\n');
	if (c->ext)
		strbuf_addstr(out, c->ext);
	return 0;
}

/* The next line of text[*pos..len) without its "\n"; NULL when none. */
static const char *next_line(const char *text, size_t len, size_t *pos, size_t *llen)
{
	const char *start = text + *pos, *nl;

	if (*pos >= len)
		return NULL;
	nl = memchr(start, '\n', len - *pos);
	if (!nl)
		return NULL;
	*llen = (size_t)(nl - start);
	*pos += *llen + 1;
	return start;
}

int checkpoint_parse_body(const char *text, size_t len, struct checkpoint *c,
			  struct mamori_err *err)
{
	const char *line;
	size_t pos = 0, l = 0, rootlen = 0;
	uint64_t size = 0;
	int r;

	checkpoint_release(c);
	if (len > CHECKPOINT_NOTE_MAX)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "チェックポイントが大きすぎます (%zu バイト、上限 %d)", len,
				      CHECKPOINT_NOTE_MAX);
	if (!len || text[len - 1] != '\n')
		return mamori_err_set(err, MAMORI_EINVAL,
				      "チェックポイントが改行で終わっていません");
	/* 1: origin */
	line = next_line(text, len, &pos, &l);
	if ((r = origin_check(line, l, err)) < 0)
		return r;
	memcpy(c->origin, line, l);
	c->origin[l] = '\0';
	/* 2: size, decimal without leading zeros */
	line = next_line(text, len, &pos, &l);
	if (!line || !l || l > 19 || (l > 1 && line[0] == '0'))
		goto bad_size;
	for (size_t i = 0; i < l; i++) {
		if (line[i] < '0' || line[i] > '9')
			goto bad_size;
		size = size * 10 + (uint64_t)(line[i] - '0');
	}
	if (size > MERKLE_SIZE_MAX)
		goto bad_size;
	c->size = size;
	/* 3: root */
	line = next_line(text, len, &pos, &l);
	if (!line || l != 44 || b64_decode(line, l, c->root, MERKLE_HASH_LEN, &rootlen) < 0 ||
	    rootlen != MERKLE_HASH_LEN) {
		checkpoint_release(c);
		return mamori_err_set(err, MAMORI_EINVAL,
				      "チェックポイントの 3 行目 (根のハッシュ) が 32 バイトの base64 "
				      "ではありません");
	}
	/* the rest: extension lines */
	if (pos < len) {
		if ((r = ext_check(text + pos, len - pos, err)) < 0) {
			checkpoint_release(c);
			return r;
		}
		c->ext = xstrndup(text + pos, len - pos);
	}
	return 0;
bad_size:
	checkpoint_release(c);
	return mamori_err_set(err, MAMORI_EINVAL,
			      "チェックポイントの 2 行目 (大きさ) が 0〜%" PRIu64
			      " の 10 進数 (先頭に 0 なし) ではありません",
			      MERKLE_SIZE_MAX);
}

/* ---- keys ----------------------------------------------------------------------- */

void checkpoint_key_id(const char *name, const uint8_t pk[CHECKPOINT_PK_LEN],
		       uint8_t id[CHECKPOINT_KEY_ID_LEN])
{
	uint8_t md[32];
	unsigned int n = 0;
	static const uint8_t sep[2] = { '\n', KEY_TYPE_ED25519 };

	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1 ||
	    EVP_DigestUpdate(ctx, name, strlen(name)) != 1 ||
	    EVP_DigestUpdate(ctx, sep, sizeof(sep)) != 1 ||
	    EVP_DigestUpdate(ctx, pk, CHECKPOINT_PK_LEN) != 1 ||
	    EVP_DigestFinal_ex(ctx, md, &n) != 1)
		BUG("OpenSSL: SHA-256 failed");
	EVP_MD_CTX_free(ctx);
	memcpy(id, md, CHECKPOINT_KEY_ID_LEN);
}

static void set_name(struct checkpoint_verifier *v, const char *name, size_t len)
{
	memcpy(v->name, name, len);
	v->name[len] = '\0';
}

int checkpoint_signer_from_seed(const char *name, const uint8_t seed[CHECKPOINT_SEED_LEN],
				struct checkpoint_signer *s, struct mamori_err *err)
{
	int r = checkpoint_name_check(name, err);

	if (r < 0)
		return r;
	sodium_ready();
	memset(s, 0, sizeof(*s));
	if (crypto_sign_seed_keypair(s->v.pk, s->sk, seed) != 0)
		BUG("crypto_sign_seed_keypair failed");
	set_name(&s->v, name, strlen(name));
	checkpoint_key_id(s->v.name, s->v.pk, s->v.id);
	return 0;
}

int checkpoint_keygen(const char *name, struct checkpoint_signer *s, struct mamori_err *err)
{
	uint8_t seed[CHECKPOINT_SEED_LEN];
	int r;

	sodium_ready();
	randombytes_buf(seed, sizeof(seed));
	r = checkpoint_signer_from_seed(name, seed, s, err);
	sodium_memzero(seed, sizeof(seed));
	return r;
}

void checkpoint_signer_wipe(struct checkpoint_signer *s)
{
	sodium_memzero(s, sizeof(*s));
}

static void add_key_text(struct strbuf *out, const char *name, const uint8_t id[4],
			 const uint8_t key[32])
{
	uint8_t blob[33];

	blob[0] = KEY_TYPE_ED25519;
	memcpy(blob + 1, key, 32);
	strbuf_addf(out, "%s+%02x%02x%02x%02x+", name, id[0], id[1], id[2], id[3]);
	b64_add(out, blob, sizeof(blob));
	sodium_memzero(blob, sizeof(blob));
}

void checkpoint_vkey_format(const struct checkpoint_verifier *v, struct strbuf *out)
{
	add_key_text(out, v->name, v->id, v->pk);
}

void checkpoint_skey_format(const struct checkpoint_signer *s, struct strbuf *out)
{
	strbuf_addstr(out, "PRIVATE+KEY+");
	add_key_text(out, s->v.name, s->v.id, s->sk); /* sk starts with the seed */
}

/*
 * Splits "<name>+<8 hex>+<base64(0x01 ‖ 32 bytes)>" into name, id and key;
 * what names the text in messages.
 */
static int parse_key_text(const char *text, const char *what, char name[CHECKPOINT_NAME_MAX + 1],
			  uint8_t id[4], uint8_t key[32], struct mamori_err *err)
{
	size_t len = strnlen(text, KEY_TEXT_MAX + 1);
	const char *p1 = memchr(text, '+', len), *p2, *b64;
	uint8_t blob[33];
	size_t blen = 0;
	int r;

	if (len > KEY_TEXT_MAX || !p1 || (size_t)(p1 - text) > CHECKPOINT_NAME_MAX)
		goto bad;
	p2 = memchr(p1 + 1, '+', len - (size_t)(p1 + 1 - text));
	if (!p2 || p2 - p1 - 1 != 8)
		goto bad;
	memcpy(name, text, (size_t)(p1 - text));
	name[p1 - text] = '\0';
	if ((r = checkpoint_name_check(name, err)) < 0)
		return mamori_err_prefix(err, "%s", what);
	for (int i = 0; i < 4; i++) {
		unsigned v = 0;
		for (int j = 0; j < 2; j++) {
			char ch = p1[1 + 2 * i + j];
			if (ch >= '0' && ch <= '9')
				v = v << 4 | (unsigned)(ch - '0');
			else if (ch >= 'a' && ch <= 'f')
				v = v << 4 | (unsigned)(ch - 'a' + 10);
			else
				goto bad;
		}
		id[i] = (uint8_t)v;
	}
	b64 = p2 + 1;
	if (b64_decode(b64, len - (size_t)(b64 - text), blob, sizeof(blob), &blen) < 0 ||
	    blen != sizeof(blob))
		goto bad;
	if (blob[0] != KEY_TYPE_ED25519) {
		sodium_memzero(blob, sizeof(blob));
		return mamori_err_set(err, MAMORI_EINVAL,
				      "%s: Ed25519 (種類 1) 以外の鍵 (種類 %u) には対応していません",
				      what, blob[0]);
	}
	memcpy(key, blob + 1, 32);
	sodium_memzero(blob, sizeof(blob));
	return 0;
bad:
	sodium_memzero(blob, sizeof(blob));
	return mamori_err_set(err, MAMORI_EINVAL,
			      "%s の形が違います: \"名前+鍵ID(16 進 8 桁)+base64\" と書いてください",
			      what);
}

int checkpoint_vkey_parse(const char *text, struct checkpoint_verifier *v, struct mamori_err *err)
{
	uint8_t id[4];
	int r;

	memset(v, 0, sizeof(*v));
	r = parse_key_text(text, "検証鍵 (vkey)", v->name, v->id, v->pk, err);
	if (r < 0)
		return r;
	checkpoint_key_id(v->name, v->pk, id);
	if (memcmp(id, v->id, 4)) {
		memset(v, 0, sizeof(*v));
		return mamori_err_set(err, MAMORI_EINVAL,
				      "検証鍵 (vkey) の鍵 ID が名前と公開鍵に合いません "
				      "(写し間違いがないか確認してください)");
	}
	return 0;
}

int checkpoint_skey_parse(const char *text, struct checkpoint_signer *s, struct mamori_err *err)
{
	static const char prefix[] = "PRIVATE+KEY+";
	char name[CHECKPOINT_NAME_MAX + 1];
	uint8_t id[4], seed[32];
	int r;

	memset(s, 0, sizeof(*s));
	if (strncmp(text, prefix, sizeof(prefix) - 1))
		return mamori_err_set(err, MAMORI_EINVAL,
				      "署名鍵 (skey) は \"PRIVATE+KEY+\" で始まります");
	r = parse_key_text(text + sizeof(prefix) - 1, "署名鍵 (skey)", name, id, seed, err);
	if (r < 0)
		return r;
	r = checkpoint_signer_from_seed(name, seed, s, err);
	sodium_memzero(seed, sizeof(seed));
	if (r < 0)
		return r;
	if (memcmp(id, s->v.id, 4)) {
		checkpoint_signer_wipe(s);
		return mamori_err_set(err, MAMORI_EINVAL,
				      "署名鍵 (skey) の鍵 ID が名前と鍵に合いません");
	}
	return 0;
}

/* ---- notes ----------------------------------------------------------------------- */

/* Note text: non-empty, ends in "\n", no empty line, UTF-8 without controls. */
static int note_text_check(const char *text, size_t len, struct mamori_err *err)
{
	size_t i = 0, line = 0;

	if (!len || text[len - 1] != '\n')
		return mamori_err_set(err, MAMORI_EINVAL,
				      "署名付きノートの本文が空か、改行で終わっていません");
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t l = (size_t)(nl - (text + i));

		line++;
		if (!l)
			return mamori_err_set(err, MAMORI_EINVAL,
					      "署名付きノートの本文 %zu 行目が空行です", line);
		if (text_bad(text + i, l, TEXT_LINE))
			return mamori_err_set(err, MAMORI_EINVAL,
					      "署名付きノートの本文 %zu 行目に制御文字か不正な UTF-8 が"
					      "あります",
					      line);
		i += l + 1;
	}
	return 0;
}

int checkpoint_note_sign(const struct checkpoint_signer *s, const char *text, size_t len,
			 struct strbuf *out, struct mamori_err *err)
{
	uint8_t blob[CHECKPOINT_KEY_ID_LEN + CHECKPOINT_SIG_LEN];
	int r;

	if (len > CHECKPOINT_NOTE_MAX - 200)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "署名するノートが大きすぎます (%zu バイト)", len);
	if ((r = note_text_check(text, len, err)) < 0)
		return r;
	sodium_ready();
	memcpy(blob, s->v.id, CHECKPOINT_KEY_ID_LEN);
	if (crypto_sign_detached(blob + CHECKPOINT_KEY_ID_LEN, NULL, (const unsigned char *)text,
				 len, s->sk) != 0)
		BUG("crypto_sign_detached failed");
	strbuf_add(out, text, len);
	strbuf_addstr(out, "\n" EM_DASH " ");
	strbuf_addstr(out, s->v.name);
	strbuf_addch(out, ' ');
	b64_add(out, blob, sizeof(blob));
	strbuf_addch(out, '\n');
	return 0;
}

int checkpoint_note_open(const char *note, size_t len, const struct checkpoint_verifier *v,
			 size_t *text_len, struct mamori_err *err)
{
	size_t tlen, pos, nsigs = 0, good = 0;
	const char *sep = NULL;
	int r;

	*text_len = 0;
	if (len > CHECKPOINT_NOTE_MAX)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "署名付きノートが大きすぎます (%zu バイト、上限 %d)", len,
				      CHECKPOINT_NOTE_MAX);
	/* The text ends at the last "\n\n". */
	for (size_t i = len; i >= 2; i--) {
		if (note[i - 2] == '\n' && note[i - 1] == '\n') {
			sep = note + i - 2;
			break;
		}
	}
	if (!sep)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "署名付きノートではありません (本文と署名の間の空行がありません)");
	tlen = (size_t)(sep - note) + 1;
	if ((r = note_text_check(note, tlen, err)) < 0)
		return r;
	pos = tlen + 1;
	if (pos >= len || note[len - 1] != '\n')
		return mamori_err_set(err, MAMORI_EINVAL,
				      "署名付きノートの署名行がないか、改行で終わっていません");
	while (pos < len) {
		const char *line = note + pos, *nl = memchr(line, '\n', len - pos), *sp, *name;
		size_t l = (size_t)(nl - line), nlen, blen = 0;
		uint8_t *blob;

		if (++nsigs > CHECKPOINT_SIGS_MAX)
			return mamori_err_set(err, MAMORI_EINVAL,
					      "署名付きノートの署名行が %d 行を超えています",
					      CHECKPOINT_SIGS_MAX);
		if (l > SIG_LINE_MAX || l < 4 || memcmp(line, EM_DASH " ", 4))
			goto bad_line;
		name = line + 4;
		sp = memchr(name, ' ', l - 4);
		if (!sp)
			goto bad_line;
		nlen = (size_t)(sp - name);
		if (!nlen || nlen > CHECKPOINT_NAME_MAX || text_bad(name, nlen, TEXT_NAME))
			goto bad_line;
		blob = xmalloc(SIG_BLOB_MAX);
		if (b64_decode(sp + 1, l - 4 - nlen - 1, blob, SIG_BLOB_MAX, &blen) < 0 ||
		    blen <= CHECKPOINT_KEY_ID_LEN) {
			free(blob);
			goto bad_line;
		}
		if (nlen == strlen(v->name) && !memcmp(name, v->name, nlen) &&
		    !memcmp(blob, v->id, CHECKPOINT_KEY_ID_LEN)) {
			if (blen != CHECKPOINT_KEY_ID_LEN + CHECKPOINT_SIG_LEN ||
			    crypto_sign_verify_detached(blob + CHECKPOINT_KEY_ID_LEN,
							(const unsigned char *)note, tlen,
							v->pk) != 0) {
				free(blob);
				return mamori_err_set(err, MAMORI_ECHECK,
						      "署名が一致しません: 鍵 \"%s\" の署名行 %zu が"
						      "本文に合いません (本文が改ざんされたか、署名が壊れています)",
						      v->name, nsigs);
			}
			good++;
		}
		free(blob);
		pos += l + 1;
		continue;
bad_line:
		return mamori_err_set(err, MAMORI_EINVAL,
				      "署名付きノートの署名行 %zu の形が違います "
				      "(\"— 名前 base64\" の形で書かれていません)",
				      nsigs);
	}
	if (!good)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "鍵 \"%s\" (鍵 ID %02x%02x%02x%02x) による署名がありません "
				      "(別の鍵で署名されたか、名前が違います)",
				      v->name, v->id[0], v->id[1], v->id[2], v->id[3]);
	*text_len = tlen;
	return 0;
}

int checkpoint_sign(const struct checkpoint *c, const struct checkpoint_signer *s,
		    struct strbuf *out, struct mamori_err *err)
{
	struct strbuf body = STRBUF_INIT;
	int r = checkpoint_body(c, &body, err);

	if (r == 0)
		r = checkpoint_note_sign(s, body.buf, body.len, out, err);
	strbuf_release(&body);
	return r;
}

int checkpoint_open(const char *note, size_t len, const struct checkpoint_verifier *v,
		    struct checkpoint *c, struct mamori_err *err)
{
	size_t tlen = 0;
	int r = checkpoint_note_open(note, len, v, &tlen, err);

	if (r < 0)
		return r;
	return checkpoint_parse_body(note, tlen, c, err);
}
