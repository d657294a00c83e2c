"""DomainNames and their ApiMappings (spec §10): members and defaults, AWS's messages, the
order of CreateApiMapping's checks (domain, key, API, stage), duplicates, pagination, deletes
that take the mappings along, and accounts kept apart."""
import re
import unittest

from harness import ServerTestCase

ACCOUNT = "000000000000"  # the harness's access key is not 12 digits: the default account
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
DOMAIN_404 = "The domain name resource specified in the request was not found."
MAPPING_404 = "The api mapping resource specified in the request was not found."
KEY_START = "API mapping key should not start with a '/' or have consecutive '/'s."
KEY_END = "API mapping key should not end with a '/'."


class DomainNameTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c = cls.server.client()
        cls.raw = cls.server.client(validate=False)

    def test_bare_domain_name(self):
        status, _, body = self.server.http("POST", "/v2/domainnames",
                                           {"domainName": "bare.example.com"})
        self.assertEqual(status, 201)
        self.assertEqual(body, {
            "apiMappingSelectionExpression": "$request.basepath",
            "domainName": "bare.example.com",
            "domainNameArn": "arn:aws:apigateway:us-east-1::/domainnames/bare.example.com",
            "routingMode": "API_MAPPING_ONLY",
            "tags": {},
        })
        status, _, got = self.server.http("GET", "/v2/domainnames/bare.example.com")
        self.assertEqual((status, got), (200, body))

    def test_configurations_and_region(self):
        c = self.server.client(region="eu-west-1")
        r = c.create_domain_name(DomainName="regional.example.com",
                                 DomainNameConfigurations=[{"CertificateArn": CERT}],
                                 Tags={"env": "prod"})
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        self.assertEqual(r["DomainNameArn"],
                         "arn:aws:apigateway:eu-west-1::/domainnames/regional.example.com")
        self.assertEqual(r["Tags"], {"env": "prod"})
        self.assertNotIn("MutualTlsAuthentication", r)
        (conf,) = r["DomainNameConfigurations"]
        self.assertRegex(conf["ApiGatewayDomainName"],
                         r"^d-[a-z0-9]{10}\.execute-api\.eu-west-1\.amazonaws\.com$")
        self.assertEqual(conf["CertificateArn"], CERT)
        self.assertEqual(conf["EndpointType"], "REGIONAL")
        self.assertEqual(conf["SecurityPolicy"], "TLS_1_2")
        self.assertEqual(conf["DomainNameStatus"], "AVAILABLE")
        self.assertEqual(conf["HostedZoneId"], "ZLY8HYME6SFDD")
        self.assertEqual(c.get_domain_name(DomainName="regional.example.com")
                         ["DomainNameConfigurations"], [conf])
        # regions keep their own domain names
        self.assertAwsError(lambda: self.c.get_domain_name(DomainName="regional.example.com"),
                            "NotFoundException", 404, DOMAIN_404)
        # an update keeps the endpoint name and takes the new certificate and policy
        cert2 = CERT.replace("12345678-", "87654321-")
        u = c.update_domain_name(DomainName="regional.example.com", DomainNameConfigurations=[
            {"CertificateArn": cert2, "SecurityPolicy": "TLS_1_0",
             "ApiGatewayDomainName": "spoofed.example.com"}])
        (conf2,) = u["DomainNameConfigurations"]
        self.assertEqual(conf2["ApiGatewayDomainName"], conf["ApiGatewayDomainName"])
        self.assertEqual(conf2["CertificateArn"], cert2)
        self.assertEqual(conf2["SecurityPolicy"], "TLS_1_0")
        self.assertEqual(u["Tags"], {"env": "prod"})
        g = c.get_domain_name(DomainName="regional.example.com")
        for r in (g, u):
            del r["ResponseMetadata"]
        self.assertEqual(g, u)

    def test_update_mtls_and_routing_mode(self):
        self.c.create_domain_name(DomainName="mtls.example.com")
        u = self.c.update_domain_name(
            DomainName="mtls.example.com", RoutingMode="ROUTING_RULE_THEN_API_MAPPING",
            MutualTlsAuthentication={"TruststoreUri": "s3://bucket/truststore.pem",
                                     "TruststoreVersion": "1"})
        self.assertEqual(u["RoutingMode"], "ROUTING_RULE_THEN_API_MAPPING")
        self.assertEqual(u["MutualTlsAuthentication"],
                         {"TruststoreUri": "s3://bucket/truststore.pem", "TruststoreVersion": "1"})
        g = self.c.get_domain_name(DomainName="mtls.example.com")
        self.assertEqual(g["RoutingMode"], "ROUTING_RULE_THEN_API_MAPPING")
        self.assertNotIn("DomainNameConfigurations", g)
        self.assertAwsError(lambda: self.raw.update_domain_name(
            DomainName="mtls.example.com", RoutingMode="SOMETIMES"), "BadRequestException", 400,
            "routingMode")
        self.assertAwsError(lambda: self.c.update_domain_name(
            DomainName="mtls.example.com",
            MutualTlsAuthentication={"TruststoreUri": "https://bucket/x.pem"}),
            "BadRequestException", 400, "truststoreUri")
        self.assertAwsError(lambda: self.c.update_domain_name(
            DomainName="missing.example.com", RoutingMode="API_MAPPING_ONLY"),
            "NotFoundException", 404, DOMAIN_404)

    def test_duplicate_and_missing(self):
        self.c.create_domain_name(DomainName="dup.example.com")
        err = self.assertAwsError(lambda: self.c.create_domain_name(DomainName="dup.example.com"),
                                  "ConflictException", 409)
        self.assertEqual(err["Error"]["Message"], "The domain name resource already exists.")
        err = self.assertAwsError(lambda: self.c.get_domain_name(DomainName="nope.example.com"),
                                  "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], DOMAIN_404)
        self.assertAwsError(lambda: self.c.delete_domain_name(DomainName="nope.example.com"),
                            "NotFoundException", 404, DOMAIN_404)

    def test_create_errors(self):
        bad = [
            ({}, "domainName"),
            ({"domainName": ""}, "domainName"),
            ({"domainName": "not a domain"}, "domain name"),
            ({"domainName": "localhost"}, "domain name"),
            ({"domainName": "a..example.com"}, "domain name"),
            ({"domainName": "-a.example.com"}, "domain name"),
            ({"domainName": "x.example.com", "domainNameConfigurations": {"certificateArn": CERT}},
             "domainNameConfigurations"),
            ({"domainName": "x.example.com", "domainNameConfigurations": ["cert"]},
             "domainNameConfigurations[0]"),
            ({"domainName": "x.example.com",
              "domainNameConfigurations": [{"certificateArn": CERT, "endpointType": "GLOBAL"}]},
             "endpointType"),
            ({"domainName": "x.example.com",
              "domainNameConfigurations": [{"certificateArn": CERT, "securityPolicy": "TLS_9"}]},
             "securityPolicy"),
            ({"domainName": "x.example.com",
              "domainNameConfigurations": [{"certificateArn": "not-an-arn"}]}, "certificateArn"),
            ({"domainName": "x.example.com", "mutualTlsAuthentication": {}}, "truststoreUri"),
            ({"domainName": "x.example.com", "tags": {"aws:k": "v"}}, "aws:"),
            ({"domainName": "x.example.com", "routingMode": "NONE"}, "routingMode"),
        ]
        for body, word in bad:
            with self.subTest(body=body):
                status, hdrs, got = self.server.http("POST", "/v2/domainnames", body)
                self.assertEqual(status, 400)
                self.assertEqual(hdrs["x-amzn-errortype"], "BadRequestException")
                self.assertIn(word, got["message"])
        self.assertAwsError(lambda: self.c.get_domain_name(DomainName="x.example.com"),
                            "NotFoundException", 404)
        self.assertAwsError(lambda: self.raw.create_domain_name(DomainName="bad domain"),
                            "BadRequestException", 400)
        r = self.c.create_domain_name(DomainName="*.wild.example.com")
        self.assertEqual(r["DomainName"], "*.wild.example.com")

    def test_delete(self):
        self.c.create_domain_name(DomainName="gone.example.com")
        d = self.c.delete_domain_name(DomainName="gone.example.com")
        self.assertEqual(d["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertAwsError(lambda: self.c.get_domain_name(DomainName="gone.example.com"),
                            "NotFoundException", 404, DOMAIN_404)
        # the name is free again
        self.c.create_domain_name(DomainName="gone.example.com")

    def test_pagination(self):
        c = self.server.client(access_key="222233334444")
        names = ["p%d.example.com" % i for i in range(5)]
        for n in names:
            c.create_domain_name(DomainName=n)
        page = c.get_domain_names(MaxResults="2")
        self.assertEqual([i["DomainName"] for i in page["Items"]], names[:2])
        page = c.get_domain_names(MaxResults="2", NextToken=page["NextToken"])
        self.assertEqual([i["DomainName"] for i in page["Items"]], names[2:4])
        page = c.get_domain_names(MaxResults="2", NextToken=page["NextToken"])
        self.assertEqual([i["DomainName"] for i in page["Items"]], names[4:])
        self.assertNotIn("NextToken", page)
        self.assertAwsError(lambda: c.get_domain_names(MaxResults="-1"),
                            "BadRequestException", 400)

    def test_other_account(self):
        self.c.create_domain_name(DomainName="private.example.com")
        other = self.server.client(access_key="111122223333")
        self.assertAwsError(lambda: other.get_domain_name(DomainName="private.example.com"),
                            "NotFoundException", 404, DOMAIN_404)
        self.assertAwsError(lambda: other.delete_domain_name(DomainName="private.example.com"),
                            "NotFoundException", 404, DOMAIN_404)
        self.assertNotIn("private.example.com",
                         [i["DomainName"] for i in other.get_domain_names()["Items"]])
        self.assertAwsError(lambda: other.get_api_mappings(DomainName="private.example.com"),
                            "NotFoundException", 404, DOMAIN_404)

    def test_cli(self):
        s = self.server
        r = s.aws("create-domain-name", "--domain-name", "cli.example.com",
                  "--domain-name-configurations", "CertificateArn=" + CERT)
        self.assertEqual(r["ApiMappingSelectionExpression"], "$request.basepath")
        self.assertEqual(r["DomainNameConfigurations"][0]["EndpointType"], "REGIONAL")
        g = s.aws("get-domain-name", "--domain-name", "cli.example.com")
        self.assertEqual(g["DomainName"], "cli.example.com")
        self.assertIn("cli.example.com", [i["DomainName"] for i in s.aws("get-domain-names")["Items"]])
        self.assertIsNone(s.aws("delete-domain-name", "--domain-name", "cli.example.com"))
        rc, _, err = s.aws("get-domain-name", "--domain-name", "cli.example.com", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("An error occurred (NotFoundException) when calling the GetDomainName "
                      "operation: " + DOMAIN_404, err)


class ApiMappingTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c = cls.server.client()
        cls.raw = cls.server.client(validate=False)
        cls.api = cls.c.create_api(Name="mapped", ProtocolType="HTTP")["ApiId"]
        cls.c.create_stage(ApiId=cls.api, StageName="test")
        cls.c.create_stage(ApiId=cls.api, StageName="dev")

    def domain(self, name):
        self.c.create_domain_name(DomainName=name)
        return name

    def test_crud(self):
        d = self.domain("crud.example.com")
        r = self.c.create_api_mapping(DomainName=d, ApiId=self.api, Stage="test",
                                      ApiMappingKey="myApi")
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        mid = r["ApiMappingId"]
        self.assertRegex(mid, r"^[a-z0-9]{10}$")
        self.assertEqual((r["ApiId"], r["ApiMappingKey"], r["Stage"]), (self.api, "myApi", "test"))
        status, _, body = self.server.http("GET", "/v2/domainnames/%s/apimappings/%s" % (d, mid))
        self.assertEqual((status, body), (200, {"apiId": self.api, "apiMappingId": mid,
                                                "apiMappingKey": "myApi", "stage": "test"}))
        u = self.c.update_api_mapping(DomainName=d, ApiMappingId=mid, ApiId=self.api,
                                      Stage="dev", ApiMappingKey="v1/orders")
        self.assertEqual((u["ApiMappingKey"], u["Stage"]), ("v1/orders", "dev"))
        self.assertEqual(self.c.get_api_mapping(DomainName=d, ApiMappingId=mid)["Stage"], "dev")
        self.assertEqual([i["ApiMappingId"] for i in self.c.get_api_mappings(DomainName=d)["Items"]],
                         [mid])
        dl = self.c.delete_api_mapping(DomainName=d, ApiMappingId=mid)
        self.assertEqual(dl["ResponseMetadata"]["HTTPStatusCode"], 204)
        for call in (lambda: self.c.get_api_mapping(DomainName=d, ApiMappingId=mid),
                     lambda: self.c.delete_api_mapping(DomainName=d, ApiMappingId=mid),
                     lambda: self.c.update_api_mapping(DomainName=d, ApiMappingId=mid,
                                                       ApiId=self.api, Stage="dev")):
            err = self.assertAwsError(call, "NotFoundException", 404)
            self.assertEqual(err["Error"]["Message"], MAPPING_404)
        self.assertEqual(self.c.get_api_mappings(DomainName=d)["Items"], [])

    def test_root_mapping_has_no_key(self):
        d = self.domain("root.example.com")
        status, _, body = self.server.http("POST", "/v2/domainnames/%s/apimappings" % d,
                                           {"apiId": self.api, "stage": "test"})
        self.assertEqual(status, 201)
        self.assertEqual(sorted(body), ["apiId", "apiMappingId", "stage"])
        # one root per domain
        self.assertAwsError(lambda: self.c.create_api_mapping(DomainName=d, ApiId=self.api,
                                                              Stage="dev"),
                            "ConflictException", 409)

    def test_check_order(self):
        d = self.domain("order.example.com")
        create = self.c.create_api_mapping
        # the domain first: a bad key, API and stage do not matter
        err = self.assertAwsError(lambda: create(DomainName="nodomain.example.com",
                                                 ApiId="nope", Stage="x", ApiMappingKey="/bad"),
                                  "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], DOMAIN_404)
        # then the key
        for key, msg in (("/a", KEY_START), ("a//b", KEY_START), ("a/", KEY_END),
                         ("a/b/", KEY_END)):
            with self.subTest(key=key):
                err = self.assertAwsError(lambda: create(DomainName=d, ApiId="nope", Stage="x",
                                                         ApiMappingKey=key),
                                          "BadRequestException", 400)
                self.assertEqual(err["Error"]["Message"], msg)
        # then the API
        err = self.assertAwsError(lambda: create(DomainName=d, ApiId="nope", Stage="x",
                                                 ApiMappingKey="ok"),
                                  "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid API identifier specified %s:nope" % ACCOUNT)
        # then the stage
        err = self.assertAwsError(lambda: create(DomainName=d, ApiId=self.api, Stage="prod",
                                                 ApiMappingKey="ok"),
                                  "BadRequestException", 400)
        self.assertEqual(err["Error"]["Message"], "Invalid stage identifier specified")
        self.assertEqual(self.c.get_api_mappings(DomainName=d)["Items"], [])

    def test_missing_members(self):
        d = self.domain("members.example.com")
        for body, word in (({"stage": "test"}, "apiId"), ({"apiId": self.api}, "stage"),
                           ({"apiId": self.api, "stage": ""}, "stage"),
                           ({"apiId": self.api, "stage": "test", "apiMappingKey": 7},
                            "apiMappingKey")):
            with self.subTest(body=body):
                status, hdrs, got = self.server.http(
                    "POST", "/v2/domainnames/%s/apimappings" % d, body)
                self.assertEqual((status, hdrs["x-amzn-errortype"]), (400, "BadRequestException"))
                self.assertIn(word, got["message"])

    def test_duplicate_keys(self):
        d = self.domain("dupkey.example.com")
        a = self.c.create_api_mapping(DomainName=d, ApiId=self.api, Stage="test",
                                      ApiMappingKey="a")["ApiMappingId"]
        self.c.create_api_mapping(DomainName=d, ApiId=self.api, Stage="dev", ApiMappingKey="b")
        self.assertAwsError(lambda: self.c.create_api_mapping(DomainName=d, ApiId=self.api,
                                                              Stage="dev", ApiMappingKey="a"),
                            "ConflictException", 409, "a")
        self.assertAwsError(lambda: self.c.update_api_mapping(DomainName=d, ApiMappingId=a,
                                                              ApiId=self.api, ApiMappingKey="b"),
                            "ConflictException", 409)
        self.assertEqual(self.c.get_api_mapping(DomainName=d, ApiMappingId=a)["ApiMappingKey"], "a")
        # the same key on another domain is fine
        d2 = self.domain("dupkey2.example.com")
        self.c.create_api_mapping(DomainName=d2, ApiId=self.api, Stage="test", ApiMappingKey="a")

    def test_update_rechecks(self):
        d = self.domain("recheck.example.com")
        mid = self.c.create_api_mapping(DomainName=d, ApiId=self.api, Stage="test",
                                        ApiMappingKey="k")["ApiMappingId"]
        other = self.c.create_api(Name="other", ProtocolType="HTTP")["ApiId"]
        # moving to an API that lacks the stage
        self.assertAwsError(lambda: self.c.update_api_mapping(DomainName=d, ApiMappingId=mid,
                                                              ApiId=other),
                            "BadRequestException", 400, "Invalid stage identifier specified")
        self.assertAwsError(lambda: self.c.update_api_mapping(DomainName=d, ApiMappingId=mid,
                                                              ApiId=self.api, ApiMappingKey="x/"),
                            "BadRequestException", 400, KEY_END)
        self.assertAwsError(lambda: self.c.update_api_mapping(DomainName=d, ApiMappingId=mid,
                                                              ApiId="nope"),
                            "NotFoundException", 404, "Invalid API identifier specified")
        g = self.c.get_api_mapping(DomainName=d, ApiMappingId=mid)
        self.assertEqual((g["ApiId"], g["ApiMappingKey"], g["Stage"]), (self.api, "k", "test"))

    def test_routing_rule_only_domain_takes_no_mapping(self):
        self.c.create_domain_name(DomainName="rules.example.com", RoutingMode="ROUTING_RULE_ONLY")
        self.assertAwsError(lambda: self.c.create_api_mapping(
            DomainName="rules.example.com", ApiId=self.api, Stage="test"),
            "BadRequestException", 400, "ROUTING_RULE_ONLY")

    def test_pagination(self):
        d = self.domain("pages.example.com")
        ids = [self.c.create_api_mapping(DomainName=d, ApiId=self.api, Stage="test",
                                         ApiMappingKey="k%d" % i)["ApiMappingId"]
               for i in range(5)]
        seen, token = [], None
        while True:
            kw = {"DomainName": d, "MaxResults": "2"}
            if token:
                kw["NextToken"] = token
            page = self.c.get_api_mappings(**kw)
            self.assertLessEqual(len(page["Items"]), 2)
            seen += [i["ApiMappingId"] for i in page["Items"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(seen, ids)
        # a token of one domain's list is no good for another's
        d2 = self.domain("pages2.example.com")
        token = self.c.get_api_mappings(DomainName=d, MaxResults="1")["NextToken"]
        self.assertAwsError(lambda: self.c.get_api_mappings(DomainName=d2, NextToken=token),
                            "BadRequestException", 400)
        self.assertAwsError(lambda: self.c.get_api_mappings(DomainName="none.example.com"),
                            "NotFoundException", 404, DOMAIN_404)

    def test_deleting_the_domain_removes_its_mappings(self):
        d = self.domain("cascade.example.com")
        mid = self.c.create_api_mapping(DomainName=d, ApiId=self.api, Stage="test")["ApiMappingId"]
        self.c.delete_domain_name(DomainName=d)
        self.assertAwsError(lambda: self.c.get_api_mapping(DomainName=d, ApiMappingId=mid),
                            "NotFoundException", 404, DOMAIN_404)
        self.domain(d)
        self.assertEqual(self.c.get_api_mappings(DomainName=d)["Items"], [])

    def test_other_account(self):
        d = self.domain("acct.example.com")
        mid = self.c.create_api_mapping(DomainName=d, ApiId=self.api, Stage="test")["ApiMappingId"]
        other = self.server.client(access_key="111122223333")
        self.assertAwsError(lambda: other.get_api_mapping(DomainName=d, ApiMappingId=mid),
                            "NotFoundException", 404, DOMAIN_404)
        # the other account's own domain cannot map this account's API
        other.create_domain_name(DomainName=d)
        err = self.assertAwsError(lambda: other.create_api_mapping(DomainName=d, ApiId=self.api,
                                                                   Stage="test"),
                                  "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid API identifier specified 111122223333:%s" % self.api)

    def test_cli(self):
        s = self.server
        d = self.domain("climap.example.com")
        r = s.aws("create-api-mapping", "--domain-name", d, "--api-mapping-key", "myApi",
                  "--api-id", self.api, "--stage", "test")
        self.assertEqual((r["ApiId"], r["ApiMappingKey"], r["Stage"]), (self.api, "myApi", "test"))
        u = s.aws("update-api-mapping", "--api-id", self.api, "--stage", "dev", "--domain-name", d,
                  "--api-mapping-id", r["ApiMappingId"], "--api-mapping-key", "dev")
        self.assertEqual((u["ApiMappingKey"], u["Stage"]), ("dev", "dev"))
        g = s.aws("get-api-mapping", "--api-mapping-id", r["ApiMappingId"], "--domain-name", d)
        self.assertEqual(g, u)
        self.assertEqual(s.aws("get-api-mappings", "--domain-name", d)["Items"], [u])
        self.assertIsNone(s.aws("delete-api-mapping", "--api-mapping-id", r["ApiMappingId"],
                                "--domain-name", d))
        rc, _, err = s.aws("create-api-mapping", "--domain-name", d, "--api-mapping-key", "a/",
                           "--api-id", self.api, "--stage", "test", check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("An error occurred (BadRequestException) when calling the CreateApiMapping "
                      "operation: " + KEY_END, err)


if __name__ == "__main__":
    unittest.main()
