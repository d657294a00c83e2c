// The seed's flow and a paginated listing, driven by the AWS SDK for JavaScript v3
// (@aws-sdk/client-apigatewayv2) against the apigwd at $APIGWD_URL. Run by
// tests/e2e/test_js_sdk.py, which starts the server; by hand:
//   APIGWD_URL=http://127.0.0.1:8080 node --test     (in tests/js, after npm ci)
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";

import {
  ApiGatewayV2Client,
  CreateApiCommand,
  CreateIntegrationCommand,
  DeleteApiCommand,
  DeleteIntegrationCommand,
  GetApisCommand,
  GetIntegrationCommand,
  GetIntegrationsCommand,
  UpdateIntegrationCommand,
} from "@aws-sdk/client-apigatewayv2";

const ENDPOINT = process.env.APIGWD_URL;
if (!ENDPOINT) throw new Error("set APIGWD_URL to the apigwd endpoint (http://127.0.0.1:PORT)");

const DATA = new URL("../e2e/data/", import.meta.url);
const load = (name) => JSON.parse(readFileSync(new URL(name, DATA), "utf8"));

const LAMBDA_URI =
  "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:" +
  "us-east-1:123412341234:function:simpleproxy-echo-e2e/invocations";

const client = new ApiGatewayV2Client({
  endpoint: ENDPOINT,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
});

// The output without the SDK's response metadata.
const members = ({ $metadata, ...rest }) => {
  assert.ok($metadata.requestId, "x-amzn-RequestId reaches $metadata.requestId");
  return rest;
};

// Member by member: the same members, the same values, IntegrationId aside.
function assertSeedOutput(out, expected) {
  assert.deepEqual(Object.keys(out).sort(), Object.keys(expected).sort());
  for (const [member, value] of Object.entries(expected)) {
    if (member === "IntegrationId") assert.match(out[member], /^[a-z0-9]{7}$/);
    else assert.deepEqual(out[member], value, member);
  }
}

async function assertNotFound(promise, message) {
  await assert.rejects(promise, (err) => {
    assert.equal(err.name, "NotFoundException");
    assert.equal(err.$metadata.httpStatusCode, 404);
    assert.equal(err.message, message);
    return true;
  });
}

test("the seed's flow: WebSocket API, MOCK and AWS_PROXY integrations, get, list, update, delete", async () => {
  const api = members(
    await client.send(
      new CreateApiCommand({
        Name: "seed-ws-js",
        ProtocolType: "WEBSOCKET",
        RouteSelectionExpression: "$request.body.action",
      }),
    ),
  );
  assert.match(api.ApiId, /^[a-z0-9]{10}$/);
  assert.equal(api.ApiEndpoint, `wss://${api.ApiId}.execute-api.us-east-1.amazonaws.com`);
  assert.ok(api.CreatedDate instanceof Date, "createdDate parses as a timestamp");

  // 1. The MOCK integration from the seed's parameter file (PascalCase, as the SDK takes it).
  const mock = members(
    await client.send(new CreateIntegrationCommand({ ApiId: api.ApiId, ...load("integration-params.json") })),
  );
  assertSeedOutput(mock, load("seed-mock-output.json"));

  // 2. The Lambda proxy integration.
  const proxy = members(
    await client.send(
      new CreateIntegrationCommand({
        ApiId: api.ApiId,
        IntegrationType: "AWS_PROXY",
        IntegrationMethod: "POST",
        IntegrationUri: LAMBDA_URI,
      }),
    ),
  );
  assertSeedOutput(proxy, load("seed-aws-proxy-output.json"));
  assert.notEqual(mock.IntegrationId, proxy.IntegrationId);

  // 3. Get answers what Create answered.
  for (const created of [mock, proxy]) {
    const got = members(
      await client.send(new GetIntegrationCommand({ ApiId: api.ApiId, IntegrationId: created.IntegrationId })),
    );
    assert.deepEqual(got, created);
  }

  // 4. The list: both, in creation order, no token.
  const listed = members(await client.send(new GetIntegrationsCommand({ ApiId: api.ApiId })));
  assert.deepEqual(listed, { Items: [mock, proxy] });

  // 5. Update: the sent members change, the others stay.
  const updated = members(
    await client.send(
      new UpdateIntegrationCommand({
        ApiId: api.ApiId,
        IntegrationId: mock.IntegrationId,
        Description: "seed mock",
        TimeoutInMillis: 10000,
      }),
    ),
  );
  assert.deepEqual(updated, { ...mock, Description: "seed mock", TimeoutInMillis: 10000 });

  // 6. Delete; afterwards the id is unknown, with AWS's message.
  const deleted = await client.send(
    new DeleteIntegrationCommand({ ApiId: api.ApiId, IntegrationId: mock.IntegrationId }),
  );
  assert.equal(deleted.$metadata.httpStatusCode, 204);
  await assertNotFound(
    client.send(new GetIntegrationCommand({ ApiId: api.ApiId, IntegrationId: mock.IntegrationId })),
    `Invalid Integration identifier specified ${mock.IntegrationId}`,
  );
  await assertNotFound(
    client.send(new GetIntegrationsCommand({ ApiId: "xxxx" })),
    "Invalid API identifier specified 000000000000:xxxx",
  );
  const after = members(await client.send(new GetIntegrationsCommand({ ApiId: api.ApiId })));
  assert.deepEqual(after, { Items: [proxy] });

  await client.send(new DeleteApiCommand({ ApiId: api.ApiId }));
});

test("GetApis pages with MaxResults and NextToken until the token is gone", async () => {
  // A region of its own, so the listing holds exactly the APIs made here.
  const eu = new ApiGatewayV2Client({
    endpoint: ENDPOINT,
    region: "eu-west-3",
    credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
    maxAttempts: 1,
  });
  const made = [];
  for (let i = 0; i < 7; i++) {
    const api = await eu.send(new CreateApiCommand({ Name: `page-${i}`, ProtocolType: "HTTP" }));
    assert.equal(api.ApiEndpoint, `https://${api.ApiId}.execute-api.eu-west-3.amazonaws.com`);
    made.push(api.ApiId);
  }
  const seen = [];
  const pages = [];
  let token;
  do {
    const page = await eu.send(new GetApisCommand({ MaxResults: "3", NextToken: token }));
    assert.ok(page.Items.length <= 3, `a page holds at most MaxResults items, got ${page.Items.length}`);
    pages.push(page.Items.length);
    seen.push(...page.Items.map((a) => a.ApiId));
    token = page.NextToken;
  } while (token);
  assert.deepEqual(pages, [3, 3, 1]);
  assert.deepEqual(seen, made, "every API once, in creation order");
  eu.destroy();
});
