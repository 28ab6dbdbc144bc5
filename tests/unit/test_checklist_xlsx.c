/*
 * test_checklist_xlsx.c - unit tests for the checklist workbook importer
 * (src/core/checklist_xlsx.c).  The workbooks are written here with
 * libxlsxwriter in the shape of the official form: a title merged across
 * the top, a fill-in field, a ※ note, a two-row header (1回目 / 2回目 /
 * 3回目 over はい/いいえ, 確認日, 目標日), the 医療情報システムの有無 gate,
 * section rows with 【…】 form labels (half- and full-width numbers),
 * items numbered ① and (1) / （２） in their own cell or at the start of
 * the wording, scope tags in parentheses of both widths, ▶ references in a
 * cell and in the wording, rich text, 記入不要 notes, a junk row that must
 * be reported unplaced, and a second sheet without items.  The edition is
 * checked field by field, through its JSON and the catalog loader, and in
 * the preview.  The real MHLW files cannot be obtained here, so SHA-256
 * recognition is tested on the table's hashes and on an unknown file.
 */
#include "common.h"

#include <setjmp.h>
#include <cmocka.h>
#include <xlsxwriter.h>

#include "checklist_catalog.h"
#include "checklist_xlsx.h"
#include "fileio.h"
#include "strbuf.h"
#include "testutil.h"

/* --------------------------------------------------------- workbooks */

struct wb {
	char *dir, *path;
	lxw_workbook *wb;
	lxw_worksheet *ws;
	lxw_format *bold;
};

static void wb_open(struct wb *w, const char *sheet)
{
	w->dir = testutil_mkdtemp("checklist-xlsx");
	assert_non_null(w->dir);
	w->path = xasprintf("%s/checklist.xlsx", w->dir);
	w->wb = workbook_new(w->path);
	assert_non_null(w->wb);
	w->ws = workbook_add_worksheet(w->wb, sheet);
	w->bold = workbook_add_format(w->wb);
	format_set_bold(w->bold);
}

/* Writes s at an A1-style row (1-based) and column letter. */
static void put(struct wb *w, unsigned row, char col, const char *s)
{
	assert_int_equal(worksheet_write_string(w->ws, row - 1, (lxw_col_t)(col - 'A'), s, NULL),
			 LXW_NO_ERROR);
}

static void merge(struct wb *w, unsigned row, char c1, char c2, const char *s)
{
	assert_int_equal(worksheet_merge_range(w->ws, row - 1, (lxw_col_t)(c1 - 'A'), row - 1,
					       (lxw_col_t)(c2 - 'A'), s, NULL),
			 LXW_NO_ERROR);
}

/* Closes the workbook and returns its bytes; removes the directory. */
static char *wb_close(struct wb *w, size_t *len)
{
	struct mamori_err err = { 0 };
	char *data = NULL;

	assert_int_equal(workbook_close(w->wb), LXW_NO_ERROR);
	ASSERT_RC(0, fileio_read_all(w->path, 1u << 24, &data, len, &err), err);
	testutil_rmtree(w->dir);
	free(w->dir);
	free(w->path);
	return data;
}

/* The answer cells of an item row (C..H), as the template has them. */
static void answers(struct wb *w, unsigned row)
{
	put(w, row, 'C', "はい・いいえ");
	put(w, row, 'D', "　/　");
	put(w, row, 'E', "はい・いいえ");
	put(w, row, 'F', "　/　");
	put(w, row, 'G', "はい・いいえ");
	put(w, row, 'H', "　/　");
}

/* A workbook in the shape of the 令和8年度 医療機関・薬局確認用 form. */
static char *official_shape(size_t *len)
{
	struct wb w;
	lxw_worksheet *howto;
	lxw_rich_string_tuple f1 = { NULL, "接続元制限を" }, f2 = { NULL, "実施している。" },
			      f3 = { NULL, "(ネットワーク機器)" };
	lxw_rich_string_tuple *rich[] = { &f1, &f2, &f3, NULL };

	wb_open(&w, "チェックリスト");
	f2.format = w.bold;
	howto = workbook_add_worksheet(w.wb, "記入方法");
	worksheet_write_string(howto, 0, 0, "1 記入方法", NULL);
	worksheet_write_string(howto, 1, 0, "各項目の実施状況を確認してください。", NULL);

	merge(&w, 1, 'A', 'I',
	      "医療機関・薬局におけるサイバーセキュリティ対策チェックリスト（医療機関・薬局確認用）");
	put(&w, 2, 'A', "医療機関名：");
	put(&w, 3, 'A', "※以下の項目は令和8年度中にすべての項目で「はい」にマルが付くよう取り組んでください。");
	merge(&w, 4, 'C', 'D', "1回目");
	merge(&w, 4, 'E', 'F', "2回目");
	merge(&w, 4, 'G', 'H', "3回目");
	put(&w, 5, 'C', "はい/いいえ");
	put(&w, 5, 'D', "確認日");
	put(&w, 5, 'E', "はい/いいえ");
	put(&w, 5, 'F', "確認日");
	put(&w, 5, 'G', "はい/いいえ");
	put(&w, 5, 'H', "目標日");
	merge(&w, 6, 'A', 'H', "医療情報システムの有無【医療機関確認用】");
	put(&w, 7, 'B', "医療情報システムを導入、運用している。\n▶概説編 2.3");
	answers(&w, 7);
	put(&w, 8, 'A', "本項目の「いいえ」にマルがつく場合、以下すべての項目は確認不要です。");
	merge(&w, 9, 'A', 'H', "1 体制構築【医療機関確認用・事業者確認用】");
	put(&w, 10, 'A', "①");
	put(&w, 10, 'B', "医療情報システム安全管理責任者を設置している。");
	answers(&w, 10);
	merge(&w, 11, 'A', 'H', "２．医療情報システムの管理・運用【医療機関確認用・事業者確認用】");
	put(&w, 12, 'A', "①");
	put(&w, 12, 'B', "サーバ、端末 PC、ネットワーク機器の台帳管理を行っている。\n(医療情報システム全般)");
	answers(&w, 12);
	put(&w, 12, 'I', "▶経営管理編 1.2.1<管理責任>② ▶企画管理編 9.1");
	put(&w, 13, 'B', "②リモートメンテナンス(保守)を利用している機器の有無を事業者に確認した。"
			 "（医療情報システム全般）");
	answers(&w, 13);
	put(&w, 13, 'I', "▶企画管理編 9.1 ▶システム運用編 10.1");
	put(&w, 14, 'B', "※本項目は、事業者と契約していない場合には、チェックリストの記入は不要です。");
	put(&w, 15, 'A', "⑫");
	put(&w, 15, 'B', "バックグラウンドで動作している不要なソフトウェア及びサービスを停止している。"
			 "(サーバ、端末 PC)");
	answers(&w, 15);
	put(&w, 16, 'A', "⑬");
	assert_int_equal(worksheet_write_rich_string(w.ws, 15, 1, rich, NULL), LXW_NO_ERROR);
	answers(&w, 16);
	put(&w, 17, 'A', "⑦");
	put(&w, 17, 'B', "パスワードは英数字、記号が混在した8文字以上とし、定期的に変更している。\n"
			 "※二要素認証、または 13 文字以上の場合は定期的な変更は不要\n"
			 "(医療情報システム全般)\n▶システム運用編 8.⑤");
	answers(&w, 17);
	put(&w, 18, 'A', "⑧");
	put(&w, 18, 'B', "パスワードの使い回しを禁止している。(医療機器)");
	merge(&w, 19, 'A', 'H', "3 インシデント発生に備えた対応");
	put(&w, 20, 'A', "(1)");
	put(&w, 20, 'B', "インシデント発生時における組織内と外部関係機関(事業者、厚生労働省、警察等)への"
			 "連絡体制図がある。");
	answers(&w, 20);
	put(&w, 21, 'A', "（２）");
	put(&w, 21, 'B', "インシデント発生時に診療を継続するために必要な情報を検討し、データやシステムの"
			 "バックアップの実施と復旧手順を確認している。");
	put(&w, 21, 'I', "▶経営管理編 3.4.1 ▶企画管理編 11.2 12.2 ▶システム運用編 11.1 12.2");
	put(&w, 22, 'B', "よくある質問は厚生労働省のページを参照してください。問い合わせ先は別紙のとおりです。");
	put(&w, 23, 'A', "＊1(1)については、事業者と契約していない場合は記入不要です。");
	return wb_close(&w, len);
}

static const struct checklist_item *item(const struct checklist_edition *e, const char *id)
{
	const struct checklist_item *it = checklist_edition_item(e, id);

	if (!it)
		fail_msg("no item %s", id);
	return it;
}

static void print_result(const struct checklist_xlsx *r)
{
	struct strbuf sb = STRBUF_INIT;

	checklist_xlsx_preview(r, &sb);
	fprintf(stderr, "%s", sb.buf);
	strbuf_release(&sb);
}

/* --------------------------------------------------------------- tests */

static void test_official_shape(void **state)
{
	struct checklist_xlsx_options opt = CHECKLIST_XLSX_OPTIONS_INIT;
	struct checklist_xlsx r;
	struct mamori_err err = { 0 };
	const struct checklist_edition *e;
	const struct checklist_item *it;
	size_t len;
	char *data = official_shape(&len);
	const char *corpus = getenv("XLSX_CORPUS_OUT");

	if (corpus) { /* a seed for tests/fuzz/corpus/xlsx */
		char *path = xasprintf("%s/official-shape.xlsx", corpus);
		FILE *f = fopen(path, "wb");

		assert_non_null(f);
		assert_int_equal(fwrite(data, 1, len, f), len);
		assert_int_equal(fclose(f), 0);
		free(path);
	}
	opt.file_name = "/home/someone/ダウンロード/checklist-r9.xlsx";
	opt.edition = "r9";
	opt.fiscal_year = 2027;
	ASSERT_RC(0, checklist_xlsx_read(data, len, &opt, &r, &err), err);
	if (getenv("CHECKLIST_XLSX_VERBOSE"))
		print_result(&r);
	e = &r.edition;

	assert_null(r.known);
	assert_string_equal(r.file_name, "checklist-r9.xlsx");
	assert_int_equal(r.bytes, len);
	assert_int_equal(strlen(r.sha256), 64);
	assert_string_equal(r.sheet, "チェックリスト");
	assert_int_equal(r.nr_sheets, 2);
	assert_int_equal(r.header_row, 4);
	assert_int_equal(r.rounds, 3);
	assert_true(r.has_yes_no);
	assert_true(r.has_confirm_date);
	assert_true(r.has_target_date);

	assert_string_equal(e->edition, "r9");
	assert_int_equal(e->fiscal_year, 2027);
	assert_int_equal(e->form, CHECKLIST_FORM_IRYO_YAKKYOKU); /* from the title */
	assert_string_equal(e->title, "医療機関・薬局におけるサイバーセキュリティ対策チェックリスト"
				      "（医療機関・薬局確認用）");
	assert_int_equal(e->nr_sources, 1);
	testutil_assert_contains(e->sources[0], "checklist-r9.xlsx (SHA-256 ");
	testutil_assert_contains(e->sources[0], r.sha256);
	testutil_assert_contains(e->note, "※以下の項目は令和8年度中に");
	assert_false(e->items_complete); /* one row could not be placed */

	/* sections */
	assert_int_equal(e->nr_sections, 4);
	assert_int_equal(e->sections[0].number, 0);
	assert_string_equal(e->sections[0].title, "医療情報システムの有無");
	assert_true(e->sections[0].forms_known);
	assert_int_equal(e->sections[0].forms, 1u << CHECKLIST_FORM_IRYO);
	assert_int_equal(e->sections[1].number, 1);
	assert_string_equal(e->sections[1].title, "体制構築");
	assert_int_equal(e->sections[1].forms,
			 1u << CHECKLIST_FORM_IRYO | 1u << CHECKLIST_FORM_JIGYOSHA);
	assert_int_equal(e->sections[2].number, 2);
	assert_string_equal(e->sections[2].title, "医療情報システムの管理・運用");
	assert_int_equal(e->sections[3].number, 3);
	assert_false(e->sections[3].forms_known);

	assert_int_equal(e->nr_items, 10);
	it = item(e, "r9-iryo_yakkyoku-gate");
	assert_true(it->gate);
	assert_int_equal(it->section, 0);
	assert_null(it->number);
	assert_string_equal(it->wording, "医療情報システムを導入、運用している。");
	assert_int_equal(it->nr_refs, 1);
	assert_string_equal(it->refs[0], "概説編 2.3");
	testutil_assert_contains(it->note, "以下すべての項目は確認不要です");
	assert_int_equal(it->status, CHECKLIST_IMPORTED);
	assert_true(checklist_item_wording_unconfirmed(it));
	testutil_assert_contains(it->wording_source, "公式ファイルと未照合");

	it = item(e, "r9-iryo_yakkyoku-1-1");
	assert_string_equal(it->number, "①");
	assert_int_equal(it->order, 1);
	assert_true(it->scope_known);
	assert_int_equal(it->scope, 0);
	assert_true(it->refs_known);
	assert_int_equal(it->nr_refs, 0);
	assert_int_equal(it->new_in_edition, CHECKLIST_UNKNOWN);
	/* named by the ＊1(1) note at the end */
	assert_int_equal(it->needed_without_vendor_contract, CHECKLIST_NO);

	it = item(e, "r9-iryo_yakkyoku-2-1");
	assert_string_equal(it->wording, "サーバ、端末 PC、ネットワーク機器の台帳管理を行っている。");
	assert_int_equal(it->scope, CHECKLIST_SCOPE_ALL);
	assert_int_equal(it->nr_refs, 2);
	assert_string_equal(it->refs[0], "経営管理編 1.2.1<管理責任>②");
	assert_string_equal(it->refs[1], "企画管理編 9.1");
	assert_int_equal(it->needed_without_vendor_contract, CHECKLIST_YES);

	it = item(e, "r9-iryo_yakkyoku-2-2");
	assert_string_equal(it->number, "②");
	assert_string_equal(it->wording,
			    "リモートメンテナンス(保守)を利用している機器の有無を事業者に確認した。");
	assert_int_equal(it->scope, CHECKLIST_SCOPE_ALL);
	assert_int_equal(it->nr_refs, 2);
	assert_string_equal(it->refs[1], "システム運用編 10.1");
	assert_int_equal(it->needed_without_vendor_contract, CHECKLIST_NO);
	testutil_assert_contains(it->note, "※本項目は、事業者と契約していない場合には");

	it = item(e, "r9-iryo_yakkyoku-2-12");
	assert_int_equal(it->scope, CHECKLIST_SCOPE_SERVER | CHECKLIST_SCOPE_PC);
	assert_int_equal(it->order, 3);

	it = item(e, "r9-iryo_yakkyoku-2-13");
	assert_string_equal(it->wording, "接続元制限を実施している。");
	assert_int_equal(it->scope, CHECKLIST_SCOPE_NETWORK);

	it = item(e, "r9-iryo_yakkyoku-2-7");
	assert_string_equal(it->wording,
			    "パスワードは英数字、記号が混在した8文字以上とし、定期的に変更している。\n"
			    "※二要素認証、または 13 文字以上の場合は定期的な変更は不要");
	assert_int_equal(it->scope, CHECKLIST_SCOPE_ALL);
	assert_int_equal(it->nr_refs, 1);
	assert_string_equal(it->refs[0], "システム運用編 8.⑤");

	it = item(e, "r9-iryo_yakkyoku-2-8");
	assert_string_equal(it->wording, "パスワードの使い回しを禁止している。(医療機器)");
	assert_int_equal(it->scope, 0);
	testutil_assert_contains(it->note, "範囲の表記「(医療機器)」を解釈できなかった");

	it = item(e, "r9-iryo_yakkyoku-3-1");
	assert_string_equal(it->number, "(1)");
	testutil_assert_contains(it->wording, "外部関係機関(事業者、厚生労働省、警察等)への");
	it = item(e, "r9-iryo_yakkyoku-3-2");
	assert_string_equal(it->number, "（２）");
	assert_int_equal(it->nr_refs, 5);
	assert_string_equal(it->refs[0], "経営管理編 3.4.1");
	assert_string_equal(it->refs[2], "企画管理編 12.2");
	assert_string_equal(it->refs[4], "システム運用編 12.2");
	testutil_assert_contains(it->note, "＊1(1)については");

	/* the junk row, with its address */
	assert_int_equal(r.total_unplaced, 1);
	assert_int_equal(r.nr_unplaced, 1);
	testutil_assert_contains(r.unplaced[0], "チェックリスト!B22: 「よくある質問は厚生労働省のページを");
	testutil_assert_contains(r.unplaced[0], "…」: 章・項目・注記のどれにも当てはまりません");

	checklist_xlsx_release(&r);
	checklist_xlsx_release(&r);
	checklist_xlsx_release(NULL);
	free(data);
}

/* The edition's JSON is a catalog file the loader accepts, and loads back
 * to the same edition. */
static void test_json_loads(void **state)
{
	struct checklist_xlsx_options opt = CHECKLIST_XLSX_OPTIONS_INIT;
	struct checklist_xlsx r;
	struct checklist_edition back;
	struct checklist_problems pr = { 0 };
	struct mamori_err err = { 0 };
	size_t len, i, k;
	char *data = official_shape(&len), *js, *js2;

	opt.file_name = "checklist-r9.xlsx";
	opt.edition = "r9";
	opt.fiscal_year = 2027;
	opt.form = CHECKLIST_FORM_IRYO;
	ASSERT_RC(0, checklist_xlsx_read(data, len, &opt, &r, &err), err);
	assert_int_equal(r.edition.form, CHECKLIST_FORM_IRYO); /* said beats the title */
	js = checklist_edition_to_json(&r.edition);
	if (checklist_catalog_load_buffer("r9-iryo.json", js, strlen(js), &back, &pr, &err)) {
		for (i = 0; i < pr.nr; i++)
			fprintf(stderr, "  %s\n", pr.msgs[i]);
		fail_msg("%s\n%s", err.msg, js);
	}
	testutil_assert_contains(js, "\"wording_status\": \"imported\"");
	testutil_assert_contains(js, "\"id\": \"r9-iryo-2-13\"");
	assert_int_equal(back.nr_items, r.edition.nr_items);
	assert_int_equal(back.nr_sections, r.edition.nr_sections);
	for (i = 0; i < back.nr_items; i++) {
		const struct checklist_item *a = &back.items[i], *b = &r.edition.items[i];

		assert_string_equal(a->id, b->id);
		assert_string_equal(a->wording, b->wording);
		assert_int_equal(a->scope, b->scope);
		assert_int_equal(a->status, b->status);
		assert_int_equal(a->needed_without_vendor_contract,
				 b->needed_without_vendor_contract);
		assert_int_equal(a->nr_refs, b->nr_refs);
		for (k = 0; k < a->nr_refs; k++)
			assert_string_equal(a->refs[k], b->refs[k]);
	}
	js2 = checklist_edition_to_json(&back);
	assert_string_equal(js, js2);
	free(js);
	free(js2);
	checklist_edition_release(&back);
	checklist_problems_release(&pr);
	checklist_xlsx_release(&r);
	free(data);
}

static void test_preview(void **state)
{
	struct checklist_xlsx_options opt = CHECKLIST_XLSX_OPTIONS_INIT;
	struct checklist_xlsx r;
	struct mamori_err err = { 0 };
	struct strbuf sb = STRBUF_INIT;
	size_t len;
	char *data = official_shape(&len);

	opt.file_name = "checklist-r9.xlsx";
	opt.edition = "r9";
	opt.fiscal_year = 2027;
	ASSERT_RC(0, checklist_xlsx_read(data, len, &opt, &r, &err), err);
	checklist_xlsx_preview(&r, &sb);
	testutil_assert_contains(sb.buf, "ファイル: checklist-r9.xlsx (");
	testutil_assert_contains(sb.buf, r.sha256);
	testutil_assert_contains(sb.buf, "この xlsx は既知の公式ファイル (001716187.xlsx、001716188.xlsx) と一致しません");
	testutil_assert_contains(sb.buf, "版: r9 (2027 年度)  様式: iryo_yakkyoku (医療機関・薬局確認用)");
	testutil_assert_contains(sb.buf, "シート: 「チェックリスト」 (ブックのシート 2 枚)");
	testutil_assert_contains(sb.buf, "回答欄: 4 行目の見出し、3 回分 (1回目~3回目)、はい/いいえ、確認日、目標日");
	testutil_assert_contains(sb.buf, "章 1 体制構築 【医療機関確認用・事業者確認用】");
	testutil_assert_contains(sb.buf, "  r9-iryo_yakkyoku-2-12  ⑫  (サーバ、端末PC)  バックグラウンドで");
	testutil_assert_contains(sb.buf, "r9-iryo_yakkyoku-2-2  ②  (医療情報システム全般)  リモートメンテナンス");
	testutil_assert_contains(sb.buf, "[事業者と契約なしなら記入不要]");
	testutil_assert_contains(sb.buf, "置けなかった行 (1 行):\n  チェックリスト!B22: 「");
	testutil_assert_contains(sb.buf, "合計: 章 4、項目 10 (gate 1、");
	testutil_assert_contains(sb.buf, "imported (文言未確認)");
	/* the wording is cut at 60 characters */
	testutil_assert_contains(sb.buf, "インシデント発生時に診療を継続するために必要な情報を検討し、データやシステムのバックアップの実施と復旧手順を確認している…");
	strbuf_release(&sb);
	checklist_xlsx_release(&r);
	free(data);
}

/* 令和6年度 style: (1)… numbers repeated per device group, in the wording cell. */
static void test_device_groups(void **state)
{
	struct checklist_xlsx_options opt = CHECKLIST_XLSX_OPTIONS_INIT;
	struct checklist_xlsx r;
	struct mamori_err err = { 0 };
	struct strbuf longw = STRBUF_INIT;
	struct wb w;
	const struct checklist_item *it;
	size_t len, i;
	char *data, *js;
	struct checklist_edition back;

	wb_open(&w, "Sheet1");
	put(&w, 1, 'A', "医療機関におけるサイバーセキュリティ対策チェックリスト");
	put(&w, 2, 'A', "2 医療情報システムの管理・運用");
	put(&w, 3, 'A', "医療情報システム全般について、以下を実施している。");
	put(&w, 4, 'A', "(1) サーバ、端末 PC、ネットワーク機器の台帳管理を行っている。");
	put(&w, 5, 'A', "サーバについて、以下を実施している。");
	put(&w, 6, 'A', "(4) 利用者の職種・担当業務別の情報区分毎のアクセス利用権限を設定している。");
	put(&w, 7, 'A', "(5) 退職者や使用していないアカウント等、不要なアカウントを削除している。");
	put(&w, 8, 'A', "端末PCについて、以下を実施している。");
	put(&w, 9, 'A', "(4) 利用者の職種・担当業務別の情報区分毎のアクセス利用権限を設定している。");
	put(&w, 10, 'A', "(4) 同じ番号がもう一度。");
	for (i = 0; i < 700; i++)
		strbuf_addstr(&longw, "長");
	strbuf_addstr(&longw, "。");
	put(&w, 11, 'A', "(6)");
	put(&w, 11, 'B', longw.buf);
	put(&w, 12, 'A', "(7)");
	data = wb_close(&w, &len);
	strbuf_release(&longw);

	opt.edition = "r6x";
	opt.fiscal_year = 2024;
	opt.form = CHECKLIST_FORM_JIGYOSHA;
	ASSERT_RC(0, checklist_xlsx_read(data, len, &opt, &r, &err), err);
	if (getenv("CHECKLIST_XLSX_VERBOSE"))
		print_result(&r);
	assert_string_equal(r.file_name, "workbook.xlsx");
	assert_int_equal(r.header_row, 0);
	assert_int_equal(r.rounds, 0);
	assert_int_equal(r.edition.nr_items, 4);
	it = item(&r.edition, "r6x-jigyosha-2-1");
	assert_int_equal(it->scope, CHECKLIST_SCOPE_ALL);
	assert_string_equal(it->number, "(1)");
	assert_string_equal(it->wording, "サーバ、端末 PC、ネットワーク機器の台帳管理を行っている。");
	it = item(&r.edition, "r6x-jigyosha-2-server-4");
	assert_int_equal(it->scope, CHECKLIST_SCOPE_SERVER);
	it = item(&r.edition, "r6x-jigyosha-2-server-5");
	assert_int_equal(it->order, 3);
	it = item(&r.edition, "r6x-jigyosha-2-pc-4");
	assert_int_equal(it->scope, CHECKLIST_SCOPE_PC);
	for (i = 0; i < r.edition.nr_items; i++) /* 事業者確認用: never without a contract */
		assert_int_equal(r.edition.items[i].needed_without_vendor_contract, CHECKLIST_NO);
	assert_int_equal(r.total_unplaced, 3);
	testutil_assert_contains(r.unplaced[0], "Sheet1!A10: 「(4) 同じ番号がもう一度。」: 項目番号 (4) が章 2 で重複しています");
	testutil_assert_contains(r.unplaced[1], "Sheet1!A11: 「(6) 長長");
	testutil_assert_contains(r.unplaced[1], "文言が長すぎます (2103 バイト、上限 2000 バイト)");
	testutil_assert_contains(r.unplaced[2], "Sheet1!A12: 「(7)」: 項目の文言が見つかりません");

	js = checklist_edition_to_json(&r.edition);
	ASSERT_RC(0, checklist_catalog_load_buffer("x.json", js, strlen(js), &back, NULL, &err), err);
	checklist_edition_release(&back);
	free(js);
	checklist_xlsx_release(&r);
	free(data);
}

static void test_refused(void **state)
{
	struct checklist_xlsx_options opt = CHECKLIST_XLSX_OPTIONS_INIT;
	struct checklist_xlsx r;
	struct mamori_err err = { 0 };
	struct wb w;
	size_t len;
	char *data = official_shape(&len);

	/* an unknown file needs the edition and year */
	opt.file_name = "x.xlsx";
	assert_int_equal(checklist_xlsx_read(data, len, &opt, &r, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "x.xlsx は既知の公式ファイルと一致しないため、版と年度を指定してください");
	assert_null(r.edition.items);
	opt.edition = "R9 ";
	opt.fiscal_year = 2027;
	assert_int_equal(checklist_xlsx_read(data, len, &opt, &r, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "版「R9 」は英小文字");
	opt.edition = "r9";
	opt.fiscal_year = 1999;
	assert_int_equal(checklist_xlsx_read(data, len, &opt, &r, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "年度 1999 は 2000~2100");
	free(data);

	/* what the reader refuses, with the file name in front */
	opt.fiscal_year = 2027;
	assert_int_equal(checklist_xlsx_read("PK\3\4 not really", 16, &opt, &r, &err),
			 MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "x.xlsx: zip が途中で切れているか壊れています");

	/* no sheet with items */
	wb_open(&w, "表紙");
	put(&w, 1, 'A', "医療機関確認用チェックリスト");
	put(&w, 2, 'A', "説明だけのシート");
	workbook_add_worksheet(w.wb, "二枚目");
	data = wb_close(&w, &len);
	assert_int_equal(checklist_xlsx_read(data, len, &opt, &r, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "x.xlsx: 項目 (①… や (1)… で始まる行) のあるシートが見つかりません");
	free(data);

	/* the only sheet has items but no section: nothing can be placed */
	wb_open(&w, "Sheet1");
	put(&w, 1, 'A', "①");
	put(&w, 1, 'B', "医療情報システム安全管理責任者を設置している。");
	data = wb_close(&w, &len);
	opt.form = CHECKLIST_FORM_IRYO;
	assert_int_equal(checklist_xlsx_read(data, len, &opt, &r, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "シート「Sheet1」に置ける項目がありません (置けなかった行 1 行。最初: Sheet1!A1: 「① 医療情報システム安全管理責任者を設置している。」: 章の見出しより前にある項目です)");
	free(data);

	/* the form cannot be told */
	wb_open(&w, "Sheet1");
	put(&w, 1, 'A', "1 体制構築");
	put(&w, 2, 'A', "①");
	put(&w, 2, 'B', "医療情報システム安全管理責任者を設置している。");
	data = wb_close(&w, &len);
	opt.form = -1;
	assert_int_equal(checklist_xlsx_read(data, len, &opt, &r, &err), MAMORI_EINVAL);
	testutil_assert_contains(err.msg, "様式");
	opt.form = CHECKLIST_FORM_YAKKYOKU;
	ASSERT_RC(0, checklist_xlsx_read(data, len, &opt, &r, &err), err);
	assert_true(r.edition.items_complete);
	assert_string_equal(r.edition.title, "Sheet1"); /* no title row: the sheet's name */
	checklist_xlsx_release(&r);
	free(data);
}

/* SHA-256 and the table of known official files. */
static void test_recognise(void **state)
{
	static const struct {
		const char *sha, *file, *edition;
		int year;
		enum checklist_form form;
		size_t bytes;
	} want[] = {
		{ "b811208b1d29fe0f3310adf810aa3b072e6272eb3669de768b79949b6872c987",
		  "001716187.xlsx", "r8", 2026, CHECKLIST_FORM_IRYO_YAKKYOKU, 25655 },
		{ "E1A2A763C97C5434D53B745C5FC1643A22A9497EA48354182AB6A93DF1E881A0",
		  "001716188.xlsx", "r8", 2026, CHECKLIST_FORM_JIGYOSHA, 25018 },
	};
	char hex[CHECKLIST_XLSX_SHA256_LEN];
	const struct checklist_xlsx_known *k, *table;
	size_t i, n;

	for (i = 0; i < ARRAY_SIZE(want); i++) {
		k = checklist_xlsx_recognise(want[i].sha);
		assert_non_null(k);
		assert_string_equal(k->file, want[i].file);
		assert_string_equal(k->edition, want[i].edition);
		assert_int_equal(k->fiscal_year, want[i].year);
		assert_int_equal(k->form, want[i].form);
		assert_int_equal(k->bytes, want[i].bytes);
	}
	table = checklist_xlsx_known_files(&n);
	assert_int_equal(n, 2);
	assert_string_equal(table[0].what, "チェックリスト（医療機関・薬局確認用）");
	assert_string_equal(table[1].what, "チェックリスト（事業者確認用）");
	assert_null(checklist_xlsx_recognise(
		"b811208b1d29fe0f3310adf810aa3b072e6272eb3669de768b79949b6872c988"));
	assert_null(checklist_xlsx_recognise("b811208b"));
	assert_null(checklist_xlsx_recognise(""));
	assert_null(checklist_xlsx_recognise(NULL));

	checklist_xlsx_sha256("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	checklist_xlsx_sha256("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_official_shape),
		cmocka_unit_test(test_json_loads),
		cmocka_unit_test(test_preview),
		cmocka_unit_test(test_device_groups),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_recognise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
