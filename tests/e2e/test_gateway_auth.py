"""$connect REQUEST authorizers through apigwd-gateway (docs/aws-behaviour.md §D9): a real
apigwd, the gateway, Python websockets clients, and the authorizer and integration as Python
Lambda handlers run by lambda_stub.py's Invoke API."""
import time
import unittest

from gateway_harness import Client, Gateway, Loop, connect_status, wait_for
from harness import Server
from lambda_stub import LambdaStub


def authorizer(event, context):
    """Decides by the Auth header: allow, deny, unauthorized, boom (an error), bad (malformed),
    nested (a context value that is an object)."""
    how = {k.lower(): v for k, v in event["headers"].items()}["auth"]
    if how == "unauthorized":
        raise Exception("Unauthorized")
    if how == "boom":
        raise RuntimeError("database down")
    if how == "bad":
        return "not a policy"
    effect = "Deny" if how == "deny" else "Allow"
    ctx = {"user": "u-" + event["queryStringParameters"]["token"], "admin": True, "level": 3}
    if how == "nested":
        ctx["x"] = {"y": 1}
    return {"principalId": "me-" + how,
            "policyDocument": {"Version": "2012-10-17", "Statement": [{
                "Action": "execute-api:Invoke", "Effect": effect,
                "Resource": event["methodArn"].rsplit("/", 2)[0] + "/*"}]},
            "context": ctx}


def lifecycle(event, context):
    if event["requestContext"]["eventType"] == "MESSAGE":
        return {"statusCode": 200, "body": "ok"}
    return {"statusCode": 200}


class TestConnectAuthorizer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.c = cls.server.client()
        cls.lam = LambdaStub()
        cls.lam.add("authz", authorizer)
        cls.lam.add("life", lifecycle)
        cls.gw = Gateway(cls.server.url, ["--lambda-endpoint", cls.lam.url]).start()
        cls.loop = Loop()
        c = cls.c
        cls.api = c.create_api(Name="auth", ProtocolType="WEBSOCKET",
                               RouteSelectionExpression="$request.body.action")["ApiId"]
        cls.auth_id = c.create_authorizer(
            ApiId=cls.api, AuthorizerType="REQUEST", Name="byheader",
            AuthorizerUri=LambdaStub.integration_uri("authz"),
            IdentitySource=["route.request.header.Auth", "route.request.querystring.token"],
        )["AuthorizerId"]
        iid = c.create_integration(ApiId=cls.api, IntegrationType="AWS_PROXY",
                                   IntegrationUri=LambdaStub.integration_uri("life"))[
                                       "IntegrationId"]
        c.create_route(ApiId=cls.api, RouteKey="$connect", AuthorizationType="CUSTOM",
                       AuthorizerId=cls.auth_id, Target="integrations/" + iid)
        c.create_route(ApiId=cls.api, RouteKey="$disconnect", Target="integrations/" + iid)
        rid = c.create_route(ApiId=cls.api, RouteKey="$default", Target="integrations/" + iid,
                             RouteResponseSelectionExpression="$default")["RouteId"]
        c.create_route_response(ApiId=cls.api, RouteId=rid, RouteResponseKey="$default")
        c.create_stage(ApiId=cls.api, StageName="prod")
        c.create_deployment(ApiId=cls.api, StageName="prod")
        cls.url = cls.gw.ws_url(cls.api, "prod")
        wait_for(lambda: cls.status("allow") == 101,
                 what="stage served\n" + cls.gw.logs())

    @classmethod
    def tearDownClass(cls):
        cls.gw.close()
        cls.loop.close()
        cls.lam.close()
        cls.server.close()

    @classmethod
    def status(cls, how, token="t1", extra=None):
        headers = dict({"Auth": how} if how is not None else {}, **(extra or {}))
        url = cls.url + ("?token=" + token if token is not None else "")
        return connect_status(cls.loop, url, headers)

    def calls(self, name):
        return len(self.lam.calls(name))

    def test_missing_identity_source_401_without_calling(self):
        """§D9: every identity source must be present and non-empty, else 401 and the
        authorizer is not called."""
        before = self.calls("authz")
        self.assertEqual(self.status(None), 401)
        self.assertEqual(self.status("allow", token=None), 401)
        self.assertEqual(self.status("allow", token=""), 401)
        self.assertEqual(self.calls("authz"), before)

    def test_deny_unauthorized_error_malformed(self):
        """§D9: Deny → 403; the function failing with "Unauthorized" → 401; any other error, a
        malformed answer or a context value that is not a scalar → 500. $connect's integration
        never runs for a refused upgrade."""
        life = len([i for i in self.lam.calls("life")
                    if i.event()["requestContext"]["eventType"] == "CONNECT"])
        self.assertEqual(self.status("deny"), 403)
        self.assertEqual(self.status("unauthorized"), 401)
        self.assertEqual(self.status("boom"), 500)
        self.assertEqual(self.status("bad"), 500)
        self.assertEqual(self.status("nested"), 500)
        self.assertEqual(len([i for i in self.lam.calls("life")
                              if i.event()["requestContext"]["eventType"] == "CONNECT"]), life)

    def test_request_event_and_context_on_every_event(self):
        """§D9: the REQUEST event (type, methodArn, headers, query, stageVariables,
        requestContext); principalId and context reach CONNECT, MESSAGE and DISCONNECT as
        requestContext.authorizer."""
        ws = Client(self.loop, self.url + "?token=tok9", {"Auth": "allow", "X-Trace": "z"})
        self.assertEqual(ws.ask('{"action":"anything"}'), "ok")
        cid = None
        ev = self.lam.calls("authz")[-1].event()
        self.assertEqual(ev["type"], "REQUEST")
        self.assertRegex(ev["methodArn"],
                         r"^arn:aws:execute-api:us-east-1:123456789012:%s/prod/\$connect$"
                         % self.api)
        self.assertEqual(ev["headers"]["Auth"], "allow")
        self.assertEqual(ev["multiValueHeaders"]["Auth"], ["allow"])
        self.assertEqual(ev["queryStringParameters"], {"token": "tok9"})
        self.assertEqual(ev["multiValueQueryStringParameters"], {"token": ["tok9"]})
        self.assertEqual(ev["stageVariables"], {})
        self.assertEqual(ev["requestContext"]["eventType"], "CONNECT")
        cid = ev["requestContext"]["connectionId"]
        ws.close()
        want = {"principalId": "me-allow", "user": "u-tok9", "admin": True, "level": 3}
        seen = {}

        def events():
            for inv in self.lam.calls("life"):
                rc = inv.event()["requestContext"]
                if rc["connectionId"] == cid:
                    seen[rc["eventType"]] = rc.get("authorizer")
            return len(seen) == 3
        wait_for(events, what="CONNECT, MESSAGE and DISCONNECT events")
        self.assertEqual(seen, {"CONNECT": want, "MESSAGE": want, "DISCONNECT": want})

    def test_other_connections_unaffected(self):
        """An API without authorizers on the same gateway connects without calling any."""
        api = self.c.create_api(Name="open", ProtocolType="WEBSOCKET",
                                RouteSelectionExpression="$request.body.action")["ApiId"]
        iid = self.c.create_integration(ApiId=api, IntegrationType="MOCK")["IntegrationId"]
        self.c.create_route(ApiId=api, RouteKey="$connect", Target="integrations/" + iid)
        self.c.create_stage(ApiId=api, StageName="prod")
        self.c.create_deployment(ApiId=api, StageName="prod")
        before = self.calls("authz")
        wait_for(lambda: connect_status(self.loop, self.gw.ws_url(api, "prod")) == 101,
                 what="open stage served")
        time.sleep(0.05)
        self.assertEqual(self.calls("authz"), before)


if __name__ == "__main__":
    unittest.main()
