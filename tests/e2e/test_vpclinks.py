"""VpcLinks (spec §10): CreateVpcLink answers PENDING, every later read AVAILABLE; 202 on
delete; pagination; every error rule with the AWS error name and status; accounts are apart."""
import re
import unittest

from harness import ServerTestCase

ID = re.compile(r"^[a-z0-9]{10}$")
DATE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


class VpcLinkTest(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.c = cls.server.client()
        cls.raw = cls.server.client(validate=False)

    def create(self, **kw):
        args = dict(Name="MyVpcLink", SubnetIds=["subnet-aaaa", "subnet-bbbb"],
                    SecurityGroupIds=["sg1234", "sg5678"])
        args.update(kw)
        return self.c.create_vpc_link(**args)

    def test_create_answers_pending_then_reads_available(self):
        r = self.create()
        self.assertEqual(r["ResponseMetadata"]["HTTPStatusCode"], 201)
        link_id = r["VpcLinkId"]
        self.assertRegex(link_id, ID)
        self.assertEqual(r["Name"], "MyVpcLink")
        self.assertEqual(r["SubnetIds"], ["subnet-aaaa", "subnet-bbbb"])
        self.assertEqual(r["SecurityGroupIds"], ["sg1234", "sg5678"])
        self.assertEqual(r["Tags"], {})
        self.assertEqual(r["VpcLinkStatus"], "PENDING")
        self.assertEqual(r["VpcLinkStatusMessage"], "VPC link is provisioning ENIs")
        self.assertEqual(r["VpcLinkVersion"], "V2")
        g = self.c.get_vpc_link(VpcLinkId=link_id)
        self.assertEqual(g["VpcLinkStatus"], "AVAILABLE")
        self.assertEqual(g["VpcLinkStatusMessage"], "VPC link is ready to route traffic")
        self.assertEqual(g["CreatedDate"], r["CreatedDate"])
        self.assertEqual(g["VpcLinkId"], link_id)
        listed = [i for i in self.c.get_vpc_links()["Items"] if i["VpcLinkId"] == link_id]
        self.assertEqual(len(listed), 1)
        self.assertEqual(listed[0]["VpcLinkStatus"], "AVAILABLE")

    def test_wire_format(self):
        status, hdrs, body = self.server.http(
            "POST", "/v2/vpclinks", {"name": "wire", "subnetIds": ["subnet-1"]})
        self.assertEqual(status, 201)
        self.assertEqual(sorted(body), sorted([
            "createdDate", "name", "securityGroupIds", "subnetIds", "tags", "vpcLinkId",
            "vpcLinkStatus", "vpcLinkStatusMessage", "vpcLinkVersion"]))
        self.assertRegex(body["createdDate"], DATE)
        self.assertEqual(body["securityGroupIds"], [])
        self.assertEqual(body["vpcLinkStatus"], "PENDING")
        status, _, got = self.server.http("GET", "/v2/vpclinks/" + body["vpcLinkId"])
        self.assertEqual(status, 200)
        self.assertEqual(got["vpcLinkStatus"], "AVAILABLE")
        self.assertEqual(got["vpcLinkStatusMessage"], "VPC link is ready to route traffic")
        status, hdrs, text = self.server.http("DELETE", "/v2/vpclinks/" + body["vpcLinkId"])
        self.assertEqual(status, 202)
        self.assertEqual(text, {})
        self.assertIn("x-amzn-requestid", hdrs)

    def test_tags_at_create(self):
        r = self.create(Tags={"team": "net", "env": "dev"})
        self.assertEqual(r["Tags"], {"team": "net", "env": "dev"})
        g = self.c.get_vpc_link(VpcLinkId=r["VpcLinkId"])
        self.assertEqual(g["Tags"], {"team": "net", "env": "dev"})

    def test_update_name_only(self):
        r = self.create()
        u = self.c.update_vpc_link(VpcLinkId=r["VpcLinkId"], Name="Renamed")
        self.assertEqual(u["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertEqual(u["Name"], "Renamed")
        self.assertEqual(u["VpcLinkStatus"], "AVAILABLE")
        self.assertEqual(u["SubnetIds"], ["subnet-aaaa", "subnet-bbbb"])
        # subnets and security groups cannot change after creation: sent, dropped
        status, _, body = self.server.http("PATCH", "/v2/vpclinks/" + r["VpcLinkId"],
                                           {"subnetIds": ["subnet-zzzz"]})
        self.assertEqual(status, 200)
        self.assertEqual(body["subnetIds"], ["subnet-aaaa", "subnet-bbbb"])
        self.assertEqual(self.c.get_vpc_link(VpcLinkId=r["VpcLinkId"])["Name"], "Renamed")
        self.assertAwsError(lambda: self.raw.update_vpc_link(VpcLinkId=r["VpcLinkId"],
                                                             Name="x" * 129),
                            "BadRequestException", 400, "name")
        self.assertAwsError(lambda: self.raw.update_vpc_link(VpcLinkId=r["VpcLinkId"], Name=""),
                            "BadRequestException", 400, "name")

    def test_delete(self):
        r = self.create()
        d = self.c.delete_vpc_link(VpcLinkId=r["VpcLinkId"])
        self.assertEqual(d["ResponseMetadata"]["HTTPStatusCode"], 202)
        msg = "Invalid VpcLink identifier specified " + r["VpcLinkId"]
        self.assertAwsError(lambda: self.c.get_vpc_link(VpcLinkId=r["VpcLinkId"]),
                            "NotFoundException", 404, msg)
        self.assertAwsError(lambda: self.c.delete_vpc_link(VpcLinkId=r["VpcLinkId"]),
                            "NotFoundException", 404, msg)
        self.assertAwsError(lambda: self.c.update_vpc_link(VpcLinkId=r["VpcLinkId"], Name="n"),
                            "NotFoundException", 404, msg)

    def test_create_errors(self):
        bad = [
            ({"subnetIds": ["s"]}, "name"),
            ({"name": "n"}, "subnetIds"),
            ({"name": "x" * 129, "subnetIds": ["s"]}, "name"),
            ({"name": "n", "subnetIds": "subnet-1"}, "subnetIds"),
            ({"name": "n", "subnetIds": [1]}, "subnetIds"),
            ({"name": "n", "subnetIds": ["s"], "securityGroupIds": "sg"}, "securityGroupIds"),
            ({"name": "n", "subnetIds": ["s"], "tags": {"aws:x": "1"}}, "aws:"),
            ({"name": "n", "subnetIds": ["s"], "tags": {"k": "v" * 257}}, "256"),
            ({"name": "n", "subnetIds": ["s"], "tags": {"k" * 129: "v"}}, "128"),
            ({"name": "n", "subnetIds": ["s"],
              "tags": {"k%d" % i: "v" for i in range(51)}}, "50"),
        ]
        for body, word in bad:
            with self.subTest(body=str(body)[:80]):
                status, hdrs, got = self.server.http("POST", "/v2/vpclinks", body)
                self.assertEqual(status, 400)
                self.assertEqual(hdrs["x-amzn-errortype"], "BadRequestException")
                self.assertIn(word, got["message"])
        self.assertAwsError(lambda: self.raw.create_vpc_link(Name="n", SubnetIds=["s"],
                                                             Tags={"aws:k": "v"}),
                            "BadRequestException", 400)
        status, hdrs, _ = self.server.http("POST", "/v2/vpclinks", "{not json")
        self.assertEqual((status, hdrs["x-amzn-errortype"]), (400, "BadRequestException"))

    def test_pagination(self):
        c = self.server.client(access_key="222233334444")
        ids = [c.create_vpc_link(Name="p%d" % i, SubnetIds=["s"])["VpcLinkId"] for i in range(5)]
        seen, token, pages = [], None, 0
        while True:
            kw = {"MaxResults": "2"}
            if token:
                kw["NextToken"] = token
            page = c.get_vpc_links(**kw)
            pages += 1
            self.assertLessEqual(len(page["Items"]), 2)
            seen += [i["VpcLinkId"] for i in page["Items"]]
            token = page.get("NextToken")
            if not token:
                break
        self.assertEqual(seen, ids)
        self.assertEqual(pages, 3)
        self.assertEqual([i["VpcLinkId"] for i in c.get_vpc_links()["Items"]], ids)
        self.assertAwsError(lambda: c.get_vpc_links(MaxResults="0"), "BadRequestException", 400)
        self.assertAwsError(lambda: c.get_vpc_links(MaxResults="abc"), "BadRequestException", 400)
        self.assertAwsError(lambda: c.get_vpc_links(NextToken="garbage"),
                            "BadRequestException", 400)

    def test_other_account_sees_nothing(self):
        r = self.create(Name="mine")
        other = self.server.client(access_key="111122223333")
        self.assertAwsError(lambda: other.get_vpc_link(VpcLinkId=r["VpcLinkId"]),
                            "NotFoundException", 404)
        self.assertAwsError(lambda: other.update_vpc_link(VpcLinkId=r["VpcLinkId"], Name="x"),
                            "NotFoundException", 404)
        self.assertAwsError(lambda: other.delete_vpc_link(VpcLinkId=r["VpcLinkId"]),
                            "NotFoundException", 404)
        self.assertNotIn(r["VpcLinkId"],
                         [i["VpcLinkId"] for i in other.get_vpc_links()["Items"]])
        self.assertEqual(self.c.get_vpc_link(VpcLinkId=r["VpcLinkId"])["Name"], "mine")

    def test_cli(self):
        s = self.server
        r = s.aws("create-vpc-link", "--name", "CliLink", "--subnet-ids", "subnet-aaaa",
                  "subnet-bbbb", "--security-group-ids", "sg1234", "sg5678")
        self.assertEqual(r["VpcLinkStatus"], "PENDING")
        self.assertEqual(r["VpcLinkStatusMessage"], "VPC link is provisioning ENIs")
        self.assertEqual(r["SecurityGroupIds"], ["sg1234", "sg5678"])
        g = s.aws("get-vpc-link", "--vpc-link-id", r["VpcLinkId"])
        self.assertEqual(g["VpcLinkStatus"], "AVAILABLE")
        u = s.aws("update-vpc-link", "--vpc-link-id", r["VpcLinkId"], "--name", "CliRenamed")
        self.assertEqual(u["Name"], "CliRenamed")
        items = s.aws("get-vpc-links")["Items"]
        self.assertIn(r["VpcLinkId"], [i["VpcLinkId"] for i in items])
        self.assertIsNone(s.aws("delete-vpc-link", "--vpc-link-id", r["VpcLinkId"]))
        rc, _, err = s.aws("get-vpc-link", "--vpc-link-id", r["VpcLinkId"], check=False)
        self.assertNotEqual(rc, 0)
        self.assertIn("An error occurred (NotFoundException) when calling the GetVpcLink "
                      "operation: Invalid VpcLink identifier specified " + r["VpcLinkId"], err)


if __name__ == "__main__":
    unittest.main()
