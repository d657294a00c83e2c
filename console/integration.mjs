// integration.mjs — the Integration Request panel's model, without the DOM: the console's
// integration types and how each maps to apigatewayv2 members, the checks the page runs before
// it sends anything (the server's rules, in the server's words where it has words), the Lambda
// invocation URI composed as the AWS console composes it, and the way back from a stored
// integration to the form. Pure functions, so tests/console/integration.test.mjs runs them in
// Node.

export const KINDS = [
  { value: 'lambda', label: 'Lambda Function' },
  { value: 'http', label: 'HTTP' },
  { value: 'mock', label: 'Mock' },
  { value: 'aws', label: 'AWS Service' },
  { value: 'vpc', label: 'VPC Link' },
];

/** credentialsArn of "Invoke with caller credentials". */
export const CALLER_CREDENTIALS = 'arn:aws:iam::*:user/*';
/** The VPC link choice that takes the connection id from a stage variable. */
export const USE_STAGE_VARIABLES = '[Use Stage Variables]';
export const HTTP_METHODS = ['ANY', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
export const PASSTHROUGH = [
  { value: 'WHEN_NO_MATCH', label: 'When no template matches the request content type' },
  { value: 'WHEN_NO_TEMPLATES', label: 'When there are no templates defined' },
  { value: 'NEVER', label: 'Never' },
];
export const REGIONS = [
  'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'af-south-1', 'ap-east-1', 'ap-south-1',
  'ap-south-2', 'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-4',
  'ap-northeast-1', 'ap-northeast-2', 'ap-northeast-3', 'ca-central-1', 'ca-west-1',
  'eu-central-1', 'eu-central-2', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-south-1',
  'eu-south-2', 'eu-north-1', 'il-central-1', 'me-south-1', 'me-central-1', 'sa-east-1',
];

export const TIMEOUT_MIN = 50;
/** The largest (and default) timeoutInMillis of a protocol: 29 s on WebSocket, 30 s on HTTP. */
export function timeoutMax(protocol) {
  return protocol === 'HTTP' ? 30000 : 29000;
}

const REGION_RE = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/;
const FN_NAME = '[A-Za-z0-9_-]{1,64}';
const QUALIFIER = '\\$LATEST|[A-Za-z0-9_-]{1,128}';
const FN_BARE_RE = new RegExp(`^(${FN_NAME})(?::(${QUALIFIER}))?$`);
const FN_ARN_RE = new RegExp(`^arn:(aws[a-z-]*):lambda:([a-z0-9-]+):(\\d{12}):function:` +
  `(${FN_NAME})(?::(${QUALIFIER}))?$`);
const LAMBDA_URI_RE = /^arn:(aws[a-z-]*):apigateway:([a-z0-9-]+):lambda:path\/2015-03-31\/functions\/(.+)\/invocations$/;
const AWS_URI_RE = /^arn:(aws[a-z-]*):apigateway:([a-z0-9-]+):(?:([A-Za-z0-9-]+)\.)?([A-Za-z0-9-]+):(action|path)\/(.*)$/;
const STAGE_VAR_RE = /^\$\{stageVariables\.[A-Za-z0-9_]+\}$/;
const TEMPLATE_MAX = 32768;

/** server/res_integrations.c looks_like_arn(): "arn:" and at least five colons. */
export function looksLikeArn(s) {
  return typeof s === 'string' && s.startsWith('arn:') && (s.match(/:/g) || []).length >= 5;
}

function isHttpUrl(s) {
  return s.startsWith('http://') || s.startsWith('https://') || s.startsWith('${stageVariables.');
}

/**
 * The function ARN for what the user typed in "Lambda Function": a name (optionally with an
 * alias or version, HelloWorld:alpha, HelloWorld:1) in the caller's account and the chosen
 * region, or a whole function ARN (another account). Returns {arn, partition, region} or
 * {error}.
 */
export function functionArn(input, region, account) {
  const s = (input || '').trim();
  if (!s) return { error: 'Enter a Lambda function name or ARN' };
  let m = FN_ARN_RE.exec(s);
  if (m) {
    if (m[2] !== region) {
      return { error: `The function ARN is in region ${m[2]}: choose ${m[2]} as the Lambda Region` };
    }
    return { arn: s, partition: m[1], region: m[2] };
  }
  if (s.startsWith('arn:')) {
    return { error: 'Invalid Lambda function ARN: expected arn:aws:lambda:REGION:ACCOUNT:function:NAME[:ALIAS|:VERSION]' };
  }
  m = FN_BARE_RE.exec(s);
  if (!m) {
    return { error: 'Invalid Lambda function name: 1 to 64 letters, digits, hyphens or underscores, optionally followed by :ALIAS or :VERSION' };
  }
  return { arn: `arn:aws:lambda:${region}:${account}:function:${s}`, partition: 'aws', region };
}

/** The invocation URI of a function ARN, as the AWS console writes it. */
export function lambdaUri(fnArn, region, partition = 'aws') {
  return `arn:${partition}:apigateway:${region}:lambda:path/2015-03-31/functions/${fnArn}/invocations`;
}

/** {region, functionArn, account, name, qualifier} of a Lambda invocation URI, or null. */
export function parseLambdaUri(uri) {
  const m = LAMBDA_URI_RE.exec(uri || '');
  if (!m) return null;
  const f = FN_ARN_RE.exec(m[3]);
  return {
    region: m[2], functionArn: m[3], account: f ? f[3] : '', name: f ? f[4] : '',
    qualifier: f ? f[5] || '' : '',
  };
}

/** The URI of an AWS service integration. */
export function awsServiceUri(a) {
  const sub = a.subdomain ? `${a.subdomain}.` : '';
  const rest = a.actionType === 'path' ? `path/${a.action.replace(/^\/+/, '')}` : `action/${a.action}`;
  return `arn:aws:apigateway:${a.region}:${sub}${a.service}:${rest}`;
}

/** An empty form: what the panel shows for a route without an integration. */
export function emptyForm(ctx) {
  return {
    kind: 'lambda',
    description: '',
    lambda: { region: ctx.region || 'us-east-1', proxy: true, fn: '', callerCreds: false, role: '' },
    http: { proxy: false, method: 'POST', url: '' },
    aws: { region: ctx.region || 'us-east-1', service: '', subdomain: '', method: 'POST',
      actionType: 'action', action: '', role: '' },
    vpc: { proxy: true, link: USE_STAGE_VARIABLES, linkVar: '', method: 'POST', url: '' },
    useDefaultTimeout: true,
    timeout: String(timeoutMax(ctx.protocol)),
    tse: '',
    passthrough: 'WHEN_NO_MATCH',
    templates: [],
  };
}

/** Whether the form's type proxies the request (no request templates then). */
export function isProxy(form) {
  return (form.kind === 'lambda' && form.lambda.proxy) || (form.kind === 'http' && form.http.proxy) ||
    (form.kind === 'vpc' && form.vpc.proxy);
}

/** The form of a stored integration (GetIntegration's answer). */
export function formFromIntegration(it, ctx) {
  const f = emptyForm(ctx);
  const type = it.integrationType;
  const uri = it.integrationUri || '';
  f.description = it.description || '';
  const max = timeoutMax(ctx.protocol);
  const t = it.timeoutInMillis ?? max;
  f.useDefaultTimeout = t === max;
  f.timeout = String(t);
  f.tse = it.templateSelectionExpression || '';
  f.passthrough = it.passthroughBehavior || 'WHEN_NO_MATCH';
  f.templates = Object.entries(it.requestTemplates || {})
    .map(([contentType, template]) => ({ contentType, template }));
  const cred = it.credentialsArn || '';
  if (it.connectionType === 'VPC_LINK') {
    f.kind = 'vpc';
    f.vpc.proxy = type === 'HTTP_PROXY';
    const id = it.connectionId || '';
    if (STAGE_VAR_RE.test(id) || id.includes('${stageVariables.')) {
      f.vpc.link = USE_STAGE_VARIABLES;
      f.vpc.linkVar = id;
    } else {
      f.vpc.link = id;
    }
    f.vpc.method = it.integrationMethod || 'ANY';
    f.vpc.url = uri;
  } else if (type === 'MOCK') {
    f.kind = 'mock';
  } else if (type === 'HTTP' || type === 'HTTP_PROXY') {
    f.kind = 'http';
    f.http.proxy = type === 'HTTP_PROXY';
    f.http.method = it.integrationMethod || 'ANY';
    f.http.url = uri;
  } else if (type === 'AWS_PROXY' || parseLambdaUri(uri)) {
    f.kind = 'lambda';
    f.lambda.proxy = type === 'AWS_PROXY';
    const p = parseLambdaUri(uri);
    if (p) {
      f.lambda.region = p.region;
      const short = p.account === ctx.account && p.functionArn.startsWith('arn:aws:lambda:');
      f.lambda.fn = short ? p.name + (p.qualifier ? `:${p.qualifier}` : '') : p.functionArn;
    } else {
      f.lambda.fn = uri;
    }
    f.lambda.callerCreds = cred === CALLER_CREDENTIALS;
    f.lambda.role = cred === CALLER_CREDENTIALS ? '' : cred;
  } else {
    f.kind = 'aws';
    const m = AWS_URI_RE.exec(uri);
    if (m) {
      Object.assign(f.aws, { region: m[2], subdomain: m[3] || '', service: m[4],
        actionType: m[5], action: m[6] });
    } else {
      f.aws.action = uri;
    }
    f.aws.method = it.integrationMethod || 'POST';
    f.aws.role = cred;
  }
  return f;
}

/** The page's checks, as the server judges (server/res_integrations.c, jspec limits), plus
 *  what only the page can tell (a function name's form). Returns {fieldKey: message}. */
export function validate(form, ctx) {
  const e = {};
  const max = timeoutMax(ctx.protocol);
  const kind = form.kind;
  if (!KINDS.some((k) => k.value === kind)) e.kind = 'Choose an integration type';
  if (ctx.protocol === 'HTTP' && (kind === 'mock' || kind === 'aws')) {
    e.kind = 'Currently, an API with a protocol type of HTTP may only be associated with proxy integrations (AWS_PROXY, HTTP_PROXY)';
  }
  if (form.description.length > 1024) {
    e.description = `Invalid value for description: length ${form.description.length}. Must be between 0 and 1024 characters`;
  }
  const checkRole = (key, role) => {
    if (!role) return;
    if (!looksLikeArn(role)) e[key] = `Invalid value for credentialsArn: ${role}. Must be an ARN`;
    else if (role.length > 2048) e[key] = `Invalid value for credentialsArn: length ${role.length}. Must be between 1 and 2048 characters`;
  };
  const checkUrl = (key, url, type) => {
    if (!url) { e[key] = `integrationUri is required for integrationType ${type}`; return; }
    const arnOk = ctx.protocol === 'HTTP' && kind === 'vpc' && looksLikeArn(url);
    if (!isHttpUrl(url) && !arnOk) {
      e[key] = `Invalid integration URI specified: ${url}. ${type} integrations need an http:// or https:// URL`;
      return;
    }
    if (url.length > 2048) { e[key] = `Invalid value for integrationUri: length ${url.length}. Must be between 1 and 2048 characters`; return; }
    if (!url.startsWith('${') && !arnOk) {
      try {
        const u = new URL(url);
        if (!u.hostname) throw new Error('no host');
      } catch {
        e[key] = `Invalid integration URI specified: ${url}. Not a valid URL`;
      }
    }
  };
  if (kind === 'lambda') {
    if (!REGION_RE.test(form.lambda.region)) e.lambdaRegion = 'Choose the Lambda Region';
    const fn = functionArn(form.lambda.fn, form.lambda.region, ctx.account);
    if (fn.error) e.lambdaFunction = fn.error;
    else if (lambdaUri(fn.arn, fn.region, fn.partition).length > 2048) e.lambdaFunction = 'Invalid value for integrationUri: longer than 2048 characters';
    if (!form.lambda.callerCreds) checkRole('roleArn', form.lambda.role.trim());
  } else if (kind === 'http') {
    checkUrl('httpUrl', form.http.url.trim(), form.http.proxy ? 'HTTP_PROXY' : 'HTTP');
  } else if (kind === 'aws') {
    if (!REGION_RE.test(form.aws.region)) e.awsRegion = 'Choose the AWS Region';
    if (!/^[a-z0-9-]{1,64}$/.test(form.aws.service)) e.awsService = 'Enter the AWS service, e.g. sqs, sns, dynamodb (lower-case letters, digits, hyphens)';
    if (form.aws.subdomain && !/^[A-Za-z0-9-]{1,63}$/.test(form.aws.subdomain)) e.awsSubdomain = 'The AWS subdomain is letters, digits and hyphens';
    const a = form.aws.action.trim();
    if (!a) e.awsAction = form.aws.actionType === 'path' ? 'Enter the path override' : 'Enter the action name';
    else if (form.aws.actionType === 'action' && !/^[A-Za-z0-9]+$/.test(a)) e.awsAction = `Invalid action name: ${a}. Letters and digits only, e.g. SendMessage`;
    else if (!e.awsService && awsServiceUri({ ...form.aws, action: a }).length > 2048) e.awsAction = 'Invalid value for integrationUri: longer than 2048 characters';
    checkRole('awsRole', form.aws.role.trim());
  } else if (kind === 'vpc') {
    if (form.vpc.link === USE_STAGE_VARIABLES) {
      const v = form.vpc.linkVar.trim();
      if (!v) e.vpcLinkVar = 'connectionId is required when connectionType is VPC_LINK: enter ${stageVariables.vpcLinkId}';
      else if (!STAGE_VAR_RE.test(v)) e.vpcLinkVar = `Invalid connection id: ${v}. Use the form \${stageVariables.NAME}, e.g. \${stageVariables.vpcLinkId}`;
    } else if (!form.vpc.link) {
      e.vpcLink = 'connectionId is required when connectionType is VPC_LINK';
    } else if (form.vpc.link.length > 1024) {
      e.vpcLink = `Invalid value for connectionId: length ${form.vpc.link.length}. Must be between 1 and 1024 characters`;
    }
    checkUrl('vpcUrl', form.vpc.url.trim(), form.vpc.proxy ? 'HTTP_PROXY' : 'HTTP');
  }
  if (kind !== 'mock' && !form.useDefaultTimeout) {
    const s = String(form.timeout).trim();
    if (!/^-?\d+$/.test(s)) e.timeout = `Invalid value for timeoutInMillis: ${s || '(empty)'}. Enter a whole number of milliseconds between ${TIMEOUT_MIN} and ${max}`;
    else {
      const t = Number(s);
      if (t < TIMEOUT_MIN || t > max) e.timeout = `Invalid value for timeoutInMillis: ${t}. Must be between ${TIMEOUT_MIN} and ${max} for ${ctx.protocol === 'HTTP' ? 'HTTP' : 'WEBSOCKET'} APIs`;
    }
  }
  if (!isProxy(form) && ctx.protocol !== 'HTTP') {
    const tse = form.tse.trim();
    if (tse.length > 1024) e.tse = `Invalid value for templateSelectionExpression: length ${tse.length}. Must be between 1 and 1024 characters`;
    const seen = new Set();
    form.templates.forEach((t, i) => {
      const ct = t.contentType.trim();
      if (!ct) e[`template${i}`] = 'Enter a content type, e.g. application/json';
      else if (seen.has(ct)) e[`template${i}`] = `Duplicate content type ${ct}: one template per content type`;
      else if (t.template.length > TEMPLATE_MAX) e[`template${i}`] = `Invalid value for requestTemplates.${ct}: length ${t.template.length}. Must be between 0 and ${TEMPLATE_MAX} characters`;
      seen.add(ct);
    });
  }
  return e;
}

/** The CreateIntegration body (camelCase members) of a valid form. */
export function integrationBody(form, ctx) {
  const b = {};
  const http = ctx.protocol === 'HTTP';
  if (form.kind === 'lambda') {
    const fn = functionArn(form.lambda.fn, form.lambda.region, ctx.account);
    b.integrationType = form.lambda.proxy || http ? 'AWS_PROXY' : 'AWS';
    b.integrationMethod = 'POST';
    b.integrationUri = lambdaUri(fn.arn, fn.region, fn.partition);
    b.connectionType = 'INTERNET';
    const role = form.lambda.callerCreds ? CALLER_CREDENTIALS : form.lambda.role.trim();
    if (role) b.credentialsArn = role;
    if (http) b.payloadFormatVersion = '2.0';
  } else if (form.kind === 'http') {
    b.integrationType = form.http.proxy || http ? 'HTTP_PROXY' : 'HTTP';
    b.integrationMethod = form.http.method;
    b.integrationUri = form.http.url.trim();
    b.connectionType = 'INTERNET';
    if (http) b.payloadFormatVersion = '1.0';
  } else if (form.kind === 'mock') {
    b.integrationType = 'MOCK';
    b.connectionType = 'INTERNET';
  } else if (form.kind === 'aws') {
    b.integrationType = 'AWS';
    b.integrationMethod = form.aws.method;
    b.integrationUri = awsServiceUri({ ...form.aws, action: form.aws.action.trim() });
    b.connectionType = 'INTERNET';
    if (form.aws.role.trim()) b.credentialsArn = form.aws.role.trim();
  } else if (form.kind === 'vpc') {
    b.integrationType = form.vpc.proxy || http ? 'HTTP_PROXY' : 'HTTP';
    b.integrationMethod = form.vpc.method;
    b.integrationUri = form.vpc.url.trim();
    b.connectionType = 'VPC_LINK';
    b.connectionId = form.vpc.link === USE_STAGE_VARIABLES ? form.vpc.linkVar.trim() : form.vpc.link;
    if (http) b.payloadFormatVersion = '1.0';
  }
  if (form.kind !== 'mock' && !form.useDefaultTimeout) b.timeoutInMillis = Number(String(form.timeout).trim());
  if (!isProxy(form) && !http) {
    b.passthroughBehavior = form.passthrough;
    if (form.tse.trim()) b.templateSelectionExpression = form.tse.trim();
    if (form.templates.length) {
      b.requestTemplates = {};
      for (const t of form.templates) b.requestTemplates[t.contentType.trim()] = t.template;
    }
  }
  if (form.description) b.description = form.description;
  return b;
}

// Members of a stored integration that an update cannot remove (their minimum length is 1):
// when the new form no longer sets one of them, the console creates a new integration and
// points the route at it instead of updating the old one.
const UNREMOVABLE = ['integrationUri', 'integrationMethod', 'connectionId', 'credentialsArn',
  'templateSelectionExpression', 'integrationSubtype'];
// Members the form does not show, carried over into a replacement.
const CARRIED = ['requestParameters', 'contentHandlingStrategy', 'responseParameters', 'tlsConfig'];

/**
 * How to save `body` (integrationBody's answer) over the stored integration `existing`:
 * {mode: 'create', body} when there is none, {mode: 'update', body} (the UpdateIntegration
 * body: removed templates sent as "", a cleared description as "", a default timeout sent
 * explicitly), or {mode: 'replace', body} (create a new one, retarget, delete the old).
 */
export function savePlan(existing, body, ctx) {
  if (!existing) return { mode: 'create', body };
  const needsReplace = UNREMOVABLE.some((m) => existing[m] !== undefined && body[m] === undefined);
  if (needsReplace) {
    const b = { ...body };
    for (const m of CARRIED) if (existing[m] !== undefined && b[m] === undefined) b[m] = existing[m];
    return { mode: 'replace', body: b };
  }
  const patch = { ...body };
  if (patch.timeoutInMillis === undefined && existing.timeoutInMillis !== undefined) {
    patch.timeoutInMillis = timeoutMax(ctx.protocol);
  }
  if (existing.description !== undefined && existing.description !== '' && body.description === undefined) {
    patch.description = '';
  }
  const old = existing.requestTemplates || {};
  const removed = Object.keys(old).filter((k) => !(body.requestTemplates && k in body.requestTemplates));
  if (removed.length) {
    patch.requestTemplates = { ...(body.requestTemplates || {}) };
    for (const k of removed) patch.requestTemplates[k] = '';
  }
  return { mode: 'update', body: patch };
}

/** The form field a server error is about, by the member its message names; '' for the form
 *  as a whole. */
export function fieldOfError(message, form) {
  const m = message || '';
  const byKind = (keys) => keys[form.kind] || '';
  if (/timeoutInMillis/i.test(m)) return 'timeout';
  if (/integrationUri|integration URI/i.test(m)) {
    return byKind({ lambda: 'lambdaFunction', http: 'httpUrl', aws: 'awsAction', vpc: 'vpcUrl' });
  }
  if (/integrationMethod|HttpMethod/i.test(m)) {
    return byKind({ http: 'httpMethod', aws: 'awsMethod', vpc: 'vpcMethod' });
  }
  if (/connectionId/i.test(m)) return form.vpc.link === USE_STAGE_VARIABLES ? 'vpcLinkVar' : 'vpcLink';
  if (/credentialsArn/i.test(m)) return byKind({ lambda: 'roleArn', aws: 'awsRole' });
  if (/templateSelectionExpression/i.test(m)) return 'tse';
  if (/requestTemplates/i.test(m)) return 'templates';
  if (/description/i.test(m)) return 'description';
  if (/integrationType|protocol type of HTTP/i.test(m)) return 'kind';
  return '';
}
