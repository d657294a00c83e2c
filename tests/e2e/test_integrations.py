"""Integrations (spec §5) through boto3: the defaults AWS fills in per protocol and type, every
rejection with the error name and status boto3 reports, and UpdateIntegration's PATCH rules.

Raw requests (server.http) check what boto3 cannot show: the exact set of members on the wire
(botocore silently ignores unknown ones) and malformed bodies.
"""
import unittest

from harness import TwoApisTestCase

LAMBDA_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:"
              "us-east-1:123456789012:function:fn/invocations")
LAMBDA_ARN = "arn:aws:lambda:us-east-1:123456789012:function:fn"
SQS_URI = "arn:aws:apigateway:us-east-1:sqs:path/123456789012/queue"
URL = "https://example.com/backend"

HTTP_ONLY_PROXY = ("Currently, an API with a protocol type of HTTP may only be associated with "
                   "proxy integrations (AWS_PROXY, HTTP_PROXY)")

# What each type needs on a WebSocket API, and what the answer must be beyond that
# (camelCase, exactly the members on the wire apart from integrationId). Spec §5 table.
WS_CASES = {
    "MOCK": ({}, {
        "connectionType": "INTERNET",
        "integrationResponseSelectionExpression": "${response.statuscode}",
        "passthroughBehavior": "WHEN_NO_MATCH",
        "timeoutInMillis": 29000}),
    "HTTP": ({"integrationUri": URL, "integrationMethod": "GET"}, {
        "connectionType": "INTERNET",
        "integrationResponseSelectionExpression": "${response.statuscode}",
        "passthroughBehavior": "WHEN_NO_MATCH",
        "timeoutInMillis": 29000}),
    "AWS": ({"integrationUri": SQS_URI}, {
        "connectionType": "INTERNET",
        "integrationMethod": "POST",
        "integrationResponseSelectionExpression": "${integration.response.body.errorMessage}",
        "passthroughBehavior": "WHEN_NO_MATCH",
        "timeoutInMillis": 29000}),
    "AWS_PROXY": ({"integrationUri": LAMBDA_URI}, {
        "connectionType": "INTERNET",
        "integrationMethod": "POST",
        "passthroughBehavior": "WHEN_NO_MATCH",
        "timeoutInMillis": 29000}),
    "HTTP_PROXY": ({"integrationUri": URL, "integrationMethod": "ANY"}, {
        "connectionType": "INTERNET",
        "passthroughBehavior": "WHEN_NO_MATCH",
        "timeoutInMillis": 29000}),
}

HTTP_CASES = {
    "AWS_PROXY": ({"integrationUri": LAMBDA_ARN, "payloadFormatVersion": "2.0"}, {
        "connectionType": "INTERNET",
        "integrationMethod": "POST",
        "timeoutInMillis": 30000}),
    "HTTP_PROXY": ({"integrationUri": URL, "integrationMethod": "ANY"}, {
        "connectionType": "INTERNET",
        "payloadFormatVersion": "1.0",
        "timeoutInMillis": 30000}),
}


def pascal(name):
    return name[0].upper() + name[1:]


def boto_args(members):
    """camelCase request members → boto3 keyword arguments."""
    return {pascal(k): v for k, v in members.items()}


def strip(resp):
    return {k: v for k, v in resp.items() if k != "ResponseMetadata"}


class IntegrationCase(TwoApisTestCase):
    """One WebSocket and one HTTP API shared by the tests of a class."""

    def api(self, proto):
        return self.ws if proto == "WEBSOCKET" else self.http

    def wire(self, api, integration_id):
        """The stored answer as it is on the wire (camelCase, every member)."""
        status, hdrs, body = self.server.http(
            "GET", "/v2/apis/%s/integrations/%s" % (api, integration_id))
        self.assertEqual(status, 200, body)
        return body

    def create(self, proto, itype, **kw):
        return self.c.create_integration(ApiId=self.api(proto), IntegrationType=itype, **kw)

    def assertBad(self, call, message=None):
        return self.assertAwsError(call, "BadRequestException", 400, message)


class DefaultsTest(IntegrationCase):

    def check_defaults(self, proto, cases):
        api = self.api(proto)
        for itype, (sent, defaults) in cases.items():
            with self.subTest(protocol=proto, type=itype):
                out = self.c.create_integration(ApiId=api, IntegrationType=itype,
                                                **boto_args(sent))
                self.assertRegex(out["IntegrationId"], r"^[a-z0-9]{7}$")
                want = dict(sent, integrationType=itype, **defaults)
                body = self.wire(api, out["IntegrationId"])
                self.assertEqual(body.pop("integrationId"), out["IntegrationId"])
                self.assertEqual(body, want)
                # boto3 sees the same members, no more.
                self.assertEqual(strip(out), dict(boto_args(want),
                                                  IntegrationId=out["IntegrationId"]))

    def test_websocket_defaults(self):
        self.check_defaults("WEBSOCKET", WS_CASES)

    def test_http_defaults(self):
        self.check_defaults("HTTP", HTTP_CASES)

    def test_http_lambda_uri_forms(self):
        for uri in (LAMBDA_ARN, LAMBDA_ARN + ":live", LAMBDA_URI):
            with self.subTest(uri=uri):
                out = self.create("HTTP", "AWS_PROXY", IntegrationUri=uri,
                                  PayloadFormatVersion="1.0")
                self.assertEqual(out["IntegrationUri"], uri)
                self.assertEqual(out["PayloadFormatVersion"], "1.0")

    def test_http_api_rejects_non_proxy_types(self):
        for itype, extra in (("MOCK", {}), ("HTTP", {"IntegrationUri": URL,
                                                     "IntegrationMethod": "GET"}),
                             ("AWS", {"IntegrationUri": SQS_URI})):
            with self.subTest(type=itype):
                err = self.assertBad(lambda: self.create("HTTP", itype, **extra))
                self.assertEqual(err["Error"]["Message"], HTTP_ONLY_PROXY)

    def test_http_api_drops_websocket_only_members(self):
        out = self.create("HTTP", "HTTP_PROXY", IntegrationUri=URL, IntegrationMethod="GET",
                          PassthroughBehavior="WHEN_NO_TEMPLATES",
                          RequestTemplates={"application/json": "{}"},
                          TemplateSelectionExpression="\\$default",
                          ContentHandlingStrategy="CONVERT_TO_TEXT")
        body = self.wire(self.http, out["IntegrationId"])
        for member in ("passthroughBehavior", "requestTemplates", "templateSelectionExpression",
                       "contentHandlingStrategy", "integrationResponseSelectionExpression"):
            self.assertNotIn(member, body)
            self.assertNotIn(pascal(member), out)

    def test_websocket_drops_http_only_members(self):
        out = self.create("WEBSOCKET", "MOCK",
                          ResponseParameters={"200": {"overwrite:statuscode": "204"}},
                          TlsConfig={"ServerNameToVerify": "example.com"})
        body = self.wire(self.ws, out["IntegrationId"])
        self.assertNotIn("responseParameters", body)
        self.assertNotIn("tlsConfig", body)

    def test_client_values_stored_as_sent(self):
        # IRSE is not in the SDK's CreateIntegration input; a raw request may still send it.
        status, _, out = self.server.http("POST", "/v2/apis/%s/integrations" % self.ws, {
            "integrationType": "MOCK", "integrationResponseSelectionExpression": "$default",
            "templateSelectionExpression": "\\$default", "passthroughBehavior": "NEVER",
            "contentHandlingStrategy": "CONVERT_TO_TEXT", "description": "d",
            "timeoutInMillis": 1234,
            "requestParameters": {"integration.request.header.x-id": "route.request.header.id"}})
        self.assertEqual(status, 201, out)
        body = self.wire(self.ws, out["integrationId"])
        self.assertEqual(body, out)
        self.assertEqual(body["integrationResponseSelectionExpression"], "$default")
        self.assertEqual(body["templateSelectionExpression"], "\\$default")
        self.assertEqual(body["passthroughBehavior"], "NEVER")
        self.assertEqual(body["contentHandlingStrategy"], "CONVERT_TO_TEXT")
        self.assertEqual(body["description"], "d")
        self.assertEqual(body["timeoutInMillis"], 1234)
        self.assertEqual(body["requestParameters"],
                         {"integration.request.header.x-id": "route.request.header.id"})

    def test_vpc_link_with_stage_variable(self):
        out = self.create("WEBSOCKET", "HTTP_PROXY", IntegrationUri=URL, IntegrationMethod="GET",
                          ConnectionType="VPC_LINK",
                          ConnectionId="${stageVariables.vpcLinkId}")
        self.assertEqual(out["ConnectionType"], "VPC_LINK")
        self.assertEqual(out["ConnectionId"], "${stageVariables.vpcLinkId}")
        out = self.create("HTTP", "HTTP_PROXY", ConnectionType="VPC_LINK", ConnectionId="abc123",
                          IntegrationMethod="ANY",
                          IntegrationUri="arn:aws:elasticloadbalancing:us-east-1:123456789012:"
                                         "listener/app/lb/50dc6c495c0c9188/0467ef3c8400ae65",
                          TlsConfig={"ServerNameToVerify": "example.com"})
        self.assertEqual(out["TlsConfig"], {"ServerNameToVerify": "example.com"})

    def test_websocket_payload_format_version(self):
        out = self.create("WEBSOCKET", "AWS_PROXY", IntegrationUri=LAMBDA_URI,
                          PayloadFormatVersion="1.0")
        self.assertEqual(out["PayloadFormatVersion"], "1.0")
        self.assertBad(lambda: self.create("WEBSOCKET", "AWS_PROXY", IntegrationUri=LAMBDA_URI,
                                           PayloadFormatVersion="2.0"), "payloadFormatVersion")


class ValidationTest(IntegrationCase):

    def test_timeouts(self):
        table = [
            ("WEBSOCKET", 49, False), ("WEBSOCKET", 50, True), ("WEBSOCKET", 29000, True),
            ("WEBSOCKET", 29001, False), ("WEBSOCKET", 30000, False),
            ("WEBSOCKET", 30001, False),
            ("HTTP", 49, False), ("HTTP", 50, True), ("HTTP", 29000, True),
            ("HTTP", 29001, True), ("HTTP", 30000, True), ("HTTP", 30001, False),
        ]
        for proto, timeout, ok in table:
            with self.subTest(protocol=proto, timeout=timeout):
                # botocore itself refuses < 50: the server must refuse it too.
                call = lambda: self.raw.create_integration(
                    ApiId=self.api(proto), IntegrationType="HTTP_PROXY", IntegrationUri=URL,
                    IntegrationMethod="GET", TimeoutInMillis=timeout)
                if ok:
                    out = call()
                    self.assertEqual(out["TimeoutInMillis"], timeout)
                    self.assertEqual(self.wire(self.api(proto),
                                               out["IntegrationId"])["timeoutInMillis"], timeout)
                else:
                    self.assertBad(call, "Invalid value for timeoutInMillis: %d. Must be between "
                                         "50 and %d for %s APIs"
                                   % (timeout, 29000 if proto == "WEBSOCKET" else 30000, proto))

    def test_botocore_refuses_small_timeouts_itself(self):
        from botocore.exceptions import ParamValidationError
        with self.assertRaises(ParamValidationError):
            self.create("WEBSOCKET", "MOCK", TimeoutInMillis=49)

    def test_unknown_enums(self):
        for proto in ("WEBSOCKET", "HTTP"):
            cases = [
                ({"IntegrationType": "LAMBDA"}, "integrationType"),
                ({"IntegrationType": "mock"}, "integrationType"),
                ({"IntegrationType": "HTTP_PROXY", "IntegrationUri": URL,
                  "IntegrationMethod": "GET", "ConnectionType": "PRIVATE"}, "connectionType"),
                ({"IntegrationType": "HTTP_PROXY", "IntegrationUri": URL,
                  "IntegrationMethod": "GET", "PassthroughBehavior": "ALWAYS"},
                 "passthroughBehavior"),
                ({"IntegrationType": "HTTP_PROXY", "IntegrationUri": URL,
                  "IntegrationMethod": "GET", "ContentHandlingStrategy": "CONVERT_TO_JSON"},
                 "contentHandlingStrategy"),
            ]
            for kw, member in cases:
                with self.subTest(protocol=proto, member=member, value=kw):
                    self.assertBad(lambda: self.raw.create_integration(ApiId=self.api(proto),
                                                                       **kw),
                                   "Invalid value for %s" % member)

    def test_missing_members(self):
        cases = [
            ("WEBSOCKET", {"IntegrationType": "HTTP", "IntegrationMethod": "GET"},
             "integrationUri"),
            ("WEBSOCKET", {"IntegrationType": "HTTP_PROXY", "IntegrationMethod": "GET"},
             "integrationUri"),
            ("WEBSOCKET", {"IntegrationType": "AWS"}, "integrationUri"),
            ("WEBSOCKET", {"IntegrationType": "AWS_PROXY"}, "integrationUri"),
            ("WEBSOCKET", {"IntegrationType": "HTTP", "IntegrationUri": URL},
             "integrationMethod"),
            ("WEBSOCKET", {"IntegrationType": "HTTP_PROXY", "IntegrationUri": URL},
             "integrationMethod"),
            ("WEBSOCKET", {"IntegrationType": "HTTP_PROXY", "IntegrationUri": URL,
                           "IntegrationMethod": "GET", "ConnectionType": "VPC_LINK"},
             "connectionId"),
            ("HTTP", {"IntegrationType": "AWS_PROXY", "PayloadFormatVersion": "2.0"},
             "integrationUri"),
            ("HTTP", {"IntegrationType": "HTTP_PROXY", "IntegrationUri": URL},
             "integrationMethod"),
            ("HTTP", {"IntegrationType": "HTTP_PROXY", "IntegrationUri": URL,
                      "IntegrationMethod": "ANY", "ConnectionType": "VPC_LINK"},
             "connectionId"),
            ("HTTP", {"IntegrationType": "AWS_PROXY", "IntegrationUri": LAMBDA_ARN},
             "payloadFormatVersion"),
        ]
        for proto, kw, member in cases:
            with self.subTest(protocol=proto, missing=member):
                self.assertBad(lambda: self.c.create_integration(ApiId=self.api(proto), **kw),
                               member)
        # integrationType itself: boto3 refuses locally, the server refuses too.
        status, hdrs, body = self.server.http("POST", "/v2/apis/%s/integrations" % self.ws, {})
        self.assertEqual(status, 400)
        self.assertEqual(hdrs["x-amzn-errortype"], "BadRequestException")
        self.assertIn("integrationType", body["message"])

    def test_forbidden_combinations(self):
        cases = [
            ("WEBSOCKET", {"IntegrationType": "AWS_PROXY", "IntegrationUri": LAMBDA_URI,
                           "IntegrationMethod": "GET"},
             "HttpMethod must be POST for AWS_PROXY IntegrationType"),
            ("HTTP", {"IntegrationType": "AWS_PROXY", "IntegrationUri": LAMBDA_ARN,
                      "IntegrationMethod": "GET", "PayloadFormatVersion": "2.0"},
             "HttpMethod must be POST for AWS_PROXY IntegrationType"),
            ("HTTP", {"IntegrationType": "HTTP_PROXY", "IntegrationUri": URL,
                      "IntegrationMethod": "ANY", "PayloadFormatVersion": "2.0"},
             "payloadFormatVersion"),
            ("HTTP", {"IntegrationType": "AWS_PROXY", "IntegrationUri": LAMBDA_ARN,
                      "PayloadFormatVersion": "3.0"}, "payloadFormatVersion"),
            ("WEBSOCKET", {"IntegrationType": "HTTP", "IntegrationUri": "ftp://example.com",
                           "IntegrationMethod": "GET"}, "integration URI"),
            ("WEBSOCKET", {"IntegrationType": "AWS", "IntegrationUri": "not-an-arn"},
             "integration URI"),
            ("WEBSOCKET", {"IntegrationType": "MOCK", "CredentialsArn": "role"},
             "credentialsArn"),
            ("WEBSOCKET", {"IntegrationType": "MOCK",
                           "RequestParameters": {"bad.key": "route.request.header.x"}},
             "requestParameters"),
            ("HTTP", {"IntegrationType": "HTTP_PROXY", "IntegrationUri": URL,
                      "IntegrationMethod": "ANY",
                      "ResponseParameters": {"100": {"overwrite:statuscode": "204"}}},
             "responseParameters"),
        ]
        for proto, kw, message in cases:
            with self.subTest(protocol=proto, kw=kw):
                self.assertBad(lambda: self.c.create_integration(ApiId=self.api(proto), **kw),
                               message)

    def test_mock_on_http_api_message(self):
        err = self.assertBad(lambda: self.create("HTTP", "MOCK"))
        self.assertEqual(err["Error"]["Message"], HTTP_ONLY_PROXY)

    def test_unknown_api(self):
        err = self.assertAwsError(
            lambda: self.c.create_integration(ApiId="nosuchapi0", IntegrationType="MOCK"),
            "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid API identifier specified 000000000000:nosuchapi0")
        self.assertEqual(err.get("ResourceType", err["Error"].get("ResourceType")), "Api")
        for call in (lambda: self.c.get_integrations(ApiId="nosuchapi0"),
                     lambda: self.c.get_integration(ApiId="nosuchapi0", IntegrationId="abc"),
                     lambda: self.c.update_integration(ApiId="nosuchapi0", IntegrationId="abc",
                                                       Description="x"),
                     lambda: self.c.delete_integration(ApiId="nosuchapi0", IntegrationId="abc")):
            err = self.assertAwsError(call, "NotFoundException", 404)
            self.assertEqual(err["Error"]["Message"],
                             "Invalid API identifier specified 000000000000:nosuchapi0")

    def test_string_lengths(self):
        base = dict(IntegrationType="HTTP_PROXY", IntegrationMethod="GET")
        # At the limits: accepted (AWS counts characters, not bytes).
        out = self.c.create_integration(ApiId=self.ws, IntegrationUri=URL, Description="d" * 1024,
                                        **base)
        self.assertEqual(len(out["Description"]), 1024)
        out = self.c.create_integration(ApiId=self.ws, IntegrationUri=URL,
                                        Description="\u00e9" * 1024, **base)
        self.assertEqual(out["Description"], "\u00e9" * 1024)
        uri = URL + "/" + "a" * (2048 - len(URL) - 1)
        out = self.c.create_integration(ApiId=self.ws, IntegrationUri=uri, **base)
        self.assertEqual(out["IntegrationUri"], uri)
        # One over: refused.
        self.assertBad(lambda: self.c.create_integration(
            ApiId=self.ws, IntegrationUri=URL, Description="d" * 1025, **base), "description")
        self.assertBad(lambda: self.c.create_integration(
            ApiId=self.ws, IntegrationUri=uri + "a", **base), "integrationUri")
        self.assertBad(lambda: self.c.create_integration(
            ApiId=self.ws, IntegrationUri=URL, IntegrationMethod="G" * 65,
            IntegrationType="HTTP_PROXY"), "integrationMethod")
        self.assertBad(lambda: self.c.create_integration(
            ApiId=self.ws, IntegrationUri=URL, ConnectionType="VPC_LINK",
            ConnectionId="c" * 1025, **base), "connectionId")
        self.assertBad(lambda: self.c.create_integration(
            ApiId=self.ws, IntegrationType="MOCK",
            RequestTemplates={"application/json": "t" * 32769}), "requestTemplates")

    def raw_post(self, body):
        return self.server.http("POST", "/v2/apis/%s/integrations" % self.ws, body)

    def test_invalid_json(self):
        for body in (b"{", b"{\"integrationType\": \"MOCK\",}", b"MOCK", b"null",
                     b"{\"integrationType\": \"MOCK\", \"integrationType\": \"HTTP\"}",
                     b"\xff\xfe{}", b"{\"integrationType\": \"MO\\u0000CK\"}",
                     b"{\"timeoutInMillis\": 99999999999999999999999}"):
            with self.subTest(body=body):
                status, hdrs, out = self.raw_post(body)
                self.assertEqual(status, 400, out)
                self.assertEqual(hdrs["x-amzn-errortype"], "BadRequestException")
                self.assertIsInstance(out["message"], str)

    def test_wrong_json_types(self):
        cases = [
            ([], "expected a JSON object"),
            ([{"integrationType": "MOCK"}], "expected a JSON object"),
            ({"integrationType": 5}, "integrationType"),
            ({"integrationType": None}, "integrationType"),
            ({"integrationType": "MOCK", "timeoutInMillis": "29000"}, "timeoutInMillis"),
            ({"integrationType": "MOCK", "timeoutInMillis": 1000.5}, "timeoutInMillis"),
            ({"integrationType": "MOCK", "timeoutInMillis": True}, "timeoutInMillis"),
            ({"integrationType": "MOCK", "description": 7}, "description"),
            ({"integrationType": "MOCK", "requestTemplates": ["a"]}, "requestTemplates"),
            ({"integrationType": "MOCK", "requestTemplates": {"a": 1}}, "requestTemplates"),
            ({"integrationType": "MOCK", "requestParameters": "x"}, "requestParameters"),
            ({"integrationType": "MOCK", "responseParameters": {"200": "x"}},
             "responseParameters"),
            ({"integrationType": "MOCK", "tlsConfig": "x"}, "tlsConfig"),
            ({"integrationType": "MOCK", "tlsConfig": {"serverNameToVerify": 1}}, "tlsConfig"),
        ]
        for body, member in cases:
            with self.subTest(body=body):
                status, hdrs, out = self.raw_post(body)
                self.assertEqual(status, 400, out)
                self.assertEqual(hdrs["x-amzn-errortype"], "BadRequestException")
                self.assertIn(member, out["message"])
        # A message quoting the request keeps its words even when its length limit cuts a
        # character in half.
        for body, start in (({"integrationType": "HTTP", "integrationMethod": "GET",
                              "integrationUri": "a" + "\u00e9" * 300},
                             "Invalid integration URI specified: a\u00e9"),
                            ({"integrationType": "MOCK", "passthroughBehavior": "a" + "\u00e9" * 300},
                             "Invalid value for passthroughBehavior: a\u00e9")):
            with self.subTest(body=str(body)[:60]):
                status, hdrs, out = self.raw_post(body)
                self.assertEqual(status, 400, out)
                self.assertTrue(out["message"].startswith(start), out["message"])
        # Unknown members are ignored, as AWS's JSON binding does.
        status, _, out = self.raw_post({"integrationType": "MOCK", "bogus": 1})
        self.assertEqual(status, 201, out)
        self.assertNotIn("bogus", out)
        # Server-assigned members are never taken from the request.
        status, _, out = self.raw_post({"integrationType": "MOCK", "integrationId": "aaaaaaa",
                                        "apiGatewayManaged": True})
        self.assertEqual(status, 201, out)
        self.assertNotEqual(out["integrationId"], "aaaaaaa")
        self.assertNotIn("apiGatewayManaged", out)
        status, _, patched = self.server.http(
            "PATCH", "/v2/apis/%s/integrations/%s" % (self.ws, out["integrationId"]),
            {"integrationId": "bbbbbbb", "apiGatewayManaged": True})
        self.assertEqual((status, patched), (200, out))


class UpdateTest(IntegrationCase):

    def update(self, proto, iid, **kw):
        return self.c.update_integration(ApiId=self.api(proto), IntegrationId=iid, **kw)

    def test_omitted_members_kept(self):
        iid = self.create("WEBSOCKET", "HTTP", IntegrationUri=URL, IntegrationMethod="GET",
                          Description="first", TimeoutInMillis=1000)["IntegrationId"]
        before = self.wire(self.ws, iid)
        out = self.update("WEBSOCKET", iid, Description="second")
        after = self.wire(self.ws, iid)
        self.assertEqual(after, dict(before, description="second"))
        self.assertEqual(strip(out), boto_args(after))
        # An empty update changes nothing.
        status, _, body = self.server.http(
            "PATCH", "/v2/apis/%s/integrations/%s" % (self.ws, iid), {})
        self.assertEqual(status, 200)
        self.assertEqual(body, after)
        # "" clears a string and is returned as "".
        self.assertEqual(self.update("WEBSOCKET", iid, Description="")["Description"], "")

    def test_maps_merge_key_by_key(self):
        iid = self.create("WEBSOCKET", "MOCK",
                          RequestTemplates={"application/json": "A", "text/plain": "B"},
                          RequestParameters={"integration.request.header.a": "'1'",
                                             "integration.request.header.b": "'2'"}
                          )["IntegrationId"]
        out = self.update("WEBSOCKET", iid,
                          RequestTemplates={"text/plain": "", "application/xml": "C"},
                          RequestParameters={"integration.request.header.a": "",
                                             "integration.request.querystring.c": "'3'"})
        self.assertEqual(out["RequestTemplates"], {"application/json": "A",
                                                   "application/xml": "C"})
        self.assertEqual(out["RequestParameters"], {"integration.request.header.b": "'2'",
                                                    "integration.request.querystring.c": "'3'"})
        self.assertEqual(self.wire(self.ws, iid)["requestTemplates"],
                         {"application/json": "A", "application/xml": "C"})
        # Changing a value in place.
        out = self.update("WEBSOCKET", iid, RequestTemplates={"application/json": "A2"})
        self.assertEqual(out["RequestTemplates"], {"application/json": "A2",
                                                   "application/xml": "C"})
        # Deleting every key removes the member.
        out = self.update("WEBSOCKET", iid, RequestTemplates={"application/json": "",
                                                              "application/xml": ""})
        self.assertNotIn("RequestTemplates", out)
        self.assertNotIn("requestTemplates", self.wire(self.ws, iid))

    def test_response_parameters_merge_on_http(self):
        iid = self.create("HTTP", "HTTP_PROXY", IntegrationUri=URL, IntegrationMethod="ANY",
                          ResponseParameters={"200": {"overwrite:header.a": "x"},
                                              "404": {"overwrite:statuscode": "204"}}
                          )["IntegrationId"]
        out = self.update("HTTP", iid, ResponseParameters={"404": {},
                                                           "500": {"append:header.b": "y"}})
        self.assertEqual(out["ResponseParameters"], {"200": {"overwrite:header.a": "x"},
                                                     "500": {"append:header.b": "y"}})

    def test_merged_result_validated(self):
        iid = self.create("WEBSOCKET", "MOCK", TimeoutInMillis=5000)["IntegrationId"]
        before = self.wire(self.ws, iid)
        self.assertBad(lambda: self.update("WEBSOCKET", iid, TimeoutInMillis=29001),
                       "Must be between 50 and 29000 for WEBSOCKET APIs")
        self.assertBad(lambda: self.update("WEBSOCKET", iid, IntegrationType="HTTP"),
                       "integrationUri")
        self.assertBad(lambda: self.update("WEBSOCKET", iid, IntegrationType="HTTP",
                                           IntegrationUri=URL), "integrationMethod")
        self.assertBad(lambda: self.update("WEBSOCKET", iid, ConnectionType="VPC_LINK"),
                       "connectionId")
        self.assertBad(lambda: self.raw.update_integration(ApiId=self.ws, IntegrationId=iid,
                                                           TimeoutInMillis=49))
        self.assertBad(lambda: self.raw.update_integration(ApiId=self.ws, IntegrationId=iid,
                                                           IntegrationType="SOAP"),
                       "integrationType")
        self.assertBad(lambda: self.update("WEBSOCKET", iid, Description="d" * 1025),
                       "description")
        self.assertEqual(self.wire(self.ws, iid), before)
        # A full re-send of what is stored always works (Terraform does this).
        out = self.update("WEBSOCKET", iid, **boto_args({
            k: v for k, v in before.items()
            if k not in ("integrationId", "integrationResponseSelectionExpression")}))
        self.assertEqual(strip(out), boto_args(before))
        # HTTP APIs: the wider limit, and the proxy-only rule on update.
        hid = self.create("HTTP", "HTTP_PROXY", IntegrationUri=URL,
                          IntegrationMethod="ANY")["IntegrationId"]
        self.assertEqual(self.update("HTTP", hid, TimeoutInMillis=29001)["TimeoutInMillis"],
                         29001)
        self.assertBad(lambda: self.update("HTTP", hid, TimeoutInMillis=30001),
                       "Must be between 50 and 30000 for HTTP APIs")
        err = self.assertBad(lambda: self.update("HTTP", hid, IntegrationType="MOCK"))
        self.assertEqual(err["Error"]["Message"], HTTP_ONLY_PROXY)
        self.assertEqual(self.wire(self.http, hid)["timeoutInMillis"], 29001)

    def test_type_change_rederives_defaults(self):
        iid = self.create("WEBSOCKET", "MOCK")["IntegrationId"]
        body = self.wire(self.ws, iid)
        self.assertEqual(body["integrationResponseSelectionExpression"], "${response.statuscode}")
        self.assertNotIn("integrationMethod", body)
        out = self.update("WEBSOCKET", iid, IntegrationType="AWS_PROXY",
                          IntegrationUri=LAMBDA_URI)
        body = self.wire(self.ws, iid)
        self.assertEqual(body, {"integrationId": iid, "integrationType": "AWS_PROXY",
                                "connectionType": "INTERNET", "integrationMethod": "POST",
                                "integrationUri": LAMBDA_URI,
                                "passthroughBehavior": "WHEN_NO_MATCH",
                                "timeoutInMillis": 29000})
        self.assertEqual(strip(out), boto_args(body))
        # AWS: the AWS IRSE appears; back to MOCK: POST goes, MOCK's IRSE returns.
        out = self.update("WEBSOCKET", iid, IntegrationType="AWS", IntegrationUri=SQS_URI)
        self.assertEqual(out["IntegrationResponseSelectionExpression"],
                         "${integration.response.body.errorMessage}")
        self.assertEqual(out["IntegrationMethod"], "POST")
        out = self.update("WEBSOCKET", iid, IntegrationType="MOCK")
        self.assertNotIn("IntegrationMethod", out)
        self.assertEqual(out["IntegrationResponseSelectionExpression"], "${response.statuscode}")
        # What the client set survives a type change.
        status, _, out = self.server.http("POST", "/v2/apis/%s/integrations" % self.ws, {
            "integrationType": "MOCK", "timeoutInMillis": 777,
            "integrationResponseSelectionExpression": "$default"})
        iid = out["integrationId"]
        out = self.update("WEBSOCKET", iid, IntegrationType="AWS_PROXY",
                          IntegrationUri=LAMBDA_URI)
        self.assertEqual(out["TimeoutInMillis"], 777)
        self.assertEqual(out["IntegrationResponseSelectionExpression"], "$default")

    def test_http_api_drops_websocket_members_on_update(self):
        iid = self.create("HTTP", "HTTP_PROXY", IntegrationUri=URL,
                          IntegrationMethod="ANY")["IntegrationId"]
        before = self.wire(self.http, iid)
        out = self.update("HTTP", iid, PassthroughBehavior="NEVER",
                          RequestTemplates={"application/json": "{}"},
                          TemplateSelectionExpression="\\$default",
                          ContentHandlingStrategy="CONVERT_TO_BINARY")
        self.assertEqual(strip(out), boto_args(before))
        self.assertEqual(self.wire(self.http, iid), before)

    def test_unknown_integration(self):
        for call, op in ((lambda: self.update("WEBSOCKET", "zzzzzzz", Description="x"), "update"),
                         (lambda: self.c.delete_integration(ApiId=self.ws,
                                                            IntegrationId="zzzzzzz"), "delete"),
                         (lambda: self.c.get_integration(ApiId=self.ws,
                                                         IntegrationId="zzzzzzz"), "get")):
            with self.subTest(op=op):
                err = self.assertAwsError(call, "NotFoundException", 404)
                self.assertEqual(err["Error"]["Message"],
                                 "Invalid Integration identifier specified zzzzzzz")

    def test_integration_of_another_api_is_unknown(self):
        iid = self.create("WEBSOCKET", "MOCK")["IntegrationId"]
        self.assertAwsError(lambda: self.c.get_integration(ApiId=self.http, IntegrationId=iid),
                            "NotFoundException", 404)
        self.assertAwsError(lambda: self.c.delete_integration(ApiId=self.http,
                                                              IntegrationId=iid),
                            "NotFoundException", 404)
        self.assertEqual(self.wire(self.ws, iid)["integrationId"], iid)

    def test_delete_referenced_by_routes(self):
        iid = self.create("WEBSOCKET", "MOCK")["IntegrationId"]
        routes = [self.c.create_route(ApiId=self.ws, RouteKey=key,
                                      Target="integrations/" + iid)["RouteId"]
                  for key in ("ref-a", "ref-b")]
        err = self.assertAwsError(lambda: self.c.delete_integration(ApiId=self.ws,
                                                                    IntegrationId=iid),
                                  "ConflictException", 409)
        self.assertEqual(err["Error"]["Message"],
                         "Cannot delete Integration because it is referenced by the following "
                         "Routes with Ids: [%s]" % ", ".join(routes))
        self.assertEqual(self.wire(self.ws, iid)["integrationId"], iid)
        for rid in routes:
            self.c.delete_route(ApiId=self.ws, RouteId=rid)
        self.c.delete_integration(ApiId=self.ws, IntegrationId=iid)
        self.assertEqual(self.server.http("GET", "/v2/apis/%s/integrations/%s"
                                          % (self.ws, iid))[0], 404)

    def test_delete_twice(self):
        iid = self.create("WEBSOCKET", "MOCK")["IntegrationId"]
        resp = self.c.delete_integration(ApiId=self.ws, IntegrationId=iid)
        self.assertEqual(resp["ResponseMetadata"]["HTTPStatusCode"], 204)
        err = self.assertAwsError(lambda: self.c.delete_integration(ApiId=self.ws,
                                                                    IntegrationId=iid),
                                  "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], "Invalid Integration identifier specified " + iid)
        ids = [i["IntegrationId"] for i in self.c.get_integrations(ApiId=self.ws)["Items"]]
        self.assertNotIn(iid, ids)
        # A deleted id is never handed out again (ids are claimed for good).
        status, _, _ = self.server.http("GET", "/v2/apis/%s/integrations/%s" % (self.ws, iid))
        self.assertEqual(status, 404)


if __name__ == "__main__":
    unittest.main()
