"""HTTP quick create (spec §4): CreateApi with `target` makes, in the same transaction, the
managed integration, the route (`routeKey`, default `$default`) and the auto-deploying
`$default` stage; `target`, `routeKey` and `credentialsArn` never appear in the API's answer;
WebSocket APIs refuse `target` and `routeKey`; a failing piece leaves nothing behind.
"""
import json
import unittest

from harness import ServerTestCase

LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:hello"
ROLE = "arn:aws:iam::123456789012:role/apigw-invoke"
URL = "https://backend.example.com/app"


class QuickCreateTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c = cls.server.client()

    def children(self, api):
        return (self.wire("/v2/apis/%s/integrations" % api)["items"],
                self.wire("/v2/apis/%s/routes" % api)["items"],
                self.wire("/v2/apis/%s/stages" % api)["items"])

    def api_count(self):
        return len(self.c.get_apis()["Items"])

    def assertBad(self, call, message=None):
        return self.assertAwsError(call, "BadRequestException", 400, message)

    def test_lambda_target(self):
        out = self.c.create_api(Name="quick-lambda", ProtocolType="HTTP", Target=LAMBDA_ARN)
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 201)
        api = out["ApiId"]
        (ig,), (route,), (stage,) = self.children(api)
        self.assertEqual({k: v for k, v in ig.items() if k != "integrationId"}, {
            "apiGatewayManaged": True, "connectionType": "INTERNET",
            "integrationMethod": "POST", "integrationType": "AWS_PROXY",
            "integrationUri": LAMBDA_ARN, "payloadFormatVersion": "2.0",
            "timeoutInMillis": 30000})
        self.assertEqual(route["routeKey"], "$default")
        self.assertEqual(route["target"], "integrations/" + ig["integrationId"])
        self.assertIs(route["apiGatewayManaged"], True)
        self.assertEqual(stage["stageName"], "$default")
        self.assertIs(stage["autoDeploy"], True)
        self.assertIs(stage["apiGatewayManaged"], True)
        # Auto-deployed at once: the stage points at a deployment of this configuration.
        deployments = self.c.get_deployments(ApiId=api)["Items"]
        self.assertEqual([d["DeploymentId"] for d in deployments], [stage["deploymentId"]])
        self.assertIs(deployments[0]["AutoDeployed"], True)

    def test_url_target_with_route_key_and_credentials(self):
        api = self.c.create_api(Name="quick-url", ProtocolType="HTTP", Target=URL,
                                RouteKey="GET /hello", CredentialsArn=ROLE)["ApiId"]
        (ig,), (route,), (stage,) = self.children(api)
        self.assertEqual({k: v for k, v in ig.items() if k != "integrationId"}, {
            "apiGatewayManaged": True, "connectionType": "INTERNET",
            "credentialsArn": ROLE, "integrationMethod": "ANY",
            "integrationType": "HTTP_PROXY", "integrationUri": URL,
            "payloadFormatVersion": "1.0", "timeoutInMillis": 30000})
        self.assertEqual(route["routeKey"], "GET /hello")
        self.assertEqual(route["target"], "integrations/" + ig["integrationId"])
        self.assertEqual(stage["stageName"], "$default")

    def test_quick_create_members_are_never_returned(self):
        status, _, body = self.server.http("POST", "/v2/apis", {
            "name": "quick-raw", "protocolType": "HTTP", "target": URL,
            "routeKey": "ANY /{proxy+}", "credentialsArn": ROLE})
        self.assertEqual(status, 201, body)
        for answer in (body, self.wire("/v2/apis/" + body["apiId"]),
                       next(a for a in self.wire("/v2/apis")["items"]
                            if a["apiId"] == body["apiId"])):
            for member in ("target", "routeKey", "credentialsArn"):
                self.assertNotIn(member, answer)
        _, (route,), _ = self.children(body["apiId"])
        self.assertEqual(route["routeKey"], "ANY /{proxy+}")

    def test_export_of_a_quick_created_api(self):
        api = self.c.create_api(Name="quick-export", ProtocolType="HTTP",
                                Target=LAMBDA_ARN)["ApiId"]
        doc = json.loads(self.c.export_api(ApiId=api, Specification="OAS30", OutputType="JSON",
                                           StageName="$default")["body"].read())
        op = doc["paths"]["/$default"]["x-amazon-apigateway-any-method"]
        self.assertIs(op["isDefaultRoute"], True)
        self.assertEqual(op["x-amazon-apigateway-integration"]["uri"], LAMBDA_ARN)
        self.assertEqual(op["x-amazon-apigateway-integration"]["payloadFormatVersion"], "2.0")
        self.assertEqual(doc["servers"][0]["variables"]["basePath"]["default"], "")

    def test_update_api_updates_the_quick_created_pieces(self):
        api = self.c.create_api(Name="quick-update", ProtocolType="HTTP",
                                Target=LAMBDA_ARN)["ApiId"]
        (ig,), (route,), _ = self.children(api)
        iid, rid = ig["integrationId"], route["routeId"]

        self.c.update_api(ApiId=api, Target=URL)
        (ig,), (route,), _ = self.children(api)
        self.assertEqual(ig["integrationId"], iid)
        self.assertEqual((ig["integrationType"], ig["integrationUri"], ig["integrationMethod"],
                          ig["payloadFormatVersion"]), ("HTTP_PROXY", URL, "ANY", "1.0"))

        self.c.update_api(ApiId=api, CredentialsArn=ROLE)
        (ig,), (route,), _ = self.children(api)
        self.assertEqual(ig["credentialsArn"], ROLE)
        self.assertEqual((route["routeId"], route["routeKey"]), (rid, "$default"))

        self.c.update_api(ApiId=api, Target=LAMBDA_ARN + ":live")
        (ig,), _, _ = self.children(api)
        self.assertEqual((ig["integrationType"], ig["integrationUri"], ig["integrationMethod"],
                          ig["payloadFormatVersion"], ig["credentialsArn"]),
                         ("AWS_PROXY", LAMBDA_ARN + ":live", "POST", "2.0", ROLE))

        before = self.children(api)
        self.assertBad(lambda: self.c.update_api(ApiId=api, Name="x", Target="mailto:x"),
                       "Invalid target specified: mailto:x")
        self.assertEqual(self.children(api), before)
        self.assertEqual(self.c.get_api(ApiId=api)["Name"], "quick-update")
        out = self.c.update_api(ApiId=api, Description="d")  # (the stage re-deploys)
        self.assertNotIn("Target", out)
        self.assertEqual(self.children(api)[:2], before[:2])

    def test_update_api_route_key_renames_the_quick_created_route(self):
        """UpdateApi's routeKey "replaces the route key of the quick create route" (model)."""
        api = self.c.create_api(Name="quick-rename", ProtocolType="HTTP", Target=URL,
                                RouteKey="GET /hello")["ApiId"]
        _, (route,), _ = self.children(api)
        self.c.update_api(ApiId=api, RouteKey="GET /renamed")
        _, (renamed,), _ = self.children(api)
        self.assertEqual((renamed["routeId"], renamed["routeKey"]),
                         (route["routeId"], "GET /renamed"))

    def test_update_api_target_without_quick_create_changes_nothing_else(self):
        api = self.c.create_api(Name="plain-update", ProtocolType="HTTP")["ApiId"]
        out = self.c.update_api(ApiId=api, Target=URL, RouteKey="GET /x")
        self.assertNotIn("Target", out)
        self.assertEqual(self.children(api), ([], [], []))

    def test_no_target_no_quick_create(self):
        api = self.c.create_api(Name="plain", ProtocolType="HTTP", RouteKey="GET /x",
                                CredentialsArn=ROLE)["ApiId"]
        self.assertEqual(self.children(api), ([], [], []))

    def test_websocket_refuses_target_and_route_key(self):
        before = self.api_count()
        for extra in ({"Target": URL}, {"RouteKey": "$default"}):
            with self.subTest(**extra):
                name = next(iter(extra))
                self.assertBad(lambda: self.c.create_api(
                    Name="ws", ProtocolType="WEBSOCKET",
                    RouteSelectionExpression="$request.body.action", **extra),
                    name[0].lower() + name[1:] + " is supported only for HTTP APIs")
        self.assertEqual(self.api_count(), before)
        ws = self.c.create_api(Name="ws", ProtocolType="WEBSOCKET",
                               RouteSelectionExpression="$request.body.action")["ApiId"]
        self.assertBad(lambda: self.c.update_api(ApiId=ws, Target=URL),
                       "target is supported only for HTTP APIs")

    def test_a_failing_piece_leaves_nothing(self):
        before = self.api_count()
        self.assertBad(lambda: self.c.create_api(Name="bad", ProtocolType="HTTP",
                                                 Target="ftp://files.example.com"),
                       "Invalid target specified: ftp://files.example.com")
        self.assertBad(lambda: self.c.create_api(Name="bad", ProtocolType="HTTP",
                                                 Target="arn:nope"),
                       "Invalid integration URI specified: arn:nope")
        self.assertBad(lambda: self.c.create_api(Name="bad", ProtocolType="HTTP", Target=URL,
                                                 CredentialsArn="not-an-arn"),
                       "Invalid value for credentialsArn")
        self.assertBad(lambda: self.c.create_api(Name="bad", ProtocolType="HTTP", Target=URL,
                                                 RouteKey="FETCH /x"))
        self.assertEqual(self.api_count(), before)


if __name__ == "__main__":
    unittest.main()
