// integration-view.mjs — a route's Integration Request panel, the seed's console steps: choose
// the integration type (Lambda Function, HTTP, Mock, AWS Service, VPC Link), fill in its
// fields, the timeout, the request templates, then Save: CreateIntegration (or
// UpdateIntegration of the route's current one) and UpdateRoute pointing the route's target
// at it. The model (checks, body, URI composition) is integration.mjs.

import { ApiError, callerAccount, listAll, request, seg } from './api.mjs';
import { checkbox, field, h, replace, select, showErrors } from './dom.mjs';
import {
  CALLER_CREDENTIALS, HTTP_METHODS, KINDS, PASSTHROUGH, REGIONS, USE_STAGE_VARIABLES, emptyForm,
  fieldOfError, formFromIntegration, functionArn, integrationBody, isProxy, lambdaUri, savePlan,
  timeoutMax, validate,
} from './integration.mjs';

function regionSelect(value) {
  const list = REGIONS.includes(value) ? REGIONS : [value, ...REGIONS];
  return select(list, value);
}

export async function integrationView(app, apiId, routeId) {
  const base = `/v2/apis/${seg(apiId)}`;
  const [api, route, account] = await Promise.all([
    request('GET', base), request('GET', `${base}/routes/${seg(routeId)}`), callerAccount()]);
  const integrationId = (route.target || '').startsWith('integrations/') ? route.target.slice(13) : '';
  const existing = integrationId ? await request('GET', `${base}/integrations/${seg(integrationId)}`) : null;
  let vpcLinks = [];
  try {
    vpcLinks = await listAll('/v2/vpclinks');
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;  // the list is a convenience: the id can be typed
  }
  const region = app.region() || (api.apiEndpoint || '').split('.')[2] || 'us-east-1';
  const ctx = { protocol: api.protocolType, account, region };
  const form = existing ? formFromIntegration(existing, ctx) : emptyForm(ctx);

  app.crumbs([{ label: 'APIs', href: '#/apis' }, { label: api.name, href: `#/apis/${seg(apiId)}` },
    { label: 'Routes', href: `#/apis/${seg(apiId)}/routes` },
    { label: route.routeKey, href: `#/apis/${seg(apiId)}/routes/${seg(routeId)}` },
    { label: 'Integration Request' }]);
  const panel = buildPanel(app, { api, route, existing, vpcLinks, ctx, form });
  const preview = existing && api.protocolType === 'WEBSOCKET' && !existing.integrationType.endsWith('_PROXY')
    ? previewPanel(apiId, existing) : null;
  app.show(
    h('h1', { tabindex: '-1' }, 'Integration Request'),
    h('p', { class: 'subtitle' }, `Route `, h('code', {}, route.routeKey), ` of ${api.name}`,
      existing ? [' · integration ', h('code', { id: 'integration-id' }, existing.integrationId), ` (${existing.integrationType})`]
        : ' · no integration yet'),
    panel, preview);
}

// The saved integration's request template for a sample message: which one the template
// selection expression picks and what it renders, by the gateway's own engine
// (POST /_apigwd/apis/{apiId}/integrations/{integrationId}/preview, docs/gateway.md "Template preview").
function previewPanel(apiId, integration) {
  const message = h('textarea', { rows: 4, spellcheck: 'false' });  // #f-preview-message
  message.value = '{"action":"sendmessage","data":"hello"}';
  const vars = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false', placeholder: '{"name":"value"}' });
  const result = h('div', { id: 'preview-result', 'aria-live': 'polite' });
  const run = async (ev) => {
    ev.preventDefault();
    let stageVariables;
    try {
      stageVariables = vars.value.trim() ? JSON.parse(vars.value) : undefined;
    } catch {
      replace(result, h('p', { class: 'error' }, 'Stage variables must be a JSON object.'));
      return;
    }
    try {
      const r = await request('POST', `/_apigwd/apis/${seg(apiId)}/integrations/${seg(integration.integrationId)}/preview`,
        { body: { body: message.value, stageVariables } });
      const outcome = {
        TEMPLATE: ['Template ', h('code', { id: 'preview-key' }, r.templateKey ?? '(by content type)'), ' selected.'],
        PASSTHROUGH: ['No template selected: the message passes through unchanged.'],
        UNSUPPORTED_MEDIA_TYPE: ['No template selected and passthrough is refused: the client gets Unsupported Media Type.'],
        FAILED: ['The selection failed.'],
      }[r.outcome];
      replace(result, h('p', { id: 'preview-outcome' }, outcome),
        r.error ? h('p', { class: 'error', id: 'preview-error' }, `${r.error.line}:${r.error.column}: ${r.error.message}`) : null,
        r.output !== undefined ? h('pre', { id: 'preview-output' }, r.output) : null);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      replace(result, h('p', { class: 'error' }, e.message));
    }
  };
  return h('form', { class: 'card', id: 'preview-form', 'aria-label': 'Test the request template', on: { submit: run } },
    h('h2', {}, 'Test the request template'),
    field('preview-message', 'Sample message', message, 'A message as a client would send it.'),
    field('preview-stage-variables', 'Stage variables (optional)', vars, 'A JSON object for $stageVariables.'),
    h('div', { class: 'buttons' }, h('button', { type: 'submit', class: 'secondary', id: 'preview-run' }, 'Preview')),
    result);
}

function buildPanel(app, { api, route, existing, vpcLinks, ctx, form }) {
  const httpApi = ctx.protocol === 'HTTP';
  const max = timeoutMax(ctx.protocol);
  const c = {};  // controls by field key

  // -- integration type
  const typeRadios = h('div', { class: 'radios' }, KINDS.map((k) => {
    const disabled = httpApi && (k.value === 'mock' || k.value === 'aws');
    return h('label', {}, h('input', { type: 'radio', name: 'kind', value: k.value, id: `f-kind-${k.value}`,
      checked: form.kind === k.value, disabled }), k.label);
  }));
  const typeSet = h('fieldset', { dataset: { field: 'kind' } }, h('legend', {}, 'Integration type'), typeRadios,
    httpApi ? h('p', { class: 'hint' }, 'HTTP APIs take proxy integrations only (Lambda, HTTP, VPC link).') : null,
    h('p', { class: 'error', id: 'err-kind', hidden: true }));

  // -- Lambda Function
  c.lambdaRegion = regionSelect(form.lambda.region);
  c.lambdaProxy = checkbox('lambdaProxy', 'Use Lambda proxy integration', form.lambda.proxy || httpApi,
    'The whole request goes to the function as its event; the function\'s answer is the response.');
  if (httpApi) c.lambdaProxy.querySelector('input').disabled = true;
  c.lambdaFunction = h('input', { type: 'text', value: form.lambda.fn, autocomplete: 'off', spellcheck: 'false', placeholder: 'HelloWorld:alpha' });
  const uriPreview = h('p', { class: 'uri', id: 'lambda-uri', 'aria-live': 'polite' });
  c.callerCreds = checkbox('callerCreds', 'Invoke with caller credentials', form.lambda.callerCreds,
    `API Gateway invokes the function with the caller's credentials (credentialsArn ${CALLER_CREDENTIALS}).`);
  c.roleArn = h('input', { type: 'text', value: form.lambda.role, autocomplete: 'off', spellcheck: 'false', placeholder: 'arn:aws:iam::123456789012:role/apigateway-invoke-lambda' });
  const lambdaGroup = h('div', { class: 'group', id: 'group-lambda' },
    field('lambdaRegion', 'Lambda Region', c.lambdaRegion, 'The region where the function lives.'),
    c.lambdaProxy,
    field('lambdaFunction', 'Lambda Function', c.lambdaFunction,
      'A function name in this account, optionally with its alias or version (HelloWorld, HelloWorld:1, HelloWorld:alpha), or the ARN of a function in another account.'),
    h('div', {}, h('span', { class: 'hint' }, 'Invocation URI'), uriPreview),
    c.callerCreds,
    field('roleArn', 'Execution role', c.roleArn, 'The ARN of the role API Gateway assumes to invoke the function (optional).'));

  // -- HTTP
  c.httpProxy = checkbox('httpProxy', 'Use HTTP proxy integration', form.http.proxy || httpApi,
    'Pass the request through to the endpoint as it is.');
  if (httpApi) c.httpProxy.querySelector('input').disabled = true;
  c.httpMethod = select(HTTP_METHODS, form.http.method);
  c.httpUrl = h('input', { type: 'url', value: form.http.url, autocomplete: 'off', spellcheck: 'false', placeholder: 'https://backend.example.com/messages' });
  const httpGroup = h('div', { class: 'group', id: 'group-http' },
    c.httpProxy,
    h('div', { class: 'row' }, field('httpMethod', 'HTTP method', c.httpMethod), field('httpUrl', 'Endpoint URL', c.httpUrl)));

  // -- Mock
  const mockGroup = h('div', { class: 'group', id: 'group-mock' },
    h('p', {}, 'API Gateway answers by itself, without a backend. Set the answer with request templates below (e.g. application/json → {"statusCode":200}) and integration responses.'));

  // -- AWS Service
  c.awsRegion = regionSelect(form.aws.region);
  c.awsService = h('input', { type: 'text', value: form.aws.service, autocomplete: 'off', spellcheck: 'false', placeholder: 'sqs' });
  c.awsSubdomain = h('input', { type: 'text', value: form.aws.subdomain, autocomplete: 'off', spellcheck: 'false' });
  c.awsMethod = select(HTTP_METHODS.filter((m) => m !== 'ANY'), form.aws.method);
  const actionRadios = h('div', { class: 'radios', dataset: { field: 'awsActionType' } },
    h('label', {}, h('input', { type: 'radio', name: 'awsActionType', value: 'action', id: 'f-awsActionType-action', checked: form.aws.actionType !== 'path' }), 'Use action name'),
    h('label', {}, h('input', { type: 'radio', name: 'awsActionType', value: 'path', id: 'f-awsActionType-path', checked: form.aws.actionType === 'path' }), 'Use path override'));
  c.awsAction = h('input', { type: 'text', value: form.aws.action, autocomplete: 'off', spellcheck: 'false', placeholder: 'SendMessage' });
  c.awsRole = h('input', { type: 'text', value: form.aws.role, autocomplete: 'off', spellcheck: 'false', placeholder: 'arn:aws:iam::123456789012:role/apigateway-sqs' });
  const awsGroup = h('div', { class: 'group', id: 'group-aws' },
    h('div', { class: 'row' }, field('awsRegion', 'AWS Region', c.awsRegion), field('awsService', 'AWS Service', c.awsService, 'e.g. sqs, sns, dynamodb, lambda'),
      field('awsSubdomain', 'AWS Subdomain (optional)', c.awsSubdomain)),
    field('awsMethod', 'HTTP method', c.awsMethod),
    h('fieldset', {}, h('legend', {}, 'Action type'), actionRadios,
      field('awsAction', form.aws.actionType === 'path' ? 'Path override' : 'Action', c.awsAction)),
    field('awsRole', 'Execution role', c.awsRole, 'The ARN of the role API Gateway assumes to call the service.'));

  // -- VPC Link
  c.vpcProxy = checkbox('vpcProxy', 'Use proxy integration', form.vpc.proxy || httpApi,
    'Proxy requests to the VPC link\'s endpoint as they are.');
  if (httpApi) c.vpcProxy.querySelector('input').disabled = true;
  const linkOptions = [{ value: '', label: 'Choose a VPC link' }, { value: USE_STAGE_VARIABLES, label: USE_STAGE_VARIABLES },
    ...vpcLinks.map((l) => ({ value: l.vpcLinkId, label: `${l.name} (${l.vpcLinkId})` }))];
  if (form.vpc.link && !linkOptions.some((o) => o.value === form.vpc.link)) linkOptions.push({ value: form.vpc.link, label: form.vpc.link });
  c.vpcLink = select(linkOptions, form.vpc.link);
  c.vpcLinkVar = h('input', { type: 'text', value: form.vpc.linkVar, autocomplete: 'off', spellcheck: 'false', placeholder: '${stageVariables.vpcLinkId}' });
  const linkVarField = field('vpcLinkVar', 'VPC link ID from a stage variable', c.vpcLinkVar,
    'Enter ${stageVariables.vpcLinkId}, then define the vpcLinkId stage variable on the stage you deploy to.');
  c.vpcMethod = select(HTTP_METHODS, form.vpc.method);
  c.vpcUrl = h('input', { type: 'url', value: form.vpc.url, autocomplete: 'off', spellcheck: 'false', placeholder: 'http://internal-nlb.example.com/messages' });
  const vpcGroup = h('div', { class: 'group', id: 'group-vpc' },
    c.vpcProxy,
    field('vpcLink', 'VPC Link', c.vpcLink), linkVarField,
    h('div', { class: 'row' }, field('vpcMethod', 'HTTP method', c.vpcMethod), field('vpcUrl', 'Endpoint URL', c.vpcUrl)));

  // -- timeout
  c.useDefaultTimeout = checkbox('useDefaultTimeout', `Use default timeout (${max / 1000} seconds)`, form.useDefaultTimeout);
  c.timeout = h('input', { type: 'text', inputmode: 'numeric', value: form.timeout, autocomplete: 'off' });
  const timeoutSet = h('fieldset', { id: 'group-timeout' }, h('legend', {}, 'Timeout'), c.useDefaultTimeout,
    field('timeout', 'Custom timeout (milliseconds)', c.timeout, `Between 50 and ${max} milliseconds.`));

  // -- request templates
  c.tse = h('input', { type: 'text', value: form.tse, autocomplete: 'off', spellcheck: 'false', placeholder: '\\$default' });
  c.passthrough = select(PASSTHROUGH, form.passthrough);
  const templateRows = h('div', { id: 'templates', dataset: { field: 'templates' } });
  let nTemplates = 0;
  const addTemplate = (contentType = '', template = '') => {
    const i = nTemplates++;
    const ct = h('input', { type: 'text', value: contentType, autocomplete: 'off', spellcheck: 'false', placeholder: 'application/json' });
    const tx = h('textarea', { rows: '4', spellcheck: 'false' });
    tx.value = template;
    const row = h('div', { class: 'template-row', dataset: { row: String(i) } },
      field(`template${i}`, 'Content type (template key)', ct),
      field(`template${i}-body`, 'Template', tx),
      h('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove template ${contentType || i + 1}`,
        on: { click: () => { row.remove(); addTemplateButton.focus(); } } }, 'Remove template'));
    templateRows.append(row);
    return ct;
  };
  const addTemplateButton = h('button', { type: 'button', class: 'secondary', id: 'add-template', on: { click: () => addTemplate().focus() } }, 'Add request template');
  for (const t of form.templates) addTemplate(t.contentType, t.template);
  const templatesSet = h('fieldset', { id: 'group-templates' }, h('legend', {}, 'Request Templates'),
    field('tse', 'Template selection expression', c.tse,
      'Evaluated on the message to pick a template by its key, e.g. \\$default or ${request.body.type}. Leave empty to select by content type.'),
    field('passthrough', 'Request body passthrough', c.passthrough),
    templateRows,
    h('p', { class: 'error', id: 'err-templates', hidden: true }),
    addTemplateButton);

  c.description = h('input', { type: 'text', value: form.description, autocomplete: 'off' });

  const groups = { lambda: lambdaGroup, http: httpGroup, mock: mockGroup, aws: awsGroup, vpc: vpcGroup };
  const status = h('div', { id: 'save-status' });
  const formEl = h('form', { class: 'card', id: 'integration-form', 'aria-label': 'Integration Request' },
    h('div', { class: 'form-alert', role: 'alert', hidden: true }),
    typeSet, lambdaGroup, httpGroup, mockGroup, awsGroup, vpcGroup, timeoutSet, templatesSet,
    field('description', 'Description (optional)', c.description),
    h('div', { class: 'buttons' },
      h('button', { type: 'submit', class: 'primary', id: 'save-integration' }, 'Save'),
      h('a', { href: `#/apis/${seg(api.apiId)}/routes/${seg(route.routeId)}` }, 'Cancel')),
    status);

  const checked = (wrapper) => wrapper.querySelector('input').checked;
  const read = () => ({
    kind: typeRadios.querySelector('input:checked').value,
    description: c.description.value,
    lambda: { region: c.lambdaRegion.value, proxy: checked(c.lambdaProxy), fn: c.lambdaFunction.value,
      callerCreds: checked(c.callerCreds), role: c.roleArn.value },
    http: { proxy: checked(c.httpProxy), method: c.httpMethod.value, url: c.httpUrl.value },
    aws: { region: c.awsRegion.value, service: c.awsService.value.trim(), subdomain: c.awsSubdomain.value.trim(),
      method: c.awsMethod.value, actionType: actionRadios.querySelector('input:checked').value, action: c.awsAction.value, role: c.awsRole.value },
    vpc: { proxy: checked(c.vpcProxy), link: c.vpcLink.value, linkVar: c.vpcLinkVar.value, method: c.vpcMethod.value, url: c.vpcUrl.value },
    useDefaultTimeout: checked(c.useDefaultTimeout),
    timeout: c.timeout.value,
    tse: c.tse.value,
    passthrough: c.passthrough.value,
    templates: [...templateRows.querySelectorAll('.template-row')].map((r) => ({
      row: r.dataset.row,
      contentType: r.querySelector('input').value,
      template: r.querySelector('textarea').value,
    })),
  });

  // Show what applies to the chosen type; disable what the checkboxes turn off.
  const sync = () => {
    const f = read();
    for (const [k, g] of Object.entries(groups)) g.hidden = k !== f.kind;
    timeoutSet.hidden = f.kind === 'mock';
    c.timeout.disabled = f.useDefaultTimeout;
    c.roleArn.disabled = f.lambda.callerCreds;
    linkVarField.hidden = f.vpc.link !== USE_STAGE_VARIABLES;
    templatesSet.hidden = isProxy(f) || httpApi;
    const actionLabel = awsGroup.querySelector('label[for="f-awsAction"]');
    actionLabel.textContent = f.aws.actionType === 'path' ? 'Path override' : 'Action';
    const fn = functionArn(f.lambda.fn, f.lambda.region, ctx.account);
    uriPreview.textContent = fn.arn ? lambdaUri(fn.arn, fn.region, fn.partition) : '(enter a function name or ARN)';
  };
  formEl.addEventListener('input', sync);
  formEl.addEventListener('change', sync);
  sync();

  formEl.noValidate = true;
  formEl.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const f = read();
    // validate() names template errors by position; the error lines are keyed by row.
    let errors = app.checks ? validate(f, ctx) : {};
    errors = Object.fromEntries(Object.entries(errors).map(([k, v]) => {
      const m = /^template(\d+)$/.exec(k);
      return [m ? `template${f.templates[Number(m[1])].row}` : k, v];
    }));
    replace(status);
    if (showErrors(formEl, errors)) return;
    const button = formEl.querySelector('#save-integration');
    button.disabled = true;
    button.textContent = 'Saving…';
    formEl.setAttribute('aria-busy', 'true');
    try {
      const saved = await save(api, route, existing, integrationBody(f, ctx), ctx);
      app.flash(`Saved integration ${saved.integrationId} (${saved.integrationType}); route ${route.routeKey} → integrations/${saved.integrationId}.`);
      app.rerender();
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      if (e.isAuth) app.askCredentials(e);
      const key = fieldOfError(e.message, f);
      showErrors(formEl, key ? { [key]: e.message } : {});
      for (const p of formEl.querySelectorAll('p.error:not([hidden])')) p.dataset.source = 'server';
      const alert = formEl.querySelector('.form-alert');
      alert.hidden = false;
      replace(alert, h('p', {}, h('strong', {}, e.name), key
        ? ': apigwd refused the integration; its message is shown next to the field.'
        : `: ${e.message}`));
    } finally {
      if (button.isConnected) {
        button.disabled = false;
        button.textContent = 'Save';
      }
      formEl.removeAttribute('aria-busy');
    }
  });
  return formEl;
}

/** Creates or updates the integration, then points the route at it. Returns the integration
 *  as the server answered. */
async function save(api, route, existing, body, ctx) {
  const base = `/v2/apis/${seg(api.apiId)}`;
  const plan = savePlan(existing, body, ctx);
  let saved;
  if (plan.mode === 'update') {
    saved = await request('PATCH', `${base}/integrations/${seg(existing.integrationId)}`, { body: plan.body });
  } else {
    saved = await request('POST', `${base}/integrations`, { body: plan.body });
  }
  const target = `integrations/${saved.integrationId}`;
  if (route.target !== target) {
    try {
      await request('PATCH', `${base}/routes/${seg(route.routeId)}`, { body: { target } });
    } catch (e) {
      if (e instanceof ApiError) {
        e.message = `Integration ${saved.integrationId} was saved, but the route could not be pointed at it: ${e.message}`;
      }
      throw e;
    }
  }
  if (plan.mode === 'replace') {
    // The old integration served only this route unless another route still targets it
    // (then apigwd answers ConflictException and it stays).
    try {
      await request('DELETE', `${base}/integrations/${seg(existing.integrationId)}`);
    } catch (e) {
      if (!(e instanceof ApiError) || e.name !== 'ConflictException') throw e;
    }
  }
  return saved;
}
