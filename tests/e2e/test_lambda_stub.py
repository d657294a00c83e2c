"""The Lambda Invoke API stand-in (lambda_stub.py) answers the real boto3 Lambda client as
botocore's lambda model says Lambda does: results, handler errors, unknown functions, names,
ARNs and qualifiers, invocation types, signed requests; and the HTTP_PROXY backend stub."""
import json
import os
import subprocess
import sys
import tempfile
import unittest
import urllib.error
import urllib.request

import boto3
from botocore.config import Config

from lambda_stub import Backend, LambdaStub

HERE = os.path.dirname(os.path.abspath(__file__))


def lambda_client(url, **kw):
    return boto3.client("lambda", endpoint_url=url, region_name="us-east-1",
                        aws_access_key_id="AKIDEXAMPLE", aws_secret_access_key="secret",
                        config=Config(retries={"max_attempts": 1}), **kw)


class LambdaStubTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.stub = LambdaStub()
        cls.lam = lambda_client(cls.stub.url)
        cls.stub.add("echo", lambda event, ctx: {"got": event, "fn": ctx.function_name,
                                                 "arn": ctx.invoked_function_arn})

        def boom(event, ctx):
            raise ValueError("no good: %s" % event.get("why"))
        cls.stub.add("boom", boom)

    @classmethod
    def tearDownClass(cls):
        cls.stub.close()

    def invoke(self, **kw):
        r = self.lam.invoke(**kw)
        return r, r["Payload"].read()

    def test_result_and_recording(self):
        r, out = self.invoke(FunctionName="echo", Payload=json.dumps({"a": [1, 2]}))
        self.assertEqual(r["StatusCode"], 200)
        self.assertNotIn("FunctionError", r)
        self.assertEqual(r["ExecutedVersion"], "$LATEST")
        self.assertEqual(json.loads(out)["got"], {"a": [1, 2]})
        inv = [i for i in self.stub.calls("echo") if i.event() == {"a": [1, 2]}]
        self.assertEqual(len(inv), 1)
        self.assertIsNone(inv[0].qualifier)
        self.assertTrue(inv[0].signed, "boto3 signs with SigV4")
        self.assertIn("aws4-hmac-sha256", inv[0].headers["authorization"].lower())

    def test_handler_error_is_200_with_function_error(self):
        r, out = self.invoke(FunctionName="boom", Payload=b'{"why": "x"}')
        self.assertEqual(r["StatusCode"], 200)
        self.assertEqual(r["FunctionError"], "Unhandled")
        err = json.loads(out)
        self.assertEqual(err["errorMessage"], "no good: x")
        self.assertEqual(err["errorType"], "ValueError")
        self.assertIsInstance(err["stackTrace"], list)
        self.assertTrue(any("boom" in line for line in err["stackTrace"]), err)

    def test_unknown_function_is_resource_not_found(self):
        with self.assertRaises(self.lam.exceptions.ResourceNotFoundException) as cm:
            self.lam.invoke(FunctionName="nope", Payload=b"{}")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 404)
        self.assertIn("nope", str(cm.exception))

    def test_bad_json_is_invalid_request_content(self):
        with self.assertRaises(self.lam.exceptions.InvalidRequestContentException):
            self.lam.invoke(FunctionName="echo", Payload=b"{not json")

    def test_arn_and_qualifier_forms(self):
        arn = "arn:aws:lambda:us-east-1:123456789012:function:echo"
        cases = [(arn, None, None), (arn + ":live", None, "live"), ("echo:7", None, "7"),
                 ("123456789012:function:echo", "prod", "prod"), ("echo", "3", "3")]
        for fn, q, want in cases:
            kw = {"Qualifier": q} if q else {}
            r, out = self.invoke(FunctionName=fn, Payload=json.dumps({"case": fn}), **kw)
            self.assertEqual(r["StatusCode"], 200, fn)
            self.assertEqual(json.loads(out)["fn"], "echo")
            self.assertEqual(r["ExecutedVersion"], want if want and want.isdigit() else "$LATEST")
            inv = [i for i in self.stub.calls("echo") if i.event() == {"case": fn}][-1]
            self.assertEqual(inv.function, fn)
            self.assertEqual(inv.qualifier, want, fn)

    def test_malformed_name_is_refused(self):
        with self.assertRaises(self.lam.exceptions.ClientError) as cm:
            self.lam.invoke(FunctionName="bad name!", Payload=b"{}")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)

    def test_event_and_dry_run(self):
        r, _ = self.invoke(FunctionName="echo", InvocationType="Event", Payload=b'{"ev": 1}')
        self.assertEqual(r["StatusCode"], 202)
        r, _ = self.invoke(FunctionName="echo", InvocationType="DryRun", Payload=b"{}")
        self.assertEqual(r["StatusCode"], 204)

    def test_unsigned_call_is_recorded_as_unsigned(self):
        req = urllib.request.Request(
            self.stub.url + "/2015-03-31/functions/echo/invocations", data=b'{"plain": true}',
            method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertEqual(json.loads(r.read())["got"], {"plain": True})
        inv = [i for i in self.stub.calls("echo") if i.event() == {"plain": True}]
        self.assertFalse(inv[0].signed)

    def test_handler_files_by_dir_and_admin_put(self):
        d = tempfile.mkdtemp(prefix="lambda-stub-")
        with open(os.path.join(d, "fromdir.py"), "w") as f:
            f.write("def handler(event, context):\n    return {'dir': event['n'] * 2}\n")
        self.stub.add_dir(d)
        _, out = self.invoke(FunctionName="fromdir", Payload=b'{"n": 21}')
        self.assertEqual(json.loads(out), {"dir": 42})
        src = b"def handler(event, context):\n    return {'put': context.function_name}\n"
        req = urllib.request.Request(self.stub.url + "/_stub/functions/viaput", data=src,
                                     method="PUT")
        with urllib.request.urlopen(req, timeout=10) as r:
            self.assertEqual(r.status, 201)
        _, out = self.invoke(FunctionName="viaput", Payload=b"{}")
        self.assertEqual(json.loads(out), {"put": "viaput"})
        req = urllib.request.Request(self.stub.url + "/_stub/functions/broken",
                                     data=b"def handler(:", method="PUT")
        with self.assertRaises(urllib.error.HTTPError) as cm:
            urllib.request.urlopen(req, timeout=10)
        self.assertEqual(cm.exception.code, 400)

    def test_wait_calls_times_out_with_a_message(self):
        with self.assertRaises(AssertionError):
            self.stub.wait_calls(1, name="never-called", timeout=0.2)

    def test_standalone_reports_its_port(self):
        d = tempfile.mkdtemp(prefix="lambda-stub-")
        with open(os.path.join(d, "hi.py"), "w") as f:
            f.write("def handler(event, context):\n    return 'hi ' + event['who']\n")
        pf = os.path.join(d, "port")
        p = subprocess.Popen([sys.executable, os.path.join(HERE, "lambda_stub.py"), "--dir", d,
                              "--port-file", pf], stdout=subprocess.DEVNULL)
        try:
            import time
            deadline = time.time() + 20
            while not os.path.exists(pf):
                self.assertIsNone(p.poll(), "lambda_stub exited")
                self.assertLess(time.time(), deadline, "no port file")
                time.sleep(0.02)
            with open(pf) as f:
                port = int(f.read())
            r = lambda_client("http://127.0.0.1:%d" % port).invoke(
                FunctionName="hi", Payload=b'{"who": "you"}')
            self.assertEqual(json.loads(r["Payload"].read()), "hi you")
        finally:
            p.terminate()
            p.wait(10)


class BackendTest(unittest.TestCase):
    def test_records_and_answers(self):
        be = Backend(reply=lambda req: (201, {"X-Echo": req.method}, b"made " + req.body))
        try:
            req = urllib.request.Request(be.url + "/x/y?z=1", data=b"abc", method="PUT",
                                         headers={"X-Test": "t"})
            with urllib.request.urlopen(req, timeout=10) as r:
                self.assertEqual((r.status, r.read(), r.headers["X-Echo"]), (201, b"made abc",
                                                                             "PUT"))
            got = be.wait_requests(1)[0]
            self.assertEqual((got.method, got.path, got.body, got.headers["x-test"]),
                             ("PUT", "/x/y?z=1", b"abc", "t"))
        finally:
            be.close()

    def test_delay_and_error_status(self):
        be = Backend(reply=lambda req: (502, b"bad gateway"), delay=0.3)
        try:
            import time
            t0 = time.time()
            with self.assertRaises(urllib.error.HTTPError) as cm:
                urllib.request.urlopen(be.url + "/", timeout=10)
            self.assertEqual(cm.exception.code, 502)
            self.assertGreaterEqual(time.time() - t0, 0.3)
        finally:
            be.close()


if __name__ == "__main__":
    unittest.main()
