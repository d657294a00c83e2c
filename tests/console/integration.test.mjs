// integration.test.mjs — the Integration Request panel's model (console/integration.mjs) in
// Node: the Lambda invocation URI as AWS composes it, the page's checks in the server's words,
// the body each integration type sends, the way back from a stored integration, and how a
// save over an existing integration is planned.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  CALLER_CREDENTIALS, USE_STAGE_VARIABLES, emptyForm, fieldOfError, formFromIntegration,
  functionArn, integrationBody, lambdaUri, parseLambdaUri, savePlan, validate,
} from '../../console/integration.mjs';

const ws = { protocol: 'WEBSOCKET', account: '000000000000', region: 'us-east-1' };
const httpApi = { protocol: 'HTTP', account: '000000000000', region: 'us-east-1' };

test('the Lambda invocation URI of a name, an alias, a version and another account\'s ARN', () => {
  const uri = (fn, region = 'us-east-1') => {
    const f = functionArn(fn, region, '000000000000');
    return lambdaUri(f.arn, f.region, f.partition);
  };
  assert.equal(uri('HelloWorld'),
    'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:HelloWorld/invocations');
  assert.equal(uri('HelloWorld:alpha', 'eu-west-1'),
    'arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/arn:aws:lambda:eu-west-1:000000000000:function:HelloWorld:alpha/invocations');
  assert.equal(uri('HelloWorld:1'),
    'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:HelloWorld:1/invocations');
  // The seed's CLI example: a function of account 123412341234.
  assert.equal(uri('arn:aws:lambda:us-east-1:123412341234:function:simpleproxy-echo-e2e'),
    'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:123412341234:function:simpleproxy-echo-e2e/invocations');
  assert.match(functionArn('arn:aws:lambda:eu-west-1:123412341234:function:f', 'us-east-1', '1').error, /eu-west-1/);
  assert.match(functionArn('Hello World', 'us-east-1', '1').error, /Invalid Lambda function name/);
  assert.match(functionArn('', 'us-east-1', '1').error, /Enter/);
  assert.deepEqual(parseLambdaUri(uri('HelloWorld:alpha')), {
    region: 'us-east-1', functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:HelloWorld:alpha',
    account: '000000000000', name: 'HelloWorld', qualifier: 'alpha',
  });
});

test('the page refuses what the server refuses, in the server\'s words', () => {
  const f = emptyForm(ws);
  f.lambda.fn = 'HelloWorld';
  assert.deepEqual(validate(f, ws), {});
  f.useDefaultTimeout = false;
  f.timeout = '29001';
  assert.deepEqual(validate(f, ws), {
    timeout: 'Invalid value for timeoutInMillis: 29001. Must be between 50 and 29000 for WEBSOCKET APIs',
  });
  f.timeout = '49';
  assert.match(validate(f, ws).timeout, /49\. Must be between 50 and 29000/);
  f.timeout = '30000';
  assert.deepEqual(validate(f, httpApi), {});
  f.timeout = '12.5';
  assert.match(validate(f, ws).timeout, /whole number/);
  f.timeout = '50';
  f.lambda.role = 'role/x';
  assert.equal(validate(f, ws).roleArn, 'Invalid value for credentialsArn: role/x. Must be an ARN');
  f.lambda.callerCreds = true;
  assert.deepEqual(validate(f, ws), {});

  const h = emptyForm(ws);
  h.kind = 'http';
  h.http.url = 'ftp://x';
  assert.equal(validate(h, ws).httpUrl, 'Invalid integration URI specified: ftp://x. HTTP integrations need an http:// or https:// URL');
  h.http.url = '';
  assert.equal(validate(h, ws).httpUrl, 'integrationUri is required for integrationType HTTP');

  const v = emptyForm(ws);
  v.kind = 'vpc';
  v.vpc.url = 'https://internal.example.com/';
  assert.match(validate(v, ws).vpcLinkVar, /connectionId is required/);
  v.vpc.linkVar = '${stageVariables.vpcLinkId}';
  assert.deepEqual(validate(v, ws), {});

  const m = emptyForm(ws);
  m.kind = 'mock';
  m.templates = [{ contentType: 'application/json', template: '{}' }, { contentType: 'application/json', template: '' }];
  assert.match(validate(m, ws).template1, /Duplicate content type/);
  assert.match(validate(m, httpApi).kind, /proxy integrations/);
});

test('the body of each integration type', () => {
  const l = emptyForm(ws);
  l.lambda.fn = 'HelloWorld:alpha';
  l.lambda.callerCreds = true;
  l.useDefaultTimeout = false;
  l.timeout = '12000';
  assert.deepEqual(integrationBody(l, ws), {
    integrationType: 'AWS_PROXY', integrationMethod: 'POST', connectionType: 'INTERNET',
    integrationUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:HelloWorld:alpha/invocations',
    credentialsArn: CALLER_CREDENTIALS, timeoutInMillis: 12000,
  });
  assert.equal(integrationBody(l, httpApi).payloadFormatVersion, '2.0');

  const m = emptyForm(ws);
  m.kind = 'mock';
  m.tse = '\\$default';
  m.templates = [{ contentType: 'application/json', template: '{"statusCode":200}' }];
  assert.deepEqual(integrationBody(m, ws), {
    integrationType: 'MOCK', connectionType: 'INTERNET', passthroughBehavior: 'WHEN_NO_MATCH',
    templateSelectionExpression: '\\$default', requestTemplates: { 'application/json': '{"statusCode":200}' },
  });

  const v = emptyForm(ws);
  v.kind = 'vpc';
  v.vpc.linkVar = '${stageVariables.vpcLinkId}';
  v.vpc.url = 'https://internal.example.com/ws';
  assert.deepEqual(integrationBody(v, ws), {
    integrationType: 'HTTP_PROXY', integrationMethod: 'POST', integrationUri: 'https://internal.example.com/ws',
    connectionType: 'VPC_LINK', connectionId: '${stageVariables.vpcLinkId}',
  });

  const a = emptyForm(ws);
  a.kind = 'aws';
  Object.assign(a.aws, { service: 'sqs', action: 'SendMessage', role: 'arn:aws:iam::123456789012:role/r' });
  assert.equal(integrationBody(a, ws).integrationUri, 'arn:aws:apigateway:us-east-1:sqs:action/SendMessage');
  a.aws.actionType = 'path';
  a.aws.action = '/123456789012/queue';
  assert.equal(integrationBody(a, ws).integrationUri, 'arn:aws:apigateway:us-east-1:sqs:path/123456789012/queue');
});

test('a stored integration comes back into the form it was made from', () => {
  for (const kind of ['lambda', 'mock', 'vpc', 'http', 'aws']) {
    const f = emptyForm(ws);
    f.kind = kind;
    f.lambda.fn = 'HelloWorld:1';
    f.lambda.proxy = false;
    f.lambda.role = 'arn:aws:iam::123456789012:role/r';
    f.http.url = 'https://example.com/';
    f.vpc.link = 'abc123';
    f.vpc.url = 'https://example.com/';
    Object.assign(f.aws, { service: 'sqs', subdomain: 'x', action: 'SendMessage' });
    f.templates = kind === 'lambda' ? [] : [{ contentType: 'text/plain', template: 'hi' }];
    const stored = { integrationId: 'abcdefg', timeoutInMillis: 29000, passthroughBehavior: 'WHEN_NO_MATCH',
      ...integrationBody(f, ws) };
    const back = formFromIntegration(stored, ws);
    assert.equal(back.kind, kind);
    assert.deepEqual(integrationBody(back, ws), integrationBody(f, ws), kind);
  }
  const v = formFromIntegration({ integrationType: 'HTTP_PROXY', connectionType: 'VPC_LINK',
    connectionId: '${stageVariables.vpcLinkId}', integrationUri: 'https://x/', integrationMethod: 'GET' }, ws);
  assert.equal(v.vpc.link, USE_STAGE_VARIABLES);
  assert.equal(v.vpc.linkVar, '${stageVariables.vpcLinkId}');
});

test('saving over an existing integration: update, clear, or replace', () => {
  assert.equal(savePlan(null, { integrationType: 'MOCK' }, ws).mode, 'create');
  const existing = { integrationId: 'a', integrationType: 'MOCK', connectionType: 'INTERNET',
    timeoutInMillis: 12000, requestTemplates: { 'application/json': '{}', 'text/plain': 'x' }, description: 'd' };
  const p = savePlan(existing, { integrationType: 'MOCK', requestTemplates: { 'application/json': '{}' } }, ws);
  assert.deepEqual(p, { mode: 'update', body: { integrationType: 'MOCK', timeoutInMillis: 29000,
    description: '', requestTemplates: { 'application/json': '{}', 'text/plain': '' } } });
  const lambda = { integrationId: 'b', integrationType: 'AWS_PROXY', integrationUri: 'arn:aws:apigateway:x', integrationMethod: 'POST',
    credentialsArn: CALLER_CREDENTIALS, requestParameters: { 'integration.request.header.x': "'1'" } };
  const r = savePlan(lambda, { integrationType: 'MOCK' }, ws);
  assert.equal(r.mode, 'replace');
  assert.deepEqual(r.body.requestParameters, lambda.requestParameters);
});

test('a server message is put next to the field it names', () => {
  const f = emptyForm(ws);
  assert.equal(fieldOfError('Invalid value for timeoutInMillis: 29001. Must be between 50 and 29000 for WEBSOCKET APIs', f), 'timeout');
  assert.equal(fieldOfError('Invalid integration URI specified: x. AWS_PROXY integrations need an ARN', f), 'lambdaFunction');
  f.kind = 'vpc';
  assert.equal(fieldOfError('connectionId is required when connectionType is VPC_LINK', f), 'vpcLinkVar');
  assert.equal(fieldOfError('Invalid integration URI specified: x. HTTP integrations need ...', f), 'vpcUrl');
  assert.equal(fieldOfError('Something else', f), '');
});
