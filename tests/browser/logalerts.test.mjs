// logalerts.test.mjs - the log-alert screen (#/logalerts ログ警告) and the
// dashboard's card in headless Chromium, against a demo hospital whose
// vault logalerts.setup.sh filled with events that raised seven alerts.
//
// The administrator signs in, sees the card on the dashboard (7 open, the
// newest listed), opens ログ警告 (nav), filters by kind, acknowledges an
// alert with 確認済にする (it leaves the open list and shows in 確認済 with
// who), adds and removes a watched patient, and changes the settings (a bad
// value is shown under its field, nothing saved; a good one is saved).
// Screenshots 90-…93-… go to tests/artifacts/browser/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, shot, go, waitFor, adminFirstSignIn } from './lib.mjs';

const ADMIN_NEW = 'Log-Alert-Review-2026!';
let browser;
let page;

const rows = () => page.locator('#la-table tbody tr.la-row');

async function listAfter(action) {
  const old = await page.locator('#la-table').elementHandle();
  await action();
  await waitFor(async () => !(await old.evaluate((el) => el.isConnected)), 'the list to be drawn again');
  await page.locator('#la-table').waitFor();
}

before(async () => {
  browser = await launch();
  page = browser.page;
});

after(async () => {
  if (browser) await browser.context.close();
});

test('(a) the dashboard card', async () => {
  await adminFirstSignIn(page, ADMIN_NEW);
  await go(page, '#/dashboard');
  await page.locator('#dash-logalerts').waitFor();
  const open = await page.locator('#dash-logalerts .stat-warn .stat-value').textContent();
  assert.equal(open, '7');
  assert.equal(await page.locator('#dash-la-newest li').count(), 5, 'the five newest');
  assert.match(await page.locator('#dash-la-kinds').textContent(), /緊急用アカウントの使用/);
  await shot(page, '90-dashboard-logalerts', { fullPage: true });
});

test('(b) ログ警告 in the navigation: the open alerts, newest first', async () => {
  const labels = await page.locator('nav.tabs a').allTextContents();
  assert.ok(labels.includes('ログ警告'), labels.join(' | '));
  await page.locator('nav.tabs a', { hasText: 'ログ警告' }).click();
  await page.locator('#la-table').waitFor();
  assert.equal(await rows().count(), 7);
  assert.equal(await page.locator('#la-summary').getAttribute('data-total'), '7');
  const kinds = await page.locator('#la-table tbody td.la-kind').allTextContents();
  assert.equal(kinds[0], '時間外のアクセス', 'Saturday noon is the newest');
  await shot(page, '91-logalerts', { fullPage: true });
});

test('(c) filter by kind; acknowledge with 確認済にする', async () => {
  await page.locator('#la-f-kind').selectOption('emergency_use');
  await listAfter(() => page.locator('#la-search').click());
  assert.match(page.url(), /kind=emergency_use/);
  assert.equal(await rows().count(), 2);
  const id = await rows().first().getAttribute('data-id');
  await listAfter(() => page.locator(`button[data-ack="${id}"]`).click());
  assert.match(await page.locator('#la-msg').textContent(), new RegExp(`警告 #${id} を確認済にしました`));
  assert.equal(await rows().count(), 1, 'no longer open');
  await page.locator('#la-f-state').selectOption('acked');
  await listAfter(() => page.locator('#la-search').click());
  assert.equal(await rows().count(), 1);
  assert.match(await rows().first().locator('.la-state').textContent(), /admin が確認/);
});

test('(d) the watch list: add and remove', async () => {
  await go(page, '#/logalerts');
  await page.locator('#la-w-table').waitFor();
  assert.match(await page.locator('#la-w-table tr[data-patient="P-777"]').textContent(), /VIP/);
  await page.locator('#la-w-patient').fill('S-0001');
  await page.locator('#la-w-reason').fill('職員');
  await page.locator('#la-w-add').click();
  await page.locator('#la-w-table tr[data-patient="S-0001"]').waitFor();
  await page.locator('#la-w-patient').fill('S-0001');
  await page.locator('#la-w-reason').fill('職員');
  await page.locator('#la-w-add').click();
  await waitFor(async () => /すでに登録されています/.test(await page.locator('#la-w-patient-err').textContent()), 'the duplicate refused');
  await shot(page, '92-logalerts-watch');
  await page.locator('button[data-remove="S-0001"]').click();
  await waitFor(async () => (await page.locator('#la-w-table tr[data-patient="S-0001"]').count()) === 0, 'S-0001 removed');
});

test('(e) settings: a bad value under its field, a good one saved', async () => {
  const hours = page.locator('#la-s-logs-hours');
  assert.equal(await hours.inputValue(), '08:00-19:00');
  await hours.fill('25:00-26:00');
  await page.locator('#la-s-save').click();
  await waitFor(async () => /業務時間/.test(await page.locator('#la-s-logs-hours-err').textContent()), 'the error under 業務時間');
  await hours.fill('8:30-17:30');
  await page.locator('#la-s-save').click();
  await waitFor(async () => /設定を保存しました/.test(await page.locator('#la-settings-panel').textContent()), 'saved');
  assert.equal(await hours.inputValue(), '08:30-17:30', 'as the server normalised it');
  await shot(page, '93-logalerts-settings', { fullPage: true });
  assert.deepEqual(browser.problems.filter((p) => !/status of (401|409|422)/.test(p)), [], 'no errors but the expected refusals');
});
