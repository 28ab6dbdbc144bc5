/*
 * logrecv.h - the access-log receivers of "mamori serve": syslog over UDP
 * and TCP (RFC 6587 octet counting and LF framing) and RELP (librelp, what
 * rsyslog's omrelp speaks), feeding one writer thread that owns the
 * writable vault (logstore.h).  See docs/internals/logrecv.md.
 *
 *     UDP thread ──┐
 *     TCP thread ──┼─▶ bounded queue ─▶ writer: append → detect → sync/commit
 *     RELP thread ─┘   (blocks when full)        → checkpoint every N seconds
 *
 * Each receiving thread parses its messages and extracts the fields
 * (logfield.h) itself, so that the writer only appends.  The queue is
 * bounded: a receiver that finds it full waits (back-pressure on TCP and
 * RELP; the kernel buffer and then drops for UDP, which has no other way);
 * nothing is dropped silently.
 *
 * Acknowledgement: a RELP message is acknowledged when librelp's callback
 * returns, so the callback queues its event and waits until the writer has
 * made it durable (logstore_sync()).  A message the store could not keep
 * (disk full …) is answered with an error, and rsyslog sends it again.
 *
 * Duplicates: the writer remembers the keys of peer ‖ 0 ‖ message (logdup.h) of the last
 * LOGRECV_DUP_WINDOW events (reloaded from the vault at start, so that the
 * resend after a crash is recognised too); an event seen again is stored
 * all the same, with LOG_F_DUPLICATE.
 *
 * Threads and signals: every thread started here has all signals blocked
 * (SIGINT/SIGTERM are taken by the HTTP server's sigwait()); the RELP
 * thread alone accepts SIGUSR2, which logrecv_stop() sends to wake librelp
 * out of epoll_wait().
 */
#ifndef MAMORI_LOGRECV_H
#define MAMORI_LOGRECV_H

#include <stdint.h>

#include "common.h"

#define LOGRECV_QUEUE_MAX 131072  /* events waiting for the writer (about 64 MB at most) */
#define LOGRECV_TCP_CONN_MAX 256  /* TCP connections at once; more are refused */
#define LOGRECV_DUP_WINDOW 65536  /* events remembered for duplicate recognition */
#define LOGRECV_SYNC_MS 100       /* at the latest, appended events are synced */
#define LOGRECV_COMMIT_MS 1000    /* and the index committed */

struct logrecv_config {
	const char *db_path;   /* the records database; the vault is logstore_dir_for() */
	const char *udp;       /* "ADDR:PORT" ("[::1]:514" for IPv6) or NULL */
	const char *tcp;
	const char *relp;
	int checkpoint_interval; /* seconds, >= 1 */
	const char *rules_file;  /* field rules (logfield_rules_load), NULL: built-in */
};

struct logrecv;

/*
 * Parses "ADDR:PORT" as --listen does: an IPv4 address or "[IPv6]", and a
 * port 1..65535.  host receives the address without brackets.
 * MAMORI_EUSAGE with a Japanese message naming the option otherwise.
 */
int logrecv_parse_addr(const char *option, const char *spec, char host[64], char port[8],
		       struct mamori_err *err);

/*
 * Opens (creates) the vault, loads the field rules, binds the configured
 * receivers and starts their threads and the writer; prints one line
 * "ログ受信: UDP …, TCP …, RELP … → <vault dir>" on stderr.  On failure
 * (address in use, vault cannot be opened, bad rules file) nothing keeps
 * running and err names what failed.
 */
int logrecv_start(struct logrecv **out, const struct logrecv_config *cfg, struct mamori_err *err);

/*
 * Stops the receivers (RELP messages waiting for durability are answered
 * first), drains the queue, commits, writes a final checkpoint, closes the
 * vault and frees r.  NULL is fine.  exiting: the process ends right after,
 * so the spent items kept for reuse are left to the exit instead of being
 * freed one by one (after a burst, up to LOGRECV_QUEUE_MAX items of seven
 * allocations each: 60-70 ms, half of a stop); builds with a leak checker
 * free them all the same.
 */
void logrecv_stop(struct logrecv *r, bool exiting);

#endif
