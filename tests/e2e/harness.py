"""harness.py — start the real apigwd on a free loopback port and talk to it.

Every end-to-end test uses this: `Server` runs the binary (env APIGWD, default <repo>/apigwd)
with --listen 127.0.0.1:0 --port-file, so tests never race for ports; `client()` gives a boto3
apigatewayv2 client, `aws()` runs the real AWS CLI, `http()` sends raw requests.
"""
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("APIGWD", os.path.join(REPO, "apigwd"))
SEED_DIR = os.path.join(os.path.dirname(REPO), "shared", "seed")

# Credentials the CLI and boto3 sign with; the server does not check them unless --auth sigv4.
CRED_ENV = {
    "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "secret",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_PAGER": "",
    "AWS_CONFIG_FILE": "/dev/null",
    "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
}


class Server:
    """One apigwd process. db=None gives a fresh file in a temp dir (kept across restart())."""

    def __init__(self, db=None, args=()):
        self.tmp = tempfile.mkdtemp(prefix="apigwd-test-")
        self.db = db or os.path.join(self.tmp, "apigwd.db")
        self.args = list(args)
        self.proc = None
        self.port = None
        self.log_path = os.path.join(self.tmp, "server.log")

    def start(self):
        port_file = os.path.join(self.tmp, "port")
        if os.path.exists(port_file):
            os.unlink(port_file)
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [BINARY, "--listen", "127.0.0.1:0", "--port-file", port_file, "--db", self.db]
            + self.args,
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 10
        while time.time() < deadline:
            if os.path.exists(port_file):
                with open(port_file) as f:
                    text = f.read().strip()
                if text:
                    self.port = int(text)
                    return self
            if self.proc.poll() is not None:
                raise RuntimeError("apigwd exited at start:\n" + self.logs())
            time.sleep(0.01)
        raise RuntimeError("apigwd did not start:\n" + self.logs())

    def logs(self):
        with open(self.log_path) as f:
            return f.read()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Stops the server; returns its exit status (None if it had to be killed)."""
        if not self.proc:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            rc = None
        self.proc = None
        self.log.close()
        return rc

    def restart(self):
        self.stop()
        return self.start()

    def close(self):
        """Stops the server and removes its temp dir (kept when APIGWD_KEEP_TEST_DIRS is set,
        for a look at the database and log)."""
        self.stop()
        if not os.environ.get("APIGWD_KEEP_TEST_DIRS"):
            shutil.rmtree(self.tmp, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()

    # ---- clients ----

    def client(self, validate=True, region="us-east-1", access_key=None):
        import boto3
        from botocore.config import Config
        return boto3.client(
            "apigatewayv2", endpoint_url=self.url, region_name=region,
            aws_access_key_id=access_key or CRED_ENV["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CRED_ENV["AWS_SECRET_ACCESS_KEY"],
            config=Config(parameter_validation=validate, retries={"max_attempts": 1}))

    def aws(self, *args, check=True, region="us-east-1"):
        """Runs `aws apigatewayv2 ARGS --endpoint-url URL`; returns the parsed JSON output
        (None for no output). With check=False returns (returncode, stdout, stderr)."""
        env = dict(os.environ, **CRED_ENV)
        cmd = ["aws", "apigatewayv2", "--endpoint-url", self.url, "--region", region,
               "--output", "json"] + list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
        if not check:
            return p.returncode, p.stdout, p.stderr
        if p.returncode != 0:
            raise AssertionError("%s failed (%d): %s" % (" ".join(cmd), p.returncode, p.stderr))
        return json.loads(p.stdout) if p.stdout.strip() else None

    def http(self, method, path, body=None, headers=None):
        """Raw request; returns (status, headers dict (lower-case names), parsed JSON or text)."""
        data = body if isinstance(body, (bytes, type(None))) else (
            body.encode() if isinstance(body, str) else json.dumps(body).encode())
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers=headers or {})
        if data is not None and "Content-Type" not in (headers or {}):
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, hdrs, raw = r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            status, hdrs, raw = e.code, e.headers, e.read()
        text = raw.decode("utf-8", "replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return status, {k.lower(): v for k, v in hdrs.items()}, parsed


class ServerTestCase(unittest.TestCase):
    """A test class sharing one server (fresh database) across its tests."""

    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.server = Server(args=cls.server_args).start()

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def wire(self, path):
        """GET path on the server: asserts a 200 and returns the JSON exactly as sent
        (camelCase, every member)."""
        status, _, body = self.server.http("GET", path)
        self.assertEqual(status, 200, body)
        return body

    def assertAwsError(self, call, name, status, message=None):
        """Asserts that call() raises botocore's ClientError `name` with HTTP `status`
        (and, when given, a message containing `message`). Returns the error."""
        from botocore.exceptions import ClientError
        with self.assertRaises(ClientError) as cm:
            call()
        err = cm.exception.response
        self.assertEqual(err["Error"]["Code"], name, err)
        self.assertEqual(err["ResponseMetadata"]["HTTPStatusCode"], status, err)
        if message is not None:
            self.assertIn(message, err["Error"]["Message"])
        return err


class TwoApisTestCase(ServerTestCase):
    """A shared server with one WEBSOCKET (cls.ws) and one HTTP (cls.http) API, and two boto3
    clients: cls.c validates parameters, cls.raw lets anything through to the server."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c = cls.server.client()
        cls.raw = cls.server.client(validate=False)
        cls.ws = cls.c.create_api(Name="ws", ProtocolType="WEBSOCKET",
                                  RouteSelectionExpression="$request.body.action")["ApiId"]
        cls.http = cls.c.create_api(Name="http", ProtocolType="HTTP")["ApiId"]


def npm_install(directory, what):
    """Installs directory's locked npm dependencies (`npm ci`); raises SkipTest when the
    registry is out of reach, AssertionError on any other npm failure."""
    p = subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                       cwd=directory, capture_output=True, text=True, timeout=300)
    if p.returncode == 0:
        return
    offline = re.search(r"^.*(ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|ECONNRESET|"
                        r"ENETUNREACH).*$", p.stderr + p.stdout, re.M)
    if offline:
        raise unittest.SkipTest("npm cannot reach its registry to install %s: %s"
                                % (what, offline.group(0).strip()))
    raise AssertionError("npm ci failed (%d):\n%s%s" % (p.returncode, p.stdout, p.stderr))
