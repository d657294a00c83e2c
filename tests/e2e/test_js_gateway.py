"""The AWS SDK for JavaScript v3's ApiGatewayManagementApiClient (pinned by
tests/js/package-lock.json) against apigwd-gateway's @connections, with a real Python
websockets client on the other end (tests/js/gateway_mgmt.mjs). Skipped, saying why, only when
Node.js is missing or npm cannot reach its registry."""
import json
import os
import re
import shutil
import subprocess
import unittest

from gateway_harness import Client, Gateway, Loop, connect_status, wait_for
from harness import REPO, Server, npm_install

JS_DIR = os.path.join(REPO, "tests", "js")
SDK = os.path.join(JS_DIR, "node_modules", "@aws-sdk", "client-apigatewaymanagementapi",
                   "package.json")


class JsManagementApiTest(unittest.TestCase):
    def setUp(self):
        if not shutil.which("node") or not shutil.which("npm"):
            self.skipTest("Node.js (node and npm) is not installed")
        if not os.path.exists(SDK):
            npm_install(JS_DIR, "@aws-sdk/client-apigatewaymanagementapi")
        self.server = Server(args=("--quiet",)).start()
        self.addCleanup(self.server.close)
        self.gw = Gateway(self.server.url).start()
        self.addCleanup(self.gw.close)
        self.loop = Loop()
        self.addCleanup(self.loop.close)

    def test_post_get_delete_gone(self):
        c = self.server.client()
        api = c.create_api(Name="js", ProtocolType="WEBSOCKET",
                           RouteSelectionExpression="$request.body.action")["ApiId"]
        iid = c.create_integration(ApiId=api, IntegrationType="MOCK")["IntegrationId"]
        c.create_route(ApiId=api, RouteKey="echo", Target="integrations/" + iid)
        c.create_stage(ApiId=api, StageName="prod")
        c.create_deployment(ApiId=api, StageName="prod")
        url = self.gw.ws_url(api, "prod")
        wait_for(lambda: connect_status(self.loop, url) == 101, what="stage served")
        ws = Client(self.loop, url)
        # The id, from the §D3.2 Forbidden frame of a frame no route takes.
        cid = json.loads(ws.ask('{"action":"nothing"}'))["connectionId"]
        env = dict(os.environ, GATEWAY_ENDPOINT="%s/%s/prod" % (self.gw.http_url, api),
                   CONNECTION_ID=cid, AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null", NODE_NO_WARNINGS="1")
        for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_REGION"):
            env.pop(var, None)
        p = subprocess.run(["node", "--test", "--test-reporter=tap", "gateway_mgmt.mjs"],
                           cwd=JS_DIR, env=env, capture_output=True, text=True, timeout=120)
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, 0, out)
        self.assertEqual(re.search(r"^# pass (\d+)$", p.stdout, re.M).group(1), "1", out)
        self.assertEqual(ws.recv(), "hello from js")
        self.assertEqual(ws.wait_closed()[0], 1000)


if __name__ == "__main__":
    unittest.main()
