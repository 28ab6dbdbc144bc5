// logs.test.mjs - the access-log screen (#/logs アクセスログ) in headless
// Chromium against a demo hospital whose vault logs.setup.sh filled with
// 121 events before the server started (80 of patient 0000123456).
//
// The administrator signs in, opens アクセスログ, filters by patient (two
// pages of 50 and 30, 次へ by the cursor), combines it with 結果 失敗, opens
// one event (the raw message, its fields), downloads its proof (a
// MAMORI-LOG-PROOF document), exports the filtered list as CSV (BOM,
// heading, 80 rows), sees the 形式不正 badge with its reason, and reads the
// latest checkpoint.  Screenshots 80-…84-… go to tests/artifacts/browser/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, shot, go, waitFor, adminFirstSignIn, TMP } from './lib.mjs';

const ADMIN_NEW = 'Access-Log-Vault-2026!';
const PATIENT = '0000123456';
let browser;
let page;

const rows = () => page.locator('#log-table tbody tr.log-row');
const patients = () => page.locator('#log-table tbody tr.log-row td.log-patient').allTextContents();

// Waits for the list to be drawn again after action().
async function listAfter(action) {
  const old = await page.locator('#log-table').elementHandle();
  await action();
  await waitFor(async () => !(await old.evaluate((el) => el.isConnected)), 'the list to be drawn again');
  await page.locator('#log-table').waitFor();
}

async function download(selector, name) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()]);
  const file = path.join(TMP, name);
  await dl.saveAs(file);
  return fs.readFileSync(file);
}

before(async () => {
  browser = await launch();
  page = browser.page;
});

after(async () => {
  if (browser) await browser.context.close();
});

test('(a) sign in; アクセスログ is in the navigation', async () => {
  await adminFirstSignIn(page, ADMIN_NEW);
  const labels = await page.locator('nav.tabs a').allTextContents();
  assert.ok(labels.includes('アクセスログ'), labels.join(' | '));
});

test('(b) the list, newest first, with the checkpoint', async () => {
  await page.locator('nav.tabs a', { hasText: 'アクセスログ' }).click();
  await page.locator('#log-table').waitFor();
  assert.equal(await rows().count(), 50, 'a page of 50');
  const first = await rows().first().getAttribute('data-seq');
  assert.equal(first, '120', 'the newest event (the line that is no syslog) first');
  const badge = page.locator('#log-table tr[data-seq="120"] .log-badge-malformed');
  assert.equal(await badge.textContent(), '形式不正');
  assert.ok((await badge.getAttribute('title')).length > 0, 'the reason is the badge title');
  assert.match(await page.locator('#log-cp-size').textContent(), /121/);
  assert.match(await page.locator('#log-cp-vkey').textContent(), /^mamori\.local\//);
  assert.match(await page.locator('#log-cp-note').textContent(), /— mamori\.local\//);
  // a checkpoint signed on request replaces the panel's note
  const before = await page.locator('#log-cp-note').textContent();
  await page.locator('#log-cp-sign').click();
  await page.locator('#log-copy-status', { hasText: '署名しました' }).waitFor();
  assert.notEqual(await page.locator('#log-cp-note').textContent(), before, 'a new note');
  assert.match(await page.locator('#log-cp-size').textContent(), /121/);
  await shot(page, '80-logs-list', { fullPage: true });
});

test('(c) filter by patient, then page with 次へ', async () => {
  await page.locator('#log-f-patient').fill(PATIENT);
  await listAfter(() => page.locator('#log-search').click());
  assert.match(page.url(), /patient=0000123456/);
  assert.equal(await rows().count(), 50);
  assert.deepEqual([...new Set(await patients())], [PATIENT]);
  const lastSeq = Number(await rows().last().getAttribute('data-seq'));
  await shot(page, '81-logs-patient');
  await listAfter(() => page.locator('#log-next').click());
  assert.equal(await rows().count(), 30, 'the second page has the other 30');
  assert.ok(Number(await rows().first().getAttribute('data-seq')) < lastSeq, 'older than the first page');
  assert.ok(await page.locator('#log-next').isDisabled(), 'no third page');
  await listAfter(() => page.locator('#log-first').click());
  assert.equal(await rows().count(), 50);
});

test('(d) patient and 結果 失敗 combined', async () => {
  await page.locator('#log-f-result').selectOption('failure');
  await listAfter(() => page.locator('#log-search').click());
  const n = await rows().count();
  assert.ok(n > 0 && n < 20, `a few failures (${n})`);
  const results = await page.locator('#log-table tbody td.log-result').allTextContents();
  assert.deepEqual([...new Set(results)], ['失敗']);
  assert.deepEqual([...new Set(await patients())], [PATIENT]);
  await page.locator('#log-f-result').selectOption('');
  await listAfter(() => page.locator('#log-search').click());
});

test('(e) export the filtered list as CSV', async () => {
  const csv = await download('#log-csv', 'logs.csv');
  assert.deepEqual([...csv.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'a BOM for Excel');
  const lines = csv.toString('utf8').slice(1).split('\r\n').filter((l) => l);
  assert.match(lines[0], /^連番,発生時刻,受信時刻,利用者,患者ID,端末\/ホスト,操作,結果/);
  assert.equal(lines.length, 81, 'heading and all 80 events of the patient (not only the page)');
  assert.ok(lines.slice(1).every((l) => l.includes(PATIENT)));
});

test('(f) one event: fields, the message, its proof', async () => {
  const seq = await rows().first().getAttribute('data-seq');
  await rows().first().click();
  await page.locator('#log-detail').waitFor();
  assert.equal(await page.locator('#log-d-seq').textContent(), seq);
  assert.equal(await page.locator('#log-d-patient').textContent(), PATIENT);
  assert.match(await page.locator('#log-d-source').textContent(), /^WS-3F-00\d$/, 'the terminal the EHR named');
  assert.match(await page.locator('#log-d-message').textContent(), /ehrAudit@32473/);
  await shot(page, '82-logs-event');
  const proof = (await download('#log-proof', `proof-${seq}.txt`)).toString('utf8');
  assert.match(proof, /^MAMORI-LOG-PROOF 1\n/);
  assert.match(proof, new RegExp(`^index ${seq}$`, 'm'));
  await page.locator('#log-back').click();
  await page.locator('#log-table').waitFor();
});

test('(g) the malformed line: its badge and reason in the detail', async () => {
  await go(page, '#/logs/120');
  await page.locator('#log-detail').waitFor();
  assert.match(await page.locator('#log-d-flags').textContent(), /形式不正/);
  assert.equal(await page.locator('#log-d-message').textContent(), 'this line is not syslog at all');
  await shot(page, '83-logs-malformed');
});

test('(h) English', async () => {
  await go(page, '#/logs');
  await page.locator('#log-table').waitFor();
  await page.locator('.lang-btn[lang="en"]').click();
  await waitFor(async () => (await page.locator('nav.tabs a.active').textContent()) === 'Access logs', 'English navigation');
  await shot(page, '84-logs-en');
  await page.locator('.lang-btn[lang="ja"]').click();
  assert.deepEqual(browser.problems.filter((p) => !/status of 401/.test(p)), [], 'no errors but the 401 of the session check before signing in');
});
