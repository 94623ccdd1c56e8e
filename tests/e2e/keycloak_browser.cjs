// Sign in to Airflow through Keycloak in a real headless browser (Debian's chromium, driven by
// playwright-core from setup_deps.sh's $E2E_BROWSER_DIR). Called by test_keycloak_e2e.py with one JSON
// argument; prints one JSON line of what it saw. Nothing here decides pass or fail: the test does.
//
// 1. a team member signs in with username and password and lands on Airflow's DAG list (screenshot);
// 2. an admin-group member signs in, is sent to Keycloak's "configure OTP" page, reads the secret
//    in manual mode, answers with the TOTP computed from it (RFC 6238, HMAC-SHA1, 30 s, 6 digits)
//    and lands in Airflow.
'use strict';
const crypto = require('crypto');
const path = require('path');
const { chromium } = require(path.join(process.env.E2E_BROWSER_DIR, 'node_modules', 'playwright-core'));

function base32(text) {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const c of text.replace(/[\s=]/g, '').toUpperCase()) bits += alphabet.indexOf(c).toString(2).padStart(5, '0');
  const bytes = [];
  for (let i = 0; i + 8 <= bits.length; i += 8) bytes.push(parseInt(bits.slice(i, i + 8), 2));
  return Buffer.from(bytes);
}

function totp(secret, now = Date.now()) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(now / 1000 / 30)));
  const mac = crypto.createHmac('sha1', base32(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1000000).padStart(6, '0');
}

async function signIn(page, airflow, user) {
  await page.goto(airflow + '/', { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#username', { timeout: 60000 });
  const loginUrl = page.url();
  await page.fill('#username', user.username);
  await page.fill('#password', user.password);
  await page.click('#kc-login');
  return loginUrl;
}

async function member(browser, args) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const loginUrl = await signIn(page, args.airflow, args.user);
  await page.waitForURL((u) => u.href.startsWith(args.airflow), { timeout: 60000 });
  await page.goto(args.airflow + '/dags', { waitUntil: 'domcontentloaded' });
  await page.getByText(args.visible_dag, { exact: true }).first().waitFor({ timeout: 90000 });
  await page.screenshot({ path: args.screenshot, fullPage: true });
  const text = await page.innerText('body');
  const result = {
    login_page: loginUrl,
    landed: page.url(),
    sees_visible: text.includes(args.visible_dag),
    sees_hidden: text.includes(args.hidden_dag),
  };
  await context.close();
  return result;
}

async function admin(browser, args) {
  const context = await browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await signIn(page, args.airflow, args.admin);
  await page.waitForSelector('#mode-manual', { timeout: 60000 });
  const otpPage = page.url();
  await page.click('#mode-manual');
  const secret = (await page.innerText('#kc-totp-secret-key')).trim();
  await page.fill('#totp', totp(secret));
  await page.click('#saveTOTPBtn');
  await page.waitForURL((u) => u.href.startsWith(args.airflow), { timeout: 60000 });
  await page.waitForLoadState('domcontentloaded');
  const result = { otp_page: otpPage, secret_length: secret.replace(/\s/g, '').length, landed: page.url() };
  await context.close();
  return result;
}

(async () => {
  const args = JSON.parse(process.argv[2]);
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox'] });
  const out = {};
  try {
    out.member = await member(browser, args);
    out.admin = await admin(browser, args);
  } catch (err) {
    out.error = String(err && err.stack ? err.stack : err);
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
})();
