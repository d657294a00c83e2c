// views.mjs — the console's pages other than the Integration Request panel: the APIs (list,
// create), one API (details, tags, its routes or its stages), a route's overview, a stage
// (stage variables editor, Deploy API) and the data plane (revision, workers, how far behind).
//
// Every view is `async (app, ...params)`: it fetches what it shows, then replaces the page's
// content in one go (app.show); a thrown ApiError becomes the page's error state (app.js).
// Forms check values as the server would before sending (unless ?checks=off) and put the
// server's own message next to the field it names when it refuses.

import { ApiError, listAll, request, seg } from './api.mjs';
import {
  checkbox, details, errorPanel, field, h, replace, select, showErrors, table, tagList, when,
} from './dom.mjs';

const HTTP_RSE = '$request.method $request.path';
const WS_RSE = '$request.body.action';
const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'ANY'];

/** The key of the first [regex, key] pair whose regex matches message, or ''. */
function fieldFor(message, pairs) {
  for (const [re, key] of pairs) if (re.test(message || '')) return key;
  return '';
}

/**
 * Submits form `el` with `send` (an async function) after `check` (→ {key: message}) passes;
 * on an ApiError shows its message next to the field `errorField(message)` names (or above the
 * form), with the error name in the form's alert. The submit button is disabled and says
 * `busyText` while the request runs.
 */
export function wireForm(app, el, { check, send, errorField, busyText = 'Saving' }) {
  el.noValidate = true;
  el.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = el.querySelector('button[type="submit"]');
    const errors = app.checks ? check() : {};
    if (showErrors(el, errors)) return;
    const label = button.textContent;
    button.disabled = true;
    button.textContent = `${busyText}…`;
    el.setAttribute('aria-busy', 'true');
    try {
      await send();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.isAuth) app.askCredentials(e);
      const key = errorField ? errorField(e.message) : '';
      showErrors(el, key ? { [key]: e.message } : {});
      const alert = el.querySelector('.form-alert');
      if (alert) {
        alert.hidden = false;
        replace(alert, h('p', {}, h('strong', {}, e.name), key
          ? ': apigwd refused the request; its message is shown next to the field.'
          : `: ${e.message}`));
      }
      for (const p of el.querySelectorAll('p.error:not([hidden])')) p.dataset.source = 'server';
    } finally {
      if (button.isConnected) {
        button.disabled = false;
        button.textContent = label;
      }
      el.removeAttribute('aria-busy');
    }
  });
}

function formAlert() {
  return h('div', { class: 'form-alert', role: 'alert', hidden: true });
}

function apiCrumbs(api) {
  return [{ label: 'APIs', href: '#/apis' }, { label: api.name, href: `#/apis/${seg(api.apiId)}` }];
}

// ---- APIs ----

export async function apisView(app) {
  app.crumbs([{ label: 'APIs' }]);
  const apis = await listAll('/v2/apis');
  apis.sort((a, b) => (a.createdDate < b.createdDate ? 1 : -1));
  const list = apis.length
    ? h('div', { class: 'table-wrap' }, table(`${apis.length} API${apis.length === 1 ? '' : 's'}`,
      ['Name', 'ID', 'Protocol', 'Route selection expression', 'Created', 'Tags'],
      apis.map((a) => [
        h('a', { href: `#/apis/${seg(a.apiId)}` }, a.name),
        h('code', {}, a.apiId),
        a.protocolType,
        h('code', {}, a.routeSelectionExpression || ''),
        when(a.createdDate),
        tagList(a.tags),
      ])))
    : h('p', { class: 'empty' }, 'No APIs yet: create one with the form.');
  app.show(h('h1', { tabindex: '-1' }, 'APIs'),
    h('p', { class: 'subtitle' }, 'WebSocket and HTTP APIs of this account and region.'),
    h('div', { class: 'grid2' },
      h('section', { class: 'card', 'aria-labelledby': 'apis-list-h' }, h('h2', { id: 'apis-list-h' }, 'Your APIs'), list),
      createApiForm(app)));
}

function createApiForm(app) {
  const name = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const rse = h('input', { type: 'text', value: WS_RSE, autocomplete: 'off', spellcheck: 'false' });
  const description = h('input', { type: 'text', autocomplete: 'off' });
  const radio = (value, label, checked) => h('label', {},
    h('input', { type: 'radio', name: 'protocol', value, checked, id: `f-protocol-${value}` }), label);
  const protocols = h('fieldset', { dataset: { field: 'protocol' } },
    h('legend', {}, 'Protocol'),
    h('div', { class: 'radios' }, radio('WEBSOCKET', 'WebSocket', true), radio('HTTP', 'HTTP', false)),
    h('p', { class: 'error', id: 'err-protocol', hidden: true }));
  const protocol = () => protocols.querySelector('input:checked').value;
  protocols.addEventListener('change', () => {
    const http = protocol() === 'HTTP';
    rse.readOnly = http;
    if (http) rse.value = HTTP_RSE;
    else if (rse.value === HTTP_RSE) rse.value = WS_RSE;
  });
  const form = h('form', { class: 'card', 'aria-labelledby': 'create-api-h' },
    h('h2', { id: 'create-api-h' }, 'Create API'),
    formAlert(),
    field('name', 'Name', name, '1 to 128 characters.'),
    protocols,
    field('rse', 'Route selection expression', rse,
      'WebSocket: where API Gateway finds the route key in a message, e.g. $request.body.action. HTTP APIs always use $request.method $request.path.'),
    field('description', 'Description (optional)', description),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, 'Create API')));
  wireForm(app, form, {
    busyText: 'Creating',
    check() {
      const e = {};
      const n = name.value;
      if (!n) e.name = 'name is a required member';
      else if (n.length > 128) e.name = `Invalid value for name: length ${n.length}. Must be between 1 and 128 characters`;
      if (protocol() === 'WEBSOCKET' && !rse.value.trim()) e.rse = 'routeSelectionExpression is a required parameter for WEBSOCKET APIs';
      if (protocol() === 'HTTP' && rse.value !== HTTP_RSE && rse.value !== '${request.method} ${request.path}') {
        e.rse = `Unsupported route selection expression for HTTP API: ${rse.value}. The only supported value is ${HTTP_RSE}`;
      }
      if (description.value.length > 1024) e.description = `Invalid value for description: length ${description.value.length}. Must be between 0 and 1024 characters`;
      return e;
    },
    async send() {
      const body = { name: name.value, protocolType: protocol(), routeSelectionExpression: rse.value.trim() };
      if (description.value) body.description = description.value;
      const api = await request('POST', '/v2/apis', { body });
      app.flash(`Created API ${api.name} (${api.apiId}).`);
      app.go(`#/apis/${seg(api.apiId)}`);
    },
    errorField: (m) => fieldFor(m, [[/protocol/i, 'protocol'], [/route selection expression|routeSelectionExpression/i, 'rse'],
      [/description/i, 'description'], [/\bname\b/i, 'name']]),
  });
  return form;
}

// ---- one API: routes, stages ----

function apiHeader(api, tab) {
  const base = `#/apis/${seg(api.apiId)}`;
  const tabLink = (id, label) => h('li', {}, h('a', { href: `${base}/${id}`, 'aria-current': tab === id ? 'page' : null }, label));
  return [
    h('h1', { tabindex: '-1' }, api.name),
    h('p', { class: 'subtitle' }, `${api.protocolType === 'HTTP' ? 'HTTP' : 'WebSocket'} API `, h('code', {}, api.apiId)),
    h('section', { class: 'card', 'aria-label': 'API details' },
      details([
        ['API ID', h('code', {}, api.apiId)],
        ['Protocol', api.protocolType],
        ['Endpoint', h('code', {}, api.apiEndpoint || '')],
        ['Route selection expression', h('code', {}, api.routeSelectionExpression || '')],
        ['Description', api.description],
        ['Created', when(api.createdDate)],
        ['Tags', tagList(api.tags)],
      ])),
    h('nav', { 'aria-label': 'API sections' }, h('ul', { class: 'tabs' }, tabLink('routes', 'Routes'), tabLink('stages', 'Stages'))),
  ];
}

export async function apiView(app, apiId, tab) {
  const api = await request('GET', `/v2/apis/${seg(apiId)}`);
  app.crumbs([...apiCrumbs(api), { label: tab === 'stages' ? 'Stages' : 'Routes' }]);
  const body = tab === 'stages' ? await stagesTab(app, api) : await routesTab(app, api);
  app.show(apiHeader(api, tab), body);
}

async function routesTab(app, api) {
  const routes = await listAll(`/v2/apis/${seg(api.apiId)}/routes`);
  routes.sort((a, b) => (a.routeKey < b.routeKey ? -1 : 1));
  const base = `#/apis/${seg(api.apiId)}/routes`;
  const list = routes.length
    ? h('div', { class: 'table-wrap' }, table('Routes', ['Route key', 'Route ID', 'Integration', 'Authorization'],
      routes.map((r) => [
        h('a', { href: `${base}/${seg(r.routeId)}` }, r.routeKey),
        h('code', {}, r.routeId),
        r.target ? h('code', {}, r.target) : h('span', { class: 'muted' }, 'none'),
        r.authorizationType || 'NONE',
      ])))
    : h('p', { class: 'empty' }, 'No routes yet: create one with the form.');
  return h('div', { class: 'grid2' },
    h('section', { class: 'card', 'aria-label': 'Routes' }, list),
    createRouteForm(app, api, routes));
}

function createRouteForm(app, api, routes) {
  const ws = api.protocolType !== 'HTTP';
  const choices = ws ? ['$connect', '$disconnect', '$default', 'custom'] : ['$default', 'custom'];
  const custom = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', disabled: true,
    placeholder: ws ? 'sendmessage' : 'GET /pets/{id}' });
  const radios = h('div', { class: 'radios' }, choices.map((c, i) =>
    h('label', {}, h('input', { type: 'radio', name: 'routeKeyChoice', value: c, checked: i === 0, id: `f-routeKeyChoice-${i}` }),
      c === 'custom' ? 'Custom route key' : h('code', {}, c))));
  const choice = () => radios.querySelector('input:checked').value;
  radios.addEventListener('change', () => {
    custom.disabled = choice() !== 'custom';
    if (!custom.disabled) custom.focus();
  });
  const key = () => (choice() === 'custom' ? custom.value : choice());
  const form = h('form', { class: 'card', 'aria-labelledby': 'create-route-h' },
    h('h2', { id: 'create-route-h' }, 'Create route'),
    formAlert(),
    h('fieldset', {}, h('legend', {}, 'Route key'), radios,
      field('routeKey', 'Custom route key', custom, ws
        ? 'A custom key is matched against the route selection expression\'s value; it must not start with $.'
        : 'METHOD /path, with METHOD one of GET, POST, PUT, PATCH, DELETE, HEAD, OPTIONS, ANY.')),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, 'Create route')));
  wireForm(app, form, {
    busyText: 'Creating',
    check() {
      const k = key();
      const e = {};
      if (!k) e.routeKey = 'routeKey is a required member';
      else if (k.length > 512) e.routeKey = `Invalid value for routeKey: length ${k.length}. Must be between 1 and 512 characters`;
      else if (ws && k.startsWith('$') && !['$connect', '$disconnect', '$default'].includes(k)) e.routeKey = 'The provided route key is not formatted properly';
      else if (!ws && k !== '$default' && !validHttpKey(k)) e.routeKey = `The provided route key is not formatted properly: ${k}. HTTP API route keys are $default or 'METHOD /path'`;
      else if (routes.some((r) => r.routeKey === k)) e.routeKey = `Route with key ${k} already exists for this API`;
      return e;
    },
    async send() {
      const r = await request('POST', `/v2/apis/${seg(api.apiId)}/routes`, { body: { routeKey: key() } });
      app.flash(`Created route ${r.routeKey} (${r.routeId}).`);
      app.go(`#/apis/${seg(api.apiId)}/routes/${seg(r.routeId)}`);
    },
    errorField: (m) => (/route key|routeKey/i.test(m) ? 'routeKey' : ''),
  });
  return form;
}

function validHttpKey(k) {
  const m = /^([A-Z]+) (\/.*)$/.exec(k);
  if (!m || !ROUTE_METHODS.includes(m[1])) return false;
  const path = m[2];
  if (/[\s?#]/.test(path)) return false;
  const segs = path.slice(1).split('/');
  return segs.every((s, i) => {
    if (s === '' && i !== segs.length - 1) return false;
    if (!/[{}]/.test(s)) return true;
    return /^\{[A-Za-z0-9._-]+\}$/.test(s) || (i === segs.length - 1 && /^\{[A-Za-z0-9._-]+\+\}$/.test(s));
  });
}

// ---- a route ----

export async function routeView(app, apiId, routeId) {
  const [api, route] = await Promise.all([
    request('GET', `/v2/apis/${seg(apiId)}`),
    request('GET', `/v2/apis/${seg(apiId)}/routes/${seg(routeId)}`),
  ]);
  const integrationId = (route.target || '').startsWith('integrations/') ? route.target.slice(13) : '';
  let integration = null;
  let integrationError = null;
  if (integrationId) {
    try {
      integration = await request('GET', `/v2/apis/${seg(apiId)}/integrations/${seg(integrationId)}`);
    } catch (e) {
      integrationError = e;
    }
  }
  app.crumbs([...apiCrumbs(api), { label: 'Routes', href: `#/apis/${seg(apiId)}/routes` }, { label: route.routeKey }]);
  const integrationHref = `#/apis/${seg(apiId)}/routes/${seg(routeId)}/integration`;
  app.show(
    h('h1', { tabindex: '-1' }, `Route ${route.routeKey}`),
    h('p', { class: 'subtitle' }, `${api.name} · route `, h('code', {}, route.routeId)),
    h('div', { class: 'grid2' },
      h('section', { class: 'card', 'aria-labelledby': 'overview-h' },
        h('h2', { id: 'overview-h' }, 'Route Overview'),
        details([
          ['Route key', h('code', {}, route.routeKey)],
          ['Route ID', h('code', {}, route.routeId)],
          ['Target', route.target ? h('code', {}, route.target) : h('span', { class: 'muted' }, 'none')],
          ['Authorization', route.authorizationType || 'NONE'],
          ['API key required', route.apiKeyRequired ? 'yes' : 'no'],
          ['Route response selection expression', route.routeResponseSelectionExpression],
        ])),
      h('section', { class: 'card', 'aria-labelledby': 'ir-h' },
        h('h2', { id: 'ir-h' }, 'Integration Request'),
        integration
          ? details([
            ['Integration ID', h('code', {}, integration.integrationId)],
            ['Type', integration.integrationType],
            ['Connection', integration.connectionType === 'VPC_LINK' ? `VPC link ${integration.connectionId}` : integration.connectionType],
            ['URI', integration.integrationUri ? h('code', { class: 'break' }, integration.integrationUri) : ''],
            ['Timeout', integration.timeoutInMillis ? `${integration.timeoutInMillis} ms` : ''],
          ])
          : integrationError ? errorPanel(integrationError)
            : h('p', { class: 'empty' }, 'No integration yet: this route has no backend.'),
        h('p', { class: 'actions' }, h('a', { class: 'btn', href: integrationHref, id: 'integration-request-link' }, 'Integration Request')))));
}

// ---- stages ----

async function stagesTab(app, api) {
  const base = `/v2/apis/${seg(api.apiId)}`;
  const [stages, deployments, routes] = await Promise.all([
    listAll(`${base}/stages`), listAll(`${base}/deployments`), listAll(`${base}/routes`)]);
  stages.sort((a, b) => (a.stageName < b.stageName ? -1 : 1));
  deployments.sort((a, b) => (a.createdDate < b.createdDate ? 1 : -1));
  const list = stages.length
    ? h('div', { class: 'table-wrap' }, table('Stages', ['Stage', 'Deployment', 'Auto deploy', 'Last updated', 'Tags'],
      stages.map((s) => [
        h('a', { href: `#/apis/${seg(api.apiId)}/stages/${seg(s.stageName)}` }, s.stageName),
        s.deploymentId ? h('code', {}, s.deploymentId) : h('span', { class: 'muted' }, 'not deployed'),
        s.autoDeploy ? 'yes' : 'no',
        when(s.lastUpdatedDate),
        tagList(s.tags),
      ])))
    : h('p', { class: 'empty' }, 'No stages yet: create one, then deploy the API to it.');
  const deps = deployments.length
    ? h('div', { class: 'table-wrap' }, table('Deployments', ['Deployment', 'Status', 'Created', 'Description'],
      deployments.map((d) => [h('code', {}, d.deploymentId), d.deploymentStatus, when(d.createdDate), d.description || ''])))
    : h('p', { class: 'empty' }, 'No deployments yet.');
  return h('div', {},
    h('div', { class: 'grid2' },
      h('section', { class: 'card', 'aria-label': 'Stages' }, list),
      h('div', {}, createStageForm(app, api, stages), deployForm(app, api, stages, routes, ''))),
    h('section', { class: 'card', 'aria-label': 'Deployments' }, deps));
}

function stageNameError(name, api, stages) {
  if (!name) return 'stageName is a required member';
  if (name.length > 128) return `Invalid value for stageName: length ${name.length}. Must be between 1 and 128 characters`;
  if (!(/^[A-Za-z0-9_-]+$/.test(name) || (name === '$default'))) {
    return `Invalid stage name specified: ${name}. Stage names can only contain alphanumeric characters, hyphens, and underscores, or be $default`;
  }
  if (stages.some((s) => s.stageName === name)) return 'Stage already exists';
  return '';
}

function createStageForm(app, api, stages) {
  const name = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const description = h('input', { type: 'text', autocomplete: 'off' });
  const form = h('form', { class: 'card', 'aria-labelledby': 'create-stage-h' },
    h('h2', { id: 'create-stage-h' }, 'Create stage'),
    formAlert(),
    field('stageName', 'Stage name', name, 'Letters, digits, hyphens and underscores, e.g. production.'),
    field('stageDescription', 'Description (optional)', description),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, 'Create stage')));
  wireForm(app, form, {
    busyText: 'Creating',
    check() {
      const e = {};
      const err = stageNameError(name.value, api, stages);
      if (err) e.stageName = err;
      if (description.value.length > 1024) e.stageDescription = `Invalid value for description: length ${description.value.length}. Must be between 0 and 1024 characters`;
      return e;
    },
    async send() {
      const body = { stageName: name.value };
      if (description.value) body.description = description.value;
      const s = await request('POST', `/v2/apis/${seg(api.apiId)}/stages`, { body });
      app.flash(`Created stage ${s.stageName}.`);
      app.rerender();
    },
    errorField: (m) => fieldFor(m, [[/description/i, 'stageDescription'], [/stage/i, 'stageName']]),
  });
  return form;
}

/** "Deploy API": CreateDeployment with stageName (a fixed stage when `fixed` is given). */
function deployForm(app, api, stages, routes, fixed) {
  const stage = fixed ? null : select(stages.map((s) => s.stageName), stages[0] && stages[0].stageName);
  const description = h('input', { type: 'text', autocomplete: 'off' });
  const form = h('form', { class: 'card', 'aria-labelledby': 'deploy-h', id: 'deploy-form' },
    h('h2', { id: 'deploy-h' }, 'Deploy API'),
    h('p', { class: 'hint' }, fixed ? `Snapshot the API's routes and integrations and point stage ${fixed} at it.`
      : 'Snapshot the API\'s routes and integrations and point a stage at the snapshot.'),
    formAlert(),
    fixed ? null : field('deployStage', 'Stage', stage),
    fixed || stages.length ? null : h('p', { class: 'empty' }, 'Create a stage first.'),
    field('deployDescription', 'Deployment description (optional)', description),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary', disabled: !fixed && !stages.length }, 'Deploy API')));
  wireForm(app, form, {
    busyText: 'Deploying',
    check() {
      const e = {};
      if (api.protocolType !== 'HTTP' && !routes.length) e[''] = 'At least one route is required before deploying the Api';
      if (!fixed && !stage.value) e.deployStage = 'Invalid stage identifier specified';
      if (description.value.length > 1024) e.deployDescription = `Invalid value for description: length ${description.value.length}. Must be between 0 and 1024 characters`;
      return e;
    },
    async send() {
      const stageName = fixed || stage.value;
      const body = { stageName };
      if (description.value) body.description = description.value;
      const d = await request('POST', `/v2/apis/${seg(api.apiId)}/deployments`, { body });
      app.flash(`Deployed the API to stage ${stageName}: deployment ${d.deploymentId}.`);
      app.rerender();
    },
    errorField: (m) => fieldFor(m, [[/description/i, 'deployDescription'], [/stage/i, fixed ? '' : 'deployStage']]),
  });
  return form;
}

export async function stageView(app, apiId, stageName) {
  const base = `/v2/apis/${seg(apiId)}`;
  const [api, stage, routes] = await Promise.all([
    request('GET', base), request('GET', `${base}/stages/${seg(stageName)}`), listAll(`${base}/routes`)]);
  app.crumbs([...apiCrumbs(api), { label: 'Stages', href: `#/apis/${seg(apiId)}/stages` }, { label: stage.stageName }]);
  app.show(
    h('h1', { tabindex: '-1' }, `Stage ${stage.stageName}`),
    h('p', { class: 'subtitle' }, `${api.name} · `, h('code', {}, api.apiId)),
    h('div', { class: 'grid2' },
      h('div', {},
        h('section', { class: 'card', 'aria-labelledby': 'stage-details-h' },
          h('h2', { id: 'stage-details-h' }, 'Stage details'),
          details([
            ['Stage name', h('code', {}, stage.stageName)],
            ['Deployment', stage.deploymentId ? h('code', { id: 'stage-deployment' }, stage.deploymentId) : h('span', { class: 'muted', id: 'stage-deployment' }, 'not deployed')],
            ['Auto deploy', stage.autoDeploy ? 'yes' : 'no'],
            ['Description', stage.description],
            ['Created', when(stage.createdDate)],
            ['Last updated', when(stage.lastUpdatedDate)],
            ['Invoke URL', api.apiEndpoint ? h('code', {}, `${api.apiEndpoint}/${stage.stageName}`) : ''],
            ['Tags', tagList(stage.tags)],
          ])),
        deployForm(app, api, [stage], routes, stage.stageName)),
      stageVariablesForm(app, api, stage)));
}

const VAR_NAME_RE = /^[A-Za-z0-9_]+$/;
const VAR_VALUE_RE = /^[A-Za-z0-9\-._~:/?#&=,]+$/;

function stageVariablesForm(app, api, stage) {
  const original = stage.stageVariables || {};
  const rows = h('div', { id: 'stage-variables' });
  let counter = 0;
  const addRow = (name = '', value = '') => {
    const i = counter++;
    const n = h('input', { type: 'text', value: name, autocomplete: 'off', spellcheck: 'false' });
    const v = h('input', { type: 'text', value, autocomplete: 'off', spellcheck: 'false' });
    const row = h('div', { class: 'var-row', dataset: { row: String(i) } },
      field(`var${i}-name`, 'Name', n),
      field(`var${i}-value`, 'Value', v),
      h('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove stage variable ${name || i + 1}`,
        on: { click: () => { row.remove(); addButton.focus(); } } }, 'Remove'));
    rows.append(row);
    return n;
  };
  const addButton = h('button', { type: 'button', class: 'secondary', on: { click: () => addRow().focus() } }, 'Add stage variable');
  for (const [k, v] of Object.entries(original)) addRow(k, v);
  const read = () => [...rows.querySelectorAll('.var-row')].map((r) => ({
    i: r.dataset.row,
    name: r.querySelector(`#f-var${r.dataset.row}-name`).value.trim(),
    value: r.querySelector(`#f-var${r.dataset.row}-value`).value,
  }));
  const form = h('form', { class: 'card', 'aria-labelledby': 'vars-h' },
    h('h2', { id: 'vars-h' }, 'Stage variables'),
    h('p', { class: 'hint' }, 'Name/value pairs that integrations read as ${stageVariables.NAME}, e.g. vpcLinkId for a VPC link integration.'),
    formAlert(),
    rows,
    h('div', { class: 'buttons' }, addButton, h('button', { type: 'submit', class: 'primary' }, 'Save stage variables')));
  if (!Object.keys(original).length) rows.append(h('p', { class: 'empty', id: 'no-vars' }, 'No stage variables.'));
  addButton.addEventListener('click', () => { const p = rows.querySelector('#no-vars'); if (p) p.remove(); });
  wireForm(app, form, {
    check() {
      const e = {};
      const seen = new Set();
      const vars = read();
      if (vars.length > 100) e[''] = 'Invalid value for stageVariables: at most 100 stage variables are allowed per stage';
      for (const v of vars) {
        if (!VAR_NAME_RE.test(v.name)) e[`var${v.i}-name`] = v.name ? `Invalid stage variable name: ${v.name}. Stage variable names can only contain alphanumeric and underscore characters` : 'Enter a name';
        else if (seen.has(v.name)) e[`var${v.i}-name`] = `Duplicate stage variable ${v.name}`;
        else if (!VAR_VALUE_RE.test(v.value) || v.value.length > 2048) {
          e[`var${v.i}-value`] = v.value.length > 2048
            ? `Invalid value for stageVariables.${v.name}: length ${v.value.length}. Must be between 0 and 2048 characters`
            : `Invalid value for stage variable ${v.name}: "${v.value}". Stage variable values must match [A-Za-z0-9-._~:/?#&=,]+`;
        }
        seen.add(v.name);
      }
      return e;
    },
    async send() {
      const vars = read();
      const stageVariables = {};
      for (const k of Object.keys(original)) stageVariables[k] = '';
      for (const v of vars) stageVariables[v.name] = v.value;
      await request('PATCH', `/v2/apis/${seg(api.apiId)}/stages/${seg(stage.stageName)}`, { body: { stageVariables } });
      app.flash('Saved the stage variables.');
      app.rerender();
    },
    errorField: (m) => {
      const named = /stage variable (?:name: )?([A-Za-z0-9_]+)/i.exec(m);
      const row = named && read().find((v) => v.name === named[1]);
      if (!row) return '';
      return /name/i.test(m) ? `var${row.i}-name` : `var${row.i}-value`;
    },
  });
  return form;
}

// ---- data plane ----

export async function dataplaneView(app) {
  app.crumbs([{ label: 'Data plane' }]);
  const content = h('div', {});
  const stamp = h('p', { class: 'hint', id: 'dp-updated' });
  const auto = checkbox('dpAuto', 'Refresh every 5 seconds', true);
  const refresh = h('button', { type: 'button', class: 'secondary', on: { click: () => load(true) } }, 'Refresh now');
  let timer = null;
  async function load(manual) {
    let r;
    try {
      r = await request('GET', '/dataplane/v1/workers');
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      replace(content, errorPanel(e), e.status === 401 ? tokenForm(app, () => load(true)) : null);
      return;
    }
    if (!content.isConnected && !manual) return;
    const items = r.items || [];
    items.sort((a, b) => (b.behind - a.behind) || (a.workerId < b.workerId ? -1 : 1));
    const stale = items.filter((w) => w.behind > 0).length;
    replace(content,
      h('div', { class: 'grid2' },
        h('section', { class: 'card', 'aria-labelledby': 'rev-h' },
          h('h2', { id: 'rev-h' }, 'Current revision'),
          h('p', { class: 'big', id: 'dp-revision' }, String(r.revision)),
          h('p', { class: 'hint' }, 'Every committed change takes the next revision; a worker is behind by the revisions it has not applied yet.')),
        h('section', { class: 'card', 'aria-labelledby': 'sum-h' },
          h('h2', { id: 'sum-h' }, 'Workers'),
          h('p', {}, items.length ? `${items.length} worker${items.length === 1 ? '' : 's'} reported in; ${stale ? `${stale} behind` : 'all up to date'}.`
            : 'No worker has reported in yet.'))),
      items.length ? h('section', { class: 'card', 'aria-label': 'Worker reports' }, h('div', { class: 'table-wrap' },
        table('Worker reports', ['Worker', 'API', 'Stage', 'Applied revision', 'Behind', 'Reported at'],
          items.map((w) => [
            h('code', {}, w.workerId),
            w.apiId ? h('a', { href: `#/apis/${seg(w.apiId)}` }, w.apiId) : '',
            w.stageName || '',
            String(w.revision),
            w.behind > 0 ? h('span', { class: 'badge bad' }, `${w.behind} behind`) : h('span', { class: 'badge good' }, 'up to date'),
            when(w.reportedAt),
          ])))) : null);
    stamp.textContent = `Updated ${new Date().toLocaleTimeString()}.`;
  }
  function schedule() {
    clearInterval(timer);
    timer = null;
    if (auto.querySelector('input').checked) timer = setInterval(() => load(false).catch(() => {}), 5000);
  }
  auto.addEventListener('change', schedule);
  app.onLeave(() => clearInterval(timer));
  await load(true);
  app.show(h('h1', { tabindex: '-1' }, 'Data plane'),
    h('p', { class: 'subtitle' }, 'The gateway workers that follow this apigwd (docs/dataplane.md) and how far behind each is.'),
    h('div', { class: 'actions' }, refresh, auto), stamp, content);
  schedule();
}

function tokenForm(app, retry) {
  const token = h('input', { type: 'password', autocomplete: 'off' });
  const form = h('form', { class: 'card' }, h('h2', {}, 'Data-plane token'),
    h('p', { class: 'hint' }, 'apigwd runs with --dataplane-token: enter it to read the worker reports (kept in this page\'s memory only).'),
    field('dpToken', 'Token', token),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'primary' }, 'Use token')));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    app.setDataplaneToken(token.value);
    retry();
  });
  return form;
}
