"""The HTTP layer's generic answers (spec §1, §2), with raw requests: unknown paths, wrong
methods (405 with Allow), bodies over the limit (413), request ids on every answer, the
`/v2/apis/` alias, malformed percent-encoding; and the server stays up through all of it.
"""
import http.client
import json
import re
import unittest

from harness import ServerTestCase

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
LIMIT = 1 << 20  # the default --max-body


class HttpEdgesTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.server.client()
        cls.api = c.create_api(Name="edges", ProtocolType="WEBSOCKET",
                               RouteSelectionExpression="$request.body.action")["ApiId"]
        cls.iid = c.create_integration(ApiId=cls.api, IntegrationType="MOCK")["IntegrationId"]

    def raw(self, method, path, body=None, headers=None, chunks=None):
        """One request on its own connection; returns (status, headers, parsed body or text).
        `chunks` sends the body with Transfer-Encoding: chunked."""
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            if chunks is not None:
                conn.putrequest(method, path, skip_accept_encoding=True)
                conn.putheader("Content-Type", "application/json")
                conn.putheader("Transfer-Encoding", "chunked")
                conn.endheaders()
                for chunk in chunks:
                    conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                conn.send(b"0\r\n\r\n")
            else:
                conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            raw = resp.read()
            hdrs = {k.lower(): v for k, v in resp.getheaders()}
        finally:
            conn.close()
        text = raw.decode("utf-8", "replace")
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return resp.status, hdrs, parsed

    def assertAlive(self):
        if self.server.proc.poll() is not None:
            with open(self.server.log_path, errors="replace") as f:
                self.fail("apigwd died:\n" + f.read())
        status, _, body = self.raw("GET", "/v2/apis/" + self.api)
        self.assertEqual(status, 200, body)

    def assertError(self, answer, status, name):
        got_status, hdrs, body = answer
        self.assertEqual(got_status, status, body)
        self.assertEqual(hdrs.get("x-amzn-errortype"), name, hdrs)
        self.assertRegex(hdrs.get("x-amzn-requestid", ""), UUID)
        self.assertEqual(hdrs.get("content-type"), "application/json")
        self.assertIsInstance(body, dict, body)
        self.assertIsInstance(body.get("message"), str, body)
        return body

    def test_unknown_paths(self):
        for method, path in (("GET", "/"), ("GET", "/v2"), ("GET", "/v3/apis"),
                             ("GET", "/v2/nothing"), ("POST", "/v2/nothing"),
                             ("GET", "/v2/apis/%s/unknown" % self.api),
                             ("GET", "/v2/apis/%s/integrations/%s/x/y/z" % (self.api, self.iid)),
                             ("GET", "//v2/apis"), ("GET", "/v2//apis"),
                             ("GET", "/V2/APIS"), ("DELETE", "/v2/apis/" + "x" * 8000)):
            with self.subTest(method=method, path=path[:40]):
                body = self.assertError(self.raw(method, path), 404, "NotFoundException")
                self.assertTrue(body["message"])
        self.assertAlive()

    def test_wrong_method(self):
        cases = [
            ("DELETE", "/v2/apis", "GET, POST, PUT"),
            ("PATCH", "/v2/apis", "GET, POST, PUT"),
            ("POST", "/v2/apis/%s" % self.api, "GET, PUT, PATCH, DELETE"),
            ("PUT", "/v2/apis/%s/integrations" % self.api, "GET, POST"),
            ("POST", "/v2/apis/%s/integrations/%s" % (self.api, self.iid), "GET, PATCH, DELETE"),
            ("FOO", "/v2/apis", "GET, POST, PUT"),
            ("OPTIONS", "/v2/apis", "GET, POST, PUT"),
            ("OPTIONS", "/v2/apis/%s/integrations" % self.api, "GET, POST"),
        ]
        for method, path, allow in cases:
            with self.subTest(method=method, path=path):
                answer = self.raw(method, path)
                self.assertError(answer, 405, "MethodNotAllowedException")
                self.assertEqual(sorted(answer[1]["allow"].split(", ")),
                                 sorted(allow.split(", ")))
        # HEAD: the same status and headers, no body.
        status, hdrs, body = self.raw("HEAD", "/v2/apis/%s" % self.api)
        self.assertEqual(status, 405)
        self.assertEqual(sorted(hdrs["allow"].split(", ")), ["DELETE", "GET", "PATCH", "PUT"])
        self.assertEqual(hdrs["x-amzn-errortype"], "MethodNotAllowedException")
        self.assertRegex(hdrs["x-amzn-requestid"], UUID)
        self.assertIsNone(body)
        self.assertAlive()

    def test_body_over_limit(self):
        path = "/v2/apis/%s/integrations" % self.api
        big = json.dumps({"integrationType": "MOCK", "description": "x" * LIMIT}).encode()
        body = self.assertError(self.raw("POST", path, big,
                                         {"Content-Type": "application/json"}),
                                413, "PayloadTooLargeException")
        self.assertIn(str(LIMIT), body["message"])
        # Without Content-Length (chunked): counted as it arrives.
        piece = b" " * 65536
        self.assertError(self.raw("POST", path, chunks=[b"{\"integrationType\":\"MOCK\""] +
                                  [piece] * 17 + [b"}"]), 413, "PayloadTooLargeException")
        # Also on a path that does not exist, and on an update.
        self.assertError(self.raw("PATCH", "/v2/apis/%s/integrations/%s" % (self.api, self.iid),
                                  big), 413, "PayloadTooLargeException")
        # Exactly at the limit: accepted.
        head = b"{\"integrationType\":\"MOCK\",\"description\":\"d\"}"
        exact = head[:-1] + b" " * (LIMIT - len(head)) + b"}"
        self.assertEqual(len(exact), LIMIT)
        status, _, out = self.raw("POST", path, exact, {"Content-Type": "application/json"})
        self.assertEqual(status, 201, out)
        self.assertEqual(out["description"], "d")
        status, _, out = self.raw("POST", path, chunks=[exact[:1000], exact[1000:]])
        self.assertEqual(status, 201, out)
        self.assertAlive()

    def test_request_id_on_every_answer(self):
        path = "/v2/apis/%s/integrations" % self.api
        seen = set()
        answers = [
            self.raw("GET", "/v2/apis"),
            self.raw("GET", path),
            self.raw("POST", path, json.dumps({"integrationType": "MOCK"})),
            self.raw("POST", path, b"{bad"),
            self.raw("GET", path + "/nosuch"),
            self.raw("GET", "/nowhere"),
            self.raw("PUT", path),
        ]
        created = answers[2][2]["integrationId"]
        answers.append(self.raw("DELETE", "%s/%s" % (path, created)))
        self.assertEqual([a[0] for a in answers], [200, 200, 201, 400, 404, 404, 405, 204])
        for status, hdrs, _ in answers:
            rid = hdrs.get("x-amzn-requestid", "")
            self.assertRegex(rid, UUID, status)
            seen.add(rid)
        self.assertEqual(len(seen), len(answers))
        self.assertIsNone(answers[-1][2])  # 204: no body

    def test_trailing_slash_alias(self):
        status, _, listed = self.raw("GET", "/v2/apis")
        status2, hdrs, aliased = self.raw("GET", "/v2/apis/")
        self.assertEqual((status, status2), (200, 200))
        self.assertEqual(aliased, listed)
        self.assertIn(self.api, [a["apiId"] for a in aliased["items"]])
        status, _, body = self.raw("GET", "/v2/apis/?maxResults=1")
        self.assertEqual(status, 200)
        self.assertEqual(len(body["items"]), 1)
        # boto3 with an empty ApiId (validation off) sends GET /v2/apis/: a 200, not a 404.
        raw = self.server.client(validate=False)
        self.assertEqual(raw.get_api(ApiId="")["ResponseMetadata"]["HTTPStatusCode"], 200)

    def test_bad_percent_encoding(self):
        paths = ["/v2/apis/%zz", "/v2/apis/%", "/v2/apis/%2", "/v2/apis/%00",
                 "/v2/apis/%s%%00x" % self.api, "/v2/apis/%ff%fe", "/v2/apis/%C3%28",
                 "/v2/apis/a%2Fb", "/v2/apis/%2e%2e", "/v2/apis/..", "/v2/apis/%2F",
                 "/v2/apis/%s/integrations/%%zz" % self.api,
                 "/v2/apis/%s/integrations/%%00" % self.api,
                 "/v2/apis/%s/integrations/%%ff" % self.api,
                 "/v2/apis/%25%25/integrations",
                 "/v2/apis/%s/integrations?maxResults=%%zz" % self.api,
                 "/v2/apis/%s/integrations?nextToken=%%ff%%00" % self.api]
        for method in ("GET", "PATCH", "DELETE"):
            for path in paths:
                with self.subTest(method=method, path=path):
                    body = b"{}" if method == "PATCH" else None
                    status, hdrs, out = self.raw(method, path, body)
                    self.assertTrue(400 <= status < 500, (status, out))
                    self.assertIn("x-amzn-errortype", hdrs)
                    self.assertIsInstance(out, dict)
                    self.assertIsInstance(out.get("message"), str)
        # An id followed by an encoded NUL is not that id.
        status, _, _ = self.raw("GET", "/v2/apis/%s%%00" % self.api)
        self.assertNotEqual(status, 200)
        self.assertAlive()

    def test_raw_utf8_in_paths(self):
        """Raw (unencoded) UTF-8 in the request line: quoted back in valid JSON even when the
        message's length limit falls inside a character."""
        import socket
        for path in (b"/v2/x" + "\u00e9".encode() * 300, b"/v2/xy" + "\u20ac".encode() * 200,
                     b"/v2/apis/" + "\u00e9".encode() * 3):
            with self.subTest(path=path[:12]):
                with socket.create_connection(("127.0.0.1", self.server.port), timeout=30) as s:
                    s.sendall(b"GET " + path + b" HTTP/1.1\r\nHost: x\r\nConnection: close"
                              b"\r\n\r\n")
                    data = b""
                    while True:
                        chunk = s.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                head, _, body = data.partition(b"\r\n\r\n")
                self.assertIn(b" 404 ", head.split(b"\r\n")[0])
                message = json.loads(body.decode("utf-8"))["message"]
                self.assertNotIn("Internal", message)
        self.assertAlive()

    def test_malformed_bodies_on_every_write(self):
        writes = [("POST", "/v2/apis"), ("PATCH", "/v2/apis/" + self.api),
                  ("POST", "/v2/apis/%s/integrations" % self.api),
                  ("PATCH", "/v2/apis/%s/integrations/%s" % (self.api, self.iid))]
        for method, path in writes:
            for body in (b"{", b"[]", b"\"s\"", b"42", b"{\"a\":1}{", b"\xc3\x28",
                         b"{\"name\": \"\xff\"}", b"\x00", b"[" * 100000,
                         b"{\"name\": \"a\\ud800\"}"):
                with self.subTest(method=method, path=path, body=body):
                    self.assertError(self.raw(method, path, body), 400, "BadRequestException")
        # The stored resources did not change.
        status, _, out = self.raw("GET", "/v2/apis/%s/integrations/%s" % (self.api, self.iid))
        self.assertEqual((status, out["integrationType"]), (200, "MOCK"))
        self.assertAlive()

    def test_ignores_bodies_on_reads_and_deletes(self):
        status, _, out = self.raw("GET", "/v2/apis/" + self.api, b"{not json")
        self.assertEqual(status, 200, out)
        victim = self.server.client().create_integration(ApiId=self.api,
                                                         IntegrationType="MOCK")
        status, _, out = self.raw("DELETE", "/v2/apis/%s/integrations/%s"
                                  % (self.api, victim["IntegrationId"]), b"{not json")
        self.assertEqual(status, 204, out)

    def test_many_connections_and_keepalive(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        try:
            for i in range(50):
                conn.request("GET" if i % 2 else "PUT", "/v2/apis/%s/integrations" % self.api)
                resp = conn.getresponse()
                resp.read()
                self.assertEqual(resp.status, 200 if i % 2 else 405)
        finally:
            conn.close()
        self.assertAlive()


if __name__ == "__main__":
    unittest.main()
