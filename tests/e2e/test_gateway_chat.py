"""AWS's own WebSocket tutorial chat app (simple-websockets-chat-app) against apigwd and its
in-process gateway: created with the real aws CLI, deployed, driven by 3 real WebSocket clients
(Debian's python3-websockets). $connect stores the connection id, sendmessage posts to every
stored connection through @connections at the endpoint built from the event's domainName and
stage (boto3's apigatewaymanagementapi, inside the handler), $disconnect removes the id.

The handlers (tests/e2e/data/chat_app/) run in lambda_stub.py, the Lambda Invoke API stand-in.
Clients use the gateway's Host form (`Host: {apiId}.execute-api.localhost:PORT`, path
/{stage}), so the event's domainName names the gateway and the sample's endpoint works
(docs/gateway.md, docs/aws-behaviour.md §D1.1, §D1.2); `*.localhost` resolves to loopback in
this process (lambda_stub.resolve_localhost_names, RFC 6761)."""
import asyncio
import json
import os
import sys
import tempfile
import time
import unittest

from gateway_harness import Loop
from harness import CRED_ENV, Server
from lambda_stub import LambdaStub, resolve_localhost_names

# Debian's python3-websockets lives outside pyenv's path: add it for this import only.
try:
    import websockets
except ImportError:
    sys.path.append("/usr/lib/python3/dist-packages")
    import websockets
    sys.path.remove("/usr/lib/python3/dist-packages")

HERE = os.path.dirname(os.path.abspath(__file__))
APP = os.path.join(HERE, "data", "chat_app")
STAGE = "Prod"  # the sample's SAM template deploys stage "Prod"


def wait_for(cond, timeout=20, what="condition"):
    deadline = time.time() + timeout
    while True:
        v = cond()
        if v:
            return v
        if time.time() > deadline:
            raise AssertionError("timed out after %ss waiting for %s" % (timeout, what))
        time.sleep(0.02)


class ChatClient:
    """One chat user: a websockets connection to the gateway's Host form."""

    def __init__(self, loop, host, port, stage):
        self.loop = loop
        url = "ws://%s:%d/%s" % (host, port, stage)

        async def opening():  # TCP to loopback; the URL's name is the Host header
            return await websockets.connect(url, host="127.0.0.1", port=port, max_size=None,
                                            ping_interval=None, open_timeout=15)
        self.ws = loop.run(opening())

    def say(self, text):
        self.loop.run(self.ws.send(json.dumps({"action": "sendmessage", "data": text})))

    def hear(self, timeout=15):
        return self.loop.run(asyncio.wait_for(self.ws.recv(), timeout), timeout + 5)

    def close(self):
        """Closes with 1000 (again: a no-op)."""
        self.loop.run(self.ws.close(1000), 15)


class ChatAppTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.saved_env = dict(os.environ)
        cls.tmp = tempfile.mkdtemp(prefix="chat-app-")
        # The functions' environment, as the sample's template gives it (TABLE_NAME), and the
        # credentials boto3 signs the @connections calls with inside the handler.
        os.environ.update(CRED_ENV)
        os.environ["TABLE_NAME"] = os.path.join(cls.tmp, "connections.sqlite")
        os.environ["ENDPOINT_SCHEME"] = "http"
        resolve_localhost_names()
        cls.lam = LambdaStub()
        cls.functions = cls.lam.add_dir(APP)
        pf = os.path.join(cls.tmp, "gw.port")
        cls.server = Server(args=["--gateway-listen", "127.0.0.1:0", "--gateway-port-file", pf,
                                  "--gateway-lambda-endpoint", cls.lam.url]).start()
        cls.gw_port = int(wait_for(lambda: os.path.exists(pf) and open(pf).read().strip(),
                                   what="the gateway's port file"))
        cls.loop = Loop()

    @classmethod
    def tearDownClass(cls):
        cls.loop.close()
        cls.server.close()
        cls.lam.close()
        os.environ.clear()
        os.environ.update(cls.saved_env)

    def table(self):
        import sqlite3
        c = sqlite3.connect(os.environ["TABLE_NAME"])
        try:
            return sorted(r[0] for r in c.execute("SELECT connectionId FROM connections"))
        finally:
            c.close()

    def create_app(self):
        """The sample's template, step by step with the aws CLI; returns the API id."""
        aws = self.server.aws
        api = aws("create-api", "--name", "SimpleChatWebSocket", "--protocol-type", "WEBSOCKET",
                  "--route-selection-expression", "$request.body.action")["ApiId"]
        for key, fn in (("$connect", "onconnect"), ("$disconnect", "ondisconnect"),
                        ("sendmessage", "sendmessage")):
            integ = aws("create-integration", "--api-id", api, "--integration-type", "AWS_PROXY",
                        "--integration-method", "POST",
                        "--integration-uri", LambdaStub.integration_uri(fn))["IntegrationId"]
            aws("create-route", "--api-id", api, "--route-key", key,
                "--authorization-type", "NONE", "--operation-name",
                {"$connect": "ConnectRoute", "$disconnect": "DisconnectRoute",
                 "sendmessage": "SendRoute"}[key],
                "--target", "integrations/" + integ)
        dep = aws("create-deployment", "--api-id", api)["DeploymentId"]
        aws("create-stage", "--api-id", api, "--stage-name", STAGE, "--deployment-id", dep)
        return api

    def test_three_clients_chat(self):
        self.assertEqual(sorted(self.functions), ["onconnect", "ondisconnect", "sendmessage"])
        api = self.create_app()
        self.assertEqual(self.server.aws("get-api", "--api-id", api)["ApiEndpoint"],
                         "wss://%s.execute-api.us-east-1.amazonaws.com" % api,
                         "AWS's form unless --gateway-api-endpoint")
        host = "%s.execute-api.localhost" % api
        users = []
        self.addCleanup(lambda: [u.close() for u in users])
        users += [ChatClient(self.loop, host, self.gw_port, STAGE) for _ in range(3)]
        connects = self.lam.wait_calls(3, name="onconnect")
        ids = sorted(i.event()["requestContext"]["connectionId"] for i in connects)
        self.assertEqual(len(set(ids)), 3)
        self.assertEqual(self.table(), ids, "$connect stored every connection id")
        for inv in connects:
            self.assertEqual(inv.function, LambdaStub.arn("onconnect"))
            ctx = inv.event()["requestContext"]
            self.assertEqual((ctx["routeKey"], ctx["eventType"], ctx["stage"], ctx["apiId"]),
                             ("$connect", "CONNECT", STAGE, api))
            self.assertEqual(ctx["domainName"], "%s:%d" % (host, self.gw_port))

        # Everyone (the sender too) hears every message. (Two senders' messages run their
        # integrations concurrently, in AWS as here: no order between them is promised.)
        users[0].say("hello from 0")
        for u in users:
            self.assertEqual(u.hear(), "hello from 0")
        users[1].say("hello from 1")
        for u in users:
            self.assertEqual(u.hear(), "hello from 1")
        sends = self.lam.wait_calls(2, name="sendmessage")
        self.assertEqual([json.loads(i.event()["body"])["data"] for i in sends],
                         ["hello from 0", "hello from 1"])
        self.assertTrue(all(i.event()["requestContext"]["routeKey"] == "sendmessage"
                            for i in sends))

        # A stale id in the table: @connections answers 410 GoneException and the sample
        # removes it (the handler's except branch); the live users still hear the message.
        import sqlite3
        c = sqlite3.connect(os.environ["TABLE_NAME"])
        c.execute("INSERT INTO connections VALUES ('AAAAAAAAAAAAAAA=')")
        c.commit()
        c.close()
        users[2].say("anyone?")
        for u in users:
            self.assertEqual(u.hear(), "anyone?")
        self.lam.wait_calls(3, name="sendmessage")
        wait_for(lambda: self.table() == ids, what="the stale id to be removed")

        # A user leaves: $disconnect removes its id; the others keep chatting without it.
        users[1].close()
        disc = self.lam.wait_calls(1, name="ondisconnect")
        left_id = disc[0].event()["requestContext"]["connectionId"]
        self.assertIn(left_id, ids)
        self.assertEqual(disc[0].event()["requestContext"]["eventType"], "DISCONNECT")
        wait_for(lambda: left_id not in self.table(), what="$disconnect to remove the id")
        self.assertEqual(len(self.table()), 2)
        users[0].say("bye 1")
        self.assertEqual(users[0].hear(), "bye 1")
        self.assertEqual(users[2].hear(), "bye 1")
        self.assertEqual(len(self.lam.wait_calls(4, name="sendmessage")), 4)
        for u in (users[0], users[2]):
            u.close()
        self.lam.wait_calls(3, name="ondisconnect")
        wait_for(lambda: self.table() == [], what="every id removed after every close")


class LocalApiEndpointTest(unittest.TestCase):
    """apigwd --gateway-listen ... --gateway-api-endpoint: a new WEBSOCKET API's ApiEndpoint is
    the in-process gateway's ws://HOST:PORT/{apiId}, so ApiEndpoint + "/" + stage is a URL a
    client connects to, as with AWS's wss://{apiId}.execute-api.{region}.amazonaws.com."""

    def test_flag_needs_gateway_listen(self):
        s = Server(args=["--gateway-api-endpoint"])
        try:
            with self.assertRaises(RuntimeError) as cm:
                s.start()
            self.assertIn("--gateway-api-endpoint", str(cm.exception))
            self.assertIn("--gateway-listen", str(cm.exception))
            self.assertEqual(s.proc.wait(10), 2)
        finally:
            s.close()

    def test_api_endpoint_names_the_gateway(self):
        tmp = tempfile.mkdtemp(prefix="local-endpoint-")
        pf = os.path.join(tmp, "gw.port")
        server = Server(args=["--gateway-listen", "127.0.0.1:0", "--gateway-port-file", pf,
                              "--gateway-api-endpoint"]).start()
        loop = Loop()
        try:
            # The control plane's port file comes after the gateway's: no wait needed.
            with open(pf) as f:
                gw_port = int(f.read())
            aws = server.aws
            api = aws("create-api", "--name", "local", "--protocol-type", "WEBSOCKET",
                      "--route-selection-expression", "$request.body.action")
            self.assertEqual(api["ApiEndpoint"], "ws://127.0.0.1:%d/%s" % (gw_port, api["ApiId"]))
            got = aws("get-api", "--api-id", api["ApiId"])
            self.assertEqual(got["ApiEndpoint"], api["ApiEndpoint"])
            listed = [a for a in aws("get-apis")["Items"] if a["ApiId"] == api["ApiId"]]
            self.assertEqual(listed[0]["ApiEndpoint"], api["ApiEndpoint"])
            # HTTP APIs are not served by the gateway: they keep AWS's form.
            http_api = aws("create-api", "--name", "h", "--protocol-type", "HTTP")
            self.assertEqual(http_api["ApiEndpoint"],
                             "https://%s.execute-api.us-east-1.amazonaws.com" % http_api["ApiId"])

            # The endpoint is a URL a client uses: a two-way MOCK route answers from its
            # integration response (docs/aws-behaviour.md §D4.4, §D6).
            a = api["ApiId"]
            integ = aws("create-integration", "--api-id", a, "--integration-type", "MOCK",
                        "--request-templates", '{"$default": "{\\"statusCode\\": 200}"}',
                        "--template-selection-expression", "\\$default")["IntegrationId"]
            aws("create-integration-response", "--api-id", a, "--integration-id", integ,
                "--integration-response-key", "$default", "--template-selection-expression",
                "\\$default", "--response-templates", '{"$default": "pong $context.stage"}')
            route = aws("create-route", "--api-id", a, "--route-key", "$default",
                        "--route-response-selection-expression", "$default",
                        "--target", "integrations/" + integ)["RouteId"]
            aws("create-route-response", "--api-id", a, "--route-id", route,
                "--route-response-key", "$default")
            aws("create-stage", "--api-id", a, "--stage-name", "dev", "--auto-deploy")
            aws("create-deployment", "--api-id", a, "--stage-name", "dev")

            async def talk():
                async with websockets.connect(api["ApiEndpoint"] + "/dev", open_timeout=15,
                                              ping_interval=None) as ws:
                    await ws.send("ping")
                    return await asyncio.wait_for(ws.recv(), 15)
            self.assertEqual(loop.run(talk()), "pong dev")
        finally:
            loop.close()
            server.close()


if __name__ == "__main__":
    unittest.main()
