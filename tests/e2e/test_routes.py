"""Routes of apigatewayv2 (spec §6): CreateRoute, GetRoute, GetRoutes, UpdateRoute,
DeleteRoute, DeleteRouteRequestParameter.

A WebSocket chat API built with the real AWS CLI, then every rule with boto3 (error name and
HTTP status), raw HTTP where the exact JSON keys matter, and pagination.
"""
import json
import re
import unittest

from harness import ServerTestCase

LAMBDA = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
          "arn:aws:lambda:us-east-1:123456789012:function:%s/invocations")
ROUTE_ID = re.compile(r"^[a-z0-9]{7}$")


def strip(answer):
    """A boto3 answer without its ResponseMetadata."""
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


class WebSocketChatTest(ServerTestCase):
    """The AWS tutorial's chat app: $connect, $disconnect and sendmessage on Lambda proxy
    integrations, driven by the real AWS CLI."""

    def test_chat_routes_with_the_cli(self):
        aws = self.server.aws
        api = aws("create-api", "--name", "chat", "--protocol-type", "WEBSOCKET",
                  "--route-selection-expression", "$request.body.action")
        api_id = api["ApiId"]
        created = {}
        for key, fn in (("$connect", "onconnect"), ("$disconnect", "ondisconnect"),
                        ("sendmessage", "sendmessage")):
            integ = aws("create-integration", "--api-id", api_id, "--integration-type",
                        "AWS_PROXY", "--integration-uri", LAMBDA % fn)
            route = aws("create-route", "--api-id", api_id, "--route-key", key,
                        "--target", "integrations/" + integ["IntegrationId"])
            self.assertRegex(route["RouteId"], ROUTE_ID)
            self.assertEqual(route, {
                "ApiKeyRequired": False,
                "AuthorizationType": "NONE",
                "RouteId": route["RouteId"],
                "RouteKey": key,
                "Target": "integrations/" + integ["IntegrationId"],
            })
            created[route["RouteId"]] = route

        # Read back: the list and each Get answer exactly what Create answered.
        items = aws("get-routes", "--api-id", api_id)["Items"]
        self.assertEqual({r["RouteId"]: r for r in items}, created)
        self.assertEqual([r["RouteKey"] for r in items], ["$connect", "$disconnect", "sendmessage"])
        for route_id, route in created.items():
            self.assertEqual(aws("get-route", "--api-id", api_id, "--route-id", route_id), route)

        # The CLI pages through GetRoutes with maxResults=1 and still sees all three.
        paged = aws("get-routes", "--api-id", api_id, "--page-size", "1")["Items"]
        self.assertEqual([r["RouteId"] for r in paged], [r["RouteId"] for r in items])

        # sendmessage answers the client: route response selection on the route.
        send_id = next(i for i, r in created.items() if r["RouteKey"] == "sendmessage")
        updated = aws("update-route", "--api-id", api_id, "--route-id", send_id,
                      "--route-response-selection-expression", "$default",
                      "--operation-name", "SendMessage")
        self.assertEqual(updated["RouteResponseSelectionExpression"], "$default")
        self.assertEqual(updated["OperationName"], "SendMessage")
        self.assertEqual(updated["Target"], created[send_id]["Target"])
        self.assertEqual(aws("get-route", "--api-id", api_id, "--route-id", send_id), updated)

        # A targeted integration cannot go (409 naming the route); once its route is gone
        # it can.
        target = created[send_id]["Target"].split("/")[1]
        rc, _, err = aws("delete-integration", "--api-id", api_id, "--integration-id", target,
                         check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("ConflictException", err)
        self.assertIn("Cannot delete Integration because it is referenced by the following "
                      "Routes with Ids: [%s]" % send_id, err)
        self.assertIsNone(aws("delete-route", "--api-id", api_id, "--route-id", send_id))
        self.assertIsNone(aws("delete-integration", "--api-id", api_id, "--integration-id",
                              target))
        rc, _, err = aws("get-route", "--api-id", api_id, "--route-id", send_id, check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("NotFoundException", err)
        self.assertIn("Invalid Route identifier specified %s" % send_id, err)
        self.assertEqual(len(aws("get-routes", "--api-id", api_id)["Items"]), 2)


class RouteRulesTest(ServerTestCase):
    """Every route rule through boto3."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.server.client()
        cls.c = c
        cls.ws = c.create_api(Name="ws", ProtocolType="WEBSOCKET",
                              RouteSelectionExpression="$request.body.action")["ApiId"]
        cls.http_api = c.create_api(Name="http", ProtocolType="HTTP")["ApiId"]
        cls.ws_mock = c.create_integration(ApiId=cls.ws, IntegrationType="MOCK")["IntegrationId"]
        cls.http_lambda = c.create_integration(
            ApiId=cls.http_api, IntegrationType="AWS_PROXY", IntegrationUri=LAMBDA % "fn",
            PayloadFormatVersion="2.0")["IntegrationId"]

    def bad(self, call, message=None):
        return self.assertAwsError(call, "BadRequestException", 400, message)

    def route(self, api, key, **kw):
        return self.c.create_route(ApiId=api, RouteKey=key, **kw)

    # ---- route keys ----

    def test_websocket_keys(self):
        for key in ("$connect", "$disconnect", "$default", "join", "chat.send"):
            r = self.route(self.ws, key)
            self.assertEqual(r["RouteKey"], key)
            self.assertRegex(r["RouteId"], ROUTE_ID)
            self.c.delete_route(ApiId=self.ws, RouteId=r["RouteId"])
        for key in ("$join", "$connectx", "$"):
            self.bad(lambda: self.route(self.ws, key),
                     "The provided route key is not formatted properly")

    def test_http_keys(self):
        for key in ("$default", "GET /pets", "ANY /{proxy+}", "GET /pets/{petId}",
                    "POST /pets/{petId}/toys/{toy+}", "OPTIONS /", "HEAD /a.b-c_d",
                    "DELETE /pets/{petId}/", "PATCH /v1/{a}/{b}"):
            r = self.route(self.http_api, key)
            self.assertEqual(r["RouteKey"], key)
            self.c.delete_route(ApiId=self.http_api, RouteId=r["RouteId"])
        for key in ("GET pets", "FETCH /pets", "get /pets", "GET  /pets", "GET /{proxy+}/x",
                    "GET /a//b", "GET /pets/{}", "GET /pets/x{id}", "GET /pets/{id", "$connect",
                    "GET", "/pets", "GET /pets?x=1", "sendmessage"):
            self.bad(lambda: self.route(self.http_api, key),
                     "The provided route key is not formatted properly")

    def test_route_key_is_required(self):
        raw = self.server.client(validate=False)
        self.bad(lambda: raw.create_route(ApiId=self.ws), "routeKey is a required parameter")

    def test_duplicate_key_conflicts(self):
        first = self.route(self.ws, "dup")
        self.assertAwsError(lambda: self.route(self.ws, "dup"), "ConflictException", 409,
                            "Route with key dup already exists for this API")
        other = self.route(self.ws, "dup2")
        # An update onto a taken key conflicts too; onto its own key it does not.
        self.assertAwsError(
            lambda: self.c.update_route(ApiId=self.ws, RouteId=other["RouteId"], RouteKey="dup"),
            "ConflictException", 409, "Route with key dup already exists for this API")
        same = self.c.update_route(ApiId=self.ws, RouteId=first["RouteId"], RouteKey="dup")
        self.assertEqual(same["RouteKey"], "dup")
        # The same key in another API is fine, and a freed key can be taken again.
        other_api = self.c.create_api(Name="ws2", ProtocolType="WEBSOCKET",
                                      RouteSelectionExpression="$request.body.action")["ApiId"]
        self.route(other_api, "dup")
        self.c.delete_route(ApiId=self.ws, RouteId=first["RouteId"])
        again = self.route(self.ws, "dup")
        self.assertNotEqual(again["RouteId"], first["RouteId"])

    def test_update_revalidates_key(self):
        r = self.route(self.ws, "renameme")
        self.bad(lambda: self.c.update_route(ApiId=self.ws, RouteId=r["RouteId"],
                                             RouteKey="$bad"),
                 "The provided route key is not formatted properly")
        renamed = self.c.update_route(ApiId=self.ws, RouteId=r["RouteId"], RouteKey="renamed")
        self.assertEqual(renamed["RouteKey"], "renamed")
        self.assertEqual(self.c.get_route(ApiId=self.ws, RouteId=r["RouteId"])["RouteKey"],
                         "renamed")

    # ---- target ----

    def test_target_rules(self):
        self.bad(lambda: self.route(self.ws, "t1", Target="integrations/nope123"), "target")
        self.bad(lambda: self.route(self.ws, "t2", Target=self.ws_mock), "target")
        self.bad(lambda: self.route(self.ws, "t3", Target="integration/" + self.ws_mock),
                 "target")
        # An integration of another API is not a target of this one.
        self.bad(lambda: self.route(self.ws, "t4", Target="integrations/" + self.http_lambda),
                 "target")
        r = self.route(self.ws, "t5", Target="integrations/" + self.ws_mock)
        self.assertEqual(r["Target"], "integrations/" + self.ws_mock)
        self.bad(lambda: self.c.update_route(ApiId=self.ws, RouteId=r["RouteId"],
                                             Target="integrations/zzzzzzz"), "target")
        self.assertEqual(self.c.get_route(ApiId=self.ws, RouteId=r["RouteId"])["Target"],
                         "integrations/" + self.ws_mock)
        self.c.delete_route(ApiId=self.ws, RouteId=r["RouteId"])

    def test_targeted_integration_cannot_be_deleted(self):
        integ = self.c.create_integration(ApiId=self.ws, IntegrationType="MOCK")["IntegrationId"]
        spare = self.c.create_integration(ApiId=self.ws, IntegrationType="MOCK")["IntegrationId"]
        a = self.route(self.ws, "refa", Target="integrations/" + integ)["RouteId"]
        b = self.route(self.ws, "refb", Target="integrations/" + integ)["RouteId"]
        self.assertAwsError(
            lambda: self.c.delete_integration(ApiId=self.ws, IntegrationId=integ),
            "ConflictException", 409,
            "Cannot delete Integration because it is referenced by the following Routes "
            "with Ids: [%s, %s]" % (a, b))
        # Retarget one route, detach the other with "" (as Terraform does): then it goes.
        self.c.update_route(ApiId=self.ws, RouteId=a, Target="integrations/" + spare)
        self.assertAwsError(
            lambda: self.c.delete_integration(ApiId=self.ws, IntegrationId=integ),
            "ConflictException", 409, "Routes with Ids: [%s]" % b)
        detached = self.c.update_route(ApiId=self.ws, RouteId=b, Target="")
        self.assertNotIn("Target", detached)
        self.c.delete_integration(ApiId=self.ws, IntegrationId=integ)
        self.assertAwsError(lambda: self.c.get_integration(ApiId=self.ws, IntegrationId=integ),
                            "NotFoundException", 404)
        # The retargeted route now holds `spare`; deleting the route frees it.
        self.assertAwsError(
            lambda: self.c.delete_integration(ApiId=self.ws, IntegrationId=spare),
            "ConflictException", 409)
        self.c.delete_route(ApiId=self.ws, RouteId=a)
        self.c.delete_integration(ApiId=self.ws, IntegrationId=spare)
        self.c.delete_route(ApiId=self.ws, RouteId=b)

    # ---- authorization ----

    def test_authorization_type_enum(self):
        self.bad(lambda: self.route(self.ws, "auth1", AuthorizationType="COGNITO"),
                 "authorizationType")
        self.bad(lambda: self.route(self.ws, "$connect", AuthorizationType="JWT",
                                    AuthorizerId="abc123"), "JWT")
        r = self.route(self.ws, "iam", AuthorizationType="AWS_IAM")
        self.assertEqual(r["AuthorizationType"], "AWS_IAM")
        self.assertNotIn("AuthorizerId", r)
        self.c.delete_route(ApiId=self.ws, RouteId=r["RouteId"])

    def test_authorizer_required_and_checked(self):
        self.bad(lambda: self.route(self.ws, "$connect", AuthorizationType="CUSTOM"),
                 "Invalid authorizer ID specified. Setting the authorization type to CUSTOM or "
                 "COGNITO_USER_POOLS requires a valid authorizer.")
        self.bad(lambda: self.route(self.ws, "$connect", AuthorizationType="CUSTOM",
                                    AuthorizerId="nope12"),
                 "Invalid authorizer ID specified.")
        self.bad(lambda: self.route(self.http_api, "GET /jwt", AuthorizationType="JWT"),
                 "Invalid authorizer ID specified. Setting the authorization type to JWT "
                 "requires a valid JWT authorizer.")
        self.bad(lambda: self.route(self.ws, "noauth", AuthorizerId="abc123"),
                 "Unable to create route. Authorizer type is invalid or null.")

    def test_authorizers_attach_and_detach(self):
        c = self.c
        lam = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
               "arn:aws:lambda:us-east-1:123456789012:function:auth/invocations")
        ws_auth = c.create_authorizer(ApiId=self.ws, AuthorizerType="REQUEST", Name="wsauth",
                                      AuthorizerUri=lam,
                                      IdentitySource=["route.request.header.Auth"])["AuthorizerId"]
        jwt = c.create_authorizer(
            ApiId=self.http_api, AuthorizerType="JWT", Name="jwt",
            IdentitySource=["$request.header.Authorization"],
            JwtConfiguration={"Audience": ["aud"],
                              "Issuer": "https://issuer.example.com"})["AuthorizerId"]
        r = self.route(self.ws, "$connect", AuthorizationType="CUSTOM", AuthorizerId=ws_auth)
        self.assertEqual((r["AuthorizationType"], r["AuthorizerId"]), ("CUSTOM", ws_auth))
        # A JWT route needs a JWT authorizer: the WebSocket REQUEST one is not of this API
        # nor of that type.
        self.bad(lambda: self.route(self.http_api, "GET /secure", AuthorizationType="JWT",
                                    AuthorizerId=ws_auth), "JWT")
        h = self.route(self.http_api, "GET /secure", AuthorizationType="JWT",
                       AuthorizerId=jwt, AuthorizationScopes=["user.id", "user.email"])
        self.assertEqual(h["AuthorizationScopes"], ["user.id", "user.email"])
        self.assertEqual(h["AuthorizerId"], jwt)
        # UpdateRoute naming an authorizer must name the type too (AWS's quirk).
        self.bad(lambda: c.update_route(ApiId=self.http_api, RouteId=h["RouteId"],
                                        AuthorizerId=jwt),
                 "Unable to update route. Authorizer type is invalid or null.")
        ok = c.update_route(ApiId=self.http_api, RouteId=h["RouteId"], AuthorizerId=jwt,
                            AuthorizationType="JWT")
        self.assertEqual(ok["AuthorizerId"], jwt)
        # Back to NONE: the authorizer is detached.
        none = c.update_route(ApiId=self.http_api, RouteId=h["RouteId"],
                              AuthorizationType="NONE")
        self.assertEqual(none["AuthorizationType"], "NONE")
        self.assertNotIn("AuthorizerId", none)
        self.assertEqual(strip(c.get_route(ApiId=self.http_api, RouteId=h["RouteId"])),
                         strip(none))
        # Terraform's way: type NONE and authorizerId "".
        r2 = c.update_route(ApiId=self.ws, RouteId=r["RouteId"], AuthorizationType="NONE",
                            AuthorizerId="")
        self.assertNotIn("AuthorizerId", r2)
        c.delete_route(ApiId=self.ws, RouteId=r["RouteId"])
        c.delete_route(ApiId=self.http_api, RouteId=h["RouteId"])

    # ---- members per protocol ----

    def test_new_route_shape(self):
        """Unset members are absent: no requestModels, authorizationScopes, target..."""
        status, headers, body = self.server.http(
            "POST", "/v2/apis/%s/routes" % self.ws, {"routeKey": "shape"})
        self.assertEqual(status, 201)
        self.assertEqual(body, {"apiKeyRequired": False, "authorizationType": "NONE",
                                "routeId": body["routeId"], "routeKey": "shape"})
        status, _, got = self.server.http("GET", "/v2/apis/%s/routes/%s" % (self.ws,
                                                                           body["routeId"]))
        self.assertEqual((status, got), (200, body))

    def test_websocket_members(self):
        r = self.route(self.ws, "full", ApiKeyRequired=True, ModelSelectionExpression="$request.body.type",
                       OperationName="Full", RequestModels={"$default": "Message"},
                       RequestParameters={"route.request.header.Auth": {"Required": True},
                                          "route.request.querystring.room": {"Required": False}},
                       RouteResponseSelectionExpression="$default",
                       Target="integrations/" + self.ws_mock)
        got = self.c.get_route(ApiId=self.ws, RouteId=r["RouteId"])
        for k in ("ApiKeyRequired", "ModelSelectionExpression", "OperationName",
                  "RequestModels", "RequestParameters", "RouteResponseSelectionExpression",
                  "Target", "RouteKey", "RouteId", "AuthorizationType"):
            self.assertEqual(got[k], r[k], k)
        self.assertTrue(got["ApiKeyRequired"])
        self.assertEqual(got["RequestParameters"]["route.request.header.Auth"], {"Required": True})

    def test_websocket_only_members_dropped_on_http(self):
        r = self.route(self.http_api, "GET /dropped", ModelSelectionExpression="x",
                       RequestModels={"$default": "M"}, RouteResponseSelectionExpression="$default",
                       RequestParameters={"route.request.header.a": {"Required": True}},
                       OperationName="Kept", Target="integrations/" + self.http_lambda)
        for k in ("ModelSelectionExpression", "RequestModels",
                  "RouteResponseSelectionExpression", "RequestParameters"):
            self.assertNotIn(k, r)
        self.assertEqual(r["OperationName"], "Kept")
        self.assertEqual(self.c.get_route(ApiId=self.http_api, RouteId=r["RouteId"])["Target"],
                         "integrations/" + self.http_lambda)

    def test_member_types_and_limits(self):
        self.bad(lambda: self.route(self.ws, "x1", OperationName="o" * 65), "operationName")
        self.bad(lambda: self.route(self.ws, "x2", Target="integrations/" + "a" * 120), "target")
        raw = self.server.client(validate=False)
        self.bad(lambda: raw.create_route(ApiId=self.ws, RouteKey="x3", ApiKeyRequired="yes"),
                 "apiKeyRequired")
        self.bad(lambda: self.route(self.ws, "x4", RequestModels={"$default": ""}),
                 "requestModels")
        self.bad(lambda: self.route(self.ws, "x5", RequestModels={"$default": "m" * 129}),
                 "requestModels")
        self.bad(lambda: self.route(self.ws, "x6", AuthorizationScopes=["s" * 65]),
                 "authorizationScopes")
        status, _, body = self.server.http(
            "POST", "/v2/apis/%s/routes" % self.ws,
            {"routeKey": "x7", "requestParameters": {"route.request.header.a": {"required": "1"}}})
        self.assertEqual(status, 400)
        self.assertIn("required", body["message"])

    # ---- request parameters ----

    def test_request_parameters(self):
        c = self.c
        self.bad(lambda: self.route(self.ws, "rp0",
                                    RequestParameters={"method.request.header.a": {"Required": True}}),
                 "route.request.header")
        self.bad(lambda: self.route(self.ws, "rp0",
                                    RequestParameters={"route.request.path.a": {"Required": True}}),
                 "Invalid request parameter key")
        self.bad(lambda: self.route(self.ws, "rp0",
                                    RequestParameters={"route.request.header.": {"Required": True}}),
                 "Invalid request parameter key")
        r = self.route(self.ws, "rp", RequestParameters={
            "route.request.header.a": {"Required": True}})
        rid = r["RouteId"]
        # Update merges keys into the stored map.
        u = c.update_route(ApiId=self.ws, RouteId=rid, RequestParameters={
            "route.request.querystring.b": {"Required": False}})
        self.assertEqual(u["RequestParameters"], {"route.request.header.a": {"Required": True},
                                                  "route.request.querystring.b": {"Required": False}})
        c.delete_route_request_parameter(ApiId=self.ws, RouteId=rid,
                                         RequestParameterKey="route.request.header.a")
        self.assertEqual(c.get_route(ApiId=self.ws, RouteId=rid)["RequestParameters"],
                         {"route.request.querystring.b": {"Required": False}})
        self.assertAwsError(
            lambda: c.delete_route_request_parameter(
                ApiId=self.ws, RouteId=rid, RequestParameterKey="route.request.header.a"),
            "NotFoundException", 404, "route.request.header.a")
        self.assertAwsError(
            lambda: c.delete_route_request_parameter(
                ApiId=self.ws, RouteId="zzzzzzz", RequestParameterKey="route.request.header.a"),
            "NotFoundException", 404, "Invalid Route identifier specified zzzzzzz")
        c.delete_route(ApiId=self.ws, RouteId=rid)

    # ---- not found ----

    def test_not_found(self):
        c = self.c
        for call in (lambda: c.get_route(ApiId=self.ws, RouteId="abcdefg"),
                     lambda: c.update_route(ApiId=self.ws, RouteId="abcdefg", RouteKey="k"),
                     lambda: c.delete_route(ApiId=self.ws, RouteId="abcdefg")):
            err = self.assertAwsError(call, "NotFoundException", 404,
                                      "Invalid Route identifier specified abcdefg")
        self.assertEqual(err["Error"]["Message"], "Invalid Route identifier specified abcdefg")
        for call in (lambda: c.get_routes(ApiId="nosuchapi1"),
                     lambda: c.create_route(ApiId="nosuchapi1", RouteKey="x"),
                     lambda: c.get_route(ApiId="nosuchapi1", RouteId="abcdefg")):
            self.assertAwsError(call, "NotFoundException", 404,
                                "Invalid API identifier specified")

    def test_quick_create_route_is_managed(self):
        """The route quick create makes keeps its key; its other members can change."""
        c = self.c
        api = c.create_api(Name="quick", ProtocolType="HTTP", RouteKey="GET /pets",
                           Target="arn:aws:lambda:us-east-1:123456789012:function:fn")["ApiId"]
        (route,) = c.get_routes(ApiId=api)["Items"]
        self.assertTrue(route["ApiGatewayManaged"])
        self.assertEqual(route["RouteKey"], "GET /pets")
        self.bad(lambda: c.update_route(ApiId=api, RouteId=route["RouteId"],
                                        RouteKey="GET /cats"),
                 "The route key of a route managed by API Gateway cannot be changed")
        u = c.update_route(ApiId=api, RouteId=route["RouteId"], OperationName="ListPets")
        self.assertEqual((u["RouteKey"], u["OperationName"], u["ApiGatewayManaged"]),
                         ("GET /pets", "ListPets", True))
        self.assertAwsError(lambda: c.delete_integration(
            ApiId=api, IntegrationId=route["Target"].split("/")[1]), "ConflictException", 409)

    def test_delete_route_twice(self):
        r = self.route(self.ws, "gone")
        self.assertEqual(self.c.delete_route(ApiId=self.ws, RouteId=r["RouteId"])
                         ["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertAwsError(lambda: self.c.delete_route(ApiId=self.ws, RouteId=r["RouteId"]),
                            "NotFoundException", 404)


class RoutePaginationTest(ServerTestCase):
    def test_get_routes_pages(self):
        c = self.server.client()
        api = c.create_api(Name="many", ProtocolType="HTTP")["ApiId"]
        keys = ["GET /r%02d" % i for i in range(11)]
        ids = [c.create_route(ApiId=api, RouteKey=k)["RouteId"] for k in keys]
        seen, token, pages = [], None, 0
        while True:
            kw = {"ApiId": api, "MaxResults": "4"}
            if token:
                kw["NextToken"] = token
            page = c.get_routes(**kw)
            pages += 1
            self.assertLessEqual(len(page["Items"]), 4)
            seen += page["Items"]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(pages, 3)
        self.assertEqual([r["RouteId"] for r in seen], ids)
        self.assertEqual([r["RouteKey"] for r in seen], keys)
        # Exactly one page's worth: no token after it.
        first = c.get_routes(ApiId=api, MaxResults="11")
        self.assertEqual(len(first["Items"]), 11)
        self.assertNotIn("NextToken", first)
        # The botocore paginator agrees.
        paged = [r["RouteId"] for p in c.get_paginator("get_routes").paginate(
            ApiId=api, PaginationConfig={"PageSize": 5}) for r in p["Items"]]
        self.assertEqual(paged, ids)
        self.assertAwsError(lambda: c.get_routes(ApiId=api, MaxResults="0"),
                            "BadRequestException", 400, "maxResults")
        self.assertAwsError(lambda: c.get_routes(ApiId=api, NextToken="garbage"),
                            "BadRequestException", 400, "nextToken")
        # A token of one API's routes is not valid for another's.
        other = c.create_api(Name="other", ProtocolType="HTTP")["ApiId"]
        token = c.get_routes(ApiId=api, MaxResults="2")["NextToken"]
        self.assertAwsError(lambda: c.get_routes(ApiId=other, NextToken=token),
                            "BadRequestException", 400, "nextToken")
        self.assertEqual(c.get_routes(ApiId=other)["Items"], [])


if __name__ == "__main__":
    unittest.main()
