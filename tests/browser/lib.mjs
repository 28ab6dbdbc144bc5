// lib.mjs - helpers for the browser tests: Debian's Chromium through
// playwright-core, screenshots, TOTP codes from oathtool.
//
// Environment (set by run.sh):
//   MAMORI_URL             http://127.0.0.1:PORT/ of the server under test
//   MAMORI_ADMIN_PASSWORD  the one-time password "mamori serve" printed
//   MAMORI_ARTIFACTS       where screenshots go (tests/artifacts/browser)
//   MAMORI_TMP             a scratch directory (removed by run.sh)
//   CHROMIUM               the browser (default /usr/bin/chromium)

import { chromium } from 'playwright-core';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const BASE = (process.env.MAMORI_URL || 'http://127.0.0.1:8080/').replace(/\/?$/, '/');
export const ADMIN_PASSWORD = process.env.MAMORI_ADMIN_PASSWORD || '';
export const ARTIFACTS = process.env.MAMORI_ARTIFACTS || path.resolve('tests/artifacts/browser');
export const TMP = process.env.MAMORI_TMP || fs.mkdtempSync(path.join(os.tmpdir(), 'mamori-browser-'));

fs.mkdirSync(ARTIFACTS, { recursive: true });

export async function launch() {
  const userDataDir = fs.mkdtempSync(path.join(TMP, 'chromium-profile-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1366, height: 768 },
    locale: 'ja-JP',
    timezoneId: 'Asia/Tokyo',
    acceptDownloads: true,
  });
  const page = context.pages()[0] || await context.newPage();
  page.setDefaultTimeout(10000);
  const problems = [];
  // Anything the page logs as an error (CSP violations included) is a failure.
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
  return { context, page, problems };
}

export async function shot(page, name, opts = {}) {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: !!opts.fullPage });
  return file;
}

// The current TOTP code of a base32 secret (Debian's oathtool).
export function totp(secret, offsetSteps = 0) {
  const args = ['--totp', '-b'];
  if (offsetSteps) args.push(`--now=${new Date(Date.now() + offsetSteps * 30000).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}`);
  args.push(secret);
  return execFileSync('oathtool', args, { encoding: 'utf8' }).trim();
}

// Seconds left in the current 30-second TOTP step.
export function totpSecondsLeft() {
  return 30 - (Math.floor(Date.now() / 1000) % 30);
}

export async function go(page, hash) {
  await page.goto(`${BASE}${hash}`);
}

// Signs in on the sign-in screen (the page must show it).
export async function signIn(page, name, password) {
  await page.locator('#signin-name').fill(name);
  await page.locator('#signin-password').fill(password);
  await page.locator('#signin-submit').click();
}

export function writeFile(name, content) {
  const file = path.join(TMP, name);
  fs.writeFileSync(file, content);
  return file;
}

// Polls fn every 100 ms until it returns something truthy (returned) or
// timeout ms pass (throws, with what and the last value or error).
export async function waitFor(fn, what, timeout = 10000) {
  const end = Date.now() + timeout;
  let last;
  while (Date.now() < end) {
    try {
      last = await fn();
      if (last) return last;
    } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} (last: ${last instanceof Error ? last.message : JSON.stringify(last)})`);
}

// Signs in with a one-time password and makes the forced password change
// (the page must show the sign-in screen); ends on what the server shows
// next: TOTP enrolment for an administrator, else the dashboard.
export async function changeOneTimePassword(page, name, oneTime, newPassword) {
  await signIn(page, name, oneTime);
  await page.locator('#pw-new').waitFor();
  await page.locator('#pw-current').fill(oneTime);
  await page.locator('#pw-new').fill(newPassword);
  await page.locator('#pw-confirm').fill(newPassword);
  await page.locator('#pw-submit').click();
}

// The administrator's first sign-in from the start page: the one-time
// password of run.sh, the change to newPassword, the TOTP enrolment with
// oathtool; ends on the dashboard and returns the TOTP secret.
export async function adminFirstSignIn(page, newPassword) {
  await go(page, '');
  await page.locator('#signin-name').waitFor();
  await changeOneTimePassword(page, 'admin', ADMIN_PASSWORD, newPassword);
  await page.locator('#totp-secret').waitFor();
  const secret = ((await page.locator('#totp-secret').first().textContent()) || '').replace(/\s+/g, '');
  if (totpSecondsLeft() < 4) await new Promise((r) => setTimeout(r, 4500));
  await page.locator('#totp-code').fill(totp(secret));
  await page.locator('#totp-submit').click();
  await page.locator('#dash-facility').waitFor();
  return secret;
}
