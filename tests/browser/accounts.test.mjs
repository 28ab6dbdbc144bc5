// accounts.test.mjs - the account inventory screen (#/sysaccounts) in
// headless Chromium against a demo hospital of its own (run.sh).
//
// The administrator signs in for the first time (one-time password →
// password change → TOTP enrolment with oathtool), opens アカウント台帳
// (placed after 機器台帳 in the navigation), filters the retired holders,
// disables the retired nurse's account from its detail, imports a CSV
// through the UI (a bad file's line-numbered problems, the fixed file's
// preview, the import), records a password change of an emergency account
// in the registry, opens an account from an evidence link, and reads the
// screen in English.  Screenshots 50-…59-… go to tests/artifacts/browser/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, shot, go, writeFile, waitFor, adminFirstSignIn, ADMIN_PASSWORD } from './lib.mjs';

const ADMIN_NEW = 'Kanri-Daichou-2026!';
let browser;
let page;

const text = async (sel) => ((await page.locator(sel).first().textContent()) || '').trim();
const count = (sel) => page.locator(sel).count();
const navLabels = () => page.locator('nav.tabs a').allTextContents();
const logins = () => page.locator('#sa-table tbody tr[data-id]').evaluateAll((rows) => rows.map((r) => r.dataset.login));
const totalOf = async () => Number(await page.locator('#sa-total').getAttribute('data-total'));

// Waits for the list to be drawn again after action(): the old table gone,
// a new one there.
async function listAfter(action) {
  const old = await page.locator('#sa-table').elementHandle();
  await action();
  await waitFor(async () => !(await old.evaluate((el) => el.isConnected)), 'the list to be drawn again');
  await page.locator('#sa-table').waitFor();
}

before(async () => {
  browser = await launch();
  page = browser.page;
});

after(async () => {
  if (browser) await browser.context.close();
});

test('(a) first sign-in of the administrator', async () => {
  assert.ok(ADMIN_PASSWORD, 'run.sh passes the one-time admin password');
  await adminFirstSignIn(page, ADMIN_NEW);
  const labels = await navLabels();
  assert.equal(labels[labels.indexOf('機器台帳') + 1], 'アカウント台帳', labels.join(' | '));
});

test('(b) the list with its badges and the retired filter', async (t) => {
  await page.locator('nav.tabs a', { hasText: 'アカウント台帳' }).click();
  await page.locator('#sa-table').waitFor();
  assert.ok(await totalOf() >= 50, 'the demo has about 60 accounts');
  assert.match(await text('#sa-rule'), /未使用の基準: 90 日/);
  assert.ok(await count('#sa-table .sa-flag-shared_admin') >= 1, 'the shared admin account is marked');
  assert.ok(await count('#sa-table .sa-flag-emergency') === 2, 'two emergency accounts');
  await shot(page, '50-sysaccounts-list');

  await t.test('未使用 narrows to the accounts unused for more than 90 days', async () => {
    await listAfter(() => page.locator('#sa-filter-unused').click());
    assert.ok(await totalOf() >= 3);
    assert.equal(await count('#sa-table tbody tr[data-id]'), await count('#sa-table .sa-flag-unused'));
    await listAfter(() => page.locator('#sa-filter-unused').click());
  });

  await t.test('退職者 narrows to the retired holders', async () => {
    await listAfter(() => page.locator('#sa-filter-retired').click());
    assert.deepEqual((await logins()).sort(), ['iji-nakamura', 'n-sasaki']);
    assert.equal(await text('#sa-table tr[data-login="n-sasaki"] .sa-flag-retired'), '退職者');
    assert.equal(await count('#sa-table tr[data-login="iji-nakamura"] .sa-flag'), 0, 'a disabled account has no finding');
    assert.match(await page.evaluate(() => location.hash), /retired=1/);
    await shot(page, '51-sysaccounts-retired');
  });

  await t.test('the retired nurse is disabled from the detail; the journal has it', async () => {
    await page.locator('#sa-table tr[data-login="n-sasaki"] .sa-login').click();
    await page.locator('#sa-detail').waitFor();
    assert.match(await text('dialog h2'), /n-sasaki/);
    await shot(page, '52-sysaccounts-detail');
    await page.locator('dialog [data-act="disable"]').click();
    await page.locator('#sa-act-note').fill('3月末退職 (人事から連絡)');
    await shot(page, '53-sysaccounts-disable');
    await page.locator('dialog .btn-danger').click();
    await waitFor(async () => /無効にしました/.test(await text('#sa-msg')), 'the message');
    await page.locator('#sa-table').waitFor();
    assert.equal(await text('#sa-table tr[data-login="n-sasaki"] .sa-status'), '無効');
    assert.equal(await count('#sa-table tr[data-login="n-sasaki"] .sa-flag-retired'), 0);
    const d = await page.evaluate(async () => (await fetch('/api/v1/accounts?q=n-sasaki')).json());
    const id = d.items[0].id;
    const one = await page.evaluate(async (x) => (await fetch(`/api/v1/accounts/${x}`)).json(), id);
    assert.equal(one.history.at(-1).action, 'account.disable');
  });
});

test('(c) CSV import through the UI: problems, fix, preview, import', async (t) => {
  const bad = writeFile('利用者一覧_bad.csv', [
    'システム名：医事会計システム',
    'ログインID,利用者,職種,管理者権限,最終利用日,退職',
    'iji-new1,医事 新人,医事課,なし,2026/11/01,',
    'iji-new2,医事 二郎,医事課,たぶん,2026/11/02,',
    'iji-new3,医事 三郎,医事課,なし,2026/13/40,',
    '',
  ].join('\r\n'));
  const good = writeFile('利用者一覧.csv', [
    'システム名：医事会計システム',
    'ログインID,利用者,職種,管理者権限,最終利用日,退職',
    'iji-new1,医事 新人,医事課,なし,2026/11/01,',
    'iji-new2,医事 二郎,医事課,なし,2026/11/02,',
    'iji-new3,医事 三郎,医事課,なし,2026/11/03,',
    'recesv-admin,医事課 係長 佐藤,システム管理,あり,2026/11/18,',
    '',
  ].join('\r\n'));

  await page.locator('#sa-tab-import').click();
  await page.locator('#sa-import-file').waitFor({ state: 'attached' });

  await t.test('a bad file: every problem with its line, nothing to import', async () => {
    await page.locator('#sa-import-file').setInputFiles(bad);
    await page.locator('#sa-import-problems').waitFor();
    const problems = await page.locator('#sa-import-problems .problem').allTextContents();
    assert.equal(problems.length, 2, problems.join('\n'));
    assert.match(problems[0], /^利用者一覧_bad\.csv:4: 管理者権限: /);
    assert.match(problems[1], /^利用者一覧_bad\.csv:5: 最終利用日: /);
    assert.equal(await count('#sa-import-commit'), 0);
    await shot(page, '54-sysaccounts-import-problems');
  });

  await t.test('the fixed file: a preview of adds and the update', async () => {
    await page.locator('#sa-import-file').setInputFiles(good);
    await page.locator('#sa-import-preview').waitFor();
    assert.equal(await text('#sa-count-added .stat-value'), '3');
    assert.equal(await text('#sa-count-updated .stat-value'), '1');
    assert.match(await text('#sa-import-changes tr[data-action="update"]'), /利用者: 医事課 → 医事課 係長 佐藤/);
    await shot(page, '55-sysaccounts-import-preview');
    const d = await page.evaluate(async () => (await fetch('/api/v1/accounts?q=iji-new')).json());
    assert.equal(d.total, 0, 'the preview stored nothing');
  });

  await t.test('取り込む stores it', async () => {
    await page.locator('#sa-import-commit').click();
    await page.locator('#sa-import-done').waitFor();
    assert.match(await text('#sa-import-done'), /追加 3 件、更新 1 件/);
    await shot(page, '56-sysaccounts-import-done');
    await page.locator('#sa-import-to-list').click();
    await page.locator('#sa-table').waitFor();
    await listAfter(async () => { await page.locator('#sa-search').fill('iji-new'); await page.locator('#sa-search').press('Enter'); });
    assert.deepEqual(await logins(), ['iji-new1', 'iji-new2', 'iji-new3']);
  });
});

test('(d) the emergency registry: record a password change after use', async () => {
  await go(page, '#/sysaccounts?tab=emergency');
  await page.locator('#sa-emergency').waitFor();
  assert.equal(await count('#sa-emergency .sa-em'), 2);
  const card = page.locator('.sa-em[data-login="ehr-emergency"]');
  assert.match(await card.textContent(), /事務当直室の金庫/);
  assert.match(await card.locator('.sa-em-rotated').textContent(), /記録なし/);
  await card.locator('[data-act="rotate"]').click();
  await page.locator('#sa-act-note').fill('BCP 訓練で使用したため変更');
  await page.locator('dialog .btn-primary').click();
  await waitFor(async () => /パスワード変更を記録しました/.test(await text('#sa-msg')), 'the message');
  const rotated = await page.locator('.sa-em[data-login="ehr-emergency"] .sa-em-rotated').textContent();
  assert.match(rotated, /^\d{4}-\d\d-\d\d \d\d:\d\d$/);
  await shot(page, '57-sysaccounts-emergency', { fullPage: true });
});

test('(e) an evidence link opens the account; English', async () => {
  const d = await page.evaluate(async () => (await fetch('/api/v1/accounts?q=dr-kimura')).json());
  await go(page, `#/sysaccounts?id=${d.items[0].id}`);
  await page.locator('#sa-detail').waitFor();
  assert.match(await text('dialog .sa-badges'), /未使用 \d+ 日/);
  await shot(page, '58-sysaccounts-evidence-link');
  await page.keyboard.press('Escape');
  await waitFor(async () => !(await page.evaluate(() => location.hash)).includes('id='), 'the id to leave the address');
  await page.locator('.lang-btn[lang="en"]').click();
  await waitFor(async () => (await text('h1')) === 'Account inventory', 'English title');
  assert.ok((await navLabels()).includes('Account inventory'));
  await shot(page, '59-sysaccounts-english');
  await page.locator('.lang-btn[lang="ja"]').click();
  await waitFor(async () => (await text('h1')) === 'アカウント台帳', 'Japanese again');
});

test('no errors in the page (answers the tests asked for, such as 422, aside)', () => {
  assert.deepEqual(browser.problems.filter((p) => !/status of (401|403|404|409|422)/.test(p)), []);
});
