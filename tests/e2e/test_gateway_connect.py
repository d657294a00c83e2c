"""$connect as the gateway runs it (docs/gateway.md "How $connect runs off the loop"): decided on
a pool before libwebsockets answers the upgrade, so a slow $connect never stalls the other
connections; the CONNECT event carries every header as the client wrote it (docs/aws-behaviour.md
§D4.1). Real apigwd, apigwd-gateway, Python websockets clients, Lambda handlers run by
lambda_stub.py."""
import threading
import time
import unittest

from gateway_harness import Client, Gateway, Loop, connect_status, wait_for
from harness import Server
from lambda_stub import LambdaStub


SLOW_STARTED = threading.Event()


def connect_handler(event, context):
    if event["requestContext"]["eventType"] == "CONNECT":
        if (event.get("queryStringParameters") or {}).get("slow"):
            SLOW_STARTED.set()
            time.sleep(3)  # the slowness under test, not synchronisation
        return {"statusCode": 200}
    return {"statusCode": 200, "body": "echo:" + event["body"]}


class ConnectTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.c = cls.server.client()
        cls.lam = LambdaStub()
        cls.lam.add("conn", connect_handler)
        cls.gw = Gateway(cls.server.url, ["--lambda-endpoint", cls.lam.url]).start()
        cls.loop = Loop()
        c = cls.c
        cls.api = c.create_api(Name="conn", ProtocolType="WEBSOCKET",
                               RouteSelectionExpression="$request.body.action")["ApiId"]
        iid = c.create_integration(ApiId=cls.api, IntegrationType="AWS_PROXY",
                                   IntegrationUri=LambdaStub.integration_uri("conn"))[
                                       "IntegrationId"]
        c.create_route(ApiId=cls.api, RouteKey="$connect", Target="integrations/" + iid)
        rid = c.create_route(ApiId=cls.api, RouteKey="$default", Target="integrations/" + iid,
                             RouteResponseSelectionExpression="$default")["RouteId"]
        c.create_route_response(ApiId=cls.api, RouteId=rid, RouteResponseKey="$default")
        c.create_stage(ApiId=cls.api, StageName="prod")
        c.create_deployment(ApiId=cls.api, StageName="prod")
        cls.url = cls.gw.ws_url(cls.api, "prod")
        wait_for(lambda: connect_status(cls.loop, cls.url) == 101, what="stage served")

    @classmethod
    def tearDownClass(cls):
        cls.gw.close()
        cls.loop.close()
        cls.lam.close()
        cls.server.close()

    def test_slow_connect_does_not_stall_others(self):
        """While one $connect takes 3 s, an open connection keeps talking and a new one opens
        at once; the slow one is accepted when its $connect answers."""
        ws = Client(self.loop, self.url)
        slow = {}
        t = threading.Thread(target=lambda: slow.setdefault(
            "ws", Client(Loop(), self.url + "?slow=1")))
        t0 = time.time()
        t.start()
        self.assertTrue(SLOW_STARTED.wait(10), "the slow $connect never started")
        started = time.time()
        self.assertEqual(ws.ask("ping"), "echo:ping")
        other = Client(self.loop, self.url)
        self.assertEqual(other.ask("x"), "echo:x")
        self.assertLess(time.time() - started, 1.5, "the loop waited for the slow $connect")
        t.join(15)
        self.assertIn("ws", slow)
        self.assertGreaterEqual(time.time() - t0, 2.9)
        self.assertEqual(slow["ws"].ask("late"), "echo:late")
        for c in (ws, other, slow["ws"]):
            c.close()

    def test_connect_headers_as_sent(self):
        """§D4.1: every header the client sent, known or not, with the client's names and
        case, plus X-Amzn-Trace-Id and X-Forwarded-For/Port/Proto; multiValueHeaders alike."""
        ws = Client(self.loop, self.url + "?a=1&a=2&b=x%20y",
                    {"x-api-key": "k123", "X-Custom-Thing": "v1", "Authorization": "Bearer t",
                     "User-Agent": "case-test"})
        ev = [i.event() for i in self.lam.calls("conn")
              if i.event()["requestContext"]["eventType"] == "CONNECT"
              and i.event()["headers"].get("X-Custom-Thing")][-1]
        h = ev["headers"]
        self.assertEqual(h["x-api-key"], "k123")
        self.assertEqual(h["X-Custom-Thing"], "v1")
        self.assertEqual(h["Authorization"], "Bearer t")
        self.assertEqual(h["User-Agent"], "case-test")
        self.assertIn("Sec-WebSocket-Key", h)
        self.assertEqual(h["Sec-WebSocket-Version"], "13")
        self.assertRegex(h["X-Amzn-Trace-Id"], r"^Root=1-[0-9a-f]{8}-[0-9a-f]{24}$")
        self.assertEqual(h["X-Forwarded-For"], "127.0.0.1")
        self.assertEqual(h["X-Forwarded-Port"], "443")
        self.assertEqual(h["X-Forwarded-Proto"], "https")
        self.assertEqual(ev["multiValueHeaders"]["X-Custom-Thing"], ["v1"])
        self.assertEqual(ev["queryStringParameters"], {"a": "2", "b": "x y"})
        self.assertEqual(ev["multiValueQueryStringParameters"], {"a": ["1", "2"], "b": ["x y"]})
        self.assertEqual(ev["requestContext"]["identity"]["userAgent"], "case-test")
        ws.close()


if __name__ == "__main__":
    unittest.main()
