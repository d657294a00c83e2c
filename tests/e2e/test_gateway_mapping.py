"""The integration request, executed (docs/aws-behaviour.md §D4.4-§D7; docs/gateway.md "Mapping
templates"): request templates chosen by template selection expressions, passthrough
behaviours, MOCK answered from its template, HTTP backends receiving the transformed body, AWS
integrations landing in moto_server's DynamoDB and SQS, Lambda custom integrations, integration
responses chosen by /regex/ or $default and rendered by their own templates, one-way and two-way
routes side by side — all driven by real WebSocket clients against the real gateway."""
import json
import os
import re
import shutil
import socket
import subprocess
import time
import unittest

import boto3

from gateway_harness import Client, Gateway, Loop, connect_status, wait_for
from harness import Server
from lambda_stub import Backend, LambdaStub

FRAME = (r'^\{"message": "%s", "connectionId":"([A-Za-z0-9_-]{15}=)", '
         r'"requestId":"([A-Za-z0-9_-]{15}=)"\}$')
ACCOUNT = "123456789012"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Moto:
    """moto_server on a free loopback port: the real peer for AWS service integrations."""

    def __init__(self):
        self.port = free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.log = open(os.devnull, "w")
        self.proc = subprocess.Popen([shutil.which("moto_server"), "-H", "127.0.0.1", "-p",
                                      str(self.port)], stdout=self.log, stderr=self.log)
        wait_for(self._up, what="moto_server")

    def _up(self):
        try:
            socket.create_connection(("127.0.0.1", self.port), 0.2).close()
            return True
        except OSError:
            return False

    def client(self, service):
        return boto3.client(service, endpoint_url=self.url, region_name="us-east-1",
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    def close(self):
        self.proc.terminate()
        self.proc.wait(10)
        self.log.close()


class MappingTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.c = cls.server.client()
        cls.lam = LambdaStub()
        cls.be = Backend()
        cls.moto = Moto()  # the machine's moto_server: the peer for AWS integrations
        # AWS integrations are signed with the usual variables (moto routes by the signature).
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
        args = ["--lambda-endpoint", cls.lam.url, "--aws-endpoint", cls.moto.url]
        cls.gw = Gateway(cls.server.url, args).start()
        cls.loop = Loop()

    @classmethod
    def tearDownClass(cls):
        cls.gw.close()
        cls.loop.close()
        cls.lam.close()
        cls.be.close()
        cls.moto.close()
        cls.server.close()

    def api(self, rse="$request.body.action"):
        return self.c.create_api(Name="map", ProtocolType="WEBSOCKET",
                                 RouteSelectionExpression=rse)["ApiId"]

    def route(self, api, key, integration, responses=None, two_way=True):
        """A route to a new integration (kwargs of CreateIntegration); responses: {key:
        kwargs of CreateIntegrationResponse}. Two-way routes get the $default route response."""
        iid = self.c.create_integration(ApiId=api, **integration)["IntegrationId"]
        for k, kw in (responses or {}).items():
            self.c.create_integration_response(ApiId=api, IntegrationId=iid,
                                               IntegrationResponseKey=k, **kw)
        kw = {"RouteResponseSelectionExpression": "$default"} if two_way else {}
        rid = self.c.create_route(ApiId=api, RouteKey=key, Target="integrations/" + iid,
                                  **kw)["RouteId"]
        if two_way:
            self.c.create_route_response(ApiId=api, RouteId=rid, RouteResponseKey="$default")
        return iid

    def deploy(self, api, stage="prod", variables=None):
        self.c.create_stage(ApiId=api, StageName=stage, StageVariables=variables or {})
        self.c.create_deployment(ApiId=api, StageName=stage)
        wait_for(lambda: connect_status(self.loop, self.gw.ws_url(api, stage)) == 101,
                 what="stage served\n" + self.gw.logs())
        return Client(self.loop, self.gw.ws_url(api, stage))


class TestMock(MappingTest):
    def test_seed_mock_integration_answers_ping_without_backend(self):
        """The seed's MOCK integration, created with its own integration-params.json through
        the aws CLI: requestTemplates application/json {"statusCode":200} (no selection
        expression), integration response $default, route response: the keep-alive users ask
        for, with no backend at all (§D4.4, §D5, §D6)."""
        api = self.api()
        params = os.path.join(self.server.tmp, "integration-params.json")
        with open(params, "w") as f:
            f.write('{"PassthroughBehavior": "WHEN_NO_MATCH", "TimeoutInMillis": 29000, '
                    '"ConnectionType": "INTERNET", "RequestTemplates": {"application/json": '
                    '"{\\"statusCode\\":200}"}, "IntegrationType": "MOCK"}')
        out = self.server.aws("--region", "us-east-1", "create-integration",
                              "--api-id", api, "--cli-input-json", "file://" + params)
        iid = out["IntegrationId"]
        self.assertEqual(out["IntegrationResponseSelectionExpression"], "${response.statuscode}")
        self.c.create_integration_response(
            ApiId=api, IntegrationId=iid, IntegrationResponseKey="$default",
            TemplateSelectionExpression="\\$default",
            ResponseTemplates={"$default": '{"type":"pong","id":"$context.connectionId"}'})
        rid = self.c.create_route(ApiId=api, RouteKey="ping", Target="integrations/" + iid,
                                  RouteResponseSelectionExpression="$default")["RouteId"]
        self.c.create_route_response(ApiId=api, RouteId=rid, RouteResponseKey="$default")
        # The same integration request without a response template: the frame is the
        # integration's output, which for MOCK is the request template's (§D4.4).
        self.route(api, "raw", dict(IntegrationType="MOCK",
                                    RequestTemplates={"application/json": '{"statusCode":200}'}),
                   {"$default": {}})
        ws = self.deploy(api)
        pong = json.loads(ws.ask('{"action":"ping"}'))
        self.assertEqual(pong["type"], "pong")
        self.assertRegex(pong["id"], r"^[A-Za-z0-9_-]{15}=$")
        self.assertEqual(ws.ask('{"action":"raw"}'), '{"statusCode":200}')
        ws.close()

    def test_template_selection_expression_chooses_template(self):
        """§D5: ${request.body.kind} picks among requestTemplates; an unknown key falls back
        to $default; $input.json / $input.path / $util render as AWS does."""
        api = self.api()
        self.route(api, "sel", dict(
            IntegrationType="MOCK", TemplateSelectionExpression="${request.body.kind}",
            RequestTemplates={
                "a": "A:$input.json('$.v')",
                "b": "B:$input.path('$.v').size() #foreach($x in $input.path('$.v'))$x;#end",
                "$default": "D:$util.urlEncode($input.path('$.text'))"}),
            {"$default": {}})
        ws = self.deploy(api)
        self.assertEqual(ws.ask('{"action":"sel","kind":"a","v":{"k":[1,"two"]}}'),
                         'A:{"k":[1,"two"]}')
        self.assertEqual(ws.ask('{"action":"sel","kind":"b","v":[3,4]}'), "B:2 3;4;")
        self.assertEqual(ws.ask('{"action":"sel","kind":"zzz","text":"a b&c"}'), "D:a+b%26c")
        ws.close()

    def test_passthrough_behaviors(self):
        """§D5: WHEN_NO_MATCH forwards the frame unchanged; WHEN_NO_TEMPLATES forwards only when
        there are no templates; NEVER refuses: the Unsupported Media Type frame."""
        api = self.api()
        sel = "${request.body.kind}"
        self.route(api, "match", dict(IntegrationType="MOCK", TemplateSelectionExpression=sel,
                                      PassthroughBehavior="WHEN_NO_MATCH",
                                      RequestTemplates={"x": "X"}), {"$default": {}})
        self.route(api, "notemplates", dict(IntegrationType="MOCK",
                                            TemplateSelectionExpression=sel,
                                            PassthroughBehavior="WHEN_NO_TEMPLATES",
                                            RequestTemplates={"x": "X"}), {"$default": {}})
        self.route(api, "none", dict(IntegrationType="MOCK",
                                     PassthroughBehavior="WHEN_NO_TEMPLATES"), {"$default": {}})
        self.route(api, "never", dict(IntegrationType="MOCK", PassthroughBehavior="NEVER"),
                   {"$default": {}})
        ws = self.deploy(api)
        self.assertEqual(ws.ask('{"action":"match","kind":"x"}'), "X")
        self.assertEqual(ws.ask('{"action":"match","kind":"y"}'),
                         '{"action":"match","kind":"y"}')
        self.assertEqual(ws.ask('{"action":"notemplates","kind":"x"}'), "X")
        self.assertRegex(ws.ask('{"action":"notemplates","kind":"y"}'),
                         FRAME % "Unsupported Media Type")
        self.assertEqual(ws.ask('{"action":"none"}'), '{"action":"none"}')
        self.assertRegex(ws.ask('{"action":"never"}'), FRAME % "Unsupported Media Type")
        ws.close()

    def test_integration_responses_regex_and_default(self):
        """§D6.1: the MOCK status (from the request template's statusCode, read leniently)
        selects /4\\d\\d/ over $default, matched against the whole status; each response
        renders its own template over the request template's output (§D4.4)."""
        api = self.api()
        self.route(api, "status", dict(
            IntegrationType="MOCK", TemplateSelectionExpression="\\$default",
            RequestTemplates={"$default": '{"statusCode": $input.json(\'$.code\'),}'}),
            {"/4\\d\\d/": {"ResponseTemplates": {"$default": "client error"},
                           "TemplateSelectionExpression": "\\$default"},
             "/2\\d/": {"ResponseTemplates": {"$default": "never: two digits only"},
                        "TemplateSelectionExpression": "\\$default"},
             "$default": {"ResponseTemplates": {"$default": "fine $input.body"},
                          "TemplateSelectionExpression": "\\$default"}})
        ws = self.deploy(api)
        self.assertEqual(ws.ask('{"action":"status","code":404}'), "client error")
        self.assertEqual(ws.ask('{"action":"status","code":200}'), 'fine {"statusCode": 200,}')
        self.assertEqual(ws.ask('{"action":"status","code":20}'), 'fine {"statusCode": 20,}')
        ws.close()

    def test_two_way_and_one_way_side_by_side_and_no_response(self):
        """§D6.3: a one-way route never answers; a two-way route without a matching
        integration response answers the Internal server error frame."""
        api = self.api()
        self.route(api, "two", dict(IntegrationType="MOCK"), {"$default": {}})
        self.route(api, "one", dict(IntegrationType="MOCK"), {"$default": {}}, two_way=False)
        self.route(api, "unmatched", dict(IntegrationType="MOCK"), {"/5\\d\\d/": {}})
        ws = self.deploy(api)
        ws.send('{"action":"one"}')
        self.assertEqual(ws.ask('{"action":"two"}'), '{"action":"two"}')
        self.assertTrue(ws.no_frame(0.3))
        self.assertRegex(ws.ask('{"action":"unmatched"}'), FRAME % "Internal server error")
        ws.close()

    def test_template_error_is_integration_error(self):
        """§D7.4: a template that fails (a bare trailing $ is an error on AWS) is an
        integration failure: the Internal server error frame, the connection stays open."""
        api = self.api()
        self.route(api, "bad", dict(IntegrationType="MOCK",
                                    RequestTemplates={"$default": "#foreach($x in [1..3])"}),
                   {"$default": {}})
        self.route(api, "good", dict(IntegrationType="MOCK"), {"$default": {}})
        ws = self.deploy(api)
        self.assertRegex(ws.ask('{"action":"bad"}'), FRAME % "Internal server error")
        self.assertEqual(ws.ask('{"action":"good"}'), '{"action":"good"}')
        ws.close()


class TestBackends(MappingTest):
    def test_http_integration_receives_transformed_body(self):
        """§D4.4: an HTTP integration sends the rendered template (with $context and
        $stageVariables) to the URI with stage variables resolved, by integrationMethod; the
        two-way answer is the response template over the backend's body (§D6.2)."""
        self.be.reply = lambda req: (201, {"X-Kind": "made"}, b'{"id":"r1"}')
        api = self.api()
        self.route(api, "send", dict(
            IntegrationType="HTTP", IntegrationMethod="PUT",
            IntegrationUri=self.be.url + "/${stageVariables.version}/items/{item}",
            RequestParameters={
                "integration.request.header.ConnectionId": "context.connectionId",
                "integration.request.header.X-Kind": "route.request.body.kind",
                "integration.request.header.X-Fixed": "'fixed value'",
                "integration.request.querystring.env": "stageVariables.version",
                "integration.request.querystring.missing": "route.request.body.nope",
                "integration.request.path.item": "route.request.body.id"},
            TemplateSelectionExpression="\\$default",
            RequestTemplates={"$default": '{"text":"$util.escapeJavaScript($input.path(\'$.text\'))",'
                                          '"conn":"$context.connectionId",'
                                          '"stage":"$context.stage","v":"$stageVariables.version"}'}),
            {"$default": {"TemplateSelectionExpression": "${integration.response.header.X-Kind}",
                          "ResponseTemplates": {
                              "made": "created $input.path('$.id') ($context.routeKey)",
                              "$default": "other"}}})
        ws = self.deploy(api, variables={"version": "v2"})
        n = len(self.be.requests)
        self.assertEqual(ws.ask('{"action":"send","kind":"note","id":"a b","text":"say \\"hi\\""}'),
                         "created r1 (send)")
        req = self.be.wait_requests(n + 1)[n]
        self.assertEqual(req.method, "PUT")
        # §D4.6: path and query parameters URL-encoded; a source that resolves to nothing
        # leaves its parameter out.
        self.assertEqual(req.path, "/v2/items/a%20b?env=v2")
        self.assertEqual((req.headers["x-kind"], req.headers["x-fixed"]), ("note", "fixed value"))
        self.assertRegex(req.headers["connectionid"], r"^[A-Za-z0-9_-]{15}=$")
        self.assertEqual(req.headers["content-type"], "application/json")
        sent = json.loads(req.body)
        self.assertEqual(sent["text"], 'say "hi"')
        self.assertEqual((sent["stage"], sent["v"]), ("prod", "v2"))
        self.assertRegex(sent["conn"], r"^[A-Za-z0-9_-]{15}=$")
        self.assertEqual(sent["conn"], req.headers["connectionid"])
        ws.close()

    def test_vpc_link_resolved_through_the_deployment(self):
        """§D4.5: a VPC_LINK integration names its link by connectionId (stage variables
        substituted); the link must be one the deployment carries: then the request goes to the
        integration URI; a stage naming an unknown link gets the Internal server error frame."""
        link = self.c.create_vpc_link(Name="gw-link", SubnetIds=["subnet-0a1b2c3d"])["VpcLinkId"]
        self.be.reply = lambda req: (200, b"via link")
        api = self.api()
        self.route(api, "$default", dict(
            IntegrationType="HTTP_PROXY", IntegrationMethod="POST",
            IntegrationUri=self.be.url + "/private", ConnectionType="VPC_LINK",
            ConnectionId="${stageVariables.link}"))
        ws = self.deploy(api, variables={"link": link})
        self.assertEqual(ws.ask("hello"), "via link")
        ws.close()
        ws = self.deploy(api, "other", {"link": "nolink1"})
        self.assertRegex(ws.ask("hello"), FRAME % "Internal server error")
        ws.close()

    def test_connect_request_parameters_from_the_upgrade(self):
        """§D4.3, §D4.6: at $connect an HTTP_PROXY integration maps the upgrade's query string
        and headers; a literal replaces a forwarded handshake header (the known
        Sec-WebSocket-Version: 0 workaround)."""
        api = self.api()
        self.route(api, "$connect", dict(
            IntegrationType="HTTP_PROXY", IntegrationMethod="GET",
            IntegrationUri=self.be.url + "/connect",
            RequestParameters={
                "integration.request.header.Sec-WebSocket-Version": "'0'",
                "integration.request.header.X-Token": "route.request.querystring.token",
                "integration.request.querystring.origin": "route.request.header.origin",
                "integration.request.querystring.all": "route.request.multivaluequerystring.tag"}),
            two_way=False)
        self.route(api, "$default", dict(IntegrationType="MOCK"), {"$default": {}})
        self.be.reply = lambda req: (200, b"")
        self.c.create_stage(ApiId=api, StageName="prod")
        self.c.create_deployment(ApiId=api, StageName="prod")
        n = len(self.be.requests)
        url = self.gw.ws_url(api, "prod") + "?token=t1&tag=a&tag=b"
        wait_for(lambda: connect_status(self.loop, url, {"Origin": "http://tester"}) == 101,
                 what="stage served\n" + self.gw.logs())
        req = [r for r in self.be.wait_requests(n + 1)[n:] if r.path.startswith("/connect")][-1]
        self.assertEqual(req.path, "/connect?origin=http%3A%2F%2Ftester&all=a%2Cb")
        self.assertEqual(req.headers["sec-websocket-version"], "0")
        self.assertEqual(req.headers["x-token"], "t1")

    def test_lambda_custom_integration_error_message_selects_response(self):
        """§D4.4, §D6.1: an AWS integration on a Lambda URI invokes the function with the
        rendered payload; its errorMessage selects the integration response (/Bad.*/), a
        success goes to $default."""
        def calc(event, context):
            if event["n"] < 0:
                raise ValueError("Bad input: negative")
            return {"square": event["n"] * event["n"]}
        self.lam.add("calc", calc)
        api = self.api()
        self.route(api, "calc", dict(
            IntegrationType="AWS", IntegrationMethod="POST",
            IntegrationUri=LambdaStub.integration_uri("calc"),
            RequestTemplates={"$default": '{"n": $input.json(\'$.n\')}'},
            TemplateSelectionExpression="\\$default"),
            {"/Bad.*/": {"ResponseTemplates": {"$default": "error: $input.path('$.errorMessage')"},
                         "TemplateSelectionExpression": "\\$default"},
             "$default": {"ResponseTemplates": {"$default": "square=$input.path('$.square')"},
                          "TemplateSelectionExpression": "\\$default"}})
        ws = self.deploy(api)
        self.assertEqual(ws.ask('{"action":"calc","n":7}'), "square=49")
        self.assertEqual(ws.ask('{"action":"calc","n":-1}'), "error: Bad input: negative")
        self.assertEqual(json.loads(self.lam.calls("calc")[0].payload), {"n": 7})
        ws.close()

    def test_aws_integration_dynamodb_put_item(self):
        """§D4.4: an AWS service action at --aws-endpoint, signed with SigV4 for its service:
        DynamoDB PutItem (JSON protocol, `action/PutItem` → X-Amz-Target) lands in moto_server;
        the integration responses select on the service's status."""
        ddb = self.moto.client("dynamodb")
        ddb.create_table(TableName="gw-items", BillingMode="PAY_PER_REQUEST",
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
        api = self.api()
        self.route(api, "store", dict(
            IntegrationType="AWS", IntegrationMethod="POST",
            IntegrationUri="arn:aws:apigateway:us-east-1:dynamodb:action/PutItem",
            TemplateSelectionExpression="\\$default",
            RequestTemplates={"$default": '{"TableName":"$input.path(\'$.table\')","Item":{'
                                          '"id":{"S":"$input.path(\'$.id\')"},'
                                          '"conn":{"S":"$context.connectionId"}}}'}),
            {"/2\\d\\d/": {"ResponseTemplates": {"$default": "stored"},
                           "TemplateSelectionExpression": "\\$default"},
             "$default": {"ResponseTemplates": {"$default": "failed $context.status"},
                          "TemplateSelectionExpression": "\\$default"}})
        ws = self.deploy(api)
        self.assertEqual(ws.ask('{"action":"store","table":"gw-items","id":"item-1"}'), "stored")
        item = ddb.get_item(TableName="gw-items", Key={"id": {"S": "item-1"}})["Item"]
        self.assertRegex(item["conn"]["S"], r"^[A-Za-z0-9_-]{15}=$")
        # The service's own error status selects $default here.
        self.assertEqual(ws.ask('{"action":"store","table":"nope","id":"x"}'), "failed 400")
        ws.close()

    def test_aws_integration_sqs_send_message(self):
        """§D4.4, §D4.6: SQS SendMessage as AWS's own SQS examples do it — `path/{account}/{queue}`,
        the form body rendered by the template, Content-Type mapped by a request parameter —
        lands the client's message in moto_server's queue."""
        sqs = self.moto.client("sqs")
        qurl = sqs.create_queue(QueueName="gw-messages")["QueueUrl"]
        api = self.api()
        self.route(api, "queue", dict(
            IntegrationType="AWS", IntegrationMethod="POST",
            IntegrationUri="arn:aws:apigateway:us-east-1:sqs:path/%s/gw-messages" % ACCOUNT,
            RequestParameters={"integration.request.header.Content-Type":
                               "'application/x-www-form-urlencoded'"},
            TemplateSelectionExpression="\\$default",
            RequestTemplates={"$default": "Action=SendMessage&MessageBody="
                                          "$util.urlEncode($input.body)"}),
            {"$default": {"ResponseTemplates": {"$default": "sqs $context.status"},
                          "TemplateSelectionExpression": "\\$default"}})
        ws = self.deploy(api)
        self.assertEqual(ws.ask('{"action":"queue","hello":"sqs & more"}'), "sqs 200")
        msgs = sqs.receive_message(QueueUrl=qurl, WaitTimeSeconds=1)["Messages"]
        self.assertEqual(json.loads(msgs[0]["Body"]), {"action": "queue", "hello": "sqs & more"})
        ws.close()

class TestPreview(unittest.TestCase):
    """The console's template preview (docs/gateway.md "Template preview"): the gateway's own selection and engine
    on the live integration, through the control plane."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server().start()
        cls.c = cls.server.client()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def preview(self, api, iid, body):
        return self.server.http("POST", "/_apigwd/apis/%s/integrations/%s/preview" % (api, iid),
                                body)

    def test_selection_rendering_passthrough_and_errors(self):
        api = self.c.create_api(Name="p", ProtocolType="WEBSOCKET",
                                RouteSelectionExpression="$request.body.action")["ApiId"]
        iid = self.c.create_integration(
            ApiId=api, IntegrationType="MOCK", PassthroughBehavior="WHEN_NO_TEMPLATES",
            TemplateSelectionExpression="${request.body.kind}",
            RequestTemplates={"greet": "Hello $input.path('$.name') from $stageVariables.env",
                              "broken": "#if($x"})["IntegrationId"]
        st, _, r = self.preview(api, iid, {"body": '{"kind":"greet","name":"Ana"}',
                                           "stageVariables": {"env": "dev"}})
        self.assertEqual(st, 200, r)
        self.assertEqual((r["templateKey"], r["outcome"], r["output"]),
                         ("greet", "TEMPLATE", "Hello Ana from dev"))
        st, _, r = self.preview(api, iid, {"body": '{"kind":"other"}'})
        self.assertEqual((st, r["templateKey"], r["outcome"]),
                         (200, "other", "UNSUPPORTED_MEDIA_TYPE"))
        self.assertNotIn("output", r)
        st, _, r = self.preview(api, iid, {"body": '{"kind":"broken"}'})
        self.assertEqual((st, r["outcome"]), (200, "TEMPLATE"))
        self.assertEqual(r["error"]["line"], 1)
        self.assertIn("message", r["error"])
        # Bad input: AWS-shaped errors, never a crash.
        st, h, r = self.preview(api, iid, {"body": 5})
        self.assertEqual((st, h.get("x-amzn-errortype")), (400, "BadRequestException"))
        st, h, r = self.preview(api, iid, {"body": "", "context": []})
        self.assertEqual(st, 400)
        st, h, r = self.preview(api, "nope123", {"body": ""})
        self.assertEqual((st, h.get("x-amzn-errortype")), (404, "NotFoundException"))


if __name__ == "__main__":
    unittest.main()
