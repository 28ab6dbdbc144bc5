// incidents.test.mjs - the IT-BCP screen (#/incidents) in headless Chromium
// against a demo hospital of its own (run.sh): a ransomware drill run end
// to end in the browser.
//
// The administrator signs in for the first time (one-time password →
// password change → TOTP enrolment with oathtool), opens インシデント・BCP
// (after チェックリスト in the navigation), starts a cyberattack drill with
// spread suspected (L4 proposed), triages it again to L5 after the outage,
// ticks action cards (who and when shown), records the due announcement and
// a report to 厚生労働省 from the draft, records the use of the demo's
// emergency account (→ the dashboard alert), returns to normal, records the
// review and the approval, is refused the close until the account is
// disabled, then closes; the contact chart (SVG), the BCP tab with its
// PDFs (downloaded and checked), drills.  Screenshots 60-…79-… go to
// tests/artifacts/browser/.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, shot, go, waitFor, adminFirstSignIn, ADMIN_PASSWORD, TMP, BASE } from './lib.mjs';

const ADMIN_NEW = 'Kiki-Taiou-Kunren-2026!';
let browser;
let page;
let incidentUrl;

const text = async (sel) => ((await page.locator(sel).first().textContent()) || '').trim();
const count = (sel) => page.locator(sel).count();
const navLabels = () => page.locator('nav.tabs a').allTextContents();

// Clicks and waits until the incident page is drawn again with the message.
async function andRedraw(action) {
  const old = await page.locator('#inc-timeline').elementHandle();
  await action();
  await waitFor(async () => !(await old.evaluate((el) => el.isConnected)), 'the incident page to be drawn again');
  await page.locator('#inc-timeline').waitFor();
}

async function download(selector, name) {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.locator(selector).click()]);
  const file = path.join(TMP, name);
  await dl.saveAs(file);
  const head = fs.readFileSync(file).subarray(0, 5).toString();
  assert.equal(head, '%PDF-', `${name} is a PDF`);
  return file;
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
  assert.equal(labels[labels.indexOf('チェックリスト') + 1], 'インシデント・BCP', labels.join(' | '));
  assert.equal(await count('#warnings .warning[data-code="emergency_use"]'), 0, 'no alert yet');
  browser.problems.length = 0; // the 401 of the session check before signing in is expected
});

test('(b) a ransomware drill: open, triage, action cards', async (t) => {
  await page.locator('nav.tabs a', { hasText: 'インシデント・BCP' }).click();
  await page.locator('#incident-new').waitFor();
  await shot(page, '60-incidents-list');

  await t.test('the opening form asks the checks of the category', async () => {
    await page.locator('#incident-new').click();
    await page.locator('#inc-title').waitFor();
    assert.ok(await page.locator('#inc-category-cyberattack').isChecked(), 'サイバー攻撃 first');
    assert.match(await text('.inc-confirm'), /サイバー攻撃の有無及び特定/);
    assert.equal(await count('#inc-check-spread'), 1);
    await page.locator('#inc-category-power').check();
    await waitFor(async () => (await count('#inc-check-long')) === 1, 'the power checks');
    assert.equal(await count('#inc-check-spread'), 0);
    await page.locator('#inc-category-cyberattack').check();
    await page.locator('#inc-check-spread').waitFor();
    // the title is required
    await page.locator('#inc-open-submit').click();
    assert.match(await waitFor(async () => text('#inc-title-err'), 'the title error'), /./);
    await page.locator('#inc-title').fill('【訓練】電子カルテサーバに脅迫文 (ランサムウェア想定)');
    await page.locator('#inc-scope').selectOption('local');
    await page.locator('#inc-check-spread').check();
    await page.locator('#inc-devices').fill('MH-SV-001, NO-SUCH-1');
    await page.locator('#inc-drill').check();
    await shot(page, '61-incident-open-form', { fullPage: true });
    await page.locator('#inc-open-submit').click();
    await page.locator('#action-cards').waitFor();
    incidentUrl = page.url();
  });

  await t.test('L4 is proposed with the cyberattack cards and the devices to quarantine', async () => {
    assert.equal(await text('.inc-triage .inc-level'), 'L4');
    assert.match(await text('#inc-reason'), /拡散が疑われる → L4 重大対応手順で対応/);
    const keys = await page.locator('.action-card').evaluateAll((els) => els.map((e) => e.dataset.key));
    for (const k of ['net_disconnect', 'quarantine', 'stop_systems', 'emergency_ops', 'restore_backup']) assert.ok(keys.includes(k), `${k} in ${keys}`);
    assert.ok(!keys.includes('medical_power'));
    assert.match(await text('.inc-triage'), /MH-SV-001/);
    assert.match(await text('.inc-triage'), /NO-SUCH-1 \(台帳にありません\)/);
    assert.match(await text('#ann-next'), /院内放送 \(1\)/);
    await shot(page, '62-incident-opened', { fullPage: true });
  });

  await t.test('ticking a card records who and when', async () => {
    await andRedraw(() => page.locator('#card-net_disconnect').check());
    assert.ok(await page.locator('#card-net_disconnect').isChecked());
    assert.match(await text('.action-card[data-key="net_disconnect"] .card-done'), /^.+ が \d{4}-\d{2}-\d{2} \d{2}:\d{2} に実施$/);
    await andRedraw(() => page.locator('#card-quarantine').check());
    await andRedraw(() => page.locator('#card-emergency_ops').check());
    assert.equal(await count('.action-card.done'), 3);
    // unticking is recorded too
    await andRedraw(() => page.locator('#card-emergency_ops').uncheck());
    assert.equal(await count('.action-card.done'), 2);
    await andRedraw(() => page.locator('#card-emergency_ops').check());
    await shot(page, '63-incident-cards-ticked', { fullPage: true });
  });

  await t.test('the announcement that is due, then the report drafted from the record', async () => {
    assert.equal(await page.locator('#ann-code').inputValue(), '1');
    assert.match(await page.locator('#ann-text').inputValue(), /電子カルテが停止しており診療業務が行えません/);
    await andRedraw(() => page.locator('#ann-submit').click());
    assert.match(await text('#ann-next'), /院内放送 \(2\)/);
    assert.equal(await page.locator('.ann-states li[data-code="1"]').getAttribute('data-state'), 'done');
    await page.locator('#nt-authority').selectOption('mhlw');
    await page.locator('#nt-draft').click();
    await waitFor(async () => (await page.locator('#nt-text').inputValue()).includes('厚生労働省'), 'the draft');
    const draft = await page.locator('#nt-text').inputValue();
    assert.match(draft, /【訓練】/);
    assert.match(draft, /ネットワークの切り離し/);
    await page.locator('#nt-channel').fill('電話');
    await shot(page, '64-incident-report-draft', { fullPage: true });
    await andRedraw(() => page.locator('#nt-submit').click());
    assert.match(await text('#notifications'), /厚生労働省/);
  });
});

test('(c) an emergency account used: the alert, and close refused until it is disabled', async (t) => {
  await t.test('the use is recorded and the dashboard raises the alert', async () => {
    await page.locator('#inc-eu-account').fill('ehr-emergency');
    await page.locator('#inc-eu-by').fill('救急外来 医師');
    await andRedraw(() => page.locator('#inc-eu-submit').click());
    assert.match(await text('#inc-eu-list'), /未処置/);
    await page.locator('nav.tabs a', { hasText: 'ダッシュボード' }).click();
    await page.locator('#warnings .warning[data-code="emergency_use"]').waitFor();
    assert.match(await text('#warnings .warning[data-code="emergency_use"]'), /非常時用アカウント/);
    assert.equal(await page.locator('#warnings .warning[data-code="emergency_use"] a').getAttribute('href'), '#/incidents?tab=emergency');
    await shot(page, '65-dashboard-emergency-alert', { fullPage: true });
    await page.locator('#warnings .warning[data-code="emergency_use"] a').click();
    await page.locator('#emergency-uses').waitFor();
    assert.match(await text('#emergency-uses'), /ehr-emergency/);
    await shot(page, '66-emergency-uses');
  });

  await t.test('return to normal, review, approval', async () => {
    await page.goto(incidentUrl);
    await page.locator('#action-cards').waitFor();
    await andRedraw(() => page.locator('#inc-recover').click().then(() => page.locator('dialog .btn-primary').click()));
    assert.match(await text('.inc-head'), /正常復帰/);
    assert.match(await text('#ann-next'), /院内放送 \(5\)/);
    await andRedraw(() => page.locator('#ann-submit').click());
    await page.locator('#rv-causes').fill('訓練: VPN 装置の既知の脆弱性を突かれた想定');
    await page.locator('#rv-measures').fill('VPN 装置の更新、オフラインバックアップの週次化、夜間連絡網の見直し');
    await andRedraw(() => page.locator('#rv-submit').click());
    await page.locator('#ap-by').fill('院長 山田 一郎');
    await andRedraw(() => page.locator('#ap-submit').click());
    assert.match(await text('#inc-approved'), /院長 山田 一郎/);
  });

  await t.test('close is refused while the emergency account is not disabled', async () => {
    assert.ok(await page.locator('#inc-close').isDisabled(), 'the close button waits');
    assert.match(await text('#inc-blockers'), /ehr-emergency/);
    await shot(page, '67-incident-close-blocked', { fullPage: true });
    const file = await download('#inc-report', 'report.pdf');
    assert.ok(fs.statSync(file).size > 2000);
  });

  await t.test('disabling the account (part A\'s inventory) lets the drill close', async () => {
    // the account inventory's own action, through its API with the page's session
    const r = await page.evaluate(async () => {
      const s = await (await fetch('/api/v1/session')).json();
      const list = await (await fetch('/api/v1/accounts?q=ehr-emergency')).json();
      const acc = (list.items || list.accounts || []).find((a) => a.login === 'ehr-emergency');
      const res = await fetch(`/api/v1/accounts/${acc.id}/disable`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': s.csrf }, body: '{}' });
      return res.status;
    });
    assert.equal(r, 200);
    await page.reload();
    await page.locator('#inc-close').waitFor();
    assert.ok(!(await page.locator('#inc-close').isDisabled()));
    await andRedraw(() => page.locator('#inc-close').click());
    assert.match(await text('.inc-head'), /終了/);
    assert.equal(await count('#card-net_disconnect:disabled'), 1, 'read-only after close');
    await shot(page, '68-incident-closed', { fullPage: true });
    await page.locator('nav.tabs a', { hasText: 'ダッシュボード' }).click();
    await page.locator('#dash-facility').waitFor();
    assert.equal(await count('#warnings .warning[data-code="emergency_use"]'), 0, 'the alert is gone');
  });
});

test('(d) the contact chart, the BCP with its PDFs, drills', async (t) => {
  await t.test('the contact chart is drawn as SVG, the authorities\' numbers left to fill in', async () => {
    await go(page, '#/incidents?tab=contacts');
    await page.locator('#contact-chart').waitFor();
    assert.ok((await count('#contact-chart .cc-node')) >= 10);
    assert.ok((await count('#contact-chart .cc-external')) >= 5);
    assert.match(await text('#contacts-table'), /厚生労働省/);
    assert.ok((await count('#contact-chart .cc-missing')) >= 3, 'the authorities have no invented numbers');
    await shot(page, '70-contact-chart', { fullPage: true });
    await download('#ct-pdf', 'chart.pdf');
  });

  await t.test('a contact is added to the chart', async () => {
    await page.locator('#ct-role').fill('情報セキュリティ専門家 (外部有識者)');
    await page.locator('#ct-parent').selectOption({ index: 3 });
    const before = await count('#contact-chart .cc-node');
    await page.locator('#ct-submit').click();
    await waitFor(async () => (await count('#contact-chart .cc-node')) === before + 1, 'the new box');
  });

  await t.test('the BCP tab: priorities, backups, announcement texts, PDFs', async () => {
    await page.locator('#inc-tab-bcp').click();
    await page.locator('#bcp-systems').waitFor();
    assert.match(await text('#bcp-systems'), /電子カルテシステム/);
    assert.ok((await count('#bcp-backups tr[data-media="offline"]')) >= 2);
    assert.match(await text('.tpl[data-code="3"] .tpl-source'), /mamori の下書き/);
    await shot(page, '71-bcp', { fullPage: true });
    await download('#bcp-pdf', 'bcp.pdf');
    await download('#bcp-kit', 'kit.pdf');
  });

  await t.test('drills: the past drill and a new record', async () => {
    await page.locator('#inc-tab-drills').click();
    await page.locator('#drills-table').waitFor();
    assert.match(await text('#drills-table'), /ランサムウェア想定 机上訓練/);
    await page.locator('#dr-title').fill('ランサムウェア訓練 (ブラウザ)');
    await page.locator('#dr-done').fill('2026-11-20');
    await page.locator('#dr-findings').fill('非常時用アカウントの無効化を忘れやすい');
    await page.locator('#dr-changes').fill('終了前のチェックに非常時用アカウントを追加');
    await page.locator('#dr-submit').click();
    await waitFor(async () => (await text('#drills-table')).includes('ランサムウェア訓練 (ブラウザ)'), 'the new drill');
    await shot(page, '72-drills', { fullPage: true });
  });

  await t.test('English', async () => {
    await page.locator('.lang-btn[lang="en"]').click();
    await waitFor(async () => (await navLabels()).includes('Incidents & BCP'), 'English navigation');
    await go(page, '#/incidents');
    await page.locator('#incidents-table').waitFor();
    await shot(page, '73-incidents-english');
    await page.locator('.lang-btn[lang="ja"]').click();
  });

  assert.deepEqual(browser.problems, [], `no console errors: ${browser.problems.join(' / ')}`);
});
