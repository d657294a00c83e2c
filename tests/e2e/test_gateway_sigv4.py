"""@connections under `--auth sigv4` (docs/gateway.md "@connections and SigV4"; docs/aws-behaviour.md
§D1.2-§D1.3): boto3's apigatewaymanagementapi signs for real with keys of `apigwd credentials
create`; a wrong secret, an unknown key or no signature is 403 ForbiddenException. Both forms:
a standalone apigwd-gateway (keys from the control plane's /dataplane/v1/signing-keys) and the
in-process gateway (keys from the credential store)."""
import json
import os
import subprocess
import tempfile
import time
import unittest
import urllib.error
import urllib.request

from botocore.exceptions import ClientError

from gateway_harness import GATEWAY, Client, Gateway, Loop, connect_status, wait_for
from harness import Server
from test_auth import create_key

ACCOUNT = "111122223333"


def mgmt(url, key, secret, region="us-east-1"):
    import boto3
    from botocore.config import Config
    return boto3.client("apigatewaymanagementapi", endpoint_url=url, region_name=region,
                        aws_access_key_id=key, aws_secret_access_key=secret,
                        config=Config(retries={"total_max_attempts": 1}))


def boto_v2(server, key):
    import boto3
    from botocore.config import Config
    return boto3.client("apigatewayv2", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id=key["accessKeyId"],
                        aws_secret_access_key=key["secretAccessKey"],
                        config=Config(retries={"total_max_attempts": 1}))


def mock_api(c):
    api = c.create_api(Name="sig", ProtocolType="WEBSOCKET",
                       RouteSelectionExpression="$request.body.action")["ApiId"]
    iid = c.create_integration(ApiId=api, IntegrationType="MOCK")["IntegrationId"]
    c.create_route(ApiId=api, RouteKey="echo", Target="integrations/" + iid)
    c.create_stage(ApiId=api, StageName="prod")
    c.create_deployment(ApiId=api, StageName="prod")
    return api


class Checks:
    """The checks, for a gateway at self.http (base URL) and self.ws(api) (upgrade URL)."""

    def error(self, fn):
        with self.assertRaises(ClientError) as cm:
            fn()
        return cm.exception.response

    def test_signed_calls_work_bad_keys_forbidden(self):
        ws = Client(self.loop, self.ws(self.api))
        good = mgmt("%s/%s/prod" % (self.http, self.api), self.key["accessKeyId"],
                    self.key["secretAccessKey"])
        r = self.error(lambda: good.get_connection(ConnectionId="AAAAAAAAAAAAAAA="))
        self.assertEqual(r["Error"]["Code"], "GoneException")  # signed: past the check
        cid = self.connection_id(ws)
        good.post_to_connection(ConnectionId=cid, Data=b"hello")
        self.assertEqual(ws.recv(), "hello")
        self.assertIn("ConnectedAt", good.get_connection(ConnectionId=cid))
        bad = mgmt("%s/%s/prod" % (self.http, self.api), self.key["accessKeyId"], "wrong")
        r = self.error(lambda: bad.post_to_connection(ConnectionId=cid, Data=b"x"))
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 403)
        self.assertEqual(r["Error"]["Code"], "ForbiddenException")
        self.assertIn("signature", r["Error"]["Message"])
        unknown = mgmt("%s/%s/prod" % (self.http, self.api), "AKIAUNKNOWNKEY000000", "x")
        r = self.error(lambda: unknown.get_connection(ConnectionId=cid))
        self.assertEqual(r["Error"]["Code"], "ForbiddenException")
        other_region = mgmt("%s/%s/prod" % (self.http, self.api), self.key["accessKeyId"],
                            self.key["secretAccessKey"], region="eu-west-1")
        self.assertIn("ConnectedAt", other_region.get_connection(ConnectionId=cid))
        req = urllib.request.Request("%s/%s/prod/@connections/%s" % (self.http, self.api, cid),
                                     data=b"unsigned", method="POST")
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(req, timeout=10)
        self.assertEqual(cm.exception.code, 403)
        self.assertEqual(cm.exception.headers["x-amzn-ErrorType"], "ForbiddenException")
        self.assertTrue(ws.no_frame(0.3))  # nothing refused reached the client
        good.delete_connection(ConnectionId=cid)
        self.assertEqual(ws.wait_closed()[0], 1000)

    def connection_id(self, ws):
        """The connection's id, from the §D3.2 Forbidden frame of a frame no route takes."""
        return json.loads(ws.ask('{"action":"nothing"}'))["connectionId"]


class StandaloneTest(Checks, unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # --account-id: /dataplane/ is not SigV4-checked, so its account is the default one.
        cls.server = Server(args=["--auth", "sigv4", "--account-id", ACCOUNT])
        cls.key = create_key(cls.server.db, ACCOUNT)
        cls.server.start()
        cls.c = boto_v2(cls.server, cls.key)
        env = dict(os.environ, AWS_ACCESS_KEY_ID=cls.key["accessKeyId"],
                   AWS_SECRET_ACCESS_KEY=cls.key["secretAccessKey"], AWS_REGION="us-east-1")
        cls.gw = Gateway(cls.server.url, ["--auth", "sigv4"], env=env).start()
        cls.http = cls.gw.http_url
        cls.loop = Loop()
        cls.api = mock_api(cls.c)
        wait_for(lambda: connect_status(cls.loop, cls.ws(cls.api)) == 101,
                 what="stage served\n" + cls.gw.logs())

    @classmethod
    def tearDownClass(cls):
        cls.gw.close()
        cls.loop.close()
        cls.server.close()

    @classmethod
    def ws(cls, api):
        return cls.gw.ws_url(api, "prod")

    def test_off_loopback_needs_sigv4(self):
        """@connections is never open off loopback without SigV4: the gateway refuses to
        start; with --auth sigv4 it starts."""
        p = subprocess.run([GATEWAY, "--control", self.server.url, "--listen", "0.0.0.0:0"],
                           capture_output=True, text=True, timeout=10)
        self.assertEqual(p.returncode, 2)
        self.assertIn("--auth sigv4", p.stderr)
        with tempfile.TemporaryDirectory() as d:
            pf = os.path.join(d, "port")
            proc = subprocess.Popen([GATEWAY, "--control", self.server.url, "--auth", "sigv4",
                                     "--listen", "0.0.0.0:0", "--port-file", pf],
                                    stderr=subprocess.DEVNULL)
            try:
                wait_for(lambda: os.path.exists(pf), what="gateway on 0.0.0.0")
            finally:
                proc.terminate()
                proc.wait(10)


class InProcessTest(Checks, unittest.TestCase):
    """apigwd --auth sigv4 --gateway-listen: the hook reads the credential store. The
    in-process follower signs with the environment's key, as the standalone one does."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp(prefix="apigwd-gwsig-")
        pf = os.path.join(cls.tmp, "gw.port")
        cls.server = Server(args=["--auth", "sigv4", "--account-id", ACCOUNT,
                                  "--gateway-listen", "127.0.0.1:0",
                                  "--gateway-port-file", pf])
        cls.key = create_key(cls.server.db, ACCOUNT)
        saved = dict(os.environ)
        os.environ.update(AWS_ACCESS_KEY_ID=cls.key["accessKeyId"],
                          AWS_SECRET_ACCESS_KEY=cls.key["secretAccessKey"])
        try:
            cls.server.start()
        finally:
            os.environ.clear()
            os.environ.update(saved)
        cls.port = int(wait_for(lambda: os.path.exists(pf) and open(pf).read().strip(),
                                what="gateway port"))
        cls.http = "http://127.0.0.1:%d" % cls.port
        cls.c = boto_v2(cls.server, cls.key)
        cls.loop = Loop()
        cls.api = mock_api(cls.c)
        wait_for(lambda: connect_status(cls.loop, cls.ws(cls.api)) == 101,
                 what="stage served\n" + cls.server.logs())

    @classmethod
    def tearDownClass(cls):
        cls.loop.close()
        cls.server.close()

    @classmethod
    def ws(cls, api):
        return "ws://127.0.0.1:%d/%s/prod" % (cls.port, api)


if __name__ == "__main__":
    unittest.main()
