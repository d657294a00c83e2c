"""Crash consistency: concurrent writers, `kill -9` at random moments, restart on the same file.

Four writer threads create integrations and update them (raw HTTP, one connection per request)
while the server is killed with SIGKILL 20 times at random moments and restarted on the same
database file. After every kill:
  - `PRAGMA integrity_check` (sqlite3 CLI) on the file says ok;
  - every acknowledged create (201 received) is present with the acknowledged content, and
    every integration holds its last acknowledged update or the one update that was in flight
    at the kill (never a mix of the two: description and timeoutInMillis change together);
  - a create that got no answer is either absent or fully there (every member as sent, once);
  - nothing exists that no writer sent.
Each integration is updated by the thread that created it, so its acknowledged updates are
ordered. The random seed is printed; CRASH_SEED=N replays one run.
"""
import http.client
import json
import os
import random
import signal
import subprocess
import threading
import time
import unittest

import harness
from harness import Server

KILLS = 20
WRITERS = 4
DROPPED = (OSError, http.client.HTTPException)  # the connection died with the server


class Writer(threading.Thread):
    """Creates and updates integrations of one API until told to stop or the server dies."""

    def __init__(self, port, api, rng, tag, owned):
        super().__init__(daemon=True)
        self.port, self.api, self.rng, self.tag = port, api, rng, tag
        self.owned = owned        # id -> {"doc": acked answer, "pending": doc or None}
        self.unacked = []         # bodies of creates that got no answer
        self.stop = threading.Event()
        self.seq = 0
        self.error = None         # an answer that was neither success nor a dropped connection

    def call(self, method, path, body):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path, body=json.dumps(body),
                         headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read() or b"null")
        finally:
            conn.close()

    def run(self):
        try:
            self.write()
        except AssertionError as e:
            self.error = str(e)

    def write(self):
        while not self.stop.is_set():
            self.seq += 1
            token = "%s-%d" % (self.tag, self.seq)
            if self.owned and self.rng.random() < 0.5:
                iid = self.rng.choice(sorted(self.owned))
                patch = {"description": token, "timeoutInMillis": self.rng.randint(50, 30000)}
                state = self.owned[iid]
                state["pending"] = dict(state["doc"], **patch)
                try:
                    status, doc = self.call("PATCH", "/v2/apis/%s/integrations/%s"
                                            % (self.api, iid), patch)
                except DROPPED:
                    return  # killed: the update may or may not have committed
                if status != 200:
                    raise AssertionError("update %s: %d %r" % (iid, status, doc))
                state["doc"], state["pending"] = doc, None
            else:
                body = {"integrationType": "HTTP_PROXY", "integrationMethod": "POST",
                        "integrationUri": "https://example.com/" + token,
                        "payloadFormatVersion": "1.0", "description": token,
                        "timeoutInMillis": self.rng.randint(50, 30000),
                        "requestParameters": {"append:header.x-token": "'%s'" % token}}
                self.unacked.append(body)
                try:
                    status, doc = self.call("POST", "/v2/apis/%s/integrations" % self.api, body)
                except DROPPED:
                    return  # killed: the create may or may not have committed
                if status != 201:
                    raise AssertionError("create: %d %r" % (status, doc))
                self.unacked.pop()
                self.owned[doc["integrationId"]] = {"doc": doc, "pending": None}


class CrashTest(unittest.TestCase):

    def setUp(self):
        self.seed = int(os.environ.get("CRASH_SEED", random.randrange(1 << 30)))
        print("\n  test_crash: CRASH_SEED=%d" % self.seed)
        self.rng = random.Random(self.seed)
        self.server = Server().start()
        status, _, api = self.server.http("POST", "/v2/apis",
                                          {"name": "crash", "protocolType": "HTTP"})
        self.assertEqual(status, 201, api)
        self.api = api["apiId"]

    def tearDown(self):
        self.server.close()

    def integrity(self):
        return harness.integrity(self.server.db)

    def listing(self):
        """Every integration of the API, by id (GetIntegrations, all pages)."""
        out, token = {}, None
        while True:
            path = "/v2/apis/%s/integrations?maxResults=500" % self.api
            if token:
                path += "&nextToken=" + token
            status, _, page = self.server.http("GET", path)
            self.assertEqual(status, 200, page)
            for item in page["items"]:
                self.assertNotIn(item["integrationId"], out, "listed twice")
                out[item["integrationId"]] = item
            token = page.get("nextToken")
            if not token:
                return out

    def test_kill_9_under_concurrent_writes(self):
        owned = [{} for _ in range(WRITERS)]   # per writer: id -> state
        started = time.monotonic()
        stats = dict.fromkeys(("unanswered creates: present", "absent",
                               "updates in flight: applied", "not applied"), 0)
        for cycle in range(KILLS):
            writers = [Writer(self.server.port, self.api, random.Random(self.rng.random()),
                              "w%d-c%d" % (i, cycle), owned[i]) for i in range(WRITERS)]
            for w in writers:
                w.start()
            time.sleep(self.rng.uniform(0.05, 0.6))
            self.server.proc.send_signal(signal.SIGKILL)
            self.server.stop()
            for w in writers:
                w.stop.set()
                w.join(30)
                self.assertFalse(w.is_alive(), "a writer hung after the kill")
                self.assertIsNone(w.error, "cycle %d" % cycle)

            self.assertEqual(self.integrity(), "ok", "cycle %d: after kill -9" % cycle)
            self.server.start()
            found = self.listing()
            known = set()
            for i, w in enumerate(writers):
                for iid, state in owned[i].items():
                    known.add(iid)
                    self.assertIn(iid, found, "cycle %d: acknowledged create %s lost"
                                  % (cycle, iid))
                    got = found[iid]
                    allowed = [state["doc"]] + ([state["pending"]] if state["pending"] else [])
                    self.assertIn(got, allowed, "cycle %d: %s holds neither its acknowledged "
                                  "update nor the one in flight" % (cycle, iid))
                    if state["pending"]:
                        stats["updates in flight: applied" if got == state["pending"]
                              else "not applied"] += 1
                    state["doc"], state["pending"] = got, None  # what is durable now
                for body in w.unacked:
                    same = [d for d in found.values() if d.get("description") == body["description"]
                            and d["integrationId"] not in owned[i]]
                    self.assertLessEqual(len(same), 1, "cycle %d: an unanswered create stored "
                                         "twice" % cycle)
                    stats["unanswered creates: present" if same else "absent"] += 1
                    if same:  # it committed before the kill: whole, as sent
                        got = same[0]
                        for k, v in body.items():
                            self.assertEqual(got.get(k), v, "cycle %d: unanswered create %s "
                                             "half-present (%s)" % (cycle, got["integrationId"], k))
                        owned[i][got["integrationId"]] = {"doc": got, "pending": None}
                        known.add(got["integrationId"])
            self.assertEqual(set(found) - known, set(), "cycle %d: integrations nobody sent"
                             % cycle)
            # Get agrees with the listing (a sample).
            for iid in self.rng.sample(sorted(found), min(5, len(found))):
                status, _, got = self.server.http(
                    "GET", "/v2/apis/%s/integrations/%s" % (self.api, iid))
                self.assertEqual((status, got), (200, found[iid]))

        total = sum(len(o) for o in owned)
        print("  test_crash: %d kills, %d integrations, %.1f s; %s"
              % (KILLS, total, time.monotonic() - started,
                 ", ".join("%s %d" % kv for kv in stats.items())))
        self.assertGreater(total, KILLS, "the writers wrote almost nothing")
        self.assertEqual(self.server.stop(), 0)
        self.assertEqual(self.integrity(), "ok")


if __name__ == "__main__":
    unittest.main()
