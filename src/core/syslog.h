/*
 * syslog.h - parsing one syslog message (RFC 5424 or RFC 3164) received
 * from the network, for the access-log vault.
 *
 * The input is untrusted.  Nothing is ever rejected: a message that is
 * malformed is parsed as far as possible and returned with flags
 * (SYSLOG_F_*) and a Japanese reason, and the bytes as received are always
 * kept in raw, so that an audit log never loses a line silently.  Only an
 * allocation failure aborts (xalloc.h).
 *
 * Format detection (syslog_parse() with SYSLOG_FMT_AUTO), after the PRI:
 *   - "VERSION SP" (1-3 digits, not starting with 0, then a space): RFC 5424;
 *   - "YYYY-MM-DDThh:mm:ss": RFC 3164 with an RFC 3339 timestamp (what
 *     rsyslog's RSYSLOG_ForwardFormat sends): SYSLOG_FMT_3164_ISO;
 *   - anything else: RFC 3164 ("Mmm dd hh:mm:ss host tag: text").
 *
 * Bounds: at most SYSLOG_MAX_MSG bytes are parsed and kept (longer input is
 * cut and flagged SYSLOG_F_TRUNCATED), at most SYSLOG_MAX_SD elements and
 * SYSLOG_MAX_PARAMS parameters per element are kept (more are checked for
 * syntax, dropped and flagged SYSLOG_F_SD_LIMIT), SD names are 1-32 bytes.
 * See docs/internals/syslog.md.
 */
#ifndef MAMORI_SYSLOG_H
#define MAMORI_SYSLOG_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "strbuf.h"

#define SYSLOG_MAX_MSG (64 * 1024)
#define SYSLOG_MAX_SD 32
#define SYSLOG_MAX_PARAMS 64
#define SYSLOG_MAX_NAME 32

enum syslog_format {
	SYSLOG_FMT_AUTO = 0, /* only as an argument to syslog_parse() */
	SYSLOG_FMT_5424,
	SYSLOG_FMT_3164,
	SYSLOG_FMT_3164_ISO, /* RFC 3164 layout with an RFC 3339 timestamp */
};

/* Flags: what was odd about a message.  0 means a clean message. */
enum {
	SYSLOG_F_NO_PRI = 1u << 0,     /* no "<PRI>" at all */
	SYSLOG_F_BAD_PRI = 1u << 1,    /* "<...>" present but not 0..191 */
	SYSLOG_F_NO_TIME = 1u << 2,    /* no timestamp (missing or NILVALUE) */
	SYSLOG_F_BAD_TIME = 1u << 3,   /* a timestamp that could not be read */
	SYSLOG_F_NO_YEAR = 1u << 4,    /* RFC 3164: the year was inferred */
	SYSLOG_F_NO_ZONE = 1u << 5,    /* the time is the sender's local time */
	SYSLOG_F_BAD_HEADER = 1u << 6, /* a header field missing or malformed */
	SYSLOG_F_BAD_SD = 1u << 7,     /* structured data malformed */
	SYSLOG_F_SD_LIMIT = 1u << 8,   /* SD elements or params over the bounds */
	SYSLOG_F_BOM = 1u << 9,        /* the body began with a UTF-8 BOM (stripped) */
	SYSLOG_F_BAD_UTF8 = 1u << 10,  /* body or an SD value is not valid UTF-8 */
	SYSLOG_F_TRUNCATED = 1u << 11, /* input longer than SYSLOG_MAX_MSG */
};

/* Flags that mean "malformed" (BOM and inferred year are not faults). */
#define SYSLOG_F_FAULTS                                                               \
	(SYSLOG_F_NO_PRI | SYSLOG_F_BAD_PRI | SYSLOG_F_BAD_TIME | SYSLOG_F_BAD_HEADER | \
	 SYSLOG_F_BAD_SD | SYSLOG_F_SD_LIMIT | SYSLOG_F_BAD_UTF8 | SYSLOG_F_TRUNCATED)

struct syslog_sd_param {
	char *name;  /* NUL-terminated, 1..SYSLOG_MAX_NAME bytes */
	char *value; /* unescaped; NUL-terminated; may hold invalid UTF-8 */
	size_t value_len;
};

struct syslog_sd_elem {
	char *id; /* SD-ID, e.g. "exampleSDID@32473" */
	struct syslog_sd_param *params;
	size_t nparams;
};

struct syslog_msg {
	enum syslog_format format;
	unsigned flags;
	int facility, severity; /* -1 when there is no valid PRI */
	int version;            /* RFC 5424 VERSION (1..999); 0 for RFC 3164 */
	/*
	 * Timestamp, NULL when absent or unreadable:
	 *   with a zone: RFC 3339 in UTC, "2003-08-24T12:14:15.000003Z", the
	 *   fraction kept as sent; time is the Unix time (whole seconds).
	 *   without (SYSLOG_F_NO_ZONE): the sender's local time with no "Z",
	 *   "2026-11-21T09:30:01"; time is that local time read as UTC.
	 */
	char *timestamp;
	int64_t time;
	char *time_raw; /* the timestamp as received; NULL when absent */
	/* Header fields; NULL for NILVALUE "-" or when absent. */
	char *hostname, *app_name, *procid, *msgid;
	struct syslog_sd_elem *sd;
	size_t nsd;
	/* The message text, BOM stripped, one trailing LF/CRLF/NULs dropped;
	 * NUL-terminated; may hold NUL bytes and invalid UTF-8. */
	char *body;
	size_t body_len;
	/* The input as received (at most SYSLOG_MAX_MSG bytes), NUL-terminated. */
	char *raw;
	size_t raw_len;
	size_t orig_len; /* the length given to syslog_parse() */
	/* Japanese sentences, one per problem found; "" for a clean message. */
	struct strbuf reason;
	/* Private: the memory every string and array above lives in (freed
	 * by syslog_msg_release(); reused by the next syslog_parse()). */
	struct syslog_chunk *arena;
};

void syslog_msg_init(struct syslog_msg *m);
/* Frees everything and re-initialises m. */
void syslog_msg_release(struct syslog_msg *m);

/*
 * Parses data[0..len) (any bytes) into m, which must be initialised; what m
 * held before is released first.  fmt forces a format (SYSLOG_FMT_AUTO to
 * detect).  ref is the time of receipt (Unix time), used only to infer the
 * missing year of an RFC 3164 timestamp: of the years before, of and after
 * ref's (UTC) year, the one that puts the timestamp nearest to ref is taken
 * (so "Dec 31 23:59:59" received on 1 January belongs to the previous year).
 * Never fails.
 */
void syslog_parse(struct syslog_msg *m, const char *data, size_t len, enum syslog_format fmt,
		  time_t ref);

/* The value of parameter name in the first element sd_id, or NULL. */
const char *syslog_sd_get(const struct syslog_msg *m, const char *sd_id, const char *name);

/* "RFC5424", "RFC3164" or "RFC3164-ISO". */
const char *syslog_format_name(enum syslog_format fmt);

#endif
