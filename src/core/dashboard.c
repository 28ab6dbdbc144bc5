/*
 * dashboard.c - aggregate figures and warnings (see dashboard.h).
 */
#include "common.h"
#include "asset.h"
#include "checklist.h"
#include "dashboard.h"
#include "emergency.h"
#include "eoscat.h"
#include "ledger.h"
#include "logdetect.h"
#include "store.h"

/* Runs "SELECT key, COUNT(*) … GROUP BY key" into an object. */
static int group_counts(struct store *st, const char *sql, const char *vendor, json_t *out,
			int kind_labels, struct mamori_err *err)
{
	struct store_stmt *s = NULL;
	int r = store_prepare(st, sql, &s, err);

	if (r < 0)
		return r;
	store_bind_text(st, s, 1, vendor);
	store_bind_text(st, s, 2, vendor);
	while ((r = store_step(st, s, err)) == 1) {
		const char *k = store_column_text(st, s, 0);
		const char *key = !k ? "(未設定)" : kind_labels == 1 ? asset_kind_label(k)
						 : kind_labels == 2 ? asset_status_label(k)
								    : k;
		json_object_set_new(out, key, json_integer(store_column_int(st, s, 1)));
	}
	store_finalize(st, s);
	return r < 0 ? r : 0;
}

struct warning_def {
	const char *code;
	const char *message; /* followed by the count and 台 */
	const char *where;   /* condition on device d (and vendor v) */
};

static const struct warning_def warnings[] = {
	{ "no_owner", "申請者 (管理者) が未登録の機器",
	  "d.status = 'in_use' AND d.owner IS NULL" },
	{ "no_ip", "IP アドレスが未登録の機器",
	  "d.status = 'in_use' AND d.ip IS NULL AND d.kind IN ('server','pc','network','printer')" },
	{ "remote_without_contract",
	  "リモート保守ありなのに、リモート保守の契約が登録されていない機器",
	  "d.status = 'in_use' AND d.remote_maintenance = 1 AND NOT EXISTS (SELECT 1 FROM contract c "
	  "WHERE c.vendor_id = d.vendor_id AND c.remote_maintenance = 1)" },
	{ "no_antivirus", "ウイルス対策なしのサーバ・端末",
	  "d.status = 'in_use' AND d.antivirus = 0 AND d.kind IN ('server','pc')" },
	{ "unpatched", "OS 等の脆弱性対策 (パッチ適用) が未実施の機器",
	  "d.status = 'in_use' AND d.patched = 0" },
};

static int add_warning(struct store *st, const struct warning_def *w, const char *vendor,
		       json_t *list, struct mamori_err *err)
{
	char *sql = xasprintf("SELECT d.id FROM device d LEFT JOIN vendor v ON v.id = d.vendor_id "
			      "WHERE (? IS NULL OR v.name = ?) AND %s ORDER BY d.id",
			      w->where);
	struct store_stmt *s = NULL;
	json_t *ids = json_array();
	long long n = 0;
	int r = store_prepare(st, sql, &s, err);

	free(sql);
	if (r < 0) {
		json_decref(ids);
		return r;
	}
	store_bind_text(st, s, 1, vendor);
	store_bind_text(st, s, 2, vendor);
	while ((r = store_step(st, s, err)) == 1) {
		if (n++ < DASHBOARD_SAMPLE)
			json_array_append_new(ids, json_integer(store_column_int(st, s, 0)));
	}
	store_finalize(st, s);
	if (r < 0 || n == 0) {
		json_decref(ids);
		return r < 0 ? r : 0;
	}
	char msg[512];
	snprintf(msg, sizeof(msg), "%s: %lld 台", w->message, n);
	json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:o}", "code", w->code, "message",
					      msg, "count", (json_int_t)n, "devices", ids));
	return 0;
}

struct eos_scan {
	const struct eos_catalog *cat;
	char today[11];
	long long n[4];
	json_t *ids[4];
	struct eoscat_memo memo;
};

static int eos_row(const struct asset *a, void *p)
{
	struct eos_scan *e = p;
	enum eos_status s = eoscat_device_status_memo(&e->memo, e->cat, a, e->today, NULL);

	if (e->n[s]++ < DASHBOARD_SAMPLE && e->ids[s])
		json_array_append_new(e->ids[s], json_integer(a->id));
	return 0;
}

/* The end-of-support warnings: devices in use whose OS support ended or ends within a year. */
static int eos_warnings(struct store *st, const char *vendor, json_t *list, json_t **counts,
			struct mamori_err *err)
{
	static const struct {
		enum eos_status status;
		const char *code, *message;
	} w[] = {
		{ EOS_ENDED, "eos_ended", "OS のサポートが終了している機器" },
		{ EOS_ENDING, "eos_ending", "OS のサポートが12か月以内に終了する機器" },
	};
	struct eos_catalog cat = EOS_CATALOG_INIT;
	struct asset_query q = { .status = "in_use", .vendor = vendor };
	struct eos_scan e = { .cat = &cat };
	int updated, r;

	*counts = NULL;
	r = eoscat_load(st, &cat, &updated, err);
	if (r < 0)
		return r;
	mamori_today(e.today);
	e.ids[EOS_ENDED] = json_array();
	e.ids[EOS_ENDING] = json_array();
	r = asset_list(st, &q, eos_row, &e, err);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(w); i++) {
		char msg[512];
		if (!e.n[w[i].status])
			continue;
		snprintf(msg, sizeof(msg), "%s: %lld 台", w[i].message, e.n[w[i].status]);
		json_array_append_new(list, json_pack("{s:s, s:s, s:I, s:O}", "code", w[i].code,
						      "message", msg, "count",
						      (json_int_t)e.n[w[i].status], "devices",
						      e.ids[w[i].status]));
	}
	if (r == 0)
		*counts = json_pack("{s:s, s:I, s:I, s:I, s:I}", "today", e.today, "ended",
				    (json_int_t)e.n[EOS_ENDED], "ending", (json_int_t)e.n[EOS_ENDING],
				    "supported", (json_int_t)e.n[EOS_SUPPORTED], "unknown",
				    (json_int_t)e.n[EOS_UNKNOWN]);
	json_decref(e.ids[EOS_ENDED]);
	json_decref(e.ids[EOS_ENDING]);
	eoscat_memo_release(&e.memo);
	eos_catalog_release(&cat);
	return r;
}

/*
 * The checklist of the current fiscal year: declared はい the data
 * contradicts and いいえ past their 目標日 (checklist_findings()).
 */
static int checklist_part(struct store *st, json_t **out, struct mamori_err *err)
{
	struct checklist_catalog cat = { 0 };
	json_t *findings = NULL, *sheets = NULL, *v;
	int64_t contradicted = 0, overdue = 0;
	char today[11];
	size_t i;
	int fy, r;

	*out = NULL;
	mamori_today(today);
	fy = checklist_fiscal_year(today);
	r = checklist_catalog_open(st, &cat, err);
	if (r == 0)
		r = checklist_findings(st, &cat, fy, today, &findings, err);
	if (r == 0)
		r = checklist_sheets_json(st, &cat, fy, 0, today, &sheets, err);
	checklist_catalog_release(&cat);
	if (r < 0) {
		json_decref(findings);
		return r;
	}
	json_array_foreach(findings, i, v) {
		if (!strcmp(json_string_value(json_object_get(v, "kind")), "overdue"))
			overdue++;
		else
			contradicted++;
	}
	*out = json_pack("{s:i, s:s, s:I, s:I, s:o, s:o}", "fiscal_year", fy, "today", today,
			 "contradicted", (json_int_t)contradicted, "overdue", (json_int_t)overdue,
			 "findings", findings, "sheets", sheets);
	return 0;
}

int dashboard_figures(struct store *st, const char *vendor, json_t **out,
		      struct mamori_err *err)
{
	static const char from[] = " FROM device d LEFT JOIN vendor v ON v.id = d.vendor_id "
				   "WHERE (? IS NULL OR v.name = ?)";
	struct ledger_facility fac = { 0 };
	json_t *o = NULL, *by_kind = json_object(), *by_dept = json_object(),
	       *by_status = json_object(), *warn = json_array();
	int64_t total = 0, in_use = 0;
	char *sql = NULL;
	int r;

	*out = NULL;
	r = ledger_facility_get(st, &fac, err);
	if (r == 0) {
		sql = xasprintf("SELECT d.kind, COUNT(*)%s AND d.status = 'in_use' GROUP BY d.kind "
				"ORDER BY COUNT(*) DESC", from);
		r = group_counts(st, sql, vendor, by_kind, 1, err);
		free(sql);
	}
	if (r == 0) {
		sql = xasprintf("SELECT d.department, COUNT(*)%s AND d.status = 'in_use' "
				"GROUP BY d.department ORDER BY COUNT(*) DESC", from);
		r = group_counts(st, sql, vendor, by_dept, 0, err);
		free(sql);
	}
	if (r == 0) {
		sql = xasprintf("SELECT d.status, COUNT(*)%s GROUP BY d.status", from);
		r = group_counts(st, sql, vendor, by_status, 2, err);
		free(sql);
	}
	if (r == 0) {
		/* With vendor NULL the parameters stay unbound, i.e. NULL: all vendors. */
		sql = xasprintf("SELECT COUNT(*)%s", from);
		r = store_query_int(st, &total, err, sql, vendor, vendor, NULL);
		free(sql);
	}
	if (r == 0) {
		sql = xasprintf("SELECT COUNT(*)%s AND d.status = 'in_use'", from);
		r = store_query_int(st, &in_use, err, sql, vendor, vendor, NULL);
		free(sql);
	}
	json_t *eos = NULL;
	if (r == 0)
		r = eos_warnings(st, vendor, warn, &eos, err);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(warnings); i++)
		r = add_warning(st, &warnings[i], vendor, warn, err);
	/* an emergency account used and not yet disabled or rotated: an alert (emergency.h) */
	if (r == 0 && !vendor)
		r = emergency_dashboard_warning(st, warn, err);
	if (r == 0)
		o = json_pack("{s:{s:s, s:s, s:s}, s:{s:I, s:I, s:O, s:O, s:O}, s:o, s:O}", "facility",
			      "name", fac.name, "type", fac.type, "type_label",
			      ledger_facility_type_label(fac.type), "devices", "total",
			      (json_int_t)total, "in_use", (json_int_t)in_use, "by_kind", by_kind,
			      "by_department", by_dept, "by_status", by_status, "end_of_support", eos,
			      "warnings", warn);
	else
		json_decref(eos);
	if (r == 0 && !vendor) {
		json_t *cl = NULL;
		r = checklist_part(st, &cl, err);
		if (r == 0)
			json_object_set_new(o, "checklist", cl);
		else
			json_decref(o), o = NULL;
	}
	/* the access-log detections: counts by kind, open alerts, the newest few */
	if (r == 0 && !vendor) {
		json_t *logs = NULL;
		r = logdetect_dashboard(st, DASHBOARD_LOG_ALERTS, &logs, err);
		if (r == 0)
			json_object_set_new(o, "logs", logs);
		else
			json_decref(o), o = NULL;
	}
	json_decref(by_kind);
	json_decref(by_dept);
	json_decref(by_status);
	json_decref(warn);
	ledger_facility_release(&fac);
	*out = o;
	return r;
}
