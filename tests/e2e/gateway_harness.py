"""gateway_harness.py — start apigwd-gateway next to a real apigwd, and drive real WebSocket
clients (Debian's python3-websockets) from synchronous tests. The Lambda Invoke API stand-in and
the HTTP backend for HTTP_PROXY routes are lambda_stub.py's LambdaStub and Backend.

The gateway binary: env APIGWD_GATEWAY, default apigwd-gateway next to the APIGWD binary.
"""
import asyncio
import os
import shutil
import signal
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
