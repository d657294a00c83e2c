// The AWS SDK for JavaScript v3's ApiGatewayManagementApiClient against apigwd-gateway's
// @connections (docs/gateway.md; docs/aws-behaviour.md §D1.2-§D1.3), run by
// tests/e2e/test_js_gateway.py, which holds a real WebSocket client open on CONNECTION_ID and
// checks what it received. Env: GATEWAY_ENDPOINT (http://HOST:PORT/{apiId}/{stage}),
// CONNECTION_ID. Not named *.test.mjs: `node --test` in this directory must not pick it up.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from "@aws-sdk/client-apigatewaymanagementapi";

const client = new ApiGatewayManagementApiClient({
  endpoint: process.env.GATEWAY_ENDPOINT,
  region: "us-east-1",
  credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" },
  maxAttempts: 1,
});
const id = process.env.CONNECTION_ID;

test("post, get, delete, then GoneException", async () => {
  const posted = await client.send(
    new PostToConnectionCommand({ ConnectionId: id, Data: new TextEncoder().encode("hello from js") }),
  );
  assert.equal(posted.$metadata.httpStatusCode, 200);
  const got = await client.send(new GetConnectionCommand({ ConnectionId: id }));
  assert.ok(got.ConnectedAt instanceof Date, "ConnectedAt is a date");
  assert.ok(got.LastActiveAt instanceof Date, "LastActiveAt is a date");
  assert.equal(got.Identity.SourceIp, "127.0.0.1");
  const deleted = await client.send(new DeleteConnectionCommand({ ConnectionId: id }));
  assert.equal(deleted.$metadata.httpStatusCode, 204);
  await assert.rejects(
    client.send(new PostToConnectionCommand({ ConnectionId: id, Data: "late" })),
    (e) => e instanceof GoneException && e.$metadata.httpStatusCode === 410,
  );
  await assert.rejects(
    client.send(new GetConnectionCommand({ ConnectionId: id })),
    (e) => e instanceof GoneException,
  );
});
