"""Living with apigwd: POST /_apigwd/reset, the state file (export, import, --seed), health,
Prometheus metrics, the request log, online backup and restore, the shell fixture helper, and
the man page and systemd unit kept true to the binary.
"""
import json
import os
import re
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
import unittest
import urllib.request

import harness
from harness import BINARY, REPO, Server, ServerTestCase, sqlite_only

FIXTURE = os.path.join(REPO, "scripts", "apigwd-fixture")
UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
OTHER_ACCOUNT = "111122223333"  # a 12-digit access key id is taken as the account


def cli(*args, stdin=None):
    """Runs `apigwd ARGS`; returns (status, stdout bytes, stderr text)."""
    p = subprocess.run([BINARY] + list(args), input=stdin, capture_output=True, timeout=60)
    return p.returncode, p.stdout, p.stderr.decode("utf-8", "replace")


def tmpdir(test):
    d = tempfile.mkdtemp(prefix="apigwd-ops-")
    test.addCleanup(subprocess.run, ["rm", "-rf", d])
    return d


def build_state(server):
    """A varied state in two accounts and two regions: tags, routes, integrations and their
    responses, stages with variables, deployments, models, authorizers."""
    c = server.client()
    http = c.create_api(Name="pets", ProtocolType="HTTP", Tags={"team": "a", "env": "test"})
    hid = http["ApiId"]
    integ = c.create_integration(ApiId=hid, IntegrationType="HTTP_PROXY", IntegrationMethod="GET",
                                 IntegrationUri="https://example.com/pets",
                                 PayloadFormatVersion="1.0")
    c.create_route(ApiId=hid, RouteKey="GET /pets", Target="integrations/" + integ["IntegrationId"])
    c.create_route(ApiId=hid, RouteKey="POST /pets")
    c.create_authorizer(ApiId=hid, AuthorizerType="JWT", Name="jwt",
                        IdentitySource=["$request.header.Authorization"],
                        JwtConfiguration={"Audience": ["a"], "Issuer": "https://issuer.example"})
    c.create_stage(ApiId=hid, StageName="prod", StageVariables={"color": "blue"})
    c.create_deployment(ApiId=hid, StageName="prod", Description="first")
    ws = c.create_api(Name="chat", ProtocolType="WEBSOCKET",
                      RouteSelectionExpression="$request.body.action")
    wid = ws["ApiId"]
    mock = c.create_integration(ApiId=wid, IntegrationType="MOCK",
                                RequestTemplates={"application/json": '{"statusCode":200}'})
    c.create_integration_response(ApiId=wid, IntegrationId=mock["IntegrationId"],
                                  IntegrationResponseKey="$default")
    route = c.create_route(ApiId=wid, RouteKey="$default",
                           Target="integrations/" + mock["IntegrationId"])
    c.create_route_response(ApiId=wid, RouteId=route["RouteId"], RouteResponseKey="$default")
    c.create_model(ApiId=wid, Name="Pet", ContentType="application/json",
                   Schema='{"$schema":"http://json-schema.org/draft-04/schema#","type":"object"}')
    other = server.client(region="eu-west-1", access_key=OTHER_ACCOUNT)
    other.create_api(Name="elsewhere", ProtocolType="HTTP", Tags={"k": "v"})
    gone = c.create_route(ApiId=hid, RouteKey="GET /gone")["RouteId"]
    c.delete_route(ApiId=hid, RouteId=gone)
    return hid, wid, gone


def visible_state(server):
    """What clients see of a state: every API with its routes, integrations, stages and
    deployments, in both accounts, as raw answers."""
    out = {}
    for region, key in (("us-east-1", None), ("eu-west-1", OTHER_ACCOUNT)):
        c = server.client(region=region, access_key=key)
        for api in c.get_apis()["Items"]:
            a = api["ApiId"]
            out[(region, a)] = {
                "api": api,
                "routes": c.get_routes(ApiId=a)["Items"],
                "integrations": c.get_integrations(ApiId=a)["Items"],
                "stages": c.get_stages(ApiId=a)["Items"],
                "deployments": c.get_deployments(ApiId=a)["Items"],
                "models": c.get_models(ApiId=a)["Items"],
                "authorizers": c.get_authorizers(ApiId=a)["Items"],
                "tags": c.get_tags(ResourceArn="arn:aws:apigateway:%s::/apis/%s" % (region, a))["Tags"],
            }
            for k in out[(region, a)].values():
                if isinstance(k, dict):
                    k.pop("ResponseMetadata", None)
    return out


def get(url, timeout=30):
    """GET url; returns (status, headers, body text), errors included."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read().decode()


# ---- reset ----

class ResetTest(ServerTestCase):
    server_args = ("--allow-reset",)

    def test_reset_empties_every_account_and_starts_a_new_epoch(self):
        hid, wid, _ = build_state(self.server)
        _, _, feed = self.server.http("GET", "/dataplane/v1/changes?since=0")
        epoch, revision = feed["epoch"], feed["revision"]
        self.assertGreater(revision, 10)

        # A held change-feed read is woken by the reset and told to resync.
        held = {}

        def long_poll():
            t = time.time()
            held["answer"] = self.server.http(
                "GET", "/dataplane/v1/changes?since=%d&epoch=%s&wait=20" % (revision, epoch))
            held["seconds"] = time.time() - t
        t = threading.Thread(target=long_poll)
        t.start()
        deadline = time.time() + 5
        while time.time() < deadline and "apigwd_held_requests 1" not in \
                self.server.http("GET", "/metrics")[2]:
            time.sleep(0.02)

        status, hdrs, body = self.server.http("POST", "/_apigwd/reset")
        self.assertEqual((status, body), (204, None))
        self.assertRegex(hdrs["x-amzn-requestid"], UUID)
        t.join(10)
        self.assertFalse(t.is_alive())
        self.assertLess(held["seconds"], 5)
        status, _, gone = held["answer"]
        self.assertEqual(status, 410, gone)
        self.assertNotEqual(gone["epoch"], epoch)
        self.assertEqual(gone["revision"], revision + 1)

        c = self.server.client()
        self.assertEqual(c.get_apis()["Items"], [])
        self.assertEqual(self.server.client(region="eu-west-1", access_key=OTHER_ACCOUNT)
                         .get_apis()["Items"], [])
        self.assertAwsError(lambda: c.get_api(ApiId=hid), "NotFoundException", 404)
        self.assertAwsError(lambda: c.get_routes(ApiId=wid), "NotFoundException", 404)
        _, _, health = self.server.http("GET", "/_apigwd/health")
        self.assertEqual(health["revision"], revision + 1)
        # The feed of the new epoch starts empty; the server goes on as new.
        _, _, feed = self.server.http("GET", "/dataplane/v1/changes?since=%d&epoch=%s&wait=0"
                                      % (revision + 1, gone["epoch"]))
        self.assertEqual(feed["changes"], [])
        api = c.create_api(Name="after", ProtocolType="HTTP")
        self.assertEqual([a["ApiId"] for a in c.get_apis()["Items"]], [api["ApiId"]])
        code, out, _ = cli("export", "--db", self.server.db)
        self.assertEqual(code, 0)
        exported = json.loads(out)
        self.assertEqual([r["id"] for r in exported["resources"]], [api["ApiId"]])
        self.assertEqual(exported["issuedIds"], [["000000000000", api["ApiId"]]])


class ResetDisabledTest(ServerTestCase):

    def test_reset_is_not_found_without_allow_reset(self):
        api = self.server.client().create_api(Name="kept", ProtocolType="HTTP")
        status, hdrs, body = self.server.http("POST", "/_apigwd/reset")
        self.assertEqual(status, 404)
        self.assertEqual(hdrs["x-amzn-errortype"], "NotFoundException")
        self.assertIn("--allow-reset", body["message"])
        self.assertEqual(self.server.client().get_api(ApiId=api["ApiId"])["Name"], "kept")


# ---- the state file ----

class StateFileTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.source = Server().start()
        cls.hid, cls.wid, cls.gone = build_state(cls.source)
        cls.expected = visible_state(cls.source)
        code, cls.exported, err = cli("export", "--db", cls.source.db)  # while it serves
        assert code == 0, err
        cls.dir = tempfile.mkdtemp(prefix="apigwd-ops-")
        cls.state_file = os.path.join(cls.dir, "state.json")
        with open(cls.state_file, "wb") as f:
            f.write(cls.exported)

    @classmethod
    def tearDownClass(cls):
        cls.source.stop()
        subprocess.run(["rm", "-rf", cls.dir])

    def fresh_db(self):
        return harness.new_db(tmpdir(self))

    def test_export_format(self):
        doc = json.loads(self.exported)
        self.assertEqual((doc["format"], doc["version"]), ("apigwd-state", 1))
        kinds = {r["kind"] for r in doc["resources"]}
        for kind in ("api", "integration", "route", "stage", "deployment", "model", "authorizer",
                     "integration_response", "route_response"):
            self.assertIn(kind, kinds)
        accounts = {(r["account"], r["region"]) for r in doc["resources"]}
        self.assertEqual(accounts, {("000000000000", "us-east-1"), (OTHER_ACCOUNT, "eu-west-1")})
        first = doc["resources"][0]
        self.assertEqual(sorted(first), sorted(["account", "region", "kind", "parent", "id", "ukey",
                                                "ref", "doc", "body"]))
        self.assertEqual((first["kind"], first["id"]), ("api", self.hid))
        self.assertEqual(json.loads(first["body"])["tags"], {"team": "a", "env": "test"})
        # The deleted route's id stays issued, so it is never handed out again.
        ids = {i for _, i in doc["issuedIds"]}
        self.assertIn(self.hid, ids)
        self.assertIn(self.gone, ids)
        self.assertNotIn(self.gone, {r["id"] for r in doc["resources"]})

    def test_round_trip_is_byte_identical_and_serves_the_same_answers(self):
        db = self.fresh_db()
        code, _, err = cli("import", "--db", db, self.state_file)
        self.assertEqual(code, 0, err)
        self.assertIn("loaded into", err)
        code, again, err = cli("export", "--db", db)
        self.assertEqual(code, 0, err)
        self.assertEqual(again, self.exported)
        with Server(db=db) as copy:
            self.assertEqual(visible_state(copy), self.expected)
            # Writes go on from there.
            copy.client().create_route(ApiId=self.hid, RouteKey="GET /more")

    def test_import_from_stdin(self):
        db = self.fresh_db()
        code, _, err = cli("import", "--db", db, "-", stdin=self.exported)
        self.assertEqual(code, 0, err)
        self.assertEqual(cli("export", "--db", db)[1], self.exported)

    def test_seed_at_start_up(self):
        with Server(db=":memory:", args=("--seed", self.state_file)) as seeded:
            self.assertEqual(visible_state(seeded), self.expected)
            _, _, health = seeded.http("GET", "/_apigwd/health")
            self.assertEqual((health["status"], health["db"]), ("ok", ":memory:"))

    def test_seed_refuses_a_database_with_resources(self):
        db = self.fresh_db()
        self.assertEqual(cli("import", "--db", db, self.state_file)[0], 0)
        server = Server(db=db, args=("--seed", self.state_file))
        with self.assertRaises(RuntimeError) as cm:
            server.start()
        server.stop()
        self.assertIn("--seed %s: the database already holds" % self.state_file, str(cm.exception))

    def test_import_refuses_a_database_with_resources(self):
        db = self.fresh_db()
        self.assertEqual(cli("import", "--db", db, self.state_file)[0], 0)
        code, _, err = cli("import", "--db", db, self.state_file)
        self.assertEqual(code, 1)
        self.assertIn("already holds", err)
        self.assertEqual(cli("export", "--db", db)[1], self.exported)

    def test_bad_files_change_nothing(self):
        db = self.fresh_db()
        d = tmpdir(self)
        rows = json.loads(self.exported)
        dup = dict(rows, resources=rows["resources"] + rows["resources"][:1])
        bad_account = dict(rows, resources=rows["resources"][:1] + [
            dict(rows["resources"][1], account="12")])
        cases = [
            (b"{not json", "line 1"),
            (b'{"resources": []}', "not an apigwd state file"),
            (b'{"format": "apigwd-state", "version": 2, "resources": []}', "version 2"),
            (json.dumps(bad_account).encode(), "resources[1]: account must be 12 digits"),
            (json.dumps(dict(rows, resources=[dict(rows["resources"][0], body="[1]")])).encode(),
             "resources[0]: body is not the text of a JSON object"),
            (json.dumps(dup).encode(), "already in the file"),
        ]
        for i, (text, message) in enumerate(cases):
            with self.subTest(message=message):
                path = os.path.join(d, "bad%d.json" % i)
                with open(path, "wb") as f:
                    f.write(text)
                code, _, err = cli("import", "--db", db, path)
                self.assertEqual(code, 1, err)
                self.assertIn(message, err)
                # All or nothing: the database is still empty.
                empty = json.loads(cli("export", "--db", db)[1])
                self.assertEqual((empty["resources"], empty["issuedIds"]), ([], []))

    def test_usage_errors(self):
        self.assertEqual(cli("import")[0], 2)
        self.assertEqual(cli("export", "extra")[0], 2)
        code, out, _ = cli("export", "--help")
        self.assertEqual(code, 0)
        self.assertIn(b"usage: apigwd export", out)
        code, _, err = cli("export", "--db", os.path.join(tmpdir(self), "missing.db"))
        self.assertEqual(code, 1)
        self.assertIn("no database at", err)


# ---- health ----

class HealthTest(ServerTestCase):

    def test_ok(self):
        self.server.client().create_api(Name="h", ProtocolType="HTTP")
        status, hdrs, body = self.server.http("GET", "/_apigwd/health")
        self.assertEqual(status, 200)
        self.assertEqual(hdrs["content-type"], "application/json")
        version = subprocess.run([BINARY, "--version"], capture_output=True, text=True).stdout
        self.assertEqual(body, {"status": "ok", "version": version.split()[1], "revision": 1,
                                "db": self.server.db})

    @sqlite_only("holds SQLite's write lock from the sqlite3 module (PostgreSQL out of reach: "
                 "test_multinode)")
    def test_unavailable_while_the_database_cannot_be_written(self):
        # Another process holds the write lock: no write could start, so not healthy.
        other = sqlite3.connect(self.server.db, isolation_level=None, timeout=5)
        self.addCleanup(other.close)
        other.execute("BEGIN IMMEDIATE")
        t = time.time()
        status, _, body = self.server.http("GET", "/_apigwd/health")
        self.assertLess(time.time() - t, 3)
        self.assertEqual(status, 503)
        self.assertEqual(body["status"], "unavailable")
        self.assertEqual(body["db"], self.server.db)
        other.execute("ROLLBACK")
        status, _, body = self.server.http("GET", "/_apigwd/health")
        self.assertEqual((status, body["status"]), (200, "ok"))


# ---- metrics ----

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.e+-]+|\+Inf|NaN)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')


def parse_metrics(text):
    """Prometheus text format 0.0.4 → ({(name, ((label, value), ...)): float}, {name: type}).
    Fails on any line that is not a comment, a HELP/TYPE line or a sample."""
    samples, types = {}, {}
    assert text.endswith("\n")
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
            continue
        if line.startswith("# HELP "):
            continue
        m = SAMPLE.match(line)
        assert m, "not a sample line: %r" % line
        labels = tuple(LABEL.findall(m.group(2) or ""))
        key = (m.group(1), labels)
        assert key not in samples, "duplicate series %r" % (key,)
        samples[key] = float(m.group(3))
    return samples, types


class MetricsTest(unittest.TestCase):
    """A fresh server per test: the counts are exact."""

    def setUp(self):
        self.server = Server(args=("--quiet",)).start()
        self.addCleanup(self.server.stop)

    assertAwsError = ServerTestCase.assertAwsError

    def scrape(self):
        status, hdrs, text = self.server.http("GET", "/metrics")
        self.assertEqual(status, 200)
        self.assertEqual(hdrs["content-type"], "text/plain; version=0.0.4; charset=utf-8")
        return parse_metrics(text)

    def test_counters_after_a_known_sequence(self):
        c = self.server.client()
        a = c.create_api(Name="m1", ProtocolType="HTTP")["ApiId"]
        c.create_api(Name="m2", ProtocolType="HTTP")
        for _ in range(3):
            c.get_apis()
        self.assertAwsError(lambda: c.get_api(ApiId="nope"), "NotFoundException", 404)
        self.server.http("GET", "/no/such/path")
        c.delete_api(ApiId=a)
        s, types = self.scrape()

        def req(op, status):
            return s.get(("apigwd_requests_total", (("operation", op), ("status", status))))
        self.assertEqual(req("CreateApi", "201"), 2)
        self.assertEqual(req("GetApis", "200"), 3)
        self.assertEqual(req("GetApi", "404"), 1)
        self.assertEqual(req("-", "404"), 1)
        self.assertEqual(req("DeleteApi", "204"), 1)
        self.assertIsNone(req("Metrics", "200"))  # counted once answered
        self.assertEqual(types["apigwd_requests_total"], "counter")
        self.assertEqual(types["apigwd_request_duration_seconds"], "histogram")

        # Histograms: cumulative buckets, +Inf equal to _count, a plausible _sum.
        for op, n in (("CreateApi", 2), ("GetApis", 3), ("DeleteApi", 1)):
            lab = ("operation", op)
            buckets = sorted(((float(le), v) for (name, labels), v in s.items()
                              if name == "apigwd_request_duration_seconds_bucket"
                              and labels[0] == lab and dict(labels)["le"] != "+Inf"
                              for le in [dict(labels)["le"]]))
            counts = [v for _, v in buckets]
            self.assertEqual(counts, sorted(counts), op)
            inf = s[("apigwd_request_duration_seconds_bucket", (lab, ("le", "+Inf")))]
            self.assertEqual(inf, n)
            self.assertEqual(s[("apigwd_request_duration_seconds_count", (lab,))], n)
            total = s[("apigwd_request_duration_seconds_sum", (lab,))]
            self.assertTrue(0 < total < 10, total)

        # Three commits (two creates, one delete), timed; the revision and the file size.
        self.assertEqual(s[("apigwd_db_commits_total", ())], 3)
        self.assertEqual(s[("apigwd_db_commit_duration_seconds_count", ())], 3)
        self.assertEqual(s[("apigwd_revision", ())], 3)
        self.assertGreater(s[("apigwd_db_size_bytes", ())], 4096)
        self.assertEqual(s[("apigwd_held_requests", ())], 0)
        self.assertEqual(s[("apigwd_dataplane_workers", ())], 0)
        self.assertEqual(s[("apigwd_build_info", (("version", "0.1.0"),))], 1)

        # The scrape itself is counted by a later one: a request is counted once its answer
        # is sent, which may be just after the client read it.
        key = ("apigwd_requests_total", (("operation", "Metrics"), ("status", "200")))
        deadline, polls = time.time() + 5, 0
        while True:
            s2, _ = self.scrape()
            polls += 1
            if key in s2 or time.time() > deadline:
                break
            time.sleep(0.05)
        # Every scrape before this one, and no other request.
        self.assertTrue(1 <= s2[key] <= polls, (s2[key], polls))

    def test_held_requests_and_workers(self):
        c = self.server.client()
        api = c.create_api(Name="w", ProtocolType="HTTP")["ApiId"]
        _, _, feed = self.server.http("GET", "/dataplane/v1/changes?since=0")
        rev = feed["revision"]
        status, _, _ = self.server.http("PUT", '/dataplane/v1/workers/edge-"1"',
                                        {"apiId": api, "revision": rev})
        self.assertEqual(status, 200)
        t = threading.Thread(target=self.server.http, args=(
            "GET", "/dataplane/v1/changes?since=%d&wait=20" % rev))
        t.start()
        deadline = time.time() + 5
        while time.time() < deadline and self.scrape()[0][("apigwd_held_requests", ())] != 1:
            time.sleep(0.02)
        self.assertEqual(self.scrape()[0][("apigwd_held_requests", ())], 1)
        c.create_api(Name="wake", ProtocolType="HTTP")  # answers the held request
        c.create_api(Name="more", ProtocolType="HTTP")
        t.join(10)
        s, _ = self.scrape()
        self.assertEqual(s[("apigwd_held_requests", ())], 0)
        self.assertEqual(s[("apigwd_dataplane_workers", ())], 1)
        self.assertEqual(s[("apigwd_dataplane_worker_behind_revisions",
                            (("worker", 'edge-\\"1\\"'),))], 2)
        self.assertEqual(s[("apigwd_requests_total", (("operation", "DataplaneChanges"),
                                                      ("status", "200")))], 2)


# ---- logs ----

class JsonLogTest(ServerTestCase):
    server_args = ("--log-format", "json", "--log-level", "debug")

    def log_lines(self, *request_ids):
        """Every log line, parsed, once a line names each of request_ids (a line is written
        just after its answer is sent)."""
        deadline = time.time() + 5
        while True:
            with open(self.server.log_path) as f:
                # Start-up notices of other parts ("apigwd: ...") are plain text.
                lines = [json.loads(line) for line in f
                         if line.strip() and not line.startswith("apigwd: ")]
            seen = {l.get("requestId") for l in lines}
            if all(r in seen for r in request_ids) or time.time() > deadline:
                return lines
            time.sleep(0.02)

    def test_every_line_is_json_and_errors_carry_the_request_id(self):
        api = self.server.client().create_api(Name="log", ProtocolType="HTTP")["ApiId"]
        status, hdrs, _ = self.server.http("GET", "/v2/apis/%s/routes" % api)
        self.assertEqual(status, 200)
        ok_id = hdrs["x-amzn-requestid"]
        status, hdrs, _ = self.server.http("GET", '/v2/apis/zzzz"\\x')
        self.assertEqual(status, 404)
        err_id = hdrs["x-amzn-requestid"]
        lines = self.log_lines(ok_id, err_id)  # json.loads fails on a line that is not JSON
        line = [l for l in lines if l.get("requestId") == ok_id and "status" in l]
        self.assertEqual(len(line), 1, lines)
        line = line[0]
        self.assertEqual(sorted(line), sorted(["time", "level", "requestId", "method", "path",
                                               "operation", "status", "ms", "account", "apiId"]))
        self.assertEqual((line["level"], line["method"], line["path"], line["operation"],
                          line["status"], line["account"], line["apiId"]),
                         ("info", "GET", "/v2/apis/%s/routes" % api, "GetRoutes", 200,
                          "000000000000", api))
        self.assertRegex(line["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertIsInstance(line["ms"], float)
        err = [l for l in lines if l.get("requestId") == err_id and "message" in l]
        self.assertEqual(len(err), 1, lines)
        self.assertEqual(err[0]["level"], "debug")
        self.assertIn("NotFoundException", err[0]["message"])
        self.assertTrue(any("listening on" in l.get("message", "") for l in lines))


class TextLogTest(ServerTestCase):
    server_args = ("--log-level", "warn")

    def test_level_warn_hides_request_lines(self):
        self.server.client().get_apis()
        self.server.http("GET", "/v2/apis/nope")
        time.sleep(0.1)
        self.assertNotIn("GetApis", self.server.logs())
        self.assertNotIn("NotFoundException", self.server.logs())


class DefaultLogTest(ServerTestCase):

    def test_text_request_line(self):
        status, hdrs, _ = self.server.http("GET", "/v2/apis")
        rid = hdrs["x-amzn-requestid"]
        deadline = time.time() + 5
        while rid not in self.server.logs() and time.time() < deadline:
            time.sleep(0.02)
        line = [l for l in self.server.logs().splitlines() if rid in l]
        self.assertEqual(len(line), 1)
        self.assertRegex(line[0], r"^\d{4}-\d\d-\d\dT[\d:.]+Z %s GET /v2/apis GetApis 200 "
                                  r"[\d.]+ms account=000000000000 api=-$" % rid)


# ---- backup and restore ----

@sqlite_only("online backup and restore of the SQLite file (PostgreSQL has its own tools)")
class BackupRestoreTest(unittest.TestCase):

    def setUp(self):
        self.dir = tmpdir(self)
        self.server = Server(db=os.path.join(self.dir, "live.db"), args=("--quiet",)).start()
        self.addCleanup(self.server.stop)

    def check_backup(self, path):
        """A whole, consistent copy: integrity_check passes and every API's create is in it
        entirely (its row, its issued id and its revision), nothing half."""
        db = sqlite3.connect("file:%s?mode=ro" % path, uri=True)
        try:
            self.assertEqual(db.execute("PRAGMA integrity_check").fetchall(), [("ok",)])
            self.assertEqual(db.execute("PRAGMA journal_mode").fetchone()[0], "delete")
            apis = db.execute("SELECT count(*) FROM resources WHERE kind='api'").fetchone()[0]
            ids = db.execute("SELECT count(*) FROM issued_ids").fetchone()[0]
            rev = int(db.execute("SELECT value FROM meta WHERE key='revision'").fetchone()[0])
            top = db.execute("SELECT max(rev) FROM resources").fetchone()[0] or 0
            return apis, ids, rev, top
        finally:
            db.close()

    def test_backup_under_write_load_then_restore_with_a_new_epoch(self):
        stop = threading.Event()
        results = []

        def writer():
            while not stop.is_set():
                status, _, _ = self.server.http(
                    "POST", "/v2/apis", {"name": "load", "protocolType": "HTTP"})
                results.append(status)
        threads = [threading.Thread(target=writer) for _ in range(2)]
        for t in threads:
            t.start()
        try:
            backups = []
            while len(results) < 20:
                time.sleep(0.01)
            for i in range(3):
                path = os.path.join(self.dir, "backup%d.db" % i)
                code, _, err = cli("backup", path, "--db", self.server.db)
                self.assertEqual(code, 0, err)
                self.assertFalse(os.path.exists(path + ".tmp"))
                backups.append(path)
                time.sleep(0.05)
        finally:
            stop.set()
            for t in threads:
                t.join()
        self.assertEqual(set(results), {201})
        counts = []
        for path in backups:
            apis, ids, rev, top = self.check_backup(path)
            self.assertGreaterEqual(apis, 20)
            self.assertEqual(ids, apis)     # each create's row and id, together
            self.assertEqual(top, rev)      # no revision without its row
            counts.append(apis)
        self.assertEqual(counts, sorted(counts))

        # Restore is refused while the server has the database open.
        code, _, err = cli("restore", backups[0], "--db", self.server.db)
        self.assertEqual(code, 1)
        self.assertIn("in use", err)
        _, _, feed = self.server.http("GET", "/dataplane/v1/changes?since=0")
        old_epoch = feed["epoch"]
        self.server.stop()

        code, _, err = cli("restore", backups[0], "--db", self.server.db)
        self.assertEqual(code, 0, err)
        self.server.start()
        status, _, feed = self.server.http(
            "GET", "/dataplane/v1/changes?since=0&epoch=%s" % old_epoch)
        self.assertEqual(status, 410)  # workers of the old history resync
        self.assertNotEqual(feed["epoch"], old_epoch)
        _, _, health = self.server.http("GET", "/_apigwd/health")
        self.assertEqual(health["revision"], self.check_backup(backups[0])[2])
        listed = []
        token = None
        c = self.server.client()
        while True:
            page = c.get_apis(**({"NextToken": token} if token else {}))
            listed += page["Items"]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(len(listed), counts[0])
        c.create_api(Name="after-restore", ProtocolType="HTTP")

    def test_refusals(self):
        junk = os.path.join(self.dir, "junk.db")
        with open(junk, "w") as f:
            f.write("not a database at all" * 100)
        self.server.stop()
        before = cli("export", "--db", self.server.db)[1]
        code, _, err = cli("restore", junk, "--db", self.server.db)
        self.assertEqual(code, 1)
        self.assertIn("not an apigwd database", err)
        self.assertEqual(cli("export", "--db", self.server.db)[1], before)
        code, _, err = cli("restore", os.path.join(self.dir, "none.db"), "--db", self.server.db)
        self.assertEqual((code, "no backup at" in err), (1, True))
        code, _, err = cli("backup", os.path.join(self.dir, "b.db"), "--db",
                           os.path.join(self.dir, "missing.db"))
        self.assertEqual((code, "no database at" in err), (1, True))
        self.assertEqual(cli("backup")[0], 2)


# ---- the shell fixture helper ----

class FixtureScriptTest(unittest.TestCase):

    def env(self):
        return dict(os.environ, APIGWD=BINARY)

    def test_prints_the_url_and_stops_on_sigterm(self):
        p = subprocess.Popen([FIXTURE, "--allow-reset"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=self.env(), text=True)
        try:
            url = p.stdout.readline().strip()
            self.assertRegex(url, r"^http://127\.0\.0\.1:\d+$")
            status, _, body = get(url + "/_apigwd/health")
            self.assertEqual(status, 200)
            db_dir = os.path.dirname(json.loads(body)["db"])
            self.assertTrue(os.path.isdir(db_dir))
            req = urllib.request.Request(url + "/_apigwd/reset", method="POST")
            with urllib.request.urlopen(req, timeout=10) as r:  # flags are passed through
                self.assertEqual(r.status, 204)
            p.send_signal(signal.SIGTERM)
            self.assertEqual(p.wait(10), 0)
        finally:
            if p.poll() is None:
                p.kill()
            p.stdout.close()
        with self.assertRaises(OSError):
            get(url + "/_apigwd/health", timeout=2)
        self.assertFalse(os.path.exists(db_dir))  # the temporary database is gone

    def test_runs_a_command_against_the_server(self):
        script = ('import json, os, urllib.request;'
                  'u = os.environ["APIGWD_URL"];'
                  'assert os.environ["AWS_ENDPOINT_URL"] == u;'
                  'print(json.load(urllib.request.urlopen(u + "/_apigwd/health"))["status"]);'
                  'raise SystemExit(7)')
        p = subprocess.run([FIXTURE, "--quiet", "--", "python3", "-c", script],
                           capture_output=True, text=True, env=self.env(), timeout=30)
        self.assertEqual(p.returncode, 7, p.stderr)
        self.assertEqual(p.stdout, "ok\n")

    def test_start_failure_is_reported(self):
        p = subprocess.run([FIXTURE, "--threads", "0"], capture_output=True, text=True,
                           env=self.env(), timeout=30)
        self.assertEqual(p.returncode, 1)
        self.assertIn("apigwd exited at start", p.stderr)


# ---- the man page and the service file ----

class DocsTest(unittest.TestCase):

    def test_man_page_covers_every_flag_and_command(self):
        with open(os.path.join(REPO, "man", "apigwd.1")) as f:
            man = f.read().replace("\\-", "-")
        usage = subprocess.run([BINARY, "--help"], capture_output=True, text=True).stdout
        flags = set(re.findall(r"(--[a-z][a-z-]+)", usage))
        self.assertGreater(len(flags), 20)
        self.assertEqual(sorted(f for f in flags if f not in man), [], "flags the man page lacks")
        for command in ("credentials", "export", "import", "backup", "restore", "template"):
            self.assertRegex(man, r"(?m)^\.BI? %s\b" % command)

    def test_service_unit(self):
        with open(os.path.join(REPO, "scripts", "apigwd.service")) as f:
            unit = f.read()
        settings = dict(line.split("=", 1) for line in unit.splitlines()
                        if "=" in line and not line.startswith("#"))
        for key, value in (("ProtectSystem", "strict"), ("StateDirectory", "apigwd"),
                           ("PrivateTmp", "yes"), ("NoNewPrivileges", "yes"),
                           ("DynamicUser", "yes"),
                           ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX")):
            self.assertEqual(settings.get(key), value, key)
        # Its command line is one this binary accepts (checked with --routes, which exits).
        args = settings["ExecStart"].split()[1:]
        p = subprocess.run([BINARY] + args + ["--routes"], capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        verify = subprocess.run(["sh", "-c", "command -v systemd-analyze"], capture_output=True)
        if verify.returncode != 0:
            return
        d = tmpdir(self)
        os.makedirs(os.path.join(d, "man1"))
        subprocess.run(["cp", os.path.join(REPO, "man", "apigwd.1"), os.path.join(d, "man1")])
        with open(os.path.join(d, "apigwd.service"), "w") as f:
            f.write(unit.replace("/usr/local/bin/apigwd", os.path.abspath(BINARY)))
        p = subprocess.run(["systemd-analyze", "verify", os.path.join(d, "apigwd.service")],
                           capture_output=True, text=True, env=dict(os.environ, MANPATH=d))
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)


if __name__ == "__main__":
    unittest.main()
