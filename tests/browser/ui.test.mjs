// ui.test.mjs - mamori's web UI in headless Chromium, against a real
// "mamori serve" on the demo hospital (run.sh starts it).
//
// The tests run in order and share one browser: (a) the first sign-in of
// the administrator (one-time password → password change → TOTP enrolment
// with oathtool → dashboard), (b) the ledger (search, sort, paging), (c) CSV
// import (dry-run preview, a bad file's problems, commit), (d) editing a
// device and finding the change in the journal, which verifies intact,
// (e) users: a staff member and an auditor see only what their role may use,
// (f) sign-in with a code, lock-out, a disabled account, (g) the checklist: a
// security officer starts the year's sheet, answers round 1 with the
// evidence beside each item, records an official wording, downloads the
// Excel and the inspection pack, requests a vendor checklist, adds a
// document; the vendor answers and submits in a second browser, the officer
// returns it, the vendor resubmits, the officer accepts.
// Screenshots of every main screen go to tests/artifacts/browser/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, shot, totp, totpSecondsLeft, go, signIn, writeFile, waitFor, changeOneTimePassword, ADMIN_PASSWORD, TMP } from './lib.mjs';

const ADMIN_NEW = 'Mamori-Browser-2025!';
let enrolStep = 0; // the TOTP time step used to enrol (a later sign-in needs a later one)
let browser;
let page;

const text = async (sel) => ((await page.locator(sel).first().textContent()) || '').trim();
const visible = (sel) => page.locator(sel).first().isVisible();
const count = (sel) => page.locator(sel).count();
const total = async () => Number(await page.locator('#ledger-total').getAttribute('data-total'));
const rowTags = () => page.locator('#ledger-table tbody tr[data-id] .tag-link').allTextContents();
const navLabels = () => page.locator('nav.tabs a').allTextContents();

// Waits until the ledger shows a result for the current filters (total changes
// or rows are redrawn) after action().
async function ledgerAfter(action) {
  const before = await page.locator('#ledger-summary').textContent();
  const firstBefore = (await rowTags())[0];
  await action();
  await waitFor(async () => {
    const s = await page.locator('#ledger-summary').textContent();
    const f = (await rowTags())[0];
    const loading = await page.locator('.table-wrap.is-loading').count();
    return !loading && (s !== before || f !== firstBefore);
  }, 'the ledger to reload');
}

async function signOut() {
  await page.locator('#sign-out').click();
  await page.locator('#signin-name').waitFor();
}

// First sign-in of a user with a one-time password; ends on the dashboard.
async function firstSignIn(name, oneTime, newPassword) {
  await changeOneTimePassword(page, name, oneTime, newPassword);
  await page.locator('#dash-facility').waitFor();
}

before(async () => {
  browser = await launch();
  page = browser.page;
});

after(async () => {
  if (browser) await browser.context.close();
});

let secret;

test('(a) first sign-in: one-time password, password change, TOTP enrolment, dashboard', async (t) => {
  assert.ok(ADMIN_PASSWORD, 'run.sh passes the one-time admin password');
  await go(page, '');
  await page.locator('#signin-name').waitFor();
  await shot(page, '01-signin');

  await t.test('a wrong password is refused with a message', async () => {
    await signIn(page, 'admin', 'wrong-password-1');
    const msg = await waitFor(async () => text('#signin-msg'), 'the sign-in message');
    assert.match(msg, /正しくありません/);
    await shot(page, '01b-signin-bad');
  });

  await t.test('the one-time password leads to the forced password change', async () => {
    await signIn(page, 'admin', ADMIN_PASSWORD);
    await page.locator('#pw-new').waitFor();
    assert.match(await text('h1'), /パスワードの変更/);
    assert.match(await text('.policy'), /13文字以上/);
    assert.match(await text('.policy'), /直近5回/);
    await shot(page, '02-password-change');
  });

  await t.test('a password against the policy gets the server message at the field', async () => {
    await page.locator('#pw-current').fill(ADMIN_PASSWORD);
    await page.locator('#pw-new').fill('short1');
    await page.locator('#pw-confirm').fill('short1');
    await page.locator('#pw-submit').click();
    const err = await waitFor(async () => text('#pw-new-err'), 'the error beside the new password');
    assert.ok(err.length > 3, err);
    await shot(page, '02b-password-policy');
  });

  await t.test('a mismatched confirmation is caught before sending', async () => {
    await page.locator('#pw-new').fill(ADMIN_NEW);
    await page.locator('#pw-confirm').fill(`${ADMIN_NEW}x`);
    await page.locator('#pw-submit').click();
    assert.match(await waitFor(async () => text('#pw-confirm-err'), 'mismatch error'), /一致しません/);
  });

  await t.test('a good password leads to TOTP enrolment with the QR code and the secret', async () => {
    await page.locator('#pw-confirm').fill(ADMIN_NEW);
    await page.locator('#pw-submit').click();
    await page.locator('#totp-secret').waitFor();
    const shown = await text('#totp-secret');
    assert.match(shown, /^([A-Z2-7]{4} )*[A-Z2-7]{1,4}$/, `secret grouped in 4s: ${shown}`);
    secret = shown.replace(/\s+/g, '');
    assert.equal(secret.length, 32);
    assert.equal(await count('#totp-qr svg path'), 1, 'the QR code is drawn');
    assert.match(await text('.secret-note'), /oathtool --totp -b SECRET/);
    await shot(page, '03-totp-enrolment');
  });

  await t.test('switching the language keeps the secret being enrolled', async () => {
    await page.locator('.lang-btn[lang="en"]').click();
    await waitFor(async () => (await text('h1')) === 'Set up two-factor sign-in', 'English title');
    assert.equal((await text('#totp-secret')).replace(/\s+/g, ''), secret);
    await shot(page, '03b-totp-english');
    await page.locator('.lang-btn[lang="ja"]').click();
    await waitFor(async () => (await text('h1')) === '二要素認証の登録', 'Japanese title');
    assert.equal((await text('#totp-secret')).replace(/\s+/g, ''), secret);
  });

  await t.test('a wrong code is refused at the field', async () => {
    const good = totp(secret);
    const wrong = String((Number(good) + 500000) % 1000000).padStart(6, '0');
    await page.locator('#totp-code').fill(wrong);
    await page.locator('#totp-submit').click();
    const err = await waitFor(async () => text('#totp-code-err'), 'the code error');
    assert.ok(err.length > 0);
  });

  await t.test('the oathtool code confirms; the dashboard shows the hospital and its warnings', async () => {
    if (totpSecondsLeft() < 4) await new Promise((r) => setTimeout(r, 4500));
    enrolStep = Math.floor(Date.now() / 30000);
    await page.locator('#totp-code').fill(totp(secret));
    await page.locator('#totp-submit').click();
    await page.locator('#dash-facility').waitFor();
    assert.equal(await text('#dash-facility'), 'みまもり総合病院');
    assert.equal(await text('#facility-name'), 'みまもり総合病院');
    const warnings = await page.locator('#warnings .warning').count();
    assert.ok(warnings >= 1, 'the demo hospital has warnings');
    const first = page.locator('#warnings .warning').first();
    assert.match((await first.locator('.warn-count').textContent()).trim(), /^\d[\d,]*$/);
    assert.match(await first.locator('a').getAttribute('href'), /^#\/assets\?warning=/);
    assert.ok((await page.locator('.bars').count()) === 2, 'bar charts by kind and department');
    assert.deepEqual(await navLabels(), ['ダッシュボード', '機器台帳', 'アカウント台帳', 'チェックリスト', 'インシデント・BCP', 'アクセスログ', 'ログ警告', '根拠文書', 'CSV取り込み', '変更履歴', 'ユーザー管理', 'アカウント']);
    await shot(page, '04-dashboard');
    await shot(page, '04b-dashboard-full', { fullPage: true });
  });

  await t.test('a warning link lists its devices', async () => {
    const first = page.locator('#warnings .warning').first();
    const n = Number((await first.locator('.warn-count').textContent()).replace(/,/g, ''));
    await first.locator('a').click();
    await page.locator('#ledger-table').waitFor();
    const rows = await count('#ledger-table tbody tr[data-id]');
    assert.equal(rows, Math.min(n, 50));
    await shot(page, '04c-warning-devices');
  });
});

test('(b) ledger: paging, sorting, search and filters on the server', async (t) => {
  await go(page, '#/assets');
  await page.locator('#ledger-total').waitFor();
  const all = await total();

  await t.test('the first page has 50 rows and the total', async () => {
    assert.equal(all, 300, 'the demo hospital has 300 devices');
    assert.equal(await count('#ledger-table tbody tr[data-id]'), 50);
    assert.match(await text('#ledger-summary'), /300.*1〜50/);
    for (const h of ['媒体名 / ホスト名', '種別', '機器名', 'OS', 'IPアドレス', 'MACアドレス', '部署', '申請者', '状態']) {
      assert.ok((await page.locator('#ledger-table thead').textContent()).includes(h), `column ${h}`);
    }
    // the demo's Windows 10 PCs are past their end of support, and marked so
    assert.ok(await count('#ledger-table tbody .badge.eos-ended') > 0, 'end-of-support marks');
    assert.equal(await text('#ledger-table tbody .badge.eos-ended'), '終了');
    assert.ok(await page.locator('#ledger-table tbody .badge.eos-ended').first().isVisible(), 'the mark is visible');
    await shot(page, '05-ledger');
  });

  await t.test('next page shows rows 51-100', async () => {
    const p1 = await rowTags();
    await ledgerAfter(() => page.locator('.summary-row .pager-next').click());
    assert.match(await text('#ledger-summary'), /51〜100/);
    const p2 = await rowTags();
    assert.equal(p2.length, 50);
    assert.ok(!p2.some((x) => p1.includes(x)), 'page 2 has other devices');
    assert.match(page.url(), /offset=50/);
  });

  await t.test('the last page has the remainder', async () => {
    const input = page.locator('.summary-row .page-input');
    await ledgerAfter(async () => { await input.fill('6'); await input.press('Enter'); });
    assert.match(await text('#ledger-summary'), /251〜300/);
    assert.equal(await count('#ledger-table tbody tr[data-id]'), 50);
    assert.ok(await page.locator('.summary-row .pager-next').isDisabled());
  });

  await t.test('clicking a header sorts; clicking again reverses', async () => {
    await ledgerAfter(() => page.locator('#ledger-table th button[data-sort="asset_tag"]').click());
    assert.match(await text('#ledger-summary'), /1〜50/, 'sorting goes back to page 1');
    const asc = await rowTags();
    assert.deepEqual(asc, [...asc].sort(), 'ascending by tag');
    assert.equal(await page.locator('#ledger-table th[aria-sort]').getAttribute('aria-sort'), 'ascending');
    await ledgerAfter(() => page.locator('#ledger-table th button[data-sort="asset_tag"]').click());
    const desc = await rowTags();
    assert.deepEqual(desc, [...desc].sort().reverse(), 'descending by tag');
    assert.ok(desc[0] > asc[0]);
    assert.match(page.url(), /sort=asset_tag/);
    assert.match(page.url(), /order=desc/);
  });

  await t.test('search (debounced) narrows on the server', async () => {
    await ledgerAfter(() => page.locator('#ledger-search').pressSequentially('MH-SV', { delay: 30 }));
    const n = await total();
    assert.ok(n > 0 && n < all, `search found ${n}`);
    assert.equal(await count('#ledger-table tbody tr[data-id]'), Math.min(n, 50));
    for (const tag of await rowTags()) assert.match(tag, /MH-SV/);
    assert.match(page.url(), /q=MH-SV/);
    await shot(page, '05b-ledger-search');
  });

  await t.test('filters combine with the search; export links carry them', async () => {
    await ledgerAfter(() => page.locator('#filter-kind').selectOption('server'));
    const n = await total();
    assert.ok(n > 0);
    const kinds = await page.locator('#ledger-table tbody td.col-kind').allTextContents();
    assert.ok(kinds.every((k) => k === 'サーバ'), kinds.join(','));
    const href = await page.locator('#export-csv-sjis').getAttribute('href');
    assert.match(href, /format=csv/);
    assert.match(href, /encoding=cp932/);
    assert.match(href, /kind=server/);
    assert.match(href, /q=MH-SV/);
    const xlsx = await page.locator('#export-xlsx').getAttribute('href');
    const res = await page.request.get(new URL(xlsx, page.url()).toString());
    assert.equal(res.status(), 200);
    assert.match(res.headers()['content-disposition'] || '', /attachment/);
    await page.locator('#export-menu summary').click();
    await shot(page, '05c-ledger-export-menu');
    await page.locator('#export-menu summary').click();
  });

  await t.test('status filter and clear', async () => {
    await ledgerAfter(() => page.locator('#filter-clear').click());
    assert.equal(await total(), all);
    await ledgerAfter(() => page.locator('#filter-department').selectOption('内科'));
    const depts = await page.locator('#ledger-table tbody td.col-dept').allTextContents();
    assert.ok(depts.length > 0 && depts.every((d) => d === '内科'));
    await ledgerAfter(() => page.locator('#filter-clear').click());
  });

  await t.test('#/assets?ids= lists the given devices', async () => {
    await go(page, '#/assets?ids=52,53,999999');
    await page.locator('#ledger-table').waitFor();
    assert.deepEqual(await rowTags(), ['MH-PC-0002', 'MH-PC-0003']);
    assert.match(await text('#ledger-summary'), /2 台.*1 台は見つからない/);
    await go(page, '#/assets');
    await page.locator('#ledger-total').waitFor();
  });

  await t.test('print view hides the navigation and the buttons', async () => {
    await page.emulateMedia({ media: 'print' });
    assert.equal(await visible('.app-header'), false);
    assert.equal(await visible('#add-device'), false);
    assert.equal(await visible('.print-head'), true);
    await shot(page, '05d-ledger-print', { fullPage: false });
    await page.emulateMedia({ media: 'screen' });
  });
});

test('(c) CSV import: dry-run preview, problems of a bad file, commit', async (t) => {
  const good = writeFile('機器追加.csv', [
    '媒体名,ホスト名,種別,機器名,OS,IPアドレス,MACアドレス,部署,申請者,設置場所',
    'MH-PC-9001,PC999-01,端末PC,ESPRIMO D7012/M,Windows 11 Pro,172.30.199.11,a0:29:42:99:00:01,医事課,医事課 試験 太郎,1階 試験室',
    'MH-PC-9002,PC999-02,端末PC,ESPRIMO D7012/M,Windows 11 Pro,172.30.199.12,a0:29:42:99:00:02,医事課,医事課 試験 花子,1階 試験室',
    'MH-PC-0001,PC101-01,端末PC,ESPRIMO D7012/M,Windows 10 Pro,172.30.101.11,a0:29:42:32:1c:6c,内科,内科 更新 確認,1階 内科外来',
    '',
  ].join('\r\n'));
  const bad = writeFile('bad.csv', [
    '媒体名,ホスト名,IPアドレス,MACアドレス',
    'MH-PC-9101,PC-BAD-1,172.30.1.300,a0:29:42:99:01:01',
    'MH-PC-9102,PC-BAD-2,172.30.1.12,zz:zz',
    '',
  ].join('\n'));

  await go(page, '#/import');
  await page.locator('#import-file').waitFor();
  await shot(page, '06-import');

  await t.test('a bad file shows every FILE:LINE problem and no import button', async () => {
    await page.locator('#import-file').setInputFiles(bad);
    await page.locator('#import-problems').waitFor();
    const problems = await page.locator('#import-problems .problem').allTextContents();
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0], /^bad\.csv:2: IPアドレス: /);
    assert.match(problems[1], /^bad\.csv:3: MACアドレス: /);
    assert.equal(await count('#import-commit'), 0);
    await shot(page, '07-import-problems');
  });

  await t.test('a good file is previewed with its counts, adds and updates (before → after)', async () => {
    await page.locator('#import-file').setInputFiles(good);
    await page.locator('#import-preview').waitFor();
    assert.equal(await text('#count-added .stat-value'), '2');
    assert.equal(await text('#count-updated .stat-value'), '1');
    assert.equal(await count('#import-changes tr[data-action="add"]'), 2);
    const upd = await text('#import-changes tr[data-action="update"]');
    assert.match(upd, /申請者: 内科 .+ → 内科 更新 確認/);
    assert.match(await text('#import-preview .created'), /設置場所「1階 試験室」/);
    assert.ok(await visible('#import-commit'));
    await shot(page, '08-import-preview');
  });

  await t.test('nothing was stored by the preview', async () => {
    const res = await page.evaluate(async () => (await fetch('/api/v1/assets?q=MH-PC-900')).json());
    assert.equal(res.total, 0);
  });

  await t.test('取り込む stores it and shows the result', async () => {
    await page.locator('#import-commit').click();
    await page.locator('#import-done').waitFor();
    assert.match(await text('#import-done'), /追加 2 件、更新 1 件/);
    await shot(page, '09-import-done');
    await page.locator('#import-to-ledger').click();
    await page.locator('#ledger-total').waitFor();
    assert.equal(await total(), 302);
  });
});

test('(d) edit a device, see the change in its history and the journal, verify intact', async (t) => {
  await go(page, '#/assets?q=MH-PC-0002');
  await page.locator('#ledger-table tbody tr[data-id]').first().waitFor();
  await waitFor(async () => (await total()) === 1, 'one search result');
  await page.locator('#ledger-table tbody tr[data-id] td.col-model').first().click();
  await page.locator('#edit-device').waitFor();
  const oldIp = await text('dd[data-field="ip"]');
  const id = page.url().match(/#\/assets\/(\d+)/)[1];
  // the OS's end of support is shown with the device
  assert.match(await text('#device-eos'), /OS のサポート: (サポート中|12か月以内に終了|サポート終了) \(Microsoft Windows 11 /);
  await shot(page, '10-device-detail');
  await shot(page, '10b-device-detail-full', { fullPage: true });

  await t.test('the device prints without navigation and buttons', async () => {
    await page.emulateMedia({ media: 'print' });
    assert.equal(await visible('.app-header'), false);
    assert.equal(await visible('#edit-device'), false);
    assert.match(await text('.print-head'), /みまもり総合病院.*MH-PC-0002/s);
    await shot(page, '10c-device-print', { fullPage: true });
    await page.emulateMedia({ media: 'screen' });
  });

  await t.test('an invalid IP gets the server message beside the IP field', async () => {
    await page.locator('#edit-device').click();
    await page.locator('#in-ip').waitFor();
    await page.locator('#in-ip').fill('172.30.101.300');
    await page.locator('#save-device').click();
    const err = await waitFor(async () => text('#in-ip-err'), 'the IP error');
    assert.ok(err.length > 0);
    assert.match(await text('#form-msg'), /IPアドレス/);
    await shot(page, '11-device-edit-error');
  });

  await t.test('a valid IP is saved (only that field) and shown', async () => {
    await page.locator('#in-ip').fill('172.30.101.222');
    const req = page.waitForRequest((r) => r.method() === 'PATCH');
    await page.locator('#save-device').click();
    const body = JSON.parse((await req).postData());
    assert.deepEqual(body, { ip: '172.30.101.222' });
    await page.locator('#edit-device').waitFor();
    assert.equal(await text('dd[data-field="ip"]'), '172.30.101.222');
    assert.match(await text('.msg-ok'), /保存しました/);
  });

  await t.test("the device's history shows IPアドレス before → after", async () => {
    const row = page.locator('.history tbody tr[data-action="asset.edit"]').first();
    assert.match(await row.textContent(), new RegExp(`IPアドレス: ${oldIp.replace(/\./g, '\\.')} → 172\\.30\\.101\\.222`));
    await shot(page, '12-device-history', { fullPage: true });
  });

  await t.test('retire and dispose dialogs record the lifecycle', async () => {
    await page.locator('#retire-device').click();
    await page.locator('#retire-reason').fill('更新のため');
    await page.locator('dialog .btn-primary').click();
    await waitFor(async () => (await text('.device-sub')).includes('使用終了'), 'retired');
    await page.locator('#dispose-device').click();
    await page.locator('#dispose-method').waitFor();
    await shot(page, '13-dispose-dialog');
    await page.locator('dialog .btn-danger').click();
    assert.match(await text('#dispose-method-err'), /入力してください/);
    await page.locator('#dispose-method').fill('物理破壊');
    await page.locator('#dispose-by').fill('株式会社テスト 山田');
    await page.locator('#dispose-certificate').fill('ER-2025-0001');
    await page.locator('dialog .btn-danger').click();
    await waitFor(async () => (await text('.device-sub')).includes('廃棄済'), 'disposed');
    assert.equal(await text('dd[data-field="disposal_certificate"]'), 'ER-2025-0001');
    assert.equal(await count('#edit-device'), 0, 'a disposed device cannot be edited');
  });

  await t.test('the journal lists the asset.edit entry with before → after', async () => {
    await go(page, `#/journal?entity_type=device&entity_id=${id}`);
    await page.locator('.history').waitFor();
    const row = page.locator('.history tbody tr[data-action="asset.edit"]').first();
    const rowText = await row.textContent();
    assert.match(rowText, /機器を編集/);
    assert.match(rowText, new RegExp(`IPアドレス: ${oldIp.replace(/\./g, '\\.')} → 172\\.30\\.101\\.222`));
    assert.match(rowText, /web:admin/);
    assert.match(await text('#head-hash'), /^([0-9a-f]{8} ){7}[0-9a-f]{8}$/);
    await shot(page, '14-journal');
  });

  await t.test('検証 answers 改ざんなし with the entries and the head hash', async () => {
    await page.locator('#journal-verify').click();
    await page.locator('#verify-ok').waitFor();
    const v = await text('#verify-ok');
    assert.match(v, /改ざんなし/);
    assert.match(v, /件の記録を確認しました/);
    const head = (await text('#head-hash')).replace(/\s/g, '');
    assert.ok(v.replace(/\s/g, '').includes(head) || head.length === 64);
    await shot(page, '15-journal-verified');
  });
});

test('(e) users: a staff member and an auditor see only what their role may use', async (t) => {
  const created = {};
  await go(page, '#/users');
  await page.locator('#users-table').waitFor();
  await shot(page, '16-users');

  const addUser = async (name, display, role) => {
    await page.locator('#new-user-name').fill(name);
    await page.locator('#new-user-display').fill(display);
    await page.locator('#new-user-role').selectOption(role);
    await page.locator('#new-user-submit').click();
    await page.locator('#one-time-password').waitFor();
    const pw = await text('#one-time-password');
    return pw;
  };

  await t.test('admin adds a staff user and sees the one-time password once', async () => {
    created.staff = await addUser('tanaka', '看護部 田中', 'staff');
    assert.ok(created.staff.length >= 12);
    assert.match(await text('dialog'), /今回だけ表示されます/);
    await shot(page, '17-user-created');
    await page.locator('dialog .btn-primary').click();
    await waitFor(async () => (await count('dialog')) === 0, 'the dialog to close');
    assert.ok((await text('#users-table')).includes('tanaka'));
  });

  await t.test('a vendor account needs its vendor', async () => {
    await page.locator('#new-user-role').selectOption('vendor');
    assert.ok(await visible('#new-user-vendor'));
    const options = await page.locator('#new-user-vendor option').count();
    assert.ok(options >= 2, 'vendors are offered');
    await page.locator('#new-user-name').fill('vendor1');
    await page.locator('#new-user-submit').click();
    assert.match(await waitFor(async () => text('#new-user-vendor-err'), 'vendor error'), /事業者/);
    await page.locator('#new-user-role').selectOption('staff');
  });

  await t.test('admin adds an auditor', async () => {
    created.auditor = await addUser('kansa', '監査 佐藤', 'auditor');
    await page.locator('dialog .btn-primary').click();
    await waitFor(async () => (await count('dialog')) === 0, 'the dialog to close');
    const row = page.locator('#users-table tr[data-user="kansa"]');
    assert.match(await row.textContent(), /監査/);
    await shot(page, '18-users-list');
  });

  await t.test('admin adds a vendor account for one vendor', async () => {
    await page.locator('#new-user-role').selectOption('vendor');
    const vendor = await page.locator('#new-user-vendor option').nth(1).getAttribute('value');
    created.vendorName = vendor;
    await page.locator('#new-user-vendor').selectOption(vendor);
    created.vendor = await addUser('vendor-a', `${vendor} 保守担当`, 'vendor');
    await page.locator('dialog .btn-primary').click();
    await waitFor(async () => (await count('dialog')) === 0, 'the dialog to close');
    assert.match(await page.locator('#users-table tr[data-user="vendor-a"]').textContent(), new RegExp(vendor));
  });

  await t.test('the staff user changes the one-time password and has no user management', async () => {
    await signOut();
    assert.match(await text('.auth-card .msg'), /サインアウトしました/);
    await firstSignIn('tanaka', created.staff, 'Kango-4F-East-2025!');
    assert.deepEqual(await navLabels(), ['ダッシュボード', '機器台帳', 'アカウント台帳', 'チェックリスト', 'インシデント・BCP', 'アクセスログ', 'ログ警告', '根拠文書', 'CSV取り込み', 'アカウント']);
    assert.match(await text('#current-user'), /看護部 田中.*職員/);
    await go(page, '#/users');
    await waitFor(async () => (await text('#main')).includes('権限がありません'), 'the refusal');
    await go(page, '#/assets');
    await page.locator('#ledger-total').waitFor();
    assert.ok(await visible('#add-device'), 'staff may add devices');
    await shot(page, '19-staff-ledger');
    await page.locator('#add-device').click();
    await page.locator('#in-asset_tag').waitFor();
    await shot(page, '19b-staff-new-device');
    await page.locator('#save-device').click();
    assert.match(await waitFor(async () => text('#in-asset_tag-err'), 'the key error'), /どれか1つ/);
    await page.locator('#in-asset_tag').fill('MH-PC-9500');
    await page.locator('#in-kind').selectOption('pc');
    await page.locator('#in-department').fill('看護部 5階病棟');
    await page.locator('#in-antivirus').selectOption('true');
    await page.locator('#save-device').click();
    await page.locator('#edit-device').waitFor();
    assert.equal(await text('dd[data-field="asset_tag"]'), 'MH-PC-9500');
    assert.equal(await text('dd[data-field="antivirus"]'), 'はい');
    assert.match(await text('.history'), /web:tanaka/);
    await go(page, '#/account');
    await page.locator('#pw-current').waitFor();
    await shot(page, '19c-staff-account');
    await page.locator('#totp-enrol').click();
    await page.locator('#totp-secret').waitFor();
    await shot(page, '19e-staff-voluntary-totp');
    await page.locator('.totp-slot .btn-plain').click();
    await page.locator('#totp-enrol').waitFor();
  });

  await t.test('the vendor account sees the dashboard and only its own devices', async () => {
    await signOut();
    await firstSignIn('vendor-a', created.vendor, 'Hoshu-Tantou-2025!');
    assert.deepEqual(await navLabels(), ['ダッシュボード', '機器台帳', 'チェックリスト', 'アカウント']);
    await go(page, '#/assets');
    await page.locator('#ledger-total').waitFor();
    const n = await total();
    assert.ok(n < 303, `vendor sees ${n} devices`);
    assert.equal(await count('#add-device'), 0);
    await shot(page, '19d-vendor-ledger');
  });

  await t.test('the auditor sees the journal but no write buttons', async () => {
    await signOut();
    await firstSignIn('kansa', created.auditor, 'Audit-Room-2025!x');
    assert.deepEqual(await navLabels(), ['ダッシュボード', '機器台帳', 'アカウント台帳', 'チェックリスト', 'インシデント・BCP', 'アクセスログ', 'ログ警告', '根拠文書', '変更履歴', 'アカウント']);
    await go(page, '#/assets');
    await page.locator('#ledger-total').waitFor();
    assert.equal(await count('#add-device'), 0);
    assert.equal(await count('#import-link'), 0);
    assert.ok(await visible('#export-menu'), 'auditors may export');
    await shot(page, '20-auditor-ledger');
    await page.locator('#ledger-table tbody tr[data-id] .tag-link').first().click();
    await page.locator('.field-groups').waitFor();
    assert.equal(await count('#edit-device'), 0);
    assert.equal(await count('#retire-device'), 0);
    assert.equal(await count('#dispose-device'), 0);
    await go(page, '#/dashboard');
    await page.locator('#dash-facility').waitFor();
    assert.equal(await count('.page-actions a[href="#/import"]'), 0);
    await go(page, '#/journal');
    await page.locator('#journal-verify').waitFor();
    await shot(page, '21-auditor-journal');
  });

  await t.test('English switch relabels the screen; Japanese comes back', async () => {
    await go(page, '#/assets');
    await page.locator('#ledger-total').waitFor();
    await page.locator('.lang-btn[lang="en"]').click();
    await waitFor(async () => (await navLabels()).includes('Device ledger'), 'English navigation');
    assert.match(await text('#ledger-table thead'), /IP address/);
    assert.match(await text('#sign-out'), /Sign out/);
    await shot(page, '22-english-ledger');
    await go(page, '#/dashboard');
    await page.locator('#dash-facility').waitFor();
    await shot(page, '22b-english-dashboard');
    await go(page, '#/journal');
    await page.locator('#journal-verify').waitFor();
    await page.locator('.history').waitFor();
    await shot(page, '22c-english-journal');
    await go(page, '#/assets?q=MH-PC-0002');
    await page.locator('#ledger-table tbody tr[data-id] .tag-link').first().click();
    await page.locator('.field-groups').waitFor();
    assert.match(await text('.field-groups'), /Disposal certificate/);
    await shot(page, '22d-english-device', { fullPage: true });
    await page.locator('.lang-btn[lang="ja"]').click();
    await waitFor(async () => (await navLabels()).includes('機器台帳'), 'Japanese navigation');
  });

  await t.test('a lost session goes back to sign-in with a message', async () => {
    await browser.context.clearCookies();
    await page.locator('nav.tabs a[href="#/assets"]').click();
    await page.locator('#signin-name').waitFor();
    assert.match(await text('.auth-card .msg'), /有効期限|サインインしてください/);
    await shot(page, '23-session-expired');
  });

});

test('(f) sign-in with a code, lock-out, disabled account', async (t) => {
  await go(page, '');
  await page.locator('#signin-name').waitFor();

  await t.test('repeated wrong passwords lock the account with the wait shown', async () => {
    let status = 0;
    for (let i = 0; i < 8 && status !== 429; i++) {
      const answer = page.waitForResponse((r) => r.url().endsWith('/api/v1/login'));
      await signIn(page, 'tanaka', `wrong-${i}-password`);
      status = (await answer).status();
    }
    assert.equal(status, 429);
    const msg = await waitFor(async () => { const m = await text('#signin-msg'); return /ロック/.test(m) && m; }, 'the lock-out message');
    assert.match(msg, /ロック/);
    assert.match(msg, /あと\s*\d+(分\d+)?秒/);
    assert.ok(await page.locator('#signin-submit').isDisabled(), 'sign-in waits for the lock to end');
    await shot(page, '24-signin-locked');
  });

  await t.test('the administrator signs in with password and a new TOTP code', async () => {
    await page.reload();
    await page.locator('#signin-name').waitFor();
    while (Math.floor(Date.now() / 30000) <= enrolStep) await new Promise((r) => setTimeout(r, 500));
    if (totpSecondsLeft() < 4) await new Promise((r) => setTimeout(r, 4500));
    await signIn(page, 'admin', ADMIN_NEW);
    await page.locator('#signin-code').waitFor({ state: 'visible' });
    assert.match(await text('#signin-msg'), /6桁のコード/);
    await shot(page, '25-signin-code');
    enrolStep = Math.floor(Date.now() / 30000);
    await page.locator('#signin-code').fill(totp(secret));
    await page.locator('#signin-submit').click();
    await page.locator('#dash-facility').waitFor();
  });

  await t.test('the user edit dialog changes a display name; English users and import screens', async () => {
    await go(page, '#/users');
    await page.locator('#users-table tr[data-user="tanaka"] [data-act="edit"]').click();
    await page.locator('#edit-user-display').fill('看護部 4階東病棟 田中');
    await shot(page, '26a-user-edit-dialog');
    await page.locator('dialog .btn-primary').click();
    await waitFor(async () => /4階東病棟 田中/.test(await page.locator('#users-table tr[data-user="tanaka"]').textContent()), 'the new name');
    await page.locator('.lang-btn[lang="en"]').click();
    await waitFor(async () => (await text('h1')) === 'Users', 'English users');
    await shot(page, '26b-english-users');
    await go(page, '#/import');
    await page.locator('#import-choose').waitFor();
    await shot(page, '26c-english-import');
    await page.locator('.lang-btn[lang="ja"]').click();
    await waitFor(async () => (await text('h1')) === 'CSV取り込み', 'Japanese again');
  });

  await t.test('a disabled account cannot sign in', async () => {
    await go(page, '#/users');
    await page.locator('#users-table tr[data-user="kansa"] [data-act="disable"]').click();
    await page.locator('dialog .btn-danger').click();
    await waitFor(async () => /無効/.test(await page.locator('#users-table tr[data-user="kansa"]').textContent()), 'kansa disabled');
    await shot(page, '26-users-disabled');
    await signOut();
    await signIn(page, 'kansa', 'Audit-Room-2025!x');
    assert.match(await waitFor(async () => text('#signin-msg'), 'the message'), /無効/);
  });

  await t.test('no console errors or CSP violations', async () => {
    const errs = browser.problems.filter((p) => !/status of (401|403|404|409|422|429)/.test(p));
    assert.deepEqual(errs, []);
  });
});

test('(g) checklist: officer answers with evidence, official wording, exports, vendor checklist round trip, documents', async (t) => {
  let officerPw;
  let vendorId;
  let fyLabel;
  const item = (id) => `#cl-item-${id}`;
  const ids = async (loc) => loc.evaluateAll((els) => els.map((e) => e.dataset.item));

  await t.test('the administrator adds a security officer, who enrols and finds the checklist', async () => {
    await go(page, '');
    await page.locator('#signin-name').waitFor();
    while (Math.floor(Date.now() / 30000) <= enrolStep) await new Promise((r) => setTimeout(r, 500));
    if (totpSecondsLeft() < 4) await new Promise((r) => setTimeout(r, 4500));
    await signIn(page, 'admin', ADMIN_NEW);
    await page.locator('#signin-code').waitFor({ state: 'visible' });
    await page.locator('#signin-code').fill(totp(secret));
    await page.locator('#signin-submit').click();
    await page.locator('#dash-facility').waitFor();
    const users = await page.evaluate(async () => (await fetch('/api/v1/users')).json());
    vendorId = users.items.find((u) => u.name === 'vendor-a').vendor_id;
    assert.ok(vendorId > 0, 'vendor-a has its vendor');
    await go(page, '#/users');
    await page.locator('#new-user-name').fill('anzen');
    await page.locator('#new-user-display').fill('医療情報システム安全管理責任者 鈴木');
    await page.locator('#new-user-role').selectOption('officer');
    await page.locator('#new-user-submit').click();
    await page.locator('#one-time-password').waitFor();
    officerPw = await text('#one-time-password');
    await page.locator('dialog .btn-primary').click();
    await signOut();
    await signIn(page, 'anzen', officerPw);
    await page.locator('#pw-new').waitFor();
    await page.locator('#pw-current').fill(officerPw);
    await page.locator('#pw-new').fill('Hoan-Sekinin-2026!');
    await page.locator('#pw-confirm').fill('Hoan-Sekinin-2026!');
    await page.locator('#pw-submit').click();
    await page.locator('#totp-secret').waitFor();
    const osecret = (await text('#totp-secret')).replace(/\s+/g, '');
    if (totpSecondsLeft() < 4) await new Promise((r) => setTimeout(r, 4500));
    await page.locator('#totp-code').fill(totp(osecret));
    await page.locator('#totp-submit').click();
    await page.locator('#dash-facility').waitFor();
    assert.deepEqual(await navLabels(), ['ダッシュボード', '機器台帳', 'アカウント台帳', 'チェックリスト', 'インシデント・BCP', 'アクセスログ', 'ログ警告', '根拠文書', 'CSV取り込み', '変更履歴', 'アカウント']);
    await page.locator('#dash-checklist').waitFor();
    await waitFor(async () => !(await page.locator('#dash-checklist .loading').count()), 'the checklist card');
    await shot(page, '30-dashboard-checklist-card', { fullPage: true });
    await page.locator('#dash-checklist-open').click();
    await page.locator('#cl-start').waitFor();
    const list = await page.evaluate(async () => (await fetch('/api/v1/checklists')).json());
    fyLabel = list.fiscal_year_label;
    assert.match(fyLabel, /^令和\d+年度$/);
    assert.equal(await text('#cl-start'), `${fyLabel}のチェックリストを開始`);
    assert.match(await text('#cl-edition-title'), /サイバーセキュリティ対策チェックリスト/);
    assert.match(await text('.cl-start'), /文言未確認/);
    await shot(page, '31-checklist-start');
  });

  await t.test('starting shows every item with its evidence, the 文言未確認 note and the progress', async () => {
    await page.locator('#cl-start').click();
    await page.locator('#cl-sections .cl-item').first().waitFor();
    assert.match(await text('#cl-sheet-title'), new RegExp(`${fyLabel} 医療機関確認用`));
    assert.match(await text('#cl-unconfirmed-note'), /文言未確認\s*\d+ 項目.*公式の文言を入力/);
    assert.match(await text('#cl-answered'), /^回答 0 \/ \d+$/);
    assert.ok(await count('.cl-item') >= 15, 'the items');
    assert.ok(await count('.cl-ev[data-outcome="contradicts"]') >= 1, 'contradicting evidence');
    assert.ok(await count('.cl-ev[data-outcome="supports"]') >= 1, 'supporting evidence');
    assert.ok(await count('.cl-ev[data-outcome="no_data"]') >= 1, 'no data');
    assert.equal(await text('.ev-badge-contradicts'), 'はいと矛盾');
    assert.equal(await text('.ev-badge-supports'), 'はいを裏付け');
    assert.equal(await text('.ev-badge-no_data'), '判断材料なし');
    assert.ok(await count('.cl-presumed') >= 1, 'presumed wording in grey');
    assert.ok(await count('.cl-missing') >= 1, 'items without any wording');
    await shot(page, '32-checklist-sheet');
  });

  await t.test('round 1: はい, いいえ with 目標日 (server message beside the field), a contradicted はい warns', async () => {
    const plain = (await ids(page.locator('.cl-item').filter({ has: page.locator('.cl-ev-none') })))[0];
    const contra = (await ids(page.locator('.cl-item').filter({ has: page.locator('.cl-ev[data-outcome="contradicts"]') })))[0];
    const supported = await ids(page.locator('.cl-item').filter({ has: page.locator('.cl-ev[data-outcome="supports"]') }));
    await page.locator(`#cl-${plain}-yes`).click();
    await page.locator(`#cl-${plain}-yes.on`).waitFor();
    await page.locator(`${item(plain)} .cl-saved`).waitFor();
    // a supported はい: no warning
    await page.locator(`#cl-${supported[0]}-yes`).click();
    await page.locator(`#cl-${supported[0]}-yes.on`).waitFor();
    assert.equal(await count(`${item(supported[0])} .cl-warn`), 0);
    // いいえ asks for the 目標日 first
    const no = supported[1];
    await page.locator(`#cl-${no}-no`).click();
    assert.match(await waitFor(async () => text(`#cl-${no}-target-err`), 'the 目標日 hint'), /目標日/);
    // a date outside the fiscal year: the server's message beside the field
    const fy = Number((await page.evaluate(async () => (await fetch('/api/v1/checklists')).json())).fiscal_year);
    await page.locator(`#cl-${no}-target`).fill(`${fy + 1}-06-30`);
    await page.locator(`#cl-${no}-target`).dispatchEvent('change');
    assert.match(await waitFor(async () => { const m = await text(`#cl-${no}-target-err`); return /の外です/.test(m) && m; }, 'the server message'), /目標日: .*の外です/);
    await shot(page, '33-checklist-target-error');
    await page.locator(`#cl-${no}-target`).fill(`${fy + 1}-02-28`);
    await page.locator(`#cl-${no}-target`).dispatchEvent('change');
    await page.locator(`${item(no)} .cl-saved`).waitFor();
    assert.equal(await page.locator(`#cl-${no}-no`).getAttribute('aria-pressed'), 'true');
    await page.locator(`#cl-${no}-note`).fill('事業者と更新時期を調整中');
    await page.locator(`#cl-${no}-note`).press('Tab');
    await waitFor(async () => (await page.evaluate(async (id) => {
      const v = await (await fetch('/api/v1/checklists')).json();
      const s = await (await fetch(`/api/v1/checklists/${v.facility_sheet.id}`)).json();
      return s.sections.flatMap((x) => x.items).find((x) => x.id === id).answers[0];
    }, no) || {}).note === '事業者と更新時期を調整中', 'the note saved');
    // a はい the records contradict
    await page.locator(`#cl-${contra}-yes`).click();
    await page.locator(`${item(contra)} .cl-warn`).waitFor();
    assert.match(await text(`${item(contra)} .cl-warn`), /記録と矛盾しています/);
    assert.equal(await page.locator('#cl-contradictions').getAttribute('data-n'), '1');
    assert.match(await text('#cl-answered'), /^回答 4 \/ \d+$/);
    assert.match(await text('#cl-progress'), /はい 3.*いいえ 1/s);
    await shot(page, '34-checklist-answered');
    await page.evaluate(() => window.scrollTo(0, 0));
    await shot(page, '34b-checklist-answered-full', { fullPage: true });
  });

  await t.test('an evidence link opens the device', async () => {
    const link = page.locator('.cl-contradicted .ev-link[href^="#/assets/"]').first();
    const href = await link.getAttribute('href');
    await link.click();
    await page.locator('.field-groups').waitFor();
    assert.equal(page.url().split('#')[1], href.slice(1));
    await page.goBack();
    await page.locator('#cl-sections .cl-item').first().waitFor();
  });

  await t.test('the officer enters the official wording of a 文言未確認 item (journaled)', async () => {
    const before = Number((await text('#cl-unconfirmed-note')).match(/(\d+) 項目/)[1]);
    const row = page.locator('.cl-item').filter({ has: page.locator('.cl-missing') }).first();
    const id = await row.getAttribute('data-item');
    await row.locator('.cl-enter-wording').click();
    await page.locator('#cl-wording-text').fill('管理者権限の対象者を明確にし、定期的に見直している。');
    await page.locator('#cl-wording-source').fill('001716187.xlsx 2ページ');
    await shot(page, '35-checklist-wording-dialog');
    await page.locator('dialog .btn-primary').click();
    await page.locator(`${item(id)} .cl-official`).waitFor();
    assert.equal(await text(`${item(id)} .cl-official`), '管理者権限の対象者を明確にし、定期的に見直している。');
    assert.match(await text(`${item(id)} .cl-tags`), /公式文言.*出典: 001716187\.xlsx 2ページ/);
    const after = Number((await text('#cl-unconfirmed-note')).match(/(\d+) 項目/)[1]);
    assert.equal(after, before - 1);
    const j = await page.evaluate(async () => (await fetch('/api/v1/journal?entity_type=checklist_wording')).json());
    assert.ok(j.items.some((e) => e.entity_id === id && e.actor === 'web:anzen'), 'journaled');
  });

  await t.test('round 2 shows round 1 small and read-only beside the answer', async () => {
    await page.locator('#cl-round-2').click();
    await waitFor(async () => (await page.locator('#cl-round-2').getAttribute('aria-pressed')) === 'true', 'round 2');
    assert.match(await text('#cl-answered'), /^回答 0 \/ \d+$/);
    assert.ok(await count('.cl-prev-one.ans-no') >= 1, 'the earlier いいえ');
    assert.match(page.url(), /round=2/);
    await shot(page, '36-checklist-round2');
    await page.locator('#cl-round-1').click();
    await waitFor(async () => /^回答 4 /.test(await text('#cl-answered')), 'round 1 again');
  });

  await t.test('the dashboard card counts the contradicted はい and links to it', async () => {
    await go(page, '#/dashboard');
    await page.locator('#dash-findings').waitFor();
    assert.match(await text('#dash-checklist h2'), new RegExp(`チェックリスト \\(${fyLabel}\\)`));
    assert.equal(await count('#dash-findings .cl-finding-contradicted'), 1);
    assert.match(await text('#dash-checklist .stat'), /^1\s*記録と矛盾する「はい」/);
    await page.locator('#dash-checklist').scrollIntoViewIfNeeded();
    await shot(page, '36b-dashboard-checklist-findings');
    await page.locator('#dash-findings .cl-finding-contradicted a').click();
    await page.locator('.cl-contradicted').first().waitFor();
    assert.match(page.url(), /#\/checklist\/\d+\?round=1/);
    await go(page, '#/checklist');
    await page.locator('#cl-sections .cl-item').first().waitFor();
  });

  await t.test('downloads: Excel in the official layout and the inspection pack PDF', async () => {
    const dl = async (sel) => {
      const [d] = await Promise.all([page.waitForEvent('download'), page.locator(sel).click()]);
      const file = path.join(TMP, d.suggestedFilename());
      await d.saveAs(file);
      return { name: d.suggestedFilename(), data: fs.readFileSync(file) };
    };
    const x = await dl('#cl-export-xlsx');
    assert.equal(x.name, `チェックリスト_${fyLabel}_医療機関確認用_みまもり総合病院.xlsx`);
    assert.ok(x.data.length > 5000, `xlsx size ${x.data.length}`);
    assert.equal(x.data.subarray(0, 2).toString(), 'PK');
    assert.ok(x.data.includes(Buffer.from('xl/worksheets/')), 'a workbook');
    const c = await dl('#cl-export-csv');
    assert.match(c.name, /\.csv$/);
    assert.ok(c.data.toString('utf8').includes('管理者権限の対象者を明確にし'), 'the official wording in the CSV');
    const p = await dl('#cl-pack');
    assert.match(p.name, new RegExp(`^立入検査用資料_${fyLabel}_みまもり総合病院_\\d{4}-\\d\\d-\\d\\d\\.pdf$`));
    assert.equal(p.data.subarray(0, 5).toString(), '%PDF-');
    assert.ok(p.data.length > 20000, `pdf size ${p.data.length}`);
  });

  await t.test('事業者確認用: the officer requests a vendor checklist', async () => {
    await page.locator('#cl-tab-vendors').click();
    await page.locator('#cl-vendors').waitFor();
    const row = page.locator(`#cl-vendors tr[data-vendor="${vendorId}"]`);
    assert.equal(await row.getAttribute('data-status'), 'none');
    assert.match(await row.textContent(), /未依頼/);
    await row.locator('[data-act="request"]').click();
    await waitFor(async () => (await page.locator(`#cl-vendors tr[data-vendor="${vendorId}"]`).getAttribute('data-status')) === 'requested', 'requested');
    assert.match(await page.locator(`#cl-vendors tr[data-vendor="${vendorId}"]`).textContent(), /依頼済/);
    await shot(page, '37-checklist-vendors');
  });

  await t.test('documents: the list, adding a restore test from an offline generation', async () => {
    await go(page, '#/documents');
    await page.locator('#documents-table').waitFor();
    const n = await count('#documents-table tbody tr');
    await page.locator('#new-doc-kind').selectOption('restore_test');
    assert.ok(await visible('#new-doc-offline'), 'the offline checkbox for restore tests');
    await page.locator('#new-doc-title').fill('PACS 復元テスト (オフライン世代)');
    await page.locator('#new-doc-issued').fill('2026-09-30');
    await page.locator('#new-doc-offline').check();
    await page.locator('#new-doc-reference').fill('情報システム室 訓練記録 2026-09');
    await page.locator('#new-doc-submit').click();
    await waitFor(async () => (await count('#documents-table tbody tr')) === n + 1, 'the new document');
    assert.match(await text('#doc-msg'), /登録しました/);
    const row = page.locator('#documents-table tbody tr').filter({ hasText: 'PACS 復元テスト' });
    assert.match(await row.textContent(), /復元テスト.*2026-09-30.*はい/s);
    await shot(page, '38-documents', { fullPage: true });
  });

  let vb;
  let vpage;
  await t.test('the vendor signs in, lands on its sheet, answers round 1 and submits', async () => {
    vb = await launch();
    vpage = vb.page;
    await vpage.goto(new URL('/', page.url()).toString());
    await vpage.locator('#signin-name').fill('vendor-a');
    await vpage.locator('#signin-password').fill('Hoshu-Tantou-2025!');
    await vpage.locator('#signin-submit').click();
    await vpage.locator('#cl-sections .cl-item').first().waitFor();
    assert.deepEqual(await vpage.locator('nav.tabs a').allTextContents(), ['ダッシュボード', '機器台帳', 'チェックリスト', 'アカウント']);
    assert.match(await vpage.locator('#cl-sheet-title').textContent(), /事業者確認用/);
    assert.equal(await vpage.locator('.cl-ev').count(), 0, 'no hospital evidence for the vendor');
    assert.equal(await vpage.locator('#cl-round-1').count(), 0, 'vendors answer round 1 only');
    await vpage.locator('#cl-submit').click();
    await vpage.locator('#cl-msg .msg-error').waitFor();
    assert.match(await vpage.locator('#cl-msg').textContent(), /未回答/);
    const items = await vpage.locator('.cl-item').evaluateAll((els) => els.map((e) => e.dataset.item));
    for (const id of items.slice(0, -1)) {
      await vpage.locator(`#cl-${id}-yes`).click();
      await vpage.locator(`#cl-${id}-yes.on`).waitFor();
    }
    const last = items[items.length - 1];
    const fy = (await vpage.evaluate(async () => (await fetch('/api/v1/checklists')).json())).fiscal_year;
    await vpage.locator(`#cl-${last}-no`).click();
    await vpage.locator(`#cl-${last}-target`).fill(`${fy + 1}-03-15`);
    await vpage.locator(`#cl-${last}-target`).dispatchEvent('change');
    await vpage.locator(`#cl-item-${last} .cl-saved`).waitFor();
    await shot(vpage, '39-vendor-sheet');
    await vpage.locator('#cl-submit').click();
    await vpage.locator('#cl-msg .msg-ok').waitFor();
    assert.match(await vpage.locator('#cl-msg').textContent(), /提出しました/);
    assert.match(await vpage.locator('.cl-sheet-title .cl-status').textContent(), /回答済/);
    assert.equal(await vpage.locator('.yn').count(), 0, 'read-only once submitted');
  });

  await t.test('the officer returns it with a reason; the vendor corrects and resubmits; the officer accepts', async () => {
    await go(page, '#/checklist?tab=vendors');
    const row = () => page.locator(`#cl-vendors tr[data-vendor="${vendorId}"]`);
    await row().waitFor();
    assert.equal(await row().getAttribute('data-status'), 'answered');
    assert.match(await row().textContent(), /回答済/);
    await row().locator('[data-act="return"]').click();
    await page.locator('dialog .btn-danger').click();
    assert.match(await waitFor(async () => text('#cl-return-note-err'), 'the reason error'), /理由/);
    await page.locator('#cl-return-note').fill('いいえの項目の目標日を前倒しできるか確認してください');
    await shot(page, '40-checklist-return-dialog');
    await page.locator('dialog .btn-danger').click();
    await waitFor(async () => (await row().getAttribute('data-status')) === 'returned', 'returned');
    assert.match(await row().textContent(), /差し戻し.*前倒し/s);

    await vpage.reload();
    await vpage.locator('#cl-submit').waitFor();
    assert.match(await vpage.locator('#cl-body, .cl-body').first().textContent(), /差し戻されました: いいえの項目の目標日を前倒し/);
    const items = await vpage.locator('.cl-item').evaluateAll((els) => els.map((e) => e.dataset.item));
    const last = items[items.length - 1];
    const fy = (await vpage.evaluate(async () => (await fetch('/api/v1/checklists')).json())).fiscal_year;
    await vpage.locator(`#cl-${last}-target`).fill(`${fy + 1}-01-31`);
    await vpage.locator(`#cl-${last}-target`).dispatchEvent('change');
    await vpage.locator(`#cl-item-${last} .cl-saved`).waitFor();
    await vpage.locator('#cl-submit').click();
    await vpage.locator('#cl-msg .msg-ok').waitFor();

    await go(page, '#/checklist?tab=vendors');
    await row().waitFor();
    assert.equal(await row().getAttribute('data-status'), 'answered');
    await row().locator('[data-act="open"]').click();
    await page.locator('#cl-review').waitFor();
    assert.match(await text('#cl-review'), /提出しました/);
    await shot(page, '41-checklist-vendor-review');
    await page.locator('#cl-review [data-act="accept"]').click();
    await waitFor(async () => /確認済/.test(await text('.cl-sheet-title .cl-status')), 'accepted');
    await go(page, '#/checklist?tab=vendors');
    await row().waitFor();
    assert.equal(await row().getAttribute('data-status'), 'reviewed');
    await shot(page, '42-checklist-vendors-reviewed');
    await vpage.reload();
    await vpage.locator('#cl-sections .cl-item').first().waitFor();
    assert.match(await vpage.locator('.cl-body').first().textContent(), /確認しました/);
  });

  await t.test('English labels the checklist; no untranslated keys', async () => {
    await go(page, '#/checklist');
    await page.locator('#cl-sections .cl-item').first().waitFor();
    await page.locator('.lang-btn[lang="en"]').click();
    await waitFor(async () => (await navLabels()).includes('Checklist'), 'English navigation');
    await page.locator('#cl-sections .cl-item').first().waitFor();
    const body = await text('#main');
    assert.match(body, /Cybersecurity checklist/);
    assert.match(body, /Answered \d+ \/ \d+/);
    assert.doesNotMatch(body, /\b(cl|ev|doc|dash)\.[a-z_]+/, 'a key shown instead of its text');
    await shot(page, '43-english-checklist');
    await go(page, '#/documents');
    await page.locator('#documents-table').waitFor();
    assert.doesNotMatch(await text('#main'), /\bdoc\.[a-z_]+/);
    await shot(page, '43b-english-documents');
    await page.locator('.lang-btn[lang="ja"]').click();
    await waitFor(async () => (await navLabels()).includes('チェックリスト'), 'Japanese again');
  });

  await t.test('no console errors in either browser', async () => {
    const errs = [...browser.problems, ...(vb ? vb.problems : [])].filter((p) => !/status of (401|403|404|409|422|429)/.test(p));
    if (vb) await vb.context.close();
    assert.deepEqual(errs, []);
  });
});
