"""Authentication and accounts (issue 5 items 1-2, spec §8): `--auth sigv4` with keys made by
`apigwd credentials create`, driven by the real AWS CLI and boto3; the errors AWS sends for a
wrong secret, an unknown key, no signature, an expired or future date, a tampered body or a
wrong service; presigned URLs and session tokens; keys created and deleted while the server
runs; the paths that are never checked; accounts that never see each other's resources (under
sigv4 and under `--auth none` with 12-digit access keys); `--auth none` refused off loopback.
"""
import datetime
import http.client
import json
import os
import subprocess
import unittest
import urllib.request
from unittest import mock

from harness import BINARY, Server, ServerTestCase

ACCOUNT_A = "111122223333"
ACCOUNT_B = "444455556666"
SIG_MISMATCH = ("The request signature we calculated does not match the signature you provided. "
                "Check your AWS Secret Access Key and signing method.")


def credentials(*args, db):
    """Runs `apigwd credentials ARGS --db DB`; returns (returncode, stdout, stderr)."""
    p = subprocess.run([BINARY, "credentials"] + list(args) + ["--db", db],
                       capture_output=True, text=True, timeout=30)
    return p.returncode, p.stdout, p.stderr


def create_key(db, account):
    rc, out, err = credentials("create", "--account", account, db=db)
    if rc != 0:
        raise AssertionError("credentials create failed: %s" % err)
    return json.loads(out)


def boto(server, key, secret, region="us-east-1", token=None):
    import boto3
    from botocore.config import Config
    return boto3.client(
        "apigatewayv2", endpoint_url=server.url, region_name=region,
        aws_access_key_id=key, aws_secret_access_key=secret, aws_session_token=token,
        config=Config(retries={"total_max_attempts": 1}))


def cli(server, key, secret, *args, region="us-east-1"):
    """The real AWS CLI with these credentials; returns (returncode, parsed stdout, stderr)."""
    env = dict(os.environ, AWS_ACCESS_KEY_ID=key, AWS_SECRET_ACCESS_KEY=secret,
               AWS_DEFAULT_REGION=region, AWS_PAGER="", AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_MAX_ATTEMPTS="1")
    env.pop("AWS_SESSION_TOKEN", None)
    p = subprocess.run(["aws", "apigatewayv2", "--endpoint-url", server.url, "--output", "json"]
                       + list(args), capture_output=True, text=True, env=env, timeout=120)
    out = json.loads(p.stdout) if p.returncode == 0 and p.stdout.strip() else None
    return p.returncode, out, p.stderr


def signed(server, method, path, key, secret, body=b"", when=None, region="us-east-1",
           service="apigateway", headers=None, send_body=None):
    """Signs a request with botocore's SigV4Auth (at time `when`, default now) and sends it;
    `send_body` replaces the body after signing. Returns (status, headers, parsed body)."""
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    req = AWSRequest(method=method, url=server.url + path, data=body,
                     headers=dict(headers or {}, **({"Content-Type": "application/json"}
                                                    if body else {})))
    auth = SigV4Auth(Credentials(key, secret), service, region)
    now = when or datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    with mock.patch("botocore.auth.get_current_datetime", return_value=now):
        auth.add_auth(req)
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        conn.request(method, path, body=body if send_body is None else send_body,
                     headers=dict(req.headers.items()))
        resp = conn.getresponse()
        raw = resp.read()
        hdrs = {k.lower(): v for k, v in resp.getheaders()}
    finally:
        conn.close()
    text = raw.decode("utf-8", "replace")
    return resp.status, hdrs, json.loads(text) if text else None


class SigV4Test(ServerTestCase):
    """One server with --auth sigv4 and keys of two accounts."""

    @classmethod
    def setUpClass(cls):
        cls.server = Server(args=["--auth", "sigv4"])
        cls.a = create_key(cls.server.db, ACCOUNT_A)
        cls.a2 = create_key(cls.server.db, ACCOUNT_A)   # a second key of the same account
        cls.b = create_key(cls.server.db, ACCOUNT_B)
        cls.server.start()
        cls.ca = boto(cls.server, cls.a["accessKeyId"], cls.a["secretAccessKey"])
        cls.cb = boto(cls.server, cls.b["accessKeyId"], cls.b["secretAccessKey"])

    def assertRefused(self, answer, name, message=None):
        status, hdrs, body = answer
        self.assertEqual(status, 403, body)
        self.assertEqual(hdrs.get("x-amzn-errortype"), name, body)
        self.assertEqual(hdrs.get("content-type"), "application/json")
        if message is not None:
            self.assertIn(message, body["message"])
        return body

    # ---- the keys ----

    def test_credentials_command(self):
        self.assertEqual(self.a["accountId"], ACCOUNT_A)
        self.assertRegex(self.a["accessKeyId"], r"^AGWD[A-Z2-7]{16}$")
        self.assertRegex(self.a["secretAccessKey"], r"^[A-Za-z0-9+/]{40}$")
        self.assertNotEqual(self.a["accessKeyId"], self.a2["accessKeyId"])
        if os.path.isfile(self.server.db):  # a SQLite file holds the secrets: owner only
            self.assertEqual(os.stat(self.server.db).st_mode & 0o777, 0o600)
        rc, out, _ = credentials("list", db=self.server.db)
        self.assertEqual(rc, 0)
        listed = json.loads(out)["credentials"]
        self.assertIn({"accessKeyId": self.b["accessKeyId"], "accountId": ACCOUNT_B},
                      [{k: c[k] for k in ("accessKeyId", "accountId")} for c in listed])
        self.assertNotIn(self.a["secretAccessKey"], out)   # list never shows secrets
        self.assertTrue(all(set(c) == {"accessKeyId", "accountId", "createdDate"}
                            for c in listed))
        # Usage errors.
        self.assertEqual(credentials("create", "--account", "123", db=self.server.db)[0], 2)
        self.assertEqual(credentials("create", db=self.server.db)[0], 2)
        self.assertEqual(credentials("frobnicate", db=self.server.db)[0], 2)
        rc, _, err = credentials("delete", "AGWDNOSUCHKEY0000000", db=self.server.db)
        self.assertEqual(rc, 1)
        self.assertIn("no access key", err)
        p = subprocess.run([BINARY, "credentials", "--help"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0)
        self.assertIn("credentials create --account", p.stdout)
        # A given pair (fixtures); a taken id is refused.
        rc, out, _ = credentials("create", "--account", ACCOUNT_B, "--access-key-id",
                                 "FIXTUREKEY000001", "--secret-access-key",
                                 "fixture-secret-0001", db=self.server.db)
        self.assertEqual(rc, 0)
        self.assertEqual(json.loads(out)["secretAccessKey"], "fixture-secret-0001")
        rc, _, err = credentials("create", "--account", ACCOUNT_B, "--access-key-id",
                                 "FIXTUREKEY000001", "--secret-access-key", "x" * 20,
                                 db=self.server.db)
        self.assertEqual(rc, 1)
        self.assertIn("exists already", err)
        fixture = boto(self.server, "FIXTUREKEY000001", "fixture-secret-0001")
        self.assertIn("Items", fixture.get_apis())

    def test_cli_with_created_key(self):
        rc, api, err = cli(self.server, self.a["accessKeyId"], self.a["secretAccessKey"],
                           "create-api", "--name", "cli-signed", "--protocol-type", "HTTP",
                           region="eu-west-1")
        self.assertEqual(rc, 0, err)
        self.assertIn(".eu-west-1.", api["ApiEndpoint"])   # the region of the scope
        rc, got, err = cli(self.server, self.a["accessKeyId"], self.a["secretAccessKey"],
                           "get-api", "--api-id", api["ApiId"], region="eu-west-1")
        self.assertEqual(rc, 0, err)
        self.assertEqual(got["Name"], "cli-signed")
        # An id with a ':' in the path (tags: the ARN is encoded once more in the signature).
        arn = "arn:aws:apigateway:eu-west-1::/apis/" + api["ApiId"]
        rc, _, err = cli(self.server, self.a["accessKeyId"], self.a["secretAccessKey"],
                         "tag-resource", "--resource-arn", arn, "--tags", "team=a b/c",
                         region="eu-west-1")
        self.assertEqual(rc, 0, err)
        rc, tags, err = cli(self.server, self.a["accessKeyId"], self.a["secretAccessKey"],
                            "get-tags", "--resource-arn", arn, region="eu-west-1")
        self.assertEqual(rc, 0, err)
        self.assertEqual(tags["Tags"], {"team": "a b/c"})
        rc, _, err = cli(self.server, self.a["accessKeyId"], self.a["secretAccessKey"],
                         "untag-resource", "--resource-arn", arn, "--tag-keys", "team", "x y",
                         region="eu-west-1")
        self.assertEqual(rc, 0, err)
        # A paged list (query parameters in the canonical request).
        rc, page, err = cli(self.server, self.a["accessKeyId"], self.a["secretAccessKey"],
                            "get-apis", "--max-results", "1", region="eu-west-1")
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(page["Items"]), 1)

    def test_cli_wrong_secret(self):
        rc, _, err = cli(self.server, self.a["accessKeyId"], "not-the-secret", "get-apis")
        self.assertEqual(rc, 255)
        self.assertIn("An error occurred (InvalidSignatureException) when calling the GetApis "
                      "operation: " + SIG_MISMATCH, err)

    def test_cli_unknown_key(self):
        rc, _, err = cli(self.server, "AGWDUNKNOWNKEY000000", "whatever", "get-apis")
        self.assertEqual(rc, 255)
        self.assertIn("(UnrecognizedClientException) when calling the GetApis operation: "
                      "The security token included in the request is invalid.", err)

    def test_boto3_errors(self):
        wrong = boto(self.server, self.a["accessKeyId"], self.b["secretAccessKey"])
        self.assertAwsError(lambda: wrong.get_apis(), "InvalidSignatureException", 403,
                            SIG_MISMATCH)
        self.assertAwsError(lambda: wrong.create_api(Name="x", ProtocolType="HTTP"),
                            "InvalidSignatureException", 403)
        unknown = boto(self.server, "AGWDUNKNOWNKEY000000", "whatever")
        self.assertAwsError(lambda: unknown.get_apis(), "UnrecognizedClientException", 403)

    def test_session_token_accepted(self):
        c = boto(self.server, self.a["accessKeyId"], self.a["secretAccessKey"],
                 token="FQoGZXIvYXdzEXAMPLESESSIONTOKEN")
        api = c.create_api(Name="with-token", ProtocolType="HTTP")
        self.assertEqual(c.get_api(ApiId=api["ApiId"])["Name"], "with-token")

    def test_unsigned(self):
        for method, path in (("GET", "/v2/apis"), ("POST", "/v2/apis"), ("GET", "/v2/nothing"),
                             ("POST", "/_apigwd/reset"), ("GET", "/")):
            with self.subTest(method=method, path=path):
                status, hdrs, body = self.server.http(method, path,
                                                      {} if method == "POST" else None)
                self.assertRefused((status, hdrs, body), "MissingAuthenticationTokenException",
                                   "Missing Authentication Token")
        # Not a SigV4 Authorization header.
        status, hdrs, body = self.server.http("GET", "/v2/apis",
                                              headers={"Authorization": "Bearer abc"})
        self.assertRefused((status, hdrs, body), "IncompleteSignatureException",
                           "AWS4-HMAC-SHA256")
        status, hdrs, body = self.server.http(
            "GET", "/v2/apis", headers={"Authorization": "AWS4-HMAC-SHA256 Credential=x"})
        self.assertRefused((status, hdrs, body), "IncompleteSignatureException",
                           "Authorization header requires 'Signature' parameter.")

    def test_expired_and_future_dates(self):
        key, secret = self.a["accessKeyId"], self.a["secretAccessKey"]
        now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
        status, _, body = signed(self.server, "GET", "/v2/apis", key, secret,
                                 when=now - datetime.timedelta(minutes=5))
        self.assertEqual(status, 200, body)   # within 15 minutes
        body = self.assertRefused(
            signed(self.server, "GET", "/v2/apis", key, secret,
                   when=now - datetime.timedelta(minutes=16)),
            "InvalidSignatureException", "Signature expired: ")
        self.assertIn("is now earlier than", body["message"])
        self.assertRefused(
            signed(self.server, "GET", "/v2/apis", key, secret,
                   when=now + datetime.timedelta(minutes=16)),
            "InvalidSignatureException", "Signature not yet current: ")
        # boto3's own clock, pushed back an hour.
        with mock.patch("botocore.auth.get_current_datetime",
                        return_value=now - datetime.timedelta(hours=1)):
            self.assertAwsError(lambda: self.ca.get_apis(), "InvalidSignatureException", 403,
                                "Signature expired")

    def test_tampered_requests(self):
        key, secret = self.a["accessKeyId"], self.a["secretAccessKey"]
        body = json.dumps({"name": "tamper", "protocolType": "HTTP"}).encode()
        status, _, out = signed(self.server, "POST", "/v2/apis", key, secret, body=body)
        self.assertEqual(status, 201, out)
        other = json.dumps({"name": "tamp3r", "protocolType": "HTTP"}).encode()
        self.assertRefused(signed(self.server, "POST", "/v2/apis", key, secret, body=body,
                                  send_body=other), "InvalidSignatureException", SIG_MISMATCH)
        # X-Amz-Content-SHA256 must be the body's hash.
        self.assertRefused(signed(self.server, "POST", "/v2/apis", key, secret, body=body,
                                  headers={"X-Amz-Content-SHA256": "0" * 64}),
                           "InvalidSignatureException", "x-amz-content-sha256")
        # Signed for another service, or with the path or query changed.
        self.assertRefused(signed(self.server, "GET", "/v2/apis", key, secret,
                                  service="execute-api"),
                           "InvalidSignatureException",
                           "Credential should be scoped to correct service: 'apigateway'.")
        status, hdrs, out = signed(self.server, "GET", "/v2/apis?maxResults=1", key, secret)
        self.assertEqual(status, 200, out)
        # The headers of a signed GET /v2/apis?maxResults=1, replayed on another query.
        from botocore.auth import SigV4Auth
        from botocore.awsrequest import AWSRequest
        from botocore.credentials import Credentials
        req = AWSRequest(method="GET", url=self.server.url + "/v2/apis?maxResults=1")
        SigV4Auth(Credentials(key, secret), "apigateway", "us-east-1").add_auth(req)
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            conn.request("GET", "/v2/apis?maxResults=2", headers=dict(req.headers.items()))
            resp = conn.getresponse()
            self.assertEqual(resp.status, 403)
            self.assertEqual(resp.getheader("x-amzn-ErrorType"), "InvalidSignatureException")
            resp.read()
        finally:
            conn.close()

    def test_presigned_url(self):
        url = self.ca.generate_presigned_url("get_apis", Params={"MaxResults": "5"},
                                             ExpiresIn=60)
        self.assertIn("X-Amz-Signature=", url)
        with urllib.request.urlopen(url, timeout=30) as r:
            self.assertEqual(r.status, 200)
            self.assertIn("items", json.loads(r.read()))
        status, hdrs, body = self.server.http("GET", url[len(self.server.url):].replace(
            "MaxResults=5", "MaxResults=6").replace("maxResults=5", "maxResults=6"))
        self.assertRefused((status, hdrs, body), "InvalidSignatureException", SIG_MISMATCH)

    def test_key_created_and_deleted_while_running(self):
        c = create_key(self.server.db, ACCOUNT_B)
        client = boto(self.server, c["accessKeyId"], c["secretAccessKey"])
        self.assertIn("Items", client.get_apis())
        rc, _, err = credentials("delete", c["accessKeyId"], db=self.server.db)
        self.assertEqual(rc, 0, err)
        self.assertAwsError(lambda: client.get_apis(), "UnrecognizedClientException", 403)

    def test_unchecked_paths(self):
        for path in ("/_apigwd/health", "/metrics", "/console",
                     "/dataplane/v1/workers"):
            with self.subTest(path=path):
                status, hdrs, _ = self.server.http("GET", path)
                self.assertNotEqual(status, 403, path)
                self.assertNotIn("Signature", hdrs.get("x-amzn-errortype", ""))
                self.assertNotEqual(hdrs.get("x-amzn-errortype"),
                                    "MissingAuthenticationTokenException")

    # ---- accounts ----

    def test_accounts_are_separate(self):
        ca, cb = self.ca, self.cb
        api = ca.create_api(Name="private-a", ProtocolType="HTTP", Tags={"owner": "a"})
        api_id = api["ApiId"]
        iid = ca.create_integration(ApiId=api_id, IntegrationType="HTTP_PROXY",
                                    IntegrationMethod="GET",
                                    IntegrationUri="https://example.com",
                                    PayloadFormatVersion="1.0")["IntegrationId"]
        rid = ca.create_route(ApiId=api_id, RouteKey="GET /a",
                              Target="integrations/" + iid)["RouteId"]
        ca.create_stage(ApiId=api_id, StageName="prod")
        arn = "arn:aws:apigateway:us-east-1::/apis/" + api_id

        # The other account sees nothing and changes nothing.
        self.assertNotIn(api_id, [a["ApiId"] for a in cb.get_apis()["Items"]])
        err = self.assertAwsError(lambda: cb.get_api(ApiId=api_id), "NotFoundException", 404)
        self.assertIn(ACCOUNT_B, err["Error"]["Message"])    # AWS names the caller's account
        self.assertNotIn(ACCOUNT_A, err["Error"]["Message"])
        for call in (lambda: cb.update_api(ApiId=api_id, Name="stolen"),
                     lambda: cb.delete_api(ApiId=api_id),
                     lambda: cb.get_integrations(ApiId=api_id),
                     lambda: cb.get_integration(ApiId=api_id, IntegrationId=iid),
                     lambda: cb.get_route(ApiId=api_id, RouteId=rid),
                     lambda: cb.delete_route(ApiId=api_id, RouteId=rid),
                     lambda: cb.get_stage(ApiId=api_id, StageName="prod"),
                     lambda: cb.create_route(ApiId=api_id, RouteKey="GET /b"),
                     lambda: cb.get_tags(ResourceArn=arn),
                     lambda: cb.tag_resource(ResourceArn=arn, Tags={"owner": "b"}),
                     lambda: cb.untag_resource(ResourceArn=arn, TagKeys=["owner"])):
            self.assertAwsError(call, "NotFoundException", 404)

        # B's own API of the same name lives beside A's.
        b_api = cb.create_api(Name="private-a", ProtocolType="HTTP")["ApiId"]
        self.assertEqual([a["ApiId"] for a in cb.get_apis()["Items"]], [b_api])
        self.assertAwsError(lambda: ca.get_api(ApiId=b_api), "NotFoundException", 404)

        # A's resources are intact; a second key of account A sees them too.
        got = ca.get_api(ApiId=api_id)
        self.assertEqual(got["Name"], "private-a")
        self.assertEqual(got["Tags"], {"owner": "a"})
        self.assertEqual(ca.get_route(ApiId=api_id, RouteId=rid)["RouteKey"], "GET /a")
        a2 = boto(self.server, self.a2["accessKeyId"], self.a2["secretAccessKey"])
        self.assertIn(api_id, [a["ApiId"] for a in a2.get_apis()["Items"]])
        self.assertEqual(a2.get_stage(ApiId=api_id, StageName="prod")["StageName"], "prod")


class AuthNoneAccountsTest(ServerTestCase):
    """--auth none: a 12-digit access key id is the account; anything else is --account-id."""

    server_args = ("--account-id", "999999999999")

    def test_start_up_warns(self):
        self.assertIn("--auth none: requests are not authenticated", self.server.logs())

    def test_accounts_by_access_key(self):
        c1 = self.server.client(access_key=ACCOUNT_A)
        c2 = self.server.client(access_key=ACCOUNT_B)
        default = self.server.client(access_key="AKIDEXAMPLE")
        api = c1.create_api(Name="one", ProtocolType="WEBSOCKET",
                            RouteSelectionExpression="$request.body.action")["ApiId"]
        self.assertEqual([a["ApiId"] for a in c1.get_apis()["Items"]], [api])
        self.assertEqual(c2.get_apis()["Items"], [])
        self.assertEqual(default.get_apis()["Items"], [])
        err = self.assertAwsError(lambda: c2.get_api(ApiId=api), "NotFoundException", 404)
        self.assertIn("%s:%s" % (ACCOUNT_B, api), err["Error"]["Message"])
        err = self.assertAwsError(lambda: default.delete_api(ApiId=api), "NotFoundException",
                                  404)
        self.assertIn("999999999999:" + api, err["Error"]["Message"])
        self.assertEqual(c1.get_api(ApiId=api)["Name"], "one")
        # The signature is not checked under --auth none.
        status, _, body = self.server.http("GET", "/v2/apis")
        self.assertEqual(status, 200, body)


class StartUpTest(unittest.TestCase):

    def run_binary(self, *args):
        p = subprocess.run([BINARY, "--db", ":memory:", "--port-file", "/dev/null"] + list(args),
                           capture_output=True, text=True, timeout=10)
        return p.returncode, p.stderr

    def test_auth_none_off_loopback_refused(self):
        rc, err = self.run_binary("--listen", "0.0.0.0:0")
        self.assertEqual(rc, 2)
        self.assertIn("--auth none on 0.0.0.0 would let anyone in", err)
        rc, err = self.run_binary("--listen", "0.0.0.0:0", "--auth", "none")
        self.assertEqual(rc, 2)
        rc, err = self.run_binary("--auth", "basic")
        self.assertEqual(rc, 2)

    def test_off_loopback_allowed_with_sigv4_or_insecure(self):
        cases = ((["--auth", "sigv4"], "--auth sigv4: every /v2/ request must be signed"),
                 (["--insecure"], "--auth none: requests are not authenticated, any caller "
                                  "may act as any account (--insecure"))
        for args, says in cases:
            with self.subTest(args=args):
                s = Server(args=["--listen", "0.0.0.0:0"] + args).start()
                try:
                    status, _, _ = s.http("GET", "/v2/apis")
                    self.assertEqual(status, 403 if "sigv4" in args else 200)
                    self.assertIn(says, s.logs())
                finally:
                    self.assertEqual(s.stop(), 0)


if __name__ == "__main__":
    unittest.main()
