"""Deployments of apigatewayv2 (spec §6): CreateDeployment, GetDeployment, GetDeployments,
UpdateDeployment, DeleteDeployment, and automatic deployment of autoDeploy stages.

A deployment is an immutable snapshot: what it froze is observed through the answers
(GetDeployment, the stage's deploymentId) and through the data-plane feed, which serves a
stage exactly what its deployment snapshotted.
"""
import json
import re
import unittest

from harness import ServerTestCase

DEPLOYMENT_ID = re.compile(r"^[a-z0-9]{6}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
AUTO = "Automatic deployment triggered by changes to the Api configuration"


def strip(answer):
    """A boto3 answer without its ResponseMetadata."""
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


class DeploymentTestCase(ServerTestCase):

    def setUp(self):
        self.c = self.server.client()

    def http_api(self, name="deploy"):
        return self.c.create_api(Name=name, ProtocolType="HTTP")["ApiId"]

    def ws_api(self, name="deploy-ws"):
        return self.c.create_api(Name=name, ProtocolType="WEBSOCKET",
                                 RouteSelectionExpression="$request.body.action")["ApiId"]

    def http_integration(self, api_id, uri="https://v1.example.com/pets"):
        return self.c.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY",
                                         IntegrationMethod="GET",
                                         IntegrationUri=uri)["IntegrationId"]

    def route(self, api_id, key, integ):
        return self.c.create_route(ApiId=api_id, RouteKey=key,
                                   Target="integrations/" + integ)["RouteId"]

    def deployment_ids(self, api_id):
        return [d["DeploymentId"] for d in self.c.get_deployments(ApiId=api_id)["Items"]]

    def deployed_config(self, api_id, stage):
        """What the data-plane feed serves for a stage: its deployment's snapshot."""
        status, _, body = self.server.http(
            "GET", "/dataplane/v1/apis/%s/stages/%s/config" % (api_id, stage))
        if status != 200:
            self.fail("data-plane stage config answered %s: %s" % (status, body))
        return body


class CreateDeploymentTest(DeploymentTestCase):

    def test_deploy_to_a_stage_with_the_cli(self):
        aws = self.server.aws
        api_id = self.http_api()
        self.route(api_id, "GET /pets", self.http_integration(api_id))
        stage = aws("create-stage", "--api-id", api_id, "--stage-name", "dev")
        self.assertNotIn("DeploymentId", stage)
        dep = aws("create-deployment", "--api-id", api_id, "--stage-name", "dev")
        self.assertRegex(dep["DeploymentId"], DEPLOYMENT_ID)
        self.assertRegex(dep.pop("CreatedDate"), TIMESTAMP)
        # As AWS's create-deployment example: no description, no stage name in the answer.
        self.assertEqual(dep, {"AutoDeployed": False, "DeploymentId": dep["DeploymentId"],
                               "DeploymentStatus": "DEPLOYED"})
        got = aws("get-deployment", "--api-id", api_id, "--deployment-id", dep["DeploymentId"])
        self.assertEqual(got.pop("CreatedDate") and got, dep)
        moved = aws("get-stage", "--api-id", api_id, "--stage-name", "dev")
        self.assertEqual(moved["DeploymentId"], dep["DeploymentId"])
        self.assertNotIn("LastDeploymentStatusMessage", moved)
        self.assertGreaterEqual(moved["LastUpdatedDate"], stage["LastUpdatedDate"])
        items = aws("get-deployments", "--api-id", api_id)["Items"]
        self.assertEqual([d["DeploymentId"] for d in items], [dep["DeploymentId"]])

    def test_http_api_without_routes_deploys(self):
        api_id = self.http_api()
        dep = self.c.create_deployment(ApiId=api_id, Description="empty")
        self.assertEqual((dep["Description"], dep["DeploymentStatus"]), ("empty", "DEPLOYED"))

    def test_websocket_needs_a_route(self):
        api_id = self.ws_api()
        self.c.create_stage(ApiId=api_id, StageName="dev")
        self.assertAwsError(lambda: self.c.create_deployment(ApiId=api_id, StageName="dev"),
                            "BadRequestException", 400,
                            "At least one route is required before deploying the Api")
        integ = self.c.create_integration(ApiId=api_id, IntegrationType="MOCK")["IntegrationId"]
        self.assertAwsError(lambda: self.c.create_deployment(ApiId=api_id),
                            "BadRequestException", 400, "At least one route is required")
        self.route(api_id, "$default", integ)
        dep = self.c.create_deployment(ApiId=api_id, StageName="dev")["DeploymentId"]
        self.assertEqual(self.c.get_stage(ApiId=api_id, StageName="dev")["DeploymentId"], dep)

    def test_unknown_stage_is_a_bad_request_and_changes_nothing(self):
        api_id = self.http_api()
        other = self.http_api("other")
        self.c.create_stage(ApiId=other, StageName="theirs")
        for name in ("nope", "theirs"):
            err = self.assertAwsError(lambda: self.c.create_deployment(ApiId=api_id, StageName=name),
                                      "BadRequestException", 400)
            self.assertEqual(err["Error"]["Message"], "Invalid stage identifier specified")
        self.assertEqual(self.deployment_ids(api_id), [])
        self.assertAwsError(lambda: self.c.create_deployment(ApiId="nosuchapi0"),
                            "NotFoundException", 404, "Invalid API identifier specified")
        status, headers, _ = self.server.http("POST", "/v2/apis/%s/deployments" % api_id,
                                              {"description": "d" * 1025})
        self.assertEqual((status, headers["x-amzn-errortype"]), (400, "BadRequestException"))

    def test_server_members_are_not_taken_from_the_client(self):
        api_id = self.http_api()
        status, _, body = self.server.http("POST", "/v2/apis/%s/deployments" % api_id, {
            "autoDeployed": True, "deploymentStatus": "FAILED", "deploymentId": "mine00",
            "snapshot": {"api": {}}})
        self.assertEqual(status, 201)
        self.assertEqual((body["autoDeployed"], body["deploymentStatus"]), (False, "DEPLOYED"))
        self.assertNotEqual(body["deploymentId"], "mine00")
        self.assertNotIn("snapshot", body)


class DeploymentLifecycleTest(DeploymentTestCase):

    def test_get_update_delete(self):
        api_id = self.http_api()
        dep = strip(self.c.create_deployment(ApiId=api_id, Description="first"))
        dep_id = dep["DeploymentId"]
        self.assertEqual(strip(self.c.get_deployment(ApiId=api_id, DeploymentId=dep_id)), dep)
        updated = strip(self.c.update_deployment(ApiId=api_id, DeploymentId=dep_id,
                                                 Description="renamed"))
        self.assertEqual(updated, dict(dep, Description="renamed"))
        # Only the description changes; an empty one clears it to "".
        status, _, body = self.server.http(
            "PATCH", "/v2/apis/%s/deployments/%s" % (api_id, dep_id),
            {"description": "", "autoDeployed": True, "deploymentStatus": "FAILED"})
        self.assertEqual(status, 200)
        self.assertEqual((body["description"], body["autoDeployed"], body["deploymentStatus"]),
                         ("", False, "DEPLOYED"))

        for call in (lambda: self.c.get_deployment(ApiId=api_id, DeploymentId="zzzzzz"),
                     lambda: self.c.update_deployment(ApiId=api_id, DeploymentId="zzzzzz",
                                                      Description="x"),
                     lambda: self.c.delete_deployment(ApiId=api_id, DeploymentId="zzzzzz")):
            err = self.assertAwsError(call, "NotFoundException", 404)
            self.assertEqual(err["Error"]["Message"], "Invalid Deployment identifier specified zzzzzz")
        # A deployment belongs to its API only.
        self.assertAwsError(lambda: self.c.get_deployment(ApiId=self.http_api("b"),
                                                          DeploymentId=dep_id),
                            "NotFoundException", 404)

        r = self.c.delete_deployment(ApiId=api_id, DeploymentId=dep_id)
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertAwsError(lambda: self.c.get_deployment(ApiId=api_id, DeploymentId=dep_id),
                            "NotFoundException", 404)

    def test_active_deployment_cannot_be_deleted(self):
        api_id = self.http_api()
        first = self.c.create_deployment(ApiId=api_id)["DeploymentId"]
        self.c.create_stage(ApiId=api_id, StageName="a", DeploymentId=first)
        self.c.create_stage(ApiId=api_id, StageName="b", DeploymentId=first)
        msg = "Active stages pointing to this deployment must be moved or deleted"
        self.assertAwsError(lambda: self.c.delete_deployment(ApiId=api_id, DeploymentId=first),
                            "BadRequestException", 400, msg)
        second = self.c.create_deployment(ApiId=api_id, StageName="a")["DeploymentId"]
        self.assertAwsError(lambda: self.c.delete_deployment(ApiId=api_id, DeploymentId=first),
                            "BadRequestException", 400, msg)
        self.c.delete_stage(ApiId=api_id, StageName="b")
        self.c.delete_deployment(ApiId=api_id, DeploymentId=first)
        self.assertEqual(self.deployment_ids(api_id), [second])

    def test_delete_api_removes_deployments(self):
        api_id = self.http_api()
        self.c.create_stage(ApiId=api_id, StageName="dev")
        self.c.create_deployment(ApiId=api_id, StageName="dev")
        self.c.delete_api(ApiId=api_id)
        self.assertAwsError(lambda: self.c.get_deployments(ApiId=api_id),
                            "NotFoundException", 404, "Invalid API identifier specified")

    def test_get_deployments_pages(self):
        api_id = self.http_api()
        ids = [self.c.create_deployment(ApiId=api_id, Description="d%d" % i)["DeploymentId"]
               for i in range(5)]
        first = self.c.get_deployments(ApiId=api_id, MaxResults="2")
        self.assertEqual([d["DeploymentId"] for d in first["Items"]], ids[:2])
        second = self.c.get_deployments(ApiId=api_id, MaxResults="2",
                                        NextToken=first["NextToken"])
        self.assertEqual([d["DeploymentId"] for d in second["Items"]], ids[2:4])
        last = self.c.get_deployments(ApiId=api_id, MaxResults="2",
                                      NextToken=second["NextToken"])
        self.assertEqual([d["DeploymentId"] for d in last["Items"]], ids[4:])
        self.assertNotIn("NextToken", last)
        paged = [d["DeploymentId"] for p in self.c.get_paginator("get_deployments").paginate(
            ApiId=api_id, PaginationConfig={"PageSize": 3}) for d in p["Items"]]
        self.assertEqual(paged, ids)
        cli = self.server.aws("get-deployments", "--api-id", api_id, "--page-size", "1")
        self.assertEqual([d["DeploymentId"] for d in cli["Items"]], ids)
        self.assertAwsError(lambda: self.c.get_deployments(ApiId=api_id, MaxResults="many"),
                            "BadRequestException", 400)


class ImmutabilityTest(DeploymentTestCase):

    def test_a_deployment_keeps_what_it_froze(self):
        api_id = self.http_api()
        integ = self.http_integration(api_id, "https://v1.example.com/pets")
        route_id = self.route(api_id, "GET /pets", integ)
        self.c.create_stage(ApiId=api_id, StageName="production",
                            StageVariables={"vpcLinkId": "abc123"})
        first = strip(self.c.create_deployment(ApiId=api_id, StageName="production",
                                               Description="v1"))
        config = self.deployed_config(api_id, "production")
        self.assertEqual(config["deploymentId"], first["DeploymentId"])
        self.assertEqual([r["routeKey"] for r in config["routes"]], ["GET /pets"])
        self.assertEqual(config["routes"][0]["integration"]["integrationUri"],
                         "https://v1.example.com/pets")

        # Change the integration and add a route: the deployment does not follow.
        self.c.update_integration(ApiId=api_id, IntegrationId=integ,
                                  IntegrationUri="https://v2.example.com/pets")
        self.route(api_id, "POST /pets", integ)
        self.c.update_route(ApiId=api_id, RouteId=route_id, RouteKey="GET /dogs")
        self.assertEqual(strip(self.c.get_deployment(ApiId=api_id,
                                                     DeploymentId=first["DeploymentId"])), first)
        stage = self.c.get_stage(ApiId=api_id, StageName="production")
        self.assertEqual(stage["DeploymentId"], first["DeploymentId"])
        config = self.deployed_config(api_id, "production")
        self.assertEqual([r["routeKey"] for r in config["routes"]], ["GET /pets"])
        self.assertEqual(config["routes"][0]["integration"]["integrationUri"],
                         "https://v1.example.com/pets")
        self.assertEqual(config["stage"]["stageVariables"], {"vpcLinkId": "abc123"})

        # The next deployment takes the new configuration; the old one is still there as it was.
        second = self.c.create_deployment(ApiId=api_id, StageName="production")["DeploymentId"]
        config = self.deployed_config(api_id, "production")
        self.assertEqual(config["deploymentId"], second)
        self.assertEqual(sorted(r["routeKey"] for r in config["routes"]), ["GET /dogs", "POST /pets"])
        self.assertEqual({r["integration"]["integrationUri"] for r in config["routes"]},
                         {"https://v2.example.com/pets"})
        self.assertEqual(strip(self.c.get_deployment(ApiId=api_id,
                                                     DeploymentId=first["DeploymentId"])), first)
        # Moving the stage back serves the first snapshot again.
        self.c.update_stage(ApiId=api_id, StageName="production",
                            DeploymentId=first["DeploymentId"])
        config = self.deployed_config(api_id, "production")
        self.assertEqual([r["routeKey"] for r in config["routes"]], ["GET /pets"])

    def test_deleted_integration_stays_in_the_snapshot(self):
        api_id = self.ws_api()
        integ = self.c.create_integration(ApiId=api_id, IntegrationType="MOCK",
                                          RequestTemplates={"application/json": '{"statusCode":200}'})["IntegrationId"]
        self.c.create_integration_response(ApiId=api_id, IntegrationId=integ,
                                           IntegrationResponseKey="$default")
        route_id = self.route(api_id, "$default", integ)
        self.c.create_route_response(ApiId=api_id, RouteId=route_id, RouteResponseKey="$default")
        self.c.create_stage(ApiId=api_id, StageName="dev")
        self.c.create_deployment(ApiId=api_id, StageName="dev")
        self.c.delete_route(ApiId=api_id, RouteId=route_id)
        self.c.delete_integration(ApiId=api_id, IntegrationId=integ)
        config = self.deployed_config(api_id, "dev")
        self.assertEqual(len(config["routes"]), 1)
        route = config["routes"][0]
        self.assertEqual((route["routeId"], route["integration"]["integrationId"]), (route_id, integ))
        self.assertEqual([r["routeResponseKey"] for r in route["routeResponses"]], ["$default"])
        self.assertEqual([r["integrationResponseKey"]
                          for r in route["integration"]["integrationResponses"]], ["$default"])
        # With no routes left, the WebSocket API cannot be deployed again.
        self.assertAwsError(lambda: self.c.create_deployment(ApiId=api_id, StageName="dev"),
                            "BadRequestException", 400, "At least one route is required")


class AutoDeployTest(DeploymentTestCase):

    def test_auto_deploy_stage_follows_every_change(self):
        api_id = self.http_api()
        integ = self.http_integration(api_id)
        self.route(api_id, "GET /pets", integ)
        manual = self.c.create_stage(ApiId=api_id, StageName="manual")
        # Created with autoDeploy: deployed at once.
        auto = self.c.create_stage(ApiId=api_id, StageName="auto", AutoDeploy=True)
        first = auto["DeploymentId"]
        self.assertRegex(first, DEPLOYMENT_ID)
        self.assertEqual(auto["LastDeploymentStatusMessage"],
                         "Successfully deployed stage with deployment ID '%s'" % first)
        dep = self.c.get_deployment(ApiId=api_id, DeploymentId=first)
        self.assertEqual((dep["AutoDeployed"], dep["Description"]), (True, AUTO))

        # One change, one new deployment, and the stage moves to it.
        self.c.update_integration(ApiId=api_id, IntegrationId=integ,
                                  IntegrationUri="https://v2.example.com/pets")
        ids = self.deployment_ids(api_id)
        self.assertEqual(len(ids), 2)
        auto = self.c.get_stage(ApiId=api_id, StageName="auto")
        self.assertEqual(auto["DeploymentId"], ids[1])
        self.assertEqual(auto["LastDeploymentStatusMessage"],
                         "Successfully deployed stage with deployment ID '%s'" % ids[1])
        self.assertEqual(self.deployed_config(api_id, "auto")["routes"][0]["integration"]
                         ["integrationUri"], "https://v2.example.com/pets")
        # The stage without autoDeploy is untouched.
        self.assertEqual(strip(self.c.get_stage(ApiId=api_id, StageName="manual")), strip(manual))

        # Routes, route deletion and API updates deploy too.
        route_id = self.route(api_id, "POST /pets", integ)
        self.c.delete_route(ApiId=api_id, RouteId=route_id)
        self.c.update_api(ApiId=api_id, Description="v3")
        ids = self.deployment_ids(api_id)
        self.assertEqual(len(ids), 5)
        for dep_id in ids:
            dep = self.c.get_deployment(ApiId=api_id, DeploymentId=dep_id)
            self.assertEqual((dep["AutoDeployed"], dep["Description"]), (True, AUTO))
        self.assertEqual(self.c.get_stage(ApiId=api_id, StageName="auto")["DeploymentId"], ids[-1])
        self.assertEqual(self.deployed_config(api_id, "auto")["api"]["description"], "v3")

        # A failed change deploys nothing.
        self.assertAwsError(lambda: self.c.update_integration(
            ApiId=api_id, IntegrationId=integ, TimeoutInMillis=30001),
            "BadRequestException", 400)
        self.assertEqual(len(self.deployment_ids(api_id)), 5)
        # A manual deployment is still possible and not automatic.
        dep = self.c.create_deployment(ApiId=api_id)
        self.assertFalse(dep["AutoDeployed"])

    def test_each_auto_stage_gets_its_own_deployment(self):
        api_id = self.http_api()
        integ = self.http_integration(api_id)
        a = self.c.create_stage(ApiId=api_id, StageName="a", AutoDeploy=True)["DeploymentId"]
        b = self.c.create_stage(ApiId=api_id, StageName="b", AutoDeploy=True)["DeploymentId"]
        self.assertNotEqual(a, b)
        self.route(api_id, "GET /pets", integ)
        ids = self.deployment_ids(api_id)
        self.assertEqual(len(ids), 4)
        stages = {s["StageName"]: s["DeploymentId"]
                  for s in self.c.get_stages(ApiId=api_id)["Items"]}
        self.assertEqual(sorted(stages.values()), sorted(ids[2:]))

    def test_turning_auto_deploy_on_deploys(self):
        api_id = self.http_api()
        self.c.create_stage(ApiId=api_id, StageName="dev")
        stage = self.c.update_stage(ApiId=api_id, StageName="dev", AutoDeploy=True)
        self.assertRegex(stage["DeploymentId"], DEPLOYMENT_ID)
        self.assertEqual(self.deployment_ids(api_id), [stage["DeploymentId"]])
        # Updating other members of an autoDeploy stage deploys nothing new.
        self.c.update_stage(ApiId=api_id, StageName="dev", AutoDeploy=True, Description="x")
        self.c.update_stage(ApiId=api_id, StageName="dev", StageVariables={"a": "b"})
        self.assertEqual(len(self.deployment_ids(api_id)), 1)
        # Off: changes no longer deploy.
        self.c.update_stage(ApiId=api_id, StageName="dev", AutoDeploy=False)
        self.http_integration(api_id)
        self.assertEqual(len(self.deployment_ids(api_id)), 1)

    def test_websocket_without_routes_is_skipped(self):
        api_id = self.ws_api()
        stage = self.c.create_stage(ApiId=api_id, StageName="dev", AutoDeploy=True)
        self.assertNotIn("DeploymentId", stage)
        integ = self.c.create_integration(ApiId=api_id, IntegrationType="MOCK")["IntegrationId"]
        self.assertEqual(self.deployment_ids(api_id), [])
        self.route(api_id, "$connect", integ)
        ids = self.deployment_ids(api_id)
        self.assertEqual(len(ids), 1)
        self.assertEqual(self.c.get_stage(ApiId=api_id, StageName="dev")["DeploymentId"], ids[0])
        # Responses are part of the configuration as well.
        self.c.create_integration_response(ApiId=api_id, IntegrationId=integ,
                                           IntegrationResponseKey="$default")
        self.assertEqual(len(self.deployment_ids(api_id)), 2)

    def test_one_request_deploys_each_stage_once(self):
        # Quick create writes an integration, a route and the $default stage in one request.
        api = self.c.create_api(Name="quick", ProtocolType="HTTP", Target="https://example.com")
        api_id = api["ApiId"]
        stages = self.c.get_stages(ApiId=api_id)["Items"]
        self.assertEqual([(s["StageName"], s["AutoDeploy"], s["ApiGatewayManaged"])
                          for s in stages], [("$default", True, True)])
        ids = self.deployment_ids(api_id)
        self.assertEqual(ids, [stages[0]["DeploymentId"]])
        self.assertEqual([r["routeKey"] for r in self.deployed_config(api_id, "$default")["routes"]],
                         ["$default"])

        # Reimport replaces every route and integration in one request: one deployment.
        doc = {"openapi": "3.0.1", "info": {"title": "pets", "version": "1"}, "paths": {
            "/p%d" % i: {"get": {"x-amazon-apigateway-integration": {
                "type": "http_proxy", "httpMethod": "GET", "uri": "https://e.com/%d" % i,
                "payloadFormatVersion": "1.0"}}} for i in range(5)}}
        self.c.reimport_api(ApiId=api_id, Body=json.dumps(doc))
        ids = self.deployment_ids(api_id)
        self.assertEqual(len(ids), 2)
        stage = self.c.get_stage(ApiId=api_id, StageName="$default")
        self.assertEqual(stage["DeploymentId"], ids[1])
        self.assertEqual(sorted(r["routeKey"] for r in
                                self.deployed_config(api_id, "$default")["routes"]),
                         ["GET /p%d" % i for i in range(5)])

    def test_tagging_deploys_nothing(self):
        api_id = self.http_api()
        self.c.create_stage(ApiId=api_id, StageName="auto", AutoDeploy=True)
        arn = "arn:aws:apigateway:us-east-1::/apis/" + api_id
        self.c.tag_resource(ResourceArn=arn, Tags={"team": "blue"})
        self.c.untag_resource(ResourceArn=arn, TagKeys=["team"])
        self.assertEqual(len(self.deployment_ids(api_id)), 1)

    def test_auto_deployments_can_be_deleted_once_unused(self):
        api_id = self.http_api()
        first = self.c.create_stage(ApiId=api_id, StageName="auto",
                                    AutoDeploy=True)["DeploymentId"]
        self.http_integration(api_id)
        self.assertAwsError(lambda: self.c.delete_deployment(
            ApiId=api_id, DeploymentId=self.deployment_ids(api_id)[-1]),
            "BadRequestException", 400, "Active stages")
        self.c.delete_deployment(ApiId=api_id, DeploymentId=first)
        self.assertEqual(len(self.deployment_ids(api_id)), 1)


if __name__ == "__main__":
    unittest.main()
