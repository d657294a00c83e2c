"""The seed page's flow, driven by the real AWS CLI: a WebSocket API, the MOCK integration made
from integration-params.json, the Lambda AWS_PROXY integration, then Get/List/Update/Delete and
the NotFoundException lines the CLI prints.

The two sample outputs of the seed (tests/e2e/data/seed-*-output.json, copied verbatim from
/work/shared/seed) must come back member by member: the same members, the same values, only
IntegrationId differing.
"""
import json
import os
import re
import unittest

from harness import SEED_DIR, ServerTestCase

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
PARAMS = os.path.join(DATA, "integration-params.json")
LAMBDA_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:"
              "us-east-1:123412341234:function:simpleproxy-echo-e2e/invocations")
ACCOUNT = "000000000000"  # the harness's access key is not 12 digits: the default account


def load(name):
    with open(os.path.join(DATA, name)) as f:
        return json.load(f)


def cli_error(op, message):
    """What the CLI prints on stderr for a service error."""
    return "An error occurred (NotFoundException) when calling the %s operation: %s" % (op, message)


class SeedDataTest(unittest.TestCase):
    """The data files are the seed's text, unchanged (checked when the seed is at hand)."""

    def test_data_files_are_verbatim_from_the_seed(self):
        seeds = [os.path.join(SEED_DIR, n) for n in sorted(os.listdir(SEED_DIR))] \
            if os.path.isdir(SEED_DIR) else []
        if not seeds:
            self.skipTest("seed directory not present")
        text = "".join(open(p).read() for p in seeds)
        for name in ("integration-params.json", "seed-mock-output.json",
                     "seed-aws-proxy-output.json"):
            with open(os.path.join(DATA, name)) as f:
                self.assertIn(f.read().rstrip("\n"), text, name)


class SeedCliTest(ServerTestCase):

    def assertSeedOutput(self, out, expected):
        """Member by member: the same set of members, equal values, IntegrationId aside."""
        self.assertEqual(sorted(out), sorted(expected))
        for member, value in expected.items():
            if member == "IntegrationId":
                self.assertRegex(out[member], r"^[a-z0-9]{7}$")
            else:
                self.assertEqual(out[member], value, member)

    def new_ws_api(self):
        api = self.server.aws("create-api", "--name", "seed-ws", "--protocol-type", "WEBSOCKET",
                              "--route-selection-expression", "$request.body.action")
        self.assertEqual(api["ProtocolType"], "WEBSOCKET")
        self.assertRegex(api["ApiId"], r"^[a-z0-9]{10}$")
        self.assertEqual(api["ApiEndpoint"],
                         "wss://%s.execute-api.us-east-1.amazonaws.com" % api["ApiId"])
        return api["ApiId"]

    def test_seed_flow(self):
        aws = self.server.aws
        api = self.new_ws_api()

        # 1. The MOCK integration from the seed's file, with the seed's own command line.
        mock = aws("create-integration", "--api-id", api, "--cli-input-json", "file://" + PARAMS,
                   region="us-east-1")
        self.assertSeedOutput(mock, load("seed-mock-output.json"))

        # 2. The Lambda proxy integration.
        proxy = aws("create-integration", "--api-id", api, "--integration-type", "AWS_PROXY",
                    "--integration-method", "POST", "--integration-uri", LAMBDA_URI)
        self.assertSeedOutput(proxy, load("seed-aws-proxy-output.json"))
        self.assertNotEqual(mock["IntegrationId"], proxy["IntegrationId"])

        # 3. Get answers exactly what Create answered.
        for created in (mock, proxy):
            got = aws("get-integration", "--api-id", api, "--integration-id",
                      created["IntegrationId"])
            self.assertEqual(got, created)

        # 4. The list holds both, in creation order, and no token on its only page.
        listed = aws("get-integrations", "--api-id", api)
        self.assertEqual(listed, {"Items": [mock, proxy]})

        # 5. Update: the sent members change, the others stay.
        updated = aws("update-integration", "--api-id", api, "--integration-id",
                      mock["IntegrationId"], "--description", "seed mock",
                      "--timeout-in-millis", "10000")
        want = dict(mock, Description="seed mock", TimeoutInMillis=10000)
        self.assertEqual(updated, want)
        self.assertEqual(aws("get-integration", "--api-id", api, "--integration-id",
                             mock["IntegrationId"]), want)

        # 6. Delete: no output; afterwards the id is unknown, as the CLI reports it.
        self.assertIsNone(aws("delete-integration", "--api-id", api, "--integration-id",
                              mock["IntegrationId"]))
        rc, out, err = aws("get-integration", "--api-id", api, "--integration-id",
                           mock["IntegrationId"], check=False)
        self.assertEqual(rc, 255)
        self.assertEqual(out, "")
        self.assertEqual(err.strip(), cli_error(
            "GetIntegration", "Invalid Integration identifier specified " + mock["IntegrationId"]))
        self.assertEqual(aws("get-integrations", "--api-id", api), {"Items": [proxy]})

        rc, _, err = aws("delete-integration", "--api-id", api, "--integration-id",
                         mock["IntegrationId"], check=False)
        self.assertEqual(rc, 255)
        self.assertEqual(err.strip(), cli_error(
            "DeleteIntegration",
            "Invalid Integration identifier specified " + mock["IntegrationId"]))

    def test_not_found_messages(self):
        aws = self.server.aws
        api = self.new_ws_api()
        cases = [
            (("get-integration", "--api-id", api, "--integration-id", "zzzzzzz"),
             "GetIntegration", "Invalid Integration identifier specified zzzzzzz"),
            (("get-integration", "--api-id", "xxxx", "--integration-id", "zzzzzzz"),
             "GetIntegration", "Invalid API identifier specified %s:xxxx" % ACCOUNT),
            (("get-integrations", "--api-id", "xxxx"),
             "GetIntegrations", "Invalid API identifier specified %s:xxxx" % ACCOUNT),
            (("create-integration", "--api-id", "xxxx", "--integration-type", "MOCK"),
             "CreateIntegration", "Invalid API identifier specified %s:xxxx" % ACCOUNT),
            (("update-integration", "--api-id", api, "--integration-id", "zzzzzzz",
              "--description", "x"),
             "UpdateIntegration", "Invalid Integration identifier specified zzzzzzz"),
            (("update-integration", "--api-id", "xxxx", "--integration-id", "zzzzzzz",
              "--description", "x"),
             "UpdateIntegration", "Invalid API identifier specified %s:xxxx" % ACCOUNT),
            (("delete-integration", "--api-id", "xxxx", "--integration-id", "zzzzzzz"),
             "DeleteIntegration", "Invalid API identifier specified %s:xxxx" % ACCOUNT),
            (("get-api", "--api-id", "xxxx"),
             "GetApi", "Invalid API identifier specified %s:xxxx" % ACCOUNT),
        ]
        for args, op, message in cases:
            with self.subTest(op=op, args=args):
                rc, out, err = aws(*args, check=False)
                self.assertEqual(rc, 255)
                self.assertEqual(out, "")
                self.assertEqual(err.strip(), cli_error(op, message))

    def test_cli_input_json_file_is_the_seeds(self):
        """The file is passed as is: the CLI maps its PascalCase members onto the request."""
        with open(PARAMS) as f:
            params = json.load(f)
        self.assertEqual(params["IntegrationType"], "MOCK")
        api = self.new_ws_api()
        out = self.server.aws("create-integration", "--api-id", api,
                              "--cli-input-json", "file://" + PARAMS)
        for member, value in params.items():
            self.assertEqual(out[member], value, member)
        # The stored body uses the wire names (camelCase), as AWS sends them.
        status, hdrs, body = self.server.http(
            "GET", "/v2/apis/%s/integrations/%s" % (api, out["IntegrationId"]))
        self.assertEqual(status, 200)
        self.assertEqual(body["integrationResponseSelectionExpression"], "${response.statuscode}")
        self.assertEqual(body["requestTemplates"], {"application/json": '{"statusCode":200}'})
        self.assertTrue(re.match(r"^[0-9a-f-]{36}$", hdrs["x-amzn-requestid"]))


if __name__ == "__main__":
    unittest.main()
