"""Limits (issue 5 item 3): the per-account rate limit (`--rate/--burst`: 429
TooManyRequestsException with limitType), JSON nesting depth (400 before any handler), URL and
header sizes (libmicrohttpd's clean 414/431), connections per client address
(`--max-connections-per-ip`) and idle connections (`--conn-timeout`, against slowloris). After
each abuse the server still answers.
"""
import json
import socket
import time
import unittest

from harness import Server, ServerTestCase

ACCOUNT_A = "111122223333"
ACCOUNT_B = "444455556666"


def raw_exchange(port, data, timeout=10):
    """Sends bytes on a new connection; returns everything read until the server closes (or
    b"" when it closed or reset without answering)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    out = b""
    try:
        s.sendall(data)
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            out += chunk
    except (ConnectionResetError, BrokenPipeError):
        pass
    finally:
        s.close()
    return out


def client(server, access_key):
    """boto3 making exactly one attempt: botocore's `max_attempts: 1` (the harness's
    client) still retries a 429 once, which would spend a token."""
    import boto3
    from botocore.config import Config
    return boto3.client("apigatewayv2", endpoint_url=server.url, region_name="us-east-1",
                        aws_access_key_id=access_key, aws_secret_access_key="secret",
                        config=Config(retries={"total_max_attempts": 1}))


def status_of(answer):
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else None


class LimitsTestCase(ServerTestCase):

    def assertAlive(self):
        if self.server.proc.poll() is not None:
            self.fail("apigwd died:\n" + self.server.logs())
        status, _, body = self.server.http("GET", "/v2/apis")
        self.assertEqual(status, 200, body)


class RateLimitTest(LimitsTestCase):
    server_args = ("--rate", "1", "--burst", "3")

    def test_token_bucket_per_account(self):
        a = client(self.server, ACCOUNT_A)
        b = client(self.server, ACCOUNT_B)
        b.get_apis()                           # warms boto3 up (B's own bucket)
        for _ in range(3):                     # A's burst
            a.get_apis()
        err = self.assertAwsError(lambda: a.get_apis(), "TooManyRequestsException", 429,
                                  "Too Many Requests")
        self.assertEqual(err.get("LimitType"), "Requests", err)   # the modeled member
        self.assertEqual(err["ResponseMetadata"]["RetryAttempts"], 0)
        # Raw: the AWS error body and header.
        status, hdrs, body = self.server.http(
            "GET", "/v2/apis", headers={"Authorization": "AWS4-HMAC-SHA256 Credential=%s/"
                                        "20260101/us-east-1/apigateway/aws4_request" % ACCOUNT_A})
        self.assertEqual(status, 429, body)
        self.assertEqual(hdrs["x-amzn-errortype"], "TooManyRequestsException")
        self.assertEqual(body, {"message": "Too Many Requests", "limitType": "Requests"})
        # Another account has its own bucket; health checks are never limited.
        for _ in range(2):
            b.get_apis()
        self.assertAwsError(lambda: b.get_apis(), "TooManyRequestsException", 429)
        for _ in range(5):
            status, hdrs, _ = self.server.http("GET", "/_apigwd/health")
            self.assertNotEqual(status, 429)
        # The bucket refills at --rate per second.
        time.sleep(1.1)
        a.get_apis()
        self.assertAwsError(lambda: a.get_apis(), "TooManyRequestsException", 429)


class JsonDepthTest(LimitsTestCase):

    def post(self, text):
        return self.server.http("POST", "/v2/apis", text.encode())

    def test_depth(self):
        def nested(levels):   # an object holding `levels` - 1 nested arrays
            return '{"name": %s, "protocolType": "HTTP"}' % ("[" * (levels - 1) +
                                                             "]" * (levels - 1))
        status, hdrs, body = self.post(nested(65))
        self.assertEqual(status, 400, body)
        self.assertEqual(hdrs["x-amzn-errortype"], "BadRequestException")
        self.assertIn("nested deeper than 64 levels", body["message"])
        # 64 levels pass the depth check and fail on the member's type instead.
        status, hdrs, body = self.post(nested(64))
        self.assertEqual(status, 400, body)
        self.assertNotIn("nested deeper", body["message"])
        # Deep enough to exhaust a recursive parser: refused at once.
        status, _, body = self.post("[" * 200000)
        self.assertEqual(status, 400, body)
        self.assertIn("nested deeper than 64 levels", body["message"])
        status, _, body = self.post('{"a":' * 100000)
        self.assertEqual(status, 400, body)
        # Brackets inside strings do not count.
        name = "[{" * 50 + '"' + "]}"   # the escaped quote must not end the string
        status, _, body = self.post(json.dumps({"name": name, "protocolType": "HTTP"}))
        self.assertEqual(status, 201, body)
        self.assertTrue(body["name"].startswith("[{[{"))
        # boto3 with a deep map member.
        deep = {}
        for _ in range(70):
            deep = {"k": deep}
        c = self.server.client(validate=False)
        self.assertAwsError(lambda: c.create_api(Name="deep", ProtocolType="HTTP", Tags=deep),
                            "BadRequestException", 400, "nested deeper than 64 levels")
        self.assertAlive()


class SizeLimitTest(LimitsTestCase):

    def test_url_too_long(self):
        answer = raw_exchange(self.server.port, b"GET /v2/apis?x=" + b"a" * 40000 +
                              b" HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(status_of(answer), 414, answer[:200])
        answer = raw_exchange(self.server.port, b"GET /v2/apis/" + b"a" * 40000 +
                              b" HTTP/1.1\r\nHost: x\r\n\r\n")
        self.assertEqual(status_of(answer), 414, answer[:200])
        self.assertAlive()

    def test_headers_too_large(self):
        answer = raw_exchange(self.server.port, b"GET /v2/apis HTTP/1.1\r\nHost: x\r\nX-Big: " +
                              b"a" * 40000 + b"\r\n\r\n")
        self.assertEqual(status_of(answer), 431, answer[:200])
        many = b"".join(b"X-H%d: v\r\n" % i for i in range(5000))
        answer = raw_exchange(self.server.port, b"GET /v2/apis HTTP/1.1\r\nHost: x\r\n" + many +
                              b"\r\n")
        self.assertEqual(status_of(answer), 431, answer[:200])
        self.assertAlive()

    def test_within_limits(self):
        # A long (8 KB) path and 8 KB of headers are still answered normally.
        status, hdrs, body = self.server.http("GET", "/v2/apis/" + "a" * 8000,
                                              headers={"X-Pad": "p" * 8000})
        self.assertEqual(status, 404, body)
        self.assertEqual(hdrs["x-amzn-errortype"], "NotFoundException")


class PerIpConnectionsTest(LimitsTestCase):
    server_args = ("--max-connections-per-ip", "3")

    def test_per_ip_limit(self):
        held = [socket.create_connection(("127.0.0.1", self.server.port), timeout=5)
                for _ in range(3)]
        try:
            time.sleep(0.3)   # let the server accept them
            answer = raw_exchange(self.server.port, b"GET /v2/apis HTTP/1.1\r\nHost: x\r\n"
                                  b"Connection: close\r\n\r\n", timeout=5)
            self.assertEqual(answer, b"", "a 4th connection from one address was served")
            # The held ones still work.
            held[0].sendall(b"GET /v2/apis HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            self.assertTrue(held[0].recv(65536).startswith(b"HTTP/1.1 200"))
        finally:
            for s in held:
                s.close()
        time.sleep(0.3)
        self.assertAlive()


class SlowClientTest(LimitsTestCase):
    server_args = ("--conn-timeout", "1")

    def test_idle_connection_closed(self):
        s = socket.create_connection(("127.0.0.1", self.server.port), timeout=10)
        try:
            s.sendall(b"GET /v2/apis HTTP/1.1\r\nHost: x\r\n")   # and never the end
            start = time.monotonic()
            got = b""
            try:
                got = s.recv(65536)
            except ConnectionResetError:
                pass
            self.assertEqual(got, b"")
            self.assertLess(time.monotonic() - start, 5)
        finally:
            s.close()
        self.assertAlive()


if __name__ == "__main__":
    unittest.main()
