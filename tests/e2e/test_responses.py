"""RouteResponses and IntegrationResponses of apigatewayv2 (spec §6, §10).

A WebSocket MOCK route answering the client, built with the real AWS CLI, then every rule of
both resources with boto3 (error name and HTTP status) and pagination.
"""
import re
import unittest

from harness import ServerTestCase

LAMBDA = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
          "arn:aws:lambda:us-east-1:123456789012:function:fn/invocations")
SIX = re.compile(r"^[a-z0-9]{6}$")


def strip(answer):
    """A boto3 answer without its ResponseMetadata."""
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


class MockRouteWithResponsesTest(ServerTestCase):
    """A `ping` route on a MOCK integration that answers with a template: integration response
    + route response, all through the AWS CLI."""

    def test_mock_route_with_the_cli(self):
        aws = self.server.aws
        api_id = aws("create-api", "--name", "mock", "--protocol-type", "WEBSOCKET",
                     "--route-selection-expression", "$request.body.action")["ApiId"]
        integ = aws("create-integration", "--api-id", api_id, "--integration-type", "MOCK",
                    "--request-templates", '{"$default": "{\\"statusCode\\": 200}"}',
                    "--template-selection-expression", "\\$default")
        integ_id = integ["IntegrationId"]
        route = aws("create-route", "--api-id", api_id, "--route-key", "ping",
                    "--route-response-selection-expression", "$default",
                    "--target", "integrations/" + integ_id)

        ir = aws("create-integration-response", "--api-id", api_id, "--integration-id",
                 integ_id, "--integration-response-key", "$default",
                 "--response-templates", '{"$default": "{\\"pong\\": true}"}',
                 "--template-selection-expression", "\\$default")
        self.assertRegex(ir["IntegrationResponseId"], SIX)
        self.assertEqual(ir, {
            "IntegrationResponseId": ir["IntegrationResponseId"],
            "IntegrationResponseKey": "$default",
            "ResponseTemplates": {"$default": '{"pong": true}'},
            "TemplateSelectionExpression": "\\$default",
        })
        err_ir = aws("create-integration-response", "--api-id", api_id, "--integration-id",
                     integ_id, "--integration-response-key", "/4\\d\\d/",
                     "--content-handling-strategy", "CONVERT_TO_TEXT")
        self.assertEqual(err_ir["IntegrationResponseKey"], "/4\\d\\d/")
        self.assertEqual(err_ir["ContentHandlingStrategy"], "CONVERT_TO_TEXT")

        rr = aws("create-route-response", "--api-id", api_id, "--route-id", route["RouteId"],
                 "--route-response-key", "$default")
        self.assertRegex(rr["RouteResponseId"], SIX)
        self.assertEqual(rr, {"RouteResponseId": rr["RouteResponseId"],
                              "RouteResponseKey": "$default"})

        # Read everything back.
        self.assertEqual(aws("get-route-responses", "--api-id", api_id, "--route-id",
                             route["RouteId"])["Items"], [rr])
        self.assertEqual(aws("get-route-response", "--api-id", api_id, "--route-id",
                             route["RouteId"], "--route-response-id", rr["RouteResponseId"]), rr)
        self.assertEqual(aws("get-integration-responses", "--api-id", api_id,
                             "--integration-id", integ_id)["Items"], [ir, err_ir])
        self.assertEqual(aws("get-integration-response", "--api-id", api_id,
                             "--integration-id", integ_id, "--integration-response-id",
                             ir["IntegrationResponseId"]), ir)
        self.assertEqual(aws("get-route", "--api-id", api_id, "--route-id", route["RouteId"]),
                         route)

        # Update the route response's model selection, then delete the route: its route
        # responses go with it.
        upd = aws("update-route-response", "--api-id", api_id, "--route-id", route["RouteId"],
                  "--route-response-id", rr["RouteResponseId"],
                  "--model-selection-expression", "$request.body.type",
                  "--response-models", '{"$default": "Pong"}')
        self.assertEqual(upd, {**rr, "ModelSelectionExpression": "$request.body.type",
                               "ResponseModels": {"$default": "Pong"}})
        self.assertIsNone(aws("delete-route", "--api-id", api_id, "--route-id",
                              route["RouteId"]))
        rc, _, err = aws("get-route-responses", "--api-id", api_id, "--route-id",
                         route["RouteId"], check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("Invalid Route identifier specified %s" % route["RouteId"], err)
        # A new route under the same key starts with no responses.
        again = aws("create-route", "--api-id", api_id, "--route-key", "ping")
        self.assertEqual(aws("get-route-responses", "--api-id", api_id, "--route-id",
                             again["RouteId"])["Items"], [])


class RouteResponseRulesTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.c = cls.server.client()
        cls.ws = c.create_api(Name="ws", ProtocolType="WEBSOCKET",
                              RouteSelectionExpression="$request.body.action")["ApiId"]
        cls.http_api = c.create_api(Name="http", ProtocolType="HTTP")["ApiId"]

    def new_route(self, api, key):
        return self.c.create_route(ApiId=api, RouteKey=key)["RouteId"]

    def test_full_member_set_and_update(self):
        c, rid = self.c, self.new_route(self.ws, "full")
        rr = c.create_route_response(
            ApiId=self.ws, RouteId=rid, RouteResponseKey="$default",
            ModelSelectionExpression="$request.body.t", ResponseModels={"$default": "M"},
            ResponseParameters={"route.response.header.x": {"Required": True}})
        self.assertEqual(strip(rr), {
            "ModelSelectionExpression": "$request.body.t",
            "ResponseModels": {"$default": "M"},
            "ResponseParameters": {"route.response.header.x": {"Required": True}},
            "RouteResponseId": rr["RouteResponseId"],
            "RouteResponseKey": "$default",
        })
        self.assertEqual(strip(c.get_route_response(ApiId=self.ws, RouteId=rid,
                                                    RouteResponseId=rr["RouteResponseId"])),
                         strip(rr))
        # Omitted members keep their value; responseParameters merge; models are replaced.
        u = c.update_route_response(ApiId=self.ws, RouteId=rid,
                                    RouteResponseId=rr["RouteResponseId"],
                                    ResponseModels={"application/json": "N"},
                                    ResponseParameters={"route.response.header.y": {"Required": False}})
        self.assertEqual(u["ModelSelectionExpression"], "$request.body.t")
        self.assertEqual(u["ResponseModels"], {"application/json": "N"})
        self.assertEqual(u["ResponseParameters"], {"route.response.header.x": {"Required": True},
                                                   "route.response.header.y": {"Required": False}})
        self.assertEqual(c.delete_route_response(ApiId=self.ws, RouteId=rid,
                                                 RouteResponseId=rr["RouteResponseId"])
                         ["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertEqual(c.get_route_responses(ApiId=self.ws, RouteId=rid)["Items"], [])

    def test_only_default_key(self):
        rid = self.new_route(self.ws, "keys")
        for key in ("$connect", "200", "/2\\d\\d/", "default"):
            self.assertAwsError(
                lambda: self.c.create_route_response(ApiId=self.ws, RouteId=rid,
                                                     RouteResponseKey=key),
                "BadRequestException", 400, "routeResponseKey")
        raw = self.server.client(validate=False)
        self.assertAwsError(lambda: raw.create_route_response(ApiId=self.ws, RouteId=rid),
                            "BadRequestException", 400, "routeResponseKey is a required parameter")
        rr = self.c.create_route_response(ApiId=self.ws, RouteId=rid, RouteResponseKey="$default")
        self.assertAwsError(
            lambda: self.c.update_route_response(ApiId=self.ws, RouteId=rid,
                                                 RouteResponseId=rr["RouteResponseId"],
                                                 RouteResponseKey="other"),
            "BadRequestException", 400, "routeResponseKey")

    def test_duplicate_key_conflicts(self):
        rid = self.new_route(self.ws, "dup")
        self.c.create_route_response(ApiId=self.ws, RouteId=rid, RouteResponseKey="$default")
        self.assertAwsError(
            lambda: self.c.create_route_response(ApiId=self.ws, RouteId=rid,
                                                 RouteResponseKey="$default"),
            "ConflictException", 409, "RouteResponse with key $default already exists")
        # Another route has its own.
        other = self.new_route(self.ws, "dup-other")
        self.c.create_route_response(ApiId=self.ws, RouteId=other, RouteResponseKey="$default")

    def test_http_api(self):
        """Accepted on HTTP APIs with the same rule; modelSelectionExpression dropped."""
        rid = self.new_route(self.http_api, "GET /pets")
        rr = self.c.create_route_response(ApiId=self.http_api, RouteId=rid,
                                          RouteResponseKey="$default",
                                          ModelSelectionExpression="x")
        self.assertNotIn("ModelSelectionExpression", rr)
        self.assertAwsError(
            lambda: self.c.create_route_response(ApiId=self.http_api, RouteId=rid,
                                                 RouteResponseKey="GET /pets"),
            "BadRequestException", 400, "routeResponseKey")

    def test_types(self):
        rid = self.new_route(self.ws, "types")
        self.assertAwsError(
            lambda: self.c.create_route_response(ApiId=self.ws, RouteId=rid,
                                                 RouteResponseKey="$default",
                                                 ResponseModels={"$default": ""}),
            "BadRequestException", 400, "responseModels")
        status, _, body = self.server.http(
            "POST", "/v2/apis/%s/routes/%s/routeresponses" % (self.ws, rid),
            {"routeResponseKey": "$default", "responseParameters": {"a": "b"}})
        self.assertEqual(status, 400)
        self.assertIn("responseParameters", body["message"])

    def test_not_found(self):
        c = self.c
        rid = self.new_route(self.ws, "nf")
        for call in (lambda: c.get_route_response(ApiId=self.ws, RouteId=rid,
                                                  RouteResponseId="abcdef"),
                     lambda: c.update_route_response(ApiId=self.ws, RouteId=rid,
                                                     RouteResponseId="abcdef"),
                     lambda: c.delete_route_response(ApiId=self.ws, RouteId=rid,
                                                     RouteResponseId="abcdef")):
            err = self.assertAwsError(call, "NotFoundException", 404)
            self.assertEqual(err["Error"]["Message"],
                             "Invalid RouteResponse identifier specified abcdef")
        for call in (lambda: c.create_route_response(ApiId=self.ws, RouteId="zzzzzzz",
                                                     RouteResponseKey="$default"),
                     lambda: c.get_route_responses(ApiId=self.ws, RouteId="zzzzzzz"),
                     lambda: c.get_route_response(ApiId=self.ws, RouteId="zzzzzzz",
                                                  RouteResponseId="abcdef")):
            err = self.assertAwsError(call, "NotFoundException", 404)
            self.assertEqual(err["Error"]["Message"],
                             "Invalid Route identifier specified zzzzzzz")
        self.assertAwsError(lambda: c.get_route_responses(ApiId="nosuchapi1", RouteId=rid),
                            "NotFoundException", 404, "Invalid API identifier specified")

    def test_pagination(self):
        c = self.c
        rids = [self.new_route(self.ws, "page%d" % i) for i in range(3)]
        for rid in rids:
            c.create_route_response(ApiId=self.ws, RouteId=rid, RouteResponseKey="$default")
        page = c.get_route_responses(ApiId=self.ws, RouteId=rids[0], MaxResults="1")
        self.assertEqual(len(page["Items"]), 1)
        self.assertNotIn("NextToken", page)
        self.assertAwsError(lambda: c.get_route_responses(ApiId=self.ws, RouteId=rids[0],
                                                          MaxResults="abc"),
                            "BadRequestException", 400, "maxResults")


class IntegrationResponseRulesTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.c = cls.server.client()
        cls.ws = c.create_api(Name="ws", ProtocolType="WEBSOCKET",
                              RouteSelectionExpression="$request.body.action")["ApiId"]
        cls.http_api = c.create_api(Name="http", ProtocolType="HTTP")["ApiId"]

    def integration(self, api=None, **kw):
        kw.setdefault("IntegrationType", "MOCK")
        return self.c.create_integration(ApiId=api or self.ws, **kw)["IntegrationId"]

    def ir(self, iid, key, **kw):
        return self.c.create_integration_response(ApiId=self.ws, IntegrationId=iid,
                                                  IntegrationResponseKey=key, **kw)

    def test_members_and_merge(self):
        c, iid = self.c, self.integration()
        ir = self.ir(iid, "/4\\d\\d/", ContentHandlingStrategy="CONVERT_TO_BINARY",
                     ResponseParameters={"method.response.header.a": "integration.response.header.b"},
                     ResponseTemplates={"application/json": "{}", "text/plain": "x"},
                     TemplateSelectionExpression="$integration.response.header.Content-Type")
        self.assertRegex(ir["IntegrationResponseId"], SIX)
        self.assertEqual(strip(ir), {
            "ContentHandlingStrategy": "CONVERT_TO_BINARY",
            "IntegrationResponseId": ir["IntegrationResponseId"],
            "IntegrationResponseKey": "/4\\d\\d/",
            "ResponseParameters": {"method.response.header.a": "integration.response.header.b"},
            "ResponseTemplates": {"application/json": "{}", "text/plain": "x"},
            "TemplateSelectionExpression": "$integration.response.header.Content-Type",
        })
        irid = ir["IntegrationResponseId"]
        # responseTemplates merge key by key; "" deletes a key; omitted members are kept.
        u = c.update_integration_response(
            ApiId=self.ws, IntegrationId=iid, IntegrationResponseId=irid,
            ResponseTemplates={"text/plain": "", "application/xml": "<a/>"})
        self.assertEqual(u["ResponseTemplates"], {"application/json": "{}",
                                                  "application/xml": "<a/>"})
        self.assertEqual(u["ContentHandlingStrategy"], "CONVERT_TO_BINARY")
        self.assertEqual(u["ResponseParameters"],
                         {"method.response.header.a": "integration.response.header.b"})
        u = c.update_integration_response(ApiId=self.ws, IntegrationId=iid,
                                          IntegrationResponseId=irid,
                                          IntegrationResponseKey="$default",
                                          ContentHandlingStrategy="CONVERT_TO_TEXT")
        self.assertEqual((u["IntegrationResponseKey"], u["ContentHandlingStrategy"]),
                         ("$default", "CONVERT_TO_TEXT"))
        self.assertEqual(strip(c.get_integration_response(ApiId=self.ws, IntegrationId=iid,
                                                          IntegrationResponseId=irid)), strip(u))

    def test_key_rules(self):
        iid = self.integration()
        for key in ("400", "4\\d\\d", "/", "//", "$connect", "default"):
            self.assertAwsError(lambda: self.ir(iid, key), "BadRequestException", 400,
                                "integrationResponseKey")
        raw = self.server.client(validate=False)
        self.assertAwsError(
            lambda: raw.create_integration_response(ApiId=self.ws, IntegrationId=iid),
            "BadRequestException", 400, "integrationResponseKey is a required parameter")
        for key in ("$default", "/2\\d\\d/", "/5../"):
            self.assertEqual(self.ir(iid, key)["IntegrationResponseKey"], key)

    def test_duplicate_key_conflicts(self):
        iid = self.integration()
        first = self.ir(iid, "$default")
        second = self.ir(iid, "/5\\d\\d/")
        self.assertAwsError(lambda: self.ir(iid, "$default"), "ConflictException", 409,
                            "IntegrationResponse with key $default already exists")
        self.assertAwsError(
            lambda: self.c.update_integration_response(
                ApiId=self.ws, IntegrationId=iid,
                IntegrationResponseId=second["IntegrationResponseId"],
                IntegrationResponseKey="$default"),
            "ConflictException", 409, "IntegrationResponse with key $default already exists")
        # Another integration has its own keys; a deleted one frees its key.
        self.ir(self.integration(), "$default")
        self.c.delete_integration_response(ApiId=self.ws, IntegrationId=iid,
                                           IntegrationResponseId=first["IntegrationResponseId"])
        self.ir(iid, "$default")

    def test_not_on_proxy_integrations(self):
        for kw in ({"IntegrationType": "AWS_PROXY", "IntegrationUri": LAMBDA},
                   {"IntegrationType": "HTTP_PROXY", "IntegrationUri": "https://example.com",
                    "IntegrationMethod": "GET"}):
            iid = self.integration(**kw)
            self.assertAwsError(lambda: self.ir(iid, "$default"), "BadRequestException", 400,
                                kw["IntegrationType"])
        for kw in ({"IntegrationType": "AWS", "IntegrationUri":
                    "arn:aws:apigateway:us-east-1:sqs:path/123456789012/q"},
                   {"IntegrationType": "HTTP", "IntegrationUri": "https://example.com",
                    "IntegrationMethod": "POST"}):
            iid = self.integration(**kw)
            self.assertEqual(self.ir(iid, "$default")["IntegrationResponseKey"], "$default")

    def test_not_on_http_apis(self):
        iid = self.integration(self.http_api, IntegrationType="AWS_PROXY", IntegrationUri=LAMBDA,
                               PayloadFormatVersion="2.0")
        self.assertAwsError(
            lambda: self.c.create_integration_response(ApiId=self.http_api, IntegrationId=iid,
                                                       IntegrationResponseKey="$default"),
            "BadRequestException", 400, "WEBSOCKET")

    def test_types(self):
        iid = self.integration()
        self.assertAwsError(lambda: self.ir(iid, "$default", ContentHandlingStrategy="BASE64"),
                            "BadRequestException", 400, "contentHandlingStrategy")
        self.assertAwsError(lambda: self.ir(iid, "$default",
                                            ResponseTemplates={"a": "x" * 32769}),
                            "BadRequestException", 400, "responseTemplates")
        self.assertAwsError(lambda: self.ir(iid, "$default",
                                            ResponseParameters={"a": "x" * 513}),
                            "BadRequestException", 400, "responseParameters")
        self.assertEqual(self.c.get_integration_responses(ApiId=self.ws,
                                                          IntegrationId=iid)["Items"], [])

    def test_not_found(self):
        c, iid = self.c, self.integration()
        for call in (lambda: c.get_integration_response(ApiId=self.ws, IntegrationId=iid,
                                                        IntegrationResponseId="abcdef"),
                     lambda: c.update_integration_response(ApiId=self.ws, IntegrationId=iid,
                                                           IntegrationResponseId="abcdef"),
                     lambda: c.delete_integration_response(ApiId=self.ws, IntegrationId=iid,
                                                           IntegrationResponseId="abcdef")):
            err = self.assertAwsError(call, "NotFoundException", 404)
            self.assertEqual(err["Error"]["Message"],
                             "Invalid IntegrationResponse identifier specified abcdef")
        for call in (lambda: self.ir("zzzzzzz", "$default"),
                     lambda: c.get_integration_responses(ApiId=self.ws, IntegrationId="zzzzzzz")):
            err = self.assertAwsError(call, "NotFoundException", 404)
            self.assertEqual(err["Error"]["Message"],
                             "Invalid Integration identifier specified zzzzzzz")

    def test_deleting_the_integration_removes_them(self):
        c, iid = self.c, self.integration()
        irid = self.ir(iid, "$default")["IntegrationResponseId"]
        c.delete_integration(ApiId=self.ws, IntegrationId=iid)
        self.assertAwsError(lambda: c.get_integration_response(
            ApiId=self.ws, IntegrationId=iid, IntegrationResponseId=irid),
            "NotFoundException", 404, "Invalid Integration identifier specified")

    def test_pagination(self):
        c, iid = self.c, self.integration()
        keys = ["$default"] + ["/%d\\d\\d/" % i for i in range(1, 6)]
        ids = [self.ir(iid, k)["IntegrationResponseId"] for k in keys]
        seen, token = [], None
        while True:
            kw = {"ApiId": self.ws, "IntegrationId": iid, "MaxResults": "4"}
            if token:
                kw["NextToken"] = token
            page = c.get_integration_responses(**kw)
            self.assertLessEqual(len(page["Items"]), 4)
            seen += [i["IntegrationResponseId"] for i in page["Items"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(seen, ids)


if __name__ == "__main__":
    unittest.main()
