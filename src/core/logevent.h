/*
 * logevent.h - one event of the access-log vault: what the receivers and
 * `mamori log import` hand to the store, and the exact bytes that become a
 * leaf of the Merkle tree (docs/internals/logstore.md).
 *
 * An event is the message as received plus what mamori knew and extracted
 * at receipt.  Its record, the leaf input (leaf hash = SHA-256(0x00 ‖
 * record)), is text so that an exported proof can be read by a person:
 *
 *     MAMORI-LOG 1\n
 *     recv <receipt time, RFC 3339 UTC with microseconds>\n
 *     via <transport: udp|tcp|relp|file>\n
 *     peer <sender address or file name, escaped>\n
 *     time <event time, RFC 3339 UTC, or "-">\n
 *     user <escaped or "-">\n
 *     patient <escaped or "-">\n
 *     host <escaped or "-">\n
 *     action <escaped or "-">\n
 *     result <success|failure|->\n
 *     source <where the action came from: client address or terminal, escaped or "-">\n
 *     flags <syslog flags in decimal>\n
 *     rule <name of the field rule that matched, or "-">\n
 *     len <byte length of the message>\n
 *     \n
 *     <the message bytes as received, any bytes>
 *
 * "Escaped" values are UTF-8 with '\\', control characters and bytes that
 * are not valid UTF-8 written as \\, \n, \t, \xHH; a value is everything
 * after the first space of its line up to the
 * LF.  The extracted fields are therefore covered by the tree: what the
 * search index says about an event can be checked against its leaf.
 *
 * Contract of the fields: each is NULL when unknown, else 1..LOG_FIELD_MAX
 * bytes (longer values are cut at a UTF-8 boundary by the extractor).
 */
#ifndef MAMORI_LOGEVENT_H
#define MAMORI_LOGEVENT_H
#include <stdint.h>
#include "common.h"
#include "merkle.h"
#include "strbuf.h"

#define LOG_FIELD_MAX 256          /* bytes of one extracted field */
#define LOG_PEER_MAX 256           /* bytes of the peer (address or file name) */
#define LOG_RECORD_MAX (72 * 1024) /* a whole record: message + header */

/* Flags of an event beyond the syslog ones (SYSLOG_F_* use bits 0..15). */
#define LOG_F_DUPLICATE (1u << 16) /* the same message from the same sender was
				      stored shortly before (a resend after a
				      lost acknowledgement); kept, marked */

enum log_result {
	LOG_RESULT_UNKNOWN = 0,
	LOG_RESULT_SUCCESS = 1,
	LOG_RESULT_FAILURE = 2,
};

enum log_via {
	LOG_VIA_UDP = 0,
	LOG_VIA_TCP = 1,
	LOG_VIA_RELP = 2,
	LOG_VIA_FILE = 3,
};

/* What the field rules extracted (owned strings, NULL when unknown). */
struct log_fields {
	char *user;
	char *patient;
	char *host;
	char *action; /* normalised where a rule knows it: login, logout, sudo,
			 view, update, create, delete, print, export; else as sent */
	enum log_result result;
	char *source; /* the client address or terminal the action came from
			 (sshd "from IP", Windows IpAddress, EHR terminal) */
	const char *rule; /* static name of the rule that matched, or NULL */
};

void log_fields_init(struct log_fields *f);
void log_fields_release(struct log_fields *f);

/* The index terms of an event (user, patient, host, action, source: the
 * fields the vault searches by), hashed ahead by logstore_event_terms(). */
#define LOG_TERMS 5

struct log_event_terms {
	uint64_t seed;           /* the vault's hash seed they were made with; 0: none */
	uint64_t h[LOG_TERMS];   /* a term's hash (0 for a missing field) */
	uint32_t len[LOG_TERMS]; /* its length */
};

/* One event ready to be appended: its members set, then log_event_seal(). */
struct log_event {
	int64_t recv_us;  /* receipt time, Unix microseconds */
	int64_t time_us;  /* event time (from the message), Unix µs; INT64_MIN: none */
	enum log_via via;
	unsigned flags;   /* SYSLOG_F_* of the message (0 for CSV/JSON rows) */
	struct log_fields f;
	struct strbuf record;            /* the leaf input, as above */
	size_t msg_off;                  /* where the message starts in record */
	uint8_t leaf[MERKLE_HASH_LEN];   /* merkle_leaf_hash(record), unless leaf_later */
	/* Set by the caller before sealing: log_event_seal() leaves ev->leaf
	 * to log_event_hash_leaf(), called later (by another thread: the
	 * receivers hand the hashing to the writer when it has time). */
	bool leaf_later;
	/* Cleared by log_event_seal() (the fields may have changed). */
	struct log_event_terms terms;
};

void log_event_init(struct log_event *ev);
void log_event_release(struct log_event *ev);

/*
 * Fills ev->record and ev->leaf from ev's other members (set by the
 * caller), the peer and the message.  Never fails on content: bytes are
 * escaped, the message is kept whole (callers bound it to SYSLOG_MAX_MSG).
 */
void log_event_seal(struct log_event *ev, const char *peer, const char *msg, size_t msg_len);

/* Fills ev->leaf from ev->record and clears ev->leaf_later. */
void log_event_hash_leaf(struct log_event *ev);

/*
 * Parses a record back (for verification, proofs and display): fills ev
 * (released first) and, when peer is not NULL, the unescaped peer.
 * MAMORI_EINVAL with a Japanese reason when rec is not a well-formed v1
 * record.  ev->record receives a copy of rec and ev->leaf its leaf hash.
 */
int log_event_parse(struct log_event *ev, const char *rec, size_t len, struct strbuf *peer,
		    struct mamori_err *err);

/*
 * Appends the canonical escaped form of v[0..len) to sb, as a record's
 * header lines hold it: "\\", "\n", "\t", "\xHH" for other control bytes
 * and bytes outside valid UTF-8, "\x2d" for the value "-", everything else
 * as is.  log_event_parse() accepts exactly these forms.
 */
void log_event_escape(struct strbuf *sb, const char *v, size_t len);

const char *log_result_name(enum log_result r); /* "success", "failure", "-" */
const char *log_via_name(enum log_via v);       /* "udp", "tcp", "relp", "file" */
/* Parses "success"/"failure"; MAMORI_EINVAL otherwise. */
int log_result_parse(const char *s, enum log_result *out, struct mamori_err *err);

#endif
