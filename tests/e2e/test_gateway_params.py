"""requestParameters of HTTP_PROXY integrations through apigwd-gateway (docs/aws-behaviour.md
§D4.6): headers, query string and path of the backend request mapped from the route request
($connect headers and query string, the message body by JSONPath), context variables, stage
variables and literals. A real apigwd, the gateway, Python websockets clients and lambda_stub's
HTTP backend."""
import json
import unittest

from gateway_harness import Client, Gateway, Loop, connect_status, wait_for
from harness import Server
from lambda_stub import Backend


class ParamsTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.c = cls.server.client()
        cls.be = Backend()
        cls.gw = Gateway(cls.server.url).start()
        cls.loop = Loop()

    @classmethod
    def tearDownClass(cls):
        cls.gw.close()
        cls.loop.close()
        cls.be.close()
        cls.server.close()

    def test_message_and_connect_mappings(self):
        c = self.c
        api = c.create_api(Name="params", ProtocolType="WEBSOCKET",
                           RouteSelectionExpression="$request.body.action")["ApiId"]
        connect = c.create_integration(
            ApiId=api, IntegrationType="HTTP_PROXY", IntegrationMethod="GET",
            IntegrationUri=self.be.url + "/connect",
            RequestParameters={
                "integration.request.header.X-Token": "route.request.querystring.token",
                "integration.request.querystring.agent": "route.request.header.user-agent",
                "integration.request.header.X-Conn": "context.connectionId"})["IntegrationId"]
        send = c.create_integration(
            ApiId=api, IntegrationType="HTTP_PROXY", IntegrationMethod="POST",
            IntegrationUri=self.be.url + "/items/{item}?fixed=1",
            RequestParameters={
                "integration.request.header.ConnectionId": "context.connectionId",
                "integration.request.header.X-Action": "route.request.body.action",
                "integration.request.header.X-Fixed": "'literal value'",
                "integration.request.header.X-Missing": "route.request.body.nope",
                "integration.request.querystring.user": "route.request.body.user.name",
                "integration.request.querystring.env": "stageVariables.env",
                "integration.request.path.item": "route.request.body.ids[1]"})["IntegrationId"]
        c.create_route(ApiId=api, RouteKey="$connect", Target="integrations/" + connect)
        c.create_route(ApiId=api, RouteKey="send", Target="integrations/" + send)
        c.create_stage(ApiId=api, StageName="prod", StageVariables={"env": "test"})
        c.create_deployment(ApiId=api, StageName="prod")
        url = self.gw.ws_url(api, "prod")
        wait_for(lambda: connect_status(self.loop, url + "?token=t0") == 101, what="served")
        ws = Client(self.loop, url + "?token=abc", {"User-Agent": "params test/1"})
        cid = json.loads(ws.ask('{"action":"none"}'))["connectionId"]  # §D3.2 Forbidden frame
        at = [r for r in self.be.requests if r.path.startswith("/connect")
              and r.headers.get("x-conn") == cid]
        self.assertEqual(len(at), 1, self.be.requests)
        self.assertEqual(at[0].headers["x-token"], "abc")
        self.assertEqual(at[0].path, "/connect?agent=params%20test%2F1")
        n = len(self.be.requests)
        ws.send(json.dumps({"action": "send", "user": {"name": "ann b"}, "ids": [7, "x/y"]}))
        req = self.be.wait_requests(n + 1)[-1]
        self.assertEqual(req.method, "POST")
        path, _, query = req.path.partition("?")
        self.assertEqual(path, "/items/x%2Fy")
        self.assertEqual(sorted(query.split("&")), ["env=test", "fixed=1", "user=ann%20b"])
        self.assertEqual(req.headers["connectionid"], cid)
        self.assertEqual(req.headers["x-action"], "send")
        self.assertEqual(req.headers["x-fixed"], "literal value")
        self.assertNotIn("x-missing", req.headers)
        ws.close()


if __name__ == "__main__":
    unittest.main()
