/*
 * demo.c - the demo hospital (see demo.h).
 */
#include "common.h"
#include "account.h"
#include "asset.h"
#include "bcp.h"
#include "contact.h"
#include "drill.h"
#include "demo.h"
#include "ledger.h"
#include "store.h"

#include <jansson.h>

/* xorshift64*: small, deterministic, good enough for fake data. */
static uint64_t rng_state = 0x6d616d6f7269ULL; /* "mamori" */

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32) % n;
}

#define PICK(arr) ((arr)[rnd(ARRAY_SIZE(arr))])

static const char *const surnames[] = { "佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本",
					"中村", "小林", "加藤", "吉田", "山田", "佐々木", "山口",
					"松本", "井上", "木村", "林", "清水", "山崎" };
static const char *const given[] = { "一郎", "花子", "健太", "美咲", "翔", "陽子", "直樹", "恵",
				     "大輔", "由美", "誠", "綾", "拓也", "真理", "浩二", "裕子" };

struct dept {
	const char *name;
	const char *location;
	int subnet;
	int pcs;
};

static const struct dept depts[] = {
	{ "内科", "1階 内科外来", 101, 22 },
	{ "外科", "1階 外科外来", 102, 16 },
	{ "整形外科", "1階 整形外科外来", 103, 12 },
	{ "小児科", "1階 小児科外来", 104, 10 },
	{ "救急外来", "1階 救急外来", 105, 12 },
	{ "放射線科", "地下1階 放射線科", 110, 14 },
	{ "臨床検査科", "2階 検査室", 111, 14 },
	{ "薬剤部", "2階 薬剤部", 112, 12 },
	{ "看護部 4階東病棟", "4階 東病棟ナースステーション", 120, 24 },
	{ "看護部 4階西病棟", "4階 西病棟ナースステーション", 121, 24 },
	{ "看護部 5階病棟", "5階 病棟ナースステーション", 122, 24 },
	{ "医事課", "1階 医事課", 130, 22 },
	{ "総務課", "3階 事務室", 131, 12 },
	{ "医局", "3階 医局", 132, 22 },
	{ "情報システム室", "3階 情報システム室", 140, 10 },
};

static char *person(void)
{
	return xasprintf("%s %s", PICK(surnames), PICK(given));
}

static char *mac(const char *oui)
{
	return xasprintf("%s:%02x:%02x:%02x", oui, rnd(256), rnd(256), rnd(256));
}

static char *date_between(int y0, int y1)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = y0 + (int)rnd((uint32_t)(y1 - y0 + 1)), m = 1 + (int)rnd(12);
	return xasprintf("%04d-%02d-%02d", y, m, 1 + (int)rnd((uint32_t)mdays[m - 1]));
}

/* Field assignments of one device; NULL values are skipped. */
struct kv {
	int f;
	const char *v;
};

static int add_device(struct store *st, const char *actor, const struct kv *kvs, size_t n,
		      struct mamori_err *err)
{
	struct asset a;
	int r = 0;

	asset_init(&a);
	for (size_t i = 0; i < n && r == 0; i++)
		if (kvs[i].v)
			r = asset_set(&a, kvs[i].f, kvs[i].v, err);
	if (r == 0)
		r = asset_insert(st, actor, &a, err);
	if (r < 0)
		mamori_err_prefix(err, "デモ機器 %s", a.v[ASSET_TAG] ? a.v[ASSET_TAG] : "?");
	asset_release(&a);
	return r;
}

struct sys_def {
	const char *name, *category, *purpose, *usage, *scope, *department, *manager;
	const char *c, *i, *a, *volume, *media, *backup, *os, *place, *config, *network;
	int internet;
	const char *exchange;
	int vendor; /* index into vendor ids */
};

static const struct sys_def systems[] = {
	{ "電子カルテシステム", "電子カルテ", "診療記録の作成・保存・参照",
	  "診療録、看護記録、オーダ、検査結果の参照", "医師・看護師・医療技術職・医事課",
	  "情報システム室", "情報システム室長", "A", "A", "A", "患者約12万人分、約4TB",
	  "USBメモリは原則禁止 (許可制)", "日次差分・週次フル、LTO テープ (オフライン保管) と NAS",
	  "Windows Server 2019", "地下1階 サーバ室", "DB サーバ2台 (クラスタ)、AP サーバ2台、端末約250台",
	  "院内 LAN (電子カルテ系 VLAN)、インターネット接続なし", 0,
	  "地域医療連携ネットワーク (SS-MIX2 出力)", 0 },
	{ "医事会計システム", "レセコン", "診療報酬の算定と請求", "会計、レセプト作成、オンライン請求",
	  "医事課", "医事課", "医事課長", "A", "A", "A", "患者約12万人分、約300GB",
	  "電子媒体での請求は行わない", "日次フル、NAS と外付け HDD (週1回取り外し保管)",
	  "Windows Server 2016", "地下1階 サーバ室", "サーバ1台、端末22台",
	  "院内 LAN、オンライン請求回線 (IP-VPN)", 0, "社会保険診療報酬支払基金 (オンライン請求)", 0 },
	{ "PACS", "PACS", "医用画像の保存と参照", "CT・MRI・一般撮影の画像保存、読影、院内配信",
	  "放射線科・医師", "放射線科", "放射線科技師長", "A", "A", "B", "約60TB (10年分)",
	  "画像の CD-R 出力 (患者紹介用)", "日次差分、NAS 二重化、月次でオフライン HDD",
	  "Windows Server 2012 R2", "地下1階 サーバ室", "画像サーバ1台、ストレージ、モダリティ5台",
	  "院内 LAN (画像系 VLAN)、ベンダーのリモート保守回線", 0, "紹介先医療機関 (CD-R)", 1 },
	{ "オーダリングシステム", "オーダリング", "検査・処方・注射のオーダ伝達",
	  "オーダ入力、部門システムへの伝達", "医師・看護師・薬剤部・検査科", "情報システム室",
	  "情報システム室長", "A", "A", "A", "約500GB", "なし", "電子カルテと同じ (日次差分・週次フル)",
	  "Windows Server 2019", "地下1階 サーバ室", "電子カルテと一体 (AP サーバ上)",
	  "院内 LAN (電子カルテ系 VLAN)", 0, "なし", 0 },
};

static const char *const vendor_names[] = {
	"北斗メディカルシステムズ株式会社",
	"さくら医用画像株式会社",
	"東和ネットワークサービス株式会社",
};

static int add_vendors_systems(struct store *st, const char *actor, int64_t vid[3],
			       int64_t sid[4], struct mamori_err *err)
{
	static const struct {
		const char *contact, *phone, *emergency, *email;
	} vinfo[] = {
		{ "保守窓口 (担当 山岡)", "03-5555-0101", "0120-555-010", "support@hokuto-medical.example" },
		{ "カスタマーサポート (担当 桜井)", "06-5555-0202", "0120-555-020", "help@sakura-imaging.example" },
		{ "技術部 (担当 東)", "045-555-0303", "045-555-0399", "noc@towa-net.example" },
	};
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(vendor_names) && r == 0; i++) {
		json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:s}", "name", vendor_names[i],
					"contact", vinfo[i].contact, "phone", vinfo[i].phone,
					"emergency_phone", vinfo[i].emergency, "email", vinfo[i].email);
		r = ledger_insert(st, actor, LEDGER_VENDOR, rec, &vid[i], err);
		json_decref(rec);
	}
	for (size_t i = 0; i < ARRAY_SIZE(systems) && r == 0; i++) {
		const struct sys_def *s = &systems[i];
		json_t *rec = json_pack(
			"{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s,"
			" s:s, s:s, s:i, s:s, s:I}",
			"name", s->name, "category", s->category, "purpose", s->purpose, "usage",
			s->usage, "scope", s->scope, "department", s->department, "manager",
			s->manager, "confidentiality", s->c, "integrity", s->i, "availability", s->a,
			"data_volume", s->volume, "external_media", s->media, "backup", s->backup,
			"os", s->os, "install_location", s->place, "configuration", s->config,
			"network", s->network, "internet", s->internet, "external_exchange",
			s->exchange, "vendor_id", (json_int_t)vid[s->vendor]);
		r = ledger_insert(st, actor, LEDGER_SYSTEM, rec, &sid[i], err);
		json_decref(rec);
	}
	if (r < 0)
		return r;
	/* Two vendors maintain remotely; the network vendor comes on site. */
	json_t *contracts[] = {
		json_pack("{s:I, s:I, s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:s}", "vendor_id",
			  (json_int_t)vid[0], "system_id", (json_int_t)sid[0], "title",
			  "電子カルテ・オーダリング 保守契約", "remote_maintenance", 1, "hosting", "onprem",
			  "data_location", "院内サーバ室 (リモート保守は閉域 VPN 経由)", "japanese_law", 1,
			  "demarcation", "VPN 装置までは事業者、院内 LAN と端末は病院の責任。"
					 "リモート作業は事前申請と作業記録の提出",
			  "start_date", "2022-04-01", "end_date", "2027-03-31"),
		json_pack("{s:I, s:I, s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:s}", "vendor_id",
			  (json_int_t)vid[1], "system_id", (json_int_t)sid[2], "title",
			  "PACS 保守契約", "remote_maintenance", 1, "hosting", "onprem", "data_location",
			  "院内サーバ室", "japanese_law", 1, "demarcation",
			  "画像サーバとモダリティ連携は事業者、ネットワークは病院",
			  "start_date", "2019-10-01", "end_date", "2026-09-30"),
		json_pack("{s:I, s:s, s:i, s:s, s:s, s:i, s:s, s:s, s:s}", "vendor_id",
			  (json_int_t)vid[2], "title", "院内ネットワーク保守契約", "remote_maintenance", 0,
			  "hosting", "onprem", "data_location", "院内", "japanese_law", 1,
			  "demarcation", "UTM・スイッチ・無線 AP の保守 (オンサイト対応のみ)",
			  "start_date", "2023-04-01", "end_date", "2028-03-31"),
	};
	for (size_t i = 0; i < ARRAY_SIZE(contracts); i++) {
		if (r == 0)
			r = ledger_insert(st, actor, LEDGER_CONTRACT, contracts[i], NULL, err);
		json_decref(contracts[i]);
	}
	return r;
}

static int add_servers_and_network(struct store *st, const char *actor, struct mamori_err *err)
{
	static const struct {
		const char *tag, *host, *kind, *model, *maker, *os, *ip, *system, *vendor, *remote;
	} fixed[] = {
		{ "MH-SV-001", "EHR-DB01", "server", "PRIMERGY RX2540 M6", "富士通", "Windows Server 2019", "172.30.10.11", "電子カルテシステム", "北斗メディカルシステムズ株式会社", "1" },
		{ "MH-SV-002", "EHR-DB02", "server", "PRIMERGY RX2540 M6", "富士通", "Windows Server 2019", "172.30.10.12", "電子カルテシステム", "北斗メディカルシステムズ株式会社", "1" },
		{ "MH-SV-003", "EHR-AP01", "server", "PRIMERGY RX2530 M6", "富士通", "Windows Server 2019", "172.30.10.21", "電子カルテシステム", "北斗メディカルシステムズ株式会社", "1" },
		{ "MH-SV-004", "EHR-AP02", "server", "PRIMERGY RX2530 M6", "富士通", "Windows Server 2019", "172.30.10.22", "オーダリングシステム", "北斗メディカルシステムズ株式会社", "1" },
		{ "MH-SV-005", "RECE-SV01", "server", "Express5800/R120h-1M", "NEC", "Windows Server 2016", "172.30.10.31", "医事会計システム", "北斗メディカルシステムズ株式会社", "0" },
		{ "MH-SV-006", "PACS-SV01", "server", "ProLiant DL380 Gen9", "HPE", "Windows Server 2012 R2", "172.30.11.11", "PACS", "さくら医用画像株式会社", "1" },
		{ "MH-SV-007", "AD01", "server", "PowerEdge R450", "Dell", "Windows Server 2022", "172.30.10.2", NULL, NULL, "0" },
		{ "MH-SV-008", "AD02", "server", "PowerEdge R450", "Dell", "Windows Server 2022", "172.30.10.3", NULL, NULL, "0" },
		{ "MH-SV-009", "FILE01", "server", "PowerEdge R550", "Dell", "Windows Server 2022", "172.30.10.5", NULL, NULL, "0" },
		{ "MH-SV-010", "BACKUP01", "server", "PowerEdge R550", "Dell", "Windows Server 2019", "172.30.10.6", "電子カルテシステム", NULL, "0" },
		{ "MH-SV-011", "WSUS01", "server", "PowerEdge R350", "Dell", "Windows Server 2016", "172.30.10.7", NULL, NULL, "0" },
		{ "MH-SV-012", "LAB-SV01", "server", "PRIMERGY TX1330 M5", "富士通", "Red Hat Enterprise Linux 7.9", "172.30.111.5", NULL, NULL, "0" },
		{ "MH-NW-001", "UTM01", "network", "FortiGate 100F", "Fortinet", "FortiOS 7.2.8", "172.30.0.1", NULL, "東和ネットワークサービス株式会社", "0" },
		{ "MH-NW-002", "CORE-SW01", "network", "Catalyst 9300", "Cisco", "IOS XE 17.9", "172.30.0.2", NULL, "東和ネットワークサービス株式会社", "0" },
		{ "MH-NW-003", "CORE-SW02", "network", "Catalyst 9300", "Cisco", "IOS XE 17.9", "172.30.0.3", NULL, "東和ネットワークサービス株式会社", "0" },
		{ "MH-NW-004", "VPN-EHR", "network", "RTX1300", "ヤマハ", NULL, "172.30.0.10", "電子カルテシステム", "北斗メディカルシステムズ株式会社", "1" },
		{ "MH-NW-005", "VPN-PACS", "network", "RTX830", "ヤマハ", NULL, "172.30.0.11", "PACS", "さくら医用画像株式会社", "1" },
	};
	static const char *const floors[] = { "地下1階", "1階", "2階", "3階", "4階", "5階" };
	char tag[32], host[32], ip[32];
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(fixed) && r == 0; i++) {
		char *m = mac(fixed[i].kind[0] == 's' ? "b4:96:91" : "00:09:0f");
		char *reg = date_between(2016, 2023);
		const struct kv kv[] = {
			{ ASSET_TAG, fixed[i].tag }, { ASSET_HOSTNAME, fixed[i].host },
			{ ASSET_KIND, fixed[i].kind }, { ASSET_MODEL, fixed[i].model },
			{ ASSET_MANUFACTURER, fixed[i].maker }, { ASSET_OS, fixed[i].os },
			{ ASSET_IP, fixed[i].ip }, { ASSET_MAC, m },
			{ ASSET_SYSTEM, fixed[i].system }, { ASSET_VENDOR, fixed[i].vendor },
			{ ASSET_REMOTE_MAINTENANCE, fixed[i].remote },
			{ ASSET_DEPARTMENT, "情報システム室" },
			{ ASSET_LOCATION, "地下1階 サーバ室" }, { ASSET_OWNER, "情報システム室 青木 修" },
			{ ASSET_ANTIVIRUS, fixed[i].kind[0] == 's' ? "1" : NULL },
			{ ASSET_PATCHED, strstr(fixed[i].tag, "SV-006") ? "0" : "1" },
			{ ASSET_CONFIDENTIALITY, fixed[i].system ? "A" : "B" },
			{ ASSET_INTEGRITY, "A" }, { ASSET_AVAILABILITY, "A" },
			{ ASSET_PAYMENT, "病院負担" }, { ASSET_REGISTERED_ON, reg },
			{ ASSET_SOURCE_RESTRICTION, fixed[i].kind[0] == 'n' ? "1" : NULL },
		};
		r = add_device(st, actor, kv, ARRAY_SIZE(kv), err);
		free(m);
		free(reg);
	}
	/* Floor switches and wireless access points. */
	for (int i = 0; i < 12 && r == 0; i++) {
		int ap = i >= 6;
		char *m = mac(ap ? "00:3a:7d" : "00:1b:54");
		snprintf(tag, sizeof(tag), "MH-NW-%03d", 6 + i);
		snprintf(host, sizeof(host), ap ? "AP-%s" : "SW-%s", floors[i % 6]);
		snprintf(ip, sizeof(ip), "172.30.0.%d", 20 + i);
		char *loc = xasprintf("%s %s", floors[i % 6], ap ? "廊下天井" : "EPS");
		const struct kv kv[] = {
			{ ASSET_TAG, tag }, { ASSET_HOSTNAME, host }, { ASSET_KIND, "network" },
			{ ASSET_MODEL, ap ? "Aironet 2800" : "Catalyst 2960-X" },
			{ ASSET_MANUFACTURER, "Cisco" }, { ASSET_IP, ip }, { ASSET_MAC, m },
			{ ASSET_VENDOR, "東和ネットワークサービス株式会社" },
			{ ASSET_REMOTE_MAINTENANCE, "0" }, { ASSET_DEPARTMENT, "情報システム室" },
			{ ASSET_LOCATION, loc }, { ASSET_OWNER, "情報システム室 青木 修" },
			{ ASSET_PAYMENT, "病院負担" }, { ASSET_REGISTERED_ON, "2023-04-01" },
			/* One access point was left open to any source: the evidence shows it. */
			{ ASSET_SOURCE_RESTRICTION, i == 8 ? "0" : "1" },
		};
		r = add_device(st, actor, kv, ARRAY_SIZE(kv), err);
		free(m);
		free(loc);
	}
	return r;
}

static int add_medical_and_printers(struct store *st, const char *actor, struct mamori_err *err)
{
	static const struct {
		const char *model, *maker, *os;
	} modalities[] = {
		{ "CT Aquilion Prime SP", "キヤノンメディカルシステムズ", "Windows 10 IoT Enterprise 2016 LTSB" },
		{ "MRI Vantage Orian 1.5T", "キヤノンメディカルシステムズ", "Windows 10 IoT Enterprise 2019 LTSC" },
		{ "一般撮影 FPD CXDI-710C", "キヤノン", "Windows 10 IoT Enterprise 2019 LTSC" },
		{ "ポータブル X 線撮影装置", "富士フイルム", "Windows 10 IoT Enterprise 2021 LTSC" },
		{ "超音波診断装置 ARIETTA 650", "富士フイルムヘルスケア", "Windows 10 IoT Enterprise 2019 LTSC" },
		{ "内視鏡システム EVIS X1", "オリンパス", NULL },
	};
	char tag[32], ip[32];
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(modalities) && r == 0; i++) {
		char *m = mac("00:80:92");
		char *reg = date_between(2017, 2024);
		int pacs = i < 4;
		snprintf(tag, sizeof(tag), "MH-ME-%03zu", i + 1);
		snprintf(ip, sizeof(ip), "172.30.110.%zu", 11 + i);
		const struct kv kv[] = {
			{ ASSET_TAG, tag }, { ASSET_KIND, "medical" }, { ASSET_MODEL, modalities[i].model },
			{ ASSET_MANUFACTURER, modalities[i].maker }, { ASSET_OS, modalities[i].os },
			{ ASSET_IP, ip }, { ASSET_MAC, m },
			{ ASSET_SYSTEM, pacs ? "PACS" : NULL },
			{ ASSET_VENDOR, pacs ? "さくら医用画像株式会社" : NULL },
			{ ASSET_REMOTE_MAINTENANCE, pacs ? "1" : "0" },
			{ ASSET_DEPARTMENT, i < 4 ? "放射線科" : i == 4 ? "臨床検査科" : "内科" },
			{ ASSET_LOCATION, i < 4 ? "地下1階 放射線科" : i == 4 ? "2階 検査室" : "2階 内視鏡室" },
			{ ASSET_OWNER, i < 4 ? "放射線科 技師長 森 和也" : "臨床工学室 北村 亮" },
			{ ASSET_ANTIVIRUS, "0" },
			{ ASSET_PATCHED, "0" },
			{ ASSET_CONFIDENTIALITY, "A" }, { ASSET_INTEGRITY, "A" },
			{ ASSET_PAYMENT, "病院負担" }, { ASSET_REGISTERED_ON, reg },
			{ ASSET_NOTES, "医療機器のため院内でのパッチ適用不可。製造元の MDS2 で確認" },
		};
		r = add_device(st, actor, kv, ARRAY_SIZE(kv), err);
		free(m);
		free(reg);
	}
	/* Multifunction printers store scanned documents on an internal disk. */
	for (size_t i = 0; i < 15 && r == 0; i++) {
		const struct dept *d = &depts[i % ARRAY_SIZE(depts)];
		char *m = mac("00:26:73");
		snprintf(tag, sizeof(tag), "MH-PR-%03zu", i + 1);
		snprintf(ip, sizeof(ip), "172.30.%d.200", d->subnet);
		const struct kv kv[] = {
			{ ASSET_TAG, tag }, { ASSET_KIND, "printer" },
			{ ASSET_MODEL, i % 3 ? "複合機 imageRUNNER ADVANCE DX C3826F" : "複合機 bizhub C360i" },
			{ ASSET_MANUFACTURER, i % 3 ? "キヤノン" : "コニカミノルタ" },
			{ ASSET_IP, ip }, { ASSET_MAC, m }, { ASSET_DEPARTMENT, d->name },
			{ ASSET_LOCATION, d->location }, { ASSET_OWNER, i == 7 ? NULL : "総務課 小川 智子" },
			{ ASSET_PAYMENT, "リース" }, { ASSET_REGISTERED_ON, "2022-10-01" },
			{ ASSET_NOTES, "内蔵 HDD にスキャン文書を保存。返却時にデータ消去証明書が必要" },
		};
		r = add_device(st, actor, kv, ARRAY_SIZE(kv), err);
		free(m);
	}
	return r;
}

static int add_pcs(struct store *st, const char *actor, struct mamori_err *err)
{
	static const struct {
		const char *model, *maker, *oui;
	} models[] = {
		{ "ESPRIMO D7012/M", "富士通", "a0:29:42" },
		{ "Mate MKM34/B", "NEC", "00:d4:9e" },
		{ "OptiPlex 7010", "Dell", "b0:7b:25" },
		{ "Let's note FV3", "パナソニック", "00:0b:97" },
		{ "ProBook 450 G9", "HP", "38:ca:84" },
	};
	char tag[32], host[32], ip[32];
	int r = 0, n = 0;

	for (size_t d = 0; d < ARRAY_SIZE(depts) && r == 0; d++) {
		for (int i = 0; i < depts[d].pcs && r == 0; i++) {
			int k = (int)rnd(ARRAY_SIZE(models));
			int win10 = rnd(100) < 30; /* about 30% still on Windows 10 */
			char *m = mac(models[k].oui), *owner = person();
			char *reg = date_between(win10 ? 2018 : 2022, win10 ? 2021 : 2026);
			n++;
			snprintf(tag, sizeof(tag), "MH-PC-%04d", n);
			snprintf(host, sizeof(host), "PC%03d-%02d", depts[d].subnet, i + 1);
			snprintf(ip, sizeof(ip), "172.30.%d.%d", depts[d].subnet, 11 + i);
			char *own = xasprintf("%s %s", depts[d].name, owner);
			int no_owner = n == 37 || n == 118 || n == 201;
			int no_ip = n == 64;
			const struct kv kv[] = {
				{ ASSET_TAG, tag }, { ASSET_HOSTNAME, host }, { ASSET_KIND, "pc" },
				{ ASSET_MODEL, models[k].model }, { ASSET_MANUFACTURER, models[k].maker },
				{ ASSET_OS, win10 ? "Windows 10 Pro" : "Windows 11 Pro" },
				{ ASSET_OS_VERSION, win10 ? "22H2" : (rnd(4) ? "25H2" : "24H2") },
				{ ASSET_IP, no_ip ? NULL : ip }, { ASSET_MAC, m },
				{ ASSET_OUTLET, xasprintf("%d-%02d", depts[d].subnet, i + 1) },
				{ ASSET_OWNER, no_owner ? NULL : own },
				{ ASSET_DEPARTMENT, depts[d].name }, { ASSET_LOCATION, depts[d].location },
				{ ASSET_SYSTEM, "電子カルテシステム" },
				{ ASSET_PAYMENT, rnd(10) ? "病院負担" : "研究費" },
				{ ASSET_REGISTERED_ON, reg },
				{ ASSET_ANTIVIRUS, n == 150 ? "0" : "1" },
				{ ASSET_PATCHED, win10 ? "0" : "1" },
				{ ASSET_CONFIDENTIALITY, "A" }, { ASSET_INTEGRITY, "A" },
				{ ASSET_SECURE_AREA, "1" }, { ASSET_INFO_HANDLING, "1" },
			};
			r = add_device(st, actor, kv, ARRAY_SIZE(kv), err);
			free((char *)kv[9].v);
			free(m);
			free(owner);
			free(own);
			free(reg);
		}
	}
	return r;
}

/* One PC taken out of use, one disposed with its certificate. */
static int add_lifecycle(struct store *st, const char *actor, struct mamori_err *err)
{
	struct asset a;
	int r;

	r = asset_lookup(st, "MH-PC-0012", &a, err);
	if (r == 0)
		r = asset_retire(st, actor, &a, "2026-09-30", "故障 (マザーボード不良)。廃棄予定", err);
	asset_release(&a);
	if (r < 0)
		return r;
	r = asset_lookup(st, "MH-PC-0100", &a, err);
	if (r == 0)
		r = asset_retire(st, actor, &a, "2026-03-31", "Windows 11 非対応のため更新", err);
	if (r == 0)
		r = asset_dispose(st, actor, &a, "HDD 物理破壊 (穿孔)", "東和ネットワークサービス株式会社",
				  "2026-05-20", "TWN-2026-0520-03 (データ消去証明書)", err);
	asset_release(&a);
	return r;
}

/*
 * The documents the checklist evidence looks for: some present, some
 * missing or out of date, so that a new user sees every outcome.
 */
static int add_documents(struct store *st, const char *actor, const int64_t vid[3],
			 const int64_t sid[4], struct mamori_err *err)
{
	json_t *docs[] = {
		json_pack("{s:s, s:s, s:I, s:I, s:s, s:s}", "kind", "mds", "title",
			  "電子カルテシステム MDS (JAHIS 標準 Ver.5.0)", "vendor_id", (json_int_t)vid[0],
			  "system_id", (json_int_t)sid[0], "issued_on", "2025-06-10", "reference",
			  "共有フォルダ 情報システム室/MDS_SDS/北斗_電子カルテ_MDS.pdf"),
		json_pack("{s:s, s:s, s:I, s:s, s:s}", "kind", "sds", "title",
			  "院内ネットワーク保守サービス SDS", "vendor_id", (json_int_t)vid[2], "issued_on",
			  "2025-07-01", "reference", "紙: 情報システム室 書庫 B-3"),
		json_pack("{s:s, s:s, s:s, s:s}", "kind", "contact_chart", "title",
			  "サイバーインシデント発生時の連絡体制図 (令和7年4月改訂)", "issued_on",
			  "2025-04-01", "reference", "各部署掲示・情報システム室 書庫 A-1"),
		json_pack("{s:s, s:s, s:s, s:s}", "kind", "bcp", "title",
			  "サイバー攻撃を想定した事業継続計画 (IT-BCP) 第1版", "issued_on", "2025-03-31",
			  "reference", "共有フォルダ 経営企画室/BCP/IT-BCP_v1.docx"),
		json_pack("{s:s, s:s, s:I, s:s, s:i, s:s}", "kind", "restore_test", "title",
			  "電子カルテ DB テープからの復元訓練", "system_id", (json_int_t)sid[0], "issued_on",
			  "2025-09-12", "offline", 1, "note", "LTO テープ (施錠保管) の前月末世代から検証用サーバへ復元、所要 6 時間"),
		json_pack("{s:s, s:s, s:I, s:s, s:i}", "kind", "restore_test", "title",
			  "ファイルサーバ NAS スナップショットからの復元", "system_id", (json_int_t)sid[0],
			  "issued_on", "2026-02-14", "offline", 0),
	};
	int r = 0;

	for (size_t i = 0; i < ARRAY_SIZE(docs); i++) {
		if (r == 0)
			r = ledger_insert(st, actor, LEDGER_DOCUMENT, docs[i], NULL, err);
		json_decref(docs[i]);
	}
	return r;
}

/*
 * The account inventory: the systems' users and AD and UTM accounts, with
 * what an officer should find (a retired nurse's account still enabled,
 * accounts unused for months, a shared administrator account of the
 * billing system, vendors' maintenance accounts) and the two emergency
 * accounts of the registry.  Dates are counted back from today, so that
 * the picture stays the same whenever the demo is made.
 */
static int add_accounts(struct store *st, const char *actor, struct mamori_err *err)
{
	static const char *const roles[] = { "医師", "看護師", "看護師", "看護師", "薬剤師",
					     "臨床検査技師", "医師", "看護師" };
	static const char *const ehr_depts[] = { "内科", "外科", "整形外科", "小児科", "救急外来",
						 "看護部 4階東病棟", "看護部 4階西病棟", "薬剤部",
						 "臨床検査科" };
	struct {
		const char *system, *device, *login, *holder, *role, *dept, *kind, *admin, *two_factor;
		int created_ago, used_ago; /* days before today; < 0: not recorded */
		const char *holder_status, *status, *users, *procedure, *note;
	} fixed[] = {
		{ "電子カルテシステム", NULL, "ehr-admin", "情報システム室 青木 修", "システム管理者",
		  "情報システム室", "personal", "1", "1", 1500, 0, NULL, NULL, NULL, NULL, NULL },
		{ "電子カルテシステム", NULL, "n-sasaki", "佐々木 由美", "看護師", "看護部 5階病棟",
		  "personal", "0", "1", 2100, 41, "retired", NULL, NULL, NULL,
		  "2026年度末退職。人事からの連絡待ち" },
		{ "電子カルテシステム", NULL, "dr-kimura", "木村 拓也", "医師", "外科", "personal", "0",
		  "1", 1300, 212, NULL, NULL, NULL, NULL, "非常勤 (月1回の外来)" },
		{ "電子カルテシステム", NULL, "resident-02", "井上 翔", "研修医", "医局", "personal", "0",
		  "0", 400, 133, NULL, NULL, NULL, NULL, NULL },
		{ "電子カルテシステム", NULL, "ehr-emergency", NULL, "非常時用", "情報システム室",
		  "emergency", "1", NULL, 900, -1, NULL, NULL,
		  "当直医師・当直看護師長 (電子カルテの認証基盤が停止したとき、院長または情報システム室長の許可を得て)",
		  "封筒 E-001 (封印) に入れ、事務当直室の金庫に保管。使用後は情報システム室へ連絡し、"
		  "アカウントを無効化するかパスワードを変更する",
		  NULL },
		{ "電子カルテシステム", NULL, "hokuto-se1", "北斗メディカルシステムズ 保守担当 山岡",
		  "保守", NULL, "maintenance", "1", NULL, 1500, 9, "external", NULL, NULL, NULL,
		  "リモート保守 (閉域 VPN) 用" },
		{ "医事会計システム", NULL, "recesv-admin", "医事課", "システム管理", "医事課", "shared",
		  "1", NULL, 2500, 3, NULL, NULL, NULL, NULL, "医事課の係長3名で共用" },
		{ "医事会計システム", NULL, "hokuto-rece", "北斗メディカルシステムズ 保守担当",
		  "保守", NULL, "maintenance", "1", NULL, 2500, 60, "external", NULL, NULL, NULL, NULL },
		{ "医事会計システム", NULL, "iji-nakamura", "中村 恵", "医事課", "医事課", "personal",
		  "0", NULL, 1800, 250, "retired", "disabled", NULL, NULL, "2026年3月退職、無効化済" },
		{ "PACS", NULL, "pacs-emergency", NULL, "非常時用", "放射線科", "emergency", "1", NULL,
		  1200, -1, NULL, NULL, "放射線科技師長・当直の診療放射線技師",
		  "封筒 P-001 に入れ、放射線科 技師長室の鍵付きキャビネットに保管。使用したら"
		  "情報システム室に連絡", NULL },
		{ "PACS", NULL, "sakura-cs", "さくら医用画像 カスタマーサポート 桜井", "保守", NULL,
		  "maintenance", "1", NULL, 2300, 30, "external", NULL, NULL, NULL, NULL },
		{ "PACS", NULL, "rad-chief", "放射線科技師長 林 浩二", "診療放射線技師", "放射線科",
		  "personal", "1", NULL, 2000, 1, NULL, NULL, NULL, NULL, NULL },
		{ "オーダリングシステム", NULL, "ord-admin", "情報システム室 青木 修", "システム管理者",
		  "情報システム室", "personal", "1", "1", 1500, 2, NULL, NULL, NULL, NULL, NULL },
		{ "オーダリングシステム", NULL, "ord-interface", "情報システム室", "部門連携 (自動)",
		  "情報システム室", "shared", "0", NULL, 1500, 0, NULL, NULL, NULL, NULL,
		  "検査・薬剤部門システムとの連携用サービスアカウント" },
		{ NULL, "AD01", "Administrator", NULL, "ドメイン管理 (組み込み)", "情報システム室",
		  "shared", "1", NULL, 1400, 500, NULL, "disabled", NULL, NULL,
		  "組み込みの管理者。無効化し、個人の管理者アカウントを使用" },
		{ NULL, "AD01", "adm-aoki", "青木 修", "ドメイン管理者", "情報システム室", "personal",
		  "1", "1", 1400, 0, NULL, NULL, NULL, NULL, NULL },
		{ NULL, "AD01", "svc-backup", "情報システム室", "バックアップ (サービス)",
		  "情報システム室", "shared", "0", NULL, 1400, 0, NULL, NULL, NULL, NULL, NULL },
		{ NULL, "AD01", "sato.k", "佐藤 健太", "総務課", "総務課", "personal", "0", "0", 900, 1,
		  NULL, NULL, NULL, NULL, NULL },
		{ NULL, "AD01", "yamaguchi.a", "山口 綾", "総務課", "総務課", "personal", "0", "0", 700,
		  160, NULL, NULL, NULL, NULL, "育休中" },
		{ NULL, "UTM01", "towa-admin", "東和ネットワークサービス 技術部 東", "保守", NULL,
		  "maintenance", "1", NULL, 1200, 150, "external", NULL, NULL, NULL,
		  "オンサイト保守時のみ使用" },
		{ NULL, "UTM01", "admin", "情報システム室 青木 修", "ネットワーク管理", "情報システム室",
		  "personal", "1", NULL, 1200, 20, NULL, NULL, NULL, NULL, NULL },
	};
	char today[11], created[11], used[11];
	int r = 0;

	mamori_today(today);
	for (size_t i = 0; i < ARRAY_SIZE(fixed) + 38 && r == 0; i++) {
		struct account a;
		char login[32], *holder = NULL;
		const char *dept, *role;
		int created_ago, used_ago;

		account_init(&a);
		if (i < ARRAY_SIZE(fixed)) {
			const struct kv kv[] = {
				{ ACCOUNT_SYSTEM, fixed[i].system }, { ACCOUNT_DEVICE, fixed[i].device },
				{ ACCOUNT_LOGIN, fixed[i].login }, { ACCOUNT_HOLDER, fixed[i].holder },
				{ ACCOUNT_HOLDER_ROLE, fixed[i].role }, { ACCOUNT_DEPARTMENT, fixed[i].dept },
				{ ACCOUNT_KIND, fixed[i].kind }, { ACCOUNT_ADMIN, fixed[i].admin },
				{ ACCOUNT_TWO_FACTOR, fixed[i].two_factor },
				{ ACCOUNT_HOLDER_STATUS, fixed[i].holder_status },
				{ ACCOUNT_STATUS, fixed[i].status },
				{ ACCOUNT_EMERGENCY_USERS, fixed[i].users },
				{ ACCOUNT_EMERGENCY_PROCEDURE, fixed[i].procedure },
				{ ACCOUNT_NOTE, fixed[i].note },
			};
			for (size_t k = 0; k < ARRAY_SIZE(kv) && r == 0; k++)
				if (kv[k].v)
					r = account_set(&a, kv[k].f, kv[k].v, err);
			created_ago = fixed[i].created_ago;
			used_ago = fixed[i].used_ago;
		} else {
			/* staff of the wards and outpatient clinics, the billing office and PACS */
			size_t k = i - ARRAY_SIZE(fixed);
			const char *system = k < 26 ? "電子カルテシステム" : k < 33 ? "医事会計システム"
										 : "PACS";
			holder = person();
			role = k < 26 ? roles[k % ARRAY_SIZE(roles)] : k < 33 ? "医事課" : "診療放射線技師";
			dept = k < 26 ? ehr_depts[k % ARRAY_SIZE(ehr_depts)] : k < 33 ? "医事課" : "放射線科";
			snprintf(login, sizeof(login), "%s%04zu", k < 26 ? "u" : k < 33 ? "iji" : "rad",
				  100 + k * 7);
			const struct kv kv[] = {
				{ ACCOUNT_SYSTEM, system }, { ACCOUNT_LOGIN, login }, { ACCOUNT_HOLDER, holder },
				{ ACCOUNT_HOLDER_ROLE, role }, { ACCOUNT_DEPARTMENT, dept },
				{ ACCOUNT_TWO_FACTOR, k < 26 ? (k % 9 == 4 ? "0" : "1") : NULL },
			};
			for (size_t j = 0; j < ARRAY_SIZE(kv) && r == 0; j++)
				if (kv[j].v)
					r = account_set(&a, kv[j].f, kv[j].v, err);
			created_ago = 200 + (int)rnd(2000);
			used_ago = (int)rnd(30);
		}
		if (r == 0 && created_ago >= 0 && account_date_add(today, -created_ago, created) == 0)
			r = account_set(&a, ACCOUNT_CREATED_ON, created, err);
		if (r == 0 && used_ago >= 0 && account_date_add(today, -used_ago, used) == 0)
			r = account_set(&a, ACCOUNT_LAST_USED_ON, used, err);
		if (r == 0)
			r = account_insert(st, actor, &a, err);
		if (r < 0)
			mamori_err_prefix(err, "デモのアカウント %s",
					  a.v[ACCOUNT_LOGIN] ? a.v[ACCOUNT_LOGIN] : "?");
		free(holder);
		account_release(&a);
	}
	return r;
}

/*
 * The IT-BCP of the demo: the contact chart (the vendors' emergency numbers
 * come from the vendor table; the authorities' numbers are left for the
 * hospital to fill in; lawyer and insurer have numbers marked 例), systems'
 * priorities and tolerable downtimes, backup plans, and a past drill.
 */
static int add_bcp(struct store *st, const char *actor, const int64_t vid[3],
		   struct mamori_err *err)
{
	static const struct {
		const char *side, *role, *name, *org, *phone, *after;
		int parent; /* index into this table + 1, 0 = first caller */
		int vendor; /* index into vid + 1 */
		const char *note;
	} c[] = {
		{ "internal", "発見者・各部署の責任者", NULL, "各部署", "内線", NULL, 0, 0,
		  "異常に気づいたら端末の LAN ケーブルを抜き、すぐ情報システム室へ" },
		{ "internal", "情報システム室 (CSIRT 窓口)", "佐藤 健太", "情報システム室", "内線 3400",
		  "090-0000-0001 (例)", 1, 0, NULL },
		{ "internal", "医療情報システム安全管理責任者", "高橋 直樹", "情報システム室長", "内線 3401",
		  "090-0000-0002 (例)", 2, 0, NULL },
		{ "internal", "院長", "山田 一郎", NULL, "内線 1000", "090-0000-0003 (例)", 3, 0,
		  "L4 以上は直ちに報告。外部への報告と公表を判断する" },
		{ "internal", "事務部長 (事務部門)", "中村 恵", "事務部", "内線 1100", NULL, 3, 0,
		  "患者対応・院内放送 (医療サービス課) の指示" },
		{ "external", "電子カルテ保守事業者", NULL, NULL, NULL, NULL, 2, 1, "24時間受付" },
		{ "external", "PACS 保守事業者", NULL, NULL, NULL, NULL, 2, 2, NULL },
		{ "external", "ネットワーク保守事業者", NULL, NULL, NULL, NULL, 2, 3, "UTM・スイッチの遮断を依頼" },
		{ "external", "厚生労働省", NULL, "医政局 特定医薬品開発支援・医療情報担当参事官室", NULL, NULL, 3,
		  0, "電話番号は厚生労働省の公表資料で確認して記入する" },
		{ "external", "都道府県 (医療政策担当)・保健所", NULL, NULL, NULL, NULL, 3, 0,
		  "電話番号は都道府県の案内で確認して記入する" },
		{ "external", "警察 (サイバー犯罪相談窓口)", NULL, "都道府県警察", NULL, NULL, 3, 0,
		  "電話番号は都道府県警察の案内で確認して記入する" },
		{ "external", "顧問弁護士", "小林 誠", "みまもり法律事務所 (架空)", "03-0000-0000 (例)", NULL, 4,
		  0, NULL },
		{ "external", "サイバー保険 (保険会社)", NULL, "架空損害保険株式会社", "0120-000-000 (例)", NULL,
		  5, 0, "事故受付。証券番号は総務課で保管" },
	};
	static const struct {
		const char *system, *downtime, *fallback;
		int priority;
	} sb[] = {
		{ "電子カルテシステム", "3時間", "紙運用セット (手書きの診療録・指示伝票)、緊急用 PC で過去記録を参照", 1 },
		{ "オーダリングシステム", "3時間", "紙の指示・オーダ伝票と電話連絡", 1 },
		{ "医事会計システム", "24時間", "受付・会計の控えで後日精算", 2 },
		{ "PACS", "8時間", "モダリティの画面で参照、CD-R で受け渡し", 3 },
	};
	static const struct {
		const char *system, *target, *freq, *method, *media, *location, *restore;
		int gens;
	} bp[] = {
		{ "電子カルテシステム", "DB・添付文書", "日次差分・週次フル", "バックアップソフト", "rewritable",
		  "サーバ室 NAS", "NAS から検証用サーバへ戻し、整合性を確認してから本番へ", 14 },
		{ "電子カルテシステム", "DB", "週次", "LTO テープ", "offline", "施錠保管庫 (別棟)",
		  "テープを検証用サーバで読み込み、ウイルス検査の後に復元 (所要 6 時間)", 8 },
		{ "電子カルテシステム", "DB", "日次", "クラウドの変更不可ストレージ", "worm", "国内データセンター",
		  "事業者に依頼して前日世代を取り出す", 30 },
		{ "医事会計システム", "DB", "日次フル", "外付け HDD (週1回取り外し)", "offline",
		  "医事課 金庫", "HDD を接続前に検査し、事業者の手順書で復元", 4 },
		{ "PACS", "画像", "日次差分・月次", "NAS 二重化・オフライン HDD", "offline", "サーバ室 保管庫",
		  "月次 HDD から画像サーバへ戻し、差分はモダリティから再送", 12 },
	};
	int64_t ids[ARRAY_SIZE(c)] = { 0 };
	int r = 0;

	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(c); i++) {
		json_t *rec = json_pack("{s:s, s:s, s:s?, s:s?, s:s?, s:s?, s:s?, s:i}", "side", c[i].side,
					"role", c[i].role, "name", c[i].name, "organisation", c[i].org,
					"phone", c[i].phone, "phone_after_hours", c[i].after, "note",
					c[i].note, "call_order", (int)i);
		if (c[i].parent)
			json_object_set_new(rec, "parent_id", json_integer(ids[c[i].parent - 1]));
		if (c[i].vendor)
			json_object_set_new(rec, "vendor_id", json_integer(vid[c[i].vendor - 1]));
		r = contact_add(st, actor, rec, &ids[i], err);
		json_decref(rec);
	}
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(sb); i++) {
		json_t *rec = json_pack("{s:i, s:s, s:s}", "priority", sb[i].priority,
					"tolerable_downtime", sb[i].downtime, "fallback", sb[i].fallback);
		r = bcp_system_set(st, actor, sb[i].system, rec, err);
		json_decref(rec);
	}
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(bp); i++) {
		int64_t id;
		json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "system", bp[i].system,
					"target", bp[i].target, "frequency", bp[i].freq, "method",
					bp[i].method, "media", bp[i].media, "location", bp[i].location,
					"restore_procedure", bp[i].restore, "generations", bp[i].gens);
		r = bcp_backup_add(st, actor, rec, &id, err);
		json_decref(rec);
	}
	if (r == 0) {
		int64_t id;
		json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "title",
					"ランサムウェア想定 机上訓練 (令和7年度)", "planned_on", "2025-11-12",
					"done_on", "2025-11-12", "scenario",
					"夜間に電子カルテサーバが暗号化され、脅迫文が表示された想定",
					"participants", "院長、事務部長、情報システム室 3 名、各病棟師長、北斗メディカルシステムズ",
					"findings", "夜間の連絡先が古い職員がいた。紙運用セットが 5階病棟に未配置だった",
					"bcp_changes", "連絡体制図に夜間番号を追記。紙運用セットを全病棟に配置 (第1版 → 第1.1版)");
		r = drill_add(st, actor, rec, &id, err);
		json_decref(rec);
	}
	return r;
}

int demo_fill(struct store *st, const char *actor, struct mamori_err *err)
{
	struct ledger_facility fac;
	int64_t vid[3] = { 0 }, sid[4] = { 0 }, n = 0, fid;
	int r;

	rng_state = 0x6d616d6f7269ULL;
	r = store_query_int(st, &n, err, "SELECT COUNT(*) FROM device", NULL);
	if (r < 0)
		return r;
	if (n > 0)
		return mamori_err_set(err, MAMORI_ECONFLICT,
				      "%s には既に機器が %lld 台登録されています。"
				      "デモは新しいデータベースに作成してください",
				      st->target, (long long)n);
	r = store_begin(st, err);
	if (r < 0)
		return r;
	if (ledger_facility_get(st, &fac, NULL) < 0)
		r = ledger_facility_create(st, actor, DEMO_FACILITY_NAME, "hospital", &fid, err);
	else
		ledger_facility_release(&fac);
	if (r == 0)
		r = add_vendors_systems(st, actor, vid, sid, err);
	if (r == 0)
		r = add_servers_and_network(st, actor, err);
	if (r == 0)
		r = add_medical_and_printers(st, actor, err);
	if (r == 0)
		r = add_pcs(st, actor, err);
	if (r == 0)
		r = add_lifecycle(st, actor, err);
	if (r == 0)
		r = add_documents(st, actor, vid, sid, err);
	if (r == 0)
		r = add_accounts(st, actor, err);
	if (r == 0)
		r = add_bcp(st, actor, vid, err);
	if (r < 0) {
		store_rollback(st);
		return r;
	}
	return store_commit(st, err);
}
