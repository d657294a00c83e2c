"""The third real client: the AWS SDK for JavaScript v3 (@aws-sdk/client-apigatewayv2, pinned by
tests/js/package-lock.json) runs the seed's flow and a paginated listing against a server this
test starts, with Node's built-in test runner (tests/js/seed_flow.test.js).

`npm ci` installs the SDK when tests/js/node_modules is missing. The test is skipped, saying
why, only when Node.js is not installed or npm cannot reach its registry; any other failure of
npm or of the scenario fails it.
"""
import os
import re
import shutil
import subprocess
import unittest

from harness import REPO, Server, npm_install

JS_DIR = os.path.join(REPO, "tests", "js")
SDK = os.path.join(JS_DIR, "node_modules", "@aws-sdk", "client-apigatewayv2", "package.json")


class JsSdkTest(unittest.TestCase):

    def setUp(self):
        # Skipped inside the test (not the class), so that the skip is counted as one.
        if not shutil.which("node") or not shutil.which("npm"):
            self.skipTest("Node.js (node and npm) is not installed")
        if not os.path.exists(SDK):
            npm_install(JS_DIR, "@aws-sdk/client-apigatewayv2")
        self.server = Server(args=("--quiet",)).start()
        self.addCleanup(self.server.stop)

    def test_seed_flow_and_pagination(self):
        env = dict(os.environ, APIGWD_URL=self.server.url, AWS_CONFIG_FILE="/dev/null",
                   AWS_SHARED_CREDENTIALS_FILE="/dev/null", NODE_NO_WARNINGS="1")
        for var in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "AWS_REGION"):
            env.pop(var, None)
        p = subprocess.run(["node", "--test", "--test-reporter=tap"], cwd=JS_DIR, env=env,
                           capture_output=True, text=True, timeout=120)
        out = p.stdout + p.stderr
        self.assertEqual(p.returncode, 0, out)
        passed = re.search(r"^# pass (\d+)$", p.stdout, re.M)
        failed = re.search(r"^# fail (\d+)$", p.stdout, re.M)
        self.assertTrue(passed and failed, out)
        self.assertEqual(int(failed.group(1)), 0, out)
        self.assertEqual(int(passed.group(1)), 2, out)  # both scenarios ran
        # The calls reached this server: 1 + 7 APIs were made in it.
        status, _, body = self.server.http("GET", "/_apigwd/health")
        self.assertEqual(status, 200)
        self.assertGreaterEqual(body["revision"], 8)


if __name__ == "__main__":
    unittest.main()
