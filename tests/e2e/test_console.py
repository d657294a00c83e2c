"""The web console (issue 8): apigwd serves console/ from its binary at /console/, and the page,
driven in Debian's Chromium by playwright-core (tests/console/, pinned by its package-lock.json),
walks the seed's "integration request" console steps against a server this test starts. The
integrations, routes and stage the page made are then read back with the real AWS CLI and
compared member by member. With `--auth sigv4` the page signs its requests in the browser.

`npm ci` installs playwright-core when tests/console/node_modules is missing. The browser tests
are skipped, saying why, only when Node.js or Chromium is not installed or npm cannot reach its
registry; any other failure fails them. Screenshots of every step: tests/out/console/.
"""
import glob
import json
import os
import re
import shutil
import subprocess
import unittest

import harness
from harness import BINARY, REPO, Server, npm_install

CONSOLE_DIR = os.path.join(REPO, "console")
TESTS_DIR = os.path.join(REPO, "tests", "console")
# One folder per backend: scripts/run-tests runs the SQLite and PostgreSQL passes at once.
OUT_DIR = os.path.join(REPO, "tests", "out", "console" if harness.BACKEND == "sqlite"
                       else "console-" + harness.BACKEND)
PLAYWRIGHT = os.path.join(TESTS_DIR, "node_modules", "playwright-core", "package.json")
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CSP = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
CALLER = "arn:aws:iam::*:user/*"


def lambda_uri(fn, region="us-east-1", account="000000000000"):
    return ("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/arn:aws:lambda:%s:%s:"
            "function:%s/invocations" % (region, region, account, fn))


def assert_clean_log(test, server):
    """No sanitizer report and no server fault in the server's log."""
    log = server.logs()
    for bad in ("runtime error", "AddressSanitizer", "LeakSanitizer", " ERROR "):
        test.assertNotIn(bad, log)


def browser_ready(test):
    """Skips `test` unless Node.js and Chromium are there; installs playwright-core."""
    if not shutil.which("node") or not shutil.which("npm"):
        test.skipTest("Node.js (node and npm) is not installed")
    if not os.access(CHROMIUM, os.X_OK):
        test.skipTest("Chromium is not installed (%s; apt-get install chromium)" % CHROMIUM)
    if not os.path.exists(PLAYWRIGHT):
        npm_install(TESTS_DIR, "playwright-core")


def run_node(test, files, env, expect_pass):
    """Runs `node --test FILES` in tests/console; asserts it passed `expect_pass` tests and
    failed none. Returns the TAP output."""
    env = dict(os.environ, NODE_NO_WARNINGS="1", CONSOLE_OUT=OUT_DIR, CHROMIUM=CHROMIUM, **env)
    p = subprocess.run(["node", "--test", "--test-reporter=tap"] + files, cwd=TESTS_DIR,
                       env=env, capture_output=True, text=True, timeout=180)
    out = p.stdout + p.stderr
    test.assertEqual(p.returncode, 0, out)
    passed = re.search(r"^# pass (\d+)$", p.stdout, re.M)
    failed = re.search(r"^# fail (\d+)$", p.stdout, re.M)
    skipped = re.search(r"^# skipped (\d+)$", p.stdout, re.M)
    test.assertTrue(passed and failed and skipped, out)
    test.assertEqual((int(failed.group(1)), int(skipped.group(1))), (0, 0), out)
    test.assertEqual(int(passed.group(1)), expect_pass, out)
    return out


class ConsoleFilesTest(unittest.TestCase):
    """The console's files, as the binary serves them."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(args=("--quiet",)).start()

    @classmethod
    def tearDownClass(cls):
        log = cls.server.logs()
        cls.server.stop()
        for bad in ("runtime error", "AddressSanitizer", "LeakSanitizer", " ERROR "):
            assert bad not in log, log

    def test_index_at_console_and_every_file_byte_for_byte(self):
        with open(os.path.join(CONSOLE_DIR, "index.html"), "rb") as f:
            index = f.read()
        for path in ("/console", "/console/", "/console/index.html"):
            status, headers, body = self.server.http("GET", path)
            self.assertEqual(status, 200, path)
            self.assertEqual(body.encode(), index, path)
            self.assertEqual(headers["content-type"], "text/html; charset=utf-8", path)
            self.assertEqual(headers["content-security-policy"], CSP, path)
            self.assertEqual(headers["cache-control"], "no-cache", path)
            self.assertEqual(headers["x-content-type-options"], "nosniff", path)
        types = {".mjs": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
                 ".svg": "image/svg+xml", ".html": "text/html; charset=utf-8"}
        files = sorted(os.listdir(CONSOLE_DIR))
        self.assertIn("app.mjs", files)
        for name in files:
            with open(os.path.join(CONSOLE_DIR, name), "rb") as f:
                want = f.read()
            status, headers, body = self.server.http("GET", "/console/" + name)
            self.assertEqual(status, 200, name)
            self.assertEqual(body.encode() if isinstance(body, str) else json.dumps(body), want, name)
            self.assertEqual(headers["content-type"], types[os.path.splitext(name)[1]], name)
            self.assertEqual(headers["content-security-policy"], CSP, name)

    def test_the_page_loads_only_its_own_files(self):
        # No inline script, handler or style (the CSP would block them); the only absolute
        # URLs are placeholders and the SVG namespace, never something to fetch.
        allowed = {"backend.example.com", "internal-nlb.example.com", "www.w3.org", "internal..."}
        for name in os.listdir(CONSOLE_DIR):
            with open(os.path.join(CONSOLE_DIR, name), encoding="utf-8") as f:
                text = f.read()
            for host in re.findall(r"https?://([^/\s'\"`)<]+)", text):
                self.assertIn(host, allowed, name)
            self.assertNotRegex(text, r"\bimport\s*\(?\s*['\"]https?:", name)
            if name.endswith(".html"):
                self.assertNotRegex(text, r"<script(?![^>]*\bsrc=)", name)
                self.assertNotRegex(text, r"\son[a-z]+=|\sstyle=", name)

    def test_unknown_file_and_method(self):
        status, headers, body = self.server.http("GET", "/console/nope.js")
        self.assertEqual(status, 404)
        self.assertEqual(headers["x-amzn-errortype"], "NotFoundException")
        self.assertEqual(body["message"], "No console file nope.js")
        self.assertNotIn("content-security-policy", headers)
        status, headers, _ = self.server.http("GET", "/console/..%2Fapigwd.db")
        self.assertEqual(status, 404)
        status, headers, _ = self.server.http("POST", "/console/app.mjs", body={})
        self.assertEqual(status, 405)
        self.assertEqual(headers["allow"], "GET")


class ConsoleBrowserTest(unittest.TestCase):
    """The seed's console steps in Chromium, read back with the aws CLI."""

    def setUp(self):
        browser_ready(self)
        os.makedirs(OUT_DIR, exist_ok=True)
        for old in glob.glob(os.path.join(OUT_DIR, "*.png")):
            os.unlink(old)
        self.server = Server(args=("--quiet",)).start()
        self.addCleanup(self.server.stop)

    def test_seed_console_steps_then_read_back_with_the_cli(self):
        s = self.server
        s.aws("create-api", "--name", "console-tagged", "--protocol-type", "HTTP",
              "--tags", "team=platform")
        link = s.aws("create-vpc-link", "--name", "console-link", "--subnet-ids", "subnet-0a1b2c3d")
        result_file = os.path.join(s.tmp, "console-result.json")
        run_node(self, ["sigv4.test.mjs", "integration.test.mjs", "console.test.mjs"],
                 {"APIGWD_URL": s.url, "CONSOLE_VPC_LINK_ID": link["VpcLinkId"],
                  "CONSOLE_RESULT": result_file}, expect_pass=11 + 6 + 12)
        with open(result_file) as f:
            r = json.load(f)
        api = r["apiId"]

        def integration(label):
            got = s.aws("get-integration", "--api-id", api, "--integration-id",
                        r["integrations"][label])
            self.assertEqual(got.pop("IntegrationId"), r["integrations"][label])
            return got

        # 1. Lambda proxy, alias, caller credentials, custom timeout.
        self.assertEqual(integration("connect"), {
            "ConnectionType": "INTERNET",
            "CredentialsArn": CALLER,
            "IntegrationMethod": "POST",
            "IntegrationType": "AWS_PROXY",
            "IntegrationUri": lambda_uri("HelloWorld:alpha"),
            "PassthroughBehavior": "WHEN_NO_MATCH",
            "TimeoutInMillis": 12000,
        })
        # 2. Lambda (not proxy), version, execution role.
        self.assertEqual(integration("disconnect"), {
            "ConnectionType": "INTERNET",
            "CredentialsArn": "arn:aws:iam::123456789012:role/apigateway-invoke-lambda",
            "IntegrationMethod": "POST",
            "IntegrationResponseSelectionExpression": "${integration.response.body.errorMessage}",
            "IntegrationType": "AWS",
            "IntegrationUri": lambda_uri("HelloWorld:1"),
            "PassthroughBehavior": "WHEN_NO_MATCH",
            "TimeoutInMillis": 29000,
        })
        # 3. Mock with the seed's request template (the template added and removed is gone).
        self.assertEqual(integration("sendmessage"), {
            "ConnectionType": "INTERNET",
            "IntegrationResponseSelectionExpression": "${response.statuscode}",
            "IntegrationType": "MOCK",
            "PassthroughBehavior": "WHEN_NO_MATCH",
            "RequestTemplates": {"application/json": "{\"statusCode\":200}"},
            "TemplateSelectionExpression": "\\$default",
            "TimeoutInMillis": 29000,
        })
        # 4. VPC link through the vpcLinkId stage variable.
        self.assertEqual(integration("default"), {
            "ConnectionId": "${stageVariables.vpcLinkId}",
            "ConnectionType": "VPC_LINK",
            "IntegrationMethod": "POST",
            "IntegrationType": "HTTP_PROXY",
            "IntegrationUri": "https://backend.example.internal/ws",
            "PassthroughBehavior": "WHEN_NO_MATCH",
            "TimeoutInMillis": 29000,
        })
        # 5. Edited Mock → AWS Service → HTTP: the last one, made anew (the role could not be
        # removed by an update); the one before is gone.
        self.assertEqual(integration("relay"), {
            "ConnectionType": "INTERNET",
            "IntegrationMethod": "GET",
            "IntegrationResponseSelectionExpression": "${response.statuscode}",
            "IntegrationType": "HTTP",
            "IntegrationUri": "https://backend.example.com/relay",
            "PassthroughBehavior": "WHEN_NO_MATCH",
            "RequestTemplates": {"application/json": "{\"action\":\"relay\"}"},
            "TimeoutInMillis": 29000,
        })
        rc, _, err = s.aws("get-integration", "--api-id", api, "--integration-id",
                           r["replacedIntegration"], check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("NotFoundException", err)
        # Each route targets its integration; the refused 29001 changed nothing.
        keys = {"connect": "$connect", "disconnect": "$disconnect",
                "sendmessage": "sendmessage", "default": "$default", "relay": "relay"}
        for label, route_id in r["routes"].items():
            route = s.aws("get-route", "--api-id", api, "--route-id", route_id)
            self.assertEqual(route["RouteKey"], keys[label])
            self.assertEqual(route["Target"], "integrations/" + r["integrations"][label])
        self.assertEqual(len(s.aws("get-routes", "--api-id", api)["Items"]), 5)
        self.assertEqual(len(s.aws("get-integrations", "--api-id", api)["Items"]), 5)
        # The stage: its variable names the VPC link; Deploy API moved it to a new deployment.
        stage = s.aws("get-stage", "--api-id", api, "--stage-name", "production")
        self.assertEqual(stage["StageVariables"], {"vpcLinkId": link["VpcLinkId"]})
        self.assertEqual(stage["DeploymentId"], r["deploymentId"])
        dep = s.aws("get-deployment", "--api-id", api, "--deployment-id", r["deploymentId"])
        self.assertEqual((dep["DeploymentStatus"], dep["Description"], dep["AutoDeployed"]),
                         ("DEPLOYED", "from the console", False))
        # A screenshot of each step.
        self.assertGreaterEqual(len(r["screenshots"]), 20)
        for png in r["screenshots"]:
            self.assertTrue(png.startswith(OUT_DIR), png)
            with open(png, "rb") as f:
                self.assertEqual(f.read(8), b"\x89PNG\r\n\x1a\n", png)
        assert_clean_log(self, s)


class ConsoleSigV4Test(unittest.TestCase):
    """--auth sigv4: the page signs with Web Crypto; the CLI reads back with the same key."""

    def setUp(self):
        browser_ready(self)
        os.makedirs(OUT_DIR, exist_ok=True)
        self.server = Server(args=("--quiet", "--auth", "sigv4"))
        p = subprocess.run([BINARY, "credentials", "create", "--account", "111122223333",
                            "--db", self.server.db], capture_output=True, text=True, timeout=30)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.key = json.loads(p.stdout)
        self.server.start()
        self.addCleanup(self.server.stop)

    def test_sign_in_and_signed_requests(self):
        s = self.server
        result_file = os.path.join(s.tmp, "console-auth-result.json")
        run_node(self, ["console-auth.test.mjs"],
                 {"APIGWD_AUTH_URL": s.url, "CONSOLE_AKID": self.key["accessKeyId"],
                  "CONSOLE_SECRET": self.key["secretAccessKey"], "CONSOLE_RESULT": result_file},
                 expect_pass=4)
        with open(result_file) as f:
            r = json.load(f)
        env = dict(os.environ, AWS_ACCESS_KEY_ID=self.key["accessKeyId"],
                   AWS_SECRET_ACCESS_KEY=self.key["secretAccessKey"], AWS_PAGER="",
                   AWS_CONFIG_FILE="/dev/null", AWS_SHARED_CREDENTIALS_FILE="/dev/null")

        def cli(*args):
            p = subprocess.run(["aws", "apigatewayv2", "--endpoint-url", s.url, "--region",
                                "eu-west-1", "--output", "json"] + list(args),
                               capture_output=True, text=True, env=env, timeout=120)
            self.assertEqual(p.returncode, 0, p.stderr)
            return json.loads(p.stdout)

        self.assertEqual(cli("get-api", "--api-id", r["apiId"])["Name"], "console-signed")
        got = cli("get-integration", "--api-id", r["apiId"], "--integration-id", r["integrationId"])
        self.assertEqual(got["IntegrationUri"],
                         lambda_uri("HelloWorld:alpha", "eu-west-1", "111122223333"))
        self.assertEqual(cli("get-route", "--api-id", r["apiId"], "--route-id", r["routeId"])["Target"],
                         "integrations/" + r["integrationId"])
        assert_clean_log(self, s)


if __name__ == "__main__":
    unittest.main()
