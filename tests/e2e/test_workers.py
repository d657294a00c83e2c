"""apigwd-worker processes against the real server (docs/dataplane.md, worker/README.md): 50
workers through a burst of 1,000 writes end byte-identical to the final stage snapshot and never
write a snapshot mixing two revisions; workers outlive apigwd stopping (SIGTERM, kill -9) and catch
up after its restart without a resync, or with one when the epoch changed; a worker left behind the
retained change log resyncs after 410 and misses nothing.

The worker binary: env APIGWD_WORKER, default apigwd-worker next to the APIGWD binary.
"""
import json
import os
import random
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import harness
from harness import Server
from test_dataplane import HTTP_URI, check_log_and_close, get, rev_of, stage_path, ws_api

WORKER = os.environ.get("APIGWD_WORKER", os.path.join(
    os.path.dirname(os.path.abspath(harness.BINARY)), "apigwd-worker"))
APPLIED = re.compile(r"^applied revision=(\d+) etag=(\S+) file=(.+)$")


class Worker:
    """One apigwd-worker process. Its stdout is read by a thread that, on each `applied` line,
    reads the cache file at once: self.applied = [(revision, etag, file bytes)]."""

    def __init__(self, control, api, stage, root, worker_id, extra=()):
        self.id = worker_id
        self.dir = os.path.join(root, worker_id)
        self.path = os.path.join(self.dir, "%s-%s.json" % (api, stage))
        self.err_path = os.path.join(root, worker_id + ".stderr")
        self.applied = []
        self.other_lines = []
        self.cond = threading.Condition()
        with open(self.err_path, "wb") as err:
            self.proc = subprocess.Popen(
                [WORKER, "--control", control, "--api", api, "--stage", stage,
                 "--cache-dir", self.dir, "--worker-id", worker_id] + list(extra),
                stdout=subprocess.PIPE, stderr=err)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            m = APPLIED.match(line)
            content = None
            if m:
                try:
                    with open(self.path, "rb") as f:
                        content = f.read()
                except OSError:
                    pass
            with self.cond:
                if m and m.group(3) == self.path:
                    self.applied.append((int(m.group(1)), m.group(2), content))
                else:
                    self.other_lines.append(line)
                self.cond.notify_all()

    def wait_applied(self, etag, timeout=30):
        """Waits for an `applied` line with this ETag (epoch and revision)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while not any(a[1] == etag for a in self.applied):
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.cond.wait(left)
        return True

    def stderr(self):
        with open(self.err_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def file(self):
        with open(self.path, "rb") as f:
            return f.read()

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGCONT)
            self.proc.terminate()
        try:
            rc = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            rc = self.proc.wait()
        self.reader.join(5)
        return rc


class FleetCase(unittest.TestCase):
    """Starts a server and workers; stops them all at the end."""
    server_args = ["--quiet"]

    def setUp(self):
        self.assertTrue(os.access(WORKER, os.X_OK), "no worker binary at %s" % WORKER)
        self.root = tempfile.mkdtemp(prefix="apigwd-workers-")
        self.server = Server(args=list(self.server_args)).start()
        self.c = self.server.client()
        self.workers = []

    def tearDown(self):
        for w in self.workers:
            self.assertEqual(w.stop(), 0, w.stderr())
        shutil.rmtree(self.root, ignore_errors=True)
        check_log_and_close(self.server)

    def start_workers(self, api, n, stage="prod", extra=()):
        new = [Worker(self.server.url, api, stage, self.root, "w%02d" % (len(self.workers) + i),
                      extra) for i in range(n)]
        self.workers += new
        return new

    def snapshot(self, api, stage="prod"):
        status, hdrs, raw = get(self.server, stage_path(api, stage))
        self.assertEqual(status, 200, raw)
        doc = json.loads(raw)
        self.assertEqual(hdrs["etag"], '"%s.%d"' % (doc["epoch"], doc["revision"]))
        return raw, doc, hdrs["etag"]

    def wait_all(self, workers, etag, timeout=60):
        late = [w.id for w in workers if not w.wait_applied(etag, timeout)]
        self.assertEqual(late, [], "workers that never applied %s" % etag)


class WorkerBasicsTest(FleetCase):
    """One worker: the token, If-None-Match on undeployed edits, a file removed behind its
    back, status reports."""
    server_args = ["--quiet", "--dataplane-token", "tok-123"]

    def test_token_304_and_a_removed_file(self):
        c = self.c
        api, ids = ws_api(c, routes=1)
        headers = {"Authorization": "Bearer tok-123"}
        raw = get(self.server, stage_path(api), headers)[2]
        etag = '"%s.%d"' % (json.loads(raw)["epoch"], json.loads(raw)["revision"])
        without, = self.start_workers(api, 1)
        good, = self.start_workers(api, 1, extra=["--token", "tok-123"])
        self.assertTrue(good.wait_applied(etag, 10))
        self.assertEqual(good.file(), raw)
        self.assertEqual(without.applied, [])
        # Its first attempt may still be on its way (slow under sanitizers): wait for the 401.
        deadline = time.time() + 10
        while "HTTP 401 UnauthorizedException" not in without.stderr() and time.time() < deadline:
            time.sleep(0.05)
        self.assertIn("HTTP 401 UnauthorizedException", without.stderr())
        self.assertIsNone(without.proc.poll())  # it keeps trying
        status, _, doc = self.server.http("GET", "/dataplane/v1/workers", headers=headers)
        self.assertEqual([(i["workerId"], i["revision"], i["etag"], i["behind"])
                          for i in doc["items"]], [(good.id, json.loads(raw)["revision"], etag, 0)])
        # Undeployed edits: the worker asks with If-None-Match, gets 304, leaves the file be.
        mtime = os.stat(good.path).st_mtime_ns
        for n in range(3):
            c.update_integration(ApiId=api, IntegrationId=ids["$default"][1],
                                 Description="undeployed %d" % n)
        time.sleep(0.5)
        self.assertEqual(os.stat(good.path).st_mtime_ns, mtime)
        self.assertEqual(len(good.applied), 1)
        # A file removed behind its back is written again at the next change.
        os.unlink(good.path)
        c.update_integration(ApiId=api, IntegrationId=ids["$default"][1], Description="again")
        deadline = time.monotonic() + 10
        while not os.path.exists(good.path) and time.monotonic() < deadline:
            time.sleep(0.05)
        self.assertEqual(good.file(), raw)
        # The `applied` line follows the file (the status report comes between): wait for it.
        with good.cond:
            while len(good.applied) < 2 and time.monotonic() < deadline:
                good.cond.wait(max(0.0, deadline - time.monotonic()))
        self.assertEqual([a[0] for a in good.applied], [json.loads(raw)["revision"]] * 2)


class FiftyWorkersTest(FleetCase):
    server_args = ["--quiet", "--max-connections-per-ip", "1000"]

    def test_fifty_workers_through_a_thousand_writes(self):
        c = self.c
        api, ids = ws_api(c, routes=5)
        uri = {iid: "%s/%d" % (HTTP_URI, n) for n, (_, iid) in enumerate(ids.values())}
        route_int = {key: iid for key, (_, iid) in ids.items()}
        integrations = list(uri)
        raw, doc, etag = self.snapshot(api)
        epoch = doc["epoch"]
        # recorded[revision] = the stage snapshot's bytes at that revision, fetched right after
        # each CreateDeployment (the only writes that move the stage) and checked against what
        # the test itself deployed.
        recorded = {doc["revision"]: raw}
        workers = self.start_workers(api, 50)
        self.wait_all(workers, etag)

        rnd = random.Random(4)
        t0 = time.monotonic()
        for n in range(1000):
            kind = n % 10
            if kind < 7:
                iid = rnd.choice(integrations)
                uri[iid] = "%s/u%d" % (HTTP_URI, n)
                c.update_integration(ApiId=api, IntegrationId=iid, IntegrationUri=uri[iid])
            elif kind < 9:
                iid = rnd.choice(integrations)
                c.create_route(ApiId=api, RouteKey="r%d" % n, Target="integrations/" + iid)
                route_int["r%d" % n] = iid
            else:
                dep = c.create_deployment(ApiId=api, StageName="prod")["DeploymentId"]
                raw, doc, etag = self.snapshot(api)
                self.assertEqual(doc["deploymentId"], dep)
                self.assertEqual(doc["stage"]["deploymentId"], dep)
                self.assertEqual({r["routeKey"]: r["integration"]["integrationUri"]
                                  for r in doc["routes"]},
                                 {k: uri[i] for k, i in route_int.items()})
                for r in doc["routes"]:  # each route carries the integration it targets
                    self.assertEqual(r["target"],
                                     "integrations/" + r["integration"]["integrationId"])
                self.assertGreater(doc["revision"], max(recorded))
                recorded[doc["revision"]] = raw
        burst = time.monotonic() - t0
        final_raw, final, final_etag = self.snapshot(api)
        self.assertEqual(final["revision"], max(recorded))
        self.wait_all(workers, final_etag)
        converged = time.monotonic() - t0

        for w in workers:
            self.assertEqual(w.file(), final_raw, w.id)
            revs = [a[0] for a in w.applied]
            self.assertEqual(revs, sorted(set(revs)), (w.id, revs))
            for rev, tag, content in w.applied:
                self.assertIn(rev, recorded, "%s applied revision %d, not a stage revision"
                              % (w.id, rev))
                self.assertEqual(tag, '"%s.%d"' % (epoch, rev))
                # What the file held right after the line: a whole snapshot of that revision
                # or a later one, byte for byte what the server answered for it.
                self.assertIsNotNone(content, w.id)
                got = json.loads(content)
                self.assertGreaterEqual(got["revision"], rev)
                self.assertEqual(content, recorded.get(got["revision"]),
                                 "%s: file at revision %d is not the server's snapshot"
                                 % (w.id, got["revision"]))
            self.assertNotIn("resync", w.stderr())
        status, _, doc = self.server.http("GET", "/dataplane/v1/workers")
        mine = {i["workerId"]: i for i in doc["items"]}
        self.assertEqual(sorted(mine), sorted(w.id for w in workers))
        for i in mine.values():
            self.assertEqual((i["revision"], i["behind"], i["etag"], i["apiId"], i["stageName"]),
                             (final["revision"], 0, final_etag, api, "prod"))
        print("\n  burst of 1,000 writes %.1f s; 50 workers converged %.1f s after its start; "
              "%d applied lines" % (burst, converged, sum(len(w.applied) for w in workers)),
              end=" ")


class RestartTest(FleetCase):
    """The server stops and comes back on the same database and port."""

    def setUp(self):
        super().setUp()
        # Restarts keep the port the workers know (getopt: the last --listen wins).
        self.server.args += ["--listen", "127.0.0.1:%d" % self.server.port]
        self.api, self.ids = ws_api(self.c, routes=2)
        raw, doc, etag = self.snapshot(self.api)
        self.fleet = self.start_workers(self.api, 3, extra=["--wait", "30"])
        self.wait_all(self.fleet, etag)

    def down_and_up(self, stop, between=None):
        """Stops the server with stop(), checks the workers keep their files and retry, runs
        between() while it is down, restarts it. Returns each worker's stderr length at the
        restart (to read what came after)."""
        files = {w.id: (w.file(), os.stat(w.path).st_mtime_ns) for w in self.fleet}
        lines = {w.id: len(w.applied) for w in self.fleet}
        marks = {w.id: len(w.stderr()) for w in self.fleet}
        stop()
        time.sleep(1.6)  # 100 + 200 + 400 + 800 ms of backoff
        for w in self.fleet:
            self.assertIsNone(w.proc.poll(), "%s exited while apigwd was down" % w.id)
            err = w.stderr()[marks[w.id]:]
            self.assertGreaterEqual(err.count("retry in"), 2, err)
            self.assertIn("retry in 400 ms", err)
            self.assertEqual((w.file(), os.stat(w.path).st_mtime_ns), files[w.id], w.id)
            self.assertEqual(len(w.applied), lines[w.id])
        if between:
            between()
        marks = {w.id: len(w.stderr()) for w in self.fleet}
        self.server.start()
        self.c = self.server.client()
        return marks

    def catch_up_without_resync(self, marks):
        dep = self.c.create_deployment(ApiId=self.api, StageName="prod")["DeploymentId"]
        raw, doc, etag = self.snapshot(self.api)
        self.assertEqual(doc["deploymentId"], dep)
        self.wait_all(self.fleet, etag)
        for w in self.fleet:
            self.assertEqual(w.file(), raw)
            err = w.stderr()[marks[w.id]:]
            self.assertNotIn("resync", err)
            self.assertNotIn("410", err)

    def test_sigterm_then_catch_up(self):
        marks = self.down_and_up(lambda: self.assertEqual(self.server.stop(), 0))
        self.catch_up_without_resync(marks)

    def test_kill_9_then_catch_up(self):
        def kill():
            self.server.proc.kill()
            self.server.proc.wait()
            self.server.stop()
        marks = self.down_and_up(kill)
        self.catch_up_without_resync(marks)
        # Twice: the second restart finds the history the first one left.
        marks = self.down_and_up(kill)
        self.catch_up_without_resync(marks)

    @harness.sqlite_only("a new epoch made by `apigwd backup` + `restore` of the SQLite file")
    def test_new_epoch_forces_a_resync(self):
        _, before, _ = self.snapshot(self.api)
        backup = os.path.join(self.root, "backup.db")

        def restore():
            for cmd in (["backup", backup], ["restore", backup]):
                p = subprocess.run([harness.BINARY] + cmd + ["--db", self.server.db],
                                   capture_output=True, text=True, timeout=60)
                self.assertEqual(p.returncode, 0, p.stderr)
        marks = self.down_and_up(lambda: self.server.stop(), restore)
        raw, doc, etag = self.snapshot(self.api)
        self.assertNotEqual(doc["epoch"], before["epoch"])
        self.assertEqual(doc["revision"], before["revision"])
        self.assertEqual(doc["routes"], before["routes"])
        self.wait_all(self.fleet, etag)
        for w in self.fleet:
            self.assertEqual(w.file(), raw)
            err = w.stderr()[marks[w.id]:]
            self.assertIn("HTTP 410 GoneException", err)
            self.assertIn("resync", err)
        # And they follow the new history.
        dep = self.c.create_deployment(ApiId=self.api, StageName="prod")["DeploymentId"]
        raw, doc, etag = self.snapshot(self.api)
        self.assertEqual(doc["deploymentId"], dep)
        self.wait_all(self.fleet, etag)
        for w in self.fleet:
            self.assertEqual(w.file(), raw)


class BehindTheWindowTest(FleetCase):
    """--change-retention 10: a worker frozen (SIGSTOP) while the log is pruned past its
    position gets 410 when it wakes, resyncs from the snapshot and misses nothing."""
    server_args = ["--quiet", "--change-retention", "10"]

    def test_frozen_worker_resyncs(self):
        c = self.c
        api, ids = ws_api(c, routes=2)
        _, doc, etag = self.snapshot(api)
        frozen, awake = self.start_workers(api, 2)
        self.wait_all([frozen, awake], etag)
        time.sleep(0.3)  # in its long-poll
        frozen.proc.send_signal(signal.SIGSTOP)
        iids = [iid for _, iid in ids.values()]
        rev, _ = rev_of(self.server)
        # Deployments first, then undeployed edits until the log is pruned (at revision 256,
        # down to 246) past both the frozen worker's position and the last deployment.
        for n in range(20):
            c.update_integration(ApiId=api, IntegrationId=iids[n % 2],
                                 IntegrationUri="%s/d%d" % (HTTP_URI, n))
            c.create_route(ApiId=api, RouteKey="k%d" % n, Target="integrations/" + iids[0])
            c.create_deployment(ApiId=api, StageName="prod")
        raw, doc, etag = self.snapshot(api)
        self.assertLess(doc["revision"], 246)
        rev, _ = rev_of(self.server)
        while rev < 258:
            c.update_integration(ApiId=api, IntegrationId=iids[1],
                                 IntegrationUri="%s/later%d" % (HTTP_URI, rev))
            rev += 1
        self.wait_all([awake], etag)
        frozen.proc.send_signal(signal.SIGCONT)
        self.wait_all([frozen], etag)
        # It learns of the deployments after the resync, or from the answer its poll found
        # waiting; either way the 410 comes next, since its position is gone.
        deadline = time.monotonic() + 10
        while "resync" not in frozen.stderr() and time.monotonic() < deadline:
            time.sleep(0.05)
        err = frozen.stderr()
        self.assertIn("HTTP 410 GoneException", err)
        self.assertIn("outside the retained history", err)
        self.assertNotIn("resync", awake.stderr())
        for w in (frozen, awake):
            self.assertEqual(w.file(), raw)
        # It follows on from the resync.
        c.create_deployment(ApiId=api, StageName="prod")
        raw, doc, etag = self.snapshot(api)
        self.wait_all([frozen, awake], etag)
        for w in (frozen, awake):
            self.assertEqual(w.file(), raw)
        self.assertEqual(frozen.stderr().count("; resync\n"), 1, frozen.stderr())


if __name__ == "__main__":
    unittest.main()
