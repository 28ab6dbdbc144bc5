/*
 * incident.c - incidents, their hash-chained timeline, announcements,
 * reports and close rules (see incident.h).
 */
#include "common.h"
#include "emergency.h"
#include "incident.h"
#include "journal.h"
#include "ledger.h"
#include "record.h"
#include "report.h"
#include "store.h"
#include "strbuf.h"
#include "triage.h"

#include <time.h>

static const char zero_hash[JOURNAL_HASH_HEX] =
	"0000000000000000000000000000000000000000000000000000000000000000";

#define TEXT_MAX 20000 /* bytes of a note, a report, a review field */

/* ---- announcements -------------------------------------------------------- */

static const struct incident_announcement_def announcements[INCIDENT_ANNOUNCEMENTS] = {
	{ "1", "院内放送 (1)", "障害連絡発生から30分以内 (医療サービス課長判断にて実施)。"
	  "復旧までの時間が明確でなければ、再度 院内放送 (1) を流す", 30,
	  "医療サービス課より患者の皆さまにお知らせします。\n"
	  "現在、電子カルテが停止しており診療業務が行えません。復旧に向けて全力で対応しておりますので、"
	  "次の放送までしばらくお待ちください。ご迷惑をおかけしており大変申し訳ございません。\n"
	  "続いて業務連絡です。\n"
	  "医療従事者は、端末の IPメッセージにて進捗をご確認ください。",
	  "seed: 非常時の院内放送マニュアル" },
	{ "2", "院内放送 (2)", "障害連絡発生から60分以内: 復旧まで60分以内と判明した場合 "
	  "(病院執行部報告後に実施)", 60,
	  "医療サービス課より患者の皆さまにお知らせします。\n"
	  "現在、電子カルテが停止しており診療業務が行えません。復旧まで60分程度の見込みです。"
	  "時間がかかるためお帰りになる方は診療科にお申し出ください。体調の悪い方はお近くの"
	  "スタッフにお声がけください。ご迷惑をおかけしており大変申し訳ございません。",
	  "seed: 非常時の院内放送マニュアル (「時間がかかるため」は seed の「時間がたため」を補正)" },
	{ "3", "院内放送 (3)", "障害連絡発生から60分以内: 復旧まで60分を超えるが、復旧時刻の見込みが"
	  "ある場合 (mamori の下書き)", 60,
	  "医療サービス課より患者の皆さまにお知らせします。\n"
	  "現在、電子カルテが停止しており診療業務が行えません。復旧は○時○分ごろの見込みです。"
	  "それまで紙の伝票で、急ぎの方から順に診療いたします。お帰りになる方、後日の受診を"
	  "ご希望の方は診療科にお申し出ください。体調の悪い方はお近くのスタッフにお声がけください。"
	  "ご迷惑をおかけしており大変申し訳ございません。",
	  "mamori の下書き (seed に文面なし): 病院で確認・修正してください" },
	{ "4", "院内放送 (4)", "障害連絡発生から60分以内: 復旧の見込みが立たない場合 "
	  "(mamori の下書き)", 60,
	  "医療サービス課より患者の皆さまにお知らせします。\n"
	  "現在、電子カルテが停止しており、復旧の見込みが立っておりません。紙の伝票による診療に"
	  "切り替えて順番に対応いたしますが、大幅にお待たせいたします。お帰りになる方、後日の受診を"
	  "ご希望の方は診療科にお申し出ください。体調の悪い方はお近くのスタッフにお声がけください。"
	  "ご迷惑をおかけしており大変申し訳ございません。",
	  "mamori の下書き (seed に文面なし): 病院で確認・修正してください" },
	{ "5", "院内放送 (5) 復旧", "復旧したとき", 0,
	  "医療サービス課より患者の皆さまにお知らせします。\n"
	  "電子カルテが復旧しました。これより順番に診療を開始します。ご迷惑をおかけして本当に"
	  "申し訳ございませんでした。なお、本日の駐車場料金については無料といたします。",
	  "seed: 非常時の院内放送マニュアル (末尾「します。」は seed で切れているため mamori が補完)" },
};

const struct incident_announcement_def *incident_announcement_def(const char *code)
{
	for (size_t i = 0; code && i < ARRAY_SIZE(announcements); i++)
		if (!strcmp(announcements[i].code, code))
			return &announcements[i];
	return NULL;
}

const struct incident_announcement_def *incident_announcement_get(size_t i)
{
	return i < ARRAY_SIZE(announcements) ? &announcements[i] : NULL;
}

/* ---- small helpers -------------------------------------------------------- */

const char *incident_status_label(const char *status)
{
	if (!status)
		return "";
	if (!strcmp(status, "open"))
		return "対応中";
	if (!strcmp(status, "recovered"))
		return "正常復帰";
	if (!strcmp(status, "closed"))
		return "終了";
	return status;
}

static const struct {
	const char *name, *label;
} authorities[] = {
	{ "mhlw", "厚生労働省 (医政局 特定医薬品開発支援・医療情報担当参事官室)" },
	{ "police", "都道府県警察 (サイバー犯罪相談窓口)" },
	{ "prefecture", "都道府県・保健所" },
	{ "management", "経営層 (院長・理事長)" },
};

const char *incident_authority_label(const char *a)
{
	for (size_t i = 0; a && i < ARRAY_SIZE(authorities); i++)
		if (!strcmp(authorities[i].name, a))
			return authorities[i].label;
	return NULL;
}

static int text_ok(const char *what, const char *s, int required, struct mamori_err *err)
{
	if (required && (!s || !*s))
		return mamori_err_set(err, MAMORI_EINVAL, "%s を入力してください", what);
	if (s && strlen(s) > TEXT_MAX)
		return mamori_err_set(err, MAMORI_EINVAL, "%s が長すぎます (%d バイトまで)", what,
				      TEXT_MAX);
	return 0;
}

int incident_time_norm(const char *in, char out[MAMORI_TIME_LEN], struct mamori_err *err)
{
	struct tm tm = { 0 };
	const char *rest;
	time_t t;

	if (!in || !*in) {
		mamori_now(out);
		return 0;
	}
	rest = strptime(in, "%Y-%m-%d", &tm);
	if (rest && (*rest == 'T' || *rest == ' '))
		rest = strptime(rest + 1, "%H:%M", &tm);
	else if (rest && *rest == '\0')
		rest = NULL; /* a date alone is not a time */
	if (rest && *rest == ':')
		rest = strptime(rest + 1, "%S", &tm);
	if (rest && *rest == '.')
		for (rest++; *rest >= '0' && *rest <= '9'; rest++)
			;
	if (!rest || tm.tm_year < 70 || tm.tm_year > 8000)
		return mamori_err_set(err, MAMORI_EINVAL,
				      "日時「%s」が読めません (例: 2026-11-21 09:05、2026-11-21T00:05:00Z)",
				      in);
	if (*rest == 'Z' && rest[1] == '\0') {
		t = timegm(&tm);
	} else if ((*rest == '+' || *rest == '-') && strlen(rest) == 6 && rest[3] == ':') {
		int hh = (rest[1] - '0') * 10 + (rest[2] - '0'), mm = (rest[4] - '0') * 10 + (rest[5] - '0');
		t = timegm(&tm) - (*rest == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
	} else if (*rest == '\0') {
		tm.tm_isdst = -1;
		t = mktime(&tm);
	} else {
		return mamori_err_set(err, MAMORI_EINVAL, "日時「%s」が読めません (例: 2026-11-21 09:05)",
				      in);
	}
	struct tm u;
	gmtime_r(&t, &u);
	strftime(out, MAMORI_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &u);
	return 0;
}

/* Seconds since the epoch of a time written by incident_time_norm()/mamori_now(); -1 if unreadable. */
static time_t parse_utc(const char *s)
{
	struct tm tm = { 0 };
	const char *rest = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	return rest ? timegm(&tm) : (time_t)-1;
}

static void fmt_utc(time_t t, char out[MAMORI_TIME_LEN])
{
	struct tm u;
	gmtime_r(&t, &u);
	strftime(out, MAMORI_TIME_LEN, "%Y-%m-%dT%H:%M:%SZ", &u);
}

/* "2026-11-21 09:05" in local time, for reports. */
static void fmt_local(const char *iso, char *out, size_t len)
{
	time_t t = parse_utc(iso);
	struct tm l;

	if (t == (time_t)-1) {
		snprintf(out, len, "%s", iso ? iso : "");
		return;
	}
	localtime_r(&t, &l);
	strftime(out, len, "%Y-%m-%d %H:%M", &l);
}

int incident_find(struct store *st, const char *key, int64_t *id, struct mamori_err *err)
{
	char *end;
	long long v;
	int64_t n = 0;
	int r;

	*id = 0;
	if (!key || !*key)
		return mamori_err_set(err, MAMORI_EINVAL, "インシデントの番号を指定してください");
	v = strtoll(key[0] == '#' ? key + 1 : key, &end, 10);
	if (*end || v <= 0)
		return mamori_err_set(err, MAMORI_EINVAL, "インシデントの番号「%s」が正しくありません", key);
	char num[32];
	snprintf(num, sizeof(num), "%lld", v);
	r = store_query_int(st, &n, err, "SELECT COUNT(*) FROM incident WHERE id = ?", num, NULL);
	if (r < 0)
		return r;
	if (!n)
		return mamori_err_set(err, MAMORI_ENOTFOUND, "インシデント #%lld はありません", v);
	*id = v;
	return 0;
}

/* The incident row as JSON (new reference) in *out. */
static int incident_row(struct store *st, int64_t id, json_t **out, struct mamori_err *err)
{
	static const char *const cols[] = {
		"id", "title", "category", "level", "proposed_level", "triage", "status", "drill",
		"detected_at", "opened_at", "opened_by", "recovered_at", "closed_at", "closed_by",
		"review", "report_approved_at", "report_approved_by", "timeline_seq", "timeline_hash",
	};
	struct store_stmt *s = NULL;
	int r = store_prepare(st,
			      "SELECT id, title, category, level, proposed_level, triage, status, drill, "
			      "detected_at, opened_at, opened_by, recovered_at, closed_at, closed_by, "
			      "review, report_approved_at, report_approved_by, timeline_seq, "
			      "timeline_hash FROM incident WHERE id = ?",
			      &s, err);

	*out = NULL;
	if (r < 0)
		return r;
	store_bind_int(st, s, 1, id);
	r = store_step(st, s, err);
	if (r == 1) {
		json_t *o = json_object();
		for (size_t i = 0; i < ARRAY_SIZE(cols); i++) {
			json_t *v;
			if (store_column_is_null(st, s, (int)i))
				v = json_null();
			else if (i == 0 || i == 3 || i == 4 || i == 17)
				v = json_integer(store_column_int(st, s, (int)i));
			else if (i == 7)
				v = json_boolean(store_column_int(st, s, (int)i));
			else if (i == 5 || i == 14)
				v = json_loads(store_column_text(st, s, (int)i), 0, NULL);
			else
				v = json_string(store_column_text(st, s, (int)i));
			json_object_set_new(o, cols[i], v ? v : json_null());
		}
		*out = o;
		r = 0;
	} else if (r == 0) {
		r = mamori_err_set(err, MAMORI_ENOTFOUND, "インシデント #%lld はありません",
				   (long long)id);
	}
	store_finalize(st, s);
	return r;
}

static const char *jstr(json_t *o, const char *k)
{
	return json_string_value(json_object_get(o, k));
}

static char *idstr(int64_t id)
{
	return xasprintf("%lld", (long long)id);
}

/* ---- the timeline ------------------------------------------------------------ */

int incident_event_append(struct store *st, const char *actor, int64_t id, const char *kind,
			  json_t *body, struct mamori_err *err)
{
	struct journal_entry e = { 0 };
	struct store_stmt *s = NULL;
	char now[MAMORI_TIME_LEN];
	char *ids = idstr(id), *status = NULL;
	int64_t seq = 0;
	int r;

	if (!st->in_tx)
		BUG("incident_event_append outside a transaction");
	r = store_prepare(st, "SELECT timeline_seq, timeline_hash, status FROM incident WHERE id = ?",
			  &s, err);
	if (r < 0)
		goto out;
	store_bind_int(st, s, 1, id);
	r = store_step(st, s, err);
	if (r == 1) {
		const char *h = store_column_text(st, s, 1);
		seq = store_column_int(st, s, 0);
		snprintf(e.prev_hash, sizeof(e.prev_hash), "%s", h ? h : "");
		status = xstrdup(store_column_text(st, s, 2));
		r = 0;
	} else if (r == 0) {
		r = mamori_err_set(err, MAMORI_ENOTFOUND, "インシデント #%lld はありません",
				   (long long)id);
	}
	store_finalize(st, s);
	s = NULL;
	if (r < 0)
		goto out;
	if (!strcmp(status, "closed") && strcmp(kind, "close")) {
		r = mamori_err_set(err, MAMORI_ECONFLICT,
				   "インシデント #%lld は終了しています (記録は変更できません)",
				   (long long)id);
		goto out;
	}
	mamori_now(now);
	e.seq = seq + 1;
	e.time = now;
	e.actor = (char *)actor;
	e.action = (char *)kind;
	e.entity_type = (char *)"incident";
	e.entity_id = ids;
	e.after = journal_canonical_json(body);
	if (journal_entry_hash(&e, e.hash) < 0) {
		r = mamori_err_set(err, MAMORI_ECHECK,
				   "インシデント #%lld の時系列の先頭が壊れています "
				   "(mamori incident verify %lld で確認してください)",
				   (long long)id, (long long)id);
		goto out;
	}
	r = store_prepare(st,
			  "INSERT INTO incident_event (incident_id, seq, time, actor, kind, body, "
			  "prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
			  &s, err);
	if (r < 0)
		goto out;
	store_bind_int(st, s, 1, id);
	store_bind_int(st, s, 2, e.seq);
	store_bind_text(st, s, 3, e.time);
	store_bind_text(st, s, 4, actor);
	store_bind_text(st, s, 5, kind);
	store_bind_text(st, s, 6, e.after);
	store_bind_text(st, s, 7, e.prev_hash);
	store_bind_text(st, s, 8, e.hash);
	r = store_step(st, s, err);
	store_finalize(st, s);
	s = NULL;
	if (r < 0)
		goto out;
	r = store_prepare(st, "UPDATE incident SET timeline_seq = ?, timeline_hash = ? WHERE id = ?",
			  &s, err);
	if (r < 0)
		goto out;
	store_bind_int(st, s, 1, e.seq);
	store_bind_text(st, s, 2, e.hash);
	store_bind_int(st, s, 3, id);
	r = store_step(st, s, err);
	if (r > 0)
		r = 0;
	if (r == 0) {
		char *action = xasprintf("incident.%s", kind);
		json_t *after = json_pack("{s:I, s:O}", "seq", (json_int_t)e.seq, "event", body);
		r = journal_append(st, actor, action, "incident", ids, NULL, after, NULL, err);
		json_decref(after);
		free(action);
	}
out:
	store_finalize(st, s);
	free(e.after);
	free(ids);
	free(status);
	return r;
}

int incident_verify(struct store *st, int64_t id, int64_t *checked, int64_t *bad_id,
		    int64_t *bad_seq, struct mamori_err *err)
{
	struct store_stmt *inc = NULL, *s = NULL;
	int r;

	*checked = 0;
	*bad_id = 0;
	*bad_seq = 0;
	if (id) {
		char key[32];
		int64_t found;
		snprintf(key, sizeof(key), "%lld", (long long)id);
		if ((r = incident_find(st, key, &found, err)) < 0)
			return r;
	}
	r = store_prepare(st,
			  "SELECT id, timeline_seq, timeline_hash FROM incident WHERE (? = 0 OR id = ?) "
			  "ORDER BY id",
			  &inc, err);
	if (r < 0)
		return r;
	store_bind_int(st, inc, 1, id);
	store_bind_int(st, inc, 2, id);
	r = store_prepare(st,
			  "SELECT seq, time, actor, kind, body, prev_hash, hash FROM incident_event "
			  "WHERE incident_id = ? ORDER BY seq",
			  &s, err);
	while (r == 0 && (r = store_step(st, inc, err)) == 1) {
		int64_t iid = store_column_int(st, inc, 0), head_seq = store_column_int(st, inc, 1);
		char head[JOURNAL_HASH_HEX], running[JOURNAL_HASH_HEX], computed[JOURNAL_HASH_HEX];
		char *ids = idstr(iid);
		int64_t expect = 1;
		const char *hv = store_column_text(st, inc, 2);

		snprintf(head, sizeof(head), "%s", hv ? hv : "");
		memcpy(running, zero_hash, sizeof(running));
		store_reset(st, s);
		store_bind_int(st, s, 1, iid);
		while ((r = store_step(st, s, err)) == 1) {
			struct journal_entry e = { 0 };
			const char *v;
			e.seq = store_column_int(st, s, 0);
			e.time = (char *)store_column_text(st, s, 1);
			e.actor = (char *)store_column_text(st, s, 2);
			e.action = (char *)store_column_text(st, s, 3);
			e.entity_type = (char *)"incident";
			e.entity_id = ids;
			e.after = (char *)store_column_text(st, s, 4);
			v = store_column_text(st, s, 5);
			snprintf(e.prev_hash, sizeof(e.prev_hash), "%s", v ? v : "");
			v = store_column_text(st, s, 6);
			snprintf(e.hash, sizeof(e.hash), "%s", v ? v : "");
			if (e.seq != expect) {
				*bad_seq = expect;
				r = mamori_err_set(err, MAMORI_ECHECK,
						   e.seq > expect
							   ? "インシデント #%lld 時系列 #%lld: 記録がありません (削除されています)"
							   : "インシデント #%lld 時系列 #%lld: 番号が正しくありません (挿入または並べ替え)",
						   (long long)iid, (long long)expect);
			} else if (strcmp(e.prev_hash, running)) {
				*bad_seq = e.seq;
				r = mamori_err_set(err, MAMORI_ECHECK,
						   "インシデント #%lld 時系列 #%lld: 直前の記録とのつながりが壊れています "
						   "(前の記録の削除・挿入・並べ替え・改ざん)",
						   (long long)iid, (long long)e.seq);
			} else if (journal_entry_hash(&e, computed) < 0 || strcmp(computed, e.hash)) {
				*bad_seq = e.seq;
				r = mamori_err_set(err, MAMORI_ECHECK,
						   "インシデント #%lld 時系列 #%lld: 内容が書き換えられています "
						   "(記録されたハッシュと一致しません)",
						   (long long)iid, (long long)e.seq);
			}
			if (*bad_seq)
				break;
			memcpy(running, e.hash, sizeof(running));
			expect++;
			(*checked)++;
		}
		if (r == 0 && !*bad_seq) {
			if (head_seq > expect - 1) {
				*bad_seq = expect;
				r = mamori_err_set(err, MAMORI_ECHECK,
						   "インシデント #%lld 時系列 #%lld: 末尾の記録が削除されています "
						   "(記録されている最新は #%lld)",
						   (long long)iid, (long long)expect, (long long)head_seq);
			} else if (head_seq < expect - 1) {
				*bad_seq = head_seq + 1;
				r = mamori_err_set(err, MAMORI_ECHECK,
						   "インシデント #%lld 時系列 #%lld: 記録されている最新 (#%lld) "
						   "より後に記録が追加されています",
						   (long long)iid, (long long)head_seq + 1, (long long)head_seq);
			} else if (strcmp(head, running)) {
				*bad_seq = head_seq;
				r = mamori_err_set(err, MAMORI_ECHECK,
						   "インシデント #%lld 時系列 #%lld: 最新の記録が書き換えられています",
						   (long long)iid, (long long)head_seq);
			}
		}
		free(ids);
		if (*bad_seq) {
			*bad_id = iid;
			if (r >= 0)
				r = MAMORI_ECHECK;
			break;
		}
		if (r < 0)
			break;
		r = 0;
	}
	store_finalize(st, s);
	store_finalize(st, inc);
	return r < 0 ? r : 0;
}

/* ---- open, triage ----------------------------------------------------------- */

static json_t *actions_json(const struct triage_result *tr)
{
	json_t *a = json_array();
	for (size_t i = 0; i < tr->nactions; i++)
		json_array_append_new(a, json_string(tr->actions[i]->key));
	return a;
}

int incident_open(struct store *st, const char *actor, const struct incident_open_args *a,
		  int64_t *id, struct mamori_err *err)
{
	struct ledger_facility fac = { 0 };
	struct triage_result tr;
	struct store_stmt *s = NULL;
	char now[MAMORI_TIME_LEN], detected[MAMORI_TIME_LEN];
	char *answers = NULL;
	json_t *body = NULL;
	int r;

	*id = 0;
	if ((r = text_ok("件名", a->title, 1, err)) < 0)
		return r;
	if (strlen(a->title) > 200)
		return mamori_err_set(err, MAMORI_EINVAL, "件名が長すぎます (200 バイトまで)");
	if ((unsigned)a->category >= TRIAGE_NCATEGORIES)
		return mamori_err_set(err, MAMORI_EINVAL, "分類が正しくありません");
	if (a->level < 0 || a->level > 5)
		return mamori_err_set(err, MAMORI_EINVAL, "レベルは 1 から 5 です");
	r = triage_propose(a->category, a->answers, &tr, err);
	if (r == 0)
		r = incident_time_norm(a->detected_at, detected, err);
	if (r == 0)
		r = ledger_facility_get(st, &fac, err);
	if (r < 0)
		return r;
	mamori_now(now);
	answers = journal_canonical_json(a->answers);
	r = store_prepare(st,
			  "INSERT INTO incident (facility_id, title, category, level, proposed_level, "
			  "triage, status, drill, detected_at, opened_at, opened_by) "
			  "VALUES (?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?) RETURNING id",
			  &s, err);
	if (r == 0) {
		store_bind_int(st, s, 1, fac.id);
		store_bind_text(st, s, 2, a->title);
		store_bind_text(st, s, 3, triage_category_name(a->category));
		store_bind_int(st, s, 4, a->level ? a->level : tr.level);
		store_bind_int(st, s, 5, tr.level);
		store_bind_text(st, s, 6, answers);
		store_bind_int(st, s, 7, a->drill ? 1 : 0);
		store_bind_text(st, s, 8, detected);
		store_bind_text(st, s, 9, now);
		store_bind_text(st, s, 10, actor);
		r = store_step(st, s, err);
		if (r == 1) {
			*id = store_column_int(st, s, 0);
			r = 0;
		} else if (r == 0) {
			r = mamori_err_set(err, MAMORI_EDB, "インシデントを登録できません");
		}
	}
	store_finalize(st, s);
	if (r == 0) {
		body = json_pack("{s:s, s:s, s:O, s:i, s:i, s:s, s:b, s:s, s:o}", "title", a->title,
				 "category", triage_category_name(a->category), "answers", a->answers,
				 "proposed_level", tr.level, "level", a->level ? a->level : tr.level,
				 "reason", tr.reason, "drill", a->drill, "detected_at", detected,
				 "actions", actions_json(&tr));
		r = incident_event_append(st, actor, *id, "open", body, err);
	}
	json_decref(body);
	free(answers);
	ledger_facility_release(&fac);
	return r;
}

/* Fails unless the incident's status is one of allowed ('|'-separated). */
static int need_status(json_t *row, const char *allowed, const char *what, struct mamori_err *err)
{
	const char *st = jstr(row, "status");
	char pat[64];

	snprintf(pat, sizeof(pat), "|%s|", allowed);
	char word[32];
	snprintf(word, sizeof(word), "|%s|", st ? st : "");
	if (strstr(pat, word))
		return 0;
	return mamori_err_set(err, MAMORI_ECONFLICT, "インシデント #%lld は%sのため、%sできません",
			      (long long)json_integer_value(json_object_get(row, "id")),
			      incident_status_label(st), what);
}

int incident_triage(struct store *st, const char *actor, int64_t id, json_t *answers, int level,
		    struct mamori_err *err)
{
	struct triage_result tr;
	struct store_stmt *s = NULL;
	json_t *row = NULL, *body = NULL, *use;
	char *text = NULL;
	int r, cat;

	if (level < 0 || level > 5)
		return mamori_err_set(err, MAMORI_EINVAL, "レベルは 1 から 5 です");
	r = incident_row(st, id, &row, err);
	if (r == 0)
		r = need_status(row, "open", "切り分けを変更", err);
	if (r < 0)
		goto out;
	cat = triage_category_parse(jstr(row, "category"));
	use = answers ? answers : json_object_get(row, "triage");
	r = triage_propose(cat, use, &tr, err);
	if (r < 0)
		goto out;
	text = journal_canonical_json(use);
	r = store_prepare(st, "UPDATE incident SET triage = ?, proposed_level = ?, level = ? WHERE id = ?",
			  &s, err);
	if (r == 0) {
		store_bind_text(st, s, 1, text);
		store_bind_int(st, s, 2, tr.level);
		store_bind_int(st, s, 3, level ? level : tr.level);
		store_bind_int(st, s, 4, id);
		r = store_step(st, s, err);
		if (r > 0)
			r = 0;
	}
	if (r == 0) {
		body = json_pack("{s:O, s:i, s:i, s:s, s:o}", "answers", use, "proposed_level", tr.level,
				 "level", level ? level : tr.level, "reason", tr.reason, "actions",
				 actions_json(&tr));
		r = incident_event_append(st, actor, id, "triage", body, err);
	}
out:
	store_finalize(st, s);
	json_decref(row);
	json_decref(body);
	free(text);
	return r;
}

/* ---- actions, notes, notifications, announcements ------------------------------ */

static int open_row(struct store *st, int64_t id, const char *allowed, const char *what,
		    json_t **row, struct mamori_err *err)
{
	int r = incident_row(st, id, row, err);
	if (r == 0)
		r = need_status(*row, allowed, what, err);
	return r;
}

int incident_act(struct store *st, const char *actor, int64_t id, const char *key, int done,
		 const char *by, const char *at, const char *note, struct mamori_err *err)
{
	const struct triage_action *a = triage_action_find(key);
	char when[MAMORI_TIME_LEN];
	json_t *row = NULL, *body;
	int r;

	if (!a)
		return mamori_err_set(err, MAMORI_EINVAL, "対応「%s」はアクションカードにありません",
				      key ? key : "");
	if ((r = text_ok("メモ", note, 0, err)) < 0 || (r = text_ok("実施者", by, 0, err)) < 0 ||
	    (r = incident_time_norm(at, when, err)) < 0)
		return r;
	r = open_row(st, id, "open|recovered", "対応を記録", &row, err);
	json_decref(row);
	if (r < 0)
		return r;
	body = json_pack("{s:s, s:s, s:b, s:s, s:s, s:s?}", "action", key, "title", a->title, "done",
			 done, "by", by && *by ? by : actor, "at", when, "note",
			 note && *note ? note : NULL);
	r = incident_event_append(st, actor, id, "action", body, err);
	json_decref(body);
	return r;
}

int incident_note(struct store *st, const char *actor, int64_t id, const char *text,
		  struct mamori_err *err)
{
	json_t *row = NULL, *body;
	int r = text_ok("記録", text, 1, err);

	if (r == 0)
		r = open_row(st, id, "open|recovered", "記録", &row, err);
	json_decref(row);
	if (r < 0)
		return r;
	body = json_pack("{s:s}", "text", text);
	r = incident_event_append(st, actor, id, "note", body, err);
	json_decref(body);
	return r;
}

int incident_notify(struct store *st, const char *actor, int64_t id,
		    const struct incident_notice *n, struct mamori_err *err)
{
	char when[MAMORI_TIME_LEN];
	json_t *row = NULL, *body;
	int r;

	if ((r = text_ok("連絡先", n->to, 1, err)) < 0 || (r = text_ok("内容", n->text, 0, err)) < 0 ||
	    (r = text_ok("連絡者", n->by, 0, err)) < 0 || (r = text_ok("手段", n->channel, 0, err)) < 0)
		return r;
	if (n->authority && *n->authority && !incident_authority_label(n->authority))
		return mamori_err_set(err, MAMORI_EINVAL, "報告先「%s」は %s のどれかです",
				      n->authority, INCIDENT_AUTHORITIES);
	if ((r = incident_time_norm(n->at, when, err)) < 0)
		return r;
	r = open_row(st, id, "open|recovered", "連絡を記録", &row, err);
	json_decref(row);
	if (r < 0)
		return r;
	body = json_pack("{s:s, s:s?, s:s, s:s, s:s?, s:s?, s:s?}", "to", n->to, "channel",
			 n->channel && *n->channel ? n->channel : NULL, "by",
			 n->by && *n->by ? n->by : actor, "at", when, "authority",
			 n->authority && *n->authority ? n->authority : NULL, "authority_label",
			 n->authority && *n->authority ? incident_authority_label(n->authority) : NULL,
			 "text", n->text && *n->text ? n->text : NULL);
	r = incident_event_append(st, actor, id, "notify", body, err);
	json_decref(body);
	return r;
}

int incident_templates(struct store *st, json_t **out, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	json_t *arr = json_array();
	int r = 0;

	*out = NULL;
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(announcements); i++) {
		const struct incident_announcement_def *d = &announcements[i];
		const char *text = d->text;
		char *stored = NULL;
		r = store_prepare(st, "SELECT text FROM announcement_template WHERE code = ?", &s, err);
		if (r < 0)
			break;
		store_bind_text(st, s, 1, d->code);
		r = store_step(st, s, err);
		if (r == 1) {
			stored = xstrdup(store_column_text(st, s, 0));
			text = stored;
			r = 0;
		}
		store_finalize(st, s);
		s = NULL;
		if (r == 0)
			json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:b}",
							     "code", d->code, "title", d->title,
							     "timing", d->timing, "due_minutes",
							     d->due_minutes, "text", text,
							     "default_text", d->text, "source",
							     d->source, "customized", stored != NULL));
		free(stored);
	}
	if (r < 0) {
		json_decref(arr);
		return r;
	}
	*out = arr;
	return 0;
}

int incident_template_set(struct store *st, const char *actor, const char *code, const char *text,
			  struct mamori_err *err)
{
	const struct incident_announcement_def *d = incident_announcement_def(code);
	struct store_stmt *s = NULL;
	char now[MAMORI_TIME_LEN];
	json_t *after;
	int r;

	if (!d)
		return mamori_err_set(err, MAMORI_EINVAL, "院内放送「%s」はありません (1 から 5)",
				      code ? code : "");
	if ((r = text_ok("放送文", text, 0, err)) < 0)
		return r;
	mamori_now(now);
	if (!text || !*text)
		r = store_prepare(st, "DELETE FROM announcement_template WHERE code = ?", &s, err);
	else
		r = store_prepare(st,
				  "INSERT INTO announcement_template (code, text, updated_at, updated_by) "
				  "VALUES (?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET text = excluded.text, "
				  "updated_at = excluded.updated_at, updated_by = excluded.updated_by",
				  &s, err);
	if (r < 0)
		return r;
	store_bind_text(st, s, 1, code);
	if (text && *text) {
		store_bind_text(st, s, 2, text);
		store_bind_text(st, s, 3, now);
		store_bind_text(st, s, 4, actor);
	}
	r = store_step(st, s, err);
	store_finalize(st, s);
	if (r < 0)
		return r;
	after = json_pack("{s:s, s:s}", "code", code, "text", text && *text ? text : d->text);
	r = journal_append(st, actor, text && *text ? "announcement.template" : "announcement.reset",
			   "announcement_template", code, NULL, after, NULL, err);
	json_decref(after);
	return r;
}

static char *template_text(struct store *st, const char *code)
{
	struct store_stmt *s = NULL;
	char *t = NULL;

	if (store_prepare(st, "SELECT text FROM announcement_template WHERE code = ?", &s, NULL) == 0) {
		store_bind_text(st, s, 1, code);
		if (store_step(st, s, NULL) == 1)
			t = xstrdup(store_column_text(st, s, 0));
	}
	store_finalize(st, s);
	if (!t)
		t = xstrdup(incident_announcement_def(code)->text);
	return t;
}

int incident_announce(struct store *st, const char *actor, int64_t id, const char *code,
		      const char *text, const char *by, const char *at, struct mamori_err *err)
{
	const struct incident_announcement_def *d = incident_announcement_def(code);
	char when[MAMORI_TIME_LEN];
	char *tt = NULL;
	json_t *row = NULL, *body;
	int r;

	if (!d)
		return mamori_err_set(err, MAMORI_EINVAL, "院内放送「%s」はありません (1 から 5)",
				      code ? code : "");
	if ((r = text_ok("放送文", text, 0, err)) < 0 || (r = text_ok("実施者", by, 0, err)) < 0 ||
	    (r = incident_time_norm(at, when, err)) < 0)
		return r;
	r = open_row(st, id, "open|recovered", "院内放送を記録", &row, err);
	json_decref(row);
	if (r < 0)
		return r;
	if (!text || !*text)
		text = tt = template_text(st, code);
	body = json_pack("{s:s, s:s, s:s, s:s, s:s}", "code", code, "title", d->title, "text", text,
			 "by", by && *by ? by : actor, "at", when);
	r = incident_event_append(st, actor, id, "announce", body, err);
	json_decref(body);
	free(tt);
	return r;
}

/* ---- recovery, review, approval, close ---------------------------------------------- */

static int update_cols(struct store *st, const char *sql, int64_t id, const char *a, const char *b,
		       const char *c, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int n = 1, r = store_prepare(st, sql, &s, err);

	if (r < 0)
		return r;
	if (a)
		store_bind_text(st, s, n++, a);
	if (b)
		store_bind_text(st, s, n++, b);
	if (c)
		store_bind_text(st, s, n++, c);
	store_bind_int(st, s, n, id);
	r = store_step(st, s, err);
	store_finalize(st, s);
	return r < 0 ? r : 0;
}

int incident_recover(struct store *st, const char *actor, int64_t id, const char *at,
		     struct mamori_err *err)
{
	char when[MAMORI_TIME_LEN];
	json_t *row = NULL, *body;
	int r = incident_time_norm(at, when, err);

	if (r == 0)
		r = open_row(st, id, "open", "正常復帰を記録", &row, err);
	json_decref(row);
	if (r == 0)
		r = update_cols(st, "UPDATE incident SET status = 'recovered', recovered_at = ? WHERE id = ?",
				id, when, NULL, NULL, err);
	if (r < 0)
		return r;
	body = json_pack("{s:s}", "at", when);
	r = incident_event_append(st, actor, id, "recover", body, err);
	json_decref(body);
	return r;
}

int incident_review(struct store *st, const char *actor, int64_t id, const char *causes,
		    const char *measures, const char *summary, struct mamori_err *err)
{
	json_t *row = NULL, *body = NULL;
	char *text = NULL;
	int r;

	if ((r = text_ok("原因 (causes)", causes, 1, err)) < 0 ||
	    (r = text_ok("対策 (measures)", measures, 1, err)) < 0 ||
	    (r = text_ok("概要", summary, 0, err)) < 0)
		return r;
	r = open_row(st, id, "open|recovered", "事後検証を記録", &row, err);
	json_decref(row);
	if (r < 0)
		return r;
	body = json_pack("{s:s, s:s, s:s?}", "causes", causes, "measures", measures, "summary",
			 summary && *summary ? summary : NULL);
	text = journal_canonical_json(body);
	/* a new review needs a new approval */
	r = update_cols(st,
			"UPDATE incident SET review = ?, report_approved_at = NULL, "
			"report_approved_by = NULL WHERE id = ?",
			id, text, NULL, NULL, err);
	if (r == 0)
		r = incident_event_append(st, actor, id, "review", body, err);
	json_decref(body);
	free(text);
	return r;
}

int incident_approve(struct store *st, const char *actor, int64_t id, const char *approver,
		     const char *at, struct mamori_err *err)
{
	char when[MAMORI_TIME_LEN];
	json_t *row = NULL, *body;
	int r;

	if ((r = text_ok("承認者", approver, 1, err)) < 0 || (r = incident_time_norm(at, when, err)) < 0)
		return r;
	r = open_row(st, id, "open|recovered", "報告書の承認を記録", &row, err);
	if (r == 0 && json_is_null(json_object_get(row, "review")))
		r = mamori_err_set(err, MAMORI_ECONFLICT,
				   "インシデント #%lld: 事後検証がまだありません。先に事後検証を記録し、"
				   "その報告書を承認してもらってください (mamori incident review)",
				   (long long)id);
	json_decref(row);
	if (r == 0)
		r = update_cols(st, "UPDATE incident SET report_approved_by = ?, report_approved_at = ? WHERE id = ?",
				id, approver, when, NULL, err);
	if (r < 0)
		return r;
	body = json_pack("{s:s, s:s}", "by", approver, "at", when);
	r = incident_event_append(st, actor, id, "approve", body, err);
	json_decref(body);
	return r;
}

/* What still keeps the incident open, as Japanese sentences. */
static int blockers(struct store *st, json_t *row, json_t **out, struct mamori_err *err)
{
	int64_t id = json_integer_value(json_object_get(row, "id"));
	const char *status = jstr(row, "status");
	json_t *b = json_array(), *uses = NULL, *u;
	size_t i;
	int r;

	*out = NULL;
	if (!strcmp(status, "open"))
		json_array_append_new(b, json_string("正常復帰 (通常運用への復旧) がまだ記録されていません"));
	if (json_is_null(json_object_get(row, "review")))
		json_array_append_new(b, json_string("事後検証 (原因と対策) がまだ記録されていません"));
	else if (json_is_null(json_object_get(row, "report_approved_at")))
		json_array_append_new(b, json_string("経営層への報告書の承認 (誰が・いつ) がまだ記録されていません"));
	r = emergency_uses(st, id, 1, &uses, err);
	if (r < 0) {
		json_decref(b);
		return r;
	}
	json_array_foreach(uses, i, u) {
		const char *sys = jstr(u, "system");
		char when[64];
		char *m;
		fmt_local(jstr(u, "used_at"), when, sizeof(when));
		m = xasprintf("非常時用アカウント「%s」%s%s%s (使用 %s) が、使用後に無効化もパスワード変更も"
			      "されていません (mamori account disable / rotate)",
			      jstr(u, "login"), sys ? " (" : "", sys ? sys : "", sys ? ")" : "", when);
		json_array_append_new(b, json_string(m));
		free(m);
	}
	json_decref(uses);
	*out = b;
	return 0;
}

int incident_close(struct store *st, const char *actor, int64_t id, struct mamori_err *err)
{
	char now[MAMORI_TIME_LEN];
	json_t *row = NULL, *b = NULL, *body;
	struct strbuf sb = STRBUF_INIT;
	int r = open_row(st, id, "open|recovered", "終了", &row, err);

	if (r == 0)
		r = blockers(st, row, &b, err);
	if (r == 0 && json_array_size(b)) {
		size_t i;
		json_t *v;
		strbuf_addf(&sb, "インシデント #%lld はまだ終了できません:", (long long)id);
		json_array_foreach(b, i, v)
			strbuf_addf(&sb, "\n  - %s", json_string_value(v));
		r = mamori_err_set(err, MAMORI_ECONFLICT, "%s", sb.buf);
	}
	json_decref(row);
	json_decref(b);
	strbuf_release(&sb);
	if (r < 0)
		return r;
	mamori_now(now);
	r = update_cols(st, "UPDATE incident SET status = 'closed', closed_at = ?, closed_by = ? WHERE id = ?",
			id, now, actor, NULL, err);
	if (r < 0)
		return r;
	body = json_pack("{s:s}", "at", now);
	r = incident_event_append(st, actor, id, "close", body, err);
	json_decref(body);
	return r;
}

/* ---- views -------------------------------------------------------------------------- */

static int timeline(struct store *st, int64_t id, json_t **out, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	json_t *arr = json_array();
	int r = store_prepare(st,
			      "SELECT seq, time, actor, kind, body, hash FROM incident_event "
			      "WHERE incident_id = ? ORDER BY seq",
			      &s, err);

	if (r == 0) {
		store_bind_int(st, s, 1, id);
		while ((r = store_step(st, s, err)) == 1) {
			json_t *body = json_loads(store_column_text(st, s, 4), 0, NULL);
			json_array_append_new(arr, json_pack("{s:I, s:s, s:s, s:s, s:o, s:s}", "seq",
							     (json_int_t)store_column_int(st, s, 0),
							     "time", store_column_text(st, s, 1),
							     "actor", store_column_text(st, s, 2),
							     "kind", store_column_text(st, s, 3),
							     "body", body ? body : json_object(),
							     "hash", store_column_text(st, s, 5)));
		}
	}
	store_finalize(st, s);
	if (r < 0) {
		json_decref(arr);
		return r;
	}
	*out = arr;
	return 0;
}

static json_t *devices_json(struct store *st, json_t *answers)
{
	json_t *out = json_array(), *tags = json_object_get(answers, "devices"), *v;
	struct store_stmt *s = NULL;
	size_t i;

	if (!json_is_array(tags) ||
	    store_prepare(st,
			  "SELECT d.id, d.asset_tag, d.hostname, d.ip, d.department, d.kind, sy.name "
			  "FROM device d LEFT JOIN system sy ON sy.id = d.system_id "
			  "WHERE d.asset_tag = ? OR (d.asset_tag IS NULL AND d.hostname = ?)",
			  &s, NULL) < 0)
		return out;
	json_array_foreach(tags, i, v) {
		const char *tag = json_string_value(v);
		if (!tag)
			continue;
		store_reset(st, s);
		store_bind_text(st, s, 1, tag);
		store_bind_text(st, s, 2, tag);
		if (store_step(st, s, NULL) == 1)
			json_array_append_new(out, json_pack("{s:s, s:I, s:s?, s:s?, s:s?, s:s?, s:s?, s:b}",
							     "tag", tag, "id",
							     (json_int_t)store_column_int(st, s, 0),
							     "hostname", store_column_text(st, s, 2),
							     "ip", store_column_text(st, s, 3),
							     "department", store_column_text(st, s, 4),
							     "kind", store_column_text(st, s, 5),
							     "system", store_column_text(st, s, 6),
							     "found", 1));
		else
			json_array_append_new(out, json_pack("{s:s, s:b}", "tag", tag, "found", 0));
	}
	store_finalize(st, s);
	return out;
}

/* Announcements: which are made, which is due. */
static json_t *announcements_json(json_t *row, json_t *events, json_t *templates, const char *now)
{
	const char *base = jstr(row, "detected_at");
	time_t t0 = parse_utc(base ? base : jstr(row, "opened_at")), tn = parse_utc(now);
	const char *status = jstr(row, "status");
	json_t *items = json_array(), *made = json_object(), *e, *tpl;
	const char *next = NULL;
	size_t i;

	json_array_foreach(events, i, e) {
		if (strcmp(jstr(e, "kind"), "announce"))
			continue;
		json_t *b = json_object_get(e, "body");
		const char *code = jstr(b, "code");
		json_t *list = json_object_get(made, code);
		if (!list)
			json_object_set_new(made, code, list = json_array());
		json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "at", jstr(b, "at"), "by",
						      jstr(b, "by"), "text", jstr(b, "text")));
	}
	json_array_foreach(templates, i, tpl) {
		const char *code = jstr(tpl, "code");
		int mins = (int)json_integer_value(json_object_get(tpl, "due_minutes"));
		json_t *list = json_object_get(made, code);
		char due[MAMORI_TIME_LEN] = "";
		const char *state;
		int group_done = 0;

		if (mins && t0 != (time_t)-1)
			fmt_utc(t0 + mins * 60, due);
		/* (2), (3), (4) are alternatives: one of them is the 60-minute announcement */
		if (mins == 60)
			group_done = json_object_get(made, "2") || json_object_get(made, "3") ||
				     json_object_get(made, "4");
		else
			group_done = list != NULL;
		if (list)
			state = "done";
		else if (group_done)
			state = "not_needed";
		else if (!mins)
			state = strcmp(status, "open") ? "due" : "later";
		else if (!strcmp(status, "open") && tn != (time_t)-1 && tn > t0 + mins * 60)
			state = "overdue";
		else if (!strcmp(status, "open"))
			state = "due";
		else
			state = "not_needed";
		if (!next && (!strcmp(state, "due") || !strcmp(state, "overdue")))
			next = code;
		json_array_append_new(items, json_pack("{s:s, s:s, s:s, s:s, s:s?, s:s, s:o}", "code",
						       code, "title", jstr(tpl, "title"), "timing",
						       jstr(tpl, "timing"), "text", jstr(tpl, "text"),
						       "due_at", *due ? due : NULL, "state", state,
						       "made", list ? json_incref(list) : json_array()));
	}
	json_decref(made);
	return json_pack("{s:s?, s:s?, s:o}", "base", base ? base : jstr(row, "opened_at"), "next",
			 next, "items", items);
}

int incident_view(struct store *st, int64_t id, const char *now_in, json_t **out,
		  struct mamori_err *err)
{
	json_t *row = NULL, *events = NULL, *templates = NULL, *uses = NULL, *b = NULL;
	json_t *actions = json_array(), *notes = json_array(), *e;
	struct triage_result tr;
	char now[MAMORI_TIME_LEN];
	size_t i;
	int r;

	*out = NULL;
	if (now_in)
		snprintf(now, sizeof(now), "%s", now_in);
	else
		mamori_now(now);
	r = incident_row(st, id, &row, err);
	if (r == 0)
		r = timeline(st, id, &events, err);
	if (r == 0)
		r = incident_templates(st, &templates, err);
	if (r == 0)
		r = emergency_uses(st, id, 0, &uses, err);
	if (r == 0)
		r = blockers(st, row, &b, err);
	if (r < 0)
		goto out;
	int cat = triage_category_parse(jstr(row, "category"));
	if (triage_propose(cat, json_object_get(row, "triage"), &tr, NULL) < 0)
		tr.nactions = 0, tr.reason[0] = '\0';
	/* the cards of the current triage, then any other card ticked earlier */
	for (size_t k = 0; k < tr.nactions; k++)
		json_array_append_new(actions, json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "key",
							 tr.actions[k]->key, "title", tr.actions[k]->title,
							 "title_en", tr.actions[k]->title_en, "detail",
							 tr.actions[k]->detail, "source",
							 tr.actions[k]->source, "done", 0, "proposed", 1));
	json_array_foreach(events, i, e) {
		const char *kind = jstr(e, "kind");
		json_t *bd = json_object_get(e, "body");
		if (!strcmp(kind, "notify")) {
			json_t *n = json_deep_copy(bd);
			json_object_set_new(n, "seq", json_integer(json_integer_value(json_object_get(e, "seq"))));
			json_object_set_new(n, "recorded_by", json_string(jstr(e, "actor")));
			json_array_append_new(notes, n);
		} else if (!strcmp(kind, "action")) {
			const char *key = jstr(bd, "action");
			json_t *card = NULL, *c;
			size_t j;
			json_array_foreach(actions, j, c)
				if (!strcmp(jstr(c, "key"), key))
					card = c;
			if (!card) {
				const struct triage_action *ta = triage_action_find(key);
				if (!ta)
					continue;
				card = json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:b}", "key", key,
						 "title", ta->title, "title_en", ta->title_en, "detail",
						 ta->detail, "source", ta->source, "done", 0,
						 "proposed", 0);
				json_array_append_new(actions, card);
			}
			json_object_set_new(card, "done", json_boolean(json_is_true(json_object_get(bd, "done"))));
			json_object_set(card, "by", json_object_get(bd, "by"));
			json_object_set(card, "at", json_object_get(bd, "at"));
			json_object_set_new(card, "seq", json_integer(json_integer_value(json_object_get(e, "seq"))));
			if (json_object_get(bd, "note"))
				json_object_set(card, "note", json_object_get(bd, "note"));
			else
				json_object_del(card, "note");
		}
	}
	json_object_set_new(row, "category_label", json_string(triage_category_label(cat)));
	json_object_set_new(row, "status_label", json_string(incident_status_label(jstr(row, "status"))));
	json_object_set_new(row, "level_label", json_string(triage_level_label((int)json_integer_value(json_object_get(row, "level")))));
	json_object_set_new(row, "reason", json_string(tr.reason));
	*out = json_pack("{s:O, s:o, s:o, s:o, s:o, s:O, s:O, s:O, s:b}", "incident", row, "actions",
			 actions, "devices", devices_json(st, json_object_get(row, "triage")),
			 "notifications", notes, "announcements",
			 announcements_json(row, events, templates, now), "emergency_uses", uses,
			 "timeline", events, "close_blockers", b, "can_close",
			 strcmp(jstr(row, "status"), "closed") && json_array_size(b) == 0);
	actions = notes = NULL;
out:
	json_decref(actions);
	json_decref(notes);
	json_decref(row);
	json_decref(events);
	json_decref(templates);
	json_decref(uses);
	json_decref(b);
	return r;
}

static json_t *list_row(struct store *st, struct store_stmt *s)
{
	const char *cat = store_column_text(st, s, 2), *status = store_column_text(st, s, 4);
	int level = (int)store_column_int(st, s, 3);

	return json_pack("{s:I, s:s, s:s, s:s, s:i, s:s, s:s, s:s, s:b, s:s?, s:s, s:s?, s:s?, s:I}", "id",
			 (json_int_t)store_column_int(st, s, 0), "title", store_column_text(st, s, 1),
			 "category", cat, "category_label", triage_category_label(triage_category_parse(cat)),
			 "level", level, "level_label", triage_level_label(level), "status", status,
			 "status_label", incident_status_label(status), "drill", (int)store_column_int(st, s, 5),
			 "detected_at", store_column_text(st, s, 6), "opened_at", store_column_text(st, s, 7),
			 "recovered_at", store_column_text(st, s, 8), "closed_at", store_column_text(st, s, 9),
			 "emergency_uses", (json_int_t)store_column_int(st, s, 10));
}

int incident_list(struct store *st, json_t **out, struct mamori_err *err)
{
	return record_list(st,
			   "SELECT i.id, i.title, i.category, i.level, i.status, i.drill, i.detected_at, "
			   "i.opened_at, i.recovered_at, i.closed_at, "
			   "(SELECT COUNT(*) FROM emergency_use u WHERE u.incident_id = i.id) "
			   "FROM incident i ORDER BY i.id DESC",
			   list_row, out, err);
}

/* ---- reports ------------------------------------------------------------------------- */

/* The actions done, one line each, into sb. */
static void done_actions(json_t *view, struct strbuf *sb, const char *indent)
{
	size_t i;
	json_t *a;
	int any = 0;

	json_array_foreach(json_object_get(view, "actions"), i, a) {
		char at[32];
		if (!json_is_true(json_object_get(a, "done")))
			continue;
		fmt_local(jstr(a, "at"), at, sizeof(at));
		strbuf_addf(sb, "%s%s (%s %s)\n", indent, jstr(a, "title"), at, jstr(a, "by"));
		any = 1;
	}
	if (!any)
		strbuf_addf(sb, "%s(まだ実施の記録はありません)\n", indent);
}

int incident_report_draft(struct store *st, int64_t id, const char *authority, char **text,
			  struct mamori_err *err)
{
	const char *label = incident_authority_label(authority);
	struct ledger_facility fac = { 0 };
	struct strbuf sb = STRBUF_INIT;
	json_t *view = NULL, *inc, *v;
	char det[32], opened[32];
	size_t i;
	int r;

	*text = NULL;
	if (!label)
		return mamori_err_set(err, MAMORI_EINVAL, "報告先「%s」は %s のどれかです",
				      authority ? authority : "", INCIDENT_AUTHORITIES);
	r = ledger_facility_get(st, &fac, err);
	if (r == 0)
		r = incident_view(st, id, NULL, &view, err);
	if (r < 0) {
		ledger_facility_release(&fac);
		return r;
	}
	inc = json_object_get(view, "incident");
	fmt_local(jstr(inc, "detected_at"), det, sizeof(det));
	fmt_local(jstr(inc, "opened_at"), opened, sizeof(opened));
	strbuf_addf(&sb, "%s 御中\n\n", label);
	if (json_is_true(json_object_get(inc, "drill")))
		strbuf_addstr(&sb, "【訓練】この報告は訓練です。\n\n");
	strbuf_addf(&sb, "件名: %s における%sの発生について (%s)\n\n", fac.name,
		    jstr(inc, "category_label"),
		    !strcmp(authority, "management") ? "報告" : "第一報");
	strbuf_addf(&sb, "1. 報告者: %s (医療情報システム安全管理責任者)\n", fac.name);
	strbuf_addf(&sb, "2. 発生 (検知) 日時: %s\n", det);
	strbuf_addf(&sb, "3. 事象: %s\n", jstr(inc, "title"));
	strbuf_addf(&sb, "4. 分類とレベル: %s、%s\n", jstr(inc, "category_label"),
		    jstr(inc, "level_label"));
	strbuf_addf(&sb, "   切り分け: %s\n", jstr(inc, "reason"));
	strbuf_addstr(&sb, "5. 影響を受けた機器:\n");
	if (!json_array_size(json_object_get(view, "devices")))
		strbuf_addstr(&sb, "   (特定中)\n");
	json_array_foreach(json_object_get(view, "devices"), i, v) {
		const char *sys = jstr(v, "system"), *ip = jstr(v, "ip"), *dep = jstr(v, "department");
		strbuf_addf(&sb, "   %s%s%s%s%s%s%s\n", jstr(v, "tag"), sys ? " " : "", sys ? sys : "",
			    dep ? " " : "", dep ? dep : "", ip ? " " : "", ip ? ip : "");
	}
	strbuf_addstr(&sb, "6. 実施した対応:\n");
	done_actions(view, &sb, "   ");
	strbuf_addf(&sb, "7. 診療への影響: %s\n",
		    json_integer_value(json_object_get(inc, "level")) >= 4
			    ? "非常時運用 (紙運用) に切り替えて診療を継続しています (詳細を追記してください)"
			    : "限定的です (詳細を追記してください)");
	strbuf_addstr(&sb, "8. 個人情報の漏洩のおそれ: (調査中。判明した事実を追記してください)\n");
	strbuf_addf(&sb, "9. 非常時用アカウントの使用: %zu 件\n",
		    json_array_size(json_object_get(view, "emergency_uses")));
	strbuf_addf(&sb, "10. 現在の状況: %s (記録開始 %s)\n", jstr(inc, "status_label"), opened);
	strbuf_addstr(&sb, "11. 今後の対応と次回の報告予定: (追記してください)\n\n");
	strbuf_addstr(&sb, "連絡先: (医療情報システム安全管理責任者の氏名・電話番号を記入してください)\n");
	strbuf_addstr(&sb, "\n※ mamori が記録から作成した下書きです。送る前に確認・追記してください。\n");
	*text = strbuf_detach(&sb, NULL);
	json_decref(view);
	ledger_facility_release(&fac);
	return 0;
}


static const char *event_kind_label(const char *k)
{
	static const struct {
		const char *k, *l;
	} m[] = {
		{ "open", "開始・切り分け" }, { "triage", "切り分け変更" }, { "action", "対応" },
		{ "note", "記録" }, { "notify", "連絡・報告" }, { "announce", "院内放送" },
		{ "emergency_use", "非常時用アカウント使用" }, { "recover", "正常復帰" },
		{ "review", "事後検証" }, { "approve", "報告書承認" }, { "close", "終了" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(m); i++)
		if (!strcmp(m[i].k, k))
			return m[i].l;
	return k;
}

/* One line describing an event for the report's timeline. */
static char *event_text(json_t *e)
{
	const char *k = jstr(e, "kind");
	json_t *b = json_object_get(e, "body");

	if (!strcmp(k, "open") || !strcmp(k, "triage"))
		return xasprintf("%s%s L%lld (%s)", jstr(b, "title") ? jstr(b, "title") : "",
				 jstr(b, "title") ? ": " : "",
				 (long long)json_integer_value(json_object_get(b, "level")), jstr(b, "reason"));
	if (!strcmp(k, "action"))
		return xasprintf("%s %s (%s)%s%s", jstr(b, "title"),
				 json_is_true(json_object_get(b, "done")) ? "実施" : "取り消し", jstr(b, "by"),
				 jstr(b, "note") ? " " : "", jstr(b, "note") ? jstr(b, "note") : "");
	if (!strcmp(k, "notify"))
		return xasprintf("%s へ%s%s (%s)%s%s", jstr(b, "to"), jstr(b, "channel") ? jstr(b, "channel") : "",
				 jstr(b, "authority") ? " 報告" : " 連絡", jstr(b, "by"),
				 jstr(b, "text") && !jstr(b, "authority") ? " " : "",
				 jstr(b, "text") && !jstr(b, "authority") ? jstr(b, "text") : "");
	if (!strcmp(k, "announce"))
		return xasprintf("%s (%s)", jstr(b, "title"), jstr(b, "by"));
	if (!strcmp(k, "note"))
		return xstrdup(jstr(b, "text") ? jstr(b, "text") : "");
	if (!strcmp(k, "emergency_use"))
		return xasprintf("「%s」 使用者 %s", jstr(b, "login"), jstr(b, "used_by") ? jstr(b, "used_by") : "-");
	if (!strcmp(k, "approve"))
		return xasprintf("%s", jstr(b, "by"));
	return xstrdup("");
}

int incident_report_pdf(struct store *st, int64_t id, const char *path, struct mamori_err *err)
{
	struct ledger_facility fac = { 0 };
	struct report *rp = NULL;
	json_t *view = NULL, *inc, *v, *rev;
	char title[256], buf[64], b2[64], b3[64];
	size_t i;
	int r;

	r = ledger_facility_get(st, &fac, err);
	if (r == 0)
		r = incident_view(st, id, NULL, &view, err);
	if (r < 0)
		goto out;
	inc = json_object_get(view, "incident");
	snprintf(title, sizeof(title), "%sインシデント報告書 #%lld",
		 json_is_true(json_object_get(inc, "drill")) ? "【訓練】" : "", (long long)id);
	r = report_open(&rp, path, REPORT_PORTRAIT, title, fac.name, err);
	if (r < 0)
		goto out;
	report_heading(rp, 1, title);
	report_paragraph(rp, "経営層への報告 (医療情報システムの安全管理に関するガイドライン: 非常時の事象発生に"
			     "伴い対応した内容について事後検証を行い、その内容を経営層に報告し、承認を得る)", 1);
	fmt_local(jstr(inc, "detected_at"), buf, sizeof(buf));
	fmt_local(jstr(inc, "recovered_at"), b2, sizeof(b2));
	fmt_local(jstr(inc, "closed_at"), b3, sizeof(b3));
	{
		const char *head[] = { "項目", "内容" };
		const double w[] = { 40, 140 };
		const char *cells[] = {
			"件名", jstr(inc, "title"),
			"分類", jstr(inc, "category_label"),
			"レベル", jstr(inc, "level_label"),
			"切り分け", jstr(inc, "reason"),
			"発生 (検知)", buf,
			"正常復帰", b2,
			"状態", jstr(inc, "status_label"),
			"終了", b3,
		};
		report_table(rp, 2, head, w, ARRAY_SIZE(cells) / 2, cells);
	}
	report_heading(rp, 2, "1. 実施した対応");
	{
		json_t *acts = json_object_get(view, "actions");
		size_t n = json_array_size(acts);
		const char **cells = xcalloc(n ? n * 4 : 1, sizeof(*cells));
		char (*at)[32] = xcalloc(n ? n : 1, sizeof(*at));
		const char *head[] = { "対応", "実施", "実施者", "日時" };
		const double w[] = { 90, 20, 40, 35 };
		json_array_foreach(acts, i, v) {
			int done = json_is_true(json_object_get(v, "done"));
			fmt_local(jstr(v, "at"), at[i], sizeof(at[i]));
			cells[i * 4] = jstr(v, "title");
			cells[i * 4 + 1] = done ? "済" : "未";
			cells[i * 4 + 2] = done ? jstr(v, "by") : "";
			cells[i * 4 + 3] = done ? at[i] : "";
		}
		report_table(rp, 4, head, w, n, cells);
		free(cells);
		free(at);
	}
	report_heading(rp, 2, "2. 連絡・報告");
	{
		json_t *ns = json_object_get(view, "notifications");
		size_t n = json_array_size(ns);
		const char **cells = xcalloc(n ? n * 4 : 1, sizeof(*cells));
		char (*at)[32] = xcalloc(n ? n : 1, sizeof(*at));
		const char *head[] = { "日時", "連絡先", "手段", "連絡者" };
		const double w[] = { 35, 90, 25, 35 };
		json_array_foreach(ns, i, v) {
			fmt_local(jstr(v, "at"), at[i], sizeof(at[i]));
			cells[i * 4] = at[i];
			cells[i * 4 + 1] = jstr(v, "authority_label") ? jstr(v, "authority_label") : jstr(v, "to");
			cells[i * 4 + 2] = jstr(v, "channel");
			cells[i * 4 + 3] = jstr(v, "by");
		}
		if (n)
			report_table(rp, 4, head, w, n, cells);
		else
			report_paragraph(rp, "連絡・報告の記録はありません。", 0);
		free(cells);
		free(at);
	}
	report_heading(rp, 2, "3. 非常時用アカウントの使用");
	{
		json_t *us = json_object_get(view, "emergency_uses");
		size_t n = json_array_size(us);
		const char **cells = xcalloc(n ? n * 4 : 1, sizeof(*cells));
		char (*at)[32] = xcalloc(n ? n : 1, sizeof(*at));
		const char *head[] = { "アカウント", "使用日時", "使用者", "使用後の処置" };
		const double w[] = { 45, 35, 40, 65 };
		json_array_foreach(us, i, v) {
			const char *how = jstr(v, "handled_how");
			fmt_local(jstr(v, "used_at"), at[i], sizeof(at[i]));
			cells[i * 4] = jstr(v, "login");
			cells[i * 4 + 1] = at[i];
			cells[i * 4 + 2] = jstr(v, "used_by");
			cells[i * 4 + 3] = !how ? "未処置 (無効化またはパスワード変更が必要)"
				: !strcmp(how, "disabled") ? "無効化済" : "パスワード変更済";
		}
		if (n)
			report_table(rp, 4, head, w, n, cells);
		else
			report_paragraph(rp, "使用の記録はありません。", 0);
		free(cells);
		free(at);
	}
	report_heading(rp, 2, "4. 事後検証");
	rev = json_object_get(inc, "review");
	if (json_is_object(rev)) {
		const char *head[] = { "項目", "内容" };
		const double w[] = { 30, 150 };
		const char *cells[] = { "概要", jstr(rev, "summary"), "原因", jstr(rev, "causes"),
					"対策", jstr(rev, "measures") };
		report_table(rp, 2, head, w, 3, cells);
	} else {
		report_paragraph(rp, "事後検証はまだ記録されていません。", 0);
	}
	report_heading(rp, 2, "5. 時系列");
	{
		json_t *ev = json_object_get(view, "timeline");
		size_t n = json_array_size(ev);
		const char **cells = xcalloc(n ? n * 4 : 1, sizeof(*cells));
		char (*at)[32] = xcalloc(n ? n : 1, sizeof(*at)), (*seq)[16] = xcalloc(n ? n : 1, sizeof(*seq));
		char **texts = xcalloc(n ? n : 1, sizeof(*texts));
		const char *head[] = { "#", "記録日時", "種類", "内容" };
		const double w[] = { 10, 30, 35, 110 };
		json_array_foreach(ev, i, v) {
			snprintf(seq[i], sizeof(seq[i]), "%lld", (long long)json_integer_value(json_object_get(v, "seq")));
			fmt_local(jstr(v, "time"), at[i], sizeof(at[i]));
			texts[i] = event_text(v);
			cells[i * 4] = seq[i];
			cells[i * 4 + 1] = at[i];
			cells[i * 4 + 2] = event_kind_label(jstr(v, "kind"));
			cells[i * 4 + 3] = texts[i];
		}
		report_table(rp, 4, head, w, n, cells);
		for (i = 0; i < n; i++)
			free(texts[i]);
		free(texts);
		free(cells);
		free(at);
		free(seq);
	}
	report_heading(rp, 2, "6. 承認");
	{
		char at[32];
		const char *head[] = { "承認者", "承認日時" };
		const double w[] = { 90, 90 };
		fmt_local(jstr(inc, "report_approved_at"), at, sizeof(at));
		const char *cells[] = { jstr(inc, "report_approved_by") ? jstr(inc, "report_approved_by") : "\n\n",
					jstr(inc, "report_approved_at") ? at : "" };
		report_table(rp, 2, head, w, 1, cells);
	}
	{
		char *line = xasprintf("記録の完全性: この報告書は mamori の時系列 (ハッシュ連鎖) から作成しました。"
				       "時系列の最新ハッシュ #%lld %s。「mamori incident verify %lld」で改ざんがないことを確認できます。",
				       (long long)json_integer_value(json_object_get(inc, "timeline_seq")),
				       jstr(inc, "timeline_hash"), (long long)id);
		report_paragraph(rp, line, 1);
		free(line);
	}
	r = report_close(rp, err);
	rp = NULL;
out:
	report_abort(rp);
	json_decref(view);
	ledger_facility_release(&fac);
	return r;
}
