/*
 * evidence.h - what the records say about a checklist item.
 *
 * A rule looks at the ledger (devices, systems, vendors, contracts), the
 * documents (ledger table "document": MDS/SDS, 連絡体制図, BCP, 運用管理規程,
 * restore tests) and the end-of-support catalog, and gives one outcome:
 *
 *   supports     the data backs a はい (with what it looked at)
 *   contradicts  the data shows a はい is not true (each reason names the
 *                record, with a link the UI can open)
 *   no_data      mamori does not hold what would decide it
 *
 * Which rule speaks for an item is decided from its wording (or, for an
 * item without confirmed wording, the wording of the item it presumably
 * equals, then its note), so a new edition needs no code: 台帳 → ledger,
 * リモートメンテナンス → remote maintenance, MDS/SDS, セキュリティパッチ →
 * patches and end of support, 接続元制限, 不要なアカウント / 退職者 →
 * unused accounts, 管理者権限 / アクセス利用権限 → administrator rights,
 * パスワード → passwords, 二要素認証 → two-factor (the account inventory,
 * account.h; no_data while it is empty), 連絡体制図, バックアップ, BCP,
 * 運用管理規程.
 * Items no rule covers have no evidence (evidence_rule_for() is NULL).
 * The device rules honour the item's scope tag (サーバ / 端末PC /
 * ネットワーク機器; 医療情報システム全般 = all kinds).
 */
#ifndef MAMORI_EVIDENCE_H
#define MAMORI_EVIDENCE_H

#include <jansson.h>

#include "checklist_catalog.h"

struct mamori_err;
struct store;
struct eos_catalog;

enum evidence_rule {
	EVIDENCE_LEDGER = 0,     /* 台帳: owner, location, OS, IP recorded */
	EVIDENCE_REMOTE,         /* remote-maintained devices: vendor and contract */
	EVIDENCE_MDS_SDS,        /* an MDS/SDS on file for each vendor system */
	EVIDENCE_PATCH,          /* patches applied, OS support not ended */
	EVIDENCE_SOURCE_RESTRICTION, /* 接続元制限 on network devices */
	EVIDENCE_ACCOUNTS_UNUSED, /* no enabled account of a retired holder or unused > N days */
	EVIDENCE_ACCOUNTS_PRIVILEGE, /* no shared admin account, every admin account named */
	EVIDENCE_TWO_FACTOR,     /* every enabled personal account of a system has two-factor */
	EVIDENCE_PASSWORDS,      /* password rules: not in the data (no_data, explained) */
	EVIDENCE_CONTACT_CHART,  /* 連絡体制図 on file */
	EVIDENCE_BACKUP,         /* restore test from an offline generation within 12 months */
	EVIDENCE_BCP,            /* BCP on file */
	EVIDENCE_RULES,          /* 運用管理規程 on file */
	EVIDENCE_NRULES,
};

enum evidence_outcome {
	EVIDENCE_NO_DATA = 0,
	EVIDENCE_SUPPORTS,
	EVIDENCE_CONTRADICTS,
};

/* Most reasons listed per outcome; the total is always given. */
#define EVIDENCE_REASONS_MAX 20

/* "ledger" …; 台帳の記載 …; NULL for an invalid value. */
const char *evidence_rule_name(enum evidence_rule r);
const char *evidence_rule_label(enum evidence_rule r);
/* "supports" …; はいを裏付け / はいと矛盾 / 判断材料なし. */
const char *evidence_outcome_name(enum evidence_outcome o);
const char *evidence_outcome_label(enum evidence_outcome o);

/*
 * The rule for an item, or -1.  wording is the text to read (the item's
 * own, the officer's official wording, or the presumed one; may be NULL),
 * note the item's note (may be NULL).
 */
int evidence_rule_for(const char *wording, const char *note);

/*
 * Runs rule r for an item of that scope (CHECKLIST_SCOPE_* bits; 0 = all
 * kinds) on date today ("YYYY-MM-DD") and returns
 *   { rule, rule_label, outcome, outcome_label, summary,
 *     reasons: [ { text, link } ] (at most EVIDENCE_REASONS_MAX),
 *     total (number of reasons found), checked (records looked at) }
 * link is a UI route ("#/assets/12", "#/documents", "#/sysaccounts?id=7") or null.  eos may be
 * NULL (then it is loaded from the store for this call).
 */
int evidence_eval(struct store *st, const struct eos_catalog *eos, enum evidence_rule r,
		  unsigned scope, const char *today, json_t **out, struct mamori_err *err);

#endif
