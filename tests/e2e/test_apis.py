"""Apis (spec §4) through boto3: CreateApi defaults per protocol, validation, GetApis, UpdateApi,
DeleteApi (and what it takes with it), tags, and the (account, region) partitions that the
caller's SigV4 credential selects.
"""
import re
import unittest

from harness import ServerTestCase

DEFAULT_ACCOUNT = "000000000000"
OTHER_ACCOUNT = "111122223333"
DATE = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"


def strip(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


class ApiTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c = cls.server.client()

    def wire(self, api_id):
        status, _, body = self.server.http("GET", "/v2/apis/" + api_id)
        self.assertEqual(status, 200, body)
        return body

    def ws(self, **kw):
        return self.c.create_api(Name=kw.pop("Name", "ws"), ProtocolType="WEBSOCKET",
                                 RouteSelectionExpression=kw.pop("RouteSelectionExpression",
                                                                 "$request.body.action"), **kw)

    def assertBad(self, call, message=None):
        return self.assertAwsError(call, "BadRequestException", 400, message)

    def test_websocket_defaults(self):
        out = self.ws(Name="chat")
        api_id = out["ApiId"]
        self.assertRegex(api_id, r"^[a-z0-9]{10}$")
        body = self.wire(api_id)
        self.assertRegex(body.pop("createdDate"), DATE)
        self.assertEqual(body, {
            "apiId": api_id,
            "name": "chat",
            "protocolType": "WEBSOCKET",
            "apiEndpoint": "wss://%s.execute-api.us-east-1.amazonaws.com" % api_id,
            "apiKeySelectionExpression": "$request.header.x-api-key",
            "disableExecuteApiEndpoint": False,
            "ipAddressType": "ipv4",
            "routeSelectionExpression": "$request.body.action",
            "tags": {},
        })
        self.assertEqual(out["ResponseMetadata"]["HTTPStatusCode"], 201)
        got = strip(self.c.get_api(ApiId=api_id))
        self.assertEqual(got, strip(out))

    def test_http_defaults(self):
        out = self.c.create_api(Name="web", ProtocolType="HTTP")
        api_id = out["ApiId"]
        body = self.wire(api_id)
        self.assertRegex(body.pop("createdDate"), DATE)
        self.assertEqual(body, {
            "apiId": api_id,
            "name": "web",
            "protocolType": "HTTP",
            "apiEndpoint": "https://%s.execute-api.us-east-1.amazonaws.com" % api_id,
            "apiKeySelectionExpression": "$request.header.x-api-key",
            "disableExecuteApiEndpoint": False,
            "ipAddressType": "ipv4",
            "routeSelectionExpression": "$request.method $request.path",
            "tags": {},
        })

    def test_route_selection_expression_rules(self):
        out = self.c.create_api(Name="h", ProtocolType="HTTP",
                                RouteSelectionExpression="${request.method} ${request.path}")
        self.assertEqual(out["RouteSelectionExpression"], "${request.method} ${request.path}")
        out = self.c.create_api(Name="h", ProtocolType="HTTP",
                                RouteSelectionExpression="$request.method $request.path")
        self.assertEqual(out["RouteSelectionExpression"], "$request.method $request.path")
        self.assertBad(lambda: self.c.create_api(Name="h", ProtocolType="HTTP",
                                                 RouteSelectionExpression="$request.body.action"),
                       "route selection expression for HTTP API: $request.body.action")
        self.assertBad(lambda: self.c.create_api(Name="w", ProtocolType="WEBSOCKET"),
                       "routeSelectionExpression")
        out = self.ws(RouteSelectionExpression="${request.body.type}")
        self.assertEqual(out["RouteSelectionExpression"], "${request.body.type}")
        # UpdateApi is judged by the merged result too.
        api_id = self.c.create_api(Name="h", ProtocolType="HTTP")["ApiId"]
        self.assertBad(lambda: self.c.update_api(ApiId=api_id,
                                                 RouteSelectionExpression="$request.body.x"))
        self.assertEqual(self.wire(api_id)["routeSelectionExpression"],
                         "$request.method $request.path")

    def test_protocol_and_required_members(self):
        err = self.assertBad(lambda: self.c.create_api(Name="x", ProtocolType="REST"))
        self.assertEqual(err["Error"]["Message"],
                         "Invalid protocol specified. Must be one of [HTTP, WEBSOCKET]")
        self.assertBad(lambda: self.c.create_api(Name="x", ProtocolType="websocket",
                                                 RouteSelectionExpression="$request.body.a"),
                       "Invalid protocol specified")
        for body, member in (({"protocolType": "HTTP"}, "name"),
                             ({"name": "x"}, "protocolType"),
                             ({"name": "", "protocolType": "HTTP"}, "name"),
                             ({"name": "n" * 129, "protocolType": "HTTP"}, "name"),
                             ({"name": 5, "protocolType": "HTTP"}, "name"),
                             ({"name": "x", "protocolType": "HTTP", "description": "d" * 1025},
                              "description"),
                             ({"name": "x", "protocolType": "HTTP", "version": "v" * 65},
                              "version"),
                             ({"name": "x", "protocolType": "HTTP",
                               "disableExecuteApiEndpoint": "yes"},
                              "disableExecuteApiEndpoint"),
                             ({"name": "x", "protocolType": "HTTP", "ipAddressType": "ipv6"},
                              "ipAddressType"),
                             ({"name": "x", "protocolType": "HTTP",
                               "apiKeySelectionExpression": "$request.header.other"},
                              "apiKeySelectionExpression"),
                             ({"name": "x", "protocolType": "HTTP", "tags": {"aws:x": "y"}},
                              "aws:")):
            with self.subTest(body=body):
                status, hdrs, out = self.server.http("POST", "/v2/apis", body)
                self.assertEqual(status, 400, out)
                self.assertEqual(hdrs["x-amzn-errortype"], "BadRequestException")
                self.assertIn(member, out["message"])
        out = self.c.create_api(Name="n" * 128, ProtocolType="HTTP", Description="d" * 1024)
        self.assertEqual(len(out["Name"]), 128)

    def test_get_apis_lists_in_creation_order(self):
        before = [a["ApiId"] for a in self.c.get_apis()["Items"]]
        made = [self.ws(Name="list-%d" % i)["ApiId"] for i in range(3)]
        items = self.c.get_apis()["Items"]
        self.assertEqual([a["ApiId"] for a in items], before + made)
        self.assertNotIn("NextToken", self.c.get_apis())
        # The items are the Get answers.
        for item in items[-3:]:
            self.assertEqual(item, strip(self.c.get_api(ApiId=item["ApiId"])))
        status, _, body = self.server.http("GET", "/v2/apis")
        self.assertEqual(status, 200)
        self.assertEqual([a["apiId"] for a in body["items"]], before + made)
        self.assertNotIn("nextToken", body)

    def test_update_api(self):
        api_id = self.ws(Name="before", Description="desc", Version="1")["ApiId"]
        full = self.wire(api_id)
        out = self.c.update_api(ApiId=api_id, Name="after")
        self.assertEqual(strip(out), dict(strip(self.c.get_api(ApiId=api_id))))
        self.assertEqual(self.wire(api_id), dict(full, name="after"))
        # "" clears description and version and is returned as "".
        out = self.c.update_api(ApiId=api_id, Description="", Version="")
        self.assertEqual(out["Description"], "")
        self.assertEqual(out["Version"], "")
        body = self.wire(api_id)
        self.assertEqual(body["description"], "")
        self.assertEqual(body["version"], "")
        self.assertEqual(body["apiEndpoint"], full["apiEndpoint"])
        self.assertEqual(body["createdDate"], full["createdDate"])
        # Protocol never changes; WebSocket-only members stay off HTTP APIs.
        status, _, body = self.server.http("PATCH", "/v2/apis/" + api_id,
                                           {"protocolType": "HTTP"})
        self.assertEqual(status, 200)
        self.assertEqual(body["protocolType"], "WEBSOCKET")
        status, _, body = self.server.http("PATCH", "/v2/apis/" + api_id, {
            "apiId": "other", "apiEndpoint": "wss://evil", "createdDate": "2000-01-01T00:00:00Z",
            "tags": {"sneaky": "x"}})
        self.assertEqual(status, 200)
        self.assertEqual((body["apiId"], body["apiEndpoint"], body["createdDate"], body["tags"]),
                         (api_id, full["apiEndpoint"], full["createdDate"], {}))
        self.assertBad(lambda: self.c.update_api(ApiId=api_id, Name=""), "name")
        self.assertBad(lambda: self.c.update_api(ApiId=api_id, Name="n" * 129), "name")
        out = self.c.update_api(ApiId=api_id, DisableSchemaValidation=True,
                                DisableExecuteApiEndpoint=True)
        self.assertTrue(out["DisableSchemaValidation"])
        self.assertTrue(out["DisableExecuteApiEndpoint"])
        err = self.assertAwsError(lambda: self.c.update_api(ApiId="nosuchapi0", Name="x"),
                                  "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid API identifier specified %s:nosuchapi0" % DEFAULT_ACCOUNT)

    def test_protocol_specific_members(self):
        cors = {"AllowOrigins": ["https://example.com"], "AllowMethods": ["GET"], "MaxAge": 300}
        http = self.c.create_api(Name="h", ProtocolType="HTTP", CorsConfiguration=cors,
                                 DisableSchemaValidation=True)
        self.assertEqual(http["CorsConfiguration"], cors)
        self.assertNotIn("DisableSchemaValidation", http)
        ws = self.ws(CorsConfiguration=cors, DisableSchemaValidation=True)
        self.assertNotIn("CorsConfiguration", ws)
        self.assertTrue(ws["DisableSchemaValidation"])
        # DeleteCorsConfiguration drops it.
        resp = self.c.delete_cors_configuration(ApiId=http["ApiId"])
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertNotIn("corsConfiguration", self.wire(http["ApiId"]))
        self.assertBad(lambda: self.c.create_api(
            Name="h", ProtocolType="HTTP", CorsConfiguration={"MaxAge": 86401}), "maxAge")

    def test_tags_at_create(self):
        tags = {"team": "core", "env": "test", "empty": ""}
        out = self.ws(Tags=tags)
        self.assertEqual(out["Tags"], tags)
        self.assertEqual(self.c.get_api(ApiId=out["ApiId"])["Tags"], tags)
        self.assertEqual(self.wire(out["ApiId"])["tags"], tags)
        many = {"k%d" % i: "v" for i in range(51)}
        self.assertBad(lambda: self.ws(Tags=many), "50")
        self.assertBad(lambda: self.ws(Tags={"k" * 129: "v"}), "tag")
        self.assertBad(lambda: self.ws(Tags={"k": "v" * 257}), "tag")

    def test_custom_id_tag(self):
        """LocalStack's `_custom_id_` tag chooses the apiId (so a test can use the seed's
        literal --api-id); a taken id is 409, a malformed one 400; once the API is deleted the
        id may be chosen again."""
        out = self.ws(Name="chosen", Tags={"_custom_id_": "aabbccddee", "team": "a"})
        self.assertEqual(out["ApiId"], "aabbccddee")
        self.assertEqual(out["ApiEndpoint"],
                         "wss://aabbccddee.execute-api.us-east-1.amazonaws.com")
        self.assertEqual(self.c.get_api(ApiId="aabbccddee")["Name"], "chosen")
        self.assertEqual(self.c.get_api(ApiId="aabbccddee")["Tags"],
                         {"_custom_id_": "aabbccddee", "team": "a"})
        self.assertAwsError(lambda: self.ws(Tags={"_custom_id_": "aabbccddee"}),
                            "ConflictException", 409, "aabbccddee")
        for bad in ("UPPER", "-lead", "trail-", "a" * 64, "sp ace", ""):
            self.assertBad(lambda: self.ws(Tags={"_custom_id_": bad}), "_custom_id_")
        # Child resources live under the chosen id.
        self.c.create_integration(ApiId="aabbccddee", IntegrationType="MOCK")
        self.c.delete_api(ApiId="aabbccddee")
        again = self.ws(Name="again", Tags={"_custom_id_": "aabbccddee"})
        self.assertEqual(again["ApiId"], "aabbccddee")
        self.assertEqual(self.c.get_integrations(ApiId="aabbccddee")["Items"], [])
        # HTTP APIs take it too.
        http = self.c.create_api(Name="h", ProtocolType="HTTP", Tags={"_custom_id_": "my-http-1"})
        self.assertEqual(http["ApiId"], "my-http-1")

    def test_delete_api_removes_its_integrations(self):
        api_id = self.ws()["ApiId"]
        iids = [self.c.create_integration(ApiId=api_id, IntegrationType="MOCK")["IntegrationId"]
                for _ in range(3)]
        other = self.ws()["ApiId"]
        kept = self.c.create_integration(ApiId=other, IntegrationType="MOCK")["IntegrationId"]
        resp = self.c.delete_api(ApiId=api_id)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        message = "Invalid API identifier specified %s:%s" % (DEFAULT_ACCOUNT, api_id)
        for iid in iids:
            err = self.assertAwsError(lambda: self.c.get_integration(ApiId=api_id,
                                                                     IntegrationId=iid),
                                      "NotFoundException", 404)
            self.assertEqual(err["Error"]["Message"], message)
        err = self.assertAwsError(lambda: self.c.get_integrations(ApiId=api_id),
                                  "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], message)
        err = self.assertAwsError(lambda: self.c.get_api(ApiId=api_id), "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], message)
        err = self.assertAwsError(lambda: self.c.delete_api(ApiId=api_id),
                                  "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], message)
        self.assertNotIn(api_id, [a["ApiId"] for a in self.c.get_apis()["Items"]])
        # The other API and its integration are untouched.
        self.assertEqual(self.c.get_integration(ApiId=other, IntegrationId=kept)["IntegrationId"],
                         kept)
        # A new API never gets the deleted one's id back: ids are never reused.
        self.assertNotEqual(self.ws()["ApiId"], api_id)

    def test_region_partition(self):
        east = self.c
        west = self.server.client(region="eu-west-1")
        api_id = east.create_api(Name="east", ProtocolType="HTTP")["ApiId"]
        err = self.assertAwsError(lambda: west.get_api(ApiId=api_id), "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid API identifier specified %s:%s" % (DEFAULT_ACCOUNT, api_id))
        self.assertNotIn(api_id, [a["ApiId"] for a in west.get_apis()["Items"]])
        self.assertAwsError(lambda: west.create_integration(ApiId=api_id,
                                                            IntegrationType="HTTP_PROXY",
                                                            IntegrationUri="https://e.com",
                                                            IntegrationMethod="ANY"),
                            "NotFoundException", 404)
        self.assertAwsError(lambda: west.delete_api(ApiId=api_id), "NotFoundException", 404)
        wapi = west.create_api(Name="west", ProtocolType="WEBSOCKET",
                               RouteSelectionExpression="$request.body.action")
        self.assertEqual(wapi["ApiEndpoint"],
                         "wss://%s.execute-api.eu-west-1.amazonaws.com" % wapi["ApiId"])
        self.assertEqual([a["ApiId"] for a in west.get_apis()["Items"]], [wapi["ApiId"]])
        self.assertNotIn(wapi["ApiId"], [a["ApiId"] for a in east.get_apis()["Items"]])
        self.assertEqual(east.get_api(ApiId=api_id)["Name"], "east")
        # A credential scope whose region is not a region name falls back to the default.
        status, _, body = self.server.http(
            "POST", "/v2/apis", {"name": "odd", "protocolType": "HTTP"},
            headers={"Authorization": "AWS4-HMAC-SHA256 Credential=AKID/20260101/EU|x;/"
                                      "apigateway/aws4_request, SignedHeaders=host, Signature=0"})
        self.assertEqual(status, 201, body)
        self.assertEqual(body["apiEndpoint"],
                         "https://%s.execute-api.us-east-1.amazonaws.com" % body["apiId"])
        # The CLI's --region selects the partition the same way.
        out = self.server.aws("get-apis", region="eu-west-1")
        self.assertEqual([a["ApiId"] for a in out["Items"]], [wapi["ApiId"]])

    def test_account_partition(self):
        mine = self.c
        theirs = self.server.client(access_key=OTHER_ACCOUNT)
        their_api = theirs.create_api(Name="theirs", ProtocolType="HTTP")["ApiId"]
        my_api = mine.create_api(Name="mine", ProtocolType="HTTP")["ApiId"]
        self.assertEqual(theirs.get_api(ApiId=their_api)["Name"], "theirs")
        self.assertEqual([a["ApiId"] for a in theirs.get_apis()["Items"]], [their_api])
        err = self.assertAwsError(lambda: mine.get_api(ApiId=their_api),
                                  "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid API identifier specified %s:%s" % (DEFAULT_ACCOUNT, their_api))
        err = self.assertAwsError(lambda: theirs.get_api(ApiId=my_api), "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid API identifier specified %s:%s" % (OTHER_ACCOUNT, my_api))
        err = self.assertAwsError(lambda: theirs.get_integrations(ApiId=my_api),
                                  "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid API identifier specified %s:%s" % (OTHER_ACCOUNT, my_api))
        iid = theirs.create_integration(ApiId=their_api, IntegrationType="HTTP_PROXY",
                                        IntegrationUri="https://e.com",
                                        IntegrationMethod="ANY")["IntegrationId"]
        self.assertAwsError(lambda: mine.get_integration(ApiId=their_api, IntegrationId=iid),
                            "NotFoundException", 404)
        self.assertEqual(theirs.get_integration(ApiId=their_api,
                                                IntegrationId=iid)["IntegrationId"], iid)

    def test_request_ids(self):
        out = self.ws()
        rid = out["ResponseMetadata"]["RequestId"]
        self.assertTrue(re.match(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                                 r"[0-9a-f]{12}$", rid), rid)
        self.assertNotEqual(rid, self.ws()["ResponseMetadata"]["RequestId"])


if __name__ == "__main__":
    unittest.main()
