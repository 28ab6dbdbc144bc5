/*
 * checkpoint.h - signed checkpoints of the access-log vault: the C2SP
 * tlog-checkpoint body wrapped in a C2SP signed note with Ed25519
 * signatures (docs/internals/merkle.md).
 *
 * A checkpoint body is
 *
 *     <origin>\n<size in decimal>\n<base64 of the 32-byte root>\n[<extension line>\n]...
 *
 * and a signed note is the body, an empty line, and one or more lines
 *
 *     — <key name> <base64(key id ‖ signature)>\n         ("—" is U+2014)
 *
 * where the signature is Ed25519 over the body and the key id is the first
 * 4 bytes of SHA-256(name ‖ "\n" ‖ 0x01 ‖ public key).  The verifier key is
 * kept and printed as "<name>+<hex key id>+<base64(0x01 ‖ public key)>"
 * (the vkey); the signer key as "PRIVATE+KEY+<name>+<hex key id>+
 * <base64(0x01 ‖ 32-byte seed)>" (the skey), both as in Go's
 * golang.org/x/mod/sumdb/note, so that other tools read them.
 *
 * Everything that parses (notes, bodies, vkeys, skeys) treats its input as
 * hostile: bounded sizes, strict syntax, canonical base64 only
 * (sodium_base642bin, standard alphabet with padding, re-encoded and
 * compared).  Errors are MAMORI_EINVAL with a Japanese message naming the
 * line, except a signature that does not verify, which is MAMORI_ECHECK.
 * The functions are safe to call from several threads.
 */
#ifndef MAMORI_CHECKPOINT_H
#define MAMORI_CHECKPOINT_H

#include <stdint.h>

#include "common.h"
#include "merkle.h"
#include "strbuf.h"

#define CHECKPOINT_NOTE_MAX 16384   /* bytes of a whole signed note */
#define CHECKPOINT_NAME_MAX 255     /* bytes of an origin or key name */
#define CHECKPOINT_EXT_MAX 16       /* extension lines in a body */
#define CHECKPOINT_LINE_MAX 1024    /* bytes of an extension line */
#define CHECKPOINT_SIGS_MAX 16      /* signature lines in a note */
#define CHECKPOINT_KEY_ID_LEN 4
#define CHECKPOINT_PK_LEN 32
#define CHECKPOINT_SEED_LEN 32
#define CHECKPOINT_SIG_LEN 64

struct checkpoint {
	char origin[CHECKPOINT_NAME_MAX + 1];
	uint64_t size;
	uint8_t root[MERKLE_HASH_LEN];
	char *ext; /* extension lines, each ending in "\n"; NULL: none (owned) */
};

void checkpoint_init(struct checkpoint *c);
/* Frees c->ext and re-initialises c. */
void checkpoint_release(struct checkpoint *c);

/*
 * Appends the body of c to out.  MAMORI_EINVAL when the origin is not a
 * valid name (below), size > MERKLE_SIZE_MAX or ext is not a list of
 * non-empty lines each ending in "\n" within the limits.
 */
int checkpoint_body(const struct checkpoint *c, struct strbuf *out, struct mamori_err *err);

/* Parses a body (exactly; no signatures) into c (released first). */
int checkpoint_parse_body(const char *text, size_t len, struct checkpoint *c,
			  struct mamori_err *err);

/* ---- keys ------------------------------------------------------------------------- */

/*
 * A key name (and an origin) is 1..CHECKPOINT_NAME_MAX bytes of UTF-8 with
 * no space, no control character and no '+'.  Returns 0 or MAMORI_EINVAL.
 */
int checkpoint_name_check(const char *name, struct mamori_err *err);

/* The public half, all a verifier needs. */
struct checkpoint_verifier {
	char name[CHECKPOINT_NAME_MAX + 1];
	uint8_t id[CHECKPOINT_KEY_ID_LEN];
	uint8_t pk[CHECKPOINT_PK_LEN];
};

/* The signer: the verifier plus the Ed25519 secret key.  Wipe it with
 * checkpoint_signer_wipe() when done. */
struct checkpoint_signer {
	struct checkpoint_verifier v;
	uint8_t sk[64]; /* libsodium's seed ‖ public key */
};

/* The key id: SHA-256(name ‖ "\n" ‖ 0x01 ‖ pk)[0..4). */
void checkpoint_key_id(const char *name, const uint8_t pk[CHECKPOINT_PK_LEN],
		       uint8_t id[CHECKPOINT_KEY_ID_LEN]);

/* A new random key named name. */
int checkpoint_keygen(const char *name, struct checkpoint_signer *s, struct mamori_err *err);

/* The key named name derived from a 32-byte seed (deterministic). */
int checkpoint_signer_from_seed(const char *name, const uint8_t seed[CHECKPOINT_SEED_LEN],
				struct checkpoint_signer *s, struct mamori_err *err);

void checkpoint_signer_wipe(struct checkpoint_signer *s);

/* Appends the vkey text of v (no newline) to out. */
void checkpoint_vkey_format(const struct checkpoint_verifier *v, struct strbuf *out);

/* Parses a vkey; MAMORI_EINVAL when malformed, of another key type, or its
 * key id does not match its name and key. */
int checkpoint_vkey_parse(const char *text, struct checkpoint_verifier *v, struct mamori_err *err);

/* Appends the skey text of s (no newline) to out.  It is a secret. */
void checkpoint_skey_format(const struct checkpoint_signer *s, struct strbuf *out);

/* Parses an skey (as checkpoint_vkey_parse). */
int checkpoint_skey_parse(const char *text, struct checkpoint_signer *s, struct mamori_err *err);

/* ---- notes ------------------------------------------------------------------------- */

/*
 * Signs text (a note text: valid UTF-8 ending in "\n", no empty line, no
 * control characters other than "\n", at most CHECKPOINT_NOTE_MAX bytes
 * with its signature) and appends text, "\n" and the signature line to out.
 */
int checkpoint_note_sign(const struct checkpoint_signer *s, const char *text, size_t len,
			 struct strbuf *out, struct mamori_err *err);

/*
 * Opens a signed note: checks its syntax and that it carries a valid
 * signature by v (signatures by other keys are ignored; a second line by
 * v's name and id that does not verify is an error).  On success *text_len
 * is the length of the text (the note's first *text_len bytes).
 * MAMORI_EINVAL when malformed or not signed by v at all; MAMORI_ECHECK
 * when v's signature is there but does not match the text.
 */
int checkpoint_note_open(const char *note, size_t len, const struct checkpoint_verifier *v,
			 size_t *text_len, struct mamori_err *err);

/* checkpoint_body() of c signed by s, appended to out. */
int checkpoint_sign(const struct checkpoint *c, const struct checkpoint_signer *s,
		    struct strbuf *out, struct mamori_err *err);

/* checkpoint_note_open() then checkpoint_parse_body() of the text into c. */
int checkpoint_open(const char *note, size_t len, const struct checkpoint_verifier *v,
		    struct checkpoint *c, struct mamori_err *err);

#endif
