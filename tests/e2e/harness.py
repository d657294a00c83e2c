"""harness.py — start the real apigwd on a free loopback port and talk to it.

Every end-to-end test uses this: `Server` runs the binary (env APIGWD, default <repo>/apigwd)
with --listen 127.0.0.1:0 --port-file, so tests never race for ports; `client()` gives a boto3
apigatewayv2 client, `aws()` runs the real AWS CLI, `http()` sends raw requests.

Backends: env APIGWD_BACKEND=postgres gives every Server without an explicit db a fresh database
(CREATE DATABASE t_<random>, dropped on close) in one throwaway PostgreSQL cluster that
scripts/pg-tmp starts on first use and stops when the test process exits; the server only sees
its `--db postgresql://...` string. Default (sqlite): a fresh file in the server's temp dir.
`sqlite_only(reason)` marks a test (method or class) that is about SQLite itself.
"""
import atexit
import json
import os
import re
import secrets
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


BACKEND = os.environ.get("APIGWD_BACKEND", "sqlite")
if BACKEND not in ("sqlite", "postgres"):
    raise SystemExit("harness: APIGWD_BACKEND must be sqlite or postgres, not %r" % BACKEND)
PG_TMP = os.path.join(REPO, "scripts", "pg-tmp")
PSQL = os.environ.get("PSQL", "/usr/bin/psql")
# The skip reason of sqlite_only tests: run.py counts these apart from other skips (under CI a
# skip is a failure; a test that does not apply to the backend is not).
SQLITE_ONLY = "SQLite only: "


def sqlite_only(reason):
    """Decorator: the test (or class) is about SQLite itself (its file, PRAGMAs, file backup...);
    skipped with `reason` when the suite runs on PostgreSQL."""
    return unittest.skipIf(BACKEND == "postgres", SQLITE_ONLY + reason)


class PgCluster:
    """A throwaway PostgreSQL cluster (scripts/pg-tmp) in its own temp dir, with databases made
    and dropped through psql. stop() removes it all."""

    def __init__(self):
        # Directly under the temp root: the postgres user must reach it (scripts/pg-tmp chowns it).
        self.dir = tempfile.mkdtemp(prefix="apigwd-pg-")
        p = subprocess.run([PG_TMP, self.dir], capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            shutil.rmtree(self.dir, ignore_errors=True)
            raise RuntimeError("scripts/pg-tmp failed:\n" + p.stderr)
        self.uri = p.stdout.strip()            # postgresql://postgres@127.0.0.1:PORT/postgres
        self.base = self.uri.rsplit("/", 1)[0]  # without the database name
        self.dropping = []                      # psql DROP DATABASE processes not yet reaped

    def psql(self, sql, db="postgres", check=True):
        """Runs sql on database db; returns psql's stdout (unaligned, tuples only)."""
        p = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                            "-d", self.base + "/" + db, "-c", sql],
                           capture_output=True, text=True, timeout=60)
        if check and p.returncode != 0:
            raise RuntimeError("psql %r failed: %s" % (sql, p.stderr))
        return p.stdout

    def create_db(self):
        """A new empty database; returns (name, its libpq URI)."""
        name = "t_" + secrets.token_hex(6)
        self.psql("CREATE DATABASE %s" % name)
        return name, self.base + "/" + name

    def drop_db(self, name):
        """Drops database name (its connections are ended) without waiting for it."""
        self.dropping = [p for p in self.dropping if p.poll() is None]
        self.dropping.append(subprocess.Popen(
            [PSQL, "-X", "-q", "-d", self.uri, "-c",
             "DROP DATABASE IF EXISTS %s WITH (FORCE)" % name],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))

    def restart(self):
        """pg_ctl restart: every connection is cut, the data stays."""
        subprocess.run([PG_TMP, "restart", self.dir], check=True, timeout=120)

    def stop(self):
        for p in self.dropping:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        subprocess.run([PG_TMP, "stop", self.dir], timeout=120)


_cluster = None


def pg_cluster():
    """The test process's shared PostgreSQL cluster, started on first use, stopped at exit."""
    global _cluster
    if _cluster is None:
        _cluster = PgCluster()
        atexit.register(_cluster.stop)
    return _cluster


def new_db(directory):
    """A fresh database string for --db on the suite's backend: a file in directory, or a new
    database of the shared PostgreSQL cluster (dropped with the cluster)."""
    if BACKEND == "postgres":
        return pg_cluster().create_db()[1]
    return os.path.join(directory, "apigwd-%s.db" % secrets.token_hex(4))


def integrity(db):
    """The storage's own consistency check of database db: "ok", or what it found.
    SQLite: `PRAGMA integrity_check` (sqlite3 CLI). PostgreSQL: amcheck's bt_index_check on every
    B-tree index of the database (tables and their indexes agree, pages are sane)."""
    if not db.startswith(("postgres://", "postgresql://")):
        p = subprocess.run(["sqlite3", db, "PRAGMA integrity_check"],
                           capture_output=True, text=True, timeout=60)
        return p.stdout.strip() or p.stderr.strip()
    sql = ("CREATE EXTENSION IF NOT EXISTS amcheck; "
           "SELECT count(bt_index_check(c.oid, true)) FROM pg_index i "
           "JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam "
           "WHERE a.amname = 'btree' AND c.relpersistence != 't' AND i.indisvalid")
    p = subprocess.run([PSQL, "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", db,
                        "-c", sql], capture_output=True, text=True, timeout=120)
    return "ok" if p.returncode == 0 and p.stdout.strip().isdigit() else (
        p.stderr.strip() or p.stdout.strip())


class Server:
    """One apigwd process. db=None gives a fresh database of the backend (APIGWD_BACKEND): a
    file in a temp dir, or a new PostgreSQL database; kept across restart(), removed by close()."""

    def __init__(self, db=None, args=()):
        self.tmp = tempfile.mkdtemp(prefix="apigwd-test-")
        self.pg_name = None
        if db is None and BACKEND == "postgres":
            self.pg_name, db = pg_cluster().create_db()
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
            if self.pg_name:
                pg_cluster().drop_db(self.pg_name)
                self.pg_name = None

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
    registry is out of reach, AssertionError on any other npm failure. Test processes running at
    once (scripts/run-tests' two passes) install one at a time: a later one finds it done."""
    import fcntl
    import hashlib
    lock_path = os.path.join(tempfile.gettempdir(), "apigwd-npm-%s.lock" % hashlib.sha1(
        os.path.abspath(directory).encode()).hexdigest()[:12])
    done = os.path.join(directory, "node_modules", ".package-lock.json")  # npm writes it last

    def installed_at():
        return os.stat(done).st_mtime_ns if os.path.exists(done) else None
    before = installed_at()
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if installed_at() not in (None, before):
            return  # installed by another test process while this one waited
        _npm_ci(directory, what)


def _npm_ci(directory, what):
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
