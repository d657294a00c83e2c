"""The bad-input corpus (tests/bad-input/*.req, format in its README.md) against the real server.

Each file is one hostile request, sent over a raw socket exactly as written (so malformed
requests go out malformed). Every answer must be the one the file expects: a 4xx with an AWS
error body (JSON object with a non-empty `message`, header x-amzn-ErrorType, and the error name
or message words the file names) unless the file says 2xx (a hostile-looking request that is in
fact valid, e.g. an injection string as an API name: then what was sent is what is stored).
Never a 5xx. BAD_INPUT_VERBOSE=1 prints every file's answer. After each request the server must still be running; at the end the fixtures must
still read back, the database must pass `PRAGMA integrity_check` (sqlite3 CLI), and the server
must stop cleanly.
"""
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import unittest

import harness
from harness import REPO, ServerTestCase

CORPUS = os.path.join(REPO, "tests", "bad-input")
PLACEHOLDER = re.compile(rb"\{\{([A-Za-z]+)\}\}")


def parse_file(path):
    """Returns a dict: directives (expect, error, message, chunked, raw), and for a normal file
    method, target, headers (list of bytes lines), body (bytes or None); for a raw one, data."""
    with open(path, "rb") as f:
        data = f.read()
    out = {"expect": "4xx", "error": None, "message": None, "chunked": None, "raw": False,
           "known-bug": None, "echo": None}
    while data.startswith(b"#"):
        line, _, data = data.partition(b"\n")
        m = re.match(rb"#\s*(expect|error|message|chunked|known-bug|echo):\s*(.*?)\s*$", line)
        if m:
            key = m.group(1).decode()
            out[key] = m.group(2).decode()
        elif line.strip() == b"# raw":
            out["raw"] = True
    if out["raw"]:
        out["data"] = data
        return out
    head, sep, body = data.partition(b"\n\n")
    if not sep and head.endswith(b"\n"):
        head = head[:-1]
    lines = head.split(b"\n")
    method, _, target = lines[0].partition(b" ")
    out.update(method=method, target=target, headers=[h for h in lines[1:] if h],
               body=body if sep else None)
    return out


def read_response(sock, head_request):
    """Reads one HTTP response; returns (status, headers dict with lower-case names, body
    bytes), or None when the server closed the connection without answering."""
    buf = b""
    while b"\r\n\r\n" not in buf:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            return None
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        k, _, v = line.partition(b":")
        headers[k.strip().lower().decode("latin-1")] = v.strip().decode("latin-1")
    if head_request or status in (204, 304) or 100 <= status < 200:
        return status, headers, b""
    if "content-length" in headers:
        need = int(headers["content-length"])
        while len(rest) < need:
            chunk = sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        return status, headers, rest[:need]
    while True:  # no length: until the server closes
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            break
        if not chunk:
            break
        rest += chunk
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body, pos = b"", 0
        while True:
            end = rest.index(b"\r\n", pos)
            size = int(rest[pos:end].split(b";")[0], 16)
            if size == 0:
                break
            body += rest[end + 2:end + 2 + size]
            pos = end + 2 + size + 2
        rest = body
    return status, headers, rest


class BadInputTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.values, cls.fixture_errors = cls.make_fixtures(cls.server.client())

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(cls.server.tmp, ignore_errors=True)

    @staticmethod
    def make_fixtures(c):
        """Creates one of every resource the corpus points at; returns (placeholder values,
        the fixtures that could not be made). A fixture that fails gets a made-up id, so the
        requests naming it still go out (and must still be refused cleanly)."""
        v, errors = {}, []

        def make(name, fn, key):
            try:
                v[name] = fn()[key]
            except Exception as e:  # noqa: BLE001 - any failure: record it, use a fake id
                v[name] = "missing0"
                errors.append("%s: %s" % (name, e))

        make("apiId", lambda: c.create_api(Name="bad-input", ProtocolType="HTTP"), "ApiId")
        api = v["apiId"]
        make("integrationId", lambda: c.create_integration(
            ApiId=api, IntegrationType="HTTP_PROXY", IntegrationUri="https://example.com",
            IntegrationMethod="ANY", PayloadFormatVersion="1.0"), "IntegrationId")
        make("routeId", lambda: c.create_route(
            ApiId=api, RouteKey="GET /fixture",
            Target="integrations/" + v["integrationId"]), "RouteId")
        make("authorizerId", lambda: c.create_authorizer(
            ApiId=api, Name="fixture", AuthorizerType="JWT",
            IdentitySource=["$request.header.Authorization"],
            JwtConfiguration={"Audience": ["a"], "Issuer": "https://issuer.example.com"}),
            "AuthorizerId")
        make("deploymentId", lambda: c.create_deployment(ApiId=api), "DeploymentId")
        make("stageName", lambda: c.create_stage(
            ApiId=api, StageName="fixture-stage", DeploymentId=v["deploymentId"]), "StageName")
        make("wsApiId", lambda: c.create_api(
            Name="bad-input-ws", ProtocolType="WEBSOCKET",
            RouteSelectionExpression="$request.body.action"), "ApiId")
        ws = v["wsApiId"]
        make("wsIntegrationId", lambda: c.create_integration(
            ApiId=ws, IntegrationType="MOCK"), "IntegrationId")
        make("wsRouteId", lambda: c.create_route(
            ApiId=ws, RouteKey="$default", Target="integrations/" + v["wsIntegrationId"]),
            "RouteId")
        make("integrationResponseId", lambda: c.create_integration_response(
            ApiId=ws, IntegrationId=v["wsIntegrationId"], IntegrationResponseKey="$default"),
            "IntegrationResponseId")
        make("routeResponseId", lambda: c.create_route_response(
            ApiId=ws, RouteId=v["wsRouteId"], RouteResponseKey="$default"), "RouteResponseId")
        make("modelId", lambda: c.create_model(
            ApiId=ws, Name="fixturemodel", Schema='{"type":"object"}',
            ContentType="application/json"), "ModelId")
        make("domainName", lambda: c.create_domain_name(DomainName="fixture.example.com"),
             "DomainName")
        make("apiMappingId", lambda: c.create_api_mapping(
            DomainName=v["domainName"], ApiId=api, Stage="fixture-stage"), "ApiMappingId")
        make("vpcLinkId", lambda: c.create_vpc_link(Name="fixture", SubnetIds=["subnet-1"]),
             "VpcLinkId")
        return v, errors

    def fill(self, data):
        def one(m):
            name = m.group(1).decode()
            return self.values[name].encode() if name in self.values else m.group(0)
        return PLACEHOLDER.sub(one, data)

    def build(self, req):
        """The bytes of the request to send."""
        if req["raw"]:
            return self.fill(req["data"])
        headers = [self.fill(h) for h in req["headers"]]
        names = {h.split(b":")[0].strip().lower() for h in headers}
        body = self.fill(req["body"]) if req["body"] is not None else None
        if b"host" not in names:
            headers.append(b"Host: 127.0.0.1:%d" % self.server.port)
        headers.append(b"Connection: close")
        if req["chunked"]:
            n = int(req["chunked"])
            headers.append(b"Transfer-Encoding: chunked")
            chunks = [body[i:i + n] for i in range(0, len(body or b""), n)]
            body = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
        elif body is not None and b"content-length" not in names:
            headers.append(b"Content-Length: %d" % len(body))
        line = b"%s %s HTTP/1.1\r\n" % (req["method"], self.fill(req["target"]))
        return line + b"".join(h + b"\r\n" for h in headers) + b"\r\n" + (body or b"")

    def send(self, data, raw, head_request):
        sock = socket.create_connection(("127.0.0.1", self.server.port), timeout=30)
        try:
            try:
                sock.sendall(data)
                if raw:  # the server sees the end: an incomplete request cannot hang it
                    sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass  # it answered early (e.g. 413) and closed: read what it said
            return read_response(sock, head_request)
        finally:
            sock.close()

    def assertAlive(self, name):
        if self.server.proc.poll() is not None:
            with open(self.server.log_path, errors="replace") as f:
                self.fail("apigwd died after %s:\n%s" % (name, f.read()[-4000:]))

    def check(self, name, req, answer):
        expect = req["expect"]
        head = not req["raw"] and req["method"] == b"HEAD"
        if answer is None:
            self.assertEqual(expect, "4xx-http", "%s: connection closed without an answer" % name)
            return
        status, headers, body = answer
        if re.fullmatch(r"\d{3}", expect):
            self.assertEqual(status, int(expect), "%s: %r" % (name, body[:300]))
        else:
            self.assertLess(status, 500, "%s: %d %r" % (name, status, body[:300]))
        if expect == "2xx":
            self.assertTrue(200 <= status < 300, "%s: wanted 2xx, got %d %r"
                            % (name, status, body[:300]))
            if body:
                doc = json.loads(body)
                self.check_echo(name, req, doc)
            return
        if status >= 500:
            return  # an exact 5xx the file names (libmicrohttpd's 505): no AWS body
        if not re.fullmatch(r"\d{3}", expect):
            self.assertTrue(400 <= status < 500, "%s: wanted 4xx, got %d %r"
                            % (name, status, body[:300]))
        if expect == "4xx-http" and "x-amzn-errortype" not in headers:
            return  # refused by the HTTP layer (libmicrohttpd) before apigwd saw it
        error = headers.get("x-amzn-errortype")
        self.assertTrue(error, "%s: %d without x-amzn-ErrorType" % (name, status))
        self.assertRegex(headers.get("x-amzn-requestid", ""), r"^[0-9a-f-]{36}$", name)
        if req["error"]:
            self.assertEqual(error, req["error"], "%s: %r" % (name, body[:300]))
        if head:
            return  # HEAD: the same status and headers, never a body
        self.assertEqual(headers.get("content-type"), "application/json", name)
        doc = json.loads(body)
        self.assertIsInstance(doc, dict, name)
        self.assertIsInstance(doc.get("message"), str, name)
        self.assertTrue(doc["message"], name)
        if req["message"]:
            self.assertIn(req["message"].lower(), doc["message"].lower(), name)

    def check_echo(self, name, req, doc):
        """A valid hostile request (injection strings): the members the file names in `echo`
        are answered, and stored (a new API is read back), exactly as sent."""
        if not req["echo"]:
            return
        sent = json.loads(self.fill(req["body"]))
        for k in req["echo"].split():
            self.assertEqual(doc.get(k), sent[k], "%s: %s not answered as sent" % (name, k))
        if "apiId" in doc:
            status, _, got = self.server.http("GET", "/v2/apis/" + doc["apiId"])
            self.assertEqual(status, 200, name)
            for k in req["echo"].split():
                self.assertEqual(got.get(k), sent[k], "%s: %s not stored as sent" % (name, k))

    def test_corpus(self):
        files = sorted(glob.glob(os.path.join(CORPUS, "*.req")))
        self.assertGreaterEqual(len(files), 300, "the corpus holds at least 300 requests")
        known = []
        for path in files:
            name = os.path.basename(path)
            req = parse_file(path)
            with self.subTest(file=name):
                answer = self.send(self.build(req), req["raw"],
                                   not req["raw"] and req["method"] == b"HEAD")
                if os.environ.get("BAD_INPUT_VERBOSE"):
                    print("  %-60s %s %s" % (name, answer[0] if answer else "closed",
                                             answer[2][:150] if answer else b""))
                if not req["known-bug"]:
                    self.check(name, req, answer)
                else:
                    # A bug reported and not yet fixed: its check must still fail. Once it
                    # passes, the file's known-bug line goes (the corpus then guards the fix).
                    try:
                        self.check(name, req, answer)
                    except AssertionError as e:
                        known.append("%s: %s\n      (%s)" % (name, req["known-bug"],
                                                           str(e).splitlines()[0][:160]))
                    else:
                        self.fail("%s passes now: remove its known-bug line" % name)
            self.assertAlive(name)
        if known:
            print("\n  bad-input: %d known bugs still present:\n    %s"
                  % (len(known), "\n    ".join(known)))
        # Every fixture was made (else the requests naming it proved less than they should).
        self.assertEqual(self.fixture_errors, [], "fixtures that could not be made")
        # Still serving, the fixtures intact, the database consistent.
        status, _, body = self.server.http("GET", "/v2/apis/" + self.values["apiId"])
        self.assertEqual(status, 200, body)
        self.assertEqual(body["name"], "bad-input")
        status, _, body = self.server.http("GET", "/v2/apis/%s/integrations/%s" % (
            self.values["apiId"], self.values["integrationId"]))
        self.assertEqual(status, 200, body)
        self.assertEqual(self.integrity(), "ok")
        self.assertEqual(self.server.stop(), 0, "apigwd did not stop cleanly")
        self.assertEqual(self.integrity(), "ok")
        with open(self.server.log_path, "rb") as f:
            log = f.read()
        for needle in (b"runtime error", b"AddressSanitizer", b"LeakSanitizer"):
            self.assertNotIn(needle, log, "sanitizer report in the server log")

    def integrity(self):
        return harness.integrity(self.server.db)


if __name__ == "__main__":
    unittest.main()
