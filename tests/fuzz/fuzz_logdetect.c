/*
 * fuzz_logdetect.c - libFuzzer target for the detections of the access-log
 * vault (src/core/logdetect.c): the parsers of the settings that come from
 * HTTP bodies and the command line (logs.hours, logs.workdays), and the
 * per-event rules on arbitrary field values.
 *
 * Input: "HOURS\nWORKDAYS\n" then events, one per line, fields separated by
 * TAB: user, patient, host, action, source, result (s/f/other), seconds
 * offset (decimal).  Invariants: a parsed range lies in the day and is not
 * empty and reparses to itself; a parsed mask is within the week and not
 * empty; the detector never queues more than LOGDETECT_QUEUE_MAX alerts.
 */
#include "common.h"

#include <unistd.h>

#include "logdetect.h"
#include "logevent.h"
#include "store.h"
#include "strbuf.h"
#include "fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct logdetect *det;
static struct store *st;
static char dir[] = "/tmp/fuzz-logdetect-XXXXXX";

/* At exit: close the store and remove its directory. */
static void cleanup(void)
{
	char path[64];

	logdetect_free(det);
	store_close(st);
	for (const char *const *x = (const char *const[]){ "", "-wal", "-shm", NULL }; *x; x++) {
		snprintf(path, sizeof(path), "%s/mamori.db%s", dir, *x);
		unlink(path);
	}
	rmdir(dir);
}

static struct logdetect *detector(void)
{
	struct mamori_err err = { 0 };
	char path[64];

	if (det)
		return det;
	CHECK(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/mamori.db", dir);
	CHECK(store_open(&st, "sqlite", path, STORE_CREATE, &err) == 0);
	CHECK(store_exec(st,
			 "INSERT INTO meta (key, value) VALUES ('logs.emergency_users', 'emg,bcp');"
			 "INSERT INTO meta (key, value) VALUES ('logs.burst_failures', '3');"
			 "INSERT INTO log_watch (patient, reason, created, created_by) VALUES "
			 "('P1', 'VIP', 'x', 'x')",
			 &err) == 0);
	CHECK(logdetect_open(&det, st, &err) == 0);
	atexit(cleanup);
	return det;
}

static char *field(const char **p, const char *end, char sep)
{
	const char *s = *p, *e = memchr(s, sep, (size_t)(end - s));
	size_t n;

	if (!e)
		e = end;
	n = (size_t)(e - s);
	*p = e < end ? e + 1 : end;
	if (!n || n > LOG_FIELD_MAX || memchr(s, 0, n))
		return NULL;
	char *v = xmalloc(n + 1);
	memcpy(v, s, n);
	v[n] = 0;
	return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	struct logdetect *d = detector();
	int start, stop;
	unsigned mask;
	char *hours = field(&p, end, '\n'), *days = field(&p, end, '\n');

	if (hours && logdetect_hours_parse(hours, &start, &stop, NULL) == 0) {
		char again[32];
		int s2, e2;
		CHECK(start >= 0 && start < 1440 && stop >= 0 && stop <= 1440 && start != stop);
		snprintf(again, sizeof(again), "%02d:%02d-%02d:%02d", start / 60, start % 60, stop / 60,
			 stop % 60);
		CHECK(logdetect_hours_parse(again, &s2, &e2, NULL) == 0 && s2 == start && e2 == stop);
	}
	if (days && logdetect_workdays_parse(days, &mask, NULL) == 0)
		CHECK(mask && mask < 128);
	free(hours);
	free(days);

	for (uint64_t seq = 0; p < end && seq < 64; seq++) {
		const char *line = p, *le = memchr(p, '\n', (size_t)(end - p));
		struct log_event ev;
		char *res, *off;
		if (!le)
			le = end;
		p = le < end ? le + 1 : end;
		memset(&ev, 0, sizeof(ev));
		ev.f.user = field(&line, le, '\t');
		ev.f.patient = field(&line, le, '\t');
		ev.f.host = field(&line, le, '\t');
		ev.f.action = field(&line, le, '\t');
		ev.f.source = field(&line, le, '\t');
		res = field(&line, le, '\t');
		off = field(&line, le, '\t');
		ev.f.result = !res ? LOG_RESULT_UNKNOWN : *res == 's' ? LOG_RESULT_SUCCESS
						: *res == 'f' ? LOG_RESULT_FAILURE : LOG_RESULT_UNKNOWN;
		ev.recv_us = (int64_t)1795000000 * 1000000;
		ev.time_us = off ? ev.recv_us + strtoll(off, NULL, 10) % ((int64_t)1 << 40) * 1000000
				 : INT64_MIN;
		logdetect_event(d, seq, &ev);
		CHECK(logdetect_pending(d) <= LOGDETECT_QUEUE_MAX);
		free(ev.f.user);
		free(ev.f.patient);
		free(ev.f.host);
		free(ev.f.action);
		free(ev.f.source);
		free(res);
		free(off);
	}
	return 0;
}
