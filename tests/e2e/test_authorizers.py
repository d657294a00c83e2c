"""Authorizers (spec §10): CreateAuthorizer, GetAuthorizer, GetAuthorizers, UpdateAuthorizer,
DeleteAuthorizer through boto3, the AWS CLI and raw HTTP, every rule with its AWS error name
and status."""
import re
import unittest

from harness import TwoApisTestCase

LAMBDA_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
              "arn:aws:lambda:us-east-1:123456789012:function:auth/invocations")
ROLE = "arn:aws:iam::123456789012:role/apigw-invoke"
ISSUER = "https://cognito-idp.us-west-2.amazonaws.com/us-west-2_abc123"
ID_RE = re.compile(r"^[a-z0-9]{6}$")


class AuthorizerTest(TwoApisTestCase):

    # ---- helpers ----

    def ws_request(self, **kw):
        args = dict(ApiId=self.ws, Name="ws-auth", AuthorizerType="REQUEST",
                    AuthorizerUri=LAMBDA_URI, IdentitySource=["route.request.header.Auth"])
        args.update(kw)
        return self.c.create_authorizer(**args)

    def http_request(self, client=None, **kw):
        args = dict(ApiId=self.http, Name="lambda-auth", AuthorizerType="REQUEST",
                    AuthorizerUri=LAMBDA_URI, AuthorizerPayloadFormatVersion="2.0",
                    IdentitySource=["$request.header.Authorization"])
        args.update(kw)
        return (client or self.c).create_authorizer(**args)

    def jwt(self, **kw):
        args = dict(ApiId=self.http, Name="jwt-auth", AuthorizerType="JWT",
                    IdentitySource=["$request.header.Authorization"],
                    JwtConfiguration={"Audience": ["123456abc"], "Issuer": ISSUER})
        args.update(kw)
        return self.c.create_authorizer(**args)

    def bad(self, call, message=None):
        return self.assertAwsError(call, "BadRequestException", 400, message)

    @staticmethod
    def body(resp):
        return {k: v for k, v in resp.items() if k != "ResponseMetadata"}

    # ---- create ----

    def test_create_websocket_request(self):
        r = self.ws_request(AuthorizerCredentialsArn=ROLE,
                            IdentityValidationExpression="^Bearer .+$")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertRegex(r["AuthorizerId"], ID_RE)
        self.assertEqual(self.body(r), {
            "AuthorizerCredentialsArn": ROLE,
            "AuthorizerId": r["AuthorizerId"],
            "AuthorizerType": "REQUEST",
            "AuthorizerUri": LAMBDA_URI,
            "IdentitySource": ["route.request.header.Auth"],
            "IdentityValidationExpression": "^Bearer .+$",
            "Name": "ws-auth",
        })

    def test_websocket_identity_sources_of_every_kind(self):
        sources = ["route.request.header.Auth", "route.request.querystring.token",
                   "stageVariables.key", "context.requestId"]
        r = self.ws_request(IdentitySource=sources)
        self.assertEqual(r["IdentitySource"], sources)

    def test_websocket_without_identity_source_or_uri(self):
        # boto3 insists on IdentitySource; AWS does not (Terraform creates such authorizers).
        st, _, body = self.server.http("POST", "/v2/apis/%s/authorizers" % self.ws,
                                       {"name": "bare", "authorizerType": "REQUEST"})
        self.assertEqual(st, 201, body)
        self.assertEqual(set(body), {"authorizerId", "authorizerType", "name"})
        r = self.ws_request(IdentitySource=[])
        self.assertEqual(r["IdentitySource"], [])

    def test_websocket_drops_http_only_members(self):
        r = self.ws_request(AuthorizerPayloadFormatVersion="2.0", EnableSimpleResponses=True,
                            AuthorizerResultTtlInSeconds=300)
        for member in ("AuthorizerPayloadFormatVersion", "EnableSimpleResponses",
                       "AuthorizerResultTtlInSeconds"):
            self.assertNotIn(member, r)

    def test_websocket_refuses_jwt(self):
        self.bad(lambda: self.jwt(ApiId=self.ws, IdentitySource=["route.request.header.A"]),
                 "JWT authorizers are supported only for HTTP APIs")

    def test_websocket_refuses_http_identity_source(self):
        self.bad(lambda: self.ws_request(IdentitySource=["$request.header.Auth"]),
                 "Invalid identity source specified: $request.header.Auth")
        self.bad(lambda: self.ws_request(IdentitySource=["route.request.header."]),
                 "Invalid identity source specified")

    def test_create_http_request(self):
        r = self.http_request(EnableSimpleResponses=True, AuthorizerResultTtlInSeconds=300)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(self.body(r), {
            "AuthorizerId": r["AuthorizerId"],
            "AuthorizerPayloadFormatVersion": "2.0",
            "AuthorizerResultTtlInSeconds": 300,
            "AuthorizerType": "REQUEST",
            "AuthorizerUri": LAMBDA_URI,
            "EnableSimpleResponses": True,
            "IdentitySource": ["$request.header.Authorization"],
            "Name": "lambda-auth",
        })

    def test_http_identity_sources_of_every_kind(self):
        sources = ["$request.header.Auth", "$request.querystring.User", "$context.routeKey",
                   "$stageVariables.key"]
        r = self.http_request(IdentitySource=sources, AuthorizerPayloadFormatVersion="1.0")
        self.assertEqual(r["IdentitySource"], sources)
        self.bad(lambda: self.http_request(IdentitySource=["route.request.header.Auth"]),
                 "Invalid identity source specified: route.request.header.Auth")

    def test_http_request_needs_payload_format_first(self):
        msg = "AuthorizerPayloadFormatVersion is a required parameter for REQUEST authorizer"
        err = self.bad(lambda: self.c.create_authorizer(
            ApiId=self.http, Name="a", AuthorizerType="REQUEST", AuthorizerUri=LAMBDA_URI,
            IdentitySource=["$request.header.A"]))
        self.assertEqual(err["Error"]["Message"], msg)
        # Asked for before any format is judged: a bad URI and a bad source still get it.
        err = self.bad(lambda: self.c.create_authorizer(
            ApiId=self.http, Name="a", AuthorizerType="REQUEST", AuthorizerUri="nope",
            IdentitySource=["route.request.header.A"]))
        self.assertEqual(err["Error"]["Message"], msg)

    def test_http_payload_format_values(self):
        self.bad(lambda: self.http_request(AuthorizerPayloadFormatVersion="3.0"),
                 "authorizerPayloadFormatVersion")
        self.assertEqual(self.http_request(AuthorizerPayloadFormatVersion="1.0")
                         ["AuthorizerPayloadFormatVersion"], "1.0")

    def test_simple_responses_need_payload_2(self):
        self.bad(lambda: self.http_request(AuthorizerPayloadFormatVersion="1.0",
                                           EnableSimpleResponses=True),
                 "enableSimpleResponses")
        r = self.http_request(AuthorizerPayloadFormatVersion="1.0", EnableSimpleResponses=False)
        self.assertIs(r["EnableSimpleResponses"], False)

    def test_authorizer_uri_must_be_lambda_invocation(self):
        for uri in ("https://example.com/auth",
                    "arn:aws:lambda:us-east-1:123456789012:function:auth",
                    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                    "arn:aws:lambda:us-east-1:123456789012:function:auth",
                    "arn:aws:apigateway:us-east-1:s3:path/bucket/invocations"):
            self.bad(lambda: self.ws_request(AuthorizerUri=uri), "Invalid authorizer URI")
        for uri in (LAMBDA_URI.replace(":auth/", ":auth:live/"),
                    "arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/"
                    "arn:aws-cn:lambda:cn-north-1:123456789012:function:a/invocations",
                    "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/"
                    "arn:aws:lambda:us-east-1:123456789012:function:${stageVariables.fn}"
                    "/invocations"):
            self.assertEqual(self.ws_request(AuthorizerUri=uri)["AuthorizerUri"], uri)

    def test_ttl_limits(self):
        self.bad(lambda: self.http_request(AuthorizerResultTtlInSeconds=3601),
                 "authorizerResultTtlInSeconds")
        self.bad(lambda: self.http_request(self.raw, AuthorizerResultTtlInSeconds=-1),
                 "authorizerResultTtlInSeconds")
        err = self.bad(lambda: self.http_request(IdentitySource=[],
                                                 AuthorizerResultTtlInSeconds=300))
        self.assertEqual(err["Error"]["Message"], "Identity source must be set if authorizer "
                         "caching is enabled (TTL is greater than 0)")
        r = self.http_request(IdentitySource=[], AuthorizerResultTtlInSeconds=0)
        self.assertEqual(r["AuthorizerResultTtlInSeconds"], 0)
        self.assertEqual(self.http_request(AuthorizerResultTtlInSeconds=3600)
                         ["AuthorizerResultTtlInSeconds"], 3600)

    def test_credentials_must_be_an_arn(self):
        self.bad(lambda: self.ws_request(AuthorizerCredentialsArn="my-role"),
                 "authorizerCredentialsArn")

    def test_required_members_and_types(self):
        path = "/v2/apis/%s/authorizers" % self.ws
        for body, word in (({"authorizerType": "REQUEST"}, "name"),
                           ({"name": "x"}, "authorizerType"),
                           ({"name": "", "authorizerType": "REQUEST"}, "name"),
                           ({"name": "x" * 129, "authorizerType": "REQUEST"}, "name"),
                           ({"name": "x", "authorizerType": "TOKEN"}, "authorizerType"),
                           ({"name": "x", "authorizerType": "REQUEST",
                             "identitySource": "route.request.header.A"}, "identitySource"),
                           ({"name": "x", "authorizerType": "REQUEST",
                             "authorizerUri": "x" * 2049}, "authorizerUri")):
            st, hdrs, resp = self.server.http("POST", path, body)
            self.assertEqual(st, 400, (body, resp))
            self.assertEqual(hdrs["x-amzn-errortype"], "BadRequestException")
            self.assertIn(word, resp["message"])
        self.bad(lambda: self.raw.create_authorizer(ApiId=self.ws, Name="x",
                                                    AuthorizerType="TOKEN",
                                                    IdentitySource=[]), "authorizerType")

    def test_unknown_api(self):
        err = self.assertAwsError(lambda: self.ws_request(ApiId="nosuchapi0"),
                                  "NotFoundException", 404)
        self.assertIn("Invalid API identifier specified", err["Error"]["Message"])

    # ---- JWT ----

    def test_create_jwt_with_cli(self):
        out = self.server.aws(
            "create-authorizer", "--name", "my-jwt-authorizer", "--api-id", self.http,
            "--authorizer-type", "JWT", "--identity-source", "$request.header.Authorization",
            "--jwt-configuration", "Audience=123456abc,Issuer=" + ISSUER)
        self.assertRegex(out["AuthorizerId"], ID_RE)
        self.assertEqual(out, {
            "AuthorizerId": out["AuthorizerId"],
            "AuthorizerType": "JWT",
            "IdentitySource": ["$request.header.Authorization"],
            "JwtConfiguration": {"Audience": ["123456abc"], "Issuer": ISSUER},
            "Name": "my-jwt-authorizer",
        })
        got = self.server.aws("get-authorizer", "--api-id", self.http,
                              "--authorizer-id", out["AuthorizerId"])
        self.assertEqual(got, out)

    def test_jwt_rules(self):
        self.bad(lambda: self.c.create_authorizer(
            ApiId=self.http, Name="j", AuthorizerType="JWT",
            IdentitySource=["$request.header.Authorization"]),
            "JwtConfiguration is a required parameter for JWT authorizer")
        self.bad(lambda: self.jwt(JwtConfiguration={"Audience": ["a"]}), "issuer")
        self.bad(lambda: self.jwt(JwtConfiguration={"Audience": ["a"],
                                                    "Issuer": "http://idp.example.com"}),
                 "https://")
        self.bad(lambda: self.jwt(JwtConfiguration={"Issuer": ISSUER}), "audience")
        self.bad(lambda: self.jwt(JwtConfiguration={"Issuer": ISSUER, "Audience": []}),
                 "audience")
        self.bad(lambda: self.jwt(IdentitySource=[]), "exactly one identitySource")
        self.bad(lambda: self.jwt(IdentitySource=["$request.header.A", "$request.header.B"]),
                 "exactly one identitySource")
        self.bad(lambda: self.jwt(IdentitySource=["$context.routeKey"]),
                 "exactly one identitySource")
        self.bad(lambda: self.jwt(AuthorizerUri=LAMBDA_URI), "authorizerUri")
        self.bad(lambda: self.jwt(AuthorizerCredentialsArn=ROLE), "authorizerCredentialsArn")
        self.bad(lambda: self.jwt(AuthorizerPayloadFormatVersion="2.0"),
                 "authorizerPayloadFormatVersion")
        self.bad(lambda: self.jwt(EnableSimpleResponses=True), "enableSimpleResponses")
        self.bad(lambda: self.jwt(AuthorizerResultTtlInSeconds=60),
                 "authorizerResultTtlInSeconds")
        r = self.jwt(IdentitySource=["$request.querystring.token"],
                     AuthorizerResultTtlInSeconds=0)
        self.assertEqual(r["IdentitySource"], ["$request.querystring.token"])

    def test_request_refuses_jwt_configuration(self):
        self.bad(lambda: self.http_request(JwtConfiguration={"Issuer": ISSUER,
                                                             "Audience": ["a"]}),
                 "jwtConfiguration is supported only for JWT authorizers")
        # {} is how Terraform says "none".
        r = self.http_request(JwtConfiguration={})
        self.assertNotIn("JwtConfiguration", r)

    # ---- read ----

    def test_get_and_not_found(self):
        r = self.ws_request(Name="to-get")
        got = self.c.get_authorizer(ApiId=self.ws, AuthorizerId=r["AuthorizerId"])
        self.assertEqual(got["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(self.body(got), self.body(r))
        err = self.assertAwsError(
            lambda: self.c.get_authorizer(ApiId=self.ws, AuthorizerId="zzzzzz"),
            "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], "Invalid Authorizer identifier specified zzzzzz")
        err = self.assertAwsError(
            lambda: self.c.get_authorizer(ApiId="nosuchapi0", AuthorizerId=r["AuthorizerId"]),
            "NotFoundException", 404)
        self.assertIn("Invalid API identifier specified", err["Error"]["Message"])
        # An authorizer is found only under its own API.
        self.assertAwsError(
            lambda: self.c.get_authorizer(ApiId=self.http, AuthorizerId=r["AuthorizerId"]),
            "NotFoundException", 404)

    def test_list_and_pagination(self):
        api = self.c.create_api(Name="paged", ProtocolType="WEBSOCKET",
                                RouteSelectionExpression="$request.body.action")["ApiId"]
        self.assertEqual(self.c.get_authorizers(ApiId=api)["Items"], [])
        ids = [self.ws_request(ApiId=api, Name="a%d" % i)["AuthorizerId"] for i in range(5)]
        page = self.c.get_authorizers(ApiId=api, MaxResults="2")
        self.assertEqual([a["AuthorizerId"] for a in page["Items"]], ids[:2])
        seen = [a["AuthorizerId"] for a in page["Items"]]
        while "NextToken" in page:
            page = self.c.get_authorizers(ApiId=api, MaxResults="2",
                                          NextToken=page["NextToken"])
            seen += [a["AuthorizerId"] for a in page["Items"]]
        self.assertEqual(seen, ids)
        pages = list(self.c.get_paginator("get_authorizers").paginate(
            ApiId=api, PaginationConfig={"PageSize": 3}))
        self.assertEqual([len(p["Items"]) for p in pages], [3, 2])
        out = self.server.aws("get-authorizers", "--api-id", api)
        self.assertEqual([a["AuthorizerId"] for a in out["Items"]], ids)
        self.bad(lambda: self.c.get_authorizers(ApiId=api, MaxResults="0"), "maxResults")
        self.bad(lambda: self.c.get_authorizers(ApiId=api, NextToken="forged"), "nextToken")
        self.assertAwsError(lambda: self.c.get_authorizers(ApiId="nosuchapi0"),
                            "NotFoundException", 404)

    # ---- update ----

    def test_update_partial(self):
        r = self.http_request(Name="before", EnableSimpleResponses=True)
        aid = r["AuthorizerId"]
        u = self.c.update_authorizer(ApiId=self.http, AuthorizerId=aid, Name="after",
                                     IdentitySource=["$request.header.X"],
                                     AuthorizerResultTtlInSeconds=60)
        self.assertEqual(u["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(u["Name"], "after")
        self.assertEqual(u["IdentitySource"], ["$request.header.X"])
        self.assertEqual(u["AuthorizerResultTtlInSeconds"], 60)
        self.assertEqual(u["AuthorizerUri"], LAMBDA_URI)
        self.assertIs(u["EnableSimpleResponses"], True)
        self.assertEqual(self.body(self.c.get_authorizer(ApiId=self.http, AuthorizerId=aid)),
                         self.body(u))

    def test_update_judges_the_whole_result(self):
        r = self.http_request(EnableSimpleResponses=True)
        aid = r["AuthorizerId"]
        self.bad(lambda: self.c.update_authorizer(ApiId=self.http, AuthorizerId=aid,
                                                  AuthorizerPayloadFormatVersion="1.0"),
                 "enableSimpleResponses")
        self.bad(lambda: self.c.update_authorizer(ApiId=self.http, AuthorizerId=aid,
                                                  IdentitySource=[],
                                                  AuthorizerResultTtlInSeconds=10),
                 "Identity source must be set")
        self.bad(lambda: self.c.update_authorizer(ApiId=self.http, AuthorizerId=aid,
                                                  AuthorizerUri="https://x"),
                 "Invalid authorizer URI")
        self.bad(lambda: self.raw.update_authorizer(ApiId=self.http, AuthorizerId=aid,
                                                    Name=""), "name")
        self.assertEqual(self.body(self.c.get_authorizer(ApiId=self.http, AuthorizerId=aid)),
                         self.body(r))

    def test_update_switches_type(self):
        r = self.http_request(EnableSimpleResponses=True, AuthorizerCredentialsArn=ROLE)
        aid = r["AuthorizerId"]
        u = self.c.update_authorizer(ApiId=self.http, AuthorizerId=aid, AuthorizerType="JWT",
                                     JwtConfiguration={"Audience": ["a"], "Issuer": ISSUER})
        self.assertEqual(self.body(u), {
            "AuthorizerId": aid, "AuthorizerType": "JWT",
            "IdentitySource": ["$request.header.Authorization"],
            "JwtConfiguration": {"Audience": ["a"], "Issuer": ISSUER},
            "Name": "lambda-auth",
        })
        self.bad(lambda: self.c.update_authorizer(ApiId=self.http, AuthorizerId=aid,
                                                  AuthorizerType="REQUEST"),
                 "AuthorizerPayloadFormatVersion is a required parameter")
        u = self.c.update_authorizer(ApiId=self.http, AuthorizerId=aid,
                                     AuthorizerType="REQUEST", AuthorizerUri=LAMBDA_URI,
                                     AuthorizerPayloadFormatVersion="1.0")
        self.assertEqual(self.body(u), {
            "AuthorizerId": aid, "AuthorizerPayloadFormatVersion": "1.0",
            "AuthorizerType": "REQUEST", "AuthorizerUri": LAMBDA_URI,
            "IdentitySource": ["$request.header.Authorization"], "Name": "lambda-auth",
        })
        # WebSocket APIs never take JWT, by update either.
        w = self.ws_request()["AuthorizerId"]
        self.bad(lambda: self.c.update_authorizer(ApiId=self.ws, AuthorizerId=w,
                                                  AuthorizerType="JWT"),
                 "JWT authorizers are supported only for HTTP APIs")

    def test_update_with_cli(self):
        aid = self.jwt()["AuthorizerId"]
        out = self.server.aws("update-authorizer", "--api-id", self.http, "--authorizer-id",
                              aid, "--identity-source", "$request.header.Authorization",
                              "--name", "renamed")
        self.assertEqual(out["Name"], "renamed")
        self.assertEqual(out["JwtConfiguration"], {"Audience": ["123456abc"], "Issuer": ISSUER})

    def test_update_not_found(self):
        err = self.assertAwsError(
            lambda: self.c.update_authorizer(ApiId=self.ws, AuthorizerId="zzzzzz", Name="n"),
            "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], "Invalid Authorizer identifier specified zzzzzz")

    # ---- delete ----

    def test_delete(self):
        aid = self.ws_request()["AuthorizerId"]
        r = self.c.delete_authorizer(ApiId=self.ws, AuthorizerId=aid)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertAwsError(lambda: self.c.get_authorizer(ApiId=self.ws, AuthorizerId=aid),
                            "NotFoundException", 404)
        self.assertAwsError(lambda: self.c.delete_authorizer(ApiId=self.ws, AuthorizerId=aid),
                            "NotFoundException", 404,
                            "Invalid Authorizer identifier specified " + aid)
        self.assertAwsError(lambda: self.c.delete_authorizer(ApiId="nosuchapi0",
                                                             AuthorizerId=aid),
                            "NotFoundException", 404, "Invalid API identifier specified")

    def test_delete_api_removes_authorizers(self):
        api = self.c.create_api(Name="gone", ProtocolType="HTTP")["ApiId"]
        aid = self.jwt(ApiId=api)["AuthorizerId"]
        self.c.delete_api(ApiId=api)
        self.assertAwsError(lambda: self.c.get_authorizer(ApiId=api, AuthorizerId=aid),
                            "NotFoundException", 404, "Invalid API identifier specified")

    def test_delete_refused_while_a_route_uses_it(self):
        auth = self.jwt(Name="in-use")["AuthorizerId"]
        other = self.jwt(Name="unused")["AuthorizerId"]
        route = self.c.create_route(ApiId=self.http, RouteKey="GET /private",
                                    AuthorizationType="JWT", AuthorizerId=auth)
        self.c.create_route(ApiId=self.http, RouteKey="GET /open")
        err = self.assertAwsError(
            lambda: self.c.delete_authorizer(ApiId=self.http, AuthorizerId=auth),
            "ConflictException", 409)
        self.assertEqual(err["Error"]["Message"],
                         "Cannot delete authorizer 'in-use', is referenced in route: GET /private")
        self.c.get_authorizer(ApiId=self.http, AuthorizerId=auth)
        # Other authorizers go freely; once the route lets go, so does this one.
        self.c.delete_authorizer(ApiId=self.http, AuthorizerId=other)
        self.c.delete_route(ApiId=self.http, RouteId=route["RouteId"])
        self.c.delete_authorizer(ApiId=self.http, AuthorizerId=auth)


if __name__ == "__main__":
    unittest.main()
