"""gateway_harness.py — start apigwd-gateway next to a real apigwd, a real WebSocket client
(Debian's python3-websockets), a small Lambda Invoke API server running Python handlers (the one
allowed stand-in) and a small HTTP backend for HTTP_PROXY routes.

The gateway binary: env APIGWD_GATEWAY, default apigwd-gateway next to the APIGWD binary.
"""
import asyncio
import http.server
import json
import os
import shutil
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time

import harness

GATEWAY = os.environ.get("APIGWD_GATEWAY", os.path.join(
    os.path.dirname(os.path.abspath(harness.BINARY)), "apigwd-gateway"))

# Debian's python3-websockets lives outside pyenv's path: add it for this import only.
try:
    import websockets  # noqa: F401
except ImportError:
    sys.path.append("/usr/lib/python3/dist-packages")
    import websockets  # noqa: F401
    sys.path.remove("/usr/lib/python3/dist-packages")


def wait_for(cond, timeout=20, what="condition"):
    deadline = time.time() + timeout
    while time.time() < deadline:
        v = cond()
        if v:
            return v
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


class Gateway:
    """One apigwd-gateway process on a free loopback port."""

    def __init__(self, control_url, args=(), tmp=None, env=None):
        self.tmp = tmp or tempfile.mkdtemp(prefix="apigwd-gw-")
        self.env = env  # the process environment (None: this one's)
        self.control = control_url
        self.args = list(args)
        self.proc = None
        self.log_path = os.path.join(self.tmp, "gateway.log")

    def start(self):
        pf = os.path.join(self.tmp, "gw.port")
        if os.path.exists(pf):
            os.unlink(pf)
        self.log = open(self.log_path, "a")
        self.proc = subprocess.Popen(
            [GATEWAY, "--control", self.control, "--listen", "127.0.0.1:0", "--port-file", pf,
             "--wait", "5"] + self.args, stdout=self.log, stderr=subprocess.STDOUT, env=self.env)
        self.port = int(wait_for(lambda: os.path.exists(pf) and open(pf).read().strip(),
                                 what="gateway port file"))
        return self

    def logs(self):
        with open(self.log_path) as f:
            return f.read()

    @property
    def http_url(self):
        return "http://127.0.0.1:%d" % self.port

    def ws_url(self, api, stage):
        return "ws://127.0.0.1:%d/%s/%s" % (self.port, api, stage)

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self.log.close()

    def close(self):
        self.stop()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def mgmt(self, api, stage):
        import boto3
        from botocore.config import Config
        return boto3.client(
            "apigatewaymanagementapi", endpoint_url="%s/%s/%s" % (self.http_url, api, stage),
            region_name="us-east-1", aws_access_key_id="AKIDEXAMPLE",
            aws_secret_access_key="secret", config=Config(retries={"max_attempts": 1}))


class Loop:
    """A private asyncio loop on a thread, so synchronous tests can drive many clients."""

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def run(self, coro, timeout=30):
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    def close(self):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class Client:
    """A websockets client driven synchronously through a Loop."""

    def __init__(self, loop, url, headers=None):
        self.loop = loop
        async def opening():
            return await websockets.connect(url, extra_headers=headers or {}, max_size=None,
                                            ping_interval=None, open_timeout=10)
        self.ws = loop.run(opening())

    def send(self, data):
        self.loop.run(self.ws.send(data))

    def recv(self, timeout=10):
        return self.loop.run(asyncio.wait_for(self.ws.recv(), timeout), timeout + 5)

    def ask(self, data, timeout=10):
        self.send(data)
        return self.recv(timeout)

    def no_frame(self, wait=0.5):
        """True when nothing arrives within `wait` seconds (a one-way route's silence)."""
        try:
            self.loop.run(asyncio.wait_for(self.ws.recv(), wait), wait + 5)
            return False
        except asyncio.TimeoutError:
            return True

    def wait_closed(self, timeout=10):
        self.loop.run(asyncio.wait_for(self.ws.wait_closed(), timeout), timeout + 5)
        return self.ws.close_code, self.ws.close_reason

    def close(self, code=1000):
        try:
            self.loop.run(self.ws.close(code), 10)
        except Exception:
            pass


def connect_status(loop, url, headers=None):
    """The HTTP status refusing an upgrade, or 101 when it was accepted (then closed)."""
    try:
        c = Client(loop, url, headers)
    except websockets.exceptions.InvalidStatusCode as e:
        return e.status_code
    c.close()
    return 101


class _Threaded(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class LambdaStub:
    """The Lambda Invoke API: POST /2015-03-31/functions/{fn}/invocations runs
    self.handlers[name](event) (name without qualifier); a raised exception answers with
    X-Amz-Function-Error. Every call is kept in self.calls as (function, qualifier, event)."""

    def __init__(self):
        self.handlers = {}
        self.calls = []
        self.cond = threading.Condition()
        stub = self

        class H(http.server.BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_POST(self):
                from urllib.parse import unquote, urlparse, parse_qs
                u = urlparse(self.path)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                fn = unquote(u.path.split("/functions/")[1].rsplit("/invocations", 1)[0])
                name = fn.split(":function:")[-1]
                qual = parse_qs(u.query).get("Qualifier", [None])[0]
                event = json.loads(body)
                with stub.cond:
                    stub.calls.append((fn, qual, body.decode()))
                    stub.cond.notify_all()
                try:
                    out, extra = json.dumps(stub.handlers[name](event)).encode(), {}
                except Exception as e:  # the function failed: Lambda's error shape
                    out = json.dumps({"errorMessage": str(e)}).encode()
                    extra = {"X-Amz-Function-Error": "Unhandled"}
                self.send_response(200)
                for k, v in extra.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

        self.server = _Threaded(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self, route_key):
        with self.cond:
            return [json.loads(e) for _, _, e in self.calls
                    if json.loads(e)["requestContext"]["routeKey"] == route_key]

    def close(self):
        self.server.shutdown()


class Backend:
    """An HTTP backend for HTTP_PROXY: answers self.reply(path, headers, body) -> (status, body),
    keeps every request in self.requests."""

    def __init__(self):
        self.requests = []
        self.reply = lambda path, headers, body: (200, body)
        be = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *a):
                pass

            def handle_any(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0) or 0))
                be.requests.append((self.command, self.path, dict(self.headers), body))
                status, out = be.reply(self.path, self.headers, body)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", str(len(out)))
                    self.end_headers()
                    self.wfile.write(out)
                except OSError:
                    pass  # the gateway gave up on us (timeoutInMillis)

            do_GET = do_POST = do_PUT = handle_any

        self.server = _Threaded(("127.0.0.1", 0), H)
        self.url = "http://127.0.0.1:%d" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
