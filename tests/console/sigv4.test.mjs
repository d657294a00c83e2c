// sigv4.test.mjs — the console's SigV4 signer (console/sigv4.mjs) on known answers: vectors of
// AWS's SigV4 test suite (the same ones tests/unit/test_sigv4.c checks the server's verifier
// with) and requests to apigwd signed by botocore 1.x (SigV4Auth, service apigateway, fixed
// time), so the browser and the AWS CLI sign byte for byte alike.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { webcrypto } from 'node:crypto';

import { canonicalQuery, canonicalUri, signRequest, uriEncode } from '../../console/sigv4.mjs';

// The browser's crypto.subtle; Node 18 has it only under node:crypto.
if (!globalThis.crypto) globalThis.crypto = webcrypto;

const suiteCredentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const suiteDate = new Date(Date.UTC(2015, 7, 30, 12, 36, 0));

// [name, method, path?query, body, signature] of aws-sig-v4-test-suite (region us-east-1,
// service "service", host example.amazonaws.com, 20150830T123600Z).
const suite = [
  ['get-vanilla', 'GET', '/', '',
    '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'],
  ['get-vanilla-query-order-key-case', 'GET', '/?Param2=value2&Param1=value1', '',
    'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500'],
  ['get-vanilla-query-unreserved', 'GET',
    '/?-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=' +
    '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', '',
    '9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197'],
  ['get-vanilla-utf8-query', 'GET', '/?\u1234=bar', '',
    '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04'],
  ['get-slash-dot-slash', 'GET', '/./', '',
    '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31'],
  ['post-vanilla', 'POST', '/', '',
    '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b'],
];

for (const [name, method, target, body, signature] of suite) {
  test(`AWS SigV4 test suite: ${name}`, async () => {
    const r = await signRequest({
      method, url: 'https://example.amazonaws.com' + target, body,
      credentials: suiteCredentials, region: 'us-east-1', service: 'service', date: suiteDate,
    });
    assert.equal(r.signature, signature);
    assert.equal(r.headers['x-amz-date'], '20150830T123600Z');
    assert.equal(r.headers.authorization,
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
      `SignedHeaders=host;x-amz-date, Signature=${signature}`);
  });
}

test('get-vanilla: the canonical request and string to sign of the suite', async () => {
  const r = await signRequest({
    method: 'GET', url: 'https://example.amazonaws.com/', credentials: suiteCredentials,
    region: 'us-east-1', service: 'service', date: suiteDate,
  });
  assert.equal(r.canonicalRequest, 'GET\n/\n\nhost:example.amazonaws.com\n' +
    'x-amz-date:20150830T123600Z\n\nhost;x-amz-date\n' +
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  assert.equal(r.stringToSign, 'AWS4-HMAC-SHA256\n20150830T123600Z\n' +
    '20150830/us-east-1/service/aws4_request\n' +
    'bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63');
});

// botocore's answers (python3: SigV4Auth(Credentials(AKIDEXAMPLE, ...), "apigateway",
// "eu-west-1").add_auth(AWSRequest(...)) at 2026-11-25T06:31:00Z).
const botoDate = new Date(Date.UTC(2026, 10, 25, 6, 31, 0));
const boto = [
  ['a tag ARN in the path (encoded once more)', 'GET',
    '/v2/tags/arn%3Aaws%3Aapigateway%3Aus-east-1%3A%3A%2Fapis%2Fabcdefghij', undefined,
    '389e3d0b05c798dbfff4cef713c796a72398383de68c8ac543ef1f1128cf3786'],
  ['an encoded query', 'GET', '/v2/apis?maxResults=100&nextToken=a%2Fb%2Bc%3D', undefined,
    'd61ee45881befd25a39736c8d0cf295eca0c686dcd3fa833abe72fa268b539d7'],
  ['a JSON body', 'POST', '/v2/apis',
    '{"name":"x","protocolType":"WEBSOCKET","routeSelectionExpression":"$request.body.action"}',
    '8e1f9d0ce7b0c32863e2b487fb6e0172ec8d4edef4f663410ba0e0c5ee086725'],
];

for (const [name, method, target, body, signature] of boto) {
  test(`botocore apigateway request: ${name}`, async () => {
    const r = await signRequest({
      method, url: 'http://127.0.0.1:8080' + target, body, credentials: suiteCredentials,
      region: 'eu-west-1', date: botoDate,
    });
    assert.equal(r.headers.authorization,
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261125/eu-west-1/apigateway/aws4_request, ' +
      `SignedHeaders=host;x-amz-date, Signature=${signature}`);
    assert.equal(r.headers['x-amz-date'], '20261125T063100Z');
  });
}

test('canonical URI, query and encoding pieces', () => {
  assert.equal(canonicalUri('/v2/tags/arn%3Aaws'), '/v2/tags/arn%253Aaws');
  assert.equal(canonicalUri('//a//b/../c/./'), '/a/c/');
  assert.equal(canonicalUri(''), '/');
  assert.equal(canonicalQuery('b=2&a=%7e&a=1&c'), 'a=1&a=~&b=2&c=');
  assert.equal(uriEncode('a b/\u00e9*'), 'a%20b%2F%C3%A9%2A');
});
