"""Three apigwd nodes on one PostgreSQL database (docs/deploy-multinode.md): what one node writes
every other node reads at once; a change-feed long-poll held on one node is woken by a commit on
another; 8 clients writing through all three nodes lose nothing, duplicate nothing, and the feed
lists every revision once, in order, even to a reader that followed it during the writes; page
tokens cross nodes; kill -9 of a node during writes loses nothing acknowledged; PostgreSQL stopped
and restarted under load answers 503 ServiceUnavailableException while it is down and full
service after; apigwd-worker and apigwd-gateway follow node 2 while every write goes to node 1.

This file starts its own throwaway cluster (scripts/pg-tmp) whatever APIGWD_BACKEND says, so
scripts/run-tests runs it once, in the SQLite pass.
"""
import http.client
import json
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

import harness
from gateway_harness import Gateway, Loop, wait_for
from lambda_stub import Backend
from harness import Server
from test_dataplane import get, stage_path
from test_gateway import http_proxy, make_api
from test_workers import Worker

NODES = 3


def request(node, method, path, body=None, timeout=30):
    """One request on a fresh connection: (status, headers (lower-case), parsed JSON or None);
    raises OSError when the node cannot be reached."""
    conn = http.client.HTTPConnection("127.0.0.1", node.port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data,
                     headers={"Content-Type": "application/json"} if data else {})
        r = conn.getresponse()
        raw = r.read()
        hdrs = {k.lower(): v for k, v in r.getheaders()}
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        return r.status, hdrs, parsed
    finally:
        conn.close()


def create_integration(node, api, n, timeout=30):
    return request(node, "POST", "/v2/apis/%s/integrations" % api, {
        "integrationType": "HTTP_PROXY", "integrationMethod": "GET",
        "integrationUri": "https://backend.example.com/%d" % n,
        "payloadFormatVersion": "1.0"}, timeout=timeout)


def all_integrations(node, api, page=100):
    """Every integration id of api through GetIntegrations pages on node (a list, with
    duplicates if a page repeated one)."""
    ids, token = [], None
    while True:
        path = "/v2/apis/%s/integrations?maxResults=%d" % (api, page)
        if token:
            path += "&nextToken=" + token
        status, _, body = request(node, "GET", path)
        assert status == 200, (status, body)
        ids += [i["integrationId"] for i in body["items"]]
        token = body.get("nextToken")
        if not token:
            return ids


def position(node):
    """(current revision, epoch): the health answer and the feed's 410 for a missing since."""
    status, _, health = request(node, "GET", "/_apigwd/health")
    assert status == 200, (status, health)
    status, _, body = request(node, "GET", "/dataplane/v1/changes?since=0&wait=0")
    return health["revision"], body["epoch"]


def feed(node, since, epoch, until):
    """Every change after revision since, up to until, read page by page from node."""
    out = []
    while since < until:
        status, _, body = request(
            node, "GET", "/dataplane/v1/changes?since=%d&epoch=%s&wait=0" % (since, epoch))
        assert status == 200, (status, body)
        out += body["changes"]
        assert body["revision"] > since or not body["changes"], body
        if body["revision"] == since:
            break
        since = body["revision"]
    return out


class Writers:
    """n threads creating integrations in api, thread i through nodes[i % len(nodes)] (the list
    may change while they run), until stop() or each has made `count`. Records every
    acknowledged id and every other answer."""

    def __init__(self, nodes, api, n=8, count=None, pause=0.0):
        self.nodes, self.api, self.count, self.pause = nodes, api, count, pause
        self.acked = []        # (thread, integrationId)
        self.answers = []      # (status, errortype) of every answer that is not 201
        self.unreached = 0     # requests that got no answer (node killed, connection cut)
        self.lock = threading.Lock()
        self.halt = threading.Event()
        self.threads = [threading.Thread(target=self.run, args=(i,), daemon=True)
                        for i in range(n)]
        for t in self.threads:
            t.start()

    def run(self, i):
        k = 0
        while not self.halt.is_set() and (self.count is None or k < self.count):
            nodes = list(self.nodes)
            node = nodes[(i + k) % len(nodes)] if self.count is None else nodes[i % len(nodes)]
            k += 1
            try:
                status, hdrs, body = create_integration(node, self.api, i * 100000 + k)
            except OSError:
                with self.lock:
                    self.unreached += 1
                time.sleep(0.01)
                continue
            with self.lock:
                if status == 201:
                    self.acked.append((i, body["integrationId"]))
                else:
                    self.answers.append((status, hdrs.get("x-amzn-errortype"), body,
                                         node.port, hdrs.get("x-amzn-requestid")))
            if status != 201 or self.pause:
                time.sleep(self.pause or 0.01)

    def join(self, timeout=120):
        """Waits for every thread (each ends after `count` requests, or at stop()); returns
        the acknowledged ids."""
        deadline = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, deadline - time.monotonic()))
        return [iid for _, iid in self.acked]

    def stop(self):
        self.halt.set()
        return self.join()


class MultiNodeTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.pg = harness.PgCluster()
        try:
            _, cls.uri = cls.pg.create_db()
            # The nodes start together: the schema is migrated once, under the advisory lock.
            cls.nodes = [Server(db=cls.uri, args=["--quiet", "--max-connections-per-ip", "1000"])
                         for _ in range(NODES)]
            starters = [threading.Thread(target=n.start) for n in cls.nodes]
            for t in starters:
                t.start()
            for t in starters:
                t.join()
            for n in cls.nodes:
                if n.port is None:
                    raise RuntimeError("a node did not start:\n" + n.logs())
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        for n in getattr(cls, "nodes", []):
            n.close()
        cls.pg.stop()

    def setUp(self):
        # Every node up (a test may have killed one) and PostgreSQL reachable from each.
        for n in self.nodes:
            if n.proc is None or n.proc.poll() is not None:
                n.stop()
                n.start()
        for n in self.nodes:
            self.wait_healthy(n)
        self.c = [n.client() for n in self.nodes]
        self.api = self.c[0].create_api(Name="multi", ProtocolType="HTTP")["ApiId"]

    def wait_healthy(self, node, timeout=30):
        deadline = time.time() + timeout
        while True:
            try:
                status, _, body = request(node, "GET", "/_apigwd/health", timeout=5)
                if status == 200:
                    return
            except OSError as e:
                status, body = None, e
            if time.time() > deadline:
                self.fail("node %d not healthy: %s %r\n%s" % (node.port, status, body,
                                                              node.logs()[-3000:]))
            time.sleep(0.05)

    def assertAllPresent(self, acked, node=None):
        """Every acknowledged id listed exactly once, on every node (or the one given)."""
        self.assertEqual(len(acked), len(set(acked)), "an id acknowledged twice")
        for n in [node] if node else self.nodes:
            listed = all_integrations(n, self.api)
            self.assertEqual(len(listed), len(set(listed)), "an id listed twice")
            missing = set(acked) - set(listed)
            self.assertEqual(missing, set(), "acknowledged but lost (node %d)" % n.port)

    # ---- reads across nodes ----

    def test_write_on_one_node_read_on_another_at_once(self):
        iid = self.c[0].create_integration(ApiId=self.api, IntegrationType="HTTP_PROXY",
                                           IntegrationMethod="GET",
                                           IntegrationUri="https://a.example.com",
                                           PayloadFormatVersion="1.0")["IntegrationId"]
        # No retry, no wait: the next request on another node sees the commit.
        got = self.c[1].get_integration(ApiId=self.api, IntegrationId=iid)
        self.assertEqual(got["IntegrationUri"], "https://a.example.com")
        self.c[2].update_integration(ApiId=self.api, IntegrationId=iid,
                                     IntegrationUri="https://b.example.com")
        self.assertEqual(self.c[0].get_integration(ApiId=self.api, IntegrationId=iid)
                         ["IntegrationUri"], "https://b.example.com")
        self.c[1].delete_integration(ApiId=self.api, IntegrationId=iid)
        for c in self.c:
            with self.assertRaises(c.exceptions.NotFoundException):
                c.get_integration(ApiId=self.api, IntegrationId=iid)
        # One revision order for the database: every node reports the same current revision.
        self.assertEqual(len({position(n) for n in self.nodes}), 1)

    def test_long_poll_on_node_3_woken_by_a_write_on_node_1(self):
        latencies = []
        for attempt in range(5):
            revision, epoch = position(self.nodes[2])
            answer = {}

            def hold():
                t = time.monotonic()
                answer["r"] = request(self.nodes[2], "GET", "/dataplane/v1/changes?since=%d"
                                      "&epoch=%s&wait=30" % (revision, epoch), timeout=40)
                answer["t"] = time.monotonic()
                answer["held"] = answer["t"] - t
            held = threading.Thread(target=hold)
            held.start()
            time.sleep(0.3)  # the request is held on node 3 by now
            self.assertTrue(held.is_alive(), "answered before any change: %r" % answer)
            status, _, body = create_integration(self.nodes[0], self.api, attempt)
            acked = time.monotonic()
            self.assertEqual(status, 201, body)
            held.join(40)
            status, _, changes = answer["r"]
            self.assertEqual(status, 200, changes)
            self.assertIn(body["integrationId"], [ch["id"] for ch in changes["changes"]])
            latencies.append(answer["t"] - acked)
        latencies.sort()
        print("\n  multinode: long-poll on node 3 woken by a commit on node 1: median %.1f ms, "
              "max %.1f ms (5 commits)" % (latencies[2] * 1000, latencies[-1] * 1000))
        # A commit wakes the other nodes by notification: a timer's re-check (twice a second)
        # alone would put the median near 250 ms.
        self.assertLess(latencies[2], 0.1)

    def test_page_token_from_node_1_works_on_node_2_and_3(self):
        made = [create_integration(self.nodes[0], self.api, n)[2]["integrationId"]
                for n in range(7)]
        seen, token, k = [], None, 0
        while True:
            node = self.nodes[k % NODES]
            k += 1
            path = "/v2/apis/%s/integrations?maxResults=2" % self.api
            if token:
                path += "&nextToken=" + token
            status, _, body = request(node, "GET", path)
            self.assertEqual(status, 200, body)
            seen += [i["integrationId"] for i in body["items"]]
            token = body.get("nextToken")
            if not token:
                break
        self.assertEqual(k, 4)
        self.assertEqual(sorted(seen), sorted(made))
        # Through boto3 too: the token of node 1's first page, on node 2.
        first = self.c[0].get_integrations(ApiId=self.api, MaxResults="3")
        rest = self.c[1].get_integrations(ApiId=self.api, NextToken=first["NextToken"])
        self.assertEqual(sorted(i["IntegrationId"] for i in first["Items"] + rest["Items"]),
                         sorted(made))

    # ---- concurrent writers ----

    def test_eight_clients_through_three_nodes(self):
        revision, epoch = position(self.nodes[0])
        # A follower on node 3 reads the feed as it grows (held requests): a revision that
        # committed late must still reach it, never be skipped.
        followed, stop_follow = [], threading.Event()

        def follow():
            since = revision
            while not stop_follow.is_set():
                status, _, body = request(self.nodes[2], "GET", "/dataplane/v1/changes?since=%d"
                                          "&epoch=%s&wait=1" % (since, epoch))
                assert status == 200, body
                followed.extend(body["changes"])
                since = body["revision"]
            return since
        follower = threading.Thread(target=follow, daemon=True)
        follower.start()
        self.addCleanup(follower.join, 10)
        self.addCleanup(stop_follow.set)
        per = 25
        t = time.monotonic()
        w = Writers(self.nodes, self.api, n=8, count=per)
        acked = w.join()
        took = time.monotonic() - t
        self.assertEqual(w.answers, [])
        self.assertEqual(w.unreached, 0)
        self.assertEqual(len(acked), 8 * per)
        print("\n  multinode: %d CreateIntegration through 3 nodes by 8 clients in %.2f s"
              % (len(acked), took))
        self.assertAllPresent(acked)
        after, _ = position(self.nodes[1])
        time.sleep(1.5)  # the follower's last held request ends
        stop_follow.set()
        follower.join(10)
        changes = feed(self.nodes[1], revision, epoch, after)
        creates = [ch for ch in changes if ch["resource"] == "integration"]
        self.assertEqual(sorted(ch["id"] for ch in creates), sorted(acked))
        revs = [ch["revision"] for ch in changes]
        self.assertEqual(revs, sorted(revs), "the feed out of revision order")
        # One revision per call, each listed once: CreateIntegration writes one change.
        self.assertEqual(len(set(ch["revision"] for ch in creates)), len(creates))
        # Every revision from the first write to the last, each once: none skipped.
        self.assertEqual(sorted(set(revs)), list(range(revision + 1, after + 1)))
        # The follower saw exactly the same changes, in the same order.
        self.assertEqual([(ch["revision"], ch["id"]) for ch in followed if ch["revision"] <= after],
                         [(ch["revision"], ch["id"]) for ch in changes])

    def test_kill_9_of_one_node_during_writes(self):
        live = list(self.nodes)
        w = Writers(live, self.api, n=8)
        time.sleep(1.0)
        victim = self.nodes[2]
        os.kill(victim.proc.pid, signal.SIGKILL)
        victim.proc.wait()
        killed_at = len(w.acked)
        # The others keep serving: clients move to them.
        w.nodes[:] = self.nodes[:2]
        time.sleep(1.0)
        acked = w.stop()
        self.assertGreater(len(acked), killed_at, "nothing acknowledged after the kill")
        self.assertEqual(w.answers, [], "answers other than 201 from the surviving nodes")
        self.assertAllPresent(acked, self.nodes[0])
        self.assertAllPresent(acked, self.nodes[1])
        # The killed node comes back on the same database and sees it all.
        victim.stop()
        victim.start()
        self.wait_healthy(victim)
        self.assertAllPresent(acked, victim)

    # ---- PostgreSQL down and back ----

    def test_postgres_restarted_under_load(self):
        w = Writers(self.nodes, self.api, n=6)
        time.sleep(0.5)
        # A restart (fast shutdown, start again): every connection of every node is cut.
        self.pg.restart()
        time.sleep(1.0)
        # Down for a while: health and writes answer 503, at once.
        subprocess.run([harness.PG_TMP, "kill", self.pg.dir], check=True, timeout=60)
        try:
            time.sleep(0.5)
            for n in self.nodes:
                t = time.monotonic()
                status, hdrs, body = request(n, "GET", "/_apigwd/health", timeout=15)
                self.assertEqual(status, 503, body)
                self.assertLess(time.monotonic() - t, 10)
                status, hdrs, body = create_integration(n, self.api, -1, timeout=15)
                self.assertEqual((status, hdrs.get("x-amzn-errortype")),
                                 (503, "ServiceUnavailableException"), body)
                status, hdrs, body = request(n, "GET", "/v2/apis/" + self.api, timeout=15)
                self.assertEqual((status, hdrs.get("x-amzn-errortype")),
                                 (503, "ServiceUnavailableException"), body)
        finally:
            subprocess.run([harness.PG_TMP, "start", self.pg.dir], check=True,
                                   timeout=60, capture_output=True)
        for n in self.nodes:
            self.wait_healthy(n)
        time.sleep(0.5)
        before = len(w.acked)
        time.sleep(1.0)
        acked = w.stop()
        self.assertGreater(len(acked), before, "no write acknowledged after PostgreSQL came back")
        # Nothing but 503 ServiceUnavailableException while it was away; no node died.
        odd = [a for a in w.answers if a[:2] != (503, "ServiceUnavailableException")]
        self.assertEqual(odd, [])
        self.assertEqual(w.unreached, 0)
        self.assertGreater(len(w.answers), 0, "no 503 while PostgreSQL was down")
        for n in self.nodes:
            self.assertIsNone(n.proc.poll(), n.logs()[-3000:])
        self.assertAllPresent(acked)
        # Full service: writes on every node, and the feed wakes across nodes again (each node
        # listens for commits on its new connection).
        revision, epoch = position(self.nodes[2])
        answer = {}
        held = threading.Thread(target=lambda: answer.setdefault("r", request(
            self.nodes[2], "GET", "/dataplane/v1/changes?since=%d&epoch=%s&wait=20"
            % (revision, epoch), timeout=30)))
        held.start()
        time.sleep(0.3)
        t = time.monotonic()
        for n in self.nodes:
            status, _, body = create_integration(n, self.api, -2)
            self.assertEqual(status, 201, body)
        held.join(30)
        self.assertEqual(answer["r"][0], 200)
        self.assertTrue(answer["r"][2]["changes"])
        self.assertLess(time.monotonic() - t, 5)

    # ---- the data plane following another node ----

    def test_worker_and_gateway_follow_node_2_while_writes_go_to_node_1(self):
        root = tempfile.mkdtemp(prefix="apigwd-multinode-")
        backend = Backend()
        backend.reply = lambda req: (200, ("%s|" % req.path).encode() + req.body)
        loop = Loop()
        gw = worker = None
        try:
            c1 = self.c[0]
            api, ids = make_api(c1, "$request.body.action",
                                {"$default": http_proxy(backend.url + "/one")})
            worker = Worker(self.nodes[1].url, api, "prod", root, "w-node2")
            gw = Gateway(self.nodes[1].url, tmp=root).start()
            client = None

            def reply():
                nonlocal client
                from gateway_harness import Client, connect_status
                if connect_status(loop, gw.ws_url(api, "prod")) != 101:
                    return None
                client = Client(loop, gw.ws_url(api, "prod"))
                try:
                    return client.ask('{"action": "x"}')
                finally:
                    client.close()
            self.assertEqual(wait_for(reply, what="the gateway serving the first deployment"),
                             '/one|{"action": "x"}')
            # Every write on node 1; node 2's followers see each deployment.
            for n in range(1, 4):
                c1.update_integration(ApiId=api, IntegrationId=ids["$default"][1],
                                      IntegrationUri=backend.url + "/v%d" % n)
                c1.create_deployment(ApiId=api, StageName="prod")
                status, hdrs, raw = get(self.nodes[0], stage_path(api))
                self.assertEqual(status, 200, raw)
                self.assertTrue(worker.wait_applied(hdrs["etag"], 30), worker.stderr())
                self.assertEqual(worker.file(), raw)
                want = '/v%d|{"action": "x"}' % n
                wait_for(lambda: reply() == want, what="the gateway serving deployment %d\n%s"
                         % (n, gw.logs()))
            self.assertNotIn("resync", worker.stderr().lower())
        finally:
            if worker:
                self.assertEqual(worker.stop(), 0, worker.stderr())
            if gw:
                gw.stop()
            loop.close()
            backend.close()
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    unittest.main()
