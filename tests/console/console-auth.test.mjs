// console-auth.test.mjs — the console against apigwd --auth sigv4: the first /v2/ call is
// refused, the page asks for an access key and secret, keeps them in memory only and signs
// every request with Web Crypto (console/sigv4.mjs); a wrong secret shows the server's
// refusal; the Lambda invocation URI of a bare function name carries the signed-in account.
//
// Run by tests/e2e/test_console.py with APIGWD_AUTH_URL (a server started with --auth sigv4)
// and CONSOLE_AKID / CONSOLE_SECRET (a key of `apigwd credentials create --account
// 111122223333`); it writes the ids it made to CONSOLE_RESULT for the aws CLI to read back with
// the same key. Skipped when APIGWD_AUTH_URL is not set.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launch } from './browser.mjs';

const BASE = process.env.APIGWD_AUTH_URL;
const AKID = process.env.CONSOLE_AKID;
const SECRET = process.env.CONSOLE_SECRET;
const REGION = 'eu-west-1';
const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = process.env.CONSOLE_OUT || path.join(HERE, '..', 'out', 'console');

describe('apigwd console with --auth sigv4', { skip: !(BASE && AKID && SECRET) && 'APIGWD_AUTH_URL is not set' }, () => {
  let browser;
  let page;
  const result = {};
  const shot = (label) => page.screenshot({ path: path.join(OUT, `auth-${label}.png`), fullPage: true });

  async function signIn(secret) {
    await page.locator('#credentials[open]').waitFor();
    await page.fill('#cred-akid', AKID);
    await page.fill('#cred-secret', secret);
    await page.fill('#cred-region', REGION);
    await page.click('#credentials-form button[type="submit"]');
  }

  before(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await launch();
    page = await browser.context.newPage();
    page.setDefaultTimeout(10000);
  });

  after(async () => {
    if (browser) await browser.close();
    if (process.env.CONSOLE_RESULT) writeFileSync(process.env.CONSOLE_RESULT, JSON.stringify(result, null, 2));
  });

  test('unsigned: refused, and the page asks for credentials', async () => {
    await page.goto(`${BASE}/console/`);
    await page.locator('.error-panel', { hasText: 'MissingAuthenticationTokenException' }).waitFor();
    await page.locator('#credentials[open]').waitFor();
    await shot('asks-for-credentials');
  });

  test('a wrong secret: the server\'s refusal is shown', async () => {
    await signIn('not-the-secret');
    const alert = page.locator('.error-panel');
    await alert.locator('.alert-title', { hasText: 'InvalidSignatureException' }).waitFor();
    assert.match(await alert.textContent(), /signature we calculated does not match/);
    await page.locator('#credentials[open]').waitFor();
    assert.match(await page.textContent('#cred-error'), /InvalidSignatureException/);
    await shot('wrong-secret');
  });

  test('signed in: every request is signed, the secret is kept nowhere but in memory', async () => {
    const auth = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname.startsWith('/v2/')) auth.push(r.headers().authorization || '');
    });
    await signIn(SECRET);
    await page.locator('h1', { hasText: 'APIs' }).waitFor();
    assert.equal(await page.textContent('#identity'), `Signed as ${AKID} · ${REGION}`);
    assert.equal(await page.inputValue('#cred-secret'), '');
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
    assert.ok(!stored.includes(SECRET));
    assert.ok(!page.url().includes(SECRET));

    await page.fill('#f-name', 'console-signed');
    await page.click('button:has-text("Create API")');
    await page.locator('h1', { hasText: 'console-signed' }).waitFor();
    result.apiId = /#\/apis\/([a-z0-9]{10})$/.exec(page.url())[1];
    await page.click('button:has-text("Create route")');
    await page.locator('h1', { hasText: 'Route $connect' }).waitFor();
    result.routeId = /routes\/([a-z0-9]+)$/.exec(page.url())[1];
    await page.click('#integration-request-link');
    await page.locator('#integration-form').waitFor();
    await page.fill('#f-lambdaFunction', 'HelloWorld:alpha');
    // The signing region is the Lambda Region's default, and the account the server names.
    assert.equal(await page.textContent('#lambda-uri'),
      'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:111122223333:function:HelloWorld:alpha/invocations');
    await page.click('#save-integration');
    const ok = await page.locator('.alert.ok', { hasText: 'Saved integration' }).textContent();
    result.integrationId = /Saved integration ([a-z0-9]+)/.exec(ok)[1];
    await shot('signed-integration-saved');
    assert.ok(auth.length >= 6, `${auth.length} /v2/ requests`);
    for (const a of auth.slice(-6)) {
      assert.match(a, new RegExp(`^AWS4-HMAC-SHA256 Credential=${AKID}/\\d{8}/${REGION}/apigateway/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$`));
    }
  });

  test('forgetting the credentials: unsigned again', async () => {
    await page.click('#credentials-button');
    await page.click('#cred-forget');
    await page.locator('.error-panel', { hasText: 'MissingAuthenticationTokenException' }).waitFor();
    assert.equal(await page.textContent('#identity'), 'Unsigned requests');
    await page.keyboard.press('Escape');
  });
});
