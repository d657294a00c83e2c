// console.test.mjs — the apigwd console (console/) in Debian's Chromium, driven by
// playwright-core: the seed's "Set up a WebSocket API integration request using the API Gateway
// console" steps (choose the API, Routes, the route, Integration Request, the integration type
// and its fields, Save) for
//   1. a Lambda proxy integration with an alias (HelloWorld:alpha), caller credentials and a
//      custom timeout,
//   2. a Lambda (non-proxy) integration with a version (HelloWorld:1) and an execution role,
//   3. a Mock integration with a template selection expression and a request template (then a
//      template added and removed again: UpdateIntegration merges and deletes keys),
//   4. a VPC link integration whose connection id is ${stageVariables.vpcLinkId},
// a value the server refuses (timeout 29001: its message beside the timeout field), the
// page's own check (timeout 49: no request sent), stages (create, stage variables, Deploy API),
// tags, the data-plane view, the error state and keyboard use. A screenshot of every step goes
// to CONSOLE_OUT (default tests/out/console/).
//
// Run by tests/e2e/test_console.py, which starts apigwd (APIGWD_URL), made a tagged API and a
// VPC link with the aws CLI beforehand (CONSOLE_VPC_LINK_ID), and afterwards reads every
// integration, route and stage back with the aws CLI from the ids this test writes to
// CONSOLE_RESULT. Skipped when APIGWD_URL is not set.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { launch } from './browser.mjs';

const BASE = process.env.APIGWD_URL;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT = process.env.CONSOLE_OUT || path.join(HERE, '..', 'out', 'console');
const VPC_LINK_ID = process.env.CONSOLE_VPC_LINK_ID || '';
const SERVER_TIMEOUT_MESSAGE = 'Invalid value for timeoutInMillis: 29001. Must be between 50 and 29000 for WEBSOCKET APIs';
const lambdaUri = (fn) => `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:${fn}/invocations`;

describe('apigwd console in Chromium', { skip: !BASE && 'APIGWD_URL is not set' }, () => {
  let browser;
  let page;
  let shots = 0;
  const pageErrors = [];
  const result = { routes: {}, integrations: {}, screenshots: [] };
  const name = `console-ws-${Date.now().toString(36)}`;

  async function shot(label) {
    shots += 1;
    const file = path.join(OUT, `${String(shots).padStart(2, '0')}-${label}.png`);
    await page.screenshot({ path: file, fullPage: true });
    result.screenshots.push(file);
  }

  async function api(method, p, body) {
    const r = await fetch(BASE + p, { method, body: body && JSON.stringify(body), headers: body ? { 'content-type': 'application/json' } : {} });
    const text = await r.text();
    return { status: r.status, body: text ? JSON.parse(text) : null };
  }

  // Waits until the page for `hash` is rendered (app.mjs marks main with data-view when a
  // view is shown and drops aria-busy), so no step acts on the page before it.
  async function waitView(hash) {
    await page.waitForFunction((h) => {
      const m = document.getElementById('main');
      return m.dataset.view === h && !m.hasAttribute('aria-busy');
    }, hash);
  }

  async function visit(hash, query = '') {
    await page.goto(`${BASE}/console/${query}${hash}`);
    await waitView(hash);
  }

  async function heading(text) {
    await page.locator('h1', { hasText: text }).waitFor();
  }

  // Waits for the success line of a new render (the one shown before `action` is detached
  // first, so an earlier message never passes for this one); returns its text.
  async function flash(text, action) {
    const old = await page.$('.alert.ok');
    if (action) await action();
    if (old) await page.waitForFunction((el) => !el.isConnected, old);
    const ok = page.locator('.alert.ok');
    await ok.waitFor();
    const got = await ok.textContent();
    if (typeof text === 'string') assert.ok(got.includes(text), `${got} includes ${text}`);
    else assert.match(got, text);
    return got;
  }

  async function openRoutes() {
    await visit(`#/apis/${result.apiId}/routes`);
    await heading(name);
  }

  async function createRoute(key, label) {
    await openRoutes();
    if (['$connect', '$disconnect', '$default'].includes(key)) {
      await page.check(`input[name="routeKeyChoice"][value="${key}"]`);
    } else {
      await page.check('input[name="routeKeyChoice"][value="custom"]');
      await page.fill('#f-routeKey', key);
    }
    await flash(`Created route ${key} (`, () => page.click('button:has-text("Create route")'));
    await heading(`Route ${key}`);
    const routeId = /routes\/([a-z0-9]+)$/.exec(page.url())[1];
    result.routes[label] = routeId;
    await shot(`route-${label}-created`);
    return routeId;
  }

  // Route page → "Integration Request", as the seed says.
  async function openIntegration(label) {
    const route = `#/apis/${result.apiId}/routes/${result.routes[label]}`;
    await visit(route);
    await page.locator('h2', { hasText: 'Route Overview' }).waitFor();
    await page.click('#integration-request-link');
    await waitView(`${route}/integration`);
    await page.locator('#integration-form').waitFor();
  }

  async function saveIntegration(label) {
    const text = await flash(/Saved integration/, () => page.click('#save-integration'));
    const id = /Saved integration ([a-z0-9]+)/.exec(text)[1];
    result.integrations[label] = id;
    assert.equal(await page.textContent('#integration-id'), id);
    return id;
  }

  before(async () => {
    mkdirSync(OUT, { recursive: true });
    browser = await launch();
    page = await browser.context.newPage();
    page.setDefaultTimeout(10000);
    page.on('pageerror', (e) => pageErrors.push(e.message));
  });

  after(async () => {
    if (browser) await browser.close();
    if (process.env.CONSOLE_RESULT) writeFileSync(process.env.CONSOLE_RESULT, JSON.stringify(result, null, 2));
  });

  test('the APIs page lists the APIs with their tags, and creates a WebSocket API', async () => {
    await page.goto(`${BASE}/console/`);
    await waitView('#/apis');
    await heading('APIs');
    const tagged = page.locator('tr', { hasText: 'console-tagged' });
    await tagged.waitFor();
    assert.match(await tagged.locator('.tags').textContent(), /team=platform/);
    await shot('apis');
    await page.fill('#f-name', name);
    await page.fill('#f-rse', '$request.body.action');
    await flash(/Created API/, () => page.click('button:has-text("Create API")'));
    await heading(name);
    result.apiId = /#\/apis\/([a-z0-9]{10})$/.exec(page.url())[1];
    assert.match(await page.locator('dl.details').textContent(), /\$request\.body\.action/);
    await shot('api-created');
  });

  test('routes: $connect, $disconnect, $default and a custom key', async () => {
    await createRoute('$connect', 'connect');
    await createRoute('$disconnect', 'disconnect');
    await createRoute('sendmessage', 'sendmessage');
    await createRoute('$default', 'default');
    await createRoute('relay', 'relay');
    // The page refuses a custom key starting with '$' as the server does.
    await openRoutes();
    await page.check('input[name="routeKeyChoice"][value="custom"]');
    await page.fill('#f-routeKey', '$oops');
    await page.click('button:has-text("Create route")');
    assert.equal(await page.textContent('#err-routeKey'), 'The provided route key is not formatted properly');
    await shot('route-key-refused');
  });

  test('Lambda proxy integration with an alias, caller credentials and a custom timeout', async () => {
    await openIntegration('connect');
    await shot('integration-request-empty');
    await page.check('#f-kind-lambda');
    await page.selectOption('#f-lambdaRegion', 'us-east-1');
    await page.check('#f-lambdaProxy');
    await page.fill('#f-lambdaFunction', 'HelloWorld:alpha');
    assert.equal(await page.textContent('#lambda-uri'), lambdaUri('HelloWorld:alpha'));
    await page.check('#f-callerCreds');
    assert.equal(await page.isDisabled('#f-roleArn'), true);
    await page.uncheck('#f-useDefaultTimeout');
    await page.fill('#f-timeout', '12000');
    await shot('lambda-proxy-filled');
    await saveIntegration('connect');
    // The form shows what the server stored.
    assert.equal(await page.inputValue('#f-lambdaFunction'), 'HelloWorld:alpha');
    assert.equal(await page.inputValue('#f-timeout'), '12000');
    assert.equal(await page.isChecked('#f-callerCreds'), true);
    await shot('lambda-proxy-saved');
  });

  test('Lambda integration with a version and an execution role', async () => {
    await openIntegration('disconnect');
    await page.uncheck('#f-lambdaProxy');
    await page.fill('#f-lambdaFunction', 'HelloWorld:1');
    await page.fill('#f-roleArn', 'arn:aws:iam::123456789012:role/apigateway-invoke-lambda');
    assert.equal(await page.isVisible('#group-templates'), true);  // not a proxy: templates apply
    await saveIntegration('disconnect');
    await shot('lambda-version-role-saved');
  });

  test('Mock integration with a template selection expression and a request template', async () => {
    await openIntegration('sendmessage');
    await page.check('#f-kind-mock');
    assert.equal(await page.isVisible('#group-timeout'), false);
    await page.fill('#f-tse', '\\$default');
    await page.click('#add-template');
    await page.fill('#templates .template-row:nth-child(1) input', 'application/json');
    await page.fill('#templates .template-row:nth-child(1) textarea', '{"statusCode":200}');
    await shot('mock-filled');
    const id = await saveIntegration('sendmessage');
    await shot('mock-saved');
    // Add a second template (UpdateIntegration merges it in) ...
    await page.click('#add-template');
    await page.fill('#templates .template-row:nth-child(2) input', 'text/plain');
    await page.fill('#templates .template-row:nth-child(2) textarea', 'hello');
    assert.equal(await saveIntegration('sendmessage'), id);
    let stored = await api('GET', `/v2/apis/${result.apiId}/integrations/${id}`);
    assert.deepEqual(stored.body.requestTemplates, { 'application/json': '{"statusCode":200}', 'text/plain': 'hello' });
    // ... and remove it again (sent as "", which deletes the key).
    await page.click('button[aria-label="Remove template text/plain"]');
    assert.equal(await saveIntegration('sendmessage'), id);
    stored = await api('GET', `/v2/apis/${result.apiId}/integrations/${id}`);
    assert.deepEqual(stored.body.requestTemplates, { 'application/json': '{"statusCode":200}' });
    await shot('mock-template-removed');
    // The saved integration's template for a sample message, by the gateway's own selection
    // (POST /_apigwd/.../preview): \$default selects the key "$default", which has no
    // template, so the message passes through; with a $default template it renders.
    await openIntegration('sendmessage');
    await page.fill('#f-preview-message', '{"action":"sendmessage","data":"hi"}');
    await page.click('#preview-run');
    await page.locator('#preview-outcome').waitFor();
    assert.match(await page.textContent('#preview-outcome'), /passes through unchanged/);
    assert.equal(await page.textContent('#preview-output'), '{"action":"sendmessage","data":"hi"}');
    await api('PATCH', `/v2/apis/${result.apiId}/integrations/${id}`,
      { requestTemplates: { $default: '{"said":"$input.path(\'$.data\')","stage":"$stageVariables.env"}' } });
    await page.fill('#f-preview-stage-variables', '{"env":"dev"}');
    await page.click('#preview-run');
    await page.locator('#preview-key').waitFor();
    assert.equal(await page.textContent('#preview-key'), '$default');
    assert.equal(await page.textContent('#preview-output'), '{"said":"hi","stage":"dev"}');
    await shot('mock-template-preview');
    // Put the integration back as the CLI check of test_console.py expects it.
    await api('PATCH', `/v2/apis/${result.apiId}/integrations/${id}`, { requestTemplates: { $default: '' } });
  });

  test('VPC link integration with the connection id from a stage variable', async () => {
    await openIntegration('default');
    await page.check('#f-kind-vpc');
    await page.check('#f-vpcProxy');
    if (VPC_LINK_ID) {
      assert.equal(await page.locator(`#f-vpcLink option[value="${VPC_LINK_ID}"]`).count(), 1);
    }
    await page.selectOption('#f-vpcLink', '[Use Stage Variables]');
    await page.fill('#f-vpcLinkVar', '${stageVariables.vpcLinkId}');
    await page.selectOption('#f-vpcMethod', 'POST');
    await page.fill('#f-vpcUrl', 'https://backend.example.internal/ws');
    await shot('vpc-link-filled');
    await saveIntegration('default');
    assert.equal(await page.inputValue('#f-vpcLinkVar'), '${stageVariables.vpcLinkId}');
    await shot('vpc-link-saved');
  });

  test('editing: Mock → AWS Service updates in place; → HTTP without the role replaces it', async () => {
    await openIntegration('relay');
    await page.check('#f-kind-mock');
    await page.click('#add-template');
    await page.fill('#templates .template-row:nth-child(1) input', 'application/json');
    await page.fill('#templates .template-row:nth-child(1) textarea', '{"action":"relay"}');
    const first = await saveIntegration('relay');
    // AWS Service (SQS, path override, execution role): UpdateIntegration of the same one.
    await page.check('#f-kind-aws');
    await page.selectOption('#f-awsRegion', 'us-east-1');
    await page.fill('#f-awsService', 'sqs');
    await page.selectOption('#f-awsMethod', 'POST');
    await page.check('#f-awsActionType-path');
    await page.fill('#f-awsAction', '123456789012/relay-queue');
    await page.fill('#f-awsRole', 'arn:aws:iam::123456789012:role/apigateway-sqs');
    await shot('aws-service-filled');
    assert.equal(await saveIntegration('relay'), first);
    const aws = (await api('GET', `/v2/apis/${result.apiId}/integrations/${first}`)).body;
    assert.equal(aws.integrationType, 'AWS');
    assert.equal(aws.integrationUri, 'arn:aws:apigateway:us-east-1:sqs:path/123456789012/relay-queue');
    assert.equal(aws.credentialsArn, 'arn:aws:iam::123456789012:role/apigateway-sqs');
    assert.equal(aws.integrationResponseSelectionExpression, '${integration.response.body.errorMessage}');
    assert.equal(await page.inputValue('#f-awsAction'), '123456789012/relay-queue');
    assert.equal(await page.isChecked('#f-awsActionType-path'), true);
    await shot('aws-service-saved');
    // HTTP without a role: credentialsArn cannot be removed by an update, so the console makes
    // a new integration, points the route at it and deletes the old one.
    await page.check('#f-kind-http');
    await page.selectOption('#f-httpMethod', 'GET');
    await page.fill('#f-httpUrl', 'https://backend.example.com/relay');
    const second = await saveIntegration('relay');
    assert.notEqual(second, first);
    assert.equal((await api('GET', `/v2/apis/${result.apiId}/integrations/${first}`)).status, 404);
    result.replacedIntegration = first;
    await shot('http-replaced');
  });

  test('a value the server refuses: its message beside the field; the page\'s own check first', async () => {
    // Page checks off: 29001 goes to the server, whose message appears by the timeout field.
    const panel = `#/apis/${result.apiId}/routes/${result.routes.connect}/integration`;
    await visit(panel, '?checks=off');
    await page.locator('#integration-form').waitFor();
    assert.equal(await page.isVisible('#checks-banner'), true);
    await page.fill('#f-timeout', '29001');
    const sent = page.waitForRequest((r) => r.method() === 'PATCH' && r.url().includes('/integrations/'));
    await page.click('#save-integration');
    await sent;
    const err = page.locator('#err-timeout');
    await err.waitFor();
    assert.equal(await err.textContent(), SERVER_TIMEOUT_MESSAGE);
    assert.equal(await err.getAttribute('data-source'), 'server');
    assert.equal(await page.getAttribute('#f-timeout', 'aria-invalid'), 'true');
    assert.match(await page.textContent('.form-alert'), /BadRequestException/);
    // The error line sits right under the timeout field.
    const box = await page.locator('#f-timeout').boundingBox();
    const errBox = await err.boundingBox();
    assert.ok(errBox.y > box.y && errBox.y - (box.y + box.height) < 60, 'the message is beside the field');
    await shot('timeout-refused-by-server');

    // Page checks on: the same value is refused in the page with the server's words, and 49
    // too, without a request.
    await visit(panel);
    await page.locator('#integration-form').waitFor();
    assert.equal(await page.isVisible('#checks-banner'), false);
    let patches = 0;
    page.on('request', (r) => { if (r.method() === 'PATCH') patches += 1; });
    await page.fill('#f-timeout', '29001');
    await page.click('#save-integration');
    assert.equal(await page.textContent('#err-timeout'), SERVER_TIMEOUT_MESSAGE);
    await page.fill('#f-timeout', '49');
    await page.click('#save-integration');
    assert.equal(await page.textContent('#err-timeout'), 'Invalid value for timeoutInMillis: 49. Must be between 50 and 29000 for WEBSOCKET APIs');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'f-timeout');
    assert.equal(patches, 0);
    await shot('timeout-refused-by-page');
  });

  test('stages: create, stage variables, Deploy API', async () => {
    await visit(`#/apis/${result.apiId}/routes`);
    await heading(name);
    await page.click('.tabs a:has-text("Stages")');
    await waitView(`#/apis/${result.apiId}/stages`);
    await page.locator('#create-stage-h').waitFor();
    await page.fill('#f-stageName', 'production');
    await flash(/Created stage production/, () => page.click('button:has-text("Create stage")'));
    await shot('stage-created');
    await page.click('a:has-text("production")');
    await waitView(`#/apis/${result.apiId}/stages/production`);
    await heading('Stage production');
    await page.click('button:has-text("Add stage variable")');
    await page.fill('.var-row input[id$="-name"]', 'vpcLinkId');
    await page.fill('.var-row input[id$="-value"]', VPC_LINK_ID || 'abcdef1');
    await flash(/Saved the stage variables/, () => page.click('button:has-text("Save stage variables")'));
    await shot('stage-variables-saved');
    await page.fill('#f-deployDescription', 'from the console');
    const text = await flash(/Deployed the API to stage production: deployment/,
      () => page.click('#deploy-form button[type="submit"]'));
    result.deploymentId = /deployment ([a-z0-9]+)/.exec(text)[1];
    assert.equal(await page.textContent('#stage-deployment'), result.deploymentId);
    result.stageName = 'production';
    await shot('deployed');
  });

  test('the data-plane view: current revision, workers and how far behind', async () => {
    const now = (await api('GET', '/dataplane/v1/workers')).body.revision;
    assert.equal((await api('PUT', '/dataplane/v1/workers/console-gw-1', { apiId: result.apiId, stageName: 'production', revision: now })).status, 200);
    assert.equal((await api('PUT', '/dataplane/v1/workers/console-gw-2', { apiId: result.apiId, stageName: 'production', revision: 1 })).status, 200);
    await page.click('a[data-nav="dataplane"]');
    await waitView('#/dataplane');
    await heading('Data plane');
    assert.equal(await page.textContent('#dp-revision'), String(now));
    const behind = page.locator('tr', { hasText: 'console-gw-2' });
    assert.equal(await behind.locator('.badge').textContent(), `${now - 1} behind`);
    assert.equal(await page.locator('tr', { hasText: 'console-gw-1' }).locator('.badge').textContent(), 'up to date');
    await shot('dataplane');
  });

  test('error and loading states: an unknown API shows the server\'s error and a retry', async () => {
    await visit('#/apis/nosuchapi0');
    const alert = page.locator('.error-panel');
    await alert.waitFor();
    assert.match(await alert.textContent(), /NotFoundException/);
    assert.match(await alert.textContent(), /Invalid API identifier specified 000000000000:nosuchapi0/);
    assert.equal(await page.locator('button:has-text("Try again")').count(), 1);
    await shot('error-state');
  });

  test('keyboard: skip link first, Enter submits, the new page\'s heading takes focus', async () => {
    await visit('#/apis');
    await page.reload();
    await waitView('#/apis');
    await heading('APIs');
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.className), 'skip');
    await page.focus('#f-name');
    await page.keyboard.type('console-keyboard');
    await page.keyboard.press('Enter');
    await heading('console-keyboard');
    await page.waitForFunction(() => document.activeElement.tagName === 'H1' || document.activeElement.matches('.alert.ok'));
    // Tab from the top reaches the API's tabs by keyboard alone.
    await page.locator('.tabs a:has-text("Stages")').focus();
    await page.keyboard.press('Enter');
    await page.locator('#create-stage-h').waitFor();
    await shot('keyboard');
    assert.deepEqual(pageErrors, []);
  });
});

