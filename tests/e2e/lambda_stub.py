"""lambda_stub.py — the one allowed stand-in: a small server speaking the Lambda Invoke API,
running Python handlers in-process, plus a small HTTP backend for HTTP_PROXY routes.

LambdaStub serves `POST /2015-03-31/functions/{FunctionName}/invocations[?Qualifier=q]` as
botocore's lambda model gives it: FunctionName is a name, a partial or full function ARN, each
optionally with `:alias` or `:version`; an unknown function is 404 ResourceNotFoundException, a
body that is not JSON is 400 InvalidRequestContentException, a handler exception is 200 with
`X-Amz-Function-Error: Unhandled` and Lambda's payload {"errorMessage","errorType","stackTrace"};
every answer carries `X-Amz-Executed-Version` and `x-amzn-RequestId`. InvocationType Event
answers 202, DryRun 204. Functions are registered by name: `add(name, handler)`, `add_file(name,
path)` for a file defining `handler(event, context)`, `add_dir(dir)` for every `*.py` there, or
over HTTP with `PUT /_stub/functions/{name}` whose body is such a file's source. Every
invocation is recorded (Invocation) for tests to assert on, once its answer is ready (so wait
with wait_calls, not on what a handler's side effects made visible).

    python3 tests/e2e/lambda_stub.py [--dir DIR] [--port-file F]   # standalone, port 0

Backend answers every method with (status, headers, body) from `reply`, optionally after a
delay, and records each request.
"""
import http.server
import importlib.util
import json
import os
import re
import socket
import socketserver
import sys
import threading
import time
import traceback
import types
import uuid
from urllib.parse import parse_qs, unquote, urlparse

INVOKE = re.compile(r"^/2015-03-31/functions/([^/]+)/invocations$")
ADMIN = re.compile(r"^/_stub/functions/([A-Za-z0-9_-]{1,64})$")
# [arn:aws:lambda:region:]account:function:name[:qualifier] or name[:qualifier].
FULL_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]+:(\d{12}):function:([A-Za-z0-9_-]{1,64})"
                      r"(?::([A-Za-z0-9$_-]{1,128}))?$")
PARTIAL_ARN = re.compile(r"^(\d{12}):function:([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9$_-]{1,128}))?$")
NAME = re.compile(r"^([A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9$_-]{1,128}))?$")
REGION = "us-east-1"
ACCOUNT = "123456789012"


class _Threaded(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def parse_function_name(raw):
    """(name, qualifier-or-None) of a FunctionName path parameter, or None when malformed."""
    for rx, name_at in ((FULL_ARN, 2), (PARTIAL_ARN, 2), (NAME, 1)):
        m = rx.match(raw)
        if m:
            return m.group(name_at), m.group(name_at + 1)
    return None


class Invocation:
    """One recorded Invoke call."""

    def __init__(self, function, name, qualifier, payload, headers, status):
        self.function = function  # FunctionName exactly as it came in the path
        self.name = name  # the bare function name
        self.qualifier = qualifier  # alias/version from the ARN or ?Qualifier=, else None
        self.payload = payload  # the request body, bytes
        self.headers = headers  # dict, header names lower-cased
        self.status = status  # the HTTP status answered
        self.signed = headers.get("authorization", "").startswith("AWS4-HMAC-SHA256 ")

    def event(self):
        """The payload as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.payload)
        except ValueError:
            return None

    def __repr__(self):
        return "Invocation(%s, %s, %r)" % (self.function, self.qualifier, self.payload[:200])


class Context:
    """The handler's context object, with the members Lambda's Python runtime gives."""

    def __init__(self, name, qualifier, request_id, deadline):
        self.function_name = name
        self.function_version = qualifier if qualifier and qualifier.isdigit() else "$LATEST"
        self.invoked_function_arn = "arn:aws:lambda:%s:%s:function:%s%s" % (
            REGION, ACCOUNT, name, ":" + qualifier if qualifier else "")
        self.memory_limit_in_mb = "128"
        self.aws_request_id = request_id
        self.log_group_name = "/aws/lambda/" + name
        self.log_stream_name = "stub"
        self._deadline = deadline

    def get_remaining_time_in_millis(self):
        return max(0, int((self._deadline - time.time()) * 1000))


def load_handler(path, name):
    """The `handler` function of the Python file at path (a fresh module each call). As in
    Lambda's runtime, the file's directory (the task root) is on sys.path, so a handler may
    import its neighbours."""
    root = os.path.dirname(os.path.abspath(path))
    if root not in sys.path:
        sys.path.append(root)
    spec = importlib.util.spec_from_file_location("lambda_stub_fn_" + name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.handler


def load_source(source, name):
    mod = types.ModuleType("lambda_stub_fn_" + name)
    exec(compile(source, "<%s>" % name, "exec"), mod.__dict__)
    return mod.handler


_real_getaddrinfo = socket.getaddrinfo


def _getaddrinfo(host, *args, **kw):
    if isinstance(host, str) and host.lower().rstrip(".").endswith(".localhost"):
        host = "127.0.0.1"
    return _real_getaddrinfo(host, *args, **kw)


def resolve_localhost_names():
    """Makes every `*.localhost` name resolve to 127.0.0.1 in this process, as RFC 6761 §6.3
    has it (systemd-resolved and browsers do; glibc's files backend does not). This lets a
    handler reach the gateway's Host form, `http://{apiId}.execute-api.localhost:PORT/{stage}`,
    through the event's domainName without touching /etc/hosts. Loopback only."""
    socket.getaddrinfo = _getaddrinfo


class LambdaStub:
    """A threaded Invoke API server on 127.0.0.1:port (0 = a free one); `.port`, `.url`."""

    def __init__(self, port=0, timeout=30):
        self.functions = {}  # name -> callable(event, context)
        self.invocations = []  # Invocation, in arrival order
        self.cond = threading.Condition()
        self.timeout = timeout  # seconds a handler's context reports as its budget
        stub = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def reply(self, status, body, headers=None):
                out = body if isinstance(body, bytes) else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(out)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(out)

            def body(self):
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def do_PUT(self):
                m = ADMIN.match(urlparse(self.path).path)
                body = self.body()
                if not m:
                    return self.reply(404, {"Type": "User", "message": "no such admin path"})
                try:
                    stub.add(m.group(1), load_source(body.decode(), m.group(1)))
                except Exception as e:  # noqa: BLE001 — a bad file is the caller's error
                    return self.reply(400, {"Type": "User", "message": repr(e)})
                self.reply(201, {"FunctionName": m.group(1)})

            def do_POST(self):
                u = urlparse(self.path)
                m = INVOKE.match(u.path)
                payload = self.body()
                rid = str(uuid.uuid4())
                base = {"x-amzn-RequestId": rid}
                if not m:
                    return self.reply(404, {"Type": "User", "message": "Unknown operation"},
                                      dict(base, **{"x-amzn-ErrorType": "UnknownOperationException"}))
                raw = unquote(m.group(1))
                parsed = parse_function_name(raw)
                qs = parse_qs(u.query)
                name, qualifier = parsed if parsed else (None, None)
                if "Qualifier" in qs:
                    q = qs["Qualifier"][0]
                    if qualifier is not None and q != qualifier:
                        parsed = None  # Lambda refuses two different qualifiers
                    qualifier = q
                headers = {k.lower(): v for k, v in self.headers.items()}
                status, out, extra = stub._invoke(raw, parsed, name, qualifier, payload,
                                                  headers, rid)
                stub._record(Invocation(raw, name, qualifier, payload, headers, status))
                self.reply(status, out, dict(base, **extra))

            def do_GET(self):
                if urlparse(self.path).path == "/_stub/invocations":
                    with stub.cond:
                        rows = [{"function": i.function, "qualifier": i.qualifier,
                                 "payload": i.payload.decode("utf-8", "replace"),
                                 "signed": i.signed, "status": i.status}
                                for i in stub.invocations]
                    return self.reply(200, rows)
                self.reply(404, {"Type": "User", "message": "Unknown operation"})

        self.server = _Threaded(("127.0.0.1", port), H)
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    # Registration.
    def add(self, name, handler):
        """Registers handler(event, context) as function `name`; returns its full ARN."""
        assert NAME.match(name) and ":" not in name, name
        with self.cond:
            self.functions[name] = handler
        return self.arn(name)

    def add_file(self, name, path):
        return self.add(name, load_handler(path, name))

    def add_dir(self, directory):
        """Registers every *.py of directory that defines handler(), under its file name
        (without .py); the other files are modules the handlers may import. Returns the names."""
        names = []
        for f in sorted(os.listdir(directory)):
            if f.endswith(".py"):
                with open(os.path.join(directory, f)) as src:
                    if not re.search(r"^def handler\(", src.read(), re.M):
                        continue
                self.add_file(f[:-3], os.path.join(directory, f))
                names.append(f[:-3])
        return names

    @staticmethod
    def arn(name, qualifier=None):
        return "arn:aws:lambda:%s:%s:function:%s%s" % (REGION, ACCOUNT, name,
                                                        ":" + qualifier if qualifier else "")

    @classmethod
    def integration_uri(cls, name, qualifier=None):
        """The apigatewayv2 IntegrationUri of an AWS_PROXY integration calling this function."""
        return ("arn:aws:apigateway:%s:lambda:path/2015-03-31/functions/%s/invocations"
                % (REGION, cls.arn(name, qualifier)))

    # What tests assert on.
    def calls(self, name=None):
        """A copy of the recorded invocations, of function `name` only when given."""
        with self.cond:
            return [i for i in self.invocations if name is None or i.name == name]

    def wait_calls(self, n, name=None, timeout=20):
        """Waits until at least n invocations (of name) were recorded; returns them."""
        deadline = time.time() + timeout
        with self.cond:
            while True:
                got = [i for i in self.invocations if name is None or i.name == name]
                if len(got) >= n:
                    return got
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError("lambda_stub: %d of %d invocations of %s after %ss: %r"
                                         % (len(got), n, name or "any function", timeout, got))
                self.cond.wait(left)

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    # Internals.
    def _record(self, inv):
        with self.cond:
            self.invocations.append(inv)
            self.cond.notify_all()

    def _invoke(self, raw, parsed, name, qualifier, payload, headers, rid):
        """(status, body, extra headers) for one Invoke call."""
        if parsed is None:
            return 400, {"Type": "User", "message": "1 validation error detected: Value '%s' at "
                         "'functionName' failed to satisfy constraint" % raw}, \
                {"x-amzn-ErrorType": "ValidationException"}
        with self.cond:
            fn = self.functions.get(name)
        if fn is None:
            return 404, {"Type": "User", "Message": "Function not found: %s" % self.arn(
                name, qualifier)}, {"x-amzn-ErrorType": "ResourceNotFoundException"}
        kind = headers.get("x-amz-invocation-type", "RequestResponse")
        if kind not in ("RequestResponse", "Event", "DryRun"):
            return 400, {"Type": "User", "message": "1 validation error detected: Value '%s' "
                         "at 'invocationType' failed to satisfy constraint" % kind}, \
                {"x-amzn-ErrorType": "ValidationException"}
        try:
            event = json.loads(payload) if payload else {}
        except ValueError as e:
            return 400, {"Type": "User", "message": "Could not parse request body into json: %s"
                         % e}, {"x-amzn-ErrorType": "InvalidRequestContentException"}
        version = qualifier if qualifier and qualifier.isdigit() else "$LATEST"
        extra = {"X-Amz-Executed-Version": version}
        if kind == "DryRun":
            return 204, b"", extra
        ctx = Context(name, qualifier, rid, time.time() + self.timeout)
        if kind == "Event":
            threading.Thread(target=self._run, args=(fn, event, ctx), daemon=True).start()
            return 202, b"", extra
        ok, result = self._run(fn, event, ctx)
        if not ok:
            extra["X-Amz-Function-Error"] = "Unhandled"
            return 200, result, extra
        try:
            return 200, json.dumps(result).encode(), extra
        except (TypeError, ValueError) as e:  # the runtime's answer to an unserialisable result
            extra["X-Amz-Function-Error"] = "Unhandled"
            return 200, {"errorMessage": "Unable to marshal response: %s" % e,
                         "errorType": "Runtime.MarshalError", "requestId": rid,
                         "stackTrace": []}, extra

    @staticmethod
    def _run(fn, event, ctx):
        """(True, result) or (False, Lambda's error payload)."""
        try:
            return True, fn(event, ctx)
        except Exception as e:  # noqa: BLE001 — the function failed, as in Lambda
            tb = traceback.extract_tb(e.__traceback__)[1:]
            return False, {"errorMessage": str(e), "errorType": type(e).__name__,
                           "requestId": ctx.aws_request_id,
                           "stackTrace": traceback.format_list(tb)}


class Request:
    """One request a Backend received."""

    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path  # with the query string
        self.headers = headers  # dict, header names lower-cased
        self.body = body  # bytes

    def __repr__(self):
        return "Request(%s %s %r)" % (self.method, self.path, self.body[:200])


class Backend:
    """An HTTP backend for HTTP_PROXY routes on 127.0.0.1:port (0 = free). `reply(request)`
    returns (status, body) or (status, headers, body); the default echoes the body with 200.
    `delay` seconds are waited before answering. Every request is kept in `requests`."""

    def __init__(self, port=0, reply=None, delay=0.0):
        self.requests = []
        self.cond = threading.Condition()
        self.reply = reply or (lambda req: (200, req.body))
        self.delay = delay
        be = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def handle_any(self):
                n = int(self.headers.get("Content-Length") or 0)
                req = Request(self.command, self.path,
                              {k.lower(): v for k, v in self.headers.items()},
                              self.rfile.read(n))
                with be.cond:
                    be.requests.append(req)
                    be.cond.notify_all()
                if be.delay:
                    time.sleep(be.delay)  # the configured slowness, not synchronisation
                answer = be.reply(req)
                status, headers, body = answer if len(answer) == 3 else (answer[0], {}, answer[1])
                body = body.encode() if isinstance(body, str) else body
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the client gave up (a timeout under test)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = handle_any

        self.server = _Threaded(("127.0.0.1", port), H)
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d" % self.port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def wait_requests(self, n, timeout=20):
        deadline = time.time() + timeout
        with self.cond:
            while len(self.requests) < n:
                left = deadline - time.time()
                if left <= 0:
                    raise AssertionError("backend: %d of %d requests after %ss"
                                         % (len(self.requests), n, timeout))
                self.cond.wait(left)
            return list(self.requests)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def main(argv):
    import argparse
    p = argparse.ArgumentParser(description="Lambda Invoke API stand-in")
    p.add_argument("--listen-port", type=int, default=0)
    p.add_argument("--dir", help="register every *.py handler file of DIR")
    p.add_argument("--port-file")
    a = p.parse_args(argv)
    stub = LambdaStub(a.listen_port)
    if a.dir:
        stub.add_dir(a.dir)
    if a.port_file:
        tmp = a.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % stub.port)
        os.rename(tmp, a.port_file)
    print("lambda_stub on %s" % stub.url, flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    stub.close()


if __name__ == "__main__":
    main(sys.argv[1:])
