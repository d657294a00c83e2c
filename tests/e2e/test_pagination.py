"""Pagination of list operations (spec §1): 1,000 integrations in one API paged by boto3 and by
the CLI's own auto-pagination; stable creation order; opaque, tamper-evident tokens bound to
their list; maxResults validation.
"""
import concurrent.futures
import json
import unittest
import urllib.parse

from harness import ServerTestCase

COUNT = 1000


class PaginationTest(ServerTestCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c = cls.server.client()
        cls.api = cls.c.create_api(Name="many", ProtocolType="WEBSOCKET",
                                   RouteSelectionExpression="$request.body.action")["ApiId"]
        cls.other = cls.c.create_api(Name="few", ProtocolType="WEBSOCKET",
                                     RouteSelectionExpression="$request.body.action")["ApiId"]
        # Created in order, one at a time, so that creation order is known; a few worker
        # threads, each creating its own slice, would not give one.
        cls.ids = [cls.c.create_integration(ApiId=cls.api, IntegrationType="MOCK",
                                            Description="n%d" % i)["IntegrationId"]
                   for i in range(COUNT)]
        cls.other_ids = [cls.c.create_integration(ApiId=cls.other,
                                                  IntegrationType="MOCK")["IntegrationId"]
                         for _ in range(10)]

    def walk(self, api, size):
        """Pages through GetIntegrations; returns the list of pages (each a response)."""
        pages, token = [], None
        while True:
            kw = {"MaxResults": str(size)}
            if token:
                kw["NextToken"] = token
            page = self.c.get_integrations(ApiId=api, **kw)
            pages.append(page)
            token = page.get("NextToken")
            if not token:
                return pages
            self.assertLess(len(pages), COUNT, "pagination does not end")

    def test_pages_of_seven(self):
        pages = self.walk(self.api, 7)
        self.assertEqual(len(pages), -(-COUNT // 7))
        for page in pages[:-1]:
            self.assertEqual(len(page["Items"]), 7)
            self.assertIn("NextToken", page)
        self.assertEqual(len(pages[-1]["Items"]), COUNT % 7)
        self.assertNotIn("NextToken", pages[-1])
        got = [i["IntegrationId"] for p in pages for i in p["Items"]]
        self.assertEqual(len(set(got)), COUNT)
        self.assertEqual(got, self.ids)  # creation order, each exactly once
        self.assertEqual([i["Description"] for i in pages[3]["Items"]],
                         ["n%d" % i for i in range(21, 28)])
        # Stable: a second walk sees the same pages, tokens included.
        again = self.walk(self.api, 7)
        self.assertEqual([p.get("NextToken") for p in again], [p.get("NextToken") for p in pages])
        self.assertEqual([i["IntegrationId"] for p in again for i in p["Items"]], self.ids)

    def test_default_and_maximum_page_size(self):
        first = self.c.get_integrations(ApiId=self.api)
        self.assertEqual(len(first["Items"]), 100)
        self.assertIn("NextToken", first)
        big = self.c.get_integrations(ApiId=self.api, MaxResults="500")
        self.assertEqual([i["IntegrationId"] for i in big["Items"]], self.ids[:500])
        rest = self.c.get_integrations(ApiId=self.api, MaxResults="500",
                                       NextToken=big["NextToken"])
        self.assertEqual([i["IntegrationId"] for i in rest["Items"]], self.ids[500:])
        self.assertNotIn("NextToken", rest)
        # Exactly one page left: no token on it.
        one = self.c.get_integrations(ApiId=self.other, MaxResults="10")
        self.assertEqual(len(one["Items"]), 10)
        self.assertNotIn("NextToken", one)
        self.assertIn("NextToken", self.c.get_integrations(ApiId=self.other, MaxResults="9"))

    def test_boto3_paginator(self):
        paginator = self.c.get_paginator("get_integrations")
        got = [i["IntegrationId"]
               for page in paginator.paginate(ApiId=self.api, PaginationConfig={"PageSize": 7})
               for i in page["Items"]]
        self.assertEqual(got, self.ids)

    def test_cli_auto_pagination(self):
        out = self.server.aws("get-integrations", "--api-id", self.api, "--page-size", "7")
        self.assertEqual([i["IntegrationId"] for i in out["Items"]], self.ids)
        self.assertNotIn("NextToken", out)
        # --max-items hands back the CLI's own token, which resumes where it stopped.
        out = self.server.aws("get-integrations", "--api-id", self.api, "--page-size", "7",
                              "--max-items", "10")
        self.assertEqual([i["IntegrationId"] for i in out["Items"]], self.ids[:10])
        out = self.server.aws("get-integrations", "--api-id", self.api, "--page-size", "7",
                              "--max-items", "10", "--starting-token", out["NextToken"])
        self.assertEqual([i["IntegrationId"] for i in out["Items"]], self.ids[10:20])

    def bad_list(self, api, **query):
        status, hdrs, body = self.server.http(
            "GET", "/v2/apis/%s/integrations?%s" % (api, urllib.parse.urlencode(query)))
        self.assertEqual(status, 400, body)
        self.assertEqual(hdrs["x-amzn-errortype"], "BadRequestException")
        return body["message"]

    def test_bad_tokens(self):
        token = self.c.get_integrations(ApiId=self.api, MaxResults="7")["NextToken"]
        self.assertRegex(token, r"^[A-Za-z0-9_-]+$")
        flip = "A" if token[5] != "A" else "B"
        tampered = [token[:5] + flip + token[6:], token[:-1], token + "A", "x", "!" * len(token),
                    token.upper() if token.upper() != token else token.lower(), "%00" + token]
        for bad in tampered:
            with self.subTest(token=bad):
                self.assertAwsError(
                    lambda: self.c.get_integrations(ApiId=self.api, NextToken=bad),
                    "BadRequestException", 400, "nextToken")
        # A token belongs to its list: another API's integrations, the API list, another
        # partition.
        self.assertAwsError(lambda: self.c.get_integrations(ApiId=self.other, NextToken=token),
                            "BadRequestException", 400, "nextToken")
        other_token = self.c.get_integrations(ApiId=self.other, MaxResults="2")["NextToken"]
        self.assertAwsError(lambda: self.c.get_integrations(ApiId=self.api,
                                                            NextToken=other_token),
                            "BadRequestException", 400, "nextToken")
        self.assertAwsError(lambda: self.c.get_apis(NextToken=token),
                            "BadRequestException", 400, "nextToken")
        west = self.server.client(region="eu-west-1")
        wapi = west.create_api(Name="w", ProtocolType="HTTP")["ApiId"]
        self.assertAwsError(lambda: west.get_apis(NextToken=token),
                            "BadRequestException", 400, "nextToken")
        apis_token = self.c.get_apis(MaxResults="1")["NextToken"]
        self.assertAwsError(lambda: west.get_apis(NextToken=apis_token),
                            "BadRequestException", 400, "nextToken")
        self.assertAwsError(lambda: west.get_integrations(ApiId=wapi, NextToken=token),
                            "BadRequestException", 400, "nextToken")
        # The raw path: a token with characters outside base64url.
        self.assertIn("nextToken", self.bad_list(self.api, nextToken=token[:-2] + "+/"))

    def test_bad_max_results(self):
        for value in ("0", "abc", "501", "-1", "7.5", "1e2", " 7", "7 ", "0x10",
                      "99999999999999999999", ""):
            with self.subTest(maxResults=value):
                self.assertIn("maxResults", self.bad_list(self.api, maxResults=value))
        for value in ("1", "500", "007"):
            with self.subTest(maxResults=value):
                page = self.c.get_integrations(ApiId=self.api, MaxResults=value)
                self.assertEqual(len(page["Items"]), int(value))
        self.assertAwsError(lambda: self.c.get_apis(MaxResults="0"),
                            "BadRequestException", 400, "maxResults")

    def test_changes_between_pages(self):
        api = self.c.create_api(Name="mut", ProtocolType="WEBSOCKET",
                                RouteSelectionExpression="$request.body.action")["ApiId"]
        ids = [self.c.create_integration(ApiId=api, IntegrationType="MOCK")["IntegrationId"]
               for _ in range(6)]
        page = self.c.get_integrations(ApiId=api, MaxResults="2")
        self.assertEqual([i["IntegrationId"] for i in page["Items"]], ids[:2])
        # Deleting the row the token points after, and the next one, does not break it.
        self.c.delete_integration(ApiId=api, IntegrationId=ids[1])
        self.c.delete_integration(ApiId=api, IntegrationId=ids[2])
        added = self.c.create_integration(ApiId=api, IntegrationType="MOCK")["IntegrationId"]
        rest = self.c.get_integrations(ApiId=api, MaxResults="10", NextToken=page["NextToken"])
        self.assertEqual([i["IntegrationId"] for i in rest["Items"]], ids[3:] + [added])

    def test_concurrent_creates_all_listed_once(self):
        api = self.c.create_api(Name="par", ProtocolType="WEBSOCKET",
                                RouteSelectionExpression="$request.body.action")["ApiId"]

        def make(n):
            status, _, body = self.server.http("POST", "/v2/apis/%s/integrations" % api,
                                               {"integrationType": "MOCK",
                                                "description": str(n)})
            self.assertEqual(status, 201, body)
            return body["integrationId"]

        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            made = list(pool.map(make, range(80)))
        pages = self.walk(api, 7)
        got = [i["IntegrationId"] for p in pages for i in p["Items"]]
        self.assertEqual(sorted(got), sorted(made))
        self.assertEqual(len(set(got)), 80)
        # The order is the order the server stored them in, and it stays.
        self.assertEqual([i["IntegrationId"] for p in self.walk(api, 13) for i in p["Items"]],
                         got)
        json.dumps(got)


if __name__ == "__main__":
    unittest.main()
