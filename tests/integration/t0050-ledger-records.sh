#!/bin/bash
# Systems (機器管理票), vendors, contracts and locations from the command line,
# each change journaled.
. "$(dirname "$0")/lib.sh"

run 0 mamori init --name "記録病院"
run 0 mamori vendor add 事業者名="テスト医療システム株式会社" 緊急連絡先=0120-000-000 担当者="保守 太郎"
run 2 mamori vendor add 事業者名="テスト医療システム株式会社"
has "$T/err" "既に登録されています"
run 0 mamori system add システム名=電子カルテ 機密性=a 完全性=A 可用性=B 事業者="テスト医療システム株式会社" \
	利用目的="診療記録" インターネット接続=なし バックアップ="日次 LTO (オフライン)"
run 2 mamori system add システム名=X 機密性=D
has "$T/err" "機密性"
run 2 mamori system add システム名=Y 事業者=存在しない会社
has "$T/err" "登録されていません"
run 2 mamori system add 好きな色=青
has "$T/err" "好きな色"

run 0 mamori contract add 事業者="テスト医療システム株式会社" システム=電子カルテ 契約名="電子カルテ保守" \
	リモート保守=〇 提供形態=オンプレミス 国内法の適用=はい 責任分界="VPN 装置まで事業者" 開始日=R7.4.1
run 0 mamori contract show 電子カルテ保守 --format json
has "$T/out" '"remote_maintenance": 1'
has "$T/out" '"hosting": "onprem"'
has "$T/out" '"start_date": "2025-04-01"'
run 0 mamori contract list
has "$T/out" "オンプレミス"
has "$T/out" "テスト医療システム"
run 0 mamori contract list --format csv
has "$T/out" "番号,事業者,システム,契約名"
run 2 mamori contract add 契約名=期限なし
has "$T/err" "vendor_id"

run 0 mamori system edit 電子カルテ 可用性=A
run 0 mamori system show 電子カルテ
has "$T/out" "可用性"
has "$T/out" "インターネット接続  ×"
run 0 mamori journal show --entity system --format json
has "$T/out" '"action": "system.add"'
has "$T/out" '"action": "system.edit"'
has "$T/out" '"availability": "B"'
has "$T/out" '"availability": "A"'

run 0 mamori location add 名称="地下1階 サーバ室"
run 0 mamori asset add 媒体名=SV-1 設置場所="地下1階 サーバ室" システム名=電子カルテ
run 0 mamori location list --format json
same "$(grep -c '"id"' "$T/out")" "1" "a device's existing location is reused"
run 0 mamori vendor fields
has "$T/out" "emergency_phone"
run 2 mamori vendor frob
run 0 mamori journal verify
done_testing
