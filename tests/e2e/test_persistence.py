"""Durability: what a 201 promised is still there after a clean stop (SIGTERM/SIGINT, exit 0)
and after `kill -9` straight after the answer; a restart on the same file answers with the same
bodies, the same lists, and accepts page tokens issued before it.
"""
import signal
import threading
import time
import unittest

from harness import Server

LAMBDA_URI = ("arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:"
              "us-east-1:123456789012:function:fn/invocations")


class PersistenceTest(unittest.TestCase):

    def setUp(self):
        self.server = Server().start()

    def tearDown(self):
        self.server.stop()

    def populate(self):
        """A few APIs and integrations in two partitions; returns the raw paths to compare."""
        c = self.server.client()
        west = self.server.client(region="eu-west-1", access_key="111122223333")
        paths = []
        ws = c.create_api(Name="ws", ProtocolType="WEBSOCKET",
                          RouteSelectionExpression="$request.body.action",
                          Tags={"k": "v"}, Description="d")["ApiId"]
        http = c.create_api(Name="http", ProtocolType="HTTP")["ApiId"]
        w = west.create_api(Name="west", ProtocolType="HTTP")["ApiId"]
        paths += ["/v2/apis", "/v2/apis/" + ws, "/v2/apis/" + http]
        for i in range(3):
            iid = c.create_integration(ApiId=ws, IntegrationType="MOCK",
                                       RequestTemplates={"application/json": "{\"n\":%d}" % i},
                                       Description="m%d" % i)["IntegrationId"]
            paths.append("/v2/apis/%s/integrations/%s" % (ws, iid))
        iid = c.create_integration(ApiId=http, IntegrationType="AWS_PROXY",
                                   IntegrationUri=LAMBDA_URI, PayloadFormatVersion="2.0",
                                   TimeoutInMillis=12000)["IntegrationId"]
        c.update_integration(ApiId=http, IntegrationId=iid, Description="updated")
        paths += ["/v2/apis/%s/integrations/%s" % (http, iid),
                  "/v2/apis/%s/integrations" % ws, "/v2/apis/%s/integrations" % http]
        # A deleted one must stay deleted.
        gone = c.create_integration(ApiId=ws, IntegrationType="MOCK")["IntegrationId"]
        c.delete_integration(ApiId=ws, IntegrationId=gone)
        return paths, ("/v2/apis/%s/integrations/%s" % (ws, gone)), west, w

    def snapshot(self, paths):
        out = {}
        for p in paths:
            status, _, body = self.server.http("GET", p)
            self.assertEqual(status, 200, (p, body))
            out[p] = body
        return out

    def check_clean_stop(self, sig):
        paths, gone, _, w = self.populate()
        before = self.snapshot(paths)
        self.assertEqual(self.server.stop(sig), 0)
        self.assertIn("stopping", self.server.logs())
        self.server.start()
        self.assertEqual(self.snapshot(paths), before)
        self.assertEqual(self.server.http("GET", gone)[0], 404)
        west = self.server.client(region="eu-west-1", access_key="111122223333")
        self.assertEqual(west.get_api(ApiId=w)["Name"], "west")

    def test_sigterm_then_restart(self):
        self.check_clean_stop(signal.SIGTERM)

    def test_sigint_then_restart(self):
        self.check_clean_stop(signal.SIGINT)

    def test_kill_9_right_after_201(self):
        c = self.server.client()
        api = c.create_api(Name="crash", ProtocolType="WEBSOCKET",
                           RouteSelectionExpression="$request.body.action")
        self.assertEqual(api["ResponseMetadata"]["HTTPStatusCode"], 201)
        integ = c.create_integration(ApiId=api["ApiId"], IntegrationType="MOCK")
        self.assertEqual(integ["ResponseMetadata"]["HTTPStatusCode"], 201)
        status, _, body = self.server.http("GET", "/v2/apis/%s/integrations/%s"
                                           % (api["ApiId"], integ["IntegrationId"]))
        self.assertEqual(status, 200)
        # The last write: a 201 and then, at once, SIGKILL.
        last = c.create_integration(ApiId=api["ApiId"], IntegrationType="HTTP_PROXY",
                                    IntegrationUri="https://example.com",
                                    IntegrationMethod="ANY")
        self.assertEqual(last["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(self.server.stop(signal.SIGKILL), -signal.SIGKILL)
        self.server.start()
        c = self.server.client()
        self.assertEqual(c.get_api(ApiId=api["ApiId"])["Name"], "crash")
        status, _, again = self.server.http("GET", "/v2/apis/%s/integrations/%s"
                                            % (api["ApiId"], integ["IntegrationId"]))
        self.assertEqual((status, again), (200, body))
        got = c.get_integration(ApiId=api["ApiId"], IntegrationId=last["IntegrationId"])
        self.assertEqual(got["IntegrationUri"], "https://example.com")
        ids = [i["IntegrationId"] for i in c.get_integrations(ApiId=api["ApiId"])["Items"]]
        self.assertEqual(ids, [integ["IntegrationId"], last["IntegrationId"]])

    def check_stop_under_load(self, sig):
        """Writers keep creating while the server is stopped: every 201 a writer received
        names an integration that is there after the restart."""
        c = self.server.client()
        api_id = c.create_api(Name="load", ProtocolType="WEBSOCKET",
                              RouteSelectionExpression="$request.body.action")["ApiId"]
        acked, stop = [], threading.Event()

        def writer():
            while not stop.is_set():
                try:
                    status, _, body = self.server.http(
                        "POST", "/v2/apis/%s/integrations" % api_id, {"integrationType": "MOCK"})
                except OSError:
                    return
                if status != 201:
                    return
                acked.append(body["integrationId"])

        threads = [threading.Thread(target=writer) for _ in range(4)]
        for t in threads:
            t.start()
        deadline = time.time() + 10
        while len(acked) < 40 and time.time() < deadline:
            time.sleep(0.01)
        rc = self.server.stop(sig)
        stop.set()
        for t in threads:
            t.join(30)
        self.assertEqual(rc, 0 if sig != signal.SIGKILL else -signal.SIGKILL)
        self.assertGreaterEqual(len(acked), 40)
        self.server.start()
        c = self.server.client()
        stored = {i["IntegrationId"]
                  for p in c.get_paginator("get_integrations").paginate(ApiId=api_id)
                  for i in p["Items"]}
        self.assertLessEqual(set(acked), stored)

    def test_sigterm_under_load(self):
        self.check_stop_under_load(signal.SIGTERM)

    def test_kill_9_under_load(self):
        self.check_stop_under_load(signal.SIGKILL)

    def test_kill_9_after_update_and_delete(self):
        c = self.server.client()
        api_id = c.create_api(Name="a", ProtocolType="HTTP")["ApiId"]
        doomed = c.create_api(Name="b", ProtocolType="HTTP")["ApiId"]
        c.update_api(ApiId=api_id, Name="renamed", Description="")
        c.delete_api(ApiId=doomed)
        self.server.stop(signal.SIGKILL)
        self.server.start()
        c = self.server.client()
        got = c.get_api(ApiId=api_id)
        self.assertEqual((got["Name"], got["Description"]), ("renamed", ""))
        self.assertEqual([a["ApiId"] for a in c.get_apis()["Items"]], [api_id])

    def test_page_tokens_survive_restart(self):
        c = self.server.client()
        api_id = c.create_api(Name="p", ProtocolType="WEBSOCKET",
                              RouteSelectionExpression="$request.body.action")["ApiId"]
        ids = [c.create_integration(ApiId=api_id, IntegrationType="MOCK")["IntegrationId"]
               for _ in range(5)]
        page = c.get_integrations(ApiId=api_id, MaxResults="2")
        self.assertEqual([i["IntegrationId"] for i in page["Items"]], ids[:2])
        self.assertEqual(self.server.stop(), 0)
        self.server.start()
        c = self.server.client()
        rest = c.get_integrations(ApiId=api_id, MaxResults="3", NextToken=page["NextToken"])
        self.assertEqual([i["IntegrationId"] for i in rest["Items"]], ids[2:])
        self.assertNotIn("NextToken", rest)


if __name__ == "__main__":
    unittest.main()
