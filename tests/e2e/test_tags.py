"""Tags (spec §3): GetTags, TagResource and UntagResource on APIs, stages, VPC links and domain
names, addressed by ARN; tags set at create time and by TagResource are the same tags; the AWS
limits; malformed ARNs (400), unknown resources (404), other accounts and regions (404)."""
import unittest
import urllib.parse

from harness import ServerTestCase

ACCOUNT = "000000000000"  # the harness's access key is not 12 digits: the default account


def arn(path, region="us-east-1"):
    return "arn:aws:apigateway:%s::%s" % (region, path)


def tag_path(resource_arn):
    return "/v2/tags/" + urllib.parse.quote(resource_arn, safe="")


class TagsTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c = cls.server.client()
        cls.raw = cls.server.client(validate=False)

    def api(self, **kw):
        return self.c.create_api(Name="tagged", ProtocolType="HTTP", **kw)["ApiId"]

    def test_api_tags_both_ways(self):
        api_id = self.api(Tags={"owner": "dev-team"})
        a = arn("/apis/" + api_id)
        self.assertEqual(self.c.get_tags(ResourceArn=a)["Tags"], {"owner": "dev-team"})
        r = self.c.tag_resource(ResourceArn=a, Tags={"environment": "prod", "owner": "ops"})
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        want = {"owner": "ops", "environment": "prod"}
        self.assertEqual(self.c.get_tags(ResourceArn=a)["Tags"], want)
        self.assertEqual(self.c.get_api(ApiId=api_id)["Tags"], want)
        self.assertIn(want, [i["Tags"] for i in self.c.get_apis()["Items"]
                             if i["ApiId"] == api_id])
        r = self.c.untag_resource(ResourceArn=a, TagKeys=["owner", "environment"])
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 204)
        self.assertEqual(self.c.get_tags(ResourceArn=a)["Tags"], {})
        self.assertEqual(self.c.get_api(ApiId=api_id)["Tags"], {})

    def test_untag_two_keys_keeps_the_rest(self):
        api_id = self.api(Tags={"Project": "p", "Owner": "o", "Keep": "k"})
        a = arn("/apis/" + api_id)
        self.c.untag_resource(ResourceArn=a, TagKeys=["Project", "Owner"])
        self.assertEqual(self.c.get_tags(ResourceArn=a)["Tags"], {"Keep": "k"})
        # keys that are not there are simply not removed
        self.c.untag_resource(ResourceArn=a, TagKeys=["nothing", "here"])
        self.assertEqual(self.c.get_api(ApiId=api_id)["Tags"], {"Keep": "k"})

    def test_wire_format(self):
        api_id = self.api()
        path = tag_path(arn("/apis/" + api_id))
        self.assertIn("%3A%3A%2Fapis%2F", path)
        status, hdrs, body = self.server.http("POST", path, {"tags": {"a b": "x/y", "c": ""}})
        self.assertEqual(status, 201)
        self.assertNotIn("x-amzn-errortype", hdrs)
        self.assertEqual(body, {})
        status, _, body = self.server.http("GET", path)
        self.assertEqual((status, body), (200, {"tags": {"a b": "x/y", "c": ""}}))
        status, _, body = self.server.http("DELETE", path + "?tagKeys=a%20b&tagKeys=c")
        self.assertEqual((status, body), (204, None))
        self.assertEqual(self.server.http("GET", path)[2], {"tags": {}})
        # UntagResource needs tagKeys
        status, hdrs, body = self.server.http("DELETE", path)
        self.assertEqual((status, hdrs["x-amzn-errortype"]), (400, "BadRequestException"))
        self.assertIn("tagKeys", body["message"])

    def test_stage_tags(self):
        api_id = self.api()
        self.c.create_stage(ApiId=api_id, StageName="prod", Tags={"tier": "gold"})
        a = arn("/apis/%s/stages/prod" % api_id)
        self.assertEqual(self.c.get_tags(ResourceArn=a)["Tags"], {"tier": "gold"})
        self.c.tag_resource(ResourceArn=a, Tags={"cost": "42"})
        self.assertEqual(self.c.get_stage(ApiId=api_id, StageName="prod")["Tags"],
                         {"tier": "gold", "cost": "42"})
        self.c.untag_resource(ResourceArn=a, TagKeys=["tier"])
        self.assertEqual(self.c.get_stage(ApiId=api_id, StageName="prod")["Tags"], {"cost": "42"})
        # the API's own tags are another thing
        self.assertEqual(self.c.get_tags(ResourceArn=arn("/apis/" + api_id))["Tags"], {})
        # $default is a stage name like any other
        self.c.create_stage(ApiId=api_id, StageName="$default")
        d = arn("/apis/%s/stages/$default" % api_id)
        self.c.tag_resource(ResourceArn=d, Tags={"k": "v"})
        self.assertEqual(self.c.get_stage(ApiId=api_id, StageName="$default")["Tags"], {"k": "v"})
        err = self.assertAwsError(
            lambda: self.c.get_tags(ResourceArn=arn("/apis/%s/stages/nope" % api_id)),
            "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], "Invalid stage identifier specified")
        err = self.assertAwsError(
            lambda: self.c.tag_resource(ResourceArn=arn("/apis/nope/stages/prod"),
                                        Tags={"k": "v"}),
            "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"], "Invalid API identifier specified %s:nope" % ACCOUNT)

    def test_tagging_does_not_redeploy(self):
        api_id = self.api()
        self.c.create_stage(ApiId=api_id, StageName="auto", AutoDeploy=True)
        n = len(self.c.get_deployments(ApiId=api_id)["Items"])
        self.c.create_route(ApiId=api_id, RouteKey="GET /x")  # a change: a deployment
        before = self.c.get_deployments(ApiId=api_id)["Items"]
        self.assertEqual(len(before), n + 1)
        self.c.tag_resource(ResourceArn=arn("/apis/" + api_id), Tags={"k": "v"})
        self.c.tag_resource(ResourceArn=arn("/apis/%s/stages/auto" % api_id), Tags={"k": "v"})
        self.c.untag_resource(ResourceArn=arn("/apis/" + api_id), TagKeys=["k"])
        self.assertEqual(self.c.get_deployments(ApiId=api_id)["Items"], before)

    def test_vpclink_and_domain_name_tags(self):
        link = self.c.create_vpc_link(Name="l", SubnetIds=["s"], Tags={"a": "1"})["VpcLinkId"]
        a = arn("/vpclinks/" + link)
        self.c.tag_resource(ResourceArn=a, Tags={"b": "2"})
        self.assertEqual(self.c.get_tags(ResourceArn=a)["Tags"], {"a": "1", "b": "2"})
        g = self.c.get_vpc_link(VpcLinkId=link)
        self.assertEqual((g["Tags"], g["VpcLinkStatus"]), ({"a": "1", "b": "2"}, "AVAILABLE"))
        self.c.untag_resource(ResourceArn=a, TagKeys=["a"])
        self.assertEqual(self.c.get_vpc_link(VpcLinkId=link)["Tags"], {"b": "2"})

        dn = self.c.create_domain_name(DomainName="tags.example.com")
        a = dn["DomainNameArn"]
        self.c.tag_resource(ResourceArn=a, Tags={"zone": "public"})
        self.assertEqual(self.c.get_domain_name(DomainName="tags.example.com")["Tags"],
                         {"zone": "public"})
        self.c.untag_resource(ResourceArn=a, TagKeys=["zone"])
        self.assertEqual(self.c.get_tags(ResourceArn=a)["Tags"], {})

        self.assertAwsError(lambda: self.c.get_tags(ResourceArn=arn("/vpclinks/nope")),
                            "NotFoundException", 404, "Invalid VpcLink identifier specified nope")
        self.assertAwsError(
            lambda: self.c.tag_resource(ResourceArn=arn("/domainnames/none.example.com"),
                                        Tags={"k": "v"}),
            "NotFoundException", 404,
            "The domain name resource specified in the request was not found.")

    def test_limits(self):
        api_id = self.api(Tags={"k%d" % i: "v" for i in range(30)})
        a = arn("/apis/" + api_id)
        bad = [
            ({"aws:owner": "x"}, "aws:"),
            ({"k" * 129: "v"}, "128"),
            ({"key": "v" * 257}, "256"),
            ({"": "v"}, "tags"),
            ({"n%d" % i: "v" for i in range(21)}, "50"),  # 30 + 21 > 50
        ]
        for tags, word in bad:
            with self.subTest(tags=str(tags)[:60]):
                self.assertAwsError(lambda: self.raw.tag_resource(ResourceArn=a, Tags=tags),
                                    "BadRequestException", 400, word)
        self.assertEqual(len(self.c.get_tags(ResourceArn=a)["Tags"]), 30)
        # exactly 50 is fine; keys of 128 and values of 256 characters too
        self.c.tag_resource(ResourceArn=a, Tags={"n%d" % i: "v" for i in range(19)})
        self.c.tag_resource(ResourceArn=a, Tags={"x" * 128: "y" * 256})
        self.assertEqual(len(self.c.get_tags(ResourceArn=a)["Tags"]), 50)
        # re-setting a tag that exists does not count twice
        self.c.tag_resource(ResourceArn=a, Tags={"k0": "changed"})
        self.assertEqual(self.c.get_tags(ResourceArn=a)["Tags"]["k0"], "changed")
        status, hdrs, body = self.server.http("POST", tag_path(a), {"tags": {"k": 1}})
        self.assertEqual((status, hdrs["x-amzn-errortype"]), (400, "BadRequestException"))
        status, hdrs, body = self.server.http("POST", tag_path(a), {"tags": ["k"]})
        self.assertEqual((status, hdrs["x-amzn-errortype"]), (400, "BadRequestException"))

    def test_bad_arns(self):
        api_id = self.api()
        bad = [
            "not-an-arn",
            "arn:aws:apigateway:us-east-1::",
            "arn:aws:apigateway:us-east-1::/apis",
            "arn:aws:apigateway:us-east-1::/apis/",
            "arn:aws:apigateway:us-east-1::apis/" + api_id,
            "arn:aws:apigateway:us-east-1:123456789012:/apis/" + api_id,
            "arn:aws:apigateway::/apis/" + api_id,
            "arn:aws:lambda:us-east-1::/apis/" + api_id,
            "arn:foo:apigateway:us-east-1::/apis/" + api_id,
            "arn:aws:apigateway:us-east-1::/apis/%s/integrations/abc" % api_id,
            "arn:aws:apigateway:us-east-1::/apis/%s/stages" % api_id,
            "arn:aws:apigateway:us-east-1::/apis/%s/routes/r1" % api_id,
            "arn:aws:apigateway:us-east-1::/restapis/" + api_id,
            "arn:aws:apigateway:us-east-1::/apis/%s/" % api_id,
            "arn:aws:apigateway:us-east-1::/apis//stages/x",
        ]
        for b in bad:
            with self.subTest(arn=b):
                self.assertAwsError(lambda: self.c.get_tags(ResourceArn=b),
                                    "BadRequestException", 400, "Invalid resource ARN")
                self.assertAwsError(lambda: self.c.tag_resource(ResourceArn=b, Tags={"k": "v"}),
                                    "BadRequestException", 400)
                self.assertAwsError(lambda: self.c.untag_resource(ResourceArn=b, TagKeys=["k"]),
                                    "BadRequestException", 400)

    def test_unknown_api(self):
        a = arn("/apis/abcdefghij")
        msg = "Invalid API identifier specified %s:abcdefghij" % ACCOUNT
        for call in (lambda: self.c.get_tags(ResourceArn=a),
                     lambda: self.c.tag_resource(ResourceArn=a, Tags={"k": "v"}),
                     lambda: self.c.untag_resource(ResourceArn=a, TagKeys=["k"])):
            err = self.assertAwsError(call, "NotFoundException", 404)
            self.assertEqual(err["Error"]["Message"], msg)

    def test_other_region_and_partition(self):
        api_id = self.api(Tags={"k": "v"})
        self.assertAwsError(lambda: self.c.get_tags(ResourceArn=arn("/apis/" + api_id,
                                                                    "eu-west-1")),
                            "NotFoundException", 404)
        eu = self.server.client(region="eu-west-1")
        self.assertAwsError(lambda: eu.get_tags(ResourceArn=arn("/apis/" + api_id)),
                            "NotFoundException", 404)
        self.assertAwsError(lambda: eu.tag_resource(ResourceArn=arn("/apis/" + api_id),
                                                    Tags={"x": "y"}),
                            "NotFoundException", 404)
        self.assertEqual(self.c.get_api(ApiId=api_id)["Tags"], {"k": "v"})

    def test_other_account(self):
        api_id = self.api(Tags={"secret": "1"})
        self.c.create_stage(ApiId=api_id, StageName="s")
        link = self.c.create_vpc_link(Name="l", SubnetIds=["s"])["VpcLinkId"]
        self.c.create_domain_name(DomainName="acct-tags.example.com")
        other = self.server.client(access_key="111122223333")
        for a in (arn("/apis/" + api_id), arn("/apis/%s/stages/s" % api_id),
                  arn("/vpclinks/" + link), arn("/domainnames/acct-tags.example.com")):
            with self.subTest(arn=a):
                self.assertAwsError(lambda: other.get_tags(ResourceArn=a),
                                    "NotFoundException", 404)
                self.assertAwsError(lambda: other.tag_resource(ResourceArn=a, Tags={"x": "y"}),
                                    "NotFoundException", 404)
                self.assertAwsError(lambda: other.untag_resource(ResourceArn=a,
                                                                 TagKeys=["secret"]),
                                    "NotFoundException", 404)
        err = self.assertAwsError(lambda: other.get_tags(ResourceArn=arn("/apis/" + api_id)),
                                  "NotFoundException", 404)
        self.assertEqual(err["Error"]["Message"],
                         "Invalid API identifier specified 111122223333:%s" % api_id)
        self.assertEqual(self.c.get_tags(ResourceArn=arn("/apis/" + api_id))["Tags"],
                         {"secret": "1"})

    def test_cli(self):
        s = self.server
        api_id = self.api()
        a = arn("/apis/" + api_id)
        self.assertIsNone(s.aws("tag-resource", "--resource-arn", a, "--tags",
                                "Department=Accounting,Project=p,Owner=o"))
        self.assertEqual(s.aws("get-tags", "--resource-arn", a)["Tags"],
                         {"Department": "Accounting", "Project": "p", "Owner": "o"})
        self.assertIsNone(s.aws("untag-resource", "--resource-arn", a, "--tag-keys", "Project",
                                "Owner"))
        self.assertEqual(s.aws("get-tags", "--resource-arn", a)["Tags"],
                         {"Department": "Accounting"})
        self.assertEqual(s.aws("get-api", "--api-id", api_id)["Tags"],
                         {"Department": "Accounting"})
        rc, _, err = s.aws("get-tags", "--resource-arn", arn("/apis/abcdefghij"), check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("An error occurred (NotFoundException) when calling the GetTags operation: "
                      "Invalid API identifier specified %s:abcdefghij" % ACCOUNT, err)
        rc, _, err = s.aws("tag-resource", "--resource-arn", "bogus", "--tags", "a=b",
                           check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("(BadRequestException) when calling the TagResource operation", err)


if __name__ == "__main__":
    unittest.main()
