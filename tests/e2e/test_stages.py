"""Stages of apigatewayv2 (spec §6, §10): CreateStage, GetStage, GetStages, UpdateStage,
DeleteStage, DeleteAccessLogSettings, DeleteRouteSettings, ResetAuthorizersCache.

A `production` stage built with the real AWS CLI, then every rule with boto3 (error name and
HTTP status) and raw HTTP where the exact JSON matters, and pagination.
"""
import re
import unittest
import urllib.parse

from harness import ServerTestCase

LOG_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/apigw/access"
DEPLOYMENT_ID = re.compile(r"^[a-z0-9]{6}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def strip(answer):
    """A boto3 answer without its ResponseMetadata."""
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


class StageTestCase(ServerTestCase):
    """Helpers shared by the stage tests."""

    def setUp(self):
        self.c = self.server.client()

    def http_api(self, name="stages"):
        return self.c.create_api(Name=name, ProtocolType="HTTP")["ApiId"]

    def ws_api(self, name="stages-ws"):
        return self.c.create_api(Name=name, ProtocolType="WEBSOCKET",
                                 RouteSelectionExpression="$request.body.action")["ApiId"]

    def http_route(self, api_id, key="GET /pets"):
        """An HTTP_PROXY integration and a route on it; returns the route id."""
        integ = self.c.create_integration(
            ApiId=api_id, IntegrationType="HTTP_PROXY", IntegrationMethod="GET",
            IntegrationUri="https://example.com/pets")["IntegrationId"]
        return self.c.create_route(ApiId=api_id, RouteKey=key,
                                   Target="integrations/" + integ)["RouteId"]

    def ws_route(self, api_id, key="$connect"):
        integ = self.c.create_integration(ApiId=api_id, IntegrationType="MOCK")["IntegrationId"]
        return self.c.create_route(ApiId=api_id, RouteKey=key,
                                   Target="integrations/" + integ)["RouteId"]


class ProductionStageCliTest(StageTestCase):
    """The `production` stage holding the VPC link id in a stage variable, with the CLI."""

    def test_production_stage_with_the_cli(self):
        aws = self.server.aws
        api_id = aws("create-api", "--name", "shop", "--protocol-type", "HTTP")["ApiId"]
        stage = aws("create-stage", "--api-id", api_id, "--stage-name", "production",
                    "--stage-variables", "vpcLinkId=abc123",
                    "--description", "what customers use")
        self.assertRegex(stage.pop("CreatedDate"), TIMESTAMP)
        self.assertRegex(stage.pop("LastUpdatedDate"), TIMESTAMP)
        self.assertEqual(stage, {
            "DefaultRouteSettings": {"DetailedMetricsEnabled": False},
            "Description": "what customers use",
            "RouteSettings": {},
            "StageName": "production",
            "StageVariables": {"vpcLinkId": "abc123"},
            "Tags": {},
        })
        got = aws("get-stage", "--api-id", api_id, "--stage-name", "production")
        self.assertEqual(got["StageVariables"], {"vpcLinkId": "abc123"})
        self.assertEqual(got["CreatedDate"], got["LastUpdatedDate"])
        items = aws("get-stages", "--api-id", api_id)["Items"]
        self.assertEqual(items, [got])

        # UpdateStage merges the variables: a new one is added, the old one stays.
        updated = aws("update-stage", "--api-id", api_id, "--stage-name", "production",
                      "--stage-variables", "backend=orders.internal")
        self.assertEqual(updated["StageVariables"],
                         {"vpcLinkId": "abc123", "backend": "orders.internal"})
        self.assertEqual(updated["CreatedDate"], got["CreatedDate"])

        rc, out, err = aws("get-stage", "--api-id", api_id, "--stage-name", "staging",
                           check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("NotFoundException", err)
        self.assertIn("Invalid stage identifier specified", err)

        self.assertIsNone(aws("delete-stage", "--api-id", api_id, "--stage-name", "production"))
        self.assertEqual(aws("get-stages", "--api-id", api_id)["Items"], [])


class StageDefaultsTest(StageTestCase):

    def test_http_stage_json_on_the_wire(self):
        api_id = self.http_api()
        status, headers, body = self.server.http("POST", "/v2/apis/%s/stages" % api_id,
                                                 {"stageName": "dev"})
        self.assertEqual(status, 201)
        self.assertEqual(headers["content-type"], "application/json")
        created = body.pop("createdDate")
        self.assertEqual(body.pop("lastUpdatedDate"), created)
        # autoDeploy, deploymentId, apiGatewayManaged and the rest are omitted when unset.
        self.assertEqual(body, {
            "defaultRouteSettings": {"detailedMetricsEnabled": False},
            "routeSettings": {},
            "stageName": "dev",
            "stageVariables": {},
            "tags": {},
        })

    def test_websocket_defaults_add_execution_logs(self):
        api_id = self.ws_api()
        stage = self.c.create_stage(ApiId=api_id, StageName="dev")
        self.assertEqual(stage["DefaultRouteSettings"], {
            "DataTraceEnabled": False, "DetailedMetricsEnabled": False, "LoggingLevel": "OFF"})
        # Members the client leaves out of defaultRouteSettings are still reported.
        stage = self.c.create_stage(ApiId=api_id, StageName="traced", DefaultRouteSettings={
            "LoggingLevel": "INFO", "ThrottlingBurstLimit": 10})
        self.assertEqual(stage["DefaultRouteSettings"], {
            "DataTraceEnabled": False, "DetailedMetricsEnabled": False, "LoggingLevel": "INFO",
            "ThrottlingBurstLimit": 10})
        self.assertAwsError(lambda: self.c.create_stage(
            ApiId=api_id, StageName="loud", DefaultRouteSettings={"LoggingLevel": "LOUD"}),
            "BadRequestException", 400, "loggingLevel")

    def test_rate_limit_is_a_double(self):
        api_id = self.http_api()
        status, _, body = self.server.http("POST", "/v2/apis/%s/stages" % api_id, {
            "stageName": "throttled",
            "defaultRouteSettings": {"throttlingBurstLimit": 5, "throttlingRateLimit": 10}})
        self.assertEqual(status, 201)
        self.assertEqual(body["defaultRouteSettings"], {
            "detailedMetricsEnabled": False, "throttlingBurstLimit": 5,
            "throttlingRateLimit": 10.0})
        self.assertIsInstance(body["defaultRouteSettings"]["throttlingRateLimit"], float)
        status, _, got = self.server.http("GET", "/v2/apis/%s/stages/throttled" % api_id)
        self.assertEqual((status, got["defaultRouteSettings"]), (200, body["defaultRouteSettings"]))
        for bad in ({"throttlingRateLimit": -1}, {"throttlingRateLimit": "fast"},
                    {"throttlingBurstLimit": -1}, {"throttlingBurstLimit": 1.5}):
            status, headers, _ = self.server.http(
                "POST", "/v2/apis/%s/stages" % api_id,
                {"stageName": "bad", "defaultRouteSettings": bad})
            self.assertEqual(status, 400, bad)
            self.assertEqual(headers["x-amzn-errortype"], "BadRequestException")

    def test_tags_description_and_client_certificate(self):
        api_id = self.http_api()
        stage = self.c.create_stage(ApiId=api_id, StageName="tagged", Tags={"team": "blue"},
                                    ClientCertificateId="abc123")
        self.assertEqual(stage["Tags"], {"team": "blue"})
        # WebSocket only: accepted and dropped on HTTP APIs.
        self.assertNotIn("ClientCertificateId", stage)
        self.assertAwsError(lambda: self.c.create_stage(
            ApiId=api_id, StageName="t2", Tags={"aws:reserved": "x"}),
            "BadRequestException", 400, "aws:")
        ws = self.ws_api()
        stage = self.c.create_stage(ApiId=ws, StageName="certified", ClientCertificateId="abc123")
        self.assertEqual(stage["ClientCertificateId"], "abc123")
        # An empty description clears it and is answered as "".
        self.c.update_stage(ApiId=api_id, StageName="tagged", Description="first")
        stage = self.c.update_stage(ApiId=api_id, StageName="tagged", Description="")
        self.assertEqual(stage["Description"], "")
        self.assertEqual(stage["Tags"], {"team": "blue"})


class StageNameTest(StageTestCase):

    def test_names(self):
        api_id = self.http_api()
        for name in ("prod", "v2-beta_1", "A" * 128, "$default"):
            self.assertEqual(self.c.create_stage(ApiId=api_id, StageName=name)["StageName"], name)
        for name in ("has space", "dot.ted", "sl/ash", "$other", "é", "A" * 129):
            self.assertAwsError(lambda: self.c.create_stage(ApiId=api_id, StageName=name),
                                "BadRequestException", 400)
        self.assertAwsError(lambda: self.c.create_stage(ApiId=api_id, StageName="prod"),
                            "ConflictException", 409, "Stage already exists")
        status, headers, body = self.server.http("POST", "/v2/apis/%s/stages" % api_id, {})
        self.assertEqual((status, headers["x-amzn-errortype"]), (400, "BadRequestException"))
        self.assertIn("stageName", body["message"])
        # `$default` (URL-encoded in the path) can be read and deleted like any stage.
        got = self.c.get_stage(ApiId=api_id, StageName="$default")
        self.assertEqual(got["StageName"], "$default")
        self.c.delete_stage(ApiId=api_id, StageName="$default")

    def test_default_stage_is_http_only(self):
        ws = self.ws_api()
        self.assertAwsError(lambda: self.c.create_stage(ApiId=ws, StageName="$default"),
                            "BadRequestException", 400, "$default")

    def test_quota_of_ten_stages(self):
        api_id = self.http_api()
        for i in range(10):
            self.c.create_stage(ApiId=api_id, StageName="s%d" % i)
        self.assertAwsError(lambda: self.c.create_stage(ApiId=api_id, StageName="s10"),
                            "BadRequestException", 400, "at most 10 stages")
        # A duplicate is still a conflict, not a quota error.
        self.assertAwsError(lambda: self.c.create_stage(ApiId=api_id, StageName="s3"),
                            "ConflictException", 409)
        self.c.delete_stage(ApiId=api_id, StageName="s3")
        self.c.create_stage(ApiId=api_id, StageName="s10")
        # The quota is per API.
        self.c.create_stage(ApiId=self.http_api("other"), StageName="s0")


class StageVariablesTest(StageTestCase):

    def test_rules(self):
        api_id = self.http_api()
        ok = {"vpcLinkId": "abc123", "url": "https://x.example.com/a?b=c&d=e#f,g~h",
              "Under_score9": "a-b.c_d:e"}
        self.assertEqual(self.c.create_stage(ApiId=api_id, StageName="v",
                                             StageVariables=ok)["StageVariables"], ok)
        cases = [
            ({"bad-name": "x"}, "bad-name"),
            ({"bad.name": "x"}, "bad.name"),
            ({"v": "has space"}, "has space"),
            ({"v": "quote\""}, "[A-Za-z0-9-._~:/?#&=,]+"),
            ({"v": ""}, "[A-Za-z0-9-._~:/?#&=,]+"),
            ({"v": "a" * 2049}, "stageVariables"),
            ({"v%d" % i: "x" for i in range(101)}, "at most 100"),
        ]
        for variables, message in cases:
            self.assertAwsError(lambda: self.c.create_stage(
                ApiId=api_id, StageName="bad", StageVariables=variables),
                "BadRequestException", 400, message)
        self.c.create_stage(ApiId=api_id, StageName="full",
                            StageVariables={"v%d" % i: "x" * 2048 for i in range(100)})

    def test_update_merges_and_empty_value_deletes(self):
        api_id = self.http_api()
        self.c.create_stage(ApiId=api_id, StageName="m", StageVariables={"a": "1", "b": "2"})
        stage = self.c.update_stage(ApiId=api_id, StageName="m",
                                    StageVariables={"b": "", "c": "3"})
        self.assertEqual(stage["StageVariables"], {"a": "1", "c": "3"})
        stage = self.c.update_stage(ApiId=api_id, StageName="m",
                                    StageVariables={"a": "", "c": ""})
        self.assertEqual(stage["StageVariables"], {})
        # The merged result is validated: 100 stored plus one more is too many.
        self.c.update_stage(ApiId=api_id, StageName="m",
                            StageVariables={"v%d" % i: "x" for i in range(100)})
        self.assertAwsError(lambda: self.c.update_stage(
            ApiId=api_id, StageName="m", StageVariables={"one_more": "x"}),
            "BadRequestException", 400, "at most 100")
        self.assertEqual(len(self.c.get_stage(ApiId=api_id, StageName="m")["StageVariables"]),
                         100)


class RouteSettingsTest(StageTestCase):

    def test_http_route_settings(self):
        api_id = self.http_api()
        self.http_route(api_id, "GET /pets")
        self.http_route(api_id, "POST /pets")
        stage = self.c.create_stage(ApiId=api_id, StageName="dev", RouteSettings={
            "GET /pets": {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 2000}})
        # As AWS's update-stage example: route settings get no defaults filled in.
        self.assertEqual(stage["RouteSettings"], {
            "GET /pets": {"ThrottlingBurstLimit": 100, "ThrottlingRateLimit": 2000.0}})
        self.assertAwsError(lambda: self.c.update_stage(
            ApiId=api_id, StageName="dev", RouteSettings={"GET /cats": {"ThrottlingBurstLimit": 1}}),
            "NotFoundException", 404,
            "Unable to find Route by key GET /cats within the provided RouteSettings")
        # UpdateStage merges route settings by key.
        stage = self.c.update_stage(ApiId=api_id, StageName="dev", RouteSettings={
            "POST /pets": {"DetailedMetricsEnabled": True}})
        self.assertEqual(set(stage["RouteSettings"]), {"GET /pets", "POST /pets"})

        # DeleteRouteSettings: the key travels URL-encoded in the path.
        self.assertEqual(self.c.delete_route_settings(
            ApiId=api_id, StageName="dev", RouteKey="GET /pets")["ResponseMetadata"]["HTTPStatusCode"],
            204)
        self.assertEqual(self.c.get_stage(ApiId=api_id, StageName="dev")["RouteSettings"],
                         {"POST /pets": {"DetailedMetricsEnabled": True}})
        self.assertAwsError(lambda: self.c.delete_route_settings(
            ApiId=api_id, StageName="dev", RouteKey="GET /pets"),
            "NotFoundException", 404, "Unable to find Route by key GET /pets")
        self.assertAwsError(lambda: self.c.delete_route_settings(
            ApiId=api_id, StageName="nope", RouteKey="POST /pets"),
            "NotFoundException", 404, "Invalid stage identifier specified")
        status, _, _ = self.server.http(
            "DELETE", "/v2/apis/%s/stages/dev/routesettings/%s"
            % (api_id, urllib.parse.quote("POST /pets", safe="")))
        self.assertEqual(status, 204)
        self.assertEqual(self.c.get_stage(ApiId=api_id, StageName="dev")["RouteSettings"], {})

    def test_route_settings_survive_the_route(self):
        api_id = self.http_api()
        route_id = self.http_route(api_id, "GET /gone")
        self.c.create_stage(ApiId=api_id, StageName="dev", RouteSettings={
            "GET /gone": {"ThrottlingBurstLimit": 1}})
        self.c.delete_route(ApiId=api_id, RouteId=route_id)
        # Only keys the request adds or changes are checked: other updates still work.
        stage = self.c.update_stage(ApiId=api_id, StageName="dev", Description="still fine")
        self.assertIn("GET /gone", stage["RouteSettings"])

    def test_http_refuses_execution_logs(self):
        api_id = self.http_api()
        self.http_route(api_id, "GET /pets")
        msg = "Execution logs are not supported on protocolType HTTP"
        for settings in ({"DefaultRouteSettings": {"LoggingLevel": "INFO"}},
                         {"DefaultRouteSettings": {"DataTraceEnabled": False}},
                         {"RouteSettings": {"GET /pets": {"LoggingLevel": "ERROR"}}},
                         {"RouteSettings": {"GET /pets": {"DataTraceEnabled": True}}}):
            self.assertAwsError(lambda: self.c.create_stage(
                ApiId=api_id, StageName="logs", **settings), "BadRequestException", 400, msg)
        self.c.create_stage(ApiId=api_id, StageName="logs")
        self.assertAwsError(lambda: self.c.update_stage(
            ApiId=api_id, StageName="logs", DefaultRouteSettings={"LoggingLevel": "OFF"}),
            "BadRequestException", 400, msg)

    def test_websocket_route_settings(self):
        api_id = self.ws_api()
        self.ws_route(api_id, "$connect")
        stage = self.c.create_stage(ApiId=api_id, StageName="dev", RouteSettings={
            "$connect": {"LoggingLevel": "ERROR", "DataTraceEnabled": True}})
        self.assertEqual(stage["RouteSettings"],
                         {"$connect": {"LoggingLevel": "ERROR", "DataTraceEnabled": True}})
        self.assertAwsError(lambda: self.c.update_stage(
            ApiId=api_id, StageName="dev", RouteSettings={"$disconnect": {"LoggingLevel": "INFO"}}),
            "NotFoundException", 404, "Unable to find Route by key $disconnect")
        self.c.delete_route_settings(ApiId=api_id, StageName="dev", RouteKey="$connect")
        self.assertEqual(self.c.get_stage(ApiId=api_id, StageName="dev")["RouteSettings"], {})


class AccessLogSettingsTest(StageTestCase):

    def test_access_logs(self):
        api_id = self.http_api()
        good = {"DestinationArn": LOG_ARN, "Format": '{"requestId":"$context.requestId"}'}
        stage = self.c.create_stage(ApiId=api_id, StageName="logged", AccessLogSettings=good)
        self.assertEqual(stage["AccessLogSettings"], good)
        for bad, msg in (
                ({"DestinationArn": LOG_ARN, "Format": "$context.status"}, "$context.requestId"),
                ({"DestinationArn": "log-group", "Format": "$context.requestId"}, "destinationArn"),
                ({"DestinationArn": LOG_ARN}, "format"),
                ({"Format": "$context.requestId"}, "destinationArn")):
            self.assertAwsError(lambda: self.c.create_stage(
                ApiId=api_id, StageName="bad", AccessLogSettings=bad),
                "BadRequestException", 400, msg)
            self.assertAwsError(lambda: self.c.update_stage(
                ApiId=api_id, StageName="logged", AccessLogSettings=bad),
                "BadRequestException", 400, msg)
        self.assertEqual(self.c.get_stage(ApiId=api_id, StageName="logged")["AccessLogSettings"],
                         good)

        # DeleteAccessLogSettings removes them (204), and is harmless when there are none.
        for _ in range(2):
            r = self.c.delete_access_log_settings(ApiId=api_id, StageName="logged")
            self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
            self.assertNotIn("AccessLogSettings",
                             self.c.get_stage(ApiId=api_id, StageName="logged"))
        self.assertAwsError(lambda: self.c.delete_access_log_settings(
            ApiId=api_id, StageName="nope"), "NotFoundException", 404,
            "Invalid stage identifier specified")

        # An empty object clears them too (Terraform sends it when the block is removed).
        self.c.update_stage(ApiId=api_id, StageName="logged", AccessLogSettings=good)
        stage = self.c.update_stage(ApiId=api_id, StageName="logged", AccessLogSettings={})
        self.assertNotIn("AccessLogSettings", stage)


class StageDeploymentRefTest(StageTestCase):

    def test_deployment_id_must_be_of_this_api(self):
        api_id = self.http_api()
        other = self.http_api("other")
        dep = self.c.create_deployment(ApiId=api_id)["DeploymentId"]
        foreign = self.c.create_deployment(ApiId=other)["DeploymentId"]
        stage = self.c.create_stage(ApiId=api_id, StageName="dev", DeploymentId=dep)
        self.assertEqual(stage["DeploymentId"], dep)
        for bad in ("zzzzzz", foreign):
            self.assertAwsError(lambda: self.c.create_stage(
                ApiId=api_id, StageName="bad", DeploymentId=bad),
                "NotFoundException", 404, "Invalid Deployment identifier specified " + bad)
            self.assertAwsError(lambda: self.c.update_stage(
                ApiId=api_id, StageName="dev", DeploymentId=bad),
                "NotFoundException", 404, "Invalid Deployment identifier specified")
        self.assertEqual(self.c.get_stage(ApiId=api_id, StageName="dev")["DeploymentId"], dep)

    def test_auto_deploy_stage_cannot_be_moved_by_hand(self):
        api_id = self.http_api()
        dep = self.c.create_deployment(ApiId=api_id)["DeploymentId"]
        stage = self.c.create_stage(ApiId=api_id, StageName="auto", AutoDeploy=True)
        self.assertTrue(stage["AutoDeploy"])
        self.assertAwsError(lambda: self.c.update_stage(
            ApiId=api_id, StageName="auto", DeploymentId=dep),
            "BadRequestException", 400, "autoDeploy")
        # Turning autoDeploy off in the same request allows it.
        stage = self.c.update_stage(ApiId=api_id, StageName="auto", AutoDeploy=False,
                                    DeploymentId=dep)
        self.assertEqual((stage["AutoDeploy"], stage["DeploymentId"]), (False, dep))


class StageNotFoundTest(StageTestCase):

    def test_unknown_api_and_stage(self):
        api_id = self.http_api()
        self.c.create_stage(ApiId=api_id, StageName="dev")
        stage_calls = [
            lambda: self.c.get_stage(ApiId=api_id, StageName="nope"),
            lambda: self.c.update_stage(ApiId=api_id, StageName="nope", Description="x"),
            lambda: self.c.delete_stage(ApiId=api_id, StageName="nope"),
            lambda: self.c.reset_authorizers_cache(ApiId=api_id, StageName="nope"),
        ]
        for call in stage_calls:
            err = self.assertAwsError(call, "NotFoundException", 404)
            self.assertEqual(err["Error"]["Message"], "Invalid stage identifier specified")
        api_calls = [
            lambda: self.c.create_stage(ApiId="nosuchapi0", StageName="dev"),
            lambda: self.c.get_stage(ApiId="nosuchapi0", StageName="dev"),
            lambda: self.c.get_stages(ApiId="nosuchapi0"),
            lambda: self.c.update_stage(ApiId="nosuchapi0", StageName="dev"),
            lambda: self.c.delete_stage(ApiId="nosuchapi0", StageName="dev"),
            lambda: self.c.reset_authorizers_cache(ApiId="nosuchapi0", StageName="dev"),
        ]
        for call in api_calls:
            self.assertAwsError(call, "NotFoundException", 404, "Invalid API identifier specified")
        # A stage of one API is not a stage of another.
        self.assertAwsError(lambda: self.c.get_stage(ApiId=self.http_api("b"), StageName="dev"),
                            "NotFoundException", 404)

    def test_reset_authorizers_cache(self):
        api_id = self.ws_api()
        self.c.create_stage(ApiId=api_id, StageName="dev")
        r = self.c.reset_authorizers_cache(ApiId=api_id, StageName="dev")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        status, headers, body = self.server.http(
            "DELETE", "/v2/apis/%s/stages/dev/cache/authorizers" % api_id)
        self.assertEqual((status, body), (204, None))

    def test_delete_stage_and_delete_api(self):
        api_id = self.http_api()
        self.c.create_stage(ApiId=api_id, StageName="dev")
        r = self.c.delete_stage(ApiId=api_id, StageName="dev")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertAwsError(lambda: self.c.get_stage(ApiId=api_id, StageName="dev"),
                            "NotFoundException", 404)
        # The name is free again.
        self.c.create_stage(ApiId=api_id, StageName="dev")
        self.c.delete_api(ApiId=api_id)
        self.assertAwsError(lambda: self.c.get_stage(ApiId=api_id, StageName="dev"),
                            "NotFoundException", 404, "Invalid API identifier specified")


class StagePaginationTest(StageTestCase):

    def test_get_stages_pages(self):
        api_id = self.http_api()
        names = ["p%d" % i for i in range(7)]
        for name in names:
            self.c.create_stage(ApiId=api_id, StageName=name)
        seen, token, pages = [], None, 0
        while True:
            kw = {"NextToken": token} if token else {}
            page = self.c.get_stages(ApiId=api_id, MaxResults="3", **kw)
            pages += 1
            self.assertLessEqual(len(page["Items"]), 3)
            seen += [s["StageName"] for s in page["Items"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual((seen, pages), (names, 3))
        paged = [s["StageName"] for p in self.c.get_paginator("get_stages").paginate(
            ApiId=api_id, PaginationConfig={"PageSize": 2}) for s in p["Items"]]
        self.assertEqual(paged, names)
        self.assertAwsError(lambda: self.c.get_stages(ApiId=api_id, MaxResults="0"),
                            "BadRequestException", 400)
        self.assertAwsError(lambda: self.c.get_stages(ApiId=api_id, NextToken="forged"),
                            "BadRequestException", 400)
        # A token of one API's list is no good for another's.
        token = self.c.get_stages(ApiId=api_id, MaxResults="1")["NextToken"]
        self.assertAwsError(lambda: self.c.get_stages(ApiId=self.http_api("o"), NextToken=token),
                            "BadRequestException", 400)


if __name__ == "__main__":
    unittest.main()
