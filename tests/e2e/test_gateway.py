"""apigwd-gateway against the real apigwd, driven by real clients: Python websockets for
`ws://`, boto3's apigatewaymanagementapi for @connections (docs/gateway.md; the rules are
docs/aws-behaviour.md §D1-§D8). AWS_PROXY routes call a small Lambda Invoke API server that
runs Python handlers; HTTP_PROXY routes call a small HTTP backend (both lambda_stub.py)."""
import http.client
import json
import os
import re
import signal
import socket
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request

from botocore.exceptions import ClientError

from gateway_harness import websockets  # noqa: E402 (Debian's, path set there)
from gateway_harness import Client, Gateway, Loop, connect_status, wait_for
from harness import Server
from lambda_stub import Backend, LambdaStub

# §D3.2 error frames, byte-exact: FRAME % "Forbidden" is the pattern of one.
FRAME = (r'^\{"message": "%s", "connectionId":"([A-Za-z0-9_-]{15}=)", '
         r'"requestId":"([A-Za-z0-9_-]{15}=)"\}$')
LAMBDA_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
              "arn:aws:lambda:us-east-1:123456789012:function:%s/invocations")


def echo_path(req):
    """A backend answer naming the path it was called on: "PATH|BODY"."""
    return 200, ("%s|" % req.path).encode() + req.body


def events(lam, route_key):
    """The proxy events lambda_stub received for route_key, oldest first."""
    return [e for e in (i.event() for i in lam.calls())
            if e and e.get("requestContext", {}).get("routeKey") == route_key]


def http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def make_api(c, rse, routes, stage="prod", deploy=True, variables=None):
    """A WebSocket API whose routes are {key: integration kwargs (+ two_way)}; returns
    (api_id, {key: (route_id, integration_id)})."""
    api = c.create_api(Name="gw", ProtocolType="WEBSOCKET",
                       RouteSelectionExpression=rse)["ApiId"]
    ids = {}
    for key, spec in routes.items():
        spec = dict(spec)
        two_way = spec.pop("two_way", True)
        iid = c.create_integration(ApiId=api, **spec)["IntegrationId"]
        if two_way and "PROXY" not in spec.get("IntegrationType", ""):
            # A non-proxy answer is its integration response's (§D6.1); none -> error frame.
            c.create_integration_response(ApiId=api, IntegrationId=iid,
                                          IntegrationResponseKey="$default")
        kw = {"RouteResponseSelectionExpression": "$default"} if two_way else {}
        rid = c.create_route(ApiId=api, RouteKey=key, Target="integrations/" + iid,
                             **kw)["RouteId"]
        if two_way:
            c.create_route_response(ApiId=api, RouteId=rid, RouteResponseKey="$default")
        ids[key] = (rid, iid)
    c.create_stage(ApiId=api, StageName=stage, StageVariables=variables or {})
    if deploy:
        c.create_deployment(ApiId=api, StageName=stage)
    return api, ids


def http_proxy(url, **kw):
    return dict(IntegrationType="HTTP_PROXY", IntegrationMethod="POST", IntegrationUri=url, **kw)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class GatewayTest(unittest.TestCase):
    gateway_args = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.c = cls.server.client()
        cls.lam = LambdaStub()
        cls.be = Backend(reply=echo_path)
        cls.gw = Gateway(cls.server.url, ["--lambda-endpoint", cls.lam.url]
                         + list(cls.gateway_args)).start()
        cls.loop = Loop()

    @classmethod
    def tearDownClass(cls):
        cls.gw.close()
        cls.loop.close()
        cls.lam.close()
        cls.be.close()
        cls.server.close()

    def served(self, api, stage="prod"):
        """Waits until the gateway accepts upgrades for api/stage (it follows the feed)."""
        wait_for(lambda: connect_status(self.loop, self.gw.ws_url(api, stage)) == 101,
                 what="stage %s/%s served\n%s" % (api, stage, self.gw.logs()))

    def client(self, api, stage="prod", **kw):
        return Client(self.loop, self.gw.ws_url(api, stage), **kw)


class TestRouting(GatewayTest):
    def test_route_selection_forms_and_default(self):
        """§D3.1: ${...} with literals, a missing path yields "", arrays stringify as
        [a, b], numbers as JSON, non-JSON frames and unknown keys go to $default."""
        be = self.be.url
        api, _ = make_api(self.c, "${request.body.service}/${request.body.action}", {
            "chat/join": http_proxy(be + "/join"),
            "chat/": http_proxy(be + "/empty"),
            "[a, b]/1": http_proxy(be + "/array"),
            "$default": http_proxy(be + "/default"),
        })
        self.served(api)
        ws = self.client(api)
        self.assertEqual(ws.ask('{"service":"chat","action":"join"}'),
                         '/join|{"service":"chat","action":"join"}')
        self.assertEqual(ws.ask('{"service":"chat"}'), '/empty|{"service":"chat"}')
        self.assertEqual(ws.ask('{"service":["a","b"],"action":1}'),
                         '/array|{"service":["a","b"],"action":1}')
        self.assertEqual(ws.ask("not json"), "/default|not json")
        self.assertEqual(ws.ask('{"service":"x"}'), '/default|{"service":"x"}')
        ws.close()

    def test_bare_nested_path_and_escaped_static(self):
        """§D3.1: $request.body.a.b[0] (bare, nested, indexed) and `\\$default` (static)."""
        api, _ = make_api(self.c, "$request.body.a.b[0]", {
            "x": http_proxy(self.be.url + "/x"),
            "$default": http_proxy(self.be.url + "/default")})
        self.served(api)
        ws = self.client(api)
        self.assertEqual(ws.ask('{"a":{"b":["x"]}}'), '/x|{"a":{"b":["x"]}}')
        self.assertEqual(ws.ask('{"a":{"b":["y"]}}'), '/default|{"a":{"b":["y"]}}')
        ws.close()
        api2, _ = make_api(self.c, "\\$default", {
            "$default": http_proxy(self.be.url + "/static")})
        self.served(api2)
        ws = self.client(api2)
        self.assertEqual(ws.ask('{"action":"x"}'), '/static|{"action":"x"}')
        ws.close()

    def test_no_route_forbidden_frame_and_one_way(self):
        """§D3.2 byte-exact Forbidden frame (connection stays open); one-way routes answer
        nothing (§D6.3); MOCK is answered by the gateway."""
        api, _ = make_api(self.c, "$request.body.action", {
            "echo": dict(IntegrationType="MOCK"),
            "quiet": dict(IntegrationType="MOCK", two_way=False)})
        self.served(api)
        ws = self.client(api)
        frame = ws.ask('{"action":"nope"}')
        m = re.match(FRAME % "Forbidden", frame)
        self.assertTrue(m, frame)
        self.assertNotEqual(m.group(1), m.group(2))
        ws.send('{"action":"quiet"}')
        self.assertTrue(ws.no_frame(0.5))
        self.assertEqual(ws.ask('{"action":"echo","n":1}'), '{"action":"echo","n":1}')
        ws.close()

    def test_unknown_stage_refused_403(self):
        """§D1.1: an unknown API or stage refuses the upgrade with 403."""
        self.assertEqual(connect_status(self.loop, self.gw.ws_url("nope123456", "prod")), 403)

    def test_undeployed_edits_not_served_and_redeploy_keeps_50_clients(self):
        """A stage serves its deployment, never undeployed edits; a redeploy applies to the next
        message while 50 clients stay connected."""
        api, ids = make_api(self.c, "$request.body.action", {
            "$default": http_proxy(self.be.url + "/v1")})
        self.served(api)
        clients = [self.client(api) for _ in range(50)]
        for ws in clients:
            self.assertEqual(ws.ask("a"), "/v1|a")
        self.c.update_integration(ApiId=api, IntegrationId=ids["$default"][1],
                                  IntegrationUri=self.be.url + "/v2")
        # The edit is stored but not deployed: wait past a feed round and check it is not served.
        rev = self.c.get_integration(ApiId=api, IntegrationId=ids["$default"][1])
        self.assertEqual(rev["IntegrationUri"], self.be.url + "/v2")
        time.sleep(0.3)  # not synchronisation: a window in which a wrong gateway would switch
        self.assertEqual(clients[0].ask("b"), "/v1|b")
        self.c.create_deployment(ApiId=api, StageName="prod")
        wait_for(lambda: clients[1].ask("c").startswith("/v2|"), what="new deployment")
        for ws in clients:
            self.assertEqual(ws.ask("d"), "/v2|d")
        for ws in clients:
            ws.close()


class TestLambda(GatewayTest):
    def test_proxy_event_order_qualifier_and_two_way_body(self):
        """§D4.1: MESSAGE event members in AWS's order, the alias as Qualifier; §D4.2 the
        result's body is the frame."""
        self.lam.add("fmsg", lambda e, ctx: {"statusCode": 200, "body": "pong:" + e["body"]})
        api, _ = make_api(self.c, "$request.body.action", {
            "ping": dict(IntegrationType="AWS_PROXY",
                         IntegrationUri=LAMBDA_URI % "fmsg:live")})
        self.served(api)
        ws = self.client(api, headers={"User-Agent": "gw-test"})
        self.assertEqual(ws.ask('{"action":"ping"}'), 'pong:{"action":"ping"}')
        inv = self.lam.calls("fmsg")[-1]
        fn, qual, raw = inv.function, inv.qualifier, inv.payload
        self.assertEqual(qual, "live")
        self.assertTrue(fn.endswith(":function:fmsg"), fn)
        ev = json.loads(raw)
        self.assertEqual(list(ev), ["requestContext", "body", "isBase64Encoded"])
        self.assertEqual(list(ev["requestContext"]), [
            "routeKey", "messageId", "eventType", "extendedRequestId", "requestTime",
            "messageDirection", "stage", "connectedAt", "requestTimeEpoch", "identity",
            "requestId", "domainName", "connectionId", "apiId"])
        rc = ev["requestContext"]
        self.assertEqual((rc["eventType"], rc["routeKey"], rc["apiId"], rc["stage"]),
                         ("MESSAGE", "ping", api, "prod"))
        self.assertEqual(rc["identity"], {"userAgent": "gw-test", "sourceIp": "127.0.0.1"})
        self.assertRegex(rc["requestTime"], r"^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$")
        self.assertEqual(rc["requestId"], rc["extendedRequestId"])
        ws.close()

    def test_connect_refused_with_status_and_function_error(self):
        """§D2.1: $connect's statusCode refuses the upgrade; a function error is 502; the
        CONNECT event carries headers and the query string."""
        def on_connect(e, ctx):
            q = e.get("queryStringParameters") or {}
            if q.get("boom"):
                raise RuntimeError("boom")
            return {"statusCode": int(q.get("status", "200"))}
        self.lam.add("fconn", on_connect)
        api, _ = make_api(self.c, "$request.body.action", {
            "$connect": dict(IntegrationType="AWS_PROXY", IntegrationUri=LAMBDA_URI % "fconn",
                             two_way=False),
            "$default": dict(IntegrationType="MOCK")})
        self.served(api)
        url = self.gw.ws_url(api, "prod")
        self.assertEqual(connect_status(self.loop, url + "?status=401"), 401)
        self.assertEqual(connect_status(self.loop, url + "?status=400"), 400)
        self.assertEqual(connect_status(self.loop, url + "?boom=1"), 502)
        self.assertEqual(connect_status(self.loop, url + "?status=200&a=1"), 101)
        ev = [e for e in events(self.lam, "$connect")
              if e.get("queryStringParameters", {}).get("a") == "1"][-1]
        self.assertEqual(list(ev), ["headers", "multiValueHeaders", "queryStringParameters",
                                    "multiValueQueryStringParameters", "requestContext",
                                    "isBase64Encoded"])
        self.assertEqual(ev["requestContext"]["eventType"], "CONNECT")
        self.assertEqual(ev["headers"]["X-Forwarded-Proto"], "https")

    def test_function_error_frame_and_timeout_frame(self):
        """§D3.2: a failing integration answers the Internal server error frame, a slow one
        (timeoutInMillis) the Endpoint request timed out frame; the connection stays open."""
        def fail(e, ctx):
            raise RuntimeError("nope")
        self.lam.add("ffail", fail)
        slow = Backend(reply=lambda req: (200, b"late"), delay=1.5)
        try:
            api, _ = make_api(self.c, "$request.body.action", {
                "fail": dict(IntegrationType="AWS_PROXY", IntegrationUri=LAMBDA_URI % "ffail"),
                "slow": http_proxy(slow.url + "/slow", TimeoutInMillis=100)})
            self.served(api)
            ws = self.client(api)
            self.assertRegex(ws.ask('{"action":"fail"}'), FRAME % "Internal server error")
            self.assertRegex(ws.ask('{"action":"slow"}'),
                             FRAME % "Endpoint request timed out")
            self.assertRegex(ws.ask('{"action":"fail"}'), FRAME % "Internal server error")
            ws.close()
        finally:
            slow.close()

    def test_connections_api_and_disconnect(self):
        """§D1.2 through boto3: Post/Get/DeleteConnection, then 410 GoneException; §D2.2
        $disconnect after DeleteConnection (1000) and after a client close."""
        self.lam.add("fdisc", lambda e, ctx: {"statusCode": 200})
        self.lam.add("fwho", lambda e, ctx: {"statusCode": 200,
                                             "body": e["requestContext"]["connectionId"]})
        api, _ = make_api(self.c, "$request.body.action", {
            "$disconnect": dict(IntegrationType="AWS_PROXY", IntegrationUri=LAMBDA_URI % "fdisc",
                                two_way=False),
            "who": dict(IntegrationType="AWS_PROXY", IntegrationUri=LAMBDA_URI % "fwho")})
        self.served(api)
        m = self.gw.mgmt(api, "prod")
        ws = self.client(api, headers={"User-Agent": "ua-1"})
        cid = ws.ask('{"action":"who"}')
        self.assertRegex(cid, r"^[A-Za-z0-9_-]{15}=$")
        m.post_to_connection(ConnectionId=cid, Data=b"hello from server")
        self.assertEqual(ws.recv(), "hello from server")
        # §D1.2: the Host form ({apiId}.execute-api.*, /{stage}/...) and %40connections.
        conn = http.client.HTTPConnection("127.0.0.1", self.gw.port, timeout=10)
        conn.request("POST", "/prod/%%40connections/%s" % cid.replace("=", "%3D"), body=b"via host",
                     headers={"Host": "%s.execute-api.us-east-1.amazonaws.com" % api})
        self.assertEqual(conn.getresponse().status, 200)
        conn.close()
        self.assertEqual(ws.recv(), "via host")
        info = m.get_connection(ConnectionId=cid)
        self.assertEqual(info["Identity"]["SourceIp"], "127.0.0.1")
        self.assertEqual(info["Identity"]["UserAgent"], "ua-1")
        m.delete_connection(ConnectionId=cid)
        code, _ = ws.wait_closed()
        self.assertEqual(code, 1000)
        ev = wait_for(lambda: [e for e in events(self.lam, "$disconnect")
                               if e["requestContext"]["connectionId"] == cid],
                      what="$disconnect after DeleteConnection")[0]
        self.assertEqual(ev["requestContext"]["disconnectStatusCode"], 1000)
        self.assertEqual(ev["requestContext"]["disconnectReason"], "Connection Closed Normally")
        for call in (lambda: m.post_to_connection(ConnectionId=cid, Data=b"x"),
                     lambda: m.get_connection(ConnectionId=cid),
                     lambda: m.delete_connection(ConnectionId=cid)):
            with self.assertRaises(ClientError) as cm:
                call()
            self.assertEqual(cm.exception.response["Error"]["Code"], "GoneException")
            self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 410)
        with self.assertRaises(ClientError) as cm:
            m.post_to_connection(ConnectionId="AAAAAAAAAAAAAAA=", Data=b"x" * 131073)
        self.assertEqual(cm.exception.response["Error"]["Code"], "PayloadTooLargeException")
        # The client closes: $disconnect with its code.
        ws2 = self.client(api)
        cid2 = ws2.ask('{"action":"who"}')
        ws2.close(1000)
        ev = wait_for(lambda: [e for e in events(self.lam, "$disconnect")
                               if e["requestContext"]["connectionId"] == cid2],
                      what="$disconnect after a client close")[0]
        self.assertEqual(list(ev), ["headers", "multiValueHeaders", "requestContext",
                                    "isBase64Encoded"])
        self.assertEqual(ev["requestContext"]["disconnectStatusCode"], 1000)


class TestLimits(GatewayTest):
    gateway_args = ("--max-frame", "1024", "--max-message", "4096", "--idle-timeout", "800")

    def setUp(self):
        if not hasattr(type(self), "api"):
            type(self).api, _ = make_api(self.c, "$request.body.action", {
                "$default": dict(IntegrationType="MOCK")})
            self.served(self.api)

    def test_frame_too_big_closes_1009(self):
        ws = self.client(self.api)
        self.assertEqual(ws.ask("x" * 1000), "x" * 1000)
        ws.send("y" * 2000)
        self.assertEqual(ws.wait_closed()[0], 1009)

    def test_binary_frame_closes_1003(self):
        ws = self.client(self.api)
        ws.send(b"\x00\x01")
        self.assertEqual(ws.wait_closed()[0], 1003)

    def test_idle_timeout_closes_1001(self):
        ws = self.client(self.api)
        t0 = time.time()
        self.assertEqual(ws.ask("keep"), "keep")
        code, reason = ws.wait_closed(timeout=15)
        self.assertEqual((code, reason), (1001, "Going away"))
        self.assertGreaterEqual(time.time() - t0, 0.7)


class TestDuration(GatewayTest):
    gateway_args = ("--max-duration", "1500", "--max-message", "4096", "--max-frame", "2048")

    def test_max_duration_closes_a_busy_connection_1001(self):
        """§D2.3: the maximum duration closes even a connection that keeps talking."""
        api, _ = make_api(self.c, "$request.body.action", {
            "$default": dict(IntegrationType="MOCK")})
        self.served(api)
        ws = self.client(api)
        t0 = time.time()
        while time.time() - t0 < 15:
            try:
                ws.ask("busy", timeout=2)
            except Exception:
                break
        self.assertEqual(ws.wait_closed(), (1001, "Going away"))
        self.assertGreaterEqual(time.time() - t0, 1.4)

    def test_fragmented_message_over_limit_closes_1009(self):
        """§D8: the reassembled message counts, not only each frame."""
        api, _ = make_api(self.c, "$request.body.action", {
            "$default": dict(IntegrationType="MOCK")})
        self.served(api)
        ws = self.client(api)
        self.assertEqual(ws.ask(iter(["a" * 1500, "b" * 1500])), "a" * 1500 + "b" * 1500)
        interrupted = False
        try:
            ws.send(iter(["c" * 1500] * 4))
        except websockets.exceptions.ConnectionClosed:
            interrupted = True  # the 1009 came before the client had sent its last fragment
        code = ws.wait_closed()[0]
        # The gateway always sends the 1009 close frame; but when the client was still sending,
        # the fragments that arrive after the close reach a closed socket, whose TCP reset may
        # make the client's stack drop the close frame it had not yet read (1006). Known
        # limitation (docs/gateway.md "Not yet"); a finished send must see 1009. Without the
        # limit on the reassembled message the connection would stay open (wait_closed fails).
        self.assertIn(code, (1009, 1006) if interrupted else (1009,))


class TestAvailability(unittest.TestCase):
    """The gateway outlives the control plane: it keeps serving while apigwd is down, catches up
    when it returns, and a restart from --cache-dir serves at once with apigwd down."""

    def test_control_plane_restart_and_cache_dir(self):
        loop = Loop()
        be = Backend(reply=echo_path)
        server = Server().start()
        port = server.port
        cache = tempfile.mkdtemp(prefix="apigwd-gw-cache-")
        gw = None
        try:
            c = server.client()
            api, ids = make_api(c, "$request.body.action", {
                "$default": http_proxy(be.url + "/v1")})
            gw = Gateway(server.url, ["--cache-dir", cache]).start()
            url = gw.ws_url(api, "prod")
            wait_for(lambda: connect_status(loop, url) == 101, what="served")
            self.assertEqual(http_get(gw.http_url + "/_gateway/ready")[0], 200)
            clients = [Client(loop, url) for _ in range(3)]
            server.stop(signal.SIGKILL)
            for ws in clients:
                self.assertEqual(ws.ask("down"), "/v1|down")
            # apigwd back on the same port and database: the gateway catches up.
            server.args += ["--listen", "127.0.0.1:%d" % port]
            server.start()
            c = server.client()
            c.update_integration(ApiId=api, IntegrationId=ids["$default"][1],
                                 IntegrationUri=be.url + "/v2")
            c.create_deployment(ApiId=api, StageName="prod")
            wait_for(lambda: clients[0].ask("up").startswith("/v2|"), timeout=30,
                     what="catch-up after restart\n" + gw.logs())
            for ws in clients:
                self.assertEqual(ws.ask("x"), "/v2|x")
                ws.close()
            self.assertTrue(os.path.exists(os.path.join(cache, "%s-prod.json" % api)))
            # Gateway restarted with apigwd down: served from the cache at once.
            gw.stop()
            server.stop(signal.SIGKILL)
            gw = Gateway("http://127.0.0.1:%d" % free_port(), ["--cache-dir", cache]).start()
            self.assertEqual(http_get(gw.http_url + "/_gateway/ready")[0], 200)
            ws = Client(loop, gw.ws_url(api, "prod"))
            self.assertEqual(ws.ask("cached"), "/v2|cached")
            ws.close()
        finally:
            if gw:
                gw.close()
            server.close()
            be.close()
            loop.close()

    def test_ready_health_metrics(self):
        """/_gateway/ready is 503 until a configuration is loaded; health and /metrics answer."""
        gw = Gateway("http://127.0.0.1:%d" % free_port()).start()
        try:
            self.assertEqual(http_get(gw.http_url + "/_gateway/ready")[0], 503)
            self.assertEqual(http_get(gw.http_url + "/_gateway/health")[0], 200)
            st, text = http_get(gw.http_url + "/metrics")
            self.assertEqual(st, 200)
            self.assertIn("apigwd_gateway_connections 0", text)
            self.assertIn("apigwd_gateway_integration_latency_ms_bucket", text)
        finally:
            gw.close()


class TestInProcess(unittest.TestCase):
    """apigwd --gateway-listen: one process; a deployment is served from the moment
    CreateDeployment answers (no waiting in the test)."""

    def test_served_when_create_deployment_answers(self):
        tmp = tempfile.mkdtemp(prefix="apigwd-gw-inproc-")
        pf = os.path.join(tmp, "gw.port")
        be = Backend(reply=echo_path)
        server = Server(args=["--gateway-listen", "127.0.0.1:0", "--gateway-port-file", pf])
        server.start()
        loop = Loop()
        try:
            port = int(wait_for(lambda: os.path.exists(pf) and open(pf).read().strip(),
                                what="gateway port file"))
            c = server.client()
            for n in range(3):
                api, ids = make_api(c, "$request.body.action", {
                    "$default": http_proxy(be.url + "/v1")})
                ws = Client(loop, "ws://127.0.0.1:%d/%s/prod" % (port, api))
                self.assertEqual(ws.ask("a"), "/v1|a")
                c.update_integration(ApiId=api, IntegrationId=ids["$default"][1],
                                     IntegrationUri=be.url + "/v%d" % (n + 2))
                c.create_deployment(ApiId=api, StageName="prod")
                self.assertEqual(ws.ask("b"), "/v%d|b" % (n + 2))
                ws.close()
            st, _ = http_get("http://127.0.0.1:%d/_gateway/ready" % port)
            self.assertEqual(st, 200)
        finally:
            loop.close()
            server.close()
            be.close()


if __name__ == "__main__":
    unittest.main()
